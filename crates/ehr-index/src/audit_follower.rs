//! The audit follower: the audit log keeps its entries in contract maps (no event carries
//! them), so after each indexed block the follower reads the entries the index lacks from
//! the node (`get-entry-count`, then `get-entry` for each new id). Each new entry must link
//! to the one before it (its `prev-hash`); one that does not means the entries held came
//! from a branch the chain has left, and the follower steps back and reads again.

use std::sync::Arc;
use std::time::Duration;

use ehr_sdk::audit::AuditEntry;
use ehr_sdk::ehr::{ClientError, EhrClient};
use tokio::sync::watch;

use crate::store::{Store, StoreError};

/// Why a round of following failed (said on stderr; the next block tries again).
#[derive(Debug, thiserror::Error)]
pub(crate) enum FollowError {
    #[error("reading the audit log from the node: {0}")]
    Node(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How many entries are read before they are stored.
const BATCH: u64 = 64;

/// Follows until `stop` says so: a round after each block (`ingested` changes) and every
/// few seconds.
pub(crate) async fn run(
    store: Arc<Store>,
    client: EhrClient,
    mut ingested: watch::Receiver<u64>,
    mut stop: watch::Receiver<bool>,
) {
    // Said once per distinct failure, and again when it clears.
    let mut failing: Option<String> = None;
    loop {
        match catch_up(&store, &client).await {
            Ok(_) if failing.is_some() => {
                eprintln!("ehr index: audit follower: reading the audit log again");
                failing = None;
            }
            Ok(_) => {}
            Err(e) => {
                let said = e.to_string();
                if failing.as_deref() != Some(said.as_str()) {
                    eprintln!("ehr index: audit follower: {said} (retrying after each block)");
                    failing = Some(said);
                }
            }
        }
        tokio::select! {
            _ = ingested.changed() => {}
            () = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// Reads what the index lacks, up to the node's entry count; returns how many were added.
///
/// First the entries held last are checked against the chain, newest first, and dropped
/// while they differ (a fork took them away; this does not depend on what unit the
/// contract's `block` field counts in). Then each new entry must link to the one before
/// it, and a batch is stored only if no fork came while it was read.
pub(crate) async fn catch_up(store: &Store, client: &EhrClient) -> Result<u64, FollowError> {
    let count = match client.get_entry_count().await {
        Ok(count) => count,
        // Nothing to follow until the contracts are published.
        Err(ClientError::NotDeployed { .. }) => return Ok(0),
        Err(other) => return Err(other.into()),
    };
    let generation = store.fork_generation();
    let mut next = store.audit_next_id()?;
    while next > 0 {
        let held = store.audit_entry(next - 1)?;
        if held.is_some() && client.get_entry(next - 1).await? == held {
            break;
        }
        store.forget_audit_from_id(next - 1)?;
        next -= 1;
    }
    let mut prev = match next {
        0 => Some(hex::encode([0u8; 32])),
        n => store.audit_entry(n - 1)?.map(|e| e.entry_hash),
    };
    let mut added = 0;
    while next < count {
        let upto = (next + BATCH).min(count);
        let mut entries: Vec<AuditEntry> = Vec::with_capacity((upto - next) as usize);
        for id in next..upto {
            match client.get_entry(id).await? {
                Some(entry) => {
                    // Each entry links to the one before: a break means the chain moved
                    // under the reads (a fork); the next round starts over.
                    if prev.as_deref() != Some(entry.prev_hash.as_str()) {
                        break;
                    }
                    prev = Some(entry.entry_hash.clone());
                    entries.push(entry);
                }
                None => break,
            }
        }
        if entries.is_empty() || !store.add_audit_if(&entries, generation)? {
            break;
        }
        added += entries.len() as u64;
        next += entries.len() as u64;
        if next < upto {
            break;
        }
    }
    Ok(added)
}
