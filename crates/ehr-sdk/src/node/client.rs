//! [`NodeClient`]: one async method per node or Hiro API endpoint, over a transport that
//! times out, retries what is safe to retry (see [`super::retry`]) and turns every answer
//! the endpoint does not define into a [`NodeError`].

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use clarity::vm::types::{OptionalData, PrincipalData, QualifiedContractIdentifier};
use clarity::vm::Value;
use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use stacks_codec::codec::Txid;

use super::account::{Account, Nonces};
use super::contract::{ContractInterface, ContractSource};
use super::error::NodeError;
use super::fees::{
    EstimateAnswer, EstimateFailure, EstimateRequest, FeeEstimate, NO_ESTIMATE_AVAILABLE,
};
use super::follow::TxSource;
use super::info::NodeInfo;
use super::rejection::{RejectReason, RejectionBody};
use super::retry::{self, RetryPolicy};
use super::tx_status::{HiroTx, TxOutcome, TxStatus};
use super::wire::{parse_txid, value_from_hex, value_to_hex};

/// How long one request may take, connection included, unless the builder says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest stretch of an error body quoted in an error message.
const QUOTED_BODY_LIMIT: usize = 512;

/// An async client for a Stacks node's RPC API (`/v2/...`) and the Hiro API routes
/// (`/extended/...`) wallets use beside it. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct NodeClient {
    http: reqwest::Client,
    pub(super) node: BaseUrl,
    pub(super) api: BaseUrl,
    /// Whether the Hiro API was given apart from the node (then it must answer as one).
    pub(super) api_set_apart: bool,
    /// How transactions are followed, once detected (shared by clones).
    pub(super) source: Arc<OnceLock<TxSource>>,
    timeout: Duration,
    retry: RetryPolicy,
}

/// Settings for a [`NodeClient`]: timeout, retry policy and where the Hiro API is.
#[derive(Debug, Clone)]
pub struct NodeClientBuilder {
    node_url: String,
    api_url: Option<String>,
    timeout: Duration,
    retry: RetryPolicy,
}

impl NodeClientBuilder {
    /// How long one attempt of a request may take, from connecting to the last byte of the
    /// answer (default 30 s). Retries get the same budget each.
    pub fn timeout(self, timeout: Duration) -> Self {
        NodeClientBuilder { timeout, ..self }
    }

    /// When failed requests are sent again (default [`RetryPolicy::default`]).
    pub fn retry(self, retry: RetryPolicy) -> Self {
        NodeClientBuilder { retry, ..self }
    }

    /// Where the Hiro API (`/extended/...`: transaction status, nonces) is served, when not
    /// by the node's own host: a real stacks-node leaves those routes to a
    /// stacks-blockchain-api server, while this project's devnet and Hiro's public hosts
    /// serve both on one port.
    pub fn hiro_api_url(self, url: &str) -> Self {
        NodeClientBuilder {
            api_url: Some(url.to_string()),
            ..self
        }
    }

