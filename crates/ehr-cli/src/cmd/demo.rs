//! `ehr demo`: the grant/revoke walkthrough, printed step by step.
//!
//! It runs on the simnet (the chain in this process), so it needs no node. Every
//! expectation it prints is also checked: if the chain ever lets the revoked doctor read,
//! the command fails with exit code 3.

use std::process::ExitCode;

use anyhow::{bail, Context};
use clarity::vm::types::{SequenceData, Value};
use ehr_harness::ehr::values::{ascii, bytes};
use ehr_harness::ehr::EhrSimnet;
use ehr_harness::simnet::Receipt;
use ehr_sdk::audit::{verify_chain, AuditEntry};
use ehr_sdk::crypto::{decrypt_record, encrypt_record, RecordContext};
use ehr_sdk::disclosure::commitment;
use ehr_sdk::literal::to_literal;
use sha2::{Digest, Sha256};

const PATIENT: &str = "wallet_1";
const DOCTOR: &str = "wallet_2";
const ISSUER: &str = "wallet_3";

/// A FHIR R4 Observation: the record the patient stores.
const RECORD: &str = r#"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"718-7","display":"Hemoglobin [Mass/volume] in Blood"}]},"valueQuantity":{"value":13.5,"unit":"g/dL"}}"#;

struct Walk {
    ehr: EhrSimnet,
    json: bool,
    step: usize,
    log: Vec<serde_json::Value>,
}

/// A step's outcome did not match what the contracts must do (exit code 3).
#[derive(Debug)]
struct Unexpected(String);

impl std::fmt::Display for Unexpected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expectation failed: {}", self.0)
    }
}

impl std::error::Error for Unexpected {}

impl Walk {
    fn say(&mut self, title: &str, detail: String, receipt: Option<&Receipt>) {
        self.step += 1;
        let cost = receipt.map(|r| r.cost);
        if self.json {
            self.log.push(serde_json::json!({
                "step": self.step, "title": title, "detail": detail,
                "result": receipt.map(|r| to_literal(&r.result)),
                "cost": cost, "block": receipt.map(|r| r.block_height),
            }));
        } else {
            println!("{:>2}. {title}", self.step);
            for line in detail.lines() {
                println!("      {line}");
            }
            if let Some(r) = receipt {
                println!(
                    "      -> {}  (block {}, runtime {}, reads {}, writes {})",
                    to_literal(&r.result),
                    r.block_height,
                    r.cost.runtime,
                    r.cost.read_count,
                    r.cost.write_count
                );
            }
        }
    }

    fn call(
        &mut self,
        who: &str,
        contract: &str,
        function: &str,
        args: &[Value],
    ) -> anyhow::Result<Receipt> {
        self.ehr
            .call(who, contract, function, args)
            .with_context(|| format!("{contract}.{function} as {who}"))
    }

    fn read(&mut self, contract: &str, function: &str, args: &[Value]) -> anyhow::Result<Value> {
        Ok(self
            .ehr
            .read(contract, function, args)
            .with_context(|| format!("{contract}.{function}"))?
            .result)
    }

    fn addr(&self, who: &str) -> String {
        self.ehr.account(who).address.to_string()
    }
}

fn expect(ok: bool, what: &str) -> anyhow::Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Unexpected(what.to_string()).into())
    }
}

fn committed(r: &Receipt, what: &str) -> anyhow::Result<()> {
    expect(
        r.committed,
        &format!("{what} should succeed, got {}", to_literal(&r.result)),
    )
}

pub fn run(json: bool) -> anyhow::Result<ExitCode> {
    match walk(json) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.downcast_ref::<Unexpected>().is_some() => {
            eprintln!("error: {e:#}");
            Ok(ExitCode::from(3))
        }
        Err(e) => Err(e),
    }
}

