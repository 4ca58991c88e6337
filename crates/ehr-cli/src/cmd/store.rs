//! `ehr store`: publish a store folder over HTTP, check a patient's blobs in every store,
//! copy the missing ones from one store to another.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use ehr_sdk::ehr::records::{self, BlobStore as _, FailureKind, Sources};
use ehr_sdk::ehr::stores::{self, Replicas};
use ehr_sdk::ehr::types::Record;

use super::record::StoreArgs;
use crate::context::{Context, VerifyFailed};
use crate::output;

/// Arguments of `ehr store`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: StoreCommand,
}

#[derive(clap::Subcommand)]
enum StoreCommand {
    /// Serve a store folder read-only over HTTP: GET and HEAD /ehr/<sha256 hex> (the
    /// sealed bytes, with range requests), nothing else. Records written there are read
    /// through the locator http://ADDR/ehr/<hex> (put a TLS proxy in front for https).
    ///
    /// Example: ehr store serve --store ~/.ehr/store --listen 0.0.0.0:8451
    Serve {
        /// The store folder to publish.
        #[arg(long, value_name = "DIR")]
        store: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8451")]
        listen: SocketAddr,
    },
    /// Check that every record of a patient kept off chain can be read, with the hash on
    /// chain, from each store (the --store list, then the place its locator names).
    ///
    /// Example: ehr store verify --patient wallet_1 --store s3://clinic/ehr --store ~/.ehr/store
    Verify {
        /// The patient (default: the signer).
        #[arg(long)]
        patient: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Copy into one store the blobs of a patient's records that it lacks (or holds
    /// changed), from another, each checked against the hash on chain.
    ///
    /// Example: ehr store sync --patient wallet_1 --from ~/.ehr/store --to s3://clinic/ehr
    Sync {
        /// The patient (default: the signer).
        #[arg(long)]
        patient: Option<String>,
        /// The store to copy from.
        #[arg(long, value_name = "STORE")]
        from: String,
        /// The store to repair.
        #[arg(long, value_name = "STORE")]
        to: String,
    },
}

/// Runs `ehr store`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        StoreCommand::Serve { store, listen } => serve(ctx, store, *listen),
        StoreCommand::Verify { patient, store } => verify(ctx, patient.as_deref(), store),
        StoreCommand::Sync { patient, from, to } => sync(ctx, patient.as_deref(), from, to),
    }
}

fn serve(ctx: &Context, dir: &std::path::Path, listen: SocketAddr) -> anyhow::Result<ExitCode> {
    if !dir.is_dir() {
        bail!("{} is not a folder", dir.display());
    }
    ctx.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}{}", ehr_web::gateway::PREFIX);
        if ctx.args.json {
            println!("{}", serde_json::json!({ "base": base }));
        } else {
            println!(
                "ehr store serve: blobs of {} at {base}/<sha256 hex>",
                dir.display()
            );
            println!("  records written with --store {base} are read there; Ctrl-C stops it");
        }
        ehr_web::gateway::serve(listener, dir.to_path_buf(), async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The patient's records (every version).
fn patient_records(ctx: &Context, patient: Option<&str>) -> anyhow::Result<Vec<Record>> {
    let patient = match patient {
        Some(p) => ctx.principal(p)?,
        None => ctx.signer()?.principal(),
    };
    let client = ctx.client()?;
    Ok(ctx.block_on(records::list_records(&client, &patient))?)
}

fn verify(ctx: &Context, patient: Option<&str>, store: &StoreArgs) -> anyhow::Result<ExitCode> {
    let records = patient_records(ctx, patient)?;
    let store = store.store()?;
    let mut rows = Vec::new();
    let (mut bad, mut off_chain) = (0, 0);
    for record in &records {
        let Some(sources) = Sources::new(record, Some(&store))? else {
            continue;
        };
        off_chain += 1;
        for (name, result) in sources.check_all() {
            let state = match &result {
                Ok(()) => "ok",
                Err(f) => match f.kind {
                    FailureKind::Missing => "missing",
                    FailureKind::Corrupt => "corrupt",
                    FailureKind::Failed => "failed",
                },
            };
            if result.is_err() {
                bad += 1;
            }
            rows.push(serde_json::json!({
                "record": record.id,
                "locator": record.locator,
                "store": name,
                "state": state,
                "detail": result.err().map(|f| f.detail),
            }));
        }
    }
    if ctx.args.json {
        output::json(&serde_json::json!({ "checked": rows, "problems": bad }))?;
    } else {
        for row in &rows {
            println!(
                "#{:<5} {:<8} {}{}",
                row["record"],
                row["state"].as_str().unwrap_or_default(),
                row["store"].as_str().unwrap_or_default(),
                row["detail"]
                    .as_str()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            );
        }
        println!(
            "{} record(s) kept off chain, {} check(s), {bad} problem(s)",
            off_chain,
            rows.len()
        );
    }
    if bad > 0 {
        return Err(VerifyFailed(format!(
            "{bad} store check(s) failed: repair a replica with `ehr store sync`"
        ))
        .into());
    }
    Ok(ExitCode::SUCCESS)
}

fn sync(ctx: &Context, patient: Option<&str>, from: &str, to: &str) -> anyhow::Result<ExitCode> {
    let records = patient_records(ctx, patient)?;
    let from = stores::open(from)?;
    let to = Replicas::new(vec![stores::open(to)?], None)?;
    let (mut copied, mut present) = (0, 0);
    let mut failed = Vec::new();
    for record in &records {
        let Some(target) = Sources::new(record, Some(&to))? else {
            continue;
        };
        let target = target.given_only();
        let hash = target.hash();
        if target.find().is_ok() {
            present += 1;
            continue;
        }
        match stores::copy_blob(from.as_ref(), &to, &hash, &record.content_hash) {
            Ok(_) => {
                copied += 1;
                if !ctx.args.json {
                    println!(
                        "#{}: copied {} to {}",
                        record.id,
                        hex::encode(hash),
                        to.name()
                    );
                }
            }
            Err(e) => {
                if !ctx.args.json {
                    eprintln!("#{}: {e}", record.id);
                }
                failed.push(serde_json::json!({ "record": record.id, "error": e.to_string() }));
            }
        }
    }
    if ctx.args.json {
        output::json(&serde_json::json!({
            "copied": copied, "present": present, "failed": failed,
        }))?;
    } else {
        println!(
            "{copied} copied, {present} already there, {} failed",
            failed.len()
        );
    }
    if !failed.is_empty() {
        bail!("{} blob(s) could not be copied", failed.len());
    }
    Ok(ExitCode::SUCCESS)
}
