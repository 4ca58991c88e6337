//! FHIR R4 resources in words, for the decrypted record page: what the record is, when,
//! the values with their units, ranges and interpretation. One card per known type, a
//! generic card for any other; the page keeps the raw JSON behind a toggle.

use serde_json::Value;

/// A resource as a card: a title and labelled lines of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// What the record is (`Heart rate`, `Asthma`...).
    pub title: String,
    /// Its kind (`Observation`...).
    pub kind: String,
    /// Labelled values, in reading order; empty ones left out.
    pub lines: Vec<(&'static str, String)>,
    /// When it was taken (the clinical date, as the resource gives it: the start of a
    /// period), when the resource tells.
    pub date: Option<String>,
    /// The record in one line (`Blood pressure 120/80 mmHg`, `Allergy: Penicillin
    /// (high)`), at most [`SUMMARY_MAX`] characters.
    pub summary: String,
}

/// Longest one-line summary, in characters (longer ones end in `…`).
pub const SUMMARY_MAX: usize = 120;

/// `resource` as a card, or `None` when it is not a FHIR resource (no `resourceType`).
pub fn card(resource: &Value) -> Option<Card> {
    let kind = resource.get("resourceType")?.as_str()?.to_string();
    let r = resource;
    let mut lines: Vec<(&'static str, String)> = Vec::new();
    let mut add = |label: &'static str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            lines.push((label, v));
        }
    };
    // Each arm adds the lines and gives the title, the clinical date and what the
    // one-line summary says after (or instead of) the title.
    let (title, date, gist): (Option<String>, Option<String>, Gist) = match kind.as_str() {
        "Observation" => {
            let value = observed(r);
            add("Value", value.clone());
            for c in r["component"].as_array().into_iter().flatten() {
                add(
                    "Component",
                    Some(format!(
                        "{}: {}",
                        concept(&c["code"]).unwrap_or_else(|| "?".into()),
                        observed(c).unwrap_or_else(|| "-".into())
                    )),
                );
            }
            for range in r["referenceRange"].as_array().into_iter().flatten() {
                add("Reference range", reference_range(range));
            }
            add("Interpretation", concepts(&r["interpretation"]));
            let dates = ["effectiveDateTime", "effectiveInstant", "issued"];
            add("When", when(r, &dates, "effectivePeriod"));
            add("Status", text(&r["status"]));
            // The value after the name; a panel's components after a colon.
            let separator = if value.is_some() { " " } else { ": " };
            let values = value.or_else(|| {
                let parts: Vec<String> = r["component"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| Some(format!("{} {}", concept(&c["code"])?, observed(c)?)))
                    .collect();
                (!parts.is_empty()).then(|| parts.join(", "))
            });
            (
                concept(&r["code"]),
                start(r, &dates, "effectivePeriod"),
                Gist::After(separator, values),
            )
        }
        "Condition" => {
            add("Clinical status", concept(&r["clinicalStatus"]));
            add("Verification", concept(&r["verificationStatus"]));
            add("Severity", concept(&r["severity"]));
            add(
                "Since",
                when(r, &["onsetDateTime", "onsetString"], "onsetPeriod"),
            );
            add("Recorded", text(&r["recordedDate"]));
            (
                concept(&r["code"]),
                start(r, &["onsetDateTime", "recordedDate"], "onsetPeriod"),
                Gist::Labelled("Condition", concept(&r["clinicalStatus"])),
            )
        }
        "AllergyIntolerance" => {
            add("Criticality", text(&r["criticality"]));
            add("Category", strings(&r["category"]));
            for reaction in r["reaction"].as_array().into_iter().flatten() {
                add("Reaction", concepts(&reaction["manifestation"]));
            }
            add("Clinical status", concept(&r["clinicalStatus"]));
            add("Recorded", text(&r["recordedDate"]));
            (
                concept(&r["code"]),
                start(r, &["recordedDate", "onsetDateTime"], "onsetPeriod"),
                Gist::Labelled("Allergy", text(&r["criticality"])),
            )
        }
        "MedicationStatement" | "MedicationRequest" => {
            for dosage in r["dosage"]
                .as_array()
                .or(r["dosageInstruction"].as_array())
                .into_iter()
                .flatten()
            {
                add("Dosage", text(&dosage["text"]));
            }
            add("Intent", text(&r["intent"]));
            add("Status", text(&r["status"]));
            let dates = ["authoredOn", "effectiveDateTime", "dateAsserted"];
            add("When", when(r, &dates, "effectivePeriod"));
            let first_dosage = r["dosage"]
                .as_array()
                .or(r["dosageInstruction"].as_array())
                .and_then(|d| d.iter().find_map(|d| text(&d["text"])));
            (
                concept(&r["medicationCodeableConcept"])
                    .or_else(|| display(&r["medicationReference"])),
                start(r, &dates, "effectivePeriod"),
                Gist::After(": ", first_dosage),
            )
        }
        "Immunization" => {
            add(
                "Given",
                text(&r["occurrenceDateTime"]).or_else(|| text(&r["occurrenceString"])),
            );
            add("Lot", text(&r["lotNumber"]));
            add("Dose", quantity(&r["doseQuantity"]));
            add("Status", text(&r["status"]));
            (
                concept(&r["vaccineCode"]),
                text(&r["occurrenceDateTime"]),
                Gist::Labelled("Vaccine", None),
            )
        }
        "DiagnosticReport" => {
            add("Conclusion", text(&r["conclusion"]));
            add(
                "Results",
                r["result"].as_array().map(|a| a.len().to_string()),
            );
            let dates = ["effectiveDateTime", "issued"];
            add("When", when(r, &dates, "effectivePeriod"));
            add("Status", text(&r["status"]));
            (
                concept(&r["code"]),
                start(r, &dates, "effectivePeriod"),
                Gist::After(": ", text(&r["conclusion"])),
            )
        }
        "Encounter" => {
            add(
                "Class",
                text(&r["class"]["display"]).or_else(|| text(&r["class"]["code"])),
            );
            add("Reason", concepts(&r["reasonCode"]));
            add("When", when(r, &[], "period"));
            add("Status", text(&r["status"]));
            (
                concepts(&r["type"]).or_else(|| Some("Encounter".into())),
                start(r, &[], "period"),
                Gist::Labelled("Visit", concepts(&r["reasonCode"])),
            )
        }
        "Procedure" => {
            add(
                "Performed",
                when(
                    r,
                    &["performedDateTime", "performedString"],
                    "performedPeriod",
                ),
            );
            add("Outcome", concept(&r["outcome"]));
            add("Status", text(&r["status"]));
            (
                concept(&r["code"]),
                start(r, &["performedDateTime"], "performedPeriod"),
                Gist::Labelled("Procedure", concept(&r["outcome"])),
            )
        }
        "Patient" => {
            add("Gender", text(&r["gender"]));
            add("Born", text(&r["birthDate"]));
            (
                r["name"]
                    .as_array()
                    .and_then(|names| names.first())
                    .and_then(human_name),
                None,
                Gist::Labelled("Patient", text(&r["birthDate"]).map(|b| format!("born {b}"))),
            )
        }
        _ => {
            add("Status", text(&r["status"]));
            let date = [
                "date",
                "effectiveDateTime",
                "issued",
                "recordedDate",
                "created",
            ]
            .iter()
            .find_map(|k| text(&r[*k]));
            add("Date", date.clone());
            (
                concept(&r["code"]).or_else(|| text(&r["title"])),
                date,
                Gist::Labelled("", None),
            )
        }
    };
    let title = title.unwrap_or_else(|| kind.clone());
    let summary = gist.line(&title, &kind);
    Some(Card {
        title,
        kind,
        lines,
        date,
        summary,
    })
}

