//! [`PageError`]: why a dashboard request failed, as one type every handler and extractor
//! returns. It answers with its status; [`error_pages`] (a layer on the dashboard's routes)
//! turns that answer into the whole error page, with the page frame of the account the
//! request acted as.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use ehr_sdk::ehr::preflight::{PreflightError, Refusal};

use super::i18n::{sdk, Lang, Msg, Text};
use super::Ctx;
use crate::state::AppState;

/// Why a dashboard request failed. A client's mistake is a 4xx; only the node, the
/// stores or the server's own fault make a 5xx. Each carries its words as a [`Text`], in
/// no language yet: [`PageError::message`] renders them in the reader's, `Display` in
/// English (for logs).
#[derive(Debug, Clone, thiserror::Error)]
pub enum PageError {
    /// The `ehr_account` cookie names an account this server does not act for (400).
    #[error("{}", Lang::En.f(Msg::ErrorUnknownAccount, &[("name", .0)]))]
    UnknownAccount(String),
    /// The form carries no CSRF token, or a wrong one (403).
    #[error("{}", Lang::En.t(Msg::ErrorCsrf))]
    Csrf,
    /// The request is wrong: a field, a parameter, a form (400).
    #[error("{0}")]
    BadRequest(Text),
    /// The account may not do this (403).
    #[error("{0}")]
    Forbidden(Text),
    /// Nothing there: no such record, operation or page (404).
    #[error("{0}")]
    NotFound(Text),
    /// The upload is larger than the server takes (413).
    #[error("{0}")]
    TooLarge(Text),
    /// Well formed, but it cannot be done as asked (422).
    #[error("{0}")]
    Unprocessable(Text),
    /// The node or a record store failed or answered wrongly (502).
    #[error("{0}")]
    Upstream(Text),
    /// A page could not be rendered (500: the server's own fault).
    #[error("{}", Lang::En.f(Msg::ErrorRender, &[("why", .0)]))]
    Render(String),
}

/// A node call that failed: the node's fault or the network's, never the reader's (502).
impl From<ehr_sdk::ehr::ClientError> for PageError {
    fn from(e: ehr_sdk::ehr::ClientError) -> Self {
        PageError::Upstream(sdk::client(&e))
    }
}

impl PageError {
    /// A check before signing that did not pass (`ehr_sdk::ehr::preflight`): the node's
    /// failure, or a call the contract would refuse with the status of its kind of
    /// mistake: 404 for what does not exist, 403 for what the account may not do, 400 for
    /// a grantee that makes no sense, 422 for the rest. `me` is the acting account's
    /// name, as the refusal calls it.
    pub fn preflight(e: PreflightError, me: &str) -> PageError {
        let r = match e {
            PreflightError::Refused(r) => r,
            PreflightError::Client(c) => return c.into(),
        };
        let text = sdk::refusal(&r, Some(me));
        match r {
            Refusal::NoSuchToken(_) | Refusal::NoSuchRequest(_) => PageError::NotFound(text),
            Refusal::NotActingFor { .. }
            | Refusal::NotAdmin { .. }
            | Refusal::NotProposedAdmin { .. }
            | Refusal::NotIssuer { .. }
            | Refusal::MayNotSuspend { .. }
            | Refusal::SuspendedByOther { .. }
            | Refusal::NotVerifier { .. }
            | Refusal::GrantToItself { .. }
            | Refusal::NotHolder { .. } => PageError::Forbidden(text),
            Refusal::GrantToPatient { .. } => PageError::BadRequest(text),
            Refusal::NotVerified { .. }
            | Refusal::NotAPatient { .. }
            | Refusal::NotADoctor { .. }
            | Refusal::PatientVerified { .. }
            | Refusal::NothingToAccept { .. }
            | Refusal::NothingToResign { .. }
            | Refusal::EmergencyOptedOut { .. }
            | Refusal::EmergencyCooldown { .. }
            | Refusal::TokenRevoked(_)
            | Refusal::HandBackOnly { .. }
            | Refusal::RequestDecided(_) => PageError::Unprocessable(text),
        }
    }

    /// What went wrong, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            PageError::UnknownAccount(name) => lang.f(Msg::ErrorUnknownAccount, &[("name", name)]),
            PageError::Csrf => lang.t(Msg::ErrorCsrf).to_string(),
            PageError::Render(why) => lang.f(Msg::ErrorRender, &[("why", why)]),
            PageError::BadRequest(t)
            | PageError::Forbidden(t)
            | PageError::NotFound(t)
            | PageError::TooLarge(t)
            | PageError::Unprocessable(t)
            | PageError::Upstream(t) => t.render(lang),
        }
    }

    /// The status it answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            PageError::UnknownAccount(_) | PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Csrf | PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            PageError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PageError::Upstream(_) => StatusCode::BAD_GATEWAY,
            PageError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Marks an answer as a [`PageError`] for [`error_pages`] to render.
#[derive(Clone)]
struct Failed(PageError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), self.to_string()).into_response();
        response.extensions_mut().insert(Failed(self));
        response
    }
}

/// The dashboard section a path belongs to (highlighted in the navigation, and where the
/// error page's "Back" goes).
fn section_of(path: &str) -> &'static str {
    let first = path.split('/').nth(1).unwrap_or("");
    super::views::NAV
        .iter()
        .find(|item| item.href.trim_start_matches('/') == first)
        .map(|item| item.href)
        .unwrap_or("/")
}

/// The layer that renders a [`PageError`] answer as an error page in the frame of the
/// acting account (or, for an unknown account, with the account switcher only).
pub async fn error_pages(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers().clone();
    let section = section_of(request.uri().path());
    let here = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let response = next.run(request).await;
    let Some(Failed(error)) = response.extensions().get::<Failed>().cloned() else {
        return response;
    };
    let ctx = Ctx::of(&state, &headers).ok();
    let lang = Lang::of(&headers);
    super::render_error(&state, ctx.as_ref(), (lang, here), section, &error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clients_mistake_is_never_a_5xx() {
        let x = || Text::new(Msg::Back);
        for e in [
            PageError::UnknownAccount("x".into()),
            PageError::Csrf,
            PageError::BadRequest(x()),
            PageError::Forbidden(x()),
            PageError::NotFound(x()),
            PageError::TooLarge(x()),
            PageError::Unprocessable(x()),
        ] {
            assert!(e.status().is_client_error(), "{e:?}");
        }
        assert!(PageError::Upstream(x()).status().is_server_error());
    }

    #[test]
    fn the_message_is_in_the_readers_language_and_the_log_in_english() {
        let e = PageError::NotFound(Text::new(Msg::NoSuchToken).with("token", 7));
        assert_eq!(e.message(Lang::Fr), "aucun jeton n° 7");
        assert_eq!(e.message(Lang::En), "no token #7");
        assert_eq!(e.to_string(), "no token #7");
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn sections_come_from_the_path() {
        assert_eq!(section_of("/records/5/view"), "/records");
        assert_eq!(section_of("/admin/issuer"), "/admin");
        assert_eq!(section_of("/op/abc"), "/");
        assert_eq!(section_of("/"), "/");
    }
}
