//! `ehr tx`: build and sign transactions offline, and decode raw ones, in the manner of
//! foundry's `cast mktx` / `cast decode-transaction`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::context::{Context, EXIT_DROPPED, EXIT_REFUSED, EXIT_RESULT_UNKNOWN};
use anyhow::Context as _;
use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier};
use clarity::vm::ClarityVersion;
use ehr_sdk::ehr::ContractError;
use ehr_sdk::literal::{parse_literal, to_literal};
use ehr_sdk::network::Network;
use ehr_sdk::node::{parse_txid, TxOutcome, TxStatus};
use ehr_sdk::tx::{Memo, Payload, PostConditionMode, Transaction, TransactionBuilder, TxError};

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
    /// A sponsored transaction the origin has signed and no sponsor yet is reported as
    /// awaiting its sponsor (exit 0); a signature that does not verify exits 3. The txid is
    /// the node's: that of the canonical bytes, also when the input was not canonical.
    ///
    /// Example: ehr tx decode 808000000004...
    Decode {
        /// The transaction's hex, with or without 0x; `-` reads standard input.
        hex: String,
    },
    /// Where a transaction is: pending, mined (with its result), aborted, dropped.
    ///
    /// Example: ehr tx status 0x5f1e...
    Status {
        /// The txid (with or without 0x).
        txid: String,
    },
    /// Wait until a transaction is mined or dropped; exit 4 if the contract refused it.
    ///
    /// Example: ehr tx wait 0x5f1e... --timeout 600
    Wait {
        /// The txid (with or without 0x).
        txid: String,
        /// Seconds to wait at most (default: the global --wait, else 600).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        timeout: Option<u64>,
    },
}

/// `ehr tx mktx`: the signer and network come from the global flags (`--account`,
/// `--key-file` or EHR_SECRET_KEY; `--network`).
#[derive(clap::Args)]
struct MktxArgs {
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
    ///
    /// Example: ehr tx mktx --account wallet_1 --nonce 0 --fee 300 transfer --to ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG --amount 1000
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
    ///
    /// Example: ehr tx mktx --account wallet_1 --nonce 0 --fee 2000 call --contract ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.notification-system --function mark-read --arg u0
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
    ///
    /// Example: ehr tx mktx --account deployer --nonce 0 --fee 20000 deploy --name hello --file hello.clar
    Deploy {
        /// Contract name.
        #[arg(long)]
        name: String,
        /// Source file.
        #[arg(long)]
        file: PathBuf,
    },
}

/// Runs `ehr tx`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        TxCommand::Mktx(m) => mktx(ctx, m),
        TxCommand::Decode { hex } => decode(hex),
        TxCommand::Status { txid } => status(ctx, txid),
        TxCommand::Wait { txid, timeout } => {
            wait(ctx, txid, timeout.or(ctx.args.wait).unwrap_or(600))
        }
    }
}

