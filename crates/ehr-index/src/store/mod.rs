//! The transactions the index has seen, in SQLite: pending ones from `/new_mempool_tx`,
//! dropped ones from `/drop_mempool_tx`, and every block from `/new_block` with the
//! results of its transactions.
//!
//! Blocks are kept with their parent, and each is canonical or not: a block whose parent is
//! not the tip (a fork) makes its ancestors canonical and every other block at their
//! heights orphaned, in one SQLite transaction. A transaction is mined when a canonical
//! block holds it, so a reorganisation demotes the transactions of orphaned blocks (back to
//! pending, as the node returns them to its mempool) and restores them if their fork comes
//! back. The mempool view (`txs`) is separate: a transaction dropped and admitted again is
//! pending again. The tip only moves with the canonical chain. The schema is versioned
//! (`PRAGMA user_version`) and migrated on open.
//!
//! The EHR part ([`ehr`]): notifications and access-token movements from the blocks'
//! events (fork-aware like transactions), and the audit log's entries, read from the node
//! by the audit follower; webhook subscriptions and their deliveries ([`webhooks`]).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (disk, a locked or damaged database file).
    #[error("index database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database file could not be created or made private.
    #[error("index database {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The database was written by a newer `ehr index`.
    #[error("the index database has schema version {0}, newer than this ehr index knows ({SCHEMA_VERSION}); use a newer ehr, or another --db")]
    NewerSchema(i64),
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
pub struct Store {
    db: Mutex<Connection>,
    /// Forks seen since the store was opened: the audit follower stores what it read
    /// only if no fork came in between (see [`Store::add_audit_if`]).
    forks: std::sync::atomic::AtomicU64,
}

mod ehr;
mod webhooks;

pub use ehr::{AuditQuery, EhrEvent, NotificationRow, TokenChange, TokenRow};
pub use webhooks::{unix_now, Delivery, DeliveryState, Webhook};

/// The schema's version (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 4;

/// Version 4: each block's burn block time, as the node's `/new_block` gives it (`NULL` for
/// blocks indexed before).
const SCHEMA_V4: &str = "ALTER TABLE blocks ADD COLUMN burn_block_time INTEGER;";

/// Version 2: the mempool view, blocks with their parents, and results per block.
const SCHEMA_V2: &str = "
CREATE TABLE IF NOT EXISTS txs (
    txid TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    nonce INTEGER NOT NULL,
    fee INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'dropped')),
    drop_reason TEXT,
    replaced_by TEXT
);
CREATE INDEX IF NOT EXISTS txs_sender ON txs (sender, nonce);
CREATE TABLE IF NOT EXISTS blocks (
    index_block_hash TEXT PRIMARY KEY,
    parent_index_block_hash TEXT NOT NULL,
    block_height INTEGER NOT NULL,
    canonical INTEGER NOT NULL CHECK (canonical IN (0, 1))
);
CREATE INDEX IF NOT EXISTS blocks_height ON blocks (block_height, canonical);
CREATE TABLE IF NOT EXISTS block_txs (
    index_block_hash TEXT NOT NULL REFERENCES blocks (index_block_hash),
    txid TEXT NOT NULL,
    status TEXT NOT NULL,
    result_hex TEXT NOT NULL,
    tx_index INTEGER NOT NULL,
    vm_error TEXT,
    PRIMARY KEY (index_block_hash, txid)
);
CREATE INDEX IF NOT EXISTS block_txs_txid ON block_txs (txid);
";

/// From version 1 (one row per transaction, mined in place, a one-row tip): every mined
/// transaction's block becomes a canonical block (its parent unknown), its result a
/// `block_txs` row, and the row itself the mempool view of a transaction no longer pending.
const MIGRATE_V1: &str = "
ALTER TABLE txs RENAME TO txs_v1;
DROP INDEX IF EXISTS txs_pending;
DROP TABLE IF EXISTS tip;
";
const MIGRATE_V1_COPY: &str = "
INSERT OR IGNORE INTO blocks (index_block_hash, parent_index_block_hash, block_height, canonical)
    SELECT DISTINCT index_block_hash, '', block_height, 1 FROM txs_v1 WHERE state = 'mined';
