//! The FHIR R4 REST API under `/fhir`: JSON (`application/fhir+json`) resources over the
//! EHR contracts, for hospital systems.
//!
//! The bearer token is checked by [`crate::auth::guard`] before any of this runs. The
//! account a request acts as is [`crate::auth::acting`] (`X-Ehr-Account: <name>`, default
//! the server's first identity); it matters for writes and `Binary`, whose content only a
//! key holder can decrypt. The resources are made by the SDK's mappings
//! ([`ehr_sdk::fhir`]), the same ones behind the CLI's exports.
//!
//! | request | interaction | what |
//! |---|---|---|
//! | `GET /fhir/metadata` | capabilities | the [`capability::capability_statement`] |
//! | `GET /fhir/Patient/{principal}` | read | a registered patient |
//! | `GET /fhir/Consent/{token}`, `GET /fhir/Consent?patient=` | read, search-type | access tokens as Consent |
//! | `GET /fhir/DocumentReference/{record}`, `…?patient=` | read, search-type | record metadata (hash, locator) |
//! | `GET /fhir/AuditEvent/{entry}`, `…?patient=` | read, search-type | the on-chain audit log, chain-verified per page; with an EHR index behind `--api`, also by `agent`, `action`, `date`, `_lastUpdated`, `_sort`, keyset-paged |
//! | `GET /fhir/Binary/{record}` | read | decrypted content (key envelope needed; logged under a grant) |
//! | `POST /fhir/{type}` | create | a clinical resource ([`CREATE_TYPES`]) stored as a record; `Location: [base]/{type}/{record}` |
//! | `GET /fhir/{type}/{record}` | read | a created clinical resource, decrypted (as Binary: key envelope needed; logged under a grant) |
//! | `POST /fhir`, `POST /fhir/` | transaction, batch | several at once |
//! | `GET /fhir/Patient/$export` | bulk export | NDJSON of everything readable, async ([`export`]) |
//!
//! Identifiers: a Patient id is the Stacks principal
//! ([`PRINCIPAL_SYSTEM`](ehr_sdk::fhir::PRINCIPAL_SYSTEM)); Consent ids are token ids,
//! DocumentReference and Binary ids record ids, AuditEvent ids audit-log entry ids (all
//! decimal, with their identifier systems in [`ehr_sdk::fhir`]). Searches take
//! `patient=<principal>` (or `Patient/<principal>`), `_count` and `_offset`.
//!
//! Errors are `OperationOutcome`s ([`ApiError`]). Not supported: update, patch, delete,
//! vread, history, whole-system search, conditional interactions, operations other than
//! `$export`, `_include`, `_sort`, `_summary`, XML.

mod binary;
pub mod capability;
mod error;
pub mod export;
pub mod params;
mod read;
mod search;
pub mod util;
mod write;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;

use crate::smart::scopes::Interaction;
use crate::smart::Caller;
use crate::state::AppState;

pub use binary::LOGGED_HEADER;
pub use error::ApiError;
pub use read::chain_tag;
pub use write::MAX_BUNDLE_ENTRIES;

/// The FHIR JSON media type.
pub const FHIR_JSON: &str = "application/fhir+json";

/// The FHIR version served.
pub const FHIR_VERSION: &str = "4.0.1";

/// Code system of the hash-chain verdict on AuditEvent answers (`meta.tag`): code
/// `verified` (every entry's hash recomputes and links to the global entry before it) or
/// `broken` (the display names the first break).
pub const CHAIN_TAG_SYSTEM: &str = "https://ehr-stacks.example/fhir/CodeSystem/audit-chain";

/// The resource types this server reads (and, but Patient and Binary, searches).
pub const READ_TYPES: [&str; 5] = [
    "Patient",
    "Consent",
    "DocumentReference",
    "AuditEvent",
    "Binary",
];

/// The clinical resource types this server stores as records (`create`, and in
/// transaction and batch Bundles). Patient, Consent, DocumentReference, AuditEvent and
/// Binary mirror the chain and are written through the contracts instead.
pub const CREATE_TYPES: [&str; 30] = [
    "AllergyIntolerance",
    "CarePlan",
    "CareTeam",
    "ClinicalImpression",
    "Communication",
    "Composition",
    "Condition",
    "DetectedIssue",
    "DeviceUseStatement",
    "DiagnosticReport",
    "Encounter",
    "EpisodeOfCare",
    "FamilyMemberHistory",
    "Goal",
    "ImagingStudy",
    "Immunization",
    "ImmunizationRecommendation",
    "Media",
    "MedicationAdministration",
    "MedicationDispense",
    "MedicationRequest",
    "MedicationStatement",
    "NutritionOrder",
    "Observation",
    "Procedure",
    "QuestionnaireResponse",
    "RiskAssessment",
    "ServiceRequest",
    "Specimen",
    "VisionPrescription",
];

/// A type this server knows: read, created, or infrastructure it answers with.
fn known_type(t: &str) -> bool {
    READ_TYPES.contains(&t)
        || CREATE_TYPES.contains(&t)
        || matches!(t, "Bundle" | "OperationOutcome" | "CapabilityStatement")
}

/// The `/fhir` routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", post(post_base))
        .route("/metadata", get(metadata))
        .route(
            "/.well-known/smart-configuration",
            get(crate::smart::configuration),
        )
        .route("/Patient/$export", get(export::kickoff))
        .route(
            "/$export-status/{job}",
            get(export::status).delete(export::cancel),
        )
        .route("/$export-file/{job}/{file}", get(export::file))
        .route("/{type}", get(search_type).post(create))
        .route("/{type}/{id}", get(read_instance))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
}

