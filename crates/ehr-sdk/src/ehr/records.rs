//! Records end to end: encrypt on the client, put the sealed bytes on chain (small records)
//! or in a content-addressed store (large ones), and read them back for a holder of a key
//! envelope, checking the on-chain hash before decrypting.
//!
//! Locators: [`ON_CHAIN`] (`chain:chunks`) for records kept whole on chain in 1 KiB chunks;
//! `sha256:<hex>` for records in a content-addressed store, where the name is the hash of
//! the sealed bytes, so any copy of the store (a USB stick, a clinic server, IPFS) can
//! serve them and a wrong copy is detected; or a URL with the hash as its last segment
//! (`s3://bucket/prefix/<hex>`, `https://host/path/<hex>`) for records in the store it
//! names (see [`super::locator`] and [`super::stores`]).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clarity::vm::types::PrincipalData;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use super::calls::{self, ContractCall};
use super::client::{ClientError, EhrClient, Mined, SendOptions, Signed};
use super::types::Record;
use super::upload::{Progress, Saved, Staged, StoreUpload, Upload, UploadEvent};
use crate::crypto::{self, stream, CryptoError, RecordContext};
use crate::keys::{PublicKey, SecretKey};
use crate::node::NodeError;

/// The locator of records kept whole on chain.
pub const ON_CHAIN: &str = "chain:chunks";
/// Bytes per chunk (`put-chunk` takes `(buff 1024)`).
pub const CHUNK_SIZE: usize = 1024;
/// Chunks per record (`ehr-storage` MAX-CHUNKS): 64 KiB on chain at most.
pub const MAX_CHUNKS: usize = 64;
/// The prefix of content-addressed locators.
pub const CAS_PREFIX: &str = "sha256:";
/// The largest record, in plaintext bytes: 4 GiB (see [`stream::MAX_RECORD_BYTES`]).
pub use crate::crypto::stream::MAX_RECORD_BYTES;

/// Why a record operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The chain said no, or could not be reached.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Decryption or hash check failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// No such record.
    #[error("no record #{0}")]
    NotFound(u64),
    /// The contract would refuse the call; nothing was signed.
    #[error(transparent)]
    Refused(#[from] super::preflight::Refusal),
    /// The patient is not registered (its envelope key is unknown).
    #[error("{0} is not a registered patient")]
    NotAPatient(String),
    /// The account has no key envelope for the record: it was never given access, or
    /// the patient has not shared this record with it yet.
    #[error("{holder} holds no key envelope for record #{id}; the patient (or a holder with share scope) can give one with `ehr record share`")]
    NoEnvelope {
        /// The record.
        id: u64,
        /// Who asked.
        holder: String,
    },
    /// The grantee already holds a key envelope for the record: sharing only adds
    /// envelopes for new holders (contracts v2). A holder that lost its key gets a new
    /// envelope when the patient rotates the record's key (a new version).
    #[error("{holder} already holds a key envelope for record #{id}; only it may replace it (after a key change, rotate the record: a new version gets new envelopes)")]
    AlreadyShared {
        /// The record.
        id: u64,
        /// The grantee.
        holder: String,
    },
    /// The envelope key on chain is not a valid public key.
    #[error("the registered encryption key of {0} is not a valid public key")]
    BadKey(String),
    /// The record is too large to keep on chain.
    #[error("{size} sealed bytes do not fit on chain ({max} at most): store it off chain with --store DIR")]
    TooLargeForChain {
        /// Sealed size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The record is over the size limit; refused before anything is read or sent.
    #[error("{size} bytes is over the record size limit of {max} bytes (4 GiB): split it into several records")]
    TooLarge {
        /// Its size (for a stream that grew past the limit while read: the limit plus one,
        /// as far as it was read).
        size: u64,
        /// The limit, [`MAX_RECORD_BYTES`].
        max: u64,
    },
    /// Reading the record, or writing it out, failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The failure.
        source: std::io::Error,
    },
    /// A resumed write's saved state is damaged.
    #[error("the saved progress of this record write is damaged ({0}); delete it and run the command again")]
    BadPending(String),
    /// The add (or amend) transaction is in a block but no record with this content is
    /// on chain: the contract refused it, and the node keeps no result to say why.
    #[error("{function} in transaction {txid} is in a block, but the record is not on chain: the contract refused it; follow it through a Hiro API or `ehr index` (--api) to learn why")]
    NotWritten {
        /// `contract.function`.
        function: String,
        /// The transaction.
        txid: String,
    },
    /// A chunk is missing from the chain.
    #[error(
        "record #{id} is missing chunk {index} of {count}: its author has not finished writing it"
    )]
    MissingChunk {
        /// The record.
        id: u64,
        /// The missing chunk.
        index: u64,
        /// How many the record claims.
        count: u64,
    },
    /// The content-addressed store failed (the message names the blob, never a server
    /// path).
    #[error("blob store: {0}")]
    Store(String),
    /// A record's on-chain locator is not one this client reads: the chain accepts any
    /// text there, so it is checked before anything is fetched.
    #[error("record #{id} has the locator `{locator}`, which names no place this client reads: expected `chain:chunks`, `sha256:<hex>`, or an `s3://`, `https://` or `http://` URL of safe path segments ending in the 64 lowercase hex digits of the hash")]
    BadLocator {
        /// The record.
        id: u64,
        /// Its locator, as on chain.
        locator: String,
    },
    /// No store had a copy of the record's sealed bytes that matches the hash on chain:
    /// what each store tried answered, in order.
    #[error("the sealed bytes of record #{id} ({locator}) could not be read: {}", tried.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    BlobUnavailable {
        /// The record.
        id: u64,
        /// Its locator.
        locator: String,
        /// Each store tried and why it failed, in order.
        tried: Vec<StoreFailure>,
    },
    /// No such token.
    #[error("no access token #{0}")]
    NoToken(u64),
    /// The reader is neither the patient, nor a guardian, nor the holder of a live grant
    /// with read access to the record's type.
    #[error("access refused: {reader} has no live read grant from {patient} for {record_type} records (never granted, revoked, or expired); a doctor can ask with `ehr access request`")]
    AccessRefused {
        /// Who asked.
        reader: String,
        /// Whose record it is.
        patient: String,
        /// The record's type.
        record_type: String,
    },
    /// The journal of an interrupted upload cannot be resumed (damaged, another
    /// write's, or its staged file gone or changed).
    #[error("the upload journal {} cannot be resumed: {problem}; delete it (and the staged .sealed file it names, if any) to start the upload over", path.display())]
    UploadJournal {
        /// The journal.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// An upload from a staging file stopped; the same write again resumes it.
    #[error("the upload stopped: {cause}; the sealed copy {} is kept and the same write resumes the upload where it stopped (progress in {})", staged.display(), journal.display())]
    UploadStopped {
        /// Why.
        cause: String,
        /// The staged sealed bytes.
        staged: PathBuf,
        /// The upload's journal.
        journal: PathBuf,
    },
    /// The record lives in a store, and none was given.
    #[error("record #{id} is stored off chain at `{locator}`: give the store with --store DIR")]
    NeedStore {
        /// The record.
        id: u64,
        /// Its locator.
        locator: String,
    },
}

pub use super::locator::{BlobUrl, Locator, Scheme};

impl RecordError {
    /// Whether a store served a copy of the blob that does not match the hash on chain (a
    /// changed or corrupted blob), rather than none at all.
    pub fn has_changed_copy(&self) -> bool {
        matches!(self, RecordError::BlobUnavailable { tried, .. }
            if tried.iter().any(|f| f.kind == FailureKind::Corrupt))
    }
}

/// Why a store could not give a blob.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// It has no blob under this hash.
    #[error("no blob {0}")]
    Missing(String),
    /// It failed (the message names the blob and the failure, never a server path).
    #[error("{0}")]
    Failed(String),
}

