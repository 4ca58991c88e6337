//! Record format version 3 (STREAM over ChaCha20-Poly1305): round trips at every chunk
//! boundary, and a truncated, reordered, swapped or extended stream is detected; the
//! content-addressed directory store takes and gives blobs as streams.

use std::io::{Read, Write};

use ehr_sdk::crypto::stream::{
    self, sealed_len, StreamError, CHUNK_LEN, STREAM_HEADER_LEN, STREAM_VERSION,
};
use ehr_sdk::crypto::{self, CryptoError, DataKey, RecordContext};
use ehr_sdk::ehr::records::{BlobError, BlobStore, DirStore};
use ehr_sdk::keys::SecretKey;
use sha2::{Digest, Sha256};

// Devnet account keys (wallet_1, wallet_2): test vectors only.
const PATIENT: &str = "7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801";
const DOCTOR: &str = "530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc209101";

const CTX: RecordContext = RecordContext {
    patient: "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5",
    record_type: "ImagingStudy",
};

const SEGMENT: usize = CHUNK_LEN + 16;

fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

fn seal(key: &DataKey, plain: &[u8]) -> Vec<u8> {
    let mut sealed = Vec::new();
    let summary = stream::seal(key, plain, &mut sealed, CTX).unwrap();
    assert_eq!(summary.content_hash, crypto::content_hash(&sealed));
    assert_eq!(summary.sealed_len, sealed.len() as u64);
    assert_eq!(summary.plain_len, plain.len() as u64);
    sealed
}

fn open(key: &DataKey, sealed: &[u8]) -> Result<Vec<u8>, StreamError> {
    let mut plain = Vec::new();
    stream::open(key, sealed, &mut plain, CTX).map(|_| plain)
}

fn fails_to_open(key: &DataKey, sealed: &[u8], what: &str) {
    match open(key, sealed) {
        Err(StreamError::Crypto(_)) => {}
        other => panic!("{what}: expected a refusal, got {other:?}"),
    }
}

#[test]
fn every_size_around_the_chunk_boundaries_round_trips() {
    let key = DataKey::generate();
    for len in [
        0,
        1,
        CHUNK_LEN - 1,
        CHUNK_LEN,
        CHUNK_LEN + 1,
        2 * CHUNK_LEN,
        2 * CHUNK_LEN + 17,
    ] {
        let plain = plaintext(len);
        let sealed = seal(&key, &plain);
        assert_eq!(sealed[0], STREAM_VERSION);
        assert_eq!(sealed.len() as u64, sealed_len(len as u64), "{len}");
        assert_eq!(open(&key, &sealed).unwrap(), plain, "{len}");
        // The in-memory opener reads version 3 too (the dashboard and FHIR reads).
        assert_eq!(crypto::open(&key, &sealed, CTX).unwrap(), plain, "{len}");
    }
}

/// A reader that gives one byte at a time: segment boundaries must not depend on how
/// the input arrives.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((b, rest)), Some(out)) => {
                *out = *b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn input_arriving_a_byte_at_a_time_seals_and_opens_the_same() {
    let key = DataKey::generate();
    let plain = plaintext(CHUNK_LEN + 5);
    let mut sealed = Vec::new();
    stream::seal(&key, Trickle(&plain), &mut sealed, CTX).unwrap();
    let mut opened = Vec::new();
    stream::open(&key, Trickle(&sealed), &mut opened, CTX).unwrap();
    assert_eq!(opened, plain);
}

#[test]
fn a_truncated_stream_is_detected() {
    let key = DataKey::generate();
    let sealed = seal(&key, &plaintext(3 * CHUNK_LEN + 100));
    // At a segment boundary (the new last segment was not sealed as last), inside a
    // segment, inside the header, and nothing but the header.
    for cut in [
        STREAM_HEADER_LEN + 2 * SEGMENT,
        STREAM_HEADER_LEN + SEGMENT,
        STREAM_HEADER_LEN + 3 * SEGMENT,
        STREAM_HEADER_LEN + SEGMENT + 100,
        sealed.len() - 1,
        STREAM_HEADER_LEN,
        10,
    ] {
        fails_to_open(&key, &sealed[..cut], &format!("cut at {cut}"));
    }
    // A stream of full chunks cut at its last boundary.
    let full = seal(&key, &plaintext(2 * CHUNK_LEN));
    fails_to_open(
        &key,
        &full[..STREAM_HEADER_LEN + SEGMENT],
        "full chunks cut",
    );
}

#[test]
fn reordered_or_duplicated_segments_are_detected() {
    let key = DataKey::generate();
    let sealed = seal(&key, &plaintext(3 * CHUNK_LEN + 100));
    let seg = |i: usize| {
        let start = STREAM_HEADER_LEN + i * SEGMENT;
        &sealed[start..(start + SEGMENT).min(sealed.len())]
    };
    let header = &sealed[..STREAM_HEADER_LEN];
    let swapped = [header, seg(1), seg(0), seg(2), seg(3)].concat();
    fails_to_open(&key, &swapped, "segments 0 and 1 swapped");
    let repeated = [header, seg(0), seg(0), seg(2), seg(3)].concat();
    fails_to_open(&key, &repeated, "segment 0 twice");
    let dropped = [header, seg(0), seg(2), seg(3)].concat();
    fails_to_open(&key, &dropped, "segment 1 dropped");
}

