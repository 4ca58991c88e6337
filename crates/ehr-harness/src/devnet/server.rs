//! The HTTP face: the stacks-node RPC subset, the Hiro API routes wallets use, and the
//! devnet's own control routes (`/devnet/...`).

use std::convert::Infallible;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use clarity::vm::ContractName;
use serde::Deserialize;
use serde_json::{json, Value as Json_};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower_http::cors::{Any, CorsLayer};

use stacks_common::util::hash::Hash160;

use super::admission;
use super::config::Routes;
use super::guard;
use super::hiro;
use super::node::{parse_key, Chain, Node, Refusal, TxState};
use super::rejection::{Reason, Rejection};
use super::store::Record;
use super::{fees, json as shapes, DevnetError};
use crate::simnet::SimnetError;

/// The largest request body accepted (the node's limit: 16 MiB).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Most blocks one `POST /devnet/mine` may ask for.
const MAX_MINE: u32 = 10_000;

/// A refusal: plain text (as the node answers generic failures) or a JSON body.
enum Failure {
    Text(StatusCode, String),
    Json(StatusCode, Json_),
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Text(status, message) => {
                (status, [(header::CONTENT_TYPE, "text/plain")], message).into_response()
            }
            Failure::Json(status, body) => (status, Json(body)).into_response(),
        }
    }
}

type Answer = Result<Response, Failure>;

/// Serves until `stopped` fires, then stops the chain thread and lets open streams end.
pub(crate) async fn serve(
    listener: TcpListener,
    chain: Chain,
    routes: Routes,
    stopped: oneshot::Receiver<()>,
) {
    let bound = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("devnet: the RPC server has no address: {e}");
            chain.stop();
            return;
        }
    };
    // The stacks-node RPC and the Hiro routes: any web page may call them (a browser app
    // using stacks.js), with the CORS headers a stacks-node sends (stacks-core 4.0.2
    // `HttpResponsePreamble`: origin `*`, headers `origin, content-type`, methods
    // `POST, GET, OPTIONS`); preflights get them with 200.
    let rpc = Router::new()
        .route("/v2/info", get(info))
        .route("/v2/accounts/{principal}", get(account))
        .route("/v2/transactions", post(broadcast))
        .route(
            "/v2/contracts/call-read/{addr}/{contract}/{function}",
            post(call_read),
        )
        .route("/v2/map_entry/{addr}/{contract}/{map}", post(map_entry))
        .route("/v2/data_var/{addr}/{contract}/{var}", get(data_var))
        .route("/v2/contracts/interface/{addr}/{contract}", get(interface))
        .route("/v2/contracts/source/{addr}/{contract}", get(source))
        .route("/v2/fees/transfer", get(fee_rate))
        .route(
            "/v2/fees/transaction",
            post(move |chain, body| fee_estimate(chain, routes, body)),
        )
        .route("/v2/transactions/unconfirmed/{txid}", get(unconfirmed_tx))
        .route("/v3/transaction/{txid}", get(indexed_tx));
    let rpc = match routes {
        Routes::NodeAndHiroApi => rpc
            .route("/extended/v1/status", get(hiro_status))
            .route("/extended/v1/tx/{txid}", get(hiro_tx))
            .route("/extended/v1/address/{principal}/nonces", get(hiro_nonces))
            .route("/extended/v2/blocks/{height}", get(hiro_block)),
        Routes::BareNode => rpc,
    };
    let rpc = rpc.fallback(no_such_route).layer(
        CorsLayer::new()
            .allow_origin(Any)
            .allow_headers([header::ORIGIN, header::CONTENT_TYPE])
            .allow_methods([Method::POST, Method::GET, Method::OPTIONS]),
    );
    // The devnet's own routes: only the developer's tools (see `guard`).
    let control = Router::new()
        .route("/devnet/mine", post(mine))
        .route("/devnet/snapshot", post(snapshot))
        .route("/devnet/revert/{id}", post(revert))
        .route("/devnet/dump", get(dump))
        .route("/devnet/load", post(load))
        .route("/devnet/events", get(events))
        .route("/devnet/status", get(status))
        .layer(middleware::from_fn_with_state(bound, guard::control_routes));
    let app = rpc
        .merge(control)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(chain.clone());
    // The limits (connections, header-read and idle timeouts, body timeout) are the
    // shared server loop's: ehr_http::Limits::default().
    let stopping = chain.clone();
    ehr_http::serve(listener, app, ehr_http::Limits::default(), async move {
        let _ = stopped.await;
        // The chain thread drops the SSE sender when it ends, which ends the open streams.
        stopping.stop();
    })
    .await;
}

