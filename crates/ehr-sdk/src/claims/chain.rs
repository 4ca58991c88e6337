//! The chain's side of a claim: reading what the write side needs to commit, and the
//! checks a verifier makes against the chain after the proof itself.
//!
//! The verifier checks, in order: the proof ([`ClaimProof::verify`]); that the proof names
//! this deployment's `ehr-storage`; that the record exists with the same patient, author,
//! content hash and block; that it is not superseded; that its claims anchor equals the set
//! digest; and that the author is the patient (self-reported data) or a doctor that
//! `doctor-registry.is-verified` says is verified. That last check is made **now**, at the
//! chain tip, not at the anchor's block: the read-only API this client speaks has no
//! historical reads it could rely on across nodes (a node's `tip=` wants a block id no
//! portable call gives by height). A doctor verified at the anchor and suspended since
//! fails, which errs on the safe side; a doctor verified only after anchoring passes.

use clarity::vm::types::PrincipalData;

use super::commit::{ClaimsSecret, RecordRef, SignedSet};
use super::fields::{self, Skipped};
use super::predicate::Predicate;
use super::proof::ClaimProof;
use super::ClaimsError;
use crate::crypto;
use crate::ehr::read::{read_record, ViewLog};
use crate::ehr::records::BlobStore;
use crate::ehr::types::Record;
use crate::ehr::{EhrClient, EhrContract, SendOptions};
use crate::keys::SecretKey;

/// Who the record's author is, as the verifier established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthorRole {
    /// The patient wrote it: self-reported data.
    Patient,
    /// A doctor verified (now) by an enabled issuer.
    VerifiedDoctor,
}

impl std::fmt::Display for AuthorRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AuthorRole::Patient => "the patient (self-reported)",
            AuthorRole::VerifiedDoctor => "a doctor verified now",
        })
    }
}

/// A claim that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The claim, in words.
    pub claim: String,
    /// What the proof revealed besides the claim.
    pub leaks: String,
    /// The record as on chain.
    pub record: Record,
    /// The block its claims were anchored in.
    pub anchored_at: u64,
    /// Who the author is.
    pub author_role: AuthorRole,
}

/// The [`RecordRef`] a commitment set for `record` is bound to in this deployment.
pub fn record_ref(client: &EhrClient, record: &Record) -> RecordRef {
    RecordRef {
        storage: client.deployment().id(EhrContract::EhrStorage).to_string(),
        id: record.id,
        patient: record.patient.to_string(),
        author: record.author.to_string(),
        content_hash: record.content_hash,
    }
}

/// The claims secret of record `id` for the holder of `holder`'s key envelope.
pub async fn claims_secret(
    client: &EhrClient,
    id: u64,
    holder: &SecretKey,
) -> Result<ClaimsSecret, ClaimsError> {
    let who = holder.address(client.network()).to_principal();
    let envelope = client
        .get_envelope(id, &who)
        .await?
        .ok_or_else(|| ClaimsError::NoEnvelope {
            id,
            holder: who.to_string(),
        })?;
    let key = crypto::unwrap_key(&envelope, holder)?;
    Ok(ClaimsSecret::from_data_key(&key))
}

/// A record opened for claims: its metadata, its FHIR resource and its claims secret.
pub struct Opened {
    /// The record as on chain.
    pub record: Record,
    /// The decrypted FHIR resource.
    pub resource: serde_json::Value,
    /// The record's claims secret.
    pub secret: ClaimsSecret,
}

/// Opens record `id` for `reader` under the rules every read follows
/// ([`read_record`]: a grantee's view is logged on chain first), and unwraps its claims
/// secret.
pub async fn open_for_claims(
    client: &EhrClient,
    reader: &SecretKey,
    id: u64,
    store: Option<&dyn BlobStore>,
    options: &SendOptions,
) -> Result<Opened, ClaimsError> {
    let read = read_record(client, reader, id, store, ViewLog::Log, options).await?;
    let resource: serde_json::Value =
        serde_json::from_slice(&read.opened.plaintext).map_err(|_| ClaimsError::NotFhir)?;
    let secret = claims_secret(client, id, reader).await?;
    Ok(Opened {
        record: read.opened.record,
        resource,
        secret,
    })
}

