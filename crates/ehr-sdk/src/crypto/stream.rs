//! Record format version 3: large records sealed and opened as a stream, in memory
//! bounded by a few chunks whatever their size.
//!
//! The construction is STREAM (Hoang, Reyhanitabar, Rogaway, Vizár, "Online
//! Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance", CRYPTO 2015) over
//! ChaCha20-Poly1305, with the key commitment of version 2:
//!
//! ```text
//! sealed record = 0x03 | key commitment (32) | nonce prefix (7) | segment 0 | … | segment n-1
//!   cipher key     = HKDF-Expand-SHA256(prk = data key, info = "ehr/record/key/v3")
//!   key commitment = HKDF-Expand-SHA256(prk = data key, info = "ehr/record/commit/v3")
//!   nonce prefix   = 7 random bytes
//!   segment i      = ChaCha20-Poly1305(cipher key, nonce i, AAD, chunk i) = ciphertext | tag (16)
//!   nonce i        = nonce prefix (7) | i as u32 big-endian (4) | 0x01 for the last segment, else 0x00
//!   AAD            = "ehr/record/v3" | patient principal (c32 text) | 0x00 | record type
//!   chunk i        = the plaintext cut in CHUNK_LEN (65536) byte chunks: every chunk but
//!                    the last is full; the last has 1..=65536 bytes, or 0 when the
//!                    plaintext is empty (then it is the only segment)
//! ```
//!
//! The counter in the nonce puts each segment in its place (a reordered or dropped
//! segment fails), the last-segment flag ends the stream (a truncated stream's new last
//! segment, or any byte appended after the real one, fails), and the random prefix with the
//! per-record data key keeps segments from moving between records. Plaintext comes out
//! segment by segment as each authenticates, so a reader writing it somewhere must treat
//! it as unconfirmed until [`open`] returns `Ok` (the CLI writes to a temporary file and
//! renames it only then).

use std::io::{self, Read, Write};

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use super::{
    derive_record_keys, unwrap_key, wrap_key, CryptoError, DataKey, RecordContext, ENVELOPE_LEN,
    TAG_LEN,
};
use crate::keys::{PublicKey, SecretKey};

/// Format version byte of stream-sealed records.
pub const STREAM_VERSION: u8 = 3;
/// Plaintext bytes per segment.
pub const CHUNK_LEN: usize = 64 * 1024;
/// The largest plaintext a record may have: 4 GiB (65,536 segments). A DICOM study or a
/// scanned chart fits many times over; anything larger is better split into several
/// records (one per series or document), each fetched and checked on its own. Sealing
/// stops with [`StreamError::TooLarge`] past it, and opening refuses a longer stream.
pub const MAX_RECORD_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Bytes of the nonce prefix.
pub const PREFIX_LEN: usize = 7;
/// Bytes before the first segment: version, key commitment, nonce prefix.
pub const STREAM_HEADER_LEN: usize = 1 + 32 + PREFIX_LEN;
const SEGMENT_LEN: usize = CHUNK_LEN + TAG_LEN;

/// The sealed size of a plaintext of `plain_len` bytes.
pub fn sealed_len(plain_len: u64) -> u64 {
    let segments = plain_len.div_ceil(CHUNK_LEN as u64).max(1);
    STREAM_HEADER_LEN as u64 + plain_len + segments * TAG_LEN as u64
}

/// Why a stream could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Reading the input or writing the output failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The plaintext is over [`MAX_RECORD_BYTES`].
    #[error("a record holds at most {max} bytes (4 GiB); split larger files into several records", max = MAX_RECORD_BYTES)]
    TooLarge,
    /// The stream does not open: wrong key, wrong context, or changed, reordered,
    /// truncated or extended bytes.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// What a sealed or opened stream was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSummary {
    /// sha256 of the sealed bytes: the on-chain `content-hash`.
    pub content_hash: [u8; 32],
    /// Sealed bytes.
    pub sealed_len: u64,
    /// Plaintext bytes.
    pub plain_len: u64,
}

