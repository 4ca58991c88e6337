//! `GET /fhir/metadata`: the `CapabilityStatement`, which says exactly what this server
//! does (and by omission what it does not).

use ehr_sdk::fhir::{
    AUDIT_ENTRY_SYSTEM, EXTENSION_BASE, PRINCIPAL_SYSTEM, RECORD_SYSTEM, TOKEN_SYSTEM,
};
use serde_json::{json, Value};

use super::params::{DEFAULT_COUNT, MAX_COUNT, MAX_INDEXED_COUNT};
use super::{CHAIN_TAG_SYSTEM, CREATE_TYPES, FHIR_JSON, FHIR_VERSION};

/// When this CapabilityStatement last changed (its `date`).
pub const CAPABILITY_DATE: &str = "2026-12-05";

/// The R4 definitions of the `patient` search parameter this server declares, with the
/// resource types each one's `base` lists in the R4 search parameter registry. A
/// declaration for a type outside its definition's base would be wrong (R4 defines
/// `AuditEvent-patient` for AuditEvent; `clinical-patient` does not cover it).
pub const PATIENT_PARAM_DEFINITIONS: [(&str, &[&str]); 2] = [
    (
        "http://hl7.org/fhir/SearchParameter/clinical-patient",
        &[
            "AllergyIntolerance",
            "CarePlan",
            "CareTeam",
            "ClinicalImpression",
            "Composition",
            "Condition",
            "Consent",
            "DetectedIssue",
            "DeviceRequest",
            "DeviceUseStatement",
            "DiagnosticReport",
            "DocumentManifest",
            "DocumentReference",
            "Encounter",
            "EpisodeOfCare",
            "FamilyMemberHistory",
            "Flag",
            "Goal",
            "ImagingStudy",
            "Immunization",
            "List",
            "MedicationAdministration",
            "MedicationDispense",
            "MedicationRequest",
            "MedicationStatement",
            "NutritionOrder",
            "Observation",
            "Procedure",
            "RiskAssessment",
            "ServiceRequest",
            "SupplyDelivery",
            "VisionPrescription",
        ],
    ),
    (
        "http://hl7.org/fhir/SearchParameter/AuditEvent-patient",
        &["AuditEvent"],
    ),
];

/// The R4 definition of the `patient` search parameter of `ty`.
fn patient_definition(ty: &str) -> &'static str {
    PATIENT_PARAM_DEFINITIONS
        .iter()
        .find(|(_, bases)| bases.contains(&ty))
        .map(|(url, _)| *url)
        .expect("every searchable type has an R4 patient parameter")
}

fn patient_param(ty: &str) -> Value {
    json!({
        "name": "patient",
        "definition": patient_definition(ty),
        "type": "reference",
        "documentation": format!(
            "Required. The patient's Stacks principal (its Patient id): `patient=ST1…` or `patient=Patient/ST1…`. Identifier system of principals: {PRINCIPAL_SYSTEM}"
        ),
    })
}

fn interactions(codes: &[&str]) -> Value {
    Value::Array(codes.iter().map(|c| json!({ "code": c })).collect())
}

fn resource(ty: &str, codes: &[&str], search: bool, documentation: String) -> Value {
    let mut r = json!({
        "type": ty,
        "profile": format!("http://hl7.org/fhir/StructureDefinition/{ty}"),
        "documentation": documentation,
        "interaction": interactions(codes),
        "versioning": "no-version",
        "readHistory": false,
        "updateCreate": false,
        "conditionalCreate": false,
        "conditionalRead": "not-supported",
        "conditionalUpdate": false,
        "conditionalDelete": "not-supported",
    });
    if search {
        r["searchParam"] = json!([patient_param(ty)]);
    }
    r
}

/// The AuditEvent search parameters an EHR index adds (name, R4 definition, type,
/// documentation): the names of [`super::read::INDEXED_AUDIT_PARAMS`] that are search
/// parameters (`_sort` is a result parameter, told in the documentation).
fn indexed_audit_params() -> Vec<Value> {
    [
        ("agent", "http://hl7.org/fhir/SearchParameter/AuditEvent-agent", "reference", "The actor's Stacks principal: `agent=ST1…` or `agent=Practitioner/ST1…`. With or without `patient`."),
        ("action", "http://hl7.org/fhir/SearchParameter/AuditEvent-action", "token", "AuditEvent.action codes (C, R, U, D, E; system http://hl7.org/fhir/audit-event-action), comma-separated for any of them."),
        ("date", "http://hl7.org/fhir/SearchParameter/AuditEvent-date", "date", "The entry's block time (`recorded`): prefixes eq (default), ge, gt, le, lt; repeat to AND (`date=ge2026-01-01&date=lt2026-02-01`)."),
        ("_lastUpdated", "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated", "date", "The same as `date`: an entry never changes after its block."),
    ]
    .into_iter()
    .map(|(name, definition, ty, doc)| {
        json!({ "name": name, "definition": definition, "type": ty, "documentation": doc })
    })
    .collect()
}

