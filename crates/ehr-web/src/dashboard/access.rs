//! `/access`: the patient's grants (access tokens) with scope, record type, expiry and
//! state, paged newest first; grant (and share the record keys with the grantee) and
//! revoke; access requests with approve and deny.

use crate::dashboard::i18n::{sdk, Lang, Msg, Text};
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::listing::{self, PatientIndex, Side};
use ehr_sdk::ehr::preflight;
use ehr_sdk::ehr::records::BlobStore;
use ehr_sdk::ehr::revoke::{self, AfterRevoke};
use ehr_sdk::ehr::types::{Request, RequestStatus, Scope, Token, TokenState};
use ehr_sdk::ehr::{calls, ClientError, SendOptions};

use super::records::share_one;
use super::views::{self, Frame, Pager, Party, StateWord};
use super::{
    field, field_error, newest_first_range, number, ops, page_number, pages_for, scope_of, Ctx,
};
use super::{Page, PageError, Params, Posted};
use crate::state::AppState;

/// Most record keys one grant shares at once (the rest from each record's page).
pub const MAX_SHARES: usize = 50;

/// A token's state and kind in words, in `lang`.
pub fn token_state(t: &Token, tip: u64, lang: Lang) -> StateWord {
    let (class, word) = match t.state_at(tip + 1) {
        TokenState::Active => ("ok", Msg::TokenActive),
        TokenState::Expired => ("pending", Msg::TokenExpired),
        TokenState::Revoked => ("failed", Msg::TokenRevoked),
    };
    StateWord {
        class,
        word: lang.t(word).to_string(),
        note: if t.emergency {
            lang.t(Msg::TokenEmergencyNote)
        } else {
            ""
        }
        .into(),
    }
}

/// A scope's words (`read`, `share`...), for [`Text::with_words`].
pub fn scope_msgs(scope: Scope) -> Vec<Msg> {
    [
        (Scope::READ, Msg::ScopeRead),
        (Scope::WRITE, Msg::ScopeWrite),
        (Scope::SHARE, Msg::ScopeShare),
    ]
    .into_iter()
    .filter(|(bit, _)| scope.contains(*bit))
    .map(|(_, word)| word)
    .collect()
}

/// A scope as the pages show it, in `lang`: `read,share` / `lecture,partage`.
pub fn scope_text(scope: Scope, lang: Lang) -> String {
    scope_msgs(scope)
        .into_iter()
        .map(|word| lang.t(word))
        .collect::<Vec<_>>()
        .join(",")
}

/// The record type a token reaches, in `lang` ("all" when it names none).
pub fn type_text(record_type: Option<&str>, lang: Lang) -> String {
    record_type.unwrap_or(lang.t(Msg::AllTypes)).to_string()
}

/// The ids on page `page` (1 = newest) of `ids` (ascending), newest first.
pub fn page_of(ids: &[u64], page: u64) -> Vec<u64> {
    let count = ids.len() as u64;
    let (lo, hi) = super::newest_first_range(count, page);
    ids[lo as usize..hi as usize]
        .iter()
        .rev()
        .copied()
        .collect()
}

