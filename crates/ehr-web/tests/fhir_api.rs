//! The FHIR R4 API of `ehr serve`, over real HTTP, against a devnet with the contracts:
//! the CapabilityStatement, reads and searches with their required R4 elements, writes
//! through the contracts, Binary with grants and on-chain logging, and every error path
//! as an OperationOutcome.

mod support;

use ehr_sdk::ehr::records;
use ehr_sdk::ehr::types::Scope;
use ehr_sdk::ehr::{calls, SendOptions};
use ehr_sdk::fhir::{canonical_json, PRINCIPAL_SYSTEM, RECORD_SYSTEM, TOKEN_SYSTEM};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HOST, LOCATION};
use serde_json::{json, Value};
use support::{account, observation, principal, register_people, run, tip, Server};

const PATIENT: &str = "wallet_1";
const DOCTOR: &str = "wallet_2";
const ISSUER: &str = "wallet_3";
const STRANGER: &str = "wallet_4";

/// A FHIR client for the test server. Every resource it is answered with is checked by a
/// third-party validator when the test ends ([`third_party_check`]).
struct Fhir<'a> {
    server: &'a Server,
    http: reqwest::Client,
    answers: std::sync::Mutex<Vec<Value>>,
}

impl Drop for Fhir<'_> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            third_party_check(&std::mem::take(&mut *self.answers.lock().unwrap()));
        }
    }
}

/// Validates `answers` with the `fhir.resources` models (Python, R4B) through
/// scripts/validate_fhir.py: a failure names each answer and why. Without Python's
/// fhir.resources the check is skipped loudly, except under CI, where it fails.
fn third_party_check(answers: &[Value]) {
    use std::io::Write as _;
    if answers.is_empty() {
        return;
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/validate_fhir.py"
    );
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    let child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            assert!(
                !ci,
                "CI must validate the FHIR answers, but python3 cannot start: {e}"
            );
            eprintln!("!!!!! SKIPPED: third-party FHIR validation (python3: {e})");
            return;
        }
    };
    let mut stdin = child.stdin.take().unwrap();
    for a in answers {
        writeln!(stdin, "{a}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    match out.status.code() {
        Some(0) => {}
        Some(3) => {
            assert!(!ci, "CI must validate the FHIR answers: pip install fhir.resources (scripts/setup.sh does)");
            eprintln!("!!!!! SKIPPED: third-party FHIR validation (pip install fhir.resources; scripts/setup.sh does)");
        }
        _ => panic!(
            "the FHIR answers do not validate with fhir.resources:\n{}",
            String::from_utf8_lossy(&out.stdout)
        ),
    }
}

/// Status, content type and JSON body of an answer.
struct Answer {
    status: u16,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl<'a> Fhir<'a> {
    fn new(server: &'a Server) -> Self {
        Fhir {
            server,
            answers: std::sync::Mutex::new(Vec::new()),
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let r = request.send().await.expect("the server answers");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = r.text().await.expect("a body");
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if body.get("resourceType").is_some() {
            self.answers.lock().unwrap().push(body.clone());
        }
        Answer {
            status,
            content_type,
            headers,
            body,
        }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(&format!("/fhir{path}"))
    }

    /// GET as `account` (None: the server's default identity).
    async fn get_as(&self, path: &str, account: Option<&str>) -> Answer {
        let mut rq = self
            .http
            .get(self.url(path))
            .bearer_auth(&self.server.token);
        if let Some(a) = account {
            rq = rq.header("X-Ehr-Account", a);
        }
        self.send(rq).await
    }

    async fn get(&self, path: &str) -> Answer {
        self.get_as(path, None).await
    }

    /// POST `body` as `account`.
    async fn post_as(&self, path: &str, account: &str, body: &str) -> Answer {
        let rq = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.server.token)
            .header("X-Ehr-Account", account)
            .header(CONTENT_TYPE, "application/fhir+json")
            .body(body.to_string());
        self.send(rq).await
    }
}

/// Asserts an OperationOutcome with `status` and returns its diagnostics.
fn assert_outcome(a: &Answer, status: u16) -> String {
    assert_eq!(
        a.status, status,
        "expected {status}, got {}: {}",
        a.status, a.body
    );
    assert!(
        a.content_type.starts_with("application/fhir+json"),
        "an OperationOutcome is FHIR JSON, got `{}`",
        a.content_type
    );
    assert_eq!(a.body["resourceType"], "OperationOutcome", "{}", a.body);
    let issue = &a.body["issue"][0];
    assert!(
        matches!(
            issue["severity"].as_str(),
            Some("fatal" | "error" | "warning" | "information")
        ),
        "{issue}"
    );
    assert!(
        issue["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{issue}"
    );
    issue["diagnostics"].as_str().unwrap_or("").to_string()
}

/// Asserts a searchset Bundle with `total` and a `self` link; returns the resources.
fn assert_searchset(a: &Answer, resource_type: &str) -> Vec<Value> {
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        a.content_type.starts_with("application/fhir+json"),
        "{}",
        a.content_type
    );
    let b = &a.body;
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "searchset");
    assert!(b["total"].is_u64(), "total: {b}");
    let links = b["link"].as_array().expect("link");
    assert!(
        links
            .iter()
            .any(|l| l["relation"] == "self" && l["url"].is_string()),
        "{b}"
    );
    let entries = b["entry"].as_array().cloned().unwrap_or_default();
    let mut resources = Vec::new();
    for e in entries {
        if e["search"]["mode"] == "outcome" {
            continue;
        }
        assert_eq!(e["search"]["mode"], "match", "{e}");
        let r = e["resource"].clone();
        assert_eq!(r["resourceType"], resource_type, "{r}");
        let id = r["id"].as_str().expect("id");
        assert!(
            e["fullUrl"]
                .as_str()
                .expect("fullUrl")
                .ends_with(&format!("/{resource_type}/{id}")),
            "{e}"
        );
        resources.push(r);
    }
    resources
}

fn link(bundle: &Value, relation: &str) -> Option<String> {
    bundle["link"]
        .as_array()?
        .iter()
        .find(|l| l["relation"] == relation)
        .and_then(|l| l["url"].as_str())
        .map(str::to_string)
}

