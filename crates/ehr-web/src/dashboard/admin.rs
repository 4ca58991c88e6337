//! `/admin`: issuers verify or suspend doctors; the admin sets issuers and verifiers and
//! hands its role over; verifiers verify patients.

use crate::dashboard::i18n::Msg;
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ehr_sdk::ehr::{calls, maps, EhrContract};
use ehr_sdk::keys::PublicKey;
use futures_util::StreamExt as _;

use super::home::doctor_state;
use super::views::{self, Frame, Party, StateWord};
use super::{field, ops, Fields};
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
        Err(e) => Standing::Unknown(e.to_string()),
    };
    let issuer = match &issuer {
        Ok(Some(i)) if i.enabled => word("ok", Msg::Enabled),
        Ok(Some(_)) => word("", Msg::Disabled),
        Ok(None) => word("", Msg::No),
        Err(e) => StateWord::new("failed", &e.to_string()),
    };
    let verifier = match &verifier {
        Ok(true) => word("ok", Msg::Enabled),
        Ok(false) => word("", Msg::No),
        Err(e) => StateWord::new("failed", &e.to_string()),
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

fn registry(fields: &Fields) -> Result<EhrContract, String> {
    match field(fields, "registry") {
        "patient" => Ok(EhrContract::PatientRegistry),
        "doctor" => Ok(EhrContract::DoctorRegistry),
        other => Err(format!("registry `{other}`: choose patient or doctor")),
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
            .map_err(|e| format!("successor: {e}"))?;
        Ok((r, successor))
    });
    let (contract, successor) = match checked {
        Ok(v) => v,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let call = calls::propose_admin(contract, &successor);
    let title = format!("Propose {successor} as administrator of {contract}");
    ops::one_call(&state, &ctx, "/admin", title, call, move |_| {
        format!(
            "{successor} proposed as administrator of {contract}: the role moves when it accepts."
        )
    })
    .await
}

/// `POST /admin/accept`: `registry` (patient|doctor).
pub async fn accept_admin(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let contract = match registry(&fields) {
        Ok(r) => r,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let call = calls::accept_admin(contract);
    let title = format!("Accept the administrator role of {contract}");
    ops::one_call(&state, &ctx, "/admin", title, call, move |_| {
        format!("You are now the administrator of {contract}.")
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
            .map_err(|e| format!("doctor: {e}"))?;
        let blocks = super::blocks(&fields, "expires_in", "valid for")?;
        if blocks == 0 || blocks > 10 * super::MAX_BLOCKS {
            return Err(format!(
                "valid for: give 1 to {} blocks",
                10 * super::MAX_BLOCKS
            ));
        }
        Ok((doctor, blocks))
    })();
    let (doctor, blocks) = match checked {
        Ok(v) => v,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    Ok(ops::start(
        &state,
        &ctx.me,
        format!("Verify doctor {doctor}"),
        "/admin",
        move |h| async move {
            let tip = h.tip().await?;
            let call = calls::verify_doctor(&doctor, tip + blocks).map_err(|e| e.to_string())?;
            h.call(&call).await?;
            Ok(format!(
                "Doctor {doctor} verified until block {}.",
                tip + blocks
            ))
        },
    )
    .await)
}

/// `POST /admin/suspend-doctor`: `doctor`.
pub async fn suspend_doctor(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let doctor = match ctx.resolve(field(&fields, "doctor")) {
        Ok(d) => d,
        Err(e) => return Err(PageError::BadRequest(format!("doctor: {e}"))),
    };
    let call = calls::suspend_doctor(&doctor);
    ops::one_call(
        &state,
        &ctx,
        "/admin",
        format!("Suspend doctor {doctor}"),
        call,
        move |_| format!("Doctor {doctor} suspended."),
    )
    .await
}

/// `POST /admin/verify-patient`: `patient`.
pub async fn verify_patient(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let patient = match ctx.resolve(field(&fields, "patient")) {
        Ok(d) => d,
        Err(e) => return Err(PageError::BadRequest(format!("patient: {e}"))),
    };
    let call = calls::verify_patient(&patient);
    ops::one_call(
        &state,
        &ctx,
        "/admin",
        format!("Verify patient {patient}"),
        call,
        move |_| format!("Patient {patient} verified."),
    )
    .await
}

/// `POST /admin/issuer`: `issuer`, `pubkey` (optional for our accounts), `enabled`.
pub async fn set_issuer(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let name = field(&fields, "issuer");
    let issuer = match ctx.resolve(name) {
        Ok(d) => d,
        Err(e) => return Err(PageError::BadRequest(format!("issuer: {e}"))),
    };
    let key_text = field(&fields, "pubkey").trim_start_matches("0x");
    let key = if key_text.is_empty() {
        let ours = state.identities.iter().find(|i| i.principal() == issuer);
        match ours {
            Some(i) => i.key().public_key(),
            None => {
                return Err(PageError::BadRequest(format!(
                "{issuer} is not one of this server's accounts: give its attestation public key"
            )))
            }
        }
    } else {
        match hex::decode(key_text)
            .ok()
            .and_then(|b| PublicKey::from_bytes(&b).ok())
        {
            Some(k) => k,
            None => {
                return Err(PageError::BadRequest(
                    "public key: give 33 bytes (compressed secp256k1) as 66 hex digits".into(),
                ))
            }
        }
    };
    let enabled = field(&fields, "enabled") != "false";
    let call = calls::set_issuer(&issuer, &key, enabled);
    let title = format!(
        "{} issuer {issuer}",
        if enabled { "Enable" } else { "Disable" }
    );
    ops::one_call(&state, &ctx, "/admin", title, call, move |_| {
        format!(
            "Issuer {issuer} {}.",
            if enabled { "enabled" } else { "disabled" }
        )
    })
    .await
}

/// `POST /admin/verifier`: `verifier`, `enabled`.
pub async fn set_verifier(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let verifier = match ctx.resolve(field(&fields, "verifier")) {
        Ok(d) => d,
        Err(e) => return Err(PageError::BadRequest(format!("verifier: {e}"))),
    };
    let enabled = field(&fields, "enabled") != "false";
    let call = calls::set_verifier(&verifier, enabled);
    let title = format!(
        "{} verifier {verifier}",
        if enabled { "Enable" } else { "Disable" }
    );
    ops::one_call(&state, &ctx, "/admin", title, call, move |_| {
        format!(
            "Verifier {verifier} {}.",
            if enabled { "enabled" } else { "disabled" }
        )
    })
    .await
}
