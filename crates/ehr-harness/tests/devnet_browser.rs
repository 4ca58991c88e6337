//! What a web page can do to a developer's devnet. The control routes (`/devnet/...`)
//! answer only requests addressed to the node by a loopback name (no DNS rebinding),
//! from no page or a page the node served itself, with a JSON body (which a cross-site
//! form or `fetch` cannot send without a preflight): anything else is refused with 403
//! or 415 and a JSON error, and changes nothing. The RPC routes answer CORS preflights
//! as a stacks-node does, so a browser app using stacks.js can talk to the devnet.

mod devnet_support;

use devnet_support::*;
use serde_json::{json, Value as Json};

async fn send(
    rpc: &Rpc,
    method: reqwest::Method,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, reqwest::header::HeaderMap, Json) {
    let mut request = rpc
        .http
        .request(method, format!("{}{path}", rpc.base))
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the node answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Json::String(text)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_requests_cannot_drive_the_control_routes() {
    let node = start_plain().await;
    let rpc = Rpc::new(&node);
    let port = node.addr().port();
    let height = rpc.height().await;
    let (_, dump) = rpc.get("/devnet/dump").await;
    let dump = dump.to_string();
    let post = reqwest::Method::POST;
    let evil = "https://evil.example";

    // A cross-site form post: text/plain, foreign Origin.
    for path in ["/devnet/mine", "/devnet/snapshot", "/devnet/load"] {
        let body = if path == "/devnet/load" { &dump } else { "{}" };
        let (status, _, answer) = send(
            &rpc,
            post.clone(),
            path,
            &[("content-type", "text/plain"), ("origin", evil)],
            body,
        )
        .await;
        assert!(
            status == 403 || status == 415,
            "{path}: cross-site text/plain answered {status}: {answer}"
        );
        assert!(
            answer["error"].is_string(),
            "{path}: a JSON error: {answer}"
        );
    }
    // JSON from a foreign page, or with no Origin but text/plain.
    let (status, _, answer) = send(
        &rpc,
        post.clone(),
        "/devnet/mine",
        &[("content-type", "application/json"), ("origin", evil)],
        "{}",
    )
    .await;
    assert_eq!(status, 403, "foreign Origin: {answer}");
    let (status, _, answer) = send(
        &rpc,
        post.clone(),
        "/devnet/mine",
        &[("content-type", "text/plain")],
        "{}",
    )
    .await;
    assert_eq!(status, 415, "text/plain: {answer}");
    let (status, _, answer) = send(&rpc, post.clone(), "/devnet/mine", &[], "").await;
    assert_eq!(status, 415, "no Content-Type: {answer}");
    // A page on a DNS name rebound to 127.0.0.1: the Host is not the node's.
    let rebound = format!("evil.example:{port}");
    let (status, _, answer) = send(
        &rpc,
        post.clone(),
        "/devnet/mine",
        &[("content-type", "application/json"), ("host", &rebound)],
        "{}",
    )
    .await;
    assert_eq!(status, 403, "foreign Host: {answer}");
    let (status, _, answer) = send(
        &rpc,
        reqwest::Method::GET,
        "/devnet/dump",
        &[("host", &rebound)],
        "",
    )
    .await;
    assert_eq!(status, 403, "foreign Host reading the dump: {answer}");
    // Nothing changed.
    assert_eq!(rpc.height().await, height);

    // The node's own clients: no Origin (curl, the SDK), or its own origin, by either
    // loopback name.
    let (status, _, answer) = send(
        &rpc,
        post.clone(),
        "/devnet/mine",
        &[("content-type", "application/json")],
        "{}",
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let own = format!("http://127.0.0.1:{port}");
    let (status, _, answer) = send(
        &rpc,
        post.clone(),
        "/devnet/mine",
        &[("content-type", "application/json"), ("origin", &own)],
        "",
    )
    .await;
    assert_eq!(status, 200, "same origin: {answer}");
    let localhost = format!("localhost:{port}");
    let (status, _, answer) = send(
        &rpc,
        post,
        "/devnet/mine",
        &[
            ("content-type", "application/json; charset=utf-8"),
            ("host", &localhost),
            ("origin", &format!("http://{localhost}")),
        ],
        "{}",
    )
    .await;
    assert_eq!(status, 200, "localhost, same origin: {answer}");
    assert_eq!(rpc.height().await, height + 3);
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_routes_answer_cors_preflights_as_a_stacks_node() {
    let node = start_plain().await;
    let rpc = Rpc::new(&node);
    let app = "http://localhost:5173";
    // stacks.js broadcasting: POST with a JSON body needs a preflight.
    let (status, headers, _) = send(
        &rpc,
        reqwest::Method::OPTIONS,
        "/v2/transactions",
        &[
            ("origin", app),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "content-type"),
        ],
        "",
    )
    .await;
    assert!((200..300).contains(&status), "preflight answered {status}");
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    assert_eq!(header("access-control-allow-origin"), "*");
    assert!(header("access-control-allow-methods").contains("post"));
    assert!(header("access-control-allow-headers").contains("content-type"));

    // The actual reads carry the header too.
    let (status, headers, _) = send(
        &rpc,
        reqwest::Method::GET,
        "/v2/info",
        &[("origin", app)],
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        headers
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some("*")
    );
    let (_, headers, _) = send(
        &rpc,
        reqwest::Method::POST,
        "/v2/transactions",
        &[("origin", app), ("content-type", "application/json")],
        &json!({ "tx": "00" }).to_string(),
    )
    .await;
    assert!(headers.contains_key("access-control-allow-origin"));

    // The control routes allow no other origin.
    let (_, headers, _) = send(
        &rpc,
        reqwest::Method::OPTIONS,
        "/devnet/mine",
        &[
            ("origin", app),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "content-type"),
        ],
        "",
    )
    .await;
    assert!(
        !headers.contains_key("access-control-allow-origin"),
        "{headers:?}"
    );
    node.shutdown().await;
}
