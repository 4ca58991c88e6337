//! FHIR R4 interop: import FHIR JSON as records, commit to a resource's fields for
//! selective disclosure, and export the chain's facts (audit trail, grants, records,
//! patients) as FHIR R4 resources.
//!
//! Everything here is a pure function over `serde_json::Value` and the SDK's types: no
//! I/O, no network, no clock. The `ehr` CLI (`ehr record add --file`, `ehr audit export
//! --format json|csv|fhir`, `ehr disclose prove`) and the `/fhir` REST API of `ehr serve`
//! both call these functions, so the two can never disagree about a mapping.
//!
//! # What is checked, and what is not
//!
//! Import makes minimal structural checks only: a `resourceType` that fits the contract's
//! `record-type (string-ascii 32)`, and a Bundle's `type`, `entry` and `entry[].resource`.
//! It is not a FHIR validator: it does not check elements, cardinalities, value sets or
//! profiles. Run a FHIR validator first if you need that.
//!
//! # Identifiers and URLs of this project
//!
//! FHIR wants absolute URIs for identifier systems, code systems and extensions. The ones
//! this project invents all live under one base, [`FHIR_BASE`]
//! (`https://ehr-stacks.example/fhir`); `.example` is a reserved top-level domain
//! (RFC 2606), so these URLs are names, not pages to fetch. They are this project's own:
//!
//! | constant | URI | what |
//! |---|---|---|
//! | [`PRINCIPAL_SYSTEM`] | `…/NamingSystem/stacks-principal` | a Stacks principal (`ST…`/`SP…`, or `ST….contract-name`) |
//! | [`RECORD_SYSTEM`] | `…/NamingSystem/record-id` | an `ehr-storage` record id |
//! | [`TOKEN_SYSTEM`] | `…/NamingSystem/token-id` | an `access-token-nft` token id |
//! | [`REQUEST_SYSTEM`] | `…/NamingSystem/request-id` | a `permission-manager` request id |
//! | [`AUDIT_ENTRY_SYSTEM`] | `…/NamingSystem/audit-entry-id` | an `audit-log` entry id |
//! | [`AUDIT_ACTION_SYSTEM`] | `…/CodeSystem/audit-action` | the on-chain action string of an audit entry |
//! | [`RECORD_TYPE_SYSTEM`] | `…/CodeSystem/record-type` | a record's `record-type` |
//! | [`TOKEN_STATE_SYSTEM`] | `…/CodeSystem/token-state` | `active`, `expired`, `revoked` |
//! | [`CONSENT_POLICY_SYSTEM`] | `…/CodeSystem/consent-policy` | `emergency-access` |
//! | [`EXTENSION_BASE`] | `…/StructureDefinition/` | every extension (see `EXT_*`) |
//!
//! Principals get a URL of this project rather than a `urn:stacks:…` name: RFC 8141 asks
//! URN namespaces to be registered, and `stacks` is not. Record, token, request and
//! entry ids are unique within one deployment of the contracts; an export that mixes
//! deployments must say which is which.
//!
//! # Block heights
//!
//! The chain knows block heights, FHIR wants instants. Nothing here invents a time:
//! heights go into extensions ([`EXT_BLOCK_HEIGHT`], [`EXT_BLOCK_PERIOD`]) and
//! `Consent.provision.period` is left out. Where FHIR makes an instant mandatory
//! (`AuditEvent.recorded`) the caller supplies it; see [`audit_event`].
//!
//! # Modules
//!
//! - import: [`parse_import`], [`ImportedRecord`]
//! - canonical JSON: [`canonical_json`]
//! - selective disclosure: [`flatten`], [`DisclosureTree`], [`Disclosure`]
//! - export: [`audit_event`], [`audit_bundle`], [`audit_csv`], [`audit_entry_from_event`],
//!   [`consent`], [`document_reference`], [`patient_resource`]

use serde_json::{json, Value};

use crate::disclosure::MerkleError;

mod canonical;
mod disclose;
mod export;
mod import;
pub mod validate;

pub use canonical::canonical_json;
pub use disclose::{field_bytes, flatten, Disclosure, DisclosureTree, MAX_FIELD_BYTES};
pub use export::{
    action_code, actions_with_code, audit_bundle, audit_csv, audit_entry_from_event, audit_event,
    consent, document_reference, patient_resource, AUDIT_ACTIONS, AUDIT_CSV_HEADER,
};
pub use import::{
    check_record_type, parse_import, ImportedRecord, BUNDLE_TYPES, CONTENT_TYPE_FHIR,
    CONTENT_TYPE_OCTET, MAX_RECORD_TYPE,
};

macro_rules! base {
    ($tail:literal) => {
        concat!("https://ehr-stacks.example/fhir", $tail)
    };
}

