//! Why a request to a node (or to the Hiro API beside it) failed, with what to do about it.

use std::time::Duration;

use serde_json::Value as Json;
use stacks_codec::codec::Txid;

use super::rejection::RejectReason;

/// Why a request to a node failed. Each message says what to check or do next.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum NodeError {
    /// A base URL that cannot address a node.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be set up (its TLS backend failed to start).
    #[error("cannot set up the HTTP client: {0}")]
    ClientSetup(String),
    /// No connection could be opened.
    #[error(
        "node unreachable at {url}: {reason}. Is the devnet running? Start it with \
         `ehr devnet start`, or point the client at a running node"
    )]
    Unreachable {
        /// The URL requested.
        url: String,
        /// The connection error.
        reason: String,
    },
    /// No complete answer arrived within the client's timeout.
    #[error(
        "{url} did not answer within {after:?}; the node may be busy or syncing: retry, or \
         give the client a longer timeout"
    )]
    Timeout {
        /// The URL requested.
        url: String,
        /// The timeout that ran out.
        after: Duration,
    },
    /// The connection broke while sending the request or reading the answer.
    #[error("connection to {url} failed during the request: {reason}")]
    Transport {
        /// The URL requested.
        url: String,
        /// The transport error.
        reason: String,
    },
    /// An HTTP status this endpoint does not define as an answer.
    #[error("{url} answered HTTP {status}: {body}")]
    Http {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The answer's body (cut to a readable length).
        body: String,
    },
    /// The node has no such contract, variable, transaction... (HTTP 404).
    #[error("{what} not found ({body}); check the name and that it is deployed or broadcast on this network")]
    NotFound {
        /// What was looked up, e.g. "data var `count` of ST1….counter".
        what: String,
        /// The node's explanation.
        body: String,
    },
    /// The server has no such route (stacks-node's 404 naming the route, not an object):
    /// typically a bare stacks-node asked for the Hiro API's `/extended` routes.
    #[error(
        "{url} is not served there ({body}): /v2 routes need a stacks-node and /extended \
         routes a Hiro API (stacks-blockchain-api); point the client's node URL or Hiro API \
         URL at the right server"
    )]
    NoSuchEndpoint {
        /// The URL requested.
        url: String,
        /// The server's answer.
        body: String,
    },
    /// The URL given as the Hiro API does not answer `/extended/v1/status` as one.
    #[error(
        "{url} does not answer as a Hiro API ({answer}); give --api the URL of a \
         stacks-blockchain-api or of `ehr index`, or leave it out to follow transactions \
         through the node alone"
    )]
    NotAHiroApi {
        /// The status URL asked.
        url: String,
        /// What it answered.
        answer: String,
    },
    /// The node refused the transaction (HTTP 400 with a mempool rejection).
    #[error("transaction 0x{txid} rejected ({reason}): {}", reason.describe(reason_data.as_ref()))]
    BroadcastRejected {
        /// Why.
        reason: RejectReason,
        /// The node's details (expected and actual nonce, fee or balance; a message...),
        /// exactly as sent; `None` for reasons without details.
        reason_data: Option<Json>,
        /// The rejected transaction.
        txid: Txid,
    },
    /// A broadcast retried after an attempt that may have reached the node was refused with
    /// `BadNonce`: the first attempt may have been accepted and mined in between.
    #[error(
        "transaction 0x{txid} may have been accepted: an earlier attempt got no clear answer, \
         and the retry was rejected ({reason}: {}); check its status before sending it again",
        reason.describe(reason_data.as_ref())
    )]
    BroadcastOutcomeUnknown {
        /// The retry's rejection reason.
        reason: RejectReason,
        /// The retry's rejection details.
        reason_data: Option<Json>,
        /// The transaction.
        txid: Txid,
    },
    /// A read-only call the node ran but could not complete (`okay: false`).
    #[error("read-only call {contract}::{function} failed on the node: {cause}")]
    ReadOnlyFailed {
        /// The contract called.
        contract: String,
        /// The function called.
        function: String,
        /// The node's cause (e.g. `NotReadOnly`, a runtime error, an unknown function).
        cause: String,
    },
    /// The node's fee estimator failed, other than having no estimate for this payload.
    #[error("fee estimation failed: {message}; set the fee explicitly")]
    FeeEstimation {
        /// The node's reason code, when it sent one (e.g. `DatabaseError`).
        reason: Option<String>,
        /// The node's explanation.
        message: String,
    },
    /// The answer does not have the shape this endpoint defines.
    #[error(
        "unexpected answer from {url}: {reason}. Is it a Stacks node (or, for /extended \
         routes, a Hiro API)?"
    )]
    Decode {
        /// The URL requested.
        url: String,
        /// What did not fit.
        reason: String,
    },
    /// An argument could not be encoded for the node.
    #[error("cannot encode {what}: {reason}")]
    Encode {
        /// What was being encoded.
        what: String,
        /// Why it failed.
        reason: String,
    },
    /// The transaction was neither mined nor dropped before the wait ran out.
    #[error(
        "transaction 0x{txid} was not final after {waited:?}: {}",
        if *seen_pending {
            "it is still pending in the mempool; is the node producing blocks?"
        } else {
            "the API has not seen it; was it broadcast to this network?"
        }
    )]
    WaitTimeout {
        /// The transaction waited for.
        txid: Txid,
        /// How long the wait lasted.
        waited: Duration,
        /// Whether the transaction was seen pending at least once.
        seen_pending: bool,
    },
}
