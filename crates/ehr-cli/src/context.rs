//! What every networked command shares: the global flags, the node and contracts they
//! point at, and the keys they sign with.
//!
//! Keys come from `--key-file`, the `EHR_SECRET_KEY` environment variable, or
//! `--account NAME` (a key in the local keystore, or on devnet one of the Devnet.toml
//! accounts). They are never printed or logged; only addresses are.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context as _};
use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::{ClientError, ContractError, Deployment, EhrClient};
use ehr_sdk::keys::{Address, SecretKey};
use ehr_sdk::network::Network;
use ehr_sdk::node::{NodeClient, NodeError};

use crate::keystore::Keystore;

/// Exit code: a contract refused the call (its reason is printed).
pub const EXIT_REFUSED: u8 = 4;
/// Exit code: the node could not be reached, or did not answer in time.
pub const EXIT_UNREACHABLE: u8 = 5;
/// Exit code: a check failed: the audit hash chain is broken, a proof or hash does not
/// verify, a record cannot be decrypted with this key.
pub const EXIT_VERIFY_FAILED: u8 = 6;
/// Exit code: the command's main step is done but a follow-up is not (e.g. a revocation
/// whose key rotation failed for some records); what is missing and the command that
/// finishes it are printed.
pub const EXIT_INCOMPLETE: u8 = 7;
/// Exit code: the node dropped a transaction from its mempool unmined (replaced, too
/// expensive, evicted): nothing changed; run the command again.
pub const EXIT_DROPPED: u8 = 8;
/// Exit code: a transaction is in a block but the node keeps no result for it (a bare
/// stacks-node without `--api`): whether it succeeded is unknown.
pub const EXIT_RESULT_UNKNOWN: u8 = 9;

/// The flags every command takes, in the ecosystem's conventions.
#[derive(clap::Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Answer yes to confirmations (for scripts).
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Network: devnet, testnet or mainnet. Sets address versions, chain id and the
    /// default node.
    #[arg(long, global = true, env = "EHR_NETWORK", default_value = "devnet")]
    pub network: Network,
    /// Node RPC URL (default: 127.0.0.1:20443 on devnet, Hiro's public API on
    /// testnet/mainnet).
    #[arg(long, global = true, env = "EHR_NODE", value_name = "URL")]
    pub node: Option<String>,
    /// A Hiro API (stacks-blockchain-api, or `ehr index` fed by the node's event observer)
    /// to follow transactions through, when not on the node's own host. Without it, a bare
    /// stacks-node is followed through its mempool and the sender's nonce.
    #[arg(long, global = true, env = "EHR_API", value_name = "URL")]
    pub api: Option<String>,
    /// Say more on standard error: how transactions are followed, each one sent.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// Seconds to wait for each transaction to be mined (default: 60 on devnet, 1800
    /// elsewhere). A command that runs out of time says how to finish it.
    #[arg(
        long,
        global = true,
        env = "EHR_WAIT",
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub wait: Option<u64>,
    /// The account that signs: a name from the keystore (`ehr account list`) or, on
    /// devnet, from Devnet.toml (deployer, wallet_1..wallet_8).
    #[arg(
        long,
        short = 'a',
        global = true,
        env = "EHR_ACCOUNT",
        value_name = "NAME"
    )]
    pub account: Option<String>,
    /// A file holding the signing key in hex (read, never printed).
    #[arg(long, global = true, value_name = "PATH", conflicts_with = "account")]
    pub key_file: Option<PathBuf>,
    /// An account that pays the fees (a clinic or NGO): name from the keystore or Devnet.toml.
    #[arg(long, global = true, env = "EHR_SPONSOR", value_name = "NAME")]
    pub sponsor: Option<String>,
    /// Address that published the EHR contracts (default on devnet: the devnet deployer).
    #[arg(long, global = true, env = "EHR_DEPLOYER", value_name = "ADDRESS")]
    pub deployer: Option<String>,
    /// The local keystore directory (default: $EHR_HOME/keys, or ~/.ehr/keys).
    #[arg(long, global = true, env = "EHR_KEYSTORE", value_name = "DIR")]
    pub keystore: Option<PathBuf>,
}

/// Where the signing key comes from when no flag names one.
pub const SECRET_KEY_ENV: &str = "EHR_SECRET_KEY";

/// A key to sign with, and the name to show for it.
pub struct Signer {
    /// Shown to the user: the account name or where the key came from.
    pub label: String,
    /// The key.
    pub key: SecretKey,
    /// Its address on the network in use.
    pub address: Address,
}

impl Signer {
    /// The address as a principal.
    pub fn principal(&self) -> PrincipalData {
        self.address.to_principal()
    }
}

