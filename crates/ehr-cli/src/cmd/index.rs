//! `ehr index`: follow a stacks-node through its event observer stream, and answer the
//! Hiro API routes clients follow transactions with (`ehr --api URL`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::context::Context;

/// Arguments of `ehr index`.
#[derive(clap::Args)]
pub struct Args {
    /// Where the node posts its events: give the node this address as
    /// `[[events_observer]] endpoint = "HOST:PORT"` with `events_keys = ["*"]`. Keep it
    /// reachable by the node only: whoever can post to it can forge results.
    #[arg(long, default_value = "127.0.0.1:3700", value_name = "HOST:PORT")]
    observer: SocketAddr,
    /// Where clients read (`ehr --api http://HOST:PORT`).
    #[arg(long, default_value = "127.0.0.1:3999", value_name = "HOST:PORT")]
    listen: SocketAddr,
    /// The SQLite database (default: in memory only, gone when the index stops).
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let node_url = ctx.node_url();
    ctx.block_on(async {
        let listeners = ehr_index::Listeners::bind(args.observer, args.listen).await?;
        let mut index = ehr_index::spawn(listeners, &node_url, args.db.as_deref())
            .await
            .context("starting the index")?;
        if ctx.args.json {
            println!(
                "{}",
                serde_json::json!({
                    "observer": index.observer_addr().to_string(),
                    "api": index.api_url(),
                    "node": node_url,
                })
            );
        } else {
            println!(
                "ehr index following {node_url}\n  node config:  [[events_observer]] endpoint = \"{}\", events_keys = [\"*\"]\n  clients:      ehr --api {}  (Ctrl-C stops it)",
                index.observer_addr(),
                index.api_url()
            );
        }
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                eprintln!("stopping the index");
                index.shutdown().await;
            }
            () = index.wait() => anyhow::bail!("the index's server stopped unexpectedly"),
        }
        Ok(ExitCode::SUCCESS)
    })
}
