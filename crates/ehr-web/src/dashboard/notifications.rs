//! `/notifications`: the acting account's notifications, paged newest first, with mark-read;
//! `/notifications/events`: server-sent events the page script uses to update the unread
//! badge live (following the devnet's block stream, or polling other nodes);
//! `/notifications/poll`: a long poll, for browsers without `EventSource`, that updates the unread badge
//! live (it answers as soon as the notifications change, or after 20 s).

use crate::dashboard::i18n::{sdk, Lang, Msg, Text};
use std::sync::Arc;
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ehr_sdk::ehr::types::Notification;
use ehr_sdk::ehr::{calls, maps};

use super::views::{self, Frame, Link, Pager, Party};
use super::{field, newest_first_range, ops, page_number, pages_for};
use super::{Page, PageError, Params, Posted};
use crate::auth;
use crate::state::AppState;

/// Most notifications "mark all read" marks in one go (one transaction each).
const MAX_MARK: u64 = 25;
/// How long a poll waits for a change.
const POLL_WAIT: Duration = Duration::from_secs(20);

/// What a notification is about, in `lang`, as a link when there is a page for it.
fn about(n: &Notification, lang: Lang) -> Link {
    let r = n.reference;
    let words = |msg| lang.f(msg, &[("id", r)]);
    match n.kind.as_str() {
        "record-viewed" | "key-shared" | "record-added" | "record-amended" => {
            Link::to(format!("/records/{r}"), words(Msg::RefRecord))
        }
        "access-request" => Link::to("/access".into(), words(Msg::RefRequest)),
        "request-denied" => Link::text(words(Msg::RefRequest)),
        "access-granted" | "access-revoked" | "request-approved" | "emergency-access"
        | "access-returned" => Link::text(words(Msg::RefToken)),
        "doctor-verified" => Link::text(words(Msg::RefUntilBlock)),
        _ => Link::text(r.to_string()),
    }
}

/// A notification as its row shows it.
struct NotificationRow {
    index: u64,
    block: u64,
    kind: String,
    about: Link,
    actor: Party,
    read: bool,
}

/// `/notifications`.
#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsView<'a> {
    frame: Frame<'a>,
    unread: u64,
    count: u64,
    max_mark: u64,
    /// The mark-read form's action (with the CSRF token).
    read_action: String,
    rows: Vec<NotificationRow>,
    pager: Pager,
}

/// `GET /notifications?page=`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let Some((unread, count)) = ctx.notifications else {
        return Err(PageError::Upstream(Msg::NotificationsUnreadable.into()));
    };
    let pages = pages_for(count);
    let page = page_number(&q, "page", pages, 1);
    let (lo, hi) = newest_first_range(count, page);
    let me = ctx.principal();
    let indexes: Vec<u64> = (lo..hi).rev().collect();
    let c = &state.client;
    let items = maps::read_each(&indexes, |i| maps::notification(c, &me, i)).await?;
    let rows = items
        .into_iter()
        .flatten()
        .map(|n| NotificationRow {
            index: n.index,
            block: n.block,
            about: about(&n, ctx.lang),
            actor: ctx.party(&n.actor),
            kind: n.kind,
            read: n.read,
        })
        .collect();
    let view = NotificationsView {
        frame: ctx.frame(ctx.t(Msg::NotifTitle), "/notifications", None),
        unread,
        count,
        max_mark: MAX_MARK,
        read_action: views::action("/notifications/read", &ctx.csrf),
        rows,
        pager: Pager {
            base: "/notifications".into(),
            param: "page",
            page,
            pages,
        },
    };
    views::respond(StatusCode::OK, &view)
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
            Msg::OpMarkAllRead.into(),
            "/notifications",
            move |h| async move {
                let me = h.me.principal();
                let c = h.state.client.clone();
                let count = c
                    .get_notification_count(&me)
                    .await
                    .map_err(|e| sdk::client(&e))?;
                let mut marked = 0;
                for index in (0..count).rev() {
                    if marked >= MAX_MARK {
                        break;
                    }
                    match c.get_notification(&me, index).await {
                        Ok(Some(n)) if !n.read => {
                            let call = calls::mark_read(index).map_err(|e| sdk::call(&e))?;
                            h.call(&call).await?;
                            marked += 1;
                        }
                        Ok(_) => {}
                        Err(e) => return Err(sdk::client(&e)),
                    }
                }
                Ok(Text::count(Msg::MarkedRead, marked))
            },
        )
        .await);
    }
    let index =
        super::number(&fields, "index", Msg::FieldNotification).map_err(PageError::BadRequest)?;
    let call = calls::mark_read(index).map_err(|e| PageError::BadRequest(sdk::call(&e)))?;
    Ok(ops::start(
        &state,
        &ctx.me,
        Text::new(Msg::OpMarkRead).with("index", index),
        "/notifications",
        move |h| async move {
            h.call(&call).await?;
            Ok(Text::new(Msg::MarkReadDone).with("index", index))
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
        // Read by the page's script, not a person: in English, like the JSON below.
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
        // Read by the page's script, not a person: in English, like the JSON below.
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