INSERT OR IGNORE INTO block_txs (index_block_hash, txid, status, result_hex, tx_index, vm_error)
    SELECT index_block_hash, txid, status, result_hex, tx_index, vm_error FROM txs_v1
    WHERE state = 'mined';
INSERT INTO txs (txid, sender, nonce, fee, state, drop_reason, replaced_by)
    SELECT txid, sender, nonce, fee, CASE state WHEN 'dropped' THEN 'dropped' ELSE 'pending' END,
           drop_reason, replaced_by FROM txs_v1;
DROP TABLE txs_v1;
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

/// What [`Store::block`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The block was stored; `orphaned_from` is the lowest height of the blocks it
    /// orphaned (a fork), if any.
    Stored {
        /// The lowest orphaned height.
        orphaned_from: Option<u64>,
    },
    /// The block was already there (a retried delivery): nothing changed.
    AlreadyKnown,
}

/// A block as the node announces it.
#[derive(Debug, Clone)]
pub struct BlockSeen {
    /// Its Stacks height.
    pub block_height: u64,
    /// `0x` and 64 lowercase hex digits.
    pub index_block_hash: String,
    /// Its parent's, in the same form.
    pub parent_index_block_hash: String,
    /// The Unix time of its burn block, when the node gave it.
    pub burn_block_time: Option<u64>,
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

impl Store {
    /// Opens (creating) the database at `path`, readable by its owner only (it holds
    /// the webhooks' secrets; SQLite gives its journal files the same mode).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        let private = |e: std::io::Error| StoreError::File {
            path: path.display().to_string(),
            source: e,
        };
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(private)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(private)?;
        Self::with(Connection::open(path)?)
    }

    /// A store in memory, gone when dropped.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::with(Connection::open_in_memory()?)
    }

    fn with(mut db: Connection) -> Result<Self, StoreError> {
        db.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
        let migrate = db.transaction()?;
        let version: i64 = migrate.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let has_v1 = version == 0
            && migrate
                .query_row(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tip'",
                    [],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema(version));
        }
        if version < 2 {
            if has_v1 || version == 1 {
                migrate.execute_batch(MIGRATE_V1)?;
                migrate.execute_batch(SCHEMA_V2)?;
                migrate.execute_batch(MIGRATE_V1_COPY)?;
            } else {
                migrate.execute_batch(SCHEMA_V2)?;
            }
        }
        if version < 3 {
            migrate.execute_batch(ehr::SCHEMA_V3)?;
            migrate.execute_batch(webhooks::SCHEMA_V3)?;
        }
        if version < 4 {
            migrate.execute_batch(SCHEMA_V4)?;
        }
        migrate.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        migrate.commit()?;
        Ok(Store {
            db: Mutex::new(db),
            forks: std::sync::atomic::AtomicU64::new(0),
        })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (each write is one
        // transaction), so the connection stays usable.
        self.db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records transactions accepted into the mempool; one dropped before and admitted
    /// again is pending again (one mined stays mined: that is read from its block).
    pub fn pending(&self, txs: &[Seen]) -> Result<(), StoreError> {
        let mut db = self.db();
        let batch = db.transaction()?;
        for tx in txs {
            batch.execute(
                "INSERT INTO txs (txid, sender, nonce, fee, state) VALUES (?1, ?2, ?3, ?4, 'pending')
                 ON CONFLICT (txid) DO UPDATE SET state = 'pending', drop_reason = NULL,
                     replaced_by = NULL",
                params![tx.txid, tx.sender, tx.nonce as i64, tx.fee as i64],
            )?;
        }
        batch.commit()?;
        Ok(())
    }

    /// Records a block, the results of its transactions and its EHR events (queueing a
    /// webhook delivery for each notification), all in one SQLite transaction: a crash
    /// leaves the block wholly there or wholly absent, and the node's retry stores it. A
    /// block whose parent is not the tip is a fork: its known ancestors become canonical
    /// and every other block at their heights (and above the new block) is orphaned, with
    /// the audit entries written at or above the lowest orphaned height (the audit
    /// follower reads them again). A block seen again changes nothing.
    pub fn block(
        &self,
        block: &BlockSeen,
        txs: &[MinedTx],
        events: &[EhrEvent],
    ) -> Result<Applied, StoreError> {
        let mut db = self.db();
        let batch = db.transaction()?;
        let known = batch
            .query_row(
                "SELECT 1 FROM blocks WHERE index_block_hash = ?1",
                params![block.index_block_hash],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if known {
            return Ok(Applied::AlreadyKnown);
        }
        let mut orphaned_from: Option<u64> = batch
            .query_row(
                "SELECT MIN(block_height) FROM blocks WHERE canonical = 1 AND block_height >= ?1",
                params![block.block_height as i64],
                |r| r.get::<_, Option<i64>>(0),
            )?
            .map(|h| h as u64);
        // The new block and everything above it: only its own branch stays canonical.
        batch.execute(
            "UPDATE blocks SET canonical = 0 WHERE canonical = 1 AND block_height >= ?1",
            params![block.block_height as i64],
        )?;
        batch.execute(
            "INSERT INTO blocks (index_block_hash, parent_index_block_hash, block_height, canonical,
                                 burn_block_time)
             VALUES (?1, ?2, ?3, 1, ?4)",
            params![
                block.index_block_hash,
                block.parent_index_block_hash,
                block.block_height as i64,
                block.burn_block_time.map(|t| t as i64)
            ],
        )?;
        // Walk back through known ancestors that were orphaned: each becomes canonical,
        // and the block that held its height is orphaned.
        let mut parent = block.parent_index_block_hash.clone();
        loop {
            let ancestor: Option<(i64, bool, String)> = batch
                .query_row(
                    "SELECT block_height, canonical, parent_index_block_hash FROM blocks
                     WHERE index_block_hash = ?1",
                    params![parent],
                    |r| Ok((r.get(0)?, r.get::<_, i64>(1)? == 1, r.get(2)?)),
                )
                .optional()?;
            let Some((height, canonical, grandparent)) = ancestor else {
                break;
            };
            if canonical {
                break;
            }
            let orphaned = batch.execute(
                "UPDATE blocks SET canonical = 0 WHERE canonical = 1 AND block_height = ?1",
                params![height],
            )?;
            if orphaned > 0 {
                let height = height as u64;
                orphaned_from = Some(orphaned_from.map_or(height, |h| h.min(height)));
            }
            batch.execute(
                "UPDATE blocks SET canonical = 1 WHERE index_block_hash = ?1",
                params![parent],
            )?;
            // Its notifications are on the chain again: deliver them after all.
            batch.execute(
                "UPDATE deliveries SET state = 'pending' WHERE state = 'orphaned'
                 AND index_block_hash = ?1",
                params![parent],
            )?;
            parent = grandparent;
        }
        for tx in txs {
            batch.execute(
                "INSERT INTO txs (txid, sender, nonce, fee, state) VALUES (?1, ?2, ?3, ?4, 'pending')
                 ON CONFLICT (txid) DO NOTHING",
                params![
                    tx.seen.txid,
                    tx.seen.sender,
                    tx.seen.nonce as i64,
                    tx.seen.fee as i64
                ],
            )?;
            batch.execute(
                "INSERT INTO block_txs (index_block_hash, txid, status, result_hex, tx_index, vm_error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                params![
                    block.index_block_hash,
                    tx.seen.txid,
                    tx.status,
                    tx.result_hex,
                    tx.tx_index,
                    tx.vm_error,
                ],
            )?;
        }
        ehr::record_events(&batch, block, events)?;
        batch.commit()?;
        if orphaned_from.is_some() {
            // The audit entries held last may be the losing branch's: the follower checks
            // its tail against the chain before it reads on (audit entries carry the
            // contract's `block-height`, which is not the Stacks height after epoch 3, so
            // they are not dropped by height here).
            self.forks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(Applied::Stored { orphaned_from })
    }

    /// Records transactions the node dropped from its mempool (one a canonical block holds
    /// still reads as mined).
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
                 WHERE txid = ?1",
                params![txid, reason, replaced_by],
            )?;
        }
        batch.commit()?;
        Ok(())
    }

    /// The transaction `txid` (`0x` form), if seen: mined if a canonical block holds it,
    /// else as the mempool last said.
    pub fn tx(&self, txid: &str) -> Result<Option<TxRow>, StoreError> {
        let db = self.db();
        let row = db
            .query_row(
                "SELECT t.txid, t.sender, t.nonce, t.fee, t.state, t.drop_reason, t.replaced_by,
                        m.status, m.result_hex, b.block_height, b.index_block_hash, m.tx_index,
                        m.vm_error
                 FROM txs t
                 LEFT JOIN block_txs m ON m.txid = t.txid
                     AND m.index_block_hash IN (SELECT index_block_hash FROM blocks WHERE canonical = 1)
                 LEFT JOIN blocks b ON b.index_block_hash = m.index_block_hash
                 WHERE t.txid = ?1",
                params![txid],
                |r| {
                    let state = match r.get::<_, Option<String>>(7)? {
                        Some(status) => TxState::Mined {
                            status,
                            result_hex: r.get(8)?,
                            block_height: r.get::<_, i64>(9)? as u64,
                            index_block_hash: r.get(10)?,
                            tx_index: r.get(11)?,
                            vm_error: r.get(12)?,
                        },
                        None if r.get::<_, String>(4)? == "dropped" => TxState::Dropped {
                            reason: r.get(5)?,
                            replaced_by: r.get(6)?,
                        },
                        None => TxState::Pending,
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
            "SELECT nonce FROM txs t WHERE sender = ?1 AND state = 'pending'
             AND NOT EXISTS (SELECT 1 FROM block_txs m JOIN blocks b USING (index_block_hash)
                             WHERE m.txid = t.txid AND b.canonical = 1)
             ORDER BY nonce",
        )?;
        let nonces = query
            .query_map(params![sender], |r| r.get::<_, i64>(0))?
            .map(|n| n.map(|n| n as u64))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(nonces)
    }

    /// Canonical blocks whose parent the index never received (other than the first
    /// block it has): where blocks are missing, as (height, parent hash).
    pub fn gaps(&self) -> Result<Vec<(u64, String)>, StoreError> {
        let db = self.db();
        let mut query = db.prepare_cached(
            "SELECT b.block_height, b.parent_index_block_hash FROM blocks b
             WHERE b.canonical = 1
               AND b.block_height > (SELECT MIN(block_height) FROM blocks)
               AND NOT EXISTS (SELECT 1 FROM blocks p
                               WHERE p.index_block_hash = b.parent_index_block_hash)
             ORDER BY b.block_height",
        )?;
        let rows = query
            .query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The canonical block at `height`: its index hash and burn block time (`None` when
    /// the node did not give one).
    pub fn canonical_block(
        &self,
        height: u64,
    ) -> Result<Option<(String, Option<u64>)>, StoreError> {
        let db = self.db();
        Ok(db
            .query_row(
                "SELECT index_block_hash, burn_block_time FROM blocks
                 WHERE block_height = ?1 AND canonical = 1",
                params![height as i64],
                |r| Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.map(|t| t as u64))),
            )
            .optional()?)
    }

    /// The canonical chain's tip: its height and index hash.
    pub fn tip(&self) -> Result<Option<(u64, String)>, StoreError> {
        let db = self.db();
        Ok(db
            .query_row(
                "SELECT block_height, index_block_hash FROM blocks WHERE canonical = 1
                 ORDER BY block_height DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(n: u8) -> String {
        format!("0x{}", hex::encode([n; 32]))
    }

    fn block(height: u64, id: u8, parent: u8) -> BlockSeen {
        BlockSeen {
            block_height: height,
            index_block_hash: hash(id),
            parent_index_block_hash: hash(parent),
            burn_block_time: Some(1_700_000_000 + height * 600 + u64::from(id)),
        }
    }

    fn seen(n: u8) -> Seen {
        Seen {
            txid: hash(100 + n),
            sender: "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5".into(),
            nonce: u64::from(n),
            fee: 180,
        }
    }

    fn mined(n: u8) -> MinedTx {
        MinedTx {
            seen: seen(n),
            status: "success".into(),
            result_hex: "0x0703".into(),
            tx_index: 0,
            vm_error: None,
        }
    }

    fn state(store: &Store, n: u8) -> TxState {
        store.tx(&hash(100 + n)).unwrap().unwrap().state
    }

    fn mined_in(store: &Store, n: u8) -> Option<String> {
        match state(store, n) {
            TxState::Mined {
                index_block_hash, ..
            } => Some(index_block_hash),
            _ => None,
        }
    }

    #[test]
    fn a_fork_orphans_the_losing_blocks_and_their_transactions_and_can_come_back() {
        let store = Store::in_memory().unwrap();
        store.block(&block(1, 1, 0), &[], &[]).unwrap();
        store.block(&block(2, 2, 1), &[mined(1)], &[]).unwrap();
        store.block(&block(3, 3, 2), &[mined(2)], &[]).unwrap();
        assert_eq!(store.tip().unwrap(), Some((3, hash(3))));
        assert_eq!(mined_in(&store, 1), Some(hash(2)));

        // A block at height 2 on block 1: blocks 2 and 3 are orphaned, their
        // transactions no longer mined; the tip goes back to the new branch.
        store.block(&block(2, 12, 1), &[], &[]).unwrap();
        assert_eq!(store.tip().unwrap(), Some((2, hash(12))));
        assert_eq!(state(&store, 1), TxState::Pending);
        assert_eq!(state(&store, 2), TxState::Pending);
        assert_eq!(store.pending_nonces(&seen(1).sender).unwrap(), vec![1, 2]);

        // The new branch mines one of them again, elsewhere.
        store.block(&block(3, 13, 12), &[mined(1)], &[]).unwrap();
        assert_eq!(mined_in(&store, 1), Some(hash(13)));
        assert_eq!(state(&store, 2), TxState::Pending);

        // The old branch comes back, longer: its blocks are canonical again.
        store.block(&block(4, 4, 3), &[], &[]).unwrap();
        assert_eq!(store.tip().unwrap(), Some((4, hash(4))));
        assert_eq!(mined_in(&store, 1), Some(hash(2)));
        assert_eq!(mined_in(&store, 2), Some(hash(3)));
        assert!(store.pending_nonces(&seen(1).sender).unwrap().is_empty());

        // A delivery retried changes nothing.
        store.block(&block(3, 13, 12), &[mined(1)], &[]).unwrap();
        assert_eq!(store.tip().unwrap(), Some((4, hash(4))));
    }

    fn notification(event_index: u32) -> EhrEvent {
        EhrEvent::Notification {
            event_index,
            txid: hash(150),
            recipient: seen(1).sender,
            kind: "access-granted".into(),
            reference: 1,
            inbox_index: 0,
        }
    }

    #[test]
    fn a_notification_orphaned_before_delivery_is_delivered_when_its_block_comes_back() {
        let store = Store::in_memory().unwrap();
        store
            .add_webhook("http://127.0.0.1:9/hook", "secret-of-16-chars", None)
            .unwrap();
        store.block(&block(1, 1, 0), &[], &[]).unwrap();
        store
            .block(&block(2, 2, 1), &[], &[notification(0)])
            .unwrap();
        // A fork at height 2: the delivery is set aside, not sent.
        store.block(&block(2, 12, 1), &[], &[]).unwrap();
        assert!(store.due_deliveries(i64::MAX).unwrap().is_empty());
        // The first branch comes back: the notification is on the chain, and due again.
        store.block(&block(3, 3, 2), &[], &[]).unwrap();
        let due = store.due_deliveries(i64::MAX).unwrap();
        assert_eq!(due.len(), 1, "{due:?}");
        assert!(due[0].1.payload.contains(&hash(2)));
    }

    #[test]
    fn a_block_whose_parent_never_arrived_is_a_gap() {
        let store = Store::in_memory().unwrap();
        store.block(&block(5, 5, 4), &[], &[]).unwrap();
        store.block(&block(6, 6, 5), &[], &[]).unwrap();
        assert!(
            store.gaps().unwrap().is_empty(),
            "the first block has no parent here"
        );
        store.block(&block(9, 9, 8), &[], &[]).unwrap();
        assert_eq!(store.gaps().unwrap(), vec![(9, hash(8))]);
    }

    #[test]
    fn a_dropped_transaction_admitted_again_is_pending_again() {
        let store = Store::in_memory().unwrap();
        store.pending(&[seen(1)]).unwrap();
        store
            .dropped(&[hash(101)], "StaleGarbageCollect", None)
            .unwrap();
        assert!(matches!(state(&store, 1), TxState::Dropped { .. }));
        store.pending(&[seen(1)]).unwrap();
        assert_eq!(state(&store, 1), TxState::Pending);
        // Mined, a later drop notice does not hide the result.
        store.block(&block(1, 1, 0), &[mined(1)], &[]).unwrap();
        store
            .dropped(&[hash(101)], "ReplaceAcrossFork", None)
            .unwrap();
        assert_eq!(mined_in(&store, 1), Some(hash(1)));
    }

    #[test]
    fn a_version_1_database_is_migrated_with_what_it_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.sqlite");
        {
            let db = Connection::open(&path).unwrap();
            db.execute_batch(
                "CREATE TABLE txs (txid TEXT PRIMARY KEY, sender TEXT NOT NULL, nonce INTEGER NOT NULL,
                    fee INTEGER NOT NULL, state TEXT NOT NULL, status TEXT, result_hex TEXT,
                    block_height INTEGER, index_block_hash TEXT, tx_index INTEGER, vm_error TEXT,
                    drop_reason TEXT, replaced_by TEXT);
                 CREATE INDEX txs_pending ON txs (sender, nonce) WHERE state = 'pending';
                 CREATE TABLE tip (id INTEGER PRIMARY KEY, block_height INTEGER NOT NULL,
                    index_block_hash TEXT NOT NULL);",
            )
            .unwrap();
            db.execute(
                "INSERT INTO txs VALUES (?1, 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5', 1, 180,
                 'mined', 'success', '0x0703', 7, ?2, 0, NULL, NULL, NULL)",
                params![hash(101), hash(7)],
            )
            .unwrap();
            db.execute(
                "INSERT INTO txs VALUES (?1, 'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5', 2, 180,
                 'pending', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
                params![hash(102)],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(mined_in(&store, 1), Some(hash(7)));
        assert_eq!(state(&store, 2), TxState::Pending);
        assert_eq!(store.tip().unwrap(), Some((7, hash(7))));
        // A block migrated from version 1 has no time; a new one has its own.
        assert_eq!(store.canonical_block(7).unwrap(), Some((hash(7), None)));
        store.block(&block(8, 8, 7), &[], &[]).unwrap();
        assert_eq!(
            store.canonical_block(8).unwrap(),
            Some((hash(8), Some(1_700_000_000 + 8 * 600 + 8)))
        );
        drop(store);
        // Opened again: already the current version.
        let store = Store::open(&path).unwrap();
        assert_eq!(mined_in(&store, 1), Some(hash(7)));
        assert!(store.canonical_block(8).unwrap().unwrap().1.is_some());
    }

    /// A block's time is the canonical block's at that height: a fork changes it.
    #[test]
    fn block_times_follow_the_canonical_chain() {
        let store = Store::in_memory().unwrap();
        store.block(&block(1, 1, 0), &[], &[]).unwrap();
        store.block(&block(2, 2, 1), &[], &[]).unwrap();
        let time = |h| store.canonical_block(h).unwrap().and_then(|(_, t)| t);
        assert_eq!(time(2), Some(1_700_000_000 + 2 * 600 + 2));
        store.block(&block(2, 12, 1), &[], &[]).unwrap();
        assert_eq!(time(2), Some(1_700_000_000 + 2 * 600 + 12));
        assert_eq!(time(3), None);
    }
}
