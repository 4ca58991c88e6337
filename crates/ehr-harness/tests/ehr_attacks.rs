//! Contracts v2: one attacker's test per defect of the v1 review (issue 12), each written
//! against the v1 contracts first (where it failed) and kept as the rule's regression test,
//! plus the rules v2 adds (guardianship by acceptance, admin handover, issuer disabling,
//! claim anchors, per-principal index maps).

use clarity::vm::types::{QualifiedContractIdentifier, SequenceData, Value};
use ehr_harness::ehr::values::{ascii as text, buff, bytes, utf8};
use ehr_harness::ehr::EhrSimnet;
use ehr_sdk::disclosure::{leaf_hash, node_hash, Attestation, MerkleTree};
use ehr_sdk::literal::to_literal;

const PATIENT: &str = "wallet_1";
const DOCTOR: &str = "wallet_2";
const ISSUER: &str = "wallet_3";
const GUARDIAN: &str = "wallet_4";
const STRANGER: &str = "wallet_5";
const DOCTOR_3: &str = "wallet_7";
const PATIENT_2: &str = "wallet_8";

fn p(ehr: &EhrSimnet, who: &str) -> Value {
    ehr.principal(who).into()
}

fn key(ehr: &EhrSimnet, who: &str) -> Value {
    bytes(&ehr.account(who).secret_key.public_key().to_bytes())
}

/// Calls and answers the result as a Clarity literal (`(ok u1)`, `(err u300)`).
fn call(ehr: &mut EhrSimnet, who: &str, contract: &str, function: &str, args: &[Value]) -> String {
    let r = ehr
        .call(who, contract, function, args)
        .unwrap_or_else(|e| panic!("{contract}.{function} as {who}: {e}"));
    to_literal(&r.result)
}

/// Calls and demands success; answers the ok value.
fn ok(ehr: &mut EhrSimnet, who: &str, contract: &str, function: &str, args: &[Value]) -> Value {
    let r = ehr
        .call(who, contract, function, args)
        .unwrap_or_else(|e| panic!("{contract}.{function} as {who}: {e}"));
    assert!(
        r.committed,
        "{contract}.{function} as {who}: {}",
        to_literal(&r.result)
    );
    r.result.expect_result_ok().unwrap()
}

fn read(ehr: &mut EhrSimnet, contract: &str, function: &str, args: &[Value]) -> Value {
    ehr.read(contract, function, args)
        .unwrap_or_else(|e| panic!("{contract}.{function}: {e}"))
        .result
}

fn far(ehr: &EhrSimnet) -> Value {
    Value::UInt(ehr.sim.block_height() as u128 + 5_000)
}

fn inbox(ehr: &mut EhrSimnet, who: &str) -> u128 {
    let who = p(ehr, who);
    read(ehr, "notification-system", "get-notification-count", &[who])
        .expect_u128()
        .unwrap()
}

fn has_access(ehr: &mut EhrSimnet, who: &str, scope: u128) -> bool {
    let args = [
        p(ehr, PATIENT),
        p(ehr, who),
        Value::UInt(scope),
        Value::none(),
    ];
    read(ehr, "permission-manager", "has-access", &args) == Value::Bool(true)
}

/// The patient's audit actions, oldest first.
fn trail(ehr: &mut EhrSimnet, who: &str) -> Vec<String> {
    let patient = p(ehr, who);
    let n = read(
        ehr,
        "audit-log",
        "get-patient-entry-count",
        std::slice::from_ref(&patient),
    )
    .expect_u128()
    .unwrap();
    (0..n)
        .map(|i| {
            let id = read(
                ehr,
                "audit-log",
                "get-patient-entry-id",
                &[patient.clone(), Value::UInt(i)],
            )
            .expect_optional()
            .unwrap()
            .unwrap();
            let entry = read(ehr, "audit-log", "get-entry", &[id])
                .expect_optional()
                .unwrap()
                .unwrap()
                .expect_tuple()
                .unwrap();
            match entry.get("action").unwrap() {
                Value::Sequence(SequenceData::String(s)) => s.to_string().trim_matches('"').into(),
                other => panic!("{other:?}"),
            }
        })
        .collect()
}

