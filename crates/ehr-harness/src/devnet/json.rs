//! The JSON shapes the devnet answers and pushes: Hiro API transactions and events,
//! stacks-node event-observer payloads, the server-sent-events block message.

use serde_json::{json, Value as Json};
use stacks_codec::codec::{
    AssetInfo, FungibleConditionCode, NonfungibleConditionCode, PostConditionPrincipal,
    StacksTransaction, TransactionAnchorMode, TransactionPayload, TransactionPostCondition,
    TransactionPostConditionMode,
};

use super::execute::Outcome;
use crate::chain::BlockHeader;
use crate::simnet::{Cost, Event, ValueRepr};

/// `0x` + lowercase hex.
pub(crate) fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// A Unix time as `YYYY-MM-DDTHH:MM:SS.000Z` (the Hiro API's `*_iso` fields).
pub(crate) fn iso8601(secs: u64) -> String {
    ehr_sdk::fhir::instant(secs).replace('Z', ".000Z")
}

/// The five cost dimensions as the node prints them.
pub(crate) fn cost(cost: &Cost) -> Json {
    json!({
        "read_count": cost.read_count, "read_length": cost.read_length,
        "runtime": cost.runtime, "write_count": cost.write_count,
        "write_length": cost.write_length,
    })
}

fn value(v: &ValueRepr) -> Json {
    json!({ "hex": v.hex, "repr": v.repr })
}

/// One event in the stacks-node observer format (`/new_block` `events[]`). With
/// `with_repr`, values also carry their Clarity literal (for people reading the stream).
pub(crate) fn observer_event(event: &Event, txid: &str, index: usize, with_repr: bool) -> Json {
    let raw = |v: &ValueRepr| {
        let mut o = json!({ "raw_value": v.hex });
        if with_repr {
            o["repr"] = Json::String(v.repr.clone());
        }
        o
    };
    let (kind, mut body) = match event {
        Event::Print { contract, value } => {
            let mut b = raw(value);
            b["contract_identifier"] = json!(contract);
            b["topic"] = json!("print");
            ("contract_event", b)
        }
        Event::StxTransfer {
            sender,
            recipient,
            amount,
            memo,
        } => (
            "stx_transfer_event",
            json!({"sender": sender, "recipient": recipient, "amount": amount.to_string(), "memo": memo}),
        ),
        Event::StxMint { recipient, amount } => (
            "stx_mint_event",
            json!({"recipient": recipient, "amount": amount.to_string()}),
        ),
        Event::StxBurn { sender, amount } => (
            "stx_burn_event",
            json!({"sender": sender, "amount": amount.to_string()}),
        ),
        Event::StxLock {
            locked_address,
            amount,
            unlock_height,
        } => (
            "stx_lock_event",
            json!({"locked_amount": amount.to_string(), "unlock_height": unlock_height.to_string(),
                   "locked_address": locked_address}),
        ),
        Event::FtTransfer {
            asset,
            sender,
            recipient,
            amount,
        } => (
            "ft_transfer_event",
            json!({"asset_identifier": asset, "sender": sender, "recipient": recipient,
                   "amount": amount.to_string()}),
        ),
        Event::FtMint {
            asset,
            recipient,
            amount,
        } => (
            "ft_mint_event",
            json!({"asset_identifier": asset, "recipient": recipient, "amount": amount.to_string()}),
        ),
        Event::FtBurn {
            asset,
            sender,
            amount,
        } => (
            "ft_burn_event",
            json!({"asset_identifier": asset, "sender": sender, "amount": amount.to_string()}),
        ),
        Event::NftTransfer {
            asset,
            sender,
            recipient,
            value,
        } => {
            let mut b = raw(value);
            b["asset_identifier"] = json!(asset);
            b["sender"] = json!(sender);
            b["recipient"] = json!(recipient);
            ("nft_transfer_event", b)
        }
        Event::NftMint {
            asset,
            recipient,
            value,
        } => {
            let mut b = raw(value);
            b["asset_identifier"] = json!(asset);
            b["recipient"] = json!(recipient);
            ("nft_mint_event", b)
        }
        Event::NftBurn {
            asset,
            sender,
            value,
        } => {
            let mut b = raw(value);
            b["asset_identifier"] = json!(asset);
            b["sender"] = json!(sender);
            ("nft_burn_event", b)
        }
    };
    let mut out = json!({ "txid": txid, "event_index": index, "committed": true, "type": kind });
    out[kind] = std::mem::take(&mut body);
    out
}

