//! Running a [`Plan`]: [`Deployer`], its progress events, its report and its errors.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier};
use clarity::vm::ContractName;
use serde::Serialize;
use stacks_codec::codec::StacksMessageCodec;

use super::plan::{Plan, PlanError, PlanStep};
use crate::keys::{Address, SecretKey};
use crate::network::Network;
use crate::node::{AbortReason, DropReason, NodeClient, NodeError, TxOutcome, Txid};
use crate::tx::{Payload, Transaction, TransactionBuilder, TxError};

/// How long a deploy may take to be mined on devnet by default (it mines on demand, or
/// every few seconds).
const DEVNET_WAIT: Duration = Duration::from_secs(120);
/// How long on testnet and mainnet by default: Stacks blocks follow Bitcoin blocks, ten
/// minutes on average and often much longer.
const NETWORK_WAIT: Duration = Duration::from_secs(30 * 60);
/// How often the transaction status is polled on devnet by default.
const DEVNET_POLL: Duration = Duration::from_millis(200);
/// How often on testnet and mainnet (public APIs limit request rates).
const NETWORK_POLL: Duration = Duration::from_secs(5);

/// The resume advice every interrupted deployment ends with.
const RESUME: &str =
    "run the same command again: contracts already deployed with the same source are skipped";

/// What a [`Deployer`] is doing, reported as it happens, in this order per step:
/// `Checking`, then `Skipped`, or `Broadcast` and `Mined`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DeployEvent {
    /// Looking up whether the contract is already published.
    Checking {
        /// The contract name.
        name: String,
    },
    /// Already published by the deployer with the same source: nothing sent.
    Skipped {
        /// The contract name.
        name: String,
    },
    /// The deploy transaction is signed and about to be broadcast: keep it (a rerun
    /// given it with [`Deployer::resuming`] sends these bytes again if the node never got
    /// them, rather than a second deploy).
    Signed {
        /// The contract name.
        name: String,
        /// The transaction, its nonce and fee.
        in_flight: InFlight,
    },
    /// The deploy transaction was accepted into the node's mempool.
    Broadcast {
        /// The contract name.
        name: String,
        /// The deploy transaction.
        #[serde(serialize_with = "crate::node::txid_hex")]
        txid: Txid,
        /// Its nonce.
        nonce: u64,
        /// Its fee in micro-STX.
        fee: u64,
    },
    /// The deploy transaction was mined and the contract published.
    Mined {
        /// The contract name.
        name: String,
        /// The deploy transaction.
        #[serde(serialize_with = "crate::node::txid_hex")]
        txid: Txid,
        /// Stacks block height it was mined at.
        block: u64,
    },
}

impl fmt::Display for DeployEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeployEvent::Checking { name } => write!(f, "{name}: checking"),
            DeployEvent::Skipped { name } => {
                write!(f, "{name}: already deployed with the same source, skipped")
            }
            DeployEvent::Signed { name, in_flight } => {
                write!(f, "{name}: signed 0x{} (nonce {})", in_flight.txid, in_flight.nonce)
            }
            DeployEvent::Broadcast {
                name,
                txid,
                nonce,
                fee,
            } => write!(
                f,
                "{name}: broadcast 0x{txid} (nonce {nonce}, fee {fee} µSTX), waiting for it to be mined"
            ),
            DeployEvent::Mined { name, txid, block } => {
                write!(f, "{name}: mined in block {block} (0x{txid})")
            }
        }
    }
}

/// What happened to one step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StepOutcome {
    /// Already published with the same source; nothing sent.
    Skipped,
    /// Published by this run.
    Deployed {
        /// The deploy transaction.
        #[serde(serialize_with = "crate::node::txid_hex")]
        txid: Txid,
        /// Stacks block height it was mined at.
        block: u64,
        /// Its nonce.
        nonce: u64,
        /// The fee paid in micro-STX.
        fee: u64,
    },
}