/// A plain-text error, as the node answers generic failures.
fn text(status: StatusCode, message: impl Into<String>) -> Failure {
    Failure::Text(status, message.into())
}

/// Runs `f` on the chain thread; a stopped chain answers 503.
async fn ask<R: Send + 'static>(
    chain: &Chain,
    f: impl FnOnce(&mut Node) -> R + Send + 'static,
) -> Result<R, Failure> {
    chain.run(f).await.map_err(|e| match e {
        DevnetError::Unwritable(why) => unwritable(&why, None),
        other => text(StatusCode::SERVICE_UNAVAILABLE, other.to_string()),
    })
}

fn contract_id(addr: &str, name: &str) -> Result<QualifiedContractIdentifier, Failure> {
    let issuer = PrincipalData::parse_standard_principal(addr)
        .map_err(|_| text(StatusCode::BAD_REQUEST, format!("Invalid address `{addr}`")))?;
    let name = ContractName::try_from(name.to_string()).map_err(|_| {
        text(
            StatusCode::BAD_REQUEST,
            format!("Invalid contract name `{name}`"),
        )
    })?;
    Ok(QualifiedContractIdentifier::new(issuer, name))
}

fn principal(text_: &str) -> Result<PrincipalData, Failure> {
    PrincipalData::parse(text_).map_err(|_| {
        text(
            StatusCode::BAD_REQUEST,
            format!("Invalid principal `{text_}`"),
        )
    })
}

fn clarity_hex(hex: &str) -> Result<Value, Failure> {
    Value::try_deserialize_hex_untyped(hex).map_err(|e| {
        text(
            StatusCode::BAD_REQUEST,
            format!("Failed to deserialize Clarity value `{hex}`: {e}"),
        )
    })
}

fn value_hex(v: &Value) -> String {
    shapes::hex0x(&v.serialize_to_vec().unwrap_or_default())
}

/// `?proof=0` suppresses proofs; anything else (or nothing) asks for them.
#[derive(Deserialize)]
struct ProofQuery {
    proof: Option<String>,
}

impl ProofQuery {
    fn wanted(&self) -> bool {
        self.proof.as_deref() != Some("0")
    }
}

/// With a proof requested, the node's answer carries one; this chain keeps no MARF, so
/// the proof is the empty string a node gives for a key it cannot prove.
fn with_proof(mut body: Json_, query: &ProofQuery, field: &str) -> Json_ {
    if query.wanted() {
        body[field] = json!("");
    }
    body
}

// ----- /v2 ------------------------------------------------------------------------------

/// The devnet node's public key in `/v2/info`: a fixed key of its own (a stacks-node's
/// p2p identity; the devnet has no p2p network, so no one holds its secret).
static NODE_KEY: std::sync::LazyLock<[u8; 33]> = std::sync::LazyLock::new(|| {
    use sha2::Digest as _;
    let seed = sha2::Sha256::digest(b"ehr devnet node identity");
    ehr_sdk::keys::SecretKey::from_hex(&hex::encode(seed))
        .map(|k| k.public_key().to_bytes())
        .unwrap_or([2; 33])
});

async fn info(State(chain): State<Chain>) -> Answer {
    let node_key = *NODE_KEY;
    let body = ask(&chain, move |node| {
        let genesis = node.sim().block(0).map(|b| b.id.0).unwrap_or_default();
        let tip = node.sim().tip().clone();
        json!({
            // Testnet's peer version with the highest epoch byte (2.4 = 0x09).
            "peer_version": 0xfacade09u32,
            "pox_consensus": hex::encode(tip.consensus_hash.0),
            "burn_block_height": tip.burn_height,
            "stable_pox_consensus": hex::encode(tip.consensus_hash.0),
            "stable_burn_block_height": tip.burn_height,
            "server_version": concat!("ehr-devnet/", env!("CARGO_PKG_VERSION"), " (clarity-vm 2.3.0, epoch 2.4)"),
            "network_id": stacks_common::consts::CHAIN_ID_TESTNET,
            // Bitcoin regtest magic: a devnet's burnchain is a regtest.
            "parent_network_id": 0xDAB5_BFFAu32,
            "stacks_tip_height": tip.height,
            "stacks_tip": hex::encode(tip.header_hash.0),
            "stacks_tip_consensus_hash": hex::encode(tip.consensus_hash.0),
            "genesis_chainstate_hash": hex::encode(genesis),
            "unanchored_tip": null,
            "unanchored_seq": null,
            "tenure_height": tip.height,
            "exit_at_block_height": null,
            "is_fully_synced": true,
            "node_public_key": hex::encode(node_key),
            "node_public_key_hash": hex::encode(Hash160::from_data(&node_key).0),
            // No PoX on a devnet: no anchor block, as a fresh node answers.
            "last_pox_anchor": { "anchor_block_hash": hex::encode([0u8; 32]), "anchor_block_txid": hex::encode([0u8; 32]) },
            "stackerdbs": [],
        })
    })
    .await?;
    Ok(Json(body).into_response())
}