fn mktx(ctx: &Context, m: &MktxArgs) -> anyhow::Result<ExitCode> {
    let json = ctx.args.json;
    let key = ctx.signer()?.key;
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
    let tx = TransactionBuilder::new(ctx.network(), payload)
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
    let (verified, awaiting_sponsor, origin, sponsor, error) = match tx.verify(network) {
        Ok(s) => (true, false, Some(s.origin), s.sponsor, None),
        // The origin's signature verified; the sponsor's is still to come.
        Err(TxError::AwaitingSponsor) => (true, true, Some(stacks.origin_address()), None, None),
        Err(e) => (false, false, None, None, Some(e.to_string())),
    };
    let mut notes = Vec::new();
    if awaiting_sponsor {
        notes.push(TxError::AwaitingSponsor.to_string());
    }
    if !tx.is_canonical_input() {
        notes.push(
            "the bytes given are not the canonical encoding (e.g. a version byte with low bits \
             set); a node re-serialises them, and the txid and bytes shown are the node's"
                .to_string(),
        );
    }
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
        "awaiting_sponsor": awaiting_sponsor,
        "verified_signers": origin.map(|origin| serde_json::json!({
            "origin": origin.to_string(),
            "sponsor": sponsor.map(|a| a.to_string()),
        })),
        "verification_error": error,
        "canonical": tx.is_canonical_input(),
        "notes": notes,
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

fn outcome_json(outcome: &TxOutcome) -> serde_json::Value {
    match outcome {
        TxOutcome::Mined {
            result,
            block_height,
        } => serde_json::json!({
            "status": "success", "block_height": block_height, "result": to_literal(result),
        }),
        TxOutcome::Aborted {
            reason,
            result,
            block_height,
            vm_error,
        } => {
            let refusal = ContractError::from_result(result).map(|e| e.to_string());
            serde_json::json!({
                "status": "aborted", "reason": format!("{reason:?}"), "block_height": block_height,
                "result": to_literal(result), "vm_error": vm_error, "contract_error": refusal,
            })
        }
        TxOutcome::Dropped {
            reason,
            replaced_by,
        } => serde_json::json!({
            "status": "dropped", "reason": format!("{reason:?}"), "detail": reason.to_string(),
            "replaced_by": replaced_by.map(|t| format!("0x{t}")),
        }),
        TxOutcome::MinedResultUnknown { tip_height } => serde_json::json!({
            "status": "mined_result_unknown", "tip_height": tip_height,
        }),
    }
}

fn print_outcome(ctx: &Context, txid: &str, value: serde_json::Value) -> anyhow::Result<ExitCode> {
    let code = match value["status"].as_str() {
        Some("aborted") => ExitCode::from(EXIT_REFUSED),
        Some("dropped") => ExitCode::from(EXIT_DROPPED),
        Some("mined_result_unknown") => ExitCode::from(EXIT_RESULT_UNKNOWN),
        _ => ExitCode::SUCCESS,
    };
    if ctx.args.json {
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        match value["status"].as_str() {
            Some("pending") => println!("{txid}: pending (in the mempool)"),
            Some("success") => println!(
                "{txid}: mined in block {}, result {}",
                value["block_height"],
                value["result"].as_str().unwrap_or("")
            ),
            Some("aborted") => println!(
                "{txid}: aborted in block {} ({}), result {}{}",
                value["block_height"],
                value["reason"].as_str().unwrap_or(""),
                value["result"].as_str().unwrap_or(""),
                value["contract_error"]
                    .as_str()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ),
            Some("mined_result_unknown") => println!(
                "{txid}: in a block (at or below height {}), result unknown: this node keeps \
                 no results; give --api a Hiro API or `ehr index` fed by this node",
                value["tip_height"]
            ),
            _ => println!(
                "{txid}: dropped: {}; nothing changed, send it again",
                value["detail"].as_str().unwrap_or("")
            ),
        }
    }
    Ok(code)
}

fn status(ctx: &Context, txid: &str) -> anyhow::Result<ExitCode> {
    let id = parse_txid(txid)?;
    let node = ctx.node()?;
    let value = match ctx.block_on(node.tx_status(&id))? {
        TxStatus::Pending => serde_json::json!({ "status": "pending" }),
        TxStatus::Final(outcome) => outcome_json(&outcome),
    };
    print_outcome(ctx, &format!("0x{id}"), value)
}

fn wait(ctx: &Context, txid: &str, timeout: u64) -> anyhow::Result<ExitCode> {
    let id = parse_txid(txid)?;
    let node = ctx.node()?;
    if !ctx.args.json {
        eprintln!("  waiting up to {timeout}s for 0x{id}...");
    }
    let outcome = ctx.block_on(node.wait_for(
        &id,
        std::time::Duration::from_secs(timeout),
        std::time::Duration::from_millis(if ctx.network() == Network::Devnet {
            100
        } else {
            3000
        }),
    ))?;
    print_outcome(ctx, &format!("0x{id}"), outcome_json(&outcome))
}
