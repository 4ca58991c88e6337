//! Zero-knowledge claims: `ehr claims commit` (the record's author commits the record's
//! numeric fields, signs the set and anchors its digest on chain), `ehr prove` (a holder
//! of the record proves a predicate about one field without revealing it) and
//! `ehr verify-proof` (anyone checks a proof against the chain; exit 6 when it fails).
//! The rules live in `ehr_sdk::claims`; this module only presents them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use ehr_sdk::claims::{self, Claim, ClaimProof, ClaimsError, Predicate, SignedSet};
use ehr_sdk::ehr::calls;

use super::record::StoreArgs;
use super::send::{execute, options, report};
use crate::context::{Context, VerifyFailed};
use crate::output;

/// Arguments of `ehr claims`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ClaimsCommand,
}

#[derive(clap::Subcommand)]
enum ClaimsCommand {
    /// As the record's author: commit every date and quantity of a FHIR record (Pedersen
    /// commitments), sign the set, anchor its digest on chain with set-claims-anchor, and
    /// write the signed set (no secret in it) for the patient, who proves with it.
    ///
    /// The author needs a key envelope for the record (the patient writing its own
    /// record has one). Running it again after an interruption writes the same set and
    /// follows the same transaction.
    ///
    /// Example: ehr claims commit --account wallet_1 --record 1 --out claims-1.json
    Commit {
        /// The record id (its latest version).
        #[arg(long)]
        record: u64,
        /// Where to write the signed set (default: claims-ID.json).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Arguments of `ehr prove`.
#[derive(clap::Args)]
pub struct ProveArgs {
    /// The record id.
    #[arg(long)]
    record: u64,
    /// The field, e.g. `valueQuantity.value`, `birthDate`,
    /// `component[8480-6].valueQuantity.value`, `occurrenceDateTime`.
    #[arg(long)]
    field: String,
    /// Claim: the value is below X (a date YYYY-MM-DD for date fields).
    #[arg(long, value_name = "X", group = "claim")]
    lt: Option<String>,
    /// Claim: the value is at least X.
    #[arg(long, value_name = "X", group = "claim")]
    ge: Option<String>,
    /// Claim: A <= value <= B.
    #[arg(long, num_args = 2, value_names = ["A", "B"], group = "claim")]
    between: Option<Vec<String>>,
    /// Claim: the date is within the last N days (up to today, UTC).
    #[arg(long, value_name = "N", group = "claim")]
    within_days: Option<u32>,
    /// The signed set the author wrote with `ehr claims commit` (default: claims-ID.json).
    #[arg(long)]
    claims: Option<PathBuf>,
    /// Where to write the proof.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

/// Arguments of `ehr verify-proof`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The proof: a file written by `ehr prove` (or downloaded from the dashboard), a
    /// compact proof (`ehrp1.…`), or the verifier link a proof's QR code holds.
    proof: String,
}

fn default_set_path(id: u64) -> PathBuf {
    PathBuf::from(format!("claims-{id}.json"))
}

/// Runs `ehr claims`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        ClaimsCommand::Commit { record, out, store } => {
            let client = ctx.client()?;
            let signer = ctx.signer()?;
            let store = store.store()?;
            let (set, skipped) = ctx.block_on(claims::commit_record(
                &client,
                &signer.key,
                *record,
                Some(&store),
                &options(ctx)?,
            ))?;
            let out = out.clone().unwrap_or_else(|| default_set_path(*record));
            // Written before the anchor is sent: the set is deterministic, so a rerun
            // writes the same file and follows the same transaction.
            let text = serde_json::to_string_pretty(&set)?;
            std::fs::write(&out, text + "\n")
                .with_context(|| format!("writing {}", out.display()))?;
            let digest = set.digest();
            if !ctx.args.json {
                for s in &skipped {
                    eprintln!("  left out {}: {}", s.path, s.why);
                }
            }
            let fields: Vec<&str> = set.entries.iter().map(|e| e.path.as_str()).collect();
            match ctx.block_on(client.get_claims_anchor(*record))? {
                Some(a) if a.anchor == digest => {
                    if ctx.args.json {
                        output::json(&serde_json::json!({
                            "record": record, "anchor": hex::encode(digest),
                            "anchored_at": a.anchored_at, "fields": fields,
                            "set": out.display().to_string(),
                        }))?;
                    } else {
                        println!(
                            "record #{record}'s claims were already anchored in block {}; signed set in {}",
                            a.anchored_at,
                            out.display()
                        );
                    }
                    return Ok(ExitCode::SUCCESS);
                }
                Some(_) => bail!(
                    "record #{record} already has another claims anchor on chain (one per record); \
                     proofs can only be made with the set that was anchored"
                ),
                None => {}
            }
            let mined = execute(
                ctx,
                &client,
                &signer,
                &calls::set_claims_anchor(*record, &digest)?,
            )?;
            report(
                ctx,
                &mined,
                &format!(
                    "committed {} field(s) of record #{record} ({}), anchored {}; signed set in {} (give it to the patient)",
                    fields.len(),
                    fields.join(", "),
                    hex::encode(digest),
                    out.display()
                ),
                serde_json::json!({
                    "record": record, "anchor": hex::encode(digest), "fields": fields,
                    "set": out.display().to_string(),
                }),
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_set(path: &Path) -> anyhow::Result<SignedSet> {
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "reading {} (the signed set the record's author wrote with `ehr claims commit`; give it with --claims)",
            path.display()
        )
    })?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a signed claims set", path.display()))
}

