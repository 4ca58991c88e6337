//! The contracts' error codes as an enum, each with the message a person reads.
//!
//! Codes are unique across the contracts (one range per contract), so the code alone says
//! which contract refused and why. The README's error table is this enum written out; the
//! test `contract_errors_match_the_readme` keeps the two equal.

use super::contracts::EhrContract::{self, *};

macro_rules! contract_errors {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $contract:ident, $constant:literal, $message:literal;)*) => {
        /// Why a contract refused a call: its `(err uN)`, named.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ContractError {
            $($(#[$doc])* $variant,)*
        }

        impl ContractError {
            /// Every error of every contract, in code order.
            pub const ALL: &'static [ContractError] = &[$(ContractError::$variant,)*];

            /// The error with this code, if any contract defines it.
            pub fn from_code(code: u128) -> Option<Self> {
                match code {
                    $($code => Some(ContractError::$variant),)*
                    _ => None,
                }
            }

            /// The code, as in `(err u503)`.
            pub fn code(self) -> u128 {
                match self {
                    $(ContractError::$variant => $code,)*
                }
            }

            /// The contract that defines it.
            pub fn contract(self) -> EhrContract {
                match self {
                    $(ContractError::$variant => $contract,)*
                }
            }

            /// The constant's name in the contract, e.g. `ERR-BAD-SCOPE`.
            pub fn constant(self) -> &'static str {
                match self {
                    $(ContractError::$variant => $constant,)*
                }
            }

            /// What it means, for a person.
            pub fn message(self) -> &'static str {
                match self {
                    $(ContractError::$variant => $message,)*
                }
            }
        }
    };
}

