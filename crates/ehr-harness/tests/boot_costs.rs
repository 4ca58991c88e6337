//! The generated boot contracts, checked on the bare Clarity VM (no simnet): the `costs-3`
//! table covers every cost function the VM knows, the generated sources pass the real
//! analysis, the contract computes the protocol's numbers (written here by hand from
//! stacks-core's `costs-3.clar`), and `LimitedCostTracker` loads from them and charges a
//! contract call.

use clarity::boot_util::boot_code_id;
use clarity::vm::analysis::{run_analysis, ContractAnalysis};
use clarity::vm::ast::{build_ast_with_rules, ASTRules, ContractAST};
use clarity::vm::contexts::OwnedEnvironment;
use clarity::vm::costs::cost_functions::ClarityCostFunction;
use clarity::vm::costs::{ExecutionCost, LimitedCostTracker};
use clarity::vm::database::MemoryBackingStore;
use clarity::vm::errors::{Error as VmError, RuntimeErrorType};
use clarity::vm::types::{PrincipalData, QualifiedContractIdentifier, Value};
use clarity::vm::{ClarityVersion, SymbolicExpression};
use ehr_harness::boot::{
    boot_contracts, cost_voting_source, costs_3_source, CostEvalError, COSTS_3,
};
use stacks_common::consts::CHAIN_ID_TESTNET;
use stacks_common::types::StacksEpochId;

const EPOCH: StacksEpochId = StacksEpochId::Epoch24;
const VERSION: ClarityVersion = ClarityVersion::Clarity2;
/// Devnet accounts: the deployer of the test contract and the caller.
const DEPLOYER: &str = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const WALLET_1: &str = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
/// The fields of a cost tuple, in the order the expected values below are written.
const FIELDS: [&str; 5] = [
    "runtime",
    "read_count",
    "read_length",
    "write_count",
    "write_length",
];
/// The input sizes every function is evaluated at.
const SIZES: [u64; 4] = [0, 1, 7, 1000];

fn costs_id() -> QualifiedContractIdentifier {
    boot_code_id("costs-3", false)
}

fn analyze(
    store: &mut MemoryBackingStore,
    id: &QualifiedContractIdentifier,
    source: &str,
) -> (ContractAST, ContractAnalysis) {
    let ast = build_ast_with_rules(id, source, &mut (), VERSION, EPOCH, ASTRules::PrecheckSize)
        .unwrap_or_else(|e| panic!("{id} does not parse: {e:?}"));
    let analysis = run_analysis(
        id,
        &ast.expressions,
        &mut store.as_analysis_db(),
        false,
        LimitedCostTracker::new_free(),
        EPOCH,
        VERSION,
    )
    .unwrap_or_else(|(e, _)| panic!("{id} fails analysis: {e}"));
    (ast, analysis)
}

/// Deploys as a node does: analysis, then the contract, then the stored analysis.
fn deploy(store: &mut MemoryBackingStore, id: &QualifiedContractIdentifier, source: &str) {
    let (mut ast, analysis) = analyze(store, id, source);
    let mut env = OwnedEnvironment::new_free(false, CHAIN_ID_TESTNET, store.as_clarity_db(), EPOCH);
    env.initialize_contract_from_ast(id.clone(), VERSION, &mut ast, &analysis, source, None)
        .unwrap_or_else(|e| panic!("{id} does not deploy: {e}"));
    store
        .as_analysis_db()
        .execute(|db| db.insert_contract(id, &analysis))
        .unwrap_or_else(|e| panic!("storing the analysis of {id}: {e}"));
}

/// A store at epoch 2.4 with both boot contracts deployed at the testnet boot address.
fn booted_store() -> MemoryBackingStore {
    let mut store = MemoryBackingStore::new();
    let mut db = store.as_clarity_db();
    db.begin();
    db.set_clarity_epoch_version(EPOCH).expect("epoch");
    db.commit().expect("commit");
    for (name, source) in boot_contracts() {
        deploy(&mut store, &boot_code_id(name, false), &source);
    }
    store
}

/// Calls a cost function of the deployed contract: the cost tuple, or the runtime error.
fn cost_of(env: &mut OwnedEnvironment, function: &str, n: u64) -> Result<[u128; 5], VmError> {
    let program = format!("({function} u{n})");
    let (value, _, _) =
        env.eval_read_only_with_rules(&costs_id(), &program, ASTRules::PrecheckSize)?;
    let Value::Tuple(tuple) = value else {
        panic!("{function}(u{n}) returned {value}, not a cost tuple");
    };
    Ok(FIELDS.map(|field| match tuple.get(field) {
        Ok(Value::UInt(x)) => *x,
        other => panic!("{function}(u{n}).{field}: {other:?}"),
    }))
}

