//! Zero-knowledge claims against the devnet: a doctor commits and anchors, the patient
//! proves, anyone verifies; and a verifier refuses what the chain no longer backs: a
//! record with no anchor or another one, a record superseded by an amendment, an author
//! suspended since, a set committed by someone else than the author.

mod devnet_support;

use devnet_support::{account, genesis, start};
use ehr_harness::devnet::DevnetConfig;
use ehr_sdk::claims::value::today;
use ehr_sdk::claims::{self, AuthorRole, ClaimsError, Predicate};
use ehr_sdk::ehr::records::{self, Placement};
use ehr_sdk::ehr::types::Scope;
use ehr_sdk::ehr::{calls, ContractCall, Deployment, EhrClient, SendOptions};
use ehr_sdk::keys::SecretKey;
use ehr_sdk::network::Network;
use ehr_sdk::node::NodeClient;

const VALUE: &str = "Observation.valueQuantity.value";

fn client(url: &str) -> EhrClient {
    let deployer = account("deployer").address.to_standard_principal();
    EhrClient::new(
        NodeClient::new(url).unwrap(),
        Network::Devnet,
        Deployment::new(deployer),
    )
}

fn hba1c(value: f64) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}]},
        "effectiveDateTime": "2026-10-02",
        "valueQuantity": {"value": value, "unit": "%", "code": "%"}
    }))
    .unwrap()
}

async fn run(ehr: &EhrClient, key: &SecretKey, call: ContractCall) {
    ehr.execute(key, &call, &SendOptions::default())
        .await
        .unwrap();
}

/// Adds `plaintext` for the patient as `author`, and gives `holder` an envelope (the
/// patient shares).
async fn add(ehr: &EhrClient, author: &SecretKey, plaintext: &[u8], record_type: &str) -> u64 {
    let p = account("wallet_1");
    let w = records::add_record(
        ehr,
        author,
        &p.principal(),
        record_type,
        plaintext,
        Placement::OnChain,
        &SendOptions::default(),
    )
    .await
    .unwrap();
    let me = author.address(Network::Devnet).to_principal();
    if me != p.principal() {
        records::share_record(
            ehr,
            &p.secret_key,
            w.record_id,
            &me,
            &SendOptions::default(),
        )
        .await
        .unwrap();
    }
    w.record_id
}

/// The author commits record `id` and anchors the set; returns the set.
async fn commit_and_anchor(ehr: &EhrClient, author: &SecretKey, id: u64) -> claims::SignedSet {
    let (set, skipped) = claims::commit_record(ehr, author, id, None, &SendOptions::default())
        .await
        .unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    run(
        ehr,
        author,
        calls::set_claims_anchor(id, &set.digest()).unwrap(),
    )
    .await;
    set
}

