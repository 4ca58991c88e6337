//! Pedersen commitments to a record's fields, the commitment set its author signs, and the
//! set's digest, which is the record's on-chain claims anchor.
//!
//! A commitment is `C = v·B + r·B̃` on Ristretto (bulletproofs' `PedersenGens`), `v` the
//! field's integer and `r` a blinding factor derived from the record's data key (the
//! random key it is encrypted under, which every holder of a key envelope can unwrap):
//! `r = HKDF-SHA256(ikm = data key, salt = "ehr-claims/v1", info = "blinding" ‖ record id ‖
//! path)`, 64 bytes reduced mod ℓ. So the author commits when it writes, and later the
//! patient (or anyone it shared the record with) can prove, with nothing to keep but the
//! record itself and the signed set, which holds no secret.
//!
//! Encodings (all hashes SHA-256, integers big-endian, strings as u16 length ‖ bytes):
//! - entry hash = H("ehr-claims/v1/entry" ‖ 0x00 ‖ path ‖ kind ‖ context ‖ C), kind =
//!   0x00 for a date, 0x01 ‖ decimals ‖ unit for a decimal;
//! - set digest (the anchor) = H("ehr-claims/v1/set" ‖ 0x00 ‖ ehr-storage contract id ‖
//!   record id (u64) ‖ patient ‖ author ‖ content hash ‖ count (u32) ‖ entry hashes);
//! - the author signs H("ehr-claims/v1/signature" ‖ 0x00 ‖ digest) with its secp256k1 key
//!   (r ‖ s ‖ recovery id, low-S): a domain of its own, so the signature can never pass for
//!   a transaction or an attestation.
//!
//! A proof opens one entry and shows only the hashes of the others.

use bulletproofs::PedersenGens;
use curve25519_dalek::ristretto::CompressedRistretto;
use curve25519_dalek::scalar::Scalar;
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use stacks_common::util::hash::Hash160;
use zeroize::Zeroizing;

use super::fields::FieldValue;
use super::value::FieldKind;
use super::ClaimsError;
use crate::crypto::DataKey;
use crate::keys::SecretKey;

/// The secret the blinding factors of one record come from (its data key). Wiped on drop.
pub struct ClaimsSecret(Zeroizing<[u8; 32]>);

impl ClaimsSecret {
    /// The claims secret of a record encrypted under `key`.
    pub fn from_data_key(key: &DataKey) -> Self {
        ClaimsSecret(Zeroizing::new(*key.expose()))
    }

    /// The blinding factor of field `path` of record `record_id`.
    pub fn blinding(&self, record_id: u64, path: &str) -> Scalar {
        let hk = Hkdf::<Sha256>::new(Some(b"ehr-claims/v1"), &self.0[..]);
        let mut info = b"blinding".to_vec();
        info.extend_from_slice(&record_id.to_be_bytes());
        info.extend_from_slice(path.as_bytes());
        let mut wide = Zeroizing::new([0u8; 64]);
        hk.expand(&info, &mut wide[..])
            .unwrap_or_else(|_| unreachable!("64 bytes is a valid HKDF-SHA256 length"));
        Scalar::from_bytes_mod_order_wide(&wide)
    }
}

/// An integer as a scalar (negative values as ℓ − |v|).
pub(crate) fn scalar(v: i128) -> Scalar {
    let magnitude = Scalar::from(v.unsigned_abs());
    if v < 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// `v·B + r·B̃`.
pub fn commit(value: i64, blinding: &Scalar) -> CompressedRistretto {
    PedersenGens::default()
        .commit(scalar(value.into()), *blinding)
        .compress()
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&s.as_bytes()[..usize::from(len)]);
}

/// One committed field: what it is, and the commitment to its value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The field's path, e.g. `Patient.birthDate`.
    pub path: String,
    /// How its integer is read.
    pub kind: FieldKind,
    /// What the value is about (`system|code`), or empty.
    pub context: String,
    /// The Pedersen commitment.
    #[serde(with = "super::hexser::array")]
    pub commitment: [u8; 32],
}

impl Entry {
    /// The entry's hash (module docs).
    pub fn hash(&self) -> [u8; 32] {
        let mut b = b"ehr-claims/v1/entry\0".to_vec();
        put_str(&mut b, &self.path);
        match &self.kind {
            FieldKind::Date => b.push(0),
            FieldKind::Decimal { decimals, unit } => {
                b.push(1);
                b.push(*decimals);
                put_str(&mut b, unit);
            }
        }
        put_str(&mut b, &self.context);
        b.extend_from_slice(&self.commitment);
        Sha256::digest(&b).into()
    }
}

/// What the commitments are bound to: the deployment and the exact record version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordRef {
    /// The deployment's `ehr-storage` contract (`ADDR.ehr-storage`).
    pub storage: String,
    /// The record id.
    pub id: u64,
    /// The record's patient.
    pub patient: String,
    /// The record's author (who signs and anchors).
    pub author: String,
    /// sha256 of the sealed record (its on-chain content hash).
    #[serde(with = "super::hexser::array")]
    pub content_hash: [u8; 32],
}

