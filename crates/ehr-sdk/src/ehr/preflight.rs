//! The contract's refusals that can be read from the chain before a call is signed.
//!
//! A call the contract refuses still costs its sender the fee and a nonce, and leaves a
//! failed transaction on chain for everyone to see. The rules here read what the
//! contracts will check (who a token belongs to, whether a request is still pending,
//! whether a doctor is verified), so the CLI and the dashboard refuse such calls before
//! anything is signed, with the reason, and both from this one place. They do not replace
//! the contracts' checks: the chain can change between a check and the block.
//!
//! ```no_run
//! # async fn approve(
//! #     client: &ehr_sdk::ehr::EhrClient,
//! #     key: &ehr_sdk::keys::SecretKey,
//! #     me: &clarity::vm::types::PrincipalData,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! use ehr_sdk::ehr::{calls, preflight, SendOptions};
//!
//! let call = calls::approve_request(7)?;
//! // A request decided already, or a requester no longer verified: refused here, with
//! // the reason, and nothing signed.
//! preflight::call(client, me, &call).await?;
//! client.execute(key, &call, &SendOptions::default()).await?;
//! # Ok(()) }
//! ```

use clarity::vm::types::{PrincipalData, Value};

use super::calls::ContractCall;
use super::client::{ClientError, EhrClient};
use super::contracts::EhrContract;
use super::types::{Request, RequestStatus, Token};

/// A call the contract would refuse, found before signing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// An administrator's call by an account that is not the registry's administrator.
    #[error("{actor} is not the administrator of {registry}")]
    NotAdmin {
        /// The account acting.
        actor: PrincipalData,
        /// The registry.
        registry: EhrContract,
    },
    /// Taking the administrator role over without being the proposed successor.
    #[error("{actor} is not the proposed administrator of {registry}: the administrator proposes its successor first")]
    NotProposedAdmin {
        /// The account acting.
        actor: PrincipalData,
        /// The registry.
        registry: EhrContract,
    },
    /// Verifying a doctor without being an enabled credential issuer.
    #[error("{actor} is not an enabled credential issuer: the administrator enables issuers")]
    NotIssuer {
        /// The account acting.
        actor: PrincipalData,
    },
    /// Suspending a doctor without being an enabled issuer or the administrator.
    #[error("{actor} may not suspend doctors: only an enabled credential issuer or the administrator does")]
    MayNotSuspend {
        /// The account acting.
        actor: PrincipalData,
    },
    /// Lifting another issuer's suspension of a doctor.
    #[error(
        "{doctor} was suspended after {issuer} verified it: only that issuer lifts the suspension"
    )]
    SuspendedByOther {
        /// The doctor.
        doctor: PrincipalData,
        /// The issuer whose verification was suspended.
        issuer: PrincipalData,
    },
    /// Suspending an account that is not a registered doctor.
    #[error("{doctor} is not a registered doctor")]
    NotADoctor {
        /// The account named.
        doctor: PrincipalData,
    },
    /// Verifying a patient without being an enabled patient verifier.
    #[error("{actor} is not an enabled patient verifier: the administrator enables verifiers")]
    NotVerifier {
        /// The account acting.
        actor: PrincipalData,
    },
    /// Verifying a patient verified already.
    #[error("{patient} is verified already")]
    PatientVerified {
        /// The patient.
        patient: PrincipalData,
    },
    /// Accepting a guardianship the patient never proposed.
    #[error("{patient} has not proposed {actor} as its guardian: there is nothing to accept")]
    NothingToAccept {
        /// The account acting.
        actor: PrincipalData,
        /// The patient.
        patient: PrincipalData,
    },
    /// Resigning a guardianship the account does not hold.
    #[error("{actor} is not a guardian of {patient}: there is nothing to resign")]
    NothingToResign {
        /// The account acting.
        actor: PrincipalData,
        /// The patient.
        patient: PrincipalData,
    },
    /// An account acting for a patient it is neither the patient nor a guardian of.
    #[error(
        "{actor} does not act for {patient}: it is neither the patient nor one of its guardians"
    )]
    NotActingFor {
        /// The account acting.
        actor: PrincipalData,
        /// The patient.
        patient: PrincipalData,
    },
    /// A request or emergency access to an account that is not a registered patient.
    #[error("{patient} is not a registered patient")]
    NotAPatient {
        /// The account named.
        patient: PrincipalData,
    },
    /// Emergency access to a patient who opted out of it.
    #[error("{patient} has opted out of emergency access")]
    EmergencyOptedOut {
        /// The patient.
        patient: PrincipalData,
    },
    /// Emergency access opened again too soon after the patient closed it.
    #[error(
        "{patient} closed this doctor's emergency access: it can be opened again from block \
         {until}"
    )]
    EmergencyCooldown {
        /// The patient.
        patient: PrincipalData,
        /// The first block at which it can be opened again.
        until: u64,
    },
    /// Access granted to the patient whose records they are.
    #[error("{patient} is the patient: access to its own records needs no grant")]
    GrantToPatient {
        /// The patient.
        patient: PrincipalData,
    },
    /// A guardian granting itself access to its ward's records.
    #[error("{actor} acts for the patient and cannot grant access to itself")]
    GrantToItself {
        /// The account acting.
        actor: PrincipalData,
    },
    /// Access granted to, or a token handed to, an account that is not a verified doctor.
    #[error(
        "{grantee} is not a verified doctor (unregistered, unverified, suspended or its \
         attestation expired): the contract gives access to verified doctors only"
    )]
    NotVerified {
        /// The account named.
        grantee: PrincipalData,
    },
    /// No token has this id.
    #[error("there is no access token #{0}")]
    NoSuchToken(u64),
    /// The token was revoked already.
    #[error("access token #{0} is revoked already")]
    TokenRevoked(u64),
    /// A token handed over by an account that does not hold it.
    #[error("access token #{token} is held by {holder}, not by {actor}")]
    NotHolder {
        /// The token.
        token: u64,
        /// Who holds it.
        holder: PrincipalData,
        /// Who tried to hand it over.
        actor: PrincipalData,
    },
    /// A doctor handing a token to someone other than its patient.
    #[error("a doctor hands access token #{token} back to its patient ({patient}) only")]
    HandBackOnly {
        /// The token.
        token: u64,
        /// Its patient.
        patient: PrincipalData,
    },
    /// No access request has this id.
    #[error("there is no access request #{0}")]
    NoSuchRequest(u64),
    /// The request was approved or denied already.
    #[error("access request #{0} is decided already")]
    RequestDecided(u64),
}

