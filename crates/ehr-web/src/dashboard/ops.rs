//! Operations: what a form submission started, and the transactions it sent.
//!
//! A POST handler starts an operation that runs on its own task: it signs and
//! broadcasts its transactions, records each txid at once (pending), then follows it to
//! mined or failed. The handler waits a little for it (on the devnet a block comes within
//! milliseconds) and redirects to `/op/{id}`, which shows the operation's state, every
//! transaction with its state, and the outcome or the contract's refusal in words; while
//! anything is pending the page reloads itself every two seconds (a `<meta>` refresh, so
//! no script is needed).
//!
//! Operations are kept in memory ([`AppState`]'s [`Ops`]), the newest [`KEEP`] of them;
//! their ids are random, so one cannot be guessed. An operation's work runs under its
//! account's write lock ([`AppState::serialized`]), the one FHIR writes take too, so a
//! form and an API call for one account never race for a nonce.

use crate::dashboard::i18n::{sdk, Lang, Msg, Text};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ehr_sdk::ehr::preflight::{self, PreflightError};
use ehr_sdk::ehr::records::{RecordError, Written};
use ehr_sdk::ehr::{ClientError, ContractCall, Mined, SendOptions};
use ehr_sdk::node::NodeError;
use rand_core::RngCore as _;

use super::views::{self, Frame};
use super::Ctx;
use super::{Page, PageError};
use crate::state::{AppState, Identity};

/// How many operations are remembered.
pub const KEEP: usize = 512;
/// How long a POST waits for its operation before redirecting anyway.
pub const WAIT: Duration = Duration::from_secs(20);

/// Where an operation or a transaction stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Still running / in the mempool.
    Pending,
    /// Finished: every transaction mined with `(ok ...)` (for a transaction: its block).
    Mined(u64),
    /// Mined, in this block or an earlier one (a transaction the SDK sent and followed
    /// as part of a longer write).
    MinedBy(u64),
    /// Failed: the reason in words.
    Failed(Text),
}

/// One transaction of an operation.
#[derive(Debug, Clone)]
pub struct Tx {
    /// `0x...`.
    pub txid: String,
    /// `contract.function`.
    pub function: String,
    /// Its state.
    pub status: Status,
}

/// An operation started by a form.
#[derive(Debug, Clone)]
pub struct Op {
    /// Its random id.
    pub id: String,
    /// The account it acts as (name).
    pub account: String,
    /// What it does, in words (rendered in the language of whoever opens its page).
    pub title: Text,
    /// Pending while running; `Mined(0)` when done; `Failed` with the reason.
    pub status: Status,
    /// Its transactions, in the order sent.
    pub txs: Vec<Tx>,
    /// The outcome in words, once done (rendered like the title).
    pub message: Option<Text>,
    /// The page to go on to.
    pub back: String,
    /// A record whose view was logged on chain by this operation (a grantee may then
    /// decrypt it once, from the redirect).
    pub viewed: Option<u64>,
    /// When it started.
    pub started: Instant,
}

type Shared = Arc<Mutex<Op>>;

/// The operations a server remembers, oldest first.
#[derive(Default)]
pub struct Ops(Mutex<VecDeque<Shared>>);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A snapshot of operation `id`.
pub fn get(state: &AppState, id: &str) -> Option<Op> {
    lock(&state.ops.0)
        .iter()
        .find(|o| lock(o).id == id)
        .map(|o| lock(o).clone())
}

/// What an operation's work uses to send transactions and note its results.
#[derive(Clone)]
pub struct Handle {
    op: Shared,
    /// The server state.
    pub state: Arc<AppState>,
    /// The account it acts as.
    pub me: Identity,
}

impl Handle {
    /// Signs `call` as the acting account, broadcasts it (noting its txid as pending),
    /// and waits until it is mined; a refusal comes back in words, and a call the
    /// contract would refuse (`ehr_sdk::ehr::preflight::call`) is not signed.
    pub async fn call(&self, call: &ContractCall) -> Result<Mined, Text> {
        let client = &self.state.client;
        // Whatever the form checked before the operation started, a call the contract
        // would refuse is not signed: this also covers calls whose arguments the
        // operation computes (an expiry from the tip, a record's next version).
        preflight::call(client, &self.me.principal(), call)
            .await
            .map_err(|e| match e {
                PreflightError::Refused(r) => sdk::refusal(&r, Some(&self.me.name)),
                PreflightError::Client(e) => sdk::client(&e),
            })?;
        self.send(call).await
    }

