//! The eight EHR contracts (and the local SIP-009 trait) pass the real analysis and deploy
//! in dependency order from contracts/Clarinet.toml.

use clarity::vm::types::PrincipalData;
use ehr_harness::simnet::{Manifest, Simnet, SimnetConfig};

#[test]
fn the_project_deploys() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../contracts");
    let manifest = Manifest::load(std::path::Path::new(dir)).unwrap();
    let deployer =
        PrincipalData::parse_standard_principal("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM")
            .unwrap();
    let mut sim = Simnet::new(SimnetConfig::default()).unwrap();
    let deployed = sim
        .deploy_project(&manifest, &deployer)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(deployed.len(), 9);
}