/// The claim the flags word.
fn claim(args: &ProveArgs) -> anyhow::Result<Claim<'_>> {
    Ok(
        match (&args.lt, &args.ge, &args.between, args.within_days) {
            (Some(x), None, None, None) => Claim::Below(x),
            (None, Some(x), None, None) => Claim::AtLeast(x),
            (None, None, Some(ab), None) if ab.len() == 2 => Claim::Between(&ab[0], &ab[1]),
            (None, None, None, Some(days)) => Claim::WithinDays(days),
            _ => bail!("give one claim: --lt X, --ge X, --between A B or --within-days N"),
        },
    )
}

/// Runs `ehr prove`.
pub fn prove(ctx: &Context, args: &ProveArgs) -> anyhow::Result<ExitCode> {
    let set_path = args
        .claims
        .clone()
        .unwrap_or_else(|| default_set_path(args.record));
    let set = read_set(&set_path)?;
    if set.record.id != args.record {
        bail!(
            "{} is the signed set of record #{}, not #{}",
            set_path.display(),
            set.record.id,
            args.record
        );
    }
    let (path, entry) = set.field(&args.field)?;
    let predicate = Predicate::from_claim(claim(args)?, &entry.kind, claims::value::today())?;
    let client = ctx.client()?;
    let signer = ctx.signer()?;
    let store = args.store.store()?;
    let proof = ctx.block_on(claims::prove_record(
        &client,
        &signer.key,
        &set,
        &path,
        predicate,
        Some(&store),
        &options(ctx)?,
    ))?;
    std::fs::write(&args.out, proof.to_json() + "\n")
        .with_context(|| format!("writing {}", args.out.display()))?;
    if ctx.args.json {
        output::json(&serde_json::json!({
            "proof": args.out.display().to_string(), "claim": proof.claim, "leaks": proof.leaks,
        }))?;
    } else {
        println!("proved: {}", proof.claim);
        println!("reveals: {}", proof.leaks);
        println!("proof in {}", args.out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `ehr verify-proof`.
pub fn verify(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let given = args.proof.as_str();
    // Text that is a proof itself; anything else names a file.
    let inline = given.starts_with(claims::COMPACT_PREFIX) || given.contains("proof=");
    let (bytes, name) = if inline {
        (given.as_bytes().to_vec(), "the proof given".to_string())
    } else {
        let file = Path::new(given);
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        (bytes, file.display().to_string())
    };
    let failed = |e: ClaimsError| -> anyhow::Error {
        match e {
            // The chain could not be read: not a verdict on the proof.
            ClaimsError::Client(c) => anyhow::Error::from(c).context("reading the chain"),
            e => VerifyFailed(format!("{name}: {e}")).into(),
        }
    };
    let proof = ClaimProof::parse(&bytes).map_err(failed)?;
    let client = ctx.client()?;
    let verified = ctx
        .block_on(claims::verify_on_chain(
            &client,
            &proof,
            claims::value::today(),
        ))
        .map_err(failed)?;
    if ctx.args.json {
        output::json(&serde_json::json!({
            "verified": true,
            "claim": verified.claim,
            "leaks": verified.leaks,
            "record": verified.record.id,
            "author": verified.record.author.to_string(),
            "author_role": verified.author_role,
            "anchored_at": verified.anchored_at,
        }))?;
    } else {
        output::fields(&[
            ("verified", verified.claim.clone()),
            (
                "author",
                format!("{} ({})", verified.record.author, verified.author_role),
            ),
            ("anchored", format!("block {}", verified.anchored_at)),
            ("reveals", verified.leaks.clone()),
        ]);
    }
    Ok(ExitCode::SUCCESS)
}
