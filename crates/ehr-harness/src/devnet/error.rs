//! Why a devnet could not start, or a control request failed.

use std::path::PathBuf;

use crate::simnet::SimnetError;

/// Everything that can stop a devnet from starting or a control request from completing.
/// Transaction refusals are not errors here: they are [`super::Rejection`]s, answered
/// to the client as the node answers them.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// The RPC port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source} (is another node running there? pick another with --port, or 0 for any free port)")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The configuration is unusable (genesis accounts, observers).
    #[error("devnet configuration: {0}")]
    Config(String),
    /// The genesis chain could not be built (a contract failed analysis, ...).
    #[error("building the genesis chain: {0}")]
    Genesis(#[source] SimnetError),
    /// The state directory cannot be used.
    #[error("state directory {path}: {message}")]
    State {
        /// The directory or file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// The state directory's log is damaged (not a torn final write): nothing was changed.
    #[error("{path}: {message}")]
    DamagedLog {
        /// The log file.
        path: PathBuf,
        /// Where, what, and what to do.
        message: String,
    },
    /// A chain history (state directory or a loaded dump) does not replay.
    #[error("chain history does not replay: {0}")]
    Replay(String),
    /// The state log cannot be written: what was asked may have seen a block that is not
    /// on disk, so it is not answered (the node stops taking transactions and mining).
    #[error("the devnet cannot write its state log: {0}")]
    Unwritable(String),
    /// The chain thread has stopped (the devnet is shutting down).
    #[error("the devnet is shutting down")]
    Stopped,
}
