//! The EHR contracts: their names, their compiled-in sources, and where a deployment
//! puts them.

use std::fmt;
use std::str::FromStr;

use clarity::vm::types::{QualifiedContractIdentifier, StandardPrincipalData};
use clarity::vm::ContractName;

/// The EHR contracts and the local SIP-009 trait, in deployment order (each after every
/// contract it calls or implements), as (name, source). The sources are
/// `contracts/contracts/*.clar`, compiled in, so a client can compare them with what a
/// node holds and deploy them.
pub const EHR_CONTRACTS: [(&str, &str); 9] = [
    ("nft-trait", include_str!("../../contracts/nft-trait.clar")),
    (
        "verification-helper",
        include_str!("../../contracts/verification-helper.clar"),
    ),
    ("audit-log", include_str!("../../contracts/audit-log.clar")),
    (
        "notification-system",
        include_str!("../../contracts/notification-system.clar"),
    ),
    (
        "patient-registry",
        include_str!("../../contracts/patient-registry.clar"),
    ),
    (
        "doctor-registry",
        include_str!("../../contracts/doctor-registry.clar"),
    ),
    (
        "access-token-nft",
        include_str!("../../contracts/access-token-nft.clar"),
    ),
    (
        "permission-manager",
        include_str!("../../contracts/permission-manager.clar"),
    ),
    (
        "ehr-storage",
        include_str!("../../contracts/ehr-storage.clar"),
    ),
];

/// One of the eight EHR contracts (the SIP-009 trait is not one: it has no functions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EhrContract {
    /// Patients, guardians, verifiers.
    PatientRegistry,
    /// Doctors, credential issuers, attestations.
    DoctorRegistry,
    /// The record index, chunks and key envelopes.
    EhrStorage,
    /// Access tokens (SIP-009 NFTs) with scope and expiry.
    AccessTokenNft,
    /// Requests, grants, revocation, emergency access, logged views.
    PermissionManager,
    /// The append-only, hash-chained audit log.
    AuditLog,
    /// Per-account inboxes.
    NotificationSystem,
    /// Merkle proofs, commitments, signatures, attestation hashes.
    VerificationHelper,
}

impl EhrContract {
    /// All eight.
    pub const ALL: [EhrContract; 8] = [
        EhrContract::PatientRegistry,
        EhrContract::DoctorRegistry,
        EhrContract::EhrStorage,
        EhrContract::AccessTokenNft,
        EhrContract::PermissionManager,
        EhrContract::AuditLog,
        EhrContract::NotificationSystem,
        EhrContract::VerificationHelper,
    ];

    /// The contract name on chain.
    pub fn name(self) -> &'static str {
        match self {
            EhrContract::PatientRegistry => "patient-registry",
            EhrContract::DoctorRegistry => "doctor-registry",
            EhrContract::EhrStorage => "ehr-storage",
            EhrContract::AccessTokenNft => "access-token-nft",
            EhrContract::PermissionManager => "permission-manager",
            EhrContract::AuditLog => "audit-log",
            EhrContract::NotificationSystem => "notification-system",
            EhrContract::VerificationHelper => "verification-helper",
        }
    }

    /// The compiled-in source.
    pub fn source(self) -> &'static str {
        EHR_CONTRACTS
            .iter()
            .find(|(name, _)| *name == self.name())
            .map(|(_, source)| *source)
            .expect("every EHR contract is in EHR_CONTRACTS")
    }
}

impl fmt::Display for EhrContract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of the eight EHR contracts.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not an EHR contract (patient-registry, doctor-registry, ehr-storage, access-token-nft, permission-manager, audit-log, notification-system, verification-helper)")]
pub struct UnknownContract(pub String);

impl FromStr for EhrContract {
    type Err = UnknownContract;

    fn from_str(name: &str) -> Result<Self, UnknownContract> {
        EhrContract::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| UnknownContract(name.to_string()))
    }
}

/// Where a deployment of the EHR contracts lives: the deployer's address, under which
/// all of them are published (they trust each other by `.name`, so they cannot be split).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    deployer: StandardPrincipalData,
}

impl Deployment {
    /// The contracts published by `deployer`.
    pub fn new(deployer: StandardPrincipalData) -> Self {
        Deployment { deployer }
    }

    /// The deployer's address.
    pub fn deployer(&self) -> &StandardPrincipalData {
        &self.deployer
    }

    /// The full identifier of `contract`, e.g. `ST1PQ...PGZGM.patient-registry`.
    pub fn id(&self, contract: EhrContract) -> QualifiedContractIdentifier {
        QualifiedContractIdentifier::new(
            self.deployer.clone(),
            ContractName::try_from(contract.name().to_string())
                .expect("EHR contract names are valid contract names"),
        )
    }

    /// The identifier of the access token asset, `<deployer>.access-token-nft::ehr-access`,
    /// for NFT post-conditions.
    pub fn access_token_asset(&self) -> String {
        format!("{}::ehr-access", self.id(EhrContract::AccessTokenNft))
    }
}
