//! The EHR contracts cost here what they cost in Clarinet's simnet. Every public function,
//! called by every role (its success and each refusal: `tests/clarinet/ehr-scenario.json`,
//! generated from the authorization matrix), was run in @stacks/clarinet-sdk 3.21 with
//! cost tracking by `contracts/costs.mjs` (CI re-runs it with `--check`), recorded in
//! `tests/clarinet/clarinet-ehr-costs.json`. Here the same calls run in this simnet, and
//! each must give the same result and cost, dimension by dimension, except for one
//! measured rule:
//!
//! Loading a contract costs its size (`cost_load_contract`: runtime and read length grow
//! by one per byte). The Clarity VM of stacks-core, and so this simnet and a real node,
//! counts in that size the memory of the contract's `define-constant` values (the
//! contract's "data size"); Clarinet 3.21 does not. So a call here costs exactly
//! `k(c)` more runtime and `k(c)` more read length per load of each contract `c`, where
//! `k(c)` is the memory use of `c`'s constants; every other dimension is equal. The test
//! checks the rule exactly: a second simnet, with every contract's constants' size set
//! to 0 (as Clarinet charges), runs the same calls in lockstep and must cost what
//! Clarinet reports in all five dimensions; this simnet may exceed it only by one amount,
//! in runtime and read length alike.

use ehr_harness::ehr::{EhrSimnet, LoggedCall, EHR_CONTRACTS};
use ehr_harness::simnet::Cost;
use ehr_sdk::literal::{parse_literal, to_literal};
use serde::Deserialize;

#[derive(Deserialize)]
struct Scenario {
    calls: Vec<LoggedCall>,
}

#[derive(Deserialize)]
struct Reference {
    calls: Vec<Recorded>,
}

#[derive(Deserialize)]
struct Recorded {
    function: String,
    result: String,
    cost: Cost,
}

fn read<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = format!("{}/tests/clarinet/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect(&path)
}

/// Clarinet's literal spacing (`{ a: u1 }`) as ours (`{a: u1}`).
fn ours(literal: &str) -> String {
    literal.replace("{ ", "{").replace(" }", "}")
}

#[test]
fn every_public_ehr_function_costs_here_what_it_costs_in_clarinet() {
    let scenario: Scenario = read("ehr-scenario.json");
    let reference: Reference = read("clarinet-ehr-costs.json");
    assert_eq!(
        scenario.calls.len(),
        reference.calls.len(),
        "re-run contracts/costs.mjs"
    );
    let mut ehr = EhrSimnet::new().unwrap();
    // Clarinet's charging: the same chain with no constants' size in any contract's load.
    let mut clarinet_like = EhrSimnet::new().unwrap();
    let mut k = std::collections::BTreeMap::new();
    for (name, _) in EHR_CONTRACTS {
        let id = ehr.contract(name);
        k.insert(name, ehr.sim.contract_data_size(&id).unwrap());
        clarinet_like.sim.set_contract_data_size(&id, 0).unwrap();
    }
    let mut by_rule = 0;
    for (call, theirs) in scenario.calls.iter().zip(&reference.calls) {
        assert_eq!(call.function, theirs.function);
        let args: Vec<_> = call
            .args
            .iter()
            .map(|a| parse_literal(a, None).unwrap())
            .collect();
        let what = format!("{}.{} as {}", call.contract, call.function, call.sender);
        let r = ehr
            .call(&call.sender, &call.contract, &call.function, &args)
            .unwrap();
        let like = clarinet_like
            .call(&call.sender, &call.contract, &call.function, &args)
            .unwrap();
        assert_eq!(
            to_literal(&r.result),
            ours(&theirs.result),
            "{what}: result"
        );
        assert_eq!(
            like.cost, theirs.cost,
            "{what}: without constants, Clarinet's cost"
        );
        let (a, b) = (r.cost, like.cost);
        assert_eq!(
            (a.read_count, a.write_count, a.write_length),
            (b.read_count, b.write_count, b.write_length),
            "{what}: only the load size differs"
        );
        let extra = a.runtime - b.runtime;
        assert_eq!(
            a.read_length - b.read_length,
            extra,
            "{what}: runtime and read length"
        );
        if extra > 0 {
            by_rule += 1;
        }
    }
    eprintln!(
        "{} calls: results identical; costs identical once constants are left out of load \
         sizes ({by_rule} calls load contracts with constants; k = {k:?})",
        scenario.calls.len()
    );
}
