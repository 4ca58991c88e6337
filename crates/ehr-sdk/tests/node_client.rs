//! The node client against a local HTTP server that answers with the JSON shapes a real
//! stacks-node and Hiro API send (shared/reference/stacks-protocol.md §5): typed answers,
//! rejections of every kind, 404s, retries (and the lack of them), timeouts, fee fallback,
//! transaction status and waiting.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, TupleData};
use clarity::vm::Value;
use ehr_sdk::node::{
    parse_txid, AbiType, AbortReason, DropReason, FeeEstimate, FunctionAccess, NodeClient,
    NodeError, RejectReason, RetryPolicy, TxOutcome, TxSource, TxStatus, Txid, VariableAccess,
};
use serde_json::{json, Value as JsonValue};
use sha2::{Digest, Sha512_256};

const DEPLOYER: &str = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const WALLET_1: &str = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const U1_HEX: &str = "0x0100000000000000000000000000000001";

/// Serves `router` on an ephemeral loopback port; returns its base URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// A client with fast retries, so retry tests take milliseconds.
fn client(url: &str) -> NodeClient {
    NodeClient::builder(url)
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy::new(3, Duration::from_millis(5)))
        .build()
        .unwrap()
}

/// A request counter shared with a handler.
#[derive(Clone, Default)]
struct Hits(Arc<AtomicUsize>);

impl Hits {
    /// Counts one request; returns its 0-based index.
    fn next(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst)
    }
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain")], body).into_response()
}

fn principal(p: &str) -> PrincipalData {
    PrincipalData::parse(p).unwrap()
}

fn registry() -> QualifiedContractIdentifier {
    QualifiedContractIdentifier::parse(&format!("{DEPLOYER}.patient-registry")).unwrap()
}

fn sha512_256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha512_256::digest(bytes))
}

fn txid_of(byte: u8) -> Txid {
    Txid([byte; 32])
}

// ----- info, accounts, nonces ------------------------------------------------------------

#[tokio::test]
async fn info_reads_the_node_json_and_ignores_unknown_fields() {
    let url = serve(Router::new().route(
        "/v2/info",
        get(|| async {
            Json(json!({
                "peer_version": 4207599113u32, "pox_consensus": "17f76e597bab45646956f38dd39573085d72cbc0",
                "burn_block_height": 331, "stable_pox_consensus": "8e0561978fc5506b68a589c402dad97e862edb59",
                "stable_burn_block_height": 324, "server_version": "stacks-node 3.1.0.0.9 (test)",
                "network_id": 2147483648u32, "parent_network_id": 3669344250u32,
                "stacks_tip_height": 207, "stacks_tip": "b3a5b4d2c1f2e0f93c3b0e8d7f9b2c6d1e0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c",
                "stacks_tip_consensus_hash": "17f76e597bab45646956f38dd39573085d72cbc0",
                "genesis_chainstate_hash": "74237aa39aa50a83de11a4f53e9d3bb7d43461d1de9873f402e5453ae60bc59b",
                "unanchored_tip": null, "unanchored_seq": null, "tenure_height": 52,
                "exit_at_block_height": null, "is_fully_synced": true,
                "node_public_key": "023de6c1b7c4a1b58fc1c1e7a9b3c4f5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",
                "node_public_key_hash": "e26cce8f6abe06b9fc81c3b11bda64c4a0d6b8a8",
                "stackerdbs": [], "last_pox_anchor": {"anchor_block_hash": "00", "anchor_block_txid": "00"}
            }))
        }),
    ))
    .await;
    let info = client(&url).info().await.unwrap();
    assert_eq!(info.network_id, 0x8000_0000);
    assert_eq!(info.parent_network_id, 0xDAB5_BFFA);
    assert_eq!(info.stacks_tip_height, 207);
    assert_eq!(info.burn_block_height, 331);
    assert_eq!(info.tenure_height, Some(52));
    assert_eq!(info.is_fully_synced, Some(true));
    assert_eq!(info.unanchored_tip, None);
    assert_eq!(info.server_version, "stacks-node 3.1.0.0.9 (test)");
}

#[tokio::test]
async fn account_decodes_hex_u128_amounts_and_asks_without_proof() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let url = serve(Router::new().route(
        "/v2/accounts/{principal}",
        get(move |Path(who): Path<String>, RawQuery(query): RawQuery| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push((who, query));
                Json(json!({
                    "balance": "0x0000000000000000000000000007a120",
                    "locked": "0x00000000000000010000000000000000",
                    "unlock_height": 126, "nonce": 2867
                }))
            }
        }),
    ))
    .await;
    let account = client(&url).account(&principal(WALLET_1)).await.unwrap();
    assert_eq!(account.balance, 500_000);
    assert_eq!(account.locked, 1u128 << 64);
    assert_eq!(account.unlock_height, 126);
    assert_eq!(account.nonce, 2867);
    assert_eq!(
        *seen.lock().unwrap(),
        [(WALLET_1.to_string(), Some("proof=0".to_string()))]
    );
}

#[tokio::test]
async fn account_with_a_malformed_balance_is_a_decode_error() {
    let url = serve(Router::new().route(
        "/v2/accounts/{principal}",
        get(|| async {
            Json(json!({"balance": "12", "locked": "0x0", "unlock_height": 0, "nonce": 0}))
        }),
    ))
    .await;
    let err = client(&url)
        .account(&principal(WALLET_1))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, NodeError::Decode { reason, .. } if reason.contains("0x-hex u128")),
        "{err}"
    );
}

fn nonces_router(hiro: bool) -> Router {
    let router = Router::new().route(
        "/v2/accounts/{principal}",
        get(|| async {
            Json(json!({"balance": "0x00000000000000000000000000000000",
                        "locked": "0x00000000000000000000000000000000", "unlock_height": 0, "nonce": 3}))
        }),
    );
    if !hiro {
        return router;
    }
    with_status(router).route(
        "/extended/v1/address/{principal}/nonces",
        get(|Path(who): Path<String>| async move {
            assert_eq!(who, WALLET_1);
            Json(json!({
                "last_mempool_tx_nonce": 6, "last_executed_tx_nonce": 2, "possible_next_nonce": 7,
                "detected_missing_nonces": [4], "detected_mempool_nonces": [3, 5, 6]
            }))
        }),
    )
}

#[tokio::test]
async fn nonces_come_from_the_hiro_api() {
    let url = serve(nonces_router(true)).await;
    let node = client(&url);
    let nonces = node.nonces(&principal(WALLET_1)).await.unwrap();
    assert_eq!(nonces.possible_next_nonce, 7);
    assert_eq!(nonces.last_mempool_tx_nonce, Some(6));
    assert_eq!(nonces.last_executed_tx_nonce, Some(2));
    assert_eq!(nonces.detected_missing_nonces, [4]);
    assert_eq!(nonces.detected_mempool_nonces, [3, 5, 6]);
    assert_eq!(node.next_nonce(&principal(WALLET_1)).await.unwrap(), 7);
}

