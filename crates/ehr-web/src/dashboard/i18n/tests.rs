//! The catalogue is whole, and the language is chosen as documented.

use super::*;

/// The `{name}` placeholders of a text, sorted.
fn placeholders(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    found.sort_unstable();
    found
}

#[test]
fn every_message_has_both_texts_with_the_same_placeholders_and_plural_forms() {
    for &msg in Msg::ALL {
        let (en, fr) = (msg.text(Lang::En), msg.text(Lang::Fr));
        assert!(
            !en.trim().is_empty() && !fr.trim().is_empty(),
            "{msg:?} is empty"
        );
        assert_eq!(
            placeholders(en),
            placeholders(fr),
            "{msg:?}: placeholders differ"
        );
        assert_eq!(
            en.matches('|').count(),
            fr.matches('|').count(),
            "{msg:?}: plural forms differ"
        );
        assert!(en.matches('|').count() <= 1, "{msg:?}: one|other at most");
    }
}

#[test]
fn french_is_written_with_its_accents_and_spacing() {
    // A French text that is the English one word for word is fine for a name ("Audit",
    // "Notifications"), not for a sentence.
    for &msg in Msg::ALL {
        let (en, fr) = (msg.text(Lang::En), msg.text(Lang::Fr));
        if en.split_whitespace().count() > 3 {
            assert_ne!(en, fr, "{msg:?} is not translated");
        }
        // French puts a space before `:` and `;` (not inside a placeholder or code).
        for (i, c) in fr.char_indices() {
            if (c == ';' || c == ':') && i > 0 && !fr[..i].ends_with(' ') {
                let code = fr[..i].matches('`').count() % 2 == 1;
                assert!(code, "{msg:?}: no space before `{c}` in {fr:?}");
            }
        }
    }
    assert_eq!(Msg::NavRecords.text(Lang::Fr), "Dossiers");
    assert_eq!(Msg::WhoTitle.text(Lang::Fr), "Qui peut voir mes dossiers");
}

#[test]
fn plurals_follow_each_languages_rule() {
    assert_eq!(Lang::En.n(Msg::SpanDays, 1), "1 day");
    assert_eq!(Lang::En.n(Msg::SpanDays, 0), "0 days");
    assert_eq!(Lang::Fr.n(Msg::SpanDays, 0), "0 jour");
    assert_eq!(Lang::Fr.n(Msg::SpanDays, 1), "1 jour");
    assert_eq!(Lang::Fr.n(Msg::SpanDays, 3), "3 jours");
    assert_eq!(
        Lang::Fr.nf(Msg::AccessRequestCount, 2, &[("pending", 1)]),
        "2 demandes ; 1 en attente sur cette page."
    );
}

#[test]
fn dates_read_per_language() {
    use ehr_sdk::node::clock::BlockClock;
    const NOW: u64 = 1_796_515_200; // 2026-12-06T00:00:00Z
    let clock = BlockClock::from_times(2_000, NOW, None);
    assert_eq!(Lang::Fr.date(NOW - 86_400), "5 déc. 2026");
    assert_eq!(Lang::En.date(NOW - 86_400), "2026-12-05");
    assert_eq!(
        Lang::En.when(&clock, 3_008, NOW),
        "about 2026-12-13, in 7 days"
    );
    assert_eq!(
        Lang::Fr.when(&clock, 2_000 + 3 * 144, NOW),
        "vers le 9 déc. 2026, dans 3 jours"
    );
    assert_eq!(
        Lang::Fr.when(&clock, 2_000 - 12, NOW),
        "vers le 5 déc. 2026, il y a 2 heures"
    );
    assert_eq!(
        Lang::En.when(&clock, 2_001, NOW),
        "about 2026-12-06, in 10 minutes"
    );
}

#[test]
fn accept_language_is_negotiated_with_q_values() {
    assert_eq!(Lang::negotiate("fr"), Some(Lang::Fr));
    assert_eq!(Lang::negotiate("fr-CM,fr;q=0.9,en;q=0.5"), Some(Lang::Fr));
    assert_eq!(Lang::negotiate("fr-FR"), Some(Lang::Fr));
    assert_eq!(Lang::negotiate("en-US,en;q=0.9,fr;q=0.8"), Some(Lang::En));
    assert_eq!(Lang::negotiate("en;q=0.4, fr;q=0.7"), Some(Lang::Fr));
    assert_eq!(Lang::negotiate("de, fr;q=0.2"), Some(Lang::Fr));
    assert_eq!(Lang::negotiate("fr;q=0, en;q=0.1"), Some(Lang::En));
    assert_eq!(Lang::negotiate("de, es"), None);
    assert_eq!(Lang::negotiate(""), None);
    assert_eq!(Lang::negotiate("*"), None);
}

