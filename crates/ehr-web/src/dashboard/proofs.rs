//! Zero-knowledge claims in the dashboard: a patient proves a claim about one of its
//! records (from the signed set the record's author gave it) and downloads the proof as a
//! file to share; anyone checks one on `/verify-proof`, with no account: that page only
//! reads the chain. The rules are the SDK's (`ehr_sdk::claims`), the same as
//! `ehr prove` and `ehr verify-proof`.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use base64::Engine as _;
use ehr_sdk::claims::{self, Claim, ClaimProof, ClaimsError, Predicate, SignedSet};
use ehr_sdk::ehr::SendOptions;

use super::views::{self, BuiltPage, Frame};
use super::Fields;
use super::{PageError, RecordId, Upload};
use crate::html;
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
    let section = format!("/records/{id}");
    let refused = |e: String| Err(PageError::Unprocessable(e));
    let Some(set) = upload.1.get("set").filter(|f| !f.data.is_empty()) else {
        return refused("choose the signed claims set file the record's author gave you".into());
    };
    let set: SignedSet = match serde_json::from_slice(&set.data) {
        Ok(s) => s,
        Err(e) => return refused(format!("that file is not a signed claims set: {e}")),
    };
    if set.record.id != id {
        return refused(format!(
            "that set is record #{}'s, not #{id}'s",
            set.record.id
        ));
    }
    let (a, b) = (upload.text("a"), upload.text("b"));
    let claim = match upload.text("claim").as_str() {
        "below" => Claim::Below(&a),
        "at-least" => Claim::AtLeast(&a),
        "between" => Claim::Between(&a, &b),
        "within-days" => match a.trim().parse() {
            Ok(days) => Claim::WithinDays(days),
            Err(_) => return refused(format!("`{a}` is not a number of days")),
        },
        other => return refused(format!("`{other}` is not a claim this page makes")),
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
        Ok(proof) if upload.text("as") == "qr" => match qr_page(&headers, id, &proof) {
            Ok(body) => ctx.render("A proof to share", &section, &body),
            Err(e) => refused(e),
        },
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
        Err(e) => refused(e.to_string()),
    }
}

/// The page that shares a proof: a QR code of the verifier link (the proof itself, in
/// compact form, is in the link: a phone's camera opens the verdict), the link as text,
/// and the proof file to download.
fn qr_page(headers: &HeaderMap, id: u64, proof: &ClaimProof) -> Result<String, String> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let link = format!("http://{host}{VERIFY_PATH}?proof={}", proof.to_compact());
    let code = qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::L)
        .map_err(|e| format!("the proof does not fit a QR code ({e}): share the file instead"))?;
    let svg = qr_svg(&code);
    let file = base64::engine::general_purpose::STANDARD.encode(proof.to_json() + "\n");
    Ok(format!(
        "{}<figure class=\"qr\">{svg}<figcaption id=\"qr-what\">QR code of the verifier link for record #{id}: {}</figcaption></figure>\
         <p>Anyone who scans it opens <a href=\"{}\">the verifier page</a> with this proof; \
         it checks the proof against the chain and needs no account. The link works while this \
         server is reachable at <code>{}</code>; the file and the text below work with any \
         verifier (<code>ehr verify-proof</code> takes either).</p>\
         <p><a download=\"proof-record-{id}.json\" href=\"data:application/json;base64,{file}\">Download the proof file</a></p>{}",
        html::notice("ok", &format!("Proof made: {}", proof.claim)),
        html::escape(&proof.claim),
        html::escape(&link),
        html::escape(host),
        html::textarea(
            "qr-link",
            "link",
            "The link, as text",
            4,
            "readonly spellcheck=\"false\"",
            &link
        ),
    ))
}

/// A QR code as a small SVG: each row's dark runs as strokes of one module's width (a
/// dense code stays a few tens of KB, where a rectangle per module is hundreds), with the
/// four-module quiet zone scanners need.
fn qr_svg(code: &qrcode::QrCode) -> String {
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
    let side = width + 2 * QUIET;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"qr-what\" \
         class=\"qr\" width=\"320\" height=\"320\" viewBox=\"0 0 {side} {side}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" \
         fill=\"#fff\"/><path stroke=\"#000\" stroke-width=\"1\" d=\"{path}\"/></svg>"
    )
}

