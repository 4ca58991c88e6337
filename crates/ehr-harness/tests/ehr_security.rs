//! The EHR contracts' security model, each check with a test that fails if it is removed:
//! the authorization matrix (generated from the contracts' interfaces: every allowed role
//! succeeds with an effect, audited; every other role gets the documented code and leaves
//! no trace), inter-contract
//! calls gated on contract-caller, a patient lured into a malicious contract, states that
//! deny, credentials by attestation (and no replay), and costs that stay flat as data grows.

use std::collections::BTreeMap;

use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use ehr_harness::ehr::values::{ascii as text, buff, utf8};
use ehr_harness::ehr::{EhrSimnet, EHR_CONTRACTS};
use ehr_harness::simnet::Receipt;
use ehr_sdk::keys::SecretKey;
use ehr_sdk::literal::to_literal;
use stacks_common::types::PrivateKey;

const PATIENT: &str = "wallet_1";
const DOCTOR: &str = "wallet_2";
const ISSUER: &str = "wallet_3";
const GUARDIAN: &str = "wallet_4";
const STRANGER: &str = "wallet_5";
const UNVERIFIED: &str = "wallet_6";
const DOCTOR_3: &str = "wallet_7";
const ROLES: [&str; 7] = [
    "deployer", PATIENT, GUARDIAN, DOCTOR, UNVERIFIED, ISSUER, STRANGER,
];

fn ok(r: Receipt) -> Receipt {
    assert!(r.committed, "expected ok, got {}", to_literal(&r.result));
    r
}

fn pubkey(ehr: &EhrSimnet, who: &str) -> Value {
    Value::buff_from(ehr.account(who).secret_key.public_key().to_bytes().to_vec()).unwrap()
}

/// Patient (with an accepted guardian and a record), a verified doctor holding token 1, a
/// second verified doctor with pending request 1, an unverified doctor, an issuer that is
/// also a patient verifier; STRANGER proposed as guardian and as both registries' admin.
fn world() -> EhrSimnet {
    let mut ehr = EhrSimnet::new().unwrap();
    ehr.record();
    let p = |ehr: &EhrSimnet, who: &str| -> Value { ehr.principal(who).into() };
    let issuer_key = pubkey(&ehr, ISSUER);
    ok(ehr
        .call(
            "deployer",
            "doctor-registry",
            "set-issuer",
            &[p(&ehr, ISSUER), issuer_key, Value::Bool(true)],
        )
        .unwrap());
    ok(ehr
        .call(
            "deployer",
            "patient-registry",
            "set-verifier",
            &[p(&ehr, ISSUER), Value::Bool(true)],
        )
        .unwrap());
    ok(ehr
        .call(
            PATIENT,
            "patient-registry",
            "register-patient",
            &[buff(1, 32), pubkey(&ehr, PATIENT)],
        )
        .unwrap());
    ok(ehr
        .call(
            PATIENT,
            "patient-registry",
            "set-guardian",
            &[p(&ehr, GUARDIAN), Value::Bool(true)],
        )
        .unwrap());
    ok(ehr
        .call(
            GUARDIAN,
            "patient-registry",
            "accept-guardian",
            &[p(&ehr, PATIENT)],
        )
        .unwrap());
    for (i, doctor) in [DOCTOR, UNVERIFIED, DOCTOR_3].iter().enumerate() {
        ok(ehr
            .call(
                doctor,
                "doctor-registry",
                "register-doctor",
                &[buff(10 + i as u8, 32), pubkey(&ehr, doctor), text("gp")],
            )
            .unwrap());
    }
    for doctor in [DOCTOR, DOCTOR_3] {
        ok(ehr
            .call(
                ISSUER,
                "doctor-registry",
                "verify-doctor",
                &[p(&ehr, doctor), Value::UInt(100_000)],
            )
            .unwrap());
    }
    ok(ehr
        .call(
            PATIENT,
            "ehr-storage",
            "add-record",
            &[
                p(&ehr, PATIENT),
                text("lab"),
                buff(7, 32),
                text("loc"),
                buff(5, 93),
            ],
        )
        .unwrap());
    let expires = Value::UInt(ehr.sim.block_height() as u128 + 50_000);
    ok(ehr
        .call(
            PATIENT,
            "permission-manager",
            "grant-access",
            &[p(&ehr, DOCTOR), Value::UInt(1), Value::none(), expires],
        )
        .unwrap());
    ok(ehr
        .call(
            DOCTOR_3,
            "permission-manager",
            "request-access",
            &[
                p(&ehr, PATIENT),
                Value::UInt(1),
                Value::UInt(100),
                utf8("check-up"),
            ],
        )
        .unwrap());
    // Pending proposals for STRANGER: the patient's guardian, both registries' admin.
    ok(ehr
        .call(
            PATIENT,
            "patient-registry",
            "set-guardian",
            &[p(&ehr, STRANGER), Value::Bool(true)],
        )
        .unwrap());
    for registry in ["patient-registry", "doctor-registry"] {
        ok(ehr
            .call("deployer", registry, "propose-admin", &[p(&ehr, STRANGER)])
            .unwrap());
    }
    ehr
}

