//! `ehr record`: add (encrypted here), list, show, get (decrypt), amend, share.

use std::io::{Read as _, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context as _};
use ehr_sdk::ehr::read::{read_record_into, ViewLog};
use ehr_sdk::ehr::records::{
    self, BlobRead, BlobStore as _, Fetch, Keep, PendingWrite, Placement, RecordError, Rotated,
    Written,
};
use ehr_sdk::ehr::stores::Replicas;
use ehr_sdk::ehr::types::Record;
use ehr_sdk::ehr::upload::Upload;
use ehr_sdk::ehr::{ClientError, EhrClient, SendOptions};
use ehr_sdk::keys::SecretKey;

use super::send::{client_error, options, report};
use crate::context::{Context, Refused, VerifyFailed};
use crate::journal::Journal;
use crate::output::{self, Table};
use crate::partial::Partial;
use crate::progress;

/// Arguments of `ehr record`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: RecordCommand,
}

/// The stores for records kept off chain.
#[derive(clap::Args)]
pub struct StoreArgs {
    /// Where records kept off chain go and are read from: a folder,
    /// `s3://bucket[/prefix]` (an S3-compatible service; AWS_ENDPOINT_URL,
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION), or
    /// `https://host[/path]` (read-only). Repeat it, or separate by commas, for replicas:
    /// writes go to each writable store, reads try them in order, then the place a URL
    /// locator names. The locator on chain names the first store (an https:// first store
    /// names where the folders after it are published) (default: $EHR_HOME/store or
    /// ~/.ehr/store).
    #[arg(
        long = "store",
        value_name = "STORE",
        env = "EHR_STORE",
        value_delimiter = ','
    )]
    stores: Vec<String>,
    /// How many of the writable stores must take a new blob (default: all of them).
    #[arg(long, value_name = "N")]
    store_quorum: Option<usize>,
}

impl StoreArgs {
    /// The `--store` values, or the default folder.
    pub fn specs(&self) -> anyhow::Result<Vec<String>> {
        Ok(if self.stores.is_empty() {
            vec![default_store_dir()?.display().to_string()]
        } else {
            self.stores.clone()
        })
    }

    /// The stores the flags name (or the default folder), as one.
    pub fn store(&self) -> anyhow::Result<Replicas> {
        Ok(Replicas::open(&self.specs()?, self.store_quorum)?)
    }

    /// The write quorum given, if any.
    pub fn quorum(&self) -> Option<usize> {
        self.store_quorum
    }
}

/// `$EHR_HOME/store`, or `~/.ehr/store`.
pub fn default_store_dir() -> anyhow::Result<PathBuf> {
    Ok(crate::context::ehr_home()
        .map_err(|_| anyhow::anyhow!("no store directory: give --store DIR"))?
        .join("store"))
}

