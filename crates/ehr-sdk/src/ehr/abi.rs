//! The function table of the EHR contracts: every public and read-only function, its
//! argument names and Clarity types, in the contracts' order.
//!
//! This table is what the SDK believes the contracts are. Every [`ContractCall`] is checked
//! against it before it is signed (a string too long or a wrong type is refused here, with
//! the argument's name, instead of by the node), and the test `ehr_client_table` compares
//! it with the interfaces of the deployed contracts, so the two cannot drift apart.
//!
//! [`ContractCall`]: super::ContractCall

use std::collections::HashMap;
use std::sync::OnceLock;

use clarity::vm::types::{QualifiedContractIdentifier, TypeSignature};
use clarity::vm::ClarityVersion;
use stacks_common::types::StacksEpochId;

use super::contracts::EhrContract::{self, *};

/// Who may call a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// `define-public`, for transactions from accounts.
    Public,
    /// `define-public`, but only the EHR contracts themselves may call it (token mint and
    /// burn, audit append, notify): a transaction from an account is always refused, so the
    /// SDK builds no call for it.
    Internal,
    /// `define-read-only`: answered by a node without a transaction.
    ReadOnly,
}

/// One function of one contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionSpec {
    /// The contract it belongs to.
    pub contract: EhrContract,
    /// Who may call it.
    pub access: Access,
    /// Its name.
    pub name: &'static str,
    /// Its parameters in order: (name, Clarity type as the contract declares it).
    pub args: &'static [(&'static str, &'static str)],
}

const fn f(
    contract: EhrContract,
    access: Access,
    name: &'static str,
    args: &'static [(&'static str, &'static str)],
) -> FunctionSpec {
    FunctionSpec {
        contract,
        access,
        name,
        args,
    }
}

use Access::{Internal, Public, ReadOnly};

