//! The transaction builder's refusals, and decoding and verification of damaged, foreign or
//! incomplete transactions: each failure has its own error.

use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use clarity::vm::ClarityVersion;
use ehr_sdk::devnet_config::DevnetConfig;
use ehr_sdk::keys::SecretKey;
use ehr_sdk::network::Network;
use ehr_sdk::tx::{
    AssetId, FungibleConditionCode, Memo, Payload, PcPrincipal, PostCondition, SignerRole,
    SponsorRequest, Transaction, TransactionBuilder, TxError,
};

fn account(name: &str) -> SecretKey {
    DevnetConfig::builtin()
        .unwrap_or_else(|e| panic!("{e}"))
        .account(name)
        .unwrap_or_else(|| panic!("no devnet account {name}"))
        .secret_key
        .clone()
}

fn principal(name: &str) -> PrincipalData {
    account(name).address(Network::Devnet).to_principal()
}

fn registry() -> QualifiedContractIdentifier {
    QualifiedContractIdentifier::parse("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.patient-registry")
        .expect("contract id")
}

/// A signed devnet STX transfer from wallet_1 to wallet_2.
fn transfer() -> Transaction {
    let payload =
        Payload::stx_transfer(principal("wallet_2"), 1000, Memo::new("hi").expect("memo"));
    TransactionBuilder::new(Network::Devnet, payload)
        .nonce(4)
        .fee(180)
        .sign(&account("wallet_1"))
        .expect("sign")
}

/// A devnet contract call from wallet_1 signed for sponsoring.
fn sponsor_request() -> SponsorRequest {
    let payload = Payload::contract_call(&registry(), "deactivate", vec![]).expect("payload");
    TransactionBuilder::new(Network::Devnet, payload)
        .nonce(1)
        .sign_sponsored(&account("wallet_1"))
        .expect("sign")
}

#[test]
fn memos_hold_at_most_34_bytes() {
    assert!(Memo::new(&"m".repeat(34)).is_ok());
    assert_eq!(
        Memo::new(&"m".repeat(35)).unwrap_err(),
        TxError::MemoTooLong(35)
    );
    // Bytes, not characters: 🚑 is four bytes.
    assert_eq!(
        Memo::new(&"🚑".repeat(9)).unwrap_err(),
        TxError::MemoTooLong(36)
    );
    let memo = Memo::from_bytes(b"ab").expect("memo");
    assert_eq!(&memo.as_bytes()[..3], b"ab\0");
    assert_eq!(Memo::default().as_bytes(), &[0u8; 34]);
}

#[test]
fn bad_names_and_code_are_refused_with_what_is_wrong() {
    let err = Payload::deploy("9lives", "(ok true)", ClarityVersion::Clarity2).unwrap_err();
    assert!(
        matches!(err, TxError::ContractName { ref name, .. } if name == "9lives"),
        "{err}"
    );

    let long = "a".repeat(41);
    let err = Payload::deploy(&long, "(ok true)", ClarityVersion::Clarity2).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("invalid contract name `{long}`: longer than 40 characters")
    );
    // A 41-character name parses as a contract id (old contracts), but no call can carry it.
    let old = QualifiedContractIdentifier::parse(&format!(
        "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.{long}"
    ))
    .expect("parses");
    assert!(matches!(
        Payload::contract_call(&old, "f", vec![]),
        Err(TxError::ContractName { .. })
    ));
    assert!(matches!(
        PcPrincipal::principal(&PrincipalData::Contract(old)),
        Err(TxError::ContractName { .. })
    ));

    assert_eq!(
        Payload::contract_call(&registry(), "no spaces", vec![]).unwrap_err(),
        TxError::ClarityName("no spaces".into())
    );

    assert_eq!(
        Payload::deploy("c", "(ok true)\r\n", ClarityVersion::Clarity2).unwrap_err(),
        TxError::CodeBody {
            line: 1,
            column: 10,
            found: '\r'
        }
    );
    assert_eq!(
        Payload::deploy("c", ";; ok\n\t(print \"héllo\")", ClarityVersion::Clarity2).unwrap_err(),
        TxError::CodeBody {
            line: 2,
            column: 11,
            found: 'é'
        }
    );
}

#[test]
fn asset_ids_parse_from_their_usual_form() {
    let id: AssetId = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.access-token-nft::access-token"
        .parse()
        .expect("asset id");
    assert_eq!(
        id.to_string(),
        "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.access-token-nft::access-token"
    );
    for bad in [
        "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.access-token-nft",
        "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM::access-token",
        "nope.contract::name",
    ] {
        assert_eq!(
            bad.parse::<AssetId>().unwrap_err(),
            TxError::AssetId(bad.into()),
            "{bad}"
        );
    }
    assert_eq!(
        "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.token::bad name"
            .parse::<AssetId>()
            .unwrap_err(),
        TxError::ClarityName("bad name".into())
    );
}

