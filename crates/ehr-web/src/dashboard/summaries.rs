//! What a record says, in one line, for the record list and the timeline: its title,
//! the date it was taken and a summary ([`fhir_card::card`]), decrypted here for the
//! patient itself ([`read::read_record_into`], the SDK's one reading rule). Nothing new
//! goes on chain: the patient reads its own records unlogged, as it always does. A
//! grantee gets no summaries even when it holds the key: each of its reads of a record's
//! content is logged on chain (`log-access`, when it opens the record), and a list that
//! decrypted for it would read around that log.
//!
//! Decrypting every record at every page view is too slow, so only the rows shown are
//! read, and what a record says is kept in memory, keyed by its id and content hash (a
//! record never changes under one id: an amendment is a new id). The cache is shared by
//! every account, so who reads is checked again at each view before a kept summary is
//! shown.

use super::i18n::Lang;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ehr_sdk::ehr::read::{self, ViewLog};
use ehr_sdk::ehr::records::{BlobRead, BlobStore, Fetch, RecordError};
use ehr_sdk::ehr::types::Record;
use ehr_sdk::ehr::SendOptions;
use futures_util::StreamExt as _;

use super::fhir_card;
use crate::state::{AppState, Identity};

/// Largest plaintext summarized, in bytes: a larger record shows no summary.
pub const MAX_SUMMARIZED: usize = 256 * 1024;
/// How many records are read at once for one page.
const CONCURRENT: usize = 8;
/// Most records kept in memory (the cache starts afresh past it).
const MAX_KEPT: usize = 20_000;
/// How long a record that said nothing readable (not FHIR, too large, its blob
/// unavailable) is left alone before it is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(10 * 60);

/// A record in one line.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// What the record is (`Heart rate`).
    pub title: String,
    /// When it was taken, as the resource tells it (`2026-11-30T09:00:00Z`).
    pub date: Option<String>,
    /// The one-line summary (`Heart rate 72 beats/minute`).
    pub line: fhir_card::Line,
}

impl Summary {
    /// The day it was taken (`2026-11-30`), when the date starts with one.
    pub fn day(&self) -> Option<&str> {
        self.date.as_deref().and_then(day_of)
    }
}

/// The `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`) a FHIR date or dateTime starts with.
pub fn day_of(date: &str) -> Option<&str> {
    let end = date.find('T').unwrap_or(date.len()).min(10);
    let day = &date[..end];
    let shaped = day.len() >= 4
        && day.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped.then_some(day)
}

/// What the cache holds for a record.
#[derive(Clone)]
enum Kept {
    /// Its summary.
    Said(Summary),
    /// Nothing readable, as of then.
    Nothing(Instant),
}

/// Summaries read so far, by (record id, content hash).
#[derive(Default)]
pub struct Cache {
    kept: Mutex<HashMap<Key, Kept>>,
}

impl Cache {
    fn get(&self, key: &Key) -> Option<Kept> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        match kept.get(key) {
            Some(Kept::Nothing(at)) if at.elapsed() >= RETRY_AFTER => None,
            other => other.cloned(),
        }
    }

    fn put(&self, key: Key, value: Kept) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= MAX_KEPT {
            kept.clear();
        }
        kept.insert(key, value);
    }
}

/// What a summary is kept under: the record, its content's hash, and the language its
/// values are worded in (a range's "to").
type Key = (u64, [u8; 32], Lang);

/// The summaries of `records` for `me`, in order, their values worded in `lang`: `None`
/// for a record `me` may not read or holds no key for, and for one that says nothing
/// readable.
pub async fn of(
    state: &Arc<AppState>,
    me: &Identity,
    records: &[Record],
    lang: Lang,
) -> Vec<Option<Summary>> {
    // Owned records: a stream of borrowed ones makes the handler's future not `Send`
    // for every lifetime (a known limit of the compiler's higher-ranked inference).
    futures_util::stream::iter(records.to_vec())
        .map(|r| one(state, me, r, lang))
        .buffered(CONCURRENT)
        .collect()
        .await
}

async fn one(state: &AppState, me: &Identity, r: Record, lang: Lang) -> Option<Summary> {
    // The patient's side only: a grantee's every read of a record's content is a
    // `log-access` on chain (opening the record), and a list must not read around it.
    let authority = read::authority(&state.client, &me.principal(), &r)
        .await
        .ok()?;
    if authority != read::Authority::Patient {
        return None;
    }
    let key = (r.id, r.content_hash, lang);
    if let Some(kept) = state.summaries.get(&key) {
        return match kept {
            Kept::Said(s) => Some(s),
            Kept::Nothing(_) => None,
        };
    }
    let mut plaintext = Capped(Vec::new());
    let store: &dyn BlobStore = &state.store;
    let read = read::read_record_into(
        &state.client,
        me.key(),
        r.id,
        BlobRead {
            store: Some(store),
            fetch: Fetch::Twice,
        },
        ViewLog::AlreadyLoggedOrSkipped,
        &SendOptions::default(),
        &mut plaintext,
    )
    .await;
    let said = match read {
        Ok(_) => serde_json::from_slice::<serde_json::Value>(&plaintext.0)
            .ok()
            .and_then(|v| fhir_card::card(&v, lang))
            .map(|c| Summary {
                title: c.title,
                date: c.date,
                line: c.summary,
            }),
        // What only this account lacks, or a node that did not answer: not kept.
        Err(
            RecordError::AccessRefused { .. }
            | RecordError::NoEnvelope { .. }
            | RecordError::Client(_),
        ) => return None,
        Err(_) => None,
    };
    state.summaries.put(
        key,
        match &said {
            Some(s) => Kept::Said(s.clone()),
            None => Kept::Nothing(Instant::now()),
        },
    );
    said
}

/// A plaintext buffer that refuses to grow past [`MAX_SUMMARIZED`].
struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_SUMMARIZED {
            return Err(std::io::Error::other("too large to summarize"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_come_from_fhir_dates_only() {
        assert_eq!(day_of("2026-11-30T09:00:00Z"), Some("2026-11-30"));
        assert_eq!(day_of("2026-11"), Some("2026-11"));
        assert_eq!(day_of("2026"), Some("2026"));
        assert_eq!(day_of("last spring"), None);
        assert_eq!(day_of("20"), None);
    }

    #[test]
    fn a_record_too_large_is_not_read_whole() {
        use std::io::Write as _;
        let mut out = Capped(Vec::new());
        assert!(out.write_all(&vec![0; MAX_SUMMARIZED]).is_ok());
        assert!(out.write_all(&[0]).is_err());
    }
}
