//! Selective disclosure and attestations on the Rust side: Merkle proofs for every leaf of
//! trees of 1 to 17 leaves, refusal of wrong positions, siblings, roots, over-deep proofs
//! and inner nodes posing as leaves, the JSON form, and encodings pinned to vectors
//! computed independently (python3 hashlib over hand-built bytes). The same proofs are
//! checked in the contract by ehr-harness's `ehr_disclosure` test.

use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier};
use ehr_sdk::disclosure::{
    commitment, leaf_hash, node_hash, sign_rsv, Attestation, MerkleError, MerkleProof, MerkleTree,
    MAX_DEPTH,
};
use ehr_sdk::keys::SecretKey;
use stacks_common::util::secp256k1::{secp256k1_recover, secp256k1_verify};

// Devnet account keys and addresses (test vectors only).
const DEPLOYER: &str = "753b7cc01a1a2e86221266a154af739463fce51219d97e4f856cd7200c3bd2a601";
const WALLET_3: &str = "d655b2523bcd65e34889725c73064feb17ceb796831c0e111ba1a552b0f31b3901";
const WALLET_2_ADDRESS: &str = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";

fn key(hex: &str) -> SecretKey {
    SecretKey::from_hex(hex).unwrap()
}

fn hex32(text: &str) -> [u8; 32] {
    hex::decode(text).unwrap().try_into().unwrap()
}

/// Leaf `i` of the test trees: salt `[i; 32]`, field `field-i`.
fn leaves(n: usize) -> Vec<[u8; 32]> {
    (0..n)
        .map(|i| leaf_hash(&[i as u8; 32], format!("field-{i}").as_bytes()))
        .collect()
}

#[test]
fn every_leaf_of_trees_of_1_to_17_leaves_proves_and_every_wrong_part_fails() {
    for n in 1..=17usize {
        let tree = MerkleTree::new(leaves(n)).unwrap();
        let depth = n.next_power_of_two().trailing_zeros() as usize;
        for i in 0..n {
            let proof = tree.prove(i).unwrap();
            assert!(proof.verify(), "{n} leaves, leaf {i}");
            assert_eq!(proof.leaf, leaves(n)[i]);
            assert_eq!(proof.root, tree.root());
            assert_eq!(proof.siblings.len(), proof.positions.len());
            assert!(proof.siblings.len() <= depth, "{n} leaves, leaf {i}");

            for level in 0..proof.siblings.len() {
                let mut flipped = proof.clone();
                flipped.positions[level] = !flipped.positions[level];
                assert!(!flipped.verify(), "{n}/{i}: position {level} flipped");
                let mut wrong = proof.clone();
                wrong.siblings[level][31] ^= 1;
                assert!(!wrong.verify(), "{n}/{i}: sibling {level} changed");
                let mut dropped = proof.clone();
                dropped.siblings.remove(level);
                dropped.positions.remove(level);
                assert!(!dropped.verify(), "{n}/{i}: level {level} left out");
            }
            let mut other_root = proof.clone();
            other_root.root[0] ^= 0x80;
            assert!(!other_root.verify(), "{n}/{i}: wrong root");
            let mut other_leaf = proof.clone();
            other_leaf.leaf = leaf_hash(&[i as u8; 32], b"another value");
            assert!(!other_leaf.verify(), "{n}/{i}: wrong leaf");
        }
        assert_eq!(
            tree.prove(n),
            Err(MerkleError::NoSuchLeaf { index: n, len: n })
        );
    }
    assert_eq!(MerkleTree::new(Vec::new()).unwrap_err(), MerkleError::Empty);
}

#[test]
fn roots_match_vectors_computed_independently() {
    // python3: leaf = sha256(0x00 ++ salt ++ field), node = sha256(0x01 ++ l ++ r), an odd
    // last node promoted unchanged to the next level.
    for (n, root) in [
        (
            1,
            "333e6c6cac560bc6c936063e2f9e8e9c07d9b544c8fb9f3bc58fd5bbc78ff551",
        ),
        (
            3,
            "059cb1f8b0a9b4dd23de80957e9f8f128d94447d7f8a2a4a10c928ce098e05de",
        ),
        (
            5,
            "13a920532aec783909aebc1aed397e1c51b684bf740fa3c6038d1c5e0d3f699e",
        ),
        (
            6,
            "c1965c6320d2507927000f21066dd1b4f0b8717c5ba3d5290dbccefc7fbd3d4c",
        ),
    ] {
        assert_eq!(
            MerkleTree::new(leaves(n)).unwrap().root(),
            hex32(root),
            "{n} leaves"
        );
    }
}

