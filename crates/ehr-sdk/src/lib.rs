//! Client-side toolkit for the EHR contracts on Stacks: keys and addresses, transactions,
//! a node RPC client, the typed EHR client, record encryption and selective disclosure.
pub mod audit;
pub mod claims;
pub mod crypto;
pub mod deploy;
pub mod devnet_config;
pub mod disclosure;
pub mod ehr;
pub mod fhir;
pub mod keys;
pub mod literal;
pub mod network;
pub mod node;
pub mod tx;
