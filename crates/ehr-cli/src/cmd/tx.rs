//! `ehr tx`: build and sign transactions offline, and decode raw ones, in the manner of
//! foundry's `cast mktx` / `cast decode-transaction`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier};
use clarity::vm::ClarityVersion;
use ehr_sdk::keys::SecretKey;
use ehr_sdk::literal::{parse_literal, to_literal};
use ehr_sdk::network::Network;
use ehr_sdk::tx::{Memo, Payload, PostConditionMode, Transaction, TransactionBuilder};

/// Arguments of `ehr tx`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: TxCommand,
}

#[derive(clap::Subcommand)]
enum TxCommand {
    /// Build and sign a transaction offline; print its hex.
    ///
    /// Example: ehr tx mktx --account wallet_1 --nonce 0 --fee 300 transfer --to ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG --amount 1000
    Mktx(MktxArgs),
    /// Decode a raw transaction (hex, or - for standard input) and verify its signatures.
    ///
    /// Example: ehr tx decode 808000000004...
    Decode {
        /// The transaction's hex, with or without 0x; `-` reads standard input.
        hex: String,
    },
}

#[derive(clap::Args)]
struct MktxArgs {
    /// A devnet account by name (deployer, wallet_1..wallet_8, faucet).
    #[arg(long, conflicts_with = "key_file", required_unless_present_any = ["key_file", "secret_key_env"])]
    account: Option<String>,
    /// A file holding a hex secret key (the key is never printed).
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// Read the secret key from the EHR_SECRET_KEY environment variable.
    #[arg(long = "key-from-env", id = "secret_key_env")]
    key_from_env: bool,
    /// Network: devnet, testnet or mainnet.
    #[arg(long, default_value = "devnet")]
    network: Network,
    /// The sender's nonce.
    #[arg(long)]
    nonce: u64,
    /// The fee in micro-STX (at least one per byte for a node to accept it).
    #[arg(long)]
    fee: u64,
    /// Allow asset movements not covered by post-conditions (default: deny them).
    #[arg(long)]
    allow: bool,
    #[command(subcommand)]
    payload: PayloadArgs,
}

#[derive(clap::Subcommand)]
enum PayloadArgs {
    /// An STX transfer.
    Transfer {
        /// Recipient principal.
        #[arg(long)]
        to: String,
        /// Amount in micro-STX.
        #[arg(long)]
        amount: u64,
        /// Memo, up to 34 bytes.
        #[arg(long, default_value = "")]
        memo: String,
    },
    /// A contract call; arguments are Clarity literals (u1, 'ST..., "text", (some u1)).
    Call {
        /// The contract, ADDRESS.name.
        #[arg(long)]
        contract: String,
        /// The public function.
        #[arg(long)]
        function: String,
        /// An argument, as a Clarity literal; repeat in order.
        #[arg(long = "arg", allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// A Clarity 2 contract deployment.
    Deploy {
        /// Contract name.
        #[arg(long)]
        name: String,
        /// Source file.
        #[arg(long)]
        file: PathBuf,
    },
}

pub fn run(args: &Args, json: bool) -> anyhow::Result<ExitCode> {
    match &args.command {
        TxCommand::Mktx(m) => mktx(m, json),
        TxCommand::Decode { hex } => decode(hex),
    }
}

fn secret_key(m: &MktxArgs) -> anyhow::Result<SecretKey> {
    if let Some(name) = &m.account {
        let config = ehr_harness::ehr::devnet_accounts()?;
        let account = config.account(name).with_context(|| {
            let names: Vec<&str> = config
                .accounts
                .iter()
                .map(|g| g.account.name.as_str())
                .collect();
            format!(
                "unknown account `{name}`: the devnet accounts are {}",
                names.join(", ")
            )
        })?;
        return Ok(account.secret_key.clone());
    }
    if let Some(path) = &m.key_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading key file {}", path.display()))?;
        return SecretKey::from_hex(&text).with_context(|| format!("key file {}", path.display()));
    }
    let text = std::env::var("EHR_SECRET_KEY").context("EHR_SECRET_KEY is not set")?;
    SecretKey::from_hex(&text).context("EHR_SECRET_KEY")
}

