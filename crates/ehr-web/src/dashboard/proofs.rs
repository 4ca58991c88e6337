//! Zero-knowledge claims in the dashboard: a patient proves a claim about one of its
//! records (from the signed set the record's author gave it) and downloads the proof as a
//! file to share; anyone checks one on `/verify-proof`, with no account: that page only
//! reads the chain. The rules are the SDK's (`ehr_sdk::claims`), the same as
//! `ehr prove` and `ehr verify-proof`.

use crate::dashboard::i18n::{sdk, Msg, Text};
use std::fmt::Write as _;
use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use base64::Engine as _;
use ehr_sdk::claims::{self, Claim, ClaimProof, ClaimsError, Predicate, SignedSet};
use ehr_sdk::ehr::SendOptions;

use super::views::{self, Frame};
use super::Fields;
use super::{PageError, Reader, RecordId, Upload};
use crate::AppState;

/// The path of the public verifier page.
pub const VERIFY_PATH: &str = "/verify-proof";

/// The largest proof the verifier page reads (a proof is about 3 KB).
pub const MAX_PROOF_BYTES: usize = 64 * 1024;

/// `POST /records/{id}/proof`: the proof, as a file to download.
pub async fn prove(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RecordId(id): RecordId,
    upload: Upload,
) -> Result<Response, PageError> {
    let ctx = &upload.0;
    let refused = |e: Text| Err(PageError::Unprocessable(e));
    let Some(set) = upload.1.get("set").filter(|f| !f.data.is_empty()) else {
        return refused(Msg::ProofChooseSet.into());
    };
    let set: SignedSet = match serde_json::from_slice(&set.data) {
        Ok(s) => s,
        Err(e) => return refused(Text::new(Msg::ProofNotASet).with("why", e)),
    };
    if set.record.id != id {
        return refused(
            Text::new(Msg::ProofOtherRecord)
                .with("set", set.record.id)
                .with("id", id),
        );
    }
    let (a, b) = (upload.text("a"), upload.text("b"));
    let claim = match upload.text("claim").as_str() {
        "below" => Claim::Below(&a),
        "at-least" => Claim::AtLeast(&a),
        "between" => Claim::Between(&a, &b),
        "within-days" => match a.trim().parse() {
            Ok(days) => Claim::WithinDays(days),
            Err(_) => return refused(Text::new(Msg::ProofNotDays).with("text", &a)),
        },
        other => return refused(Text::new(Msg::ProofUnknownClaim).with("claim", other)),
    };
    // A grantee's read is logged on chain first: a transaction, under the account's lock.
    let made = state
        .serialized(&ctx.me, async {
            let (path, entry) = set.field(&upload.text("field"))?;
            let predicate = Predicate::from_claim(claim, &entry.kind, claims::value::today())?;
            claims::prove_record(
                &state.client,
                ctx.me.key(),
                &set,
                &path,
                predicate,
                Some(&state.store),
                &SendOptions::default(),
            )
            .await
        })
        .await;
    match made {
        Ok(proof) if upload.text("as") == "qr" => {
            match qr_view(
                ctx.frame(ctx.t(Msg::ProofTitle), "/records", None),
                &headers,
                id,
                &proof,
            ) {
                Ok(view) => views::respond(StatusCode::OK, &view),
                Err(e) => refused(e),
            }
        }
        Ok(proof) => Ok((
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/json".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"proof-record-{id}.json\""),
                ),
            ],
            proof.to_json() + "\n",
        )
            .into_response()),
        Err(e) => refused(sdk::claims(&e)),
    }
}

/// The page that shares a proof: a QR code of the verifier link (the proof itself, in
/// compact form, is in the link: a phone's camera opens the verdict), the link as text,
/// and the proof file to download.
#[derive(Template)]
#[template(path = "proof_qr.html")]
struct QrView<'a> {
    frame: Frame<'a>,
    id: u64,
    claim: String,
    /// The verifier link.
    link: String,
    /// The host the link names.
    host: String,
    /// The proof file, base64.
    file: String,
    /// The QR code's side, in modules (with the quiet zone).
    side: usize,
    /// The QR code's dark modules, as an SVG path.
    path: String,
}

/// The QR page's content for `proof` of record `id`, or why the proof does not fit a QR
/// code.
fn qr_view<'a>(
    frame: Frame<'a>,
    headers: &HeaderMap,
    id: u64,
    proof: &ClaimProof,
) -> Result<QrView<'a>, Text> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let link = format!("http://{host}{VERIFY_PATH}?proof={}", proof.to_compact());
    let code = qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::L)
        .map_err(|e| Text::new(Msg::ProofNoQr).with("why", e))?;
    let (side, path) = qr_path(&code);
    Ok(QrView {
        frame,
        id,
        claim: proof.claim.to_string(),
        host: host.to_string(),
        file: base64::engine::general_purpose::STANDARD.encode(proof.to_json() + "\n"),
        link,
        side,
        path,
    })
}