#[derive(clap::Subcommand)]
enum RecordCommand {
    /// Encrypt a file and record it for a patient.
    ///
    /// A FHIR R4 resource becomes one record typed by its resourceType; a Bundle becomes
    /// one record per entry; any other file one record of --type. Small records are
    /// stored whole on chain, larger ones in the content-addressed store with only the
    /// hash and locator on chain. Only ciphertext leaves this machine. A large file is
    /// sealed once into $EHR_HOME/uploads and uploaded from there: after an interruption,
    /// the same command again resumes the upload where it stopped.
    ///
    /// Example: ehr record add --account wallet_1 --file observation.json
    Add {
        /// The file to add.
        #[arg(long)]
        file: PathBuf,
        /// Whose record (default: the signing account; a guardian or a doctor with write
        /// scope gives the patient).
        #[arg(long)]
        patient: Option<String>,
        /// Record type for a file that is not FHIR JSON (ASCII, up to 32 characters).
        #[arg(long = "type", default_value = "Binary")]
        record_type: String,
        /// Largest sealed record kept on chain, in bytes (at most 65536); larger ones go
        /// to the store.
        #[arg(long, default_value_t = 8192)]
        on_chain_max: usize,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List a patient's records, every version (default: the signing account's).
    ///
    /// Example: ehr record list wallet_1
    List {
        /// The patient (address or account name).
        patient: Option<String>,
    },
    /// Show one record's metadata.
    ///
    /// Example: ehr record show 1
    Show {
        /// The record id.
        id: u64,
    },
    /// Decrypt a record for the signing account (it needs a key envelope), after
    /// checking the on-chain hash. A grantee's read is logged on chain as a view.
    ///
    /// Example: ehr record get --account wallet_2 1 --out record.json
    Get {
        /// The record id.
        id: u64,
        /// Write the plaintext here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Do not log the view on chain (a grantee's reads are logged by default).
        #[arg(long)]
        no_log: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Add a new version of a record; the old one is kept and marked superseded.
    ///
    /// Example: ehr record amend --account wallet_1 1 --file observation-v2.json
    Amend {
        /// The record id (must be the latest version).
        id: u64,
        /// The new content.
        #[arg(long)]
        file: PathBuf,
        /// Largest sealed record kept on chain, in bytes.
        #[arg(long, default_value_t = 8192)]
        on_chain_max: usize,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Re-seal a record under a fresh key (a new version) and give new envelopes only to
    /// the holders that still have access: after a revocation, the revoked doctor's key
    /// opens only the old version. By default every grantee that may read the record now
    /// keeps it.
    ///
    /// Example: ehr record rotate --account wallet_1 1
    Rotate {
        /// The record id (the latest version).
        id: u64,
        /// Only these holders keep access (address or account name); repeat. Default:
        /// every grantee with live read access.
        #[arg(long, conflicts_with = "keep_none")]
        keep: Vec<String>,
        /// Nobody but the patient keeps access.
        #[arg(long)]
        keep_none: bool,
        /// Largest sealed record kept on chain, in bytes.
        #[arg(long, default_value_t = 8192)]
        on_chain_max: usize,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Give a grantee a key envelope for a record (the patient, or a holder with share
    /// scope; the grantee needs read access).
    ///
    /// Example: ehr record share --account wallet_1 1 --to wallet_2
    Share {
        /// The record id.
        id: u64,
        /// The grantee (address or account name).
        #[arg(long)]
        to: String,
    },
}

/// Runs `ehr record`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let client = ctx.client()?;
    match &args.command {
        RecordCommand::Add {
            file,
            patient,
            record_type,
            on_chain_max,
            store,
        } => {
            // The size limit before any work: nothing is read, sealed or sent above it.
            let len = file_len(file)?;
            records::check_size(len).map_err(record_error)?;
            check_on_chain_max(*on_chain_max)?;
            let signer = ctx.signer()?;
            let patient = match patient {
                Some(p) => ctx.principal(p)?,
                None => signer.principal(),
            };
            let store = store.store()?;
            let options = options(ctx)?;
            if streamed(file, len, *on_chain_max)? {
                ehr_sdk::fhir::check_record_type(record_type)?;
                if !ctx.args.json {
                    eprintln!(
                        "  sealing {record_type} ({len} bytes) for {patient}, streamed into {}",
                        store.name()
                    );
                }
                let plain_sha256 = file_sha256(file)?;
                let journal = Journal::new(
                    "record-add",
                    &[
                        ctx.network().to_string().as_bytes(),
                        signer.address.to_string().as_bytes(),
                        patient.to_string().as_bytes(),
                        record_type.as_bytes(),
                        &plain_sha256,
                    ],
                )?;
                let uploads = uploads_dir()?;
                say_resumable(ctx, &uploads);
                let bars = progress::UploadBars::new(len, ctx.args.json);
                let mut reader = bars.sealing().wrap_read(open_file(file)?);
                let mut told = |event| bars.show(event);
                let w = write_resumably(ctx, &client, &signer.key, &journal, &options, || {
                    records::prepare_write(
                        &client,
                        &patient,
                        record_type,
                        records::Plaintext::Stream {
                            reader: &mut reader,
                            len,
                        },
                        Placement::Staged {
                            store: &store,
                            upload: Upload {
                                dir: &uploads,
                                plaintext_sha256: plain_sha256,
                                progress: &mut told,
                            },
                        },
                        None,
                    )
                });
                bars.finish();
                let w = w?;
                journal.remove()?;
                if ctx.args.json {
                    output::json(
                        &serde_json::json!({ "patient": patient.to_string(), "records": [w] }),
                    )?;
                } else {
                    println!("{}", w.summary(record_type));
                }
                return Ok(ExitCode::SUCCESS);
            }
            let bytes =
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            let imported = ehr_sdk::fhir::parse_import(&bytes, record_type)
                .with_context(|| format!("{}", file.display()))?;
            let mut written: Vec<Written> = Vec::new();
            let mut journals = Vec::new();
            for item in &imported {
                let placement = records::placement(item.content.len(), *on_chain_max, &store);
                if !ctx.args.json {
                    eprintln!(
                        "  sealing {} ({} bytes) for {patient}, {}",
                        item.record_type,
                        item.content.len(),
                        match placement {
                            Placement::OnChain => "on chain".to_string(),
                            Placement::Store(_) | Placement::Staged { .. } => {
                                format!("in {}", store.name())
                            }
                        }
                    );
                }
                let journal = Journal::new(
                    "record-add",
                    &[
                        ctx.network().to_string().as_bytes(),
                        signer.address.to_string().as_bytes(),
                        patient.to_string().as_bytes(),
                        item.record_type.as_bytes(),
                        &item.content,
                    ],
                )?;
                let w = write_resumably(ctx, &client, &signer.key, &journal, &options, || {
                    records::prepare_write(
                        &client,
                        &patient,
                        &item.record_type,
                        records::Plaintext::Bytes(&item.content),
                        placement,
                        None,
                    )
                })?;
                written.push(w);
                journals.push(journal);
            }
            // Only now: a rerun after a later item failed must find the earlier ones done.
            for journal in &journals {
                journal.remove()?;
            }
            if ctx.args.json {
                output::json(
                    &serde_json::json!({ "patient": patient.to_string(), "records": written }),
                )?;
            } else {
                for (w, item) in written.iter().zip(&imported) {
                    println!("{}", w.summary(&item.record_type));
                }
            }
        }
        RecordCommand::List { patient } => {
            let who = match patient {
                Some(p) => ctx.principal(p)?,
                None => ctx.me()?,
            };
            let list = ctx
                .block_on(records::list_records(&client, &who))
                .map_err(record_error)?;
            if ctx.args.json {
                output::json(&serde_json::json!({ "patient": who.to_string(), "records": list }))?;
            } else {
                let mut table =
                    Table::new(vec!["ID", "TYPE", "VERSION", "BLOCK", "STORED", "STATE"]);
                for r in &list {
                    table.row(vec![
                        r.id.to_string(),
                        r.record_type.clone(),
                        r.version.to_string(),
                        r.created_at.to_string(),
                        where_stored(r),
                        match r.superseded_by {
                            Some(n) => format!("superseded by #{n}"),
                            None => "latest".into(),
                        },
                    ]);
                }
                table.print(&format!("{who} has no records"));
            }
        }
        RecordCommand::Show { id } => {
            let r = ctx
                .block_on(client.get_record(*id))?
                .ok_or_else(|| anyhow!("no record #{id}"))?;
            if ctx.args.json {
                output::json(&r)?;
            } else {
                output::fields(&[
                    ("record", format!("#{}", r.id)),
                    ("patient", r.patient.to_string()),
                    ("type", r.record_type.clone()),
                    ("version", r.version.to_string()),
                    (
                        "previous",
                        r.previous
                            .map(|p| format!("#{p}"))
                            .unwrap_or_else(|| "-".into()),
                    ),
                    (
                        "superseded by",
                        r.superseded_by
                            .map(|p| format!("#{p}"))
                            .unwrap_or_else(|| "- (latest)".into()),
                    ),
                    ("author", r.author.to_string()),
                    ("block", r.created_at.to_string()),
                    ("content hash", hex::encode(r.content_hash)),
                    ("stored", where_stored(&r)),
                ]);
            }
        }
        RecordCommand::Get {
            id,
            out,
            no_log,
            store,
        } => {
            let signer = ctx.signer()?;
            let store = store.store()?;
            let log = if *no_log {
                ViewLog::AlreadyLoggedOrSkipped
            } else {
                ViewLog::Log
            };
            let options = options(ctx)?;
            let read_into = |fetch: Fetch<'_>, out: &mut (dyn Write + Send)| {
                ctx.block_on(read_record_into(
                    &client,
                    &signer.key,
                    *id,
                    BlobRead {
                        store: Some(&store),
                        fetch,
                    },
                    log,
                    &options,
                    out,
                ))
                .map_err(record_error)
            };
            // Streamed out in pieces (bounded memory whatever the size); a file gets its
            // name only once the whole record has opened. Into a file, a record in a store
            // is downloaded once into $EHR_HOME/downloads first, and a rerun after an
            // interruption goes on from where the download stopped.
            let (read, plaintext) = match out {
                Some(path) => {
                    let downloads = crate::context::ehr_home()?.join("downloads");
                    let quiet = ctx.args.json;
                    let fetching = progress::bar("downloading", None, quiet);
                    let mut told = |n: u64| fetching.set_position(n);
                    let fetch = Fetch::Resumable {
                        dir: &downloads,
                        progress: &mut told,
                    };
                    let opening = progress::bar("decrypting", None, quiet);
                    let mut file = Partial::create(path)?;
                    let read = read_into(fetch, &mut opening.wrap_write(&mut file));
                    fetching.finish_and_clear();
                    opening.finish_and_clear();
                    let read = read?;
                    file.keep()?;
                    (read, None)
                }
                None if !ctx.args.json => {
                    let mut stdout = LastByte {
                        inner: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()),
                        last: None,
                    };
                    let read = read_into(Fetch::Twice, &mut stdout)?;
                    if stdout.last != Some(b'\n') {
                        stdout.write_all(b"\n")?;
                    }
                    stdout.flush()?;
                    (read, None)
                }
                None => {
                    let mut bytes = Vec::new();
                    let read = read_into(Fetch::Twice, &mut bytes)?;
                    (read, Some(bytes))
                }
            };
            let logged = read.logged.as_ref().map(|m| format!("0x{}", m.sent.txid));
            if ctx.args.json {
                output::json(&serde_json::json!({
                    "record": read.opened.record,
                    "hash_verified": true,
                    "view_logged_in": logged,
                    "plaintext": plaintext.map(|p| String::from_utf8_lossy(&p).into_owned()),
                }))?;
            } else {
                eprintln!(
                    "  record #{id}: hash verified, {} bytes decrypted{}",
                    read.opened.plain_len,
                    match &logged {
                        Some(tx) => format!(", view logged on chain in {tx}"),
                        None => String::new(),
                    }
                );
            }
        }
        RecordCommand::Amend {
            id,
            file,
            on_chain_max,
            store,
        } => {
            let len = file_len(file)?;
            records::check_size(len).map_err(record_error)?;
            check_on_chain_max(*on_chain_max)?;
            let signer = ctx.signer()?;
            let store = store.store()?;
            let old = ctx
                .block_on(client.get_record(*id))?
                .ok_or(RecordError::NotFound(*id))
                .map_err(record_error)?;
            let identity = [
                ctx.network().to_string().into_bytes(),
                signer.address.to_string().into_bytes(),
                id.to_be_bytes().to_vec(),
            ];
            // The same amend: network, signer, record and content (the bytes of a file read
            // whole, the hash of one streamed).
            let amend_journal = |content: &[u8]| {
                Journal::new(
                    "record-amend",
                    &[
                        &identity[0][..],
                        &identity[1][..],
                        &identity[2][..],
                        content,
                    ],
                )
            };
            // A file too large for the chain that is not JSON is streamed into the store
            // (its journal keyed by its hash); anything else is read whole.
            let content = if streamed(file, len, *on_chain_max)? {
                Content::Streamed(file_sha256(file)?)
            } else {
                Content::Whole(
                    std::fs::read(file).with_context(|| format!("reading {}", file.display()))?,
                )
            };
            let journal = match &content {
                Content::Whole(bytes) => amend_journal(bytes)?,
                Content::Streamed(hash) => amend_journal(hash)?,
            };
            let uploads = uploads_dir()?;
            if matches!(content, Content::Streamed(_)) {
                say_resumable(ctx, &uploads);
            }
            let quiet = ctx.args.json || matches!(content, Content::Whole(_));
            let bars = progress::UploadBars::new(len, quiet);
            let mut reader = bars.sealing().wrap_read(open_file(file)?);
            let mut told = |event| bars.show(event);
            let w = write_resumably(ctx, &client, &signer.key, &journal, &options(ctx)?, || {
                let (plaintext, placement) = match &content {
                    Content::Whole(bytes) => (
                        records::Plaintext::Bytes(bytes),
                        records::placement(bytes.len(), *on_chain_max, &store),
                    ),
                    Content::Streamed(hash) => (
                        records::Plaintext::Stream {
                            reader: &mut reader,
                            len,
                        },
                        Placement::Staged {
                            store: &store,
                            upload: Upload {
                                dir: &uploads,
                                plaintext_sha256: *hash,
                                progress: &mut told,
                            },
                        },
                    ),
                };
                records::prepare_write(
                    &client,
                    &old.patient,
                    &old.record_type,
                    plaintext,
                    placement,
                    Some(*id),
                )
            });
            bars.finish();
            let w = w?;
            journal.remove()?;
            if ctx.args.json {
                output::json(&w)?;
            } else {
                println!(
                    "record #{id} amended: new version #{} ({} sealed bytes, hash {})",
                    w.record_id, w.sealed_bytes, w.content_hash
                );
            }
        }
        RecordCommand::Rotate {
            id,
            keep,
            keep_none,
            on_chain_max,
            store,
        } => {
            let signer = ctx.signer()?;
            let store = store.store()?;
            check_on_chain_max(*on_chain_max)?;
            let keep = if *keep_none {
                Keep::Only(Vec::new())
            } else if keep.is_empty() {
                Keep::CurrentReaders
            } else {
                Keep::Only(
                    keep.iter()
                        .map(|k| ctx.principal(k))
                        .collect::<anyhow::Result<Vec<_>>>()?,
                )
            };
            let journal = Journal::new(
                "record-rotate",
                &[
                    ctx.network().to_string().as_bytes(),
                    signer.address.to_string().as_bytes(),
                    &id.to_be_bytes(),
                ],
            )?;
            let pending = journal.load::<PendingWrite>()?;
            if pending.is_some() && !ctx.args.json {
                eprintln!(
                    "  resuming an interrupted rotation of record #{id} (progress in {})",
                    journal.path().display()
                );
            }
            let saving = journal.clone();
            let resume = records::Resume {
                pending,
                saved: Box::new(move |progress| saving.save_or_warn(progress)),
            };
            let rotated = ctx
                .block_on(records::rotate_record_resumably(
                    &client,
                    &signer.key,
                    *id,
                    keep,
                    *on_chain_max,
                    &store,
                    &options(ctx)?,
                    resume,
                ))
                .map_err(|e| {
                    record_error(e).context(format!(
                        "the rotation of record #{id} stopped; run the same command again to finish it (progress is kept in {})",
                        journal.path().display()
                    ))
                })?;
            journal.remove()?;
            if ctx.args.json {
                output::json(&rotated)?;
            } else {
                println!("{}", rotated_words(&rotated));
            }
        }
        RecordCommand::Share { id, to } => {
            let signer = ctx.signer()?;
            let grantee = ctx.principal(to)?;
            let mined = ctx
                .block_on(records::share_record(
                    &client,
                    &signer.key,
                    *id,
                    &grantee,
                    &options(ctx)?,
                ))
                .map_err(record_error)?;
            report(
                ctx,
                &mined,
                &format!("record #{id} shared with {grantee}"),
                serde_json::json!({ "record": id, "grantee": grantee.to_string() }),
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The size of `file`, from its metadata: known before anything is read.
fn file_len(file: &Path) -> anyhow::Result<u64> {
    Ok(std::fs::metadata(file)
        .with_context(|| format!("reading {}", file.display()))?
        .len())
}

fn open_file(file: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::File::open(file).with_context(|| format!("reading {}", file.display()))
}

/// Whether `file` is sealed as a stream straight into the store (memory bounded whatever
/// its size): it is too large for the chain and is not JSON. FHIR JSON is read whole, to
/// split a Bundle into its records.
fn streamed(file: &Path, len: u64, on_chain_max: usize) -> anyhow::Result<bool> {
    if records::fits_on_chain(len, on_chain_max) {
        return Ok(false);
    }
    let mut head = Vec::new();
    open_file(file)?
        .take(512)
        .read_to_end(&mut head)
        .with_context(|| format!("reading {}", file.display()))?;
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    Ok(head.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{'))
}

/// A file to write, as the write takes it.
enum Content {
    /// Read whole (small, or FHIR JSON).
    Whole(Vec<u8>),
    /// Streamed into a store through a staged upload; its SHA-256.
    Streamed([u8; 32]),
}

/// `$EHR_HOME/uploads`: where large records are sealed and staged before their upload.
fn uploads_dir() -> anyhow::Result<PathBuf> {
    Ok(crate::context::ehr_home()?.join("uploads"))
}

/// Tells the user how an interrupted upload staged in `dir` goes on.
fn say_resumable(ctx: &Context, dir: &Path) {
    if !ctx.args.json {
        eprintln!(
            "  if this is interrupted, run the same command again: the upload resumes where it stopped (staged in {})",
            dir.display()
        );
    }
}

/// sha256 of `file`, read in pieces: what names a streamed write's journal.
fn file_sha256(file: &Path) -> anyhow::Result<[u8; 32]> {
    use sha2::Digest as _;
    let mut hash = sha2::Sha256::new();
    std::io::copy(&mut open_file(file)?, &mut hash)
        .with_context(|| format!("reading {}", file.display()))?;
    Ok(hash.finalize().into())
}

/// A writer that remembers the last byte through it (to end a terminal's output with a
/// newline).
struct LastByte<W> {
    inner: W,
    last: Option<u8>,
}

impl<W: Write> Write for LastByte<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        if n > 0 {
            self.last = Some(buf[n - 1]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Refuses an `--on-chain-max` above what fits on chain.
pub fn check_on_chain_max(on_chain_max: usize) -> anyhow::Result<()> {
    let limit = records::CHUNK_SIZE * records::MAX_CHUNKS;
    if on_chain_max > limit {
        bail!("--on-chain-max {on_chain_max}: at most {limit} bytes fit on chain");
    }
    Ok(())
}

/// One line on a rotation: the new version and who kept access.
pub fn rotated_words(r: &Rotated) -> String {
    format!(
        "record #{} re-sealed under a new key as #{}; envelopes for the patient{}",
        r.from,
        r.written.record_id,
        r.kept.iter().map(|k| format!(", {k}")).collect::<String>()
    )
}

fn where_stored(r: &Record) -> String {
    if r.locator == records::ON_CHAIN {
        format!("on chain ({} chunks)", r.chunk_count)
    } else {
        r.locator.clone()
    }
}

/// Keeps a refusal's exit code, and makes failed decryption or hash checks exit 6.
/// Writes one record so that an interruption loses nothing: the sealed record and each
/// transaction sent are saved in `journal` before waiting, and a rerun of the same command
/// resumes from there (see `records::finish_write`). The caller removes the journal once
/// the whole command has succeeded.
fn write_resumably<'a, F>(
    ctx: &Context,
    client: &'a EhrClient,
    signer: &SecretKey,
    journal: &Journal,
    options: &SendOptions,
    fresh: impl FnOnce() -> F,
) -> anyhow::Result<Written>
where
    F: std::future::Future<Output = Result<PendingWrite, RecordError>> + 'a,
{
    let mut pending = match journal.load::<PendingWrite>()? {
        Some(pending) => {
            if !ctx.args.json {
                eprintln!(
                    "  resuming an interrupted write of this {} record (progress in {})",
                    pending.record_type,
                    journal.path().display()
                );
            }
            pending
        }
        None => {
            let pending = ctx.block_on(fresh()).map_err(|e| {
                let stopped = matches!(e, RecordError::UploadStopped { .. });
                let error = record_error(e);
                if stopped {
                    error.context(format!(
                        "the upload stopped; run the same command again to resume it: {}",
                        crate::context::rerun_command()
                    ))
                } else {
                    error
                }
            })?;
            journal.save(&pending)?;
            pending
        }
    };
    let done = ctx.block_on(records::finish_write(
        client,
        signer,
        &mut pending,
        options,
        &mut |progress| journal.save_or_warn(progress),
    ));
    let error = match done {
        Ok(written) => return Ok(written),
        Err(e) => record_error(e),
    };
    // The chain refused the record (or mined it without writing it, on a bare node).
    let refused = matches!(
        client_error(&error),
        Some(ClientError::Refused { .. } | ClientError::Aborted { .. })
    ) || error.chain().any(|c| {
        matches!(
            c.downcast_ref::<RecordError>(),
            Some(RecordError::NotWritten { .. })
        )
    });
    if refused && pending.record_id.is_none() {
        // The chain refused the record itself: nothing was written, nothing to finish.
        journal.remove()?;
        return Err(error.context("the record was not written"));
    }
    Err(error.context(format!(
        "the record write stopped{}; run the same command again to finish it (progress is kept in {}): {}",
        match pending.record_id {
            Some(id) => format!(" after record #{id} was created"),
            None => String::new(),
        },
        journal.path().display(),
        crate::context::rerun_command()
    )))
}

pub fn record_error(e: RecordError) -> anyhow::Error {
    match e {
        RecordError::Client(c) => anyhow::Error::new(c),
        refused @ RecordError::AccessRefused { .. } => anyhow::Error::new(Refused(refused.to_string())),
        RecordError::Refused(why) => super::send::refusal(why.into()),
        RecordError::Crypto(c) => anyhow::Error::new(VerifyFailed(format!(
            "{c}: the record cannot be opened with this account's key, or its bytes do not match the on-chain hash"
        ))),
        // A copy that does not match the chain is a failed check, like a hash mismatch.
        changed if changed.has_changed_copy() => {
            anyhow::Error::new(VerifyFailed(changed.to_string()))
        }
        other => anyhow::Error::new(other),
    }
}
