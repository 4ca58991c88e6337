//! `/records`: a patient's records, paged newest first, with upload; one record with
//! amend, share and open; the decrypted view.
//!
//! Uploads are FHIR R4 JSON (a resource, or a Bundle: one record per entry) or any
//! file, from a file input (multipart) or a textarea. They are sealed in this server
//! with a fresh data key wrapped to the patient's registered key before anything is
//! sent: small ones go on chain in chunks, larger ones into the server's
//! content-addressed store, with only their hash and locator on chain.
//!
//! Reading follows the CLI (`ehr record get`): the patient (or a guardian holding an
//! envelope) decrypts freely; a grantee reads under its live token, and the read is
//! first logged on chain with `log-access` (a POST), after which the redirect shows the
//! record once. The content hash is checked against the chain before decryption.

use crate::dashboard::i18n::{sdk, Lang, Msg, Text};
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::read::{self, Authority, ViewLog};
use ehr_sdk::ehr::records::{self, BlobStore, Keep, ON_CHAIN};
use ehr_sdk::ehr::types::{Record, Scope};
use ehr_sdk::ehr::{calls, SendOptions};

use super::fhir_card::{self, Card};
use super::ops::{self, Op, Status};
use super::summaries::{self, Summary};
use super::views::{self, Frame, Pager, Party};
use super::{about, field_error, newest_first_range, page_number, pages_for, Ctx};
use super::{Page, PageError, Params, Posted, RecordId, Upload};
use crate::state::{AppState, Identity};
use ehr_sdk::ehr::maps;

/// Most records one upload may create (a Bundle's entries).
const MAX_UPLOAD_RECORDS: usize = 100;
/// Most bytes of plaintext shown on the page (the rest by download).
const MAX_SHOWN: usize = 48 * 1024;
/// How long after a logged view the grantee may open the record from its redirect.
const VIEW_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The largest upload accepted, in bytes.
pub const MAX_UPLOAD: usize = 8 * 1024 * 1024;

/// Where a record's sealed bytes are, in words in `lang`.
pub fn where_stored(r: &Record, lang: Lang) -> String {
    if r.locator == ON_CHAIN {
        lang.n(Msg::RecordsOnChain, r.chunk_count)
    } else {
        r.locator.clone()
    }
}

/// `GET /records?patient=&page=`: a patient's records, newest first.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let me = ctx.principal();
    let patient = ctx.patient_param(&q)?;
    let c = state.client.clone();
    let count = c.get_patient_record_count(&patient).await?;
    let pages = pages_for(count);
    let page = page_number(&q, "page", pages, 1);
    let (lo, hi) = newest_first_range(count, page);
    let indexes: Vec<u64> = (lo..hi).rev().collect();
    let own = patient == me;
    let rows_data = maps::read_each(&indexes, |index| {
        let (c, patient, me) = (&c, &patient, &me);
        async move {
            let Some(id) = maps::patient_record_id(c, patient, index).await? else {
                return Ok(None);
            };
            let record = maps::record(c, id).await?;
            let envelope = if own {
                None
            } else {
                Some(maps::has_envelope(c, id, me).await?)
            };
            Ok(record.map(|r| (r, envelope)))
        }
    })
    .await;
    let rows_data = rows_data?;
    let rows_data: Vec<_> = rows_data.into_iter().flatten().collect();
    let shown: Vec<Record> = rows_data.iter().map(|(r, _)| r.clone()).collect();
    let said = summaries::of(&state, &ctx.me, &shown, ctx.lang).await;
    let rows = rows_data
        .into_iter()
        .zip(said)
        .map(|((r, envelope), summary)| RecordRow {
            summary,
            id: r.id,
            version: r.version,
            created_at: r.created_at,
            created_when: ctx.when(r.created_at),
            stored: where_stored(&r, ctx.lang),
            superseded_by: r.superseded_by,
            record_type: r.record_type,
            envelope,
        })
        .collect();
    let other = (!own).then_some(&patient);
    let view = RecordsView {
        frame: ctx.frame(
            ctx.t(if own {
                Msg::RecordsMyTitle
            } else {
                Msg::RecordsOtherTitle
            }),
            "/records",
            None,
        ),
        other_patient: other.map(|p| ctx.party(p)),
        count,
        rows,
        pager: Pager {
            base: about("/records", "patient", other),
            param: "page",
            page,
            pages,
        },
        timeline: about("/records/timeline", "patient", other),
        patient: patient.to_string(),
        upload_action: views::action("/records", &ctx.csrf),
    };
    views::respond(StatusCode::OK, &view)
}