#[tokio::test]
async fn next_nonce_falls_back_to_the_account_without_a_hiro_api() {
    let url = serve(nonces_router(false)).await;
    let node = client(&url);
    assert!(matches!(
        node.nonces(&principal(WALLET_1)).await,
        Err(NodeError::NotFound { .. })
    ));
    assert_eq!(node.next_nonce(&principal(WALLET_1)).await.unwrap(), 3);
}

// ----- fees ------------------------------------------------------------------------------

const ESTIMATE_200: &str = r#"{"estimated_cost":{"read_count":19,"read_length":4814,"runtime":7175000,"write_count":2,"write_length":1020},
 "estimated_cost_scalar":14,"cost_scalar_change_by_byte":0.00476837158203125,
 "estimations":[{"fee_rate":1.24,"fee":180},{"fee_rate":8.95,"fee":1251},{"fee_rate":10,"fee":1400}]}"#;

/// A node whose fee estimator answers `estimate` with `status`, and whose transfer fee
/// rate is 3 µSTX/byte; counts hits on each route.
async fn fee_node(status: StatusCode, estimate: &'static str) -> (String, Hits, Hits) {
    let estimates = Hits::default();
    let rates = Hits::default();
    let (e, r) = (estimates.clone(), rates.clone());
    let url = serve(
        Router::new()
            .route(
                "/v2/fees/transaction",
                post(move |headers: HeaderMap, body: Bytes| {
                    let e = e.clone();
                    async move {
                        e.next();
                        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
                        let request: JsonValue = serde_json::from_slice(&body).unwrap();
                        assert_eq!(
                            request,
                            json!({"transaction_payload": "0216e685b016b3b6cd9ebf35f38e5ae29392e2acd51d0a626e732d6e616d65", "estimated_len": 180})
                        );
                        (status, [(header::CONTENT_TYPE, "application/json")], estimate)
                    }
                }),
            )
            .route(
                "/v2/fees/transfer",
                get(move || {
                    let r = r.clone();
                    async move {
                        r.next();
                        Json(json!(3))
                    }
                }),
            ),
    )
    .await;
    (url, estimates, rates)
}

const PAYLOAD: &str = "0216e685b016b3b6cd9ebf35f38e5ae29392e2acd51d0a626e732d6e616d65";

#[tokio::test]
async fn fee_rate_is_a_bare_integer() {
    let (url, _, rates) = fee_node(StatusCode::OK, ESTIMATE_200).await;
    assert_eq!(client(&url).fee_rate().await.unwrap(), 3);
    assert_eq!(rates.count(), 1);
}

#[tokio::test]
async fn fee_estimate_takes_the_middle_estimation() {
    let (url, estimates, rates) = fee_node(StatusCode::OK, ESTIMATE_200).await;
    let estimate = client(&url)
        .estimate_fee(&hex::decode(PAYLOAD).unwrap(), 180)
        .await
        .unwrap();
    let FeeEstimate::Estimated { low, middle, high } = estimate else {
        panic!("expected the node's estimations, got {estimate:?}");
    };
    assert_eq!((low.fee, middle.fee, high.fee), (180, 1251, 1400));
    assert_eq!(middle.fee_rate, 8.95);
    assert_eq!(estimate.fee(), 1251);
    assert_eq!((estimates.count(), rates.count()), (1, 0));
}

#[tokio::test]
async fn fee_estimate_falls_back_to_rate_times_length_without_an_estimate() {
    let (url, estimates, rates) = fee_node(
        StatusCode::BAD_REQUEST,
        r#"{"error":"Estimation could not be performed","reason":"NoEstimateAvailable","reason_data":{"message":"No estimate available for the provided payload."}}"#,
    )
    .await;
    let estimate = client(&url)
        .estimate_fee(&hex::decode(PAYLOAD).unwrap(), 180)
        .await
        .unwrap();
    assert_eq!(
        estimate,
        FeeEstimate::FeeRateTimesLength {
            fee_rate: 3,
            estimated_len: 180
        }
    );
    assert_eq!(estimate.fee(), 540);
    assert_eq!((estimates.count(), rates.count()), (1, 1));
}

#[tokio::test]
async fn other_estimator_failures_are_errors_not_fallbacks() {
    let (url, estimates, rates) = fee_node(
        StatusCode::BAD_REQUEST,
        r#"{"error":"Estimation could not be performed","reason":"DatabaseError","reason_data":{"message":"database is locked"}}"#,
    )
    .await;
    let err = client(&url)
        .estimate_fee(&hex::decode(PAYLOAD).unwrap(), 180)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NodeError::FeeEstimation {
            reason: Some("DatabaseError".into()),
            message: "database is locked".into()
        }
    );
    assert!(err.to_string().contains("set the fee explicitly"));
    assert_eq!((estimates.count(), rates.count()), (1, 0));

    let (url, _, rates) = fee_node(
        StatusCode::BAD_REQUEST,
        r#""Fee estimation not supported on this node""#,
    )
    .await;
    let err = client(&url)
        .estimate_fee(&hex::decode(PAYLOAD).unwrap(), 180)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NodeError::FeeEstimation {
            reason: None,
            message: "Fee estimation not supported on this node".into()
        }
    );
    assert_eq!(rates.count(), 0);
}

// ----- broadcast -------------------------------------------------------------------------

/// A node whose broadcast endpoint answers request `i` with `script(i, body)`.
async fn broadcast_node(
    script: impl Fn(usize, &[u8]) -> Response + Clone + Send + Sync + 'static,
) -> (String, Hits) {
    let hits = Hits::default();
    let h = hits.clone();
    let url = serve(Router::new().route(
        "/v2/transactions",
        post(move |headers: HeaderMap, body: Bytes| {
            let (h, script) = (h.clone(), script.clone());
            async move {
                assert_eq!(headers[header::CONTENT_TYPE], "application/octet-stream");
                script(h.next(), &body)
            }
        }),
    ))
    .await;
    (url, hits)
}

/// The node's 200 answer: the txid of the bytes, as a JSON string without 0x.
fn accepted(body: &[u8]) -> Response {
    Json(json!(sha512_256_hex(body))).into_response()
}

/// The node's 400 rejection body for `body`.
fn rejected(body: &[u8], reason: &str, data: Option<&JsonValue>) -> Response {
    let mut json =
        json!({"error": "transaction rejected", "reason": reason, "txid": sha512_256_hex(body)});
    if let Some(data) = data {
        json["reason_data"] = data.clone();
    }
    (StatusCode::BAD_REQUEST, Json(json)).into_response()
}

const TX: &[u8] = b"\x80\x80\x00\x00\x00\x04 signed transaction bytes";