struct StreamCipher {
    cipher: ChaCha20Poly1305,
    prefix: [u8; PREFIX_LEN],
    aad: Vec<u8>,
}

impl StreamCipher {
    fn nonce(&self, index: u32, last: bool) -> Nonce {
        let mut nonce = [0u8; 12];
        nonce[..PREFIX_LEN].copy_from_slice(&self.prefix);
        nonce[PREFIX_LEN..11].copy_from_slice(&index.to_be_bytes());
        nonce[11] = u8::from(last);
        nonce.into()
    }
}

fn stream_keys(key: &DataKey) -> (ChaCha20Poly1305, [u8; 32]) {
    let (cipher_key, commitment) =
        derive_record_keys(key, b"ehr/record/key/v3", b"ehr/record/commit/v3");
    (
        ChaCha20Poly1305::new(Key::from_slice(&cipher_key[..])),
        commitment,
    )
}

/// Reads until `buf` is full or the input ends; returns how many bytes were read.
fn fill(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut have = 0;
    while have < buf.len() {
        match input.read(&mut buf[have..]) {
            Ok(0) => break,
            Ok(n) => have += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(have)
}

/// A writer that hashes and counts what goes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    len: u64,
}

impl<W: Write> Hashing<W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hash.update(bytes);
        self.len += bytes.len() as u64;
        self.inner.write_all(bytes)
    }
}

/// Seals everything `plaintext` gives under `key` into `out`, one segment at a time
/// (memory: one chunk), and returns the content hash computed on the way.
pub fn seal(
    key: &DataKey,
    mut plaintext: impl Read,
    out: impl Write,
    context: RecordContext,
) -> Result<StreamSummary, StreamError> {
    let (cipher, commitment) = stream_keys(key);
    let mut prefix = [0u8; PREFIX_LEN];
    OsRng.fill_bytes(&mut prefix);
    let stream = StreamCipher {
        cipher,
        prefix,
        aad: context.aad_labelled(b"ehr/record/v3"),
    };
    let mut out = Hashing {
        inner: out,
        hash: Sha256::new(),
        len: 0,
    };
    out.put(&[STREAM_VERSION])?;
    out.put(&commitment)?;
    out.put(&prefix)?;

    // One chunk and one byte of look-ahead: a chunk is the last when nothing follows it.
    let mut buf = vec![0u8; CHUNK_LEN + 1];
    let mut have = fill(&mut plaintext, &mut buf)?;
    let mut plain_len = 0u64;
    let mut index = 0u32;
    loop {
        let last = have <= CHUNK_LEN;
        let n = have.min(CHUNK_LEN);
        plain_len += n as u64;
        if plain_len > MAX_RECORD_BYTES {
            return Err(StreamError::TooLarge);
        }
        let tag = stream
            .cipher
            .encrypt_in_place_detached(&stream.nonce(index, last), &stream.aad, &mut buf[..n])
            .unwrap_or_else(|_| unreachable!("a 64 KiB chunk is within ChaCha20-Poly1305's limit"));
        out.put(&buf[..n])?;
        out.put(&tag)?;
        if last {
            break;
        }
        buf[0] = buf[CHUNK_LEN];
        have = 1 + fill(&mut plaintext, &mut buf[1..])?;
        // Cannot overflow: MAX_RECORD_BYTES stops the stream at 65,536 segments.
        index += 1;
    }
    out.inner.flush()?;
    Ok(StreamSummary {
        content_hash: out.hash.finalize().into(),
        sealed_len: out.len,
        plain_len,
    })
}

