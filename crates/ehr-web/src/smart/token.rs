//! The token endpoint (RFC 6749 §3.2, SMART App Launch) and revocation (RFC 7009).
//!
//! - `authorization_code`: the code, the same `redirect_uri` and `client_id`, and the
//!   PKCE `code_verifier`.
//! - `refresh_token`: a new access token and a new refresh token (the old one is spent;
//!   presenting it again revokes the grant).
//! - `client_credentials`: a backend service authenticates with a JWT it signed
//!   (`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`,
//!   ES384 or RS384, `iss` = `sub` = its client id, `aud` = this token endpoint, `exp`
//!   within five minutes, a `jti` never seen before) and gets `system/` scopes as the
//!   account it was registered with.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{json, Value};

use super::grants::Issued;
use super::scopes::Scopes;
use crate::state::AppState;

/// The signing algorithms accepted for client assertions (the two SMART requires).
pub const ASSERTION_ALGS: [&str; 2] = ["ES384", "RS384"];

/// The `client_assertion_type` of a signed JWT (RFC 7523).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The longest lifetime a client assertion may claim.
const MAX_ASSERTION_LIFETIME: u64 = 300;

type Params = HashMap<String, String>;

/// An OAuth error answer: `error`, `error_description`, and the status RFC 6749 gives it.
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        OAuthError {
            status,
            error,
            description: description.into(),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        json_answer(
            self.status,
            &json!({ "error": self.error, "error_description": self.description }),
        )
    }
}

fn json_answer(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::PRAGMA, "no-cache"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn required<'a>(p: &'a Params, name: &str) -> Result<&'a str, OAuthError> {
    p.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| OAuthError::new("invalid_request", format!("`{name}` is required")))
}

fn issued(state: &AppState, issued: Issued) -> Response {
    let mut body = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": issued.grant.scopes.to_string(),
    });
    if let Some(r) = issued.refresh_token {
        body["refresh_token"] = Value::from(r);
    }
    if let Some(p) = &issued.grant.patient {
        body["patient"] = Value::from(p.to_string());
    }
    if let Some(identity) = state.identity(&issued.grant.account) {
        body["account"] = Value::from(identity.address.to_string());
    }
    json_answer(StatusCode::OK, &body)
}

/// `POST /oauth/token`.
pub(super) async fn token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    let result = (|| {
        let Form(p) = form.map_err(|e| {
            OAuthError::new(
                "invalid_request",
                format!("the body must be application/x-www-form-urlencoded: {e}"),
            )
        })?;
        match required(&p, "grant_type")? {
            "authorization_code" => {
                let client_id = required(&p, "client_id")?;
                person_app(&state, client_id)?;
                state
                    .smart
                    .exchange(
                        required(&p, "code")?,
                        client_id,
                        required(&p, "redirect_uri")?,
                        required(&p, "code_verifier")?,
                    )
                    .map_err(|e| OAuthError::new("invalid_grant", e.to_string()))
            }
            "refresh_token" => {
                let client_id = required(&p, "client_id")?;
                person_app(&state, client_id)?;
                let narrower = match p.get("scope").filter(|s| !s.is_empty()) {
                    Some(s) => Some(
                        Scopes::parse(s)
                            .map_err(|e| OAuthError::new("invalid_scope", e.to_string()))?,
                    ),
                    None => None,
                };
                state
                    .smart
                    .refresh(required(&p, "refresh_token")?, client_id, narrower)
                    .map_err(|e| OAuthError::new("invalid_grant", e.to_string()))
            }
            "client_credentials" => client_credentials(&state, &headers, &p),
            other => Err(OAuthError::new(
                "unsupported_grant_type",
                format!(
                    "grant_type `{other}` is not served (authorization_code, refresh_token, client_credentials)"
                ),
            )),
        }
    })();
    match result {
        Ok(i) => issued(&state, i),
        Err(e) => e.into_response(),
    }
}

fn known_client(state: &AppState, client_id: &str) -> Result<super::clients::Client, OAuthError> {
    super::find_client(state, client_id)
        .map_err(|e| OAuthError::new("invalid_client", e.to_string()))?
        .ok_or_else(|| {
            OAuthError::new(
                "invalid_client",
                format!("no app `{client_id}` is registered with this server"),
            )
        })
}