#[test]
fn an_odd_last_node_is_promoted_not_paired_with_itself() {
    let l = leaves(3);
    let tree = MerkleTree::new(l.clone()).unwrap();
    assert_eq!(tree.root(), node_hash(&node_hash(&l[0], &l[1]), &l[2]));
    assert_ne!(
        tree.root(),
        node_hash(&node_hash(&l[0], &l[1]), &node_hash(&l[2], &l[2]))
    );
    // The promoted leaf skips the level where it has no sibling: one step, from the left.
    let proof = tree.prove(2).unwrap();
    assert_eq!(proof.siblings, vec![node_hash(&l[0], &l[1])]);
    assert_eq!(proof.positions, vec![true]);
}

#[test]
fn an_inner_node_cannot_pass_as_a_disclosed_leaf() {
    let l = leaves(4);
    let tree = MerkleTree::new(l.clone()).unwrap();
    let inner = node_hash(&l[0], &l[1]);
    let right = node_hash(&l[2], &l[3]);
    // A verifier that is handed only a hash cannot tell: this is why one who discloses a
    // field hands over the salt and the field, and the verifier hashes them itself.
    let as_hash = MerkleProof {
        leaf: inner,
        siblings: vec![right],
        positions: vec![false],
        root: tree.root(),
    };
    assert!(as_hash.verify());
    // Disclosing the inner node's preimage as salt ++ field gives a leaf hash in the other
    // domain, which is not on any path.
    let disclosed = MerkleProof {
        leaf: leaf_hash(&l[0], &l[1]),
        ..as_hash
    };
    assert_ne!(disclosed.leaf, inner);
    assert!(!disclosed.verify());
}

#[test]
fn proofs_longer_than_the_contract_takes_or_uneven_are_refused() {
    let chain = |levels: usize| {
        let leaf = leaf_hash(&[1; 32], b"deep");
        let siblings: Vec<[u8; 32]> = (0..levels).map(|i| [i as u8; 32]).collect();
        let positions: Vec<bool> = (0..levels).map(|i| i % 2 == 0).collect();
        let root = siblings
            .iter()
            .zip(&positions)
            .fold(leaf, |acc, (s, left)| {
                if *left {
                    node_hash(s, &acc)
                } else {
                    node_hash(&acc, s)
                }
            });
        MerkleProof {
            leaf,
            siblings,
            positions,
            root,
        }
    };
    assert!(chain(MAX_DEPTH).verify());
    assert!(!chain(MAX_DEPTH + 1).verify(), "(list 32 ...) is the bound");
    let mut uneven = chain(3);
    uneven.positions.pop();
    assert!(!uneven.verify());
}

#[test]
fn the_json_form_has_hex_fields_and_round_trips() {
    let tree = MerkleTree::new(leaves(5)).unwrap();
    let proof = tree.prove(4).unwrap();
    let json = serde_json::to_value(&proof).unwrap();
    assert_eq!(json["leaf"], hex::encode(proof.leaf));
    assert_eq!(json["root"], hex::encode(tree.root()));
    assert_eq!(json["siblings"][0], hex::encode(proof.siblings[0]));
    assert_eq!(json["positions"], serde_json::json!([true]));
    let back: MerkleProof = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, proof);

    let mut short = json.clone();
    short["leaf"] = serde_json::Value::from(hex::encode([0u8; 31]));
    assert!(serde_json::from_value::<MerkleProof>(short).is_err());
    let mut not_hex = json;
    not_hex["siblings"][0] = serde_json::Value::from("zz".repeat(32));
    assert!(serde_json::from_value::<MerkleProof>(not_hex).is_err());
}

#[test]
fn commitments_match_an_independent_vector() {
    // python3: sha256(bytes([7]) * 32 + b"blood type: O+")
    let c = commitment(&[7; 32], b"blood type: O+");
    assert_eq!(
        c,
        hex32("f8db93639a376b6a04aee0beeda19a9109a161213f2874f9c6d71e1711c040a4")
    );
    assert_ne!(c, commitment(&[7; 32], b"blood type: A+"));
    assert_ne!(c, commitment(&[8; 32], b"blood type: O+"));
}

const DEPLOYER_ADDRESS: &str = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";

