//! The apps registered with this server (`$EHR_HOME/smart-clients.json`): who may ask
//! for a SMART token, where the answer may be sent, and for backend services which key
//! signs their assertions and which of the server's accounts they act as.
//!
//! `ehr smart add-app` writes the file; the server reads it on each authorization and
//! token request, so an app registered while `ehr serve` runs works at once.
//!
//! ```json
//! { "version": 1, "clients": [
//!   { "client_id": "growth-chart", "name": "Growth chart",
//!     "redirect_uris": ["http://127.0.0.1:8000/callback"] },
//!   { "client_id": "hospital-sync", "name": "Hospital sync", "account": "wallet_2",
//!     "jwks": { "keys": [ { "kty": "EC", "crv": "P-384", "kid": "1", "x": "…", "y": "…" } ] } }
//! ] }
//! ```

use std::path::{Path, PathBuf};

use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Serialize};

/// The version of the file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// One registered app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    /// The id the app sends as `client_id` (and as `iss`/`sub` of its assertions).
    pub client_id: String,
    /// The name shown to the person approving it.
    pub name: String,
    /// Where authorization answers may go, compared exactly (an app launched by a
    /// person; empty for a backend service).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirect_uris: Vec<String>,
    /// The public keys the app signs its client assertions with (a backend service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<JwkSet>,
    /// The server account a backend service acts as (its reach is that account's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

impl Client {
    /// Whether the app is a backend service (client credentials with a signed JWT).
    pub fn is_backend(&self) -> bool {
        self.jwks.is_some()
    }

    /// Checks the registration itself: an id, a name, redirect URIs that are absolute
    /// `https` URLs (or `http` to this machine: native apps) without fragment, and for a
    /// backend service a key set of ES384 or RS384 keys and an account.
    pub fn check(&self) -> Result<(), ClientsError> {
        let bad = |why: String| ClientsError::Invalid(self.client_id.clone(), why);
        if self.client_id.is_empty()
            || !self
                .client_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
        {
            return Err(bad(
                "the client id is letters, digits and - . _ ~ only".into()
            ));
        }
        if self.name.trim().is_empty() {
            return Err(bad("give the app a name people will recognise".into()));
        }
        for uri in &self.redirect_uris {
            check_redirect(uri).map_err(|why| bad(format!("redirect URI `{uri}`: {why}")))?;
        }
        match (&self.jwks, &self.account) {
            (Some(set), Some(_)) => {
                if set.keys.is_empty() {
                    return Err(bad("the key set has no key".into()));
                }
                for key in &set.keys {
                    check_key(key)
                        .map_err(|why| bad(format!("a key of the set cannot verify: {why}")))?;
                }
                Ok(())
            }
            (Some(_), None) => Err(bad(
                "a backend service needs the account it acts as (--account)".into(),
            )),
            (None, Some(_)) => Err(bad(
                "only a backend service (with --jwks) is bound to an account; an app acts as the person who approves it".into(),
            )),
            (None, None) if self.redirect_uris.is_empty() => Err(bad(
                "an app needs a redirect URI (--redirect-uri), a backend service a key set (--jwks)".into(),
            )),
            (None, None) => Ok(()),
        }
    }
}

/// A key that can verify the assertions this server accepts: EC P-384 (ES384) with
/// 48-byte coordinates, or RSA (RS384) of at least 2048 bits.
fn check_key(key: &jsonwebtoken::jwk::Jwk) -> Result<(), String> {
    use base64::Engine as _;
    use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve};
    let len = |field: &str, text: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map(|b| b.len())
            .map_err(|_| format!("`{field}` is not base64url"))
    };
    match &key.algorithm {
        AlgorithmParameters::EllipticCurve(ec) => {
            if ec.curve != EllipticCurve::P384 {
                return Err(format!("curve {:?}: ES384 keys are P-384", ec.curve));
            }
            if len("x", &ec.x)? != 48 || len("y", &ec.y)? != 48 {
                return Err("a P-384 key's x and y are 48 bytes each".into());
            }
        }
        AlgorithmParameters::RSA(rsa) => {
            if len("n", &rsa.n)? < 256 {
                return Err("an RSA key has at least 2048 bits".into());
            }
            len("e", &rsa.e)?;
        }
        _ => return Err("only EC P-384 (ES384) and RSA (RS384) keys are accepted".into()),
    }
    jsonwebtoken::DecodingKey::from_jwk(key)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn check_redirect(uri: &str) -> Result<(), &'static str> {
    let url = url::Url::parse(uri).map_err(|_| "not an absolute URL")?;
    if url.fragment().is_some() {
        return Err("a redirect URI has no fragment");
    }
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => Ok(()),
        ("http", Some(url::Host::Domain("localhost"))) => Ok(()),
        ("http", Some(url::Host::Ipv4(ip))) if ip.is_loopback() => Ok(()),
        ("http", Some(url::Host::Ipv6(ip))) if ip.is_loopback() => Ok(()),
        ("http", _) => Err("plain http only to this machine (localhost); use https"),
        _ => Err("the scheme is https (or http to localhost)"),
    }
}