contract_errors! {
    /// Only the administrator may do this.
    PatientNotAuthorized = 100, PatientRegistry, "ERR-NOT-AUTHORIZED", "only the administrator may do this";
    /// This account is already a registered patient.
    PatientAlreadyRegistered = 101, PatientRegistry, "ERR-ALREADY-REGISTERED", "this account is already a registered patient";
    /// The patient is not registered, or was deactivated.
    PatientNotRegistered = 103, PatientRegistry, "ERR-NOT-REGISTERED", "the patient is not registered, or was deactivated";
    /// Only an enabled verifier may verify patients.
    PatientNotVerifier = 104, PatientRegistry, "ERR-NOT-VERIFIER", "only an enabled verifier may verify patients";
    /// A patient cannot be its own guardian.
    PatientSelfGuardian = 105, PatientRegistry, "ERR-SELF-GUARDIAN", "a patient cannot be its own guardian";
    /// At most 5 guardians.
    PatientTooManyGuardians = 106, PatientRegistry, "ERR-TOO-MANY-GUARDIANS", "at most 5 guardians";
    /// That account is not a guardian of this patient.
    PatientNotGuardian = 107, PatientRegistry, "ERR-NOT-GUARDIAN", "that account is not a guardian of this patient";
    /// The patient is already verified.
    PatientAlreadyVerified = 108, PatientRegistry, "ERR-ALREADY-VERIFIED", "the patient is already verified";
    /// Call this function directly, not through another contract.
    PatientIndirectCall = 109, PatientRegistry, "ERR-INDIRECT-CALL", "call this function directly, not through another contract";
    /// Only the patient or one of its guardians may do this for the patient.
    PatientNotPatientOrGuardian = 110, PatientRegistry, "ERR-NOT-PATIENT-OR-GUARDIAN", "only the patient or one of its guardians may do this for the patient";
    /// This account has no pending guardianship proposal from that patient.
    PatientNotProposed = 111, PatientRegistry, "ERR-NOT-PROPOSED", "this account has no pending guardianship proposal from that patient";
    /// Only the account the administrator proposed may accept the role.
    PatientNotProposedAdmin = 112, PatientRegistry, "ERR-NOT-PROPOSED-ADMIN", "only the account the administrator proposed may accept the role";
    /// Only the administrator (or, to suspend, an issuer) may do this.
    DoctorNotAuthorized = 200, DoctorRegistry, "ERR-NOT-AUTHORIZED", "only the administrator (or, to suspend, an issuer) may do this";
    /// This account is already a registered doctor.
    DoctorAlreadyRegistered = 201, DoctorRegistry, "ERR-ALREADY-REGISTERED", "this account is already a registered doctor";
    /// The doctor is not registered.
    DoctorNotRegistered = 203, DoctorRegistry, "ERR-NOT-REGISTERED", "the doctor is not registered";
    /// Only an enabled credential issuer may do this.
    DoctorNotIssuer = 204, DoctorRegistry, "ERR-NOT-ISSUER", "only an enabled credential issuer may do this";
    /// The attestation is not signed by that issuer's key.
    DoctorBadSignature = 205, DoctorRegistry, "ERR-BAD-SIGNATURE", "the attestation is not signed by that issuer's key";
    /// The credential's expiry must be a future block.
    DoctorBadExpiry = 206, DoctorRegistry, "ERR-BAD-EXPIRY", "the credential's expiry must be a future block";
    /// This attestation was already used (no replay).
    DoctorAttestationUsed = 207, DoctorRegistry, "ERR-ATTESTATION-USED", "this attestation was already used (no replay)";
    /// Call this function directly, not through another contract.
    DoctorIndirectCall = 208, DoctorRegistry, "ERR-INDIRECT-CALL", "call this function directly, not through another contract";
    /// The doctor is suspended: only the issuer that verified it lifts the suspension, with its own verify-doctor call.
    DoctorSuspended = 209, DoctorRegistry, "ERR-SUSPENDED", "the doctor is suspended: only the issuer that verified it lifts the suspension, with its own verify-doctor call";
    /// Only the account the administrator proposed may accept the role.
    DoctorNotProposedAdmin = 210, DoctorRegistry, "ERR-NOT-PROPOSED-ADMIN", "only the account the administrator proposed may accept the role";
    /// The caller may not write (or share) this patient's records; chunks and claim anchors only by the record's author; log-access only by the token's holder.
    StorageNotAuthorized = 300, EhrStorage, "ERR-NOT-AUTHORIZED", "the caller may not write (or share) this patient's records; chunks and claim anchors only by the record's author; log-access only by the token's holder";
    /// The patient is not registered, or was deactivated.
    StoragePatientNotRegistered = 301, EhrStorage, "ERR-PATIENT-NOT-REGISTERED", "the patient is not registered, or was deactivated";
    /// No record with that id.
    StorageRecordNotFound = 302, EhrStorage, "ERR-RECORD-NOT-FOUND", "no record with that id";
    /// Chunk index past the 64-chunk limit.
    StorageBadChunkIndex = 303, EhrStorage, "ERR-BAD-CHUNK-INDEX", "chunk index past the 64-chunk limit";
    /// Chunks are written once, in order.
    StorageChunkExists = 304, EhrStorage, "ERR-CHUNK-EXISTS", "chunks are written once, in order";
    /// The envelope's holder has no read access to this record.
    StorageHolderNoAccess = 305, EhrStorage, "ERR-HOLDER-NO-ACCESS", "the envelope's holder has no read access to this record";
    /// Only the latest version of a record can be amended.
    StorageSuperseded = 306, EhrStorage, "ERR-SUPERSEDED", "only the latest version of a record can be amended";
    /// Call this function directly, not through another contract.
    StorageIndirectCall = 307, EhrStorage, "ERR-INDIRECT-CALL", "call this function directly, not through another contract";
    /// Only the holder itself (for the patient's envelope: the patient or a guardian) may replace an existing envelope.
    StorageEnvelopeExists = 308, EhrStorage, "ERR-ENVELOPE-EXISTS", "only the holder itself (for the patient's envelope: the patient or a guardian) may replace an existing envelope";
    /// No token with that id.
    StorageTokenNotFound = 309, EhrStorage, "ERR-TOKEN-NOT-FOUND", "no token with that id";
    /// The token is not the caller's live token with read access to this record (revoked, expired, replaced, or the doctor not verified).
    StorageNoAccess = 310, EhrStorage, "ERR-NO-ACCESS", "the token is not the caller's live token with read access to this record (revoked, expired, replaced, or the doctor not verified)";
    /// The logged action must be one of view, download, print, export, share-out.
    StorageBadAction = 311, EhrStorage, "ERR-BAD-ACTION", "the logged action must be one of view, download, print, export, share-out";
    /// The record belongs to another patient than the token's.
    StorageRecordMismatch = 312, EhrStorage, "ERR-RECORD-MISMATCH", "the record belongs to another patient than the token's";
    /// This record's claims are already anchored (once per record).
    StorageAnchorExists = 313, EhrStorage, "ERR-ANCHOR-EXISTS", "this record's claims are already anchored (once per record)";
    /// Only permission-manager may mint or burn tokens.
    TokenNotAuthorized = 400, AccessTokenNft, "ERR-NOT-AUTHORIZED", "only permission-manager may mint or burn tokens";
    /// No token with that id.
    TokenNotFound = 401, AccessTokenNft, "ERR-NOT-FOUND", "no token with that id";
    /// The sender does not own this token.
    TokenNotOwner = 402, AccessTokenNft, "ERR-NOT-OWNER", "the sender does not own this token";
    /// Tokens go from the patient to a doctor, or back to the patient, nowhere else.
    TokenTransferRefused = 403, AccessTokenNft, "ERR-TRANSFER-REFUSED", "tokens go from the patient to a doctor, or back to the patient, nowhere else";
    /// The recipient is not a verified doctor.
    TokenNotVerified = 404, AccessTokenNft, "ERR-NOT-VERIFIED", "the recipient is not a verified doctor";
    /// The token was revoked.
    TokenRevoked = 405, AccessTokenNft, "ERR-REVOKED", "the token was revoked";
    /// The token has expired.
    TokenExpired = 406, AccessTokenNft, "ERR-EXPIRED", "the token has expired";
    /// This doctor already holds a live grant from this patient: revoke it first.
    TokenAlreadyGranted = 407, AccessTokenNft, "ERR-ALREADY-GRANTED", "this doctor already holds a live grant from this patient: revoke it first";
    /// Call this function directly, not through another contract.
    TokenIndirectCall = 408, AccessTokenNft, "ERR-INDIRECT-CALL", "call this function directly, not through another contract";
    /// The token's patient was deactivated: its tokens can no longer be handed to a doctor.
    TokenPatientNotRegistered = 409, AccessTokenNft, "ERR-PATIENT-NOT-REGISTERED", "the token's patient was deactivated: its tokens can no longer be handed to a doctor";
    /// Only the patient or a guardian may do this.
    PermissionNotAuthorized = 500, PermissionManager, "ERR-NOT-AUTHORIZED", "only the patient or a guardian may do this";
    /// The patient is not registered, or was deactivated.
    PermissionPatientNotRegistered = 501, PermissionManager, "ERR-PATIENT-NOT-REGISTERED", "the patient is not registered, or was deactivated";
    /// The doctor is not verified (or is suspended, or expired).
    PermissionNotVerifiedDoctor = 502, PermissionManager, "ERR-NOT-VERIFIED-DOCTOR", "the doctor is not verified (or is suspended, or expired)";
    /// Scope must be a non-zero mix of u1 read, u2 write, u4 share.
    PermissionBadScope = 503, PermissionManager, "ERR-BAD-SCOPE", "scope must be a non-zero mix of u1 read, u2 write, u4 share";
    /// Expiry must be in the future and within about a year (52,560 blocks).
    PermissionBadExpiry = 504, PermissionManager, "ERR-BAD-EXPIRY", "expiry must be in the future and within about a year (52,560 blocks)";
    /// No request with that id.
    PermissionRequestNotFound = 505, PermissionManager, "ERR-REQUEST-NOT-FOUND", "no request with that id";
    /// The request was already approved or denied.
    PermissionRequestClosed = 506, PermissionManager, "ERR-REQUEST-CLOSED", "the request was already approved or denied";
    /// No token with that id.
    PermissionTokenNotFound = 507, PermissionManager, "ERR-TOKEN-NOT-FOUND", "no token with that id";
    /// The patient opted out of emergency access.
    PermissionEmergencyOptedOut = 508, PermissionManager, "ERR-EMERGENCY-OPTED-OUT", "the patient opted out of emergency access";
    /// The token was already revoked.
    PermissionRevoked = 510, PermissionManager, "ERR-REVOKED", "the token was already revoked";
    /// Call this function directly, not through another contract.
    PermissionIndirectCall = 511, PermissionManager, "ERR-INDIRECT-CALL", "call this function directly, not through another contract";
    /// A patient does not grant itself access.
    PermissionSelfGrant = 512, PermissionManager, "ERR-SELF-GRANT", "a patient does not grant itself access";
    /// A guardian does not grant access to itself or approve its own request.
    PermissionGuardianSelfBenefit = 513, PermissionManager, "ERR-GUARDIAN-SELF-BENEFIT", "a guardian does not grant access to itself or approve its own request";
    /// The patient revoked this doctor's emergency access: it cannot reopen it for about a week (1,008 blocks).
    PermissionEmergencyCooldown = 514, PermissionManager, "ERR-EMERGENCY-COOLDOWN", "the patient revoked this doctor's emergency access: it cannot reopen it for about a week (1,008 blocks)";
    /// This doctor already has an open request to this patient.
    PermissionRequestPending = 515, PermissionManager, "ERR-REQUEST-PENDING", "this doctor already has an open request to this patient";
    /// Only the EHR contracts may append to the audit log.
    AuditNotAuthorized = 600, AuditLog, "ERR-NOT-AUTHORIZED", "only the EHR contracts may append to the audit log";
    /// Only the EHR contracts may send notifications; mark-read must be a direct call.
    NotificationNotAuthorized = 700, NotificationSystem, "ERR-NOT-AUTHORIZED", "only the EHR contracts may send notifications; mark-read must be a direct call";
    /// No such notification in your inbox.
    NotificationNotFound = 701, NotificationSystem, "ERR-NOT-FOUND", "no such notification in your inbox";
    /// The notification is already read.
    NotificationAlreadyRead = 702, NotificationSystem, "ERR-ALREADY-READ", "the notification is already read";
}

