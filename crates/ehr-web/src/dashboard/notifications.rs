//! `/notifications`: the acting account's notifications, paged newest first, with mark-read;
//! `/notifications/events`: server-sent events the page script uses to update the unread
//! badge live (following the devnet's block stream, or polling other nodes);
//! `/notifications/poll`: a long poll, for browsers without `EventSource`, that updates the unread badge
//! live (it answers as soon as the notifications change, or after 20 s).

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ehr_sdk::ehr::types::Notification;
use ehr_sdk::ehr::{calls, maps};

use super::{field, newest_first_range, ops, page_number, pages_for};
use super::{Page, PageError, Params, Posted};
use crate::auth;
use crate::html;
use crate::state::AppState;

/// Most notifications "mark all read" marks in one go (one transaction each).
const MAX_MARK: u64 = 25;
/// How long a poll waits for a change.
const POLL_WAIT: Duration = Duration::from_secs(20);

/// What a notification is about, as a link.
fn about(n: &Notification) -> String {
    let r = n.reference;
    match n.kind.as_str() {
        "record-viewed" | "key-shared" | "record-added" | "record-amended" => {
            format!("<a href=\"/records/{r}\">record #{r}</a>")
        }
        "access-request" => format!("<a href=\"/access\">request #{r}</a>"),
        "request-denied" => format!("request #{r}"),
        "access-granted" | "access-revoked" | "request-approved" | "emergency-access"
        | "access-returned" => {
            format!("token #{r}")
        }
        "doctor-verified" => format!("until block {r}"),
        _ => r.to_string(),
    }
}

/// `GET /notifications?page=`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let Some((unread, count)) = ctx.notifications else {
        return Err(PageError::Upstream(
            "the notifications could not be read from the node".into(),
        ));
    };
    let pages = pages_for(count);
    let page = page_number(&q, "page", pages, 1);
    let (lo, hi) = newest_first_range(count, page);
    let me = ctx.principal();
    let indexes: Vec<u64> = (lo..hi).rev().collect();
    let c = &state.client;
    let items = match maps::read_each(&indexes, |i| maps::notification(c, &me, i)).await {
        Ok(items) => items,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let mut rows = Vec::new();
    for n in items.into_iter().flatten() {
        rows.push(vec![
            n.index.to_string(),
            n.block.to_string(),
            html::escape(&n.kind),
            about(&n),
            ctx.who_cell(&n.actor),
            if n.read {
                "read".into()
            } else {
                format!(
                    "<strong>unread</strong> {}",
                    html::button_form(
                        "/notifications/read",
                        &ctx.csrf,
                        &[("index", n.index.to_string())],
                        "Mark read",
                        ""
                    )
                )
            },
        ]);
    }
    let mut body = String::new();
    let _ = write!(
        body,
        "<p><span data-unread-text>{unread}</span> unread of {count}. New notifications appear here as they arrive.</p>"
    );
    if unread > 0 {
        body.push_str(&html::button_form(
            "/notifications/read",
            &ctx.csrf,
            &[("all", "on".into())],
            &format!("Mark all read (up to {MAX_MARK})"),
            "",
        ));
    }
    body.push_str(&html::table(
        "Notifications, newest first",
        &["#", "Block", "What", "About", "From", "State"],
        &rows,
        "No notifications.",
    ));
    body.push_str(&html::pager("/notifications", "page", page, pages));
    ctx.render("Notifications", "/notifications", &body)
}

