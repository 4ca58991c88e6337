//! Contract calls built from Rust types, one constructor per function of the contracts.
//!
//! Every constructor goes through [`ContractCall::new`], which checks the arguments against
//! the function table ([`super::abi`]): a reason longer than 128 characters or a record
//! type with non-ASCII characters is refused here, naming the argument, before anything
//! is signed. Public functions become transactions ([`super::EhrClient::send`]); read-only
//! ones are answered by a node ([`super::EhrClient::read`]).

use clarity::vm::types::{PrincipalData, Value};
use stacks_common::types::StacksEpochId;

use super::abi::{Access, FunctionSpec};
use super::contracts::EhrContract::{self, *};
use super::types::Scope;
use crate::keys::PublicKey;

/// Why a call could not be built.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CallError {
    /// The function is not in the table.
    #[error("{contract} has no function `{function}`")]
    UnknownFunction {
        /// The contract.
        contract: EhrContract,
        /// The function asked for.
        function: String,
    },
    /// Wrong number of arguments.
    #[error("{function} takes {expected} argument(s), got {got}")]
    Arity {
        /// `contract.function`.
        function: String,
        /// What the contract declares.
        expected: usize,
        /// What was given.
        got: usize,
    },
    /// An argument the contract would refuse.
    #[error("argument `{arg}` of {function} must be {expected}: {problem}")]
    BadArgument {
        /// `contract.function`.
        function: String,
        /// The argument's name in the contract.
        arg: String,
        /// Its Clarity type.
        expected: String,
        /// What is wrong with the value given.
        problem: String,
    },
}

/// A call of one function of the EHR contracts with checked arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractCall {
    spec: &'static FunctionSpec,
    args: Vec<Value>,
}

impl ContractCall {
    /// `contract.function(args)`, checked against the function table: the function exists,
    /// the number of arguments matches, and each value fits its declared type.
    pub fn new(contract: EhrContract, function: &str, args: Vec<Value>) -> Result<Self, CallError> {
        let spec =
            FunctionSpec::find(contract, function).ok_or_else(|| CallError::UnknownFunction {
                contract,
                function: function.to_string(),
            })?;
        if args.len() != spec.args.len() {
            return Err(CallError::Arity {
                function: spec.qualified_name(),
                expected: spec.args.len(),
                got: args.len(),
            });
        }
        for ((value, ty), (name, declared)) in
            args.iter().zip(spec.arg_types()).zip(spec.args.iter())
        {
            if !ty.admits(&StacksEpochId::Epoch24, value).unwrap_or(false) {
                return Err(CallError::BadArgument {
                    function: spec.qualified_name(),
                    arg: name.to_string(),
                    expected: declared.to_string(),
                    problem: format!("got {value}"),
                });
            }
        }
        Ok(ContractCall { spec, args })
    }

    /// The function called.
    pub fn spec(&self) -> &'static FunctionSpec {
        self.spec
    }

    /// The contract called.
    pub fn contract(&self) -> EhrContract {
        self.spec.contract
    }

    /// The function's name.
    pub fn function(&self) -> &'static str {
        self.spec.name
    }

    /// Whether it is sent as a transaction or answered by a node.
    pub fn access(&self) -> Access {
        self.spec.access
    }

    /// The arguments, in order.
    pub fn args(&self) -> &[Value] {
        &self.args
    }
}

/// Builds arguments with their names, so a value that cannot be a Clarity value at all
/// (a string of 2 MB, a non-ASCII record type) is reported against its argument.
struct Args {
    contract: EhrContract,
    function: &'static str,
    values: Vec<Value>,
    problem: Option<CallError>,
}

fn args(contract: EhrContract, function: &'static str) -> Args {
    Args {
        contract,
        function,
        values: Vec::new(),
        problem: None,
    }
}

impl Args {
    fn value(mut self, v: Value) -> Self {
        self.values.push(v);
        self
    }

    fn principal(self, p: &PrincipalData) -> Self {
        self.value(Value::Principal(p.clone()))
    }

    fn uint(self, n: u128) -> Self {
        self.value(Value::UInt(n))
    }

    fn bool(self, b: bool) -> Self {
        self.value(Value::Bool(b))
    }

