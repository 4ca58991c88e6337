//! The paged lists read the contracts' data maps directly (`/v2/map_entry`, a standard
//! stacks-node endpoint) instead of calling their read-only getters: a map read skips
//! the Clarity interpreter and costs about a third of a read-only call, and a page
//! makes 25-75 of them. The getters return exactly these map values (`get-record` is
//! `(map-get? records id)`), so the decoded types are the SDK's own.

use clarity::vm::types::{CharType, OptionalData, PrincipalData, SequenceData, TupleData, Value};
use ehr_sdk::audit::AuditEntry;
use ehr_sdk::ehr::types::{Notification, Record, Request, RequestStatus, Scope, Token};
use ehr_sdk::ehr::{EhrClient, EhrContract};

/// A map read that failed, in words.
pub type MapError = String;

async fn get(
    client: &EhrClient,
    contract: EhrContract,
    map: &str,
    key: Value,
) -> Result<Option<Value>, MapError> {
    let id = client.deployment().id(contract);
    client
        .node()
        .map_entry(&id, map, &key)
        .await
        .map_err(|e| e.to_string())
}

fn uint(n: u64) -> Value {
    Value::UInt(n.into())
}

fn pair(who_field: &str, who: &PrincipalData, index: u64) -> Result<Value, MapError> {
    TupleData::from_data(vec![
        (who_field.into(), Value::Principal(who.clone())),
        ("index".into(), uint(index)),
    ])
    .map(Value::Tuple)
    .map_err(|e| e.to_string())
}

/// The fields of a map value.
struct Fields<'a> {
    map: &'static str,
    tuple: &'a TupleData,
}

impl<'a> Fields<'a> {
    fn of(map: &'static str, v: &'a Value) -> Result<Self, MapError> {
        match v {
            Value::Tuple(tuple) => Ok(Fields { map, tuple }),
            other => Err(format!("{map}: expected a tuple, got {other}")),
        }
    }

    fn field(&self, name: &str) -> Result<&'a Value, MapError> {
        self.tuple
            .get(name)
            .map_err(|_| format!("{}: no field {name}", self.map))
    }

    fn bad(&self, name: &str, want: &str) -> MapError {
        format!("{}: field {name} is not {want}", self.map)
    }

    fn uint(&self, name: &str) -> Result<u128, MapError> {
        match self.field(name)? {
            Value::UInt(n) => Ok(*n),
            _ => Err(self.bad(name, "a uint")),
        }
    }

    fn u64(&self, name: &str) -> Result<u64, MapError> {
        u64::try_from(self.uint(name)?).map_err(|_| self.bad(name, "a small uint"))
    }

    fn boolean(&self, name: &str) -> Result<bool, MapError> {
        match self.field(name)? {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.bad(name, "a bool")),
        }
    }

    fn principal(&self, name: &str) -> Result<PrincipalData, MapError> {
        match self.field(name)? {
            Value::Principal(p) => Ok(p.clone()),
            _ => Err(self.bad(name, "a principal")),
        }
    }

    fn ascii(&self, name: &str) -> Result<String, MapError> {
        ascii(self.field(name)?).ok_or_else(|| self.bad(name, "an ASCII string"))
    }

    fn utf8(&self, name: &str) -> Result<String, MapError> {
        match self.field(name)? {
            Value::Sequence(SequenceData::String(CharType::UTF8(s))) => Ok(s
                .data
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect()),
            _ => Err(self.bad(name, "a UTF-8 string")),
        }
    }

    fn buff32(&self, name: &str) -> Result<[u8; 32], MapError> {
        match self.field(name)? {
            Value::Sequence(SequenceData::Buffer(b)) => b
                .data
                .as_slice()
                .try_into()
                .map_err(|_| self.bad(name, "32 bytes")),
            _ => Err(self.bad(name, "a buffer")),
        }
    }

    fn optional<T>(
        &self,
        name: &str,
        inner: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<T>, MapError> {
        match self.field(name)? {
            Value::Optional(OptionalData { data: None }) => Ok(None),
            Value::Optional(OptionalData { data: Some(v) }) => inner(v)
                .map(Some)
                .ok_or_else(|| self.bad(name, "the expected optional")),
            _ => Err(self.bad(name, "an optional")),
        }
    }
}

fn ascii(v: &Value) -> Option<String> {
    match v {
        Value::Sequence(SequenceData::String(CharType::ASCII(s))) => {
            Some(String::from_utf8_lossy(&s.data).into_owned())
        }
        _ => None,
    }
}

fn small_uint(v: &Value) -> Option<u64> {
    match v {
        Value::UInt(n) => u64::try_from(*n).ok(),
        _ => None,
    }
}

fn id_of(v: Option<Value>, map: &str) -> Result<Option<u64>, MapError> {
    match v {
        None => Ok(None),
        Some(v) => small_uint(&v)
            .map(Some)
            .ok_or_else(|| format!("{map}: the value is not a record id")),
    }
}