/// One event in the Hiro API format (`/extended/v1/tx/{id}` `events[]`).
pub(crate) fn hiro_event(event: &Event, txid: &str, index: usize) -> Json {
    let asset = |kind: &str, action: &str, fields: Json| {
        let mut a = json!({ "asset_event_type": action });
        if let (Json::Object(a), Json::Object(f)) = (&mut a, fields) {
            a.extend(f);
        }
        json!({ "event_index": index, "event_type": kind, "tx_id": txid, "asset": a })
    };
    match event {
        Event::Print { contract, value: v } => json!({
            "event_index": index, "event_type": "smart_contract_log", "tx_id": txid,
            "contract_log": { "contract_id": contract, "topic": "print", "value": value(v) },
        }),
        Event::StxTransfer {
            sender,
            recipient,
            amount,
            memo,
        } => asset(
            "stx_asset",
            "transfer",
            json!({"sender": sender, "recipient": recipient, "amount": amount.to_string(),
                   "memo": format!("0x{memo}")}),
        ),
        Event::StxMint { recipient, amount } => asset(
            "stx_asset",
            "mint",
            json!({"recipient": recipient, "amount": amount.to_string()}),
        ),
        Event::StxBurn { sender, amount } => asset(
            "stx_asset",
            "burn",
            json!({"sender": sender, "amount": amount.to_string()}),
        ),
        Event::StxLock {
            locked_address,
            amount,
            unlock_height,
        } => json!({
            "event_index": index, "event_type": "stx_lock", "tx_id": txid,
            "stx_lock_event": { "locked_amount": amount.to_string(), "unlock_height": unlock_height,
                                "locked_address": locked_address },
        }),
        Event::FtTransfer {
            asset: id,
            sender,
            recipient,
            amount,
        } => asset(
            "fungible_token_asset",
            "transfer",
            json!({"asset_id": id, "sender": sender, "recipient": recipient, "amount": amount.to_string()}),
        ),
        Event::FtMint {
            asset: id,
            recipient,
            amount,
        } => asset(
            "fungible_token_asset",
            "mint",
            json!({"asset_id": id, "recipient": recipient, "amount": amount.to_string()}),
        ),
        Event::FtBurn {
            asset: id,
            sender,
            amount,
        } => asset(
            "fungible_token_asset",
            "burn",
            json!({"asset_id": id, "sender": sender, "amount": amount.to_string()}),
        ),
        Event::NftTransfer {
            asset: id,
            sender,
            recipient,
            value: v,
        } => asset(
            "non_fungible_token_asset",
            "transfer",
            json!({"asset_id": id, "sender": sender, "recipient": recipient, "value": value(v)}),
        ),
        Event::NftMint {
            asset: id,
            recipient,
            value: v,
        } => asset(
            "non_fungible_token_asset",
            "mint",
            json!({"asset_id": id, "recipient": recipient, "value": value(v)}),
        ),
        Event::NftBurn {
            asset: id,
            sender,
            value: v,
        } => asset(
            "non_fungible_token_asset",
            "burn",
            json!({"asset_id": id, "sender": sender, "value": value(v)}),
        ),
    }
}

/// Hiro's name of a payload type.
pub(crate) fn tx_type(tx: &StacksTransaction) -> &'static str {
    match tx.payload {
        TransactionPayload::TokenTransfer(..) => "token_transfer",
        TransactionPayload::ContractCall(..) => "contract_call",
        TransactionPayload::SmartContract(..) => "smart_contract",
        TransactionPayload::PoisonMicroblock(..) => "poison_microblock",
        TransactionPayload::Coinbase(..) => "coinbase",
        TransactionPayload::TenureChange(..) => "tenure_change",
    }
}

fn address(addr: &stacks_common::types::chainstate::StacksAddress) -> String {
    super::admission::principal(addr).to_string()
}

fn pc_principal(p: &PostConditionPrincipal) -> Json {
    match p {
        PostConditionPrincipal::Origin => json!({ "type_id": "principal_origin" }),
        PostConditionPrincipal::Standard(a) => {
            json!({ "type_id": "principal_standard", "address": address(a) })
        }
        PostConditionPrincipal::Contract(a, name) => json!({
            "type_id": "principal_contract", "address": address(a), "contract_name": name.to_string(),
        }),
    }
}

fn pc_asset(a: &AssetInfo) -> Json {
    json!({
        "asset_name": a.asset_name.to_string(),
        "contract_address": address(&a.contract_address),
        "contract_name": a.contract_name.to_string(),
    })
}

fn fungible_code(code: &FungibleConditionCode) -> &'static str {
    match code {
        FungibleConditionCode::SentEq => "sent_equal_to",
        FungibleConditionCode::SentGt => "sent_greater_than",
        FungibleConditionCode::SentGe => "sent_greater_than_or_equal_to",
        FungibleConditionCode::SentLt => "sent_less_than",
        FungibleConditionCode::SentLe => "sent_less_than_or_equal_to",
    }
}

