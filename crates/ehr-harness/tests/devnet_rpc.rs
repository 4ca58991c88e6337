//! Every RPC route's shape and status codes, on a devnet started on a free port.

mod devnet_support;

use clarity::vm::types::Value;
use devnet_support::*;
use ehr_sdk::tx::{Memo, Payload};
use serde_json::json;

fn is_hex(s: &serde_json::Value, len: usize) -> bool {
    s.as_str()
        .is_some_and(|s| s.len() == len && s.chars().all(|c| c.is_ascii_hexdigit()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_in_the_node_shape() {
    let node = start_plain().await;
    let rpc = Rpc::new(&node);

    // /v2/info
    let (status, info) = rpc.get("/v2/info").await;
    assert_eq!(status, 200);
    assert_eq!(info["network_id"], 2147483648u64);
    assert!(is_hex(&info["stacks_tip"], 64), "{info}");
    assert!(is_hex(&info["pox_consensus"], 40), "{info}");
    assert_eq!(info["is_fully_synced"], true);
    let start_height = info["stacks_tip_height"].as_u64().unwrap();

    // /v2/accounts: balance as 0x + 32 hex, proofs unless proof=0, unknown accounts are 0.
    let deployer = account("deployer").address.to_string();
    let (status, acct) = rpc.get(&format!("/v2/accounts/{deployer}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        acct["balance"],
        format!("0x{:032x}", 100_000_000_000_000u128)
    );
    assert_eq!(acct["nonce"], 0);
    assert!(acct.get("balance_proof").is_some() && acct.get("nonce_proof").is_some());
    let (_, acct) = rpc.get(&format!("/v2/accounts/{deployer}?proof=0")).await;
    assert!(acct.get("balance_proof").is_none());
    let (status, empty) = rpc
        .get("/v2/accounts/ST2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKQYAC0RQ?proof=0")
        .await;
    assert_eq!((status, empty["nonce"].as_u64()), (200, Some(0)));
    assert_eq!(empty["balance"], format!("0x{:032x}", 0));
    let (status, _) = rpc.get("/v2/accounts/not-a-principal").await;
    assert_eq!(status, 400);

    // POST /v2/transactions, JSON body and octet-stream: 200 with a quoted bare txid.
    let deploy = deploy_probe(0);
    let deploy_id = rpc.send(&deploy).await;
    assert_eq!(deploy_id, hex::encode(deploy.txid().0));
    let mined = rpc.mined(&deploy_id).await;
    assert_eq!(mined["tx_status"], "success", "{mined}");
    assert_eq!(mined["tx_type"], "smart_contract");
    assert_eq!(
        mined["smart_contract"]["contract_id"],
        format!("{deployer}.probe")
    );
    assert_eq!(mined["tx_result"]["repr"], "(ok true)");

    let bump = call("wallet_1", "bump", vec![], 0);
    let (status, body) = rpc
        .post_raw(
            "/v2/transactions",
            "application/octet-stream",
            bump.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let bump_id = body.as_str().unwrap().to_string();
    let mined = rpc.mined(&bump_id).await;
    // Once mined, the same bytes again reuse a spent nonce.
    let (status, again) = rpc.broadcast(&bump).await;
    assert_eq!((status, again["reason"].as_str()), (400, Some("BadNonce")));
    assert_eq!(mined["tx_status"], "success", "{mined}");
    assert_eq!(
        mined["tx_result"]["hex"],
        "0x070100000000000000000000000000000001"
    );
    assert_eq!(mined["tx_result"]["repr"], "(ok u1)");
    assert_eq!(mined["contract_call"]["function_name"], "bump");
    assert_eq!(
        mined["contract_call"]["function_signature"],
        "(define-public (bump))"
    );
    assert_eq!(mined["event_count"], 1);
    let event = &mined["events"][0];
    assert_eq!(event["event_type"], "smart_contract_log");
    assert_eq!(event["contract_log"]["topic"], "print");
    assert_eq!(
        event["contract_log"]["value"]["repr"],
        "{event: \"bump\", n: u1}"
    );
    assert!(mined["block_height"].as_u64().unwrap() > start_height);
    assert!(is_hex(
        &mined["block_hash"].as_str().unwrap()[2..].into(),
        64
    ));
    assert_eq!(mined["tx_index"], 0);
    assert_eq!(mined["canonical"], true);
    assert_eq!(
        mined["execution_cost_runtime"].as_u64().map(|r| r > 0),
        Some(true)
    );

    // Without 0x the Hiro route redirects; an unknown id is 404 JSON.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/extended/v1/tx/{bump_id}", node.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 308);
    let (status, body) = rpc
        .get(&format!("/extended/v1/tx/0x{}", "00".repeat(32)))
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "Not Found");

    // A transfer: token_transfer fields.
    let transfer = sign(
        &account("wallet_2"),
        Payload::stx_transfer(principal("wallet_3"), 1_000, Memo::new("hi").unwrap()),
        0,
    );
    let transfer_id = rpc.send(&transfer).await;
    let mined = rpc.mined(&transfer_id).await;
    assert_eq!(mined["tx_type"], "token_transfer");
    assert_eq!(mined["token_transfer"]["amount"], "1000");
    assert_eq!(mined["events"][0]["event_type"], "stx_asset", "{mined}");
    assert_eq!(rpc.balance("wallet_3").await, 100_000_000_001_000);
    assert_eq!(rpc.nonce("wallet_2").await, 1);

    // Nonces (Hiro).
    let (status, nonces) = rpc
        .get(&format!(
            "/extended/v1/address/{}/nonces",
            account("wallet_1").address
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(nonces["possible_next_nonce"], 1);
    assert_eq!(nonces["last_executed_tx_nonce"], 0);
    assert_eq!(nonces["last_mempool_tx_nonce"], serde_json::Value::Null);

    // Contract reads.
    let c = format!("{deployer}/probe");
    let (status, abi) = rpc.get(&format!("/v2/contracts/interface/{c}")).await;
    assert_eq!(status, 200);
    assert!(abi["functions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "bump" && f["access"] == "public"));
    assert_eq!(abi["fungible_tokens"][0]["name"], "gold");
    assert_eq!(abi["clarity_version"], "Clarity2");
    let (status, _) = rpc
        .get(&format!("/v2/contracts/interface/{deployer}/nope"))
        .await;
    assert_eq!(status, 404);
    let (status, src) = rpc.get(&format!("/v2/contracts/source/{c}?proof=0")).await;
    assert_eq!(status, 200);
    assert_eq!(src["source"], PROBE);
    assert!(src["publish_height"].as_u64().unwrap() > start_height);
    let (status, var) = rpc.get(&format!("/v2/data_var/{c}/counter?proof=0")).await;
    assert_eq!(
        (status, var["data"].as_str()),
        (200, Some("0x0100000000000000000000000000000001"))
    );
    let (status, _) = rpc.get(&format!("/v2/data_var/{c}/nope")).await;
    assert_eq!(status, 404);
    let key = format!("0x{}", Value::UInt(7).serialize_to_hex().unwrap());
    let (status, entry) = rpc
        .post_json(&format!("/v2/map_entry/{c}/notes?proof=0"), &json!(key))
        .await;
    assert_eq!((status, entry["data"].as_str()), (200, Some("0x09")));
    let note = call(
        "wallet_1",
        "note",
        vec![
            Value::UInt(7),
            Value::string_ascii_from_bytes(b"seven".to_vec()).unwrap(),
        ],
        1,
    );
    rpc.mined(&rpc.send(&note).await).await;
    let (_, entry) = rpc
        .post_json(&format!("/v2/map_entry/{c}/notes"), &json!(key))
        .await;
    assert_eq!(entry["data"], "0x0a0d00000005736576656e");
    assert!(entry.get("proof").is_some());
    let (status, read) = rpc
        .post_json(
            &format!("/v2/contracts/call-read/{c}/get-counter"),
            &json!({ "sender": deployer, "arguments": [] }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        read,
        json!({ "okay": true, "result": "0x0100000000000000000000000000000001" })
    );
    let (_, read) = rpc
        .post_json(
            &format!("/v2/contracts/call-read/{c}/nope"),
            &json!({ "sender": deployer }),
        )
        .await;
    assert_eq!(read["okay"], false);

    // Fees: the rate is 1 per byte; the estimate learns from mined calls.
    assert_eq!(rpc.get("/v2/fees/transfer").await, (200, json!(1)));
    let payload = |p: &Payload| {
        use stacks_codec::codec::StacksMessageCodec;
        let mut bytes = Vec::new();
        p.as_stacks().consensus_serialize(&mut bytes).unwrap();
        hex::encode(bytes)
    };
    // Never mined: a dry run measures it, priced at the rates recent blocks paid.
    let unseen = Payload::contract_call(&probe_id(), "mint-gold", vec![Value::UInt(1)]).unwrap();
    let (status, body) = rpc
        .post_json(
            "/v2/fees/transaction",
            &json!({ "transaction_payload": payload(&unseen), "estimated_len": 300 }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["estimated_cost"]["write_count"].as_u64().unwrap() > 0);
    assert!(body["estimations"][1]["fee"].as_u64().unwrap() >= 300);
    let missing = Payload::contract_call(&probe_id(), "nope", vec![]).unwrap();
    let (status, body) = rpc
        .post_json(
            "/v2/fees/transaction",
            &json!({ "transaction_payload": payload(&missing) }),
        )
        .await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (400, Some("NoEstimateAvailable"))
    );
    let seen = Payload::contract_call(&probe_id(), "bump", vec![]).unwrap();
    let (status, body) = rpc
        .post_json(
            "/v2/fees/transaction",
            &json!({ "transaction_payload": payload(&seen), "estimated_len": 200 }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let estimations = body["estimations"].as_array().unwrap();
    assert_eq!(estimations.len(), 3);
    assert!(estimations
        .iter()
        .all(|e| e["fee"].as_u64().unwrap() >= 200));
    assert!(body["estimated_cost"]["runtime"].as_u64().unwrap() > 0);

    node.shutdown().await;
}
