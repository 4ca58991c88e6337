//! The devnet node: the simnet's chain behind an HTTP server that speaks the stacks-node
//! RPC subset (and the Hiro API routes wallets use), in one process, ready at once.
//!
//! Think foundry's anvil for Stacks. It accepts only signed transactions, checks them as
//! a node's mempool does (wire format, signatures with low-S, network, nonce, fee per
//! byte, funds, contract and function), keeps a mempool with chained future nonces, mines
//! on every transaction, on an interval or on request, enforces post-conditions, persists
//! to an append-only log that survives `kill -9`, and pushes blocks to event observers in
//! the stacks-node format and to a server-sent-events stream.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ehr_harness::devnet::DevnetError> {
//! use ehr_harness::devnet::{spawn, DevnetConfig, Genesis};
//! let accounts = ehr_harness::ehr::devnet_accounts().expect("compiled-in Devnet.toml");
//! let genesis = Genesis::from_accounts(&accounts, None)?;
//! let node = spawn(DevnetConfig::new(genesis)).await?;
//! println!("RPC at {}", node.url());
//! node.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! One thread owns the chain (the simnet is not shared between threads); HTTP handlers
//! send it jobs and await the answers, so every request sees a consistent state. The
//! chain is deterministic, so persistence is a log of its inputs (accepted transactions,
//! which transactions each block held, drops, snapshots), replayed on start.

mod admission;
mod config;
mod error;
mod execute;
mod feeds;
mod fees;
mod guard;
mod hiro;
mod json;
mod mempool;
mod node;
mod post_conditions;
mod rejection;
mod server;
mod store;

pub use config::{DevnetConfig, Genesis, GenesisContract, Mining, Routes};
pub use error::DevnetError;
pub use rejection::{Reason, Rejection};
pub use store::{is_state_dir, repair_state_dir, reset_state_dir, Repair};

use std::net::SocketAddr;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running devnet: its address, and the way to stop it. Dropping the handle stops the
/// server too (without waiting for it).
pub struct DevnetHandle {
    addr: SocketAddr,
    url: String,
    height: u32,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    chain: Option<std::thread::JoinHandle<()>>,
}

impl DevnetHandle {
    /// `http://127.0.0.1:PORT`, the base URL for stacks.js, the SDK and curl.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The socket the RPC server listens on (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The chain height when the server became ready (after genesis, or after replaying
    /// the state directory).
    pub fn ready_height(&self) -> u32 {
        self.height
    }

    /// Stops the server and the chain thread, and waits until both are gone (the state
    /// directory is then closed: everything acknowledged is on disk).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(chain) = self.chain.take() {
            let _ = tokio::task::spawn_blocking(move || chain.join()).await;
        }
    }

    /// Waits until the server stops by itself (it does not, unless it fails): what
    /// `ehr devnet start` does after printing the ready line, racing Ctrl-C.
    pub async fn wait(&mut self) {
        if let Some(server) = self.server.as_mut() {
            let _ = server.await;
            self.server = None;
        }
    }
}

impl Drop for DevnetHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a devnet on the current tokio runtime: builds (or replays) the chain, binds
/// 127.0.0.1 on the configured port, and returns once the RPC port answers.
pub async fn spawn(config: DevnetConfig) -> Result<DevnetHandle, DevnetError> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port))
        .await
        .map_err(|source| DevnetError::Bind {
            port: config.port,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| DevnetError::Bind {
        port: config.port,
        source,
    })?;
    let url = format!("http://{addr}");
    let routes = config.routes;
    let (chain, thread) = node::start(config, url.clone()).await?;
    let height = chain.height;
    let (stop, stopped) = oneshot::channel();
    let server = tokio::spawn(server::serve(listener, chain, routes, stopped));
    Ok(DevnetHandle {
        addr,
        url,
        height,
        stop: Some(stop),
        server: Some(server),
        chain: Some(thread),
    })
}
