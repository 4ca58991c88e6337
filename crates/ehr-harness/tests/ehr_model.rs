//! Property test: random sequences of verifications, suspensions, grants, token
//! creation and transfers, revocations, emergencies, opt-outs, record writes,
//! deactivation and mined blocks, checked against a small Rust model of who may do what.
//! After every step, every call's ok/err and `has-access` for every doctor, with read and
//! with write scope, must agree with the model.
//!
//! 500 cases by default; set EHR_PROPTEST_CASES for more.

use clarity::vm::types::Value;
use ehr_harness::ehr::EhrSimnet;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

const PATIENT: &str = "wallet_1";
const ISSUER: &str = "wallet_3";
const GUARDIAN: &str = "wallet_4";
const STRANGER: &str = "wallet_6";
const DOCTORS: [&str; 2] = ["wallet_2", "wallet_5"];
const CALLERS: [&str; 4] = [PATIENT, GUARDIAN, STRANGER, "wallet_2"];
const EMERGENCY_BLOCKS: u64 = 144;
const EMERGENCY_COOLDOWN: u64 = 1_008;
const MAX_DURATION: u64 = 52_560;

#[derive(Debug, Clone)]
enum Op {
    Verify {
        doctor: usize,
        blocks: u64,
    },
    Suspend {
        doctor: usize,
    },
    Grant {
        caller: usize,
        doctor: usize,
        scope: u128,
        blocks: u64,
    },
    CreateAndTransfer {
        doctor: usize,
        scope: u128,
        blocks: u64,
    },
    ReturnToken {
        doctor: usize,
    },
    Revoke {
        caller: usize,
        doctor: usize,
    },
    Emergency {
        doctor: usize,
    },
    OptOut {
        out: bool,
    },
    AddRecord {
        caller: usize,
    },
    Deactivate,
    Mine {
        blocks: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..2usize, prop_oneof![Just(5u64), Just(40), Just(500)])
            .prop_map(|(doctor, blocks)| Op::Verify { doctor, blocks }),
        (0..2usize).prop_map(|doctor| Op::Suspend { doctor }),
        (
            0..4usize,
            0..2usize,
            0..9u128,
            prop_oneof![Just(0u64), Just(10), Just(60), Just(60_000)]
        )
            .prop_map(|(caller, doctor, scope, blocks)| Op::Grant {
                caller,
                doctor,
                scope,
                blocks
            }),
        (0..2usize, 1..8u128, prop_oneof![Just(10u64), Just(60)]).prop_map(
            |(doctor, scope, blocks)| Op::CreateAndTransfer {
                doctor,
                scope,
                blocks
            }
        ),
        (0..2usize).prop_map(|doctor| Op::ReturnToken { doctor }),
        (0..4usize, 0..2usize).prop_map(|(caller, doctor)| Op::Revoke { caller, doctor }),
        (0..2usize).prop_map(|doctor| Op::Emergency { doctor }),
        any::<bool>().prop_map(|out| Op::OptOut { out }),
        (0..4usize).prop_map(|caller| Op::AddRecord { caller }),
        Just(Op::Deactivate).prop_filter("rare", |_| true),
        (1..80u32).prop_map(|blocks| Op::Mine { blocks }),
    ]
}

#[derive(Debug, Clone, Default)]
struct Doctor {
    verified_until: u64,
    suspended: bool,
}

#[derive(Debug, Clone)]
struct Token {
    id: u128,
    scope: u128,
    expires: u64,
    emergency: bool,
}

/// What the contracts must do, in a few lines.
#[derive(Debug, Clone, Default)]
struct Model {
    height: u64,
    doctors: [Doctor; 2],
    /// The live-or-stale grant indexed per doctor (grantee is the doctor).
    grants: [Option<Token>; 2],
    next_token: u128,
    opted_out: bool,
    deactivated: bool,
    /// Per doctor: the first block it may open emergency access again after the patient
    /// revoked an emergency token of it.
    emergency_closed_until: [u64; 2],
}

