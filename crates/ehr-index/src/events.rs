//! The EHR contracts' events in a `/new_block` payload: the notification-system's printed
//! notifications and the access-token NFT's mint, transfer and burn events. Everything
//! else (other contracts, STX and FT events, events of rolled-back transactions) is not
//! the index's business.

use clarity::vm::types::{CharType, SequenceData, TupleData, Value};
use ehr_sdk::ehr::{Deployment, EhrContract};
use serde::Deserialize;

use crate::store::{EhrEvent, TokenChange};

/// Which contract and asset are the EHR deployment's.
#[derive(Debug, Clone)]
pub struct EhrContracts {
    notification_system: String,
    token_asset: String,
}

impl EhrContracts {
    /// The contracts of `deployment`.
    pub fn of(deployment: &Deployment) -> Self {
        EhrContracts {
            notification_system: deployment.id(EhrContract::NotificationSystem).to_string(),
            token_asset: deployment.access_token_asset(),
        }
    }
}

/// One event of a block as a stacks-node posts it.
#[derive(Debug, Deserialize)]
pub(crate) struct RawEvent {
    txid: String,
    event_index: u32,
    #[serde(default = "committed_by_default")]
    committed: bool,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    contract_event: Option<ContractEvent>,
    #[serde(default)]
    nft_mint_event: Option<NftEvent>,
    #[serde(default)]
    nft_transfer_event: Option<NftEvent>,
    #[serde(default)]
    nft_burn_event: Option<NftEvent>,
}

fn committed_by_default() -> bool {
    true
}

#[derive(Debug, Deserialize)]
pub(crate) struct ContractEvent {
    contract_identifier: String,
    topic: String,
    raw_value: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NftEvent {
    asset_identifier: String,
    raw_value: String,
    #[serde(default)]
    sender: Option<String>,
    #[serde(default)]
    recipient: Option<String>,
}

/// The EHR events among `raw`, in order. A malformed EHR event is an error (the node's
/// payload is not what it should be); events of other contracts are skipped unread.
pub(crate) fn ehr_events(
    contracts: &EhrContracts,
    raw: &[RawEvent],
) -> Result<Vec<EhrEvent>, String> {
    let mut out = Vec::new();
    for e in raw.iter().filter(|e| e.committed) {
        let txid = crate::observer::normalise_txid(&e.txid)
            .ok_or_else(|| format!("event {}: txid `{}`", e.event_index, e.txid))?;
        let bad = |what: &str| format!("event {} of 0x{}: {what}", e.event_index, e.txid);
        match (e.kind.as_str(), &e.contract_event) {
            ("contract_event", Some(c))
                if c.contract_identifier == contracts.notification_system && c.topic == "print" =>
            {
                let value = decode(&c.raw_value).map_err(|why| bad(&why))?;
                if let Some(n) = notification(&value).map_err(|why| bad(&why))? {
                    out.push(EhrEvent::Notification {
                        event_index: e.event_index,
                        txid,
                        recipient: n.0,
                        kind: n.1,
                        reference: n.2,
                        inbox_index: n.3,
                    });
                }
                continue;
            }
            _ => {}
        }
        let (nft, change) = match e.kind.as_str() {
            "nft_mint_event" => (&e.nft_mint_event, 0),
            "nft_transfer_event" => (&e.nft_transfer_event, 1),
            "nft_burn_event" => (&e.nft_burn_event, 2),
            _ => continue,
        };
        let Some(nft) = nft
            .as_ref()
            .filter(|n| n.asset_identifier == contracts.token_asset)
        else {
            continue;
        };
        let token_id = match decode(&nft.raw_value).map_err(|why| bad(&why))? {
            Value::UInt(n) => u64::try_from(n).map_err(|_| bad("token id beyond u64"))?,
            other => return Err(bad(&format!("token id is {other}"))),
        };
        let who =
            |p: &Option<String>, role: &str| p.clone().ok_or_else(|| bad(&format!("no {role}")));
        let change = match change {
            0 => TokenChange::Minted {
                to: who(&nft.recipient, "recipient")?,
            },
            1 => TokenChange::Transferred {
                from: who(&nft.sender, "sender")?,
                to: who(&nft.recipient, "recipient")?,
            },
            _ => TokenChange::Burnt {
                from: who(&nft.sender, "sender")?,
            },
        };
        out.push(EhrEvent::Token {
            event_index: e.event_index,
            txid,
            token_id,
            change,
        });
    }
    Ok(out)
}

fn decode(raw: &str) -> Result<Value, String> {
    let hex = raw.strip_prefix("0x").unwrap_or(raw);
    Value::try_deserialize_hex_untyped(hex).map_err(|e| format!("raw_value: {e}"))
}

/// `{event: "notification", kind, recipient, ref, index}` as (recipient, kind, ref,
/// index); `None` for another print of the contract.
fn notification(value: &Value) -> Result<Option<(String, String, u64, u64)>, String> {
    let Value::Tuple(t) = value else {
        return Ok(None);
    };
    if ascii(t, "event").as_deref() != Some("notification") {
        return Ok(None);
    }
    let recipient = match t.get("recipient") {
        Ok(Value::Principal(p)) => p.to_string(),
        _ => return Err("a notification without a recipient".into()),
    };
    let kind = ascii(t, "kind").ok_or("a notification without a kind")?;
    let uint = |name: &str| match t.get(name) {
        Ok(Value::UInt(n)) => u64::try_from(*n).map_err(|_| format!("{name} beyond u64")),
        _ => Err(format!("a notification without {name}")),
    };
    Ok(Some((recipient, kind, uint("ref")?, uint("index")?)))
}

fn ascii(t: &TupleData, name: &str) -> Option<String> {
    match t.get(name) {
        Ok(Value::Sequence(SequenceData::String(CharType::ASCII(s)))) => {
            Some(String::from_utf8_lossy(&s.data).into_owned())
        }
        _ => None,
    }
}
