//! Writes: `POST /fhir/{type}` (create) and `POST /fhir` (a `transaction` or `batch`
//! Bundle). Each resource becomes one record of the patient, sealed on this server for
//! the patient's key and added through `ehr-storage.add-record`, signed by the acting
//! account: the contract decides whether that account may write for the patient.

use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::records::add_record;
use ehr_sdk::ehr::types::{Record, Scope};
use ehr_sdk::ehr::{ContractError, SendOptions};
use ehr_sdk::fhir::{parse_import, ImportedRecord, PRINCIPAL_SYSTEM};
use serde_json::{json, Map, Value};

use super::params::{check_content_type, principal_of, Query};
use super::{known_type, ApiError, CREATE_TYPES};
use crate::smart::scopes::Interaction;
use crate::smart::Caller;
use crate::state::{AppState, Identity};

/// The most entries a transaction or batch Bundle may hold: each is at least one
/// transaction, mined one after the other.
pub const MAX_BUNDLE_ENTRIES: usize = 64;

/// The record type for a body that is not FHIR (never used: only FHIR JSON is taken).
const DEFAULT_TYPE: &str = "Binary";

/// Parses a request body as a JSON object with a `resourceType`.
pub fn parse_body(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.is_empty() {
        return Err(ApiError::BadRequest(
            "the request has no body: send a FHIR resource as JSON".into(),
        ));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(ApiError::BadRequest(
            "the body is JSON but not a FHIR resource (an object with `resourceType`)".into(),
        ));
    };
    match map.get("resourceType") {
        Some(Value::String(_)) => Ok(map),
        Some(_) => Err(ApiError::BadRequest(
            "`resourceType` must be a string".into(),
        )),
        None => Err(ApiError::BadRequest(
            "the body has no `resourceType`: it is not a FHIR resource".into(),
        )),
    }
}

/// Whom a resource's `subject` (or `patient`) names.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// Neither element is there.
    Absent,
    /// A Stacks principal: `identifier` in [`PRINCIPAL_SYSTEM`], or `reference`
    /// `Patient/<principal>`.
    Principal(PrincipalData),
    /// A reference that names no principal (e.g. `Patient/123` of another server).
    Unresolved(String),
}

/// The patient a resource names in `subject` or `patient`.
pub fn subject_of(resource: &Map<String, Value>) -> Subject {
    let Some(reference) = resource.get("subject").or_else(|| resource.get("patient")) else {
        return Subject::Absent;
    };
    let identifier = &reference["identifier"];
    if identifier["system"] == PRINCIPAL_SYSTEM {
        if let Some(p) = identifier["value"]
            .as_str()
            .and_then(|v| PrincipalData::parse(v).ok())
        {
            return Subject::Principal(p);
        }
    }
    if let Some(p) = reference["reference"]
        .as_str()
        .filter(|r| r.contains("Patient/"))
        .and_then(principal_of)
    {
        return Subject::Principal(p);
    }
    Subject::Unresolved(reference.to_string())
}

/// The patient a record is for: the resource's subject when it names a principal, else
/// the `?patient=` parameter, else (when the resource names no subject at all) the acting
/// account itself.
pub fn resolve_patient(
    resource: &Map<String, Value>,
    param: Option<&PrincipalData>,
    acting: &Identity,
) -> Result<PrincipalData, ApiError> {
    match (subject_of(resource), param) {
        (Subject::Principal(p), Some(q)) if &p != q => Err(ApiError::BadRequest(format!(
            "the resource's subject names {p} but `?patient=` names {q}"
        ))),
        (Subject::Principal(p), _) => Ok(p),
        (Subject::Unresolved(_) | Subject::Absent, Some(q)) => Ok(q.clone()),
        (Subject::Unresolved(r), None) => Err(ApiError::Unprocessable(format!(
            "the resource's subject {r} names no Stacks principal: reference the patient as {{\"identifier\": {{\"system\": \"{PRINCIPAL_SYSTEM}\", \"value\": \"<principal>\"}}}} or \"Patient/<principal>\", or give `?patient=<principal>`"
        ))),
        (Subject::Absent, None) => Ok(acting.principal()),
    }
}

/// Seals and adds one record; returns it as the chain now holds it.
async fn write_one(
    state: &Arc<AppState>,
    acting: &Identity,
    patient: &PrincipalData,
    record: &ImportedRecord,
) -> Result<Record, ApiError> {
    let written = add_record(
        &state.client,
        acting.key(),
        patient,
        &record.record_type,
        &record.content,
        state.placement(record.content.len()),
        &SendOptions::default(),
    )
    .await?;
    state
        .client
        .get_record(written.record_id)
        .await?
        .ok_or_else(|| {
            ApiError::Internal(format!(
                "record #{} was written but cannot be read back",
                written.record_id
            ))
        })
}

