//! The typed EHR client against the devnet node: its function table equals the deployed
//! contracts' interfaces, and its calls and decoders work end to end over HTTP.

mod devnet_support;

use clarity::vm::types::PrincipalData;
use devnet_support::{account, genesis, start};
use ehr_harness::devnet::DevnetConfig;
use ehr_sdk::ehr::abi::{Access, FUNCTIONS};
use ehr_sdk::ehr::read::{read_record, Authority, ViewLog};
use ehr_sdk::ehr::records::{self, DirStore, Placement, RecordError};
use ehr_sdk::ehr::revoke::{revoke_access, AfterRevoke};
use ehr_sdk::ehr::types::{RequestStatus, Scope, TokenState};
use ehr_sdk::ehr::{
    calls, ClientError, ContractError, Deployment, EhrClient, EhrContract, SendOptions,
};
use ehr_sdk::network::Network;
use ehr_sdk::node::{FunctionAccess, NodeClient};

fn client(url: &str) -> EhrClient {
    let deployer = account("deployer").address.to_standard_principal();
    EhrClient::new(
        NodeClient::new(url).unwrap(),
        Network::Devnet,
        Deployment::new(deployer),
    )
}

#[tokio::test]
async fn the_function_table_matches_the_deployed_interfaces() {
    let node = start(DevnetConfig::new(genesis(true))).await;
    let ehr = client(node.url());
    let mut deployed = Vec::new();
    for contract in EhrContract::ALL {
        let interface = ehr
            .node()
            .contract_interface(&ehr.deployment().id(contract))
            .await
            .unwrap();
        for f in &interface.functions {
            let access = match f.access {
                FunctionAccess::Public => "public",
                FunctionAccess::ReadOnly => "read-only",
                FunctionAccess::Private => continue,
            };
            let args: Vec<String> = f
                .args
                .iter()
                .map(|a| format!("{} {}", a.name, a.ty))
                .collect();
            deployed.push(format!(
                "{contract}.{} {access} ({})",
                f.name,
                args.join(", ")
            ));
        }
    }
    let mut table: Vec<String> = FUNCTIONS
        .iter()
        .map(|s| {
            let access = if s.access == Access::ReadOnly {
                "read-only"
            } else {
                "public"
            };
            let args: Vec<String> = s.args.iter().map(|(n, t)| format!("{n} {t}")).collect();
            format!("{}.{} {access} ({})", s.contract, s.name, args.join(", "))
        })
        .collect();
    deployed.sort();
    table.sort();
    assert_eq!(
        table, deployed,
        "the SDK's function table and the deployed contracts differ"
    );
}

