//! Record encryption: round trips, wrong keys, every flipped bit, the envelope bound,
//! context binding and rotation.

use ehr_sdk::crypto::{
    content_hash, decrypt_record, encrypt_record, open, rotate, seal, unwrap_key, wrap_key,
    CryptoError, DataKey, RecordContext, ENVELOPE_LEN, ENVELOPE_MAX,
};
use ehr_sdk::keys::SecretKey;

// Devnet account keys (test vectors only).
const PATIENT: &str = "7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801";
const DOCTOR: &str = "530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc209101";
const OTHER: &str = "d655b2523bcd65e34889725c73064feb17ceb796831c0e111ba1a552b0f31b3901";

fn key(hex: &str) -> SecretKey {
    SecretKey::from_hex(hex).unwrap()
}

const CTX: RecordContext = RecordContext {
    patient: "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5",
    record_type: "lab",
};

#[test]
fn a_holder_opens_what_was_sealed_for_it() {
    let (patient, doctor) = (key(PATIENT), key(DOCTOR));
    let rec = encrypt_record(
        b"{\"resourceType\":\"Observation\"}",
        CTX,
        &[patient.public_key(), doctor.public_key()],
    )
    .unwrap();
    assert_eq!(rec.content_hash, content_hash(&rec.sealed));
    for (holder, env) in [(&patient, &rec.envelopes[0]), (&doctor, &rec.envelopes[1])] {
        let plain = decrypt_record(&rec.sealed, env, holder, CTX, Some(&rec.content_hash)).unwrap();
        assert_eq!(plain, b"{\"resourceType\":\"Observation\"}");
    }
}

#[test]
fn wrong_keys_and_wrong_contexts_fail() {
    let rec = encrypt_record(b"secret", CTX, &[key(DOCTOR).public_key()]).unwrap();
    assert_eq!(
        decrypt_record(&rec.sealed, &rec.envelopes[0], &key(OTHER), CTX, None),
        Err(CryptoError::Open)
    );
    let moved = RecordContext {
        patient: CTX.patient,
        record_type: "imaging",
    };
    assert_eq!(
        decrypt_record(&rec.sealed, &rec.envelopes[0], &key(DOCTOR), moved, None),
        Err(CryptoError::Open)
    );
    assert_eq!(
        open(&DataKey::generate(), &rec.sealed, CTX),
        Err(CryptoError::WrongKey)
    );
    let mut other_hash = rec.content_hash;
    other_hash[0] ^= 1;
    assert_eq!(
        decrypt_record(
            &rec.sealed,
            &rec.envelopes[0],
            &key(DOCTOR),
            CTX,
            Some(&other_hash)
        ),
        Err(CryptoError::HashMismatch)
    );
}

#[test]
fn flipping_any_bit_of_the_sealed_record_or_envelope_fails() {
    let doctor = key(DOCTOR);
    let rec = encrypt_record(b"hb=13.5", CTX, &[doctor.public_key()]).unwrap();
    for bit in 0..rec.sealed.len() * 8 {
        let mut bad = rec.sealed.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        assert!(
            decrypt_record(&bad, &rec.envelopes[0], &doctor, CTX, None).is_err(),
            "sealed bit {bit}"
        );
    }
    for bit in 0..ENVELOPE_LEN * 8 {
        let mut bad = rec.envelopes[0];
        bad[bit / 8] ^= 1 << (bit % 8);
        assert!(unwrap_key(&bad, &doctor).is_err(), "envelope bit {bit}");
    }
}

#[test]
fn envelopes_fit_the_contract_and_malformed_input_says_so() {
    assert!(ENVELOPE_LEN <= ENVELOPE_MAX);
    let env = wrap_key(&DataKey::generate(), &key(DOCTOR).public_key()).unwrap();
    assert_eq!(env.len(), 82);
    assert!(matches!(
        unwrap_key(&env[..81], &key(DOCTOR)),
        Err(CryptoError::Malformed {
            what: "envelope",
            ..
        })
    ));
    let mut v2 = env;
    v2[0] = 2;
    assert!(matches!(
        unwrap_key(&v2, &key(DOCTOR)),
        Err(CryptoError::Malformed { .. })
    ));
    assert!(matches!(
        open(&DataKey::generate(), &[1, 2, 3], CTX),
        Err(CryptoError::Malformed {
            what: "sealed record",
            ..
        })
    ));
    // Sealing twice gives different bytes (fresh nonce), both open.
    let k = DataKey::generate();
    let (a, b) = (seal(&k, b"x", CTX), seal(&k, b"x", CTX));
    assert_ne!(a, b);
    assert_eq!(open(&k, &a, CTX).unwrap(), open(&k, &b, CTX).unwrap());
}

#[test]
fn rotation_leaves_removed_holders_behind() {
    let (patient, doctor, other) = (key(PATIENT), key(DOCTOR), key(OTHER));
    let first = encrypt_record(
        b"diagnosis",
        CTX,
        &[
            patient.public_key(),
            doctor.public_key(),
            other.public_key(),
        ],
    )
    .unwrap();
    // The patient rotates, keeping itself and the doctor; `other` was revoked.
    let second = rotate(
        &first.sealed,
        &first.envelopes[0],
        &patient,
        CTX,
        &[patient.public_key(), doctor.public_key()],
    )
    .unwrap();
    assert_ne!(second.content_hash, first.content_hash);
    assert_eq!(
        decrypt_record(&second.sealed, &second.envelopes[1], &doctor, CTX, None).unwrap(),
        b"diagnosis"
    );
    // The revoked holder's old envelope opens its old key, which no longer opens the record.
    let old_key = unwrap_key(&first.envelopes[2], &other).unwrap();
    assert_eq!(
        open(&old_key, &second.sealed, CTX),
        Err(CryptoError::WrongKey)
    );
    assert_eq!(
        decrypt_record(&second.sealed, &second.envelopes[1], &other, CTX, None),
        Err(CryptoError::Open)
    );
}

#[test]
fn a_sealed_record_opens_under_one_key_only() {
    // The key commitment binds the blob to its data key: a writer cannot hand two holders
    // two keys for one blob (one content hash) and have each read something different.
    let k1 = DataKey::generate();
    let k2 = DataKey::generate();
    let sealed = seal(&k1, b"record", CTX);
    assert_eq!(open(&k2, &sealed, CTX), Err(CryptoError::WrongKey));
    // Swapping in the other key's commitment does not help: the AEAD then fails.
    let mut forged = sealed.clone();
    let other = seal(&k2, b"record", CTX);
    forged[1..33].copy_from_slice(&other[1..33]);
    assert!(open(&k2, &forged, CTX).is_err());
    assert_eq!(open(&k1, &sealed, CTX).unwrap(), b"record");
}