fn mktx(m: &MktxArgs, json: bool) -> anyhow::Result<ExitCode> {
    let key = secret_key(m)?;
    let payload = match &m.payload {
        PayloadArgs::Transfer { to, amount, memo } => {
            let recipient = PrincipalData::parse(to)
                .map_err(|_| anyhow::anyhow!("--to: `{to}` is not a Stacks principal"))?;
            Payload::stx_transfer(recipient, *amount, Memo::new(memo)?)
        }
        PayloadArgs::Call {
            contract,
            function,
            args,
        } => {
            let id = QualifiedContractIdentifier::parse(contract).map_err(|_| {
                anyhow::anyhow!("--contract: `{contract}` is not ADDRESS.contract-name")
            })?;
            let values = args
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    parse_literal(a, Some(&id.issuer))
                        .with_context(|| format!("--arg {} `{a}`", i + 1))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            Payload::contract_call(&id, function, values)?
        }
        PayloadArgs::Deploy { name, file } => {
            let code = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            Payload::deploy(name, &code, ClarityVersion::Clarity2)?
        }
    };
    let mode = if m.allow {
        PostConditionMode::Allow
    } else {
        PostConditionMode::Deny
    };
    let tx = TransactionBuilder::new(m.network, payload)
        .nonce(m.nonce)
        .fee(m.fee)
        .post_condition_mode(mode)
        .sign(&key)?;
    if json {
        println!(
            "{}",
            serde_json::json!({ "txid": tx.txid().to_string(), "tx": tx.to_hex(), "bytes": tx.as_bytes().len() })
        );
    } else {
        println!("{}", tx.to_hex());
    }
    Ok(ExitCode::SUCCESS)
}

fn decode(hex_arg: &str) -> anyhow::Result<ExitCode> {
    let text = if hex_arg == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading standard input")?
    } else {
        hex_arg.to_string()
    };
    let tx = Transaction::from_hex(text.trim())?;
    let stacks = tx.as_stacks();
    let network = if stacks.is_mainnet() {
        Network::Mainnet
    } else {
        Network::Testnet
    };
    let (verified, signers, error) = match tx.verify(network) {
        Ok(s) => (true, Some(s), None),
        Err(e) => (false, None, Some(e.to_string())),
    };
    let payload = describe_payload(&stacks.payload);
    let out = serde_json::json!({
        "txid": tx.txid().to_string(),
        "network": network.to_string(),
        "chain_id": stacks.chain_id,
        "bytes": tx.as_bytes().len(),
        "origin": stacks.origin_address().to_string(),
        "sponsor": stacks.sponsor_address().map(|a| a.to_string()),
        "nonce": stacks.auth.get_origin_nonce(),
        "fee": stacks.get_tx_fee(),
        "post_condition_mode": format!("{:?}", stacks.post_condition_mode).to_lowercase(),
        "post_conditions": stacks.post_conditions.len(),
        "payload": payload,
        "signature_verifies": verified,
        "verified_signers": signers.map(|s| serde_json::json!({
            "origin": s.origin.to_string(),
            "sponsor": s.sponsor.map(|a| a.to_string()),
        })),
        "verification_error": error,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

fn describe_payload(payload: &stacks_codec::codec::TransactionPayload) -> serde_json::Value {
    use stacks_codec::codec::TransactionPayload as P;
    match payload {
        P::TokenTransfer(recipient, amount, memo) => serde_json::json!({
            "type": "token_transfer",
            "recipient": recipient.to_string(),
            "amount": amount,
            "memo": hex::encode(memo.as_bytes()),
        }),
        P::ContractCall(call) => serde_json::json!({
            "type": "contract_call",
            "contract": format!("{}.{}", call.address, call.contract_name),
            "function": call.function_name.to_string(),
            "args": call.function_args.iter().map(to_literal).collect::<Vec<_>>(),
        }),
        P::SmartContract(contract, version) => serde_json::json!({
            "type": "smart_contract",
            "name": contract.name.to_string(),
            "clarity_version": version.map(|v| format!("{v}")),
            "code_bytes": contract.code_body.len(),
        }),
        other => serde_json::json!({ "type": other.name() }),
    }
}
