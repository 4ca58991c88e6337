//! `ehr address`: mnemonic or key to address.

use std::process::ExitCode;

use anyhow::Context;
use ehr_sdk::keys::SecretKey;
use ehr_sdk::network::Network;

/// Arguments of `ehr address`.
#[derive(clap::Args)]
pub struct Args {
    /// A BIP39 mnemonic (quoted) or a hex secret key: 66 hex digits ending in 01 (compressed
    /// public key, as wallets write keys), or 64 (uncompressed public key, as stacks.js and
    /// stacks-core read them: another address).
    /// Read from standard input when `-`.
    input: String,
    /// Account index in the derivation path m/44'/5757'/0'/0/INDEX (mnemonics only).
    #[arg(long, default_value_t = 0)]
    index: u32,
}

pub fn run(args: &Args, json: bool) -> anyhow::Result<ExitCode> {
    let input = if args.input == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading standard input")?
    } else {
        args.input.clone()
    };
    let key = if input.split_whitespace().count() > 1 {
        SecretKey::from_mnemonic(&input, args.index)?
    } else {
        SecretKey::from_hex(&input)?
    };
    let (testnet, mainnet) = (key.address(Network::Testnet), key.address(Network::Mainnet));
    let public_key = hex::encode(key.public_key().to_bytes());
    let form = if key.is_compressed() {
        "compressed"
    } else {
        "uncompressed"
    };
    if json {
        println!(
            "{}",
            serde_json::json!({ "testnet": testnet.to_string(), "mainnet": mainnet.to_string(), "public_key": public_key, "key": form })
        );
    } else {
        println!(
            "testnet     {testnet}\nmainnet     {mainnet}\npublic key  {public_key}\nkey         {form} (the address hashes the {form} public key)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