/// Where sealed records too large for the chain are kept, by content hash. Blobs go in
/// and out as streams, so a store never holds a whole record in memory.
pub trait BlobStore: Send + Sync {
    /// A writer for a new blob: hashed as it is written, stored under its hash by
    /// [`BlobWriter::commit`], and gone without a trace if dropped before.
    fn writer(&self) -> Result<Box<dyn BlobWriter + '_>, RecordError>;
    /// The sealed bytes stored under `hash` (the SHA-256 of the sealed bytes), as a
    /// stream. The store is trusted for availability only: readers check the hash.
    fn reader(&self, hash: &[u8; 32]) -> Result<Box<dyn Read + Send + '_>, BlobError>;

    /// The sealed bytes stored under `hash` after the first `offset` (to resume an
    /// interrupted download). Stores that can seek or ask for a range override this; the
    /// default reads and drops the first `offset` bytes.
    fn reader_from(
        &self,
        hash: &[u8; 32],
        offset: u64,
    ) -> Result<Box<dyn Read + Send + '_>, BlobError> {
        let mut reader = self.reader(hash)?;
        let skipped = std::io::copy(&mut (&mut reader).take(offset), &mut std::io::sink())
            .map_err(|e| BlobError::Failed(format!("reading blob {}: {e}", hex::encode(hash))))?;
        if skipped < offset {
            return Err(BlobError::Failed(format!(
                "blob {} is shorter than the {offset} bytes already fetched",
                hex::encode(hash)
            )));
        }
        Ok(reader)
    }

    /// How messages name it, without a server path: `local folder`, `s3://bucket/prefix`,
    /// `https://host/path`.
    fn name(&self) -> String;

    /// Whether it takes new blobs (a plain HTTP store is read-only).
    fn writable(&self) -> bool {
        true
    }

    /// Stores the staged blob `staged`, going on from `state` (what an interrupted upload
    /// of it reached, [`StoreUpload::NotStarted`] at first) and updating it; `saved` is
    /// called with the new state whenever more is safely stored, so that a caller keeping
    /// it on disk resumes after any interruption. The stored size is checked before it
    /// returns. A store that cannot resume (the default) uploads from the first byte
    /// ([`upload_whole`](super::upload::upload_whole)) and says so in
    /// [`UploadEvent::Started`].
    fn upload(
        &self,
        staged: &Staged,
        state: &mut StoreUpload,
        saved: &mut Saved<'_>,
        progress: &mut Progress<'_>,
    ) -> Result<Stored, RecordError> {
        let _ = (state, saved);
        super::upload::upload_whole(self, staged, progress)
    }

    /// The stores a read tries in order, for a set of replicas
    /// ([`Replicas`](super::stores::Replicas)); `None` for a single store.
    fn replicas(&self) -> Option<Vec<&dyn BlobStore>> {
        None
    }

    /// The sealed bytes stored under `hash`, whole in memory (small records).
    fn get(&self, hash: &[u8; 32]) -> Result<Vec<u8>, BlobError> {
        let mut bytes = Vec::new();
        self.reader(hash)?.read_to_end(&mut bytes).map_err(|e| {
            BlobError::Failed(format!("reading blob {}: {}", hex::encode(hash), e.kind()))
        })?;
        Ok(bytes)
    }
}

/// Why one store could not give a record's blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreFailure {
    /// The store, by [`BlobStore::name`] (numbered when several were tried).
    pub store: String,
    /// What went wrong.
    pub kind: FailureKind,
    /// In words.
    pub detail: String,
}

/// The kinds of [`StoreFailure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// It has no copy.
    Missing,
    /// Its copy does not match the hash on chain.
    Corrupt,
    /// It could not be reached or read.
    Failed,
}

impl std::fmt::Display for StoreFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.store, self.detail)
    }
}

/// A blob being written into a [`BlobStore`].
pub trait BlobWriter: Write + Send {
    /// Stores what was written under its SHA-256 and returns where it is.
    fn commit(self: Box<Self>) -> Result<Stored, RecordError>;
}

/// A blob committed to a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Its locator (`sha256:<hex>`).
    pub locator: String,
    /// Its SHA-256.
    pub content_hash: [u8; 32],
    /// Its size in bytes.
    pub len: u64,
}

/// A content-addressed store in a local directory: `<dir>/<sha256 hex>`.
#[derive(Debug, Clone)]
pub struct DirStore {
    dir: PathBuf,
}

impl DirStore {
    /// The store in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DirStore { dir: dir.into() }
    }

    /// Its directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl BlobStore for DirStore {
    fn writer(&self) -> Result<Box<dyn BlobWriter + '_>, RecordError> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| RecordError::Store(format!("creating the store: {}", e.kind())))?;
        // A temporary name of its own in the store's directory (so the rename at commit
        // stays on one file system): a crash leaves no half-written blob under a hash's
        // name, and concurrent writers do not meet.
        let mut tag = [0u8; 8];
        OsRng.fill_bytes(&mut tag);
        let tmp = self.dir.join(format!(".incoming-{}.tmp", hex::encode(tag)));
        let file = std::fs::File::create(&tmp)
            .map_err(|e| RecordError::Store(format!("creating a blob: {}", e.kind())))?;
        Ok(Box::new(DirBlobWriter {
            dir: &self.dir,
            file: Some(file),
            tmp,
            hash: Sha256::new(),
            len: 0,
            renamed: false,
        }))
    }

    fn name(&self) -> String {
        "local folder".to_string()
    }

    /// Copies the staged blob into a partial file of the store's folder, appending from
    /// the partial file's length when an earlier run left one; the bytes kept are hashed
    /// with the new ones, and the file takes its hash's name only when the whole matches.
    fn upload(
        &self,
        staged: &Staged,
        state: &mut StoreUpload,
        saved: &mut Saved<'_>,
        progress: &mut Progress<'_>,
    ) -> Result<Stored, RecordError> {
        let name = hex::encode(staged.hash);
        let failed = |what: &str, e: std::io::Error| {
            RecordError::Store(format!("{what} blob {name}: {}", e.kind()))
        };
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| RecordError::Store(format!("creating the store: {}", e.kind())))?;
        let partial = match state {
            StoreUpload::NotStarted => {
                let mut tag = [0u8; 8];
                OsRng.fill_bytes(&mut tag);
                let partial = format!(".incoming-{}.tmp", hex::encode(tag));
                *state = StoreUpload::Folder {
                    partial: partial.clone(),
                };
                saved(state).map_err(|e| failed("journaling the upload of", e))?;
                partial
            }
            StoreUpload::Folder { partial }
                if partial.starts_with(".incoming-")
                    && !partial.contains('/')
                    && partial != ".incoming-" =>
            {
                partial.clone()
            }
            other => {
                return Err(RecordError::Store(format!(
                    "the upload journal holds a {} upload, not a local folder's",
                    other.kind()
                )))
            }
        };
        let tmp = self.dir.join(&partial);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&tmp)
            .map_err(|e| failed("writing", e))?;
        let mut hash = Sha256::new();
        let mut have = std::io::copy(&mut (&mut file).take(staged.len + 1), &mut hash)
            .map_err(|e| failed("reading the partial copy of", e))?;
        if have > staged.len {
            // Longer than the blob: not a prefix of it; start over.
            file.set_len(0).map_err(|e| failed("writing", e))?;
            hash = Sha256::new();
            have = 0;
        }
        progress(UploadEvent::Started {
            store: self.name(),
            done: have,
            total: staged.len,
            resumable: true,
        });
        let mut source = staged.open_at(have)?;
        let mut buf = vec![0u8; 1024 * 1024];
        let mut done = have;
        loop {
            let n = source.read(&mut buf).map_err(|e| {
                RecordError::Store(format!("reading {}: {e}", staged.path.display()))
            })?;
            if n == 0 {
                break;
            }
            file.write_all(&buf[..n])
                .map_err(|e| failed("writing", e))?;
            hash.update(&buf[..n]);
            done += n as u64;
            progress(UploadEvent::Sent { done });
        }
        file.sync_all().map_err(|e| failed("writing", e))?;
        drop(file);
        if done != staged.len || <[u8; 32]>::from(hash.finalize()) != staged.hash {
            // What an earlier run left is not this blob's beginning: it goes, and the
            // rerun copies the whole.
            let _ = std::fs::remove_file(&tmp);
            *state = StoreUpload::NotStarted;
            let _ = saved(state);
            return Err(RecordError::Store(format!(
                "the partial copy of blob {name} in the store did not match the staged blob; it was removed, so the next run copies it whole"
            )));
        }
        std::fs::rename(&tmp, self.dir.join(&name)).map_err(|e| failed("storing", e))?;
        Ok(Stored {
            locator: format!("{CAS_PREFIX}{name}"),
            content_hash: staged.hash,
            len: staged.len,
        })
    }

    fn reader(&self, hash: &[u8; 32]) -> Result<Box<dyn Read + Send + '_>, BlobError> {
        self.reader_from(hash, 0)
    }

    fn reader_from(
        &self,
        hash: &[u8; 32],
        offset: u64,
    ) -> Result<Box<dyn Read + Send + '_>, BlobError> {
        use std::io::{Seek, SeekFrom};
        // The name is made from the parsed hash: it never leaves the store's directory.
        let name = hex::encode(hash);
        let mut file = std::fs::File::open(self.dir.join(&name)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => BlobError::Missing(name.clone()),
            kind => BlobError::Failed(format!("reading blob {name}: {kind}")),
        })?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| BlobError::Failed(format!("reading blob {name}: {}", e.kind())))?;
        Ok(Box::new(std::io::BufReader::new(file)))
    }
}