#[tokio::test]
async fn broadcast_returns_the_txid_the_node_acknowledges() {
    let (url, hits) = broadcast_node(|_, body| accepted(body)).await;
    let txid = client(&url).broadcast(TX).await.unwrap();
    assert_eq!(txid.to_hex(), sha512_256_hex(TX));
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn broadcast_refuses_an_acknowledgement_of_another_txid() {
    let (url, _) = broadcast_node(|_, _| Json(json!("ab".repeat(32))).into_response()).await;
    let err = client(&url).broadcast(TX).await.unwrap_err();
    assert!(
        matches!(&err, NodeError::Decode { reason, .. } if reason.contains(&"ab".repeat(32))),
        "{err}"
    );
}

#[tokio::test]
async fn every_rejection_reason_becomes_a_typed_error_with_advice() {
    let cases: Vec<(&str, RejectReason, Option<JsonValue>, &str)> = vec![
        ("BadNonce", RejectReason::BadNonce,
         Some(json!({"expected": 0, "actual": 4, "is_origin": true, "principal": WALLET_1})),
         "nonce 4 of ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5 is not usable: the account's next nonce is 0"),
        ("FeeTooLow", RejectReason::FeeTooLow, Some(json!({"expected": 180, "actual": 10})),
         "fee of 10 µSTX is too low: this transaction needs at least 180 µSTX"),
        ("NotEnoughFunds", RejectReason::NotEnoughFunds,
         Some(json!({"expected": "0x000000000000000000000000000f4240", "actual": "0x000000000000000000000000000003e8"})),
         "has 1000 µSTX but needs 1000000 µSTX"),
        ("SignatureValidation", RejectReason::SignatureValidation,
         Some(json!({"message": "Signer hash does not equal hash of public key(s)"})),
         "signature does not verify: Signer hash does not equal hash of public key(s)"),
        ("BadTransactionVersion", RejectReason::BadTransactionVersion, None, "for another network"),
        ("ConflictingNonceInMempool", RejectReason::ConflictingNonceInMempool, None, "same nonce is already pending"),
        ("TooMuchChaining", RejectReason::TooMuchChaining,
         Some(json!({"message": "Nonce would exceed chaining limit in mempool", "expected": 26, "actual": 30, "principal": WALLET_1, "is_origin": true})),
         "from ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5 (nonce 30, highest allowed 26)"),
        ("EstimatorError", RejectReason::EstimatorError, Some(json!({"message": "cost too high"})),
         "fee estimator failed: cost too high"),
        ("BadAddressVersionByte", RejectReason::BadAddressVersionByte, None, "other network"),
        ("NoCoinbaseViaMempool", RejectReason::NoCoinbaseViaMempool, None, "cannot be broadcast"),
        ("NoTenureChangeViaMempool", RejectReason::NoTenureChangeViaMempool, None, "cannot be broadcast"),
        ("ServerFailureNoSuchChainTip", RejectReason::ServerFailureNoSuchChainTip, None, "no chain tip yet"),
        ("ServerFailureDatabase", RejectReason::ServerFailureDatabase, Some(json!({"message": "disk full"})), "failed while checking the transaction: disk full"),
        ("ServerFailureOther", RejectReason::ServerFailureOther,
         Some(json!({"message": "Transaction is not supported in this epoch"})), "not supported in this epoch"),
        ("Serialization", RejectReason::Serialization, Some(json!({"message": "bad"})), "could not decode the transaction: bad"),
        ("Deserialization", RejectReason::Deserialization, Some(json!({"message": "Failed to read u8"})),
         "could not decode the transaction: Failed to read u8"),
        ("ContractAlreadyExists", RejectReason::ContractAlreadyExists,
         Some(json!({"contract_identifier": format!("{DEPLOYER}.patient-registry")})),
         "contract ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.patient-registry already exists"),
        ("NoSuchContract", RejectReason::NoSuchContract, None, "contract does not exist"),
        ("NoSuchPublicFunction", RejectReason::NoSuchPublicFunction, None, "not a public function"),
        ("BadFunctionArgument", RejectReason::BadFunctionArgument, Some(json!({"message": "expected uint"})),
         "do not match the function's signature: expected uint"),
        ("TransferRecipientCannotEqualSender", RejectReason::TransferRecipientCannotEqualSender,
         Some(json!({"recipient": WALLET_1})), "recipient ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5 is the sender"),
        ("TransferAmountMustBePositive", RejectReason::TransferAmountMustBePositive, None, "more than 0"),
        ("PoisonMicroblocksDoNotConflict", RejectReason::PoisonMicroblocksDoNotConflict, None, "poison-microblock"),
        ("PoisonMicroblockHasUnknownPubKeyHash", RejectReason::PoisonMicroblockHasUnknownPubKeyHash, None, "poison-microblock"),
        ("PoisonMicroblockIsInvalid", RejectReason::PoisonMicroblockIsInvalid, None, "poison-microblock"),
        ("TemporarilyBlacklisted", RejectReason::TemporarilyBlacklisted, None, "retry later"),
        ("SomeFutureReason", RejectReason::Other("SomeFutureReason".into()), Some(json!({"message": "new"})),
         "rejected it (SomeFutureReason): new"),
    ];
    let table = Arc::new(cases.clone());
    let (url, hits) = broadcast_node(move |i, body| {
        let (reason, _, data, _) = &table[i];
        rejected(body, reason, data.as_ref())
    })
    .await;
    let node = client(&url);
    for (wire, expected_reason, expected_data, advice) in cases.iter() {
        let tx = [TX, wire.as_bytes()].concat();
        let err = node.broadcast(&tx).await.unwrap_err();
        let message = err.to_string();
        let NodeError::BroadcastRejected {
            reason,
            reason_data,
            txid,
        } = err
        else {
            panic!("{wire}: expected a rejection, got {message}");
        };
        assert_eq!(&reason, expected_reason, "{wire}");
        assert_eq!(reason.as_str(), *wire);
        assert_eq!(&reason_data, expected_data, "{wire}");
        assert_eq!(txid.to_hex(), sha512_256_hex(&tx), "{wire}");
        assert!(message.contains(advice), "{wire}: {message}");
        assert!(
            message.contains(&format!("0x{}", sha512_256_hex(&tx))),
            "{message}"
        );
    }
    // One request per broadcast: a rejection is never retried.
    assert_eq!(hits.count(), cases.len());
}

#[tokio::test]
async fn a_plain_400_is_not_retried() {
    let (url, hits) = broadcast_node(|_, _| {
        text(
            StatusCode::BAD_REQUEST,
            "Failed to deserialize posted transaction: Failed to read u32",
        )
    })
    .await;
    let err = client(&url).broadcast(TX).await.unwrap_err();
    assert!(
        matches!(&err, NodeError::Http { status: 400, body, .. } if body.contains("Failed to deserialize posted transaction")),
        "{err}"
    );
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn broadcast_is_retried_through_5xx_because_it_is_idempotent() {
    let (url, hits) = broadcast_node(|i, body| {
        if i < 2 {
            text(StatusCode::SERVICE_UNAVAILABLE, "overloaded")
        } else {
            accepted(body)
        }
    })
    .await;
    let txid = client(&url).broadcast(TX).await.unwrap();
    assert_eq!(txid.to_hex(), sha512_256_hex(TX));
    assert_eq!(hits.count(), 3);
}

#[tokio::test]
async fn bad_nonce_after_an_uncertain_attempt_is_reported_as_unknown_outcome() {
    let (url, hits) = broadcast_node(|i, body| {
        if i == 0 {
            text(StatusCode::GATEWAY_TIMEOUT, "upstream timed out")
        } else {
            rejected(
                body,
                "BadNonce",
                Some(
                    &json!({"expected": 5, "actual": 4, "is_origin": true, "principal": WALLET_1}),
                ),
            )
        }
    })
    .await;
    let err = client(&url).broadcast(TX).await.unwrap_err();
    assert!(
        matches!(
            &err,
            NodeError::BroadcastOutcomeUnknown { reason: RejectReason::BadNonce, txid, .. }
                if txid.to_hex() == sha512_256_hex(TX)
        ),
        "{err}"
    );
    assert!(err.to_string().contains("may have been accepted"));
    assert_eq!(hits.count(), 2);
}

// ----- retries and timeouts --------------------------------------------------------------

/// A node whose `/v2/fees/transfer` answers request `i` with `status_of(i)` (200 → rate 1).
async fn flaky_node(status_of: fn(usize) -> StatusCode) -> (String, Hits) {
    let hits = Hits::default();
    let h = hits.clone();
    let url = serve(Router::new().route(
        "/v2/fees/transfer",
        get(move || {
            let h = h.clone();
            async move {
                match status_of(h.next()) {
                    StatusCode::OK => Json(json!(1)).into_response(),
                    status => (status, "try again").into_response(),
                }
            }
        }),
    ))
    .await;
    (url, hits)
}

#[tokio::test]
async fn a_503_is_retried_until_it_succeeds() {
    let (url, hits) = flaky_node(|i| {
        if i < 2 {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::OK
        }
    })
    .await;
    assert_eq!(client(&url).fee_rate().await.unwrap(), 1);
    assert_eq!(hits.count(), 3);
}

#[tokio::test]
async fn a_rate_limit_is_retried() {
    let (url, hits) = flaky_node(|i| {
        if i == 0 {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::OK
        }
    })
    .await;
    assert_eq!(client(&url).fee_rate().await.unwrap(), 1);
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn retries_are_bounded_and_end_in_the_last_answer() {
    let (url, hits) = flaky_node(|_| StatusCode::BAD_GATEWAY).await;
    let node = NodeClient::builder(&url)
        .retry(RetryPolicy::new(2, Duration::from_millis(1)))
        .build()
        .unwrap();
    let err = node.fee_rate().await.unwrap_err();
    assert!(
        matches!(&err, NodeError::Http { status: 502, body, .. } if body == "try again"),
        "{err}"
    );
    assert_eq!(hits.count(), 3);
}

#[tokio::test]
async fn client_errors_and_not_implemented_are_not_retried() {
    for status in [
        StatusCode::BAD_REQUEST,
        StatusCode::UNAUTHORIZED,
        StatusCode::NOT_IMPLEMENTED,
    ] {
        let (url, hits) = match status {
            StatusCode::BAD_REQUEST => flaky_node(|_| StatusCode::BAD_REQUEST).await,
            StatusCode::UNAUTHORIZED => flaky_node(|_| StatusCode::UNAUTHORIZED).await,
            _ => flaky_node(|_| StatusCode::NOT_IMPLEMENTED).await,
        };
        let err = client(&url).fee_rate().await.unwrap_err();
        assert!(
            matches!(&err, NodeError::Http { status: s, .. } if *s == status.as_u16()),
            "{err}"
        );
        assert_eq!(hits.count(), 1, "{status}");
    }
}

#[tokio::test]
async fn a_slow_node_times_out_and_each_attempt_gets_the_timeout() {
    let hits = Hits::default();
    let h = hits.clone();
    let url = serve(Router::new().route(
        "/v2/info",
        get(move || {
            let h = h.clone();
            async move {
                h.next();
                tokio::time::sleep(Duration::from_secs(10)).await;
                "too late"
            }
        }),
    ))
    .await;
    let node = NodeClient::builder(&url)
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::new(1, Duration::from_millis(1)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = node.info().await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(&err, NodeError::Timeout { after, url } if *after == Duration::from_millis(200) && url.ends_with("/v2/info")),
        "{err}"
    );
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn an_unreachable_node_is_retried_then_explained() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let node = NodeClient::builder(&url)
        .retry(RetryPolicy::new(2, Duration::from_millis(60)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = node.info().await.unwrap_err();
    assert!(matches!(err, NodeError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("ehr devnet start"), "{err}");
    assert!(err.to_string().contains(&url), "{err}");
    // Two backoffs (60 ms, then 120 ms) prove the connection was tried three times.
    assert!(started.elapsed() >= Duration::from_millis(180));
}

// ----- contracts -------------------------------------------------------------------------

/// A node serving call-read, map_entry, data_var, source and interface for the registry.
async fn contract_node() -> (String, Hits) {
    let hits = Hits::default();
    let (h1, h2, h3) = (hits.clone(), hits.clone(), hits.clone());
    let router = Router::new()
        .route(
            "/v2/contracts/call-read/{addr}/{contract}/{function}",
            post(
                move |Path((addr, contract, function)): Path<(String, String, String)>,
                      headers: HeaderMap,
                      Json(body): Json<JsonValue>| {
                    let h = h1.clone();
                    async move {
                        h.next();
                        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
                        assert_eq!((addr.as_str(), contract.as_str()), (DEPLOYER, "patient-registry"));
                        match function.as_str() {
                            "get-patient?" => {
                                assert_eq!(
                                    body,
                                    json!({"sender": WALLET_1, "arguments": [U1_HEX, "0x0200000003666f6f"]})
                                );
                                Json(json!({"okay": true,
                                    "result": "0x0a0c000000010a6d6f6e737465722d69640100000000000000000000000000000001"}))
                            }
                            "register-patient" => Json(json!({"okay": false, "cause": "NotReadOnly"})),
                            _ => Json(json!({"okay": true, "result": "0x070300"})),
                        }
                    }
                },
            ),
        )
        .route(
            "/v2/map_entry/{addr}/{contract}/{map}",
            post(move |Path((_, _, map)): Path<(String, String, String)>, RawQuery(q): RawQuery, body: Bytes| {
                let h = h2.clone();
                async move {
                    h.next();
                    assert_eq!(q.as_deref(), Some("proof=0"));
                    let key: String = serde_json::from_slice(&body).expect("a JSON string body");
                    let data = match (map.as_str(), key.as_str()) {
                        ("patients", U1_HEX) => "0x0a0100000000000000000000000000000005",
                        ("patients", _) => "0x09",
                        _ => "0x0100000000000000000000000000000005",
                    };
                    Json(json!({ "data": data }))
                }
            }),
        )
        .route(
            "/v2/data_var/{addr}/{contract}/{var}",
            get(move |Path((_, _, var)): Path<(String, String, String)>| {
                let h = h3.clone();
                async move {
                    h.next();
                    match var.as_str() {
                        "patient-count" => Json(json!({"data": "0x010000000000000000000000000000002a"})).into_response(),
                        _ => text(StatusCode::NOT_FOUND, "Data var not found"),
                    }
                }
            }),
        )
        .route(
            "/v2/contracts/source/{addr}/{contract}",
            get(|Path((_, contract)): Path<(String, String)>| async move {
                if contract == "patient-registry" {
                    Json(json!({"source": "(define-read-only (f) u1)\n", "publish_height": 3})).into_response()
                } else {
                    text(StatusCode::NOT_FOUND, "No contract source data found")
                }
            }),
        )
        .route(
            "/v2/contracts/interface/{addr}/{contract}",
            get(|Path((_, contract)): Path<(String, String)>| async move {
                if contract == "patient-registry" {
                    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], INTERFACE).into_response()
                } else {
                    text(StatusCode::NOT_FOUND, "No contract interface data found")
                }
            }),
        );
    (serve(router).await, hits)
}

#[tokio::test]
async fn read_only_calls_send_hex_arguments_and_decode_the_result() {
    let (url, _) = contract_node().await;
    let args = [Value::UInt(1), Value::buff_from(b"foo".to_vec()).unwrap()];
    let value = client(&url)
        .call_read_only(&registry(), "get-patient?", &args, &principal(WALLET_1))
        .await
        .unwrap();
    let tuple = TupleData::from_data(vec![("monster-id".into(), Value::UInt(1))]).unwrap();
    assert_eq!(value, Value::some(Value::Tuple(tuple)).unwrap());
}

#[tokio::test]
async fn a_read_only_call_the_node_cannot_complete_carries_its_cause() {
    let (url, hits) = contract_node().await;
    let err = client(&url)
        .call_read_only(&registry(), "register-patient", &[], &principal(WALLET_1))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NodeError::ReadOnlyFailed {
            contract: format!("{DEPLOYER}.patient-registry"),
            function: "register-patient".into(),
            cause: "NotReadOnly".into()
        }
    );
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn a_result_with_trailing_bytes_is_not_a_value() {
    let (url, _) = contract_node().await;
    let err = client(&url)
        .call_read_only(&registry(), "is-registered", &[], &principal(WALLET_1))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, NodeError::Decode { reason, .. } if reason.contains("1 byte(s) after")),
        "{err}"
    );
}

#[tokio::test]
async fn map_entries_are_some_or_none() {
    let (url, _) = contract_node().await;
    let node = client(&url);
    let present = node
        .map_entry(&registry(), "patients", &Value::UInt(1))
        .await
        .unwrap();
    assert_eq!(present, Some(Value::UInt(5)));
    let absent = node
        .map_entry(&registry(), "patients", &Value::UInt(2))
        .await
        .unwrap();
    assert_eq!(absent, None);
    let err = node
        .map_entry(&registry(), "broken", &Value::UInt(1))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, NodeError::Decode { reason, .. } if reason.contains("(some ...) or none")),
        "{err}"
    );
}

