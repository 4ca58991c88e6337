//! `ehr index`: what a bare stacks-node cannot tell a client, learned from the node's own
//! event observer stream.
//!
//! A stacks-node keeps no transaction results for epoch 2.x blocks and serves none of the
//! Hiro API routes wallets follow transactions with. Given an `[[events_observer]]` entry
//! pointing at this server's observer address, the node POSTs every accepted, mined and
//! dropped transaction here; the index stores them (in SQLite, or PostgreSQL for an index
//! several servers share) and answers
//! `/extended/v1/tx/{txid}`, `/extended/v1/address/{principal}/nonces` and
//! `/extended/v1/status` as the Hiro API does, so `ehr --api URL` (or any wallet) follows
//! transactions on a clinic's own node with no central API in between.
//!
//! It also indexes the EHR contracts (the `/ehr/v1/*` routes): notifications and
//! access-token movements from the blocks' events, the audit log's entries (read from the
//! node after each block: the contracts keep them in maps), forks rolled back in one
//! database transaction, and each notification pushed to subscribed webhooks, signed
//! ([`webhook`]), at least once and in order.
//!
//! Two listeners: the observer one takes writes and must be reachable by the node only
//! (anyone who can POST to it can forge results); the API one is read-only.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let listeners =
//!     ehr_index::Listeners::bind("127.0.0.1:3700".parse()?, "127.0.0.1:3999".parse()?).await?;
//! // The devnet deployer, which published the EHR contracts.
//! let deployer: ehr_sdk::keys::Address = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM".parse()?;
//! let config = ehr_index::IndexConfig::new(
//!     "http://127.0.0.1:20443",
//!     ehr_sdk::network::Network::Devnet,
//!     ehr_sdk::ehr::Deployment::new(deployer.to_standard_principal()),
//! );
//! let index = ehr_index::spawn(listeners, &config).await?;
//! println!("node config: [[events_observer]] endpoint = \"{}\"", index.observer_addr());
//! println!("clients: ehr --api {}", index.api_url());
//! # Ok(()) }
//! ```

mod api;
mod audit_follower;
mod events;
mod observer;
mod push;
pub mod store;
pub mod verify;
pub mod webhook;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use ehr_sdk::ehr::{Deployment, EhrClient};
use ehr_sdk::network::Network;
use ehr_sdk::node::{NodeClient, NodeError};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use push::PushSettings;
pub use store::{Database, Store, StoreError};

/// What an index follows and where it keeps what it learns.
#[derive(Debug, Clone)]
pub struct IndexConfig {
    /// The node whose events it takes (and reads the audit log from).
    pub node_url: String,
    /// The node's network.
    pub network: Network,
    /// The EHR deployment whose contracts it indexes.
    pub deployment: Deployment,
    /// Where it keeps what it learns (default: memory only, gone when the index stops).
    pub database: Database,
    /// How webhooks are delivered.
    pub push: PushSettings,
}

impl IndexConfig {
    /// An in-memory index of `deployment` on the node at `node_url`.
    pub fn new(node_url: &str, network: Network, deployment: Deployment) -> Self {
        IndexConfig {
            node_url: node_url.to_string(),
            network,
            deployment,
            database: Database::Memory,
            push: PushSettings::default(),
        }
    }

    /// An in-memory index of the devnet deployment (the Devnet.toml deployer compiled
    /// into the SDK) on the node at `node_url`.
    pub fn devnet(node_url: &str) -> Result<Self, IndexError> {
        let config = ehr_sdk::devnet_config::DevnetConfig::builtin()
            .map_err(|e| IndexError::Devnet(e.to_string()))?;
        let deployer = config
            .deployer()
            .ok_or_else(|| IndexError::Devnet("Devnet.toml has no deployer account".into()))?
            .address
            .to_standard_principal();
        Ok(IndexConfig::new(
            node_url,
            Network::Devnet,
            Deployment::new(deployer),
        ))
    }

