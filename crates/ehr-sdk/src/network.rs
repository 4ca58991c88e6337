//! Which Stacks network a key, address or transaction belongs to.

use std::fmt;
use std::str::FromStr;

use stacks_common::address::{
    C32_ADDRESS_VERSION_MAINNET_SINGLESIG, C32_ADDRESS_VERSION_TESTNET_SINGLESIG,
};
use stacks_common::consts::{CHAIN_ID_MAINNET, CHAIN_ID_TESTNET};

/// A Stacks network. Devnet is a testnet in every protocol respect (chain id, address
/// versions); it differs only in where its node runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// Stacks mainnet: `SP...` addresses, chain id 0x00000001.
    Mainnet,
    /// Stacks testnet: `ST...` addresses, chain id 0x80000000.
    Testnet,
    /// A local devnet (this project's node or Clarinet's): testnet addresses and chain id.
    Devnet,
}

impl Network {
    /// True only for mainnet.
    pub fn is_mainnet(self) -> bool {
        self == Network::Mainnet
    }

    /// The chain id transactions must carry.
    pub fn chain_id(self) -> u32 {
        if self.is_mainnet() {
            CHAIN_ID_MAINNET
        } else {
            CHAIN_ID_TESTNET
        }
    }

    /// The c32 version byte of single-signature addresses (`P` or `T`).
    pub fn address_version(self) -> u8 {
        if self.is_mainnet() {
            C32_ADDRESS_VERSION_MAINNET_SINGLESIG
        } else {
            C32_ADDRESS_VERSION_TESTNET_SINGLESIG
        }
    }

    /// The node URL used when none is given.
    pub fn default_node_url(self) -> &'static str {
        match self {
            Network::Mainnet => "https://api.hiro.so",
            Network::Testnet => "https://api.testnet.hiro.so",
            Network::Devnet => "http://127.0.0.1:20443",
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Network::Mainnet => "mainnet",
            Network::Testnet => "testnet",
            Network::Devnet => "devnet",
        })
    }
}

/// The text did not name a network.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown network `{0}`: use mainnet, testnet or devnet")]
pub struct UnknownNetwork(pub String);

impl FromStr for Network {
    type Err = UnknownNetwork;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "mainnet" => Ok(Network::Mainnet),
            "testnet" => Ok(Network::Testnet),
            "devnet" => Ok(Network::Devnet),
            _ => Err(UnknownNetwork(s.to_string())),
        }
    }
}
