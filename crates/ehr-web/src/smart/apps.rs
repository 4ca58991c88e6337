//! The dashboard's "Connected apps": the SMART apps the acting account approved (and
//! backend services acting as it) whose tokens still work, with a button that ends one.

use crate::dashboard::i18n::{Msg, Text};
use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::dashboard::views::{self, Frame, Party};
use crate::dashboard::{number, Page, PageError, Posted};
use crate::state::AppState;

/// One connection as its row shows it.
struct AppRow {
    id: u64,
    client_id: String,
    patient: Option<Party>,
    may: String,
    since: String,
}

/// `/apps`.
#[derive(Template)]
#[template(path = "smart_apps.html")]
struct AppsView<'a> {
    frame: Frame<'a>,
    apps: Vec<AppRow>,
    revoke_action: String,
}

/// `GET /apps`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
) -> Result<Response, PageError> {
    let apps = state
        .smart
        .live(&ctx.me.name)
        .iter()
        .map(|g| AppRow {
            id: g.id,
            client_id: g.client_id.clone(),
            patient: g.patient.as_ref().map(|p| ctx.party(p)),
            may: g.scopes.describe(ctx.lang).join("; "),
            since: match g.approved.elapsed().map(|d| d.as_secs()) {
                Ok(s) if s >= 7200 => ctx.lang.n(Msg::SmartHoursAgo, s / 3600),
                Ok(s) if s >= 120 => ctx.lang.n(Msg::SmartMinutesAgo, s / 60),
                _ => ctx.t(Msg::SmartJustNow).to_string(),
            },
        })
        .collect();
    let view = AppsView {
        frame: ctx.frame(ctx.t(Msg::SmartAppsTitle), "/apps", None),
        apps,
        revoke_action: views::action("/apps/revoke", &ctx.csrf),
    };
    views::respond(StatusCode::OK, &view)
}

/// `POST /apps/revoke`: ends grant `grant` of the acting account.
pub(super) async fn revoke(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let id = number(&fields, "grant", Msg::FieldConnection).map_err(PageError::BadRequest)?;
    if !state.smart.revoke_grant(&ctx.me.name, id) {
        return Err(PageError::NotFound(
            Text::new(Msg::SmartNoConnection)
                .with("account", &ctx.me.name)
                .with("id", id),
        ));
    }
    Ok(Redirect::to("/apps").into_response())
}
