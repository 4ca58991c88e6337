//! `ehr address` and `ehr tx decode` on what @stacks/transactions 7.6 makes (issue 13): the
//! vectors of crates/ehr-sdk/tests/vectors/disagreements.json (committed; no Node needed).

use std::process::Command;

fn ehr(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ehr"))
        .env_remove("EHR_SECRET_KEY")
        .args(args)
        .output()
        .unwrap()
}

fn vectors() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ehr-sdk/tests/vectors/disagreements.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn address_reads_a_key_without_01_as_uncompressed() {
    for key in vectors()["keys"].as_array().unwrap() {
        let out = ehr(&["--json", "address", key["secret_key"].as_str().unwrap()]);
        assert!(out.status.success());
        let v = json(&out);
        assert_eq!(v["testnet"], key["testnet"]);
        assert_eq!(v["mainnet"], key["mainnet"]);
        let form = if key["compressed"] == true {
            "compressed"
        } else {
            "uncompressed"
        };
        assert_eq!(v["key"], form);
    }
}

#[test]
fn decode_says_a_sponsor_request_awaits_its_sponsor() {
    let v = vectors();
    let request = &v["sponsor_request"];
    let out = ehr(&["tx", "decode", request["tx_hex"].as_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "not a bad signature");
    let d = json(&out);
    assert_eq!(d["awaiting_sponsor"], true);
    assert_eq!(d["signature_verifies"], true);
    assert_eq!(d["verified_signers"]["origin"], request["origin"]);
    assert_eq!(d["verified_signers"]["sponsor"], serde_json::Value::Null);
    assert!(d["notes"][0]
        .as_str()
        .unwrap()
        .contains("awaits its sponsor"));
}

#[test]
fn decode_gives_the_nodes_txid_for_a_non_canonical_version_byte() {
    let v = vectors();
    let malleated = &v["malleated_version"];
    let out = ehr(&["tx", "decode", malleated["tx_hex"].as_str().unwrap()]);
    assert!(out.status.success());
    let d = json(&out);
    assert_eq!(d["txid"], malleated["canonical_txid"]);
    assert_eq!(d["canonical"], false);
    assert_eq!(d["signature_verifies"], true);
}

#[test]
fn decode_refuses_clarity_4_naming_the_fix() {
    let v = vectors();
    let deploy = v["deploys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["clarity_version"] == 4)
        .expect("stacks.js's default deploy");
    let out = ehr(&["tx", "decode", deploy["tx_hex"].as_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "Clarity 4",
        "Clarity 1 and 2",
        "clarityVersion: ClarityVersion.Clarity2",
        "clarity_version = 2",
    ] {
        assert!(err.contains(needle), "{err}");
    }
}
