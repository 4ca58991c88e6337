//! The chain thread: the simnet, the mempool and the transaction index, driven by jobs
//! from the HTTP handlers, by the mining rhythm, and (at start) by the replayed log.
//!
//! Every state change is one of the log's [`Record`]s, applied through the same code
//! whether it happens live or is replayed, which is what makes a restart land exactly
//! where the last committed block left the chain.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::sync::{mpsc, Arc};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clarity::vm::analysis::contract_interface_builder::ContractInterface;
use clarity::vm::types::{FunctionType, PrincipalData, QualifiedContractIdentifier, Value};
use clarity::vm::ClarityVersion;
use stacks_codec::codec::TransactionPayload;
use tokio::sync::{broadcast, oneshot, watch};

use super::admission::{self, Checked};
use super::config::{DevnetConfig, Genesis, Mining};
use super::execute::{self, Attempt, Outcome};
use super::feeds::{Feeds, MinedTx};
use super::mempool::{Mempool, TxKey};
use super::rejection::{Reason, Rejection};
use super::store::{Ack, AfterSync, DropReason, Durability, Record, Store};
use super::DevnetError;
use crate::simnet::{Manifest, ProjectContract, Simnet, SimnetConfig};

/// How far ahead of an account's nonce the mempool accepts (stacks-core
/// `MAXIMUM_MEMPOOL_TX_CHAINING`): up to `nonce + 1 + 25`.
const MAX_CHAINING: u64 = 25;
/// Jobs handled between two mining checks, so a flood of requests cannot starve mining.
const JOBS_PER_TURN: usize = 512;

/// A unit of work for the chain thread.
pub(crate) type Job = Box<dyn FnOnce(&mut Node) + Send>;

/// Where a known transaction stands.
#[derive(Debug, Clone)]
pub(crate) enum TxState {
    /// In the mempool.
    Pending,
    /// In block `height`, at `index`.
    Mined {
        height: u32,
        index: u32,
        outcome: Arc<Outcome>,
    },
    /// Left the mempool unmined.
    Dropped {
        reason: DropReason,
        replaced_by: Option<TxKey>,
    },
}

/// A transaction the node has accepted.
#[derive(Debug, Clone)]
pub(crate) struct TxEntry {
    /// The checked transaction.
    pub tx: Checked,
    /// Arrival order: blocks take ready transactions first come, first served.
    pub seq: u64,
    /// Unix time it was received.
    pub receipt_time: u64,
    /// Where it stands.
    pub state: TxState,
}

/// Why a transaction was not taken.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The node's checks refused it (answered as a stacks-node answers).
    Rejected(Rejection),
    /// The state log cannot be written: the node takes nothing more (fail-stop).
    Unwritable(String),
}

/// The node's bookkeeping beside the simnet, in persistent collections so a snapshot
/// of the whole node is O(1).
#[derive(Debug, Clone, Default)]
struct Ledger {
    mempool: Mempool,
    txs: im::HashMap<TxKey, Arc<TxEntry>>,
    /// Transactions of every block, by height (genesis blocks hold none).
    blocks: im::Vector<Arc<Vec<TxKey>>>,
    /// Height each contract was published at.
    published: im::HashMap<String, u32>,
    next_seq: u64,
}

/// The chain thread's state.
pub(crate) struct Node {
    sim: Simnet,
    ledger: Ledger,
    snapshots: BTreeMap<u64, (crate::simnet::Snapshot, Ledger)>,
    next_snapshot: u64,
    /// Reverts so far: each starts a new branch, so the blocks mined in place of the
    /// orphaned ones have new ids (an observer sees a fork, as on a real chain).
    branches: u32,
    genesis: Genesis,
    store: Option<Store>,
    /// Number of the last log record the chain's state depends on: an answer computed
    /// now is given once the log is synced that far.
    position: u64,
    /// The state before each mined block whose record is not known to be on disk yet,
    /// with that record's number: if it cannot be written, the chain goes back there.
    unsynced: VecDeque<(u64, crate::simnet::Snapshot, Ledger)>,
    feeds: Option<Arc<Feeds>>,
    /// Something may have become minable since the last attempt.
    dirty: bool,
    stopping: bool,
    /// Why the state log cannot be written, once it could not: from then on the node
    /// takes no transaction and mines no block (fail-stop) until it is restarted.
    failure: Option<String>,
}

/// The async side's handle on the chain thread.
#[derive(Clone)]
pub(crate) struct Chain {
    jobs: mpsc::Sender<Job>,
    /// How far the state log is synced (never moves without a state directory).
    durability: watch::Receiver<Durability>,
    /// Height when the chain became ready.
    pub height: u32,
    /// The SSE stream of mined blocks (subscribe with `resubscribe`). Only the chain
    /// thread holds the sender, so streams end when it stops.
    pub stream: Arc<broadcast::Receiver<Arc<str>>>,
}