/// `GET /access?for=&page=&rpage=`: the acting account's grants and requests, or (`for`)
/// those of a patient it is a guardian of.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let ward = ctx
        .ward(q.get("for").map(String::as_str).unwrap_or(""))
        .await?;
    let me = ward.clone().unwrap_or_else(|| ctx.principal());
    let c = state.client.clone();
    let tip = ctx.tip.unwrap_or(0);
    // Only this page's rows are read: the patient's indexes list each token and request
    // once, oldest first.
    let counts = async {
        Ok::<_, ClientError>((
            listing::patient_count(&c, &me, PatientIndex::Tokens).await?,
            listing::patient_count(&c, &me, PatientIndex::Requests).await?,
        ))
    };
    let (counts, registered) = tokio::join!(counts, c.is_registered(&me));
    let (token_count, request_count) = counts?;
    let newest_first = |index, page| {
        let (lo, hi) = newest_first_range(
            match index {
                PatientIndex::Tokens => token_count,
                PatientIndex::Requests => request_count,
            },
            page,
        );
        let c = &c;
        let me = &me;
        async move {
            let mut ids = listing::patient_ids_at(c, me, index, lo, hi).await?;
            ids.reverse();
            Ok::<_, PageError>(ids)
        }
    };
    // Grants.
    let pages = pages_for(token_count);
    let page = page_number(&q, "page", pages, 1);
    let shown = newest_first(PatientIndex::Tokens, page).await?;
    let grants = listing::tokens_by_id(&c, &shown, &me, Side::Patient)
        .await?
        .iter()
        .map(|t| GrantRow {
            id: t.id,
            grantee: ctx.party(&t.grantee),
            scope: scope_text(t.scope, ctx.lang),
            record_type: type_text(t.record_type.as_deref(), ctx.lang),
            expires_at: t.expires_at,
            expires_when: ctx.when(t.expires_at),
            state: token_state(t, tip, ctx.lang),
            revocable: !t.revoked,
            handable: ward.is_none() && !t.revoked && t.expires_at > tip && t.grantee == me,
        })
        .collect();

    // Requests.
    let rpages = pages_for(request_count);
    let rpage = page_number(&q, "rpage", rpages, 1);
    let shown = newest_first(PatientIndex::Requests, rpage).await?;
    let request_rows: Vec<RequestRow> = listing::requests_by_id(&c, &shown)
        .await?
        .iter()
        .map(|r| request_row(&ctx, r))
        .collect();
    let base = back_to(&ward);
    let view = AccessView {
        frame: ctx.frame(
            ctx.t(if ward.is_some() {
                Msg::AccessTitleWard
            } else {
                Msg::AccessTitle
            }),
            "/access",
            None,
        ),
        ward: ward.as_ref().map(|p| ctx.party(p)),
        registered: registered.unwrap_or(false),
        token_count,
        grants,
        grant_pager: Pager {
            base: base.clone(),
            param: "page",
            page,
            pages,
        },
        request_count,
        pending: request_rows.iter().filter(|r| r.pending).count(),
        requests: request_rows,
        request_pager: Pager {
            base,
            param: "rpage",
            page: rpage,
            pages: rpages,
        },
        revoke_action: views::action("/access/revoke", &ctx.csrf),
        create_action: views::action("/access/create-token", &ctx.csrf),
        hand_over_action: views::action("/access/hand-over", &ctx.csrf),
        grant_action: views::action("/access/grant", &ctx.csrf),
        approve_action: views::action("/access/approve", &ctx.csrf),
        deny_action: views::action("/access/deny", &ctx.csrf),
    };
    views::respond(StatusCode::OK, &view)
}

/// `GET /access/who`: who can see the patient's records now, in plain words.
pub async fn who(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let me = ctx.principal();
    let c = &state.client;
    let tip = ctx.tip.unwrap_or(0);
    let (count, guardians) = tokio::join!(
        listing::patient_count(c, &me, PatientIndex::Tokens),
        c.get_guardians(&me)
    );
    // One page of the patient's token index at a time (newest first), as on `/access`:
    // the page reads its 25 tokens, never the whole list, and shows those live now.
    let count = count?;
    let pages = pages_for(count);
    let page = page_number(&q, "page", pages, 1);
    let (lo, hi) = newest_first_range(count, page);
    let mut ids = listing::patient_ids_at(c, &me, PatientIndex::Tokens, lo, hi).await?;
    ids.reverse();
    let people = listing::tokens_by_id(c, &ids, &me, Side::Patient)
        .await?
        .iter()
        .filter(|t| t.state_at(tip + 1) == TokenState::Active)
        .map(|t| Reader {
            grantee: ctx.party(&t.grantee),
            can: scope_words(t.scope, ctx.lang),
            what: match &t.record_type {
                Some(kind) => ctx.lang.f(Msg::WhoYourTypeRecords, &[("kind", kind)]),
                None => ctx.t(Msg::WhoAllYourRecords).to_string(),
            },
            until: t.expires_at,
            until_when: ctx.when(t.expires_at),
            emergency: t.emergency,
            token: t.id,
        })
        .collect();
    let view = WhoView {
        frame: ctx.frame(ctx.t(Msg::WhoTitle), "/access", None),
        guardians: guardians.map(|g| g.len()).unwrap_or(0),
        people,
        pager: Pager {
            base: "/access/who".to_string(),
            param: "page",
            page,
            pages,
        },
    };
    views::respond(StatusCode::OK, &view)
}