#[test]
fn an_extended_stream_is_detected() {
    let key = DataKey::generate();
    let sealed = seal(&key, &plaintext(CHUNK_LEN + 100));
    fails_to_open(&key, &[&sealed[..], &[0]].concat(), "one byte appended");
    // A whole segment appended, taken from another stream under the same key.
    let other = seal(&key, &plaintext(2 * CHUNK_LEN));
    let last_of_other = &other[STREAM_HEADER_LEN + SEGMENT..];
    fails_to_open(
        &key,
        &[&sealed[..], last_of_other].concat(),
        "a segment appended",
    );
    // An empty final segment (never written) after a full one.
    let full = seal(&key, &plaintext(CHUNK_LEN));
    fails_to_open(&key, &[&full[..], &[0u8; 16][..]].concat(), "empty tail");
}

#[test]
fn segments_do_not_move_between_records() {
    // Two records under the same key and context (the worst case: records have their own
    // keys): the random nonce prefix still keeps each segment in its stream.
    let key = DataKey::generate();
    let a = seal(&key, &plaintext(2 * CHUNK_LEN + 10));
    let b = seal(&key, &plaintext(2 * CHUNK_LEN + 10));
    let spliced = [
        &a[..STREAM_HEADER_LEN + SEGMENT],
        &b[STREAM_HEADER_LEN + SEGMENT..],
    ]
    .concat();
    fails_to_open(&key, &spliced, "second half from another record");
    // Under its own key, as records are: the key commitment refuses a foreign header.
    let other_key = DataKey::generate();
    assert!(matches!(
        open(&other_key, &a),
        Err(StreamError::Crypto(CryptoError::WrongKey))
    ));
    // The context is bound: another record type does not open.
    let mut plain = Vec::new();
    let other = RecordContext {
        patient: CTX.patient,
        record_type: "Observation",
    };
    assert!(stream::open(&key, &a[..], &mut plain, other).is_err());
}

#[test]
fn a_flipped_bit_anywhere_is_detected() {
    let key = DataKey::generate();
    let sealed = seal(&key, &plaintext(CHUNK_LEN + 40));
    for at in (0..sealed.len()).step_by(997).chain([sealed.len() - 1]) {
        let mut bad = sealed.clone();
        bad[at] ^= 0x10;
        assert!(open(&key, &bad).is_err(), "flip at {at}");
    }
}

#[test]
fn holders_open_with_their_envelopes_and_the_hash_is_checked() {
    let (patient, doctor) = (
        SecretKey::from_hex(PATIENT).unwrap(),
        SecretKey::from_hex(DOCTOR).unwrap(),
    );
    let plain = plaintext(CHUNK_LEN * 2 + 3);
    let mut sealed = Vec::new();
    let (summary, envelopes) = stream::encrypt_record(
        &plain[..],
        &mut sealed,
        CTX,
        &[patient.public_key(), doctor.public_key()],
    )
    .unwrap();
    for (holder, envelope) in [(&patient, &envelopes[0]), (&doctor, &envelopes[1])] {
        let mut out = Vec::new();
        stream::decrypt_record(
            &sealed[..],
            envelope,
            holder,
            CTX,
            &summary.content_hash,
            &mut out,
        )
        .unwrap();
        assert_eq!(out, plain);
        // The in-memory path opens it as well.
        let opened =
            crypto::decrypt_record(&sealed, envelope, holder, CTX, Some(&summary.content_hash))
                .unwrap();
        assert_eq!(opened, plain);
    }
    let mut out = Vec::new();
    let wrong_hash = [0u8; 32];
    assert!(matches!(
        stream::decrypt_record(
            &sealed[..],
            &envelopes[0],
            &patient,
            CTX,
            &wrong_hash,
            &mut out
        ),
        Err(StreamError::Crypto(CryptoError::HashMismatch))
    ));
}

/// A writer that fails after `left` bytes, like a full disk.
struct FullDisk {
    left: usize,
}

impl Write for FullDisk {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "disk full",
            ));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_output_is_an_error_not_a_panic() {
    let key = DataKey::generate();
    let err = stream::seal(
        &key,
        &plaintext(3 * CHUNK_LEN)[..],
        FullDisk { left: 100_000 },
        CTX,
    )
    .unwrap_err();
    assert!(
        matches!(&err, StreamError::Io(e) if e.kind() == std::io::ErrorKind::StorageFull),
        "{err:?}"
    );
}

#[test]
fn the_dir_store_streams_blobs_in_and_out_under_their_hash() {
    let dir = tempfile::tempdir().unwrap();
    let store = DirStore::new(dir.path().join("store"));
    let blob = plaintext(3 * CHUNK_LEN + 7);
    let mut writer = store.writer().unwrap();
    for piece in blob.chunks(10_000) {
        writer.write_all(piece).unwrap();
    }
    let stored = writer.commit().unwrap();
    let hash: [u8; 32] = Sha256::digest(&blob).into();
    assert_eq!(stored.content_hash, hash);
    assert_eq!(stored.len, blob.len() as u64);
    assert_eq!(stored.locator, format!("sha256:{}", hex::encode(hash)));
    let mut back = Vec::new();
    store.reader(&hash).unwrap().read_to_end(&mut back).unwrap();
    assert_eq!(back, blob);
    assert_eq!(store.get(&hash).unwrap(), blob);
    // The same bytes again: one blob, no temporary file left.
    let mut again = store.writer().unwrap();
    again.write_all(&blob).unwrap();
    assert_eq!(again.commit().unwrap(), stored);
    // A writer dropped before commit leaves nothing.
    let mut abandoned = store.writer().unwrap();
    abandoned.write_all(b"half a record").unwrap();
    drop(abandoned);
    let names: Vec<String> = std::fs::read_dir(store.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![hex::encode(hash)]);
    assert!(matches!(
        store.reader(&[7u8; 32]),
        Err(BlobError::Missing(_))
    ));
}