#[test]
fn the_cookie_wins_over_the_header_and_english_is_the_default() {
    let mut h = HeaderMap::new();
    assert_eq!(Lang::of(&h), Lang::En);
    h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("fr-CM"));
    assert_eq!(Lang::of(&h), Lang::Fr);
    h.insert(
        header::COOKIE,
        HeaderValue::from_static("ehr_session=x; ehr_lang=en"),
    );
    assert_eq!(Lang::of(&h), Lang::En);
    h.insert(header::COOKIE, HeaderValue::from_static("ehr_lang=klingon"));
    assert_eq!(Lang::of(&h), Lang::Fr);
}

#[test]
fn the_switch_goes_back_only_to_this_server() {
    assert_eq!(local_path("/records?page=2"), "/records?page=2");
    assert_eq!(local_path("//evil.example/x"), "/");
    assert_eq!(local_path("https://evil.example/"), "/");
    assert_eq!(local_path("/\\evil.example"), "/");
    assert_eq!(
        switch_link(Lang::Fr, "/records?patient=ST1&page=2"),
        "/lang?to=fr&back=%2Frecords%3Fpatient%3DST1%26page%3D2"
    );
}

/// `text` without every `open`...`close` span.
fn without(text: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(open) {
        out.push_str(&rest[..at]);
        match rest[at..].find(close) {
            Some(end) => rest = &rest[at + end + close.len()..],
            None => panic!("`{open}` without `{close}`"),
        }
    }
    out.push_str(rest);
    out
}

/// Words a template may hold as they are: names, formats and codes, the same in every
/// language.
const NOT_PROSE: &[&str] = &[
    "EHR",
    "JSON",
    "CSV",
    "FHIR",
    "AuditEvent",
    "Bundle",
    "A",
    "v",
    "deactivate",
];

/// Attributes a reader sees or hears.
const READ_ATTRIBUTES: &[&str] = &[
    "aria-label=\"",
    "title=\"",
    "alt=\"",
    "placeholder=\"",
    "data-label=\"",
];

/// The prose of template `source`: words outside template code, code samples and the
/// catalogue's calls, and read attributes that hold text of their own.
fn prose(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    // Template code and comments, then code samples (`<code>`), are not prose.
    let mut text = without(source, "{#", "#}");
    text = without(&text, "{%", "%}");
    text = without(&text, "{{", "}}");
    text = without(&text, "<code", "</code>");
    text = without(&text, "<svg", "</svg>");
    // What is left in a read attribute is prose.
    for tag in text
        .split('<')
        .skip(1)
        .filter_map(|t| t.split_once('>').map(|t| t.0))
    {
        for attribute in READ_ATTRIBUTES {
            if let Some((_, value)) = tag.split_once(attribute) {
                let value = value.split('"').next().unwrap_or("");
                if value.chars().any(char::is_alphabetic) {
                    found.push(format!("{attribute}{value}\""));
                }
            }
        }
    }
    let text = without(&text, "<", ">");
    let text = without(&text, "&", ";");
    for word in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        if !NOT_PROSE.contains(&word) {
            found.push(word.to_string());
        }
    }
    found
}

#[test]
fn no_template_holds_prose_outside_the_catalogue() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut found = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("the templates") {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        files += 1;
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        found.extend(prose(&source).into_iter().map(|p| format!("{name}: {p}")));
    }
    assert!(
        files >= 20,
        "only {files} templates found in {}",
        dir.display()
    );
    assert!(
        found.is_empty(),
        "text outside the catalogue:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_prose() {
    // The scan above is only as good as this: the dashboard's templates as they were
    // before the catalogue.
    let before = r##"{% block content %}<a class="skip" href="#main">Skip to content</a><nav aria-label="Sections">{{ item.label }}</nav><td data-label="Token">#{{ t.id }}</td>{# a note #}<p>Run <code>ehr audit verify</code> &middot; JSON</p>{% endblock %}"##;
    assert_eq!(
        prose(before),
        [
            "aria-label=\"Sections\"",
            "data-label=\"Token\"",
            "Skip",
            "to",
            "content",
            "Run"
        ]
    );
    let after = r##"<a class="skip" href="#main">{{ frame.t(Msg::SkipToContent) }}</a><nav aria-label="{{ frame.t(Msg::NavSections) }}"></nav>"##;
    assert!(prose(after).is_empty());
}

