//! Signing throughput: the Rust builder against `@stacks/transactions`, in one run.
//!
//! Both halves build, sign and serialise the same N contract calls (permission-manager
//! `grant-access`, four arguments, testnet, wallet_1, nonces 0..N) and report transactions
//! per second; the last txid of each must be equal, which shows they did the same work. The
//! JS half is `tests/vectors/bench.mjs`, run with node; without node or without
//! `npm install` in tests/vectors, it is skipped with a message.
//!
//! Run: `cargo bench -p ehr-sdk --bench sign` (TXS=n to change N, default 2000).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use ehr_sdk::keys::SecretKey;
use ehr_sdk::network::Network;
use ehr_sdk::tx::{Payload, Transaction, TransactionBuilder};

/// wallet_1 of the devnet accounts.
const SENDER_KEY: &str = "7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801";
const CONTRACT: &str = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.permission-manager";
/// wallet_2.
const GRANTEE: &str = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";

struct Inputs {
    key: SecretKey,
    contract: QualifiedContractIdentifier,
    grantee: PrincipalData,
}

fn sign_one(inputs: &Inputs, i: u64) -> Transaction {
    let args = vec![
        Value::Principal(inputs.grantee.clone()),
        Value::UInt(1),
        Value::some(Value::string_ascii_from_bytes(b"lab".to_vec()).expect("ascii"))
            .expect("small optional"),
        Value::UInt(1000 + u128::from(i)),
    ];
    let payload = Payload::contract_call(&inputs.contract, "grant-access", args).expect("payload");
    let tx = TransactionBuilder::new(Network::Testnet, payload)
        .nonce(i)
        .fee(2000)
        .sign(&inputs.key)
        .expect("sign");
    // Serialise to hex, as the JS half does.
    std::hint::black_box(tx.to_hex());
    tx
}

struct Rate {
    tx_per_s: f64,
    seconds: f64,
    last_txid: String,
}

fn rust_half(n: u64) -> Rate {
    let inputs = Inputs {
        key: SecretKey::from_hex(SENDER_KEY).expect("devnet key"),
        contract: QualifiedContractIdentifier::parse(CONTRACT).expect("contract id"),
        grantee: PrincipalData::parse(GRANTEE).expect("address"),
    };
    sign_one(&inputs, 0); // warm-up
    let start = Instant::now();
    let mut last = None;
    for i in 0..n {
        last = Some(sign_one(&inputs, i));
    }
    let seconds = start.elapsed().as_secs_f64();
    Rate {
        tx_per_s: n as f64 / seconds,
        seconds,
        last_txid: last.map(|tx| tx.txid().to_hex()).unwrap_or_default(),
    }
}

/// Runs bench.mjs, or says why it cannot.
fn js_half(n: u64) -> Result<(Rate, String), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let package = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/node_modules/@stacks/transactions/package.json");
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        _ => return Err("node is not installed (or not on PATH)".into()),
    }
    let manifest = std::fs::read_to_string(&package).map_err(|_| {
        "@stacks/transactions is not installed: run `npm install` in crates/ehr-sdk/tests/vectors"
            .to_string()
    })?;
    let version = serde_json::from_str::<serde_json::Value>(&manifest)
        .ok()
        .and_then(|m| m["version"].as_str().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let out = Command::new("node")
        .arg("crates/ehr-sdk/tests/vectors/bench.mjs")
        .arg(n.to_string())
        .current_dir(&root)
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "bench.mjs failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("bench.mjs printed something that is not JSON ({e})"))?;
    let number = |field: &str| {
        report[field]
            .as_f64()
            .ok_or_else(|| format!("bench.mjs output has no number `{field}`"))
    };
    Ok((
        Rate {
            tx_per_s: number("tx_per_s")?,
            seconds: number("seconds")?,
            last_txid: report["last_txid"].as_str().unwrap_or_default().to_string(),
        },
        version,
    ))
}

fn main() {
    let n: u64 = std::env::var("TXS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(2000);
    println!("signing and serialising {n} contract calls (grant-access, 4 args, testnet)");
    let rust = rust_half(n);
    println!(
        "rust (ehr-sdk, stacks-codec + libsecp256k1): {:>9.0} tx/s  ({:.3} s)",
        rust.tx_per_s, rust.seconds
    );
    match js_half(n) {
        Ok((js, version)) => {
            println!(
                "js   (@stacks/transactions {version}):        {:>9.0} tx/s  ({:.3} s)",
                js.tx_per_s, js.seconds
            );
            println!("rust/js: {:.1}x", rust.tx_per_s / js.tx_per_s);
            let same = if js.last_txid == rust.last_txid {
                "yes"
            } else {
                "NO: the halves did different work"
            };
            println!("same last txid: {same} ({})", rust.last_txid);
        }
        Err(why) => println!("js half skipped: {why}"),
    }
}
