//! `/access`: the patient's grants (access tokens) with scope, record type, expiry and
//! state, paged newest first; grant (and share the record keys with the grantee) and
//! revoke; access requests with approve and deny.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::listing::{self, Side};
use ehr_sdk::ehr::records::BlobStore;
use ehr_sdk::ehr::revoke::{self, AfterRevoke};
use ehr_sdk::ehr::types::{Request, RequestStatus, Scope, Token};
use ehr_sdk::ehr::{calls, ClientError, SendOptions};

use super::records::share_one;
use super::{field, number, ops, page_number, pages_for, scope_of, Ctx};
use super::{Page, PageError, Params, Posted};
use crate::html;
use crate::state::AppState;

/// Most record keys one grant shares at once (the rest from each record's page).
pub const MAX_SHARES: usize = 50;

/// A token's state and kind in words.
pub fn token_state(t: &Token, tip: u64) -> String {
    let state = t.state_at(tip + 1).to_string();
    let class = match state.as_str() {
        "active" => "ok",
        "expired" => "pending",
        _ => "failed",
    };
    format!(
        "<span class=\"state {class}\">{state}</span>{}",
        if t.emergency { " (emergency)" } else { "" }
    )
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

/// `GET /access?page=&rpage=`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Params(q): Params,
) -> Result<Response, PageError> {
    let me = ctx.principal();
    let c = state.client.clone();
    let tip = ctx.tip.unwrap_or(0);
    let lists = async {
        Ok::<_, ClientError>((
            listing::token_ids(&c, &me, Side::Patient).await?,
            listing::request_ids(&c, &me, Side::Patient).await?,
        ))
    };
    let (lists, registered) = tokio::join!(lists, c.is_registered(&me));
    let (tokens, requests) = match lists {
        Ok(l) => l,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let mut body = String::new();
    if !registered.unwrap_or(false) {
        body.push_str(&html::notice("info", "This account is not a registered patient: it can neither grant nor be asked for access. Register on the Patient page."));
    }

    // Grants.
    let pages = pages_for(tokens.len() as u64);
    let page = page_number(&q, "page", pages, 1);
    let shown = page_of(&tokens, page);
    let read = match listing::tokens_by_id(&c, &shown, &me, Side::Patient).await {
        Ok(t) => t,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let mut rows = Vec::new();
    for t in read {
        let action = if !t.revoked {
            // Revoking re-seals the records the grantee could open (a new key); the
            // second button leaves them as they are.
            html::button_form(
                "/access/revoke",
                &ctx.csrf,
                &[("token", t.id.to_string())],
                "Revoke",
                "danger",
            ) + &html::button_form(
                "/access/revoke",
                &ctx.csrf,
                &[("token", t.id.to_string()), ("keep_keys", "on".to_string())],
                "Revoke, keep keys",
                "",
            )
        } else {
            String::new()
        };
        rows.push(vec![
            format!("#{}", t.id),
            ctx.who_cell(&t.grantee),
            html::escape(&t.scope.to_string()),
            html::escape(t.record_type.as_deref().unwrap_or("all")),
            format!("block {}", t.expires_at),
            token_state(&t, tip),
            action,
        ]);
    }
    body.push_str("<section aria-labelledby=\"grants\"><h2 id=\"grants\">Grants</h2>");
    let _ = write!(
        body,
        "<p>{} access token{} issued for your records.</p>",
        tokens.len(),
        if tokens.len() == 1 { "" } else { "s" }
    );
    body.push_str(&html::table(
        "Access tokens, newest first",
        &[
            "Token",
            "Grantee",
            "Scope",
            "Record type",
            "Expires",
            "State",
            "",
        ],
        &rows,
        "No grants yet.",
    ));
    body.push_str(&html::pager("/access", "page", page, pages));
    body.push_str("</section>");

    // Grant form.
    body.push_str("<section aria-labelledby=\"grant\"><h2 id=\"grant\">Grant access</h2><p>To a verified doctor. With read scope, the keys of your latest records (of the type, if one is given) are shared with the doctor at once.</p>");
    let fields = format!(
        "{}{}<fieldset><legend>Scope</legend>{}{}{}</fieldset>{}{}{}",
        html::input(
            "gr-to",
            "grantee",
            "Doctor (account name or address)",
            "text",
            "",
            "required list=\"accounts\" autocomplete=\"off\"",
            ""
        ),
        ctx.datalist(),
        html::checkbox("gr-read", "read", "read", true),
        html::checkbox("gr-write", "write", "write (add records for you)", false),
        html::checkbox("gr-share", "share", "share (give keys to others)", false),
        html::input(
            "gr-type",
            "type",
            "Only records of type (empty: all)",
            "text",
            "",
            "maxlength=\"32\"",
            "e.g. Observation"
        ),
        html::input(
            "gr-exp",
            "expires_in",
            "Expires in (blocks)",
            "number",
            "1000",
            "required min=\"1\" max=\"52560\"",
            "about 144 blocks a day"
        ),
        html::checkbox(
            "gr-keys",
            "share_keys",
            "Share my records' keys with the doctor now",
            true
        ),
    );
    body.push_str(&html::form("/access/grant", &ctx.csrf, &fields, "Grant"));
    body.push_str("</section>");

    // Requests.
    let rpages = pages_for(requests.len() as u64);
    let rpage = page_number(&q, "rpage", rpages, 1);
    let shown = page_of(&requests, rpage);
    let read = match listing::requests_by_id(&c, &shown).await {
        Ok(r) => r,
        Err(e) => return Err(PageError::Upstream(e.to_string())),
    };
    let mut rows = Vec::new();
    for r in read {
        rows.push(request_row(&ctx, &r));
    }
    let pending = rows.iter().filter(|r| r[5].contains("pending")).count();
    body.push_str("<section aria-labelledby=\"requests\"><h2 id=\"requests\">Access requests</h2>");
    let _ = write!(
        body,
        "<p>{} request{}; {pending} pending on this page.</p>",
        requests.len(),
        if requests.len() == 1 { "" } else { "s" }
    );
    body.push_str(&html::table(
        "Requests, newest first",
        &[
            "Request", "Doctor", "Scope", "Blocks", "Reason", "Status", "",
        ],
        &rows,
        "No requests.",
    ));
    body.push_str(&html::pager("/access", "rpage", rpage, rpages));
    body.push_str("</section><p>Emergency access (opt out or allow) is on the <a href=\"/patient\">Patient page</a>.</p>");
    ctx.render("Access", "/access", &body)
}

fn request_row(ctx: &Ctx, r: &Request) -> Vec<String> {
    let status = match r.status {
        RequestStatus::Pending => "<span class=\"state pending\">pending</span>".to_string(),
        RequestStatus::Approved => format!(
            "<span class=\"state ok\">approved</span>{}",
            r.token_id
                .map(|t| format!(": token #{t}"))
                .unwrap_or_default()
        ),
        RequestStatus::Denied => "<span class=\"state failed\">denied</span>".to_string(),
    };
    let actions = if r.status == RequestStatus::Pending {
        let id = r.id;
        let approve = format!(
            "<form class=\"inline\" method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"request\" value=\"{id}\">{}<button type=\"submit\" class=\"primary\">Approve</button></form>",
            html::escape(&html::action("/access/approve", &ctx.csrf)),
            html::checkbox(&format!("ap-keys-{id}"), "share_keys", "share my records' keys", true),
        );
        let deny = html::button_form(
            "/access/deny",
            &ctx.csrf,
            &[("request", id.to_string())],
            "Deny",
            "danger",
        );
        format!("{approve}{deny}")
    } else {
        String::new()
    };
    vec![
        format!("#{}", r.id),
        ctx.who_cell(&r.requester),
        html::escape(&r.scope.to_string()),
        r.duration.to_string(),
        html::escape(&r.reason),
        status,
        actions,
    ]
}

/// Shares the keys of `patient`'s latest records (of `record_type`, if given) that
/// `grantee` holds no envelope for, at most [`MAX_SHARES`]
/// ([`listing::unshared_latest`]); returns how many were shared and how many were left.
pub async fn share_latest(
    h: &ops::Handle,
    patient: &PrincipalData,
    grantee: &PrincipalData,
    record_type: Option<&str>,
) -> Result<(usize, usize), String> {
    let (todo, left) =
        listing::unshared_latest(&h.state.client, patient, grantee, record_type, MAX_SHARES)
            .await
            .map_err(|e| e.to_string())?;
    for &id in &todo {
        share_one(h, id, grantee).await?;
    }
    Ok((todo.len(), left))
}

fn shared_words(shared: usize, left: usize) -> String {
    let mut out = format!(
        "{shared} record key{} shared",
        if shared == 1 { "" } else { "s" }
    );
    if left > 0 {
        let _ = write!(out, " ({left} more to share from each record's page)");
    }
    out
}

/// `POST /access/grant`: `grantee`, `read`/`write`/`share`, `type`, `expires_in`, `share_keys`.
pub async fn grant(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let checked = (|| {
        let grantee = ctx
            .resolve(field(&fields, "grantee"))
            .map_err(|e| format!("doctor: {e}"))?;
        let scope = scope_of(&fields)?;
        let expires_in = number(&fields, "expires_in", "expires in")?;
        if expires_in == 0 {
            return Err("expires in: give at least 1 block".to_string());
        }
        let record_type = Some(field(&fields, "type").to_string()).filter(|t| !t.is_empty());
        Ok((grantee, scope, expires_in, record_type))
    })();
    let (grantee, scope, expires_in, record_type) = match checked {
        Ok(v) => v,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let share_keys = field(&fields, "share_keys") == "on";
    let title = format!(
        "Grant {grantee} {scope}{} for {expires_in} blocks",
        record_type
            .as_ref()
            .map(|t| format!(" on {t} records"))
            .unwrap_or_default()
    );
    Ok(
        ops::start(&state, &ctx.me, title, "/access", move |h| async move {
            let tip = h.tip().await?;
            let expires_at = tip + expires_in;
            let call = calls::grant_access(&grantee, scope, record_type.as_deref(), expires_at)
                .map_err(|e| e.to_string())?;
            let mined = h.call(&call).await?;
            let token = mined.id().map_err(|e| e.to_string())?;
            let mut message =
                format!("Token #{token}: {grantee} may {scope} until block {expires_at}.");
            if share_keys && scope.contains(Scope::READ) {
                let me = h.me.principal();
                let (shared, left) =
                    share_latest(&h, &me, &grantee, record_type.as_deref()).await?;
                let _ = write!(message, " {}.", shared_words(shared, left));
            }
            Ok(message)
        })
        .await,
    )
}

/// `POST /access/revoke`: `token`.
pub async fn revoke(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let token = match number(&fields, "token", "token") {
        Ok(t) => t,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let rotate = if fields.get("keep_keys").is_some_and(|v| v == "on") {
        AfterRevoke::KeepKeys
    } else {
        AfterRevoke::RotateKeys
    };
    Ok(ops::start(&state, &ctx.me, format!("Revoke token #{token}"), "/access", move |h| async move {
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
        let mut message = format!("Token #{token} revoked: {} loses access.", out.grantee);
        for r in &out.rotated {
            h.written(&r.written, "ehr-storage.amend-record");
            let _ = write!(
                message,
                " Record #{} re-sealed under a new key as #{}.",
                r.from, r.written.record_id
            );
        }
        for n in &out.not_rotated {
            let _ = write!(
                message,
                " Record #{} was NOT re-sealed ({}): the revoked holder can still open it; rotate it from its page.",
                n.record, n.reason
            );
        }
        if rotate == AfterRevoke::KeepKeys {
            message.push_str(" Keys were not rotated, as asked: the revoked holder can still open the current versions it has keys for.");
        }
        let _ = write!(message, " {}", revoke::REVOCATION_LIMITS);
        Ok(message)
    })
    .await)
}

/// `POST /access/approve`: `request`, `share_keys`.
pub async fn approve(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let request = match number(&fields, "request", "request") {
        Ok(t) => t,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let share_keys = field(&fields, "share_keys") == "on";
    let call = match calls::approve_request(request) {
        Ok(c) => c,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    Ok(ops::start(
        &state,
        &ctx.me,
        format!("Approve request #{request}"),
        "/access",
        move |h| async move {
            let mined = h.call(&call).await?;
            let token = mined.id().map_err(|e| e.to_string())?;
            let mut message = format!("Request #{request} approved: token #{token}.");
            if share_keys {
                if let Ok(Some(r)) = h.state.client.get_request(request).await {
                    if r.scope.contains(Scope::READ) {
                        let (shared, left) =
                            share_latest(&h, &r.patient, &r.requester, None).await?;
                        let _ = write!(message, " {}.", shared_words(shared, left));
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
    let request = match number(&fields, "request", "request") {
        Ok(t) => t,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    let call = match calls::deny_request(request) {
        Ok(c) => c,
        Err(e) => return Err(PageError::BadRequest(e.to_string())),
    };
    Ok(ops::start(
        &state,
        &ctx.me,
        format!("Deny request #{request}"),
        "/access",
        move |h| async move {
            h.call(&call).await?;
            Ok(format!("Request #{request} denied."))
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
