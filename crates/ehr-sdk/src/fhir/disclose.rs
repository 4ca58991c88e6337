//! Selective disclosure of a FHIR resource's fields: salted Merkle commitments in the
//! encodings of the `verification-helper` contract.
//!
//! Like the rest of the project's selective disclosure, this is salted hash commitments
//! and Merkle inclusion proofs, not zero-knowledge: the verifier learns the disclosed
//! field's path and value, and that it belongs to the resource committed to by the root,
//! and nothing about the other fields (each leaf has its own random salt, so an
//! undisclosed field cannot be guessed and checked against its leaf). What it also learns
//! is the number of fields (from the proof's depth) and the field's position in path
//! order.

use rand_core::{OsRng, RngCore};
use serde_json::Value;

use super::canonical::{canonical_json, write_string};
use super::FhirError;
use crate::disclosure::{leaf_hash, MerkleProof, MerkleTree};

/// Longest field encoding the contract's `leaf-hash (salt (buff 32)) (field (buff 512))`
/// takes: a field whose `path ++ 0x00 ++ value` is longer cannot be disclosed.
pub const MAX_FIELD_BYTES: usize = 512;

/// Every leaf of `resource` (string, number, boolean, null) as `(path, value bytes)`,
/// sorted by the path's UTF-8 bytes (so `a[10]` comes before `a[2]`; what matters is that
/// every client sorts the same way).
///
/// Paths: object members joined with `.`, array items as `[i]`, from the resource's root
/// without a leading `$`: `valueQuantity.value`, `code.coding[0].code`, `name[0].given[1]`.
/// A key that is not made only of ASCII letters, digits, `_` and `-` (no FHIR element name
/// is) is written `["key"]` with the key as a JSON string, so no two leaves share a path:
/// `extension[0]["weird.key"]`. A leaf at the root (when `resource` is not an object or
/// array) has the empty path.
///
/// Value bytes: the leaf's [`canonical_json`] (`"mmHg"` with its quotes, `120.5`, `true`,
/// `null`). Empty objects and arrays have no leaves and leave no trace (FHIR forbids them).
pub fn flatten(resource: &Value) -> Vec<(String, Vec<u8>)> {
    let mut fields = Vec::new();
    walk(resource, String::new(), &mut fields);
    fields.sort_by(|(a, _), (b, _)| a.cmp(b));
    fields
}

fn plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn walk(value: &Value, path: String, out: &mut Vec<(String, Vec<u8>)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let mut p = path.clone();
                if plain_key(key) {
                    if !p.is_empty() {
                        p.push('.');
                    }
                    p.push_str(key);
                } else {
                    p.push('[');
                    write_string(key, &mut p);
                    p.push(']');
                }
                walk(item, p, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{path}[{i}]"), out);
            }
        }
        leaf => out.push((path, canonical_json(leaf))),
    }
}

/// The bytes committed to for one field, what the contract's `leaf-hash` takes as `field`:
/// the path's UTF-8 bytes, one 0x00 byte, then the value's canonical JSON bytes. A path
/// never contains 0x00 (a key with one is written with `\u0000`), so the split is
/// unambiguous. The leaf hash is then `sha256(0x00 ++ salt ++ field_bytes)`
/// ([`leaf_hash`](crate::disclosure::leaf_hash)).
pub fn field_bytes(path: &str, value: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(path.len() + 1 + value.len());
    f.extend_from_slice(path.as_bytes());
    f.push(0);
    f.extend_from_slice(value);
    f
}

/// A resource's fields committed to in a Merkle tree, one salted leaf per field: the
/// holder's side of selective disclosure.
///
/// Leaves are `leaf_hash(salt_i, field_bytes(path_i, value_i))` in [`flatten`] order, the
/// tree is [`MerkleTree`] (RFC 6962 prefixes, an odd last node promoted), so any client
/// holding the resource and the salts rebuilds the same root. Keep the salts
/// ([`DisclosureTree::salts`]) with the resource: without them no field can be disclosed
/// later against a published root. Fields longer than [`MAX_FIELD_BYTES`] are committed
/// to like the others, but [`DisclosureTree::disclose`] refuses them.
#[derive(Debug, Clone)]
pub struct DisclosureTree {
    fields: Vec<(String, Vec<u8>)>,
    salts: Vec<[u8; 32]>,
    tree: MerkleTree,
}

impl DisclosureTree {
    /// Commits to `resource` with a fresh random 32-byte salt per field (from the OS).
    pub fn new(resource: &Value) -> Result<Self, FhirError> {
        let fields = flatten(resource);
        let salts = fields
            .iter()
            .map(|_| {
                let mut s = [0u8; 32];
                OsRng.fill_bytes(&mut s);
                s
            })
            .collect();
        Self::build(fields, salts)
    }

