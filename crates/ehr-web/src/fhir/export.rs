//! Bulk Data `$export` (FHIR Bulk Data Access 2.0, patient level): every resource the
//! caller may read of every patient it may read, as NDJSON files, built in the
//! background.
//!
//! 1. `GET [base]/Patient/$export` with `Prefer: respond-async` (and optionally
//!    `_type=Observation,Consent` and `_outputFormat=application/fhir+ndjson`) answers
//!    202 with `Content-Location: [base]/$export-status/{job}`.
//! 2. `GET` on that URL answers 202 with `X-Progress` while the job runs, then 200 with
//!    the manifest (`output`: one NDJSON file per type; `error`: one OperationOutcome per
//!    record that could not be exported); `DELETE` cancels the job and forgets it.
//! 3. `GET [base]/$export-file/{job}/{Type}.ndjson` gives a file
//!    (`requiresAccessToken`: the caller that started the job, and only it).
//!
//! The patients are the acting account itself when registered and every patient whose
//! live grant it holds ([`listing::reachable_patients`]); a SMART token with only
//! `patient/` scopes exports its patient in context. Each resource goes through the same
//! read as a single GET (searches paged; clinical resources decrypted under the SDK's
//! read rule, a grantee's read logged on chain first), and a SMART token's scopes and
//! the chain's grants are checked per patient and type. Jobs live in memory for an hour.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::rejection::PathRejection;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::listing;
use rand_core::RngCore as _;
use serde_json::{json, Value};

use super::params::{self, Query, MAX_COUNT};
use super::{binary, read, ApiError, CREATE_TYPES};
use crate::smart::scopes::{Context, Interaction};
use crate::smart::Caller;
use crate::state::{AppState, Identity};

/// The NDJSON media type of the files.
pub const NDJSON: &str = "application/fhir+ndjson";

/// How long a finished job's files are kept.
pub const JOB_TTL: Duration = Duration::from_secs(3600);
/// Jobs kept at once, over all callers (each holds its files in memory).
pub const MAX_JOBS: usize = 16;
/// The most NDJSON one job writes; a larger export is refused (narrow it with `_type`).
pub const MAX_OUTPUT_BYTES: usize = 256 << 20;

/// The chain-mirroring types an export holds besides the clinical ones (Binary is not
/// exported: the clinical resources are its content).
const CHAIN_TYPES: [&str; 4] = ["Patient", "Consent", "DocumentReference", "AuditEvent"];

/// Who started a job: only the same caller may poll it or read its files. An app is its
/// client and account (a backend service gets a new token, and grant, for each poll
/// round, as Bulk Data expects).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    Admin,
    App { client_id: String, account: String },
}

impl Owner {
    fn of(caller: &Caller) -> Owner {
        match caller {
            Caller::Admin => Owner::Admin,
            Caller::App(grant) => Owner::App {
                client_id: grant.client_id.clone(),
                account: grant.account.clone(),
            },
        }
    }
}

enum JobState {
    Running { done: usize, total: usize },
    Done(Arc<Finished>),
    Failed(ApiError),
}

struct Finished {
    manifest: Value,
    files: HashMap<String, String>,
}

struct Job {
    owner: Owner,
    started: Instant,
    state: JobState,
    cancel: Arc<AtomicBool>,
}

/// The export jobs of this server.
#[derive(Default)]
pub struct Exports {
    jobs: Mutex<HashMap<String, Job>>,
}

