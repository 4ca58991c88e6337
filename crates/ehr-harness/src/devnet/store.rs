//! The state directory: one append-only log of the chain's inputs.
//!
//! The chain is deterministic, so its inputs are its state: the genesis, every accepted
//! transaction (raw bytes and receipt time), which transactions each block held, drops,
//! snapshots and reverts. Each record is framed as `len (u32 LE) | crc32 (u32 LE) | JSON`
//! and written by one writer thread that batches appends and `fsync`s each batch (group
//! commit) before acknowledging: a transaction is answered 200 only once it is on disk,
//! and a block is visible only once its record is. On start the log is replayed; a torn
//! or corrupt tail (a crash mid-write) is cut off, so a restart returns to the last
//! committed block with every acknowledged transaction mined or pending.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use super::config::Genesis;
use super::DevnetError;

const LOG_FILE: &str = "chain.log";
const TMP_FILE: &str = "chain.log.tmp";
const MAGIC: &[u8] = b"ehr-devnet chain log v1\n";
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

enum Request {
    Append(Vec<u8>, oneshot::Sender<Result<(), String>>),
    Replace(Vec<u8>, oneshot::Sender<Result<(), String>>),
}

/// The open log of a state directory; appends go through its writer thread.
pub(crate) struct Store {
    requests: mpsc::Sender<Request>,
}

impl Store {
    /// Opens (or creates) the state directory `dir`, returning the store and the
    /// records already in it. A torn tail is cut off.
    pub fn open(dir: &Path) -> Result<(Store, Vec<Record>), DevnetError> {
        let bad = |message: String| DevnetError::State {
            path: dir.to_path_buf(),
            message,
        };
        std::fs::create_dir_all(dir).map_err(|e| bad(format!("cannot create: {e}")))?;
        let log = dir.join(LOG_FILE);
        let records = if log.exists() {
            read_log(&log)?
        } else {
            let stray = std::fs::read_dir(dir)
                .map_err(|e| bad(format!("cannot read: {e}")))?
                .filter_map(Result::ok)
                .any(|e| e.file_name() != TMP_FILE);
            if stray {
                return Err(bad(
                    "not empty and not a devnet state directory (it has no chain.log): \
                     choose an empty or new directory"
                        .into(),
                ));
            }
            write_new(dir, &log, MAGIC)?;
            Vec::new()
        };
        let file = OpenOptions::new()
            .append(true)
            .open(&log)
            .map_err(|e| bad(format!("cannot open {LOG_FILE}: {e}")))?;
        let (requests, incoming) = mpsc::channel();
        let dir = dir.to_path_buf();
        std::thread::Builder::new()
            .name("devnet-log".into())
            .spawn(move || write_loop(dir, file, incoming))
            .map_err(|e| bad(format!("cannot start the log writer: {e}")))?;
        Ok((Store { requests }, records))
    }

    /// Queues `record` for the disk; the answer comes once it is synced.
    pub fn append(&self, record: &Record) -> Ack {
        let (done, ack) = oneshot::channel();
        let request = match frame(record) {
            Ok(bytes) => Request::Append(bytes, done),
            Err(e) => {
                let _ = done.send(Err(e));
                return ack;
            }
        };
        if let Err(mpsc::SendError(Request::Append(_, done) | Request::Replace(_, done))) =
            self.requests.send(request)
        {
            let _ = done.send(Err("the log writer has stopped".into()));
        }
        ack
    }

    /// Replaces the whole log with `records` atomically (write aside, sync, rename).
    pub fn replace(&self, records: &[Record]) -> Ack {
        let (done, ack) = oneshot::channel();
        let mut bytes = MAGIC.to_vec();
        for record in records {
            match frame(record) {
                Ok(f) => bytes.extend(f),
                Err(e) => {
                    let _ = done.send(Err(e));
                    return ack;
                }
            }
        }
        if let Err(mpsc::SendError(Request::Append(_, done) | Request::Replace(_, done))) =
            self.requests.send(Request::Replace(bytes, done))
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
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend(len.to_le_bytes());
    out.extend(crc32fast::hash(&body).to_le_bytes());
    out.extend(body);
    Ok(out)
}

/// Reads every whole, intact record; cuts the file after the last one.
fn read_log(path: &Path) -> Result<Vec<Record>, DevnetError> {
    let bad = |message: String| DevnetError::State {
        path: path.to_path_buf(),
        message,
    };
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| bad(format!("cannot read: {e}")))?;
    if !bytes.starts_with(MAGIC) {
        return Err(bad("not a devnet chain log (wrong header)".into()));
    }
    let mut records = Vec::new();
    let mut at = MAGIC.len();
    while let Some(header) = bytes.get(at..at + 8) {
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        let Some(body) = bytes.get(at + 8..at + 8 + len as usize) else {
            break;
        };
        if len > MAX_RECORD || crc32fast::hash(body) != crc {
            break;
        }
        let Ok(record) = serde_json::from_slice(body) else {
            break;
        };
        records.push(record);
        at += 8 + len as usize;
    }
    if at < bytes.len() {
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| bad(format!("cannot open to cut a torn tail: {e}")))?;
        file.set_len(at as u64)
            .and_then(|()| file.sync_all())
            .map_err(|e| bad(format!("cannot cut a torn tail: {e}")))?;
    }
    Ok(records)
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

/// The writer thread: batches what is queued, writes it, syncs once, acknowledges.
fn write_loop(dir: PathBuf, mut file: File, incoming: mpsc::Receiver<Request>) {
    let mut failed: Option<String> = None;
    while let Ok(first) = incoming.recv() {
        let mut batch = vec![first];
        batch.extend(incoming.try_iter());
        let mut pending = Vec::new();
        let mut buffer = Vec::new();
        for request in batch {
            match request {
                Request::Append(bytes, done) => {
                    buffer.extend(bytes);
                    pending.push(done);
                }
                Request::Replace(bytes, done) => {
                    sync_batch(&mut file, &mut buffer, &mut pending, &mut failed);
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
                            failed = None;
                            let _ = done.send(Ok(()));
                        }
                        Err(e) => {
                            failed = Some(e.clone());
                            let _ = done.send(Err(e));
                        }
                    }
                }
            }
        }
        sync_batch(&mut file, &mut buffer, &mut pending, &mut failed);
    }
}

fn sync_batch(
    file: &mut File,
    buffer: &mut Vec<u8>,
    pending: &mut Vec<oneshot::Sender<Result<(), String>>>,
    failed: &mut Option<String>,
) {
    if pending.is_empty() {
        return;
    }
    if failed.is_none() {
        if let Err(e) = file.write_all(buffer).and_then(|()| file.sync_data()) {
            *failed = Some(format!("writing the chain log: {e}"));
        }
    }
    for done in pending.drain(..) {
        let _ = done.send(failed.clone().map_or(Ok(()), Err));
    }
    buffer.clear();
}

/// True when `dir` holds a devnet chain log.
pub fn is_state_dir(dir: &Path) -> bool {
    let mut head = vec![0u8; MAGIC.len()];
    File::open(dir.join(LOG_FILE))
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == MAGIC)
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
    let bad = |e: std::io::Error| DevnetError::State {
        path: dir.to_path_buf(),
        message: format!("cannot delete: {e}"),
    };
    for name in [LOG_FILE, TMP_FILE] {
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