#[test]
fn a_transaction_round_trips_and_verifies_to_its_signer() {
    let tx = transfer();
    assert_eq!(
        tx.as_bytes().len(),
        180,
        "the smallest transfer is 180 bytes"
    );
    let decoded = Transaction::from_hex(&format!("  0x{}\n", tx.to_hex())).expect("decode");
    assert_eq!(decoded, tx);
    let signers = decoded.verify(Network::Devnet).expect("verify");
    assert_eq!(
        &signers.origin,
        account("wallet_1").address(Network::Devnet).as_stacks()
    );
    assert_eq!(signers.sponsor, None);
    // Devnet and testnet are the same network on the wire.
    assert_eq!(decoded.verify(Network::Testnet).expect("verify"), signers);
}

#[test]
fn decoding_names_what_is_wrong_with_the_bytes() {
    let bytes = transfer().as_bytes().to_vec();

    assert!(matches!(
        Transaction::from_hex("80zz"),
        Err(TxError::Hex(_))
    ));
    assert!(matches!(Transaction::from_hex("808"), Err(TxError::Hex(_))));

    // Every proper prefix ends inside some field.
    for len in 0..bytes.len() {
        let err = Transaction::from_bytes(&bytes[..len]).unwrap_err();
        assert!(
            matches!(err, TxError::Truncated(_)),
            "prefix of {len} bytes: {err}"
        );
    }

    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0, 0]);
    assert_eq!(
        Transaction::from_bytes(&longer).unwrap_err(),
        TxError::TrailingBytes { end: 180, extra: 2 }
    );

    let mut bad_tag = bytes.clone();
    bad_tag[5] = 0x07; // auth type
    assert!(matches!(
        Transaction::from_bytes(&bad_tag),
        Err(TxError::Malformed(_))
    ));

    // Payload starts at byte 115 of a transfer without post-conditions: a coinbase instead.
    let mut coinbase = bytes[..115].to_vec();
    coinbase.push(0x04);
    coinbase.extend_from_slice(&[0u8; 32]);
    assert_eq!(
        Transaction::from_bytes(&coinbase).unwrap_err(),
        TxError::UnsupportedPayload("Coinbase")
    );

    // The recipient's address version (byte 117) must be c32-encodable.
    let mut bad_version = bytes.clone();
    bad_version[117] = 0x40;
    assert_eq!(
        Transaction::from_bytes(&bad_version).unwrap_err(),
        TxError::AddressVersion(0x40)
    );

    let huge = vec![0u8; 2 * 1024 * 1024 + 1];
    assert!(matches!(
        Transaction::from_bytes(&huge),
        Err(TxError::TooLong { .. })
    ));
}

#[test]
fn verification_refuses_tampering_and_other_networks() {
    let bytes = transfer().as_bytes().to_vec();

    // The amount (bytes 138..146) is covered by the origin's signature.
    let mut more = bytes.clone();
    more[145] ^= 1;
    let err = Transaction::from_bytes(&more)
        .expect("decodes")
        .verify(Network::Devnet)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TxError::BadSignature {
                role: SignerRole::Origin,
                ..
            }
        ),
        "{err}"
    );

    // So is the nonce (bytes 27..35).
    let mut nonce = bytes.clone();
    nonce[34] ^= 1;
    let err = Transaction::from_bytes(&nonce)
        .expect("decodes")
        .verify(Network::Devnet)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TxError::BadSignature {
                role: SignerRole::Origin,
                ..
            }
        ),
        "{err}"
    );

    // A damaged signature (r is bytes 45..77).
    let mut sig = bytes.clone();
    sig[50] ^= 0x20;
    let err = Transaction::from_bytes(&sig)
        .expect("decodes")
        .verify(Network::Devnet)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TxError::BadSignature {
                role: SignerRole::Origin,
                ..
            }
        ),
        "{err}"
    );

    let err = Transaction::from_bytes(&bytes)
        .expect("decodes")
        .verify(Network::Mainnet)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "transaction is not for mainnet: it has version byte 0x80 and chain id 0x80000000, \
         mainnet needs 0x00 and 0x00000001"
    );
    // A mainnet version byte with the testnet chain id is refused too.
    let mut mixed = bytes.clone();
    mixed[0] = 0x00;
    assert!(matches!(
        Transaction::from_bytes(&mixed)
            .expect("decodes")
            .verify(Network::Mainnet),
        Err(TxError::WrongNetwork {
            chain_id: 0x8000_0000,
            ..
        })
    ));
}