/// Every public and read-only function of the eight contracts.
pub const FUNCTIONS: &[FunctionSpec] = &[
    f(
        PatientRegistry,
        Public,
        "register-patient",
        &[("id-hash", "(buff 32)"), ("enc-pubkey", "(buff 33)")],
    ),
    f(
        PatientRegistry,
        Public,
        "set-guardian-for",
        &[
            ("patient", "principal"),
            ("guardian", "principal"),
            ("enabled", "bool"),
        ],
    ),
    f(
        PatientRegistry,
        Public,
        "set-guardian",
        &[("guardian", "principal"), ("enabled", "bool")],
    ),
    f(
        PatientRegistry,
        Public,
        "update-enc-pubkey-for",
        &[("patient", "principal"), ("enc-pubkey", "(buff 33)")],
    ),
    f(
        PatientRegistry,
        Public,
        "update-enc-pubkey",
        &[("enc-pubkey", "(buff 33)")],
    ),
    f(
        PatientRegistry,
        Public,
        "accept-guardian",
        &[("patient", "principal")],
    ),
    f(
        PatientRegistry,
        Public,
        "resign-guardian",
        &[("patient", "principal")],
    ),
    f(PatientRegistry, Public, "deactivate", &[]),
    f(
        PatientRegistry,
        Public,
        "set-verifier",
        &[("verifier", "principal"), ("enabled", "bool")],
    ),
    f(
        PatientRegistry,
        Public,
        "verify-patient",
        &[("patient", "principal")],
    ),
    f(
        PatientRegistry,
        ReadOnly,
        "get-patient",
        &[("p", "principal")],
    ),
    f(
        PatientRegistry,
        ReadOnly,
        "is-registered",
        &[("p", "principal")],
    ),
    f(
        PatientRegistry,
        ReadOnly,
        "is-guardian",
        &[("patient", "principal"), ("guardian", "principal")],
    ),
    f(
        PatientRegistry,
        ReadOnly,
        "get-guardians",
        &[("patient", "principal")],
    ),
    f(
        PatientRegistry,
        ReadOnly,
        "is-verifier",
        &[("p", "principal")],
    ),
    f(
        PatientRegistry,
        ReadOnly,
        "acts-for",
        &[("patient", "principal"), ("actor", "principal")],
    ),
    f(
        PatientRegistry,
        Public,
        "propose-admin",
        &[("new-admin", "principal")],
    ),
    f(PatientRegistry, Public, "accept-admin", &[]),
    f(
        PatientRegistry,
        ReadOnly,
        "get-guardian-proposal",
        &[("patient", "principal"), ("guardian", "principal")],
    ),
    f(PatientRegistry, ReadOnly, "get-owner", &[]),
    f(PatientRegistry, ReadOnly, "get-proposed-admin", &[]),
    f(
        DoctorRegistry,
        Public,
        "register-doctor",
        &[
            ("license-hash", "(buff 32)"),
            ("enc-pubkey", "(buff 33)"),
            ("specialty", "(string-ascii 64)"),
        ],
    ),
    f(
        DoctorRegistry,
        Public,
        "set-issuer",
        &[
            ("issuer", "principal"),
            ("issuer-pubkey", "(buff 33)"),
            ("enabled", "bool"),
        ],
    ),
    f(
        DoctorRegistry,
        Public,
        "verify-doctor",
        &[("doctor", "principal"), ("expires-at", "uint")],
    ),
    f(
        DoctorRegistry,
        Public,
        "verify-with-attestation",
        &[
            ("issuer", "principal"),
            ("expires-at", "uint"),
            ("signature", "(buff 65)"),
        ],
    ),
    f(
        DoctorRegistry,
        Public,
        "suspend-doctor",
        &[("doctor", "principal")],
    ),
    f(
        DoctorRegistry,
        ReadOnly,
        "get-doctor",
        &[("d", "principal")],
    ),
    f(
        DoctorRegistry,
        ReadOnly,
        "get-issuer",
        &[("i", "principal")],
    ),
    f(
        DoctorRegistry,
        ReadOnly,
        "is-verified",
        &[("d", "principal")],
    ),
    f(
        DoctorRegistry,
        Public,
        "update-enc-pubkey",
        &[("enc-pubkey", "(buff 33)")],
    ),
    f(
        DoctorRegistry,
        Public,
        "propose-admin",
        &[("new-admin", "principal")],
    ),
    f(DoctorRegistry, Public, "accept-admin", &[]),
    f(DoctorRegistry, ReadOnly, "get-owner", &[]),
    f(DoctorRegistry, ReadOnly, "get-proposed-admin", &[]),
    f(
        EhrStorage,
        Public,
        "add-record",
        &[
            ("patient", "principal"),
            ("record-type", "(string-ascii 32)"),
            ("content-hash", "(buff 32)"),
            ("locator", "(string-ascii 256)"),
            ("owner-envelope", "(buff 128)"),
        ],
    ),
    f(
        EhrStorage,
        Public,
        "put-chunk",
        &[
            ("record-id", "uint"),
            ("index", "uint"),
            ("data", "(buff 1024)"),
        ],
    ),
    f(
        EhrStorage,
        Public,
        "amend-record",
        &[
            ("record-id", "uint"),
            ("content-hash", "(buff 32)"),
            ("locator", "(string-ascii 256)"),
            ("owner-envelope", "(buff 128)"),
        ],
    ),
    f(
        EhrStorage,
        Public,
        "put-envelope",
        &[
            ("record-id", "uint"),
            ("holder", "principal"),
            ("envelope", "(buff 128)"),
        ],
    ),
    f(EhrStorage, ReadOnly, "get-record", &[("id", "uint")]),
    f(
        EhrStorage,
        ReadOnly,
        "get-chunk",
        &[("id", "uint"), ("index", "uint")],
    ),
    f(
        EhrStorage,
        ReadOnly,
        "get-envelope",
        &[("id", "uint"), ("holder", "principal")],
    ),
    f(
        EhrStorage,
        ReadOnly,
        "get-patient-record-count",
        &[("p", "principal")],
    ),
    f(
        EhrStorage,
        ReadOnly,
        "get-patient-record-id",
        &[("p", "principal"), ("index", "uint")],
    ),
    f(EhrStorage, ReadOnly, "get-record-count", &[]),
    f(
        EhrStorage,
        Public,
        "log-access",
        &[
            ("token-id", "uint"),
            ("record-id", "uint"),
            ("action", "(string-ascii 24)"),
        ],
    ),
    f(
        EhrStorage,
        Public,
        "set-claims-anchor",
        &[("record-id", "uint"), ("anchor", "(buff 32)")],
    ),
    f(
        EhrStorage,
        ReadOnly,
        "is-logged-action",
        &[("action", "(string-ascii 24)")],
    ),
    f(
        EhrStorage,
        ReadOnly,
        "get-claims-anchor",
        &[("record-id", "uint")],
    ),
    f(
        AccessTokenNft,
        Internal,
        "mint",
        &[
            ("patient", "principal"),
            ("grantee", "principal"),
            ("scope", "uint"),
            ("record-type", "(optional (string-ascii 32))"),
            ("expires-at", "uint"),
            ("emergency", "bool"),
        ],
    ),
    f(AccessTokenNft, Internal, "burn", &[("id", "uint")]),
    f(
        AccessTokenNft,
        Public,
        "transfer",
        &[
            ("id", "uint"),
            ("sender", "principal"),
            ("recipient", "principal"),
        ],
    ),
    f(AccessTokenNft, ReadOnly, "get-last-token-id", &[]),
    f(AccessTokenNft, ReadOnly, "get-token-uri", &[("id", "uint")]),
    f(AccessTokenNft, ReadOnly, "get-owner", &[("id", "uint")]),
    f(AccessTokenNft, ReadOnly, "get-token", &[("id", "uint")]),
    f(
        AccessTokenNft,
        ReadOnly,
        "get-active-token",
        &[("patient", "principal"), ("grantee", "principal")],
    ),
    f(
        AccessTokenNft,
        ReadOnly,
        "get-patient-token-count",
        &[("p", "principal")],
    ),
    f(
        AccessTokenNft,
        ReadOnly,
        "get-patient-token-id",
        &[("p", "principal"), ("index", "uint")],
    ),
    f(
        AccessTokenNft,
        ReadOnly,
        "get-grantee-token-count",
        &[("p", "principal")],
    ),
    f(
        AccessTokenNft,
        ReadOnly,
        "get-grantee-token-id",
        &[("p", "principal"), ("index", "uint")],
    ),
    f(
        PermissionManager,
        Public,
        "request-access",
        &[
            ("patient", "principal"),
            ("scope", "uint"),
            ("duration", "uint"),
            ("reason", "(string-utf8 128)"),
        ],
    ),
    f(
        PermissionManager,
        Public,
        "approve-request",
        &[("request-id", "uint")],
    ),
    f(
        PermissionManager,
        Public,
        "deny-request",
        &[("request-id", "uint")],
    ),
    f(
        PermissionManager,
        Public,
        "create-token-for",
        &[
            ("patient", "principal"),
            ("scope", "uint"),
            ("record-type", "(optional (string-ascii 32))"),
            ("expires-at", "uint"),
        ],
    ),
    f(
        PermissionManager,
        Public,
        "create-token",
        &[
            ("scope", "uint"),
            ("record-type", "(optional (string-ascii 32))"),
            ("expires-at", "uint"),
        ],
    ),
    f(
        PermissionManager,
        Public,
        "grant-access-for",
        &[
            ("patient", "principal"),
            ("grantee", "principal"),
            ("scope", "uint"),
            ("record-type", "(optional (string-ascii 32))"),
            ("expires-at", "uint"),
        ],
    ),
    f(
        PermissionManager,
        Public,
        "grant-access",
        &[
            ("grantee", "principal"),
            ("scope", "uint"),
            ("record-type", "(optional (string-ascii 32))"),
            ("expires-at", "uint"),
        ],
    ),
    f(
        PermissionManager,
        Public,
        "revoke-access",
        &[("token-id", "uint")],
    ),
    f(
        PermissionManager,
        Public,
        "emergency-access",
        &[("patient", "principal"), ("reason", "(string-utf8 128)")],
    ),
    f(
        PermissionManager,
        Public,
        "set-emergency-allowed-for",
        &[("patient", "principal"), ("allowed", "bool")],
    ),
    f(
        PermissionManager,
        Public,
        "set-emergency-allowed",
        &[("allowed", "bool")],
    ),
    f(
        PermissionManager,
        ReadOnly,
        "has-access",
        &[
            ("patient", "principal"),
            ("grantee", "principal"),
            ("scope", "uint"),
            ("record-type", "(optional (string-ascii 32))"),
        ],
    ),
    f(
        PermissionManager,
        ReadOnly,
        "get-request",
        &[("id", "uint")],
    ),
    f(PermissionManager, ReadOnly, "get-request-count", &[]),
    f(
        PermissionManager,
        ReadOnly,
        "get-grant",
        &[("token-id", "uint")],
    ),
    f(
        PermissionManager,
        ReadOnly,
        "is-emergency-allowed",
        &[("patient", "principal")],
    ),
    f(
        PermissionManager,
        ReadOnly,
        "get-emergency-closed-until",
        &[("patient", "principal"), ("doctor", "principal")],
    ),
    f(
        PermissionManager,
        ReadOnly,
        "get-patient-request-count",
        &[("p", "principal")],
    ),
    f(
        PermissionManager,
        ReadOnly,
        "get-patient-request-id",
        &[("p", "principal"), ("index", "uint")],
    ),
    f(
        PermissionManager,
        ReadOnly,
        "get-doctor-request-count",
        &[("p", "principal")],
    ),
    f(
        PermissionManager,
        ReadOnly,
        "get-doctor-request-id",
        &[("p", "principal"), ("index", "uint")],
    ),
    f(
        AuditLog,
        ReadOnly,
        "is-ehr-contract",
        &[("caller", "principal")],
    ),
    f(
        AuditLog,
        Internal,
        "append-entry",
        &[
            ("patient", "principal"),
            ("actor", "principal"),
            ("action", "(string-ascii 24)"),
            ("ref", "uint"),
            ("details-hash", "(buff 32)"),
        ],
    ),
    f(AuditLog, ReadOnly, "get-entry", &[("id", "uint")]),
    f(AuditLog, ReadOnly, "get-entry-count", &[]),
    f(
        AuditLog,
        ReadOnly,
        "get-patient-entry-count",
        &[("p", "principal")],
    ),
    f(
        AuditLog,
        ReadOnly,
        "get-patient-entry-id",
        &[("p", "principal"), ("index", "uint")],
    ),
    f(AuditLog, ReadOnly, "get-head", &[]),
    f(
        NotificationSystem,
        ReadOnly,
        "is-ehr-contract",
        &[("caller", "principal")],
    ),
    f(
        NotificationSystem,
        Internal,
        "notify",
        &[
            ("recipient", "principal"),
            ("kind", "(string-ascii 24)"),
            ("ref", "uint"),
        ],
    ),
    f(
        NotificationSystem,
        Public,
        "mark-read",
        &[("index", "uint")],
    ),
    f(
        NotificationSystem,
        ReadOnly,
        "get-notification",
        &[("recipient", "principal"), ("index", "uint")],
    ),
    f(
        NotificationSystem,
        ReadOnly,
        "get-notification-count",
        &[("p", "principal")],
    ),
    f(
        NotificationSystem,
        ReadOnly,
        "get-unread-count",
        &[("p", "principal")],
    ),
    f(
        NotificationSystem,
        Public,
        "set-muted",
        &[("actor", "principal"), ("mute", "bool")],
    ),
    f(
        NotificationSystem,
        ReadOnly,
        "is-muted",
        &[("recipient", "principal"), ("actor", "principal")],
    ),
    f(
        VerificationHelper,
        ReadOnly,
        "leaf-hash",
        &[("salt", "(buff 32)"), ("field", "(buff 512)")],
    ),
    f(
        VerificationHelper,
        ReadOnly,
        "node-hash",
        &[("left", "(buff 32)"), ("right", "(buff 32)")],
    ),
    f(
        VerificationHelper,
        ReadOnly,
        "verify-merkle-proof",
        &[
            ("salt", "(buff 32)"),
            ("field", "(buff 512)"),
            ("proof", "(list 32 (buff 32))"),
            ("positions", "(list 32 bool)"),
            ("root", "(buff 32)"),
        ],
    ),
    f(
        VerificationHelper,
        ReadOnly,
        "verify-commitment",
        &[
            ("commitment", "(buff 32)"),
            ("salt", "(buff 32)"),
            ("value", "(buff 512)"),
        ],
    ),
    f(
        VerificationHelper,
        ReadOnly,
        "verify-signature",
        &[
            ("message-hash", "(buff 32)"),
            ("signature", "(buff 65)"),
            ("pubkey", "(buff 33)"),
        ],
    ),
    f(
        VerificationHelper,
        ReadOnly,
        "attestation-hash",
        &[
            ("doctor", "principal"),
            ("license-hash", "(buff 32)"),
            ("expires-at", "uint"),
            ("issuer", "principal"),
        ],
    ),
];

