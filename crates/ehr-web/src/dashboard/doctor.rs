//! `/doctor`: registration (salted licence hash), credential state and expiry, request
//! access, the patients and records it may read, emergency access, the encryption key.

use crate::dashboard::i18n::{Msg, Text};
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ehr_sdk::ehr::calls;
use ehr_sdk::ehr::listing::{self, Side};
use ehr_sdk::ehr::types::{Doctor, RequestStatus};

use super::access::{page_of, scope_msgs, scope_text, token_state, type_text};
use super::home::doctor_state;
use super::patient::random32;
use super::views::{self, Frame, Pager, Party, StateWord};
use super::{field, field_error, ops, page_number, pages_for, scope_of};
use super::{Page, PageError, Params, Posted};
use crate::state::AppState;

/// The specialty registered when the form leaves it empty: data on chain, the same in
/// every language.
const GENERAL_PRACTICE: &str = "general practice";

/// `GET /doctor?page=&rpage=`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let me = ctx.principal();
    let c = state.client.clone();
    let doctor = c.get_doctor(&me).await?;
    let tip = ctx.tip.unwrap_or(0);
    let mut view = DoctorView {
        frame: ctx.frame(ctx.t(Msg::DoctorTitle), "/doctor", None),
        csrf: &ctx.csrf,
        me: ctx.party(&me),
        credential: StateWord::new("failed", ""),
        credential_when: None,
        verified_by: None,
        license_hash: String::new(),
        tokens: Vec::new(),
        token_pager: Pager {
            base: "/doctor".into(),
            param: "page",
            page: 1,
            pages: 1,
        },
        requests: Vec::new(),
        request_pager: Pager {
            base: "/doctor".into(),
            param: "rpage",
            page: 1,
            pages: 1,
        },
        doctor: None,
    };
    let Some(d) = doctor else {
        return views::respond(StatusCode::OK, &view);
    };
    let verified_now = d.is_verified_at(tip + 1);
    view.credential = StateWord::new(
        if verified_now { "ok" } else { "failed" },
        &doctor_state(&d, tip, ctx.lang),
    );
    view.verified_by = d.verified_by.as_ref().map(|p| ctx.party(p));
    view.license_hash = hex::encode(d.license_hash);
    view.credential_when = d.verified.then(|| ctx.when(d.expires_at)).flatten();
    view.doctor = Some(d);

    // Patients it may read: every token it was given (a grant, or a patient's own token
    // transferred to it); the rows keep those it still holds.
    let ids = listing::token_ids(&c, &me, Side::Counterpart).await?;
    let pages = pages_for(ids.len() as u64);
    let page = page_number(&q, "page", pages, 1);
    view.token_pager.page = page;
    view.token_pager.pages = pages;
    view.tokens = listing::tokens_by_id(&c, &page_of(&ids, page), &me, Side::Counterpart)
        .await?
        .iter()
        .map(|t| HeldToken {
            id: t.id,
            patient: ctx.party(&t.patient),
            scope: scope_text(t.scope, ctx.lang),
            record_type: type_text(t.record_type.as_deref(), ctx.lang),
            expires_at: t.expires_at,
            expires_when: ctx.when(t.expires_at),
            state: token_state(t, tip, ctx.lang),
            live: t.state_at(tip + 1) == ehr_sdk::ehr::types::TokenState::Active,
        })
        .collect();

    // Its requests.
    let requests = listing::request_ids(&c, &me, Side::Counterpart).await?;
    let rpages = pages_for(requests.len() as u64);
    let rpage = page_number(&q, "rpage", rpages, 1);
    view.request_pager.page = rpage;
    view.request_pager.pages = rpages;
    view.requests = listing::requests_by_id(&c, &page_of(&requests, rpage))
        .await?
        .iter()
        .map(|r| SentRequest {
            id: r.id,
            patient: ctx.party(&r.patient),
            scope: scope_text(r.scope, ctx.lang),
            duration: r.duration,
            reason: r.reason.clone(),
            status: format!(
                "{}{}",
                ctx.t(match r.status {
                    RequestStatus::Pending => Msg::RequestPending,
                    RequestStatus::Approved => Msg::RequestApproved,
                    RequestStatus::Denied => Msg::RequestDenied,
                }),
                r.token_id
                    .map(|t| ctx.lang.f(Msg::RequestTokenNote, &[("token", t)]))
                    .unwrap_or_default()
            ),
        })
        .collect();
    views::respond(StatusCode::OK, &view)
}

/// A token the doctor holds, as its row shows it.
struct HeldToken {
    id: u64,
    patient: Party,
    scope: String,
    record_type: String,
    expires_at: u64,
    /// The expiry as an approximate date.
    expires_when: Option<String>,
    state: StateWord,
    /// Active now: the patient's records can be opened.
    live: bool,
}

