//! Following transactions on every kind of node, from the outside: a devnet serving
//! exactly a bare stacks-node's routes, the same with `ehr index` fed by its event
//! observer stream, and a devnet with the Hiro routes. Each outcome (mined with a result,
//! rolled back, mined with the result unknown, replaced, evicted, unknown) is told apart.
//! The index runs on each database engine: SQLite, and PostgreSQL given a server
//! (`EHR_TEST_POSTGRES`, which scripts/postgres.sh sets; required under CI).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clarity::vm::types::PrincipalData;
use clarity::vm::{ClarityVersion, Value};
use ehr_harness::devnet::{spawn, DevnetConfig, DevnetHandle, Genesis, Mining, Routes};
use ehr_index::{Database, IndexHandle, Listeners};
use ehr_sdk::devnet_config::EventObserver;
use ehr_sdk::keys::SecretKey;
use ehr_sdk::network::Network;
use ehr_sdk::node::{AbortReason, DropReason, NodeClient, NodeError, TxOutcome, TxSource, Txid};
use ehr_sdk::tx::{Memo, Payload, TransactionBuilder};

#[path = "support/postgres.rs"]
mod postgres_support;

const WAIT: Duration = Duration::from_secs(20);

/// The databases each index test runs on: a new SQLite file and, given a server, a new
/// PostgreSQL database.
fn engines() -> Vec<(Database, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let mut all = vec![(Database::Sqlite(dir.path().join("index.sqlite")), dir)];
    if let Some(url) = postgres_support::scratch_database() {
        all.push((Database::Postgres(url), tempfile::tempdir().unwrap()));
    }
    all
}
const POLL: Duration = Duration::from_millis(50);

fn key(name: &str) -> SecretKey {
    ehr_harness::ehr::devnet_accounts()
        .unwrap()
        .account(name)
        .unwrap()
        .secret_key
        .clone()
}

fn principal(name: &str) -> PrincipalData {
    key(name).address(Network::Devnet).to_principal()
}

async fn devnet(routes: Routes, mining: Mining, observer: Option<SocketAddr>) -> DevnetHandle {
    let accounts = ehr_harness::ehr::devnet_accounts().unwrap();
    let mut config = DevnetConfig::new(Genesis::from_accounts(&accounts, None).unwrap());
    config.routes = routes;
    config.mining = mining;
    config.observers = observer
        .map(|addr| EventObserver {
            endpoint: addr.to_string(),
            events_keys: vec!["*".into()],
            timeout_ms: 5_000,
        })
        .into_iter()
        .collect();
    spawn(config).await.unwrap()
}

/// A bare-node devnet with an index on `database` fed by its observer stream.
async fn indexed(mining: Mining, database: &Database) -> (DevnetHandle, IndexHandle) {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listeners = Listeners::bind(any, any).await.unwrap();
    let node = devnet(
        Routes::BareNode,
        mining,
        Some(listeners.observer_addr().unwrap()),
    )
    .await;
    let index = ehr_index::spawn(
        listeners,
        &ehr_index::IndexConfig::devnet(node.url())
            .unwrap()
            .database(database.clone()),
    )
    .await
    .unwrap();
    (node, index)
}

fn client(node: &str, api: Option<&str>) -> NodeClient {
    let mut builder = NodeClient::builder(node);
    if let Some(api) = api {
        builder = builder.hiro_api_url(api);
    }
    builder.build().unwrap()
}

async fn send(node: &NodeClient, from: &str, payload: Payload, nonce: u64, fee: u64) -> Txid {
    let tx = TransactionBuilder::new(Network::Devnet, payload)
        .nonce(nonce)
        .fee(fee)
        .sign(&key(from))
        .unwrap();
    node.broadcast(tx.as_bytes()).await.unwrap()
}

fn transfer(to: &str, amount: u64) -> Payload {
    Payload::stx_transfer(principal(to), amount, Memo::new("").unwrap())
}

const REFUSER: &str = "(define-public (refuse) (err u7)) (define-public (accept) (ok u8))";