/// [`DirStore`]'s blob writer: a temporary file, renamed to its hash by `commit`.
struct DirBlobWriter<'a> {
    dir: &'a Path,
    /// `None` once committing.
    file: Option<std::fs::File>,
    tmp: PathBuf,
    hash: Sha256,
    len: u64,
    /// Renamed to its hash: nothing to clean up.
    renamed: bool,
}

impl Write for DirBlobWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("blob already committed"))?;
        let n = file.write(buf).map_err(|e| {
            std::io::Error::new(e.kind(), format!("writing to the store: {}", e.kind()))
        })?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), |f| f.flush())
    }
}

impl BlobWriter for DirBlobWriter<'_> {
    fn commit(mut self: Box<Self>) -> Result<Stored, RecordError> {
        let failed =
            |e: std::io::Error| RecordError::Store(format!("storing a blob: {}", e.kind()));
        let file = self
            .file
            .take()
            .ok_or_else(|| failed(std::io::Error::other("committed twice")))?;
        // On disk before it gets its name: the chain will point at it.
        file.sync_all().map_err(failed)?;
        drop(file);
        let content_hash: [u8; 32] = std::mem::take(&mut self.hash).finalize().into();
        let name = hex::encode(content_hash);
        let path = self.dir.join(&name);
        // Already there: the same bytes (content addressing); drop removes the copy.
        if !path.exists() {
            std::fs::rename(&self.tmp, &path)
                .map_err(|e| RecordError::Store(format!("writing blob {name}: {}", e.kind())))?;
            self.renamed = true;
        }
        Ok(Stored {
            locator: format!("{CAS_PREFIX}{name}"),
            content_hash,
            len: self.len,
        })
    }
}

impl Drop for DirBlobWriter<'_> {
    fn drop(&mut self) {
        if !self.renamed {
            // Not stored under a hash: the temporary file goes. Nothing to do on failure.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A record written by [`add_record`] or [`amend_record`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct Written {
    /// The new record id.
    pub record_id: u64,
    /// sha256 of the sealed bytes.
    pub content_hash: String,
    /// Where the sealed bytes are.
    pub locator: String,
    /// Sealed size in bytes (0 when this call adopted a record written before).
    pub sealed_bytes: usize,
    /// Chunks written on chain.
    pub chunks: usize,
    /// Every transaction sent, in order.
    pub txids: Vec<String>,
    /// Block of the last one.
    pub block_height: u64,
}

impl Written {
    /// One line on the record written, as the CLI and the dashboard say it.
    pub fn summary(&self, record_type: &str) -> String {
        format!(
            "record #{} ({record_type}) added: {} sealed bytes, hash {}, {}",
            self.record_id,
            self.sealed_bytes,
            self.content_hash,
            if self.chunks > 0 {
                format!("{} chunk(s) on chain", self.chunks)
            } else {
                self.locator.clone()
            }
        )
    }
}

impl Written {
    /// A record already on chain, as a write that sent nothing now.
    pub fn on_chain(record: &Record) -> Self {
        Written {
            record_id: record.id,
            content_hash: hex::encode(record.content_hash),
            locator: record.locator.clone(),
            sealed_bytes: 0,
            chunks: record.chunk_count as usize,
            txids: Vec::new(),
            block_height: record.created_at,
        }
    }
}

/// Where to put sealed bytes.
pub enum Placement<'a> {
    /// On chain, in chunks (at most 64 KiB sealed).
    OnChain,
    /// In a content-addressed store; only the hash and locator go on chain.
    Store(&'a dyn BlobStore),
    /// In a content-addressed store, staged first in a local file so that an interrupted
    /// upload resumes at the byte where it stopped (see [`super::upload`]).
    Staged {
        /// The store.
        store: &'a dyn BlobStore,
        /// Where the upload is staged and journaled.
        upload: Upload<'a>,
    },
}

/// Whether a plaintext of `plain_len` bytes, sealed, fits `on_chain_max` and the 64-chunk
/// limit.
pub fn fits_on_chain(plain_len: u64, on_chain_max: usize) -> bool {
    let limit = (CHUNK_SIZE * MAX_CHUNKS).min(on_chain_max) as u64;
    plain_len.saturating_add(crypto::SEAL_OVERHEAD as u64) <= limit
}

/// Where a plaintext of `plain_len` bytes goes: on chain when sealed it fits
/// `on_chain_max` (and the 64-chunk limit), otherwise in `store`.
pub fn placement(plain_len: usize, on_chain_max: usize, store: &dyn BlobStore) -> Placement<'_> {
    if fits_on_chain(plain_len as u64, on_chain_max) {
        Placement::OnChain
    } else {
        Placement::Store(store)
    }
}

async fn patient_key(
    client: &EhrClient,
    patient: &PrincipalData,
) -> Result<PublicKey, RecordError> {
    let p = client
        .get_patient(patient)
        .await?
        .filter(|p| p.active)
        .ok_or_else(|| RecordError::NotAPatient(patient.to_string()))?;
    PublicKey::from_bytes(&p.enc_pubkey).map_err(|_| RecordError::BadKey(patient.to_string()))
}

/// The key record envelopes for `holder` are wrapped to: a patient's or a doctor's
/// registered encryption key.
pub async fn enc_key_of(
    client: &EhrClient,
    holder: &PrincipalData,
) -> Result<PublicKey, RecordError> {
    if let Some(d) = client.get_doctor(holder).await? {
        return PublicKey::from_bytes(&d.enc_pubkey)
            .map_err(|_| RecordError::BadKey(holder.to_string()));
    }
    patient_key(client, holder).await
}

/// Seals `plaintext` for `patient` (an envelope to its registered key), writes the
/// sealed bytes where `placement` says, and records it: `add-record`, then the chunks.
/// The signer is the patient, a guardian, or a doctor with write scope.
pub async fn add_record(
    client: &EhrClient,
    signer: &SecretKey,
    patient: &PrincipalData,
    record_type: &str,
    plaintext: &[u8],
    placement: Placement<'_>,
    options: &SendOptions,
) -> Result<Written, RecordError> {
    write(
        client,
        signer,
        patient,
        record_type,
        plaintext,
        placement,
        options,
        None,
    )
    .await
}

