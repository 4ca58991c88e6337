//! Shared by the `ehr-web` tests (and the FHIR bench): a devnet with the EHR contracts
//! deployed at genesis, an `ehr serve` server for every devnet account on 127.0.0.1:0,
//! and the devnet accounts to act as.
//!
//! ```ignore
//! let server = support::start().await;
//! let http = reqwest::Client::new();
//! http.get(server.url("/fhir/metadata")).bearer_auth(&server.token).send().await?;
//! ```
//!
//! Everything stays alive while the [`Server`] does; dropping it stops the web server and
//! the devnet.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use clarity::vm::types::PrincipalData;
use ehr_harness::devnet::{spawn, DevnetConfig, DevnetHandle, Genesis};
use ehr_harness::simnet::Manifest;
use ehr_sdk::devnet_config::DevnetConfig as DevnetToml;
use ehr_sdk::ehr::{calls, ContractCall, SendOptions};
use ehr_sdk::ehr::{Deployment, EhrClient};
use ehr_sdk::fhir::PRINCIPAL_SYSTEM;
use ehr_sdk::keys::Account;
use ehr_sdk::network::Network;
use ehr_sdk::node::NodeClient;
use ehr_web::{AppState, Bound, Identity, ServeConfig};
use serde_json::{json, Value};

/// The devnet accounts (`devnet/Devnet.toml`), derived once.
pub fn accounts() -> &'static DevnetToml {
    static ACCOUNTS: OnceLock<DevnetToml> = OnceLock::new();
    ACCOUNTS.get_or_init(|| {
        ehr_harness::ehr::devnet_accounts().expect("the compiled-in Devnet.toml parses")
    })
}

/// The devnet account `name` (`deployer`, `wallet_1` … `wallet_8`, `faucet`).
pub fn account(name: &str) -> Account {
    accounts()
        .account(name)
        .unwrap_or_else(|| panic!("no devnet account named {name}"))
        .clone()
}

/// The devnet account `name` as a principal.
pub fn principal(name: &str) -> PrincipalData {
    account(name).principal()
}

/// Genesis with the devnet balances and the EHR contracts deployed by `deployer`.
pub fn genesis() -> Genesis {
    let manifest =
        Manifest::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts"))
            .expect("contracts/Clarinet.toml loads");
    Genesis::from_accounts(accounts(), Some(&manifest)).expect("genesis")
}

/// A typed client for the contracts on the devnet at `node_url`.
pub fn ehr_client(node_url: &str) -> EhrClient {
    let deployer = account("deployer").address.to_standard_principal();
    EhrClient::new(
        NodeClient::new(node_url).expect("node client"),
        Network::Devnet,
        Deployment::new(deployer),
    )
}

/// A running devnet and `ehr serve` over it.
pub struct Server {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    /// The address the server listens on.
    pub addr: SocketAddr,
    /// The bearer token (`Authorization: Bearer …` for `/fhir`).
    pub token: String,
    /// The CSRF token of the dashboard's forms (`X-CSRF-Token` or `?csrf=`).
    pub csrf: String,
    /// A dashboard session id (the `ehr_session` cookie), from a one-time login code.
    pub session: String,
    /// The server's state (its client, identities, store).
    pub state: Arc<AppState>,
    /// A typed client for the same devnet, to set up and check the chain directly.
    pub client: EhrClient,
    /// The devnet (stopped when the server is dropped).
    pub node: DevnetHandle,
    /// The EHR index behind `--api`, when started with one ([`start_indexed`]).
    pub index: Option<ehr_index::IndexHandle>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _store: tempfile::TempDir,
}

impl Server {
    /// `base` + `path` (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The dashboard page at `path`, as the session and account in `cookies`, as text.
    pub async fn page(&self, cookies: &str, path: &str) -> String {
        reqwest::Client::new()
            .get(self.url(path))
            .header(reqwest::header::COOKIE, cookies)
            .send()
            .await
            .expect("the server answers")
            .text()
            .await
            .expect("a page")
    }

