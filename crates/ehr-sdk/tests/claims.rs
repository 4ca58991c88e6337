//! Zero-knowledge claims without a chain: true statements verify for every predicate kind;
//! false ones cannot be proven; tampered proofs, wrong commitments, other records and any
//! byte flip in a proof file are refused. (The chain checks are in
//! crates/ehr-harness/tests/ehr_claims.rs.)

use ehr_sdk::claims::value::{parse_date, today};
use ehr_sdk::claims::{
    extract, ClaimProof, ClaimsError, ClaimsSecret, FieldKind, Predicate, RecordRef, SignedSet,
};
use ehr_sdk::crypto::DataKey;
use ehr_sdk::keys::SecretKey;

/// wallet_1 (the patient) and wallet_2 (the doctor who wrote the record).
const PATIENT: &str = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const DOCTOR: &str = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";
const DOCTOR_KEY: &str = "530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc209101";
const OTHER_KEY: &str = "d655b2523bcd65e34889725c73064feb17ceb796831c0e111ba1a552b0f31b3901";

fn record(id: u64) -> RecordRef {
    RecordRef {
        storage: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.ehr-storage".into(),
        id,
        patient: PATIENT.into(),
        author: DOCTOR.into(),
        content_hash: [id as u8; 32],
    }
}

fn hba1c(value: f64) -> serde_json::Value {
    serde_json::json!({
        "resourceType": "Observation",
        "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}]},
        "effectiveDateTime": "2026-10-02",
        "valueQuantity": {"value": value, "unit": "%", "code": "%"}
    })
}

struct Fixture {
    set: SignedSet,
    secret: ClaimsSecret,
    resource: serde_json::Value,
}

fn committed(resource: serde_json::Value, id: u64) -> Fixture {
    let secret = ClaimsSecret::from_data_key(&DataKey::generate());
    let (values, skipped) = extract(&resource).unwrap();
    assert!(skipped.is_empty());
    let key = SecretKey::from_hex(DOCTOR_KEY).unwrap();
    let set = SignedSet::create(record(id), &values, &secret, &key).unwrap();
    Fixture {
        set,
        secret,
        resource,
    }
}

fn value_of(f: &Fixture, path: &str) -> i64 {
    let (values, _) = extract(&f.resource).unwrap();
    values.iter().find(|v| v.path == path).unwrap().value
}

fn prove(f: &Fixture, path: &str, predicate: Predicate) -> Result<ClaimProof, ClaimsError> {
    ClaimProof::create(&f.set, 42, path, value_of(f, path), &f.secret, predicate)
}

const VALUE: &str = "Observation.valueQuantity.value";

#[test]
fn true_statements_verify_for_every_predicate_kind() {
    let f = committed(hba1c(6.1), 12);
    let today = today();
    let cases = [
        (VALUE, Predicate::Below { max: 6500 }),
        (VALUE, Predicate::AtLeast { min: 6100 }),
        (
            VALUE,
            Predicate::Range {
                min: 4000,
                max: 6100,
            },
        ),
        (
            "Observation.effectiveDateTime",
            Predicate::DateWithin {
                days: 365,
                as_of: parse_date("2027-01-01").unwrap(),
            },
        ),
    ];
    for (path, predicate) in cases {
        let proof = prove(&f, path, predicate.clone()).unwrap();
        let checked = proof
            .verify(today.max(parse_date("2027-01-01").unwrap()))
            .unwrap();
        assert_eq!(checked.anchor, f.set.digest(), "{predicate:?}");
        // And through the file format.
        let back = ClaimProof::from_json(proof.to_json().as_bytes()).unwrap();
        assert_eq!(back, proof);
        assert!(back.claim.contains("4548-4"), "{}", back.claim);
        assert!(back.leaks.contains("not revealed"));
    }
    // A birth date: "at least 18 on 2026-12-05" is "born on or before 2008-12-05".
    let p = committed(
        serde_json::json!({"resourceType": "Patient", "birthDate": "1969-07-20"}),
        3,
    );
    let born_by = parse_date("2008-12-05").unwrap();
    let proof = prove(
        &p,
        "Patient.birthDate",
        Predicate::Below { max: born_by + 1 },
    )
    .unwrap();
    proof.verify(today).unwrap();
    assert!(
        !proof.to_json().contains("1969"),
        "the birth date is not in the proof"
    );
}

#[test]
fn values_just_outside_the_bound_cannot_be_proven() {
    let f = committed(hba1c(6.5), 12);
    for predicate in [
        Predicate::Below { max: 6500 },
        Predicate::AtLeast { min: 6501 },
        Predicate::Range {
            min: 6501,
            max: 7000,
        },
        Predicate::Range {
            min: 6000,
            max: 6499,
        },
    ] {
        assert!(
            matches!(
                prove(&f, VALUE, predicate.clone()),
                Err(ClaimsError::NotTrue { .. })
            ),
            "{predicate:?}"
        );
    }
    let date = "Observation.effectiveDateTime";
    let as_of = parse_date("2027-10-03").unwrap();
    assert!(matches!(
        prove(&f, date, Predicate::DateWithin { days: 365, as_of }),
        Err(ClaimsError::NotTrue { .. })
    ));
    assert!(prove(&f, date, Predicate::DateWithin { days: 366, as_of }).is_ok());
    // A date-within claim about a day still to come is refused by the verifier.
    let future = prove(
        &f,
        date,
        Predicate::DateWithin {
            days: 36_500,
            as_of: today() + 30,
        },
    )
    .unwrap();
    assert!(matches!(
        future.verify(today()),
        Err(ClaimsError::BadPredicate(_))
    ));
}

