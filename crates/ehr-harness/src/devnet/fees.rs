//! Fee estimation as a node does it, from what this chain has mined: the cost of the
//! latest mined transaction of the same kind (same contract function, or an STX
//! transfer), or else of a dry run of the payload, turned into the node's cost scalar and
//! priced at the fee rates recent blocks paid. Before anything is mined the rates are the
//! one that makes the fee the minimum relay fee (1 micro-STX per byte), which is all this
//! devnet's empty fee market asks.
//!
//! With the Hiro routes it never answers `NoEstimateAvailable` for a valid payload (a bare
//! node's face does, as a stacks-node does before it has mined that kind): stacks.js 7.6.0 falls back
//! to `/v2/fees/transfer` on that answer but forgets the caller's `client`, so against any
//! node URL but the default it fails.

use serde::Deserialize;
use serde_json::{json, Value as Json};
use stacks_codec::codec::{StacksMessageCodec, TransactionPayload};

use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, StandardPrincipalData};
use clarity::vm::ClarityVersion;
use stacks_common::types::chainstate::StacksAddress;

use super::node::{Node, TxState};
use crate::limits::BLOCK_LIMIT;
use crate::simnet::Cost;

/// The least fee per byte a transaction must pay (stacks-core
/// `MINIMUM_TX_FEE_RATE_PER_BYTE`), what `/v2/fees/transfer` answers.
pub(crate) const MINIMUM_FEE_RATE: u64 = 1;
/// The node's resolution for cost proportions (`PROPORTION_RESOLUTION`).
const RESOLUTION: u64 = 10_000;
/// The block size limit the length proportion is taken of (`MAX_BLOCK_LEN`).
const BLOCK_SIZE: u64 = 2 * 1024 * 1024;
/// How many recent blocks the estimator learns from.
const HISTORY_BLOCKS: usize = 64;

/// `POST /v2/fees/transaction`'s body.
#[derive(Debug, Deserialize)]
pub(crate) struct EstimateRequest {
    transaction_payload: String,
    estimated_len: Option<u64>,
}

/// The node's cost scalar: each dimension's share of the block limit plus the length's
/// share of the block size, in units of 1/10,000.
fn scalar(cost: &Cost, len: u64) -> u64 {
    let share = |used: u64, limit: u64| used.saturating_mul(RESOLUTION) / limit.max(1);
    (share(cost.runtime, BLOCK_LIMIT.runtime)
        + share(cost.read_count, BLOCK_LIMIT.read_count)
        + share(cost.read_length, BLOCK_LIMIT.read_length)
        + share(cost.write_count, BLOCK_LIMIT.write_count)
        + share(cost.write_length, BLOCK_LIMIT.write_length)
        + share(len, BLOCK_SIZE))
    .max(1)
}

fn same_kind(a: &TransactionPayload, b: &TransactionPayload) -> bool {
    match (a, b) {
        (TransactionPayload::TokenTransfer(..), TransactionPayload::TokenTransfer(..)) => true,
        (TransactionPayload::ContractCall(x), TransactionPayload::ContractCall(y)) => {
            x.address == y.address
                && x.contract_name == y.contract_name
                && x.function_name == y.function_name
        }
        _ => false,
    }
}

/// The cost of running `payload` now, measured on the chain and rolled back. Calls run
/// as the contract's deployer; deployments as the boot address.
fn dry_run(node: &mut Node, payload: &TransactionPayload) -> Option<Cost> {
    let sim = node.sim();
    let before = sim.snapshot();
    let cost = match payload {
        TransactionPayload::TokenTransfer(..) => Some(Cost::default()),
        TransactionPayload::ContractCall(call) => {
            let contract =
                QualifiedContractIdentifier::new(call.address.into(), call.contract_name.clone());
            let sender = PrincipalData::Standard(contract.issuer.clone());
            sim.call_public(
                &sender,
                &contract,
                call.function_name.as_str(),
                &call.function_args,
            )
            .ok()
            .map(|r| r.cost)
        }
        TransactionPayload::SmartContract(contract, version) => sim
            .deploy_versioned(
                &StandardPrincipalData::from(StacksAddress::burn_address(false)),
                contract.name.as_str(),
                &contract.code_body.to_string(),
                version.unwrap_or(ClarityVersion::Clarity2),
            )
            .ok()
            .map(|d| d.receipt.cost),
        _ => None,
    };
    sim.revert(&before);
    cost
}

