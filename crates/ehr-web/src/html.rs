//! HTML building blocks: escaping, the page layout, tables, forms and paging.
//!
//! Everything here returns `String`s of finished HTML. Functions that take text escape
//! it; arguments documented as HTML are inserted as they are, so only pass HTML built by
//! these helpers (or literals). No inline script or style anywhere: the
//! Content-Security-Policy allows neither; behaviour lives in `/assets/app.js`, looks in
//! `/assets/app.css`.

use std::fmt::Write as _;

/// `text` escaped for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A query-string component: everything but unreserved characters percent-encoded.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// One entry of the navigation bar.
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// Its text.
    pub label: &'static str,
}

/// The navigation: one link per dashboard section.
pub const NAV: &[NavItem] = &[
    NavItem {
        href: "/",
        label: "Home",
    },
    NavItem {
        href: "/patient",
        label: "Patient",
    },
    NavItem {
        href: "/records",
        label: "Records",
    },
    NavItem {
        href: "/access",
        label: "Access",
    },
    NavItem {
        href: "/audit",
        label: "Audit",
    },
    NavItem {
        href: "/notifications",
        label: "Notifications",
    },
    NavItem {
        href: "/doctor",
        label: "Doctor",
    },
    NavItem {
        href: "/admin",
        label: "Issuer/admin",
    },
];

/// What the page frame shows around the content.
pub struct Frame<'a> {
    /// The page title (text).
    pub title: &'a str,
    /// The section it belongs to (a [`NAV`] href), highlighted in the navigation.
    pub section: &'a str,
    /// The acting account's name and address (text), if known.
    pub account: Option<(&'a str, &'a str)>,
    /// Every account the server acts for: (name, address).
    pub accounts: Vec<(String, String)>,
    /// The CSRF token for the account switcher's form.
    pub csrf: &'a str,
    /// Unread notifications and inbox size, for the badge and its live updates.
    pub notifications: Option<(u64, u64)>,
    /// Chain tip height, if known.
    pub tip: Option<u64>,
    /// How far the EHR index behind the API lags the node, when there is one.
    pub index_lag: Option<u64>,
    /// Reload the page every this many seconds (a pending transaction), without script.
    pub refresh: Option<u32>,
}