/// What the matrix knows of one public function: its arguments when called by a role,
/// which roles may call it, and the error every other role must get.
struct Rule {
    args: fn(&EhrSimnet, &str) -> Vec<Value>,
    allowed: &'static [&'static str],
    refusal: fn(&str) -> &'static str,
}

fn rules() -> BTreeMap<(&'static str, &'static str), Rule> {
    fn p(ehr: &EhrSimnet, who: &str) -> Value {
        ehr.principal(who).into()
    }
    fn far(ehr: &EhrSimnet) -> Value {
        Value::UInt(ehr.sim.block_height() as u128 + 500)
    }
    let mut r: BTreeMap<(&str, &str), Rule> = BTreeMap::new();
    let everyone: &'static [&'static str] = &ROLES;
    let mut add = |c, f, args, allowed, refusal| {
        r.insert(
            (c, f),
            Rule {
                args,
                allowed,
                refusal,
            },
        );
    };
    // patient-registry
    add(
        "patient-registry",
        "register-patient",
        |e, who| {
            vec![
                buff(
                    200 + ROLES.iter().position(|r| *r == who).unwrap() as u8,
                    32,
                ),
                pubkey(e, who),
            ]
        },
        &["deployer", GUARDIAN, DOCTOR, UNVERIFIED, ISSUER, STRANGER],
        |_| "(err u101)",
    );
    add(
        "patient-registry",
        "set-guardian",
        |e, _| vec![p(e, UNVERIFIED), Value::Bool(true)],
        &[PATIENT],
        |_| "(err u103)",
    );
    add(
        "patient-registry",
        "update-enc-pubkey",
        |_, _| vec![buff(2, 33)],
        &[PATIENT],
        |_| "(err u103)",
    );
    add(
        "patient-registry",
        "deactivate",
        |_, _| vec![],
        &[PATIENT],
        |_| "(err u103)",
    );
    add(
        "patient-registry",
        "set-guardian-for",
        |e, _| vec![p(e, PATIENT), p(e, UNVERIFIED), Value::Bool(true)],
        &[PATIENT, GUARDIAN],
        |_| "(err u110)",
    );
    add(
        "patient-registry",
        "update-enc-pubkey-for",
        |e, _| vec![p(e, PATIENT), buff(2, 33)],
        &[PATIENT, GUARDIAN],
        |_| "(err u110)",
    );
    add(
        "patient-registry",
        "accept-guardian",
        |e, _| vec![p(e, PATIENT)],
        &[STRANGER],
        |_| "(err u111)",
    );
    add(
        "patient-registry",
        "resign-guardian",
        |e, _| vec![p(e, PATIENT)],
        &[GUARDIAN],
        |_| "(err u107)",
    );
    add(
        "patient-registry",
        "propose-admin",
        |e, _| vec![p(e, STRANGER)],
        &["deployer"],
        |_| "(err u100)",
    );
    add(
        "patient-registry",
        "accept-admin",
        |_, _| vec![],
        &[STRANGER],
        |_| "(err u112)",
    );
    add(
        "patient-registry",
        "set-verifier",
        |e, _| vec![p(e, STRANGER), Value::Bool(true)],
        &["deployer"],
        |_| "(err u100)",
    );
    add(
        "patient-registry",
        "verify-patient",
        |e, _| vec![p(e, PATIENT)],
        &[ISSUER],
        |_| "(err u104)",
    );
    // doctor-registry
    add(
        "doctor-registry",
        "register-doctor",
        |_, who| {
            vec![
                buff(
                    100 + ROLES.iter().position(|r| *r == who).unwrap() as u8,
                    32,
                ),
                buff(2, 33),
                text("x"),
            ]
        },
        &["deployer", PATIENT, GUARDIAN, ISSUER, STRANGER],
        |_| "(err u201)",
    );
    add(
        "doctor-registry",
        "set-issuer",
        |e, _| vec![p(e, STRANGER), buff(2, 33), Value::Bool(true)],
        &["deployer"],
        |_| "(err u200)",
    );
    add(
        "doctor-registry",
        "verify-doctor",
        |e, _| vec![p(e, UNVERIFIED), Value::UInt(100_000)],
        &[ISSUER],
        |_| "(err u204)",
    );
    add(
        "doctor-registry",
        "verify-with-attestation",
        |e, _| vec![p(e, ISSUER), Value::UInt(100_000), buff(1, 65)],
        &[],
        |who| {
            if [DOCTOR, UNVERIFIED].contains(&who) {
                "(err u205)"
            } else {
                "(err u203)"
            }
        },
    );
    add(
        "doctor-registry",
        "update-enc-pubkey",
        |_, _| vec![buff(2, 33)],
        &[DOCTOR, UNVERIFIED, DOCTOR_3],
        |_| "(err u203)",
    );
    add(
        "doctor-registry",
        "propose-admin",
        |e, _| vec![p(e, STRANGER)],
        &["deployer"],
        |_| "(err u200)",
    );
    add(
        "doctor-registry",
        "accept-admin",
        |_, _| vec![],
        &[STRANGER],
        |_| "(err u210)",
    );
    add(
        "doctor-registry",
        "suspend-doctor",
        |e, _| vec![p(e, DOCTOR)],
        &[ISSUER, "deployer"],
        |_| "(err u200)",
    );
    // access-token-nft
    add(
        "access-token-nft",
        "mint",
        |e, who| {
            vec![
                p(e, PATIENT),
                p(e, who),
                Value::UInt(7),
                Value::none(),
                Value::UInt(100_000),
                Value::Bool(false),
            ]
        },
        &[],
        |_| "(err u400)",
    );
    add(
        "access-token-nft",
        "burn",
        |_, _| vec![Value::UInt(1)],
        &[],
        |_| "(err u400)",
    );
    add(
        "access-token-nft",
        "transfer",
        |e, who| vec![Value::UInt(1), p(e, who), p(e, PATIENT)],
        &[DOCTOR],
        |_| "(err u402)",
    );
    // permission-manager
    add(
        "permission-manager",
        "request-access",
        |e, _| vec![p(e, PATIENT), Value::UInt(1), Value::UInt(10), utf8("r")],
        &[DOCTOR],
        |who| {
            if who == DOCTOR_3 {
                "(err u515)"
            } else {
                "(err u502)"
            }
        },
    );
    add(
        "permission-manager",
        "approve-request",
        |_, _| vec![Value::UInt(1)],
        &[PATIENT, GUARDIAN],
        |_| "(err u500)",
    );
    add(
        "permission-manager",
        "deny-request",
        |_, _| vec![Value::UInt(1)],
        &[PATIENT, GUARDIAN],
        |_| "(err u500)",
    );
    add(
        "permission-manager",
        "create-token",
        |e, _| vec![Value::UInt(1), Value::none(), far(e)],
        &[PATIENT],
        |_| "(err u501)",
    );
    add(
        "permission-manager",
        "create-token-for",
        |e, _| vec![p(e, PATIENT), Value::UInt(1), Value::none(), far(e)],
        &[PATIENT, GUARDIAN],
        |_| "(err u500)",
    );
    add(
        "permission-manager",
        "grant-access",
        |e, _| vec![p(e, DOCTOR_3), Value::UInt(1), Value::none(), far(e)],
        &[PATIENT],
        |_| "(err u501)",
    );
    add(
        "permission-manager",
        "grant-access-for",
        |e, _| {
            vec![
                p(e, PATIENT),
                p(e, DOCTOR_3),
                Value::UInt(1),
                Value::none(),
                far(e),
            ]
        },
        &[PATIENT, GUARDIAN],
        |_| "(err u500)",
    );
    add(
        "permission-manager",
        "revoke-access",
        |_, _| vec![Value::UInt(1)],
        &[PATIENT, GUARDIAN],
        |_| "(err u500)",
    );
    add(
        "permission-manager",
        "emergency-access",
        |e, _| vec![p(e, PATIENT), utf8("er")],
        &[DOCTOR_3],
        |who| {
            if who == DOCTOR {
                "(err u407)"
            } else {
                "(err u502)"
            }
        },
    );
    add(
        "permission-manager",
        "set-emergency-allowed",
        |_, _| vec![Value::Bool(false)],
        &[PATIENT],
        |_| "(err u500)",
    );
    add(
        "permission-manager",
        "set-emergency-allowed-for",
        |e, _| vec![p(e, PATIENT), Value::Bool(false)],
        &[PATIENT, GUARDIAN],
        |_| "(err u500)",
    );
    add(
        "ehr-storage",
        "log-access",
        |_, _| vec![Value::UInt(1), Value::UInt(1), text("view")],
        &[DOCTOR],
        |_| "(err u300)",
    );
    add(
        "ehr-storage",
        "set-claims-anchor",
        |_, _| vec![Value::UInt(1), buff(3, 32)],
        &[PATIENT],
        |_| "(err u300)",
    );
    add(
        "notification-system",
        "set-muted",
        |e, _| vec![p(e, PATIENT), Value::Bool(true)],
        everyone,
        |_| "",
    );
    // audit-log, notification-system: only the EHR contracts
    add(
        "audit-log",
        "append-entry",
        |e, who| {
            vec![
                p(e, PATIENT),
                p(e, who),
                text("forged"),
                Value::UInt(0),
                buff(0, 32),
            ]
        },
        &[],
        |_| "(err u600)",
    );
    add(
        "notification-system",
        "notify",
        |e, _| vec![p(e, PATIENT), text("forged"), Value::UInt(0)],
        &[],
        |_| "(err u700)",
    );
    add(
        "notification-system",
        "mark-read",
        |_, _| vec![Value::UInt(0)],
        &[PATIENT, GUARDIAN, DOCTOR, DOCTOR_3, STRANGER],
        |_| "(err u701)",
    );
    // ehr-storage
    add(
        "ehr-storage",
        "add-record",
        |e, _| {
            vec![
                p(e, PATIENT),
                text("lab"),
                buff(8, 32),
                text("l"),
                buff(5, 93),
            ]
        },
        &[PATIENT, GUARDIAN],
        |_| "(err u300)",
    );
    add(
        "ehr-storage",
        "put-chunk",
        |_, _| vec![Value::UInt(1), Value::UInt(0), buff(1, 8)],
        &[PATIENT],
        |_| "(err u300)",
    );
    add(
        "ehr-storage",
        "amend-record",
        |_, _| vec![Value::UInt(1), buff(8, 32), text("l2"), buff(5, 93)],
        &[PATIENT, GUARDIAN],
        |_| "(err u300)",
    );
    add(
        "ehr-storage",
        "put-envelope",
        |e, _| vec![Value::UInt(1), p(e, DOCTOR), buff(6, 93)],
        &[PATIENT, GUARDIAN],
        |_| "(err u300)",
    );
    r
}

