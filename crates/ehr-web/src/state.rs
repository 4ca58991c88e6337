//! What every request handler shares: the client, the accounts the server acts for, the
//! access token and the CSRF secret, the dashboard's operations, and one write lock per
//! account.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::records::{self, Placement, RecordError};
use ehr_sdk::ehr::stores::Replicas;
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
    /// The stores for records kept off chain, in order (`--store` values: folders,
    /// `s3://bucket/prefix`, `https://host/path`; see [`ehr_sdk::ehr::stores::open`]).
    pub stores: Vec<String>,
    /// How many writable stores must take a new blob (`None`: all).
    pub store_quorum: Option<usize>,
    /// Largest sealed record kept on chain, in bytes.
    pub on_chain_max: usize,
    /// SMART App Launch: the app registry and token lifetimes.
    pub smart: crate::smart::SmartConfig,
    /// Where clients reach the server when a TLS proxy stands in front of it
    /// (`--public-url`); `None`: as `http://` + the request's `Host`.
    pub public_url: Option<PublicUrl>,
}

/// The origin the server is reached at through a proxy (`https://ehr.clinic.example`):
/// what the SMART discovery document, the FHIR `fullUrl`s and the login links say, the
/// `aud` a SMART app must name, and a `Host` the server accepts. With `https`, cookies are
/// sent with `Secure`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    origin: String,
    host: String,
    https: bool,
}

/// Why a `--public-url` was refused.
#[derive(Debug, thiserror::Error)]
pub enum PublicUrlError {
    /// Not a URL at all.
    #[error("--public-url {0:?} is not a URL: {1}")]
    NotUrl(String, url::ParseError),
    /// A URL the server cannot be reached at as a web origin.
    #[error("--public-url {0:?}: {1}")]
    NotOrigin(String, &'static str),
}

impl std::str::FromStr for PublicUrl {
    type Err = PublicUrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let url = url::Url::parse(text).map_err(|e| PublicUrlError::NotUrl(text.into(), e))?;
        let refuse = |why| Err(PublicUrlError::NotOrigin(text.into(), why));
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return refuse("the scheme must be https (or http)"),
        };
        let Some(host) = url.host_str() else {
            return refuse("it names no host");
        };
        if !url.username().is_empty() || url.password().is_some() {
            return refuse("it must not carry a user name or password");
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return refuse(
                "give the origin only (scheme, host, port): the server answers at its root",
            );
        }
        let host = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        Ok(PublicUrl {
            origin: format!("{}://{host}", url.scheme()),
            host,
            https,
        })
    }
}