/// A patient with an accepted guardian and record 1 (its envelope 0x05...), a verified
/// doctor holding read token 1, a second verified doctor, an issuer.
fn world() -> EhrSimnet {
    let mut ehr = EhrSimnet::new().unwrap();
    let issuer_key = key(&ehr, ISSUER);
    let args = [p(&ehr, ISSUER), issuer_key, Value::Bool(true)];
    ok(&mut ehr, "deployer", "doctor-registry", "set-issuer", &args);
    let args = [buff(1, 32), key(&ehr, PATIENT)];
    ok(
        &mut ehr,
        PATIENT,
        "patient-registry",
        "register-patient",
        &args,
    );
    let args = [p(&ehr, GUARDIAN), Value::Bool(true)];
    ok(&mut ehr, PATIENT, "patient-registry", "set-guardian", &args);
    let args = [p(&ehr, PATIENT)];
    ok(
        &mut ehr,
        GUARDIAN,
        "patient-registry",
        "accept-guardian",
        &args,
    );
    for (i, doctor) in [DOCTOR, DOCTOR_3].iter().enumerate() {
        let args = [buff(10 + i as u8, 32), key(&ehr, doctor), text("gp")];
        ok(
            &mut ehr,
            doctor,
            "doctor-registry",
            "register-doctor",
            &args,
        );
        let args = [p(&ehr, doctor), Value::UInt(100_000)];
        ok(&mut ehr, ISSUER, "doctor-registry", "verify-doctor", &args);
    }
    let args = [
        p(&ehr, PATIENT),
        text("lab"),
        buff(7, 32),
        text("loc"),
        buff(5, 93),
    ];
    ok(&mut ehr, PATIENT, "ehr-storage", "add-record", &args);
    let args = [p(&ehr, DOCTOR), Value::UInt(1), Value::none(), far(&ehr)];
    ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "grant-access",
        &args,
    );
    ehr
}

/// Makes GUARDIAN a verified doctor too.
fn guardian_is_a_doctor(ehr: &mut EhrSimnet) {
    let args = [buff(30, 32), key(ehr, GUARDIAN), text("gp")];
    ok(ehr, GUARDIAN, "doctor-registry", "register-doctor", &args);
    let args = [p(ehr, GUARDIAN), Value::UInt(100_000)];
    ok(ehr, ISSUER, "doctor-registry", "verify-doctor", &args);
}

// ---- High --------------------------------------------------------------------------

#[test]
fn d01_a_sharer_cannot_replace_anyones_envelope() {
    let mut ehr = world();
    // DOCTOR_3 holds share scope only with read (u5): it may add envelopes for new holders.
    let args = [p(&ehr, DOCTOR_3), Value::UInt(5), Value::none(), far(&ehr)];
    ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "grant-access",
        &args,
    );
    let args = [Value::UInt(1), p(&ehr, DOCTOR), buff(6, 93)];
    ok(&mut ehr, PATIENT, "ehr-storage", "put-envelope", &args);
    for holder in [PATIENT, DOCTOR] {
        let args = [Value::UInt(1), p(&ehr, holder), buff(0xee, 93)];
        assert_eq!(
            call(&mut ehr, DOCTOR_3, "ehr-storage", "put-envelope", &args),
            "(err u308)",
            "the sharer overwrote {holder}'s envelope"
        );
    }
    let args = [Value::UInt(1), p(&ehr, PATIENT)];
    assert_eq!(
        read(&mut ehr, "ehr-storage", "get-envelope", &args),
        Value::some(buff(5, 93)).unwrap(),
        "the patient's own envelope is intact"
    );
    // Sharing still adds envelopes for new holders, and a holder replaces its own.
    let args = [Value::UInt(1), p(&ehr, GUARDIAN), buff(8, 93)];
    ok(&mut ehr, DOCTOR_3, "ehr-storage", "put-envelope", &args);
    let args = [Value::UInt(1), p(&ehr, DOCTOR_3), buff(9, 93)];
    ok(&mut ehr, DOCTOR_3, "ehr-storage", "put-envelope", &args);
    ok(&mut ehr, DOCTOR_3, "ehr-storage", "put-envelope", &args);
    // The patient's envelope: the patient or a guardian may replace it.
    let args = [Value::UInt(1), p(&ehr, PATIENT), buff(4, 93)];
    ok(&mut ehr, GUARDIAN, "ehr-storage", "put-envelope", &args);
    ok(&mut ehr, PATIENT, "ehr-storage", "put-envelope", &args);
}

// ---- Medium ------------------------------------------------------------------------

#[test]
fn d02_a_guardian_doctor_never_grants_or_approves_for_itself() {
    let mut ehr = world();
    guardian_is_a_doctor(&mut ehr);
    let args = [
        p(&ehr, PATIENT),
        p(&ehr, GUARDIAN),
        Value::UInt(7),
        Value::none(),
        far(&ehr),
    ];
    assert_eq!(
        call(
            &mut ehr,
            GUARDIAN,
            "permission-manager",
            "grant-access-for",
            &args
        ),
        "(err u513)"
    );
    let args = [
        p(&ehr, PATIENT),
        Value::UInt(7),
        Value::UInt(100),
        utf8("mine"),
    ];
    let id = ok(
        &mut ehr,
        GUARDIAN,
        "permission-manager",
        "request-access",
        &args,
    );
    assert_eq!(
        call(
            &mut ehr,
            GUARDIAN,
            "permission-manager",
            "approve-request",
            std::slice::from_ref(&id)
        ),
        "(err u513)"
    );
    let args = [p(&ehr, PATIENT), p(&ehr, GUARDIAN)];
    assert_eq!(
        read(&mut ehr, "access-token-nft", "get-active-token", &args),
        Value::none(),
        "the guardian holds no token of its own"
    );
    // Removed as guardian, it is left with nothing.
    let args = [p(&ehr, GUARDIAN), Value::Bool(false)];
    ok(&mut ehr, PATIENT, "patient-registry", "set-guardian", &args);
    assert!(!has_access(&mut ehr, GUARDIAN, 1));
    // The patient itself may approve the request.
    ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "approve-request",
        &[id],
    );
}

