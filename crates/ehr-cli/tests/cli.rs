//! The `ehr` binary as a user runs it: the walkthrough, offline tools, help and errors.

use std::process::Command;

fn ehr(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ehr"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn demo_walks_through_grant_read_revoke_refuse_and_audit() {
    let out = ehr(&["demo"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "The patient grants the doctor read access",
        "\"resourceType\":\"Observation\"",
        "The doctor is refused",
        "(err u310)",
        "hash chain verified",
        "Done: granted, read, revoked, refused, audited.",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

#[test]
fn demo_json_lists_the_steps_and_the_verified_audit_trail() {
    let out = ehr(&["demo", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["steps"].as_array().unwrap().len(), 12);
    let audit = v["audit"].as_array().unwrap();
    assert!(audit.iter().any(|e| e["action"] == "revoke-access"));
}

#[test]
fn address_derives_devnet_accounts_and_refuses_bad_input() {
    let m = "twice kind fence tip hidden tilt action fragile skin nothing glory cousin green tomorrow spring wrist shed math olympic multiply hip blue scout claw";
    let out = ehr(&["address", m, "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["testnet"], "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM");
    let key = ehr(&[
        "address",
        "753b7cc01a1a2e86221266a154af739463fce51219d97e4f856cd7200c3bd2a601",
    ]);
    assert!(
        String::from_utf8_lossy(&key.stdout).contains("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM")
    );
    let bad = ehr(&["address", "not hex"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("invalid mnemonic"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let usage = ehr(&["no-such-command"]);
    assert_eq!(usage.status.code(), Some(2));
}

/// The subcommands listed in a `--help` page's "Commands:" section (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_command_has_help_with_an_example() {
    let top = String::from_utf8(ehr(&["--help"]).stdout).unwrap();
    let mut queue: Vec<Vec<String>> = subcommands(&top).into_iter().map(|c| vec![c]).collect();
    assert!(queue.len() >= 12, "{top}");
    let mut checked = 0;
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = ehr(&args);
        assert!(out.status.success(), "{path:?}");
        let help = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            help.contains("Example: ehr"),
            "`ehr {}` --help has no example",
            path.join(" ")
        );
        for sub in subcommands(&help) {
            let mut next = path.clone();
            next.push(sub);
            queue.push(next);
        }
        checked += 1;
    }
    assert!(checked > 50, "only {checked} help pages");
}

#[test]
fn tx_mktx_then_decode_round_trips_and_tampering_is_caught() {
    let out = ehr(&[
        "tx",
        "mktx",
        "--account",
        "wallet_1",
        "--nonce",
        "3",
        "--fee",
        "400",
        "call",
        "--contract",
        "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.permission-manager",
        "--function",
        "revoke-access",
        "--arg",
        "u1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hex = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let decoded = ehr(&["tx", "decode", &hex]);
    assert!(decoded.status.success());
    let v: serde_json::Value = serde_json::from_slice(&decoded.stdout).unwrap();
    assert_eq!(v["origin"], "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5");
    assert_eq!(v["nonce"], 3);
    assert_eq!(v["payload"]["function"], "revoke-access");
    assert_eq!(v["payload"]["args"][0], "u1");
    assert_eq!(v["signature_verifies"], true);
    // Change the fee byte: the signature no longer verifies (exit 3).
    let mut bytes = hex::decode(&hex).unwrap();
    bytes[36] ^= 1;
    let tampered = ehr(&["tx", "decode", &hex::encode(bytes)]);
    assert_eq!(tampered.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&tampered.stdout).unwrap();
    assert_eq!(v["signature_verifies"], false);
    // Not a transaction at all: exit 1 with a reason.
    let junk = ehr(&["tx", "decode", "0011"]);
    assert_eq!(junk.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&junk.stderr).contains("truncated"));
    let unknown = ehr(&[
        "tx",
        "mktx",
        "--account",
        "nobody",
        "--nonce",
        "0",
        "--fee",
        "1",
        "transfer",
        "--to",
        "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG",
        "--amount",
        "1",
    ]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown account `nobody`"));
}

/// Keys are kept as ssh keeps them: the keystore directory is 0700, key files 0600, and a
/// key file others can read is refused (naming the file and the fix), from the keystore
/// and from --key-file alike.
#[cfg(unix)]
#[test]
fn key_files_readable_by_others_are_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join("keys");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ehr"))
            .args(args)
            .env("EHR_HOME", home.path())
            .env_remove("EHR_SECRET_KEY")
            .output()
            .unwrap()
    };
    let made = run(&["--network", "testnet", "account", "new", "clinic"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&keys), 0o700, "keystore directory");
    let file = keys.join("clinic.key");
    assert_eq!(mode(&file), 0o600, "key file");

    let sign = |how: &[&str]| {
        let mut args = vec!["--network", "testnet"];
        args.extend_from_slice(how);
        args.extend_from_slice(&[
            "tx",
            "mktx",
            "--nonce",
            "0",
            "--fee",
            "1",
            "call",
            "--contract",
            "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.permission-manager",
            "--function",
            "revoke-access",
            "--arg",
            "u1",
        ]);
        run(&args)
    };
    let file_arg = file.to_str().unwrap().to_string();
    assert!(sign(&["--account", "clinic"]).status.success());
    assert!(sign(&["--key-file", &file_arg]).status.success());
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    for how in [
        vec!["--account", "clinic"],
        vec!["--key-file", file_arg.as_str()],
    ] {
        let out = sign(&how);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{how:?}: a 0644 key file was used");
        assert!(
            err.contains(&file_arg) && err.contains("chmod 600"),
            "{how:?}: {err}"
        );
    }
}

#[test]
fn smart_apps_are_registered_listed_refused_when_wrong_and_removed() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ehr"))
            .args(args)
            .env("EHR_HOME", home.path())
            .output()
            .unwrap()
    };
    let ok = |out: &std::process::Output| {
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let added = ok(&run(&[
        "smart",
        "add-app",
        "growth-chart",
        "--name",
        "Growth chart",
        "--redirect-uri",
        "https://chart.example/callback",
    ]));
    assert!(added.contains("registered app `growth-chart`"), "{added}");
    // Refused, each with the reason: a duplicate, plain http elsewhere than this machine,
    // no redirect URI, a key set that is not one, an account without keys.
    let jwks = home.path().join("bad.json");
    std::fs::write(
        &jwks,
        r#"{"keys":[{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}]}"#,
    )
    .unwrap();
    for (args, why) in [
        (
            vec![
                "growth-chart",
                "--name",
                "Again",
                "--redirect-uri",
                "https://a.example/cb",
            ],
            "registered already",
        ),
        (
            vec![
                "plain",
                "--name",
                "Plain",
                "--redirect-uri",
                "http://a.example/cb",
            ],
            "plain http",
        ),
        (vec!["nothing", "--name", "Nothing"], "redirect URI"),
        (
            vec![
                "badkeys",
                "--name",
                "Bad",
                "--jwks",
                jwks.to_str().unwrap(),
                "--account",
                "wallet_2",
            ],
            "cannot verify",
        ),
    ] {
        let mut all = vec!["smart", "add-app"];
        all.extend(args.iter().copied());
        let out = run(&all);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(why), "{args:?}: {err}");
    }
    let listed = ok(&run(&["--json", "smart", "list-apps"]));
    let apps: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(apps[0]["client_id"], "growth-chart");
    assert_eq!(
        apps[0]["redirect_uris"][0],
        "https://chart.example/callback"
    );
    ok(&run(&["smart", "remove-app", "growth-chart"]));
    assert!(ok(&run(&["smart", "list-apps"])).contains("no app is registered"));
    assert!(!run(&["smart", "remove-app", "growth-chart"])
        .status
        .success());
}

/// `ehr index status` names the heights an index database never received (exit 6), in
/// words and in JSON; a missing file is an error, not an empty index.
#[test]
fn index_status_names_the_missing_heights() {
    use ehr_index::store::BlockSeen;
    let dir = std::env::temp_dir().join(format!("ehr-index-status-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("index.sqlite");
    {
        let store = ehr_index::Store::open(&db).unwrap();
        let hash = |n: u64| format!("0x{n:064x}");
        for (height, parent) in [(1, 0), (2, 1), (5, 4)] {
            let block = BlockSeen {
                block_height: height,
                index_block_hash: hash(height),
                parent_index_block_hash: hash(parent),
                burn_block_time: None,
            };
            store.block(&block, &[], &[]).unwrap();
        }
    }
    let db_arg = db.display().to_string();
    let out = ehr(&["index", "status", "--db", &db_arg]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(6), "{text}");
    assert!(text.contains("tip: block 5"), "{text}");
    assert!(text.contains("MISSING: heights 3..=4"), "{text}");
    let json = ehr(&["--json", "index", "status", "--database", &db_arg]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["missing_blocks"][0]["from_height"], 3, "{v}");
    assert_eq!(v["missing_blocks"][0]["to_height"], 4, "{v}");
    let absent = dir.join("absent.sqlite").display().to_string();
    let none = ehr(&["index", "status", "--db", &absent]);
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stderr).contains("does not exist"));
    std::fs::remove_dir_all(&dir).unwrap();
}
