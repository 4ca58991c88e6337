//! The authorization endpoint: a signed-in dashboard user sees what an app asks for, in
//! words, picks the patient when the app asks for one, and approves or denies. The app
//! gets a one-time code (bound to its redirect URI and PKCE challenge) or
//! `error=access_denied` at its registered redirect URI, never anywhere else.

use crate::dashboard::i18n::{Msg, Text};
use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::listing;

use super::clients::Client;
use super::scopes::Scopes;
use crate::dashboard::views::{self, Frame};
use crate::dashboard::{Ctx, Page, PageError, Params, Posted};
use crate::state::AppState;

type Fields = HashMap<String, String>;

/// A checked authorization request.
struct AuthRequest {
    client: Client,
    redirect_uri: String,
    state: Option<String>,
    scopes: Scopes,
    challenge: String,
}

/// Why a request cannot go on: shown on the page (in the reader's language) when the
/// redirect URI cannot be trusted (unknown app or URI), else sent back to the app's
/// redirect URI (OAuth's `error_description`: for the app's developer, in English).
enum Refusal {
    Page(StatusCode, Text),
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
        description: String,
    },
}

fn param<'a>(p: &'a Fields, name: &str) -> Option<&'a str> {
    p.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

fn check(state: &AppState, headers: &HeaderMap, p: &Fields) -> Result<AuthRequest, Refusal> {
    let page = |why: Text| Refusal::Page(StatusCode::BAD_REQUEST, why);
    let client_id = param(p, "client_id").ok_or_else(|| page(Msg::SmartNoClientId.into()))?;
    let client = super::find_client(state, client_id)
        .map_err(|e| {
            Refusal::Page(
                StatusCode::INTERNAL_SERVER_ERROR,
                Text::new(Msg::SmartRegistryUnreadable).with("why", e),
            )
        })?
        .ok_or_else(|| page(Text::new(Msg::SmartUnknownApp).with("app", client_id)))?;
    let redirect_uri =
        param(p, "redirect_uri").ok_or_else(|| page(Msg::SmartNoRedirectUri.into()))?;
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(page(
            Text::new(Msg::SmartBadRedirectUri)
                .with("uri", redirect_uri)
                .with("app", client_id),
        ));
    }
    let back = |error: &'static str, description: String| Refusal::Redirect {
        redirect_uri: redirect_uri.to_string(),
        state: param(p, "state").map(str::to_string),
        error,
        description,
    };
    if param(p, "state").is_none() {
        return Err(back(
            "invalid_request",
            "state is required (SMART App Launch): the app checks it comes back".into(),
        ));
    }
    if param(p, "response_type") != Some("code") {
        return Err(back(
            "unsupported_response_type",
            "response_type must be `code`".into(),
        ));
    }
    let challenge = param(p, "code_challenge").ok_or_else(|| {
        back(
            "invalid_request",
            "PKCE is required: send code_challenge with code_challenge_method=S256".into(),
        )
    })?;
    if param(p, "code_challenge_method") != Some("S256") {
        return Err(back(
            "invalid_request",
            "code_challenge_method must be S256 (plain is not accepted)".into(),
        ));
    }
    // RFC 7636: a challenge is the base64url SHA-256 of the verifier, 43 characters.
    if challenge.len() != 43
        || !challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(back(
            "invalid_request",
            "code_challenge is not a base64url SHA-256 (43 characters)".into(),
        ));
    }
    let fhir_base = state.fhir_base(headers);
    match param(p, "aud") {
        Some(aud) if aud.trim_end_matches('/') == fhir_base => {}
        Some(aud) => {
            return Err(back(
                "invalid_request",
                format!("aud `{aud}` is not this FHIR server ({fhir_base})"),
            ))
        }
        None => {
            return Err(back(
                "invalid_request",
                format!("aud is required: this FHIR server's base, {fhir_base}"),
            ))
        }
    }
    if param(p, "launch").is_some() {
        return Err(back(
            "invalid_request",
            "EHR launch (`launch`) is not supported: launch the app standalone".into(),
        ));
    }
    let scopes = Scopes::parse(param(p, "scope").unwrap_or(""))
        .map_err(|e| back("invalid_scope", e.to_string()))?;
    scopes
        .check_grant_type(false)
        .map_err(|e| back("invalid_scope", e.to_string()))?;
    Ok(AuthRequest {
        client,
        redirect_uri: redirect_uri.to_string(),
        state: param(p, "state").map(str::to_string),
        scopes,
        challenge: challenge.to_string(),
    })
}

/// `redirect_uri` with `pairs` added to its query.
fn redirect_to(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(u) => u,
        Err(e) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the registered redirect URI does not parse: {e}"),
            )
                .into_response()
        }
    };
    url.query_pairs_mut().extend_pairs(pairs);
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(url.as_str()) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

fn refuse(refusal: Refusal) -> Result<Response, PageError> {
    match refusal {
        Refusal::Page(status, why) if status.is_server_error() => Err(PageError::Upstream(why)),
        Refusal::Page(_, why) => Err(PageError::BadRequest(why)),
        Refusal::Redirect {
            redirect_uri,
            state,
            error,
            description,
        } => {
            let mut pairs = vec![
                ("error", error),
                ("error_description", description.as_str()),
            ];
            if let Some(s) = &state {
                pairs.push(("state", s));
            }
            Ok(redirect_to(&redirect_uri, &pairs))
        }
    }
}