impl PublicUrl {
    /// `scheme://host[:port]`, without a trailing slash.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

/// The shared state of the server.
pub struct AppState {
    /// The typed client (node + deployment).
    pub client: EhrClient,
    /// The accounts the server acts for; the first is the default.
    pub identities: Vec<Identity>,
    /// The startup configuration.
    pub config: ServeConfig,
    /// The record stores, as one (the dashboard and the FHIR API read through it).
    pub store: Replicas,
    /// The codes and tokens issued to SMART apps.
    pub smart: crate::smart::grants::Grants,
    /// Bulk `$export` jobs.
    pub exports: crate::fhir::export::Exports,
    access_token: String,
    csrf_secret: [u8; 32],
    /// Login codes not yet exchanged (each works once), as SHA-256 hex.
    login_codes: Mutex<HashSet<String>>,
    /// Live dashboard sessions, as SHA-256 hex of their ids.
    sessions: Mutex<HashSet<String>>,
    first_login: String,
    bound: OnceLock<SocketAddr>,
    /// Whether the API (`--api`) is an `ehr index`, once asked.
    api_is_index: OnceLock<bool>,
    /// The dashboard's operations, the newest first out.
    pub(crate) ops: crate::dashboard::ops::Ops,
    /// What records say in one line, for the record list and the timeline.
    pub(crate) summaries: crate::dashboard::summaries::Cache,
    /// One write lock per account name (see [`AppState::serialized`]).
    account_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// `N` random bytes from the OS, as hex: session ids, login codes, SMART codes and tokens.
pub(crate) fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    rand_core::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The SHA-256 hex of a secret: what is kept of login codes, sessions and SMART tokens.
pub(crate) fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl AppState {
    /// How many blocks the EHR index behind the API (`--api`) lags its node, when the API
    /// is one (asked once whether it is; `None` for a node or a Hiro API, or when the
    /// index does not answer).
    pub async fn index_lag(&self) -> Option<u64> {
        if self.api_is_index.get() == Some(&false) {
            return None;
        }
        match self.client.node().ehr_index_status().await {
            Ok(Some(status)) => {
                let _ = self.api_is_index.set(true);
                Some(status.lag_blocks)
            }
            Ok(None) => {
                let _ = self.api_is_index.set(false);
                None
            }
            Err(_) => None,
        }
    }

    /// Whether the API (`--api`) is an EHR index (asked once; not remembered when the
    /// API did not answer).
    pub async fn api_is_index(&self) -> bool {
        if let Some(known) = self.api_is_index.get() {
            return *known;
        }
        match self.client.node().ehr_index_status().await {
            Ok(status) => {
                let _ = self.api_is_index.set(status.is_some());
                status.is_some()
            }
            Err(_) => false,
        }
    }

    /// State with a fresh random access token, CSRF secret and first login code, or why
    /// the stores `config` names cannot be opened.
    pub fn new(
        client: EhrClient,
        identities: Vec<Identity>,
        config: ServeConfig,
    ) -> Result<Self, RecordError> {
        let mut csrf_secret = [0u8; 32];
        rand_core::OsRng.fill_bytes(&mut csrf_secret);
        let first_login = random_hex::<24>();
        Ok(AppState {
            client,
            store: Replicas::open(&config.stores, config.store_quorum)?,
            smart: crate::smart::grants::Grants::new(config.smart.access_ttl),
            exports: Default::default(),
            identities,
            config,
            access_token: random_hex::<24>(),
            csrf_secret,
            login_codes: Mutex::new(HashSet::from([digest(&first_login)])),
            sessions: Mutex::new(HashSet::new()),
            first_login,
            bound: OnceLock::new(),
            api_is_index: OnceLock::new(),
            ops: Default::default(),
            summaries: Default::default(),
            account_locks: Mutex::new(HashMap::new()),
        })
    }

    /// The bearer token of the FHIR API (and of [`AppState::new_login_code`]'s route):
    /// printed once at start. It is never a cookie and never in a URL.
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// A new one-time login code: `/?token=<code>` signs one browser in, once.
    pub fn new_login_code(&self) -> String {
        let code = random_hex::<24>();
        lock(&self.login_codes).insert(digest(&code));
        code
    }

    /// Exchanges a login code for a new session id, once: a code already used (or never
    /// issued) gives nothing.
    pub fn redeem_login(&self, code: &str) -> Option<String> {
        if !lock(&self.login_codes).remove(&digest(code)) {
            return None;
        }
        let session = random_hex::<32>();
        lock(&self.sessions).insert(digest(&session));
        Some(session)
    }

    /// Whether `session` is a live session id.
    pub fn session_valid(&self, session: &str) -> bool {
        lock(&self.sessions).contains(&digest(session))
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

    /// Where a new record of `plain_len` bytes goes: on chain when small enough
    /// (`--on-chain-max`), else into the record stores.
    pub fn placement(&self, plain_len: usize) -> Placement<'_> {
        records::placement(plain_len, self.config.on_chain_max, &self.store)
    }

    /// Runs `f` holding `who`'s write lock. Every transaction the server signs (a FHIR
    /// write, a dashboard operation, a logged read) is sent under it, so two requests
    /// acting for one account never take the same nonce.
    pub async fn serialized<T>(&self, who: &Identity, f: impl Future<Output = T>) -> T {
        let lock = self
            .account_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(who.name.clone())
            .or_default()
            .clone();
        let _guard = lock.lock().await;
        f.await
    }

    /// The URL to open, with the first one-time login code (printed at start).
    pub fn login_url(&self) -> Option<String> {
        let origin = match &self.config.public_url {
            Some(public) => public.origin.clone(),
            None => format!("http://{}", self.bound()?),
        };
        Some(format!("{origin}/?token={}", self.first_login))
    }

    /// The server's origin as clients reach it: the `--public-url` when one was given,
    /// else `http://<Host>` (the guard has checked `Host` already).
    pub fn origin(&self, headers: &axum::http::HeaderMap) -> String {
        if let Some(public) = &self.config.public_url {
            return public.origin.clone();
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        format!("http://{host}")
    }

    /// The FHIR base URL as clients reach it: [`AppState::origin`] + `/fhir`.
    pub fn fhir_base(&self, headers: &axum::http::HeaderMap) -> String {
        format!("{}/fhir", self.origin(headers))
    }

    /// What a cookie the server sets adds to its attributes: `; Secure` when clients
    /// reach the server over https (`--public-url https://…`), else nothing.
    pub fn cookie_security(&self) -> &'static str {
        match &self.config.public_url {
            Some(public) if public.https => "; Secure",
            _ => "",
        }
    }

    /// The `Host` of the `--public-url`, if one was given.
    pub(crate) fn public_host(&self) -> Option<&str> {
        self.config.public_url.as_ref().map(|p| p.host.as_str())
    }
}

/// The set behind `m`, even if a thread panicked while holding it (sets of hashes stay
/// consistent whatever was interrupted).
fn lock(m: &Mutex<HashSet<String>>) -> std::sync::MutexGuard<'_, HashSet<String>> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::PublicUrl;

    #[test]
    fn a_public_url_is_an_origin_and_nothing_else() {
        let ok: PublicUrl = "https://ehr.clinic.example/".parse().unwrap();
        assert_eq!(ok.origin(), "https://ehr.clinic.example");
        assert!(ok.https);
        let port: PublicUrl = "http://clinic.lan:8443".parse().unwrap();
        assert_eq!(port.origin(), "http://clinic.lan:8443");
        assert_eq!(port.host, "clinic.lan:8443");
        for (bad, why) in [
            ("ehr.clinic.example", "not a URL"),
            ("ftp://ehr.clinic.example", "scheme"),
            ("https://ehr.clinic.example/ehr", "origin only"),
            ("https://ehr.clinic.example/?a=1", "origin only"),
            ("https://ehr.clinic.example/#x", "origin only"),
            ("https://me:pw@ehr.clinic.example", "password"),
        ] {
            let e = bad.parse::<PublicUrl>().unwrap_err().to_string();
            assert!(e.contains(why) && e.contains(bad), "{bad}: {e}");
        }
    }
}