/// What a call can visibly change: the audit log's length, the caller's unread count and
/// whether the caller muted the patient.
fn effects(ehr: &mut EhrSimnet, who: &str) -> (u128, u128, bool) {
    let me: Value = ehr.principal(who).into();
    let patient: Value = ehr.principal(PATIENT).into();
    let entries = ehr
        .read("audit-log", "get-entry-count", &[])
        .unwrap()
        .result
        .expect_u128()
        .unwrap();
    let unread = ehr
        .read(
            "notification-system",
            "get-unread-count",
            std::slice::from_ref(&me),
        )
        .unwrap()
        .result
        .expect_u128()
        .unwrap();
    let muted = ehr
        .read("notification-system", "is-muted", &[me, patient])
        .unwrap()
        .result
        == Value::Bool(true);
    (entries, unread, muted)
}

#[test]
fn authorization_matrix_covers_every_public_function_and_role() {
    let mut ehr = world();
    let rules = rules();
    let mut covered = 0;
    for (name, _) in EHR_CONTRACTS {
        let id = ehr.contract(name);
        let analysis = ehr.sim.contract_analysis(&id).unwrap();
        for function in analysis.public_function_types.keys() {
            let rule = rules
                .get(&(name, function.as_str()))
                .unwrap_or_else(|| panic!("{name}.{function} has no authorization rule: add one"));
            covered += 1;
            for role in ROLES {
                let snapshot = ehr.sim.snapshot();
                let args = (rule.args)(&ehr, role);
                let before = effects(&mut ehr, role);
                let r = ehr
                    .call(role, name, function, &args)
                    .unwrap_or_else(|e| panic!("{name}.{function} as {role}: {e}"));
                let got = to_literal(&r.result);
                let refusal = (rule.refusal)(role);
                let after = effects(&mut ehr, role);
                if rule.allowed.contains(&role) {
                    assert!(
                        r.committed,
                        "{name}.{function} must succeed for {role}, got {got}"
                    );
                    // The effect: every state change is audited, except the inbox's own
                    // calls, which change the caller's inbox state.
                    assert_ne!(before, after, "{name}.{function} by {role} changed nothing");
                    if name != "notification-system" {
                        assert!(
                            after.0 > before.0,
                            "{name}.{function} by {role} is not audited"
                        );
                    }
                } else {
                    assert_eq!(got, refusal, "{name}.{function} called by {role}");
                    assert_eq!(
                        before, after,
                        "{name}.{function} refused for {role} left a trace"
                    );
                }
                ehr.sim.revert(&snapshot);
            }
        }
    }
    assert_eq!(covered, rules.len(), "every rule names a real function");
}

