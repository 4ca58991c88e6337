//! The state directory: one append-only log of the chain's inputs.
//!
//! The chain is deterministic, so its inputs are its state: the genesis, every accepted
//! transaction (raw bytes and receipt time), which transactions each block held, drops,
//! snapshots and reverts. Each record is framed as
//! `len (u32 LE) | crc32 of the body (u32 LE) | crc32 of those 8 bytes (u32 LE) | JSON`
//! and written by one writer thread that batches appends and `fsync`s each batch (group
//! commit) before acknowledging: a transaction is answered 200 only once it is on disk,
//! and a block is visible only once its record is.
//!
//! The chain thread never waits for the disk while it works: it queues the records of a
//! turn (the transactions it took and the block it mined from them) and hands them to
//! the writer together, so one `fsync` covers a block and its transactions. Records are
//! numbered in the order they are appended and written in that order, so a record on
//! disk means every earlier one is too; [`Durability`] says how far the log is synced,
//! and what depends on a record (an answer, a block's feeds) waits until it is.
//!
//! On start the log is replayed. Only an incomplete final record is a torn write (a
//! crash mid-append, never acknowledged): it is cut off, with a line on stderr. Any
//! other damage (a bad checksum, a record that is not one, a damaged genesis) stops the
//! node with an error naming the file and byte offset, and nothing on disk is changed;
//! [`repair_state_dir`] keeps the intact records before the damage on request.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, watch};

use super::config::Genesis;
use super::DevnetError;

const LOG_FILE: &str = "chain.log";
const TMP_FILE: &str = "chain.log.tmp";
/// Locked (an OS advisory lock) by the process using the directory; holds its pid and
/// address.
const LOCK_FILE: &str = "lock";
/// The header of a log in the current framing (12-byte frame headers).
const MAGIC: &[u8] = b"ehr-devnet chain log v2\n";
/// The header of a log in the first framing (8-byte frame headers, no header checksum):
/// still read, and rewritten in the current framing on open.
const MAGIC_V1: &[u8] = b"ehr-devnet chain log v1\n";
/// The most bytes one record may claim: a 2 MiB transaction in hex, with room to spare.
const MAX_RECORD: u32 = 8 * 1024 * 1024;

/// Why a pending transaction left the mempool without being mined (Hiro's `dropped_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DropReason {
    /// Replaced by a transaction with the same nonce and a higher fee.
    ReplaceByFee,
    /// Its nonce was used by another transaction (e.g. its sponsor's).
    StaleGarbageCollect,
    /// It does not fit in an empty block.
    TooExpensive,
    /// It cannot be mined on this chain (e.g. it deploys a contract that now exists).
    Problematic,
}

impl DropReason {
    /// The node's word for it in `/drop_mempool_tx` (stacks-core `MemPoolDropReason`).
    pub fn node_word(self) -> &'static str {
        match self {
            DropReason::ReplaceByFee => "ReplaceByFee",
            DropReason::StaleGarbageCollect => "StaleGarbageCollect",
            DropReason::TooExpensive => "TooExpensive",
            DropReason::Problematic => "Problematic",
        }
    }

    /// Hiro's `tx_status` for a transaction dropped for this reason.
    pub fn status(self) -> &'static str {
        match self {
            DropReason::ReplaceByFee => "dropped_replace_by_fee",
            DropReason::StaleGarbageCollect => "dropped_stale_garbage_collect",
            DropReason::TooExpensive => "dropped_too_expensive",
            DropReason::Problematic => "dropped_problematic",
        }
    }
}

/// One input of the chain, in the order it happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub(crate) enum Record {
    /// The chain's genesis (always the first record).
    Genesis {
        /// Accounts, balances, contracts and time.
        genesis: Genesis,
    },
    /// A transaction entered the mempool.
    Accept {
        /// The raw transaction, hex.
        tx: String,
        /// Unix time it was received.
        time: u64,
    },
    /// A block was mined holding these transactions, in order.
    Block {
        /// Txids (hex).
        txids: Vec<String>,
    },
    /// A pending transaction was dropped.
    Drop {
        /// Txid (hex).
        txid: String,
        /// Why.
        reason: DropReason,
        /// The transaction that replaced it (hex), for replace-by-fee.
        replaced_by: Option<String>,
    },
    /// A snapshot was taken.
    Snapshot {
        /// Its id.
        id: u64,
    },
    /// The chain was reverted to a snapshot.
    Revert {
        /// The snapshot's id.
        id: u64,
    },
}

