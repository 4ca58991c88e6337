//! Making and checking a claim proof: one committed field of a signed set, one predicate,
//! a Bulletproofs range proof (64-bit, aggregated for two-sided predicates) over the
//! offsets, in a Merlin transcript bound to every other field of the proof.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use bulletproofs::{BulletproofGens, PedersenGens, RangeProof};
use curve25519_dalek::ristretto::CompressedRistretto;
use merlin::Transcript;
use rand_core::OsRng;

use super::commit::{
    check_author_signature, commit, set_digest, ClaimsSecret, Entry, RecordRef, SignedSet,
};
use super::predicate::{Predicate, Side};
use super::value::FieldKind;
use super::ClaimsError;

/// Bits each offset is proven to fit: offsets are in `[0, 2^64)`.
pub const RANGE_BITS: usize = 64;
/// A date-within claim may name a day at most this far after the verifier's today (clock
/// skew across time zones).
pub const FUTURE_SLACK_DAYS: i64 = 1;

/// Generators for up to two aggregated 64-bit proofs, made once.
fn bp_gens() -> &'static BulletproofGens {
    static GENS: OnceLock<BulletproofGens> = OnceLock::new();
    GENS.get_or_init(|| BulletproofGens::new(RANGE_BITS, 2))
}

/// A zero-knowledge proof that a record's field satisfies a predicate, as a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimProof {
    /// Format version, [`super::VERSION`].
    pub version: u32,
    /// What is proven, in words (checked against the rest when verified).
    pub claim: String,
    /// What a verifier learns besides the claim, in words (checked likewise).
    pub leaks: String,
    /// The record the claim is about.
    pub record: RecordRef,
    /// The block the record was written in.
    pub created_at: u64,
    /// The committed field (its commitment, never its value).
    pub entry: Entry,
    /// Its place in the signed set.
    pub entry_index: u32,
    /// The hashes of all entries of the set (the others stay closed).
    #[serde(with = "super::hexser::hashes")]
    pub entry_hashes: Vec<[u8; 32]>,
    /// The author's signature over the set digest.
    #[serde(with = "super::hexser::array")]
    pub author_signature: [u8; 65],
    /// The predicate.
    pub predicate: Predicate,
    /// The Bulletproofs range proof.
    #[serde(with = "super::hexser::bytes")]
    pub range_proof: Vec<u8>,
}

/// What [`ClaimProof::verify`] established, before the chain is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The set digest, which must be the record's on-chain anchor.
    pub anchor: [u8; 32],
}

/// The claim in words.
fn claim_text(record: &RecordRef, entry: &Entry, predicate: &Predicate) -> String {
    let about = if entry.context.is_empty() {
        String::new()
    } else {
        format!(" (about {})", entry.context)
    };
    let scale = match &entry.kind {
        FieldKind::Date => "a date, counted in days".to_string(),
        FieldKind::Decimal { decimals, unit } => {
            format!("a decimal kept to {decimals} decimals, unit `{unit}`")
        }
    };
    format!(
        "In record #{} (patient {}), {}{about} {}; the value is {scale}, as committed and signed by the record's author {}.",
        record.id,
        record.patient,
        entry.path,
        predicate.describe(&entry.kind),
        record.author
    )
}

/// What leaks, in words.
fn leaks_text(record: &RecordRef, created_at: u64, entry: &Entry, fields: usize) -> String {
    format!(
        "The value itself is not revealed. Revealed: the predicate and its bounds; the field path {} and what it is about; \
         record #{} in {}, its patient {} and author {}; when the record was written (block {}) and its content hash; \
         that the author committed {} field(s) for this record.",
        entry.path, record.id, record.storage, record.patient, record.author, created_at, fields
    )
}

