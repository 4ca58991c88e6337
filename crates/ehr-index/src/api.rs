//! The client side: the Hiro API routes a wallet (and `ehr --api`) follows transactions
//! with, answered from the index, in the Hiro API's shapes.
//!
//! - `GET /extended/v1/status`: up, and the last block indexed.
//! - `GET /extended/v1/tx/0x{txid}`: pending, mined with its result, or dropped.
//! - `GET /extended/v1/address/{principal}/nonces`: the node's account nonce, moved past
//!   the pending transactions the index holds.
//!
//! And the EHR contracts, from the index alone (no scan of the chain):
//! - `GET /ehr/v1/status`: the index's tip, the node's, how far the index lags, and the
//!   heights it never received (a gap: it was down longer than the node retried).
//! - `GET /ehr/v1/audit?patient=&actor=&action=a,b&since_block=&until_block=&since_time=&until_time=&sort=-id&limit=&offset=&after=`:
//!   a page of audit entries (`limit` up to 1,000; stable order by entry id, which is the
//!   chain's order; `after` pages by keyset) and the total.
//! - `GET /ehr/v1/notifications/{recipient}?limit=&offset=`: newest first.
//! - `GET /ehr/v1/tokens/{holder}`: the access tokens it holds now.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use clarity::vm::types::PrincipalData;
use ehr_sdk::node::{AuditFilter, AuditPage, IndexStatus, IndexedBlock, NodeClient, MAX_PAGE};
use serde_json::{json, Value as Json_};

use crate::observer::normalise_txid;
use crate::store::{AuditQuery, Store, StoreError, TxState};

/// What the API routes share.
#[derive(Clone)]
pub(crate) struct ApiState {
    pub store: Arc<Store>,
    pub node: NodeClient,
}

/// The API routes.
pub(crate) fn routes(state: ApiState) -> Router {
    Router::new()
        .route("/extended/v1/status", get(status))
        .route("/extended/v1/tx/{txid}", get(tx))
        .route("/extended/v1/address/{principal}/nonces", get(nonces))
        .route("/extended/v2/blocks/{height}", get(block))
        .route("/ehr/v1/status", get(ehr_status))
        .route("/ehr/v1/audit", get(audit))
        .route("/ehr/v1/notifications/{recipient}", get(notifications))
        .route("/ehr/v1/tokens/{holder}", get(tokens))
        .fallback(|| async { not_found("no such route on ehr index") })
        .with_state(state)
}

/// An error answer in the Hiro API's shape.
#[derive(Debug, thiserror::Error)]
enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the node behind the index: {0}")]
    Node(#[from] ehr_sdk::node::NodeError),
}

fn not_found(message: &str) -> Response {
    ApiError::NotFound(message.to_string()).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Node(_) => StatusCode::BAD_GATEWAY,
        };
        let body = json!({
            "statusCode": status.as_u16(),
            "error": status.canonical_reason().unwrap_or("Error"),
            "message": self.to_string(),
        });
        (status, Json(body)).into_response()
    }
}

async fn status(State(state): State<ApiState>) -> Result<Json<Json_>, ApiError> {
    let tip = state.store.tip()?;
    Ok(Json(json!({
        "server_version": concat!("ehr-index ", env!("CARGO_PKG_VERSION")),
        "status": "ready",
        "chain_tip": tip.map(|(height, hash)| json!({
            "block_height": height, "index_block_hash": hash,
        })),
    })))
}

/// `/extended/v2/blocks/{height}`: the canonical block at a height, in the Hiro API's
/// shape, with the fields the index has (heights only; its time from `/new_block`).
async fn block(
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Ok(height) = id.parse::<u64>() else {
        return Ok(not_found("ehr index finds blocks by height only"));
    };
    let Some((index_block_hash, time)) = state.store.canonical_block(height)? else {
        return Ok(not_found("cannot find block by height"));
    };
    let iso = time.map(ehr_sdk::fhir::instant);
    Ok(Json(json!({
        "canonical": true,
        "height": height,
        "index_block_hash": index_block_hash,
        "block_time": time,
        "block_time_iso": iso,
        "burn_block_time": time,
        "burn_block_time_iso": iso,
    }))
    .into_response())
}

