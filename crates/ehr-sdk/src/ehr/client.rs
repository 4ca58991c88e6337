//! [`EhrClient`]: the EHR contracts through any Stacks node.
//!
//! Reads are read-only calls decoded into [`super::types`]; writes are contract-call
//! transactions signed here (the key never leaves the process), broadcast, and followed
//! until mined. A call the contract refuses comes back as [`ClientError::Refused`] with the
//! contract's error named and explained.

use std::time::Duration;

use clarity::vm::types::{PrincipalData, ResponseData, Value};
use stacks_codec::codec::{StacksMessageCodec, Txid};

use super::abi::Access;
use super::calls::{self, CallError, ContractCall};
use super::contracts::{
    Deployment,
    EhrContract::{self, *},
};
use super::decode::{self, DecodeError};
use super::error::ContractError;
use super::types::{
    AuditHead, ClaimsAnchor, Doctor, Issuer, Notification, Patient, Record, Request, Scope, Token,
};
use crate::audit::AuditEntry;
use crate::keys::SecretKey;
use crate::network::Network;
use crate::node::{AbortReason, DropReason, NodeClient, NodeError, RejectReason, TxOutcome};
use crate::tx::{
    AssetId, NonfungibleConditionCode, Payload, PcPrincipal, PostCondition, PostConditionMode,
    Transaction, TransactionBuilder, TxError,
};

/// Why a client operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The call could not be built (a wrong argument).
    #[error(transparent)]
    Call(#[from] CallError),
    /// Talking to the node failed.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// Signing failed.
    #[error(transparent)]
    Tx(#[from] TxError),
    /// The node answered with a value the contracts do not return.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The EHR contracts are not deployed where the client looks.
    #[error("{contract} is not deployed on this node; deploy the contracts with `ehr deploy`, or give the deployer address they were published under")]
    NotDeployed {
        /// The contract looked for.
        contract: String,
    },
    /// The function is only for the EHR contracts (or is read-only): an account's
    /// transaction calling it would always fail.
    #[error("{function} cannot be called by an account's transaction ({why})")]
    NotCallable {
        /// `contract.function`.
        function: String,
        /// Why not.
        why: &'static str,
    },
    /// The transaction was mined, and the contract refused: nothing changed but the fee.
    #[error("{function} refused in transaction 0x{txid}: {error}")]
    Refused {
        /// `contract.function`.
        function: String,
        /// The contract's reason.
        error: ContractError,
        /// The transaction.
        txid: Txid,
    },
    /// The transaction was mined and rolled back for another reason (an unknown error
    /// code, a failed post-condition, a runtime error).
    #[error("{function} failed in transaction 0x{txid}: {detail}")]
    Aborted {
        /// `contract.function`.
        function: String,
        /// What happened.
        detail: String,
        /// The transaction.
        txid: Txid,
    },
    /// The transaction is in a block, but the node keeps no result for it (a bare
    /// stacks-node): whether it succeeded is unknown.
    #[error(
        "transaction 0x{txid} for {function} is in a block (at or below height {tip_height}), \
         but this node keeps no results, so whether it succeeded is unknown; follow it \
         through a Hiro API or `ehr index` (--api URL) and run `ehr tx status 0x{txid}`"
    )]
    ResultUnknown {
        /// `contract.function`.
        function: String,
        /// The node's tip height when it was seen mined.
        tip_height: u64,
        /// The transaction.
        txid: Txid,
    },
    /// A transaction signed by an earlier run is unknown to the node, and its nonce has
    /// been used since: either it was mined and the node has forgotten it (a bare node
    /// keeps mined transactions only for a while), or another transaction took its place.
    #[error(
        "transaction 0x{txid} for {function} is unknown to this node, and its nonce {nonce} has been used since: \
         it was either mined and forgotten (a bare node keeps no results) or replaced; \
         ask a Hiro API or `ehr index` (--api URL, `ehr tx status 0x{txid}`)"
    )]
    NonceSpent {
        /// `contract.function`.
        function: String,
        /// The nonce it was signed with.
        nonce: u64,
        /// The transaction.
        txid: Txid,
    },
    /// The node dropped the transaction from its mempool; it will never be mined.
    #[error(
        "transaction 0x{txid} for {function} was dropped: {reason}; nothing changed, send it again"
    )]
    Dropped {
        /// `contract.function`.
        function: String,
        /// Why.
        reason: DropReason,
        /// The transaction.
        txid: Txid,
    },
}

impl ClientError {
    /// The contract's error, when the contract refused.
    pub fn contract_error(&self) -> Option<ContractError> {
        match self {
            ClientError::Refused { error, .. } => Some(*error),
            _ => None,
        }
    }
}

/// How to send a transaction. The default: nonce and fee asked from the node, no sponsor,
/// post-condition mode `Deny` with the post-conditions the call needs.
#[derive(Debug, Clone, Default)]
pub struct SendOptions {
    /// Use this nonce instead of the next one the node reports.
    pub nonce: Option<u64>,
    /// Pay this fee (µSTX) instead of the node's estimate.
    pub fee: Option<u64>,
    /// A sponsor that pays the fee (a clinic or NGO), so the sender needs no STX.
    pub sponsor: Option<SecretKey>,
}

/// A transaction handed to the node.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sent {
    /// Its id.
    #[serde(
        serialize_with = "crate::node::txid_hex",
        deserialize_with = "crate::node::txid_from_hex"
    )]
    pub txid: Txid,
    /// `contract.function`.
    pub function: String,
    /// The sender's nonce.
    pub nonce: u64,
    /// The fee paid (by the sponsor, when sponsored).
    pub fee: u64,
    /// Whether a sponsor paid.
    pub sponsored: bool,
}