/// The patients the acting account may pick ([`listing::reachable_patients`]).
async fn patient_choices(ctx: &Ctx) -> Result<Vec<PrincipalData>, PageError> {
    listing::reachable_patients(&ctx.state.client, &ctx.principal())
        .await
        .map_err(|e| {
            PageError::Upstream(
                Text::new(Msg::SmartPatientsUnreadable)
                    .with_text("why", crate::dashboard::i18n::sdk::client(&e)),
            )
        })
}

/// `GET /oauth/authorize`: the approval page.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Page(ctx): Page,
    Params(params): Params,
) -> Result<Response, PageError> {
    let request = match check(&state, &headers, &params) {
        Ok(r) => r,
        Err(refusal) => return refuse(refusal),
    };
    let hidden: Vec<(&str, String)> = [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "aud",
        "code_challenge",
        "code_challenge_method",
    ]
    .into_iter()
    .filter_map(|name| params.get(name).map(|v| (name, v.clone())))
    .collect();
    let mut patients = Vec::new();
    if request.scopes.needs_patient() {
        let choices = patient_choices(&ctx).await?;
        if choices.is_empty() {
            return refuse(Refusal::Redirect {
                redirect_uri: request.redirect_uri,
                state: request.state,
                error: "access_denied",
                description: format!(
                    "{} is not a registered patient and holds no live grant from one: there is no patient to choose",
                    ctx.me.name
                ),
            });
        }
        patients = choices
            .iter()
            .map(|p| {
                let party = ctx.party(p);
                let text = match &party.name {
                    Some(n) => format!("{} ({n})", party.address),
                    None => party.address.clone(),
                };
                (party.address, text)
            })
            .collect();
    }
    let title = ctx
        .lang
        .f(Msg::SmartConnectTitle, &[("app", &request.client.name)]);
    let view = AuthorizeView {
        frame: ctx.frame(&title, "/apps", None),
        app_name: &request.client.name,
        client_id: &request.client.client_id,
        account: &ctx.me.name,
        abilities: request.scopes.describe(ctx.lang),
        hidden,
        patients,
        action: views::action(super::AUTHORIZE_PATH, &ctx.csrf),
    };
    let mut response = views::respond(StatusCode::OK, &view)?;
    // The form's answer redirects to the app: the page's policy must allow that target
    // (browsers apply `form-action` to the redirect too).
    if let Ok(url) = url::Url::parse(&request.redirect_uri) {
        response
            .extensions_mut()
            .insert(FormTarget(url.origin().ascii_serialization()));
    }
    Ok(response)
}

/// `GET /oauth/authorize`'s page.
#[derive(Template)]
#[template(path = "smart_authorize.html")]
struct AuthorizeView<'a> {
    frame: Frame<'a>,
    app_name: &'a str,
    client_id: &'a str,
    account: &'a str,
    /// What the scopes let the app do, in words.
    abilities: Vec<String>,
    /// The request's parameters, carried to the decision.
    hidden: Vec<(&'a str, String)>,
    /// (principal, text) of the patients the account may pick; empty: no choice asked.
    patients: Vec<(String, String)>,
    action: String,
}

/// The origin a page's form is answered with a redirect to; [`crate::auth::guard`] adds
/// it to that page's `form-action`.
#[derive(Debug, Clone)]
pub struct FormTarget(pub String);

/// `POST /oauth/authorize`: the decision. Everything is checked again (the form is the
/// user's, but its hidden fields could be edited), and the patient must be one the page
/// offered.
pub(super) async fn decide(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let request = match check(&state, &headers, &fields) {
        Ok(r) => r,
        Err(refusal) => return refuse(refusal),
    };
    let deny = |why: &str| {
        refuse(Refusal::Redirect {
            redirect_uri: request.redirect_uri.clone(),
            state: request.state.clone(),
            error: "access_denied",
            description: why.to_string(),
        })
    };
    match fields.get("decision").map(String::as_str) {
        Some("approve") => {}
        Some("deny") => return deny("the user denied the request"),
        _ => return Err(PageError::BadRequest(Msg::SmartChooseDecision.into())),
    }
    let patient = if request.scopes.needs_patient() {
        let Some(chosen) = fields
            .get("patient")
            .and_then(|p| PrincipalData::parse(p.trim()).ok())
        else {
            return Err(PageError::BadRequest(Msg::SmartChoosePatient.into()));
        };
        if !patient_choices(&ctx).await?.contains(&chosen) {
            return Err(PageError::Forbidden(
                Text::new(Msg::SmartMayNotChoose)
                    .with("account", &ctx.me.name)
                    .with("patient", &chosen),
            ));
        }
        Some(chosen)
    } else {
        None
    };
    let code = state.smart.approve(
        &request.client.client_id,
        &ctx.me.name,
        patient,
        request.scopes,
        &request.redirect_uri,
        &request.challenge,
    );
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = &request.state {
        pairs.push(("state", s));
    }
    Ok(redirect_to(&request.redirect_uri, &pairs))
}