/// wallet_2's credential until block 123456, issued by the deployer for the deployer's
/// doctor-registry on testnet.
fn sample_attestation() -> Attestation {
    Attestation {
        doctor: PrincipalData::parse(WALLET_2_ADDRESS).unwrap(),
        license_hash: std::array::from_fn(|i| i as u8),
        expires_at: 123_456,
        issuer: PrincipalData::parse(DEPLOYER_ADDRESS).unwrap(),
        chain_id: 0x8000_0000,
        registry: QualifiedContractIdentifier::parse(&format!(
            "{DEPLOYER_ADDRESS}.doctor-registry"
        ))
        .unwrap(),
    }
}

#[test]
fn the_attestation_hash_matches_hand_built_consensus_bytes() {
    // python3 over the tuple's consensus serialisation, names sorted:
    // 0c 00000006
    // 08 "chain-id"     01 00000000000000000000000080000000
    // 08 "contract"     06 1a 6d78de7b...f2ce 0f "doctor-registry"        (deployer)
    // 06 "doctor"       05 1a 99e2ec69ac5b6e67b4e26edd0e2c1c1a6b9bbd23   (wallet_2)
    // 0a "expires-at"   01 0000000000000000000000000001e240             (u128 123456)
    // 06 "issuer"       05 1a 6d78de7b0625dfbfc16c3a8a5735f6dc3dc3f2ce   (deployer)
    // 0c "license-hash" 02 00000020 000102...1f
    let a = sample_attestation();
    assert_eq!(
        a.hash(),
        hex32("6291fefad7e7e7936534bbe01c5fd20ac26a7cb79c0deaa86d0b88df683fe471")
    );
    let later = Attestation {
        expires_at: 123_457,
        ..a.clone()
    };
    assert_ne!(later.hash(), a.hash());
}

#[test]
fn an_attestation_signature_for_another_chain_deployment_or_issuer_does_not_verify() {
    let issuer = key(DEPLOYER);
    let issuer_pub = issuer.public_key().to_bytes();
    let a = sample_attestation();
    let rsv = a.sign(&issuer);
    assert!(secp256k1_verify(&a.hash(), &rsv, &issuer_pub).is_ok());
    let elsewhere = [
        Attestation {
            chain_id: 0x0000_0001,
            ..a.clone()
        },
        Attestation {
            registry: QualifiedContractIdentifier::parse(&format!(
                "{WALLET_2_ADDRESS}.doctor-registry"
            ))
            .unwrap(),
            ..a.clone()
        },
        Attestation {
            issuer: PrincipalData::parse(WALLET_2_ADDRESS).unwrap(),
            ..a.clone()
        },
    ];
    for other in elsewhere {
        assert_ne!(other.hash(), a.hash(), "{other:?}");
        assert!(
            secp256k1_verify(&other.hash(), &rsv, &issuer_pub).is_err(),
            "{other:?}"
        );
    }
}

#[test]
fn attestation_signatures_are_low_s_rsv_that_clarity_verifies_and_recovers() {
    let issuer = key(DEPLOYER);
    let issuer_pub = issuer.public_key().to_bytes();
    let a = sample_attestation();
    let hash = a.hash();
    let rsv = a.sign(&issuer);
    assert_eq!(rsv, sign_rsv(&issuer, &hash), "deterministic (RFC 6979)");

    // The functions behind Clarity's secp256k1-verify and secp256k1-recover?.
    assert!(rsv[64] <= 3);
    assert!(secp256k1_verify(&hash, &rsv, &issuer_pub).is_ok());
    assert_eq!(secp256k1_recover(&hash, &rsv).unwrap(), issuer_pub);
    let other_pub = key(WALLET_3).public_key().to_bytes();
    assert!(secp256k1_verify(&hash, &rsv, &other_pub).is_err());
    let mut other_hash = hash;
    other_hash[0] ^= 1;
    assert!(secp256k1_verify(&other_hash, &rsv, &issuer_pub).is_err());

    // Low-S: the same signature with s replaced by n - s is refused.
    let sig = k256::ecdsa::Signature::from_slice(&rsv[..64]).unwrap();
    assert!(sig.normalize_s().is_none(), "s is already in the low half");
    let high =
        k256::ecdsa::Signature::from_scalars(sig.r().to_bytes(), (-*sig.s()).to_bytes()).unwrap();
    let mut high_rsv = rsv;
    high_rsv[..64].copy_from_slice(&high.to_bytes());
    high_rsv[64] ^= 1;
    assert!(secp256k1_verify(&hash, &high_rsv, &issuer_pub).is_err());
}
