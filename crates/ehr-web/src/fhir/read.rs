//! Reads and searches of what the chain holds: Patient, Consent, DocumentReference and
//! AuditEvent, through the SDK's FHIR mappings (the CLI's exports use the same ones).

use clarity::vm::types::{PrincipalData, TupleData, Value as ClarityValue};
use ehr_sdk::audit::{AuditEntry, ChainBreak};
use ehr_sdk::ehr::listing::{self, Side};
use ehr_sdk::ehr::trail::{recorded_times, verify_links};
use ehr_sdk::ehr::{EhrClient, EhrContract};
use ehr_sdk::fhir::{audit_bundle, audit_event, consent, document_reference, patient_resource};
use serde_json::{json, Value};

use super::params::{patient_param, principal_of, Page, Query, TimeBounds, MAX_INDEXED_COUNT};
use super::search::SearchPage;
use super::util::concurrent;
use super::{ApiError, CHAIN_TAG_SYSTEM};

/// A decimal id as the contracts number things; anything else names nothing.
pub fn numeric_id(resource: &str, id: &str) -> Result<u64, ApiError> {
    id.parse::<u64>()
        .ok()
        .filter(|n| n.to_string() == id)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "no {resource} `{id}`: {resource} ids are decimal numbers (see /fhir/metadata)"
            ))
        })
}

/// `Patient/{principal}`.
pub async fn patient(client: &EhrClient, id: &str) -> Result<Value, ApiError> {
    let not_found = || ApiError::NotFound(format!("no registered patient `{id}`"));
    let principal = PrincipalData::parse(id).map_err(|_| {
        ApiError::NotFound(format!(
            "no Patient `{id}`: a Patient id is a Stacks principal, e.g. ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5"
        ))
    })?;
    let p = client
        .get_patient(&principal)
        .await?
        .ok_or_else(not_found)?;
    Ok(patient_resource(&principal.to_string(), &p))
}

async fn tip_height(client: &EhrClient) -> Result<u64, ApiError> {
    Ok(client
        .node()
        .info()
        .await
        .map_err(|e| ApiError::Node(e.to_string()))?
        .stacks_tip_height)
}

/// `Consent/{token id}`: the token with its status at the chain's tip.
pub async fn consent_read(client: &EhrClient, id: &str) -> Result<Value, ApiError> {
    let n = numeric_id("Consent", id)?;
    let token = client
        .get_token(n)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no Consent {n}: no access token #{n}")))?;
    Ok(consent(&token, tip_height(client).await?))
}

/// `Consent?patient=`: every access token of the patient (granted to a doctor, held by
/// the patient, emergency), oldest first, with its status at the chain's tip.
///
/// The patient's token index gives the ids; only the page's tokens are read.
pub async fn consent_search(client: &EhrClient, base: &str, q: &Query) -> Result<Value, ApiError> {
    q.only(&["patient", "_count", "_offset"])?;
    let patient = patient_param(q)?;
    let page = Page::from_query(q)?;
    let ids = listing::token_ids(client, &patient, Side::Patient).await?;
    let height = tip_height(client).await?;
    let search = SearchPage {
        base,
        resource: "Consent",
        params: vec![("patient", patient.to_string())],
        page,
        total: ids.len() as u64,
    };
    let range = page.range(search.total);
    let c = client.clone();
    let tokens = concurrent(
        ids[range.start as usize..range.end as usize].to_vec(),
        move |id| {
            let c = c.clone();
            async move { c.get_token(id).await }
        },
    )
    .await?;
    let resources = tokens
        .into_iter()
        .flatten()
        .map(|t| consent(&t, height))
        .collect();
    Ok(search.bundle(resources))
}

/// `DocumentReference/{record id}`.
pub async fn document_read(client: &EhrClient, id: &str) -> Result<Value, ApiError> {
    let n = numeric_id("DocumentReference", id)?;
    let record = client
        .get_record(n)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no DocumentReference {n}: no record #{n}")))?;
    Ok(document_reference(&record))
}

