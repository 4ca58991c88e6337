//! FHIR R4 interop: import of resources, Bundles and other files; field flattening and
//! selective disclosure of a resource's fields; export of the audit trail (AuditEvent,
//! Bundle, CSV), grants (Consent), records (DocumentReference) and patients, checked
//! against the elements and value sets FHIR R4 requires.

use clarity::vm::types::PrincipalData;
use ehr_sdk::audit::{verify_chain, AuditEntry};
use ehr_sdk::disclosure::{leaf_hash, MerkleTree};
use ehr_sdk::ehr::types::{Patient, Record, Scope, Token};
use ehr_sdk::fhir::*;
use serde_json::{json, Value};

// Devnet accounts (shared/reference/devnet-accounts.md): test principals only.
const DEPLOYER: &str = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const WALLET_1: &str = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const WALLET_2: &str = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";
const WALLET_3: &str = "ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC";

const OBSERVATION: &[u8] = include_bytes!("fixtures/fhir/observation.json");
const TRANSACTION: &[u8] = include_bytes!("fixtures/fhir/transaction-bundle.json");
const NO_RESOURCE_TYPE: &[u8] = include_bytes!("fixtures/fhir/no-resource-type.json");
const BAD_RESOURCE_TYPE: &[u8] = include_bytes!("fixtures/fhir/bad-resource-type.json");
const ENTRY_WITHOUT_RESOURCE: &[u8] =
    include_bytes!("fixtures/fhir/bundle-entry-without-resource.json");

fn principal(text: &str) -> PrincipalData {
    PrincipalData::parse(text).unwrap()
}

fn audit_log() -> String {
    format!("{DEPLOYER}.audit-log")
}

// ---- import -----------------------------------------------------------------------------

#[test]
fn a_single_observation_is_one_fhir_record_in_canonical_json() {
    let records = parse_import(OBSERVATION, "file").unwrap();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r.record_type, "Observation");
    assert_eq!(r.content_type, "application/fhir+json");
    assert_eq!(r.full_url, None);
    let original: Value = serde_json::from_slice(OBSERVATION).unwrap();
    let stored: Value = serde_json::from_slice(&r.content).unwrap();
    assert_eq!(stored, original, "same resource");
    let text = std::str::from_utf8(&r.content).unwrap();
    assert!(!text.contains('\n'), "no whitespace between tokens: {text}");
    assert!(
        text.starts_with(r#"{"category":[{"coding":[{"code":"vital-signs","#),
        "{text}"
    );
    assert!(text.ends_with(r#""valueQuantity":{"code":"mm[Hg]","system":"http://unitsofmeasure.org","unit":"mmHg","value":120.50}}"#), "{text}");
    // The same resource with other whitespace and member order imports to the same bytes.
    let reordered = serde_json::to_vec_pretty(&original).unwrap();
    assert_eq!(
        parse_import(&reordered, "file").unwrap()[0].content,
        r.content
    );
}

#[test]
fn a_transaction_bundle_yields_one_record_per_entry() {
    let records = parse_import(TRANSACTION, "file").unwrap();
    let types: Vec<&str> = records.iter().map(|r| r.record_type.as_str()).collect();
    assert_eq!(types, ["Patient", "Observation", "Condition"]);
    let bundle: Value = serde_json::from_slice(TRANSACTION).unwrap();
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.content_type, CONTENT_TYPE_FHIR);
        let resource: Value = serde_json::from_slice(&r.content).unwrap();
        assert_eq!(resource, bundle["entry"][i]["resource"], "entry {i}");
        assert_eq!(r.content, canonical_json(&bundle["entry"][i]["resource"]));
        assert!(!String::from_utf8_lossy(&r.content).contains("request"));
        assert_eq!(
            r.full_url.as_deref(),
            bundle["entry"][i]["fullUrl"].as_str(),
            "entry {i}"
        );
    }
}

#[test]
fn a_file_that_is_not_json_is_kept_unchanged_under_the_default_type() {
    let bytes = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    let records = parse_import(bytes, "lab-report").unwrap();
    assert_eq!(
        records,
        vec![ImportedRecord {
            record_type: "lab-report".into(),
            content: bytes.to_vec(),
            content_type: "application/octet-stream",
            full_url: None,
        }]
    );
}

#[test]
fn json_without_resource_type_is_any_file() {
    for bytes in [
        NO_RESOURCE_TYPE,
        b"[{\"resourceType\": \"Patient\"}]".as_slice(),
        b"42",
    ] {
        let records = parse_import(bytes, "scan").unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].record_type, "scan");
        assert_eq!(records[0].content, bytes, "bytes unchanged");
        assert_eq!(records[0].content_type, CONTENT_TYPE_OCTET);
    }
}

#[test]
fn a_leading_byte_order_mark_does_not_hide_fhir() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(OBSERVATION);
    let records = parse_import(&bytes, "file").unwrap();
    assert_eq!(records[0].record_type, "Observation");
}