impl ClaimProof {
    /// Proves `predicate` about field `path` of the record `set` was signed for. `value`
    /// is the field's integer as read from the decrypted record, `secret` the record's
    /// claims secret, `created_at` its block. Refused when the value does not satisfy
    /// the predicate, or does not match the signed commitment.
    pub fn create(
        set: &SignedSet,
        created_at: u64,
        path: &str,
        value: i64,
        secret: &ClaimsSecret,
        predicate: Predicate,
    ) -> Result<Self, ClaimsError> {
        if set.version != super::VERSION {
            return Err(ClaimsError::Version(set.version));
        }
        set.check_signature()?;
        let (index, entry) = set.entry(path)?;
        let blinding = secret.blinding(set.record.id, path);
        if commit(value, &blinding).to_bytes() != entry.commitment {
            return Err(ClaimsError::CommitmentMismatch(path.to_string()));
        }
        let sides = predicate.sides(&entry.kind)?;
        let offsets = sides
            .iter()
            .map(|s| s.offset(value))
            .collect::<Option<Vec<u64>>>()
            .ok_or_else(|| ClaimsError::NotTrue {
                claim: format!("{path} {}", predicate.describe(&entry.kind)),
            })?;
        let blindings: Vec<_> = sides.iter().map(|s| s.blinding(&blinding)).collect();
        Self::assemble(set, created_at, index, predicate, &offsets, &blindings)
    }

    /// The proof of `offsets` (with their `blindings`) for entry `index` of `set`: no
    /// check that they are the right ones, which is [`ClaimProof::create`]'s job.
    fn assemble(
        set: &SignedSet,
        created_at: u64,
        index: usize,
        predicate: Predicate,
        offsets: &[u64],
        blindings: &[curve25519_dalek::scalar::Scalar],
    ) -> Result<Self, ClaimsError> {
        let entry = &set.entries[index];
        let mut proof = ClaimProof {
            version: super::VERSION,
            claim: claim_text(&set.record, entry, &predicate),
            leaks: leaks_text(&set.record, created_at, entry, set.entries.len()),
            record: set.record.clone(),
            created_at,
            entry: entry.clone(),
            entry_index: u32::try_from(index)
                .map_err(|_| ClaimsError::Malformed("too many entries".into()))?,
            entry_hashes: set.entries.iter().map(Entry::hash).collect(),
            author_signature: set.signature,
            predicate,
            range_proof: Vec::new(),
        };
        let mut transcript = proof.transcript()?;
        let (range, _) = RangeProof::prove_multiple_with_rng(
            bp_gens(),
            &PedersenGens::default(),
            &mut transcript,
            offsets,
            blindings,
            RANGE_BITS,
            &mut OsRng,
        )
        .map_err(|e| ClaimsError::Proving(format!("{e:?}")))?;
        proof.range_proof = range.to_bytes();
        Ok(proof)
    }

    /// The transcript the range proof is bound to: every field of the proof but the
    /// range proof itself, in its canonical JSON form.
    fn transcript(&self) -> Result<Transcript, ClaimsError> {
        let statement = ClaimProof {
            range_proof: Vec::new(),
            ..self.clone()
        };
        let bytes =
            serde_json::to_vec(&statement).map_err(|e| ClaimsError::Malformed(e.to_string()))?;
        let mut t = Transcript::new(b"ehr-claims/v1/range-proof");
        t.append_message(b"statement", &bytes);
        Ok(t)
    }

