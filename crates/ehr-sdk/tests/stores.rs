//! Replicas: a write goes to every writable store (or a quorum), reads try them in order,
//! and `--store` values that name nothing this client reads are refused.

use std::io::Write as _;

use ehr_sdk::ehr::records::{BlobError, BlobStore, DirStore, RecordError};
use ehr_sdk::ehr::stores::{self, Replicas};
use sha2::{Digest, Sha256};

fn write(
    store: &dyn BlobStore,
    bytes: &[u8],
) -> Result<ehr_sdk::ehr::records::Stored, RecordError> {
    let mut writer = store.writer()?;
    writer
        .write_all(bytes)
        .map_err(|e| RecordError::Store(e.to_string()))?;
    writer.commit()
}

/// A folder store that cannot take a blob: its folder is a file.
fn broken(dir: &tempfile::TempDir) -> Box<dyn BlobStore> {
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    Box::new(DirStore::new(file))
}

#[test]
fn a_write_goes_to_every_replica_and_reads_try_them_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let replicas = Replicas::new(
        vec![Box::new(DirStore::new(&a)), Box::new(DirStore::new(&b))],
        None,
    )
    .unwrap();
    let bytes = b"sealed bytes".repeat(1000);
    let stored = write(&replicas, &bytes).unwrap();
    let hash: [u8; 32] = Sha256::digest(&bytes).into();
    assert_eq!(stored.content_hash, hash);
    assert_eq!(stored.locator, format!("sha256:{}", hex::encode(hash)));
    for folder in [&a, &b] {
        assert_eq!(
            std::fs::read(folder.join(hex::encode(hash))).unwrap(),
            bytes
        );
    }
    // The first replica lost it: the second serves it.
    std::fs::remove_file(a.join(hex::encode(hash))).unwrap();
    assert_eq!(replicas.get(&hash).unwrap(), bytes);
    // Gone from both: each store is named.
    std::fs::remove_file(b.join(hex::encode(hash))).unwrap();
    match replicas.reader(&hash) {
        Err(BlobError::Missing(why)) => {
            assert!(
                why.contains("store 1 (local folder)") && why.contains("store 2"),
                "{why}"
            )
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("no copy is left"),
    };
}

#[test]
fn a_write_needs_the_quorum() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    let all = Replicas::new(vec![Box::new(DirStore::new(&good)), broken(&dir)], None).unwrap();
    let refused = write(&all, b"blob").unwrap_err().to_string();
    assert!(
        refused.contains("write quorum of 2") && refused.contains("store 2"),
        "{refused}"
    );
    let one = Replicas::new(vec![Box::new(DirStore::new(&good)), broken(&dir)], Some(1)).unwrap();
    let stored = write(&one, b"blob").unwrap();
    assert!(good.join(hex::encode(stored.content_hash)).exists());
    for quorum in [0, 3] {
        let bad = Replicas::new(
            vec![Box::new(DirStore::new(&good)), broken(&dir)],
            Some(quorum),
        );
        assert!(bad.is_err(), "a quorum of {quorum} of 2");
    }
}

#[test]
fn an_http_store_is_read_only_and_a_first_http_store_names_the_locator() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = stores::open("http://127.0.0.1:9/ehr").unwrap();
    assert!(!gateway.writable());
    let refused = write(gateway.as_ref(), b"blob").unwrap_err().to_string();
    assert!(refused.contains("read-only"), "{refused}");
    // Published at the gateway, written to the folder behind it.
    let folder = dir.path().join("published");
    let replicas = Replicas::new(vec![gateway, Box::new(DirStore::new(&folder))], None).unwrap();
    let stored = write(&replicas, b"blob").unwrap();
    let hex = hex::encode(stored.content_hash);
    assert_eq!(stored.locator, format!("http://127.0.0.1:9/ehr/{hex}"));
    assert!(folder.join(&hex).exists());
    // Only read-only stores: nothing can be written.
    assert!(
        Replicas::open(&["https://example.org/ehr".to_string()], None)
            .unwrap()
            .writer()
            .is_err()
    );
}

#[test]
fn store_values_that_name_nothing_readable_are_refused() {
    for spec in [
        "ftp://host/ehr",
        "file:///etc",
        "s3://UPPER/ehr",
        "s3://bucket/../ehr",
        "https://user@host/ehr",
        "https://host/a%2e/ehr",
        "http://host:0/ehr",
    ] {
        assert!(stores::open(spec).is_err(), "{spec} must be refused");
    }
    assert_eq!(
        stores::open("s3://clinic-bucket/ehr/").unwrap().name(),
        "s3://clinic-bucket/ehr"
    );
    assert_eq!(
        stores::open("https://blobs.example.org").unwrap().name(),
        "https://blobs.example.org"
    );
}

/// An HTTP server with one blob under `/ehr/<hex>`, on a thread and runtime of its own;
/// returns its base URL.
fn serve_one_blob(bytes: Vec<u8>) -> String {
    let hex = hex::encode(Sha256::digest(&bytes));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let app = axum::Router::new().route(
                &format!("/ehr/{hex}"),
                axum::routing::get(move || async move { bytes }),
            );
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}/ehr")
}

