//! Where ehr once disagreed with @stacks/transactions and stacks-core (issue 13): keys
//! without the `01` suffix, stacks.js sponsor requests, non-canonical version bytes and
//! Clarity 3/4 deploys. Every vector is made by stacks.js (tests/vectors/disagreements.mjs)
//! and committed as tests/vectors/disagreements.json, so this test needs no Node.

use std::path::Path;

use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use ehr_sdk::keys::{Address, SecretKey};
use ehr_sdk::network::Network;
use ehr_sdk::tx::{Memo, Payload, SponsorRequest, Transaction, TransactionBuilder, TxError};
use serde::Deserialize;
use stacks_common::util::hash::Hash160;

#[derive(Deserialize)]
struct Vectors {
    generator: String,
    keys: Vec<KeyVector>,
    uncompressed_signed: Vec<SignedVector>,
    uncompressed_sponsor: SponsoredVector,
    sponsor_request: SponsorVector,
    malleated_version: MalleatedVector,
    deploys: Vec<DeployVector>,
}

#[derive(Deserialize)]
struct KeyVector {
    account: String,
    secret_key: String,
    compressed: bool,
    public_key: String,
    testnet: String,
    mainnet: String,
}

#[derive(Deserialize)]
struct SignedVector {
    name: String,
    secret_key: String,
    network: Network,
    nonce: String,
    fee: String,
    payload: PayloadVector,
    tx_hex: String,
    txid: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum PayloadVector {
    StxTransfer {
        recipient: String,
        amount: String,
        memo: String,
    },
    ContractCall {
        contract: String,
        function: String,
        args: Vec<String>,
    },
}

#[derive(Deserialize)]
struct SponsoredVector {
    origin_key: String,
    origin_nonce: String,
    sponsor_key: String,
    sponsor_nonce: String,
    sponsor_fee: String,
    contract: String,
    function: String,
    tx_hex: String,
    txid: String,
}

#[derive(Deserialize)]
struct SponsorVector {
    tx_hex: String,
    origin: String,
    placeholder_signer: String,
}

#[derive(Deserialize)]
struct MalleatedVector {
    canonical_hex: String,
    tx_hex: String,
    canonical_txid: String,
}

#[derive(Deserialize)]
struct DeployVector {
    name: String,
    clarity_version: u8,
    tx_hex: String,
    txid: String,
}

fn vectors() -> Vectors {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/disagreements.json");
    let text = std::fs::read_to_string(&path).expect("tests/vectors/disagreements.json");
    let vectors: Vectors = serde_json::from_str(&text).expect("the vector file parses");
    assert!(vectors.generator.starts_with("@stacks/transactions 7.6"));
    vectors
}

fn address(text: &str) -> Address {
    text.parse().expect("an address")
}

#[test]
fn a_key_without_the_01_suffix_is_uncompressed_as_in_stacks_js() {
    let vectors = vectors();
    assert!(vectors.keys.iter().any(|k| !k.compressed));
    for k in &vectors.keys {
        let key = SecretKey::from_hex(&k.secret_key).expect("a key");
        let what = format!("{} ({} hex digits)", k.account, k.secret_key.len());
        assert_eq!(key.is_compressed(), k.compressed, "{what}");
        assert_eq!(
            key.address(Network::Testnet).to_string(),
            k.testnet,
            "{what}"
        );
        assert_eq!(
            key.address(Network::Mainnet).to_string(),
            k.mainnet,
            "{what}"
        );
        assert_eq!(
            key.address(Network::Devnet).to_string(),
            k.testnet,
            "{what}"
        );
        assert_eq!(
            hex::encode(key.public_key().to_encoded_bytes()),
            k.public_key,
            "{what}"
        );
        // Written back the way it was read: a keystore round trip keeps the address.
        assert_eq!(key.expose_hex().as_str(), k.secret_key, "{what}");
        // The registries' encryption key is the same point, always 33 bytes compressed.
        assert_eq!(
            hex::encode(key.public_key().to_bytes()),
            hex::encode(
                SecretKey::from_hex(&k.secret_key[..64])
                    .unwrap()
                    .public_key()
                    .to_bytes()
            )
        );
    }
    // The same 32 bytes with and without the suffix are two different accounts.
    let compressed = SecretKey::from_hex(&vectors.keys[0].secret_key).unwrap();
    let uncompressed = SecretKey::from_hex(&vectors.keys[0].secret_key[..64]).unwrap();
    assert_ne!(
        compressed.address(Network::Testnet),
        uncompressed.address(Network::Testnet)
    );
}

#[test]
fn uncompressed_keys_sign_byte_for_byte_as_stacks_js() {
    for v in vectors().uncompressed_signed {
        let key = SecretKey::from_hex(&v.secret_key).expect("a key");
        assert!(!key.is_compressed(), "{}", v.name);
        let payload = match &v.payload {
            PayloadVector::StxTransfer {
                recipient,
                amount,
                memo,
            } => Payload::stx_transfer(
                PrincipalData::parse(recipient).unwrap(),
                amount.parse().unwrap(),
                Memo::new(memo).unwrap(),
            ),
            PayloadVector::ContractCall {
                contract,
                function,
                args,
            } => Payload::contract_call(
                &QualifiedContractIdentifier::parse(contract).unwrap(),
                function,
                args.iter()
                    .map(|hex| Value::try_deserialize_hex_untyped(hex).unwrap())
                    .collect(),
            )
            .unwrap(),
        };
        let tx = TransactionBuilder::new(v.network, payload)
            .nonce(v.nonce.parse().unwrap())
            .fee(v.fee.parse().unwrap())
            .sign(&key)
            .expect("signs");
        assert_eq!(tx.to_hex(), v.tx_hex, "{}", v.name);
        assert_eq!(tx.txid().to_string(), v.txid, "{}", v.name);

        // stacks.js's bytes verify, and the signer is the uncompressed key's address.
        let decoded = Transaction::from_hex(&v.tx_hex).expect("decodes");
        let signers = decoded.verify(v.network).expect("verifies");
        assert_eq!(
            &signers.origin,
            key.address(v.network).as_stacks(),
            "{}",
            v.name
        );
    }
}

#[test]
fn an_uncompressed_sponsor_key_signs_byte_for_byte_as_stacks_js() {
    let v = vectors().uncompressed_sponsor;
    let sponsor = SecretKey::from_hex(&v.sponsor_key).unwrap();
    assert!(!sponsor.is_compressed());
    let call = Payload::contract_call(
        &QualifiedContractIdentifier::parse(&v.contract).unwrap(),
        &v.function,
        vec![],
    )
    .unwrap();
    let tx = TransactionBuilder::new(Network::Testnet, call)
        .nonce(v.origin_nonce.parse().unwrap())
        .sign_sponsored(&SecretKey::from_hex(&v.origin_key).unwrap())
        .expect("origin signs")
        .sponsor(
            &sponsor,
            v.sponsor_fee.parse().unwrap(),
            v.sponsor_nonce.parse().unwrap(),
        )
        .expect("sponsor signs");
    assert_eq!(tx.to_hex(), v.tx_hex);
    assert_eq!(tx.txid().to_string(), v.txid);
    let signers = Transaction::from_hex(&v.tx_hex)
        .unwrap()
        .verify(Network::Testnet)
        .expect("verifies");
    assert_eq!(
        signers.sponsor.as_ref(),
        Some(sponsor.address(Network::Testnet).as_stacks())
    );
}

#[test]
fn a_stacks_js_sponsor_request_awaits_its_sponsor() {
    let v = vectors().sponsor_request;
    // stacks.js's placeholder: the signer is hash160 of 33 zero bytes (a public key of
    // zeros), not stacks-core's 20 zero bytes.
    assert_eq!(
        v.placeholder_signer,
        Hash160::from_data(&[0u8; 33]).to_string()
    );

    let tx = Transaction::from_hex(&v.tx_hex).expect("decodes");
    assert_eq!(
        tx.verify(Network::Devnet).unwrap_err(),
        TxError::AwaitingSponsor
    );
    let message = TxError::AwaitingSponsor.to_string();
    assert!(message.contains("awaits its sponsor"), "{message}");
    assert!(!message.contains("invalid"), "{message}");

    // A sponsor can take it, sees who it pays for, and completes it.
    let request = SponsorRequest::from_hex(&v.tx_hex).expect("a sponsor request");
    assert_eq!(
        request.origin(Network::Devnet).expect("origin signed"),
        *address(&v.origin).as_stacks()
    );
    let sponsor =
        SecretKey::from_hex("de433bdfa14ec43aa1098d5be594c8ffb20a31485ff9de2923b2689471c401b801")
            .unwrap();
    let done = request.sponsor(&sponsor, 1000, 0).expect("sponsors");
    let signers = done.verify(Network::Devnet).expect("complete");
    assert_eq!(signers.origin, *address(&v.origin).as_stacks());

    // The origin's signature is still checked first: a forged origin is a bad signature.
    let mut forged = hex::decode(&v.tx_hex).unwrap();
    forged[60] ^= 1;
    let forged = Transaction::from_bytes(&forged).expect("decodes");
    assert!(matches!(
        forged.verify(Network::Devnet),
        Err(TxError::BadSignature { .. })
    ));
}

#[test]
fn a_non_canonical_version_byte_gets_the_nodes_txid() {
    let v = vectors().malleated_version;
    assert!(v.tx_hex.starts_with("86"));
    let tx = Transaction::from_hex(&v.tx_hex).expect("decodes");
    tx.verify(Network::Devnet)
        .expect("the signature covers the canonical bytes");
    // The node re-serialises what it decoded: the txid and the bytes relayed are canonical.
    assert_eq!(tx.txid().to_string(), v.canonical_txid);
    assert_eq!(tx.to_hex(), v.canonical_hex);
    assert!(!tx.is_canonical_input());
    let canonical = Transaction::from_hex(&v.canonical_hex).unwrap();
    assert_eq!(canonical.txid(), tx.txid());
    assert!(canonical.is_canonical_input());
}

#[test]
fn clarity_3_and_4_deploys_are_refused_naming_the_supported_versions_and_the_fix() {
    let deploys = vectors().deploys;
    assert!(
        deploys
            .iter()
            .any(|d| d.name == "hello-default" && d.clarity_version == 4),
        "stacks.js 7.6 deploys Clarity 4 by default"
    );
    for d in deploys {
        match d.clarity_version {
            2 => {
                let tx = Transaction::from_hex(&d.tx_hex).expect("Clarity 2 decodes");
                assert_eq!(tx.txid().to_string(), d.txid);
            }
            version => {
                let err = Transaction::from_hex(&d.tx_hex).unwrap_err();
                assert_eq!(
                    err,
                    TxError::UnsupportedClarityVersion(version),
                    "{}",
                    d.name
                );
                let message = err.to_string();
                for needle in [
                    format!("Clarity {version}"),
                    "Clarity 1 and 2".to_string(),
                    "clarityVersion: ClarityVersion.Clarity2".to_string(),
                    "clarity_version = 2".to_string(),
                ] {
                    assert!(message.contains(&needle), "{message}");
                }
            }
        }
    }
}