    /// A value built by `make`, or the argument's error.
    fn built(mut self, make: Result<Value, String>) -> Self {
        match make {
            Ok(v) => self.values.push(v),
            Err(problem) => {
                if self.problem.is_none() {
                    let index = self.values.len();
                    self.problem = Some(self.bad(index, problem));
                }
                // Keep positions aligned; the call is refused anyway.
                self.values.push(Value::none());
            }
        }
        self
    }

    fn bad(&self, index: usize, problem: String) -> CallError {
        let spec = FunctionSpec::find(self.contract, self.function);
        let (arg, expected) = spec
            .and_then(|s| s.args.get(index))
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .unwrap_or_else(|| (format!("#{index}"), "a Clarity value".to_string()));
        CallError::BadArgument {
            function: format!("{}.{}", self.contract, self.function),
            arg,
            expected,
            problem,
        }
    }

    fn buff(self, bytes: &[u8]) -> Self {
        self.built(Value::buff_from(bytes.to_vec()).map_err(|e| e.to_string()))
    }

    fn ascii(self, text: &str) -> Self {
        self.built(ascii(text))
    }

    fn utf8(self, text: &str) -> Self {
        self.built(
            Value::string_utf8_from_bytes(text.as_bytes().to_vec()).map_err(|e| e.to_string()),
        )
    }

    fn optional_ascii(self, text: Option<&str>) -> Self {
        self.built(match text {
            None => Ok(Value::none()),
            Some(t) => ascii(t).and_then(|v| Value::some(v).map_err(|e| e.to_string())),
        })
    }

    fn call(self) -> Result<ContractCall, CallError> {
        match self.problem {
            Some(problem) => Err(problem),
            None => ContractCall::new(self.contract, self.function, self.values),
        }
    }
}

fn ascii(text: &str) -> Result<Value, String> {
    if let Some(c) = text.chars().find(|c| !c.is_ascii() || c.is_ascii_control()) {
        return Err(format!("{c:?} is not a printable ASCII character"));
    }
    Value::string_ascii_from_bytes(text.as_bytes().to_vec()).map_err(|e| e.to_string())
}

// ---- patient-registry ----------------------------------------------------------------

/// Registers the sender as a patient: `id_hash` = sha256(salt ++ identifier), and the key
/// record envelopes are wrapped to.
pub fn register_patient(
    id_hash: &[u8; 32],
    enc_pubkey: &PublicKey,
) -> Result<ContractCall, CallError> {
    args(PatientRegistry, "register-patient")
        .buff(id_hash)
        .buff(&enc_pubkey.to_bytes())
        .call()
}

/// Proposes (`enabled`) a guardian of the sender, who must then call
/// [`accept_guardian`]; with `enabled` false, removes a guardian or withdraws a proposal.
pub fn set_guardian(guardian: &PrincipalData, enabled: bool) -> Result<ContractCall, CallError> {
    args(PatientRegistry, "set-guardian")
        .principal(guardian)
        .bool(enabled)
        .call()
}

/// As [`set_guardian`], by a guardian acting for `patient`.
pub fn set_guardian_for(
    patient: &PrincipalData,
    guardian: &PrincipalData,
    enabled: bool,
) -> Result<ContractCall, CallError> {
    args(PatientRegistry, "set-guardian-for")
        .principal(patient)
        .principal(guardian)
        .bool(enabled)
        .call()
}

/// Replaces the sender's envelope key (after a device change).
pub fn update_enc_pubkey(enc_pubkey: &PublicKey) -> Result<ContractCall, CallError> {
    args(PatientRegistry, "update-enc-pubkey")
        .buff(&enc_pubkey.to_bytes())
        .call()
}

/// As [`update_enc_pubkey`], by a guardian acting for `patient`.
pub fn update_enc_pubkey_for(
    patient: &PrincipalData,
    enc_pubkey: &PublicKey,
) -> Result<ContractCall, CallError> {
    args(PatientRegistry, "update-enc-pubkey-for")
        .principal(patient)
        .buff(&enc_pubkey.to_bytes())
        .call()
}

/// Deactivates the sender's registration (for good; only the patient itself may).
pub fn deactivate() -> Result<ContractCall, CallError> {
    args(PatientRegistry, "deactivate").call()
}

