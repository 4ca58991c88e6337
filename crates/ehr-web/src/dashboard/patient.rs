//! `/patient`: registration (with a salted identifier hash), verification state,
//! guardians, emergency opt-out, the encryption key; `/patient?for=` the same for a
//! patient the acting account is a guardian of (the contracts' `-for` functions), and the
//! patients it acts for.

use crate::dashboard::i18n::{sdk, Msg, Text};
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ehr_sdk::ehr::calls;
use ehr_sdk::ehr::types::Patient;
use rand_core::RngCore as _;

use super::views::{self, Frame, Party};
use super::{field, field_error, ops, Ctx};
use super::{Page, PageError, Params, Posted};
use crate::state::AppState;

/// 32 random bytes from the operating system.
pub fn random32() -> [u8; 32] {
    let mut b = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut b);
    b
}

/// `GET /patient?for=`: the acting account as a patient, or (`for`) a patient it is a
/// guardian of.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let ward = ctx
        .ward(q.get("for").map(String::as_str).unwrap_or(""))
        .await?;
    let me = ward.clone().unwrap_or_else(|| ctx.principal());
    let c = &state.client;
    let (patient, guardians, emergency, records, wards) = tokio::join!(
        c.get_patient(&me),
        c.get_guardians(&me),
        c.is_emergency_allowed(&me),
        c.get_patient_record_count(&me),
        wards_of(&ctx)
    );
    let patient = patient?;
    let view = PatientView {
        frame: ctx.frame(
            ctx.t(if ward.is_some() {
                Msg::PatientTitleWard
            } else {
                Msg::NavPatient
            }),
            "/patient",
            None,
        ),
        csrf: &ctx.csrf,
        ward: ward.as_ref().map(|p| ctx.party(p)),
        wards,
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
    /// The patient shown when the acting account acts for it as its guardian.
    ward: Option<Party>,
    /// The server's accounts the acting account is a guardian of.
    wards: Vec<Party>,
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

/// The server's accounts the acting account is an accepted guardian of (one read each;
/// an account that cannot be read is left out).
async fn wards_of(ctx: &Ctx) -> Vec<Party> {
    let me = ctx.principal();
    let others: Vec<_> = ctx
        .state
        .identities
        .iter()
        .map(|i| i.principal())
        .filter(|p| *p != me)
        .collect();
    let checks = others.iter().map(|p| ctx.state.client.is_guardian(p, &me));
    futures_util::future::join_all(checks)
        .await
        .into_iter()
        .zip(&others)
        .filter(|(guards, _)| matches!(guards, Ok(true)))
        .map(|(_, p)| ctx.party(p))
        .collect()
}

/// Where a form returns: the patient page, of the ward when acting for one.
fn back_to(ward: &Option<clarity::vm::types::PrincipalData>) -> String {
    super::about("/patient", "for", ward.as_ref())
}

/// `POST /patient/register`: `identifier`.
pub async fn register(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let identifier = field(&fields, "identifier").to_string();
    if identifier.is_empty() {
        return Err(PageError::BadRequest(field_error(
            Msg::FieldIdentifier,
            Msg::GiveIdentifier,
        )));
    }
    let salt = random32();
    let id_hash = ehr_sdk::disclosure::commitment(&salt, identifier.as_bytes());
    let call = calls::register_patient(&id_hash, &ctx.me.key().public_key())
        .map_err(|e| PageError::BadRequest(sdk::call(&e)))?;
    let title = Text::new(Msg::PatientRegisterHeading);
    Ok(
        ops::start(&state, &ctx.me, title, "/patient", move |h| async move {
            h.call(&call).await?;
            Ok(Text::new(Msg::PatientRegistered)
                .with("hash", hex::encode(id_hash))
                .with("salt", hex::encode(salt)))
        })
        .await,
    )
}

/// `POST /patient/guardianship`: `patient`, `action` (accept|resign): the acting account
/// accepts to be the patient's guardian, or steps down.
pub async fn guardianship(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let patient = ctx.principal_field(&fields, "patient", Msg::FieldPatient)?;
    let accept = match field(&fields, "action") {
        "accept" => true,
        "resign" => false,
        other => {
            return Err(PageError::BadRequest(
                Text::new(Msg::BadGuardianshipAction).with("action", other),
            ))
        }
    };
    let call = if accept {
        calls::accept_guardian(&patient)
    } else {
        calls::resign_guardian(&patient)
    };
    let (title, done) = if accept {
        (Msg::OpAcceptGuardianship, Msg::AcceptGuardianshipDone)
    } else {
        (Msg::OpResignGuardianship, Msg::ResignGuardianshipDone)
    };
    let title = Text::new(title).with("patient", &patient);
    // Nothing to accept without the patient's proposal, nothing to resign without the
    // role: `one_call` refuses it (422) before anything is signed.
    ops::one_call(&state, &ctx, "/patient", title, call, move |_| {
        Text::new(done).with("patient", &patient)
    })
    .await
}

/// `POST /patient/guardian`: `guardian`, `enabled` (true/false).
pub async fn guardian(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let guardian = ctx.principal_field(&fields, "guardian", Msg::FieldGuardian)?;
    let enabled = field(&fields, "enabled") != "false";
    // A guardian proposes or removes another guardian for its ward (`set-guardian-for`).
    let ward = ctx.ward(field(&fields, "for")).await?;
    let call = match &ward {
        Some(patient) => calls::set_guardian_for(patient, &guardian, enabled),
        None => calls::set_guardian(&guardian, enabled),
    };
    let call = call.map_err(|e| PageError::BadRequest(sdk::call(&e)))?;
    let title = match (enabled, &ward) {
        (true, None) => Text::new(Msg::OpProposeGuardian),
        (false, None) => Text::new(Msg::OpRemoveGuardian),
        (true, Some(p)) => Text::new(Msg::OpProposeGuardianWard).with("patient", p),
        (false, Some(p)) => Text::new(Msg::OpRemoveGuardianWard).with("patient", p),
    }
    .with("guardian", &guardian);
    Ok(ops::start(
        &state,
        &ctx.me,
        title,
        &back_to(&ward),
        move |h| async move {
            h.call(&call).await?;
            let done = if enabled {
                Msg::GuardianProposed
            } else {
                Msg::GuardianRemoved
            };
            Ok(Text::new(done).with("guardian", &guardian))
        },
    )
    .await)
}

/// `POST /patient/deactivate`: `confirm` must be `deactivate` (it cannot be undone); a
/// `for` naming a ward is refused (no guardian deactivates for its ward).
pub async fn deactivate(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    if field(&fields, "confirm") != "deactivate" {
        return Err(PageError::BadRequest(Msg::TypeDeactivate.into()));
    }
    // There is no `deactivate-for`: a form naming a ward must not close the acting
    // account's own registration instead.
    if ctx.ward(field(&fields, "for")).await?.is_some() {
        return Err(PageError::BadRequest(Msg::DeactivateNotForWard.into()));
    }
    let call = calls::deactivate().map_err(|e| PageError::BadRequest(sdk::call(&e)))?;
    Ok(ops::start(
        &state,
        &ctx.me,
        Msg::PatientDeactivateButton.into(),
        "/patient",
        move |h| async move {
            h.call(&call).await?;
            Ok(Msg::DeactivateDone.into())
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
    // A guardian sets it for its ward (`set-emergency-allowed-for`).
    let ward = ctx.ward(field(&fields, "for")).await?;
    let call = match &ward {
        Some(patient) => calls::set_emergency_allowed_for(patient, allowed),
        None => calls::set_emergency_allowed(allowed),
    };
    let call = call.map_err(|e| PageError::BadRequest(sdk::call(&e)))?;
    let title = match (allowed, &ward) {
        (true, None) => Text::new(Msg::OpAllowEmergency),
        (false, None) => Text::new(Msg::OpOptOutEmergency),
        (true, Some(p)) => Text::new(Msg::OpAllowEmergencyWard).with("patient", p),
        (false, Some(p)) => Text::new(Msg::OpOptOutEmergencyWard).with("patient", p),
    };
    Ok(ops::start(
        &state,
        &ctx.me,
        title,
        &back_to(&ward),
        move |h| async move {
            h.call(&call).await?;
            Ok(if allowed {
                Msg::EmergencyAllowedDone
            } else {
                Msg::EmergencyOptedOutDone
            }
            .into())
        },
    )
    .await)
}

/// `POST /patient/update-key`: `enc_pubkey` (hex; empty: the account's own key; a
/// guardian must give one), `for`, `confirm`. Without `confirm=yes` nothing is signed: the
/// answer is a page saying what the change does, with the button that confirms it.
pub async fn update_key(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let ward = ctx.ward(field(&fields, "for")).await?;
    let own = ctx.me.key().public_key();
    let key = super::enc_pubkey(&fields, "enc_pubkey", ward.is_none().then(|| own.clone()))?;
    if ward.is_some() && key == own {
        return Err(PageError::BadRequest(field_error(
            Msg::FieldEncryptionKey,
            Msg::GuardianOwnKey,
        )));
    }
    let patient = ward.clone().unwrap_or_else(|| ctx.principal());
    let registered = state
        .client
        .get_patient(&patient)
        .await?
        .filter(|p| p.active)
        .ok_or_else(|| {
            PageError::Unprocessable(Text::new(Msg::NotActivePatient).with("patient", &patient))
        })?;
    let new = hex::encode(key.to_bytes());
    if registered.enc_pubkey[..] == key.to_bytes()[..] {
        return Err(PageError::BadRequest(field_error(
            Msg::FieldEncryptionKey,
            Text::new(Msg::KeyAlreadyRegistered).with("key", &new),
        )));
    }
    if field(&fields, "confirm") != "yes" {
        let view = KeyChangeView {
            frame: ctx.frame(ctx.t(Msg::KeyChangeTitle), "/patient", None),
            action: views::action("/patient/update-key", &ctx.csrf),
            back: back_to(&ward),
            patient: ctx.party(&patient),
            current: hex::encode(registered.enc_pubkey),
            server_keeps: key == own,
            ward: ward.as_ref().map(|p| ctx.party(p)),
            new,
        };
        return views::respond(StatusCode::OK, &view);
    }
    let call = match &ward {
        Some(patient) => calls::update_enc_pubkey_for(patient, &key),
        None => calls::update_enc_pubkey(&key),
    };
    let back = back_to(&ward);
    let title = match &ward {
        None => Text::new(Msg::KeyChangeTitle),
        Some(p) => Text::new(Msg::OpReplaceKeyWard).with("patient", p),
    };
    ops::one_call(&state, &ctx, &back, title, call, move |_| {
        Text::new(Msg::PatientKeyReplaced).with("key", &new)
    })
    .await
}

/// The confirmation of `/patient/update-key`.
#[derive(Template)]
#[template(path = "key_change.html")]
struct KeyChangeView<'a> {
    frame: Frame<'a>,
    /// The form's action, with the CSRF token.
    action: String,
    /// Where "cancel" goes.
    back: String,
    patient: Party,
    /// The ward, when its guardian acts for it.
    ward: Option<Party>,
    /// The registered key, hex.
    current: String,
    /// The new key, hex.
    new: String,
    /// The new key is this server's key for the account: it still opens new records.
    server_keeps: bool,
}
