//! Selective disclosure and attestations, in the exact encodings of the
//! `verification-helper` contract. Selective disclosure here means salted hash commitments
//! and Merkle inclusion proofs: the verifier learns the disclosed field and nothing else,
//! but that field is revealed. It is not a zero-knowledge proof.

use clarity::vm::types::{PrincipalData, TupleData, Value};
use sha2::{Digest, Sha256};
use stacks_common::types::PrivateKey as _;

use crate::keys::SecretKey;

/// `sha256(salt ++ value)`: a commitment to `value` that reveals nothing until the salt
/// and value are shown.
pub fn commitment(salt: &[u8; 32], value: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(value);
    h.finalize().into()
}

/// The hash an issuer signs to attest a doctor's credential: sha256 of the consensus
/// serialisation of `{doctor, license-hash, expires-at}` (what the contract's
/// `attestation-hash` computes).
pub fn attestation_hash(
    doctor: &PrincipalData,
    license_hash: &[u8; 32],
    expires_at: u128,
) -> [u8; 32] {
    let tuple = TupleData::from_data(vec![
        ("doctor".into(), Value::Principal(doctor.clone())),
        (
            "license-hash".into(),
            Value::buff_from(license_hash.to_vec())
                .unwrap_or_else(|_| unreachable!("32 bytes fit a buffer")),
        ),
        ("expires-at".into(), Value::UInt(expires_at)),
    ])
    .unwrap_or_else(|_| unreachable!("three distinct field names"));
    let bytes = Value::Tuple(tuple)
        .serialize_to_vec()
        .unwrap_or_else(|_| unreachable!("a principal, buffer and uint always serialise"));
    Sha256::digest(bytes).into()
}

/// Signs a 32-byte hash as Clarity's `secp256k1-verify` takes it: `r ++ s ++ recovery id`
/// (65 bytes, low-S, RFC 6979 nonce).
pub fn sign_rsv(key: &SecretKey, hash: &[u8; 32]) -> [u8; 65] {
    let vrs = key
        .to_stacks()
        .sign(hash)
        .unwrap_or_else(|_| unreachable!("a 32-byte hash is always signable"))
        .0;
    let mut rsv = [0u8; 65];
    rsv[..64].copy_from_slice(&vrs[1..]);
    rsv[64] = vrs[0];
    rsv
}

/// An issuer's attestation that `doctor` holds `license_hash` until block `expires_at`.
pub fn sign_attestation(
    issuer: &SecretKey,
    doctor: &PrincipalData,
    license_hash: &[u8; 32],
    expires_at: u128,
) -> [u8; 65] {
    sign_rsv(issuer, &attestation_hash(doctor, license_hash, expires_at))
}
