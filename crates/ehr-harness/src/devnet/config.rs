//! What a devnet starts from: genesis accounts and contracts, port, mining rhythm, state
//! directory, event observers.

use std::path::PathBuf;
use std::time::Duration;

use clarity::vm::types::{PrincipalData, StandardPrincipalData};
use clarity::vm::ClarityVersion;
use ehr_sdk::devnet_config::{DevnetConfig as DevnetToml, EventObserver};
use serde::{Deserialize, Serialize};

use super::DevnetError;
use crate::simnet::Manifest;

/// When blocks are mined (besides `POST /devnet/mine`, which always works).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mining {
    /// A block as soon as a transaction is ready (anvil's automine). Transactions that
    /// arrive while a block is being mined share the next one.
    EveryTransaction,
    /// A block every interval, empty or not (Devnet.toml `block_time_ms`, `--block-time`).
    Interval(Duration),
}

impl Mining {
    /// The rhythm `block_time_ms` asks for: 0 mines on every transaction.
    pub fn from_block_time_ms(ms: u64) -> Self {
        if ms == 0 {
            Mining::EveryTransaction
        } else {
            Mining::Interval(Duration::from_millis(ms))
        }
    }
}

/// A contract deployed at genesis, as the chain records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisContract {
    /// Contract name (the deployer is [`Genesis::deployer`]).
    pub name: String,
    /// Clarity source.
    pub source: String,
    /// Clarity version (1 or 2).
    pub clarity_version: u8,
}

/// The chain's first blocks: who holds STX, and which contracts the deployer published.
/// Stored in the state directory on first start, so a restart replays the same chain
/// even if `Devnet.toml` or the contracts changed on disk since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// Named accounts (name, address), shown in the ready line.
    pub accounts: Vec<(String, String)>,
    /// STX balances in micro-STX, by principal (as text).
    pub balances: Vec<(String, String)>,
    /// The address that deploys the genesis contracts.
    pub deployer: String,
    /// Contracts deployed at genesis, in dependency order once deployed.
    pub contracts: Vec<GenesisContract>,
    /// Unix time of the genesis block. `None` until the chain is first built: then the
    /// wall clock.
    pub time: Option<u64>,
}

impl Genesis {
    /// Genesis from a parsed `Devnet.toml` (accounts and balances; its `deployer` deploys)
    /// and, optionally, a Clarinet project whose contracts are deployed at genesis.
    pub fn from_accounts(
        accounts: &DevnetToml,
        contracts: Option<&Manifest>,
    ) -> Result<Genesis, DevnetError> {
        let deployer = accounts
            .deployer()
            .ok_or_else(|| {
                DevnetError::Config(format!(
                    "{}: no account named `deployer`: genesis contracts need one",
                    accounts.path.display()
                ))
            })?
            .address
            .to_string();
        let contracts = match contracts {
            None => Vec::new(),
            Some(manifest) => manifest
                .contracts
                .iter()
                .map(|c| GenesisContract {
                    name: c.name.clone(),
                    source: c.source.clone(),
                    clarity_version: match c.clarity_version {
                        ClarityVersion::Clarity1 => 1,
                        ClarityVersion::Clarity2 => 2,
                    },
                })
                .collect(),
        };
        Ok(Genesis {
            accounts: accounts
                .accounts
                .iter()
                .map(|g| (g.account.name.clone(), g.account.address.to_string()))
                .collect(),
            balances: accounts
                .accounts
                .iter()
                .map(|g| (g.account.address.to_string(), g.balance.to_string()))
                .collect(),
            deployer,
            contracts,
            time: None,
        })
    }

    /// The deployer as a principal.
    pub(crate) fn deployer_principal(&self) -> Result<StandardPrincipalData, DevnetError> {
        PrincipalData::parse_standard_principal(&self.deployer)
            .map_err(|e| DevnetError::Config(format!("deployer `{}`: {e}", self.deployer)))
    }

    /// The balances as principals and amounts.
    pub(crate) fn balance_list(&self) -> Result<Vec<(PrincipalData, u128)>, DevnetError> {
        self.balances
            .iter()
            .map(|(who, amount)| {
                let principal = PrincipalData::parse(who)
                    .map_err(|e| DevnetError::Config(format!("genesis account `{who}`: {e}")))?;
                let amount = amount.parse::<u128>().map_err(|e| {
                    DevnetError::Config(format!("genesis balance of {who} `{amount}`: {e}"))
                })?;
                Ok((principal, amount))
            })
            .collect()
    }
}

/// How a devnet starts.
#[derive(Debug, Clone)]
pub struct DevnetConfig {
    /// Port on 127.0.0.1; 0 picks a free one (what tests use). Default: 0.
    pub port: u16,
    /// When blocks are mined. Default: on every transaction.
    pub mining: Mining,
    /// Accounts and contracts of a new chain (ignored when the state directory already
    /// holds a chain: that chain's own genesis is used).
    pub genesis: Genesis,
    /// Where the chain lives on disk; `None` keeps it in memory only.
    pub state_dir: Option<PathBuf>,
    /// Event observers that get `/new_block`, `/new_mempool_tx` and `/new_burn_block`.
    pub observers: Vec<EventObserver>,
    /// Which HTTP routes it serves. Default: the node's and the Hiro API's.
    pub routes: Routes,
}

/// The HTTP face of a devnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Routes {
    /// The stacks-node RPC and the Hiro API routes wallets use (`/extended/v1/tx`,
    /// nonces, status) on one port, as Hiro's public hosts serve them.
    #[default]
    NodeAndHiroApi,
    /// Exactly what a bare stacks-node serves: no `/extended` routes, a text 404 for any
    /// unknown path, `/v2/transactions/unconfirmed` holding mined transactions too, no
    /// transaction index (`/v3/transaction` answers 501), and fee estimates only for
    /// payloads of a kind already mined (`NoEstimateAvailable` before). What a client
    /// must cope with when a clinic runs its own node.
    BareNode,
}

impl DevnetConfig {
    /// An in-memory devnet on a free port, mining on every transaction.
    pub fn new(genesis: Genesis) -> Self {
        DevnetConfig {
            port: 0,
            mining: Mining::EveryTransaction,
            genesis,
            state_dir: None,
            observers: Vec::new(),
            routes: Routes::default(),
        }
    }
}
