//! Render time of the dashboard's records (list with decrypted summaries, timeline, one
//! record read as a card), grants ("who can see my records" too) and audit pages, over
//! HTTP on loopback against the embedded devnet, with 25 and then 1,000 real encrypted
//! records and grants (and over 2,000 audit entries): lists are read by index, 25 rows
//! a page, and the timeline places at most its newest 200, so the time per page stays
//! flat as the lists grow. Target: under 50 ms and 100 KB a page. The first load of a
//! page decrypts what it shows (summaries are cached after): its time is printed apart.
//!
//! `cargo bench -p ehr-web --bench pages` (set `EHR_BENCH_N` for another size).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use ehr_sdk::ehr::types::Scope;
use ehr_sdk::ehr::{calls, ContractCall, SendOptions};
use support::{account, principal, Server};

const PATIENT: &str = "wallet_1";
/// Transactions sent before waiting (the devnet, like stacks-node, refuses chains of
/// more than 25 pending transactions per sender).
const BATCH: u64 = 20;
/// Timed loads of each page.
const RUNS: u32 = 20;

/// Sends `calls` as `who` in batches with explicit nonces, waiting for each batch.
async fn send_all(server: &Server, who: &str, calls: Vec<ContractCall>) {
    let key = account(who).secret_key;
    let c = &server.client;
    let mut nonce = c.node().next_nonce(&principal(who)).await.expect("nonce");
    for batch in calls.chunks(BATCH as usize) {
        let mut last = None;
        for call in batch {
            let options = SendOptions {
                nonce: Some(nonce),
                fee: Some(10_000),
                sponsor: None,
            };
            last = Some(c.send(&key, call, &options).await.expect("sent"));
            nonce += 1;
        }
        if let Some(sent) = last {
            c.wait(&sent).await.expect("mined");
        }
    }
}

/// Records per upload: one FHIR Bundle a form post, as a clinic's export would arrive.
const PER_BUNDLE: u64 = 50;

/// Records `from..to` as the patient adds them on the dashboard (real FHIR Observations,
/// encrypted and stored by the server, so the list's summaries and the timeline decrypt
/// real content), then as many tokens held by the patient; each also writes an audit
/// entry.
async fn grow(server: &Server, from: u64, to: u64) {
    let patient = principal(PATIENT);
    let cookie = format!("ehr_session={}; ehr_account={PATIENT}", server.session);
    let mut i = from;
    while i < to {
        let end = (i + PER_BUNDLE).min(to);
        let entries: Vec<String> = (i..end)
            .map(|k| {
                // Dates spread over about three years, not in the order written.
                let day = (k * 37) % 1096;
                let (year, rest) = (2024 + day / 365, day % 365);
                let (month, dom) = (1 + rest / 31 % 12, 1 + rest % 28);
                format!(
                    r#"{{"resource":{{"resourceType":"Observation","status":"final","code":{{"text":"Heart rate"}},"valueQuantity":{{"value":{},"unit":"beats/min"}},"effectiveDateTime":"{year}-{month:02}-{dom:02}"}}}}"#,
                    60 + k % 40
                )
            })
            .collect();
        let bundle = format!(
            r#"{{"resourceType":"Bundle","type":"collection","entry":[{}]}}"#,
            entries.join(",")
        );
        let added = server
            .post_form(&cookie, "/records", &[("text", bundle.as_str())])
            .await;
        assert_eq!(added.status().as_u16(), 303, "upload of records {i}..{end}");
        let c = &server.client;
        let started = Instant::now();
        while c.get_patient_record_count(&patient).await.expect("count") < end {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "records {i}..{end} not on chain after 2 minutes"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        i = end;
    }
    let tip = server
        .client
        .node()
        .info()
        .await
        .expect("info")
        .stacks_tip_height;
    let tokens = (from..to)
        .map(|_| {
            calls::create_token(Scope::READ, Some("Observation"), tip + 40_000)
                .expect("create-token")
        })
        .collect();
    send_all(server, PATIENT, tokens).await;
}

/// Mean and best time of `RUNS` loads of `path`, and its size.
async fn time(
    http: &reqwest::Client,
    server: &Server,
    path: &str,
) -> (Duration, Duration, Duration, usize) {
    let cookie = format!("ehr_session={}; ehr_account={PATIENT}", server.session);
    let get = || async {
        let r = http
            .get(server.url(path))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status().as_u16(), 200, "GET {path}");
        r.text().await.expect("body")
    };
    // The first load: on the grants page it also indexes the tokens minted since.
    let start = Instant::now();
    let size = get().await.len();
    let first = start.elapsed();
    let mut total = Duration::ZERO;
    let mut best = Duration::MAX;
    for _ in 0..RUNS {
        let start = Instant::now();
        let body = get().await;
        let took = start.elapsed();
        assert!(body.len() < 100 * 1024, "{path}: {} bytes", body.len());
        total += took;
        best = best.min(took);
    }
    (first, total / RUNS, best, size)
}