/// A new version of record `previous` with new content (same patient and type).
pub async fn amend_record(
    client: &EhrClient,
    signer: &SecretKey,
    previous: u64,
    plaintext: &[u8],
    placement: Placement<'_>,
    options: &SendOptions,
) -> Result<Written, RecordError> {
    let old = client
        .get_record(previous)
        .await?
        .ok_or(RecordError::NotFound(previous))?;
    write(
        client,
        signer,
        &old.patient,
        &old.record_type,
        plaintext,
        placement,
        options,
        Some(previous),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn write(
    client: &EhrClient,
    signer: &SecretKey,
    patient: &PrincipalData,
    record_type: &str,
    plaintext: &[u8],
    placement: Placement<'_>,
    options: &SendOptions,
    previous: Option<u64>,
) -> Result<Written, RecordError> {
    let mut pending = prepare_write(
        client,
        patient,
        record_type,
        Plaintext::Bytes(plaintext),
        placement,
        previous,
    )
    .await?;
    finish_write(client, signer, &mut pending, options, &mut |_| {}).await
}

/// A record write, from sealing to its last chunk: everything needed to finish it after
/// an interruption (a timeout, Ctrl-C, a node restart), so a command can keep it on disk
/// and finish it on the next run instead of writing the record twice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingWrite {
    /// The patient whose record it is.
    pub patient: String,
    /// The record type.
    pub record_type: String,
    /// The version it amends, for an amendment.
    pub previous: Option<u64>,
    /// sha256 of the sealed bytes (hex): how the record is found on chain.
    pub content_hash: String,
    /// Where the sealed bytes are.
    pub locator: String,
    /// The patient's key envelope (hex).
    pub envelope: String,
    /// The sealed bytes (hex) when they go on chain in chunks; empty when they are in a
    /// store (already written there).
    pub chunks_hex: String,
    /// The sealed size in bytes.
    pub sealed_len: usize,
    /// The record id, once the record is on chain.
    pub record_id: Option<u64>,
    /// The transaction signed (kept before it is broadcast) and not yet seen final: the
    /// add (or amend) before the id is known, then the last chunk sent. A later run
    /// finishes it with [`EhrClient::resume`], never signing a second one.
    pub in_flight: Option<Signed>,
    /// How many times the add (or amend) was about to be broadcast: after an
    /// interruption, more than zero with nothing in flight means the record may be on
    /// chain already.
    pub add_attempts: u32,
    /// Every transaction this write has had mined.
    pub txids: Vec<String>,
}

/// How many of the patient's newest records are searched for one this write already
/// made (after an interruption between broadcast and bookkeeping).
const RESUME_LOOKBACK: u64 = 32;

/// What a record write seals.
pub enum Plaintext<'a> {
    /// Bytes in memory.
    Bytes(&'a [u8]),
    /// `len` bytes read once from `reader` (a large file): sealed straight into the store,
    /// in memory bounded by a few chunks whatever the size.
    Stream {
        /// The plaintext.
        reader: &'a mut (dyn Read + Send),
        /// Its size, checked against [`MAX_RECORD_BYTES`] before anything is read.
        len: u64,
    },
}

impl Plaintext<'_> {
    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Plaintext::Bytes(bytes) => bytes.len() as u64,
            Plaintext::Stream { len, .. } => *len,
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Refuses a record over [`MAX_RECORD_BYTES`], before any work.
pub fn check_size(len: u64) -> Result<(), RecordError> {
    if len > MAX_RECORD_BYTES {
        return Err(RecordError::TooLarge {
            size: len,
            max: MAX_RECORD_BYTES,
        });
    }
    Ok(())
}

/// Seals `plaintext` for `patient` and puts the sealed bytes in the store when
/// `placement` says so; sends nothing. The one place a record write seals: on chain in
/// format version 2, in a store in version 3 (a stream, see [`crypto::stream`]).
pub async fn prepare_write(
    client: &EhrClient,
    patient: &PrincipalData,
    record_type: &str,
    plaintext: Plaintext<'_>,
    placement: Placement<'_>,
    previous: Option<u64>,
) -> Result<PendingWrite, RecordError> {
    check_size(plaintext.len())?;
    let owner = patient_key(client, patient).await?;
    let patient_text = patient.to_string();
    let context = RecordContext {
        patient: &patient_text,
        record_type,
    };
    // A blob in a store: only its hash and locator go on chain.
    let in_store = |(stored, envelope, sealed_len): (Stored, _, u64)| {
        (
            stored.content_hash,
            envelope,
            stored.locator,
            String::new(),
            usize::try_from(sealed_len).unwrap_or(usize::MAX),
        )
    };
    let (content_hash, envelope, locator, chunks_hex, sealed_len) = match placement {
        Placement::OnChain => {
            let max = CHUNK_SIZE * MAX_CHUNKS;
            let bytes = match plaintext {
                Plaintext::Bytes(bytes) => std::borrow::Cow::Borrowed(bytes),
                Plaintext::Stream { reader, .. } => {
                    // At most what fits on chain, and one byte more to see it does not.
                    let mut bytes = Vec::new();
                    reader
                        .take(max as u64 + 1)
                        .read_to_end(&mut bytes)
                        .map_err(|source| RecordError::Io {
                            what: "reading the record",
                            source,
                        })?;
                    std::borrow::Cow::Owned(bytes)
                }
            };
            let sealed = crypto::encrypt_record(&bytes, context, &[owner])?;
            if sealed.sealed.len() > max {
                return Err(RecordError::TooLargeForChain {
                    size: sealed.sealed.len(),
                    max,
                });
            }
            (
                sealed.content_hash,
                sealed.envelopes[0],
                ON_CHAIN.to_string(),
                hex::encode(&sealed.sealed),
                sealed.sealed.len(),
            )
        }
        Placement::Store(store) => in_store(seal_into_store(store, plaintext, context, &owner)?),
        Placement::Staged { store, upload } => in_store(super::upload::stage_and_upload(
            store, plaintext, context, &owner, upload,
        )?),
    };
    Ok(PendingWrite {
        patient: patient_text,
        record_type: record_type.to_string(),
        previous,
        content_hash: hex::encode(content_hash),
        locator,
        envelope: hex::encode(envelope),
        chunks_hex,
        sealed_len,
        record_id: None,
        in_flight: None,
        add_attempts: 0,
        txids: Vec::new(),
    })
}

/// Seals `plaintext` for `owner` in format version 3 straight into `store` (memory: a
/// few chunks, whatever the size) and commits the blob under its hash. Returns the
/// stored blob, the owner's key envelope and the sealed size. The store half of
/// [`prepare_write`], on its own so that tools and benchmarks measure the same code.
pub fn seal_into_store(
    store: &dyn BlobStore,
    plaintext: Plaintext<'_>,
    context: RecordContext<'_>,
    owner: &PublicKey,
) -> Result<(Stored, [u8; crypto::ENVELOPE_LEN], u64), RecordError> {
    check_size(plaintext.len())?;
    let mut writer = store.writer()?;
    let sealing = match plaintext {
        Plaintext::Bytes(bytes) => {
            stream::encrypt_record(bytes, &mut writer, context, std::slice::from_ref(owner))
        }
        Plaintext::Stream { reader, .. } => {
            stream::encrypt_record(reader, &mut writer, context, std::slice::from_ref(owner))
        }
    };
    let (sealed, envelopes) =
        sealing.map_err(|e| stream_error(e, "sealing the record into the store"))?;
    // The store's own hash of what it holds (the same bytes the sealer hashed).
    let stored = writer.commit()?;
    Ok((stored, envelopes[0], sealed.sealed_len))
}

/// A stream's failure as a record error; `what` names what was being done.
pub(crate) fn stream_error(e: stream::StreamError, what: &'static str) -> RecordError {
    match e {
        stream::StreamError::Io(source) => RecordError::Io { what, source },
        stream::StreamError::TooLarge => RecordError::TooLarge {
            size: MAX_RECORD_BYTES + 1,
            max: MAX_RECORD_BYTES,
        },
        stream::StreamError::Crypto(c) => RecordError::Crypto(c),
    }
}

/// Drives `pending` to the end: the add (or amend) transaction, then each chunk not yet
/// on chain. Safe to call again after any failure with the same `pending`: a transaction
/// in flight is followed rather than sent again, a record already on chain with this
/// content is adopted, and chunks resume from the record's chunk count. `saved` is
/// called with the new state after every broadcast and every mined step, before waiting,
/// so a caller that writes it to disk can always resume.
pub async fn finish_write(
    client: &EhrClient,
    signer: &SecretKey,
    pending: &mut PendingWrite,
    options: &SendOptions,
    saved: &mut (dyn FnMut(&PendingWrite) + Send),
) -> Result<Written, RecordError> {
    let bad = |what: &str| RecordError::BadPending(what.to_string());
    let patient = PrincipalData::parse(&pending.patient).map_err(|_| bad("patient"))?;
    let content_hash: [u8; 32] = hex::decode(&pending.content_hash)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("content_hash"))?;
    let envelope = hex::decode(&pending.envelope).map_err(|_| bad("envelope"))?;
    let sealed = hex::decode(&pending.chunks_hex).map_err(|_| bad("chunks_hex"))?;
    let chunks: Vec<&[u8]> = sealed.chunks(CHUNK_SIZE).collect();
    let mut block_height = 0;
    // What an earlier run kept is resumed (it may never have reached the node); what this
    // run broadcast is waited for.
    let mut kept_by_earlier_run = pending.in_flight.is_some();

    while pending.record_id.is_none() {
        if let Some(signed) = pending.in_flight.clone() {
            match follow(client, &signed, std::mem::take(&mut kept_by_earlier_run)).await {
                Ok(mined) => {
                    pending.record_id = Some(mined.id().map_err(ClientError::from)?);
                    block_height = mined.block_height;
                    pending.txids.push(format!("0x{}", signed.sent.txid));
                }
                // Never mined: nothing changed, send it again.
                Err(ClientError::Dropped { .. }) => {}
                // Mined with its result unknown (a bare node): the chain says whether it
                // wrote; if not, the contract refused it, and that is settled.
                Err(ClientError::ResultUnknown { txid, function, .. }) => {
                    match find_written(client, &patient, &content_hash).await? {
                        Some(id) => {
                            pending.record_id = Some(id);
                            pending.txids.push(format!("0x{txid}"));
                        }
                        None => {
                            pending.in_flight = None;
                            saved(pending);
                            return Err(RecordError::NotWritten {
                                function,
                                txid: format!("0x{txid}"),
                            });
                        }
                    }
                }
                // Unknown to the node, its nonce used since: written if the chain has the
                // record, else never to be mined, so written anew.
                Err(ClientError::NonceSpent { txid, .. }) => {
                    if let Some(id) = find_written(client, &patient, &content_hash).await? {
                        pending.record_id = Some(id);
                        pending.txids.push(format!("0x{txid}"));
                    }
                }
                Err(other) => return Err(settle(pending, saved, other)),
            }
            pending.in_flight = None;
            saved(pending);
            continue;
        }
        // Interrupted between a broadcast and its bookkeeping: the record may be there.
        if pending.add_attempts > 0 {
            if let Some(id) = find_written(client, &patient, &content_hash).await? {
                pending.record_id = Some(id);
                saved(pending);
                break;
            }
        }
        let call = match pending.previous {
            None => calls::add_record(
                &patient,
                &pending.record_type,
                &content_hash,
                &pending.locator,
                &envelope,
            ),
            Some(id) => calls::amend_record(id, &content_hash, &pending.locator, &envelope),
        }
        .map_err(ClientError::from)?;
        pending.add_attempts += 1;
        send_kept(client, signer, &call, options, pending, saved).await?;
    }
    let record_id = pending.record_id.expect("the loop above ends with an id");

    let mut stalled = 0;
    loop {
        let on_chain = client
            .get_record(record_id)
            .await?
            .ok_or(RecordError::NotFound(record_id))?
            .chunk_count;
        if let Some(signed) = pending.in_flight.clone() {
            match follow(client, &signed, std::mem::take(&mut kept_by_earlier_run)).await {
                Ok(mined) => {
                    block_height = mined.block_height;
                    pending.txids.push(format!("0x{}", signed.sent.txid));
                }
                // The chunk count decides whether it landed.
                Err(
                    ClientError::Dropped { .. }
                    | ClientError::ResultUnknown { .. }
                    | ClientError::NonceSpent { .. },
                ) => {}
                Err(other) => return Err(settle(pending, saved, other)),
            }
            pending.in_flight = None;
            saved(pending);
            continue;
        }
        let next = on_chain as usize;
        if next >= chunks.len() {
            break;
        }
        // A chunk that was mined with its result unknown, or dropped, is sent again once
        // the count shows it missing; a chunk that never lands is an error, not a loop.
        stalled += 1;
        if stalled > chunks.len() + 3 {
            return Err(RecordError::MissingChunk {
                id: record_id,
                index: on_chain,
                count: chunks.len() as u64,
            });
        }
        let call =
            calls::put_chunk(record_id, next as u64, chunks[next]).map_err(ClientError::from)?;
        // Each chunk waits for the one before, so the node's next nonce is always right.
        send_kept(
            client,
            signer,
            &call,
            &without_nonce(options),
            pending,
            saved,
        )
        .await?;
    }
    Ok(Written {
        record_id,
        content_hash: pending.content_hash.clone(),
        locator: pending.locator.clone(),
        sealed_bytes: pending.sealed_len,
        chunks: chunks.len(),
        txids: pending.txids.clone(),
        block_height,
    })
}

