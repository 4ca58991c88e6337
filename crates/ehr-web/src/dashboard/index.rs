//! Who each access token and each request is about, indexed in this server.
//!
//! The contracts index tokens and requests by id only (a per-patient list on chain would
//! cost every grant more). To list a patient's grants page by page, the server reads each
//! token and request once, notes its patient and grantee (requester), and afterwards
//! reads only the ones minted since: the first page after a start costs one read per
//! existing token, every later one a read per new token plus the rows it shows. The
//! patient of a token or request never changes; a token's grantee changes only by a
//! SIP-009 transfer between the patient and a doctor, so the displayed rows are always
//! read fresh from the chain.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use clarity::vm::types::{PrincipalData, Value};
use ehr_sdk::ehr::{EhrClient, EhrContract};

use super::{maps, read_many};

#[derive(Default)]
struct ChainIndex {
    /// Token `i + 1`: (patient, grantee when first read).
    tokens: Vec<(PrincipalData, PrincipalData)>,
    /// Request `i + 1`: (patient, requester).
    requests: Vec<(PrincipalData, PrincipalData)>,
}

type Entry = Arc<tokio::sync::Mutex<ChainIndex>>;

fn entry(client: &EhrClient) -> Entry {
    static ALL: OnceLock<Mutex<HashMap<String, Entry>>> = OnceLock::new();
    let key = format!(
        "{}|{}",
        client.node().node_url(),
        client.deployment().deployer()
    );
    let mut all = ALL
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    all.entry(key).or_default().clone()
}

/// A counter of the contracts (a data variable read: no interpreter run).
async fn counter(client: &EhrClient, contract: EhrContract, var: &str) -> Result<u64, String> {
    let id = client.deployment().id(contract);
    match client
        .node()
        .data_var(&id, var)
        .await
        .map_err(|e| e.to_string())?
    {
        Value::UInt(n) => u64::try_from(n).map_err(|_| format!("{var} is too large")),
        other => Err(format!("{var} is {other}, not a uint")),
    }
}

async fn refresh(client: &EhrClient, index: &mut ChainIndex) -> Result<(), String> {
    let last = counter(client, EhrContract::AccessTokenNft, "last-token-id").await?;
    if (last as usize) < index.tokens.len() {
        // A different chain behind the same URL (a devnet restarted from scratch).
        index.tokens.clear();
    }
    let new: Vec<u64> = (index.tokens.len() as u64 + 1..=last).collect();
    for batch in new.chunks(256) {
        let c = client.clone();
        let read = read_many(batch.to_vec(), move |id| {
            let c = c.clone();
            async move { maps::token(&c, id).await }
        })
        .await;
        for token in read {
            match token? {
                Some(t) => index.tokens.push((t.patient, t.grantee)),
                // Cannot happen below the last id; keep positions aligned all the same.
                None => return Ok(()),
            }
        }
    }
    let count = counter(client, EhrContract::PermissionManager, "request-count").await?;
    if (count as usize) < index.requests.len() {
        index.requests.clear();
    }
    let new: Vec<u64> = (index.requests.len() as u64 + 1..=count).collect();
    for batch in new.chunks(256) {
        let c = client.clone();
        let read = read_many(batch.to_vec(), move |id| {
            let c = c.clone();
            async move { maps::request(&c, id).await }
        })
        .await;
        for request in read {
            match request? {
                Some(r) => index.requests.push((r.patient, r.requester)),
                None => return Ok(()),
            }
        }
    }
    Ok(())
}

/// Token ids and request ids about `patient`, ascending.
pub async fn of_patient(
    client: &EhrClient,
    patient: &PrincipalData,
) -> Result<(Vec<u64>, Vec<u64>), String> {
    let e = entry(client);
    let mut index = e.lock().await;
    refresh(client, &mut index).await?;
    let pick = |list: &[(PrincipalData, PrincipalData)]| -> Vec<u64> {
        list.iter()
            .enumerate()
            .filter(|(_, (p, _))| p == patient)
            .map(|(i, _)| i as u64 + 1)
            .collect()
    };
    Ok((pick(&index.tokens), pick(&index.requests)))
}

/// What `grantee` may hold: the ids of tokens first granted to it (ascending), and the
/// patients that minted tokens to themselves (any of which may since have been handed to
/// `grantee`: ask `get-active-token` for the pair).
pub async fn tokens_for_grantee(
    client: &EhrClient,
    grantee: &PrincipalData,
) -> Result<(Vec<u64>, Vec<PrincipalData>), String> {
    let e = entry(client);
    let mut index = e.lock().await;
    refresh(client, &mut index).await?;
    let ids = index
        .tokens
        .iter()
        .enumerate()
        .filter(|(_, (_, g))| g == grantee)
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let mut patients: Vec<PrincipalData> = Vec::new();
    for (p, g) in &index.tokens {
        if p == g && p != grantee && !patients.contains(p) {
            patients.push(p.clone());
        }
    }
    Ok((ids, patients))
}

/// Request ids about `patient` (or, with `by_requester`, made by it), ascending.
pub async fn requests(
    client: &EhrClient,
    who: &PrincipalData,
    by_requester: bool,
) -> Result<Vec<u64>, String> {
    let e = entry(client);
    let mut index = e.lock().await;
    refresh(client, &mut index).await?;
    Ok(index
        .requests
        .iter()
        .enumerate()
        .filter(|(_, (p, r))| if by_requester { r == who } else { p == who })
        .map(|(i, _)| i as u64 + 1)
        .collect())
}