/// `ehr-storage` `patient-records`: the id of `patient`'s `index`-th record.
pub async fn patient_record_id(
    client: &EhrClient,
    patient: &PrincipalData,
    index: u64,
) -> Result<Option<u64>, MapError> {
    let v = get(
        client,
        EhrContract::EhrStorage,
        "patient-records",
        pair("patient", patient, index)?,
    )
    .await?;
    id_of(v, "patient-records")
}

/// `ehr-storage` `records`: record `id` (what `get-record` returns).
pub async fn record(client: &EhrClient, id: u64) -> Result<Option<Record>, MapError> {
    let Some(v) = get(client, EhrContract::EhrStorage, "records", uint(id)).await? else {
        return Ok(None);
    };
    let f = Fields::of("records", &v)?;
    Ok(Some(Record {
        id,
        patient: f.principal("patient")?,
        record_type: f.ascii("record-type")?,
        content_hash: f.buff32("content-hash")?,
        locator: f.ascii("locator")?,
        version: f.u64("version")?,
        previous: f.optional("previous", small_uint)?,
        superseded_by: f.optional("superseded-by", small_uint)?,
        author: f.principal("author")?,
        created_at: f.u64("created-at")?,
        chunk_count: f.u64("chunk-count")?,
    }))
}

/// `ehr-storage` `envelopes`: whether `holder` has a key envelope for record `id`.
pub async fn has_envelope(
    client: &EhrClient,
    id: u64,
    holder: &PrincipalData,
) -> Result<bool, MapError> {
    let key = TupleData::from_data(vec![
        ("id".into(), uint(id)),
        ("holder".into(), Value::Principal(holder.clone())),
    ])
    .map(Value::Tuple)
    .map_err(|e| e.to_string())?;
    Ok(get(client, EhrContract::EhrStorage, "envelopes", key)
        .await?
        .is_some())
}

/// `audit-log` `patient-entries`: the global id of `patient`'s `index`-th entry.
pub async fn patient_entry_id(
    client: &EhrClient,
    patient: &PrincipalData,
    index: u64,
) -> Result<Option<u64>, MapError> {
    let v = get(
        client,
        EhrContract::AuditLog,
        "patient-entries",
        pair("patient", patient, index)?,
    )
    .await?;
    id_of(v, "patient-entries")
}

/// `audit-log` `entries`: entry `id` (what `get-entry` returns).
pub async fn entry(client: &EhrClient, id: u64) -> Result<Option<AuditEntry>, MapError> {
    match get(client, EhrContract::AuditLog, "entries", uint(id)).await? {
        None => Ok(None),
        Some(v) => AuditEntry::from_value(id.into(), &v)
            .map(Some)
            .map_err(|e| e.to_string()),
    }
}

/// `access-token-nft` `tokens`: token `id` (what `get-token` returns).
pub async fn token(client: &EhrClient, id: u64) -> Result<Option<Token>, MapError> {
    let Some(v) = get(client, EhrContract::AccessTokenNft, "tokens", uint(id)).await? else {
        return Ok(None);
    };
    let f = Fields::of("tokens", &v)?;
    Ok(Some(Token {
        id,
        patient: f.principal("patient")?,
        grantee: f.principal("grantee")?,
        scope: Scope::from_bits(f.uint("scope")?).map_err(|e| e.to_string())?,
        record_type: f.optional("record-type", ascii)?,
        expires_at: f.u64("expires-at")?,
        issued_at: f.u64("issued-at")?,
        emergency: f.boolean("emergency")?,
        revoked: f.boolean("revoked")?,
    }))
}

/// `permission-manager` `requests`: request `id` (what `get-request` returns).
pub async fn request(client: &EhrClient, id: u64) -> Result<Option<Request>, MapError> {
    let Some(v) = get(client, EhrContract::PermissionManager, "requests", uint(id)).await? else {
        return Ok(None);
    };
    let f = Fields::of("requests", &v)?;
    let status = match f.ascii("status")?.as_str() {
        "pending" => RequestStatus::Pending,
        "approved" => RequestStatus::Approved,
        "denied" => RequestStatus::Denied,
        other => return Err(format!("requests: unknown status `{other}`")),
    };
    Ok(Some(Request {
        id,
        patient: f.principal("patient")?,
        requester: f.principal("requester")?,
        scope: Scope::from_bits(f.uint("scope")?).map_err(|e| e.to_string())?,
        duration: f.u64("duration")?,
        reason: f.utf8("reason")?,
        status,
        created_at: f.u64("created-at")?,
        token_id: f.optional("token-id", small_uint)?,
    }))
}

/// `notification-system` `notifications`: `recipient`'s notification `index`.
pub async fn notification(
    client: &EhrClient,
    recipient: &PrincipalData,
    index: u64,
) -> Result<Option<Notification>, MapError> {
    let key = pair("recipient", recipient, index)?;
    let Some(v) = get(
        client,
        EhrContract::NotificationSystem,
        "notifications",
        key,
    )
    .await?
    else {
        return Ok(None);
    };
    let f = Fields::of("notifications", &v)?;
    Ok(Some(Notification {
        index,
        kind: f.ascii("kind")?,
        reference: f.u64("ref")?,
        actor: f.principal("actor")?,
        source: f.principal("source")?,
        block: f.u64("block")?,
        read: f.boolean("read")?,
    }))
}