/// Follows a kept transaction: [`EhrClient::resume`] for one an earlier run kept,
/// [`EhrClient::wait`] for one this run has just broadcast.
async fn follow(
    client: &EhrClient,
    signed: &Signed,
    kept_by_earlier_run: bool,
) -> Result<Mined, ClientError> {
    if kept_by_earlier_run {
        client.resume(signed).await
    } else {
        client.wait(&signed.sent).await
    }
}

/// Signs `call`, keeps it in `pending` (saved) before broadcasting it, then broadcasts:
/// an interruption at any point leaves the very transaction to follow or send again.
async fn send_kept(
    client: &EhrClient,
    signer: &SecretKey,
    call: &ContractCall,
    options: &SendOptions,
    pending: &mut PendingWrite,
    saved: &mut (dyn FnMut(&PendingWrite) + Send),
) -> Result<(), RecordError> {
    let signed = client.sign(signer, call, options).await?;
    pending.in_flight = Some(signed.clone());
    saved(pending);
    match client.broadcast(&signed).await {
        Ok(_) => Ok(()),
        Err(e) => Err(settle(pending, saved, e)),
    }
}

/// The error that ends a wait in [`finish_write`]. A transaction the chain refused or
/// rolled back is settled: it is no longer in flight, so a later run does not follow it
/// again (and resends only once the cause is gone); any other failure (a timeout, the
/// node unreachable) leaves it in flight to be followed.
fn settle(
    pending: &mut PendingWrite,
    saved: &mut (dyn FnMut(&PendingWrite) + Send),
    error: ClientError,
) -> RecordError {
    if matches!(
        error,
        ClientError::Refused { .. }
            | ClientError::Aborted { .. }
            | ClientError::Node(NodeError::BroadcastRejected { .. })
    ) {
        pending.in_flight = None;
        saved(pending);
    }
    error.into()
}

/// The newest of `patient`'s records with this content hash, if one is on chain.
async fn find_written(
    client: &EhrClient,
    patient: &PrincipalData,
    content_hash: &[u8; 32],
) -> Result<Option<u64>, RecordError> {
    let count = client.get_patient_record_count(patient).await?;
    for index in (count.saturating_sub(RESUME_LOOKBACK)..count).rev() {
        let Some(id) = client.get_patient_record_id(patient, index).await? else {
            continue;
        };
        if let Some(r) = client.get_record(id).await? {
            if &r.content_hash == content_hash {
                return Ok(Some(id));
            }
        }
    }
    Ok(None)
}

fn without_nonce(options: &SendOptions) -> SendOptions {
    SendOptions {
        nonce: None,
        ..options.clone()
    }
}

/// A record read and decrypted.
#[derive(Debug, Clone)]
pub struct Opened {
    /// Its on-chain metadata.
    pub record: Record,
    /// The plaintext.
    pub plaintext: Vec<u8>,
}

