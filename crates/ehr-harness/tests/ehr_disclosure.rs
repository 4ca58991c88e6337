//! Proofs built by the SDK verify in the contract (and wrong ones do not): Merkle
//! inclusion for trees of 1 to 17 leaves, commitments, attestation hashes.

use clarity::vm::types::Value;
use ehr_harness::ehr::EhrSimnet;
use ehr_sdk::disclosure::{commitment, leaf_hash, node_hash, Attestation, MerkleTree};

fn buff(b: &[u8]) -> Value {
    Value::buff_from(b.to_vec()).unwrap()
}

/// The contract's verify-merkle-proof over the leaf (salt, field): it hashes the leaf
/// itself.
fn verify_in_contract(
    ehr: &mut EhrSimnet,
    salt: &[u8],
    field: &[u8],
    siblings: &[[u8; 32]],
    positions: &[bool],
    root: &[u8; 32],
) -> bool {
    let proof = Value::cons_list_unsanitized(siblings.iter().map(|s| buff(s)).collect()).unwrap();
    let pos =
        Value::cons_list_unsanitized(positions.iter().map(|p| Value::Bool(*p)).collect()).unwrap();
    let r = ehr
        .read(
            "verification-helper",
            "verify-merkle-proof",
            &[buff(salt), buff(field), proof, pos, buff(root)],
        )
        .unwrap();
    r.result == Value::Bool(true)
}

#[test]
fn merkle_proofs_from_the_sdk_verify_in_the_contract() {
    let mut ehr = EhrSimnet::new().unwrap();
    for n in 1..=17usize {
        let field = |i: usize| format!("field-{i}").into_bytes();
        let leaves: Vec<[u8; 32]> = (0..n)
            .map(|i| leaf_hash(&[i as u8; 32], &field(i)))
            .collect();
        let tree = MerkleTree::new(leaves).unwrap();
        for i in 0..n {
            let proof = tree.prove(i).unwrap();
            assert!(proof.verify(), "rust, {n} leaves, leaf {i}");
            assert!(
                verify_in_contract(
                    &mut ehr,
                    &[i as u8; 32],
                    &field(i),
                    &proof.siblings,
                    &proof.positions,
                    &proof.root
                ),
                "{n} leaves, leaf {i}"
            );
            if !proof.siblings.is_empty() {
                let mut flipped = proof.positions.clone();
                flipped[0] = !flipped[0];
                assert!(!verify_in_contract(
                    &mut ehr,
                    &[i as u8; 32],
                    &field(i),
                    &proof.siblings,
                    &flipped,
                    &proof.root
                ));
                let mut wrong = proof.siblings.clone();
                wrong[0][0] ^= 1;
                assert!(!verify_in_contract(
                    &mut ehr,
                    &[i as u8; 32],
                    &field(i),
                    &wrong,
                    &proof.positions,
                    &proof.root
                ));
            }
        }
    }
    // An inner node presented as a leaf, with the rest of the path, does not verify: the
    // contract hashes (salt, field) into the leaf domain itself, so the forged leaf (the
    // node's children as salt and field) is sent and refused.
    let leaves: Vec<[u8; 32]> = (0..4u8).map(|i| leaf_hash(&[i; 32], b"x")).collect();
    let tree = MerkleTree::new(leaves.clone()).unwrap();
    let right = node_hash(&leaves[2], &leaves[3]);
    assert!(verify_in_contract(
        &mut ehr,
        &[0; 32],
        b"x",
        &tree.prove(0).unwrap().siblings,
        &tree.prove(0).unwrap().positions,
        &tree.root()
    ));
    assert!(
        !verify_in_contract(
            &mut ehr,
            &leaves[0],
            &leaves[1],
            &[right],
            &[false],
            &tree.root()
        ),
        "an inner node never passes as a leaf"
    );
}

#[test]
fn commitments_and_attestation_hashes_match_the_contract() {
    let mut ehr = EhrSimnet::new().unwrap();
    let salt = [7u8; 32];
    let c = commitment(&salt, b"blood type: O+");
    let ok = ehr
        .read(
            "verification-helper",
            "verify-commitment",
            &[buff(&c), buff(&salt), buff(b"blood type: O+")],
        )
        .unwrap();
    assert_eq!(ok.result, Value::Bool(true));
    let bad = ehr
        .read(
            "verification-helper",
            "verify-commitment",
            &[buff(&c), buff(&salt), buff(b"blood type: A+")],
        )
        .unwrap();
    assert_eq!(bad.result, Value::Bool(false));

    let doctor = ehr.principal("wallet_2");
    let issuer = ehr.principal("wallet_3");
    let ours = Attestation {
        doctor: doctor.clone(),
        license_hash: [9; 32],
        expires_at: 123_456,
        issuer: issuer.clone(),
        chain_id: ehr.sim.chain_id(),
        registry: ehr.contract("doctor-registry"),
    }
    .hash();
    let theirs = ehr
        .read(
            "verification-helper",
            "attestation-hash",
            &[
                doctor.into(),
                buff(&[9; 32]),
                Value::UInt(123_456),
                issuer.into(),
            ],
        )
        .unwrap();
    assert_eq!(theirs.result, buff(&ours));
}
