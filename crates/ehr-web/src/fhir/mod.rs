//! The FHIR R4 REST API under `/fhir` (being built: see the module's routes).

use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::state::AppState;

/// The FHIR JSON media type.
pub const FHIR_JSON: &str = "application/fhir+json";

/// The `/fhir` routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
}

/// An `OperationOutcome` with one issue, as FHIR expects errors.
pub fn outcome(status: StatusCode, code: &str, message: &str) -> Response {
    let severity = if status.is_server_error() { "fatal" } else { "error" };
    let body = serde_json::json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": severity, "code": code, "diagnostics": message }],
    });
    (status, [(header::CONTENT_TYPE, FHIR_JSON)], body.to_string()).into_response()
}
