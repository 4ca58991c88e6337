//! Publishing the EHR contracts: a [`Plan`] says which contracts to publish and in what
//! order, a [`Deployer`] publishes them from one key, one at a time, waiting for each to be
//! mined.
//!
//! Deploying is idempotent: a contract the deployer already published with the same source
//! is skipped, so a deployment that stopped half way is finished by running it again. A
//! contract published with *another* source stops the run: a Stacks contract can never be
//! replaced or removed.
//!
//! ```no_run
//! # use ehr_sdk::{deploy::{Deployer, Plan}, keys::SecretKey, network::Network, node::NodeClient};
//! # async fn demo(key: SecretKey) -> Result<(), Box<dyn std::error::Error>> {
//! let node = NodeClient::new("http://127.0.0.1:20443")?;
//! let plan = Plan::ehr(Network::Devnet)?;
//! print!("{plan}");
//! let report = Deployer::new(&node, &key, Network::Devnet)
//!     .run(&plan, &mut |event| println!("{event}"))
//!     .await?;
//! println!("{}", serde_json::to_string_pretty(&report)?);
//! # Ok(()) }
//! ```

mod plan;
mod run;

pub use plan::{Plan, PlanError, PlanStep, MAINNET_NFT_TRAIT};
pub use run::{
    DeployError, DeployEvent, DeployReport, Deployer, InFlight, StepFailure, StepOutcome,
    StepReport,
};
