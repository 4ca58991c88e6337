//! The transactions the index has seen: pending ones from `/new_mempool_tx`, dropped ones
//! from `/drop_mempool_tx`, and every block from `/new_block` with the results of its
//! transactions; in SQLite (one file, the default) or PostgreSQL (a server several
//! indexes and tools share), through one set of queries ([`sql`]).
//!
//! Blocks are kept with their parent, and each is canonical or not: a block whose parent is
//! not the tip (a fork) makes its ancestors canonical and every other block at their
//! heights orphaned, in one database transaction. A transaction is mined when a canonical
//! block holds it, so a reorganisation demotes the transactions of orphaned blocks (back to
//! pending, as the node returns them to its mempool) and restores them if their fork comes
//! back. The mempool view (`txs`) is separate: a transaction dropped and admitted again is
//! pending again. The tip only moves with the canonical chain. The schema is versioned
//! (SQLite's `PRAGMA user_version`, PostgreSQL's `ehr_index_schema` table) and migrated on
//! open.
//!
//! The EHR part ([`ehr`]): notifications and access-token movements from the blocks'
//! events (fork-aware like transactions), and the audit log's entries, read from the node
//! by the audit follower; webhook subscriptions and their deliveries ([`webhooks`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;

mod ehr;
pub(crate) mod sql;
mod webhooks;

pub use ehr::{AuditQuery, EhrEvent, NotificationRow, TokenChange, TokenRow};
pub use ehr_sdk::node::MissingBlocks;
pub use webhooks::{unix_now, Delivery, DeliveryState, Webhook};

use sql::{args, Arg, Dialect, Lite, Sql};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (disk, a locked or damaged database file).
    #[error("index database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed (the server unreachable, refused credentials, a failed query).
    #[error("index database: {0}")]
    Postgres(#[from] postgres::Error),
    /// A row held a value of another type than the store wrote there.
    #[error("index database: {0}")]
    Column(String),
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

/// Where an index keeps what it learns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// In memory (SQLite), gone when the index stops.
    Memory,
    /// An SQLite file, created if missing.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by its `postgres://` (or `postgresql://`) URL.
    Postgres(String),
}

impl Database {
    /// A `postgres://` or `postgresql://` URL names a PostgreSQL database; anything
    /// else is the path of an SQLite file.
    pub fn parse(text: &str) -> Self {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Database::Postgres(text.to_string())
        } else {
            Database::Sqlite(PathBuf::from(text))
        }
    }
}

impl std::fmt::Display for Database {
    /// The database as a person reads it (a URL's password left out).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Memory => f.write_str("an in-memory database"),
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => match reqwest::Url::parse(url) {
                Ok(mut parsed) if parsed.password().is_some() => {
                    let _ = parsed.set_password(Some("***"));
                    f.write_str(parsed.as_str())
                }
                _ => f.write_str(url),
            },
        }
    }
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

/// The store. One connection behind a mutex: writes come from one node, reads are point
/// lookups and pages.
#[derive(Debug)]
pub struct Store {
    engine: Engine,
    /// Forks seen since the store was opened: the audit follower stores what it read
    /// only if no fork came in between (see [`Store::add_audit_if`]).
    forks: std::sync::atomic::AtomicU64,
}

/// The connection, of one engine or the other.
enum Engine {
    Sqlite(Mutex<Connection>),
    Postgres(Mutex<sql::PgClient>),
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Engine::Sqlite(_) => "Sqlite",
            Engine::Postgres(_) => "Postgres",
        })
    }
}

/// PostgreSQL writers take this transaction-scoped advisory lock first, so that indexes
/// sharing one database write one at a time (as SQLite's writers do).
const WRITER_LOCK: i64 = 0x0065_6872_5f69_6478; // "ehr_idx"

/// The schema's version.
const SCHEMA_VERSION: i64 = 5;

/// Version 5: `blocks_height` holds each block's time, so that the audit search's date
/// filter reads it from the index (with the audit indexes of [`ehr::SCHEMA_V5`]).
const SCHEMA_V5: &str = "
DROP INDEX IF EXISTS blocks_height;
CREATE INDEX IF NOT EXISTS blocks_height ON blocks (block_height, canonical, burn_block_time);
";

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

/// From version 1 (SQLite only: one row per transaction, mined in place, a one-row tip):
/// every mined transaction's block becomes a canonical block (its parent unknown), its
/// result a `block_txs` row, and the row itself the mempool view of a transaction no
/// longer pending.
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

/// Brings a database of any earlier version (or a new one) to [`SCHEMA_VERSION`].
fn migrate(db: &mut dyn Sql) -> Result<(), StoreError> {
    migrate_to(db, SCHEMA_VERSION)
}

