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
