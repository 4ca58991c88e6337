//! `ehr audit`: a patient's audit trail, listed or exported, with its hash chain verified.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use ehr_sdk::ehr::trail::{
    export_trail, indexed_trail, patient_trail, verify_links, Export, ExportFormat, Exported, Trail,
};
use ehr_sdk::node::{AuditFilter, MAX_PAGE};

use crate::context::{Context, VerifyFailed};
use crate::output::{self, Table};

/// Arguments of `ehr audit`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: AuditCommand,
}

/// Export formats.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// The entries as the chain holds them (what `ehr audit verify` reads back).
    Json,
    /// One line per entry, RFC 4180.
    Csv,
    /// A FHIR R4 Bundle of AuditEvent resources.
    Fhir,
}

impl From<Format> for ExportFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Json => ExportFormat::Json,
            Format::Csv => ExportFormat::Csv,
            Format::Fhir => ExportFormat::Fhir,
        }
    }
}

#[derive(clap::Subcommand)]
enum AuditCommand {
    /// List a patient's audit entries (default: the signing account's) with the hash
    /// chain verified. Exit 6 when it does not verify.
    ///
    /// With `--api` naming an `ehr index`, the page comes from the index (filtered and
    /// ordered there, whatever the log's size), each entry's hash recomputed and the newest
    /// matched on chain; without one, from the contracts' per-patient map, every link
    /// checked on chain, filtered here.
    ///
    /// Example: ehr audit list wallet_1 --action log-access --newest-first --limit 20
    List {
        /// The patient (address or account name).
        patient: Option<String>,
        /// Only this action (log-access, grant-access, add-record...).
        #[arg(long)]
        action: Option<String>,
        /// Only entries by this actor (address or account name).
        #[arg(long)]
        actor: Option<String>,
        /// Only entries written at or after this block.
        #[arg(long, value_name = "BLOCK")]
        since_block: Option<u64>,
        /// Newest first.
        #[arg(long)]
        newest_first: bool,
        /// Skip this many entries.
        #[arg(long, default_value_t = 0)]
        offset: u64,
        /// At most this many entries (at most 1,000 through an index).
        #[arg(long, default_value_t = 1000)]
        limit: u64,
    },
    /// Export a patient's audit trail, verified first. Exit 6 (after writing) when the
    /// chain does not verify.
    ///
    /// Example: ehr audit export wallet_1 --format fhir --out audit.json
    Export {
        /// The patient (address or account name).
        patient: Option<String>,
        /// json, csv or fhir.
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The FHIR base the AuditEvents are named under (`fullUrl`), e.g. the `/fhir` URL
        /// of the `ehr serve` that serves them.
        #[arg(long, value_name = "URL", default_value = ehr_sdk::fhir::DEFAULT_EXPORT_BASE)]
        fhir_base: String,
    },
    /// Verify a JSON export offline: every entry's hash, and the links between
    /// consecutive entries; then compare each entry with the chain (unless --offline).
    /// Exit 6 and name the entry when it does not verify.
    ///
    /// Example: ehr audit verify audit.json
    Verify {
        /// A file written by `ehr audit export --format json`.
        file: PathBuf,
        /// Do not compare with the chain.
        #[arg(long)]
        offline: bool,
    },
}

