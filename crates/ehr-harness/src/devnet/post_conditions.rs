//! Post-condition enforcement over a call's asset flows, as a node does it after running
//! a contract call or deployment: every listed condition must hold, and in `Deny` mode
//! every asset that left any principal must be covered by a condition on it.

use std::collections::{BTreeMap, BTreeSet};

use clarity::vm::types::PrincipalData;
use stacks_codec::codec::{
    AssetInfo, StacksTransaction, TransactionPostCondition, TransactionPostConditionMode,
};

use crate::simnet::AssetFlows;

/// What the post-condition checks cover of one principal: fungible assets by name
/// (`STX`, `STX-burn` or `ADDR.contract::token`) and NFT values by asset.
#[derive(Default)]
struct Covered {
    fungible: BTreeSet<String>,
    nft: BTreeMap<String, Vec<clarity::vm::types::Value>>,
}

const STX: &str = "STX";
const STX_BURNED: &str = "STX-burn";

/// Checks `tx`'s post-conditions against `flows`. `None` when they hold; otherwise the
/// reason, which the node reports as the transaction's `vm_error`.
pub(crate) fn violation(
    tx: &StacksTransaction,
    origin: &PrincipalData,
    flows: &AssetFlows,
) -> Option<String> {
    let mut covered: BTreeMap<String, Covered> = BTreeMap::new();
    for condition in &tx.post_conditions {
        match condition {
            TransactionPostCondition::STX(who, code, amount) => {
                let who = who.to_principal_data(origin).to_string();
                let sent = flows.get(&who);
                let transferred = sent.map_or(0, |s| s.stx);
                let burned = sent.map_or(0, |s| s.stx_burned);
                let total = transferred + burned;
                if !code.check(u128::from(*amount), total) {
                    return Some(format!(
                        "Post-condition check failure on STX owned by {who}: {amount} {code:?} {total}"
                    ));
                }
                let entry = covered.entry(who).or_default();
                if transferred > 0 {
                    entry.fungible.insert(STX.into());
                }
                if burned > 0 {
                    entry.fungible.insert(STX_BURNED.into());
                }
            }
            TransactionPostCondition::Fungible(who, asset, code, amount) => {
                let who = who.to_principal_data(origin).to_string();
                let asset = asset_name(asset);
                let sent = flows
                    .get(&who)
                    .and_then(|s| s.fungible.get(&asset))
                    .copied()
                    .unwrap_or(0);
                if !code.check(u128::from(*amount), sent) {
                    return Some(format!(
                        "Post-condition check failure on fungible asset {asset} owned by {who}: {amount} {code:?} {sent}"
                    ));
                }
                covered.entry(who).or_default().fungible.insert(asset);
            }
            TransactionPostCondition::Nonfungible(who, asset, value, code) => {
                let who = who.to_principal_data(origin).to_string();
                let asset = asset_name(asset);
                let sent = flows
                    .get(&who)
                    .and_then(|s| s.non_fungible_values.get(&asset))
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                if !code.check(value, sent) {
                    return Some(format!(
                        "Post-condition check failure on non-fungible asset {asset} owned by {who}: {value} {code:?}"
                    ));
                }
                covered
                    .entry(who)
                    .or_default()
                    .nft
                    .entry(asset)
                    .or_default()
                    .push(value.clone());
            }
        }
    }
    if tx.post_condition_mode == TransactionPostConditionMode::Allow {
        return None;
    }
    for (who, sent) in flows {
        let mine = covered.get(who);
        let fungible_covered = |name: &str| mine.is_some_and(|c| c.fungible.contains(name));
        let moved = [(STX, sent.stx), (STX_BURNED, sent.stx_burned)]
            .into_iter()
            .filter(|(_, amount)| *amount > 0)
            .map(|(name, _)| name.to_string())
            .chain(sent.fungible.keys().cloned());
        for asset in moved {
            if !fungible_covered(&asset) {
                return Some(format!(
                    "Post-condition check failure: Fungible asset {asset} was moved by {who} but not checked"
                ));
            }
        }
        for (asset, values) in &sent.non_fungible_values {
            let checked = mine.and_then(|c| c.nft.get(asset));
            for value in values {
                if !checked.is_some_and(|vs| vs.contains(value)) {
                    return Some(format!(
                        "Post-condition check failure: Non-fungible asset {asset} value {value} was moved by {who} but not checked"
                    ));
                }
            }
        }
    }
    None
}

fn asset_name(asset: &AssetInfo) -> String {
    format!(
        "{}.{}::{}",
        super::admission::principal(&asset.contract_address),
        asset.contract_name,
        asset.asset_name
    )
}