#[tokio::test]
async fn data_vars_decode_and_a_missing_one_is_not_found_without_retry() {
    let (url, hits) = contract_node().await;
    let node = client(&url);
    assert_eq!(
        node.data_var(&registry(), "patient-count").await.unwrap(),
        Value::UInt(42)
    );
    let err = node.data_var(&registry(), "nope").await.unwrap_err();
    assert_eq!(
        err,
        NodeError::NotFound {
            what: format!("data var `nope` of {DEPLOYER}.patient-registry"),
            body: "Data var not found".into()
        }
    );
    assert_eq!(hits.count(), 2);
}

#[tokio::test]
async fn contract_source_and_missing_contracts() {
    let (url, _) = contract_node().await;
    let node = client(&url);
    let source = node.contract_source(&registry()).await.unwrap();
    assert_eq!(source.source, "(define-read-only (f) u1)\n");
    assert_eq!(source.publish_height, 3);
    let missing = QualifiedContractIdentifier::parse(&format!("{DEPLOYER}.audit-log")).unwrap();
    let err = node.contract_source(&missing).await.unwrap_err();
    assert!(
        matches!(&err, NodeError::NotFound { what, body } if what.ends_with(".audit-log") && body == "No contract source data found"),
        "{err}"
    );
    assert!(matches!(
        node.contract_interface(&missing).await,
        Err(NodeError::NotFound { .. })
    ));
}