/// What a one-line summary says besides the title.
enum Gist {
    /// The title, then `separator` and the words when there are any (`Heart rate 72
    /// /min`, `Amoxicillin: 1 capsule 3 times a day`).
    After(&'static str, Option<String>),
    /// `Label: title (words)`; an empty label stands for the resource type.
    Labelled(&'static str, Option<String>),
}

impl Gist {
    fn line(self, title: &str, kind: &str) -> String {
        let line = match self {
            Gist::After(separator, Some(words)) => format!("{title}{separator}{words}"),
            Gist::After(_, None) => title.to_string(),
            Gist::Labelled(label, words) => {
                let label = if label.is_empty() { kind } else { label };
                match words {
                    Some(w) => format!("{label}: {title} ({w})"),
                    None if title == kind => title.to_string(),
                    None => format!("{label}: {title}"),
                }
            }
        };
        one_line(&line)
    }
}

/// `text` on one line (runs of blanks as one space), cut to [`SUMMARY_MAX`] characters.
fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= SUMMARY_MAX {
        return flat;
    }
    let mut cut: String = flat.chars().take(SUMMARY_MAX - 1).collect();
    cut.push('…');
    cut
}

/// The clinical date: the first of the date fields `keys`, else the start of `period`.
fn start(r: &Value, keys: &[&str], period: &str) -> Option<String> {
    keys.iter()
        .find_map(|k| text(&r[*k]))
        .or_else(|| text(&r[period]["start"]))
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "yes" } else { "no" }.into()),
        _ => None,
    }
}

