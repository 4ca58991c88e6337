//! `AuditEvent` search over a long audit log: milliseconds per page, over HTTP, with the
//! devnet node on loopback.
//!
//! ```text
//! cargo bench -p ehr-web --bench fhir                 # 1,000 entries
//! EHR_BENCH_ENTRIES=200 cargo bench -p ehr-web --bench fhir
//! ```
//!
//! It starts a devnet with the contracts and `ehr serve` over it, registers two patients
//! and has them add records in turns (so each of the patient's entries links to the other
//! patient's entry before it in the global chain: the worst case for verifying a page,
//! one extra read per entry), until the first patient has the asked number of audit
//! entries. Then it reads pages of `AuditEvent?patient=` at the start, the middle and the
//! end of the log, at several page sizes, and prints the time per page. Paging reads only
//! the page's entries, so the time should not grow with the offset. The target is under
//! 50 ms per page.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use ehr_sdk::ehr::{calls, EhrClient, SendOptions, Sent};
use ehr_sdk::keys::Account;
use sha2::{Digest, Sha256};

/// Nonces one account may have pending on the devnet (its chaining limit is 25).
const WINDOW: u64 = 20;
/// Page reads per measurement.
const REPEAT: u32 = 10;
/// The target, per page.
const TARGET_MS: f64 = 50.0;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(bench());
}

async fn register(client: &EhrClient, who: &Account, salt: u8) {
    let call = calls::register_patient(&[salt; 32], &who.secret_key.public_key()).expect("call");
    client
        .execute(&who.secret_key, &call, &SendOptions::default())
        .await
        .expect("registers");
}

/// Sends one add-record call for `who` (itself the patient) with `nonce`, without
/// waiting.
async fn send_record(client: &EhrClient, who: &Account, nonce: u64, tag: u8) -> Sent {
    let hash: [u8; 32] = Sha256::digest(format!("bench/{tag}/{nonce}")).into();
    let locator = format!("sha256:{}", hex::encode(hash));
    let call = calls::add_record(&who.principal(), "Observation", &hash, &locator, &[1u8; 82])
        .expect("call");
    let options = SendOptions {
        nonce: Some(nonce),
        fee: Some(10_000),
        ..SendOptions::default()
    };
    client
        .send(&who.secret_key, &call, &options)
        .await
        .expect("accepted")
}

async fn build_log(server: &support::Server, entries: u64) -> Duration {
    let client = &server.client;
    let (patient, other) = (support::account("wallet_1"), support::account("wallet_4"));
    let started = Instant::now();
    register(client, &patient, 1).await;
    register(client, &other, 2).await;
    let p = patient.principal();
    loop {
        let have = client.get_patient_entry_count(&p).await.expect("count");
        if have >= entries {
            break;
        }
        let n = (entries - have).min(WINDOW);
        let pn = client.node().next_nonce(&p).await.expect("nonce");
        let on = client
            .node()
            .next_nonce(&other.principal())
            .await
            .expect("nonce");
        // In turns, so that the two patients' entries interleave in the global chain.
        let mut sent = Vec::new();
        for i in 0..n {
            sent.push(send_record(client, &patient, pn + i, 1).await);
            sent.push(send_record(client, &other, on + i, 2).await);
        }
        for s in &sent {
            client.wait(s).await.expect("mined");
        }
    }
    started.elapsed()
}

async fn page_ms(
    http: &reqwest::Client,
    server: &support::Server,
    url: &str,
) -> (f64, serde_json::Value) {
    let mut total = 0.0;
    let mut body = serde_json::Value::Null;
    for _ in 0..REPEAT {
        let t = Instant::now();
        let r = http
            .get(url)
            .bearer_auth(&server.token)
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), 200, "{url}");
        body = r.json().await.expect("JSON");
        total += t.elapsed().as_secs_f64() * 1000.0;
    }
    (total / f64::from(REPEAT), body)
}

async fn bench() {
    let entries: u64 = std::env::var("EHR_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let server = support::start().await;
    println!("fhir bench: building an audit log of {entries} entries for one patient (interleaved with another's)...");
    let built = build_log(&server, entries).await;
    let p = support::principal("wallet_1");
    let have = server
        .client
        .get_patient_entry_count(&p)
        .await
        .expect("count");
    let global = server.client.get_entry_count().await.expect("count");
    println!(
        "  built in {:.1} s: {have} entries for the patient, {global} in the global log",
        built.as_secs_f64()
    );
    if have < 1_000 {
        println!("  note: fewer than 1,000 entries (EHR_BENCH_ENTRIES={entries}); the target is stated for 1,000");
    }

    let http = reqwest::Client::new();
    let mut worst: f64 = 0.0;
    println!("  AuditEvent?patient= (mean of {REPEAT} reads per page, over HTTP):");
    for count in [20u64, 50, 100] {
        let mut line = format!("    _count={count:<3}");
        for (label, offset) in [
            ("first", 0),
            ("middle", have / 2),
            ("last", have.saturating_sub(count)),
        ] {
            let url = server.url(&format!(
                "/fhir/AuditEvent?patient={p}&_count={count}&_offset={offset}"
            ));
            let (ms, body) = page_ms(&http, &server, &url).await;
            let tag = body["meta"]["tag"][0]["code"]
                .as_str()
                .unwrap_or("?")
                .to_string();
            assert_eq!(tag, "verified", "the page verifies against the hash chain");
            let got = body["entry"].as_array().map_or(0, Vec::len);
            assert_eq!(got as u64, count.min(have - offset.min(have)));
            if count == 20 {
                worst = worst.max(ms);
            }
            line.push_str(&format!("  {label} page {ms:6.1} ms/page"));
        }
        println!("{line}");
    }
    let verdict = if worst < TARGET_MS { "within" } else { "OVER" };
    println!(
        "  default page (_count=20): worst {worst:.1} ms/page, {verdict} the {TARGET_MS} ms target"
    );
}
