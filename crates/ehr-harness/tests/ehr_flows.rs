//! The EHR contracts' main flows on the simnet: registration, verification (by call and by
//! attestation), records, grants, views, revocation, requests, emergency access, the
//! audit hash chain and notifications.

use clarity::vm::types::Value;
use ehr_harness::ehr::values::{ascii as text, buff, utf8};
use ehr_harness::ehr::EhrSimnet;
use ehr_harness::simnet::{Event, Receipt};
use ehr_sdk::literal::to_literal;

const PATIENT: &str = "wallet_1";
const DOCTOR: &str = "wallet_2";
const ISSUER: &str = "wallet_3";
const GUARDIAN: &str = "wallet_4";
const STRANGER: &str = "wallet_5";

fn ok(r: &Receipt) -> String {
    assert!(r.committed, "expected ok, got {}", to_literal(&r.result));
    to_literal(&r.result)
}

fn err(r: &Receipt) -> String {
    assert!(!r.committed, "expected err, got {}", to_literal(&r.result));
    to_literal(&r.result)
}

/// A chain with a registered patient, a verified doctor and an enabled issuer.
fn setup() -> EhrSimnet {
    let mut ehr = EhrSimnet::new().unwrap();
    let issuer = ehr.principal(ISSUER);
    ok(&ehr
        .call(
            "deployer",
            "doctor-registry",
            "set-issuer",
            &[issuer.into(), buff(2, 33), Value::Bool(true)],
        )
        .unwrap());
    ok(&ehr
        .call(
            PATIENT,
            "patient-registry",
            "register-patient",
            &[buff(1, 32), buff(2, 33)],
        )
        .unwrap());
    ok(&ehr
        .call(
            DOCTOR,
            "doctor-registry",
            "register-doctor",
            &[buff(9, 32), buff(3, 33), text("cardiology")],
        )
        .unwrap());
    let doctor = ehr.principal(DOCTOR);
    ok(&ehr
        .call(
            ISSUER,
            "doctor-registry",
            "verify-doctor",
            &[doctor.into(), Value::UInt(10_000)],
        )
        .unwrap());
    ehr
}

fn has_access(ehr: &mut EhrSimnet, who: &str, scope: u128, record_type: Option<&str>) -> bool {
    let (patient, grantee) = (ehr.principal(PATIENT), ehr.principal(who));
    let rt = match record_type {
        Some(t) => Value::some(text(t)).unwrap(),
        None => Value::none(),
    };
    let r = ehr
        .read(
            "permission-manager",
            "has-access",
            &[patient.into(), grantee.into(), Value::UInt(scope), rt],
        )
        .unwrap();
    r.result == Value::Bool(true)
}