/// A promise that records reached the disk (or why not).
pub(crate) type Ack = oneshot::Receiver<Result<(), String>>;

/// What runs once a record is on disk (and never if it cannot be written).
pub(crate) type AfterSync = Box<dyn FnOnce() + Send>;

/// How far the log is on disk, as the writer publishes it after each `fsync`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Durability {
    /// Number of the last record synced (records are numbered from 1 as appended, the
    /// first of a log being opened included; 0: none yet).
    pub synced: u64,
    /// The first record that could not be written, and why: it and every later record
    /// are lost (the writer writes nothing more until the log is replaced).
    pub failed: Option<(u64, String)>,
}

/// An appended record waiting for the writer.
struct Queued {
    seq: u64,
    record: Record,
    done: oneshot::Sender<Result<(), String>>,
    after: Option<AfterSync>,
}

enum Request {
    /// Records to write with one `fsync`, in order.
    Append(Vec<Queued>),
    /// A whole new log, and its number.
    Replace(u64, Vec<u8>, oneshot::Sender<Result<(), String>>),
}

/// The open log of a state directory; appends go through its writer thread.
pub(crate) struct Store {
    requests: mpsc::Sender<Request>,
    /// Appended records not handed to the writer yet (see [`Store::flush`]).
    queued: Vec<Queued>,
    /// Number of the last record appended.
    appended: u64,
    /// How far the writer has synced.
    durability: watch::Receiver<Durability>,
}

impl Store {
    /// Opens (or creates) the state directory `dir` for the node at `holder` (its URL),
    /// returning the store and the records already in it. The directory is locked for
    /// as long as the store's writer runs; a torn final record is cut off; any other
    /// damage is refused.
    /// The writer publishes how far the log is synced on `durability`.
    pub fn open(
        dir: &Path,
        holder: &str,
        durability: watch::Sender<Durability>,
    ) -> Result<(Store, Vec<Record>), DevnetError> {
        let bad = |message: String| DevnetError::State {
            path: dir.to_path_buf(),
            message,
        };
        std::fs::create_dir_all(dir).map_err(|e| bad(format!("cannot create: {e}")))?;
        let log = dir.join(LOG_FILE);
        if !log.exists() {
            let stray = std::fs::read_dir(dir)
                .map_err(|e| bad(format!("cannot read: {e}")))?
                .filter_map(Result::ok)
                .any(|e| e.file_name() != TMP_FILE && e.file_name() != LOCK_FILE);
            if stray {
                return Err(bad(
                    "not empty and not a devnet state directory (it has no chain.log): \
                     choose an empty or new directory"
                        .into(),
                ));
            }
        }
        let lock = lock_dir(dir, holder)?;
        let records = if log.exists() {
            open_log(dir, &log)?
        } else {
            write_new(dir, &log, MAGIC)?;
            Vec::new()
        };
        let file = OpenOptions::new()
            .append(true)
            .open(&log)
            .map_err(|e| bad(format!("cannot open {LOG_FILE}: {e}")))?;
        let (requests, incoming) = mpsc::channel();
        let dir = dir.to_path_buf();
        let synced = durability.subscribe();
        std::thread::Builder::new()
            .name("devnet-log".into())
            .spawn(move || {
                write_loop(dir, file, incoming, durability);
                // The lock goes once the last record is written.
                drop(lock);
            })
            .map_err(|e| bad(format!("cannot start the log writer: {e}")))?;
        let store = Store {
            requests,
            queued: Vec::new(),
            appended: 0,
            durability: synced,
        };
        Ok((store, records))
    }