    /// Checks everything that needs no chain: the version, the texts, the opened entry
    /// against the entry hashes, the author's signature over the set digest, and the range
    /// proof. `today` (days since 1970-01-01) bounds a date-within claim's day. The
    /// returned anchor must then equal the record's on-chain anchor
    /// ([`super::verify_on_chain`] does all of it).
    pub fn verify(&self, today: i64) -> Result<Checked, ClaimsError> {
        if self.version != super::VERSION {
            return Err(ClaimsError::Version(self.version));
        }
        let sides = self.predicate.sides(&self.entry.kind)?;
        if let Predicate::DateWithin { as_of, .. } = self.predicate {
            if as_of > today + FUTURE_SLACK_DAYS {
                return Err(ClaimsError::BadPredicate(format!(
                    "the claim speaks of {}, after today",
                    FieldKind::Date.show(as_of)
                )));
            }
        }
        let index = usize::try_from(self.entry_index).unwrap_or(usize::MAX);
        if self.entry_hashes.get(index) != Some(&self.entry.hash()) {
            return Err(ClaimsError::Malformed(
                "the opened field is not the one at its place in the signed set".into(),
            ));
        }
        if self.claim != claim_text(&self.record, &self.entry, &self.predicate) {
            return Err(ClaimsError::Malformed(
                "the claim text does not match the proof".into(),
            ));
        }
        if self.leaks
            != leaks_text(
                &self.record,
                self.created_at,
                &self.entry,
                self.entry_hashes.len(),
            )
        {
            return Err(ClaimsError::Malformed(
                "the leakage text does not match the proof".into(),
            ));
        }
        let anchor = set_digest(&self.record, &self.entry_hashes);
        check_author_signature(&self.record.author, &anchor, &self.author_signature)?;
        let c = CompressedRistretto(self.entry.commitment)
            .decompress()
            .ok_or_else(|| {
                ClaimsError::Malformed("the commitment is not a Ristretto point".into())
            })?;
        let pc = PedersenGens::default();
        let commitments: Vec<CompressedRistretto> = sides
            .iter()
            .map(|s: &Side| s.commitment(&c, &pc.B).compress())
            .collect();
        let range = RangeProof::from_bytes(&self.range_proof)
            .map_err(|_| ClaimsError::Malformed("the range proof is not well formed".into()))?;
        range
            .verify_multiple_with_rng(
                bp_gens(),
                &pc,
                &mut self.transcript()?,
                &commitments,
                RANGE_BITS,
                &mut OsRng,
            )
            .map_err(|_| ClaimsError::ProofRejected)?;
        Ok(Checked { anchor })
    }

    /// Reads a proof file (JSON).
    pub fn from_json(bytes: &[u8]) -> Result<Self, ClaimsError> {
        serde_json::from_slice(bytes).map_err(|e| ClaimsError::Malformed(e.to_string()))
    }

    /// The proof as a file (pretty JSON).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|_| unreachable!("strings, integers and hex always serialise"))
    }

    /// The proof as one short line of URL-safe text, for a QR code or a link:
    /// [`COMPACT_PREFIX`] then the DEFLATE-compressed JSON in unpadded base64url (about
    /// 2 KB for a proof whose file is 3 KB). The same proof, the same checks: only the
    /// transport differs.
    pub fn to_compact(&self) -> String {
        let json = serde_json::to_vec(self)
            .unwrap_or_else(|_| unreachable!("strings, integers and hex always serialise"));
        let packed = miniz_oxide::deflate::compress_to_vec(&json, 10);
        format!("{COMPACT_PREFIX}{}", URL_SAFE_NO_PAD.encode(packed))
    }

    /// Reads a proof in any of the forms it travels in: the JSON file, the compact text
    /// ([`ClaimProof::to_compact`]), or a verifier link whose `proof` query parameter
    /// holds the compact text (what the dashboard's QR code says).
    pub fn parse(bytes: &[u8]) -> Result<Self, ClaimsError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| {
                ClaimsError::Malformed("a proof is text (JSON or a compact proof)".into())
            })?
            .trim();
        if text.starts_with('{') {
            return Self::from_json(text.as_bytes());
        }
        let compact = match text.split_once("?") {
            Some((_, query)) => query
                .split('&')
                .find_map(|pair| pair.strip_prefix("proof="))
                .ok_or_else(|| {
                    ClaimsError::Malformed("the link has no `proof` parameter".into())
                })?,
            None => text,
        };
        let packed = compact
            .strip_prefix(COMPACT_PREFIX)
            .ok_or_else(|| {
                ClaimsError::Malformed(format!(
                    "not a proof: a proof is a JSON file, a compact proof starting with `{COMPACT_PREFIX}`, or a verifier link with one"
                ))
            })?;
        let packed = URL_SAFE_NO_PAD.decode(packed).map_err(|e| {
            ClaimsError::Malformed(format!("the compact proof is not base64url: {e}"))
        })?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_PROOF_JSON)
            .map_err(|e| match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ClaimsError::Malformed(
                    format!("the compact proof unpacks to more than {MAX_PROOF_JSON} bytes"),
                ),
                _ => ClaimsError::Malformed("the compact proof does not unpack".into()),
            })?;
        Self::from_json(&json)
    }
}