/// The sender accepts `patient`'s proposal to become its guardian.
pub fn accept_guardian(patient: &PrincipalData) -> Result<ContractCall, CallError> {
    args(PatientRegistry, "accept-guardian")
        .principal(patient)
        .call()
}

/// The sender stops being `patient`'s guardian.
pub fn resign_guardian(patient: &PrincipalData) -> Result<ContractCall, CallError> {
    args(PatientRegistry, "resign-guardian")
        .principal(patient)
        .call()
}

/// Admin of `registry` (patient-registry or doctor-registry): names its successor, who
/// then calls [`accept_admin`].
pub fn propose_admin(
    registry: EhrContract,
    new_admin: &PrincipalData,
) -> Result<ContractCall, CallError> {
    args(registry, "propose-admin").principal(new_admin).call()
}

/// The proposed administrator of `registry` takes the role over.
pub fn accept_admin(registry: EhrContract) -> Result<ContractCall, CallError> {
    args(registry, "accept-admin").call()
}

/// Admin: enables or disables a patient verifier.
pub fn set_verifier(verifier: &PrincipalData, enabled: bool) -> Result<ContractCall, CallError> {
    args(PatientRegistry, "set-verifier")
        .principal(verifier)
        .bool(enabled)
        .call()
}

/// Verifier: marks `patient` verified.
pub fn verify_patient(patient: &PrincipalData) -> Result<ContractCall, CallError> {
    args(PatientRegistry, "verify-patient")
        .principal(patient)
        .call()
}

// ---- doctor-registry -----------------------------------------------------------------

/// Registers the sender as a doctor.
pub fn register_doctor(
    license_hash: &[u8; 32],
    enc_pubkey: &PublicKey,
    specialty: &str,
) -> Result<ContractCall, CallError> {
    args(DoctorRegistry, "register-doctor")
        .buff(license_hash)
        .buff(&enc_pubkey.to_bytes())
        .ascii(specialty)
        .call()
}

/// Admin: enables or disables a credential issuer and records its attestation key.
pub fn set_issuer(
    issuer: &PrincipalData,
    issuer_pubkey: &PublicKey,
    enabled: bool,
) -> Result<ContractCall, CallError> {
    args(DoctorRegistry, "set-issuer")
        .principal(issuer)
        .buff(&issuer_pubkey.to_bytes())
        .bool(enabled)
        .call()
}

/// Issuer: verifies `doctor`'s credential until block `expires_at`.
pub fn verify_doctor(doctor: &PrincipalData, expires_at: u64) -> Result<ContractCall, CallError> {
    args(DoctorRegistry, "verify-doctor")
        .principal(doctor)
        .uint(expires_at.into())
        .call()
}

/// Doctor: submits an issuer's off-chain attestation (see
/// [`crate::disclosure::sign_attestation`]).
pub fn verify_with_attestation(
    issuer: &PrincipalData,
    expires_at: u64,
    signature: &[u8; 65],
) -> Result<ContractCall, CallError> {
    args(DoctorRegistry, "verify-with-attestation")
        .principal(issuer)
        .uint(expires_at.into())
        .buff(signature)
        .call()
}

/// Issuer or admin: suspends `doctor`.
pub fn suspend_doctor(doctor: &PrincipalData) -> Result<ContractCall, CallError> {
    args(DoctorRegistry, "suspend-doctor")
        .principal(doctor)
        .call()
}

// ---- ehr-storage ---------------------------------------------------------------------

/// Adds a record for `patient`: its type, the sealed bytes' hash, where they are, and the
/// patient's key envelope.
pub fn add_record(
    patient: &PrincipalData,
    record_type: &str,
    content_hash: &[u8; 32],
    locator: &str,
    owner_envelope: &[u8],
) -> Result<ContractCall, CallError> {
    args(EhrStorage, "add-record")
        .principal(patient)
        .ascii(record_type)
        .buff(content_hash)
        .ascii(locator)
        .buff(owner_envelope)
        .call()
}

/// Writes chunk `index` (up to 1 KiB) of a record kept whole on chain.
pub fn put_chunk(record_id: u64, index: u64, data: &[u8]) -> Result<ContractCall, CallError> {
    args(EhrStorage, "put-chunk")
        .uint(record_id.into())
        .uint(index.into())
        .buff(data)
        .call()
}

