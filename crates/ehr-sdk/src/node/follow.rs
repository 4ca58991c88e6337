//! Following a transaction after it is broadcast, on whatever the client talks to: a Hiro
//! API (`/extended/v1/tx`, on Hiro's hosts, this project's devnet, or `ehr index` fed by a
//! node's event observer stream), or a bare stacks-node, which serves no `/extended`
//! routes.
//!
//! A bare stacks-node tells less, and this module says exactly how much:
//! - `/v2/transactions/unconfirmed/{txid}`: the transaction while the node holds it. A node
//!   keeps a mined transaction in its mempool database until it is garbage-collected, and
//!   deletes one that another transaction with the same nonce replaced.
//! - `/v2/accounts/{origin}`: the origin's nonce counting mined transactions; once it is
//!   past the transaction's nonce, that nonce is spent.
//! - `/v3/transaction/{txid}`, on a node with `txindex = true`: the block and result, for
//!   transactions in Nakamoto blocks (epoch 3.0 and later) only.
//!
//! So on a bare node a transaction still held whose nonce is spent is mined, with its
//! result unknown unless the transaction index has it ([`TxOutcome::MinedResultUnknown`]);
//! one that left the mempool unmined was evicted ([`DropReason::Evicted`]).

use std::fmt;

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use stacks_codec::codec::Txid;

use crate::literal::parse_literal;
use crate::tx::Transaction;

use super::client::{Body, NodeClient};
use super::error::NodeError;
use super::tx_status::{AbortReason, DropReason, TxOutcome, TxStatus};

/// Where a client learns what became of a transaction. Detected once per client by
/// [`NodeClient::tx_source`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxSource {
    /// A Hiro API: pending, mined with its result, or dropped with the reason.
    HiroApi {
        /// Its base URL.
        url: String,
    },
    /// A bare stacks-node with a transaction index: mempool, the origin's nonce, and the
    /// result of transactions in Nakamoto blocks.
    NodeWithTxIndex,
    /// A bare stacks-node: mempool and the origin's nonce; the result of a mined
    /// transaction is unknown.
    Node,
}

impl TxSource {
    /// Whether a mined transaction's result is always known through this source.
    pub fn knows_results(&self) -> bool {
        matches!(self, TxSource::HiroApi { .. })
    }
}

impl fmt::Display for TxSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TxSource::HiroApi { url } => write!(f, "the Hiro API at {url}"),
            TxSource::NodeWithTxIndex => f.write_str(
                "the bare node (mempool, the sender's nonce, and its transaction index for \
                 results in Nakamoto blocks)",
            ),
            TxSource::Node => f.write_str(
                "the bare node (mempool and the sender's nonce; no results: give --api a Hiro \
                 API or `ehr index` to learn them)",
            ),
        }
    }
}

/// The answer of `GET /v2/transactions/unconfirmed/{txid}`.
#[derive(Deserialize)]
struct Unconfirmed {
    tx: String,
}

/// The answer of `GET /v3/transaction/{txid}`.
#[derive(Deserialize)]
struct Indexed {
    /// The result as a Clarity literal (`(ok true)`, `(err u201)`).
    result: String,
    /// The block's height, when the block is an ancestor of the node's tip.
    block_height: Option<u64>,
    /// Whether the block is on the node's canonical chain (absent before 4.0).
    #[serde(default)]
    is_canonical: Option<bool>,
    /// The transaction, hex.
    #[serde(default)]
    tx: Option<String>,
}

/// Whether the transaction (hex) carries post-conditions; unknown (no `tx`) counts as yes.
fn has_post_conditions(tx: Option<&str>) -> Result<bool, crate::tx::TxError> {
    match tx {
        Some(hex) => Ok(!Transaction::from_hex(hex)?
            .as_stacks()
            .post_conditions
            .is_empty()),
        None => Ok(true),
    }
}

/// The body stacks-node's transaction index answers with for a txid it does not hold.
const NO_SUCH_TRANSACTION: &str = "No such transaction";