    /// Appends `record`: it goes to the disk with the next [`Store::flush`], and the
    /// answer comes once it is synced; `after` runs then (never if it cannot be
    /// written). Returns the record's number and the answer.
    pub fn append(&mut self, record: Record, after: Option<AfterSync>) -> (u64, Ack) {
        let (done, ack) = oneshot::channel();
        self.appended += 1;
        self.queued.push(Queued {
            seq: self.appended,
            record,
            done,
            after,
        });
        (self.appended, ack)
    }

    /// Hands the records appended since the last flush to the writer, to share one
    /// `fsync`.
    pub fn flush(&mut self) {
        if self.queued.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.queued);
        if let Err(mpsc::SendError(Request::Append(batch))) =
            self.requests.send(Request::Append(batch))
        {
            for queued in batch {
                let _ = queued.done.send(Err("the log writer has stopped".into()));
            }
        }
    }

    /// Number of the last record appended.
    pub fn appended(&self) -> u64 {
        self.appended
    }

    /// How far the log is synced now.
    pub fn durability(&self) -> Durability {
        self.durability.borrow().clone()
    }

    /// Replaces the whole log with `records` atomically (write aside, sync, rename),
    /// after the records appended before it.
    pub fn replace(&mut self, records: &[Record]) -> Ack {
        self.flush();
        let (done, ack) = oneshot::channel();
        let bytes = match log_bytes(records) {
            Ok(bytes) => bytes,
            Err(e) => {
                let _ = done.send(Err(e));
                return ack;
            }
        };
        self.appended += 1;
        if let Err(mpsc::SendError(Request::Replace(_, _, done))) = self
            .requests
            .send(Request::Replace(self.appended, bytes, done))
        {
            let _ = done.send(Err("the log writer has stopped".into()));
        }
        ack
    }
}

fn frame(record: &Record) -> Result<Vec<u8>, String> {
    let body = serde_json::to_vec(record).map_err(|e| format!("encoding a record: {e}"))?;
    let len = u32::try_from(body.len())
        .ok()
        .filter(|n| *n <= MAX_RECORD)
        .ok_or_else(|| format!("a record of {} bytes is too large", body.len()))?;
    let mut out = Vec::with_capacity(body.len() + 12);
    out.extend(len.to_le_bytes());
    out.extend(crc32fast::hash(&body).to_le_bytes());
    out.extend(crc32fast::hash(&out[..8]).to_le_bytes());
    out.extend(body);
    Ok(out)
}

/// How a log frames its records (told by its header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// `len | crc(body)`: a damaged length cannot be told from a torn write.
    V1,
    /// `len | crc(body) | crc(len, crc)`: it can.
    V2,
}

impl Framing {
    fn of(bytes: &[u8]) -> Option<Framing> {
        if bytes.starts_with(MAGIC) {
            Some(Framing::V2)
        } else if bytes.starts_with(MAGIC_V1) {
            Some(Framing::V1)
        } else {
            None
        }
    }

    fn header_len(self) -> usize {
        match self {
            Framing::V1 => 8,
            Framing::V2 => 12,
        }
    }
}

/// How a log ends after its last whole, intact record.
#[derive(Debug)]
enum End {
    /// Nothing follows.
    Clean,
    /// An incomplete final record: a torn write.
    Torn,
    /// The next record (number `index`, 0 is the genesis) is damaged.
    Damaged { index: usize, problem: String },
}

/// What reading a log found.
struct Scan {
    framing: Framing,
    records: Vec<Record>,
    /// Byte offset just past the last whole, intact record.
    valid_end: usize,
    end: End,
}

