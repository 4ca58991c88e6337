//! The transactions the index has seen, in SQLite: pending ones from `/new_mempool_tx`,
//! mined ones with their result from `/new_block`, dropped ones from `/drop_mempool_tx`.
//!
//! A transaction's row is keyed by its txid and only moves forward: pending, then mined or
//! dropped. A block that mines it again (a reorganisation) records the new block.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (disk, a locked or damaged database file).
    #[error("index database: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Where a transaction stands, as the index saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxState {
    /// Accepted into the node's mempool.
    Pending,
    /// In a block, with the node's status (`success`, `abort_by_response`,
    /// `abort_by_post_condition`, `problematic_skipped`) and result.
    Mined {
        /// The node's status word.
        status: String,
        /// The result, hex of the consensus-serialised Clarity value (`0x...`).
        result_hex: String,
        /// The block's Stacks height.
        block_height: u64,
        /// The block's index hash (`0x...`).
        index_block_hash: String,
        /// Its place in the block.
        tx_index: u32,
        /// The VM's error text, when the node gave one.
        vm_error: Option<String>,
    },
    /// Left the mempool unmined, for the node's reason (`ReplaceByFee`,
    /// `ReplaceAcrossFork`, `TooExpensive`, `StaleGarbageCollect`, `Problematic`).
    Dropped {
        /// The node's reason word.
        reason: String,
        /// The transaction that replaced it, for a replacement (`0x...`).
        replaced_by: Option<String>,
    },
}

/// One transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxRow {
    /// `0x` and 64 lowercase hex digits.
    pub txid: String,
    /// The origin's address.
    pub sender: String,
    /// The origin's nonce.
    pub nonce: u64,
    /// The fee, in micro-STX.
    pub fee: u64,
    /// Where it stands.
    pub state: TxState,
}

/// The SQLite store. One connection behind a mutex: writes come from one node, reads are
/// point lookups.
#[derive(Debug)]
pub struct TxStore {
    db: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS txs (
    txid TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    nonce INTEGER NOT NULL,
    fee INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'mined', 'dropped')),
    status TEXT,
    result_hex TEXT,
    block_height INTEGER,
    index_block_hash TEXT,
    tx_index INTEGER,
    vm_error TEXT,
    drop_reason TEXT,
    replaced_by TEXT
);
CREATE INDEX IF NOT EXISTS txs_pending ON txs (sender, nonce) WHERE state = 'pending';
CREATE TABLE IF NOT EXISTS tip (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    block_height INTEGER NOT NULL,
    index_block_hash TEXT NOT NULL
);
";

/// A transaction as the node announces it: what every state records.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `0x` txid.
    pub txid: String,
    /// The origin's address.
    pub sender: String,
    /// The origin's nonce.
    pub nonce: u64,
    /// The fee.
    pub fee: u64,
}

/// A transaction of a block.
#[derive(Debug, Clone)]
pub struct MinedTx {
    /// What it is.
    pub seen: Seen,
    /// The node's status word.
    pub status: String,
    /// `0x` hex of the result.
    pub result_hex: String,
    /// Its place in the block.
    pub tx_index: u32,
    /// The VM's error text.
    pub vm_error: Option<String>,
}

