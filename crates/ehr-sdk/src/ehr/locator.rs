//! Record locators: where a record's sealed bytes are, as written on chain.
//!
//! - `chain:chunks`: whole on chain, in 1 KiB chunks;
//! - `sha256:<hex>`: in a content-addressed store the reader configures (`--store`);
//! - `s3://bucket/prefix/<hex>`, `https://host[:port]/path/<hex>`,
//!   `http://host[:port]/path/<hex>`: in the store that URL names, under the content hash.
//!
//! The chain takes any ASCII text as a locator, so every reader parses it here first and
//! nothing else names a file or a URL. A URL locator is refused unless its scheme is one
//! of the three above, its host (or bucket) and every path segment use a small safe
//! alphabet (no `..`, no empty segment, no user info, query, fragment or percent
//! escapes), and its last segment is the 64 lowercase hex digits of the hash. A store is
//! trusted for availability only: readers check the SHA-256 against the chain's content
//! hash before decrypting.

use super::records::{RecordError, CAS_PREFIX, ON_CHAIN};

/// Where a record's sealed bytes are, parsed from its on-chain locator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locator {
    /// Kept whole on chain, in chunks ([`ON_CHAIN`]).
    OnChain,
    /// In a content-addressed store, under the SHA-256 of the sealed bytes
    /// (`sha256:<64 lowercase or uppercase hex digits>`).
    Sha256([u8; 32]),
    /// In the store a URL names, under the SHA-256 of the sealed bytes.
    Url(BlobUrl),
}

/// The schemes a URL locator may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// An S3-compatible bucket (`s3://bucket/prefix/<hex>`); the endpoint and credentials
    /// come from the reader's AWS environment variables.
    S3,
    /// A plain HTTPS server (a static host or `ehr store serve` behind TLS).
    Https,
    /// A plain HTTP server (a LAN gateway, `ehr store serve`).
    Http,
}

impl Scheme {
    /// Its name in a URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::S3 => "s3",
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

/// A URL locator, checked: scheme, authority (an S3 bucket, or `host[:port]`), the path
/// segments before the hash, and the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobUrl {
    /// The scheme.
    pub scheme: Scheme,
    /// The bucket (S3) or `host[:port]` (HTTP).
    pub authority: String,
    /// The path segments before the hash (possibly none).
    pub prefix: Vec<String>,
    /// The SHA-256 of the sealed bytes.
    pub hash: [u8; 32],
}

impl BlobUrl {
    /// The place without the hash: `s3://bucket/prefix`, `https://host/path`.
    pub fn base(&self) -> String {
        base_url(self.scheme, &self.authority, &self.prefix)
    }
}

impl std::fmt::Display for BlobUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.base(), hex::encode(self.hash))
    }
}

/// `scheme://authority/prefix...`, without a trailing slash.
pub(crate) fn base_url(scheme: Scheme, authority: &str, prefix: &[String]) -> String {
    let mut url = format!("{}://{authority}", scheme.as_str());
    for segment in prefix {
        url.push('/');
        url.push_str(segment);
    }
    url
}

impl Locator {
    /// Parses record `id`'s on-chain `locator`, or [`RecordError::BadLocator`].
    pub fn parse(id: u64, locator: &str) -> Result<Self, RecordError> {
        let bad = || RecordError::BadLocator {
            id,
            locator: locator.to_string(),
        };
        if locator == ON_CHAIN {
            return Ok(Locator::OnChain);
        }
        if let Some(hex_part) = locator.strip_prefix(CAS_PREFIX) {
            return parse_hash(hex_part, true)
                .map(Locator::Sha256)
                .ok_or_else(bad);
        }
        parse_url(locator).map(Locator::Url).ok_or_else(bad)
    }

    /// The content hash it names, for a locator into a store.
    pub fn hash(&self) -> Option<[u8; 32]> {
        match self {
            Locator::OnChain => None,
            Locator::Sha256(hash) => Some(*hash),
            Locator::Url(url) => Some(url.hash),
        }
    }
}

/// 64 hex digits (lowercase only unless `any_case`).
fn parse_hash(text: &str, any_case: bool) -> Option<[u8; 32]> {
    if text.len() != 64 || (!any_case && text.bytes().any(|b| b.is_ascii_uppercase())) {
        return None;
    }
    let mut hash = [0u8; 32];
    hex::decode_to_slice(text, &mut hash).ok()?;
    Some(hash)
}

