//! Doctor verification with an issuer's attestation ([`ehr_sdk::ehr::attest`]): on
//! `/admin` an issuer signs an attestation for a doctor (no transaction: the page shows
//! the signature to hand over); on `/doctor` the doctor submits it with
//! `verify-with-attestation`. An attestation the contract would refuse (expired, signed
//! by another key or for another doctor, an issuer not enabled, submitted already) is
//! refused before anything is signed, with the reason.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ehr_sdk::ehr::attest::{self, AttestError};

use super::i18n::{sdk, Msg, Text};
use super::views::{self, Frame, Party};
use super::{field, number, ops};
use super::{PageError, Posted};
use crate::state::AppState;

/// An [`AttestError`] as the page it answers with: a malformed signature is the client's
/// typing (400), a signature that is not the issuer's is refused (403), what cannot be
/// done as asked is a 422, and the node's failure a 502.
fn refused(e: AttestError) -> PageError {
    let words = sdk::attest(&e);
    match e {
        AttestError::Client(_) => PageError::Upstream(words),
        AttestError::Malformed(_) => PageError::BadRequest(words),
        AttestError::WrongSigner { .. } => PageError::Forbidden(words),
        AttestError::NotADoctor(_)
        | AttestError::NotAnIssuer(_)
        | AttestError::Suspended(_)
        | AttestError::Expired { .. }
        | AttestError::Used => PageError::Unprocessable(words),
    }
}

/// `POST /admin/attest`: `doctor`, `expires_in` (blocks or days). The acting account, an
/// issuer, signs an attestation for the doctor; nothing goes on chain.
pub async fn sign(
    State(state): State<Arc<AppState>>,
    Posted(mut ctx, fields): Posted,
) -> Result<Response, PageError> {
    let doctor = ctx.principal_field(&fields, "doctor", Msg::FieldDoctor)?;
    let blocks = super::blocks(&fields, "expires_in", Msg::FieldValidFor)
        .and_then(|b| super::credential_blocks(b).map(|()| b))
        .map_err(PageError::BadRequest)?;
    ctx.read_frame().await;
    let tip = ctx
        .tip
        .ok_or_else(|| PageError::Upstream(Msg::NoChainTip.into()))?;
    let expires_at = tip + blocks;
    let signed = attest::sign(&state.client, ctx.me.key(), &doctor, expires_at)
        .await
        .map_err(refused)?;
    let issuer_enabled = matches!(
        state.client.get_issuer(&ctx.principal()).await,
        Ok(Some(i)) if i.enabled
    );
    let view = AttestationView {
        frame: ctx.frame(ctx.t(Msg::AttestTitle), "/admin", None),
        doctor: ctx.party(&doctor),
        issuer: ctx.party(&ctx.principal()),
        expires_at,
        expires_when: ctx.when(expires_at),
        hash: hex::encode(signed.hash),
        signature: hex::encode(signed.signature),
        issuer_enabled,
    };
    views::respond(StatusCode::OK, &view)
}

/// The signed attestation, to hand to the doctor.
#[derive(Template)]
#[template(path = "attestation.html")]
struct AttestationView<'a> {
    frame: Frame<'a>,
    doctor: Party,
    issuer: Party,
    expires_at: u64,
    expires_when: Option<String>,
    hash: String,
    signature: String,
    /// Whether the signer is an enabled issuer now (else the contract will refuse it).
    issuer_enabled: bool,
}

/// `POST /doctor/attest`: `issuer`, `expires_at` (the block the attestation names),
/// `signature`. The acting account, a registered doctor, submits an issuer's attestation.
pub async fn submit(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let issuer = ctx.principal_field(&fields, "issuer", Msg::FieldIssuer)?;
    let expires_at =
        number(&fields, "expires_at", Msg::FieldExpiresAt).map_err(PageError::BadRequest)?;
    let signature = attest::parse_signature(field(&fields, "signature")).map_err(refused)?;
    let call = attest::submission(
        &state.client,
        &ctx.principal(),
        &issuer,
        expires_at,
        &signature,
    )
    .await
    .map_err(refused)?;
    ops::one_call(
        &state,
        &ctx,
        "/doctor",
        Text::new(Msg::OpSubmitAttestation).with("issuer", &issuer),
        Ok(call),
        move |_| {
            Text::new(Msg::SubmitAttestationDone)
                .with("issuer", &issuer)
                .with("block", expires_at)
        },
    )
    .await
}
