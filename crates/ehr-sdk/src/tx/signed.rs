//! A serialised transaction: its bytes, txid, decoding and signature verification.

use std::io::Read;

use clarity::vm::types::{PrincipalData, SequenceData, Value};
use stacks_codec::codec::{
    PostConditionPrincipal, StacksMessageCodec, StacksTransaction, TransactionAuth,
    TransactionAuthFlags, TransactionPayload, TransactionPostCondition,
    TransactionSpendingCondition, Txid, MAX_TRANSACTION_LEN,
};
use stacks_common::codec::Error as CodecError;
use stacks_common::types::chainstate::StacksAddress;
use stacks_common::util::secp256k1::MessageSignature;

use super::sponsor::is_sponsor_placeholder;
use super::{transaction_version, SignerRole, TxError};
use crate::network::Network;

/// The highest address version byte c32check can write (`Z`); anything above is not an
/// address, and stacks-common panics when asked to print one.
const MAX_ADDRESS_VERSION: u8 = 31;

/// Who signed a transaction, as verified from its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signers {
    /// The account that sends it (its nonce is used, its assets move).
    pub origin: StacksAddress,
    /// The account that pays the fee, when sponsored.
    pub sponsor: Option<StacksAddress>,
}

/// A transaction with its canonical bytes. Built by [`super::TransactionBuilder`] or
/// decoded from bytes; decoding does not check signatures, [`Transaction::verify`] does.
///
/// Decoding keeps what the node keeps: stacks-core re-serialises the transaction it decoded,
/// and its txid, mempool entry and blocks hold those canonical bytes. Bytes a decoder reads
/// leniently (a version byte with low bits set, `0x86` for `0x80`) therefore get the
/// node's txid, never one an attacker can vary.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    tx: StacksTransaction,
    bytes: Vec<u8>,
    canonical_input: bool,
}

impl Transaction {
    /// Wraps a transaction built here, serialising it once.
    pub(crate) fn from_stacks(tx: StacksTransaction) -> Result<Self, TxError> {
        let mut bytes = Vec::new();
        tx.consensus_serialize(&mut bytes)
            .map_err(|e| TxError::Encode(e.to_string()))?;
        Ok(Transaction {
            tx,
            bytes,
            canonical_input: true,
        })
    }

    /// Decodes a transaction from hex (a `0x` prefix and surrounding whitespace allowed).
    pub fn from_hex(text: &str) -> Result<Self, TxError> {
        let text = text.trim();
        let text = text.strip_prefix("0x").unwrap_or(text);
        let bytes = hex::decode(text).map_err(|e| TxError::Hex(e.to_string()))?;
        Self::from_bytes(&bytes)
    }

