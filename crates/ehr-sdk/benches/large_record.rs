//! A large record end to end through the SDK's store path: a file sealed in record format
//! 3 into a local staging file, then uploaded to a store under its hash, resumably
//! (`upload::stage_and_upload`, what `ehr record add --file` runs), then read back, checked against the hash and decrypted
//! (`records::open_stored_into` with a resumable download into a local copy, what `ehr
//! record get --out` runs).
//!
//! Each half runs in a child process of its own, which reports its peak resident memory
//! (`VmHWM`): the promise is under 64 MiB whatever the size, and the run fails when a half
//! goes over. Throughput is printed next to `sha256sum` of the same file, the floor (a
//! pass that only reads and hashes).
//!
//! Run: `cargo bench -p ehr-sdk --bench large_record` (MB=n for the file size, default
//! 1024). Stores: a local folder always; an S3-compatible service when `moto_server` is
//! installed (scripts/setup.sh installs it), in a process of its own on a free port.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clarity::vm::types::PrincipalData;
use ehr_sdk::crypto::RecordContext;
use ehr_sdk::ehr::records::{open_stored_into, Fetch, HashSink, Plaintext};
use ehr_sdk::ehr::stores;
use ehr_sdk::ehr::types::Record;
use ehr_sdk::ehr::upload::{stage_and_upload, Upload};
use ehr_sdk::keys::SecretKey;
use sha2::{Digest, Sha256};

/// wallet_1 of the devnet accounts, the patient.
const PATIENT_KEY: &str = "7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801";
const PATIENT: &str = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const RECORD_TYPE: &str = "DocumentReference";
/// The memory promise of the streaming format.
const LIMIT_KIB: u64 = 64 * 1024;
const BUCKET: &str = "ehr-bench";

fn main() {
    match std::env::var("LARGE_RECORD_CHILD").ok().as_deref() {
        Some("seal") => return child_seal(),
        Some("open") => return child_open(),
        _ => {}
    }
    let mb: u64 = std::env::var("MB")
        .ok()
        .map(|v| v.parse().expect("MB is a whole number of megabytes"))
        .unwrap_or(1024);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("scan.bin");
    let digest = make_file(&file, mb);
    let bytes = mb * 1024 * 1024;

    let floor = {
        let start = Instant::now();
        let out = Command::new("sha256sum")
            .arg(&file)
            .output()
            .expect("sha256sum runs");
        let took = start.elapsed();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.split_whitespace().next(),
            Some(hex::encode(digest).as_str()),
            "sha256sum disagrees with the file written"
        );
        took
    };
    println!(
        "large record, {mb} MiB, peak memory limit {} MiB (cpus: {})",
        LIMIT_KIB / 1024,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<46} {:>9} {:>10} {:>14} {:>12}",
        "", "seconds", "MB/s", "vs sha256sum", "peak RSS"
    );
    println!(
        "{:<46} {:>9.2} {:>10.1} {:>14} {:>12}",
        "sha256sum (floor)",
        floor.as_secs_f64(),
        rate(bytes, floor),
        "1.00x",
        "-"
    );

    let mut over = false;
    let folder = dir.path().join("store");
    over |= run_store(
        "local folder",
        folder.to_str().unwrap(),
        &[],
        &file,
        bytes,
        floor,
        digest,
    );
    match Moto::start() {
        Some(moto) => {
            let env = moto.env();
            over |= run_store(
                "S3 (moto_server)",
                &format!("s3://{BUCKET}/ehr"),
                &env,
                &file,
                bytes,
                floor,
                digest,
            );
        }
        None => {
            println!("S3: skipped (moto_server is not installed; scripts/setup.sh installs it)")
        }
    }
    if over {
        eprintln!(
            "FAIL: a half went over {} MiB of resident memory",
            LIMIT_KIB / 1024
        );
        std::process::exit(1);
    }
}

/// Seals `file` into `store` and opens it back, each in a child; prints both rows.
/// Returns whether either went over the memory limit.
fn run_store(
    name: &str,
    store: &str,
    env: &[(&str, String)],
    file: &Path,
    bytes: u64,
    floor: Duration,
    digest: [u8; 32],
) -> bool {
    let sealed = child(
        "seal",
        &[
            ("STORE", store.to_string()),
            ("FILE", file.display().to_string()),
            ("PLAIN_SHA256", hex::encode(digest)),
        ],
        env,
    );
    let [locator, hash, envelope, peak] = fields(&sealed);
    let seal_time = Duration::from_secs_f64(field_f64(&sealed, "secs"));
    let opened = child(
        "open",
        &[
            ("STORE", store.to_string()),
            ("LOCATOR", locator),
            ("HASH", hash),
            ("ENVELOPE", envelope),
        ],
        env,
    );
    let open_time = Duration::from_secs_f64(field_f64(&opened, "secs"));
    assert_eq!(
        field(&opened, "plain_sha256"),
        hex::encode(digest),
        "the opened record is not the file sealed"
    );
    let open_peak: u64 = field(&opened, "peak_kib").parse().unwrap();
    let seal_peak: u64 = peak.parse().unwrap();
    for (what, took, peak) in [
        ("seal + stage + upload", seal_time, seal_peak),
        ("download + check + decrypt", open_time, open_peak),
    ] {
        println!(
            "{:<46} {:>9.2} {:>10.1} {:>13.2}x {:>9} MiB{}",
            format!("{name}: {what}"),
            took.as_secs_f64(),
            rate(bytes, took),
            took.as_secs_f64() / floor.as_secs_f64(),
            peak / 1024,
            if peak > LIMIT_KIB { "  OVER" } else { "" }
        );
    }
    seal_peak > LIMIT_KIB || open_peak > LIMIT_KIB
}