/// The Hiro API's word for a node's drop reason.
fn hiro_drop_status(reason: &str) -> &'static str {
    match reason {
        "ReplaceByFee" => "dropped_replace_by_fee",
        "ReplaceAcrossFork" => "dropped_replace_across_fork",
        "TooExpensive" => "dropped_too_expensive",
        "Problematic" => "dropped_problematic",
        _ => "dropped_stale_garbage_collect",
    }
}

async fn tx(State(state): State<ApiState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    if !id.starts_with("0x") {
        return Ok(Redirect::permanent(&format!("/extended/v1/tx/0x{id}")).into_response());
    }
    let txid = normalise_txid(&id)
        .ok_or_else(|| ApiError::BadRequest(format!("`{id}` is not a transaction id")))?;
    let row = state
        .store
        .tx(&txid)?
        .ok_or_else(|| ApiError::NotFound("could not find transaction by ID".into()))?;
    let mut body = json!({
        "tx_id": row.txid,
        "nonce": row.nonce,
        "fee_rate": row.fee.to_string(),
        "sender_address": row.sender,
    });
    match row.state {
        TxState::Pending => body["tx_status"] = json!("pending"),
        TxState::Mined {
            status,
            result_hex,
            block_height,
            index_block_hash,
            tx_index,
            vm_error,
        } => {
            body["tx_status"] = json!(status);
            body["tx_result"] = json!({ "hex": result_hex });
            body["block_height"] = json!(block_height);
            body["index_block_hash"] = json!(index_block_hash);
            body["tx_index"] = json!(tx_index);
            body["vm_error"] = json!(vm_error);
            body["canonical"] = json!(true);
        }
        TxState::Dropped {
            reason,
            replaced_by,
        } => {
            body["tx_status"] = json!(hiro_drop_status(&reason));
            body["replaced_by_tx_id"] = json!(replaced_by);
        }
    }
    Ok(Json(body).into_response())
}

async fn nonces(
    State(state): State<ApiState>,
    Path(who): Path<String>,
) -> Result<Json<Json_>, ApiError> {
    let principal = PrincipalData::parse(&who)
        .map_err(|_| ApiError::BadRequest(format!("`{who}` is not a Stacks address")))?;
    let account = state.node.account(&principal).await?;
    let pending: Vec<u64> = state
        .store
        .pending_nonces(&principal.to_string())?
        .into_iter()
        .filter(|n| *n >= account.nonce)
        .collect();
    let last_pending = pending.last().copied();
    let next = last_pending
        .map_or(account.nonce, |n| n + 1)
        .max(account.nonce);
    let missing: Vec<u64> = match last_pending {
        Some(last) => (account.nonce..last)
            .filter(|n| !pending.contains(n))
            .collect(),
        None => Vec::new(),
    };
    Ok(Json(json!({
        "last_mempool_tx_nonce": last_pending,
        "last_executed_tx_nonce": account.nonce.checked_sub(1),
        "possible_next_nonce": next,
        "detected_missing_nonces": missing,
        "detected_mempool_nonces": pending,
    })))
}

fn principal_param(name: &str, text: &str) -> Result<String, ApiError> {
    PrincipalData::parse(text)
        .map(|p| p.to_string())
        .map_err(|_| ApiError::BadRequest(format!("{name} `{text}` is not a Stacks principal")))
}

/// The deepest page offset served: deeper pages cost a walk over every row skipped
/// (narrow the filter instead: a block range, an action).
const MAX_OFFSET: u64 = 1_000_000;

fn page_offset(offset: Option<u64>) -> Result<u64, ApiError> {
    match offset.unwrap_or(0) {
        n if n <= MAX_OFFSET => Ok(n),
        n => Err(ApiError::BadRequest(format!(
            "offset {n}: at most {MAX_OFFSET}; narrow the query (since_block, until_block, action) instead"
        ))),
    }
}

