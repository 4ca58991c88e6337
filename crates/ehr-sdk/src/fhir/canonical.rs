//! Canonical JSON bytes: one byte string per JSON value, so that hashes over JSON are
//! reproducible by any client.

use serde_json::Value;

/// The canonical bytes of `value`, the form records' `content` and disclosure fields are
/// hashed in. It follows RFC 8785 (JSON Canonicalization Scheme) in everything but
/// numbers:
///
/// - no whitespace between tokens;
/// - object members sorted by their keys compared as UTF-16 code units (RFC 8785 §3.2.3;
///   for the ASCII keys of FHIR that is plain byte order);
/// - strings as RFC 8785 writes them: `"` and `\` escaped, `\b \t \n \f \r` for those
///   controls, `\u00xx` (lowercase hex) for the other controls below U+0020, every other
///   character as itself in UTF-8 (no `\u` escapes for non-ASCII, `/` not escaped);
/// - `true`, `false`, `null`;
/// - numbers as they were written in the source JSON, except that an exponent is written
///   with a lowercase `e` and an explicit sign (`1E2` becomes `1e+2`, `1.50` stays
///   `1.50`, `-0` stays `-0`). This crate parses JSON with `serde_json`'s
///   `arbitrary_precision` (enabled by the Clarity crates it depends on), which keeps a
///   number's text. RFC 8785 would re-print numbers as IEEE doubles; FHIR forbids that,
///   because a decimal's precision is part of its value (`1.50` is not `1.5`). A client
///   rebuilding these bytes must therefore keep number text as received.
pub fn canonical_json(value: &Value) -> Vec<u8> {
    let mut out = String::new();
    write_value(value, &mut out);
    out.into_bytes()
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(&n.to_string(), out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

/// A number's source text, with the exponent (if any) written `e` and an explicit sign.
fn write_number(text: &str, out: &mut String) {
    match text.find(['e', 'E']) {
        None => out.push_str(text),
        Some(i) => {
            out.push_str(&text[..i]);
            out.push('e');
            let exponent = &text[i + 1..];
            if !exponent.starts_with(['+', '-']) {
                out.push('+');
            }
            out.push_str(exponent);
        }
    }
}

/// A JSON string as RFC 8785 §3.2.2.2 writes it.
pub(crate) fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
