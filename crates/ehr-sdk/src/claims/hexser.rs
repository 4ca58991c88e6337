//! Lowercase hex in claims JSON, strictly: the one spelling `hex::encode` writes is the
//! only one read back, so no byte of a proof file can change without changing its meaning
//! or being refused.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

fn strict<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = String::deserialize(d)?;
    let bytes = hex::decode(&s).map_err(D::Error::custom)?;
    if hex::encode(&bytes) != s {
        return Err(D::Error::custom("hex must be lowercase"));
    }
    Ok(bytes)
}

/// Bytes as one hex string.
pub mod bytes {
    use super::*;

    /// Writes hex.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    /// Reads lowercase hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        strict(d)
    }
}

/// A fixed-size array as one hex string.
pub mod array {
    use super::*;

    /// Writes hex.
    pub fn serialize<S: Serializer, const N: usize>(v: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    /// Reads lowercase hex of exactly N bytes.
    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        let bytes = strict(d)?;
        let n = bytes.len();
        bytes
            .try_into()
            .map_err(|_| D::Error::custom(format!("expected {N} bytes of hex, got {n}")))
    }
}

/// A list of 32-byte hashes as hex strings.
pub mod hashes {
    use super::*;

    /// Writes hex strings.
    pub fn serialize<S: Serializer>(v: &[[u8; 32]], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(hex::encode))
    }

    /// Reads lowercase hex strings of 32 bytes each.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[u8; 32]>, D::Error> {
        let list = Vec::<String>::deserialize(d)?;
        list.into_iter()
            .map(|s| {
                let bytes = hex::decode(&s).map_err(D::Error::custom)?;
                if hex::encode(&bytes) != s {
                    return Err(D::Error::custom("hex must be lowercase"));
                }
                bytes
                    .try_into()
                    .map_err(|_| D::Error::custom("expected 32 bytes of hex"))
            })
            .collect()
    }
}