impl FunctionSpec {
    /// The spec of `contract.name`, if the table has it.
    pub fn find(contract: EhrContract, name: &str) -> Option<&'static FunctionSpec> {
        FUNCTIONS
            .iter()
            .find(|s| s.contract == contract && s.name == name)
    }

    /// `contract.function`, as people write it.
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.contract, self.name)
    }

    /// The parsed type of each argument, in order.
    pub fn arg_types(&self) -> &'static [TypeSignature] {
        static PARSED: OnceLock<HashMap<(EhrContract, &'static str), Vec<TypeSignature>>> =
            OnceLock::new();
        let parsed = PARSED.get_or_init(|| {
            FUNCTIONS
                .iter()
                .map(|s| {
                    let types = s.args.iter().map(|(_, ty)| parse_type(ty)).collect();
                    ((s.contract, s.name), types)
                })
                .collect()
        });
        &parsed[&(self.contract, self.name)]
    }
}

/// Parses a type written in Clarity syntax; the table's types are constants, checked by
/// the test `every_table_type_parses`.
fn parse_type(text: &str) -> TypeSignature {
    let exprs = clarity::vm::ast::build_ast_with_rules(
        &QualifiedContractIdentifier::transient(),
        text,
        &mut (),
        ClarityVersion::Clarity2,
        StacksEpochId::Epoch24,
        clarity::vm::ast::ASTRules::PrecheckSize,
    )
    .unwrap_or_else(|e| panic!("the function table's type `{text}` is not Clarity syntax: {e:?}"))
    .expressions;
    TypeSignature::parse_type_repr(StacksEpochId::Epoch24, &exprs[0], &mut ())
        .unwrap_or_else(|e| panic!("the function table's type `{text}` is not a type: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_type_parses() {
        for spec in FUNCTIONS {
            assert_eq!(
                spec.arg_types().len(),
                spec.args.len(),
                "{}",
                spec.qualified_name()
            );
        }
    }

    #[test]
    fn names_are_unique_per_contract() {
        let mut seen = std::collections::HashSet::new();
        for spec in FUNCTIONS {
            assert!(
                seen.insert((spec.contract, spec.name)),
                "{}",
                spec.qualified_name()
            );
        }
    }
}
