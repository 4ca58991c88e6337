//! `/audit`: a patient's audit trail, paged newest first, each page checked against the
//! global hash chain (a "hash chain verified" badge, or the entry where it breaks); and
//! `/audit/export` in the CLI's formats (JSON, CSV, FHIR), the whole trail verified.

use crate::dashboard::i18n::{Lang, Msg, Text};
use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clarity::vm::types::PrincipalData;
use ehr_sdk::audit::AuditEntry;
use ehr_sdk::ehr::trail::{self, ExportFormat, Exported};

use super::views::{self, Frame, Link, Pager, Party};
use super::{newest_first_range, page_number, pages_for, Ctx};
use super::{Page, PageError, Params};
use crate::state::AppState;

fn patient_of(ctx: &Ctx, q: &HashMap<String, String>) -> Result<PrincipalData, Text> {
    match q.get("patient").map(|p| p.trim()).filter(|p| !p.is_empty()) {
        Some(p) => ctx.resolve(p),
        None => Ok(ctx.principal()),
    }
}

/// An audit entry as its row shows it.
struct EntryRow {
    id: u128,
    /// The hash chain breaks at this entry.
    breaks: bool,
    block: u128,
    action: String,
    /// The actor, or its text when it is no principal.
    actor: Result<Party, String>,
    reference: Link,
    hash: String,
    hash_short: String,
}

/// `/audit`.
#[derive(Template)]
#[template(path = "audit.html")]
struct AuditView<'a> {
    frame: Frame<'a>,
    /// The patient, when it is not the acting account.
    other_patient: Option<Party>,
    /// What the check covered (when the chain verified).
    checked: String,
    /// Where the chain breaks, in words.
    broken: Option<String>,
    rows: Vec<EntryRow>,
    pager: Pager,
    /// The export links' address, up to the format.
    export: String,
}

/// `GET /audit?patient=&page=`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let patient = patient_of(&ctx, &q).map_err(PageError::BadRequest)?;
    let c = &state.client;
    let count = c.get_patient_entry_count(&patient).await?;
    let pages = pages_for(count);
    let page = page_number(&q, "page", pages, 1);
    let (lo, hi) = newest_first_range(count, page);
    let trail = trail::patient_trail(c, &patient, lo, hi - lo).await?;
    let own = patient == ctx.principal();
    let checked = if count == 0 {
        ctx.t(Msg::AuditNoEntriesYet).to_string()
    } else {
        ctx.lang.f(
            Msg::AuditChecked,
            &[("lo", lo + 1), ("hi", hi), ("count", count)],
        )
    };
    let broken_at = trail.verified.as_ref().err().map(|b| match b {
        ehr_sdk::audit::ChainBreak::Altered { id }
        | ehr_sdk::audit::ChainBreak::Unlinked { id } => *id,
    });
    let rows = trail
        .entries
        .iter()
        .rev()
        .map(|e| EntryRow {
            id: e.id,
            breaks: broken_at == Some(e.id),
            block: e.block,
            action: e.action.clone(),
            actor: PrincipalData::parse(&e.actor)
                .map(|p| ctx.party(&p))
                .map_err(|_| e.actor.clone()),
            reference: reference(e, ctx.lang),
            hash: e.entry_hash.clone(),
            hash_short: e.entry_hash[..e.entry_hash.len().min(12)].to_string(),
        })
        .collect();
    let patient_param = views::percent_encode(&patient.to_string());
    let view = AuditView {
        frame: ctx.frame(
            ctx.t(if own {
                Msg::AuditMyTitle
            } else {
                Msg::AuditTitle
            }),
            "/audit",
            None,
        ),
        other_patient: (!own).then(|| ctx.party(&patient)),
        checked,
        broken: trail
            .verified
            .as_ref()
            .err()
            .map(|b| chain_break(b).render(ctx.lang)),
        rows,
        pager: Pager {
            base: if own {
                "/audit".to_string()
            } else {
                format!("/audit?patient={patient_param}")
            },
            param: "page",
            page,
            pages,
        },
        export: format!("/audit/export?patient={patient_param}&format="),
    };
    views::respond(StatusCode::OK, &view)
}

/// Where the hash chain breaks, in words.
fn chain_break(b: &ehr_sdk::audit::ChainBreak) -> Text {
    match b {
        ehr_sdk::audit::ChainBreak::Altered { id } => {
            Text::new(Msg::AuditEntryAltered).with("id", id)
        }
        ehr_sdk::audit::ChainBreak::Unlinked { id } => {
            Text::new(Msg::AuditEntryUnlinked).with("id", id)
        }
    }
}

/// What an entry refers to, in `lang`, as a link when there is a page for it.
fn reference(e: &AuditEntry, lang: Lang) -> Link {
    let r = e.reference;
    let words = |msg| lang.f(msg, &[("id", r)]);
    match e.action.as_str() {
        "add-record" | "amend-record" | "put-envelope" | "view" | "put-chunk" => {
            Link::to(format!("/records/{r}"), words(Msg::RefRecord))
        }
        "grant-access" | "revoke-access" | "create-token" | "emergency-access"
        | "token-transfer" | "token-return" => Link::text(words(Msg::RefToken)),
        "request-access" | "approve-request" | "deny-request" => Link::text(words(Msg::RefRequest)),
        _ if e.action.starts_with("log") => Link::text(words(Msg::RefRecord)),
        _ => Link::text(r.to_string()),
    }
}

/// `GET /audit/export?patient=&format=json|csv|fhir`.
pub async fn export(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ctx: Ctx,
    Params(q): Params,
) -> Result<Response, PageError> {
    let patient = patient_of(&ctx, &q).map_err(PageError::BadRequest)?;
    let format = match q.get("format").map(String::as_str).unwrap_or("json") {
        "json" => ExportFormat::Json,
        "csv" => ExportFormat::Csv,
        "fhir" => ExportFormat::Fhir,
        other => {
            return Err(PageError::BadRequest(
                Text::new(Msg::BadExportFormat).with("format", other),
            ))
        }
    };
    let base = state.fhir_base(&headers);
    let Exported { text, trail, .. } =
        trail::export_trail(&state.client, &patient, format, &base).await?;
    let (content_type, ext) = (format.media_type(), format.extension());
    let mut response = (StatusCode::OK, text).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"audit-{patient}.{ext}\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    let verified = if trail.verified.is_ok() {
        "true"
    } else {
        "false"
    };
    h.insert("x-hash-chain-verified", HeaderValue::from_static(verified));
    Ok(response)
}
