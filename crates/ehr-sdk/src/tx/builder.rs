//! Building and signing a transaction.

use stacks_codec::codec::{
    SinglesigHashMode, SinglesigSpendingCondition, StacksMessageCodec, StacksTransaction,
    StacksTransactionSigner, TransactionAnchorMode, TransactionAuth, TransactionPostConditionMode,
    TransactionPublicKeyEncoding, TransactionSpendingCondition,
};
use stacks_common::util::hash::Hash160;
use stacks_common::util::secp256k1::MessageSignature;

use super::{transaction_version, Payload, PostCondition, SponsorRequest, Transaction, TxError};
use crate::keys::SecretKey;
use crate::network::Network;

/// A transaction being put together: payload, network, origin nonce and fee, post-conditions.
///
/// Defaults are those of `@stacks/transactions`: nonce 0, fee 0, post-condition mode `Deny`,
/// no post-conditions. The anchor mode is always `Any`. The origin signs with a single
/// P2PKH key (compressed, as every Stacks wallet derives, or uncompressed for a key
/// written without the `01` suffix).
#[derive(Debug, Clone)]
pub struct TransactionBuilder {
    network: Network,
    payload: Payload,
    nonce: u64,
    fee: u64,
    mode: TransactionPostConditionMode,
    post_conditions: Vec<PostCondition>,
}

impl TransactionBuilder {
    /// A transaction on `network` that carries `payload`.
    pub fn new(network: Network, payload: Payload) -> Self {
        TransactionBuilder {
            network,
            payload,
            nonce: 0,
            fee: 0,
            mode: TransactionPostConditionMode::Deny,
            post_conditions: Vec::new(),
        }
    }

    /// The origin account's nonce: how many transactions it has sent before this one.
    pub fn nonce(mut self, nonce: u64) -> Self {
        self.nonce = nonce;
        self
    }

    /// The origin's fee in micro-STX. In a sponsored transaction the sponsor's fee is the one
    /// paid, and this one is usually 0 (it is still signed).
    pub fn fee(mut self, fee: u64) -> Self {
        self.fee = fee;
        self
    }

    /// `Deny` (the default) aborts on any asset movement no post-condition covers; `Allow`
    /// checks only the listed post-conditions.
    pub fn post_condition_mode(mut self, mode: TransactionPostConditionMode) -> Self {
        self.mode = mode;
        self
    }

    /// Adds a post-condition.
    pub fn post_condition(mut self, post_condition: PostCondition) -> Self {
        self.post_conditions.push(post_condition);
        self
    }

    /// Signs as the origin: a complete transaction, ready to broadcast.
    pub fn sign(self, origin: &SecretKey) -> Result<Transaction, TxError> {
        let condition = self.origin_condition(origin);
        let mut signer = self.into_signer(TransactionAuth::Standard(condition))?;
        signer
            .sign_origin(&origin.to_stacks())
            .map_err(|e| TxError::Signing(e.to_string()))?;
        Transaction::from_stacks(signer.get_tx_incomplete())
    }

    /// Signs as the origin of a sponsored transaction: the sponsor part is left as the
    /// placeholder the protocol defines, for a sponsor to fill in with
    /// [`SponsorRequest::sponsor`].
    pub fn sign_sponsored(self, origin: &SecretKey) -> Result<SponsorRequest, TxError> {
        let condition = self.origin_condition(origin);
        let auth = TransactionAuth::Sponsored(
            condition,
            TransactionSpendingCondition::new_initial_sighash(),
        );
        let mut signer = self.into_signer(auth)?;
        signer
            .sign_origin(&origin.to_stacks())
            .map_err(|e| TxError::Signing(e.to_string()))?;
        SponsorRequest::from_transaction(Transaction::from_stacks(signer.get_tx_incomplete())?)
    }

    fn origin_condition(&self, origin: &SecretKey) -> TransactionSpendingCondition {
        let mut condition = p2pkh_condition(origin);
        condition.set_nonce(self.nonce);
        condition.set_tx_fee(self.fee);
        condition
    }

    /// The unsigned transaction, checked to serialise (the codec's signer panics if not).
    fn into_signer(self, auth: TransactionAuth) -> Result<StacksTransactionSigner, TxError> {
        let mut tx = StacksTransaction::new(
            transaction_version(self.network),
            auth,
            self.payload.into_stacks(),
        );
        tx.chain_id = self.network.chain_id();
        tx.anchor_mode = TransactionAnchorMode::Any;
        tx.post_condition_mode = self.mode;
        tx.post_conditions = self
            .post_conditions
            .into_iter()
            .map(PostCondition::into_stacks)
            .collect();
        tx.consensus_serialize(&mut Vec::new())
            .map_err(|e| TxError::Encode(e.to_string()))?;
        Ok(StacksTransactionSigner::new(&tx))
    }
}

/// The single-signature P2PKH spending condition of `key`, with nonce and fee 0 and no
/// signature yet. The signer is hash160 of the public key as the key is used (33 bytes
/// compressed, 65 uncompressed) and the key encoding byte says which, as stacks.js and
/// stacks-core write it.
pub(crate) fn p2pkh_condition(key: &SecretKey) -> TransactionSpendingCondition {
    let public_key = key.public_key();
    let key_encoding = if public_key.is_compressed() {
        TransactionPublicKeyEncoding::Compressed
    } else {
        TransactionPublicKeyEncoding::Uncompressed
    };
    TransactionSpendingCondition::Singlesig(SinglesigSpendingCondition {
        hash_mode: SinglesigHashMode::P2PKH,
        signer: Hash160::from_data(&public_key.to_encoded_bytes()),
        nonce: 0,
        tx_fee: 0,
        key_encoding,
        signature: MessageSignature::empty(),
    })
}