async fn account(
    State(chain): State<Chain>,
    Path(who): Path<String>,
    Query(query): Query<ProofQuery>,
) -> Answer {
    let who = principal(&who)?;
    let (balance, nonce) = ask(&chain, move |node| {
        let balance = node.sim().stx_balance(&who);
        let nonce = node.sim().account_nonce(&who);
        (balance, nonce)
    })
    .await?;
    let internal = |e: SimnetError| text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    let body = json!({
        "balance": format!("0x{:032x}", balance.map_err(internal)?),
        "locked": format!("0x{:032x}", 0u128),
        "unlock_height": 0,
        "nonce": nonce.map_err(internal)?,
    });
    let body = with_proof(
        with_proof(body, &query, "balance_proof"),
        &query,
        "nonce_proof",
    );
    Ok(Json(body).into_response())
}

#[derive(Deserialize)]
struct TxBody {
    tx: String,
}

fn rejected(rejection: &Rejection) -> Failure {
    // Bytes that do not decode never reach the mempool in a stacks-node: its HTTP layer
    // refuses the request with a text 400 (stacks-core 4.0.2 `posttransaction.rs`).
    if let Reason::Deserialization(why) = &rejection.reason {
        return text(StatusCode::BAD_REQUEST, why.clone());
    }
    let status = if rejection.is_server_failure() {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::BAD_REQUEST
    };
    Failure::Json(status, rejection.to_json())
}

/// The answer while the state log cannot be written (fail-stop): 503, with why.
fn unwritable(why: &str, txid: Option<String>) -> Failure {
    Failure::Json(
        StatusCode::SERVICE_UNAVAILABLE,
        json!({
            "error": "the devnet cannot write its state log: it takes no transactions and mines no blocks until it is restarted",
            "reason": "StateLogUnwritable",
            "reason_data": { "message": why },
            "txid": txid,
        }),
    )
}