#[test]
fn d03_log_access_takes_only_the_closed_set_of_actions() {
    let mut ehr = world();
    for forged in [
        "revoke-access",
        "emergency-opt-out",
        "grant-access",
        "add-record",
        "",
    ] {
        let args = [Value::UInt(1), Value::UInt(1), text(forged)];
        assert_eq!(
            call(&mut ehr, DOCTOR, "ehr-storage", "log-access", &args),
            "(err u311)",
            "{forged:?}"
        );
    }
    for action in ["view", "download", "print", "export", "share-out"] {
        let args = [Value::UInt(1), Value::UInt(1), text(action)];
        ok(&mut ehr, DOCTOR, "ehr-storage", "log-access", &args);
    }
    let t = trail(&mut ehr, PATIENT);
    assert_eq!(
        t[t.len() - 5..],
        ["view", "download", "print", "export", "share-out"]
    );
}

#[test]
fn d04_a_guardian_cannot_end_the_patients_registration() {
    let mut ehr = world();
    let args = [p(&ehr, PATIENT)];
    assert!(
        ehr.call(GUARDIAN, "patient-registry", "deactivate-for", &args)
            .is_err(),
        "deactivate-for is gone: only the patient deactivates itself"
    );
    assert_eq!(
        call(&mut ehr, GUARDIAN, "patient-registry", "deactivate", &[]),
        "(err u103)",
        "deactivate acts for the caller's own account"
    );
    let patient = p(&ehr, PATIENT);
    assert_eq!(
        read(&mut ehr, "patient-registry", "is-registered", &[patient]),
        Value::Bool(true)
    );
    ok(&mut ehr, PATIENT, "patient-registry", "deactivate", &[]);
}

#[test]
fn d05_a_regular_grant_or_approval_supersedes_a_live_emergency_token() {
    let mut ehr = world();
    let snap = ehr.sim.snapshot();
    for approve in [false, true] {
        let args = [p(&ehr, PATIENT), utf8("er")];
        let em = ok(
            &mut ehr,
            DOCTOR_3,
            "permission-manager",
            "emergency-access",
            &args,
        );
        if approve {
            let args = [
                p(&ehr, PATIENT),
                Value::UInt(3),
                Value::UInt(100),
                utf8("follow-up"),
            ];
            let id = ok(
                &mut ehr,
                DOCTOR_3,
                "permission-manager",
                "request-access",
                &args,
            );
            ok(
                &mut ehr,
                PATIENT,
                "permission-manager",
                "approve-request",
                &[id],
            );
        } else {
            let args = [p(&ehr, DOCTOR_3), Value::UInt(3), Value::none(), far(&ehr)];
            ok(
                &mut ehr,
                PATIENT,
                "permission-manager",
                "grant-access",
                &args,
            );
        }
        assert!(
            has_access(&mut ehr, DOCTOR_3, 2),
            "the regular grant is live"
        );
        let token = read(
            &mut ehr,
            "access-token-nft",
            "get-token",
            std::slice::from_ref(&em),
        )
        .expect_optional()
        .unwrap()
        .unwrap()
        .expect_tuple()
        .unwrap();
        assert_eq!(token.get("revoked").unwrap(), &Value::Bool(true));
        assert_eq!(
            read(&mut ehr, "access-token-nft", "get-owner", &[em]),
            Value::okay(Value::none()).unwrap(),
            "the emergency token is burned"
        );
        assert!(trail(&mut ehr, PATIENT).contains(&"emergency-superseded".to_string()));
        ehr.sim.revert(&snap);
    }
    // The patient's own token handed to the doctor supersedes it too.
    let args = [p(&ehr, PATIENT), utf8("er")];
    ok(
        &mut ehr,
        DOCTOR_3,
        "permission-manager",
        "emergency-access",
        &args,
    );
    let args = [Value::UInt(3), Value::none(), far(&ehr)];
    let token = ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "create-token",
        &args,
    );
    let args = [token, p(&ehr, PATIENT), p(&ehr, DOCTOR_3)];
    ok(&mut ehr, PATIENT, "access-token-nft", "transfer", &args);
    assert!(has_access(&mut ehr, DOCTOR_3, 2));
}

// ---- Low ---------------------------------------------------------------------------