/// A scope in words: `read`, `read and add to`, `read, add to and share`.
fn scope_words(scope: Scope, lang: Lang) -> String {
    let mut verbs = Vec::new();
    for (bit, verb) in [
        (Scope::READ, Msg::VerbRead),
        (Scope::WRITE, Msg::VerbAddTo),
        (Scope::SHARE, Msg::VerbShare),
    ] {
        if scope.contains(bit) {
            verbs.push(lang.t(verb));
        }
    }
    match verbs.as_slice() {
        [] => lang.t(Msg::VerbHold).to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), lang.t(Msg::ListAnd)),
    }
}

/// Someone who can see the patient's records now.
struct Reader {
    grantee: Party,
    /// What it may do, in words.
    can: String,
    /// Which records, in words.
    what: String,
    until: u64,
    until_when: Option<String>,
    emergency: bool,
    token: u64,
}

/// `/access/who`.
#[derive(Template)]
#[template(path = "who.html")]
struct WhoView<'a> {
    frame: Frame<'a>,
    /// How many guardians act for the patient.
    guardians: usize,
    people: Vec<Reader>,
    pager: Pager,
}

/// A grant as its row shows it.
struct GrantRow {
    id: u64,
    grantee: Party,
    scope: String,
    record_type: String,
    expires_at: u64,
    /// The expiry as an approximate date.
    expires_when: Option<String>,
    state: StateWord,
    revocable: bool,
    /// A live token the patient still holds itself (made with create-token): it can be
    /// handed over.
    handable: bool,
}

/// A request as its row shows it.
struct RequestRow {
    id: u64,
    requester: Party,
    scope: String,
    duration: u64,
    reason: String,
    state: StateWord,
    pending: bool,
}

/// `/access`.
#[derive(Template)]
#[template(path = "access.html")]
struct AccessView<'a> {
    frame: Frame<'a>,
    /// The patient the acting account acts for as its guardian, if not itself.
    ward: Option<Party>,
    /// Whether the acting account is a registered patient.
    registered: bool,
    token_count: u64,
    grants: Vec<GrantRow>,
    grant_pager: Pager,
    request_count: u64,
    /// Pending requests on this page.
    pending: usize,
    requests: Vec<RequestRow>,
    request_pager: Pager,
    revoke_action: String,
    create_action: String,
    hand_over_action: String,
    grant_action: String,
    approve_action: String,
    deny_action: String,
}

fn request_row(ctx: &Ctx, r: &Request) -> RequestRow {
    let state = match r.status {
        RequestStatus::Pending => StateWord::new("pending", ctx.t(Msg::RequestPending)),
        RequestStatus::Approved => StateWord {
            note: r
                .token_id
                .map(|t| ctx.lang.f(Msg::RequestTokenNote, &[("token", t)]))
                .unwrap_or_default(),
            ..StateWord::new("ok", ctx.t(Msg::RequestApproved))
        },
        RequestStatus::Denied => StateWord::new("failed", ctx.t(Msg::RequestDenied)),
    };
    RequestRow {
        id: r.id,
        requester: ctx.party(&r.requester),
        scope: scope_text(r.scope, ctx.lang),
        duration: r.duration,
        reason: r.reason.clone(),
        state,
        pending: r.status == RequestStatus::Pending,
    }
}

/// Shares the keys of `patient`'s latest records (of `record_type`, if given) that
/// `grantee` holds no envelope for, at most [`MAX_SHARES`]
/// ([`listing::unshared_latest`]); returns how many were shared and how many were left.
pub async fn share_latest(
    h: &ops::Handle,
    patient: &PrincipalData,
    grantee: &PrincipalData,
    record_type: Option<&str>,
) -> Result<(usize, usize), Text> {
    let (todo, left) =
        listing::unshared_latest(&h.state.client, patient, grantee, record_type, MAX_SHARES)
            .await
            .map_err(|e| sdk::client(&e))?;
    for &id in &todo {
        share_one(h, id, grantee).await?;
    }
    Ok((todo.len(), left))
}

