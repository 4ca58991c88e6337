//! The embedded chain's state: key-value data with per-block history, and block headers.

pub mod blocks;
pub mod kv;

pub use blocks::{BlockHeader, BlockList};
pub use kv::{KvState, StoreView};
