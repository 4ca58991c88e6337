//! `/admin`: issuers verify or suspend doctors; the admin sets issuers and verifiers and
//! hands its role over; verifiers verify patients.

use crate::dashboard::i18n::{sdk, Msg, Text};
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ehr_sdk::ehr::{calls, maps, ClientError, EhrContract};
use ehr_sdk::keys::PublicKey;
use futures_util::StreamExt as _;

use super::home::doctor_state;
use super::views::{self, Frame, Party, StateWord};
use super::{field, field_error, ops, Fields};
use super::{Page, PageError, Posted};
use crate::state::AppState;

/// `GET /admin`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
) -> Result<Response, PageError> {
    let me = ctx.principal();
    let c = state.client.clone();
    let (admin, issuer, verifier) = tokio::join!(
        c.doctor_registry_admin(),
        c.get_issuer(&me),
        c.is_verifier(&me)
    );
    let tip = ctx.tip.unwrap_or(0);
    let word = |class, word: Msg| StateWord::new(class, ctx.t(word));
    let admin = match &admin {
        Ok(a) if *a == me => Standing::Me,
        Ok(a) => Standing::Other(ctx.party(a)),
        Err(e) => Standing::Unknown(sdk::client(e).render(ctx.lang)),
    };
    let issuer = match &issuer {
        Ok(Some(i)) if i.enabled => word("ok", Msg::Enabled),
        Ok(Some(_)) => word("", Msg::Disabled),
        Ok(None) => word("", Msg::No),
        Err(e) => StateWord::new("failed", &sdk::client(e).render(ctx.lang)),
    };
    let verifier = match &verifier {
        Ok(true) => word("ok", Msg::Enabled),
        Ok(false) => word("", Msg::No),
        Err(e) => StateWord::new("failed", &sdk::client(e).render(ctx.lang)),
    };
    // The server's accounts and where they stand.
    let principals: Vec<_> = state.identities.iter().map(|i| i.principal()).collect();
    let people: Vec<_> = futures_util::stream::iter(principals)
        .map(|p| {
            let c = c.clone();
            async move {
                let (d, pt, is) =
                    tokio::join!(c.get_doctor(&p), c.get_patient(&p), c.get_issuer(&p));
                (d.ok().flatten(), pt.ok().flatten(), is.ok().flatten())
            }
        })
        .buffered(maps::CONCURRENT_READS)
        .collect()
        .await;
    let people = state
        .identities
        .iter()
        .zip(people)
        .map(|(i, (d, p, is))| AccountRow {
            name: i.name.clone(),
            address: i.address.to_string(),
            patient: match p {
                Some(p) if p.verified => ctx.t(Msg::Verified),
                Some(p) if p.active => ctx.t(Msg::Registered),
                Some(_) => ctx.t(Msg::Deactivated),
                None => "-",
            },
            doctor: d
                .map(|d| doctor_state(&d, tip, ctx.lang))
                .unwrap_or_else(|| "-".into()),
            issuer: match is {
                Some(i) if i.enabled => ctx.t(Msg::IssuerWord),
                _ => "",
            },
        })
        .collect();
    let view = AdminView {
        frame: ctx.frame(ctx.t(Msg::AdminTitle), "/admin", None),
        csrf: &ctx.csrf,
        admin,
        issuer,
        verifier,
        people,
    };
    views::respond(StatusCode::OK, &view)
}

/// Who administers the registries, for the acting account.
enum Standing {
    /// The acting account.
    Me,
    /// Another account.
    Other(Party),
    /// The node did not tell: why.
    Unknown(String),
}

/// One of the server's accounts and where it stands.
struct AccountRow {
    name: String,
    address: String,
    patient: &'static str,
    doctor: String,
    issuer: &'static str,
}

/// `/admin`.
#[derive(Template)]
#[template(path = "admin.html")]
struct AdminView<'a> {
    frame: Frame<'a>,
    csrf: &'a str,
    admin: Standing,
    issuer: StateWord,
    verifier: StateWord,
    people: Vec<AccountRow>,
}

impl AdminView<'_> {
    /// A form's action: `path` with the CSRF token.
    fn action(&self, path: &str) -> String {
        views::action(path, self.csrf)
    }
}

fn registry(fields: &Fields) -> Result<EhrContract, Text> {
    match field(fields, "registry") {
        "patient" => Ok(EhrContract::PatientRegistry),
        "doctor" => Ok(EhrContract::DoctorRegistry),
        other => Err(Text::new(Msg::BadRegistry).with("registry", other)),
    }
}

/// `POST /admin/propose`: `registry` (patient|doctor), `successor`.
pub async fn propose_admin(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let checked = registry(&fields).and_then(|r| {
        let successor = ctx
            .resolve(field(&fields, "successor"))
            .map_err(|e| field_error(Msg::FieldSuccessor, e))?;
        Ok((r, successor))
    });
    let (contract, successor) = checked.map_err(PageError::BadRequest)?;
    let call = calls::propose_admin(contract, &successor);
    let title = Text::new(Msg::OpProposeAdmin)
        .with("successor", &successor)
        .with("contract", contract);
    ops::one_call(&state, &ctx, "/admin", title, call, move |_| {
        Text::new(Msg::ProposeAdminDone)
            .with("successor", &successor)
            .with("contract", contract)
    })
    .await
}

