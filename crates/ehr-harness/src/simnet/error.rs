//! Why the simnet refused or failed an operation.

use clarity::vm::analysis::CheckErrors;
use clarity::vm::diagnostic::DiagnosableError;
use clarity::vm::errors::Error as VmError;

use super::receipt::Cost;

/// Everything that can go wrong driving the simnet. A public function returning `err` is
/// not an error here: it is a [`super::Receipt`] with `committed: false`, as on chain.
#[derive(Debug, thiserror::Error)]
pub enum SimnetError {
    /// A contract failed to parse or type-check; nothing was stored.
    #[error("{contract}:{line}:{column}: {message}")]
    Analysis {
        /// Contract name (or file) that failed.
        contract: String,
        /// 1-based line of the problem (0 when the VM gave no position).
        line: u32,
        /// 1-based column of the problem (0 when the VM gave no position).
        column: u32,
        /// What the analysis said.
        message: String,
    },
    /// The contract name is not a valid Clarity contract name.
    #[error("invalid contract name `{0}`: use letters, digits, `-` and `_`, starting with a letter, at most 40 characters")]
    InvalidContractName(String),
    /// A contract with that identifier is already deployed.
    #[error("contract {0} is already deployed")]
    ContractExists(String),
    /// No contract with that identifier is deployed.
    #[error("no contract {0} is deployed")]
    NoSuchContract(String),
    /// The function does not exist, or is not callable the way it was called.
    #[error("{contract} has no {kind} function `{function}`")]
    NoSuchFunction {
        /// Contract identifier.
        contract: String,
        /// Function name.
        function: String,
        /// "public", "read-only" or "private".
        kind: &'static str,
    },
    /// The arguments do not match the function's signature.
    #[error("bad arguments to {function}: {message}")]
    BadArguments {
        /// Function name.
        function: String,
        /// What the VM said.
        message: String,
    },
    /// The call would push the block past a Stacks block limit: on chain it could not be
    /// mined. Nothing was written.
    #[error("exceeds the block limit: the block would use {used:?} of {limit:?}")]
    BlockLimitExceeded {
        /// What the block would have used with this call.
        used: Cost,
        /// The block limit.
        limit: Cost,
    },
    /// The call aborted with a runtime error (an `unwrap-panic`, an overflow, ...). On
    /// chain the transaction is mined as failed; here nothing was written.
    #[error("runtime error: {0}")]
    Runtime(String),
    /// The sender cannot pay.
    #[error("{principal} has {balance} micro-STX, needs {needed}")]
    InsufficientBalance {
        /// Who tried to pay.
        principal: String,
        /// What they have.
        balance: u128,
        /// What was needed.
        needed: u128,
    },
    /// A Clarinet project manifest is missing, unreadable or inconsistent.
    #[error("{path}: {message}")]
    Manifest {
        /// The manifest or contract file.
        path: String,
        /// The problem.
        message: String,
    },
    /// The VM failed in a way that indicates a bug, not bad input.
    #[error("internal VM error: {0}")]
    Internal(String),
}

impl SimnetError {
    /// Classifies an error raised while executing a call.
    pub(crate) fn from_vm(err: VmError, function: &str) -> Self {
        match err {
            VmError::Unchecked(CheckErrors::CostBalanceExceeded(used, limit)) => {
                SimnetError::BlockLimitExceeded {
                    used: Cost::from(&used),
                    limit: Cost::from(&limit),
                }
            }
            VmError::Unchecked(
                e @ (CheckErrors::TypeValueError(..)
                | CheckErrors::IncorrectArgumentCount(..)
                | CheckErrors::TypeError(..)),
            ) => SimnetError::BadArguments {
                function: function.to_string(),
                message: e.message(),
            },
            VmError::Unchecked(e) => SimnetError::Runtime(e.message()),
            VmError::Runtime(e, _) => SimnetError::Runtime(format!("{e:?}")),
            VmError::ShortReturn(r) => SimnetError::Runtime(format!("{r:?}")),
            VmError::Interpreter(e) => SimnetError::Internal(format!("{e:?}")),
            VmError::Wasm(e) => SimnetError::Internal(format!("{e:?}")),
        }
    }
}
