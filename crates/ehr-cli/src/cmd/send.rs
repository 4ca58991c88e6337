//! Sending a contract call from a command: sign as the chosen account (with the sponsor,
//! if any), broadcast, wait for the block, and say so on the way.

use anyhow::Context as _;
use clarity::vm::Value;
use ehr_sdk::ehr::{ContractCall, EhrClient, Mined, SendOptions};
use ehr_sdk::literal::to_literal;

use crate::context::{Context, Signer};

/// The send options the global flags ask for (`--sponsor`).
pub fn options(ctx: &Context) -> anyhow::Result<SendOptions> {
    Ok(SendOptions {
        sponsor: ctx.sponsor()?.map(|s| s.key),
        ..SendOptions::default()
    })
}

/// Sends `call` signed by `signer` and waits until it is mined; progress on stderr
/// unless `--json`.
pub fn execute(
    ctx: &Context,
    client: &EhrClient,
    signer: &Signer,
    call: &ContractCall,
) -> anyhow::Result<Mined> {
    let options = options(ctx)?;
    let function = call.spec().qualified_name();
    let quiet = ctx.args.json;
    ctx.block_on(async {
        let sent = client.send(&signer.key, call, &options).await?;
        if !quiet {
            eprintln!(
                "  {function} as {} ({}): sent 0x{}{}, waiting for a block...",
                signer.label,
                signer.address,
                sent.txid,
                if sent.sponsored {
                    ", fee sponsored"
                } else {
                    ""
                }
            );
        }
        let mined = client.wait(&sent).await?;
        if !quiet {
            eprintln!("  mined in block {}", mined.block_height);
        }
        Ok::<_, anyhow::Error>(mined)
    })
    .with_context(|| format!("{function} as {}", signer.label))
}

/// Prints a secret the user must keep (a registration salt) on standard error before the
/// transaction that depends on it is sent, so that an interrupted or failed wait cannot
/// lose it. Printed in `--json` mode too: the JSON document comes only at the end.
pub fn keep(label: &str, value: &str, why: &str) {
    eprintln!("  {label} {value} (keep it: {why})");
}

/// The JSON every write command prints: what was called, the transaction and its result.
pub fn mined_json(mined: &Mined) -> serde_json::Value {
    serde_json::json!({
        "txid": format!("0x{}", mined.sent.txid),
        "function": mined.sent.function,
        "nonce": mined.sent.nonce,
        "fee": mined.sent.fee,
        "sponsored": mined.sent.sponsored,
        "block_height": mined.block_height,
        "result": value_text(&mined.value),
    })
}

/// A result value as a Clarity literal.
pub fn value_text(value: &Value) -> String {
    to_literal(value)
}

/// Prints the outcome of a write: `message` for people, [`mined_json`] plus `extra`
/// fields for machines.
pub fn report(
    ctx: &Context,
    mined: &Mined,
    message: &str,
    extra: serde_json::Value,
) -> anyhow::Result<()> {
    if ctx.args.json {
        let mut out = mined_json(mined);
        if let (Some(map), serde_json::Value::Object(more)) = (out.as_object_mut(), extra) {
            map.extend(more);
        }
        crate::output::json(&out)
    } else {
        println!(
            "{message} (tx 0x{}, block {})",
            mined.sent.txid, mined.block_height
        );
        Ok(())
    }
}
