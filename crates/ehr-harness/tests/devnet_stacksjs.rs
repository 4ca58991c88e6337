//! The devnet answers transactions made by @stacks/transactions 7.6 as a stacks-node does
//! (issue 13): an uncompressed key's transfer and call are admitted and mined, a refusal
//! for funds carries the node's zero-padded amounts, a call to a mainnet-address contract
//! or a transfer to a mainnet principal is `BadAddressVersionByte`, a sponsor request awaits its sponsor, a non-canonical
//! version byte gets the canonical txid, and a Clarity 3/4 deploy is refused with the fix.
//! The vectors are committed (crates/ehr-sdk/tests/vectors/disagreements.json, made by
//! disagreements.mjs there), so this test needs no Node.

mod devnet_support;

use devnet_support::*;
use ehr_sdk::keys::Address;
use ehr_sdk::node::RejectReason;
use ehr_sdk::tx::{Memo, Payload};
use serde_json::{json, Value as Json};
use sha2::Digest;

fn vectors() -> Json {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ehr-sdk/tests/vectors/disagreements.json");
    let text = std::fs::read_to_string(&path).expect("disagreements.json");
    serde_json::from_str(&text).expect("the vector file parses")
}

fn text(v: &Json) -> &str {
    v.as_str().expect("a string")
}

async fn broadcast_hex(rpc: &Rpc, hex: &str) -> (u16, Json) {
    rpc.post_json("/v2/transactions", &json!({ "tx": hex }))
        .await
}

fn sha512_256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha512_256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_devnet_answers_stacks_js_transactions_as_the_node_does() {
    let v = vectors();
    let node = start_plain().await;
    let rpc = Rpc::new(&node);
    rpc.mined(&rpc.send(&deploy_probe(0)).await).await;

    // A call to a contract at a mainnet address, on a testnet chain: the node checks the
    // address version before looking the contract up.
    let call = &v["mainnet_contract_call"];
    let (status, body) = broadcast_hex(&rpc, text(&call["tx_hex"])).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["reason"], "BadAddressVersionByte", "{body}");
    assert!(body.get("reason_data").is_none(), "{body}");
    assert_eq!(body["txid"], call["txid"]);
    // Transfers to a mainnet account or to a contract at a mainnet address: the same class.
    for transfer in v["mainnet_recipients"].as_array().unwrap() {
        let (status, body) = broadcast_hex(&rpc, text(&transfer["tx_hex"])).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            body["reason"], "BadAddressVersionByte",
            "to {}: {body}",
            transfer["recipient"]
        );
        assert_eq!(body["txid"], transfer["txid"]);
    }

    // The uncompressed key's account, before it has any STX: the node's zero-padded
    // amounts (0x + 32 hex digits), which the SDK reads back.
    let keys = v["keys"].as_array().unwrap();
    let uncompressed = keys
        .iter()
        .find(|k| k["account"] == "wallet_4" && k["compressed"] == false)
        .expect("wallet_4 without its 01 suffix");
    let transfer = &v["uncompressed_signed"][0];
    assert_eq!(transfer["name"], "transfer-testnet-uncompressed");
    let (status, body) = broadcast_hex(&rpc, text(&transfer["tx_hex"])).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["reason"], "NotEnoughFunds", "{body}");
    assert_eq!(
        body["reason_data"],
        json!({
            "expected": "0x000000000000000000000000000f436c",
            "actual": "0x00000000000000000000000000000000",
        }),
        "1_000_000 µSTX plus a 300 µSTX fee, against nothing"
    );
    let said = RejectReason::from_wire(text(&body["reason"])).describe(body.get("reason_data"));
    assert!(said.contains("has 0 µSTX but needs 1000300 µSTX"), "{said}");

    // Funded, the account sends stacks.js's transfer and call: same txids, mined.
    let address: Address = text(&uncompressed["testnet"]).parse().unwrap();
    let funding = sign(
        &account("faucet"),
        Payload::stx_transfer(address.to_principal(), 10_000_000, Memo::default()),
        rpc.nonce("faucet").await,
    );
    rpc.mined(&rpc.send(&funding).await).await;
    for signed in v["uncompressed_signed"].as_array().unwrap() {
        if signed["network"] != "testnet" {
            continue;
        }
        let (status, body) = broadcast_hex(&rpc, text(&signed["tx_hex"])).await;
        assert_eq!(
            (status, &body),
            (200, &signed["txid"]),
            "{}",
            signed["name"]
        );
        let mined = rpc.mined(text(&signed["txid"])).await;
        assert_eq!(mined["tx_status"], "success", "{mined}");
        assert_eq!(mined["sender_address"], uncompressed["testnet"]);
    }

    // A stacks.js sponsor request: origin-signed, awaiting its sponsor, not a bad signature.
    let (status, body) = broadcast_hex(&rpc, text(&v["sponsor_request"]["tx_hex"])).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["reason"], "SignatureValidation", "{body}");
    let message = text(&body["reason_data"]["message"]);
    assert!(message.contains("awaits its sponsor"), "{message}");
    assert!(!message.contains("invalid"), "{message}");

    // Version byte 0x86: accepted under the canonical txid, never under the raw bytes' hash.
    let malleated = &v["malleated_version"];
    let raw = hex::decode(text(&malleated["tx_hex"])).unwrap();
    let raw_txid = sha512_256_hex(&raw);
    let (status, body) = rpc
        .post_raw("/v2/transactions", "application/octet-stream", raw)
        .await;
    assert_eq!((status, &body), (200, &malleated["canonical_txid"]));
    let canonical = text(&malleated["canonical_txid"]);
    assert_ne!(raw_txid, canonical);
    let mined = rpc.mined(canonical).await;
    assert_eq!(mined["tx_status"], "success", "{mined}");
    let (status, _) = rpc.get(&format!("/extended/v1/tx/0x{raw_txid}")).await;
    assert_eq!(status, 404, "nothing is indexed under the raw bytes' hash");

    // stacks.js 7.6's default deploy (Clarity 4) and a Clarity 3 one: a node on an epoch
    // without them refuses with ServerFailureOther; the message names the fix.
    for deploy in v["deploys"].as_array().unwrap() {
        let version = deploy["clarity_version"].as_u64().unwrap();
        if version < 3 {
            continue;
        }
        let (status, body) = broadcast_hex(&rpc, text(&deploy["tx_hex"])).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["reason"], "ServerFailureOther", "{body}");
        assert_eq!(body["txid"], deploy["txid"]);
        let message = text(&body["reason_data"]["message"]);
        for needle in [
            "Transaction is not supported in this epoch",
            &format!("Clarity {version}"),
            "Clarity 1 and 2",
            "clarityVersion: ClarityVersion.Clarity2",
            "clarity_version = 2",
        ] {
            assert!(message.contains(needle), "{message}");
        }
    }
    node.shutdown().await;
}
