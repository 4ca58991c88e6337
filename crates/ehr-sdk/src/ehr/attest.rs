//! Doctor verification with an issuer's attestation, the one way every client does it:
//! the issuer signs off chain ([`sign`]: no transaction), the doctor submits the signature
//! with `verify-with-attestation` ([`submission`]), which first checks what the contract
//! will check, so an attestation it would refuse (expired, signed by another key, for
//! another doctor or deployment) is refused here, in words, before anything is signed.

use clarity::vm::types::PrincipalData;

use super::calls::{self, ContractCall};
use super::client::{ClientError, EhrClient};
use crate::disclosure::{sign_rsv, Attestation};
use crate::keys::SecretKey;

/// Why an attestation cannot be made or submitted.
#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    /// The node failed or answered wrongly.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The doctor is not registered.
    #[error("{0} is not a registered doctor")]
    NotADoctor(String),
    /// The doctor is suspended: only its issuer's own verification lifts that.
    #[error("{0} is suspended: an attestation does not lift a suspension; its issuer must verify it directly")]
    Suspended(String),
    /// The issuer is not an enabled credential issuer.
    #[error("{0} is not an enabled credential issuer: the admin enables issuers")]
    NotAnIssuer(String),
    /// The credential would already have expired when mined.
    #[error("the attestation expires at block {expires_at}, and the chain is at block {tip}: ask the issuer for one that expires later")]
    Expired {
        /// Its expiry.
        expires_at: u64,
        /// The chain tip.
        tip: u64,
    },
    /// The signature was not made by the issuer's registered key over this attestation.
    #[error("the signature is not {issuer}'s over this attestation: it was signed by another key, or for another doctor, licence, expiry or deployment")]
    WrongSigner {
        /// The issuer named.
        issuer: String,
    },
    /// The contract took this attestation already: each is submitted once.
    #[error("this attestation was submitted already (the contract takes each one once): ask the issuer for a new one")]
    Used,
    /// The signature text is not a signature.
    #[error("the signature: give the 65-byte signature as 130 hex digits ({0})")]
    Malformed(String),
}

/// An issuer's signed attestation, to hand to the doctor.
#[derive(Debug, Clone)]
pub struct SignedAttestation {
    /// What was attested.
    pub attestation: Attestation,
    /// The hash signed.
    pub hash: [u8; 32],
    /// The signature the doctor submits (`r ++ s ++ recovery id`).
    pub signature: [u8; 65],
}

/// The chain tip height.
async fn tip(client: &EhrClient) -> Result<u64, ClientError> {
    Ok(client.node().info().await?.stacks_tip_height)
}

/// Refuses an expiry the contract would refuse: it must be after the block the
/// submission is mined in (the tip's successor at the soonest).
fn check_expiry(expires_at: u64, tip: u64) -> Result<(), AttestError> {
    if expires_at <= tip + 1 {
        return Err(AttestError::Expired { expires_at, tip });
    }
    Ok(())
}

/// The attestation for registered `doctor` by `issuer` until `expires_at`, in this
/// deployment.
async fn attestation_for(
    client: &EhrClient,
    doctor: &PrincipalData,
    issuer: &PrincipalData,
    expires_at: u64,
) -> Result<Attestation, AttestError> {
    let d = client
        .get_doctor(doctor)
        .await?
        .ok_or_else(|| AttestError::NotADoctor(doctor.to_string()))?;
    Ok(client.attestation(doctor, &d.license_hash, expires_at, issuer))
}

/// The issuer (`issuer_key`) signs that `doctor` holds its registered licence until block
/// `expires_at`, bound to this deployment and chain. No transaction: the doctor submits
/// it. Refused when the doctor is not registered or the expiry is already past.
pub async fn sign(
    client: &EhrClient,
    issuer_key: &SecretKey,
    doctor: &PrincipalData,
    expires_at: u64,
) -> Result<SignedAttestation, AttestError> {
    check_expiry(expires_at, tip(client).await?)?;
    let issuer = issuer_key.address(client.network()).to_principal();
    let attestation = attestation_for(client, doctor, &issuer, expires_at).await?;
    let hash = attestation.hash();
    Ok(SignedAttestation {
        signature: sign_rsv(issuer_key, &hash),
        attestation,
        hash,
    })
}

