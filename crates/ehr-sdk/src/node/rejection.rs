//! Why a node refused a transaction: the `reason` codes of `POST /v2/transactions`' 400
//! answer (stacks-core `MemPoolRejection::into_json`) and what a person should do about each.

use std::fmt;

use serde::Deserialize;
use serde_json::Value as Json;

use super::wire::u128_from_hex;

/// The 400 body of `POST /v2/transactions` for a refused transaction (only the fields used:
/// `error` is always "transaction rejected", and `txid` is the hash of the bytes sent).
#[derive(Debug, Deserialize)]
pub(crate) struct RejectionBody {
    pub reason: String,
    #[serde(default)]
    pub reason_data: Option<Json>,
}

/// Declares [`RejectReason`] from one list, so the variants and their wire names cannot
/// drift apart.
macro_rules! reject_reasons {
    ($($(#[doc = $doc:literal])* $name:ident,)*) => {
        /// A mempool rejection reason, as the node names it in the `reason` field.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum RejectReason {
            $($(#[doc = $doc])* $name,)*
            /// A reason this client does not know (a newer node); the node's name for it.
            Other(String),
        }

        impl RejectReason {
            /// The reason named by the node's `reason` field.
            pub fn from_wire(name: &str) -> Self {
                match name {
                    $(stringify!($name) => RejectReason::$name,)*
                    other => RejectReason::Other(other.to_string()),
                }
            }

            /// The node's name for the reason.
            pub fn as_str(&self) -> &str {
                match self {
                    $(RejectReason::$name => stringify!($name),)*
                    RejectReason::Other(name) => name,
                }
            }
        }
    };
}

reject_reasons! {
    /// The transaction could not be re-serialised by the node.
    Serialization,
    /// The bytes are not a transaction.
    Deserialization,
    /// A signature does not verify (wrong key, wrong chain id, high S).
    SignatureValidation,
    /// The nonce is below the account's next nonce (already used).
    BadNonce,
    /// The fee is below 1 µSTX per byte (or below the node's minimum).
    FeeTooLow,
    /// The payer cannot cover the amount and fee.
    NotEnoughFunds,
    /// A mainnet transaction sent to a testnet node, or the reverse.
    BadTransactionVersion,
    /// Another transaction with the same nonce is pending and this one does not replace it.
    ConflictingNonceInMempool,
    /// The nonce is too far beyond the confirmed one (more than 25 pending).
    TooMuchChaining,
    /// The node's fee estimator failed on this transaction.
    EstimatorError,
    /// A principal in the transaction has the other network's address version.
    BadAddressVersionByte,
    /// Coinbase transactions come from miners, not the mempool.
    NoCoinbaseViaMempool,
    /// Tenure-change transactions come from miners, not the mempool.
    NoTenureChangeViaMempool,
    /// The node has no chain tip to check the transaction against.
    ServerFailureNoSuchChainTip,
    /// The node's database failed.
    ServerFailureDatabase,
    /// Another failure inside the node (e.g. a payload the current epoch does not allow).
    ServerFailureOther,
    /// A contract deploy under a name the sender already used.
    ContractAlreadyExists,
    /// A contract call to a contract that does not exist.
    NoSuchContract,
    /// A contract call to a function that is not public.
    NoSuchPublicFunction,
    /// A contract call whose arguments do not type-check.
    BadFunctionArgument,
    /// An STX transfer to the sender itself.
    TransferRecipientCannotEqualSender,
    /// An STX transfer of zero.
    TransferAmountMustBePositive,
    /// A poison-microblock transaction whose two microblocks do not conflict.
    PoisonMicroblocksDoNotConflict,
    /// A poison-microblock transaction naming an unknown miner.
    PoisonMicroblockHasUnknownPubKeyHash,
    /// A poison-microblock transaction with invalid microblocks.
    PoisonMicroblockIsInvalid,
    /// The node refuses this transaction for a while after a problem with it.
    TemporarilyBlacklisted,
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RejectReason {
    /// What went wrong and what to do, filled in from the node's `reason_data` where it
    /// carries details (expected and actual nonce, fee, balance; the offending principal).
    pub fn describe(&self, data: Option<&Json>) -> String {
        let num = |key: &str| data.and_then(|d| d.get(key)).and_then(Json::as_u64);
        let text = |key: &str| data.and_then(|d| d.get(key)).and_then(Json::as_str);
        let amount = |key: &str| text(key).and_then(|t| u128_from_hex(t).ok());
        let message = text("message")
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        let of_principal = text("principal")
            .map(|p| format!(" of {p}"))
            .unwrap_or_default();
        let from_principal = text("principal")
            .map(|p| format!(" from {p}"))
            .unwrap_or_default();
        match self {
            RejectReason::BadNonce => match (num("actual"), num("expected")) {
                (Some(actual), Some(expected)) => format!(
                    "nonce {actual}{of_principal} is not usable: the account's next nonce is \
                     {expected}; rebuild and sign the transaction with nonce {expected}"
                ),
                _ => format!(
                    "the nonce{of_principal} is already used; fetch the account's next nonce and \
                     sign again"
                ),
            },
            RejectReason::TooMuchChaining => format!(
                "too many pending transactions{from_principal}{}: a node accepts at most 25 \
                 beyond the confirmed nonce; wait until some are mined",
                match (num("actual"), num("expected")) {
                    (Some(actual), Some(max)) =>
                        format!(" (nonce {actual}, highest allowed {max})"),
                    _ => String::new(),
                }
            ),
            RejectReason::FeeTooLow => match (num("actual"), num("expected")) {
                (Some(actual), Some(expected)) => format!(
                    "fee of {actual} µSTX is too low: this transaction needs at least \
                     {expected} µSTX (1 µSTX per byte); raise the fee and sign again"
                ),
                _ => "the fee is too low (at least 1 µSTX per byte); raise it and sign again"
                    .to_string(),
            },
            RejectReason::NotEnoughFunds => match (amount("expected"), amount("actual")) {
                (Some(needed), Some(has)) => format!(
                    "the paying account has {has} µSTX but needs {needed} µSTX (amount plus \
                     fee); fund it or send less"
                ),
                _ => "the paying account cannot cover the amount and fee; fund it".to_string(),
            },
            RejectReason::SignatureValidation => format!(
                "the signature does not verify{message}; sign with the sender's key and for \
                 this node's network (chain id)"
            ),
            RejectReason::BadTransactionVersion => "the transaction is for another network \
                (mainnet vs testnet) than this node; build it for the node's network"
                .to_string(),
            RejectReason::ConflictingNonceInMempool => "another transaction from this account \
                with the same nonce is already pending; wait for it to be mined, or replace it \
                by paying a higher fee"
                .to_string(),
            RejectReason::EstimatorError => {
                format!("the node's fee estimator failed{message}; set the fee explicitly")
            }
            RejectReason::BadAddressVersionByte => "an address in the transaction belongs to \
                the other network (SP/SM vs ST/SN); use addresses of the node's network"
                .to_string(),
            RejectReason::NoCoinbaseViaMempool | RejectReason::NoTenureChangeViaMempool => {
                "miner transactions (coinbase, tenure change) cannot be broadcast".to_string()
            }
            RejectReason::ServerFailureNoSuchChainTip => "the node has no chain tip yet (still \
                starting or syncing); retry in a moment"
                .to_string(),
            RejectReason::ServerFailureDatabase | RejectReason::ServerFailureOther => {
                format!("the node failed while checking the transaction{message}")
            }
            RejectReason::Serialization | RejectReason::Deserialization => format!(
                "the node could not decode the transaction{message}; it is not a valid \
                 Stacks transaction"
            ),
            RejectReason::ContractAlreadyExists => format!(
                "contract {} already exists; deploy under another name",
                text("contract_identifier").unwrap_or("of that name")
            ),
            RejectReason::NoSuchContract => {
                "the called contract does not exist on this node; deploy it first or check \
                 the address and name"
                    .to_string()
            }
            RejectReason::NoSuchPublicFunction => "the called function is not a public \
                function of the contract; check its name against the contract interface"
                .to_string(),
            RejectReason::BadFunctionArgument => format!(
                "the arguments do not match the function's signature{message}; check their \
                 types against the contract interface"
            ),
            RejectReason::TransferRecipientCannotEqualSender => format!(
                "the transfer's recipient{} is the sender itself",
                text("recipient")
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default()
            ),
            RejectReason::TransferAmountMustBePositive => {
                "an STX transfer must move more than 0 µSTX".to_string()
            }
            RejectReason::PoisonMicroblocksDoNotConflict
            | RejectReason::PoisonMicroblockHasUnknownPubKeyHash
            | RejectReason::PoisonMicroblockIsInvalid => {
                "the poison-microblock transaction is invalid".to_string()
            }
            RejectReason::TemporarilyBlacklisted => "the node refuses this transaction for a \
                while after an earlier problem with it; retry later"
                .to_string(),
            RejectReason::Other(name) => format!("the node rejected it ({name}){message}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for name in [
            "BadNonce",
            "FeeTooLow",
            "TransferRecipientCannotEqualSender",
            "Novel",
        ] {
            assert_eq!(RejectReason::from_wire(name).as_str(), name);
        }
        assert_eq!(
            RejectReason::from_wire("Novel"),
            RejectReason::Other("Novel".into())
        );
        assert_eq!(
            RejectReason::from_wire("ServerFailureNoSuchChainTip"),
            RejectReason::ServerFailureNoSuchChainTip
        );
    }
}