/// The path after `/fhir` of an absolute link.
fn fhir_path(url: &str) -> String {
    url.split_once("/fhir").expect("a /fhir URL").1.to_string()
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(4) {
        let data: Vec<u8> = chunk.iter().copied().filter(|&c| c != b'=').collect();
        let mut n = 0u32;
        for (i, &c) in data.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        for i in 0..data.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_states_exactly_what_is_served() {
    let server = support::start().await;
    let fhir = Fhir::new(&server);
    let a = fhir.get("/metadata").await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        a.content_type.starts_with("application/fhir+json"),
        "{}",
        a.content_type
    );
    let cs = &a.body;
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["status"], "active");
    let date = cs["date"].as_str().expect("date");
    assert!(
        date.len() >= 10 && date.as_bytes()[4] == b'-',
        "date: {date}"
    );
    assert_eq!(cs["kind"], "instance");
    assert_eq!(cs["fhirVersion"], "4.0.1");
    let formats: Vec<&str> = cs["format"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(formats.contains(&"json"), "{formats:?}");
    let rest = &cs["rest"][0];
    assert_eq!(rest["mode"], "server");
    let documentation = rest["documentation"].as_str().unwrap();
    for system in [PRINCIPAL_SYSTEM, RECORD_SYSTEM, TOKEN_SYSTEM] {
        assert!(
            documentation.contains(system),
            "the identifier system {system} is documented"
        );
    }

    let resources = rest["resource"].as_array().unwrap();
    let of = |ty: &str| -> (Vec<String>, Vec<String>) {
        let r = resources
            .iter()
            .find(|r| r["type"] == ty)
            .unwrap_or_else(|| panic!("{ty} is in the CapabilityStatement"));
        let interactions = r["interaction"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap().to_string())
            .collect();
        let params = r["searchParam"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .map(|p| p["name"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        (interactions, params)
    };
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(of("Patient"), (strings(&["read"]), vec![]));
    assert_eq!(of("Binary"), (strings(&["read"]), vec![]));
    for ty in ["Consent", "AuditEvent", "DocumentReference"] {
        assert_eq!(
            of(ty),
            (strings(&["read", "search-type"]), strings(&["patient"])),
            "{ty}"
        );
    }
    for ty in ehr_web::fhir::CREATE_TYPES {
        assert_eq!(of(ty), (strings(&["read", "create"]), vec![]), "{ty}");
    }
    // Every declared search parameter names an R4 definition whose base covers the type
    // (AuditEvent's `patient` is AuditEvent-patient, not clinical-patient).
    let definition = |ty: &str| {
        resources.iter().find(|r| r["type"] == ty).unwrap()["searchParam"][0]["definition"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        definition("AuditEvent"),
        "http://hl7.org/fhir/SearchParameter/AuditEvent-patient"
    );
    for ty in ["Consent", "DocumentReference"] {
        assert_eq!(
            definition(ty),
            "http://hl7.org/fhir/SearchParameter/clinical-patient"
        );
    }
    for r in resources {
        for p in r["searchParam"].as_array().into_iter().flatten() {
            let url = p["definition"].as_str().unwrap();
            let ty = r["type"].as_str().unwrap();
            assert!(
                ehr_web::fhir::capability::PATIENT_PARAM_DEFINITIONS
                    .iter()
                    .any(|(u, bases)| *u == url && bases.contains(&ty)),
                "{ty}: {url} does not cover it"
            );
        }
    }
    assert_eq!(
        resources.len(),
        5 + ehr_web::fhir::CREATE_TYPES.len(),
        "no other resource types"
    );
    let system: Vec<&str> = rest["interaction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(system, ["transaction", "batch"]);
    let paging: Vec<&str> = rest["searchParam"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(paging, ["_count", "_offset"]);

    // Interactions it does not list are refused as FHIR expects.
    let put = fhir
        .send(
            fhir.http
                .put(fhir.url("/Patient/x"))
                .bearer_auth(&server.token)
                .body("{}"),
        )
        .await;
    assert_outcome(&put, 405);
    assert_outcome(&fhir.get("/Patient").await, 405);
    // Created types are read by id now: an unknown id is a 404.
    assert_outcome(&fhir.get("/Observation/1").await, 404);
    assert_outcome(&fhir.get("/Practitioner/1").await, 404);
    assert_outcome(&fhir.get("/metadata?_format=xml").await, 406);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_answers_with_operation_outcomes() {
    let server = support::start().await;
    let fhir = Fhir::new(&server);
    let http = &fhir.http;

    // The CapabilityStatement is public (a SMART app reads it to find where to
    // authorize); everything else needs a token.
    let public = fhir.send(http.get(fhir.url("/metadata"))).await;
    assert_eq!(public.status, 200);
    assert_eq!(public.body["resourceType"], "CapabilityStatement");
    let none = fhir.send(http.get(fhir.url("/Consent/1"))).await;
    assert!(assert_outcome(&none, 401).contains("bearer"));
    assert!(none
        .headers
        .get("www-authenticate")
        .is_some_and(|v| v.to_str().unwrap().starts_with("Bearer")));
    let wrong = fhir
        .send(
            http.get(fhir.url("/Consent/1"))
                .bearer_auth("not-the-token"),
        )
        .await;
    assert_outcome(&wrong, 401);
    let rebound = fhir
        .send(
            http.get(fhir.url("/metadata"))
                .bearer_auth(&server.token)
                .header(HOST, "evil.example:80"),
        )
        .await;
    assert_outcome(&rebound, 421);

    // Unknown ids and types, bad parameters.
    assert_outcome(
        &fhir.get(&format!("/Patient/{}", principal(STRANGER))).await,
        404,
    );
    assert_outcome(&fhir.get("/Patient/not-a-principal").await, 404);
    assert_outcome(&fhir.get("/DocumentReference/999").await, 404);
    assert_outcome(&fhir.get("/Consent/999").await, 404);
    // `/fhir/` is the base (POST a Bundle there); GET on it is no interaction served;
    // deeper unknown paths are 404 outcomes.
    assert_outcome(&fhir.get("/").await, 405);
    assert_outcome(&fhir.get("/Patient/a/b").await, 404);
    assert_outcome(&fhir.get("/AuditEvent/999999").await, 404);
    assert_outcome(&fhir.get("/Binary/999").await, 404);
    assert_outcome(&fhir.get("/Binary/abc").await, 404);
    assert_outcome(&fhir.get("/Nothing/1").await, 404);
    assert_outcome(&fhir.get("/no/such/path").await, 404);
    assert!(assert_outcome(&fhir.get("/AuditEvent").await, 400).contains("patient"));
    assert_outcome(&fhir.get("/AuditEvent?patient=nobody").await, 400);
    assert_outcome(
        &fhir
            .get(&format!(
                "/AuditEvent?patient={}&_count=x",
                principal(PATIENT)
            ))
            .await,
        400,
    );
    assert_outcome(
        &fhir
            .get(&format!(
                "/AuditEvent?patient={}&date=2020",
                principal(PATIENT)
            ))
            .await,
        400,
    );
    let xml = fhir
        .send(
            http.get(fhir.url("/metadata"))
                .bearer_auth(&server.token)
                .header(ACCEPT, "application/fhir+xml"),
        )
        .await;
    assert_outcome(&xml, 406);

    // Malformed bodies: 400; a type posted where it does not belong: 400; one this server
    // does not store: 405 on its own URL, 422 inside a transaction.
    assert!(assert_outcome(
        &fhir.post_as("/Observation", PATIENT, "{not json").await,
        400
    )
    .contains("JSON"));
    assert_outcome(&fhir.post_as("/Observation", PATIENT, "[1, 2]").await, 400);
    assert_outcome(
        &fhir
            .post_as("/Observation", PATIENT, "{\"status\": \"final\"}")
            .await,
        400,
    );
    let mismatch = fhir
        .post_as(
            "/Observation",
            PATIENT,
            &json!({ "resourceType": "Condition" }).to_string(),
        )
        .await;
    assert!(assert_outcome(&mismatch, 400).contains("Condition"));
    assert_outcome(
        &fhir
            .post_as("/Patient", PATIENT, "{\"resourceType\": \"Patient\"}")
            .await,
        405,
    );
    assert_outcome(
        &fhir
            .post_as(
                "/Frobnicator",
                PATIENT,
                "{\"resourceType\": \"Frobnicator\"}",
            )
            .await,
        404,
    );
    let wrong_media = fhir
        .send(
            http.post(fhir.url("/Observation"))
                .bearer_auth(&server.token)
                .header(CONTENT_TYPE, "text/plain")
                .body(observation(60.0, None).to_string()),
        )
        .await;
    assert_outcome(&wrong_media, 415);
    let huge = format!(
        "{{\"resourceType\": \"Observation\", \"note\": [{{\"text\": \"{}\"}}]}}",
        "x".repeat(3 << 20)
    );
    // On a connection of its own: the server answers before reading the whole body and
    // closes that connection, which a pooled client would otherwise try to reuse.
    let own = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let too_large = fhir
        .send(
            own.post(fhir.url("/Observation"))
                .bearer_auth(&server.token)
                .header("X-Ehr-Account", PATIENT)
                .header(CONTENT_TYPE, "application/fhir+json")
                .body(huge),
        )
        .await;
    assert_outcome(&too_large, 413);
    let audit_in_tx = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{ "resource": { "resourceType": "AuditEvent" }, "request": { "method": "POST", "url": "AuditEvent" } }],
    });
    assert!(assert_outcome(
        &fhir.post_as("", PATIENT, &audit_in_tx.to_string()).await,
        422
    )
    .contains("AuditEvent"));
    let collection = json!({ "resourceType": "Bundle", "type": "collection", "entry": [{ "resource": observation(1.0, None) }] });
    assert_outcome(
        &fhir.post_as("", PATIENT, &collection.to_string()).await,
        400,
    );
    assert_outcome(
        &fhir
            .post_as("", PATIENT, &observation(1.0, None).to_string())
            .await,
        400,
    );
    let delete = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{ "resource": observation(1.0, None), "request": { "method": "DELETE", "url": "Observation" } }],
    });
    assert_outcome(&fhir.post_as("", PATIENT, &delete.to_string()).await, 422);

    // An account the server does not act for.
    assert_outcome(
        &fhir
            .post_as(
                "/Observation",
                "mallory",
                &observation(1.0, None).to_string(),
            )
            .await,
        403,
    );
}

/// On a current-thread runtime, as `ehr serve` runs.
#[tokio::test]
async fn records_grants_and_the_audit_log_end_to_end() {
    let server = support::start().await;
    let fhir = Fhir::new(&server);
    register_people(&server).await;
    let p = principal(PATIENT).to_string();
    let d = principal(DOCTOR).to_string();

    // Patient read: id = principal, identifier in the principal system.
    let a = fhir.get(&format!("/Patient/{p}")).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["resourceType"], "Patient");
    assert_eq!(a.body["id"], p.as_str());
    assert_eq!(a.body["identifier"][0]["system"], PRINCIPAL_SYSTEM);
    assert_eq!(a.body["identifier"][0]["value"], p.as_str());
    assert_eq!(a.body["active"], true);

    // Create as the patient: 201, Location naming the created Observation, the body the
    // Observation as stored.
    let obs = observation(72.0, Some(&p));
    let created = fhir
        .post_as("/Observation", PATIENT, &obs.to_string())
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let location = created
        .headers
        .get(LOCATION)
        .expect("Location")
        .to_str()
        .unwrap()
        .to_string();
    assert!(location.contains("/fhir/Observation/"), "{location}");
    let id = location.rsplit('/').next().unwrap().to_string();
    assert_eq!(created.body["resourceType"], "Observation");
    assert_eq!(created.body["id"], id.as_str());
    assert_eq!(created.body["valueQuantity"], obs["valueQuantity"]);
    // The Location resolves: the Observation reads back, as the patient.
    let back = fhir
        .get_as(&format!("/Observation/{id}"), Some(PATIENT))
        .await;
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(back.body, created.body);
    // Not under another type, and not for an account without a grant.
    assert_outcome(
        &fhir
            .get_as(&format!("/Condition/{id}"), Some(PATIENT))
            .await,
        404,
    );
    assert_outcome(
        &fhir
            .get_as(&format!("/Observation/{id}"), Some(STRANGER))
            .await,
        403,
    );

    // The DocumentReference search finds it, with its required elements.
    let found = fhir.get(&format!("/DocumentReference?patient={p}")).await;
    let docs = assert_searchset(&found, "DocumentReference");
    assert_eq!(found.body["total"], 1);
    let doc = docs
        .iter()
        .find(|r| r["id"] == id.as_str())
        .expect("the new record is found");
    assert_eq!(doc["status"], "current");
    assert_eq!(doc["subject"]["identifier"]["value"], p.as_str());
    assert_eq!(doc["type"]["text"], "Observation");
    let attachment = &doc["content"][0]["attachment"];
    // attachment.url resolves (Binary/{id}); the chain's locator is in an extension.
    assert_eq!(attachment["url"], format!("Binary/{id}"), "{doc}");
    assert_eq!(
        attachment["extension"][1]["url"],
        ehr_sdk::fhir::EXT_LOCATOR
    );
    assert!(attachment["extension"][1]["valueString"]
        .as_str()
        .is_some_and(|l| l == "chain:chunks" || l.starts_with("sha256:")));
    let hash = attachment["extension"][0]["valueString"]
        .as_str()
        .expect("content hash");
    assert_eq!(hash.len(), 64);
    assert_eq!(doc["identifier"][0]["system"], RECORD_SYSTEM);
    let read = fhir.get(&format!("/DocumentReference/{id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(&read.body, doc);

    // Binary: the patient reads its own record back, decrypted; nothing logged.
    let entries_before = server
        .client
        .get_patient_entry_count(&principal(PATIENT))
        .await
        .unwrap();
    let bin = fhir.get_as(&format!("/Binary/{id}"), Some(PATIENT)).await;
    assert_eq!(bin.status, 200, "{}", bin.body);
    assert_eq!(bin.body["resourceType"], "Binary");
    assert_eq!(bin.body["contentType"], "application/fhir+json");
    let plain = decode_base64(bin.body["data"].as_str().expect("data"));
    assert_eq!(plain, canonical_json(&obs));
    assert!(bin.headers.get("x-ehr-access-logged").is_none());
    assert_eq!(
        server
            .client
            .get_patient_entry_count(&principal(PATIENT))
            .await
            .unwrap(),
        entries_before
    );

    // A transaction of two: a transaction-response with two 201s.
    let tx = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            { "fullUrl": "urn:uuid:0b6c6f6e-0000-4000-8000-000000000001", "resource": observation(80.0, Some(&p)), "request": { "method": "POST", "url": "Observation" } },
            { "resource": { "resourceType": "Condition", "subject": { "reference": format!("Patient/{p}") }, "code": { "text": "hypertension" } }, "request": { "method": "POST", "url": "Condition" } },
        ],
    });
    // Posted to the base with a trailing slash, as fhirclient does.
    let answer = fhir.post_as("/", PATIENT, &tx.to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["resourceType"], "Bundle");
    assert_eq!(answer.body["type"], "transaction-response");
    let responses = answer.body["entry"].as_array().unwrap();
    assert_eq!(responses.len(), 2);
    for (r, ty) in responses.iter().zip(["Observation", "Condition"]) {
        assert_eq!(r["response"]["status"], "201 Created", "{r}");
        let location = r["response"]["location"].as_str().unwrap();
        assert!(location.starts_with(&format!("{ty}/")), "{r}");
        assert!(r["fullUrl"].as_str().unwrap().ends_with(location), "{r}");
        assert_eq!(r["resource"]["resourceType"], ty, "{r}");
        // Each location reads back.
        let read = fhir.get_as(&format!("/{location}"), Some(PATIENT)).await;
        assert_eq!(read.status, 200, "{}", read.body);
        assert_eq!(read.body["resourceType"], ty);
    }
    let all = fhir.get(&format!("/DocumentReference?patient={p}")).await;
    assert_searchset(&all, "DocumentReference");
    assert_eq!(all.body["total"], 3);

    // A batch: the good entry is written, the bad one answers its own error.
    let batch = json!({
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            { "resource": observation(90.0, Some(&p)), "request": { "method": "POST", "url": "Observation" } },
            { "resource": { "resourceType": "Consent" }, "request": { "method": "POST", "url": "Consent" } },
        ],
    });
    let answer = fhir.post_as("", PATIENT, &batch.to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["type"], "batch-response");
    assert_eq!(answer.body["entry"][0]["response"]["status"], "201 Created");
    assert_eq!(
        answer.body["entry"][1]["response"]["status"],
        "422 Unprocessable Entity"
    );
    assert_eq!(
        answer.body["entry"][1]["response"]["outcome"]["resourceType"],
        "OperationOutcome"
    );

    // A stranger writing for the patient: the contract refuses, 403 with its message.
    let refused = fhir
        .post_as(
            "/Observation",
            STRANGER,
            &observation(50.0, Some(&p)).to_string(),
        )
        .await;
    let message = assert_outcome(&refused, 403);
    assert!(
        message.contains("ERR-NOT-AUTHORIZED") && message.contains("may not write"),
        "{message}"
    );
    let refused = fhir
        .post_as(
            &format!("/Observation?patient={p}"),
            STRANGER,
            &observation(50.0, None).to_string(),
        )
        .await;
    assert_outcome(&refused, 403);
    let refused_tx = fhir.post_as("", STRANGER, &tx.to_string()).await;
    assert!(assert_outcome(&refused_tx, 403).contains("ERR-NOT-AUTHORIZED"));
    assert_eq!(
        server
            .client
            .get_patient_record_count(&principal(PATIENT))
            .await
            .unwrap(),
        4,
        "nothing was written"
    );

    // The doctor without a grant: 403.
    assert!(assert_outcome(
        &fhir.get_as(&format!("/Binary/{id}"), Some(DOCTOR)).await,
        403
    )
    .contains("grant"));

    // With a grant but no key envelope yet: still 403.
    let until = tip(&server).await + 500;
    run(
        &server,
        PATIENT,
        calls::grant_access(&principal(DOCTOR), Scope::READ, None, until).unwrap(),
    )
    .await;
    let record_id: u64 = id.parse().unwrap();
    assert!(assert_outcome(
        &fhir.get_as(&format!("/Binary/{id}"), Some(DOCTOR)).await,
        403
    )
    .contains("envelope"));

    // With the envelope: 200, and the view is logged on chain under the doctor's token.
    records::share_record(
        &server.client,
        &account(PATIENT).secret_key,
        record_id,
        &principal(DOCTOR),
        &SendOptions::default(),
    )
    .await
    .expect("the patient shares the record");
    let count_before = server
        .client
        .get_patient_entry_count(&principal(PATIENT))
        .await
        .unwrap();
    let bin = fhir.get_as(&format!("/Binary/{id}"), Some(DOCTOR)).await;
    assert_eq!(bin.status, 200, "{}", bin.body);
    assert_eq!(
        decode_base64(bin.body["data"].as_str().unwrap()),
        canonical_json(&obs)
    );
    assert!(bin.headers.get("x-ehr-access-logged").is_some());
    let count_after = server
        .client
        .get_patient_entry_count(&principal(PATIENT))
        .await
        .unwrap();
    assert_eq!(
        count_after,
        count_before + 1,
        "one audit entry for the view"
    );
    let last_id = server
        .client
        .get_patient_entry_id(&principal(PATIENT), count_after - 1)
        .await
        .unwrap()
        .unwrap();
    let last = server.client.get_entry(last_id).await.unwrap().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str(), last.reference),
        ("view", d.as_str(), u128::from(record_id))
    );

    // The audit log as AuditEvent, paged, chain-verified; the view is the last entry.
    let page = fhir.get(&format!("/AuditEvent?patient={p}&_count=3")).await;
    let events = assert_searchset(&page, "AuditEvent");
    assert_eq!(page.body["total"], count_after);
    assert_eq!(events.len(), 3);
    assert_eq!(
        page.body["meta"]["tag"][0]["system"],
        ehr_web::fhir::CHAIN_TAG_SYSTEM
    );
    assert_eq!(
        page.body["meta"]["tag"][0]["code"], "verified",
        "{}",
        page.body["meta"]
    );
    for e in &events {
        assert!(
            e["type"]["system"].is_string() && e["type"]["code"].is_string(),
            "{e}"
        );
        assert!(
            e["recorded"].as_str().is_some_and(|r| r.ends_with('Z')),
            "{e}"
        );
        assert_eq!(e["agent"][0]["requestor"], true);
        assert_eq!(
            e["agent"][0]["who"]["identifier"]["system"],
            PRINCIPAL_SYSTEM
        );
        assert!(e["source"]["observer"]["identifier"]["value"]
            .as_str()
            .unwrap()
            .ends_with(".audit-log"));
        assert!(e["entity"].as_array().is_some_and(|x| !x.is_empty()));
    }
    let next = link(&page.body, "next").expect("a next link");
    assert!(
        next.contains("_offset=3") && next.contains("_count=3"),
        "{next}"
    );
    let mut offset_seen = 3;
    let mut next = Some(next);
    let mut last_page = Vec::new();
    while let Some(url) = next {
        let page = fhir.get(&fhir_path(&url)).await;
        last_page = assert_searchset(&page, "AuditEvent");
        assert_eq!(page.body["meta"]["tag"][0]["code"], "verified");
        offset_seen += last_page.len() as u64;
        next = link(&page.body, "next");
    }
    assert_eq!(offset_seen, count_after, "the pages cover the log exactly");
    let view = last_page.last().expect("the last page has the view");
    assert_eq!(view["id"], last_id.to_string());
    assert_eq!(view["action"], "R");
    assert_eq!(view["agent"][0]["who"]["identifier"]["value"], d.as_str());
    let one = fhir.get(&format!("/AuditEvent/{last_id}")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["meta"]["tag"][0]["code"], "verified");
    // `recorded` is the entry's block time: the same in the search and the read, and the
    // same a second later, as the node tells that block's time.
    let block = one.body["extension"]
        .as_array()
        .and_then(|x| {
            x.iter().find(|e| {
                e["url"]
                    .as_str()
                    .is_some_and(|u| u.ends_with("block-height"))
            })
        })
        .and_then(|e| {
            e["valueInteger"]
                .as_u64()
                .or_else(|| e["valueUnsignedInt"].as_u64())
        })
        .expect("the block-height extension");
    let time = server
        .client
        .node()
        .block_time(block)
        .await
        .unwrap()
        .expect("the devnet tells block times");
    assert_eq!(one.body["recorded"], ehr_sdk::fhir::instant(time));
    assert_eq!(view["recorded"], one.body["recorded"]);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let again = fhir.get(&format!("/AuditEvent/{last_id}")).await;
    assert_eq!(again.body["recorded"], one.body["recorded"]);
    let total_only = fhir.get(&format!("/AuditEvent?patient={p}&_count=0")).await;
    assert!(assert_searchset(&total_only, "AuditEvent").is_empty());
    assert_eq!(total_only.body["total"], count_after);

    // Consent: the grant, with its required elements.
    let consents = fhir.get(&format!("/Consent?patient=Patient/{p}")).await;
    let list = assert_searchset(&consents, "Consent");
    assert_eq!(consents.body["total"], 1);
    let c = &list[0];
    assert_eq!(c["status"], "active");
    assert!(c["scope"]["coding"][0]["code"].is_string());
    assert!(c["category"][0]["coding"][0]["code"].is_string());
    assert!(c["policyRule"].is_object() || c["policy"].is_array());
    assert_eq!(c["patient"]["identifier"]["value"], p.as_str());
    assert_eq!(c["identifier"][0]["system"], TOKEN_SYSTEM);
    assert_eq!(c["provision"]["type"], "permit");
    assert_eq!(
        c["provision"]["actor"][0]["reference"]["identifier"]["value"],
        d.as_str()
    );
    assert_eq!(c["provision"]["action"][0]["coding"][0]["code"], "access");
    let period = &c["provision"]["extension"][0];
    assert!(
        period["url"].as_str().unwrap().ends_with("block-period"),
        "{period}"
    );
    let token_id = c["id"].as_str().unwrap();
    let read = fhir.get(&format!("/Consent/{token_id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["id"], token_id);
    let nobody = fhir
        .get(&format!("/Consent?patient={}", principal(STRANGER)))
        .await;
    assert!(assert_searchset(&nobody, "Consent").is_empty());
    assert_eq!(nobody.body["total"], 0);

    // Revoked: Binary is refused again though the envelope stays.
    run(
        &server,
        PATIENT,
        calls::revoke_access(token_id.parse().unwrap()).unwrap(),
    )
    .await;
    assert_outcome(
        &fhir.get_as(&format!("/Binary/{id}"), Some(DOCTOR)).await,
        403,
    );
    let revoked = fhir.get(&format!("/Consent/{token_id}")).await;
    assert_eq!(revoked.body["status"], "inactive");
}

/// A record's locator is on chain, so anyone with write access chooses it: a hostile one
/// (a path out of the store, another scheme) or a blob missing from the store answers a
/// 4xx OperationOutcome that says what is wrong, never a 500, and reads nothing outside
/// the store; no answer names a server path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_locators_and_missing_blobs_are_client_errors() {
    let server = support::start().await;
    let fhir = Fhir::new(&server);
    register_people(&server).await;
    let p = principal(PATIENT);
    let patient = account(PATIENT);
    let envelope = ehr_sdk::crypto::wrap_key(
        &ehr_sdk::crypto::DataKey::generate(),
        &patient.secret_key.public_key(),
    )
    .unwrap();
    let store_dir = server.state.config.stores[0].clone();
    let hostile = [
        "sha256:../../etc/passwd",
        "file:///etc/passwd",
        "s3://bucket/ehr/abc",
        "sha256:../../../../../../../../etc/hostname",
    ];
    let missing = format!("sha256:{}", "ab".repeat(32));
    for (i, locator) in hostile.iter().chain([&missing.as_str()]).enumerate() {
        let mined = server
            .client
            .execute(
                &patient.secret_key,
                &calls::add_record(&p, "Observation", &[i as u8; 32], locator, &envelope).unwrap(),
                &SendOptions::default(),
            )
            .await
            .unwrap();
        let id = mined.id().unwrap();
        for path in [format!("/Binary/{id}"), format!("/Observation/{id}")] {
            let answer = fhir.get_as(&path, Some(PATIENT)).await;
            assert!(
                (400..500).contains(&answer.status),
                "{path} with locator {locator}: {} {}",
                answer.status,
                answer.body
            );
            let text = answer.body.to_string();
            assert!(
                text.contains(locator.trim_start_matches("sha256:"))
                    || text.contains("locator")
                    || text.contains("store"),
                "{path}: says what is wrong: {text}"
            );
            assert!(!text.contains(&store_dir), "{path}: no server path: {text}");
            assert!(
                !text.contains("root:"),
                "{path}: nothing read from outside: {text}"
            );
        }
    }
}

