//! The EHR contracts in the index: notifications (the notification-system's print
//! events) and access-token movements (the access-token NFT's mint, transfer and burn
//! events), kept per block so that a fork's losers drop out of every answer; and the
//! audit log's entries, which the contracts keep in maps (no event carries them), read
//! from the node by the audit follower and dropped from the fork height on a fork.

use super::sql::{args, Arg, Row, Sql};
use super::{webhooks, BlockSeen, Store, StoreError};
use ehr_sdk::audit::AuditEntry;

/// Version 3, EHR part: events per block and the audit entries.
pub(super) const SCHEMA_V3: &str = "
CREATE TABLE IF NOT EXISTS ehr_events (
    index_block_hash TEXT NOT NULL REFERENCES blocks (index_block_hash),
    event_index INTEGER NOT NULL,
    txid TEXT NOT NULL,
    block_height INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('notification', 'token_mint', 'token_transfer', 'token_burn')),
    recipient TEXT,
    sender TEXT,
    token_id INTEGER,
    notification_kind TEXT,
    ref INTEGER,
    inbox_index INTEGER,
    PRIMARY KEY (index_block_hash, event_index)
);
CREATE INDEX IF NOT EXISTS ehr_events_recipient ON ehr_events (recipient, kind, block_height);
CREATE INDEX IF NOT EXISTS ehr_events_token ON ehr_events (token_id, block_height);
CREATE TABLE IF NOT EXISTS audit_entries (
    id INTEGER PRIMARY KEY,
    patient TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    ref INTEGER NOT NULL,
    details_hash TEXT NOT NULL,
    block INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_patient ON audit_entries (patient, id);
CREATE INDEX IF NOT EXISTS audit_patient_action ON audit_entries (patient, action, id);
CREATE INDEX IF NOT EXISTS audit_patient_actor ON audit_entries (patient, actor, id);
CREATE INDEX IF NOT EXISTS audit_actor ON audit_entries (actor, id);
";

/// Version 5, EHR part: a patient's audit indexes carry every column the AuditEvent
/// search filters on (the action, the agent, the entry's block, whose time the date filter
/// looks up), so that a search's total and the ids of its page are read from one short
/// index range (an index-only scan on PostgreSQL, a covering index on SQLite), and only
/// the page's own entries from the table, which a patient's entries are scattered over.
/// Key columns, not PostgreSQL's `INCLUDE`: SQLite takes the same statements, and an
/// index scan checks an action against a key column before it reads the row.
pub(super) const SCHEMA_V5: &str = "
DROP INDEX IF EXISTS audit_patient;
DROP INDEX IF EXISTS audit_patient_action;
DROP INDEX IF EXISTS audit_patient_actor;
CREATE INDEX IF NOT EXISTS audit_patient ON audit_entries (patient, id, block);
CREATE INDEX IF NOT EXISTS audit_patient_action ON audit_entries (patient, action, id, block);
CREATE INDEX IF NOT EXISTS audit_patient_actor ON audit_entries (patient, actor, id, action, block);
";

/// Version 5, PostgreSQL only: autovacuum marks the audit table's pages all-visible after
/// every 1% of new rows (by default after 20%), so that the index-only scans need not visit
/// the rows of the newest entries, which searches newest first read most. (SQLite's
/// covering indexes never visit the table.)
pub(super) const SCHEMA_V5_POSTGRES: &str =
    "ALTER TABLE audit_entries SET (autovacuum_vacuum_insert_scale_factor = 0.01);";

/// An EHR event of a block, in the block's event order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EhrEvent {
    /// A notification stored in a recipient's inbox.
    Notification {
        /// The event's index in the block.
        event_index: u32,
        /// The transaction that caused it (`0x` txid).
        txid: String,
        /// Whose inbox.
        recipient: String,
        /// What happened (`access-granted`, `emergency-access`...).
        kind: String,
        /// The record, token or request it is about.
        reference: u64,
        /// Its place in the recipient's inbox.
        inbox_index: u64,
    },
    /// An access token moved.
    Token {
        /// The event's index in the block.
        event_index: u32,
        /// The transaction (`0x` txid).
        txid: String,
        /// The token.
        token_id: u64,
        /// How it moved.
        change: TokenChange,
    },
}