    /// Keeps the index in the SQLite file `path`.
    pub fn db(self, path: &Path) -> Self {
        self.database(Database::Sqlite(path.to_path_buf()))
    }

    /// Keeps the index in `database` (an SQLite file, or PostgreSQL).
    pub fn database(mut self, database: Database) -> Self {
        self.database = database;
        self
    }
}

/// The index's two listeners, bound before it starts so their addresses can go into the
/// node's configuration first (the node needs the observer address, the index the node's).
#[derive(Debug)]
pub struct Listeners {
    observer: TcpListener,
    api: TcpListener,
}

impl Listeners {
    /// Binds the observer address (where the node posts) and the API address (where
    /// clients read); port 0 picks a free one.
    pub async fn bind(observer: SocketAddr, api: SocketAddr) -> Result<Self, IndexError> {
        Ok(Listeners {
            observer: bind(observer).await?,
            api: bind(api).await?,
        })
    }

    /// Where the node must post: `host:port` for `[[events_observer]] endpoint`.
    pub fn observer_addr(&self) -> Result<SocketAddr, IndexError> {
        local(&self.observer)
    }

    /// Where clients read.
    pub fn api_addr(&self) -> Result<SocketAddr, IndexError> {
        local(&self.api)
    }
}

fn local(listener: &TcpListener) -> Result<SocketAddr, IndexError> {
    listener.local_addr().map_err(|source| IndexError::Bind {
        addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
    })
}

/// Why an index could not start.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The node URL is not usable.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// The built-in devnet configuration could not be read.
    #[error("the built-in Devnet.toml: {0}")]
    Devnet(String),
}

/// A running index; dropping it stops both servers.
pub struct IndexHandle {
    observer: SocketAddr,
    api: SocketAddr,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

impl IndexHandle {
    /// The address to give the node as an events observer endpoint (`host:port`).
    pub fn observer_addr(&self) -> SocketAddr {
        self.observer
    }

    /// The base URL clients give as `--api`.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.api)
    }

    /// Stops both servers and waits for them.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for server in self.servers.drain(..) {
            let _ = server.await;
        }
    }

    /// Waits until a server stops (it does not, unless it fails).
    pub async fn wait(&mut self) {
        if let Some(first) = self.servers.first_mut() {
            let _ = first.await;
        }
    }
}

impl Drop for IndexHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, IndexError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| IndexError::Bind { addr, source })
}

/// Opens the store and serves both listeners on the current tokio runtime, with the
/// audit follower and the webhook pusher beside them.
pub async fn spawn(listeners: Listeners, config: &IndexConfig) -> Result<IndexHandle, IndexError> {
    let store = Arc::new(Store::open_database(&config.database)?);
    let node = NodeClient::new(&config.node_url)?;
    let client = EhrClient::new(node.clone(), config.network, config.deployment.clone());
    let observer = listeners.observer_addr()?;
    let api = listeners.api_addr()?;
    let (stop, stopped) = watch::channel(false);
    let (ingested, blocks) = watch::channel(0u64);
    let observer_app = observer::routes(observer::ObserverState {
        store: store.clone(),
        contracts: Arc::new(events::EhrContracts::of(&config.deployment)),
        ingested: Arc::new(ingested),
    });
    let api_app = api::routes(api::ApiState {
        store: store.clone(),
        node,
    });
    let servers = vec![
        tokio::spawn(ehr_http::serve(
            listeners.observer,
            observer_app,
            ehr_http::Limits::default(),
            stopping(stopped.clone()),
        )),
        tokio::spawn(ehr_http::serve(
            listeners.api,
            api_app,
            ehr_http::Limits::default(),
            stopping(stopped.clone()),
        )),
        tokio::spawn(audit_follower::run(
            store.clone(),
            client,
            blocks.clone(),
            stopped.clone(),
        )),
        tokio::spawn(push::run(store, config.push, blocks, stopped)),
    ];
    Ok(IndexHandle {
        observer,
        api,
        stop,
        servers,
    })
}

/// Resolves when the handle says stop (or is gone).
async fn stopping(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}