/// The FHIR read of a record whose blob is gone, changed, or in a store that cannot be
/// reached is a client error (or a gateway error) whose OperationOutcome names each store
/// tried and what it answered.
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_or_changed_blob_names_the_store_that_failed() {
    let server = support::start().await;
    let fhir = Fhir::new(&server);
    register_people(&server).await;
    let p = principal(PATIENT);
    let patient = account(PATIENT);
    let envelope = ehr_sdk::crypto::wrap_key(
        &ehr_sdk::crypto::DataKey::generate(),
        &patient.secret_key.public_key(),
    )
    .unwrap();
    let folder = std::path::PathBuf::from(&server.state.config.stores[0]);
    std::fs::create_dir_all(&folder).unwrap();
    // Bytes under a hash's name that are not the record's (the chain says [9; 32]).
    let name = "ef".repeat(32);
    std::fs::write(folder.join(&name), b"not the sealed record").unwrap();
    // Port 9 on the loopback: nothing listens, the connection is refused at once.
    let dead = format!("http://127.0.0.1:9/ehr/{}", "12".repeat(32));
    for (hash, locator, status, says) in [
        (
            [8u8; 32],
            format!("sha256:{}", "cd".repeat(32)),
            404,
            "local folder: no copy".to_string(),
        ),
        (
            [9u8; 32],
            format!("sha256:{name}"),
            422,
            "local folder: its copy does not match the hash on chain".to_string(),
        ),
        (
            [10u8; 32],
            dead,
            502,
            "store 2 (http://127.0.0.1:9/ehr): ".to_string(),
        ),
    ] {
        let id = server
            .client
            .execute(
                &patient.secret_key,
                &calls::add_record(&p, "Observation", &hash, &locator, &envelope).unwrap(),
                &SendOptions::default(),
            )
            .await
            .unwrap()
            .id()
            .unwrap();
        let answer = fhir.get_as(&format!("/Binary/{id}"), Some(PATIENT)).await;
        assert_eq!(answer.status, status, "{locator}: {}", answer.body);
        assert_eq!(answer.body["resourceType"], "OperationOutcome");
        let text = answer.body["issue"][0]["diagnostics"]
            .as_str()
            .unwrap_or_default();
        assert!(text.contains(&says), "{locator}: names the store: {text}");
    }
}

