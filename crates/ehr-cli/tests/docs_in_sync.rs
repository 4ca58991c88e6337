//! The docs say what the code does: the README's error table lists exactly the contracts'
//! error constants, and docs/costs.md is what `ehr costs --markdown` prints today.

use std::collections::BTreeSet;
use std::process::Command;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn readme_error_table_matches_the_contracts() {
    let mut in_contracts = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("contracts/contracts")).unwrap() {
        let path = entry.unwrap().path();
        let contract = path.file_stem().unwrap().to_string_lossy().to_string();
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            if let Some(rest) = line.strip_prefix("(define-constant ERR-") {
                let (name, code) = rest
                    .split_once(" (err u")
                    .expect("ERR constants are (err uN)");
                let code = code.trim_end_matches(')');
                in_contracts.insert((format!("u{code}"), contract.clone(), format!("ERR-{name}")));
            }
        }
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let in_readme: BTreeSet<(String, String, String)> = readme
        .lines()
        .filter(|l| l.starts_with("| u"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            assert!(!cells[4].is_empty(), "{l}: give the meaning");
            (
                cells[1].to_string(),
                cells[2].to_string(),
                cells[3].to_string(),
            )
        })
        .collect();
    assert_eq!(in_readme, in_contracts);
    let codes: BTreeSet<&String> = in_contracts.iter().map(|(c, _, _)| c).collect();
    assert_eq!(
        codes.len(),
        in_contracts.len(),
        "error codes are unique across contracts"
    );
}

/// The README's error table is, line for line, what the SDK says about each error.
#[test]
fn readme_error_table_matches_the_sdk() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let documented: Vec<&str> = readme.lines().filter(|l| l.starts_with("| u")).collect();
    let ours: Vec<String> = ehr_sdk::ehr::ContractError::ALL
        .iter()
        .map(|e| {
            format!(
                "| u{} | {} | {} | {} |",
                e.code(),
                e.contract(),
                e.constant(),
                e.message()
            )
        })
        .collect();
    assert_eq!(ours, documented);
}

#[test]
fn docs_costs_is_current() {
    let out = Command::new(env!("CARGO_BIN_EXE_ehr"))
        .args(["costs", "--markdown"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    let doc = std::fs::read_to_string(root().join("docs/costs.md")).unwrap();
    assert!(
        doc.contains(&table),
        "docs/costs.md is stale: regenerate its table with `cargo run -p ehr-cli -- costs --markdown`"
    );
}
