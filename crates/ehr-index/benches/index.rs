//! Index figures on SQLite and PostgreSQL, printed side by side in one run:
//!
//! - page latency (p50, p99 over 1,000 random principals) of a patient's grants page (the
//!   patient's `grant-access` audit entries, newest first, 50, with the total), a doctor's
//!   tokens, a patient's inbox (the access requests made to it, 50) and an AuditEvent
//!   search page (what the FHIR AuditEvent search asks the index: by patient, with agent,
//!   action and date filters, `_sort=-date`, `_count=10`, the total, and a probe for a next
//!   page), first and second (keyset) page; at a small and a large index, with the
//!   large/small ratio (flat means close to 1) and, at each size, PostgreSQL/SQLite;
//! - the database's size on disk per million audit entries;
//! - ingestion of `/new_block` payloads through the observer route (HTTP, JSON parsing,
//!   the EHR events picked out, one database transaction per block, the block's rows in
//!   multi-row INSERTs), in events per second, against the 20,000/s target.
//!
//! Every row is written through the store's own write path ([`Store::add_audit`] and
//! [`Store::block`], what the audit follower and the observer call), never by SQL of the
//! bench's own.
//!
//! Run: `cargo bench -p ehr-index --bench index`, with `EHR_TEST_POSTGRES` set (e.g. from
//! `scripts/postgres.sh`) for PostgreSQL. `EHR_BENCH_AUDIT` audit entries at the large end
//! (default 1,000,000; the size is 10,000,000), with the patients, doctors, tokens,
//! requests and blocks in proportion: per 100 audit entries one patient and one block; per
//! 10, one token (to a doctor holding 10) and its `access-granted` notification; per 50,
//! one access request (an `access-request` notification to its patient). At 10,000,000:
//! 100,000 patients, 1,000,000 tokens, 200,000 requests. Each principal holds as much at
//! every size: the pages measured are the same, only the index around them grows, which
//! is what "flat" means. `EHR_BENCH_ENGINES` picks the engines (`sqlite,postgres`, the
//! default, PostgreSQL only when a server is given). Each engine's databases are removed
//! when measured.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ehr_index::store::{AuditQuery, BlockSeen, EhrEvent, TokenChange};
use ehr_index::{Database, IndexConfig, Listeners, Store};
use ehr_sdk::audit::AuditEntry;

#[path = "../tests/support/postgres.rs"]
mod postgres_support;

const SMALL_AUDIT: u64 = 10_000;
/// Audit entries per patient, and per block.
const PER_PATIENT: u64 = 100;
/// Tokens per doctor.
const PER_DOCTOR: u64 = 10;
/// Audit entries per token.
const AUDIT_PER_TOKEN: u64 = 10;
/// Audit entries per access request.
const AUDIT_PER_REQUEST: u64 = 50;
/// The doctors each patient's audit entries name as actor.
const DOCTORS_PER_PATIENT: u64 = 2;
const ACTIONS: [&str; 4] = ["log-access", "grant-access", "add-record", "revoke-access"];
/// Burn block time of block 0; each block comes 600 s after its parent.
const GENESIS_TIME: u64 = 1_700_000_000;

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

/// The proportions of an index of `audit` audit entries.
#[derive(Clone, Copy)]
struct Shape {
    audit: u64,
}

impl Shape {
    fn patients(self) -> u64 {
        self.audit / PER_PATIENT
    }
    fn blocks(self) -> u64 {
        self.audit / PER_PATIENT
    }
    fn tokens(self) -> u64 {
        self.audit / AUDIT_PER_TOKEN
    }
    fn doctors(self) -> u64 {
        (self.tokens() / PER_DOCTOR).max(1)
    }
    fn requests(self) -> u64 {
        self.audit / AUDIT_PER_REQUEST
    }
    /// The `k`th doctor acting in `patient`'s audit entries.
    fn doctor_of(self, patient: u64, k: u64) -> u64 {
        (patient * DOCTORS_PER_PATIENT + k) % self.doctors()
    }
    /// The date bound of the search: a quarter into the chain.
    fn search_since(self) -> u64 {
        GENESIS_TIME + self.blocks() / 4 * 600
    }
}

