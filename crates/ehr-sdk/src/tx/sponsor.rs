//! Sponsored transactions: the origin signs first, with a placeholder where the sponsor goes;
//! the sponsor then sets its own fee and nonce and signs on top of the origin's signature.

use stacks_codec::codec::{
    SinglesigHashMode, StacksTransactionSigner, TransactionAuth, TransactionPublicKeyEncoding,
    TransactionSpendingCondition,
};
use stacks_common::types::chainstate::StacksAddress;
use stacks_common::util::hash::Hash160;
use stacks_common::util::secp256k1::MessageSignature;

use super::builder::p2pkh_condition;
use super::{SignerRole, Transaction, TxError};
use crate::keys::SecretKey;
use crate::network::Network;

/// A sponsored transaction signed by its origin and waiting for a sponsor. Its bytes (hex)
/// are what the origin hands to the sponsor, who decodes them with
/// [`SponsorRequest::from_hex`], checks [`SponsorRequest::origin`] and calls
/// [`SponsorRequest::sponsor`].
#[derive(Debug, Clone, PartialEq)]
pub struct SponsorRequest(Transaction);

impl SponsorRequest {
    /// Accepts a transaction only if it is sponsored and the sponsor part is a placeholder
    /// (stacks-core's or stacks.js's).
    pub(crate) fn from_transaction(tx: Transaction) -> Result<Self, TxError> {
        match &tx.as_stacks().auth {
            TransactionAuth::Standard(_) => Err(TxError::NotSponsored),
            TransactionAuth::Sponsored(_, sponsor) if !is_sponsor_placeholder(sponsor) => {
                Err(TxError::AlreadySponsored)
            }
            TransactionAuth::Sponsored(..) => Ok(SponsorRequest(tx)),
        }
    }

    /// Decodes a sponsor request from hex (see [`Transaction::from_hex`]).
    pub fn from_hex(text: &str) -> Result<Self, TxError> {
        Self::from_transaction(Transaction::from_hex(text)?)
    }

    /// Decodes a sponsor request from bytes (see [`Transaction::from_bytes`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TxError> {
        Self::from_transaction(Transaction::from_bytes(bytes)?)
    }

    /// The bytes, as handed to the sponsor.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The bytes as lowercase hex.
    pub fn to_hex(&self) -> String {
        self.0.to_hex()
    }

    /// Checks that the request is for `network` and carries a valid origin signature, and
    /// returns the origin: who the sponsor would pay for.
    pub fn origin(&self, network: Network) -> Result<StacksAddress, TxError> {
        self.0.check_network(network)?;
        self.0.verify_origin()?;
        Ok(self.0.as_stacks().origin_address())
    }

    /// Signs as sponsor, paying `fee` micro-STX with the sponsor's `nonce`. The origin's
    /// signature is checked first; the result is complete and ready to broadcast.
    pub fn sponsor(
        self,
        sponsor: &SecretKey,
        fee: u64,
        nonce: u64,
    ) -> Result<Transaction, TxError> {
        self.0.verify_origin()?;
        let mut condition = p2pkh_condition(sponsor);
        condition.set_tx_fee(fee);
        condition.set_nonce(nonce);
        let mut signer = StacksTransactionSigner::new_sponsor(&self.0.into_stacks(), condition)
            .map_err(|e| TxError::bad_signature(SignerRole::Origin, e))?;
        signer
            .sign_sponsor(&sponsor.to_stacks())
            .map_err(|e| TxError::Signing(e.to_string()))?;
        Transaction::from_stacks(signer.get_tx_incomplete())
    }
}

/// True for the sponsor part an origin-signed transaction carries until its sponsor signs.
/// stacks-core writes `new_initial_sighash()` (signer: 20 zero bytes); stacks.js writes a
/// P2PKH condition for a public key of 33 zero bytes (`createSponsoredAuth`), so its signer
/// is hash160 of those bytes. Both have nonce 0, fee 0, the compressed key encoding and an
/// empty signature; both are replaced whole when the sponsor signs, and the origin signed
/// over the stacks-core form either way.
pub(crate) fn is_sponsor_placeholder(condition: &TransactionSpendingCondition) -> bool {
    let TransactionSpendingCondition::Singlesig(single) = condition else {
        return false;
    };
    single.hash_mode == SinglesigHashMode::P2PKH
        && single.nonce == 0
        && single.tx_fee == 0
        && single.key_encoding == TransactionPublicKeyEncoding::Compressed
        && single.signature == MessageSignature::empty()
        && (single.signer == Hash160([0u8; 20]) || single.signer == Hash160::from_data(&[0u8; 33]))
}
