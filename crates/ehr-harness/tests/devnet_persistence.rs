//! Persistence: a devnet process killed with SIGKILL at any moment restarts at its last
//! committed block with every accepted transaction mined or pending. The node runs in a
//! child process (this test binary re-executed as `child_node`), so the kill is real.

mod devnet_support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use devnet_support::*;
use ehr_harness::devnet::{is_state_dir, reset_state_dir, DevnetConfig};

const STATE_ENV: &str = "EHR_DEVNET_TEST_STATE";

/// The child: a devnet on the state directory named by the environment, printing its
/// URL, serving until killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of kill_nine_at_any_moment_loses_nothing_accepted"]
async fn child_node() {
    let dir = std::env::var(STATE_ENV).expect("run by the persistence test");
    let mut config = DevnetConfig::new(genesis(false));
    config.state_dir = Some(dir.into());
    let mut node = start(config).await;
    println!("READY {}", node.url());
    node.wait().await;
}

fn spawn_child(dir: &Path) -> (Child, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "child_node",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(STATE_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the child starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines.next().expect("the child prints READY").unwrap();
        // libtest may print the test's name on the same line first.
        if let Some((_, url)) = line.split_once("READY ") {
            break url.trim().to_string();
        }
    };
    (child, url)
}

fn rpc_at(url: &str) -> Rpc {
    Rpc {
        base: url.to_string(),
        http: reqwest::Client::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_nine_at_any_moment_loses_nothing_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let mut accepted: Vec<String> = Vec::new();
    let mut committed = 0u64;
    // The bursts' senders: each sends its share in nonce order, all at once, so the
    // log's group commit writes their transactions in shared batches and the kill lands
    // between or inside them.
    const SENDERS: [&str; 4] = ["wallet_1", "wallet_3", "wallet_4", "wallet_5"];
    let mut next_nonce = [0u64; SENDERS.len()];
    let (mut child, mut url) = spawn_child(&state);
    let rpc = rpc_at(&url);
    accepted.push(rpc.send(&deploy_probe(0)).await);
    rpc.mined(&accepted[0]).await;

    // Rounds: submit a burst concurrently, kill after a varying delay, restart, check.
    // Round r kills after at least 5·r acknowledgements, plus a few milliseconds.
    for (round, delay_ms) in [0u64, 1, 3, 7].into_iter().enumerate() {
        let rpc = rpc_at(&url);
        let mut chains: Vec<Vec<_>> = SENDERS
            .iter()
            .zip(next_nonce)
            .map(|(who, next)| {
                (0..5)
                    .map(|i| call(who, "bump", vec![], next + i))
                    .collect()
            })
            .collect();
        // A future nonce that must stay pending across restarts.
        chains.push(vec![call("wallet_2", "bump", vec![], 5 + round as u64)]);
        // Record each acknowledgement as it arrives: the kill cuts the burst anywhere.
        let acked = Arc::new(Mutex::new(Vec::new()));
        let submit = futures_util::future::join_all(chains.into_iter().map(|chain| {
            let (acked, base) = (acked.clone(), rpc.base.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for tx in chain {
                    let sent = http
                        .post(format!("{base}/v2/transactions"))
                        .json(&serde_json::json!({ "tx": tx.to_hex() }))
                        .send()
                        .await;
                    let Ok(response) = sent else { break };
                    if response.status() != 200 {
                        break;
                    }
                    let Ok(txid) = response.json::<String>().await else {
                        break;
                    };
                    acked.lock().unwrap().push(txid);
                }
            })
        }));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while acked.lock().unwrap().len() < 5 * round && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        if let Ok((_, info)) =
            tokio::time::timeout(Duration::from_millis(200), rpc.get("/v2/info")).await
        {
            committed = committed.max(info["stacks_tip_height"].as_u64().unwrap_or(0));
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let _ = tokio::time::timeout(Duration::from_secs(10), submit).await;
        accepted.extend(acked.lock().unwrap().drain(..));

        let (restarted, new_url) = spawn_child(&state);
        child = restarted;
        let rpc = rpc_at(&new_url);
        assert!(
            rpc.height().await >= committed,
            "round {round}: height went back"
        );
        for txid in &accepted {
            let (status, body) = rpc.get(&format!("/extended/v1/tx/0x{txid}")).await;
            assert_eq!(status, 200, "round {round}: accepted {txid} was lost");
            let state = body["tx_status"].as_str().unwrap();
            assert!(
                state == "success" || state == "pending",
                "round {round}: {txid} is {state}"
            );
        }
        committed = rpc.height().await;
        // The next burst continues after everything each sender has mined or pending.
        for (who, next) in SENDERS.iter().zip(&mut next_nonce) {
            let (_, nonces) = rpc
                .get(&format!(
                    "/extended/v1/address/{}/nonces",
                    account(who).address
                ))
                .await;
            *next = nonces["possible_next_nonce"].as_u64().unwrap();
        }
        url = new_url;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        accepted.len() > 20,
        "the bursts were accepted: {}",
        accepted.len()
    );

    // A torn tail (a crash mid-write) is cut off on the next start.
    let log = state.join("chain.log");
    let mut bytes = std::fs::read(&log).unwrap();
    bytes.extend([200, 0, 0, 0, 1, 2, 3]);
    std::fs::write(&log, &bytes).unwrap();
    let (mut child, url) = spawn_child(&state);
    assert!(rpc_at(&url).height().await >= committed);
    child.kill().unwrap();
    child.wait().unwrap();

    // Reset refuses what is not a state directory, and wipes one that is.
    assert!(is_state_dir(&state));
    assert!(reset_state_dir(dir.path()).is_err());
    reset_state_dir(&state).unwrap();
    assert!(!state.exists());
}

/// Two nodes on one state directory would both append to its log: the second start is
/// refused, naming the first (its pid and address), and the log is left alone. Once the
/// holder is gone (even by SIGKILL, leaving its lock file behind) the directory starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_node_on_a_locked_state_directory_is_refused_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let (mut child, url) = spawn_child(&state);
    let before = std::fs::read(state.join("chain.log")).unwrap();

    let mut config = DevnetConfig::new(genesis(false));
    config.state_dir = Some(state.clone());
    let refused = match ehr_harness::devnet::spawn(config.clone()).await {
        Ok(node) => {
            node.shutdown().await;
            child.kill().unwrap();
            panic!("a second node started on a directory in use");
        }
        Err(e) => e.to_string(),
    };
    assert!(
        refused.contains(&format!("pid {}", child.id())),
        "names the holder's pid: {refused}"
    );
    assert!(
        refused.contains(&url),
        "names the holder's address: {refused}"
    );
    assert_eq!(std::fs::read(state.join("chain.log")).unwrap(), before);
    // The holder still works.
    assert!(rpc_at(&url).height().await <= 1);

    child.kill().unwrap();
    child.wait().unwrap();
    let node = ehr_harness::devnet::spawn(config)
        .await
        .expect("the directory starts once its holder is gone");
    node.shutdown().await;
}
