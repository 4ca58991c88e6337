//! Just enough `multipart/form-data` (RFC 7578) for the upload forms: named parts,
//! with an optional file name, their bytes unchanged. Also reads urlencoded bodies, so a
//! form without a file (or a script) can post the same fields.

use std::collections::HashMap;

/// One submitted field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The file name, for a file input.
    pub filename: Option<String>,
    /// The bytes.
    pub data: Vec<u8>,
}

/// The fields of a form body, by name (the last wins).
pub type Parts = HashMap<String, Part>;

/// Parses `body` according to its `content_type`: multipart or urlencoded.
pub fn parse(content_type: &str, body: &[u8]) -> Result<Parts, String> {
    let lower = content_type.to_ascii_lowercase();
    if lower.starts_with("multipart/form-data") {
        let boundary = content_type
            .split(';')
            .map(str::trim)
            .find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("boundary")
                    .then(|| v.trim().trim_matches('"').to_string())
            })
            .filter(|b| !b.is_empty() && b.len() <= 200)
            .ok_or("the multipart form has no boundary")?;
        multipart(&boundary, body)
    } else if lower.starts_with("application/x-www-form-urlencoded") || lower.is_empty() {
        Ok(urlencoded(body))
    } else {
        Err(format!("unsupported form encoding `{content_type}`: send multipart/form-data or application/x-www-form-urlencoded"))
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    (from..=haystack.len() - needle.len()).find(|&i| &haystack[i..i + needle.len()] == needle)
}

fn multipart(boundary: &str, body: &[u8]) -> Result<Parts, String> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = Parts::new();
    let mut pos = find(body, &delimiter, 0).ok_or("the multipart body has no part")?;
    loop {
        pos += delimiter.len();
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        // Skip the CRLF after the delimiter.
        if body[pos..].starts_with(b"\r\n") {
            pos += 2;
        } else {
            return Err("malformed multipart body (no line break after a boundary)".into());
        }
        let head_end = find(body, b"\r\n\r\n", pos)
            .ok_or("malformed multipart body (a part has no header end)")?;
        let head = String::from_utf8_lossy(&body[pos..head_end]).into_owned();
        let data_start = head_end + 4;
        let mut next_delim = delimiter.clone();
        next_delim.splice(0..0, b"\r\n".iter().copied());
        let data_end = find(body, &next_delim, data_start)
            .ok_or("malformed multipart body (a part is not closed)")?;
        let mut name = None;
        let mut filename = None;
        for line in head.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if !key.trim().eq_ignore_ascii_case("content-disposition") {
                continue;
            }
            for param in value.split(';').skip(1) {
                let Some((k, v)) = param.trim().split_once('=') else {
                    continue;
                };
                let v = v.trim().trim_matches('"').to_string();
                match k.trim().to_ascii_lowercase().as_str() {
                    "name" => name = Some(v),
                    "filename" => filename = Some(v),
                    _ => {}
                }
            }
        }
        if let Some(name) = name {
            parts.insert(
                name,
                Part {
                    filename,
                    data: body[data_start..data_end].to_vec(),
                },
            );
        }
        pos = data_end + 2;
    }
}

fn hex_digit(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_digit(bytes[i + 1]), hex_digit(bytes[i + 2]))
            {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn urlencoded(body: &[u8]) -> Parts {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (
                String::from_utf8_lossy(&percent_decode(k)).into_owned(),
                Part {
                    filename: None,
                    data: percent_decode(v),
                },
            )
        })
        .collect()
}

/// A part's text, trimmed ("" when absent or not UTF-8).
pub fn text(parts: &Parts, name: &str) -> String {
    parts
        .get(name)
        .and_then(|p| std::str::from_utf8(&p.data).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_files() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nLab\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n\x02\r\n--XyZ--\r\n";
        let parts = parse("multipart/form-data; boundary=XyZ", body).unwrap();
        assert_eq!(text(&parts, "type"), "Lab");
        let file = &parts["file"];
        assert_eq!(file.filename.as_deref(), Some("a.bin"));
        assert_eq!(file.data, b"\x00\x01\r\n\x02");
    }

    #[test]
    fn reads_urlencoded_bodies() {
        let parts = parse(
            "application/x-www-form-urlencoded",
            b"text=%7B%22a%22%3A1%7D&type=Binary+file&x=%zz",
        )
        .unwrap();
        assert_eq!(text(&parts, "text"), "{\"a\":1}");
        assert_eq!(text(&parts, "type"), "Binary file");
        assert_eq!(text(&parts, "x"), "%zz");
    }

    #[test]
    fn malformed_bodies_are_errors_not_panics() {
        for body in [
            &b""[..],
            b"--b",
            b"--b\r\nno header end",
            b"--b\r\n\r\nunclosed",
            b"--bX",
        ] {
            let _ = parse("multipart/form-data; boundary=b", body);
        }
        assert!(parse("multipart/form-data", b"").is_err());
        assert!(parse("text/plain", b"").is_err());
    }
}