fn strings(v: &Value) -> Option<String> {
    let all: Vec<String> = v.as_array()?.iter().filter_map(text).collect();
    (!all.is_empty()).then(|| all.join(", "))
}

/// A CodeableConcept's words: its text, else its first coding's display, else its code.
fn concept(v: &Value) -> Option<String> {
    text(&v["text"]).or_else(|| {
        v["coding"]
            .as_array()?
            .iter()
            .find_map(|c| text(&c["display"]).or_else(|| text(&c["code"])))
    })
}

fn concepts(v: &Value) -> Option<String> {
    let all: Vec<String> = match v {
        Value::Array(items) => items.iter().filter_map(concept).collect(),
        other => concept(other).into_iter().collect(),
    };
    (!all.is_empty()).then(|| all.join(", "))
}

fn display(reference: &Value) -> Option<String> {
    text(&reference["display"]).or_else(|| text(&reference["reference"]))
}

fn quantity(q: &Value) -> Option<String> {
    let value = text(&q["value"])?;
    let unit = text(&q["unit"]).or_else(|| text(&q["code"]));
    Some(match unit {
        Some(u) => format!("{}{value} {u}", text(&q["comparator"]).unwrap_or_default()),
        None => format!("{}{value}", text(&q["comparator"]).unwrap_or_default()),
    })
}

/// An Observation's (or component's) value in words.
fn observed(v: &Value) -> Option<String> {
    quantity(&v["valueQuantity"])
        .or_else(|| concept(&v["valueCodeableConcept"]))
        .or_else(|| {
            [
                "valueString",
                "valueBoolean",
                "valueInteger",
                "valueDateTime",
                "valueTime",
            ]
            .iter()
            .find_map(|k| text(&v[*k]))
        })
        .or_else(|| {
            let low = quantity(&v["valueRange"]["low"]);
            let high = quantity(&v["valueRange"]["high"]);
            (low.is_some() || high.is_some()).then(|| {
                format!(
                    "{} to {}",
                    low.unwrap_or_default(),
                    high.unwrap_or_default()
                )
            })
        })
}

fn reference_range(range: &Value) -> Option<String> {
    let low = quantity(&range["low"]);
    let high = quantity(&range["high"]);
    let span = match (low, high) {
        (Some(l), Some(h)) => Some(format!("{l} to {h}")),
        (Some(l), None) => Some(format!("at least {l}")),
        (None, Some(h)) => Some(format!("at most {h}")),
        (None, None) => None,
    };
    let words = text(&range["text"]);
    match (span, words) {
        (Some(s), Some(w)) => Some(format!("{s} ({w})")),
        (s, w) => s.or(w),
    }
}

/// The first of the date fields `keys`, else the period `period` as `start to end`.
fn when(r: &Value, keys: &[&str], period: &str) -> Option<String> {
    keys.iter().find_map(|k| text(&r[*k])).or_else(|| {
        let p = &r[period];
        match (text(&p["start"]), text(&p["end"])) {
            (Some(s), Some(e)) => Some(format!("{s} to {e}")),
            (Some(s), None) => Some(format!("from {s}")),
            (None, Some(e)) => Some(format!("until {e}")),
            (None, None) => None,
        }
    })
}