/// Why a check could not pass: the contract would refuse, or the chain could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    /// The contract would refuse the call.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The chain could not be read.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// Checks that `actor` acts for `patient`: it is the patient, or one of its guardians.
pub async fn acts_for(
    client: &EhrClient,
    actor: &PrincipalData,
    patient: &PrincipalData,
) -> Result<(), PreflightError> {
    if actor == patient || client.is_guardian(patient, actor).await? {
        return Ok(());
    }
    Err(Refusal::NotActingFor {
        actor: actor.clone(),
        patient: patient.clone(),
    }
    .into())
}

/// Checks a grant by `actor` of access to `patient`'s records for `grantee`: the actor
/// acts for the patient; the grantee is not the patient, not the actor itself (a
/// guardian acting for its ward), and a verified doctor.
pub async fn grant(
    client: &EhrClient,
    actor: &PrincipalData,
    patient: &PrincipalData,
    grantee: &PrincipalData,
) -> Result<(), PreflightError> {
    acts_for(client, actor, patient).await?;
    if grantee == patient {
        return Err(Refusal::GrantToPatient {
            patient: patient.clone(),
        }
        .into());
    }
    if grantee == actor {
        return Err(Refusal::GrantToItself {
            actor: actor.clone(),
        }
        .into());
    }
    verified(client, grantee).await
}

/// Token `id`, or [`Refusal::NoSuchToken`].
pub async fn token(client: &EhrClient, id: u64) -> Result<Token, PreflightError> {
    client
        .get_token(id)
        .await?
        .ok_or_else(|| Refusal::NoSuchToken(id).into())
}

/// Checks that `token` can still be revoked.
pub fn revocable(token: &Token) -> Result<(), Refusal> {
    if token.revoked {
        return Err(Refusal::TokenRevoked(token.id));
    }
    Ok(())
}

/// Checks a hand-over of `token` by `actor` to `recipient`: only its holder hands it
/// over; the patient to a verified doctor, a doctor back to the patient only.
pub async fn hand_over(
    client: &EhrClient,
    token: &Token,
    actor: &PrincipalData,
    recipient: &PrincipalData,
) -> Result<(), PreflightError> {
    if token.grantee != *actor {
        return Err(Refusal::NotHolder {
            token: token.id,
            holder: token.grantee.clone(),
            actor: actor.clone(),
        }
        .into());
    }
    if token.patient == *actor {
        return grant(client, actor, actor, recipient).await;
    }
    if *recipient != token.patient {
        return Err(Refusal::HandBackOnly {
            token: token.id,
            patient: token.patient.clone(),
        }
        .into());
    }
    Ok(())
}

/// Access request `id`, or [`Refusal::NoSuchRequest`].
pub async fn request(client: &EhrClient, id: u64) -> Result<Request, PreflightError> {
    client
        .get_request(id)
        .await?
        .ok_or_else(|| Refusal::NoSuchRequest(id).into())
}

