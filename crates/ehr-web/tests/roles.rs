//! The roles beyond the patient's own: a guardian acting for its ward (every `-for`
//! function, from the ward's pages), the patient's encryption key replaced after a
//! confirmation, and a doctor verified by an issuer's attestation. Every refusal is a
//! page in words and signs nothing.

mod support;

use ehr_sdk::ehr::calls;
use ehr_sdk::ehr::types::RequestStatus;
use reqwest::header::LOCATION;
use support::{account, principal, Server};

const PATIENT: &str = "wallet_1";
const DOCTOR: &str = "wallet_2";
const ISSUER: &str = "wallet_3";
const STRANGER: &str = "wallet_4";
const GUARDIAN: &str = "wallet_5";

fn cookie(server: &Server, who: &str) -> String {
    format!("ehr_session={}; ehr_account={who}", server.session)
}

/// Posts a form that starts an operation, and returns its outcome page once it is done
/// or failed.
async fn outcome(server: &Server, who: &str, path: &str, form: &[(&str, &str)]) -> String {
    let r = server.post_form(&cookie(server, who), path, form).await;
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_string());
    let body = r.text().await.unwrap();
    assert_eq!(status, 303, "POST {path} as {who}: {body}");
    let op = location.expect("a redirect to the operation");
    for _ in 0..300 {
        let page = server.page(&cookie(server, who), &op).await;
        if page.contains("data-state=\"done\"") || page.contains("data-state=\"failed\"") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("POST {path} as {who}: the operation never ended");
}