/// Runs this bench again as a child doing `half`, and returns its one line of output.
fn child(half: &str, vars: &[(&str, String)], env: &[(&str, String)]) -> String {
    let exe = std::env::current_exe().expect("the bench's own path");
    let mut command = Command::new(exe);
    command.env("LARGE_RECORD_CHILD", half);
    for (k, v) in vars.iter().chain(env) {
        command.env(k, v);
    }
    let out = command.output().expect("the child runs");
    assert!(
        out.status.success(),
        "{half} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("text")
}

/// `key=value` fields of a child's line.
fn field(line: &str, key: &str) -> String {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key} in {line}"))
        .to_string()
}

fn field_f64(line: &str, key: &str) -> f64 {
    field(line, key).parse().unwrap()
}

fn fields(line: &str) -> [String; 4] {
    ["locator", "hash", "envelope", "peak_kib"].map(|k| field(line, k))
}

fn rate(bytes: u64, took: Duration) -> f64 {
    bytes as f64 / 1e6 / took.as_secs_f64()
}

/// `mb` MiB of incompressible bytes (a xorshift stream), written 1 MiB at a time; returns
/// their SHA-256.
fn make_file(path: &Path, mb: u64) -> [u8; 32] {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("the file"));
    let mut hash = Sha256::new();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut block = vec![0u8; 1024 * 1024];
    for _ in 0..mb {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        hash.update(&block);
        out.write_all(&block).expect("writing the file");
    }
    out.flush().expect("writing the file");
    hash.finalize().into()
}

/// The child's peak resident memory so far, in KiB (`VmHWM` of /proc/self/status).
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the parent"))
}

fn context() -> RecordContext<'static> {
    RecordContext {
        patient: PATIENT,
        record_type: RECORD_TYPE,
    }
}

fn child_seal() {
    let store = stores::open(&var("STORE")).expect("the store");
    let path = PathBuf::from(var("FILE"));
    let mut file = std::fs::File::open(&path).expect("the file");
    let len = file.metadata().expect("its size").len();
    let owner = SecretKey::from_hex(PATIENT_KEY).unwrap().public_key();
    let plaintext_sha256: [u8; 32] = hex::decode(var("PLAIN_SHA256"))
        .unwrap()
        .try_into()
        .unwrap();
    let uploads = tempfile::tempdir().expect("a staging folder");
    let mut told = |_| {};
    let start = Instant::now();
    let (stored, envelope, _) = stage_and_upload(
        store.as_ref(),
        Plaintext::Stream {
            reader: &mut file,
            len,
        },
        context(),
        &owner,
        Upload {
            dir: uploads.path(),
            plaintext_sha256,
            progress: &mut told,
        },
    )
    .expect("sealing and uploading into the store");
    let took = start.elapsed();
    println!(
        "locator={} hash={} envelope={} secs={} peak_kib={}",
        stored.locator,
        hex::encode(stored.content_hash),
        hex::encode(envelope),
        took.as_secs_f64(),
        peak_kib()
    );
}

fn child_open() {
    let store = stores::open(&var("STORE")).expect("the store");
    let patient: PrincipalData = PrincipalData::parse(PATIENT).unwrap();
    let content_hash: [u8; 32] = hex::decode(var("HASH")).unwrap().try_into().unwrap();
    let record = Record {
        id: 1,
        patient: patient.clone(),
        record_type: RECORD_TYPE.into(),
        content_hash,
        locator: var("LOCATOR"),
        version: 1,
        previous: None,
        superseded_by: None,
        author: patient,
        created_at: 1,
        chunk_count: 0,
    };
    let envelope = hex::decode(var("ENVELOPE")).unwrap();
    let holder = SecretKey::from_hex(PATIENT_KEY).unwrap();
    let mut out = HashSink(Sha256::new());
    let start = Instant::now();
    let downloads = tempfile::tempdir().expect("a downloads folder");
    let mut told = |_: u64| {};
    let fetch = Fetch::Resumable {
        dir: downloads.path(),
        progress: &mut told,
    };
    let plain = open_stored_into(
        &record,
        &envelope,
        &holder,
        Some(store.as_ref()),
        fetch,
        &mut out,
    )
    .expect("opening from the store")
    .expect("a record in a store");
    let took = start.elapsed();
    println!(
        "plain_len={plain} plain_sha256={} secs={} peak_kib={}",
        hex::encode(out.0.finalize()),
        took.as_secs_f64(),
        peak_kib()
    );
}

/// moto's S3 server in a process of its own, killed on drop.
struct Moto {
    process: Child,
    endpoint: String,
}

impl Moto {
    fn start() -> Option<Moto> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .ok()?
            .port();
        let process = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let moto = Moto {
            process,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(60) {
                eprintln!("moto_server did not answer in 60 s");
                return None;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let made = Command::new("curl")
            .args(["-sf", "-X", "PUT", &format!("{}/{BUCKET}", moto.endpoint)])
            .status()
            .ok()?;
        made.success().then_some(moto)
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}