#[tokio::test]
async fn grant_read_revoke_through_the_typed_client() {
    let node = start(DevnetConfig::new(genesis(true))).await;
    let ehr = client(node.url());
    let (deployer, patient, doctor, issuer, clinic) = (
        account("deployer"),
        account("wallet_1"),
        account("wallet_2"),
        account("wallet_3"),
        account("wallet_5"),
    );
    let p = patient.principal();
    let d = doctor.principal();
    let none = SendOptions::default();
    let run = |who: &'static str, call: ehr_sdk::ehr::ContractCall| {
        let ehr = ehr.clone();
        async move {
            let key = account(who).secret_key;
            ehr.execute(&key, &call, &SendOptions::default()).await
        }
    };

    // The patient has no STX to spare? A clinic sponsors its registration.
    let sponsored = SendOptions {
        sponsor: Some(clinic.secret_key.clone()),
        ..SendOptions::default()
    };
    let mined = ehr
        .execute(
            &patient.secret_key,
            &calls::register_patient(&[1; 32], &patient.secret_key.public_key()).unwrap(),
            &sponsored,
        )
        .await
        .unwrap();
    assert!(mined.sent.sponsored);
    let reg = ehr.get_patient(&p).await.unwrap().expect("registered");
    assert!(reg.active && !reg.verified);
    assert_eq!(reg.enc_pubkey, patient.secret_key.public_key().to_bytes());

    run(
        "wallet_2",
        calls::register_doctor(&[2; 32], &doctor.secret_key.public_key(), "cardiology").unwrap(),
    )
    .await
    .unwrap();
    run(
        "deployer",
        calls::set_issuer(&issuer.principal(), &issuer.secret_key.public_key(), true).unwrap(),
    )
    .await
    .unwrap();
    let tip = ehr.node().info().await.unwrap().stacks_tip_height;
    run("wallet_3", calls::verify_doctor(&d, tip + 500).unwrap())
        .await
        .unwrap();
    assert!(ehr.is_verified(&d).await.unwrap());
    assert!(
        ehr.get_issuer(&issuer.principal())
            .await
            .unwrap()
            .unwrap()
            .enabled
    );
    let _ = deployer;

    // A refusal is the contract's error, named.
    let err = ehr
        .execute(
            &doctor.secret_key,
            &calls::verify_patient(&p).unwrap(),
            &none,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.contract_error(),
        Some(ContractError::PatientNotVerifier),
        "{err}"
    );
    assert!(
        err.to_string().contains("only an enabled verifier"),
        "{err}"
    );

    // A record on chain, decrypted by the patient.
    let written = records::add_record(
        &ehr,
        &patient.secret_key,
        &p,
        "Observation",
        b"{\"resourceType\":\"Observation\"}",
        Placement::OnChain,
        &none,
    )
    .await
    .unwrap();
    assert_eq!(written.record_id, 1);
    let own = read_record(&ehr, &patient.secret_key, 1, None, ViewLog::Log, &none)
        .await
        .unwrap();
    assert_eq!(
        (own.authority, own.logged.is_none()),
        (Authority::Patient, true)
    );
    let opened = own.opened;
    assert_eq!(opened.plaintext, b"{\"resourceType\":\"Observation\"}");

    // Request, approve: a token for the doctor; then a key envelope, and the doctor reads.
    let req = run(
        "wallet_2",
        calls::request_access(&p, Scope::READ, 100, "follow-up \u{e9}").unwrap(),
    )
    .await
    .unwrap();
    let request_id = req.id().unwrap();
    let request = ehr.get_request(request_id).await.unwrap().unwrap();
    assert_eq!(
        (request.status, request.reason.as_str()),
        (RequestStatus::Pending, "follow-up \u{e9}")
    );
    let approved = run("wallet_1", calls::approve_request(request_id).unwrap())
        .await
        .unwrap();
    let token_id = approved.id().unwrap();
    let token = ehr.get_token(token_id).await.unwrap().unwrap();
    assert_eq!(
        (token.grantee.clone(), token.scope),
        (d.clone(), Scope::READ)
    );
    assert_eq!(ehr.token_owner(token_id).await.unwrap(), Some(d.clone()));
    assert_eq!(ehr.get_active_token(&p, &d).await.unwrap(), Some(token_id));
    assert!(ehr
        .has_access(&p, &d, Scope::READ, Some("Observation"))
        .await
        .unwrap());
    records::share_record(&ehr, &patient.secret_key, 1, &d, &none)
        .await
        .unwrap();
    // The grantee's read is checked and logged on chain before it is decrypted.
    let read = read_record(&ehr, &doctor.secret_key, 1, None, ViewLog::Log, &none)
        .await
        .unwrap();
    assert_eq!(read.opened.plaintext, opened.plaintext);
    assert_eq!(read.authority, Authority::Grant { token: token_id });
    let logged = read.logged.expect("a grantee's view is logged");
    assert_eq!(logged.sent.function, "ehr-storage.log-access");

    // Revoke: the token is burnt from the doctor, which the client covers with an NFT
    // post-condition (Deny mode would abort it otherwise).
    run("wallet_1", calls::revoke_access(token_id).unwrap())
        .await
        .unwrap();
    let tip = ehr.node().info().await.unwrap().stacks_tip_height;
    assert_eq!(
        ehr.get_token(token_id)
            .await
            .unwrap()
            .unwrap()
            .state_at(tip + 1),
        TokenState::Revoked
    );
    assert_eq!(ehr.token_owner(token_id).await.unwrap(), None);
    let err = run("wallet_2", calls::log_access(token_id, 1, "view").unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        err.contract_error(),
        Some(ContractError::StorageNoAccess),
        "{err}"
    );

    // The audit trail of the patient verifies against the global chain.
    let trail = ehr_sdk::ehr::trail::patient_trail(&ehr, &p, 0, 100)
        .await
        .unwrap();
    trail.verified.unwrap();
    let actions: Vec<&str> = trail.entries.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"revoke-access") && actions.contains(&"view"),
        "{actions:?}"
    );
    assert_eq!(
        ehr.get_head().await.unwrap().count,
        ehr.get_entry_count().await.unwrap()
    );

    // Notifications reach the patient.
    assert!(ehr.get_notification_count(&p).await.unwrap() > 0);
    let first = ehr.get_notification(&p, 0).await.unwrap().unwrap();
    assert!(!first.read);

    // Internal and read-only functions are not sent as transactions.
    let read_only = calls::read_only(
        EhrContract::PatientRegistry,
        "is-registered",
        vec![clarity::vm::Value::Principal(p.clone())],
    )
    .unwrap();
    assert!(matches!(
        ehr.send(&patient.secret_key, &read_only, &none).await,
        Err(ClientError::NotCallable { .. })
    ));
}

