//! FHIR R4 resources in words, for the decrypted record page: what the record is, when,
//! the values with their units, ranges and interpretation. One card per known type, a
//! generic card for any other; the page keeps the raw JSON behind a toggle.

use serde_json::Value;

use super::i18n::{Lang, Msg};

/// A resource as a card: a title and labelled lines of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// What the record is (`Heart rate`, `Asthma`...).
    pub title: String,
    /// Its kind (`Observation`...).
    pub kind: String,
    /// Labelled values, in reading order; empty ones left out.
    pub lines: Vec<(Msg, String)>,
    /// When it was taken (the clinical date, as the resource gives it: the start of a
    /// period), when the resource tells.
    pub date: Option<String>,
    /// The record in one line (`Blood pressure 120/80 mmHg`, `Allergy: Penicillin
    /// (high)`), at most [`SUMMARY_MAX`] characters once worded ([`Line::text`]).
    pub summary: Line,
}

/// Longest one-line summary, in characters (longer ones end in `…`).
pub const SUMMARY_MAX: usize = 120;

/// `resource` as a card, or `None` when it is not a FHIR resource (no `resourceType`);
/// the few words its values need (a range's "to", a yes or no) in `lang`.
pub fn card(resource: &Value, lang: Lang) -> Option<Card> {
    let kind = resource.get("resourceType")?.as_str()?.to_string();
    let r = resource;
    let mut lines: Vec<(Msg, String)> = Vec::new();
    let mut add = |label: Msg, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            lines.push((label, v));
        }
    };
    // Each arm adds the lines and gives the title, the clinical date and what the
    // one-line summary says after (or instead of) the title.
    let (title, date, gist): (Option<String>, Option<String>, Gist) = match kind.as_str() {
        "Observation" => {
            let value = observed(r, lang);
            add(Msg::CardValue, value.clone());
            for c in r["component"].as_array().into_iter().flatten() {
                add(
                    Msg::CardComponent,
                    Some(format!(
                        "{}: {}",
                        concept(&c["code"]).unwrap_or_else(|| "?".into()),
                        observed(c, lang).unwrap_or_else(|| "-".into())
                    )),
                );
            }
            for range in r["referenceRange"].as_array().into_iter().flatten() {
                add(Msg::CardReferenceRange, reference_range(range, lang));
            }
            add(Msg::CardInterpretation, concepts(&r["interpretation"]));
            let dates = ["effectiveDateTime", "effectiveInstant", "issued"];
            add(Msg::CardWhen, when(r, &dates, "effectivePeriod", lang));
            add(Msg::CardStatus, text(&r["status"]));
            // The value after the name; a panel's components after a colon.
            let separator = if value.is_some() { " " } else { ": " };
            let values = value.or_else(|| {
                let parts: Vec<String> = r["component"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| {
                        Some(format!("{} {}", concept(&c["code"])?, observed(c, lang)?))
                    })
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
            add(Msg::CardClinicalStatus, concept(&r["clinicalStatus"]));
            add(Msg::CardVerification, concept(&r["verificationStatus"]));
            add(Msg::CardSeverity, concept(&r["severity"]));
            add(
                Msg::CardSince,
                when(r, &["onsetDateTime", "onsetString"], "onsetPeriod", lang),
            );
            add(Msg::CardRecorded, text(&r["recordedDate"]));
            (
                concept(&r["code"]),
                start(r, &["onsetDateTime", "recordedDate"], "onsetPeriod"),
                Gist::Labelled(Some(Msg::GistCondition), concept(&r["clinicalStatus"])),
            )
        }
        "AllergyIntolerance" => {
            add(Msg::CardCriticality, text(&r["criticality"]));
            add(Msg::CardCategory, strings(&r["category"]));
            for reaction in r["reaction"].as_array().into_iter().flatten() {
                add(Msg::CardReaction, concepts(&reaction["manifestation"]));
            }
            add(Msg::CardClinicalStatus, concept(&r["clinicalStatus"]));
            add(Msg::CardRecorded, text(&r["recordedDate"]));
            (
                concept(&r["code"]),
                start(r, &["recordedDate", "onsetDateTime"], "onsetPeriod"),
                Gist::Labelled(Some(Msg::GistAllergy), text(&r["criticality"])),
            )
        }
        "MedicationStatement" | "MedicationRequest" => {
            for dosage in r["dosage"]
                .as_array()
                .or(r["dosageInstruction"].as_array())
                .into_iter()
                .flatten()
            {
                add(Msg::CardDosage, text(&dosage["text"]));
            }
            add(Msg::CardIntent, text(&r["intent"]));
            add(Msg::CardStatus, text(&r["status"]));
            let dates = ["authoredOn", "effectiveDateTime", "dateAsserted"];
            add(Msg::CardWhen, when(r, &dates, "effectivePeriod", lang));
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
                Msg::CardGiven,
                text(&r["occurrenceDateTime"]).or_else(|| text(&r["occurrenceString"])),
            );
            add(Msg::CardLot, text(&r["lotNumber"]));
            add(Msg::CardDose, quantity(&r["doseQuantity"]));
            add(Msg::CardStatus, text(&r["status"]));
            (
                concept(&r["vaccineCode"]),
                text(&r["occurrenceDateTime"]),
                Gist::Labelled(Some(Msg::GistVaccine), None),
            )
        }
        "DiagnosticReport" => {
            add(Msg::CardConclusion, text(&r["conclusion"]));
            add(
                Msg::CardResults,
                r["result"].as_array().map(|a| a.len().to_string()),
            );
            let dates = ["effectiveDateTime", "issued"];
            add(Msg::CardWhen, when(r, &dates, "effectivePeriod", lang));
            add(Msg::CardStatus, text(&r["status"]));
            (
                concept(&r["code"]),
                start(r, &dates, "effectivePeriod"),
                Gist::After(": ", text(&r["conclusion"])),
            )
        }
        "Encounter" => {
            add(
                Msg::CardClass,
                text(&r["class"]["display"]).or_else(|| text(&r["class"]["code"])),
            );
            add(Msg::CardReason, concepts(&r["reasonCode"]));
            add(Msg::CardWhen, when(r, &[], "period", lang));
            add(Msg::CardStatus, text(&r["status"]));
            (
                concepts(&r["type"]).or_else(|| Some("Encounter".into())),
                start(r, &[], "period"),
                Gist::Labelled(Some(Msg::GistVisit), concepts(&r["reasonCode"])),
            )
        }
        "Procedure" => {
            add(
                Msg::CardPerformed,
                when(
                    r,
                    &["performedDateTime", "performedString"],
                    "performedPeriod",
                    lang,
                ),
            );
            add(Msg::CardOutcome, concept(&r["outcome"]));
            add(Msg::CardStatus, text(&r["status"]));
            (
                concept(&r["code"]),
                start(r, &["performedDateTime"], "performedPeriod"),
                Gist::Labelled(Some(Msg::GistProcedure), concept(&r["outcome"])),
            )
        }
        "Patient" => {
            add(Msg::CardGender, text(&r["gender"]));
            add(Msg::CardBorn, text(&r["birthDate"]));
            (
                r["name"]
                    .as_array()
                    .and_then(|names| names.first())
                    .and_then(human_name),
                None,
                Gist::Born(text(&r["birthDate"])),
            )
        }
        _ => {
            add(Msg::CardStatus, text(&r["status"]));
            let date = [
                "date",
                "effectiveDateTime",
                "issued",
                "recordedDate",
                "created",
            ]
            .iter()
            .find_map(|k| text(&r[*k]));
            add(Msg::CardDate, date.clone());
            (
                concept(&r["code"]).or_else(|| text(&r["title"])),
                date,
                Gist::Labelled(None, None),
            )
        }
    };
    let title = title.unwrap_or_else(|| kind.clone());
    let summary = Line {
        title: title.clone(),
        kind: kind.clone(),
        gist,
    };
    Some(Card {
        title,
        kind,
        lines,
        date,
        summary,
    })
}

