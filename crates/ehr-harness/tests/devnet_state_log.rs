//! The state log under damage: a byte flipped anywhere in a real log either leaves a
//! torn final record to cut (only an incomplete final record is a crash mid-write) or
//! stops the node with an error naming the file and the byte offset, and then the file
//! is exactly as it was. `repair_state_dir` keeps the valid prefix on request, with a
//! backup of the original.

mod devnet_support;

use std::path::{Path, PathBuf};

use devnet_support::*;
use ehr_harness::devnet::{repair_state_dir, spawn, DevnetConfig};

/// A real state directory: genesis, the probe deployed, three mined calls and one
/// pending call (a future nonce). Returns the directory, the log's size after each
/// acknowledged step (the record boundaries, as far as a client can see them), the
/// final height and every acknowledged txid.
async fn real_log(root: &Path) -> (PathBuf, Vec<usize>, u64, Vec<String>) {
    let state = root.join("pristine");
    let log = state.join("chain.log");
    let size = || std::fs::metadata(&log).unwrap().len() as usize;
    let mut config = DevnetConfig::new(genesis(false));
    config.state_dir = Some(state.clone());
    let node = start(config).await;
    let rpc = Rpc::new(&node);
    let mut sizes = vec![size()];
    let mut txids = vec![rpc.send(&deploy_probe(0)).await];
    rpc.mined(&txids[0]).await;
    sizes.push(size());
    for nonce in 0..3 {
        let txid = rpc.send(&call("wallet_1", "bump", vec![], nonce)).await;
        rpc.mined(&txid).await;
        txids.push(txid);
        sizes.push(size());
    }
    txids.push(rpc.send(&call("wallet_2", "bump", vec![], 4)).await);
    sizes.push(size());
    let height = rpc.height().await;
    node.shutdown().await;
    (state, sizes, height, txids)
}

fn write_state(to: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(to).unwrap();
    std::fs::write(to.join("chain.log"), bytes).unwrap();
}