/// The resolved global flags: network, node, keys, deployment.
pub struct Context {
    /// The flags as given.
    pub args: GlobalArgs,
    runtime: tokio::runtime::Runtime,
}

impl Context {
    /// Sets up the async runtime for the command.
    pub fn new(args: GlobalArgs) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        Ok(Context { args, runtime })
    }

    /// Runs a future to completion.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// The network.
    pub fn network(&self) -> Network {
        self.args.network
    }

    /// The node URL in use.
    pub fn node_url(&self) -> String {
        self.args
            .node
            .clone()
            .unwrap_or_else(|| self.args.network.default_node_url().to_string())
    }

    /// A client for the node (and the Hiro API, when `--api` sets one apart). With
    /// `--verbose`, says how it follows transactions.
    pub fn node(&self) -> anyhow::Result<NodeClient> {
        let url = self.node_url();
        let mut builder = NodeClient::builder(&url);
        if let Some(api) = &self.args.api {
            builder = builder.hiro_api_url(api);
        }
        let node = builder.build().with_context(|| match &self.args.api {
            Some(api) => format!("--node {url} --api {api}"),
            None => format!("--node {url}"),
        })?;
        if self.args.verbose {
            match self.block_on(node.tx_source()) {
                Ok(source) => eprintln!("following transactions through {source}"),
                Err(e) => eprintln!("cannot tell how to follow transactions on {url}: {e}"),
            }
        }
        Ok(node)
    }

    /// Where the EHR contracts are: `--deployer`, or the devnet deployer on devnet.
    pub fn deployment(&self) -> anyhow::Result<Deployment> {
        let address = match &self.args.deployer {
            Some(text) => text
                .parse::<Address>()
                .map_err(|e| anyhow!("--deployer `{text}`: {e}"))?,
            None if self.network() == Network::Devnet => devnet_accounts()?
                .deployer()
                .ok_or_else(|| anyhow!("Devnet.toml has no deployer account"))?
                .address
                .clone(),
            None => bail!(
                "on {} give the address that published the EHR contracts: --deployer ADDRESS \
                 (or EHR_DEPLOYER); `ehr deploy` prints it",
                self.network()
            ),
        };
        Ok(Deployment::new(address.to_standard_principal()))
    }

    /// The typed client for the contracts on the node.
    pub fn client(&self) -> anyhow::Result<EhrClient> {
        let client = EhrClient::new(self.node()?, self.network(), self.deployment()?);
        Ok(match self.args.wait {
            Some(seconds) => client.with_wait_timeout(std::time::Duration::from_secs(seconds)),
            None => client,
        })
    }

    fn keystore(&self) -> anyhow::Result<Keystore> {
        Keystore::open(self.args.keystore.clone())
    }

    /// The signing key: `--key-file`, `--account`, or `EHR_SECRET_KEY`, in that order.
    pub fn signer(&self) -> anyhow::Result<Signer> {
        if let Some(path) = &self.args.key_file {
            let key = crate::keystore::read_key_file(path)?;
            return Ok(self.signer_from(format!("key file {}", path.display()), key));
        }
        if let Some(name) = &self.args.account {
            return self.named(name, "--account");
        }
        if let Ok(text) = std::env::var(SECRET_KEY_ENV) {
            let key = SecretKey::from_hex(text.trim()).context(SECRET_KEY_ENV)?;
            return Ok(self.signer_from(SECRET_KEY_ENV.to_string(), key));
        }
        bail!(
            "this command signs a transaction: choose the account with --account NAME \
             (`ehr account list` shows them), --key-file PATH, or {SECRET_KEY_ENV}"
        )
    }

    /// The address a read-only command is about when none is given: the signer's.
    pub fn me(&self) -> anyhow::Result<PrincipalData> {
        Ok(self.signer()?.principal())
    }

    /// The sponsor, when `--sponsor` is given.
    pub fn sponsor(&self) -> anyhow::Result<Option<Signer>> {
        self.args
            .sponsor
            .as_deref()
            .map(|name| self.named(name, "--sponsor"))
            .transpose()
    }

    /// A key by name: the keystore first, then (devnet only) Devnet.toml.
    pub fn named(&self, name: &str, flag: &str) -> anyhow::Result<Signer> {
        let keystore = self.keystore()?;
        if let Some(key) = keystore.load(name)? {
            return Ok(self.signer_from(name.to_string(), key));
        }
        let devnet = devnet_accounts()?;
        if let Some(account) = devnet.account(name) {
            if self.network() != Network::Devnet {
                bail!(
                    "{flag} {name}: the Devnet.toml accounts have public mnemonics and are only \
                     for devnet; import your own key with `ehr account import`"
                );
            }
            return Ok(self.signer_from(name.to_string(), account.secret_key.clone()));
        }
        let mut names = keystore.names()?;
        if self.network() == Network::Devnet {
            names.extend(devnet.accounts.iter().map(|g| g.account.name.clone()));
        }
        bail!(
            "{flag}: unknown account `{name}`; known accounts: {}",
            if names.is_empty() {
                "none (create one with `ehr account new NAME`)".to_string()
            } else {
                names.join(", ")
            }
        )
    }

    /// A principal from a flag: an address, `ADDRESS.contract`, or an account name.
    pub fn principal(&self, text: &str) -> anyhow::Result<PrincipalData> {
        if let Ok(p) = PrincipalData::parse(text) {
            return Ok(p);
        }
        self.named(text, "principal")
            .map(|s| s.principal())
            .map_err(|_| anyhow!("`{text}` is neither a Stacks address nor a known account name"))
    }

    fn signer_from(&self, label: String, key: SecretKey) -> Signer {
        let address = key.address(self.network());
        Signer {
            label,
            key,
            address,
        }
    }

    /// The chain tip's Stacks block height (what `block-height` is in the next block, less
    /// one).
    pub fn tip_height(&self, client: &EhrClient) -> anyhow::Result<u64> {
        Ok(self
            .block_on(client.node().info())
            .context("reading the chain tip")?
            .stacks_tip_height)
    }
}

