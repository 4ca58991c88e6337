//! The typed EHR client: the eight contracts' functions as Rust calls and Rust types.
//!
//! - [`abi`] is the function table: every public and read-only function with its
//!   argument names and Clarity types. Every call the SDK builds is checked against it,
//!   and a test checks it against the interfaces of the deployed contracts.
//! - [`calls`] builds [`ContractCall`]s for the public functions from Rust types.
//! - [`types`] holds what the read-only functions return.
//! - [`EhrClient`] reads through a node and sends signed calls, waiting for the outcome
//!   and turning a contract's `(err uN)` into a [`ContractError`] a person can read.
pub mod abi;
pub mod attest;
pub mod calls;
mod client;
mod contracts;
pub(crate) mod decode;
mod error;
pub mod listing;
pub mod locator;
pub mod maps;
pub mod preflight;
pub mod read;
pub mod records;
pub mod revoke;
pub mod stores;
pub mod trail;
pub mod types;
pub mod upload;

pub use calls::ContractCall;
pub use client::{ClientError, EhrClient, Mined, SendOptions, Sent, Signed};
pub use contracts::{Deployment, EhrContract, UnknownContract, EHR_CONTRACTS};
pub use decode::DecodeError;
pub use error::ContractError;