/// `return=minimal` or `return=OperationOutcome` from `Prefer`, else representation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Return {
    Minimal,
    Representation,
    Outcome,
}

fn prefer(headers: &HeaderMap) -> Return {
    let value = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if value.contains("return=minimal") {
        Return::Minimal
    } else if value.contains("return=OperationOutcome") {
        Return::Outcome
    } else {
        Return::Representation
    }
}

fn etag(record: &Record) -> String {
    format!("W/\"{}\"", record.version)
}

/// `POST /fhir/{type}`: one resource, one record.
pub async fn create(
    state: &Arc<AppState>,
    caller: &Caller,
    headers: &HeaderMap,
    resource_type: &str,
    query: &Query,
    base: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    if !CREATE_TYPES.contains(&resource_type) {
        return Err(not_creatable(resource_type));
    }
    query.only(&["patient"])?;
    let param = patient_query(query)?;
    check_content_type(headers)?;
    let resource = parse_body(body)?;
    let body_type = resource["resourceType"].as_str().unwrap_or("");
    if body_type != resource_type {
        return Err(ApiError::BadRequest(format!(
            "the body is a `{body_type}`, but was posted to /fhir/{resource_type}"
        )));
    }
    ApiError::check_valid(&Value::Object(resource.clone()), None)?;
    let acting = caller.identity(state, headers)?;
    let patient = resolve_patient(&resource, param.as_ref(), acting)?;
    caller
        .check_patient(state, resource_type, Interaction::Create, &patient)
        .await?;
    let record = single_record(body)?;
    let record = state
        .serialized(acting, write_one(state, acting, &patient, &record))
        .await?;

    // Location names the created resource (R4 `create`: `[base]/[type]/[id]`), which
    // `GET` reads back; its DocumentReference has the same id.
    let location = format!("{base}/{resource_type}/{}", record.id);
    let mut response = match prefer(headers) {
        Return::Minimal => StatusCode::CREATED.into_response(),
        Return::Outcome => super::outcome_with_severity(
            StatusCode::CREATED,
            "information",
            "informational",
            &format!("record #{} added for {patient}", record.id),
        ),
        Return::Representation => {
            super::json_response(StatusCode::CREATED, &as_stored(&resource, &record))
        }
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&location) {
        h.insert(header::LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag(&record)) {
        h.insert(header::ETAG, v);
    }
    Ok(response)
}

fn patient_query(query: &Query) -> Result<Option<PrincipalData>, ApiError> {
    query
        .one("patient")?
        .map(|v| {
            principal_of(v).ok_or_else(|| {
                ApiError::BadRequest(format!("`patient={v}` is not a Stacks principal"))
            })
        })
        .transpose()
}

fn single_record(body: &[u8]) -> Result<ImportedRecord, ApiError> {
    let mut records = parse_import(body, DEFAULT_TYPE)?;
    match (records.pop(), records.is_empty()) {
        (Some(r), true) => Ok(r),
        _ => Err(ApiError::BadRequest("expected exactly one resource".into())),
    }
}

/// The refusal of a create of `resource_type`: 405 for a type this server serves
/// otherwise, 404 for one it does not know.
pub fn not_creatable(resource_type: &str) -> ApiError {
    if resource_type == "Bundle" {
        ApiError::MethodNotAllowed(
            "a Bundle is not stored as such: POST a `transaction` or `batch` Bundle to /fhir"
                .into(),
        )
    } else if known_type(resource_type) {
        ApiError::MethodNotAllowed(format!(
            "`{resource_type}` cannot be created through this API: it mirrors the chain (registrations, grants, records and the audit log are written through the contracts)"
        ))
    } else {
        unknown_type(resource_type)
    }
}

/// 404 for a resource type this server does not serve.
pub fn unknown_type(resource_type: &str) -> ApiError {
    ApiError::UnknownType(format!(
        "this server does not serve `{resource_type}` resources (see /fhir/metadata for those it does)"
    ))
}

/// One entry of a transaction or batch, checked and ready to write.
struct Planned {
    patient: PrincipalData,
    resource: Map<String, Value>,
    record: ImportedRecord,
}

/// Checks entry `i` of a transaction or batch: its `request` (POST to its own type, when
/// given), its type (one this server stores), its patient.
fn plan_entry(
    i: usize,
    entry: &Value,
    record: ImportedRecord,
    param: Option<&PrincipalData>,
    acting: &Identity,
) -> Result<Planned, ApiError> {
    let at = |e: ApiError| prefix(i, e);
    let resource = entry["resource"]
        .as_object()
        .ok_or_else(|| at(ApiError::BadRequest("entry has no resource".into())))?;
    let ty = record.record_type.as_str();
    if let Some(request) = entry.get("request") {
        let method = request["method"].as_str().unwrap_or("");
        if method != "POST" {
            return Err(at(ApiError::Unprocessable(format!(
                "request.method `{method}` is not supported: entries may only create (POST)"
            ))));
        }
        let url = request["url"].as_str().unwrap_or("");
        let url_type = url.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if url_type != ty {
            return Err(at(ApiError::BadRequest(format!(
                "request.url `{url}` does not match the resource's type `{ty}`"
            ))));
        }
    }
    if !CREATE_TYPES.contains(&ty) {
        return Err(at(ApiError::Unprocessable(format!(
            "this endpoint does not take `{ty}` resources (it stores clinical resources as records: see /fhir/metadata)"
        ))));
    }
    ApiError::check_valid(
        &Value::Object(resource.clone()),
        Some(&format!("Bundle.entry[{i}].resource")),
    )?;
    let patient = resolve_patient(resource, param, acting).map_err(at)?;
    Ok(Planned {
        patient,
        resource: resource.clone(),
        record,
    })
}

fn prefix(i: usize, e: ApiError) -> ApiError {
    let m = |s: String| format!("Bundle.entry[{i}]: {s}");
    match e {
        ApiError::BadRequest(s) => ApiError::BadRequest(m(s)),
        ApiError::Unprocessable(s) => ApiError::Unprocessable(m(s)),
        ApiError::Forbidden(s) => ApiError::Forbidden(m(s)),
        ApiError::NotFound(s) => ApiError::NotFound(m(s)),
        ApiError::Internal(s) => ApiError::Internal(m(s)),
        other => other,
    }
}

fn status_line(status: StatusCode) -> String {
    format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .trim_end()
    .to_string()
}

fn created_entry(base: &str, resource: &Map<String, Value>, record: &Record, ret: Return) -> Value {
    let ty = &record.record_type;
    let mut entry = json!({
        "fullUrl": format!("{base}/{ty}/{}", record.id),
        "response": {
            "status": status_line(StatusCode::CREATED),
            "location": format!("{ty}/{}", record.id),
            "etag": etag(record),
        },
    });
    if ret == Return::Representation {
        entry["resource"] = as_stored(resource, record);
    }
    entry
}

/// A clinical resource as this server serves it: the resource stored in record `record`,
/// with `id` the record id and `meta.versionId` the record's version.
pub fn as_stored(resource: &Map<String, Value>, record: &Record) -> Value {
    let mut r = resource.clone();
    r.insert("id".into(), Value::from(record.id.to_string()));
    let meta = r.entry("meta").or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(meta) = meta {
        meta.insert("versionId".into(), Value::from(record.version.to_string()));
    }
    Value::Object(r)
}

fn failed_entry(e: &ApiError) -> Value {
    json!({ "response": { "status": status_line(e.status()), "outcome": e.outcome_json() } })
}

/// `POST /fhir`: a `transaction` or `batch` Bundle of resources to store as records.
///
/// - `transaction`: every entry is checked first (structure, type, patient, and the
///   contract's `has-access` write rule for the acting account); if one fails, nothing
///   is written and the answer is that entry's error. Then the entries are written in
///   order. A chain cannot roll back, so if a write still fails midway the records
///   already written stay, and the error names them.
/// - `batch`: each entry on its own; the answer has one `response` per entry, a failed
///   one with its status and `OperationOutcome`.
pub async fn transaction(
    state: &Arc<AppState>,
    caller: &Caller,
    headers: &HeaderMap,
    query: &Query,
    base: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    query.only(&["patient"])?;
    let param = patient_query(query)?;
    check_content_type(headers)?;
    let bundle = parse_body(body)?;
    if bundle["resourceType"] != "Bundle" {
        return Err(ApiError::BadRequest(format!(
            "POST /fhir takes a transaction or batch Bundle, not a `{}` (create one resource with POST /fhir/{{type}})",
            bundle["resourceType"].as_str().unwrap_or("")
        )));
    }
    let kind = bundle["type"].as_str().unwrap_or("");
    let batch = match kind {
        "transaction" => false,
        "batch" => true,
        other => {
            return Err(ApiError::BadRequest(format!(
                "Bundle.type `{other}` cannot be posted to /fhir: only `transaction` and `batch` are processed"
            )))
        }
    };
    let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
    if entries.len() > MAX_BUNDLE_ENTRIES {
        return Err(ApiError::Unprocessable(format!(
            "{} entries: at most {MAX_BUNDLE_ENTRIES} per Bundle (each is mined as its own transaction)",
            entries.len()
        )));
    }
    let records = parse_import(body, DEFAULT_TYPE)?;
    let acting = caller.identity(state, headers)?;
    let ret = prefer(headers);
    let mut plans: Vec<Result<Planned, ApiError>> = entries
        .iter()
        .zip(records)
        .enumerate()
        .map(|(i, (entry, record))| plan_entry(i, entry, record, param.as_ref(), acting))
        .collect();
    // A SMART app's scopes and patient context, entry by entry.
    for (i, plan) in plans.iter_mut().enumerate() {
        if let Ok(p) = plan {
            if let Err(e) = caller
                .check_patient(
                    state,
                    &p.record.record_type,
                    Interaction::Create,
                    &p.patient,
                )
                .await
            {
                *plan = Err(prefix(i, e));
            }
        }
    }

    let response_entries = if batch {
        state
            .serialized(acting, async {
                let mut out = Vec::with_capacity(plans.len());
                for plan in plans {
                    let result = match plan {
                        Ok(p) => write_one(state, acting, &p.patient, &p.record)
                            .await
                            .map(|record| (p.resource, record)),
                        Err(e) => Err(e),
                    };
                    out.push(match result {
                        Ok((resource, record)) => created_entry(base, &resource, &record, ret),
                        Err(e) => failed_entry(&e),
                    });
                }
                out
            })
            .await
    } else {
        let plans: Vec<Planned> = plans.into_iter().collect::<Result<_, _>>()?;
        for (i, p) in plans.iter().enumerate() {
            may_write(state, acting, &p.patient, &p.record.record_type)
                .await
                .map_err(|e| prefix(i, e))?;
        }
        state.serialized(acting, async {
            let mut out = Vec::with_capacity(plans.len());
            let mut written: Vec<u64> = Vec::new();
            for (i, p) in plans.iter().enumerate() {
                match write_one(state, acting, &p.patient, &p.record).await {
                    Ok(record) => {
                        written.push(record.id);
                        out.push(created_entry(base, &p.resource, &record, ret));
                    }
                    Err(e) if written.is_empty() => return Err(prefix(i, e)),
                    Err(e) => {
                        let ids: Vec<String> = written.iter().map(|id| format!("#{id}")).collect();
                        let note = format!(
                            "entries before it were written as records {} and stay (a chain cannot roll back)",
                            ids.join(", ")
                        );
                        return Err(match prefix(i, e) {
                            ApiError::Refused { function, error } => ApiError::Forbidden(format!(
                                "Bundle.entry[{i}]: {function} refused: {error}; {note}"
                            )),
                            other => ApiError::Internal(format!("{other}; {note}")),
                        });
                    }
                }
            }
            Ok(out)
        })
        .await?
    };
    let bundle = json!({
        "resourceType": "Bundle",
        "meta": { "lastUpdated": ehr_sdk::fhir::now_instant() },
        "type": if batch { "batch-response" } else { "transaction-response" },
        "entry": response_entries,
    });
    Ok(super::json_response(StatusCode::OK, &bundle))
}

/// The transaction pre-check: the contract's own write rule (`permission-manager.has-access`
/// with write scope for the record type, which `ehr-storage.add-record` consults), and
/// the patient's registration.
async fn may_write(
    state: &AppState,
    acting: &Identity,
    patient: &PrincipalData,
    record_type: &str,
) -> Result<(), ApiError> {
    let client = &state.client;
    if !client.is_registered(patient).await? {
        return Err(ApiError::Unprocessable(format!(
            "{patient} is not a registered patient: {}",
            ContractError::StoragePatientNotRegistered.message()
        )));
    }
    let me = acting.principal();
    if !client
        .has_access(patient, &me, Scope::WRITE, Some(record_type))
        .await?
    {
        let e = ContractError::StorageNotAuthorized;
        return Err(ApiError::Forbidden(format!(
            "{me} may not add {record_type} records for {patient}: permission-manager.has-access says no, so ehr-storage.add-record would refuse with {e}; nothing was written"
        )));
    }
    Ok(())
}
