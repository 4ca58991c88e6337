//! The security layer in front of every route.
//!
//! - `Host` must name the address the server listens on (or a configured name): a web
//!   page on another origin that rebinds its DNS name to 127.0.0.1 is refused (421).
//! - The browser signs in once with the one-time login URL printed at start
//!   (`/?token=<code>`): the code is exchanged for a new random session id in an HttpOnly,
//!   SameSite=Lax cookie and is dead after that (Lax, not Strict, so that a SMART app on
//!   another site can send the signed-in user to the approval page; every state change is
//!   a POST with the CSRF token, and Lax keeps the cookie off cross-site POSTs). `/fhir` clients send
//!   `Authorization: Bearer <token>` (a separate token, never a cookie or in a URL), which
//!   also mints new login links (`POST /login-links`). Tokens are compared in constant
//!   time; codes and sessions are kept only as hashes.
//! - Every POST outside `/fhir` carries the CSRF token (`csrf` query parameter or
//!   `X-CSRF-Token` header); `/fhir` uses the bearer token, which a browser never sends
//!   by itself, so it needs none.
//! - Every answer has a `Content-Security-Policy` that allows scripts and styles from
//!   this server only (no inline script), denies framing, and sends no referrer.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::dashboard::i18n::{Lang, Msg};
use crate::smart::Caller;
use crate::state::{AppState, Identity};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "ehr_session";
/// The cookie that remembers which account the dashboard acts as.
pub const ACCOUNT_COOKIE: &str = "ehr_account";
/// The header a FHIR client names its acting account with (default: the first one).
pub const ACCOUNT_HEADER: &str = "x-ehr-account";
/// The header (or query parameter `csrf`) that carries the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The Content-Security-Policy of every answer.
pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Equal strings, compared without an early exit.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of cookie `name`.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn host_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let Some(bound) = state.bound() else {
        return false;
    };
    let port = bound.port();
    let mut allowed = vec![bound.to_string(), format!("localhost:{port}")];
    if bound.ip().is_loopback() {
        allowed.push(format!("127.0.0.1:{port}"));
    }
    if let Some(public) = state.public_host() {
        allowed.push(public.to_string());
    }
    for extra in &state.config.allowed_hosts {
        allowed.push(extra.clone());
        allowed.push(format!("{extra}:{port}"));
    }
    allowed.iter().any(|a| a.eq_ignore_ascii_case(host))
}

fn is_fhir(path: &str) -> bool {
    path == "/fhir" || path.starts_with("/fhir/")
}

/// The refusal for `path`: an OperationOutcome under `/fhir`, plain text elsewhere.
///
/// The language boundary: what `/fhir` (and SMART's OAuth endpoints) answers is for
/// programs (OperationOutcomes, OAuth errors, the bearer-token refusals below) and stays
/// in English; what a person meets in the browser goes through the dashboard's catalogue
/// ([`refuse_in_words`]).
pub fn refusal(path: &str, status: StatusCode, code: &str, message: &str) -> Response {
    if is_fhir(path) {
        crate::fhir::outcome(status, code, message)
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message.to_string(),
        )
            .into_response()
    }
}

/// The refusal for `path` of message `msg`: under `/fhir` in English, elsewhere in the
/// language of the request (`headers`: the language cookie, else `Accept-Language`).
fn refuse_in_words(
    path: &str,
    headers: &HeaderMap,
    status: StatusCode,
    code: &str,
    msg: Msg,
) -> Response {
    let lang = if is_fhir(path) {
        Lang::En
    } else {
        Lang::of(headers)
    };
    refusal(path, status, code, lang.t(msg))
}

/// `POST /login-links` with the bearer token: a new one-time login URL, as text.
pub const LOGIN_LINKS_PATH: &str = "/login-links";

