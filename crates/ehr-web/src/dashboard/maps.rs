//! The paged lists read the contracts' data maps directly (`/v2/map_entry`, a standard
//! stacks-node endpoint) instead of calling their read-only getters: a map read skips
//! the Clarity interpreter and costs about a third of a read-only call, and a page
//! makes 25-75 of them. The getters return exactly these map values (`get-record` is
//! `(map-get? records id)`), so the decoded types are the SDK's own.

use clarity::vm::types::{PrincipalData, TupleData, Value};
use ehr_sdk::audit::AuditEntry;
use ehr_sdk::ehr::types::{Notification, Record, Request, Token};
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

/// An id stored as a map value (`(some u7)` for present keys).
fn id_of(v: Option<Value>, map: &str) -> Result<Option<u64>, MapError> {
    match v {
        None => Ok(None),
        Some(Value::UInt(n)) => u64::try_from(n)
            .map(Some)
            .map_err(|_| format!("{map}: id u{n} is past u64")),
        Some(other) => Err(format!("{map}: expected an id, got {other}")),
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
    Record::from_value(id, &v)
        .map(Some)
        .map_err(|e| e.to_string())
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
    Token::from_value(id, &v)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// `permission-manager` `requests`: request `id` (what `get-request` returns).
pub async fn request(client: &EhrClient, id: u64) -> Result<Option<Request>, MapError> {
    let Some(v) = get(client, EhrContract::PermissionManager, "requests", uint(id)).await? else {
        return Ok(None);
    };
    Request::from_value(id, &v)
        .map(Some)
        .map_err(|e| e.to_string())
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
    Notification::from_value(index, &v)
        .map(Some)
        .map_err(|e| e.to_string())
}
