//! Signing webhook deliveries, and checking them on the receiver's side.
//!
//! Each delivery is a POST of the notification's JSON with the header
//! `Ehr-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." ++ body)>` and
//! `Ehr-Delivery: <sequence number>` (the same number on a retry: receivers drop
//! duplicates with it). The timestamp bounds replays: [`verify`] refuses a signature older
//! than the tolerance given.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The signature header's name.
pub const SIGNATURE_HEADER: &str = "Ehr-Signature";
/// The delivery number header's name.
pub const DELIVERY_HEADER: &str = "Ehr-Delivery";

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not `t=...,v1=...`.
    #[error("the {SIGNATURE_HEADER} header is not t=<seconds>,v1=<hex>")]
    Malformed,
    /// Its time is further from now than the tolerance.
    #[error("the signature's time is {0} s from now, beyond the tolerance")]
    Stale(i64),
    /// The HMAC does not match the body and secret.
    #[error("the signature does not match the body")]
    Mismatch,
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `Ehr-Signature` header value for `body` sent at `timestamp`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// Checks a delivery: the header's HMAC over its timestamp and `body`, in constant
/// time, and its timestamp within `tolerance_secs` of `now`.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut tag = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => tag = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(tag)) = (timestamp, tag) else {
        return Err(SignatureError::Malformed);
    };
    let skew = (now - timestamp).abs();
    if skew > tolerance_secs {
        return Err(SignatureError::Stale(skew));
    }
    mac(secret, timestamp, body)
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_once_and_no_byte_can_change() {
        let body = br#"{"event":"notification"}"#;
        let header = sign(b"s3cret", 1_700_000_000, body);
        assert_eq!(verify(b"s3cret", &header, body, 1_700_000_010, 300), Ok(()));
        assert_eq!(
            verify(b"other", &header, body, 1_700_000_010, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                b"s3cret",
                &header,
                br#"{"event":"notificatioN"}"#,
                1_700_000_010,
                300
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"s3cret", &header, body, 1_700_001_000, 300),
            Err(SignatureError::Stale(1000))
        );
        assert_eq!(
            verify(b"s3cret", "v1=00", body, 1_700_000_000, 300),
            Err(SignatureError::Malformed)
        );
        // The timestamp is signed: moving it breaks the signature.
        let moved = header.replace("t=1700000000", "t=1700000005");
        assert_eq!(
            verify(b"s3cret", &moved, body, 1_700_000_010, 300),
            Err(SignatureError::Mismatch)
        );
    }
}