#[tokio::test]
async fn claims_are_committed_proven_and_verified_against_the_chain() {
    let node = start(DevnetConfig::new(genesis(true))).await;
    let ehr = client(node.url());
    let (deployer, patient, doctor, issuer) = (
        account("deployer"),
        account("wallet_1"),
        account("wallet_2"),
        account("wallet_3"),
    );
    let (pk, dk) = (&patient.secret_key, &doctor.secret_key);
    let d = doctor.principal();
    let none = SendOptions::default();
    run(
        &ehr,
        pk,
        calls::register_patient(&[1; 32], &pk.public_key()).unwrap(),
    )
    .await;
    run(
        &ehr,
        dk,
        calls::register_doctor(&[2; 32], &dk.public_key(), "endocrinology").unwrap(),
    )
    .await;
    run(
        &ehr,
        &deployer.secret_key,
        calls::set_issuer(&issuer.principal(), &issuer.secret_key.public_key(), true).unwrap(),
    )
    .await;
    let tip = ehr.node().info().await.unwrap().stacks_tip_height;
    run(
        &ehr,
        &issuer.secret_key,
        calls::verify_doctor(&d, tip + 1000).unwrap(),
    )
    .await;
    let scope = Scope::READ.union(Scope::WRITE);
    run(
        &ehr,
        pk,
        calls::grant_access(&d, scope, None, tip + 1000).unwrap(),
    )
    .await;

    // The doctor writes an HbA1c of 6.1 %, commits and anchors; the patient proves < 6.5 %.
    let lab = add(&ehr, dk, &hba1c(6.1), "Observation").await;
    let set = commit_and_anchor(&ehr, dk, lab).await;
    let below = Predicate::Below { max: 6500 };
    let proof = claims::prove_record(&ehr, pk, &set, VALUE, below.clone(), None, &none)
        .await
        .unwrap();
    let verified = claims::verify_on_chain(&ehr, &proof, today())
        .await
        .unwrap();
    assert_eq!(verified.author_role, AuthorRole::VerifiedDoctor);
    assert_eq!(verified.record.id, lab);
    // A false claim cannot be proven.
    assert!(matches!(
        claims::prove_record(
            &ehr,
            pk,
            &set,
            VALUE,
            Predicate::Below { max: 6100 },
            None,
            &none
        )
        .await,
        Err(ClaimsError::NotTrue { .. })
    ));
    // Only the author commits (the patient holds an envelope too).
    assert!(matches!(
        claims::commit_record(&ehr, pk, lab, None, &none).await,
        Err(ClaimsError::NotAuthor { .. })
    ));

    // Self-reported: the patient's own record, committed by the patient.
    let birth = serde_json::to_vec(
        &serde_json::json!({"resourceType": "Patient", "birthDate": "1990-04-02"}),
    )
    .unwrap();
    let own = add(&ehr, pk, &birth, "Patient").await;
    let own_set = commit_and_anchor(&ehr, pk, own).await;
    let adult = Predicate::Below {
        max: claims::value::parse_date("2008-12-06").unwrap(),
    };
    let own_proof =
        claims::prove_record(&ehr, pk, &own_set, "Patient.birthDate", adult, None, &none)
            .await
            .unwrap();
    let v = claims::verify_on_chain(&ehr, &own_proof, today())
        .await
        .unwrap();
    assert_eq!(v.author_role, AuthorRole::Patient);

    // A record whose set was never anchored, then anchored with another digest.
    let second = add(&ehr, dk, &hba1c(5.9), "Observation").await;
    let (second_set, _) = claims::commit_record(&ehr, dk, second, None, &none)
        .await
        .unwrap();
    let second_proof =
        claims::prove_record(&ehr, pk, &second_set, VALUE, below.clone(), None, &none)
            .await
            .unwrap();
    assert!(matches!(
        claims::verify_on_chain(&ehr, &second_proof, today()).await,
        Err(ClaimsError::NotAnchored(id)) if id == second
    ));
    run(
        &ehr,
        dk,
        calls::set_claims_anchor(second, &[9; 32]).unwrap(),
    )
    .await;
    assert!(matches!(
        claims::verify_on_chain(&ehr, &second_proof, today()).await,
        Err(ClaimsError::AnchorMismatch(id)) if id == second
    ));

    // Another record's signed set cannot be used for this record.
    let mut moved = second_set.clone();
    moved.record.id = lab;
    assert!(
        claims::prove_record(&ehr, pk, &moved, VALUE, below.clone(), None, &none)
            .await
            .is_err()
    );

    // The record amended: its claims no longer stand.
    records::amend_record(&ehr, pk, lab, &hba1c(7.2), Placement::OnChain, &none)
        .await
        .unwrap();
    assert!(matches!(
        claims::verify_on_chain(&ehr, &proof, today()).await,
        Err(ClaimsError::Superseded { id, .. }) if id == lab
    ));

    // The doctor suspended: its records' claims fail; the patient's own still verify.
    let third = add(&ehr, dk, &hba1c(6.0), "Observation").await;
    let third_set = commit_and_anchor(&ehr, dk, third).await;
    let third_proof = claims::prove_record(&ehr, pk, &third_set, VALUE, below, None, &none)
        .await
        .unwrap();
    claims::verify_on_chain(&ehr, &third_proof, today())
        .await
        .unwrap();
    run(&ehr, &issuer.secret_key, calls::suspend_doctor(&d).unwrap()).await;
    assert!(matches!(
        claims::verify_on_chain(&ehr, &third_proof, today()).await,
        Err(ClaimsError::AuthorNotVerified(a)) if a == d.to_string()
    ));
    claims::verify_on_chain(&ehr, &own_proof, today())
        .await
        .unwrap();

    // A proof made for another deployment is refused here.
    let elsewhere = EhrClient::new(
        NodeClient::new(node.url()).unwrap(),
        Network::Devnet,
        Deployment::new(account("wallet_5").address.to_standard_principal()),
    );
    assert!(matches!(
        claims::verify_on_chain(&elsewhere, &own_proof, today()).await,
        Err(ClaimsError::OtherDeployment { .. })
    ));
}
