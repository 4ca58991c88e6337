//! Devnet figures: start-to-ready-RPC time (with and without the eight EHR contracts),
//! and sustained ingestion of signed contract calls from concurrent loopback clients
//! with the state directory on (every acknowledgement fsync'd, transactions that arrive
//! together sharing one fsync): transactions per second and submit-to-mined latency,
//! p50 and p99.
//!
//! Ingestion runs twice in the same run: one submitter per account, each waiting for its
//! answer before sending its next transaction (9 in flight, the load of the earlier
//! figures), then `WINDOW` submitters per account (each account's nonces spread over
//! them, as a wallet or a clinic pipelining its transactions would), so the log's group
//! commit has concurrent transactions to share an fsync.
//!
//! Each ingestion run also prints the CPU time it took per transaction: on the chain
//! thread (which runs every transaction in the VM, one after another, so one core's
//! worth of it bounds the node's rate) and in the whole process (the node's HTTP and
//! signature checks, the log writer, and the bench's own clients). On a shared machine
//! the rates move with the other load; these move less (cache and scheduling effects
//! remain).
//!
//! Run: `cargo bench -p ehr-harness --bench devnet` (TXS=n per account to change the load,
//! WINDOW=n for the submitters per account, 16 by default, at most 25: the mempool's
//! chaining limit). Targets: ready in under 1 s (under 2 s with the contracts); with
//! `--state`, at least 5,000 tx/s and p99 submit-to-mined under 20 ms. The figures
//! before this bench's last change (docs/benchmarks.md) are printed beside the new ones.

#[path = "../tests/devnet_support/mod.rs"]
mod devnet_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clarity::vm::types::PrincipalData;
use devnet_support::*;
use ehr_harness::devnet::DevnetConfig;
use ehr_harness::simnet::{Simnet, SimnetConfig};

const CLIENTS: [&str; 9] = [
    "wallet_1", "wallet_2", "wallet_3", "wallet_4", "wallet_5", "wallet_6", "wallet_7", "wallet_8",
    "faucet",
];