    /// [`Handle::call`] without the check: for a call checked just before its operation
    /// started ([`one_call`]).
    async fn send(&self, call: &ContractCall) -> Result<Mined, Text> {
        let client = &self.state.client;
        let sent = client
            .send(self.me.key(), call, &SendOptions::default())
            .await
            .map_err(|e| {
                Text::new(Msg::OpNotSent)
                    .with("function", call.spec().qualified_name())
                    .with_text("why", sdk::client(&e))
            })?;
        let index = {
            let mut op = lock(&self.op);
            op.txs.push(Tx {
                txid: format!("0x{}", sent.txid),
                function: sent.function.clone(),
                status: Status::Pending,
            });
            op.txs.len() - 1
        };
        let result = client.wait(&sent).await;
        let mut op = lock(&self.op);
        match result {
            Ok(mined) => {
                op.txs[index].status = Status::Mined(mined.block_height);
                Ok(mined)
            }
            Err(ClientError::Node(NodeError::WaitTimeout { .. })) => {
                Err(Text::new(Msg::OpNotMinedYet).with("txid", sent.txid))
            }
            Err(e) => {
                op.txs[index].status = Status::Failed(tx_failure(&e));
                Err(sdk::client(&e))
            }
        }
    }

    /// The chain tip's height now, or why the node did not tell.
    pub async fn tip(&self) -> Result<u64, Text> {
        let info = self.state.client.node().info().await;
        info.map(|i| i.stacks_tip_height)
            .map_err(|e| Text::new(Msg::SdkNode).with("detail", e))
    }

    /// Notes the transactions of a record written by the SDK (all mined).
    pub fn written(&self, w: &Written, function: &str) {
        let mut op = lock(&self.op);
        let last = w.txids.len().saturating_sub(1);
        for (i, txid) in w.txids.iter().enumerate() {
            op.txs.push(Tx {
                txid: txid.clone(),
                function: if i == 0 {
                    function.to_string()
                } else {
                    "ehr-storage.put-chunk".to_string()
                },
                status: if i == last {
                    Status::Mined(w.block_height)
                } else {
                    Status::MinedBy(w.block_height)
                },
            });
        }
    }

    /// Notes a mined transaction the SDK sent.
    pub fn mined(&self, m: &Mined) {
        lock(&self.op).txs.push(Tx {
            txid: format!("0x{}", m.sent.txid),
            function: m.sent.function.clone(),
            status: Status::Mined(m.block_height),
        });
    }

    /// Turns a record error into words, noting the failed transaction when there is one.
    pub fn record_failure(&self, e: &RecordError) -> Text {
        if let RecordError::Client(c) = e {
            self.client_failure(c)
        } else {
            sdk::record(e)
        }
    }

    /// Turns a client error into words, noting the failed transaction when there is one.
    pub fn client_failure(&self, e: &ClientError) -> Text {
        let txid = match e {
            ClientError::Refused { txid, function, .. }
            | ClientError::Aborted { txid, function, .. }
            | ClientError::Dropped { txid, function, .. } => {
                Some((format!("0x{txid}"), function.clone()))
            }
            _ => None,
        };
        if let Some((txid, function)) = txid {
            let mut op = lock(&self.op);
            if !op.txs.iter().any(|t| t.txid == txid) {
                op.txs.push(Tx {
                    txid,
                    function,
                    status: Status::Failed(tx_failure(e)),
                });
            }
        }
        sdk::client(e)
    }

    /// Marks the operation as having logged a view of `record`.
    pub fn viewed(&self, record: u64) {
        lock(&self.op).viewed = Some(record);
    }
}

/// The short reason a transaction failed, for its row.
fn tx_failure(e: &ClientError) -> Text {
    match e {
        ClientError::Refused { error, .. } => {
            Text::new(Msg::TxRefused).with_text("why", sdk::contract(*error))
        }
        ClientError::Aborted { detail, .. } => Text::new(Msg::TxRolledBack).with("why", detail),
        ClientError::Dropped { reason, .. } => {
            Text::new(Msg::TxDropped).with("why", format_args!("{reason:?}"))
        }
        other => sdk::client(other),
    }
}

/// Starts an operation running `work` as `me`, waits up to [`WAIT`] for it, and
/// redirects to its page (or, for a logged view that succeeded, to the record).
/// `work` returns the outcome in words, or why it failed; both, like `title`, are kept as
/// [`Text`]s and rendered in the language of whoever opens the operation's page.
pub async fn start<F, Fut>(
    state: &Arc<AppState>,
    me: &Identity,
    title: Text,
    back: &str,
    work: F,
) -> Response
where
    F: FnOnce(Handle) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Text, Text>> + Send + 'static,
{
    let mut raw = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut raw);
    let id = hex::encode(raw);
    let op = Arc::new(Mutex::new(Op {
        id: id.clone(),
        account: me.name.clone(),
        title,
        status: Status::Pending,
        txs: Vec::new(),
        message: None,
        back: back.to_string(),
        viewed: None,
        started: Instant::now(),
    }));
    {
        let mut ops = lock(&state.ops.0);
        ops.push_back(op.clone());
        while ops.len() > KEEP {
            ops.pop_front();
        }
    }
    let handle = Handle {
        op: op.clone(),
        state: state.clone(),
        me: me.clone(),
    };
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let (state_for_work, me_for_work) = (state.clone(), me.clone());
    tokio::spawn(async move {
        let outcome = state_for_work.serialized(&me_for_work, work(handle)).await;
        {
            let mut o = lock(&op);
            match outcome {
                Ok(message) => {
                    o.status = Status::Mined(0);
                    o.message = Some(message);
                }
                Err(reason) => {
                    o.status = Status::Failed(reason.clone());
                    o.message = Some(reason);
                }
            }
        }
        let _ = done_tx.send(());
    });
    let _ = tokio::time::timeout(WAIT, done_rx).await;
    let target = match get(state, &id) {
        Some(Op {
            status: Status::Mined(_),
            viewed: Some(record),
            ..
        }) => format!("/records/{record}/view?op={id}"),
        _ => format!("/op/{id}"),
    };
    Redirect::to(&target).into_response()
}