/// Offsets worth flipping: the first 64 bytes (header and the genesis record's frame),
/// a window around every step boundary, a stride through everything, the last 64.
fn flip_offsets(sizes: &[usize]) -> Vec<usize> {
    let len = *sizes.last().unwrap();
    let mut at: Vec<usize> = (0..64).collect();
    for &boundary in sizes {
        at.extend(boundary.saturating_sub(16)..(boundary + 16).min(len));
    }
    at.extend((0..len).step_by(61));
    at.extend(len.saturating_sub(64)..len);
    at.sort_unstable();
    at.dedup();
    at
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_anywhere_is_refused_and_the_log_is_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let (pristine, sizes, height, txids) = real_log(root.path()).await;
    let original = std::fs::read(pristine.join("chain.log")).unwrap();
    let final_record_starts = sizes[sizes.len() - 2];
    let offsets = flip_offsets(&sizes);
    assert!(offsets.len() > 150, "{} offsets", offsets.len());
    for (n, &offset) in offsets.iter().enumerate() {
        let dir = root.path().join(format!("flip-{n}"));
        let mut bytes = original.clone();
        bytes[offset] ^= 0x20;
        write_state(&dir, &bytes);
        let mut config = DevnetConfig::new(genesis(false));
        config.state_dir = Some(dir.clone());
        match spawn(config).await {
            Err(e) => {
                let message = e.to_string();
                assert_eq!(
                    std::fs::read(dir.join("chain.log")).unwrap(),
                    bytes,
                    "offset {offset}: a refused log was changed on disk ({message})"
                );
                assert!(
                    message.contains("chain.log"),
                    "offset {offset}: the error names the file: {message}"
                );
                if offset >= 24 {
                    assert!(
                        message.contains("at byte "),
                        "offset {offset}: the error names a byte offset: {message}"
                    );
                    assert!(
                        message.contains("ehr devnet repair")
                            || message.contains("ehr devnet reset"),
                        "offset {offset}: the error says what to do: {message}"
                    );
                }
            }
            Ok(node) => {
                // Started: only a damaged final record may be gone, nothing before it.
                let rpc = Rpc::new(&node);
                let now = rpc.height().await;
                let known = {
                    let mut known = 0;
                    for txid in &txids {
                        let (status, _) = rpc.get(&format!("/extended/v1/tx/0x{txid}")).await;
                        known += usize::from(status == 200);
                    }
                    known
                };
                node.shutdown().await;
                let lost_only_final = offset >= final_record_starts && known >= txids.len() - 1;
                assert!(
                    (now == height && known == txids.len()) || lost_only_final,
                    "offset {offset}: started at height {now} (was {height}) knowing {known} of {} transactions: silent loss",
                    txids.len()
                );
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_incomplete_final_record_is_cut_as_a_torn_write() {
    let root = tempfile::tempdir().unwrap();
    let (pristine, sizes, height, txids) = real_log(root.path()).await;
    let original = std::fs::read(pristine.join("chain.log")).unwrap();
    let final_record_starts = sizes[sizes.len() - 2];
    // Cut anywhere inside the final record (the pending transaction's Accept).
    for (n, cut) in (final_record_starts + 1..original.len())
        .step_by(97)
        .enumerate()
    {
        let dir = root.path().join(format!("torn-{n}"));
        write_state(&dir, &original[..cut]);
        let mut config = DevnetConfig::new(genesis(false));
        config.state_dir = Some(dir.clone());
        let node = spawn(config).await.expect("a torn final record is cut");
        let rpc = Rpc::new(&node);
        assert_eq!(rpc.height().await, height, "cut at {cut}");
        for txid in &txids[..txids.len() - 1] {
            rpc.mined(txid).await;
        }
        node.shutdown().await;
        assert_eq!(
            std::fs::read(dir.join("chain.log")).unwrap(),
            original[..final_record_starts],
            "cut at {cut}: the log ends at the last whole record"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repair_keeps_the_valid_prefix_on_request_with_a_backup() {
    let root = tempfile::tempdir().unwrap();
    let (pristine, sizes, _, txids) = real_log(root.path()).await;
    let original = std::fs::read(pristine.join("chain.log")).unwrap();
    // Damage the third step (the first call's records): keep genesis and the deploy.
    let dir = root.path().join("damaged");
    let mut bytes = original.clone();
    let damaged_at = sizes[1] + 20;
    bytes[damaged_at] ^= 0x01;
    write_state(&dir, &bytes);

    let repaired = repair_state_dir(&dir).expect("repairs");
    assert!(repaired.kept_records >= 3, "{repaired:?}");
    assert_eq!(repaired.kept_bytes, sizes[1] as u64, "{repaired:?}");
    assert_eq!(
        repaired.dropped_bytes,
        (bytes.len() - sizes[1]) as u64,
        "{repaired:?}"
    );
    assert!(repaired.dropped_records >= 1, "{repaired:?}");
    assert_eq!(
        std::fs::read(repaired.backup.as_ref().unwrap()).unwrap(),
        bytes
    );
    assert_eq!(
        std::fs::read(dir.join("chain.log")).unwrap(),
        original[..sizes[1]]
    );

    let mut config = DevnetConfig::new(genesis(false));
    config.state_dir = Some(dir.clone());
    let node = spawn(config).await.expect("the repaired log starts");
    let rpc = Rpc::new(&node);
    rpc.mined(&txids[0]).await;
    let (status, _) = rpc.get(&format!("/extended/v1/tx/0x{}", txids[1])).await;
    assert_eq!(status, 404, "the dropped records are gone");
    node.shutdown().await;

    // A damaged genesis leaves nothing to keep: repair refuses and changes nothing.
    let dir = root.path().join("genesis");
    let mut bytes = original.clone();
    bytes[40] ^= 0x01;
    write_state(&dir, &bytes);
    let refused = repair_state_dir(&dir).expect_err("nothing to keep");
    assert!(refused.to_string().contains("reset"), "{refused}");
    assert_eq!(std::fs::read(dir.join("chain.log")).unwrap(), bytes);
}
