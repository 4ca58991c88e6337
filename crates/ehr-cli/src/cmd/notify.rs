//! `ehr notify`: the signing account's inbox: list, mark read, watch.

use std::process::ExitCode;
use std::time::Duration;

use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::types::Notification;
use ehr_sdk::ehr::{calls, EhrClient};
use ehr_sdk::network::Network;

use super::send::{execute, report};
use crate::context::Context;
use crate::output::{self, Table};

/// Arguments of `ehr notify`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: NotifyCommand,
}

#[derive(clap::Subcommand)]
enum NotifyCommand {
    /// List an inbox (default: the signing account's), newest last.
    ///
    /// Example: ehr notify list --account wallet_1 --unread
    List {
        /// Whose inbox (address or account name).
        principal: Option<String>,
        /// Only unread notifications.
        #[arg(long)]
        unread: bool,
    },
    /// Mark a notification read.
    ///
    /// Example: ehr notify read --account wallet_1 0
    Read {
        /// Its index in the inbox.
        index: u64,
    },
    /// Print new notifications as they arrive (Ctrl-C to stop). On the devnet it follows
    /// the node's block stream; on other nodes it polls.
    ///
    /// Example: ehr notify watch --account wallet_1
    Watch {
        /// Whose inbox (address or account name).
        principal: Option<String>,
        /// Seconds between polls where there is no block stream.
        #[arg(long, default_value_t = 10)]
        interval: u64,
        /// Stop after this many new notifications (for scripts).
        #[arg(long)]
        count: Option<u64>,
    },
}

/// Runs `ehr notify`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let client = ctx.client()?;
    match &args.command {
        NotifyCommand::List { principal, unread } => {
            let who = who(ctx, principal.as_deref())?;
            let (items, unread_count) = ctx.block_on(async {
                let count = client.get_notification_count(&who).await?;
                let items = fetch(&client, &who, 0, count).await?;
                Ok::<_, anyhow::Error>((items, client.get_unread_count(&who).await?))
            })?;
            let items: Vec<Notification> =
                items.into_iter().filter(|n| !unread || !n.read).collect();
            if ctx.args.json {
                output::json(
                    &serde_json::json!({ "principal": who.to_string(), "unread": unread_count, "notifications": items }),
                )?;
            } else {
                print_table(&items, &format!("no notifications for {who}"));
                println!("{unread_count} unread");
            }
        }
        NotifyCommand::Read { index } => {
            let signer = ctx.signer()?;
            let mined = execute(ctx, &client, &signer, &calls::mark_read(*index)?)?;
            report(
                ctx,
                &mined,
                &format!("notification {index} marked read"),
                serde_json::json!({ "index": index }),
            )?;
        }
        NotifyCommand::Watch {
            principal,
            interval,
            count,
        } => {
            let who = who(ctx, principal.as_deref())?;
            let stream_url = (ctx.network() == Network::Devnet)
                .then(|| format!("{}/devnet/events", ctx.node_url().trim_end_matches('/')));
            ctx.block_on(watch(
                ctx,
                &client,
                &who,
                stream_url,
                Duration::from_secs(*interval),
                *count,
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn who(ctx: &Context, principal: Option<&str>) -> anyhow::Result<PrincipalData> {
    match principal {
        Some(p) => ctx.principal(p),
        None => ctx.me(),
    }
}

async fn fetch(
    client: &EhrClient,
    who: &PrincipalData,
    from: u64,
    to: u64,
) -> anyhow::Result<Vec<Notification>> {
    let mut out = Vec::new();
    for index in from..to {
        if let Some(n) = client.get_notification(who, index).await? {
            out.push(n);
        }
    }
    Ok(out)
}

fn print_table(items: &[Notification], empty: &str) {
    let mut table = Table::new(vec!["INDEX", "BLOCK", "KIND", "REF", "FROM", "READ"]);
    for n in items {
        table.row(vec![
            n.index.to_string(),
            n.block.to_string(),
            n.kind.clone(),
            n.reference.to_string(),
            n.actor.to_string(),
            if n.read { "yes".into() } else { "no".into() },
        ]);
    }
    table.print(empty);
}

/// Prints notifications past the current count as they arrive. With a block stream
/// (the devnet's server-sent events), each block wakes it; otherwise it polls.
async fn watch(
    ctx: &Context,
    client: &EhrClient,
    who: &PrincipalData,
    stream_url: Option<String>,
    interval: Duration,
    limit: Option<u64>,
) -> anyhow::Result<()> {
    let mut seen = client.get_notification_count(who).await?;
    let mut printed = 0u64;
    if !ctx.args.json {
        eprintln!("  watching {who}'s inbox ({seen} so far); Ctrl-C to stop");
    }
    let http = reqwest::Client::new();
    let mut stream = match &stream_url {
        Some(url) => http
            .get(url)
            .send()
            .await
            .ok()
            .filter(|r| r.status().is_success()),
        None => None,
    };
    loop {
        let count = client.get_notification_count(who).await?;
        for n in fetch(client, who, seen, count).await? {
            if ctx.args.json {
                println!("{}", serde_json::to_string(&n)?);
            } else {
                println!(
                    "[block {}] {} #{} from {} (index {})",
                    n.block, n.kind, n.reference, n.actor, n.index
                );
            }
            printed += 1;
            if limit.is_some_and(|l| printed >= l) {
                return Ok(());
            }
        }
        seen = count;
        match stream.as_mut() {
            // Any data on the stream means a new block: look again.
            Some(response) => match tokio::time::timeout(interval, response.chunk()).await {
                Ok(Ok(Some(_))) | Err(_) => {}
                Ok(Ok(None)) | Ok(Err(_)) => stream = None,
            },
            None => tokio::time::sleep(interval).await,
        }
    }
}