#[tokio::test]
async fn a_bare_node_is_followed_through_its_mempool_and_the_senders_nonce() {
    let node = devnet(Routes::BareNode, Mining::EveryTransaction, None).await;
    let client = client(node.url(), None);
    assert_eq!(client.tx_source().await.unwrap(), TxSource::Node);

    // Mined: its nonce is spent while the node still holds it, but the node keeps no
    // result: said so, not guessed.
    let nonce = client.next_nonce(&principal("wallet_1")).await.unwrap();
    let txid = send(&client, "wallet_1", transfer("wallet_2", 1_000), nonce, 300).await;
    let started = Instant::now();
    let outcome = client.wait_for(&txid, WAIT, POLL).await.unwrap();
    assert!(matches!(outcome, TxOutcome::MinedResultUnknown { tip_height } if tip_height >= 1));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        client.next_nonce(&principal("wallet_1")).await.unwrap(),
        nonce + 1
    );

    // A txid the node never held is not "pending": it is an error at once.
    let started = Instant::now();
    let err = client
        .wait_for(&Txid([0xab; 32]), WAIT, POLL)
        .await
        .unwrap_err();
    assert!(matches!(err, NodeError::NotFound { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));

    // The Hiro routes are not there, and that reads as a missing route, not a missing
    // transaction.
    let raw = reqwest::get(format!("{}/extended/v1/tx/0x{}", node.url(), txid))
        .await
        .unwrap();
    assert_eq!(raw.status(), 404);
    assert_eq!(raw.text().await.unwrap(), "No such file or directory");
    let err = client.nonces(&principal("wallet_1")).await.unwrap_err();
    assert!(matches!(err, NodeError::NoSuchEndpoint { .. }), "{err}");
}