impl Model {
    fn verified(&self, d: usize) -> bool {
        let doc = &self.doctors[d];
        !doc.suspended && self.height < doc.verified_until
    }
    fn live(&self, d: usize) -> Option<&Token> {
        self.grants[d].as_ref().filter(|t| self.height < t.expires)
    }
    /// A regular grant may go to `d`: no live token, or only a live emergency token (which
    /// the regular one supersedes).
    fn free_for_regular(&self, d: usize) -> bool {
        self.live(d).is_none_or(|t| t.emergency)
    }
    fn has_access(&self, d: usize, scope: u128) -> bool {
        !self.deactivated
            && self.verified(d)
            && self.live(d).is_some_and(|t| t.scope & scope == scope)
    }
    fn acts_for(&self, caller: usize) -> bool {
        !self.deactivated && (CALLERS[caller] == PATIENT || CALLERS[caller] == GUARDIAN)
    }
    fn valid_scope(scope: u128) -> bool {
        scope > 0 && scope & 7 == scope
    }
}

fn ascii(s: &str) -> Value {
    Value::string_ascii_from_bytes(s.as_bytes().to_vec()).unwrap()
}

fn run(ehr: &mut EhrSimnet, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut m = Model {
        height: ehr.sim.block_height() as u64,
        next_token: 1,
        ..Model::default()
    };
    let p = |ehr: &EhrSimnet, who: &str| -> Value { ehr.principal(who).into() };
    for (i, op) in ops.iter().enumerate() {
        // Every public call mines its block: calls see `height`, then the chain moves on.
        let (receipt, expected_ok) = match op.clone() {
            Op::Verify { doctor, blocks } => {
                let r = ehr
                    .call(
                        ISSUER,
                        "doctor-registry",
                        "verify-doctor",
                        &[
                            p(ehr, DOCTORS[doctor]),
                            Value::UInt((m.height + blocks) as u128),
                        ],
                    )
                    .unwrap();
                m.doctors[doctor] = Doctor {
                    verified_until: m.height + blocks,
                    suspended: false,
                };
                (Some(r), true)
            }
            Op::Suspend { doctor } => {
                let r = ehr
                    .call(
                        ISSUER,
                        "doctor-registry",
                        "suspend-doctor",
                        &[p(ehr, DOCTORS[doctor])],
                    )
                    .unwrap();
                m.doctors[doctor].suspended = true;
                (Some(r), true)
            }
            Op::Grant {
                caller,
                doctor,
                scope,
                blocks,
            } => {
                let expires = m.height + blocks;
                let args = [
                    p(ehr, DOCTORS[doctor]),
                    Value::UInt(scope),
                    Value::none(),
                    Value::UInt(expires as u128),
                ];
                let r = ehr
                    .call(CALLERS[caller], "permission-manager", "grant-access", &args)
                    .unwrap();
                // grant-access acts for tx-sender: only the patient itself can use it.
                let ok = !m.deactivated
                    && CALLERS[caller] == PATIENT
                    && Model::valid_scope(scope)
                    && blocks > 0
                    && blocks <= MAX_DURATION
                    && m.verified(doctor)
                    && m.free_for_regular(doctor);
                if ok {
                    m.grants[doctor] = Some(Token {
                        id: m.next_token,
                        scope,
                        expires,
                        emergency: false,
                    });
                    m.next_token += 1;
                }
                (Some(r), ok)
            }
            Op::CreateAndTransfer {
                doctor,
                scope,
                blocks,
            } => {
                let expires = m.height + blocks;
                let r = ehr
                    .call(
                        PATIENT,
                        "permission-manager",
                        "create-token",
                        &[
                            Value::UInt(scope),
                            Value::none(),
                            Value::UInt(expires as u128),
                        ],
                    )
                    .unwrap();
                if m.deactivated {
                    (Some(r), false)
                } else {
                    prop_assert!(r.committed, "create-token at step {}", i);
                    let id = m.next_token;
                    m.next_token += 1;
                    m.height += 1;
                    let t = ehr
                        .call(
                            PATIENT,
                            "access-token-nft",
                            "transfer",
                            &[Value::UInt(id), p(ehr, PATIENT), p(ehr, DOCTORS[doctor])],
                        )
                        .unwrap();
                    let ok = m.verified(doctor) && m.free_for_regular(doctor);
                    if ok {
                        m.grants[doctor] = Some(Token {
                            id,
                            scope,
                            expires,
                            emergency: false,
                        });
                    }
                    (Some(t), ok)
                }
            }
            Op::ReturnToken { doctor } => match m.live(doctor).cloned() {
                Some(t) => {
                    let r = ehr
                        .call(
                            DOCTORS[doctor],
                            "access-token-nft",
                            "transfer",
                            &[Value::UInt(t.id), p(ehr, DOCTORS[doctor]), p(ehr, PATIENT)],
                        )
                        .unwrap();
                    m.grants[doctor] = None;
                    (Some(r), true)
                }
                None => (None, false),
            },
            Op::Revoke { caller, doctor } => match m.grants[doctor].clone() {
                Some(t) => {
                    let r = ehr
                        .call(
                            CALLERS[caller],
                            "permission-manager",
                            "revoke-access",
                            &[Value::UInt(t.id)],
                        )
                        .unwrap();
                    let ok = m.acts_for(caller);
                    if ok {
                        if t.emergency {
                            m.emergency_closed_until[doctor] = m.height + EMERGENCY_COOLDOWN;
                        }
                        m.grants[doctor] = None;
                    }
                    (Some(r), ok)
                }
                None => (None, false),
            },
            Op::Emergency { doctor } => {
                let r = ehr
                    .call(
                        DOCTORS[doctor],
                        "permission-manager",
                        "emergency-access",
                        &[
                            p(ehr, PATIENT),
                            Value::string_utf8_from_bytes(b"er".to_vec()).unwrap(),
                        ],
                    )
                    .unwrap();
                let ok = !m.deactivated
                    && m.verified(doctor)
                    && !m.opted_out
                    && m.height >= m.emergency_closed_until[doctor]
                    && m.live(doctor).is_none();
                if ok {
                    m.grants[doctor] = Some(Token {
                        id: m.next_token,
                        scope: 1,
                        expires: m.height + EMERGENCY_BLOCKS,
                        emergency: true,
                    });
                    m.next_token += 1;
                }
                (Some(r), ok)
            }
            Op::OptOut { out } => {
                let r = ehr
                    .call(
                        PATIENT,
                        "permission-manager",
                        "set-emergency-allowed",
                        &[Value::Bool(!out)],
                    )
                    .unwrap();
                let ok = !m.deactivated;
                if ok {
                    m.opted_out = out;
                }
                (Some(r), ok)
            }
            Op::AddRecord { caller } => {
                let args = [
                    p(ehr, PATIENT),
                    ascii("lab"),
                    Value::buff_from(vec![1; 32]).unwrap(),
                    ascii("l"),
                    Value::buff_from(vec![2; 82]).unwrap(),
                ];
                let r = ehr
                    .call(CALLERS[caller], "ehr-storage", "add-record", &args)
                    .unwrap();
                let writer_doctor = DOCTORS.iter().position(|d| *d == CALLERS[caller]);
                let ok = m.acts_for(caller) || writer_doctor.is_some_and(|d| m.has_access(d, 2));
                (Some(r), ok)
            }
            Op::Deactivate => {
                let r = ehr
                    .call(PATIENT, "patient-registry", "deactivate", &[])
                    .unwrap();
                let ok = !m.deactivated;
                m.deactivated = true;
                (Some(r), ok)
            }
            Op::Mine { blocks } => {
                ehr.sim.mine_empty_blocks(blocks);
                m.height += blocks as u64;
                (None, true)
            }
        };
        if let Some(r) = receipt {
            prop_assert_eq!(
                r.committed,
                expected_ok,
                "step {} {:?}: got {}",
                i,
                op,
                ehr_sdk::literal::to_literal(&r.result)
            );
            m.height += 1;
        }
        prop_assert_eq!(ehr.sim.block_height() as u64, m.height);
        for d in 0..2 {
            for scope in [1u128, 2] {
                let args = [
                    p(ehr, PATIENT),
                    p(ehr, DOCTORS[d]),
                    Value::UInt(scope),
                    Value::none(),
                ];
                let got = ehr
                    .read("permission-manager", "has-access", &args)
                    .unwrap()
                    .result
                    == Value::Bool(true);
                prop_assert_eq!(
                    got,
                    m.has_access(d, scope),
                    "has-access doctor {} scope {} after step {} {:?}",
                    d,
                    scope,
                    i,
                    op
                );
            }
        }
    }
    Ok(())
}