/// The author's side: opens record `id` (the author needs a key envelope for it), commits
/// every field claims can be made about, and signs the set. The caller anchors
/// [`SignedSet::digest`] with `set-claims-anchor` and hands the set to the patient. Also
/// returns the fields present but left out.
pub async fn commit_record(
    client: &EhrClient,
    author: &SecretKey,
    id: u64,
    store: Option<&dyn BlobStore>,
    options: &SendOptions,
) -> Result<(SignedSet, Vec<Skipped>), ClaimsError> {
    // Checked before the record is opened: a refused commit logs no view.
    let record = client
        .get_record(id)
        .await?
        .ok_or(ClaimsError::NoRecord(id))?;
    let me = author.address(client.network()).to_principal();
    if record.author != me {
        return Err(ClaimsError::NotAuthor {
            id,
            author: record.author.to_string(),
        });
    }
    if let Some(by) = record.superseded_by {
        return Err(ClaimsError::Superseded { id, by });
    }
    let opened = open_for_claims(client, author, id, store, options).await?;
    let (values, skipped) = fields::extract(&opened.resource)?;
    let set = SignedSet::create(
        record_ref(client, &opened.record),
        &values,
        &opened.secret,
        author,
    )?;
    Ok((set, skipped))
}

/// The prover's side: opens the record `set` was signed for (as `reader`, who holds a key
/// envelope: the patient, usually), checks it is still that record, reads field `path`,
/// and proves `predicate` about it.
pub async fn prove_record(
    client: &EhrClient,
    reader: &SecretKey,
    set: &SignedSet,
    path: &str,
    predicate: Predicate,
    store: Option<&dyn BlobStore>,
    options: &SendOptions,
) -> Result<ClaimProof, ClaimsError> {
    let id = set.record.id;
    let opened = open_for_claims(client, reader, id, store, options).await?;
    if record_ref(client, &opened.record) != set.record {
        return Err(ClaimsError::RecordMismatch(id));
    }
    let (values, _) = fields::extract(&opened.resource)?;
    let value = values
        .iter()
        .find(|v| v.path == path)
        .ok_or_else(|| ClaimsError::NoSuchField {
            path: path.to_string(),
            committed: set.entries.iter().map(|e| e.path.clone()).collect(),
        })?;
    ClaimProof::create(
        set,
        opened.record.created_at,
        path,
        value.value,
        &opened.secret,
        predicate,
    )
}

/// Verifies `proof` and checks it against the chain (module docs). `today` is the
/// verifier's day (days since 1970-01-01).
pub async fn verify_on_chain(
    client: &EhrClient,
    proof: &ClaimProof,
    today: i64,
) -> Result<Verified, ClaimsError> {
    let checked = proof.verify(today)?;
    let storage = client.deployment().id(EhrContract::EhrStorage).to_string();
    if proof.record.storage != storage {
        return Err(ClaimsError::OtherDeployment {
            proof: proof.record.storage.clone(),
            here: storage,
        });
    }
    let id = proof.record.id;
    let record = client
        .get_record(id)
        .await?
        .ok_or(ClaimsError::NoRecord(id))?;
    let expected = record_ref(client, &record);
    if expected != proof.record || record.created_at != proof.created_at {
        return Err(ClaimsError::RecordMismatch(id));
    }
    if let Some(by) = record.superseded_by {
        return Err(ClaimsError::Superseded { id, by });
    }
    let anchor = client
        .get_claims_anchor(id)
        .await?
        .ok_or(ClaimsError::NotAnchored(id))?;
    if anchor.anchor != checked.anchor {
        return Err(ClaimsError::AnchorMismatch(id));
    }
    let author_role = author_role(client, &record).await?;
    Ok(Verified {
        claim: proof.claim.clone(),
        leaks: proof.leaks.clone(),
        record,
        anchored_at: anchor.anchored_at,
        author_role,
    })
}

/// The patient, or a doctor verified now; anyone else is refused.
async fn author_role(client: &EhrClient, record: &Record) -> Result<AuthorRole, ClaimsError> {
    if record.author == record.patient {
        return Ok(AuthorRole::Patient);
    }
    if matches!(record.author, PrincipalData::Standard(_))
        && client.is_verified(&record.author).await?
    {
        return Ok(AuthorRole::VerifiedDoctor);
    }
    Err(ClaimsError::AuthorNotVerified(record.author.to_string()))
}
