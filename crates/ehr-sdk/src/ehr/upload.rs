//! Uploads of large records that survive an interruption, at the byte level.
//!
//! A record bound for a remote store is sealed first into a local staging file,
//! `<dir>/<sealed sha256>.sealed`, with a small JSON journal beside it
//! (`<dir>/<name>.upload.json`, the name a hash of the plaintext's SHA-256, the patient,
//! the record type and the patient's key). Sealing draws a fresh key and nonce, so the
//! staged file *is* the upload: a rerun of the same write finds the journal, checks the
//! staged file against it, and uploads what is missing without sealing again.
//!
//! Each store resumes in its own way ([`BlobStore::upload`]): an S3-compatible store in
//! fixed parts of a multipart upload, each part journaled (and the journal synced) as it
//! is stored, so a rerun sends only the missing parts; a folder appends to its partial
//! copy from its length. Once every store has the blob (and its size checked), the
//! staged file and the journal go.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::records::{check_size, BlobStore, Plaintext, RecordError, Stored};
use crate::crypto::{self, stream, RecordContext};
use crate::keys::PublicKey;

/// The journal format this client writes and resumes.
const JOURNAL_VERSION: u32 = 1;

/// A sealed blob in a local file, ready to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    /// The file.
    pub path: PathBuf,
    /// The SHA-256 of its bytes: the blob's name in every store.
    pub hash: [u8; 32],
    /// Its size in bytes.
    pub len: u64,
}

impl Staged {
    /// The staged file, opened for reading at `offset`.
    pub fn open_at(&self, offset: u64) -> Result<File, RecordError> {
        let failed = |e: std::io::Error| {
            RecordError::Store(format!(
                "reading the staged upload {}: {e}",
                self.path.display()
            ))
        };
        let mut file = File::open(&self.path).map_err(failed)?;
        file.seek(SeekFrom::Start(offset)).map_err(failed)?;
        Ok(file)
    }
}

/// How far one store's upload of a staged blob got: what a rerun resumes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoreUpload {
    /// Nothing sent yet.
    #[default]
    NotStarted,
    /// A folder store: the partial copy, by its file name in the store's folder (its
    /// length is how much was copied).
    Folder {
        /// The partial copy's file name.
        partial: String,
    },
    /// An S3-compatible store: a multipart upload to the blob's key.
    Multipart {
        /// The object key.
        key: String,
        /// The service's id of the upload.
        upload_id: String,
        /// The parts stored, in part-number order.
        parts: Vec<UploadedPart>,
    },
    /// Several stores, one state each, in the order of the stores.
    Replicas {
        /// Each store's state.
        stores: Vec<StoreUpload>,
    },
    /// This store has the whole blob.
    Done {
        /// Its locator there.
        locator: String,
    },
}

impl StoreUpload {
    /// What kind of store's upload it is, in words.
    pub fn kind(&self) -> &'static str {
        match self {
            StoreUpload::NotStarted => "not started",
            StoreUpload::Folder { .. } => "local folder",
            StoreUpload::Multipart { .. } => "multipart (S3)",
            StoreUpload::Replicas { .. } => "replicas",
            StoreUpload::Done { .. } => "finished",
        }
    }
}

