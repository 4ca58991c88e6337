//! Request parameters: the query string, paging, principals, the server's base URL.

use axum::http::{header, HeaderMap};
use clarity::vm::types::PrincipalData;

use super::util::{percent_decode, percent_encode};
use super::ApiError;

/// Entries per page when `_count` is not given.
pub const DEFAULT_COUNT: u64 = 20;
/// The largest `_count` honoured; a larger one is lowered to this (FHIR lets a server
/// return fewer than asked).
pub const MAX_COUNT: u64 = 100;
/// The largest `_count` of an AuditEvent search answered by an EHR index.
pub const MAX_INDEXED_COUNT: u64 = 1000;

/// A decoded query string, in order.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Decodes `raw` (the part after `?`).
    pub fn parse(raw: Option<&str>) -> Result<Query, ApiError> {
        let mut pairs = Vec::new();
        for part in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            pairs.push((percent_decode(k)?, percent_decode(v)?));
        }
        Ok(Query { pairs })
    }

    /// The single value of `name`; given twice is refused (FHIR would AND them, which
    /// means nothing for these parameters).
    pub fn one(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.pairs.iter().filter(|(k, _)| k == name);
        let first = values.next().map(|(_, v)| v.as_str());
        if values.next().is_some() {
            return Err(ApiError::BadRequest(format!(
                "parameter `{name}` is given more than once"
            )));
        }
        Ok(first)
    }

    /// Every value of `name`, in order (a parameter FHIR ANDs, such as `date`).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Refuses a parameter not in `allowed` (and not `_format`, checked here: JSON only),
    /// naming the ones that are supported. Unknown parameters are refused rather than
    /// ignored, so a client never mistakes an unfiltered answer for a filtered one.
    pub fn only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        for (k, v) in &self.pairs {
            if k == "_format" {
                check_format(v)?;
                continue;
            }
            if !allowed.contains(&k.as_str()) {
                let supported = if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                };
                return Err(ApiError::BadRequest(format!(
                    "parameter `{k}` is not supported here (supported: {supported}; see /fhir/metadata)"
                )));
            }
        }
        Ok(())
    }
}

fn check_format(value: &str) -> Result<(), ApiError> {
    match value {
        "json" | "application/json" | "application/fhir+json" => Ok(()),
        other => Err(ApiError::NotAcceptable(format!(
            "_format `{other}` is not served: this server writes JSON only (`_format=json`)"
        ))),
    }
}

/// Refuses a request whose `Accept` header allows no JSON.
pub fn check_accept(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    if accepts_json(accept) {
        Ok(())
    } else {
        Err(ApiError::NotAcceptable(format!(
            "Accept `{accept}` allows no format this server writes: it answers `application/fhir+json`"
        )))
    }
}

/// True when an `Accept` value allows FHIR JSON.
pub fn accepts_json(accept: &str) -> bool {
    accept.split(',').any(|item| {
        let media = item.split(';').next().unwrap_or("").trim();
        media.is_empty() || media == "*/*" || media == "application/*" || media.ends_with("json")
    })
}

/// Refuses a body whose `Content-Type` is not JSON (a missing one is taken as JSON).
pub fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let media = ct
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media == "application/fhir+json" || media == "application/json" {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "Content-Type `{media}` is not read here: send `application/fhir+json`"
        )))
    }
}

/// A page: where it starts and how many entries at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// `_offset`: entries skipped.
    pub offset: u64,
    /// `_count`: entries at most (0: only the total).
    pub count: u64,
}

impl Page {
    /// `_count` and `_offset` from the query (defaults [`DEFAULT_COUNT`] and 0).
    pub fn from_query(q: &Query) -> Result<Page, ApiError> {
        Page::from_query_up_to(q, MAX_COUNT)
    }

    /// As [`Page::from_query`], with `_count` up to `max`.
    pub fn from_query_up_to(q: &Query, max: u64) -> Result<Page, ApiError> {
        let number = |name: &str, default: u64| -> Result<u64, ApiError> {
            match q.one(name)? {
                None => Ok(default),
                Some(v) => v.parse::<u64>().map_err(|_| {
                    ApiError::BadRequest(format!(
                        "`{name}` must be a whole number 0 or more, not `{v}`"
                    ))
                }),
            }
        };
        Ok(Page {
            count: number("_count", DEFAULT_COUNT)?.min(max),
            offset: number("_offset", 0)?,
        })
    }

    /// The indexes `[offset, end)` of this page among `total` entries.
    pub fn range(&self, total: u64) -> std::ops::Range<u64> {
        let start = self.offset.min(total);
        start..start.saturating_add(self.count).min(total)
    }
}

/// A Stacks principal from text: a bare principal (`ST1…`, `ST1….contract`), a
/// relative reference `Patient/ST1…`, or an absolute one ending in `/Patient/ST1…`.
pub fn principal_of(text: &str) -> Option<PrincipalData> {
    let bare = match text.rfind("Patient/") {
        Some(i) => &text[i + "Patient/".len()..],
        None => text,
    };
    PrincipalData::parse(bare).ok()
}

/// The `patient` search parameter, required by every search of this server.
pub fn patient_param(q: &Query) -> Result<PrincipalData, ApiError> {
    let value = q.one("patient")?.ok_or_else(|| {
        ApiError::BadRequest(
            "`patient` is required: give the patient's Stacks principal, e.g. `?patient=ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5`"
                .into(),
        )
    })?;
    principal_of(value).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "`patient={value}` is not a Stacks principal (the Patient id is the principal, e.g. ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5)"
        ))
    })
}