#[test]
fn d06_every_guardian_act_in_permission_manager_is_told_to_the_patient() {
    let mut ehr = world();
    let args = [p(&ehr, PATIENT), Value::UInt(1), Value::UInt(10), utf8("r")];
    let req = ok(
        &mut ehr,
        DOCTOR_3,
        "permission-manager",
        "request-access",
        &args,
    );
    let patient = p(&ehr, PATIENT);
    let acts: Vec<(&str, Vec<Value>)> = vec![
        ("approve-request", vec![req.clone()]),
        ("revoke-access", vec![Value::UInt(2)]),
        ("revoke-access", vec![Value::UInt(1)]),
        (
            "grant-access-for",
            vec![
                patient.clone(),
                p(&ehr, DOCTOR),
                Value::UInt(1),
                Value::none(),
                far(&ehr),
            ],
        ),
        (
            "create-token-for",
            vec![patient.clone(), Value::UInt(1), Value::none(), far(&ehr)],
        ),
        (
            "set-emergency-allowed-for",
            vec![patient.clone(), Value::Bool(false)],
        ),
        (
            "set-emergency-allowed-for",
            vec![patient.clone(), Value::Bool(true)],
        ),
    ];
    for (function, args) in acts {
        let before = inbox(&mut ehr, PATIENT);
        ok(&mut ehr, GUARDIAN, "permission-manager", function, &args);
        assert_eq!(
            inbox(&mut ehr, PATIENT),
            before + 1,
            "{function} by a guardian"
        );
    }
    let args = [p(&ehr, PATIENT), Value::UInt(1), Value::UInt(10), utf8("r")];
    let req = ok(
        &mut ehr,
        DOCTOR_3,
        "permission-manager",
        "request-access",
        &args,
    );
    let before = inbox(&mut ehr, PATIENT);
    ok(
        &mut ehr,
        GUARDIAN,
        "permission-manager",
        "deny-request",
        &[req],
    );
    assert_eq!(
        inbox(&mut ehr, PATIENT),
        before + 1,
        "deny-request by a guardian"
    );
    // The patient's own acts tell it nothing.
    let before = inbox(&mut ehr, PATIENT);
    let args = [Value::Bool(false)];
    ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "set-emergency-allowed",
        &args,
    );
    assert_eq!(inbox(&mut ehr, PATIENT), before);
}

#[test]
fn d07_a_revoked_emergency_doctor_cannot_reopen_at_once() {
    let mut ehr = world();
    let args = [p(&ehr, PATIENT), utf8("er")];
    let em = ok(
        &mut ehr,
        DOCTOR_3,
        "permission-manager",
        "emergency-access",
        &args,
    );
    ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "revoke-access",
        &[em],
    );
    ehr.sim.mine_empty_blocks(1);
    assert_eq!(
        call(
            &mut ehr,
            DOCTOR_3,
            "permission-manager",
            "emergency-access",
            &args
        ),
        "(err u514)"
    );
    // Another doctor is not affected; the closed doctor comes back after the cool-down.
    ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "revoke-access",
        &[Value::UInt(1)],
    );
    ok(
        &mut ehr,
        DOCTOR,
        "permission-manager",
        "emergency-access",
        &args,
    );
    ehr.sim.mine_empty_blocks(1_008);
    ok(
        &mut ehr,
        DOCTOR_3,
        "permission-manager",
        "emergency-access",
        &args,
    );
}

#[test]
fn d08_guardianship_needs_acceptance_and_inboxes_are_no_broadcast_channel() {
    let mut ehr = world();
    let guardian = |ehr: &mut EhrSimnet, who: &str| {
        let args = [p(ehr, PATIENT), p(ehr, who)];
        read(ehr, "patient-registry", "is-guardian", &args) == Value::Bool(true)
    };
    let before = inbox(&mut ehr, STRANGER);
    for _ in 0..5 {
        for on in [true, false] {
            let args = [p(&ehr, STRANGER), Value::Bool(on)];
            ok(&mut ehr, PATIENT, "patient-registry", "set-guardian", &args);
            assert!(!guardian(&mut ehr, STRANGER), "named without consent");
        }
    }
    assert_eq!(
        inbox(&mut ehr, STRANGER),
        before + 1,
        "told of a proposal once"
    );
    let args = [p(&ehr, PATIENT)];
    assert_eq!(
        call(
            &mut ehr,
            STRANGER,
            "patient-registry",
            "accept-guardian",
            &args
        ),
        "(err u111)",
        "a withdrawn proposal cannot be accepted"
    );
    let args = [p(&ehr, STRANGER), Value::Bool(true)];
    ok(&mut ehr, PATIENT, "patient-registry", "set-guardian", &args);
    let args = [p(&ehr, PATIENT), p(&ehr, STRANGER), Value::Bool(true)];
    assert_eq!(
        call(
            &mut ehr,
            STRANGER,
            "patient-registry",
            "set-guardian-for",
            &args
        ),
        "(err u110)",
        "a proposed guardian cannot act yet"
    );
    let args = [p(&ehr, PATIENT)];
    ok(
        &mut ehr,
        STRANGER,
        "patient-registry",
        "accept-guardian",
        &args,
    );
    assert!(guardian(&mut ehr, STRANGER));
    ok(
        &mut ehr,
        STRANGER,
        "patient-registry",
        "resign-guardian",
        &args,
    );
    assert!(!guardian(&mut ehr, STRANGER));

    // Grant/revoke loops: the doctor mutes the patient and hears no more of it.
    ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "revoke-access",
        &[Value::UInt(1)],
    );
    let args = [p(&ehr, PATIENT), Value::Bool(true)];
    ok(&mut ehr, DOCTOR, "notification-system", "set-muted", &args);
    let before = inbox(&mut ehr, DOCTOR);
    for _ in 0..3 {
        let args = [p(&ehr, DOCTOR), Value::UInt(1), Value::none(), far(&ehr)];
        let id = ok(
            &mut ehr,
            PATIENT,
            "permission-manager",
            "grant-access",
            &args,
        );
        ok(
            &mut ehr,
            PATIENT,
            "permission-manager",
            "revoke-access",
            &[id],
        );
    }
    assert_eq!(inbox(&mut ehr, DOCTOR), before);
    // Requests: one open request per doctor and patient.
    let args = [p(&ehr, PATIENT), Value::UInt(1), Value::UInt(10), utf8("r")];
    ok(
        &mut ehr,
        DOCTOR_3,
        "permission-manager",
        "request-access",
        &args,
    );
    assert_eq!(
        call(
            &mut ehr,
            DOCTOR_3,
            "permission-manager",
            "request-access",
            &args
        ),
        "(err u515)"
    );
}