/// A record as its row shows it.
struct RecordRow {
    id: u64,
    /// What it says, for an account that may read it and holds its key.
    summary: Option<Summary>,
    record_type: String,
    version: u64,
    created_at: u64,
    /// Its block as an approximate date.
    created_when: Option<String>,
    /// Where its sealed bytes are, in words.
    stored: String,
    superseded_by: Option<u64>,
    /// Whether the acting account holds its key (shown on another patient's list).
    envelope: Option<bool>,
}

/// `/records`.
#[derive(Template)]
#[template(path = "records.html")]
struct RecordsView<'a> {
    frame: Frame<'a>,
    /// The patient, when it is not the acting account.
    other_patient: Option<Party>,
    /// Record versions on chain.
    count: u64,
    rows: Vec<RecordRow>,
    pager: Pager,
    /// The patient's principal, for the upload form.
    patient: String,
    /// The patient's timeline.
    timeline: String,
    upload_action: String,
}

/// `POST /records`: upload (multipart or urlencoded: `patient`, `type`, `file`, `text`).
pub async fn upload(
    State(state): State<Arc<AppState>>,
    upload: Upload,
) -> Result<Response, PageError> {
    let ctx = &upload.0;
    let patient_text = upload.text("patient");
    let patient = if patient_text.is_empty() {
        ctx.principal()
    } else {
        ctx.resolve(&patient_text)
            .map_err(|e| PageError::BadRequest(field_error(Msg::FieldPatient, e)))?
    };
    let default_type = match upload.text("type") {
        t if t.is_empty() => "Binary".to_string(),
        t => t,
    };
    let Some((bytes, source)) = upload.content() else {
        return Err(PageError::BadRequest(Msg::NothingToAdd.into()));
    };
    let imported = ehr_sdk::fhir::parse_import(&bytes, &default_type).map_err(|e| {
        PageError::BadRequest(
            Text::new(Msg::SourceProblem)
                .with_text("source", source.clone())
                .with_text("problem", sdk::fhir(&e)),
        )
    })?;
    if imported.len() > MAX_UPLOAD_RECORDS {
        return Err(PageError::BadRequest(
            Text::count(Msg::TooManyRecords, imported.len() as u64)
                .with_text("source", source)
                .with("max", MAX_UPLOAD_RECORDS),
        ));
    }
    let mut types: Vec<&str> = imported.iter().map(|i| i.record_type.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    for record_type in types {
        may(ctx, &patient, Scope::WRITE, record_type).await?;
    }
    let back = if patient == ctx.principal() {
        "/records".to_string()
    } else {
        format!(
            "/records?patient={}",
            views::percent_encode(&patient.to_string())
        )
    };
    let title = Text::count(Msg::OpAddRecords, imported.len() as u64).with_text("source", source);
    Ok(
        ops::start(&state, &ctx.me, title, &back, move |h| async move {
            let mut lines: Option<Text> = None;
            let mut note = |line: Text| {
                lines = Some(match lines.take() {
                    Some(before) => before.then(line),
                    None => line,
                })
            };
            for item in imported {
                let record_type = item.record_type.clone();
                let written = records::add_record(
                    &h.state.client,
                    h.me.key(),
                    &patient,
                    &item.record_type,
                    &item.content,
                    h.state.placement(item.content.len()),
                    &SendOptions::default(),
                )
                .await;
                match written {
                    Ok(w) => {
                        h.written(&w, "ehr-storage.add-record");
                        note(added(&w, &record_type));
                    }
                    Err(e) => {
                        let why = h.record_failure(&e);
                        note(
                            Text::new(Msg::RecordTypeFailed)
                                .with("type", &record_type)
                                .with_text("why", why),
                        );
                        return Err(lines.unwrap_or_else(|| Msg::NothingToAdd.into()));
                    }
                }
            }
            Ok(lines.unwrap_or_else(|| Msg::NothingToAdd.into()))
        })
        .await,
    )
}

/// A record written, in one sentence: its id, type, size, hash and where it is kept.
fn added(w: &records::Written, record_type: &str) -> Text {
    let text = if w.chunks > 0 {
        Text::new(Msg::RecordAddedOnChain).with("chunks", w.chunks)
    } else {
        Text::new(Msg::RecordAddedStored).with("locator", &w.locator)
    };
    text.with("id", w.record_id)
        .with("type", record_type)
        .with("bytes", w.sealed_bytes)
        .with("hash", &w.content_hash)
}

/// Whether the acting account may `scope` `record_type` records of `patient`: the
/// patient itself, or the contract's rule (`has-access`, which `add-record`,
/// `amend-record` and `put-envelope` consult, and which counts a guardian as its ward).
/// The patient's own side is left to the call itself, which says in words what stops it
/// (no registration).
async fn allowed(
    ctx: &Ctx,
    patient: &PrincipalData,
    scope: Scope,
    record_type: &str,
) -> Result<bool, ehr_sdk::ehr::ClientError> {
    let me = ctx.principal();
    Ok(*patient == me
        || ctx
            .state
            .client
            .has_access(patient, &me, scope, Some(record_type))
            .await?)
}

/// Refuses (403) before anything is signed unless the acting account is [`allowed`] to.
async fn may(
    ctx: &Ctx,
    patient: &PrincipalData,
    scope: Scope,
    record_type: &str,
) -> Result<(), PageError> {
    if allowed(ctx, patient, scope, record_type).await? {
        return Ok(());
    }
    Err(PageError::Forbidden(
        Text::new(Msg::NoLiveGrant)
            .with("me", ctx.principal())
            .with_words("scope", super::access::scope_msgs(scope))
            .with("patient", patient)
            .with("type", record_type),
    ))
}

/// What the acting account may do with a record.
struct Relation {
    /// The patient itself or a guardian.
    mine: bool,
    /// Holds a key envelope.
    envelope: bool,
    /// A grantee's live token, when it has read access to this record's type.
    token: Option<u64>,
    /// Read access now (has-access).
    readable: bool,
}

async fn relation(state: &AppState, me: &PrincipalData, r: &Record) -> Result<Relation, Text> {
    let c = &state.client;
    let (authority, envelope) = tokio::join!(read::authority(c, me, r), c.get_envelope(r.id, me));
    let envelope = envelope.map_err(|e| sdk::client(&e))?.is_some();
    let authority = match authority {
        Ok(a) => Some(a),
        Err(records::RecordError::AccessRefused { .. }) => None,
        Err(e) => return Err(sdk::record(&e)),
    };
    Ok(Relation {
        mine: matches!(authority, Some(Authority::Patient | Authority::Guardian)),
        envelope,
        token: authority.and_then(Authority::token),
        readable: authority.is_some(),
    })
}

fn refused_words(me: &PrincipalData, r: &Record) -> Text {
    Text::new(Msg::RecordRefused)
        .with("reader", me)
        .with("patient", &r.patient)
        .with("type", &r.record_type)
}

/// `GET /records/{id}`.
pub async fn show(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    RecordId(id): RecordId,
) -> Result<Response, PageError> {
    let r = load_record(&state, id).await?;
    let me = ctx.principal();
    let rel = relation(&state, &me, &r)
        .await
        .map_err(PageError::Upstream)?;
    let read = if rel.mine {
        if rel.envelope {
            ReadAs::Holder
        } else {
            ReadAs::HolderWithoutKey
        }
    } else if !rel.readable || rel.token.is_none() {
        ReadAs::Refused(refused_words(&me, &r).render(ctx.lang))
    } else if !rel.envelope {
        ReadAs::GranteeWithoutKey
    } else {
        ReadAs::Grantee
    };
    // The forms shown are the ones `amend` and `share` take from this account.
    let (writable, may_share) = tokio::join!(
        allowed(&ctx, &r.patient, Scope::WRITE, &r.record_type),
        allowed(&ctx, &r.patient, Scope::SHARE, &r.record_type)
    );
    let (writable, may_share) = (writable.unwrap_or(false), may_share.unwrap_or(false));
    let title = ctx.lang.f(Msg::RecordNumber, &[("id", id)]);
    let view = RecordView {
        frame: ctx.frame(&title, "/records", None),
        csrf: &ctx.csrf,
        patient: ctx.party(&r.patient),
        author: ctx.party(&r.author),
        content_hash: hex::encode(r.content_hash),
        stored: where_stored(&r, ctx.lang),
        created_when: ctx.when(r.created_at),
        envelope: rel.envelope,
        read,
        provable: rel.mine && rel.envelope && r.is_latest(),
        verify_path: super::proofs::VERIFY_PATH,
        amendable: r.is_latest() && writable,
        rotatable: r.is_latest() && rel.mine,
        shareable: may_share,
        r,
    };
    views::respond(StatusCode::OK, &view)
}

/// What the acting account may do to read a record.
enum ReadAs {
    /// The patient's side, holding the key: decrypt here.
    Holder,
    /// The patient's side without a key envelope.
    HolderWithoutKey,
    /// No live read grant: why.
    Refused(String),
    /// A grantee without a key envelope yet.
    GranteeWithoutKey,
    /// A grantee with the key: open (logging the view) first.
    Grantee,
}

/// `/records/{id}`.
#[derive(Template)]
#[template(path = "record.html")]
struct RecordView<'a> {
    frame: Frame<'a>,
    csrf: &'a str,
    r: Record,
    patient: Party,
    author: Party,
    content_hash: String,
    stored: String,
    /// Its block as an approximate date.
    created_when: Option<String>,
    /// Whether the acting account holds a key envelope for it.
    envelope: bool,
    read: ReadAs,
    /// The proof form (the patient's side, the latest version).
    provable: bool,
    verify_path: &'static str,
    amendable: bool,
    rotatable: bool,
    shareable: bool,
}

