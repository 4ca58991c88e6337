//! `/`: the acting account at a glance; `POST /account`: the account switcher.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

use super::{field, Fields};
use super::{Page, PageError};
use crate::auth::ACCOUNT_COOKIE;
use crate::html;
use crate::state::AppState;

/// `GET /`: roles of the acting account, and where to go next.
pub async fn home(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
) -> Result<Response, PageError> {
    let me = ctx.principal();
    let c = &state.client;
    let (patient, doctor, issuer, verifier, admin) = tokio::join!(
        c.get_patient(&me),
        c.get_doctor(&me),
        c.get_issuer(&me),
        c.is_verifier(&me),
        c.patient_registry_admin()
    );
    let mut body = String::new();
    if ctx.tip.is_none() {
        body.push_str(&html::notice(
            "error",
            "The node does not answer: the pages cannot read the chain until it does.",
        ));
    }
    let mut roles: Vec<(&str, String)> = Vec::new();
    roles.push((
        "Patient",
        match &patient {
            Ok(Some(p)) if p.active => format!(
                "registered at block {}, {} &middot; <a href=\"/records\">records</a>, <a href=\"/access\">access</a>, <a href=\"/audit\">audit</a>",
                p.registered_at,
                if p.verified { "verified" } else { "not verified" }
            ),
            Ok(Some(_)) => "deactivated".into(),
            Ok(None) => "not registered &middot; <a href=\"/patient\">register as a patient</a>".into(),
            Err(e) => html::escape(&e.to_string()),
        },
    ));
    roles.push((
        "Doctor",
        match &doctor {
            Ok(Some(d)) => {
                let state = doctor_state(d, ctx.tip.unwrap_or(0));
                format!(
                    "{} &middot; <a href=\"/doctor\">doctor page</a>",
                    html::escape(&state)
                )
            }
            Ok(None) => {
                "not registered &middot; <a href=\"/doctor\">register as a doctor</a>".into()
            }
            Err(e) => html::escape(&e.to_string()),
        },
    ));
    roles.push((
        "Credential issuer",
        match &issuer {
            Ok(Some(i)) if i.enabled => {
                "enabled &middot; <a href=\"/admin\">verify doctors</a>".into()
            }
            Ok(Some(_)) => "disabled".into(),
            Ok(None) => "no".into(),
            Err(e) => html::escape(&e.to_string()),
        },
    ));
    roles.push((
        "Patient verifier",
        match &verifier {
            Ok(true) => "enabled &middot; <a href=\"/admin\">verify patients</a>".into(),
            Ok(false) => "no".into(),
            Err(e) => html::escape(&e.to_string()),
        },
    ));
    roles.push((
        "Registry admin",
        match &admin {
            Ok(a) if *a == me => "yes &middot; <a href=\"/admin\">issuers and verifiers</a>".into(),
            Ok(_) => "no".into(),
            Err(e) => html::escape(&e.to_string()),
        },
    ));
    body.push_str("<section aria-labelledby=\"roles\"><h2 id=\"roles\">Roles of this account</h2>");
    body.push_str(&html::fields(&roles));
    if let Some((unread, count)) = ctx.notifications {
        let _ = write!(
            body,
            "<p><a href=\"/notifications\">Notifications</a>: {unread} unread of {count}.</p>"
        );
    }
    body.push_str("</section>");
    let rows: Vec<Vec<String>> = state
        .identities
        .iter()
        .map(|i| {
            vec![
                html::escape(&i.name),
                html::principal(&i.address.to_string()),
            ]
        })
        .collect();
    body.push_str(
        "<section aria-labelledby=\"accts\"><h2 id=\"accts\">Accounts this server acts for</h2>",
    );
    body.push_str("<p>Pick one with the switcher at the top. Their keys stay in this server: pages never show them.</p>");
    body.push_str(&html::table(
        "Accounts",
        &["Name", "Address"],
        &rows,
        "No accounts.",
    ));
    body.push_str("</section>");
    ctx.render("Overview", "/", &body)
}

/// A doctor's credential in words at block `tip`.
pub fn doctor_state(d: &ehr_sdk::ehr::types::Doctor, tip: u64) -> String {
    if d.suspended {
        "suspended".to_string()
    } else if !d.verified {
        "registered, not verified".to_string()
    } else if d.is_verified_at(tip + 1) {
        format!(
            "verified until block {} ({} blocks left)",
            d.expires_at,
            d.expires_at.saturating_sub(tip + 1)
        )
    } else {
        format!("credential expired at block {}", d.expires_at)
    }
}

/// `POST /account`: act as another of the server's accounts.
// An unknown account in the cookie is no error here: switching is exactly how to get out
// of it. The CSRF token is checked by the security layer, as for every POST.
pub async fn switch_account(
    State(state): State<Arc<AppState>>,
    form: Result<Form<Fields>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(fields) =
        form.map_err(|e| PageError::BadRequest(format!("the form could not be read: {e}")))?;
    let name = field(&fields, "name");
    let Some(identity) = state.identity(name) else {
        return Err(PageError::BadRequest(format!(
            "this server does not act for an account named `{name}`"
        )));
    };
    let cookie_safe = identity
        .name
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'));
    let cookie = format!(
        "{ACCOUNT_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/",
        identity.name
    );
    let (true, Ok(value)) = (cookie_safe, HeaderValue::from_str(&cookie)) else {
        return Err(PageError::BadRequest(format!(
            "the account name `{name}` cannot be kept in a cookie"
        )));
    };
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(response)
}
