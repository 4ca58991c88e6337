//! Resumable uploads: a record is sealed once into a staging file with a journal, and an
//! interrupted upload goes on from where it stopped (a folder store from its partial
//! copy's length); a damaged or foreign journal is refused, naming it and how to clear it.
//! The S3 store's part-by-part resume runs against a real S3-compatible server in the
//! workspace's end-to-end tests (tests/e2e.rs).

use std::io::Read;
use std::path::Path;

use ehr_sdk::crypto::{stream, RecordContext};
use ehr_sdk::ehr::records::{BlobStore, DirStore, Plaintext, RecordError, Stored};
use ehr_sdk::ehr::upload::{
    journal_path, stage_and_upload, Progress, Saved, Staged, StoreUpload, Upload, UploadEvent,
    UploadJournal,
};
use ehr_sdk::keys::SecretKey;
use sha2::{Digest, Sha256};

/// wallet_1 (the patient).
const PATIENT_KEY: &str = "7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801";
const PATIENT: &str = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
/// wallet_2.
const OTHER: &str = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";

/// `len` bytes no two runs of a test need to agree on but that are not all alike.
fn bytes(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn staged_file(dir: &Path, content: &[u8]) -> Staged {
    let hash: [u8; 32] = Sha256::digest(content).into();
    let path = dir.join(format!("{}.sealed", hex::encode(hash)));
    std::fs::write(&path, content).unwrap();
    Staged {
        path,
        hash,
        len: content.len() as u64,
    }
}

/// Runs `store.upload` and returns the result, the events and how many states were saved.
fn upload(
    store: &dyn BlobStore,
    staged: &Staged,
    state: &mut StoreUpload,
) -> (Result<Stored, RecordError>, Vec<UploadEvent>, usize) {
    let mut events = Vec::new();
    let mut saves = 0;
    let result = store.upload(
        staged,
        state,
        &mut |_| {
            saves += 1;
            Ok(())
        },
        &mut |e| events.push(e),
    );
    (result, events, saves)
}

#[test]
fn a_folder_upload_goes_on_from_its_partial_copy() {
    let dir = tempfile::tempdir().unwrap();
    let content = bytes(3 * 1024 * 1024 + 17);
    let staged = staged_file(dir.path(), &content);
    let store_dir = dir.path().join("store");
    let store = DirStore::new(&store_dir);
    // An earlier run copied the first 1 234 567 bytes, then was killed.
    std::fs::create_dir_all(&store_dir).unwrap();
    let kept = 1_234_567;
    std::fs::write(store_dir.join(".incoming-cut.tmp"), &content[..kept]).unwrap();
    let mut state = StoreUpload::Folder {
        partial: ".incoming-cut.tmp".into(),
    };

    let (stored, events, saves) = upload(&store, &staged, &mut state);
    let stored = stored.unwrap();
    assert_eq!(
        events[0],
        UploadEvent::Started {
            store: "local folder".into(),
            done: kept as u64,
            total: content.len() as u64,
            resumable: true,
        }
    );
    assert_eq!(
        events.last(),
        Some(&UploadEvent::Sent {
            done: content.len() as u64
        })
    );
    assert_eq!(saves, 0, "the journal already named the partial copy");
    assert_eq!(stored.content_hash, staged.hash);
    assert_eq!(
        stored.locator,
        format!("sha256:{}", hex::encode(staged.hash))
    );
    assert_eq!(
        std::fs::read(store_dir.join(hex::encode(staged.hash))).unwrap(),
        content
    );
    assert!(!store_dir.join(".incoming-cut.tmp").exists());
}

#[test]
fn a_partial_copy_that_is_not_the_blobs_beginning_is_removed_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let content = bytes(2 * 1024 * 1024);
    let staged = staged_file(dir.path(), &content);
    let store_dir = dir.path().join("store");
    let store = DirStore::new(&store_dir);
    std::fs::create_dir_all(&store_dir).unwrap();
    let mut wrong = content[..1000].to_vec();
    wrong[10] ^= 1;
    std::fs::write(store_dir.join(".incoming-bad.tmp"), &wrong).unwrap();
    let mut state = StoreUpload::Folder {
        partial: ".incoming-bad.tmp".into(),
    };

    let (stored, _, _) = upload(&store, &staged, &mut state);
    let why = stored.unwrap_err().to_string();
    assert!(why.contains("did not match the staged blob"), "{why}");
    assert!(!store_dir.join(".incoming-bad.tmp").exists());
    assert!(!store_dir.join(hex::encode(staged.hash)).exists());
    assert_eq!(state, StoreUpload::NotStarted);
    // The next run copies it whole.
    let (stored, events, saves) = upload(&store, &staged, &mut state);
    assert_eq!(stored.unwrap().content_hash, staged.hash);
    assert!(matches!(events[0], UploadEvent::Started { done: 0, .. }));
    assert_eq!(
        saves, 1,
        "the new partial copy is journaled before it is written"
    );
}