/// A signed transaction, kept before it is broadcast so that an interrupted run sends
/// exactly the same transaction again (the same txid) instead of a second one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signed {
    /// What it is.
    #[serde(flatten)]
    pub sent: Sent,
    /// The transaction's bytes, in hex.
    pub tx: String,
}

impl Signed {
    /// The signed transaction.
    pub fn transaction(&self) -> Result<Transaction, TxError> {
        Transaction::from_hex(&self.tx)
    }

    /// The arguments of the contract call it carries (empty for other payloads).
    pub fn call_args(&self) -> Result<Vec<Value>, TxError> {
        Ok(match &self.transaction()?.as_stacks().payload {
            stacks_codec::codec::TransactionPayload::ContractCall(call) => {
                call.function_args.clone()
            }
            _ => Vec::new(),
        })
    }
}

/// A transaction mined with an `(ok ...)` result.
#[derive(Debug, Clone, PartialEq)]
pub struct Mined {
    /// What was sent.
    pub sent: Sent,
    /// The `ok` value (a new id, `true`...).
    pub value: Value,
    /// The block it is in.
    pub block_height: u64,
}

impl Mined {
    /// The `ok` value as a uint (the new record, token or request id).
    pub fn id(&self) -> Result<u64, DecodeError> {
        decode::plain(&self.sent.function, "a uint id", &self.value, |v| {
            decode::uint(v).and_then(|n| u64::try_from(n).ok())
        })
    }
}

/// The EHR contracts of one deployment, through one node.
#[derive(Debug, Clone)]
pub struct EhrClient {
    node: NodeClient,
    network: Network,
    deployment: Deployment,
    wait_timeout: Duration,
    poll_interval: Duration,
}

impl EhrClient {
    /// A client for the contracts of `deployment` on `network`, through `node`.
    pub fn new(node: NodeClient, network: Network, deployment: Deployment) -> Self {
        let (wait_timeout, poll_interval) = match network {
            Network::Devnet => (Duration::from_secs(60), Duration::from_millis(50)),
            _ => (Duration::from_secs(30 * 60), Duration::from_secs(5)),
        };
        EhrClient {
            node,
            network,
            deployment,
            wait_timeout,
            poll_interval,
        }
    }

    /// How long [`EhrClient::wait`] waits for a block, and how often it looks.
    pub fn with_wait(mut self, timeout: Duration, poll_interval: Duration) -> Self {
        self.wait_timeout = timeout;
        self.poll_interval = poll_interval;
        self
    }

    /// How long [`EhrClient::wait`] waits for a block, keeping the polling interval.
    pub fn with_wait_timeout(mut self, timeout: Duration) -> Self {
        self.wait_timeout = timeout;
        self
    }

    /// The node client underneath.
    pub fn node(&self) -> &NodeClient {
        &self.node
    }

    /// The network transactions are signed for.
    pub fn network(&self) -> Network {
        self.network
    }

    /// Where the contracts are.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// The attestation an issuer signs for `doctor` in this deployment on this network
    /// (bound to both, so the signature verifies nowhere else).
    pub fn attestation(
        &self,
        doctor: &PrincipalData,
        license_hash: &[u8; 32],
        expires_at: u64,
        issuer: &PrincipalData,
    ) -> crate::disclosure::Attestation {
        crate::disclosure::Attestation {
            doctor: doctor.clone(),
            license_hash: *license_hash,
            expires_at: expires_at.into(),
            issuer: issuer.clone(),
            chain_id: self.network.chain_id(),
            registry: self.deployment.id(EhrContract::DoctorRegistry),
        }
    }

    // ---- writes ----------------------------------------------------------------------

    /// Signs `call` as `signer` and broadcasts it; does not wait. The post-condition mode
    /// is `Deny`, with exactly the asset movements the call makes: an access token leaving
    /// its owner on `transfer` and `revoke-access` (a burn).
    pub async fn send(
        &self,
        signer: &SecretKey,
        call: &ContractCall,
        options: &SendOptions,
    ) -> Result<Sent, ClientError> {
        let signed = self.sign(signer, call, options).await?;
        self.broadcast(&signed).await
    }

    /// Builds and signs `call` as [`send`](Self::send) does, without broadcasting it: keep
    /// the result (on disk) before [`broadcast`](Self::broadcast), and an interruption
    /// at any point can be finished with [`resume`](Self::resume).
    pub async fn sign(
        &self,
        signer: &SecretKey,
        call: &ContractCall,
        options: &SendOptions,
    ) -> Result<Signed, ClientError> {
        match call.access() {
            Access::Public => {}
            Access::Internal => {
                return Err(ClientError::NotCallable {
                    function: call.spec().qualified_name(),
                    why: "only the EHR contracts may call it",
                })
            }
            Access::ReadOnly => {
                return Err(ClientError::NotCallable {
                    function: call.spec().qualified_name(),
                    why: "it is read-only: use EhrClient::read",
                })
            }
        }
        let contract = self.deployment.id(call.contract());
        let payload = Payload::contract_call(&contract, call.function(), call.args().to_vec())?;
        let sender = signer.address(self.network).to_principal();
        let nonce = match options.nonce {
            Some(n) => n,
            None => self.node.next_nonce(&sender).await?,
        };
        let mut builder = TransactionBuilder::new(self.network, payload)
            .nonce(nonce)
            .post_condition_mode(PostConditionMode::Deny);
        for pc in self.post_conditions(call).await? {
            builder = builder.post_condition(pc);
        }
        let function = call.spec().qualified_name();
        let (tx, fee, sponsored) = match &options.sponsor {
            None => {
                let fee = match options.fee {
                    Some(fee) => fee,
                    None => {
                        self.estimate(builder.clone().fee(0).sign(signer)?.as_stacks())
                            .await?
                    }
                };
                (builder.fee(fee).sign(signer)?, fee, false)
            }
            Some(sponsor) => {
                let request = builder.fee(0).sign_sponsored(signer)?;
                let sponsor_principal = sponsor.address(self.network).to_principal();
                let sponsor_nonce = self.node.next_nonce(&sponsor_principal).await?;
                let fee = match options.fee {
                    Some(fee) => fee,
                    None => {
                        let probe = request.clone().sponsor(sponsor, 0, sponsor_nonce)?;
                        self.estimate(probe.as_stacks()).await?
                    }
                };
                (request.sponsor(sponsor, fee, sponsor_nonce)?, fee, true)
            }
        };
        Ok(Signed {
            sent: Sent {
                txid: tx.txid(),
                function,
                nonce,
                fee,
                sponsored,
            },
            tx: tx.to_hex(),
        })
    }

