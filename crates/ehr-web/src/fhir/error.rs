//! Why a FHIR request failed, and the HTTP status and `OperationOutcome` it answers with.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ehr_sdk::ehr::records::{FailureKind, RecordError};
use ehr_sdk::ehr::{ClientError, ContractError};
use ehr_sdk::fhir::validate::{validate, Issue};
use ehr_sdk::fhir::FhirError;

/// A failed FHIR interaction. Every variant becomes an `OperationOutcome` with one issue
/// ([`super::outcome`]); [`ApiError::status`] and [`ApiError::code`] say which status and
/// which `issue.code` (value set `http://hl7.org/fhir/ValueSet/issue-type`).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed: not JSON, not a resource, a resource type that does not
    /// match the URL, a bad search parameter (400, `invalid`).
    #[error("{0}")]
    BadRequest(String),
    /// The resource type in the URL is not one this server knows (404, `not-supported`).
    #[error("{0}")]
    UnknownType(String),
    /// No resource with this id (404, `not-found`).
    #[error("{0}")]
    NotFound(String),
    /// The resource type exists here, but not this interaction (405, `not-supported`).
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The client accepts no format this server writes (406, `not-supported`).
    #[error("{0}")]
    NotAcceptable(String),
    /// The body is larger than this server reads (413, `too-long`).
    #[error("{0}")]
    TooLarge(String),
    /// The body is in a format this server does not read (415, `not-supported`).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The acting account may not do this (403, `forbidden`): no grant, no key envelope,
    /// or an account the server does not act for.
    #[error("{0}")]
    Forbidden(String),
    /// A contract refused the call (403, `forbidden`); the message is the contract's.
    #[error("{function} refused: {error}")]
    Refused {
        /// `contract.function`.
        function: String,
        /// The contract's reason.
        error: ContractError,
    },
    /// A well-formed request this server cannot process: a resource type it does not
    /// store, a patient that is not registered, too many entries (422, `processing`).
    #[error("{0}")]
    Unprocessable(String),
    /// The resource breaks the R4 structure definitions (422): one issue per problem,
    /// each with its path in `expression`, as [`ehr_sdk::fhir::validate`] found them.
    #[error("the resource is not valid FHIR R4: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Issue>),
    /// The node could not be reached or answered nonsense (502, `transient`).
    #[error("the Stacks node failed: {0}")]
    Node(String),
    /// No blob store could be read for a record's sealed bytes, and none had it missing or
    /// changed: a store down or unreachable (502, `transient`). The message names each
    /// store and its failure.
    #[error("{0}")]
    Store(String),
    /// The caller has as many jobs running as it may (429, `throttled`; `Retry-After`).
    #[error("{0}")]
    TooMany(String),
    /// Something went wrong on this side (500, `exception`).
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::UnknownType(_) | ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Forbidden(_) | ApiError::Refused { .. } => StatusCode::FORBIDDEN,
            ApiError::Unprocessable(_) | ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Node(_) | ApiError::Store(_) => StatusCode::BAD_GATEWAY,
            ApiError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `OperationOutcome.issue.code`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "invalid",
            ApiError::NotFound(_) => "not-found",
            ApiError::UnknownType(_)
            | ApiError::MethodNotAllowed(_)
            | ApiError::NotAcceptable(_)
            | ApiError::UnsupportedMediaType(_) => "not-supported",
            ApiError::TooLarge(_) => "too-long",
            ApiError::Forbidden(_) | ApiError::Refused { .. } => "forbidden",
            ApiError::Unprocessable(_) => "processing",
            ApiError::Invalid(_) => "structure",
            ApiError::Node(_) | ApiError::Store(_) => "transient",
            ApiError::TooMany(_) => "throttled",
            ApiError::Internal(_) => "exception",
        }
    }

    /// The `OperationOutcome` JSON of this error (for a batch entry's `response.outcome`):
    /// one issue, or for [`ApiError::Invalid`] one per problem with its path.
    pub fn outcome_json(&self) -> serde_json::Value {
        match self {
            ApiError::Invalid(issues) => serde_json::json!({
                "resourceType": "OperationOutcome",
                "issue": issues.iter().map(|i| serde_json::json!({
                    "severity": "error",
                    "code": i.code,
                    "diagnostics": i.message,
                    "expression": [i.expression],
                    "location": [i.expression],
                })).collect::<Vec<_>>(),
            }),
            _ => super::outcome_json(self.status(), self.code(), &self.to_string()),
        }
    }

    /// [`ApiError::Invalid`] when `resource` breaks the R4 definitions, with each issue's
    /// path under `at` (a transaction entry's `Bundle.entry[i].resource`) when given.
    pub fn check_valid(resource: &serde_json::Value, at: Option<&str>) -> Result<(), ApiError> {
        let mut issues = validate(resource);
        if issues.is_empty() {
            return Ok(());
        }
        if let Some(at) = at {
            for issue in &mut issues {
                // The resource's own type is its root: `Observation.status` becomes
                // `Bundle.entry[0].resource.status`.
                let rest = issue.expression.split_once('.').map_or("", |(_, r)| r);
                issue.expression = if rest.is_empty() {
                    at.to_string()
                } else {
                    format!("{at}.{rest}")
                };
            }
        }
        Err(ApiError::Invalid(issues))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        super::json_response(self.status(), &self.outcome_json())
    }
}

impl From<ClientError> for ApiError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Refused {
                function, error, ..
            } => ApiError::Refused { function, error },
            ClientError::Node(_) | ClientError::Decode(_) | ClientError::NotDeployed { .. } => {
                ApiError::Node(e.to_string())
            }
            ClientError::Dropped { .. } => ApiError::Node(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<RecordError> for ApiError {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::Client(c) => c.into(),
            RecordError::NotFound(id) => ApiError::NotFound(format!("no record #{id}")),
            RecordError::NoEnvelope { .. } | RecordError::AccessRefused { .. } => {
                ApiError::Forbidden(e.to_string())
            }
            RecordError::NoToken(_) => ApiError::NotFound(e.to_string()),
            RecordError::NotAPatient(_)
            | RecordError::BadLocator { .. }
            | RecordError::MissingChunk { .. }
            | RecordError::NeedStore { .. } => ApiError::Unprocessable(e.to_string()),
            // Which store failed how is in the message; the status says what to do: a
            // blob no store has (404), a copy that does not match the chain (422), a
            // store that could not be read (502).
            RecordError::BlobUnavailable { ref tried, .. } => {
                if e.has_changed_copy() {
                    ApiError::Unprocessable(format!(
                        "{e} (a store holds bytes that do not match the hash on chain: a changed or corrupted blob)"
                    ))
                } else if tried.iter().all(|f| f.kind == FailureKind::Missing) {
                    ApiError::NotFound(e.to_string())
                } else {
                    ApiError::Store(e.to_string())
                }
            }
            RecordError::Crypto(ehr_sdk::crypto::CryptoError::HashMismatch) => {
                ApiError::Unprocessable(format!(
                    "{e}: the bytes in the store do not match the hash on chain (a changed or corrupted blob)"
                ))
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<FhirError> for ApiError {
    fn from(e: FhirError) -> Self {
        ApiError::BadRequest(e.to_string())
    }
}