/// One frame at `at`: `Ok(None)` when it is incomplete (runs past the end of `bytes`).
fn read_frame(
    bytes: &[u8],
    at: usize,
    framing: Framing,
) -> Result<Option<(Record, usize)>, String> {
    let header_len = framing.header_len();
    let Some(header) = bytes.get(at..at + header_len) else {
        return Ok(None);
    };
    let word =
        |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    if framing == Framing::V2 && crc32fast::hash(&header[..8]) != word(8) {
        return Err("its frame header fails its checksum".into());
    }
    let len = word(0);
    if len > MAX_RECORD {
        return Err(format!(
            "it claims {len} bytes, more than a record may hold ({MAX_RECORD})"
        ));
    }
    let end = at + header_len + len as usize;
    let Some(body) = bytes.get(at + header_len..end) else {
        return Ok(None);
    };
    if crc32fast::hash(body) != word(4) {
        return Err("its body fails its checksum".into());
    }
    let record =
        serde_json::from_slice(body).map_err(|e| format!("its body is not a record: {e}"))?;
    Ok(Some((record, end)))
}

/// Reads every whole, intact record of a log and says how it ends. `Err` when `bytes`
/// is not a chain log at all.
fn scan(bytes: &[u8]) -> Result<Scan, String> {
    let framing = Framing::of(bytes).ok_or_else(|| {
        "not a devnet chain log (its first bytes are not the chain log header)".to_string()
    })?;
    let mut records = Vec::new();
    let mut at = MAGIC.len();
    let end = loop {
        if at == bytes.len() {
            break End::Clean;
        }
        match read_frame(bytes, at, framing) {
            Ok(Some((record, next))) => {
                records.push(record);
                at = next;
            }
            Ok(None) => break End::Torn,
            Err(problem) => {
                break End::Damaged {
                    index: records.len(),
                    problem,
                }
            }
        }
    };
    Ok(Scan {
        framing,
        records,
        valid_end: at,
        end,
    })
}

/// How many intact records follow a damaged one at `at` (0 when its own header is
/// damaged, so nothing after it can be found reliably).
fn intact_after(bytes: &[u8], at: usize, framing: Framing) -> usize {
    let header_len = framing.header_len();
    let Some(header) = bytes.get(at..at + header_len) else {
        return 0;
    };
    if framing == Framing::V1
        || crc32fast::hash(&header[..8])
            != u32::from_le_bytes([header[8], header[9], header[10], header[11]])
    {
        return 0;
    }
    let mut next =
        at + header_len + u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let mut count = 0;
    while let Ok(Some((_, after))) = read_frame(bytes, next, framing) {
        count += 1;
        next = after;
    }
    count
}

/// Re-frames `records` as a current log.
fn log_bytes(records: &[Record]) -> Result<Vec<u8>, String> {
    let mut bytes = MAGIC.to_vec();
    for record in records {
        bytes.extend(frame(record)?);
    }
    Ok(bytes)
}

