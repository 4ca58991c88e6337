//! What a call leaves behind: its result, events, asset movements and execution cost, in
//! forms that serialise (for snapshots, JSON output and the devnet's event feeds).

use std::collections::BTreeMap;

use clarity::vm::contexts::{AssetMap, AssetMapEntry};
use clarity::vm::costs::ExecutionCost;
use clarity::vm::events::{FTEventType, NFTEventType, STXEventType, StacksTransactionEvent};
use clarity::vm::types::{AssetIdentifier, Value};
use ehr_sdk::literal::to_literal;
use serde::Serialize;

/// A Clarity value as both a literal (for people and snapshots) and its consensus
/// serialisation in hex (for machines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueRepr {
    /// The value as a Clarity literal, e.g. `(ok u1)`.
    pub repr: String,
    /// Hex of the consensus serialisation, with `0x`.
    pub hex: String,
}

impl ValueRepr {
    /// Both forms of `value`.
    pub fn of(value: &Value) -> Self {
        let hex = value
            .serialize_to_hex()
            .map(|h| format!("0x{h}"))
            .unwrap_or_default();
        ValueRepr {
            repr: to_literal(value),
            hex,
        }
    }
}

/// One event a call emitted, as the node's event observers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// `print` from a contract.
    Print {
        /// Contract that printed.
        contract: String,
        /// The printed value.
        value: ValueRepr,
    },
    /// STX moved between principals.
    StxTransfer {
        /// Sender principal.
        sender: String,
        /// Recipient principal.
        recipient: String,
        /// Amount in micro-STX.
        amount: u128,
        /// Memo bytes in hex (empty when none).
        memo: String,
    },
    /// STX created (genesis balances).
    StxMint {
        /// Recipient principal.
        recipient: String,
        /// Amount in micro-STX.
        amount: u128,
    },
    /// STX destroyed.
    StxBurn {
        /// Sender principal.
        sender: String,
        /// Amount in micro-STX.
        amount: u128,
    },
    /// STX locked (stacking).
    StxLock {
        /// Locked principal.
        locked_address: String,
        /// Amount in micro-STX.
        amount: u128,
        /// Burn height at which it unlocks.
        unlock_height: u64,
    },
    /// A fungible token moved.
    FtTransfer {
        /// `ADDR.contract::token`.
        asset: String,
        /// Sender principal.
        sender: String,
        /// Recipient principal.
        recipient: String,
        /// Amount.
        amount: u128,
    },
    /// A fungible token was minted.
    FtMint {
        /// `ADDR.contract::token`.
        asset: String,
        /// Recipient principal.
        recipient: String,
        /// Amount.
        amount: u128,
    },
    /// A fungible token was burned.
    FtBurn {
        /// `ADDR.contract::token`.
        asset: String,
        /// Sender principal.
        sender: String,
        /// Amount.
        amount: u128,
    },
    /// A non-fungible token moved.
    NftTransfer {
        /// `ADDR.contract::asset`.
        asset: String,
        /// Sender principal.
        sender: String,
        /// Recipient principal.
        recipient: String,
        /// The token's identifier value.
        value: ValueRepr,
    },
    /// A non-fungible token was minted.
    NftMint {
        /// `ADDR.contract::asset`.
        asset: String,
        /// Recipient principal.
        recipient: String,
        /// The token's identifier value.
        value: ValueRepr,
    },
    /// A non-fungible token was burned.
    NftBurn {
        /// `ADDR.contract::asset`.
        asset: String,
        /// Sender principal.
        sender: String,
        /// The token's identifier value.
        value: ValueRepr,
    },
}

impl Event {
    /// Converts the VM's event.
    pub fn from_vm(event: &StacksTransactionEvent) -> Self {
        match event {
            StacksTransactionEvent::SmartContractEvent(e) => Event::Print {
                contract: e.key.0.to_string(),
                value: ValueRepr::of(&e.value),
            },
            StacksTransactionEvent::STXEvent(STXEventType::STXTransferEvent(e)) => {
                Event::StxTransfer {
                    sender: e.sender.to_string(),
                    recipient: e.recipient.to_string(),
                    amount: e.amount,
                    memo: hex::encode(&e.memo.data),
                }
            }
            StacksTransactionEvent::STXEvent(STXEventType::STXMintEvent(e)) => Event::StxMint {
                recipient: e.recipient.to_string(),
                amount: e.amount,
            },
            StacksTransactionEvent::STXEvent(STXEventType::STXBurnEvent(e)) => Event::StxBurn {
                sender: e.sender.to_string(),
                amount: e.amount,
            },
            StacksTransactionEvent::STXEvent(STXEventType::STXLockEvent(e)) => Event::StxLock {
                locked_address: e.locked_address.to_string(),
                amount: e.locked_amount,
                unlock_height: e.unlock_height,
            },
            StacksTransactionEvent::FTEvent(FTEventType::FTTransferEvent(e)) => Event::FtTransfer {
                asset: asset_name(&e.asset_identifier),
                sender: e.sender.to_string(),
                recipient: e.recipient.to_string(),
                amount: e.amount,
            },
            StacksTransactionEvent::FTEvent(FTEventType::FTMintEvent(e)) => Event::FtMint {
                asset: asset_name(&e.asset_identifier),
                recipient: e.recipient.to_string(),
                amount: e.amount,
            },
            StacksTransactionEvent::FTEvent(FTEventType::FTBurnEvent(e)) => Event::FtBurn {
                asset: asset_name(&e.asset_identifier),
                sender: e.sender.to_string(),
                amount: e.amount,
            },
            StacksTransactionEvent::NFTEvent(NFTEventType::NFTTransferEvent(e)) => {
                Event::NftTransfer {
                    asset: asset_name(&e.asset_identifier),
                    sender: e.sender.to_string(),
                    recipient: e.recipient.to_string(),
                    value: ValueRepr::of(&e.value),
                }
            }
            StacksTransactionEvent::NFTEvent(NFTEventType::NFTMintEvent(e)) => Event::NftMint {
                asset: asset_name(&e.asset_identifier),
                recipient: e.recipient.to_string(),
                value: ValueRepr::of(&e.value),
            },
            StacksTransactionEvent::NFTEvent(NFTEventType::NFTBurnEvent(e)) => Event::NftBurn {
                asset: asset_name(&e.asset_identifier),
                sender: e.sender.to_string(),
                value: ValueRepr::of(&e.value),
            },
        }
    }
}

