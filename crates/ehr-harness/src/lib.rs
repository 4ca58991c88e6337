//! The Clarity VM embedded: an in-process Stacks chain (the simnet) for tests and tools,
//! and the pieces the devnet node is built from.

pub mod boot;
pub mod chain;
pub mod devnet;
pub mod ehr;
pub mod limits;
pub mod simnet;
