//! The dashboard in the reader's language: English (the default) and French.
//!
//! Every user-facing string of the dashboard is one [`Msg`] in one compiled-in table
//! ([`messages`]), with its English and its French text side by side. A message used
//! in a template or a handler that is not in the table does not compile, and neither
//! does a message without both texts; the tests check that both texts of a message
//! have the same placeholders and plural forms, and that no template holds prose of
//! its own.
//!
//! # How to add a string
//!
//! 1. Add an entry to the `catalogue!` in `messages.rs`, next to the page it belongs to:
//!
//!    ```text
//!    /// `/records`: the heading of the upload form.
//!    RecordsAddHeading { en: "Add a record", fr: "Ajouter un dossier" }
//!    ```
//!
//! 2. Use it. In a template, through the page's frame: `{{ frame.t(Msg::RecordsAddHeading) }}`
//!    (the template's module imports `Msg`). In Rust, through the request's language:
//!    `ctx.lang.t(Msg::RecordsAddHeading)`.
//!
//! Placeholders are named in braces, `{id}`, and filled with [`Lang::f`] (Rust) or
//! `frame.f(Msg::X, [("id", id.to_string())])` (templates). A text that depends on a
//! number has its singular and plural forms separated by `|`,
//! `"{n} record|{n} records"`, and is used with [`Lang::n`] / `frame.n(Msg::X, n)`, which
//! picks the form by the language's rule (French takes the singular for 0 and 1) and
//! fills `{n}`. Proper nouns, FHIR codes and contract names stay as they are.
//!
//! A sentence worded before the reader's language is known, or read later in another
//! language (an error, an operation's title and outcome, which runs in the background),
//! is a [`Text`]: the message and its placeholders' values, rendered with
//! [`Text::render`] when it is shown. A whole sentence is one message, never glued from
//! pieces; sentences that follow one another are chained with [`Text::then`]. The SDK's
//! errors become texts in [`sdk`].
//!
//! # Choosing the language
//!
//! [`Lang::of`]: the `ehr_lang` cookie (set by the switch on every page, `GET /lang`,
//! which needs no session), else the browser's `Accept-Language` (q-values honoured;
//! `fr`, `fr-FR`, `fr-CM`... read as French), else English.

mod messages;
pub mod sdk;
mod text;

use std::fmt::Write as _;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub use messages::Msg;
pub use text::Text;

/// The cookie that keeps the reader's choice of language.
pub const LANG_COOKIE: &str = "ehr_lang";

/// The language switch: `GET /lang?to=fr&back=/records` sets [`LANG_COOKIE`] and goes back.
/// Open without a session (a language is no secret and changes nothing else).
pub const SWITCH_PATH: &str = "/lang";

/// A message, or a reference to one (templates hand methods references): what
/// [`Frame`](super::views::Frame)'s text methods take.
pub trait Key {
    /// The message.
    fn key(&self) -> Msg;
}

impl Key for Msg {
    fn key(&self) -> Msg {
        *self
    }
}

impl<T: Key + ?Sized> Key for &T {
    fn key(&self) -> Msg {
        (**self).key()
    }
}

