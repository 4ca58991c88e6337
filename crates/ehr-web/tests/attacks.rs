//! `ehr serve` attacked from outside, one test per attack: acting for someone who is not
//! your ward, open redirects and header injection, Host spoofing behind `--public-url`,
//! reading another patient's records by id, hand-over of a token you do not hold, a
//! replayed attestation, malformed and oversize fields. Each refusal is asserted
//! exactly: its status, and that the acting account signed nothing (its nonce).

mod support;

use ehr_sdk::ehr::calls;
use ehr_sdk::ehr::types::Scope;
use reqwest::header::{COOKIE, HOST, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use support::{account, principal, Server};

const PATIENT: &str = "wallet_1";
const DOCTOR: &str = "wallet_2";
const ISSUER: &str = "wallet_3";
const STRANGER: &str = "wallet_4";
const GUARDIAN: &str = "wallet_5";
const NEW_DOCTOR: &str = "wallet_6";

/// What only the patient's record says: never on a page another account reads.
const MARKER: &str = "zebra-7741";

fn cookie(server: &Server, who: &str) -> String {
    format!("ehr_session={}; ehr_account={who}", server.session)
}

/// A client that follows no redirect.
fn plain() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// GET `path` as `who`: (status, body).
async fn get(server: &Server, who: &str, path: &str) -> (u16, String) {
    let r = plain()
        .get(server.url(path))
        .header(COOKIE, cookie(server, who))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// POSTs a form as `who` with the CSRF token: (status, Location, body).
async fn post(
    server: &Server,
    who: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let r = server.post_form(&cookie(server, who), path, form).await;
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_string());
    (status, location, r.text().await.unwrap())
}

/// Waits until the operation page at `op` says done or failed, and returns it.
async fn ended(server: &Server, who: &str, op: &str) -> String {
    for _ in 0..300 {
        let (_, page) = get(server, who, op).await;
        if page.contains("data-state=\"done\"") || page.contains("data-state=\"failed\"") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{op}: the operation never ended");
}

/// Posts a form that starts an operation and waits for it to be done.
async fn done(server: &Server, who: &str, path: &str, form: &[(&str, &str)]) -> String {
    let (status, location, body) = post(server, who, path, form).await;
    assert_eq!(status, 303, "POST {path} as {who}: {body}");
    let op = location.expect("a redirect to the operation");
    let page = ended(server, who, &op).await;
    assert!(page.contains("data-state=\"done\""), "not done: {page}");
    page
}

// ---------------------------------------------------------------------------------------
// The language switch: redirects stay on this site, and no header can be injected.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lang_switch_back_to_another_site_goes_home() {
    let server = support::start_with(&[PATIENT]).await;
    for back in [
        "%2F%2Fevil.example",
        "//evil.example",
        "%2F%5Cevil.example",
        "/%5C/evil.example",
        "%5C%5Cevil.example",
        "https%3A%2F%2Fevil.example%2F",
        "https:evil.example",
        "javascript:alert(1)",
        "evil.example",
        "%2F%09%2Fevil.example",
        "%2F%0A%2Fevil.example",
        "%20%2F%2Fevil.example",
        "%2F%2F%2Fevil.example",
        "",
    ] {
        let r = plain()
            .get(server.url(&format!("/lang?to=fr&back={back}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "back={back}");
        assert_eq!(r.headers()[LOCATION], "/", "back={back}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lang_switch_with_crlf_injects_no_header() {
    let server = support::start_with(&[PATIENT]).await;
    let injected = "%0D%0ASet-Cookie:%20ehr_session=evil";
    // In `back`: the control characters make it no local path.
    let r = plain()
        .get(server.url(&format!("/lang?to=fr&back=/records{injected}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()[LOCATION], "/");
    let cookies: Vec<_> = r.headers().get_all(SET_COOKIE).iter().collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].to_str().unwrap().starts_with("ehr_lang=fr;"));
    // In `to`: no language of ours, a 400 with no cookie.
    let r = plain()
        .get(server.url(&format!("/lang?to=fr{injected}&back=/")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.headers().get(SET_COOKIE).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lang_switch_back_with_non_ascii_stays_on_this_site() {
    let server = support::start_with(&[PATIENT]).await;
    for back in ["/%C3%A9t%C3%A9", "/records%E2%80%A8", "/%F0%9F%98%80"] {
        let r = plain()
            .get(server.url(&format!("/lang?to=fr&back={back}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "back={back}");
        // A path on this site (its bytes as given: a header value may carry UTF-8).
        let location = r.headers()[LOCATION].as_bytes();
        assert!(
            location.starts_with(b"/")
                && !location.starts_with(b"//")
                && !location.contains(&b'\\'),
            "back={back}: {location:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Login links.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_link_on_a_double_slash_or_backslash_path_stays_on_this_site() {
    let server = support::start_with(&[PATIENT]).await;
    for path in ["//evil.example/", "///evil.example", "//evil.example/%2F.."] {
        let code = server.state.new_login_code();
        let url = format!("{}{path}?token={code}", server.base);
        let r = plain().get(&url).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 303, "{url}");
        let location = r.headers()[LOCATION].to_str().unwrap().to_string();
        assert!(
            location.starts_with('/') && !location.starts_with("//"),
            "{url} redirects to {location}"
        );
    }
    // A backslash (which browsers read as a slash) sent raw, as no URL library would.
    for path in ["/\\evil.example/", "/\\/evil.example", "\\\\evil.example"] {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let code = server.state.new_login_code();
        let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        let request = format!(
            "GET {path}?token={code} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        );
        tcp.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        tcp.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        let location = answer
            .lines()
            .find_map(|l| l.strip_prefix("location: "))
            .unwrap_or("");
        assert!(
            !location.starts_with("//") && !location.contains('\\'),
            "{path}: {answer}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Acting for someone who is not your ward.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposed_guardian_that_has_not_accepted_acts_for_nobody() {
    let server = support::start_with(&[PATIENT, STRANGER]).await;
    support::register_people(&server).await;
    // The patient proposes the stranger; it has not accepted.
    support::run(
        &server,
        PATIENT,
        calls::set_guardian(&principal(STRANGER), true).unwrap(),
    )
    .await;
    let w = principal(PATIENT).to_string();
    let doctor = principal(DOCTOR).to_string();
    let before = support::sent(&server, STRANGER).await;
    for path in [format!("/patient?for={w}"), format!("/access?for={w}")] {
        let (status, _) = get(&server, STRANGER, &path).await;
        assert_eq!(status, 403, "GET {path}");
    }
    for (path, form) in [
        (
            "/patient/emergency",
            vec![("allowed", "false"), ("for", &*w)],
        ),
        (
            "/access/create-token",
            vec![("read", "on"), ("expires_in", "10"), ("for", &*w)],
        ),
        (
            "/access/grant",
            vec![
                ("grantee", &*doctor),
                ("read", "on"),
                ("expires_in", "10"),
                ("for", &*w),
            ],
        ),
    ] {
        let (status, _, body) = post(&server, STRANGER, path, &form).await;
        assert_eq!(status, 403, "POST {path}: {body}");
    }
    assert_eq!(
        support::sent(&server, STRANGER).await,
        before,
        "the stranger signed"
    );
    assert!(server
        .client
        .is_emergency_allowed(&principal(PATIENT))
        .await
        .unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guardian_that_resigned_acts_for_its_former_ward_no_more() {
    let server = support::with_guardian().await;
    support::run(
        &server,
        GUARDIAN,
        calls::resign_guardian(&principal(PATIENT)).unwrap(),
    )
    .await;
    let w = principal(PATIENT).to_string();
    let before = support::sent(&server, GUARDIAN).await;
    let (status, _) = get(&server, GUARDIAN, &format!("/patient?for={w}")).await;
    assert_eq!(status, 403);
    let (status, _, body) = post(
        &server,
        GUARDIAN,
        "/patient/emergency",
        &[("allowed", "false"), ("for", &w)],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(support::sent(&server, GUARDIAN).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guardian_of_one_patient_acts_for_no_other() {
    let server = support::with_guardian().await;
    // The doctor registers as a patient too: the guardian is not its guardian.
    support::run(
        &server,
        DOCTOR,
        calls::register_patient(&[3; 32], &account(DOCTOR).secret_key.public_key()).unwrap(),
    )
    .await;
    let other = principal(DOCTOR).to_string();
    let before = support::sent(&server, GUARDIAN).await;
    // By address and by account name alike.
    for who in [other.as_str(), DOCTOR] {
        let (status, _) = get(&server, GUARDIAN, &format!("/access?for={who}")).await;
        assert_eq!(status, 403, "for={who}");
        let (status, _, body) = post(
            &server,
            GUARDIAN,
            "/patient/guardian",
            &[("guardian", STRANGER), ("enabled", "true"), ("for", who)],
        )
        .await;
        assert_eq!(status, 403, "for={who}: {body}");
    }
    assert_eq!(support::sent(&server, GUARDIAN).await, before);
    assert!(server
        .client
        .get_guardians(&principal(DOCTOR))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guardian_revokes_no_token_of_another_patient() {
    let server = support::with_guardian().await;
    // The doctor, a patient too, holds a token of its own.
    support::run(
        &server,
        DOCTOR,
        calls::register_patient(&[3; 32], &account(DOCTOR).secret_key.public_key()).unwrap(),
    )
    .await;
    let tip = support::tip(&server).await;
    support::run(
        &server,
        DOCTOR,
        calls::create_token(Scope::READ, None, tip + 100).unwrap(),
    )
    .await;
    let before = support::sent(&server, GUARDIAN).await;
    // A `for` naming its real ward changes nothing: the token's patient is checked.
    let w = principal(PATIENT).to_string();
    for form in [
        vec![("token", "1")],
        vec![("token", "1"), ("for", w.as_str())],
    ] {
        let (status, _, body) = post(&server, GUARDIAN, "/access/revoke", &form).await;
        assert_eq!(status, 403, "{form:?}: {body}");
    }
    assert_eq!(support::sent(&server, GUARDIAN).await, before);
    assert!(!server.client.get_token(1).await.unwrap().unwrap().revoked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivate_naming_a_ward_deactivates_nobody() {
    let server = support::with_guardian().await;
    // The guardian is a registered patient itself.
    support::run(
        &server,
        GUARDIAN,
        calls::register_patient(&[5; 32], &account(GUARDIAN).secret_key.public_key()).unwrap(),
    )
    .await;
    let w = principal(PATIENT).to_string();
    let before = support::sent(&server, GUARDIAN).await;
    // There is no deactivate-for: a form naming the ward must not close the guardian's
    // own registration instead.
    let (status, _, body) = post(
        &server,
        GUARDIAN,
        "/patient/deactivate",
        &[("confirm", "deactivate"), ("for", &w)],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(support::sent(&server, GUARDIAN).await, before);
    let c = &server.client;
    assert!(c.is_registered(&principal(GUARDIAN)).await.unwrap());
    assert!(c.is_registered(&principal(PATIENT)).await.unwrap());
}

// ---------------------------------------------------------------------------------------
// Token hand-over.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_over_of_a_token_you_do_not_hold_signs_nothing() {
    let server = support::with_guardian().await;
    let tip = support::tip(&server).await;
    // The patient holds token #1.
    support::run(
        &server,
        PATIENT,
        calls::create_token(Scope::READ, None, tip + 100).unwrap(),
    )
    .await;
    let doctor = principal(DOCTOR).to_string();
    // A stranger, the ward's guardian (the ward holds it), the doctor itself.
    for who in [STRANGER, GUARDIAN, DOCTOR] {
        let before = support::sent(&server, who).await;
        let (status, _, body) = post(
            &server,
            who,
            "/access/hand-over",
            &[("token", "1"), ("recipient", &doctor)],
        )
        .await;
        assert_eq!(status, 403, "{who}: {body}");
        assert_eq!(support::sent(&server, who).await, before, "{who} signed");
    }
    // A token that does not exist.
    let before = support::sent(&server, PATIENT).await;
    let (status, _, body) = post(
        &server,
        PATIENT,
        "/access/hand-over",
        &[("token", "99"), ("recipient", &doctor)],
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(support::sent(&server, PATIENT).await, before);
    assert_eq!(
        server.client.get_token(1).await.unwrap().unwrap().grantee,
        principal(PATIENT)
    );
}

// ---------------------------------------------------------------------------------------
// Issuer attestations.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_attestation_signs_nothing() {
    let server = support::start_with(&[DOCTOR, ISSUER, NEW_DOCTOR]).await;
    support::register_people(&server).await;
    support::register_second_doctor(&server, NEW_DOCTOR).await;
    let (status, _, page) = post(
        &server,
        ISSUER,
        "/admin/attest",
        &[("doctor", NEW_DOCTOR), ("expires_in", "500")],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let (expires_at, signature) = support::attestation_of(&page);
    let form = [
        ("issuer", ISSUER),
        ("expires_at", expires_at.as_str()),
        ("signature", signature.as_str()),
    ];
    done(&server, NEW_DOCTOR, "/doctor/attest", &form).await;
    assert!(server
        .client
        .is_verified(&principal(NEW_DOCTOR))
        .await
        .unwrap());
    // The same attestation again: the contract keeps every attestation it took, and
    // refuses it a second time; the dashboard refuses it before signing.
    let before = support::sent(&server, NEW_DOCTOR).await;
    let (status, _, body) = post(&server, NEW_DOCTOR, "/doctor/attest", &form).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        support::sent(&server, NEW_DOCTOR).await,
        before,
        "a replay was signed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attestation_for_another_doctor_is_refused_before_signing() {
    let server = support::start_with(&[DOCTOR, ISSUER, NEW_DOCTOR]).await;
    support::register_people(&server).await;
    support::register_second_doctor(&server, NEW_DOCTOR).await;
    // Signed for the new doctor; submitted by the other doctor, and by a
    // non-doctor (the issuer itself).
    let (_, _, page) = post(
        &server,
        ISSUER,
        "/admin/attest",
        &[("doctor", NEW_DOCTOR), ("expires_in", "500")],
    )
    .await;
    let (expires_at, signature) = support::attestation_of(&page);
    let form = [
        ("issuer", ISSUER),
        ("expires_at", expires_at.as_str()),
        ("signature", signature.as_str()),
    ];
    for (who, status) in [(DOCTOR, 403), (ISSUER, 422)] {
        let before = support::sent(&server, who).await;
        let (got, _, body) = post(&server, who, "/doctor/attest", &form).await;
        assert_eq!(got, status, "{who}: {body}");
        assert_eq!(support::sent(&server, who).await, before, "{who} signed");
    }
    // Naming another issuer than the signer.
    let before = support::sent(&server, NEW_DOCTOR).await;
    let (got, _, body) = post(
        &server,
        NEW_DOCTOR,
        "/doctor/attest",
        &[
            ("issuer", DOCTOR),
            ("expires_at", &expires_at),
            ("signature", &signature),
        ],
    )
    .await;
    assert_eq!(got, 422, "{body}");
    assert_eq!(support::sent(&server, NEW_DOCTOR).await, before);
    assert!(!server
        .client
        .is_verified(&principal(NEW_DOCTOR))
        .await
        .unwrap());
}

// ---------------------------------------------------------------------------------------
// Reading another patient's records.
// ---------------------------------------------------------------------------------------

/// The patient's record #1, saying [`MARKER`]; the patient has read its list and
/// timeline (so the summary is kept in memory).
async fn with_a_record(server: &Server) {
    let record = format!(
        r#"{{"resourceType":"Observation","status":"final","code":{{"text":"Blood pressure"}},"valueString":"{MARKER}","effectiveDateTime":"2026-03-01"}}"#
    );
    done(server, PATIENT, "/records", &[("text", &record)]).await;
    for path in ["/records", "/records/timeline", "/records/1/view"] {
        let (status, page) = get(server, PATIENT, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(page.contains(MARKER), "{path}: {page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_patients_record_is_never_decrypted_for_a_stranger_or_guardian() {
    let server = support::with_guardian().await;
    with_a_record(&server).await;
    let p = principal(PATIENT).to_string();
    // The guardian is on the patient's side but holds no key envelope: 422, not 403.
    for (who, refused) in [(STRANGER, 403), (GUARDIAN, 422), (DOCTOR, 403)] {
        for path in [
            format!("/records?patient={p}"),
            format!("/records?patient={PATIENT}"),
            format!("/records/timeline?patient={p}"),
            "/records/1".to_string(),
        ] {
            let (status, page) = get(&server, who, &path).await;
            assert_eq!(status, 200, "{who} {path}");
            assert!(!page.contains(MARKER), "{who} {path}: {page}");
        }
        for path in ["/records/1/view", "/records/1/download"] {
            let (status, page) = get(&server, who, path).await;
            assert_eq!(status, refused, "{who} {path}");
            assert!(!page.contains(MARKER), "{who} {path}: {page}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logged_view_opens_the_record_for_its_reader_only() {
    let server = support::with_guardian().await;
    with_a_record(&server).await;
    // The patient grants the doctor and shares the key; the doctor opens the record
    // (its view logged on chain) and is sent to the view with its operation.
    done(
        &server,
        PATIENT,
        "/access/grant",
        &[
            ("grantee", DOCTOR),
            ("read", "on"),
            ("expires_in", "100"),
            ("share_keys", "on"),
        ],
    )
    .await;
    let (status, location, body) = post(&server, DOCTOR, "/records/1/open", &[]).await;
    assert_eq!(status, 303, "{body}");
    let location = location.unwrap();
    let view = match location.strip_prefix("/op/") {
        Some(op) => {
            let page = ended(&server, DOCTOR, &location).await;
            assert!(page.contains("data-state=\"done\""), "{page}");
            format!("/records/1/view?op={op}")
        }
        None => location,
    };
    assert!(view.starts_with("/records/1/view?op="), "{view}");
    let (status, page) = get(&server, DOCTOR, &view).await;
    assert_eq!(status, 200, "{view}");
    assert!(page.contains(MARKER), "{page}");
    // Nobody else opens it with the doctor's operation; the doctor not without it.
    // (The guardian is on the patient's side, which decrypts with its own envelope
    // and no log: it holds none, so it is told so, 422.)
    for (who, refused) in [(STRANGER, 403), (GUARDIAN, 422)] {
        let (status, page) = get(&server, who, &view).await;
        assert_eq!(status, refused, "{who} {view}");
        assert!(!page.contains(MARKER));
        let download = view.replace("/view", "/download");
        let (status, page) = get(&server, who, &download).await;
        assert_eq!(status, refused, "{who} {download}");
        assert!(!page.contains(MARKER));
    }
    for path in ["/records/1/view", "/records/1/view?op=nope"] {
        let (status, _) = get(&server, DOCTOR, path).await;
        assert_eq!(status, 403, "{path}");
    }
    // Its list and timeline still say nothing of the content.
    let p = principal(PATIENT).to_string();
    for path in [
        format!("/records?patient={p}"),
        format!("/records/timeline?patient={p}"),
    ] {
        let (_, page) = get(&server, DOCTOR, &path).await;
        assert!(!page.contains(MARKER), "{path}: {page}");
    }
}

// ---------------------------------------------------------------------------------------
// CSRF.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_in_the_body_or_an_empty_header_is_refused() {
    let server = support::with_guardian().await;
    let before = support::sent(&server, PATIENT).await;
    let http = plain();
    let form = [("allowed", "false"), ("csrf", server.csrf.as_str())];
    // The token as a form field, not in the query or header.
    let r = http
        .post(server.url("/patient/emergency"))
        .header(COOKIE, cookie(&server, PATIENT))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // An empty header, a prefix of the token, the token with a suffix.
    let prefix = &server.csrf[..server.csrf.len() - 1];
    let longer = format!("{}0", server.csrf);
    for given in ["", prefix, longer.as_str()] {
        let r = http
            .post(server.url("/patient/emergency"))
            .header(COOKIE, cookie(&server, PATIENT))
            .header("x-csrf-token", given)
            .form(&[("allowed", "false")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "{given:?}");
    }
    // The right token with no session.
    let r = http
        .post(server.url(&format!("/patient/emergency?csrf={}", server.csrf)))
        .header(COOKIE, format!("ehr_account={PATIENT}"))
        .form(&[("allowed", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(support::sent(&server, PATIENT).await, before);
    assert!(server
        .client
        .is_emergency_allowed(&principal(PATIENT))
        .await
        .unwrap());
}

// ---------------------------------------------------------------------------------------
// Malformed and oversize input.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_oversize_fields_are_client_errors() {
    let server = support::with_guardian().await;
    let before = support::sent(&server, GUARDIAN).await;
    let huge = "S".repeat(100_000);
    let cases: Vec<(&str, Vec<(&str, &str)>, u16)> = vec![
        (
            "/access/revoke",
            vec![("token", "99999999999999999999999")],
            400,
        ),
        ("/access/revoke", vec![("token", "-1")], 400),
        (
            "/access/revoke",
            vec![("token", "18446744073709551615")],
            404,
        ),
        ("/access/approve", vec![("request", "1e3")], 400),
        (
            "/access/hand-over",
            vec![("token", "1"), ("recipient", "")],
            400,
        ),
        (
            "/patient/emergency",
            vec![("allowed", "false"), ("for", &huge)],
            400,
        ),
        (
            "/patient/emergency",
            vec![("allowed", "false"), ("for", "ST1 évil")],
            400,
        ),
        (
            "/patient/guardian",
            vec![("guardian", &huge), ("enabled", "true")],
            400,
        ),
        (
            "/access/grant",
            vec![
                ("grantee", DOCTOR),
                ("read", "on"),
                ("expires_in", "18446744073709551615"),
                ("expires_in_unit", "days"),
            ],
            400,
        ),
        (
            "/patient/update-key",
            vec![("enc_pubkey", &huge), ("for", PATIENT)],
            400,
        ),
        (
            "/doctor/attest",
            vec![
                ("issuer", ISSUER),
                ("expires_at", "9"),
                ("signature", &huge),
            ],
            400,
        ),
    ];
    for (path, form, status) in &cases {
        let (got, _, body) = post(&server, GUARDIAN, path, form).await;
        assert_eq!(got, *status, "POST {path} {:?}: {body}", &form[0]);
    }
    // A body that is not urlencoded UTF-8, and one past the limit.
    let http = plain();
    let url = server.url(&format!("/patient/emergency?csrf={}", server.csrf));
    let r = http
        .post(&url)
        .header(COOKIE, cookie(&server, GUARDIAN))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(&b"allowed=%FF%FE&for=\xff"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = http
        .post(&url)
        .header(COOKIE, cookie(&server, GUARDIAN))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("allowed=false&for={}", "A".repeat(3 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    assert!(matches!(r.status().as_u16(), 400 | 413), "{}", r.status());
    // A multipart upload with a broken boundary.
    let r = http
        .post(server.url(&format!("/records?csrf={}", server.csrf)))
        .header(COOKIE, cookie(&server, GUARDIAN))
        .header("content-type", "multipart/form-data; boundary=xyz")
        .body("--abc\r\nnot a part\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // Record ids that are no ids, on pages.
    for path in [
        "/records/18446744073709551616",
        "/records/-1/view",
        "/records/%23%23/download",
        "/records/1%0D%0A/view",
    ] {
        let (status, _) = get(&server, GUARDIAN, path).await;
        assert_eq!(status, 404, "{path}");
    }
    assert_eq!(support::sent(&server, GUARDIAN).await, before);
}

// ---------------------------------------------------------------------------------------
// Host spoofing behind `--public-url`.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_spoofing_behind_a_public_url_is_refused() {
    let server = support::start_behind_proxy("https://ehr.clinic.example").await;
    let http = plain();
    for host in [
        "evil.example",
        "ehr.clinic.example.evil.example",
        "evil.example.ehr.clinic.example",
        "ehr.clinic.example:8443",
        "ehr.clinic.example@evil.example",
        "",
    ] {
        for path in [
            "/",
            "/fhir/metadata",
            "/lang?to=fr&back=/",
            "/.well-known/smart-configuration",
        ] {
            let r = http
                .get(server.url(path))
                .header(COOKIE, cookie(&server, "wallet_1"))
                .header(HOST, host)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 421, "Host {host:?} {path}");
        }
    }
    // The proxy's Host (any case) is accepted; the switch of account sets a Secure cookie.
    for host in ["ehr.clinic.example", "EHR.Clinic.Example"] {
        let r = http
            .get(server.url("/"))
            .header(COOKIE, cookie(&server, "wallet_1"))
            .header(HOST, host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{host}");
    }
    let r = http
        .post(server.url(&format!("/account?csrf={}", server.csrf)))
        .header(COOKIE, cookie(&server, "wallet_1"))
        .header(HOST, "ehr.clinic.example")
        .form(&[("name", "wallet_2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let set = r.headers()[SET_COOKIE].to_str().unwrap();
    assert!(
        set.starts_with("ehr_account=wallet_2;") && set.contains("; Secure"),
        "{set}"
    );
    // The language cookie too (it names only a language, but a proxy on https is told
    // to send no cookie of this server over plain http).
    let r = http
        .get(server.url("/lang?to=fr&back=/records"))
        .header(HOST, "ehr.clinic.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let set = r.headers()[SET_COOKIE].to_str().unwrap();
    assert!(
        set.starts_with("ehr_lang=fr;") && set.contains("; Secure"),
        "{set}"
    );
    // A login link minted with a spoofed Host still names the public origin only.
    let r = http
        .post(server.url(ehr_web::auth::LOGIN_LINKS_PATH))
        .bearer_auth(&server.token)
        .header(HOST, "ehr.clinic.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    assert!(r
        .text()
        .await
        .unwrap()
        .starts_with("https://ehr.clinic.example/?token="));
}

// ---------------------------------------------------------------------------------------
// Writing into another patient's records.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writing_another_patients_records_without_write_access_signs_nothing() {
    let server = support::with_guardian().await;
    with_a_record(&server).await;
    // The doctor may read, not write.
    done(
        &server,
        PATIENT,
        "/access/grant",
        &[("grantee", DOCTOR), ("read", "on"), ("expires_in", "100")],
    )
    .await;
    let p = principal(PATIENT);
    let patient = p.to_string();
    let text = r#"{"resourceType":"Observation","status":"final","code":{"text":"Forged"},"valueString":"forged"}"#;
    for who in [STRANGER, DOCTOR] {
        let before = support::sent(&server, who).await;
        let (status, _, body) = post(
            &server,
            who,
            "/records",
            &[("patient", &patient), ("text", text)],
        )
        .await;
        assert_eq!(status, 403, "{who} adds: {body}");
        let (status, _, body) = post(&server, who, "/records/1/amend", &[("text", text)]).await;
        assert_eq!(status, 403, "{who} amends: {body}");
        assert_eq!(support::sent(&server, who).await, before, "{who} signed");
    }
    let c = &server.client;
    assert_eq!(c.get_patient_record_count(&p).await.unwrap(), 1);
    assert!(c.get_record(1).await.unwrap().unwrap().is_latest());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sharing_rotating_or_opening_a_record_you_may_not_signs_nothing() {
    let server = support::with_guardian().await;
    with_a_record(&server).await;
    // The doctor may read (not share) and holds the key.
    done(
        &server,
        PATIENT,
        "/access/grant",
        &[
            ("grantee", DOCTOR),
            ("read", "on"),
            ("expires_in", "100"),
            ("share_keys", "on"),
        ],
    )
    .await;
    assert!(server
        .client
        .get_envelope(1, &principal(DOCTOR))
        .await
        .unwrap()
        .is_some());
    // The guardian, a registered patient itself, may read its ward's records: a key
    // could be wrapped to it.
    support::run(
        &server,
        GUARDIAN,
        calls::register_patient(&[5; 32], &account(GUARDIAN).secret_key.public_key()).unwrap(),
    )
    .await;
    let guardian = principal(GUARDIAN).to_string();
    let doctor = principal(DOCTOR).to_string();
    // The record's page offers the share form to the patient only, not to a read-only
    // grantee (who would be refused).
    let cookie = |who: &str| format!("ehr_session={}; ehr_account={who}", server.session);
    let share_form = "action=\"/records/1/share?csrf=";
    let page = server.page(&cookie(PATIENT), "/records/1").await;
    assert!(page.contains(share_form), "{page}");
    let page = server.page(&cookie(DOCTOR), "/records/1").await;
    assert!(!page.contains(share_form), "{page}");
    let attempts: Vec<(&str, &str, Vec<(&str, &str)>)> = vec![
        // A read-only grantee passes the key on; a stranger too.
        (DOCTOR, "/records/1/share", vec![("grantee", &guardian)]),
        (STRANGER, "/records/1/share", vec![("grantee", &doctor)]),
        // Re-sealing someone else's record.
        (DOCTOR, "/records/1/rotate", vec![]),
        (STRANGER, "/records/1/rotate", vec![]),
        // Logging a view with no grant.
        (STRANGER, "/records/1/open", vec![]),
    ];
    for (who, path, form) in &attempts {
        let before = support::sent(&server, who).await;
        let (status, location, body) = post(&server, who, path, form).await;
        // Refused at once (4xx), or an operation that fails before signing.
        if status == 303 {
            let page = ended(&server, who, &location.unwrap()).await;
            assert!(
                page.contains("data-state=\"failed\""),
                "{who} {path}: {page}"
            );
        } else {
            assert!(
                (400..500).contains(&status),
                "{who} {path}: {status} {body}"
            );
        }
        assert_eq!(
            support::sent(&server, who).await,
            before,
            "{who} {path}: signed"
        );
    }
    let c = &server.client;
    assert!(c
        .get_envelope(1, &principal(GUARDIAN))
        .await
        .unwrap()
        .is_none());
    assert!(c.get_record(1).await.unwrap().unwrap().is_latest());
}

// ---------------------------------------------------------------------------------------
// Deciding twice.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_decided_or_a_token_revoked_already_is_not_signed_again() {
    let server = support::with_guardian().await;
    support::run(
        &server,
        DOCTOR,
        calls::request_access(&principal(PATIENT), Scope::READ, 100, "checkup").unwrap(),
    )
    .await;
    done(&server, PATIENT, "/access/approve", &[("request", "1")]).await;
    done(
        &server,
        PATIENT,
        "/access/revoke",
        &[("token", "1"), ("keep_keys", "on")],
    )
    .await;
    // Approve or deny the approved request, revoke the revoked token: as the patient and
    // as its guardian.
    for who in [PATIENT, GUARDIAN] {
        for (path, form) in [
            ("/access/approve", [("request", "1")]),
            ("/access/deny", [("request", "1")]),
            ("/access/revoke", [("token", "1")]),
        ] {
            let before = support::sent(&server, who).await;
            let (status, _, body) = post(&server, who, path, &form).await;
            assert_eq!(status, 422, "{who} {path}: {body}");
            assert_eq!(
                support::sent(&server, who).await,
                before,
                "{who} {path}: signed"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Grants to oneself or to an unverified account.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guardian_grants_itself_nothing_from_its_ward() {
    let server = support::with_guardian().await;
    let w = principal(PATIENT).to_string();
    let before = support::sent(&server, GUARDIAN).await;
    for (grantee, refused) in [(GUARDIAN, 403), (PATIENT, 400)] {
        let (status, _, body) = post(
            &server,
            GUARDIAN,
            "/access/grant",
            &[
                ("grantee", grantee),
                ("read", "on"),
                ("expires_in", "100"),
                ("for", &w),
            ],
        )
        .await;
        assert_eq!(status, refused, "{grantee}: {body}");
    }
    assert_eq!(
        support::sent(&server, GUARDIAN).await,
        before,
        "the guardian signed"
    );
    assert!(server.client.get_token(1).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_or_hand_over_to_an_unverified_account_signs_nothing() {
    let server = support::with_guardian().await;
    let tip = support::tip(&server).await;
    // The patient holds token #1.
    support::run(
        &server,
        PATIENT,
        calls::create_token(Scope::READ, None, tip + 100).unwrap(),
    )
    .await;
    let stranger = principal(STRANGER).to_string();
    let before = support::sent(&server, PATIENT).await;
    let (status, _, body) = post(
        &server,
        PATIENT,
        "/access/grant",
        &[
            ("grantee", &stranger),
            ("read", "on"),
            ("expires_in", "100"),
        ],
    )
    .await;
    assert_eq!(status, 422, "grant: {body}");
    let (status, _, body) = post(
        &server,
        PATIENT,
        "/access/hand-over",
        &[("token", "1"), ("recipient", &stranger)],
    )
    .await;
    assert_eq!(status, 422, "hand-over: {body}");
    assert_eq!(
        support::sent(&server, PATIENT).await,
        before,
        "the patient signed"
    );
    let c = &server.client;
    assert!(c.get_token(2).await.unwrap().is_none());
    assert_eq!(
        c.get_token(1).await.unwrap().unwrap().grantee,
        principal(PATIENT)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_a_guardianship_never_proposed_or_resigning_one_never_held_signs_nothing() {
    let server = support::with_guardian().await;
    let w = principal(PATIENT).to_string();
    let before = support::sent(&server, STRANGER).await;
    for action in ["accept", "resign"] {
        let (status, _, body) = post(
            &server,
            STRANGER,
            "/patient/guardianship",
            &[("patient", &w), ("action", action)],
        )
        .await;
        assert_eq!(status, 422, "{action}: {body}");
    }
    assert_eq!(
        support::sent(&server, STRANGER).await,
        before,
        "the stranger signed"
    );
    assert_eq!(
        server
            .client
            .get_guardians(&principal(PATIENT))
            .await
            .unwrap(),
        vec![principal(GUARDIAN)]
    );
}

// ---------------------------------------------------------------------------------------
// Roles the acting account does not have, and states the contract refuses: refused
// before anything is signed (no transaction sent), and nothing changed.
// ---------------------------------------------------------------------------------------

/// Posts a form the contract would refuse: it is refused before signing with `status`
/// (403 for a role the account lacks, 422 for a state the contract refuses), saying so,
/// and `who` sent no transaction. Returns the page.
async fn refused_unsigned(
    server: &Server,
    who: &str,
    path: &str,
    form: &[(&str, &str)],
    status: u16,
) -> String {
    let before = support::sent(server, who).await;
    let (answered, _, body) = post(server, who, path, form).await;
    assert_eq!(
        answered, status,
        "{who} {path}: refused before signing: {body}"
    );
    assert!(body.contains("Nothing was signed."), "{who} {path}: {body}");
    assert_eq!(
        support::sent(server, who).await,
        before,
        "{who} {path}: no transaction sent"
    );
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_and_state_refusals_are_read_before_signing() {
    let server = support::with_guardian().await;
    let (patient, doctor) = (principal(PATIENT), principal(DOCTOR));
    let (p, d) = (patient.to_string(), doctor.to_string());

    // Emergency access closed by the patient: reopened only after the cooldown.
    done(
        &server,
        DOCTOR,
        "/doctor/emergency",
        &[("patient", &p), ("reason", "unconscious")],
    )
    .await;
    let token = server
        .client
        .get_active_token(&patient, &doctor)
        .await
        .unwrap()
        .expect("the emergency token")
        .to_string();
    done(&server, PATIENT, "/access/revoke", &[("token", &token)]).await;
    let page = refused_unsigned(
        &server,
        DOCTOR,
        "/doctor/emergency",
        &[("patient", &p), ("reason", "again")],
        422,
    )
    .await;
    assert!(page.contains("closed this doctor"), "{page}");
    // A token that does not exist.
    let (status, _, page) = post(&server, PATIENT, "/access/revoke", &[("token", "999")]).await;
    assert_eq!(status, 404, "{page}");

    // Suspending an account that is no doctor; lifting another issuer's suspension.
    let page = refused_unsigned(
        &server,
        ISSUER,
        "/admin/suspend-doctor",
        &[("doctor", STRANGER)],
        422,
    )
    .await;
    assert!(page.contains("is not a registered doctor"), "{page}");
    let stranger = account(STRANGER);
    support::run(
        &server,
        "deployer",
        calls::set_issuer(
            &stranger.principal(),
            &stranger.secret_key.public_key(),
            true,
        )
        .unwrap(),
    )
    .await;
    done(&server, ISSUER, "/admin/suspend-doctor", &[("doctor", &d)]).await;
    let page = refused_unsigned(
        &server,
        STRANGER,
        "/admin/verify-doctor",
        &[("doctor", &d), ("expires_in", "100")],
        403,
    )
    .await;
    assert!(page.contains("was suspended after"), "{page}");

    // Verifying a patient verified already.
    let guardian = principal(GUARDIAN);
    support::run(
        &server,
        "deployer",
        calls::set_verifier(&guardian, true).unwrap(),
    )
    .await;
    done(
        &server,
        GUARDIAN,
        "/admin/verify-patient",
        &[("patient", &p)],
    )
    .await;
    let page = refused_unsigned(
        &server,
        GUARDIAN,
        "/admin/verify-patient",
        &[("patient", &p)],
        422,
    )
    .await;
    assert!(page.contains("is verified already"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_gets_no_emergency_access_and_no_admin_role() {
    let server = support::with_guardian().await;
    let stranger = principal(STRANGER);
    let s = stranger.to_string();
    let p = principal(PATIENT).to_string();
    refused_unsigned(
        &server,
        STRANGER,
        "/doctor/emergency",
        &[("patient", &p), ("reason", "unconscious")],
        422,
    )
    .await;
    for (path, form) in [
        (
            "/admin/issuer",
            vec![("issuer", STRANGER), ("enabled", "true")],
        ),
        (
            "/admin/verifier",
            vec![("verifier", STRANGER), ("enabled", "true")],
        ),
        (
            "/admin/verify-doctor",
            vec![("doctor", DOCTOR), ("expires_in", "100")],
        ),
        ("/admin/suspend-doctor", vec![("doctor", DOCTOR)]),
        ("/admin/verify-patient", vec![("patient", PATIENT)]),
        (
            "/admin/propose",
            vec![("registry", "doctor"), ("successor", &*s)],
        ),
        ("/admin/accept", vec![("registry", "patient")]),
    ] {
        refused_unsigned(&server, STRANGER, path, &form, 403).await;
    }
    let c = &server.client;
    assert!(c
        .get_active_token(&principal(PATIENT), &stranger)
        .await
        .unwrap()
        .is_none());
    assert!(!c
        .has_access(&principal(PATIENT), &stranger, Scope::READ, None)
        .await
        .unwrap());
    assert!(c
        .get_issuer(&stranger)
        .await
        .unwrap()
        .is_none_or(|i| !i.enabled));
    assert!(!c.is_verifier(&stranger).await.unwrap());
    let doctor = c.get_doctor(&principal(DOCTOR)).await.unwrap().unwrap();
    assert!(!doctor.suspended);
    assert_eq!(doctor.verified_by, Some(principal(ISSUER)));
    assert!(
        !c.get_patient(&principal(PATIENT))
            .await
            .unwrap()
            .unwrap()
            .verified
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_with_a_malformed_type_or_too_large_is_a_client_error() {
    let server = support::with_guardian().await;
    let p = principal(PATIENT).to_string();
    let long = "T".repeat(40);
    for who in [PATIENT, STRANGER, GUARDIAN] {
        let before = support::sent(&server, who).await;
        for kind in [long.as_str(), "Obsérvation", "a b\u{7}"] {
            let (status, _, body) = post(
                &server,
                who,
                "/records",
                &[("patient", &p), ("type", kind), ("text", "plain words")],
            )
            .await;
            assert!(
                (400..500).contains(&status),
                "{who} type {kind:?}: {status} {body}"
            );
        }
        assert_eq!(support::sent(&server, who).await, before, "{who} signed");
    }
    // Past the upload limit (8 MiB): 413.
    let r = plain()
        .post(server.url(&format!("/records?csrf={}", server.csrf)))
        .header(COOKIE, cookie(&server, PATIENT))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("text={}", "a".repeat(9 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
}