/// A request the doctor sent, as its row shows it.
struct SentRequest {
    id: u64,
    patient: Party,
    scope: String,
    duration: u64,
    reason: String,
    status: String,
}

/// `/doctor`.
#[derive(Template)]
#[template(path = "doctor.html")]
struct DoctorView<'a> {
    frame: Frame<'a>,
    csrf: &'a str,
    /// The acting account's registration, if it is a doctor.
    doctor: Option<Doctor>,
    me: Party,
    credential: StateWord,
    /// The credential's expiry as an approximate date.
    credential_when: Option<String>,
    verified_by: Option<Party>,
    license_hash: String,
    tokens: Vec<HeldToken>,
    token_pager: Pager,
    requests: Vec<SentRequest>,
    request_pager: Pager,
}

impl DoctorView<'_> {
    /// A form's action: `path` with the CSRF token.
    fn action(&self, path: &str) -> String {
        views::action(path, self.csrf)
    }
}

/// `POST /doctor/register`: `license`, `specialty`.
pub async fn register(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let license = field(&fields, "license").to_string();
    if license.is_empty() {
        return Err(PageError::BadRequest(field_error(
            Msg::FieldLicence,
            Msg::GiveLicence,
        )));
    }
    let specialty = match field(&fields, "specialty") {
        // Stored on chain as it is, in English: the contract's data, not the page's words.
        "" => GENERAL_PRACTICE.to_string(),
        s => s.to_string(),
    };
    let salt = random32();
    let license_hash = ehr_sdk::disclosure::commitment(&salt, license.as_bytes());
    let call = calls::register_doctor(&license_hash, &ctx.me.key().public_key(), &specialty);
    let title = Text::new(Msg::DoctorRegisterHeading);
    ops::one_call(&state, &ctx, "/doctor", title, call, move |_| {
        Text::new(Msg::DoctorRegisteredDone)
            .with("hash", hex::encode(license_hash))
            .with("salt", hex::encode(salt))
    })
    .await
}

/// `POST /doctor/request`: `patient`, `read`/`write`/`share`, `duration`, `reason`. A
/// request the contract would refuse (the doctor unverified, the patient unregistered)
/// is refused before anything is signed.
pub async fn request(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let checked = (|| {
        let patient = ctx
            .resolve(field(&fields, "patient"))
            .map_err(|e| field_error(Msg::FieldPatient, e))?;
        let scope = scope_of(&fields)?;
        let duration = super::blocks(&fields, "duration", Msg::FieldDuration)?;
        let reason = field(&fields, "reason").to_string();
        if reason.is_empty() {
            return Err(field_error(Msg::FieldReason, Msg::SayWhyPatientSees));
        }
        Ok((patient, scope, duration, reason))
    })();
    let (patient, scope, duration, reason) = checked.map_err(PageError::BadRequest)?;
    let call = calls::request_access(&patient, scope, duration, &reason);
    ops::one_call(
        &state,
        &ctx,
        "/doctor",
        Text::new(Msg::OpRequestAccess)
            .with_words("scope", scope_msgs(scope))
            .with("patient", &patient),
        call,
        move |m| match m.id() {
            Ok(id) => Text::new(Msg::RequestSentNumbered)
                .with("id", id)
                .with("patient", &patient),
            Err(_) => Text::new(Msg::RequestSent).with("patient", &patient),
        },
    )
    .await
}

/// `POST /doctor/emergency`: `patient`, `reason`. Refused before anything is signed when
/// the contract would refuse it (as a request; also a patient who opted out, or who
/// closed this doctor's emergency access for a while).
pub async fn emergency(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let patient = ctx.principal_field(&fields, "patient", Msg::FieldPatient)?;
    let reason = field(&fields, "reason").to_string();
    if reason.is_empty() {
        return Err(PageError::BadRequest(field_error(
            Msg::FieldReason,
            Msg::SayWhyAudited,
        )));
    }
    let call = calls::emergency_access(&patient, &reason);
    let title = Text::new(Msg::OpEmergency).with("patient", &patient);
    ops::one_call(&state, &ctx, "/doctor", title, call, move |m| {
        Text::new(Msg::EmergencyDone)
            .with("patient", &patient)
            .with(
                "token",
                m.id().map(|i| i.to_string()).unwrap_or_else(|_| "?".into()),
            )
    })
    .await
}

/// `POST /doctor/update-key`: `enc_pubkey` (hex; empty: the account's own key).
pub async fn update_key(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let key = super::enc_pubkey(&fields, "enc_pubkey", Some(ctx.me.key().public_key()))?;
    let call = calls::update_doctor_enc_pubkey(&key);
    ops::one_call(
        &state,
        &ctx,
        "/doctor",
        Msg::KeyChangeTitle.into(),
        call,
        |_| Msg::DoctorKeyReplaced.into(),
    )
    .await
}