#[test]
fn d09_log_access_refuses_a_revoked_token_while_another_is_live() {
    let mut ehr = world();
    ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "revoke-access",
        &[Value::UInt(1)],
    );
    let args = [p(&ehr, DOCTOR), Value::UInt(1), Value::none(), far(&ehr)];
    ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "grant-access",
        &args,
    );
    let args = [Value::UInt(1), Value::UInt(1), text("view")];
    assert_eq!(
        call(&mut ehr, DOCTOR, "ehr-storage", "log-access", &args),
        "(err u310)"
    );
    let args = [Value::UInt(2), Value::UInt(1), text("view")];
    ok(&mut ehr, DOCTOR, "ehr-storage", "log-access", &args);
}

#[test]
fn d10_an_attestation_verifies_only_for_its_issuer_chain_and_deployment() {
    let mut ehr = world();
    let args = [buff(40, 32), key(&ehr, STRANGER), text("gp")];
    ok(
        &mut ehr,
        STRANGER,
        "doctor-registry",
        "register-doctor",
        &args,
    );
    let attestation = Attestation {
        doctor: ehr.principal(STRANGER),
        license_hash: [40; 32],
        expires_at: 100_000,
        issuer: ehr.principal(ISSUER),
        chain_id: ehr_sdk::network::Network::Devnet.chain_id(),
        registry: ehr.contract("doctor-registry"),
    };
    let args = [
        p(&ehr, STRANGER),
        buff(40, 32),
        Value::UInt(100_000),
        p(&ehr, ISSUER),
    ];
    let contract_hash = read(&mut ehr, "verification-helper", "attestation-hash", &args);
    assert_eq!(
        contract_hash,
        bytes(&attestation.hash()),
        "the SDK and the contract agree"
    );
    let issuer_key = ehr.account(ISSUER).secret_key.clone();
    let elsewhere = [
        Attestation {
            chain_id: ehr_sdk::network::Network::Mainnet.chain_id(),
            ..attestation.clone()
        },
        Attestation {
            registry: QualifiedContractIdentifier::parse(&format!(
                "{}.doctor-registry",
                ehr.principal(DOCTOR)
            ))
            .unwrap(),
            ..attestation.clone()
        },
        Attestation {
            issuer: ehr.principal(DOCTOR),
            ..attestation.clone()
        },
    ];
    for other in elsewhere {
        let args = [
            p(&ehr, ISSUER),
            Value::UInt(100_000),
            bytes(&other.sign(&issuer_key)),
        ];
        assert_eq!(
            call(
                &mut ehr,
                STRANGER,
                "doctor-registry",
                "verify-with-attestation",
                &args
            ),
            "(err u205)",
            "{other:?}"
        );
    }
    let args = [
        p(&ehr, ISSUER),
        Value::UInt(100_000),
        bytes(&attestation.sign(&issuer_key)),
    ];
    ok(
        &mut ehr,
        STRANGER,
        "doctor-registry",
        "verify-with-attestation",
        &args,
    );
}

