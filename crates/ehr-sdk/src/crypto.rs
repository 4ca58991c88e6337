//! Record encryption: a fresh data key per record, the record sealed with
//! ChaCha20-Poly1305, and the data key wrapped to each holder's secp256k1 public key
//! (ephemeral ECDH, HKDF-SHA256, ChaCha20-Poly1305) in an envelope that fits the
//! contract's `(buff 128)`.
//!
//! Layouts (all fixed, versioned by their first byte):
//!
//! ```text
//! sealed record = 0x02 | key commitment (32) | nonce (12) | ciphertext | tag (16)
//!                 cipher key     = HKDF-SHA256(data key, info = "ehr/record/key/v2")
//!                 key commitment = HKDF-SHA256(data key, info = "ehr/record/commit/v2")
//!                 AAD  = "ehr/record/v2" | patient principal (c32 text) | 0x00 | record type
//! sealed record = 0x03 | key commitment (32) | nonce prefix (7) | segment 0 | … | segment n-1
//!   (large records, read and written as a stream: see [`stream`] for the details)
//! envelope      = 0x01 | ephemeral compressed public key (33) | wrapped key (32) | tag (16)  = 82 bytes
//!                 key, nonce = HKDF-SHA256(ikm = ECDH x-coordinate,
//!                                          salt = ephemeral pubkey | recipient pubkey,
//!                                          info = "ehr/envelope/v1") -> 32 + 12 bytes
//! ```
//!
//! The content hash the contract stores is sha256 of the sealed record, so anyone who
//! fetches the bytes can check them before decrypting. The key commitment makes a sealed
//! record open under one data key only: ChaCha20-Poly1305 alone is not key-committing, so
//! without it a malicious writer could craft one blob (one content hash) that decrypts to
//! different records for different holders, each handed a different key. Revocation cannot make a holder
//! forget a key it already unwrapped: [`rotate`] re-seals under a new data key and wraps
//! it only for the holders who keep access.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
use k256::ecdh::diffie_hellman;
use k256::elliptic_curve::sec1::ToEncodedPoint;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::keys::{PublicKey, SecretKey};

pub mod stream;

/// Format version byte of sealed records (2: key-committing).
pub const RECORD_VERSION: u8 = 2;
/// Format version byte of envelopes.
pub const ENVELOPE_VERSION: u8 = 1;
/// Bytes of an envelope: version, ephemeral public key, wrapped key, tag.
pub const ENVELOPE_LEN: usize = 1 + 33 + 32 + 16;
/// The contract's envelope field is `(buff 128)`.
pub const ENVELOPE_MAX: usize = 128;
const _: () = assert!(ENVELOPE_LEN <= ENVELOPE_MAX);
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Why something could not be sealed or opened. Deliberately coarse where detail would
/// help an attacker: a wrong key and a tampered byte look the same.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// Authentication failed: wrong record context, or the bytes were changed.
    #[error("cannot open: wrong record context, or the data was tampered with")]
    Open,
    /// The data key is not the one this record was sealed under (its key commitment
    /// differs): a wrong envelope, or a record crafted to open differently per holder.
    #[error("cannot open: this key is not the record's key")]
    WrongKey,
    /// The sealed bytes are not what the chain's content hash commits to.
    #[error("the fetched record does not match its on-chain content hash")]
    HashMismatch,
    /// The bytes are not a sealed record or envelope of a known version and size.
    #[error("malformed {what}: {why}")]
    Malformed {
        /// "sealed record" or "envelope".
        what: &'static str,
        /// What is wrong.
        why: String,
    },
    /// A public key is not a valid compressed secp256k1 point.
    #[error("invalid public key")]
    PublicKey,
}

/// A record's 32-byte data key. Wiped on drop, never printed.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(&mut k[..]);
        DataKey(k)
    }

    /// The key bytes, for what is derived from them (claims blinding factors). Never log
    /// them.
    pub(crate) fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

/// What a sealed record is bound to: a ciphertext moved to another patient or record type
/// fails to open.
#[derive(Debug, Clone, Copy)]
pub struct RecordContext<'a> {
    /// The patient's principal, as text.
    pub patient: &'a str,
    /// The record type, as stored on chain.
    pub record_type: &'a str,
}

impl RecordContext<'_> {
    /// The associated data of format version 2.
    fn aad(&self) -> Vec<u8> {
        self.aad_labelled(b"ehr/record/v2")
    }

    /// `label | patient | 0x00 | record type`.
    fn aad_labelled(&self, label: &[u8]) -> Vec<u8> {
        let mut aad = label.to_vec();
        aad.extend_from_slice(self.patient.as_bytes());
        aad.push(0);
        aad.extend_from_slice(self.record_type.as_bytes());
        aad
    }
}

/// The record cipher key and the key commitment of format version 2.
fn record_keys(key: &DataKey) -> (Zeroizing<[u8; 32]>, [u8; 32]) {
    derive_record_keys(key, b"ehr/record/key/v2", b"ehr/record/commit/v2")
}