const INTERFACE: &str = r#"{
 "functions":[
  {"name":"get-patient","access":"read_only","args":[{"name":"p","type":"principal"}],
   "outputs":{"type":{"optional":{"tuple":[{"name":"active","type":"bool"},{"name":"enc-pubkey","type":{"buffer":{"length":33}}},{"name":"registered-at","type":"uint128"}]}}}},
  {"name":"register-patient","access":"public",
   "args":[{"name":"id-hash","type":{"buffer":{"length":32}}},{"name":"enc-pubkey","type":{"buffer":{"length":33}}}],
   "outputs":{"type":{"response":{"ok":"bool","error":"uint128"}}}},
  {"name":"notes","access":"private",
   "args":[{"name":"n","type":{"list":{"type":{"string-utf8":{"length":128}},"length":10}}},{"name":"t","type":"trait_reference"}],
   "outputs":{"type":{"response":{"ok":{"string-ascii":{"length":24}},"error":"none"}}}}
 ],
 "variables":[{"name":"ERR-NOT-FOUND","type":{"response":{"ok":"none","error":"uint128"}},"access":"constant"},
              {"name":"patient-count","type":"uint128","access":"variable"},
              {"name":"offset","type":"int128","access":"variable"}],
 "maps":[{"name":"patients","key":"principal","value":{"tuple":[{"name":"active","type":"bool"}]}}],
 "fungible_tokens":[{"name":"credit"}],
 "non_fungible_tokens":[{"name":"access-token","type":"uint128"}],
 "epoch":"Epoch24","clarity_version":"Clarity2"
}"#;

#[tokio::test]
async fn contract_interfaces_are_typed() {
    let (url, _) = contract_node().await;
    let abi = client(&url).contract_interface(&registry()).await.unwrap();
    assert_eq!(abi.epoch.as_deref(), Some("Epoch24"));
    assert_eq!(abi.clarity_version.as_deref(), Some("Clarity2"));

    let register = abi.function("register-patient").unwrap();
    assert_eq!(register.access, FunctionAccess::Public);
    assert_eq!(register.args[1].name, "enc-pubkey");
    assert_eq!(register.args[1].ty, AbiType::Buffer { length: 33 });
    assert_eq!(
        register.returns,
        AbiType::Response {
            ok: Box::new(AbiType::Bool),
            error: Box::new(AbiType::UInt)
        }
    );
    let shown: Vec<(String, FunctionAccess, String)> = abi
        .functions
        .iter()
        .map(|f| {
            let args: Vec<String> = f
                .args
                .iter()
                .map(|a| format!("({} {})", a.name, a.ty))
                .collect();
            (
                f.name.clone(),
                f.access,
                format!("{} -> {}", args.join(" "), f.returns),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("get-patient".to_string(), FunctionAccess::ReadOnly,
             "(p principal) -> (optional (tuple (active bool) (enc-pubkey (buff 33)) (registered-at uint)))".to_string()),
            ("register-patient".to_string(), FunctionAccess::Public,
             "(id-hash (buff 32)) (enc-pubkey (buff 33)) -> (response bool uint)".to_string()),
            ("notes".to_string(), FunctionAccess::Private,
             "(n (list 10 (string-utf8 128))) (t <trait>) -> (response (string-ascii 24) UnknownType)".to_string()),
        ]
    );
    assert!(abi.function("deactivate").is_none());

    let vars: Vec<(&str, String, VariableAccess)> = abi
        .variables
        .iter()
        .map(|v| (v.name.as_str(), v.ty.to_string(), v.access))
        .collect();
    assert_eq!(
        vars,
        [
            (
                "ERR-NOT-FOUND",
                "(response UnknownType uint)".to_string(),
                VariableAccess::Constant
            ),
            (
                "patient-count",
                "uint".to_string(),
                VariableAccess::Variable
            ),
            ("offset", "int".to_string(), VariableAccess::Variable),
        ]
    );
    assert_eq!(abi.maps[0].name, "patients");
    assert_eq!(abi.maps[0].key, AbiType::Principal);
    assert_eq!(abi.maps[0].value.to_string(), "(tuple (active bool))");
    assert_eq!(abi.fungible_tokens[0].name, "credit");
    assert_eq!(abi.non_fungible_tokens[0].ty, AbiType::UInt);

    // The type grammar serialises back to the node's JSON.
    let ty = &abi.functions[2].args[0].ty;
    assert_eq!(
        serde_json::to_value(ty).unwrap(),
        json!({"list": {"type": {"string-utf8": {"length": 128}}, "length": 10}})
    );
}

// ----- transaction status and waiting ----------------------------------------------------

/// A Hiro API transaction body (fields beyond the status kept, as the API sends them).
fn hiro_tx(txid: &Txid, status: &str, extra: JsonValue) -> JsonValue {
    let mut body = json!({
        "tx_id": format!("0x{txid}"), "tx_status": status, "tx_type": "contract_call",
        "nonce": 0, "fee_rate": "300", "sender_address": WALLET_1, "sponsored": false,
        "post_condition_mode": "deny", "post_conditions": [], "anchor_mode": "any",
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

fn mined(result_hex: &str) -> JsonValue {
    json!({"block_height": 12, "block_hash": "0x00", "canonical": true, "tx_index": 1,
           "tx_result": {"hex": result_hex, "repr": "(…)"}, "vm_error": null, "events": []})
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"statusCode": 404, "error": "Not Found", "message": "could not find transaction by ID"})),
    )
        .into_response()
}