#[test]
fn a_proof_claiming_another_predicate_or_commitment_is_refused() {
    let f = committed(hba1c(6.1), 12);
    let proof = prove(&f, VALUE, Predicate::Below { max: 6500 }).unwrap();
    // Same range proof, a stronger claim (with the texts made to match).
    let mut stronger = proof.clone();
    stronger.predicate = Predicate::Below { max: 6000 };
    let relabel = |p: &mut ClaimProof| {
        p.claim = p.claim.replace("6.5 %", "6 %");
    };
    relabel(&mut stronger);
    assert!(stronger.verify(today()).is_err());
    // Another commitment (a lower value, committed with the same secret) swapped in:
    // the entry no longer matches the signed set.
    let mut swapped = proof.clone();
    let lower = committed(hba1c(5.0), 12);
    swapped.entry = lower.set.entries[1].clone();
    assert!(swapped.verify(today()).is_err());
    // A proof moved onto another record.
    let mut moved = proof.clone();
    moved.record = record(13);
    moved.claim = moved.claim.replace("#12", "#13");
    moved.leaks = moved.leaks.replace("#12", "#13");
    assert!(moved.verify(today()).is_err());
    // A set re-signed by someone else than the record's author.
    let mut resigned = proof.clone();
    let other = SecretKey::from_hex(OTHER_KEY).unwrap();
    let (values, _) = extract(&f.resource).unwrap();
    let forged = SignedSet::create(record(12), &values, &f.secret, &other);
    assert!(matches!(forged, Err(ClaimsError::BadSignature(_))));
    resigned.author_signature[0] ^= 1;
    assert!(resigned.verify(today()).is_err());
    // The wrong secret (another record's key) does not open the signed commitment.
    let wrong = ClaimsSecret::from_data_key(&DataKey::generate());
    assert!(matches!(
        ClaimProof::create(
            &f.set,
            42,
            VALUE,
            6100,
            &wrong,
            Predicate::Below { max: 6500 }
        ),
        Err(ClaimsError::CommitmentMismatch(_))
    ));
    // Nor does another value.
    assert!(matches!(
        ClaimProof::create(
            &f.set,
            42,
            VALUE,
            6000,
            &f.secret,
            Predicate::Below { max: 6500 }
        ),
        Err(ClaimsError::CommitmentMismatch(_))
    ));
}

#[test]
fn every_byte_flip_in_a_proof_file_is_refused() {
    let f = committed(hba1c(6.1), 12);
    let proof = prove(
        &f,
        VALUE,
        Predicate::Range {
            min: 4000,
            max: 6500,
        },
    )
    .unwrap();
    let json = proof.to_json().into_bytes();
    assert!(ClaimProof::from_json(&json)
        .unwrap()
        .verify(today())
        .is_ok());
    for i in 0..json.len() {
        let mut bad = json.clone();
        bad[i] ^= 0x01;
        let verdict = ClaimProof::from_json(&bad).and_then(|p| p.verify(today()));
        assert!(
            verdict.is_err(),
            "flipping byte {i} ({:?}) still verifies",
            json[i] as char
        );
    }
}

#[test]
fn kinds_and_bounds_are_checked() {
    let f = committed(hba1c(6.1), 12);
    assert!(matches!(
        prove(&f, VALUE, Predicate::DateWithin { days: 10, as_of: 0 }),
        Err(ClaimsError::BadPredicate(_))
    ));
    assert!(matches!(
        prove(
            &f,
            VALUE,
            Predicate::Range {
                min: 7000,
                max: 6000
            }
        ),
        Err(ClaimsError::BadPredicate(_))
    ));
    assert!(matches!(
        ClaimProof::create(
            &f.set,
            42,
            "Patient.birthDate",
            0,
            &f.secret,
            Predicate::AtLeast { min: 0 }
        ),
        Err(ClaimsError::NoSuchField { .. })
    ));
    // Extreme bounds in a crafted proof file are refused, never overflow.
    let proof = prove(&f, VALUE, Predicate::Below { max: 6500 }).unwrap();
    for predicate in [
        Predicate::Below { max: i64::MIN },
        Predicate::AtLeast { min: i64::MAX },
        Predicate::Range {
            min: i64::MIN,
            max: i64::MAX,
        },
    ] {
        let mut crafted = proof.clone();
        crafted.predicate = predicate;
        assert!(matches!(
            crafted.verify(today()),
            Err(ClaimsError::BadPredicate(_))
        ));
    }
    let date = "Observation.effectiveDateTime";
    let mut crafted = prove(
        &f,
        date,
        Predicate::DateWithin {
            days: 365,
            as_of: parse_date("2027-01-01").unwrap(),
        },
    )
    .unwrap();
    crafted.predicate = Predicate::DateWithin {
        days: 365,
        as_of: i64::MIN,
    };
    assert!(matches!(
        crafted.verify(today()),
        Err(ClaimsError::BadPredicate(_))
    ));
    let kind = FieldKind::Decimal {
        decimals: 3,
        unit: "%".into(),
    };
    assert_eq!(kind.parse("6.5").unwrap(), 6500);
    assert!(kind.parse("6.5001").is_err());
    assert!(FieldKind::Date.parse("2024-10").is_err());
}