impl ContractError {
    /// The error a transaction's `(err uN)` result names, when `uN` is one of the
    /// contracts' codes.
    pub fn from_result(result: &clarity::vm::Value) -> Option<Self> {
        use clarity::vm::types::ResponseData;
        use clarity::vm::Value;
        match result {
            Value::Response(ResponseData {
                committed: false,
                data,
            }) => match **data {
                Value::UInt(code) => ContractError::from_code(code),
                _ => None,
            },
            _ => None,
        }
    }
}

impl std::fmt::Display for ContractError {
    /// `u503 (permission-manager ERR-BAD-SCOPE): scope must be ...`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "u{} ({} {}): {}",
            self.code(),
            self.contract(),
            self.constant(),
            self.message()
        )
    }
}

impl std::error::Error for ContractError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `ERR-` constant of the compiled-in contract sources is one of ours, with its
    /// code and contract (the README's table is checked against [`ContractError::ALL`] in
    /// ehr-cli's docs_in_sync test).
    #[test]
    fn contract_errors_match_the_sources() {
        let mut in_sources = Vec::new();
        for (name, source) in crate::ehr::EHR_CONTRACTS {
            for line in source.lines() {
                if let Some(rest) = line.strip_prefix("(define-constant ERR-") {
                    let (constant, code) = rest
                        .split_once(" (err u")
                        .expect("ERR constants are (err uN)");
                    let code: u128 = code.trim_end_matches(')').parse().expect("a uint code");
                    in_sources.push((code, name.to_string(), format!("ERR-{constant}")));
                }
            }
        }
        in_sources.sort();
        let mut ours: Vec<(u128, String, String)> = ContractError::ALL
            .iter()
            .map(|e| (e.code(), e.contract().to_string(), e.constant().to_string()))
            .collect();
        ours.sort();
        assert_eq!(ours, in_sources);
    }

    #[test]
    fn codes_round_trip() {
        for e in ContractError::ALL {
            assert_eq!(ContractError::from_code(e.code()), Some(*e));
        }
        assert_eq!(ContractError::from_code(1), None);
    }
}