/// The calls Clarinet's simnet replays for the cost comparison
/// (`tests/clarinet/ehr-scenario.json`, run by `tests/clarinet/ehr-costs.mjs` and by
/// `tests/clarinet_ehr_costs.rs`): the world above, then every public function called by
/// every role, in one chain, the functions that end a role (deactivate, suspend, hand
/// over) last so the others still meet the state they expect. The committed file must be
/// what this generates; `EHR_WRITE_SCENARIO=1` rewrites it after a contract change.
#[test]
fn the_cost_scenario_is_generated_from_the_matrix() {
    let mut ehr = world();
    let rules = rules();
    const LAST: [&str; 6] = [
        "revoke-access",
        "resign-guardian",
        "accept-admin",
        "suspend-doctor",
        "transfer",
        "deactivate",
    ];
    let mut order: Vec<_> = rules.keys().copied().collect();
    order.sort_by_key(|(c, f)| (LAST.iter().position(|l| l == f), *c, *f));
    for (contract, function) in order {
        let rule = &rules[&(contract, function)];
        for role in ROLES {
            let args = (rule.args)(&ehr, role);
            ehr.call(role, contract, function, &args)
                .unwrap_or_else(|e| panic!("{contract}.{function} as {role}: {e}"));
        }
    }
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clarinet/ehr-scenario.json"
    );
    let generated = serde_json::to_string_pretty(&serde_json::json!({ "calls": ehr.recorded() }))
        .unwrap()
        + "\n";
    if std::env::var_os("EHR_WRITE_SCENARIO").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is not what the matrix generates: rerun with EHR_WRITE_SCENARIO=1, then \
         regenerate Clarinet's costs (cd crates/ehr-harness/tests/clarinet && node ehr-costs.mjs)"
    );
}

