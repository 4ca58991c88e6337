//! The HTTP server loop of the project's two servers (the devnet node and `ehr serve`),
//! with the limits a server on a developer's or a clinic's machine needs against hostile
//! local traffic, all from hyper / hyper-util / tower-http settings:
//!
//! - at most [`Limits::max_connections`] connections at once; the rest wait in the
//!   listen queue until one closes (a few hundred silent sockets cannot lock everyone
//!   out: each is closed after the header-read timeout);
//! - a connection that sends no complete request head within
//!   [`Limits::header_read_timeout`] of opening, or of its last answer (an idle
//!   keep-alive connection), is closed;
//! - a request body that has not fully arrived [`Limits::body_timeout`] after its head is
//!   refused (408);
//! - request heads larger than [`Limits::max_head`] are refused.
//!
//! ```no_run
//! # async fn demo(app: axum::Router) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! tokio::spawn(ehr_http::serve(listener, app, ehr_http::Limits::default(), async {
//!     let _ = stopped.await;
//! }));
//! # drop(stop); Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::timeout::RequestBodyTimeout;

/// The limits of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once.
    pub max_connections: usize,
    /// Time to receive a complete request head, from opening or from the last answer.
    pub header_read_timeout: Duration,
    /// Time for a request body to arrive after its head.
    pub body_timeout: Duration,
    /// The largest request head (request line and headers), in bytes.
    pub max_head: usize,
}

impl Default for Limits {
    /// 256 connections, 2 s to send a request head (and keep-alive idle), 30 s for a body,
    /// 64 KiB heads.
    fn default() -> Self {
        Limits {
            max_connections: 256,
            header_read_timeout: Duration::from_secs(2),
            body_timeout: Duration::from_secs(30),
            max_head: 64 * 1024,
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then shuts the
/// open connections down gracefully (idle ones close, requests in flight finish).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) {
    let service = TowerToHyperService::new(RequestBodyTimeout::new(app, limits.body_timeout));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_head);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let connections = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        let Ok(slot) = slot else { break };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors or memory: wait for connections to close.
                    eprintln!("http: accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let connection =
            connections.watch(http.serve_connection(TokioIo::new(stream), service.clone()));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    connections.shutdown().await;
}