/// One part of a multipart upload the service has stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UploadedPart {
    /// The part number (from 1).
    pub number: u32,
    /// The service's tag for it, given back when the upload completes.
    pub etag: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What an upload tells its caller as it goes (to draw a progress bar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadEvent {
    /// An upload to `store` starts with `done` of `total` bytes already there (more than
    /// zero when it resumes). `resumable` is false for a store that cannot resume: an
    /// interruption starts it over.
    Started {
        /// The store, by [`BlobStore::name`].
        store: String,
        /// Bytes already stored.
        done: u64,
        /// The blob's size.
        total: u64,
        /// Whether a rerun after an interruption goes on from where it stopped.
        resumable: bool,
    },
    /// `done` bytes are stored now.
    Sent {
        /// Bytes stored so far.
        done: u64,
    },
}

/// Called with a store's new [`StoreUpload`] whenever more of the blob is safely stored;
/// an error (the journal cannot be saved) stops the upload.
pub type Saved<'a> = dyn FnMut(&StoreUpload) -> std::io::Result<()> + 'a;
/// Told each [`UploadEvent`].
pub type Progress<'a> = dyn FnMut(UploadEvent) + Send + 'a;

/// Where and how a resumable write stages its upload.
pub struct Upload<'a> {
    /// The staging folder (`$EHR_HOME/uploads` for the CLI).
    pub dir: &'a Path,
    /// The SHA-256 of the plaintext: with the patient, record type and patient key, what
    /// names the journal, so the same write finds it again.
    pub plaintext_sha256: [u8; 32],
    /// Told how the upload goes.
    pub progress: &'a mut (dyn FnMut(UploadEvent) + Send + 'a),
}

/// The journal of a staged upload: everything a rerun needs to go on without sealing
/// again, and what it checks that the journal is this write's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadJournal {
    /// [`JOURNAL_VERSION`].
    pub version: u32,
    /// Whose record.
    pub patient: String,
    /// Its type.
    pub record_type: String,
    /// The patient's encryption key the envelope is wrapped to (hex).
    pub owner_key: String,
    /// The SHA-256 of the plaintext (hex).
    pub plaintext_sha256: String,
    /// The store(s) it goes to, by [`BlobStore::name`].
    pub store: String,
    /// The SHA-256 of the sealed bytes (hex): the staged file is `<this>.sealed`.
    pub sealed_sha256: String,
    /// The sealed size.
    pub sealed_len: u64,
    /// The patient's key envelope (hex).
    pub envelope: String,
    /// How far the upload got.
    pub upload: StoreUpload,
}

/// The journal's path for a write of `plaintext_sha256` for `context.patient` as
/// `context.record_type`, sealed to `owner`.
pub fn journal_path(
    dir: &Path,
    plaintext_sha256: &[u8; 32],
    context: RecordContext<'_>,
    owner: &PublicKey,
) -> PathBuf {
    let mut hash = Sha256::new();
    for part in [
        &b"ehr-upload"[..],
        plaintext_sha256,
        context.patient.as_bytes(),
        context.record_type.as_bytes(),
        &owner.to_bytes(),
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    dir.join(format!(
        "{}.upload.json",
        hex::encode(&hash.finalize()[..16])
    ))
}

/// The staged file a journal names.
fn staged_path(dir: &Path, sealed_sha256: &str) -> PathBuf {
    dir.join(format!("{sealed_sha256}.sealed"))
}

/// A journal that cannot be used, named with how to clear it.
fn refused(journal: &Path, why: impl std::fmt::Display) -> RecordError {
    RecordError::UploadJournal {
        path: journal.to_path_buf(),
        problem: why.to_string(),
    }
}

/// Seals `plaintext` for `owner` into a staging file in `upload.dir`, or finds the one an
/// interrupted run of the same write left, and uploads it into `store`, resuming where
/// that run stopped. Returns the stored blob, the owner's key envelope and the sealed
/// size; the staged file and its journal are removed once the store has the blob.
pub fn stage_and_upload(
    store: &dyn BlobStore,
    plaintext: Plaintext<'_>,
    context: RecordContext<'_>,
    owner: &PublicKey,
    upload: Upload<'_>,
) -> Result<(Stored, [u8; crypto::ENVELOPE_LEN], u64), RecordError> {
    check_size(plaintext.len())?;
    let dir = upload.dir;
    let journal_file = journal_path(dir, &upload.plaintext_sha256, context, owner);
    let mut journal = match fs::read(&journal_file) {
        Ok(bytes) => {
            let journal = serde_json::from_slice::<UploadJournal>(&bytes)
                .map_err(|e| refused(&journal_file, format!("it is damaged ({e})")))?;
            check_journal(&journal, &journal_file, &upload, context, owner, store)?;
            journal
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let journal = stage(store, plaintext, context, owner, &upload, &journal_file)?;
            save_journal(&journal_file, &journal)
                .map_err(|e| io_failed("saving the upload journal", &journal_file, e))?;
            journal
        }
        Err(e) => return Err(io_failed("reading the upload journal", &journal_file, e)),
    };
    let hash: [u8; 32] = hex::decode(&journal.sealed_sha256)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| refused(&journal_file, "its sealed_sha256 is not a SHA-256"))?;
    let envelope: [u8; crypto::ENVELOPE_LEN] = hex::decode(&journal.envelope)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| refused(&journal_file, "its envelope is not a key envelope"))?;
    let staged = Staged {
        path: staged_path(dir, &journal.sealed_sha256),
        hash,
        len: journal.sealed_len,
    };
    let mut state = journal.upload.clone();
    let stored = store.upload(
        &staged,
        &mut state,
        &mut |now| {
            journal.upload = now.clone();
            save_journal(&journal_file, &journal)
        },
        upload.progress,
    );
    let stored = stored.map_err(|e| RecordError::UploadStopped {
        cause: e.to_string(),
        staged: staged.path.clone(),
        journal: journal_file.clone(),
    })?;
    // The store has it: the staging copy and its journal go (nothing to do if that
    // fails but say so: a leftover is only disk space).
    for path in [&staged.path, &journal_file] {
        if let Err(e) = fs::remove_file(path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(io_failed("removing the finished upload", path, e));
            }
        }
    }
    Ok((stored, envelope, journal.sealed_len))
}