/// How an access token moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenChange {
    /// Issued to `to`.
    Minted {
        /// The holder.
        to: String,
    },
    /// Handed from `from` to `to`.
    Transferred {
        /// The former holder.
        from: String,
        /// The new holder.
        to: String,
    },
    /// Burnt (revoked) from `from`.
    Burnt {
        /// The last holder.
        from: String,
    },
}

/// A notification as the index serves it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotificationRow {
    /// Whose inbox.
    pub recipient: String,
    /// Its place in the inbox.
    pub index: u64,
    /// What happened.
    pub kind: String,
    /// The record, token or request it is about.
    pub reference: u64,
    /// The transaction that caused it.
    pub txid: String,
    /// The block's height.
    pub block_height: u64,
}

/// A live access token and its holder, from the token events.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenRow {
    /// The token.
    pub token_id: u64,
    /// Who holds it now.
    pub holder: String,
    /// The block of its last movement.
    pub block_height: u64,
}

/// A page of audit entries: filters, order and window.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only this patient's entries.
    pub patient: Option<String>,
    /// Only entries by this actor.
    pub actor: Option<String>,
    /// Only these actions (`log-access`, `grant-access`...); empty: any.
    pub actions: Vec<String>,
    /// Only entries written at or after this block.
    pub since_block: Option<u64>,
    /// Only entries written at or before this block.
    pub until_block: Option<u64>,
    /// Only entries whose canonical block's time (Unix seconds) is at or after this.
    pub since_time: Option<u64>,
    /// Only entries whose canonical block's time is at or before this.
    pub until_time: Option<u64>,
    /// Only entries after this id in the order asked (keyset paging).
    pub after: Option<u64>,
    /// Newest first.
    pub newest_first: bool,
    /// At most this many.
    pub limit: u32,
    /// After skipping this many.
    pub offset: u64,
}

/// The columns of `ehr_events`, in the order [`record_events`] gives their values.
const EVENT_COLUMNS: [&str; 11] = [
    "index_block_hash",
    "event_index",
    "txid",
    "block_height",
    "kind",
    "recipient",
    "sender",
    "token_id",
    "notification_kind",
    "ref",
    "inbox_index",
];

/// Stores a block's EHR events (in multi-row statements) and queues a webhook delivery
/// per notification.
pub(super) fn record_events(
    db: &mut dyn Sql,
    block: &BlockSeen,
    events: &[EhrEvent],
) -> Result<(), StoreError> {
    let mut values: Vec<Arg> = Vec::with_capacity(events.len() * EVENT_COLUMNS.len());
    for event in events {
        let (event_index, txid) = match event {
            EhrEvent::Notification {
                event_index, txid, ..
            }
            | EhrEvent::Token {
                event_index, txid, ..
            } => (*event_index, txid),
        };
        values.extend([
            Arg::from(&block.index_block_hash),
            Arg::from(event_index),
            Arg::from(txid),
            Arg::from(block.block_height),
        ]);
        match event {
            EhrEvent::Notification {
                recipient,
                kind,
                reference,
                inbox_index,
                ..
            } => values.extend([
                Arg::from("notification"),
                Arg::from(recipient),
                Arg::Text(None),
                Arg::Int(None),
                Arg::from(kind),
                Arg::from(*reference),
                Arg::from(*inbox_index),
            ]),
            EhrEvent::Token {
                token_id, change, ..
            } => {
                let (kind, sender, recipient) = match change {
                    TokenChange::Minted { to } => ("token_mint", None, Some(to)),
                    TokenChange::Transferred { from, to } => {
                        ("token_transfer", Some(from), Some(to))
                    }
                    TokenChange::Burnt { from } => ("token_burn", Some(from), None),
                };
                values.extend([
                    Arg::from(kind),
                    Arg::from(recipient),
                    Arg::from(sender),
                    Arg::from(*token_id),
                    Arg::Text(None),
                    Arg::Int(None),
                    Arg::Int(None),
                ]);
            }
        }
    }
    // No conflict clause: a block is stored once (a block seen again changes nothing
    // before this), so two events at one index are a malformed payload, refused.
    db.insert_rows("ehr_events", &EVENT_COLUMNS, &values, "")?;
    if !webhooks::any(db)? {
        return Ok(());
    }
    for event in events {
        if let EhrEvent::Notification {
            event_index,
            txid,
            recipient,
            kind,
            reference,
            inbox_index,
        } = event
        {
            let payload = serde_json::json!({
                "event": "notification",
                "recipient": recipient,
                "index": inbox_index,
                "kind": kind,
                "ref": reference,
                "txid": txid,
                "block_height": block.block_height,
                "index_block_hash": block.index_block_hash,
            });
            webhooks::enqueue(db, block, *event_index, recipient, &payload.to_string())?;
        }
    }
    Ok(())
}

