//! `ehr index`: follow a stacks-node through its event observer stream, answer the Hiro API
//! routes clients follow transactions with (`ehr --api URL`) and the EHR routes
//! (`/ehr/v1/*`), and push notifications to webhooks; with a subcommand, manage the
//! webhooks and dead letters of an index database, or check an index against the chain.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context as _;
use ehr_index::{Database, IndexConfig, Store};

use crate::context::{Context, EXIT_VERIFY_FAILED};
use crate::output;

/// Arguments of `ehr index`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<IndexCommand>,
    #[command(flatten)]
    serve: ServeArgs,
}

/// Running the index.
#[derive(clap::Args)]
struct ServeArgs {
    /// Where the node posts its events: give the node this address as
    /// `[[events_observer]] endpoint = "HOST:PORT"` with `events_keys = ["*"]`. Keep it
    /// reachable by the node only: whoever can post to it can forge results.
    #[arg(long, default_value = "127.0.0.1:3700", value_name = "HOST:PORT")]
    observer: SocketAddr,
    /// Where clients read (`ehr --api http://HOST:PORT`).
    #[arg(long, default_value = "127.0.0.1:3999", value_name = "HOST:PORT")]
    listen: SocketAddr,
    /// The database: an SQLite file, or a PostgreSQL URL (postgres://USER@HOST:PORT/DB) that
    /// several indexes and tools can share (default: in memory only, gone when the index
    /// stops).
    #[arg(long, visible_alias = "database", value_name = "FILE|URL", value_parser = database)]
    db: Option<Database>,
    /// Seconds a webhook delivery is retried before it goes to the dead letters.
    #[arg(long, default_value_t = 86_400, value_name = "SECONDS")]
    give_up_after: u64,
}

#[derive(clap::Subcommand)]
enum IndexCommand {
    /// Subscribe, list or remove webhooks (each notification is POSTed, signed with
    /// HMAC-SHA256: header Ehr-Signature: t=<unix>,v1=<hex of HMAC(secret, "t." ++ body)>).
    ///
    /// Example: ehr index webhook --db index.sqlite add --url https://sms.clinic.example/hook --secret-env HOOK_SECRET
    Webhook {
        /// The index database (an SQLite file or a postgres:// URL).
        #[arg(long, visible_alias = "database", value_name = "FILE|URL", value_parser = database)]
        db: Database,
        #[command(subcommand)]
        action: WebhookAction,
    },
    /// List the deliveries given up on; `--replay` puts them (or one) back in their queues.
    ///
    /// Example: ehr index dead-letters --db index.sqlite --replay all
    DeadLetters {
        /// The index database (an SQLite file or a postgres:// URL).
        #[arg(long, visible_alias = "database", value_name = "FILE|URL", value_parser = database)]
        db: Database,
        /// `all`, or a delivery's number.
        #[arg(long, value_name = "all|SEQ")]
        replay: Option<String>,
    },
    /// What an index database holds: its tip, its audit entries, and the heights it never
    /// received (a gap: the index was down longer than the node retried; exit 6 if any).
    ///
    /// Example: ehr index status --db index.sqlite
    Status {
        /// The index database (an SQLite file or a postgres:// URL).
        #[arg(long, visible_alias = "database", value_name = "FILE|URL", value_parser = database)]
        db: Database,
    },
    /// Check an index against the chain: the audit hash chain recomputed from the index
    /// must link up and end at the chain's head, and every token's holder must be the
    /// chain's (exit 6 if not).
    ///
    /// Example: ehr index verify --db index.sqlite
    Verify {
        /// The index database (an SQLite file or a postgres:// URL).
        #[arg(long, visible_alias = "database", value_name = "FILE|URL", value_parser = database)]
        db: Database,
    },
}

#[derive(clap::Subcommand)]
enum WebhookAction {
    /// Subscribe a URL to notifications (all, or one recipient's).
    ///
    /// Example: ehr index webhook --db index.sqlite add --url https://sms.clinic.example/hook --secret-env HOOK_SECRET --recipient wallet_1
    Add {
        /// Where to POST.
        #[arg(long)]
        url: String,
        /// The name of the environment variable holding the shared secret (kept out of
        /// the shell history and the process list).
        #[arg(long, value_name = "VAR")]
        secret_env: String,
        /// Only this recipient's notifications (address or account name).
        #[arg(long)]
        recipient: Option<String>,
    },
    /// List the subscriptions (secrets are not shown).
    ///
    /// Example: ehr index webhook --db index.sqlite list
    List,
    /// Remove a subscription and its queue.
    ///
    /// Example: ehr index webhook --db index.sqlite remove 1
    Remove {
        /// Its id.
        id: i64,
    },
}

pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        None => serve(ctx, &args.serve),
        Some(IndexCommand::Webhook { db, action }) => webhook(ctx, &open(db)?, action),
        Some(IndexCommand::DeadLetters { db, replay }) => dead_letters(ctx, &open(db)?, replay),
        Some(IndexCommand::Verify { db }) => verify(ctx, &open(db)?),
        Some(IndexCommand::Status { db }) => status(ctx, &open(db)?),
    }
}