/// An `OperationOutcome` with one issue, as FHIR expects errors.
pub fn outcome(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, &outcome_json(status, code, message))
}

/// An `OperationOutcome` with one issue of `severity` (`fatal`, `error`, `warning`,
/// `information`).
pub fn outcome_with_severity(
    status: StatusCode,
    severity: &str,
    code: &str,
    message: &str,
) -> Response {
    let body = serde_json::json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": severity, "code": code, "diagnostics": message }],
    });
    json_response(status, &body)
}

/// The JSON of [`outcome`]: severity `fatal` for a server error, `error` otherwise.
pub fn outcome_json(status: StatusCode, code: &str, message: &str) -> Value {
    let severity = if status.is_server_error() {
        "fatal"
    } else {
        "error"
    };
    serde_json::json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": severity, "code": code, "diagnostics": message }],
    })
}

/// `body` as `application/fhir+json` with `status`.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, FHIR_JSON)],
        body.to_string(),
    )
        .into_response()
}

fn answer(result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => e.into_response(),
    }
}

fn path_error(e: PathRejection) -> ApiError {
    ApiError::BadRequest(format!("malformed path: {e}"))
}

fn body_error(e: BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge(format!("the body is too large: {e}"))
    } else {
        ApiError::BadRequest(format!("cannot read the body: {e}"))
    }
}

async fn metadata(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result = async {
        params::check_accept(&headers)?;
        params::Query::parse(raw.as_deref())?.only(&[])?;
        Ok(capability::capability_statement(
            &state.fhir_base(&headers),
            state.api_is_index().await,
        ))
    }
    .await;
    answer(result)
}

async fn read_instance(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let Path((ty, id)) = path.map_err(path_error)?;
        params::Query::parse(raw.as_deref())?.only(&[])?;
        let client = &state.client;
        let resource = match ty.as_str() {
            "Binary" => {
                let reader = caller.identity(&state, &headers)?;
                return binary::read(&state, &caller, reader, &headers, &id).await;
            }
            "Patient" => read::patient(client, &id).await?,
            "Consent" => read::consent_read(client, &id).await?,
            "DocumentReference" => read::document_read(client, &id).await?,
            "AuditEvent" => read::audit_read(client, &id).await?,
            t if CREATE_TYPES.contains(&t) => {
                let reader = caller.identity(&state, &headers)?;
                return binary::read_resource(&state, &caller, reader, &headers, t, &id).await;
            }
            t => return Err(write::unknown_type(t)),
        };
        caller.check_resource(&state, &resource).await?;
        params::check_accept(&headers)?;
        Ok(json_response(StatusCode::OK, &resource))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn search_type(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let Path(ty) = path.map_err(path_error)?;
        let q = params::Query::parse(raw.as_deref())?;
        params::check_accept(&headers)?;
        let base = state.fhir_base(&headers);
        let client = &state.client;
        if matches!(ty.as_str(), "Consent" | "DocumentReference" | "AuditEvent") {
            if ty == "AuditEvent" && q.one("patient")?.is_none() {
                // An index's `agent` search (no patient): an app sees its own
                // account's actions only.
                let agent = q.one("agent")?.and_then(params::principal_of);
                caller.check_own_actions(&state, agent.as_ref())?;
            } else {
                let patient = params::patient_param(&q)?;
                caller
                    .check_patient(&state, &ty, Interaction::Search, &patient)
                    .await?;
            }
        }
        match ty.as_str() {
            "Consent" => read::consent_search(client, &base, &q).await,
            "DocumentReference" => read::document_search(client, &base, &q).await,
            "AuditEvent" => {
                read::audit_search(client, &base, &q, state.api_is_index().await).await
            }
            t if known_type(t) => Err(ApiError::MethodNotAllowed(format!(
                "searching `{t}` is not supported (searchable: Consent, DocumentReference, AuditEvent, each by `patient`)"
            ))),
            t => Err(write::unknown_type(t)),
        }
    }
    .await;
    answer(result)
}

async fn create(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = async {
        let Path(ty) = path.map_err(path_error)?;
        if !CREATE_TYPES.contains(&ty.as_str()) {
            return Err(write::not_creatable(&ty));
        }
        let q = params::Query::parse(raw.as_deref())?;
        params::check_accept(&headers)?;
        let body = body.map_err(body_error)?;
        write::create(
            &state,
            &caller,
            &headers,
            &ty,
            &q,
            &state.fhir_base(&headers),
            &body,
        )
        .await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST [base]` (`/fhir`, or `/fhir/` as some clients write the base): a transaction or
/// batch Bundle.
pub(crate) async fn post_base(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = async {
        let q = params::Query::parse(raw.as_deref())?;
        params::check_accept(&headers)?;
        let body = body.map_err(body_error)?;
        write::transaction(
            &state,
            &caller,
            &headers,
            &q,
            &state.fhir_base(&headers),
            &body,
        )
        .await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn fallback() -> Response {
    ApiError::NotFound(
        "no such FHIR endpoint: see /fhir/metadata for the resources and interactions served"
            .into(),
    )
    .into_response()
}

/// 405 as an OperationOutcome: the interactions this server does not serve.
pub(crate) async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed(
        "this interaction is not supported: reads and searches are GET, creates POST; update, patch and delete are not served (see /fhir/metadata)".into(),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    /// The validator's definitions were extracted for exactly the types this API stores
    /// (crates/ehr-sdk/fhir-r4/roots.json).
    #[test]
    fn the_validator_covers_every_type_created_here() {
        let stored: Vec<&str> = ehr_sdk::fhir::validate::stored_types()
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(stored, super::CREATE_TYPES);
    }
}