/// The store interface is synchronous and its callers run inside tokio (the CLI, `ehr
/// serve`): a remote store read from inside a current-thread runtime neither panics
/// (no runtime started inside another) nor deadlocks.
#[tokio::test]
async fn a_remote_store_reads_from_inside_a_runtime() {
    let bytes = b"ciphertext".repeat(50_000);
    let hash: [u8; 32] = Sha256::digest(&bytes).into();
    let base = serve_one_blob(bytes.clone());
    let store = stores::open(&base).unwrap();
    assert_eq!(store.get(&hash).unwrap(), bytes);
    assert!(matches!(store.get(&[7; 32]), Err(BlobError::Missing(_))));
    // Nothing listens on port 9: a failure, named, within the short retry budget.
    let started = std::time::Instant::now();
    let dead = stores::open("http://127.0.0.1:9/ehr").unwrap();
    match dead.get(&hash) {
        Err(BlobError::Failed(why)) => assert!(why.contains("http://127.0.0.1:9/ehr"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

/// A folder store whose reads break after `fail_after` bytes (a dropped connection), and
/// that remembers each offset a read started at.
struct Flaky {
    inner: DirStore,
    fail_after: std::sync::Mutex<Option<u64>>,
    offsets: std::sync::Mutex<Vec<u64>>,
}

struct Breaking<R> {
    inner: R,
    left: Option<u64>,
}

impl<R: std::io::Read> std::io::Read for Breaking<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let max = match self.left {
            Some(0) => return Err(std::io::Error::other("connection reset")),
            Some(left) => buf.len().min(left as usize),
            None => buf.len(),
        };
        let n = self.inner.read(&mut buf[..max])?;
        if let Some(left) = &mut self.left {
            *left -= n as u64;
        }
        Ok(n)
    }
}

impl BlobStore for Flaky {
    fn writer(&self) -> Result<Box<dyn ehr_sdk::ehr::records::BlobWriter + '_>, RecordError> {
        self.inner.writer()
    }

    fn reader(&self, hash: &[u8; 32]) -> Result<Box<dyn std::io::Read + Send + '_>, BlobError> {
        self.reader_from(hash, 0)
    }

    fn reader_from(
        &self,
        hash: &[u8; 32],
        offset: u64,
    ) -> Result<Box<dyn std::io::Read + Send + '_>, BlobError> {
        self.offsets.lock().unwrap().push(offset);
        Ok(Box::new(Breaking {
            inner: self.inner.reader_from(hash, offset)?,
            left: *self.fail_after.lock().unwrap(),
        }))
    }

    fn name(&self) -> String {
        "flaky folder".into()
    }
}

fn record_at(locator: String, content_hash: [u8; 32]) -> ehr_sdk::ehr::types::Record {
    let patient =
        clarity::vm::types::PrincipalData::parse("ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5")
            .unwrap();
    ehr_sdk::ehr::types::Record {
        id: 9,
        patient: patient.clone(),
        record_type: "Binary".into(),
        content_hash,
        locator,
        version: 1,
        previous: None,
        superseded_by: None,
        author: patient,
        created_at: 1,
        chunk_count: 0,
    }
}

/// An interrupted download is resumed from where it stopped (the store is asked only for
/// the rest), and the whole copy is checked against the chain's hash; a local copy that
/// does not match is thrown away with the store named, and the next run starts over.
#[test]
fn downloads_resume_after_an_interruption_and_check_the_whole_copy() {
    let dir = tempfile::tempdir().unwrap();
    let flaky = Flaky {
        inner: DirStore::new(dir.path().join("store")),
        fail_after: std::sync::Mutex::new(Some(300_000)),
        offsets: std::sync::Mutex::new(Vec::new()),
    };
    let bytes: Vec<u8> = (0..1_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let stored = write(&flaky, &bytes).unwrap();
    let record = record_at(stored.locator.clone(), stored.content_hash);
    let sources = ehr_sdk::ehr::records::Sources::new(&record, Some(&flaky))
        .unwrap()
        .unwrap();
    let cache = dir.path().join("copy.sealed");
    let mut seen = Vec::new();

    // The connection drops after 300,000 bytes: a failure naming the store; what came is kept.
    let failed = sources.download(&cache, &mut |n| seen.push(n)).unwrap_err();
    assert!(failed.to_string().contains("flaky folder"), "{failed}");
    assert!(failed.to_string().contains("connection reset"), "{failed}");
    assert_eq!(std::fs::metadata(&cache).unwrap().len(), 300_000);
    assert_eq!(seen.last(), Some(&300_000));

    // The rerun asks for the rest only, and ends with the exact bytes.
    *flaky.fail_after.lock().unwrap() = None;
    sources.download(&cache, &mut |_| {}).unwrap();
    assert_eq!(*flaky.offsets.lock().unwrap(), vec![0, 300_000]);
    assert_eq!(std::fs::read(&cache).unwrap(), bytes);

    // A local copy with wrong bytes (another file, a disk error): the check fails, the
    // copy is cleared, the store is named; the next run downloads it whole.
    std::fs::write(&cache, vec![0u8; 500_000]).unwrap();
    let failed = sources.download(&cache, &mut |_| {}).unwrap_err();
    assert!(failed.to_string().contains("does not match"), "{failed}");
    assert!(failed.to_string().contains("flaky folder"), "{failed}");
    assert_eq!(std::fs::metadata(&cache).unwrap().len(), 0);
    sources.download(&cache, &mut |_| {}).unwrap();
    assert_eq!(std::fs::read(&cache).unwrap(), bytes);
    assert_eq!(flaky.offsets.lock().unwrap()[2..], [500_000, 0]);
}