/// The CapabilityStatement for a server whose FHIR base is `base`; `indexed`: an EHR
/// index is behind `--api`, and AuditEvent search takes its parameters.
pub fn capability_statement(base: &str, indexed: bool) -> Value {
    let origin = base.strip_suffix("/fhir").unwrap_or(base);
    let mut patient = resource(
        "Patient",
        &["read"],
        false,
        format!("A registered patient. `id` is the Stacks principal (identifier system {PRINCIPAL_SYSTEM}); `active`, registration block and verification are on chain, nothing else about the person is."),
    );
    patient["operation"] = json!([{
        "name": "export",
        "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export",
        "documentation": format!("Bulk Data Access 2.0, patient level: `GET {base}/Patient/$export` with `Prefer: respond-async` (`_type`, `_outputFormat` {}) answers 202 with the status URL; NDJSON files of every resource the caller may read, of every patient it may read (itself, and every patient whose live grant it holds; a SMART token with only patient/ scopes: its patient). Clinical resources are decrypted under the same rules as a read (a grantee's read is logged on chain).", super::export::NDJSON),
    }]);
    let mut resources = vec![
        patient,
        resource(
            "Consent",
            &["read", "search-type"],
            true,
            format!("An access token (a grant to a doctor, a token the patient holds, or an emergency access) as Consent. `id` is the token id (identifier system {TOKEN_SYSTEM}). `status` is evaluated at the chain's tip; the validity in blocks is the `{EXTENSION_BASE}block-period` extension on `provision` (the chain has block heights, not instants, so `provision.period` is not given); `provision.actor` is the grantee, `provision.action` the scope (access, correct, disclose). The search reads the patient's own tokens through the contracts' per-patient token index."),
        ),
        resource(
            "DocumentReference",
            &["read", "search-type"],
            true,
            format!("A record's on-chain metadata: `id` is the record id (identifier system {RECORD_SYSTEM}), `content[0].attachment.url` is `Binary/{{id}}` (the decrypted content), the chain's locator is in the `{EXTENSION_BASE}locator` extension, the SHA-256 of the sealed bytes in the `{EXTENSION_BASE}content-sha256` extension. The content itself is `Binary/{{id}}`."),
        ),
        resource(
            "AuditEvent",
            &["read", "search-type"],
            true,
            format!("An entry of the on-chain audit log. `id` is the entry id (identifier system {AUDIT_ENTRY_SYSTEM}); `recorded` is the time of the answer (the chain gives a block height, in the block-height extension). A search reads only the page's entries and verifies them against the hash chain (each entry's hash and its link to the global entry before it): the verdict is `Bundle.meta.tag` in {CHAIN_TAG_SYSTEM}, code `verified` or `broken` (then an OperationOutcome entry with `search.mode` = `outcome` names the break). A read carries the same tag in `AuditEvent.meta.tag`."),
        ),
        resource(
            "Binary",
            &["read"],
            false,
            "A record's decrypted content (`id` = record id), for the acting account (X-Ehr-Account) when it holds a key envelope: the patient, or a doctor with a live read grant for the record's type. A read under a grant is logged on chain (`ehr-storage.log-access`, action `view`) before it is answered; the transaction id is in the `X-Ehr-Access-Logged` header. `Accept: application/octet-stream` gets the raw bytes of non-FHIR content.".to_string(),
        ),
    ];
    if indexed {
        let audit = resources
            .iter_mut()
            .find(|r| r["type"] == "AuditEvent")
            .expect("AuditEvent is declared above");
        audit["searchParam"]
            .as_array_mut()
            .expect("AuditEvent is searchable")
            .extend(indexed_audit_params());
        audit["searchParam"][0]["documentation"] = Value::from(format!(
            "The patient's Stacks principal (its Patient id): `patient=ST1…` or `patient=Patient/ST1…`; required unless `agent` is given. Identifier system of principals: {PRINCIPAL_SYSTEM}"
        ));
        let doc = audit["documentation"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        audit["documentation"] = Value::from(format!(
            "{doc} Searched through the EHR index behind this server: `_sort=date` (oldest first, the default) or `-date`; `_count` up to {MAX_INDEXED_COUNT}; the `next` link pages by keyset (`_cursor`, the last entry's id), so a page boundary stays put while entries are appended."
        ));
    }
    for ty in CREATE_TYPES {
        resources.push(resource(
            ty,
            &["read", "create"],
            false,
            format!("Stored as a record of the patient named by `subject`/`patient` (identifier in {PRINCIPAL_SYSTEM}, or `Patient/<principal>`), else by `?patient=`, else the acting account. Sealed for the patient's key and added with `ehr-storage.add-record` signed by the acting account; the contract refuses a writer without the right (403). Answers 201 with `Location: [base]/{ty}/<record id>` and the resource as stored (`id` the record id, `meta.versionId` its version). A read decrypts it for the acting account under the same rules as Binary (key envelope needed; logged on chain under a grant); the record's metadata is DocumentReference/<record id>."),
        ));
    }
    let unsorted = if indexed {
        "_sort (but on AuditEvent), "
    } else {
        "_sort, "
    };
    json!({
        "resourceType": "CapabilityStatement",
        "id": "ehr-serve",
        "url": format!("{base}/metadata"),
        "name": "EhrServeFhirApi",
        "title": "ehr serve: FHIR R4 API over the EHR contracts on Stacks",
        "status": "active",
        "experimental": false,
        "date": CAPABILITY_DATE,
        "publisher": "ehr-stacks",
        "description": "Patient-owned health records on the Stacks blockchain: registrations, grants, record metadata and the audit log read from the contracts; records added and decrypted for the accounts this server acts for.",
        "kind": "instance",
        "software": { "name": "ehr serve", "version": env!("CARGO_PKG_VERSION") },
        "implementation": { "description": "ehr serve (ehr-web)", "url": base },
        "fhirVersion": FHIR_VERSION,
        "format": ["json", FHIR_JSON],
        "rest": [{
            "mode": "server",
            "documentation": format!(
                "Every request but `metadata` needs `Authorization: Bearer <token>`: the token printed by `ehr serve` (the local admin path; `X-Ehr-Account: <name>` picks the account the server acts as, default its first) or a SMART access token (see `security`: it acts as the account that approved the app, within its scopes). Identifiers: a Patient id is a Stacks principal ({PRINCIPAL_SYSTEM}); Consent ids are token ids ({TOKEN_SYSTEM}); DocumentReference and Binary ids are record ids ({RECORD_SYSTEM}); AuditEvent ids are audit-log entry ids ({AUDIT_ENTRY_SYSTEM}); extensions live under {EXTENSION_BASE}. Searches are paged with `_count` (default {DEFAULT_COUNT}, at most {MAX_COUNT}) and `_offset`; Bundles link `self`, `first`, `previous`, `next`, `last`. Unknown parameters are refused (400). Errors are OperationOutcome: 400 malformed request or resource, 401 missing, wrong, expired or revoked token, 403 refused (a contract's refusal carries its message; a SMART token whose scopes, patient or on-chain grant do not reach the resource), 404 unknown id or type, 405 interaction not supported, 406 no JSON accepted, 413 body too large, 415 body not JSON, 421 wrong Host, 422 a resource this server does not store, a patient that is not registered, or a resource that breaks the R4 structure definitions (one issue per problem, its path in `expression`), 502 the node failed. Not supported: update, patch, delete, vread, history, system search, conditional interactions, operations other than Patient/$export, _include, {unsorted}_summary, XML."
            ),
            "security": {
                "cors": false,
                "service": [{
                    "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                        "display": "SMART-on-FHIR",
                    }],
                    "text": "OAuth2 using the SMART App Launch profile",
                }],
                "extension": [{
                    "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                    "extension": [
                        { "url": "authorize", "valueUri": format!("{origin}{}", crate::smart::AUTHORIZE_PATH) },
                        { "url": "token", "valueUri": format!("{origin}{}", crate::smart::TOKEN_PATH) },
                        { "url": "revoke", "valueUri": format!("{origin}{}", crate::smart::REVOKE_PATH) },
                    ],
                }],
                "description": format!("SMART App Launch (standalone; {origin}{}): authorization code with PKCE S256 for apps a person approves in the dashboard (patient/ and user/ scopes, launch/patient, offline_access with rotated refresh tokens), client credentials with an ES384/RS384 signed JWT for backend services (system/ scopes); scopes: {}. Every read is also checked on chain: the acting account must be the patient, act for it, or hold a live grant from it. The bearer token printed by `ehr serve` stays the local admin path. Host header checked against the listen address. Writes are signed transactions: the contracts decide who may write; Binary needs a key envelope and, for anyone but the patient or a guardian, a live read grant.", crate::smart::CONFIGURATION_PATH, crate::smart::SCOPES_SUPPORTED.join(" ")),
            },
            "resource": resources,
            "interaction": [
                { "code": "transaction", "documentation": "POST /fhir with a transaction Bundle of creates: all entries checked (including the contract's write rule) before any is written; a chain cannot roll back a write that fails midway." },
                { "code": "batch", "documentation": "POST /fhir with a batch Bundle of creates: each entry on its own." },
            ],
            "searchParam": [
                { "name": "_count", "type": "number", "documentation": format!("Entries per page (default {DEFAULT_COUNT}, at most {MAX_COUNT}; 0 gives only the total).") },
                { "name": "_offset", "type": "number", "documentation": "Entries to skip (the `next` link carries it)." },
            ],
        }],
    })
}

