//! `/admin`: issuers verify or suspend doctors; the admin sets issuers and verifiers and
//! hands its role over; verifiers verify patients.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use ehr_sdk::ehr::{calls, maps, EhrContract};
use ehr_sdk::keys::PublicKey;
use futures_util::StreamExt as _;

use super::home::doctor_state;
use super::{field, number, ops, Fields};
use super::{Page, PageError, Posted};
use crate::html;
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
    let mut body = String::new();
    body.push_str(&html::fields(&[
        (
            "Registry admin",
            match &admin {
                Ok(a) if *a == me => "<span class=\"state ok\">you</span>".into(),
                Ok(a) => ctx.who(a),
                Err(e) => html::escape(&e.to_string()),
            },
        ),
        (
            "Credential issuer",
            match &issuer {
                Ok(Some(i)) if i.enabled => "<span class=\"state ok\">enabled</span>".into(),
                Ok(Some(_)) => "disabled".into(),
                Ok(None) => "no".into(),
                Err(e) => html::escape(&e.to_string()),
            },
        ),
        (
            "Patient verifier",
            match &verifier {
                Ok(true) => "<span class=\"state ok\">enabled</span>".into(),
                Ok(false) => "no".into(),
                Err(e) => html::escape(&e.to_string()),
            },
        ),
    ]));
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
    let rows: Vec<Vec<String>> = state
        .identities
        .iter()
        .zip(people)
        .map(|(i, (d, p, is))| {
            vec![
                html::escape(&i.name),
                html::principal(&i.address.to_string()),
                match p {
                    Some(p) if p.verified => "verified".into(),
                    Some(p) if p.active => "registered".into(),
                    Some(_) => "deactivated".into(),
                    None => "-".into(),
                },
                d.map(|d| html::escape(&doctor_state(&d, tip)))
                    .unwrap_or_else(|| "-".into()),
                match is {
                    Some(i) if i.enabled => "issuer".into(),
                    _ => String::new(),
                },
            ]
        })
        .collect();
    body.push_str(
        "<section aria-labelledby=\"people\"><h2 id=\"people\">This server's accounts</h2>",
    );
    body.push_str(&html::table(
        "Accounts",
        &["Name", "Address", "Patient", "Doctor", "Issuer"],
        &rows,
        "No accounts.",
    ));
    body.push_str("</section>");
    body.push_str(&ctx.datalist());

    body.push_str("<section aria-labelledby=\"issuer\"><h2 id=\"issuer\">Credential issuer</h2>");
    let fields = format!(
        "{}{}",
        html::input(
            "vd-doctor",
            "doctor",
            "Doctor (account name or address)",
            "text",
            "",
            "required list=\"accounts\" autocomplete=\"off\"",
            ""
        ),
        html::input(
            "vd-exp",
            "expires_in",
            "Credential valid for (blocks)",
            "number",
            "52560",
            "required min=\"1\"",
            "about 52,560 blocks a year"
        ),
    );
    body.push_str("<h3>Verify a doctor</h3>");
    body.push_str(&html::form(
        "/admin/verify-doctor",
        &ctx.csrf,
        &fields,
        "Verify doctor",
    ));
    body.push_str("<h3>Suspend a doctor</h3>");
    let fields = html::input(
        "sd-doctor",
        "doctor",
        "Doctor (account name or address)",
        "text",
        "",
        "required list=\"accounts\" autocomplete=\"off\"",
        "issuers and the admin may suspend",
    );
    body.push_str(&html::form(
        "/admin/suspend-doctor",
        &ctx.csrf,
        &fields,
        "Suspend doctor",
    ));
    body.push_str("</section>");

    body.push_str(
        "<section aria-labelledby=\"verifier\"><h2 id=\"verifier\">Patient verifier</h2>",
    );
    let fields = html::input(
        "vp-patient",
        "patient",
        "Patient (account name or address)",
        "text",
        "",
        "required list=\"accounts\" autocomplete=\"off\"",
        "after checking the identifier off chain",
    );
    body.push_str(&html::form(
        "/admin/verify-patient",
        &ctx.csrf,
        &fields,
        "Verify patient",
    ));
    body.push_str("</section>");

    let enabled = vec![
        ("true".to_string(), "enable".to_string()),
        ("false".to_string(), "disable".to_string()),
    ];
    body.push_str("<section aria-labelledby=\"admin\"><h2 id=\"admin\">Admin</h2><h3>Set a credential issuer</h3>");
    let fields = format!(
        "{}{}{}",
        html::input(
            "si-issuer",
            "issuer",
            "Issuer (account name or address)",
            "text",
            "",
            "required list=\"accounts\" autocomplete=\"off\"",
            ""
        ),
        html::input(
            "si-key",
            "pubkey",
            "Issuer's attestation public key (hex)",
            "text",
            "",
            "maxlength=\"68\" autocomplete=\"off\"",
            "33 bytes compressed; leave empty for one of this server's accounts"
        ),
        html::select(
            "si-enabled",
            "enabled",
            "Enable or disable",
            &enabled,
            "true"
        ),
    );
    body.push_str(&html::form(
        "/admin/issuer",
        &ctx.csrf,
        &fields,
        "Set issuer",
    ));
    body.push_str("<h3>Set a patient verifier</h3>");
    let fields = format!(
        "{}{}",
        html::input(
            "sv-verifier",
            "verifier",
            "Verifier (account name or address)",
            "text",
            "",
            "required list=\"accounts\" autocomplete=\"off\"",
            ""
        ),
        html::select(
            "sv-enabled",
            "enabled",
            "Enable or disable",
            &enabled,
            "true"
        ),
    );
    body.push_str(&html::form(
        "/admin/verifier",
        &ctx.csrf,
        &fields,
        "Set verifier",
    ));
    let registries = vec![
        (
            "patient".to_string(),
            "patient-registry (verifiers)".to_string(),
        ),
        (
            "doctor".to_string(),
            "doctor-registry (issuers)".to_string(),
        ),
    ];
    body.push_str("<h3>Hand the administrator role over</h3><p>In two steps: the current administrator proposes a successor, and the role moves only when the successor accepts.</p>");
    let fields = format!(
        "{}{}",
        html::select("ho-registry", "registry", "Registry", &registries, "doctor"),
        html::input(
            "ho-successor",
            "successor",
            "Successor (account name or address)",
            "text",
            "",
            "required list=\"accounts\" autocomplete=\"off\"",
            ""
        ),
    );
    body.push_str(&html::form(
        "/admin/propose",
        &ctx.csrf,
        &fields,
        "Propose successor",
    ));
    let fields = html::select("ha-registry", "registry", "Registry", &registries, "doctor");
    body.push_str(&html::form(
        "/admin/accept",
        &ctx.csrf,
        &fields,
        "Accept the administrator role",
    ));
    body.push_str("</section>");
    ctx.render("Issuer and admin", "/admin", &body)
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
        let blocks = number(&fields, "expires_in", "valid for")?;
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
