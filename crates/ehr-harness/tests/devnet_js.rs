//! The real client: `tests/js/compat.mjs` drives a devnet with @stacks/transactions 7.6.0
//! (nonce, a signed STX transfer and contract call with library-estimated fees, mining,
//! a read-only call, a map entry), against the EHR contracts deployed at genesis.

mod devnet_support;

use std::path::Path;
use std::process::Command;

use devnet_support::*;
use ehr_harness::devnet::DevnetConfig;

fn run(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{program}`: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stacks_js_signs_broadcasts_and_reads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/js");
    let node_found = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        node_found,
        "Node.js is needed for the stacks.js compatibility test: install Node 18 or newer \
         (Debian/Ubuntu: `apt-get install -y nodejs npm`), then run the tests again"
    );
    if !dir.join("node_modules/@stacks/transactions").exists() {
        let installed = run(
            &dir,
            "npm",
            &["ci", "--prefer-offline", "--no-audit", "--no-fund"],
            &[],
        );
        assert!(
            installed.status.success(),
            "npm ci in tests/js failed: {}",
            String::from_utf8_lossy(&installed.stderr)
        );
    }

    let node = start(DevnetConfig::new(genesis(true))).await;
    let url = node.url().to_string();
    let out = tokio::task::spawn_blocking(move || {
        run(&dir, "node", &["compat.mjs"], &[("DEVNET_URL", &url)])
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "compat.mjs failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .expect("compat.mjs prints a JSON summary");
    assert_eq!(summary["ok"], true);
    // The devnet saw the same two transactions the library signed.
    let rpc = Rpc::new(&node);
    for txid in summary["txids"].as_array().unwrap() {
        let tx = rpc.tx(txid.as_str().unwrap()).await;
        assert_eq!(tx["tx_status"], "success", "{tx}");
    }
    node.shutdown().await;
}