/// The record cipher key and the key commitment, both derived from the data key with
/// HKDF-Expand-SHA256 under the version's labels.
fn derive_record_keys(
    key: &DataKey,
    key_label: &[u8],
    commit_label: &[u8],
) -> (Zeroizing<[u8; 32]>, [u8; 32]) {
    let hk = Hkdf::<Sha256>::from_prk(&key.0[..])
        .unwrap_or_else(|_| unreachable!("a 32-byte key is a valid HKDF-SHA256 PRK"));
    let mut cipher_key = Zeroizing::new([0u8; 32]);
    let mut commitment = [0u8; 32];
    hk.expand(key_label, &mut cipher_key[..])
        .and_then(|()| hk.expand(commit_label, &mut commitment))
        .unwrap_or_else(|_| unreachable!("32 bytes is a valid HKDF-SHA256 output length"));
    (cipher_key, commitment)
}

const HEADER_LEN: usize = 1 + 32 + NONCE_LEN;

/// Bytes sealing adds to a plaintext: version, key commitment, nonce and tag.
pub const SEAL_OVERHEAD: usize = HEADER_LEN + TAG_LEN;

/// Seals `plaintext` under `key`.
pub fn seal(key: &DataKey, plaintext: &[u8], context: RecordContext) -> Vec<u8> {
    let (cipher_key, commitment) = record_keys(key);
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&cipher_key[..]));
    let aad = context.aad();
    let ciphertext = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .unwrap_or_else(|_| unreachable!("ChaCha20-Poly1305 encryption cannot fail"));
    let mut out = Vec::with_capacity(HEADER_LEN + ciphertext.len());
    out.push(RECORD_VERSION);
    out.extend_from_slice(&commitment);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    out
}

/// Opens a sealed record of either version: 2 ([`seal`]) or 3 ([`stream::seal`], read
/// here from memory).
pub fn open(key: &DataKey, sealed: &[u8], context: RecordContext) -> Result<Vec<u8>, CryptoError> {
    let malformed = |why: &str| CryptoError::Malformed {
        what: "sealed record",
        why: why.into(),
    };
    if sealed.first() == Some(&stream::STREAM_VERSION) {
        let mut plaintext = Vec::new();
        return match stream::open(key, sealed, &mut plaintext, context) {
            Ok(_) => Ok(plaintext),
            Err(stream::StreamError::Crypto(e)) => Err(e),
            // Reading a slice and writing a Vec cannot fail; the size is bounded by the
            // slice already in memory.
            Err(other) => Err(malformed(&other.to_string())),
        };
    }
    if sealed.len() < HEADER_LEN + TAG_LEN {
        return Err(malformed("too short"));
    }
    if sealed[0] != RECORD_VERSION {
        return Err(malformed(&format!("unknown version {}", sealed[0])));
    }
    let (cipher_key, commitment) = record_keys(key);
    // Not secret-dependent in a way that helps an attacker: the commitment is public.
    if sealed[1..33] != commitment {
        return Err(CryptoError::WrongKey);
    }
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&cipher_key[..]));
    let aad = context.aad();
    cipher
        .decrypt(
            Nonce::from_slice(&sealed[33..HEADER_LEN]),
            Payload {
                msg: &sealed[HEADER_LEN..],
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::Open)
}

/// sha256 of a sealed record: the `content-hash` stored on chain.
pub fn content_hash(sealed: &[u8]) -> [u8; 32] {
    Sha256::digest(sealed).into()
}

fn envelope_cipher(
    shared_x: &[u8],
    ephemeral: &[u8; 33],
    recipient: &[u8; 33],
) -> (ChaCha20Poly1305, [u8; NONCE_LEN]) {
    let mut salt = Vec::with_capacity(66);
    salt.extend_from_slice(ephemeral);
    salt.extend_from_slice(recipient);
    let hk = Hkdf::<Sha256>::new(Some(&salt), shared_x);
    let mut okm = Zeroizing::new([0u8; 32 + NONCE_LEN]);
    hk.expand(b"ehr/envelope/v1", &mut okm[..])
        .unwrap_or_else(|_| unreachable!("44 bytes is a valid HKDF-SHA256 output length"));
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&okm[..32]));
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&okm[32..]);
    (cipher, nonce)
}

fn k256_public(key: &PublicKey) -> Result<k256::PublicKey, CryptoError> {
    k256::PublicKey::from_sec1_bytes(&key.to_bytes()).map_err(|_| CryptoError::PublicKey)
}

fn k256_secret(key: &SecretKey) -> k256::SecretKey {
    k256::SecretKey::from_slice(key.expose_bytes())
        .unwrap_or_else(|_| unreachable!("SecretKey holds a valid scalar"))
}