/// `--db`: a `postgres://` URL or an SQLite file.
fn database(text: &str) -> Result<Database, String> {
    Ok(Database::parse(text))
}

/// An existing index database (a typo must not create an empty one).
fn open(db: &Database) -> anyhow::Result<Store> {
    if let Database::Sqlite(path) = db {
        anyhow::ensure!(
            path.exists(),
            "{} does not exist: give the --db of a running or past `ehr index`",
            path.display()
        );
    }
    Store::open_database(db).with_context(|| format!("opening {db}"))
}

fn serve(ctx: &Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let node_url = ctx.node_url();
    let mut config = IndexConfig::new(&node_url, ctx.network(), ctx.deployment()?);
    if let Some(db) = &args.db {
        config = config.database(db.clone());
    }
    config.push.give_up_after = std::time::Duration::from_secs(args.give_up_after);
    ctx.block_on(async {
        let listeners = ehr_index::Listeners::bind(args.observer, args.listen).await?;
        let mut index = ehr_index::spawn(listeners, &config)
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

fn webhook(ctx: &Context, store: &Store, action: &WebhookAction) -> anyhow::Result<ExitCode> {
    match action {
        WebhookAction::Add {
            url,
            secret_env,
            recipient,
        } => {
            let parsed = reqwest::Url::parse(url).with_context(|| format!("--url `{url}`"))?;
            anyhow::ensure!(
                matches!(parsed.scheme(), "https" | "http"),
                "--url `{url}`: give an http(s) URL"
            );
            let secret = std::env::var(secret_env)
                .with_context(|| format!("--secret-env: ${secret_env} is not set"))?;
            anyhow::ensure!(
                secret.len() >= 16,
                "${secret_env}: give a secret of at least 16 characters"
            );
            let recipient = recipient
                .as_deref()
                .map(|r| ctx.principal(r).map(|p| p.to_string()))
                .transpose()?;
            let id = store.add_webhook(url, &secret, recipient.as_deref())?;
            if ctx.args.json {
                output::json(&serde_json::json!({ "id": id, "url": url, "recipient": recipient }))?;
            } else {
                println!(
                    "webhook {id}: {url} gets the notifications of {}",
                    recipient.as_deref().unwrap_or("everyone")
                );
            }
        }
        WebhookAction::List => {
            let hooks = store.webhooks()?;
            if ctx.args.json {
                output::json(&hooks)?;
            } else {
                for h in &hooks {
                    println!(
                        "{}  {}  {}",
                        h.id,
                        h.url,
                        h.recipient.as_deref().unwrap_or("(everyone)")
                    );
                }
            }
        }
        WebhookAction::Remove { id } => {
            anyhow::ensure!(store.remove_webhook(*id)?, "no webhook {id}");
            println!("webhook {id} removed");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn dead_letters(ctx: &Context, store: &Store, replay: &Option<String>) -> anyhow::Result<ExitCode> {
    if let Some(which) = replay {
        let seq = match which.as_str() {
            "all" => None,
            n => Some(
                n.parse::<i64>()
                    .with_context(|| format!("--replay `{n}`: give all or a delivery number"))?,
            ),
        };
        let n = store.replay(seq)?;
        if let (Some(seq), 0) = (seq, n) {
            anyhow::bail!("delivery {seq} is not a dead letter");
        }
        println!("{n} deliveries queued again");
        return Ok(ExitCode::SUCCESS);
    }
    let dead = store.dead_letters()?;
    if ctx.args.json {
        output::json(&dead)?;
    } else if dead.is_empty() {
        println!("no dead letters");
    } else {
        for d in &dead {
            println!(
                "{}  webhook {}  {} attempts  {}\n    {}",
                d.seq,
                d.webhook_id,
                d.attempts,
                d.last_error.as_deref().unwrap_or(""),
                d.payload
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn status(ctx: &Context, store: &Store) -> anyhow::Result<ExitCode> {
    let tip = store.tip()?;
    let audit_entries = store.audit_next_id()?;
    let missing = store.missing_blocks()?;
    if ctx.args.json {
        output::json(&serde_json::json!({
            "index_tip": tip.as_ref().map(|(height, hash)| serde_json::json!({
                "block_height": height, "index_block_hash": hash,
            })),
            "audit_entries": audit_entries,
            "missing_blocks": missing,
        }))?;
    } else {
        match &tip {
            Some((height, hash)) => println!("tip: block {height} ({hash})"),
            None => println!("tip: no block indexed yet"),
        }
        println!("audit entries: {audit_entries}");
        if missing.is_empty() {
            println!("missing blocks: none");
        }
        for m in &missing {
            println!(
                "MISSING: heights {}..={} (before block {}): their notifications and token movements are not indexed",
                m.from_height, m.to_height, m.before_block
            );
        }
    }
    Ok(if missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_VERIFY_FAILED)
    })
}

fn verify(ctx: &Context, store: &Store) -> anyhow::Result<ExitCode> {
    let client = ctx.client()?;
    let report = ctx.block_on(ehr_index::verify::against_chain(store, &client))?;
    if ctx.args.json {
        output::json(&report)?;
    } else {
        println!("{report}");
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_VERIFY_FAILED)
    })
}