/// One step of a [`DeployReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    /// The contract name.
    pub name: String,
    /// The full contract identifier, `<deployer>.<name>`.
    pub contract_id: String,
    /// Skipped or deployed.
    #[serde(flatten)]
    pub outcome: StepOutcome,
}

/// What a completed [`Deployer::run`] did, step by step (serialisable for `--json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeployReport {
    /// The network deployed to.
    pub network: Network,
    /// The deployer's address.
    pub deployer: String,
    /// Every step of the plan, in order.
    pub steps: Vec<StepReport>,
}

impl DeployReport {
    /// The contracts this run published.
    pub fn deployed(&self) -> Vec<&str> {
        self.names(|o| matches!(o, StepOutcome::Deployed { .. }))
    }

    /// The contracts that were already there with the same source.
    pub fn skipped(&self) -> Vec<&str> {
        self.names(|o| matches!(o, StepOutcome::Skipped))
    }

    /// The fees this run paid, in micro-STX.
    pub fn total_fee(&self) -> u64 {
        self.steps
            .iter()
            .map(|s| match s.outcome {
                StepOutcome::Deployed { fee, .. } => fee,
                StepOutcome::Skipped => 0,
            })
            .sum()
    }

    fn names(&self, keep: impl Fn(&StepOutcome) -> bool) -> Vec<&str> {
        self.steps
            .iter()
            .filter(|s| keep(&s.outcome))
            .map(|s| s.name.as_str())
            .collect()
    }
}

impl fmt::Display for DeployReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} contract(s) deployed, {} already there, from {} on {} ({} µSTX in fees)",
            self.deployed().len(),
            self.skipped().len(),
            self.deployer,
            self.network,
            self.total_fee()
        )?;
        for step in &self.steps {
            match &step.outcome {
                StepOutcome::Skipped => {
                    writeln!(f, "  {}  skipped (same source)", step.contract_id)?
                }
                StepOutcome::Deployed { txid, block, .. } => writeln!(
                    f,
                    "  {}  deployed in block {block} (0x{txid})",
                    step.contract_id
                )?,
            }
        }
        Ok(())
    }
}

/// Why a step of a plan failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum StepFailure {
    /// The node could not say whether the contract exists (unreachable, timed out...).
    #[error("cannot look the contract up on the node: {0}")]
    Lookup(NodeError),
    /// The deployer already published a contract of that name with another source.
    #[error(
        "{contract} already exists with a different source, and it cannot be replaced: Stacks \
         contracts are immutable, a published contract can never be changed or removed. \
         Deploy from another deployer key (a new address has no contracts yet), or publish \
         under other contract names"
    )]
    Conflict {
        /// The existing contract, `<deployer>.<name>`.
        contract: String,
    },
    /// The deploy transaction could not be built or signed.
    #[error("cannot build the deploy transaction: {0}")]
    Build(TxError),
    /// The deployer's nonce could not be read.
    #[error("cannot read the deployer's next nonce: {0}")]
    Nonce(NodeError),
    /// The node could not estimate the fee.
    #[error("cannot estimate the deploy fee: {0}")]
    Fee(NodeError),
    /// The node did not take the transaction (rejected, or no answer).
    #[error("the node did not accept the deploy transaction: {0}")]
    Broadcast(NodeError),
    /// The deploy was mined but failed (e.g. the contract did not pass analysis): the fee
    /// and nonce were spent, nothing was published.
    #[error(
        "transaction 0x{txid} was mined in block {block} but failed ({}): {detail}; the contract \
         was not published (the fee was paid)",
        describe_abort(*reason)
    )]
    Aborted {
        /// The deploy transaction.
        txid: Txid,
        /// Stacks block height it was mined at.
        block: u64,
        /// What rolled it back.
        reason: AbortReason,
        /// The VM's error, or the result when there is none.
        detail: String,
    },
    /// The deploy left the mempool unmined and never will be.
    #[error(
        "transaction 0x{txid} was dropped from the mempool ({reason:?}{}) and will never be mined",
        replaced_by.map(|t| format!(", replaced by 0x{t}")).unwrap_or_default()
    )]
    Dropped {
        /// The deploy transaction.
        txid: Txid,
        /// Why.
        reason: DropReason,
        /// The transaction that took its nonce, if any.
        replaced_by: Option<Txid>,
    },
    /// The deploy was broadcast but not mined within the wait.
    #[error(
        "transaction 0x{txid} was not mined within {waited:?}, but it may still be mined ({}); \
         check it at /extended/v1/tx/0x{txid}",
        if *seen_pending { "it is pending in the mempool" } else { "the node has not reported it yet" }
    )]
    NotMined {
        /// The deploy transaction.
        txid: Txid,
        /// How long the wait lasted.
        waited: Duration,
        /// Whether it was seen pending.
        seen_pending: bool,
    },
    /// The deploy was broadcast, then its status could not be read.
    #[error("lost track of transaction 0x{txid} after broadcasting it, and it may still be mined: {error}")]
    Wait {
        /// The deploy transaction.
        txid: Txid,
        /// Why the status could not be read.
        error: NodeError,
    },
}

