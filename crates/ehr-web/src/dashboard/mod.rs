//! The dashboard: server-rendered pages for patients, doctors, issuers and the admin,
//! with a little plain JavaScript (`/assets/app.js`), small enough for a phone on a slow
//! link.
//!
//! Every page acts as one of the server's accounts: the `ehr_account` cookie names it
//! (the account switcher sets it), else the first. Reads go through the typed client at
//! the chain tip. State changes are POST forms carrying the CSRF token in their `action`;
//! each starts an *operation* ([`ops`]): its transactions are signed here, broadcast,
//! and followed until mined, and the browser is redirected to `/op/{id}`, which shows
//! every txid with its state and, when the contract refuses, the refusal in words.
//!
//! | page | what |
//! |---|---|
//! | `/` | the acting account's roles, the server's accounts |
//! | `/patient` | registration, verification, guardians, emergency opt-out, encryption key (with a confirmation); `?for=` the same for a ward, as its guardian |
//! | `/records` | a patient's records (paged, each with its title, date and summary for a key holder), upload; `/records/timeline` the records by the date they were taken; `/records/{id}` one record, amend, rotate, share, open |
//! | `/access` | grants (paged) with grant and revoke, requests with approve and deny; `/access/who` who can see the records now, in words |
//! | `/audit` | the audit trail (paged) with its hash chain checked; `/audit/export` |
//! | `/notifications` | the inbox (paged), mark read, live unread count |
//! | `/doctor` | credential, request access, readable patients, emergency access, encryption key, an issuer's attestation submitted |
//! | `/admin` | issuers, verifiers, doctor verification (directly, or an attestation signed for the doctor to submit) and suspension |

mod access;
mod admin;
mod assets;
mod attest;
mod audit;
mod doctor;
mod error;
mod extract;
pub mod fhir_card;
mod home;
pub mod i18n;
mod notifications;
pub mod ops;
mod patient;
pub(crate) mod proofs;
mod records;
pub(crate) mod summaries;
mod timeline;
pub(crate) mod views;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::preflight::{self, PreflightError};
use ehr_sdk::ehr::types::Scope;
use ehr_sdk::keys::PublicKey;
use ehr_sdk::node::clock::BlockClock;

pub(crate) use error::{error_pages, PageError};
pub(crate) use extract::{Page, Params, Posted, Reader, RecordId, Upload};

use crate::auth;
use crate::state::{AppState, Identity};
use i18n::{Lang, Msg, Text};
use views::{ErrorPage, Frame};

/// Longest credential or request, in blocks (about a year).
pub(crate) const MAX_BLOCKS: u64 = 52_560;

/// Rows per page of the paged lists (records, grants, audit entries, notifications).
pub const PAGE_SIZE: u64 = 25;