/// The README's summary of the API (between `<!-- fhir-capabilities -->` markers): the
/// interactions and search parameters of each resource type, the whole-system
/// interactions and operations, and the SMART scopes, all read from `capability` (and
/// [`crate::smart::SCOPES_SUPPORTED`]), so the README and the server cannot disagree
/// (a test compares them).
pub fn summary_markdown(capability: &Value, indexed: &Value) -> String {
    let rest = &capability["rest"][0];
    let names = |items: &Value, key: &str| -> Vec<String> {
        items
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|i| i[key].as_str().map(|s| format!("`{s}`")))
                    .collect()
            })
            .unwrap_or_default()
    };
    // Types with the same interactions and parameters share a row.
    let mut rows: Vec<(String, String, Vec<String>)> = Vec::new();
    for r in rest["resource"].as_array().into_iter().flatten() {
        let interactions = names(&r["interaction"], "code").join(", ");
        let params = names(&r["searchParam"], "name").join(", ");
        let ty = r["type"].as_str().unwrap_or("").to_string();
        match rows
            .iter_mut()
            .find(|(i, p, _)| *i == interactions && *p == params)
        {
            Some(row) => row.2.push(ty),
            None => rows.push((interactions, params, vec![ty])),
        }
    }
    let mut out =
        String::from("| resource types | interactions | search parameters |\n|---|---|---|\n");
    for (interactions, params, types) in rows {
        let params = if params.is_empty() {
            "-".to_string()
        } else {
            format!("{params}, `_count`, `_offset`")
        };
        out.push_str(&format!(
            "| {} | {interactions} | {params} |\n",
            types.join(", ")
        ));
    }
    out.push_str(&format!(
        "\nWhole system: {}. Operations: {}.\n\nSMART scopes: {}.\n",
        names(&rest["interaction"], "code").join(", "),
        {
            let ops: Vec<String> = rest["resource"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| {
                    let ty = r["type"].as_str().unwrap_or("").to_string();
                    names(&r["operation"], "name")
                        .into_iter()
                        .map(move |op| format!("{ty}/${}", op.trim_matches('`')))
                })
                .map(|op| format!("`{op}`"))
                .collect();
            if ops.is_empty() {
                "none".to_string()
            } else {
                ops.join(", ")
            }
        },
        crate::smart::SCOPES_SUPPORTED
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    // What an index behind `--api` adds to each search.
    let params_of = |cap: &Value, ty: &str| -> Vec<String> {
        cap["rest"][0]["resource"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["type"] == ty)
            .flat_map(|r| names(&r["searchParam"], "name"))
            .collect()
    };
    for r in indexed["rest"][0]["resource"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let ty = r["type"].as_str().unwrap_or("");
        let plain = params_of(capability, ty);
        let added: Vec<String> = params_of(indexed, ty)
            .into_iter()
            .filter(|p| !plain.contains(p))
            .collect();
        if !added.is_empty() {
            out.push_str(&format!(
                "\nWith an `ehr index` behind `--api`, {ty} search also takes {}.\n",
                added.join(", ")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// The README's FHIR summary is the one the CapabilityStatement gives.
    #[test]
    fn the_readme_lists_what_the_capability_statement_declares() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
                .expect("README.md");
        let marker = "<!-- fhir-capabilities -->";
        let mut parts = readme.split(marker);
        let inside = parts
            .nth(1)
            .expect("README.md has the fhir-capabilities markers");
        let expected = super::summary_markdown(
            &super::capability_statement("http://h/fhir", false),
            &super::capability_statement("http://h/fhir", true),
        );
        assert_eq!(
            inside.trim(),
            expected.trim(),
            "README.md's FHIR summary differs from the CapabilityStatement; put this between the markers:\n{expected}"
        );
    }
}
