//! The `ehr` binary stands alone, as after `cargo install --path crates/ehr-cli`: run from
//! an empty folder, with HOME and EHR_HOME in that folder and no repository around, it
//! starts a devnet (the Devnet.toml and the contracts are compiled in), deploys the
//! contracts and registers a patient with a devnet account, then stops on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};

/// wallet_1 of the devnet accounts.
const WALLET_1: &str = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";

/// An empty working folder with a home of its own.
struct Folder {
    dir: tempfile::TempDir,
}

impl Folder {
    fn new() -> Folder {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("home")).unwrap();
        Folder { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `ehr ARGS` run in the folder, with HOME and EHR_HOME inside it and none of the
    /// user's EHR settings.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ehr"));
        cmd.args(args)
            .current_dir(self.path())
            .env("HOME", self.path().join("home"))
            .env("EHR_HOME", self.path().join("home/.ehr"));
        for var in [
            "EHR_NODE",
            "EHR_NETWORK",
            "EHR_ACCOUNT",
            "EHR_SPONSOR",
            "EHR_DEPLOYER",
            "EHR_SECRET_KEY",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    /// Runs `ehr --json --node URL ARGS`, expects success, returns its JSON.
    fn json(&self, node: &str, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json", "--node", node];
        all.extend_from_slice(args);
        let out = self.command(&all).output().unwrap();
        assert!(out.status.success(), "ehr {all:?}: {}", describe(&out));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("ehr {all:?}: not JSON ({e}): {}", describe(&out)))
    }

    /// Starts `ehr --json devnet start --port 0 EXTRA` and waits for its ready line.
    fn start_devnet(&self, extra: &[&str]) -> Devnet {
        let mut args = vec!["--json", "devnet", "start", "--port", "0"];
        args.extend_from_slice(extra);
        let mut child = self
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        if line.is_empty() {
            let out = child.wait_with_output().unwrap();
            panic!(
                "ehr devnet start exited before it was ready: {}",
                describe(&out)
            );
        }
        let ready: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("ready line {line:?} is not JSON: {e}"));
        Devnet {
            url: ready["url"]
                .as_str()
                .expect("the ready line has the url")
                .to_string(),
            child,
            _stdout: stdout,
        }
    }

    /// What the folder holds besides the home directory.
    fn left_behind(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap() != "home")
            .collect()
    }
}

/// A running `ehr devnet start`, killed if the test fails before it stops it.
struct Devnet {
    url: String,
    child: Child,
    _stdout: BufReader<ChildStdout>,
}

impl Devnet {
    /// Ctrl-C, then the exit status and stderr.
    fn stop(mut self) -> Output {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) on our own child's pid; it has not been reaped yet.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
        let status = self.child.wait().unwrap();
        let mut stderr = Vec::new();
        std::io::Read::read_to_end(self.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
        Output {
            status,
            stdout: Vec::new(),
            stderr,
        }
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn register_wallet_1(folder: &Folder, node: &str) {
    let registered = folder.json(
        node,
        &[
            "patient",
            "register",
            "--account",
            "wallet_1",
            "--id",
            "+256700000001",
        ],
    );
    assert_eq!(registered["patient"], WALLET_1, "{registered}");
    assert_eq!(
        registered["salt"].as_str().unwrap().len(),
        64,
        "{registered}"
    );
    let shown = folder.json(node, &["patient", "show", WALLET_1]);
    assert_eq!(
        shown["registration"]["id_hash"], registered["id_hash"],
        "{shown}"
    );
}

fn stop(devnet: Devnet) {
    let out = devnet.stop();
    assert!(
        out.status.success(),
        "the devnet did not stop cleanly: {}",
        describe(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("stopping the devnet"),
        "{}",
        describe(&out)
    );
}

/// An empty devnet, `ehr deploy` publishing the nine contracts from the compiled-in plan,
/// a patient registering: nothing read from or written to the working folder.
#[test]
fn devnet_deploy_and_register_from_an_empty_folder() {
    let folder = Folder::new();
    let devnet = folder.start_devnet(&["--no-contracts"]);

    let deployed = folder.json(&devnet.url, &["deploy", "--account", "deployer"]);
    let steps = deployed["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 9, "{deployed}");
    assert!(
        steps.iter().all(|s| s["status"] == "deployed"),
        "{deployed}"
    );

    register_wallet_1(&folder, &devnet.url);
    stop(devnet);
    assert_eq!(folder.left_behind(), Vec::<PathBuf>::new());
}

/// The default devnet deploys the compiled-in contracts at genesis: the same sources
/// `ehr deploy` would publish, so it finds them all there and sends nothing.
#[test]
fn the_default_devnet_has_the_built_in_contracts() {
    let folder = Folder::new();
    let devnet = folder.start_devnet(&[]);

    let deployed = folder.json(&devnet.url, &["deploy", "--account", "deployer"]);
    let steps = deployed["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 9, "{deployed}");
    assert!(steps.iter().all(|s| s["status"] == "skipped"), "{deployed}");

    register_wallet_1(&folder, &devnet.url);
    stop(devnet);
    assert_eq!(folder.left_behind(), Vec::<PathBuf>::new());
}

/// A settings file is read only when given; a missing one is named in the error.
#[test]
fn a_missing_config_file_is_named() {
    let folder = Folder::new();
    let out = folder
        .command(&[
            "devnet",
            "start",
            "--port",
            "0",
            "--config",
            "nowhere/Devnet.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nowhere/Devnet.toml"), "{stderr}");
    assert!(stderr.contains("--config"), "{stderr}");
}
