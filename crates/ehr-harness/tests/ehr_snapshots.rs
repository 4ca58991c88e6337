//! Behaviour snapshots: for every public function of the EHR contracts, one realistic
//! successful call (the tour) with its result, events, asset movements and execution
//! cost. A change to any of them shows up as a snapshot diff to review like code.

use ehr_harness::ehr::tour;
use ehr_harness::simnet::Receipt;

#[derive(serde::Serialize)]
struct Snapshot<'a> {
    caller: &'a str,
    receipt: &'a Receipt,
}

#[test]
fn every_public_function_result_events_and_cost() {
    let (_, steps) = tour().unwrap();
    let mut seen = std::collections::BTreeMap::new();
    for step in steps {
        let n = seen.entry((step.contract, step.function)).or_insert(0u32);
        *n += 1;
        let name = if *n == 1 {
            format!("{}.{}", step.contract, step.function)
        } else {
            format!("{}.{}.{}", step.contract, step.function, n)
        };
        insta::assert_yaml_snapshot!(
            name,
            Snapshot {
                caller: step.who,
                receipt: &step.receipt
            }
        );
    }
}
