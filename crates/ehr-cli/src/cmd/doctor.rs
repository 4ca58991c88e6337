//! `ehr doctor`: register, credential issuers, verification (direct or by attestation),
//! suspension, details.

use std::process::ExitCode;

use anyhow::{anyhow, bail};
use ehr_sdk::ehr::{attest, calls, EhrContract};
use ehr_sdk::keys::PublicKey;

use super::expiry::Expiry;
use super::send::{execute, keep, report};
use crate::context::Context;
use crate::output;

/// Arguments of `ehr doctor`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: DoctorCommand,
}

#[derive(clap::Subcommand)]
enum DoctorCommand {
    /// Register the signing account as a doctor.
    ///
    /// Only sha256(salt ++ licence) goes on chain; the salt (derived from the account's
    /// secret key, the same on every run) is printed for the doctor to keep and give to
    /// its issuer. Records are encrypted to the account's own key.
    ///
    /// Example: ehr doctor register --account wallet_2 --license UG-MD-4411 --specialty cardiology
    Register {
        /// The licence number to hash.
        #[arg(long)]
        license: String,
        /// Specialty (ASCII, up to 64 characters).
        #[arg(long, default_value = "general practice")]
        specialty: String,
        /// Use this salt (64 hex digits) instead of the one derived from the key.
        #[arg(long)]
        salt: Option<String>,
    },
    /// Admin: enable (or disable) a credential issuer, with the key it signs attestations
    /// with (default: the issuer account's own public key, when it is a known account).
    ///
    /// Example: ehr doctor issuer --account deployer wallet_3
    Issuer {
        /// The issuer (address or account name).
        issuer: String,
        /// The issuer's attestation public key, 33 bytes hex (compressed).
        #[arg(long)]
        pubkey: Option<String>,
        /// Disable instead of enable.
        #[arg(long)]
        disable: bool,
    },
    /// Verify a doctor's credential: as an issuer, on chain; or, as the doctor, by
    /// submitting an issuer's attestation (`ehr doctor attest`).
    ///
    /// Example: ehr doctor verify --account wallet_3 wallet_2 --expires-in 52000
    /// Example: ehr doctor verify --account wallet_2 --issuer wallet_3 --expires-at 60000 --attestation 0x...
    Verify {
        /// The doctor to verify (issuer's direct verification).
        #[arg(required_unless_present = "attestation")]
        doctor: Option<String>,
        #[command(flatten)]
        expiry: Expiry,
        /// An issuer's attestation signature (65 bytes hex) to submit as the doctor.
        #[arg(long, requires = "issuer", conflicts_with = "doctor")]
        attestation: Option<String>,
        /// The issuer that signed the attestation.
        #[arg(long)]
        issuer: Option<String>,
    },
    /// Issuer: sign an attestation offline for a doctor to submit (no transaction).
    ///
    /// Example: ehr doctor attest --account wallet_3 wallet_2 --expires-at 60000
    Attest {
        /// The doctor (address or account name); its licence hash is read from the chain.
        doctor: String,
        /// The block at which the credential expires.
        #[arg(long)]
        expires_at: u64,
    },
    /// Replace the signing doctor's encryption key (a lost or leaked key): records shared
    /// from now on are wrapped to the new key.
    ///
    /// Example: ehr doctor update-key --account wallet_2
    UpdateKey {
        /// The new public key, 33 bytes hex (compressed); default: the account's own.
        #[arg(long)]
        enc_pubkey: Option<String>,
    },
    /// Issuer or admin: suspend a doctor.
    ///
    /// Example: ehr doctor suspend --account wallet_3 wallet_2
    Suspend {
        /// The doctor (address or account name).
        doctor: String,
    },
    /// Show a doctor's registration and credential (default: the signing account).
    ///
    /// Example: ehr doctor show wallet_2
    Show {
        /// The doctor (address or account name).
        doctor: Option<String>,
    },
}

