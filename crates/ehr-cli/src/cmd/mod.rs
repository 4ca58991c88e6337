//! One module per command.

pub mod address;
pub mod costs;
pub mod demo;
pub mod devnet;
pub mod tx;