    /// Hands a signed transaction to the node.
    pub async fn broadcast(&self, signed: &Signed) -> Result<Sent, ClientError> {
        let tx = signed.transaction()?;
        self.node.broadcast(tx.as_bytes()).await?;
        Ok(signed.sent.clone())
    }

    /// Finishes a transaction signed by an earlier, interrupted run: follows it if the
    /// node knows it; broadcasts the same bytes again if the node never got them (or lost
    /// them) and its nonce is still unused; and says so when the nonce was used since
    /// ([`ClientError::NonceSpent`]). Never signs a second transaction.
    pub async fn resume(&self, signed: &Signed) -> Result<Mined, ClientError> {
        match self.node.tx_status(&signed.sent.txid).await {
            Ok(_) => {}
            Err(NodeError::NotFound { .. }) => {
                let origin = signed.transaction()?.as_stacks().origin_address();
                let account = self.node.account(&origin.into()).await?;
                if account.nonce > signed.sent.nonce && !self.indexer_catches_up(signed).await? {
                    // An indexer knows every mined transaction: this one was not mined,
                    // another took its nonce. A bare node cannot tell which happened.
                    if self.node.tx_source().await?.knows_results() {
                        return Err(ClientError::Dropped {
                            function: signed.sent.function.clone(),
                            reason: DropReason::NonceTaken,
                            txid: signed.sent.txid,
                        });
                    }
                    return Err(ClientError::NonceSpent {
                        function: signed.sent.function.clone(),
                        nonce: signed.sent.nonce,
                        txid: signed.sent.txid,
                    });
                }
                match self.broadcast(signed).await {
                    Ok(_) => {}
                    // The nonce is held in the node's mempool: by this very transaction
                    // (which the indexer has not seen) or by another. Follow this one; if
                    // the other is mined instead, this one ends as dropped or unknown.
                    Err(ClientError::Node(NodeError::BroadcastRejected {
                        reason: RejectReason::ConflictingNonceInMempool,
                        ..
                    })) => {}
                    Err(other) => return Err(other),
                }
            }
            Err(other) => return Err(other.into()),
        }
        self.wait(&signed.sent).await
    }