/// A language the dashboard speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English, the default.
    #[default]
    En,
    /// French.
    Fr,
}

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// Its BCP 47 code (`<html lang>`, the cookie).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// Its name in itself, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    /// The language of a tag: `fr`, `fr-FR`, `fr-CM` are French, `en`, `en-GB` English;
    /// anything else is none of ours.
    pub fn of_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        Lang::ALL
            .into_iter()
            .find(|l| primary.eq_ignore_ascii_case(l.code()))
    }

    /// The best of our languages for an `Accept-Language` header: the one with the
    /// highest q-value (the first listed among equals; `q=0` means not wanted), or
    /// `None` when it names none of ours.
    pub fn negotiate(accept: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for item in accept.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::of_tag) else {
                continue;
            };
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map(|(lang, _)| lang)
    }

    /// The language of a request: the [`LANG_COOKIE`], else `Accept-Language`, else
    /// English.
    pub fn of(headers: &HeaderMap) -> Lang {
        if let Some(lang) = crate::auth::cookie(headers, LANG_COOKIE).and_then(Lang::of_tag) {
            return lang;
        }
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::negotiate)
            .unwrap_or_default()
    }

    /// The text of `msg` (a plural message's forms still joined by `|`: see [`Lang::n`]).
    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self)
    }

    /// The text of `msg` with its `{name}` placeholders filled from `args`.
    pub fn f<K: AsRef<str>, V: std::fmt::Display>(self, msg: Msg, args: &[(K, V)]) -> String {
        fill(self.t(msg), args)
    }

    /// The form of plural message `msg` ("one|other") for the number `n`, with `{n}`
    /// filled (and any other placeholder from `args`).
    pub fn n(self, msg: Msg, n: u64) -> String {
        self.nf(msg, n, &[] as &[(&str, &str)])
    }

    /// [`Lang::n`] with more placeholders.
    pub fn nf<K: AsRef<str>, V: std::fmt::Display>(
        self,
        msg: Msg,
        n: u64,
        args: &[(K, V)],
    ) -> String {
        let text = self.t(msg);
        let (one, other) = text.split_once('|').unwrap_or((text, text));
        let singular = match self {
            Lang::En => n == 1,
            Lang::Fr => n <= 1,
        };
        let form = if singular { one } else { other };
        fill(&form.replace("{n}", &n.to_string()), args)
    }

    /// A calendar date of Unix time `secs`: `2026-12-05` in English (as the pages always
    /// showed it), `5 déc. 2026` in French.
    pub fn date(self, secs: u64) -> String {
        let Some(at) = chrono::DateTime::from_timestamp(secs.min(i64::MAX as u64) as i64, 0) else {
            return String::new();
        };
        let d = at.date_naive();
        use chrono::Datelike;
        match self {
            Lang::En => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            Lang::Fr => {
                const MONTHS: [&str; 12] = [
                    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                    "oct.", "nov.", "déc.",
                ];
                format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
            }
        }
    }

    /// The one place a block height becomes words: its estimated date at the chain's
    /// pace and how far that is from `now` (Unix seconds), "about 2026-12-12, in 7 days"
    /// / "vers le 12 déc. 2026, dans 7 jours".
    pub fn when(self, clock: &ehr_sdk::node::clock::BlockClock, height: u64, now: u64) -> String {
        let at = clock.time_of(height);
        let gap = at.abs_diff(now);
        let span = match gap {
            g if g < 3_600 => self.n(Msg::SpanMinutes, g / 60),
            g if g < 2 * 86_400 => self.n(Msg::SpanHours, g / 3_600),
            g => self.n(Msg::SpanDays, g / 86_400),
        };
        let msg = if at >= now {
            Msg::WhenAhead
        } else {
            Msg::WhenBehind
        };
        self.f(msg, &[("date", self.date(at)), ("span", span)])
    }
}

/// `text` with each `{name}` of `args` replaced by its value.
fn fill<K: AsRef<str>, V: std::fmt::Display>(text: &str, args: &[(K, V)]) -> String {
    let mut out = text.to_string();
    let mut value = String::new();
    for (name, v) in args {
        value.clear();
        let _ = write!(value, "{v}");
        out = out.replace(&format!("{{{}}}", name.as_ref()), &value);
    }
    out
}

/// Where the switch may send the reader back to: a path of this server (not `//host`,
/// not a scheme), else `/`.
fn local_path(back: &str) -> &str {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(char::is_control);
    if ok {
        back
    } else {
        "/"
    }
}

/// `GET /lang?to=fr&back=/path`: keeps the language in [`LANG_COOKIE`] (a year,
/// `SameSite=Lax`) and sends the reader back to the page it was on. An unknown language
/// is a 400.
pub async fn switch(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<crate::state::AppState>>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let to = q.get("to").map(String::as_str).unwrap_or("");
    let Some(lang) = Lang::ALL.into_iter().find(|l| l.code() == to) else {
        let words = Lang::of(&headers).f(Msg::UnknownLanguage, &[("lang", to)]);
        return (StatusCode::BAD_REQUEST, words).into_response();
    };
    let back = local_path(q.get("back").map(String::as_str).unwrap_or("/"));
    let mut response = axum::response::Redirect::to(back).into_response();
    let cookie = format!(
        "{LANG_COOKIE}={}; SameSite=Lax; Path=/; Max-Age=31536000{}",
        lang.code(),
        state.cookie_security()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

/// The link of the switch to `lang` from page `here`.
pub fn switch_link(lang: Lang, here: &str) -> String {
    format!(
        "{SWITCH_PATH}?to={}&back={}",
        lang.code(),
        crate::fhir::util::percent_encode(local_path(here))
    )
}

#[cfg(test)]
mod tests;