/// Hundreds of sockets that never send a byte do not lock anyone out: a normal request
/// still answers while they are open, and the server closes each one that sends no request
/// head within the header-read timeout (2 s), at most 256 at a time, so none holds a
/// connection slot or a descriptor for long (bounded: 400 sockets, loopback, seconds).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_are_closed_and_do_not_lock_anyone_out() {
    use tokio::io::AsyncReadExt as _;
    let server = support::start().await;
    let mut idle = Vec::new();
    for _ in 0..400 {
        idle.push(tokio::net::TcpStream::connect(server.addr).await.unwrap());
    }
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(8),
        reqwest::Client::new()
            .get(server.url("/fhir/metadata"))
            .bearer_auth(&server.token)
            .send(),
    )
    .await
    .expect("a normal request answers while idle sockets are open")
    .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    // Every idle socket is closed by the server (EOF) well within 10 s.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    for (i, mut socket) in idle.into_iter().enumerate() {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout_at(deadline, socket.read(&mut byte)).await;
        assert!(
            matches!(read, Ok(Ok(0)) | Ok(Err(_))),
            "idle socket {i} is still open after 10 s: {read:?}"
        );
    }
}

/// A resource too large for the chain goes to the store sealed in format version 3 (the
/// stream format `ehr record add` uses), and reads back through the FHIR API, which opens
/// it in memory: both paths share `prepare_write` and the reader.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_resource_goes_to_the_store_as_a_stream_and_reads_back() {
    let server = support::start().await;
    let fhir = Fhir::new(&server);
    register_people(&server).await;
    let p = principal(PATIENT).to_string();
    let mut obs = observation(61.0, Some(&p));
    // Three 64 KiB segments and some.
    obs["note"] = json!([{ "text": "sinus rhythm. ".repeat(15_000) }]);
    let created = fhir
        .post_as("/Observation", PATIENT, &obs.to_string())
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let blobs: Vec<_> = std::fs::read_dir(&server.state.config.stores[0])
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(blobs.len(), 1, "{blobs:?}");
    let sealed = std::fs::read(&blobs[0]).unwrap();
    assert_eq!(sealed[0], ehr_sdk::crypto::stream::STREAM_VERSION);
    assert!(sealed.len() > 3 * ehr_sdk::crypto::stream::CHUNK_LEN);
    let back = fhir
        .get_as(&format!("/Observation/{id}"), Some(PATIENT))
        .await;
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(back.body["note"], obs["note"]);
}

