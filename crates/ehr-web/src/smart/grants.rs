//! What this server has issued to SMART apps: authorization codes (one use, a minute),
//! access tokens (an hour) and refresh tokens (rotated on each use), all kept as SHA-256
//! hashes. Every token descends from one approval (a *grant*); revoking any token of a
//! grant, or the grant from the dashboard, ends all of them, and a refresh token or code
//! used twice (a sign it was stolen) ends the grant too.
//!
//! Kept in memory: after a restart of `ehr serve` apps authorize again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use clarity::vm::types::PrincipalData;
use sha2::{Digest, Sha256};

use super::scopes::Scopes;
use crate::state::{digest, random_hex};

/// How long an authorization code may wait to be exchanged.
pub const CODE_TTL: Duration = Duration::from_secs(60);
/// How long a refresh token lives unused.
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// The most live grants one backend service holds: a new token beyond that revokes its
/// oldest (a service asks for a fresh token when its last expires).
pub const MAX_BACKEND_GRANTS: usize = 16;

/// What an approval gave an app: whose account it acts as, for which patient, with
/// which scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The grant's id (for listing and revoking it).
    pub id: u64,
    /// The app.
    pub client_id: String,
    /// The name of the server account the app acts as.
    pub account: String,
    /// The patient in context (`patient/` scopes reach this patient only).
    pub patient: Option<PrincipalData>,
    /// What was granted.
    pub scopes: Scopes,
    /// When it was approved.
    pub approved: SystemTime,
}

/// Why a token request fails, as OAuth error codes (RFC 6749 §5.2).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GrantError {
    /// The code or refresh token is unknown, used, expired, revoked, or not the app's;
    /// or PKCE or the redirect URI does not match.
    #[error("{0}")]
    InvalidGrant(String),
}

/// Tokens for one issue: the access token and, when asked for, a refresh token.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The bearer token.
    pub access_token: String,
    /// Seconds it lives.
    pub expires_in: u64,
    /// The refresh token, with `offline_access` or `online_access`.
    pub refresh_token: Option<String>,
    /// The grant behind them.
    pub grant: Arc<Grant>,
}

struct Code {
    grant: Arc<Grant>,
    redirect_uri: String,
    challenge: String,
    expires: Instant,
}

struct Live {
    grant: Arc<Grant>,
    expires: Instant,
}

/// Everything is kept only as long as it can matter, and swept on each issue: codes and
/// tokens until they expire, spent codes and refresh tokens (to catch a replay) and
/// revoked grants until the tokens they could concern have expired.
#[derive(Default)]
struct Inner {
    next_id: u64,
    codes: HashMap<String, Code>,
    /// Codes exchanged already (their grant ends if one comes back), until they expire.
    spent_codes: HashMap<String, (u64, Instant)>,
    access: HashMap<String, Live>,
    refresh: HashMap<String, Live>,
    /// Refresh tokens rotated away (their grant ends if one comes back), until expiry.
    spent_refresh: HashMap<String, (u64, Instant)>,
    /// Revoked grants, until none of their tokens could still be presented.
    revoked: HashMap<u64, Instant>,
    /// Client-assertion ids seen, until they expire (no replay).
    jti: HashMap<String, Instant>,
}

impl Inner {
    fn sweep(&mut self) {
        let now = Instant::now();
        self.codes.retain(|_, c| c.expires >= now);
        self.spent_codes.retain(|_, (_, until)| *until >= now);
        self.access.retain(|_, l| l.expires >= now);
        self.refresh.retain(|_, l| l.expires >= now);
        self.spent_refresh.retain(|_, (_, until)| *until >= now);
        self.revoked.retain(|_, until| *until >= now);
        self.jti.retain(|_, until| *until >= now);
    }

    fn revoke(&mut self, id: u64) {
        self.revoked.insert(id, Instant::now() + REFRESH_TTL);
        self.access.retain(|_, l| l.grant.id != id);
        self.refresh.retain(|_, l| l.grant.id != id);
    }

    fn is_revoked(&self, id: u64) -> bool {
        self.revoked.contains_key(&id)
    }
}

/// The issued codes and tokens.
pub struct Grants {
    access_ttl: Duration,
    inner: Mutex<Inner>,
}

