//! The README's first command builds `ehr` (`cargo build -p ehr-cli`); the README's second,
//! `cargo test --workspace`, must reuse that build rather than compile shared dependencies
//! again. Cargo reuses a compiled crate only when its features are the same in both builds,
//! and the test build also resolves the dev-dependencies' features. This test asks Cargo
//! for both feature sets and fails on any crate that differs, naming it: the fix is a line
//! in `crates/workspace-hack/Cargo.toml`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// `name version` -> its enabled features, as `cargo tree` resolves them with `args` (a
/// crate built for both the host and the target is listed under one name: the union).
fn features(args: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(cargo)
        .current_dir(&root)
        .args([
            "tree",
            "--locked",
            "--offline",
            "--prefix",
            "none",
            "-f",
            "{p}|{f}",
        ])
        .args(args)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).expect("utf-8").lines() {
        let Some((package, features)) = line.trim_end_matches(" (*)").split_once('|') else {
            continue;
        };
        // `name vX.Y.Z`, without a member's path or a `(proc-macro)` tag.
        let package = package
            .split(" (")
            .next()
            .unwrap_or(package)
            .trim()
            .to_string();
        let set = map.entry(package).or_default();
        set.extend(
            features
                .split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(String::from),
        );
    }
    map
}

#[test]
fn the_test_build_reuses_every_crate_the_first_command_builds() {
    let first = features(&["-p", "ehr-cli", "-e", "normal,build"]);
    let tests = features(&["--workspace", "-e", "normal,build,dev"]);
    assert!(
        first.len() > 100,
        "cargo tree listed {} crates for ehr-cli",
        first.len()
    );
    let differing: Vec<String> = first
        .iter()
        .filter_map(|(package, f)| {
            let t = tests.get(package)?;
            (t != f).then(|| format!("{package}: `cargo build -p ehr-cli` {f:?}, tests {t:?}"))
        })
        .collect();
    assert!(
        differing.is_empty(),
        "these crates would be compiled twice (add their features to \
         crates/workspace-hack/Cargo.toml):\n{}",
        differing.join("\n")
    );
}