/// `router` with the Hiro API's `/extended/v1/status`, which tells a Hiro API from a
/// bare node.
fn with_status(router: Router) -> Router {
    router
        .route(
            "/extended/v1/status",
            get(|| async { Json(json!({"server_version": "test", "status": "ready"})) }),
        )
        .route("/v2/info", get(|| async { Json(info_at(40)) }))
}

/// A stacks-node's `/v2/info` with its tip at `height`.
fn info_at(height: u64) -> JsonValue {
    json!({
        "peer_version": 4207599113u32, "pox_consensus": "17f76e597bab45646956f38dd39573085d72cbc0",
        "burn_block_height": height + 1, "stable_pox_consensus": "8e0561978fc5506b68a589c402dad97e862edb59",
        "stable_burn_block_height": height, "server_version": "stacks-node 4.0.2",
        "network_id": 2147483648u32, "parent_network_id": 3669344250u32,
        "stacks_tip_height": height, "stacks_tip": "b3a5b4d2c1f2e0f93c3b0e8d7f9b2c6d1e0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c",
        "stacks_tip_consensus_hash": "17f76e597bab45646956f38dd39573085d72cbc0",
        "genesis_chainstate_hash": "74237aa39aa50a83de11a4f53e9d3bb7d43461d1de9873f402e5453ae60bc59b",
        "unanchored_tip": null, "unanchored_seq": null, "tenure_height": height,
        "exit_at_block_height": null, "is_fully_synced": true,
        "node_public_key": "023de6c1b7c4a1b58fc1c1e7a9b3c4f5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",
        "node_public_key_hash": "e26cce8f6abe06b9fc81c3b11bda64c4a0d6b8a8",
        "stackerdbs": [], "last_pox_anchor": {"anchor_block_hash": "00", "anchor_block_txid": "00"}
    })
}

/// A Hiro API that answers `/extended/v1/tx/0x{id}` for the transactions of `status_of`,
/// called with the id and the request's index.
async fn hiro_api(status_of: fn(&Txid, usize) -> Response) -> (String, Hits) {
    let hits = Hits::default();
    let h = hits.clone();
    let url = serve(with_status(Router::new()).route(
        "/extended/v1/tx/{id}",
        get(move |Path(id): Path<String>| {
            let h = h.clone();
            async move {
                let i = h.next();
                match id.strip_prefix("0x").and_then(|bare| parse_txid(bare).ok()) {
                    Some(txid) => status_of(&txid, i),
                    None => text(StatusCode::BAD_REQUEST, "the API is asked with 0x"),
                }
            }
        }),
    ))
    .await;
    (url, hits)
}

fn statuses(txid: &Txid, _: usize) -> Response {
    let body = match txid.0[0] {
        0x11 => hiro_tx(
            txid,
            "pending",
            json!({"receipt_time": 1, "replaced_by_tx_id": null}),
        ),
        0x22 => hiro_tx(txid, "success", mined("0x0703")),
        0x33 => hiro_tx(
            txid,
            "abort_by_response",
            mined("0x080100000000000000000000000000000065"),
        ),
        0x44 => {
            let mut extra = mined("0x0703");
            extra["vm_error"] = json!("post-condition check failure");
            hiro_tx(txid, "abort_by_post_condition", extra)
        }
        0x55 => hiro_tx(
            txid,
            "dropped_replace_by_fee",
            json!({"replaced_by_tx_id": format!("0x{}", "66".repeat(32))}),
        ),
        0x77 => hiro_tx(txid, "mystery", json!({})),
        0x88 => hiro_tx(&txid_of(0x99), "pending", json!({})),
        _ => return not_found(),
    };
    Json(body).into_response()
}

#[tokio::test]
async fn transaction_status_covers_pending_mined_aborted_and_dropped() {
    let (url, _) = hiro_api(statuses).await;
    let node = client(&url);
    assert_eq!(
        node.tx_status(&txid_of(0x11)).await.unwrap(),
        TxStatus::Pending
    );
    assert_eq!(
        node.tx_status(&txid_of(0x22)).await.unwrap(),
        TxStatus::Final(TxOutcome::Mined {
            result: Value::okay_true(),
            block_height: 12
        })
    );
    assert_eq!(
        node.tx_status(&txid_of(0x33)).await.unwrap(),
        TxStatus::Final(TxOutcome::Aborted {
            reason: AbortReason::Response,
            result: Value::error(Value::UInt(101)).unwrap(),
            block_height: 12,
            vm_error: None
        })
    );
    assert_eq!(
        node.tx_status(&txid_of(0x44)).await.unwrap(),
        TxStatus::Final(TxOutcome::Aborted {
            reason: AbortReason::PostCondition,
            result: Value::okay_true(),
            block_height: 12,
            vm_error: Some("post-condition check failure".into())
        })
    );
    assert_eq!(
        node.tx_status(&txid_of(0x55)).await.unwrap(),
        TxStatus::Final(TxOutcome::Dropped {
            reason: DropReason::ReplaceByFee,
            replaced_by: Some(txid_of(0x66))
        })
    );
}