#[test]
fn d11_a_hash_copied_from_the_mempool_blocks_nobody() {
    let mut ehr = world();
    // The attacker registers the victim's identity and licence hashes first.
    let args = [buff(99, 32), key(&ehr, STRANGER)];
    ok(
        &mut ehr,
        STRANGER,
        "patient-registry",
        "register-patient",
        &args,
    );
    let args = [buff(99, 32), key(&ehr, PATIENT_2)];
    ok(
        &mut ehr,
        PATIENT_2,
        "patient-registry",
        "register-patient",
        &args,
    );
    let args = [buff(98, 32), key(&ehr, STRANGER), text("gp")];
    ok(
        &mut ehr,
        STRANGER,
        "doctor-registry",
        "register-doctor",
        &args,
    );
    let args = [buff(98, 32), key(&ehr, PATIENT_2), text("gp")];
    ok(
        &mut ehr,
        PATIENT_2,
        "doctor-registry",
        "register-doctor",
        &args,
    );
}

#[test]
fn d12_a_doctor_replaces_its_encryption_key() {
    let mut ehr = world();
    let args = [buff(3, 33)];
    ok(
        &mut ehr,
        DOCTOR,
        "doctor-registry",
        "update-enc-pubkey",
        &args,
    );
    let doctor = p(&ehr, DOCTOR);
    let d = read(&mut ehr, "doctor-registry", "get-doctor", &[doctor])
        .expect_optional()
        .unwrap()
        .unwrap()
        .expect_tuple()
        .unwrap();
    assert_eq!(d.get("enc-pubkey").unwrap(), &buff(3, 33));
    assert_eq!(
        call(
            &mut ehr,
            STRANGER,
            "doctor-registry",
            "update-enc-pubkey",
            &args
        ),
        "(err u203)"
    );
}

#[test]
fn d13_an_inner_node_never_passes_as_a_leaf() {
    let mut ehr = world();
    let salts = [[1u8; 32], [2; 32], [3; 32], [4; 32]];
    let fields: [&[u8]; 4] = [b"a", b"b", b"c", b"d"];
    let leaves: Vec<[u8; 32]> = salts
        .iter()
        .zip(fields)
        .map(|(s, f)| leaf_hash(s, f))
        .collect();
    let tree = MerkleTree::new(leaves.clone()).unwrap();
    let verify =
        |ehr: &mut EhrSimnet, salt: &[u8], field: &[u8], proof: &[[u8; 32]], pos: &[bool]| {
            let list = |v: Vec<Value>| Value::cons_list_unsanitized(v).unwrap();
            let args = [
                bytes(salt),
                bytes(field),
                list(proof.iter().map(|h| bytes(h)).collect()),
                list(pos.iter().map(|b| Value::Bool(*b)).collect()),
                bytes(&tree.root()),
            ];
            read(ehr, "verification-helper", "verify-merkle-proof", &args) == Value::Bool(true)
        };
    let proof = tree.prove(0).unwrap();
    assert!(verify(
        &mut ehr,
        &salts[0],
        fields[0],
        &proof.siblings,
        &proof.positions
    ));
    // The forged leaf: the inner node over leaves 0 and 1, offered as (salt, field) =
    // (left child, right child), with the one sibling above it.
    let right_node = node_hash(&leaves[2], &leaves[3]);
    assert!(!verify(
        &mut ehr,
        &leaves[0],
        &leaves[1],
        &[right_node],
        &[false]
    ));
    // And the root itself, with an empty proof.
    let inner = node_hash(&leaves[0], &leaves[1]);
    assert!(!verify(&mut ehr, &inner, &right_node, &[], &[]));
}

// ---- Also --------------------------------------------------------------------------

#[test]
fn log_access_refuses_a_record_of_another_patient() {
    let mut ehr = world();
    let args = [buff(50, 32), key(&ehr, PATIENT_2)];
    ok(
        &mut ehr,
        PATIENT_2,
        "patient-registry",
        "register-patient",
        &args,
    );
    let args = [
        p(&ehr, PATIENT_2),
        text("lab"),
        buff(7, 32),
        text("loc"),
        buff(5, 93),
    ];
    let other = ok(&mut ehr, PATIENT_2, "ehr-storage", "add-record", &args);
    let args = [Value::UInt(1), other, text("view")];
    assert_eq!(
        call(&mut ehr, DOCTOR, "ehr-storage", "log-access", &args),
        "(err u312)"
    );
}

#[test]
fn disabling_an_issuer_unverifies_its_doctors_until_it_is_enabled_again() {
    let mut ehr = world();
    let verified = |ehr: &mut EhrSimnet| {
        let d = p(ehr, DOCTOR);
        read(ehr, "doctor-registry", "is-verified", &[d]) == Value::Bool(true)
    };
    assert!(verified(&mut ehr));
    let args = [p(&ehr, ISSUER), key(&ehr, ISSUER), Value::Bool(false)];
    ok(&mut ehr, "deployer", "doctor-registry", "set-issuer", &args);
    assert!(!verified(&mut ehr));
    assert!(!has_access(&mut ehr, DOCTOR, 1));
    let args = [p(&ehr, ISSUER), key(&ehr, ISSUER), Value::Bool(true)];
    ok(&mut ehr, "deployer", "doctor-registry", "set-issuer", &args);
    assert!(verified(&mut ehr));
}

