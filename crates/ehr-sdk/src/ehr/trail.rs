//! A patient's audit trail, read from the chain and verified against the global hash
//! chain.
//!
//! The patient's entries are a subsequence of the global log; each links to the entry
//! just before it in the global log, which may be another patient's. So each entry is
//! checked twice: its own hash recomputes, and its `prev-hash` is the entry-hash of global
//! entry `id - 1` (fetched when it is not the patient's), or 32 zero bytes for entry 0.
//! An altered, inserted or removed entry breaks one of the two.

use clarity::vm::types::PrincipalData;

use super::client::{ClientError, EhrClient};
use super::maps;
use crate::audit::{AuditEntry, ChainBreak};

/// A patient's audit entries, oldest first, and whether the chain verified.
#[derive(Debug, Clone)]
pub struct Trail {
    /// The entries.
    pub entries: Vec<AuditEntry>,
    /// `Ok` when every entry verified; otherwise the first break.
    pub verified: Result<(), ChainBreak>,
}

/// Checks each entry's hash, and its link to the global entry before it; `previous_hash`
/// answers the entry-hash of a global entry that is not in `entries`.
pub fn verify_links(
    entries: &[AuditEntry],
    mut previous_hash: impl FnMut(u128) -> Option<String>,
) -> Result<(), ChainBreak> {
    let zero = hex::encode([0u8; 32]);
    for (i, e) in entries.iter().enumerate() {
        match e.compute_hash() {
            Ok(h) if hex::encode(h) == e.entry_hash => {}
            _ => return Err(ChainBreak::Altered { id: e.id }),
        }
        let expected = if e.id == 0 {
            Some(zero.clone())
        } else if i > 0 && entries[i - 1].id + 1 == e.id {
            Some(entries[i - 1].entry_hash.clone())
        } else {
            previous_hash(e.id - 1)
        };
        if expected.as_deref() != Some(e.prev_hash.as_str()) {
            return Err(ChainBreak::Unlinked { id: e.id });
        }
    }
    Ok(())
}

/// Reads `patient`'s entries from `offset`, at most `limit` (oldest first), and verifies
/// each against the global hash chain: its hash recomputed, its `prev-hash` equal to the
/// entry before it in the global log (read when it is another patient's). Map reads, a
/// few at a time ([`maps`]).
pub async fn patient_trail(
    client: &EhrClient,
    patient: &PrincipalData,
    offset: u64,
    limit: u64,
) -> Result<Trail, ClientError> {
    let count = client.get_patient_entry_count(patient).await?;
    let end = count.min(offset.saturating_add(limit));
    let indexes: Vec<u64> = (offset.min(end)..end).collect();
    let ids: Vec<u64> = maps::read_each(&indexes, |i| maps::patient_entry_id(client, patient, i))
        .await?
        .into_iter()
        .flatten()
        .collect();
    let entries: Vec<AuditEntry> = maps::read_each(&ids, |id| maps::entry(client, id))
        .await?
        .into_iter()
        .flatten()
        .collect();
    let mut predecessors = std::collections::HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let linked_in_list = i > 0 && entries[i - 1].id + 1 == e.id;
        if e.id > 0 && !linked_in_list {
            let prev_id = u64::try_from(e.id - 1).unwrap_or(u64::MAX);
            if let Some(prev) = maps::entry(client, prev_id).await? {
                predecessors.insert(e.id - 1, prev.entry_hash);
            }
        }
    }
    let verified = verify_links(&entries, |id| predecessors.get(&id).cloned());
    Ok(Trail { entries, verified })
}

/// A page of audit entries from the EHR index behind the API (`--api`; see
/// [`NodeClient::ehr_index_status`](crate::node::NodeClient::ehr_index_status)), filtered,
/// ordered and paged by the index, with the total that match. The page is checked as far
/// as one page can be without reading the chain entry by entry: every entry answers the
/// query, every entry's hash recomputes, entries next to each other in the global log link
/// up, and the newest entry is the chain's own (one read). That is less than
/// [`patient_trail`]'s check (an index could still change an older entry together with
/// its hash): the whole index is checked against the chain by `ehr index verify`.
pub async fn indexed_trail(
    client: &EhrClient,
    filter: &crate::node::AuditFilter,
) -> Result<(Trail, u64), ClientError> {
    let page = client.node().indexed_audit(filter).await?;
    let mut by_id: Vec<&AuditEntry> = page.results.iter().collect();
    by_id.sort_by_key(|e| e.id);
    let mut verified = Ok(());
    // An entry the query did not ask for (another patient's, another action) is the
    // index answering wrongly: reported as an altered entry.
    let asked = |e: &AuditEntry| {
        filter.patient.as_ref().is_none_or(|p| &e.patient == p)
            && filter.actor.as_ref().is_none_or(|a| &e.actor == a)
            && filter.action.as_ref().is_none_or(|a| &e.action == a)
    };
    if let Some(off) = by_id.iter().find(|e| !asked(e)) {
        verified = Err(ChainBreak::Altered { id: off.id });
    }
    for (i, e) in by_id.iter().enumerate().filter(|_| verified.is_ok()) {
        if e.compute_hash().map(hex::encode).ok().as_deref() != Some(e.entry_hash.as_str()) {
            verified = Err(ChainBreak::Altered { id: e.id });
            break;
        }
        if i > 0 && by_id[i - 1].id + 1 == e.id && by_id[i - 1].entry_hash != e.prev_hash {
            verified = Err(ChainBreak::Unlinked { id: e.id });
            break;
        }
    }
    if let (Ok(()), Some(newest)) = (&verified, by_id.last()) {
        let id = u64::try_from(newest.id).unwrap_or(u64::MAX);
        if client.get_entry(id).await?.as_ref() != Some(*newest) {
            verified = Err(ChainBreak::Altered { id: newest.id });
        }
    }
    Ok((
        Trail {
            entries: page.results,
            verified,
        },
        page.total,
    ))
}