/// A txid no transaction has, for probing routes.
const PROBE_TXID: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl NodeClient {
    /// How this client follows transactions: asked of the node (and the Hiro API URL, when
    /// one was set apart) once, then remembered. A Hiro API set apart that does not answer
    /// as one is an error, never a silent fallback.
    pub async fn tx_source(&self) -> Result<TxSource, NodeError> {
        if let Some(known) = self.source.get() {
            return Ok(known.clone());
        }
        let detected = self.detect_source().await?;
        Ok(self.source.get_or_init(|| detected).clone())
    }

    async fn detect_source(&self) -> Result<TxSource, NodeError> {
        let url = self.api.endpoint(&["extended", "v1", "status"]);
        let answer = self.send(Method::GET, url.clone(), Body::Empty).await?;
        let is_hiro = answer.status == StatusCode::OK
            && serde_json::from_slice::<serde_json::Value>(&answer.body)
                .is_ok_and(|v| v.get("status").is_some());
        if is_hiro {
            return Ok(TxSource::HiroApi {
                url: self.hiro_api_url().to_string(),
            });
        }
        if self.api_set_apart {
            return Err(NodeError::NotAHiroApi {
                url: url.to_string(),
                answer: format!("HTTP {}: {}", answer.status.as_u16(), answer.text()),
            });
        }
        if answer.status != StatusCode::NOT_FOUND {
            return Err(answer.http_error());
        }
        let probe = self.node.endpoint(&["v3", "transaction", PROBE_TXID]);
        let answer = self.send(Method::GET, probe, Body::Empty).await?;
        Ok(
            if answer.status == StatusCode::NOT_FOUND
                && answer.text().starts_with(NO_SUCH_TRANSACTION)
            {
                TxSource::NodeWithTxIndex
            } else {
                TxSource::Node
            },
        )
    }

    /// Where the transaction `txid` is, from [`tx_source`](Self::tx_source): pending, or
    /// final (mined, rolled back, dropped, or mined with its result unknown). A transaction
    /// the source does not know is [`NodeError::NotFound`].
    pub async fn tx_status(&self, txid: &Txid) -> Result<TxStatus, NodeError> {
        match self.tx_source().await? {
            TxSource::HiroApi { .. } => self.hiro_tx_status(txid).await,
            TxSource::NodeWithTxIndex => match self.indexed_outcome(txid).await? {
                Some(outcome) => Ok(TxStatus::Final(outcome)),
                None => self.mempool_status(txid).await,
            },
            TxSource::Node => self.mempool_status(txid).await,
        }
    }

    /// The status from the node's mempool and the origin's nonce.
    async fn mempool_status(&self, txid: &Txid) -> Result<TxStatus, NodeError> {
        let url = self
            .node
            .endpoint(&["v2", "transactions", "unconfirmed", &txid.to_string()]);
        let what = format!("transaction 0x{txid} in the node's mempool");
        let held: Unconfirmed = self.get(url.clone(), &what).await?;
        let tx = Transaction::from_hex(&held.tx)
            .map_err(|e| super::client::decode_error(&url, e.to_string()))?;
        let origin = tx.as_stacks().origin_address();
        let nonce = tx.as_stacks().get_origin_nonce();
        let account = self.account(&origin.into()).await?;
        if account.nonce > nonce {
            let tip_height = self.info().await?.stacks_tip_height;
            Ok(TxStatus::Final(TxOutcome::MinedResultUnknown {
                tip_height,
            }))
        } else {
            Ok(TxStatus::Pending)
        }
    }

    /// The outcome from the node's transaction index, or `None` when it does not hold it.
    async fn indexed_outcome(&self, txid: &Txid) -> Result<Option<TxOutcome>, NodeError> {
        let url = self
            .node
            .endpoint(&["v3", "transaction", &txid.to_string()]);
        let what = format!("transaction 0x{txid} in the node's transaction index");
        let indexed: Indexed = match self.get(url.clone(), &what).await {
            Ok(indexed) => indexed,
            Err(NodeError::NotFound { .. }) => return Ok(None),
            Err(other) => return Err(other),
        };
        // Mined in a block off the tip's chain (a fork that lost): not mined as far as
        // this chain goes; the mempool says the rest.
        let Some(block_height) = indexed
            .block_height
            .filter(|_| indexed.is_canonical != Some(false))
        else {
            return Ok(None);
        };
        let result = parse_literal(&indexed.result, None).map_err(|e| {
            super::client::decode_error(&url, format!("result `{}`: {e}", indexed.result))
        })?;
        Ok(Some(match &result {
            clarity::vm::Value::Response(r) if !r.committed => TxOutcome::Aborted {
                reason: AbortReason::Response,
                result,
                block_height,
                vm_error: None,
            },
            // The index keeps the result, not whether a post-condition rolled the
            // transaction back (its result is then still `(ok ...)`): with
            // post-conditions, an `ok` is not proof of success.
            _ if has_post_conditions(indexed.tx.as_deref())
                .map_err(|e| super::client::decode_error(&url, format!("tx: {e}")))? =>
            {
                TxOutcome::MinedResultUnknown {
                    tip_height: block_height,
                }
            }
            _ => TxOutcome::Mined {
                result,
                block_height,
            },
        }))
    }

    /// One look at a transaction while waiting for it; `seen` remembers whether it was
    /// ever held, so that leaving a bare node's mempool reads as an eviction.
    pub(super) async fn wait_step(
        &self,
        source: &TxSource,
        txid: &Txid,
        seen: &mut bool,
    ) -> Result<Option<TxOutcome>, NodeError> {
        match self.tx_status(txid).await {
            Ok(TxStatus::Final(outcome)) => Ok(Some(outcome)),
            Ok(TxStatus::Pending) => {
                *seen = true;
                Ok(None)
            }
            // An indexer may lag the node it follows: not found yet is not an error.
            Err(NodeError::NotFound { .. }) if source.knows_results() => Ok(None),
            Err(NodeError::NotFound { .. }) if *seen => Ok(Some(TxOutcome::Dropped {
                reason: DropReason::Evicted,
                replaced_by: None,
            })),
            Err(NodeError::NotFound { what, body }) => Err(NodeError::NotFound {
                what: format!("{what} (a node holds every transaction it accepted)"),
                body,
            }),
            Err(other) => Err(other),
        }
    }
}
