//! `ehr store serve`: a read-only HTTP gateway for a store folder, so a patient or a
//! clinic can publish its blobs without a cloud account. Records written with
//! `--store http(s)://host/ehr` (or copied there) are then readable by any authorised
//! doctor through the locator `http(s)://host/ehr/<hex>`.
//!
//! It serves `GET` and `HEAD /ehr/<64 lowercase hex>` only: the sealed bytes of a blob
//! (ciphertext; a reader checks the hash against the chain and needs its own key
//! envelope to decrypt), with range requests for large blobs. Nothing else: no listing,
//! no other file of the folder (temporary uploads included), no writes. Answers carry
//! the security headers of `ehr serve`, and the server runs in the same loop with the
//! same limits ([`ehr_http::serve`]).

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceExt as _;
use tower_http::services::ServeFile;

/// The path blobs are served under: `/ehr/<hex>`.
pub const PREFIX: &str = "/ehr";

/// The gateway's routes for the store folder `dir`.
pub fn router(dir: PathBuf) -> Router {
    Router::new()
        .route("/ehr/{name}", get(blob))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(headers))
        .with_state(Arc::new(dir))
}

/// Serves `router(dir)` on `listener` within [`ehr_http::Limits::default`] until
/// `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    dir: PathBuf,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    ehr_http::serve(listener, router(dir), ehr_http::Limits::default(), shutdown).await;
}

/// Whether `name` is a blob's name: 64 lowercase hex digits.
fn is_blob_name(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

async fn blob(
    State(dir): State<Arc<PathBuf>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    if !is_blob_name(&name) {
        return not_found().await;
    }
    // The file name is the checked hash: the path never leaves the folder.
    match ServeFile::new(dir.join(&name)).oneshot(request).await {
        Ok(response) => response.map(axum::body::Body::new),
        Err(never) => match never {},
    }
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        "not found: this gateway serves GET /ehr/<sha256 hex> only\n",
    )
        .into_response()
}

/// The security headers of `ehr serve` on every answer; a blob (named by its hash, so
/// never changing) may be cached, anything else not.
async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let ok = response.status().is_success();
    let cache = if ok {
        "public, max-age=31536000, immutable"
    } else {
        "no-store"
    };
    crate::auth::security_headers(
        response.headers_mut(),
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
        cache,
    );
    if ok {
        // Ciphertext, whatever the name: never rendered.
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
    }
    response
}