/// `DocumentReference?patient=`: the patient's records (every version), oldest first;
/// reads only the page's records.
pub async fn document_search(client: &EhrClient, base: &str, q: &Query) -> Result<Value, ApiError> {
    q.only(&["patient", "_count", "_offset"])?;
    let patient = patient_param(q)?;
    let page = Page::from_query(q)?;
    let total = client.get_patient_record_count(&patient).await?;
    let range = page.range(total);
    let (c, p) = (client.clone(), patient.clone());
    let ids = concurrent(range.collect(), move |index| {
        let (c, p) = (c.clone(), p.clone());
        async move { c.get_patient_record_id(&p, index).await }
    })
    .await?;
    let c = client.clone();
    let records = concurrent(ids.into_iter().flatten().collect(), move |id| {
        let c = c.clone();
        async move { c.get_record(id).await }
    })
    .await?;
    let search = SearchPage {
        base,
        resource: "DocumentReference",
        params: vec![("patient", patient.to_string())],
        page,
        total,
    };
    Ok(search.bundle(records.iter().flatten().map(document_reference).collect()))
}

/// Audit-log entry `id`, read from the contract's `entries` map through the node's
/// `map_entry` API: the very value `get-entry` returns, without running the VM (a page
/// makes up to three such reads per entry, so their cost is the page's cost). Falls back
/// to the read-only `get-entry` if the node does not serve the map read.
async fn entry(client: &EhrClient, id: u64) -> Result<Option<AuditEntry>, ApiError> {
    let contract = client.deployment().id(EhrContract::AuditLog);
    match client
        .node()
        .map_entry(&contract, "entries", &ClarityValue::UInt(id.into()))
        .await
    {
        Ok(None) => Ok(None),
        Ok(Some(value)) => AuditEntry::from_value(id.into(), &value)
            .map(Some)
            .map_err(|e| ApiError::Node(format!("audit-log entry {id}: {e}"))),
        Err(_) => Ok(client.get_entry(id).await?),
    }
}

/// The id of `patient`'s `index`-th audit entry, from the contract's `patient-entries`
/// map (what `get-patient-entry-id` returns), with the read-only function as fallback.
async fn patient_entry_id(
    client: &EhrClient,
    patient: &PrincipalData,
    index: u64,
) -> Result<Option<u64>, ApiError> {
    let contract = client.deployment().id(EhrContract::AuditLog);
    let key = TupleData::from_data(vec![
        ("patient".into(), ClarityValue::Principal(patient.clone())),
        ("index".into(), ClarityValue::UInt(index.into())),
    ])
    .map_err(|e| ApiError::Internal(format!("a patient-entries key: {e}")))?;
    match client
        .node()
        .map_entry(&contract, "patient-entries", &ClarityValue::Tuple(key))
        .await
    {
        Ok(None) => Ok(None),
        Ok(Some(ClarityValue::UInt(id))) => u64::try_from(id)
            .map(Some)
            .map_err(|_| ApiError::Node(format!("audit-log entry id {id} out of range"))),
        Ok(Some(other)) => Err(ApiError::Node(format!(
            "audit-log patient-entries holds {other}, not an entry id"
        ))),
        Err(_) => Ok(client.get_patient_entry_id(patient, index).await?),
    }
}

/// The hash-chain verdict as a `Coding` for `meta.tag` ([`CHAIN_TAG_SYSTEM`]).
pub fn chain_tag(verdict: &Result<(), ChainBreak>) -> Value {
    match verdict {
        Ok(()) => json!({
            "system": CHAIN_TAG_SYSTEM,
            "code": "verified",
            "display": "every entry's hash recomputes and links to the global entry before it",
        }),
        Err(e) => json!({
            "system": CHAIN_TAG_SYSTEM,
            "code": "broken",
            "display": e.to_string(),
        }),
    }
}

/// Verifies `entries` (in the patient's order) against the global chain: each entry's
/// hash, and its link to the global entry before it, fetched when it is not in the list.
async fn verify(
    client: &EhrClient,
    entries: &[AuditEntry],
) -> Result<Result<(), ChainBreak>, ApiError> {
    let wanted: Vec<u64> = entries
        .iter()
        .enumerate()
        .filter(|(i, e)| e.id > 0 && !(*i > 0 && entries[i - 1].id + 1 == e.id))
        .filter_map(|(_, e)| u64::try_from(e.id - 1).ok())
        .collect();
    let c = client.clone();
    let previous = concurrent(wanted.clone(), move |id| {
        let c = c.clone();
        async move { entry(&c, id).await }
    })
    .await?;
    let hashes: std::collections::HashMap<u128, String> = wanted
        .into_iter()
        .zip(previous)
        .filter_map(|(id, e)| e.map(|e| (u128::from(id), e.entry_hash)))
        .collect();
    Ok(verify_links(entries, |id| hashes.get(&id).cloned()))
}