/// A record in one line, worded in the reader's language by [`Line::text`] (what is kept
/// in the server's summary cache, whoever reads it next).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    title: String,
    kind: String,
    gist: Gist,
}

/// What a one-line summary says besides the title.
#[derive(Debug, Clone, PartialEq)]
enum Gist {
    /// The title, then `separator` and the words when there are any (`Heart rate 72
    /// /min`, `Amoxicillin: 1 capsule 3 times a day`).
    After(&'static str, Option<String>),
    /// `Label: title (words)`; no label stands for the resource type.
    Labelled(Option<Msg>, Option<String>),
    /// A patient: `Patient: name (born date)`.
    Born(Option<String>),
}

impl Line {
    /// The line in `lang`, at most [`SUMMARY_MAX`] characters.
    pub fn text(&self, lang: impl std::borrow::Borrow<Lang>) -> String {
        let lang = *lang.borrow();
        let (title, kind) = (self.title.as_str(), self.kind.as_str());
        let labelled = |label: &str, words: Option<String>| match words {
            Some(w) => lang.f(
                Msg::GistLabelledWords,
                &[("label", label), ("title", title), ("words", w.as_str())],
            ),
            None if title == kind => title.to_string(),
            None => lang.f(Msg::GistLabelled, &[("label", label), ("title", title)]),
        };
        let line = match &self.gist {
            Gist::After(separator, Some(words)) => format!("{title}{separator}{words}"),
            Gist::After(_, None) => title.to_string(),
            Gist::Born(born) => labelled(
                lang.t(Msg::GistPatient),
                born.as_ref()
                    .map(|b| lang.f(Msg::GistBorn, &[("date", b.as_str())])),
            ),
            Gist::Labelled(label, words) => {
                labelled(label.map_or(kind, |l| lang.t(l)), words.clone())
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
fn observed(v: &Value, lang: Lang) -> Option<String> {
    quantity(&v["valueQuantity"])
        .or_else(|| concept(&v["valueCodeableConcept"]))
        .or_else(|| {
            v["valueBoolean"]
                .as_bool()
                .map(|b| lang.t(if b { Msg::Yes } else { Msg::No }).to_string())
        })
        .or_else(|| {
            ["valueString", "valueInteger", "valueDateTime", "valueTime"]
                .iter()
                .find_map(|k| text(&v[*k]))
        })
        .or_else(|| {
            let low = quantity(&v["valueRange"]["low"]);
            let high = quantity(&v["valueRange"]["high"]);
            (low.is_some() || high.is_some()).then(|| {
                lang.f(
                    Msg::CardSpan,
                    &[
                        ("low", low.unwrap_or_default()),
                        ("high", high.unwrap_or_default()),
                    ],
                )
            })
        })
}

fn reference_range(range: &Value, lang: Lang) -> Option<String> {
    let low = quantity(&range["low"]);
    let high = quantity(&range["high"]);
    let span = match (low, high) {
        (Some(l), Some(h)) => Some(lang.f(Msg::CardSpan, &[("low", l), ("high", h)])),
        (Some(l), None) => Some(lang.f(Msg::CardAtLeast, &[("low", l)])),
        (None, Some(h)) => Some(lang.f(Msg::CardAtMost, &[("high", h)])),
        (None, None) => None,
    };
    let words = text(&range["text"]);
    match (span, words) {
        (Some(s), Some(w)) => Some(format!("{s} ({w})")),
        (s, w) => s.or(w),
    }
}

/// The first of the date fields `keys`, else the period `period` as `start to end`.
fn when(r: &Value, keys: &[&str], period: &str, lang: Lang) -> Option<String> {
    keys.iter().find_map(|k| text(&r[*k])).or_else(|| {
        let p = &r[period];
        match (text(&p["start"]), text(&p["end"])) {
            (Some(s), Some(e)) => Some(lang.f(Msg::CardSpan, &[("low", s), ("high", e)])),
            (Some(s), None) => Some(lang.f(Msg::CardFrom, &[("date", s)])),
            (None, Some(e)) => Some(lang.f(Msg::CardUntil, &[("date", e)])),
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
        let c = card(&bp, Lang::En).unwrap();
        assert_eq!(c.title, "Blood pressure panel");
        assert_eq!(
            c.lines,
            vec![
                (Msg::CardComponent, "Systolic: 142 mmHg".to_string()),
                (Msg::CardComponent, "Diastolic: 91 mmHg".to_string()),
                (
                    Msg::CardReferenceRange,
                    "90 mmHg to 120 mmHg (systolic)".to_string()
                ),
                (Msg::CardInterpretation, "High".to_string()),
                (Msg::CardWhen, "2026-11-30T09:00:00Z".to_string()),
                (Msg::CardStatus, "final".to_string()),
            ]
        );
    }

    #[test]
    fn known_types_have_their_own_words() {
        let allergy = json!({"resourceType": "AllergyIntolerance", "code": {"text": "Penicillin"}, "criticality": "high",
            "reaction": [{"manifestation": [{"text": "Hives"}]}]});
        let c = card(&allergy, Lang::En).unwrap();
        assert_eq!(c.title, "Penicillin");
        assert!(c.lines.contains(&(Msg::CardReaction, "Hives".into())));
        let patient = json!({"resourceType": "Patient", "name": [{"given": ["Awa"], "family": "Diallo"}], "birthDate": "1990-04-02"});
        assert_eq!(card(&patient, Lang::En).unwrap().title, "Awa Diallo");
        let med = json!({"resourceType": "MedicationRequest", "medicationCodeableConcept": {"text": "Amoxicillin 500 mg"},
            "dosageInstruction": [{"text": "1 capsule 3 times a day"}], "status": "active"});
        assert!(card(&med, Lang::En)
            .unwrap()
            .lines
            .contains(&(Msg::CardDosage, "1 capsule 3 times a day".into())));
    }

    #[test]
    fn each_card_has_a_clinical_date_and_a_one_line_summary() {
        let bp = json!({"resourceType": "Observation", "code": {"text": "Blood pressure"},
            "valueString": "120/80 mmHg", "effectivePeriod": {"start": "2026-03-01T08:00:00Z"}});
        let c = card(&bp, Lang::En).unwrap();
        assert_eq!(c.summary.text(Lang::En), "Blood pressure 120/80 mmHg");
        assert_eq!(c.date.as_deref(), Some("2026-03-01T08:00:00Z"));
        let panel = json!({"resourceType": "Observation", "code": {"text": "Blood pressure"},
            "component": [{"code": {"text": "Systolic"}, "valueQuantity": {"value": 142, "unit": "mmHg"}},
                          {"code": {"text": "Diastolic"}, "valueQuantity": {"value": 91, "unit": "mmHg"}}]});
        assert_eq!(
            card(&panel, Lang::En).unwrap().summary.text(Lang::En),
            "Blood pressure: Systolic 142 mmHg, Diastolic 91 mmHg"
        );
        let allergy = json!({"resourceType": "AllergyIntolerance", "code": {"text": "penicillin"},
            "criticality": "high", "recordedDate": "2025-07-14"});
        let c = card(&allergy, Lang::En).unwrap();
        assert_eq!(c.summary.text(Lang::En), "Allergy: penicillin (high)");
        assert_eq!(c.date.as_deref(), Some("2025-07-14"));
        let vaccine = json!({"resourceType": "Immunization", "vaccineCode": {"text": "Yellow fever"},
            "occurrenceDateTime": "2024-01-09"});
        assert_eq!(
            card(&vaccine, Lang::En).unwrap().summary.text(Lang::En),
            "Vaccine: Yellow fever"
        );
        let untitled = json!({"resourceType": "CarePlan", "status": "active"});
        assert_eq!(
            card(&untitled, Lang::En).unwrap().summary.text(Lang::En),
            "CarePlan"
        );
        assert_eq!(card(&untitled, Lang::En).unwrap().date, None);
        let long = json!({"resourceType": "Observation", "code": {"text": "Note"},
            "valueString": "word\n ".repeat(100)});
        let line = card(&long, Lang::En).unwrap().summary.text(Lang::En);
        assert_eq!(line.chars().count(), SUMMARY_MAX);
        assert!(line.ends_with('…') && !line.contains('\n'), "{line}");
    }

    #[test]
    fn anything_else_gets_a_generic_card_and_non_fhir_none() {
        let other =
            json!({"resourceType": "CarePlan", "title": "Diabetes plan", "status": "active"});
        let c = card(&other, Lang::En).unwrap();
        assert_eq!(
            (c.kind.as_str(), c.title.as_str()),
            ("CarePlan", "Diabetes plan")
        );
        assert_eq!(c.lines, vec![(Msg::CardStatus, "active".to_string())]);
        assert!(card(&json!({"a": 1}), Lang::En).is_none());
    }
}
