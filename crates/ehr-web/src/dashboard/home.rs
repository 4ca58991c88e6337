//! `/`: the acting account at a glance; `POST /account`: the account switcher.

use crate::dashboard::i18n::{Lang, Msg, Text};
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
    let lang = ctx.lang;
    let role = |term, text: String, links: &[(&'static str, Msg)]| Role {
        term,
        text,
        links: links.to_vec(),
    };
    let text = |msg: Msg| lang.t(msg).to_string();
    let roles = vec![
        match &patient {
            Ok(Some(p)) if p.active => role(
                Msg::RolePatient,
                lang.f(
                    Msg::RolePatientRegistered,
                    &[
                        ("block", p.registered_at.to_string()),
                        (
                            "verified",
                            text(if p.verified {
                                Msg::Verified
                            } else {
                                Msg::NotVerified
                            }),
                        ),
                    ],
                ),
                &[
                    ("/records", Msg::LinkRecords),
                    ("/access", Msg::LinkAccess),
                    ("/audit", Msg::LinkAudit),
                ],
            ),
            Ok(Some(_)) => role(Msg::RolePatient, text(Msg::Deactivated), &[]),
            Ok(None) => role(
                Msg::RolePatient,
                text(Msg::NotRegistered),
                &[("/patient", Msg::LinkRegisterPatient)],
            ),
            Err(e) => role(Msg::RolePatient, e.to_string(), &[]),
        },
        match &doctor {
            Ok(Some(d)) => role(
                Msg::RoleDoctor,
                doctor_state(d, ctx.tip.unwrap_or(0), lang),
                &[("/doctor", Msg::LinkDoctorPage)],
            ),
            Ok(None) => role(
                Msg::RoleDoctor,
                text(Msg::NotRegistered),
                &[("/doctor", Msg::LinkRegisterDoctor)],
            ),
            Err(e) => role(Msg::RoleDoctor, e.to_string(), &[]),
        },
        match &issuer {
            Ok(Some(i)) if i.enabled => role(
                Msg::RoleIssuer,
                text(Msg::Enabled),
                &[("/admin", Msg::LinkVerifyDoctors)],
            ),
            Ok(Some(_)) => role(Msg::RoleIssuer, text(Msg::Disabled), &[]),
            Ok(None) => role(Msg::RoleIssuer, text(Msg::No), &[]),
            Err(e) => role(Msg::RoleIssuer, e.to_string(), &[]),
        },
        match &verifier {
            Ok(true) => role(
                Msg::RoleVerifier,
                text(Msg::Enabled),
                &[("/admin", Msg::LinkVerifyPatients)],
            ),
            Ok(false) => role(Msg::RoleVerifier, text(Msg::No), &[]),
            Err(e) => role(Msg::RoleVerifier, e.to_string(), &[]),
        },
        match &admin {
            Ok(a) if *a == me => role(
                Msg::RoleAdmin,
                text(Msg::Yes),
                &[("/admin", Msg::LinkIssuersVerifiers)],
            ),
            Ok(_) => role(Msg::RoleAdmin, text(Msg::No), &[]),
            Err(e) => role(Msg::RoleAdmin, e.to_string(), &[]),
        },
    ];
    views::respond(
        StatusCode::OK,
        &HomeView {
            frame: ctx.frame(ctx.t(Msg::HomeTitle), "/", None),
            roles,
        },
    )
}

/// One role of the acting account: where it stands, and links to act on it.
struct Role {
    term: Msg,
    text: String,
    links: Vec<(&'static str, Msg)>,
}

/// `/`.
#[derive(Template)]
#[template(path = "home.html")]
struct HomeView<'a> {
    frame: Frame<'a>,
    roles: Vec<Role>,
}

/// A doctor's credential in words at block `tip`, in `lang`.
pub fn doctor_state(d: &ehr_sdk::ehr::types::Doctor, tip: u64, lang: Lang) -> String {
    if d.suspended {
        lang.t(Msg::DoctorSuspended).to_string()
    } else if !d.verified {
        lang.t(Msg::DoctorNotVerified).to_string()
    } else if d.is_verified_at(tip + 1) {
        lang.f(
            Msg::DoctorVerifiedUntil,
            &[
                ("block", d.expires_at),
                ("left", d.expires_at.saturating_sub(tip + 1)),
            ],
        )
    } else {
        lang.f(Msg::DoctorExpired, &[("block", d.expires_at)])
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
        form.map_err(|e| PageError::BadRequest(Text::new(Msg::UnreadableForm).with("why", e)))?;
    let name = field(&fields, "name");
    let Some(identity) = state.identity(name) else {
        return Err(PageError::BadRequest(
            Text::new(Msg::NoSuchAccount).with("name", name),
        ));
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
        return Err(PageError::BadRequest(
            Text::new(Msg::AccountNameNotCookie).with("name", name),
        ));
    };
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().insert(header::SET_COOKIE, value);
    Ok(response)
}