#[test]
fn the_admin_of_each_registry_is_handed_over_in_two_steps() {
    for (registry, refused, not_proposed, admin_fn, admin_args) in [
        (
            "patient-registry",
            "(err u100)",
            "(err u112)",
            "set-verifier",
            2,
        ),
        (
            "doctor-registry",
            "(err u200)",
            "(err u210)",
            "set-issuer",
            3,
        ),
    ] {
        let mut ehr = world();
        let admin_call = |ehr: &mut EhrSimnet, who: &str| {
            let mut args = vec![p(ehr, DOCTOR_3)];
            if admin_args == 3 {
                args.push(buff(2, 33));
            }
            args.push(Value::Bool(true));
            call(ehr, who, registry, admin_fn, &args)
        };
        assert_eq!(
            call(&mut ehr, STRANGER, registry, "accept-admin", &[]),
            not_proposed
        );
        let args = [p(&ehr, STRANGER)];
        assert_eq!(
            call(&mut ehr, STRANGER, registry, "propose-admin", &args),
            refused
        );
        ok(&mut ehr, "deployer", registry, "propose-admin", &args);
        assert_eq!(
            admin_call(&mut ehr, STRANGER),
            refused,
            "not before accepting"
        );
        ok(&mut ehr, STRANGER, registry, "accept-admin", &[]);
        assert_eq!(
            read(&mut ehr, registry, "get-owner", &[]),
            p(&ehr, STRANGER)
        );
        assert_eq!(
            admin_call(&mut ehr, "deployer"),
            refused,
            "{registry}: the old admin"
        );
        assert_eq!(admin_call(&mut ehr, STRANGER), "(ok true)");
    }
}

#[test]
fn only_a_records_author_anchors_its_claims_once_while_current() {
    let mut ehr = world();
    let args = [Value::UInt(1), buff(0xaa, 32)];
    assert_eq!(
        call(
            &mut ehr,
            GUARDIAN,
            "ehr-storage",
            "set-claims-anchor",
            &args
        ),
        "(err u300)"
    );
    ok(&mut ehr, PATIENT, "ehr-storage", "set-claims-anchor", &args);
    let height = ehr.sim.block_height();
    let anchor = read(
        &mut ehr,
        "ehr-storage",
        "get-claims-anchor",
        &[Value::UInt(1)],
    )
    .expect_optional()
    .unwrap()
    .unwrap()
    .expect_tuple()
    .unwrap();
    assert_eq!(anchor.get("anchor").unwrap(), &buff(0xaa, 32));
    assert!(
        anchor
            .get("anchored-at")
            .unwrap()
            .clone()
            .expect_u128()
            .unwrap()
            <= height as u128
    );
    assert!(trail(&mut ehr, PATIENT).contains(&"claims-anchor".to_string()));
    let again = [Value::UInt(1), buff(0xbb, 32)];
    assert_eq!(
        call(
            &mut ehr,
            PATIENT,
            "ehr-storage",
            "set-claims-anchor",
            &again
        ),
        "(err u313)"
    );
    // A superseded version takes no anchor.
    let args = [Value::UInt(1), buff(8, 32), text("l2"), buff(5, 93)];
    let v2 = ok(&mut ehr, PATIENT, "ehr-storage", "amend-record", &args);
    let args = [
        p(&ehr, PATIENT),
        text("lab"),
        buff(9, 32),
        text("loc"),
        buff(5, 93),
    ];
    let r3 = ok(&mut ehr, PATIENT, "ehr-storage", "add-record", &args);
    let args = [r3.clone(), buff(1, 32), text("l3"), buff(5, 93)];
    ok(&mut ehr, PATIENT, "ehr-storage", "amend-record", &args);
    assert_eq!(
        call(
            &mut ehr,
            PATIENT,
            "ehr-storage",
            "set-claims-anchor",
            &[r3, buff(1, 32)]
        ),
        "(err u306)"
    );
    ok(
        &mut ehr,
        PATIENT,
        "ehr-storage",
        "set-claims-anchor",
        &[v2, buff(1, 32)],
    );
}