#[test]
fn contracts_agree_with_the_model() {
    let mut ehr = EhrSimnet::new().unwrap();
    let p = |ehr: &EhrSimnet, who: &str| -> Value { ehr.principal(who).into() };
    let key = Value::buff_from(vec![2; 33]).unwrap();
    assert!(
        ehr.call(
            "deployer",
            "doctor-registry",
            "set-issuer",
            &[p(&ehr, ISSUER), key.clone(), Value::Bool(true)]
        )
        .unwrap()
        .committed
    );
    assert!(
        ehr.call(
            PATIENT,
            "patient-registry",
            "register-patient",
            &[Value::buff_from(vec![1; 32]).unwrap(), key.clone()]
        )
        .unwrap()
        .committed
    );
    assert!(
        ehr.call(
            PATIENT,
            "patient-registry",
            "set-guardian",
            &[p(&ehr, GUARDIAN), Value::Bool(true)]
        )
        .unwrap()
        .committed
    );
    assert!(
        ehr.call(
            GUARDIAN,
            "patient-registry",
            "accept-guardian",
            &[p(&ehr, PATIENT)]
        )
        .unwrap()
        .committed
    );
    for (i, d) in DOCTORS.iter().enumerate() {
        let args = [
            Value::buff_from(vec![10 + i as u8; 32]).unwrap(),
            key.clone(),
            ascii("gp"),
        ];
        assert!(
            ehr.call(d, "doctor-registry", "register-doctor", &args)
                .unwrap()
                .committed
        );
    }
    let base = ehr.sim.snapshot();
    let cases = std::env::var("EHR_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    // A fixed seed, so a run is reproducible (EHR_PROPTEST_SEED, 32 bytes hex, to explore
    // others); the sequences it ever found are replayed first, every run.
    let seed: [u8; 32] = std::env::var("EHR_PROPTEST_SEED")
        .ok()
        .and_then(|s| hex::decode(s).ok())
        .and_then(|b| b.try_into().ok())
        .unwrap_or(*b"ehr-model/seed/2026-12-05/v2-ctr");
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        proptest::test_runner::TestRng::from_seed(
            proptest::test_runner::RngAlgorithm::ChaCha,
            &seed,
        ),
    );
    let mut ehr = ehr;
    for (i, ops) in regressions().iter().enumerate() {
        ehr.sim.revert(&base);
        run(&mut ehr, ops).unwrap_or_else(|e| panic!("saved regression {i} {ops:?}: {e}"));
    }
    let ehr = std::cell::RefCell::new(ehr);
    runner
        .run(&proptest::collection::vec(op(), 1..9), |ops| {
            let mut ehr = ehr.borrow_mut();
            ehr.sim.revert(&base);
            run(&mut ehr, &ops)
        })
        .unwrap();
}

/// Sequences the model test found once (each was a real disagreement between the model
/// and the contracts, fixed since): replayed on every run before the random ones.
fn regressions() -> Vec<Vec<Op>> {
    vec![
        // A suspended doctor that no issuer had verified yet could not be verified (u209).
        vec![
            Op::Suspend { doctor: 0 },
            Op::Verify {
                doctor: 0,
                blocks: 5,
            },
        ],
    ]
}