    /// Decodes a transaction that must fill `bytes` exactly. Refuses payloads wallets do not
    /// send, addresses with impossible version bytes, and deploys in a Clarity version the
    /// VM here does not run. The result holds the canonical re-serialisation.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TxError> {
        let max = MAX_TRANSACTION_LEN as usize;
        if bytes.len() > max {
            return Err(TxError::TooLong {
                len: bytes.len(),
                max,
            });
        }
        let mut reader = SliceReader {
            rest: bytes,
            ran_out: false,
        };
        let tx = match StacksTransaction::consensus_deserialize(&mut reader) {
            Ok(tx) => tx,
            Err(e) => {
                let read = &bytes[..bytes.len() - reader.rest.len()];
                return Err(unsupported_clarity_version(&e, read)
                    .unwrap_or_else(|| TxError::from_decode(e, reader.ran_out)));
            }
        };
        if !reader.rest.is_empty() {
            return Err(TxError::TrailingBytes {
                end: bytes.len() - reader.rest.len(),
                extra: reader.rest.len(),
            });
        }
        check_supported(&tx)?;
        let mut canonical = Vec::with_capacity(bytes.len());
        tx.consensus_serialize(&mut canonical)
            .map_err(|e| TxError::Encode(e.to_string()))?;
        let canonical_input = canonical == bytes;
        Ok(Transaction {
            tx,
            bytes: canonical,
            canonical_input,
        })
    }

    /// The canonical bytes: what a node stores, relays and mines, and what to broadcast.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// False when the bytes this was decoded from are not the canonical serialisation (a
    /// node accepts them but keeps, and hashes, the canonical bytes instead).
    pub fn is_canonical_input(&self) -> bool {
        self.canonical_input
    }

    /// The bytes as lowercase hex, no `0x` (what `POST /v2/transactions` takes in JSON).
    pub fn to_hex(&self) -> String {
        hex::encode(&self.bytes)
    }

    /// The transaction id: SHA-512/256 of the canonical bytes, as the node computes it
    /// (stacks-core `StacksTransaction::txid` re-serialises).
    pub fn txid(&self) -> Txid {
        Txid::from_stacks_tx(&self.bytes)
    }

    /// The transaction as stacks-codec's type, for reading its fields.
    pub fn as_stacks(&self) -> &StacksTransaction {
        &self.tx
    }

    /// Checks that the transaction is for `network` and that every signature is valid and
    /// low-S (origin, then sponsor), and returns who signed. A sponsored transaction whose
    /// origin signature is valid but whose sponsor part is still a placeholder (as
    /// stacks-core or stacks.js leave it) is [`TxError::AwaitingSponsor`], not a bad
    /// signature.
    pub fn verify(&self, network: Network) -> Result<Signers, TxError> {
        self.check_network(network)?;
        let TransactionAuth::Sponsored(_, sponsor) = &self.tx.auth else {
            self.verify_origin()?;
            return Ok(Signers {
                origin: self.tx.origin_address(),
                sponsor: None,
            });
        };
        let origin_sighash = self.verify_origin()?;
        if is_sponsor_placeholder(sponsor) {
            return Err(TxError::AwaitingSponsor);
        }
        sponsor
            .verify(&origin_sighash, &TransactionAuthFlags::AuthSponsored)
            .map_err(|e| TxError::bad_signature(SignerRole::Sponsor, e))?;
        check_low_s(sponsor, SignerRole::Sponsor)?;
        Ok(Signers {
            origin: self.tx.origin_address(),
            sponsor: self.tx.sponsor_address(),
        })
    }

    /// Checks the version byte and chain id against `network`.
    pub(crate) fn check_network(&self, network: Network) -> Result<(), TxError> {
        let expected_version = transaction_version(network) as u8;
        let expected_chain_id = network.chain_id();
        // The canonical version byte (nodes read only the top bit of the one received).
        let version = self.tx.version as u8;
        if version != expected_version || self.tx.chain_id != expected_chain_id {
            return Err(TxError::WrongNetwork {
                expected: network,
                version,
                chain_id: self.tx.chain_id,
                expected_version,
                expected_chain_id,
            });
        }
        Ok(())
    }

    /// Verifies the origin's signature (with the sponsor part cleared to the placeholder, as
    /// the origin signed it) and returns the sighash a sponsor signs on from.
    pub(crate) fn verify_origin(&self) -> Result<Txid, TxError> {
        let mut cleared = self.tx.clone();
        cleared.auth = cleared.auth.into_initial_sighash_auth();
        let mut bytes = Vec::new();
        cleared
            .consensus_serialize(&mut bytes)
            .map_err(|e| TxError::Encode(e.to_string()))?;
        let sighash = self
            .tx
            .auth
            .verify_origin(&Txid::from_sighash_bytes(&bytes))
            .map_err(|e| TxError::bad_signature(SignerRole::Origin, e))?;
        check_low_s(self.tx.auth.origin(), SignerRole::Origin)?;
        Ok(sighash)
    }

    pub(crate) fn into_stacks(self) -> StacksTransaction {
        self.tx
    }
}

/// A byte-slice reader that remembers whether the decoder asked for more bytes than were left.
struct SliceReader<'a> {
    rest: &'a [u8],
    ran_out: bool,
}

impl Read for SliceReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.rest.len());
        if n < buf.len() {
            self.ran_out = true;
        }
        let (head, tail) = self.rest.split_at(n);
        buf[..n].copy_from_slice(head);
        self.rest = tail;
        Ok(n)
    }
}