/// Runs `ehr doctor`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let client = ctx.client()?;
    match &args.command {
        DoctorCommand::Register {
            license,
            specialty,
            salt,
        } => {
            let signer = ctx.signer()?;
            let salt = match salt {
                Some(text) => {
                    <[u8; 32]>::try_from(hex::decode(text.trim_start_matches("0x"))?.as_slice())
                        .map_err(|_| anyhow!("--salt: give 32 bytes as 64 hex digits"))?
                }
                None => ehr_sdk::disclosure::registration_salt(
                    &signer.key,
                    &client.deployment().id(EhrContract::DoctorRegistry),
                    license.as_bytes(),
                ),
            };
            let license_hash = ehr_sdk::disclosure::commitment(&salt, license.as_bytes());
            let call = calls::register_doctor(&license_hash, &signer.key.public_key(), specialty)?;
            keep(
                "salt",
                &hex::encode(salt),
                "your issuer needs it to check the licence",
            );
            let mined = execute(ctx, &client, &signer, &call)?;
            report(
                ctx,
                &mined,
                &format!(
                    "registered doctor {}\nlicense-hash {}\nsalt         {} (keep it; your issuer needs it to check the licence)",
                    signer.address,
                    hex::encode(license_hash),
                    hex::encode(salt)
                ),
                serde_json::json!({ "doctor": signer.address.to_string(), "license_hash": hex::encode(license_hash), "salt": hex::encode(salt) }),
            )?;
        }
        DoctorCommand::Issuer {
            issuer,
            pubkey,
            disable,
        } => {
            let signer = ctx.signer()?;
            let (principal, key) = match pubkey {
                Some(text) => (
                    ctx.principal(issuer)?,
                    PublicKey::from_bytes(&hex::decode(text.trim_start_matches("0x"))?)?,
                ),
                None => {
                    let named = ctx.named(issuer, "issuer").map_err(|_| {
                        anyhow!("`{issuer}` is not a known account: give its attestation key with --pubkey")
                    })?;
                    (named.principal(), named.key.public_key())
                }
            };
            let mined = execute(
                ctx,
                &client,
                &signer,
                &calls::set_issuer(&principal, &key, !disable)?,
            )?;
            report(
                ctx,
                &mined,
                &format!(
                    "issuer {principal} {}",
                    if *disable { "disabled" } else { "enabled" }
                ),
                serde_json::json!({ "issuer": principal.to_string(), "pubkey": hex::encode(key.to_bytes()), "enabled": !disable }),
            )?;
        }
        DoctorCommand::Verify {
            doctor,
            expiry,
            attestation,
            issuer,
        } => {
            let signer = ctx.signer()?;
            let expires_at = expiry.at(ctx, &client)?;
            let (call, who) = match (attestation, doctor) {
                (Some(sig), _) => {
                    let sig =
                        attest::parse_signature(sig).map_err(|e| anyhow!("--attestation: {e}"))?;
                    let issuer = ctx.principal(issuer.as_deref().unwrap_or_default())?;
                    let doctor = signer.principal();
                    let call = ctx.block_on(attest::submission(
                        &client, &doctor, &issuer, expires_at, &sig,
                    ))?;
                    (call, doctor)
                }
                (None, Some(d)) => {
                    let d = ctx.principal(d)?;
                    (calls::verify_doctor(&d, expires_at)?, d)
                }
                (None, None) => bail!("give the doctor to verify, or --attestation"),
            };
            let (mined, expires_at) = expiry.execute(ctx, &client, &signer, &call)?;
            report(
                ctx,
                &mined,
                &format!("doctor {who} verified until block {expires_at}"),
                serde_json::json!({ "doctor": who.to_string(), "expires_at": expires_at }),
            )?;
        }
        DoctorCommand::Attest { doctor, expires_at } => {
            let signer = ctx.signer()?;
            let doctor = ctx.principal(doctor)?;
            let signed = ctx.block_on(attest::sign(&client, &signer.key, &doctor, *expires_at))?;
            let (hash, signature) = (signed.hash, signed.signature);
            if ctx.args.json {
                output::json(&serde_json::json!({
                    "issuer": signer.address.to_string(),
                    "doctor": doctor.to_string(),
                    "expires_at": expires_at,
                    "attestation_hash": hex::encode(hash),
                    "signature": hex::encode(signature),
                }))?;
            } else {
                println!("attestation for {doctor}, expiring at block {expires_at}");
                println!("hash       {}", hex::encode(hash));
                println!("signature  {}", hex::encode(signature));
                println!(
                    "the doctor submits it with: ehr doctor verify --issuer {} --expires-at {expires_at} --attestation {}",
                    signer.address,
                    hex::encode(signature)
                );
            }
        }
        DoctorCommand::UpdateKey { enc_pubkey } => {
            let signer = ctx.signer()?;
            let key = match enc_pubkey {
                Some(text) => PublicKey::from_bytes(
                    &hex::decode(text.trim_start_matches("0x"))
                        .map_err(|e| anyhow::anyhow!("--enc-pubkey: {e}"))?,
                )
                .map_err(|e| anyhow::anyhow!("--enc-pubkey: {e}"))?,
                None => signer.key.public_key(),
            };
            let mined = execute(
                ctx,
                &client,
                &signer,
                &calls::update_doctor_enc_pubkey(&key)?,
            )?;
            report(
                ctx,
                &mined,
                &format!("encryption key of doctor {} replaced", signer.address),
                serde_json::json!({ "doctor": signer.address.to_string(), "enc_pubkey": hex::encode(key.to_bytes()) }),
            )?;
        }
        DoctorCommand::Suspend { doctor } => {
            let signer = ctx.signer()?;
            let doctor = ctx.principal(doctor)?;
            let mined = execute(ctx, &client, &signer, &calls::suspend_doctor(&doctor)?)?;
            report(
                ctx,
                &mined,
                &format!("doctor {doctor} suspended"),
                serde_json::json!({ "doctor": doctor.to_string() }),
            )?;
        }
        DoctorCommand::Show { doctor } => {
            let who = match doctor {
                Some(d) => ctx.principal(d)?,
                None => ctx.me()?,
            };
            let tip = ctx.tip_height(&client)?;
            let record = ctx.block_on(client.get_doctor(&who))?;
            let Some(d) = record else {
                bail!("{who} is not a registered doctor (register with `ehr doctor register`)");
            };
            let verified_now = d.is_verified_at(tip + 1);
            if ctx.args.json {
                output::json(
                    &serde_json::json!({ "doctor": who.to_string(), "registration": d, "verified_now": verified_now, "tip_height": tip }),
                )?;
            } else {
                let state = if d.suspended {
                    "suspended".to_string()
                } else if !d.verified {
                    "not verified".to_string()
                } else if verified_now {
                    format!(
                        "verified until block {} ({} blocks left)",
                        d.expires_at,
                        d.expires_at.saturating_sub(tip + 1)
                    )
                } else {
                    format!("expired at block {}", d.expires_at)
                };
                output::fields(&[
                    ("doctor", who.to_string()),
                    ("specialty", d.specialty.clone()),
                    ("credential", state),
                    (
                        "verified by",
                        d.verified_by
                            .map(|p| p.to_string())
                            .unwrap_or_else(|| "-".into()),
                    ),
                    ("registered at", format!("block {}", d.registered_at)),
                    ("license-hash", hex::encode(d.license_hash)),
                    ("encryption key", hex::encode(d.enc_pubkey)),
                ]);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
