//! Records read as people read them: block heights carry an approximate date (from the
//! node API's block times, which the devnet tells), and a decrypted FHIR resource is a
//! card in words, its raw JSON behind a toggle.

mod support;

use ehr_sdk::ehr::{calls, SendOptions};
use reqwest::header::{COOKIE, LOCATION};
use reqwest::redirect::Policy;
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

#[tokio::test]
async fn a_decrypted_observation_reads_as_a_card() {
    let server = support::start_with(&[PATIENT]).await;
    let patient = account(PATIENT);
    let key = &patient.secret_key;
    server
        .client
        .execute(
            key,
            &calls::register_patient(&[7; 32], &key.public_key()).unwrap(),
            &SendOptions::default(),
        )
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let cookie = format!("ehr_session={}; ehr_account={PATIENT}", server.session);
    let observation = r#"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},"valueQuantity":{"value":72,"unit":"beats/minute"},"referenceRange":[{"low":{"value":60,"unit":"beats/minute"},"high":{"value":100,"unit":"beats/minute"}}],"interpretation":[{"text":"Normal"}]}"#;
    let added = http
        .post(server.url(&format!("/records?csrf={}", server.csrf)))
        .header(COOKIE, &cookie)
        .form(&[("text", observation)])
        .send()
        .await
        .unwrap();
    assert_eq!(added.status().as_u16(), 303);
    assert!(added.headers()[LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/op/"));
    let id = server
        .client
        .get_patient_record_id(&principal(PATIENT), 0)
        .await
        .unwrap()
        .expect("the record is on chain");
    let page = http
        .get(server.url(&format!("/records/{id}/view")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for words in [
        "<h2 id=\"card-title\">Heart rate</h2>",
        "<dt>Value</dt><dd>72 beats/minute</dd>",
        "<dt>Reference range</dt><dd>60 beats/minute to 100 beats/minute</dd>",
        "<dt>Interpretation</dt><dd>Normal</dd>",
        "<details><summary>Raw JSON</summary>",
    ] {
        assert!(page.contains(words), "`{words}` not in {page}");
    }
}

#[tokio::test]
async fn who_can_see_my_records_in_plain_words() {
    const DOCTOR: &str = "wallet_2";
    const ISSUER: &str = "wallet_3";
    let server = support::start_with(&[PATIENT, DOCTOR]).await;
    let cookie = format!("ehr_session={}; ehr_account={PATIENT}", server.session);
    let who = || async {
        reqwest::Client::new()
            .get(server.url("/access/who"))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let run = |who: &'static str, call: ehr_sdk::ehr::ContractCall| {
        let client = server.client.clone();
        async move {
            client
                .execute(&account(who).secret_key, &call, &SendOptions::default())
                .await
                .unwrap_or_else(|e| panic!("{who}: {e}"))
        }
    };
    let (patient, doctor, issuer) = (account(PATIENT), account(DOCTOR), account(ISSUER));
    run(
        PATIENT,
        calls::register_patient(&[7; 32], &patient.secret_key.public_key()).unwrap(),
    )
    .await;
    let page = who().await;
    assert!(
        page.contains("Nobody but you can see your records now"),
        "{page}"
    );

    run(
        DOCTOR,
        calls::register_doctor(&[8; 32], &doctor.secret_key.public_key(), "cardiology").unwrap(),
    )
    .await;
    run(
        "deployer",
        calls::set_issuer(&issuer.principal(), &issuer.secret_key.public_key(), true).unwrap(),
    )
    .await;
    let tip = server.client.node().info().await.unwrap().stacks_tip_height;
    run(
        ISSUER,
        calls::verify_doctor(&doctor.principal(), tip + 1_000).unwrap(),
    )
    .await;
    // Granted from the dashboard's form, for 2 days (288 blocks).
    let before = server.client.node().info().await.unwrap().stacks_tip_height;
    let granted = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .post(server.url(&format!("/access/grant?csrf={}", server.csrf)))
        .header(COOKIE, &cookie)
        .form(&[
            ("grantee", DOCTOR),
            ("read", "on"),
            ("type", "Observation"),
            ("expires_in", "2"),
            ("expires_in_unit", "days"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status().as_u16(), 303);
    let token = server
        .client
        .get_token(1)
        .await
        .unwrap()
        .expect("the grant is on chain");
    let after = server.client.node().info().await.unwrap().stacks_tip_height;
    assert!(
        (before + 288..=after + 288).contains(&token.expires_at),
        "2 days are 288 blocks: expires at {} with the tip at {before}..{after}",
        token.expires_at
    );
    let page = who().await;
    assert!(
        page.contains(
            "<span class=\"name\">(wallet_2)</span> can read your Observation records, until block"
        ),
        "{page}"
    );
    assert!(page.contains("<small class=\"when\">(about "), "{page}");
}

/// Polls `check` every 100 ms for up to 20 s.
async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{what} never happened");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_creates_a_token_and_hands_it_to_a_doctor() {
    const DOCTOR: &str = "wallet_2";
    let server = support::start_with(&[PATIENT, DOCTOR]).await;
    support::register_people(&server).await;
    let cookie = format!("ehr_session={}; ehr_account={PATIENT}", server.session);
    let created = server
        .post_form(
            &cookie,
            "/access/create-token",
            &[
                ("read", "on"),
                ("expires_in", "2"),
                ("expires_in_unit", "days"),
            ],
        )
        .await;
    assert_eq!(created.status().as_u16(), 303);
    let c = &server.client;
    eventually("the token on chain", || async {
        c.get_token(1).await.unwrap().is_some()
    })
    .await;
    let token = c.get_token(1).await.unwrap().unwrap();
    assert_eq!(token.grantee, principal(PATIENT), "the patient holds it");
    let access = server.page(&cookie, "/access").await;
    assert!(access.contains("Hand over"), "{access}");

    let handed = server
        .post_form(
            &cookie,
            "/access/hand-over",
            &[("token", "1"), ("recipient", DOCTOR)],
        )
        .await;
    assert_eq!(handed.status().as_u16(), 303);
    eventually("the doctor holds the token", || async {
        c.get_token(1).await.unwrap().unwrap().grantee == principal(DOCTOR)
    })
    .await;

    // Handing over a token the patient no longer holds is refused (403) before anything
    // is signed, and moves nothing.
    let stranger = principal("wallet_4").to_string();
    let nonce = || async { c.node().next_nonce(&principal(PATIENT)).await.unwrap() };
    let before = nonce().await;
    let again = server
        .post_form(
            &cookie,
            "/access/hand-over",
            &[("token", "1"), ("recipient", &stranger)],
        )
        .await;
    assert_eq!(again.status().as_u16(), 403);
    assert_eq!(nonce().await, before, "nothing signed");
    assert_eq!(
        c.get_token(1).await.unwrap().unwrap().grantee,
        principal(DOCTOR)
    );
    // A malformed form is a 400, before anything is signed.
    let bad = server
        .post_form(
            &cookie,
            "/access/hand-over",
            &[("token", "x"), ("recipient", DOCTOR)],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_deactivates_only_when_it_confirms() {
    let server = support::start_with(&[PATIENT]).await;
    support::run(
        &server,
        PATIENT,
        calls::register_patient(&[7; 32], &account(PATIENT).secret_key.public_key()).unwrap(),
    )
    .await;
    let cookie = format!("ehr_session={}; ehr_account={PATIENT}", server.session);
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let page = http
        .get(server.url("/patient"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Close my registration"), "{page}");
    let deactivate = |confirm: &'static str| {
        http.post(server.url(&format!("/patient/deactivate?csrf={}", server.csrf)))
            .header(COOKIE, &cookie)
            .form(&[("confirm", confirm)])
            .send()
    };
    // Without the word typed, nothing is signed.
    for wrong in ["", "yes", "Deactivate "] {
        let r = deactivate(wrong).await.unwrap();
        assert_eq!(r.status().as_u16(), 400, "{wrong:?}");
    }
    let c = &server.client;
    let me = principal(PATIENT);
    assert!(c.is_registered(&me).await.unwrap());
    let r = deactivate("deactivate").await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    eventually("the registration is inactive", || async {
        !c.is_registered(&me).await.unwrap()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guardian_grants_for_its_ward_and_a_stranger_cannot() {
    const DOCTOR: &str = "wallet_2";
    const GUARDIAN: &str = "wallet_5";
    const STRANGER: &str = "wallet_4";
    let server = support::start_with(&[PATIENT, DOCTOR, GUARDIAN, STRANGER]).await;
    support::register_people(&server).await;
    support::make_guardian(&server, PATIENT, GUARDIAN).await;
    let ward = principal(PATIENT).to_string();
    let server = &server;
    let grant_as = |who: &str| {
        let cookies = format!("ehr_session={}; ehr_account={who}", server.session);
        let ward = ward.clone();
        async move {
            server
                .post_form(
                    &cookies,
                    "/access/grant",
                    &[
                        ("grantee", DOCTOR),
                        ("read", "on"),
                        ("expires_in", "100"),
                        ("for", ward.as_str()),
                        ("share_keys", "on"),
                    ],
                )
                .await
        }
    };
    let c = &server.client;
    let r = grant_as(GUARDIAN).await;
    assert_eq!(r.status().as_u16(), 303);
    eventually("the guardian's grant on chain", || async {
        c.get_token(1).await.unwrap().is_some()
    })
    .await;
    let token = c.get_token(1).await.unwrap().unwrap();
    assert_eq!(
        (token.patient, token.grantee),
        (principal(PATIENT), principal(DOCTOR))
    );
    // Someone who does not act for the patient: refused with a 403 page before anything
    // is signed, nothing minted.
    let r = grant_as(STRANGER).await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("is not a guardian of"));
    assert_eq!(
        c.node().next_nonce(&principal(STRANGER)).await.unwrap(),
        0,
        "the stranger signed nothing"
    );
    assert!(c.get_token(2).await.unwrap().is_none());
}

/// Two records in one Bundle: a blood pressure taken on 2026-03-01 and an allergy.
const BUNDLE: &str = r#"{"resourceType":"Bundle","type":"collection","entry":[
 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"Blood pressure"},"valueString":"120/80 mmHg","effectiveDateTime":"2026-03-01T08:00:00Z"}},
 {"resource":{"resourceType":"AllergyIntolerance","code":{"text":"penicillin"},"criticality":"high","recordedDate":"2025-07-14"}}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_record_list_says_what_each_record_is_to_the_patient_only() {
    const DOCTOR: &str = "wallet_2";
    const STRANGER: &str = "wallet_4";
    let server = support::start_with(&[PATIENT, DOCTOR, STRANGER]).await;
    support::register_people(&server).await;
    let cookie = |who: &str| format!("ehr_session={}; ehr_account={who}", server.session);
    let added = server
        .post_form(&cookie(PATIENT), "/records", &[("text", BUNDLE)])
        .await;
    assert_eq!(added.status().as_u16(), 303);
    let c = &server.client;
    let me = principal(PATIENT);
    eventually("both records on chain", || async {
        c.get_patient_record_count(&me).await.unwrap() == 2
    })
    .await;
    let mine = server.page(&cookie(PATIENT), "/records").await;
    for words in [
        "<td data-label=\"Summary\">Blood pressure 120/80 mmHg</td>",
        "<td data-label=\"Summary\">Allergy: penicillin (high)</td>",
        "<time datetime=\"2026-03-01\">2026-03-01</time>",
        "<time datetime=\"2025-07-14\">2025-07-14</time>",
    ] {
        assert!(mine.contains(words), "`{words}` not in {mine}");
    }
    // The summaries are kept in memory now; someone without the key still reads none.
    let theirs = format!("/records?patient={me}");
    let page = server.page(&cookie(STRANGER), &theirs).await;
    assert!(page.contains("#1</a>"), "{page}");
    assert!(
        !page.contains("120/80") && !page.contains("penicillin"),
        "{page}"
    );
    let page = server.page(&cookie(DOCTOR), &theirs).await;
    assert!(!page.contains("120/80"), "no grant, no key yet: {page}");
    // A doctor the keys were shared with (a read grant) gets none either: its reads of
    // the content are logged on chain when it opens a record, and the list must not
    // read around that log.
    grant_with_keys(&server, DOCTOR, 2).await;
    let page = server.page(&cookie(DOCTOR), &theirs).await;
    assert!(page.contains("#1</a>"), "{page}");
    assert!(
        !page.contains("120/80") && !page.contains("penicillin"),
        "{page}"
    );
}

/// The patient grants `doctor` read access from the dashboard, sharing its records'
/// keys; returns once the doctor holds the keys of records 1 to `records`.
async fn grant_with_keys(server: &support::Server, doctor: &str, records: u64) {
    let cookie = format!("ehr_session={}; ehr_account={PATIENT}", server.session);
    let granted = server
        .post_form(
            &cookie,
            "/access/grant",
            &[
                ("grantee", doctor),
                ("read", "on"),
                ("expires_in", "100"),
                ("share_keys", "on"),
            ],
        )
        .await;
    assert_eq!(granted.status().as_u16(), 303);
    let holder = principal(doctor);
    let c = &server.client;
    eventually("the keys shared", || async {
        for id in 1..=records {
            if c.get_envelope(id, &holder).await.unwrap().is_none() {
                return false;
            }
        }
        true
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_orders_records_by_the_date_they_were_taken() {
    const DOCTOR: &str = "wallet_2";
    let server = support::start_with(&[PATIENT, DOCTOR]).await;
    support::register_people(&server).await;
    let cookie = |who: &str| format!("ehr_session={}; ehr_account={who}", server.session);
    // Written on chain in this order: the 2026 blood pressure, the 2025 allergy, then a
    // vaccine given in March 2026.
    let vaccine = r#"{"resourceType":"Immunization","status":"completed","vaccineCode":{"text":"Yellow fever"},"occurrenceDateTime":"2026-03-20"}"#;
    for text in [BUNDLE, vaccine] {
        let added = server
            .post_form(&cookie(PATIENT), "/records", &[("text", text)])
            .await;
        assert_eq!(added.status().as_u16(), 303);
        let c = &server.client;
        let me = principal(PATIENT);
        let want = if text == BUNDLE { 2 } else { 3 };
        eventually("the records on chain", || async {
            c.get_patient_record_count(&me).await.unwrap() == want
        })
        .await;
    }
    let page = server.page(&cookie(PATIENT), "/records/timeline").await;
    let at = |words: &str| {
        page.find(words)
            .unwrap_or_else(|| panic!("`{words}` not in {page}"))
    };
    // By clinical date, newest first, grouped by month: March 2026 (the vaccine on the
    // 20th, then the blood pressure on the 1st), then July 2025.
    let order = [
        at("<h2 id=\"month-2026-03\">March 2026</h2>"),
        at("<a href=\"/records/3/view\">Yellow fever</a>"),
        at("<a href=\"/records/1/view\">Blood pressure</a>"),
        at("<h2 id=\"month-2025-07\">July 2025</h2>"),
        at("<a href=\"/records/2/view\">penicillin</a>"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?} in {page}");
    assert!(
        page.contains("3 records in the order they were taken"),
        "{page}"
    );

    // A doctor with no grant and no key sees no dates: nothing placed, and told why.
    let theirs = format!("/records/timeline?patient={}", principal(PATIENT));
    let page = server.page(&cookie(DOCTOR), &theirs).await;
    assert!(!page.contains("Yellow fever"), "{page}");
    assert!(page.contains("3 records are not on the timeline"), "{page}");
    // With a read grant and the keys, still none: the timeline reads content for the
    // patient only, and a doctor reads a record by opening it (a logged view).
    grant_with_keys(&server, DOCTOR, 3).await;
    let page = server.page(&cookie(DOCTOR), &theirs).await;
    assert!(!page.contains("Yellow fever"), "{page}");
    assert!(page.contains("3 records are not on the timeline"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_can_see_my_records_comes_a_page_at_a_time() {
    let server = support::start_with(&[PATIENT]).await;
    support::register_people(&server).await;
    let tip = support::tip(&server).await;
    // 27 live tokens: one page of 25 (the newest), then the 2 oldest.
    let key = account(PATIENT).secret_key;
    let c = &server.client;
    let mut nonce = c.node().next_nonce(&principal(PATIENT)).await.unwrap();
    let mut last = None;
    for _ in 0..27 {
        let call = calls::create_token(
            ehr_sdk::ehr::types::Scope::READ,
            Some("Observation"),
            tip + 1_000,
        )
        .unwrap();
        let options = SendOptions {
            nonce: Some(nonce),
            fee: Some(10_000),
            sponsor: None,
        };
        last = Some(c.send(&key, &call, &options).await.unwrap());
        nonce += 1;
    }
    c.wait(&last.unwrap()).await.unwrap();
    let cookie = format!("ehr_session={}; ehr_account={PATIENT}", server.session);
    let first = server.page(&cookie, "/access/who").await;
    assert_eq!(first.matches("(token #").count(), 25, "{first}");
    assert!(first.contains("(token #27).") && !first.contains("(token #2)."));
    assert!(first.contains("href=\"/access/who?page=2\""), "{first}");
    let second = server.page(&cookie, "/access/who?page=2").await;
    assert_eq!(second.matches("(token #").count(), 2, "{second}");
    assert!(second.contains("(token #1).") && second.contains("(token #2)."));
}
