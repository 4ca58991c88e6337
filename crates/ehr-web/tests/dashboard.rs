//! The dashboard over real HTTP, against a devnet with the contracts: every form changes
//! the chain (checked through the SDK client), every view renders small, for phones and
//! with labelled controls, the security rules hold (no session 401, no CSRF 403, GET on
//! a POST route 405), and no page ever shows a devnet account's secret key.

mod support;

use std::collections::HashSet;

use ehr_sdk::ehr::maps;
use ehr_sdk::ehr::types::{RequestStatus, Scope};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use support::{principal, Server};

const PATIENT: &str = "wallet_1";
const DOCTOR: &str = "wallet_2";
const ISSUER: &str = "wallet_3";
const GUARDIAN: &str = "wallet_4";
const VERIFIER: &str = "wallet_5";
const ADMIN: &str = "deployer";

/// The secret keys of `/work/shared/reference/devnet-accounts.md` (without the trailing
/// compression flag, so a key printed either way is caught).
const SECRET_KEYS: &[&str] = &[
    "753b7cc01a1a2e86221266a154af739463fce51219d97e4f856cd7200c3bd2a6",
    "7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c178",
    "530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc2091",
    "d655b2523bcd65e34889725c73064feb17ceb796831c0e111ba1a552b0f31b39",
    "f9d7206a47f14d2870c163ebab4bf3e70d18f5d14ce1031f3902fbbc894fe4c7",
    "3eccc5dac8056590432db6a35d52b9896876a3d5cbdea53b72400bc9c2099fe8",
    "7036b29cb5e235e5fd9b09ae3e8eec4404e44906814d5d01cbca968a60ed4bfb",
    "b463f0df6c05d2f156393eee73f8016c5372caa0e9e29a901bb7171d90dc4f14",
    "6a1a754ba863d7bab14adbbc3f8ebb090af9e871ace621d3e5ab634e1422885e",
    "de433bdfa14ec43aa1098d5be594c8ffb20a31485ff9de2923b2689471c401b8",
];

const OBSERVATION: &str = r#"{"resourceType":"Observation","status":"final","code":{"text":"Blood pressure"},"valueString":"120/80 mmHg"}"#;

/// A browser stand-in: the session cookie, the account cookie, no automatic redirects.
struct Web<'a> {
    server: &'a Server,
    http: reqwest::Client,
    /// Every page body seen, to check for secrets at the end.
    seen: std::sync::Mutex<Vec<(String, String)>>,
}

