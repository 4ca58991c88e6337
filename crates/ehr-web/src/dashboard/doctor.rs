//! `/doctor`: registration (salted licence hash), credential state and expiry, request
//! access, the patients and records it may read, emergency access, the encryption key.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use ehr_sdk::ehr::calls;
use ehr_sdk::ehr::listing::{self, Side};

use super::access::{page_of, token_state};
use super::home::doctor_state;
use super::patient::random32;
use super::{field, number, ops, page_number, pages_for, scope_of};
use super::{Page, PageError, Params, Posted};
use crate::html;
use crate::state::AppState;

/// `GET /doctor?page=&rpage=`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let me = ctx.principal();
    let c = state.client.clone();
    let doctor = match c.get_doctor(&me).await {
        Ok(d) => d,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let mut body = String::new();
    let Some(d) = doctor else {
        body.push_str(&html::notice(
            "info",
            "This account is not a registered doctor.",
        ));
        body.push_str("<section aria-labelledby=\"reg\"><h2 id=\"reg\">Register as a doctor</h2><p>Only sha256(salt ++ licence) goes on chain; the salt is shown once, for you and your credential issuer.</p>");
        let fields = format!(
            "{}{}",
            html::input(
                "dr-lic",
                "license",
                "Licence number",
                "text",
                "",
                "required maxlength=\"200\" autocomplete=\"off\"",
                ""
            ),
            html::input(
                "dr-spec",
                "specialty",
                "Specialty",
                "text",
                "general practice",
                "required maxlength=\"64\"",
                ""
            ),
        );
        body.push_str(&html::form(
            "/doctor/register",
            &ctx.csrf,
            &fields,
            "Register",
        ));
        body.push_str("</section>");
        return ctx.render("Doctor", "/doctor", &body);
    };
    let tip = ctx.tip.unwrap_or(0);
    let verified_now = d.is_verified_at(tip + 1);
    body.push_str("<section aria-labelledby=\"cred\"><h2 id=\"cred\">Credential</h2>");
    body.push_str(&html::fields(&[
        ("Doctor", ctx.who(&me)),
        ("Specialty", html::escape(&d.specialty)),
        (
            "Credential",
            format!(
                "<span class=\"state {}\">{}</span>",
                if verified_now { "ok" } else { "failed" },
                html::escape(&doctor_state(&d, tip))
            ),
        ),
        (
            "Expires",
            if d.verified {
                format!("block {}", d.expires_at)
            } else {
                "-".into()
            },
        ),
        (
            "Verified by",
            d.verified_by
                .as_ref()
                .map(|p| ctx.who(p))
                .unwrap_or_else(|| "-".into()),
        ),
        ("Registered", format!("block {}", d.registered_at)),
        (
            "Licence hash",
            format!(
                "<code class=\"hash\">{}</code>",
                hex::encode(d.license_hash)
            ),
        ),
    ]));
    if !verified_now {
        body.push_str(&html::notice("warn", "Until a credential issuer verifies you, patients cannot grant you access and you cannot request it."));
    }
    body.push_str("</section>");

    // Patients it may read.
    // Every token it was given (a grant, or a patient's own token transferred to it);
    // the rows keep those it still holds.
    let ids = match listing::token_ids(&c, &me, Side::Counterpart).await {
        Ok(v) => v,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let pages = pages_for(ids.len() as u64);
    let page = page_number(&q, "page", pages, 1);
    let tokens = match listing::tokens_by_id(&c, &page_of(&ids, page), &me, Side::Counterpart).await
    {
        Ok(t) => t,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let mut rows = Vec::new();
    for t in tokens {
        let live = t.state_at(tip + 1) == ehr_sdk::ehr::types::TokenState::Active;
        rows.push(vec![
            format!("#{}", t.id),
            ctx.who_cell(&t.patient),
            html::escape(&t.scope.to_string()),
            html::escape(t.record_type.as_deref().unwrap_or("all")),
            format!("block {}", t.expires_at),
            html::state(&token_state(&t, tip)),
            if live {
                format!(
                    "<a href=\"/records?patient={}\">Records</a>",
                    html::url_encode(&t.patient.to_string())
                )
            } else {
                String::new()
            },
        ]);
    }
    body.push_str("<section aria-labelledby=\"key\"><h2 id=\"key\">Encryption key</h2><p>Replace a lost or leaked key: records shared from now on are wrapped to the new one.</p>");
    let fields = html::input(
        "uk-key",
        "enc_pubkey",
        "New encryption public key (hex)",
        "text",
        "",
        "maxlength=\"68\" autocomplete=\"off\"",
        "33 bytes compressed; leave empty for this account's own key",
    );
    body.push_str(&html::form(
        "/doctor/update-key",
        &ctx.csrf,
        &fields,
        "Replace key",
    ));
    body.push_str("</section>");
    body.push_str("<section aria-labelledby=\"patients\"><h2 id=\"patients\">Patients you may read</h2><p>Your access tokens, newest first. Reading a record logs a view on chain.</p>");
    body.push_str(&html::table(
        "Access tokens held",
        &[
            "Token",
            "Patient",
            "Scope",
            "Record type",
            "Expires",
            "State",
            "",
        ],
        &rows,
        "No access tokens: ask a patient with a request below.",
    ));
    body.push_str(&html::pager("/doctor", "page", page, pages));
    body.push_str("</section>");

    // Request access.
    body.push_str("<section aria-labelledby=\"request\"><h2 id=\"request\">Request access</h2>");
    let fields = format!(
        "{}{}<fieldset><legend>Scope</legend>{}{}{}</fieldset>{}{}",
        html::input(
            "rq-patient",
            "patient",
            "Patient (account name or address)",
            "text",
            "",
            "required list=\"accounts\" autocomplete=\"off\"",
            ""
        ),
        ctx.datalist(),
        html::checkbox("rq-read", "read", "read", true),
        html::checkbox("rq-write", "write", "write", false),
        html::checkbox("rq-share", "share", "share", false),
        html::input(
            "rq-dur",
            "duration",
            "Duration after approval (blocks)",
            "number",
            "1000",
            "required min=\"1\" max=\"52560\"",
            "about 144 blocks a day"
        ),
        html::input(
            "rq-reason",
            "reason",
            "Reason (shown to the patient)",
            "text",
            "",
            "required maxlength=\"128\"",
            ""
        ),
    );
    body.push_str(&html::form(
        "/doctor/request",
        &ctx.csrf,
        &fields,
        "Send request",
    ));
    body.push_str("</section>");

    // My requests.
    let requests = match listing::request_ids(&c, &me, Side::Counterpart).await {
        Ok(r) => r,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let rpages = pages_for(requests.len() as u64);
    let rpage = page_number(&q, "rpage", rpages, 1);
    let read = match listing::requests_by_id(&c, &page_of(&requests, rpage)).await {
        Ok(r) => r,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let mut rows = Vec::new();
    for r in read {
        rows.push(vec![
            format!("#{}", r.id),
            ctx.who_cell(&r.patient),
            html::escape(&r.scope.to_string()),
            r.duration.to_string(),
            html::escape(&r.reason),
            format!(
                "{}{}",
                html::escape(&r.status.to_string()),
                r.token_id
                    .map(|t| format!(": token #{t}"))
                    .unwrap_or_default()
            ),
        ]);
    }
    body.push_str("<section aria-labelledby=\"myreq\"><h2 id=\"myreq\">Your requests</h2>");
    body.push_str(&html::table(
        "Requests, newest first",
        &["Request", "Patient", "Scope", "Blocks", "Reason", "Status"],
        &rows,
        "No requests.",
    ));
    body.push_str(&html::pager("/doctor", "rpage", rpage, rpages));
    body.push_str("</section>");

    // Emergency.
    body.push_str("<section aria-labelledby=\"emerg\"><h2 id=\"emerg\">Emergency access</h2><p>Short read-only access (144 blocks) to a patient who has not opted out; always audited and notified to the patient and guardians. You still need the record keys shared to decrypt.</p>");
    let fields = format!(
        "{}{}",
        html::input(
            "em-patient",
            "patient",
            "Patient (account name or address)",
            "text",
            "",
            "required list=\"accounts\" autocomplete=\"off\"",
            ""
        ),
        html::input(
            "em-reason",
            "reason",
            "Reason",
            "text",
            "",
            "required maxlength=\"128\"",
            "kept as a hash in the audit log"
        ),
    );
    body.push_str(&html::form(
        "/doctor/emergency",
        &ctx.csrf,
        &fields,
        "Request emergency access",
    ));
    body.push_str("</section>");
    ctx.render("Doctor", "/doctor", &body)
}

/// `POST /doctor/register`: `license`, `specialty`.
pub async fn register(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let license = field(&fields, "license").to_string();
    if license.is_empty() {
        return Err(PageError::BadRequest(
            "licence: give the licence number to hash".into(),
        ));
    }
    let specialty = match field(&fields, "specialty") {
        "" => "general practice".to_string(),
        s => s.to_string(),
    };
    let salt = random32();
    let license_hash = ehr_sdk::disclosure::commitment(&salt, license.as_bytes());
    let call = calls::register_doctor(&license_hash, &ctx.me.key().public_key(), &specialty);
    ops::one_call(&state, &ctx, "/doctor", "Register as a doctor".into(), call, move |_| {
        format!(
            "Registered. Licence hash {}; salt {} (keep it: your issuer needs it to check the licence).",
            hex::encode(license_hash),
            hex::encode(salt)
        )
    })
    .await
}

/// `POST /doctor/request`: `patient`, `read`/`write`/`share`, `duration`, `reason`.
pub async fn request(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let checked = (|| {
        let patient = ctx
            .resolve(field(&fields, "patient"))
            .map_err(|e| format!("patient: {e}"))?;
        let scope = scope_of(&fields)?;
        let duration = number(&fields, "duration", "duration")?;
        let reason = field(&fields, "reason").to_string();
        if reason.is_empty() {
            return Err("reason: say why (the patient sees it)".to_string());
        }
        Ok((patient, scope, duration, reason))
    })();
    let (patient, scope, duration, reason) = match checked {
        Ok(v) => v,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let call = calls::request_access(&patient, scope, duration, &reason);
    ops::one_call(
        &state,
        &ctx,
        "/doctor",
        format!("Request {scope} access to {patient}"),
        call,
        move |m| match m.id() {
            Ok(id) => format!("Request #{id} sent to {patient}."),
            Err(_) => format!("Request sent to {patient}."),
        },
    )
    .await
}

/// `POST /doctor/emergency`: `patient`, `reason`.
pub async fn emergency(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let patient = match ctx.resolve(field(&fields, "patient")) {
        Ok(p) => p,
        Err(e) => return Err(PageError::BadRequest(format!("patient: {e}"))),
    };
    let reason = field(&fields, "reason").to_string();
    if reason.is_empty() {
        return Err(PageError::BadRequest(
            "reason: say why (it is audited)".into(),
        ));
    }
    let call = calls::emergency_access(&patient, &reason);
    ops::one_call(&state, &ctx, "/doctor", format!("Emergency access to {patient}"), call, move |m| {
        format!(
            "Emergency access to {patient}: token #{} (read only, 144 blocks; the patient and guardians are notified).",
            m.id().map(|i| i.to_string()).unwrap_or_else(|_| "?".into())
        )
    })
    .await
}

/// `POST /doctor/update-key`: `enc_pubkey` (hex; empty: the account's own key).
pub async fn update_key(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let text = field(&fields, "enc_pubkey").trim();
    let key = if text.is_empty() {
        Ok(ctx.me.key().public_key())
    } else {
        hex::decode(text.trim_start_matches("0x"))
            .map_err(|e| e.to_string())
            .and_then(|b| ehr_sdk::keys::PublicKey::from_bytes(&b).map_err(|e| e.to_string()))
            .map_err(|e| {
                format!("encryption key: {e}: give 33 bytes of a compressed public key in hex")
            })
    };
    let key = match key {
        Ok(k) => k,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let call = calls::update_doctor_enc_pubkey(&key);
    ops::one_call(
        &state,
        &ctx,
        "/doctor",
        "Replace the encryption key".to_string(),
        call,
        |_| {
            "Encryption key replaced: records shared from now on are wrapped to the new key."
                .to_string()
        },
    )
    .await
}