/// `base/Type?k=v&…` with values encoded.
pub fn search_url(base: &str, resource: &str, params: &[(&str, String)]) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    format!("{base}/{resource}?{}", query.join("&"))
}

/// Bounds on a time, in Unix seconds, both inclusive: what `date`-type search parameters
/// (`date=ge2026-01-01&date=lt2026-02-01`) leave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeBounds {
    /// At or after this.
    pub since: Option<u64>,
    /// At or before this.
    pub until: Option<u64>,
}

impl TimeBounds {
    /// Narrows the bounds by one `date` value: a prefix (`eq`, the default, `ge`, `gt`,
    /// `le`, `lt`) and a FHIR date or dateTime (`2026`, `2026-12`, `2026-12-05`, or
    /// `2026-12-05T10:00:00Z` with a time zone), which stands for the whole span it names.
    pub fn narrow(&mut self, name: &str, value: &str) -> Result<(), ApiError> {
        let (prefix, text) = match value.get(..2) {
            Some(p @ ("eq" | "ge" | "gt" | "le" | "lt")) => (p, &value[2..]),
            Some("ne" | "sa" | "eb" | "ap") => {
                return Err(ApiError::BadRequest(format!(
                "`{name}={value}`: the prefix `{}` is not supported (give eq, ge, gt, le or lt)",
                &value[..2]
            )))
            }
            _ => ("eq", value),
        };
        let (start, end) = span(text).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "`{name}={value}`: give a date (2026, 2026-12, 2026-12-05) or a dateTime with a time zone (2026-12-05T10:00:00Z), after an optional eq, ge, gt, le or lt"
            ))
        })?;
        let (since, until) = match prefix {
            "ge" => (Some(start), None),
            "gt" => (Some(end + 1), None),
            "le" => (None, Some(end)),
            "lt" => (None, Some(start - 1)),
            _ => (Some(start), Some(end)),
        };
        // Times before 1970 hold no block: a lower bound there is no bound, an upper one
        // matches nothing.
        if let Some(s) = since {
            let s = u64::try_from(s).unwrap_or(0);
            self.since = Some(self.since.map_or(s, |old| old.max(s)));
        }
        if let Some(u) = until {
            match u64::try_from(u) {
                Ok(u) => self.until = Some(self.until.map_or(u, |old| old.min(u))),
                Err(_) => {
                    self.since = Some(1);
                    self.until = Some(0);
                }
            }
        }
        Ok(())
    }
}

/// The first and last second (Unix time) of the span a FHIR date or dateTime names.
fn span(text: &str) -> Option<(i64, i64)> {
    use chrono::NaiveDate;
    let day_start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp());
    if text.contains('T') {
        let t = chrono::DateTime::parse_from_rfc3339(text).ok()?.timestamp();
        return Some((t, t));
    }
    let parts: Vec<&str> = text.split('-').collect();
    let number = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (first, next) = match parts.as_slice() {
        [y] => {
            let y = number(y, 4)? as i32;
            (
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y + 1, 1, 1)?,
            )
        }
        [y, m] => {
            let (y, m) = (number(y, 4)? as i32, number(m, 2)?);
            let first = NaiveDate::from_ymd_opt(y, m, 1)?;
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(y, m + 1, 1)?
            };
            (first, next)
        }
        [y, m, d] => {
            let day = NaiveDate::from_ymd_opt(number(y, 4)? as i32, number(m, 2)?, number(d, 2)?)?;
            (day, day.succ_opt()?)
        }
        _ => return None,
    };
    Some((day_start(first)?, day_start(next)? - 1))
}

#[cfg(test)]
mod time_tests {
    use super::*;

    fn bounds(values: &[&str]) -> Result<TimeBounds, ApiError> {
        let mut b = TimeBounds::default();
        for v in values {
            b.narrow("date", v)?;
        }
        Ok(b)
    }

    #[test]
    fn date_values_bound_the_span_they_name() {
        // 2026-12-05T00:00:00Z is 1796428800.
        let day = 1_796_428_800;
        assert_eq!(
            bounds(&["2026-12-05"]).unwrap(),
            TimeBounds {
                since: Some(day),
                until: Some(day + 86_399)
            }
        );
        assert_eq!(
            bounds(&["ge2026-12-05", "lt2026-12-06T00:00:00Z"]).unwrap(),
            TimeBounds {
                since: Some(day),
                until: Some(day + 86_399)
            }
        );
        assert_eq!(
            bounds(&["gt2026-12"]).unwrap().since,
            Some(day + 27 * 86_400)
        );
        assert_eq!(
            bounds(&["le2026-12-05T01:00:00+01:00"]).unwrap().until,
            Some(day)
        );
        assert_eq!(bounds(&["2026"]).unwrap().until, Some(1_798_761_599));
        assert_eq!(
            bounds(&["lt1960"]).unwrap(),
            TimeBounds {
                since: Some(1),
                until: Some(0)
            }
        );
        for bad in [
            "2026-13",
            "2026-12-05T10:00:00",
            "ne2026",
            "yesterday",
            "2026-1-5",
            "",
        ] {
            assert!(bounds(&[bad]).is_err(), "{bad}");
        }
    }
}