impl RecordView<'_> {
    /// The action of the record's form `what` (`open`, `amend`...), with the CSRF token.
    fn action(&self, what: &str) -> String {
        views::action(&format!("/records/{}/{what}", self.r.id), self.csrf)
    }
}

/// Checks that the acting account may decrypt `r` now: as the patient's side, or as a
/// grantee right after its view was logged by operation `op`.
async fn may_decrypt(
    state: &AppState,
    me: &Identity,
    r: &Record,
    op: Option<&str>,
) -> Result<Option<Op>, Text> {
    let who = me.principal();
    let rel = relation(state, &who, r).await?;
    if rel.mine {
        return Ok(None);
    }
    if !rel.readable {
        return Err(refused_words(&who, r));
    }
    let op = op
        .and_then(|id| ops::get(state, id))
        .filter(|o| {
            o.account == me.name && o.viewed == Some(r.id) && matches!(o.status, Status::Mined(_))
        })
        .filter(|o| o.started.elapsed() < VIEW_WINDOW)
        .ok_or_else(|| Text::new(Msg::OpenFromPage))?;
    Ok(Some(op))
}

/// Decrypts record `id` for `me`; a grantee's view was logged by the open operation that
/// [`may_decrypt`] found, so it is not logged again.
async fn decrypt(state: &Arc<AppState>, me: &Identity, id: u64) -> Result<records::Opened, Text> {
    let store: &dyn BlobStore = &state.store;
    read::read_record(
        &state.client,
        me.key(),
        id,
        Some(store),
        ViewLog::AlreadyLoggedOrSkipped,
        &SendOptions::default(),
    )
    .await
    .map(|read| read.opened)
    .map_err(|e| sdk::record(&e))
}