/// Nodes refuse high-S signatures (malleable: anyone can flip S and change the txid).
fn check_low_s(condition: &TransactionSpendingCondition, role: SignerRole) -> Result<(), TxError> {
    let signatures: Vec<MessageSignature> = match condition {
        TransactionSpendingCondition::Singlesig(single) => vec![single.signature],
        TransactionSpendingCondition::Multisig(multi) => multi
            .fields
            .iter()
            .filter_map(|field| field.as_signature().map(|(_, sig)| sig))
            .collect(),
    };
    for signature in signatures {
        // VRS layout: recovery id, then r and s.
        let parsed =
            k256::ecdsa::Signature::from_slice(&signature.as_bytes()[1..]).map_err(|e| {
                TxError::BadSignature {
                    role,
                    reason: e.to_string(),
                }
            })?;
        if parsed.normalize_s().is_some() {
            return Err(TxError::HighS(role));
        }
    }
    Ok(())
}

/// Refuses what a wallet never sends and what stacks-codec cannot re-serialise without
/// panicking: miner payloads, and addresses whose version byte is not c32-encodable.
fn check_supported(tx: &StacksTransaction) -> Result<(), TxError> {
    match &tx.payload {
        TransactionPayload::TokenTransfer(recipient, _, _) => check_principal(recipient)?,
        TransactionPayload::ContractCall(call) => {
            check_version(call.address.version)?;
            call.function_args.iter().try_for_each(check_value)?;
        }
        TransactionPayload::SmartContract(..) => {}
        other => return Err(TxError::UnsupportedPayload(other.name())),
    }
    for post_condition in &tx.post_conditions {
        let (principal, asset) = match post_condition {
            TransactionPostCondition::STX(principal, _, _) => (principal, None),
            TransactionPostCondition::Fungible(principal, asset, _, _) => (principal, Some(asset)),
            TransactionPostCondition::Nonfungible(principal, asset, id, _) => {
                check_value(id)?;
                (principal, Some(asset))
            }
        };
        match principal {
            PostConditionPrincipal::Origin => {}
            PostConditionPrincipal::Standard(address)
            | PostConditionPrincipal::Contract(address, _) => check_version(address.version)?,
        }
        if let Some(asset) = asset {
            check_version(asset.contract_address.version)?;
        }
    }
    Ok(())
}

/// The payload id of a deploy that names its Clarity version.
const VERSIONED_SMART_CONTRACT: u8 = 0x06;

/// A deploy whose Clarity version byte the codec refused, when it is one stacks-core knows
/// (3 to 6) but the VM here does not run: `read` ends with the payload id and that byte.
fn unsupported_clarity_version(err: &CodecError, read: &[u8]) -> Option<TxError> {
    let CodecError::DeserializeError(message) = err else {
        return None;
    };
    match read {
        [.., VERSIONED_SMART_CONTRACT, version @ 3..=6]
            if message.starts_with("Unrecognized ClarityVersion byte") =>
        {
            Some(TxError::UnsupportedClarityVersion(*version))
        }
        _ => None,
    }
}

fn check_version(version: u8) -> Result<(), TxError> {
    if version > MAX_ADDRESS_VERSION {
        return Err(TxError::AddressVersion(version));
    }
    Ok(())
}

fn check_principal(principal: &PrincipalData) -> Result<(), TxError> {
    match principal {
        PrincipalData::Standard(standard) => check_version(standard.0),
        PrincipalData::Contract(contract) => check_version(contract.issuer.0),
    }
}

/// Every principal inside a Clarity value (depth is bounded by the decoder, at 32).
fn check_value(value: &Value) -> Result<(), TxError> {
    match value {
        Value::Principal(principal) => check_principal(principal),
        Value::Optional(optional) => optional.data.as_deref().map_or(Ok(()), check_value),
        Value::Response(response) => check_value(&response.data),
        Value::Sequence(SequenceData::List(list)) => list.data.iter().try_for_each(check_value),
        Value::Tuple(tuple) => tuple.data_map.values().try_for_each(check_value),
        _ => Ok(()),
    }
}
