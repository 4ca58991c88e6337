//! Import: FHIR R4 JSON (a resource or a Bundle) or any other file, as records ready for
//! `add-record`.

use serde_json::{Map, Value};

use super::canonical::canonical_json;
use super::FhirError;

/// Content type of a record imported from FHIR JSON.
pub const CONTENT_TYPE_FHIR: &str = "application/fhir+json";
/// Content type of a record imported as an opaque file.
pub const CONTENT_TYPE_OCTET: &str = "application/octet-stream";
/// Longest record type the contract stores: `record-type (string-ascii 32)`.
pub const MAX_RECORD_TYPE: usize = 32;
/// The Bundle types whose entries are imported one record per `entry[].resource`. The
/// others (`message`, `history`, `transaction-response`, `batch-response`) describe
/// exchanges rather than records and are refused.
pub const BUNDLE_TYPES: [&str; 5] = [
    "transaction",
    "batch",
    "collection",
    "document",
    "searchset",
];

/// One record to store, as [`parse_import`] makes it from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRecord {
    /// The record type for `add-record`: the FHIR `resourceType` (ASCII letters, at most
    /// 32, so it fits `(string-ascii 32)`), or the caller's default for other files.
    pub record_type: String,
    /// The bytes to seal: the resource's [`canonical_json`](super::canonical_json) for
    /// FHIR, the file's bytes unchanged otherwise.
    pub content: Vec<u8>,
    /// [`CONTENT_TYPE_FHIR`] or [`CONTENT_TYPE_OCTET`].
    pub content_type: &'static str,
    /// For a Bundle entry, its `fullUrl` (e.g. `urn:uuid:…`), which other entries'
    /// references may point to; `None` for a single resource, an entry without one, or a
    /// non-FHIR file. Kept so a caller can map references to the records it creates.
    pub full_url: Option<String>,
}

/// Turns a file into the records to store.
///
/// - JSON whose top level is an object with a `resourceType` is FHIR R4. A `Bundle` of a
///   type in [`BUNDLE_TYPES`] yields one record per `entry[].resource`, in entry order
///   (entries' `request`, `response` and `search` are dropped; a Bundle nested as an
///   entry's resource stays one record). Any other resource yields one record. The
///   content is the resource's canonical JSON, the type its `resourceType`.
/// - Anything else (not JSON, not UTF-8, JSON without `resourceType`, a JSON array) is
///   "any file": one record of type `default_type` with the bytes unchanged.
///
/// A leading UTF-8 byte order mark is ignored when looking for JSON (it is kept in an
/// opaque file's content).
///
/// Only the structure needed to split and type the records is checked (see the module
/// docs): errors name the problem and its JSON path, e.g. `$.entry[1]: entry has no
/// resource`. A `default_type` that does not fit `(string-ascii 32)` is refused even when
/// it ends up unused, so a caller learns of it before the first FHIR-less file.
pub fn parse_import(bytes: &[u8], default_type: &str) -> Result<Vec<ImportedRecord>, FhirError> {
    check_record_type(default_type)?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let fhir = match serde_json::from_slice::<Value>(text) {
        Ok(Value::Object(map)) if map.contains_key("resourceType") => Some(map),
        _ => None,
    };
    let Some(resource) = fhir else {
        return Ok(vec![ImportedRecord {
            record_type: default_type.to_string(),
            content: bytes.to_vec(),
            content_type: CONTENT_TYPE_OCTET,
            full_url: None,
        }]);
    };
    let resource_type = resource_type(&resource, "$")?;
    if resource_type != "Bundle" {
        return Ok(vec![record(resource_type, &resource, None)]);
    }
    bundle_records(&resource)
}

/// Refuses a record type that does not fit the contract's `(string-ascii 32)` (for a file
/// stored as one record without being parsed, e.g. a large binary streamed in).
pub fn check_record_type(t: &str) -> Result<(), FhirError> {
    let fits = !t.is_empty()
        && t.len() <= MAX_RECORD_TYPE
        && t.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
    if fits {
        Ok(())
    } else {
        Err(FhirError::BadRecordType(t.to_string()))
    }
}