/// Brings a database of any earlier version (or a new one) to version `target` (the
/// tests make databases of earlier versions so).
fn migrate_to(db: &mut dyn Sql, target: i64) -> Result<(), StoreError> {
    let version = db.schema_version()?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema(version));
    }
    if version >= target {
        return Ok(());
    }
    let has_v1 = version == 0
        && db.dialect() == Dialect::Sqlite
        && db.exists(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tip'",
            &[],
        )?;
    let step = |n: i64| version < n && n <= target;
    if step(2) {
        if has_v1 || version == 1 {
            db.batch(MIGRATE_V1)?;
            db.schema(SCHEMA_V2)?;
            db.batch(MIGRATE_V1_COPY)?;
        } else {
            db.schema(SCHEMA_V2)?;
        }
    }
    if step(3) {
        db.schema(ehr::SCHEMA_V3)?;
        db.schema(webhooks::SCHEMA_V3)?;
    }
    if step(4) {
        db.schema(SCHEMA_V4)?;
    }
    if step(5) {
        db.schema(SCHEMA_V5)?;
        db.schema(ehr::SCHEMA_V5)?;
        if db.dialect() == Dialect::Postgres {
            db.batch(ehr::SCHEMA_V5_POSTGRES)?;
        }
    }
    db.set_schema_version(target)
}

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
    /// Opens (creating) the SQLite database at `path`, readable by its owner only (it
    /// holds the webhooks' secrets; SQLite gives its journal files the same mode).
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
        Self::sqlite(Connection::open(path)?)
    }

    /// A store in memory, gone when dropped.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::sqlite(Connection::open_in_memory()?)
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user@host:port/db`,
    /// `?host=/socket/dir` for a Unix socket; no TLS) and brings its schema up to date.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let store = Self::with(Engine::Postgres(Mutex::new(sql::PgClient::connect(url)?)));
        store.write(migrate)?;
        Ok(store)
    }

    /// Opens `database`, whichever engine it is on.
    pub fn open_database(database: &Database) -> Result<Self, StoreError> {
        match database {
            Database::Memory => Self::in_memory(),
            Database::Sqlite(path) => Self::open(path),
            Database::Postgres(url) => Self::connect(url),
        }
    }

    fn sqlite(db: Connection) -> Result<Self, StoreError> {
        db.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
        db.set_prepared_statement_cache_capacity(64);
        let store = Self::with(Engine::Sqlite(Mutex::new(db)));
        store.write(migrate)?;
        Ok(store)
    }

    fn with(engine: Engine) -> Self {
        Store {
            engine,
            forks: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Runs `f` on the connection, outside a transaction (reads).
    fn read<T: Send>(
        &self,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        match &self.engine {
            Engine::Sqlite(db) => f(&mut Lite(&lock(db))),
            Engine::Postgres(client) => {
                let mut client = lock(client);
                let (conn, statements) = client.parts();
                sql::off_runtime(move || f(&mut sql::Pg { conn, statements }))
            }
        }
    }

    /// Runs `f` in one transaction, committed if it returns `Ok` (rolled back if not).
    fn write<T: Send>(
        &self,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        match &self.engine {
            Engine::Sqlite(db) => {
                let mut db = lock(db);
                let batch = db.transaction()?;
                let out = f(&mut Lite(&batch))?;
                batch.commit()?;
                Ok(out)
            }
            Engine::Postgres(client) => {
                let mut client = lock(client);
                let (conn, statements) = client.parts();
                sql::off_runtime(move || {
                    let mut batch = conn.transaction()?;
                    batch.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITER_LOCK])?;
                    let out = f(&mut sql::Pg {
                        conn: &mut batch,
                        statements,
                    })?;
                    batch.commit()?;
                    Ok(out)
                })
            }
        }
    }

    /// Records transactions accepted into the mempool; one dropped before and admitted
    /// again is pending again (one mined stays mined: that is read from its block).
    pub fn pending(&self, txs: &[Seen]) -> Result<(), StoreError> {
        self.write(|db| {
            for tx in txs {
                db.execute(
                    "INSERT INTO txs (txid, sender, nonce, fee, state) VALUES (?1, ?2, ?3, ?4, 'pending')
                     ON CONFLICT (txid) DO UPDATE SET state = 'pending', drop_reason = NULL,
                         replaced_by = NULL",
                    args![&tx.txid, &tx.sender, tx.nonce, tx.fee],
                )?;
            }
            Ok(())
        })
    }

    /// Records a block, the results of its transactions and its EHR events (queueing a
    /// webhook delivery for each notification), all in one database transaction: a crash
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
        self.write(|db| {
            if db.exists(
                "SELECT 1 FROM blocks WHERE index_block_hash = ?1",
                args![&block.index_block_hash],
            )? {
                return Ok(Applied::AlreadyKnown);
            }
            let mut orphaned_from: Option<u64> = match db.first(
                "SELECT MIN(block_height) FROM blocks WHERE canonical = 1 AND block_height >= ?1",
                args![block.block_height],
            )? {
                Some(row) => row.opt_u64(0)?,
                None => None,
            };
            // The new block and everything above it: only its own branch stays canonical.
            db.execute(
                "UPDATE blocks SET canonical = 0 WHERE canonical = 1 AND block_height >= ?1",
                args![block.block_height],
            )?;
            db.execute(
                "INSERT INTO blocks (index_block_hash, parent_index_block_hash, block_height,
                                     canonical, burn_block_time)
                 VALUES (?1, ?2, ?3, 1, ?4)",
                args![
                    &block.index_block_hash,
                    &block.parent_index_block_hash,
                    block.block_height,
                    block.burn_block_time
                ],
            )?;
            // Walk back through known ancestors that were orphaned: each becomes canonical,
            // and the block that held its height is orphaned.
            let mut parent = block.parent_index_block_hash.clone();
            loop {
                let Some(ancestor) = db.first(
                    "SELECT block_height, canonical, parent_index_block_hash FROM blocks
                     WHERE index_block_hash = ?1",
                    args![&parent],
                )?
                else {
                    break;
                };
                if ancestor.int(1)? == 1 {
                    break;
                }
                let height = ancestor.u64(0)?;
                let orphaned = db.execute(
                    "UPDATE blocks SET canonical = 0 WHERE canonical = 1 AND block_height = ?1",
                    args![height],
                )?;
                if orphaned > 0 {
                    orphaned_from = Some(orphaned_from.map_or(height, |h| h.min(height)));
                }
                db.execute(
                    "UPDATE blocks SET canonical = 1 WHERE index_block_hash = ?1",
                    args![&parent],
                )?;
                // Its notifications are on the chain again: deliver them after all.
                db.execute(
                    "UPDATE deliveries SET state = 'pending' WHERE state = 'orphaned'
                     AND index_block_hash = ?1",
                    args![&parent],
                )?;
                parent = ancestor.text(2)?;
            }
            let mut seen = Vec::with_capacity(txs.len() * 5);
            let mut results = Vec::with_capacity(txs.len() * 6);
            for tx in txs {
                seen.extend([
                    Arg::from(&tx.seen.txid),
                    Arg::from(&tx.seen.sender),
                    Arg::from(tx.seen.nonce),
                    Arg::from(tx.seen.fee),
                    Arg::from("pending"),
                ]);
                results.extend([
                    Arg::from(&block.index_block_hash),
                    Arg::from(&tx.seen.txid),
                    Arg::from(&tx.status),
                    Arg::from(&tx.result_hex),
                    Arg::from(tx.tx_index),
                    Arg::from(&tx.vm_error),
                ]);
            }
            db.insert_rows(
                "txs",
                &["txid", "sender", "nonce", "fee", "state"],
                &seen,
                "ON CONFLICT (txid) DO NOTHING",
            )?;
            db.insert_rows(
                "block_txs",
                &[
                    "index_block_hash",
                    "txid",
                    "status",
                    "result_hex",
                    "tx_index",
                    "vm_error",
                ],
                &results,
                "ON CONFLICT DO NOTHING",
            )?;
            ehr::record_events(db, block, events)?;
            if orphaned_from.is_some() {
                // The audit entries held last may be the losing branch's: the follower
                // checks its tail against the chain before it reads on (audit entries carry
                // the contract's `block-height`, which is not the Stacks height after epoch
                // 3, so they are not dropped by height here). Counted under the connection
                // lock, before the follower can store what it read meanwhile (a rollback
                // after this only makes it read again).
                self.forks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            Ok(Applied::Stored { orphaned_from })
        })
    }

    /// Records transactions the node dropped from its mempool (one a canonical block holds
    /// still reads as mined).
    pub fn dropped(
        &self,
        txids: &[String],
        reason: &str,
        replaced_by: Option<&str>,
    ) -> Result<(), StoreError> {
        self.write(|db| {
            for txid in txids {
                db.execute(
                    "UPDATE txs SET state = 'dropped', drop_reason = ?2, replaced_by = ?3
                     WHERE txid = ?1",
                    args![txid, reason, replaced_by],
                )?;
            }
            Ok(())
        })
    }

    /// The transaction `txid` (`0x` form), if seen: mined if a canonical block holds it,
    /// else as the mempool last said.
    pub fn tx(&self, txid: &str) -> Result<Option<TxRow>, StoreError> {
        let Some(r) = self.read(|db| {
            db.first(
                "SELECT t.txid, t.sender, t.nonce, t.fee, t.state, t.drop_reason, t.replaced_by,
                        m.status, m.result_hex, b.block_height, b.index_block_hash, m.tx_index,
                        m.vm_error
                 FROM txs t
                 LEFT JOIN block_txs m ON m.txid = t.txid
                     AND m.index_block_hash IN (SELECT index_block_hash FROM blocks WHERE canonical = 1)
                 LEFT JOIN blocks b ON b.index_block_hash = m.index_block_hash
                 WHERE t.txid = ?1",
                args![txid],
            )
        })?
        else {
            return Ok(None);
        };
        let state = match r.opt_text(7)? {
            Some(status) => TxState::Mined {
                status,
                result_hex: r.text(8)?,
                block_height: r.u64(9)?,
                index_block_hash: r.text(10)?,
                tx_index: u32::try_from(r.int(11)?)
                    .map_err(|_| StoreError::Column("tx_index beyond u32".into()))?,
                vm_error: r.opt_text(12)?,
            },
            None if r.text(4)? == "dropped" => TxState::Dropped {
                reason: r.text(5)?,
                replaced_by: r.opt_text(6)?,
            },
            None => TxState::Pending,
        };
        Ok(Some(TxRow {
            txid: r.text(0)?,
            sender: r.text(1)?,
            nonce: r.u64(2)?,
            fee: r.u64(3)?,
            state,
        }))
    }

    /// The nonces of `sender`'s pending transactions, ascending.
    pub fn pending_nonces(&self, sender: &str) -> Result<Vec<u64>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT nonce FROM txs t WHERE sender = ?1 AND state = 'pending'
                 AND NOT EXISTS (SELECT 1 FROM block_txs m JOIN blocks b USING (index_block_hash)
                                 WHERE m.txid = t.txid AND b.canonical = 1)
                 ORDER BY nonce",
                args![sender],
            )?
            .iter()
            .map(|r| r.u64(0))
            .collect()
        })
    }

    /// Canonical blocks whose parent the index never received (other than the first
    /// block it has): where blocks are missing, as (height, parent hash).
    pub fn gaps(&self) -> Result<Vec<(u64, String)>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT b.block_height, b.parent_index_block_hash FROM blocks b
                 WHERE b.canonical = 1
                   AND b.block_height > (SELECT MIN(block_height) FROM blocks)
                   AND NOT EXISTS (SELECT 1 FROM blocks p
                                   WHERE p.index_block_hash = b.parent_index_block_hash)
                 ORDER BY b.block_height",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.u64(0)?, r.text(1)?)))
            .collect()
        })
    }

    /// The heights the index never received, as runs before each block whose parent it
    /// lacks: from the height above the highest canonical block below that block's (or
    /// that block's parent's height, when only the parent itself is missing) to the
    /// height below it.
    pub fn missing_blocks(&self) -> Result<Vec<MissingBlocks>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT b.block_height, b.index_block_hash,
                        (SELECT MAX(k.block_height) FROM blocks k
                         WHERE k.canonical = 1 AND k.block_height < b.block_height)
                 FROM blocks b
                 WHERE b.canonical = 1
                   AND b.block_height > (SELECT MIN(block_height) FROM blocks)
                   AND NOT EXISTS (SELECT 1 FROM blocks p
                                   WHERE p.index_block_hash = b.parent_index_block_hash)
                 ORDER BY b.block_height",
                &[],
            )?
            .iter()
            .map(|r| {
                let height = r.u64(0)?;
                let below = r.opt_u64(2)?.unwrap_or(0);
                Ok(MissingBlocks {
                    from_height: (below + 1).min(height - 1),
                    to_height: height - 1,
                    before_block: r.text(1)?,
                })
            })
            .collect()
        })
    }

    /// The canonical block at `height`: its index hash and burn block time (`None` when
    /// the node did not give one).
    pub fn canonical_block(
        &self,
        height: u64,
    ) -> Result<Option<(String, Option<u64>)>, StoreError> {
        self.read(|db| {
            db.first(
                "SELECT index_block_hash, burn_block_time FROM blocks
                 WHERE block_height = ?1 AND canonical = 1",
                args![height],
            )?
            .map(|r| Ok((r.text(0)?, r.opt_u64(1)?)))
            .transpose()
        })
    }

    /// The canonical chain's tip: its height and index hash.
    pub fn tip(&self) -> Result<Option<(u64, String)>, StoreError> {
        self.read(|db| {
            db.first(
                "SELECT block_height, index_block_hash FROM blocks WHERE canonical = 1
                 ORDER BY block_height DESC LIMIT 1",
                &[],
            )?
            .map(|r| Ok((r.u64(0)?, r.text(1)?)))
            .transpose()
        })
    }
}

/// Locks a connection. A panic while holding the lock leaves the database consistent
/// (each write is one transaction), so the connection stays usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The PostgreSQL side of the tests (shared with the integration tests).
#[cfg(test)]
#[path = "../../tests/support/postgres.rs"]
mod test_postgres;

#[cfg(test)]
mod tests {
    use super::*;

    /// The databases every test below runs on: an SQLite file and, given a server, a
    /// PostgreSQL database (each new).
    fn engines() -> Vec<(Database, Option<tempfile::TempDir>)> {
        let dir = tempfile::tempdir().unwrap();
        let file = Database::Sqlite(dir.path().join("index.sqlite"));
        let mut all = vec![(file, Some(dir))];
        if let Some(url) = super::test_postgres::scratch_database() {
            all.push((Database::Postgres(url), None));
        }
        all
    }

    /// Each test runs on every engine.
    macro_rules! on_each_engine {
        ($($name:ident),* $(,)?) => {
            mod on_each_engine {
                $(
                    #[test]
                    fn $name() {
                        for (database, _dir) in super::engines() {
                            let store = super::Store::open_database(&database).unwrap();
                            super::$name(&store);
                        }
                    }
                )*
            }
        };
    }

    on_each_engine!(
        a_fork_orphans_the_losing_blocks_and_their_transactions_and_can_come_back,
        a_notification_orphaned_before_delivery_is_delivered_when_its_block_comes_back,
        a_block_whose_parent_never_arrived_is_a_gap,
        a_dropped_transaction_admitted_again_is_pending_again,
        block_times_follow_the_canonical_chain,
        webhook_deliveries_are_retried_given_up_and_replayed,
        audit_entries_tokens_and_notifications_are_served_in_pages,
        audit_pages_filter_by_block_time_and_actions_and_page_by_keyset,
        a_block_of_many_rows_is_stored_whole_once_and_rolled_back_whole,
        the_audit_search_filters_in_indexes_alone,
    );

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

    fn a_fork_orphans_the_losing_blocks_and_their_transactions_and_can_come_back(store: &Store) {
        store.block(&block(1, 1, 0), &[], &[]).unwrap();
        store.block(&block(2, 2, 1), &[mined(1)], &[]).unwrap();
        store.block(&block(3, 3, 2), &[mined(2)], &[]).unwrap();
        assert_eq!(store.tip().unwrap(), Some((3, hash(3))));
        assert_eq!(mined_in(store, 1), Some(hash(2)));

        // A block at height 2 on block 1: blocks 2 and 3 are orphaned, their
        // transactions no longer mined; the tip goes back to the new branch.
        store.block(&block(2, 12, 1), &[], &[]).unwrap();
        assert_eq!(store.tip().unwrap(), Some((2, hash(12))));
        assert_eq!(state(store, 1), TxState::Pending);
        assert_eq!(state(store, 2), TxState::Pending);
        assert_eq!(store.pending_nonces(&seen(1).sender).unwrap(), vec![1, 2]);

        // The new branch mines one of them again, elsewhere.
        store.block(&block(3, 13, 12), &[mined(1)], &[]).unwrap();
        assert_eq!(mined_in(store, 1), Some(hash(13)));
        assert_eq!(state(store, 2), TxState::Pending);

        // The old branch comes back, longer: its blocks are canonical again.
        store.block(&block(4, 4, 3), &[], &[]).unwrap();
        assert_eq!(store.tip().unwrap(), Some((4, hash(4))));
        assert_eq!(mined_in(store, 1), Some(hash(2)));
        assert_eq!(mined_in(store, 2), Some(hash(3)));
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

    fn a_notification_orphaned_before_delivery_is_delivered_when_its_block_comes_back(
        store: &Store,
    ) {
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

    fn a_block_whose_parent_never_arrived_is_a_gap(store: &Store) {
        store.block(&block(5, 5, 4), &[], &[]).unwrap();
        store.block(&block(6, 6, 5), &[], &[]).unwrap();
        assert!(
            store.gaps().unwrap().is_empty(),
            "the first block has no parent here"
        );
        assert!(store.missing_blocks().unwrap().is_empty());
        store.block(&block(9, 9, 8), &[], &[]).unwrap();
        assert_eq!(store.gaps().unwrap(), vec![(9, hash(8))]);
        assert_eq!(
            store.missing_blocks().unwrap(),
            vec![MissingBlocks {
                from_height: 7,
                to_height: 8,
                before_block: hash(9)
            }]
        );
        // Block 10 on a parent at height 9 that never arrived (another branch): only
        // that parent's height is missing.
        store.block(&block(10, 10, 99), &[], &[]).unwrap();
        assert_eq!(
            store.missing_blocks().unwrap()[1],
            MissingBlocks {
                from_height: 9,
                to_height: 9,
                before_block: hash(10)
            }
        );
        // The missing blocks arrive (the node retried): no gap is left.
        store.block(&block(7, 7, 6), &[], &[]).unwrap();
        store.block(&block(8, 8, 7), &[], &[]).unwrap();
        store.block(&block(9, 99, 8), &[], &[]).unwrap();
        store.block(&block(10, 10, 99), &[], &[]).unwrap();
        assert_eq!(store.missing_blocks().unwrap(), vec![]);
    }

    fn a_dropped_transaction_admitted_again_is_pending_again(store: &Store) {
        store.pending(&[seen(1)]).unwrap();
        store
            .dropped(&[hash(101)], "StaleGarbageCollect", None)
            .unwrap();
        assert!(matches!(state(store, 1), TxState::Dropped { .. }));
        store.pending(&[seen(1)]).unwrap();
        assert_eq!(state(store, 1), TxState::Pending);
        // Mined, a later drop notice does not hide the result.
        store.block(&block(1, 1, 0), &[mined(1)], &[]).unwrap();
        store
            .dropped(&[hash(101)], "ReplaceAcrossFork", None)
            .unwrap();
        assert_eq!(mined_in(store, 1), Some(hash(1)));
    }

    #[test]
    fn a_version_1_database_is_migrated_with_what_it_held() {
        use rusqlite::params;
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
    fn block_times_follow_the_canonical_chain(store: &Store) {
        store.block(&block(1, 1, 0), &[], &[]).unwrap();
        store.block(&block(2, 2, 1), &[], &[]).unwrap();
        let time = |h| store.canonical_block(h).unwrap().and_then(|(_, t)| t);
        assert_eq!(time(2), Some(1_700_000_000 + 2 * 600 + 2));
        store.block(&block(2, 12, 1), &[], &[]).unwrap();
        assert_eq!(time(2), Some(1_700_000_000 + 2 * 600 + 12));
        assert_eq!(time(3), None);
    }

    fn webhook_deliveries_are_retried_given_up_and_replayed(store: &Store) {
        let first = store
            .add_webhook("http://127.0.0.1:9/all", "secret-of-16-chars", None)
            .unwrap();
        let other = store
            .add_webhook(
                "http://127.0.0.1:9/other",
                "secret-of-16-chars",
                Some("ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG"),
            )
            .unwrap();
        assert!(other > first);
        store
            .block(&block(1, 1, 0), &[], &[notification(0)])
            .unwrap();
        // Only the webhook for everyone wants wallet_1's notification.
        let due = store.due_deliveries(unix_now()).unwrap();
        assert_eq!(due.len(), 1, "{due:?}");
        let (hook, delivery) = &due[0];
        assert_eq!((hook.id, hook.recipient.clone()), (first, None));
        store
            .delivery_failed(delivery.seq, "connection refused", i64::MAX, false)
            .unwrap();
        assert!(
            store.due_deliveries(unix_now()).unwrap().is_empty(),
            "not due yet"
        );
        store
            .delivery_failed(delivery.seq, "connection refused", 0, true)
            .unwrap();
        let dead = store.dead_letters().unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!((dead[0].attempts, dead[0].state), (2, DeliveryState::Dead));
        assert_eq!(dead[0].last_error.as_deref(), Some("connection refused"));
        assert_eq!(store.replay(Some(dead[0].seq + 100)).unwrap(), 0);
        assert_eq!(store.replay(None).unwrap(), 1);
        let due = store.due_deliveries(unix_now()).unwrap();
        assert_eq!(due.len(), 1);
        store.delivered(due[0].1.seq).unwrap();
        let done = store.delivery(due[0].1.seq).unwrap().unwrap();
        assert_eq!(
            (done.state, done.last_error),
            (DeliveryState::Delivered, None)
        );
        assert!(store.remove_webhook(first).unwrap());
        assert!(!store.remove_webhook(first).unwrap());
        assert_eq!(store.webhooks().unwrap().len(), 1);
    }

    fn audit_entry(id: u128, patient: &str, action: &str) -> ehr_sdk::audit::AuditEntry {
        ehr_sdk::audit::AuditEntry {
            id,
            patient: patient.into(),
            actor: "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG".into(),
            action: action.into(),
            reference: id * 10,
            details_hash: format!("0x{}", hex::encode([id as u8; 32])),
            block: 100 + id,
            prev_hash: format!("0x{}", hex::encode([0u8; 32])),
            entry_hash: format!("0x{}", hex::encode([(id as u8).wrapping_add(1); 32])),
        }
    }

    fn audit_entries_tokens_and_notifications_are_served_in_pages(store: &Store) {
        let patient = seen(1).sender;
        let entries: Vec<_> = (0..5)
            .map(|id| {
                audit_entry(
                    id,
                    &patient,
                    if id % 2 == 0 {
                        "log-access"
                    } else {
                        "grant-access"
                    },
                )
            })
            .collect();
        assert!(store
            .add_audit_if(&entries, store.fork_generation())
            .unwrap());
        assert_eq!(store.audit_next_id().unwrap(), 5);
        assert_eq!(store.audit_entry(3).unwrap(), Some(entries[3].clone()));
        let (total, page) = store
            .audit(&AuditQuery {
                patient: Some(patient.clone()),
                actions: vec!["log-access".into()],
                since_block: Some(101),
                newest_first: true,
                limit: 1,
                offset: 1,
                ..AuditQuery::default()
            })
            .unwrap();
        assert_eq!(total, 2, "entries 2 and 4");
        assert_eq!(page, vec![entries[2].clone()]);
        let mut seen_ids = Vec::new();
        store
            .each_audit_batch(2, &mut |batch| {
                seen_ids.extend(batch.iter().map(|e| e.id));
                Ok(())
            })
            .unwrap();
        assert_eq!(seen_ids, vec![0, 1, 2, 3, 4]);
        store.forget_audit_from_id(3).unwrap();
        assert_eq!(store.audit_next_id().unwrap(), 3);

        let wallet_2 = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG".to_string();
        let token = |event_index, token_id, change| EhrEvent::Token {
            event_index,
            txid: hash(160),
            token_id,
            change,
        };
        store
            .block(
                &block(1, 1, 0),
                &[],
                &[
                    token(
                        0,
                        7,
                        TokenChange::Minted {
                            to: patient.clone(),
                        },
                    ),
                    token(
                        1,
                        8,
                        TokenChange::Minted {
                            to: patient.clone(),
                        },
                    ),
                    notification(2),
                ],
            )
            .unwrap();
        store
            .block(
                &block(2, 2, 1),
                &[],
                &[token(
                    0,
                    7,
                    TokenChange::Transferred {
                        from: patient.clone(),
                        to: wallet_2.clone(),
                    },
                )],
            )
            .unwrap();
        let held: Vec<u64> = store
            .tokens_held(&patient)
            .unwrap()
            .iter()
            .map(|t| t.token_id)
            .collect();
        assert_eq!(held, vec![8]);
        assert_eq!(store.token_holder(7).unwrap(), Some(wallet_2));
        assert_eq!(store.token_ids().unwrap(), vec![7, 8]);
        let inbox = store.notifications(&patient, 10, 0).unwrap();
        assert_eq!(inbox.len(), 1);
        assert_eq!(
            (inbox[0].block_height, inbox[0].kind.as_str()),
            (1, "access-granted")
        );
    }

    /// Opened again, a database keeps what it held and is not migrated twice; one written
    /// by a newer version is refused.
    #[test]
    fn a_database_opened_again_keeps_what_it_held_and_a_newer_one_is_refused() {
        for (database, _dir) in engines() {
            {
                let store = Store::open_database(&database).unwrap();
                store.block(&block(1, 1, 0), &[mined(1)], &[]).unwrap();
            }
            let store = Store::open_database(&database).unwrap();
            assert_eq!(mined_in(&store, 1), Some(hash(1)), "{database}");
            store
                .write(|db| db.set_schema_version(SCHEMA_VERSION + 1))
                .unwrap();
            drop(store);
            let refused = Store::open_database(&database).unwrap_err();
            assert!(
                matches!(refused, StoreError::NewerSchema(v) if v == SCHEMA_VERSION + 1),
                "{database}: {refused}"
            );
        }
    }

    #[test]
    fn a_postgres_url_is_told_from_a_file_and_its_password_is_not_shown() {
        assert_eq!(
            Database::parse("index.sqlite"),
            Database::Sqlite("index.sqlite".into())
        );
        let url = "postgresql://ehr:hunter2@db.clinic.example:5432/index";
        assert_eq!(Database::parse(url), Database::Postgres(url.into()));
        let shown = Database::parse(url).to_string();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.clinic.example:5432/index"), "{shown}");
    }

    fn audit_pages_filter_by_block_time_and_actions_and_page_by_keyset(store: &Store) {
        let patient = seen(1).sender;
        let actions = ["log-access", "grant-access", "emergency-access"];
        // Entries 0..6 at blocks 100..106 (audit_entry puts entry n at block 100 + n).
        let entries: Vec<_> = (0..6)
            .map(|id| audit_entry(id, &patient, actions[id as usize % 3]))
            .collect();
        store.add_audit(&entries).unwrap();
        // Blocks 100..105 with times 1_700_000_000 + 600 * height + id; block 106 unknown.
        for h in 100..106u64 {
            let id = h as u8;
            store.block(&block(h, id, id - 1), &[], &[]).unwrap();
        }
        let time = |h: u64| 1_700_000_000 + h * 600 + h;
        let query = |q: AuditQuery| {
            let (total, rows) = store
                .audit(&AuditQuery {
                    patient: Some(patient.clone()),
                    limit: 10,
                    ..q
                })
                .unwrap();
            (total, rows.iter().map(|e| e.id as u64).collect::<Vec<_>>())
        };
        assert_eq!(
            query(AuditQuery {
                since_time: Some(time(102)),
                until_time: Some(time(104)),
                ..AuditQuery::default()
            }),
            (3, vec![2, 3, 4])
        );
        // No time known for block 106: a time bound leaves its entry out.
        assert_eq!(
            query(AuditQuery {
                since_time: Some(time(104)),
                ..AuditQuery::default()
            }),
            (2, vec![4, 5])
        );
        assert_eq!(
            query(AuditQuery {
                actions: vec!["log-access".into(), "emergency-access".into()],
                newest_first: true,
                ..AuditQuery::default()
            }),
            (4, vec![5, 3, 2, 0])
        );
        // Keyset: the page after entry 3, both ways; the total is the whole match.
        assert_eq!(
            query(AuditQuery {
                after: Some(3),
                ..AuditQuery::default()
            }),
            (6, vec![4, 5])
        );
        assert_eq!(
            query(AuditQuery {
                after: Some(3),
                newest_first: true,
                ..AuditQuery::default()
            }),
            (6, vec![2, 1, 0])
        );
    }

    /// A block with more rows than one multi-row INSERT carries is stored whole, once
    /// however often it is sent, and orphaned whole by a fork; an audit batch naming one
    /// id twice keeps the later entry.
    fn a_block_of_many_rows_is_stored_whole_once_and_rolled_back_whole(store: &Store) {
        let patient = seen(1).sender;
        // 151 transactions: 128 + 16 + 4 + 2 + 1 rows.
        let txs: Vec<MinedTx> = (0..=150u8)
            .map(|n| MinedTx {
                tx_index: u32::from(n),
                ..mined(n)
            })
            .collect();
        // 600 token mints to the patient and 301 notifications: 256 + 256 + 64 + 16 +
        // 8 rows, and 256 + 32 + 8 + 4 + 1.
        let events: Vec<EhrEvent> = (0..901u32)
            .map(|i| {
                if i < 600 {
                    EhrEvent::Token {
                        event_index: i,
                        txid: hash(160),
                        token_id: u64::from(i),
                        change: TokenChange::Minted {
                            to: patient.clone(),
                        },
                    }
                } else {
                    EhrEvent::Notification {
                        event_index: i,
                        txid: hash(150),
                        recipient: patient.clone(),
                        kind: "access-granted".into(),
                        reference: 1,
                        inbox_index: u64::from(i - 600),
                    }
                }
            })
            .collect();
        store.block(&block(1, 1, 0), &[], &[]).unwrap();
        let big = block(2, 2, 1);
        assert_eq!(
            store.block(&big, &txs, &events).unwrap(),
            Applied::Stored {
                orphaned_from: None
            }
        );
        // The node sends it again (a restart): nothing is added twice.
        assert_eq!(
            store.block(&big, &txs, &events).unwrap(),
            Applied::AlreadyKnown
        );
        assert_eq!(store.tokens_held(&patient).unwrap().len(), 600);
        assert_eq!(store.token_ids().unwrap().len(), 600);
        assert_eq!(store.notifications(&patient, 1_000, 0).unwrap().len(), 301);
        assert!((0..=150).all(|n| mined_in(store, n) == Some(hash(2))));
        // A fork at height 2 orphans every row of the block.
        store.block(&block(2, 3, 1), &[], &[]).unwrap();
        assert!(store.tokens_held(&patient).unwrap().is_empty());
        assert!(store.notifications(&patient, 1_000, 0).unwrap().is_empty());
        assert!((0..=150).all(|n| state(store, n) == TxState::Pending));
        // Back on its branch: all of it again.
        store.block(&block(3, 4, 2), &[], &[]).unwrap();
        assert_eq!(store.tokens_held(&patient).unwrap().len(), 600);
        assert_eq!(store.notifications(&patient, 1_000, 0).unwrap().len(), 301);

        let mut entries: Vec<_> = (0..300)
            .map(|id| audit_entry(id, &patient, "log-access"))
            .collect();
        entries.push(audit_entry(7, &patient, "grant-access"));
        store.add_audit(&entries).unwrap();
        store.add_audit(&entries).unwrap();
        assert_eq!(store.audit_next_id().unwrap(), 300);
        let all = AuditQuery {
            patient: Some(patient.clone()),
            limit: 1_000,
            ..AuditQuery::default()
        };
        assert_eq!(store.audit(&all).unwrap().0, 300);
        assert_eq!(
            store.audit_entry(7).unwrap().map(|e| e.action),
            Some("grant-access".to_string())
        );
    }

    /// The definition of index `name` from the database's catalogue: its columns, in
    /// parentheses (empty when there is no such index).
    fn index_columns(store: &Store, name: &str) -> String {
        let definition = store
            .read(|db| {
                let sql = match db.dialect() {
                    Dialect::Sqlite => {
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1"
                    }
                    Dialect::Postgres => "SELECT indexdef FROM pg_indexes WHERE indexname = ?1",
                };
                db.first(sql, args![name])?
                    .map_or(Ok(String::new()), |r| r.text(0))
            })
            .unwrap();
        definition
            .rfind('(')
            .map_or(String::new(), |at| definition[at..].to_string())
    }

    /// The AuditEvent search's statements (patient, agent, two actions, a date range,
    /// newest first, after a keyset) as the engine plans them.
    fn search_plans(store: &Store) -> Vec<String> {
        let search = AuditQuery {
            patient: Some(seen(1).sender),
            actor: Some("ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG".into()),
            actions: vec!["log-access".into(), "emergency-access".into()],
            since_time: Some(1_700_000_000),
            until_time: Some(1_800_000_000),
            after: Some(1_000),
            newest_first: true,
            limit: 10,
            ..AuditQuery::default()
        };
        let statements = ehr::AuditStatements::of(&search);
        let queries = [
            (statements.total, statements.total_args),
            (statements.page, statements.page_args),
        ];
        store
            .read(|db| {
                let mut plans = Vec::new();
                for (sql, args) in &queries {
                    let plan = match db.dialect() {
                        Dialect::Sqlite => db
                            .query(&format!("EXPLAIN QUERY PLAN {sql}"), args)?
                            .iter()
                            .map(|r| r.text(3))
                            .collect::<Result<Vec<_>, _>>()?,
                        Dialect::Postgres => {
                            // However few rows the tables hold, a plan that reads them
                            // through an index: which one is the question.
                            db.batch("SET enable_seqscan = off; SET enable_bitmapscan = off")?;
                            let plan = db.query(&format!("EXPLAIN {sql}"), args);
                            db.batch("RESET enable_seqscan; RESET enable_bitmapscan")?;
                            plan?
                                .iter()
                                .map(|r| r.text(0))
                                .collect::<Result<Vec<_>, _>>()?
                        }
                    };
                    plans.push(plan.join("\n"));
                }
                Ok(plans)
            })
            .unwrap()
    }

    /// The search's total and the ids of its page come from a patient's audit index and
    /// the blocks' index alone (PostgreSQL: an index-only scan of each; SQLite: covering
    /// indexes), whatever else the entries' rows hold: the rows the filters leave out
    /// are never read, however far apart they lie in the table.
    fn the_audit_search_filters_in_indexes_alone(store: &Store) {
        let patient = seen(1).sender;
        let entries: Vec<_> = (0..50)
            .map(|id| audit_entry(id, &patient, "log-access"))
            .collect();
        store.add_audit(&entries).unwrap();
        for h in 100..150u64 {
            let id = h as u8;
            store.block(&block(h, id, id - 1), &[], &[]).unwrap();
        }
        let postgres = store
            .read(|db| Ok(db.dialect() == Dialect::Postgres))
            .unwrap();
        if postgres {
            // The visibility map says which rows an index-only scan need not check; a
            // server's autovacuum keeps it, a test's few rows are below its threshold.
            store
                .read(|db| db.batch("VACUUM ANALYZE audit_entries, blocks"))
                .unwrap();
        }
        // PostgreSQL: `Index Only Scan [Backward] using NAME on TABLE`.
        let (scan, audit, blocks) = if postgres {
            (
                "Index Only Scan",
                "using audit_patient_actor on audit_entries",
                "using blocks_height on blocks",
            )
        } else {
            (
                "USING COVERING INDEX",
                "INDEX audit_patient_actor",
                "INDEX blocks_height",
            )
        };
        for plan in search_plans(store) {
            for index in [audit, blocks] {
                assert!(
                    plan.lines().any(|l| l.contains(scan) && l.contains(index)),
                    "{index} read alone:\n{plan}"
                );
            }
        }
        // And the answers are the same as reading the rows.
        let (total, page) = store
            .audit(&AuditQuery {
                patient: Some(patient),
                since_time: Some(1_700_000_000 + 140 * 600),
                after: Some(45),
                newest_first: true,
                limit: 3,
                ..AuditQuery::default()
            })
            .unwrap();
        assert_eq!(total, 10, "entries 40 to 49");
        assert_eq!(
            page.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![44, 43, 42]
        );
    }

    /// A version 4 database (its audit and block indexes without the columns the search
    /// filters on) is brought to version 5 when opened: the indexes carry those columns
    /// and what it held is all there, the search's answers the same.
    #[test]
    fn a_version_4_database_is_migrated_to_covering_indexes_with_what_it_held() {
        for (database, _dir) in engines() {
            let v4 = match &database {
                Database::Sqlite(path) => {
                    Store::with(Engine::Sqlite(Mutex::new(Connection::open(path).unwrap())))
                }
                Database::Postgres(url) => Store::with(Engine::Postgres(Mutex::new(
                    sql::PgClient::connect(url).unwrap(),
                ))),
                Database::Memory => unreachable!("engines() gives no in-memory database"),
            };
            v4.write(|db| migrate_to(db, 4)).unwrap();
            assert_eq!(v4.read(|db| db.schema_version()).unwrap(), 4);
            assert_eq!(
                index_columns(&v4, "audit_patient_actor"),
                "(patient, actor, id)",
                "{database}"
            );
            assert_eq!(
                index_columns(&v4, "blocks_height"),
                "(block_height, canonical)"
            );
            let patient = seen(1).sender;
            let actions = ["log-access", "grant-access"];
            let entries: Vec<_> = (0..6)
                .map(|id| audit_entry(id, &patient, actions[id as usize % 2]))
                .collect();
            v4.add_audit(&entries).unwrap();
            for h in 100..106u64 {
                let id = h as u8;
                v4.block(&block(h, id, id - 1), &[mined(id)], &[notification(0)])
                    .unwrap();
            }
            let search = AuditQuery {
                patient: Some(patient.clone()),
                actor: Some(entries[0].actor.clone()),
                actions: vec!["log-access".into()],
                since_time: Some(1_700_000_000 + 102 * 600),
                newest_first: true,
                limit: 10,
                ..AuditQuery::default()
            };
            let before = v4.audit(&search).unwrap();
            assert_eq!(before, (2, vec![entries[4].clone(), entries[2].clone()]));
            drop(v4);

            let store = Store::open_database(&database).unwrap();
            assert_eq!(
                store.read(|db| db.schema_version()).unwrap(),
                SCHEMA_VERSION
            );
            for (index, columns) in [
                ("audit_patient", "(patient, id, block)"),
                ("audit_patient_action", "(patient, action, id, block)"),
                ("audit_patient_actor", "(patient, actor, id, action, block)"),
                ("audit_actor", "(actor, id)"),
                (
                    "blocks_height",
                    "(block_height, canonical, burn_block_time)",
                ),
            ] {
                assert_eq!(index_columns(&store, index), columns, "{database}: {index}");
            }
            if let Database::Postgres(_) = database {
                let options = store
                    .read(|db| {
                        db.first(
                            "SELECT array_to_string(reloptions, ',') FROM pg_class
                             WHERE relname = 'audit_entries'",
                            &[],
                        )?
                        .map_or(Ok(None), |r| r.opt_text(0))
                    })
                    .unwrap();
                assert_eq!(
                    options.as_deref(),
                    Some("autovacuum_vacuum_insert_scale_factor=0.01")
                );
            }
            assert_eq!(store.audit(&search).unwrap(), before, "{database}");
            let mut held = Vec::new();
            store
                .each_audit_batch(100, &mut |batch| {
                    held.extend_from_slice(batch);
                    Ok(())
                })
                .unwrap();
            assert_eq!(held, entries, "{database}");
            assert_eq!(store.tip().unwrap(), Some((105, hash(105))));
            assert_eq!(mined_in(&store, 103), Some(hash(103)));
            assert_eq!(store.notifications(&patient, 10, 0).unwrap().len(), 6);
        }
    }

    /// The synchronous PostgreSQL client drives its own runtime: used, and dropped, on a
    /// tokio runtime's thread (where the servers hold the store), it must not panic.
    #[tokio::test]
    async fn a_store_is_used_and_dropped_on_a_runtime_thread() {
        for (database, _dir) in engines() {
            let store = Store::open_database(&database).unwrap();
            store.block(&block(1, 1, 0), &[mined(1)], &[]).unwrap();
            assert_eq!(store.tip().unwrap(), Some((1, hash(1))), "{database}");
            let shared = std::sync::Arc::new(store);
            let task = tokio::spawn({
                let shared = shared.clone();
                async move { shared.tip().unwrap() }
            });
            drop(shared);
            assert_eq!(task.await.unwrap(), Some((1, hash(1))), "{database}");
        }
    }
}
