//! Where mined blocks go besides the chain: stacks-node event observers (HTTP POSTs in
//! order, retried with exponential backoff until they answer 200, without ever holding
//! up the chain) and the server-sent-events stream of `GET /devnet/events`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use clarity::vm::types::QualifiedContractIdentifier;
use ehr_sdk::devnet_config::EventObserver;
use serde_json::Value as Json;
use tokio::sync::{broadcast, mpsc};

use clarity::vm::costs::ExecutionCost;
use serde_json::json;

use super::admission::Checked;
use super::execute::Outcome;
use super::json;
use super::store::DropReason;
use super::DevnetError;
use crate::chain::BlockHeader;
use crate::simnet::{Cost, Event, ValueRepr};

/// First retry delay; it doubles up to three times the observer's timeout.
const FIRST_RETRY: Duration = Duration::from_millis(100);

/// What one observer subscribed to (`events_keys`).
#[derive(Debug, Default)]
struct Keys {
    any: bool,
    stx: bool,
    mempool: bool,
    burn_blocks: bool,
    /// `(contract, topic)` of contract events.
    contract_events: BTreeSet<(String, String)>,
    /// `ADDR.contract::asset` of FT/NFT events.
    assets: BTreeSet<String>,
}

impl Keys {
    fn parse(observer: &EventObserver) -> Result<Keys, DevnetError> {
        let mut keys = Keys::default();
        for key in &observer.events_keys {
            match key.as_str() {
                "*" => keys.any = true,
                "stx" => keys.stx = true,
                "memtx" => keys.mempool = true,
                "burn_blocks" => keys.burn_blocks = true,
                // Valid for a node; this devnet has no microblocks, StackerDB or signers.
                "microblocks" | "stackerdb" | "block_proposal" | "miner" => {}
                other => keys.parse_filter(other).ok_or_else(|| {
                    DevnetError::Config(format!(
                        "events observer {}: invalid events_keys entry `{other}` (use \"*\", \"stx\", \"memtx\", \"burn_blocks\", \"ADDR.contract::print\" or \"ADDR.contract.asset\")",
                        observer.endpoint
                    ))
                })?,
            }
        }
        Ok(keys)
    }

    fn parse_filter(&mut self, key: &str) -> Option<()> {
        if let Some((contract, topic)) = key.split_once("::") {
            let contract = QualifiedContractIdentifier::parse(contract).ok()?;
            self.contract_events
                .insert((contract.to_string(), topic.to_string()));
            return Some(());
        }
        let (contract, asset) = key.rsplit_once('.')?;
        let contract = QualifiedContractIdentifier::parse(contract).ok()?;
        clarity::vm::ClarityName::try_from(asset.to_string()).ok()?;
        self.assets.insert(format!("{contract}::{asset}"));
        Some(())
    }

    fn wants(&self, event: &Event) -> bool {
        if self.any {
            return true;
        }
        match event {
            Event::Print { contract, .. } => self
                .contract_events
                .contains(&(contract.clone(), "print".to_string())),
            Event::StxTransfer { .. }
            | Event::StxMint { .. }
            | Event::StxBurn { .. }
            | Event::StxLock { .. } => self.stx,
            Event::FtTransfer { asset, .. }
            | Event::FtMint { asset, .. }
            | Event::FtBurn { asset, .. }
            | Event::NftTransfer { asset, .. }
            | Event::NftMint { asset, .. }
            | Event::NftBurn { asset, .. } => self.assets.contains(asset),
        }
    }
}

struct Observer {
    keys: Keys,
    queue: mpsc::UnboundedSender<(&'static str, Arc<Json>)>,
}

/// The block and mempool feeds: observers and the SSE stream.
pub(crate) struct Feeds {
    observers: Vec<Observer>,
    stream: broadcast::Sender<Arc<str>>,
}

/// One event of a block, with what the observer payload needs to place it.
struct BlockEvent<'a> {
    event: &'a Event,
    /// Its transaction (`0x…`).
    txid: String,
    /// Its index in the block.
    index: usize,
}