/// A store that is its inner folder store, except that its first upload stops as soon
/// as it has journaled anything (as if the process were killed there).
struct CutOnce {
    inner: DirStore,
    cut: std::sync::atomic::AtomicBool,
}

impl BlobStore for CutOnce {
    fn writer(&self) -> Result<Box<dyn ehr_sdk::ehr::records::BlobWriter + '_>, RecordError> {
        self.inner.writer()
    }

    fn reader(
        &self,
        hash: &[u8; 32],
    ) -> Result<Box<dyn Read + Send + '_>, ehr_sdk::ehr::records::BlobError> {
        self.inner.reader(hash)
    }

    fn name(&self) -> String {
        self.inner.name()
    }

    fn upload(
        &self,
        staged: &Staged,
        state: &mut StoreUpload,
        saved: &mut Saved<'_>,
        progress: &mut Progress<'_>,
    ) -> Result<Stored, RecordError> {
        let cut = !self.cut.swap(true, std::sync::atomic::Ordering::SeqCst);
        self.inner.upload(
            staged,
            state,
            &mut |now| {
                saved(now)?;
                if cut {
                    return Err(std::io::Error::other("cut"));
                }
                Ok(())
            },
            progress,
        )
    }
}

/// A plaintext that must not be read (a rerun that seals again would read it).
struct Unread;

impl Read for Unread {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        panic!("the plaintext was read again: the record was sealed twice");
    }
}

fn context(patient: &str) -> RecordContext<'_> {
    RecordContext {
        patient,
        record_type: "DocumentReference",
    }
}

/// Stages and uploads `plaintext` (or, with `None`, a plaintext that must not be read)
/// of the given SHA-256 for `patient`.
fn stage(
    store: &dyn BlobStore,
    uploads: &Path,
    patient: &str,
    plaintext: Option<&[u8]>,
    plaintext_sha256: [u8; 32],
    len: u64,
) -> Result<(Stored, [u8; ehr_sdk::crypto::ENVELOPE_LEN], u64), RecordError> {
    let owner = SecretKey::from_hex(PATIENT_KEY).unwrap().public_key();
    let mut unread = Unread;
    let mut reader: Box<dyn Read + Send> = match plaintext {
        Some(bytes) => Box::new(std::io::Cursor::new(bytes.to_vec())),
        None => Box::new(std::io::Read::by_ref(&mut unread).take(len)),
    };
    let mut told = |_| {};
    stage_and_upload(
        store,
        Plaintext::Stream {
            reader: &mut reader,
            len,
        },
        context(patient),
        &owner,
        Upload {
            dir: uploads,
            plaintext_sha256,
            progress: &mut told,
        },
    )
}

#[test]
fn a_staged_record_is_sealed_once_and_its_upload_resumed_by_the_same_write() {
    let dir = tempfile::tempdir().unwrap();
    let uploads = dir.path().join("uploads");
    let plaintext = bytes(1024 * 1024 + 5);
    let plain_sha: [u8; 32] = Sha256::digest(&plaintext).into();
    let store = CutOnce {
        inner: DirStore::new(dir.path().join("store")),
        cut: Default::default(),
    };

    let first = stage(
        &store,
        &uploads,
        PATIENT,
        Some(&plaintext),
        plain_sha,
        plaintext.len() as u64,
    );
    let why = first.unwrap_err();
    assert!(matches!(why, RecordError::UploadStopped { .. }), "{why}");
    let owner = SecretKey::from_hex(PATIENT_KEY).unwrap();
    let journal_file = journal_path(&uploads, &plain_sha, context(PATIENT), &owner.public_key());
    assert!(
        why.to_string()
            .contains(&journal_file.display().to_string()),
        "{why}"
    );
    let journal: UploadJournal =
        serde_json::from_slice(&std::fs::read(&journal_file).unwrap()).unwrap();
    assert!(
        matches!(journal.upload, StoreUpload::Folder { .. }),
        "{journal:?}"
    );
    let staged = uploads.join(format!("{}.sealed", journal.sealed_sha256));
    assert!(staged.exists());

    // The rerun reads no plaintext: it uploads the staged file.
    let (stored, envelope, sealed_len) = stage(
        &store,
        &uploads,
        PATIENT,
        None,
        plain_sha,
        plaintext.len() as u64,
    )
    .unwrap();
    assert_eq!(hex::encode(stored.content_hash), journal.sealed_sha256);
    assert_eq!(sealed_len, journal.sealed_len);
    assert_eq!(
        std::fs::read_dir(&uploads).unwrap().count(),
        0,
        "the staged file and its journal are gone"
    );
    // The stored blob opens to the plaintext.
    let mut opened = Vec::new();
    stream::decrypt_record(
        store.inner.reader(&stored.content_hash).unwrap(),
        &envelope,
        &owner,
        context(PATIENT),
        &stored.content_hash,
        &mut opened,
    )
    .unwrap();
    assert_eq!(opened, plaintext);
}