/// `POST /notifications/read`: `index`, or `all=on`.
pub async fn mark_read(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    if field(&fields, "all") == "on" {
        return Ok(ops::start(
            &state,
            &ctx.me,
            "Mark notifications read".into(),
            "/notifications",
            move |h| async move {
                let me = h.me.principal();
                let c = h.state.client.clone();
                let count = c
                    .get_notification_count(&me)
                    .await
                    .map_err(|e| e.to_string())?;
                let mut marked = 0;
                for index in (0..count).rev() {
                    if marked >= MAX_MARK {
                        break;
                    }
                    match c.get_notification(&me, index).await {
                        Ok(Some(n)) if !n.read => {
                            let call = calls::mark_read(index).map_err(|e| e.to_string())?;
                            h.call(&call).await?;
                            marked += 1;
                        }
                        Ok(_) => {}
                        Err(e) => return Err(e.to_string()),
                    }
                }
                Ok(format!(
                    "{marked} notification{} marked read.",
                    if marked == 1 { "" } else { "s" }
                ))
            },
        )
        .await);
    }
    let index = match super::number(&fields, "index", "notification") {
        Ok(i) => i,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let call = match calls::mark_read(index) {
        Ok(c) => c,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    Ok(ops::start(
        &state,
        &ctx.me,
        format!("Mark notification {index} read"),
        "/notifications",
        move |h| async move {
            h.call(&call).await?;
            Ok(format!("Notification {index} marked read."))
        },
    )
    .await)
}

/// `GET /notifications/poll?count=&unread=`: `{"count": n, "unread": n}` once either
/// differs from what the page has, or after 20 s.
pub async fn poll(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Params(q): Params,
) -> Response {
    let Some(me) = auth::acting(&state, &headers) else {
        return (StatusCode::BAD_REQUEST, "unknown account").into_response();
    };
    let me = me.principal();
    let known = |name: &str| q.get(name).and_then(|v| v.parse::<u64>().ok());
    let (known_count, known_unread) = (known("count"), known("unread"));
    let deadline = Instant::now() + POLL_WAIT;
    loop {
        let (count, unread) = tokio::join!(
            state.client.get_notification_count(&me),
            state.client.get_unread_count(&me)
        );
        let (count, unread) = match (count, unread) {
            (Ok(c), Ok(u)) => (c, u),
            (Err(e), _) | (_, Err(e)) => {
                return (
                    StatusCode::BAD_GATEWAY,
                    [(header::CONTENT_TYPE, "application/json")],
                    serde_json::json!({ "error": e.to_string() }).to_string(),
                )
                    .into_response()
            }
        };
        if Some(count) != known_count || Some(unread) != known_unread || Instant::now() >= deadline
        {
            let body = serde_json::json!({ "count": count, "unread": unread }).to_string();
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response();
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
}

/// Where the inbox stream learns that a block was mined: the devnet's own block stream,
/// or a timer on other nodes.
enum Wake {
    /// `GET <node>/devnet/events`: any data means a new block.
    Devnet(reqwest::Response),
    /// Poll every few seconds.
    Timer,
}

impl Wake {
    async fn connect(state: &AppState) -> Wake {
        if state.client.network() != ehr_sdk::network::Network::Devnet {
            return Wake::Timer;
        }
        let url = format!(
            "{}/devnet/events",
            state.client.node().node_url().trim_end_matches('/')
        );
        match reqwest::Client::new().get(url).send().await {
            Ok(r) if r.status().is_success() => Wake::Devnet(r),
            _ => Wake::Timer,
        }
    }

    async fn next(&mut self) {
        match self {
            Wake::Devnet(response) => {
                match tokio::time::timeout(POLL_WAIT, response.chunk()).await {
                    Ok(Ok(Some(_))) | Err(_) => {}
                    // The stream ended: fall back to polling.
                    Ok(Ok(None)) | Ok(Err(_)) => *self = Wake::Timer,
                }
            }
            Wake::Timer => tokio::time::sleep(Duration::from_secs(3)).await,
        }
    }
}

/// `GET /notifications/events`: server-sent events for the acting account's notifications. An
/// `inbox` event `{"count": n, "unread": n}` is sent at once and then whenever either
/// changes; the server looks again on every block of the devnet's stream, or every few
/// seconds on other nodes.
pub async fn events(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some(me) = auth::acting(&state, &headers) else {
        return (StatusCode::BAD_REQUEST, "unknown account").into_response();
    };
    let me = me.principal();
    let wake = Wake::connect(&state).await;
    let stream = futures_util::stream::unfold(
        (state, me, wake, None::<(u64, u64)>),
        |(state, me, mut wake, last)| async move {
            loop {
                if last.is_some() {
                    wake.next().await;
                }
                let (count, unread) = tokio::join!(
                    state.client.get_notification_count(&me),
                    state.client.get_unread_count(&me)
                );
                let now = match (count, unread) {
                    (Ok(c), Ok(u)) => (c, u),
                    // The node is away: end the stream; the browser reconnects.
                    _ => return None,
                };
                if Some(now) != last {
                    let data = serde_json::json!({ "count": now.0, "unread": now.1 }).to_string();
                    let event = axum::response::sse::Event::default()
                        .event("inbox")
                        .data(data);
                    return Some((
                        Ok::<_, std::convert::Infallible>(event),
                        (state, me, wake, Some(now)),
                    ));
                }
            }
        },
    );
    axum::response::sse::Sse::new(stream)
        .keep_alive(axum::response::sse::KeepAlive::default())
        .into_response()
}