/// Fills `store` to `shape`, block by block: a block's audit entries (written by the
/// audit follower's path, 100 blocks' at a time), then the block with its token mints,
/// their notifications and its access requests (the observer's path).
fn fill(store: &Store, shape: Shape) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let patients = shape.patients();
    let tokens_per_block = shape.tokens() / shape.blocks();
    let requests_per_block = shape.requests() / shape.blocks();
    let mut entries = Vec::with_capacity(10_000);
    let mut token = 0;
    let mut request = 0;
    for height in 0..shape.blocks() {
        for id in height * PER_PATIENT..(height + 1) * PER_PATIENT {
            let patient = id % patients;
            entries.push(AuditEntry {
                id: u128::from(id),
                patient: principal("P", patient),
                actor: principal(
                    "D",
                    shape.doctor_of(patient, rng.next() % DOCTORS_PER_PATIENT),
                ),
                action: ACTIONS[(rng.next() % 4) as usize].to_string(),
                reference: u128::from(rng.next() % 1_000_000),
                details_hash: format!("0x{:064x}", rng.next()),
                block: u128::from(height),
                prev_hash: format!("0x{:064x}", id),
                entry_hash: format!("0x{:064x}", id + 1),
            });
        }
        if entries.len() >= 10_000 || height + 1 == shape.blocks() {
            store.add_audit(&entries).unwrap();
            entries.clear();
        }
        let mut events = Vec::new();
        let mut event_index = 0u32;
        let mut push = |event: EhrEvent| events.push(event);
        for _ in 0..tokens_per_block {
            let doctor = principal("D", token % shape.doctors());
            let txid = hash(token + 1_000_000_000);
            push(EhrEvent::Token {
                event_index,
                txid: txid.clone(),
                token_id: token,
                change: TokenChange::Minted { to: doctor.clone() },
            });
            push(EhrEvent::Notification {
                event_index: event_index + 1,
                txid,
                recipient: doctor,
                kind: "access-granted".into(),
                reference: token,
                inbox_index: token / shape.doctors(),
            });
            event_index += 2;
            token += 1;
        }
        for _ in 0..requests_per_block {
            let patient = request % patients;
            push(EhrEvent::Notification {
                event_index,
                txid: hash(request + 2_000_000_000),
                recipient: principal("P", patient),
                kind: "access-request".into(),
                reference: request,
                inbox_index: request / patients,
            });
            event_index += 1;
            request += 1;
        }
        let block = BlockSeen {
            block_height: height,
            index_block_hash: hash(height + 1),
            parent_index_block_hash: hash(height),
            burn_block_time: Some(GENESIS_TIME + height * 600),
        };
        store.block(&block, &[], &events).unwrap();
    }
    assert_eq!(
        (token, request),
        (shape.tokens(), shape.requests()),
        "the shape divides into whole blocks"
    );
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

/// p50 and p99 of `query` over 1,000 random principals (the same ones at every size and
/// on every engine).
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

const PAGES: [&str; 5] = [
    "a patient's grants (50, newest)",
    "a doctor's tokens",
    "a patient's requests (inbox, 50)",
    "AuditEvent search, first page",
    "AuditEvent search, next page",
];

/// p50 and p99 of each of [`PAGES`].
type Pages = [(Duration, Duration); 5];

/// The AuditEvent search of patient number `n`: its first doctor as agent, two contract
/// actions (as an `action=` code naming several reaches the index), from a quarter into
/// the chain, newest first, 10 a page; `after` places a next page.
fn search(shape: Shape, n: u64, after: Option<u64>, limit: u32) -> AuditQuery {
    let patient = n % shape.patients();
    AuditQuery {
        patient: Some(principal("P", patient)),
        actor: Some(principal("D", shape.doctor_of(patient, 0))),
        actions: vec![ACTIONS[0].into(), ACTIONS[2].into()],
        since_time: Some(shape.search_since()),
        after,
        newest_first: true,
        limit,
        ..AuditQuery::default()
    }
}

/// One search page as the FHIR AuditEvent search reads it: the page with its total, then
/// a one-entry probe after its last entry (is there a next page?). Returns the last id.
fn search_page(store: &Store, shape: Shape, n: u64, after: Option<u64>) -> Option<u64> {
    let (_, rows) = store.audit(&search(shape, n, after, 10)).unwrap();
    let last = rows.last().map(|e| e.id as u64);
    if rows.len() == 10 {
        let (_, probe) = store.audit(&search(shape, n, last, 1)).unwrap();
        std::hint::black_box(probe);
    }
    last
}

