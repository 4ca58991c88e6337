//! The SDK's errors as [`Text`]s of the catalogue, so that what the chain, the contracts
//! and the SDK say reaches the reader in its language.
//!
//! What a reader's input or choice can cause is explained whole, each variant by its own
//! message: every contract refusal ([`ContractError`], through [`client`]), an argument
//! the contract would refuse ([`CallError::BadArgument`]), the record errors a form can
//! meet (no such record, no key envelope, already shared, too large, access refused, not
//! a patient), every [`AttestError`] but the node's, and a file that is not a record
//! ([`FhirError`]: its JSON path and the SDK's description of the problem stay as they
//! are, like a code).
//!
//! What no input causes (the node unreachable or answering wrongly, signing, decoding,
//! a store failing, a call the dashboard built wrong) gets a lead sentence in the reader's
//! language and the SDK's technical detail after it, in English: it is for whoever runs
//! the server, and the same words are in its logs.

use clarity::vm::types::PrincipalData;
use ehr_sdk::claims::ClaimsError;
use ehr_sdk::ehr::attest::AttestError;
use ehr_sdk::ehr::calls::CallError;
use ehr_sdk::ehr::preflight::Refusal;
use ehr_sdk::ehr::records::RecordError;
use ehr_sdk::ehr::{ClientError, ContractError};
use ehr_sdk::fhir::FhirError;

use super::{Msg, Text};

/// The message of a contract's refusal (its English is the SDK's
/// [`ContractError::message`]; a test keeps the two equal).
pub fn contract(e: ContractError) -> Msg {
    use ContractError::*;
    match e {
        PatientNotAuthorized => Msg::CeOnlyAdmin,
        PatientAlreadyRegistered => Msg::CePatientAlreadyRegistered,
        PatientNotRegistered | StoragePatientNotRegistered | PermissionPatientNotRegistered => {
            Msg::CePatientNotRegistered
        }
        PatientNotVerifier => Msg::CeNotVerifier,
        PatientSelfGuardian => Msg::CeSelfGuardian,
        PatientTooManyGuardians => Msg::CeTooManyGuardians,
        PatientNotGuardian => Msg::CeNotGuardian,
        PatientAlreadyVerified => Msg::CePatientAlreadyVerified,
        PatientIndirectCall
        | DoctorIndirectCall
        | StorageIndirectCall
        | TokenIndirectCall
        | PermissionIndirectCall => Msg::CeIndirectCall,
        PatientNotPatientOrGuardian => Msg::CeNotPatientOrGuardian,
        PatientNotProposed => Msg::CeNotProposed,
        PatientNotProposedAdmin | DoctorNotProposedAdmin => Msg::CeNotProposedAdmin,
        DoctorNotAuthorized => Msg::CeDoctorNotAuthorized,
        DoctorAlreadyRegistered => Msg::CeDoctorAlreadyRegistered,
        DoctorNotRegistered => Msg::CeDoctorNotRegistered,
        DoctorNotIssuer => Msg::CeNotIssuer,
        DoctorBadSignature => Msg::CeBadSignature,
        DoctorBadExpiry => Msg::CeBadCredentialExpiry,
        DoctorAttestationUsed => Msg::CeAttestationUsed,
        DoctorSuspended => Msg::CeDoctorSuspended,
        StorageNotAuthorized => Msg::CeStorageNotAuthorized,
        StorageRecordNotFound => Msg::CeNoRecordWithId,
        StorageBadChunkIndex => Msg::CeBadChunkIndex,
        StorageChunkExists => Msg::CeChunkExists,
        StorageHolderNoAccess => Msg::CeHolderNoAccess,
        StorageSuperseded => Msg::CeSuperseded,
        StorageEnvelopeExists => Msg::CeEnvelopeExists,
        StorageTokenNotFound | TokenNotFound | PermissionTokenNotFound => Msg::CeNoTokenWithId,
        StorageNoAccess => Msg::CeNoAccess,
        StorageBadAction => Msg::CeBadAction,
        StorageRecordMismatch => Msg::CeRecordMismatch,
        StorageAnchorExists => Msg::CeAnchorExists,
        TokenNotAuthorized => Msg::CeTokenNotAuthorized,
        TokenNotOwner => Msg::CeNotOwner,
        TokenTransferRefused => Msg::CeTransferRefused,
        TokenNotVerified => Msg::CeRecipientNotVerified,
        TokenRevoked => Msg::CeTokenRevoked,
        TokenExpired => Msg::CeTokenExpired,
        TokenAlreadyGranted => Msg::CeAlreadyGranted,
        TokenPatientNotRegistered => Msg::CeTokenPatientDeactivated,
        PermissionNotAuthorized => Msg::CePatientOrGuardianOnly,
        PermissionNotVerifiedDoctor => Msg::CeDoctorNotVerified,
        PermissionBadScope => Msg::CeBadScope,
        PermissionBadExpiry => Msg::CeBadExpiry,
        PermissionRequestNotFound => Msg::CeNoRequestWithId,
        PermissionRequestClosed => Msg::CeRequestClosed,
        PermissionEmergencyOptedOut => Msg::CeEmergencyOptedOut,
        PermissionRevoked => Msg::CeAlreadyRevoked,
        PermissionSelfGrant => Msg::CeSelfGrant,
        PermissionGuardianSelfBenefit => Msg::CeGuardianSelfBenefit,
        PermissionEmergencyCooldown => Msg::CeEmergencyCooldown,
        PermissionRequestPending => Msg::CeRequestPending,
        AuditNotAuthorized => Msg::CeAuditNotAuthorized,
        NotificationNotAuthorized => Msg::CeNotificationNotAuthorized,
        NotificationNotFound => Msg::CeNoSuchNotification,
        NotificationAlreadyRead => Msg::CeAlreadyRead,
    }
}

