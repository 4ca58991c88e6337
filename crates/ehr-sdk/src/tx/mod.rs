//! Stacks transactions: build, sign, serialise, decode and verify.
//!
//! The wire format and the signature scheme are stacks-codec's and stacks-common's; this
//! module chooses what a wallet may build (STX transfers, contract calls, Clarity-versioned
//! deploys, single-signature P2PKH keys, anchor mode `Any`), checks inputs before they can
//! reach a panicking path of the codec, and turns every failure into a [`TxError`].
//! Output is byte-identical to `@stacks/transactions` (see `tests/vectors.rs`).
//!
//! ```no_run
//! # use ehr_sdk::{keys::SecretKey, network::Network, tx::*};
//! # use clarity::vm::types::{QualifiedContractIdentifier, Value};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = SecretKey::from_hex("7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801")?;
//! let registry = QualifiedContractIdentifier::parse("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.patient-registry")?;
//! let call = Payload::contract_call(&registry, "deactivate", vec![])?;
//! let tx = TransactionBuilder::new(Network::Devnet, call).nonce(0).fee(300).sign(&key)?;
//! let raw = tx.to_hex();
//! let signers = Transaction::from_hex(&raw)?.verify(Network::Devnet)?;
//! # Ok(()) }
//! ```

mod builder;
mod error;
mod payload;
mod post_condition;
mod signed;
mod sponsor;

pub use builder::TransactionBuilder;
pub use error::{SignerRole, TxError};
pub use payload::{Memo, Payload};
pub use post_condition::{AssetId, PcPrincipal, PostCondition};
pub use signed::{Signers, Transaction};
pub use sponsor::SponsorRequest;
pub use stacks_codec::codec::{
    FungibleConditionCode, NonfungibleConditionCode,
    TransactionPostConditionMode as PostConditionMode, Txid,
};

use stacks_codec::codec::TransactionVersion;

use crate::network::Network;

/// The version byte of transactions on `network`: mainnet's, or testnet's for testnet and
/// devnet.
fn transaction_version(network: Network) -> TransactionVersion {
    if network.is_mainnet() {
        TransactionVersion::Mainnet
    } else {
        TransactionVersion::Testnet
    }
}
