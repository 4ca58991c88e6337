//! `/audit`: a patient's audit trail, paged newest first, each page checked against the
//! global hash chain (a "hash chain verified" badge, or the entry where it breaks); and
//! `/audit/export` in the CLI's formats (JSON, CSV, FHIR), the whole trail verified.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clarity::vm::types::PrincipalData;
use ehr_sdk::audit::AuditEntry;
use ehr_sdk::ehr::trail::{self, ExportFormat, Exported, Trail};

use super::{newest_first_range, page_number, pages_for, Ctx};
use super::{Page, PageError, Params};
use crate::html;
use crate::state::AppState;

fn patient_of(ctx: &Ctx, q: &HashMap<String, String>) -> Result<PrincipalData, String> {
    match q.get("patient").map(|p| p.trim()).filter(|p| !p.is_empty()) {
        Some(p) => ctx.resolve(p),
        None => Ok(ctx.principal()),
    }
}

/// The badge of a verified (or broken) trail.
pub fn badge(trail: &Trail, what: &str) -> String {
    match &trail.verified {
        Ok(()) => html::notice_html(
            "ok",
            &format!("<strong class=\"verified\" data-chain=\"verified\">&#10003; Hash chain verified</strong> {}", html::escape(what)),
        ),
        Err(b) => html::notice_html(
            "error",
            &format!("<strong class=\"broken\" data-chain=\"broken\">Hash chain BROKEN</strong> {}", html::escape(&b.to_string())),
        ),
    }
}

/// `GET /audit?patient=&page=`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let patient = match patient_of(&ctx, &q) {
        Ok(p) => p,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let c = &state.client;
    let count = match c.get_patient_entry_count(&patient).await {
        Ok(n) => n,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let pages = pages_for(count);
    let page = page_number(&q, "page", pages, 1);
    let (lo, hi) = newest_first_range(count, page);
    let trail = match trail::patient_trail(c, &patient, lo, hi - lo).await {
        Ok(t) => t,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let mut body = String::new();
    let own = patient == ctx.principal();
    if !own {
        let _ = write!(body, "<p>Patient {}</p>", ctx.who(&patient));
    }
    let what = if count == 0 {
        "(no entries yet)".to_string()
    } else {
        format!(
            "for entries {}-{} of {count} (each hash recomputed, each linked to the entry before it in the global log)",
            lo + 1,
            hi
        )
    };
    body.push_str(&badge(&trail, &what));
    let broken = trail.verified.as_ref().err().map(|b| match b {
        ehr_sdk::audit::ChainBreak::Altered { id }
        | ehr_sdk::audit::ChainBreak::Unlinked { id } => *id,
    });
    let rows: Vec<Vec<String>> = trail
        .entries
        .iter()
        .rev()
        .map(|e| {
            let mark = if broken == Some(e.id) {
                " <strong class=\"broken\">breaks here</strong>"
            } else {
                ""
            };
            vec![
                format!("{}{mark}", e.id),
                e.block.to_string(),
                html::escape(&e.action),
                match PrincipalData::parse(&e.actor) {
                    Ok(p) => ctx.who_cell(&p),
                    Err(_) => html::escape(&e.actor),
                },
                reference(e),
                format!(
                    "<code class=\"hash\" title=\"{}\">{}</code>",
                    html::escape(&e.entry_hash),
                    html::escape(&e.entry_hash[..e.entry_hash.len().min(12)])
                ),
            ]
        })
        .collect();
    body.push_str(&html::table(
        "Audit entries, newest first",
        &["Entry", "Block", "Action", "Actor", "Ref", "Entry hash"],
        &rows,
        "No audit entries.",
    ));
    let base = if own {
        "/audit".to_string()
    } else {
        format!("/audit?patient={}", html::url_encode(&patient.to_string()))
    };
    body.push_str(&html::pager(&base, "page", page, pages));
    let p = html::url_encode(&patient.to_string());
    let _ = write!(
        body,
        "<section aria-labelledby=\"export\"><h2 id=\"export\">Export</h2><p>The whole trail, verified first: <a href=\"/audit/export?patient={p}&amp;format=json\" download>JSON</a> (for <code>ehr audit verify</code>) &middot; <a href=\"/audit/export?patient={p}&amp;format=csv\" download>CSV</a> &middot; <a href=\"/audit/export?patient={p}&amp;format=fhir\" download>FHIR AuditEvent Bundle</a></p></section>"
    );
    ctx.render(
        if own { "My audit trail" } else { "Audit trail" },
        "/audit",
        &body,
    )
}

fn reference(e: &AuditEntry) -> String {
    let r = e.reference;
    match e.action.as_str() {
        "add-record" | "amend-record" | "put-envelope" | "view" | "put-chunk" => {
            format!("<a href=\"/records/{r}\">record #{r}</a>")
        }
        "grant-access" | "revoke-access" | "create-token" | "emergency-access"
        | "token-transfer" | "token-return" => format!("token #{r}"),
        "request-access" | "approve-request" | "deny-request" => format!("request #{r}"),
        _ if e.action.starts_with("log") => format!("record #{r}"),
        _ => r.to_string(),
    }
}

/// `GET /audit/export?patient=&format=json|csv|fhir`.
pub async fn export(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ctx: Ctx,
    Params(q): Params,
) -> Result<Response, PageError> {
    let patient = match patient_of(&ctx, &q) {
        Ok(p) => p,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let format = match q.get("format").map(String::as_str).unwrap_or("json") {
        "json" => ExportFormat::Json,
        "csv" => ExportFormat::Csv,
        "fhir" => ExportFormat::Fhir,
        other => {
            return Err(PageError::BadRequest(format!(
                "format `{other}`: give json, csv or fhir"
            )))
        }
    };
    let base = crate::fhir::params::base_url(&headers);
    let Exported { text, trail, .. } =
        match trail::export_trail(&state.client, &patient, format, &base).await {
            Ok(e) => e,
            Err(e) => return Err(PageError::Upstream(e.to_string())),
        };
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
