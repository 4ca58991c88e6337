//! `ehr devnet start|reset`: the local node, in this process, ready at once.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use ehr_harness::devnet::{self, DevnetConfig, Genesis, Mining, Routes};
use ehr_harness::simnet::Manifest;
use ehr_sdk::devnet_config::{DevnetConfig as DevnetToml, EventObserver};

/// Arguments of `ehr devnet`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Start the devnet node: the stacks-node RPC on 127.0.0.1, genesis accounts from
    /// Devnet.toml, the EHR contracts deployed by the deployer. Needs no file: the
    /// Devnet.toml and the contracts are built in (--config, --manifest to use others).
    ///
    /// Example: ehr devnet start --state .devnet
    Start(StartArgs),
    /// Delete a devnet state directory (refuses a directory that is not one).
    ///
    /// Example: ehr devnet reset --state .devnet
    Reset(ResetArgs),
    /// Keep the intact records of a damaged state log (the node refuses to start on
    /// one), dropping the damaged record and everything after it. The original log is
    /// copied beside it first (chain.log.damaged-<time>).
    ///
    /// Example: ehr devnet repair --state .devnet
    Repair(ResetArgs),
}

/// Arguments of `ehr devnet start`.
#[derive(clap::Args)]
struct StartArgs {
    /// Devnet.toml with the genesis accounts, node settings and event observers.
    /// Default: the built-in one (the Clarinet default accounts, port 20443, a block per
    /// transaction; the repository's devnet/Devnet.toml is a copy of it).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// A Clarinet project (Clarinet.toml, or its directory) whose contracts are deployed
    /// at genesis instead of the built-in EHR contracts.
    #[arg(long, value_name = "PATH", conflicts_with = "no_contracts")]
    manifest: Option<PathBuf>,
    /// Deploy no contracts at genesis (then `ehr deploy` publishes them).
    #[arg(long)]
    no_contracts: bool,
    /// RPC port on 127.0.0.1 (0: any free port). Default: Devnet.toml's rpc_port.
    #[arg(long)]
    port: Option<u16>,
    /// Milliseconds between blocks; 0 mines a block for every transaction. Default:
    /// Devnet.toml's block_time_ms.
    #[arg(long = "block-time", value_name = "MS")]
    block_time: Option<u64>,
    /// Keep the chain in this directory and resume it on the next start (default: in
    /// memory only).
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
    /// Serve exactly what a bare stacks-node serves: no Hiro API (`/extended`) routes,
    /// text 404s, no transaction index, no fee estimate before a kind of call is mined.
    /// Clients then follow transactions as on a clinic's own node.
    #[arg(long)]
    bare_node: bool,
    /// Also post the event stream to this observer (`HOST:PORT`, all events), as a
    /// stacks-node's `[[events_observer]]` does; e.g. an `ehr index`. Repeatable; adds to
    /// Devnet.toml's observers.
    #[arg(long, value_name = "HOST:PORT")]
    observer: Vec<String>,
}

/// Arguments of `ehr devnet reset` and `ehr devnet repair`.
#[derive(clap::Args)]
struct ResetArgs {
    /// The state directory.
    #[arg(long, value_name = "DIR")]
    state: PathBuf,
}

pub fn run(args: &Args, json: bool) -> anyhow::Result<ExitCode> {
    match &args.command {
        Command::Start(start) => run_start(start, json),
        Command::Reset(reset) => {
            devnet::reset_state_dir(&reset.state)?;
            if json {
                println!("{}", serde_json::json!({ "reset": reset.state }));
            } else {
                println!("deleted the devnet state in {}", reset.state.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Repair(repair) => {
            let done = devnet::repair_state_dir(&repair.state)?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({
                        "state": repair.state,
                        "kept_records": done.kept_records,
                        "kept_bytes": done.kept_bytes,
                        "dropped_records": done.dropped_records,
                        "dropped_bytes": done.dropped_bytes,
                        "backup": done.backup,
                    })
                );
            } else if let Some(backup) = &done.backup {
                println!(
                    "repaired {}: kept {} records ({} bytes), dropped {} record(s) ({} bytes) from the damage on; the original log is in {}",
                    repair.state.display(),
                    done.kept_records,
                    done.kept_bytes,
                    done.dropped_records,
                    done.dropped_bytes,
                    backup.display()
                );
            } else {
                println!(
                    "nothing to repair in {}: {} intact records, no damage",
                    repair.state.display(),
                    done.kept_records
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_start(args: &StartArgs, json: bool) -> anyhow::Result<ExitCode> {
    let toml = match &args.config {
        Some(path) => DevnetToml::load(path).context("reading the devnet settings (--config)")?,
        None => DevnetToml::builtin().context("reading the built-in devnet settings")?,
    };
    let genesis = match (&args.manifest, args.no_contracts) {
        (_, true) => Genesis::from_accounts(&toml, None)?,
        (Some(path), false) => Genesis::from_accounts(&toml, Some(&load_manifest(path)?))?,
        (None, false) => ehr_harness::ehr::devnet_genesis(&toml)?,
    };
    let config = DevnetConfig {
        port: args.port.unwrap_or(toml.node.rpc_port),
        mining: Mining::from_block_time_ms(args.block_time.unwrap_or(toml.node.block_time_ms)),
        genesis,
        state_dir: args.state.clone(),
        observers: toml
            .observers
            .iter()
            .cloned()
            .chain(args.observer.iter().map(|endpoint| EventObserver {
                endpoint: endpoint.clone(),
                events_keys: vec!["*".to_string()],
                timeout_ms: 5_000,
            }))
            .collect(),
        routes: if args.bare_node {
            Routes::BareNode
        } else {
            Routes::NodeAndHiroApi
        },
    };
    let mining = config.mining;
    let routes = config.routes;
    let accounts = config.genesis.accounts.clone();
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let mut node = devnet::spawn(config).await?;
        print_ready(&node, mining, routes, &accounts, json);
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                eprintln!("stopping the devnet");
                node.shutdown().await;
            }
            () = node.wait() => anyhow::bail!("the devnet's RPC server stopped unexpectedly"),
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn load_manifest(path: &Path) -> anyhow::Result<Manifest> {
    Manifest::load(path).context("loading the genesis contracts (--manifest)")
}

/// The ready line: URL, height, mining rhythm and the genesis accounts (addresses only:
/// the keys are the well-known devnet keys, but a node never prints keys).
fn print_ready(
    node: &devnet::DevnetHandle,
    mining: Mining,
    routes: Routes,
    accounts: &[(String, String)],
    json: bool,
) {
    let rhythm = match mining {
        Mining::EveryTransaction => "a block per transaction".to_string(),
        Mining::Interval(every) => format!("a block every {} ms", every.as_millis()),
    };
    let rhythm = match routes {
        Routes::BareNode => format!("{rhythm}, a bare stacks-node's routes only"),
        Routes::NodeAndHiroApi => rhythm,
    };
    if json {
        let accounts: Vec<_> = accounts
            .iter()
            .map(|(name, address)| serde_json::json!({ "name": name, "address": address }))
            .collect();
        println!(
            "{}",
            serde_json::json!({ "url": node.url(), "height": node.ready_height(), "accounts": accounts })
        );
        return;
    }
    println!(
        "devnet ready at {} (height {}, {rhythm}; Ctrl-C stops it)",
        node.url(),
        node.ready_height()
    );
    for (name, address) in accounts {
        println!("  {name:<10} {address}");
    }
}