impl Chain {
    /// Runs `f` on the chain thread and returns its answer once everything it may have
    /// seen is on disk (a block is visible only once its record is).
    pub async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Node) -> R + Send + 'static,
    ) -> Result<R, DevnetError> {
        let (answer, position) = self
            .run_now(move |node| {
                let answer = f(node);
                (answer, node.log_position())
            })
            .await?;
        self.synced_through(position).await?;
        Ok(answer)
    }

    /// Runs `f` on the chain thread and returns its answer at once: for a caller that
    /// waits for its own records (a submission).
    pub async fn run_now<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Node) -> R + Send + 'static,
    ) -> Result<R, DevnetError> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Box::new(move |node| {
                let _ = answer.send(f(node));
            }))
            .map_err(|_| DevnetError::Stopped)?;
        answered.await.map_err(|_| DevnetError::Stopped)
    }

    /// Waits until the log is synced through record `position`.
    pub async fn synced_through(&self, position: u64) -> Result<(), DevnetError> {
        if self.durability.borrow().synced >= position {
            return Ok(());
        }
        let mut durability = self.durability.clone();
        let reached = durability
            .wait_for(|d| {
                d.synced >= position || d.failed.as_ref().is_some_and(|(f, _)| *f <= position)
            })
            .await
            .map_err(|_| DevnetError::Stopped)?;
        match &reached.failed {
            Some((_, why)) if reached.synced < position => {
                Err(DevnetError::Unwritable(why.clone()))
            }
            _ => Ok(()),
        }
    }

    /// Asks the chain thread to finish (after the jobs already queued).
    pub fn stop(&self) {
        let _ = self
            .jobs
            .send(Box::new(|node: &mut Node| node.stopping = true));
    }
}