impl Exports {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Job>> {
        self.jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set(&self, id: &str, state: JobState) {
        if let Some(job) = self.lock().get_mut(id) {
            job.state = state;
        }
    }
}

fn job_id() -> String {
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What a kick-off asked for.
struct Request {
    types: Vec<String>,
    url: String,
}

fn exportable(t: &str) -> bool {
    CHAIN_TYPES.contains(&t) || CREATE_TYPES.contains(&t)
}

fn parse_request(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    raw: Option<&str>,
) -> Result<Request, ApiError> {
    params::check_accept(headers)?;
    let prefer = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !prefer
        .split([',', ';'])
        .any(|p| p.trim() == "respond-async")
    {
        return Err(ApiError::BadRequest(
            "$export runs asynchronously: send `Prefer: respond-async`".into(),
        ));
    }
    let q = Query::parse(raw)?;
    q.only(&["_type", "_outputFormat"])?;
    if let Some(format) = q.one("_outputFormat")? {
        if !matches!(format, NDJSON | "application/ndjson" | "ndjson") {
            return Err(ApiError::BadRequest(format!(
                "_outputFormat `{format}` is not served: the files are {NDJSON}"
            )));
        }
    }
    let types: Vec<String> = match q.one("_type")? {
        Some(list) => {
            let mut types = Vec::new();
            for t in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                if !exportable(t) {
                    return Err(ApiError::BadRequest(format!(
                        "_type `{t}` is not exported here (Patient, Consent, DocumentReference, AuditEvent and the clinical types this server stores)"
                    )));
                }
                caller.check_type(t, Interaction::Read)?;
                types.push(t.to_string());
            }
            types
        }
        None => CHAIN_TYPES
            .iter()
            .chain(CREATE_TYPES.iter())
            .filter(|t| caller.check_type(t, Interaction::Read).is_ok())
            .map(|t| (*t).to_string())
            .collect(),
    };
    if types.is_empty() {
        return Err(ApiError::Forbidden(
            "the access token's scopes allow reading none of the exported types".into(),
        ));
    }
    let base = state.fhir_base(headers);
    let url = match raw {
        Some(r) if !r.is_empty() => format!("{base}/Patient/$export?{r}"),
        _ => format!("{base}/Patient/$export"),
    };
    Ok(Request { types, url })
}

/// `GET [base]/Patient/$export`: starts a job.
pub(super) async fn kickoff(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let result = (|| {
        let request = parse_request(&state, &caller, &headers, raw.as_deref())?;
        let me = caller.identity(&state, &headers)?.clone();
        Ok::<_, ApiError>((request, me))
    })();
    let (request, me) = match result {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let id = job_id();
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let mut jobs = state.exports.lock();
        jobs.retain(|_, j| j.started.elapsed() < JOB_TTL);
        let owner = Owner::of(&caller);
        let refusal = if jobs
            .values()
            .any(|j| j.owner == owner && matches!(j.state, JobState::Running { .. }))
        {
            Some("an export of this caller is running: wait for it (or cancel it with DELETE on its status URL)")
        } else if jobs.len() >= MAX_JOBS {
            Some("the server holds as many export jobs as it keeps: try again later, or cancel a finished one with DELETE")
        } else {
            None
        };
        if let Some(why) = refusal {
            let mut response = ApiError::TooMany(why.into()).into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
            return response;
        }
        jobs.insert(
            id.clone(),
            Job {
                owner: Owner::of(&caller),
                started: Instant::now(),
                state: JobState::Running { done: 0, total: 0 },
                cancel: cancel.clone(),
            },
        );
    }
    let base = state.fhir_base(&headers);
    let status_url = format!("{base}/$export-status/{id}");
    tokio::spawn(run(state.clone(), caller, me, request, base, id, cancel));
    let mut response = StatusCode::ACCEPTED.into_response();
    if let Ok(v) = HeaderValue::from_str(&status_url) {
        response.headers_mut().insert(header::CONTENT_LOCATION, v);
    }
    response
}

/// Resources by type, as NDJSON lines.
#[derive(Default)]
struct Output {
    files: BTreeMap<String, (String, u64)>,
    errors: Vec<Value>,
    bytes: usize,
}

impl Output {
    fn push(&mut self, resource: &Value) -> Result<(), ApiError> {
        let line = resource.to_string();
        self.bytes += line.len() + 1;
        if self.bytes > MAX_OUTPUT_BYTES {
            return Err(ApiError::TooLarge(format!(
                "the export passed {} MiB: narrow it with _type",
                MAX_OUTPUT_BYTES >> 20
            )));
        }
        let ty = resource["resourceType"]
            .as_str()
            .unwrap_or("Unknown")
            .to_string();
        let (text, count) = self.files.entry(ty).or_default();
        text.push_str(&line);
        text.push('\n');
        *count += 1;
        Ok(())
    }
}

async fn run(
    state: Arc<AppState>,
    caller: Caller,
    me: Identity,
    request: Request,
    base: String,
    id: String,
    cancel: Arc<AtomicBool>,
) {
    let result = build(&state, &caller, &me, &request, &base, &id, &cancel).await;
    if cancel.load(Ordering::Relaxed) {
        return;
    }
    state.exports.set(
        &id,
        match result {
            Ok(f) => JobState::Done(Arc::new(f)),
            Err(e) => JobState::Failed(e),
        },
    );
}

/// The patients a caller's export covers.
async fn patients(
    state: &AppState,
    caller: &Caller,
    me: &Identity,
) -> Result<Vec<PrincipalData>, ApiError> {
    if let Caller::App(grant) = caller {
        let only_patient = grant
            .scopes
            .resources
            .iter()
            .all(|s| s.context == Context::Patient);
        if only_patient {
            return Ok(grant.patient.iter().cloned().collect());
        }
    }
    Ok(listing::reachable_patients(&state.client, &me.principal()).await?)
}

/// Every match of a search, page by page.
async fn search_all(
    state: &AppState,
    base: &str,
    ty: &str,
    patient: &PrincipalData,
) -> Result<Vec<Value>, ApiError> {
    let mut out = Vec::new();
    let mut offset = 0u64;
    loop {
        let q = Query::parse(Some(&format!(
            "patient={patient}&_count={MAX_COUNT}&_offset={offset}"
        )))?;
        let client = &state.client;
        let bundle = match ty {
            "Consent" => read::consent_search(client, base, &q).await?,
            "DocumentReference" => read::document_search(client, base, &q).await?,
            // Offset paging through the chain maps (the same whether or not an index
            // is behind --api).
            _ => read::audit_search(client, base, &q, false).await?,
        };
        let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
        let matches: Vec<Value> = entries
            .into_iter()
            .filter(|e| e["search"]["mode"] == "match")
            .map(|e| e["resource"].clone())
            .collect();
        let total = bundle["total"].as_u64().unwrap_or(0);
        offset += MAX_COUNT;
        let done = matches.is_empty() || offset >= total;
        out.extend(matches);
        if done {
            return Ok(out);
        }
    }
}

async fn build(
    state: &Arc<AppState>,
    caller: &Caller,
    me: &Identity,
    request: &Request,
    base: &str,
    id: &str,
    cancel: &AtomicBool,
) -> Result<Finished, ApiError> {
    let transaction_time = ehr_sdk::fhir::now_instant();
    let patients = patients(state, caller, me).await?;
    let wanted = |t: &str| request.types.iter().any(|w| w == t);
    let clinical = request
        .types
        .iter()
        .any(|t| CREATE_TYPES.contains(&t.as_str()));
    let mut out = Output::default();
    for (done, patient) in patients.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(ApiError::BadRequest("cancelled".into()));
        }
        if let Caller::App(grant) = caller {
            if !state.smart.is_live(grant.id) {
                return Err(ApiError::Forbidden(
                    "the app's access was revoked while the export ran".into(),
                ));
            }
        }
        state.exports.set(
            id,
            JobState::Running {
                done,
                total: patients.len(),
            },
        );
        let reachable = |t: &'static str| async move {
            wanted(t)
                && caller
                    .check_patient(state, t, Interaction::Read, patient)
                    .await
                    .is_ok()
        };
        if reachable("Patient").await {
            out.push(&read::patient(&state.client, &patient.to_string()).await?)?;
        }
        for ty in ["Consent", "AuditEvent"] {
            if reachable(ty).await {
                for r in search_all(state, base, ty, patient).await? {
                    out.push(&r)?;
                }
            }
        }
        if !wanted("DocumentReference") && !clinical {
            continue;
        }
        let documents = search_all(state, base, "DocumentReference", patient).await?;
        if reachable("DocumentReference").await {
            for d in &documents {
                out.push(d)?;
            }
        }
        for d in documents.iter().filter(|d| d["status"] == "current") {
            let ty = d["type"]["text"].as_str().unwrap_or("");
            let Some(n) = d["id"].as_str().and_then(|i| i.parse::<u64>().ok()) else {
                continue;
            };
            if !CREATE_TYPES.contains(&ty) || !wanted(ty) {
                continue;
            }
            match binary::stored_resource(state, caller, me, ty, n).await {
                Ok((resource, _)) => out.push(&resource)?,
                Err(e) => out.errors.push(json!({
                    "resourceType": "OperationOutcome",
                    "issue": [{
                        "severity": "error",
                        "code": e.code(),
                        "diagnostics": format!("{ty}/{n} (record #{n} of {patient}): {e}"),
                    }],
                })),
            }
        }
    }
    let file_url = |name: &str| format!("{base}/$export-file/{id}/{name}");
    let mut files = HashMap::new();
    let mut output = Vec::new();
    for (ty, (text, count)) in out.files {
        let name = format!("{ty}.ndjson");
        output.push(json!({ "type": ty, "url": file_url(&name), "count": count }));
        files.insert(name, text);
    }
    let mut error = Vec::new();
    if !out.errors.is_empty() {
        let name = "OperationOutcome.ndjson".to_string();
        error.push(json!({ "type": "OperationOutcome", "url": file_url(&name), "count": out.errors.len() }));
        let text: String = out.errors.iter().map(|e| format!("{e}\n")).collect();
        files.insert(name, text);
    }
    Ok(Finished {
        manifest: json!({
            "transactionTime": transaction_time,
            "request": request.url,
            "requiresAccessToken": true,
            "output": output,
            "error": error,
        }),
        files,
    })
}