/// Wraps `key` to the holder of `recipient` (its 33-byte `enc-pubkey`).
pub fn wrap_key(key: &DataKey, recipient: &PublicKey) -> Result<[u8; ENVELOPE_LEN], CryptoError> {
    let recipient_point = k256_public(recipient)?;
    let ephemeral = k256::ecdh::EphemeralSecret::random(&mut OsRng);
    let ephemeral_pub: [u8; 33] = ephemeral
        .public_key()
        .to_encoded_point(true)
        .as_bytes()
        .try_into()
        .unwrap_or_else(|_| unreachable!("a compressed point is 33 bytes"));
    let shared = ephemeral.diffie_hellman(&recipient_point);
    let (cipher, nonce) = envelope_cipher(
        shared.raw_secret_bytes(),
        &ephemeral_pub,
        &recipient.to_bytes(),
    );
    let wrapped = cipher
        .encrypt(Nonce::from_slice(&nonce), &key.0[..])
        .unwrap_or_else(|_| unreachable!("ChaCha20-Poly1305 encryption cannot fail"));
    let mut out = [0u8; ENVELOPE_LEN];
    out[0] = ENVELOPE_VERSION;
    out[1..34].copy_from_slice(&ephemeral_pub);
    out[34..].copy_from_slice(&wrapped);
    Ok(out)
}

/// Unwraps an envelope with the holder's secret key.
pub fn unwrap_key(envelope: &[u8], holder: &SecretKey) -> Result<DataKey, CryptoError> {
    let malformed = |why: String| CryptoError::Malformed {
        what: "envelope",
        why,
    };
    if envelope.len() != ENVELOPE_LEN {
        return Err(malformed(format!(
            "{} bytes, expected {ENVELOPE_LEN}",
            envelope.len()
        )));
    }
    if envelope[0] != ENVELOPE_VERSION {
        return Err(malformed(format!("unknown version {}", envelope[0])));
    }
    let ephemeral_pub: [u8; 33] = envelope[1..34]
        .try_into()
        .unwrap_or_else(|_| unreachable!("length checked"));
    let ephemeral =
        k256::PublicKey::from_sec1_bytes(&ephemeral_pub).map_err(|_| CryptoError::Open)?;
    let secret = k256_secret(holder);
    let shared = diffie_hellman(secret.to_nonzero_scalar(), ephemeral.as_affine());
    let (cipher, nonce) = envelope_cipher(
        shared.raw_secret_bytes(),
        &ephemeral_pub,
        &holder.public_key().to_bytes(),
    );
    let key = Zeroizing::new(
        cipher
            .decrypt(Nonce::from_slice(&nonce), &envelope[34..])
            .map_err(|_| CryptoError::Open)?,
    );
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&key);
    Ok(DataKey(out))
}

/// A record sealed for its first holders.
#[derive(Debug, Clone)]
pub struct SealedRecord {
    /// The sealed bytes (stored whole on chain in chunks, or behind a locator).
    pub sealed: Vec<u8>,
    /// sha256 of `sealed`: the on-chain `content-hash`.
    pub content_hash: [u8; 32],
    /// One envelope per holder, in the order the holders were given.
    pub envelopes: Vec<[u8; ENVELOPE_LEN]>,
}

/// Seals `plaintext` under a fresh data key and wraps that key for each holder.
pub fn encrypt_record(
    plaintext: &[u8],
    context: RecordContext,
    holders: &[PublicKey],
) -> Result<SealedRecord, CryptoError> {
    let key = DataKey::generate();
    let sealed = seal(&key, plaintext, context);
    let envelopes = holders
        .iter()
        .map(|h| wrap_key(&key, h))
        .collect::<Result<_, _>>()?;
    Ok(SealedRecord {
        content_hash: content_hash(&sealed),
        sealed,
        envelopes,
    })
}

/// Opens a record with a holder's envelope and secret key, checking the content hash
/// first when one is given.
pub fn decrypt_record(
    sealed: &[u8],
    envelope: &[u8],
    holder: &SecretKey,
    context: RecordContext,
    expected_hash: Option<&[u8; 32]>,
) -> Result<Vec<u8>, CryptoError> {
    if let Some(expected) = expected_hash {
        if &content_hash(sealed) != expected {
            return Err(CryptoError::HashMismatch);
        }
    }
    let key = unwrap_key(envelope, holder)?;
    open(&key, sealed, context)
}

/// Key rotation: opens the record with a current holder's envelope, re-seals it under a
/// new data key, and wraps the new key only for `keep` (those who still have access).
pub fn rotate(
    sealed: &[u8],
    envelope: &[u8],
    holder: &SecretKey,
    context: RecordContext,
    keep: &[PublicKey],
) -> Result<SealedRecord, CryptoError> {
    let plaintext = Zeroizing::new(decrypt_record(sealed, envelope, holder, context, None)?);
    encrypt_record(&plaintext, context, keep)
}