fn block_param(name: &str, block: Option<u64>) -> Result<Option<u64>, ApiError> {
    match block {
        Some(b) if b > i64::MAX as u64 => Err(ApiError::BadRequest(format!(
            "{name} {b}: beyond any block height"
        ))),
        other => Ok(other),
    }
}

/// `action=a,b`: the actions, each a contract action word (letters, digits, `-`).
fn actions_param(text: Option<&str>) -> Result<Vec<String>, ApiError> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let actions: Vec<String> = text.split(',').map(str::to_string).collect();
    for a in &actions {
        if a.is_empty() || a.len() > 64 || !a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(ApiError::BadRequest(format!(
                "action `{a}`: give contract action words (log-access, grant-access...), separated by commas"
            )));
        }
    }
    Ok(actions)
}

fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit {
        None => Ok(50),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::BadRequest(format!(
            "limit {n}: give 1 to {MAX_PAGE}"
        ))),
    }
}

async fn ehr_status(State(state): State<ApiState>) -> Result<Json<IndexStatus>, ApiError> {
    let tip = state.store.tip()?;
    let node_tip_height = state.node.info().await?.stacks_tip_height;
    let indexed = tip.as_ref().map_or(0, |(h, _)| *h);
    Ok(Json(IndexStatus {
        index_tip: tip.map(|(block_height, index_block_hash)| IndexedBlock {
            block_height,
            index_block_hash,
        }),
        node_tip_height,
        lag_blocks: node_tip_height.saturating_sub(indexed),
        audit_entries: state.store.audit_next_id()?,
        missing_blocks: state.store.missing_blocks()?,
    }))
}

async fn audit(
    State(state): State<ApiState>,
    Query(p): Query<AuditFilter>,
) -> Result<Json<AuditPage>, ApiError> {
    let newest_first = match p.sort.as_deref() {
        None | Some("id") => false,
        Some("-id") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "sort `{other}`: give id or -id"
            )))
        }
    };
    if p.patient.is_none() && p.actor.is_none() {
        return Err(ApiError::BadRequest(
            "give patient or actor: the audit log is served per principal".into(),
        ));
    }
    let query = AuditQuery {
        patient: p
            .patient
            .as_deref()
            .map(|t| principal_param("patient", t))
            .transpose()?,
        actor: p
            .actor
            .as_deref()
            .map(|t| principal_param("actor", t))
            .transpose()?,
        actions: actions_param(p.action.as_deref())?,
        since_block: block_param("since_block", p.since_block)?,
        until_block: block_param("until_block", p.until_block)?,
        since_time: block_param("since_time", p.since_time)?,
        until_time: block_param("until_time", p.until_time)?,
        after: block_param("after", p.after)?,
        newest_first,
        limit: page_limit(p.limit)?,
        offset: page_offset(p.offset)?,
    };
    let (total, results) = state.store.audit(&query)?;
    Ok(Json(AuditPage {
        total,
        limit: query.limit,
        offset: query.offset,
        results,
    }))
}

#[derive(serde::Deserialize)]
struct PageParams {
    limit: Option<u32>,
    offset: Option<u64>,
}

async fn notifications(
    State(state): State<ApiState>,
    Path(recipient): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Json<Json_>, ApiError> {
    let recipient = principal_param("recipient", &recipient)?;
    let limit = page_limit(p.limit)?;
    let rows = state
        .store
        .notifications(&recipient, limit, page_offset(p.offset)?)?;
    Ok(Json(json!({ "results": rows })))
}

async fn tokens(
    State(state): State<ApiState>,
    Path(holder): Path<String>,
) -> Result<Json<Json_>, ApiError> {
    let holder = principal_param("holder", &holder)?;
    Ok(Json(
        json!({ "results": state.store.tokens_held(&holder)? }),
    ))
}
