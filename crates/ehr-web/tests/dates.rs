//! Block heights on the dashboard carry an approximate date, from the node API's block
//! times (the devnet tells them).

mod support;

use ehr_sdk::ehr::{calls, SendOptions};
use reqwest::header::COOKIE;
use support::{account, principal};

const PATIENT: &str = "wallet_1";

#[tokio::test]
async fn a_records_block_reads_as_a_date() {
    let server = support::start_with(&[PATIENT]).await;
    let patient = account(PATIENT);
    let key = &patient.secret_key;
    let envelope =
        ehr_sdk::crypto::wrap_key(&ehr_sdk::crypto::DataKey::generate(), &key.public_key())
            .unwrap();
    for call in [
        calls::register_patient(&[7; 32], &key.public_key()).unwrap(),
        calls::add_record(
            &principal(PATIENT),
            "Observation",
            &[1; 32],
            &format!("sha256:{}", "ab".repeat(32)),
            &envelope,
        )
        .unwrap(),
    ] {
        server
            .client
            .execute(key, &call, &SendOptions::default())
            .await
            .unwrap();
    }
    let page = reqwest::Client::new()
        .get(server.url("/records"))
        .header(
            COOKIE,
            format!("ehr_session={}; ehr_account={PATIENT}", server.session),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = page
        .find("<small class=\"when\">(about ")
        .unwrap_or_else(|| panic!("no date beside the block: {page}"));
    let when = &page[at..at + page[at..].find("</small>").unwrap()];
    // `about YYYY-MM-DD, N minutes ago` (or `in 0 minutes` for the tip itself).
    let date = &when["<small class=\"when\">(about ".len()..][..10];
    assert!(
        date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-',
        "{when}"
    );
    assert!(when.contains("ago") || when.contains("in "), "{when}");
}