/// The sealed bytes of `record`, from the chain or from a store, checked against the
/// on-chain content hash. A record in a store is looked for in each store of `store` in
/// order, then in the place its URL locator names (see [`Sources`]).
pub async fn fetch_sealed(
    client: &EhrClient,
    record: &Record,
    store: Option<&dyn BlobStore>,
) -> Result<Vec<u8>, RecordError> {
    let sealed =
        match Sources::new(record, store)? {
            Some(sources) => {
                let (source, hash) = sources.find()?;
                source
                    .get(&hash)
                    .map_err(|e| RecordError::Store(format!("{}: {e}", source.name())))?
            }
            None => {
                let mut sealed = Vec::with_capacity(record.chunk_count as usize * CHUNK_SIZE);
                for index in 0..record.chunk_count {
                    let chunk = client.get_chunk(record.id, index).await?.ok_or(
                        RecordError::MissingChunk {
                            id: record.id,
                            index,
                            count: record.chunk_count,
                        },
                    )?;
                    sealed.extend_from_slice(&chunk);
                }
                sealed
            }
        };
    if crypto::content_hash(&sealed) != record.content_hash {
        return Err(CryptoError::HashMismatch.into());
    }
    Ok(sealed)
}

/// The stores a record's blob is read from: the configured ones in order (each replica of
/// a set), then the store its URL locator names when none of those is it. A reader trusts
/// a store for availability only: [`Sources::find`] takes the first copy whose SHA-256
/// matches the chain, and names every store that failed before it.
pub struct Sources<'a> {
    id: u64,
    locator: String,
    content_hash: [u8; 32],
    hash: [u8; 32],
    configured: Vec<&'a dyn BlobStore>,
    /// The store the URL locator names, or why it could not be opened.
    own: Option<Result<Box<dyn BlobStore>, StoreFailure>>,
}

impl<'a> Sources<'a> {
    /// The sources of `record`'s blob: the stores of `store`, then the place its URL
    /// locator names; `None` for a record kept on chain. Its locator is parsed first
    /// ([`RecordError::BadLocator`]); a `sha256:` record with no store given is
    /// [`RecordError::NeedStore`].
    pub fn new(
        record: &Record,
        store: Option<&'a dyn BlobStore>,
    ) -> Result<Option<Self>, RecordError> {
        let configured: Vec<&dyn BlobStore> = match store {
            Some(store) => store.replicas().unwrap_or_else(|| vec![store]),
            None => Vec::new(),
        };
        let (hash, own) = match Locator::parse(record.id, &record.locator)? {
            Locator::OnChain => return Ok(None),
            Locator::Sha256(hash) => (hash, None),
            Locator::Url(url) => {
                let base = url.base();
                let own = (!configured.iter().any(|s| s.name() == base)).then(|| {
                    super::stores::open_url(&url).map_err(|detail| StoreFailure {
                        store: base.clone(),
                        kind: FailureKind::Failed,
                        detail,
                    })
                });
                (url.hash, own)
            }
        };
        if configured.is_empty() && own.is_none() {
            return Err(RecordError::NeedStore {
                id: record.id,
                locator: record.locator.clone(),
            });
        }
        Ok(Some(Sources {
            id: record.id,
            locator: record.locator.clone(),
            content_hash: record.content_hash,
            hash,
            configured,
            own,
        }))
    }

    /// Only the stores given, not the place the locator names (to check one replica).
    pub fn given_only(self) -> Self {
        Sources { own: None, ..self }
    }

    /// The stores to try, in order, each with the name messages use (numbered when
    /// there are several), or why the locator's own store could not be opened.
    fn candidates(&self) -> Vec<Result<(&dyn BlobStore, String), StoreFailure>> {
        let mut stores: Vec<Result<&dyn BlobStore, &StoreFailure>> =
            self.configured.iter().map(|s| Ok(*s)).collect();
        match &self.own {
            Some(Ok(own)) => stores.push(Ok(own.as_ref())),
            Some(Err(failure)) => stores.push(Err(failure)),
            None => {}
        }
        let numbered = stores.len() > 1;
        stores
            .into_iter()
            .enumerate()
            .map(|(n, store)| match store {
                Ok(store) if numbered => Ok((store, format!("store {} ({})", n + 1, store.name()))),
                Ok(store) => Ok((store, store.name())),
                Err(failure) => Err(failure.clone()),
            })
            .collect()
    }

    /// Every store tried for the blob, in order: its name, and whether it has a copy
    /// that matches the chain (each read whole).
    pub fn check_all(&self) -> Vec<(String, Result<(), StoreFailure>)> {
        self.candidates()
            .into_iter()
            .map(|candidate| match candidate {
                Ok((store, name)) => (name.clone(), self.check(store, name)),
                Err(failure) => (failure.store.clone(), Err(failure)),
            })
            .collect()
    }

    /// Whether `store` (called `name`) has a copy that matches the chain, read whole.
    fn check(&self, store: &dyn BlobStore, name: String) -> Result<(), StoreFailure> {
        let failure = |kind, detail: String| StoreFailure {
            store: name.clone(),
            kind,
            detail,
        };
        let mut reader = store.reader(&self.hash).map_err(|e| match e {
            BlobError::Missing(_) => failure(FailureKind::Missing, "no copy".into()),
            BlobError::Failed(why) => failure(FailureKind::Failed, why),
        })?;
        let mut hasher = HashSink(Sha256::new());
        std::io::copy(&mut reader, &mut hasher)
            .map_err(|e| failure(FailureKind::Failed, format!("reading its copy: {e}")))?;
        if <[u8; 32]>::from(hasher.0.finalize()) != self.content_hash {
            return Err(failure(
                FailureKind::Corrupt,
                "its copy does not match the hash on chain (changed or corrupted)".into(),
            ));
        }
        Ok(())
    }