    /// The client, once the URLs are checked.
    pub fn build(self) -> Result<NodeClient, NodeError> {
        let node = BaseUrl::parse(&self.node_url)?;
        let api = match &self.api_url {
            Some(url) => BaseUrl::parse(url)?,
            None => node.clone(),
        };
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .user_agent(concat!("ehr-sdk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| NodeError::ClientSetup(e.to_string()))?;
        Ok(NodeClient {
            http,
            node,
            api,
            api_set_apart: self.api_url.is_some(),
            source: Arc::new(OnceLock::new()),
            timeout: self.timeout,
            retry: self.retry,
        })
    }
}

impl NodeClient {
    /// A client for the node at `node_url` (e.g. `http://127.0.0.1:20443`) with the default
    /// timeout and retry policy, reading the Hiro API routes from the same host.
    pub fn new(node_url: &str) -> Result<Self, NodeError> {
        Self::builder(node_url).build()
    }

    /// Settings for a client of the node at `node_url`.
    pub fn builder(node_url: &str) -> NodeClientBuilder {
        NodeClientBuilder {
            node_url: node_url.to_string(),
            api_url: None,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
        }
    }

    /// The node's base URL.
    pub fn node_url(&self) -> &str {
        self.node.0.as_str()
    }

    /// The Hiro API's base URL (the node's unless set apart).
    pub fn hiro_api_url(&self) -> &str {
        self.api.0.as_str()
    }

    /// `GET /v2/info`: the node's chain tip, network and version.
    pub async fn info(&self) -> Result<NodeInfo, NodeError> {
        let url = self.node.endpoint(&["v2", "info"]);
        self.get(url, "node info").await
    }

    /// `GET /v2/accounts/{principal}?proof=0`: balance, locked amount and nonce at the tip.
    pub async fn account(&self, principal: &PrincipalData) -> Result<Account, NodeError> {
        let mut url = self
            .node
            .endpoint(&["v2", "accounts", &principal.to_string()]);
        url.set_query(Some("proof=0"));
        self.get(url, &format!("account {principal}")).await
    }

    /// `GET /extended/v1/address/{principal}/nonces` on the Hiro API: nonces counting
    /// pending transactions.
    pub async fn nonces(&self, principal: &PrincipalData) -> Result<Nonces, NodeError> {
        let who = principal.to_string();
        let url = self
            .api
            .endpoint(&["extended", "v1", "address", &who, "nonces"]);
        self.get(url, &format!("nonces of {principal}")).await
    }

    /// The nonce for `principal`'s next transaction, as wallets pick it: with a Hiro API,
    /// its `possible_next_nonce` (which counts pending transactions); on a bare node, the
    /// account nonce (which counts mined ones only, so send the next transaction after the
    /// last one is mined, as `EhrClient::execute` does).
    pub async fn next_nonce(&self, principal: &PrincipalData) -> Result<u64, NodeError> {
        match self.tx_source().await? {
            TxSource::HiroApi { .. } => Ok(self.nonces(principal).await?.possible_next_nonce),
            TxSource::NodeWithTxIndex | TxSource::Node => Ok(self.account(principal).await?.nonce),
        }
    }

    /// `GET /v2/fees/transfer`: the minimum fee rate in µSTX per byte.
    pub async fn fee_rate(&self) -> Result<u64, NodeError> {
        let url = self.node.endpoint(&["v2", "fees", "transfer"]);
        self.get(url, "fee rate").await
    }

    /// `POST /v2/fees/transaction`: what a transaction with this serialised `payload` and
    /// this total signed length (`estimated_len`, in bytes) should pay. When the node has no
    /// estimate for it (`NoEstimateAvailable`), falls back to the fee rate × length, as
    /// stacks.js does; any other estimator failure is an error.
    pub async fn estimate_fee(
        &self,
        payload: &[u8],
        estimated_len: u64,
    ) -> Result<FeeEstimate, NodeError> {
        let url = self.node.endpoint(&["v2", "fees", "transaction"]);
        let request = EstimateRequest {
            transaction_payload: hex::encode(payload),
            estimated_len,
        };
        let answer = self
            .send(Method::POST, url, Body::json(&request, "a fee request")?)
            .await?;
        match answer.status {
            StatusCode::OK => {
                let estimate: EstimateAnswer = answer.json()?;
                match estimate.estimations.as_slice() {
                    [low, middle, high] => Ok(FeeEstimate::Estimated {
                        low: *low,
                        middle: *middle,
                        high: *high,
                    }),
                    other => Err(answer.decode(format!(
                        "expected 3 fee estimations (low, middle, high), got {}",
                        other.len()
                    ))),
                }
            }
            StatusCode::BAD_REQUEST => {
                match serde_json::from_slice::<EstimateFailure>(&answer.body) {
                    Ok(failure) if failure.reason == NO_ESTIMATE_AVAILABLE => {
                        Ok(FeeEstimate::FeeRateTimesLength {
                            fee_rate: self.fee_rate().await?,
                            estimated_len,
                        })
                    }
                    Ok(failure) => Err(NodeError::FeeEstimation {
                        message: failure
                            .reason_data
                            .map(|d| d.message)
                            .unwrap_or_else(|| failure.reason.clone()),
                        reason: Some(failure.reason),
                    }),
                    Err(_) => Err(NodeError::FeeEstimation {
                        reason: None,
                        message: answer.text(),
                    }),
                }
            }
            _ => Err(answer.http_error()),
        }
    }

    /// `POST /v2/transactions`: hands the signed transaction `tx` (its wire bytes) to the
    /// node's mempool and returns its txid. Sending a transaction the node already holds
    /// succeeds again with the same txid. A refusal is [`NodeError::BroadcastRejected`].
    pub async fn broadcast(&self, tx: &[u8]) -> Result<Txid, NodeError> {
        // The node's txid hashes the canonical serialisation, which differs from the
        // bytes sent when they are not canonical (e.g. a version byte with low bits set).
        let txid = crate::tx::Transaction::from_bytes(tx)
            .map(|t| t.txid())
            .unwrap_or_else(|_| Txid::from_stacks_tx(tx));
        let url = self.node.endpoint(&["v2", "transactions"]);
        let answer = self
            .send(Method::POST, url, Body::Octets(tx.to_vec()))
            .await?;
        match answer.status {
            StatusCode::OK => {
                let echoed: String = answer.json()?;
                let echoed = parse_txid(&echoed).map_err(|e| answer.decode(e.to_string()))?;
                if echoed == txid {
                    Ok(txid)
                } else {
                    Err(answer.decode(format!(
                        "it acknowledged 0x{echoed}, but the transaction sent is 0x{txid}"
                    )))
                }
            }
            StatusCode::BAD_REQUEST => {
                let Ok(rejection) = serde_json::from_slice::<RejectionBody>(&answer.body) else {
                    return Err(answer.http_error());
                };
                let reason = RejectReason::from_wire(&rejection.reason);
                let reason_data = rejection.reason_data;
                if answer.after_uncertain_attempt && reason == RejectReason::BadNonce {
                    Err(NodeError::BroadcastOutcomeUnknown {
                        reason,
                        reason_data,
                        txid,
                    })
                } else {
                    Err(NodeError::BroadcastRejected {
                        reason,
                        reason_data,
                        txid,
                    })
                }
            }
            _ => Err(answer.http_error()),
        }
    }

    /// `POST /v2/contracts/call-read/{address}/{contract}/{function}`: runs a read-only (or,
    /// with writes refused, a public) function at the chain tip as `sender` and returns its
    /// value. A call the node could not complete is [`NodeError::ReadOnlyFailed`] with the
    /// node's cause.
    pub async fn call_read_only(
        &self,
        contract: &QualifiedContractIdentifier,
        function: &str,
        args: &[Value],
        sender: &PrincipalData,
    ) -> Result<Value, NodeError> {
        let arguments = args
            .iter()
            .map(value_to_hex)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| NodeError::Encode {
                what: format!("the arguments of {contract}::{function}"),
                reason,
            })?;
        let body = json!({ "sender": sender.to_string(), "arguments": arguments });
        let url = self.contract_endpoint("contracts/call-read", contract, Some(function));
        let what = format!("read-only function {contract}::{function}");
        let answer: ReadOnlyAnswer = self
            .fetch(Method::POST, url.clone(), Body::json(&body, &what)?, &what)
            .await?;
        match answer {
            ReadOnlyAnswer {
                okay: true,
                result: Some(hex),
                ..
            } => value_from_hex(&hex).map_err(|reason| decode_error(&url, reason)),
            ReadOnlyAnswer { okay: true, .. } => Err(decode_error(&url, "okay without a result")),
            ReadOnlyAnswer { cause, .. } => Err(NodeError::ReadOnlyFailed {
                contract: contract.to_string(),
                function: function.to_string(),
                cause: cause.unwrap_or_else(|| "no cause given".to_string()),
            }),
        }
    }

    /// `POST /v2/map_entry/{address}/{contract}/{map}?proof=0`: the value stored under `key`
    /// in a data map, or `None` when the key is absent.
    pub async fn map_entry(
        &self,
        contract: &QualifiedContractIdentifier,
        map: &str,
        key: &Value,
    ) -> Result<Option<Value>, NodeError> {
        let what = format!("map `{map}` of {contract}");
        let key = value_to_hex(key).map_err(|reason| NodeError::Encode {
            what: format!("the key into {what}"),
            reason,
        })?;
        let mut url = self.contract_endpoint("map_entry", contract, Some(map));
        url.set_query(Some("proof=0"));
        let data: DataAnswer = self
            .fetch(Method::POST, url.clone(), Body::json(&key, &what)?, &what)
            .await?;
        match value_from_hex(&data.data) {
            Ok(Value::Optional(OptionalData { data })) => Ok(data.map(|value| *value)),
            Ok(other) => Err(decode_error(
                &url,
                format!("a map entry must be (some ...) or none, got {other}"),
            )),
            Err(reason) => Err(decode_error(&url, reason)),
        }
    }

    /// `GET /v2/data_var/{address}/{contract}/{var}?proof=0`: a data variable's value.
    pub async fn data_var(
        &self,
        contract: &QualifiedContractIdentifier,
        var: &str,
    ) -> Result<Value, NodeError> {
        let mut url = self.contract_endpoint("data_var", contract, Some(var));
        url.set_query(Some("proof=0"));
        let what = format!("data var `{var}` of {contract}");
        let data: DataAnswer = self.get(url.clone(), &what).await?;
        value_from_hex(&data.data).map_err(|reason| decode_error(&url, reason))
    }

    /// `GET /v2/contracts/source/{address}/{contract}?proof=0`: the deployed source.
    pub async fn contract_source(
        &self,
        contract: &QualifiedContractIdentifier,
    ) -> Result<ContractSource, NodeError> {
        let mut url = self.contract_endpoint("contracts/source", contract, None);
        url.set_query(Some("proof=0"));
        self.get(url, &format!("contract {contract}")).await
    }

    /// `GET /v2/contracts/interface/{address}/{contract}`: the contract's ABI.
    pub async fn contract_interface(
        &self,
        contract: &QualifiedContractIdentifier,
    ) -> Result<ContractInterface, NodeError> {
        let url = self.contract_endpoint("contracts/interface", contract, None);
        self.get(url, &format!("contract {contract}")).await
    }

    /// `GET /extended/v1/tx/0x{txid}` on the Hiro API: pending, mined (with its result), or
    /// dropped. A transaction the API has not seen is [`NodeError::NotFound`].
    pub(super) async fn hiro_tx_status(&self, txid: &Txid) -> Result<TxStatus, NodeError> {
        let url = self
            .api
            .endpoint(&["extended", "v1", "tx", &format!("0x{txid}")]);
        let tx: HiroTx = self
            .get(url.clone(), &format!("transaction 0x{txid}"))
            .await?;
        tx.status(txid).map_err(|reason| decode_error(&url, reason))
    }

    /// Polls [`tx_status`](Self::tx_status) every `poll_interval` until the transaction is
    /// final (mined, rolled back, dropped, or mined with its result unknown on a bare node),
    /// for at most `timeout` in all. When a Hiro API says it is mined, also waits until the
    /// node's tip reaches its block, so reads that follow see what it wrote. Through a Hiro API not being found yet is not an error
    /// (an indexer may lag the node); on a bare node, which holds every transaction it
    /// accepted, it is, and a transaction that leaves the mempool unmined was evicted.
    pub async fn wait_for(
        &self,
        txid: &Txid,
        timeout: Duration,
        poll_interval: Duration,
    ) -> Result<TxOutcome, NodeError> {
        let mut seen_pending = false;
        let polling = async {
            let source = self.tx_source().await?;
            let outcome = loop {
                if let Some(outcome) = self.wait_step(&source, txid, &mut seen_pending).await? {
                    break outcome;
                }
                tokio::time::sleep(poll_interval).await;
            };
            // Read your writes: an indexer (a Hiro API, `ehr index`) may announce a block
            // before the node's read routes serve its state, so reads after the wait
            // could miss what the transaction wrote. Wait until the node's tip has it.
            let mined_at = match &outcome {
                TxOutcome::Mined { block_height, .. } | TxOutcome::Aborted { block_height, .. } => {
                    Some(*block_height)
                }
                TxOutcome::Dropped { .. } | TxOutcome::MinedResultUnknown { .. } => None,
            };
            if let (Some(height), TxSource::HiroApi { .. }) = (mined_at, &source) {
                while self.info().await?.stacks_tip_height < height {
                    tokio::time::sleep(poll_interval).await;
                }
            }
            Ok(outcome)
        };
        match tokio::time::timeout(timeout, polling).await {
            Ok(done) => done,
            Err(_) => Err(NodeError::WaitTimeout {
                txid: *txid,
                waited: timeout,
                seen_pending,
            }),
        }
    }

    /// `/v2/{route}/{address}/{contract}[/{item}]` on the node; `route` may hold slashes.
    fn contract_endpoint(
        &self,
        route: &str,
        contract: &QualifiedContractIdentifier,
        item: Option<&str>,
    ) -> Url {
        let issuer = contract.issuer.to_string();
        let mut segments: Vec<&str> = std::iter::once("v2").chain(route.split('/')).collect();
        segments.push(&issuer);
        segments.push(contract.name.as_str());
        segments.extend(item);
        self.node.endpoint(&segments)
    }

    /// A GET whose 200 answer is JSON of type `T` and whose 404 means `what` does not exist.
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        url: Url,
        what: &str,
    ) -> Result<T, NodeError> {
        self.fetch(Method::GET, url, Body::Empty, what).await
    }

