//! `ehr patient`: register, guardians, verification, details.

use std::process::ExitCode;

use anyhow::bail;
use ehr_sdk::ehr::{calls, EhrContract};

use super::send::{execute, keep, report};
use crate::context::Context;
use crate::output;

/// Arguments of `ehr patient`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: PatientCommand,
}

#[derive(clap::Subcommand)]
enum PatientCommand {
    /// Register the signing account as a patient.
    ///
    /// The identifier (national id, phone number...) never goes on chain: only
    /// sha256(salt ++ identifier). The salt is derived from the account's secret key (the
    /// same on every run, so an interrupted registration run again commits to the same
    /// hash, and it can be derived again from the key) and printed for the patient to keep.
    /// Records are encrypted to the account's own public key.
    ///
    /// Example: ehr patient register --account wallet_1 --id "+256700000001"
    Register {
        /// The identifier to hash.
        #[arg(long)]
        id: String,
        /// Use this salt (64 hex digits) instead of the one derived from the key.
        #[arg(long)]
        salt: Option<String>,
    },
    /// Propose a guardian (it acts for the patient once it accepts with `accept-guardian`),
    /// or remove a guardian or a pending proposal.
    ///
    /// Example: ehr patient guardian --account wallet_1 --add wallet_4
    Guardian {
        /// The guardian to propose.
        #[arg(long, conflicts_with = "remove", required_unless_present = "remove")]
        add: Option<String>,
        /// The guardian to remove.
        #[arg(long)]
        remove: Option<String>,
        /// Act as a guardian for this patient instead of for yourself.
        #[arg(long = "for", value_name = "PATIENT")]
        for_patient: Option<String>,
    },
    /// As the proposed guardian: accept guardianship of a patient (from then on it acts
    /// for the patient; the patient is told).
    ///
    /// Example: ehr patient accept-guardian --account wallet_4 wallet_1
    AcceptGuardian {
        /// The patient (address or account name).
        patient: String,
    },
    /// As a guardian: step down (the patient is told).
    ///
    /// Example: ehr patient resign-guardian --account wallet_4 wallet_1
    ResignGuardian {
        /// The patient (address or account name).
        patient: String,
    },
    /// Verifier: mark a patient verified (identity checked off chain).
    ///
    /// Example: ehr patient verify --account wallet_5 wallet_1
    Verify {
        /// The patient (address or account name).
        patient: String,
    },
    /// Admin: enable or disable a patient verifier.
    ///
    /// Example: ehr patient verifier --account deployer wallet_5
    Verifier {
        /// The verifier (address or account name).
        verifier: String,
        /// Disable instead of enable.
        #[arg(long)]
        disable: bool,
    },
    /// Show a patient's registration (default: the signing account).
    ///
    /// Example: ehr patient show wallet_1
    Show {
        /// The patient (address or account name).
        patient: Option<String>,
    },
}