#[test]
fn grant_view_revoke_walkthrough() {
    let mut ehr = setup();
    let (patient, doctor) = (ehr.principal(PATIENT), ehr.principal(DOCTOR));
    assert!(!has_access(&mut ehr, DOCTOR, 1, Some("lab")));

    let rec = ehr
        .call(
            PATIENT,
            "ehr-storage",
            "add-record",
            &[
                patient.clone().into(),
                text("lab"),
                buff(7, 32),
                text("ipfs://bafy"),
                buff(5, 93),
            ],
        )
        .unwrap();
    assert_eq!(ok(&rec), "(ok u1)");

    let expires = ehr.sim.block_height() as u128 + 100;
    let grant = ehr
        .call(
            PATIENT,
            "permission-manager",
            "grant-access",
            &[
                doctor.clone().into(),
                Value::UInt(1),
                Value::none(),
                Value::UInt(expires),
            ],
        )
        .unwrap();
    assert_eq!(ok(&grant), "(ok u1)");
    assert!(grant.events.iter().any(
        |e| matches!(e, Event::NftMint { recipient, .. } if *recipient == doctor.to_string())
    ));
    assert!(has_access(&mut ehr, DOCTOR, 1, Some("lab")));
    assert!(
        !has_access(&mut ehr, DOCTOR, 2, Some("lab")),
        "read scope does not give write"
    );

    // The doctor may now be given the record's key, and logs its view.
    ok(&ehr
        .call(
            PATIENT,
            "ehr-storage",
            "put-envelope",
            &[Value::UInt(1), doctor.clone().into(), buff(6, 93)],
        )
        .unwrap());
    let env = ehr
        .read(
            "ehr-storage",
            "get-envelope",
            &[Value::UInt(1), doctor.clone().into()],
        )
        .unwrap();
    assert_eq!(
        to_literal(&env.result),
        format!("(some 0x{})", "06".repeat(93))
    );
    ok(&ehr
        .call(
            DOCTOR,
            "ehr-storage",
            "log-access",
            &[Value::UInt(1), Value::UInt(1), text("view")],
        )
        .unwrap());

    ok(&ehr
        .call(
            PATIENT,
            "permission-manager",
            "revoke-access",
            &[Value::UInt(1)],
        )
        .unwrap());
    assert!(!has_access(&mut ehr, DOCTOR, 1, Some("lab")));
    assert_eq!(
        err(&ehr
            .call(
                DOCTOR,
                "ehr-storage",
                "log-access",
                &[Value::UInt(1), Value::UInt(1), text("view")]
            )
            .unwrap()),
        "(err u310)"
    );
    assert_eq!(
        err(&ehr
            .call(
                PATIENT,
                "ehr-storage",
                "put-envelope",
                &[Value::UInt(1), doctor.into(), buff(6, 93)]
            )
            .unwrap()),
        "(err u305)"
    );
    assert_eq!(
        err(&ehr
            .call(
                PATIENT,
                "permission-manager",
                "revoke-access",
                &[Value::UInt(1)]
            )
            .unwrap()),
        "(err u510)"
    );
}

