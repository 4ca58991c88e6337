//! The dashboard's views: askama templates (`crates/ehr-web/templates/`, checked at
//! compile time, HTML-escaped by default) and the structs they show. Handlers compute a
//! view; the templates only display it.
//!
//! Every page extends `base.html`, the [`Frame`]: head, account switcher, navigation,
//! who is acting, footer; `macros.html` holds the pieces pages share (tables, pager,
//! principals, links, state words).

use std::borrow::Borrow;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::i18n::{Key, Lang, Msg};
use super::PageError;
pub use crate::fhir::util::percent_encode;

/// One entry of the navigation bar.
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// Its text.
    pub label: Msg,
}

/// The navigation: one link per dashboard section.
pub const NAV: &[NavItem] = &[
    NavItem {
        href: "/",
        label: Msg::NavHome,
    },
    NavItem {
        href: "/patient",
        label: Msg::NavPatient,
    },
    NavItem {
        href: "/records",
        label: Msg::NavRecords,
    },
    NavItem {
        href: "/access",
        label: Msg::NavAccess,
    },
    NavItem {
        href: "/audit",
        label: Msg::NavAudit,
    },
    NavItem {
        href: "/notifications",
        label: Msg::NavNotifications,
    },
    NavItem {
        href: "/doctor",
        label: Msg::NavDoctor,
    },
    NavItem {
        href: "/admin",
        label: Msg::NavAdmin,
    },
    NavItem {
        href: "/apps",
        label: Msg::NavApps,
    },
];

/// What the page frame shows around the content.
pub struct Frame<'a> {
    /// The page title (text).
    pub title: &'a str,
    /// The section it belongs to (a [`NAV`] href), highlighted in the navigation.
    pub section: &'a str,
    /// The acting account's name and address (text), if known.
    pub account: Option<(&'a str, String)>,
    /// Every account the server acts for: (name, address).
    pub accounts: Vec<(String, String)>,
    /// The CSRF token for the account switcher's form.
    pub csrf: &'a str,
    /// Unread notifications and their total, for the badge and its live updates.
    pub notifications: Option<(u64, u64)>,
    /// Chain tip height, if known.
    pub tip: Option<u64>,
    /// How far the EHR index behind the API lags the node, when there is one.
    pub index_lag: Option<u64>,
    /// Reload the page every this many seconds (a pending transaction), without script.
    pub refresh: Option<u32>,
    /// The reader's language.
    pub lang: Lang,
    /// This page's path and query, where the language switch comes back to.
    pub here: String,
}

/// A language in the switch.
pub struct LangLink {
    /// Its code (`lang`, `hreflang`).
    pub code: &'static str,
    /// Its name in itself.
    pub name: &'static str,
    /// The switch's address, back to this page.
    pub href: String,
    /// Whether the page is in it.
    pub current: bool,
}

/// An account in the switcher.
pub struct SwitcherEntry<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its address, shortened.
    pub short: String,
    /// Whether it is the acting account.
    pub current: bool,
}

/// The unread badge of the navigation.
pub struct Badge {
    /// Unread notifications.
    pub unread: u64,
    /// Hidden when there are none (the script shows it when some arrive).
    pub hidden: bool,
}

/// An entry of the navigation as shown.
pub struct NavLink {
    /// Where it goes.
    pub href: &'static str,
    /// Its text.
    pub label: Msg,
    /// Whether the page is in its section.
    pub current: bool,
    /// The unread badge (on the notifications entry).
    pub badge: Option<Badge>,
}

impl Frame<'_> {
    /// The account switcher's entries.
    pub fn switcher(&self) -> Vec<SwitcherEntry<'_>> {
        let current = self.account.as_ref().map(|(name, _)| *name);
        self.accounts
            .iter()
            .map(|(name, address)| SwitcherEntry {
                name,
                short: short(address),
                current: Some(name.as_str()) == current,
            })
            .collect()
    }

    /// The navigation, the page's section marked.
    pub fn nav(&self) -> Vec<NavLink> {
        NAV.iter()
            .map(|item| NavLink {
                href: item.href,
                label: item.label,
                current: item.href == self.section,
                badge: (item.href == "/notifications")
                    .then_some(self.notifications)
                    .flatten()
                    .map(|(unread, _)| Badge {
                        unread,
                        hidden: unread == 0,
                    }),
            })
            .collect()
    }

    /// How far the EHR index lags, in words.
    pub fn index_lag_words(&self) -> Option<String> {
        self.index_lag.map(|lag| match lag {
            0 => self.t(Msg::IndexUpToDate).to_string(),
            n => self.n(Msg::IndexBehind, n),
        })
    }

    /// The text of `msg` in the page's language.
    pub fn t(&self, msg: impl Key) -> &'static str {
        self.lang.t(msg.key())
    }

    /// `msg` with its placeholder `{name}` filled with `value`.
    pub fn f1(&self, msg: impl Key, name: &str, value: impl std::fmt::Display) -> String {
        self.lang.f(msg.key(), &[(name, value.to_string())])
    }

    /// `msg` with two placeholders filled.
    pub fn f2(
        &self,
        msg: impl Key,
        a: &str,
        va: impl std::fmt::Display,
        b: &str,
        vb: impl std::fmt::Display,
    ) -> String {
        self.lang
            .f(msg.key(), &[(a, va.to_string()), (b, vb.to_string())])
    }

    /// Plural message `msg` for the number `n` (see [`Lang::n`]).
    pub fn n(&self, msg: impl Key, n: impl Borrow<u64>) -> String {
        self.lang.n(msg.key(), *n.borrow())
    }

    /// [`Frame::n`] with one more placeholder.
    pub fn nf1(
        &self,
        msg: impl Key,
        n: impl Borrow<u64>,
        name: &str,
        value: impl std::fmt::Display,
    ) -> String {
        self.lang
            .nf(msg.key(), *n.borrow(), &[(name, value.to_string())])
    }

    /// The language switch: every language, a link back to this page in it.
    pub fn langs(&self) -> Vec<LangLink> {
        Lang::ALL
            .into_iter()
            .map(|l| LangLink {
                code: l.code(),
                name: l.name(),
                href: super::i18n::switch_link(l, &self.here),
                current: l == self.lang,
            })
            .collect()
    }
}