    /// Downloads the blob into the local file `cache`, resuming after what an earlier,
    /// interrupted run left there: each store in turn is asked for the bytes after the
    /// file's length (a range read), and once one reaches the end the whole file's SHA-256
    /// is checked against the chain. A copy that fails the check is removed and the next
    /// store starts over; every store that failed is named. `progress` is told the file's
    /// length as bytes arrive. Memory: one buffer, whatever the size.
    pub fn download(
        &self,
        cache: &Path,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<(), RecordError> {
        let local =
            |what: &'static str| move |source: std::io::Error| RecordError::Io { what, source };
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(cache)
            .map_err(local("opening the download's local copy"))?;
        let mut tried = Vec::new();
        for candidate in self.candidates() {
            let (store, name) = match candidate {
                Ok(c) => c,
                Err(failure) => {
                    tried.push(failure);
                    continue;
                }
            };
            let failure = |kind, detail: String| StoreFailure {
                store: name.clone(),
                kind,
                detail,
            };
            // What an earlier run left is hashed once; what arrives is hashed as it is
            // written, so the copy is not read back whole just to be checked.
            let mut hashed = HashSink(Sha256::new());
            let mut have = std::io::copy(
                &mut std::fs::File::open(cache).map_err(local("reading the local copy"))?,
                &mut hashed,
            )
            .map_err(local("reading the local copy"))?;
            progress(have);
            let appended = store
                .reader_from(&self.hash, have)
                .map_err(|e| match e {
                    BlobError::Missing(_) => failure(FailureKind::Missing, "no copy".into()),
                    BlobError::Failed(why) => failure(FailureKind::Failed, why),
                })
                .and_then(|mut reader| {
                    let mut buf = vec![0u8; 256 * 1024];
                    loop {
                        let n = match reader.read(&mut buf) {
                            Ok(0) => return Ok(()),
                            Ok(n) => n,
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                            Err(e) => {
                                return Err(failure(
                                    FailureKind::Failed,
                                    format!("reading its copy after {have} bytes: {e}"),
                                ))
                            }
                        };
                        file.write_all(&buf[..n]).map_err(|e| {
                            failure(FailureKind::Failed, format!("writing the local copy: {e}"))
                        })?;
                        hashed.0.update(&buf[..n]);
                        have += n as u64;
                        progress(have);
                    }
                });
            if let Err(f) = appended {
                tried.push(f);
                continue;
            }
            file.flush().map_err(local("writing the local copy"))?;
            if <[u8; 32]>::from(hashed.0.finalize()) == self.content_hash {
                return Ok(());
            }
            tried.push(failure(
                FailureKind::Corrupt,
                "its copy does not match the hash on chain (changed or corrupted)".into(),
            ));
            file.set_len(0).map_err(local("clearing the local copy"))?;
        }
        Err(RecordError::BlobUnavailable {
            id: self.id,
            locator: self.locator.clone(),
            tried,
        })
    }

    /// The hash the blob is stored under (the locator's).
    pub fn hash(&self) -> [u8; 32] {
        self.hash
    }

    /// The first store with a copy whose SHA-256 is the record's content hash (read whole,
    /// streaming, to check), and the hash it is stored under; or every store's failure.
    pub fn find(&self) -> Result<(&dyn BlobStore, [u8; 32]), RecordError> {
        let mut tried = Vec::new();
        for candidate in self.candidates() {
            match candidate.and_then(|(store, name)| self.check(store, name).map(|()| store)) {
                Ok(store) => return Ok((store, self.hash)),
                Err(failure) => tried.push(failure),
            }
        }
        Err(RecordError::BlobUnavailable {
            id: self.id,
            locator: self.locator.clone(),
            tried,
        })
    }
}

/// The key envelope of record `id` for the account of `holder`.
async fn own_envelope(
    client: &EhrClient,
    id: u64,
    holder: &SecretKey,
) -> Result<Vec<u8>, RecordError> {
    let who = holder.address(client.network()).to_principal();
    client
        .get_envelope(id, &who)
        .await?
        .ok_or_else(|| RecordError::NoEnvelope {
            id,
            holder: who.to_string(),
        })
}

/// Decrypts record `id` for `holder`: its envelope, the sealed bytes, the hash check, and
/// decryption. Crate-private on purpose: clients read through
/// [`read_record`](super::read::read_record), which checks the reader's authority and logs a
/// grantee's view first.
pub(crate) async fn open_record(
    client: &EhrClient,
    id: u64,
    holder: &SecretKey,
    store: Option<&dyn BlobStore>,
) -> Result<Opened, RecordError> {
    let record = client
        .get_record(id)
        .await?
        .ok_or(RecordError::NotFound(id))?;
    let envelope = own_envelope(client, id, holder).await?;
    let sealed = fetch_sealed(client, &record, store).await?;
    let patient = record.patient.to_string();
    let plaintext = crypto::decrypt_record(
        &sealed,
        &envelope,
        holder,
        RecordContext {
            patient: &patient,
            record_type: &record.record_type,
        },
        Some(&record.content_hash),
    )?;
    Ok(Opened { record, plaintext })
}

/// A record decrypted into a writer (`read::read_record_into`).
#[derive(Debug, Clone)]
pub struct OpenedInto {
    /// Its on-chain metadata.
    pub record: Record,
    /// Plaintext bytes written.
    pub plain_len: u64,
}

/// [`open_record`] into `out`, streaming: a record in a store is hashed as it is read
/// and checked against the chain before any plaintext is made, then read again and
/// decrypted segment by segment (format version 3) with the hash checked once more, so
/// memory stays bounded whatever its size. Records on chain, and version-2 records in a
/// store (written before version 3), are opened in memory as before. Plaintext written
/// before an error is not to be trusted: write to a temporary place and keep it only on
/// `Ok`.
pub(crate) async fn open_record_into(
    client: &EhrClient,
    id: u64,
    holder: &SecretKey,
    store: Option<&dyn BlobStore>,
    fetch: Fetch<'_>,
    out: &mut (dyn Write + Send),
) -> Result<OpenedInto, RecordError> {
    let record = client
        .get_record(id)
        .await?
        .ok_or(RecordError::NotFound(id))?;
    let envelope = own_envelope(client, id, holder).await?;
    match open_stored_into(&record, &envelope, holder, store, fetch, out)? {
        Some(plain_len) => Ok(OpenedInto { record, plain_len }),
        None => {
            let opened = open_record(client, id, holder, store).await?;
            out.write_all(&opened.plaintext)
                .and_then(|()| out.flush())
                .map_err(|source| RecordError::Io {
                    what: "writing the record",
                    source,
                })?;
            Ok(OpenedInto {
                plain_len: opened.plaintext.len() as u64,
                record: opened.record,
            })
        }
    }
}

/// The store half of [`open_record_into`]: `record`'s blob from the first of its
/// [`Sources`] whose hash matches the chain, decrypted into `out` with the holder's
/// `envelope` and key (segment by segment for format version 3, the hash checked again
/// at the end). Returns the plaintext size, or `None` for a record kept on chain (the
/// caller reads its chunks). Plaintext written before an error is not to be trusted.
pub fn open_stored_into(
    record: &Record,
    envelope: &[u8],
    holder: &SecretKey,
    store: Option<&dyn BlobStore>,
    mut fetch: Fetch<'_>,
    out: &mut (dyn Write + Send),
) -> Result<Option<u64>, RecordError> {
    let patient = record.patient.to_string();
    let context = RecordContext {
        patient: &patient,
        record_type: &record.record_type,
    };
    let written = |source| RecordError::Io {
        what: "writing the record",
        source,
    };
    let Some(sources) = Sources::new(record, store)? else {
        return Ok(None);
    };
    // First pass: a copy whose hash matches the chain, before anything is decrypted.
    let cache = match &fetch {
        Fetch::Resumable { dir, .. } => {
            Some(dir.join(format!("{}.sealed", hex::encode(record.content_hash))))
        }
        Fetch::Twice => None,
    };
    let (mut sealed, from): (Box<dyn Read + Send + '_>, String) = match (&mut fetch, &cache) {
        (Fetch::Resumable { dir, progress }, Some(cache)) => {
            std::fs::create_dir_all(dir).map_err(|source| RecordError::Io {
                what: "creating the downloads folder",
                source,
            })?;
            sources.download(cache, &mut **progress)?;
            let file = std::fs::File::open(cache).map_err(|source| RecordError::Io {
                what: "reading the downloaded copy",
                source,
            })?;
            (
                Box::new(std::io::BufReader::new(file)),
                format!("the downloaded copy {}", cache.display()),
            )
        }
        _ => {
            let (source, hash) = sources.find()?;
            let reader = source
                .reader(&hash)
                .map_err(|e| RecordError::Store(format!("{}: {e}", source.name())))?;
            (reader, source.name())
        }
    };
    let read_failed = |e: std::io::Error| {
        RecordError::Store(format!(
            "{from}: reading blob {}: {}",
            hex::encode(sources.hash()),
            e.kind()
        ))
    };
    // Second pass: decrypt, by the version byte.
    let mut version = [0u8; 1];
    sealed.read_exact(&mut version).map_err(read_failed)?;
    let sealed = std::io::Cursor::new(version).chain(sealed);
    if version[0] != stream::STREAM_VERSION {
        let mut bytes = Vec::new();
        { sealed }.read_to_end(&mut bytes).map_err(read_failed)?;
        let plaintext = crypto::decrypt_record(
            &bytes,
            envelope,
            holder,
            context,
            Some(&record.content_hash),
        )?;
        out.write_all(&plaintext)
            .and_then(|()| out.flush())
            .map_err(written)?;
        return Ok(Some(plaintext.len() as u64));
    }
    // The hash is checked again at the end: the blob may change between the passes.
    let summary = stream::decrypt_record(
        sealed,
        envelope,
        holder,
        context,
        &record.content_hash,
        &mut *out,
    )
    .map_err(|e| stream_error(e, "opening the record"))?;
    if let Some(cache) = cache {
        // Opened whole: the local copy has served its purpose.
        let _ = std::fs::remove_file(cache);
    }
    Ok(Some(summary.plain_len))
}

/// Where a record's blob is read from ([`read_record_into`](super::read::read_record_into)):
/// the configured store(s), and how.
pub struct BlobRead<'s, 'f> {
    /// The stores to try before the one the locator names (`None`: only that one).
    pub store: Option<&'s dyn BlobStore>,
    /// Streamed twice, or downloaded once, resumably.
    pub fetch: Fetch<'f>,
}

/// How a record in a store is fetched for [`open_stored_into`].
pub enum Fetch<'a> {
    /// Read from the store twice, streaming: once to check the hash, once to decrypt
    /// (nothing on disk; a page in `ehr serve`, a small record).
    Twice,
    /// Downloaded once into `dir/<content hash>.sealed`, resuming after an interruption,
    /// checked there, decrypted from there, then removed (large records, slow links).
    Resumable {
        /// Where the local copy is kept until the record opens.
        dir: &'a Path,
        /// Told the local copy's length as bytes arrive.
        progress: &'a mut (dyn FnMut(u64) + Send),
    },
}

