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
//! computes `k(c)` from the deployed contracts and checks each call's difference is such
//! a sum, including the called contract at least once.

use clarity::vm::costs::MemoryConsumer as _;
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
    let mut report = Vec::new();
    for (call, theirs) in scenario.calls.iter().zip(&reference.calls) {
        assert_eq!(call.function, theirs.function);
        let args: Vec<_> = call
            .args
            .iter()
            .map(|a| parse_literal(a, None).unwrap())
            .collect();
        let r = ehr
            .call(&call.sender, &call.contract, &call.function, &args)
            .unwrap();
        let what = format!("{}.{} as {}", call.contract, call.function, call.sender);
        assert_eq!(
            to_literal(&r.result),
            ours(&theirs.result),
            "{what}: result"
        );
        report.push((what, r.cost, theirs.cost));
    }
    let k = constants_memory(&mut ehr);
    let mut exact = 0;
    let mut by_rule = 0;
    for ((what, ours, theirs), call) in report.iter().zip(&scenario.calls) {
        assert_eq!(
            (ours.read_count, ours.write_count, ours.write_length),
            (theirs.read_count, theirs.write_count, theirs.write_length),
            "{what}: read count and writes"
        );
        let runtime = ours.runtime as i64 - theirs.runtime as i64;
        let read_length = ours.read_length as i64 - theirs.read_length as i64;
        assert_eq!(
            runtime, read_length,
            "{what}: the load rule moves both by the same"
        );
        if runtime == 0 {
            exact += 1;
            continue;
        }
        let own = k[call.contract.as_str()];
        let rest = runtime - own as i64;
        assert!(
            rest >= 0 && sum_of(rest as u64, &k.values().copied().collect::<Vec<_>>()),
            "{what}: {runtime} more is not the constants of {} plus other loads (k = {k:?})",
            call.contract
        );
        by_rule += 1;
    }
    eprintln!(
        "{} calls: {exact} cost exactly the same, {by_rule} differ by the constants' size of the contracts they load (k = {k:?})",
        report.len()
    );
    assert_eq!(exact + by_rule, report.len());
}

/// The memory use of each EHR contract's `define-constant` values: what the VM counts in
/// its size and Clarinet does not.
fn constants_memory(ehr: &mut EhrSimnet) -> std::collections::BTreeMap<&'static str, u64> {
    EHR_CONTRACTS
        .iter()
        .map(|(name, source)| {
            let id = ehr.contract(name);
            let total = source
                .match_indices("(define-constant ")
                .map(|(at, open)| {
                    let rest = &source[at + open.len()..];
                    let name = rest.split_whitespace().next().unwrap();
                    let value = ehr.sim.eval_read_only(&id, name).unwrap();
                    value.get_memory_use().unwrap()
                })
                .sum();
            (*name, total)
        })
        .collect()
}

/// Whether `n` is a sum of `parts` (each used any number of times).
fn sum_of(n: u64, parts: &[u64]) -> bool {
    let mut reachable = vec![false; n as usize + 1];
    reachable[0] = true;
    for i in 1..=n as usize {
        reachable[i] = parts
            .iter()
            .any(|&p| p > 0 && p as usize <= i && reachable[i - p as usize]);
    }
    reachable[n as usize]
}
