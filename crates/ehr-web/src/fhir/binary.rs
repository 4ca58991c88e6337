//! `Binary/{record id}`: a record's decrypted content, for the acting account when it
//! holds a key envelope; a read under a grant is logged on chain before it is answered.

use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ehr_sdk::ehr::records::{open_record, BlobStore};
use ehr_sdk::ehr::types::Scope;
use ehr_sdk::ehr::{calls, ClientError, SendOptions};
use serde_json::{json, Value};

use super::read::numeric_id;
use super::util::base64;
use super::{ApiError, FHIR_JSON};
use crate::state::{AppState, Identity};

/// The `log-access` action a Binary read is logged under (the CLI's `record view` writes
/// the same word).
pub const VIEW_ACTION: &str = "view";

/// The response header that carries the `log-access` transaction of a logged read.
pub const LOGGED_HEADER: &str = "x-ehr-access-logged";

/// The content type of a record's plaintext: FHIR JSON when it is a JSON object with a
/// `resourceType` (what the import and this API store), otherwise opaque bytes.
pub fn content_type(plaintext: &[u8]) -> &'static str {
    match serde_json::from_slice::<Value>(plaintext) {
        Ok(Value::Object(map)) if map.contains_key("resourceType") => FHIR_JSON,
        _ => "application/octet-stream",
    }
}

/// Reads record `id` for `reader`:
///
/// 1. the record must exist (404);
/// 2. when `reader` is not the patient or one of its guardians (`acts-for`), it needs its
///    live token for the patient with read scope for the record's type (`has-access`,
///    the contract's own rule), else 403;
/// 3. it needs a key envelope for the record (403 without), and the content must match
///    the on-chain hash and decrypt;
/// 4. a read under a token is logged with `ehr-storage.log-access (token, record,
///    "view")`, signed by the reader, and answered only once mined (a refusal is 403
///    with the contract's reason); the transaction id is in the `X-Ehr-Access-Logged`
///    header.
///
/// The answer is a FHIR `Binary` (`contentType`, `data` in base64, `securityContext` the
/// record's DocumentReference). When `Accept` names the content's own non-FHIR type
/// (`application/octet-stream`), the raw bytes are answered instead, as FHIR allows.
pub async fn read(
    state: &Arc<AppState>,
    reader: &Identity,
    headers: &HeaderMap,
    id: &str,
) -> Result<Response, ApiError> {
    let n = numeric_id("Binary", id)?;
    let client = &state.client;
    let record = client
        .get_record(n)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no Binary {n}: no record #{n}")))?;
    let me = reader.principal();
    let token = if record.patient == me || client.acts_for(&record.patient, &me).await? {
        None
    } else {
        let token = client.get_active_token(&record.patient, &me).await?;
        let readable = client
            .has_access(&record.patient, &me, Scope::READ, Some(&record.record_type))
            .await?;
        match token {
            Some(t) if readable => Some(t),
            _ => {
                return Err(ApiError::Forbidden(format!(
                    "{me} has no live read grant from {} for {} records (never granted, revoked or expired), so it may not read record #{n}",
                    record.patient, record.record_type
                )))
            }
        }
    };
    let store: &dyn BlobStore = &state.store;
    let opened = open_record(&state.client, n, reader.key(), Some(store)).await?;
    let mut logged = None;
    if let Some(token) = token {
        let call = calls::log_access(token, n, VIEW_ACTION).map_err(ClientError::from)?;
        let mined = super::write::serialized(
            reader,
            client.execute(reader.key(), &call, &SendOptions::default()),
        )
        .await?;
        logged = Some(format!("0x{}", mined.sent.txid));
    }

    let ct = content_type(&opened.plaintext);
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let raw = ct != FHIR_JSON
        && accept
            .split(',')
            .any(|m| m.split(';').next().unwrap_or("").trim() == ct);
    let mut response = if raw {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, ct)],
            opened.plaintext,
        )
            .into_response()
    } else {
        let mut binary = json!({
            "resourceType": "Binary",
            "id": n.to_string(),
            "contentType": ct,
            "securityContext": { "reference": format!("DocumentReference/{n}") },
        });
        // FHIR allows no empty strings: empty content has no `data`.
        if !opened.plaintext.is_empty() {
            binary["data"] = Value::from(base64(&opened.plaintext));
        }
        super::json_response(StatusCode::OK, &binary)
    };
    if let Some(txid) = logged.and_then(|t| HeaderValue::from_str(&t).ok()) {
        response.headers_mut().insert(LOGGED_HEADER, txid);
    }
    Ok(response)
}