const LURE: &str = r#"
;; A "prize" contract a stranger deploys and talks a patient into calling.
(define-public (claim-grant (doctor principal))
  (contract-call? 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.permission-manager grant-access doctor u7 none u100000))
(define-public (claim-revoke (id uint))
  (contract-call? 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.permission-manager revoke-access id))
(define-public (claim-approve (id uint))
  (contract-call? 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.permission-manager approve-request id))
(define-public (claim-key (id uint) (holder principal))
  (contract-call? 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.ehr-storage put-envelope id holder 0x00))
(define-public (claim-record (patient principal))
  (contract-call? 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.ehr-storage add-record patient "lab" 0x00 "evil" 0x00))
(define-public (claim-token (id uint) (from principal) (to principal))
  (contract-call? 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.access-token-nft transfer id from to))
(define-public (claim-guardian (g principal))
  (contract-call? 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.patient-registry set-guardian g true))
;; And the contract itself tries the inter-contract entry points.
(define-public (forge-audit (p principal))
  (contract-call? 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.audit-log append-entry p p "forged" u0 0x0000000000000000000000000000000000000000000000000000000000000000))
(define-public (forge-notify (p principal))
  (contract-call? 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.notification-system notify p "forged" u0))
(define-public (forge-mint (p principal) (to principal))
  (contract-call? 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.access-token-nft mint p to u7 none u100000 false))
(define-public (forge-burn (id uint))
  (contract-call? 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.access-token-nft burn id))
"#;

