//! One module per command.

pub mod access;
pub mod account;
pub mod address;
pub mod admin;
pub mod audit;
pub mod claims;
pub mod costs;
pub mod demo;
pub mod deploy;
pub mod devnet;
pub mod disclose;
pub mod doctor;
mod expiry;
pub mod index;
pub mod notify;
pub mod patient;
pub mod record;
mod send;
pub mod serve;
pub mod smart;
pub mod store;
pub mod tx;
