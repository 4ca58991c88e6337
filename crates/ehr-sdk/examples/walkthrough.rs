//! The grant/revoke story through the typed client, as a program of your own would tell it.
//!
//! A patient (wallet_1) and a doctor (wallet_2) register; an issuer (wallet_3) the admin
//! (deployer) enabled verifies the doctor; the patient stores an encrypted FHIR
//! Observation on chain, grants the doctor read access and shares the record's key; the
//! doctor reads it (the view is logged on chain); the patient revokes; the doctor is
//! refused; the patient's audit trail verifies against the chain's hash chain.
//!
//! ```sh
//! cargo run -p ehr-sdk --example walkthrough                  # a devnet in this process
//! EHR_NODE=http://127.0.0.1:20443 cargo run -p ehr-sdk --example walkthrough
//! ```
//!
//! With `EHR_NODE` it talks to that node instead: a devnet with the contracts deployed by
//! the devnet deployer (`ehr devnet start`, or `ehr devnet start --no-contracts` then
//! `ehr deploy --account deployer`). It can run again on the same node: registrations
//! already made are kept. The accounts are the devnet's (public mnemonics: devnet only).

use std::error::Error;

use ehr_sdk::devnet_config::DevnetConfig;
use ehr_sdk::ehr::read::{read_record, ViewLog};
use ehr_sdk::ehr::records::{self, Placement, RecordError};
use ehr_sdk::ehr::types::Scope;
use ehr_sdk::ehr::{calls, trail, ContractCall, Deployment, EhrClient, SendOptions};
use ehr_sdk::keys::Account;
use ehr_sdk::network::Network;
use ehr_sdk::node::NodeClient;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

const OBSERVATION: &str = r#"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"718-7","display":"Hemoglobin [Mass/volume] in Blood"}]},"valueQuantity":{"value":13.5,"unit":"g/dL"}}"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // The devnet accounts are compiled into ehr-sdk: no file needed.
    let accounts = DevnetConfig::builtin()?;
    let account = |name: &str| -> Result<Account, Box<dyn Error>> {
        Ok(accounts
            .account(name)
            .ok_or_else(|| format!("no devnet account {name}"))?
            .clone())
    };
    let (deployer, patient, doctor, issuer) = (
        account("deployer")?,
        account("wallet_1")?,
        account("wallet_2")?,
        account("wallet_3")?,
    );

    // A node: EHR_NODE, or a devnet in this process with the contracts at genesis.
    let (url, _devnet) = match std::env::var("EHR_NODE") {
        Ok(url) => (url, None),
        Err(_) => {
            let genesis = ehr_harness::ehr::devnet_genesis(&accounts)?;
            let node =
                ehr_harness::devnet::spawn(ehr_harness::devnet::DevnetConfig::new(genesis)).await?;
            (node.url().to_string(), Some(node))
        }
    };
    println!("node {url}");
    let ehr = EhrClient::new(
        NodeClient::new(&url)?,
        Network::Devnet,
        Deployment::new(deployer.address.to_standard_principal()),
    );
    let (p, d) = (patient.principal(), doctor.principal());
    let send = SendOptions::default();
    let run = |who: &Account, call: ContractCall| {
        let (ehr, key) = (ehr.clone(), who.secret_key.clone());
        async move { ehr.execute(&key, &call, &SendOptions::default()).await }
    };

    // 1. Registration. The identifier never goes on chain: only sha256(salt ++ id).
    if ehr.is_registered(&p).await? {
        println!("patient {p} was registered before");
    } else {
        let mut salt = [0u8; 32];
        OsRng.fill_bytes(&mut salt);
        let id_hash = ehr_sdk::disclosure::commitment(&salt, b"+256700000001");
        let call = calls::register_patient(&id_hash, &patient.secret_key.public_key())?;
        let mined = run(&patient, call).await?;
        println!(
            "patient {p} registered in block {} (salt {}: the patient keeps it)",
            mined.block_height,
            hex::encode(salt)
        );
    }
    if ehr.get_doctor(&d).await?.is_none() {
        let license: [u8; 32] = Sha256::digest(b"UG-MD-4411").into();
        let call = calls::register_doctor(&license, &doctor.secret_key.public_key(), "hematology")?;
        run(&doctor, call).await?;
        println!("doctor {d} registered");
    }
    if !ehr.is_verified(&d).await? {
        let i = issuer.principal();
        run(
            &deployer,
            calls::set_issuer(&i, &issuer.secret_key.public_key(), true)?,
        )
        .await?;
        let tip = ehr.node().info().await?.stacks_tip_height;
        run(&issuer, calls::verify_doctor(&d, tip + 10_000)?).await?;
        println!("doctor verified by issuer {i}");
    }

    // 2. A record: encrypted here, stored on chain; only its key envelopes unlock it.
    let written = records::add_record(
        &ehr,
        &patient.secret_key,
        &p,
        "Observation",
        OBSERVATION.as_bytes(),
        Placement::OnChain,
        &send,
    )
    .await?;
    let id = written.record_id;
    println!("record #{id} stored (Observation, encrypted)");

    // 3. Grant, share the record's key, and the doctor reads (the view is logged).
    let token = match ehr.get_active_token(&p, &d).await? {
        Some(token) => token,
        None => {
            let tip = ehr.node().info().await?.stacks_tip_height;
            let call = calls::grant_access(&d, Scope::READ, Some("Observation"), tip + 100)?;
            run(&patient, call).await?.id()?
        }
    };
    records::share_record(&ehr, &patient.secret_key, id, &d, &send).await?;
    let read = read_record(&ehr, &doctor.secret_key, id, None, ViewLog::Log, &send).await?;
    let plaintext = String::from_utf8(read.opened.plaintext)?;
    if plaintext != OBSERVATION {
        return Err(format!("record #{id} decrypted to something else: {plaintext}").into());
    }
    println!("doctor read record #{id} with token #{token}; the view is logged on chain");

    // 4. Revoke: the token is burnt, and the doctor is refused.
    run(&patient, calls::revoke_access(token)?).await?;
    match read_record(&ehr, &doctor.secret_key, id, None, ViewLog::Log, &send).await {
        Err(refused @ RecordError::AccessRefused { .. }) => {
            println!("after the revocation the doctor is refused: {refused}")
        }
        Err(other) => return Err(other.into()),
        Ok(_) => return Err("the revoked doctor could still read the record".into()),
    }

    // 5. The patient's audit trail, checked against the chain's global hash chain.
    let trail = trail::patient_trail(&ehr, &p, 0, 1000).await?;
    trail.verified?;
    println!(
        "audit trail of {p}: {} entries, hash chain verified",
        trail.entries.len()
    );
    Ok(())
}
