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