/// Inserts audit entries, in multi-row statements (an entry read again replaces its row;
/// of one id given twice, the later wins).
fn insert_audit(db: &mut dyn Sql, entries: &[AuditEntry]) -> Result<(), StoreError> {
    // PostgreSQL refuses to update one row twice in a statement: one row per id.
    let mut last_of_id = std::collections::HashMap::with_capacity(entries.len());
    for (at, e) in entries.iter().enumerate() {
        last_of_id.insert(e.id, at);
    }
    let mut values: Vec<Arg> = Vec::with_capacity(entries.len() * 9);
    for (at, e) in entries.iter().enumerate() {
        if last_of_id.get(&e.id) != Some(&at) {
            continue;
        }
        values.extend([
            Arg::from(e.id as i64),
            Arg::from(&e.patient),
            Arg::from(&e.actor),
            Arg::from(&e.action),
            Arg::from(e.reference as i64),
            Arg::from(&e.details_hash),
            Arg::from(e.block as i64),
            Arg::from(&e.prev_hash),
            Arg::from(&e.entry_hash),
        ]);
    }
    db.insert_rows(
        "audit_entries",
        &[
            "id",
            "patient",
            "actor",
            "action",
            "ref",
            "details_hash",
            "block",
            "prev_hash",
            "entry_hash",
        ],
        &values,
        "ON CONFLICT (id) DO UPDATE SET patient = excluded.patient, actor = excluded.actor,
             action = excluded.action, ref = excluded.ref, details_hash = excluded.details_hash,
             block = excluded.block, prev_hash = excluded.prev_hash,
             entry_hash = excluded.entry_hash",
    )?;
    Ok(())
}

fn entry_from_row(r: &Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: u128::from(r.u64(0)?),
        patient: r.text(1)?,
        actor: r.text(2)?,
        action: r.text(3)?,
        reference: u128::from(r.u64(4)?),
        details_hash: r.text(5)?,
        block: u128::from(r.u64(6)?),
        prev_hash: r.text(7)?,
        entry_hash: r.text(8)?,
    })
}

fn entries(rows: Vec<Row>) -> Result<Vec<AuditEntry>, StoreError> {
    rows.iter().map(entry_from_row).collect()
}

const ENTRY_COLUMNS: &str =
    "id, patient, actor, action, ref, details_hash, block, prev_hash, entry_hash";

/// The two statements of an audit page, with their parameters: how many entries match
/// in all, and the page's entries.
pub(super) struct AuditStatements {
    /// `SELECT COUNT(*)` of the whole match.
    pub(super) total: String,
    /// Its parameters.
    pub(super) total_args: Vec<Arg>,
    /// The page's entries, in the order asked.
    pub(super) page: String,
    /// Its parameters.
    pub(super) page_args: Vec<Arg>,
}