/// Why the registry cannot be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum ClientsError {
    /// The file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not a registry this build reads.
    #[error("{path} is not a SMART app registry: {why}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A registration is not acceptable.
    #[error("app `{0}`: {1}")]
    Invalid(String, String),
    /// `add` of an id that exists.
    #[error("an app `{0}` is registered already: remove it first (ehr smart remove-app {0})")]
    Exists(String),
    /// `remove` of an id that does not exist.
    #[error("no app `{0}` is registered")]
    Unknown(String),
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    clients: Vec<Client>,
}

/// The registry file.
#[derive(Debug, Clone)]
pub struct Registry {
    path: PathBuf,
}

impl Registry {
    /// The registry at `path` (it need not exist yet: then no app is registered).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Registry { path: path.into() }
    }

    /// Where it is kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every registered app.
    pub fn load(&self) -> Result<Vec<Client>, ClientsError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(ClientsError::Io {
                    path: self.path.clone(),
                    source,
                })
            }
        };
        let file: File = serde_json::from_str(&text).map_err(|e| ClientsError::Format {
            path: self.path.clone(),
            why: e.to_string(),
        })?;
        if file.version != FORMAT_VERSION {
            return Err(ClientsError::Format {
                path: self.path.clone(),
                why: format!(
                    "version {} (this build reads version {FORMAT_VERSION})",
                    file.version
                ),
            });
        }
        Ok(file.clients)
    }

    /// The app `client_id`, if registered.
    pub fn find(&self, client_id: &str) -> Result<Option<Client>, ClientsError> {
        Ok(self.load()?.into_iter().find(|c| c.client_id == client_id))
    }

    /// Registers `client` (checked first; an id registered already is refused).
    pub fn add(&self, client: Client) -> Result<(), ClientsError> {
        client.check()?;
        let mut clients = self.load()?;
        if clients.iter().any(|c| c.client_id == client.client_id) {
            return Err(ClientsError::Exists(client.client_id));
        }
        clients.push(client);
        self.save(clients)
    }

    /// Removes the app `client_id`.
    pub fn remove(&self, client_id: &str) -> Result<Client, ClientsError> {
        let mut clients = self.load()?;
        let at = clients
            .iter()
            .position(|c| c.client_id == client_id)
            .ok_or_else(|| ClientsError::Unknown(client_id.to_string()))?;
        let removed = clients.remove(at);
        self.save(clients)?;
        Ok(removed)
    }

    /// Writes the whole file atomically (a temporary file renamed over it).
    fn save(&self, clients: Vec<Client>) -> Result<(), ClientsError> {
        let io = |source| ClientsError::Io {
            path: self.path.clone(),
            source,
        };
        let text = serde_json::to_string_pretty(&File {
            version: FORMAT_VERSION,
            clients,
        })
        .map_err(|e| io(std::io::Error::other(e)))?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(uri: &str) -> Client {
        Client {
            client_id: "chart".into(),
            name: "Chart".into(),
            redirect_uris: vec![uri.into()],
            jwks: None,
            account: None,
        }
    }

    #[test]
    fn redirect_uris_are_https_or_loopback_http_without_fragment() {
        for good in [
            "https://app.example/cb",
            "http://127.0.0.1:8000/cb",
            "http://localhost/cb",
            "http://[::1]:9/cb",
        ] {
            assert!(app(good).check().is_ok(), "{good}");
        }
        for bad in [
            "http://app.example/cb",
            "https://app.example/cb#x",
            "/cb",
            "javascript:alert(1)",
        ] {
            assert!(app(bad).check().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_registry_round_trips_and_refuses_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::new(dir.path().join("smart-clients.json"));
        assert!(registry.load().unwrap().is_empty());
        registry.add(app("https://app.example/cb")).unwrap();
        assert!(matches!(
            registry.add(app("https://app.example/cb")),
            Err(ClientsError::Exists(_))
        ));
        assert_eq!(registry.find("chart").unwrap().unwrap().name, "Chart");
        registry.remove("chart").unwrap();
        assert!(registry.find("chart").unwrap().is_none());
        assert!(matches!(
            registry.remove("chart"),
            Err(ClientsError::Unknown(_))
        ));
    }

    #[test]
    fn a_backend_service_needs_keys_and_an_account() {
        let mut c = app("https://app.example/cb");
        c.account = Some("wallet_2".into());
        assert!(c.check().is_err());
    }
}