fn bearer(request: &Request) -> Option<&str> {
    request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The middleware: Host, access token, CSRF, security headers.
pub async fn guard(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = check(&state, request, next, &path).await;
    security_headers(response.headers_mut(), CSP, "no-store");
    // A form answered with a redirect elsewhere (SMART approval): browsers apply
    // `form-action` to the redirect, so that page's policy names the target too.
    if let Some(target) = response
        .extensions()
        .get::<crate::smart::FormTarget>()
        .cloned()
    {
        let csp = CSP.replace(
            "form-action 'self'",
            &format!("form-action 'self' {}", target.0),
        );
        if let Ok(v) = HeaderValue::from_str(&csp) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    response
}

/// The security headers every answer of `ehr serve` and `ehr store serve` carries, with
/// the server's content security policy and caching rule.
pub fn security_headers(
    headers: &mut axum::http::HeaderMap,
    csp: &'static str,
    cache: &'static str,
) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
}

async fn check(state: &AppState, mut request: Request, next: Next, path: &str) -> Response {
    if !host_allowed(state, request.headers()) {
        return refuse_in_words(
            path,
            request.headers(),
            StatusCode::MISDIRECTED_REQUEST,
            "forbidden",
            Msg::RefusedHost,
        );
    }
    // The proof verifier is public: it needs no account, writes nothing, and only reads
    // the chain (no session, no CSRF token).
    // SMART discovery, the token and revocation endpoints authenticate themselves (a
    // code with its PKCE verifier, a refresh token, a signed assertion): no session.
    // The language switch only sets a cookie naming a language: no session either.
    if path == crate::dashboard::proofs::VERIFY_PATH
        || path == crate::dashboard::i18n::SWITCH_PATH
        || crate::smart::is_open_path(path)
    {
        return next.run(request).await;
    }
    let token = state.access_token();
    if is_fhir(path) {
        // The CapabilityStatement is public: a SMART client reads it to find where to
        // authorize before it has a token.
        if path == "/fhir/metadata" && request.method() == Method::GET {
            return next.run(request).await;
        }
        let caller = match bearer(&request) {
            Some(given) if constant_time_eq(given, token) => Some(Caller::Admin),
            // An app removed from the registry (`ehr smart remove-app`) is cut off at once.
            Some(given) => state
                .smart
                .access(given)
                .filter(|g| crate::smart::registered(state, &g.client_id))
                .map(Caller::App),
            None => None,
        };
        let Some(caller) = caller else {
            let mut refused = refusal(
                path,
                StatusCode::UNAUTHORIZED,
                "login",
                "missing, wrong, expired or revoked bearer token: send `Authorization: Bearer <token>` with the token `ehr serve` printed or a SMART access token",
            );
            refused.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"fhir\", error=\"invalid_token\""),
            );
            return refused;
        };
        if let Caller::App(grant) = &caller {
            let named = request
                .headers()
                .get(ACCOUNT_HEADER)
                .and_then(|v| v.to_str().ok());
            if named.is_some_and(|n| n != grant.account) {
                return refusal(
                    path,
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    &format!(
                        "this access token acts as `{}` only (X-Ehr-Account names another account)",
                        grant.account
                    ),
                );
            }
        }
        request.extensions_mut().insert(caller);
        return next.run(request).await;
    }
    // The bearer token mints a new one-time login link (a browser that lost its session):
    // a program's call (curl), answered in English like `/fhir`.
    if path == LOGIN_LINKS_PATH && request.method() == Method::POST {
        return match bearer(&request) {
            Some(given) if constant_time_eq(given, token) => {
                let code = state.new_login_code();
                let origin = state.origin(request.headers());
                (StatusCode::CREATED, format!("{origin}/?token={code}\n")).into_response()
            }
            _ => refusal(
                path,
                StatusCode::UNAUTHORIZED,
                "login",
                "missing or wrong bearer token: send `Authorization: Bearer <token>` with the token `ehr serve` printed",
            ),
        };
    }
    // The browser's first visit: the one-time code in the URL is exchanged for a new
    // random session id, in an HttpOnly cookie; the code is dead after that.
    if let Some(given) = query_param(request.uri().query(), "token") {
        if request.method() == Method::GET {
            if let Some(session) = state.redeem_login(given) {
                // Back to the page the link named, on this site: one leading slash
                // (`//host/...` or `/\host/...` would send the browser to another site).
                let back = format!("/{}", path.trim_start_matches(['/', '\\']));
                let mut response = Redirect::to(&back).into_response();
                let cookie = format!(
                    "{SESSION_COOKIE}={session}; HttpOnly; SameSite=Lax; Path=/{}",
                    state.cookie_security()
                );
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().insert(header::SET_COOKIE, v);
                }
                return response;
            }
        }
        return refuse_in_words(
            path,
            request.headers(),
            StatusCode::UNAUTHORIZED,
            "login",
            Msg::RefusedLoginLink,
        );
    }
    match cookie(request.headers(), SESSION_COOKIE) {
        Some(given) if state.session_valid(given) => {}
        _ => {
            return refuse_in_words(
                path,
                request.headers(),
                StatusCode::UNAUTHORIZED,
                "login",
                Msg::RefusedNotSignedIn,
            )
        }
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let given = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .or_else(|| query_param(request.uri().query(), "csrf"));
        if !given.is_some_and(|g| constant_time_eq(g, &state.csrf_token())) {
            return refuse_in_words(
                path,
                request.headers(),
                StatusCode::FORBIDDEN,
                "forbidden",
                Msg::ErrorCsrf,
            );
        }
    }
    next.run(request).await
}

/// The identity a request acts as: the `X-Ehr-Account` header (FHIR clients) or the
/// `ehr_account` cookie (the dashboard), else the first identity.
pub fn acting<'a>(state: &'a AppState, headers: &HeaderMap) -> Option<&'a Identity> {
    let named = headers
        .get(ACCOUNT_HEADER)
        .and_then(|v| v.to_str().ok())
        .or_else(|| cookie(headers, ACCOUNT_COOKIE));
    match named {
        Some(name) => state.identity(name),
        None => state.identities.first(),
    }
}