    /// POSTs `form` to the dashboard's `path` with the CSRF token, as `cookies`; the
    /// answer as it comes (redirects not followed).
    pub async fn post_form(
        &self,
        cookies: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client")
            .post(self.url(&format!("{path}?csrf={}", self.csrf)))
            .header(reqwest::header::COOKIE, cookies)
            .form(form)
            .send()
            .await
            .expect("the server answers")
    }

    /// The identity named `name` the server acts for.
    pub fn identity(&self, name: &str) -> &Identity {
        self.state
            .identity(name)
            .unwrap_or_else(|| panic!("the server does not act for {name}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a devnet with the contracts and a server acting for every devnet account, in
/// `Devnet.toml` order (`deployer` first, so it is the default identity).
pub async fn start() -> Server {
    let names: Vec<String> = accounts()
        .accounts
        .iter()
        .map(|g| g.account.name.clone())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    start_with(&names).await
}

/// As [`start`], with the server acting only for the accounts `names`, in that order
/// (the first is the default identity).
pub async fn start_with(names: &[&str]) -> Server {
    let node = spawn(DevnetConfig::new(genesis()))
        .await
        .expect("the devnet starts");
    let client = ehr_client(node.url());
    serve(node, client, None, names, None).await
}

/// As [`start`], with the server told it is reached at `public_url` through a proxy
/// (`ehr serve --public-url`).
pub async fn start_behind_proxy(public_url: &str) -> Server {
    let node = spawn(DevnetConfig::new(genesis()))
        .await
        .expect("the devnet starts");
    let client = ehr_client(node.url());
    let public = public_url.parse().expect("a valid public URL");
    serve(
        node,
        client,
        None,
        &["deployer", "wallet_1", "wallet_2"],
        Some(public),
    )
    .await
}

/// As [`start`], with an `ehr index` (in memory) fed by the devnet's event observer
/// stream behind the server's `--api`.
pub async fn start_indexed() -> Server {
    let any: SocketAddr = "127.0.0.1:0".parse().expect("address");
    let listeners = ehr_index::Listeners::bind(any, any)
        .await
        .expect("the index binds");
    let mut config = DevnetConfig::new(genesis());
    config.observers = vec![ehr_sdk::devnet_config::EventObserver {
        endpoint: listeners.observer_addr().expect("bound").to_string(),
        events_keys: vec!["*".into()],
        timeout_ms: 5_000,
    }];
    let node = spawn(config).await.expect("the devnet starts");
    let index = ehr_index::spawn(
        listeners,
        &ehr_index::IndexConfig::devnet(node.url()).expect("the devnet deployment"),
    )
    .await
    .expect("the index starts");
    let deployer = account("deployer").address.to_standard_principal();
    let client = EhrClient::new(
        NodeClient::builder(node.url())
            .hiro_api_url(&index.api_url())
            .build()
            .expect("node client"),
        Network::Devnet,
        Deployment::new(deployer),
    );
    let names: Vec<String> = accounts()
        .accounts
        .iter()
        .map(|g| g.account.name.clone())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    serve(node, client, Some(index), &names, None).await
}

async fn serve(
    node: DevnetHandle,
    client: EhrClient,
    index: Option<ehr_index::IndexHandle>,
    names: &[&str],
    public_url: Option<ehr_web::PublicUrl>,
) -> Server {
    let identities = names
        .iter()
        .map(|name| {
            let a = account(name);
            Identity::new(a.name.clone(), a.secret_key.clone(), a.address.clone())
        })
        .collect();
    let store = tempfile::tempdir().expect("a temporary store");
    let config = ServeConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        allowed_hosts: Vec::new(),
        stores: vec![store.path().display().to_string()],
        store_quorum: None,
        on_chain_max: 8192,
        smart: ehr_web::smart::SmartConfig {
            clients: Some(store.path().join("smart-clients.json")),
            ..Default::default()
        },
        public_url,
    };
    let state =
        Arc::new(AppState::new(client.clone(), identities, config).expect("the store opens"));
    let bound = Bound::bind(state.clone()).await.expect("the server binds");
    let addr = bound.addr;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(bound.serve(async {
        let _ = stopped.await;
    }));
    Server {
        base: format!("http://{addr}"),
        addr,
        token: state.access_token().to_string(),
        csrf: state.csrf_token(),
        session: state
            .redeem_login(&state.new_login_code())
            .expect("a fresh login code signs in"),
        state,
        client,
        node,
        index,
        stop: Some(stop),
        _store: store,
    }
}

/// Runs `call` signed by the devnet account `who`, until mined (panics on refusal).
pub async fn run(server: &Server, who: &str, call: ContractCall) {
    server
        .client
        .execute(&account(who).secret_key, &call, &SendOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{who}: {e}"));
}

/// Registers `who` as a second doctor (a pediatrician, not verified yet).
pub async fn register_second_doctor(server: &Server, who: &str) {
    run(
        server,
        who,
        calls::register_doctor(
            &[9; 32],
            &account(who).secret_key.public_key(),
            "pediatrics",
        )
        .unwrap(),
    )
    .await;
}

/// The values an issuer's attestation page shows: (expires at, signature).
pub fn attestation_of(page: &str) -> (String, String) {
    let after = |label: &str| {
        let tag = format!("<dt>{label}</dt><dd>");
        let at = page
            .find(&tag)
            .unwrap_or_else(|| panic!("no {label} in {page}"))
            + tag.len();
        let rest = &page[at..];
        let rest = rest.strip_prefix("<code class=\"hash\">").unwrap_or(rest);
        rest.chars()
            .take_while(|c| c.is_ascii_hexdigit())
            .collect::<String>()
    };
    (after("Expires at block"), after("Signature"))
}

/// The chain tip height.
pub async fn tip(server: &Server) -> u64 {
    server
        .client
        .node()
        .info()
        .await
        .expect("info")
        .stacks_tip_height
}

/// `wallet_1` registered as a patient, `wallet_2` as a doctor (cardiology) and verified
/// by the issuer `wallet_3`.
pub async fn register_people(server: &Server) {
    let patient = account("wallet_1");
    run(
        server,
        "wallet_1",
        calls::register_patient(&[7; 32], &patient.secret_key.public_key()).unwrap(),
    )
    .await;
    let doctor = account("wallet_2");
    run(
        server,
        "wallet_2",
        calls::register_doctor(&[8; 32], &doctor.secret_key.public_key(), "cardiology").unwrap(),
    )
    .await;
    let issuer = account("wallet_3");
    run(
        server,
        "deployer",
        calls::set_issuer(&issuer.principal(), &issuer.secret_key.public_key(), true).unwrap(),
    )
    .await;
    let until = tip(server).await + 1_000;
    run(
        server,
        "wallet_3",
        calls::verify_doctor(&doctor.principal(), until).unwrap(),
    )
    .await;
}

/// A heart-rate Observation, with `subject` naming the principal when given.
pub fn observation(value: f64, subject: Option<&str>) -> Value {
    let mut o = json!({
        "resourceType": "Observation",
        "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "8867-4", "display": "Heart rate" }] },
        "valueQuantity": { "value": value, "unit": "beats/minute", "system": "http://unitsofmeasure.org", "code": "/min" },
    });
    if let Some(p) = subject {
        o["subject"] = json!({ "identifier": { "system": PRINCIPAL_SYSTEM, "value": p } });
    }
    o
}

/// `guardian` becomes an accepted guardian of `patient` (proposed, then accepted).
pub async fn make_guardian(server: &Server, patient: &str, guardian: &str) {
    run(
        server,
        patient,
        calls::set_guardian(&principal(guardian), true).unwrap(),
    )
    .await;
    run(
        server,
        guardian,
        calls::accept_guardian(&principal(patient)).unwrap(),
    )
    .await;
}

/// The nonce `who` will use next: how many transactions it ever sent (a refusal that
/// signed nothing leaves it as it was).
pub async fn sent(server: &Server, who: &str) -> u64 {
    server
        .client
        .node()
        .next_nonce(&principal(who))
        .await
        .unwrap()
}

/// `wallet_1` a patient with `wallet_5` its accepted guardian; `wallet_2` a verified
/// doctor (issuer `wallet_3`); `wallet_4` a stranger.
pub async fn with_guardian() -> Server {
    let server = start_with(&["wallet_1", "wallet_2", "wallet_3", "wallet_4", "wallet_5"]).await;
    register_people(&server).await;
    make_guardian(&server, "wallet_1", "wallet_5").await;
    server
}
