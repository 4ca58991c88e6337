//! The checks a transaction passes before it touches the chain: decoding, network,
//! STX-transfer sanity, signatures (low-S) and chain id, fee per byte. They need no
//! chain state, so HTTP handlers run them before queueing for the chain thread; the
//! stateful checks (nonce, funds, contract) are in `node.rs`.

use std::sync::Arc;

use clarity::vm::types::{PrincipalData, StandardPrincipalData};
use ehr_sdk::network::Network;
use ehr_sdk::tx::{Transaction, TxError};
use stacks_codec::codec::{StacksTransaction, TransactionPayload, TransactionVersion, Txid};

use super::rejection::{Reason, Rejection};

/// Address versions of testnet accounts: single-sig (`ST`) and multisig (`SN`).
const TESTNET_VERSIONS: [u8; 2] = [26, 21];

/// True for an address version of this (testnet) chain; the node refuses others as
/// `BadAddressVersionByte` (stacks-core `StacksChainState::is_valid_address_version`).
pub(crate) fn is_testnet_version(version: u8) -> bool {
    TESTNET_VERSIONS.contains(&version)
}

/// A transaction that passed every stateless check.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// SHA-512/256 of the canonical bytes, as the node computes it.
    pub txid: [u8; 32],
    /// The canonical bytes (the node re-serialises what it decoded, e.g. a version byte
    /// 0x86 becomes 0x80): what is stored, relayed and mined.
    pub raw: Arc<[u8]>,
    /// The decoded transaction.
    pub tx: Arc<StacksTransaction>,
    /// Who sends it (verified from its signature).
    pub origin: PrincipalData,
    /// Who pays the fee when sponsored (verified from its signature).
    pub sponsor: Option<PrincipalData>,
}

impl Checked {
    /// The txid as the node prints it (hex, no `0x`).
    pub fn txid_hex(&self) -> String {
        hex::encode(self.txid)
    }

    /// The account paying the fee.
    pub fn payer(&self) -> &PrincipalData {
        self.sponsor.as_ref().unwrap_or(&self.origin)
    }
}

/// Runs the stateless checks on hex text (a `0x` prefix is allowed), as `{"tx": hex}`
/// bodies carry.
pub(crate) fn check_hex(text: &str) -> Result<Checked, Rejection> {
    let text = text.trim();
    let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text)).map_err(|e| Rejection {
        reason: Reason::Deserialization(format!("Failed to parse tx: it is not hex ({e})")),
        txid: None,
    })?;
    check(&bytes)
}

/// Runs the stateless checks on raw transaction bytes, in the node's order. Once decoded,
/// the transaction is known by its canonical bytes and txid, as in the node.
pub(crate) fn check(raw: &[u8]) -> Result<Checked, Rejection> {
    let decoded = Transaction::from_bytes(raw).map_err(|e| Rejection {
        reason: match decode_reason(e) {
            // The node's codec reads what the SDK refuses for its own reasons (a Clarity 3
            // deploy); only bytes neither reads get the node's codec-error text.
            Reason::Deserialization(why) => {
                codec_failure(raw).unwrap_or(Reason::Deserialization(why))
            }
            other => other,
        },
        txid: Some(hex::encode(Txid::from_stacks_tx(raw).0)),
    })?;
    let txid = decoded.txid().0;
    let reject = |reason| Rejection {
        reason,
        txid: Some(hex::encode(txid)),
    };
    let tx = decoded.as_stacks();
    if tx.version != TransactionVersion::Testnet {
        return Err(reject(Reason::BadTransactionVersion));
    }
    if let TransactionPayload::TokenTransfer(recipient, amount, _) = &tx.payload {
        let origin = principal(&tx.origin_address());
        if *recipient == origin {
            return Err(reject(Reason::TransferRecipientCannotEqualSender(
                recipient.to_string(),
            )));
        }
        if *amount == 0 {
            return Err(reject(Reason::TransferAmountMustBePositive));
        }
        if !is_testnet_version(recipient.version()) {
            return Err(reject(Reason::BadAddressVersionByte));
        }
        if !tx.post_conditions.is_empty() {
            return Err(reject(Reason::ServerFailureOther(
                "Invalid Stacks transaction: TokenTransfer transactions do not support post-conditions"
                    .into(),
            )));
        }
    }
    let signers = decoded
        .verify(Network::Devnet)
        .map_err(|e| reject(Reason::SignatureValidation(e.to_string())))?;
    let fee = tx.get_tx_fee();
    let len = decoded.as_bytes().len() as u64;
    if fee < 1 || fee / len < 1 {
        return Err(reject(Reason::FeeTooLow {
            expected: len.max(1),
            actual: fee,
        }));
    }
    Ok(Checked {
        txid,
        raw: Arc::from(decoded.as_bytes()),
        origin: principal(&signers.origin),
        sponsor: signers.sponsor.as_ref().map(principal),
        tx: Arc::new(tx.clone()),
    })
}

/// The node's text for bytes its codec cannot read (stacks-core 4.0.2
/// `posttransaction.rs`: a deserialisation error is "Failed to deserialize posted
/// transaction", any other codec error "Failed to decode due to SIP-003 codec error"), or
/// `None` when the codec reads them and only this client's checks refuse them.
fn codec_failure(mut raw: &[u8]) -> Option<Reason> {
    use stacks_codec::codec::StacksMessageCodec as _;
    match StacksTransaction::consensus_deserialize(&mut raw) {
        Ok(_) => None,
        Err(clarity::codec::Error::DeserializeError(msg)) => Some(Reason::Deserialization(
            format!("Failed to deserialize posted transaction: {msg}"),
        )),
        Err(other) => Some(Reason::Deserialization(format!(
            "Failed to decode due to SIP-003 codec error: {other:?}"
        ))),
    }
}

/// Decoding failures in the node's categories: miner payloads have their own reasons,
/// the rest is `Deserialization`, which the server answers as the node's HTTP layer does
/// (a text 400 naming the decoding error). A deploy in Clarity 3 or later decodes in stacks-core
/// but the VM here cannot run it: the node on an epoch without that version refuses it
/// with `MemPoolRejection::Other("Transaction is not supported in this epoch")`, which it
/// writes as `ServerFailureOther`; the message adds the versions supported and the fix.
fn decode_reason(err: TxError) -> Reason {
    match err {
        TxError::UnsupportedPayload("Coinbase") => Reason::NoCoinbaseViaMempool,
        TxError::UnsupportedPayload(_) => Reason::ServerFailureOther(err.to_string()),
        TxError::UnsupportedClarityVersion(_) => {
            Reason::ServerFailureOther(format!("Transaction is not supported in this epoch: {err}"))
        }
        other => {
            Reason::Deserialization(format!("Failed to deserialize posted transaction: {other}"))
        }
    }
}

/// An address as a Clarity principal.
pub(crate) fn principal(
    address: &stacks_common::types::chainstate::StacksAddress,
) -> PrincipalData {
    PrincipalData::Standard(StandardPrincipalData::from(*address))
}