#[tokio::test]
async fn unknown_transactions_and_odd_answers_are_errors() {
    let (url, hits) = hiro_api(statuses).await;
    let node = client(&url);
    let err = node.tx_status(&txid_of(0xee)).await.unwrap_err();
    assert!(
        matches!(&err, NodeError::NotFound { what, body } if *what == format!("transaction 0x{}", "ee".repeat(32)) && body.contains("could not find transaction")),
        "{err}"
    );
    assert_eq!(hits.count(), 1);
    let err = node.tx_status(&txid_of(0x77)).await.unwrap_err();
    assert!(
        matches!(&err, NodeError::Decode { reason, .. } if reason.contains("unknown tx_status `mystery`")),
        "{err}"
    );
    let err = node.tx_status(&txid_of(0x88)).await.unwrap_err();
    assert!(
        matches!(&err, NodeError::Decode { reason, .. } if reason.contains(&format!("got 0x{}", "99".repeat(32)))),
        "{err}"
    );
}

#[tokio::test]
async fn wait_for_polls_until_mined() {
    let (url, hits) = hiro_api(|txid, i| match i {
        0 => not_found(),
        1 | 2 => Json(hiro_tx(txid, "pending", json!({}))).into_response(),
        _ => Json(hiro_tx(txid, "success", mined("0x0703"))).into_response(),
    })
    .await;
    let outcome = client(&url)
        .wait_for(
            &txid_of(0x22),
            Duration::from_secs(5),
            Duration::from_millis(10),
        )
        .await
        .unwrap();
    assert_eq!(
        outcome,
        TxOutcome::Mined {
            result: Value::okay_true(),
            block_height: 12
        }
    );
    assert_eq!(hits.count(), 4);
}

#[tokio::test]
async fn wait_for_returns_aborts_as_outcomes() {
    let (url, _) = hiro_api(statuses).await;
    let outcome = client(&url)
        .wait_for(
            &txid_of(0x33),
            Duration::from_secs(5),
            Duration::from_millis(10),
        )
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        TxOutcome::Aborted {
            reason: AbortReason::Response,
            ..
        }
    ));
}

#[tokio::test]
async fn wait_for_gives_up_at_its_timeout() {
    let (url, _) = hiro_api(statuses).await;
    let node = client(&url);
    let started = Instant::now();
    let err = node
        .wait_for(
            &txid_of(0x11),
            Duration::from_millis(150),
            Duration::from_millis(20),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        NodeError::WaitTimeout {
            txid: txid_of(0x11),
            waited: Duration::from_millis(150),
            seen_pending: true
        }
    );
    assert!(err.to_string().contains("still pending"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));

    let err = node
        .wait_for(
            &txid_of(0xee),
            Duration::from_millis(60),
            Duration::from_millis(20),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            NodeError::WaitTimeout {
                seen_pending: false,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("has not seen it"), "{err}");
}

/// What a bare stacks-node answers for a path it has no route for.
fn no_such_route() -> Response {
    text(StatusCode::NOT_FOUND, "No such file or directory")
}

/// wallet_1's transfer with `nonce`, signed, as hex (what a node's mempool route holds).
fn signed_transfer(nonce: u64) -> (Txid, String) {
    use ehr_sdk::keys::SecretKey;
    use ehr_sdk::network::Network;
    use ehr_sdk::tx::{Memo, Payload, TransactionBuilder};
    let key =
        SecretKey::from_hex("7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801")
            .unwrap();
    let tx = TransactionBuilder::new(
        Network::Devnet,
        Payload::stx_transfer(principal(DEPLOYER), 5, Memo::new("").unwrap()),
    )
    .nonce(nonce)
    .fee(180)
    .sign(&key)
    .unwrap();
    (tx.txid(), tx.to_hex())
}

/// A bare node: its mempool holds wallet_1's transfer with nonce 4, and wallet_1's
/// account nonce is `account_nonce`; `txindex` adds `/v3/transaction` with `(err u201)`
/// for the transfer.
async fn bare_node(account_nonce: u64, txindex: bool) -> (String, Txid) {
    bare_node_indexing(
        account_nonce,
        txindex.then(|| json!({"index_block_hash": "00".repeat(32), "tx": "00", "result": "(err u201)", "block_height": 39, "is_canonical": true})),
    )
    .await
}

/// [`bare_node`] whose `/v3/transaction` answers `answer` for the transfer (`"tx":
/// "TRANSFER"` is replaced by the transfer's hex).
async fn bare_node_indexing(
    account_nonce: u64,
    answer: Option<serde_json::Value>,
) -> (String, Txid) {
    let (txid, hex) = signed_transfer(4);
    let held = txid.to_string();
    let indexed = held.clone();
    let txindex = answer.is_some();
    let answer = answer.map(|mut a| {
        if a["tx"] == "TRANSFER" {
            a["tx"] = json!(hex.clone());
        }
        a
    });
    let router = Router::new()
        .route(
            "/v2/transactions/unconfirmed/{id}",
            get(move |Path(id): Path<String>| async move {
                if id == held {
                    Json(json!({"tx": hex, "status": "Mempool"})).into_response()
                } else {
                    text(StatusCode::NOT_FOUND, "Transaction not found in mempool or unconfirmed microblock stream")
                }
            }),
        )
        .route(
            "/v2/accounts/{principal}",
            get(move || async move {
                Json(json!({"balance": "0x0", "locked": "0x0", "unlock_height": 0, "nonce": account_nonce}))
            }),
        )
        .route(
            "/v2/info",
            get(|| async { Json(info_at(40)) }),
        )
        .route(
            "/v3/transaction/{id}",
            get(move |Path(id): Path<String>| async move {
                if !txindex {
                    text(StatusCode::NOT_IMPLEMENTED, "Transaction indexing is not enabled")
                } else if id == indexed {
                    Json(answer.clone().unwrap_or_default()).into_response()
                } else {
                    text(StatusCode::NOT_FOUND, "No such transaction")
                }
            }),
        )
        .fallback(|| async { no_such_route() });
    (serve(router).await, txid)
}

#[tokio::test]
async fn a_bare_node_is_told_apart_and_followed_through_mempool_and_nonce() {
    let (url, txid) = bare_node(4, false).await;
    let node = client(&url);
    assert_eq!(node.tx_source().await.unwrap(), TxSource::Node);
    assert_eq!(node.tx_status(&txid).await.unwrap(), TxStatus::Pending);
    assert_eq!(node.next_nonce(&principal(WALLET_1)).await.unwrap(), 4);

    // The nonce moved past it while the node holds it: mined, result unknown.
    let (url, txid) = bare_node(5, false).await;
    assert_eq!(
        client(&url).tx_status(&txid).await.unwrap(),
        TxStatus::Final(TxOutcome::MinedResultUnknown { tip_height: 40 })
    );
}

#[tokio::test]
async fn a_bare_node_with_a_transaction_index_gives_the_result() {
    let (url, txid) = bare_node(5, true).await;
    let node = client(&url);
    assert_eq!(node.tx_source().await.unwrap(), TxSource::NodeWithTxIndex);
    assert_eq!(
        node.wait_for(&txid, Duration::from_secs(5), Duration::from_millis(10))
            .await
            .unwrap(),
        TxOutcome::Aborted {
            reason: AbortReason::Response,
            result: Value::error(Value::UInt(201)).unwrap(),
            block_height: 39,
            vm_error: None
        }
    );
}

#[tokio::test]
async fn a_missing_route_is_never_read_as_pending() {
    // A server (a proxy, an old node) with no route at all: the 404s name the route.
    let (url, hits) = {
        let hits = Hits::default();
        let h = hits.clone();
        let url = serve(Router::new().fallback(move || {
            h.next();
            async { no_such_route() }
        }))
        .await;
        (url, hits)
    };
    let node = client(&url);
    assert_eq!(node.tx_source().await.unwrap(), TxSource::Node);
    let before = hits.count();
    let err = node
        .wait_for(
            &txid_of(0x11),
            Duration::from_secs(5),
            Duration::from_millis(10),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, NodeError::NoSuchEndpoint { body, .. } if body == "No such file or directory"),
        "{err}"
    );
    assert_eq!(hits.count(), before + 1, "one look, no polling");
    let err = node.nonces(&principal(WALLET_1)).await.unwrap_err();
    assert!(err.to_string().contains("Hiro API"), "{err}");
}