#[test]
fn bad_resource_types_are_refused_with_their_path() {
    let err = parse_import(BAD_RESOURCE_TYPE, "file").unwrap_err();
    match &err {
        FhirError::BadResourceType { path, problem } => {
            assert_eq!(path, "$.resourceType");
            assert!(problem.contains("ASCII letters"), "{problem}");
        }
        other => panic!("wrong error {other:?}"),
    }
    assert!(err.to_string().contains("$.resourceType"), "{err}");

    let err = parse_import(br#"{"resourceType": 42}"#, "file").unwrap_err();
    assert!(err.to_string().contains("must be a string"), "{err}");
    let err = parse_import(br#"{"resourceType": ""}"#, "file").unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
    let long = format!(r#"{{"resourceType": "{}"}}"#, "A".repeat(33));
    let err = parse_import(long.as_bytes(), "file").unwrap_err();
    assert!(err.to_string().contains("at most 32"), "{err}");
    // 32 letters fit (R4's longest type, MedicinalProductContraindication, is 32).
    let fits = parse_import(
        br#"{"resourceType": "MedicinalProductContraindication"}"#,
        "f",
    );
    assert_eq!(fits.unwrap()[0].record_type.len(), 32);

    let nested = br#"{"resourceType": "Bundle", "type": "collection",
        "entry": [{"resource": {"resourceType": "Patient"}}, {"resource": {"resourceType": "Obs ervation"}}]}"#;
    match parse_import(nested, "file").unwrap_err() {
        FhirError::BadResourceType { path, .. } => {
            assert_eq!(path, "$.entry[1].resource.resourceType")
        }
        other => panic!("wrong error {other:?}"),
    }
    let missing = br#"{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"id": "x"}}]}"#;
    let err = parse_import(missing, "file").unwrap_err();
    assert_eq!(
        err.to_string(),
        "$.entry[0].resource.resourceType: resourceType is missing"
    );
}

#[test]
fn a_bundle_entry_without_resource_is_refused_with_its_path() {
    let err = parse_import(ENTRY_WITHOUT_RESOURCE, "file").unwrap_err();
    match &err {
        FhirError::Malformed { path, problem } => {
            assert_eq!(path, "$.entry[1]");
            assert!(problem.contains("no resource"), "{problem}");
        }
        other => panic!("wrong error {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("malformed FHIR JSON at $.entry[1]"),
        "{err}"
    );
}

#[test]
fn malformed_bundles_are_refused() {
    let cases: [(&[u8], &str, &str); 6] = [
        (br#"{"resourceType": "Bundle", "type": "transaction", "entry": []}"#, "$.entry", "no entries"),
        (br#"{"resourceType": "Bundle", "type": "collection"}"#, "$.entry", "no entries"),
        (br#"{"resourceType": "Bundle", "type": "batch", "entry": {"resource": {}}}"#, "$.entry", "must be an array"),
        (br#"{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}]}"#, "$.type", "needs a type"),
        (br#"{"resourceType": "Bundle", "type": "history", "entry": [{"resource": {"resourceType": "Patient"}}]}"#, "$.type", "history"),
        (br#"{"resourceType": "Bundle", "type": "document", "entry": [{"resource": []}]}"#, "$.entry[0].resource", "must be an object"),
    ];
    for (bytes, want_path, want) in cases {
        match parse_import(bytes, "file").unwrap_err() {
            FhirError::Malformed { path, problem } => {
                assert_eq!(path, want_path, "{}", String::from_utf8_lossy(bytes));
                assert!(problem.contains(want), "{problem}");
            }
            other => panic!("wrong error {other:?}"),
        }
    }
    for t in BUNDLE_TYPES {
        let b = format!(
            r#"{{"resourceType": "Bundle", "type": "{t}", "entry": [{{"resource": {{"resourceType": "Patient"}}}}]}}"#
        );
        assert_eq!(parse_import(b.as_bytes(), "file").unwrap().len(), 1, "{t}");
    }
}

#[test]
fn a_default_type_that_does_not_fit_the_contract_is_refused() {
    for bad in ["", "x".repeat(33).as_str(), "café", "a\nb"] {
        assert_eq!(
            parse_import(b"data", bad).unwrap_err(),
            FhirError::BadRecordType(bad.to_string())
        );
    }
}

// ---- canonical JSON and flattening ------------------------------------------------------

#[test]
fn canonical_json_sorts_keys_escapes_like_rfc8785_and_keeps_number_text() {
    let v: Value = serde_json::from_str(
        r#"{ "b": [1.50, -0, 1e2, 1E-2, 2.5e+3, 10, 123456789012345678901234567890], "a": "tab\there \"q\" \u0001 é/€", "\u00e9": null, "Z": true }"#,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(canonical_json(&v)).unwrap(),
        "{\"Z\":true,\"a\":\"tab\\there \\\"q\\\" \\u0001 é/€\",\"b\":[1.50,-0,1e+2,1e-2,2.5e+3,10,123456789012345678901234567890],\"é\":null}"
    );
}

fn nested_example() -> Value {
    serde_json::from_str(
        r#"{
          "resourceType": "Observation",
          "status": "final",
          "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}], "text": "Systolic"},
          "valueQuantity": {"value": 120.50, "unit": "mmHg"},
          "component": [{"valueBoolean": true}, {"valueString": null}],
          "performer": [],
          "note": [{"text": "a"},{"text": "b"},{"text": "c"},{"text": "d"},{"text": "e"},{"text": "f"},
                   {"text": "g"},{"text": "h"},{"text": "i"},{"text": "j"},{"text": "k"}],
          "extension": [{"odd.key": 1}]
        }"#,
    )
    .unwrap()
}

#[test]
fn flatten_lists_every_leaf_with_a_deterministic_path() {
    let fields = flatten(&nested_example());
    let listed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(p, v)| (p.as_str(), std::str::from_utf8(v).unwrap()))
        .collect();
    let mut expected = vec![
        ("code.coding[0].code", "\"8480-6\""),
        ("code.coding[0].system", "\"http://loinc.org\""),
        ("code.text", "\"Systolic\""),
        ("component[0].valueBoolean", "true"),
        ("component[1].valueString", "null"),
        ("extension[0][\"odd.key\"]", "1"),
        ("resourceType", "\"Observation\""),
        ("status", "\"final\""),
        ("valueQuantity.unit", "\"mmHg\""),
        ("valueQuantity.value", "120.50"),
    ];
    let notes: Vec<(String, String)> = (0..11)
        .map(|i| {
            (
                format!("note[{i}].text"),
                format!("\"{}\"", (b'a' + i as u8) as char),
            )
        })
        .collect();
    expected.extend(notes.iter().map(|(p, v)| (p.as_str(), v.as_str())));
    expected.sort();
    assert_eq!(listed, expected);
    // Byte order: `0` (0x30) sorts before `]` (0x5D), so note[10] comes before note[1].
    let order: Vec<&str> = listed
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| p.starts_with("note"))
        .collect();
    assert_eq!(
        &order[..4],
        [
            "note[0].text",
            "note[10].text",
            "note[1].text",
            "note[2].text"
        ]
    );
    // Same resource, other member order: same list.
    let reparsed: Value =
        serde_json::from_slice(&serde_json::to_vec_pretty(&nested_example()).unwrap()).unwrap();
    assert_eq!(flatten(&reparsed), fields);
}

// ---- selective disclosure ---------------------------------------------------------------

fn salts(n: usize) -> Vec<[u8; 32]> {
    (0..n).map(|i| [i as u8 + 1; 32]).collect()
}

#[test]
fn the_tree_is_rebuildable_from_the_documented_encoding() {
    let resource = nested_example();
    let n = flatten(&resource).len();
    let tree = DisclosureTree::with_salts(&resource, salts(n)).unwrap();
    // Rebuild by hand: leaf = sha256(0x00 ++ salt ++ path ++ 0x00 ++ value).
    let leaves: Vec<[u8; 32]> = flatten(&resource)
        .iter()
        .zip(salts(n))
        .map(|((path, value), salt)| {
            let mut field = path.as_bytes().to_vec();
            field.push(0);
            field.extend_from_slice(value);
            leaf_hash(&salt, &field)
        })
        .collect();
    assert_eq!(tree.root(), MerkleTree::new(leaves).unwrap().root());
    assert_eq!(
        field_bytes("valueQuantity.unit", b"\"mmHg\""),
        b"valueQuantity.unit\x00\"mmHg\"".to_vec()
    );
    assert_eq!(tree.salts(), salts(n).as_slice());
    assert_eq!(tree.fields(), flatten(&resource).as_slice());
}

#[test]
fn every_field_can_be_disclosed_and_verified() {
    let resource = nested_example();
    let n = flatten(&resource).len();
    let tree = DisclosureTree::with_salts(&resource, salts(n)).unwrap();
    for (i, (path, value)) in flatten(&resource).iter().enumerate() {
        let d = tree.disclose(path).unwrap();
        assert!(d.verify(), "{path}");
        assert_eq!(&d.path, path);
        assert_eq!(canonical_json(&d.value), *value);
        assert_eq!(d.salt, salts(n)[i]);
        assert_eq!(d.root, tree.root());
        assert_eq!(d.proof.root, tree.root());
    }
    let d = tree.disclose("valueQuantity.value").unwrap();
    assert_eq!(d.value.to_string(), "120.50", "decimal precision kept");
    assert_eq!(
        tree.disclose("valueQuantity").unwrap_err(),
        FhirError::NoSuchField("valueQuantity".into())
    );
}

#[test]
fn tampered_disclosures_fail() {
    let resource = nested_example();
    let n = flatten(&resource).len();
    let tree = DisclosureTree::with_salts(&resource, salts(n)).unwrap();
    let good = tree.disclose("valueQuantity.value").unwrap();
    assert!(good.verify());

    let mut d = good.clone();
    d.value = json!(99);
    assert!(!d.verify(), "other value");
    let mut d = good.clone();
    d.value = serde_json::from_str("120.5").unwrap();
    assert!(!d.verify(), "120.5 is not the committed 120.50");
    let mut d = good.clone();
    d.value = json!("120.50");
    assert!(!d.verify(), "string instead of number");
    let mut d = good.clone();
    d.value = json!({"value": 120});
    assert!(!d.verify(), "not a leaf");
    let mut d = good.clone();
    d.path = "valueQuantity.unit".into();
    assert!(!d.verify(), "other path");
    let mut d = good.clone();
    d.salt[0] ^= 1;
    assert!(!d.verify(), "other salt");
    let mut d = good.clone();
    d.proof.siblings[0][31] ^= 1;
    assert!(!d.verify(), "other sibling");
    let mut d = good.clone();
    d.proof.positions[0] = !d.proof.positions[0];
    assert!(!d.verify(), "other position");
    let mut d = good.clone();
    d.root[0] ^= 1;
    assert!(!d.verify(), "other root");
    let mut d = good.clone();
    d.proof.root[0] ^= 1;
    assert!(!d.verify(), "proof for another root");
    // A disclosure from another tree of the same resource (other salts) does not verify
    // against this root.
    let other = DisclosureTree::new(&resource).unwrap();
    let mut d = other.disclose("valueQuantity.value").unwrap();
    assert!(d.verify());
    assert_ne!(other.root(), tree.root());
    d.root = tree.root();
    assert!(!d.verify());
}

#[test]
fn fields_too_long_for_the_contract_are_refused_at_disclosure() {
    let long = "x".repeat(600);
    let resource =
        json!({"resourceType": "Observation", "note": [{"text": long}], "status": "final"});
    let tree = DisclosureTree::new(&resource).unwrap();
    match tree.disclose("note[0].text").unwrap_err() {
        FhirError::FieldTooLong { path, len, max } => {
            assert_eq!(path, "note[0].text");
            assert_eq!(len, "note[0].text".len() + 1 + 602);
            assert_eq!(max, 512);
        }
        other => panic!("wrong error {other:?}"),
    }
    assert!(
        tree.disclose("status").unwrap().verify(),
        "other fields still disclosable"
    );
    // Exactly 512 bytes is accepted, 513 is not.
    let fits = "y".repeat(512 - "note[0].text".len() - 1 - 2);
    let tree = DisclosureTree::new(&json!({"note": [{"text": fits}]})).unwrap();
    assert!(tree.disclose("note[0].text").unwrap().verify());
    let over = format!("{fits}y");
    let tree = DisclosureTree::new(&json!({"note": [{"text": over}]})).unwrap();
    assert!(matches!(
        tree.disclose("note[0].text"),
        Err(FhirError::FieldTooLong { len: 513, .. })
    ));
}

#[test]
fn disclosures_round_trip_through_json() {
    let resource = nested_example();
    let tree = DisclosureTree::new(&resource).unwrap();
    for path in [
        "valueQuantity.value",
        "code.coding[0].code",
        "component[1].valueString",
    ] {
        let d = tree.disclose(path).unwrap();
        let text = serde_json::to_string(&d).unwrap();
        let back: Disclosure = serde_json::from_str(&text).unwrap();
        assert_eq!(back, d);
        assert!(back.verify(), "{path}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["salt"], hex::encode(d.salt));
        assert_eq!(v["root"], hex::encode(tree.root()));
        assert_eq!(v["path"], path);
    }
    let bad = r#"{"path": "status", "value": "final", "salt": "00", "proof": {"leaf": "", "siblings": [], "positions": [], "root": ""}, "root": ""}"#;
    assert!(serde_json::from_str::<Disclosure>(bad).is_err());
}

#[test]
fn tree_construction_errors() {
    let resource = nested_example();
    let n = flatten(&resource).len();
    assert_eq!(
        DisclosureTree::with_salts(&resource, salts(n - 1)).unwrap_err(),
        FhirError::SaltCount {
            expected: n,
            got: n - 1
        }
    );
    assert_eq!(
        DisclosureTree::new(&json!({})).unwrap_err(),
        FhirError::NoFields
    );
    assert_eq!(
        DisclosureTree::new(&json!({"a": [], "b": {}})).unwrap_err(),
        FhirError::NoFields
    );
}

// ---- export: audit trail ----------------------------------------------------------------

const AUDIT_EVENT_ACTIONS: [&str; 5] = ["C", "R", "U", "D", "E"];

/// A valid hash chain of entries (computed with the same hash as the contract).
fn chain(specs: &[(&str, &str, &str, u128)]) -> Vec<AuditEntry> {
    let mut prev = hex::encode([0u8; 32]);
    specs
        .iter()
        .enumerate()
        .map(|(i, (patient, actor, action, reference))| {
            let mut e = AuditEntry {
                id: i as u128,
                patient: patient.to_string(),
                actor: actor.to_string(),
                action: action.to_string(),
                reference: *reference,
                details_hash: hex::encode([i as u8 + 7; 32]),
                block: 10 + i as u128,
                prev_hash: prev.clone(),
                entry_hash: String::new(),
            };
            e.entry_hash = hex::encode(e.compute_hash().unwrap());
            prev = e.entry_hash.clone();
            e
        })
        .collect()
}

fn sample_chain() -> Vec<AuditEntry> {
    chain(&[
        (WALLET_1, WALLET_1, "register-patient", 0),
        (WALLET_2, DEPLOYER, "verify-doctor", 5000),
        (WALLET_1, WALLET_1, "add-record", 1),
        (WALLET_1, WALLET_1, "grant-access", 1),
        (WALLET_1, WALLET_2, "view", 1),
        (WALLET_1, WALLET_2, "emergency-access", 2),
        (WALLET_1, WALLET_1, "revoke-access", 1),
    ])
}

fn coding_in(concept_or_coding: &Value, system: &str) -> Option<String> {
    let codings = match concept_or_coding.get("coding") {
        Some(Value::Array(c)) => c.clone(),
        _ => vec![concept_or_coding.clone()],
    };
    codings
        .iter()
        .find(|c| c["system"] == system)
        .and_then(|c| c["code"].as_str())
        .map(str::to_string)
}

/// Every extension URL in `v` is absolute and this project's (sub-extensions of a complex
/// extension may be relative names).
fn check_extensions(v: &Value, inside_extension: bool) {
    match v {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "extension" {
                    for ext in item.as_array().expect("extension is an array") {
                        let url = ext["url"].as_str().expect("extension has a url");
                        if !inside_extension {
                            assert!(url.starts_with(EXTENSION_BASE), "{url}");
                            assert!(url.starts_with("https://"), "{url}");
                        }
                        check_extensions(ext, true);
                    }
                } else {
                    check_extensions(item, false);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|i| check_extensions(i, inside_extension)),
        _ => {}
    }
}

#[test]
fn audit_events_have_the_required_r4_elements() {
    let entries = sample_chain();
    let recorded = "2024-05-01T12:00:00Z";
    for e in &entries {
        let ev = audit_event(e, &audit_log(), recorded);
        assert_eq!(ev["resourceType"], "AuditEvent");
        assert_eq!(ev["id"], e.id.to_string());
        // type 1..1 Coding, from the audit-event-type value set (DICOM codes).
        let ty = coding_in(&ev["type"], "http://dicom.nema.org/resources/ontology/DCM").unwrap();
        assert!(["110110", "110113"].contains(&ty.as_str()), "{ty}");
        assert_eq!(
            coding_in(&ev["subtype"][0], AUDIT_ACTION_SYSTEM).unwrap(),
            e.action
        );
        assert!(AUDIT_EVENT_ACTIONS.contains(&ev["action"].as_str().unwrap()));
        assert_eq!(ev["recorded"], recorded);
        // agent 1..*, each with requestor (boolean) and who.
        let agents = ev["agent"].as_array().unwrap();
        assert!(!agents.is_empty());
        assert!(agents.iter().all(|a| a["requestor"].is_boolean()));
        assert_eq!(agents[0]["requestor"], true);
        assert_eq!(agents[0]["who"]["identifier"]["system"], PRINCIPAL_SYSTEM);
        assert_eq!(agents[0]["who"]["identifier"]["value"], e.actor.as_str());
        // source 1..1 with observer 1..1: the audit-log contract.
        assert_eq!(
            ev["source"]["observer"]["identifier"]["system"],
            PRINCIPAL_SYSTEM
        );
        assert_eq!(ev["source"]["observer"]["identifier"]["value"], audit_log());
        assert_eq!(ev["source"]["observer"]["type"], "Device");
        // entity: the subject, and the entry's hash-chain details.
        let entities = ev["entity"].as_array().unwrap();
        assert_eq!(
            entities[0]["what"]["identifier"]["value"],
            e.patient.as_str()
        );
        let entry_entity = entities
            .iter()
            .find(|x| x["what"]["identifier"]["system"] == AUDIT_ENTRY_SYSTEM)
            .unwrap();
        let detail = |kind: &str| {
            entry_entity["detail"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["type"] == kind)
                .unwrap()["valueString"]
                .clone()
        };
        assert_eq!(detail("prev-hash"), e.prev_hash.as_str());
        assert_eq!(detail("entry-hash"), e.entry_hash.as_str());
        assert_eq!(detail("details-hash"), e.details_hash.as_str());
        assert_eq!(detail("ref"), e.reference.to_string());
        // every entity.detail has type and a value
        for x in entities {
            for d in x["detail"].as_array().into_iter().flatten() {
                assert!(d["type"].is_string() && d["valueString"].is_string());
            }
        }
        let block_ext = ev["extension"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["url"] == EXT_BLOCK_HEIGHT)
            .unwrap();
        assert_eq!(block_ext["valueUnsignedInt"], e.block as u64);
        check_extensions(&ev, false);
    }
}

#[test]
fn audit_events_name_what_each_action_is_about() {
    let entries = sample_chain();
    let ev = |i: usize| audit_event(&entries[i], &audit_log(), "2024-05-01T12:00:00Z");
    // register-patient: create, no ref entity.
    assert_eq!(ev(0)["action"], "C");
    assert_eq!(ev(0)["entity"].as_array().unwrap().len(), 2);
    assert_eq!(ev(0)["entity"][0]["what"]["type"], "Patient");
    // verify-doctor: a Security Alert about a practitioner; ref is expires-at, not an id.
    assert_eq!(
        coding_in(
            &ev(1)["type"],
            "http://dicom.nema.org/resources/ontology/DCM"
        )
        .unwrap(),
        "110113"
    );
    assert_eq!(ev(1)["entity"][0]["what"]["type"], "Practitioner");
    assert_eq!(ev(1)["entity"].as_array().unwrap().len(), 2);
    // add-record: the record as a DocumentReference.
    assert_eq!(ev(2)["entity"][1]["what"]["type"], "DocumentReference");
    assert_eq!(
        ev(2)["entity"][1]["what"]["identifier"]["system"],
        RECORD_SYSTEM
    );
    // grant-access: the token as a Consent.
    assert_eq!(ev(3)["entity"][1]["what"]["type"], "Consent");
    assert_eq!(
        ev(3)["entity"][1]["what"]["identifier"],
        json!({"system": TOKEN_SYSTEM, "value": "1"})
    );
    // a logged view: read.
    assert_eq!(ev(4)["action"], "R");
    // emergency access: Security Alert, Emergency Override Started, purpose ETREAT.
    let em = ev(5);
    assert_eq!(
        coding_in(&em["type"], "http://dicom.nema.org/resources/ontology/DCM").unwrap(),
        "110113"
    );
    assert_eq!(
        coding_in(
            &em["subtype"][1],
            "http://dicom.nema.org/resources/ontology/DCM"
        )
        .unwrap(),
        "110127"
    );
    assert_eq!(
        coding_in(
            &em["agent"][0]["purposeOfUse"][0],
            "http://terminology.hl7.org/CodeSystem/v3-ActReason"
        )
        .unwrap(),
        "ETREAT"
    );
    // revoke: delete (the token is burned).
    assert_eq!(ev(6)["action"], "D");
}

/// Every action string the contracts pass to the audit log (`(log … "x" …)` and
/// `append-entry … "x"`) has an explicit mapping; only `log-access`'s actions (a closed
/// set no contract uses) fall through to R.
#[test]
fn every_contract_action_is_mapped() {
    let logging = [
        "patient-registry",
        "doctor-registry",
        "ehr-storage",
        "permission-manager",
        "access-token-nft",
    ];
    let sources = ehr_sdk::ehr::EHR_CONTRACTS
        .iter()
        .filter(|(name, _)| logging.contains(name))
        .map(|(_, source)| *source);
    let mut actions = Vec::new();
    for src in sources {
        for line in src.lines() {
            let logs = (line.contains("(log ") || line.contains("append-entry"))
                && !line.contains("define-");
            if !logs {
                continue;
            }
            actions.extend(line.split('"').skip(1).step_by(2).map(str::to_string));
        }
    }
    assert!(actions.len() >= 25, "found {actions:?}");
    for a in &actions {
        let code = action_code(a);
        assert!(["C", "U", "D"].contains(&code), "{a} -> {code}");
    }
    for logged in ehr_sdk::ehr::calls::LOGGED_ACTIONS {
        assert!(
            !actions.iter().any(|a| a == logged),
            "{logged} is a contract action"
        );
        assert_eq!(action_code(logged), "R");
    }
    assert_eq!(action_code("revoke-access"), "D");
    assert_eq!(action_code("amend-record"), "U");
    assert_eq!(action_code("add-record"), "C");
}

#[test]
fn the_audit_bundle_is_a_searchset_and_its_chain_verifies_after_export() {
    let entries = sample_chain();
    verify_chain(&entries, [0; 32]).unwrap();
    let bundle = audit_bundle(
        &entries,
        &audit_log(),
        "https://clinic.example/fhir/",
        |e| format!("2024-05-01T12:00:{:02}Z", e.block),
    );
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "searchset");
    assert_eq!(bundle["total"], entries.len());
    let items = bundle["entry"].as_array().unwrap();
    assert_eq!(items.len(), entries.len());
    for (item, e) in items.iter().zip(&entries) {
        assert_eq!(item["resource"]["resourceType"], "AuditEvent");
        assert_eq!(item["search"]["mode"], "match");
        // R4: every entry of a searchset has a fullUrl, naming the resource by its id.
        assert_eq!(
            item["fullUrl"],
            format!("https://clinic.example/fhir/AuditEvent/{}", e.id)
        );
        assert_eq!(
            item["resource"]["recorded"],
            format!("2024-05-01T12:00:{:02}Z", e.block)
        );
    }
    // Read back from the export alone (through JSON text) and re-verify the chain.
    let text = serde_json::to_string(&bundle).unwrap();
    let parsed: Value = serde_json::from_str(&text).unwrap();
    let back: Vec<AuditEntry> = parsed["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| audit_entry_from_event(&i["resource"]).unwrap())
        .collect();
    assert_eq!(back, entries);
    verify_chain(&back, [0; 32]).unwrap();

    // An export whose details were altered no longer verifies.
    let mut altered = parsed.clone();
    altered["entry"][3]["resource"]["entity"][1]["what"]["identifier"]["value"] = json!("2");
    let details = altered["entry"][3]["resource"]["entity"][2]["detail"]
        .as_array_mut()
        .unwrap();
    details[0]["valueString"] = json!("2");
    let back: Vec<AuditEntry> = altered["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| audit_entry_from_event(&i["resource"]).unwrap())
        .collect();
    assert!(verify_chain(&back, [0; 32]).is_err());

    assert!(matches!(
        audit_entry_from_event(&json!({"resourceType": "Consent"})),
        Err(FhirError::NotAnAuditEvent { .. })
    ));
}

#[test]
fn the_csv_quotes_as_rfc4180_says() {
    let contract = format!("{DEPLOYER}.ehr-storage");
    let entries = vec![
        AuditEntry {
            id: 0,
            patient: WALLET_1.into(),
            actor: contract.clone(),
            action: "add-record".into(),
            reference: 1,
            details_hash: "ab".repeat(32),
            block: 7,
            prev_hash: "00".repeat(32),
            entry_hash: "cd".repeat(32),
        },
        AuditEntry {
            id: 1,
            patient: WALLET_1.into(),
            actor: WALLET_2.into(),
            action: "view, \"then\" print".into(),
            reference: 1,
            details_hash: "ef".repeat(32),
            block: 8,
            prev_hash: "cd".repeat(32),
            entry_hash: "12".repeat(32),
        },
        AuditEntry {
            id: 2,
            patient: WALLET_1.into(),
            actor: WALLET_2.into(),
            action: "two\nlines".into(),
            reference: 3,
            details_hash: "ef".repeat(32),
            block: 9,
            prev_hash: "12".repeat(32),
            entry_hash: "34".repeat(32),
        },
    ];
    let csv = audit_csv(&entries);
    let expected = format!(
        "id,patient,actor,action,ref,details_hash,block,prev_hash,entry_hash\r\n\
         0,{WALLET_1},{contract},add-record,1,{},7,{},{}\r\n\
         1,{WALLET_1},{WALLET_2},\"view, \"\"then\"\" print\",1,{},8,{},{}\r\n\
         2,{WALLET_1},{WALLET_2},\"two\nlines\",3,{},9,{},{}\r\n",
        "ab".repeat(32),
        "00".repeat(32),
        "cd".repeat(32),
        "ef".repeat(32),
        "cd".repeat(32),
        "12".repeat(32),
        "ef".repeat(32),
        "12".repeat(32),
        "34".repeat(32),
    );
    assert_eq!(csv, expected);
    assert_eq!(audit_csv(&[]), format!("{AUDIT_CSV_HEADER}\r\n"));
}

// ---- export: grants, records, patients --------------------------------------------------

const CONSENT_STATES: [&str; 6] = [
    "draft",
    "proposed",
    "active",
    "rejected",
    "inactive",
    "entered-in-error",
];
const CONSENT_ACTIONS: [&str; 5] = ["collect", "access", "use", "disclose", "correct"];

fn token(id: u64, scope: Scope, emergency: bool, revoked: bool) -> Token {
    Token {
        id,
        patient: principal(WALLET_1),
        grantee: principal(WALLET_2),
        scope,
        record_type: Some("Observation".into()),
        expires_at: 200,
        issued_at: 100,
        emergency,
        revoked,
    }
}

fn check_consent_required(c: &Value) {
    assert_eq!(c["resourceType"], "Consent");
    assert!(CONSENT_STATES.contains(&c["status"].as_str().unwrap()));
    assert_eq!(
        coding_in(
            &c["scope"],
            "http://terminology.hl7.org/CodeSystem/consentscope"
        )
        .unwrap(),
        "patient-privacy"
    );
    let category = c["category"].as_array().unwrap();
    assert_eq!(
        coding_in(&category[0], "http://loinc.org").unwrap(),
        "59284-0"
    );
    // ppc-1: a policy or a policy rule; ppc-2: privacy scope needs a patient.
    assert!(c.get("policy").is_some() || c.get("policyRule").is_some());
    assert_eq!(c["patient"]["identifier"]["value"], WALLET_1);
    assert_eq!(c["patient"]["identifier"]["system"], PRINCIPAL_SYSTEM);
    let p = &c["provision"];
    assert_eq!(p["type"], "permit");
    for actor in p["actor"].as_array().unwrap() {
        assert!(actor["role"]["coding"].is_array(), "actor.role 1..1");
        assert_eq!(
            actor["reference"]["identifier"]["value"], WALLET_2,
            "actor.reference 1..1"
        );
    }
    for a in p["action"].as_array().unwrap() {
        let code = coding_in(a, "http://terminology.hl7.org/CodeSystem/consentaction").unwrap();
        assert!(CONSENT_ACTIONS.contains(&code.as_str()), "{code}");
    }
    assert!(p.get("period").is_none(), "no invented instants");
    check_extensions(c, false);
}

fn ext<'a>(v: &'a Value, url: &str) -> &'a Value {
    v["extension"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["url"] == url)
        .unwrap_or_else(|| panic!("no extension {url} in {v}"))
}

#[test]
fn consent_status_follows_the_token_state() {
    let live = token(1, Scope::READ, false, false);
    let c = consent(&live, 150);
    check_consent_required(&c);
    assert_eq!(c["status"], "active");
    assert_eq!(ext(&c, EXT_TOKEN_STATE)["valueCoding"]["code"], "active");
    assert_eq!(ext(&c, EXT_STATUS_BLOCK)["valueUnsignedInt"], 150);

    let c = consent(&live, 200);
    check_consent_required(&c);
    assert_eq!(c["status"], "inactive", "expires-at is exclusive");
    assert_eq!(ext(&c, EXT_TOKEN_STATE)["valueCoding"]["code"], "expired");

    let revoked = token(1, Scope::READ, false, true);
    let c = consent(&revoked, 150);
    check_consent_required(&c);
    assert_eq!(c["status"], "inactive");
    assert_eq!(ext(&c, EXT_TOKEN_STATE)["valueCoding"]["code"], "revoked");
}

#[test]
fn consent_carries_scope_period_grantee_and_record_type() {
    let c = consent(
        &token(
            4,
            Scope::READ.union(Scope::WRITE).union(Scope::SHARE),
            false,
            false,
        ),
        150,
    );
    check_consent_required(&c);
    assert_eq!(c["id"], "4");
    assert_eq!(
        c["identifier"][0],
        json!({"system": TOKEN_SYSTEM, "value": "4"})
    );
    let p = &c["provision"];
    let actions: Vec<String> = p["action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| coding_in(a, "http://terminology.hl7.org/CodeSystem/consentaction").unwrap())
        .collect();
    assert_eq!(actions, ["access", "correct", "disclose"]);
    let roles: Vec<String> = p["actor"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            coding_in(
                &a["role"],
                "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
            )
            .unwrap()
        })
        .collect();
    assert_eq!(roles, ["IRCP", "AUT"]);
    assert_eq!(
        p["class"],
        json!([{"system": RECORD_TYPE_SYSTEM, "code": "Observation"}])
    );
    let period = ext(p, EXT_BLOCK_PERIOD);
    assert_eq!(
        period["extension"],
        json!([
            {"url": "start", "valueUnsignedInt": 100},
            {"url": "end", "valueUnsignedInt": 200},
        ])
    );
    assert_eq!(c["performer"][0]["identifier"]["value"], WALLET_1);
    assert_eq!(
        coding_in(
            &c["policyRule"],
            "http://terminology.hl7.org/CodeSystem/v3-ActCode"
        )
        .unwrap(),
        "OPTIN"
    );

    let write_only = consent(&token(5, Scope::WRITE, false, false), 150);
    let roles: Vec<&Value> = write_only["provision"]["actor"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(roles.len(), 1);
    assert_eq!(
        coding_in(
            &write_only["provision"]["action"][0],
            "http://terminology.hl7.org/CodeSystem/consentaction"
        )
        .unwrap(),
        "correct"
    );

    let mut any_type = token(6, Scope::READ, false, false);
    any_type.record_type = None;
    assert!(consent(&any_type, 150)["provision"].get("class").is_none());
}

#[test]
fn an_emergency_consent_says_so() {
    let c = consent(&token(9, Scope::READ, true, false), 150);
    check_consent_required(&c);
    assert_eq!(ext(&c, EXT_EMERGENCY)["valueBoolean"], true);
    assert!(c.get("performer").is_none(), "the patient did not grant it");
    assert_eq!(
        coding_in(&c["policyRule"], CONSENT_POLICY_SYSTEM).unwrap(),
        "emergency-access"
    );
    assert_eq!(
        coding_in(
            &c["provision"]["purpose"][0],
            "http://terminology.hl7.org/CodeSystem/v3-ActReason"
        )
        .unwrap(),
        "ETREAT"
    );
}

fn record(id: u64, version: u64, previous: Option<u64>, superseded_by: Option<u64>) -> Record {
    Record {
        id,
        patient: principal(WALLET_1),
        record_type: "Observation".into(),
        content_hash: [0xab; 32],
        locator: "chain:chunks".into(),
        version,
        previous,
        superseded_by,
        author: principal(WALLET_3),
        created_at: 42,
        chunk_count: 1,
    }
}

fn check_document_reference_required(d: &Value) {
    assert_eq!(d["resourceType"], "DocumentReference");
    assert!(["current", "superseded", "entered-in-error"].contains(&d["status"].as_str().unwrap()));
    let content = d["content"].as_array().unwrap();
    assert!(!content.is_empty());
    let attachment = &content[0]["attachment"];
    assert!(attachment["contentType"].is_string());
    // The url resolves on a FHIR server (the record's Binary); the locator is an extension.
    assert_eq!(
        attachment["url"],
        format!("Binary/{}", d["id"].as_str().unwrap())
    );
    assert_eq!(
        ext(attachment, ehr_sdk::fhir::EXT_LOCATOR)["valueString"],
        "chain:chunks"
    );
    assert!(
        attachment.get("hash").is_none(),
        "R4's hash is SHA-1: ours is not put there"
    );
    assert_eq!(
        ext(attachment, EXT_CONTENT_SHA256)["valueString"],
        "ab".repeat(32)
    );
    assert_eq!(d["type"]["text"], "Observation");
    assert_eq!(d["subject"]["identifier"]["value"], WALLET_1);
    assert_eq!(d["author"][0]["identifier"]["value"], WALLET_3);
    check_extensions(d, false);
}

#[test]
fn document_references_are_current_until_superseded() {
    let first = document_reference(&record(1, 1, None, Some(2)));
    check_document_reference_required(&first);
    assert_eq!(first["status"], "superseded");
    assert!(first.get("relatesTo").is_none());
    assert_eq!(
        first["identifier"][0],
        json!({"system": RECORD_SYSTEM, "value": "1"})
    );

    let second = document_reference(&record(2, 2, Some(1), None));
    check_document_reference_required(&second);
    assert_eq!(second["status"], "current");
    assert_eq!(second["relatesTo"][0]["code"], "replaces");
    assert_eq!(
        second["relatesTo"][0]["target"]["identifier"],
        json!({"system": RECORD_SYSTEM, "value": "1"})
    );
    assert_eq!(ext(&second, EXT_RECORD_VERSION)["valueUnsignedInt"], 2);
    assert_eq!(ext(&second, EXT_BLOCK_HEIGHT)["valueUnsignedInt"], 42);
}

#[test]
fn patients_are_identified_by_their_principal() {
    let patient = Patient {
        id_hash: [1; 32],
        enc_pubkey: [2; 33],
        registered_at: 3,
        active: true,
        verified: true,
        verified_by: Some(principal(DEPLOYER)),
    };
    let p = patient_resource(WALLET_1, &patient);
    assert_eq!(p["resourceType"], "Patient");
    assert_eq!(p["id"], WALLET_1);
    assert_eq!(
        p["identifier"][0],
        json!({"system": PRINCIPAL_SYSTEM, "value": WALLET_1})
    );
    assert_eq!(p["active"], true);
    assert_eq!(ext(&p, EXT_VERIFIED)["valueBoolean"], true);
    assert_eq!(
        ext(&p, EXT_VERIFIED_BY)["valueReference"]["identifier"]["value"],
        DEPLOYER
    );
    check_extensions(&p, false);

    let inactive = Patient {
        active: false,
        verified: false,
        verified_by: None,
        ..patient
    };
    let p = patient_resource(WALLET_1, &inactive);
    assert_eq!(p["active"], false);
    assert!(p["extension"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["url"] != EXT_VERIFIED_BY));
}

#[test]
fn principal_references_and_systems_are_absolute_uris() {
    let r = principal_reference(WALLET_2);
    assert_eq!(
        r,
        json!({"identifier": {"system": PRINCIPAL_SYSTEM, "value": WALLET_2}, "display": WALLET_2})
    );
    assert_eq!(
        principal_reference_as(WALLET_2, "Practitioner")["type"],
        "Practitioner"
    );
    for uri in [
        PRINCIPAL_SYSTEM,
        RECORD_SYSTEM,
        TOKEN_SYSTEM,
        REQUEST_SYSTEM,
        AUDIT_ENTRY_SYSTEM,
        AUDIT_ACTION_SYSTEM,
        RECORD_TYPE_SYSTEM,
        TOKEN_STATE_SYSTEM,
        CONSENT_POLICY_SYSTEM,
        EXTENSION_BASE,
    ] {
        assert!(uri.starts_with(FHIR_BASE), "{uri}");
        assert!(uri.starts_with("https://ehr-stacks.example/fhir/"), "{uri}");
        assert!(!uri.contains(' '));
    }
}
