//! What the contracts' read-only functions return, as Rust types.
//!
//! Principals are kept as [`PrincipalData`] (a standard or contract principal); hashes and
//! keys as fixed-size byte arrays, so a wrong length cannot be represented. Each type is
//! `serde::Serialize` for `--json` output, with hashes and keys written as hex.

use std::fmt;
use std::str::FromStr;

use clarity::vm::types::{PrincipalData, Value};
use serde::Serialize;

use super::decode::{self, DecodeError, Fields};

fn principal_str<S: serde::Serializer>(p: &PrincipalData, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(p)
}

fn opt_principal_str<S: serde::Serializer>(
    p: &Option<PrincipalData>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.collect_str(p),
        None => s.serialize_none(),
    }
}

fn hex_bytes<S: serde::Serializer, const N: usize>(b: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(b))
}

/// An access scope: a non-empty mix of read (u1), write (u2, add records for the patient)
/// and share (u4, put key envelopes for others). Zero and bits above u4 cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scope(u8);

/// A scope that is not a non-empty mix of read, write and share.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("invalid scope `{0}`: give a non-empty mix of read, write and share (e.g. `read,write`), or their bits u1, u2, u4 (1-7)")]
pub struct InvalidScope(pub String);

impl Scope {
    /// Read the patient's records (receive key envelopes).
    pub const READ: Scope = Scope(1);
    /// Add records for the patient.
    pub const WRITE: Scope = Scope(2);
    /// Put key envelopes for other holders.
    pub const SHARE: Scope = Scope(4);

    /// The scope of the bitmask `bits` (1-7).
    pub fn from_bits(bits: u128) -> Result<Self, InvalidScope> {
        match bits {
            1..=7 => Ok(Scope(bits as u8)),
            _ => Err(InvalidScope(format!("u{bits}"))),
        }
    }

    /// The bitmask as the contracts take it.
    pub fn bits(self) -> u128 {
        u128::from(self.0)
    }

    /// Both scopes together.
    pub fn union(self, other: Scope) -> Scope {
        Scope(self.0 | other.0)
    }

    /// True when every right of `other` is in `self`.
    pub fn contains(self, other: Scope) -> bool {
        self.0 & other.0 == other.0
    }
}

impl fmt::Display for Scope {
    /// `read`, `read,write`, `read,write,share`...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = [
            (Scope::READ, "read"),
            (Scope::WRITE, "write"),
            (Scope::SHARE, "share"),
        ]
        .into_iter()
        .filter(|(s, _)| self.contains(*s))
        .map(|(_, n)| n)
        .collect();
        f.write_str(&names.join(","))
    }
}

impl FromStr for Scope {
    type Err = InvalidScope;

    /// Accepts `read,write`, `read+share`, `all`, or the bitmask as `3` or `u3`.
    fn from_str(text: &str) -> Result<Self, InvalidScope> {
        let bad = || InvalidScope(text.to_string());
        let trimmed = text.trim();
        if let Ok(bits) = trimmed.trim_start_matches('u').parse::<u128>() {
            return Scope::from_bits(bits).map_err(|_| bad());
        }
        if trimmed == "all" {
            return Ok(Scope(7));
        }
        let mut bits = 0u8;
        for part in trimmed.split([',', '+']) {
            bits |= match part.trim() {
                "read" => 1,
                "write" => 2,
                "share" => 4,
                _ => return Err(bad()),
            };
        }
        Scope::from_bits(u128::from(bits)).map_err(|_| bad())
    }
}

impl Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A registered patient (`patient-registry.get-patient`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Patient {
    /// sha256(salt ++ identifier); the salt stays with the patient.
    #[serde(serialize_with = "hex_bytes")]
    pub id_hash: [u8; 32],
    /// The compressed secp256k1 key record envelopes are wrapped to.
    #[serde(serialize_with = "hex_bytes")]
    pub enc_pubkey: [u8; 33],
    /// Block of registration.
    pub registered_at: u64,
    /// False after `deactivate`.
    pub active: bool,
    /// Verified by an enabled verifier.
    pub verified: bool,
    /// Who verified the patient.
    #[serde(serialize_with = "opt_principal_str")]
    pub verified_by: Option<PrincipalData>,
}

impl Patient {
    /// Reads the value `get-patient` returns (unwrapped from its optional).
    pub fn from_value(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::of("get-patient", v)?;
        Ok(Patient {
            id_hash: f.buff("id-hash")?,
            enc_pubkey: f.buff("enc-pubkey")?,
            registered_at: f.u64("registered-at")?,
            active: f.bool("active")?,
            verified: f.bool("verified")?,
            verified_by: f.optional("verified-by", decode::principal)?,
        })
    }
}

/// A registered doctor (`doctor-registry.get-doctor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Doctor {
    /// sha256(salt ++ licence number).
    #[serde(serialize_with = "hex_bytes")]
    pub license_hash: [u8; 32],
    /// The key record envelopes are wrapped to.
    #[serde(serialize_with = "hex_bytes")]
    pub enc_pubkey: [u8; 33],
    /// Free-text specialty.
    pub specialty: String,
    /// Block of registration.
    pub registered_at: u64,
    /// An issuer verified the credential (see [`Doctor::is_verified_at`] for expiry).
    pub verified: bool,
    /// The issuer that verified it.
    #[serde(serialize_with = "opt_principal_str")]
    pub verified_by: Option<PrincipalData>,
    /// First block at which the credential is no longer valid.
    pub expires_at: u64,
    /// Suspended by an issuer or the admin.
    pub suspended: bool,
}

