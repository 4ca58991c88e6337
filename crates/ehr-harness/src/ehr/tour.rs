//! A tour of the EHR contracts: one realistic, successful call of every public function a
//! person can call, in an order that makes each one valid. It feeds the cost report
//! (`ehr costs`) and the behaviour snapshots.

use clarity::vm::types::Value;
use ehr_sdk::disclosure::Attestation;

use super::values::{ascii, buff, bytes, utf8};
use super::EhrSimnet;
use crate::simnet::{Receipt, SimnetError};

/// Public functions only the EHR contracts may call (checked on `contract-caller`); their
/// cost is part of the calls that use them.
pub const INTERNAL_FUNCTIONS: [(&str, &str); 4] = [
    ("audit-log", "append-entry"),
    ("notification-system", "notify"),
    ("access-token-nft", "mint"),
    ("access-token-nft", "burn"),
];

/// One call of the tour.
#[derive(Debug, Clone)]
pub struct TourStep {
    /// Devnet account that called.
    pub who: &'static str,
    /// Contract name.
    pub contract: &'static str,
    /// Function name.
    pub function: &'static str,
    /// What happened.
    pub receipt: Receipt,
}

const PATIENT: &str = "wallet_1";
const DOCTOR: &str = "wallet_2";
const ISSUER: &str = "wallet_3";
const GUARDIAN: &str = "wallet_4";
const DOCTOR_2: &str = "wallet_5";
const DOCTOR_3: &str = "wallet_6";
const GUARDIAN_2: &str = "wallet_7";
const PATIENT_2: &str = "wallet_8";
const NEW_ADMIN: &str = "wallet_8";

