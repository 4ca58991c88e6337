//! `ehr`: the command-line face of the EHR toolkit.
//!
//! Exit codes:
//! - 0 success;
//! - 1 an error (the message says what and what to do);
//! - 2 bad usage (unknown flag, missing argument);
//! - 3 the walkthrough saw the chain behave other than it must (a security expectation
//!   failed), or `ehr tx decode` found a signature that does not verify;
//! - 4 a contract refused the call (its reason is printed);
//! - 5 the node could not be reached or did not answer in time;
//! - 6 a check failed: the audit hash chain is broken, a disclosure proof, claim proof or
//!   content hash does not verify, or a record cannot be decrypted with this key;
//! - 7 done in part: the main step is on chain, a follow-up is not (what finishes it is
//!   printed);
//! - 8 the node dropped a transaction unmined (replaced, evicted): nothing changed;
//! - 9 a transaction is in a block but the node keeps no result for it (a bare
//!   stacks-node without `--api`): whether it succeeded is unknown.

mod cmd;
mod context;
mod journal;
mod keystore;
mod output;
mod partial;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use context::{Context, GlobalArgs};

/// Patient-owned health records on Stacks: contracts, chain and clients.
///
/// Every networked command talks to a Stacks node (`--node`, default the local devnet at
/// 127.0.0.1:20443) and signs with `--account NAME`, `--key-file PATH` or EHR_SECRET_KEY.
/// Start with `ehr devnet start`, then `ehr deploy --account deployer`.
#[derive(Parser)]
#[command(name = "ehr", version, about, long_about)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Walk through the whole grant/revoke story on an in-process chain.
    ///
    /// Deploys the eight contracts, registers a patient and a doctor, has an issuer verify
    /// the doctor, encrypts and stores a FHIR record, grants the doctor access, lets the
    /// doctor decrypt it and log the view, revokes, shows the doctor refused, and verifies
    /// the audit trail's hash chain. Every step prints what it did and what it cost.
    ///
    /// Example: ehr demo
    Demo,
    /// Deploy the EHR contracts to the node, skipping those already there.
    ///
    /// Example: ehr deploy --account deployer
    Deploy(cmd::deploy::Args),
    /// Patients: register, guardians, verification, details.
    ///
    /// Example: ehr patient register --account wallet_1 --id "+256700000001"
    Patient(cmd::patient::Args),
    /// Registry administrators: hand the role over in two steps (propose, accept).
    ///
    /// Example: ehr admin propose --account deployer --registry doctor wallet_8
    Admin(cmd::admin::Args),
    /// Doctors: register, credential issuers, verification, attestations, details.
    ///
    /// Example: ehr doctor register --account wallet_2 --license UG-MD-4411 --specialty cardiology
    Doctor(cmd::doctor::Args),
    /// Records: add (encrypted here), list, show, get (decrypt), amend, share.
    ///
    /// Example: ehr record add --account wallet_1 --file observation.json
    Record(cmd::record::Args),
    /// Access: requests, grants, revocation, checks, emergency access.
    ///
    /// Example: ehr access grant --account wallet_1 --to wallet_2 --scope read --expires-in 1000
    Access(cmd::access::Args),
    /// The audit trail: list it, or export it (JSON, CSV, FHIR AuditEvent), hash chain
    /// verified.
    ///
    /// Example: ehr audit export --account wallet_1 --format fhir > audit.json
    Audit(cmd::audit::Args),
    /// Notifications: list, mark read, watch for new ones.
    ///
    /// Example: ehr notify list --account wallet_1
    Notify(cmd::notify::Args),
    /// Selective disclosure of one field of a record: Merkle proof, checked on chain.
    ///
    /// Example: ehr disclose prove --account wallet_1 --record 1 --field valueQuantity.value
    Disclose(cmd::disclose::Args),
    /// Zero-knowledge claims, the author's side: commit a record's dates and quantities,
    /// sign the set and anchor it on chain.
    ///
    /// Example: ehr claims commit --account wallet_1 --record 1 --out claims-1.json
    Claims(cmd::claims::Args),
    /// Prove a claim about a field of a record without revealing the value (Bulletproofs
    /// range proof over the author's signed commitment).
    ///
    /// Example: ehr prove --account wallet_1 --record 1 --field valueQuantity.value --lt 6.5 --out proof.json
    Prove(cmd::claims::ProveArgs),
    /// Verify a claim proof: the proof, the author's signature, the anchor on chain, the
    /// author's standing, the record not superseded. Exit 6 when it fails.
    ///
    /// Example: ehr verify-proof proof.json
    VerifyProof(cmd::claims::VerifyArgs),
    /// The dashboard for patients and doctors, and a FHIR R4 API, in one local server.
    ///
    /// Prints a URL with a one-time access token; the FHIR API takes the same token as a
    /// bearer token. Acts for the devnet accounts on devnet, or the configured key.
    ///
    /// Example: ehr serve --listen 127.0.0.1:8450
    Serve(cmd::serve::Args),
    /// Blob stores for records kept off chain: publish a folder over HTTP, verify a
    /// patient's blobs in every store, copy the missing ones to a replica.
    ///
    /// Example: ehr store serve --store ~/.ehr/store --listen 0.0.0.0:8451
    Store(cmd::store::Args),
    /// SMART on FHIR: register the apps and backend services that may connect to
    /// `ehr serve` (OAuth 2.0 with PKCE, or client credentials with a signed JWT).
    ///
    /// Example: ehr smart add-app growth-chart --name "Growth chart" --redirect-uri https://chart.example/callback
    Smart(cmd::smart::Args),
    /// Accounts: list, create, import, balances.
    ///
    /// Example: ehr account list
    Account(cmd::account::Args),
    /// Execution cost of every public function of the EHR contracts, and its share of
    /// the Stacks block limits.
    ///
    /// Example: ehr costs --markdown > docs/costs.md
    Costs(cmd::costs::Args),
    /// Run the local devnet node: the embedded chain behind the stacks-node RPC.
    ///
    /// Example: ehr devnet start --state .devnet
    Devnet(cmd::devnet::Args),
    /// Follow a stacks-node through its event observer stream, and serve the Hiro API
    /// routes clients follow transactions with: what a bare node cannot tell.
    ///
    /// Example: ehr index --node http://127.0.0.1:20443 --db index.sqlite
    Index(cmd::index::Args),
    /// Transactions: build and sign offline, decode, follow on a node.
    ///
    /// Example: ehr tx status 0x5f1e...
    Tx(cmd::tx::Args),
    /// Derive an account's address from a mnemonic or secret key.
    ///
    /// Example: ehr address --index 0 "twice kind fence ..."
    Address(cmd::address::Args),
}

