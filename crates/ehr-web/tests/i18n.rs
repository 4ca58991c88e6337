//! The dashboard in the reader's language: English by default, French when the browser's
//! Accept-Language prefers it or the switch (the `ehr_lang` cookie) says so, the switch
//! working without a session; a whole page in French.

mod support;

use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use support::{principal, register_people, run, Server};

const PATIENT: &str = "wallet_1";

/// The home page as the patient, with `accept` as Accept-Language and `lang` as the
/// language cookie when given.
async fn home(server: &Server, accept: Option<&str>, lang: Option<&str>) -> String {
    let mut cookie = format!("ehr_session={}; ehr_account={PATIENT}", server.session);
    if let Some(lang) = lang {
        cookie.push_str(&format!("; ehr_lang={lang}"));
    }
    let mut request = reqwest::Client::new()
        .get(server.url("/"))
        .header(COOKIE, cookie);
    if let Some(accept) = accept {
        request = request.header(ACCEPT_LANGUAGE, accept);
    }
    request.send().await.unwrap().text().await.unwrap()
}

fn is_french(page: &str) -> bool {
    page.contains("<html lang=\"fr\">")
        && page.contains("Rôles de ce compte")
        && page.contains(">Dossiers</a>")
        && page.contains("Aller au contenu")
}

fn is_english(page: &str) -> bool {
    page.contains("<html lang=\"en\">")
        && page.contains("Roles of this account")
        && page.contains(">Records</a>")
        && page.contains("Skip to content")
}

#[tokio::test]
async fn accept_language_picks_french_english_stays_the_default_and_the_cookie_wins() {
    let server = support::start_with(&[PATIENT]).await;
    let page = home(&server, None, None).await;
    assert!(is_english(&page), "{page}");
    for accept in [
        "fr",
        "fr-FR",
        "fr-CM,fr;q=0.9,en;q=0.5",
        "en;q=0.3, fr;q=0.8",
    ] {
        let page = home(&server, Some(accept), None).await;
        assert!(is_french(&page), "{accept}: {page}");
    }
    for accept in ["en-US,en;q=0.9,fr;q=0.8", "de", "fr;q=0, en;q=0.1"] {
        let page = home(&server, Some(accept), None).await;
        assert!(is_english(&page), "{accept}: {page}");
    }
    // The switch's cookie overrides the browser.
    assert!(is_english(&home(&server, Some("fr-CM"), Some("en")).await));
    assert!(is_french(&home(&server, Some("en-US"), Some("fr")).await));
    // The switch is on the page: a link to each language, back to this page.
    let page = home(&server, None, None).await;
    assert!(
        page.contains(
            "<a href=\"/lang?to=fr&#38;back=%2F\" lang=\"fr\" hreflang=\"fr\">Français</a>"
        ) || page.contains(
            "<a href=\"/lang?to=fr&amp;back=%2F\" lang=\"fr\" hreflang=\"fr\">Français</a>"
        ),
        "{page}"
    );
}

#[tokio::test]
async fn the_switch_sets_a_lax_cookie_and_goes_back_without_a_session() {
    let server = support::start_with(&[PATIENT]).await;
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    // No session cookie at all.
    let switched = http
        .get(server.url("/lang?to=fr&back=%2Fverify-proof"))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status().as_u16(), 303);
    assert_eq!(switched.headers()[LOCATION], "/verify-proof");
    let cookie = switched.headers()[SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with("ehr_lang=fr;")
            && cookie.contains("SameSite=Lax")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
    // The public verifier page (no session either) reads in French with that cookie.
    let page = http
        .get(server.url("/verify-proof"))
        .header(COOKIE, "ehr_lang=fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<html lang=\"fr\">")
            && page.contains("Vérifier une preuve")
            && page.contains("Collez une preuve"),
        "{page}"
    );
    // It never sends the reader to another site, and names the languages it has.
    for back in [
        "%2F%2Fevil.example%2F",
        "https%3A%2F%2Fevil.example%2F",
        "%2F%5Cevil.example",
    ] {
        let answer = http
            .get(server.url(&format!("/lang?to=en&back={back}")))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.headers()[LOCATION], "/", "{back}");
    }
    let unknown = http.get(server.url("/lang?to=xx")).send().await.unwrap();
    assert_eq!(unknown.status().as_u16(), 400);
    assert!(unknown.text().await.unwrap().contains("en and fr"));
}

#[tokio::test]
async fn who_can_see_my_records_reads_in_french_with_dates_in_french() {
    let server = support::start().await;
    register_people(&server).await;
    let tip = support::tip(&server).await;
    run(
        &server,
        PATIENT,
        ehr_sdk::ehr::calls::grant_access(
            &principal("wallet_2"),
            ehr_sdk::ehr::types::Scope::READ,
            Some("Observation"),
            tip + 3 * 144,
        )
        .unwrap(),
    )
    .await;
    let page = server
        .page(
            &format!(
                "ehr_session={}; ehr_account={PATIENT}; ehr_lang=fr",
                server.session
            ),
            "/access/who",
        )
        .await;
    assert!(
        page.contains("<title>Qui peut voir mes dossiers - EHR</title>"),
        "{page}"
    );
    assert!(
        page.contains("<span class=\"name\">(wallet_2)</span> peut lire vos dossiers Observation, jusqu&#39;au bloc")
            || page.contains("<span class=\"name\">(wallet_2)</span> peut lire vos dossiers Observation, jusqu&#x27;au bloc"),
        "{page}"
    );
    // The expiry's date in French: `(vers le 8 déc. 2026, dans 2 jours)`.
    let at = page
        .find("<small class=\"when\">(vers le ")
        .unwrap_or_else(|| panic!("{page}"));
    let when = &page[at..at + page[at..].find("</small>").unwrap()];
    assert!(when.contains("dans ") && when.contains(" 20"), "{when}");
    assert!(
        [
            "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc."
        ]
        .iter()
        .any(|m| when.contains(m)),
        "{when}"
    );
    // Nothing English left in the page's own words.
    for english in [
        "Who can see",
        "can read",
        "until block",
        "Records",
        "audit trail",
        "Skip to content",
    ] {
        assert!(
            !page.contains(english),
            "`{english}` in the French page: {page}"
        );
    }
}