/// The base URL of every identifier system, code system and extension this project
/// invents. A name, not a page (`.example` is reserved, RFC 2606).
pub const FHIR_BASE: &str = base!("");
/// Identifier system of a Stacks principal; the value is the principal as text
/// (`ST1SJ3…`, or `ST1PQ….audit-log` for a contract).
pub const PRINCIPAL_SYSTEM: &str = base!("/NamingSystem/stacks-principal");
/// Identifier system of a record id of `ehr-storage` (value: the id in decimal).
pub const RECORD_SYSTEM: &str = base!("/NamingSystem/record-id");
/// Identifier system of an access token id of `access-token-nft` (value: decimal).
pub const TOKEN_SYSTEM: &str = base!("/NamingSystem/token-id");
/// Identifier system of an access request id of `permission-manager` (value: decimal).
pub const REQUEST_SYSTEM: &str = base!("/NamingSystem/request-id");
/// Identifier system of an `audit-log` entry id (value: decimal).
pub const AUDIT_ENTRY_SYSTEM: &str = base!("/NamingSystem/audit-entry-id");
/// Code system of the on-chain audit actions (`grant-access`, `add-record`, …): the
/// codes are the action strings exactly as the contracts write them.
pub const AUDIT_ACTION_SYSTEM: &str = base!("/CodeSystem/audit-action");
/// Code system of record types: the code is the record's `record-type` as stored on chain
/// (the FHIR `resourceType` for records imported from FHIR).
pub const RECORD_TYPE_SYSTEM: &str = base!("/CodeSystem/record-type");
/// Code system of a token's state at a block: `active`, `expired`, `revoked`.
pub const TOKEN_STATE_SYSTEM: &str = base!("/CodeSystem/token-state");
/// Code system of the policies a Consent rests on that no standard code names; one code:
/// `emergency-access` (a verified doctor's short read-only access, allowed unless the
/// patient opted out).
pub const CONSENT_POLICY_SYSTEM: &str = base!("/CodeSystem/consent-policy");
/// Prefix of every extension URL of this project.
pub const EXTENSION_BASE: &str = base!("/StructureDefinition/");

/// Extension: the block height an on-chain fact was written at (`valueUnsignedInt`; a
/// `valueString` in decimal if a height ever exceeds 2^31 - 1). On `AuditEvent` the
/// entry's block, on `DocumentReference` the record's `created-at`, on `Patient`
/// `registered-at`.
pub const EXT_BLOCK_HEIGHT: &str = base!("/StructureDefinition/block-height");
/// Complex extension on `Consent.provision`: the token's validity in blocks, sub-extension
/// `start` (issued-at) and `end` (expires-at: the first block at which the token no longer
/// gives access, so the range is `[start, end)`). Stands in for `provision.period`, which
/// wants instants.
pub const EXT_BLOCK_PERIOD: &str = base!("/StructureDefinition/block-period");
/// Extension on `Consent`: the token's state (`valueCoding` in [`TOKEN_STATE_SYSTEM`]),
/// which tells `expired` from `revoked` where `Consent.status` says `inactive` for both.
pub const EXT_TOKEN_STATE: &str = base!("/StructureDefinition/token-state");
/// Extension on `Consent`: the block height the status was evaluated at
/// (`valueUnsignedInt`): a Consent's status changes with the chain, the resource does not.
pub const EXT_STATUS_BLOCK: &str = base!("/StructureDefinition/status-at-block");
/// Extension on `Consent`: true for an emergency grant (`valueBoolean`).
pub const EXT_EMERGENCY: &str = base!("/StructureDefinition/emergency");
/// Extension on `Attachment`: the SHA-256 of the sealed bytes behind `url`, as the chain
/// stores it (`valueString`, 64 lowercase hex digits, as `sha256sum` prints it). Not in
/// `Attachment.hash`, which FHIR R4 defines as base64 SHA-1.
pub const EXT_CONTENT_SHA256: &str = base!("/StructureDefinition/content-sha256");
/// The FHIR base a file export names its entries under when no server base is given
/// (`ehr audit export --fhir-base`): this project's identifier namespace. `fullUrl`
/// identifies an entry in a Bundle; R4 does not require it to resolve.
pub const DEFAULT_EXPORT_BASE: &str = base!("");
/// Extension on `Attachment`: where the sealed bytes of a record live, as the chain's
/// locator says (`chain:chunks` for records kept whole on chain, `sha256:<hex>` or a store
/// URL otherwise; `valueString`). Not `Attachment.url`, which must resolve: that is the
/// record's `Binary/{id}`.
pub const EXT_LOCATOR: &str = base!("/StructureDefinition/locator");
/// Extension on `DocumentReference`: the record's version (1, 2, …; `valueUnsignedInt`).
pub const EXT_RECORD_VERSION: &str = base!("/StructureDefinition/record-version");
/// Extension on `Patient`: verified by an enabled verifier (`valueBoolean`).
pub const EXT_VERIFIED: &str = base!("/StructureDefinition/verified");
/// Extension on `Patient`: who verified the patient (`valueReference` to a principal).
pub const EXT_VERIFIED_BY: &str = base!("/StructureDefinition/verified-by");