/// The set digest (the on-chain anchor) over `record` and the entry hashes.
pub fn set_digest(record: &RecordRef, entry_hashes: &[[u8; 32]]) -> [u8; 32] {
    let mut b = b"ehr-claims/v1/set\0".to_vec();
    put_str(&mut b, &record.storage);
    b.extend_from_slice(&record.id.to_be_bytes());
    put_str(&mut b, &record.patient);
    put_str(&mut b, &record.author);
    b.extend_from_slice(&record.content_hash);
    let count = u32::try_from(entry_hashes.len()).unwrap_or(u32::MAX);
    b.extend_from_slice(&count.to_be_bytes());
    for h in entry_hashes {
        b.extend_from_slice(h);
    }
    Sha256::digest(&b).into()
}

/// The hash the author signs over a set digest.
pub fn signing_hash(digest: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"ehr-claims/v1/signature\0");
    h.update(digest);
    h.finalize().into()
}

/// A record's commitment set, signed by its author. It holds no secret: the author hands
/// it to the patient (a file), and the patient's proofs carry what a verifier needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedSet {
    /// Format version, [`super::VERSION`].
    pub version: u32,
    /// The record the set is bound to.
    pub record: RecordRef,
    /// The committed fields.
    pub entries: Vec<Entry>,
    /// The author's signature over the set digest (r ‖ s ‖ recovery id).
    #[serde(with = "super::hexser::array")]
    pub signature: [u8; 65],
}

impl SignedSet {
    /// Commits `fields` of `record` with blinding factors from `secret`, and signs the
    /// set with `author_key` (which must be the key of `record.author`).
    pub fn create(
        record: RecordRef,
        fields: &[FieldValue],
        secret: &ClaimsSecret,
        author_key: &SecretKey,
    ) -> Result<Self, ClaimsError> {
        if fields.is_empty() {
            return Err(ClaimsError::NothingToCommit);
        }
        let entries: Vec<Entry> = fields
            .iter()
            .map(|f| Entry {
                path: f.path.clone(),
                kind: f.kind.clone(),
                context: f.context.clone(),
                commitment: commit(f.value, &secret.blinding(record.id, &f.path)).to_bytes(),
            })
            .collect();
        let hashes: Vec<[u8; 32]> = entries.iter().map(Entry::hash).collect();
        let digest = set_digest(&record, &hashes);
        let signature = crate::disclosure::sign_rsv(author_key, &signing_hash(&digest));
        let set = SignedSet {
            version: super::VERSION,
            record,
            entries,
            signature,
        };
        set.check_signature()?;
        Ok(set)
    }

    /// The set digest: the on-chain anchor.
    pub fn digest(&self) -> [u8; 32] {
        let hashes: Vec<[u8; 32]> = self.entries.iter().map(Entry::hash).collect();
        set_digest(&self.record, &hashes)
    }

    /// Checks the author's signature over the digest.
    pub fn check_signature(&self) -> Result<(), ClaimsError> {
        check_author_signature(&self.record.author, &self.digest(), &self.signature)
    }

    /// The full path and entry of `field`, given as a full path
    /// (`Observation.valueQuantity.value`) or within the record's type
    /// (`valueQuantity.value`).
    pub fn field(&self, field: &str) -> Result<(String, &Entry), ClaimsError> {
        let resource_type = self
            .entries
            .first()
            .and_then(|e| e.path.split('.').next())
            .unwrap_or_default();
        let path = super::fields::full_path(resource_type, field);
        let (_, entry) = self.entry(&path)?;
        Ok((path, entry))
    }

    /// The entry for `path`.
    pub fn entry(&self, path: &str) -> Result<(usize, &Entry), ClaimsError> {
        self.entries
            .iter()
            .enumerate()
            .find(|(_, e)| e.path == path)
            .ok_or_else(|| ClaimsError::NoSuchField {
                path: path.to_string(),
                committed: self.entries.iter().map(|e| e.path.clone()).collect(),
            })
    }
}

/// Checks that `signature` over `digest` was made by the key of `author` (a standard
/// principal): the public key is recovered, must hash to the author's address, and the
/// signature must be low-S (no second form of the same signature).
pub fn check_author_signature(
    author: &str,
    digest: &[u8; 32],
    signature: &[u8; 65],
) -> Result<(), ClaimsError> {
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
    let principal = clarity::vm::types::PrincipalData::parse_standard_principal(author)
        .map_err(|_| ClaimsError::BadSignature("the author is not a standard address".into()))?;
    let sig = Signature::from_slice(&signature[..64])
        .map_err(|e| ClaimsError::BadSignature(e.to_string()))?;
    if sig.normalize_s().is_some() {
        return Err(ClaimsError::BadSignature("high-S signature".into()));
    }
    let recid = RecoveryId::from_byte(signature[64])
        .ok_or_else(|| ClaimsError::BadSignature("bad recovery id".into()))?;
    let key = VerifyingKey::recover_from_prehash(&signing_hash(digest), &sig, recid)
        .map_err(|e| ClaimsError::BadSignature(e.to_string()))?;
    let point = key.to_encoded_point(true);
    let compressed = Hash160::from_data(point.as_bytes());
    let uncompressed = Hash160::from_data(key.to_encoded_point(false).as_bytes());
    if principal.1 == compressed.0 || principal.1 == uncompressed.0 {
        Ok(())
    } else {
        Err(ClaimsError::BadSignature(format!(
            "the commitment set was not signed by its author {author}"
        )))
    }
}