/// Checks that `request` is still waiting for the patient's decision.
pub fn pending(request: &Request) -> Result<(), Refusal> {
    if request.status != RequestStatus::Pending {
        return Err(Refusal::RequestDecided(request.id));
    }
    Ok(())
}

/// Checks a decision by `actor` on `request`: the actor acts for its patient and the
/// request is pending; an approval also needs the requester verified still, and not to
/// be the actor (a guardian approving its own request).
pub async fn decide(
    client: &EhrClient,
    actor: &PrincipalData,
    request: &Request,
    approve: bool,
) -> Result<(), PreflightError> {
    acts_for(client, actor, &request.patient).await?;
    pending(request)?;
    if approve {
        if request.requester == *actor {
            return Err(Refusal::GrantToItself {
                actor: actor.clone(),
            }
            .into());
        }
        verified(client, &request.requester).await?;
    }
    Ok(())
}

/// Checks an access request, or an emergency access, by `doctor` to `patient`'s records:
/// the doctor is verified and the patient registered; for an emergency, the patient has
/// not opted out and has not closed this doctor's emergency access for a while.
pub async fn ask(
    client: &EhrClient,
    doctor: &PrincipalData,
    patient: &PrincipalData,
    emergency: bool,
) -> Result<(), PreflightError> {
    verified(client, doctor).await?;
    if !client.is_registered(patient).await? {
        return Err(Refusal::NotAPatient {
            patient: patient.clone(),
        }
        .into());
    }
    if emergency {
        if !client.is_emergency_allowed(patient).await? {
            return Err(Refusal::EmergencyOptedOut {
                patient: patient.clone(),
            }
            .into());
        }
        let until = client.get_emergency_closed_until(patient, doctor).await?;
        // The call runs in the next block.
        let tip = client.node().info().await.map_err(ClientError::from)?;
        let next = tip.stacks_tip_height + 1;
        if next < until {
            return Err(Refusal::EmergencyCooldown {
                patient: patient.clone(),
                until,
            }
            .into());
        }
    }
    Ok(())
}

/// Checks that `who` is a verified doctor now.
async fn verified(client: &EhrClient, who: &PrincipalData) -> Result<(), PreflightError> {
    if !client.is_verified(who).await? {
        return Err(Refusal::NotVerified {
            grantee: who.clone(),
        }
        .into());
    }
    Ok(())
}

