//! The EHR routes of `ehr index` (`/ehr/v1/*`), read through the API a client is given
//! (`--api URL`): the wire types, shared with the server, and the reads. A Hiro API has no
//! such routes; [`NodeClient::ehr_index_status`] says whether the API is an EHR index, so
//! readers use it when it is and fall back to the contracts' per-principal maps when not.

use serde::{Deserialize, Serialize};

use super::{NodeClient, NodeError};
use crate::audit::AuditEntry;

/// The largest page the EHR routes give.
pub const MAX_PAGE: u32 = 1000;

/// Which audit entries, in which order, which window (the query of `/ehr/v1/audit`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Only this patient's entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    /// Only entries by this actor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Only this action (`log-access`, `grant-access`...), or any of several, separated
    /// by commas (`log-access,emergency-access`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Only entries whose block's time (its burn block's, Unix seconds) is at or after
    /// this; entries in blocks without a known time are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_time: Option<u64>,
    /// Only entries whose block's time is at or before this (as `since_time`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_time: Option<u64>,
    /// Only entries written at or after this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_block: Option<u64>,
    /// Only entries written at or before this block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_block: Option<u64>,
    /// `id` (oldest first, the default) or `-id` (newest first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// At most this many (1 to [`MAX_PAGE`], default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// After skipping this many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Keyset paging: only entries after entry `after` in the order asked (ids follow the
    /// chain's order, block then place in the block, so a page boundary stays put however
    /// many entries are appended meanwhile). The page's last id is the next page's
    /// `after`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
}

/// A page of audit entries and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// Entries matching the filter.
    pub total: u64,
    /// The page's size limit.
    pub limit: u32,
    /// Entries skipped.
    pub offset: u64,
    /// The entries, in the order asked.
    pub results: Vec<AuditEntry>,
}

/// A block the index has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedBlock {
    /// Its height.
    pub block_height: u64,
    /// Its index block hash (`0x...`).
    pub index_block_hash: String,
}

/// How far an index has followed its node (`/ehr/v1/status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexStatus {
    /// The newest block on the index's canonical chain.
    pub index_tip: Option<IndexedBlock>,
    /// The node's tip height.
    pub node_tip_height: u64,
    /// How many blocks the index is behind the node.
    pub lag_blocks: u64,
    /// Audit entries the index holds.
    pub audit_entries: u64,
    /// Blocks the index never received (it was down longer than the node retried): their
    /// notifications and token movements are missing from its answers until they are
    /// indexed (audit entries are read from the chain, so none is missing).
    #[serde(default)]
    pub missing_blocks: Vec<MissingBlocks>,
}

/// A run of blocks the index never received, before a block it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingBlocks {
    /// The first missing height.
    pub from_height: u64,
    /// The last missing height (the height below `before_block`'s).
    pub to_height: u64,
    /// The block received whose parent is missing (`0x...`).
    pub before_block: String,
}

impl NodeClient {
    /// The EHR index behind the API, if the API is one (`None` for a Hiro API or a node).
    pub async fn ehr_index_status(&self) -> Result<Option<IndexStatus>, NodeError> {
        let url = self.api.endpoint(&["ehr", "v1", "status"]);
        match self.get(url, "the EHR index's status").await {
            Ok(status) => Ok(Some(status)),
            Err(NodeError::NotFound { .. } | NodeError::NoSuchEndpoint { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// A page of audit entries from the EHR index behind the API.
    pub async fn indexed_audit(&self, filter: &AuditFilter) -> Result<AuditPage, NodeError> {
        let mut url = self.api.endpoint(&["ehr", "v1", "audit"]);
        let query = serde_json::to_value(filter)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &query {
                match value {
                    serde_json::Value::String(s) => pairs.append_pair(name, s),
                    other => pairs.append_pair(name, &other.to_string()),
                };
            }
        }
        self.get(url, "audit entries in the EHR index").await
    }
}
