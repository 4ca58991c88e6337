//! `ehr deploy`: publish the EHR contracts from a plan, skipping what is already there.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use std::collections::BTreeMap;

use ehr_sdk::deploy::{DeployEvent, Deployer, InFlight, Plan};

use crate::journal::Journal;
use ehr_sdk::network::Network;

use crate::context::Context;
use crate::output;

/// Arguments of `ehr deploy`.
#[derive(clap::Args)]
pub struct Args {
    /// A Clarinet deployment plan (YAML) instead of the built-in plan. The built-in plan
    /// publishes the nine contracts compiled into `ehr`; on mainnet it uses the published
    /// SIP-009 trait instead of the local copy.
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// Print the plan and what is already deployed; send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Fee per deploy in micro-STX instead of the node's estimate.
    #[arg(long)]
    fee: Option<u64>,
    /// Seconds to wait for each deploy to be mined (default: the global --wait, else 600).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    timeout: Option<u64>,
}

/// Runs `ehr deploy`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let plan = match &args.plan {
        Some(path) => {
            Plan::from_clarinet_yaml(path).with_context(|| format!("plan {}", path.display()))?
        }
        None => Plan::ehr(ctx.network())?,
    };
    let signer = ctx.signer()?;
    let node = ctx.node()?;
    let json = ctx.args.json;
    if args.dry_run {
        if json {
            output::json(&serde_json::json!({
                "deployer": signer.address.to_string(),
                "network": ctx.network().to_string(),
                "contracts": plan.names(),
            }))?;
        } else {
            print!("{plan}");
            println!(
                "deployer {} on {} ({})",
                signer.address,
                ctx.network(),
                ctx.node_url()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if ctx.network() == Network::Mainnet && !ctx.args.yes {
        if !std::io::stdin().is_terminal() {
            bail!("deploying to mainnet spends real STX: pass --yes to confirm");
        }
        eprint!(
            "deploy {} contracts to mainnet from {}? [y/N] ",
            plan.steps.len(),
            signer.address
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            bail!("not confirmed; nothing was sent");
        }
    }
    // Deploys sent by an interrupted run of this same plan are followed, not sent again.
    let mut identity = vec![
        ctx.network().to_string().into_bytes(),
        signer.address.to_string().into_bytes(),
    ];
    for step in &plan.steps {
        identity.push(step.name.clone().into_bytes());
        identity.push(step.source.clone().into_bytes());
    }
    let journal = Journal::new(
        "deploy",
        &identity.iter().map(Vec::as_slice).collect::<Vec<_>>(),
    )?;
    let mut in_flight: BTreeMap<String, InFlight> = journal.load()?.unwrap_or_default();
    if !in_flight.is_empty() && !json {
        eprintln!(
            "  resuming an interrupted deploy: following {} sent before (progress in {})",
            in_flight.keys().cloned().collect::<Vec<_>>().join(", "),
            journal.path().display()
        );
    }
    let mut deployer = Deployer::new(&node, &signer.key, ctx.network())
        .wait_timeout(std::time::Duration::from_secs(
            args.timeout.or(ctx.args.wait).unwrap_or(600),
        ))
        .resuming(in_flight.clone());
    if let Some(fee) = args.fee {
        deployer = deployer.fixed_fee(fee);
    }
    let total = plan.steps.len();
    let mut done = 0usize;
    if !json {
        eprintln!(
            "deploying {total} contracts from {} to {} ({})",
            signer.address,
            ctx.network(),
            ctx.node_url()
        );
    }
    let report = ctx.block_on(deployer.run(&plan, &mut |event| {
        // Kept before the broadcast: a rerun follows (or sends again) these very bytes.
        if let DeployEvent::Signed { name, in_flight: sent } = &event {
            in_flight.insert(name.clone(), sent.clone());
            journal.save_or_warn(&in_flight);
        }
        if matches!(
            event,
            DeployEvent::Skipped { .. } | DeployEvent::Mined { .. }
        ) {
            done += 1;
        }
        if !json && !matches!(event, DeployEvent::Checking { .. } | DeployEvent::Signed { .. }) {
            eprintln!("  [{done}/{total}] {event}");
        }
    }))
    .with_context(|| {
        format!(
            "run the same command again to finish: deploys already sent are followed, not sent twice (progress in {})",
            journal.path().display()
        )
    })?;
    journal.remove()?;
    if json {
        output::json(&report)?;
    } else {
        println!(
            "{} deployed, {} already there; contracts at {}.<name>",
            report.deployed().len(),
            report.skipped().len(),
            report.deployer
        );
        if ctx.network() != Network::Devnet {
            println!(
                "point the other commands at them with --deployer {} (or EHR_DEPLOYER)",
                report.deployer
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
