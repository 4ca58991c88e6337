//! `/`: the acting account at a glance; `POST /account`: the account switcher.

use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::views::{self, Frame};
use super::{field, Fields};
use super::{Page, PageError};
use crate::auth::ACCOUNT_COOKIE;
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
    let role = |term, text: String, links: &[(&'static str, &'static str)]| Role {
        term,
        text,
        links: links.to_vec(),
    };
    let roles = vec![
        match &patient {
            Ok(Some(p)) if p.active => role(
                "Patient",
                format!(
                    "registered at block {}, {}",
                    p.registered_at,
                    if p.verified {
                        "verified"
                    } else {
                        "not verified"
                    }
                ),
                &[
                    ("/records", "records"),
                    ("/access", "access"),
                    ("/audit", "audit"),
                ],
            ),
            Ok(Some(_)) => role("Patient", "deactivated".into(), &[]),
            Ok(None) => role(
                "Patient",
                "not registered".into(),
                &[("/patient", "register as a patient")],
            ),
            Err(e) => role("Patient", e.to_string(), &[]),
        },
        match &doctor {
            Ok(Some(d)) => role(
                "Doctor",
                doctor_state(d, ctx.tip.unwrap_or(0)),
                &[("/doctor", "doctor page")],
            ),
            Ok(None) => role(
                "Doctor",
                "not registered".into(),
                &[("/doctor", "register as a doctor")],
            ),
            Err(e) => role("Doctor", e.to_string(), &[]),
        },
        match &issuer {
            Ok(Some(i)) if i.enabled => role(
                "Credential issuer",
                "enabled".into(),
                &[("/admin", "verify doctors")],
            ),
            Ok(Some(_)) => role("Credential issuer", "disabled".into(), &[]),
            Ok(None) => role("Credential issuer", "no".into(), &[]),
            Err(e) => role("Credential issuer", e.to_string(), &[]),
        },
        match &verifier {
            Ok(true) => role(
                "Patient verifier",
                "enabled".into(),
                &[("/admin", "verify patients")],
            ),
            Ok(false) => role("Patient verifier", "no".into(), &[]),
            Err(e) => role("Patient verifier", e.to_string(), &[]),
        },
        match &admin {
            Ok(a) if *a == me => role(
                "Registry admin",
                "yes".into(),
                &[("/admin", "issuers and verifiers")],
            ),
            Ok(_) => role("Registry admin", "no".into(), &[]),
            Err(e) => role("Registry admin", e.to_string(), &[]),
        },
    ];
    views::respond(
        StatusCode::OK,
        &HomeView {
            frame: ctx.frame("Overview", "/", None),
            roles,
        },
    )
}

/// One role of the acting account: where it stands, and links to act on it.
struct Role {
    term: &'static str,
    text: String,
    links: Vec<(&'static str, &'static str)>,
}

/// `/`.
#[derive(Template)]
#[template(path = "home.html")]
struct HomeView<'a> {
    frame: Frame<'a>,
    roles: Vec<Role>,
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
        "{ACCOUNT_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/{}",
        identity.name,
        state.cookie_security()
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
