//! The extractors every dashboard handler starts with, in place of a prologue:
//!
//! - [`Ctx`] itself: the acting account (the `ehr_account` cookie, else the first), no
//!   chain read; an unknown account is a [`PageError::UnknownAccount`].
//! - [`Page`]: the same, with the notification counts and the chain tip for the frame.
//! - [`Posted`]: a urlencoded form, its CSRF token checked.
//! - [`Upload`]: a form that may carry a file (`multipart/form-data`, read by axum's
//!   [`Multipart`]) or not (urlencoded), its CSRF token checked; within the route's body
//!   limit.
//! - [`Params`]: the query parameters (a query that cannot be read counts as none).
//!
//! The CSRF check repeats the security layer's ([`crate::auth::guard`]): a form handler
//! cannot run without the token even if a route were ever mounted outside that layer.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Query, Request};
use axum::http::request::Parts as RequestParts;
use axum::http::{header, StatusCode};
use axum::Form;

use super::i18n::{Lang, Msg, Text};
use super::{Ctx, Fields, PageError};
use crate::auth;
use crate::state::AppState;

impl FromRequestParts<Arc<AppState>> for Ctx {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut RequestParts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        Ctx::of(state, &parts.headers)
    }
}

/// The context of a page: the acting account, its notification counts and the chain tip
/// (both left out when the node does not answer: the page then says why).
pub(crate) struct Page(pub Ctx);

impl FromRequestParts<Arc<AppState>> for Page {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut RequestParts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let mut ctx = Ctx::of(state, &parts.headers)?;
        ctx.here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        ctx.read_frame().await;
        Ok(Page(ctx))
    }
}

/// The reader of a page that needs no account (the proof verifier): its language and the
/// page's path, for the frame's language switch.
pub(crate) struct Reader {
    /// The reader's language.
    pub lang: Lang,
    /// The page's path and query.
    pub here: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut RequestParts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Reader {
            lang: Lang::of(&parts.headers),
            here: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
        })
    }
}

/// The query parameters; a query that cannot be read counts as none.
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut RequestParts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Params(
            Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
                .map(|Query(q)| q)
                .unwrap_or_default(),
        ))
    }
}

/// Whether the request carries this server's CSRF token (`X-CSRF-Token` or `?csrf=`).
fn csrf_ok(state: &AppState, parts: &RequestParts) -> bool {
    let query = Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
        .map(|Query(q)| q)
        .unwrap_or_default();
    let given = parts
        .headers
        .get(auth::CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .or_else(|| query.get("csrf").map(String::as_str));
    given.is_some_and(|g| auth::constant_time_eq(g, &state.csrf_token()))
}

/// The acting account of a form submission whose CSRF token is right, and the request
/// back to read its body from.
fn submitted(state: &Arc<AppState>, request: Request) -> Result<(Ctx, Request), PageError> {
    let (parts, body) = request.into_parts();
    let ctx = Ctx::of(state, &parts.headers)?;
    if !csrf_ok(state, &parts) {
        return Err(PageError::Csrf);
    }
    Ok((ctx, Request::from_parts(parts, body)))
}

/// A body that could not be read: too large (413), or malformed (400).
/// `what` is [`Msg::UnreadableForm`] or [`Msg::UnreadableUpload`]; `e`, axum's words
/// for what was wrong, stays as it is (a technical detail).
fn unreadable(status: StatusCode, what: Msg, e: impl std::fmt::Display) -> PageError {
    let text = Text::new(what).with("why", e);
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        PageError::TooLarge(text)
    } else {
        PageError::BadRequest(text)
    }
}

/// A submitted urlencoded form, its CSRF token checked.
pub(crate) struct Posted(pub Ctx, pub Fields);

impl FromRequest<Arc<AppState>> for Posted {
    type Rejection = PageError;

    async fn from_request(
        request: Request,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let (ctx, request) = submitted(state, request)?;
        let Form(fields) = Form::<Fields>::from_request(request, state)
            .await
            .map_err(|e| unreadable(e.status(), Msg::UnreadableForm, e.body_text()))?;
        Ok(Posted(ctx, fields))
    }
}

/// One field of an [`Upload`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The file name, for a file input.
    pub filename: Option<String>,
    /// The bytes, unchanged.
    pub data: Vec<u8>,
}

/// A submitted form that may carry a file, its CSRF token checked: its fields by name
/// (the last of a name wins).
pub(crate) struct Upload(pub Ctx, pub HashMap<String, Part>);

impl Upload {
    /// A field's text, trimmed ("" when absent or not UTF-8).
    pub fn text(&self, name: &str) -> String {
        self.1
            .get(name)
            .and_then(|p| std::str::from_utf8(&p.data).ok())
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    }

    /// The uploaded bytes and where they came from (the file's name, or words saying it
    /// was pasted): the `file` when one was chosen, else the `text` area when it holds
    /// anything but blanks.
    pub fn content(&self) -> Option<(Vec<u8>, Text)> {
        if let Some(file) = self.1.get("file").filter(|f| !f.data.is_empty()) {
            let source = match &file.filename {
                Some(name) => Text::new(Msg::SourceFile).with("name", name),
                None => Msg::SourceUnnamedFile.into(),
            };
            return Some((file.data.clone(), source));
        }
        self.1
            .get("text")
            .filter(|t| !t.data.iter().all(|b| b.is_ascii_whitespace()))
            .map(|t| (t.data.clone(), Msg::SourcePasted.into()))
    }
}

impl FromRequest<Arc<AppState>> for Upload {
    type Rejection = PageError;

    async fn from_request(
        request: Request,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let (ctx, request) = submitted(state, request)?;
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut fields = HashMap::new();
        if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(request, state)
                .await
                .map_err(|e| unreadable(e.status(), Msg::UnreadableUpload, e.body_text()))?;
            while let Some(field) = multipart
                .next_field()
                .await
                .map_err(|e| unreadable(e.status(), Msg::UnreadableUpload, e.body_text()))?
            {
                let name = field.name().map(str::to_string);
                let filename = field.file_name().map(str::to_string);
                let data = field
                    .bytes()
                    .await
                    .map_err(|e| unreadable(e.status(), Msg::UnreadableUpload, e.body_text()))?;
                if let Some(name) = name {
                    fields.insert(
                        name,
                        Part {
                            filename,
                            data: data.to_vec(),
                        },
                    );
                }
            }
        } else if content_type.is_empty()
            || content_type.starts_with("application/x-www-form-urlencoded")
        {
            let Form(form) = Form::<Vec<(String, String)>>::from_request(request, state)
                .await
                .map_err(|e| unreadable(e.status(), Msg::UnreadableForm, e.body_text()))?;
            for (name, value) in form {
                fields.insert(
                    name,
                    Part {
                        filename: None,
                        data: value.into_bytes(),
                    },
                );
            }
        } else {
            return Err(PageError::BadRequest(
                Text::new(Msg::UnsupportedEncoding).with("type", &content_type),
            ));
        }
        Ok(Upload(ctx, fields))
    }
}

/// The record id of a `/records/{id}/...` path (`7` or `#7`); anything else is no record
/// (404).
pub struct RecordId(pub u64);

impl<S: Send + Sync> FromRequestParts<S> for RecordId {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut RequestParts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                PageError::NotFound(Text::new(Msg::NotARecordId).with("text", e.body_text()))
            })?;
        text.trim_start_matches('#')
            .parse::<u64>()
            .map(RecordId)
            .map_err(|_| PageError::NotFound(Text::new(Msg::NotARecordId).with("text", &text)))
    }
}