fn io_failed(what: &str, path: &Path, e: std::io::Error) -> RecordError {
    RecordError::Store(format!("{what} {}: {e}", path.display()))
}

/// Checks that `journal` (read from `path`) is this write's and its staged file is whole.
fn check_journal(
    journal: &UploadJournal,
    path: &Path,
    upload: &Upload<'_>,
    context: RecordContext<'_>,
    owner: &PublicKey,
    store: &dyn BlobStore,
) -> Result<(), RecordError> {
    if journal.version != JOURNAL_VERSION {
        return Err(refused(
            path,
            format!(
                "it is in journal format {}, not {JOURNAL_VERSION}",
                journal.version
            ),
        ));
    }
    let foreign = journal.patient != context.patient
        || journal.record_type != context.record_type
        || journal.owner_key != hex::encode(owner.to_bytes())
        || journal.plaintext_sha256 != hex::encode(upload.plaintext_sha256);
    if foreign {
        return Err(refused(
            path,
            format!(
                "it is another write's (a {} record of {}), not this one's",
                journal.record_type, journal.patient
            ),
        ));
    }
    if journal.store != store.name() {
        return Err(refused(
            path,
            format!(
                "it is an upload to {}, not to {}: give that store again to resume it",
                journal.store,
                store.name()
            ),
        ));
    }
    if journal.sealed_sha256.len() != 64
        || !journal
            .sealed_sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(refused(path, "its sealed_sha256 is not a SHA-256"));
    }
    // The staged file must be the very bytes sealed: it is what every store gets.
    let staged = staged_path(upload.dir, &journal.sealed_sha256);
    let mut file = File::open(&staged).map_err(|e| {
        refused(
            path,
            format!("its staged file {} cannot be read ({e})", staged.display()),
        )
    })?;
    let mut hash = Sha256::new();
    let len = std::io::copy(&mut file, &mut hash).map_err(|e| {
        refused(
            path,
            format!("its staged file {} cannot be read ({e})", staged.display()),
        )
    })?;
    if len != journal.sealed_len || hex::encode(hash.finalize()) != journal.sealed_sha256 {
        return Err(refused(
            path,
            format!(
                "its staged file {} is not the sealed record it names",
                staged.display()
            ),
        ));
    }
    Ok(())
}