async fn broadcast(State(chain): State<Chain>, headers: HeaderMap, body: Bytes) -> Answer {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if body.is_empty() {
        return Err(text(StatusCode::BAD_REQUEST, "Empty body"));
    }
    let checked = if kind.starts_with("application/octet-stream") {
        admission::check(&body)
    } else if kind.starts_with("application/json") {
        let parsed: TxBody = serde_json::from_slice(&body).map_err(|e| {
            text(
                StatusCode::BAD_REQUEST,
                format!("Failed to parse JSON body: {e}"),
            )
        })?;
        admission::check_hex(&parsed.tx)
    } else {
        return Err(text(
            StatusCode::BAD_REQUEST,
            "Wrong Content-Type: expected application/octet-stream or application/json",
        ));
    };
    let checked = checked.map_err(|r| rejected(&r))?;
    let (txid, key) = (checked.txid_hex(), checked.txid);
    // Not `ask`: the answer waits for the transaction's own record, below.
    let (admitted, position) = chain
        .run_now(move |node| (node.submit(checked), node.log_position()))
        .await
        .map_err(|e| text(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    let ack = admitted.map_err(|refusal| match refusal {
        Refusal::Rejected(r) => rejected(&r),
        Refusal::Unwritable(why) => unwritable(&why, Some(txid.clone())),
    })?;
    if let Some(ack) = ack {
        let stored = ack
            .await
            .unwrap_or_else(|_| Err("the log writer has stopped".into()));
        if let Err(why) = stored {
            // Answered with an error, so it must never be mined: the node forgets it.
            let forget = why.clone();
            chain
                .run_now(move |node| node.unaccept(key, &forget))
                .await
                .map_err(|e| text(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
            return Err(unwritable(&why, Some(txid)));
        }
    } else if let Err(e) = chain.synced_through(position).await {
        // Already pending: answered once its record (written for an earlier submission)
        // is on disk.
        return Err(match e {
            DevnetError::Unwritable(why) => unwritable(&why, Some(txid)),
            other => text(StatusCode::SERVICE_UNAVAILABLE, other.to_string()),
        });
    }
    Ok(Json(txid).into_response())
}

#[derive(Deserialize)]
struct CallReadBody {
    sender: String,
    #[serde(default)]
    arguments: Vec<String>,
}

async fn call_read(
    State(chain): State<Chain>,
    Path((addr, name, function)): Path<(String, String, String)>,
    body: Bytes,
) -> Answer {
    let contract = contract_id(&addr, &name)?;
    let body: CallReadBody = serde_json::from_slice(&body).map_err(|e| {
        text(
            StatusCode::BAD_REQUEST,
            format!("Failed to parse JSON body: {e}"),
        )
    })?;
    let sender = principal(&body.sender)?;
    let args = body
        .arguments
        .iter()
        .map(|a| clarity_hex(a))
        .collect::<Result<Vec<_>, _>>()?;
    let result = ask(&chain, move |node| {
        node.sim()
            .call_read_only(&sender, &contract, &function, &args)
    })
    .await?;
    let body = match result {
        Ok(r) => json!({ "okay": true, "result": value_hex(&r.result) }),
        Err(SimnetError::BlockLimitExceeded { .. }) => {
            return Err(text(StatusCode::BAD_REQUEST, "Execution budget exceeded"))
        }
        Err(e) => json!({ "okay": false, "cause": e.to_string() }),
    };
    Ok(Json(body).into_response())
}

async fn map_entry(
    State(chain): State<Chain>,
    Path((addr, name, map)): Path<(String, String, String)>,
    Query(query): Query<ProofQuery>,
    body: Bytes,
) -> Answer {
    let contract = contract_id(&addr, &name)?;
    let key: String = serde_json::from_slice(&body).map_err(|e| {
        text(
            StatusCode::BAD_REQUEST,
            format!("Failed to parse JSON body: expected a JSON string of hex: {e}"),
        )
    })?;
    let key = clarity_hex(&key)?;
    let entry = ask(&chain, move |node| {
        node.sim().map_entry(&contract, &map, &key)
    })
    .await?;
    let entry = entry.map_err(|e| text(StatusCode::NOT_FOUND, e.to_string()))?;
    let body = with_proof(json!({ "data": value_hex(&entry) }), &query, "proof");
    Ok(Json(body).into_response())
}

async fn data_var(
    State(chain): State<Chain>,
    Path((addr, name, var)): Path<(String, String, String)>,
    Query(query): Query<ProofQuery>,
) -> Answer {
    let contract = contract_id(&addr, &name)?;
    let value = ask(&chain, move |node| node.sim().data_var(&contract, &var)).await?;
    let value = value.map_err(|_| text(StatusCode::NOT_FOUND, "Data var not found"))?;
    let body = with_proof(json!({ "data": value_hex(&value) }), &query, "proof");
    Ok(Json(body).into_response())
}

async fn interface(
    State(chain): State<Chain>,
    Path((addr, name)): Path<(String, String)>,
) -> Answer {
    let contract = contract_id(&addr, &name)?;
    let abi = ask(&chain, move |node| node.interface(&contract)).await?;
    let abi = abi.ok_or_else(|| text(StatusCode::NOT_FOUND, "No contract interface data found"))?;
    Ok(Json(abi).into_response())
}

async fn source(
    State(chain): State<Chain>,
    Path((addr, name)): Path<(String, String)>,
    Query(query): Query<ProofQuery>,
) -> Answer {
    let contract = contract_id(&addr, &name)?;
    let found = ask(&chain, move |node| {
        let source = node.sim().contract_source(&contract);
        source.map(|s| (s, node.published_at(&contract).unwrap_or(0)))
    })
    .await?;
    let (source, height) =
        found.ok_or_else(|| text(StatusCode::NOT_FOUND, "No contract source data found"))?;
    let body = with_proof(
        json!({ "source": source, "publish_height": height }),
        &query,
        "proof",
    );
    Ok(Json(body).into_response())
}

async fn fee_rate() -> Json<u64> {
    Json(fees::MINIMUM_FEE_RATE)
}

async fn fee_estimate(State(chain): State<Chain>, routes: Routes, body: Bytes) -> Answer {
    let request: fees::EstimateRequest = serde_json::from_slice(&body).map_err(|e| {
        text(
            StatusCode::BAD_REQUEST,
            format!("Failed to parse JSON body: {e}"),
        )
    })?;
    let learned_only = routes == Routes::BareNode;
    let estimate = ask(&chain, move |node| {
        fees::estimate(node, &request, learned_only)
    })
    .await?;
    match estimate {
        Ok(body) => Ok(Json(body).into_response()),
        Err(fees::NoEstimate::Failure(body)) => Err(Failure::Json(StatusCode::BAD_REQUEST, body)),
        Err(fees::NoEstimate::Undecodable(why)) => Err(text(StatusCode::BAD_REQUEST, why)),
    }
}

/// What a stacks-node answers for a path no route matches.
async fn no_such_route() -> Failure {
    text(StatusCode::NOT_FOUND, "No such file or directory")
}

/// `GET /v2/transactions/unconfirmed/{txid}`: a transaction the node holds, as a node
/// answers: pending and mined ones alike (a node keeps mined transactions in its mempool
/// database until they are garbage-collected), not one dropped or never seen.
async fn unconfirmed_tx(State(chain): State<Chain>, Path(id): Path<String>) -> Answer {
    let not_found = || {
        text(
            StatusCode::NOT_FOUND,
            format!("Transaction {id} not found in mempool or unconfirmed microblock stream"),
        )
    };
    if id.len() != 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(no_such_route().await);
    }
    let key = parse_key(&id).ok_or_else(not_found)?;
    let entry = ask(&chain, move |node| node.tx(&key))
        .await?
        .ok_or_else(not_found)?;
    if matches!(entry.state, TxState::Dropped { .. }) {
        return Err(not_found());
    }
    Ok(Json(json!({ "tx": hex::encode(&entry.tx.raw), "status": "Mempool" })).into_response())
}

/// `GET /v3/transaction/{txid}`: this devnet keeps no transaction index, and answers as a
/// node started without `txindex`.
async fn indexed_tx(Path(id): Path<String>) -> Answer {
    if id.len() != 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(no_such_route().await);
    }
    Err(text(
        StatusCode::NOT_IMPLEMENTED,
        "Transaction indexing is not enabled",
    ))
}

// ----- Hiro API -------------------------------------------------------------------------

/// `GET /extended/v1/status`: the API is up, and where the chain tip is.
async fn hiro_status(State(chain): State<Chain>) -> Answer {
    let height = ask(&chain, |node| node.tip_height()).await?;
    Ok(Json(json!({
        "server_version": concat!("ehr-devnet ", env!("CARGO_PKG_VERSION")),
        "status": "ready",
        "chain_tip": { "block_height": height },
    }))
    .into_response())
}

/// `/extended/v2/blocks/{height}`: a block of the chain, in the Hiro API's shape (by
/// height only).
async fn hiro_block(State(chain): State<Chain>, Path(id): Path<String>) -> Answer {
    let not_found = || {
        Failure::Json(
            StatusCode::NOT_FOUND,
            json!({ "error": "cannot find block by height", "message": format!("no block {id}") }),
        )
    };
    let height: u32 = id.parse().map_err(|_| not_found())?;
    let (block, parent) = ask(&chain, move |node| {
        let sim = node.sim();
        let parent = height.checked_sub(1).and_then(|p| sim.block(p).cloned());
        (sim.block(height).cloned(), parent)
    })
    .await?;
    let block = block.ok_or_else(not_found)?;
    let mut body = shapes::hiro_block_fields(&block, parent.as_ref());
    body["height"] = json!(block.height);
    body["hash"] = body["block_hash"].clone();
    Ok(Json(body).into_response())
}

#[derive(Deserialize)]
struct EventPage {
    event_offset: Option<usize>,
    event_limit: Option<usize>,
}

async fn hiro_tx(
    State(chain): State<Chain>,
    Path(id): Path<String>,
    Query(page): Query<EventPage>,
) -> Answer {
    let Some(bare) = id.strip_prefix("0x") else {
        return Ok(Redirect::permanent(&format!("/extended/v1/tx/0x{id}")).into_response());
    };
    let not_found = || {
        Failure::Json(
            StatusCode::NOT_FOUND,
            json!({ "statusCode": 404, "error": "Not Found", "message": "could not find transaction by ID" }),
        )
    };
    let key = parse_key(bare).ok_or_else(not_found)?;
    let offset = page.event_offset.unwrap_or(0);
    let limit = page
        .event_limit
        .unwrap_or(hiro::EVENT_LIMIT)
        .min(hiro::EVENT_LIMIT);
    let body = ask(&chain, move |node| hiro::tx(node, &key, offset, limit)).await?;
    Ok(Json(body.ok_or_else(not_found)?).into_response())
}

async fn hiro_nonces(State(chain): State<Chain>, Path(who): Path<String>) -> Answer {
    let who = principal(&who)?;
    let body = ask(&chain, move |node| hiro::nonces(node, &who)).await?;
    let body = body.map_err(|e| text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(body).into_response())
}

// ----- devnet control -------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct MineBody {
    blocks: Option<u32>,
}

async fn mine(State(chain): State<Chain>, body: Bytes) -> Answer {
    let request: MineBody = if body.is_empty() {
        MineBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            text(
                StatusCode::BAD_REQUEST,
                format!("Failed to parse JSON body: {e}"),
            )
        })?
    };
    let blocks = request.blocks.unwrap_or(1);
    if blocks == 0 || blocks > MAX_MINE {
        return Err(text(
            StatusCode::BAD_REQUEST,
            format!("blocks must be between 1 and {MAX_MINE}"),
        ));
    }
    let (height, failure) = ask(&chain, move |node| {
        for _ in 0..blocks {
            if node.mine(true).is_none() {
                break;
            }
        }
        (node.tip_height(), node.failure().map(str::to_string))
    })
    .await?;
    if let Some(why) = failure {
        return Err(unwritable(&why, None));
    }
    Ok(Json(json!({ "block_height": height })).into_response())
}