impl StepFailure {
    /// The transaction this failure is about, once one was broadcast.
    pub fn txid(&self) -> Option<Txid> {
        match self {
            StepFailure::Aborted { txid, .. }
            | StepFailure::Dropped { txid, .. }
            | StepFailure::NotMined { txid, .. }
            | StepFailure::Wait { txid, .. } => Some(*txid),
            _ => None,
        }
    }

    /// What to do next.
    fn advice(&self) -> String {
        match self {
            StepFailure::Conflict { .. } => String::new(),
            StepFailure::NotMined { txid, .. } | StepFailure::Wait { txid, .. } => {
                format!("Once 0x{txid} is mined or dropped, {RESUME}.")
            }
            _ => format!("Fix the cause, then {RESUME}."),
        }
    }
}

/// Why a deployment did not complete.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum DeployError {
    /// The plan cannot be published (checked before anything is sent).
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A step's `expected-sender` is not the deployer key's address (checked before
    /// anything is sent).
    #[error(
        "the plan expects `{step}` to be sent by {expected}, but the deployer key is {deployer}; \
         sign with the key of {expected}, or regenerate the plan for {deployer}"
    )]
    SenderMismatch {
        /// The step.
        step: String,
        /// Its `expected-sender`.
        expected: String,
        /// The deployer key's address.
        deployer: String,
    },
    /// A mainnet plan on another network, or another network's plan on mainnet (checked
    /// before anything is sent).
    #[error(
        "the plan is for {plan} but the deployment is to {deployer}: mainnet and the other \
         networks publish different contracts (the SIP-009 trait); use the plan for {deployer}"
    )]
    NetworkMismatch {
        /// The plan's network.
        plan: Network,
        /// The deployer's network.
        deployer: Network,
    },
    /// A step failed; the steps before it are done and the ones after were not sent.
    #[error(
        "{}",
        describe_step(failed, deployed_now, already_there, not_sent, reason)
    )]
    Step {
        /// The contract whose step failed.
        failed: String,
        /// The contracts this run published before it.
        deployed_now: Vec<String>,
        /// The contracts that were already there with the same source.
        already_there: Vec<String>,
        /// The steps after it, not attempted.
        not_sent: Vec<String>,
        /// What went wrong.
        reason: StepFailure,
    },
}

/// Publishes a [`Plan`] from one key, one contract at a time, each waited for until mined.
#[derive(Debug, Clone)]
pub struct Deployer<'a> {
    node: &'a NodeClient,
    key: &'a SecretKey,
    network: Network,
    wait_timeout: Duration,
    poll_interval: Duration,
    fee: Option<u64>,
    in_flight: BTreeMap<String, InFlight>,
}