/// `GET /records/{id}/view?op=`: the decrypted record.
pub async fn view(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    RecordId(id): RecordId,
    Params(q): Params,
) -> Result<Response, PageError> {
    let r = load_record(&state, id).await?;
    let op = may_decrypt(&state, &ctx.me, &r, q.get("op").map(String::as_str))
        .await
        .map_err(PageError::Forbidden)?;
    let opened = decrypt(&state, &ctx.me, id)
        .await
        .map_err(PageError::Unprocessable)?;
    // Text (JSON pretty-printed) up to MAX_SHOWN bytes; binary content is only
    // downloaded.
    let (text, cut) = match std::str::from_utf8(&opened.plaintext) {
        Ok(text) => {
            let pretty = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| text.to_string());
            let mut end = pretty.len().min(MAX_SHOWN);
            while !pretty.is_char_boundary(end) {
                end -= 1;
            }
            let cut = end < pretty.len();
            (Some(pretty[..end].to_string()), cut)
        }
        Err(_) => (None, false),
    };
    let card = serde_json::from_slice::<serde_json::Value>(&opened.plaintext)
        .ok()
        .and_then(|v| fhir_card::card(&v, ctx.lang));
    let title = ctx.lang.f(Msg::RecordNumber, &[("id", id)]);
    let view = RecordContentView {
        card,
        frame: ctx.frame(&title, "/records", None),
        logged: op
            .as_ref()
            .and_then(|o| o.message.as_ref())
            .map(|m| m.render(ctx.lang)),
        txs: op
            .as_ref()
            .map(|o| ops::TxTable::of(o, ctx.lang).txs)
            .unwrap_or_default(),
        content_hash: hex::encode(r.content_hash),
        size: opened.plaintext.len() as u64,
        patient: ctx.party(&r.patient),
        text,
        cut,
        op_param: op
            .as_ref()
            .map(|o| format!("?op={}", o.id))
            .unwrap_or_default(),
        r,
    };
    views::respond(StatusCode::OK, &view)
}