/// Where a form returns: the access page, of the ward when acting for one.
fn back_to(ward: &Option<PrincipalData>) -> String {
    super::about("/access", "for", ward.as_ref())
}

/// The patient of token `token`, once the acting account is checked to act for it (403
/// otherwise) and the token to be revocable still (422 when revoked already), before
/// anything is signed.
async fn token_patient(ctx: &Ctx, token: u64) -> Result<PrincipalData, PageError> {
    let t = preflight::token(&ctx.state.client, token)
        .await
        .map_err(|e| ctx.refused(e))?;
    ctx.may_act_for(&t.patient).await?;
    preflight::revocable(&t).map_err(|e| ctx.refused(e))?;
    Ok(t.patient)
}

/// Request `request`, once the acting account is checked to act for its patient (403
/// otherwise), the request to be pending still (422 when decided already) and, for an
/// approval, its doctor verified still and not the acting account, before anything is
/// signed.
async fn checked_request(ctx: &Ctx, request: u64, approve: bool) -> Result<Request, PageError> {
    let r = preflight::request(&ctx.state.client, request)
        .await
        .map_err(|e| ctx.refused(e))?;
    preflight::decide(&ctx.state.client, &ctx.principal(), &r, approve)
        .await
        .map_err(|e| ctx.refused(e))?;
    Ok(r)
}

/// How many record keys a grant or an approval shared, and how many are left.
fn shared_words(shared: usize, left: usize) -> Text {
    if left > 0 {
        Text::count(Msg::KeysSharedMore, shared as u64).with("left", left)
    } else {
        Text::count(Msg::KeysShared, shared as u64)
    }
}

/// The decoded id of a mined call, or the node's fault.
fn mined_id(mined: &ehr_sdk::ehr::Mined) -> Result<u64, Text> {
    mined.id().map_err(|e| sdk::client(&e.into()))
}

/// `POST /access/grant`: `grantee`, `read`/`write`/`share`, `type`, `expires_in`, `share_keys`.
pub async fn grant(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let checked = (|| {
        let grantee = ctx
            .resolve(field(&fields, "grantee"))
            .map_err(|e| field_error(Msg::FieldDoctor, e))?;
        let scope = scope_of(&fields)?;
        let expires_in = super::blocks(&fields, "expires_in", Msg::FieldExpiresIn)?;
        if expires_in == 0 {
            return Err(field_error(Msg::FieldExpiresIn, Msg::GiveOneBlock));
        }
        let record_type = Some(field(&fields, "type").to_string()).filter(|t| !t.is_empty());
        Ok((grantee, scope, expires_in, record_type))
    })();
    let (grantee, scope, expires_in, record_type) = checked.map_err(PageError::BadRequest)?;
    // A guardian grants for its ward (`grant-access-for`).
    let ward = ctx.ward(field(&fields, "for")).await?;
    let patient = ward.clone().unwrap_or_else(|| ctx.principal());
    preflight::grant(&state.client, &ctx.principal(), &patient, &grantee)
        .await
        .map_err(|e| ctx.refused(e))?;
    // A guardian holds none of its ward's keys: only the patient can share them.
    let share_keys = ward.is_none() && field(&fields, "share_keys") == "on";
    let title = match (&record_type, &ward) {
        (None, None) => Text::count(Msg::OpGrant, expires_in),
        (Some(t), None) => Text::count(Msg::OpGrantType, expires_in).with("type", t),
        (None, Some(p)) => Text::count(Msg::OpGrantWard, expires_in).with("patient", p),
        (Some(t), Some(p)) => Text::count(Msg::OpGrantTypeWard, expires_in)
            .with("type", t)
            .with("patient", p),
    }
    .with("grantee", &grantee)
    .with_words("scope", scope_msgs(scope));
    let back = back_to(&ward);
    Ok(
        ops::start(&state, &ctx.me, title, &back, move |h| async move {
            let tip = h.tip().await?;
            let expires_at = tip + expires_in;
            let call = match &ward {
                Some(patient) => calls::grant_access_for(
                    patient,
                    &grantee,
                    scope,
                    record_type.as_deref(),
                    expires_at,
                ),
                None => calls::grant_access(&grantee, scope, record_type.as_deref(), expires_at),
            }
            .map_err(|e| sdk::call(&e))?;
            let mined = h.call(&call).await?;
            let token = mined_id(&mined)?;
            let mut message = Text::new(Msg::GrantDone)
                .with("token", token)
                .with("grantee", &grantee)
                .with_words("scope", scope_msgs(scope))
                .with("expires_at", expires_at);
            if share_keys && scope.contains(Scope::READ) {
                let me = h.me.principal();
                let (shared, left) =
                    share_latest(&h, &me, &grantee, record_type.as_deref()).await?;
                message = message.then(shared_words(shared, left));
            }
            Ok(message)
        })
        .await,
    )
}