/// Adds a new version of a record (the old one is kept).
pub fn amend_record(
    record_id: u64,
    content_hash: &[u8; 32],
    locator: &str,
    owner_envelope: &[u8],
) -> Result<ContractCall, CallError> {
    args(EhrStorage, "amend-record")
        .uint(record_id.into())
        .buff(content_hash)
        .ascii(locator)
        .buff(owner_envelope)
        .call()
}

/// Stores `holder`'s key envelope for a record.
pub fn put_envelope(
    record_id: u64,
    holder: &PrincipalData,
    envelope: &[u8],
) -> Result<ContractCall, CallError> {
    args(EhrStorage, "put-envelope")
        .uint(record_id.into())
        .principal(holder)
        .buff(envelope)
        .call()
}

// ---- access-token-nft ----------------------------------------------------------------

/// SIP-009 transfer: the patient hands a token to a verified doctor, or the doctor hands
/// it back.
pub fn transfer(
    token_id: u64,
    sender: &PrincipalData,
    recipient: &PrincipalData,
) -> Result<ContractCall, CallError> {
    args(AccessTokenNft, "transfer")
        .uint(token_id.into())
        .principal(sender)
        .principal(recipient)
        .call()
}

// ---- permission-manager --------------------------------------------------------------

/// Doctor: asks `patient` for `scope` for `duration` blocks, giving a reason.
pub fn request_access(
    patient: &PrincipalData,
    scope: Scope,
    duration: u64,
    reason: &str,
) -> Result<ContractCall, CallError> {
    args(PermissionManager, "request-access")
        .principal(patient)
        .uint(scope.bits())
        .uint(duration.into())
        .utf8(reason)
        .call()
}

/// Patient or guardian: approves a request (mints the token to the doctor).
pub fn approve_request(request_id: u64) -> Result<ContractCall, CallError> {
    args(PermissionManager, "approve-request")
        .uint(request_id.into())
        .call()
}

/// Patient or guardian: denies a request.
pub fn deny_request(request_id: u64) -> Result<ContractCall, CallError> {
    args(PermissionManager, "deny-request")
        .uint(request_id.into())
        .call()
}

/// Patient: mints a token to itself, to hand to a doctor later.
pub fn create_token(
    scope: Scope,
    record_type: Option<&str>,
    expires_at: u64,
) -> Result<ContractCall, CallError> {
    args(PermissionManager, "create-token")
        .uint(scope.bits())
        .optional_ascii(record_type)
        .uint(expires_at.into())
        .call()
}

/// As [`create_token`], by a guardian for `patient`.
pub fn create_token_for(
    patient: &PrincipalData,
    scope: Scope,
    record_type: Option<&str>,
    expires_at: u64,
) -> Result<ContractCall, CallError> {
    args(PermissionManager, "create-token-for")
        .principal(patient)
        .uint(scope.bits())
        .optional_ascii(record_type)
        .uint(expires_at.into())
        .call()
}

/// Patient: grants a verified doctor `scope`, optionally for one record type, until block
/// `expires_at`.
pub fn grant_access(
    grantee: &PrincipalData,
    scope: Scope,
    record_type: Option<&str>,
    expires_at: u64,
) -> Result<ContractCall, CallError> {
    args(PermissionManager, "grant-access")
        .principal(grantee)
        .uint(scope.bits())
        .optional_ascii(record_type)
        .uint(expires_at.into())
        .call()
}

/// As [`grant_access`], by a guardian for `patient`.
pub fn grant_access_for(
    patient: &PrincipalData,
    grantee: &PrincipalData,
    scope: Scope,
    record_type: Option<&str>,
    expires_at: u64,
) -> Result<ContractCall, CallError> {
    args(PermissionManager, "grant-access-for")
        .principal(patient)
        .principal(grantee)
        .uint(scope.bits())
        .optional_ascii(record_type)
        .uint(expires_at.into())
        .call()
}

/// Patient or guardian: revokes a token (burns it).
pub fn revoke_access(token_id: u64) -> Result<ContractCall, CallError> {
    args(PermissionManager, "revoke-access")
        .uint(token_id.into())
        .call()
}

