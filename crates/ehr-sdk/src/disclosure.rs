//! Selective disclosure and attestations, in the exact encodings of the
//! `verification-helper` contract. Selective disclosure here means salted hash commitments
//! and Merkle inclusion proofs: the verifier learns the disclosed field and nothing else,
//! but that field is revealed. It is not a zero-knowledge proof.

use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, TupleData, Value};
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

/// The salt of a registration commitment (a patient's identifier, a doctor's licence),
/// derived from the registrant's secret key with HKDF-SHA256 over the registry contract
/// and the identifier. Nobody without the key can predict it, so the hash on chain still
/// hides the identifier; and the same key, registry and identifier always give the same
/// salt, so a registration interrupted and run again commits to the same hash, and a lost
/// salt can be derived again from the key. (A random salt is possible with `--salt`.)
pub fn registration_salt(
    key: &SecretKey,
    registry: &QualifiedContractIdentifier,
    identifier: &[u8],
) -> [u8; 32] {
    let hkdf = hkdf::Hkdf::<Sha256>::new(Some(b"ehr/registration-salt/v1"), key.expose_bytes());
    let registry = registry.to_string();
    let mut info = Vec::with_capacity(8 + registry.len() + identifier.len());
    info.extend_from_slice(&(registry.len() as u64).to_be_bytes());
    info.extend_from_slice(registry.as_bytes());
    info.extend_from_slice(identifier);
    let mut salt = [0u8; 32];
    hkdf.expand(&info, &mut salt)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    salt
}

/// What an issuer attests: `doctor` holds `license_hash` until block `expires_at`, in one
/// deployment (`registry`, its doctor-registry contract) on one chain (`chain_id`), signed
/// by `issuer`. Binding the deployment and chain means one signature never verifies a
/// doctor anywhere else (contracts v2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    /// The doctor's account.
    pub doctor: PrincipalData,
    /// The doctor's registered licence hash.
    pub license_hash: [u8; 32],
    /// Block height the credential expires at.
    pub expires_at: u128,
    /// The issuer that signs.
    pub issuer: PrincipalData,
    /// The chain id (0x80000000 on testnet and devnet, 0x00000001 on mainnet).
    pub chain_id: u32,
    /// The deployment's `doctor-registry` contract.
    pub registry: QualifiedContractIdentifier,
}

impl Attestation {
    /// The hash the issuer signs: sha256 of the consensus serialisation of
    /// `{doctor, license-hash, expires-at, issuer, chain-id, contract}` (what the
    /// contract's `attestation-hash` computes).
    pub fn hash(&self) -> [u8; 32] {
        let tuple = TupleData::from_data(vec![
            ("doctor".into(), Value::Principal(self.doctor.clone())),
            (
                "license-hash".into(),
                Value::buff_from(self.license_hash.to_vec())
                    .unwrap_or_else(|_| unreachable!("32 bytes fit a buffer")),
            ),
            ("expires-at".into(), Value::UInt(self.expires_at)),
            ("issuer".into(), Value::Principal(self.issuer.clone())),
            ("chain-id".into(), Value::UInt(self.chain_id.into())),
            (
                "contract".into(),
                Value::Principal(PrincipalData::Contract(self.registry.clone())),
            ),
        ])
        .unwrap_or_else(|_| unreachable!("six distinct field names"));
        let bytes = Value::Tuple(tuple)
            .serialize_to_vec()
            .unwrap_or_else(|_| unreachable!("principals, a buffer and uints always serialise"));
        Sha256::digest(bytes).into()
    }

    /// The issuer's signature over [`Attestation::hash`], as `verify-with-attestation`
    /// takes it.
    pub fn sign(&self, issuer_key: &SecretKey) -> [u8; 65] {
        sign_rsv(issuer_key, &self.hash())
    }
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

/// Hash of a Merkle leaf: `sha256(0x00 ++ salt ++ field)`.
pub fn leaf_hash(salt: &[u8; 32], field: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(salt);
    h.update(field);
    h.finalize().into()
}

/// Hash of an inner node: `sha256(0x01 ++ left ++ right)`. The distinct prefixes keep an
/// inner node from ever passing as a leaf (RFC 6962).
pub fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Deepest proof the contract's `verify-merkle-proof` takes (`(list 32 ...)`).
pub const MAX_DEPTH: usize = 32;

/// An inclusion proof for one leaf, in the form `verify-merkle-proof` takes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MerkleProof {
    /// The leaf hash being proven.
    #[serde(with = "hex32")]
    pub leaf: [u8; 32],
    /// Sibling hashes from the leaf's level up.
    #[serde(with = "hex32_vec")]
    pub siblings: Vec<[u8; 32]>,
    /// `positions[i]` is true when `siblings[i]` is the left sibling.
    pub positions: Vec<bool>,
    /// The root it proves inclusion in.
    #[serde(with = "hex32")]
    pub root: [u8; 32],
}