/// Runs `ehr patient`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let client = ctx.client()?;
    match &args.command {
        PatientCommand::Register { id, salt } => {
            let signer = ctx.signer()?;
            let salt = match salt {
                Some(hex_text) => {
                    <[u8; 32]>::try_from(hex::decode(hex_text.trim_start_matches("0x"))?.as_slice())
                        .map_err(|_| anyhow::anyhow!("--salt: give 32 bytes as 64 hex digits"))?
                }
                None => ehr_sdk::disclosure::registration_salt(
                    &signer.key,
                    &client.deployment().id(EhrContract::PatientRegistry),
                    id.as_bytes(),
                ),
            };
            let id_hash = ehr_sdk::disclosure::commitment(&salt, id.as_bytes());
            let call = calls::register_patient(&id_hash, &signer.key.public_key())?;
            keep(
                "salt",
                &hex::encode(salt),
                "it proves the identifier behind the hash",
            );
            let mined = execute(ctx, &client, &signer, &call)?;
            report(
                ctx,
                &mined,
                &format!(
                    "registered patient {}\nid-hash {}\nsalt    {} (keep it: it proves the identifier behind the hash)",
                    signer.address,
                    hex::encode(id_hash),
                    hex::encode(salt)
                ),
                serde_json::json!({ "patient": signer.address.to_string(), "id_hash": hex::encode(id_hash), "salt": hex::encode(salt) }),
            )?;
        }
        PatientCommand::Guardian {
            add,
            remove,
            for_patient,
        } => {
            let signer = ctx.signer()?;
            let (who, enabled) = match (add, remove) {
                (Some(a), None) => (a, true),
                (None, Some(r)) => (r, false),
                _ => bail!("give --add or --remove"),
            };
            let guardian = ctx.principal(who)?;
            let call = match for_patient {
                Some(p) => calls::set_guardian_for(&ctx.principal(p)?, &guardian, enabled)?,
                None => calls::set_guardian(&guardian, enabled)?,
            };
            let mined = execute(ctx, &client, &signer, &call)?;
            report(
                ctx,
                &mined,
                &format!(
                    "guardian {guardian} {}",
                    if enabled {
                        "proposed: it acts for the patient once it accepts"
                    } else {
                        "removed (or its proposal withdrawn)"
                    }
                ),
                serde_json::json!({ "guardian": guardian.to_string(), "enabled": enabled }),
            )?;
        }
        PatientCommand::AcceptGuardian { patient } | PatientCommand::ResignGuardian { patient } => {
            let signer = ctx.signer()?;
            let patient = ctx.principal(patient)?;
            let accept = matches!(&args.command, PatientCommand::AcceptGuardian { .. });
            let call = if accept {
                calls::accept_guardian(&patient)?
            } else {
                calls::resign_guardian(&patient)?
            };
            let mined = execute(ctx, &client, &signer, &call)?;
            report(
                ctx,
                &mined,
                &format!(
                    "{} {} guardian of {patient}",
                    signer.address,
                    if accept { "is now a" } else { "is no longer a" }
                ),
                serde_json::json!({ "patient": patient.to_string(), "guardian": signer.address.to_string(), "guardian_now": accept }),
            )?;
        }
        PatientCommand::Verify { patient } => {
            let signer = ctx.signer()?;
            let patient = ctx.principal(patient)?;
            let mined = execute(ctx, &client, &signer, &calls::verify_patient(&patient)?)?;
            report(
                ctx,
                &mined,
                &format!("patient {patient} verified"),
                serde_json::json!({ "patient": patient.to_string() }),
            )?;
        }
        PatientCommand::Verifier { verifier, disable } => {
            let signer = ctx.signer()?;
            let verifier = ctx.principal(verifier)?;
            let mined = execute(
                ctx,
                &client,
                &signer,
                &calls::set_verifier(&verifier, !disable)?,
            )?;
            report(
                ctx,
                &mined,
                &format!(
                    "verifier {verifier} {}",
                    if *disable { "disabled" } else { "enabled" }
                ),
                serde_json::json!({ "verifier": verifier.to_string(), "enabled": !disable }),
            )?;
        }
        PatientCommand::Show { patient } => {
            let who = match patient {
                Some(p) => ctx.principal(p)?,
                None => ctx.me()?,
            };
            let (record, guardians, emergency, records) = ctx.block_on(async {
                Ok::<_, anyhow::Error>((
                    client.get_patient(&who).await?,
                    client.get_guardians(&who).await?,
                    client.is_emergency_allowed(&who).await?,
                    client.get_patient_record_count(&who).await?,
                ))
            })?;
            let Some(p) = record else {
                bail!("{who} is not a registered patient (register with `ehr patient register`)");
            };
            if ctx.args.json {
                output::json(&serde_json::json!({
                    "patient": who.to_string(),
                    "registration": p,
                    "guardians": guardians.iter().map(|g| g.to_string()).collect::<Vec<_>>(),
                    "emergency_access_allowed": emergency,
                    "records": records,
                }))?;
            } else {
                output::fields(&[
                    ("patient", who.to_string()),
                    ("active", p.active.to_string()),
                    (
                        "verified",
                        match &p.verified_by {
                            Some(by) => format!("yes, by {by}"),
                            None => "no".into(),
                        },
                    ),
                    ("registered at", format!("block {}", p.registered_at)),
                    ("id-hash", hex::encode(p.id_hash)),
                    ("encryption key", hex::encode(p.enc_pubkey)),
                    (
                        "guardians",
                        if guardians.is_empty() {
                            "none".into()
                        } else {
                            guardians
                                .iter()
                                .map(|g| g.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        },
                    ),
                    (
                        "emergency access",
                        if emergency {
                            "allowed".into()
                        } else {
                            "opted out".into()
                        },
                    ),
                    ("records", records.to_string()),
                ]);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