/// A call that could not be built: an argument the contract would refuse (the reader's
/// input), else the dashboard's own mistake (lead and detail).
pub fn call(e: &CallError) -> Text {
    match e {
        CallError::BadArgument {
            function,
            arg,
            expected,
            problem,
        } => Text::new(Msg::SdkBadArgument)
            .with("arg", arg)
            .with("function", function)
            .with("expected", expected)
            .with("problem", problem),
        other => Text::new(Msg::SdkCallNotBuilt).with("detail", other),
    }
}

/// A node call or transaction that failed: the contract's refusal in words, else the
/// node's or the signer's failure (lead and detail).
pub fn client(e: &ClientError) -> Text {
    match e {
        ClientError::Call(c) => call(c),
        ClientError::Refused {
            function,
            error,
            txid,
        } => Text::new(Msg::SdkRefused)
            .with("function", function)
            .with_text("reason", contract(*error))
            .with(
                "code",
                format_args!(
                    "{} {} u{}",
                    error.contract(),
                    error.constant(),
                    error.code()
                ),
            )
            .with("txid", txid),
        ClientError::Node(n) => Text::new(Msg::SdkNode).with("detail", n),
        other => Text::new(Msg::SdkChain).with("detail", other),
    }
}

/// A record that could not be written, shared or opened.
pub fn record(e: &RecordError) -> Text {
    match e {
        RecordError::Client(c) => client(c),
        RecordError::Crypto(c) => Text::new(Msg::SdkCannotOpen).with("detail", c),
        RecordError::NotFound(id) => Text::new(Msg::NoSuchRecord).with("id", id),
        RecordError::Refused(r) => refusal(r, None),
        RecordError::NotAPatient(p) => Text::new(Msg::SdkNotAPatient).with("patient", p),
        RecordError::NoEnvelope { id, holder } => Text::new(Msg::SdkNoEnvelope)
            .with("holder", holder)
            .with("id", id),
        RecordError::AlreadyShared { id, holder } => Text::new(Msg::SdkAlreadyShared)
            .with("holder", holder)
            .with("id", id),
        RecordError::TooLargeForChain { size, max } => Text::new(Msg::SdkTooLargeForChain)
            .with("size", size)
            .with("max", max),
        RecordError::TooLarge { size, max } => Text::new(Msg::SdkTooLarge)
            .with("size", size)
            .with("max", max),
        RecordError::AccessRefused {
            reader,
            patient,
            record_type,
        } => Text::new(Msg::AccessRefusedRecord)
            .with("reader", reader)
            .with("patient", patient)
            .with("type", record_type),
        other => Text::new(Msg::SdkRecordFailed).with("detail", other),
    }
}