    /// A request whose 200 answer is JSON of type `T` and whose 404 means `what` does not
    /// exist; any other status is an [`NodeError::Http`].
    async fn fetch<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Body,
        what: &str,
    ) -> Result<T, NodeError> {
        let answer = self.send(method, url, body).await?;
        match answer.status {
            StatusCode::OK => answer.json(),
            StatusCode::NOT_FOUND => {
                let body = answer.text();
                if is_unknown_route(&body) {
                    Err(NodeError::NoSuchEndpoint {
                        url: answer.url.to_string(),
                        body,
                    })
                } else {
                    Err(NodeError::NotFound {
                        what: what.to_string(),
                        body,
                    })
                }
            }
            _ => Err(answer.http_error()),
        }
    }

    /// Sends a request, retrying transient failures as the policy allows, and returns the
    /// last answer, whatever its status.
    pub(super) async fn send(
        &self,
        method: Method,
        url: Url,
        body: Body,
    ) -> Result<Answer, NodeError> {
        let mut after_uncertain_attempt = false;
        let mut attempt = 0;
        loop {
            let may_retry = self.retry.allows_retry_after(attempt);
            match self.attempt(&method, &url, &body).await {
                Ok((status, _)) if may_retry && retry::is_transient(status) => {
                    // A rate limit refused the request; a 5xx may come after it was handled.
                    after_uncertain_attempt |= status != StatusCode::TOO_MANY_REQUESTS;
                }
                Ok((status, body)) => {
                    return Ok(Answer {
                        url,
                        status,
                        body,
                        after_uncertain_attempt,
                    })
                }
                Err(err) if may_retry && is_transient_error(&err) => {
                    // Only a failed connect proves the request never left.
                    after_uncertain_attempt |= !err.is_connect();
                }
                Err(err) => return Err(self.transport_error(&url, &err)),
            }
            tokio::time::sleep(self.retry.backoff(attempt)).await;
            attempt += 1;
        }
    }

    /// One attempt: the status and the whole body.
    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: &Body,
    ) -> Result<(StatusCode, Vec<u8>), reqwest::Error> {
        let request = self.http.request(method.clone(), url.clone());
        let request = match body {
            Body::Empty => request,
            Body::Json(bytes) => request
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Octets(bytes) => request
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(bytes.clone()),
        };
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        Ok((status, bytes.to_vec()))
    }

    /// The error for a request that got no answer.
    fn transport_error(&self, url: &Url, err: &reqwest::Error) -> NodeError {
        let url = url.to_string();
        if err.is_connect() {
            NodeError::Unreachable {
                url,
                reason: cause_of(err),
            }
        } else if err.is_timeout() {
            NodeError::Timeout {
                url,
                after: self.timeout,
            }
        } else {
            NodeError::Transport {
                url,
                reason: cause_of(err),
            }
        }
    }
}

