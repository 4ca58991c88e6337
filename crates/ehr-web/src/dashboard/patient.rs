//! `/patient`: registration (with a salted identifier hash), verification state,
//! guardians, emergency opt-out.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use ehr_sdk::ehr::calls;
use rand_core::RngCore as _;

use super::{field, ops};
use super::{Page, PageError, Posted};
use crate::html;
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
    let mut body = String::new();
    let Some(p) = patient else {
        body.push_str(&html::notice(
            "info",
            "This account is not a registered patient.",
        ));
        body.push_str("<section aria-labelledby=\"reg\"><h2 id=\"reg\">Register as a patient</h2>");
        body.push_str("<p>The identifier (national id, phone number...) never goes on chain: only sha256(salt ++ identifier), with a random salt shown once for you to keep. Records are encrypted to this account's key.</p>");
        let fields = html::input(
            "reg-id",
            "identifier",
            "Identifier",
            "text",
            "",
            "required maxlength=\"200\" autocomplete=\"off\"",
            "e.g. a phone number; it stays in this server",
        );
        body.push_str(&html::form(
            "/patient/register",
            &ctx.csrf,
            &fields,
            "Register",
        ));
        body.push_str("</section>");
        return ctx.render("Patient", "/patient", &body);
    };
    let guardians = guardians.unwrap_or_default();
    let emergency = emergency.ok();
    body.push_str("<section aria-labelledby=\"reg\"><h2 id=\"reg\">Registration</h2>");
    body.push_str(&html::fields(&[
        ("Patient", ctx.who(&me)),
        ("Active", if p.active { "yes".into() } else { "no (deactivated)".into() }),
        (
            "Verified",
            match &p.verified_by {
                Some(by) if p.verified => format!("<span class=\"state ok\">yes</span>, by {}", ctx.who(by)),
                _ => "<span class=\"state pending\">no</span> (a verifier checks the identifier off chain)".into(),
            },
        ),
        ("Registered", format!("block {}", p.registered_at)),
        ("Identifier hash", format!("<code class=\"hash\">{}</code>", hex::encode(p.id_hash))),
        ("Encryption key", format!("<code class=\"hash\">{}</code>", hex::encode(p.enc_pubkey))),
        (
            "Records",
            format!("<a href=\"/records\">{}</a>", records.map(|n| n.to_string()).unwrap_or_else(|_| "?".into())),
        ),
    ]));
    body.push_str("</section>");

    body.push_str("<section aria-labelledby=\"guardians\"><h2 id=\"guardians\">Guardians</h2><p>A guardian acts for you in the patient-side functions once it accepts your proposal (at most 5); it never grants itself access, cannot deactivate you, and you are told of everything it does.</p>");
    let rows: Vec<Vec<String>> = guardians
        .iter()
        .map(|g| {
            vec![
                ctx.who_cell(g),
                html::button_form(
                    "/patient/guardian",
                    &ctx.csrf,
                    &[("guardian", g.to_string()), ("enabled", "false".into())],
                    "Remove",
                    "danger",
                ),
            ]
        })
        .collect();
    body.push_str(&html::table(
        "Guardians",
        &["Guardian", ""],
        &rows,
        "No guardians.",
    ));
    let fields = format!(
        "{}{}<input type=\"hidden\" name=\"enabled\" value=\"true\">",
        html::input(
            "guardian-add",
            "guardian",
            "Guardian (account name or address)",
            "text",
            "",
            "required list=\"accounts\" autocomplete=\"off\"",
            ""
        ),
        ctx.datalist()
    );
    body.push_str(&html::form(
        "/patient/guardian",
        &ctx.csrf,
        &fields,
        "Add guardian",
    ));
    body.push_str("<h3>Guardian of another patient</h3><p>Accept a patient's proposal to act for it, or step down. The patient is told either way.</p>");
    let actions = vec![
        ("accept".to_string(), "accept the proposal".to_string()),
        ("resign".to_string(), "step down".to_string()),
    ];
    let fields = format!(
        "{}{}",
        html::input(
            "gs-patient",
            "patient",
            "Patient (account name or address)",
            "text",
            "",
            "required list=\"accounts\" autocomplete=\"off\"",
            ""
        ),
        html::select("gs-action", "action", "Action", &actions, "accept"),
    );
    body.push_str(&html::form(
        "/patient/guardianship",
        &ctx.csrf,
        &fields,
        "Confirm",
    ));
    body.push_str("</section>");

    body.push_str(
        "<section aria-labelledby=\"emergency\"><h2 id=\"emergency\">Emergency access</h2>",
    );
    match emergency {
        Some(true) => {
            body.push_str("<p>Emergency access is <strong>allowed</strong>: a verified doctor may get short read-only access, always audited and notified to you and your guardians.</p>");
            body.push_str(&html::button_form(
                "/patient/emergency",
                &ctx.csrf,
                &[("allowed", "false".into())],
                "Opt out of emergency access",
                "danger",
            ));
        }
        Some(false) => {
            body.push_str("<p>You have <strong>opted out</strong> of emergency access.</p>");
            body.push_str(&html::button_form(
                "/patient/emergency",
                &ctx.csrf,
                &[("allowed", "true".into())],
                "Allow emergency access again",
                "",
            ));
        }
        None => body.push_str(&html::notice(
            "error",
            "The emergency setting could not be read.",
        )),
    }
    let _ = write!(body, "</section>");
    ctx.render("Patient", "/patient", &body)
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