/// An app a person launches (registered with redirect URIs): a backend service
/// authenticates with its signed assertion only, never with a bare client id.
fn person_app(state: &AppState, client_id: &str) -> Result<(), OAuthError> {
    if known_client(state, client_id)?.is_backend() {
        return Err(OAuthError::new(
            "unauthorized_client",
            format!("`{client_id}` is a backend service: it uses client_credentials with a signed assertion"),
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    exp: u64,
    jti: String,
}

/// A backend service's token: its signed assertion checked against its registered keys.
fn client_credentials(
    state: &AppState,
    headers: &HeaderMap,
    p: &Params,
) -> Result<Issued, OAuthError> {
    if required(p, "client_assertion_type")? != JWT_BEARER {
        return Err(OAuthError::new(
            "invalid_client",
            format!("client_assertion_type must be {JWT_BEARER}"),
        ));
    }
    let assertion = required(p, "client_assertion")?;
    let header = jsonwebtoken::decode_header(assertion).map_err(|e| {
        OAuthError::new(
            "invalid_client",
            format!("client_assertion is not a JWT: {e}"),
        )
    })?;
    if !matches!(header.alg, Algorithm::ES384 | Algorithm::RS384) {
        return Err(OAuthError::new(
            "invalid_client",
            format!(
                "client_assertion is signed with {:?}: ES384 or RS384 are accepted",
                header.alg
            ),
        ));
    }
    // Who claims to be signing: read before the signature is checked, only to find
    // the key; every claim is checked after.
    let unverified: AssertionClaims = {
        let mut v = Validation::new(header.alg);
        v.insecure_disable_signature_validation();
        v.validate_exp = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        jsonwebtoken::decode::<AssertionClaims>(assertion, &DecodingKey::from_secret(&[]), &v)
            .map_err(|e| {
                OAuthError::new(
                    "invalid_client",
                    format!("client_assertion lacks iss, sub, exp or jti: {e}"),
                )
            })?
            .claims
    };
    let client = known_client(state, &unverified.iss)?;
    let (Some(keys), Some(account)) = (&client.jwks, &client.account) else {
        return Err(OAuthError::new(
            "invalid_client",
            format!(
                "app `{}` is not a backend service (registered without keys)",
                client.client_id
            ),
        ));
    };
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or_else(|| {
        OAuthError::new(
            "invalid_client",
            "no registered key matches the assertion's `kid`",
        )
    })?;
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|e| OAuthError::new("invalid_client", format!("registered key: {e}")))?;
    let audience = format!("{}{}", state.origin(headers), super::TOKEN_PATH);
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[audience.as_str()]);
    validation.set_issuer(&[client.client_id.as_str()]);
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    validation.leeway = 5;
    let claims = jsonwebtoken::decode::<AssertionClaims>(assertion, &key, &validation)
        .map_err(|e| {
            OAuthError::new(
                "invalid_client",
                format!("client_assertion refused ({e}): it must be signed by the registered key, with aud {audience} and a future exp"),
            )
        })?
        .claims;
    if claims.sub != claims.iss {
        return Err(OAuthError::new(
            "invalid_client",
            "client_assertion: sub must equal iss (the client id)",
        ));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let lifetime = claims.exp.saturating_sub(now);
    if lifetime > MAX_ASSERTION_LIFETIME {
        return Err(OAuthError::new(
            "invalid_client",
            format!(
                "client_assertion: exp is {lifetime} s away; at most {MAX_ASSERTION_LIFETIME} s"
            ),
        ));
    }
    let until = Instant::now() + Duration::from_secs(lifetime + 5);
    if !state
        .smart
        .first_use_of_jti(&client.client_id, &claims.jti, until)
    {
        return Err(OAuthError::new(
            "invalid_client",
            "client_assertion: this jti was used already (a replayed assertion)",
        ));
    }
    let scopes = Scopes::parse(required(p, "scope")?)
        .map_err(|e| OAuthError::new("invalid_scope", e.to_string()))?;
    scopes
        .check_grant_type(true)
        .map_err(|e| OAuthError::new("invalid_scope", e.to_string()))?;
    if state.identity(account).is_none() {
        return Err(OAuthError::new(
            "invalid_client",
            format!(
                "app `{}` acts as `{account}`, which this server does not act for",
                client.client_id
            ),
        ));
    }
    Ok(state
        .smart
        .issue_backend(&client.client_id, account, scopes))
}

/// `POST /oauth/revoke` (RFC 7009): revokes the grant behind `token` when it was issued
/// to `client_id`; 200 for an unknown token too, so the answer tells nothing about
/// tokens. A token of another client is refused (`unauthorized_client`).
pub(super) async fn revoke(
    State(state): State<Arc<AppState>>,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    let Ok(Form(p)) = form else {
        return OAuthError::new(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded with `token` and `client_id`",
        )
        .into_response();
    };
    let result = (|| {
        let token = required(&p, "token")?;
        let client_id = required(&p, "client_id")?;
        match state.smart.client_of(token) {
            Some(owner) if owner != client_id => Err(OAuthError::new(
                "unauthorized_client",
                "this token was not issued to this client",
            )),
            Some(_) => {
                state.smart.revoke_token(token);
                Ok(())
            }
            None => Ok(()),
        }
    })();
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}
