//! Webhook subscriptions and their deliveries, in the index's own database: a delivery is
//! queued in the same database transaction as the block that carries its notification, so
//! a crash can neither lose one nor queue one twice. Deliveries to one webhook go in the
//! order they were queued (the oldest undelivered blocks the rest), at least once.

use super::sql::{args, Row, Sql};
use super::{BlockSeen, Store, StoreError};

/// Version 3, webhook part.
pub(super) const SCHEMA_V3: &str = "
CREATE TABLE IF NOT EXISTS webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    recipient TEXT,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    index_block_hash TEXT NOT NULL,
    event_index INTEGER NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead', 'orphaned')),
    attempts INTEGER NOT NULL DEFAULT 0,
    queued_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    UNIQUE (webhook_id, index_block_hash, event_index)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (webhook_id, state, seq);
";

/// A subscription: notifications (all, or one recipient's) are POSTed to `url`, signed
/// with its secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Webhook {
    /// Its id.
    pub id: i64,
    /// Where deliveries go.
    pub url: String,
    /// The HMAC-SHA256 key (never printed by listings).
    #[serde(skip)]
    pub secret: String,
    /// Only this recipient's notifications (`None`: everyone's).
    pub recipient: Option<String>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not yet accepted by the receiver.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up after retrying for the configured time: in the dead-letter list, to
    /// replay.
    Dead,
    /// Its block left the canonical chain (a fork) before it was delivered.
    Orphaned,
}

impl DeliveryState {
    fn parse(word: &str) -> Self {
        match word {
            "delivered" => DeliveryState::Delivered,
            "dead" => DeliveryState::Dead,
            "orphaned" => DeliveryState::Orphaned,
            _ => DeliveryState::Pending,
        }
    }
}

/// One notification queued for one webhook.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Delivery {
    /// Its place in the queue (ascending = the order of delivery).
    pub seq: i64,
    /// The webhook.
    pub webhook_id: i64,
    /// The JSON body.
    pub payload: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts so far.
    pub attempts: u32,
    /// When it was queued (Unix seconds).
    pub queued_at: i64,
    /// The last failure.
    pub last_error: Option<String>,
}

/// Whether any webhook is subscribed (nothing is queued otherwise).
pub(super) fn any(db: &mut dyn Sql) -> Result<bool, StoreError> {
    db.exists("SELECT 1 FROM webhooks LIMIT 1", &[])
}

/// Queues `payload` for every webhook that wants `recipient`'s notifications.
pub(super) fn enqueue(
    db: &mut dyn Sql,
    block: &BlockSeen,
    event_index: u32,
    recipient: &str,
    payload: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO deliveries (webhook_id, index_block_hash, event_index, payload, state,
             queued_at, next_attempt_at)
         SELECT id, CAST(?1 AS TEXT), CAST(?2 AS BIGINT), CAST(?3 AS TEXT), 'pending',
                CAST(?4 AS BIGINT), CAST(?4 AS BIGINT)
         FROM webhooks WHERE recipient IS NULL OR recipient = ?5
         ON CONFLICT DO NOTHING",
        args![
            &block.index_block_hash,
            event_index,
            payload,
            unix_now(),
            recipient
        ],
    )?;
    Ok(())
}

/// Seconds since 1970.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

const DELIVERY_COLUMNS: &str =
    "d.seq, d.webhook_id, d.payload, d.state, d.attempts, d.queued_at, d.last_error";

fn delivery_from_row(r: &Row) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        seq: r.int(0)?,
        webhook_id: r.int(1)?,
        payload: r.text(2)?,
        state: DeliveryState::parse(&r.text(3)?),
        attempts: u32::try_from(r.int(4)?)
            .map_err(|_| StoreError::Column("attempts beyond u32".into()))?,
        queued_at: r.int(5)?,
        last_error: r.opt_text(6)?,
    })
}

impl Store {
    /// Subscribes `url` to notifications (of `recipient` only, if given); returns its id.
    /// Notifications of blocks indexed from now on are delivered.
    pub fn add_webhook(
        &self,
        url: &str,
        secret: &str,
        recipient: Option<&str>,
    ) -> Result<i64, StoreError> {
        self.write(|db| {
            db.first(
                "INSERT INTO webhooks (url, secret, recipient, created_at) VALUES (?1, ?2, ?3, ?4)
                 RETURNING id",
                args![url, secret, recipient, unix_now()],
            )?
            .ok_or_else(|| StoreError::Column("INSERT ... RETURNING gave no id".into()))?
            .int(0)
        })
    }