fn human_name(n: &Value) -> Option<String> {
    text(&n["text"]).or_else(|| {
        let mut parts: Vec<String> = n["given"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(text)
            .collect();
        parts.extend(text(&n["family"]));
        (!parts.is_empty()).then(|| parts.join(" "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_observation_reads_with_components_units_ranges_and_interpretation() {
        let bp = json!({
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure panel"}]},
            "effectiveDateTime": "2026-11-30T09:00:00Z",
            "component": [
                {"code": {"text": "Systolic"}, "valueQuantity": {"value": 142, "unit": "mmHg"}},
                {"code": {"text": "Diastolic"}, "valueQuantity": {"value": 91, "unit": "mmHg"}}
            ],
            "referenceRange": [{"low": {"value": 90, "unit": "mmHg"}, "high": {"value": 120, "unit": "mmHg"}, "text": "systolic"}],
            "interpretation": [{"coding": [{"code": "H", "display": "High"}]}]
        });
        let c = card(&bp).unwrap();
        assert_eq!(c.title, "Blood pressure panel");
        assert_eq!(
            c.lines,
            vec![
                ("Component", "Systolic: 142 mmHg".to_string()),
                ("Component", "Diastolic: 91 mmHg".to_string()),
                (
                    "Reference range",
                    "90 mmHg to 120 mmHg (systolic)".to_string()
                ),
                ("Interpretation", "High".to_string()),
                ("When", "2026-11-30T09:00:00Z".to_string()),
                ("Status", "final".to_string()),
            ]
        );
    }

    #[test]
    fn known_types_have_their_own_words() {
        let allergy = json!({"resourceType": "AllergyIntolerance", "code": {"text": "Penicillin"}, "criticality": "high",
            "reaction": [{"manifestation": [{"text": "Hives"}]}]});
        let c = card(&allergy).unwrap();
        assert_eq!(c.title, "Penicillin");
        assert!(c.lines.contains(&("Reaction", "Hives".into())));
        let patient = json!({"resourceType": "Patient", "name": [{"given": ["Awa"], "family": "Diallo"}], "birthDate": "1990-04-02"});
        assert_eq!(card(&patient).unwrap().title, "Awa Diallo");
        let med = json!({"resourceType": "MedicationRequest", "medicationCodeableConcept": {"text": "Amoxicillin 500 mg"},
            "dosageInstruction": [{"text": "1 capsule 3 times a day"}], "status": "active"});
        assert!(card(&med)
            .unwrap()
            .lines
            .contains(&("Dosage", "1 capsule 3 times a day".into())));
    }

    #[test]
    fn each_card_has_a_clinical_date_and_a_one_line_summary() {
        let bp = json!({"resourceType": "Observation", "code": {"text": "Blood pressure"},
            "valueString": "120/80 mmHg", "effectivePeriod": {"start": "2026-03-01T08:00:00Z"}});
        let c = card(&bp).unwrap();
        assert_eq!(c.summary, "Blood pressure 120/80 mmHg");
        assert_eq!(c.date.as_deref(), Some("2026-03-01T08:00:00Z"));
        let panel = json!({"resourceType": "Observation", "code": {"text": "Blood pressure"},
            "component": [{"code": {"text": "Systolic"}, "valueQuantity": {"value": 142, "unit": "mmHg"}},
                          {"code": {"text": "Diastolic"}, "valueQuantity": {"value": 91, "unit": "mmHg"}}]});
        assert_eq!(
            card(&panel).unwrap().summary,
            "Blood pressure: Systolic 142 mmHg, Diastolic 91 mmHg"
        );
        let allergy = json!({"resourceType": "AllergyIntolerance", "code": {"text": "penicillin"},
            "criticality": "high", "recordedDate": "2025-07-14"});
        let c = card(&allergy).unwrap();
        assert_eq!(c.summary, "Allergy: penicillin (high)");
        assert_eq!(c.date.as_deref(), Some("2025-07-14"));
        let vaccine = json!({"resourceType": "Immunization", "vaccineCode": {"text": "Yellow fever"},
            "occurrenceDateTime": "2024-01-09"});
        assert_eq!(card(&vaccine).unwrap().summary, "Vaccine: Yellow fever");
        let untitled = json!({"resourceType": "CarePlan", "status": "active"});
        assert_eq!(card(&untitled).unwrap().summary, "CarePlan");
        assert_eq!(card(&untitled).unwrap().date, None);
        let long = json!({"resourceType": "Observation", "code": {"text": "Note"},
            "valueString": "word\n ".repeat(100)});
        let line = card(&long).unwrap().summary;
        assert_eq!(line.chars().count(), SUMMARY_MAX);
        assert!(line.ends_with('…') && !line.contains('\n'), "{line}");
    }

    #[test]
    fn anything_else_gets_a_generic_card_and_non_fhir_none() {
        let other =
            json!({"resourceType": "CarePlan", "title": "Diabetes plan", "status": "active"});
        let c = card(&other).unwrap();
        assert_eq!(
            (c.kind.as_str(), c.title.as_str()),
            ("CarePlan", "Diabetes plan")
        );
        assert_eq!(c.lines, vec![("Status", "active".to_string())]);
        assert!(card(&json!({"a": 1})).is_none());
    }
}