async fn ready_time(with_contracts: bool) -> Duration {
    let genesis = genesis(with_contracts);
    let started = Instant::now();
    let node = start(DevnetConfig::new(genesis)).await;
    let http = reqwest::Client::new();
    let answered = http
        .get(format!("{}/v2/info", node.url()))
        .send()
        .await
        .expect("/v2/info answers")
        .status()
        .is_success();
    let elapsed = started.elapsed();
    assert!(answered);
    node.shutdown().await;
    elapsed
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn percentile(sorted: &[Duration], pct: usize) -> Duration {
    sorted[(sorted.len() - 1) * pct / 100]
}

/// The VM's own rate for the calls the ingestion runs send: the probe deployed in a
/// simnet set up as the devnet's chain is (costs tracked against the block limits, blocks
/// of one second), and every account's `bump` calls run straight through it, a block
/// mined after each round of the nine accounts. No HTTP, signatures, mempool, log or
/// disk: a node that runs its transactions one after another on one core can go no
/// faster than this.
fn vm_rate(per_client: u64) -> f64 {
    let senders: Vec<PrincipalData> = CLIENTS.iter().map(|who| principal(who)).collect();
    let mut sim = Simnet::new(SimnetConfig {
        auto_mine: false,
        block_time_secs: 1,
        balances: senders
            .iter()
            .map(|p| (p.clone(), 100_000_000_000))
            .collect(),
        ..SimnetConfig::default()
    })
    .expect("a simnet");
    let PrincipalData::Standard(deployer) = principal("deployer") else {
        unreachable!("the deployer is a standard principal")
    };
    let probe = sim
        .deploy_contract(&deployer, "probe", PROBE)
        .expect("the probe deploys")
        .contract;
    sim.mine_block();
    let started = Instant::now();
    for _ in 0..per_client {
        for sender in &senders {
            let receipt = sim
                .call_public(sender, &probe, "bump", &[])
                .expect("bump runs");
            assert!(receipt.committed);
        }
        sim.mine_block();
    }
    (per_client * senders.len() as u64) as f64 / started.elapsed().as_secs_f64()
}

/// What one ingestion run measured.
struct Ingestion {
    tx_per_s: f64,
    p50: Duration,
    p99: Duration,
}

/// The figures docs/benchmarks.md held before the chain thread stopped waiting for the
/// disk (2,700 calls, 2026-12-05): tx/s, p50 and p99 in ms.
const BEFORE: [(u64, f64, f64, f64); 2] = [(1, 1556.0, 10.1, 22.3), (16, 1707.0, 91.7, 1008.0)];

/// CPU time used so far, from /proc (Linux; `None` elsewhere): by the thread named
/// `thread`, or by the whole process when `thread` is `None`.
fn cpu_time(thread: Option<&str>) -> Option<Duration> {
    // utime and stime, fields 14 and 15 of a stat line, in clock ticks (USER_HZ: 100).
    let ticks = |stat: &str| -> Option<u64> {
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
    };
    let stat = match thread {
        None => std::fs::read_to_string("/proc/self/stat").ok()?,
        Some(name) => std::fs::read_dir("/proc/self/task")
            .ok()?
            .filter_map(Result::ok)
            .find(|task| {
                std::fs::read_to_string(task.path().join("comm"))
                    .is_ok_and(|comm| comm.trim() == name)
            })
            .and_then(|task| std::fs::read_to_string(task.path().join("stat")).ok())?,
    };
    Some(Duration::from_millis(ticks(&stat)? * 10))
}

/// Submits TXS signed contract calls per account from `window` concurrent submitters per
/// account (each sending its share of the account's nonces one after another) to a node
/// with a state directory, and measures until every one is mined.
async fn ingestion(per_client: u64, window: u64) -> Ingestion {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = DevnetConfig::new(genesis(false));
    config.state_dir = Some(dir.path().join("state"));
    let node = start(config).await;
    let rpc = Rpc::new(&node);
    rpc.mined(&rpc.send(&deploy_probe(0)).await).await;

    // Sign everything first: signing is the client's work, not the node's.
    let batches: Vec<Vec<(String, String)>> = CLIENTS
        .iter()
        .map(|who| {
            (0..per_client)
                .map(|n| {
                    let tx = call(who, "bump", vec![], n);
                    (hex::encode(tx.txid().0), tx.to_hex())
                })
                .collect()
        })
        .collect();
    let total = batches.iter().map(Vec::len).sum::<usize>();

    // Mined times come from the block stream.
    let mined_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut stream = reqwest::get(format!("{}/devnet/events", node.url()))
        .await
        .expect("the block stream");
    let watcher = {
        let mined_at = mined_at.clone();
        tokio::spawn(async move {
            let mut pending = String::new();
            while let Ok(Some(chunk)) = stream.chunk().await {
                let now = Instant::now();
                pending.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = pending.find("\n\n") {
                    let message: String = pending.drain(..end + 2).collect();
                    let Some(data) = message.lines().find_map(|l| l.strip_prefix("data:")) else {
                        continue;
                    };
                    let Ok(block) = serde_json::from_str::<serde_json::Value>(data.trim()) else {
                        continue;
                    };
                    let mut mined_at = mined_at.lock().unwrap();
                    for tx in block["transactions"].as_array().into_iter().flatten() {
                        if let Some(id) = tx["txid"].as_str() {
                            mined_at.insert(id.trim_start_matches("0x").to_string(), now);
                        }
                    }
                    if mined_at.len() >= total {
                        return;
                    }
                }
            }
        })
    };

    let submitted_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let chain_cpu = cpu_time(Some("devnet-chain"));
    let process_cpu = cpu_time(None);
    let started = Instant::now();
    let clients: Vec<_> = batches
        .into_iter()
        .flat_map(|batch| {
            // Submitter k sends nonces k, k + window, k + 2·window, ...
            (0..window as usize)
                .map(|k| {
                    batch
                        .iter()
                        .skip(k)
                        .step_by(window as usize)
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .map(|batch| {
            let (base, submitted_at) = (node.url().to_string(), submitted_at.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for (txid, hex) in batch {
                    loop {
                        let at = Instant::now();
                        let response = http
                            .post(format!("{base}/v2/transactions"))
                            .json(&serde_json::json!({ "tx": hex }))
                            .send()
                            .await
                            .expect("the node answers");
                        if response.status().is_success() {
                            submitted_at.lock().unwrap().insert(txid.clone(), at);
                            break;
                        }
                        // Too far ahead of the mined nonce: let a block go by.
                        let body = response.text().await.unwrap_or_default();
                        assert!(body.contains("TooMuchChaining"), "refused: {body}");
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                }
            })
        })
        .collect();
    for client in clients {
        client.await.expect("a client finished");
    }
    tokio::time::timeout(Duration::from_secs(120), watcher)
        .await
        .expect("every transaction mined within two minutes")
        .expect("the watcher finished");
    let elapsed = started.elapsed();
    let per_tx = |before: Option<Duration>, after: Option<Duration>| {
        after
            .zip(before)
            .map(|(a, b)| a.saturating_sub(b).as_secs_f64() * 1e6 / total as f64)
    };
    let chain_us = per_tx(chain_cpu, cpu_time(Some("devnet-chain")));
    let process_us = per_tx(process_cpu, cpu_time(None));
    let mut latencies: Vec<Duration> = {
        let (submitted_at, mined_at) = (submitted_at.lock().unwrap(), mined_at.lock().unwrap());
        submitted_at
            .iter()
            .filter_map(|(id, at)| mined_at.get(id).map(|m| m.saturating_duration_since(*at)))
            .collect()
    };
    latencies.sort();
    let height = rpc.height().await;
    let measured = Ingestion {
        tx_per_s: total as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 50),
        p99: percentile(&latencies, 99),
    };
    println!(
        "ingestion (--state on, {} accounts x {window} submitters = {} concurrent, {total} \
         signed contract calls): {:.0} tx/s, submit-to-mined p50 {:.1} ms, p99 {:.1} ms, \
         {height} blocks",
        CLIENTS.len(),
        CLIENTS.len() as u64 * window,
        measured.tx_per_s,
        measured.p50.as_secs_f64() * 1e3,
        measured.p99.as_secs_f64() * 1e3,
    );
    if let Some((_, tx_per_s, p50, p99)) = BEFORE.iter().find(|(w, ..)| *w == window) {
        println!(
            "  before (docs/benchmarks.md, {} submitters): {tx_per_s:.0} tx/s, p50 {p50:.1} ms, \
             p99 {p99:.1} ms; targets: >= 5,000 tx/s, p99 < 20 ms",
            CLIENTS.len() as u64 * window
        );
    }
    if let (Some(chain), Some(process)) = (chain_us, process_us) {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "  CPU per transaction: chain thread {chain:.0} us (one free core: at most {:.0} \
             tx/s), whole process {process:.0} us; the process had {:.0}% of {cores} cores",
            1e6 / chain,
            process * total as f64 / 1e6 / (elapsed.as_secs_f64() * cores as f64) * 100.0,
        );
    }
    node.shutdown().await;
    measured
}

fn main() {
    let per_client: u64 = std::env::var("TXS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let window: u64 = match std::env::var("WINDOW") {
        Err(_) => 16,
        Ok(n) => n
            .parse()
            .ok()
            .filter(|n| (1..=25).contains(n))
            .unwrap_or_else(|| panic!("WINDOW={n}: give a number of submitters from 1 to 25")),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut bare = Vec::new();
        let mut full = Vec::new();
        for _ in 0..5 {
            bare.push(ready_time(false).await);
            full.push(ready_time(true).await);
        }
        println!(
            "start to ready RPC, no contracts: median {:?} of 5",
            median(bare)
        );
        println!(
            "start to ready RPC, eight EHR contracts + trait: median {:?} of 5",
            median(full)
        );
        let vm = vm_rate(per_client);
        println!(
            "the VM alone, the same {} bump calls run straight in the simnet (costs tracked, \
             no node): {vm:.0} calls/s, {:.0} us a call",
            per_client * CLIENTS.len() as u64,
            1e6 / vm
        );
        let serial = ingestion(per_client, 1).await;
        let pipelined = ingestion(per_client, window).await;
        println!(
            "the node against the VM alone: {:.2}x with {} submitters, {:.2}x with {}",
            serial.tx_per_s / vm,
            CLIENTS.len(),
            pipelined.tx_per_s / vm,
            CLIENTS.len() as u64 * window,
        );
        println!(
            "ingestion, {} concurrent submitters vs {}: {:.2}x tx/s, p99 {:.2}x \
             (targets: >= 5,000 tx/s, p99 < 20 ms: {})",
            CLIENTS.len() as u64 * window,
            CLIENTS.len(),
            pipelined.tx_per_s / serial.tx_per_s,
            pipelined.p99.as_secs_f64() / serial.p99.as_secs_f64(),
            if pipelined.tx_per_s >= 5000.0 && pipelined.p99 < Duration::from_millis(20) {
                "met"
            } else {
                "NOT met"
            },
        );
    });
}