/// `ST1SJ3…8YPD5`: an address shortened for tight places (the full one is in a title).
pub fn short(address: &str) -> String {
    if address.len() <= 14 || !address.is_ascii() {
        return address.to_string();
    }
    format!("{}…{}", &address[..6], &address[address.len() - 5..])
}

/// A principal as a page shows it: the address, and the account name when it is one of
/// the server's.
pub struct Party {
    /// The address (or contract id).
    pub address: String,
    /// The server's name for it, when it acts for it.
    pub name: Option<String>,
}

/// A state in a word, in its colour, with an optional note after it.
pub struct StateWord {
    /// The colour: `ok`, `pending` or `failed`.
    pub class: &'static str,
    /// The word.
    pub word: String,
    /// Text after the word ("" for none).
    pub note: String,
}

impl StateWord {
    /// `word` in colour `class`, without a note.
    pub fn new(class: &'static str, word: &str) -> Self {
        StateWord {
            class,
            word: word.to_string(),
            note: String::new(),
        }
    }
}

/// A link, or text that goes nowhere.
pub struct Link {
    /// Where it goes, if anywhere.
    pub href: Option<String>,
    /// Its text.
    pub text: String,
}

impl Link {
    /// A link to `href`.
    pub fn to(href: String, text: String) -> Self {
        Link {
            href: Some(href),
            text,
        }
    }

    /// Text alone.
    pub fn text(text: String) -> Self {
        Link { href: None, text }
    }
}

/// Page links of a paged list: `base` is the path with any other query parameters,
/// `param` the page parameter's name; pages count from 1.
pub struct Pager {
    /// The path and other query parameters.
    pub base: String,
    /// The page parameter's name.
    pub param: &'static str,
    /// This page.
    pub page: u64,
    /// How many pages.
    pub pages: u64,
}

impl Pager {
    /// The address of page `page` (a number, or a template's reference to one).
    pub fn link(&self, page: impl Borrow<u64>) -> String {
        let page = *page.borrow();
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}{}={page}", self.base, self.param)
    }
}

/// An error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    /// The frame.
    pub frame: Frame<'a>,
    /// What went wrong, in words.
    pub message: String,
    /// Where "Back" goes.
    pub back: &'a str,
}

/// `path` with the CSRF token as a query parameter, for a form's `action` (the template
/// escapes it).
pub fn action(path: &str, csrf: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}csrf={}", percent_encode(csrf))
}

/// `view` rendered as an HTML answer with `status`.
pub fn respond(status: StatusCode, view: &impl Template) -> Result<Response, PageError> {
    let html = view
        .render()
        .map_err(|e| PageError::Render(e.to_string()))?;
    Ok((
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(index_lag: Option<u64>) -> Frame<'static> {
        Frame {
            title: "Home <1>",
            section: "/",
            account: Some((
                "wallet_1",
                "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5".to_string(),
            )),
            accounts: vec![(
                "wallet_1".into(),
                "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5".into(),
            )],
            csrf: "",
            notifications: Some((0, 3)),
            tip: Some(40),
            index_lag,
            refresh: None,
            lang: Lang::En,
            here: "/".into(),
        }
    }

    fn render(index_lag: Option<u64>) -> String {
        ErrorPage {
            frame: frame(index_lag),
            message: "a message".into(),
            back: "/",
        }
        .render()
        .unwrap()
    }

    #[test]
    fn the_header_says_how_far_the_index_lags() {
        assert!(render(Some(3)).contains("<strong>index 3 blocks behind</strong>"));
        assert!(render(Some(0)).contains("&middot; index up to date"));
        assert!(!render(None).contains("index"));
    }

    #[test]
    fn the_frame_escapes_text() {
        let page = render(None);
        assert!(
            page.contains("<title>Home &#60;1&#62; - EHR</title>")
                || page.contains("<title>Home &lt;1&gt; - EHR</title>"),
            "{page}"
        );
        assert!(
            page.contains("<option value=\"wallet_1\" selected>wallet_1 (ST1SJ3…8YPD5)</option>"),
            "{page}"
        );
        assert!(
            page.contains("aria-label=\"unread notifications\" hidden>0</span>"),
            "{page}"
        );
        assert!(
            page.contains("<a href=\"/\" aria-current=\"page\">Home</a>"),
            "{page}"
        );
    }

    #[test]
    fn form_actions_carry_the_csrf_token() {
        assert_eq!(percent_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(
            action("/records?patient=ST1", "ab"),
            "/records?patient=ST1&csrf=ab"
        );
    }

    #[test]
    fn the_pager_links_neighbours() {
        let pager = Pager {
            base: "/records?patient=ST1".into(),
            param: "page",
            page: 2,
            pages: 3,
        };
        assert_eq!(pager.link(1), "/records?patient=ST1&page=1");
        assert_eq!(pager.link(3), "/records?patient=ST1&page=3");
    }

    #[test]
    fn error_pages_escape_the_message() {
        let page = ErrorPage {
            frame: frame(None),
            message: "no <script> here".into(),
            back: "/records",
        }
        .render()
        .unwrap();
        assert!(!page.contains("<script> here"), "{page}");
        assert!(page.contains("<a href=\"/records\">Back</a>"), "{page}");
    }
}
