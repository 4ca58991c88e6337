//! `ehr`: the command-line face of the EHR toolkit.
//!
//! Exit codes: 0 success; 1 an error (the message says what and what to do); 2 bad usage;
//! 3 the walkthrough saw the chain behave other than it must (a security expectation
//! failed).

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Patient-owned health records on Stacks: contracts, chain and clients.
#[derive(Parser)]
#[command(name = "ehr", version, about, long_about = None)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
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
    /// Execution cost of every public function of the EHR contracts, and its share of
    /// the Stacks block limits.
    ///
    /// Example: ehr costs --markdown > docs/costs.md
    Costs(cmd::costs::Args),
    /// Run the local devnet node: the embedded chain behind the stacks-node RPC.
    ///
    /// Example: ehr devnet start --state .devnet
    Devnet(cmd::devnet::Args),
    /// Build and sign transactions offline, or decode and verify raw ones.
    ///
    /// Example: ehr tx decode 80800000000400...
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
    let result = match cli.command {
        Command::Demo => cmd::demo::run(cli.json),
        Command::Costs(args) => cmd::costs::run(&args, cli.json),
        Command::Address(args) => cmd::address::run(&args, cli.json),
        Command::Tx(args) => cmd::tx::run(&args, cli.json),
        Command::Devnet(args) => cmd::devnet::run(&args, cli.json),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