fn audit_log_id(client: &EhrClient) -> String {
    client.deployment().id(EhrContract::AuditLog).to_string()
}

/// `AuditEvent/{entry id}`, with the entry's own chain check in `meta.tag`.
pub async fn audit_read(client: &EhrClient, id: &str) -> Result<Value, ApiError> {
    let n = numeric_id("AuditEvent", id)?;
    let found = entry(client, n)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no AuditEvent {n}: no audit-log entry {n}")))?;
    let entries = [found];
    let verdict = verify(client, &entries).await?;
    let times = recorded_times(client, &entries).await?;
    let mut event = audit_event(&entries[0], &audit_log_id(client), &times.of(&entries[0]));
    event["meta"] = json!({ "tag": [chain_tag(&verdict)] });
    Ok(event)
}

/// `AuditEvent?patient=`: the patient's audit-log entries, oldest first. Reads only the
/// page's entries through the per-patient index (`get-patient-entry-count`,
/// `get-patient-entry-id`, `get-entry`) plus, for each entry whose global predecessor is
/// not on the page, that predecessor; verifies the page against the hash chain and
/// tells the verdict in the Bundle's `meta.tag` ([`CHAIN_TAG_SYSTEM`]), with an
/// `OperationOutcome` entry (`search.mode` `outcome`) naming the break when there is one.
///
/// `AuditEvent.recorded` is the entry's block time ([`recorded_times`], as the CLI's
/// export), so two reads agree; the block height is in the block-height extension.
pub async fn audit_search(
    client: &EhrClient,
    base: &str,
    q: &Query,
    indexed: bool,
) -> Result<Value, ApiError> {
    if indexed {
        return audit_search_indexed(client, base, q).await;
    }
    if let Some(p) = INDEXED_AUDIT_PARAMS
        .iter()
        .chain(&["_cursor"])
        .find(|p| !q.all(p).is_empty())
    {
        return Err(ApiError::BadRequest(format!(
            "`{p}` needs an EHR index: start `ehr serve` with `--api` naming an `ehr index` (see /fhir/metadata)"
        )));
    }
    q.only(&["patient", "_count", "_offset"])?;
    let patient = patient_param(q)?;
    let page = Page::from_query(q)?;
    let total = client.get_patient_entry_count(&patient).await?;
    let range = page.range(total);
    let (c, p) = (client.clone(), patient.clone());
    let ids = concurrent(range.collect(), move |index| {
        let (c, p) = (c.clone(), p.clone());
        async move { patient_entry_id(&c, &p, index).await }
    })
    .await?;
    let c = client.clone();
    let entries: Vec<AuditEntry> = concurrent(ids.into_iter().flatten().collect(), move |id| {
        let c = c.clone();
        async move { entry(&c, id).await }
    })
    .await?
    .into_iter()
    .flatten()
    .collect();
    let verdict = verify(client, &entries).await?;

    let times = recorded_times(client, &entries).await?;
    let exported = audit_bundle(&entries, &audit_log_id(client), base, |e| times.of(e));
    let resources: Vec<Value> = exported["entry"]
        .as_array()
        .map(|items| items.iter().map(|e| e["resource"].clone()).collect())
        .unwrap_or_default();
    let search = SearchPage {
        base,
        resource: "AuditEvent",
        params: vec![("patient", patient.to_string())],
        page,
        total,
    };
    let bundle = search.bundle(resources);
    Ok(with_verdict(bundle, &verdict))
}

