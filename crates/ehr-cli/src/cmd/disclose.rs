//! `ehr disclose`: selective disclosure of one field of a FHIR record.
//!
//! A holder decrypts the record, builds a Merkle tree over its fields with a fresh random
//! salt per field, and reveals one field with its salt and inclusion proof. The statement
//! "this root commits to record #N with content hash H" is signed with the holder's key,
//! so a verifier can tie the root to a record on chain and to its signer. Only the one
//! field is revealed; the others stay hidden behind their salted hashes. This is a salted
//! commitment and a Merkle inclusion proof, not a zero-knowledge proof: the disclosed
//! value itself is shown in the clear.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context as _};
use clarity::vm::types::PrincipalData;
use ehr_sdk::disclosure::sign_rsv;
use ehr_sdk::ehr::read::{read_record, ViewLog};
use ehr_sdk::fhir::{Disclosure, DisclosureTree};
use sha2::{Digest, Sha256};

use super::record::{record_error, StoreArgs};
use super::send::options;
use crate::context::{Context, VerifyFailed};
use crate::output;

/// Arguments of `ehr disclose`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: DiscloseCommand,
}

#[derive(clap::Subcommand)]
enum DiscloseCommand {
    /// Reveal one field of a FHIR record you hold, with a proof (JSON).
    ///
    /// Fields are named by path, e.g. `valueQuantity.value`, `code.coding[0].code`;
    /// `--list` shows them.
    ///
    /// Example: ehr disclose prove --account wallet_1 --record 1 --field valueQuantity.value --out proof.json
    Prove {
        /// The record id.
        #[arg(long)]
        record: u64,
        /// The field's path.
        #[arg(long, required_unless_present = "list")]
        field: Option<String>,
        /// List the record's field paths instead.
        #[arg(long)]
        list: bool,
        /// Write the proof here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Check a disclosure: the proof (here and on chain with verify-merkle-proof), the
    /// record it names, and the signature of the patient or holder who made it. Exit 6
    /// when anything does not verify.
    ///
    /// Example: ehr disclose verify proof.json
    Verify {
        /// A file written by `ehr disclose prove`.
        file: PathBuf,
    },
}

/// What `prove` writes and `verify` reads.
#[derive(serde::Serialize, serde::Deserialize)]
struct SignedDisclosure {
    /// The record the field is from.
    record: u64,
    /// Its on-chain content hash.
    content_hash: String,
    /// The field, its salt, the proof and the root.
    disclosure: Disclosure,
    /// Who signed the statement.
    signer: String,
    /// The signer's public key (compressed, hex).
    signer_pubkey: String,
    /// RSV signature over [`statement`].
    signature: String,
}

/// sha256("ehr/disclosure/v1" ++ root ++ record id (8 bytes BE) ++ content hash): what
/// the signer vouches for.
fn statement(root: &[u8; 32], record: u64, content_hash: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"ehr/disclosure/v1");
    h.update(root);
    h.update(record.to_be_bytes());
    h.update(content_hash);
    h.finalize().into()
}

