//! The fields of a FHIR R4 resource that claims can be made about, and their values.
//!
//! Paths are written from the resource type:
//!
//! | path | kind | context (disclosed with a proof) |
//! |---|---|---|
//! | `Patient.birthDate` | date | - |
//! | `Observation.valueQuantity.value` | decimal, unit from `valueQuantity` | the observation's code |
//! | `Observation.component[CODE].valueQuantity.value` | decimal | the observation's code (the component's is in the path) |
//! | `Observation.effectiveDateTime` | date | the observation's code |
//! | `Immunization.occurrenceDateTime` | date | the vaccine code |
//!
//! The context tells what the value is about: a proof that "a value is below 6.5" says
//! nothing unless the verifier knows it is an HbA1c, so the code is part of the signed
//! commitment and of the proof.

use serde_json::Value as Json;

use super::value::{self, FieldKind, DECIMALS};
use super::ClaimsError;

/// One field's value, ready to be committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValue {
    /// Its path, e.g. `Observation.valueQuantity.value`.
    pub path: String,
    /// How the integer is read.
    pub kind: FieldKind,
    /// What the value is about (a coded concept as `system|code`), or empty.
    pub context: String,
    /// The integer committed.
    pub value: i64,
}

/// A field that is present but cannot be committed exactly, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Its path.
    pub path: String,
    /// Why it was left out.
    pub why: String,
}

/// Every committable field of `resource` (a FHIR R4 resource as JSON), and the fields
/// present but left out (a partial date, more decimals than kept).
pub fn extract(resource: &Json) -> Result<(Vec<FieldValue>, Vec<Skipped>), ClaimsError> {
    let rtype = resource
        .get("resourceType")
        .and_then(Json::as_str)
        .ok_or(ClaimsError::NotFhir)?;
    let mut out = Fields::default();
    match rtype {
        "Patient" => out.date("Patient.birthDate", resource.get("birthDate"), ""),
        "Observation" => {
            let code = coding(resource.get("code"));
            out.quantity(
                "Observation.valueQuantity.value",
                resource.get("valueQuantity"),
                &code,
            );
            out.date(
                "Observation.effectiveDateTime",
                resource.get("effectiveDateTime"),
                &code,
            );
            let mut seen = Vec::new();
            for component in resource
                .get("component")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let Some(ccode) = component
                    .pointer("/code/coding/0/code")
                    .and_then(Json::as_str)
                else {
                    continue;
                };
                let path = format!("Observation.component[{ccode}].valueQuantity.value");
                if seen.contains(&path) {
                    out.skipped.push(Skipped {
                        path,
                        why: "the component code appears twice".into(),
                    });
                    continue;
                }
                seen.push(path.clone());
                out.quantity(&path, component.get("valueQuantity"), &code);
            }
        }
        "Immunization" => {
            let code = coding(resource.get("vaccineCode"));
            out.date(
                "Immunization.occurrenceDateTime",
                resource.get("occurrenceDateTime"),
                &code,
            );
        }
        _ => {}
    }
    // A path must name one field: one that appears twice is left out altogether.
    out.values
        .retain(|v| !out.skipped.iter().any(|s| s.path == v.path));
    Ok((out.values, out.skipped))
}

/// `system|code` of the first coding of a CodeableConcept, or empty.
fn coding(concept: Option<&Json>) -> String {
    let Some(first) = concept.and_then(|c| c.pointer("/coding/0")) else {
        return String::new();
    };
    let system = first.get("system").and_then(Json::as_str).unwrap_or("");
    let code = first.get("code").and_then(Json::as_str).unwrap_or("");
    format!("{system}|{code}")
}

#[derive(Default)]
struct Fields {
    values: Vec<FieldValue>,
    skipped: Vec<Skipped>,
}

impl Fields {
    fn date(&mut self, path: &str, field: Option<&Json>, context: &str) {
        let Some(field) = field else { return };
        let parsed = field
            .as_str()
            .ok_or_else(|| "not a string".to_string())
            .and_then(|s| value::parse_date(s).map_err(|e| e.to_string()));
        self.push(path, FieldKind::Date, context, parsed);
    }

    fn quantity(&mut self, path: &str, quantity: Option<&Json>, context: &str) {
        let Some(q) = quantity else { return };
        let Some(number) = q.get("value") else { return };
        let unit = q
            .get("code")
            .or_else(|| q.get("unit"))
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string();
        let parsed = match number {
            // serde_json keeps the number's text (arbitrary_precision is off, so read it
            // back through its shortest form; FHIR decimals are written as JSON numbers).
            Json::Number(n) => {
                value::parse_decimal(&n.to_string(), DECIMALS).map_err(|e| e.to_string())
            }
            _ => Err("not a number".to_string()),
        };
        let kind = FieldKind::Decimal {
            decimals: DECIMALS,
            unit,
        };
        self.push(path, kind, context, parsed);
    }

    fn push(&mut self, path: &str, kind: FieldKind, context: &str, parsed: Result<i64, String>) {
        match parsed {
            Ok(value) => self.values.push(FieldValue {
                path: path.to_string(),
                kind,
                context: context.to_string(),
                value,
            }),
            Err(why) => self.skipped.push(Skipped {
                path: path.to_string(),
                why,
            }),
        }
    }
}

/// The full path for `path` in a record of type `record_type`: `valueQuantity.value` in
/// an Observation is `Observation.valueQuantity.value`; a full path is kept.
pub fn full_path(record_type: &str, path: &str) -> String {
    if path.starts_with(&format!("{record_type}.")) {
        path.to_string()
    } else {
        format!("{record_type}.{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observation_fields_with_components_and_code() {
        let bp = serde_json::json!({
            "resourceType": "Observation",
            "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
            "effectiveDateTime": "2026-10-02T09:00:00Z",
            "component": [
                {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                 "valueQuantity": {"value": 132, "unit": "mmHg", "code": "mm[Hg]"}},
                {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                 "valueQuantity": {"value": 85.5, "unit": "mmHg"}}
            ]
        });
        let (values, skipped) = extract(&bp).unwrap();
        assert!(skipped.is_empty());
        let paths: Vec<_> = values.iter().map(|v| v.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "Observation.effectiveDateTime",
                "Observation.component[8480-6].valueQuantity.value",
                "Observation.component[8462-4].valueQuantity.value"
            ]
        );
        assert_eq!(values[1].value, 132_000);
        assert_eq!(values[2].value, 85_500);
        assert_eq!(values[1].context, "http://loinc.org|85354-9");
        assert_eq!(
            values[1].kind,
            FieldKind::Decimal {
                decimals: 3,
                unit: "mm[Hg]".into()
            }
        );
    }

    #[test]
    fn partial_dates_and_over_precise_values_are_skipped() {
        let p = serde_json::json!({"resourceType": "Patient", "birthDate": "1980-05"});
        let (values, skipped) = extract(&p).unwrap();
        assert!(values.is_empty());
        assert_eq!(skipped[0].path, "Patient.birthDate");
        let o =
            serde_json::json!({"resourceType": "Observation", "valueQuantity": {"value": 6.51234}});
        let (values, skipped) = extract(&o).unwrap();
        assert!(values.is_empty());
        assert_eq!(skipped[0].path, "Observation.valueQuantity.value");
        assert!(extract(&serde_json::json!({"a": 1})).is_err());
    }
}
