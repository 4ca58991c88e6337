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

/// A transaction that passed every stateless check.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// SHA-512/256 of the bytes.
    pub txid: [u8; 32],
    /// The bytes, as received.
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
        reason: Reason::Deserialization(format!("the tx field is not hex: {e}")),
        txid: None,
    })?;
    check(&bytes)
}

/// Runs the stateless checks on raw transaction bytes, in the node's order.
pub(crate) fn check(raw: &[u8]) -> Result<Checked, Rejection> {
    let txid = Txid::from_stacks_tx(raw).0;
    let reject = |reason| Rejection {
        reason,
        txid: Some(hex::encode(txid)),
    };
    let decoded = Transaction::from_bytes(raw).map_err(|e| reject(decode_reason(e)))?;
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
        if !TESTNET_VERSIONS.contains(&recipient.version()) {
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
    let len = raw.len() as u64;
    if fee < 1 || fee / len < 1 {
        return Err(reject(Reason::FeeTooLow {
            expected: len.max(1),
            actual: fee,
        }));
    }
    Ok(Checked {
        txid,
        raw: Arc::from(raw),
        origin: principal(&signers.origin),
        sponsor: signers.sponsor.as_ref().map(principal),
        tx: Arc::new(tx.clone()),
    })
}

/// Decoding failures in the node's categories: miner payloads have their own reasons,
/// the rest is `Deserialization`.
fn decode_reason(err: TxError) -> Reason {
    match err {
        TxError::UnsupportedPayload("Coinbase") => Reason::NoCoinbaseViaMempool,
        TxError::UnsupportedPayload(_) => Reason::ServerFailureOther(err.to_string()),
        other => Reason::Deserialization(other.to_string()),
    }
}

/// An address as a Clarity principal.
pub(crate) fn principal(
    address: &stacks_common::types::chainstate::StacksAddress,
) -> PrincipalData {
    PrincipalData::Standard(StandardPrincipalData::from(*address))
}