/// The resource's `resourceType`, checked to be 1-32 ASCII letters. `at` is the resource's
/// JSON path.
fn resource_type(resource: &Map<String, Value>, at: &str) -> Result<String, FhirError> {
    let path = format!("{at}.resourceType");
    let bad = |problem: String| FhirError::BadResourceType {
        path: path.clone(),
        problem,
    };
    let t = match resource.get("resourceType") {
        None => return Err(bad("is missing".into())),
        Some(Value::String(t)) => t,
        Some(other) => return Err(bad(format!("must be a string, found {}", kind(other)))),
    };
    if t.is_empty() {
        return Err(bad("is empty".into()));
    }
    if !t.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(bad(format!(
            "`{t}` must be ASCII letters only (a FHIR resource type such as `Observation`)"
        )));
    }
    if t.len() > MAX_RECORD_TYPE {
        return Err(bad(format!(
            "`{t}` is {} letters; the contract's record-type holds at most {MAX_RECORD_TYPE}",
            t.len()
        )));
    }
    Ok(t.clone())
}

fn record(
    record_type: String,
    resource: &Map<String, Value>,
    full_url: Option<String>,
) -> ImportedRecord {
    ImportedRecord {
        record_type,
        content: canonical_json(&Value::Object(resource.clone())),
        content_type: CONTENT_TYPE_FHIR,
        full_url,
    }
}

fn bundle_records(bundle: &Map<String, Value>) -> Result<Vec<ImportedRecord>, FhirError> {
    let malformed = |path: &str, problem: String| FhirError::Malformed {
        path: path.to_string(),
        problem,
    };
    let bundle_type = match bundle.get("type") {
        None => return Err(malformed("$.type", "a Bundle needs a type".into())),
        Some(Value::String(t)) => t.as_str(),
        Some(other) => {
            return Err(malformed(
                "$.type",
                format!("Bundle.type must be a string, found {}", kind(other)),
            ))
        }
    };
    if !BUNDLE_TYPES.contains(&bundle_type) {
        return Err(malformed(
            "$.type",
            format!(
                "Bundle type `{bundle_type}` cannot be imported as records (importable: {})",
                BUNDLE_TYPES.join(", ")
            ),
        ));
    }
    let entries = match bundle.get("entry") {
        None => {
            return Err(malformed(
                "$.entry",
                "the Bundle has no entries to import".into(),
            ))
        }
        Some(Value::Array(entries)) => entries,
        Some(other) => {
            return Err(malformed(
                "$.entry",
                format!("Bundle.entry must be an array, found {}", kind(other)),
            ))
        }
    };
    if entries.is_empty() {
        return Err(malformed(
            "$.entry",
            "the Bundle has no entries to import".into(),
        ));
    }
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let at = format!("$.entry[{i}]");
            let Value::Object(entry) = entry else {
                return Err(malformed(&at, format!("entry must be an object, found {}", kind(entry))));
            };
            let full_url = match entry.get("fullUrl") {
                None => None,
                Some(Value::String(u)) => Some(u.clone()),
                Some(other) => {
                    return Err(malformed(
                        &format!("{at}.fullUrl"),
                        format!("fullUrl must be a string, found {}", kind(other)),
                    ))
                }
            };
            let resource = match entry.get("resource") {
                None => {
                    return Err(malformed(
                        &at,
                        "entry has no resource (entries without one, e.g. a transaction's DELETE, cannot be imported)".into(),
                    ))
                }
                Some(Value::Object(r)) => r,
                Some(other) => {
                    return Err(malformed(
                        &format!("{at}.resource"),
                        format!("resource must be an object, found {}", kind(other)),
                    ))
                }
            };
            let t = resource_type(resource, &format!("{at}.resource"))?;
            Ok(record(t, resource, full_url))
        })
        .collect()
}

/// What kind of JSON value, for messages.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