/// Why a tree could not be built or a proof made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MerkleError {
    /// A tree needs at least one leaf.
    #[error("a Merkle tree needs at least one leaf")]
    Empty,
    /// The leaf index is past the last leaf.
    #[error("leaf {index} does not exist (the tree has {len} leaves)")]
    NoSuchLeaf {
        /// Requested index.
        index: usize,
        /// Number of leaves.
        len: usize,
    },
    /// More than 2^32 leaves would need a proof deeper than the contract takes.
    #[error("too many leaves for a proof of at most {MAX_DEPTH} levels")]
    TooDeep,
}

/// A Merkle tree over leaf hashes. At a level with an odd number of nodes the last one is
/// promoted unchanged to the next level (no duplication, so no second-preimage trick with
/// a repeated last leaf).
#[derive(Debug, Clone)]
pub struct MerkleTree {
    levels: Vec<Vec<[u8; 32]>>,
}

impl MerkleTree {
    /// Builds the tree over `leaves` (already hashed with [`leaf_hash`]).
    pub fn new(leaves: Vec<[u8; 32]>) -> Result<Self, MerkleError> {
        if leaves.is_empty() {
            return Err(MerkleError::Empty);
        }
        let mut levels = vec![leaves];
        while levels.last().map_or(0, Vec::len) > 1 {
            let below = levels.last().map(Vec::as_slice).unwrap_or_default();
            let next = below
                .chunks(2)
                .map(|pair| match pair {
                    [l, r] => node_hash(l, r),
                    [single] => *single,
                    _ => unreachable!("chunks(2) yields one or two"),
                })
                .collect();
            levels.push(next);
        }
        if levels.len() - 1 > MAX_DEPTH {
            return Err(MerkleError::TooDeep);
        }
        Ok(MerkleTree { levels })
    }

    /// The root hash.
    pub fn root(&self) -> [u8; 32] {
        self.levels
            .last()
            .and_then(|l| l.first())
            .copied()
            .unwrap_or_default()
    }

    /// The inclusion proof of leaf `index`.
    pub fn prove(&self, index: usize) -> Result<MerkleProof, MerkleError> {
        let len = self.levels[0].len();
        if index >= len {
            return Err(MerkleError::NoSuchLeaf { index, len });
        }
        let (mut siblings, mut positions) = (Vec::new(), Vec::new());
        let mut i = index;
        for level in &self.levels[..self.levels.len() - 1] {
            let sibling = i ^ 1;
            if sibling < level.len() {
                siblings.push(level[sibling]);
                positions.push(sibling < i);
            }
            i /= 2;
        }
        Ok(MerkleProof {
            leaf: self.levels[0][index],
            siblings,
            positions,
            root: self.root(),
        })
    }
}

impl MerkleProof {
    /// Checks the proof as the contract does.
    pub fn verify(&self) -> bool {
        if self.siblings.len() != self.positions.len() || self.siblings.len() > MAX_DEPTH {
            return false;
        }
        let computed =
            self.siblings
                .iter()
                .zip(&self.positions)
                .fold(self.leaf, |acc, (sibling, left)| {
                    if *left {
                        node_hash(sibling, &acc)
                    } else {
                        node_hash(&acc, sibling)
                    }
                });
        computed == self.root
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

mod hex32_vec {
    pub fn serialize<S: serde::Serializer>(v: &[[u8; 32]], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(hex::encode))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<[u8; 32]>, D::Error> {
        let texts: Vec<String> = serde::Deserialize::deserialize(d)?;
        texts
            .iter()
            .map(|t| {
                hex::decode(t)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| serde::de::Error::custom("expected 32 bytes of hex"))
            })
            .collect()
    }
}