    /// Commits to `resource` with the given salts, one per field in [`flatten`] order:
    /// rebuilds a tree made earlier (and makes tests deterministic).
    pub fn with_salts(resource: &Value, salts: Vec<[u8; 32]>) -> Result<Self, FhirError> {
        Self::build(flatten(resource), salts)
    }

    fn build(fields: Vec<(String, Vec<u8>)>, salts: Vec<[u8; 32]>) -> Result<Self, FhirError> {
        if fields.is_empty() {
            return Err(FhirError::NoFields);
        }
        if salts.len() != fields.len() {
            return Err(FhirError::SaltCount {
                expected: fields.len(),
                got: salts.len(),
            });
        }
        let leaves = fields
            .iter()
            .zip(&salts)
            .map(|((path, value), salt)| leaf_hash(salt, &field_bytes(path, value)))
            .collect();
        Ok(DisclosureTree {
            tree: MerkleTree::new(leaves)?,
            fields,
            salts,
        })
    }

    /// The root: the commitment to publish (e.g. on chain, or alongside the record).
    pub fn root(&self) -> [u8; 32] {
        self.tree.root()
    }

    /// The fields, as [`flatten`] lists them.
    pub fn fields(&self) -> &[(String, Vec<u8>)] {
        &self.fields
    }

    /// The salts, one per field in the same order. Secret until a field is disclosed.
    pub fn salts(&self) -> &[[u8; 32]] {
        &self.salts
    }

    /// Discloses the field at `path` (a path of [`flatten`]): its value, salt and
    /// inclusion proof. Refused when the field's encoding is longer than
    /// [`MAX_FIELD_BYTES`], since the contract could not check it.
    pub fn disclose(&self, path: &str) -> Result<Disclosure, FhirError> {
        let index = self
            .fields
            .binary_search_by(|(p, _)| p.as_str().cmp(path))
            .map_err(|_| FhirError::NoSuchField(path.to_string()))?;
        let (path, value) = &self.fields[index];
        let len = path.len() + 1 + value.len();
        if len > MAX_FIELD_BYTES {
            return Err(FhirError::FieldTooLong {
                path: path.clone(),
                len,
                max: MAX_FIELD_BYTES,
            });
        }
        let value: Value = serde_json::from_slice(value)
            .unwrap_or_else(|_| unreachable!("canonical JSON of a leaf parses"));
        Ok(Disclosure {
            path: path.clone(),
            value,
            salt: self.salts[index],
            proof: self.tree.prove(index)?,
            root: self.root(),
        })
    }
}

/// One disclosed field: what a holder hands a verifier. Serialises to JSON with bytes in
/// hex:
///
/// ```json
/// {"path": "valueQuantity.value", "value": 120, "salt": "<64 hex>",
///  "proof": {"leaf": "<hex>", "siblings": ["<hex>", …], "positions": [true, …], "root": "<hex>"},
///  "root": "<64 hex>"}
/// ```
///
/// `proof` is in the form the contract's `verify-merkle-proof` takes, so the same check
/// can be made on chain (with `leaf-hash` over [`Disclosure::field_bytes`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Disclosure {
    /// The field's path, as [`flatten`] writes it.
    pub path: String,
    /// The field's value (a JSON string, number, boolean or null).
    pub value: Value,
    /// The field's salt.
    #[serde(with = "hex32")]
    pub salt: [u8; 32],
    /// The inclusion proof of the field's leaf.
    pub proof: MerkleProof,
    /// The root the field is disclosed against (the published commitment).
    #[serde(with = "hex32")]
    pub root: [u8; 32],
}

impl Disclosure {
    /// `path ++ 0x00 ++ canonical_json(value)`: the `field` argument of the contract's
    /// `leaf-hash`.
    pub fn field_bytes(&self) -> Vec<u8> {
        field_bytes(&self.path, &canonical_json(&self.value))
    }

    /// True when the field belongs to the resource committed to by `root`: the value is a
    /// leaf (not an object or array), its encoding fits [`MAX_FIELD_BYTES`], the leaf
    /// recomputed from path, value and salt is the proof's leaf, the proof's root is
    /// `root`, and the proof climbs from leaf to root.
    pub fn verify(&self) -> bool {
        if self.value.is_object() || self.value.is_array() {
            return false;
        }
        let field = self.field_bytes();
        field.len() <= MAX_FIELD_BYTES
            && leaf_hash(&self.salt, &field) == self.proof.leaf
            && self.proof.root == self.root
            && self.proof.verify()
    }
}

mod hex32 {
    pub fn serialize<S: serde::Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text: String = serde::Deserialize::deserialize(d)?;
        hex::decode(&text)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| serde::de::Error::custom("expected 32 bytes of hex"))
    }
}