/// The directory `ehr` keeps its local state in: `$EHR_HOME`, or `~/.ehr`.
pub fn ehr_home() -> anyhow::Result<PathBuf> {
    match (std::env::var_os("EHR_HOME"), std::env::var_os("HOME")) {
        (Some(home), _) => Ok(PathBuf::from(home)),
        (None, Some(home)) => Ok(PathBuf::from(home).join(".ehr")),
        (None, None) => bail!("no home directory: set EHR_HOME"),
    }
}

/// The devnet accounts (Devnet.toml, compiled in).
pub fn devnet_accounts() -> anyhow::Result<ehr_sdk::devnet_config::DevnetConfig> {
    Ok(ehr_harness::ehr::devnet_accounts()?)
}

/// The exit code an error deserves (see `main.rs`).
pub fn exit_code(error: &anyhow::Error) -> ExitCode {
    for cause in error.chain() {
        if let Some(client) = cause.downcast_ref::<ClientError>() {
            match client {
                ClientError::Refused { .. } => return ExitCode::from(EXIT_REFUSED),
                ClientError::Dropped { .. } => return ExitCode::from(EXIT_DROPPED),
                ClientError::ResultUnknown { .. } | ClientError::NonceSpent { .. } => {
                    return ExitCode::from(EXIT_RESULT_UNKNOWN)
                }
                ClientError::Node(NodeError::BroadcastRejected { .. }) => {
                    return ExitCode::from(EXIT_REFUSED)
                }
                ClientError::Node(node) if unreachable(node) => {
                    return ExitCode::from(EXIT_UNREACHABLE)
                }
                _ => {}
            }
        }
        if cause.downcast_ref::<ContractError>().is_some() {
            return ExitCode::from(EXIT_REFUSED);
        }
        if let Some(node) = cause.downcast_ref::<NodeError>() {
            if unreachable(node) {
                return ExitCode::from(EXIT_UNREACHABLE);
            }
            if matches!(node, NodeError::BroadcastRejected { .. }) {
                return ExitCode::from(EXIT_REFUSED);
            }
        }
        if cause.downcast_ref::<Refused>().is_some() {
            return ExitCode::from(EXIT_REFUSED);
        }
        if cause.downcast_ref::<VerifyFailed>().is_some() {
            return ExitCode::from(EXIT_VERIFY_FAILED);
        }
    }
    ExitCode::from(1)
}

fn unreachable(node: &NodeError) -> bool {
    matches!(
        node,
        NodeError::Unreachable { .. } | NodeError::Timeout { .. } | NodeError::WaitTimeout { .. }
    )
}

/// A verification that failed: exit code [`EXIT_VERIFY_FAILED`].
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct VerifyFailed(pub String);

/// The chain's permissions say no, found before sending anything (e.g. no live grant to
/// log a view under): exit code [`EXIT_REFUSED`], like a contract's refusal.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// This very command line, quoted for a POSIX shell: what to run again to resume it.
pub fn rerun_command() -> String {
    let quoted = std::env::args_os().skip(1).map(|arg| {
        let arg = arg.to_string_lossy().into_owned();
        let plain = !arg.is_empty()
            && arg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@+%".contains(&b));
        if plain {
            arg
        } else {
            format!("'{}'", arg.replace('\'', r"'\''"))
        }
    });
    std::iter::once("ehr".to_string())
        .chain(quoted)
        .collect::<Vec<_>>()
        .join(" ")
}
