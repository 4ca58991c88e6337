//! Mining: chained nonces, post-conditions, aborted calls, snapshots and dumps.

mod devnet_support;

use clarity::vm::types::Value;
use devnet_support::*;
use ehr_harness::devnet::{DevnetConfig, Mining};
use ehr_sdk::tx::{FungibleConditionCode, PcPrincipal, PostCondition, PostConditionMode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn future_nonces_wait_then_mine_in_order() {
    let node = start_plain().await;
    let rpc = Rpc::new(&node);
    rpc.mined(&rpc.send(&deploy_probe(0)).await).await;
    let later: Vec<String> = [3, 2, 1]
        .iter()
        .map(|n| call("wallet_1", "bump", vec![], *n))
        .collect::<Vec<_>>()
        .iter()
        .map(|t| hex::encode(t.txid().0))
        .collect();
    for n in [3, 2, 1] {
        rpc.send(&call("wallet_1", "bump", vec![], n)).await;
    }
    // Already pending: accepted again without effect.
    assert_eq!(
        rpc.broadcast(&call("wallet_1", "bump", vec![], 2)).await.0,
        200
    );
    for txid in &later {
        assert_eq!(rpc.tx(txid).await["tx_status"], "pending");
    }
    let (_, nonces) = rpc
        .get(&format!(
            "/extended/v1/address/{}/nonces",
            account("wallet_1").address
        ))
        .await;
    assert_eq!(nonces["detected_missing_nonces"], json!([0]));
    assert_eq!(nonces["last_mempool_tx_nonce"], 3);
    let first = rpc.send(&call("wallet_1", "bump", vec![], 0)).await;
    let mut results = vec![rpc.mined(&first).await["tx_result"]["repr"].clone()];
    for txid in later.iter().rev() {
        let mined = rpc.mined(txid).await;
        assert_eq!(mined["tx_status"], "success");
        results.push(mined["tx_result"]["repr"].clone());
    }
    assert_eq!(
        results,
        vec![
            json!("(ok u1)"),
            json!("(ok u2)"),
            json!("(ok u3)"),
            json!("(ok u4)")
        ]
    );
    assert_eq!(rpc.nonce("wallet_1").await, 4);
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aborted_transactions_cost_fee_and_nonce_only() {
    let node = start_plain().await;
    let rpc = Rpc::new(&node);
    rpc.mined(&rpc.send(&deploy_probe(0)).await).await;
    let fee = 10_000u128;
    let before = rpc.balance("wallet_1").await;

    // Deny mode with no condition: the STX payment is reverted.
    let pay = |nonce, mode, conditions| {
        let payload = ehr_sdk::tx::Payload::contract_call(
            &probe_id(),
            "pay",
            vec![Value::UInt(5_000), Value::Principal(principal("wallet_2"))],
        )
        .unwrap();
        sign_with(
            &account("wallet_1"),
            payload,
            nonce,
            fee as u64,
            mode,
            conditions,
        )
    };
    let denied = rpc
        .mined(&rpc.send(&pay(0, PostConditionMode::Deny, vec![])).await)
        .await;
    assert_eq!(denied["tx_status"], "abort_by_post_condition", "{denied}");
    assert!(denied["vm_error"].as_str().unwrap().contains("not checked"));
    assert_eq!(denied["events"], json!([]));
    assert_eq!(rpc.balance("wallet_1").await, before - fee);
    assert_eq!(rpc.nonce("wallet_1").await, 1);

    // A condition that fails: sent 5000, condition says at most 10.
    let tight = PostCondition::stx(PcPrincipal::origin(), FungibleConditionCode::SentLe, 10);
    let failed = rpc
        .mined(
            &rpc.send(&pay(1, PostConditionMode::Deny, vec![tight]))
                .await,
        )
        .await;
    assert_eq!(failed["tx_status"], "abort_by_post_condition");
    assert_eq!(
        failed["post_conditions"][0]["condition_code"],
        "sent_less_than_or_equal_to"
    );
    // A condition that holds.
    let exact = PostCondition::stx(PcPrincipal::origin(), FungibleConditionCode::SentEq, 5_000);
    let paid = rpc
        .mined(
            &rpc.send(&pay(2, PostConditionMode::Deny, vec![exact]))
                .await,
        )
        .await;
    assert_eq!(paid["tx_status"], "success", "{paid}");
    assert_eq!(rpc.balance("wallet_1").await, before - 3 * fee - 5_000);
    // Allow mode lets unlisted movements through.
    let allowed = rpc
        .mined(&rpc.send(&pay(3, PostConditionMode::Allow, vec![])).await)
        .await;
    assert_eq!(allowed["tx_status"], "success");

    // An err result: mined, its result kept, no effect.
    let failed = rpc
        .mined(&rpc.send(&call("wallet_1", "fail", vec![], 4)).await)
        .await;
    assert_eq!(failed["tx_status"], "abort_by_response");
    assert_eq!(failed["tx_result"]["repr"], "(err u42)");
    assert_eq!(failed["vm_error"], serde_json::Value::Null);
    // A runtime error: mined as (err none) with the VM's reason.
    let boom = rpc
        .mined(&rpc.send(&call("wallet_1", "boom", vec![], 5)).await)
        .await;
    assert_eq!(boom["tx_status"], "abort_by_response");
    assert_eq!(boom["tx_result"]["repr"], "(err none)");
    assert!(boom["vm_error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(rpc.nonce("wallet_1").await, 6);
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_revert_and_dumps_load() {
    let node = start_plain().await;
    let rpc = Rpc::new(&node);
    rpc.mined(&rpc.send(&deploy_probe(0)).await).await;
    let (status, snap) = rpc.post_json("/devnet/snapshot", &json!({})).await;
    assert_eq!(status, 200);
    let height = rpc.height().await;
    assert_eq!(snap["block_height"], height);
    let bump = rpc.send(&call("wallet_1", "bump", vec![], 0)).await;
    rpc.mined(&bump).await;
    let (status, mined) = rpc.post_json("/devnet/mine", &json!({ "blocks": 3 })).await;
    assert_eq!(
        (status, mined["block_height"].as_u64()),
        (200, Some(height + 4))
    );
    let (status, dump) = rpc.get("/devnet/dump").await;
    assert_eq!(status, 200);
    assert_eq!(dump["format"], "ehr-devnet-dump/1");

    let (status, reverted) = rpc
        .post_json(&format!("/devnet/revert/{}", snap["id"]), &json!({}))
        .await;
    assert_eq!(
        (status, reverted["block_height"].as_u64()),
        (200, Some(height))
    );
    assert_eq!(rpc.nonce("wallet_1").await, 0);
    let (status, _) = rpc.get(&format!("/extended/v1/tx/0x{bump}")).await;
    assert_eq!(status, 404);
    // A reverted snapshot is gone.
    let (status, _) = rpc
        .post_json(&format!("/devnet/revert/{}", snap["id"]), &json!({}))
        .await;
    assert_eq!(status, 404);

    // Load the dump into a fresh devnet: same height, same state, same receipts.
    let other = start_plain().await;
    let other_rpc = Rpc::new(&other);
    let (status, loaded) = other_rpc.post_json("/devnet/load", &dump).await;
    assert_eq!(
        (status, loaded["block_height"].as_u64()),
        (200, Some(height + 4)),
        "{loaded}"
    );
    assert_eq!(other_rpc.nonce("wallet_1").await, 1);
    assert_eq!(other_rpc.tx(&bump).await["tx_result"]["repr"], "(ok u1)");
    let (status, _) = other_rpc
        .post_json("/devnet/load", &json!({ "format": "nope", "records": [] }))
        .await;
    assert_eq!(status, 400);
    node.shutdown().await;
    other.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interval_mining_makes_blocks_on_its_own() {
    let mut config = DevnetConfig::new(genesis(false));
    config.mining = Mining::Interval(std::time::Duration::from_millis(100));
    let node = start(config).await;
    let rpc = Rpc::new(&node);
    let start_height = rpc.height().await;
    let txid = rpc.send(&deploy_probe(0)).await;
    assert_eq!(rpc.mined(&txid).await["tx_status"], "success");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(rpc.height().await >= start_height + 3);
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sponsors_pay_the_fee_and_spend_their_own_nonce() {
    let node = start_plain().await;
    let rpc = Rpc::new(&node);
    rpc.mined(&rpc.send(&deploy_probe(0)).await).await;
    let (origin_before, sponsor_before) =
        (rpc.balance("wallet_1").await, rpc.balance("wallet_2").await);
    let payload = ehr_sdk::tx::Payload::contract_call(&probe_id(), "bump", vec![]).unwrap();
    let request = ehr_sdk::tx::TransactionBuilder::new(ehr_sdk::network::Network::Devnet, payload)
        .nonce(0)
        .sign_sponsored(&account("wallet_1").secret_key)
        .unwrap();
    let tx = request
        .sponsor(&account("wallet_2").secret_key, 4_000, 0)
        .unwrap();
    let mined = rpc.mined(&rpc.send(&tx).await).await;
    assert_eq!(mined["tx_status"], "success", "{mined}");
    assert_eq!(mined["sponsored"], true);
    assert_eq!(
        mined["sponsor_address"],
        account("wallet_2").address.to_string()
    );
    assert_eq!(rpc.balance("wallet_1").await, origin_before);
    assert_eq!(rpc.balance("wallet_2").await, sponsor_before - 4_000);
    assert_eq!(
        (rpc.nonce("wallet_1").await, rpc.nonce("wallet_2").await),
        (1, 1)
    );
    node.shutdown().await;
}

/// A contract whose calls read `n` map entries each: a known share of the block's
/// 15,000-read budget.
fn reader(name: &str, reads: usize) -> String {
    let list: Vec<String> = (0..reads).map(|i| format!("u{i}")).collect();
    format!(
        "(define-map m uint uint)\n\
         (define-private (rd (i uint) (acc uint)) (+ acc (default-to u0 (map-get? m i))))\n\
         (define-public ({name}) (ok (fold rd (list {}) u0)))\n",
        list.join(" ")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_block_leaves_the_rest_for_the_next() {
    // Blocks only on request (the interval is an hour), so the calls compete for one block.
    let mut config = DevnetConfig::new(genesis(false));
    config.mining = Mining::Interval(std::time::Duration::from_secs(3600));
    let node = start(config).await;
    let rpc = Rpc::new(&node);
    let one_block = json!({ "blocks": 1 });
    let mine = || rpc.post_json("/devnet/mine", &one_block);
    let deployer = account("deployer");
    for (nonce, (name, reads)) in [("heavy", 6_000), ("huge", 16_000)].into_iter().enumerate() {
        let payload = ehr_sdk::tx::Payload::deploy(
            name,
            &reader(name, reads),
            clarity::vm::ClarityVersion::Clarity2,
        )
        .unwrap();
        // A big deployment pays its size: 1 micro-STX per byte.
        let tx = sign_with(
            &deployer,
            payload,
            nonce as u64,
            500_000,
            PostConditionMode::Deny,
            vec![],
        );
        let txid = rpc.send(&tx).await;
        mine().await;
        assert_eq!(rpc.mined(&txid).await["tx_status"], "success");
    }
    let contract = |name: &str| {
        clarity::vm::types::QualifiedContractIdentifier::parse(&format!(
            "{}.{name}",
            deployer.address
        ))
        .unwrap()
    };
    // Three calls of 40% of the read budget each: two fit in a block, the third waits.
    let mut txids = Vec::new();
    for who in ["wallet_1", "wallet_2", "wallet_3"] {
        let payload =
            ehr_sdk::tx::Payload::contract_call(&contract("heavy"), "heavy", vec![]).unwrap();
        txids.push(rpc.send(&sign(&account(who), payload, 0)).await);
    }
    let (_, first) = mine().await;
    let status = |body: serde_json::Value| body["tx_status"].as_str().unwrap().to_string();
    let mut after_one = Vec::new();
    for txid in &txids {
        after_one.push(status(rpc.tx(txid).await));
    }
    assert_eq!(
        after_one,
        ["success", "success", "pending"],
        "two fit, one waits"
    );
    let (_, second) = mine().await;
    let third = rpc.tx(&txids[2]).await;
    assert_eq!(third["tx_status"], "success");
    assert_eq!(third["block_height"], second["block_height"]);
    assert_eq!(
        rpc.tx(&txids[0]).await["block_height"],
        first["block_height"]
    );
    assert!(third["execution_cost_read_count"].as_u64().unwrap() >= 6_000);

    // A call over the whole block budget can never be mined: dropped as too expensive.
    let payload = ehr_sdk::tx::Payload::contract_call(&contract("huge"), "huge", vec![]).unwrap();
    let txid = rpc.send(&sign(&account("wallet_4"), payload, 0)).await;
    mine().await;
    assert_eq!(rpc.tx(&txid).await["tx_status"], "dropped_too_expensive");
    assert_eq!(rpc.nonce("wallet_4").await, 0);
    node.shutdown().await;
}