    /// Whether an indexer (a Hiro API, `ehr index`) that did not know `signed` comes to
    /// know it within a few seconds: it follows the node's events, so a transaction mined
    /// a moment ago may not be in it yet. `false` at once for a node followed directly.
    async fn indexer_catches_up(&self, signed: &Signed) -> Result<bool, ClientError> {
        const LOOKS: u32 = 20;
        if !self.node.tx_source().await?.knows_results() {
            return Ok(false);
        }
        let pause =
            (self.poll_interval / 2).clamp(Duration::from_millis(50), Duration::from_millis(500));
        for _ in 0..LOOKS {
            tokio::time::sleep(pause).await;
            match self.node.tx_status(&signed.sent.txid).await {
                Ok(_) => return Ok(true),
                Err(NodeError::NotFound { .. }) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Ok(false)
    }

    /// The node's fee estimate for a signed transaction of this size and payload.
    async fn estimate(
        &self,
        tx: &stacks_codec::codec::StacksTransaction,
    ) -> Result<u64, ClientError> {
        let payload = tx.payload.serialize_to_vec();
        let len = tx.serialize_to_vec().len() as u64;
        Ok(self.node.estimate_fee(&payload, len).await?.fee())
    }

    /// The post-conditions `call` needs under `Deny`: the access token leaves its owner
    /// on `transfer` (the `sender` argument) and on `revoke-access` (burnt from whoever
    /// holds it).
    async fn post_conditions(
        &self,
        call: &ContractCall,
    ) -> Result<Vec<PostCondition>, ClientError> {
        let (token, owner) = match (call.contract(), call.function(), call.args()) {
            (AccessTokenNft, "transfer", [id, Value::Principal(sender), _]) => {
                (id.clone(), sender.clone())
            }
            (PermissionManager, "revoke-access", [Value::UInt(id)]) => {
                let id = u64::try_from(*id).unwrap_or(u64::MAX);
                match self.token_owner(id).await? {
                    Some(owner) => (Value::UInt(id.into()), owner),
                    // No such token: the contract refuses the call; nothing moves.
                    None => return Ok(Vec::new()),
                }
            }
            _ => return Ok(Vec::new()),
        };
        let asset: AssetId = self
            .deployment
            .access_token_asset()
            .parse()
            .expect("the access token's asset id is well formed");
        Ok(vec![PostCondition::nft(
            PcPrincipal::principal(&owner)?,
            &asset,
            token,
            NonfungibleConditionCode::Sent,
        )])
    }

    /// Waits until `sent` is mined and returns its `ok` value; a refusal is
    /// [`ClientError::Refused`].
    pub async fn wait(&self, sent: &Sent) -> Result<Mined, ClientError> {
        let outcome = self
            .node
            .wait_for(&sent.txid, self.wait_timeout, self.poll_interval)
            .await?;
        let function = sent.function.clone();
        match outcome {
            TxOutcome::Mined {
                result,
                block_height,
            } => {
                let value = match result {
                    Value::Response(ResponseData { data, .. }) => *data,
                    other => other,
                };
                Ok(Mined {
                    sent: sent.clone(),
                    value,
                    block_height,
                })
            }
            TxOutcome::Aborted {
                reason,
                result,
                vm_error,
                ..
            } => match (reason, ContractError::from_result(&result)) {
                (AbortReason::Response, Some(error)) => Err(ClientError::Refused {
                    function,
                    error,
                    txid: sent.txid,
                }),
                _ => Err(ClientError::Aborted {
                    function,
                    detail: match vm_error {
                        Some(e) => format!("{reason:?}: {e}"),
                        None => format!("{reason:?}, result {result}"),
                    },
                    txid: sent.txid,
                }),
            },
            TxOutcome::MinedResultUnknown { tip_height } => Err(ClientError::ResultUnknown {
                function,
                tip_height,
                txid: sent.txid,
            }),
            TxOutcome::Dropped { reason, .. } => Err(ClientError::Dropped {
                function,
                reason,
                txid: sent.txid,
            }),
        }
    }

    /// [`send`](Self::send), then [`wait`](Self::wait).
    pub async fn execute(
        &self,
        signer: &SecretKey,
        call: &ContractCall,
        options: &SendOptions,
    ) -> Result<Mined, ClientError> {
        let sent = self.send(signer, call, options).await?;
        self.wait(&sent).await
    }

    // ---- reads -----------------------------------------------------------------------

    /// Runs a read-only call at the chain tip and returns its value.
    pub async fn read(&self, call: &ContractCall) -> Result<Value, ClientError> {
        let contract = self.deployment.id(call.contract());
        let sender = PrincipalData::Standard(self.deployment.deployer().clone());
        match self
            .node
            .call_read_only(&contract, call.function(), call.args(), &sender)
            .await
        {
            Ok(v) => Ok(v),
            Err(NodeError::ReadOnlyFailed { cause, .. })
                if cause.contains("NoSuchContract") || cause.starts_with("no contract") =>
            {
                Err(ClientError::NotDeployed {
                    contract: contract.to_string(),
                })
            }
            Err(NodeError::NotFound { .. }) => Err(ClientError::NotDeployed {
                contract: contract.to_string(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    async fn read_fn(
        &self,
        contract: EhrContract,
        function: &'static str,
        args: Vec<Value>,
    ) -> Result<Value, ClientError> {
        self.read(&calls::read_only(contract, function, args)?)
            .await
    }

    async fn read_bool(
        &self,
        contract: EhrContract,
        function: &'static str,
        args: Vec<Value>,
    ) -> Result<bool, ClientError> {
        let v = self.read_fn(contract, function, args).await?;
        Ok(decode::plain(function, "a bool", &v, decode::boolean)?)
    }

    async fn read_u64(
        &self,
        contract: EhrContract,
        function: &'static str,
        args: Vec<Value>,
    ) -> Result<u64, ClientError> {
        let v = self.read_fn(contract, function, args).await?;
        Ok(decode::plain(function, "a uint", &v, |v| {
            decode::uint(v).and_then(|n| u64::try_from(n).ok())
        })?)
    }

    async fn read_optional_u64(
        &self,
        contract: EhrContract,
        function: &'static str,
        args: Vec<Value>,
    ) -> Result<Option<u64>, ClientError> {
        let v = self.read_fn(contract, function, args).await?;
        Ok(decode::optional(function, &v, |inner| {
            decode::plain(function, "a uint", inner, |v| {
                decode::uint(v).and_then(|n| u64::try_from(n).ok())
            })
        })?)
    }

    async fn read_principal(
        &self,
        contract: EhrContract,
        function: &'static str,
    ) -> Result<PrincipalData, ClientError> {
        let v = self.read_fn(contract, function, vec![]).await?;
        Ok(decode::plain(
            function,
            "a principal",
            &v,
            decode::principal,
        )?)
    }

    async fn read_buff32(
        &self,
        contract: EhrContract,
        function: &'static str,
        args: Vec<Value>,
    ) -> Result<[u8; 32], ClientError> {
        let v = self.read_fn(contract, function, args).await?;
        Ok(decode::plain(
            function,
            "a 32-byte buffer",
            &v,
            decode::buff::<32>,
        )?)
    }

    /// `patient-registry.get-patient`.
    pub async fn get_patient(&self, p: &PrincipalData) -> Result<Option<Patient>, ClientError> {
        let v = self
            .read_fn(PatientRegistry, "get-patient", vec![principal(p)])
            .await?;
        Ok(decode::optional("get-patient", &v, Patient::from_value)?)
    }

    /// `patient-registry.is-registered`: registered and active.
    pub async fn is_registered(&self, p: &PrincipalData) -> Result<bool, ClientError> {
        self.read_bool(PatientRegistry, "is-registered", vec![principal(p)])
            .await
    }

    /// `patient-registry.is-guardian`.
    pub async fn is_guardian(
        &self,
        patient: &PrincipalData,
        guardian: &PrincipalData,
    ) -> Result<bool, ClientError> {
        self.read_bool(
            PatientRegistry,
            "is-guardian",
            vec![principal(patient), principal(guardian)],
        )
        .await
    }

    /// `patient-registry.get-guardians`.
    pub async fn get_guardians(
        &self,
        patient: &PrincipalData,
    ) -> Result<Vec<PrincipalData>, ClientError> {
        let v = self
            .read_fn(PatientRegistry, "get-guardians", vec![principal(patient)])
            .await?;
        match v {
            Value::Sequence(clarity::vm::types::SequenceData::List(list)) => list
                .data
                .iter()
                .map(|item| decode::plain("get-guardians", "a principal", item, decode::principal))
                .collect::<Result<_, _>>()
                .map_err(Into::into),
            other => Err(DecodeError::new(
                "get-guardians",
                format!("expected a list, got {other}"),
            )
            .into()),
        }
    }

    /// `patient-registry.get-guardian-proposal`: the block of a pending proposal that
    /// `guardian` has not accepted yet.
    pub async fn get_guardian_proposal(
        &self,
        patient: &PrincipalData,
        guardian: &PrincipalData,
    ) -> Result<Option<u64>, ClientError> {
        self.read_optional_u64(
            PatientRegistry,
            "get-guardian-proposal",
            vec![principal(patient), principal(guardian)],
        )
        .await
    }

    /// `patient-registry.is-verifier`.
    pub async fn is_verifier(&self, p: &PrincipalData) -> Result<bool, ClientError> {
        self.read_bool(PatientRegistry, "is-verifier", vec![principal(p)])
            .await
    }

    /// `patient-registry.acts-for`: `actor` is the patient or one of its guardians.
    pub async fn acts_for(
        &self,
        patient: &PrincipalData,
        actor: &PrincipalData,
    ) -> Result<bool, ClientError> {
        self.read_bool(
            PatientRegistry,
            "acts-for",
            vec![principal(patient), principal(actor)],
        )
        .await
    }

    /// `patient-registry.get-owner` (the same account as `doctor-registry.get-owner`: the
    /// deployer): the registries' administrator.
    pub async fn patient_registry_admin(&self) -> Result<PrincipalData, ClientError> {
        self.read_principal(PatientRegistry, "get-owner").await
    }

    /// `doctor-registry.get-owner`.
    pub async fn doctor_registry_admin(&self) -> Result<PrincipalData, ClientError> {
        self.read_principal(DoctorRegistry, "get-owner").await
    }

    /// `get-proposed-admin` of `registry` (patient-registry or doctor-registry): the
    /// account proposed as the next administrator, until it accepts.
    pub async fn proposed_admin(
        &self,
        registry: EhrContract,
    ) -> Result<Option<PrincipalData>, ClientError> {
        let v = self.read_fn(registry, "get-proposed-admin", vec![]).await?;
        Ok(decode::optional("get-proposed-admin", &v, |p| {
            decode::plain("get-proposed-admin", "a principal", p, decode::principal)
        })?)
    }

    /// `doctor-registry.get-doctor`.
    pub async fn get_doctor(&self, d: &PrincipalData) -> Result<Option<Doctor>, ClientError> {
        let v = self
            .read_fn(DoctorRegistry, "get-doctor", vec![principal(d)])
            .await?;
        Ok(decode::optional("get-doctor", &v, Doctor::from_value)?)
    }

    /// `doctor-registry.get-issuer`.
    pub async fn get_issuer(&self, i: &PrincipalData) -> Result<Option<Issuer>, ClientError> {
        let v = self
            .read_fn(DoctorRegistry, "get-issuer", vec![principal(i)])
            .await?;
        Ok(decode::optional("get-issuer", &v, Issuer::from_value)?)
    }

    /// `doctor-registry.is-verified`: verified, not suspended, not expired.
    pub async fn is_verified(&self, d: &PrincipalData) -> Result<bool, ClientError> {
        self.read_bool(DoctorRegistry, "is-verified", vec![principal(d)])
            .await
    }

    /// `ehr-storage.get-record`.
    pub async fn get_record(&self, id: u64) -> Result<Option<Record>, ClientError> {
        let v = self
            .read_fn(EhrStorage, "get-record", vec![uint(id)])
            .await?;
        Ok(decode::optional("get-record", &v, |t| {
            Record::from_value(id, t)
        })?)
    }

    /// `ehr-storage.get-chunk`.
    pub async fn get_chunk(&self, id: u64, index: u64) -> Result<Option<Vec<u8>>, ClientError> {
        let v = self
            .read_fn(EhrStorage, "get-chunk", vec![uint(id), uint(index)])
            .await?;
        Ok(decode::optional("get-chunk", &v, |b| {
            decode::plain("get-chunk", "a buffer", b, decode::bytes)
        })?)
    }

    /// `ehr-storage.get-envelope`: `holder`'s key envelope for record `id`.
    pub async fn get_envelope(
        &self,
        id: u64,
        holder: &PrincipalData,
    ) -> Result<Option<Vec<u8>>, ClientError> {
        let v = self
            .read_fn(
                EhrStorage,
                "get-envelope",
                vec![uint(id), principal(holder)],
            )
            .await?;
        Ok(decode::optional("get-envelope", &v, |b| {
            decode::plain("get-envelope", "a buffer", b, decode::bytes)
        })?)
    }

    /// `ehr-storage.get-patient-record-count`.
    pub async fn get_patient_record_count(&self, p: &PrincipalData) -> Result<u64, ClientError> {
        self.read_u64(EhrStorage, "get-patient-record-count", vec![principal(p)])
            .await
    }

    /// `ehr-storage.get-patient-record-id`: the id of the patient's `index`-th record.
    pub async fn get_patient_record_id(
        &self,
        p: &PrincipalData,
        index: u64,
    ) -> Result<Option<u64>, ClientError> {
        self.read_optional_u64(
            EhrStorage,
            "get-patient-record-id",
            vec![principal(p), uint(index)],
        )
        .await
    }

    /// `ehr-storage.get-record-count`: records of all patients.
    pub async fn get_record_count(&self) -> Result<u64, ClientError> {
        self.read_u64(EhrStorage, "get-record-count", vec![]).await
    }

    /// `ehr-storage.get-claims-anchor`.
    pub async fn get_claims_anchor(
        &self,
        record_id: u64,
    ) -> Result<Option<ClaimsAnchor>, ClientError> {
        let v = self
            .read_fn(EhrStorage, "get-claims-anchor", vec![uint(record_id)])
            .await?;
        Ok(decode::optional(
            "get-claims-anchor",
            &v,
            ClaimsAnchor::from_value,
        )?)
    }

    /// `ehr-storage.is-logged-action`: whether `log-access` takes `action`.
    pub async fn is_logged_action(&self, action: &str) -> Result<bool, ClientError> {
        let call = calls::read_only(
            EhrStorage,
            "is-logged-action",
            vec![
                Value::string_ascii_from_bytes(action.as_bytes().to_vec()).map_err(|e| {
                    CallError::BadArgument {
                        function: "ehr-storage.is-logged-action".into(),
                        arg: "action".into(),
                        expected: "(string-ascii 24)".into(),
                        problem: e.to_string(),
                    }
                })?,
            ],
        )?;
        let v = self.read(&call).await?;
        Ok(decode::plain(
            "is-logged-action",
            "a bool",
            &v,
            decode::boolean,
        )?)
    }

    /// `access-token-nft.get-last-token-id`.
    pub async fn get_last_token_id(&self) -> Result<u64, ClientError> {
        let v = self
            .read_fn(AccessTokenNft, "get-last-token-id", vec![])
            .await?;
        Ok(decode::ok_response("get-last-token-id", &v, |v| {
            decode::plain("get-last-token-id", "a uint", v, |v| {
                decode::uint(v).and_then(|n| u64::try_from(n).ok())
            })
        })?)
    }

    /// `access-token-nft.get-token-uri` (always none: the tokens carry no metadata URI).
    pub async fn get_token_uri(&self, id: u64) -> Result<Option<String>, ClientError> {
        let v = self
            .read_fn(AccessTokenNft, "get-token-uri", vec![uint(id)])
            .await?;
        Ok(decode::ok_response("get-token-uri", &v, |v| {
            decode::optional("get-token-uri", v, |s| {
                decode::plain("get-token-uri", "an ASCII string", s, decode::ascii)
            })
        })?)
    }

    /// `access-token-nft.get-owner`: who holds token `id` (none once burnt).
    pub async fn token_owner(&self, id: u64) -> Result<Option<PrincipalData>, ClientError> {
        let v = self
            .read_fn(AccessTokenNft, "get-owner", vec![uint(id)])
            .await?;
        Ok(decode::ok_response("get-owner", &v, |v| {
            decode::optional("get-owner", v, |p| {
                decode::plain("get-owner", "a principal", p, decode::principal)
            })
        })?)
    }

    /// `access-token-nft.get-token`.
    pub async fn get_token(&self, id: u64) -> Result<Option<Token>, ClientError> {
        let v = self
            .read_fn(AccessTokenNft, "get-token", vec![uint(id)])
            .await?;
        Ok(decode::optional("get-token", &v, |t| {
            Token::from_value(id, t)
        })?)
    }

    /// `access-token-nft.get-active-token`: the live token of (patient, grantee).
    pub async fn get_active_token(
        &self,
        patient: &PrincipalData,
        grantee: &PrincipalData,
    ) -> Result<Option<u64>, ClientError> {
        self.read_optional_u64(
            AccessTokenNft,
            "get-active-token",
            vec![principal(patient), principal(grantee)],
        )
        .await
    }

    /// `access-token-nft.get-patient-token-count`: tokens issued for patient `p`.
    pub async fn get_patient_token_count(&self, p: &PrincipalData) -> Result<u64, ClientError> {
        self.read_u64(
            AccessTokenNft,
            "get-patient-token-count",
            vec![principal(p)],
        )
        .await
    }

    /// `access-token-nft.get-patient-token-id`: the id of patient `p`'s `index`-th token.
    pub async fn get_patient_token_id(
        &self,
        p: &PrincipalData,
        index: u64,
    ) -> Result<Option<u64>, ClientError> {
        self.read_optional_u64(
            AccessTokenNft,
            "get-patient-token-id",
            vec![principal(p), uint(index)],
        )
        .await
    }

    /// `access-token-nft.get-grantee-token-count`: tokens `p` became the grantee of (not
    /// counting a patient's own tokens); check each token for its current state.
    pub async fn get_grantee_token_count(&self, p: &PrincipalData) -> Result<u64, ClientError> {
        self.read_u64(
            AccessTokenNft,
            "get-grantee-token-count",
            vec![principal(p)],
        )
        .await
    }

    /// `access-token-nft.get-grantee-token-id`.
    pub async fn get_grantee_token_id(
        &self,
        p: &PrincipalData,
        index: u64,
    ) -> Result<Option<u64>, ClientError> {
        self.read_optional_u64(
            AccessTokenNft,
            "get-grantee-token-id",
            vec![principal(p), uint(index)],
        )
        .await
    }

    /// `permission-manager.has-access`.
    pub async fn has_access(
        &self,
        patient: &PrincipalData,
        grantee: &PrincipalData,
        scope: Scope,
        record_type: Option<&str>,
    ) -> Result<bool, ClientError> {
        let call = calls::has_access(patient, grantee, scope, record_type)?;
        let v = self.read(&call).await?;
        Ok(decode::plain("has-access", "a bool", &v, decode::boolean)?)
    }

    /// `permission-manager.get-request`.
    pub async fn get_request(&self, id: u64) -> Result<Option<Request>, ClientError> {
        let v = self
            .read_fn(PermissionManager, "get-request", vec![uint(id)])
            .await?;
        Ok(decode::optional("get-request", &v, |t| {
            Request::from_value(id, t)
        })?)
    }

    /// `permission-manager.get-request-count`.
    pub async fn get_request_count(&self) -> Result<u64, ClientError> {
        self.read_u64(PermissionManager, "get-request-count", vec![])
            .await
    }

    /// `permission-manager.get-grant`: the token behind a grant.
    pub async fn get_grant(&self, token_id: u64) -> Result<Option<Token>, ClientError> {
        let v = self
            .read_fn(PermissionManager, "get-grant", vec![uint(token_id)])
            .await?;
        Ok(decode::optional("get-grant", &v, |t| {
            Token::from_value(token_id, t)
        })?)
    }

    /// `permission-manager.is-emergency-allowed`.
    pub async fn is_emergency_allowed(&self, patient: &PrincipalData) -> Result<bool, ClientError> {
        self.read_bool(
            PermissionManager,
            "is-emergency-allowed",
            vec![principal(patient)],
        )
        .await
    }

    /// `permission-manager.get-emergency-closed-until`: the first block at which `doctor`
    /// may open emergency access to `patient` again (0: never closed).
    pub async fn get_emergency_closed_until(
        &self,
        patient: &PrincipalData,
        doctor: &PrincipalData,
    ) -> Result<u64, ClientError> {
        self.read_u64(
            PermissionManager,
            "get-emergency-closed-until",
            vec![principal(patient), principal(doctor)],
        )
        .await
    }

    /// `permission-manager.get-patient-request-count`: requests made to patient `p`.
    pub async fn get_patient_request_count(&self, p: &PrincipalData) -> Result<u64, ClientError> {
        self.read_u64(
            PermissionManager,
            "get-patient-request-count",
            vec![principal(p)],
        )
        .await
    }

    /// `permission-manager.get-patient-request-id`.
    pub async fn get_patient_request_id(
        &self,
        p: &PrincipalData,
        index: u64,
    ) -> Result<Option<u64>, ClientError> {
        self.read_optional_u64(
            PermissionManager,
            "get-patient-request-id",
            vec![principal(p), uint(index)],
        )
        .await
    }

    /// `permission-manager.get-doctor-request-count`: requests doctor `p` made.
    pub async fn get_doctor_request_count(&self, p: &PrincipalData) -> Result<u64, ClientError> {
        self.read_u64(
            PermissionManager,
            "get-doctor-request-count",
            vec![principal(p)],
        )
        .await
    }

    /// `permission-manager.get-doctor-request-id`.
    pub async fn get_doctor_request_id(
        &self,
        p: &PrincipalData,
        index: u64,
    ) -> Result<Option<u64>, ClientError> {
        self.read_optional_u64(
            PermissionManager,
            "get-doctor-request-id",
            vec![principal(p), uint(index)],
        )
        .await
    }

    /// `audit-log.get-entry`.
    pub async fn get_entry(&self, id: u64) -> Result<Option<AuditEntry>, ClientError> {
        let v = self.read_fn(AuditLog, "get-entry", vec![uint(id)]).await?;
        Ok(decode::optional("get-entry", &v, |t| {
            AuditEntry::from_value(id.into(), t).map_err(|e| DecodeError::new("get-entry", e.0))
        })?)
    }

    /// `audit-log.get-entry-count`.
    pub async fn get_entry_count(&self) -> Result<u64, ClientError> {
        self.read_u64(AuditLog, "get-entry-count", vec![]).await
    }

    /// `audit-log.get-patient-entry-count`.
    pub async fn get_patient_entry_count(&self, p: &PrincipalData) -> Result<u64, ClientError> {
        self.read_u64(AuditLog, "get-patient-entry-count", vec![principal(p)])
            .await
    }

    /// `audit-log.get-patient-entry-id`.
    pub async fn get_patient_entry_id(
        &self,
        p: &PrincipalData,
        index: u64,
    ) -> Result<Option<u64>, ClientError> {
        self.read_optional_u64(
            AuditLog,
            "get-patient-entry-id",
            vec![principal(p), uint(index)],
        )
        .await
    }

    /// `audit-log.get-head`.
    pub async fn get_head(&self) -> Result<AuditHead, ClientError> {
        let v = self.read_fn(AuditLog, "get-head", vec![]).await?;
        Ok(AuditHead::from_value(&v)?)
    }

    /// `is-ehr-contract` of `audit-log` or `notification-system`: whether those accept
    /// writes from `caller`.
    pub async fn is_ehr_contract(
        &self,
        contract: EhrContract,
        caller: &PrincipalData,
    ) -> Result<bool, ClientError> {
        self.read_bool(contract, "is-ehr-contract", vec![principal(caller)])
            .await
    }

    /// `notification-system.get-notification`.
    pub async fn get_notification(
        &self,
        recipient: &PrincipalData,
        index: u64,
    ) -> Result<Option<Notification>, ClientError> {
        let v = self
            .read_fn(
                NotificationSystem,
                "get-notification",
                vec![principal(recipient), uint(index)],
            )
            .await?;
        Ok(decode::optional("get-notification", &v, |t| {
            Notification::from_value(index, t)
        })?)
    }

    /// `notification-system.get-notification-count`.
    pub async fn get_notification_count(&self, p: &PrincipalData) -> Result<u64, ClientError> {
        self.read_u64(
            NotificationSystem,
            "get-notification-count",
            vec![principal(p)],
        )
        .await
    }

    /// `notification-system.get-unread-count`.
    pub async fn get_unread_count(&self, p: &PrincipalData) -> Result<u64, ClientError> {
        self.read_u64(NotificationSystem, "get-unread-count", vec![principal(p)])
            .await
    }

    /// `notification-system.is-muted`: whether `recipient` muted notifications caused by
    /// `actor`.
    pub async fn is_muted(
        &self,
        recipient: &PrincipalData,
        actor: &PrincipalData,
    ) -> Result<bool, ClientError> {
        self.read_bool(
            NotificationSystem,
            "is-muted",
            vec![principal(recipient), principal(actor)],
        )
        .await
    }

    /// `verification-helper.leaf-hash`: the contract's Merkle leaf hash of a field.
    pub async fn leaf_hash(&self, salt: &[u8; 32], field: &[u8]) -> Result<[u8; 32], ClientError> {
        self.read_buff32(
            VerificationHelper,
            "leaf-hash",
            vec![buff(salt)?, buff(field)?],
        )
        .await
    }

    /// `verification-helper.node-hash`.
    pub async fn node_hash(
        &self,
        left: &[u8; 32],
        right: &[u8; 32],
    ) -> Result<[u8; 32], ClientError> {
        self.read_buff32(
            VerificationHelper,
            "node-hash",
            vec![buff(left)?, buff(right)?],
        )
        .await
    }

    /// `verification-helper.verify-merkle-proof`: the contract hashes the leaf from `salt`
    /// and `field` itself and checks it against `proof` (from
    /// [`crate::disclosure::MerkleTree::prove`]); `proof.leaf` is not sent.
    pub async fn verify_merkle_proof(
        &self,
        salt: &[u8; 32],
        field: &[u8],
        proof: &crate::disclosure::MerkleProof,
    ) -> Result<bool, ClientError> {
        let list = |items: Vec<Value>| {
            Value::cons_list_unsanitized(items).map_err(|e| CallError::BadArgument {
                function: "verification-helper.verify-merkle-proof".into(),
                arg: "proof".into(),
                expected: "(list 32 ...)".into(),
                problem: e.to_string(),
            })
        };
        let siblings = proof
            .siblings
            .iter()
            .map(|s| buff(s))
            .collect::<Result<Vec<_>, _>>()?;
        let positions = proof.positions.iter().map(|b| Value::Bool(*b)).collect();
        self.read_bool(
            VerificationHelper,
            "verify-merkle-proof",
            vec![
                buff(salt)?,
                buff(field)?,
                list(siblings)?,
                list(positions)?,
                buff(&proof.root)?,
            ],
        )
        .await
    }

    /// `verification-helper.verify-commitment`.
    pub async fn verify_commitment(
        &self,
        commitment: &[u8; 32],
        salt: &[u8; 32],
        value: &[u8],
    ) -> Result<bool, ClientError> {
        self.read_bool(
            VerificationHelper,
            "verify-commitment",
            vec![buff(commitment)?, buff(salt)?, buff(value)?],
        )
        .await
    }

    /// `verification-helper.verify-signature`.
    pub async fn verify_signature(
        &self,
        message_hash: &[u8; 32],
        signature: &[u8; 65],
        pubkey: &[u8; 33],
    ) -> Result<bool, ClientError> {
        self.read_bool(
            VerificationHelper,
            "verify-signature",
            vec![buff(message_hash)?, buff(signature)?, buff(pubkey)?],
        )
        .await
    }

    /// `verification-helper.attestation-hash`: what an issuer signs to attest a doctor
    /// (bound to the issuer, the chain and this deployment).
    pub async fn attestation_hash(
        &self,
        doctor: &PrincipalData,
        license_hash: &[u8; 32],
        expires_at: u64,
        issuer: &PrincipalData,
    ) -> Result<[u8; 32], ClientError> {
        self.read_buff32(
            VerificationHelper,
            "attestation-hash",
            vec![
                principal(doctor),
                buff(license_hash)?,
                uint(expires_at),
                principal(issuer),
            ],
        )
        .await
    }
}

fn principal(p: &PrincipalData) -> Value {
    Value::Principal(p.clone())
}

fn uint(n: u64) -> Value {
    Value::UInt(n.into())
}

fn buff(bytes: &[u8]) -> Result<Value, CallError> {
    Value::buff_from(bytes.to_vec()).map_err(|e| CallError::BadArgument {
        function: "a read-only call".into(),
        arg: "a buffer".into(),
        expected: "a buffer within the function's bound".into(),
        problem: e.to_string(),
    })
}