/// A signature as text (130 hex digits, `0x` allowed).
pub fn parse_signature(text: &str) -> Result<[u8; 65], AttestError> {
    let bytes = hex::decode(text.trim().trim_start_matches("0x"))
        .map_err(|e| AttestError::Malformed(e.to_string()))?;
    <[u8; 65]>::try_from(bytes.as_slice())
        .map_err(|_| AttestError::Malformed(format!("got {} bytes", bytes.len())))
}

/// Whether `signature` over `hash` was made by the key `pubkey` (33 bytes compressed):
/// the key recovered from it must be that key.
fn signed_by(pubkey: &[u8; 33], hash: &[u8; 32], signature: &[u8; 65]) -> bool {
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
    let Ok(sig) = Signature::from_slice(&signature[..64]) else {
        return false;
    };
    let Some(recid) = RecoveryId::from_byte(signature[64]) else {
        return false;
    };
    VerifyingKey::recover_from_prehash(hash, &sig, recid)
        .is_ok_and(|key| key.to_encoded_point(true).as_bytes() == pubkey.as_slice())
}

/// The `verify-with-attestation` call `doctor` submits for `issuer`'s `signature` until
/// `expires_at`, once checked as the contract checks it: the doctor registered and not
/// suspended, the issuer enabled, the expiry still ahead, the signature the issuer's
/// registered key's over this doctor's attestation in this deployment, and the
/// attestation not submitted before.
pub async fn submission(
    client: &EhrClient,
    doctor: &PrincipalData,
    issuer: &PrincipalData,
    expires_at: u64,
    signature: &[u8; 65],
) -> Result<ContractCall, AttestError> {
    let (tip, registered, entry) = tokio::join!(
        tip(client),
        client.get_doctor(doctor),
        client.get_issuer(issuer)
    );
    let registered = registered?.ok_or_else(|| AttestError::NotADoctor(doctor.to_string()))?;
    if registered.suspended {
        return Err(AttestError::Suspended(doctor.to_string()));
    }
    let entry = entry?
        .filter(|i| i.enabled)
        .ok_or_else(|| AttestError::NotAnIssuer(issuer.to_string()))?;
    check_expiry(expires_at, tip?)?;
    let hash = client
        .attestation(doctor, &registered.license_hash, expires_at, issuer)
        .hash();
    if !signed_by(&entry.pubkey, &hash, signature) {
        return Err(AttestError::WrongSigner {
            issuer: issuer.to_string(),
        });
    }
    if super::maps::attestation_used(client, &hash).await? {
        return Err(AttestError::Used);
    }
    Ok(calls::verify_with_attestation(issuer, expires_at, signature).map_err(ClientError::from)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;

    #[test]
    fn only_the_signers_key_passes() {
        let issuer = SecretKey::from_hex(
            "d655b2523bcd65e34889725c73064feb17ceb796831c0e111ba1a552b0f31b3901",
        )
        .unwrap();
        let other = SecretKey::from_hex(
            "f9d7206a47f14d2870c163ebab4bf3e70d18f5d14ce1031f3902fbbc894fe4c701",
        )
        .unwrap();
        let hash = [7u8; 32];
        let sig = sign_rsv(&issuer, &hash);
        assert!(signed_by(&issuer.public_key().to_bytes(), &hash, &sig));
        assert!(!signed_by(&other.public_key().to_bytes(), &hash, &sig));
        assert!(!signed_by(
            &issuer.public_key().to_bytes(),
            &[8u8; 32],
            &sig
        ));
        let mut bad = sig;
        bad[64] = 9;
        assert!(!signed_by(&issuer.public_key().to_bytes(), &hash, &bad));
    }

    #[test]
    fn an_expiry_must_lie_past_the_next_block() {
        assert!(check_expiry(12, 10).is_ok());
        assert!(matches!(
            check_expiry(11, 10),
            Err(AttestError::Expired { .. })
        ));
        assert!(check_expiry(3, 10).is_err());
    }

    #[test]
    fn signatures_are_130_hex_digits() {
        assert!(parse_signature(&format!("0x{}", "ab".repeat(65))).is_ok());
        assert!(matches!(
            parse_signature("abcd"),
            Err(AttestError::Malformed(_))
        ));
        assert!(parse_signature("zz").is_err());
    }
}
