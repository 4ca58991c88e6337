//! `ehr access`: requests, grants, revocation, checks, emergency access.

use std::process::ExitCode;

use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::calls;
use ehr_sdk::ehr::listing::{self, Side};
use ehr_sdk::ehr::revoke::{self, AfterRevoke};
use ehr_sdk::ehr::types::{Request, Scope, Token};
use ehr_sdk::ehr::EhrClient;

use super::expiry::Expiry;
use super::record::{check_on_chain_max, record_error, rotated_words, StoreArgs};
use super::send::{execute, options, report};
use crate::context::{Context, EXIT_VERIFY_FAILED};
use crate::output::{self, Table};

/// Arguments of `ehr access`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: AccessCommand,
}

#[derive(clap::Subcommand)]
enum AccessCommand {
    /// Doctor: ask a patient for access.
    ///
    /// Example: ehr access request --account wallet_2 --patient wallet_1 --scope read --duration 1000 --reason "follow-up"
    Request {
        /// The patient (address or account name).
        #[arg(long)]
        patient: String,
        /// read, write, share, or a mix: read,write.
        #[arg(long, default_value = "read")]
        scope: Scope,
        /// For how many blocks after approval.
        #[arg(long)]
        duration: u64,
        /// Why (up to 128 characters; shown to the patient).
        #[arg(long)]
        reason: String,
    },
    /// Patient or guardian: approve a request (the doctor gets a token).
    ///
    /// Example: ehr access approve --account wallet_1 1
    Approve {
        /// The request id.
        request: u64,
    },
    /// Patient or guardian: deny a request.
    ///
    /// Example: ehr access deny --account wallet_1 1
    Deny {
        /// The request id.
        request: u64,
    },
    /// Patient or guardian: grant a verified doctor access until a block.
    ///
    /// Example: ehr access grant --account wallet_1 --to wallet_2 --scope read --expires-in 1000
    Grant {
        /// The doctor (address or account name).
        #[arg(long)]
        to: String,
        /// read, write, share, or a mix: read,write.
        #[arg(long, default_value = "read")]
        scope: Scope,
        /// Only records of this type (default: all types).
        #[arg(long = "type")]
        record_type: Option<String>,
        #[command(flatten)]
        expiry: Expiry,
        /// Grant as a guardian for this patient.
        #[arg(long = "for", value_name = "PATIENT")]
        for_patient: Option<String>,
    },
    /// Patient or guardian: revoke a grant (burns its token).
    ///
    /// Example: ehr access revoke --account wallet_1 1
    ///
    /// Then, by default, every current record the grantee could open is re-sealed under a
    /// fresh key for the patient and the holders that keep access (`--no-rotate` to skip).
    /// What it cannot undo: the grantee keeps whatever it already read or copied.
    Revoke {
        /// The token id.
        token: u64,
        /// Do not rotate the keys of the records the grantee could open.
        #[arg(long)]
        no_rotate: bool,
        /// Largest sealed record kept on chain when rotating, in bytes.
        #[arg(long, default_value_t = 8192)]
        on_chain_max: usize,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Does a grantee have this access now? Exit 0 if so, 6 if not.
    ///
    /// Example: ehr access check --patient wallet_1 --grantee wallet_2 --scope read
    Check {
        /// The patient.
        #[arg(long)]
        patient: String,
        /// The grantee.
        #[arg(long)]
        grantee: String,
        /// The access asked about.
        #[arg(long, default_value = "read")]
        scope: Scope,
        /// For records of this type.
        #[arg(long = "type")]
        record_type: Option<String>,
    },
    /// List grants (tokens) and requests of a patient, or of a grantee with --grantee.
    ///
    /// Example: ehr access list --account wallet_1
    List {
        /// The patient (default: the signing account).
        #[arg(long, conflicts_with = "grantee")]
        patient: Option<String>,
        /// List what this grantee holds and asked for instead.
        #[arg(long)]
        grantee: Option<String>,
    },
    /// Grantee: log on chain that it used its token on a record (a view, a print...).
    /// `ehr record get` does this for views.
    ///
    /// Example: ehr access log --account wallet_2 --token 1 --record 1 --action view
    Log {
        /// The token the access is under.
        #[arg(long)]
        token: u64,
        /// The record used.
        #[arg(long)]
        record: u64,
        /// What was done: view, download, print, export or share-out.
        #[arg(long, default_value = "view")]
        action: String,
    },
    /// Verified doctor: short read-only emergency access, audited and notified.
    ///
    /// Example: ehr access emergency --account wallet_2 --patient wallet_1 --reason "unconscious on arrival"
    Emergency {
        /// The patient.
        #[arg(long)]
        patient: String,
        /// Why (up to 128 characters).
        #[arg(long)]
        reason: String,
    },
    /// Patient or guardian: opt out of emergency access (or back in with --allow).
    ///
    /// Example: ehr access emergency-optout --account wallet_1
    EmergencyOptout {
        /// Allow emergency access again.
        #[arg(long)]
        allow: bool,
        /// As a guardian for this patient.
        #[arg(long = "for", value_name = "PATIENT")]
        for_patient: Option<String>,
    },
}

/// Runs `ehr access`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let client = ctx.client()?;
    match &args.command {
        AccessCommand::Request {
            patient,
            scope,
            duration,
            reason,
        } => {
            let signer = ctx.signer()?;
            let patient = ctx.principal(patient)?;
            let mined = execute(
                ctx,
                &client,
                &signer,
                &calls::request_access(&patient, *scope, *duration, reason)?,
            )?;
            let id = mined.id()?;
            report(
                ctx,
                &mined,
                &format!("request #{id} sent to {patient}"),
                serde_json::json!({ "request": id }),
            )?;
        }
        AccessCommand::Approve { request } => {
            let signer = ctx.signer()?;
            let mined = execute(ctx, &client, &signer, &calls::approve_request(*request)?)?;
            let token = mined.id()?;
            report(
                ctx,
                &mined,
                &format!("request #{request} approved: token #{token}"),
                serde_json::json!({ "request": request, "token": token }),
            )?;
        }
        AccessCommand::Deny { request } => {
            let signer = ctx.signer()?;
            let mined = execute(ctx, &client, &signer, &calls::deny_request(*request)?)?;
            report(
                ctx,
                &mined,
                &format!("request #{request} denied"),
                serde_json::json!({ "request": request }),
            )?;
        }
        AccessCommand::Grant {
            to,
            scope,
            record_type,
            expiry,
            for_patient,
        } => {
            let signer = ctx.signer()?;
            let grantee = ctx.principal(to)?;
            let patient = match for_patient {
                Some(p) => ctx.principal(p)?,
                None => signer.principal(),
            };
            let expires_at = expiry.at(ctx, &client)?;
            let call = match for_patient {
                Some(_) => calls::grant_access_for(
                    &patient,
                    &grantee,
                    *scope,
                    record_type.as_deref(),
                    expires_at,
                )?,
                None => calls::grant_access(&grantee, *scope, record_type.as_deref(), expires_at)?,
            };
            let (mined, expires_at) = expiry.execute(ctx, &client, &signer, &call)?;
            let token = mined.id()?;
            report(
                ctx,
                &mined,
                &format!(
                    "granted {grantee} {scope}{} until block {expires_at}: token #{token}",
                    record_type
                        .as_ref()
                        .map(|t| format!(" on {t} records"))
                        .unwrap_or_default()
                ),
                serde_json::json!({ "token": token, "grantee": grantee.to_string(), "scope": scope.to_string(), "expires_at": expires_at }),
            )?;
        }
        AccessCommand::Revoke {
            token,
            no_rotate,
            on_chain_max,
            store,
        } => {
            let signer = ctx.signer()?;
            let store = store.store()?;
            check_on_chain_max(*on_chain_max)?;
            let after = if *no_rotate {
                AfterRevoke::KeepKeys
            } else {
                AfterRevoke::RotateKeys
            };
            let out = ctx
                .block_on(revoke::revoke_access(
                    &client,
                    &signer.key,
                    *token,
                    after,
                    *on_chain_max,
                    &store,
                    &options(ctx)?,
                ))
                .map_err(record_error)?;
            let rotated: Vec<_> = out.rotated.iter().map(rotated_words).collect();
            let mut words = format!("token #{token} revoked ({} loses access)", out.grantee);
            for line in &rotated {
                words.push_str("\n  ");
                words.push_str(line);
            }
            for n in &out.not_rotated {
                words.push_str(&format!(
                    "\n  record #{} NOT rotated ({}): the revoked holder can still open it; finish with `ehr record rotate {}` as the patient",
                    n.record, n.reason, n.record
                ));
            }
            if after == AfterRevoke::KeepKeys {
                words.push_str("\n  keys not rotated (--no-rotate): the revoked holder can still open the current versions it has envelopes for");
            }
            words.push_str("\n  ");
            words.push_str(revoke::REVOCATION_LIMITS);
            report(
                ctx,
                &out.revoked,
                &words,
                serde_json::json!({
                    "token": token,
                    "grantee": out.grantee.to_string(),
                    "rotated": out.rotated,
                    "not_rotated": out.not_rotated,
                }),
            )?;
            if !out.not_rotated.is_empty() {
                return Ok(ExitCode::from(crate::context::EXIT_INCOMPLETE));
            }
        }
        AccessCommand::Check {
            patient,
            grantee,
            scope,
            record_type,
        } => {
            let (patient, grantee) = (ctx.principal(patient)?, ctx.principal(grantee)?);
            let yes = ctx.block_on(client.has_access(
                &patient,
                &grantee,
                *scope,
                record_type.as_deref(),
            ))?;
            if ctx.args.json {
                output::json(
                    &serde_json::json!({ "patient": patient.to_string(), "grantee": grantee.to_string(), "scope": scope.to_string(), "record_type": record_type, "access": yes }),
                )?;
            } else {
                println!(
                    "{grantee} {} {scope} access to {patient}'s records",
                    if yes { "has" } else { "does not have" }
                );
            }
            if !yes {
                return Ok(ExitCode::from(EXIT_VERIFY_FAILED));
            }
        }
        AccessCommand::List { patient, grantee } => {
            let (who, as_grantee) = match (patient, grantee) {
                (_, Some(g)) => (ctx.principal(g)?, true),
                (Some(p), None) => (ctx.principal(p)?, false),
                (None, None) => (ctx.me()?, false),
            };
            let tip = ctx.tip_height(&client)?;
            let (tokens, requests) = ctx.block_on(list(&client, &who, as_grantee))?;
            if ctx.args.json {
                let tokens: Vec<serde_json::Value> = tokens
                    .iter()
                    .map(|t| serde_json::json!({ "token": t, "state": t.state_at(tip + 1) }))
                    .collect();
                output::json(
                    &serde_json::json!({ "principal": who.to_string(), "tokens": tokens, "requests": requests }),
                )?;
            } else {
                let mut table = Table::new(vec![
                    "TOKEN", "PATIENT", "GRANTEE", "SCOPE", "TYPE", "EXPIRES", "STATE",
                ]);
                for t in &tokens {
                    table.row(vec![
                        t.id.to_string(),
                        t.patient.to_string(),
                        t.grantee.to_string(),
                        t.scope.to_string(),
                        t.record_type.clone().unwrap_or_else(|| "all".into()),
                        t.expires_at.to_string(),
                        format!(
                            "{}{}",
                            t.state_at(tip + 1),
                            if t.emergency { " (emergency)" } else { "" }
                        ),
                    ]);
                }
                table.print("no grants");
                println!();
                let mut table = Table::new(vec![
                    "REQUEST",
                    "PATIENT",
                    "REQUESTER",
                    "SCOPE",
                    "BLOCKS",
                    "STATUS",
                    "REASON",
                ]);
                for r in &requests {
                    table.row(vec![
                        r.id.to_string(),
                        r.patient.to_string(),
                        r.requester.to_string(),
                        r.scope.to_string(),
                        r.duration.to_string(),
                        r.status.to_string(),
                        r.reason.clone(),
                    ]);
                }
                table.print("no requests");
            }
        }
        AccessCommand::Log {
            token,
            record,
            action,
        } => {
            let signer = ctx.signer()?;
            let mined = execute(
                ctx,
                &client,
                &signer,
                &calls::log_access(*token, *record, action)?,
            )?;
            report(
                ctx,
                &mined,
                &format!("logged `{action}` of record #{record} under token #{token}"),
                serde_json::json!({ "token": token, "record": record, "action": action }),
            )?;
        }
        AccessCommand::Emergency { patient, reason } => {
            let signer = ctx.signer()?;
            let patient = ctx.principal(patient)?;
            let mined = execute(
                ctx,
                &client,
                &signer,
                &calls::emergency_access(&patient, reason)?,
            )?;
            let token = mined.id()?;
            report(
                ctx,
                &mined,
                &format!("emergency access to {patient}: token #{token} (read only, short; the patient and guardians are notified)"),
                serde_json::json!({ "token": token, "patient": patient.to_string() }),
            )?;
        }
        AccessCommand::EmergencyOptout { allow, for_patient } => {
            let signer = ctx.signer()?;
            let call = match for_patient {
                Some(p) => calls::set_emergency_allowed_for(&ctx.principal(p)?, *allow)?,
                None => calls::set_emergency_allowed(*allow)?,
            };
            let mined = execute(ctx, &client, &signer, &call)?;
            report(
                ctx,
                &mined,
                if *allow {
                    "emergency access allowed"
                } else {
                    "opted out of emergency access"
                },
                serde_json::json!({ "emergency_allowed": allow }),
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The tokens and requests that involve `who` (as patient, or as grantee/requester),
/// through the contracts' per-principal index: the cost of `who`'s own entries only.
async fn list(
    client: &EhrClient,
    who: &PrincipalData,
    as_grantee: bool,
) -> anyhow::Result<(Vec<Token>, Vec<Request>)> {
    let side = if as_grantee {
        Side::Counterpart
    } else {
        Side::Patient
    };
    Ok((
        listing::tokens(client, who, side).await?,
        listing::requests(client, who, side).await?,
    ))
}