/// What is created is validated against the R4 structure definitions: an invalid
/// resource (or transaction entry) is refused with 422 and an OperationOutcome naming
/// each problem and its path, and nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_resources_are_refused_with_every_problem_and_its_path() {
    let server = support::start().await;
    let fhir = Fhir::new(&server);
    register_people(&server).await;
    let p = principal(PATIENT).to_string();

    let mut obs = observation(72.0, Some(&p));
    obs.as_object_mut().unwrap().remove("status");
    obs["colour"] = json!("blue");
    obs["effectiveDateTime"] = json!("2026-13-40");
    let refused = fhir
        .post_as("/Observation", PATIENT, &obs.to_string())
        .await;
    assert_outcome(&refused, 422);
    let issues = refused.body["issue"].as_array().unwrap();
    let paths: Vec<&str> = issues
        .iter()
        .map(|i| i["expression"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "Observation.status",
            "Observation.effectiveDateTime",
            "Observation.colour"
        ],
        "{}",
        refused.body
    );
    assert_eq!(issues[0]["code"], "required");
    assert!(issues[2]["diagnostics"]
        .as_str()
        .unwrap()
        .contains("not an element of Observation"));
    // An unknown code under a required binding.
    let mut obs = observation(72.0, Some(&p));
    obs["status"] = json!("done");
    let refused = fhir
        .post_as("/Observation", PATIENT, &obs.to_string())
        .await;
    assert_outcome(&refused, 422);
    assert_eq!(refused.body["issue"][0]["code"], "code-invalid");

    // In a transaction: the entry's path, and nothing of the Bundle is written.
    let mut bad = observation(80.0, Some(&p));
    bad["valueQuantity"]["value"] = json!("80");
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            { "resource": observation(70.0, Some(&p)), "request": { "method": "POST", "url": "Observation" } },
            { "resource": bad, "request": { "method": "POST", "url": "Observation" } },
        ],
    });
    let refused = fhir.post_as("/", PATIENT, &bundle.to_string()).await;
    assert_outcome(&refused, 422);
    assert_eq!(
        refused.body["issue"][0]["expression"][0], "Bundle.entry[1].resource.valueQuantity.value",
        "{}",
        refused.body
    );
    let listed = fhir
        .get_as(&format!("/DocumentReference?patient={p}"), Some(PATIENT))
        .await;
    assert_eq!(listed.body["total"], 0, "{}", listed.body);

    // The valid resource is stored.
    let created = fhir
        .post_as(
            "/Observation",
            PATIENT,
            &observation(72.0, Some(&p)).to_string(),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_export_gives_ndjson_of_what_the_caller_may_read() {
    let server = support::start().await;
    let fhir = Fhir::new(&server);
    register_people(&server).await;
    let p = principal(PATIENT).to_string();
    let mut ids = Vec::new();
    for value in [71.0, 73.0] {
        let created = fhir
            .post_as(
                "/Observation",
                PATIENT,
                &observation(value, Some(&p)).to_string(),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        ids.push(created.body["id"].as_str().unwrap().parse::<u64>().unwrap());
    }
    // The doctor holds a read grant and the key of the first record only.
    let until = tip(&server).await + 500;
    run(
        &server,
        PATIENT,
        calls::grant_access(&principal(DOCTOR), Scope::READ, None, until).unwrap(),
    )
    .await;
    records::share_record(
        &server.client,
        &account(PATIENT).secret_key,
        ids[0],
        &principal(DOCTOR),
        &SendOptions::default(),
    )
    .await
    .unwrap();

    let kickoff = |query: &str, prefer: bool| {
        let mut rq = fhir
            .http
            .get(fhir.url(&format!("/Patient/$export{query}")))
            .bearer_auth(&server.token)
            .header("X-Ehr-Account", DOCTOR)
            .header(ACCEPT, "application/fhir+json");
        if prefer {
            rq = rq.header("Prefer", "respond-async");
        }
        fhir.send(rq)
    };
    // Refused kick-offs: no Prefer, unknown type, unsupported parameter or format.
    assert!(assert_outcome(&kickoff("", false).await, 400).contains("respond-async"));
    assert_outcome(&kickoff("?_type=Nope", true).await, 400);
    assert_outcome(&kickoff("?_since=2026-01-01T00:00:00Z", true).await, 400);
    assert_outcome(&kickoff("?_outputFormat=text/csv", true).await, 400);

    let started = kickoff("?_type=Patient,Consent,Observation", true).await;
    assert_eq!(started.status, 202, "{}", started.body);
    let status_url = started.headers["content-location"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(status_url.contains("/fhir/$export-status/"), "{status_url}");
    let get = |url: String| fhir.http.get(url).bearer_auth(&server.token).send();
    let manifest: Value = {
        let mut polls = 0;
        loop {
            let r = get(status_url.clone()).await.unwrap();
            match r.status().as_u16() {
                202 => {
                    assert!(r.headers().get("x-progress").is_some());
                    polls += 1;
                    assert!(polls < 600, "the export never finished");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                200 => break r.json().await.unwrap(),
                other => panic!("status {other}: {}", r.text().await.unwrap()),
            }
        }
    };
    assert_eq!(manifest["requiresAccessToken"], true);
    let counts: std::collections::BTreeMap<String, u64> = manifest["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["type"].as_str().unwrap().to_string(),
                o["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [("Consent", 1), ("Observation", 1), ("Patient", 1)]
            .into_iter()
            .map(|(t, c)| (t.to_string(), c))
            .collect(),
        "{manifest}"
    );
    // The record without a key envelope is an error line, not a failed export.
    assert_eq!(manifest["error"][0]["count"], 1, "{manifest}");
    let mut lines = Vec::new();
    for file in manifest["output"]
        .as_array()
        .unwrap()
        .iter()
        .chain(manifest["error"].as_array().unwrap())
    {
        let r = get(file["url"].as_str().unwrap().to_string())
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/fhir+ndjson");
        for line in r.text().await.unwrap().lines() {
            lines.push(serde_json::from_str::<Value>(line).unwrap());
        }
    }
    let observation = lines
        .iter()
        .find(|l| l["resourceType"] == "Observation")
        .unwrap();
    assert_eq!(observation["id"], ids[0].to_string());
    assert_eq!(observation["valueQuantity"]["value"], 71.0);
    let error = lines
        .iter()
        .find(|l| l["resourceType"] == "OperationOutcome")
        .unwrap();
    assert!(error["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .contains(&format!("Observation/{}", ids[1])));
    // Every exported resource is valid R4 to the third-party validator too.
    fhir.answers.lock().unwrap().extend(lines);

    // Unknown jobs and files are 404; cancelling forgets the job.
    let job = status_url.rsplit('/').next().unwrap().to_string();
    assert_eq!(
        get(fhir.url("/$export-status/0000"))
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        get(fhir.url(&format!("/$export-file/{job}/Nope.ndjson")))
            .await
            .unwrap()
            .status(),
        404
    );
    let r = fhir
        .http
        .delete(status_url.clone())
        .bearer_auth(&server.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    assert_eq!(get(status_url).await.unwrap().status(), 404);
}

/// Every AuditEvent of `path`'s search, following `next` links; each page checked.
async fn all_pages(fhir: &Fhir<'_>, path: &str) -> (Vec<Value>, usize) {
    let mut path = path.to_string();
    let mut events = Vec::new();
    let mut pages = 0;
    loop {
        let page = fhir.get(&path).await;
        events.extend(assert_searchset(&page, "AuditEvent"));
        pages += 1;
        assert_eq!(
            page.body["meta"]["tag"][0]["code"], "verified",
            "{}",
            page.body
        );
        match link(&page.body, "next") {
            Some(next) => path = fhir_path(&next),
            None => return (events, pages),
        }
    }
}

fn ids(events: &[Value]) -> Vec<u64> {
    events
        .iter()
        .map(|e| e["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_events_are_searched_through_an_index_by_agent_action_and_date_in_stable_pages() {
    let server = support::start_indexed().await;
    let fhir = Fhir::new(&server);
    register_people(&server).await;
    let p = principal(PATIENT);
    // The patient's log: register-patient (C), then emergency access allowed and opted
    // out of (U, U, U).
    for allowed in [true, false, true] {
        run(
            &server,
            PATIENT,
            calls::set_emergency_allowed(allowed).unwrap(),
        )
        .await;
    }
    // The index reads the audit log after each block: wait until it holds all four.
    let everything = format!("/AuditEvent?patient={p}&_count=1000");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let all = loop {
        let page = fhir.get(&everything).await;
        let events = assert_searchset(&page, "AuditEvent");
        if events.len() >= 4 {
            assert_eq!(page.body["total"], events.len() as u64);
            break events;
        }
        assert!(std::time::Instant::now() < deadline, "{}", page.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let all_ids = ids(&all);
    assert!(
        all_ids.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {all_ids:?}"
    );
    let actions: Vec<&str> = all.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["C", "U", "U", "U"]);

    // Keyset pages, newest first: an entry appended between pages neither repeats one nor
    // hides one; the pages hold exactly the entries there were.
    let first = fhir
        .get(&format!("/AuditEvent?patient={p}&_sort=-date&_count=3"))
        .await;
    let mut paged = ids(&assert_searchset(&first, "AuditEvent"));
    assert!(link(&first.body, "previous").is_none());
    let next = link(&first.body, "next").expect("a next page");
    assert!(next.contains("_cursor="), "{next}");
    run(
        &server,
        PATIENT,
        calls::set_emergency_allowed(false).unwrap(),
    )
    .await;
    let (rest, _) = all_pages(&fhir, &fhir_path(&next)).await;
    paged.extend(ids(&rest));
    let mut newest_first = all_ids.clone();
    newest_first.reverse();
    assert_eq!(paged, newest_first);
    // Oldest first, two at a time, is the whole log too.
    let (two_by_two, pages) = all_pages(&fhir, &format!("/AuditEvent?patient={p}&_count=2")).await;
    assert_eq!(&ids(&two_by_two)[..all_ids.len()], &all_ids[..]);
    assert!(pages >= 3, "{pages}");

    // action: FHIR codes, any of several.
    let creates = fhir
        .get(&format!("/AuditEvent?patient={p}&action=C,D&_count=1000"))
        .await;
    let creates = assert_searchset(&creates, "AuditEvent");
    assert_eq!(ids(&creates), vec![all_ids[0]]);
    let updates = fhir
        .get(&format!(
            "/AuditEvent?patient={p}&action=http://hl7.org/fhir/audit-event-action|U"
        ))
        .await;
    assert!(assert_searchset(&updates, "AuditEvent")
        .iter()
        .all(|e| e["action"] == "U"));
    assert_eq!(updates.body["total"], 4, "three and the one appended");
    let none = fhir.get(&format!("/AuditEvent?patient={p}&action=E")).await;
    assert!(assert_searchset(&none, "AuditEvent").is_empty());
    assert_eq!(none.body["total"], 0);

    // agent alone: the issuer's entries (it verified the doctor).
    let issuer = principal(ISSUER);
    let by_issuer = fhir
        .get(&format!("/AuditEvent?agent=Practitioner/{issuer}"))
        .await;
    let by_issuer = assert_searchset(&by_issuer, "AuditEvent");
    assert!(!by_issuer.is_empty());
    for e in &by_issuer {
        assert_eq!(
            e["agent"][0]["who"]["identifier"]["value"],
            issuer.to_string(),
            "{e}"
        );
    }

    // date and _lastUpdated: the entry's block time (`recorded`), split at the third
    // entry's: at or after it, and before it, make the whole.
    let split = all[2]["recorded"].as_str().unwrap().to_string();
    let after = fhir
        .get(&format!(
            "/AuditEvent?patient={p}&date=ge{split}&_count=1000"
        ))
        .await;
    let after = assert_searchset(&after, "AuditEvent");
    assert!(after
        .iter()
        .all(|e| e["recorded"].as_str().unwrap() >= split.as_str()));
    let before = fhir
        .get(&format!(
            "/AuditEvent?patient={p}&_lastUpdated=lt{split}&_count=1000"
        ))
        .await;
    let before = assert_searchset(&before, "AuditEvent");
    assert!(before
        .iter()
        .all(|e| e["recorded"].as_str().unwrap() < split.as_str()));
    assert_eq!(after.len() + before.len(), all_ids.len() + 1);
    let empty = fhir
        .get(&format!("/AuditEvent?patient={p}&date=lt2000-01-01"))
        .await;
    assert!(assert_searchset(&empty, "AuditEvent").is_empty());

    // _count up to 1,000.
    let big = fhir
        .get(&format!("/AuditEvent?patient={p}&_count=5000"))
        .await;
    assert!(link(&big.body, "self").unwrap().contains("_count=1000"));

    for (query, why) in [
        (format!("patient={p}&_sort=name"), "_sort"),
        (format!("patient={p}&date=ne2026"), "prefix"),
        (format!("patient={p}&date=2026-12-05T10:00:00"), "time zone"),
        (format!("patient={p}&action=X"), "action codes"),
        (format!("patient={p}&_cursor=abc"), "_cursor"),
        ("action=C".to_string(), "patient` or `agent"),
        ("agent=nobody".to_string(), "agent"),
    ] {
        let diagnostics = assert_outcome(&fhir.get(&format!("/AuditEvent?{query}")).await, 400);
        assert!(diagnostics.contains(why), "{query}: {diagnostics}");
    }

    // The CapabilityStatement declares what the index answers.
    let cs = fhir.get("/metadata").await;
    assert_eq!(cs.status, 200);
    let audit = cs.body["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "AuditEvent")
        .unwrap()
        .clone();
    let declared: Vec<&str> = audit["searchParam"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        declared,
        ["patient", "agent", "action", "date", "_lastUpdated"]
    );
    assert!(audit["documentation"].as_str().unwrap().contains("_cursor"));
}