#[test]
fn audit_log_is_a_verifiable_hash_chain_per_patient() {
    let mut ehr = setup();
    let patient = ehr.principal(PATIENT);
    let count = ehr
        .read(
            "audit-log",
            "get-patient-entry-count",
            &[patient.clone().into()],
        )
        .unwrap()
        .result;
    assert_eq!(to_literal(&count), "u1", "registration is audited");
    ok(&ehr
        .call(
            PATIENT,
            "ehr-storage",
            "add-record",
            &[
                patient.clone().into(),
                text("lab"),
                buff(7, 32),
                text("x"),
                buff(5, 93),
            ],
        )
        .unwrap());
    let total = match ehr
        .read("audit-log", "get-entry-count", &[])
        .unwrap()
        .result
    {
        Value::UInt(n) => n,
        other => panic!("{other:?}"),
    };
    assert!(total >= 5);
    let mut prev = vec![0u8; 32];
    for id in 0..total {
        let entry = ehr
            .read("audit-log", "get-entry", &[Value::UInt(id)])
            .unwrap()
            .result;
        let tuple = match entry {
            Value::Optional(o) => match o.data.map(|v| *v) {
                Some(Value::Tuple(t)) => t,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        let field = |n: &str| tuple.get(n).unwrap().clone();
        let prev_hash = field("prev-hash").expect_buff(32).unwrap();
        assert_eq!(prev_hash, prev, "entry {id} links to the previous entry");
        // Recompute the entry hash the way an offline verifier would.
        let body = Value::Tuple(
            clarity::vm::types::TupleData::from_data(vec![
                ("id".into(), Value::UInt(id)),
                ("patient".into(), field("patient")),
                ("actor".into(), field("actor")),
                ("action".into(), field("action")),
                ("ref".into(), field("ref")),
                ("details-hash".into(), field("details-hash")),
                ("block".into(), field("block")),
                ("prev-hash".into(), field("prev-hash")),
            ])
            .unwrap(),
        );
        use sha2::Digest;
        let hash = sha2::Sha256::digest(body.serialize_to_vec().unwrap()).to_vec();
        assert_eq!(
            field("entry-hash").expect_buff(32).unwrap(),
            hash,
            "entry {id}"
        );
        prev = hash;
    }
    let head = ehr.read("audit-log", "get-head", &[]).unwrap().result;
    assert!(to_literal(&head).contains(&hex::encode(&prev)));
}

#[test]
fn requests_are_approved_or_denied_by_patient_or_guardian() {
    let mut ehr = setup();
    let (patient, guardian) = (ehr.principal(PATIENT), ehr.principal(GUARDIAN));
    ok(&ehr
        .call(
            PATIENT,
            "patient-registry",
            "set-guardian",
            &[guardian.into(), Value::Bool(true)],
        )
        .unwrap());
    ok(&ehr
        .call(
            GUARDIAN,
            "patient-registry",
            "accept-guardian",
            &[patient.clone().into()],
        )
        .unwrap());
    let req = ehr
        .call(
            DOCTOR,
            "permission-manager",
            "request-access",
            &[
                patient.clone().into(),
                Value::UInt(3),
                Value::UInt(50),
                utf8("follow-up after surgery ❤"),
            ],
        )
        .unwrap();
    assert_eq!(ok(&req), "(ok u1)");
    assert!(req
        .events
        .iter()
        .any(|e| matches!(e, Event::Print { value, .. } if value.repr.contains("access-request"))));
    assert_eq!(
        err(&ehr
            .call(
                STRANGER,
                "permission-manager",
                "approve-request",
                &[Value::UInt(1)]
            )
            .unwrap()),
        "(err u500)"
    );
    assert_eq!(
        ok(&ehr
            .call(
                GUARDIAN,
                "permission-manager",
                "approve-request",
                &[Value::UInt(1)]
            )
            .unwrap()),
        "(ok u1)"
    );
    assert!(has_access(&mut ehr, DOCTOR, 3, None));
    assert_eq!(
        err(&ehr
            .call(
                PATIENT,
                "permission-manager",
                "approve-request",
                &[Value::UInt(1)]
            )
            .unwrap()),
        "(err u506)"
    );
    ehr.sim.mine_empty_blocks(50);
    assert!(
        !has_access(&mut ehr, DOCTOR, 1, None),
        "the grant expired with its duration"
    );

    let req2 = ehr
        .call(
            DOCTOR,
            "permission-manager",
            "request-access",
            &[
                patient.into(),
                Value::UInt(1),
                Value::UInt(10),
                utf8("again"),
            ],
        )
        .unwrap();
    assert_eq!(ok(&req2), "(ok u2)");
    ok(&ehr
        .call(
            PATIENT,
            "permission-manager",
            "deny-request",
            &[Value::UInt(2)],
        )
        .unwrap());
    assert!(!has_access(&mut ehr, DOCTOR, 1, None));
}

#[test]
fn create_token_then_transfer_to_a_verified_doctor_and_back() {
    let mut ehr = setup();
    let (patient, doctor, stranger) = (
        ehr.principal(PATIENT),
        ehr.principal(DOCTOR),
        ehr.principal(STRANGER),
    );
    let expires = Value::UInt(ehr.sim.block_height() as u128 + 100);
    let id = ok(&ehr
        .call(
            PATIENT,
            "permission-manager",
            "create-token",
            &[
                Value::UInt(1),
                Value::some(text("imaging")).unwrap(),
                expires,
            ],
        )
        .unwrap());
    assert_eq!(id, "(ok u1)");
    assert!(!has_access(&mut ehr, DOCTOR, 1, Some("imaging")));
    assert_eq!(
        err(&ehr
            .call(
                PATIENT,
                "access-token-nft",
                "transfer",
                &[
                    Value::UInt(1),
                    patient.clone().into(),
                    stranger.clone().into()
                ]
            )
            .unwrap()),
        "(err u404)"
    );
    ok(&ehr
        .call(
            PATIENT,
            "access-token-nft",
            "transfer",
            &[
                Value::UInt(1),
                patient.clone().into(),
                doctor.clone().into(),
            ],
        )
        .unwrap());
    assert!(has_access(&mut ehr, DOCTOR, 1, Some("imaging")));
    assert!(
        !has_access(&mut ehr, DOCTOR, 1, Some("lab")),
        "the record-type filter holds"
    );
    // A doctor cannot pass the token on, only give it back.
    assert_eq!(
        err(&ehr
            .call(
                DOCTOR,
                "access-token-nft",
                "transfer",
                &[Value::UInt(1), doctor.clone().into(), stranger.into()]
            )
            .unwrap()),
        "(err u403)"
    );
    ok(&ehr
        .call(
            DOCTOR,
            "access-token-nft",
            "transfer",
            &[Value::UInt(1), doctor.into(), patient.into()],
        )
        .unwrap());
    assert!(!has_access(&mut ehr, DOCTOR, 1, Some("imaging")));
}

#[test]
fn emergency_access_is_short_read_only_audited_notified_and_refused_after_opt_out() {
    let mut ehr = setup();
    let (patient, guardian) = (ehr.principal(PATIENT), ehr.principal(GUARDIAN));
    ok(&ehr
        .call(
            PATIENT,
            "patient-registry",
            "set-guardian",
            &[guardian.clone().into(), Value::Bool(true)],
        )
        .unwrap());
    ok(&ehr
        .call(
            GUARDIAN,
            "patient-registry",
            "accept-guardian",
            &[patient.clone().into()],
        )
        .unwrap());
    let r = ehr
        .call(
            DOCTOR,
            "permission-manager",
            "emergency-access",
            &[patient.clone().into(), utf8("unconscious, ER")],
        )
        .unwrap();
    ok(&r);
    let notified: Vec<String> = r
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Print { value, .. } if value.repr.contains("emergency-access") => {
                Some(value.repr.clone())
            }
            _ => None,
        })
        .collect();
    assert!(
        notified.iter().any(|n| n.contains(&patient.to_string())),
        "{notified:?}"
    );
    assert!(
        notified.iter().any(|n| n.contains(&guardian.to_string())),
        "{notified:?}"
    );
    assert!(has_access(&mut ehr, DOCTOR, 1, None));
    assert!(
        !has_access(&mut ehr, DOCTOR, 2, None),
        "emergency access is read-only"
    );
    ehr.sim.mine_empty_blocks(144);
    assert!(!has_access(&mut ehr, DOCTOR, 1, None), "and short");

    ok(&ehr
        .call(
            PATIENT,
            "permission-manager",
            "set-emergency-allowed",
            &[Value::Bool(false)],
        )
        .unwrap());
    assert_eq!(
        err(&ehr
            .call(
                DOCTOR,
                "permission-manager",
                "emergency-access",
                &[patient.into(), utf8("again")]
            )
            .unwrap()),
        "(err u508)"
    );
}

