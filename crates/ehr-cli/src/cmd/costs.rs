//! `ehr costs`: what each public function of the EHR contracts costs, measured on the
//! simnet with real cost tracking, as a share of the Stacks block limits.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Context;
use ehr_harness::ehr::{tour, EHR_CONTRACTS, INTERNAL_FUNCTIONS};
use ehr_harness::limits::block_share_percent;
use ehr_harness::simnet::Cost;

/// Arguments of `ehr costs`.
#[derive(clap::Args)]
pub struct Args {
    /// Print a Markdown table (the form committed in docs/costs.md).
    #[arg(long, conflicts_with = "json")]
    markdown: bool,
}

/// One row of the report.
#[derive(serde::Serialize)]
struct Row {
    contract: &'static str,
    function: &'static str,
    caller: &'static str,
    cost: Cost,
    /// Largest share of any block-limit dimension, in percent.
    max_block_share_percent: f64,
}

pub fn run(args: &Args, json: bool) -> anyhow::Result<ExitCode> {
    let (mut ehr, steps) = tour().context("running the tour of the contracts")?;
    let mut rows: BTreeMap<(&str, &str), Row> = BTreeMap::new();
    for s in steps {
        rows.entry((s.contract, s.function)).or_insert_with(|| Row {
            contract: s.contract,
            function: s.function,
            caller: s.who,
            max_block_share_percent: block_share_percent(&s.receipt.cost.into())
                .into_iter()
                .fold(0.0, f64::max),
            cost: s.receipt.cost,
        });
    }
    // Every public function is either measured or internal: the report cannot drift.
    let mut missing = Vec::new();
    for (name, _) in EHR_CONTRACTS {
        let id = ehr.contract(name);
        let Some(analysis) = ehr.sim.contract_analysis(&id) else {
            continue;
        };
        for f in analysis.public_function_types.keys() {
            let key = (name, f.as_str());
            if !rows.contains_key(&key) && !INTERNAL_FUNCTIONS.contains(&key) {
                missing.push(format!("{name}.{f}"));
            }
        }
    }
    anyhow::ensure!(
        missing.is_empty(),
        "the tour does not call: {}",
        missing.join(", ")
    );

    let over: Vec<&Row> = rows
        .values()
        .filter(|r| r.max_block_share_percent >= 1.0)
        .collect();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "rows": rows.values().collect::<Vec<_>>(),
                "internal": INTERNAL_FUNCTIONS.iter().map(|(c, f)| format!("{c}.{f}")).collect::<Vec<_>>(),
            }))?
        );
    } else if args.markdown {
        println!("| contract | function | runtime | reads | read bytes | writes | write bytes | max share of block limit |");
        println!("|---|---|---:|---:|---:|---:|---:|---:|");
        for r in rows.values() {
            let c = r.cost;
            println!(
                "| {} | `{}` | {} | {} | {} | {} | {} | {:.3}% |",
                r.contract,
                r.function,
                c.runtime,
                c.read_count,
                c.read_length,
                c.write_count,
                c.write_length,
                r.max_block_share_percent
            );
        }
        for (c, f) in INTERNAL_FUNCTIONS {
            println!("| {c} | `{f}` | - | - | - | - | - | included in its callers |");
        }
    } else {
        println!(
            "{:<20} {:<26} {:>9} {:>6} {:>9} {:>6} {:>9} {:>8}",
            "contract", "function", "runtime", "reads", "read B", "writes", "write B", "max %"
        );
        for r in rows.values() {
            let c = r.cost;
            println!(
                "{:<20} {:<26} {:>9} {:>6} {:>9} {:>6} {:>9} {:>7.3}%",
                r.contract,
                r.function,
                c.runtime,
                c.read_count,
                c.read_length,
                c.write_count,
                c.write_length,
                r.max_block_share_percent
            );
        }
        println!(
            "internal (cost included in callers): {}",
            INTERNAL_FUNCTIONS
                .iter()
                .map(|(c, f)| format!("{c}.{f}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if over.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "over 1% of a block limit: {}",
            over.iter()
                .map(|r| format!("{}.{}", r.contract, r.function))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(ExitCode::from(3))
    }
}