/// A writer that only hashes: what a check of a blob or a plaintext writes into.
pub struct HashSink(pub Sha256);

impl Write for HashSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Gives `grantee` a key envelope for record `id`: the signer (the patient, or a holder
/// with share scope) unwraps its own envelope and wraps the data key to the grantee's
/// registered key. The contract checks that the grantee has read access; a grantee that
/// already holds an envelope is refused here ([`RecordError::AlreadyShared`]).
pub async fn share_record(
    client: &EhrClient,
    signer: &SecretKey,
    id: u64,
    grantee: &PrincipalData,
    options: &SendOptions,
) -> Result<Mined, RecordError> {
    if client.get_envelope(id, grantee).await?.is_some() {
        return Err(RecordError::AlreadyShared {
            id,
            holder: grantee.to_string(),
        });
    }
    let mine = own_envelope(client, id, signer).await?;
    let key = crypto::unwrap_key(&mine, signer)?;
    let envelope = crypto::wrap_key(&key, &enc_key_of(client, grantee).await?)?;
    let call = calls::put_envelope(id, grantee, &envelope).map_err(ClientError::from)?;
    Ok(client.execute(signer, &call, options).await?)
}

/// Who keeps a key envelope for the new version made by [`rotate_record`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// The grantees that may read the record now ([`current_readers`]): the default after a
    /// revocation, since the revoked holder no longer has access.
    CurrentReaders,
    /// Exactly these holders (none: only the patient).
    Only(Vec<PrincipalData>),
}

/// A record re-sealed by [`rotate_record`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rotated {
    /// The record that was rotated.
    pub from: u64,
    /// The new version.
    pub written: Written,
    /// The holders given an envelope for the new version, besides the patient.
    #[serde(serialize_with = "principals")]
    pub kept: Vec<PrincipalData>,
}

fn principals<S: serde::Serializer>(p: &[PrincipalData], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(p.iter().map(|p| p.to_string()))
}

/// Key rotation after a revocation: a doctor that read a record keeps the data key it
/// unwrapped, so the patient re-seals the record under a fresh key as a new version
/// (`amend-record`, the old version kept and marked superseded) and gives new envelopes
/// only to the holders in `keep`. The revoked holder's old envelope opens only the old
/// version. The new version goes where the old one was: on chain if it was and still fits
/// `on_chain_max`, otherwise in `store`.
#[allow(clippy::too_many_arguments)]
pub async fn rotate_record(
    client: &EhrClient,
    signer: &SecretKey,
    id: u64,
    keep: Keep,
    on_chain_max: usize,
    store: &dyn BlobStore,
    options: &SendOptions,
) -> Result<Rotated, RecordError> {
    let resume = Resume::fresh();
    rotate_record_resumably(
        client,
        signer,
        id,
        keep,
        on_chain_max,
        store,
        options,
        resume,
    )
    .await
}

/// What a resumable write starts from: the progress an earlier run saved (or none), and
/// where to save progress as it is made (see [`finish_write`]).
pub struct Resume<'a> {
    /// The saved progress of an interrupted run.
    pub pending: Option<PendingWrite>,
    /// Called with the progress after every step.
    pub saved: Box<dyn FnMut(&PendingWrite) + Send + 'a>,
}

impl Resume<'_> {
    /// A first run that keeps its progress nowhere.
    pub fn fresh() -> Self {
        Resume {
            pending: None,
            saved: Box::new(|_| {}),
        }
    }
}

/// [`rotate_record`], finishing what an interrupted run left: the new version's write
/// from `resume`, a new version already on chain (the record is superseded) adopted
/// instead of written again, and envelopes given only to holders that lack one.
#[allow(clippy::too_many_arguments)]
pub async fn rotate_record_resumably(
    client: &EhrClient,
    signer: &SecretKey,
    id: u64,
    keep: Keep,
    on_chain_max: usize,
    store: &dyn BlobStore,
    options: &SendOptions,
    resume: Resume<'_>,
) -> Result<Rotated, RecordError> {
    let Resume { pending, mut saved } = resume;
    let record = client
        .get_record(id)
        .await?
        .ok_or(RecordError::NotFound(id))?;
    let keep = match keep {
        Keep::CurrentReaders => current_readers(client, &record).await?,
        Keep::Only(holders) => holders,
    };
    let mut written = match (pending, record.superseded_by) {
        (Some(mut pending), _) => {
            finish_write(client, signer, &mut pending, options, &mut *saved).await?
        }
        (None, Some(next)) => {
            let next = client
                .get_record(next)
                .await?
                .ok_or(RecordError::NotFound(next))?;
            Written::on_chain(&next)
        }
        (None, None) => {
            let place = if record.locator == ON_CHAIN {
                let size = (record.chunk_count as usize * CHUNK_SIZE)
                    .saturating_sub(crypto::SEAL_OVERHEAD);
                placement(size, on_chain_max, store)
            } else {
                Placement::Store(store)
            };
            let opened = open_record(client, id, signer, Some(store)).await?;
            let mut pending = prepare_write(
                client,
                &record.patient,
                &record.record_type,
                Plaintext::Bytes(&opened.plaintext),
                place,
                Some(id),
            )
            .await?;
            saved(&pending);
            finish_write(client, signer, &mut pending, options, &mut *saved).await?
        }
    };
    for holder in &keep {
        if client
            .get_envelope(written.record_id, holder)
            .await?
            .is_some()
        {
            continue;
        }
        let mined = share_record(client, signer, written.record_id, holder, options).await?;
        written.txids.push(format!("0x{}", mined.sent.txid));
        written.block_height = mined.block_height;
    }
    Ok(Rotated {
        from: id,
        written,
        kept: keep,
    })
}

/// The accounts that may read `record` now and should keep its key after a rotation:
/// grantees of the patient's live tokens with read access to the record's type, found
/// through the patient's token index.
pub async fn current_readers(
    client: &EhrClient,
    record: &Record,
) -> Result<Vec<PrincipalData>, RecordError> {
    let mut readers = Vec::new();
    for id in
        super::listing::token_ids(client, &record.patient, super::listing::Side::Patient).await?
    {
        let Some(token) = client.get_token(id).await? else {
            continue;
        };
        if token.patient != record.patient
            || token.grantee == record.patient
            || token.revoked
            || readers.contains(&token.grantee)
        {
            continue;
        }
        let reads = client
            .has_access(
                &record.patient,
                &token.grantee,
                super::types::Scope::READ,
                Some(&record.record_type),
            )
            .await?;
        if reads {
            readers.push(token.grantee);
        }
    }
    Ok(readers)
}

/// The records of `patient`, oldest first (every version).
pub async fn list_records(
    client: &EhrClient,
    patient: &PrincipalData,
) -> Result<Vec<Record>, RecordError> {
    let count = client.get_patient_record_count(patient).await?;
    let mut out = Vec::with_capacity(count as usize);
    for index in 0..count {
        if let Some(id) = client.get_patient_record_id(patient, index).await? {
            if let Some(r) = client.get_record(id).await? {
                out.push(r);
            }
        }
    }
    Ok(out)
}