/// A deploy broadcast by an earlier run and not seen mined: followed, not sent again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InFlight {
    /// The deploy transaction.
    #[serde(
        serialize_with = "crate::node::txid_hex",
        deserialize_with = "crate::node::txid_from_hex"
    )]
    pub txid: Txid,
    /// Its nonce.
    pub nonce: u64,
    /// Its fee in micro-STX.
    pub fee: u64,
    /// The signed transaction, hex (empty in progress saved by older versions).
    #[serde(default)]
    pub tx: String,
}

impl<'a> Deployer<'a> {
    /// Deploys through `node`, signing with `key` (the deployer: the contracts are
    /// published under its address) for `network`. Each deploy is waited for up to 2
    /// minutes on devnet and 30 minutes on testnet and mainnet, and its fee is the node's
    /// estimate.
    pub fn new(node: &'a NodeClient, key: &'a SecretKey, network: Network) -> Self {
        let devnet = network == Network::Devnet;
        Deployer {
            node,
            key,
            network,
            wait_timeout: if devnet { DEVNET_WAIT } else { NETWORK_WAIT },
            poll_interval: if devnet { DEVNET_POLL } else { NETWORK_POLL },
            fee: None,
            in_flight: BTreeMap::new(),
        }
    }

    /// Deploys an earlier run broadcast (by contract name, from its
    /// [`DeployEvent::Broadcast`] events): a contract not yet on chain whose deploy is
    /// here is waited for instead of sent again, and sent again only if it was dropped.
    pub fn resuming(self, in_flight: BTreeMap<String, InFlight>) -> Self {
        Deployer { in_flight, ..self }
    }

    /// How long to wait for each deploy to be mined before stopping (the transaction may
    /// still be mined after).
    pub fn wait_timeout(self, timeout: Duration) -> Self {
        Deployer {
            wait_timeout: timeout,
            ..self
        }
    }

    /// How often to ask the node whether a deploy is mined.
    pub fn poll_interval(self, interval: Duration) -> Self {
        Deployer {
            poll_interval: interval,
            ..self
        }
    }

    /// Pays `micro_stx` for every deploy instead of the node's estimate.
    pub fn fixed_fee(self, micro_stx: u64) -> Self {
        Deployer {
            fee: Some(micro_stx),
            ..self
        }
    }

    /// The deployer's address on the network.
    pub fn deployer(&self) -> Address {
        self.key.address(self.network)
    }