impl AuditStatements {
    /// The statements answering `q`.
    pub(super) fn of(q: &AuditQuery) -> Self {
        let mut filter = String::from("1 = 1");
        let mut values: Vec<Arg> = Vec::new();
        // `clause` with its parameter's marker in place of `#`.
        let mut add = |clause: &str, value: Arg| {
            values.push(value);
            let marker = format!("?{}", values.len());
            filter.push_str(" AND ");
            filter.push_str(&clause.replace('#', &marker));
        };
        if let Some(p) = &q.patient {
            add("patient = #", p.into());
        }
        if let Some(a) = &q.actor {
            add("actor = #", a.into());
        }
        if let Some(b) = q.since_block {
            add("block >= #", b.into());
        }
        if let Some(b) = q.until_block {
            add("block <= #", b.into());
        }
        // An entry's time is its block's: the canonical block at the entry's height (the
        // contract's block-height, the Stacks height before epoch 3). Looked up per
        // entry the other filters leave (in `blocks_height`, which holds the time), not
        // as the set of every block in the time range, which grows with the chain.
        if let Some(t) = q.since_time {
            add(
                "EXISTS (SELECT 1 FROM blocks b WHERE b.block_height = audit_entries.block
                         AND b.canonical = 1 AND b.burn_block_time >= #)",
                t.into(),
            );
        }
        if let Some(t) = q.until_time {
            add(
                "EXISTS (SELECT 1 FROM blocks b WHERE b.block_height = audit_entries.block
                         AND b.canonical = 1 AND b.burn_block_time <= #)",
                t.into(),
            );
        }
        if !q.actions.is_empty() {
            let first = values.len() + 1;
            values.extend(q.actions.iter().map(Arg::from));
            let marks: Vec<String> = (first..=values.len()).map(|n| format!("?{n}")).collect();
            filter.push_str(&format!(" AND action IN ({})", marks.join(", ")));
        }
        let order = if q.newest_first { "DESC" } else { "ASC" };
        // The total counts the whole match; the keyset bound only places the page.
        let mut page_filter = filter.clone();
        let mut page_args = values.clone();
        if let Some(after) = q.after {
            page_args.push(after.into());
            let cmp = if q.newest_first { "<" } else { ">" };
            page_filter.push_str(&format!(" AND id {cmp} ?{}", page_args.len()));
        }
        AuditStatements {
            total: format!("SELECT COUNT(*) FROM audit_entries WHERE {filter}"),
            total_args: values,
            // The page's ids first, from the index alone (a patient's audit indexes hold
            // every column the filters name), then only those entries' rows: the rows
            // the filters pass over are never read.
            page: format!(
                "SELECT {ENTRY_COLUMNS} FROM audit_entries page WHERE id IN (
                     SELECT id FROM audit_entries WHERE {page_filter}
                     ORDER BY id {order} LIMIT {} OFFSET {})
                 ORDER BY id {order}",
                q.limit, q.offset
            ),
            page_args,
        }
    }
}

impl Store {
    /// The id of the first audit entry the index does not hold yet: entries are read
    /// in order, so this is one past the highest held.
    pub fn audit_next_id(&self) -> Result<u64, StoreError> {
        let max = self.read(
            |db| match db.first("SELECT MAX(id) FROM audit_entries", &[])? {
                Some(row) => row.opt_u64(0),
                None => Ok(None),
            },
        )?;
        Ok(max.map_or(0, |m| m + 1))
    }

    /// Audit entry `id`, if held.
    pub fn audit_entry(&self, id: u64) -> Result<Option<AuditEntry>, StoreError> {
        self.read(|db| {
            db.first(
                &format!("SELECT {ENTRY_COLUMNS} FROM audit_entries WHERE id = ?1"),
                args![id],
            )?
            .as_ref()
            .map(entry_from_row)
            .transpose()
        })
    }

    /// How many forks the store has seen: read it before reading the chain, and give it
    /// to [`Store::add_audit_if`].
    pub fn fork_generation(&self) -> u64 {
        self.forks.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Stores `entries` (as [`Store::add_audit`]) unless a fork came after `generation`
    /// was read: then what was read may be the losing branch's, and `false` says so.
    pub fn add_audit_if(
        &self,
        entries: &[AuditEntry],
        generation: u64,
    ) -> Result<bool, StoreError> {
        // Blocks (and so forks) are written under the same connection lock: no fork can
        // come between the check and the insert.
        self.write(|db| {
            if self.fork_generation() != generation {
                return Ok(false);
            }
            insert_audit(db, entries)?;
            Ok(true)
        })
    }

    /// Forgets audit entries from `id` on (they came from a branch the chain left).
    pub fn forget_audit_from_id(&self, id: u64) -> Result<(), StoreError> {
        self.write(|db| {
            db.execute("DELETE FROM audit_entries WHERE id >= ?1", args![id])?;
            Ok(())
        })
    }

    /// Stores audit entries read from the node (an entry read again replaces its row).
    pub fn add_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        self.write(|db| insert_audit(db, entries))
    }