/// Runs `ehr disclose`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let client = ctx.client()?;
    match &args.command {
        DiscloseCommand::Prove {
            record,
            field,
            list,
            out,
            store,
        } => {
            let signer = ctx.signer()?;
            let store = store.store()?;
            // A grantee proving from a record reads it, so the read is checked and logged
            // like any other.
            let opened = ctx
                .block_on(read_record(
                    &client,
                    &signer.key,
                    *record,
                    Some(&store),
                    ViewLog::Log,
                    &options(ctx)?,
                ))
                .map_err(record_error)?
                .opened;
            let resource: serde_json::Value = serde_json::from_slice(&opened.plaintext)
                .map_err(|_| anyhow!("record #{record} is not JSON: only FHIR JSON records have fields to disclose"))?;
            let tree = DisclosureTree::new(&resource)?;
            if *list {
                let paths: Vec<&str> = tree.fields().iter().map(|(p, _)| p.as_str()).collect();
                if ctx.args.json {
                    output::json(&paths)?;
                } else {
                    for p in paths {
                        println!("{p}");
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let field = field.as_deref().unwrap_or_default();
            let disclosure = tree.disclose(field)?;
            let hash = statement(&disclosure.root, *record, &opened.record.content_hash);
            let signed = SignedDisclosure {
                record: *record,
                content_hash: hex::encode(opened.record.content_hash),
                signer: signer.address.to_string(),
                signer_pubkey: hex::encode(signer.key.public_key().to_bytes()),
                signature: hex::encode(sign_rsv(&signer.key, &hash)),
                disclosure,
            };
            let text = serde_json::to_string_pretty(&signed)?;
            match out {
                Some(path) => {
                    std::fs::write(path, &text)
                        .with_context(|| format!("writing {}", path.display()))?;
                    if !ctx.args.json {
                        println!(
                            "disclosed {field} of record #{record} in {}",
                            path.display()
                        );
                    }
                }
                None => println!("{text}"),
            }
        }
        DiscloseCommand::Verify { file } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            let signed: SignedDisclosure = serde_json::from_str(&text).with_context(|| {
                format!("{} is not an `ehr disclose prove` file", file.display())
            })?;
            let fail = |why: String| -> anyhow::Result<ExitCode> {
                Err(VerifyFailed(format!("{}: {why}", file.display())).into())
            };
            let d = &signed.disclosure;
            if !d.verify() {
                return fail(
                    "the Merkle proof does not verify: the value, salt or proof was changed".into(),
                );
            }
            let on_chain =
                ctx.block_on(client.verify_merkle_proof(&d.salt, &d.field_bytes(), &d.proof))?;
            let leaf_on_chain = ctx.block_on(client.leaf_hash(&d.salt, &d.field_bytes()))?;
            if !on_chain || leaf_on_chain != d.proof.leaf {
                return fail("the contract's verify-merkle-proof rejects the proof".into());
            }
            let record = ctx
                .block_on(client.get_record(signed.record))?
                .ok_or_else(|| {
                    VerifyFailed(format!(
                        "record #{} does not exist on this chain",
                        signed.record
                    ))
                })?;
            if hex::encode(record.content_hash) != signed.content_hash {
                return fail(format!(
                    "record #{} on chain has another content hash",
                    signed.record
                ));
            }
            let pubkey = <[u8; 33]>::try_from(hex::decode(&signed.signer_pubkey)?.as_slice())
                .map_err(|_| anyhow!("signer_pubkey is not 33 bytes"))?;
            let signature = <[u8; 65]>::try_from(hex::decode(&signed.signature)?.as_slice())
                .map_err(|_| anyhow!("signature is not 65 bytes"))?;
            let hash = statement(&d.root, signed.record, &record.content_hash);
            if !ctx.block_on(client.verify_signature(&hash, &signature, &pubkey))? {
                return fail(
                    "the signature does not verify: the root or record was changed".into(),
                );
            }
            let signer = ehr_sdk::keys::PublicKey::from_bytes(&pubkey)?
                .address(ctx.network())
                .to_principal();
            if signer.to_string() != signed.signer {
                return fail("signer_pubkey is not the key of the named signer".into());
            }
            let role = signer_role(ctx, &client, &signer, &record.patient)?;
            if ctx.args.json {
                output::json(&serde_json::json!({
                    "verified": true, "record": signed.record, "field": d.path, "value": d.value,
                    "signer": signed.signer, "signer_role": role, "patient": record.patient.to_string(),
                }))?;
            } else {
                println!(
                    "verified: {} = {} in record #{} ({} of {}), signed by {} ({role})",
                    d.path,
                    d.value,
                    signed.record,
                    record.record_type,
                    record.patient,
                    signed.signer
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How the signer relates to the record: the patient, a guardian, or a grantee.
fn signer_role(
    ctx: &Context,
    client: &ehr_sdk::ehr::EhrClient,
    signer: &PrincipalData,
    patient: &PrincipalData,
) -> anyhow::Result<&'static str> {
    if signer == patient {
        return Ok("the patient");
    }
    if ctx.block_on(client.is_guardian(patient, signer))? {
        return Ok("a guardian of the patient");
    }
    Ok("not the patient: a holder of a key envelope")
}