/// Builds or replays the chain on a new thread and returns once it is ready, with the
/// thread's handle (it ends after [`Chain::stop`]).
pub(crate) async fn start(
    config: DevnetConfig,
    url: String,
) -> Result<(Chain, std::thread::JoinHandle<()>), DevnetError> {
    let (sender, stream) = broadcast::channel(1024);
    let feeds = Feeds::start(&config.observers, sender)?;
    let (jobs, incoming) = mpsc::channel::<Job>();
    let (ready, is_ready) = oneshot::channel();
    let (synced, durability) = watch::channel(Durability::default());
    let thread = std::thread::Builder::new()
        .name("devnet-chain".into())
        .spawn(move || {
            let mining = config.mining;
            match Node::open(config, feeds, &url, synced) {
                Ok(mut node) => {
                    let _ = ready.send(Ok(node.sim.block_height().saturating_sub(1)));
                    node.run(&incoming, mining);
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                }
            }
        })
        .map_err(|e| DevnetError::Config(format!("cannot start the chain thread: {e}")))?;
    let height = is_ready.await.map_err(|_| DevnetError::Stopped)??;
    let chain = Chain {
        jobs,
        durability,
        height,
        stream: Arc::new(stream),
    };
    Ok((chain, thread))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn key_hex(key: &TxKey) -> String {
    hex::encode(key)
}

/// A txid from hex (`0x` optional).
pub(crate) fn parse_key(text: &str) -> Option<TxKey> {
    let text = text.strip_prefix("0x").unwrap_or(text);
    hex::decode(text).ok()?.try_into().ok()
}

impl Node {
    /// Opens the state directory for the node at `url` (replaying it) or builds a fresh
    /// chain.
    fn open(
        config: DevnetConfig,
        feeds: Feeds,
        url: &str,
        synced: watch::Sender<Durability>,
    ) -> Result<Node, DevnetError> {
        let (mut store, records) = match &config.state_dir {
            Some(dir) => {
                let (store, records) = Store::open(dir, url, synced)?;
                (Some(store), records)
            }
            None => (None, Vec::new()),
        };
        let mut node = match records.split_first() {
            Some((Record::Genesis { genesis }, rest)) => {
                let mut node = Node::genesis(genesis.clone())?;
                for record in rest {
                    node.apply(record)?;
                }
                node
            }
            Some(_) => {
                return Err(DevnetError::Replay(
                    "the log does not start with a genesis record; run `ehr devnet reset` on the state directory".into(),
                ))
            }
            None => {
                let mut genesis = config.genesis;
                genesis.time = Some(now());
                let node = Node::genesis(genesis.clone())?;
                if let Some(store) = &mut store {
                    let (_, ack) = store.append(Record::Genesis { genesis }, None);
                    store.flush();
                    wait(ack).map_err(DevnetError::Replay)?;
                }
                node
            }
        };
        node.position = store.as_ref().map_or(0, Store::appended);
        node.store = store;
        node.feeds = Some(Arc::new(feeds));
        node.dirty = !node.ledger.mempool.is_empty();
        Ok(node)
    }

    /// The chain right after genesis: balances, then the genesis contracts in their own
    /// block.
    fn genesis(genesis: Genesis) -> Result<Node, DevnetError> {
        let mut config = SimnetConfig {
            auto_mine: false,
            balances: genesis.balance_list()?,
            // One second per block: the devnet's clock is its height (deterministic, so a
            // replay reproduces every `block-height`/`time` a contract saw).
            block_time_secs: 1,
            ..SimnetConfig::default()
        };
        if let Some(time) = genesis.time {
            config.genesis_time = time;
        }
        let mut sim = Simnet::new(config).map_err(DevnetError::Genesis)?;
        let mut ledger = Ledger::default();
        ledger.blocks.push_back(Arc::new(Vec::new()));
        if !genesis.contracts.is_empty() {
            let deployer = genesis.deployer_principal()?;
            let manifest = Manifest {
                name: "genesis".into(),
                root: ".".into(),
                contracts: genesis
                    .contracts
                    .iter()
                    .map(|c| {
                        Ok(ProjectContract {
                            name: c.name.clone(),
                            path: format!("{}.clar", c.name).into(),
                            source: c.source.clone(),
                            clarity_version: match c.clarity_version {
                                1 => ClarityVersion::Clarity1,
                                2 => ClarityVersion::Clarity2,
                                v => {
                                    return Err(DevnetError::Config(format!(
                                        "contract {}: Clarity version {v} is not supported (this VM runs Clarity 1 and 2)",
                                        c.name
                                    )))
                                }
                            },
                        })
                    })
                    .collect::<Result<_, DevnetError>>()?,
            };
            let deployed = sim
                .deploy_project(&manifest, &deployer)
                .map_err(DevnetError::Genesis)?;
            let height = sim.block_height();
            for d in deployed {
                ledger.published.insert(d.contract.to_string(), height);
            }
            sim.mine_block();
            ledger.blocks.push_back(Arc::new(Vec::new()));
        }
        Ok(Node {
            sim,
            ledger,
            snapshots: BTreeMap::new(),
            next_snapshot: 1,
            branches: 0,
            genesis,
            store: None,
            position: 0,
            unsynced: VecDeque::new(),
            feeds: None,
            dirty: false,
            stopping: false,
            failure: None,
        })
    }

    /// The chain thread's loop: jobs, and mining when the rhythm says so.
    fn run(&mut self, incoming: &mpsc::Receiver<Job>, mining: Mining) {
        let interval = match mining {
            Mining::Interval(every) => Some(every),
            Mining::EveryTransaction => None,
        };
        let mut next_block = interval.map(|every| Instant::now() + every);
        loop {
            let job = match next_block {
                Some(at) => incoming.recv_timeout(at.saturating_duration_since(Instant::now())),
                None => incoming
                    .recv()
                    .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
            };
            match job {
                Ok(job) => {
                    self.settle_log();
                    job(self);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.mine(true);
                    next_block = interval.map(|every| Instant::now() + every);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    self.flush_log();
                    return;
                }
            }
            for job in incoming.try_iter().take(JOBS_PER_TURN) {
                self.settle_log();
                job(self);
            }
            if self.stopping {
                self.flush_log();
                return;
            }
            if interval.is_none() {
                while self.dirty && self.mine(false).is_some() {}
            }
            // The turn's records (the transactions taken, the blocks mined from them)
            // go to the disk together.
            self.flush_log();
        }
    }

    /// Number of the last log record the chain's state depends on (see
    /// [`Chain::synced_through`]).
    pub fn log_position(&self) -> u64 {
        self.position
    }

    /// Height of the newest mined block.
    pub fn tip_height(&self) -> u32 {
        self.sim.tip().height
    }

    // ----- records --------------------------------------------------------------------

    /// Applies a replayed record.
    fn apply(&mut self, record: &Record) -> Result<(), DevnetError> {
        match record {
            Record::Genesis { .. } => Err(DevnetError::Replay(
                "a second genesis record in the log".into(),
            )),
            Record::Accept { tx, time } => {
                let checked = admission::check_hex(tx).map_err(|r| {
                    DevnetError::Replay(format!(
                        "a logged transaction does not decode: {}",
                        r.to_json()
                    ))
                })?;
                self.insert_pending(checked, *time);
                Ok(())
            }
            Record::Block { txids } => {
                let keys = txids
                    .iter()
                    .map(|t| {
                        parse_key(t).ok_or_else(|| DevnetError::Replay(format!("bad txid `{t}`")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                self.replay_block(&keys)
            }
            Record::Drop {
                txid,
                reason,
                replaced_by,
            } => {
                let key = parse_key(txid)
                    .ok_or_else(|| DevnetError::Replay(format!("bad txid `{txid}`")))?;
                self.drop_tx(key, *reason, replaced_by.as_deref().and_then(parse_key));
                Ok(())
            }
            Record::Snapshot { id } => {
                self.take_snapshot(*id);
                Ok(())
            }
            Record::Revert { id } => {
                if self.restore_snapshot(*id) {
                    Ok(())
                } else {
                    Err(DevnetError::Replay(format!(
                        "revert to unknown snapshot {id}"
                    )))
                }
            }
        }
    }

    /// Why the state log cannot be written (`None` while it can, or without one).
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// True when the chain lives in a state directory.
    pub fn persistent(&self) -> bool {
        self.store.is_some()
    }

    /// Stops taking transactions and mining, loudly: the state log could not be written.
    fn fail(&mut self, why: &str) {
        if self.failure.is_none() {
            eprintln!(
                "devnet: STOPPED: the state log cannot be written ({why}). The node refuses \
                 new transactions and mines no more blocks; everything acknowledged so far is \
                 on disk. Free space or fix the disk, then restart it."
            );
            self.failure = Some(why.to_string());
        }
    }

    /// Forgets a transaction whose record could not be written (it was answered with an
    /// error, so it must never be mined) and stops the node.
    pub fn unaccept(&mut self, key: TxKey, why: &str) {
        self.fail(why);
        if let Some(entry) = self.ledger.txs.get(&key).cloned() {
            if matches!(entry.state, TxState::Pending) {
                self.ledger
                    .mempool
                    .remove(&entry.tx.origin, entry.tx.tx.get_origin_nonce());
                self.ledger.txs.remove(&key);
            }
        }
    }

    /// Appends a live record to the state directory (when there is one); it is written
    /// with the turn's other records. `after` runs once it is on disk (at once without a
    /// state directory; never if it cannot be written).
    fn log(&mut self, record: Record, after: Option<AfterSync>) -> Option<Ack> {
        match &mut self.store {
            Some(store) => {
                let (seq, ack) = store.append(record, after);
                self.position = seq;
                Some(ack)
            }
            None => {
                if let Some(after) = after {
                    after();
                }
                None
            }
        }
    }

    /// Appends a record and blocks until it is on disk (for the rare control records).
    /// When it cannot be written, the node stops as [`Node::settle_log`] says.
    fn log_and_wait(&mut self, record: Record) -> Result<(), String> {
        let Some(ack) = self.log(record, None) else {
            return Ok(());
        };
        self.flush_log();
        wait(ack).inspect_err(|e| {
            self.settle_log();
            self.fail(e);
        })
    }

    /// Hands the records appended so far to the log writer.
    fn flush_log(&mut self) {
        if let Some(store) = &mut self.store {
            store.flush();
        }
    }

    /// Catches up with the log writer: forgets the undo states of blocks now on disk,
    /// and when a record could not be written, returns the chain to the state before
    /// the first block that is not on disk (it was never visible) and stops (fail-stop).
    fn settle_log(&mut self) {
        let Some(store) = &self.store else {
            return;
        };
        let durability = store.durability();
        while self
            .unsynced
            .front()
            .is_some_and(|(seq, ..)| *seq <= durability.synced)
        {
            self.unsynced.pop_front();
        }
        let Some((first, why)) = durability.failed else {
            return;
        };
        if self.failure.is_some() {
            return;
        }
        if let Some((_, sim, ledger)) = self.unsynced.iter().find(|(seq, ..)| *seq >= first) {
            self.sim.revert(sim);
            self.ledger = ledger.clone();
        }
        self.unsynced.clear();
        self.position = self.position.min(first.saturating_sub(1));
        self.fail(&why);
    }

    // ----- mempool --------------------------------------------------------------------

    fn insert_pending(&mut self, tx: Checked, receipt_time: u64) {
        let seq = self.ledger.next_seq;
        self.ledger.next_seq += 1;
        self.ledger
            .mempool
            .insert(&tx.origin, tx.tx.get_origin_nonce(), tx.txid);
        self.ledger.txs.insert(
            tx.txid,
            Arc::new(TxEntry {
                tx,
                seq,
                receipt_time,
                state: TxState::Pending,
            }),
        );
    }

    fn drop_tx(&mut self, key: TxKey, reason: DropReason, replaced_by: Option<TxKey>) {
        let Some(entry) = self.ledger.txs.get(&key).cloned() else {
            return;
        };
        self.ledger
            .mempool
            .remove(&entry.tx.origin, entry.tx.tx.get_origin_nonce());
        let mut dropped = (*entry).clone();
        dropped.state = TxState::Dropped {
            reason,
            replaced_by,
        };
        self.ledger.txs.insert(key, Arc::new(dropped));
    }

    /// Admits a checked transaction to the mempool (the node's stateful checks), logs
    /// it, and returns the promise that it is on disk (`None` without a state
    /// directory, or when it was already pending).
    pub fn submit(&mut self, tx: Checked) -> Result<Option<Ack>, Refusal> {
        if let Some(why) = &self.failure {
            return Err(Refusal::Unwritable(why.clone()));
        }
        if let Some(known) = self.ledger.txs.get(&tx.txid) {
            if matches!(known.state, TxState::Pending) {
                return Ok(None);
            }
        }
        let replaced = self.admit(&tx).map_err(Refusal::Rejected)?;
        if let Some(old) = replaced {
            self.drop_tx(old, DropReason::ReplaceByFee, Some(tx.txid));
            let feeds = self.feeds.clone();
            let new = tx.txid;
            self.log(
                Record::Drop {
                    txid: key_hex(&old),
                    reason: DropReason::ReplaceByFee,
                    replaced_by: Some(tx.txid_hex()),
                },
                feeds.map(|feeds| -> AfterSync {
                    Box::new(move || {
                        feeds.dropped_txs(&[old], DropReason::ReplaceByFee, Some(&new))
                    })
                }),
            );
        }
        let time = now();
        let feeds = self.feeds.clone();
        let raw = tx.raw.clone();
        let ack = self.log(
            Record::Accept {
                tx: hex::encode(&tx.raw),
                time,
            },
            feeds.map(|feeds| -> AfterSync { Box::new(move || feeds.mempool_tx(&raw)) }),
        );
        self.insert_pending(tx, time);
        self.dirty = true;
        Ok(ack)
    }

    /// The checks that need the chain: nonces, funds, the contract and function called
    /// or the contract deployed, and nonce conflicts in the mempool. Returns the pending
    /// transaction this one replaces by fee, if any.
    fn admit(&mut self, tx: &Checked) -> Result<Option<TxKey>, Rejection> {
        let reject = |reason| Rejection {
            reason,
            txid: Some(tx.txid_hex()),
        };
        let failure =
            |e: crate::simnet::SimnetError| reject(Reason::ServerFailureOther(e.to_string()));
        let stacks = &tx.tx;
        let mut signers = vec![(&tx.origin, stacks.get_origin_nonce(), true)];
        if let (Some(sponsor), Some(nonce)) = (&tx.sponsor, stacks.get_sponsor_nonce()) {
            signers.push((sponsor, nonce, false));
        }
        for (who, nonce, is_origin) in signers {
            let next = self.sim.account_nonce(who).map_err(failure)?;
            if nonce < next {
                return Err(reject(Reason::BadNonce {
                    expected: next,
                    actual: nonce,
                    principal: who.to_string(),
                    is_origin,
                }));
            }
            let max = next + 1 + MAX_CHAINING;
            if nonce > max {
                return Err(reject(Reason::TooMuchChaining {
                    expected: max,
                    actual: nonce,
                    principal: who.to_string(),
                    is_origin,
                }));
            }
        }
        let fee = u128::from(stacks.get_tx_fee());
        let payer_balance = self.sim.stx_balance(tx.payer()).map_err(failure)?;
        if let TransactionPayload::TokenTransfer(_, amount, _) = &stacks.payload {
            let own_fee = if tx.sponsor.is_none() { fee } else { 0 };
            let needed = u128::from(*amount) + own_fee;
            let balance = self.sim.stx_balance(&tx.origin).map_err(failure)?;
            if balance < needed {
                return Err(reject(Reason::NotEnoughFunds {
                    expected: needed,
                    actual: balance,
                }));
            }
        }
        if payer_balance < fee {
            return Err(reject(Reason::NotEnoughFunds {
                expected: fee,
                actual: payer_balance,
            }));
        }
        match &stacks.payload {
            TransactionPayload::ContractCall(call) => {
                // The node checks the address's network before looking the contract up.
                if !admission::is_testnet_version(call.address.version) {
                    return Err(reject(Reason::BadAddressVersionByte));
                }
                let contract = QualifiedContractIdentifier::new(
                    call.address.into(),
                    call.contract_name.clone(),
                );
                let signatures = self
                    .sim
                    .public_signatures(&contract)
                    .ok_or_else(|| reject(Reason::NoSuchContract))?;
                let function = signatures
                    .functions
                    .get(&call.function_name)
                    .ok_or_else(|| reject(Reason::NoSuchPublicFunction))?;
                check_arguments(function, &call.function_args, &signatures.epoch)
                    .map_err(|m| reject(Reason::BadFunctionArgument(m)))?;
            }
            TransactionPayload::SmartContract(contract, _) => {
                let PrincipalData::Standard(deployer) = &tx.origin else {
                    return Err(reject(Reason::ServerFailureOther(
                        "a deployer is a standard principal".into(),
                    )));
                };
                if contract.name.len() > 40 {
                    return Err(reject(Reason::ServerFailureOther(format!(
                        "contract name `{}` is longer than 40 characters",
                        contract.name
                    ))));
                }
                let id = QualifiedContractIdentifier::new(deployer.clone(), contract.name.clone());
                if self.sim.has_contract(&id) {
                    return Err(reject(Reason::ContractAlreadyExists(id.to_string())));
                }
            }
            _ => {}
        }
        match self
            .ledger
            .mempool
            .get(&tx.origin, stacks.get_origin_nonce())
        {
            None => Ok(None),
            Some(existing) => {
                let old_fee = self
                    .ledger
                    .txs
                    .get(&existing)
                    .map_or(0, |e| e.tx.tx.get_tx_fee());
                if old_fee >= stacks.get_tx_fee() {
                    Err(reject(Reason::ConflictingNonceInMempool))
                } else {
                    Ok(Some(existing))
                }
            }
        }
    }

    // ----- mining ---------------------------------------------------------------------

    /// Mines a block from the ready transactions, first come first served, within the
    /// block's budget. Without `force`, no block is made when nothing is ready. Returns
    /// the new block's height. Mines nothing once the state log cannot be written; a
    /// block whose record cannot be written is undone (it was never visible).
    pub fn mine(&mut self, force: bool) -> Option<u32> {
        self.dirty = false;
        self.settle_log();
        if self.failure.is_some() {
            return None;
        }
        let before = self
            .store
            .is_some()
            .then(|| (self.sim.snapshot(), self.ledger.clone()));
        let mut ready: BinaryHeap<Reverse<(u64, TxKey)>> = self
            .ledger
            .mempool
            .heads()
            .filter_map(|k| self.ledger.txs.get(&k).map(|e| Reverse((e.seq, k))))
            .collect();
        let mut included: Vec<(TxKey, Outcome)> = Vec::new();
        let mut drops = Vec::new();
        while let Some(Reverse((_, key))) = ready.pop() {
            let Some(entry) = self.ledger.txs.get(&key).cloned() else {
                continue;
            };
            let origin = &entry.tx.origin;
            let nonce = entry.tx.tx.get_origin_nonce();
            let dropped = match execute::attempt(&mut self.sim, &entry.tx) {
                Attempt::Mined(outcome) => {
                    self.ledger.mempool.remove(origin, nonce);
                    included.push((key, *outcome));
                    None
                }
                Attempt::Later => continue,
                Attempt::TooBig if !included.is_empty() => continue,
                Attempt::TooBig => Some(DropReason::TooExpensive),
                Attempt::Stale => Some(DropReason::StaleGarbageCollect),
                Attempt::Invalid(why) => {
                    eprintln!("devnet: dropping {} from the mempool: {why}", key_hex(&key));
                    Some(DropReason::Problematic)
                }
            };
            if let Some(reason) = dropped {
                self.drop_tx(key, reason, None);
                drops.push((key, reason));
            }
            if let Some(next) = self.ledger.mempool.head_of(origin) {
                if let Some(e) = self.ledger.txs.get(&next) {
                    ready.push(Reverse((e.seq, next)));
                }
            }
        }
        for (key, reason) in drops {
            let feeds = self.feeds.clone();
            self.log(
                Record::Drop {
                    txid: key_hex(&key),
                    reason,
                    replaced_by: None,
                },
                feeds.map(|feeds| -> AfterSync {
                    Box::new(move || feeds.dropped_txs(&[key], reason, None))
                }),
            );
        }
        if included.is_empty() && !force {
            return None;
        }
        let txids: Vec<String> = included.iter().map(|(k, _)| key_hex(k)).collect();
        let height = self.seal(included);
        // Not waited for here: the block is published, and answers that may show it are
        // given, once its record is on disk; if it cannot be written, `settle_log`
        // takes the block back before anything else happens.
        let publication = self.publication(height);
        self.log(Record::Block { txids }, publication);
        if let Some((sim, ledger)) = before {
            self.unsynced.push_back((self.position, sim, ledger));
        }
        self.dirty = true;
        Some(height)
    }

    /// Mines a logged block again: its transactions must all mine.
    fn replay_block(&mut self, keys: &[TxKey]) -> Result<(), DevnetError> {
        let mut included = Vec::with_capacity(keys.len());
        for key in keys {
            let entry = self.ledger.txs.get(key).cloned().ok_or_else(|| {
                DevnetError::Replay(format!("block holds unknown transaction {}", key_hex(key)))
            })?;
            match execute::attempt(&mut self.sim, &entry.tx) {
                Attempt::Mined(outcome) => {
                    self.ledger
                        .mempool
                        .remove(&entry.tx.origin, entry.tx.tx.get_origin_nonce());
                    included.push((*key, *outcome));
                }
                other => {
                    return Err(DevnetError::Replay(format!(
                        "transaction {} did not mine again ({other:?}); the chain code changed since it was written: run `ehr devnet reset`",
                        key_hex(key)
                    )))
                }
            }
        }
        self.seal(included);
        Ok(())
    }

    /// Seals the open block with `included` and indexes them. Returns its height.
    fn seal(&mut self, included: Vec<(TxKey, Outcome)>) -> u32 {
        let height = self.sim.block_height();
        let mut keys = Vec::with_capacity(included.len());
        for (index, (key, outcome)) in included.into_iter().enumerate() {
            let Some(entry) = self.ledger.txs.get(&key).cloned() else {
                continue;
            };
            if let (TransactionPayload::SmartContract(c, _), execute::Status::Success) =
                (&entry.tx.tx.payload, outcome.status)
            {
                self.ledger
                    .published
                    .insert(format!("{}.{}", entry.tx.origin, c.name), height);
            }
            let mut mined = (*entry).clone();
            mined.state = TxState::Mined {
                height,
                index: index as u32,
                outcome: Arc::new(outcome),
            };
            self.ledger.txs.insert(key, Arc::new(mined));
            keys.push(key);
        }
        self.sim.mine_block();
        self.ledger.blocks.push_back(Arc::new(keys));
        height
    }

    /// What sends a freshly mined block to the observers and the SSE stream, once it
    /// is committed. The payloads are built there too, off the chain thread.
    fn publication(&self, height: u32) -> Option<AfterSync> {
        let (Some(feeds), Some(block)) = (self.feeds.clone(), self.sim.block(height).cloned())
        else {
            return None;
        };
        let parent = height
            .checked_sub(1)
            .and_then(|h| self.sim.block(h))
            .cloned();
        let keys = self
            .ledger
            .blocks
            .get(height as usize)
            .cloned()
            .unwrap_or_default();
        let entries: Vec<Arc<TxEntry>> = keys
            .iter()
            .filter_map(|k| self.ledger.txs.get(k).cloned())
            .collect();
        Some(Box::new(move || {
            let mined: Vec<MinedTx<'_>> = entries
                .iter()
                .filter_map(|entry| match &entry.state {
                    TxState::Mined { index, outcome, .. } => Some(MinedTx {
                        tx: &entry.tx,
                        index: *index,
                        outcome,
                    }),
                    _ => None,
                })
                .collect();
            feeds.block(&block, parent.as_ref(), &mined);
        }))
    }

    // ----- snapshots, dump, load --------------------------------------------------------

    fn take_snapshot(&mut self, id: u64) {
        self.snapshots
            .insert(id, (self.sim.snapshot(), self.ledger.clone()));
        self.next_snapshot = self.next_snapshot.max(id + 1);
    }

    /// Restores snapshot `id` and forgets it and every later one (anvil's rule).
    fn restore_snapshot(&mut self, id: u64) -> bool {
        let Some((sim, ledger)) = self.snapshots.get(&id).cloned() else {
            return false;
        };
        self.sim.revert(&sim);
        self.branches += 1;
        self.sim.set_branch(self.branches);
        self.ledger = ledger;
        self.snapshots.split_off(&id);
        self.dirty = true;
        true
    }

    /// Captures the whole node (chain and mempool); returns the snapshot's id.
    pub fn snapshot(&mut self) -> Result<u64, String> {
        if let Some(why) = &self.failure {
            return Err(why.clone());
        }
        let id = self.next_snapshot;
        self.log_and_wait(Record::Snapshot { id })?;
        self.take_snapshot(id);
        Ok(id)
    }

    /// Returns the node to snapshot `id`. `Ok(false)` when there is no such snapshot.
    pub fn revert(&mut self, id: u64) -> Result<bool, String> {
        if let Some(why) = &self.failure {
            return Err(why.clone());
        }
        if !self.snapshots.contains_key(&id) {
            return Ok(false);
        }
        self.log_and_wait(Record::Revert { id })?;
        Ok(self.restore_snapshot(id))
    }

    /// The chain's history as records: genesis, then every block with its
    /// transactions, then the mempool. Loading it rebuilds this chain.
    pub fn dump(&self) -> Vec<Record> {
        let mut records = vec![Record::Genesis {
            genesis: self.genesis.clone(),
        }];
        let accept = |e: &TxEntry| Record::Accept {
            tx: hex::encode(&e.tx.raw),
            time: e.receipt_time,
        };
        let genesis_blocks = if self.genesis.contracts.is_empty() {
            1
        } else {
            2
        };
        for keys in self.ledger.blocks.iter().skip(genesis_blocks) {
            let entries: Vec<_> = keys.iter().filter_map(|k| self.ledger.txs.get(k)).collect();
            records.extend(entries.iter().map(|e| accept(e)));
            records.push(Record::Block {
                txids: keys.iter().map(key_hex).collect(),
            });
        }
        let mut pending: Vec<_> = self
            .ledger
            .mempool
            .txids()
            .filter_map(|k| self.ledger.txs.get(&k))
            .collect();
        pending.sort_by_key(|e| e.seq);
        records.extend(pending.into_iter().map(|e| accept(e)));
        records
    }

    /// Replaces the chain with the one `records` describe (a dump), on disk too.
    /// `Ok(Err(why))` when the state log cannot be written.
    pub fn load(&mut self, records: Vec<Record>) -> Result<Result<u32, String>, DevnetError> {
        if let Some(why) = &self.failure {
            return Ok(Err(why.clone()));
        }
        let Some((Record::Genesis { genesis }, rest)) = records.split_first() else {
            return Err(DevnetError::Replay(
                "a dump starts with its genesis record".into(),
            ));
        };
        let mut fresh = Node::genesis(genesis.clone())?;
        for record in rest {
            fresh.apply(record)?;
        }
        if let Some(store) = &mut self.store {
            if let Err(e) = wait(store.replace(&records)) {
                self.fail(&e);
                return Ok(Err(e));
            }
            fresh.position = store.appended();
        }
        fresh.store = self.store.take();
        fresh.feeds = self.feeds.take();
        fresh.dirty = true;
        *self = fresh;
        Ok(Ok(self.tip_height()))
    }

    // ----- queries --------------------------------------------------------------------

    /// The simnet, for reads.
    pub fn sim(&mut self) -> &mut Simnet {
        &mut self.sim
    }

    /// A known transaction.
    pub fn tx(&self, key: &TxKey) -> Option<Arc<TxEntry>> {
        self.ledger.txs.get(key).cloned()
    }

    /// The pending nonces of `origin`, ascending.
    pub fn pending_nonces(&self, origin: &PrincipalData) -> Vec<u64> {
        self.ledger.mempool.nonces(origin)
    }

    /// Height a contract was published at.
    pub fn published_at(&self, contract: &QualifiedContractIdentifier) -> Option<u32> {
        self.ledger.published.get(&contract.to_string()).copied()
    }

    /// Transactions of recent blocks, newest first, at most `blocks` blocks back.
    pub fn recent(&self, blocks: usize) -> Vec<Arc<TxEntry>> {
        self.ledger
            .blocks
            .iter()
            .rev()
            .take(blocks)
            .flat_map(|keys| {
                keys.iter()
                    .filter_map(|k| self.ledger.txs.get(k).cloned())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The ABI of a deployed contract.
    pub fn interface(
        &mut self,
        contract: &QualifiedContractIdentifier,
    ) -> Option<ContractInterface> {
        self.sim
            .contract_analysis(contract)
            .and_then(|a| a.contract_interface)
    }
}

/// Checks call arguments against a public function's signature.
fn check_arguments(
    function: &FunctionType,
    args: &[Value],
    epoch: &stacks_common::types::StacksEpochId,
) -> Result<(), String> {
    let FunctionType::Fixed(fixed) = function else {
        return Ok(());
    };
    if fixed.args.len() != args.len() {
        return Err(format!(
            "expected {} arguments, got {}",
            fixed.args.len(),
            args.len()
        ));
    }
    for (declared, given) in fixed.args.iter().zip(args) {
        if !declared.signature.admits(epoch, given).unwrap_or(false) {
            return Err(format!(
                "argument `{}` must be {}, got {given}",
                declared.name, declared.signature
            ));
        }
    }
    Ok(())
}

/// Blocks the chain thread until the log writer has synced a record.
fn wait(ack: Ack) -> Result<(), String> {
    ack.blocking_recv()
        .unwrap_or_else(|_| Err("the log writer has stopped".into()))
}