/// Starts an operation of one call (or, when the call could not be built or the contract
/// would refuse it, the error page saying why, with nothing signed: see
/// `ehr_sdk::ehr::preflight::call`); `done` says what happened.
pub(crate) async fn one_call(
    state: &Arc<AppState>,
    ctx: &Ctx,
    back: &str,
    title: Text,
    call: Result<ContractCall, ehr_sdk::ehr::calls::CallError>,
    done: impl FnOnce(&Mined) -> Text + Send + 'static,
) -> Result<Response, PageError> {
    let call = call.map_err(|e| PageError::BadRequest(sdk::call(&e)))?;
    preflight::call(&state.client, &ctx.principal(), &call)
        .await
        .map_err(|e| ctx.refused(e))?;
    Ok(start(state, &ctx.me, title, back, move |h| async move {
        // Checked above: the same reads again would only repeat them.
        let mined = h.send(&call).await?;
        Ok(done(&mined))
    })
    .await)
}

/// A transaction as its row shows it.
pub struct TxRow {
    /// `0x...`.
    pub txid: String,
    /// `contract.function`.
    pub function: String,
    /// The state's style: `pending`, `ok` or `failed`.
    pub class: &'static str,
    /// The state in a word.
    pub word: Msg,
    /// Where it was mined, or why it failed ("" when nothing more is known).
    pub detail: String,
}

impl TxRow {
    /// Transaction `t` as a row in `lang`.
    pub fn of(t: &Tx, lang: Lang) -> Self {
        let (class, word, detail) = match &t.status {
            Status::Pending => ("pending", Msg::TxPending, String::new()),
            Status::Mined(0) => ("ok", Msg::TxDone, String::new()),
            Status::Mined(block) => (
                "ok",
                Msg::TxMined,
                lang.f(Msg::TxInBlock, &[("block", block)]),
            ),
            Status::MinedBy(block) => (
                "ok",
                Msg::TxMined,
                lang.f(Msg::TxByBlock, &[("block", block)]),
            ),
            Status::Failed(why) => ("failed", Msg::TxFailed, why.render(lang)),
        };
        TxRow {
            txid: t.txid.clone(),
            function: t.function.clone(),
            class,
            word,
            detail,
        }
    }
}

/// The transactions of an operation, as a table (`tx_table.html`, included in the pages
/// that show them).
pub struct TxTable {
    /// Its rows.
    pub txs: Vec<TxRow>,
}

impl TxTable {
    /// The table of `op`'s transactions in `lang`.
    pub fn of(op: &Op, lang: Lang) -> Self {
        TxTable {
            txs: op.txs.iter().map(|t| TxRow::of(t, lang)).collect(),
        }
    }
}

/// The page of an operation.
#[derive(Template)]
#[template(path = "op.html")]
struct OpView<'a> {
    frame: Frame<'a>,
    title: &'a str,
    /// `info`, `ok` or `error`.
    kind: &'static str,
    /// `pending`, `done` or `failed` (for scripts and tests).
    state: &'static str,
    headline: Msg,
    message: &'a str,
    account: &'a str,
    seconds: u64,
    txs: Vec<TxRow>,
    /// A record the operation logged a view of, to open now.
    opened: Option<u64>,
    op_id: &'a str,
    back: &'a str,
}

/// `GET /op/{id}`: an operation's outcome.
pub(crate) async fn op_page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let Some(op) = get(&state, &id) else {
        return Err(PageError::NotFound(Msg::OpNotFound.into()));
    };
    let (kind, state, headline) = match &op.status {
        Status::Pending => ("info", "pending", Msg::OpPending),
        Status::Mined(_) | Status::MinedBy(_) => ("ok", "done", Msg::OpDone),
        Status::Failed(_) => ("error", "failed", Msg::OpFailed),
    };
    let refresh = matches!(op.status, Status::Pending).then_some(2);
    let title = op.title.render(ctx.lang);
    let message = op
        .message
        .as_ref()
        .map(|m| m.render(ctx.lang))
        .unwrap_or_default();
    let view = OpView {
        frame: ctx.frame(ctx.t(Msg::OpTitle), "", refresh),
        title: &title,
        kind,
        state,
        headline,
        message: &message,
        account: &op.account,
        seconds: op.started.elapsed().as_secs(),
        txs: TxTable::of(&op, ctx.lang).txs,
        opened: op.viewed.filter(|_| matches!(op.status, Status::Mined(_))),
        op_id: &op.id,
        back: &op.back,
    };
    views::respond(StatusCode::OK, &view)
}
