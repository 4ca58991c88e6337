//! Event observers (stacks-node format, retried until 200) and the SSE block stream.

mod devnet_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use devnet_support::*;
use ehr_harness::devnet::DevnetConfig;
use ehr_sdk::devnet_config::EventObserver;
use serde_json::Value;

/// What the observer saw: (path, status answered, body), in arrival order.
type Seen = Arc<Mutex<Vec<(String, u16, Value)>>>;

async fn observe(
    State(seen): State<Seen>,
    Path(path): Path<String>,
    Json(body): Json<Value>,
) -> StatusCode {
    let mut seen = seen.lock().unwrap();
    // The first /new_block attempt fails: the node must retry it.
    let first_block = path == "new_block" && !seen.iter().any(|(p, _, _)| p == "new_block");
    let status = if first_block { 500 } else { 200 };
    seen.push((path, status, body));
    StatusCode::from_u16(status).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observers_get_blocks_in_order_with_retries_and_sse_streams_them() {
    let seen: Seen = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = listener.local_addr().unwrap().to_string();
    let app = Router::new()
        .route("/{path}", post(observe))
        .with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut config = DevnetConfig::new(genesis(false));
    config.observers = vec![EventObserver {
        endpoint,
        events_keys: vec!["*".into()],
        timeout_ms: 1000,
    }];
    let node = start(config).await;
    let rpc = Rpc::new(&node);

    // Subscribe to the SSE stream before anything is mined.
    let mut stream = reqwest::get(format!("{}/devnet/events", node.url()))
        .await
        .unwrap();
    assert_eq!(stream.status().as_u16(), 200);

    let deploy = rpc.send(&deploy_probe(0)).await;
    rpc.mined(&deploy).await;
    let bump = rpc.send(&call("wallet_1", "bump", vec![], 0)).await;
    rpc.mined(&bump).await;

    // SSE: a block message carrying the bump, its result and its print event decoded.
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !text.contains(&bump) {
        let chunk = tokio::time::timeout_at(deadline.into(), stream.chunk())
            .await
            .expect("an SSE block in time")
            .unwrap()
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: block"));
    let line = text.lines().find(|l| l.contains(&bump)).unwrap();
    let message: Value = serde_json::from_str(line.trim_start_matches("data:").trim()).unwrap();
    let tx = &message["transactions"][0];
    assert_eq!(tx["result"]["repr"], "(ok u1)");
    assert_eq!(
        tx["events"][0]["contract_event"]["repr"],
        "{event: \"bump\", n: u1}"
    );

    // The observer: everything delivered, /new_block retried after the 500, in order.
    let deadline = Instant::now() + Duration::from_secs(10);
    let blocks = loop {
        let blocks: Vec<Value> = seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, s, _)| p == "new_block" && *s == 200)
            .map(|(_, _, b)| b.clone())
            .collect();
        if blocks
            .iter()
            .any(|b| b["transactions"].to_string().contains(&bump))
        {
            break blocks;
        }
        assert!(Instant::now() < deadline, "no /new_block with the bump");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let seen = seen.lock().unwrap().clone();
    let attempts: Vec<u16> = seen
        .iter()
        .filter(|(p, _, _)| p == "new_block")
        .map(|(_, s, _)| *s)
        .collect();
    assert_eq!(
        &attempts[..2],
        &[500, 200],
        "the failed delivery is retried first"
    );
    let heights: Vec<u64> = blocks
        .iter()
        .map(|b| b["block_height"].as_u64().unwrap())
        .collect();
    assert!(
        heights.windows(2).all(|w| w[0] < w[1]),
        "blocks in order: {heights:?}"
    );
    assert!(seen.iter().any(|(p, _, _)| p == "new_burn_block"));
    let mempool: Vec<&Value> = seen
        .iter()
        .filter(|(p, _, _)| p == "new_mempool_tx")
        .map(|(_, _, b)| b)
        .collect();
    assert!(mempool
        .iter()
        .any(|b| b[0].as_str().is_some_and(|raw| raw.starts_with("0x"))));

    let deployed = blocks
        .iter()
        .flat_map(|b| b["transactions"].as_array().unwrap().clone())
        .find(|t| t["txid"] == format!("0x{deploy}"))
        .unwrap();
    assert_eq!(deployed["status"], "success");
    assert!(deployed["raw_tx"].as_str().unwrap().starts_with("0x"));
    assert_eq!(deployed["raw_result"], "0x0703");
    assert!(deployed["contract_interface"]["functions"].is_array());
    assert_eq!(deployed["contract_abi"], deployed["contract_interface"]);
    assert!(deployed["execution_cost"]["runtime"].is_u64());
    let with_bump = blocks
        .iter()
        .find(|b| b["transactions"].to_string().contains(&bump))
        .unwrap();
    let event = &with_bump["events"][0];
    assert_eq!(event["type"], "contract_event");
    assert_eq!(event["txid"], format!("0x{bump}"));
    assert_eq!(event["committed"], true);
    assert_eq!(event["event_index"], 0);
    assert_eq!(event["contract_event"]["topic"], "print");
    assert!(event["contract_event"]["raw_value"]
        .as_str()
        .unwrap()
        .starts_with("0x0c"));

    drop(stream);
    node.shutdown().await;
}