/// Whether a failure to get an answer may pass: the connection could not be opened, broke,
/// or timed out.
fn is_transient_error(err: &reqwest::Error) -> bool {
    err.is_connect() || err.is_timeout() || err.is_request() || err.is_body() || err.is_decode()
}

/// The chain of causes under a reqwest error (its own text only repeats the URL).
fn cause_of(err: &reqwest::Error) -> String {
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    if causes.is_empty() {
        err.to_string()
    } else {
        causes.join(": ")
    }
}

/// Whether a 404 body is stacks-node's answer for a path it has no handler for, as opposed
/// to a missing object: `No such file or directory` when no route pattern matches (what a
/// bare node answers for `/extended/...`), `No such API endpoint 'GET /...'` when a handler
/// table has no entry.
fn is_unknown_route(body: &str) -> bool {
    body == "No such file or directory" || body.starts_with("No such API endpoint")
}

/// A [`NodeError::Decode`] for `url`.
pub(super) fn decode_error(url: &Url, reason: impl Into<String>) -> NodeError {
    NodeError::Decode {
        url: url.to_string(),
        reason: reason.into(),
    }
}

/// A base URL that can address endpoints: http or https, without query or fragment.
#[derive(Debug, Clone)]
pub(super) struct BaseUrl(Url);