/// The post-conditions of `tx` in the Hiro API format.
pub(crate) fn post_conditions(tx: &StacksTransaction) -> Json {
    tx.post_conditions
        .iter()
        .map(|pc| match pc {
            TransactionPostCondition::STX(who, code, amount) => json!({
                "type": "stx", "principal": pc_principal(who),
                "condition_code": fungible_code(code), "amount": amount.to_string(),
            }),
            TransactionPostCondition::Fungible(who, asset, code, amount) => json!({
                "type": "fungible", "principal": pc_principal(who), "asset": pc_asset(asset),
                "condition_code": fungible_code(code), "amount": amount.to_string(),
            }),
            TransactionPostCondition::Nonfungible(who, asset, id, code) => json!({
                "type": "non_fungible", "principal": pc_principal(who), "asset": pc_asset(asset),
                "asset_value": value(&ValueRepr::of(id)),
                "condition_code": match code {
                    NonfungibleConditionCode::Sent => "sent",
                    NonfungibleConditionCode::NotSent => "not_sent",
                },
            }),
        })
        .collect()
}

/// Hiro's names for the post-condition and anchor modes.
pub(crate) fn modes(tx: &StacksTransaction) -> (&'static str, &'static str) {
    let pc = match tx.post_condition_mode {
        TransactionPostConditionMode::Allow => "allow",
        TransactionPostConditionMode::Deny => "deny",
    };
    let anchor = match tx.anchor_mode {
        TransactionAnchorMode::OnChainOnly => "on_chain_only",
        TransactionAnchorMode::OffChainOnly => "off_chain_only",
        TransactionAnchorMode::Any => "any",
    };
    (pc, anchor)
}

/// The block fields of a mined transaction in the Hiro API format.
pub(crate) fn hiro_block_fields(block: &BlockHeader, parent: Option<&BlockHeader>) -> Json {
    json!({
        "block_hash": hex0x(&block.header_hash.0),
        "block_height": block.height,
        "block_time": block.time,
        "block_time_iso": iso8601(block.time),
        "burn_block_height": block.burn_height,
        "burn_block_hash": hex0x(&block.burn_header_hash.0),
        "burn_block_time": block.time,
        "burn_block_time_iso": iso8601(block.time),
        "parent_burn_block_time": parent.map_or(block.time, |p| p.time),
        "parent_burn_block_time_iso": iso8601(parent.map_or(block.time, |p| p.time)),
        "index_block_hash": hex0x(&block.id.0),
        "parent_block_hash": parent.map_or_else(|| hex0x(&[0; 32]), |p| hex0x(&p.header_hash.0)),
        "parent_index_block_hash": parent.map_or_else(|| hex0x(&[0; 32]), |p| hex0x(&p.id.0)),
        "canonical": true,
        "is_unanchored": false,
        "microblock_hash": "0x",
        "microblock_sequence": 2_147_483_647u32,
        "microblock_canonical": true,
    })
}

/// The outcome fields of a mined transaction in the Hiro API format.
pub(crate) fn hiro_outcome_fields(
    outcome: &Outcome,
    txid: &str,
    offset: usize,
    limit: usize,
) -> Json {
    json!({
        "tx_status": outcome.status.name(),
        "tx_result": value(&ValueRepr::of(&outcome.result)),
        "event_count": outcome.events.len(),
        "events": outcome.events.iter().enumerate().skip(offset).take(limit)
            .map(|(i, e)| hiro_event(e, txid, i)).collect::<Vec<_>>(),
        "execution_cost_read_count": outcome.cost.read_count,
        "execution_cost_read_length": outcome.cost.read_length,
        "execution_cost_runtime": outcome.cost.runtime,
        "execution_cost_write_count": outcome.cost.write_count,
        "execution_cost_write_length": outcome.cost.write_length,
        "vm_error": outcome.vm_error,
    })
}

/// Merges the fields of `more` into `base` (both objects).
pub(crate) fn merge(base: &mut Json, more: Json) {
    if let (Json::Object(base), Json::Object(more)) = (base, more) {
        base.extend(more);
    }
}

/// `/new_burn_block` for the burn block of `block`.
pub(crate) fn new_burn_block(block: &BlockHeader, parent: Option<&BlockHeader>) -> Json {
    json!({
        "burn_block_hash": hex0x(&block.burn_header_hash.0),
        "burn_block_height": block.burn_height,
        "reward_recipients": [],
        "reward_slot_holders": [],
        "burn_amount": 0,
        "consensus_hash": hex0x(&block.consensus_hash.0),
        "parent_burn_block_hash": parent.map_or_else(|| hex0x(&[0; 32]), |p| hex0x(&p.burn_header_hash.0)),
        "pox_transactions": [],
    })
}
