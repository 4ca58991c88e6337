//! Mempool admission: every refusal is a 4xx with the node's rejection JSON, and the
//! node keeps serving afterwards.

mod devnet_support;

use clarity::vm::types::Value;
use devnet_support::*;
use ehr_sdk::network::Network;
use ehr_sdk::tx::{Memo, Payload, TransactionBuilder};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_answer_the_nodes_rejection_json() {
    let node = start_plain().await;
    let rpc = Rpc::new(&node);
    rpc.mined(&rpc.send(&deploy_probe(0)).await).await;

    let reason = |body: &serde_json::Value| body["reason"].as_str().unwrap_or("").to_string();
    let good = call("wallet_1", "bump", vec![], 0);

    // Not hex.
    let (status, body) = rpc
        .post_json("/v2/transactions", &json!({ "tx": "zz" }))
        .await;
    // As a stacks-node: bytes that do not decode get a text 400, not a mempool rejection.
    assert_eq!(status, 400, "{body}");
    assert!(
        body.as_str()
            .unwrap_or("")
            .starts_with("Failed to parse tx"),
        "{body}"
    );
    // Truncated.
    let cut = good.as_bytes()[..good.as_bytes().len() - 3].to_vec();
    let (status, body) = rpc
        .post_raw("/v2/transactions", "application/octet-stream", cut)
        .await;
    assert_eq!(
        (
            status,
            body.as_str()
                .map(|b| b.starts_with("Failed to decode due to SIP-003 codec error: ReadError"))
        ),
        (400, Some(true)),
        "{body}"
    );
    // Wrong chain id (bytes 1..5): the signature no longer covers it either.
    let mut wrong_chain = good.as_bytes().to_vec();
    wrong_chain[1..5].copy_from_slice(&1u32.to_be_bytes());
    let (status, body) = rpc
        .post_raw("/v2/transactions", "application/octet-stream", wrong_chain)
        .await;
    assert_eq!(
        (status, reason(&body)),
        (400, "SignatureValidation".into()),
        "{body}"
    );
    // Mainnet version byte.
    let mainnet = TransactionBuilder::new(
        Network::Mainnet,
        Payload::contract_call(&probe_id(), "bump", vec![]).unwrap(),
    )
    .fee(10_000)
    .sign(&account("wallet_1").secret_key)
    .unwrap();
    let (status, body) = rpc.broadcast(&mainnet).await;
    assert_eq!(
        (status, reason(&body)),
        (400, "BadTransactionVersion".into()),
        "{body}"
    );
    // A signature byte flipped (the signature starts after version, chain id, auth type,
    // hash mode, signer, nonce, fee and key encoding: byte 44).
    let mut bad_sig = good.as_bytes().to_vec();
    bad_sig[60] ^= 0x01;
    let (status, body) = rpc
        .post_raw("/v2/transactions", "application/octet-stream", bad_sig)
        .await;
    assert_eq!(
        (status, reason(&body)),
        (400, "SignatureValidation".into()),
        "{body}"
    );
    // Over the 2 MiB transaction limit.
    let huge = vec![0u8; 2 * 1024 * 1024 + 1];
    let (status, body) = rpc
        .post_raw("/v2/transactions", "application/octet-stream", huge)
        .await;
    assert_eq!(
        (
            status,
            body.as_str()
                .map(|b| b.starts_with("Failed to deserialize posted transaction"))
        ),
        (400, Some(true)),
        "{body}"
    );
    // Fee under 1 micro-STX per byte.
    let cheap = TransactionBuilder::new(
        Network::Devnet,
        Payload::contract_call(&probe_id(), "bump", vec![]).unwrap(),
    )
    .fee(10)
    .sign(&account("wallet_1").secret_key)
    .unwrap();
    let (status, body) = rpc.broadcast(&cheap).await;
    assert_eq!((status, reason(&body)), (400, "FeeTooLow".into()), "{body}");
    assert_eq!(
        body["reason_data"],
        json!({ "expected": cheap.as_bytes().len(), "actual": 10 })
    );
    // A used nonce.
    rpc.mined(&rpc.send(&good).await).await;
    let (status, body) = rpc.broadcast(&call("wallet_1", "bump", vec![], 0)).await;
    assert_eq!((status, reason(&body)), (400, "BadNonce".into()), "{body}");
    assert_eq!(body["reason_data"]["expected"], 1);
    assert_eq!(body["reason_data"]["is_origin"], true);
    // Too far ahead.
    let (status, body) = rpc
        .broadcast(&call("wallet_1", "bump", vec![], 1 + 27))
        .await;
    assert_eq!(
        (status, reason(&body)),
        (400, "TooMuchChaining".into()),
        "{body}"
    );
    // More than the balance.
    let rich = sign(
        &account("wallet_5"),
        Payload::stx_transfer(principal("wallet_6"), 100_000_000_000_000, Memo::default()),
        0,
    );
    let (status, body) = rpc.broadcast(&rich).await;
    assert_eq!(
        (status, reason(&body)),
        (400, "NotEnoughFunds".into()),
        "{body}"
    );
    // As stacks-core writes a u128: 0x and 32 hex digits.
    assert_eq!(
        body["reason_data"]["actual"],
        format!("0x{:032x}", 100_000_000_000_000u128)
    );
    // Transfers to oneself, and of nothing.
    let own = sign(
        &account("wallet_5"),
        Payload::stx_transfer(principal("wallet_5"), 1, Memo::default()),
        0,
    );
    let (status, body) = rpc.broadcast(&own).await;
    assert_eq!(
        (status, reason(&body)),
        (400, "TransferRecipientCannotEqualSender".into())
    );
    let nothing = sign(
        &account("wallet_5"),
        Payload::stx_transfer(principal("wallet_6"), 0, Memo::default()),
        0,
    );
    let (status, body) = rpc.broadcast(&nothing).await;
    assert_eq!(
        (status, reason(&body)),
        (400, "TransferAmountMustBePositive".into())
    );
    // Contracts: existing, missing, private function, bad arguments.
    let (status, body) = rpc.broadcast(&deploy_probe(1)).await;
    assert_eq!(
        (status, reason(&body)),
        (400, "ContractAlreadyExists".into()),
        "{body}"
    );
    assert_eq!(
        body["reason_data"]["contract_identifier"],
        probe_id().to_string()
    );
    let missing = clarity::vm::types::QualifiedContractIdentifier::parse(&format!(
        "{}.nope",
        account("deployer").address
    ))
    .unwrap();
    let tx = sign(
        &account("wallet_5"),
        Payload::contract_call(&missing, "bump", vec![]).unwrap(),
        0,
    );
    assert_eq!(reason(&rpc.broadcast(&tx).await.1), "NoSuchContract");
    let tx = call("wallet_5", "get-counter", vec![], 0);
    assert_eq!(reason(&rpc.broadcast(&tx).await.1), "NoSuchPublicFunction");
    let tx = call("wallet_5", "mint-gold", vec![Value::Bool(true)], 0);
    assert_eq!(reason(&rpc.broadcast(&tx).await.1), "BadFunctionArgument");
    // A wrong content type and an empty body are plain 400s.
    let (status, _) = rpc
        .post_raw("/v2/transactions", "text/plain", good.as_bytes().to_vec())
        .await;
    assert_eq!(status, 400);
    let (status, _) = rpc
        .post_raw("/v2/transactions", "application/octet-stream", Vec::new())
        .await;
    assert_eq!(status, 400);

    // Still serving, and nothing refused changed the chain.
    assert_eq!(rpc.nonce("wallet_5").await, 0);
    let (status, _) = rpc.get("/v2/info").await;
    assert_eq!(status, 200);
    node.shutdown().await;
}