#[test]
fn a_lured_patient_cannot_act_through_a_strangers_contract() {
    let mut ehr = world();
    let stranger = ehr.account(STRANGER).address.to_standard_principal();
    let lure = ehr
        .sim
        .deploy_contract(&stranger, "prize", LURE)
        .unwrap()
        .contract;
    let call = |ehr: &mut EhrSimnet, who: &str, f: &str, args: Vec<Value>| -> String {
        let sender = ehr.principal(who);
        to_literal(
            &ehr.sim
                .call_public(&sender, &lure, f, &args)
                .unwrap()
                .result,
        )
    };
    let p = |ehr: &EhrSimnet, who: &str| -> Value { ehr.principal(who).into() };
    let (doctor3, doctor, patient, stranger_p) = (
        p(&ehr, DOCTOR_3),
        p(&ehr, DOCTOR),
        p(&ehr, PATIENT),
        p(&ehr, STRANGER),
    );
    assert_eq!(
        call(&mut ehr, PATIENT, "claim-grant", vec![doctor3]),
        "(err u511)"
    );
    assert_eq!(
        call(&mut ehr, PATIENT, "claim-revoke", vec![Value::UInt(1)]),
        "(err u511)"
    );
    assert_eq!(
        call(&mut ehr, PATIENT, "claim-approve", vec![Value::UInt(1)]),
        "(err u511)"
    );
    assert_eq!(
        call(
            &mut ehr,
            PATIENT,
            "claim-key",
            vec![Value::UInt(1), stranger_p.clone()]
        ),
        "(err u307)"
    );
    assert_eq!(
        call(&mut ehr, PATIENT, "claim-record", vec![patient.clone()]),
        "(err u307)"
    );
    assert_eq!(
        call(
            &mut ehr,
            DOCTOR,
            "claim-token",
            vec![Value::UInt(1), doctor, stranger_p.clone()]
        ),
        "(err u408)"
    );
    assert_eq!(
        call(
            &mut ehr,
            PATIENT,
            "claim-guardian",
            vec![stranger_p.clone()]
        ),
        "(err u109)"
    );
    // contract-caller is the stranger's contract: every inter-contract entry refuses it.
    assert_eq!(
        call(&mut ehr, PATIENT, "forge-audit", vec![patient.clone()]),
        "(err u600)"
    );
    assert_eq!(
        call(&mut ehr, PATIENT, "forge-notify", vec![patient.clone()]),
        "(err u700)"
    );
    assert_eq!(
        call(&mut ehr, PATIENT, "forge-mint", vec![patient, stranger_p]),
        "(err u400)"
    );
    assert_eq!(
        call(&mut ehr, DOCTOR, "forge-burn", vec![Value::UInt(1)]),
        "(err u400)"
    );
}

fn access(ehr: &mut EhrSimnet, who: &str) -> bool {
    let args = [
        ehr.principal(PATIENT).into(),
        ehr.principal(who).into(),
        Value::UInt(1),
        Value::none(),
    ];
    ehr.read("permission-manager", "has-access", &args)
        .unwrap()
        .result
        == Value::Bool(true)
}