fn asset_name(id: &AssetIdentifier) -> String {
    format!("{}::{}", id.contract_identifier, id.asset_name)
}

/// What one principal sent during a call, as the node's post-condition check reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SentAssets {
    /// Micro-STX sent (transfers).
    #[serde(skip_serializing_if = "is_zero")]
    pub stx: u128,
    /// Micro-STX burned.
    #[serde(skip_serializing_if = "is_zero")]
    pub stx_burned: u128,
    /// Fungible tokens sent, per `ADDR.contract::token`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fungible: BTreeMap<String, u128>,
    /// Non-fungible tokens sent, per `ADDR.contract::asset`, as literals.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub non_fungible: BTreeMap<String, Vec<String>>,
    /// The same non-fungible identifiers as values, for post-condition checks.
    #[serde(skip)]
    pub non_fungible_values: BTreeMap<String, Vec<Value>>,
}

fn is_zero(n: &u128) -> bool {
    *n == 0
}

/// Assets that left each principal during a call, keyed by principal.
pub type AssetFlows = BTreeMap<String, SentAssets>;

/// Converts the VM's asset map.
pub fn asset_flows(map: AssetMap) -> AssetFlows {
    let mut flows = AssetFlows::new();
    for (principal, assets) in map.to_table() {
        let sent = flows.entry(principal.to_string()).or_default();
        for (asset, entry) in assets {
            match entry {
                AssetMapEntry::STX(n) => sent.stx += n,
                AssetMapEntry::Burn(n) => sent.stx_burned += n,
                AssetMapEntry::Token(n) => {
                    *sent.fungible.entry(asset_name(&asset)).or_default() += n;
                }
                AssetMapEntry::Asset(values) => {
                    let name = asset_name(&asset);
                    sent.non_fungible
                        .entry(name.clone())
                        .or_default()
                        .extend(values.iter().map(to_literal));
                    sent.non_fungible_values
                        .entry(name)
                        .or_default()
                        .extend(values);
                }
            }
        }
    }
    flows
}

/// Execution cost in the five dimensions of a Stacks block limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Cost {
    /// Runtime units.
    pub runtime: u64,
    /// Number of reads.
    pub read_count: u64,
    /// Bytes read.
    pub read_length: u64,
    /// Number of writes.
    pub write_count: u64,
    /// Bytes written.
    pub write_length: u64,
}

impl From<&ExecutionCost> for Cost {
    fn from(c: &ExecutionCost) -> Self {
        Cost {
            runtime: c.runtime,
            read_count: c.read_count,
            read_length: c.read_length,
            write_count: c.write_count,
            write_length: c.write_length,
        }
    }
}

impl From<Cost> for ExecutionCost {
    fn from(c: Cost) -> Self {
        ExecutionCost {
            runtime: c.runtime,
            read_count: c.read_count,
            read_length: c.read_length,
            write_count: c.write_count,
            write_length: c.write_length,
        }
    }
}

impl Cost {
    /// `after - before`, dimension by dimension (saturating, as totals only grow).
    pub fn delta(before: &ExecutionCost, after: &ExecutionCost) -> Self {
        Cost {
            runtime: after.runtime.saturating_sub(before.runtime),
            read_count: after.read_count.saturating_sub(before.read_count),
            read_length: after.read_length.saturating_sub(before.read_length),
            write_count: after.write_count.saturating_sub(before.write_count),
            write_length: after.write_length.saturating_sub(before.write_length),
        }
    }
}

/// The outcome of a public call, STX transfer or deployment that the chain accepted into
/// a block.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// The value returned (a response for public functions; `(ok true)` for transfers and
    /// deployments).
    #[serde(serialize_with = "serialize_value")]
    pub result: Value,
    /// Whether the state changes were kept: false when a public function returned `err`
    /// (everything it wrote, and its events, were rolled back).
    pub committed: bool,
    /// Events, in emission order (none when rolled back).
    pub events: Vec<Event>,
    /// Assets that left each principal.
    pub assets: AssetFlows,
    /// What the call cost.
    pub cost: Cost,
    /// Height of the block the call landed in.
    pub block_height: u32,
}

fn serialize_value<S: serde::Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&to_literal(v))
}

/// The outcome of a read-only call (nothing is written, no block is used).
#[derive(Debug, Clone, Serialize)]
pub struct ReadOnlyResult {
    /// The value returned.
    #[serde(serialize_with = "serialize_value")]
    pub result: Value,
    /// What the call cost.
    pub cost: Cost,
}
