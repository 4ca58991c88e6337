//! SMART App Launch against `ehr serve` over real HTTP and a devnet: a real SMART client
//! (Python's `fhirclient`) launches, is approved in the dashboard, reads and writes; the
//! chain's revocation and the OAuth revocation end its reach; every malformed or hostile
//! authorization, token and client-assertion request is refused; a backend service
//! authenticates with an ES384 JWT.

mod support;

use ehr_sdk::ehr::records;
use ehr_sdk::ehr::types::Scope;
use ehr_sdk::ehr::{calls, SendOptions};
use ehr_web::smart::clients::{Client, Registry};
use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION};
use reqwest::redirect::Policy;
use serde_json::{json, Value};
use support::{account, observation, principal, register_people, run, tip, Server};

const PATIENT: &str = "wallet_1";
const DOCTOR: &str = "wallet_2";
const OTHER_PATIENT: &str = "wallet_4";
const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn registry(server: &Server) -> Registry {
    Registry::new(
        server
            .state
            .config
            .smart
            .clients
            .clone()
            .expect("the test server has an app registry"),
    )
}

fn register_app(server: &Server) {
    registry(server)
        .add(Client {
            client_id: "growth-chart".into(),
            name: "Growth chart".into(),
            redirect_uris: vec![REDIRECT.into()],
            jwks: None,
            account: None,
        })
        .expect("the app registers");
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
}