    /// A page of audit entries and how many match in all.
    pub fn audit(&self, q: &AuditQuery) -> Result<(u64, Vec<AuditEntry>), StoreError> {
        let statements = AuditStatements::of(q);
        self.read(|db| {
            let total = match db.first(&statements.total, &statements.total_args)? {
                Some(row) => row.u64(0)?,
                None => 0,
            };
            let rows = db.query(&statements.page, &statements.page_args)?;
            Ok((total, entries(rows)?))
        })
    }

    /// Calls `each` with every audit entry in id order, `batch` at a time (for
    /// `ehr index verify`, whatever the log's size).
    pub fn each_audit_batch(
        &self,
        batch: u32,
        each: &mut dyn FnMut(&[AuditEntry]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut after: i64 = -1;
        loop {
            let rows = self.read(|db| {
                entries(db.query(
                    &format!(
                        "SELECT {ENTRY_COLUMNS} FROM audit_entries WHERE id > ?1 ORDER BY id LIMIT ?2"
                    ),
                    args![after, batch],
                )?)
            })?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.id as i64;
            each(&rows)?;
        }
    }

    /// A recipient's notifications on the canonical chain, newest first.
    pub fn notifications(
        &self,
        recipient: &str,
        limit: u32,
        offset: u64,
    ) -> Result<Vec<NotificationRow>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT e.recipient, e.inbox_index, e.notification_kind, e.ref, e.txid, e.block_height
                 FROM ehr_events e JOIN blocks b ON b.index_block_hash = e.index_block_hash
                 WHERE e.recipient = ?1 AND e.kind = 'notification' AND b.canonical = 1
                 ORDER BY e.block_height DESC, e.event_index DESC LIMIT ?2 OFFSET ?3",
                args![recipient, limit, offset],
            )?
            .iter()
            .map(|r| {
                Ok(NotificationRow {
                    recipient: r.text(0)?,
                    index: r.u64(1)?,
                    kind: r.text(2)?,
                    reference: r.u64(3)?,
                    txid: r.text(4)?,
                    block_height: r.u64(5)?,
                })
            })
            .collect()
        })
    }

    /// The tokens `holder` holds now, from the canonical chain's token events: each token
    /// it ever received whose latest movement left it with `holder`.
    pub fn tokens_held(&self, holder: &str) -> Result<Vec<TokenRow>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT token_id, recipient, block_height FROM (
                     SELECT e.token_id, e.recipient, e.block_height, ROW_NUMBER() OVER (
                         PARTITION BY e.token_id ORDER BY e.block_height DESC, e.event_index DESC) AS n
                     FROM ehr_events e JOIN blocks b ON b.index_block_hash = e.index_block_hash
                     WHERE b.canonical = 1 AND e.kind LIKE 'token_%' AND e.token_id IN (
                         SELECT token_id FROM ehr_events WHERE recipient = ?1 AND kind LIKE 'token_%'))
                     AS latest
                 WHERE n = 1 AND recipient = ?1 ORDER BY token_id",
                args![holder],
            )?
            .iter()
            .map(|r| {
                Ok(TokenRow {
                    token_id: r.u64(0)?,
                    holder: r.text(1)?,
                    block_height: r.u64(2)?,
                })
            })
            .collect()
        })
    }

    /// The holder of `token_id` now, from the token events (`None`: burnt or never seen).
    pub fn token_holder(&self, token_id: u64) -> Result<Option<String>, StoreError> {
        self.read(|db| {
            match db.first(
                "SELECT e.recipient FROM ehr_events e
             JOIN blocks b ON b.index_block_hash = e.index_block_hash
             WHERE b.canonical = 1 AND e.token_id = ?1 AND e.kind LIKE 'token_%'
             ORDER BY e.block_height DESC, e.event_index DESC LIMIT 1",
                args![token_id],
            )? {
                Some(row) => row.opt_text(0),
                None => Ok(None),
            }
        })
    }

    /// Every token id the events name, ascending.
    pub fn token_ids(&self) -> Result<Vec<u64>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT DISTINCT token_id FROM ehr_events WHERE kind LIKE 'token_%' ORDER BY token_id",
                &[],
            )?
            .iter()
            .map(|r| r.u64(0))
            .collect()
        })
    }
}
