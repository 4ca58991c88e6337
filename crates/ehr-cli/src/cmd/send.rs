//! Sending a contract call from a command: sign as the chosen account (with the sponsor,
//! if any), broadcast, wait for the block, and say so on the way.

use anyhow::Context as _;
use clarity::vm::Value;
use ehr_sdk::ehr::{ClientError, ContractCall, EhrClient, Mined, SendOptions, Sent};
use ehr_sdk::literal::to_literal;

use crate::context::{Context, Signer};
use crate::journal::Journal;

/// The send options the global flags ask for (`--sponsor`).
pub fn options(ctx: &Context) -> anyhow::Result<SendOptions> {
    Ok(SendOptions {
        sponsor: ctx.sponsor()?.map(|s| s.key),
        ..SendOptions::default()
    })
}

/// Sends `call` signed by `signer` and waits until it is mined; progress on stderr
/// unless `--json`.
///
/// The transaction is kept under `$EHR_HOME/pending/` while it is waited for: the same
/// command run again after an interruption (a timeout, Ctrl-C, a node restart) follows
/// that transaction instead of sending a second one (a second grant, a second request),
/// and sends again only if it was dropped unmined.
pub fn execute(
    ctx: &Context,
    client: &EhrClient,
    signer: &Signer,
    call: &ContractCall,
) -> anyhow::Result<Mined> {
    let options = options(ctx)?;
    let function = call.spec().qualified_name();
    let quiet = ctx.args.json;
    // "The same command": what it was asked on the command line (arguments computed
    // from the chain, such as an expiry height, change between runs), for this signer
    // and network, less the flags that only change how it reports or waits.
    let mut identity = vec![
        ctx.network().to_string(),
        signer.address.to_string(),
        function.clone(),
    ];
    identity.extend(command_line());
    let journal = Journal::new(
        "tx",
        &identity.iter().map(String::as_bytes).collect::<Vec<_>>(),
    )?;
    let mined = ctx.block_on(async {
        if let Some(sent) = journal.load::<Sent>()? {
            if !quiet {
                eprintln!(
                    "  following 0x{}, sent by an interrupted run of this command (progress in {})",
                    sent.txid,
                    journal.path().display()
                );
            }
            match client.wait(&sent).await {
                Err(ClientError::Dropped { .. }) => {}
                settled => return settled.map_err(anyhow::Error::from),
            }
        }
        let sent = client.send(&signer.key, call, &options).await?;
        journal.save(&sent)?;
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
    });
    // Settled either way (mined, refused, dropped, or in a block with its result
    // unknown): nothing to follow on a rerun. Kept only when the wait itself failed.
    let settled = match &mined {
        Ok(_) => true,
        Err(e) => matches!(
            client_error(e),
            Some(
                ClientError::Refused { .. }
                    | ClientError::Aborted { .. }
                    | ClientError::Dropped { .. }
                    | ClientError::ResultUnknown { .. }
            )
        ),
    };
    if settled {
        journal.remove()?;
    }
    mined.with_context(|| {
        if settled {
            format!("{function} as {}", signer.label)
        } else {
            format!(
                "{function} as {}; run the same command again to follow the transaction it sent (kept in {})",
                signer.label,
                journal.path().display()
            )
        }
    })
}

/// Prints a secret the user must keep (a registration salt) on standard error before the
/// transaction that depends on it is sent, so that an interrupted or failed wait cannot
/// lose it. Printed in `--json` mode too: the JSON document comes only at the end.
pub fn keep(label: &str, value: &str, why: &str) {
    eprintln!("  {label} {value} (keep it: {why})");
}

/// The client error behind `error`, if one is in its chain.
pub fn client_error(error: &anyhow::Error) -> Option<&ClientError> {
    error.chain().find_map(|c| c.downcast_ref::<ClientError>())
}

/// The command line's arguments, without the flags that change only how a command
/// reports or how long it waits.
fn command_line() -> Vec<String> {
    const PRESENTATION: [&str; 6] = ["--json", "--yes", "-y", "--verbose", "-v", "--wait"];
    let mut out = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let name = arg.split('=').next().unwrap_or_default();
        if !PRESENTATION.contains(&name) {
            out.push(arg);
        } else if arg == "--wait" {
            args.next();
        }
    }
    out
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
