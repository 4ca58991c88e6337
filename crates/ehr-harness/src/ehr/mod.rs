//! The EHR contracts on a simnet, ready to drive: the contracts compiled into the binary,
//! deployed by the devnet deployer, with the devnet accounts funded.

use clarity::vm::types::{
    PrincipalData, QualifiedContractIdentifier, StandardPrincipalData, Value,
};
use ehr_sdk::devnet_config::{DevnetConfig, DEFAULT_DEVNET_TOML_NAME};
use ehr_sdk::keys::Account;

mod tour;
pub mod values;

pub use tour::{tour, TourStep, INTERNAL_FUNCTIONS};

use crate::devnet::{DevnetError, Genesis, GenesisContract};
use crate::simnet::{ReadOnlyResult, Receipt, Simnet, SimnetConfig, SimnetError};

pub use ehr_sdk::ehr::EHR_CONTRACTS;

/// The devnet accounts and node settings (`Devnet.toml`), compiled into ehr-sdk.
pub use ehr_sdk::devnet_config::DEFAULT_DEVNET_TOML as DEVNET_TOML;

/// The devnet accounts parsed from [`DEVNET_TOML`].
pub fn devnet_accounts() -> Result<DevnetConfig, SimnetError> {
    DevnetConfig::builtin().map_err(|e| SimnetError::Manifest {
        path: DEFAULT_DEVNET_TOML_NAME.into(),
        message: e.to_string(),
    })
}

/// A devnet genesis with `accounts` funded and the EHR contracts ([`EHR_CONTRACTS`],
/// compiled in, all Clarity 2, in deployment order) published by its `deployer`: what
/// `ehr devnet start` runs by default.
pub fn devnet_genesis(accounts: &DevnetConfig) -> Result<Genesis, DevnetError> {
    let mut genesis = Genesis::from_accounts(accounts, None)?;
    genesis.contracts = EHR_CONTRACTS
        .iter()
        .map(|(name, source)| GenesisContract {
            name: (*name).to_string(),
            source: (*source).to_string(),
            clarity_version: 2,
        })
        .collect();
    Ok(genesis)
}

/// A simnet with the EHR contracts deployed by the devnet deployer.
pub struct EhrSimnet {
    /// The chain.
    pub sim: Simnet,
    /// The devnet accounts, deployer first.
    pub config: DevnetConfig,
    deployer: StandardPrincipalData,
    /// Every public call made through [`EhrSimnet::call`] since [`EhrSimnet::record`],
    /// to replay elsewhere (Clarinet's simnet, for the cost comparison).
    log: Option<Vec<LoggedCall>>,
}

/// A public call as [`EhrSimnet::record`] keeps it: who (a devnet account's name), what,
/// and the arguments as Clarity literals.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoggedCall {
    /// The caller's devnet account name.
    pub sender: String,
    /// The EHR contract's name.
    pub contract: String,
    /// The function.
    pub function: String,
    /// The arguments, as Clarity literals.
    pub args: Vec<String>,
}

impl EhrSimnet {
    /// Starts a chain with the devnet balances and deploys the nine contracts.
    pub fn new() -> Result<Self, SimnetError> {
        Self::with_config(SimnetConfig::default())
    }

    /// As [`EhrSimnet::new`], with chain settings of your own (balances are replaced by
    /// the devnet accounts').
    pub fn with_config(mut chain: SimnetConfig) -> Result<Self, SimnetError> {
        let config = devnet_accounts()?;
        chain.balances = config
            .accounts
            .iter()
            .map(|g| (g.account.principal(), g.balance))
            .collect();
        let deployer = config
            .deployer()
            .ok_or_else(|| SimnetError::Manifest {
                path: config.path.display().to_string(),
                message: "no account named deployer".into(),
            })?
            .address
            .to_standard_principal();
        let mut sim = Simnet::new(chain)?;
        for (name, source) in EHR_CONTRACTS {
            sim.deploy_contract(&deployer, name, source)?;
        }
        Ok(EhrSimnet {
            sim,
            config,
            deployer,
            log: None,
        })
    }

    /// The identifier of one of the EHR contracts.
    pub fn contract(&self, name: &str) -> QualifiedContractIdentifier {
        QualifiedContractIdentifier::new(
            self.deployer.clone(),
            name.to_string()
                .try_into()
                .unwrap_or_else(|_| panic!("`{name}` is not a contract name")),
        )
    }

    /// The devnet account called `name` (`deployer`, `wallet_1`, ...).
    pub fn account(&self, name: &str) -> &Account {
        self.config
            .account(name)
            .unwrap_or_else(|| panic!("no devnet account `{name}`"))
    }

    /// The principal of the devnet account called `name`.
    pub fn principal(&self, name: &str) -> PrincipalData {
        self.account(name).principal()
    }

    /// Calls a public function of an EHR contract as the account called `who`.
    pub fn call(
        &mut self,
        who: &str,
        contract: &str,
        function: &str,
        args: &[Value],
    ) -> Result<Receipt, SimnetError> {
        let sender = self.principal(who);
        let id = self.contract(contract);
        if let Some(log) = &mut self.log {
            log.push(LoggedCall {
                sender: who.to_string(),
                contract: contract.to_string(),
                function: function.to_string(),
                args: args.iter().map(ehr_sdk::literal::to_literal).collect(),
            });
        }
        self.sim.call_public(&sender, &id, function, args)
    }

    /// Starts keeping every public call made through [`EhrSimnet::call`].
    pub fn record(&mut self) {
        self.log = Some(Vec::new());
    }

    /// The calls kept since [`EhrSimnet::record`].
    pub fn recorded(&self) -> &[LoggedCall] {
        self.log.as_deref().unwrap_or_default()
    }

    /// Calls a read-only function of an EHR contract (as the deployer).
    pub fn read(
        &mut self,
        contract: &str,
        function: &str,
        args: &[Value],
    ) -> Result<ReadOnlyResult, SimnetError> {
        let sender: PrincipalData = self.deployer.clone().into();
        let id = self.contract(contract);
        self.sim.call_read_only(&sender, &id, function, args)
    }
}