fn done(page: &str) -> &str {
    assert!(page.contains("data-state=\"done\""), "not done: {page}");
    page
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guardian_acts_for_its_ward_from_the_wards_pages() {
    let server = support::with_guardian().await;
    let c = &server.client;
    let ward = principal(PATIENT);
    let ward_text = ward.to_string();
    let w = ward_text.as_str();

    // Its own patient page lists the ward, with links to the ward's pages.
    let page = server.page(&cookie(&server, GUARDIAN), "/patient").await;
    assert!(
        page.contains(&format!("href=\"/patient?for={w}\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"/access?for={w}\"")),
        "{page}"
    );
    let page = server
        .page(&cookie(&server, GUARDIAN), &format!("/patient?for={w}"))
        .await;
    assert!(page.contains("You act here as a guardian of"), "{page}");
    assert!(!page.contains("Deactivate my registration"), "{page}");

    // create-token-for: the ward holds the token.
    done(
        &outcome(
            &server,
            GUARDIAN,
            "/access/create-token",
            &[("read", "on"), ("expires_in", "50"), ("for", w)],
        )
        .await,
    );
    let token = c.get_token(1).await.unwrap().expect("token #1");
    assert_eq!(
        (token.patient.clone(), token.grantee),
        (ward.clone(), ward.clone())
    );
    // The ward's access page, as its guardian, shows it with a revoke form carrying no
    // hand-over (only the holder hands a token over).
    let access = server
        .page(&cookie(&server, GUARDIAN), &format!("/access?for={w}"))
        .await;
    assert!(access.contains("You act here as a guardian of"), "{access}");
    assert!(
        access.contains(">#1</td>") && !access.contains("Hand over"),
        "{access}"
    );
    // revoke (of the ward's token).
    done(
        &outcome(
            &server,
            GUARDIAN,
            "/access/revoke",
            &[("token", "1"), ("keep_keys", "on")],
        )
        .await,
    );
    assert!(c.get_token(1).await.unwrap().unwrap().revoked);

    // set-emergency-allowed-for.
    done(
        &outcome(
            &server,
            GUARDIAN,
            "/patient/emergency",
            &[("allowed", "false"), ("for", w)],
        )
        .await,
    );
    assert!(!c.is_emergency_allowed(&ward).await.unwrap());

    // set-guardian-for: a second guardian proposed, then withdrawn.
    let second = principal("wallet_6").to_string();
    done(
        &outcome(
            &server,
            GUARDIAN,
            "/patient/guardian",
            &[("guardian", &second), ("enabled", "true"), ("for", w)],
        )
        .await,
    );
    done(
        &outcome(
            &server,
            GUARDIAN,
            "/patient/guardian",
            &[("guardian", &second), ("enabled", "false"), ("for", w)],
        )
        .await,
    );

    // approve-request and deny-request, for the ward.
    let request = |n: u64| {
        let c = c.clone();
        let ward = ward.clone();
        async move {
            c.execute(
                &account(DOCTOR).secret_key,
                &calls::request_access(&ward, ehr_sdk::ehr::types::Scope::READ, 100, "checkup")
                    .unwrap(),
                &Default::default(),
            )
            .await
            .unwrap();
            assert!(c.get_request(n).await.unwrap().is_some());
        }
    };
    request(1).await;
    done(&outcome(&server, GUARDIAN, "/access/approve", &[("request", "1")]).await);
    assert_eq!(
        c.get_request(1).await.unwrap().unwrap().status,
        RequestStatus::Approved
    );
    request(2).await;
    done(&outcome(&server, GUARDIAN, "/access/deny", &[("request", "2")]).await);
    assert_eq!(
        c.get_request(2).await.unwrap().unwrap().status,
        RequestStatus::Denied
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_who_is_not_a_guardian_gets_a_403_and_signs_nothing() {
    let server = support::with_guardian().await;
    let c = &server.client;
    let ward = principal(PATIENT);
    let w = ward.to_string();
    // Something to revoke, approve and deny.
    support::run(
        &server,
        PATIENT,
        calls::create_token(
            ehr_sdk::ehr::types::Scope::READ,
            None,
            support::tip(&server).await + 100,
        )
        .unwrap(),
    )
    .await;
    support::run(
        &server,
        DOCTOR,
        calls::request_access(&ward, ehr_sdk::ehr::types::Scope::READ, 100, "checkup").unwrap(),
    )
    .await;
    let new_key = hex::encode(account("wallet_7").secret_key.public_key().to_bytes());
    let before = support::sent(&server, STRANGER).await;
    for path in [format!("/patient?for={w}"), format!("/access?for={w}")] {
        let r = reqwest::Client::new()
            .get(server.url(&path))
            .header(reqwest::header::COOKIE, cookie(&server, STRANGER))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "GET {path}");
        let page = r.text().await.unwrap();
        assert!(page.contains("is not a guardian of"), "{page}");
    }
    let forms: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/access/grant",
            vec![
                ("grantee", DOCTOR),
                ("read", "on"),
                ("expires_in", "100"),
                ("for", &w),
            ],
        ),
        (
            "/access/create-token",
            vec![("read", "on"), ("expires_in", "100"), ("for", &w)],
        ),
        ("/access/revoke", vec![("token", "1")]),
        ("/access/approve", vec![("request", "1")]),
        ("/access/deny", vec![("request", "1")]),
        (
            "/patient/guardian",
            vec![("guardian", STRANGER), ("enabled", "true"), ("for", &w)],
        ),
        (
            "/patient/emergency",
            vec![("allowed", "false"), ("for", &w)],
        ),
        (
            "/patient/update-key",
            vec![("enc_pubkey", &new_key), ("confirm", "yes"), ("for", &w)],
        ),
    ];
    for (path, form) in &forms {
        let r = server
            .post_form(&cookie(&server, STRANGER), path, form)
            .await;
        assert_eq!(r.status().as_u16(), 403, "POST {path} as a stranger");
        let page = r.text().await.unwrap();
        assert!(
            page.contains("is not a guardian of") && page.contains("Nothing was signed"),
            "POST {path}: {page}"
        );
    }
    assert_eq!(
        support::sent(&server, STRANGER).await,
        before,
        "a stranger signed something"
    );
    // Nothing changed for the ward.
    assert!(!c.get_token(1).await.unwrap().unwrap().revoked);
    assert!(c.get_token(2).await.unwrap().is_none());
    assert_eq!(
        c.get_request(1).await.unwrap().unwrap().status,
        RequestStatus::Pending
    );
    assert!(c.is_emergency_allowed(&ward).await.unwrap());
    assert_eq!(
        c.get_patient(&ward).await.unwrap().unwrap().enc_pubkey,
        account(PATIENT).secret_key.public_key().to_bytes()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_is_replaced_only_after_its_consequences_are_shown() {
    let server = support::with_guardian().await;
    let c = &server.client;
    let ward = principal(PATIENT);
    let w = ward.to_string();
    let device = hex::encode(account("wallet_7").secret_key.public_key().to_bytes());
    let registered =
        || async { hex::encode(c.get_patient(&ward).await.unwrap().unwrap().enc_pubkey) };
    let original = registered().await;

    // The first submission shows what changes and signs nothing.
    let r = server
        .post_form(
            &cookie(&server, PATIENT),
            "/patient/update-key",
            &[("enc_pubkey", &device)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    for words in [
        "Records already written keep the key they were encrypted to",
        "This server does not hold the new key",
        &original,
        &device,
        "name=\"confirm\" value=\"yes\"",
    ] {
        assert!(page.contains(words), "`{words}` not in {page}");
    }
    assert_eq!(registered().await, original);
    // Confirmed: the registry holds the new key.
    done(
        &outcome(
            &server,
            PATIENT,
            "/patient/update-key",
            &[("enc_pubkey", &device), ("confirm", "yes")],
        )
        .await,
    );
    assert_eq!(registered().await, device);
    // The same key again is nothing to change (400); a malformed key too.
    for bad in [device.as_str(), "12ab"] {
        let r = server
            .post_form(
                &cookie(&server, PATIENT),
                "/patient/update-key",
                &[("enc_pubkey", bad)],
            )
            .await;
        assert_eq!(r.status().as_u16(), 400, "{bad}");
    }
    // Back to its own key (empty field), as the patient.
    done(
        &outcome(
            &server,
            PATIENT,
            "/patient/update-key",
            &[("confirm", "yes")],
        )
        .await,
    );
    assert_eq!(registered().await, original);

    // A guardian (update-enc-pubkey-for) must name the new key, and never its own.
    let own = hex::encode(account(GUARDIAN).secret_key.public_key().to_bytes());
    for (key, status) in [("", 400), (own.as_str(), 400)] {
        let r = server
            .post_form(
                &cookie(&server, GUARDIAN),
                "/patient/update-key",
                &[("enc_pubkey", key), ("for", &w), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status().as_u16(), status, "key {key:?}");
    }
    let r = server
        .post_form(
            &cookie(&server, GUARDIAN),
            "/patient/update-key",
            &[("enc_pubkey", &device), ("for", &w)],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The patient is told that its guardian changed its key"));
    done(
        &outcome(
            &server,
            GUARDIAN,
            "/patient/update-key",
            &[("enc_pubkey", &device), ("for", &w), ("confirm", "yes")],
        )
        .await,
    );
    assert_eq!(registered().await, device);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doctor_is_verified_by_an_issuers_attestation_and_a_wrong_one_is_refused() {
    const NEW_DOCTOR: &str = "wallet_6";
    let server = support::start_with(&[DOCTOR, ISSUER, STRANGER, NEW_DOCTOR]).await;
    support::register_people(&server).await;
    let c = &server.client;
    let doctor = principal(NEW_DOCTOR);
    support::register_second_doctor(&server, NEW_DOCTOR).await;
    assert!(!c.is_verified(&doctor).await.unwrap());

    // The issuer signs on its admin page: a page, no transaction.
    let issued_before = support::sent(&server, ISSUER).await;
    let r = server
        .post_form(
            &cookie(&server, ISSUER),
            "/admin/attest",
            &[
                ("doctor", NEW_DOCTOR),
                ("expires_in", "30"),
                ("expires_in_unit", "days"),
            ],
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let page = r.text().await.unwrap();
    let (expires_at, signature) = support::attestation_of(&page);
    assert_eq!(signature.len(), 130, "{page}");
    assert_eq!(support::sent(&server, ISSUER).await, issued_before);

    // Refused before anything is signed: another signer (a stranger signs "as" no
    // issuer), the right signature for another doctor, an expired attestation.
    let stranger = server
        .post_form(
            &cookie(&server, STRANGER),
            "/admin/attest",
            &[
                ("doctor", NEW_DOCTOR),
                ("expires_in", "30"),
                ("expires_in_unit", "days"),
            ],
        )
        .await;
    assert_eq!(stranger.status().as_u16(), 200);
    let stranger_page = stranger.text().await.unwrap();
    assert!(
        stranger_page.contains("not an enabled credential issuer now"),
        "{stranger_page}"
    );
    let (stranger_expiry, forged) = support::attestation_of(&stranger_page);
    let tip = support::tip(&server).await;
    let submitted_before = support::sent(&server, NEW_DOCTOR).await;
    let refusals: Vec<(&str, String, String, u16, &str)> = vec![
        // Signed by the stranger's key, claimed as the issuer's.
        (
            NEW_DOCTOR,
            stranger_expiry.clone(),
            forged.clone(),
            403,
            "is not",
        ),
        // The issuer's signature with another expiry than it signed.
        (
            NEW_DOCTOR,
            (tip + 500).to_string(),
            signature.clone(),
            403,
            "is not",
        ),
        // Submitted by another doctor.
        (DOCTOR, expires_at.clone(), signature.clone(), 403, "is not"),
        // Expired: an expiry already behind the chain.
        (
            NEW_DOCTOR,
            "2".to_string(),
            signature.clone(),
            422,
            "expires at block 2",
        ),
        // Not a signature.
        (
            NEW_DOCTOR,
            expires_at.clone(),
            "abcd".to_string(),
            400,
            "130 hex digits",
        ),
    ];
    for (who, expiry, sig, status, words) in &refusals {
        let r = server
            .post_form(
                &cookie(&server, who),
                "/doctor/attest",
                &[
                    ("issuer", ISSUER),
                    ("expires_at", expiry),
                    ("signature", sig),
                ],
            )
            .await;
        assert_eq!(r.status().as_u16(), *status, "{who} {expiry} {sig}");
        let page = r.text().await.unwrap();
        assert!(page.contains(words), "`{words}` not in {page}");
    }
    assert_eq!(support::sent(&server, NEW_DOCTOR).await, submitted_before);
    assert!(!c.is_verified(&doctor).await.unwrap());

    // The right one: verified by the issuer until the expiry it signed.
    done(
        &outcome(
            &server,
            NEW_DOCTOR,
            "/doctor/attest",
            &[
                ("issuer", ISSUER),
                ("expires_at", &expires_at),
                ("signature", &signature),
            ],
        )
        .await,
    );
    let d = c.get_doctor(&doctor).await.unwrap().unwrap();
    assert!(c.is_verified(&doctor).await.unwrap());
    assert_eq!(d.expires_at.to_string(), expires_at);
    assert_eq!(d.verified_by, Some(principal(ISSUER)));
}