/// A call the contract would refuse, found before anything was signed. The acting
/// account (a refusal's `actor`) is called `me` when given: its name, as the page's header
/// calls it; other principals are shown as addresses.
pub fn refusal(r: &Refusal, me: Option<&str>) -> Text {
    let named = |a: &PrincipalData| me.map_or_else(|| a.to_string(), str::to_string);
    match r {
        Refusal::NotAdmin { actor, registry } => Text::new(Msg::PreNotAdmin)
            .with("actor", named(actor))
            .with("registry", registry),
        Refusal::NotProposedAdmin { actor, registry } => Text::new(Msg::PreNotProposedAdmin)
            .with("actor", named(actor))
            .with("registry", registry),
        Refusal::NotIssuer { actor } => Text::new(Msg::PreNotIssuer).with("actor", named(actor)),
        Refusal::MayNotSuspend { actor } => {
            Text::new(Msg::PreMayNotSuspend).with("actor", named(actor))
        }
        Refusal::SuspendedByOther { doctor, issuer } => Text::new(Msg::PreSuspendedByOther)
            .with("doctor", doctor)
            .with("issuer", issuer),
        Refusal::NotADoctor { doctor } => Text::new(Msg::PreNotADoctor).with("doctor", doctor),
        Refusal::NotVerifier { actor } => {
            Text::new(Msg::PreNotVerifier).with("actor", named(actor))
        }
        Refusal::PatientVerified { patient } => {
            Text::new(Msg::PrePatientVerified).with("patient", patient)
        }
        Refusal::NothingToAccept { actor, patient } => Text::new(Msg::NothingToAccept)
            .with("patient", patient)
            .with("me", named(actor)),
        Refusal::NothingToResign { actor, patient } => Text::new(Msg::NothingToResign)
            .with("patient", patient)
            .with("me", named(actor)),
        Refusal::NotActingFor { actor, patient } => Text::new(Msg::NotGuardianOf)
            .with("account", named(actor))
            .with("patient", patient),
        Refusal::NotAPatient { patient } => Text::new(Msg::PreNotAPatient).with("patient", patient),
        Refusal::EmergencyOptedOut { patient } => {
            Text::new(Msg::PreEmergencyOptedOut).with("patient", patient)
        }
        Refusal::EmergencyCooldown { patient, until } => Text::new(Msg::PreEmergencyCooldown)
            .with("patient", patient)
            .with("until", until),
        Refusal::GrantToPatient { patient } => {
            Text::new(Msg::GrantToThePatient).with("patient", patient)
        }
        Refusal::GrantToItself { actor } => Text::new(Msg::GrantToItself).with("me", named(actor)),
        Refusal::NotVerified { grantee } => {
            Text::new(Msg::GrantToUnverified).with("grantee", grantee)
        }
        Refusal::NoSuchToken(token) => Text::new(Msg::NoSuchToken).with("token", token),
        Refusal::TokenRevoked(token) => Text::new(Msg::TokenRevokedAlready).with("token", token),
        Refusal::NotHolder { token, actor, .. } => Text::new(Msg::HandOverNotHeld)
            .with("me", named(actor))
            .with("token", token),
        Refusal::HandBackOnly { token, patient } => Text::new(Msg::HandOverBackOnly)
            .with("token", token)
            .with("patient", patient),
        Refusal::NoSuchRequest(request) => Text::new(Msg::NoSuchRequest).with("request", request),
        Refusal::RequestDecided(request) => {
            Text::new(Msg::RequestDecidedAlready).with("request", request)
        }
    }
}

