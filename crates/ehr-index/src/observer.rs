//! The event observer side: the routes a stacks-node POSTs to when its config names this
//! server in an `[[events_observer]]` (with `events_keys = ["*"]`, or at least `memtx`
//! for pending and dropped transactions).
//!
//! A node retries a delivery until it gets 200, so every payload is stored before the
//! answer, a payload that does not have the node's shape is refused with 400 (and said on
//! standard error: the node will retry it, stalling loudly rather than losing it), and
//! payloads the index does not use are acknowledged without being read.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use ehr_sdk::tx::Transaction;
use serde::Deserialize;

use tokio::sync::watch;

use crate::events::{ehr_events, EhrContracts, RawEvent};
use crate::store::{Applied, BlockSeen, MinedTx, Seen, Store};

/// What the observer routes share.
#[derive(Clone)]
pub struct ObserverState {
    /// The database.
    pub store: Arc<Store>,
    /// The EHR deployment's contracts, to pick their events out.
    pub contracts: Arc<EhrContracts>,
    /// Counts stored blocks: the audit follower and the webhook pusher watch it.
    pub ingested: Arc<watch::Sender<u64>>,
}

/// The largest event payload taken: far above a full block's (2 MB of transactions,
/// doubled by hex, with events and contract ABIs).
const MAX_PAYLOAD: usize = 64 * 1024 * 1024;

/// The routes a node posts to.
pub fn routes(state: ObserverState) -> Router {
    Router::new()
        .route("/new_block", post(new_block))
        .route("/new_mempool_tx", post(new_mempool_tx))
        .route("/drop_mempool_tx", post(drop_mempool_tx))
        // Delivered to every observer, of no use to a transaction index.
        .fallback(post(|| async { StatusCode::OK }))
        // A node retries a refused delivery for ever: a block bigger than axum's 2 MiB
        // default (a full block's transactions in hex, with their events and ABIs) must
        // get in, or the index would stop at it.
        .layer(DefaultBodyLimit::max(MAX_PAYLOAD))
        .with_state(state)
}