/// Opens a stream-sealed record from `sealed` into `out`, one segment at a time (memory:
/// one segment), and returns the content hash of the sealed bytes read. Plaintext written
/// before an error is not to be trusted (see the module documentation).
pub fn open(
    key: &DataKey,
    mut sealed: impl Read,
    mut out: impl Write,
    context: RecordContext,
) -> Result<StreamSummary, StreamError> {
    let malformed = |why: &str| {
        StreamError::Crypto(CryptoError::Malformed {
            what: "sealed record",
            why: why.into(),
        })
    };
    let mut hash = Sha256::new();
    let mut header = [0u8; STREAM_HEADER_LEN];
    if fill(&mut sealed, &mut header)? < STREAM_HEADER_LEN {
        return Err(malformed("too short"));
    }
    hash.update(header);
    if header[0] != STREAM_VERSION {
        return Err(malformed(&format!(
            "version {}, expected {STREAM_VERSION}",
            header[0]
        )));
    }
    let (cipher, commitment) = stream_keys(key);
    if header[1..33] != commitment {
        return Err(CryptoError::WrongKey.into());
    }
    let mut prefix = [0u8; PREFIX_LEN];
    prefix.copy_from_slice(&header[33..]);
    let stream = StreamCipher {
        cipher,
        prefix,
        aad: context.aad_labelled(b"ehr/record/v3"),
    };

    // One segment and one byte of look-ahead, as in `seal`.
    let mut buf = vec![0u8; SEGMENT_LEN + 1];
    let mut have = fill(&mut sealed, &mut buf)?;
    let mut sealed_len = STREAM_HEADER_LEN as u64;
    let mut plain_len = 0u64;
    let mut index = 0u32;
    loop {
        let last = have <= SEGMENT_LEN;
        let n = have.min(SEGMENT_LEN);
        hash.update(&buf[..n]);
        sealed_len += n as u64;
        if n < TAG_LEN {
            return Err(malformed("truncated segment"));
        }
        if last && n == TAG_LEN && index > 0 {
            return Err(malformed("an empty segment after others"));
        }
        let (body, tag) = buf[..n].split_at_mut(n - TAG_LEN);
        plain_len += body.len() as u64;
        if plain_len > MAX_RECORD_BYTES {
            return Err(StreamError::TooLarge);
        }
        stream
            .cipher
            .decrypt_in_place_detached(
                &stream.nonce(index, last),
                &stream.aad,
                body,
                Tag::from_slice(tag),
            )
            .map_err(|_| CryptoError::Open)?;
        out.write_all(body)?;
        if last {
            break;
        }
        buf[0] = buf[SEGMENT_LEN];
        have = 1 + fill(&mut sealed, &mut buf[1..])?;
        index = index.checked_add(1).ok_or(StreamError::TooLarge)?;
    }
    out.flush()?;
    Ok(StreamSummary {
        content_hash: hash.finalize().into(),
        sealed_len,
        plain_len,
    })
}

/// Seals `plaintext` under a fresh data key into `out` and wraps that key for each
/// holder: the streaming counterpart of [`encrypt_record`](super::encrypt_record).
pub fn encrypt_record(
    plaintext: impl Read,
    out: impl Write,
    context: RecordContext,
    holders: &[PublicKey],
) -> Result<(StreamSummary, Vec<[u8; ENVELOPE_LEN]>), StreamError> {
    let key = DataKey::generate();
    // Envelopes first: a bad holder key fails before any byte is read or written.
    let envelopes = holders
        .iter()
        .map(|h| wrap_key(&key, h))
        .collect::<Result<Vec<_>, _>>()?;
    let summary = seal(&key, plaintext, out, context)?;
    Ok((summary, envelopes))
}

/// Opens a stream-sealed record with a holder's envelope and secret key into `out`, and
/// checks the sealed bytes read against `expected_hash` at the end
/// ([`CryptoError::HashMismatch`]). A caller that must check the hash before any plaintext
/// exists hashes the bytes first (see `records::open_record_into`).
pub fn decrypt_record(
    sealed: impl Read,
    envelope: &[u8],
    holder: &SecretKey,
    context: RecordContext,
    expected_hash: &[u8; 32],
    out: impl Write,
) -> Result<StreamSummary, StreamError> {
    let key = unwrap_key(envelope, holder)?;
    let summary = open(&key, sealed, out, context)?;
    if &summary.content_hash != expected_hash {
        return Err(CryptoError::HashMismatch.into());
    }
    Ok(summary)
}
