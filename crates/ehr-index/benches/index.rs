//! Index figures, printed side by side in one run:
//!
//! - page latency (p50, p99 over 1,000 random principals) of a patient's audit page
//!   (newest first, 50 rows), a doctor's tokens and a recipient's notifications, at a small
//!   and a large index, with the large/small ratio (flat means close to 1);
//! - ingestion of `/new_block` payloads through the observer route (HTTP, JSON parsing,
//!   the EHR events picked out, one SQLite transaction per block), in events per second,
//!   against the 20,000/s target;
//! - the database's size per million audit entries;
//! - with `EHR_TEST_POSTGRES` set (a server, e.g. from `scripts/postgres.sh`), the same
//!   pages on PostgreSQL at a smaller size (`EHR_BENCH_POSTGRES_AUDIT`, default 100,000:
//!   the store writes row by row, so filling PostgreSQL over loopback is slow) against
//!   SQLite filled to that same size, with the PostgreSQL/SQLite ratio, and PostgreSQL's
//!   ingestion rate.
//!
//! Run: `cargo bench -p ehr-index --bench index`. Sizes: `EHR_BENCH_AUDIT` audit entries
//! at the large end (default 1,000,000; the 10,000,000 takes about 20 minutes and
//! 6.5 GB of disk here), with tokens and notifications at a tenth of that. Each principal
//! holds as much at every size (100 audit entries per patient, so 100,000 patients at
//! 10,000,000; 10 tokens and 10 notifications per doctor): the pages measured are the
//! same, only the index around them grows, which is what "flat" means.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ehr_index::store::{AuditQuery, BlockSeen, EhrEvent, TokenChange};
use ehr_index::{Database, IndexConfig, Listeners, Store};
use ehr_sdk::audit::AuditEntry;

#[path = "../tests/support/postgres.rs"]
mod postgres_support;

const SMALL_AUDIT: u64 = 10_000;
/// Audit entries per patient.
const PER_PATIENT: u64 = 100;
/// Tokens (and notifications) per doctor.
const PER_DOCTOR: u64 = 10;

/// A deterministic generator (xorshift), so runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A distinct, well-formed testnet-style principal for number `n` (the index stores
/// principals as text and never parses them back).
fn principal(kind: &str, n: u64) -> String {
    format!("ST{kind}{n:0>36}")
}

fn hash(n: u64) -> String {
    format!("0x{n:064x}")
}

/// Fills `store` with `audit` entries over the patients, `audit / 10` token mints to
/// doctors (one in ten patients' doctors), and as many notifications.
fn fill(store: &Store, audit: u64) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let patients = audit / PER_PATIENT;
    let doctors = (audit / 10 / PER_DOCTOR).max(1);
    let per_block = 1_000u64;
    let mut entries = Vec::with_capacity(10_000);
    for id in 0..audit {
        let patient = id % patients;
        entries.push(AuditEntry {
            id: u128::from(id),
            patient: principal("P", patient),
            actor: principal("D", rng.next() % doctors),
            action: ["log-access", "grant-access", "add-record", "revoke-access"]
                [(rng.next() % 4) as usize]
                .to_string(),
            reference: u128::from(rng.next() % 1_000_000),
            details_hash: format!("{:064x}", rng.next()),
            block: u128::from(id / 100),
            prev_hash: format!("{:064x}", id),
            entry_hash: format!("{:064x}", id + 1),
        });
        if entries.len() == 10_000 {
            store.add_audit(&entries).unwrap();
            entries.clear();
        }
    }
    store.add_audit(&entries).unwrap();
    let tokens = audit / 10;
    let mut height = 1;
    let mut id = 0;
    while id < tokens {
        let block = BlockSeen {
            block_height: height,
            index_block_hash: hash(height),
            parent_index_block_hash: hash(height - 1),
            burn_block_time: None,
        };
        let mut events = Vec::new();
        for i in 0..per_block.min(tokens - id) {
            let doctor = id % doctors;
            events.push(EhrEvent::Token {
                event_index: (2 * i) as u32,
                txid: hash(id + 1_000_000_000),
                token_id: id,
                change: TokenChange::Minted {
                    to: principal("D", doctor),
                },
            });
            events.push(EhrEvent::Notification {
                event_index: (2 * i + 1) as u32,
                txid: hash(id + 1_000_000_000),
                recipient: principal("D", doctor),
                kind: "access-granted".into(),
                reference: id,
                inbox_index: id,
            });
            id += 1;
        }
        store.block(&block, &[], &events).unwrap();
        height += 1;
    }
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

