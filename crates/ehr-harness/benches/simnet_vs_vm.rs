//! The simnet's call rate against a bare Clarity VM loop, in one run.
//!
//! Both run the same map-writing public call. The bare loop is the floor of what any tool
//! on this VM can do: one `OwnedEnvironment` over clarity's `MemoryBackingStore`, calling
//! `execute_transaction` in a loop, nothing else. The simnet does everything a test needs
//! on top (per-call receipts, events, asset maps, block mining, cost accounting against the
//! block limit). Each is measured with real cost tracking (the boot cost contracts loaded)
//! and, for reference, with the free tracker.
//!
//! Run: `cargo bench -p ehr-harness --bench simnet_vs_vm` (CALLS=n to change the count).

use std::time::{Duration, Instant};

use clarity::boot_util::boot_code_id;
use clarity::vm::ast::ASTRules;
use clarity::vm::contexts::OwnedEnvironment;
use clarity::vm::costs::{ExecutionCost, LimitedCostTracker};
use clarity::vm::database::MemoryBackingStore;
use clarity::vm::types::{
    PrincipalData, QualifiedContractIdentifier, StandardPrincipalData, Value,
};
use clarity::vm::{ClarityVersion, SymbolicExpression};
use ehr_harness::simnet::{Simnet, SimnetConfig};
use stacks_common::consts::CHAIN_ID_TESTNET;
use stacks_common::types::StacksEpochId;

const CONTRACT: &str = "(define-map entries uint uint)
(define-public (put (k uint) (v uint)) (ok (map-set entries k v)))";
const DEPLOYER: &str = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const SENDER: &str = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";

fn standard(addr: &str) -> StandardPrincipalData {
    match PrincipalData::parse(addr) {
        Ok(PrincipalData::Standard(s)) => s,
        _ => panic!("bad devnet address {addr}"),
    }
}

fn args(i: u128) -> Vec<SymbolicExpression> {
    vec![
        SymbolicExpression::atom_value(Value::UInt(i)),
        SymbolicExpression::atom_value(Value::UInt(i * 7)),
    ]
}

/// The bare loop: returns elapsed time for `calls` calls.
fn bare_vm(calls: u128, tracked: bool) -> Duration {
    let mut store = MemoryBackingStore::new();
    let epoch = StacksEpochId::Epoch24;
    {
        let mut db = store.as_clarity_db();
        db.begin();
        db.set_clarity_epoch_version(epoch).expect("epoch");
        db.commit().expect("commit");
    }
    let boot = boot_code_id("costs-3", false).issuer;
    for (name, source) in ehr_harness::boot::boot_contracts() {
        let mut env =
            OwnedEnvironment::new_free(false, CHAIN_ID_TESTNET, store.as_clarity_db(), epoch);
        let id = QualifiedContractIdentifier::new(boot.clone(), name.into());
        env.initialize_versioned_contract(
            id,
            ClarityVersion::Clarity2,
            &source,
            None,
            ASTRules::PrecheckSize,
        )
        .expect("boot contract");
    }
    let contract = QualifiedContractIdentifier::new(standard(DEPLOYER), "bench".into());
    {
        let mut env =
            OwnedEnvironment::new_free(false, CHAIN_ID_TESTNET, store.as_clarity_db(), epoch);
        env.initialize_versioned_contract(
            contract.clone(),
            ClarityVersion::Clarity2,
            CONTRACT,
            None,
            ASTRules::PrecheckSize,
        )
        .expect("deploy");
    }
    let tracker = if tracked {
        let mut db = store.as_clarity_db();
        LimitedCostTracker::new(
            false,
            CHAIN_ID_TESTNET,
            ExecutionCost::max_value(),
            &mut db,
            epoch,
        )
        .expect("cost tracker")
    } else {
        LimitedCostTracker::new_free()
    };
    let mut env = OwnedEnvironment::new_cost_limited(
        false,
        CHAIN_ID_TESTNET,
        store.as_clarity_db(),
        tracker,
        epoch,
    );
    let sender: PrincipalData = standard(SENDER).into();
    let start = Instant::now();
    for i in 0..calls {
        let (v, _, _) = env
            .execute_transaction(sender.clone(), None, contract.clone(), "put", &args(i))
            .expect("call");
        assert!(matches!(v, Value::Response(ref r) if r.committed));
    }
    start.elapsed()
}

/// The simnet: returns elapsed time for `calls` calls.
fn simnet(calls: u128, tracked: bool) -> Duration {
    let mut sim = Simnet::new(SimnetConfig {
        track_costs: tracked,
        ..SimnetConfig::default()
    })
    .expect("simnet");
    let contract = sim
        .deploy_contract(&standard(DEPLOYER), "bench", CONTRACT)
        .expect("deploy")
        .contract;
    let sender: PrincipalData = standard(SENDER).into();
    let start = Instant::now();
    for i in 0..calls {
        let r = sim
            .call_public(
                &sender,
                &contract,
                "put",
                &[Value::UInt(i), Value::UInt(i * 7)],
            )
            .expect("call");
        assert!(r.committed);
    }
    start.elapsed()
}

fn rate(calls: u128, d: Duration) -> f64 {
    calls as f64 / d.as_secs_f64()
}

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments.
    let calls: u128 = std::env::var("CALLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    println!("simple map-writing public call, {calls} calls each, one core\n");
    for tracked in [true, false] {
        let label = if tracked {
            "costs tracked"
        } else {
            "free (no cost tracking)"
        };
        // Warm up both paths once, then measure alternately to share any machine noise.
        let _ = bare_vm(calls / 10, tracked);
        let _ = simnet(calls / 10, tracked);
        let bare = rate(calls, bare_vm(calls, tracked));
        let sim = rate(calls, simnet(calls, tracked));
        println!("{label}:");
        println!("  bare VM (OwnedEnvironment + MemoryBackingStore): {bare:>9.0} calls/s");
        println!("  simnet (receipts, events, blocks):               {sim:>9.0} calls/s");
        println!(
            "  simnet / bare VM:                                {:>9.2}\n",
            sim / bare
        );
    }
}