#[tokio::test]
async fn a_transaction_replaced_on_a_bare_node_reads_as_evicted() {
    let node = devnet(
        Routes::BareNode,
        Mining::Interval(Duration::from_secs(3600)),
        None,
    )
    .await;
    let client = client(node.url(), None);
    let first = send(&client, "wallet_3", transfer("wallet_2", 1), 0, 300).await;
    let waiting = {
        let client = client.clone();
        tokio::spawn(async move { client.wait_for(&first, WAIT, POLL).await })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    send(&client, "wallet_3", transfer("wallet_2", 2), 0, 600).await;
    let outcome = waiting.await.unwrap().unwrap();
    assert_eq!(
        outcome,
        TxOutcome::Dropped {
            reason: DropReason::Evicted,
            replaced_by: None
        }
    );
}

#[tokio::test]
async fn the_index_gives_a_bare_node_results_refusals_and_nonces() {
    for (database, _dir) in engines() {
        results_refusals_and_nonces(&database).await;
    }
}

async fn results_refusals_and_nonces(database: &Database) {
    let (node, index) = indexed(Mining::EveryTransaction, database).await;
    let client = client(node.url(), Some(&index.api_url()));
    assert_eq!(
        client.tx_source().await.unwrap(),
        TxSource::HiroApi {
            url: format!("{}/", index.api_url())
        }
    );
    let deployer = principal("deployer");
    let nonce = client.next_nonce(&deployer).await.unwrap();
    let deploy = Payload::deploy("refuser", REFUSER, ClarityVersion::Clarity2).unwrap();
    let txid = send(&client, "deployer", deploy, nonce, 5_000).await;
    let outcome = client.wait_for(&txid, WAIT, POLL).await.unwrap();
    assert!(matches!(outcome, TxOutcome::Mined { .. }), "{outcome:?}");

    let contract =
        clarity::vm::types::QualifiedContractIdentifier::parse(&format!("{deployer}.refuser"))
            .unwrap();
    let call = |f: &str| Payload::contract_call(&contract, f, vec![]).unwrap();
    let nonce = client.next_nonce(&deployer).await.unwrap();
    assert_eq!(nonce, 1, "the index counts the mined deploy");
    let refused = send(&client, "deployer", call("refuse"), nonce, 1_000).await;
    match client.wait_for(&refused, WAIT, POLL).await.unwrap() {
        TxOutcome::Aborted { reason, result, .. } => {
            assert_eq!(reason, AbortReason::Response);
            assert_eq!(result, Value::error(Value::UInt(7)).unwrap());
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let accepted = send(&client, "deployer", call("accept"), nonce + 1, 1_000).await;
    match client.wait_for(&accepted, WAIT, POLL).await.unwrap() {
        TxOutcome::Mined {
            result,
            block_height,
        } => {
            assert_eq!(result, Value::okay(Value::UInt(8)).unwrap());
            assert!(block_height >= 3);
        }
        other => panic!("expected success, got {other:?}"),
    }
}

#[tokio::test]
async fn the_index_says_which_transaction_replaced_a_dropped_one() {
    for (database, _dir) in engines() {
        replaced_by(&database).await;
    }
}

async fn replaced_by(database: &Database) {
    let (node, index) = indexed(Mining::Interval(Duration::from_secs(3600)), database).await;
    let client = client(node.url(), Some(&index.api_url()));
    let first = send(&client, "wallet_4", transfer("wallet_2", 1), 0, 300).await;
    // The index counts the pending transaction in the next nonce, once the node told it.
    let deadline = Instant::now() + Duration::from_secs(5);
    while client.next_nonce(&principal("wallet_4")).await.unwrap() != 1 {
        assert!(
            Instant::now() < deadline,
            "the index never saw the pending transaction"
        );
        tokio::time::sleep(POLL).await;
    }
    let second = send(&client, "wallet_4", transfer("wallet_2", 2), 0, 600).await;
    let outcome = client.wait_for(&first, WAIT, POLL).await.unwrap();
    assert_eq!(
        outcome,
        TxOutcome::Dropped {
            reason: DropReason::ReplaceByFee,
            replaced_by: Some(second)
        }
    );
}

#[tokio::test]
async fn an_api_url_that_is_not_a_hiro_api_is_refused_not_guessed_around() {
    let node = devnet(Routes::BareNode, Mining::EveryTransaction, None).await;
    let client = client(node.url(), Some(node.url()));
    let err = client.tx_source().await.unwrap_err();
    assert!(matches!(err, NodeError::NotAHiroApi { .. }), "{err}");
    assert!(err.to_string().contains("--api"), "{err}");
}

#[tokio::test]
async fn a_devnet_with_the_hiro_routes_is_followed_through_them() {
    let node = devnet(Routes::NodeAndHiroApi, Mining::EveryTransaction, None).await;
    let client = client(node.url(), None);
    assert!(matches!(
        client.tx_source().await.unwrap(),
        TxSource::HiroApi { .. }
    ));
    let txid = send(&client, "wallet_5", transfer("wallet_2", 5), 0, 300).await;
    let outcome = client.wait_for(&txid, WAIT, POLL).await.unwrap();
    assert!(matches!(outcome, TxOutcome::Mined { .. }), "{outcome:?}");
}

#[tokio::test]
async fn a_block_payload_over_two_mebibytes_is_taken() {
    // A node retries a refused delivery for ever: a large block must not stop the index.
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listeners = Listeners::bind(any, any).await.unwrap();
    let observer = listeners.observer_addr().unwrap();
    let index = ehr_index::spawn(
        listeners,
        &ehr_index::IndexConfig::devnet("http://127.0.0.1:9").unwrap(),
    )
    .await
    .unwrap();
    let block = serde_json::json!({
        "block_height": 7,
        "index_block_hash": format!("0x{}", "11".repeat(32)),
        "parent_index_block_hash": format!("0x{}", "10".repeat(32)),
        "transactions": [],
        // Another contract's large print: not the index's business, taken unread.
        "events": [{
            "txid": format!("0x{}", "22".repeat(32)),
            "event_index": 0,
            "committed": true,
            "type": "contract_event",
            "contract_event": {
                "contract_identifier": "ST000000000000000000002AMW42H.other",
                "topic": "print",
                "raw_value": format!("0x{}", "00".repeat(1_500_000)),
            },
        }],
    });
    let answer = reqwest::Client::new()
        .post(format!("http://{observer}/new_block"))
        .json(&block)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let status: serde_json::Value = reqwest::get(format!("{}/extended/v1/status", index.api_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["chain_tip"]["block_height"], 7, "{status}");
}

#[tokio::test]
async fn a_block_with_hashes_or_results_that_are_not_hex_is_refused_and_not_stored() {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listeners = Listeners::bind(any, any).await.unwrap();
    let observer = listeners.observer_addr().unwrap();
    let index = ehr_index::spawn(
        listeners,
        &ehr_index::IndexConfig::devnet("http://127.0.0.1:9").unwrap(),
    )
    .await
    .unwrap();
    let good = format!("0x{}", "11".repeat(32));
    let coinbase_free_block = |hash: &str, parent: &str| {
        serde_json::json!({
            "block_height": 3,
            "index_block_hash": hash,
            "parent_index_block_hash": parent,
            "transactions": [],
        })
    };
    for (hash, parent) in [
        ("0x<script>", good.as_str()),
        (good.as_str(), "0x11"),
        (good.as_str(), &*format!("0x{}", "zz".repeat(32))),
    ] {
        let answer = reqwest::Client::new()
            .post(format!("http://{observer}/new_block"))
            .json(&coinbase_free_block(hash, parent))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{hash} {parent}");
    }
    let status: serde_json::Value = reqwest::get(format!("{}/extended/v1/status", index.api_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["chain_tip"], serde_json::Value::Null, "{status}");
}

#[tokio::test]
async fn the_ehr_routes_refuse_queries_they_cannot_answer_cheaply_or_correctly() {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listeners = Listeners::bind(any, any).await.unwrap();
    let index = ehr_index::spawn(
        listeners,
        &ehr_index::IndexConfig::devnet("http://127.0.0.1:9").unwrap(),
    )
    .await
    .unwrap();
    let patient = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
    for (query, why) in [
        ("action=log-access".to_string(), "patient or actor"),
        (
            format!("patient={patient}&since_block=18446744073709551615"),
            "beyond",
        ),
        (format!("patient={patient}&offset=2000000"), "at most"),
        (format!("patient={patient}&limit=5000"), "1 to 1000"),
        (
            "patient=not-a-principal".to_string(),
            "not a Stacks principal",
        ),
        (format!("patient={patient}&sort=date"), "id or -id"),
    ] {
        let answer = reqwest::get(format!("{}/ehr/v1/audit?{query}", index.api_url()))
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{query}");
        let body = answer.text().await.unwrap();
        assert!(body.contains(why), "{query}: {body}");
    }
    let fine = reqwest::get(format!(
        "{}/ehr/v1/audit?patient={patient}",
        index.api_url()
    ))
    .await
    .unwrap();
    assert_eq!(fine.status(), 200);
}

/// Stopped and started again on its database (on each engine), the index answers for
/// what it held, takes the blocks the node mined meanwhile (the node retries until the
/// index answers) and duplicates nothing.
#[tokio::test]
async fn an_index_restarted_on_its_database_resumes_where_it_stopped() {
    for (database, _dir) in engines() {
        let (node, index) = indexed(Mining::EveryTransaction, &database).await;
        let observer = index.observer_addr();
        let api: SocketAddr = index.api_url()["http://".len()..].parse().unwrap();
        let client = client(node.url(), Some(&index.api_url()));
        let first = send(&client, "wallet_6", transfer("wallet_2", 1), 0, 300).await;
        let outcome = client.wait_for(&first, WAIT, POLL).await.unwrap();
        assert!(
            matches!(outcome, TxOutcome::Mined { .. }),
            "{database}: {outcome:?}"
        );
        index.shutdown().await;

        // Mined while the index is down.
        let bare = self::client(node.url(), None);
        let second = send(&bare, "wallet_6", transfer("wallet_2", 2), 1, 300).await;
        bare.wait_for(&second, WAIT, POLL).await.unwrap();

        let listeners = Listeners::bind(observer, api).await.unwrap();
        let index = ehr_index::spawn(
            listeners,
            &ehr_index::IndexConfig::devnet(node.url())
                .unwrap()
                .database(database.clone()),
        )
        .await
        .unwrap();
        let first_again = client.wait_for(&first, WAIT, POLL).await.unwrap();
        assert_eq!(first_again, outcome, "{database}");
        let second_outcome = client.wait_for(&second, WAIT, POLL).await.unwrap();
        assert!(
            matches!(second_outcome, TxOutcome::Mined { .. }),
            "{database}: {second_outcome:?}"
        );
        assert_eq!(
            client.next_nonce(&principal("wallet_6")).await.unwrap(),
            2,
            "{database}"
        );
        let status: serde_json::Value = reqwest::get(format!("{}/ehr/v1/status", index.api_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(status["lag_blocks"], 0, "{database}: {status}");
        index.shutdown().await;
        node.shutdown().await;
    }
}

/// Blocks the index never received (it was down longer than the node retried) are named
/// by height on the status route, on each engine, until they arrive.
#[tokio::test]
async fn the_status_route_names_the_heights_the_index_never_received() {
    let node = devnet(Routes::BareNode, Mining::EveryTransaction, None).await;
    for (database, _dir) in engines() {
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let listeners = Listeners::bind(any, any).await.unwrap();
        let observer = listeners.observer_addr().unwrap();
        let index = ehr_index::spawn(
            listeners,
            &ehr_index::IndexConfig::devnet(node.url())
                .unwrap()
                .database(database.clone()),
        )
        .await
        .unwrap();
        let hash = |n: u64| format!("0x{n:064x}");
        let post = |height: u64, parent: u64| {
            let body = serde_json::json!({
                "block_height": height,
                "index_block_hash": hash(height),
                "parent_index_block_hash": hash(parent),
                "burn_block_time": 1_700_000_000 + height,
                "transactions": [],
            });
            let url = format!("http://{observer}/new_block");
            async move {
                let answer = reqwest::Client::new()
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(answer.status(), 200);
            }
        };
        let status = || async {
            reqwest::get(format!("{}/ehr/v1/status", index.api_url()))
                .await
                .unwrap()
                .json::<ehr_sdk::node::IndexStatus>()
                .await
                .unwrap()
        };
        post(1, 0).await;
        post(2, 1).await;
        assert!(status().await.missing_blocks.is_empty(), "{database}");
        // Blocks 3 and 4 never arrive.
        post(5, 4).await;
        post(6, 5).await;
        let missing = status().await.missing_blocks;
        assert_eq!(
            missing,
            vec![ehr_sdk::node::MissingBlocks {
                from_height: 3,
                to_height: 4,
                before_block: hash(5),
            }],
            "{database}"
        );
        // They arrive late (an old block reads as a fork until the chain's next block
        // builds on the newest again).
        post(3, 2).await;
        post(4, 3).await;
        post(7, 6).await;
        let now = status().await;
        assert!(now.missing_blocks.is_empty(), "{database}: {now:?}");
        assert_eq!(now.index_tip.unwrap().block_height, 7, "{database}");
        index.shutdown().await;
    }
}