/// Reads the log for a start: cuts a torn final record (saying so), rewrites a v1 log in
/// the current framing, and refuses any other damage without touching the file.
fn open_log(dir: &Path, log: &Path) -> Result<Vec<Record>, DevnetError> {
    let bytes = std::fs::read(log).map_err(|e| DevnetError::State {
        path: log.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    let scan = scan(&bytes).map_err(|message| DevnetError::DamagedLog {
        path: log.to_path_buf(),
        message: format!(
            "{message}. Nothing was changed. If this directory is not a devnet's state, pass \
             another --state; otherwise run `ehr devnet reset --state {}` to start a new chain",
            dir.display()
        ),
    })?;
    match &scan.end {
        End::Clean => {}
        End::Torn => eprintln!(
            "devnet: {}: cut an incomplete final record at byte {} ({} bytes): a write \
             interrupted by a crash, never acknowledged",
            log.display(),
            scan.valid_end,
            bytes.len() - scan.valid_end
        ),
        End::Damaged { index, problem } => {
            return Err(damaged(dir, log, &bytes, &scan, *index, problem));
        }
    }
    if scan.framing == Framing::V1 {
        let rewritten = log_bytes(&scan.records).map_err(|message| DevnetError::State {
            path: log.to_path_buf(),
            message,
        })?;
        write_new(dir, log, &rewritten)?;
        eprintln!(
            "devnet: {}: rewrote the log in the current framing (v2)",
            log.display()
        );
    } else if scan.valid_end < bytes.len() {
        let file = OpenOptions::new()
            .write(true)
            .open(log)
            .and_then(|file| {
                file.set_len(scan.valid_end as u64)?;
                file.sync_all()
            })
            .map_err(|e| DevnetError::State {
                path: log.to_path_buf(),
                message: format!("cannot cut the torn final record: {e}"),
            });
        file?;
    }
    Ok(scan.records)
}

/// The refusal of a damaged log: where, what, and what to do.
fn damaged(
    dir: &Path,
    log: &Path,
    bytes: &[u8],
    scan: &Scan,
    index: usize,
    problem: &str,
) -> DevnetError {
    let at = scan.valid_end;
    let what = if index == 0 {
        "the genesis record (the log's first)".to_string()
    } else {
        format!("record {index}")
    };
    let todo = if index == 0 {
        format!(
            "Nothing before it can be kept: run `ehr devnet reset --state {}` to start a new chain \
             (keep a copy of the directory first if you need it)",
            dir.display()
        )
    } else {
        format!(
            "Keep a copy of the directory, then run `ehr devnet repair --state {}` to keep \
             the {index} intact records before it (the log is backed up first), or \
             `ehr devnet reset --state {}` to start a new chain",
            dir.display(),
            dir.display()
        )
    };
    DevnetError::DamagedLog {
        path: log.to_path_buf(),
        message: format!(
            "{what} at byte {at} is damaged ({problem}) and {} bytes follow it; this is not \
             a torn write, so the node does not start and has changed nothing. {todo}",
            bytes.len() - at
        ),
    }
}

/// What [`repair_state_dir`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// Records kept (the genesis and those after it up to the damage).
    pub kept_records: usize,
    /// Size of the repaired log.
    pub kept_bytes: u64,
    /// The damaged record and the intact records found after it (none when nothing was
    /// wrong).
    pub dropped_records: usize,
    /// Bytes of the original log that were not kept.
    pub dropped_bytes: u64,
    /// Where the original log was copied first (`None` when nothing was wrong).
    pub backup: Option<PathBuf>,
}

/// `ehr devnet repair`: keeps the intact records of a damaged log, dropping the damaged
/// record and everything after it, after copying the original beside it
/// (`chain.log.damaged-<unix time>`). Refuses when the genesis itself is damaged
/// (nothing to keep), when `dir` is not a state directory and while a node uses it; a
/// clean log is left as it is.
pub fn repair_state_dir(dir: &Path) -> Result<Repair, DevnetError> {
    let log = dir.join(LOG_FILE);
    let state = |message: String| DevnetError::State {
        path: dir.to_path_buf(),
        message,
    };
    if !is_state_dir(dir) {
        return Err(state(format!(
            "no devnet {LOG_FILE} here (is this a devnet state directory?): nothing changed"
        )));
    }
    let _lock = lock_dir(dir, "ehr devnet repair")?;
    let bytes = std::fs::read(&log).map_err(|e| state(format!("cannot read {LOG_FILE}: {e}")))?;
    let scan = scan(&bytes).map_err(|message| DevnetError::DamagedLog {
        path: log.clone(),
        message: format!("{message}: there is nothing to repair; nothing was changed"),
    })?;
    let dropped_records = match &scan.end {
        End::Clean => {
            if scan.framing == Framing::V2 {
                return Ok(Repair {
                    kept_records: scan.records.len(),
                    kept_bytes: bytes.len() as u64,
                    dropped_records: 0,
                    dropped_bytes: 0,
                    backup: None,
                });
            }
            0
        }
        End::Torn => 1,
        End::Damaged { index: 0, problem } => {
            return Err(DevnetError::DamagedLog {
                path: log.clone(),
                message: format!(
                    "the genesis record at byte {} is damaged ({problem}): there is nothing to \
                     keep. Nothing was changed; run `ehr devnet reset --state {}` to start a new chain",
                    scan.valid_end,
                    dir.display()
                ),
            })
        }
        End::Damaged { .. } => 1 + intact_after(&bytes, scan.valid_end, scan.framing),
    };
    let backup = backup_path(dir);
    File::open(&log)
        .and_then(|_| std::fs::copy(&log, &backup))
        .and_then(|_| File::open(&backup)?.sync_all())
        .map_err(|e| {
            state(format!(
                "cannot back up {LOG_FILE} to {}: {e}",
                backup.display()
            ))
        })?;
    let kept = log_bytes(&scan.records).map_err(state)?;
    write_new(dir, &log, &kept)?;
    Ok(Repair {
        kept_records: scan.records.len(),
        kept_bytes: kept.len() as u64,
        dropped_records,
        dropped_bytes: (bytes.len() - scan.valid_end) as u64,
        backup: Some(backup),
    })
}

/// A backup name beside the log that does not exist yet.
fn backup_path(dir: &Path) -> PathBuf {
    let time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut path = dir.join(format!("{LOG_FILE}.damaged-{time}"));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{LOG_FILE}.damaged-{time}-{n}"));
        n += 1;
    }
    path
}