fn walk(json: bool) -> anyhow::Result<()> {
    let ehr = EhrSimnet::new().context("starting the chain and deploying the contracts")?;
    let mut w = Walk {
        ehr,
        json,
        step: 0,
        log: Vec::new(),
    };
    let height = w.ehr.sim.block_height();
    w.say(
        "Start an in-process Stacks chain (Clarity 2, epoch 2.4) and deploy the EHR contracts",
        format!(
            "9 contracts by deployer {}; chain at block {height}",
            w.addr("deployer")
        ),
        None,
    );

    let (patient, doctor, issuer) = (
        w.ehr.principal(PATIENT),
        w.ehr.principal(DOCTOR),
        w.ehr.principal(ISSUER),
    );
    let issuer_key = w.ehr.account(ISSUER).secret_key.public_key().to_bytes();
    let r = w.call(
        "deployer",
        "doctor-registry",
        "set-issuer",
        &[issuer.clone().into(), bytes(&issuer_key), Value::Bool(true)],
    )?;
    committed(&r, "set-issuer")?;
    w.say(
        "The admin registers a credential issuer",
        format!("issuer {}", w.addr(ISSUER)),
        Some(&r),
    );

    // Identity hashes are salted: a bare hash of an id number is brute-forced in seconds.
    let salt = Sha256::digest(b"patient's own random salt, kept off chain");
    let id_hash = commitment(&salt.into(), b"national-id:1985-04-12-0042");
    let patient_pub = w.ehr.account(PATIENT).secret_key.public_key();
    let r = w.call(
        PATIENT,
        "patient-registry",
        "register-patient",
        &[bytes(&id_hash), bytes(&patient_pub.to_bytes())],
    )?;
    committed(&r, "register-patient")?;
    w.say(
        "The patient registers",
        format!(
            "{} with a salted identity hash and an encryption key",
            w.addr(PATIENT)
        ),
        Some(&r),
    );

    let doctor_pub = w.ehr.account(DOCTOR).secret_key.public_key();
    let license = commitment(
        &Sha256::digest(b"doctor's salt").into(),
        b"license:MD-55-0913",
    );
    let r = w.call(
        DOCTOR,
        "doctor-registry",
        "register-doctor",
        &[
            bytes(&license),
            bytes(&doctor_pub.to_bytes()),
            ascii("haematology"),
        ],
    )?;
    committed(&r, "register-doctor")?;
    w.say(
        "A doctor registers",
        format!("{} (haematology)", w.addr(DOCTOR)),
        Some(&r),
    );

    let until = u128::from(w.ehr.sim.block_height()) + 10_000;
    let r = w.call(
        ISSUER,
        "doctor-registry",
        "verify-doctor",
        &[doctor.clone().into(), Value::UInt(until)],
    )?;
    committed(&r, "verify-doctor")?;
    w.say(
        "The issuer verifies the doctor's credential",
        format!("valid until block {until}"),
        Some(&r),
    );

    // Encrypt on the client: nothing readable leaves the patient's device.
    let patient_text = patient.to_string();
    let context = RecordContext {
        patient: &patient_text,
        record_type: "lab",
    };
    let sealed = encrypt_record(RECORD.as_bytes(), context, &[patient_pub.clone()])?;
    let r = w.call(
        PATIENT,
        "ehr-storage",
        "add-record",
        &[
            patient.clone().into(),
            ascii("lab"),
            bytes(&sealed.content_hash),
            ascii("chain:chunks"),
            bytes(&sealed.envelopes[0]),
        ],
    )?;
    committed(&r, "add-record")?;
    let record_id = match r.result.clone().expect_result_ok()? {
        Value::UInt(id) => id,
        other => bail!("add-record returned {other}"),
    };
    let chunks: Vec<&[u8]> = sealed.sealed.chunks(1024).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let c = w.call(
            PATIENT,
            "ehr-storage",
            "put-chunk",
            &[Value::UInt(record_id), Value::UInt(i as u128), bytes(chunk)],
        )?;
        committed(&c, "put-chunk")?;
    }
    w.say(
        "The patient encrypts a FHIR Observation and stores it whole on chain",
        format!(
            "record #{record_id}: {} plaintext bytes sealed to {} bytes in {} chunk(s)\ncontent hash {}",
            RECORD.len(),
            sealed.sealed.len(),
            chunks.len(),
            hex::encode(sealed.content_hash)
        ),
        Some(&r),
    );

    let expires = u128::from(w.ehr.sim.block_height()) + 1_000;
    let r = w.call(
        PATIENT,
        "permission-manager",
        "grant-access",
        &[
            doctor.clone().into(),
            Value::UInt(1),
            Value::none(),
            Value::UInt(expires),
        ],
    )?;
    committed(&r, "grant-access")?;
    let token = r.result.clone().expect_result_ok()?;
    w.say(
        "The patient grants the doctor read access",
        format!("access token {} until block {expires}", to_literal(&token)),
        Some(&r),
    );

    let envelope = ehr_sdk::crypto::wrap_key(
        &ehr_sdk::crypto::unwrap_key(&sealed.envelopes[0], &w.ehr.account(PATIENT).secret_key)?,
        &doctor_pub,
    )?;
    let r = w.call(
        PATIENT,
        "ehr-storage",
        "put-envelope",
        &[
            Value::UInt(record_id),
            doctor.clone().into(),
            bytes(&envelope),
        ],
    )?;
    committed(&r, "put-envelope")?;
    w.say(
        "The patient shares the record's key with the doctor",
        format!(
            "an {}-byte envelope only the doctor's key opens",
            envelope.len()
        ),
        Some(&r),
    );

    let plain = doctor_reads(&mut w, record_id, &patient_text)?;
    expect(
        plain == RECORD,
        "the doctor decrypts exactly the stored record",
    )?;
    let r = w.call(
        DOCTOR,
        "ehr-storage",
        "log-access",
        &[token.clone(), Value::UInt(record_id), ascii("view")],
    )?;
    committed(&r, "log-access")?;
    w.say(
        "The doctor fetches, checks the hash, decrypts, and logs the view on chain",
        format!("read: {plain}"),
        Some(&r),
    );

    let r = w.call(
        PATIENT,
        "permission-manager",
        "revoke-access",
        &[token.clone()],
    )?;
    committed(&r, "revoke-access")?;
    w.say(
        "The patient revokes the doctor's access",
        format!("token {} burned", to_literal(&token)),
        Some(&r),
    );

    let has = w.read(
        "permission-manager",
        "has-access",
        &[
            patient.clone().into(),
            doctor.clone().into(),
            Value::UInt(1),
            Value::some(ascii("lab"))?,
        ],
    )?;
    expect(
        has == Value::Bool(false),
        "has-access is false after revocation",
    )?;
    let r = w.call(
        DOCTOR,
        "ehr-storage",
        "log-access",
        &[token, Value::UInt(record_id), ascii("view")],
    )?;
    expect(!r.committed, "a revoked doctor cannot log a view")?;
    let r2 = w.call(
        PATIENT,
        "ehr-storage",
        "put-envelope",
        &[
            Value::UInt(record_id),
            doctor.clone().into(),
            bytes(&envelope),
        ],
    )?;
    expect(!r2.committed, "no new key envelope for a revoked doctor")?;
    w.say(
        "The doctor is refused",
        format!(
            "has-access: false; log-access: {} (no access); new envelope: {} (holder has no access)\n\
             (a key read before revocation cannot be forgotten: rotate the record's key to cut it off)",
            to_literal(&r.result),
            to_literal(&r2.result)
        ),
        Some(&r),
    );

    let count = match w.read("audit-log", "get-entry-count", &[])? {
        Value::UInt(n) => n,
        other => bail!("get-entry-count returned {other}"),
    };
    let mut entries = Vec::new();
    for id in 0..count {
        let v = w.read("audit-log", "get-entry", &[Value::UInt(id)])?;
        let v = v.expect_optional()?.context("audit entry missing")?;
        entries.push(AuditEntry::from_value(id, &v)?);
    }
    verify_chain(&entries, [0; 32]).context("the audit log's hash chain")?;
    let trail: Vec<String> = entries
        .iter()
        .filter(|e| e.patient == patient_text)
        .map(|e| {
            format!(
                "#{:<3} block {:<4} {:<18} by {}",
                e.id, e.block, e.action, e.actor
            )
        })
        .collect();
    w.say(
        "The audit trail: every step on the patient's record, hash chain verified",
        format!(
            "{} entries in the log, {} about the patient:\n{}",
            entries.len(),
            trail.len(),
            trail.join("\n")
        ),
        None,
    );

    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "steps": w.log, "audit": entries }))?
        );
    } else {
        println!("\nDone: granted, read, revoked, refused, audited.");
    }
    Ok(())
}