/// An answer: status, headers, body.
struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl<'a> Web<'a> {
    fn new(server: &'a Server) -> Self {
        Web {
            server,
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            seen: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn cookies(&self, who: &str) -> String {
        format!("ehr_session={}; ehr_account={who}", self.server.session)
    }

    async fn answer(&self, what: String, request: reqwest::RequestBuilder) -> Page {
        let r = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap_or_default();
        self.seen.lock().unwrap().push((what, body.clone()));
        Page {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, who: &str, path: &str) -> Page {
        let req = self
            .http
            .get(self.server.url(path))
            .header(COOKIE, self.cookies(who));
        self.answer(format!("GET {path} as {who}"), req).await
    }

    /// A page that must render: 200, and the page rules hold.
    async fn view(&self, who: &str, path: &str) -> String {
        let page = self.get(who, path).await;
        assert_eq!(page.status, 200, "GET {path} as {who}: {}", page.body);
        check_page(&format!("{path} as {who}"), &page.body);
        page.body
    }

    fn with_csrf(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        self.server
            .url(&format!("{path}{sep}csrf={}", self.server.csrf))
    }

    async fn post(&self, who: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let req = self
            .http
            .post(self.with_csrf(path))
            .header(COOKIE, self.cookies(who))
            .form(fields);
        self.answer(format!("POST {path} as {who}"), req).await
    }

    /// Submits a form; it must redirect (303) to the outcome, which is returned.
    async fn submit(&self, who: &str, path: &str, fields: &[(&str, &str)]) -> Outcome {
        let page = self.post(who, path, fields).await;
        self.follow(who, path, page).await
    }

    async fn follow(&self, who: &str, path: &str, page: Page) -> Outcome {
        assert_eq!(
            page.status, 303,
            "POST {path} as {who} should redirect to its outcome: {}",
            page.body
        );
        let location = page.headers[LOCATION].to_str().unwrap().to_string();
        let body = self.view(who, &location).await;
        Outcome { location, body }
    }

    /// Uploads `content` as a file part of a multipart form.
    async fn upload(
        &self,
        who: &str,
        path: &str,
        fields: &[(&str, &str)],
        filename: &str,
        content: &[u8],
    ) -> Outcome {
        let boundary = "----ehrTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = self
            .http
            .post(self.with_csrf(path))
            .header(COOKIE, self.cookies(who))
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        let page = self.answer(format!("POST {path} as {who}"), req).await;
        self.follow(who, path, page).await
    }
}

/// Where a form led.
struct Outcome {
    location: String,
    body: String,
}

impl Outcome {
    fn done(&self) -> &Self {
        assert!(
            self.body.contains("data-state=\"done\""),
            "expected a finished operation at {}:\n{}",
            self.location,
            text_of(&self.body)
        );
        assert!(
            self.body.contains("0x"),
            "a transaction id is shown: {}",
            text_of(&self.body)
        );
        self
    }

    fn failed(&self) -> &Self {
        assert!(
            self.body.contains("data-state=\"failed\""),
            "expected a failed operation at {}:\n{}",
            self.location,
            text_of(&self.body)
        );
        self
    }

    fn says(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "`{text}` not in {}:\n{}",
            self.location,
            text_of(&self.body)
        );
        self
    }
}

/// The text of a page without tags, for failure messages.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value of attribute `name` in a tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}

/// The rules every page keeps: under 100 KB, a viewport for phones, a label for every
/// form control, no inline script or style (the CSP would block them).
fn check_page(what: &str, body: &str) {
    assert!(body.len() < 100 * 1024, "{what}: {} bytes", body.len());
    assert!(
        body.contains("<meta name=\"viewport\""),
        "{what}: no viewport meta"
    );
    assert!(!body.contains(" style=\""), "{what}: inline style");
    assert!(
        !body.contains("<script>") && !body.contains(" onclick="),
        "{what}: inline script"
    );
    let mut ids = HashSet::new();
    for kind in ["<input", "<select", "<textarea"] {
        for (at, _) in body.match_indices(kind) {
            let end = body[at..].find('>').map(|e| at + e).unwrap_or(body.len());
            let tag = &body[at..end];
            if attr(tag, "type").as_deref() == Some("hidden") {
                continue;
            }
            let id =
                attr(tag, "id").unwrap_or_else(|| panic!("{what}: a control without an id: {tag}"));
            assert!(
                body.contains(&format!("<label for=\"{id}\"")),
                "{what}: control `{id}` has no label"
            );
            assert!(ids.insert(id.clone()), "{what}: id `{id}` used twice");
        }
    }
}

fn op_id(location: &str) -> String {
    location.rsplit(['/', '=']).next().unwrap().to_string()
}

#[tokio::test]
async fn security_rules_hold() {
    let server = support::start().await;
    let web = Web::new(&server);
    let plain = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();

    // No session: 401 on pages and forms alike.
    for path in ["/", "/records", "/access", "/audit", "/assets/app.js"] {
        let r = plain.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 401, "GET {path} without a session");
    }
    let r = plain
        .post(server.url(&format!("/access/revoke?csrf={}", server.csrf)))
        .form(&[("token", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401, "POST without a session");

    // The one-time code in the URL becomes an HttpOnly, SameSite=Lax session cookie
    // holding a new random session id (not the code, not the bearer token).
    let code = server.state.new_login_code();
    let r = plain
        .get(server.url(&format!("/?token={code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let session = cookie
        .strip_prefix("ehr_session=")
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    assert!(session != code && session != server.token, "{cookie}");
    let signed_in = plain
        .get(server.url("/"))
        .header(COOKIE, format!("ehr_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 200);
    // The code works once; the bearer token is no login code and no session.
    for token in [&code, &server.token] {
        let again = plain
            .get(server.url(&format!("/?token={token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 401, "login with {token}");
        let as_cookie = plain
            .get(server.url("/"))
            .header(COOKIE, format!("ehr_session={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(as_cookie.status().as_u16(), 401, "cookie {token}");
    }
    // The bearer token mints a new login link; nothing else does.
    let link = plain
        .post(server.url("/login-links"))
        .bearer_auth(&server.token)
        .send()
        .await
        .unwrap();
    assert_eq!(link.status().as_u16(), 201);
    let url = link.text().await.unwrap();
    let fresh = url.trim().rsplit("token=").next().unwrap().to_string();
    let r = plain
        .get(server.url(&format!("/?token={fresh}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "{url}");
    let denied = plain.post(server.url("/login-links")).send().await.unwrap();
    assert_eq!(denied.status().as_u16(), 401);

    // CSRF token missing or wrong: 403, and nothing happens.
    for path in [
        "/access/revoke",
        "/patient/register",
        "/patient/update-key",
        "/admin/attest",
        "/account",
        "/records",
    ] {
        let r = plain
            .post(server.url(path))
            .header(COOKIE, web.cookies(PATIENT))
            .form(&[("token", "1"), ("identifier", "x"), ("name", DOCTOR)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "POST {path} without CSRF token");
        let r = plain
            .post(server.url(&format!("{path}?csrf=0000")))
            .header(COOKIE, web.cookies(PATIENT))
            .form(&[("identifier", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            403,
            "POST {path} with a wrong CSRF token"
        );
    }
    assert!(server
        .client
        .get_patient(&principal(PATIENT))
        .await
        .unwrap()
        .is_none());

    // State changes only by POST.
    for path in [
        "/account",
        "/patient/register",
        "/patient/guardian",
        "/patient/emergency",
        "/patient/update-key",
        "/records/1/open",
        "/records/1/amend",
        "/records/1/share",
        "/records/1/rotate",
        "/access/grant",
        "/access/revoke",
        "/access/approve",
        "/access/deny",
        "/notifications/read",
        "/doctor/register",
        "/doctor/request",
        "/doctor/emergency",
        "/doctor/attest",
        "/admin/attest",
        "/admin/issuer",
        "/admin/verifier",
        "/admin/verify-doctor",
        "/admin/suspend-doctor",
        "/admin/verify-patient",
    ] {
        let page = web.get(PATIENT, path).await;
        assert_eq!(page.status, 405, "GET {path}");
    }

    // A page with a CSP that forbids inline script; assets from this server.
    let r = plain
        .get(server.url("/"))
        .header(COOKIE, web.cookies(PATIENT))
        .send()
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    for (path, kind) in [
        ("/assets/app.css", "text/css"),
        ("/assets/app.js", "text/javascript"),
    ] {
        let page = web.get(PATIENT, path).await;
        assert_eq!(page.status, 200);
        assert!(page.headers[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with(kind));
    }

    // Bad input is a message on a page, never a crash.
    for path in [
        "/records/abc",
        "/records/99",
        "/op/nope",
        "/records?patient=not-an-address",
        "/audit?page=-3",
        "/access?page=x",
    ] {
        let page = web.get(PATIENT, path).await;
        assert!(page.status < 500, "GET {path}: {}", page.status);
        check_page(path, &page.body);
    }
    let page = web
        .post(
            PATIENT,
            "/access/grant",
            &[("grantee", "nobody"), ("expires_in", "x")],
        )
        .await;
    assert_eq!(page.status, 400);
    assert!(
        page.body.contains("neither one of this server"),
        "{}",
        text_of(&page.body)
    );
    let page = web.post(PATIENT, "/records", &[("text", "")]).await;
    assert_eq!(page.status, 400);
    assert!(
        page.body.contains("nothing to add"),
        "{}",
        text_of(&page.body)
    );
    let page = web.get("mallory", "/").await;
    assert_eq!(page.status, 400, "an unknown account in the cookie");
    assert!(page.body.contains("does not act for an account named"));

    assert_no_secrets(&web);
}

fn assert_no_secrets(web: &Web<'_>) {
    let seen = web.seen.lock().unwrap();
    assert!(!seen.is_empty());
    for (what, body) in seen.iter() {
        let lower = body.to_ascii_lowercase();
        for key in SECRET_KEYS {
            assert!(!lower.contains(key), "{what} shows a secret key");
        }
    }
}

#[tokio::test]
async fn every_form_changes_the_chain_and_every_view_renders() {
    let server = support::start().await;
    let web = Web::new(&server);
    let c = &server.client;
    let (patient, doctor, issuer, guardian, verifier) = (
        principal(PATIENT),
        principal(DOCTOR),
        principal(ISSUER),
        principal(GUARDIAN),
        principal(VERIFIER),
    );

    // Fresh accounts: every page renders, with the registration forms.
    for who in [PATIENT, DOCTOR] {
        for path in [
            "/",
            "/patient",
            "/records",
            "/access",
            "/audit",
            "/notifications",
            "/doctor",
            "/admin",
        ] {
            web.view(who, path).await;
        }
    }
    assert!(web
        .view(PATIENT, "/patient")
        .await
        .contains("Register as a patient"));
    assert!(web
        .view(DOCTOR, "/doctor")
        .await
        .contains("Register as a doctor"));

    // Account switcher.
    let page = web.post(PATIENT, "/account", &[("name", DOCTOR)]).await;
    assert_eq!(page.status, 303);
    assert!(page.headers[SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with(&format!("ehr_account={DOCTOR};")));
    assert_eq!(
        web.post(PATIENT, "/account", &[("name", "mallory")])
            .await
            .status,
        400
    );

    // Admin: an issuer and a verifier.
    web.submit(
        ADMIN,
        "/admin/issuer",
        &[("issuer", ISSUER), ("pubkey", ""), ("enabled", "true")],
    )
    .await
    .done();
    assert!(c.get_issuer(&issuer).await.unwrap().unwrap().enabled);
    web.submit(
        ADMIN,
        "/admin/verifier",
        &[("verifier", VERIFIER), ("enabled", "true")],
    )
    .await
    .done();
    assert!(c.is_verifier(&verifier).await.unwrap());

    // Registration, from the dashboard.
    web.submit(
        PATIENT,
        "/patient/register",
        &[("identifier", "+256700000001")],
    )
    .await
    .done()
    .says("salt");
    assert!(c.is_registered(&patient).await.unwrap());
    web.submit(
        DOCTOR,
        "/doctor/register",
        &[("license", "UG-MD-4411"), ("specialty", "cardiology")],
    )
    .await
    .done();
    assert_eq!(
        c.get_doctor(&doctor).await.unwrap().unwrap().specialty,
        "cardiology"
    );

    // Verification.
    web.submit(VERIFIER, "/admin/verify-patient", &[("patient", PATIENT)])
        .await
        .done();
    assert!(c.get_patient(&patient).await.unwrap().unwrap().verified);
    web.submit(
        ISSUER,
        "/admin/verify-doctor",
        &[("doctor", DOCTOR), ("expires_in", "5000")],
    )
    .await
    .done();
    assert!(c.is_verified(&doctor).await.unwrap());

    // A refusal comes back in words, with its transaction.
    web.submit(
        GUARDIAN,
        "/access/grant",
        &[("grantee", DOCTOR), ("read", "on"), ("expires_in", "100")],
    )
    .await
    .failed()
    .says("the contract refused permission-manager.grant-access")
    .says("not registered")
    .says("0x");

    // Guardians and emergency opt-out.
    web.submit(
        PATIENT,
        "/patient/guardian",
        &[("guardian", GUARDIAN), ("enabled", "true")],
    )
    .await
    .done();
    // A proposal until the guardian accepts it (contracts v2), from its own patient page.
    assert!(!c.is_guardian(&patient, &guardian).await.unwrap());
    web.submit(
        GUARDIAN,
        "/patient/guardianship",
        &[("patient", PATIENT), ("action", "accept")],
    )
    .await
    .done()
    .says("You are now a guardian");
    assert!(c.is_guardian(&patient, &guardian).await.unwrap());
    assert!(web
        .view(PATIENT, "/patient")
        .await
        .contains(&guardian.to_string()));
    web.submit(
        PATIENT,
        "/patient/guardian",
        &[("guardian", &guardian.to_string()), ("enabled", "false")],
    )
    .await
    .done();
    assert!(!c.is_guardian(&patient, &guardian).await.unwrap());
    // Accepted again, then it steps down itself.
    web.submit(
        PATIENT,
        "/patient/guardian",
        &[("guardian", GUARDIAN), ("enabled", "true")],
    )
    .await
    .done();
    web.submit(
        GUARDIAN,
        "/patient/guardianship",
        &[("patient", PATIENT), ("action", "accept")],
    )
    .await
    .done();
    web.submit(
        GUARDIAN,
        "/patient/guardianship",
        &[("patient", PATIENT), ("action", "resign")],
    )
    .await
    .done()
    .says("no longer a guardian");
    assert!(!c.is_guardian(&patient, &guardian).await.unwrap());
    // Resigning again: nothing to resign, refused before anything is signed.
    let again = web
        .post(
            GUARDIAN,
            "/patient/guardianship",
            &[("patient", PATIENT), ("action", "resign")],
        )
        .await;
    assert_eq!(again.status, 422);

    // The doctor replaces its encryption key (here with secp256k1's generator point).
    let new_key = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    web.submit(DOCTOR, "/doctor/update-key", &[("enc_pubkey", new_key)])
        .await
        .done()
        .says("Encryption key replaced");
    assert_eq!(
        hex::encode(c.get_doctor(&doctor).await.unwrap().unwrap().enc_pubkey),
        new_key
    );
    let bad = web
        .post(DOCTOR, "/doctor/update-key", &[("enc_pubkey", "00")])
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    // Back to the account's own key (empty field), which the rest of this test reads with.
    web.submit(DOCTOR, "/doctor/update-key", &[("enc_pubkey", "")])
        .await
        .done();

    // The doctor-registry administrator is handed over in two steps. Before the
    // proposal, the acceptance is refused without signing (403).
    let early = web
        .post(VERIFIER, "/admin/accept", &[("registry", "doctor")])
        .await;
    assert_eq!(early.status, 403, "{}", early.body);
    assert!(
        early
            .body
            .contains("is not the proposed administrator of doctor-registry"),
        "{}",
        text_of(&early.body)
    );
    web.submit(
        ADMIN,
        "/admin/propose",
        &[("registry", "doctor"), ("successor", VERIFIER)],
    )
    .await
    .done();
    web.submit(VERIFIER, "/admin/accept", &[("registry", "doctor")])
        .await
        .done()
        .says("administrator of");
    // The former administrator's forms are refused without signing now (403).
    let former = web
        .post(
            ADMIN,
            "/admin/issuer",
            &[("issuer", "wallet_6"), ("enabled", "true")],
        )
        .await;
    assert_eq!(former.status, 403, "{}", former.body);
    assert!(
        former
            .body
            .contains("is not the administrator of doctor-registry"),
        "{}",
        text_of(&former.body)
    );

    web.submit(PATIENT, "/patient/emergency", &[("allowed", "false")])
        .await
        .done();
    assert!(!c.is_emergency_allowed(&patient).await.unwrap());
    // Refused before anything is signed: the contract would refuse it.
    let refused = web
        .post(
            DOCTOR,
            "/doctor/emergency",
            &[("patient", PATIENT), ("reason", "unconscious")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("opted out of emergency access. Nothing was signed."),
        "{}",
        text_of(&refused.body)
    );
    web.submit(PATIENT, "/patient/emergency", &[("allowed", "true")])
        .await
        .done();
    assert!(c.is_emergency_allowed(&patient).await.unwrap());

    // Records: a FHIR file (multipart), pasted text (urlencoded), an amendment.
    web.upload(
        PATIENT,
        "/records",
        &[("type", "Binary")],
        "observation.json",
        OBSERVATION.as_bytes(),
    )
    .await
    .done()
    .says("record #1 (Observation) added");
    web.submit(
        PATIENT,
        "/records",
        &[("text", "allergic to penicillin"), ("type", "Note")],
    )
    .await
    .done()
    .says("record #2 (Note) added");
    assert_eq!(c.get_patient_record_count(&patient).await.unwrap(), 2);
    let amended = OBSERVATION.replace("120/80", "118/76");
    web.upload(
        PATIENT,
        "/records/1/amend",
        &[],
        "v2.json",
        amended.as_bytes(),
    )
    .await
    .done()
    .says("new version #3");
    let r1 = c.get_record(1).await.unwrap().unwrap();
    assert_eq!(r1.superseded_by, Some(3));
    assert_eq!(c.get_record(3).await.unwrap().unwrap().version, 2);
    let list = web.view(PATIENT, "/records").await;
    assert!(
        list.contains("Observation") && list.contains("superseded by") && list.contains("on chain"),
        "{}",
        text_of(&list)
    );
    // The patient decrypts its own record, hash checked.
    let own = web.view(PATIENT, "/records/3/view").await;
    assert!(
        own.contains("Content hash verified") && own.contains("118/76"),
        "{}",
        text_of(&own)
    );
    let file = web.get(PATIENT, "/records/2/download").await;
    assert_eq!(file.status, 200);
    assert_eq!(file.body, "allergic to penicillin");

    // Grant, with the record keys shared to the doctor.
    web.submit(
        PATIENT,
        "/access/grant",
        &[
            ("grantee", DOCTOR),
            ("read", "on"),
            ("expires_in", "1000"),
            ("share_keys", "on"),
        ],
    )
    .await
    .done()
    .says("Token #1")
    .says("2 record keys shared");
    assert!(c
        .has_access(&patient, &doctor, Scope::READ, Some("Observation"))
        .await
        .unwrap());
    assert!(c.get_envelope(3, &doctor).await.unwrap().is_some());
    assert!(
        c.get_envelope(1, &doctor).await.unwrap().is_none(),
        "superseded versions are not shared"
    );
    let access = web.view(PATIENT, "/access").await;
    assert!(
        access.contains("#1") && access.contains("active") && access.contains("Revoke"),
        "{}",
        text_of(&access)
    );

    // The doctor reads under its token: the view is logged on chain first.
    let entries_before = c.get_patient_entry_count(&patient).await.unwrap();
    let doctor_page = web.view(DOCTOR, "/doctor").await;
    assert!(
        doctor_page.contains("verified until") && doctor_page.contains("Records"),
        "{}",
        text_of(&doctor_page)
    );
    let record_page = web.view(DOCTOR, "/records/3").await;
    assert!(
        record_page.contains("/records/3/open"),
        "{}",
        text_of(&record_page)
    );
    let read = web.submit(DOCTOR, "/records/3/open", &[]).await;
    assert!(
        read.location.starts_with("/records/3/view?op="),
        "{}",
        read.location
    );
    read.says("Content hash verified")
        .says("118/76")
        .says("View logged on chain");
    assert_eq!(
        c.get_patient_entry_count(&patient).await.unwrap(),
        entries_before + 1
    );
    let viewed = c
        .get_entry(c.get_head().await.unwrap().count - 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (viewed.action.as_str(), viewed.actor.as_str()),
        ("view", doctor.to_string().as_str())
    );
    // Without a logged view, a grantee cannot decrypt.
    let page = web.get(DOCTOR, "/records/3/view").await;
    assert_eq!(page.status, 403);
    let page = web.get(DOCTOR, "/records/3/view?op=0123").await;
    assert_eq!(page.status, 403);

    // Requests: deny one, revoke, approve another.
    web.submit(
        DOCTOR,
        "/doctor/request",
        &[
            ("patient", PATIENT),
            ("read", "on"),
            ("duration", "500"),
            ("reason", "follow-up"),
        ],
    )
    .await
    .done()
    .says("Request #1");
    let access = web.view(PATIENT, "/access").await;
    assert!(
        access.contains("follow-up") && access.contains("Approve"),
        "{}",
        text_of(&access)
    );
    web.submit(PATIENT, "/access/deny", &[("request", "1")])
        .await
        .done();
    assert_eq!(
        c.get_request(1).await.unwrap().unwrap().status,
        RequestStatus::Denied
    );
    web.submit(PATIENT, "/access/revoke", &[("token", "1")])
        .await
        .done()
        .says("revoked");
    assert!(c.get_token(1).await.unwrap().unwrap().revoked);
    assert!(!c
        .has_access(&patient, &doctor, Scope::READ, None)
        .await
        .unwrap());
    web.submit(DOCTOR, "/records/3/open", &[])
        .await
        .failed()
        .says("Access refused");
    assert!(web
        .view(DOCTOR, "/records/3")
        .await
        .contains("Access refused"));
    web.submit(
        DOCTOR,
        "/doctor/request",
        &[
            ("patient", PATIENT),
            ("read", "on"),
            ("duration", "500"),
            ("reason", "second opinion"),
        ],
    )
    .await
    .done();
    web.submit(
        PATIENT,
        "/access/approve",
        &[("request", "2"), ("share_keys", "on")],
    )
    .await
    .done()
    .says("token #2");
    assert_eq!(
        c.get_request(2).await.unwrap().unwrap().status,
        RequestStatus::Approved
    );
    assert!(c
        .has_access(&patient, &doctor, Scope::READ, None)
        .await
        .unwrap());
    // Revoking re-seals the records the doctor could open: a new version under a new key,
    // with no envelope for the revoked doctor.
    let before = c.get_record_count().await.unwrap();
    web.submit(PATIENT, "/access/revoke", &[("token", "2")])
        .await
        .done()
        .says("re-sealed under a new key");
    let rotated = c.get_record_count().await.unwrap();
    assert!(rotated > before, "revocation rotated nothing");
    for new in before + 1..=rotated {
        let r = c.get_record(new).await.unwrap().unwrap();
        assert!(r.previous.is_some(), "#{new} is a new version");
        assert!(c.get_envelope(new, &patient).await.unwrap().is_some());
        assert!(c.get_envelope(new, &doctor).await.unwrap().is_none());
    }

    // Rotation by hand, from the record's page: another new version.
    web.submit(PATIENT, &format!("/records/{rotated}/rotate"), &[])
        .await
        .done()
        .says("re-sealed under a new key");
    assert_eq!(
        c.get_record(rotated).await.unwrap().unwrap().superseded_by,
        Some(c.get_record_count().await.unwrap())
    );

    // Emergency access.
    web.submit(
        DOCTOR,
        "/doctor/emergency",
        &[("patient", PATIENT), ("reason", "unconscious on arrival")],
    )
    .await
    .done()
    .says("token #3");
    assert!(c.get_token(3).await.unwrap().unwrap().emergency);

    // Sharing a key by hand, to a grantee with access (here: emergency read access) and no
    // envelope yet; one that holds an envelope already is told so (contracts v2).
    web.submit(PATIENT, "/records/2/share", &[("grantee", DOCTOR)])
        .await
        .failed()
        .says("already holds a key envelope for record #2");
    let share = web
        .submit(
            PATIENT,
            &format!("/records/{rotated}/share"),
            &[("grantee", DOCTOR)],
        )
        .await;
    share.done();
    assert!(c.get_envelope(rotated, &doctor).await.unwrap().is_some());

    // Notifications: badge, mark one read, mark all read, the live poll.
    let unread = c.get_unread_count(&patient).await.unwrap();
    assert!(unread >= 3, "{unread}");
    let inbox = web.view(PATIENT, "/notifications").await;
    assert!(
        inbox.contains("record-viewed") && inbox.contains("Mark read"),
        "{}",
        text_of(&inbox)
    );
    web.submit(PATIENT, "/notifications/read", &[("index", "0")])
        .await
        .done();
    assert!(c.get_notification(&patient, 0).await.unwrap().unwrap().read);
    assert_eq!(c.get_unread_count(&patient).await.unwrap(), unread - 1);
    web.submit(PATIENT, "/notifications/read", &[("all", "on")])
        .await
        .done();
    assert_eq!(c.get_unread_count(&patient).await.unwrap(), 0);
    let count = c.get_notification_count(&patient).await.unwrap();
    let poll = web
        .get(
            PATIENT,
            &format!("/notifications/poll?count={}&unread=5", count),
        )
        .await;
    let json: serde_json::Value = serde_json::from_str(&poll.body).unwrap();
    assert_eq!(
        (json["count"].as_u64(), json["unread"].as_u64()),
        (Some(count), Some(0))
    );

    // The inbox as server-sent events: the current counts at once.
    let mut events = web
        .http
        .get(web.server.url("/notifications/events"))
        .header(COOKIE, web.cookies(PATIENT))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert!(events.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let first = tokio::time::timeout(std::time::Duration::from_secs(10), events.chunk())
        .await
        .expect("an event within 10 s")
        .unwrap()
        .unwrap();
    let first = String::from_utf8_lossy(&first).into_owned();
    assert!(first.contains("event: inbox"), "{first}");
    assert!(first.contains(&format!("\"count\":{count}")), "{first}");
    drop(events);

    // Suspension.
    web.submit(ISSUER, "/admin/suspend-doctor", &[("doctor", DOCTOR)])
        .await
        .done();
    assert!(c.get_doctor(&doctor).await.unwrap().unwrap().suspended);

    // The audit trail: verified, every step there, exports that agree with the chain.
    let audit = web.view(PATIENT, "/audit").await;
    assert!(
        audit.contains("data-chain=\"verified\""),
        "{}",
        text_of(&audit)
    );
    let entries = c.get_patient_entry_count(&patient).await.unwrap();
    assert!(entries > 20, "{entries}");
    assert_eq!(
        audit.contains("rel=\"next\""),
        entries > 25,
        "the trail is paged by 25: {entries} entries"
    );
    let audit = audit + &web.view(PATIENT, "/audit?page=2").await;
    for action in [
        "add-record",
        "amend-record",
        "grant-access",
        "put-envelope",
        "view",
        "revoke-access",
        "emergency-access",
    ] {
        assert!(
            audit.contains(&format!("data-label=\"Action\">{action}</td>")),
            "{action} missing from the audit page"
        );
    }
    let json = web.get(PATIENT, "/audit/export?format=json").await;
    assert_eq!(json.status, 200);
    assert_eq!(json.headers["x-hash-chain-verified"], "true");
    let export: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(export["entries"].as_array().unwrap().len() as u64, entries);
    let csv = web.get(PATIENT, "/audit/export?format=csv").await;
    assert_eq!(csv.body.lines().count() as u64, entries + 1);
    let fhir = web.get(PATIENT, "/audit/export?format=fhir").await;
    let bundle: serde_json::Value = serde_json::from_str(&fhir.body).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["total"].as_u64(), Some(entries));

    // The pages' map reads decode exactly what the contracts' getters return.
    for id in 1..=4 {
        assert_eq!(
            maps::record(c, id).await.unwrap(),
            c.get_record(id).await.unwrap(),
            "record {id}"
        );
        assert_eq!(
            maps::token(c, id).await.unwrap(),
            c.get_token(id).await.unwrap(),
            "token {id}"
        );
        assert_eq!(
            maps::request(c, id).await.unwrap(),
            c.get_request(id).await.unwrap(),
            "request {id}"
        );
        assert_eq!(
            maps::has_envelope(c, id, &doctor).await.unwrap(),
            c.get_envelope(id, &doctor).await.unwrap().is_some()
        );
        assert_eq!(
            maps::patient_record_id(c, &patient, id - 1).await.unwrap(),
            c.get_patient_record_id(&patient, id - 1).await.unwrap()
        );
    }
    for index in 0..entries + 1 {
        let id = c.get_patient_entry_id(&patient, index).await.unwrap();
        assert_eq!(
            maps::patient_entry_id(c, &patient, index).await.unwrap(),
            id
        );
        if let Some(id) = id {
            assert_eq!(
                maps::entry(c, id).await.unwrap(),
                c.get_entry(id).await.unwrap()
            );
        }
    }
    for index in 0..count + 1 {
        assert_eq!(
            maps::notification(c, &patient, index).await.unwrap(),
            c.get_notification(&patient, index).await.unwrap()
        );
    }

    // Every view renders for every role, now with data in it.
    for who in [PATIENT, DOCTOR, ISSUER, ADMIN] {
        for path in [
            "/",
            "/patient",
            "/records",
            "/records/1",
            "/records/3",
            "/access",
            "/audit",
            "/notifications",
            "/doctor",
            "/admin",
            &format!("/records?patient={patient}"),
            &format!("/audit?patient={patient}"),
        ] {
            web.view(who, path).await;
        }
    }
    let op = web
        .view(PATIENT, &format!("/op/{}", op_id(&share.location)))
        .await;
    assert!(op.contains("put-envelope"));

    assert_no_secrets(&web);
}

/// Error pages say what is wrong in words and never show the server's paths: a record
/// whose blob is missing from the store, and one whose on-chain locator is hostile.
#[tokio::test]
async fn error_pages_show_no_server_paths() {
    let server = support::start().await;
    let web = Web::new(&server);
    let patient = support::account(PATIENT);
    let p = principal(PATIENT);
    let none = ehr_sdk::ehr::SendOptions::default();
    server
        .client
        .execute(
            &patient.secret_key,
            &ehr_sdk::ehr::calls::register_patient(&[3; 32], &patient.secret_key.public_key())
                .unwrap(),
            &none,
        )
        .await
        .unwrap();
    let envelope = ehr_sdk::crypto::wrap_key(
        &ehr_sdk::crypto::DataKey::generate(),
        &patient.secret_key.public_key(),
    )
    .unwrap();
    let store_dir = server.state.config.stores[0].clone();
    let missing = format!("sha256:{}", "cd".repeat(32));
    for (i, locator) in [missing.as_str(), "sha256:../../etc/passwd"]
        .iter()
        .enumerate()
    {
        let id = server
            .client
            .execute(
                &patient.secret_key,
                &ehr_sdk::ehr::calls::add_record(
                    &p,
                    "Observation",
                    &[i as u8; 32],
                    locator,
                    &envelope,
                )
                .unwrap(),
                &none,
            )
            .await
            .unwrap()
            .id()
            .unwrap();
        let page = web.get(PATIENT, &format!("/records/{id}/view")).await;
        assert!(
            (400..500).contains(&page.status) || page.status == 502,
            "record #{id} ({locator}): {} {}",
            page.status,
            page.body
        );
        assert!(
            !page.body.contains(&store_dir),
            "a server path shown: {}",
            page.body
        );
        assert!(
            page.body.contains("local folder: no copy") || page.body.contains("names no place"),
            "says what is wrong: {}",
            page.body
        );
    }
}

/// A patient shares a zero-knowledge proof from the dashboard, and anyone checks it on the
/// public verifier page: no account, no session, nothing written.
#[tokio::test]
async fn a_patient_shares_a_proof_and_anyone_verifies_it_without_an_account() {
    let server = support::start().await;
    let web = Web::new(&server);
    let c = &server.client;
    web.submit(
        PATIENT,
        "/patient/register",
        &[("identifier", "+256700000001")],
    )
    .await
    .done();
    let hba1c = r#"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}],"text":"HbA1c"},"valueQuantity":{"value":5.9,"unit":"%"}}"#;
    web.upload(
        PATIENT,
        "/records",
        &[("type", "Binary")],
        "hba1c.json",
        hba1c.as_bytes(),
    )
    .await
    .done();
    // The patient wrote it: it commits the values and anchors the set (as `ehr claims commit`).
    let key = server.identity(PATIENT).key().clone();
    let options = ehr_sdk::ehr::SendOptions::default();
    let (set, _) = ehr_sdk::claims::commit_record(c, &key, 1, Some(&server.state.store), &options)
        .await
        .unwrap();
    c.execute(
        &key,
        &ehr_sdk::ehr::calls::set_claims_anchor(1, &set.digest()).unwrap(),
        &options,
    )
    .await
    .unwrap();

    // The record's page offers the proof; the proof comes back as a file.
    assert!(web
        .view(PATIENT, "/records/1")
        .await
        .contains("Share a proof"));
    let boundary = "----ehrProofBoundary";
    let mut body = Vec::new();
    for (name, value) in [
        ("field", "valueQuantity.value"),
        ("claim", "below"),
        ("a", "6.5"),
    ] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"set\"; filename=\"claims-1.json\"\r\nContent-Type: application/json\r\n\r\n{}\r\n--{boundary}--\r\n", serde_json::to_string(&set).unwrap()).as_bytes(),
    );
    let prove = |body: Vec<u8>| {
        web.http
            .post(web.with_csrf("/records/1/proof"))
            .header(COOKIE, web.cookies(PATIENT))
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
    };
    let made = web
        .answer("POST /records/1/proof".into(), prove(body.clone()))
        .await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert!(made.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("proof-record-1.json"));
    let proof = made.body;

    // The verifier needs no account: no cookie, no CSRF token.
    let anonymous = reqwest::Client::new();
    let page = anonymous
        .get(server.url("/verify-proof"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let verdict = anonymous
        .post(server.url("/verify-proof"))
        .form(&[("proof", proof.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(verdict.status(), 200);
    let text = verdict.text().await.unwrap();
    assert!(text.contains("Verified"), "{text}");
    assert!(text.contains("below 6.5"), "{text}");
    check_page("/verify-proof", &text);

    // A changed proof does not verify; the rest of the dashboard stays closed.
    let tampered = proof.replacen("\"record\"", "\"recorD\"", 1);
    let refused = anonymous
        .post(server.url("/verify-proof"))
        .form(&[("proof", tampered.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Does NOT verify"));
    let closed = anonymous.get(server.url("/records")).send().await.unwrap();
    assert_eq!(closed.status(), 401);
    let closed = anonymous
        .post(server.url("/records/1/proof"))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 401);

    // Shared as a QR code: an independent decoder reads the verifier link from the page's
    // SVG, and that link, opened with no account (a phone's camera), gives the verdict.
    let shared = body_with("as", "qr");
    let page = web
        .answer("POST /records/1/proof (QR)".into(), prove(shared(&body)))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    check_page("/records/1/proof", &page.body);
    let link = decode_qr(&page.body);
    assert!(
        link.starts_with(&server.url("/verify-proof?proof=ehrp1.")),
        "{link}"
    );
    assert!(
        page.body.contains(&link),
        "the link is on the page as text too"
    );
    let verdict = anonymous.get(&link).send().await.unwrap();
    assert_eq!(verdict.status(), 200);
    let text = verdict.text().await.unwrap();
    assert!(text.contains("Verified"), "{text}");
    assert!(text.contains("below 6.5"), "{text}");
    // The CLI takes the same link.
    let compact = link.split_once("proof=").unwrap().1;
    let parsed = ehr_sdk::claims::ClaimProof::parse(compact.as_bytes()).unwrap();
    assert_eq!(parsed.record.id, 1);
    // A link with a damaged proof is refused, with the reason, not an error page.
    let broken = format!("{}x", &link[..link.len() - 3]);
    let refused = anonymous.get(&broken).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Does NOT verify"));
}

/// The multipart body `body` with one more text field `name=value` before its end.
fn body_with(name: &'static str, value: &'static str) -> impl Fn(&[u8]) -> Vec<u8> {
    move |body: &[u8]| {
        let text = String::from_utf8(body.to_vec()).unwrap();
        let boundary = text.lines().next().unwrap().to_string();
        format!(
            "{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n{text}"
        )
        .into_bytes()
    }
}

/// The text of the QR code in the page's SVG, read by an independent decoder (rqrr) from
/// the modules the SVG draws (each row's dark runs: `M x y.5 h run` then `m gap 0 h run`),
/// rastered at 4 pixels a module.
fn decode_qr(page: &str) -> String {
    const PX: usize = 4;
    let start = page.find("<svg").expect("an SVG on the page");
    let svg = &page[start..start + page[start..].find("</svg>").unwrap()];
    let at = svg.find("viewBox=\"0 0 ").unwrap() + 13;
    let side: usize = svg[at..].split([' ', '"']).next().unwrap().parse().unwrap();
    let d_at = svg.find(" d=\"").expect("a path") + 4;
    let d = &svg[d_at..d_at + svg[d_at..].find('"').unwrap()];
    let mut dark = vec![false; side * side];
    let (mut x, mut y) = (0usize, 0usize);
    let spaced: String = d
        .chars()
        .flat_map(|c| {
            if c.is_ascii_alphabetic() {
                vec![' ', c, ' ']
            } else {
                vec![c]
            }
        })
        .collect();
    let mut tokens = spaced.split_whitespace();
    while let Some(cmd) = tokens.next() {
        let mut num = || tokens.next().unwrap().parse::<f64>().unwrap();
        match cmd {
            "M" => {
                x = num() as usize;
                y = num().floor() as usize;
            }
            "m" => {
                x += num() as usize;
                let _ = num();
            }
            "h" => {
                let run = num() as usize;
                for xx in x..x + run {
                    dark[y * side + xx] = true;
                }
                x += run;
            }
            other => panic!("unexpected `{other}` in the QR path"),
        }
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side * PX, side * PX, |px, py| {
        if dark[(py / PX) * side + px / PX] {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("the QR code decodes").1
}