/// Verified doctor: short read-only emergency access to `patient`, with a reason.
pub fn emergency_access(patient: &PrincipalData, reason: &str) -> Result<ContractCall, CallError> {
    args(PermissionManager, "emergency-access")
        .principal(patient)
        .utf8(reason)
        .call()
}

/// Patient: allows (or opts out of) emergency access.
pub fn set_emergency_allowed(allowed: bool) -> Result<ContractCall, CallError> {
    args(PermissionManager, "set-emergency-allowed")
        .bool(allowed)
        .call()
}

/// As [`set_emergency_allowed`], by a guardian for `patient`.
pub fn set_emergency_allowed_for(
    patient: &PrincipalData,
    allowed: bool,
) -> Result<ContractCall, CallError> {
    args(PermissionManager, "set-emergency-allowed-for")
        .principal(patient)
        .bool(allowed)
        .call()
}

/// Token holder: records on chain (ehr-storage) that it used the token on a record of the
/// token's patient. `action` is one of [`LOGGED_ACTIONS`].
pub fn log_access(token_id: u64, record_id: u64, action: &str) -> Result<ContractCall, CallError> {
    if !LOGGED_ACTIONS.contains(&action) {
        return Err(CallError::BadArgument {
            function: "ehr-storage.log-access".into(),
            arg: "action".into(),
            expected: format!("one of {}", LOGGED_ACTIONS.join(", ")),
            problem: format!("`{action}` is not a logged action"),
        });
    }
    args(EhrStorage, "log-access")
        .uint(token_id.into())
        .uint(record_id.into())
        .ascii(action)
        .call()
}

// ---- notification-system -------------------------------------------------------------

/// Marks notification `index` of the sender's inbox read.
pub fn mark_read(index: u64) -> Result<ContractCall, CallError> {
    args(NotificationSystem, "mark-read")
        .uint(index.into())
        .call()
}

// ---- read-only -----------------------------------------------------------------------

/// A read-only call of `contract.function` with the given arguments (checked like any
/// other call). The typed read methods of [`super::EhrClient`] are built on it.
pub fn read_only(
    contract: EhrContract,
    function: &'static str,
    values: Vec<Value>,
) -> Result<ContractCall, CallError> {
    let call = ContractCall::new(contract, function, values)?;
    if call.access() != Access::ReadOnly {
        return Err(CallError::UnknownFunction {
            contract,
            function: format!("{function} (not a read-only function)"),
        });
    }
    Ok(call)
}

/// `permission-manager.has-access` (read-only).
pub fn has_access(
    patient: &PrincipalData,
    grantee: &PrincipalData,
    scope: Scope,
    record_type: Option<&str>,
) -> Result<ContractCall, CallError> {
    args(PermissionManager, "has-access")
        .principal(patient)
        .principal(grantee)
        .uint(scope.bits())
        .optional_ascii(record_type)
        .call()
}

/// The actions `log-access` takes (ehr-storage's `is-logged-action`): a closed set that no
/// contract uses for its own audit entries.
pub const LOGGED_ACTIONS: [&str; 5] = ["view", "download", "print", "export", "share-out"];

/// The author of record `record_id` (its current version) anchors the hash of the
/// commitments it signed for zero-knowledge claims; once per record.
pub fn set_claims_anchor(record_id: u64, anchor: &[u8; 32]) -> Result<ContractCall, CallError> {
    args(EhrStorage, "set-claims-anchor")
        .uint(record_id.into())
        .buff(anchor)
        .call()
}

/// A doctor replaces its own encryption key.
pub fn update_doctor_enc_pubkey(enc_pubkey: &PublicKey) -> Result<ContractCall, CallError> {
    args(DoctorRegistry, "update-enc-pubkey")
        .buff(&enc_pubkey.to_bytes())
        .call()
}

/// The sender mutes (or unmutes) notifications caused by `actor`.
pub fn set_muted(actor: &PrincipalData, mute: bool) -> Result<ContractCall, CallError> {
    args(NotificationSystem, "set-muted")
        .principal(actor)
        .bool(mute)
        .call()
}

