//! Sponsored transactions: the origin signs first, with a placeholder where the sponsor goes;
//! the sponsor then sets its own fee and nonce and signs on top of the origin's signature.

use stacks_codec::codec::{StacksTransactionSigner, TransactionAuth, TransactionSpendingCondition};
use stacks_common::types::chainstate::StacksAddress;

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
    /// Accepts a transaction only if it is sponsored and the sponsor part is the placeholder.
    pub(crate) fn from_transaction(tx: Transaction) -> Result<Self, TxError> {
        match &tx.as_stacks().auth {
            TransactionAuth::Standard(_) => Err(TxError::NotSponsored),
            TransactionAuth::Sponsored(_, sponsor)
                if *sponsor != TransactionSpendingCondition::new_initial_sighash() =>
            {
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