impl Doctor {
    /// Reads the value `get-doctor` returns (unwrapped from its optional).
    pub fn from_value(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::of("get-doctor", v)?;
        Ok(Doctor {
            license_hash: f.buff("license-hash")?,
            enc_pubkey: f.buff("enc-pubkey")?,
            specialty: f.ascii("specialty")?,
            registered_at: f.u64("registered-at")?,
            verified: f.bool("verified")?,
            verified_by: f.optional("verified-by", decode::principal)?,
            expires_at: f.u64("expires-at")?,
            suspended: f.bool("suspended")?,
        })
    }

    /// What `is-verified` answers at block `height`.
    pub fn is_verified_at(&self, height: u64) -> bool {
        self.verified && !self.suspended && height < self.expires_at
    }
}

/// A credential issuer (`doctor-registry.get-issuer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issuer {
    /// The key its attestations are signed with.
    #[serde(serialize_with = "hex_bytes")]
    pub pubkey: [u8; 33],
    /// Whether it may verify doctors now.
    pub enabled: bool,
}

impl Issuer {
    /// Reads the value `get-issuer` returns (unwrapped from its optional).
    pub fn from_value(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::of("get-issuer", v)?;
        Ok(Issuer {
            pubkey: f.buff("pubkey")?,
            enabled: f.bool("enabled")?,
        })
    }
}

/// One version of a record (`ehr-storage.get-record`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// The record id.
    pub id: u64,
    /// Whose record it is.
    #[serde(serialize_with = "principal_str")]
    pub patient: PrincipalData,
    /// A short type, e.g. a FHIR resource type (`Observation`).
    pub record_type: String,
    /// sha256 of the sealed bytes.
    #[serde(serialize_with = "hex_bytes")]
    pub content_hash: [u8; 32],
    /// Where the sealed bytes are (`chain:` when kept whole on chain in chunks).
    pub locator: String,
    /// 1 for the first version, then 2, 3...
    pub version: u64,
    /// The version this one amends.
    pub previous: Option<u64>,
    /// The version that amended this one (then this one can no longer be amended).
    pub superseded_by: Option<u64>,
    /// Who wrote it (the patient, a guardian or a doctor with write scope).
    #[serde(serialize_with = "principal_str")]
    pub author: PrincipalData,
    /// Block it was written in.
    pub created_at: u64,
    /// How many 1 KiB chunks hold it on chain (0 when it lives behind the locator).
    pub chunk_count: u64,
}

fn small_uint(v: &Value) -> Option<u64> {
    decode::uint(v).and_then(|n| u64::try_from(n).ok())
}

impl Record {
    /// Reads record `id` as `get-record` returns it (or the `records` map holds it).
    pub fn from_value(id: u64, v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::of("get-record", v)?;
        Ok(Record {
            id,
            patient: f.principal("patient")?,
            record_type: f.ascii("record-type")?,
            content_hash: f.buff("content-hash")?,
            locator: f.ascii("locator")?,
            version: f.u64("version")?,
            previous: f.optional("previous", small_uint)?,
            superseded_by: f.optional("superseded-by", small_uint)?,
            author: f.principal("author")?,
            created_at: f.u64("created-at")?,
            chunk_count: f.u64("chunk-count")?,
        })
    }

    /// True when the newest version: the one to read and the only one that can be amended.
    pub fn is_latest(&self) -> bool {
        self.superseded_by.is_none()
    }
}

/// An access token: the NFT that is a grant (`access-token-nft.get-token`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    /// The token id.
    pub id: u64,
    /// The patient whose records it opens.
    #[serde(serialize_with = "principal_str")]
    pub patient: PrincipalData,
    /// Who holds the access (the patient itself for a token not yet handed on).
    #[serde(serialize_with = "principal_str")]
    pub grantee: PrincipalData,
    /// What the grantee may do.
    pub scope: Scope,
    /// Limited to records of this type, or all types.
    pub record_type: Option<String>,
    /// First block at which it no longer gives access.
    pub expires_at: u64,
    /// Block it was issued in.
    pub issued_at: u64,
    /// An emergency grant (read-only, short).
    pub emergency: bool,
    /// Revoked by the patient or a guardian.
    pub revoked: bool,
}

/// Where a token stands at a given block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenState {
    /// Gives access now (if the grantee is still a verified doctor).
    Active,
    /// Past its expiry block.
    Expired,
    /// Revoked.
    Revoked,
}

impl fmt::Display for TokenState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenState::Active => "active",
            TokenState::Expired => "expired",
            TokenState::Revoked => "revoked",
        })
    }
}