/// A transaction of a mined block, as the feeds describe it.
pub(crate) struct MinedTx<'a> {
    /// The transaction.
    pub tx: &'a Checked,
    /// Its index in the block.
    pub index: u32,
    /// What it did.
    pub outcome: &'a Outcome,
}

impl Feeds {
    /// Starts one delivery task per observer on the current runtime.
    pub fn start(
        observers: &[EventObserver],
        stream: broadcast::Sender<Arc<str>>,
    ) -> Result<Feeds, DevnetError> {
        let mut started = Vec::with_capacity(observers.len());
        for observer in observers {
            let keys = Keys::parse(observer)?;
            let (queue, incoming) = mpsc::unbounded_channel();
            tokio::spawn(deliver(
                observer.endpoint.clone(),
                Duration::from_millis(observer.timeout_ms.max(1)),
                incoming,
            ));
            started.push(Observer { keys, queue });
        }
        Ok(Feeds {
            observers: started,
            stream,
        })
    }

    /// `/new_mempool_tx` for a transaction just accepted.
    pub fn mempool_tx(&self, raw: &[u8]) {
        let body = Arc::new(Json::Array(vec![Json::String(json::hex0x(raw))]));
        for o in self
            .observers
            .iter()
            .filter(|o| o.keys.any || o.keys.mempool)
        {
            let _ = o.queue.send(("/new_mempool_tx", body.clone()));
        }
    }

    /// `/drop_mempool_tx` for transactions that left the mempool unmined, with the node's
    /// reason word and the replacing transaction.
    pub fn dropped_txs(
        &self,
        txids: &[[u8; 32]],
        reason: DropReason,
        replaced_by: Option<&[u8; 32]>,
    ) {
        let body = Arc::new(json!({
            "dropped_txids": txids.iter().map(|t| json::hex0x(t)).collect::<Vec<_>>(),
            "reason": reason.node_word(),
            "new_txid": replaced_by.map(|t| json::hex0x(t)),
        }));
        for o in self
            .observers
            .iter()
            .filter(|o| o.keys.any || o.keys.mempool)
        {
            let _ = o.queue.send(("/drop_mempool_tx", body.clone()));
        }
    }

