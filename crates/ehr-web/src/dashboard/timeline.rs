//! `/records/timeline?patient=`: a patient's records in the order they were taken (the
//! clinical date each resource tells, not the block it was written in), grouped by month,
//! newest first, each entry linking to its record. For the patient's side and for anyone
//! who may read the records and holds their keys: the dates come from the decrypted
//! records ([`summaries`]); a record this account cannot read has no date to place it
//! by, and is counted, not shown.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use ehr_sdk::ehr::maps;
use ehr_sdk::ehr::types::Record;

use super::i18n::{Lang, Msg};
use super::summaries::{self, Summary};
use super::views::{self, Frame, Pager, Party};
use super::{about, page_number, Page, PageError, Params};
use crate::state::AppState;

/// The timeline places at most this many of the patient's newest record versions (each
/// page load reads them all from the node to sort them by date: at 500 a page took 56 ms
/// on the devnet, over the 50 ms budget; the page says when older ones are left out).
pub const MAX_PLACED: u64 = 200;
/// Entries per page.
const PER_PAGE: usize = 50;

const MONTHS: [Msg; 12] = [
    Msg::MonthJanuary,
    Msg::MonthFebruary,
    Msg::MonthMarch,
    Msg::MonthApril,
    Msg::MonthMay,
    Msg::MonthJune,
    Msg::MonthJuly,
    Msg::MonthAugust,
    Msg::MonthSeptember,
    Msg::MonthOctober,
    Msg::MonthNovember,
    Msg::MonthDecember,
];

/// `GET /records/timeline?patient=&page=`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let patient = ctx.patient_param(&q)?;
    let own = patient == ctx.principal();
    let other = (!own).then_some(&patient);
    let c = &state.client;
    let count = c.get_patient_record_count(&patient).await?;
    let indexes: Vec<u64> = (count.saturating_sub(MAX_PLACED)..count).collect();
    let records = maps::read_each(&indexes, |index| {
        let patient = &patient;
        async move {
            match maps::patient_record_id(c, patient, index).await? {
                Some(id) => maps::record(c, id).await,
                None => Ok(None),
            }
        }
    })
    .await?;
    let latest: Vec<Record> = records
        .into_iter()
        .flatten()
        .filter(Record::is_latest)
        .collect();
    let said = summaries::of(&state, &ctx.me, &latest, ctx.lang).await;
    let mut entries: Vec<Entry> = latest
        .iter()
        .zip(said)
        .filter_map(|(r, s)| Entry::of(r, s?, own))
        .collect();
    let unplaced = (latest.len() - entries.len()) as u64;
    // ISO dates sort as text; newest first, then the newest record first.
    entries.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));

    let total = entries.len() as u64;
    let pages = (entries.len().div_ceil(PER_PAGE) as u64).max(1);
    let page = page_number(&q, "page", pages, 1);
    let from = (page as usize - 1) * PER_PAGE;
    let shown: Vec<Entry> = entries.drain(..).skip(from).take(PER_PAGE).collect();
    let view = TimelineView {
        frame: ctx.frame(
            ctx.t(if own {
                Msg::TimelineTitleOwn
            } else {
                Msg::TimelineTitleOther
            }),
            "/records",
            None,
        ),
        other_patient: other.map(|p| ctx.party(p)),
        months: months(shown),
        total,
        unplaced,
        truncated: count > MAX_PLACED,
        max_placed: MAX_PLACED,
        records_link: about("/records", "patient", other),
        pager: Pager {
            base: about("/records/timeline", "patient", other),
            param: "page",
            page,
            pages,
        },
    };
    views::respond(StatusCode::OK, &view)
}

/// A record on the timeline.
struct Entry {
    id: u64,
    /// Its clinical date as the resource gives it (sorts as text).
    date: String,
    /// `YYYY-MM-DD` (or shorter, as given).
    day: String,
    title: String,
    line: super::fhir_card::Line,
    /// Its card: the decrypted view for the patient's side; the record's page (where a
    /// grantee's view is logged first) for anyone else.
    href: String,
}

impl Entry {
    /// `r` on the timeline, when its summary tells a date.
    fn of(r: &Record, s: Summary, own_side: bool) -> Option<Entry> {
        let day = s.day()?.to_string();
        Some(Entry {
            id: r.id,
            href: if own_side {
                format!("/records/{}/view", r.id)
            } else {
                format!("/records/{}", r.id)
            },
            date: s.date.unwrap_or_default(),
            day,
            title: s.title,
            line: s.line,
        })
    }
}

/// The entries of one month.
struct Month {
    /// `2026-03` (or the year alone for a date that gives no month), also the heading's
    /// id.
    key: String,
    entries: Vec<Entry>,
}

/// `entries` (newest first) grouped by month, in the same order.
fn months(entries: Vec<Entry>) -> Vec<Month> {
    let mut out: Vec<Month> = Vec::new();
    for e in entries {
        let key = e.day.get(..7).unwrap_or(&e.day).to_string();
        match out.last_mut() {
            Some(m) if m.key == key => m.entries.push(e),
            _ => out.push(Month {
                key,
                entries: vec![e],
            }),
        }
    }
    out
}

impl Month {
    /// `2026-03` as `March 2026` (`mars 2026`); a year alone as itself.
    fn label(&self, lang: impl std::borrow::Borrow<Lang>) -> String {
        let lang = *lang.borrow();
        let key = &self.key;
        let month = key
            .get(5..7)
            .and_then(|m| m.parse::<usize>().ok())
            .and_then(|m| m.checked_sub(1))
            .and_then(|m| MONTHS.get(m));
        match month {
            Some(name) => lang.f(
                Msg::TimelineMonth,
                &[("month", lang.t(*name)), ("year", &key[..4])],
            ),
            None => key.to_string(),
        }
    }
}

/// `/records/timeline`.
#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelineView<'a> {
    frame: Frame<'a>,
    /// The patient, when it is not the acting account.
    other_patient: Option<Party>,
    months: Vec<Month>,
    /// Records on the timeline (every page).
    total: u64,
    /// Latest versions with no date this account can read.
    unplaced: u64,
    /// Only the newest [`MAX_PLACED`] record versions were read.
    truncated: bool,
    max_placed: u64,
    records_link: String,
    pager: Pager,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::summaries::day_of;

    fn entry(id: u64, date: &str) -> Entry {
        Entry {
            id,
            date: date.into(),
            day: day_of(date).unwrap().into(),
            title: String::new(),
            line: crate::dashboard::fhir_card::card(
                &serde_json::json!({"resourceType": "Basic"}),
                Lang::En,
            )
            .unwrap()
            .summary,
            href: String::new(),
        }
    }

    #[test]
    fn entries_group_by_month_in_order() {
        let grouped = months(vec![
            entry(3, "2026-03-09"),
            entry(1, "2026-03-01T08:00:00Z"),
            entry(2, "2025-07-14"),
            entry(4, "2024"),
        ]);
        let labels: Vec<String> = grouped.iter().map(|m| m.label(Lang::En)).collect();
        assert_eq!(labels, ["March 2026", "July 2025", "2024"]);
        assert_eq!(grouped[0].entries.len(), 2);
    }

    #[test]
    fn month_labels_never_panic() {
        let label = |key: &str, lang| {
            Month {
                key: key.into(),
                entries: Vec::new(),
            }
            .label(lang)
        };
        assert_eq!(label("2026-12", Lang::En), "December 2026");
        assert_eq!(label("2026-12", Lang::Fr), "décembre 2026");
        assert_eq!(label("2026-13", Lang::En), "2026-13");
        assert_eq!(label("2026-00", Lang::En), "2026-00");
    }
}
