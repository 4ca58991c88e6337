//! The generated `costs-3` contract: complete, eligible as a cost contract, and computing
//! exactly what the table says.

use clarity::boot_util::boot_code_id;
use clarity::vm::costs::cost_functions::ClarityCostFunction;
use clarity::vm::types::{PrincipalData, Value};
use ehr_harness::boot::{CostModel, COSTS_3};
use ehr_harness::simnet::{Simnet, SimnetConfig};

#[test]
fn every_cost_function_the_vm_knows_has_exactly_one_entry() {
    let known: Vec<&str> = ClarityCostFunction::ALL
        .iter()
        .filter(|f| **f != ClarityCostFunction::Unimplemented)
        .map(|f| f.get_name_str())
        .collect();
    let table: Vec<&str> = COSTS_3.iter().map(|(name, _)| *name).collect();
    for name in &known {
        assert_eq!(table.iter().filter(|t| *t == name).count(), 1, "{name}");
    }
    assert_eq!(table.len(), known.len(), "no extra entries");
}

#[test]
fn generated_contract_is_a_valid_cost_contract() {
    let mut sim = Simnet::new(SimnetConfig::default()).unwrap();
    let costs = boot_code_id("costs-3", false);
    let analysis = sim
        .contract_analysis(&costs)
        .expect("costs-3 deployed at genesis");
    assert!(analysis.is_cost_contract_eligible);
}

fn field(tuple: &Value, name: &str) -> u64 {
    match tuple {
        Value::Tuple(t) => match t.get(name) {
            Ok(Value::UInt(n)) => *n as u64,
            other => panic!("{name}: {other:?}"),
        },
        other => panic!("not a tuple: {other:?}"),
    }
}

#[test]
fn generated_functions_compute_the_table() {
    let mut sim = Simnet::new(SimnetConfig::default()).unwrap();
    let costs = boot_code_id("costs-3", false);
    let sender: PrincipalData = costs.issuer.clone().into();
    let mut checked_shapes = [false; 4];
    for (name, dims) in COSTS_3 {
        for n in [1u64, 7, 1000] {
            let r = sim
                .call_read_only(&sender, &costs, name, &[Value::UInt(n.into())])
                .unwrap_or_else(|e| panic!("{name}({n}): {e}"));
            let got = [
                field(&r.result, "runtime"),
                field(&r.result, "read_count"),
                field(&r.result, "read_length"),
                field(&r.result, "write_count"),
                field(&r.result, "write_length"),
            ];
            let want: Vec<u64> = dims.iter().map(|m| m.eval(n).unwrap()).collect();
            assert_eq!(got.to_vec(), want, "{name}({n})");
        }
        for m in dims {
            checked_shapes[match m {
                CostModel::C(_) => 0,
                CostModel::Lin(..) => 1,
                CostModel::Log(..) => 2,
                CostModel::NLog(..) => 3,
            }] = true;
        }
    }
    assert_eq!(checked_shapes, [true; 4], "the table uses every shape");
}

#[test]
fn known_coefficients_match_the_protocol() {
    // Spot checks against stacks-core's costs-3, read by hand: cost_fetch_entry is
    // runtime n + 1025 with one read of n + 1 bytes; cost_set_entry 4n + 1899 with one
    // write of n + 1 bytes; cost_map 1198n + 3067; stx-transfer a flat 4640.
    let find = |name: &str| COSTS_3.iter().find(|(n, _)| *n == name).unwrap().1;
    assert_eq!(find("cost_fetch_entry")[0].eval(10), Some(1035));
    assert_eq!(find("cost_fetch_entry")[2].eval(10), Some(11));
    assert_eq!(find("cost_set_entry")[0].eval(10), Some(1939));
    assert_eq!(find("cost_set_entry")[4].eval(10), Some(11));
    assert_eq!(find("cost_stx_transfer")[0].eval(0), Some(4640));
    assert_eq!(find("cost_map")[0].eval(3), Some(1198 * 3 + 3067));
}
