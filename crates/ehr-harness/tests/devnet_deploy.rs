//! `ehr_sdk::deploy` against the embedded devnet: the built-in plan publishes the nine
//! contracts, a second run skips them, a partial deployment is completed, and a conflict,
//! a failing contract, a deploy not mined in time and an unreachable node each stop the
//! run with what is done and how to resume. Plus the mainnet plan and Clarinet plans.

mod devnet_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clarity::vm::types::{QualifiedContractIdentifier, Value};
use clarity::vm::ClarityVersion;
use devnet_support::*;
use ehr_harness::devnet::{DevnetConfig, DevnetHandle, Mining};
use ehr_sdk::deploy::{
    DeployError, DeployEvent, DeployReport, Deployer, Plan, PlanError, PlanStep, StepFailure,
    StepOutcome, MAINNET_NFT_TRAIT,
};
use ehr_sdk::ehr::EHR_CONTRACTS;
use ehr_sdk::keys::Account;
use ehr_sdk::network::Network;
use ehr_sdk::node::{NodeClient, NodeError, RetryPolicy};
use serde_json::json;

const LOCAL_IMPL: &str = "(impl-trait .nft-trait.nft-trait)";

fn names() -> Vec<&'static str> {
    EHR_CONTRACTS.iter().map(|(name, _)| *name).collect()
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn contract(name: &str) -> QualifiedContractIdentifier {
    QualifiedContractIdentifier::parse(&format!("{}.{name}", account("deployer").address))
        .expect("contract id")
}

fn devnet_plan_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../contracts/deployments/default.devnet-plan.yaml")
}

/// The built-in devnet plan cut to the steps named.
fn subplan(names: &[&str]) -> Plan {
    let full = Plan::ehr(Network::Devnet).expect("the devnet plan");
    Plan::new(
        names
            .iter()
            .map(|n| {
                full.steps
                    .iter()
                    .find(|s| s.name == *n)
                    .expect("a built-in step")
                    .clone()
            })
            .collect(),
    )
}

fn client(node: &DevnetHandle) -> NodeClient {
    NodeClient::new(node.url()).expect("client")
}

/// Runs `plan` as `who` with the devnet defaults, collecting the events.
async fn deploy(
    node: &NodeClient,
    who: &Account,
    plan: &Plan,
) -> (Result<DeployReport, DeployError>, Vec<DeployEvent>) {
    let mut events = Vec::new();
    let result = Deployer::new(node, &who.secret_key, Network::Devnet)
        .run(plan, &mut |event| events.push(event))
        .await;
    (result, events)
}

/// The deployer's mined nonce and the next nonce counting the mempool.
async fn nonces(node: &NodeClient) -> (u64, u64) {
    let me = account("deployer").principal();
    let mined = node.account(&me).await.expect("account").nonce;
    let next = node.nonces(&me).await.expect("nonces").possible_next_nonce;
    (mined, next)
}

async fn is_absent(node: &NodeClient, name: &str) -> bool {
    matches!(
        node.contract_source(&contract(name)).await,
        Err(NodeError::NotFound { .. })
    )
}