    /// Publishes the steps of `plan` in order, reporting each stage to `progress`.
    ///
    /// Before anything is sent, the plan is validated, its network and expected senders
    /// are checked against this deployer, and every contract is looked up: a name the
    /// deployer already published with another source stops the run there
    /// ([`StepFailure::Conflict`]), before it publishes anything.
    ///
    /// Then, for each step: a contract already published by the deployer with a
    /// byte-identical source is skipped; otherwise a Clarity-versioned deploy is signed
    /// with the next nonce (read once from the node, then counted here) and the node's fee
    /// estimate (or the fixed fee), broadcast, and waited for until mined. The first
    /// failure stops the run with [`DeployError::Step`], which lists what is done; running
    /// the same plan again resumes.
    pub async fn run(
        &self,
        plan: &Plan,
        progress: &mut dyn FnMut(DeployEvent),
    ) -> Result<DeployReport, DeployError> {
        plan.validate()?;
        if let Some(planned) = plan.network {
            if planned.is_mainnet() != self.network.is_mainnet() {
                return Err(DeployError::NetworkMismatch {
                    plan: planned,
                    deployer: self.network,
                });
            }
        }
        let me = self.deployer();
        let me_text = me.to_string();
        for step in &plan.steps {
            if let Some(expected) = &step.expected_sender {
                if expected.trim() != me_text {
                    return Err(DeployError::SenderMismatch {
                        step: step.name.clone(),
                        expected: expected.clone(),
                        deployer: me_text,
                    });
                }
            }
        }

        let mut contracts = Vec::with_capacity(plan.steps.len());
        for step in &plan.steps {
            let name = ContractName::try_from(step.name.clone()).map_err(|_| PlanError::Step {
                name: step.name.clone(),
                error: TxError::ContractName {
                    name: step.name.clone(),
                    reason: "a letter, then letters, digits, - or _",
                },
            })?;
            contracts.push(QualifiedContractIdentifier::new(
                me.to_standard_principal(),
                name,
            ));
        }
        self.preflight(plan, &contracts).await?;

        let mut run = Run {
            deployer: self,
            principal: me.to_principal(),
            nonce: None,
        };
        let mut report = DeployReport {
            network: self.network,
            deployer: me_text,
            steps: Vec::with_capacity(plan.steps.len()),
        };
        for (i, (step, contract)) in plan.steps.iter().zip(&contracts).enumerate() {
            match run.step(step, contract, progress).await {
                Ok(outcome) => report.steps.push(StepReport {
                    name: step.name.clone(),
                    contract_id: contract.to_string(),
                    outcome,
                }),
                Err(reason) => {
                    let with = |want_deployed: bool| {
                        report
                            .steps
                            .iter()
                            .filter(|s| {
                                matches!(s.outcome, StepOutcome::Deployed { .. }) == want_deployed
                            })
                            .map(|s| s.name.clone())
                            .collect()
                    };
                    return Err(DeployError::Step {
                        failed: step.name.clone(),
                        deployed_now: with(true),
                        already_there: with(false),
                        not_sent: plan.steps[i + 1..].iter().map(|s| s.name.clone()).collect(),
                        reason,
                    });
                }
            }
        }
        Ok(report)
    }

    /// Looks every contract up before anything is sent, so that a name taken by another
    /// source stops the run before it publishes anything: a deployment stopped half way
    /// by a conflict could never be completed under this key. (Each step is looked up
    /// again when its turn comes.)
    async fn preflight(
        &self,
        plan: &Plan,
        contracts: &[QualifiedContractIdentifier],
    ) -> Result<(), DeployError> {
        let mut same = Vec::new();
        let mut first_failure = None;
        for (step, contract) in plan.steps.iter().zip(contracts) {
            let failure = match self.node.contract_source(contract).await {
                Ok(existing) if existing.source == step.source => {
                    same.push(step.name.clone());
                    continue;
                }
                Ok(_) => StepFailure::Conflict {
                    contract: contract.to_string(),
                },
                Err(NodeError::NotFound { .. }) => continue,
                Err(other) => StepFailure::Lookup(other),
            };
            let is_conflict = matches!(failure, StepFailure::Conflict { .. });
            first_failure.get_or_insert((step.name.clone(), failure));
            if !is_conflict {
                break;
            }
        }
        match first_failure {
            None => Ok(()),
            Some((failed, reason)) => Err(DeployError::Step {
                not_sent: plan
                    .steps
                    .iter()
                    .map(|s| &s.name)
                    .filter(|n| **n != failed && !same.contains(n))
                    .cloned()
                    .collect(),
                failed,
                deployed_now: Vec::new(),
                already_there: same,
                reason,
            }),
        }
    }
}

/// The state of one run: the nonce counted since the first deploy.
struct Run<'r, 'a> {
    deployer: &'r Deployer<'a>,
    principal: PrincipalData,
    nonce: Option<u64>,
}

