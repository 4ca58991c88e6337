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

/// The cookies of a signed-in session acting as `who`, in language `lang`.
fn session(server: &Server, who: &str, lang: &str) -> String {
    format!(
        "ehr_session={}; ehr_account={who}; ehr_lang={lang}",
        server.session
    )
}

/// A page's text with the HTML escapes of quotes and apostrophes undone.
fn unescaped(page: &str) -> String {
    page.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

/// GET `path` with `cookie`: the status and the text.
async fn get(server: &Server, cookie: &str, path: &str) -> (u16, String) {
    let r = reqwest::Client::new()
        .get(server.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), unescaped(&r.text().await.unwrap()))
}

/// POSTs `form` to `path` (with the CSRF token) as `cookie`: the status and the text.
async fn post(server: &Server, cookie: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = server.post_form(cookie, path, form).await;
    (r.status().as_u16(), unescaped(&r.text().await.unwrap()))
}

/// `page` holds `said` and none of `not`.
fn reads(page: &str, said: &str, not: &[&str]) {
    assert!(page.contains(said), "`{said}` not in: {page}");
    for english in not {
        assert!(!page.contains(english), "`{english}` in: {page}");
    }
}

#[tokio::test]
async fn errors_and_refusals_read_in_the_readers_language() {
    let server = support::start().await;
    register_people(&server).await;
    let (fr, en) = (
        session(&server, PATIENT, "fr"),
        session(&server, PATIENT, "en"),
    );

    // Not signed in: the security layer's plain-text refusal, by Accept-Language.
    for (accept, said, not) in [
        (
            "fr-CM,fr;q=0.9",
            "non connecté : ouvrez l'URL avec le jeton d'accès qu'a affiché `ehr serve`",
            "not signed in",
        ),
        (
            "en",
            "not signed in: open the URL with the access token that `ehr serve` printed",
            "non connecté",
        ),
    ] {
        let r = reqwest::Client::new()
            .get(server.url("/records"))
            .header(ACCEPT_LANGUAGE, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
        reads(&r.text().await.unwrap(), said, &[not]);
    }

    // A form without its CSRF token (the security layer again), by the cookie.
    let r = reqwest::Client::new()
        .post(server.url("/access/revoke"))
        .header(COOKIE, &fr)
        .form(&[("token", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    reads(
        &r.text().await.unwrap(),
        "jeton CSRF absent ou erroné",
        &["missing or wrong CSRF token"],
    );

    // 404: no such record, no such token.
    let (status, page) = get(&server, &fr, "/records/999").await;
    assert_eq!(status, 404);
    reads(&page, "aucun dossier n° 999", &["no record #999"]);
    let (status, page) = get(&server, &en, "/records/999").await;
    assert_eq!(status, 404);
    reads(&page, "no record #999", &["aucun dossier"]);
    let (status, page) = post(&server, &fr, "/access/revoke", &[("token", "999")]).await;
    assert_eq!(status, 404);
    reads(&page, "aucun jeton n° 999", &["no token #999"]);

    // 400: a doctor that is no principal, the field named in the reader's language.
    let grant = [("grantee", "bogus"), ("read", "on"), ("expires_in", "10")];
    let (status, page) = post(&server, &fr, "/access/grant", &grant).await;
    assert_eq!(status, 400);
    reads(
        &page,
        "Médecin : `bogus` n'est ni un compte de ce serveur ni une adresse Stacks (ST...)",
        &["is neither one of", "doctor:"],
    );
    let (status, page) = post(&server, &en, "/access/grant", &grant).await;
    assert_eq!(status, 400);
    reads(
        &page,
        "doctor: `bogus` is neither one of this server's accounts nor a Stacks address (ST...)",
        &["Médecin :"],
    );
    // A bad number of days, the unit named by the SDK-free helper.
    let (status, page) = post(
        &server,
        &fr,
        "/access/grant",
        &[
            ("grantee", "wallet_2"),
            ("read", "on"),
            ("expires_in", "x"),
            ("expires_in_unit", "days"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    reads(
        &page,
        "Expire dans : donnez un nombre entier (reçu `x`)",
        &["give a whole number"],
    );

    // 403: acting for a patient without being its guardian.
    let ward = principal(PATIENT).to_string();
    let stranger = |lang| session(&server, "wallet_5", lang);
    let (status, page) = get(&server, &stranger("fr"), &format!("/access?for={ward}")).await;
    assert_eq!(status, 403);
    reads(
        &page,
        &format!("wallet_5 n'est pas tuteur de {ward} : seul le patient"),
        &["is not a guardian of", "Nothing was signed"],
    );
    assert!(page.contains("Rien n'a été signé."), "{page}");
    let (status, page) = get(&server, &stranger("en"), &format!("/access?for={ward}")).await;
    assert_eq!(status, 403);
    reads(
        &page,
        &format!("wallet_5 is not a guardian of {ward}: only the patient"),
        &["n'est pas tuteur"],
    );
}

/// The page of the operation a form started (the redirect's target), once it is done, as
/// `cookie`.
async fn outcome(server: &Server, answer: reqwest::Response, cookie: &str) -> String {
    assert_eq!(answer.status().as_u16(), 303, "{:?}", answer.text().await);
    let location = answer.headers()[LOCATION].to_str().unwrap().to_string();
    for _ in 0..120 {
        let (status, page) = get(server, cookie, &location).await;
        assert_eq!(status, 200, "{page}");
        if !page.contains("data-state=\"pending\"") {
            return location;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    panic!("{location} is still pending");
}

#[tokio::test]
async fn an_operations_outcome_reads_in_the_language_of_whoever_opens_it() {
    let server = support::start().await;
    register_people(&server).await;
    let tip = support::tip(&server).await;
    run(
        &server,
        PATIENT,
        ehr_sdk::ehr::calls::grant_access(
            &principal("wallet_2"),
            ehr_sdk::ehr::types::Scope::READ,
            None,
            tip + 500,
        )
        .unwrap(),
    )
    .await;
    let (fr, en) = (
        session(&server, PATIENT, "fr"),
        session(&server, PATIENT, "en"),
    );

    // Started in English; its title and outcome are kept as catalogue texts, so the
    // French reader of its page reads them in French, and the English one in English.
    let answer = server
        .post_form(&en, "/access/revoke", &[("token", "1")])
        .await;
    let op = outcome(&server, answer, &en).await;
    let (_, page) = get(&server, &fr, &op).await;
    reads(&page, "data-state=\"done\"", &[]);
    reads(
        &page,
        "Révoquer le jeton n° 1",
        &[
            "Revoke token #1",
            "Token #1 revoked",
            "A revoked holder keeps",
        ],
    );
    reads(
        &page,
        &format!(
            "Jeton n° 1 révoqué : {} perd l'accès.",
            principal("wallet_2")
        ),
        &[],
    );
    assert!(
        page.contains("Un détenteur révoqué garde ce qu'il a déjà déchiffré"),
        "{page}"
    );
    let (_, page) = get(&server, &en, &op).await;
    reads(
        &page,
        &format!("Token #1 revoked: {} loses access.", principal("wallet_2")),
        &["Jeton n° 1", "Révoquer"],
    );
    assert!(
        page.contains("<h2 id=\"outcome\">Revoke token #1</h2>"),
        "{page}"
    );

    // A grant to an account that is no verified doctor is refused before anything is
    // signed (422), in the reader's language.
    let answer = server
        .post_form(
            &fr,
            "/access/grant",
            &[
                ("grantee", "wallet_4"),
                ("read", "on"),
                ("expires_in", "10"),
            ],
        )
        .await;
    assert_eq!(answer.status().as_u16(), 422);
    let page = answer.text().await.unwrap();
    reads(
        &page,
        "n&#39;est pas un médecin vérifié : l&#39;accès n&#39;est donné qu&#39;aux médecins vérifiés. Rien n&#39;a été signé.",
        &["is not a verified doctor"],
    );

    // A contract's refusal, in French: a second request while the doctor's first one is
    // open (the one refusal here that cannot be read before signing).
    let doctor = |lang| session(&server, "wallet_2", lang);
    let ask = [
        ("patient", PATIENT),
        ("read", "on"),
        ("duration", "100"),
        ("reason", "suivi"),
    ];
    let answer = server
        .post_form(&doctor("fr"), "/doctor/request", &ask)
        .await;
    outcome(&server, answer, &doctor("fr")).await;
    let answer = server
        .post_form(&doctor("fr"), "/doctor/request", &ask)
        .await;
    let op = outcome(&server, answer, &doctor("fr")).await;
    let (_, page) = get(&server, &doctor("fr"), &op).await;
    reads(&page, "data-state=\"failed\"", &[]);
    reads(
        &page,
        "le contrat a refusé permission-manager.request-access : ce médecin a déjà une demande en cours auprès de ce patient",
        &["the contract refused", "already has an open request"],
    );
    let (_, page) = get(&server, &doctor("en"), &op).await;
    reads(
        &page,
        "the contract refused permission-manager.request-access: this doctor already has an open request to this patient",
        &["le contrat a refusé"],
    );
}
