//! Where a transaction is: pending, mined (committed or rolled back, or with its result
//! unknown) or dropped; and the Hiro API's `GET /extended/v1/tx/{txid}` shape of it.

use clarity::vm::Value;
use serde::Deserialize;
use stacks_codec::codec::Txid;

use super::wire::{parse_txid, value_from_hex};

/// A transaction's status.
#[derive(Debug, Clone, PartialEq)]
pub enum TxStatus {
    /// In the mempool, not yet in a block.
    Pending,
    /// Settled: it will not change again (short of a chain reorganisation).
    Final(TxOutcome),
}

/// How a transaction ended.
#[derive(Debug, Clone, PartialEq)]
pub enum TxOutcome {
    /// In a block, and its result was `(ok ...)` (or it was a transfer or deploy that
    /// succeeded): its writes are committed.
    Mined {
        /// The value it returned (`(ok true)`, the deploy's or transfer's `true`...).
        result: Value,
        /// Stacks height of its block.
        block_height: u64,
    },
    /// In a block, but rolled back: the fee was paid and the nonce used, nothing else
    /// changed.
    Aborted {
        /// What rolled it back.
        reason: AbortReason,
        /// The value it returned: for [`AbortReason::Response`] the `(err ...)` that carries
        /// the contract's error code.
        result: Value,
        /// Stacks height of its block.
        block_height: u64,
        /// The VM's error text, when the API gives one.
        vm_error: Option<String>,
    },
    /// In a block (its origin's nonce is spent and the node still holds it), but the node
    /// keeps no result for it: a bare stacks-node without a transaction index, or a block
    /// before Nakamoto. Read the chain's state, or follow it through a Hiro API or
    /// `ehr index`, to learn whether it succeeded.
    MinedResultUnknown {
        /// The node's Stacks tip height when it was seen mined (its block is at or below).
        tip_height: u64,
    },
    /// Removed from the mempool without being mined; it never will be. Build a new
    /// transaction (the nonce is free again unless `replaced_by` took it).
    Dropped {
        /// Why.
        reason: DropReason,
        /// The transaction that replaced it, for replace-by-fee.
        replaced_by: Option<Txid>,
    },
}

/// Why a mined transaction was rolled back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AbortReason {
    /// The called function returned `(err ...)` (`abort_by_response`).
    Response,
    /// A post-condition did not hold (`abort_by_post_condition`).
    PostCondition,
    /// The block included it but skipped it as problematic (`problematic_skipped`).
    ProblematicSkipped,
}

/// Why a transaction left the mempool unmined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// Another transaction with the same nonce and a higher fee replaced it.
    ReplaceByFee,
    /// A transaction with the same nonce was mined on another fork.
    ReplaceAcrossFork,
    /// It costs more than a block can hold.
    TooExpensive,
    /// It sat in the mempool too long.
    StaleGarbageCollect,
    /// The node judged it problematic.
    Problematic,
    /// It left a bare node's mempool unmined: replaced by another transaction with the same
    /// nonce and a higher fee, or garbage-collected; the node does not say which.
    Evicted,
    /// The node never held it (or lost it), and an indexer that knows every mined
    /// transaction says another transaction from the account was mined with its nonce.
    NonceTaken,
}

impl std::fmt::Display for DropReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DropReason::ReplaceByFee => {
                "replaced by another transaction with the same nonce and a higher fee"
            }
            DropReason::ReplaceAcrossFork => {
                "a transaction with the same nonce was mined on another fork"
            }
            DropReason::TooExpensive => "it costs more than a block can hold",
            DropReason::StaleGarbageCollect => "it waited in the mempool too long",
            DropReason::Problematic => "the node judged it problematic",
            DropReason::Evicted => {
                "it left the node's mempool unmined (replaced by a transaction with the same \
                 nonce, or garbage-collected)"
            }
            DropReason::NonceTaken => {
                "it never reached the chain: another transaction from the account was mined \
                 with its nonce"
            }
        })
    }
}

/// The fields of the Hiro API's transaction object that the status needs.
#[derive(Debug, Deserialize)]
pub(crate) struct HiroTx {
    tx_id: String,
    tx_status: String,
    #[serde(default)]
    tx_result: Option<HiroValue>,
    #[serde(default)]
    block_height: Option<u64>,
    #[serde(default)]
    vm_error: Option<String>,
    #[serde(default)]
    replaced_by_tx_id: Option<String>,
}

/// A Clarity value in Hiro API JSON.
#[derive(Debug, Deserialize)]
struct HiroValue {
    hex: String,
}

impl HiroTx {
    /// The status this object reports for `expected`, or what does not fit.
    pub(crate) fn status(&self, expected: &Txid) -> Result<TxStatus, String> {
        let txid = parse_txid(&self.tx_id).map_err(|e| e.to_string())?;
        if txid != *expected {
            return Err(format!("asked for 0x{expected}, got 0x{txid}"));
        }
        let dropped = |reason| {
            let replaced_by = match self.replaced_by_tx_id.as_deref() {
                Some(id) => Some(parse_txid(id).map_err(|e| e.to_string())?),
                None => None,
            };
            Ok(TxStatus::Final(TxOutcome::Dropped {
                reason,
                replaced_by,
            }))
        };
        let aborted = |reason| -> Result<TxStatus, String> {
            let (result, block_height) = self.mined_fields()?;
            Ok(TxStatus::Final(TxOutcome::Aborted {
                reason,
                result,
                block_height,
                vm_error: self.vm_error.clone(),
            }))
        };
        match self.tx_status.as_str() {
            "pending" => Ok(TxStatus::Pending),
            "success" => {
                let (result, block_height) = self.mined_fields()?;
                Ok(TxStatus::Final(TxOutcome::Mined {
                    result,
                    block_height,
                }))
            }
            "abort_by_response" => aborted(AbortReason::Response),
            "abort_by_post_condition" => aborted(AbortReason::PostCondition),
            "problematic_skipped" => aborted(AbortReason::ProblematicSkipped),
            "dropped_replace_by_fee" => dropped(DropReason::ReplaceByFee),
            "dropped_replace_across_fork" => dropped(DropReason::ReplaceAcrossFork),
            "dropped_too_expensive" => dropped(DropReason::TooExpensive),
            "dropped_stale_garbage_collect" => dropped(DropReason::StaleGarbageCollect),
            "dropped_problematic" => dropped(DropReason::Problematic),
            other => Err(format!("unknown tx_status `{other}`")),
        }
    }

    /// The result and block height every mined transaction has.
    fn mined_fields(&self) -> Result<(Value, u64), String> {
        let result = self
            .tx_result
            .as_ref()
            .ok_or("a mined transaction without tx_result")?;
        let height = self
            .block_height
            .ok_or("a mined transaction without block_height")?;
        Ok((value_from_hex(&result.hex)?, height))
    }
}
