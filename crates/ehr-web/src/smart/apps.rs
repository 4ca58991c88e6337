//! The dashboard's "Connected apps": the SMART apps the acting account approved (and
//! backend services acting as it) whose tokens still work, with a button that ends one.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use crate::dashboard::{number, Page, PageError, Posted};
use crate::html;
use crate::state::AppState;

/// `GET /apps`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
) -> Result<Response, PageError> {
    let rows: Vec<Vec<String>> = state
        .smart
        .live(&ctx.me.name)
        .iter()
        .map(|g| {
            let since =
                g.approved
                    .elapsed()
                    .map_or("just now".to_string(), |d| match d.as_secs() {
                        s if s < 120 => "just now".to_string(),
                        s if s < 7200 => format!("{} minutes ago", s / 60),
                        s => format!("{} hours ago", s / 3600),
                    });
            vec![
                html::escape(&g.client_id),
                g.patient
                    .as_ref()
                    .map_or("any it may see".to_string(), |p| ctx.who_cell(p)),
                html::escape(&g.scopes.describe().join("; ")),
                html::escape(&since),
                html::button_form(
                    "/apps/revoke",
                    &ctx.csrf,
                    &[("grant", g.id.to_string())],
                    "Revoke",
                    "danger",
                ),
            ]
        })
        .collect();
    let body = format!(
        "<p>Apps that connected through SMART on FHIR with this account's approval. Revoking ends every token of that connection at once; revoking a patient's grant on chain ends an app's reach to that patient too.</p>{}",
        html::table(
            "Connected apps",
            &["App", "Patient", "May", "Approved", ""],
            &rows,
            "No app is connected with this account.",
        )
    );
    ctx.render("Connected apps", "/apps", &body)
}

/// `POST /apps/revoke`: ends grant `grant` of the acting account.
pub(super) async fn revoke(
    State(state): State<Arc<AppState>>,
    Posted(ctx, fields): Posted,
) -> Result<Response, PageError> {
    let id = number(&fields, "grant", "the connection").map_err(PageError::BadRequest)?;
    if !state.smart.revoke_grant(&ctx.me.name, id) {
        return Err(PageError::NotFound(format!(
            "{} has no live app connection #{id}",
            ctx.me.name
        )));
    }
    Ok(Redirect::to("/apps").into_response())
}
