//! Listings that cost what one principal holds, not what the chain holds: a patient's
//! tokens and requests, a doctor's tokens and requests, read through the contracts'
//! per-principal index maps (`get-patient-token-id`, `get-grantee-token-id`,
//! `get-patient-request-id`, `get-doctor-request-id`). One implementation for the CLI, the
//! dashboard and the FHIR API.

use clarity::vm::types::PrincipalData;

use super::client::{ClientError, EhrClient};
use super::maps;
use super::types::{Request, Token};
use super::EhrContract;

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
    let (count, map) = match side {
        Side::Patient => (client.get_patient_token_count(who).await?, "patient-tokens"),
        Side::Counterpart => (client.get_grantee_token_count(who).await?, "grantee-tokens"),
    };
    indexed(client, EhrContract::AccessTokenNft, map, who, count).await
}

/// The ids of the requests `who` is on `side` of, ascending.
pub async fn request_ids(
    client: &EhrClient,
    who: &PrincipalData,
    side: Side,
) -> Result<Vec<u64>, ClientError> {
    let (count, map) = match side {
        Side::Patient => (
            client.get_patient_request_count(who).await?,
            "patient-requests",
        ),
        Side::Counterpart => (
            client.get_doctor_request_count(who).await?,
            "doctor-requests",
        ),
    };
    indexed(client, EhrContract::PermissionManager, map, who, count).await
}

/// A patient's own index of tokens or requests: each is added once, when made, so
/// position `i` holds the `i`-th oldest. A page of it costs its own rows only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatientIndex {
    /// The tokens issued for the patient (`access-token-nft` `patient-tokens`).
    Tokens,
    /// The requests made to the patient (`permission-manager` `patient-requests`).
    Requests,
}

/// How many entries `patient`'s `index` holds.
pub async fn patient_count(
    client: &EhrClient,
    patient: &PrincipalData,
    index: PatientIndex,
) -> Result<u64, ClientError> {
    match index {
        PatientIndex::Tokens => client.get_patient_token_count(patient).await,
        PatientIndex::Requests => client.get_patient_request_count(patient).await,
    }
}

/// The ids at positions `lo..hi` of `patient`'s `index`, in that order (oldest first).
pub async fn patient_ids_at(
    client: &EhrClient,
    patient: &PrincipalData,
    index: PatientIndex,
    lo: u64,
    hi: u64,
) -> Result<Vec<u64>, ClientError> {
    let (contract, map) = match index {
        PatientIndex::Tokens => (EhrContract::AccessTokenNft, "patient-tokens"),
        PatientIndex::Requests => (EhrContract::PermissionManager, "patient-requests"),
    };
    let positions: Vec<u64> = (lo..hi).collect();
    Ok(maps::read_each(&positions, |i| {
        maps::owner_index(client, contract, map, patient, i)
    })
    .await?
    .into_iter()
    .flatten()
    .collect())
}

/// The ids at positions `0..count` of a per-principal index map, ascending, each once
/// (map reads, a few at a time).
async fn indexed(
    client: &EhrClient,
    contract: EhrContract,
    map: &str,
    who: &PrincipalData,
    count: u64,
) -> Result<Vec<u64>, ClientError> {
    let indexes: Vec<u64> = (0..count).collect();
    let mut ids: Vec<u64> = maps::read_each(&indexes, |i| {
        maps::owner_index(client, contract, map, who, i)
    })
    .await?
    .into_iter()
    .flatten()
    .collect();
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

/// The patients whose data `who` may read at the chain tip: itself when it is a
/// registered patient, and every patient whose live token it holds now (not revoked,
/// not expired), each once, in that order. What an app acting for `who` may be given
/// (SMART patient choice, bulk export).
pub async fn reachable_patients(
    client: &EhrClient,
    who: &PrincipalData,
) -> Result<Vec<PrincipalData>, ClientError> {
    let tip = client.node().info().await?.stacks_tip_height;
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