/// `POST /admin/accept`: `registry` (patient|doctor).
pub async fn accept_admin(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let contract = registry(&fields).map_err(PageError::BadRequest)?;
    let call = calls::accept_admin(contract);
    let title = Text::new(Msg::OpAcceptAdmin).with("contract", contract);
    ops::one_call(&state, &ctx, "/admin", title, call, move |_| {
        Text::new(Msg::AcceptAdminDone).with("contract", contract)
    })
    .await
}

/// `POST /admin/verify-doctor`: `doctor`, `expires_in`.
pub async fn verify_doctor(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let checked = (|| {
        let doctor = ctx
            .resolve(field(&fields, "doctor"))
            .map_err(|e| field_error(Msg::FieldDoctor, e))?;
        let blocks = super::blocks(&fields, "expires_in", Msg::FieldValidFor)?;
        super::credential_blocks(blocks)?;
        Ok((doctor, blocks))
    })();
    let (doctor, blocks) = checked.map_err(PageError::BadRequest)?;
    // The expiry is counted from the tip now, so the call is known (and checked for what
    // the contract would refuse) before anything starts.
    let tip = state
        .client
        .node()
        .info()
        .await
        .map_err(ClientError::from)?
        .stacks_tip_height;
    let until = tip + blocks;
    let call = calls::verify_doctor(&doctor, until);
    let title = Text::new(Msg::OpVerifyDoctor).with("doctor", &doctor);
    ops::one_call(&state, &ctx, "/admin", title, call, move |_| {
        Text::new(Msg::VerifyDoctorDone)
            .with("doctor", &doctor)
            .with("block", until)
    })
    .await
}

/// `POST /admin/suspend-doctor`: `doctor`.
pub async fn suspend_doctor(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let doctor = ctx.principal_field(&fields, "doctor", Msg::FieldDoctor)?;
    let call = calls::suspend_doctor(&doctor);
    ops::one_call(
        &state,
        &ctx,
        "/admin",
        Text::new(Msg::OpSuspendDoctor).with("doctor", &doctor),
        call,
        move |_| Text::new(Msg::SuspendDoctorDone).with("doctor", &doctor),
    )
    .await
}

/// `POST /admin/verify-patient`: `patient`.
pub async fn verify_patient(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let patient = ctx.principal_field(&fields, "patient", Msg::FieldPatient)?;
    let call = calls::verify_patient(&patient);
    ops::one_call(
        &state,
        &ctx,
        "/admin",
        Text::new(Msg::OpVerifyPatient).with("patient", &patient),
        call,
        move |_| Text::new(Msg::VerifyPatientDone).with("patient", &patient),
    )
    .await
}

/// `POST /admin/issuer`: `issuer`, `pubkey` (optional for our accounts), `enabled`.
pub async fn set_issuer(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let name = field(&fields, "issuer");
    let issuer = ctx
        .resolve(name)
        .map_err(|e| PageError::BadRequest(field_error(Msg::FieldIssuer, e)))?;
    let key_text = field(&fields, "pubkey").trim_start_matches("0x");
    let key = if key_text.is_empty() {
        let ours = state.identities.iter().find(|i| i.principal() == issuer);
        match ours {
            Some(i) => i.key().public_key(),
            None => {
                return Err(PageError::BadRequest(
                    Text::new(Msg::IssuerNotOurs).with("issuer", &issuer),
                ))
            }
        }
    } else {
        match hex::decode(key_text)
            .ok()
            .and_then(|b| PublicKey::from_bytes(&b).ok())
        {
            Some(k) => k,
            None => {
                return Err(PageError::BadRequest(field_error(
                    Msg::FieldPublicKey,
                    Msg::GiveIssuerKey,
                )))
            }
        }
    };
    let enabled = field(&fields, "enabled") != "false";
    let call = calls::set_issuer(&issuer, &key, enabled);
    let (title, done) = if enabled {
        (Msg::OpEnableIssuer, Msg::IssuerEnabledDone)
    } else {
        (Msg::OpDisableIssuer, Msg::IssuerDisabledDone)
    };
    let title = Text::new(title).with("issuer", &issuer);
    ops::one_call(&state, &ctx, "/admin", title, call, move |_| {
        Text::new(done).with("issuer", &issuer)
    })
    .await
}

/// `POST /admin/verifier`: `verifier`, `enabled`.
pub async fn set_verifier(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let verifier = ctx.principal_field(&fields, "verifier", Msg::FieldVerifier)?;
    let enabled = field(&fields, "enabled") != "false";
    let call = calls::set_verifier(&verifier, enabled);
    let (title, done) = if enabled {
        (Msg::OpEnableVerifier, Msg::VerifierEnabledDone)
    } else {
        (Msg::OpDisableVerifier, Msg::VerifierDisabledDone)
    };
    let title = Text::new(title).with("verifier", &verifier);
    ops::one_call(&state, &ctx, "/admin", title, call, move |_| {
        Text::new(done).with("verifier", &verifier)
    })
    .await
}