impl Run<'_, '_> {
    /// Checks, and if needed deploys, one step.
    async fn step(
        &mut self,
        step: &PlanStep,
        contract: &QualifiedContractIdentifier,
        progress: &mut dyn FnMut(DeployEvent),
    ) -> Result<StepOutcome, StepFailure> {
        let d = self.deployer;
        let name = step.name.clone();
        progress(DeployEvent::Checking { name: name.clone() });
        match d.node.contract_source(contract).await {
            Ok(existing) if existing.source == step.source => {
                progress(DeployEvent::Skipped { name });
                return Ok(StepOutcome::Skipped);
            }
            Ok(_) => {
                return Err(StepFailure::Conflict {
                    contract: contract.to_string(),
                })
            }
            Err(NodeError::NotFound { .. }) => {}
            Err(other) => return Err(StepFailure::Lookup(other)),
        }

        if let Some(sent) = d.in_flight.get(&step.name) {
            self.rebroadcast_if_lost(sent).await?;
            match self.follow(step, contract, sent, progress).await {
                // Never mined, or no longer known to the node (its mempool was lost):
                // nothing changed, so it is sent again.
                Err(StepFailure::Dropped { .. })
                | Err(StepFailure::Wait {
                    error: NodeError::NotFound { .. },
                    ..
                }) => {}
                settled => return settled,
            }
        }

        let payload = Payload::deploy(&step.name, &step.source, step.clarity_version)
            .map_err(StepFailure::Build)?;
        let nonce = match self.nonce {
            Some(nonce) => nonce,
            None => d
                .node
                .next_nonce(&self.principal)
                .await
                .map_err(StepFailure::Nonce)?,
        };
        let fee = match d.fee {
            Some(fee) => fee,
            None => self.estimate_fee(&payload, nonce).await?,
        };
        let tx = TransactionBuilder::new(d.network, payload)
            .nonce(nonce)
            .fee(fee)
            .sign(d.key)
            .map_err(StepFailure::Build)?;
        let txid = tx.txid();
        progress(DeployEvent::Signed {
            name: name.clone(),
            in_flight: InFlight {
                txid,
                nonce,
                fee,
                tx: tx.to_hex(),
            },
        });
        d.node
            .broadcast(tx.as_bytes())
            .await
            .map_err(StepFailure::Broadcast)?;
        self.nonce = Some(nonce + 1);
        progress(DeployEvent::Broadcast {
            name: name.clone(),
            txid,
            nonce,
            fee,
        });

        let sent = InFlight {
            txid,
            nonce,
            fee,
            tx: String::new(),
        };
        self.follow(step, contract, &sent, progress).await
    }

    /// A deploy an earlier run signed may never have reached the node (interrupted before
    /// the broadcast) or may be lost with its mempool: while its nonce is unused, the same
    /// bytes are broadcast again, so the rerun follows that transaction and no second one.
    async fn rebroadcast_if_lost(&self, sent: &InFlight) -> Result<(), StepFailure> {
        let d = self.deployer;
        if sent.tx.is_empty() {
            return Ok(());
        }
        match d.node.tx_status(&sent.txid).await {
            Err(NodeError::NotFound { .. }) => {}
            Ok(_) => return Ok(()),
            Err(other) => return Err(StepFailure::Lookup(other)),
        }
        let account = d
            .node
            .account(&self.principal)
            .await
            .map_err(StepFailure::Nonce)?;
        if account.nonce > sent.nonce {
            return Ok(());
        }
        let tx = Transaction::from_hex(&sent.tx).map_err(StepFailure::Build)?;
        d.node
            .broadcast(tx.as_bytes())
            .await
            .map_err(StepFailure::Broadcast)?;
        Ok(())
    }