/// Takes the directory's lock and writes who holds it (`pid N at HOLDER`). The lock is
/// the OS's (released when the process ends, however it ends), so a lock file left by a
/// killed node does not lock anything.
fn lock_dir(dir: &Path, holder: &str) -> Result<File, DevnetError> {
    let bad = |message: String| DevnetError::State {
        path: dir.to_path_buf(),
        message,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(LOCK_FILE))
        .map_err(|e| bad(format!("cannot open its {LOCK_FILE} file: {e}")))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut who = String::new();
            let _ = file.read_to_string(&mut who);
            let who = match who.trim() {
                "" => "a process that has not said who it is yet".to_string(),
                who => who.to_string(),
            };
            return Err(bad(format!(
                "in use by another devnet ({who}): stop it first, or pass another --state"
            )));
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(bad(format!("cannot lock its {LOCK_FILE} file: {e}")))
        }
    }
    file.set_len(0)
        .and_then(|()| {
            file.write_all(format!("pid {} at {holder}\n", std::process::id()).as_bytes())
        })
        .and_then(|()| file.sync_all())
        .map_err(|e| bad(format!("cannot write its {LOCK_FILE} file: {e}")))?;
    Ok(file)
}

/// Writes `bytes` as the log atomically: to a side file, synced, renamed over the log,
/// and the directory synced.
fn write_new(dir: &Path, log: &Path, bytes: &[u8]) -> Result<(), DevnetError> {
    let bad = |message: String| DevnetError::State {
        path: dir.to_path_buf(),
        message,
    };
    let tmp = dir.join(TMP_FILE);
    let mut file = File::create(&tmp).map_err(|e| bad(format!("cannot create {TMP_FILE}: {e}")))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, log))
        .and_then(|()| File::open(dir)?.sync_all())
        .map_err(|e| bad(format!("cannot write {LOG_FILE}: {e}")))
}

/// The writer thread: takes what is queued, writes it, syncs once, publishes how far
/// the log is synced, acknowledges, then runs what waited for those records.
fn write_loop(
    dir: PathBuf,
    mut file: File,
    incoming: mpsc::Receiver<Request>,
    durability: watch::Sender<Durability>,
) {
    let mut batch = Batch::default();
    while let Ok(first) = incoming.recv() {
        for request in std::iter::once(first).chain(incoming.try_iter()) {
            match request {
                Request::Append(queued) => {
                    for q in queued {
                        match frame(&q.record) {
                            Ok(bytes) => batch.bytes.extend(bytes),
                            Err(e) => {
                                // Nothing is written for it, so nothing after it may be.
                                batch.problem.get_or_insert(e);
                            }
                        }
                        batch.first.get_or_insert(q.seq);
                        batch.last = q.seq;
                        batch.done.push(q.done);
                        batch.after.extend(q.after);
                    }
                }
                Request::Replace(seq, bytes, done) => {
                    batch.sync(&mut file, &durability);
                    let log = dir.join(LOG_FILE);
                    let replaced = write_new(&dir, &log, &bytes)
                        .map_err(|e| e.to_string())
                        .and_then(|()| {
                            OpenOptions::new()
                                .append(true)
                                .open(&log)
                                .map_err(|e| format!("reopening {LOG_FILE}: {e}"))
                        });
                    match replaced {
                        Ok(reopened) => {
                            file = reopened;
                            durability.send_modify(|d| {
                                d.synced = seq;
                                d.failed = None;
                            });
                            let _ = done.send(Ok(()));
                        }
                        Err(e) => {
                            durability.send_modify(|d| {
                                d.failed.get_or_insert((seq, e.clone()));
                            });
                            let _ = done.send(Err(e));
                        }
                    }
                }
            }
        }
        batch.sync(&mut file, &durability);
    }
}

