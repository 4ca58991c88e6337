//! The Hiro API routes wallets and stacks.js use against a devnet: a transaction's
//! status and result, and an account's nonces.

use clarity::vm::types::{FunctionType, PrincipalData, QualifiedContractIdentifier};
use serde_json::{json, Value as Json};
use stacks_codec::codec::TransactionPayload;

use super::json::{self, hex0x, iso8601, merge};
use super::mempool::TxKey;
use super::node::{Node, TxState};
use crate::simnet::{SimnetError, ValueRepr};

/// Most events one answer lists (the Hiro API's cap on `event_limit`).
pub(crate) const EVENT_LIMIT: usize = 100;

/// `GET /extended/v1/tx/{id}`: the transaction, pending, dropped or mined.
pub(crate) fn tx(node: &mut Node, key: &TxKey, offset: usize, limit: usize) -> Option<Json> {
    let entry = node.tx(key)?;
    let stx = &entry.tx.tx;
    let txid = hex0x(key);
    let (pc_mode, anchor_mode) = json::modes(stx);
    let mut body = json!({
        "tx_id": txid,
        "tx_type": json::tx_type(stx),
        "nonce": stx.get_origin_nonce(),
        "fee_rate": stx.get_tx_fee().to_string(),
        "sender_address": entry.tx.origin.to_string(),
        "sponsored": entry.tx.sponsor.is_some(),
        "post_condition_mode": pc_mode,
        "post_conditions": json::post_conditions(stx),
        "anchor_mode": anchor_mode,
    });
    if let Some(sponsor) = &entry.tx.sponsor {
        body["sponsor_address"] = json!(sponsor.to_string());
        body["sponsor_nonce"] = json!(stx.get_sponsor_nonce());
    }
    match &stx.payload {
        TransactionPayload::TokenTransfer(recipient, amount, memo) => {
            body["token_transfer"] = json!({
                "recipient_address": recipient.to_string(),
                "amount": amount.to_string(),
                "memo": hex0x(&memo.0),
            });
        }
        TransactionPayload::SmartContract(contract, version) => {
            body["smart_contract"] = json!({
                "clarity_version": version.map(|v| match v {
                    clarity::vm::ClarityVersion::Clarity1 => 1,
                    clarity::vm::ClarityVersion::Clarity2 => 2,
                }),
                "contract_id": format!("{}.{}", entry.tx.origin, contract.name),
                "source_code": contract.code_body.to_string(),
            });
        }
        TransactionPayload::ContractCall(call) => {
            let contract =
                QualifiedContractIdentifier::new(call.address.into(), call.contract_name.clone());
            let declared = node
                .sim()
                .contract_analysis(&contract)
                .and_then(|a| a.public_function_types.get(&call.function_name).cloned());
            let params: Vec<(String, String)> = match &declared {
                Some(FunctionType::Fixed(f)) => f
                    .args
                    .iter()
                    .map(|a| (a.name.to_string(), a.signature.to_string()))
                    .collect(),
                _ => Vec::new(),
            };
            let signature = format!(
                "(define-public ({}{}))",
                call.function_name,
                params
                    .iter()
                    .map(|(n, t)| format!(" ({n} {t})"))
                    .collect::<String>()
            );
            let args: Vec<Json> = call
                .function_args
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let repr = ValueRepr::of(v);
                    let (name, ty) = params.get(i).cloned().unwrap_or_default();
                    json!({ "hex": repr.hex, "repr": repr.repr, "name": name, "type": ty })
                })
                .collect();
            body["contract_call"] = json!({
                "contract_id": contract.to_string(),
                "function_name": call.function_name.to_string(),
                "function_signature": signature,
                "function_args": args,
            });
        }
        _ => {}
    }
    let receipt = json!({
        "receipt_time": entry.receipt_time,
        "receipt_time_iso": iso8601(entry.receipt_time),
    });
    match &entry.state {
        TxState::Pending => {
            merge(&mut body, receipt);
            body["tx_status"] = json!("pending");
            body["replaced_by_tx_id"] = Json::Null;
        }
        TxState::Dropped {
            reason,
            replaced_by,
        } => {
            merge(&mut body, receipt);
            body["tx_status"] = json!(reason.status());
            body["replaced_by_tx_id"] = json!(replaced_by.as_ref().map(|k| hex0x(k)));
        }
        TxState::Mined {
            height,
            index,
            outcome,
        } => {
            let block = node.sim().block(*height).cloned()?;
            let parent = height
                .checked_sub(1)
                .and_then(|h| node.sim().block(h).cloned());
            merge(&mut body, json::hiro_block_fields(&block, parent.as_ref()));
            body["tx_index"] = json!(index);
            merge(
                &mut body,
                json::hiro_outcome_fields(outcome, &txid, offset, limit),
            );
        }
    }
    Some(body)
}

/// `GET /extended/v1/address/{principal}/nonces`.
pub(crate) fn nonces(node: &mut Node, who: &PrincipalData) -> Result<Json, SimnetError> {
    let next = node.sim().account_nonce(who)?;
    let pending = node.pending_nonces(who);
    let last_pending = pending.last().copied();
    let missing: Vec<u64> = match last_pending {
        Some(last) => (next..last)
            .rev()
            .filter(|n| !pending.contains(n))
            .collect(),
        None => Vec::new(),
    };
    Ok(json!({
        "last_mempool_tx_nonce": last_pending,
        "last_executed_tx_nonce": next.checked_sub(1),
        "possible_next_nonce": last_pending.map_or(next, |n| (n + 1).max(next)),
        "detected_missing_nonces": missing,
        "detected_mempool_nonces": pending.iter().rev().collect::<Vec<_>>(),
    }))
}