/// Every public function an account can call, with sample arguments: the table's
/// account-callable functions must all have a constructor above.
#[cfg(test)]
pub(crate) fn every_public_call() -> Vec<ContractCall> {
    let p = PrincipalData::parse("ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5").unwrap();
    let key = crate::keys::SecretKey::from_hex(
        "7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801",
    )
    .unwrap()
    .public_key();
    let h = [7u8; 32];
    let env = [1u8; 82];
    let s = Scope::READ;
    vec![
        register_patient(&h, &key),
        set_guardian(&p, true),
        set_guardian_for(&p, &p, true),
        update_enc_pubkey(&key),
        update_enc_pubkey_for(&p, &key),
        deactivate(),
        accept_guardian(&p),
        resign_guardian(&p),
        propose_admin(PatientRegistry, &p),
        accept_admin(PatientRegistry),
        propose_admin(DoctorRegistry, &p),
        accept_admin(DoctorRegistry),
        update_doctor_enc_pubkey(&key),
        set_claims_anchor(1, &h),
        set_muted(&p, true),
        set_verifier(&p, true),
        verify_patient(&p),
        register_doctor(&h, &key, "cardiology"),
        set_issuer(&p, &key, true),
        verify_doctor(&p, 10),
        verify_with_attestation(&p, 10, &[0; 65]),
        suspend_doctor(&p),
        add_record(&p, "Observation", &h, "chain:", &env),
        put_chunk(1, 0, &[0; 1024]),
        amend_record(1, &h, "ipfs://x", &env),
        put_envelope(1, &p, &env),
        transfer(1, &p, &p),
        request_access(&p, s, 10, "checkup"),
        approve_request(1),
        deny_request(1),
        create_token(s, None, 10),
        create_token_for(&p, s, Some("lab"), 10),
        grant_access(&p, s, Some("lab"), 10),
        grant_access_for(&p, &p, s, None, 10),
        revoke_access(1),
        emergency_access(&p, "unconscious"),
        set_emergency_allowed(false),
        set_emergency_allowed_for(&p, false),
        log_access(1, 1, "view"),
        mark_read(0),
    ]
    .into_iter()
    .map(|c| c.expect("sample arguments fit"))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ehr::abi::FUNCTIONS;

    #[test]
    fn every_account_callable_function_has_a_constructor() {
        let mut built: Vec<String> = every_public_call()
            .iter()
            .map(|c| c.spec().qualified_name())
            .collect();
        built.sort();
        let mut table: Vec<String> = FUNCTIONS
            .iter()
            .filter(|s| s.access == Access::Public)
            .map(|s| s.qualified_name())
            .collect();
        table.sort();
        assert_eq!(built, table);
    }

    #[test]
    fn arguments_that_do_not_fit_are_refused_by_name() {
        let p = PrincipalData::parse("ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5").unwrap();
        let long = "x".repeat(129);
        match request_access(&p, Scope::READ, 10, &long) {
            Err(CallError::BadArgument { arg, expected, .. }) => {
                assert_eq!(arg, "reason");
                assert_eq!(expected, "(string-utf8 128)");
            }
            other => panic!("{other:?}"),
        }
        match grant_access(&p, Scope::READ, Some("Labor\u{e9}"), 10) {
            Err(CallError::BadArgument { arg, problem, .. }) => {
                assert_eq!(arg, "record-type");
                assert!(problem.contains("ASCII"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            put_chunk(1, 0, &[0; 1025]),
            Err(CallError::BadArgument { ref arg, .. }) if arg == "data"
        ));
        assert!(matches!(
            ContractCall::new(PatientRegistry, "register-patient", vec![]),
            Err(CallError::Arity {
                expected: 2,
                got: 0,
                ..
            })
        ));
        assert!(matches!(
            ContractCall::new(PatientRegistry, "steal", vec![]),
            Err(CallError::UnknownFunction { .. })
        ));
        assert!(read_only(PatientRegistry, "deactivate", vec![]).is_err());
        assert!(matches!(
            log_access(1, 1, "revoke-access"),
            Err(CallError::BadArgument { ref arg, .. }) if arg == "action"
        ));
        for action in LOGGED_ACTIONS {
            assert!(log_access(1, 1, action).is_ok(), "{action}");
        }
    }
}