/// The verdict of the page's hash chain in `Bundle.meta.tag`, and an `OperationOutcome`
/// entry naming the break when there is one.
fn with_verdict(mut bundle: Value, verdict: &Result<(), ChainBreak>) -> Value {
    bundle["meta"]["tag"] = json!([chain_tag(verdict)]);
    if let Err(e) = verdict {
        let warning = json!({
            "resource": super::outcome_json(
                axum::http::StatusCode::OK,
                "integrity",
                &format!("the audit log's hash chain does not verify on this page: {e}"),
            ),
            "search": { "mode": "outcome" },
        });
        match bundle["entry"].as_array_mut() {
            Some(entries) => entries.push(warning),
            None => bundle["entry"] = json!([warning]),
        }
    }
    bundle
}

/// The AuditEvent search parameters, besides `patient` and paging, that an EHR index
/// behind `--api` answers (and the CapabilityStatement then declares).
pub const INDEXED_AUDIT_PARAMS: [&str; 5] = ["agent", "action", "date", "_lastUpdated", "_sort"];

/// The `AuditEvent.action` code system (`action=C` or `action=http://hl7.org/fhir/audit-event-action|C`).
const ACTION_SYSTEM: &str = "http://hl7.org/fhir/audit-event-action";

/// `AuditEvent?…` answered by the EHR index behind `--api`: by `patient` and/or `agent`
/// (the actor), `action` (the FHIR codes C, R, U, D, E, comma-separated: any of them),
/// `date` and `_lastUpdated` (both the entry's block time; `eq`, `ge`, `gt`, `le`, `lt`,
/// repeated to AND), `_sort=date` (oldest first, the default) or `-date`, `_count` up to
/// 1,000 and stable paging: the `next` link carries `_cursor`, the last entry's id, so a
/// page boundary stays put however many entries are appended meanwhile. Each page is
/// verified against the hash chain as without an index.
async fn audit_search_indexed(
    client: &EhrClient,
    base: &str,
    q: &Query,
) -> Result<Value, ApiError> {
    let mut allowed = vec!["patient", "_count", "_offset", "_cursor"];
    allowed.extend(INDEXED_AUDIT_PARAMS);
    q.only(&allowed)?;
    let mut params: Vec<(&str, String)> = Vec::new();
    let patient = match q.one("patient")? {
        Some(_) => Some(patient_param(q)?),
        None => None,
    };
    let agent = match q.one("agent")? {
        Some(v) => Some(agent_of(v).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "`agent={v}` is not a Stacks principal (give `agent=ST1…` or `agent=Practitioner/ST1…`)"
            ))
        })?),
        None => None,
    };
    if patient.is_none() && agent.is_none() {
        return Err(ApiError::BadRequest(
            "give `patient` or `agent`: the audit log is searched per principal".into(),
        ));
    }
    if let Some(p) = &patient {
        params.push(("patient", p.to_string()));
    }
    if let Some(a) = &agent {
        params.push(("agent", a.to_string()));
    }
    let actions = match q.one("action")? {
        Some(v) => {
            params.push(("action", v.to_string()));
            let mut actions = Vec::new();
            for token in v.split(',') {
                let code = match token.split_once('|') {
                    Some((ACTION_SYSTEM | "", code)) => code,
                    Some(_) => {
                        return Err(ApiError::BadRequest(format!(
                            "`action={v}`: the system of an action code is {ACTION_SYSTEM}"
                        )))
                    }
                    None => token,
                };
                if !["C", "R", "U", "D", "E"].contains(&code) {
                    return Err(ApiError::BadRequest(format!(
                        "`action={v}`: give AuditEvent action codes C, R, U, D or E"
                    )));
                }
                actions.extend(ehr_sdk::fhir::actions_with_code(code));
            }
            Some(actions)
        }
        None => None,
    };
    let mut times = TimeBounds::default();
    for name in ["date", "_lastUpdated"] {
        for v in q.all(name) {
            times.narrow(name, v)?;
            params.push((name, v.to_string()));
        }
    }
    let newest_first = match q.one("_sort")? {
        None => false,
        Some(v @ ("date" | "_lastUpdated")) => {
            params.push(("_sort", v.to_string()));
            false
        }
        Some(v @ ("-date" | "-_lastUpdated")) => {
            params.push(("_sort", v.to_string()));
            true
        }
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "`_sort={other}`: give date or -date (or _lastUpdated, -_lastUpdated: the same)"
            )))
        }
    };
    let cursor = match q.one("_cursor")? {
        None => None,
        Some(v) => Some(v.parse::<u64>().map_err(|_| {
            ApiError::BadRequest(format!(
                "`_cursor={v}`: give the cursor of a `next` link (an entry id)"
            ))
        })?),
    };
    let page = Page::from_query_up_to(q, MAX_INDEXED_COUNT)?;
    let search = |total| SearchPage {
        base,
        resource: "AuditEvent",
        params: params.clone(),
        page,
        total,
    };
    // `action` naming only codes no entry carries (E): nothing matches.
    if actions.as_ref().is_some_and(Vec::is_empty) {
        let s = search(0);
        return Ok(s.bundle_with_links(Vec::new(), s.keyset_links(cursor, None)));
    }
    let filter = |after: Option<u64>, limit: u64, offset: u64| ehr_sdk::node::AuditFilter {
        patient: patient.as_ref().map(ToString::to_string),
        actor: agent.as_ref().map(ToString::to_string),
        action: actions.as_ref().map(|a| a.join(",")),
        since_time: times.since,
        until_time: times.until,
        sort: Some(if newest_first { "-id" } else { "id" }.to_string()),
        limit: Some(limit.max(1) as u32),
        offset: Some(offset),
        after,
        ..ehr_sdk::node::AuditFilter::default()
    };
    let node = client.node();
    let found = node
        .indexed_audit(&filter(cursor, page.count, page.offset))
        .await
        .map_err(|e| ApiError::Node(e.to_string()))?;
    let entries: Vec<AuditEntry> = if page.count == 0 {
        Vec::new()
    } else {
        found.results
    };
    // A next page when an entry follows the last one of this page.
    let next = match entries.last() {
        Some(last) if entries.len() as u64 == page.count => {
            let last = u64::try_from(last.id)
                .map_err(|_| ApiError::Node(format!("audit entry id {} out of range", last.id)))?;
            let probe = node
                .indexed_audit(&filter(Some(last), 1, 0))
                .await
                .map_err(|e| ApiError::Node(e.to_string()))?;
            (!probe.results.is_empty()).then_some(last)
        }
        _ => None,
    };
    // The chain is verified oldest first, whatever the page's order.
    let mut ascending = entries.clone();
    ascending.sort_by_key(|e| e.id);
    let verdict = verify(client, &ascending).await?;
    let recorded = recorded_times(client, &entries).await?;
    let exported = audit_bundle(&entries, &audit_log_id(client), base, |e| recorded.of(e));
    let resources: Vec<Value> = exported["entry"]
        .as_array()
        .map(|items| items.iter().map(|e| e["resource"].clone()).collect())
        .unwrap_or_default();
    let s = search(found.total);
    let bundle = s.bundle_with_links(resources, s.keyset_links(cursor, next));
    Ok(with_verdict(bundle, &verdict))
}

/// The principal an `agent` value names: bare, or a reference of any type ending in
/// `/<principal>` (`Practitioner/ST1…`, `Patient/ST1…`).
fn agent_of(text: &str) -> Option<PrincipalData> {
    let bare = text.rsplit('/').next().unwrap_or(text);
    principal_of(bare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_tag_tells_verified_from_broken() {
        let ok = chain_tag(&Ok(()));
        assert_eq!(
            (ok["system"].as_str(), ok["code"].as_str()),
            (Some(CHAIN_TAG_SYSTEM), Some("verified"))
        );
        let broken = chain_tag(&Err(ChainBreak::Unlinked { id: 7 }));
        assert_eq!(broken["code"], "broken");
        assert!(broken["display"].as_str().unwrap().contains("entry 7"));
        assert!(CHAIN_TAG_SYSTEM.starts_with(ehr_sdk::fhir::FHIR_BASE));
    }

    #[test]
    fn ids_are_canonical_decimals() {
        assert_eq!(numeric_id("Consent", "12").unwrap(), 12);
        for bad in ["012", "-1", "1.0", "x", ""] {
            assert!(
                matches!(numeric_id("Consent", bad), Err(ApiError::NotFound(_))),
                "{bad}"
            );
        }
    }
}
