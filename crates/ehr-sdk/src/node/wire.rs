//! The hex encodings node JSON uses: Clarity values, transaction ids and `0x` u128 amounts.

use clarity::vm::Value;
use serde::{Deserialize, Deserializer};
use stacks_codec::codec::Txid;

/// A text that is not a transaction id.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not a transaction id: expected 64 hex digits, with or without 0x")]
pub struct InvalidTxid(pub String);

/// Reads a transaction id written as 64 hex digits, with or without `0x` (the node RPC
/// writes it bare, the Hiro API and event payloads with `0x`).
pub fn parse_txid(text: &str) -> Result<Txid, InvalidTxid> {
    let digits = strip_0x(text.trim());
    hex::decode(digits)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .map(Txid)
        .ok_or_else(|| InvalidTxid(text.to_string()))
}

/// `text` without a leading `0x`.
pub(crate) fn strip_0x(text: &str) -> &str {
    text.strip_prefix("0x").unwrap_or(text)
}

/// Decodes one consensus-serialised Clarity value from hex (with or without `0x`). Unlike
/// `Value::try_deserialize_hex_untyped`, bytes left over after the value are an error: a node
/// answer with trailing bytes is not a value.
pub(crate) fn value_from_hex(text: &str) -> Result<Value, String> {
    let bytes = hex::decode(strip_0x(text)).map_err(|e| format!("`{text}` is not hex: {e}"))?;
    let mut rest = bytes.as_slice();
    let value = Value::deserialize_read(&mut rest, None, false)
        .map_err(|e| format!("`{text}` is not a serialised Clarity value: {e}"))?;
    if !rest.is_empty() {
        return Err(format!(
            "`{text}` has {} byte(s) after the Clarity value",
            rest.len()
        ));
    }
    Ok(value)
}

/// Consensus-serialises a Clarity value as `0x` + hex, the form the node's JSON bodies use.
pub(crate) fn value_to_hex(value: &Value) -> Result<String, String> {
    value
        .serialize_to_hex()
        .map(|hex| format!("0x{hex}"))
        .map_err(|e| format!("cannot serialise {value}: {e:?}"))
}

/// Reads a u128 the node writes as `0x` + big-endian hex (account balances, `NotEnoughFunds`).
/// The prefix is required: without it `12` could as well be decimal.
pub(crate) fn u128_from_hex(text: &str) -> Result<u128, String> {
    let digits = text.strip_prefix("0x").unwrap_or_default();
    if digits.is_empty() || digits.len() > 32 {
        return Err(format!("`{text}` is not a 0x-hex u128"));
    }
    u128::from_str_radix(digits, 16).map_err(|e| format!("`{text}` is not a 0x-hex u128: {e}"))
}

/// Serde adapter for fields holding a `0x`-hex u128.
pub(crate) fn de_hex_u128<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
    let text = String::deserialize(d)?;
    u128_from_hex(&text).map_err(serde::de::Error::custom)
}

/// A txid as `0x` and hex in serde output (what the node and the Hiro API print).
pub(crate) fn txid_hex<S: serde::Serializer>(txid: &Txid, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("0x{txid}"))
}

/// A txid from serde input, with or without `0x`.
pub(crate) fn txid_from_hex<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Txid, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    parse_txid(&text).map_err(serde::de::Error::custom)
}
