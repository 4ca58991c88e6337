//! What every request handler shares: the client, the accounts the server acts for, the
//! access token and the CSRF secret.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;

use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::records::DirStore;
use ehr_sdk::ehr::EhrClient;
use ehr_sdk::keys::{Address, SecretKey};
use rand_core::RngCore as _;
use sha2::{Digest, Sha256};

/// An account the server may act for. Its key never leaves the process.
#[derive(Clone)]
pub struct Identity {
    /// Its name (`wallet_1`, a keystore name, or `key` for a key given by file or env).
    pub name: String,
    /// Its address on the server's network.
    pub address: Address,
    key: SecretKey,
}

impl Identity {
    /// An identity for `key`.
    pub fn new(name: impl Into<String>, key: SecretKey, address: Address) -> Self {
        Identity {
            name: name.into(),
            address,
            key,
        }
    }

    /// The signing key, for the SDK calls only.
    pub fn key(&self) -> &SecretKey {
        &self.key
    }

    /// The address as a principal.
    pub fn principal(&self) -> PrincipalData {
        self.address.to_principal()
    }
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Identity({}, {})", self.name, self.address)
    }
}

/// How the server was started.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Where to listen (127.0.0.1 by default).
    pub listen: SocketAddr,
    /// Extra `Host` values to accept besides the listen address (e.g. a LAN name).
    pub allowed_hosts: Vec<String>,
    /// The content-addressed store for records kept off chain.
    pub store: PathBuf,
    /// Largest sealed record kept on chain, in bytes.
    pub on_chain_max: usize,
}

/// The shared state of the server.
pub struct AppState {
    /// The typed client (node + deployment).
    pub client: EhrClient,
    /// The accounts the server acts for; the first is the default.
    pub identities: Vec<Identity>,
    /// The startup configuration.
    pub config: ServeConfig,
    /// The record store.
    pub store: DirStore,
    access_token: String,
    csrf_secret: [u8; 32],
    bound: OnceLock<SocketAddr>,
}

impl AppState {
    /// State with a fresh random access token and CSRF secret.
    pub fn new(client: EhrClient, identities: Vec<Identity>, config: ServeConfig) -> Self {
        let mut token = [0u8; 24];
        rand_core::OsRng.fill_bytes(&mut token);
        let mut csrf_secret = [0u8; 32];
        rand_core::OsRng.fill_bytes(&mut csrf_secret);
        AppState {
            client,
            store: DirStore::new(config.store.clone()),
            identities,
            config,
            access_token: hex::encode(token),
            csrf_secret,
            bound: OnceLock::new(),
        }
    }

    /// The access token: printed once at start, in the URL the way Jupyter does.
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// The CSRF token of forms served to a session: tied to this server's secret, so a
    /// page from elsewhere cannot know it.
    pub fn csrf_token(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"ehr/csrf/v1");
        h.update(self.csrf_secret);
        h.update(self.access_token.as_bytes());
        hex::encode(h.finalize())
    }

    /// The identity named `name`, if the server acts for it.
    pub fn identity(&self, name: &str) -> Option<&Identity> {
        self.identities.iter().find(|i| i.name == name)
    }

    /// The address the server is bound to, once bound.
    pub fn bound(&self) -> Option<SocketAddr> {
        self.bound.get().copied()
    }

    pub(crate) fn set_bound(&self, addr: SocketAddr) {
        let _ = self.bound.set(addr);
    }

    /// The URL to open, with the access token.
    pub fn login_url(&self) -> Option<String> {
        self.bound()
            .map(|a| format!("http://{a}/?token={}", self.access_token))
    }
}