/// What went wrong in this module. Every message names the problem, and for malformed
/// input the JSON path (`$` is the document's root, e.g. `$.entry[1].resource`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FhirError {
    /// The JSON has a `resourceType`, but it is not a usable record type.
    #[error("{path}: resourceType {problem}")]
    BadResourceType {
        /// Where, e.g. `$.resourceType` or `$.entry[0].resource.resourceType`.
        path: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The JSON is a FHIR resource whose structure cannot be imported.
    #[error("malformed FHIR JSON at {path}: {problem}")]
    Malformed {
        /// Where, e.g. `$.entry[2]`.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The caller's record type for a non-FHIR file does not fit the contract.
    #[error("record type `{0}` does not fit the contract's record-type (string-ascii 32): give 1 to 32 printable ASCII characters")]
    BadRecordType(String),
    /// No leaf field at this path.
    #[error("no field `{0}` in the resource (the paths are those flatten() lists, e.g. `code.coding[0].code`)")]
    NoSuchField(String),
    /// A field too long to be checked by the contract's `leaf-hash (field (buff 512))`.
    #[error("field `{path}` encodes to {len} bytes (path, 0x00, value); the contract's leaf-hash takes at most {max}, so it cannot be disclosed")]
    FieldTooLong {
        /// The field's path.
        path: String,
        /// Bytes of path ++ 0x00 ++ value.
        len: usize,
        /// The limit ([`MAX_FIELD_BYTES`]).
        max: usize,
    },
    /// Explicit salts that do not match the fields one to one.
    #[error("{got} salts for {expected} fields: give exactly one 32-byte salt per field, in flatten() order")]
    SaltCount {
        /// Number of fields.
        expected: usize,
        /// Number of salts given.
        got: usize,
    },
    /// Nothing to commit to.
    #[error("the resource has no leaf fields to commit to")]
    NoFields,
    /// The Merkle tree could not be built or a proof made.
    #[error("merkle tree: {0}")]
    Merkle(#[from] MerkleError),
    /// A JSON value that is not an AuditEvent as [`audit_event`] writes it.
    #[error("not an audit-log AuditEvent: {path}: {problem}")]
    NotAnAuditEvent {
        /// Where.
        path: String,
        /// What is missing or wrong.
        problem: String,
    },
}

/// A FHIR `Reference` to a Stacks principal: `identifier {system: PRINCIPAL_SYSTEM,
/// value: principal}` and `display` = the principal. A logical reference (by identifier),
/// because a principal is not a resource on any server; see [`principal_reference_as`] to
/// say what kind of resource it stands for.
pub fn principal_reference(principal: &str) -> Value {
    json!({
        "identifier": { "system": PRINCIPAL_SYSTEM, "value": principal },
        "display": principal,
    })
}

/// [`principal_reference`] with `type` (e.g. `Patient`, `Practitioner`, `Device`), the
/// resource type the principal stands for in this reference.
pub fn principal_reference_as(principal: &str, resource_type: &str) -> Value {
    let mut r = principal_reference(principal);
    r["type"] = Value::from(resource_type);
    r
}

/// `Some(text)` when `text` is a valid FHIR resource id (`[A-Za-z0-9\-\.]{1,64}`): a
/// standard principal or a decimal id is; a contract name with `_` is not.
pub(crate) fn fhir_id(text: &str) -> Option<Value> {
    let ok = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    ok.then(|| Value::from(text))
}

/// A height as FHIR `unsignedInt` when it fits (`0..=2^31-1`), else as a decimal string:
/// the extension's value member name and value.
pub(crate) fn height_value(height: u128) -> (&'static str, Value) {
    match i32::try_from(height) {
        Ok(h) => ("valueUnsignedInt", Value::from(h)),
        Err(_) => ("valueString", Value::from(height.to_string())),
    }
}

/// An extension carrying a block height.
pub(crate) fn height_extension(url: &str, height: u128) -> Value {
    let (key, value) = height_value(height);
    let mut e = json!({ "url": url });
    e[key] = value;
    e
}

/// Unix seconds as a FHIR `instant` in UTC, e.g. `2026-11-29T17:04:05Z`.
pub fn instant(unix_secs: u64) -> String {
    let (days, rem) = ((unix_secs / 86_400) as i64, unix_secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// The current time as a FHIR `instant` (see [`instant`]).
pub fn now_instant() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    instant(secs)
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn instants_are_civil_utc() {
        assert_eq!(super::instant(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::instant(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::instant(1_764_435_845), "2025-11-29T17:04:05Z");
    }
}