/// The calls whose string literals a reader may see: errors, operations, links, words.
const SEEN_CALLS: &[&str] = &[
    "PageError::",
    "ops::start(",
    "ops::one_call(",
    "format!(",
    "Link::text(",
    "Link::to(",
    "StateWord::new(",
];

/// Literals in those calls that are not prose though they have spaces, each the same in
/// every language (a literal without spaces that holds `/`, `=`, `.` or `:` is a path, a
/// URL, a file name or a header value, and is not prose either).
const NOT_PROSE_LITERALS: &[&str] = &[
    // HTTP header values: a download's file name, the cookies the dashboard sets.
    "attachment; filename=",
    "; SameSite=Lax; Path=/; Max-Age=31536000",
    "; HttpOnly; SameSite=Strict; Path=/",
];

/// The string literals (their text between the quotes) in `code`.
fn literals(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = code.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            // A char literal: `'"'` is no string.
            '\'' if code[i..].starts_with("'\"'") || code[i..].starts_with("'\\''") => {
                chars.nth(2);
            }
            '"' => {
                // A raw string: r"..." or r#"..."#.
                let before = &code[..i];
                let hashes = before.len() - before.trim_end_matches('#').len();
                let raw = before.trim_end_matches('#').ends_with('r');
                let close = format!("\"{}", "#".repeat(hashes));
                let mut text = String::new();
                let mut escaped = false;
                let rest = code[i + 1..].char_indices();
                let mut end = code.len();
                for (j, d) in rest {
                    if escaped {
                        escaped = false;
                        text.push(d);
                    } else if d == '\\' && !raw {
                        escaped = true;
                    } else if code[i + 1 + j..].starts_with(&close) {
                        end = i + 1 + j + close.len();
                        break;
                    } else {
                        text.push(d);
                    }
                }
                found.push(text);
                while chars.peek().is_some_and(|(k, _)| *k < end) {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    found
}

/// Whole literals that are not prose: a state's CSS class (`StateWord::new("ok", ...)`)
/// and the name of a form field.
const NOT_PROSE_NAMES: &[&str] = &["ok", "failed", "pending", "{name}_unit"];

/// Whether a literal in a call a reader sees holds words: what is left of it, once
/// `{...}` placeholders, the allowed non-prose and paths are taken out, has a word.
fn is_prose(literal: &str) -> bool {
    if literal.starts_with('/') || literal.starts_with('?') || NOT_PROSE_NAMES.contains(&literal) {
        return false;
    }
    let mut text = without(literal, "{", "}");
    for allowed in NOT_PROSE_LITERALS {
        text = text.replace(allowed, "");
    }
    if !text.contains(char::is_whitespace) && text.contains(['/', '=', '.', ':']) {
        return false;
    }
    text.split(|c: char| !c.is_alphabetic())
        .any(|word| word.chars().count() >= 2)
}

/// `source` (a Rust file) without its comments and its `#[cfg(test)]` module.
fn code_of(source: &str) -> String {
    let source = source.split("#[cfg(test)]").next().unwrap_or("");
    source
        .lines()
        .map(|line| match line.trim_start().starts_with("//") {
            true => "",
            false => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `code` without the literals that name something rather than say it: a placeholder's
/// name (`.with("token", ...)`, `("id", r)`) and a JSON key (`c["code"]`).
fn without_names(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(open) = rest.find('"') {
        let (before, after) = rest.split_at(open);
        // A char literal, `'"'`: no string starts there.
        if before.ends_with('\'') && after[1..].starts_with('\'') {
            out.push_str(before);
            out.push('"');
            rest = &after[1..];
            continue;
        }
        let name_len = after[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(0);
        let closes = after[1 + name_len..].starts_with('"') && name_len > 0;
        let next = after[2 + name_len.min(after.len() - 2)..].trim_start();
        let lead = before.trim_end();
        let named = closes
            && (lead.ends_with(".with(")
                || lead.ends_with(".with_text(")
                || lead.ends_with(".with_words(")
                || (lead.ends_with('[') && next.starts_with(']'))
                || (lead.ends_with('(') && next.starts_with(',')));
        out.push_str(before);
        if named {
            rest = &after[2 + name_len..];
        } else {
            // Keep this quote; go on after it (a literal's own text is copied as it is).
            out.push('"');
            rest = &after[1..];
            // Copy the literal whole, so that its quotes do not pair with the next ones.
            let mut escaped = false;
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => {}
                }
            }
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// The prose literals of the calls a reader sees in Rust file `source`, each with the
/// call it is in.
fn rust_prose(source: &str) -> Vec<String> {
    let code = without_names(&code_of(source));
    let mut found = Vec::new();
    for call in SEEN_CALLS {
        for (at, _) in code.match_indices(call) {
            // The call's arguments: up to the parenthesis that closes the first one after
            // it (strings may hold parentheses: skip them).
            // `PageError::Variant(`: a variant named without a call (`.map_err(
            // PageError::BadRequest)`) has no arguments here.
            let name_end = at
                + call.len()
                + code[at + call.len()..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(0);
            let open = if call.ends_with('(') {
                at + call.len() - 1
            } else if code[name_end..].starts_with('(') {
                name_end
            } else {
                continue;
            };
            let start = open;
            let (mut depth, mut end, mut in_string, mut escaped) = (0, code.len(), false, false);
            for (i, c) in code[start..].char_indices() {
                match (in_string, c) {
                    (true, _) if escaped => escaped = false,
                    (true, '\\') => escaped = true,
                    (true, '"') => in_string = false,
                    (true, _) => {}
                    (false, '"') => in_string = true,
                    (false, '(') => depth += 1,
                    (false, ')') => {
                        depth -= 1;
                        if depth == 0 {
                            end = start + i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            for literal in literals(&code[start..end]) {
                if is_prose(&literal) {
                    found.push(format!("{call} {literal:?}"));
                }
            }
        }
    }
    found
}

#[test]
fn no_handler_words_prose_outside_the_catalogue() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/dashboard");
    let i18n = root.join("i18n");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("the dashboard's sources") {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path != i18n {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(
        files.len() >= 15,
        "only {} sources in {}",
        files.len(),
        root.display()
    );
    let mut found = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        found.extend(
            rust_prose(&source)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
    }
    assert!(
        found.is_empty(),
        "English words in Rust, outside the catalogue:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_rust_scan_finds_prose() {
    // Handlers as they were before the catalogue held their words.
    let before = r##"
        .ok_or_else(|| PageError::NotFound(format!("no token #{token}")))?;
        // A comment "with words" is no prose.
        let title = format!("Revoke token #{token}");
        Ok(ops::start(&state, &ctx.me, "Deactivate my (whole) registration".into(), "/patient", work).await)
        Link::to(format!("/records/{r}"), format!("record #{r}"))
        let link = format!("http://{host}{VERIFY_PATH}?proof={}", proof.to_compact());
        let x = format!("{}{}", a, b);
        Err(PageError::BadRequest(field_error(Msg::FieldDoctor, e)))
        let raw = format!(r#"say "hi" to {name}"#);
        #[cfg(test)]
        mod tests { fn t() { PageError::BadRequest("a sample".into()); } }
    "##;
    assert_eq!(
        rust_prose(before),
        [
            "PageError:: \"no token #{token}\"",
            "ops::start( \"Deactivate my (whole) registration\"",
            "format!( \"no token #{token}\"",
            "format!( \"Revoke token #{token}\"",
            "format!( \"record #{r}\"",
            "format!( \"say \\\"hi\\\" to {name}\"",
            "Link::to( \"record #{r}\"",
        ]
    );
    let after = r##"
        .ok_or_else(|| PageError::NotFound(Text::new(Msg::NoSuchToken).with("token", token)))?;
        let title = Text::new(Msg::OpRevoke).with("token", token);
        Link::to(format!("/records/{r}"), words(Msg::RefRecord))
    "##;
    assert!(rust_prose(after).is_empty(), "{:?}", rust_prose(after));
}
