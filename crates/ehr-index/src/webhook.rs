//! Signing webhook deliveries, and checking them on the receiver's side.
//!
//! Each delivery is a POST of the notification's JSON with the headers
//! `Ehr-Delivery: <sequence number>` (the same number on a retry: receivers drop
//! duplicates with it) and
//! `Ehr-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<delivery>." ++ body)>`:
//! the time and the delivery number are signed with the body, so neither can be changed
//! on a replayed delivery. The timestamp bounds replays: [`verify`] refuses a signature
//! further from now than the tolerance given.

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

fn mac(secret: &[u8], timestamp: i64, delivery: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(delivery.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `Ehr-Signature` header value for delivery `delivery` of `body` sent at
/// `timestamp`.
pub fn sign(secret: &[u8], timestamp: i64, delivery: &str, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, delivery, body)
        .finalize()
        .into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// Checks a delivery: the signature header's HMAC over its timestamp, the
/// `Ehr-Delivery` header's value and `body`, in constant time, and its timestamp within
/// `tolerance_secs` of `now`.
pub fn verify(
    secret: &[u8],
    header: &str,
    delivery: &str,
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
    // A hostile timestamp must not overflow the subtraction.
    let skew = i64::try_from(now.abs_diff(timestamp)).unwrap_or(i64::MAX);
    if skew > tolerance_secs {
        return Err(SignatureError::Stale(skew));
    }
    mac(secret, timestamp, delivery, body)
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_once_and_no_byte_can_change() {
        let body = br#"{"event":"notification"}"#;
        let at = 1_700_000_000;
        let header = sign(b"s3cret", at, "7", body);
        assert_eq!(verify(b"s3cret", &header, "7", body, at + 10, 300), Ok(()));
        let refused = |secret: &[u8], header: &str, delivery: &str, body: &[u8], now: i64| {
            verify(secret, header, delivery, body, now, 300)
        };
        assert_eq!(
            refused(b"other", &header, "7", body, at + 10),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            refused(
                b"s3cret",
                &header,
                "7",
                br#"{"event":"notificatioN"}"#,
                at + 10
            ),
            Err(SignatureError::Mismatch)
        );
        // The delivery number is signed: a replay under another number does not verify.
        assert_eq!(
            refused(b"s3cret", &header, "8", body, at + 10),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            refused(b"s3cret", &header, "7", body, at + 1000),
            Err(SignatureError::Stale(1000))
        );
        assert_eq!(
            refused(b"s3cret", "v1=00", "7", body, at),
            Err(SignatureError::Malformed)
        );
        // The timestamp is signed: moving it breaks the signature.
        let moved = header.replace("t=1700000000", "t=1700000005");
        assert_eq!(
            refused(b"s3cret", &moved, "7", body, at + 10),
            Err(SignatureError::Mismatch)
        );
        // A hostile timestamp is stale, not an overflow.
        let hostile = format!("t={},v1=00", i64::MIN);
        assert!(matches!(
            refused(b"s3cret", &hostile, "7", body, at),
            Err(SignatureError::Stale(_))
        ));
    }
}