fn main() -> ExitCode {
    // Behave like other command-line tools when the reader goes away (`ehr ... | head`):
    // end quietly on SIGPIPE instead of panicking on a failed write.
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let json = cli.global.json;
    let result = Context::new(cli.global).and_then(|ctx| match cli.command {
        Command::Demo => cmd::demo::run(json),
        Command::Deploy(args) => cmd::deploy::run(&ctx, &args),
        Command::Patient(args) => cmd::patient::run(&ctx, &args),
        Command::Doctor(args) => cmd::doctor::run(&ctx, &args),
        Command::Admin(args) => cmd::admin::run(&ctx, &args),
        Command::Record(args) => cmd::record::run(&ctx, &args),
        Command::Access(args) => cmd::access::run(&ctx, &args),
        Command::Audit(args) => cmd::audit::run(&ctx, &args),
        Command::Notify(args) => cmd::notify::run(&ctx, &args),
        Command::Disclose(args) => cmd::disclose::run(&ctx, &args),
        Command::Claims(args) => cmd::claims::run(&ctx, &args),
        Command::Prove(args) => cmd::claims::prove(&ctx, &args),
        Command::VerifyProof(args) => cmd::claims::verify(&ctx, &args),
        Command::Account(args) => cmd::account::run(&ctx, &args),
        Command::Serve(args) => cmd::serve::run(&ctx, &args),
        Command::Store(args) => cmd::store::run(&ctx, &args),
        Command::Smart(args) => cmd::smart::run(&args, json),
        Command::Costs(args) => cmd::costs::run(&args, json),
        Command::Address(args) => cmd::address::run(&args, json),
        Command::Tx(args) => cmd::tx::run(&ctx, &args),
        Command::Devnet(args) => cmd::devnet::run(&args, json),
        Command::Index(args) => cmd::index::run(&ctx, &args),
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            if json {
                let causes: Vec<String> = e.chain().skip(1).map(|c| c.to_string()).collect();
                println!(
                    "{}",
                    serde_json::json!({ "error": e.to_string(), "causes": causes })
                );
            }
            eprintln!("error: {e:#}");
            context::exit_code(&e)
        }
    }
}