impl Token {
    /// Reads token `id` as `get-token` returns it (or the `tokens` map holds it).
    pub fn from_value(id: u64, v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::of("get-token", v)?;
        let bits = f.uint("scope")?;
        Ok(Token {
            id,
            patient: f.principal("patient")?,
            grantee: f.principal("grantee")?,
            scope: Scope::from_bits(bits)
                .map_err(|e| DecodeError::new("get-token", e.to_string()))?,
            record_type: f.optional("record-type", decode::ascii)?,
            expires_at: f.u64("expires-at")?,
            issued_at: f.u64("issued-at")?,
            emergency: f.bool("emergency")?,
            revoked: f.bool("revoked")?,
        })
    }

    /// The token's state at block `height`.
    pub fn state_at(&self, height: u64) -> TokenState {
        if self.revoked {
            TokenState::Revoked
        } else if height >= self.expires_at {
            TokenState::Expired
        } else {
            TokenState::Active
        }
    }
}

/// Where an access request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    /// Waiting for the patient.
    Pending,
    /// Approved: a token was minted.
    Approved,
    /// Denied.
    Denied,
}

impl fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Denied => "denied",
        })
    }
}

/// A doctor's request for access (`permission-manager.get-request`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// The request id.
    pub id: u64,
    /// Whose records.
    #[serde(serialize_with = "principal_str")]
    pub patient: PrincipalData,
    /// The doctor asking.
    #[serde(serialize_with = "principal_str")]
    pub requester: PrincipalData,
    /// The scope asked for.
    pub scope: Scope,
    /// For how many blocks after approval.
    pub duration: u64,
    /// Why, in the doctor's words.
    pub reason: String,
    /// Pending, approved or denied.
    pub status: RequestStatus,
    /// Block it was made in.
    pub created_at: u64,
    /// The token minted on approval.
    pub token_id: Option<u64>,
}

impl Request {
    /// Reads request `id` as `get-request` returns it (or the `requests` map holds it).
    pub fn from_value(id: u64, v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::of("get-request", v)?;
        let status = match f.ascii("status")?.as_str() {
            "pending" => RequestStatus::Pending,
            "approved" => RequestStatus::Approved,
            "denied" => RequestStatus::Denied,
            other => {
                return Err(DecodeError::new(
                    "get-request",
                    format!("unknown status `{other}`"),
                ))
            }
        };
        Ok(Request {
            id,
            patient: f.principal("patient")?,
            requester: f.principal("requester")?,
            scope: Scope::from_bits(f.uint("scope")?)
                .map_err(|e| DecodeError::new("get-request", e.to_string()))?,
            duration: f.u64("duration")?,
            reason: f.utf8("reason")?,
            status,
            created_at: f.u64("created-at")?,
            token_id: f.optional("token-id", small_uint)?,
        })
    }
}

/// One notification in an inbox (`notification-system.get-notification`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    /// Its index in the recipient's inbox (what `mark-read` takes).
    pub index: u64,
    /// What happened, e.g. `access-granted`.
    pub kind: String,
    /// The token, record or request it is about.
    pub reference: u64,
    /// Who caused it.
    #[serde(serialize_with = "principal_str")]
    pub actor: PrincipalData,
    /// The EHR contract that sent it.
    #[serde(serialize_with = "principal_str")]
    pub source: PrincipalData,
    /// Block it was sent in.
    pub block: u64,
    /// Marked read by the recipient.
    pub read: bool,
}

impl Notification {
    /// Reads inbox entry `index` as `get-notification` returns it.
    pub fn from_value(index: u64, v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::of("get-notification", v)?;
        Ok(Notification {
            index,
            kind: f.ascii("kind")?,
            reference: f.u64("ref")?,
            actor: f.principal("actor")?,
            source: f.principal("source")?,
            block: f.u64("block")?,
            read: f.bool("read")?,
        })
    }
}

/// The audit log's head (`audit-log.get-head`): the newest entry hash and the entry count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    /// entry-hash of the newest entry (32 zero bytes before the first).
    #[serde(serialize_with = "hex_bytes")]
    pub head: [u8; 32],
    /// How many entries the log holds.
    pub count: u64,
}

impl AuditHead {
    /// Reads the value `get-head` returns.
    pub fn from_value(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::of("get-head", v)?;
        Ok(AuditHead {
            head: f.buff("head")?,
            count: f.u64("count")?,
        })
    }
}

/// A record's claim anchor (`ehr-storage.get-claims-anchor`): the hash of the commitment
/// set its author signed for zero-knowledge claims, and the block it was anchored at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimsAnchor {
    /// The anchored hash.
    #[serde(serialize_with = "hex_bytes")]
    pub anchor: [u8; 32],
    /// Block height of the anchoring transaction.
    pub anchored_at: u64,
}

impl ClaimsAnchor {
    /// Reads the value inside `get-claims-anchor`'s `some`.
    pub fn from_value(v: &Value) -> Result<Self, DecodeError> {
        let f = Fields::of("get-claims-anchor", v)?;
        Ok(ClaimsAnchor {
            anchor: f.buff("anchor")?,
            anchored_at: f.u64("anchored-at")?,
        })
    }
}