fn is_log2_of_zero(e: &VmError) -> bool {
    matches!(e, VmError::Runtime(RuntimeErrorType::Arithmetic(msg), _) if msg.contains("log2"))
}

#[test]
fn every_cost_function_the_vm_knows_has_exactly_one_entry() {
    for f in ClarityCostFunction::ALL {
        let count = COSTS_3.iter().filter(|e| e.function == *f).count();
        let want = usize::from(*f != ClarityCostFunction::Unimplemented);
        assert_eq!(count, want, "{f} has {count} entries");
    }
    assert_eq!(COSTS_3.len(), ClarityCostFunction::ALL.len() - 1);
}

#[test]
fn generated_sources_pass_the_analysis_and_costs_3_is_cost_eligible() {
    let mut store = MemoryBackingStore::new();
    let (_, costs) = analyze(&mut store, &costs_id(), &costs_3_source());
    assert!(costs.is_cost_contract_eligible);
    let voting_id = boot_code_id("cost-voting", false);
    let (_, voting) = analyze(&mut store, &voting_id, &cost_voting_source());
    // The one variable the cost tracker reads, a uint.
    assert!(voting
        .persisted_variable_types
        .contains_key("confirmed-proposal-count"));
    assert_eq!(voting.persisted_variable_types.len(), 1);
}

/// Hand-computed from stacks-core's costs-3.clar for n = 0, 1, 7, 1000: the tuple in
/// FIELDS order, or `None` where the contract fails (log2 of zero).
#[rustfmt::skip]
const EXPECTED: &[(&str, [Option<[u128; 5]>; 4])] = &[
    // linear n u1 u9
    ("cost_analysis_type_annotate", [Some([9, 0, 0, 0, 0]), Some([10, 0, 0, 0, 0]), Some([16, 0, 0, 0, 0]), Some([1009, 0, 0, 0, 0])]),
    // linear n u1198 u3067
    ("cost_map", [Some([3067, 0, 0, 0, 0]), Some([4265, 0, 0, 0, 0]), Some([11453, 0, 0, 0, 0]), Some([1201067, 0, 0, 0, 0])]),
    // logn n u1 u2: log2(7) = 2, log2(1000) = 9
    ("cost_analysis_check_tuple_get", [None, Some([2, 0, 0, 0, 0]), Some([4, 0, 0, 0, 0]), Some([11, 0, 0, 0, 0])]),
    // nlogn n u10 u1876
    ("cost_tuple_cons", [None, Some([1876, 0, 0, 0, 0]), Some([2016, 0, 0, 0, 0]), Some([91876, 0, 0, 0, 0])]),
    // nlogn n u45 u49
    ("cost_analysis_check_tuple_merge", [None, Some([49, 0, 0, 0, 0]), Some([679, 0, 0, 0, 0]), Some([405049, 0, 0, 0, 0])]),
    // nlogn n u3 u185
    ("cost_from_consensus_buff", [None, Some([185, 0, 0, 0, 0]), Some([227, 0, 0, 0, 0]), Some([27185, 0, 0, 0, 0])]),
    // runtime linear n u1 u80, read_count u3, read_length linear n u1 u1
    ("cost_load_contract", [Some([80, 3, 1, 0, 0]), Some([81, 3, 2, 0, 0]), Some([87, 3, 8, 0, 0]), Some([1080, 3, 1001, 0, 0])]),
    // runtime linear n u1 u1025, read_count u1, read_length linear n u1 u1
    ("cost_fetch_entry", [Some([1025, 1, 1, 0, 0]), Some([1026, 1, 2, 0, 0]), Some([1032, 1, 8, 0, 0]), Some([2025, 1, 1001, 0, 0])]),
    // runtime linear n u4 u1899, read_count u1, write_count u1, write_length linear n u1 u1
    ("cost_set_entry", [Some([1899, 1, 0, 1, 1]), Some([1903, 1, 0, 1, 2]), Some([1927, 1, 0, 1, 8]), Some([5899, 1, 0, 1, 1001])]),
    // runtime linear n u9 u698, read_count u1, read_length and write_length linear n u1 u1
    ("cost_analysis_use_trait_entry", [Some([698, 1, 1, 0, 1]), Some([707, 1, 2, 0, 2]), Some([761, 1, 8, 0, 8]), Some([9698, 1, 1001, 0, 1001])]),
    // runtime linear n u7 u2025, write_count u2, write_length linear n u1 u1
    ("cost_create_var", [Some([2025, 0, 0, 2, 1]), Some([2032, 0, 0, 2, 2]), Some([2074, 0, 0, 2, 8]), Some([9025, 0, 0, 2, 1001])]),
    // constants
    ("cost_ft_mint", [Some([1479, 2, 1, 2, 1]), Some([1479, 2, 1, 2, 1]), Some([1479, 2, 1, 2, 1]), Some([1479, 2, 1, 2, 1])]),
    ("cost_stx_transfer", [Some([4640, 1, 1, 1, 1]), Some([4640, 1, 1, 1, 1]), Some([4640, 1, 1, 1, 1]), Some([4640, 1, 1, 1, 1])]),
];

