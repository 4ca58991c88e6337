//! Small helpers of the FHIR API: base64, query strings, concurrent reads.

use std::future::Future;

use super::ApiError;

/// Standard base64 with padding (RFC 4648 §4), as FHIR's `base64Binary` wants (the
/// `base64` crate's standard engine).
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `application/x-www-form-urlencoded` decoding of one query component: `+` is a space,
/// `%XX` a byte. A malformed escape or bytes that are not UTF-8 are refused.
pub fn percent_decode(text: &str) -> Result<String, ApiError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        ApiError::BadRequest(format!(
                            "malformed percent-escape in the query string: `{text}`"
                        ))
                    })?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ApiError::BadRequest("the query string is not UTF-8".into()))
}

/// Percent-encodes a query component (everything but unreserved characters).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How many node reads run at once.
pub const CONCURRENT_READS: usize = 32;

/// Runs `f` over `items`, [`CONCURRENT_READS`] at a time, and returns the results in the
/// items' order; the first error wins.
pub async fn concurrent<I, T, E, F, Fut>(items: Vec<I>, f: F) -> Result<Vec<T>, ApiError>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Into<ApiError> + Send + 'static,
{
    let mut out: Vec<Option<T>> = Vec::with_capacity(items.len());
    out.resize_with(items.len(), || None);
    let mut items = items.into_iter().enumerate().peekable();
    while items.peek().is_some() {
        let mut set = tokio::task::JoinSet::new();
        for (i, item) in items.by_ref().take(CONCURRENT_READS) {
            let fut = f(item);
            set.spawn(async move { (i, fut.await) });
        }
        while let Some(joined) = set.join_next().await {
            let (i, result) =
                joined.map_err(|e| ApiError::Internal(format!("a node read failed: {e}")))?;
            out[i] = Some(result.map_err(Into::into)?);
        }
    }
    Ok(out.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn percent() {
        assert_eq!(percent_decode("Patient%2FST1+x").unwrap(), "Patient/ST1 x");
        assert!(percent_decode("%zz").is_err());
        assert_eq!(percent_encode("Patient/ST1"), "Patient%2FST1");
    }
}