/// An attestation that cannot be made or submitted.
pub fn attest(e: &AttestError) -> Text {
    match e {
        AttestError::Client(c) => client(c),
        AttestError::NotADoctor(d) => Text::new(Msg::AttestNotADoctor).with("doctor", d),
        AttestError::Suspended(d) => Text::new(Msg::AttestSuspended).with("doctor", d),
        AttestError::NotAnIssuer(i) => Text::new(Msg::AttestNotAnIssuer).with("issuer", i),
        AttestError::Expired { expires_at, tip } => Text::new(Msg::AttestExpired)
            .with("expires_at", expires_at)
            .with("tip", tip),
        AttestError::WrongSigner { issuer } => {
            Text::new(Msg::AttestWrongSigner).with("issuer", issuer)
        }
        AttestError::Malformed(why) => Text::new(Msg::AttestMalformed).with("why", why),
        AttestError::Used => Text::new(Msg::AttestUsed),
    }
}

/// A file that is not a record the dashboard can add (the JSON path and the SDK's
/// description of what is wrong there stay as they are).
pub fn fhir(e: &FhirError) -> Text {
    match e {
        FhirError::BadRecordType(t) => Text::new(Msg::SdkBadRecordType).with("type", t),
        FhirError::BadResourceType { path, problem } => Text::new(Msg::SdkBadResourceType)
            .with("path", path)
            .with("problem", problem),
        FhirError::Malformed { path, problem } => Text::new(Msg::SdkMalformedFhir)
            .with("path", path)
            .with("problem", problem),
        other => Text::new(Msg::SdkNotARecord).with("detail", other),
    }
}

/// A proof that could not be made: the claim not holding, or a field that was not
/// committed, are explained whole; the rest is a lead and the SDK's detail.
pub fn claims(e: &ClaimsError) -> Text {
    match e {
        ClaimsError::Record(r) => record(r),
        other => Text::new(Msg::ProofNotMade).with("detail", other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::i18n::Lang;

    #[test]
    fn every_contract_refusal_has_the_sdks_english_and_a_french_text() {
        for &e in ContractError::ALL {
            let msg = contract(e);
            assert_eq!(Lang::En.t(msg), e.message(), "{e:?}");
            assert_ne!(Lang::Fr.t(msg), e.message(), "{e:?} is not translated");
        }
    }

    #[test]
    fn a_refusal_names_the_contracts_reason_in_the_readers_language() {
        let e = ClientError::Refused {
            function: "permission-manager.grant-access".into(),
            error: ContractError::PermissionNotVerifiedDoctor,
            txid: ehr_sdk::node::Txid([0xab; 32]),
        };
        let t = client(&e);
        let en = t.render(Lang::En);
        assert!(
            en.starts_with("the contract refused permission-manager.grant-access: the doctor is not verified (or is suspended, or expired) (permission-manager ERR-NOT-VERIFIED-DOCTOR u502), in transaction 0xabab"),
            "{en}"
        );
        let fr = t.render(Lang::Fr);
        assert!(
            fr.starts_with("le contrat a refusé permission-manager.grant-access : le médecin n'est pas vérifié"),
            "{fr}"
        );
    }

    #[test]
    fn a_malformed_signature_is_explained_in_french() {
        let t = attest(&AttestError::Malformed("odd number of digits".into()));
        assert!(
            t.render(Lang::Fr).starts_with("la signature : donnez"),
            "{t:?}"
        );
        assert_eq!(
            t.render(Lang::En),
            AttestError::Malformed("odd number of digits".into()).to_string()
        );
    }
}
