//! Why a transaction could not be built, decoded or verified.

use std::fmt;

use stacks_common::codec::Error as CodecError;

use crate::network::Network;

/// Which signer of a transaction an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerRole {
    /// The account that sends the transaction.
    Origin,
    /// The account that pays its fee in a sponsored transaction.
    Sponsor,
}

impl fmt::Display for SignerRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignerRole::Origin => "origin",
            SignerRole::Sponsor => "sponsor",
        })
    }
}

/// Why a transaction could not be built, decoded or verified.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TxError {
    /// The text is not hex.
    #[error("transaction is not hex: {0}")]
    Hex(String),
    /// The bytes stop in the middle of a field.
    #[error("transaction is truncated: the bytes end inside a field ({0})")]
    Truncated(String),
    /// Bytes follow a complete transaction.
    #[error("{extra} unexpected byte(s) after the end of the transaction (it ends at byte {end})")]
    TrailingBytes {
        /// Length of the transaction that was read.
        end: usize,
        /// How many bytes follow it.
        extra: usize,
    },
    /// More bytes than a node accepts in one transaction.
    #[error("transaction is {len} bytes; nodes accept at most {max}")]
    TooLong {
        /// Length given.
        len: usize,
        /// The limit (`MAX_TRANSACTION_LEN`).
        max: usize,
    },
    /// The bytes are not a transaction (a bad tag, name, string or Clarity value).
    #[error("not a valid transaction: {0}")]
    Malformed(String),
    /// A deploy in a Clarity version newer than the Clarity VM here runs.
    #[error(
        "this contract is deployed as Clarity {0}, but the Clarity VM here (clarity-vm 2.3.0, \
         which the devnet and simnet run) supports Clarity 1 and 2 only; deploy it as \
         Clarity 2: `clarityVersion: ClarityVersion.Clarity2` in stacks.js (7.x deploys \
         Clarity 4 by default), or `clarity_version = 2` in Clarinet.toml"
    )]
    UnsupportedClarityVersion(u8),
    /// A payload wallets never send (coinbase, tenure change, poison microblock).
    #[error("{0} transactions are made by miners, not wallets; they are not supported")]
    UnsupportedPayload(&'static str),
    /// An address whose version byte cannot be a Stacks address.
    #[error("address version {0} is not a Stacks address version (it must be below 32)")]
    AddressVersion(u8),
    /// The transaction is for another network.
    #[error(
        "transaction is not for {expected}: it has version byte 0x{version:02x} and chain id \
         0x{chain_id:08x}, {expected} needs 0x{expected_version:02x} and 0x{expected_chain_id:08x}"
    )]
    WrongNetwork {
        /// The network the caller expected.
        expected: Network,
        /// The transaction's version byte.
        version: u8,
        /// The transaction's chain id.
        chain_id: u32,
        /// The version byte `expected` needs.
        expected_version: u8,
        /// The chain id `expected` needs.
        expected_chain_id: u32,
    },
    /// A signature does not verify, or was made by a key that is not the signer's.
    #[error("{role} signature is invalid: {reason}")]
    BadSignature {
        /// Whose signature.
        role: SignerRole,
        /// What is wrong.
        reason: String,
    },
    /// A signature with a high S value: valid ECDSA, but malleable, so nodes refuse it.
    #[error("{0} signature is not in low-S form; nodes refuse malleable signatures")]
    HighS(SignerRole),
    /// A sponsor operation on a transaction that is not sponsored.
    #[error("transaction is not sponsored")]
    NotSponsored,
    /// A sponsored transaction whose origin signature is valid and whose sponsor has not
    /// signed yet: a sponsor request, not a bad signature.
    #[error(
        "the origin has signed this sponsored transaction and it awaits its sponsor: the \
         sponsor part is still the placeholder; a sponsor must sign it before it is broadcast"
    )]
    AwaitingSponsor,
    /// A sponsor request whose sponsor part is already filled in.
    #[error("the sponsor part of this transaction is already filled in")]
    AlreadySponsored,
    /// A token-transfer memo longer than 34 bytes.
    #[error("memo is {0} bytes; a memo holds at most 34")]
    MemoTooLong(usize),
    /// A contract name that cannot be used in a new transaction.
    #[error("invalid contract name `{name}`: {reason}")]
    ContractName {
        /// The name given.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A function or asset name that is not a Clarity name.
    #[error("invalid Clarity name `{0}`: a letter, then letters, digits or -_!?+<>=/*")]
    ClarityName(String),
    /// An asset identifier that is not `<address>.<contract>::<asset-name>`.
    #[error("invalid asset identifier `{0}`: expected <address>.<contract>::<asset-name>")]
    AssetId(String),
    /// A contract body with a character the wire format refuses.
    #[error(
        "contract code, line {line}, column {column}: {found:?} is not allowed \
         (only printable ASCII, tab and newline; no carriage returns)"
    )]
    CodeBody {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// The character refused.
        found: char,
    },
    /// Serialisation failed (a value the codec cannot write).
    #[error("cannot encode the transaction: {0}")]
    Encode(String),
    /// The signer refused to sign.
    #[error("signing failed: {0}")]
    Signing(String),
}

impl TxError {
    /// Classifies a decoding error: if the decoder ran out of bytes it is `Truncated`, whatever
    /// error the codec reports (its Clarity decoders turn end-of-input into other messages).
    pub(crate) fn from_decode(err: CodecError, ran_out: bool) -> Self {
        if ran_out {
            TxError::Truncated(err.to_string())
        } else {
            TxError::Malformed(err.to_string())
        }
    }

    /// A signature check that failed for `role`.
    pub(crate) fn bad_signature(role: SignerRole, err: CodecError) -> Self {
        TxError::BadSignature {
            role,
            reason: err.to_string(),
        }
    }
}