async fn report(
    http: &reqwest::Client,
    server: &Server,
    label: &str,
    pages: &[(&str, String)],
) -> Vec<f64> {
    println!("\n{label}");
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>7}",
        "page", "first ms", "mean ms", "best ms", "KB"
    );
    let mut means = Vec::new();
    for (name, path) in pages {
        let (first, mean, best, size) = time(http, server, path).await;
        let ms = mean.as_secs_f64() * 1000.0;
        means.push(ms);
        println!(
            "{:<24} {:>9.1} {:>9.1} {:>9.1} {:>7.1}{}",
            name,
            first.as_secs_f64() * 1000.0,
            ms,
            best.as_secs_f64() * 1000.0,
            size as f64 / 1024.0,
            if ms > 50.0 {
                "  (over the 50 ms target)"
            } else {
                ""
            }
        );
    }
    means
}

fn main() {
    let n: u64 = std::env::var("EHR_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = support::start_with(&["deployer", PATIENT]).await;
        let c = &server.client;
        let key = account(PATIENT).secret_key;
        let register = calls::register_patient(&[9; 32], &key.public_key()).expect("call");
        c.execute(&key, &register, &SendOptions::default())
            .await
            .expect("registered");
        let http = reqwest::Client::new();
        let pages = |last: u64| {
            let last_page = last.div_ceil(25).max(1);
            vec![
                ("records, newest page", "/records".to_string()),
                ("records, oldest page", format!("/records?page={last_page}")),
                ("grants, newest page", "/access".to_string()),
                ("grants, oldest page", format!("/access?page={last_page}")),
                ("record list, timeline", "/records/timeline".to_string()),
                ("a record, read", format!("/records/{last}/view")),
                ("who can see my records", "/access/who".to_string()),
                ("audit, newest page", "/audit".to_string()),
                (
                    "audit, oldest page",
                    format!("/audit?page={}", (2 * last + 1).div_ceil(25)),
                ),
            ]
        };

        let small = 25.min(n);
        grow(&server, 0, small).await;
        let before = report(
            &http,
            &server,
            &format!("{small} records, {small} grants"),
            &pages(small),
        )
        .await;

        let start = Instant::now();
        grow(&server, small, n).await;
        let patient = principal(PATIENT);
        println!(
            "\nbuilt {} records, {} grants and {} audit entries on the devnet in {:.1} s",
            c.get_patient_record_count(&patient).await.expect("count"),
            c.get_last_token_id().await.expect("tokens"),
            c.get_patient_entry_count(&patient).await.expect("entries"),
            start.elapsed().as_secs_f64()
        );
        let start = Instant::now();
        for _ in 0..100 {
            c.get_record(1).await.expect("a record");
        }
        println!(
            "one read-only call to the devnet (get-record): {:.2} ms",
            start.elapsed().as_secs_f64() * 1000.0 / 100.0
        );
        let storage = c.deployment().id(ehr_sdk::ehr::EhrContract::EhrStorage);
        let start = Instant::now();
        for _ in 0..100 {
            c.node()
                .map_entry(&storage, "records", &clarity::vm::types::Value::UInt(1))
                .await
                .expect("a map entry");
        }
        println!(
            "one map-entry read from the devnet (records): {:.2} ms",
            start.elapsed().as_secs_f64() * 1000.0 / 100.0
        );
        let start = Instant::now();
        for _ in 0..100 {
            c.node().info().await.expect("info");
        }
        println!(
            "one /v2/info: {:.2} ms",
            start.elapsed().as_secs_f64() * 1000.0 / 100.0
        );
        let after = report(
            &http,
            &server,
            &format!("{n} records, {n} grants"),
            &pages(n),
        )
        .await;

        let worst = after.iter().cloned().fold(0.0, f64::max);
        println!("\nslowest page with {n} entries: {worst:.1} ms (target < 50 ms)");
        let growth: Vec<String> = before
            .iter()
            .zip(&after)
            .map(|(b, a)| format!("{:.2}x", a / b))
            .collect();
        println!(
            "time at {n} / time at {small}, page by page: {}",
            growth.join(", ")
        );
    });
}