#[test]
fn high_s_signatures_are_refused_though_they_recover_the_right_key() {
    let mut bytes = transfer().as_bytes().to_vec();
    // Signature: recovery id at 44, r at 45..77, s at 77..109. (r, n - s) with the other
    // recovery id is the same signature's malleated twin.
    let low = k256::ecdsa::Signature::from_slice(&bytes[45..109]).expect("signature");
    let high = k256::ecdsa::Signature::from_scalars(low.r().to_bytes(), (-*low.s()).to_bytes())
        .expect("high-S signature");
    bytes[45..109].copy_from_slice(&high.to_bytes());
    bytes[44] ^= 1;
    assert_eq!(
        Transaction::from_bytes(&bytes)
            .expect("decodes")
            .verify(Network::Devnet)
            .unwrap_err(),
        TxError::HighS(SignerRole::Origin)
    );
}

#[test]
fn the_sponsor_flow_checks_each_step() {
    let request = sponsor_request();
    let origin = account("wallet_1").address(Network::Devnet);

    // The origin-signed transaction travels as hex; the sponsor sees who it pays for.
    let received = SponsorRequest::from_hex(&request.to_hex()).expect("decode");
    assert_eq!(
        &received.origin(Network::Devnet).expect("origin"),
        origin.as_stacks()
    );
    assert!(matches!(
        received.origin(Network::Mainnet),
        Err(TxError::WrongNetwork { .. })
    ));

    // Not broadcastable until sponsored.
    let waiting = Transaction::from_bytes(received.as_bytes()).expect("decode");
    assert_eq!(
        waiting.verify(Network::Devnet).unwrap_err(),
        TxError::AwaitingSponsor
    );

    let faucet = account("faucet");
    let done = received.sponsor(&faucet, 500, 9).expect("sponsor");
    let signers = done.verify(Network::Devnet).expect("verify");
    assert_eq!(&signers.origin, origin.as_stacks());
    assert_eq!(
        signers.sponsor.as_ref(),
        Some(faucet.address(Network::Devnet).as_stacks())
    );
    assert_eq!(done.as_stacks().get_tx_fee(), 500, "the sponsor pays");
    assert_eq!(done.as_stacks().get_sponsor_nonce(), Some(9));

    // A complete transaction is not a request, and neither is an unsponsored one.
    assert_eq!(
        SponsorRequest::from_bytes(done.as_bytes()).unwrap_err(),
        TxError::AlreadySponsored
    );
    assert_eq!(
        SponsorRequest::from_bytes(transfer().as_bytes()).unwrap_err(),
        TxError::NotSponsored
    );

    // The sponsor's condition follows the origin's (bytes 6..109): hash mode, signer, nonce,
    // then the fee at 138..146, covered by the sponsor's signature only.
    let mut fee = done.as_bytes().to_vec();
    assert_eq!(fee[138..146], 500u64.to_be_bytes());
    fee[145] ^= 1;
    let err = Transaction::from_bytes(&fee)
        .expect("decodes")
        .verify(Network::Devnet)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TxError::BadSignature {
                role: SignerRole::Sponsor,
                ..
            }
        ),
        "{err}"
    );

    // A sponsor will not sign for a forged origin signature.
    let mut forged = request.as_bytes().to_vec();
    forged[50] ^= 0x20;
    let err = SponsorRequest::from_bytes(&forged)
        .expect("decodes")
        .sponsor(&faucet, 500, 9)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TxError::BadSignature {
                role: SignerRole::Origin,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn post_conditions_and_mode_are_signed_into_the_transaction() {
    let token: AssetId = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.ehr-credit::credit"
        .parse()
        .expect("asset");
    let payload =
        Payload::contract_call(&registry(), "pay", vec![Value::UInt(5)]).expect("payload");
    let tx = TransactionBuilder::new(Network::Devnet, payload)
        .post_condition(PostCondition::stx(
            PcPrincipal::origin(),
            FungibleConditionCode::SentLe,
            5,
        ))
        .post_condition(PostCondition::ft(
            PcPrincipal::principal(&principal("wallet_2")).expect("principal"),
            &token,
            FungibleConditionCode::SentEq,
            1,
        ))
        .sign(&account("wallet_1"))
        .expect("sign");
    let decoded = Transaction::from_bytes(tx.as_bytes()).expect("decode");
    assert_eq!(decoded.as_stacks().post_conditions.len(), 2);
    assert_eq!(
        decoded.verify(Network::Devnet).expect("verify").origin,
        *account("wallet_1").address(Network::Devnet).as_stacks()
    );

    // Dropping a post-condition (count at bytes 111..115, then the 11-byte STX one) breaks
    // the origin's signature.
    let mut bytes = tx.as_bytes().to_vec();
    bytes[114] = 1;
    bytes.drain(115..126);
    let err = Transaction::from_bytes(&bytes)
        .expect("decodes")
        .verify(Network::Devnet)
        .unwrap_err();
    assert!(
        matches!(
            err,
            TxError::BadSignature {
                role: SignerRole::Origin,
                ..
            }
        ),
        "{err}"
    );
}