/// `/records/{id}/view`.
#[derive(Template)]
#[template(path = "record_view.html")]
struct RecordContentView<'a> {
    frame: Frame<'a>,
    r: Record,
    /// A grantee's logged view: the operation's outcome.
    logged: Option<String>,
    /// The transactions that logged it.
    txs: Vec<ops::TxRow>,
    content_hash: String,
    /// Decrypted bytes.
    size: u64,
    patient: Party,
    /// A FHIR resource in words.
    card: Option<Card>,
    /// The content as text (`None`: binary).
    text: Option<String>,
    /// Only the beginning of the text is shown.
    cut: bool,
    /// The operation, for the download link.
    op_param: String,
}

/// `GET /records/{id}/download?op=`: the decrypted bytes as an attachment.
pub async fn download(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    RecordId(id): RecordId,
    Params(q): Params,
) -> Result<Response, PageError> {
    let r = load_record(&state, id).await?;
    may_decrypt(&state, &ctx.me, &r, q.get("op").map(String::as_str))
        .await
        .map_err(PageError::Forbidden)?;
    let opened = decrypt(&state, &ctx.me, id)
        .await
        .map_err(PageError::Unprocessable)?;
    let fhir = serde_json::from_slice::<serde_json::Value>(&opened.plaintext)
        .map(|v| v.get("resourceType").is_some())
        .unwrap_or(false);
    let (content_type, ext) = if fhir {
        (crate::fhir::FHIR_JSON, "json")
    } else {
        ("application/octet-stream", "bin")
    };
    let disposition = format!("attachment; filename=\"record-{id}.{ext}\"");
    let mut response = (StatusCode::OK, opened.plaintext).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// Record `id`, or why not: it does not exist, or the node failed.
async fn load_record(state: &AppState, id: u64) -> Result<Record, PageError> {
    match state.client.get_record(id).await {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(PageError::NotFound(
            Text::new(Msg::NoSuchRecord).with("id", id),
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /records/{id}/open`: a grantee logs its view on chain, then sees the record.
pub async fn open(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    RecordId(id): RecordId,
) -> Result<Response, PageError> {
    let back = format!("/records/{id}");
    let title = Text::new(Msg::OpOpenRecord).with("id", id);
    Ok(
        ops::start(&state, &ctx.me, title, &back, move |h| async move {
            let me = h.me.principal();
            let r = h
                .state
                .client
                .get_record(id)
                .await
                .map_err(|e| sdk::client(&e))?
                .ok_or_else(|| Text::new(Msg::NoSuchRecord).with("id", id))?;
            let rel = relation(&h.state, &me, &r).await?;
            if rel.mine {
                return Err(Text::new(Msg::OpenOwnRecord).with("id", id));
            }
            let token = match (rel.token, rel.readable) {
                (Some(t), true) => t,
                _ => return Err(refused_words(&me, &r)),
            };
            if !rel.envelope {
                return Err(Text::new(Msg::OpenNoEnvelope)
                    .with("reader", &me)
                    .with("id", id));
            }
            let call =
                calls::log_access(token, id, read::VIEW_ACTION).map_err(|e| sdk::call(&e))?;
            let mined = h.call(&call).await?;
            h.viewed(id);
            Ok(Text::new(Msg::OpenDone)
                .with("id", id)
                .with("token", token)
                .with("block", mined.block_height))
        })
        .await,
    )
}

/// `POST /records/{id}/amend`: `file` or `text`.
pub async fn amend(
    State(state): State<Arc<AppState>>,
    RecordId(id): RecordId,
    upload: Upload,
) -> Result<Response, PageError> {
    let ctx = &upload.0;
    let back = format!("/records/{id}");
    let Some((bytes, source)) = upload.content() else {
        return Err(PageError::BadRequest(Msg::NothingToAmend.into()));
    };
    let r = load_record(&state, id).await?;
    may(ctx, &r.patient, Scope::WRITE, &r.record_type).await?;
    Ok(ops::start(
        &state,
        &ctx.me,
        Text::new(Msg::OpAmend)
            .with("id", id)
            .with_text("source", source),
        &back,
        move |h| async move {
            let written = records::amend_record(
                &h.state.client,
                h.me.key(),
                id,
                &bytes,
                h.state.placement(bytes.len()),
                &SendOptions::default(),
            )
            .await;
            match written {
                Ok(w) => {
                    h.written(&w, "ehr-storage.amend-record");
                    Ok(Text::new(Msg::AmendDone)
                        .with("id", id)
                        .with("new", w.record_id)
                        .with("bytes", w.sealed_bytes)
                        .with("hash", &w.content_hash))
                }
                Err(e) => Err(h.record_failure(&e)),
            }
        },
    )
    .await)
}

/// `POST /records/{id}/rotate`: a new version under a fresh key, with envelopes for the
/// current readers only.
pub async fn rotate(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    RecordId(id): RecordId,
) -> Result<Response, PageError> {
    let back = format!("/records/{id}");
    let r = load_record(&state, id).await?;
    may(&ctx, &r.patient, Scope::WRITE, &r.record_type).await?;
    Ok(ops::start(
        &state,
        &ctx.me,
        Text::new(Msg::OpRotate).with("id", id),
        &back,
        move |h| async move {
            let store: &dyn BlobStore = &h.state.store;
            let rotated = records::rotate_record(
                &h.state.client,
                h.me.key(),
                id,
                Keep::CurrentReaders,
                h.state.config.on_chain_max,
                store,
                &SendOptions::default(),
            )
            .await
            .map(|r| {
                let kept = r.kept.len();
                (r.written, kept)
            });
            match rotated {
                Ok((w, kept)) => {
                    h.written(&w, "ehr-storage.amend-record");
                    Ok(Text::count(Msg::RotateDone, kept as u64)
                        .with("id", id)
                        .with("new", w.record_id))
                }
                Err(e) => Err(h.record_failure(&e)),
            }
        },
    )
    .await)
}

/// `POST /records/{id}/share`: `grantee`.
pub async fn share(
    State(state): State<Arc<AppState>>,
    RecordId(id): RecordId,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let back = format!("/records/{id}");
    let grantee = ctx.principal_field(&fields, "grantee", Msg::FieldGrantee)?;
    let r = load_record(&state, id).await?;
    may(&ctx, &r.patient, Scope::SHARE, &r.record_type).await?;
    Ok(ops::start(
        &state,
        &ctx.me,
        Text::new(Msg::OpShare)
            .with("id", id)
            .with("grantee", &grantee),
        &back,
        move |h| async move {
            share_one(&h, id, &grantee).await?;
            Ok(Text::new(Msg::ShareDone)
                .with("id", id)
                .with("grantee", &grantee))
        },
    )
    .await)
}

/// Puts `grantee`'s key envelope for record `id`, as the operation's account.
pub async fn share_one(h: &ops::Handle, id: u64, grantee: &PrincipalData) -> Result<(), Text> {
    let (state, key, grantee) = (h.state.clone(), h.me.key().clone(), grantee.clone());
    let shared = async {
        records::share_record(&state.client, &key, id, &grantee, &SendOptions::default()).await
    }
    .await;
    match shared {
        Ok(m) => {
            h.mined(&m);
            Ok(())
        }
        Err(e) => Err(h.record_failure(&e)),
    }
}