#[test]
fn suspended_expired_revoked_and_deactivated_states_deny() {
    let base = world();
    let mut ehr = base;
    assert!(access(&mut ehr, DOCTOR));
    let snap = ehr.sim.snapshot();

    let doctor: Value = ehr.principal(DOCTOR).into();
    ok(ehr
        .call(
            ISSUER,
            "doctor-registry",
            "suspend-doctor",
            &[doctor.clone()],
        )
        .unwrap());
    assert!(!access(&mut ehr, DOCTOR), "suspended doctor");
    let r = ehr
        .call(
            DOCTOR,
            "ehr-storage",
            "log-access",
            &[Value::UInt(1), Value::UInt(1), text("view")],
        )
        .unwrap();
    assert_eq!(to_literal(&r.result), "(err u310)");
    ehr.sim.revert(&snap);

    // Credential expiry: re-verify with a short expiry, then let it lapse.
    let soon = Value::UInt(ehr.sim.block_height() as u128 + 3);
    ok(ehr
        .call(ISSUER, "doctor-registry", "verify-doctor", &[doctor, soon])
        .unwrap());
    assert!(access(&mut ehr, DOCTOR));
    ehr.sim.mine_empty_blocks(3);
    assert!(!access(&mut ehr, DOCTOR), "expired credential");
    ehr.sim.revert(&snap);

    ok(ehr
        .call(
            PATIENT,
            "permission-manager",
            "revoke-access",
            &[Value::UInt(1)],
        )
        .unwrap());
    assert!(!access(&mut ehr, DOCTOR), "revoked token");
    ehr.sim.revert(&snap);

    ehr.sim.mine_empty_blocks(50_000);
    assert!(!access(&mut ehr, DOCTOR), "expired token");
    ehr.sim.revert(&snap);

    // A writer that lost its grant cannot keep appending chunks to its record.
    let patient_v: Value = ehr.principal(PATIENT).into();
    ok(ehr
        .call(
            PATIENT,
            "permission-manager",
            "revoke-access",
            &[Value::UInt(1)],
        )
        .unwrap());
    let far = Value::UInt(ehr.sim.block_height() as u128 + 500);
    ok(ehr
        .call(
            PATIENT,
            "permission-manager",
            "grant-access",
            &[
                ehr.principal(DOCTOR).into(),
                Value::UInt(3),
                Value::none(),
                far,
            ],
        )
        .unwrap());
    let rec = ok(ehr
        .call(
            DOCTOR,
            "ehr-storage",
            "add-record",
            &[
                patient_v.clone(),
                text("lab"),
                buff(1, 32),
                text("l"),
                buff(1, 9),
            ],
        )
        .unwrap());
    let id = rec.result.clone().expect_result_ok().unwrap();
    ok(ehr
        .call(
            DOCTOR,
            "ehr-storage",
            "put-chunk",
            &[id.clone(), Value::UInt(0), buff(1, 4)],
        )
        .unwrap());
    ok(ehr
        .call(
            PATIENT,
            "permission-manager",
            "revoke-access",
            &[Value::UInt(2)],
        )
        .unwrap());
    let r = ehr
        .call(
            DOCTOR,
            "ehr-storage",
            "put-chunk",
            &[id, Value::UInt(1), buff(1, 4)],
        )
        .unwrap();
    assert_eq!(to_literal(&r.result), "(err u300)", "revoked writer");
    ehr.sim.revert(&snap);

    // A deactivated patient's tokens can no longer be handed to a doctor.
    let far = Value::UInt(ehr.sim.block_height() as u128 + 500);
    let token = ok(ehr
        .call(
            PATIENT,
            "permission-manager",
            "create-token",
            &[Value::UInt(1), Value::none(), far],
        )
        .unwrap())
    .result
    .expect_result_ok()
    .unwrap();
    ok(ehr
        .call(PATIENT, "patient-registry", "deactivate", &[])
        .unwrap());
    let r = ehr
        .call(
            PATIENT,
            "access-token-nft",
            "transfer",
            &[token, patient_v, ehr.principal(DOCTOR_3).into()],
        )
        .unwrap();
    assert_eq!(to_literal(&r.result), "(err u409)");
    ehr.sim.revert(&snap);

    ok(ehr
        .call(PATIENT, "patient-registry", "deactivate", &[])
        .unwrap());
    assert!(!access(&mut ehr, DOCTOR), "deactivated patient");
    assert!(!access(&mut ehr, GUARDIAN), "guardians lose access too");
    let patient: Value = ehr.principal(PATIENT).into();
    let r = ehr
        .call(
            GUARDIAN,
            "ehr-storage",
            "add-record",
            &[patient, text("lab"), buff(1, 32), text("l"), buff(1, 9)],
        )
        .unwrap();
    assert_eq!(to_literal(&r.result), "(err u301)");
}

/// Signs `hash` as Clarity's secp256k1-verify wants: r ++ s ++ recovery id.
fn sign_rsv(key: &SecretKey, hash: &[u8; 32]) -> Value {
    let vrs = key.to_stacks().sign(hash).unwrap().0;
    let mut rsv = vrs[1..].to_vec();
    rsv.push(vrs[0]);
    Value::buff_from(rsv).unwrap()
}