/// The dashboard's routes; one layer renders their errors as error pages.
pub fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(home::home))
        .route("/account", post(home::switch_account))
        .route(i18n::SWITCH_PATH, get(i18n::switch))
        .route("/op/{id}", get(ops::op_page))
        .route("/assets/app.css", get(assets::css))
        .route("/assets/app.js", get(assets::js))
        .route("/patient", get(patient::page))
        .route("/patient/register", post(patient::register))
        .route("/patient/guardian", post(patient::guardian))
        .route("/patient/guardianship", post(patient::guardianship))
        .route("/patient/emergency", post(patient::emergency))
        .route("/patient/deactivate", post(patient::deactivate))
        .route("/patient/update-key", post(patient::update_key))
        .route(
            "/records",
            get(records::list)
                .post(records::upload)
                .layer(DefaultBodyLimit::max(records::MAX_UPLOAD)),
        )
        .route("/records/timeline", get(timeline::page))
        .route("/records/{id}", get(records::show))
        .route("/records/{id}/view", get(records::view))
        .route("/records/{id}/download", get(records::download))
        .route("/records/{id}/open", post(records::open))
        .route(
            "/records/{id}/amend",
            post(records::amend).layer(DefaultBodyLimit::max(records::MAX_UPLOAD)),
        )
        .route("/records/{id}/share", post(records::share))
        .route("/records/{id}/rotate", post(records::rotate))
        .route("/records/{id}/proof", post(proofs::prove))
        .route(
            proofs::VERIFY_PATH,
            get(proofs::verify_page).post(proofs::verify),
        )
        .route("/access", get(access::page))
        .route("/access/who", get(access::who))
        .route("/access/grant", post(access::grant))
        .route("/access/revoke", post(access::revoke))
        .route("/access/create-token", post(access::create_token))
        .route("/access/hand-over", post(access::hand_over))
        .route("/access/approve", post(access::approve))
        .route("/access/deny", post(access::deny))
        .route("/audit", get(audit::page))
        .route("/audit/export", get(audit::export))
        .route("/notifications", get(notifications::page))
        .route("/notifications/read", post(notifications::mark_read))
        .route("/notifications/poll", get(notifications::poll))
        .route("/notifications/events", get(notifications::events))
        .route("/doctor", get(doctor::page))
        .route("/doctor/register", post(doctor::register))
        .route("/doctor/request", post(doctor::request))
        .route("/doctor/emergency", post(doctor::emergency))
        .route("/doctor/update-key", post(doctor::update_key))
        .route("/doctor/attest", post(attest::submit))
        .route("/admin", get(admin::page))
        .route("/admin/issuer", post(admin::set_issuer))
        .route("/admin/verifier", post(admin::set_verifier))
        .route("/admin/propose", post(admin::propose_admin))
        .route("/admin/accept", post(admin::accept_admin))
        .route("/admin/verify-doctor", post(admin::verify_doctor))
        .route("/admin/attest", post(attest::sign))
        .route("/admin/suspend-doctor", post(admin::suspend_doctor))
        .route("/admin/verify-patient", post(admin::verify_patient))
        .layer(axum::middleware::from_fn_with_state(
            state,
            error::error_pages,
        ))
}

/// What a request handler knows: the state, the acting account, and for pages the
/// inbox badge and the chain tip.
pub(crate) struct Ctx {
    pub state: Arc<AppState>,
    pub me: Identity,
    pub csrf: String,
    pub notifications: Option<(u64, u64)>,
    pub tip: Option<u64>,
    pub index_lag: Option<u64>,
    /// The chain's recent pace, for block heights as dates (pages only; `None` when the
    /// node API tells no block times).
    pub clock: Option<BlockClock>,
    /// The reader's language ([`Lang::of`]).
    pub lang: Lang,
    /// The page's path and query (pages only; `/` otherwise), for the language switch.
    pub here: String,
}

impl Ctx {
    /// The acting account of a request with `headers` (the `ehr_account` cookie, else the
    /// first), without reading the chain.
    pub fn of(state: &Arc<AppState>, headers: &HeaderMap) -> Result<Ctx, PageError> {
        match auth::acting(state, headers) {
            Some(me) => Ok(Ctx {
                state: state.clone(),
                me: me.clone(),
                csrf: state.csrf_token(),
                notifications: None,
                tip: None,
                index_lag: None,
                clock: None,
                lang: Lang::of(headers),
                here: "/".into(),
            }),
            None => Err(PageError::UnknownAccount(
                auth::cookie(headers, auth::ACCOUNT_COOKIE)
                    .unwrap_or("")
                    .to_string(),
            )),
        }
    }

    /// Reads what the page frame shows: the notification counts, the chain tip and the
    /// index lag (each left out when it cannot be read).
    pub async fn read_frame(&mut self) {
        let me = self.me.principal();
        let state = &self.state;
        let (unread, count, info, lag) = tokio::join!(
            state.client.get_unread_count(&me),
            state.client.get_notification_count(&me),
            state.client.node().info(),
            state.index_lag()
        );
        self.index_lag = lag;
        self.notifications = match (unread, count) {
            (Ok(u), Ok(c)) => Some((u, c)),
            _ => None,
        };
        self.tip = info.ok().map(|i| i.stacks_tip_height);
        if let Some(tip) = self.tip {
            self.clock = BlockClock::read(state.client.node(), tip)
                .await
                .ok()
                .flatten();
        }
    }

