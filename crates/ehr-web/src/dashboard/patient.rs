//! `/patient`: registration (with a salted identifier hash), verification state,
//! guardians, emergency opt-out.

use crate::dashboard::i18n::Msg;
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ehr_sdk::ehr::calls;
use ehr_sdk::ehr::types::Patient;
use rand_core::RngCore as _;

use super::views::{self, Frame, Party};
use super::{field, ops};
use super::{Page, PageError, Posted};
use crate::state::AppState;

/// 32 random bytes from the operating system.
pub fn random32() -> [u8; 32] {
    let mut b = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut b);
    b
}

/// `GET /patient`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
) -> Result<Response, PageError> {
    let me = ctx.principal();
    let c = &state.client;
    let (patient, guardians, emergency, records) = tokio::join!(
        c.get_patient(&me),
        c.get_guardians(&me),
        c.is_emergency_allowed(&me),
        c.get_patient_record_count(&me)
    );
    let patient = match patient {
        Ok(p) => p,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let view = PatientView {
        frame: ctx.frame(ctx.t(Msg::NavPatient), "/patient", None),
        csrf: &ctx.csrf,
        me: ctx.party(&me),
        verified_by: patient
            .as_ref()
            .filter(|p| p.verified)
            .and_then(|p| p.verified_by.as_ref())
            .map(|by| ctx.party(by)),
        id_hash: patient
            .as_ref()
            .map(|p| hex::encode(p.id_hash))
            .unwrap_or_default(),
        enc_pubkey: patient
            .as_ref()
            .map(|p| hex::encode(p.enc_pubkey))
            .unwrap_or_default(),
        records: records
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into()),
        guardians: guardians
            .unwrap_or_default()
            .iter()
            .map(|g| ctx.party(g))
            .collect(),
        emergency: emergency.ok(),
        patient,
    };
    views::respond(StatusCode::OK, &view)
}

/// `/patient`.
#[derive(Template)]
#[template(path = "patient.html")]
struct PatientView<'a> {
    frame: Frame<'a>,
    csrf: &'a str,
    /// The acting account's registration, if it is a patient.
    patient: Option<Patient>,
    me: Party,
    /// The verifier, when verified.
    verified_by: Option<Party>,
    id_hash: String,
    enc_pubkey: String,
    /// How many records it has ("?" when the node did not tell).
    records: String,
    guardians: Vec<Party>,
    /// Whether emergency access is allowed (`None`: it could not be read).
    emergency: Option<bool>,
}

impl PatientView<'_> {
    /// A form's action: `path` with the CSRF token.
    fn action(&self, path: &str) -> String {
        views::action(path, self.csrf)
    }
}

/// `POST /patient/register`: `identifier`.
pub async fn register(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let identifier = field(&fields, "identifier").to_string();
    if identifier.is_empty() {
        return Err(PageError::BadRequest(
            "identifier: give the identifier to hash (it never leaves this server)".into(),
        ));
    }
    let salt = random32();
    let id_hash = ehr_sdk::disclosure::commitment(&salt, identifier.as_bytes());
    let call = match calls::register_patient(&id_hash, &ctx.me.key().public_key()) {
        Ok(c) => c,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    Ok(ops::start(&state, &ctx.me, "Register as a patient".into(), "/patient", move |h| async move {
        h.call(&call).await?;
        Ok(format!(
            "Registered. Identifier hash {}; salt {} (keep the salt: it proves the identifier behind the hash).",
            hex::encode(id_hash),
            hex::encode(salt)
        ))
    })
    .await)
}

/// `POST /patient/guardianship`: `patient`, `action` (accept|resign): the acting account
/// accepts to be the patient's guardian, or steps down.
pub async fn guardianship(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let patient = match ctx.resolve(field(&fields, "patient")) {
        Ok(p) => p,
        Err(e) => return Err(PageError::BadRequest(format!("patient: {e}"))),
    };
    let accept = match field(&fields, "action") {
        "accept" => true,
        "resign" => false,
        other => {
            return Err(PageError::BadRequest(format!(
                "action `{other}`: choose accept or resign"
            )))
        }
    };
    let call = if accept {
        calls::accept_guardian(&patient)
    } else {
        calls::resign_guardian(&patient)
    };
    let call = match call {
        Ok(c) => c,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let title = format!(
        "{} guardianship of {patient}",
        if accept { "Accept" } else { "Resign" }
    );
    Ok(ops::start(&state, &ctx.me, title, "/patient", move |h| async move {
        h.call(&call).await?;
        Ok(if accept {
            format!("You are now a guardian of {patient}: you act for it, and it is told of everything you do.")
        } else {
            format!("You are no longer a guardian of {patient}.")
        })
    })
    .await)
}

/// `POST /patient/guardian`: `guardian`, `enabled` (true/false).
pub async fn guardian(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let guardian = match ctx.resolve(field(&fields, "guardian")) {
        Ok(g) => g,
        Err(e) => return Err(PageError::BadRequest(format!("guardian: {e}"))),
    };
    let enabled = field(&fields, "enabled") != "false";
    let call = match calls::set_guardian(&guardian, enabled) {
        Ok(c) => c,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let title = format!(
        "{} guardian {guardian}",
        if enabled { "Propose" } else { "Remove" }
    );
    Ok(
        ops::start(&state, &ctx.me, title, "/patient", move |h| async move {
            h.call(&call).await?;
            Ok(format!(
                "Guardian {guardian} {}.",
                if enabled {
                    "proposed: it acts for you once it accepts"
                } else {
                    "removed (or its proposal withdrawn)"
                }
            ))
        })
        .await,
    )
}

/// `POST /patient/deactivate`: `confirm` must be `deactivate` (it cannot be undone).
pub async fn deactivate(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    if field(&fields, "confirm") != "deactivate" {
        return Err(PageError::BadRequest(
            "type `deactivate` to confirm: deactivating a registration cannot be undone".into(),
        ));
    }
    let call = calls::deactivate().map_err(|e| PageError::BadRequest(e.to_string()))?;
    Ok(ops::start(
        &state,
        &ctx.me,
        "Deactivate my registration".into(),
        "/patient",
        move |h| async move {
            h.call(&call).await?;
            Ok("The registration is deactivated.".to_string())
        },
    )
    .await)
}

/// `POST /patient/emergency`: `allowed` (true/false).
pub async fn emergency(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let allowed = field(&fields, "allowed") == "true";
    let call = match calls::set_emergency_allowed(allowed) {
        Ok(c) => c,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let title = if allowed {
        "Allow emergency access"
    } else {
        "Opt out of emergency access"
    };
    Ok(ops::start(
        &state,
        &ctx.me,
        title.into(),
        "/patient",
        move |h| async move {
            h.call(&call).await?;
            Ok(if allowed {
                "Emergency access allowed."
            } else {
                "Opted out of emergency access."
            }
            .to_string())
        },
    )
    .await)
}