    /// Waits for a broadcast deploy and says how it ended.
    async fn follow(
        &self,
        step: &PlanStep,
        contract: &QualifiedContractIdentifier,
        sent: &InFlight,
        progress: &mut dyn FnMut(DeployEvent),
    ) -> Result<StepOutcome, StepFailure> {
        let d = self.deployer;
        let name = step.name.clone();
        let (txid, nonce, fee) = (sent.txid, sent.nonce, sent.fee);
        match d
            .node
            .wait_for(&txid, d.wait_timeout, d.poll_interval)
            .await
        {
            Ok(TxOutcome::Mined { block_height, .. }) => {
                progress(DeployEvent::Mined {
                    name,
                    txid,
                    block: block_height,
                });
                Ok(StepOutcome::Deployed {
                    txid,
                    block: block_height,
                    nonce,
                    fee,
                })
            }
            Ok(TxOutcome::Aborted {
                reason,
                result,
                block_height,
                vm_error,
            }) => Err(StepFailure::Aborted {
                txid,
                block: block_height,
                reason,
                detail: vm_error.unwrap_or_else(|| format!("it returned {result}")),
            }),
            // A bare node keeps no result: the contract being there with this source is
            // the deploy's success.
            Ok(TxOutcome::MinedResultUnknown { tip_height }) => {
                match d.node.contract_source(contract).await {
                    Ok(there) if there.source == step.source => {
                        progress(DeployEvent::Mined {
                            name,
                            txid,
                            block: tip_height,
                        });
                        Ok(StepOutcome::Deployed {
                            txid,
                            block: tip_height,
                            nonce,
                            fee,
                        })
                    }
                    Ok(_) | Err(NodeError::NotFound { .. }) => Err(StepFailure::Aborted {
                        txid,
                        block: tip_height,
                        reason: AbortReason::Response,
                        detail: format!(
                            "it is in a block, but {contract} does not hold this source: the \
                             deploy failed (the node keeps no result to say why)"
                        ),
                    }),
                    Err(other) => Err(StepFailure::Lookup(other)),
                }
            }
            Ok(TxOutcome::Dropped {
                reason,
                replaced_by,
            }) => Err(StepFailure::Dropped {
                txid,
                reason,
                replaced_by,
            }),
            Err(NodeError::WaitTimeout {
                waited,
                seen_pending,
                ..
            }) => Err(StepFailure::NotMined {
                txid,
                waited,
                seen_pending,
            }),
            Err(error) => Err(StepFailure::Wait { txid, error }),
        }
    }

    /// The node's fee estimate for deploying `payload` (with its fallback to the fee rate
    /// times the length), for a transaction as long as the signed one will be.
    async fn estimate_fee(&self, payload: &Payload, nonce: u64) -> Result<u64, StepFailure> {
        let d = self.deployer;
        // The fee is a fixed-width field: signing with 0 gives the final length.
        let probe = TransactionBuilder::new(d.network, payload.clone())
            .nonce(nonce)
            .sign(d.key)
            .map_err(StepFailure::Build)?;
        let mut bytes = Vec::new();
        payload
            .as_stacks()
            .consensus_serialize(&mut bytes)
            .map_err(|e| StepFailure::Build(TxError::Encode(e.to_string())))?;
        let estimate = d
            .node
            .estimate_fee(&bytes, probe.as_bytes().len() as u64)
            .await
            .map_err(StepFailure::Fee)?;
        Ok(estimate.fee())
    }
}

/// The message of [`DeployError::Step`]: what failed, what is done, what to do.
fn describe_step(
    failed: &str,
    deployed_now: &[String],
    already_there: &[String],
    not_sent: &[String],
    reason: &StepFailure,
) -> String {
    let list = |names: &[String]| {
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    let mut text = format!(
        "deploying `{failed}` failed: {reason}.\nDeployed by this run: {}. Already deployed \
         before: {}. Not sent: {}.",
        list(deployed_now),
        list(already_there),
        list(not_sent),
    );
    let advice = reason.advice();
    if !advice.is_empty() {
        text.push('\n');
        text.push_str(&advice);
    }
    text
}

/// What an abort reason means for a deploy.
fn describe_abort(reason: AbortReason) -> &'static str {
    match reason {
        AbortReason::Response => "rolled back",
        AbortReason::PostCondition => "a post-condition did not hold",
        AbortReason::ProblematicSkipped => "skipped by the miner as problematic",
    }
}
