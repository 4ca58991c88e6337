//! Revocation that means something for confidentiality.
//!
//! On a public chain a revoked doctor's key envelopes stay readable, and a data key it
//! unwrapped once is not forgotten. So a revocation through the SDK (and so through the CLI
//! and the dashboard) burns the token and then, by default, rotates every current record
//! the revoked holder could open: a new version under a fresh key, with envelopes only for
//! the patient and the holders that still have access. [`REVOCATION_LIMITS`] says what no
//! revocation can undo.

use clarity::vm::types::PrincipalData;

use super::calls;
use super::client::{ClientError, EhrClient, Mined, SendOptions};
use super::preflight;
use super::records::{list_records, rotate_record, BlobStore, Keep, RecordError, Rotated};
use crate::keys::SecretKey;

/// What a revocation cannot undo, in words for the person revoking.
pub const REVOCATION_LIMITS: &str = "A revoked holder keeps whatever it already decrypted or copied, and its old key envelopes still open the old versions on this public chain; rotation only keeps it out of the new versions.";

/// What to do with the records the revoked holder could open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AfterRevoke {
    /// Rotate their keys (the default).
    #[default]
    RotateKeys,
    /// Leave them as they are (`--no-rotate`): the revoked holder can still open the
    /// current versions with the envelopes it has.
    KeepKeys,
}

/// A record that should have been rotated and was not, with the reason and how to finish.
#[derive(Debug, serde::Serialize)]
pub struct NotRotated {
    /// The record.
    pub record: u64,
    /// Why (e.g. the signer, a guardian, holds no envelope for it).
    pub reason: String,
}

/// The outcome of [`revoke_access`].
#[derive(Debug)]
pub struct Revoked {
    /// The `revoke-access` transaction.
    pub revoked: Mined,
    /// The holder that lost access.
    pub grantee: PrincipalData,
    /// Records re-sealed without the revoked holder.
    pub rotated: Vec<Rotated>,
    /// Current records the revoked holder can still open, because their rotation failed;
    /// `ehr record rotate ID` (as the patient) finishes each.
    pub not_rotated: Vec<NotRotated>,
}

/// The current versions of `patient`'s records that `holder` holds a key envelope for.
pub async fn records_open_to(
    client: &EhrClient,
    patient: &PrincipalData,
    holder: &PrincipalData,
) -> Result<Vec<u64>, RecordError> {
    let mut ids = Vec::new();
    for r in list_records(client, patient).await? {
        if r.superseded_by.is_none() && client.get_envelope(r.id, holder).await?.is_some() {
            ids.push(r.id);
        }
    }
    Ok(ids)
}

/// Revokes token `token_id` (the signer is the patient or a guardian) and, with
/// [`AfterRevoke::RotateKeys`], rotates every current record the grantee could open,
/// keeping the envelopes of the holders that still have access. A rotation that fails does
/// not undo the revocation: it is reported in [`Revoked::not_rotated`]. A token revoked
/// already is refused before anything is signed ([`RecordError::Refused`]).
pub async fn revoke_access(
    client: &EhrClient,
    signer: &SecretKey,
    token_id: u64,
    after: AfterRevoke,
    on_chain_max: usize,
    store: &dyn BlobStore,
    options: &SendOptions,
) -> Result<Revoked, RecordError> {
    let token = client
        .get_token(token_id)
        .await?
        .ok_or(RecordError::NoToken(token_id))?;
    preflight::revocable(&token)?;
    let call = calls::revoke_access(token_id).map_err(ClientError::from)?;
    let revoked = client.execute(signer, &call, options).await?;
    let mut out = Revoked {
        revoked,
        grantee: token.grantee.clone(),
        rotated: Vec::new(),
        not_rotated: Vec::new(),
    };
    if after == AfterRevoke::KeepKeys || token.grantee == token.patient {
        return Ok(out);
    }
    for id in records_open_to(client, &token.patient, &token.grantee).await? {
        let next = SendOptions {
            nonce: None,
            ..options.clone()
        };
        match rotate_record(
            client,
            signer,
            id,
            Keep::CurrentReaders,
            on_chain_max,
            store,
            &next,
        )
        .await
        {
            Ok(r) => out.rotated.push(r),
            Err(e) => out.not_rotated.push(NotRotated {
                record: id,
                reason: e.to_string(),
            }),
        }
    }
    Ok(out)
}