/// `POST /access/create-token`: scope, `type`, `expires_in` (blocks or days). The patient
/// mints a token to itself, to hand to a doctor later (a printed code, a clinic visit).
pub async fn create_token(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let checked = (|| {
        let scope = scope_of(&fields)?;
        let expires_in = super::blocks(&fields, "expires_in", Msg::FieldExpiresIn)?;
        if expires_in == 0 {
            return Err(field_error(Msg::FieldExpiresIn, Msg::GiveOneBlock));
        }
        let record_type = Some(field(&fields, "type").to_string()).filter(|t| !t.is_empty());
        Ok((scope, expires_in, record_type))
    })();
    let (scope, expires_in, record_type) = checked.map_err(PageError::BadRequest)?;
    // A guardian creates one for its ward (`create-token-for`): the ward holds it.
    let ward = ctx.ward(field(&fields, "for")).await?;
    let title = match &ward {
        None => Text::count(Msg::OpCreateToken, expires_in),
        Some(p) => Text::count(Msg::OpCreateTokenWard, expires_in).with("patient", p),
    }
    .with_words("scope", scope_msgs(scope));
    let back = back_to(&ward);
    Ok(
        ops::start(&state, &ctx.me, title, &back, move |h| async move {
            let expires_at = h.tip().await? + expires_in;
            let call = match &ward {
                Some(patient) => {
                    calls::create_token_for(patient, scope, record_type.as_deref(), expires_at)
                }
                None => calls::create_token(scope, record_type.as_deref(), expires_at),
            }
            .map_err(|e| sdk::call(&e))?;
            let token = mined_id(&h.call(&call).await?)?;
            Ok(match &ward {
                Some(patient) => Text::new(Msg::CreateTokenDoneWard).with("patient", patient),
                None => Text::new(Msg::CreateTokenDone),
            }
            .with("token", token)
            .with_words("scope", scope_msgs(scope))
            .with("expires_at", expires_at))
        })
        .await,
    )
}

/// `POST /access/hand-over`: `token`, `recipient`. The patient hands a token it holds to
/// a verified doctor (SIP-009 transfer; the contract refuses anyone else); a token the
/// acting account does not hold is refused (403) before anything is signed.
pub async fn hand_over(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let token = number(&fields, "token", Msg::FieldToken).map_err(PageError::BadRequest)?;
    let recipient = ctx.principal_field(&fields, "recipient", Msg::FieldDoctor)?;
    let me = ctx.principal();
    // Only its holder hands a token over, the patient to a verified doctor, a doctor
    // back to the patient: refused here before anything is signed.
    let held = preflight::token(&state.client, token)
        .await
        .map_err(|e| ctx.refused(e))?;
    preflight::hand_over(&state.client, &held, &me, &recipient)
        .await
        .map_err(|e| ctx.refused(e))?;
    let call = calls::transfer(token, &me, &recipient)
        .map_err(|e| PageError::BadRequest(sdk::call(&e)))?;
    let title = Text::new(Msg::OpHandOver)
        .with("token", token)
        .with("recipient", &recipient);
    Ok(
        ops::start(&state, &ctx.me, title, "/access", move |h| async move {
            h.call(&call).await?;
            Ok(Text::new(Msg::HandOverDone)
                .with("token", token)
                .with("recipient", &recipient))
        })
        .await,
    )
}