#[test]
fn generated_functions_give_the_protocol_costs() {
    let mut store = booted_store();
    let mut env = OwnedEnvironment::new_free(false, CHAIN_ID_TESTNET, store.as_clarity_db(), EPOCH);
    for (function, expected) in EXPECTED {
        for (n, want) in SIZES.into_iter().zip(expected) {
            match (cost_of(&mut env, function, n), want) {
                (Ok(got), Some(want)) => assert_eq!(&got, want, "{function}(u{n})"),
                (Err(e), None) => assert!(is_log2_of_zero(&e), "{function}(u{n}): {e}"),
                (got, want) => panic!("{function}(u{n}): got {got:?}, want {want:?}"),
            }
        }
    }
}

#[test]
fn every_generated_function_computes_its_table_entry() {
    let mut store = booted_store();
    let mut env = OwnedEnvironment::new_free(false, CHAIN_ID_TESTNET, store.as_clarity_db(), EPOCH);
    for entry in COSTS_3 {
        let function = entry.function.get_name_str();
        for n in SIZES {
            let want: Result<Vec<u128>, CostEvalError> =
                entry.dimensions().iter().map(|(_, m)| m.eval(n)).collect();
            match (cost_of(&mut env, function, n), want) {
                (Ok(got), Ok(want)) => assert_eq!(got.to_vec(), want, "{function}(u{n})"),
                (Err(e), Err(CostEvalError::Log2OfZero)) => {
                    assert!(is_log2_of_zero(&e), "{function}(u{n}): {e}")
                }
                (got, want) => panic!("{function}(u{n}): got {got:?}, table says {want:?}"),
            }
        }
    }
}

#[test]
fn cost_tracker_loads_from_the_boot_contracts_and_charges_a_call() {
    let mut store = booted_store();
    let deployer = PrincipalData::parse_standard_principal(DEPLOYER).expect("devnet address");
    let counter = QualifiedContractIdentifier::new(deployer, "counter".into());
    deploy(
        &mut store,
        &counter,
        "(define-data-var total uint u0)
         (define-public (add (amount uint))
           (begin (var-set total (+ (var-get total) amount)) (ok (var-get total))))",
    );

    let limit = ExecutionCost {
        runtime: 5_000_000_000,
        read_count: 15_000,
        read_length: 100_000_000,
        write_count: 15_000,
        write_length: 15_000_000,
    };
    let mut db = store.as_clarity_db();
    let tracker = LimitedCostTracker::new(false, CHAIN_ID_TESTNET, limit, &mut db, EPOCH)
        .expect("cost functions load from costs-3 and cost-voting");
    let mut env = OwnedEnvironment::new_cost_limited(false, CHAIN_ID_TESTNET, db, tracker, EPOCH);
    let sender = PrincipalData::parse(WALLET_1).expect("devnet address");
    let (result, _, _) = env
        .execute_transaction(
            sender,
            None,
            counter,
            "add",
            &[SymbolicExpression::atom_value(Value::UInt(5))],
        )
        .expect("call succeeds within the limit");
    assert_eq!(result, Value::okay(Value::UInt(5)).expect("response"));

    let total = env.get_cost_total();
    assert!(total.runtime > 0, "{total:?}");
    assert!(total.read_count > 0, "{total:?}");
    assert!(total.read_length > 0, "{total:?}");
    assert!(total.write_count > 0, "var-set writes: {total:?}");
    assert!(total.write_length > 0, "{total:?}");
}