#[test]
fn notifications_count_and_mark_read() {
    let mut ehr = setup();
    let doctor = ehr.principal(DOCTOR);
    let expires = Value::UInt(ehr.sim.block_height() as u128 + 100);
    ok(&ehr
        .call(
            PATIENT,
            "permission-manager",
            "grant-access",
            &[
                doctor.clone().into(),
                Value::UInt(1),
                Value::none(),
                expires,
            ],
        )
        .unwrap());
    let unread = |ehr: &mut EhrSimnet| {
        to_literal(
            &ehr.read(
                "notification-system",
                "get-unread-count",
                &[doctor.clone().into()],
            )
            .unwrap()
            .result,
        )
    };
    assert_eq!(unread(&mut ehr), "u2", "verified, then granted");
    ok(&ehr
        .call(
            DOCTOR,
            "notification-system",
            "mark-read",
            &[Value::UInt(1)],
        )
        .unwrap());
    assert_eq!(unread(&mut ehr), "u1");
    assert_eq!(
        err(&ehr
            .call(
                DOCTOR,
                "notification-system",
                "mark-read",
                &[Value::UInt(1)]
            )
            .unwrap()),
        "(err u702)"
    );
    assert_eq!(
        err(&ehr
            .call(
                DOCTOR,
                "notification-system",
                "mark-read",
                &[Value::UInt(9)]
            )
            .unwrap()),
        "(err u701)"
    );
    let n = ehr
        .read(
            "notification-system",
            "get-notification",
            &[doctor.into(), Value::UInt(1)],
        )
        .unwrap()
        .result;
    assert!(
        to_literal(&n).contains("kind: \"access-granted\""),
        "{}",
        to_literal(&n)
    );
}