/// The verifier page's frame: no account, no navigation of an account's pages.
fn public_page(status: StatusCode, body: &str) -> Response {
    let frame = Frame {
        title: "Verify a proof",
        section: VERIFY_PATH,
        account: None,
        accounts: Vec::new(),
        csrf: "",
        notifications: None,
        tip: None,
        index_lag: None,
        refresh: None,
    };
    match views::respond(status, &BuiltPage { frame, body }) {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

fn verify_form() -> String {
    format!(
        "<p>Paste a proof: the file (JSON), a compact proof or a proof's link. It is checked against the chain: the proof itself, the \
         author's signature, the anchor on chain, that the author is the patient or a \
         verified doctor, and that the record is the latest version. No account is needed, \
         and nothing is written.</p><form method=\"post\" action=\"{VERIFY_PATH}\">{}<button \
         type=\"submit\">Verify</button></form>",
        html::textarea(
            "vp-proof",
            "proof",
            "Proof",
            10,
            "required spellcheck=\"false\"",
            ""
        )
    )
}

/// `GET /verify-proof`: the public verifier page; with `?proof=` (a proof's QR code or
/// link), the verdict on that proof.
pub async fn verify_page(
    State(state): State<Arc<AppState>>,
    query: Result<Query<Fields>, QueryRejection>,
) -> Response {
    match query {
        Ok(Query(fields)) => match fields.get("proof") {
            Some(proof) => verdict(&state, proof).await,
            None => public_page(StatusCode::OK, &verify_form()),
        },
        Err(e) => unreadable("the link", &e),
    }
}

/// `POST /verify-proof`: the verdict, on the public page.
pub async fn verify(
    State(state): State<Arc<AppState>>,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    match &form {
        Ok(Form(fields)) => verdict(&state, fields.get("proof").map_or("", String::as_str)).await,
        Err(e) => unreadable("the form", &e),
    }
}

/// The verifier page, saying that `what` (the link, the form) could not be read.
fn unreadable(what: &str, e: &dyn std::fmt::Display) -> Response {
    public_page(
        StatusCode::BAD_REQUEST,
        &format!(
            "{}{}",
            html::notice("error", &format!("{what} could not be read: {e}")),
            verify_form()
        ),
    )
}

/// The verdict on a proof in any of its forms (file text, compact, link), on the public
/// page.
async fn verdict(state: &AppState, text: &str) -> Response {
    if text.len() > MAX_PROOF_BYTES {
        return public_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "{}{}",
                html::notice("error", "that is far larger than a proof"),
                verify_form()
            ),
        );
    }
    let verdict = async {
        let proof = ClaimProof::parse(text.as_bytes())?;
        claims::verify_on_chain(&state.client, &proof, claims::value::today()).await
    }
    .await;
    let (status, body) = match verdict {
        Ok(v) => (
            StatusCode::OK,
            format!(
                "{}{}",
                html::notice("ok", &format!("Verified: {}", v.claim)),
                html::fields(&[
                    ("Record", format!("#{}", v.record.id)),
                    (
                        "Author",
                        format!(
                            "<code class=\"addr\">{}</code> ({})",
                            html::escape(&v.record.author.to_string()),
                            html::escape(&v.author_role.to_string())
                        ),
                    ),
                    ("Anchored", format!("block {}", v.anchored_at)),
                    ("What the proof reveals", html::escape(&v.leaks)),
                ])
            ),
        ),
        // The chain could not be read: no verdict on the proof.
        Err(ClaimsError::Client(e)) => (
            StatusCode::BAD_GATEWAY,
            html::notice(
                "error",
                &format!("the chain could not be read, so the proof was not checked: {e}"),
            ),
        ),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            html::notice("error", &format!("Does NOT verify: {e}")),
        ),
    };
    public_page(status, &format!("{body}{}", verify_form()))
}
