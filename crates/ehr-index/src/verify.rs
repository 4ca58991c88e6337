//! `ehr index verify`: what the index holds, checked against the chain at the node's tip.
//! The audit entries must form one hash chain (each recomputed and linked to the one
//! before, with the SDK's own rule) ending where the chain's log is at the index's height;
//! and each access token's holder, from the index's events, must be the chain's.

use ehr_sdk::audit::{verify_chain, ChainBreak};
use ehr_sdk::ehr::{ClientError, EhrClient};

use crate::store::{Store, StoreError};

/// Why a check could not be made (as opposed to a check that failed).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Reading the index failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading the chain failed.
    #[error("reading the chain: {0}")]
    Node(#[from] ClientError),
}

/// A token whose holder differs between the index and the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenMismatch {
    /// The token.
    pub token_id: u64,
    /// The holder by the index (`None`: burnt).
    pub index: Option<String>,
    /// The holder by the chain.
    pub chain: Option<String>,
}

/// What `ehr index verify` found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyReport {
    /// Audit entries the index holds.
    pub audit_entries: u64,
    /// Audit entries the chain holds at the node's tip.
    pub chain_audit_entries: u64,
    /// Where the index's audit chain breaks, if it does.
    pub audit_break: Option<String>,
    /// Whether the index's last entry is the chain's entry of that id.
    pub audit_head_matches: bool,
    /// Tokens compared.
    pub tokens_checked: u64,
    /// Tokens whose holder differs.
    pub token_mismatches: Vec<TokenMismatch>,
    /// Token ids the chain has issued that no event in the index names (blocks the index
    /// never received).
    pub tokens_missing: Vec<u64>,
    /// Where blocks are missing: (height, hash of the parent the index lacks).
    pub gaps: Vec<(u64, String)>,
}

impl VerifyReport {
    /// Whether every check passed.
    pub fn ok(&self) -> bool {
        self.audit_break.is_none()
            && self.audit_head_matches
            && self.audit_entries == self.chain_audit_entries
            && self.token_mismatches.is_empty()
            && self.tokens_missing.is_empty()
            && self.gaps.is_empty()
    }
}

impl std::fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "audit log: {} entries indexed of {} on chain",
            self.audit_entries, self.chain_audit_entries
        )?;
        match &self.audit_break {
            Some(why) => writeln!(f, "  BROKEN: {why}")?,
            None => writeln!(f, "  hash chain verified")?,
        }
        if !self.audit_head_matches {
            writeln!(f, "  DIFFERS: the last indexed entry is not the chain's")?;
        }
        if self.audit_entries < self.chain_audit_entries {
            writeln!(
                f,
                "  BEHIND: {} entries on chain are not indexed yet",
                self.chain_audit_entries - self.audit_entries
            )?;
        }
        writeln!(f, "access tokens: {} checked", self.tokens_checked)?;
        if !self.tokens_missing.is_empty() {
            writeln!(
                f,
                "  MISSING: {} token(s) issued on chain that the index never saw: {}",
                self.tokens_missing.len(),
                self.tokens_missing
                    .iter()
                    .take(20)
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
        for (height, parent) in &self.gaps {
            writeln!(
                f,
                "  GAP: block {height}'s parent {parent} never reached the index (blocks before it are missing)"
            )?;
        }
        for m in &self.token_mismatches {
            writeln!(
                f,
                "  DIFFERS: token {} held by {} in the index, {} on chain",
                m.token_id,
                m.index.as_deref().unwrap_or("nobody (burnt)"),
                m.chain.as_deref().unwrap_or("nobody (burnt)")
            )?;
        }
        write!(
            f,
            "{}",
            if self.ok() {
                "index verified"
            } else {
                "index does NOT match the chain"
            }
        )
    }
}

/// Checks `store` against the chain `client` reads.
pub async fn against_chain(store: &Store, client: &EhrClient) -> Result<VerifyReport, VerifyError> {
    let chain_audit_entries = client.get_entry_count().await?;
    let mut held = 0u64;
    let mut prev = [0u8; 32];
    let mut last_hash: Option<String> = None;
    let mut audit_break: Option<String> = None;
    store.each_audit_batch(1000, &mut |entries| {
        if audit_break.is_none() {
            if let Some(first) = entries.first() {
                if first.id != u128::from(held) {
                    audit_break = Some(format!("entry {held} is missing from the index"));
                }
            }
            if audit_break.is_none() {
                if let Err(e) = verify_chain(entries, prev) {
                    audit_break = Some(e.to_string());
                }
            }
            if let Some(last) = entries.last() {
                let mut bytes = [0u8; 32];
                if hex::decode_to_slice(&last.entry_hash, &mut bytes).is_err() {
                    audit_break = Some(ChainBreak::Altered { id: last.id }.to_string());
                }
                prev = bytes;
                last_hash = Some(last.entry_hash.clone());
            }
        }
        held += entries.len() as u64;
        Ok(())
    })?;
    let audit_head_matches = match (held, last_hash) {
        (0, _) => true,
        (n, Some(hash)) => match client.get_entry(n - 1).await? {
            Some(entry) => entry.entry_hash == hash,
            None => false,
        },
        (_, None) => false,
    };
    let mut token_mismatches = Vec::new();
    let ids = store.token_ids()?;
    for id in &ids {
        let index = store.token_holder(*id)?;
        let chain = client.token_owner(*id).await?.map(|p| p.to_string());
        if index != chain {
            token_mismatches.push(TokenMismatch {
                token_id: *id,
                index,
                chain,
            });
        }
    }
    // Token ids run from 1 to the last one issued; the index must have seen each.
    let last = client.get_last_token_id().await?;
    let seen: std::collections::BTreeSet<u64> = ids.iter().copied().collect();
    let tokens_missing: Vec<u64> = (1..=last).filter(|id| !seen.contains(id)).collect();
    Ok(VerifyReport {
        gaps: store.gaps()?,
        tokens_missing,
        audit_entries: held,
        chain_audit_entries,
        audit_break,
        audit_head_matches,
        tokens_checked: ids.len() as u64,
        token_mismatches,
    })
}