/// Runs the tour on a fresh chain. Every step must succeed: a refused step is an error
/// naming it.
pub fn tour() -> Result<(EhrSimnet, Vec<TourStep>), SimnetError> {
    let mut ehr = EhrSimnet::new()?;
    let mut steps = Vec::new();
    let p = |ehr: &EhrSimnet, who: &str| -> Value { ehr.principal(who).into() };
    let key = |ehr: &EhrSimnet, who: &str| -> Value {
        bytes(&ehr.account(who).secret_key.public_key().to_bytes())
    };
    macro_rules! step {
        ($who:expr, $contract:expr, $function:expr, $args:expr) => {{
            let args: Vec<Value> = $args;
            let receipt = ehr.call($who, $contract, $function, &args)?;
            if !receipt.committed {
                return Err(SimnetError::Runtime(format!(
                    "tour step {}.{} as {} was refused: {}",
                    $contract,
                    $function,
                    $who,
                    ehr_sdk::literal::to_literal(&receipt.result)
                )));
            }
            steps.push(TourStep {
                who: $who,
                contract: $contract,
                function: $function,
                receipt,
            });
        }};
    }
    let far = |ehr: &EhrSimnet| Value::UInt(u128::from(ehr.sim.block_height()) + 10_000);

    step!(
        "deployer",
        "doctor-registry",
        "set-issuer",
        vec![p(&ehr, ISSUER), key(&ehr, ISSUER), Value::Bool(true)]
    );
    step!(
        "deployer",
        "patient-registry",
        "set-verifier",
        vec![p(&ehr, ISSUER), Value::Bool(true)]
    );
    step!(
        PATIENT,
        "patient-registry",
        "register-patient",
        vec![buff(1, 32), key(&ehr, PATIENT)]
    );
    step!(
        ISSUER,
        "patient-registry",
        "verify-patient",
        vec![p(&ehr, PATIENT)]
    );
    step!(
        PATIENT,
        "patient-registry",
        "set-guardian",
        vec![p(&ehr, GUARDIAN), Value::Bool(true)]
    );
    step!(
        GUARDIAN,
        "patient-registry",
        "accept-guardian",
        vec![p(&ehr, PATIENT)]
    );
    step!(
        PATIENT,
        "patient-registry",
        "update-enc-pubkey",
        vec![key(&ehr, PATIENT)]
    );
    step!(
        GUARDIAN,
        "patient-registry",
        "set-guardian-for",
        vec![p(&ehr, PATIENT), p(&ehr, GUARDIAN_2), Value::Bool(true)]
    );
    step!(
        GUARDIAN_2,
        "patient-registry",
        "accept-guardian",
        vec![p(&ehr, PATIENT)]
    );
    step!(
        GUARDIAN_2,
        "patient-registry",
        "resign-guardian",
        vec![p(&ehr, PATIENT)]
    );
    step!(
        GUARDIAN,
        "patient-registry",
        "update-enc-pubkey-for",
        vec![p(&ehr, PATIENT), key(&ehr, PATIENT)]
    );
    step!(
        PATIENT_2,
        "patient-registry",
        "register-patient",
        vec![buff(5, 32), key(&ehr, PATIENT_2)]
    );
    step!(
        PATIENT_2,
        "patient-registry",
        "set-guardian",
        vec![p(&ehr, GUARDIAN), Value::Bool(true)]
    );
    step!(
        DOCTOR,
        "doctor-registry",
        "register-doctor",
        vec![buff(2, 32), key(&ehr, DOCTOR), ascii("cardiology")]
    );
    step!(
        ISSUER,
        "doctor-registry",
        "verify-doctor",
        vec![p(&ehr, DOCTOR), far(&ehr)]
    );
    step!(
        DOCTOR_2,
        "doctor-registry",
        "register-doctor",
        vec![buff(3, 32), key(&ehr, DOCTOR_2), ascii("radiology")]
    );
    let expires = 100_000u128;
    let signature = Attestation {
        doctor: ehr.principal(DOCTOR_2),
        license_hash: [3; 32],
        expires_at: expires,
        issuer: ehr.principal(ISSUER),
        chain_id: ehr.sim.chain_id(),
        registry: ehr.contract("doctor-registry"),
    }
    .sign(&ehr.account(ISSUER).secret_key);
    step!(
        DOCTOR_2,
        "doctor-registry",
        "verify-with-attestation",
        vec![p(&ehr, ISSUER), Value::UInt(expires), bytes(&signature)]
    );
    step!(
        DOCTOR_3,
        "doctor-registry",
        "register-doctor",
        vec![buff(4, 32), key(&ehr, DOCTOR_3), ascii("emergency")]
    );
    step!(
        ISSUER,
        "doctor-registry",
        "verify-doctor",
        vec![p(&ehr, DOCTOR_3), far(&ehr)]
    );

    step!(
        PATIENT,
        "ehr-storage",
        "add-record",
        vec![
            p(&ehr, PATIENT),
            ascii("lab"),
            buff(7, 32),
            ascii("chain:chunks"),
            buff(5, 82)
        ]
    );
    step!(
        PATIENT,
        "ehr-storage",
        "put-chunk",
        vec![Value::UInt(1), Value::UInt(0), buff(9, 1024)]
    );
    step!(
        PATIENT,
        "permission-manager",
        "grant-access",
        vec![p(&ehr, DOCTOR), Value::UInt(7), Value::none(), far(&ehr)]
    );
    step!(
        GUARDIAN,
        "permission-manager",
        "grant-access-for",
        vec![
            p(&ehr, PATIENT),
            p(&ehr, DOCTOR_2),
            Value::UInt(1),
            Value::none(),
            far(&ehr)
        ]
    );
    step!(
        PATIENT,
        "ehr-storage",
        "put-envelope",
        vec![Value::UInt(1), p(&ehr, DOCTOR), buff(6, 82)]
    );
    step!(
        DOCTOR,
        "ehr-storage",
        "log-access",
        vec![Value::UInt(1), Value::UInt(1), ascii("view")]
    );
    step!(
        DOCTOR,
        "ehr-storage",
        "amend-record",
        vec![
            Value::UInt(1),
            buff(8, 32),
            ascii("chain:chunks"),
            buff(5, 82)
        ]
    );

    step!(
        DOCTOR,
        "ehr-storage",
        "set-claims-anchor",
        vec![Value::UInt(2), buff(0xc1, 32)]
    );
    step!(
        DOCTOR,
        "doctor-registry",
        "update-enc-pubkey",
        vec![key(&ehr, DOCTOR)]
    );

    step!(
        DOCTOR_3,
        "permission-manager",
        "request-access",
        vec![
            p(&ehr, PATIENT),
            Value::UInt(1),
            Value::UInt(100),
            utf8("second opinion")
        ]
    );
    step!(
        PATIENT,
        "permission-manager",
        "approve-request",
        vec![Value::UInt(1)]
    );
    step!(
        DOCTOR_3,
        "permission-manager",
        "request-access",
        vec![
            p(&ehr, PATIENT),
            Value::UInt(3),
            Value::UInt(100),
            utf8("more")
        ]
    );
    step!(
        PATIENT,
        "permission-manager",
        "deny-request",
        vec![Value::UInt(2)]
    );
    step!(
        PATIENT,
        "permission-manager",
        "revoke-access",
        vec![Value::UInt(3)]
    );

    step!(
        PATIENT,
        "permission-manager",
        "create-token",
        vec![
            Value::UInt(1),
            Value::some(ascii("lab")).unwrap_or_else(|_| unreachable!()),
            far(&ehr)
        ]
    );
    step!(
        GUARDIAN,
        "permission-manager",
        "create-token-for",
        vec![p(&ehr, PATIENT), Value::UInt(1), Value::none(), far(&ehr)]
    );
    step!(
        PATIENT,
        "access-token-nft",
        "transfer",
        vec![Value::UInt(4), p(&ehr, PATIENT), p(&ehr, DOCTOR_3)]
    );
    step!(
        DOCTOR_3,
        "access-token-nft",
        "transfer",
        vec![Value::UInt(4), p(&ehr, DOCTOR_3), p(&ehr, PATIENT)]
    );

    step!(
        PATIENT,
        "permission-manager",
        "revoke-access",
        vec![Value::UInt(1)]
    );
    step!(
        DOCTOR,
        "permission-manager",
        "emergency-access",
        vec![p(&ehr, PATIENT), utf8("unconscious in the ER")]
    );
    step!(
        PATIENT,
        "permission-manager",
        "set-emergency-allowed",
        vec![Value::Bool(false)]
    );
    step!(
        GUARDIAN,
        "permission-manager",
        "set-emergency-allowed-for",
        vec![p(&ehr, PATIENT), Value::Bool(true)]
    );
    step!(
        PATIENT,
        "notification-system",
        "mark-read",
        vec![Value::UInt(0)]
    );
    step!(
        DOCTOR_3,
        "notification-system",
        "set-muted",
        vec![p(&ehr, PATIENT), Value::Bool(true)]
    );
    step!(
        ISSUER,
        "doctor-registry",
        "suspend-doctor",
        vec![p(&ehr, DOCTOR_2)]
    );
    step!(
        PATIENT,
        "patient-registry",
        "set-guardian",
        vec![p(&ehr, GUARDIAN), Value::Bool(false)]
    );
    step!(PATIENT, "patient-registry", "deactivate", vec![]);
    for registry in ["patient-registry", "doctor-registry"] {
        step!(
            "deployer",
            registry,
            "propose-admin",
            vec![p(&ehr, NEW_ADMIN)]
        );
        step!(NEW_ADMIN, registry, "accept-admin", vec![]);
    }
    Ok((ehr, steps))
}