    /// Removes a subscription and its queue; `false` if there was none.
    pub fn remove_webhook(&self, id: i64) -> Result<bool, StoreError> {
        self.write(|db| {
            db.execute("DELETE FROM deliveries WHERE webhook_id = ?1", args![id])?;
            Ok(db.execute("DELETE FROM webhooks WHERE id = ?1", args![id])? > 0)
        })
    }

    /// Every subscription.
    pub fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT id, url, secret, recipient FROM webhooks ORDER BY id",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(Webhook {
                    id: r.int(0)?,
                    url: r.text(1)?,
                    secret: r.text(2)?,
                    recipient: r.opt_text(3)?,
                })
            })
            .collect()
        })
    }

    /// For each webhook, the oldest undelivered delivery if it is due at `now`: one at a
    /// time per webhook keeps each receiver's notifications in order. A delivery whose
    /// block has left the canonical chain is set aside as orphaned on the way.
    pub fn due_deliveries(&self, now: i64) -> Result<Vec<(Webhook, Delivery)>, StoreError> {
        let due = self.write(|db| {
            db.execute(
                "UPDATE deliveries SET state = 'orphaned' WHERE state = 'pending' AND index_block_hash IN
                     (SELECT index_block_hash FROM blocks WHERE canonical = 0)",
                &[],
            )?;
            db.query(
                &format!(
                    "SELECT {DELIVERY_COLUMNS}, w.url, w.secret, w.recipient, d.next_attempt_at
                     FROM webhooks w JOIN deliveries d ON d.seq = (
                         SELECT seq FROM deliveries WHERE webhook_id = w.id AND state = 'pending'
                         ORDER BY seq LIMIT 1)"
                ),
                &[],
            )?
            .iter()
            .map(|r| {
                Ok((
                    Webhook {
                        id: r.int(1)?,
                        url: r.text(7)?,
                        secret: r.text(8)?,
                        recipient: r.opt_text(9)?,
                    },
                    delivery_from_row(r)?,
                    r.int(10)?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()
        })?;
        Ok(due
            .into_iter()
            .filter(|(_, _, next)| *next <= now)
            .map(|(w, d, _)| (w, d))
            .collect())
    }

    /// The receiver took delivery `seq`.
    pub fn delivered(&self, seq: i64) -> Result<(), StoreError> {
        self.write(|db| {
            db.execute(
                "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1,
                     last_error = NULL
                 WHERE seq = ?1",
                args![seq],
            )?;
            Ok(())
        })
    }

    /// Delivery `seq` failed with `error`: tried again at `next_attempt_at`, or, with
    /// `give_up`, moved to the dead-letter list.
    pub fn delivery_failed(
        &self,
        seq: i64,
        error: &str,
        next_attempt_at: i64,
        give_up: bool,
    ) -> Result<(), StoreError> {
        self.write(|db| {
            db.execute(
                "UPDATE deliveries SET attempts = attempts + 1, last_error = ?2,
                     next_attempt_at = ?3, state = CASE WHEN ?4 THEN 'dead' ELSE state END
                 WHERE seq = ?1",
                args![seq, error, next_attempt_at, give_up],
            )?;
            Ok(())
        })
    }

    /// The deliveries given up on, oldest first.
    pub fn dead_letters(&self) -> Result<Vec<Delivery>, StoreError> {
        self.read(|db| {
            db.query(
                &format!(
                    "SELECT {DELIVERY_COLUMNS} FROM deliveries d WHERE d.state = 'dead'
                     ORDER BY d.seq"
                ),
                &[],
            )?
            .iter()
            .map(delivery_from_row)
            .collect()
        })
    }

    /// Puts dead deliveries (one, or all with `None`) back in their queues, due now;
    /// returns how many.
    pub fn replay(&self, seq: Option<i64>) -> Result<usize, StoreError> {
        self.write(|db| {
            Ok(db.execute(
                "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?2,
                     queued_at = ?2
                 WHERE state = 'dead' AND (CAST(?1 AS BIGINT) IS NULL OR seq = ?1)",
                args![seq, unix_now()],
            )? as usize)
        })
    }

    /// Delivery `seq`, if it exists.
    pub fn delivery(&self, seq: i64) -> Result<Option<Delivery>, StoreError> {
        self.read(|db| {
            db.first(
                &format!("SELECT {DELIVERY_COLUMNS} FROM deliveries d WHERE d.seq = ?1"),
                args![seq],
            )?
            .as_ref()
            .map(delivery_from_row)
            .transpose()
        })
    }
}