/// Seals `plaintext` into `<dir>/<sealed sha256>.sealed` (through a temporary file, synced
/// before it takes its name) and returns the journal of a fresh upload of it.
fn stage(
    store: &dyn BlobStore,
    plaintext: Plaintext<'_>,
    context: RecordContext<'_>,
    owner: &PublicKey,
    upload: &Upload<'_>,
    journal_file: &Path,
) -> Result<UploadJournal, RecordError> {
    let dir = upload.dir;
    let creating = |e| io_failed("creating the staging folder", dir, e);
    fs::create_dir_all(dir).map_err(creating)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(creating)?;
    // Named for the journal: a staging cut short by a crash is overwritten by the rerun.
    let tmp = journal_file.with_extension("sealing");
    let writing = |e| io_failed("writing the staged upload", &tmp, e);
    let file = File::create(&tmp).map_err(writing)?;
    let mut out = std::io::BufWriter::with_capacity(1024 * 1024, file);
    let sealing = match plaintext {
        Plaintext::Bytes(bytes) => {
            stream::encrypt_record(bytes, &mut out, context, std::slice::from_ref(owner))
        }
        Plaintext::Stream { reader, .. } => {
            stream::encrypt_record(reader, &mut out, context, std::slice::from_ref(owner))
        }
    };
    let sealed = sealing.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        super::records::stream_error(e, "sealing the record into the staging folder")
    });
    let (sealed, envelopes) = sealed?;
    let file = out.into_inner().map_err(|e| writing(e.into_error()))?;
    file.sync_all().map_err(writing)?;
    drop(file);
    let sealed_sha256 = hex::encode(sealed.content_hash);
    fs::rename(&tmp, staged_path(dir, &sealed_sha256)).map_err(writing)?;
    Ok(UploadJournal {
        version: JOURNAL_VERSION,
        patient: context.patient.to_string(),
        record_type: context.record_type.to_string(),
        owner_key: hex::encode(owner.to_bytes()),
        plaintext_sha256: hex::encode(upload.plaintext_sha256),
        store: store.name(),
        sealed_sha256,
        sealed_len: sealed.sealed_len,
        envelope: hex::encode(envelopes[0]),
        upload: StoreUpload::NotStarted,
    })
}

/// Writes `journal` to `path` atomically (a temporary file, synced, then renamed, and the
/// folder synced), readable by the user only.
fn save_journal(path: &Path, journal: &UploadJournal) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(&serde_json::to_vec_pretty(journal)?)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Uploads `staged` through `store`'s plain [`BlobStore::writer`], from its first byte:
/// what a store that cannot resume does.
pub fn upload_whole<S: BlobStore + ?Sized>(
    store: &S,
    staged: &Staged,
    progress: &mut Progress<'_>,
) -> Result<Stored, RecordError> {
    progress(UploadEvent::Started {
        store: store.name(),
        done: 0,
        total: staged.len,
        resumable: false,
    });
    let mut writer = store.writer()?;
    let mut source = staged.open_at(0)?;
    let mut buf = vec![0u8; 1024 * 1024];
    let mut done = 0;
    loop {
        let n = source
            .read(&mut buf)
            .map_err(|e| RecordError::Store(format!("reading {}: {e}", staged.path.display())))?;
        if n == 0 {
            break;
        }
        writer
            .write_all(&buf[..n])
            .map_err(|e| RecordError::Store(format!("{}: {e}", store.name())))?;
        done += n as u64;
        progress(UploadEvent::Sent { done });
    }
    let stored = writer.commit()?;
    if stored.content_hash != staged.hash || stored.len != staged.len {
        return Err(RecordError::Store(format!(
            "{} stored something other than the staged blob {}",
            store.name(),
            hex::encode(staged.hash)
        )));
    }
    Ok(stored)
}
