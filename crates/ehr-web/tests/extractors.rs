//! The dashboard's extractors. Upload forms read through axum's multipart support: a
//! malformed or unsupported body is the client's mistake (4xx, an error page in the acting
//! account's frame), never a 5xx, and the body limit holds. Form handlers check the CSRF
//! token themselves, behind the security layer's own check.

mod support;

use axum::body::Body;
use reqwest::header::{CONTENT_TYPE, COOKIE};
use support::Server;
use tower::ServiceExt as _;

const PATIENT: &str = "wallet_1";

async fn post(server: &Server, content_type: &str, body: Vec<u8>) -> (u16, String) {
    let answer = reqwest::Client::new()
        .post(server.url(&format!("/records?csrf={}", server.csrf)))
        .header(
            COOKIE,
            format!("ehr_session={}; ehr_account={PATIENT}", server.session),
        )
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .expect("the dashboard answers");
    let status = answer.status().as_u16();
    (status, answer.text().await.unwrap_or_default())
}

#[tokio::test]
async fn bad_upload_bodies_are_the_clients_mistake() {
    let server = support::start_with(&[PATIENT]).await;

    // A multipart body that breaks off inside a part's headers.
    let (status, page) = post(
        &server,
        "multipart/form-data; boundary=b",
        b"--b\r\nContent-Disposition: form-data; name=\"text\"".to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("the upload could not be read"), "{page}");
    // The error page is a whole page in the acting account's frame.
    assert!(
        page.contains("Acting as <strong>wallet_1</strong>"),
        "{page}"
    );

    // A multipart content type without a boundary.
    let (status, page) = post(&server, "multipart/form-data", b"--b--\r\n".to_vec()).await;
    assert_eq!(status, 400, "{page}");

    // Neither multipart nor urlencoded.
    let (status, page) = post(&server, "text/plain", b"hello".to_vec()).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("unsupported form encoding"), "{page}");

    // A well-formed multipart body with nothing to add.
    let (status, page) = post(
        &server,
        "multipart/form-data; boundary=b",
        b"--b\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nLab\r\n--b--\r\n".to_vec(),
    )
    .await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("nothing to add"), "{page}");

    // Past the upload limit (8 MiB).
    let mut big =
        b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n"
            .to_vec();
    big.resize(big.len() + 9 * 1024 * 1024, b'x');
    big.extend_from_slice(b"\r\n--b--\r\n");
    let (status, page) = post(&server, "multipart/form-data; boundary=b", big).await;
    assert_eq!(status, 413, "{page}");
}

#[tokio::test]
async fn form_handlers_refuse_a_post_without_the_csrf_token_even_without_the_guard() {
    let server = support::start_with(&[PATIENT]).await;
    // The dashboard's routes alone, without the security layer in front of them.
    let app = ehr_web::dashboard::routes(server.state.clone()).with_state(server.state.clone());
    let post = |path: &str, csrf: Option<&str>| {
        let uri = match csrf {
            Some(token) => format!("{path}?csrf={token}"),
            None => path.to_string(),
        };
        axum::http::Request::post(uri)
            .header(COOKIE.as_str(), format!("ehr_account={PATIENT}"))
            .header(CONTENT_TYPE.as_str(), "application/x-www-form-urlencoded")
            .body(Body::from("grantee=wallet_2&read=on&expires_in=10"))
            .unwrap()
    };
    for path in ["/access/grant", "/records"] {
        for csrf in [None, Some("0000")] {
            let answer = app.clone().oneshot(post(path, csrf)).await.unwrap();
            assert_eq!(answer.status().as_u16(), 403, "{path} with {csrf:?}");
            let body = axum::body::to_bytes(answer.into_body(), 1 << 20)
                .await
                .unwrap();
            let page = String::from_utf8_lossy(&body);
            assert!(page.contains("CSRF token"), "{page}");
        }
    }
    // With the right token the form is read (and this one is then refused by its own rule:
    // nothing to add).
    let answer = app
        .clone()
        .oneshot(post("/records", Some(&server.csrf)))
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
}
