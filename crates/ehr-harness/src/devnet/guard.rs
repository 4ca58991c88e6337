//! Who may drive the control routes (`/devnet/...`): requests addressed to this node by
//! a loopback name (so a DNS name rebound to 127.0.0.1 does not pass), sent by no web
//! page or by a page this node served (same origin), and, for a POST, with a JSON body,
//! which a cross-site form cannot send and a cross-site `fetch` cannot send without a
//! CORS preflight (which these routes do not grant). Refusals are 403 or 415 with a JSON
//! error.

use std::net::SocketAddr;

use axum::extract::{Request, State};
use axum::http::uri::Authority;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The loopback names a developer's tools use for the node.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// The middleware: passes the request on, or refuses it.
pub(crate) async fn control_routes(
    State(bound): State<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match check(request.method(), request.headers(), bound) {
        Ok(()) => next.run(request).await,
        Err((status, message)) => (status, Json(json!({ "error": message }))).into_response(),
    }
}

fn check(
    method: &Method,
    headers: &HeaderMap,
    bound: SocketAddr,
) -> Result<(), (StatusCode, String)> {
    let forbidden = |message: String| (StatusCode::FORBIDDEN, message);
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| forbidden("the control routes need a Host header".into()))?;
    if !is_this_node(host, bound.port()) {
        return Err(forbidden(format!(
            "the control routes answer only requests to this node by a loopback name \
             (localhost:{port} or 127.0.0.1:{port}), not to `{host}`",
            port = bound.port()
        )));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let same = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|o| o.eq_ignore_ascii_case(host));
        if !same {
            return Err(forbidden(format!(
                "the control routes do not answer requests from other web pages (Origin `{}`)",
                origin.to_str().unwrap_or("?")
            )));
        }
    }
    if method == Method::POST && !is_json(headers) {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the control routes take a JSON body: send Content-Type: application/json".into(),
        ));
    }
    Ok(())
}

/// True when `host` (a Host header) names this node: a loopback name and its port.
fn is_this_node(host: &str, port: u16) -> bool {
    let Ok(authority) = host.parse::<Authority>() else {
        return false;
    };
    LOOPBACK_NAMES
        .iter()
        .any(|name| authority.host().eq_ignore_ascii_case(name))
        && authority.port_u16().unwrap_or(80) == port
}

/// True when the body is declared JSON (`application/json`, parameters allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::is_this_node;

    #[test]
    fn only_loopback_names_with_the_nodes_port_are_this_node() {
        assert!(is_this_node("127.0.0.1:3999", 3999));
        assert!(is_this_node("localhost:3999", 3999));
        assert!(is_this_node("LOCALHOST:3999", 3999));
        assert!(is_this_node("[::1]:3999", 3999));
        assert!(!is_this_node("localhost:4000", 3999));
        assert!(!is_this_node("localhost", 3999));
        assert!(!is_this_node("evil.example:3999", 3999));
        assert!(!is_this_node("127.0.0.1.evil.example:3999", 3999));
        assert!(!is_this_node("", 3999));
    }
}
