//! An async client for Stacks nodes: the RPC endpoints of stacks-node (`/v2/...`) and the
//! Hiro API routes wallets use beside them (`/extended/...`), with typed answers, Clarity
//! values decoded, mempool rejections as an enum and waiting until a transaction is mined.
//!
//! It speaks to this project's devnet and to any real node alike. Requests time out and
//! are retried only when that is safe (see [`RetryPolicy`]); every failure is a
//! [`NodeError`] whose message says what to check.
//!
//! ```no_run
//! # use std::time::Duration;
//! # use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier};
//! # use clarity::vm::Value;
//! # use ehr_sdk::node::{NodeClient, TxOutcome};
//! # async fn demo(signed_tx: Vec<u8>) -> Result<(), Box<dyn std::error::Error>> {
//! let node = NodeClient::new("http://127.0.0.1:20443")?;
//! let me = PrincipalData::parse("ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5")?;
//! let nonce = node.next_nonce(&me).await?;
//! let txid = node.broadcast(&signed_tx).await?;
//! match node.wait_for(&txid, Duration::from_secs(60), Duration::from_secs(1)).await? {
//!     TxOutcome::Mined { result, block_height } => println!("{result} at {block_height}"),
//!     other => println!("not applied: {other:?}"),
//! }
//! let registry = QualifiedContractIdentifier::parse(
//!     "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.patient-registry",
//! )?;
//! let registered = node
//!     .call_read_only(&registry, "is-registered", &[Value::Principal(me.clone())], &me)
//!     .await?;
//! # let _ = (nonce, registered);
//! # Ok(()) }
//! ```

mod account;
mod blocks;
mod client;
pub mod clock;
mod contract;
mod ehr_index;
mod error;
mod fees;
mod follow;
mod info;
mod rejection;
mod retry;
mod tx_status;
mod wire;

pub use account::{Account, Nonces};
pub use client::{NodeClient, NodeClientBuilder};
pub use contract::{
    AbiField, AbiFunction, AbiFungibleToken, AbiMap, AbiNonFungibleToken, AbiType, AbiVariable,
    ContractInterface, ContractSource, FunctionAccess, VariableAccess,
};
pub use ehr_index::{AuditFilter, AuditPage, IndexStatus, IndexedBlock, MissingBlocks, MAX_PAGE};
pub use error::NodeError;
pub use fees::{FeeEstimate, FeeEstimation};
pub use follow::TxSource;
pub use info::NodeInfo;
pub use rejection::RejectReason;
pub use retry::RetryPolicy;
pub use stacks_codec::codec::Txid;
pub use tx_status::{AbortReason, DropReason, TxOutcome, TxStatus};
pub use wire::{parse_txid, InvalidTxid};
pub(crate) use wire::{txid_from_hex, txid_hex};