/// `GET /devnet/status`: the height, and whether the state log can be written (when it
/// cannot, the node has stopped taking transactions and mining).
async fn status(State(chain): State<Chain>) -> Answer {
    let body = ask(&chain, |node| {
        json!({
            "block_height": node.tip_height(),
            "persistent": node.persistent(),
            "writable": node.failure().is_none(),
            "failure": node.failure(),
        })
    })
    .await?;
    Ok(Json(body).into_response())
}

async fn snapshot(State(chain): State<Chain>) -> Answer {
    let (id, height) = ask(&chain, |node| (node.snapshot(), node.tip_height())).await?;
    let id = id.map_err(|why| unwritable(&why, None))?;
    Ok(Json(json!({ "id": id, "block_height": height })).into_response())
}

async fn revert(State(chain): State<Chain>, Path(id): Path<u64>) -> Answer {
    let (reverted, height) = ask(&chain, move |node| (node.revert(id), node.tip_height())).await?;
    match reverted.map_err(|why| unwritable(&why, None))? {
        true => Ok(Json(json!({ "reverted": true, "block_height": height })).into_response()),
        false => Err(Failure::Json(
            StatusCode::NOT_FOUND,
            json!({ "reverted": false, "error": format!("no snapshot {id} (reverting forgets it and every later one)") }),
        )),
    }
}