/// The formats a trail is exported in (`ehr audit export`, the dashboard's export links).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The entries as the chain holds them ([`Export`]; what `ehr audit verify` reads back).
    Json,
    /// One line per entry, RFC 4180.
    Csv,
    /// A FHIR R4 Bundle of AuditEvent resources.
    Fhir,
}

impl ExportFormat {
    /// The media type of an export in this format.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Fhir => "application/fhir+json",
        }
    }

    /// The file name extension of an export in this format.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Fhir => "fhir.json",
        }
    }
}

/// When audit entries were recorded, as FHIR instants (`AuditEvent.recorded`): each
/// entry's block time where the node API tells block times (the devnet, a Hiro API, `ehr
/// index`), so the same entry always reads the same; the time of the lookup otherwise (a
/// bare node without an index), which [`RecordedTimes::estimated`] counts.
#[derive(Debug, Clone)]
pub struct RecordedTimes {
    by_block: std::collections::HashMap<u128, String>,
    now: String,
    /// How many of the blocks asked for had no time (their entries get the lookup's time).
    pub estimated: usize,
}

impl RecordedTimes {
    /// `entry`'s `recorded` instant.
    pub fn of(&self, entry: &AuditEntry) -> String {
        self.by_block
            .get(&entry.block)
            .cloned()
            .unwrap_or_else(|| self.now.clone())
    }
}

/// Block-time lookups in flight at once.
const TIME_LOOKUPS: usize = 16;

/// The [`RecordedTimes`] of `entries`: one block-time lookup per distinct block, several
/// at once.
pub async fn recorded_times(
    client: &EhrClient,
    entries: &[AuditEntry],
) -> Result<RecordedTimes, ClientError> {
    use futures_util::{StreamExt as _, TryStreamExt as _};
    let mut times = RecordedTimes {
        by_block: std::collections::HashMap::new(),
        now: crate::fhir::now_instant(),
        estimated: 0,
    };
    let mut blocks: Vec<u128> = entries.iter().map(|e| e.block).collect();
    blocks.sort_unstable();
    blocks.dedup();
    let found: Vec<(u128, Option<u64>)> = futures_util::stream::iter(blocks)
        .map(|block| async move {
            let time = match u64::try_from(block) {
                Ok(height) => client.node().block_time(height).await?,
                Err(_) => None,
            };
            Ok::<_, ClientError>((block, time))
        })
        .buffer_unordered(TIME_LOOKUPS)
        .try_collect()
        .await?;
    for (block, time) in found {
        match time {
            Some(t) => {
                times.by_block.insert(block, crate::fhir::instant(t));
            }
            None => times.estimated += 1,
        }
    }
    Ok(times)
}

/// The JSON export of a trail: the entries and where they came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Export {
    /// The patient (its principal).
    pub patient: String,
    /// The audit-log contract the entries were read from.
    pub audit_log: String,
    /// The entries, oldest first.
    pub entries: Vec<AuditEntry>,
}

/// `trail`'s entries for `patient`, exported in `format`. `fhir_base` names the FHIR
/// entries (`fullUrl`); `recorded` gives each entry's instant (FHIR's `recorded`).
pub fn export(
    trail: &Trail,
    patient: &PrincipalData,
    audit_log: &str,
    format: ExportFormat,
    fhir_base: &str,
    recorded: impl Fn(&AuditEntry) -> String,
) -> String {
    match format {
        ExportFormat::Json => serde_json::to_string_pretty(&Export {
            patient: patient.to_string(),
            audit_log: audit_log.to_string(),
            entries: trail.entries.clone(),
        })
        .expect("an export serializes"),
        ExportFormat::Csv => crate::fhir::audit_csv(&trail.entries),
        ExportFormat::Fhir => serde_json::to_string_pretty(&crate::fhir::audit_bundle(
            &trail.entries,
            audit_log,
            fhir_base,
            recorded,
        ))
        .expect("a bundle serializes"),
    }
}

/// A whole trail exported: the text, the trail it was made of, and how many blocks'
/// entries carry the export's own time for want of a block time.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The export, in the format asked.
    pub text: String,
    /// The trail, verified.
    pub trail: Trail,
    /// Blocks whose time the node API does not tell (a bare node).
    pub estimated: usize,
}

/// Reads `patient`'s whole trail, verifies it and exports it in `format`, each entry
/// stamped with its block's time ([`recorded_times`]). `fhir_base` names the FHIR entries.
/// `ehr audit export` and the dashboard's export links.
pub async fn export_trail(
    client: &EhrClient,
    patient: &PrincipalData,
    format: ExportFormat,
    fhir_base: &str,
) -> Result<Exported, ClientError> {
    let trail = patient_trail(client, patient, 0, u64::MAX).await?;
    let audit_log = client
        .deployment()
        .id(super::EhrContract::AuditLog)
        .to_string();
    let times = recorded_times(client, &trail.entries).await?;
    let text = export(&trail, patient, &audit_log, format, fhir_base, |e| {
        times.of(e)
    });
    Ok(Exported {
        text,
        trail,
        estimated: times.estimated,
    })
}