/// A client that does not follow redirects (the test reads each `Location`).
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The patient's record shared with the doctor, who holds a read+write grant.
async fn granted_record(server: &Server) -> (u64, u64) {
    let p = principal(PATIENT).to_string();
    let created = http()
        .post(server.url("/fhir/Observation"))
        .bearer_auth(&server.token)
        .header("x-ehr-account", PATIENT)
        .header("content-type", "application/fhir+json")
        .body(observation(72.0, Some(&p)).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let location = created.headers()[LOCATION].to_str().unwrap().to_string();
    let record: u64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let until = tip(server).await + 500;
    run(
        server,
        PATIENT,
        calls::grant_access(
            &principal(DOCTOR),
            Scope::READ.union(Scope::WRITE),
            None,
            until,
        )
        .unwrap(),
    )
    .await;
    records::share_record(
        &server.client,
        &account(PATIENT).secret_key,
        record,
        &principal(DOCTOR),
        &SendOptions::default(),
    )
    .await
    .expect("the patient shares the record");
    let token = server
        .client
        .get_patient_token_id(&principal(PATIENT), 0)
        .await
        .unwrap()
        .expect("the grant's token");
    (record, token)
}

/// Runs crates/ehr-web/tests/smart_app.py with `input`; `None` when fhirclient is not
/// installed (outside CI only).
fn smart_app(input: &Value) -> Option<Value> {
    use std::io::Write as _;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smart_app.py");
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    match out.status.code() {
        Some(0) => Some(serde_json::from_slice(&out.stdout).expect("the app prints JSON")),
        Some(3) => {
            assert!(
                !ci(),
                "CI must run the SMART client: pip install fhirclient (scripts/setup.sh does)"
            );
            eprintln!("!!!!! SKIPPED: the fhirclient SMART launch (pip install fhirclient; scripts/setup.sh does)");
            None
        }
        _ => panic!(
            "the SMART app failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn outcome_status(status: u16, body: &Value) -> String {
    assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
    let text = body["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(status == 403 || status == 401, "{status}: {text}");
    text
}

async fn get_with(server: &Server, token: &str, path: &str) -> (u16, Value) {
    let r = http()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_smart_app_launches_reads_writes_and_loses_access_on_revocation() {
    let server = support::start().await;
    register_people(&server).await;
    register_app(&server);
    let (record, token_id) = granted_record(&server).await;
    let patient = principal(PATIENT).to_string();
    let login = format!("{}/?token={}", server.base, server.state.new_login_code());
    let input = json!({
        "base": format!("{}/fhir/", server.base),
        "login": login,
        "account": DOCTOR,
        "patient": patient,
        "other": principal(OTHER_PATIENT).to_string(),
        "record": record.to_string(),
        "redirect": REDIRECT,
    });
    let Some(app) = smart_app(&input) else { return };

    assert_eq!(app["pkce"], "S256");
    assert_eq!(app["page_status"], 200);
    assert_eq!(
        app["patients_offered"],
        json!([patient]),
        "the doctor may pick the patient who granted it"
    );
    assert_eq!(app["decision_status"], 303);
    assert!(app["callback"].as_str().unwrap().starts_with(REDIRECT));
    assert_eq!(app["patient_id"], patient.as_str());
    assert_eq!(
        app["granted_scope"],
        "launch/patient patient/*.read patient/Observation.write offline_access",
        "openid is not implemented, so not granted"
    );
    assert_eq!(app["has_refresh"], true);
    assert_eq!(app["patient_read"], patient.as_str());
    assert_eq!(app["documents"], json!([record.to_string()]));
    assert_eq!(app["observation_value"], 72.0);
    let created: u64 = app["created"].as_str().unwrap().parse().unwrap();
    let written = server.client.get_record(created).await.unwrap().unwrap();
    assert_eq!(written.patient, principal(PATIENT));
    assert_eq!(written.record_type, "Observation");
    for (case, why) in [
        ("condition_write", "scopes"),
        ("other_patient", "patient/ scopes reach"),
    ] {
        let refused = &app[case];
        assert_eq!(refused["status"], 403, "{case}: {refused}");
        assert!(
            outcome_status(403, &refused["body"]).contains(why),
            "{case}: {refused}"
        );
    }
    assert_eq!(app["reauthorized"], true);
    assert_eq!(app["access_changed"], true);
    assert_eq!(app["refresh_rotated"], true);
    assert_eq!(app["after_refresh"], patient.as_str());

    // The patient revokes the grant on chain: the app's token reaches nothing of hers.
    let access = app["access_token"].as_str().unwrap();
    let (status, _) = get_with(&server, access, &format!("/fhir/Patient/{patient}")).await;
    assert_eq!(status, 200);
    run(&server, PATIENT, calls::revoke_access(token_id).unwrap()).await;
    let (status, body) = get_with(&server, access, &format!("/fhir/Patient/{patient}")).await;
    assert_eq!(status, 403);
    assert!(
        outcome_status(status, &body).contains("no live grant"),
        "{body}"
    );
    let (status, _) = get_with(&server, access, &format!("/fhir/Observation/{record}")).await;
    assert_eq!(status, 403);

    // The rotated-away refresh token is refused; the live one revoked ends the grant.
    let old = app["old_refresh_token"].as_str().unwrap();
    let r = http()
        .post(server.url("/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old),
            ("client_id", "growth-chart"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    // Replaying it revoked the whole grant (a stolen refresh token): the access token too.
    let (status, body) = get_with(&server, access, "/fhir/Consent/1").await;
    assert_eq!(status, 401, "{body}");
}

/// Signs in a browser session, acting as `account`; the cookies to send.
async fn session_as(server: &Server, who: &str) -> String {
    let session = server
        .state
        .redeem_login(&server.state.new_login_code())
        .unwrap();
    format!("ehr_session={session}; ehr_account={who}")
}

fn authorize_url(server: &Server, overrides: &[(&str, &str)]) -> String {
    let challenge = ehr_web::smart::grants::s256("a-verifier-of-enough-length-0123456789abcdef");
    let aud = format!("{}/fhir", server.base);
    let mut params: Vec<(&str, String)> = vec![
        ("response_type", "code".into()),
        ("client_id", "growth-chart".into()),
        ("redirect_uri", REDIRECT.into()),
        ("scope", "launch/patient patient/*.read".into()),
        ("state", "xyz".into()),
        ("aud", aud),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256".into()),
    ];
    for (k, v) in overrides {
        params.retain(|(name, _)| name != k);
        if !v.is_empty() {
            params.push((k, (*v).to_string()));
        }
    }
    let mut url = url::Url::parse(&server.url("/oauth/authorize")).unwrap();
    url.query_pairs_mut()
        .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
    url.to_string()
}

fn query_of(location: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_and_malformed_authorizations_are_refused() {
    let server = support::start().await;
    register_people(&server).await;
    register_app(&server);
    let http = http();
    let cookies = session_as(&server, PATIENT).await;

    // No session: 401, whatever the app asks.
    let r = http.get(authorize_url(&server, &[])).send().await.unwrap();
    assert_eq!(r.status(), 401);

    // An unknown app or an unregistered redirect URI: an error page, never a redirect.
    for overrides in [
        vec![("client_id", "evil")],
        vec![("redirect_uri", "https://evil.example/cb")],
        vec![("client_id", "")],
    ] {
        let r = http
            .get(authorize_url(&server, &overrides))
            .header(COOKIE, &cookies)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{overrides:?}");
        assert!(r.headers().get(LOCATION).is_none());
    }

    // Errors the app may hear: back at its redirect URI with the OAuth error and state.
    for (overrides, error) in [
        (vec![("code_challenge", "")], "invalid_request"),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("code_challenge", "short")], "invalid_request"),
        (
            vec![("aud", "https://other.example/fhir")],
            "invalid_request",
        ),
        (vec![("aud", "")], "invalid_request"),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("scope", "patient/Nope.read")], "invalid_scope"),
        (vec![("scope", "openid profile")], "invalid_scope"),
        (vec![("scope", "system/*.read")], "invalid_scope"),
        (vec![("launch", "abc")], "invalid_request"),
    ] {
        let r = http
            .get(authorize_url(&server, &overrides))
            .header(COOKIE, &cookies)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{overrides:?}");
        let q = query_of(r.headers()[LOCATION].to_str().unwrap());
        assert_eq!(q["error"], error, "{overrides:?}: {q:?}");
        assert_eq!(q["state"], "xyz");
    }

    // The page: the app's name, its scopes in words, the patient choice; the policy
    // lets the form answer redirect to the app.
    let r = http
        .get(authorize_url(&server, &[]))
        .header(COOKIE, &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("form-action 'self' http://127.0.0.1:9"),
        "{csp}"
    );
    let page = r.text().await.unwrap();
    assert!(page.contains("Growth chart"));
    assert!(page.contains("read all health data of the patient you choose below"));

    let form = |decision: &str, patient: &str| -> Vec<(String, String)> {
        let url = authorize_url(&server, &[]);
        let mut f: Vec<(String, String)> = query_of(&url).into_iter().collect();
        f.push(("decision".into(), decision.into()));
        f.push(("patient".into(), patient.into()));
        f
    };
    let post = |fields: Vec<(String, String)>, csrf: bool| {
        let path = if csrf {
            format!("/oauth/authorize?csrf={}", server.csrf)
        } else {
            "/oauth/authorize".to_string()
        };
        http.post(server.url(&path))
            .header(COOKIE, &cookies)
            .form(&fields)
            .send()
    };
    let me = principal(PATIENT).to_string();
    // No CSRF token: 403 (a page elsewhere cannot approve for the user).
    assert_eq!(
        post(form("approve", &me), false).await.unwrap().status(),
        403
    );
    // A patient the account may not pick: 403, no code.
    let other = principal(OTHER_PATIENT).to_string();
    let r = post(form("approve", &other), true).await.unwrap();
    assert_eq!(r.status(), 403);
    // Deny: access_denied at the app.
    let r = post(form("deny", &me), true).await.unwrap();
    assert_eq!(r.status(), 303);
    let q = query_of(r.headers()[LOCATION].to_str().unwrap());
    assert_eq!(q["error"], "access_denied");
    // Approve: a code, which works once, with the right verifier and redirect only.
    let r = post(form("approve", &me), true).await.unwrap();
    assert_eq!(r.status(), 303);
    let q = query_of(r.headers()[LOCATION].to_str().unwrap());
    assert_eq!(q["state"], "xyz");
    let code = q["code"].clone();
    let exchange = |verifier: &str, redirect: &str| {
        http.post(server.url("/oauth/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("client_id", "growth-chart"),
                ("redirect_uri", redirect),
                ("code_verifier", verifier),
            ])
            .send()
    };
    let wrong = exchange("another-verifier-of-enough-length-0123456789", REDIRECT)
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].as_str().unwrap().contains("PKCE"));
    // The failed attempt spent the code.
    let again = exchange("a-verifier-of-enough-length-0123456789abcdef", REDIRECT)
        .await
        .unwrap();
    assert_eq!(again.status(), 400);

    // A fresh approval, exchanged properly: the token reads the patient's data only.
    let r = post(form("approve", &me), true).await.unwrap();
    let code = query_of(r.headers()[LOCATION].to_str().unwrap())["code"].clone();
    let r = exchange_code(&server, &code).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let token: Value = r.json().await.unwrap();
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["patient"], me.as_str());
    assert!(
        token.get("refresh_token").is_none(),
        "no offline_access asked"
    );
    let access = token["access_token"].as_str().unwrap();
    let (status, _) = get_with(&server, access, &format!("/fhir/Consent?patient={me}")).await;
    assert_eq!(status, 200);
    let (status, body) = get_with(&server, access, &format!("/fhir/Consent?patient={other}")).await;
    assert_eq!(status, 403, "{body}");
    // The token acts as the approving account only.
    let r = http
        .get(server.url(&format!("/fhir/Consent?patient={me}")))
        .bearer_auth(access)
        .header("x-ehr-account", DOCTOR)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Read-only scopes: a create is refused before anything is signed.
    let r = http
        .post(server.url("/fhir/Observation"))
        .bearer_auth(access)
        .header("content-type", "application/fhir+json")
        .body(observation(70.0, Some(&me)).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // The dashboard lists the connection; revoking it there ends the token.
    let apps = server.page(&cookies, "/apps").await;
    assert!(apps.contains("growth-chart"), "{apps}");
    let grant = server.state.smart.live(PATIENT)[0].id;
    let grant = grant.to_string();
    let r = server
        .post_form(&cookies, "/apps/revoke", &[("grant", &grant)])
        .await;
    assert_eq!(r.status(), 303);
    let (status, _) = get_with(&server, access, &format!("/fhir/Consent?patient={me}")).await;
    assert_eq!(status, 401);
    // Another account cannot revoke what it did not approve.
    let doctor_cookies = session_as(&server, DOCTOR).await;
    let r = server
        .post_form(&doctor_cookies, "/apps/revoke", &[("grant", &grant)])
        .await;
    assert_eq!(r.status(), 404);

    // Token endpoint garbage: OAuth errors, never a 5xx.
    for form in [
        vec![("grant_type", "password")],
        vec![("grant_type", "authorization_code")],
        vec![
            ("grant_type", "refresh_token"),
            ("client_id", "growth-chart"),
            ("refresh_token", "nope"),
        ],
        vec![
            ("grant_type", "authorization_code"),
            ("client_id", "evil"),
            ("code", "x"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", "y"),
        ],
        vec![],
    ] {
        let r = http
            .post(server.url("/oauth/token"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(
            r.status() == 400 || r.status() == 401,
            "{form:?}: {}",
            r.status()
        );
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].is_string(), "{body}");
    }
    let r = http
        .post(server.url("/oauth/token"))
        .header(AUTHORIZATION, "Bearer x")
        .body("{not a form")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

mod backend {
    //! A backend service: client credentials with an ES384 client assertion.

    use super::*;
    use jsonwebtoken::{encode, EncodingKey, Header};
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P384_SHA384_FIXED_SIGNING};

    struct Key {
        pkcs8: Vec<u8>,
        jwk: Value,
    }

    fn key(kid: &str) -> Key {
        use base64::Engine as _;
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let point = pair.public_key().as_ref();
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        Key {
            pkcs8: pkcs8.as_ref().to_vec(),
            jwk: json!({
                "kty": "EC", "crv": "P-384", "kid": kid, "alg": "ES384", "use": "sig",
                "x": b64(&point[1..49]), "y": b64(&point[49..97]),
            }),
        }
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn assertion(key: &Key, kid: &str, claims: Value) -> String {
        let mut header = Header::new(jsonwebtoken::Algorithm::ES384);
        header.kid = Some(kid.into());
        encode(&header, &claims, &EncodingKey::from_ec_der(&key.pkcs8)).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backend_service_authenticates_with_a_signed_jwt() {
        let server = support::start().await;
        register_people(&server).await;
        let (record, _) = granted_record(&server).await;
        let signing = key("k1");
        registry(&server)
            .add(Client {
                client_id: "hospital-sync".into(),
                name: "Hospital sync".into(),
                redirect_uris: Vec::new(),
                jwks: Some(serde_json::from_value(json!({ "keys": [signing.jwk] })).unwrap()),
                account: Some(DOCTOR.into()),
            })
            .unwrap();
        let aud = server.url("/oauth/token");
        let claims = |jti: &str, aud: &str, exp: u64| json!({ "iss": "hospital-sync", "sub": "hospital-sync", "aud": aud, "exp": exp, "jti": jti });
        let http = http();
        let ask = |jwt: String, scope: &str| {
            http.post(server.url("/oauth/token"))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_assertion_type", ehr_web::smart::JWT_BEARER),
                    ("client_assertion", jwt.as_str()),
                    ("scope", scope),
                ])
                .send()
        };

        let good = assertion(&signing, "k1", claims("1", &aud, now() + 120));
        let r = ask(good.clone(), "system/*.read").await.unwrap();
        assert_eq!(r.status(), 200);
        let token: Value = r.json().await.unwrap();
        assert_eq!(token["scope"], "system/*.read");
        assert!(token.get("refresh_token").is_none());
        let access = token["access_token"].as_str().unwrap().to_string();
        let p = principal(PATIENT).to_string();
        // It reads, as the doctor, what the doctor's grant reaches.
        let (status, body) =
            get_with(&server, &access, &format!("/fhir/Consent?patient={p}")).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) =
            get_with(&server, &access, &format!("/fhir/Observation/{record}")).await;
        assert_eq!(status, 200, "{body}");
        // It does not write with a read scope.
        let r = http
            .post(server.url("/fhir/Observation"))
            .bearer_auth(&access)
            .header("content-type", "application/fhir+json")
            .body(observation(70.0, Some(&p)).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        // It sees nothing of a patient who granted the doctor nothing.
        let other = principal(OTHER_PATIENT).to_string();
        let (status, _) =
            get_with(&server, &access, &format!("/fhir/Consent?patient={other}")).await;
        assert_eq!(status, 403);

        // Refusals: replay, wrong audience, stale or far exp, a foreign key, an unknown
        // kid, sub != iss, patient/ scopes, an unknown client.
        let stranger = key("k1");
        let cases: Vec<(String, &str, &str)> = vec![
            (good, "system/*.read", "jti"),
            (
                assertion(
                    &signing,
                    "k1",
                    claims("2", "https://other.example/token", now() + 120),
                ),
                "system/*.read",
                "aud",
            ),
            (
                assertion(&signing, "k1", claims("3", &aud, now() - 600)),
                "system/*.read",
                "exp",
            ),
            (
                assertion(&signing, "k1", claims("4", &aud, now() + 3600)),
                "system/*.read",
                "at most",
            ),
            (
                assertion(&stranger, "k1", claims("5", &aud, now() + 120)),
                "system/*.read",
                "signed",
            ),
            (
                assertion(&signing, "k9", claims("6", &aud, now() + 120)),
                "system/*.read",
                "kid",
            ),
            (
                assertion(
                    &signing,
                    "k1",
                    json!({ "iss": "hospital-sync", "sub": "someone", "aud": aud, "exp": now() + 120, "jti": "7" }),
                ),
                "system/*.read",
                "sub",
            ),
            (
                assertion(
                    &signing,
                    "k1",
                    json!({ "iss": "nobody", "sub": "nobody", "aud": aud, "exp": now() + 120, "jti": "8" }),
                ),
                "system/*.read",
                "registered",
            ),
            ("not.a.jwt".to_string(), "system/*.read", "JWT"),
            (
                assertion(&signing, "k1", claims("9", &aud, now() + 120)),
                "patient/*.read",
                "system/",
            ),
        ];
        for (jwt, scope, why) in cases {
            let r = ask(jwt, scope).await.unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            assert!(status == 401 || status == 400, "{why}: {status} {body}");
            assert!(
                body["error_description"].as_str().unwrap().contains(why),
                "{why}: {body}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_names_the_endpoints() {
    let server = support::start().await;
    let http = http();
    for path in [
        "/.well-known/smart-configuration",
        "/fhir/.well-known/smart-configuration",
    ] {
        let r = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let conf: Value = r.json().await.unwrap();
        assert_eq!(
            conf["authorization_endpoint"],
            server.url("/oauth/authorize")
        );
        assert_eq!(conf["token_endpoint"], server.url("/oauth/token"));
        assert_eq!(conf["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(
            conf["scopes_supported"],
            json!(ehr_web::smart::SCOPES_SUPPORTED)
        );
    }
    // The CapabilityStatement carries the same endpoints, as fhirclient reads them.
    let cap: Value = http
        .get(server.url("/fhir/metadata"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uris = &cap["rest"][0]["security"]["extension"][0]["extension"];
    assert_eq!(uris[0]["valueUri"], server.url("/oauth/authorize"));
    assert_eq!(uris[1]["valueUri"], server.url("/oauth/token"));
    // RFC 7009: revoking an unknown token is not an error, and says nothing.
    let r = http
        .post(server.url("/oauth/revoke"))
        .form(&[("token", "unknown"), ("client_id", "growth-chart")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// Behind a TLS proxy (`--public-url`), every URL the server hands out names the public
/// origin, a SMART app's `aud` must name it, the proxy's `Host` is accepted (and no
/// other), and cookies are `Secure`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_tls_proxy_the_public_url_is_what_clients_see() {
    const PUBLIC: &str = "https://ehr.clinic.example";
    let server = support::start_behind_proxy(PUBLIC).await;
    register_people(&server).await;
    register_app(&server);
    let http = http();
    let via_proxy = |path: &str| {
        http.get(server.url(path))
            .header("host", "ehr.clinic.example")
    };
    let conf: Value = via_proxy("/.well-known/smart-configuration")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(conf["issuer"], PUBLIC);
    assert_eq!(
        conf["authorization_endpoint"],
        format!("{PUBLIC}/oauth/authorize")
    );
    assert_eq!(conf["token_endpoint"], format!("{PUBLIC}/oauth/token"));
    let cap: Value = via_proxy("/fhir/metadata")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        cap["rest"][0]["security"]["extension"][0]["extension"][1]["valueUri"],
        format!("{PUBLIC}/oauth/token")
    );
    assert_eq!(cap["implementation"]["url"], format!("{PUBLIC}/fhir"));
    // Another Host is still refused (DNS rebinding), with or without the proxy.
    let r = http
        .get(server.url("/fhir/metadata"))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421, "a foreign Host");
    // The app names the public FHIR base as `aud`; the server's own address is not it.
    let cookies = session_as(&server, PATIENT).await;
    let public_aud = format!("{PUBLIC}/fhir");
    let r = http
        .get(authorize_url(&server, &[("aud", &public_aud)]))
        .header(COOKIE, &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "the approval page for the public aud: {:?}",
        r.headers().get(LOCATION)
    );
    let r = http
        .get(authorize_url(&server, &[]))
        .header(COOKIE, &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        303,
        "the inner address as aud goes back refused"
    );
    let back = query_of(r.headers()[LOCATION].to_str().unwrap());
    assert_eq!(back["error"], "invalid_request");
    assert!(back["error_description"].contains(&public_aud), "{back:?}");
    // A login link names the public origin, and the session cookie it sets is Secure.
    let r = http
        .post(server.url(ehr_web::auth::LOGIN_LINKS_PATH))
        .header(AUTHORIZATION, format!("Bearer {}", server.token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let link = r.text().await.unwrap();
    assert!(link.starts_with(&format!("{PUBLIC}/?token=")), "{link}");
    let code = query_of(link.trim())["token"].clone();
    let r = http
        .get(server.url(&format!("/?token={code}")))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(server
        .state
        .login_url()
        .unwrap()
        .starts_with(&format!("{PUBLIC}/?token=")));
}

/// Exchanges an authorization code of `growth-chart` (the test verifier, the registered
/// redirect URI) at the token endpoint.
async fn exchange_code(server: &Server, code: &str) -> reqwest::Response {
    http()
        .post(server.url("/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", "growth-chart"),
            ("redirect_uri", REDIRECT),
            (
                "code_verifier",
                "a-verifier-of-enough-length-0123456789abcdef",
            ),
        ])
        .send()
        .await
        .unwrap()
}

/// Approves app `growth-chart` for `scope` as the signed-in `cookies` account (patient
/// `patient`), and exchanges the code: the token answer.
async fn approve_and_exchange(server: &Server, cookies: &str, scope: &str, patient: &str) -> Value {
    let http = http();
    let url = authorize_url(server, &[("scope", scope)]);
    let mut fields: Vec<(String, String)> = query_of(&url).into_iter().collect();
    fields.push(("decision".into(), "approve".into()));
    fields.push(("patient".into(), patient.into()));
    let r = http
        .post(server.url(&format!("/oauth/authorize?csrf={}", server.csrf)))
        .header(COOKIE, cookies)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{scope}");
    let code = query_of(r.headers()[LOCATION].to_str().unwrap())["code"].clone();
    let r = exchange_code(server, &code).await;
    assert_eq!(r.status(), 200, "{scope}");
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_revocation_and_registration_are_held_to_what_they_say() {
    let server = support::start().await;
    register_people(&server).await;
    register_app(&server);
    let (record, _) = granted_record(&server).await;
    let cookies = session_as(&server, PATIENT).await;
    let me = principal(PATIENT).to_string();
    let http = http();

    // `state` is required.
    let r = http
        .get(authorize_url(&server, &[("state", "")]))
        .header(COOKIE, &cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let q = query_of(r.headers()[LOCATION].to_str().unwrap());
    assert_eq!(q["error"], "invalid_request");
    assert!(q["error_description"].contains("state"));

    // A Binary scope is not a scope for the record's own type.
    let binary = approve_and_exchange(&server, &cookies, "patient/Binary.read", &me).await;
    let (status, body) = get_with(
        &server,
        binary["access_token"].as_str().unwrap(),
        &format!("/fhir/Binary/{record}"),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        outcome_status(status, &body).contains("Observation"),
        "{body}"
    );
    let both = approve_and_exchange(
        &server,
        &cookies,
        "patient/Binary.read patient/Observation.read",
        &me,
    )
    .await;
    let (status, body) = get_with(
        &server,
        both["access_token"].as_str().unwrap(),
        &format!("/fhir/Binary/{record}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // v2 `s` searches; it does not read by id.
    let search = approve_and_exchange(&server, &cookies, "patient/*.s", &me).await;
    let access = search["access_token"].as_str().unwrap();
    assert_eq!(search["scope"], "patient/*.s", "said back as asked");
    let (status, _) = get_with(
        &server,
        access,
        &format!("/fhir/DocumentReference?patient={me}"),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = get_with(&server, access, &format!("/fhir/Observation/{record}")).await;
    assert_eq!(status, 403, "{body}");

    // RFC 7009: another client's token is refused; the owner's revocation ends it.
    let token = both["access_token"].as_str().unwrap();
    let revoke = |client: &str| {
        http.post(server.url("/oauth/revoke"))
            .form(&[("token", token), ("client_id", client)])
            .send()
    };
    let r = revoke("someone-else").await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unauthorized_client"
    );
    let (status, _) = get_with(&server, token, &format!("/fhir/Binary/{record}")).await;
    assert_eq!(status, 200, "still live");
    assert_eq!(revoke("growth-chart").await.unwrap().status(), 200);
    let (status, _) = get_with(&server, token, &format!("/fhir/Binary/{record}")).await;
    assert_eq!(status, 401);

    // A backend service cannot use the code flow with a bare client id.
    registry(&server)
        .add(Client {
            client_id: "sync".into(),
            name: "Sync".into(),
            redirect_uris: Vec::new(),
            jwks: Some(
                serde_json::from_value(json!({ "keys": [{
                    "kty": "EC", "crv": "P-384", "kid": "1",
                    "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                    "y": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                }] }))
                .unwrap(),
            ),
            account: Some(DOCTOR.into()),
        })
        .unwrap();
    let r = http
        .post(server.url("/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "sync"),
            ("refresh_token", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unauthorized_client"
    );

    // Removing the app from the registry cuts its live tokens off at once.
    let live = approve_and_exchange(&server, &cookies, "patient/*.read", &me).await;
    let live = live["access_token"].as_str().unwrap();
    let (status, _) = get_with(&server, live, &format!("/fhir/Patient/{me}")).await;
    assert_eq!(status, 200);
    registry(&server).remove("growth-chart").unwrap();
    let (status, _) = get_with(&server, live, &format!("/fhir/Patient/{me}")).await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apps_agent_search_reaches_its_own_accounts_actions_only() {
    let server = support::start_indexed().await;
    register_people(&server).await;
    register_app(&server);
    let cookies = session_as(&server, PATIENT).await;
    let me = principal(PATIENT).to_string();
    let doctor = principal(DOCTOR).to_string();
    let user =
        approve_and_exchange(&server, &cookies, "launch/patient user/AuditEvent.rs", &me).await;
    let user = user["access_token"].as_str().unwrap();
    let (status, body) = get_with(&server, user, &format!("/fhir/AuditEvent?agent={me}")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = get_with(&server, user, &format!("/fhir/AuditEvent?agent={doctor}")).await;
    assert_eq!(status, 403, "{body}");
    assert!(outcome_status(status, &body).contains("own account"));
    // patient/ scopes search the patient in context, never by agent alone.
    let patient = approve_and_exchange(&server, &cookies, "patient/AuditEvent.rs", &me).await;
    let patient = patient["access_token"].as_str().unwrap();
    let (status, body) = get_with(&server, patient, &format!("/fhir/AuditEvent?agent={me}")).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) =
        get_with(&server, patient, &format!("/fhir/AuditEvent?patient={me}")).await;
    assert_eq!(status, 200, "{body}");
}