#[test]
fn per_principal_index_maps_list_only_own_entries() {
    let mut ehr = world();
    let ids = |ehr: &mut EhrSimnet, contract: &str, count: &str, item: &str, who: &str| {
        let who = p(ehr, who);
        let n = read(ehr, contract, count, std::slice::from_ref(&who))
            .expect_u128()
            .unwrap();
        (0..n)
            .map(|i| {
                read(ehr, contract, item, &[who.clone(), Value::UInt(i)])
                    .expect_optional()
                    .unwrap()
                    .unwrap()
                    .expect_u128()
                    .unwrap()
            })
            .collect::<Vec<_>>()
    };
    let args = [Value::UInt(1), Value::none(), far(&ehr)];
    ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "create-token",
        &args,
    ); // token 2
    let args = [Value::UInt(2), p(&ehr, PATIENT), p(&ehr, DOCTOR_3)];
    ok(&mut ehr, PATIENT, "access-token-nft", "transfer", &args);
    let args = [p(&ehr, PATIENT), Value::UInt(1), Value::UInt(10), utf8("r")];
    ok(
        &mut ehr,
        DOCTOR,
        "permission-manager",
        "request-access",
        &args,
    ); // request 1
    let nft = "access-token-nft";
    assert_eq!(
        ids(
            &mut ehr,
            nft,
            "get-patient-token-count",
            "get-patient-token-id",
            PATIENT
        ),
        [1, 2]
    );
    assert_eq!(
        ids(
            &mut ehr,
            nft,
            "get-grantee-token-count",
            "get-grantee-token-id",
            DOCTOR
        ),
        [1]
    );
    assert_eq!(
        ids(
            &mut ehr,
            nft,
            "get-grantee-token-count",
            "get-grantee-token-id",
            DOCTOR_3
        ),
        [2]
    );
    assert!(ids(
        &mut ehr,
        nft,
        "get-patient-token-count",
        "get-patient-token-id",
        DOCTOR
    )
    .is_empty());
    let pm = "permission-manager";
    assert_eq!(
        ids(
            &mut ehr,
            pm,
            "get-patient-request-count",
            "get-patient-request-id",
            PATIENT
        ),
        [1]
    );
    assert_eq!(
        ids(
            &mut ehr,
            pm,
            "get-doctor-request-count",
            "get-doctor-request-id",
            DOCTOR
        ),
        [1]
    );
    assert!(ids(
        &mut ehr,
        pm,
        "get-doctor-request-count",
        "get-doctor-request-id",
        DOCTOR_3
    )
    .is_empty());
}

#[test]
fn the_index_maps_keep_grant_revoke_and_request_costs_flat_from_10_to_1000_entries() {
    let mut ehr = world();
    ok(
        &mut ehr,
        PATIENT,
        "permission-manager",
        "revoke-access",
        &[Value::UInt(1)],
    );
    let cycle = |ehr: &mut EhrSimnet| {
        let args = [p(ehr, DOCTOR), Value::UInt(1), Value::none(), far(ehr)];
        let g = ehr
            .call(PATIENT, "permission-manager", "grant-access", &args)
            .unwrap();
        assert!(g.committed);
        let id = g.result.clone().expect_result_ok().unwrap();
        let r = ehr
            .call(PATIENT, "permission-manager", "revoke-access", &[id])
            .unwrap();
        assert!(r.committed);
        let args = [p(ehr, PATIENT), Value::UInt(1), Value::UInt(10), utf8("r")];
        let q = ehr
            .call(DOCTOR_3, "permission-manager", "request-access", &args)
            .unwrap();
        assert!(q.committed);
        let id = q.result.clone().expect_result_ok().unwrap();
        let d = ehr
            .call(PATIENT, "permission-manager", "deny-request", &[id])
            .unwrap();
        assert!(d.committed);
        (g.cost, r.cost, q.cost, d.cost)
    };
    for _ in 0..9 {
        cycle(&mut ehr);
    }
    let snap = ehr.sim.snapshot();
    let at_10 = cycle(&mut ehr);
    ehr.sim.revert(&snap);
    for _ in 9..999 {
        cycle(&mut ehr);
    }
    let at_1000 = cycle(&mut ehr);
    assert_eq!(at_10.0, at_1000.0, "grant-access");
    assert_eq!(at_10.1, at_1000.1, "revoke-access");
    assert_eq!(at_10.2, at_1000.2, "request-access");
    assert_eq!(at_10.3, at_1000.3, "deny-request");
    let patient = p(&ehr, PATIENT);
    let n = read(
        &mut ehr,
        "access-token-nft",
        "get-patient-token-count",
        std::slice::from_ref(&patient),
    );
    assert_eq!(n, Value::UInt(1001), "token 1 and 1,000 grants");
    let n = read(
        &mut ehr,
        "permission-manager",
        "get-patient-request-count",
        &[patient],
    );
    assert_eq!(n, Value::UInt(1000));
}

#[test]
fn another_issuer_cannot_lift_a_suspension() {
    let mut ehr = world();
    let args = [p(&ehr, STRANGER), key(&ehr, STRANGER), Value::Bool(true)];
    ok(&mut ehr, "deployer", "doctor-registry", "set-issuer", &args);
    let args = [p(&ehr, DOCTOR)];
    ok(
        &mut ehr,
        "deployer",
        "doctor-registry",
        "suspend-doctor",
        &args,
    );
    let args = [p(&ehr, DOCTOR), Value::UInt(100_000)];
    assert_eq!(
        call(
            &mut ehr,
            STRANGER,
            "doctor-registry",
            "verify-doctor",
            &args
        ),
        "(err u209)"
    );
    ok(&mut ehr, ISSUER, "doctor-registry", "verify-doctor", &args);
    assert!(has_access(&mut ehr, DOCTOR, 1));
}
