//! SMART App Launch 2.0 over the FHIR API: how existing EHR apps and hospital systems
//! connect without the server's admin token.
//!
//! | route | what |
//! |---|---|
//! | `GET /.well-known/smart-configuration`, `GET /fhir/.well-known/smart-configuration` | the endpoints and capabilities ([`configuration`]) |
//! | `GET /oauth/authorize` | the approval page, in the dashboard session ([`authorize`]) |
//! | `POST /oauth/authorize` | the person's decision: a one-time code to the app's redirect URI |
//! | `POST /oauth/token` | `authorization_code` (PKCE S256 required), `refresh_token` (rotated), `client_credentials` (a signed JWT) ([`token`]) |
//! | `POST /oauth/revoke` | RFC 7009 revocation of an access or refresh token |
//! | `GET /apps`, `POST /apps/revoke` | the dashboard's list of connected apps, with revoke |
//!
//! Apps are registered first (`ehr smart add-app`, [`clients`]). An app acts as the
//! dashboard account that approved it; `patient/` scopes reach the patient chosen on
//! the approval page, `user/` scopes whatever that account may see; a backend service
//! acts as the account it was registered with, with `system/` scopes. On every request
//! the chain decides too ([`Caller::check_patient`]): the account must be the patient,
//! act for it, or hold a live grant from it, so revoking a grant on chain ends an app's
//! reach at once, whatever its token says.

mod apps;
mod authorize;
pub mod caller;
pub mod clients;
pub mod grants;
pub mod scopes;
mod token;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

pub use authorize::FormTarget;
pub use caller::Caller;
pub use token::{ASSERTION_ALGS, JWT_BEARER};

use crate::state::AppState;

/// The authorization endpoint's path.
pub const AUTHORIZE_PATH: &str = "/oauth/authorize";
/// The token endpoint's path.
pub const TOKEN_PATH: &str = "/oauth/token";
/// The revocation endpoint's path.
pub const REVOKE_PATH: &str = "/oauth/revoke";
/// The discovery document's path (also under `/fhir`).
pub const CONFIGURATION_PATH: &str = "/.well-known/smart-configuration";

/// The scopes this server grants, as the discovery document and the README list them.
pub const SCOPES_SUPPORTED: [&str; 11] = [
    "launch/patient",
    "offline_access",
    "online_access",
    "patient/*.read",
    "patient/*.write",
    "patient/*.rs",
    "patient/*.cs",
    "user/*.read",
    "user/*.write",
    "user/*.rs",
    "system/*.read",
];

/// How `ehr serve` runs SMART.
#[derive(Debug, Clone)]
pub struct SmartConfig {
    /// The app registry (`$EHR_HOME/smart-clients.json`); `None`: no app is registered.
    pub clients: Option<PathBuf>,
    /// How long an access token lives.
    pub access_ttl: Duration,
}

impl Default for SmartConfig {
    fn default() -> Self {
        SmartConfig {
            clients: None,
            access_ttl: Duration::from_secs(3600),
        }
    }
}

/// The SMART routes outside `/fhir`; the pages get the dashboard's error pages.
pub fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    let pages = Router::new()
        .route(AUTHORIZE_PATH, get(authorize::page).post(authorize::decide))
        .route("/apps", get(apps::page))
        .route("/apps/revoke", post(apps::revoke))
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::dashboard::error_pages,
        ));
    Router::new()
        .route(CONFIGURATION_PATH, get(configuration))
        .route(TOKEN_PATH, post(token::token))
        .route(REVOKE_PATH, post(token::revoke))
        .merge(pages)
}

/// Whether `path` is one that authenticates itself (the token and revocation
/// endpoints: a code, a refresh token or a signed assertion, no cookie) or is public
/// discovery; the guard lets these through without a session or CSRF token.
pub fn is_open_path(path: &str) -> bool {
    matches!(
        path,
        CONFIGURATION_PATH | TOKEN_PATH | REVOKE_PATH | "/fhir/.well-known/smart-configuration"
    )
}

/// Whether app `client_id` is still registered (a registry that cannot be read counts as
/// not: tokens stop working rather than outlive a removal).
pub fn registered(state: &AppState, client_id: &str) -> bool {
    matches!(find_client(state, client_id), Ok(Some(_)))
}

/// App `client_id` as the registry holds it now (`None`: not registered, or the server
/// has no registry).
pub(crate) fn find_client(
    state: &AppState,
    client_id: &str,
) -> Result<Option<clients::Client>, clients::ClientsError> {
    match &state.config.smart.clients {
        Some(path) => clients::Registry::new(path).find(client_id),
        None => Ok(None),
    }
}

/// `GET /.well-known/smart-configuration`: where to authorize and get tokens, and what
/// this server supports (SMART App Launch 2.0 §2.0.6).
pub async fn configuration(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let origin = state.origin(&headers);
    let body = json!({
        "issuer": origin,
        "authorization_endpoint": format!("{origin}{AUTHORIZE_PATH}"),
        "token_endpoint": format!("{origin}{TOKEN_PATH}"),
        "revocation_endpoint": format!("{origin}{REVOKE_PATH}"),
        "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": token::ASSERTION_ALGS,
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": SCOPES_SUPPORTED,
        "capabilities": [
            "launch-standalone",
            "client-public",
            "client-confidential-asymmetric",
            "context-standalone-patient",
            "permission-offline",
            "permission-online",
            "permission-patient",
            "permission-user",
            "permission-v1",
            "permission-v2"
        ],
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}