/// Records taken by the writer and not synced yet.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    /// Numbers of the first and last record in it.
    first: Option<u64>,
    last: u64,
    /// A record that could not be framed: the batch is not written.
    problem: Option<String>,
    done: Vec<oneshot::Sender<Result<(), String>>>,
    after: Vec<AfterSync>,
}

impl Batch {
    /// Writes and syncs the batch, publishes the outcome, answers every record in it,
    /// and runs what waited for them when they are on disk. After a failure nothing
    /// more is written (a record after a gap would make the log lie), and the failed
    /// batch's bytes are cut off again when possible, so the log ends at its last
    /// acknowledged record.
    fn sync(&mut self, file: &mut File, durability: &watch::Sender<Durability>) {
        let Some(first) = self.first.take() else {
            return;
        };
        let mut failed = durability
            .borrow()
            .failed
            .as_ref()
            .map(|(_, why)| why.clone());
        if failed.is_none() {
            failed = self.problem.take();
        }
        if failed.is_none() {
            let synced = file.metadata().map(|m| m.len());
            if let Err(e) = file.write_all(&self.bytes).and_then(|()| file.sync_data()) {
                failed = Some(format!("writing the chain log: {e}"));
                if let Ok(len) = synced {
                    let _ = file.set_len(len).and_then(|()| file.sync_all());
                }
            }
        }
        // Published before the answers: whoever hears of a failure finds it here.
        let last = self.last;
        durability.send_modify(|d| match &failed {
            None => d.synced = last,
            Some(why) => {
                d.failed.get_or_insert((first, why.clone()));
            }
        });
        for done in self.done.drain(..) {
            let _ = done.send(failed.clone().map_or(Ok(()), Err));
        }
        let after = std::mem::take(&mut self.after);
        if failed.is_none() {
            for run in after {
                run();
            }
        }
        self.bytes.clear();
        self.problem = None;
    }
}

/// True when `dir` holds a devnet chain log.
pub fn is_state_dir(dir: &Path) -> bool {
    let mut head = vec![0u8; MAGIC.len()];
    File::open(dir.join(LOG_FILE))
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| Framing::of(&head).is_some())
}

/// Deletes a devnet state directory (`ehr devnet reset`). Refuses a directory that does
/// not hold a devnet chain log, so a mistyped path cannot wipe anything else.
pub fn reset_state_dir(dir: &Path) -> Result<(), DevnetError> {
    if !is_state_dir(dir) {
        return Err(DevnetError::State {
            path: dir.to_path_buf(),
            message: "not a devnet state directory (no chain.log written by `ehr devnet start --state`): nothing deleted".into(),
        });
    }
    let _lock = lock_dir(dir, "ehr devnet reset")?;
    let bad = |e: std::io::Error| DevnetError::State {
        path: dir.to_path_buf(),
        message: format!("cannot delete: {e}"),
    };
    for name in [LOG_FILE, TMP_FILE, LOCK_FILE] {
        match std::fs::remove_file(dir.join(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(bad(e)),
        }
    }
    let empty = std::fs::read_dir(dir).map_err(bad)?.next().is_none();
    if empty {
        std::fs::remove_dir(dir).map_err(bad)?;
    }
    Ok(())
}
