//! The EHR flow in this simnet against Clarinet's own simnet, in one run.
//!
//! The flow is `tests/clarinet/ehr-scenario.json`: every public function of the EHR
//! contracts called by every role (its success and each refusal), 324 calls from
//! registration to audit, the same calls `contracts/costs.mjs` runs for the cost
//! comparison. Each round starts from a fresh chain with the contracts deployed; only the
//! calls are timed, arguments parsed beforehand, on both sides. Clarinet's half
//! (`contracts/bench.mjs`, @stacks/clarinet-sdk) runs with and without `trackCosts`; this
//! simnet always tracks costs against the block limits, as a node does. Without node or
//! without `npm ci` in contracts/, Clarinet's half is skipped with a message.
//!
//! Run: `cargo bench -p ehr-harness --bench ehr_flow` (ROUNDS=n, default 3).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ehr_harness::ehr::{EhrSimnet, LoggedCall};
use ehr_sdk::literal::parse_literal;
use serde::Deserialize;

#[derive(Deserialize)]
struct Scenario {
    calls: Vec<LoggedCall>,
}

#[derive(Deserialize)]
struct Clarinet {
    calls: usize,
    rounds: usize,
    untracked_seconds: f64,
    tracked_seconds: f64,
}

fn rust_rounds(scenario: &Scenario, rounds: usize) -> (Duration, usize) {
    let parsed: Vec<Vec<_>> = scenario
        .calls
        .iter()
        .map(|c| {
            c.args
                .iter()
                .map(|a| parse_literal(a, None).expect("the scenario's literals parse"))
                .collect()
        })
        .collect();
    let mut total = Duration::ZERO;
    let mut ok = 0;
    for _ in 0..rounds {
        let mut ehr = EhrSimnet::new().expect("the EHR contracts deploy");
        let start = Instant::now();
        for (call, args) in scenario.calls.iter().zip(&parsed) {
            let r = ehr
                .call(&call.sender, &call.contract, &call.function, args)
                .expect("the call runs");
            ok += usize::from(r.committed);
        }
        total += start.elapsed();
    }
    (total, ok)
}

fn clarinet(rounds: usize) -> Result<Clarinet, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts");
    if !dir.join("node_modules/@stacks/clarinet-sdk").exists() {
        return Err("run `npm ci` in contracts/ (the Clarinet SDK is not installed)".into());
    }
    let out = Command::new("node")
        .arg("bench.mjs")
        .arg(rounds.to_string())
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("node cannot start: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "contracts/bench.mjs failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // The SDK prints the contracts' print events as it runs; the figures are the last line.
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    serde_json::from_str(line).map_err(|e| format!("bench.mjs printed {line}: {e}"))
}

fn main() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clarinet/ehr-scenario.json");
    let scenario: Scenario =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("the scenario")).expect("JSON");
    let calls = scenario.calls.len() * rounds;
    let (elapsed, ok) = rust_rounds(&scenario, rounds);
    let ours = calls as f64 / elapsed.as_secs_f64();
    println!(
        "EHR flow: {} calls x {rounds} rounds ({} succeed per round, the rest are refusals)",
        scenario.calls.len(),
        ok / rounds
    );
    println!("  this simnet (costs tracked)      {ours:>9.0} calls/s");
    match clarinet(rounds) {
        Ok(c) => {
            assert_eq!(c.calls * c.rounds, calls, "both halves ran the same calls");
            let tracked = calls as f64 / c.tracked_seconds;
            let untracked = calls as f64 / c.untracked_seconds;
            println!(
                "  Clarinet simnet, trackCosts      {tracked:>9.0} calls/s   this simnet is {:.2}x",
                ours / tracked
            );
            println!(
                "  Clarinet simnet, no cost tracking {untracked:>8.0} calls/s   this simnet is {:.2}x",
                ours / untracked
            );
        }
        Err(why) => println!("  Clarinet simnet: SKIPPED ({why})"),
    }
}