fn unknown_job(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "no export job {id} for this caller (jobs are kept an hour, and only for the caller that started them)"
    ))
}

/// `GET [base]/$export-status/{job}`.
pub(super) async fn status(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return unknown_job("").into_response();
    };
    let jobs = state.exports.lock();
    let Some(job) = jobs.get(&id).filter(|j| j.owner == Owner::of(&caller)) else {
        return unknown_job(&id).into_response();
    };
    match &job.state {
        JobState::Running { done, total } => {
            let mut response = StatusCode::ACCEPTED.into_response();
            let h = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&format!("{done} of {total} patients")) {
                h.insert("x-progress", v);
            }
            h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        JobState::Done(finished) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            finished.manifest.to_string(),
        )
            .into_response(),
        JobState::Failed(e) => super::outcome(e.status(), e.code(), &e.to_string()),
    }
}

/// `DELETE [base]/$export-status/{job}`: cancels the job and forgets its files.
pub(super) async fn cancel(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return unknown_job("").into_response();
    };
    let mut jobs = state.exports.lock();
    match jobs.get(&id) {
        Some(j) if j.owner == Owner::of(&caller) => {
            j.cancel.store(true, Ordering::Relaxed);
            jobs.remove(&id);
            StatusCode::ACCEPTED.into_response()
        }
        _ => unknown_job(&id).into_response(),
    }
}

/// `GET [base]/$export-file/{job}/{Type}.ndjson`.
pub(super) async fn file(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((id, name))) = path else {
        return unknown_job("").into_response();
    };
    let finished = {
        let jobs = state.exports.lock();
        match jobs.get(&id).filter(|j| j.owner == Owner::of(&caller)) {
            Some(Job {
                state: JobState::Done(f),
                ..
            }) => f.clone(),
            Some(_) => {
                return ApiError::NotFound(format!("export job {id} has not finished"))
                    .into_response()
            }
            None => return unknown_job(&id).into_response(),
        }
    };
    match finished.files.get(&name) {
        Some(text) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, NDJSON)],
            text.clone(),
        )
            .into_response(),
        None => ApiError::NotFound(format!("export job {id} has no file {name}")).into_response(),
    }
}