#[test]
fn attestation_verifies_a_doctor_once_and_cannot_be_replayed() {
    let mut ehr = world();
    let unverified = ehr.principal(UNVERIFIED);
    let expires = 100_000u128;
    let (issuer_p, chain_id, registry) = (
        ehr.principal(ISSUER),
        ehr.sim.chain_id(),
        ehr.contract("doctor-registry"),
    );
    let attestation = |expires_at: u128| ehr_sdk::disclosure::Attestation {
        doctor: unverified.clone(),
        license_hash: [11; 32],
        expires_at,
        issuer: issuer_p.clone(),
        chain_id,
        registry: registry.clone(),
    };
    let hash = attestation(expires).hash();
    let args = [
        unverified.clone().into(),
        buff(11, 32),
        Value::UInt(expires),
        ehr.principal(ISSUER).into(),
    ];
    assert_eq!(
        ehr.read("verification-helper", "attestation-hash", &args)
            .unwrap()
            .result,
        Value::buff_from(hash.to_vec()).unwrap(),
        "the contract and the SDK hash the same tuple"
    );

    let issuer: Value = ehr.principal(ISSUER).into();
    let forged = sign_rsv(&ehr.account(STRANGER).secret_key, &hash);
    let r = ehr
        .call(
            UNVERIFIED,
            "doctor-registry",
            "verify-with-attestation",
            &[issuer.clone(), Value::UInt(expires), forged],
        )
        .unwrap();
    assert_eq!(
        to_literal(&r.result),
        "(err u205)",
        "a signature by someone else is refused"
    );

    let signature = sign_rsv(&ehr.account(ISSUER).secret_key, &hash);
    ok(ehr
        .call(
            UNVERIFIED,
            "doctor-registry",
            "verify-with-attestation",
            &[issuer.clone(), Value::UInt(expires), signature.clone()],
        )
        .unwrap());
    assert_eq!(
        ehr.read(
            "doctor-registry",
            "is-verified",
            &[unverified.clone().into()]
        )
        .unwrap()
        .result,
        Value::Bool(true)
    );

    ok(ehr
        .call(
            ISSUER,
            "doctor-registry",
            "suspend-doctor",
            &[unverified.clone().into()],
        )
        .unwrap());
    let replay = ehr
        .call(
            UNVERIFIED,
            "doctor-registry",
            "verify-with-attestation",
            &[issuer, Value::UInt(expires), signature],
        )
        .unwrap();
    assert_eq!(
        to_literal(&replay.result),
        "(err u207)",
        "a suspended doctor cannot replay its attestation"
    );
    // Nor use a fresh one the issuer signed before the suspension: only the issuer's own
    // call lifts a suspension.
    let later = expires + 1;
    let fresh_hash = attestation(later).hash();
    let fresh = sign_rsv(&ehr.account(ISSUER).secret_key, &fresh_hash);
    let issuer: Value = ehr.principal(ISSUER).into();
    let r = ehr
        .call(
            UNVERIFIED,
            "doctor-registry",
            "verify-with-attestation",
            &[issuer, Value::UInt(later), fresh],
        )
        .unwrap();
    assert_eq!(to_literal(&r.result), "(err u209)");
    assert_eq!(
        ehr.read("doctor-registry", "is-verified", &[unverified.into()])
            .unwrap()
            .result,
        Value::Bool(false)
    );
}

fn contract_id(ehr: &EhrSimnet, name: &str) -> QualifiedContractIdentifier {
    ehr.contract(name)
}

#[test]
fn has_access_add_record_and_append_cost_the_same_with_10_and_1000_prior_entries() {
    let mut ehr = world();
    let patient = ehr.principal(PATIENT);
    let doctor: PrincipalData = ehr.principal(DOCTOR);
    let storage = contract_id(&ehr, "ehr-storage");
    let add = |ehr: &mut EhrSimnet, i: u32| {
        let args = [
            patient.clone().into(),
            text("lab"),
            Value::buff_from(i.to_be_bytes().repeat(8)).unwrap(),
            text("loc"),
            buff(5, 93),
        ];
        ehr.sim
            .call_public(&patient, &storage, "add-record", &args)
            .unwrap()
    };
    let measure = |ehr: &mut EhrSimnet, i: u32| {
        let has = ehr
            .read(
                "permission-manager",
                "has-access",
                &[
                    patient.clone().into(),
                    doctor.clone().into(),
                    Value::UInt(1),
                    Value::some(text("lab")).unwrap(),
                ],
            )
            .unwrap();
        assert_eq!(has.result, Value::Bool(true));
        let snap = ehr.sim.snapshot();
        let added = ok(add(ehr, i));
        ehr.sim.revert(&snap);
        (has.cost, added.cost)
    };
    for i in 0..9 {
        ok(add(&mut ehr, i));
    }
    let at_10 = measure(&mut ehr, 1_000_000);
    for i in 10..1000 {
        ok(add(&mut ehr, i));
    }
    let at_1000 = measure(&mut ehr, 1_000_000);
    assert_eq!(at_10.0, at_1000.0, "has-access");
    assert_eq!(
        at_10.1, at_1000.1,
        "add-record (which also appends to the audit log)"
    );
}