#[tokio::test]
async fn proofs_built_in_rust_verify_in_the_contract_over_rpc() {
    let node = start(DevnetConfig::new(genesis(true))).await;
    let ehr = client(node.url());
    let resource = serde_json::json!({
        "resourceType": "Observation",
        "status": "final",
        "code": { "coding": [{ "system": "http://loinc.org", "code": "718-7" }] },
        "valueQuantity": { "value": 13.5, "unit": "g/dL" }
    });
    let tree = ehr_sdk::fhir::DisclosureTree::new(&resource).unwrap();
    for (path, _) in tree.fields() {
        let d = tree.disclose(path).unwrap();
        assert!(d.verify());
        assert_eq!(
            ehr.leaf_hash(&d.salt, &d.field_bytes()).await.unwrap(),
            d.proof.leaf
        );
        let field = d.field_bytes();
        assert!(
            ehr.verify_merkle_proof(&d.salt, &field, &d.proof)
                .await
                .unwrap(),
            "{path}"
        );
        let mut forged = field.clone();
        forged.push(b' ');
        assert!(
            !ehr.verify_merkle_proof(&d.salt, &forged, &d.proof)
                .await
                .unwrap(),
            "{path}"
        );
    }
    let key = account("wallet_3").secret_key;
    let doctor: PrincipalData = account("wallet_2").principal();
    let issuer: PrincipalData = account("wallet_3").principal();
    let hash = ehr
        .attestation_hash(&doctor, &[9; 32], 1000, &issuer)
        .await
        .unwrap();
    let attestation = ehr.attestation(&doctor, &[9; 32], 1000, &issuer);
    assert_eq!(hash, attestation.hash());
    let sig = attestation.sign(&key);
    assert!(ehr
        .verify_signature(&hash, &sig, &key.public_key().to_bytes())
        .await
        .unwrap());
    let salt = [4u8; 32];
    let c = ehr_sdk::disclosure::commitment(&salt, b"O+");
    assert!(ehr.verify_commitment(&c, &salt, b"O+").await.unwrap());
    assert!(!ehr.verify_commitment(&c, &salt, b"O-").await.unwrap());
}

#[tokio::test]
async fn a_client_pointed_at_the_wrong_deployer_says_so() {
    let node = start(DevnetConfig::new(genesis(true))).await;
    let wrong = Deployment::new(account("wallet_7").address.to_standard_principal());
    let ehr = EhrClient::new(NodeClient::new(node.url()).unwrap(), Network::Devnet, wrong);
    let err = ehr
        .is_registered(&account("wallet_1").principal())
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::NotDeployed { .. }), "{err}");
}