/// Checks that `events` deploy `deployed` (with nonces from `first_nonce`) and skip
/// `skipped`, in plan order `order`.
fn check_events(events: &[DeployEvent], order: &[&str], skipped: &[&str], first_nonce: u64) {
    let mut rest = events;
    let mut nonce = first_nonce;
    let mut last_block = 0;
    for name in order {
        match rest {
            [DeployEvent::Checking { name: n }, DeployEvent::Skipped { name: m }, tail @ ..]
                if skipped.contains(name) =>
            {
                assert_eq!((n.as_str(), m.as_str()), (*name, *name));
                rest = tail;
            }
            [DeployEvent::Checking { name: n }, DeployEvent::Signed {
                name: s,
                in_flight: signed,
            }, DeployEvent::Broadcast {
                name: b,
                txid: sent,
                nonce: used,
                fee,
            }, DeployEvent::Mined {
                name: m,
                txid: mined,
                block,
            }, tail @ ..]
                if !skipped.contains(name) =>
            {
                assert_eq!(
                    (n.as_str(), s.as_str(), b.as_str(), m.as_str()),
                    (*name, *name, *name, *name)
                );
                // Signed (and kept) before it was broadcast: the same transaction.
                assert_eq!((signed.txid, signed.nonce), (*sent, *used));
                assert_eq!(sent, mined);
                assert_eq!(*used, nonce, "{name}: nonces are consecutive");
                assert!(*fee > 0, "{name}: a fee is paid");
                assert!(*block > last_block, "{name}: one deploy after the other");
                last_block = *block;
                nonce += 1;
                rest = tail;
            }
            other => panic!(
                "unexpected events for {name}: {}",
                other
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }
    assert!(rest.is_empty(), "events after the last step: {rest:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_devnet_gets_all_nine_and_a_second_run_skips_them() {
    let devnet = start_plain().await;
    let node = client(&devnet);
    let deployer = account("deployer");
    let plan = Plan::ehr(Network::Devnet).unwrap();
    assert_eq!(plan.names(), names());

    let (result, events) = deploy(&node, &deployer, &plan).await;
    let report = result.expect("the nine deploy");
    check_events(&events, &names(), &[], 0);
    assert_eq!(report.deployed(), names());
    assert!(report.skipped().is_empty());
    assert_eq!(report.deployer, deployer.address.to_string());
    for (i, step) in report.steps.iter().enumerate() {
        assert!(
            matches!(step.outcome, StepOutcome::Deployed { nonce, .. } if nonce == i as u64),
            "{step:?}"
        );
    }
    for (name, source) in EHR_CONTRACTS {
        let deployed = node.contract_source(&contract(name)).await.expect(name);
        assert_eq!(deployed.source, source, "{name} is published byte for byte");
    }
    let owner = node
        .call_read_only(
            &contract("patient-registry"),
            "get-owner",
            &[],
            &deployer.principal(),
        )
        .await
        .expect("get-owner");
    assert_eq!(owner, Value::Principal(deployer.principal()));
    assert_eq!(nonces(&node).await, (9, 9));

    // The report as `--json` prints it.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["network"], "devnet");
    assert_eq!(json["steps"].as_array().unwrap().len(), 9);
    let first = &json["steps"][0];
    assert_eq!(first["name"], "nft-trait");
    assert_eq!(first["status"], "deployed");
    assert_eq!(first["nonce"], 0);
    assert_eq!(
        first["contract_id"],
        format!("{}.nft-trait", deployer.address)
    );
    let txid = first["txid"].as_str().unwrap();
    assert!(txid.starts_with("0x") && txid.len() == 66, "{txid}");

    // Again: everything is there with the same source, nothing is sent.
    let (result, events) = deploy(&node, &deployer, &plan).await;
    let report = result.expect("a second run succeeds");
    check_events(&events, &names(), &names(), 9);
    assert_eq!(report.skipped(), names());
    assert!(report.deployed().is_empty());
    assert_eq!(report.total_fee(), 0);
    assert_eq!(
        serde_json::to_value(&report).unwrap()["steps"][3],
        json!({
            "name": "notification-system",
            "contract_id": format!("{}.notification-system", deployer.address),
            "status": "skipped"
        })
    );
    assert_eq!(nonces(&node).await, (9, 9), "no transaction was sent");
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_deployment_is_completed() {
    let devnet = start_plain().await;
    let node = client(&devnet);
    let deployer = account("deployer");
    let mut first_three = Plan::ehr(Network::Devnet).unwrap();
    first_three.steps.truncate(3);
    let (result, events) = deploy(&node, &deployer, &first_three).await;
    assert_eq!(result.unwrap().deployed(), &names()[..3]);
    check_events(&events, &names()[..3], &[], 0);
    assert!(is_absent(&node, names()[3]).await);

    let (result, events) = deploy(&node, &deployer, &Plan::ehr(Network::Devnet).unwrap()).await;
    let report = result.expect("the rest deploys");
    assert_eq!(report.skipped(), &names()[..3]);
    assert_eq!(report.deployed(), &names()[3..]);
    check_events(&events, &names(), &names()[..3], 3);
    for (name, source) in EHR_CONTRACTS {
        assert_eq!(
            node.contract_source(&contract(name)).await.unwrap().source,
            source
        );
    }
    assert_eq!(nonces(&node).await, (9, 9));
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_published_with_other_source_stops_the_run() {
    let devnet = start_plain().await;
    let node = client(&devnet);
    let deployer = account("deployer");
    deploy(&node, &deployer, &subplan(&["nft-trait", "audit-log"]))
        .await
        .0
        .expect("two contracts deploy");

    let mut plan = Plan::ehr(Network::Devnet).unwrap();
    let audit = plan
        .steps
        .iter_mut()
        .find(|s| s.name == "audit-log")
        .unwrap();
    audit.source.push_str("\n;; a later edit\n");
    let (result, events) = deploy(&node, &deployer, &plan).await;
    let err = result.expect_err("audit-log cannot be replaced");
    let message = err.to_string();
    match err {
        DeployError::Step {
            failed,
            deployed_now,
            already_there,
            not_sent,
            reason,
        } => {
            assert_eq!(failed, "audit-log");
            // Found before anything was sent: nothing is published that could never be
            // completed under this key.
            assert!(deployed_now.is_empty(), "{deployed_now:?}");
            assert_eq!(already_there, strings(&["nft-trait"]));
            let mut rest = strings(&names()[3..]);
            rest.insert(0, "verification-helper".into());
            assert_eq!(not_sent, rest);
            assert_eq!(
                reason,
                StepFailure::Conflict {
                    contract: contract("audit-log").to_string()
                }
            );
        }
        other => panic!("expected a step failure, got {other:?}"),
    }
    for part in [
        "audit-log",
        "already exists with a different source",
        "cannot be replaced",
        "immutable",
        "another deployer key",
        "other contract names",
        "Deployed by this run: none",
        "Already deployed before: nft-trait",
    ] {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(nonces(&node).await, (2, 2), "nothing was sent");
    assert!(is_absent(&node, "verification-helper").await);
    assert!(is_absent(&node, "notification-system").await);
    // The original is untouched.
    assert_eq!(
        node.contract_source(&contract("audit-log"))
            .await
            .unwrap()
            .source,
        EHR_CONTRACTS[2].1
    );
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_that_fails_analysis_stops_the_run() {
    let devnet = start_plain().await;
    let node = client(&devnet);
    let deployer = account("deployer");
    let mut plan = subplan(&["nft-trait", "verification-helper", "audit-log"]);
    plan.steps.insert(
        2,
        PlanStep::new("broken", "(define-read-only (f) (no-such-function u1))\n"),
    );
    let (result, events) = deploy(&node, &deployer, &plan).await;
    let err = result.expect_err("broken fails analysis");
    let message = err.to_string();
    let DeployError::Step {
        failed,
        deployed_now,
        already_there,
        not_sent,
        reason,
    } = err
    else {
        panic!("expected a step failure, got {err:?}");
    };
    assert_eq!(failed, "broken");
    assert_eq!(deployed_now, strings(&["nft-trait", "verification-helper"]));
    assert!(already_there.is_empty());
    assert_eq!(not_sent, strings(&["audit-log"]));
    let StepFailure::Aborted { txid, detail, .. } = &reason else {
        panic!("expected an aborted deploy, got {reason:?}");
    };
    assert!(detail.contains("no-such-function"), "{detail}");
    assert!(
        matches!(events.last(), Some(DeployEvent::Broadcast { name, txid: sent, .. }) if name == "broken" && sent == txid),
        "{events:?}"
    );
    for part in [
        "deploying `broken` failed",
        &format!("0x{txid}"),
        "was not published",
        "Deployed by this run: nft-trait, verification-helper",
        "Not sent: audit-log",
        "run the same command again",
        "already deployed with the same source are skipped",
    ] {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }
    // The failed deploy used a nonce; audit-log was never sent.
    assert_eq!(nonces(&node).await, (3, 3));
    assert!(is_absent(&node, "broken").await);
    assert!(is_absent(&node, "audit-log").await);
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_not_mined_in_time_may_still_be_mined() {
    // Blocks only on request: the deploy stays pending.
    let mut config = DevnetConfig::new(genesis(false));
    config.mining = Mining::Interval(Duration::from_secs(3600));
    let devnet = start(config).await;
    let node = client(&devnet);
    let deployer = account("deployer");
    let plan = subplan(&["nft-trait", "verification-helper"]);
    let mut events = Vec::new();
    let err = Deployer::new(&node, &deployer.secret_key, Network::Devnet)
        .wait_timeout(Duration::from_millis(800))
        .poll_interval(Duration::from_millis(50))
        .run(&plan, &mut |e| events.push(e))
        .await
        .expect_err("nothing is mined");
    let message = err.to_string();
    let DeployError::Step {
        failed,
        deployed_now,
        reason,
        ..
    } = err
    else {
        panic!("expected a step failure, got {err:?}");
    };
    assert_eq!(failed, "nft-trait");
    assert!(deployed_now.is_empty());
    let StepFailure::NotMined {
        txid, seen_pending, ..
    } = reason
    else {
        panic!("expected a wait timeout, got {reason:?}");
    };
    assert!(seen_pending);
    for part in [
        "may still be mined",
        &format!("0x{txid}"),
        "is mined or dropped, run the same command again",
    ] {
        assert!(message.contains(part), "`{part}` missing from: {message}");
    }

    // Once it is mined, the same command skips it and goes on.
    let rpc = Rpc::new(&devnet);
    let (status, _) = rpc.post_json("/devnet/mine", &json!({ "blocks": 1 })).await;
    assert_eq!(status, 200);
    assert_eq!(rpc.mined(&txid.to_string()).await["tx_status"], "success");
    let mut run = Box::pin(async {
        let mut events = Vec::new();
        let result = Deployer::new(&node, &deployer.secret_key, Network::Devnet)
            .poll_interval(Duration::from_millis(50))
            .run(&plan, &mut |e| events.push(e))
            .await;
        (result, events)
    });
    // Mine for the second deploy while the run waits for it.
    let (result, events) = loop {
        tokio::select! {
            done = &mut run => break done,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                rpc.post_json("/devnet/mine", &json!({ "blocks": 1 })).await;
            }
        }
    };
    let report = result.expect("the rest deploys");
    assert_eq!(report.skipped(), vec!["nft-trait"]);
    assert_eq!(report.deployed(), vec!["verification-helper"]);
    check_events(
        &events,
        &["nft-trait", "verification-helper"],
        &["nft-trait"],
        1,
    );
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_node_stops_the_run_at_the_first_step() {
    // Nothing listens on a port just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let node = NodeClient::builder(&format!("http://127.0.0.1:{port}"))
        .retry(RetryPolicy::NONE)
        .build()
        .unwrap();
    let (result, events) = deploy(
        &node,
        &account("deployer"),
        &Plan::ehr(Network::Devnet).unwrap(),
    )
    .await;
    let err = result.expect_err("no node");
    assert!(err.to_string().contains("unreachable"), "{err}");
    match err {
        DeployError::Step {
            failed,
            deployed_now,
            already_there,
            not_sent,
            reason: StepFailure::Lookup(NodeError::Unreachable { .. }),
        } => {
            assert_eq!(failed, "nft-trait");
            assert!(deployed_now.is_empty() && already_there.is_empty());
            assert_eq!(not_sent.len(), 8);
        }
        other => panic!("expected an unreachable node, got {other:?}"),
    }
    assert!(events.is_empty(), "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_for_another_sender_or_network_or_with_bad_steps_are_refused_before_sending() {
    // Any request would fail as unreachable: these must fail before the first.
    let node = NodeClient::builder("http://127.0.0.1:9")
        .retry(RetryPolicy::NONE)
        .build()
        .unwrap();
    let clarinet = Plan::from_clarinet_yaml(&devnet_plan_path()).unwrap();
    let (result, events) = deploy(&node, &account("wallet_1"), &clarinet).await;
    assert!(events.is_empty());
    let err = result.unwrap_err();
    assert_eq!(
        err,
        DeployError::SenderMismatch {
            step: "nft-trait".into(),
            expected: account("deployer").address.to_string(),
            deployer: account("wallet_1").address.to_string(),
        }
    );
    assert!(err.to_string().contains("regenerate the plan"), "{err}");

    let mainnet = Plan::ehr(Network::Mainnet).unwrap();
    let (result, _) = deploy(&node, &account("deployer"), &mainnet).await;
    assert_eq!(
        result.unwrap_err(),
        DeployError::NetworkMismatch {
            plan: Network::Mainnet,
            deployer: Network::Devnet
        }
    );
    let key = account("deployer").secret_key;
    let err = Deployer::new(&node, &key, Network::Mainnet)
        .run(&Plan::ehr(Network::Testnet).unwrap(), &mut |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(err, DeployError::NetworkMismatch { .. }),
        "{err:?}"
    );

    let twice = subplan(&["nft-trait", "nft-trait"]);
    let (result, _) = deploy(&node, &account("deployer"), &twice).await;
    assert_eq!(
        result.unwrap_err(),
        DeployError::Plan(PlanError::Duplicate("nft-trait".into()))
    );
    let bad_name = Plan::new(vec![PlanStep::new("not a name", "(ok true)")]);
    let (result, _) = deploy(&node, &account("deployer"), &bad_name).await;
    assert!(
        matches!(result, Err(DeployError::Plan(PlanError::Step { ref name, .. })) if name == "not a name"),
        "{result:?}"
    );
}

#[test]
fn the_mainnet_plan_implements_the_published_trait() {
    let mainnet = Plan::ehr(Network::Mainnet).unwrap();
    assert_eq!(mainnet.steps.len(), 8);
    assert_eq!(mainnet.names(), &names()[1..]);
    assert_eq!(mainnet.network, Some(Network::Mainnet));
    let published = format!("(impl-trait '{MAINNET_NFT_TRAIT})");
    assert_eq!(
        published,
        "(impl-trait 'SP2PABAF9FTAJYNFZH93XENAJ8FVY99RRM50D2JG9.nft-trait.nft-trait)"
    );
    for step in &mainnet.steps {
        let original = EHR_CONTRACTS
            .iter()
            .find(|(name, _)| *name == step.name)
            .unwrap()
            .1;
        assert!(!step.source.contains(LOCAL_IMPL), "{}", step.name);
        assert_eq!(step.clarity_version, ClarityVersion::Clarity2);
        if step.name == "access-token-nft" {
            assert_eq!(step.source.matches(&published).count(), 1);
            assert_eq!(step.source, original.replace(LOCAL_IMPL, &published));
            assert_ne!(step.source, original);
        } else {
            assert_eq!(step.source, original, "{} is unchanged", step.name);
        }
    }
    let listing = mainnet.to_string();
    assert!(
        listing.contains("8 contracts to publish on mainnet"),
        "{listing}"
    );
    assert!(!listing.contains("nft-trait "), "{listing}");

    for network in [Network::Devnet, Network::Testnet] {
        let plan = Plan::ehr(network).unwrap();
        assert_eq!(plan.names(), names());
        for (step, (_, source)) in plan.steps.iter().zip(EHR_CONTRACTS) {
            assert_eq!(step.source, source);
        }
    }
}

#[test]
fn the_clarinet_devnet_plan_is_the_built_in_plan() {
    let clarinet = Plan::from_clarinet_yaml(&devnet_plan_path()).expect("the devnet plan loads");
    let built_in = Plan::ehr(Network::Devnet).unwrap();
    assert_eq!(clarinet.names(), built_in.names());
    for (a, b) in clarinet.steps.iter().zip(&built_in.steps) {
        assert_eq!(a.source, b.source, "{}", a.name);
        assert_eq!(a.clarity_version, b.clarity_version, "{}", a.name);
    }
    assert_eq!(clarinet.network, Some(Network::Devnet));
    let deployer = account("deployer").address.to_string();
    assert_eq!(
        clarinet.expected_senders().into_iter().collect::<Vec<_>>(),
        vec![deployer.as_str()]
    );
    let listing = clarinet.to_string();
    assert!(
        listing.contains("9 contracts to publish on devnet"),
        "{listing}"
    );
    assert!(listing.contains(" 1. nft-trait"), "{listing}");
    assert!(listing.contains(" 9. ehr-storage"), "{listing}");
    assert!(
        listing.contains(&format!("expected sender: {deployer}")),
        "{listing}"
    );
}

/// A Clarinet project in a temporary directory: `contracts/a.clar` and a plan.
fn project(plan: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("contracts")).unwrap();
    std::fs::create_dir_all(dir.path().join("deployments")).unwrap();
    std::fs::write(
        dir.path().join("contracts/a.clar"),
        "(define-read-only (a) u1)\n",
    )
    .unwrap();
    let path = dir.path().join("deployments/default.testnet-plan.yaml");
    std::fs::write(&path, plan).unwrap();
    (dir, path)
}

#[test]
fn clarinet_plans_are_read_in_clarinet_spelling_and_other_transactions_are_named() {
    // Clarinet's own spelling: the transaction type is the key.
    let (_dir, path) = project(
        "---\nid: 0\nname: Testnet deployment\nnetwork: testnet\nplan:\n  batches:\n    - id: 0\n      transactions:\n        - contract-publish:\n            contract-name: a\n            expected-sender: ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5\n            cost: 250\n            path: contracts/a.clar\n            anchor-block-only: true\n            clarity-version: 1\n    - id: 1\n      transactions:\n        - contract-publish:\n            contract-name: b\n            expected-sender: ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5\n            cost: 250\n            path: contracts/a.clar\n      epoch: \"2.4\"\n",
    );
    let plan = Plan::from_clarinet_yaml(&path).unwrap();
    assert_eq!(plan.names(), vec!["a", "b"]);
    assert_eq!(plan.network, Some(Network::Testnet));
    assert_eq!(plan.steps[0].source, "(define-read-only (a) u1)\n");
    assert_eq!(plan.steps[0].clarity_version, ClarityVersion::Clarity1);
    // Without clarity-version: Clarinet's default, 2.
    assert_eq!(plan.steps[1].clarity_version, ClarityVersion::Clarity2);
    assert_eq!(
        plan.steps[1].expected_sender.as_deref(),
        Some("ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5")
    );

    let (_dir, path) = project(
        "plan:\n  batches:\n    - id: 0\n      transactions:\n        - requirement-publish:\n            contract-id: SP2PABAF9FTAJYNFZH93XENAJ8FVY99RRM50D2JG9.nft-trait\n            remap-sender: ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM\n            cost: 1\n            path: x.clar\n        - contract-publish:\n            contract-name: a\n            expected-sender: ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM\n            cost: 1\n            path: contracts/a.clar\n    - id: 1\n      transactions:\n        - transaction-type: contract-call\n          contract-id: ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.a\n          method: a\n          parameters: []\n          cost: 1\n",
    );
    let err = Plan::from_clarinet_yaml(&path).unwrap_err();
    let PlanError::UnsupportedTransactions { transactions, .. } = &err else {
        panic!("expected unsupported transactions, got {err:?}");
    };
    assert_eq!(
        transactions,
        &strings(&[
            "`requirement-publish` (batch 0, transaction 1)",
            "`contract-call` (batch 1, transaction 1)"
        ])
    );
    let message = err.to_string();
    assert!(
        message.contains("requirement-publish") && message.contains("contract-call"),
        "{message}"
    );
    assert!(
        message.contains("Only `contract-publish` is supported"),
        "{message}"
    );

    let (_dir, path) = project(
        "plan:\n  batches:\n    - id: 0\n      transactions:\n        - contract-publish:\n            contract-name: gone\n            path: contracts/gone.clar\n",
    );
    assert!(matches!(
        Plan::from_clarinet_yaml(&path),
        Err(PlanError::Source { ref name, .. }) if name == "gone"
    ));
    let (_dir, path) = project(
        "plan:\n  batches:\n    - id: 0\n      transactions:\n        - contract-publish:\n            contract-name: a\n            path: contracts/a.clar\n            clarity-version: 3\n",
    );
    assert_eq!(
        Plan::from_clarinet_yaml(&path),
        Err(PlanError::ClarityVersion {
            name: "a".into(),
            version: "3".into()
        })
    );
    let (_dir, path) = project("id: 0\nname: nothing\n");
    assert!(matches!(
        Plan::from_clarinet_yaml(&path),
        Err(PlanError::Format { .. })
    ));
    assert!(matches!(
        Plan::from_clarinet_yaml(Path::new("/nonexistent/deployments/plan.yaml")),
        Err(PlanError::Read { .. })
    ));
}
