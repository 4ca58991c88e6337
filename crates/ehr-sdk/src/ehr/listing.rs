//! Listings that cost what one principal holds, not what the chain holds: a patient's
//! tokens and requests, a doctor's tokens and requests, read through the contracts'
//! per-principal index maps (`get-patient-token-id`, `get-grantee-token-id`,
//! `get-patient-request-id`, `get-doctor-request-id`). One implementation for the CLI, the
//! dashboard and the FHIR API.

use std::future::Future;

use clarity::vm::types::PrincipalData;

use super::client::{ClientError, EhrClient};
use super::maps;
use super::types::{Request, Token};

/// Which side of a token or request a listing is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The patient the token or request is about.
    Patient,
    /// The other party: a token's grantee (including tokens transferred to it), a
    /// request's requester.
    Counterpart,
}

/// The ids of the tokens `who` is on `side` of, ascending. A grantee's list holds every
/// token it was ever given, including ones transferred away since: [`tokens`] keeps only
/// those it holds now.
pub async fn token_ids(
    client: &EhrClient,
    who: &PrincipalData,
    side: Side,
) -> Result<Vec<u64>, ClientError> {
    match side {
        Side::Patient => {
            let count = client.get_patient_token_count(who).await?;
            indexed(count, |i| client.get_patient_token_id(who, i)).await
        }
        Side::Counterpart => {
            let count = client.get_grantee_token_count(who).await?;
            indexed(count, |i| client.get_grantee_token_id(who, i)).await
        }
    }
}

/// The ids of the requests `who` is on `side` of, ascending.
pub async fn request_ids(
    client: &EhrClient,
    who: &PrincipalData,
    side: Side,
) -> Result<Vec<u64>, ClientError> {
    match side {
        Side::Patient => {
            let count = client.get_patient_request_count(who).await?;
            indexed(count, |i| client.get_patient_request_id(who, i)).await
        }
        Side::Counterpart => {
            let count = client.get_doctor_request_count(who).await?;
            indexed(count, |i| client.get_doctor_request_id(who, i)).await
        }
    }
}

/// The ids at positions `0..count` of a per-principal index map, ascending, each once.
async fn indexed<F, Fut>(count: u64, id_at: F) -> Result<Vec<u64>, ClientError>
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Result<Option<u64>, ClientError>>,
{
    let mut ids = Vec::with_capacity(count as usize);
    for index in 0..count {
        ids.extend(id_at(index).await?);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The tokens with these ids that `who` is on `side` of now, in the order given (map
/// reads, a few at a time).
pub async fn tokens_by_id(
    client: &EhrClient,
    ids: &[u64],
    who: &PrincipalData,
    side: Side,
) -> Result<Vec<Token>, ClientError> {
    let read = maps::read_each(ids, |id| maps::token(client, id)).await?;
    Ok(read
        .into_iter()
        .flatten()
        .filter(|t| match side {
            Side::Patient => &t.patient == who,
            Side::Counterpart => &t.grantee == who,
        })
        .collect())
}

/// The tokens `who` is on `side` of now, oldest first.
pub async fn tokens(
    client: &EhrClient,
    who: &PrincipalData,
    side: Side,
) -> Result<Vec<Token>, ClientError> {
    let ids = token_ids(client, who, side).await?;
    tokens_by_id(client, &ids, who, side).await
}

/// The requests with these ids, in the order given (map reads, a few at a time).
pub async fn requests_by_id(client: &EhrClient, ids: &[u64]) -> Result<Vec<Request>, ClientError> {
    let read = maps::read_each(ids, |id| maps::request(client, id)).await?;
    Ok(read.into_iter().flatten().collect())
}

/// The requests `who` is on `side` of, oldest first.
pub async fn requests(
    client: &EhrClient,
    who: &PrincipalData,
    side: Side,
) -> Result<Vec<Request>, ClientError> {
    let ids = request_ids(client, who, side).await?;
    requests_by_id(client, &ids).await
}

/// The latest versions of `patient`'s records (of `record_type` only, when given) that
/// `holder` has no key envelope for, oldest first, at most `max`; and how many more there
/// are. What a grant shares with its grantee.
pub async fn unshared_latest(
    client: &EhrClient,
    patient: &PrincipalData,
    holder: &PrincipalData,
    record_type: Option<&str>,
    max: usize,
) -> Result<(Vec<u64>, usize), ClientError> {
    let count = client.get_patient_record_count(patient).await?;
    let indexes: Vec<u64> = (0..count).collect();
    let found = maps::read_each(&indexes, |index| async move {
        let Some(id) = maps::patient_record_id(client, patient, index).await? else {
            return Ok(None);
        };
        let Some(r) = maps::record(client, id).await? else {
            return Ok(None);
        };
        if !r.is_latest() || record_type.is_some_and(|t| t != r.record_type) {
            return Ok(None);
        }
        let has = maps::has_envelope(client, id, holder).await?;
        Ok((!has).then_some(id))
    })
    .await?;
    let mut ids: Vec<u64> = found.into_iter().flatten().collect();
    let left = ids.len().saturating_sub(max);
    ids.truncate(max);
    Ok((ids, left))
}

/// The patients whose data `who` may read at chain height `tip`: itself when it is a
/// registered patient, and every patient whose live token it holds now (not revoked,
/// not expired), each once, in that order. What an app acting for `who` may be given
/// (SMART patient choice, bulk export).
pub async fn reachable_patients(
    client: &EhrClient,
    who: &PrincipalData,
    tip: u64,
) -> Result<Vec<PrincipalData>, ClientError> {
    let mut out = Vec::new();
    if client.is_registered(who).await? {
        out.push(who.clone());
    }
    for t in tokens(client, who, Side::Counterpart).await? {
        if !t.revoked && t.expires_at > tip && !out.contains(&t.patient) {
            out.push(t.patient);
        }
    }
    Ok(out)
}