/// What a compact proof starts with: the transport's name and version.
pub const COMPACT_PREFIX: &str = "ehrp1.";

/// The largest proof JSON a compact proof may unpack to (a proof is about 3 KB; this
/// bounds what a hostile link can make a verifier allocate).
pub const MAX_PROOF_JSON: usize = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::fields::FieldValue;
    use crate::crypto::DataKey;
    use crate::keys::SecretKey;

    /// A cheating prover skips the truth check and proves the offset wrapped into 64 bits
    /// (`-1` as `2^64 - 1`) under the right blinding: what it proves is not committed in
    /// `C`, so the verifier refuses.
    #[test]
    fn a_cheating_prover_cannot_prove_a_false_bound() {
        let secret = ClaimsSecret::from_data_key(&DataKey::generate());
        let record = RecordRef {
            storage: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.ehr-storage".into(),
            id: 1,
            patient: "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5".into(),
            author: "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG".into(),
            content_hash: [1; 32],
        };
        let path = "Observation.valueQuantity.value";
        let field = FieldValue {
            path: path.into(),
            kind: FieldKind::Decimal {
                decimals: 3,
                unit: "%".into(),
            },
            context: "http://loinc.org|4548-4".into(),
            value: 6500,
        };
        let key = SecretKey::from_hex(
            "530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc209101",
        )
        .unwrap();
        let set = SignedSet::create(record, &[field], &secret, &key).unwrap();
        let r = secret.blinding(1, path);
        let below = Predicate::Below { max: 6500 };
        // 6499 - 6500 = -1, wrapped.
        let forged = ClaimProof::assemble(&set, 1, 0, below.clone(), &[u64::MAX], &[-r]).unwrap();
        assert!(matches!(forged.verify(0), Err(ClaimsError::ProofRejected)));
        // Two-sided: the true side honestly, the false one wrapped.
        let range = Predicate::Range {
            min: 6501,
            max: 7000,
        };
        let forged = ClaimProof::assemble(&set, 1, 0, range, &[u64::MAX, 500], &[r, -r]).unwrap();
        assert!(matches!(forged.verify(0), Err(ClaimsError::ProofRejected)));
        // The honest offset under a wrong blinding fails too; the honest proof passes.
        let forged = ClaimProof::assemble(&set, 1, 0, below.clone(), &[0], &[r]).unwrap();
        assert!(forged.verify(0).is_err());
        let below_more = Predicate::Below { max: 6501 };
        let honest = ClaimProof::create(&set, 1, path, 6500, &secret, below_more.clone()).unwrap();
        assert!(honest.verify(0).is_ok());
        // A set signed by another key than the author's: the prover refuses it, and a
        // proof assembled over it anyway is refused by the verifier.
        let other = SecretKey::from_hex(
            "d655b2523bcd65e34889725c73064feb17ceb796831c0e111ba1a552b0f31b3901",
        )
        .unwrap();
        let mut forged_set = set.clone();
        forged_set.signature =
            crate::disclosure::sign_rsv(&other, &super::super::commit::signing_hash(&set.digest()));
        assert!(matches!(
            ClaimProof::create(&forged_set, 1, path, 6500, &secret, below_more.clone()),
            Err(ClaimsError::BadSignature(_))
        ));
        let offsets = [0u64];
        let forged = ClaimProof::assemble(&forged_set, 1, 0, below_more, &offsets, &[-r]).unwrap();
        assert!(matches!(
            forged.verify(0),
            Err(ClaimsError::BadSignature(_))
        ));
    }

    /// A proof of HbA1c below 6.5 % for a two-field set, made honestly.
    fn sample_proof() -> ClaimProof {
        let secret = ClaimsSecret::from_data_key(&DataKey::generate());
        let record = RecordRef {
            storage: "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.ehr-storage".into(),
            id: 12,
            patient: "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5".into(),
            author: "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG".into(),
            content_hash: [7; 32],
        };
        let value = |path: &str, v| FieldValue {
            path: path.into(),
            kind: FieldKind::Decimal {
                decimals: 3,
                unit: "%".into(),
            },
            context: "http://loinc.org|4548-4".into(),
            value: v,
        };
        let fields = [
            value("Observation.valueQuantity.value", 6100),
            value("Observation.referenceRange.high.value", 6500),
        ];
        let key = SecretKey::from_hex(
            "530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc209101",
        )
        .unwrap();
        let set = SignedSet::create(record, &fields, &secret, &key).unwrap();
        let path = "Observation.valueQuantity.value";
        ClaimProof::create(&set, 1, path, 6100, &secret, Predicate::Below { max: 6500 }).unwrap()
    }

    #[test]
    fn compact_proofs_round_trip_and_fit_a_qr_code() {
        let proof = sample_proof();
        let compact = proof.to_compact();
        assert!(compact.starts_with(COMPACT_PREFIX));
        assert!(
            compact
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "URL-safe without escaping"
        );
        // A QR code holds at most 2,953 bytes (version 40, level L); keep room for the link.
        assert!(compact.len() < 2_600, "{} bytes", compact.len());
        assert!(compact.len() < proof.to_json().len());
        assert_eq!(ClaimProof::parse(compact.as_bytes()).unwrap(), proof);
        let link = format!("http://clinic.example:8080/verify-proof?lang=fr&proof={compact}");
        assert_eq!(ClaimProof::parse(link.as_bytes()).unwrap(), proof);
        assert_eq!(
            ClaimProof::parse(proof.to_json().as_bytes()).unwrap(),
            proof
        );
        assert!(ClaimProof::parse(compact.as_bytes())
            .unwrap()
            .verify(0)
            .is_ok());
    }

    #[test]
    fn a_damaged_compact_proof_is_refused_with_the_reason() {
        let proof = sample_proof();
        let compact = proof.to_compact();
        let refused = |text: &str| match ClaimProof::parse(text.as_bytes()) {
            Err(ClaimsError::Malformed(why)) => why,
            other => panic!("{text:.40}: {other:?}"),
        };
        assert!(refused("hello").contains("not a proof"));
        assert!(refused("http://h/verify-proof?x=1").contains("no `proof` parameter"));
        assert!(refused(&format!("{COMPACT_PREFIX}*not*base64")).contains("base64url"));
        assert!(refused(&format!("{COMPACT_PREFIX}AAAA")).contains("does not unpack"));
        // A bomb: a tiny text that unpacks to far more than any proof.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 10 * MAX_PROOF_JSON], 10);
        let bomb = format!("{COMPACT_PREFIX}{}", URL_SAFE_NO_PAD.encode(bomb));
        assert!(bomb.len() < 2_000);
        assert!(refused(&bomb).contains("more than"));
        // Any changed character: not a proof, or a proof that does not verify. A change in
        // the padding bits of DEFLATE's last byte unpacks to the very same proof, which is
        // not damage (the proof's content is untouched).
        let body = compact.len() - COMPACT_PREFIX.len();
        for i in (0..body).step_by(body / 97 + 1) {
            let mut bytes = compact.clone().into_bytes();
            let at = COMPACT_PREFIX.len() + i;
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            let text = String::from_utf8(bytes).unwrap();
            if let Ok(p) = ClaimProof::parse(text.as_bytes()) {
                assert!(
                    p == proof || p.verify(0).is_err(),
                    "a changed character at {at} still verifies"
                );
            }
        }
    }
}