/// The format tag of `GET /devnet/dump`.
const DUMP_FORMAT: &str = "ehr-devnet-dump/1";

#[derive(serde::Serialize, Deserialize)]
struct DumpBody {
    format: String,
    records: Vec<Record>,
}

async fn dump(State(chain): State<Chain>) -> Answer {
    let records = ask(&chain, |node| node.dump()).await?;
    Ok(Json(DumpBody {
        format: DUMP_FORMAT.into(),
        records,
    })
    .into_response())
}

async fn load(State(chain): State<Chain>, body: Bytes) -> Answer {
    let dump: DumpBody = serde_json::from_slice(&body).map_err(|e| {
        text(
            StatusCode::BAD_REQUEST,
            format!("Failed to parse the dump: {e}"),
        )
    })?;
    if dump.format != DUMP_FORMAT {
        return Err(text(
            StatusCode::BAD_REQUEST,
            format!(
                "unknown dump format `{}` (expected {DUMP_FORMAT})",
                dump.format
            ),
        ));
    }
    let loaded = ask(&chain, move |node| node.load(dump.records)).await?;
    match loaded {
        Ok(Ok(height)) => Ok(Json(json!({ "block_height": height })).into_response()),
        Ok(Err(why)) => Err(unwritable(&why, None)),
        Err(e @ DevnetError::Replay(_))
        | Err(e @ DevnetError::Genesis(_))
        | Err(e @ DevnetError::Config(_)) => Err(text(StatusCode::BAD_REQUEST, e.to_string())),
        Err(e) => Err(text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    }
}

async fn events(
    State(chain): State<Chain>,
) -> Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>> {
    let receiver = chain.stream.resubscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(block) => {
                    let event = SseEvent::default().event("block").data(block.as_ref());
                    return Some((Ok(event), receiver));
                }
                // A slow reader missed blocks: carry on with the newest.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