#[test]
fn records_amend_into_versions_and_small_records_live_in_chunks() {
    let mut ehr = setup();
    let patient = ehr.principal(PATIENT);
    ok(&ehr
        .call(
            PATIENT,
            "ehr-storage",
            "add-record",
            &[
                patient.clone().into(),
                text("note"),
                buff(7, 32),
                text("onchain"),
                buff(5, 93),
            ],
        )
        .unwrap());
    ok(&ehr
        .call(
            PATIENT,
            "ehr-storage",
            "put-chunk",
            &[Value::UInt(1), Value::UInt(0), buff(0xab, 1024)],
        )
        .unwrap());
    ok(&ehr
        .call(
            PATIENT,
            "ehr-storage",
            "put-chunk",
            &[Value::UInt(1), Value::UInt(1), buff(0xcd, 10)],
        )
        .unwrap());
    assert_eq!(
        err(&ehr
            .call(
                PATIENT,
                "ehr-storage",
                "put-chunk",
                &[Value::UInt(1), Value::UInt(1), buff(0, 1)]
            )
            .unwrap()),
        "(err u304)"
    );
    assert_eq!(
        err(&ehr
            .call(
                PATIENT,
                "ehr-storage",
                "put-chunk",
                &[Value::UInt(1), Value::UInt(64), buff(0, 1)]
            )
            .unwrap()),
        "(err u303)"
    );
    let chunk = ehr
        .read(
            "ehr-storage",
            "get-chunk",
            &[Value::UInt(1), Value::UInt(1)],
        )
        .unwrap()
        .result;
    assert_eq!(to_literal(&chunk), format!("(some 0x{})", "cd".repeat(10)));

    assert_eq!(
        ok(&ehr
            .call(
                PATIENT,
                "ehr-storage",
                "amend-record",
                &[Value::UInt(1), buff(8, 32), text("onchain-v2"), buff(5, 93)]
            )
            .unwrap()),
        "(ok u2)"
    );
    let old = to_literal(
        &ehr.read("ehr-storage", "get-record", &[Value::UInt(1)])
            .unwrap()
            .result,
    );
    let new = to_literal(
        &ehr.read("ehr-storage", "get-record", &[Value::UInt(2)])
            .unwrap()
            .result,
    );
    assert!(old.contains("superseded-by: (some u2)"), "{old}");
    assert!(
        new.contains("previous: (some u1)") && new.contains("version: u2"),
        "{new}"
    );
    assert_eq!(
        err(&ehr
            .call(
                PATIENT,
                "ehr-storage",
                "amend-record",
                &[Value::UInt(1), buff(8, 32), text("x"), buff(5, 93)]
            )
            .unwrap()),
        "(err u306)"
    );
    assert_eq!(
        to_literal(
            &ehr.read("ehr-storage", "get-patient-record-count", &[patient.into()])
                .unwrap()
                .result
        ),
        "u2"
    );
}

#[test]
fn a_second_grant_to_the_same_doctor_waits_for_revocation() {
    let mut ehr = setup();
    let doctor = ehr.principal(DOCTOR);
    let expires = Value::UInt(ehr.sim.block_height() as u128 + 100);
    ok(&ehr
        .call(
            PATIENT,
            "permission-manager",
            "grant-access",
            &[
                doctor.clone().into(),
                Value::UInt(1),
                Value::none(),
                expires.clone(),
            ],
        )
        .unwrap());
    assert_eq!(
        err(&ehr
            .call(
                PATIENT,
                "permission-manager",
                "grant-access",
                &[
                    doctor.clone().into(),
                    Value::UInt(3),
                    Value::none(),
                    expires.clone()
                ]
            )
            .unwrap()),
        "(err u407)"
    );
    ok(&ehr
        .call(
            PATIENT,
            "permission-manager",
            "revoke-access",
            &[Value::UInt(1)],
        )
        .unwrap());
    assert_eq!(
        ok(&ehr
            .call(
                PATIENT,
                "permission-manager",
                "grant-access",
                &[doctor.into(), Value::UInt(3), Value::none(), expires]
            )
            .unwrap()),
        "(ok u2)"
    );
}
