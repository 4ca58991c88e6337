//! A dashboard form and a FHIR API call that write for the same account at the same
//! moment: both sign a transaction with the account's key, so both need its next nonce.
//! The server holds one write lock per account for both faces; without it, the two read
//! the same nonce and the node drops one of the transactions.

mod support;

use ehr_sdk::ehr::calls;
use ehr_sdk::ehr::SendOptions;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use reqwest::redirect::Policy;
use serde_json::json;
use support::{account, principal, Server};

const PATIENT: &str = "wallet_1";

/// How many times both writes are fired together.
const ROUNDS: u64 = 3;

/// The dashboard upload of a small FHIR record as `PATIENT`: the operation's page, once
/// done.
async fn dashboard_upload(server: &Server, http: &reqwest::Client, round: u64) -> String {
    let text = json!({
        "resourceType": "Observation",
        "status": "final",
        "code": { "text": format!("Dashboard round {round}") },
        "valueString": "120/80 mmHg",
    })
    .to_string();
    let posted = http
        .post(server.url(&format!("/records?csrf={}", server.csrf)))
        .header(
            COOKIE,
            format!("ehr_session={}; ehr_account={PATIENT}", server.session),
        )
        .form(&[("text", text.as_str())])
        .send()
        .await
        .expect("the dashboard answers");
    assert_eq!(posted.status().as_u16(), 303, "the upload redirects");
    let location = posted.headers()[LOCATION].to_str().unwrap().to_string();
    let page = http
        .get(server.url(&location))
        .header(
            COOKIE,
            format!("ehr_session={}; ehr_account={PATIENT}", server.session),
        )
        .send()
        .await
        .expect("the operation page answers");
    page.text().await.expect("a body")
}

/// The FHIR create of an Observation for `PATIENT`, as `PATIENT`: status and body.
async fn fhir_create(server: &Server, http: &reqwest::Client, round: u64) -> (u16, String) {
    let body = json!({
        "resourceType": "Observation",
        "status": "final",
        "code": { "text": format!("API round {round}") },
        "subject": { "reference": format!("Patient/{}", principal(PATIENT)) },
        "valueQuantity": { "value": 72, "unit": "beats/minute", "system": "http://unitsofmeasure.org", "code": "/min" },
    })
    .to_string();
    let answer = http
        .post(server.url("/fhir/Observation"))
        .bearer_auth(&server.token)
        .header("X-Ehr-Account", PATIENT)
        .header(CONTENT_TYPE, "application/fhir+json")
        .body(body)
        .send()
        .await
        .expect("the FHIR API answers");
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap_or_default())
}

#[tokio::test]
async fn a_dashboard_write_and_a_fhir_write_for_one_account_both_land() {
    let server = support::start_with(&[PATIENT]).await;
    let patient = account(PATIENT);
    server
        .client
        .execute(
            &patient.secret_key,
            &calls::register_patient(&[7; 32], &patient.secret_key.public_key()).unwrap(),
            &SendOptions::default(),
        )
        .await
        .expect("the patient registers");
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();

    for round in 1..=ROUNDS {
        let (page, (status, created)) = tokio::join!(
            dashboard_upload(&server, &http, round),
            fhir_create(&server, &http, round)
        );
        assert!(
            page.contains("data-state=\"done\""),
            "round {round}: the dashboard upload did not land: {page}"
        );
        assert_eq!(
            status, 201,
            "round {round}: the FHIR create did not land: {created}"
        );
        let count = server
            .client
            .get_patient_record_count(&principal(PATIENT))
            .await
            .expect("the record count");
        assert_eq!(count, 2 * round, "round {round}: both records are on chain");
    }
}
