//! The FHIR R4 API over real HTTP against a devnet.

mod support;

#[tokio::test]
async fn server_starts() {
    let server = support::start().await;
    let r = reqwest::Client::new()
        .get(server.url("/fhir/metadata"))
        .bearer_auth(&server.token)
        .send()
        .await
        .unwrap();
    assert!(r.status().as_u16() > 0);
}