    /// Block `height` as an approximate date in the reader's language ("about
    /// 2026-12-12, in 7 days"), when the chain's pace is known ([`Lang::when`]).
    pub fn when(&self, height: u64) -> Option<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.clock.map(|c| self.lang.when(&c, height, now))
    }

    /// The text of `msg` in the reader's language.
    pub fn t(&self, msg: Msg) -> &'static str {
        self.lang.t(msg)
    }

    /// The server's accounts as (name, address).
    pub fn accounts(&self) -> Vec<(String, String)> {
        accounts(&self.state)
    }

    /// The acting account as a principal.
    pub fn principal(&self) -> PrincipalData {
        self.me.principal()
    }

    /// The frame of a page titled `title` in `section`, reloading every `refresh`
    /// seconds when given.
    pub fn frame<'a>(
        &'a self,
        title: &'a str,
        section: &'a str,
        refresh: Option<u32>,
    ) -> Frame<'a> {
        Frame {
            title,
            section,
            account: Some((&self.me.name, self.me.address.to_string())),
            accounts: self.accounts(),
            csrf: &self.csrf,
            notifications: self.notifications,
            tip: self.tip,
            index_lag: self.index_lag,
            refresh,
            lang: self.lang,
            here: self.here.clone(),
        }
    }

    /// A principal given by account name (`wallet_2`) or address / contract id.
    pub fn resolve(&self, text: &str) -> Result<PrincipalData, Text> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Msg::GiveAnAccount.into());
        }
        if let Some(id) = self.state.identity(text) {
            return Ok(id.principal());
        }
        PrincipalData::parse(text).map_err(|_| Text::new(Msg::NotAnAccount).with("text", text))
    }

    /// The principal form field `name` gives, or a 400 naming the field (`label`).
    pub fn principal_field(
        &self,
        fields: &Fields,
        name: &str,
        label: Msg,
    ) -> Result<PrincipalData, PageError> {
        self.resolve(field(fields, name))
            .map_err(|e| PageError::BadRequest(field_error(label, e)))
    }

    /// The patient a page is about: query parameter `patient` (an account name or an
    /// address), else the acting account.
    pub fn patient_param(&self, q: &HashMap<String, String>) -> Result<PrincipalData, PageError> {
        match q.get("patient").map(|p| p.trim()).filter(|p| !p.is_empty()) {
            Some(p) => self.resolve(p).map_err(PageError::BadRequest),
            None => Ok(self.principal()),
        }
    }

    /// Whom a page or form acts for, from its `for` field or parameter (`text`): `None`
    /// for the acting account itself (empty, or naming it), else a patient the acting
    /// account is an accepted guardian of. Any other patient is refused (403) before
    /// anything is read for the page or signed for the form.
    pub async fn ward(&self, text: &str) -> Result<Option<PrincipalData>, PageError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let patient = self
            .resolve(text)
            .map_err(|e| PageError::BadRequest(field_error(Msg::FieldForPatient, e)))?;
        if patient == self.principal() {
            return Ok(None);
        }
        self.may_act_for(&patient).await?;
        Ok(Some(patient))
    }

    /// Refuses (403) unless the acting account is `patient` or an accepted guardian of
    /// it: the contracts' rule for the patient-side functions, checked here first so that
    /// a form nobody may submit signs nothing.
    pub async fn may_act_for(&self, patient: &PrincipalData) -> Result<(), PageError> {
        preflight::acts_for(&self.state.client, &self.principal(), patient)
            .await
            .map_err(|e| self.refused(e))
    }

    /// A check before signing that did not pass, as the error page says it to this
    /// account (see [`PageError::preflight`]).
    pub fn refused(&self, e: impl Into<PreflightError>) -> PageError {
        PageError::preflight(e.into(), &self.me.name)
    }

    /// A principal as a view shows it: the address, and the account name when it is one
    /// of the server's.
    pub fn party(&self, p: &PrincipalData) -> views::Party {
        let address = p.to_string();
        let name = self
            .state
            .identities
            .iter()
            .find(|i| i.address.to_string() == address)
            .map(|i| i.name.clone());
        views::Party { address, name }
    }
}

