//! `Binary/{record id}`: a record's decrypted content, for the acting account when it
//! holds a key envelope; a read under a grant is logged on chain before it is answered.

use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ehr_sdk::ehr::read::{read_record, ViewLog};
use ehr_sdk::ehr::records::{BlobStore, Opened};
use ehr_sdk::ehr::SendOptions;
use serde_json::{json, Value};

use super::read::numeric_id;
use super::util::base64;
use super::{ApiError, FHIR_JSON};
use crate::smart::scopes::Interaction;
use crate::smart::Caller;
use crate::state::{AppState, Identity};

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
    caller: &Caller,
    reader: &Identity,
    headers: &HeaderMap,
    id: &str,
) -> Result<Response, ApiError> {
    let n = numeric_id("Binary", id)?;
    let (opened, logged) = open(state, caller, reader, n, "Binary").await?;
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
    mark_logged(&mut response, logged.as_deref());
    Ok(response)
}

/// Record `n` opened for `reader` under the SDK's one read rule (authority checked, a
/// grantee's view logged on chain before decryption, writes of the account serialized),
/// and the txid of the logged view. `what` names the resource asked for, for the 404.
async fn open(
    state: &Arc<AppState>,
    caller: &Caller,
    reader: &Identity,
    n: u64,
    what: &str,
) -> Result<(Opened, Option<String>), ApiError> {
    let client = &state.client;
    let Some(record) = client.get_record(n).await? else {
        return Err(ApiError::NotFound(format!("no {what} {n}: no record #{n}")));
    };
    // A SMART app's scopes and patient context, before anything is logged on chain: a
    // Binary read needs a Binary scope and one for the record's own type.
    if what == "Binary" {
        caller.check_type("Binary", Interaction::Read)?;
    }
    caller
        .check_patient(
            state,
            &record.record_type,
            Interaction::Read,
            &record.patient,
        )
        .await?;
    let store: &dyn BlobStore = &state.store;
    let read = state
        .serialized(
            reader,
            read_record(
                client,
                reader.key(),
                n,
                Some(store),
                ViewLog::Log,
                &SendOptions::default(),
            ),
        )
        .await?;
    let logged = read.logged.as_ref().map(|m| format!("0x{}", m.sent.txid));
    Ok((read.opened, logged))
}

fn mark_logged(response: &mut Response, logged: Option<&str>) {
    if let Some(txid) = logged.and_then(|t| HeaderValue::from_str(t).ok()) {
        response.headers_mut().insert(LOGGED_HEADER, txid);
    }
}

/// `GET /fhir/{type}/{id}` for a clinical type this server stores (`Observation/7`): the
/// resource in record `id`, under the same rules as [`read`], with `id` the record id and
/// `meta.versionId` its version. A record of another type is not found under this one.
pub async fn read_resource(
    state: &Arc<AppState>,
    caller: &Caller,
    reader: &Identity,
    headers: &HeaderMap,
    resource_type: &str,
    id: &str,
) -> Result<Response, ApiError> {
    let n = numeric_id(resource_type, id)?;
    super::params::check_accept(headers)?;
    let (resource, logged) = stored_resource(state, caller, reader, resource_type, n).await?;
    let mut response = super::json_response(StatusCode::OK, &resource);
    mark_logged(&mut response, logged.as_deref());
    Ok(response)
}

/// The clinical resource of type `resource_type` in record `n`, decrypted for `reader`
/// under the rules of [`read`] (a grantee's read logged on chain first), as stored (`id`
/// the record id), and the txid of the logged view. Shared by reads and `$export`.
pub async fn stored_resource(
    state: &Arc<AppState>,
    caller: &Caller,
    reader: &Identity,
    resource_type: &str,
    n: u64,
) -> Result<(Value, Option<String>), ApiError> {
    let record = state.client.get_record(n).await?;
    match record {
        Some(r) if r.record_type == resource_type => {}
        Some(r) => {
            return Err(ApiError::NotFound(format!(
                "no {resource_type} {n}: record #{n} is a {}",
                r.record_type
            )))
        }
        None => {
            return Err(ApiError::NotFound(format!(
                "no {resource_type} {n}: no record #{n}"
            )))
        }
    }
    let (opened, logged) = open(state, caller, reader, n, resource_type).await?;
    let resource = match serde_json::from_slice::<Value>(&opened.plaintext) {
        Ok(Value::Object(map)) if map.get("resourceType").and_then(Value::as_str) == Some(resource_type) => map,
        _ => {
            return Err(ApiError::Unprocessable(format!(
                "record #{n} is typed {resource_type} but its content is not a {resource_type} resource: read it as Binary/{n}"
            )))
        }
    };
    Ok((super::write::as_stored(&resource, &opened.record), logged))
}
