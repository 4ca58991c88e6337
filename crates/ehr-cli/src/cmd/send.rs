//! Sending a contract call from a command: sign as the chosen account (with the sponsor,
//! if any), broadcast, wait for the block, and say so on the way.

use anyhow::Context as _;
use clarity::vm::Value;
use ehr_sdk::ehr::preflight::{self, PreflightError};
use ehr_sdk::ehr::{ClientError, ContractCall, EhrClient, Mined, SendOptions, Signed};
use ehr_sdk::literal::to_literal;
use ehr_sdk::node::NodeError;

use crate::context::{Context, Refused, Signer};
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
/// The signed transaction is kept under `$EHR_HOME/pending/` before it is broadcast and
/// until it is settled: the same command run again after an interruption (a timeout,
/// Ctrl-C, a node restart) follows that transaction, or broadcasts the very same bytes if
/// the node never got them, instead of sending a second one (a second grant, a second
/// request); it signs anew only if the first was dropped unmined.
pub fn execute(
    ctx: &Context,
    client: &EhrClient,
    signer: &Signer,
    call: &ContractCall,
) -> anyhow::Result<Mined> {
    execute_derived(ctx, client, signer, call, &[]).map(|(mined, _)| mined)
}

/// The error that ends a command whose call the contract would refuse, found before
/// signing: exit code 4, as the contract's own refusal; or the node's failure to answer.
pub fn refusal(e: PreflightError) -> anyhow::Error {
    match e {
        PreflightError::Refused(why) => {
            anyhow::Error::new(Refused(format!("{why}; nothing was signed")))
        }
        PreflightError::Client(e) => e.into(),
    }
}

/// An argument a command computes from the chain (an expiry height from `--expires-in`):
/// it differs between runs of the same command, so what the user gave stands for it in
/// the command's identity.
pub struct Derived<'a> {
    /// Its parameter name (`expires-at`).
    pub arg: &'static str,
    /// What the user gave (`--expires-in 144`).
    pub given: &'a str,
}

/// The uint argument `name` among `args` of a call like `call`: what the mined
/// transaction carried, from [`execute_derived`].
pub fn uint_arg(call: &ContractCall, args: &[Value], name: &str) -> anyhow::Result<u64> {
    let index = call
        .spec()
        .args
        .iter()
        .position(|(arg, _)| *arg == name)
        .with_context(|| format!("{} has no argument {name}", call.spec().qualified_name()))?;
    match args.get(index) {
        Some(Value::UInt(n)) => u64::try_from(*n).context("a block height beyond u64"),
        other => anyhow::bail!("the transaction's {name} is {other:?}, not a uint"),
    }
}

/// [`execute`] for a call with arguments derived from the chain; returns the arguments
/// the mined transaction carries (those of the first run when an interrupted run is
/// finished), so that the command reports what is on chain.
pub fn execute_derived(
    ctx: &Context,
    client: &EhrClient,
    signer: &Signer,
    call: &ContractCall,
    derived: &[Derived<'_>],
) -> anyhow::Result<(Mined, Vec<Value>)> {
    let options = options(ctx)?;
    let function = call.spec().qualified_name();
    let quiet = ctx.args.json;
    let journal = Journal::new("tx", &identity(ctx, client, signer, call, derived))?;
    let mut args = call.args().to_vec();
    let outcome = ctx.block_on(async {
        if let Some(saved) = journal.load::<Signed>()? {
            // Said in --json mode too (on stderr): the answer is an earlier run's
            // transaction, and nothing new is sent unless it was dropped.
            eprintln!(
                "  following 0x{}, which an interrupted run of this command signed (kept in {}); \
                 this run sends nothing new unless it was dropped",
                saved.sent.txid,
                journal.path().display()
            );
            args = saved.call_args()?;
            match client.resume(&saved).await {
                Err(ClientError::Dropped { reason, txid, .. }) => {
                    eprintln!("  0x{txid} was dropped: {reason}; sending the command anew");
                    args = call.args().to_vec();
                }
                settled => return settled.map_err(anyhow::Error::from),
            }
        }
        // A call the contract would refuse is not signed: no fee, no nonce (a resumed
        // transaction above is followed whatever the chain says now).
        preflight::call(client, &signer.principal(), call)
            .await
            .map_err(refusal)?;
        let signed = client.sign(&signer.key, call, &options).await?;
        journal.save(&signed)?;
        let sent = client.broadcast(&signed).await?;
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
    let settled = settled(&outcome);
    if settled {
        journal.remove()?;
    }
    let unknown = matches!(
        outcome.as_ref().err().and_then(client_error),
        Some(ClientError::ResultUnknown { .. } | ClientError::NonceSpent { .. })
    );
    let mined = outcome.with_context(|| {
        if unknown {
            format!(
                "{function} as {}; it is no longer kept: running this command again sends a new transaction",
                signer.label
            )
        } else if settled {
            format!("{function} as {}", signer.label)
        } else {
            format!(
                "{function} as {}; the transaction is kept in {}: run the same command again to \
                 finish it (delete that file only to give it up and send anew)",
                signer.label,
                journal.path().display()
            )
        }
    })?;
    Ok((mined, args))
}

/// Whether `outcome` leaves nothing to follow on a rerun: mined (whether or not its
/// result is known: a bare node never tells, and a kept transaction would turn every later
/// run of the same command into a replay of this one), refused, rolled back, dropped, or
/// refused by the node. A wait that ran out or an unreachable node: the transaction stays
/// kept, and a rerun follows it.
fn settled(outcome: &anyhow::Result<Mined>) -> bool {
    let Err(e) = outcome else { return true };
    matches!(
        client_error(e),
        Some(
            ClientError::Refused { .. }
                | ClientError::Aborted { .. }
                | ClientError::Dropped { .. }
                | ClientError::ResultUnknown { .. }
                | ClientError::NonceSpent { .. }
                | ClientError::Node(NodeError::BroadcastRejected { .. })
        )
    )
}

/// What makes two runs "the same command": the network, the signer and the resolved
/// call (the contract's full id, the function, each argument as a Clarity literal), so
/// `wallet_1` and its address are the same patient; arguments derived from the chain
/// are named by what the user gave instead. The flags that change only how a command
/// reports or waits are not part of it.
fn identity(
    ctx: &Context,
    client: &EhrClient,
    signer: &Signer,
    call: &ContractCall,
    derived: &[Derived<'_>],
) -> Vec<Vec<u8>> {
    let mut parts = vec![
        ctx.network().to_string().into_bytes(),
        signer.address.to_string().into_bytes(),
        client
            .deployment()
            .id(call.contract())
            .to_string()
            .into_bytes(),
        call.function().as_bytes().to_vec(),
    ];
    for ((name, _), arg) in call.spec().args.iter().zip(call.args()) {
        parts.push(match derived.iter().find(|d| d.arg == *name) {
            Some(d) => format!("given:{}", d.given).into_bytes(),
            None => to_literal(arg).into_bytes(),
        });
    }
    parts
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
