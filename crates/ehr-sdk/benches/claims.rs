//! Zero-knowledge claims: prove and verify time and proof size per predicate, next to a
//! plain 64-bit Bulletproofs range proof (the library's own operation, the anchor for the
//! figures: 672 bytes, one commitment).
//!
//! Run: `cargo bench -p ehr-sdk --bench claims` (RUNS=n to change the repetitions,
//! default 20). Times are medians. The proof size is the range proof's bytes; the JSON
//! file (hex, signed-set hashes, texts) is printed beside it.

use std::time::{Duration, Instant};

use bulletproofs::{BulletproofGens, PedersenGens, RangeProof};
use curve25519_dalek::scalar::Scalar;
use ehr_sdk::claims::value::parse_date;
use ehr_sdk::claims::{extract, ClaimProof, ClaimsSecret, Predicate, RecordRef, SignedSet};
use ehr_sdk::crypto::DataKey;
use ehr_sdk::keys::SecretKey;
use merlin::Transcript;
use rand_core::OsRng;

/// wallet_2 of the devnet accounts, the record's author.
const AUTHOR_KEY: &str = "530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc209101";

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let times = (0..runs)
        .map(|_| {
            let start = Instant::now();
            out = Some(f());
            start.elapsed()
        })
        .collect();
    (median(times), out.expect("at least one run"))
}

fn row(name: &str, prove: Duration, verify: Duration, bytes: usize, file: Option<usize>) {
    let file = file.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
    println!(
        "{name:<44} {:>10.2} {:>10.2} {bytes:>8} {file:>10}",
        prove.as_secs_f64() * 1e3,
        verify.as_secs_f64() * 1e3
    );
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
        .max(1);
    println!("{runs} runs each, medians");
    println!(
        "{:<44} {:>10} {:>10} {:>8} {:>10}",
        "what", "prove ms", "verify ms", "bytes", "file bytes"
    );

    // The anchor: bulletproofs' own single 64-bit range proof.
    let (bp, pc) = (BulletproofGens::new(64, 1), PedersenGens::default());
    let blinding = Scalar::from(7u64);
    let (prove, (proof, commitment)) = time(runs, || {
        RangeProof::prove_single_with_rng(
            &bp,
            &pc,
            &mut Transcript::new(b"bench"),
            1_234_567,
            &blinding,
            64,
            &mut OsRng,
        )
        .expect("proves")
    });
    let (verify, ()) = time(runs, || {
        proof
            .verify_single_with_rng(
                &bp,
                &pc,
                &mut Transcript::new(b"bench"),
                &commitment,
                64,
                &mut OsRng,
            )
            .expect("verifies")
    });
    row(
        "bulletproofs 64-bit range proof (anchor)",
        prove,
        verify,
        proof.to_bytes().len(),
        None,
    );

    let resource = serde_json::json!({
        "resourceType": "Observation",
        "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}]},
        "effectiveDateTime": "2026-10-02",
        "valueQuantity": {"value": 6.1, "unit": "%", "code": "%"}
    });
    let (values, _) = extract(&resource).expect("fields");
    let secret = ClaimsSecret::from_data_key(&DataKey::generate());
    let record = RecordRef {
        storage: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.ehr-storage".into(),
        id: 12,
        patient: "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5".into(),
        author: "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG".into(),
        content_hash: [1; 32],
    };
    let key = SecretKey::from_hex(AUTHOR_KEY).expect("key");
    let set = SignedSet::create(record, &values, &secret, &key).expect("set");
    let value = |path: &str| values.iter().find(|v| v.path == path).expect("field").value;
    let as_of = parse_date("2026-12-05").expect("date");
    let cases = [
        (
            "at-least (HbA1c >= 4 %)",
            "Observation.valueQuantity.value",
            Predicate::AtLeast { min: 4000 },
        ),
        (
            "below (HbA1c < 6.5 %)",
            "Observation.valueQuantity.value",
            Predicate::Below { max: 6500 },
        ),
        (
            "range (4 % <= HbA1c <= 6.5 %)",
            "Observation.valueQuantity.value",
            Predicate::Range {
                min: 4000,
                max: 6500,
            },
        ),
        (
            "date-within (last 365 days)",
            "Observation.effectiveDateTime",
            Predicate::DateWithin { days: 365, as_of },
        ),
    ];
    for (name, path, predicate) in cases {
        let (prove, proof) = time(runs, || {
            ClaimProof::create(&set, 100, path, value(path), &secret, predicate.clone())
                .expect("proves")
        });
        let (verify, _) = time(runs, || proof.verify(as_of).expect("verifies"));
        row(
            name,
            prove,
            verify,
            proof.range_proof.len(),
            Some(proof.to_json().len()),
        );
    }
    println!("(a claim's verify also checks the author's signature; verify_on_chain adds 3 reads)");
}