/// `path`, with `?{name}=` the principal `about` when there is one: a page about another
/// patient than the acting account (`patient`), or acting for a ward (`for`).
pub(crate) fn about(path: &str, name: &str, about: Option<&PrincipalData>) -> String {
    match about {
        Some(p) => format!("{path}?{name}={}", views::percent_encode(&p.to_string())),
        None => path.to_string(),
    }
}

/// The server's accounts as (name, address).
pub(crate) fn accounts(state: &AppState) -> Vec<(String, String)> {
    state
        .identities
        .iter()
        .map(|i| (i.name.clone(), i.address.to_string()))
        .collect()
}

/// The fields of a urlencoded form, or the reason it could not be read.
pub(crate) type Fields = HashMap<String, String>;

/// The error page of `error`: the message in words and a way back to `section`, in the
/// frame of the acting account when there is one.
pub(crate) fn render_error(
    state: &Arc<AppState>,
    ctx: Option<&Ctx>,
    (lang, here): (Lang, String),
    section: &str,
    error: &PageError,
) -> Response {
    let csrf = state.csrf_token();
    let page = ErrorPage {
        frame: Frame {
            title: lang.t(Msg::ErrorTitle),
            section,
            account: ctx.map(|c| (c.me.name.as_str(), c.me.address.to_string())),
            accounts: accounts(state),
            csrf: &csrf,
            notifications: None,
            tip: None,
            index_lag: None,
            refresh: None,
            lang,
            here,
        },
        message: error.message(lang),
        back: section,
    };
    match views::respond(error.status(), &page) {
        Ok(response) => response,
        // The error page itself failed: its status and words, as text.
        Err(_) => (error.status(), error.to_string()).into_response(),
    }
}

/// A field's trimmed value ("" when absent).
pub(crate) fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.get(name).map(|s| s.trim()).unwrap_or("")
}

/// `problem` with form field `label` (its name on the page) before it: "doctor: ...",
/// "Médecin : ...".
pub(crate) fn field_error(label: Msg, problem: impl Into<Text>) -> Text {
    Text::new(Msg::FieldProblem)
        .with_text("field", label)
        .with_text("problem", problem)
}

/// A whole number field (`what`: its name on the page).
pub(crate) fn number(fields: &Fields, name: &str, what: Msg) -> Result<u64, Text> {
    let text = field(fields, name);
    text.trim_start_matches('#')
        .parse::<u64>()
        .map_err(|_| field_error(what, Text::new(Msg::GiveWholeNumber).with("got", text)))
}

/// The encryption public key field `name` gives (hex, 33 bytes compressed), or `own`
/// when the field is empty and `own` is given.
pub(crate) fn enc_pubkey(
    fields: &Fields,
    name: &str,
    own: Option<PublicKey>,
) -> Result<PublicKey, PageError> {
    let text = field(fields, name);
    match (text, own) {
        ("", Some(own)) => Ok(own),
        ("", None) => Err(PageError::BadRequest(field_error(
            Msg::FieldEncryptionKey,
            Msg::GiveNewKey,
        ))),
        (text, _) => hex::decode(text.trim_start_matches("0x"))
            .map_err(|e| e.to_string())
            .and_then(|b| PublicKey::from_bytes(&b).map_err(|e| e.to_string()))
            .map_err(|e| {
                PageError::BadRequest(field_error(
                    Msg::FieldEncryptionKey,
                    Text::new(Msg::BadKey).with("why", e),
                ))
            }),
    }
}

/// Blocks in a day at the ten-minute pace the forms assume.
pub(crate) const BLOCKS_PER_DAY: u64 = 144;

/// A length of time given in field `name`, in blocks or, when field `{name}_unit` says
/// `days`, in days (144 blocks each): the number of blocks.
pub(crate) fn blocks(fields: &Fields, name: &str, what: Msg) -> Result<u64, Text> {
    let n = number(fields, name, what)?;
    match field(fields, &format!("{name}_unit")) {
        "" | "blocks" => Ok(n),
        "days" => n
            .checked_mul(BLOCKS_PER_DAY)
            .ok_or_else(|| field_error(what, Text::new(Msg::DaysTooLong).with("n", n))),
        other => Err(field_error(
            what,
            Text::new(Msg::BadUnit).with("unit", other),
        )),
    }
}