    /// `/new_burn_block` and `/new_block` (with each observer's events) for a mined
    /// block, and its message on the SSE stream.
    pub fn block(&self, block: &BlockHeader, parent: Option<&BlockHeader>, mined: &[MinedTx<'_>]) {
        let mut events = Vec::new();
        let mut transactions = Vec::new();
        let mut stream_txs = Vec::new();
        let mut total = ExecutionCost::zero();
        for MinedTx { tx, index, outcome } in mined {
            let txid = json::hex0x(&tx.txid);
            // Sums of real costs stay far below u64::MAX.
            let _ = total.add(&ExecutionCost::from(outcome.cost));
            let interface = outcome
                .contract_interface
                .as_ref()
                .and_then(|i| serde_json::to_value(i).ok());
            let result = ValueRepr::of(&outcome.result);
            transactions.push(json!({
                "txid": txid, "tx_index": index, "status": outcome.status.name(),
                "raw_result": result.hex, "raw_tx": json::hex0x(&tx.raw),
                "contract_interface": interface, "contract_abi": interface,
                "burnchain_op": null, "execution_cost": json::cost(&outcome.cost),
                "microblock_sequence": null, "microblock_hash": null,
                "microblock_parent_hash": null, "vm_error": outcome.vm_error,
            }));
            let first = events.len();
            for event in &outcome.events {
                events.push(BlockEvent {
                    event,
                    txid: txid.clone(),
                    index: events.len(),
                });
            }
            stream_txs.push(json!({
                "txid": txid, "tx_index": index, "status": outcome.status.name(),
                "tx_type": json::tx_type(&tx.tx), "sender": tx.origin.to_string(),
                "result": { "hex": result.hex, "repr": result.repr },
                "vm_error": outcome.vm_error,
                "events": events[first..].iter()
                    .map(|e| json::observer_event(e.event, &e.txid, e.index, true))
                    .collect::<Vec<_>>(),
            }));
        }
        let zero = json::hex0x(&[0; 32]);
        let of_parent = |field: fn(&BlockHeader) -> &[u8]| {
            parent.map_or(zero.clone(), |p| json::hex0x(field(p)))
        };
        let payload = json!({
            "block_hash": json::hex0x(&block.header_hash.0),
            "block_height": block.height,
            "block_time": block.time,
            "burn_block_hash": json::hex0x(&block.burn_header_hash.0),
            "burn_block_height": block.burn_height,
            "burn_block_time": block.time,
            "miner_txid": zero,
            "index_block_hash": json::hex0x(&block.id.0),
            "parent_block_hash": of_parent(|p| &p.header_hash.0),
            "parent_index_block_hash": of_parent(|p| &p.id.0),
            "parent_microblock": zero,
            "parent_microblock_sequence": 0,
            "matured_miner_rewards": [],
            "transactions": transactions,
            "parent_burn_block_hash": of_parent(|p| &p.burn_header_hash.0),
            "parent_burn_block_height": parent.map_or(0, |p| p.burn_height),
            "parent_burn_block_timestamp": parent.map_or(0, |p| p.time),
            "anchored_cost": json::cost(&Cost::from(&total)),
            "confirmed_microblocks_cost": json::cost(&Cost::default()),
            "pox_v1_unlock_height": 0, "pox_v2_unlock_height": 0,
            "pox_v3_unlock_height": 0, "pox_v4_unlock_height": 0,
            "signer_bitvec": null, "reward_set": null, "cycle_number": null,
            "tenure_height": block.height,
            "consensus_hash": json::hex0x(&block.consensus_hash.0),
        });
        let stream = json!({
            "block_height": block.height,
            "block_hash": json::hex0x(&block.header_hash.0),
            "index_block_hash": json::hex0x(&block.id.0),
            "block_time": block.time,
            "transactions": stream_txs,
        });
        let burn = Arc::new(json::new_burn_block(block, parent));
        for o in &self.observers {
            if o.keys.any || o.keys.burn_blocks {
                let _ = o.queue.send(("/new_burn_block", burn.clone()));
            }
            let mut body = payload.clone();
            body["events"] = events
                .iter()
                .filter(|e| o.keys.wants(e.event))
                .map(|e| json::observer_event(e.event, &e.txid, e.index, false))
                .collect();
            let _ = o.queue.send(("/new_block", Arc::new(body)));
        }
        // No subscriber is not an error: the stream is for whoever listens.
        let _ = self.stream.send(Arc::from(stream.to_string()));
    }
}

/// Posts each payload in order, retrying until the observer answers exactly 200.
async fn deliver(
    endpoint: String,
    timeout: Duration,
    mut incoming: mpsc::UnboundedReceiver<(&'static str, Arc<Json>)>,
) {
    let client = match reqwest::Client::builder().timeout(timeout).build() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("devnet: event observer {endpoint}: cannot build an HTTP client: {e}");
            return;
        }
    };
    let cap = timeout * 3;
    while let Some((path, body)) = incoming.recv().await {
        let url = format!("http://{endpoint}{path}");
        let mut delay = FIRST_RETRY;
        loop {
            match client.post(&url).json(&*body).send().await {
                Ok(r) if r.status() == reqwest::StatusCode::OK => break,
                Ok(r) => eprintln!(
                    "devnet: observer {url} answered {}; retrying in {delay:?}",
                    r.status()
                ),
                Err(e) => eprintln!("devnet: observer {url}: {e}; retrying in {delay:?}"),
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(cap.max(FIRST_RETRY));
        }
    }
}
