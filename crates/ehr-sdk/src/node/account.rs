//! An account's balance and nonces: `GET /v2/accounts/{principal}` on the node and
//! `GET /extended/v1/address/{principal}/nonces` on the Hiro API.

use serde::Deserialize;

use super::wire::de_hex_u128;

/// An account as the node sees it at its chain tip. Unknown accounts are all zeros, never
/// an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Account {
    /// Spendable µSTX (the node's `balance`: unlocked funds only).
    #[serde(deserialize_with = "de_hex_u128")]
    pub balance: u128,
    /// µSTX locked by stacking.
    #[serde(deserialize_with = "de_hex_u128")]
    pub locked: u128,
    /// Burnchain height at which `locked` unlocks (0 when nothing is locked).
    pub unlock_height: u64,
    /// The nonce the account's next transaction must carry, counting mined ones only.
    pub nonce: u64,
}

/// An account's nonces including its pending transactions, from the Hiro API.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Nonces {
    /// Highest nonce among the account's pending transactions.
    pub last_mempool_tx_nonce: Option<u64>,
    /// Highest nonce among its mined transactions.
    pub last_executed_tx_nonce: Option<u64>,
    /// The nonce to give the next transaction: after every mined and pending one.
    pub possible_next_nonce: u64,
    /// Gaps: nonces below the highest pending one that no transaction uses; transactions
    /// after a gap wait until it is filled.
    #[serde(default)]
    pub detected_missing_nonces: Vec<u64>,
    /// Nonces of the account's pending transactions.
    #[serde(default)]
    pub detected_mempool_nonces: Vec<u64>,
}