/// The PKCE S256 challenge of `verifier` (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Grants {
    /// An empty store whose access tokens live `access_ttl`.
    pub fn new(access_ttl: Duration) -> Self {
        Grants {
            access_ttl,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records an approval and returns its one-time code, bound to the redirect URI and
    /// the PKCE challenge the app sent.
    pub fn approve(
        &self,
        client_id: &str,
        account: &str,
        patient: Option<PrincipalData>,
        scopes: Scopes,
        redirect_uri: &str,
        challenge: &str,
    ) -> String {
        let mut inner = self.lock();
        inner.sweep();
        inner.next_id += 1;
        let grant = Arc::new(Grant {
            id: inner.next_id,
            client_id: client_id.to_string(),
            account: account.to_string(),
            patient,
            scopes,
            approved: SystemTime::now(),
        });
        let code = random_hex::<32>();
        inner.codes.insert(
            digest(&code),
            Code {
                grant,
                redirect_uri: redirect_uri.to_string(),
                challenge: challenge.to_string(),
                expires: Instant::now() + CODE_TTL,
            },
        );
        code
    }

    /// Exchanges a code (once) for tokens: the app, redirect URI and PKCE verifier must
    /// be the ones of the authorization request.
    pub fn exchange(
        &self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<Issued, GrantError> {
        let mut inner = self.lock();
        let key = digest(code);
        if let Some((grant, _)) = inner.spent_codes.get(&key).copied() {
            inner.revoke(grant);
            return Err(GrantError::InvalidGrant(
                "this code was used already: every token issued from it is revoked".into(),
            ));
        }
        let Some(pending) = inner.codes.remove(&key) else {
            return Err(GrantError::InvalidGrant(
                "unknown authorization code".into(),
            ));
        };
        inner
            .spent_codes
            .insert(key, (pending.grant.id, pending.expires + CODE_TTL));
        if pending.expires < Instant::now() {
            return Err(GrantError::InvalidGrant(
                "the authorization code expired (they live a minute): authorize again".into(),
            ));
        }
        if pending.grant.client_id != client_id {
            return Err(GrantError::InvalidGrant(
                "the code was issued to another client".into(),
            ));
        }
        if pending.redirect_uri != redirect_uri {
            return Err(GrantError::InvalidGrant(
                "redirect_uri is not the one of the authorization request".into(),
            ));
        }
        // RFC 7636 §4.1: 43 to 128 unreserved characters.
        let well_formed = (43..=128).contains(&verifier.len())
            && verifier
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !well_formed {
            return Err(GrantError::InvalidGrant(
                "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (PKCE)".into(),
            ));
        }
        if !crate::auth::constant_time_eq(&s256(verifier), &pending.challenge) {
            return Err(GrantError::InvalidGrant(
                "code_verifier does not match the code_challenge (PKCE)".into(),
            ));
        }
        Ok(self.issue(&mut inner, pending.grant))
    }

    /// Tokens for a backend service (no approval page, no refresh token).
    pub fn issue_backend(&self, client_id: &str, account: &str, scopes: Scopes) -> Issued {
        let mut inner = self.lock();
        inner.sweep();
        let mut held: Vec<u64> = inner
            .access
            .values()
            .filter(|l| l.grant.client_id == client_id)
            .map(|l| l.grant.id)
            .collect();
        held.sort_unstable();
        held.dedup();
        while held.len() >= MAX_BACKEND_GRANTS {
            let oldest = held.remove(0);
            inner.revoke(oldest);
        }
        inner.next_id += 1;
        let grant = Arc::new(Grant {
            id: inner.next_id,
            client_id: client_id.to_string(),
            account: account.to_string(),
            patient: None,
            scopes: Scopes {
                offline: false,
                online: false,
                ..scopes
            },
            approved: SystemTime::now(),
        });
        self.issue(&mut inner, grant)
    }

    fn issue(&self, inner: &mut Inner, grant: Arc<Grant>) -> Issued {
        inner.sweep();
        // One live access token per grant: a new one (a refresh) replaces the last.
        inner.access.retain(|_, l| l.grant.id != grant.id);
        let now = Instant::now();
        let access_token = random_hex::<32>();
        inner.access.insert(
            digest(&access_token),
            Live {
                grant: grant.clone(),
                expires: now + self.access_ttl,
            },
        );
        let refresh_token = grant.scopes.wants_refresh().then(|| {
            let token = random_hex::<32>();
            inner.refresh.insert(
                digest(&token),
                Live {
                    grant: grant.clone(),
                    expires: now + REFRESH_TTL,
                },
            );
            token
        });
        Issued {
            access_token,
            expires_in: self.access_ttl.as_secs(),
            refresh_token,
            grant,
        }
    }

    /// A new access token (and a new refresh token: the old one is spent) for the app's
    /// refresh token, with the same or `narrower` scopes.
    pub fn refresh(
        &self,
        token: &str,
        client_id: &str,
        narrower: Option<Scopes>,
    ) -> Result<Issued, GrantError> {
        let mut inner = self.lock();
        let key = digest(token);
        if let Some((grant, _)) = inner.spent_refresh.get(&key).copied() {
            inner.revoke(grant);
            return Err(GrantError::InvalidGrant(
                "this refresh token was replaced already: the grant is revoked (authorize again)"
                    .into(),
            ));
        }
        let live = match inner.refresh.get(&key) {
            Some(l) if l.grant.client_id != client_id => {
                return Err(GrantError::InvalidGrant(
                    "the refresh token was issued to another client".into(),
                ))
            }
            Some(l) => Live {
                grant: l.grant.clone(),
                expires: l.expires,
            },
            None => return Err(GrantError::InvalidGrant("unknown refresh token".into())),
        };
        if inner.is_revoked(live.grant.id) {
            return Err(GrantError::InvalidGrant(
                "the grant was revoked: authorize again".into(),
            ));
        }
        if live.expires < Instant::now() {
            inner.refresh.remove(&key);
            return Err(GrantError::InvalidGrant(
                "the refresh token expired: authorize again".into(),
            ));
        }
        let grant = match narrower {
            Some(n) => {
                let scopes = live
                    .grant
                    .scopes
                    .narrowed_to(&n)
                    .map_err(|e| GrantError::InvalidGrant(e.to_string()))?;
                Arc::new(Grant {
                    scopes,
                    ..(*live.grant).clone()
                })
            }
            None => live.grant,
        };
        inner.refresh.remove(&key);
        inner
            .spent_refresh
            .insert(key, (grant.id, Instant::now() + REFRESH_TTL));
        Ok(self.issue(&mut inner, grant))
    }

    /// The grant behind a live access token.
    pub fn access(&self, token: &str) -> Option<Arc<Grant>> {
        let mut inner = self.lock();
        let key = digest(token);
        let live = inner.access.get(&key)?;
        if live.expires < Instant::now() {
            inner.access.remove(&key);
            return None;
        }
        let grant = live.grant.clone();
        (!inner.is_revoked(grant.id)).then_some(grant)
    }

    /// Revokes the grant behind `token` (an access or refresh token), if there is one:
    /// every token of that grant stops working. Unknown tokens are ignored (RFC 7009).
    pub fn revoke_token(&self, token: &str) {
        let mut inner = self.lock();
        let key = digest(token);
        let grant = inner
            .access
            .get(&key)
            .or_else(|| inner.refresh.get(&key))
            .map(|l| l.grant.id);
        if let Some(id) = grant {
            inner.revoke(id);
        }
    }

    /// Revokes grant `id` of `account` (the dashboard's "revoke"); false when the account
    /// has no such live grant.
    pub fn revoke_grant(&self, account: &str, id: u64) -> bool {
        let live = self.live(account).iter().any(|g| g.id == id);
        if live {
            self.lock().revoke(id);
        }
        live
    }

    /// The live grants an account gave (a token of it still works), newest first.
    pub fn live(&self, account: &str) -> Vec<Arc<Grant>> {
        let inner = self.lock();
        let now = Instant::now();
        let mut out: Vec<Arc<Grant>> = Vec::new();
        for l in inner.access.values().chain(inner.refresh.values()) {
            if l.expires >= now
                && l.grant.account == account
                && !inner.is_revoked(l.grant.id)
                && !out.iter().any(|g| g.id == l.grant.id)
            {
                out.push(l.grant.clone());
            }
        }
        out.sort_by_key(|g| std::cmp::Reverse(g.id));
        out
    }

    /// Whether grant `id` has not been revoked (a job working under it stops when it is).
    pub fn is_live(&self, id: u64) -> bool {
        !self.lock().is_revoked(id)
    }

    /// The client an access or refresh token was issued to, if it is live.
    pub fn client_of(&self, token: &str) -> Option<String> {
        let inner = self.lock();
        let key = digest(token);
        inner
            .access
            .get(&key)
            .or_else(|| inner.refresh.get(&key))
            .map(|l| l.grant.client_id.clone())
    }

    /// Remembers a client assertion's `jti` until `expires`; false if it was seen (a
    /// replayed assertion).
    pub fn first_use_of_jti(&self, client_id: &str, jti: &str, expires: Instant) -> bool {
        let mut inner = self.lock();
        inner.sweep();
        inner
            .jti
            .insert(format!("{client_id}\n{jti}"), expires)
            .is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "a-verifier-of-enough-length-0123456789abcdef";

    fn scopes(s: &str) -> Scopes {
        Scopes::parse(s).unwrap()
    }

    fn approve(g: &Grants, s: &str) -> String {
        g.approve(
            "chart",
            "wallet_1",
            None,
            scopes(s),
            "https://app.example/cb",
            &s256(VERIFIER),
        )
    }

    #[test]
    fn a_code_works_once_with_its_pkce_verifier_and_redirect() {
        let g = Grants::new(Duration::from_secs(60));
        let code = approve(&g, "user/*.read");
        assert!(g
            .exchange(
                &code,
                "chart",
                "https://app.example/cb",
                "wrong-verifier-but-well-formed-0123456789abcdefgh"
            )
            .is_err());
        // A failed attempt spends the code too.
        assert!(g
            .exchange(&code, "chart", "https://app.example/cb", VERIFIER)
            .is_err());
        let code = approve(&g, "user/*.read");
        assert!(g
            .exchange(&code, "chart", "https://evil.example/cb", VERIFIER)
            .is_err());
        let code = approve(&g, "user/*.read");
        assert!(g
            .exchange(&code, "other", "https://app.example/cb", VERIFIER)
            .is_err());
        let code = approve(&g, "user/*.read");
        let issued = g
            .exchange(&code, "chart", "https://app.example/cb", VERIFIER)
            .unwrap();
        assert!(g.access(&issued.access_token).is_some());
        assert!(issued.refresh_token.is_none());
        // A code replayed after success revokes what it gave.
        assert!(g
            .exchange(&code, "chart", "https://app.example/cb", VERIFIER)
            .is_err());
        assert!(g.access(&issued.access_token).is_none());
    }

    #[test]
    fn refresh_rotates_and_a_replayed_refresh_token_ends_the_grant() {
        let g = Grants::new(Duration::from_secs(60));
        let code = approve(&g, "user/*.read offline_access");
        let first = g
            .exchange(&code, "chart", "https://app.example/cb", VERIFIER)
            .unwrap();
        let old = first.refresh_token.clone().unwrap();
        assert!(g.refresh(&old, "other", None).is_err());
        let second = g.refresh(&old, "chart", None).unwrap();
        assert!(g.access(&second.access_token).is_some());
        assert!(g.refresh(&old, "chart", None).is_err());
        assert!(g.access(&second.access_token).is_none());
        assert!(g.access(&first.access_token).is_none());
    }

    #[test]
    fn revoking_any_token_ends_the_grant_and_others_are_untouched() {
        let g = Grants::new(Duration::from_secs(60));
        let a = g
            .exchange(
                &approve(&g, "user/*.read offline_access"),
                "chart",
                "https://app.example/cb",
                VERIFIER,
            )
            .unwrap();
        let b = g
            .exchange(
                &approve(&g, "user/*.read"),
                "chart",
                "https://app.example/cb",
                VERIFIER,
            )
            .unwrap();
        assert_eq!(g.live("wallet_1").len(), 2);
        g.revoke_token(a.refresh_token.as_deref().unwrap());
        assert!(g.access(&a.access_token).is_none());
        assert!(g.access(&b.access_token).is_some());
        assert!(!g.revoke_grant("wallet_2", b.grant.id));
        assert!(g.revoke_grant("wallet_1", b.grant.id));
        assert!(g.access(&b.access_token).is_none());
    }

    #[test]
    fn access_tokens_expire() {
        let g = Grants::new(Duration::from_millis(0));
        let issued = g.issue_backend("sync", "wallet_2", scopes("system/*.read"));
        std::thread::sleep(Duration::from_millis(5));
        assert!(g.access(&issued.access_token).is_none());
    }

    #[test]
    fn a_malformed_verifier_is_refused() {
        let g = Grants::new(Duration::from_secs(60));
        let code = approve(&g, "user/*.read");
        let e = g
            .exchange(&code, "chart", "https://app.example/cb", "short")
            .unwrap_err();
        assert!(e.to_string().contains("43 to 128"));
    }

    #[test]
    fn a_refresh_replaces_the_access_token_and_backend_grants_are_capped() {
        let g = Grants::new(Duration::from_secs(60));
        let code = approve(&g, "user/*.read offline_access");
        let first = g
            .exchange(&code, "chart", "https://app.example/cb", VERIFIER)
            .unwrap();
        let second = g
            .refresh(first.refresh_token.as_deref().unwrap(), "chart", None)
            .unwrap();
        assert!(g.access(&first.access_token).is_none());
        assert!(g.access(&second.access_token).is_some());
        let tokens: Vec<Issued> = (0..MAX_BACKEND_GRANTS + 1)
            .map(|_| g.issue_backend("sync", "wallet_2", scopes("system/*.read")))
            .collect();
        assert!(
            g.access(&tokens[0].access_token).is_none(),
            "the oldest is revoked"
        );
        assert!(g.access(&tokens[MAX_BACKEND_GRANTS].access_token).is_some());
        assert_eq!(g.lock().access.len(), MAX_BACKEND_GRANTS + 1);
    }

    #[test]
    fn a_client_assertion_id_works_once() {
        let g = Grants::new(Duration::from_secs(60));
        let until = Instant::now() + Duration::from_secs(60);
        assert!(g.first_use_of_jti("sync", "a", until));
        assert!(!g.first_use_of_jti("sync", "a", until));
        assert!(g.first_use_of_jti("other", "a", until));
    }
}