/// Registers `who` as a doctor verified by wallet_3 (enabled as issuer by the deployer).
async fn verified_doctor(ehr: &EhrClient, who: &str, license: u8) {
    let none = SendOptions::default();
    let key = account(who).secret_key;
    ehr.execute(
        &key,
        &calls::register_doctor(&[license; 32], &key.public_key(), "general").unwrap(),
        &none,
    )
    .await
    .unwrap();
    let issuer = account("wallet_3");
    if !ehr.is_verified(&account(who).principal()).await.unwrap() {
        let enabled = ehr
            .get_issuer(&issuer.principal())
            .await
            .unwrap()
            .is_some_and(|i| i.enabled);
        if !enabled {
            ehr.execute(
                &account("deployer").secret_key,
                &calls::set_issuer(&issuer.principal(), &issuer.secret_key.public_key(), true)
                    .unwrap(),
                &none,
            )
            .await
            .unwrap();
        }
        let tip = ehr.node().info().await.unwrap().stacks_tip_height;
        ehr.execute(
            &issuer.secret_key,
            &calls::verify_doctor(&account(who).principal(), tip + 500).unwrap(),
            &none,
        )
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn a_read_without_a_grant_is_refused_before_anything_is_logged() {
    let node = start(DevnetConfig::new(genesis(true))).await;
    let ehr = client(node.url());
    let none = SendOptions::default();
    let patient = account("wallet_1");
    ehr.execute(
        &patient.secret_key,
        &calls::register_patient(&[1; 32], &patient.secret_key.public_key()).unwrap(),
        &none,
    )
    .await
    .unwrap();
    verified_doctor(&ehr, "wallet_2", 2).await;
    records::add_record(
        &ehr,
        &patient.secret_key,
        &patient.principal(),
        "Observation",
        b"{}",
        Placement::OnChain,
        &none,
    )
    .await
    .unwrap();
    let entries = ehr.get_entry_count().await.unwrap();
    let err = read_record(
        &ehr,
        &account("wallet_2").secret_key,
        1,
        None,
        ViewLog::Log,
        &none,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, RecordError::AccessRefused { .. }), "{err}");
    assert!(err.to_string().contains("no live read grant"), "{err}");
    assert_eq!(
        ehr.get_entry_count().await.unwrap(),
        entries,
        "nothing logged"
    );
}

#[tokio::test]
async fn revoking_rotates_the_keys_the_revoked_holder_could_open() {
    let node = start(DevnetConfig::new(genesis(true))).await;
    let ehr = client(node.url());
    let none = SendOptions::default();
    let store_dir = tempfile::tempdir().unwrap();
    let store = DirStore::new(store_dir.path());
    let patient = account("wallet_1");
    let p = patient.principal();
    ehr.execute(
        &patient.secret_key,
        &calls::register_patient(&[1; 32], &patient.secret_key.public_key()).unwrap(),
        &none,
    )
    .await
    .unwrap();
    verified_doctor(&ehr, "wallet_2", 2).await;
    verified_doctor(&ehr, "wallet_4", 4).await;
    let (revoked, kept) = (account("wallet_2"), account("wallet_4"));
    // Two records: one on chain, one in the store; a third the revoked doctor never got.
    for (body, place) in [
        (&b"{\"a\":1}"[..], Placement::OnChain),
        (&[7u8; 20_000][..], Placement::Store(&store)),
        (&b"{\"c\":3}"[..], Placement::OnChain),
    ] {
        records::add_record(
            &ehr,
            &patient.secret_key,
            &p,
            "Observation",
            body,
            place,
            &none,
        )
        .await
        .unwrap();
    }
    let tip = ehr.node().info().await.unwrap().stacks_tip_height;
    let mut tokens = Vec::new();
    for doctor in [&revoked, &kept] {
        let mined = ehr
            .execute(
                &patient.secret_key,
                &calls::grant_access(&doctor.principal(), Scope::READ, None, tip + 1000).unwrap(),
                &none,
            )
            .await
            .unwrap();
        tokens.push(mined.id().unwrap());
        for id in [1, 2] {
            records::share_record(&ehr, &patient.secret_key, id, &doctor.principal(), &none)
                .await
                .unwrap();
        }
    }

    let out = revoke_access(
        &ehr,
        &patient.secret_key,
        tokens[0],
        AfterRevoke::RotateKeys,
        8192,
        &store,
        &none,
    )
    .await
    .unwrap();
    assert_eq!(out.grantee, revoked.principal());
    assert!(out.not_rotated.is_empty(), "{:?}", out.not_rotated);
    let from: Vec<u64> = out.rotated.iter().map(|r| r.from).collect();
    assert_eq!(
        from,
        vec![1, 2],
        "only the records the revoked doctor could open"
    );
    for r in &out.rotated {
        let new = r.written.record_id;
        assert_eq!(r.kept, vec![kept.principal()]);
        assert!(ehr
            .get_envelope(new, &revoked.principal())
            .await
            .unwrap()
            .is_none());
        // The kept doctor and the patient read the new version; the content is unchanged.
        let theirs = read_record(
            &ehr,
            &kept.secret_key,
            new,
            Some(&store),
            ViewLog::Log,
            &none,
        )
        .await
        .unwrap();
        let old = read_record(
            &ehr,
            &patient.secret_key,
            r.from,
            Some(&store),
            ViewLog::Log,
            &none,
        )
        .await
        .unwrap();
        assert_eq!(theirs.opened.plaintext, old.opened.plaintext);
        let refused = read_record(
            &ehr,
            &revoked.secret_key,
            new,
            Some(&store),
            ViewLog::Log,
            &none,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(refused, RecordError::AccessRefused { .. }),
            "{refused}"
        );
    }
    // The third record was never open to the revoked doctor: not rotated.
    assert!(ehr
        .get_record(3)
        .await
        .unwrap()
        .unwrap()
        .superseded_by
        .is_none());

    // Opting out leaves the records as they are.
    let before = ehr.get_record_count().await.unwrap();
    let out = revoke_access(
        &ehr,
        &patient.secret_key,
        tokens[1],
        AfterRevoke::KeepKeys,
        8192,
        &store,
        &none,
    )
    .await
    .unwrap();
    assert!(out.rotated.is_empty());
    assert_eq!(ehr.get_record_count().await.unwrap(), before);
}