/// `POST /access/revoke`: `token`.
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let token = number(&fields, "token", Msg::FieldToken).map_err(PageError::BadRequest)?;
    let rotate = if fields.get("keep_keys").is_some_and(|v| v == "on") {
        AfterRevoke::KeepKeys
    } else {
        AfterRevoke::RotateKeys
    };
    let patient = token_patient(&ctx, token).await?;
    let back = back_to(&Some(patient).filter(|p| *p != ctx.principal()));
    let title = Text::new(Msg::OpRevoke).with("token", token);
    Ok(
        ops::start(&state, &ctx.me, title, &back, move |h| async move {
            let store: &dyn BlobStore = &h.state.store;
            let out = revoke::revoke_access(
                &h.state.client,
                h.me.key(),
                token,
                rotate,
                h.state.config.on_chain_max,
                store,
                &SendOptions::default(),
            )
            .await
            .map_err(|e| h.record_failure(&e))?;
            h.mined(&out.revoked);
            let mut message = Text::new(Msg::RevokeDone)
                .with("token", token)
                .with("grantee", &out.grantee);
            for r in &out.rotated {
                h.written(&r.written, "ehr-storage.amend-record");
                message = message.then(
                    Text::new(Msg::RevokeResealed)
                        .with("from", r.from)
                        .with("to", r.written.record_id),
                );
            }
            for n in &out.not_rotated {
                message = message.then(
                    Text::new(Msg::RevokeNotResealed)
                        .with("record", n.record)
                        .with("reason", &n.reason),
                );
            }
            if rotate == AfterRevoke::KeepKeys {
                message = message.then(Msg::RevokeKeptKeys);
            }
            Ok(message.then(Msg::RevocationLimits))
        })
        .await,
    )
}

/// `POST /access/approve`: `request`, `share_keys`.
pub async fn approve(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let request = number(&fields, "request", Msg::FieldRequest).map_err(PageError::BadRequest)?;
    let r = checked_request(&ctx, request, true).await?;
    let ward = Some(r.patient.clone()).filter(|p| *p != ctx.principal());
    // A guardian holds none of its ward's keys: only the patient can share them.
    let share_keys = ward.is_none() && field(&fields, "share_keys") == "on";
    let call = calls::approve_request(request).map_err(|e| PageError::BadRequest(sdk::call(&e)))?;
    Ok(ops::start(
        &state,
        &ctx.me,
        Text::new(Msg::OpApprove).with("request", request),
        &back_to(&ward),
        move |h| async move {
            let token = mined_id(&h.call(&call).await?)?;
            let mut message = Text::new(Msg::ApproveDone)
                .with("request", request)
                .with("token", token);
            if share_keys {
                if let Ok(Some(r)) = h.state.client.get_request(request).await {
                    if r.scope.contains(Scope::READ) {
                        let (shared, left) =
                            share_latest(&h, &r.patient, &r.requester, None).await?;
                        message = message.then(shared_words(shared, left));
                    }
                }
            }
            Ok(message)
        },
    )
    .await)
}

/// `POST /access/deny`: `request`.
pub async fn deny(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let request = number(&fields, "request", Msg::FieldRequest).map_err(PageError::BadRequest)?;
    let r = checked_request(&ctx, request, false).await?;
    let ward = Some(r.patient).filter(|p| *p != ctx.principal());
    let call = calls::deny_request(request).map_err(|e| PageError::BadRequest(sdk::call(&e)))?;
    Ok(ops::start(
        &state,
        &ctx.me,
        Text::new(Msg::OpDeny).with("request", request),
        &back_to(&ward),
        move |h| async move {
            h.call(&call).await?;
            Ok(Text::new(Msg::DenyDone).with("request", request))
        },
    )
    .await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::PAGE_SIZE;

    #[test]
    fn pages_of_ids_run_newest_first() {
        let ids: Vec<u64> = (1..=30).collect();
        assert_eq!(page_of(&ids, 1).first(), Some(&30));
        assert_eq!(page_of(&ids, 1).len() as u64, PAGE_SIZE);
        assert_eq!(page_of(&ids, 2), vec![5, 4, 3, 2, 1]);
        assert!(page_of(&[], 1).is_empty());
    }
}