/// A whole page: head (viewport, stylesheet, script), header with the account switcher
/// and navigation, `body` (HTML), footer.
pub fn page(frame: &Frame<'_>, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 4096);
    out.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    if let Some(s) = frame.refresh {
        let _ = write!(out, "<meta http-equiv=\"refresh\" content=\"{s}\">");
    }
    let _ = write!(out, "<title>{} - EHR</title>", escape(frame.title));
    out.push_str("<link rel=\"stylesheet\" href=\"/assets/app.css\">");
    out.push_str("<script src=\"/assets/app.js\" defer></script></head>");
    match frame.notifications {
        Some((unread, count)) => {
            let _ = write!(
                out,
                "<body data-unread=\"{unread}\" data-count=\"{count}\">"
            );
        }
        None => out.push_str("<body>"),
    }
    out.push_str("<a class=\"skip\" href=\"#main\">Skip to content</a><header>");
    out.push_str("<div class=\"bar\"><span class=\"brand\">EHR</span>");
    if !frame.accounts.is_empty() {
        let _ = write!(
            out,
            "<form class=\"switch\" method=\"post\" action=\"/account?csrf={}\">\
             <label for=\"account-switch\">Account</label><select id=\"account-switch\" name=\"name\" data-autosubmit>",
            escape(frame.csrf)
        );
        let current = frame.account.map(|(n, _)| n);
        for (name, address) in &frame.accounts {
            let selected = if Some(name.as_str()) == current {
                " selected"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<option value=\"{}\"{selected}>{} ({})</option>",
                escape(name),
                escape(name),
                escape(&short(address))
            );
        }
        out.push_str("</select><button type=\"submit\">Switch</button></form>");
    }
    out.push_str("</div><nav aria-label=\"Sections\"><ul>");
    for item in NAV {
        let current = if item.href == frame.section {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(out, "<li><a href=\"{}\"{current}>{}", item.href, item.label);
        if item.href == "/notifications" {
            if let Some((unread, _)) = frame.notifications {
                let hidden = if unread == 0 { " hidden" } else { "" };
                let _ = write!(
                    out,
                    " <span id=\"unread\" class=\"badge\" aria-label=\"unread notifications\"{hidden}>{unread}</span>"
                );
            }
        }
        out.push_str("</a></li>");
    }
    out.push_str("</ul></nav>");
    if let Some((name, address)) = frame.account {
        let _ =
            write!(
            out,
            "<p class=\"who\">Acting as <strong>{}</strong> <code class=\"addr\">{}</code>{}{}</p>",
            escape(name),
            escape(address),
            frame.tip.map(|t| format!(" &middot; block {t}")).unwrap_or_default(),
            match frame.index_lag {
                Some(0) => " &middot; index up to date".to_string(),
                Some(1) => " &middot; <strong>index 1 block behind</strong>".to_string(),
                Some(n) => format!(" &middot; <strong>index {n} blocks behind</strong>"),
                None => String::new(),
            }
        );
    }
    out.push_str("<p id=\"live\" class=\"live\" role=\"status\" aria-live=\"polite\" hidden></p>");
    let _ = write!(
        out,
        "</header><main id=\"main\"><h1>{}</h1>",
        escape(frame.title)
    );
    out.push_str(body);
    out.push_str("</main><footer><p>Records are encrypted in this server before anything is sent; the chain holds hashes, key envelopes and the audit log. Everything on chain is public.</p></footer></body></html>\n");
    out
}

/// `ST1SJ3...8YPD5`: an address shortened for tight places (the full one is in a title).
pub fn short(address: &str) -> String {
    if address.len() <= 14 || !address.is_ascii() {
        return address.to_string();
    }
    format!("{}…{}", &address[..6], &address[address.len() - 5..])
}

/// A principal, shown in full in a `<code>` that may break anywhere on narrow screens.
pub fn principal(text: &str) -> String {
    format!("<code class=\"addr\">{}</code>", escape(text))
}

/// A message box: `kind` is `ok`, `error`, `warn` or `info`; `text` is escaped.
pub fn notice(kind: &str, text: &str) -> String {
    let role = if kind == "error" {
        " role=\"alert\""
    } else {
        ""
    };
    format!("<p class=\"notice {kind}\"{role}>{}</p>", escape(text))
}

/// A message box holding HTML.
pub fn notice_html(kind: &str, html: &str) -> String {
    let role = if kind == "error" {
        " role=\"alert\""
    } else {
        ""
    };
    format!("<div class=\"notice {kind}\"{role}>{html}</div>")
}

/// A table inside a horizontally scrolling wrapper: `headers` are text, each cell is
/// HTML. `empty` (text) is shown instead when there are no rows. Tables of six columns
/// or more turn into one card per row on narrow screens (each cell labelled with its
/// header by the stylesheet), so nothing hides off the side of a phone.
pub fn table(caption: &str, headers: &[&str], rows: &[Vec<String>], empty: &str) -> String {
    if rows.is_empty() {
        return format!("<p class=\"empty\">{}</p>", escape(empty));
    }
    let class = if headers.len() >= 6 {
        " class=\"stack\""
    } else {
        ""
    };
    let mut out = String::with_capacity(rows.len() * 200 + 200);
    let _ = write!(
        out,
        "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{}\"><table{class}><caption>{}</caption><thead><tr>",
        escape(caption),
        escape(caption)
    );
    for h in headers {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let label = headers.get(i).copied().unwrap_or("");
            let _ = write!(out, "<td data-label=\"{}\">{cell}</td>", escape(label));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

/// A definition list of (term, HTML value) pairs.
pub fn fields(items: &[(&str, String)]) -> String {
    let mut out = String::from("<dl class=\"fields\">");
    for (term, value) in items {
        let _ = write!(out, "<dt>{}</dt><dd>{value}</dd>", escape(term));
    }
    out.push_str("</dl>");
    out
}

/// `path` with the CSRF token as a query parameter, for a form's `action`.
pub fn action(path: &str, csrf: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}csrf={}", url_encode(csrf))
}

/// A POST form: `fields` (HTML controls), then a submit button with `submit` (text).
pub fn form(path: &str, csrf: &str, fields: &str, submit: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{}\">{fields}<button type=\"submit\">{}</button></form>",
        escape(&action(path, csrf)),
        escape(submit)
    )
}

/// A multipart POST form (file upload).
pub fn upload_form(path: &str, csrf: &str, fields: &str, submit: &str) -> String {
    format!(
        "<form method=\"post\" enctype=\"multipart/form-data\" action=\"{}\">{fields}<button type=\"submit\">{}</button></form>",
        escape(&action(path, csrf)),
        escape(submit)
    )
}

/// A one-button POST form (a row action): hidden `(name, value)` pairs and a button.
pub fn button_form(
    path: &str,
    csrf: &str,
    hidden: &[(&str, String)],
    submit: &str,
    class: &str,
) -> String {
    let mut inputs = String::new();
    for (name, value) in hidden {
        let _ = write!(
            inputs,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        );
    }
    format!(
        "<form class=\"inline\" method=\"post\" action=\"{}\">{inputs}<button type=\"submit\" class=\"{class}\">{}</button></form>",
        escape(&action(path, csrf)),
        escape(submit)
    )
}

/// A labelled `<input>`: `id` must be unique on the page; `extra` is raw attributes
/// (e.g. `required maxlength="128"`); `hint` (text) is shown under it and linked with
/// `aria-describedby`.
pub fn input(
    id: &str,
    name: &str,
    label: &str,
    kind: &str,
    value: &str,
    extra: &str,
    hint: &str,
) -> String {
    let described = if hint.is_empty() {
        String::new()
    } else {
        format!(" aria-describedby=\"{id}-hint\"")
    };
    let mut out = format!(
        "<div class=\"field\"><label for=\"{id}\">{}</label><input id=\"{id}\" name=\"{}\" type=\"{kind}\" value=\"{}\"{described} {extra}>",
        escape(label),
        escape(name),
        escape(value)
    );
    if !hint.is_empty() {
        let _ = write!(out, "<small id=\"{id}-hint\">{}</small>", escape(hint));
    }
    out.push_str("</div>");
    out
}

/// A labelled checkbox.
pub fn checkbox(id: &str, name: &str, label: &str, checked: bool) -> String {
    format!(
        "<div class=\"check\"><input id=\"{id}\" name=\"{}\" type=\"checkbox\" value=\"on\"{}><label for=\"{id}\">{}</label></div>",
        escape(name),
        if checked { " checked" } else { "" },
        escape(label)
    )
}

/// A labelled `<select>` of (value, text) options.
pub fn select(
    id: &str,
    name: &str,
    label: &str,
    options: &[(String, String)],
    selected: &str,
) -> String {
    let mut out = format!(
        "<div class=\"field\"><label for=\"{id}\">{}</label><select id=\"{id}\" name=\"{}\">",
        escape(label),
        escape(name)
    );
    for (value, text) in options {
        let sel = if value == selected { " selected" } else { "" };
        let _ = write!(
            out,
            "<option value=\"{}\"{sel}>{}</option>",
            escape(value),
            escape(text)
        );
    }
    out.push_str("</select></div>");
    out
}

/// A labelled `<textarea>`.
pub fn textarea(id: &str, name: &str, label: &str, rows: u32, extra: &str, hint: &str) -> String {
    let described = if hint.is_empty() {
        String::new()
    } else {
        format!(" aria-describedby=\"{id}-hint\"")
    };
    let mut out = format!(
        "<div class=\"field\"><label for=\"{id}\">{}</label><textarea id=\"{id}\" name=\"{}\" rows=\"{rows}\"{described} {extra}></textarea>",
        escape(label),
        escape(name)
    );
    if !hint.is_empty() {
        let _ = write!(out, "<small id=\"{id}-hint\">{}</small>", escape(hint));
    }
    out.push_str("</div>");
    out
}

/// A `<datalist>` of the server's accounts, so principal fields offer them by name.
pub fn account_list(id: &str, accounts: &[(String, String)]) -> String {
    let mut out = format!("<datalist id=\"{id}\">");
    for (name, address) in accounts {
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            escape(name),
            escape(address)
        );
    }
    out.push_str("</datalist>");
    out
}