/// A QR code as an SVG path: each row's dark runs as strokes of one module's width (a
/// dense code stays a few tens of KB, where a rectangle per module is hundreds), with the
/// four-module quiet zone scanners need; and the side of the square it fills.
fn qr_path(code: &qrcode::QrCode) -> (usize, String) {
    const QUIET: usize = 4;
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        let mut pen: Option<usize> = None;
        while x < width {
            if row[x] != qrcode::Color::Dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == qrcode::Color::Dark {
                x += 1;
            }
            let run = x - start;
            match pen {
                None => {
                    let _ = write!(path, "M{} {}.5h{run}", start + QUIET, y + QUIET);
                }
                Some(end) => {
                    let _ = write!(path, "m{} 0h{run}", start - end);
                }
            }
            pen = Some(x);
        }
    }
    (width + 2 * QUIET, path)
}

/// What the verifier page says about a proof.
enum Verdict {
    /// Nothing asked yet.
    None,
    /// It could not be read or checked, or does not verify: why.
    Error(String),
    /// It verifies.
    Verified(Verified),
}

/// A proof that verifies, as the page shows it.
struct Verified {
    claim: String,
    record: u64,
    author: String,
    role: String,
    anchored_at: u64,
    leaks: String,
}

/// The public verifier page.
#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyView<'a> {
    frame: Frame<'a>,
    verdict: Verdict,
    verify_path: &'static str,
}

/// The verifier page with `verdict` and `status`: no account, no navigation of an
/// account's pages.
fn public_page(reader: &Reader, status: StatusCode, verdict: Verdict) -> Response {
    let view = VerifyView {
        frame: Frame {
            title: reader.lang.t(Msg::VerifyTitle),
            section: VERIFY_PATH,
            account: None,
            accounts: Vec::new(),
            csrf: "",
            notifications: None,
            tip: None,
            index_lag: None,
            refresh: None,
            lang: reader.lang,
            here: reader.here.clone(),
        },
        verdict,
        verify_path: VERIFY_PATH,
    };
    views::respond(status, &view).unwrap_or_else(IntoResponse::into_response)
}

/// `GET /verify-proof`: the public verifier page; with `?proof=` (a proof's QR code or
/// link), the verdict on that proof.
pub async fn verify_page(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    query: Result<Query<Fields>, QueryRejection>,
) -> Response {
    match query {
        Ok(Query(fields)) => match fields.get("proof") {
            Some(proof) => verdict(&state, &reader, proof).await,
            None => public_page(&reader, StatusCode::OK, Verdict::None),
        },
        Err(e) => unreadable(&reader, Msg::VerifyTheLink, &e),
    }
}

/// `POST /verify-proof`: the verdict, on the public page.
pub async fn verify(
    State(state): State<Arc<AppState>>,
    reader: Reader,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    match &form {
        Ok(Form(fields)) => {
            verdict(
                &state,
                &reader,
                fields.get("proof").map_or("", String::as_str),
            )
            .await
        }
        Err(e) => unreadable(&reader, Msg::VerifyTheForm, &e),
    }
}

/// The verifier page, saying that `what` (the link, the form) could not be read.
fn unreadable(reader: &Reader, what: Msg, e: &dyn std::fmt::Display) -> Response {
    let lang = reader.lang;
    public_page(
        reader,
        StatusCode::BAD_REQUEST,
        Verdict::Error(lang.f(
            Msg::VerifyUnreadable,
            &[("what", lang.t(what).to_string()), ("why", e.to_string())],
        )),
    )
}

/// The verdict on a proof in any of its forms (file text, compact, link), on the public
/// page.
async fn verdict(state: &AppState, reader: &Reader, text: &str) -> Response {
    let lang = reader.lang;
    if text.len() > MAX_PROOF_BYTES {
        return public_page(
            reader,
            StatusCode::PAYLOAD_TOO_LARGE,
            Verdict::Error(lang.t(Msg::VerifyTooLarge).into()),
        );
    }
    let verdict = async {
        let proof = ClaimProof::parse(text.as_bytes())?;
        claims::verify_on_chain(&state.client, &proof, claims::value::today()).await
    }
    .await;
    match verdict {
        Ok(v) => public_page(
            reader,
            StatusCode::OK,
            Verdict::Verified(Verified {
                claim: v.claim.to_string(),
                record: v.record.id,
                author: v.record.author.to_string(),
                role: v.author_role.to_string(),
                anchored_at: v.anchored_at,
                leaks: v.leaks.to_string(),
            }),
        ),
        // The chain could not be read: no verdict on the proof.
        Err(ClaimsError::Client(e)) => public_page(
            reader,
            StatusCode::BAD_GATEWAY,
            Verdict::Error(lang.f(Msg::VerifyChainDown, &[("why", e)])),
        ),
        Err(e) => public_page(
            reader,
            StatusCode::UNPROCESSABLE_ENTITY,
            Verdict::Error(lang.f(Msg::VerifyDoesNot, &[("why", e)])),
        ),
    }
}