/// Refuses a credential's length that is not 1 to ten times [`MAX_BLOCKS`] (the `valid
/// for` field of the issuer's forms).
pub(crate) fn credential_blocks(blocks: u64) -> Result<(), Text> {
    if blocks == 0 || blocks > 10 * MAX_BLOCKS {
        return Err(field_error(
            Msg::FieldValidFor,
            Text::new(Msg::GiveOneToBlocks).with("max", 10 * MAX_BLOCKS),
        ));
    }
    Ok(())
}

/// The scope of the `read`, `write` and `share` checkboxes.
pub(crate) fn scope_of(fields: &Fields) -> Result<Scope, Text> {
    let mut scope: Option<Scope> = None;
    for (name, bit) in [
        ("read", Scope::READ),
        ("write", Scope::WRITE),
        ("share", Scope::SHARE),
    ] {
        if field(fields, name) == "on" {
            scope = Some(match scope {
                Some(s) => s.union(bit),
                None => bit,
            });
        }
    }
    scope.ok_or_else(|| field_error(Msg::FieldScope, Msg::TickAScope))
}

/// The 1-based page number of query parameter `name` (default `default`), clamped to
/// 1..=pages.
pub(crate) fn page_number(
    query: &HashMap<String, String>,
    name: &str,
    pages: u64,
    default: u64,
) -> u64 {
    let asked = query
        .get(name)
        .and_then(|p| p.trim().parse::<u64>().ok())
        .unwrap_or(default);
    asked.clamp(1, pages.max(1))
}

/// Number of pages for `count` rows.
pub(crate) fn pages_for(count: u64) -> u64 {
    count.div_ceil(PAGE_SIZE).max(1)
}

/// The index range (`lo..hi`, ascending) of page `page` (1 = newest) of `count` rows
/// listed newest first.
pub(crate) fn newest_first_range(count: u64, page: u64) -> (u64, u64) {
    let hi = count.saturating_sub((page - 1) * PAGE_SIZE);
    (hi.saturating_sub(PAGE_SIZE), hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_run_newest_first() {
        assert_eq!(pages_for(0), 1);
        assert_eq!(pages_for(25), 1);
        assert_eq!(pages_for(26), 2);
        assert_eq!(newest_first_range(30, 1), (5, 30));
        assert_eq!(newest_first_range(30, 2), (0, 5));
        assert_eq!(newest_first_range(0, 1), (0, 0));
    }

    #[test]
    fn page_numbers_are_clamped() {
        let mut q = HashMap::new();
        assert_eq!(page_number(&q, "page", 3, 1), 1);
        q.insert("page".to_string(), "9".to_string());
        assert_eq!(page_number(&q, "page", 3, 1), 3);
        q.insert("page".to_string(), "x".to_string());
        assert_eq!(page_number(&q, "page", 3, 2), 2);
    }

    #[test]
    fn lengths_of_time_come_in_blocks_or_days() {
        let mut f = Fields::new();
        f.insert("expires_in".into(), "7".into());
        assert_eq!(blocks(&f, "expires_in", Msg::FieldExpiresIn), Ok(7));
        f.insert("expires_in_unit".into(), "days".into());
        assert_eq!(blocks(&f, "expires_in", Msg::FieldExpiresIn), Ok(7 * 144));
        f.insert("expires_in_unit".into(), "weeks".into());
        assert!(blocks(&f, "expires_in", Msg::FieldExpiresIn).is_err());
    }

    #[test]
    fn scope_needs_a_box_ticked() {
        let mut f = Fields::new();
        assert!(scope_of(&f).is_err());
        f.insert("read".into(), "on".into());
        f.insert("share".into(), "on".into());
        assert_eq!(scope_of(&f).unwrap().to_string(), "read,share");
    }
}