/// Page links: first, previous, `page` of `pages`, next, last. `base` is the path with
/// any other query parameters (e.g. `/records?patient=ST...`); `param` the page
/// parameter's name. Pages count from 1.
pub fn pager(base: &str, param: &str, page: u64, pages: u64) -> String {
    if pages <= 1 {
        return String::new();
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    let link = |p: u64, text: &str, rel: &str| {
        format!(
            "<a href=\"{}\"{rel}>{text}</a>",
            escape(&format!("{base}{sep}{param}={p}"))
        )
    };
    let mut out = String::from("<nav class=\"pager\" aria-label=\"Pages\">");
    if page > 1 {
        out.push_str(&link(1, "&laquo; First", ""));
        out.push_str(&link(page - 1, "&lsaquo; Previous", " rel=\"prev\""));
    }
    let _ = write!(out, "<span>Page {page} of {pages}</span>");
    if page < pages {
        out.push_str(&link(page + 1, "Next &rsaquo;", " rel=\"next\""));
        out.push_str(&link(pages, "Last &raquo;", ""));
    }
    out.push_str("</nav>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_says_how_far_the_index_lags() {
        let frame = |index_lag| Frame {
            title: "Home",
            section: "/",
            account: Some(("wallet_1", "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5")),
            accounts: Vec::new(),
            csrf: "",
            notifications: None,
            tip: Some(40),
            index_lag,
            refresh: None,
        };
        assert!(page(&frame(Some(3)), "").contains("index 3 blocks behind"));
        assert!(page(&frame(Some(0)), "").contains("index up to date"));
        assert!(!page(&frame(None), "").contains("index"));
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn url_encoding_keeps_only_unreserved_characters() {
        assert_eq!(url_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn every_control_has_a_label() {
        let html = input("x", "x", "X", "text", "", "", "hint")
            + &select("y", "y", "Y", &[], "")
            + &textarea("z", "z", "Z", 3, "", "");
        for id in ["x", "y", "z"] {
            assert!(html.contains(&format!("<label for=\"{id}\">")), "{html}");
        }
    }

    #[test]
    fn the_pager_links_neighbours() {
        let p = pager("/records?patient=ST1", "page", 2, 3);
        assert!(p.contains("/records?patient=ST1&amp;page=1"), "{p}");
        assert!(p.contains("page=3"), "{p}");
        assert!(pager("/audit", "page", 1, 1).is_empty());
    }
}