/// Why there is no estimate, answered as the node answers it.
pub(crate) enum NoEstimate {
    /// The payload does not decode: the node's HTTP layer answers a text 400.
    Undecodable(String),
    /// The estimator's 400 JSON body.
    Failure(Json),
}

fn percentile(sorted: &[f64], pct: usize) -> f64 {
    sorted[(sorted.len() - 1) * pct / 100]
}

/// Estimates the fee of a payload; the error is the node's 400 body.
/// With `learned_only`, as a stacks-node's estimator: no estimate for a kind of payload
/// no block has mined yet.
pub(crate) fn estimate(
    node: &mut Node,
    request: &EstimateRequest,
    learned_only: bool,
) -> Result<Json, NoEstimate> {
    let failure = |reason: &str, message: String| {
        json!({ "error": "Estimation could not be performed", "reason": reason,
                "reason_data": { "message": message } })
    };
    let text = request.transaction_payload.trim();
    let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text)).map_err(|e| {
        NoEstimate::Undecodable(format!(
            "Failed to decode transaction_payload: not hex ({e})"
        ))
    })?;
    let payload =
        TransactionPayload::consensus_deserialize(&mut bytes.as_slice()).map_err(|e| {
            NoEstimate::Undecodable(format!(
                "Failed to decode due to SIP-003 codec error: {e:?}"
            ))
        })?;
    let len = request.estimated_len.unwrap_or(0).max(bytes.len() as u64);
    let recent = node.recent(HISTORY_BLOCKS);
    let mined: Vec<(&stacks_codec::codec::StacksTransaction, Cost, u64)> = recent
        .iter()
        .filter_map(|e| match &e.state {
            TxState::Mined { outcome, .. } => {
                Some((&*e.tx.tx, outcome.cost, e.tx.raw.len() as u64))
            }
            _ => None,
        })
        .collect();
    let learned = mined
        .iter()
        .find(|(tx, _, _)| same_kind(&tx.payload, &payload))
        .map(|(_, cost, _)| *cost);
    if learned.is_none() && learned_only {
        return Err(NoEstimate::Failure(failure(
            "NoEstimateAvailable",
            "No estimate available for the provided payload.".into(),
        )));
    }
    let cost = learned.or_else(|| dry_run(node, &payload)).ok_or_else(|| {
        NoEstimate::Failure(failure(
            "NoEstimateAvailable",
            "the payload does not run on this chain (no such contract or function?)".into(),
        ))
    })?;
    let mut rates: Vec<f64> = mined
        .iter()
        .map(|(tx, cost, len)| tx.get_tx_fee() as f64 / scalar(cost, *len) as f64)
        .collect();
    if rates.is_empty() {
        rates.push((len * MINIMUM_FEE_RATE) as f64 / scalar(&cost, len) as f64);
    }
    let scalar = scalar(&cost, len);
    let estimations: Vec<Json> = [5, 50, 95]
        .into_iter()
        .map(|pct| {
            let rate = percentile(&rates, pct);
            let fee = ((rate * scalar as f64).ceil() as u64).max(len * MINIMUM_FEE_RATE);
            json!({ "fee_rate": rate, "fee": fee })
        })
        .collect();
    Ok(json!({
        "estimated_cost": super::json::cost(&cost),
        "estimated_cost_scalar": scalar,
        "cost_scalar_change_by_byte": RESOLUTION as f64 / BLOCK_SIZE as f64,
        "estimations": estimations,
    }))
}