/// A refused payload or a failed write: the node retries it.
#[derive(Debug, thiserror::Error)]
enum ObserverError {
    #[error("{route}: not a stacks-node event payload: {reason}")]
    Shape { route: &'static str, reason: String },
    #[error("{route}: cannot store it: {source}")]
    Store {
        route: &'static str,
        source: crate::store::StoreError,
    },
}

impl IntoResponse for ObserverError {
    fn into_response(self) -> Response {
        eprintln!("ehr index: {self}");
        let status = match self {
            ObserverError::Shape { .. } => StatusCode::BAD_REQUEST,
            ObserverError::Store { .. } => StatusCode::SERVICE_UNAVAILABLE,
        };
        (status, self.to_string()).into_response()
    }
}

#[derive(Deserialize)]
struct Block {
    block_height: u64,
    index_block_hash: String,
    parent_index_block_hash: String,
    /// The Unix time of the block's burn block (stacks-node sends it; older payloads and
    /// other senders may not).
    #[serde(default)]
    burn_block_time: Option<u64>,
    transactions: Vec<BlockTx>,
    #[serde(default)]
    events: Vec<RawEvent>,
}

/// The statuses a node gives a block's transactions.
const STATUSES: [&str; 4] = [
    "success",
    "abort_by_response",
    "abort_by_post_condition",
    "problematic_skipped",
];

#[derive(Deserialize)]
struct BlockTx {
    txid: String,
    tx_index: u32,
    status: String,
    raw_result: String,
    raw_tx: String,
    #[serde(default)]
    vm_error: Option<String>,
}

#[derive(Deserialize)]
struct Dropped {
    dropped_txids: Vec<String>,
    reason: String,
    #[serde(default)]
    new_txid: Option<String>,
}

fn shape(route: &'static str) -> impl Fn(String) -> ObserverError {
    move |reason| ObserverError::Shape { route, reason }
}

fn stored(route: &'static str) -> impl Fn(crate::store::StoreError) -> ObserverError {
    move |source| ObserverError::Store { route, source }
}

/// What a raw transaction says of itself. The txid is computed from the bytes (the one
/// rule the SDK uses everywhere), and must match the one the node sent beside them.
fn seen(raw_hex: &str, announced: Option<&str>) -> Result<Seen, String> {
    let tx = Transaction::from_hex(raw_hex).map_err(|e| format!("raw_tx: {e}"))?;
    let txid = format!("0x{}", tx.txid());
    if let Some(announced) = announced {
        if !announced.eq_ignore_ascii_case(&txid) {
            return Err(format!(
                "txid {announced} does not match its raw_tx ({txid})"
            ));
        }
    }
    let stx = tx.as_stacks();
    Ok(Seen {
        txid,
        sender: stx.origin_address().to_string(),
        nonce: stx.get_origin_nonce(),
        fee: stx.get_tx_fee(),
    })
}

async fn new_block(
    State(state): State<ObserverState>,
    body: Bytes,
) -> Result<StatusCode, ObserverError> {
    const ROUTE: &str = "/new_block";
    let block: Block = serde_json::from_slice(&body).map_err(|e| shape(ROUTE)(e.to_string()))?;
    let hash = |name: &str, text: &str| {
        normalise_hash(text)
            .ok_or_else(|| shape(ROUTE)(format!("{name} `{text}` is not 32 bytes of hex")))
    };
    let seen_block = BlockSeen {
        block_height: block.block_height,
        index_block_hash: hash("index_block_hash", &block.index_block_hash)?,
        parent_index_block_hash: hash("parent_index_block_hash", &block.parent_index_block_hash)?,
        burn_block_time: block.burn_block_time,
    };
    let mut txs = Vec::with_capacity(block.transactions.len());
    for tx in &block.transactions {
        // Burnchain operations carry no Stacks transaction ("00"), and coinbases and
        // tenure changes are no wallet's to follow: only what a client can broadcast is
        // indexed. A wallet transaction that does not decode here is said, not hidden.
        if tx.raw_tx.trim_start_matches("0x") == "00" {
            continue;
        }
        let seen = match seen(&tx.raw_tx, Some(&tx.txid)) {
            Ok(seen) => seen,
            Err(reason) => {
                eprintln!(
                    "ehr index: block {}: not indexing transaction {}: {reason}",
                    block.block_height, tx.txid
                );
                continue;
            }
        };
        if !STATUSES.contains(&tx.status.as_str()) {
            return Err(shape(ROUTE)(format!(
                "transaction {}: status `{}`",
                tx.txid, tx.status
            )));
        }
        let result_hex = normalise_hex(&tx.raw_result).ok_or_else(|| {
            shape(ROUTE)(format!(
                "transaction {}: raw_result `{}` is not hex",
                tx.txid, tx.raw_result
            ))
        })?;
        txs.push(MinedTx {
            seen,
            status: tx.status.clone(),
            result_hex,
            tx_index: tx.tx_index,
            vm_error: tx.vm_error.clone(),
        });
    }
    let events = ehr_events(&state.contracts, &block.events).map_err(shape(ROUTE))?;
    let applied = state
        .store
        .block(&seen_block, &txs, &events)
        .map_err(stored(ROUTE))?;
    if applied != Applied::AlreadyKnown {
        state.ingested.send_modify(|n| *n += 1);
    }
    Ok(StatusCode::OK)
}

async fn new_mempool_tx(
    State(ObserverState { store, .. }): State<ObserverState>,
    body: Bytes,
) -> Result<StatusCode, ObserverError> {
    const ROUTE: &str = "/new_mempool_tx";
    let raws: Vec<String> =
        serde_json::from_slice(&body).map_err(|e| shape(ROUTE)(e.to_string()))?;
    let txs = raws
        .iter()
        .map(|raw| seen(raw, None))
        .collect::<Result<Vec<_>, _>>()
        .map_err(shape(ROUTE))?;
    store.pending(&txs).map_err(stored(ROUTE))?;
    Ok(StatusCode::OK)
}

async fn drop_mempool_tx(
    State(ObserverState { store, .. }): State<ObserverState>,
    body: Bytes,
) -> Result<StatusCode, ObserverError> {
    const ROUTE: &str = "/drop_mempool_tx";
    let dropped: Dropped =
        serde_json::from_slice(&body).map_err(|e| shape(ROUTE)(e.to_string()))?;
    let txids: Vec<String> = dropped
        .dropped_txids
        .iter()
        .map(|t| normalise_txid(t).ok_or_else(|| format!("dropped txid `{t}`")))
        .collect::<Result<_, _>>()
        .map_err(shape(ROUTE))?;
    let replaced_by = match &dropped.new_txid {
        Some(t) => Some(normalise_txid(t).ok_or_else(|| shape(ROUTE)(format!("new_txid `{t}`")))?),
        None => None,
    };
    store
        .dropped(&txids, &dropped.reason, replaced_by.as_deref())
        .map_err(stored(ROUTE))?;
    Ok(StatusCode::OK)
}

/// `0x` and 64 lowercase hex digits, from a txid with or without the prefix.
pub(crate) fn normalise_txid(text: &str) -> Option<String> {
    normalise_hash(text)
}

/// `0x` and 64 lowercase hex digits, from a 32-byte hash with or without the prefix.
fn normalise_hash(text: &str) -> Option<String> {
    normalise_hex(text).filter(|hex| hex.len() == 66)
}

/// `0x` and lowercase hex of whole bytes, from hex with or without the prefix: nothing
/// else is stored, so the API never serves what a node did not send as hex.
fn normalise_hex(text: &str) -> Option<String> {
    let bare = text.strip_prefix("0x").unwrap_or(text);
    (!bare.is_empty() && bare.len() % 2 == 0 && bare.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("0x{}", bare.to_ascii_lowercase()))
}
