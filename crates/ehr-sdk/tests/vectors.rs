//! Conformance with `@stacks/transactions`: every vector of tests/vectors/vectors.json (made
//! by tests/vectors/generate.mjs) is rebuilt with the Rust builder and must give the same
//! bytes and txid; every vector's bytes decode and their signatures verify to the expected
//! signers. Needs no node: the JSON is committed.

use std::collections::BTreeSet;
use std::path::Path;

use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use clarity::vm::ClarityVersion;
use ehr_sdk::devnet_config::DevnetConfig;
use ehr_sdk::keys::SecretKey;
use ehr_sdk::network::Network;
use ehr_sdk::tx::{
    AssetId, FungibleConditionCode, Memo, NonfungibleConditionCode, Payload, PcPrincipal,
    PostCondition, PostConditionMode, SponsorRequest, Transaction, TransactionBuilder, TxError,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct VectorFile {
    generator: String,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    network: Network,
    origin: SignerInput,
    sponsor: Option<SignerInput>,
    post_condition_mode: String,
    post_conditions: Vec<PcInput>,
    payload: PayloadInput,
    expected: Expected,
}

/// Amounts, nonces and fees are strings: u64 does not fit a JSON number.
#[derive(Deserialize)]
struct SignerInput {
    account: String,
    nonce: String,
    fee: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum PayloadInput {
    StxTransfer {
        recipient: String,
        amount: String,
        memo: Option<String>,
    },
    ContractCall {
        contract: String,
        function: String,
        args: Vec<ClarityArg>,
    },
    Deploy {
        name: String,
        code: String,
        clarity_version: u8,
    },
}

/// A Clarity value: its consensus serialisation, and stacks.js's readable form for people.
#[derive(Deserialize)]
struct ClarityArg {
    hex: String,
    repr: String,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum PcInput {
    Stx {
        principal: String,
        code: String,
        amount: String,
    },
    Ft {
        principal: String,
        asset: String,
        code: String,
        amount: String,
    },
    Nft {
        principal: String,
        asset: String,
        asset_id: ClarityArg,
        code: String,
    },
}

#[derive(Deserialize)]
struct Expected {
    tx_hex: String,
    txid: String,
    origin_address: String,
    sponsor_address: Option<String>,
}

fn load_vectors() -> VectorFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn devnet() -> DevnetConfig {
    DevnetConfig::builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn key(devnet: &DevnetConfig, account: &str) -> SecretKey {
    devnet
        .account(account)
        .unwrap_or_else(|| panic!("no devnet account {account}"))
        .secret_key
        .clone()
}

fn number(text: &str) -> u64 {
    text.parse()
        .unwrap_or_else(|e| panic!("`{text}` is not a u64: {e}"))
}

fn value(arg: &ClarityArg) -> Value {
    let value = Value::try_deserialize_hex_untyped(&arg.hex)
        .unwrap_or_else(|e| panic!("{} ({}): {e}", arg.hex, arg.repr));
    // The value must serialise back to the same bytes, or the tx bytes could not match.
    assert_eq!(
        value.serialize_to_hex().expect("serialise"),
        arg.hex,
        "{}",
        arg.repr
    );
    value
}

fn fungible_code(code: &str) -> FungibleConditionCode {
    match code {
        "eq" => FungibleConditionCode::SentEq,
        "gt" => FungibleConditionCode::SentGt,
        "gte" => FungibleConditionCode::SentGe,
        "lt" => FungibleConditionCode::SentLt,
        "lte" => FungibleConditionCode::SentLe,
        other => panic!("unknown fungible code {other}"),
    }
}

fn nft_code(code: &str) -> NonfungibleConditionCode {
    match code {
        "sent" => NonfungibleConditionCode::Sent,
        "not-sent" => NonfungibleConditionCode::NotSent,
        other => panic!("unknown NFT code {other}"),
    }
}

fn pc_principal(text: &str) -> PcPrincipal {
    if text == "origin" {
        return PcPrincipal::origin();
    }
    let principal = PrincipalData::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    PcPrincipal::principal(&principal).expect("post-condition principal")
}

fn asset(text: &str) -> AssetId {
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn post_condition(pc: &PcInput) -> PostCondition {
    match pc {
        PcInput::Stx {
            principal,
            code,
            amount,
        } => PostCondition::stx(pc_principal(principal), fungible_code(code), number(amount)),
        PcInput::Ft {
            principal,
            asset: id,
            code,
            amount,
        } => PostCondition::ft(
            pc_principal(principal),
            &asset(id),
            fungible_code(code),
            number(amount),
        ),
        PcInput::Nft {
            principal,
            asset: id,
            asset_id,
            code,
        } => PostCondition::nft(
            pc_principal(principal),
            &asset(id),
            value(asset_id),
            nft_code(code),
        ),
    }
}

fn payload(input: &PayloadInput) -> Payload {
    match input {
        PayloadInput::StxTransfer {
            recipient,
            amount,
            memo,
        } => Payload::stx_transfer(
            PrincipalData::parse(recipient).expect("recipient"),
            number(amount),
            memo.as_deref()
                .map(|m| Memo::new(m).expect("memo"))
                .unwrap_or_default(),
        ),
        PayloadInput::ContractCall {
            contract,
            function,
            args,
        } => Payload::contract_call(
            &QualifiedContractIdentifier::parse(contract).expect("contract id"),
            function,
            args.iter().map(value).collect(),
        )
        .expect("contract call"),
        PayloadInput::Deploy {
            name,
            code,
            clarity_version,
        } => {
            let version = match clarity_version {
                1 => ClarityVersion::Clarity1,
                2 => ClarityVersion::Clarity2,
                other => panic!("Clarity {other} is not supported by this VM"),
            };
            Payload::deploy(name, code, version).expect("deploy")
        }
    }
}

/// Rebuilds a vector with the Rust builder; a sponsored one goes through its hex, as it
/// would travel from the origin to the sponsor.
fn rebuild(v: &Vector, devnet: &DevnetConfig) -> Result<Transaction, TxError> {
    let mode = match v.post_condition_mode.as_str() {
        "allow" => PostConditionMode::Allow,
        "deny" => PostConditionMode::Deny,
        other => panic!("unknown mode {other}"),
    };
    let builder = v.post_conditions.iter().map(post_condition).fold(
        TransactionBuilder::new(v.network, payload(&v.payload))
            .nonce(number(&v.origin.nonce))
            .fee(number(&v.origin.fee))
            .post_condition_mode(mode),
        TransactionBuilder::post_condition,
    );
    let origin = key(devnet, &v.origin.account);
    match &v.sponsor {
        None => builder.sign(&origin),
        Some(sponsor) => {
            let request = SponsorRequest::from_hex(&builder.sign_sponsored(&origin)?.to_hex())?;
            assert_eq!(
                request.origin(v.network)?.to_string(),
                v.expected.origin_address,
                "{}: sponsor sees the origin",
                v.name
            );
            request.sponsor(
                &key(devnet, &sponsor.account),
                number(&sponsor.fee),
                number(&sponsor.nonce),
            )
        }
    }
}

#[test]
fn the_vectors_cover_what_they_claim() {
    let file = load_vectors();
    assert!(file.generator.starts_with("@stacks/transactions "));
    assert!(file.vectors.len() >= 30, "{} vectors", file.vectors.len());
    let names: BTreeSet<&str> = file.vectors.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names.len(), file.vectors.len(), "vector names are unique");

    let mut seen = BTreeSet::new();
    for v in &file.vectors {
        seen.insert(format!("network:{}", v.network));
        seen.insert(format!("mode:{}", v.post_condition_mode));
        seen.insert(format!("sponsored:{}", v.sponsor.is_some()));
        seen.insert(match &v.payload {
            PayloadInput::StxTransfer { memo, .. } => format!("transfer memo:{}", memo.is_some()),
            PayloadInput::ContractCall { .. } => "call".to_string(),
            PayloadInput::Deploy {
                clarity_version, ..
            } => format!("deploy clarity{clarity_version}"),
        });
        if let PayloadInput::ContractCall { args, .. } = &v.payload {
            for arg in args {
                // The first byte of a consensus-serialised value is its type.
                seen.insert(format!("value:{}", &arg.hex[..2]));
            }
        }
        for pc in &v.post_conditions {
            let (kind, principal, code) = match pc {
                PcInput::Stx {
                    principal, code, ..
                } => ("stx", principal, code),
                PcInput::Ft {
                    principal, code, ..
                } => ("ft", principal, code),
                PcInput::Nft {
                    principal, code, ..
                } => ("nft", principal, code),
            };
            seen.insert(format!("pc:{kind}:{code}"));
            let principal_kind = if principal == "origin" {
                "origin"
            } else if principal.contains('.') {
                "contract"
            } else {
                "standard"
            };
            seen.insert(format!("pc principal:{kind}:{principal_kind}"));
        }
    }
    let mut wanted: Vec<String> = [
        "network:mainnet",
        "network:testnet",
        "network:devnet",
        "mode:allow",
        "mode:deny",
        "sponsored:true",
        "sponsored:false",
        "transfer memo:true",
        "transfer memo:false",
        "call",
        "deploy clarity2",
        "pc:nft:sent",
        "pc:nft:not-sent",
    ]
    .map(String::from)
    .to_vec();
    // Every Clarity type prefix, 0x00 int to 0x0e string-utf8.
    wanted.extend((0u8..=0x0e).map(|t| format!("value:{t:02x}")));
    for kind in ["stx", "ft"] {
        for code in ["eq", "gt", "gte", "lt", "lte"] {
            wanted.push(format!("pc:{kind}:{code}"));
        }
    }
    for kind in ["stx", "ft", "nft"] {
        for principal in ["origin", "standard", "contract"] {
            wanted.push(format!("pc principal:{kind}:{principal}"));
        }
    }
    let missing: Vec<&String> = wanted.iter().filter(|w| !seen.contains(*w)).collect();
    assert!(missing.is_empty(), "no vector covers {missing:?}");
}

#[test]
fn the_rust_builder_reproduces_every_vector_byte_for_byte() {
    let file = load_vectors();
    let devnet = devnet();
    let mut failures = Vec::new();
    for v in &file.vectors {
        match rebuild(v, &devnet) {
            Ok(tx) if tx.to_hex() == v.expected.tx_hex && tx.txid().to_hex() == v.expected.txid => {
            }
            Ok(tx) => failures.push(format!(
                "{}: bytes differ\n  rust {}\n  js   {}",
                v.name,
                tx.to_hex(),
                v.expected.tx_hex
            )),
            Err(e) => failures.push(format!("{}: {e}", v.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors differ:\n{}",
        failures.len(),
        file.vectors.len(),
        failures.join("\n")
    );
}

#[test]
fn every_vector_decodes_and_verifies_to_its_signers() {
    let file = load_vectors();
    let devnet = devnet();
    for v in &file.vectors {
        let tx =
            Transaction::from_hex(&v.expected.tx_hex).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(tx.to_hex(), v.expected.tx_hex, "{}", v.name);
        assert_eq!(tx.txid().to_hex(), v.expected.txid, "{}", v.name);

        let signers = tx
            .verify(v.network)
            .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(
            signers.origin.to_string(),
            v.expected.origin_address,
            "{}",
            v.name
        );
        let origin_key = key(&devnet, &v.origin.account);
        assert_eq!(
            &signers.origin,
            origin_key.address(v.network).as_stacks(),
            "{}: origin is the devnet account",
            v.name
        );
        assert_eq!(
            signers.sponsor.map(|s| s.to_string()),
            v.expected.sponsor_address,
            "{}",
            v.name
        );
        if let Some(sponsor) = &v.sponsor {
            assert_eq!(
                signers.sponsor.as_ref(),
                Some(
                    key(&devnet, &sponsor.account)
                        .address(v.network)
                        .as_stacks()
                ),
                "{}: sponsor is the devnet account",
                v.name
            );
        }

        let other = if v.network.is_mainnet() {
            Network::Testnet
        } else {
            Network::Mainnet
        };
        assert!(
            matches!(tx.verify(other), Err(TxError::WrongNetwork { expected, .. }) if expected == other),
            "{}: verified on {other}",
            v.name
        );
    }
}

#[test]
fn every_proper_prefix_of_every_vector_is_reported_truncated() {
    for v in &load_vectors().vectors {
        let bytes = hex::decode(&v.expected.tx_hex).expect("hex");
        for len in 0..bytes.len() {
            let err = Transaction::from_bytes(&bytes[..len]).unwrap_err();
            assert!(
                matches!(err, TxError::Truncated(_)),
                "{}: prefix of {len} bytes: {err}",
                v.name
            );
        }
    }
}