/// Checks `call`, to be signed by `actor`, against the refusals of its function that can
/// be read from the chain: what the CLI and the dashboard ask before they sign any call.
/// A function without such a rule passes; so does a call whose arguments are not what
/// its function takes (the contract refuses it, and the builders in
/// [`super::calls`] never make one).
pub async fn call(
    client: &EhrClient,
    actor: &PrincipalData,
    call: &ContractCall,
) -> Result<(), PreflightError> {
    use EhrContract::*;
    let args = call.args();
    let principal = |i: usize| match args.get(i) {
        Some(Value::Principal(p)) => Some(p),
        _ => None,
    };
    let uint = |i: usize| match args.get(i) {
        Some(Value::UInt(n)) => u64::try_from(*n).ok(),
        _ => None,
    };
    match (call.contract(), call.function()) {
        (PermissionManager, "grant-access") => match principal(0) {
            Some(grantee) => grant(client, actor, actor, grantee).await,
            None => Ok(()),
        },
        (PermissionManager, "grant-access-for") => match (principal(0), principal(1)) {
            (Some(patient), Some(grantee)) => grant(client, actor, patient, grantee).await,
            _ => Ok(()),
        },
        (PermissionManager, "create-token-for") => match principal(0) {
            Some(patient) => acts_for(client, actor, patient).await,
            None => Ok(()),
        },
        (PermissionManager, "request-access" | "emergency-access") => match principal(0) {
            Some(patient) => {
                let emergency = call.function() == "emergency-access";
                ask(client, actor, patient, emergency).await
            }
            None => Ok(()),
        },
        (PermissionManager, f @ ("approve-request" | "deny-request")) => match uint(0) {
            Some(id) => {
                let r = request(client, id).await?;
                decide(client, actor, &r, f == "approve-request").await
            }
            None => Ok(()),
        },
        (PermissionManager, "revoke-access") => match uint(0) {
            Some(id) => {
                let t = token(client, id).await?;
                acts_for(client, actor, &t.patient).await?;
                Ok(revocable(&t)?)
            }
            None => Ok(()),
        },
        (PermissionManager, "set-emergency-allowed-for") => match principal(0) {
            Some(patient) => acts_for(client, actor, patient).await,
            None => Ok(()),
        },
        (AccessTokenNft, "transfer") => match (uint(0), principal(2)) {
            (Some(id), Some(recipient)) => {
                let t = token(client, id).await?;
                hand_over(client, &t, actor, recipient).await
            }
            _ => Ok(()),
        },
        (PatientRegistry, "accept-guardian") => match principal(0) {
            Some(patient)
                if client
                    .get_guardian_proposal(patient, actor)
                    .await?
                    .is_none() =>
            {
                Err(Refusal::NothingToAccept {
                    actor: actor.clone(),
                    patient: patient.clone(),
                }
                .into())
            }
            _ => Ok(()),
        },
        (PatientRegistry, "resign-guardian") => match principal(0) {
            Some(patient) if !client.get_guardians(patient).await?.contains(actor) => {
                Err(Refusal::NothingToResign {
                    actor: actor.clone(),
                    patient: patient.clone(),
                }
                .into())
            }
            _ => Ok(()),
        },
        (registry, "propose-admin") => admin(client, actor, registry).await,
        (DoctorRegistry, "set-issuer") | (PatientRegistry, "set-verifier") => {
            admin(client, actor, call.contract()).await
        }
        (registry, "accept-admin") => {
            if client.proposed_admin(registry).await?.as_ref() == Some(actor) {
                return Ok(());
            }
            Err(Refusal::NotProposedAdmin {
                actor: actor.clone(),
                registry,
            }
            .into())
        }
        (DoctorRegistry, "verify-doctor") => match principal(0) {
            Some(doctor) => verify_doctor(client, actor, doctor).await,
            None => Ok(()),
        },
        (DoctorRegistry, "suspend-doctor") => match principal(0) {
            Some(doctor) => suspend_doctor(client, actor, doctor).await,
            None => Ok(()),
        },
        (PatientRegistry, "verify-patient") => match principal(0) {
            Some(patient) => verify_patient(client, actor, patient).await,
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Checks that `actor` is the administrator of `registry`.
async fn admin(
    client: &EhrClient,
    actor: &PrincipalData,
    registry: EhrContract,
) -> Result<(), PreflightError> {
    let owner = match registry {
        EhrContract::DoctorRegistry => client.doctor_registry_admin().await?,
        _ => client.patient_registry_admin().await?,
    };
    if owner == *actor {
        return Ok(());
    }
    Err(Refusal::NotAdmin {
        actor: actor.clone(),
        registry,
    }
    .into())
}

/// Whether `who` is an enabled credential issuer.
async fn is_issuer(client: &EhrClient, who: &PrincipalData) -> Result<bool, ClientError> {
    Ok(client.get_issuer(who).await?.is_some_and(|i| i.enabled))
}

/// Checks a verification of `doctor` by `actor`: an enabled issuer, and no other
/// issuer's verification of it suspended.
async fn verify_doctor(
    client: &EhrClient,
    actor: &PrincipalData,
    doctor: &PrincipalData,
) -> Result<(), PreflightError> {
    if !is_issuer(client, actor).await? {
        return Err(Refusal::NotIssuer {
            actor: actor.clone(),
        }
        .into());
    }
    if let Some(d) = client.get_doctor(doctor).await? {
        if let (true, Some(issuer)) = (d.suspended, &d.verified_by) {
            if issuer != actor {
                return Err(Refusal::SuspendedByOther {
                    doctor: doctor.clone(),
                    issuer: issuer.clone(),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// Checks a suspension of `doctor` by `actor`: a registered doctor, by an enabled issuer
/// or the administrator.
async fn suspend_doctor(
    client: &EhrClient,
    actor: &PrincipalData,
    doctor: &PrincipalData,
) -> Result<(), PreflightError> {
    if client.get_doctor(doctor).await?.is_none() {
        return Err(Refusal::NotADoctor {
            doctor: doctor.clone(),
        }
        .into());
    }
    if is_issuer(client, actor).await? || client.doctor_registry_admin().await? == *actor {
        return Ok(());
    }
    Err(Refusal::MayNotSuspend {
        actor: actor.clone(),
    }
    .into())
}

/// Checks a verification of `patient` by `actor`: an enabled verifier, of a registered
/// patient not verified yet.
async fn verify_patient(
    client: &EhrClient,
    actor: &PrincipalData,
    patient: &PrincipalData,
) -> Result<(), PreflightError> {
    if !client.is_verifier(actor).await? {
        return Err(Refusal::NotVerifier {
            actor: actor.clone(),
        }
        .into());
    }
    match client.get_patient(patient).await? {
        Some(p) if p.active && p.verified => Err(Refusal::PatientVerified {
            patient: patient.clone(),
        }
        .into()),
        Some(p) if p.active => Ok(()),
        _ => Err(Refusal::NotAPatient {
            patient: patient.clone(),
        }
        .into()),
    }
}
