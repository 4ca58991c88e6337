//! Mempool refusals, in the node's words: `POST /v2/transactions` answers 400 with
//! `{"error":"transaction rejected","reason":…,"reason_data":…,"txid":…}`.

use serde_json::{json, Value as Json};

/// Why a transaction was refused, with the node's reason name and data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The bytes are not a transaction (bad hex, truncated, malformed, too long).
    Deserialization(String),
    /// A signature does not verify, is high-S, or the chain id is another network's.
    SignatureValidation(String),
    /// The version byte's network bit is not this node's.
    BadTransactionVersion,
    /// An STX transfer to its own sender.
    TransferRecipientCannotEqualSender(String),
    /// An STX transfer of 0.
    TransferAmountMustBePositive,
    /// An address of another network: a transfer's recipient or a called contract's.
    BadAddressVersionByte,
    /// Fee under 1 micro-STX per byte.
    FeeTooLow {
        /// The least fee accepted: the transaction's length in bytes.
        expected: u64,
        /// The fee offered.
        actual: u64,
    },
    /// A nonce the account has already used.
    BadNonce {
        /// The account's next nonce.
        expected: u64,
        /// The transaction's.
        actual: u64,
        /// The account.
        principal: String,
        /// Origin (true) or sponsor.
        is_origin: bool,
    },
    /// A nonce too far ahead of the account's.
    TooMuchChaining {
        /// The highest nonce accepted now.
        expected: u64,
        /// The transaction's.
        actual: u64,
        /// The account.
        principal: String,
        /// Origin (true) or sponsor.
        is_origin: bool,
    },
    /// The payer cannot cover the fee (and, for transfers, the amount).
    NotEnoughFunds {
        /// What the transaction needs, micro-STX.
        expected: u128,
        /// What the account has.
        actual: u128,
    },
    /// A deployment of a contract that exists.
    ContractAlreadyExists(String),
    /// A call to a contract that does not exist.
    NoSuchContract,
    /// A call to a function that is not public.
    NoSuchPublicFunction,
    /// Call arguments that do not match the function's signature.
    BadFunctionArgument(String),
    /// Another pending transaction has this nonce and pays at least as much.
    ConflictingNonceInMempool,
    /// Miner-only payloads (coinbase, tenure change, poison microblock).
    NoCoinbaseViaMempool,
    /// Anything else the node refuses (e.g. a payload not supported in this epoch, such as
    /// a deploy in a Clarity version newer than the VM runs).
    ServerFailureOther(String),
    /// The transaction could not be written to the state directory.
    ServerFailureDatabase(String),
}

impl Reason {
    /// The node's name for this reason.
    pub fn name(&self) -> &'static str {
        match self {
            Reason::Deserialization(_) => "Deserialization",
            Reason::SignatureValidation(_) => "SignatureValidation",
            Reason::BadTransactionVersion => "BadTransactionVersion",
            Reason::TransferRecipientCannotEqualSender(_) => "TransferRecipientCannotEqualSender",
            Reason::TransferAmountMustBePositive => "TransferAmountMustBePositive",
            Reason::BadAddressVersionByte => "BadAddressVersionByte",
            Reason::FeeTooLow { .. } => "FeeTooLow",
            Reason::BadNonce { .. } => "BadNonce",
            Reason::TooMuchChaining { .. } => "TooMuchChaining",
            Reason::NotEnoughFunds { .. } => "NotEnoughFunds",
            Reason::ContractAlreadyExists(_) => "ContractAlreadyExists",
            Reason::NoSuchContract => "NoSuchContract",
            Reason::NoSuchPublicFunction => "NoSuchPublicFunction",
            Reason::BadFunctionArgument(_) => "BadFunctionArgument",
            Reason::ConflictingNonceInMempool => "ConflictingNonceInMempool",
            Reason::NoCoinbaseViaMempool => "NoCoinbaseViaMempool",
            Reason::ServerFailureOther(_) => "ServerFailureOther",
            Reason::ServerFailureDatabase(_) => "ServerFailureDatabase",
        }
    }

    /// The node's `reason_data`, or `None` for reasons that carry none.
    pub fn data(&self) -> Option<Json> {
        match self {
            Reason::Deserialization(m)
            | Reason::SignatureValidation(m)
            | Reason::BadFunctionArgument(m)
            | Reason::ServerFailureOther(m)
            | Reason::ServerFailureDatabase(m) => Some(json!({ "message": m })),
            Reason::TransferRecipientCannotEqualSender(r) => Some(json!({ "recipient": r })),
            Reason::FeeTooLow { expected, actual } => {
                Some(json!({ "expected": expected, "actual": actual }))
            }
            Reason::BadNonce {
                expected,
                actual,
                principal,
                is_origin,
            } => Some(json!({
                "expected": expected, "actual": actual,
                "principal": principal, "is_origin": is_origin,
            })),
            Reason::TooMuchChaining {
                expected,
                actual,
                principal,
                is_origin,
            } => Some(json!({
                "message": "Nonce would exceed chaining limit in mempool",
                "expected": expected, "actual": actual,
                "principal": principal, "is_origin": is_origin,
            })),
            // As stacks-core writes them: 0x and the 16 big-endian bytes of the u128.
            Reason::NotEnoughFunds { expected, actual } => Some(json!({
                "expected": format!("0x{expected:032x}"),
                "actual": format!("0x{actual:032x}"),
            })),
            Reason::ContractAlreadyExists(id) => Some(json!({ "contract_identifier": id })),
            Reason::BadTransactionVersion
            | Reason::TransferAmountMustBePositive
            | Reason::BadAddressVersionByte
            | Reason::NoSuchContract
            | Reason::NoSuchPublicFunction
            | Reason::ConflictingNonceInMempool
            | Reason::NoCoinbaseViaMempool => None,
        }
    }
}

/// A refused transaction: the reason and, when the bytes were read, the txid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Why.
    pub reason: Reason,
    /// The txid of the bytes received (no `0x`), when there were bytes.
    pub txid: Option<String>,
}

impl Rejection {
    /// The node's rejection body.
    pub fn to_json(&self) -> Json {
        let mut body = json!({
            "error": "transaction rejected",
            "reason": self.reason.name(),
        });
        if let Some(data) = self.reason.data() {
            body["reason_data"] = data;
        }
        if let Some(txid) = &self.txid {
            body["txid"] = Json::String(txid.clone());
        }
        body
    }

    /// True when the refusal is the server's fault, not the transaction's (HTTP 500).
    pub fn is_server_failure(&self) -> bool {
        matches!(self.reason, Reason::ServerFailureDatabase(_))
    }
}
