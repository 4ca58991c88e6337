//! `ehr serve`: one HTTP server, two faces, over the typed EHR client.
//!
//! - The dashboard (`/`): server-rendered pages for patients, doctors and issuers, with a
//!   little plain JavaScript, small enough for a phone on a slow link.
//! - A FHIR R4 REST API (`/fhir`): JSON resources for hospital systems.
//!
//! Both act through [`ehr_sdk::ehr::EhrClient`] for the accounts the server was started
//! with, exactly like the CLI; the node may be the devnet or any stacks-node. Secret keys
//! stay in this process: no page, response or log line contains one.
//!
//! Security (see [`auth`]): a one-time access token printed at start (cookie session for
//! the browser, bearer token for `/fhir`), CSRF tokens on every form POST, the `Host`
//! header checked against the listen address (no DNS rebinding), a
//! `Content-Security-Policy` without inline script, state changes only by POST.

pub mod auth;
pub mod dashboard;
pub mod fhir;
pub mod gateway;
pub mod smart;
mod state;

pub use state::{AppState, Identity, PublicUrl, PublicUrlError, ServeConfig};

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

/// The whole application: dashboard, FHIR API, and the security layers around both.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(dashboard::routes(state.clone()))
        .merge(smart::routes(state.clone()))
        .nest("/fhir", fhir::routes())
        // The base with a trailing slash, as fhirclient posts transactions.
        .route(
            "/fhir/",
            axum::routing::post(fhir::post_base).fallback(fhir::method_not_allowed),
        )
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard,
        ))
        .with_state(state)
}

/// Paths no route takes: an OperationOutcome under `/fhir`, a short text elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    let path = uri.path();
    let message = if path.starts_with("/fhir") {
        format!("no FHIR endpoint at {path}: the base is /fhir (see /fhir/metadata)")
    } else {
        format!("no page at {path}")
    };
    auth::refusal(
        path,
        axum::http::StatusCode::NOT_FOUND,
        "not-found",
        &message,
    )
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

/// A bound server: its address, and the future that runs it.
pub struct Bound {
    /// Where it listens (with the real port when 0 was asked for).
    pub addr: SocketAddr,
    listener: tokio::net::TcpListener,
    app: Router,
}

impl Bound {
    /// Binds `config.listen` and prepares the application.
    pub async fn bind(state: Arc<AppState>) -> Result<Bound, ServeError> {
        let addr = state.config.listen;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServeError::Bind { addr, source })?;
        state.set_bound(addr);
        Ok(Bound {
            addr,
            listener,
            app: router(state),
        })
    }

    /// Serves until `shutdown` completes, within [`ehr_http::Limits::default`]: at most
    /// 256 connections, 2 s to send a request head (and keep-alive idle), 30 s for a body.
    pub async fn serve(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) {
        ehr_http::serve(
            self.listener,
            self.app,
            ehr_http::Limits::default(),
            shutdown,
        )
        .await;
    }
}