fn pages(store: &Store, shape: Shape) -> Pages {
    let grants = latency(|n| {
        let (total, rows) = store
            .audit(&AuditQuery {
                patient: Some(principal("P", n % shape.patients())),
                actions: vec!["grant-access".into()],
                newest_first: true,
                limit: 50,
                ..AuditQuery::default()
            })
            .unwrap();
        assert!(total > 0 && !rows.is_empty(), "every patient granted");
        std::hint::black_box(rows);
    });
    let tokens = latency(|n| {
        let held = store
            .tokens_held(&principal("D", n % shape.doctors()))
            .unwrap();
        assert_eq!(held.len() as u64, PER_DOCTOR);
    });
    let requests = latency(|n| {
        let inbox = store
            .notifications(&principal("P", n % shape.patients()), 50, 0)
            .unwrap();
        assert_eq!(
            inbox.len() as u64,
            shape.requests() / shape.patients(),
            "a patient's access requests"
        );
    });
    let first = latency(|n| {
        assert!(search_page(store, shape, n, None).is_some());
    });
    // The next page's keyset: the first page's last entry (read before the clock runs).
    let mut rng = Rng(42);
    let afters: Vec<Option<u64>> = (0..1_000)
        .map(|_| search_page(store, shape, rng.next(), None))
        .collect();
    let mut at = 0;
    let next = latency(|n| {
        search_page(store, shape, n, afters[at]);
        at += 1;
    });
    [grants, tokens, requests, first, next]
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

/// What one engine measured.
struct Figures {
    small: Pages,
    large: Pages,
    fill: Duration,
    bytes: u64,
    rate: f64,
}

/// A database of an engine: where it is, and how big it is on disk.
enum Db {
    Sqlite(std::path::PathBuf),
    Postgres {
        url: String,
        admin: String,
        name: String,
    },
}

impl Db {
    fn new(engine: &str, dir: &std::path::Path, name: &str) -> Db {
        match engine {
            "sqlite" => Db::Sqlite(dir.join(format!("{name}.sqlite"))),
            _ => {
                let url = postgres_support::scratch_database().expect("EHR_TEST_POSTGRES is set");
                let parsed = reqwest::Url::parse(&url).unwrap();
                let name = parsed.path().trim_start_matches('/').to_string();
                let admin = std::env::var("EHR_TEST_POSTGRES").unwrap();
                Db::Postgres { url, admin, name }
            }
        }
    }

    fn database(&self) -> Database {
        match self {
            Db::Sqlite(path) => Database::Sqlite(path.clone()),
            Db::Postgres { url, .. } => Database::Postgres(url.clone()),
        }
    }

    /// Bytes on disk: the SQLite file and its journal, or PostgreSQL's
    /// `pg_database_size` (tables, indexes, TOAST and free space map).
    fn bytes(&self) -> u64 {
        match self {
            Db::Sqlite(path) => ["", "-wal", "-shm"]
                .iter()
                .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
                .map(|m| m.len())
                .sum(),
            Db::Postgres { admin, name, .. } => {
                let mut client = postgres::Client::connect(admin, postgres::NoTls).unwrap();
                let row = client
                    .query_one("SELECT pg_database_size($1)", &[name])
                    .unwrap();
                row.get::<_, i64>(0) as u64
            }
        }
    }

    /// Removes the database (its store closed first).
    fn remove(self) {
        match self {
            Db::Sqlite(path) => {
                for s in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{s}", path.display()));
                }
            }
            Db::Postgres { admin, name, .. } => {
                let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
                client
                    .batch_execute(&format!("DROP DATABASE {name}"))
                    .unwrap();
            }
        }
    }
}