#[test]
fn a_damaged_or_foreign_upload_journal_is_refused_naming_it_and_how_to_clear_it() {
    let dir = tempfile::tempdir().unwrap();
    let uploads = dir.path().join("uploads");
    let store = DirStore::new(dir.path().join("store"));
    let plaintext = bytes(100_000);
    let plain_sha: [u8; 32] = Sha256::digest(&plaintext).into();
    let len = plaintext.len() as u64;
    let owner = SecretKey::from_hex(PATIENT_KEY).unwrap().public_key();
    let mine = journal_path(&uploads, &plain_sha, context(PATIENT), &owner);
    std::fs::create_dir_all(&uploads).unwrap();

    let refused = |result: Result<_, RecordError>, what: &str| {
        let why = result.expect_err("refused");
        assert!(matches!(why, RecordError::UploadJournal { .. }), "{why}");
        let text = why.to_string();
        assert!(text.contains(&mine.display().to_string()), "{text}");
        assert!(text.contains(what), "{text}");
        assert!(text.contains("delete it"), "{text}");
    };

    // Damaged.
    std::fs::write(&mine, b"{\"version\": 1, \"patient\": ").unwrap();
    refused(
        stage(&store, &uploads, PATIENT, Some(&plaintext), plain_sha, len),
        "damaged",
    );

    // Another write's (another patient's journal put in its place).
    let mut foreign = UploadJournal {
        version: 1,
        patient: OTHER.into(),
        record_type: "DocumentReference".into(),
        owner_key: hex::encode(owner.to_bytes()),
        plaintext_sha256: hex::encode(plain_sha),
        store: "local folder".into(),
        sealed_sha256: "ab".repeat(32),
        sealed_len: 10,
        envelope: "00".into(),
        upload: StoreUpload::NotStarted,
    };
    std::fs::write(&mine, serde_json::to_vec(&foreign).unwrap()).unwrap();
    refused(
        stage(&store, &uploads, PATIENT, Some(&plaintext), plain_sha, len),
        "another write's",
    );

    // This write's, but its staged file is gone.
    foreign.patient = PATIENT.into();
    std::fs::write(&mine, serde_json::to_vec(&foreign).unwrap()).unwrap();
    refused(
        stage(&store, &uploads, PATIENT, Some(&plaintext), plain_sha, len),
        "cannot be read",
    );

    // Its staged file is not the sealed record it names.
    std::fs::write(
        uploads.join(format!("{}.sealed", foreign.sealed_sha256)),
        b"0123456789",
    )
    .unwrap();
    refused(
        stage(&store, &uploads, PATIENT, Some(&plaintext), plain_sha, len),
        "is not the sealed record it names",
    );

    // Nothing was stored, and the journal is left for the user to look at.
    assert!(mine.exists());
    assert!(!dir.path().join("store").exists());
    // Cleared as the message says, the write goes through.
    std::fs::remove_file(&mine).unwrap();
    let (stored, _, _) =
        stage(&store, &uploads, PATIENT, Some(&plaintext), plain_sha, len).unwrap();
    assert!(dir
        .path()
        .join("store")
        .join(hex::encode(stored.content_hash))
        .exists());
}

/// An S3 endpoint that knows no multipart upload: it answers every request 404
/// `NoSuchUpload`, as S3 does once an upload expired or a lifecycle rule aborted it (moto
/// answers 500 there, so this is not one of the end-to-end tests). On a thread and
/// runtime of its own; returns its URL.
fn serve_no_such_upload() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let app = axum::Router::new().fallback(|| async {
                (
                    axum::http::StatusCode::NOT_FOUND,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>",
                )
            });
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}

#[test]
fn a_multipart_upload_the_service_no_longer_has_starts_over_on_the_next_run() {
    let endpoint = serve_no_such_upload();
    // The only test here that reads the AWS settings.
    std::env::set_var("AWS_ENDPOINT_URL", &endpoint);
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    std::env::set_var("AWS_DEFAULT_REGION", "us-east-1");
    let dir = tempfile::tempdir().unwrap();
    let staged = staged_file(dir.path(), &bytes(1000));
    let store = ehr_sdk::ehr::stores::open("s3://bucket/ehr").unwrap();
    let mut state = StoreUpload::Multipart {
        key: format!("ehr/{}", hex::encode(staged.hash)),
        upload_id: "expired-upload".into(),
        parts: Vec::new(),
    };
    let mut journaled = Vec::new();
    let why = store
        .upload(
            &staged,
            &mut state,
            &mut |now| {
                journaled.push(now.clone());
                Ok(())
            },
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
    assert!(
        why.contains("no longer has the multipart upload expired-upload"),
        "{why}"
    );
    assert_eq!(state, StoreUpload::NotStarted);
    assert_eq!(journaled.last(), Some(&StoreUpload::NotStarted));
}