/// Runs `ehr audit`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        AuditCommand::List {
            patient,
            action,
            actor,
            since_block,
            newest_first,
            offset,
            limit,
        } => {
            let client = ctx.client()?;
            let who = match patient {
                Some(p) => ctx.principal(p)?,
                None => ctx.me()?,
            };
            let actor = actor.as_deref().map(|a| ctx.principal(a)).transpose()?;
            let (trail, total, source) = ctx.block_on(async {
                if client.node().ehr_index_status().await?.is_some() {
                    let filter = AuditFilter {
                        patient: Some(who.to_string()),
                        actor: actor.as_ref().map(ToString::to_string),
                        action: action.clone(),
                        since_block: *since_block,
                        until_block: None,
                        sort: newest_first.then(|| "-id".to_string()),
                        limit: Some(u32::try_from(*limit).unwrap_or(u32::MAX).min(MAX_PAGE)),
                        offset: Some(*offset),
                        ..AuditFilter::default()
                    };
                    let (trail, total) = indexed_trail(&client, &filter).await?;
                    return Ok::<_, anyhow::Error>((trail, total, "index"));
                }
                // No index: the per-patient map; only the window is read when nothing is
                // filtered, else the patient's whole trail, filtered and windowed here.
                let filtered =
                    action.is_some() || actor.is_some() || since_block.is_some() || *newest_first;
                if !filtered {
                    let total = client.get_patient_entry_count(&who).await?;
                    let trail = patient_trail(&client, &who, *offset, *limit).await?;
                    return Ok((trail, total, "chain"));
                }
                let mut trail = patient_trail(&client, &who, 0, u64::MAX).await?;
                trail.entries.retain(|e| {
                    action.as_ref().is_none_or(|a| &e.action == a)
                        && actor.as_ref().is_none_or(|a| e.actor == a.to_string())
                        && since_block.is_none_or(|b| e.block >= u128::from(b))
                });
                if *newest_first {
                    trail.entries.reverse();
                }
                let total = trail.entries.len() as u64;
                trail.entries = trail
                    .entries
                    .into_iter()
                    .skip(usize::try_from(*offset).unwrap_or(usize::MAX))
                    .take(usize::try_from(*limit).unwrap_or(usize::MAX))
                    .collect();
                Ok((trail, total, "chain"))
            })?;
            if ctx.args.json {
                output::json(&serde_json::json!({
                    "patient": who.to_string(),
                    "source": source,
                    "checked": if source == "index" { "page" } else { "chain" },
                    "total": total,
                    "entries": trail.entries,
                    "chain_verified": trail.verified.is_ok(),
                    "break": trail.verified.as_ref().err().map(|b| b.to_string()),
                }))?;
            } else {
                let mut table = Table::new(vec!["ENTRY", "BLOCK", "ACTION", "ACTOR", "REF"]);
                for e in &trail.entries {
                    table.row(vec![
                        e.id.to_string(),
                        e.block.to_string(),
                        e.action.clone(),
                        e.actor.clone(),
                        e.reference.to_string(),
                    ]);
                }
                table.print(&format!("no audit entries for {who}"));
                match (source, &trail.verified) {
                    ("index", Ok(())) => println!(
                        "from the index: each entry's hash recomputed, the newest matched on chain \
                         (`ehr index verify` checks the whole index against the chain)"
                    ),
                    _ => println!("{}", badge(&trail)),
                }
            }
            verified(&trail)
        }
        AuditCommand::Export {
            patient,
            format,
            out,
            fhir_base,
        } => {
            let client = ctx.client()?;
            let who = match patient {
                Some(p) => ctx.principal(p)?,
                None => ctx.me()?,
            };
            // `recorded`: each entry's block time (the block height is in each
            // AuditEvent's extension too).
            let Exported {
                text,
                trail,
                estimated,
            } = ctx.block_on(export_trail(&client, &who, (*format).into(), fhir_base))?;
            if estimated > 0 && !ctx.args.json {
                eprintln!(
                    "  the node API tells no block times (a bare node: give `--api` an `ehr index`): {estimated} blocks' entries are stamped with the export's time"
                );
            }
            match out {
                Some(path) => std::fs::write(path, text.as_bytes())
                    .with_context(|| format!("writing {}", path.display()))?,
                None => println!("{}", text.trim_end()),
            }
            if !ctx.args.json || out.is_some() {
                eprintln!(
                    "  {} entries exported; {}",
                    trail.entries.len(),
                    badge(&trail)
                );
            }
            verified(&trail)
        }
        AuditCommand::Verify { file, offline } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            let export: Export = serde_json::from_str(&text).with_context(|| {
                format!(
                    "{} is not an `ehr audit export --format json` file",
                    file.display()
                )
            })?;
            let hashes: std::collections::HashMap<u128, String> = export
                .entries
                .iter()
                .map(|e| (e.id, e.entry_hash.clone()))
                .collect();
            // Offline, a link to an entry outside the export cannot be checked: accept it.
            let offline_result = verify_links(&export.entries, |id| {
                hashes.get(&id).cloned().or_else(|| {
                    export
                        .entries
                        .iter()
                        .find(|e| e.id == id + 1)
                        .map(|e| e.prev_hash.clone())
                })
            });
            if let Err(b) = offline_result {
                return Err(VerifyFailed(format!("{}: {b}", file.display())).into());
            }
            if !offline {
                let client = ctx.client()?;
                for e in &export.entries {
                    let id = u64::try_from(e.id).unwrap_or(u64::MAX);
                    let on_chain = ctx.block_on(client.get_entry(id))?;
                    if on_chain.as_ref() != Some(e) {
                        return Err(VerifyFailed(format!(
                            "{}: entry {} differs from the audit log on chain",
                            file.display(),
                            e.id
                        ))
                        .into());
                    }
                }
            }
            let message = format!(
                "{}: {} entries, hash chain verified{}",
                file.display(),
                export.entries.len(),
                if *offline {
                    " (offline)"
                } else {
                    " and equal to the chain"
                }
            );
            if ctx.args.json {
                output::json(
                    &serde_json::json!({ "file": file, "entries": export.entries.len(), "verified": true, "compared_with_chain": !offline }),
                )?;
            } else {
                println!("{message}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn badge(trail: &Trail) -> String {
    match &trail.verified {
        Ok(()) => "hash chain verified".to_string(),
        Err(b) => format!("HASH CHAIN BROKEN: {b}"),
    }
}

fn verified(trail: &Trail) -> anyhow::Result<ExitCode> {
    match &trail.verified {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(b) => Err(VerifyFailed(format!("the audit trail does not verify: {b}")).into()),
    }
}