/// Fills and measures `engine` at both sizes, then its ingestion rate.
fn measure(
    engine: &str,
    dir: &std::path::Path,
    runtime: &tokio::runtime::Runtime,
    large: Shape,
) -> Figures {
    let small_db = Db::new(engine, dir, "small");
    let store = Store::open_database(&small_db.database()).unwrap();
    fill(&store, Shape { audit: SMALL_AUDIT });
    let small = pages(&store, Shape { audit: SMALL_AUDIT });
    drop(store);
    small_db.remove();

    let large_db = Db::new(engine, dir, "large");
    let store = Store::open_database(&large_db.database()).unwrap();
    let started = Instant::now();
    fill(&store, large);
    let fill_time = started.elapsed();
    eprintln!(
        "{engine}: filled to {} audit entries in {:.0} s",
        large.audit,
        fill_time.as_secs_f64()
    );
    let big = pages(&store, large);
    drop(store);
    let bytes = large_db.bytes();
    large_db.remove();

    let ingest_db = Db::new(engine, dir, "ingest");
    let rate = runtime.block_on(ingestion(ingest_db.database(), 200, 500));
    ingest_db.remove();
    let figures = Figures {
        small,
        large: big,
        fill: fill_time,
        bytes,
        rate,
    };
    print_engine(engine, large, &figures);
    figures
}

fn print_engine(engine: &str, large: Shape, f: &Figures) {
    println!(
        "\nehr index on {engine}: small = {SMALL_AUDIT} audit entries; large = {} audit entries over {} patients, {} tokens to {} doctors, {} requests, {} blocks; filled in {:.0} s",
        large.audit,
        large.patients(),
        large.tokens(),
        large.doctors(),
        large.requests(),
        large.blocks(),
        f.fill.as_secs_f64()
    );
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "page", "small p50", "small p99", "large p50", "large p99", "p99 large/small"
    );
    for (i, name) in PAGES.iter().enumerate() {
        let (s, l) = (f.small[i], f.large[i]);
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
        "size on disk: {:.0} MB at the large size = {:.0} MB per million audit entries (tokens, requests, notifications and blocks included)",
        f.bytes as f64 / 1e6,
        f.bytes as f64 / 1e6 / (large.audit as f64 / 1e6)
    );
    println!(
        "ingestion: {:.0} EHR events/s through /new_block (200 blocks of 500 notification events) = {:.2}x the 20,000/s target",
        f.rate,
        f.rate / 20_000.0
    );
}

fn main() {
    let large = Shape {
        audit: std::env::var("EHR_BENCH_AUDIT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000),
    };
    assert!(
        large.audit >= SMALL_AUDIT && large.audit % 10_000 == 0,
        "EHR_BENCH_AUDIT: a multiple of 10,000, at least {SMALL_AUDIT}"
    );
    let engines: Vec<String> = match std::env::var("EHR_BENCH_ENGINES") {
        Ok(list) => list.split(',').map(str::to_string).collect(),
        Err(_) if std::env::var("EHR_TEST_POSTGRES").is_ok_and(|u| !u.is_empty()) => {
            vec!["sqlite".into(), "postgres".into()]
        }
        Err(_) => {
            eprintln!(
                "EHR_TEST_POSTGRES is not set: SQLite only (scripts/postgres.sh starts a server)"
            );
            vec!["sqlite".into()]
        }
    };
    for engine in &engines {
        assert!(
            engine == "sqlite" || engine == "postgres",
            "EHR_BENCH_ENGINES: sqlite and/or postgres, not `{engine}`"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let figures: Vec<(String, Figures)> = engines
        .iter()
        .map(|engine| (engine.clone(), measure(engine, dir.path(), &runtime, large)))
        .collect();
    let of = |name: &str| figures.iter().find(|(e, _)| e == name).map(|(_, f)| f);
    if let (Some(lite), Some(pg)) = (of("sqlite"), of("postgres")) {
        println!("\nPostgreSQL/SQLite, p99 (and p50):");
        println!("{:<34} {:>22} {:>22}", "page", "small", "large");
        for (i, name) in PAGES.iter().enumerate() {
            let ratio = |p: (Duration, Duration), l: (Duration, Duration)| {
                format!(
                    "{:.2}x ({:.2}x)",
                    ms(p.1) / ms(l.1).max(1e-6),
                    ms(p.0) / ms(l.0).max(1e-6)
                )
            };
            println!(
                "{name:<34} {:>22} {:>22}",
                ratio(pg.small[i], lite.small[i]),
                ratio(pg.large[i], lite.large[i])
            );
        }
        println!(
            "size per million audit entries: {:.2}x; ingestion rate: {:.2}x",
            pg.bytes as f64 / lite.bytes as f64,
            pg.rate / lite.rate
        );
    }
}