/// A URL locator, or `None` for anything outside the allowed forms.
fn parse_url(text: &str) -> Option<BlobUrl> {
    let (scheme, rest) = text.split_once("://")?;
    let scheme = match scheme {
        "s3" => Scheme::S3,
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        _ => return None,
    };
    let (authority, path) = rest.split_once('/')?;
    let authority_ok = match scheme {
        Scheme::S3 => is_bucket(authority),
        Scheme::Https | Scheme::Http => is_host_port(authority),
    };
    if !authority_ok {
        return None;
    }
    let mut segments: Vec<String> = Vec::new();
    for segment in path.split('/') {
        if !is_segment(segment) {
            return None;
        }
        segments.push(segment.to_string());
    }
    let last = segments.pop()?;
    let hash = parse_hash(&last, false)?;
    Some(BlobUrl {
        scheme,
        authority: authority.to_string(),
        prefix: segments,
        hash,
    })
}

/// An S3 bucket name: 3 to 63 of `a-z 0-9 . -`, starting and ending with a letter or digit.
pub(crate) fn is_bucket(name: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (3..=63).contains(&name.len())
        && name.bytes().all(|b| alnum(b) || b == b'.' || b == b'-')
        && name.bytes().next().is_some_and(alnum)
        && name.bytes().last().is_some_and(alnum)
        && !name.contains("..")
}

/// `host` or `host:port`: a DNS name or IPv4 address of `A-Z a-z 0-9 . -` (not starting
/// with `.` or `-`), and a port of 1 to 65535.
pub(crate) fn is_host_port(authority: &str) -> bool {
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host_ok = (1..=253).contains(&host.len())
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !host.starts_with(['.', '-'])
        && !host.contains("..");
    let port_ok = match port {
        None => true,
        Some(p) => {
            (1..=5).contains(&p.len())
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n > 0)
        }
    };
    host_ok && port_ok
}

/// A path segment: 1 to 128 of `A-Z a-z 0-9 . _ ~ -`, and neither `.` nor `..`.
pub(crate) fn is_segment(segment: &str) -> bool {
    (1..=128).contains(&segment.len())
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-'))
        && segment != "."
        && segment != ".."
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn the_allowed_forms_parse() {
        assert_eq!(Locator::parse(1, ON_CHAIN).unwrap(), Locator::OnChain);
        let hash = parse_hash(HEX, false).unwrap();
        assert_eq!(
            Locator::parse(1, &format!("sha256:{}", HEX.to_uppercase())).unwrap(),
            Locator::Sha256(hash)
        );
        for (text, scheme, authority, prefix) in [
            (
                format!("s3://ehr-bucket/ehr/{HEX}"),
                Scheme::S3,
                "ehr-bucket",
                vec!["ehr"],
            ),
            (
                format!("s3://ehr-bucket/{HEX}"),
                Scheme::S3,
                "ehr-bucket",
                vec![],
            ),
            (
                format!("https://blobs.clinic.example/a/b_c/{HEX}"),
                Scheme::Https,
                "blobs.clinic.example",
                vec!["a", "b_c"],
            ),
            (
                format!("http://127.0.0.1:8451/ehr/{HEX}"),
                Scheme::Http,
                "127.0.0.1:8451",
                vec!["ehr"],
            ),
        ] {
            let Locator::Url(url) = Locator::parse(1, &text).unwrap() else {
                panic!("{text} is a URL locator");
            };
            assert_eq!(url.scheme, scheme);
            assert_eq!(url.authority, authority);
            assert_eq!(url.prefix, prefix);
            assert_eq!(url.hash, hash);
            assert_eq!(url.to_string(), text, "a URL locator prints as written");
        }
    }

    #[test]
    fn hostile_locators_are_refused() {
        for text in [
            format!("file:///etc/{HEX}"),
            format!("ftp://host/{HEX}"),
            format!("https://host/../{HEX}"),
            format!("https://host/a/./{HEX}"),
            format!("https://host//{HEX}"),
            format!("https://host/a/{HEX}/"),
            format!("https://host/a/{HEX}?x=1"),
            format!("https://host/a/{HEX}#frag"),
            format!("https://host/%2e%2e/{HEX}"),
            format!("https://user:pw@host/{HEX}"),
            format!("https://host:0/{HEX}"),
            format!("https://host:99999/{HEX}"),
            format!("https://[::1]/{HEX}"),
            format!("https://.host/{HEX}"),
            format!("https:///{HEX}"),
            format!("https://host/{}", HEX.to_uppercase()),
            format!("https://host/{}", &HEX[1..]),
            "https://host/ehr/not-a-hash".to_string(),
            format!("https://host/{HEX}/extra"),
            format!("s3://UPPER/{HEX}"),
            format!("s3://ab/{HEX}"),
            format!("s3://bucket:9000/{HEX}"),
            format!("s3://bucket/a\\b/{HEX}"),
            format!("S3://bucket/{HEX}"),
            format!("sha256:{}", &HEX[2..]),
            format!("sha256:../{}", &HEX[3..]),
        ] {
            assert!(
                matches!(
                    Locator::parse(7, &text),
                    Err(RecordError::BadLocator { id: 7, .. })
                ),
                "{text} must be refused"
            );
        }
    }
}
