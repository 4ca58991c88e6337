//! Reading a record under the rules, the one way every client reads.
//!
//! A patient (or a guardian acting for it) opens its own records. Anyone else reads under a
//! grant: it must hold a live token from the patient and `has-access` must say yes for read
//! scope and the record's type; the view is then logged on chain with `log-access` *before*
//! the record is decrypted, so there is no read that leaves no trace. The CLI, the dashboard
//! and the FHIR API all go through [`authority`] and [`read_record`]; none decides this on
//! its own.

use std::io::Write;

use clarity::vm::types::PrincipalData;

use super::calls;
use super::client::{ClientError, EhrClient, Mined, SendOptions};
use super::records::{
    open_record, open_record_into, BlobRead, BlobStore, Opened, OpenedInto, RecordError,
};
use super::types::{Record, Scope};
use crate::keys::SecretKey;

/// The action a grantee's read is logged under (`log-access`).
pub const VIEW_ACTION: &str = "view";

/// Why a reader may read a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "as")]
pub enum Authority {
    /// The reader is the record's patient.
    Patient,
    /// The reader is an accepted guardian of the patient.
    Guardian,
    /// The reader holds live token `token` with read access to the record's type.
    Grant {
        /// The token the read is logged under.
        token: u64,
    },
}

impl Authority {
    /// The token a read under this authority must be logged with, if any: the patient's
    /// side reads its own records without a log entry.
    pub fn token(self) -> Option<u64> {
        match self {
            Authority::Grant { token } => Some(token),
            Authority::Patient | Authority::Guardian => None,
        }
    }
}

/// Whether a grantee's read is logged on chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViewLog {
    /// Log the view with `log-access` before decrypting (the default, and what the
    /// patient's audit trail relies on).
    #[default]
    Log,
    /// Decrypt without logging: only for a reader that logged this view already (the
    /// dashboard logs first and decrypts on the next page), or that chose to skip the
    /// log explicitly (`ehr record get --no-log`).
    AlreadyLoggedOrSkipped,
}

/// A record read under the rules.
#[derive(Debug, Clone)]
pub struct Read {
    /// The record and its plaintext.
    pub opened: Opened,
    /// Why the reader could read it.
    pub authority: Authority,
    /// The `log-access` transaction, when the view was logged.
    pub logged: Option<Mined>,
}

/// Why `reader` may read `record` now, or [`RecordError::AccessRefused`]: the patient and
/// its guardians always; anyone else only with a live token and `has-access` for read
/// scope on the record's type.
pub async fn authority(
    client: &EhrClient,
    reader: &PrincipalData,
    record: &Record,
) -> Result<Authority, RecordError> {
    if *reader == record.patient {
        return Ok(Authority::Patient);
    }
    if client.acts_for(&record.patient, reader).await? {
        return Ok(Authority::Guardian);
    }
    let (token, readable) = tokio::join!(
        client.get_active_token(&record.patient, reader),
        client.has_access(
            &record.patient,
            reader,
            Scope::READ,
            Some(&record.record_type)
        ),
    );
    match (token?, readable?) {
        (Some(token), true) => Ok(Authority::Grant { token }),
        _ => Err(RecordError::AccessRefused {
            reader: reader.to_string(),
            patient: record.patient.to_string(),
            record_type: record.record_type.clone(),
        }),
    }
}

/// Logs a grantee's view of record `id` under `token` (`log-access`, action
/// [`VIEW_ACTION`]) and waits until it is mined.
pub async fn log_view(
    client: &EhrClient,
    reader: &SecretKey,
    token: u64,
    id: u64,
    options: &SendOptions,
) -> Result<Mined, RecordError> {
    let call = calls::log_access(token, id, VIEW_ACTION).map_err(ClientError::from)?;
    Ok(client.execute(reader, &call, options).await?)
}

/// Reads record `id` as `reader`: checks its [`authority`], logs a grantee's view on chain
/// first (unless `log` says it is done or skipped), then fetches, hash-checks and decrypts.
pub async fn read_record(
    client: &EhrClient,
    reader: &SecretKey,
    id: u64,
    store: Option<&dyn BlobStore>,
    log: ViewLog,
    options: &SendOptions,
) -> Result<Read, RecordError> {
    let (authority, logged) = authorize(client, reader, id, log, options).await?;
    let opened = open_record(client, id, reader, store).await?;
    Ok(Read {
        opened,
        authority,
        logged,
    })
}

/// A record read under the rules into a writer, by [`read_record_into`].
#[derive(Debug, Clone)]
pub struct ReadInto {
    /// The record and how many plaintext bytes were written.
    pub opened: OpenedInto,
    /// Why the reader could read it.
    pub authority: Authority,
    /// The `log-access` transaction, when the view was logged.
    pub logged: Option<Mined>,
}

/// [`read_record`] with the plaintext streamed into `out` (large records in bounded
/// memory: a store blob is hashed and checked against the chain before it is decrypted),
/// after the same authority check and view log. Plaintext written before an error is not
/// to be trusted: write to a temporary place and keep it only on `Ok`.
pub async fn read_record_into(
    client: &EhrClient,
    reader: &SecretKey,
    id: u64,
    blob: BlobRead<'_, '_>,
    log: ViewLog,
    options: &SendOptions,
    out: &mut (dyn Write + Send),
) -> Result<ReadInto, RecordError> {
    let (authority, logged) = authorize(client, reader, id, log, options).await?;
    let opened = open_record_into(client, id, reader, blob.store, blob.fetch, out).await?;
    Ok(ReadInto {
        opened,
        authority,
        logged,
    })
}

/// The reader's [`authority`] over record `id`, and the view logged when `log` asks and
/// the reader is a grantee.
async fn authorize(
    client: &EhrClient,
    reader: &SecretKey,
    id: u64,
    log: ViewLog,
    options: &SendOptions,
) -> Result<(Authority, Option<Mined>), RecordError> {
    let record = client
        .get_record(id)
        .await?
        .ok_or(RecordError::NotFound(id))?;
    let me = reader.address(client.network()).to_principal();
    let authority = authority(client, &me, &record).await?;
    // The envelope must exist before anything is logged: a view that cannot happen is
    // not put in the patient's trail.
    if client.get_envelope(id, &me).await?.is_none() {
        return Err(RecordError::NoEnvelope {
            id,
            holder: me.to_string(),
        });
    }
    let logged = match (authority.token(), log) {
        (Some(token), ViewLog::Log) => Some(log_view(client, reader, token, id, options).await?),
        _ => None,
    };
    Ok((authority, logged))
}
