//! The PostgreSQL engine for the index tests: a new database on the server that
//! `EHR_TEST_POSTGRES` names (`scripts/postgres.sh` starts one and sets it), or none when
//! the variable is unset, except under CI (`CI=true`), where a missing server fails.

use std::sync::atomic::{AtomicU64, Ordering};

/// The URL of a new, empty database on the test server; `None` outside CI when no
/// server is given (the test then runs on SQLite only, and says so).
pub fn scratch_database() -> Option<String> {
    let base = match std::env::var("EHR_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but EHR_TEST_POSTGRES is not set: the index tests must run on \
                 PostgreSQL too (run them under scripts/postgres.sh, as .ci/run does)"
            );
            eprintln!(
                "EHR_TEST_POSTGRES is not set: PostgreSQL skipped, SQLite only \
                 (scripts/postgres.sh starts a server)"
            );
            return None;
        }
    };
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "ehr_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let mut url = reqwest::Url::parse(&base).expect("EHR_TEST_POSTGRES is a URL");
    url.set_path(&format!("/{name}"));
    // The synchronous client drives its own runtime: never on a tokio test's thread.
    std::thread::spawn(move || {
        let mut admin = postgres::Client::connect(&base, postgres::NoTls)
            .unwrap_or_else(|e| panic!("EHR_TEST_POSTGRES={base}: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("CREATE DATABASE");
    })
    .join()
    .expect("creating the test database");
    Some(url.to_string())
}
