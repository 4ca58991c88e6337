//! The library crates stand alone (usable from another project, packageable for a
//! registry), and what they compile in has one source.
//!
//! - No `include_str!`/`include_bytes!` in a crate reaches outside the crate's directory.
//! - The files the crates own are in what `cargo package` ships.
//! - ehr-sdk owns the contract sources (`crates/ehr-sdk/contracts/`) and the default
//!   `Devnet.toml` (`crates/ehr-sdk/Devnet.toml`); the repository's Clarinet project
//!   (`contracts/contracts/`) and `devnet/Devnet.toml` are copies, byte for byte.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use ehr_sdk::devnet_config::DEFAULT_DEVNET_TOML;
use ehr_sdk::ehr::EHR_CONTRACTS;

/// The crates a project may depend on.
const LIBRARIES: [&str; 4] = ["ehr-sdk", "ehr-http", "ehr-harness", "ehr-web"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The files a crate's sources embed with `include_str!`/`include_bytes!` (literal
/// paths), relative to the crate's directory when inside it, as written otherwise.
fn embedded(krate: &str) -> Vec<(PathBuf, String)> {
    let dir = normalize(&root().join("crates").join(krate));
    let mut files = Vec::new();
    for sub in ["src", "tests", "benches", "examples"] {
        rust_files(&dir.join(sub), &mut files);
    }
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for mac in ["include_str!(\"", "include_bytes!(\""] {
                let Some(at) = line.find(mac) else { continue };
                let rest = &line[at + mac.len()..];
                let target = &rest[..rest.find('"').expect("a closing quote")];
                let resolved = normalize(&file.parent().unwrap().join(target));
                let site = format!("{}:{}: {target}", file.display(), n + 1);
                found.push((resolved, site));
            }
        }
        // A macro split over lines names its path on the next line.
        let lines: Vec<&str> = text.lines().collect();
        for (n, pair) in lines.windows(2).enumerate() {
            let opens = pair[0].trim_end().ends_with("include_str!(")
                || pair[0].trim_end().ends_with("include_bytes!(");
            if opens {
                let target = pair[1].trim().trim_start_matches('"');
                let target = &target[..target.find('"').expect("a quoted path")];
                let resolved = normalize(&file.parent().unwrap().join(target));
                let site = format!("{}:{}: {target}", file.display(), n + 2);
                found.push((resolved, site));
            }
        }
    }
    found
}

#[test]
fn no_crate_embeds_a_file_outside_its_directory() {
    let mut outside = Vec::new();
    let mut count = 0;
    for krate in LIBRARIES {
        let dir = normalize(&root().join("crates").join(krate));
        for (path, site) in embedded(krate) {
            count += 1;
            assert!(path.is_file(), "{site}: no such file");
            if !path.starts_with(&dir) {
                outside.push(site);
            }
        }
    }
    assert!(count >= 11, "the scan found only {count} embedded files");
    assert!(
        outside.is_empty(),
        "these reach outside their crate, which then cannot be used from another project \
         or packaged; move the file into the crate:\n{}",
        outside.join("\n")
    );
}

/// `cargo package --list` of each library crate ships every file its sources embed.
#[test]
fn the_packaged_crates_hold_what_they_embed() {
    for krate in ["ehr-sdk", "ehr-http", "ehr-harness"] {
        let out = Command::new(env!("CARGO"))
            .args([
                "package",
                "--list",
                "--allow-dirty",
                "--offline",
                "-p",
                krate,
            ])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cargo package --list -p {krate}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let listed: BTreeSet<PathBuf> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(PathBuf::from)
            .collect();
        let dir = normalize(&root().join("crates").join(krate));
        for (path, site) in embedded(krate) {
            let relative = path.strip_prefix(&dir).unwrap().to_path_buf();
            assert!(
                listed.contains(&relative),
                "{site}: {} is not in the package of {krate}",
                relative.display()
            );
        }
    }
}

#[test]
fn the_clarinet_project_holds_copies_of_the_compiled_in_contracts() {
    let fix = "crates/ehr-sdk/contracts/ is the source: edit the contract there and copy it \
               with `cp crates/ehr-sdk/contracts/*.clar contracts/contracts/`";
    let owned: BTreeSet<String> = std::fs::read_dir(root().join("crates/ehr-sdk/contracts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let compiled: BTreeSet<String> = EHR_CONTRACTS
        .iter()
        .map(|(name, _)| format!("{name}.clar"))
        .collect();
    assert_eq!(
        owned, compiled,
        "crates/ehr-sdk/contracts/ holds exactly the compiled-in contracts"
    );
    let in_project: BTreeSet<String> = std::fs::read_dir(root().join("contracts/contracts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".clar") && !n.ends_with(".tests.clar"))
        .collect();
    assert_eq!(in_project, compiled, "contracts/contracts/: {fix}");
    for (name, source) in EHR_CONTRACTS {
        let copy = std::fs::read_to_string(root().join(format!("contracts/contracts/{name}.clar")))
            .unwrap();
        assert!(
            copy == source,
            "contracts/contracts/{name}.clar differs; {fix}"
        );
    }
    let manifest =
        ehr_harness::simnet::Manifest::load(&root().join("contracts/Clarinet.toml")).unwrap();
    let listed: BTreeSet<String> = manifest
        .contracts
        .iter()
        .map(|c| format!("{}.clar", c.name))
        .collect();
    assert_eq!(
        listed, compiled,
        "contracts/Clarinet.toml lists the contracts"
    );
}

#[test]
fn devnet_toml_is_a_copy_of_the_compiled_in_one() {
    let copy = std::fs::read_to_string(root().join("devnet/Devnet.toml")).unwrap();
    assert!(
        copy == DEFAULT_DEVNET_TOML,
        "devnet/Devnet.toml differs from crates/ehr-sdk/Devnet.toml, the source: edit that \
         one and copy it with `cp crates/ehr-sdk/Devnet.toml devnet/Devnet.toml`"
    );
}
