//! Zero-knowledge claims about a record's values: "this patient is at least 18", "HbA1c
//! is below 6.5 %", "vaccinated within the last 365 days", proven without revealing the
//! value, with Bulletproofs range proofs over Pedersen commitments on Ristretto (the
//! `bulletproofs` crate). This is unlike [`crate::disclosure`], which reveals the field.
//!
//! The flow:
//! 1. **Commit** (the record's author, once): the numeric fields of the decrypted record
//!    ([`fields::extract`]) are committed with blinding factors derived from the record's
//!    data key ([`commit::ClaimsSecret`]) and the set is signed ([`SignedSet::create`]);
//!    its digest goes on chain with `ehr-storage.set-claims-anchor`.
//! 2. **Prove** (anyone holding a key envelope for the record, usually the patient, with
//!    the signed set the author handed over): [`ClaimProof::create`].
//! 3. **Verify** (anyone, no account): [`verify_on_chain`] — the proof, the author's
//!    signature, the on-chain anchor, the author's standing, the record not superseded.
//!
//! Clarity has no Ristretto arithmetic, so proofs are verified off chain; the chain holds
//! the anchors the proofs are checked against. See docs/zero-knowledge.md for what is
//! proven and what leaks.
pub mod chain;
pub mod commit;
pub mod fields;
mod hexser;
pub mod predicate;
pub mod proof;
pub mod value;

pub use chain::{
    claims_secret, commit_record, open_for_claims, prove_record, record_ref, verify_on_chain,
    AuthorRole, Opened, Verified,
};
pub use commit::{ClaimsSecret, Entry, RecordRef, SignedSet};
pub use fields::{extract, full_path, FieldValue, Skipped};
pub use predicate::{Claim, Predicate};
pub use proof::{Checked, ClaimProof, COMPACT_PREFIX, MAX_PROOF_JSON};
pub use value::FieldKind;

use crate::crypto::CryptoError;
use crate::ehr::records::RecordError;
use crate::ehr::ClientError;

/// The version of the signed-set and proof formats.
pub const VERSION: u32 = 1;

/// Why a claim could not be committed, proven or verified.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// The record is not a FHIR resource (no `resourceType`).
    #[error("the record is not a FHIR R4 resource (no resourceType)")]
    NotFhir,
    /// The record has no field a claim can be made about.
    #[error("the record has no field claims can be made about (dates, quantities)")]
    NothingToCommit,
    /// A value or bound could not be read.
    #[error("`{text}`: {why}")]
    BadValue {
        /// The text.
        text: String,
        /// Why.
        why: String,
    },
    /// The predicate does not fit the field.
    #[error("bad claim: {0}")]
    BadPredicate(String),
    /// The field was not committed for this record.
    #[error("{path} was not committed for this record (committed: {})", committed.join(", "))]
    NoSuchField {
        /// The path asked for.
        path: String,
        /// The paths committed.
        committed: Vec<String>,
    },
    /// The record's value does not satisfy the claim: no proof can be made.
    #[error("the record's value does not satisfy the claim: {claim}")]
    NotTrue {
        /// The claim.
        claim: String,
    },
    /// The value and key do not open the signed commitment.
    #[error("the record's {0} does not open the signed commitment: another record version, or another key")]
    CommitmentMismatch(String),
    /// A format version this build does not read.
    #[error("claims format version {0} is not supported (this build reads version 1)")]
    Version(u32),
    /// The file is not a well-formed proof or set.
    #[error("malformed: {0}")]
    Malformed(String),
    /// The author's signature does not check.
    #[error("author signature: {0}")]
    BadSignature(String),
    /// The range proof does not verify.
    #[error("the range proof does not verify: the claim is not proven")]
    ProofRejected,
    /// Proving failed inside the library.
    #[error("proving failed: {0}")]
    Proving(String),
    /// The proof is for another deployment.
    #[error("the proof is about {proof}, not this deployment's {here}")]
    OtherDeployment {
        /// The proof's contract.
        proof: String,
        /// This client's.
        here: String,
    },
    /// No such record on chain.
    #[error("no record #{0} on chain")]
    NoRecord(u64),
    /// The record on chain differs from the one the proof names.
    #[error("record #{0} on chain is not the record the proof names (patient, author, content or block differ)")]
    RecordMismatch(u64),
    /// The record has a newer version.
    #[error("record #{id} is superseded by #{by}: its claims no longer stand")]
    Superseded {
        /// The record.
        id: u64,
        /// The newer version.
        by: u64,
    },
    /// The record has no claims anchor.
    #[error("record #{0} has no claims anchor on chain")]
    NotAnchored(u64),
    /// The record's anchor is not the proof's set digest.
    #[error(
        "record #{0}'s claims anchor on chain is not the digest of the proof's commitment set"
    )]
    AnchorMismatch(u64),
    /// The author is neither the patient nor a verified doctor.
    #[error("the record's author {0} is neither its patient nor a verified doctor (now)")]
    AuthorNotVerified(String),
    /// The reader has no key envelope for the record.
    #[error("{holder} holds no key envelope for record #{id}, so it cannot commit or prove claims about it")]
    NoEnvelope {
        /// The record.
        id: u64,
        /// Who asked.
        holder: String,
    },
    /// Only the record's author commits its claims.
    #[error("only record #{id}'s author {author} can commit and anchor its claims")]
    NotAuthor {
        /// The record.
        id: u64,
        /// Its author.
        author: String,
    },
    /// Reading the record failed.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// Unwrapping the record's key failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The chain could not be read.
    #[error(transparent)]
    Client(#[from] ClientError),
}
