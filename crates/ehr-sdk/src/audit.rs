//! The audit log's hash chain, verified offline.
//!
//! Each on-chain entry stores `prev-hash` and `entry-hash` = sha256 of the consensus
//! serialisation of `{id, patient, actor, action, ref, details-hash, block, prev-hash}`
//! (Clarity sorts tuple keys). An export is trustworthy when every entry-hash recomputes
//! and every prev-hash is the entry-hash before it (the first one links to 32 zero bytes).

use clarity::vm::types::{PrincipalData, TupleData, Value};
use sha2::{Digest, Sha256};

/// One audit entry as the contract's `get-entry` returns it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditEntry {
    /// Global entry id (position in the chain).
    pub id: u128,
    /// The subject: the patient (or doctor, issuer) the entry is about.
    pub patient: String,
    /// Who acted (`tx-sender` of the call).
    pub actor: String,
    /// What happened, e.g. `grant-access`.
    pub action: String,
    /// A reference: token, record or request id.
    pub reference: u128,
    /// sha256 of details (a reason, a content hash), hex.
    pub details_hash: String,
    /// Block height.
    pub block: u128,
    /// The chain head before this entry, hex.
    pub prev_hash: String,
    /// This entry's hash, hex.
    pub entry_hash: String,
}

/// Why a `get-entry` value is not an audit entry.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not an audit entry: {0}")]
pub struct NotAnEntry(pub String);

/// Where and why a chain does not verify.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's hash does not match its contents.
    #[error("entry {id}: entry-hash does not match its contents (altered entry)")]
    Altered {
        /// The entry id.
        id: u128,
    },
    /// The entry does not link to the one before it.
    #[error("entry {id}: prev-hash does not match the previous entry (missing, reordered or inserted entries)")]
    Unlinked {
        /// The entry id.
        id: u128,
    },
}

fn field<'a>(t: &'a TupleData, name: &str) -> Result<&'a Value, NotAnEntry> {
    t.get(name)
        .map_err(|_| NotAnEntry(format!("no field {name}")))
}

fn uint(t: &TupleData, name: &str) -> Result<u128, NotAnEntry> {
    match field(t, name)? {
        Value::UInt(n) => Ok(*n),
        other => Err(NotAnEntry(format!("{name} is {other}"))),
    }
}

fn buff32(t: &TupleData, name: &str) -> Result<[u8; 32], NotAnEntry> {
    field(t, name)?
        .clone()
        .expect_buff(32)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| NotAnEntry(format!("{name} is not a 32-byte buffer")))
}

fn principal(t: &TupleData, name: &str) -> Result<PrincipalData, NotAnEntry> {
    match field(t, name)? {
        Value::Principal(p) => Ok(p.clone()),
        other => Err(NotAnEntry(format!("{name} is {other}"))),
    }
}

impl AuditEntry {
    /// Reads the tuple of `get-entry` (unwrapped from its optional) for entry `id`.
    pub fn from_value(id: u128, value: &Value) -> Result<Self, NotAnEntry> {
        let Value::Tuple(t) = value else {
            return Err(NotAnEntry(format!("expected a tuple, got {value}")));
        };
        let action = match field(t, "action")? {
            Value::Sequence(clarity::vm::types::SequenceData::String(
                clarity::vm::types::CharType::ASCII(s),
            )) => String::from_utf8_lossy(&s.data).into_owned(),
            other => return Err(NotAnEntry(format!("action is {other}"))),
        };
        Ok(AuditEntry {
            id,
            patient: principal(t, "patient")?.to_string(),
            actor: principal(t, "actor")?.to_string(),
            action,
            reference: uint(t, "ref")?,
            details_hash: hex::encode(buff32(t, "details-hash")?),
            block: uint(t, "block")?,
            prev_hash: hex::encode(buff32(t, "prev-hash")?),
            entry_hash: hex::encode(buff32(t, "entry-hash")?),
        })
    }

    /// Recomputes the entry hash from the entry's contents.
    pub fn compute_hash(&self) -> Result<[u8; 32], NotAnEntry> {
        let bad = |what: &str| NotAnEntry(format!("{what} cannot be encoded"));
        let buff = |hex_text: &str, what: &str| {
            hex::decode(hex_text)
                .ok()
                .and_then(|b| Value::buff_from(b).ok())
                .ok_or_else(|| bad(what))
        };
        let tuple = TupleData::from_data(vec![
            ("id".into(), Value::UInt(self.id)),
            (
                "patient".into(),
                Value::Principal(PrincipalData::parse(&self.patient).map_err(|_| bad("patient"))?),
            ),
            (
                "actor".into(),
                Value::Principal(PrincipalData::parse(&self.actor).map_err(|_| bad("actor"))?),
            ),
            (
                "action".into(),
                Value::string_ascii_from_bytes(self.action.as_bytes().to_vec())
                    .map_err(|_| bad("action"))?,
            ),
            ("ref".into(), Value::UInt(self.reference)),
            (
                "details-hash".into(),
                buff(&self.details_hash, "details-hash")?,
            ),
            ("block".into(), Value::UInt(self.block)),
            ("prev-hash".into(), buff(&self.prev_hash, "prev-hash")?),
        ])
        .map_err(|_| bad("entry"))?;
        let bytes = Value::Tuple(tuple)
            .serialize_to_vec()
            .map_err(|_| bad("entry"))?;
        Ok(Sha256::digest(bytes).into())
    }
}

/// Verifies a run of consecutive entries. `prev` is the entry-hash before the first one
/// (32 zero bytes when the run starts at entry 0).
pub fn verify_chain(entries: &[AuditEntry], prev: [u8; 32]) -> Result<(), ChainBreak> {
    let mut expected_prev = hex::encode(prev);
    for e in entries {
        if e.prev_hash != expected_prev {
            return Err(ChainBreak::Unlinked { id: e.id });
        }
        match e.compute_hash() {
            Ok(h) if hex::encode(h) == e.entry_hash => {}
            _ => return Err(ChainBreak::Altered { id: e.id }),
        }
        expected_prev = e.entry_hash.clone();
    }
    Ok(())
}
