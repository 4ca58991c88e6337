//! Shared by the devnet tests: starting a node, signing transactions with the devnet
//! accounts, and talking to the RPC.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use clarity::vm::ClarityVersion;
use ehr_harness::devnet::{spawn, DevnetConfig, DevnetHandle, Genesis};
use ehr_harness::simnet::Manifest;
use ehr_sdk::devnet_config::DevnetConfig as DevnetToml;
use ehr_sdk::keys::Account;
use ehr_sdk::network::Network;
use ehr_sdk::tx::{Payload, PostCondition, PostConditionMode, Transaction, TransactionBuilder};
use serde_json::Value as Json;

/// A contract with one function per outcome a test needs.
pub const PROBE: &str = r#"
(define-data-var counter uint u0)
(define-map notes uint (string-ascii 32))
(define-fungible-token gold)
(define-public (bump)
  (begin
    (var-set counter (+ (var-get counter) u1))
    (print { event: "bump", n: (var-get counter) })
    (ok (var-get counter))))
(define-public (fail) (err u42))
(define-public (boom) (ok (unwrap-panic (element-at (list u1) u5))))
(define-public (pay (amount uint) (to principal)) (stx-transfer? amount tx-sender to))
(define-public (mint-gold (amount uint)) (ft-mint? gold amount tx-sender))
(define-public (note (id uint) (text (string-ascii 32))) (ok (map-set notes id text)))
(define-read-only (get-counter) (var-get counter))
"#;

/// The devnet accounts, derived once (each derivation runs PBKDF2 over a mnemonic).
pub fn accounts() -> &'static DevnetToml {
    static ACCOUNTS: std::sync::OnceLock<DevnetToml> = std::sync::OnceLock::new();
    ACCOUNTS.get_or_init(|| {
        ehr_harness::ehr::devnet_accounts().expect("the compiled-in Devnet.toml parses")
    })
}

pub fn account(name: &str) -> Account {
    accounts().account(name).expect("a devnet account").clone()
}

pub fn genesis(with_contracts: bool) -> Genesis {
    let manifest = with_contracts.then(|| {
        Manifest::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts"))
            .expect("contracts/Clarinet.toml loads")
    });
    Genesis::from_accounts(accounts(), manifest.as_ref()).expect("genesis")
}

pub async fn start(config: DevnetConfig) -> DevnetHandle {
    spawn(config).await.expect("the devnet starts")
}

pub async fn start_plain() -> DevnetHandle {
    start(DevnetConfig::new(genesis(false))).await
}

/// Signs `payload` as `who` with `nonce`, paying 1 micro-STX per byte (at least `min_fee`).
pub fn sign(who: &Account, payload: Payload, nonce: u64) -> Transaction {
    TransactionBuilder::new(Network::Devnet, payload)
        .nonce(nonce)
        .fee(10_000)
        .sign(&who.secret_key)
        .expect("signs")
}

pub fn sign_with(
    who: &Account,
    payload: Payload,
    nonce: u64,
    fee: u64,
    mode: PostConditionMode,
    conditions: Vec<PostCondition>,
) -> Transaction {
    let mut builder = TransactionBuilder::new(Network::Devnet, payload)
        .nonce(nonce)
        .fee(fee)
        .post_condition_mode(mode);
    for c in conditions {
        builder = builder.post_condition(c);
    }
    builder.sign(&who.secret_key).expect("signs")
}

pub fn deploy_probe(nonce: u64) -> Transaction {
    let payload = Payload::deploy("probe", PROBE, ClarityVersion::Clarity2).expect("payload");
    sign(&account("deployer"), payload, nonce)
}

pub fn probe_id() -> QualifiedContractIdentifier {
    QualifiedContractIdentifier::parse(&format!("{}.probe", account("deployer").address))
        .expect("contract id")
}

pub fn call(who: &str, function: &str, args: Vec<Value>, nonce: u64) -> Transaction {
    let payload = Payload::contract_call(&probe_id(), function, args).expect("payload");
    sign(&account(who), payload, nonce)
}

pub fn principal(name: &str) -> PrincipalData {
    account(name).principal()
}

pub struct Rpc {
    pub base: String,
    pub http: reqwest::Client,
}

impl Rpc {
    pub fn new(node: &DevnetHandle) -> Rpc {
        Rpc {
            base: node.url().to_string(),
            http: reqwest::Client::new(),
        }
    }

    pub async fn get(&self, path: &str) -> (u16, Json) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Json::String(text)),
        )
    }

    pub async fn post_json(&self, path: &str, body: &Json) -> (u16, Json) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .expect("POST");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Json::String(text)),
        )
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Json) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Json::String(text)),
        )
    }

    /// Broadcasts as stacks.js does (JSON `{tx}`); returns status and body.
    pub async fn broadcast(&self, tx: &Transaction) -> (u16, Json) {
        self.post_json(
            "/v2/transactions",
            &serde_json::json!({ "tx": tx.to_hex() }),
        )
        .await
    }

    /// Broadcasts and insists on acceptance; returns the txid.
    pub async fn send(&self, tx: &Transaction) -> String {
        let (status, body) = self.broadcast(tx).await;
        assert_eq!(status, 200, "broadcast refused: {body}");
        body.as_str().expect("a quoted txid").to_string()
    }

    pub async fn tx(&self, txid: &str) -> Json {
        let (status, body) = self.get(&format!("/extended/v1/tx/0x{txid}")).await;
        assert_eq!(status, 200, "tx {txid}: {body}");
        body
    }

    /// Waits until `txid` leaves `pending` and returns its Hiro record.
    pub async fn mined(&self, txid: &str) -> Json {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let body = self.tx(txid).await;
            if body["tx_status"] != "pending" {
                return body;
            }
            assert!(Instant::now() < deadline, "{txid} still pending");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn nonce(&self, who: &str) -> u64 {
        let (_, body) = self
            .get(&format!("/v2/accounts/{}?proof=0", account(who).address))
            .await;
        body["nonce"].as_u64().expect("nonce")
    }

    pub async fn balance(&self, who: &str) -> u128 {
        let (_, body) = self
            .get(&format!("/v2/accounts/{}?proof=0", account(who).address))
            .await;
        let hex = body["balance"].as_str().expect("balance");
        u128::from_str_radix(hex.trim_start_matches("0x"), 16).expect("hex balance")
    }

    pub async fn height(&self) -> u64 {
        self.get("/v2/info").await.1["stacks_tip_height"]
            .as_u64()
            .expect("height")
    }
}