impl BaseUrl {
    /// Checks `text` as a base URL.
    fn parse(text: &str) -> Result<Self, NodeError> {
        let invalid = |reason: String| NodeError::InvalidUrl {
            url: text.to_string(),
            reason,
        };
        let url = Url::parse(text.trim()).map_err(|e| {
            invalid(format!(
                "{e}; write it in full, e.g. http://127.0.0.1:20443"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(format!(
                "the scheme is `{}`; a node is reached over http or https, e.g. \
                 http://127.0.0.1:20443",
                url.scheme()
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(
                "a base URL takes no query (`?`) or fragment (`#`)".to_string(),
            ));
        }
        Ok(BaseUrl(url))
    }

    /// The URL of the endpoint at `segments` below the base path; each segment is
    /// percent-encoded (Clarity names may hold `?`, `/`, `<`...), and nodes decode them.
    pub(super) fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.0.clone();
        // An http(s) URL always has a path to extend (`parse` admits no other scheme).
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }
}

/// A request body.
pub(super) enum Body {
    /// No body (GET).
    Empty,
    /// A JSON document.
    Json(Vec<u8>),
    /// Raw bytes (a transaction).
    Octets(Vec<u8>),
}

impl Body {
    /// `value` as a JSON body; `what` names it in the error.
    fn json<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<Body, NodeError> {
        serde_json::to_vec(value)
            .map(Body::Json)
            .map_err(|e| NodeError::Encode {
                what: what.to_string(),
                reason: e.to_string(),
            })
    }
}

/// The final answer to a request.
pub(super) struct Answer {
    url: Url,
    pub(super) status: StatusCode,
    pub(super) body: Vec<u8>,
    /// Whether an earlier attempt may have reached the server (it timed out or got a
    /// transient error status), so a side effect of it may already have happened.
    after_uncertain_attempt: bool,
}

impl Answer {
    /// The body as JSON of type `T`.
    fn json<T: DeserializeOwned>(&self) -> Result<T, NodeError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            self.decode(format!(
                "{e} in HTTP {} body `{}`",
                self.status.as_u16(),
                self.text()
            ))
        })
    }

    /// The body as text for a message: a JSON string unquoted, cut to a readable length.
    pub(super) fn text(&self) -> String {
        let text = serde_json::from_slice::<String>(&self.body)
            .unwrap_or_else(|_| String::from_utf8_lossy(&self.body).into_owned());
        let text = text.trim();
        match text.char_indices().nth(QUOTED_BODY_LIMIT) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.to_string(),
        }
    }

    /// An [`NodeError::Http`] for this answer.
    pub(super) fn http_error(&self) -> NodeError {
        NodeError::Http {
            url: self.url.to_string(),
            status: self.status.as_u16(),
            body: self.text(),
        }
    }

    /// A [`NodeError::Decode`] for this answer.
    fn decode(&self, reason: String) -> NodeError {
        decode_error(&self.url, reason)
    }
}

/// Answer of `/v2/contracts/call-read`.
#[derive(Deserialize)]
struct ReadOnlyAnswer {
    okay: bool,
    #[serde(default)]
    result: Option<String>,
    #[serde(default)]
    cause: Option<String>,
}

/// Answer of `/v2/map_entry` and `/v2/data_var`.
#[derive(Deserialize)]
struct DataAnswer {
    data: String,
}
