//! HTML building blocks for the page content not yet in templates: escaping, tables,
//! forms and paging (the page frame is a template: [`crate::dashboard::views`]).
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
