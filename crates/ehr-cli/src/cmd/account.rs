//! `ehr account`: the accounts the CLI can sign with, new keys, imports, balances.

use std::process::ExitCode;

use anyhow::{bail, Context as _};
use ehr_sdk::keys::SecretKey;
use ehr_sdk::network::Network;

use crate::context::{devnet_accounts, Context};
use crate::keystore::Keystore;
use crate::output::{self, Table};

/// Arguments of `ehr account`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: AccountCommand,
}

#[derive(clap::Subcommand)]
enum AccountCommand {
    /// List the accounts: the keystore's, and on devnet the Devnet.toml accounts.
    ///
    /// Example: ehr account list
    List,
    /// Create a key in the keystore (a BIP39 mnemonic, printed once with --show-mnemonic
    /// for a paper backup; the key file is the backup otherwise).
    ///
    /// Example: ehr account new clinic-a
    New {
        /// The account's name.
        name: String,
        /// Print the 24-word mnemonic (write it down; it is not stored).
        #[arg(long)]
        show_mnemonic: bool,
    },
    /// Import a key into the keystore from a mnemonic or hex key read from standard input
    /// (so it is not left in the shell history).
    ///
    /// Example: ehr account import clinic-a < key.txt
    Import {
        /// The account's name.
        name: String,
        /// Account index in m/44'/5757'/0'/0/INDEX (mnemonics only).
        #[arg(long, default_value_t = 0)]
        index: u32,
    },
    /// STX balance and nonce (default: the signing account).
    ///
    /// Example: ehr account balance wallet_1
    Balance {
        /// Address or account name.
        principal: Option<String>,
    },
}

/// Runs `ehr account`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let keystore = Keystore::open(ctx.args.keystore.clone())?;
    match &args.command {
        AccountCommand::List => {
            let mut rows = Vec::new();
            for name in keystore.names()? {
                if let Some(key) = keystore.load(&name)? {
                    rows.push((
                        name,
                        key.address(ctx.network()).to_string(),
                        "keystore".to_string(),
                    ));
                }
            }
            if ctx.network() == Network::Devnet {
                for g in &devnet_accounts()?.accounts {
                    rows.push((
                        g.account.name.clone(),
                        g.account.address.to_string(),
                        "Devnet.toml".to_string(),
                    ));
                }
            }
            if ctx.args.json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|(n, a, s)| serde_json::json!({ "name": n, "address": a, "source": s }))
                    .collect();
                output::json(
                    &serde_json::json!({ "network": ctx.network().to_string(), "keystore": keystore.dir(), "accounts": list }),
                )?;
            } else {
                let mut table = Table::new(vec!["NAME", "ADDRESS", "SOURCE"]);
                for (n, a, s) in rows {
                    table.row(vec![n, a, s]);
                }
                table.print(&format!(
                    "no accounts (create one with `ehr account new NAME`; keystore {})",
                    keystore.dir().display()
                ));
            }
        }
        AccountCommand::New {
            name,
            show_mnemonic,
        } => {
            let mut entropy = [0u8; 32];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut entropy);
            let mnemonic = bip39::Mnemonic::from_entropy(&entropy).context("making a mnemonic")?;
            let phrase = zeroize_string(mnemonic.to_string());
            let key = SecretKey::from_mnemonic(&phrase, 0)?;
            let path = keystore.store(name, &key)?;
            let address = key.address(ctx.network());
            if ctx.args.json {
                output::json(
                    &serde_json::json!({ "name": name, "address": address.to_string(), "key_file": path, "mnemonic": show_mnemonic.then_some(phrase.as_str()) }),
                )?;
            } else {
                println!(
                    "account {name}: {address}\nkey file {} (keep a backup; it is the only copy)",
                    path.display()
                );
                if *show_mnemonic {
                    println!(
                        "mnemonic (write it down, it is not stored): {}",
                        phrase.as_str()
                    );
                }
            }
        }
        AccountCommand::Import { name, index } => {
            let input = std::io::read_to_string(std::io::stdin())
                .context("reading the key from standard input")?;
            let input = input.trim();
            if input.is_empty() {
                bail!("give the mnemonic or hex key on standard input, e.g. `ehr account import {name} < key.txt`");
            }
            let key = if input.split_whitespace().count() > 1 {
                SecretKey::from_mnemonic(input, *index)?
            } else {
                SecretKey::from_hex(input)?
            };
            let path = keystore.store(name, &key)?;
            let address = key.address(ctx.network());
            if ctx.args.json {
                output::json(
                    &serde_json::json!({ "name": name, "address": address.to_string(), "key_file": path }),
                )?;
            } else {
                println!("imported {name}: {address} ({})", path.display());
            }
        }
        AccountCommand::Balance { principal } => {
            let who = match principal {
                Some(p) => ctx.principal(p)?,
                None => ctx.me()?,
            };
            let node = ctx.node()?;
            let account = ctx.block_on(node.account(&who))?;
            if ctx.args.json {
                output::json(
                    &serde_json::json!({ "principal": who.to_string(), "balance": account.balance.to_string(), "locked": account.locked.to_string(), "nonce": account.nonce }),
                )?;
            } else {
                output::fields(&[
                    ("account", who.to_string()),
                    (
                        "balance",
                        format!("{} STX ({} µSTX)", stx(account.balance), account.balance),
                    ),
                    ("nonce", account.nonce.to_string()),
                ]);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn zeroize_string(s: String) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(s)
}

fn stx(micro: u128) -> String {
    format!("{}.{:06}", micro / 1_000_000, micro % 1_000_000)
}