/// The doctor's side of a read: its envelope, the chunks, the hash check, decryption.
fn doctor_reads(w: &mut Walk, record_id: u128, patient: &str) -> anyhow::Result<String> {
    let doctor = w.ehr.principal(DOCTOR);
    let record = w
        .read("ehr-storage", "get-record", &[Value::UInt(record_id)])?
        .expect_optional()?
        .context("record missing")?;
    let Value::Tuple(record) = record else {
        bail!("record is not a tuple")
    };
    let chunk_count = match record.get("chunk-count")? {
        Value::UInt(n) => *n,
        other => bail!("chunk-count is {other}"),
    };
    let expected: [u8; 32] = record
        .get("content-hash")?
        .clone()
        .expect_buff(32)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("bad hash"))?;
    let mut sealed = Vec::new();
    for i in 0..chunk_count {
        let c = w.read(
            "ehr-storage",
            "get-chunk",
            &[Value::UInt(record_id), Value::UInt(i)],
        )?;
        match c.expect_optional()? {
            Some(Value::Sequence(SequenceData::Buffer(b))) => sealed.extend_from_slice(&b.data),
            other => bail!("chunk {i} is {other:?}"),
        }
    }
    let envelope = w
        .read(
            "ehr-storage",
            "get-envelope",
            &[Value::UInt(record_id), doctor.into()],
        )?
        .expect_optional()?
        .context("no envelope for the doctor")?
        .expect_buff(128)?;
    let key = &w.ehr.account(DOCTOR).secret_key;
    let plain = decrypt_record(
        &sealed,
        &envelope,
        key,
        RecordContext {
            patient,
            record_type: "lab",
        },
        Some(&expected),
    )?;
    Ok(String::from_utf8(plain)?)
}