impl TxStore {
    /// Opens (creating) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::with(Connection::open(path)?)
    }

    /// A store in memory, gone when dropped.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::with(Connection::open_in_memory()?)
    }

    fn with(db: Connection) -> Result<Self, StoreError> {
        db.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
        db.execute_batch(SCHEMA)?;
        Ok(TxStore { db: Mutex::new(db) })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (each write is one
        // transaction), so the connection stays usable.
        self.db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records transactions accepted into the mempool; one already mined or dropped stays
    /// so.
    pub fn pending(&self, txs: &[Seen]) -> Result<(), StoreError> {
        let mut db = self.db();
        let batch = db.transaction()?;
        for tx in txs {
            batch.execute(
                "INSERT INTO txs (txid, sender, nonce, fee, state) VALUES (?1, ?2, ?3, ?4, 'pending')
                 ON CONFLICT (txid) DO NOTHING",
                params![tx.txid, tx.sender, tx.nonce as i64, tx.fee as i64],
            )?;
        }
        batch.commit()?;
        Ok(())
    }

    /// Records a block: each transaction mined with its result, and the new tip.
    pub fn block(
        &self,
        block_height: u64,
        index_block_hash: &str,
        txs: &[MinedTx],
    ) -> Result<(), StoreError> {
        let mut db = self.db();
        let batch = db.transaction()?;
        for tx in txs {
            batch.execute(
                "INSERT INTO txs (txid, sender, nonce, fee, state, status, result_hex,
                                  block_height, index_block_hash, tx_index, vm_error)
                 VALUES (?1, ?2, ?3, ?4, 'mined', ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (txid) DO UPDATE SET state = 'mined', status = ?5,
                     result_hex = ?6, block_height = ?7, index_block_hash = ?8,
                     tx_index = ?9, vm_error = ?10, drop_reason = NULL, replaced_by = NULL",
                params![
                    tx.seen.txid,
                    tx.seen.sender,
                    tx.seen.nonce as i64,
                    tx.seen.fee as i64,
                    tx.status,
                    tx.result_hex,
                    block_height as i64,
                    index_block_hash,
                    tx.tx_index,
                    tx.vm_error,
                ],
            )?;
        }
        batch.execute(
            "INSERT INTO tip (id, block_height, index_block_hash) VALUES (0, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET block_height = ?1, index_block_hash = ?2",
            params![block_height as i64, index_block_hash],
        )?;
        batch.commit()?;
        Ok(())
    }

    /// Records transactions the node dropped from its mempool; a mined one stays mined.
    pub fn dropped(
        &self,
        txids: &[String],
        reason: &str,
        replaced_by: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut db = self.db();
        let batch = db.transaction()?;
        for txid in txids {
            batch.execute(
                "UPDATE txs SET state = 'dropped', drop_reason = ?2, replaced_by = ?3
                 WHERE txid = ?1 AND state = 'pending'",
                params![txid, reason, replaced_by],
            )?;
        }
        batch.commit()?;
        Ok(())
    }

    /// The transaction `txid` (`0x` form), if seen.
    pub fn tx(&self, txid: &str) -> Result<Option<TxRow>, StoreError> {
        let db = self.db();
        let row = db
            .query_row(
                "SELECT txid, sender, nonce, fee, state, status, result_hex, block_height,
                        index_block_hash, tx_index, vm_error, drop_reason, replaced_by
                 FROM txs WHERE txid = ?1",
                params![txid],
                |r| {
                    let state: String = r.get(4)?;
                    let state = match state.as_str() {
                        "mined" => TxState::Mined {
                            status: r.get(5)?,
                            result_hex: r.get(6)?,
                            block_height: r.get::<_, i64>(7)? as u64,
                            index_block_hash: r.get(8)?,
                            tx_index: r.get(9)?,
                            vm_error: r.get(10)?,
                        },
                        "dropped" => TxState::Dropped {
                            reason: r.get(11)?,
                            replaced_by: r.get(12)?,
                        },
                        _ => TxState::Pending,
                    };
                    Ok(TxRow {
                        txid: r.get(0)?,
                        sender: r.get(1)?,
                        nonce: r.get::<_, i64>(2)? as u64,
                        fee: r.get::<_, i64>(3)? as u64,
                        state,
                    })
                },
            )
            .optional()?;
        Ok(row)
    }

    /// The nonces of `sender`'s pending transactions, ascending.
    pub fn pending_nonces(&self, sender: &str) -> Result<Vec<u64>, StoreError> {
        let db = self.db();
        let mut query = db.prepare(
            "SELECT nonce FROM txs WHERE sender = ?1 AND state = 'pending' ORDER BY nonce",
        )?;
        let nonces = query
            .query_map(params![sender], |r| r.get::<_, i64>(0))?
            .map(|n| n.map(|n| n as u64))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(nonces)
    }

    /// The latest block recorded: its height and index hash.
    pub fn tip(&self) -> Result<Option<(u64, String)>, StoreError> {
        let db = self.db();
        Ok(db
            .query_row(
                "SELECT block_height, index_block_hash FROM tip WHERE id = 0",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()?)
    }
}