/// p50 and p99 of `query` over 1,000 random principals.
fn latency(mut query: impl FnMut(u64)) -> (Duration, Duration) {
    let mut rng = Rng(42);
    let mut samples: Vec<Duration> = (0..1_000)
        .map(|_| {
            let n = rng.next();
            let started = Instant::now();
            query(n);
            started.elapsed()
        })
        .collect();
    (
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.99),
    )
}

struct Pages {
    audit: (Duration, Duration),
    tokens: (Duration, Duration),
    notifications: (Duration, Duration),
}

fn pages(store: &Store, audit: u64) -> Pages {
    let patients = audit / PER_PATIENT;
    let doctors = (audit / 10 / PER_DOCTOR).max(1);
    Pages {
        audit: latency(|n| {
            let (_, rows) = store
                .audit(&AuditQuery {
                    patient: Some(principal("P", n % patients)),
                    newest_first: true,
                    limit: 50,
                    ..AuditQuery::default()
                })
                .unwrap();
            std::hint::black_box(rows);
        }),
        tokens: latency(|n| {
            std::hint::black_box(store.tokens_held(&principal("D", n % doctors)).unwrap());
        }),
        notifications: latency(|n| {
            std::hint::black_box(
                store
                    .notifications(&principal("D", n % doctors), 50, 0)
                    .unwrap(),
            );
        }),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Posts `blocks` synthetic `/new_block` payloads of `per_block` EHR events each to an
/// index's observer route, the index on `database`; returns events per second.
async fn ingestion(database: Database, blocks: u64, per_block: u64) -> f64 {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listeners = Listeners::bind(any, any).await.unwrap();
    let observer = listeners.observer_addr().unwrap();
    let deployer = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
    let deployment = ehr_sdk::ehr::Deployment::new(
        deployer
            .parse::<ehr_sdk::keys::Address>()
            .unwrap()
            .to_standard_principal(),
    );
    let config = IndexConfig::new(
        "http://127.0.0.1:9",
        ehr_sdk::network::Network::Devnet,
        deployment,
    )
    .database(database);
    let index = ehr_index::spawn(listeners, &config).await.unwrap();
    let notification = |recipient: &str, index: u64| {
        use clarity::vm::types::{PrincipalData, TupleData, Value};
        let tuple = TupleData::from_data(vec![
            (
                "event".into(),
                Value::string_ascii_from_bytes(b"notification".to_vec()).unwrap(),
            ),
            (
                "kind".into(),
                Value::string_ascii_from_bytes(b"access-granted".to_vec()).unwrap(),
            ),
            (
                "recipient".into(),
                Value::Principal(PrincipalData::parse(recipient).unwrap()),
            ),
            ("ref".into(), Value::UInt(u128::from(index))),
            ("index".into(), Value::UInt(u128::from(index))),
        ])
        .unwrap();
        format!("0x{}", Value::Tuple(tuple).serialize_to_hex().unwrap())
    };
    let recipient = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";
    let payloads: Vec<String> = (1..=blocks)
        .map(|height| {
            let events: Vec<serde_json::Value> = (0..per_block)
                .map(|i| {
                    let n = height * per_block + i;
                    serde_json::json!({
                        "txid": hash(n),
                        "event_index": i,
                        "committed": true,
                        "type": "contract_event",
                        "contract_event": {
                            "contract_identifier": format!("{deployer}.notification-system"),
                            "topic": "print",
                            "raw_value": notification(recipient, n),
                        },
                    })
                })
                .collect();
            serde_json::json!({
                "block_height": height,
                "index_block_hash": hash(height),
                "parent_index_block_hash": hash(height - 1),
                "transactions": [],
                "events": events,
            })
            .to_string()
        })
        .collect();
    let http = reqwest::Client::new();
    let started = Instant::now();
    for body in payloads {
        let answer = http
            .post(format!("http://{observer}/new_block"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
    let rate = (blocks * per_block) as f64 / started.elapsed().as_secs_f64();
    index.shutdown().await;
    rate
}

fn main() {
    let large: u64 = std::env::var("EHR_BENCH_AUDIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();

    let small_store = Store::open(&dir.path().join("small.sqlite")).unwrap();
    fill(&small_store, SMALL_AUDIT);
    let small = pages(&small_store, SMALL_AUDIT);

    let large_path = dir.path().join("large.sqlite");
    let large_store = Store::open(&large_path).unwrap();
    let filled = Instant::now();
    fill(&large_store, large);
    let fill_time = filled.elapsed();
    let big = pages(&large_store, large);
    drop(large_store);
    let size: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("large.sqlite"))
        .map(|e| e.metadata().map_or(0, |m| m.len()))
        .sum();

    println!(
        "ehr index on SQLite; {PER_PATIENT} audit entries per patient, {PER_DOCTOR} tokens and notifications per doctor; small = {SMALL_AUDIT} audit entries, large = {large} ({} patients, +{} tokens, as many notifications), filled in {:.1} s",
        large / PER_PATIENT,
        large / 10,
        fill_time.as_secs_f64()
    );
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "page", "small p50", "small p99", "large p50", "large p99", "p99 x"
    );
    for (name, s, l) in [
        ("patient's audit page (50, newest)", small.audit, big.audit),
        ("doctor's tokens", small.tokens, big.tokens),
        (
            "recipient's notifications (50)",
            small.notifications,
            big.notifications,
        ),
    ] {
        println!(
            "{name:<34} {:>8.3}ms {:>8.3}ms {:>8.3}ms {:>8.3}ms {:>7.2}x  (target p99 < 20 ms)",
            ms(s.0),
            ms(s.1),
            ms(l.0),
            ms(l.1),
            ms(l.1) / ms(s.1).max(1e-6)
        );
    }
    println!(
        "database size: {:.0} MB for {large} audit entries = {:.0} MB per million (with tokens and notifications)",
        size as f64 / 1e6,
        size as f64 / 1e6 / (large as f64 / 1e6)
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let rate = runtime.block_on(ingestion(
        Database::Sqlite(dir.path().join("ingest.sqlite")),
        200,
        500,
    ));
    println!(
        "ingestion: {rate:.0} EHR events/s through /new_block (200 blocks of 500 notification events) = {:.2}x the 20,000/s target",
        rate / 20_000.0
    );

    if let Some(url) = postgres_support::scratch_database() {
        postgres(&dir, &runtime, &url, rate);
    }
}

/// The pages on PostgreSQL against SQLite at the same size, and PostgreSQL's ingestion
/// rate against SQLite's (`sqlite_rate`).
fn postgres(
    dir: &tempfile::TempDir,
    runtime: &tokio::runtime::Runtime,
    url: &str,
    sqlite_rate: f64,
) {
    let size: u64 = std::env::var("EHR_BENCH_POSTGRES_AUDIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let pg_store = Store::connect(url).unwrap();
    let filled = Instant::now();
    fill(&pg_store, size);
    let fill_time = filled.elapsed();
    let pg = pages(&pg_store, size);
    drop(pg_store);
    let lite_store = Store::open(&dir.path().join("same-size.sqlite")).unwrap();
    fill(&lite_store, size);
    let lite = pages(&lite_store, size);
    println!(
        "ehr index on PostgreSQL (loopback TCP), {size} audit entries (+{} tokens, as many notifications), filled in {:.1} s; SQLite filled to the same size",
        size / 10,
        fill_time.as_secs_f64()
    );
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "page", "SQLite p50", "SQLite p99", "PG p50", "PG p99", "PG/SQLite p99"
    );
    for (name, l, p) in [
        ("patient's audit page (50, newest)", lite.audit, pg.audit),
        ("doctor's tokens", lite.tokens, pg.tokens),
        (
            "recipient's notifications (50)",
            lite.notifications,
            pg.notifications,
        ),
    ] {
        println!(
            "{name:<34} {:>8.3}ms {:>8.3}ms {:>8.3}ms {:>8.3}ms {:>7.2}x  (target p99 < 20 ms)",
            ms(l.0),
            ms(l.1),
            ms(p.0),
            ms(p.1),
            ms(p.1) / ms(l.1).max(1e-6)
        );
    }
    let pg_url = postgres_support::scratch_database().expect("the server answered just now");
    let rate = runtime.block_on(ingestion(Database::Postgres(pg_url), 50, 500));
    println!(
        "ingestion on PostgreSQL: {rate:.0} EHR events/s through /new_block (50 blocks of 500 notification events) = {:.2}x SQLite's, {:.2}x the 20,000/s target",
        rate / sqlite_rate,
        rate / 20_000.0
    );
}
