//! Reads of the contracts' data maps (`/v2/map_entry`, a standard stacks-node endpoint)
//! instead of their read-only getters: a map read skips the Clarity interpreter and costs
//! about a third of a read-only call, and a listing makes dozens of them. The getters
//! return exactly these map values (`get-record` is `(map-get? records id)`), so the
//! decoded types are the same. The listings ([`super::listing`]), the audit trail
//! ([`super::trail`]) and the dashboard's paged lists read through here.

use std::future::Future;

use clarity::vm::types::{PrincipalData, TupleData, Value};
use futures_util::{StreamExt as _, TryStreamExt as _};

use super::client::{ClientError, EhrClient};
use super::decode::DecodeError;
use super::types::{Notification, Record, Request, Token};
use super::EhrContract;
use crate::audit::AuditEntry;

/// How many map reads run at once.
pub const CONCURRENT_READS: usize = 8;

async fn get(
    client: &EhrClient,
    contract: EhrContract,
    map: &str,
    key: Value,
) -> Result<Option<Value>, ClientError> {
    let id = client.deployment().id(contract);
    Ok(client.node().map_entry(&id, map, &key).await?)
}

fn uint(n: u64) -> Value {
    Value::UInt(n.into())
}

fn tuple(map: &str, fields: Vec<(&str, Value)>) -> Result<Value, ClientError> {
    TupleData::from_data(fields.into_iter().map(|(k, v)| (k.into(), v)).collect())
        .map(Value::Tuple)
        .map_err(|e| DecodeError::new(map, format!("key: {e}")).into())
}

fn pair(map: &str, who_field: &str, who: &PrincipalData, index: u64) -> Result<Value, ClientError> {
    tuple(
        map,
        vec![
            (who_field, Value::Principal(who.clone())),
            ("index", uint(index)),
        ],
    )
}

/// An id stored as a map value (`(some u7)` for present keys).
fn id_of(v: Option<Value>, map: &str) -> Result<Option<u64>, ClientError> {
    match v {
        None => Ok(None),
        Some(Value::UInt(n)) => u64::try_from(n)
            .map(Some)
            .map_err(|_| DecodeError::new(map, format!("id u{n} is past u64")).into()),
        Some(other) => Err(DecodeError::new(map, format!("expected an id, got {other}")).into()),
    }
}

/// Reads `read(id)` for each of `ids`, [`CONCURRENT_READS`] at a time, in `ids`' order;
/// the first error stops it.
pub async fn read_each<T, F, Fut>(ids: &[u64], read: F) -> Result<Vec<T>, ClientError>
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
{
    futures_util::stream::iter(ids.to_vec())
        .map(read)
        .buffered(CONCURRENT_READS)
        .try_collect()
        .await
}

/// `ehr-storage` `patient-records`: the id of `patient`'s `index`-th record.
pub async fn patient_record_id(
    client: &EhrClient,
    patient: &PrincipalData,
    index: u64,
) -> Result<Option<u64>, ClientError> {
    let key = pair("patient-records", "patient", patient, index)?;
    let v = get(client, EhrContract::EhrStorage, "patient-records", key).await?;
    id_of(v, "patient-records")
}

/// A per-principal index map (`{ owner, index }` to an id): `access-token-nft`
/// `patient-tokens` and `grantee-tokens`, `permission-manager` `patient-requests` and
/// `doctor-requests`.
pub async fn owner_index(
    client: &EhrClient,
    contract: EhrContract,
    map: &str,
    owner: &PrincipalData,
    index: u64,
) -> Result<Option<u64>, ClientError> {
    let key = pair(map, "owner", owner, index)?;
    let v = get(client, contract, map, key).await?;
    id_of(v, map)
}

/// `ehr-storage` `records`: record `id` (what `get-record` returns).
pub async fn record(client: &EhrClient, id: u64) -> Result<Option<Record>, ClientError> {
    let Some(v) = get(client, EhrContract::EhrStorage, "records", uint(id)).await? else {
        return Ok(None);
    };
    Ok(Some(Record::from_value(id, &v)?))
}

/// `ehr-storage` `envelopes`: whether `holder` has a key envelope for record `id`.
pub async fn has_envelope(
    client: &EhrClient,
    id: u64,
    holder: &PrincipalData,
) -> Result<bool, ClientError> {
    let key = tuple(
        "envelopes",
        vec![
            ("id", uint(id)),
            ("holder", Value::Principal(holder.clone())),
        ],
    )?;
    Ok(get(client, EhrContract::EhrStorage, "envelopes", key)
        .await?
        .is_some())
}

/// `doctor-registry` `used-attestations`: whether an attestation with `hash` was
/// submitted already (the contract takes each one once).
pub async fn attestation_used(client: &EhrClient, hash: &[u8; 32]) -> Result<bool, ClientError> {
    let key = Value::buff_from(hash.to_vec())
        .map_err(|e| DecodeError::new("used-attestations", format!("key: {e}")))?;
    Ok(get(
        client,
        EhrContract::DoctorRegistry,
        "used-attestations",
        key,
    )
    .await?
    .is_some())
}

/// `audit-log` `patient-entries`: the global id of `patient`'s `index`-th entry.
pub async fn patient_entry_id(
    client: &EhrClient,
    patient: &PrincipalData,
    index: u64,
) -> Result<Option<u64>, ClientError> {
    let key = pair("patient-entries", "patient", patient, index)?;
    let v = get(client, EhrContract::AuditLog, "patient-entries", key).await?;
    id_of(v, "patient-entries")
}

/// `audit-log` `entries`: entry `id` (what `get-entry` returns).
pub async fn entry(client: &EhrClient, id: u64) -> Result<Option<AuditEntry>, ClientError> {
    match get(client, EhrContract::AuditLog, "entries", uint(id)).await? {
        None => Ok(None),
        Some(v) => AuditEntry::from_value(id.into(), &v)
            .map(Some)
            .map_err(|e| DecodeError::new("entries", e.0).into()),
    }
}

/// `access-token-nft` `tokens`: token `id` (what `get-token` returns).
pub async fn token(client: &EhrClient, id: u64) -> Result<Option<Token>, ClientError> {
    let Some(v) = get(client, EhrContract::AccessTokenNft, "tokens", uint(id)).await? else {
        return Ok(None);
    };
    Ok(Some(Token::from_value(id, &v)?))
}

/// `permission-manager` `requests`: request `id` (what `get-request` returns).
pub async fn request(client: &EhrClient, id: u64) -> Result<Option<Request>, ClientError> {
    let Some(v) = get(client, EhrContract::PermissionManager, "requests", uint(id)).await? else {
        return Ok(None);
    };
    Ok(Some(Request::from_value(id, &v)?))
}

/// `notification-system` `notifications`: `recipient`'s notification `index`.
pub async fn notification(
    client: &EhrClient,
    recipient: &PrincipalData,
    index: u64,
) -> Result<Option<Notification>, ClientError> {
    let key = pair("notifications", "recipient", recipient, index)?;
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
    Ok(Some(Notification::from_value(index, &v)?))
}
