//! `Devnet.toml`: the accounts of a development chain (Clarinet's settings format) and, in
//! `devnet/Devnet.toml`, the local node's settings.
//!
//! The default devnet's file is compiled in ([`DEFAULT_DEVNET_TOML`],
//! [`DevnetConfig::builtin`]), so a program needs no file on disk to know the devnet
//! accounts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::keys::{Account, KeyError, SecretKey};
use crate::network::Network;

/// Why a settings file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An account's mnemonic does not derive a key.
    #[error("{path}: account `{account}`: {source}")]
    Account {
        /// The file.
        path: PathBuf,
        /// The account's name.
        account: String,
        /// Why.
        source: KeyError,
    },
}

/// The default devnet's `Devnet.toml`, compiled in: the Clarinet default accounts
/// (deployer, wallet_1..wallet_8, faucet; public mnemonics, for devnet only) and the node's
/// settings. This crate's `Devnet.toml` is the source; the repository's `devnet/Devnet.toml`
/// is a copy that a test keeps identical.
pub const DEFAULT_DEVNET_TOML: &str = include_str!("../Devnet.toml");

/// How errors in [`DEFAULT_DEVNET_TOML`] name it.
pub const DEFAULT_DEVNET_TOML_NAME: &str = "the built-in Devnet.toml";

/// One genesis account: its key and starting balance.
#[derive(Debug, Clone)]
pub struct GenesisAccount {
    /// Name, key and address.
    pub account: Account,
    /// Starting balance in micro-STX.
    pub balance: u128,
}

/// The local node's settings (the `[devnet]` table).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NodeSettings {
    /// RPC port on 127.0.0.1 (stacks-node's default is 20443).
    #[serde(default = "default_rpc_port")]
    pub rpc_port: u16,
    /// Milliseconds between blocks; 0 mines a block for every transaction.
    #[serde(default)]
    pub block_time_ms: u64,
    /// Stacks epoch the chain runs (Clarity 2 from "2.1" on).
    #[serde(default = "default_epoch")]
    pub epoch: String,
}

fn default_rpc_port() -> u16 {
    20443
}

fn default_epoch() -> String {
    "2.4".to_string()
}

impl Default for NodeSettings {
    fn default() -> Self {
        NodeSettings {
            rpc_port: default_rpc_port(),
            block_time_ms: 0,
            epoch: default_epoch(),
        }
    }
}

/// An event observer the node posts block events to (stacks-node's `[[events_observer]]`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct EventObserver {
    /// `host:port`, no scheme: the node posts to `http://{endpoint}/new_block` and so on.
    pub endpoint: String,
    /// Which events to send (`"*"` for all).
    #[serde(default = "all_events")]
    pub events_keys: Vec<String>,
    /// Per-request timeout in milliseconds.
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
}

fn all_events() -> Vec<String> {
    vec!["*".to_string()]
}

fn default_timeout() -> u64 {
    1000
}

/// A parsed `Devnet.toml`.
#[derive(Debug, Clone)]
pub struct DevnetConfig {
    /// Where it was read from.
    pub path: PathBuf,
    /// Accounts in the file's order of names (deployer first, then alphabetical).
    pub accounts: Vec<GenesisAccount>,
    /// Node settings (defaults when the file has no `[devnet]` table).
    pub node: NodeSettings,
    /// Event observers.
    pub observers: Vec<EventObserver>,
}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(default)]
    accounts: BTreeMap<String, RawAccount>,
    #[serde(default)]
    devnet: Option<NodeSettings>,
    #[serde(default)]
    events_observer: Vec<EventObserver>,
}

#[derive(Deserialize)]
struct RawAccount {
    mnemonic: String,
    /// TOML integers are 64-bit, which holds any real STX balance in micro-STX.
    #[serde(default)]
    balance: u64,
}

impl DevnetConfig {
    /// Reads and checks a `Devnet.toml`, deriving every account's key.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses the text of a `Devnet.toml` (`path` is used in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })?;
        let mut names: Vec<&String> = raw.accounts.keys().collect();
        names.sort_by_key(|n| {
            (
                n.as_str() != "deployer",
                n.as_str() == "faucet",
                n.to_string(),
            )
        });
        let mut accounts = Vec::with_capacity(names.len());
        for name in names {
            let entry = &raw.accounts[name];
            let key = SecretKey::from_mnemonic(&entry.mnemonic, 0).map_err(|source| {
                ConfigError::Account {
                    path: path.to_path_buf(),
                    account: name.clone(),
                    source,
                }
            })?;
            accounts.push(GenesisAccount {
                account: Account::new(name.clone(), key, Network::Devnet),
                balance: u128::from(entry.balance),
            });
        }
        Ok(DevnetConfig {
            path: path.to_path_buf(),
            accounts,
            node: raw.devnet.unwrap_or_default(),
            observers: raw.events_observer,
        })
    }

    /// The default devnet: [`DEFAULT_DEVNET_TOML`], parsed.
    pub fn builtin() -> Result<Self, ConfigError> {
        Self::parse(DEFAULT_DEVNET_TOML, Path::new(DEFAULT_DEVNET_TOML_NAME))
    }

    /// The account called `name`.
    pub fn account(&self, name: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .map(|g| &g.account)
            .find(|a| a.name == name)
    }

    /// The deployer account (Clarinet's convention: the account named `deployer`).
    pub fn deployer(&self) -> Option<&Account> {
        self.account("deployer")
    }
}