#[tokio::test]
async fn wait_for_stops_at_a_real_error() {
    let (url, hits) = hiro_api(|_, _| text(StatusCode::UNAUTHORIZED, "API key required")).await;
    let err = client(&url)
        .wait_for(
            &txid_of(0x11),
            Duration::from_secs(5),
            Duration::from_millis(10),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, NodeError::Http { status: 401, .. }), "{err}");
    assert_eq!(hits.count(), 1);
}

// ----- URLs and txids --------------------------------------------------------------------

#[tokio::test]
async fn the_hiro_api_may_live_on_another_host() {
    let node_url =
        serve(Router::new().route("/v2/fees/transfer", get(|| async { Json(json!(1)) }))).await;
    let (api_url, hits) = hiro_api(statuses).await;
    let node = NodeClient::builder(&node_url)
        .hiro_api_url(&api_url)
        .build()
        .unwrap();
    assert_eq!(node.node_url(), format!("{node_url}/"));
    assert_eq!(node.hiro_api_url(), format!("{api_url}/"));
    assert_eq!(node.fee_rate().await.unwrap(), 1);
    assert_eq!(
        node.tx_status(&txid_of(0x11)).await.unwrap(),
        TxStatus::Pending
    );
    assert_eq!(hits.count(), 1);
    assert_eq!(
        node.tx_source().await.unwrap(),
        TxSource::HiroApi {
            url: format!("{api_url}/")
        }
    );
}

#[tokio::test]
async fn a_base_url_with_a_path_prefixes_every_route() {
    let url = serve(Router::new().nest(
        "/stacks",
        Router::new().route("/v2/fees/transfer", get(|| async { Json(json!(7)) })),
    ))
    .await;
    assert_eq!(
        client(&format!("{url}/stacks")).fee_rate().await.unwrap(),
        7
    );
    assert_eq!(
        client(&format!("{url}/stacks/")).fee_rate().await.unwrap(),
        7
    );
}

#[test]
fn base_urls_are_checked() {
    for bad in [
        "127.0.0.1:20443",
        "localhost:20443",
        "ftp://127.0.0.1",
        "http://127.0.0.1:20443/?tip=latest",
        "not a url",
    ] {
        let err = NodeClient::new(bad).unwrap_err();
        assert!(
            matches!(&err, NodeError::InvalidUrl { url, .. } if url == bad),
            "{bad}: {err}"
        );
    }
    let err = NodeClient::builder("http://127.0.0.1:20443")
        .hiro_api_url("localhost:3999")
        .build()
        .unwrap_err();
    assert!(matches!(err, NodeError::InvalidUrl { .. }), "{err}");
}

#[test]
fn txids_parse_with_or_without_0x() {
    let hex = "77c84320d3e7afe61b630d95a4548c45cbe00c270af1a0c8afda71efb9cf3499";
    let txid = parse_txid(hex).unwrap();
    assert_eq!(txid.to_hex(), hex);
    assert_eq!(parse_txid(&format!("0x{hex}")).unwrap(), txid);
    assert_eq!(parse_txid(&format!(" 0x{hex}\n")).unwrap(), txid);
    for bad in [&hex[2..], "0x", "", &format!("{hex}00"), &"zz".repeat(32)] {
        assert!(parse_txid(bad).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn a_wait_through_an_indexer_ends_once_the_node_serves_the_block() {
    // The API announces the block (height 12) while the node's tip is still at 10: reads
    // right after the wait would miss the transaction's writes, so the wait goes on until
    // the node has the block.
    let infos = Hits::default();
    let seen = infos.clone();
    let url = serve(
        Router::new()
            .route(
                "/extended/v1/status",
                get(|| async { Json(json!({"status": "ready"})) }),
            )
            .route(
                "/extended/v1/tx/{id}",
                get(|Path(id): Path<String>| async move {
                    let txid = parse_txid(id.trim_start_matches("0x")).unwrap();
                    Json(hiro_tx(&txid, "success", mined("0x0703")))
                }),
            )
            .route(
                "/v2/info",
                get(move || {
                    let i = seen.next();
                    async move { Json(info_at(if i < 3 { 10 } else { 12 })) }
                }),
            ),
    )
    .await;
    let outcome = client(&url)
        .wait_for(
            &txid_of(0x22),
            Duration::from_secs(5),
            Duration::from_millis(10),
        )
        .await
        .unwrap();
    assert!(matches!(
        outcome,
        TxOutcome::Mined {
            block_height: 12,
            ..
        }
    ));
    assert_eq!(infos.count(), 4, "asked until the node's tip reached 12");
}

#[tokio::test]
async fn a_transaction_index_answer_off_the_canonical_chain_or_behind_post_conditions_is_not_success(
) {
    // Mined on a fork that lost: not mined on this chain; the mempool and the nonce say
    // the rest (here: the node holds it, the nonce has not moved: pending).
    let (url, txid) = bare_node_indexing(
        4,
        Some(json!({"index_block_hash": "11".repeat(32), "tx": "TRANSFER", "result": "(ok true)", "block_height": null, "is_canonical": false})),
    )
    .await;
    assert_eq!(
        client(&url).tx_status(&txid).await.unwrap(),
        TxStatus::Pending
    );

    // `(ok true)` for a transaction without post-conditions: mined.
    let (url, txid) = bare_node_indexing(
        5,
        Some(json!({"index_block_hash": "11".repeat(32), "tx": "TRANSFER", "result": "(ok true)", "block_height": 39, "is_canonical": true})),
    )
    .await;
    assert!(matches!(
        client(&url).tx_status(&txid).await.unwrap(),
        TxStatus::Final(TxOutcome::Mined {
            block_height: 39,
            ..
        })
    ));

    // Without the transaction to look at, an `ok` may hide a post-condition abort.
    let (url, txid) = bare_node_indexing(
        5,
        Some(json!({"index_block_hash": "11".repeat(32), "result": "(ok true)", "block_height": 39, "is_canonical": true})),
    )
    .await;
    assert_eq!(
        client(&url).tx_status(&txid).await.unwrap(),
        TxStatus::Final(TxOutcome::MinedResultUnknown { tip_height: 39 })
    );
}
