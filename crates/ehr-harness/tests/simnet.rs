//! The simnet's capabilities, each driven as a test would drive it.

use clarity::vm::types::{
    PrincipalData, QualifiedContractIdentifier, StandardPrincipalData, Value,
};
use ehr_harness::simnet::{Event, Manifest, Simnet, SimnetConfig, SimnetError};
use ehr_sdk::literal::{parse_literal, to_literal};

const DEPLOYER: &str = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";
const WALLET_1: &str = "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5";
const WALLET_2: &str = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";
const BALANCE: u128 = 100_000_000_000_000;

fn principal(addr: &str) -> PrincipalData {
    PrincipalData::parse(addr).expect("devnet address")
}

fn standard(addr: &str) -> StandardPrincipalData {
    match principal(addr) {
        PrincipalData::Standard(s) => s,
        PrincipalData::Contract(_) => unreachable!(),
    }
}

fn lit(text: &str) -> Value {
    parse_literal(text, Some(&standard(DEPLOYER))).expect("literal")
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn simnet() -> Simnet {
    let config = SimnetConfig {
        balances: [DEPLOYER, WALLET_1, WALLET_2]
            .iter()
            .map(|a| (principal(a), BALANCE))
            .collect(),
        ..SimnetConfig::default()
    };
    Simnet::new(config).expect("simnet starts")
}

fn with_contract(name: &str) -> (Simnet, QualifiedContractIdentifier) {
    let mut sim = simnet();
    let id = sim
        .deploy_contract(&standard(DEPLOYER), name, &fixture(&format!("{name}.clar")))
        .expect("fixture deploys")
        .contract;
    (sim, id)
}

#[test]
fn public_call_writes_returns_prints_and_costs() {
    let (mut sim, counter) = with_contract("counter");
    let r = sim
        .call_public(&principal(WALLET_1), &counter, "bump", &[lit("u5")])
        .unwrap();
    assert!(r.committed);
    assert_eq!(to_literal(&r.result), "(ok u5)");
    assert_eq!(r.events.len(), 1);
    match &r.events[0] {
        Event::Print { contract, value } => {
            assert_eq!(contract, &counter.to_string());
            assert_eq!(
                value.repr,
                format!("{{by: u5, event: \"bumped\", who: '{WALLET_1}}}")
            );
        }
        other => panic!("expected a print event, got {other:?}"),
    }
    assert!(
        r.cost.runtime > 0 && r.cost.read_count > 0 && r.cost.write_count >= 2,
        "{:?}",
        r.cost
    );
    let total = sim
        .call_read_only(&principal(WALLET_2), &counter, "get-total", &[])
        .unwrap();
    assert_eq!(to_literal(&total.result), "u5");
    assert!(total.cost.runtime > 0);
    let bumps = sim
        .call_read_only(
            &principal(WALLET_2),
            &counter,
            "get-bumps",
            &[principal(WALLET_1).into()],
        )
        .unwrap();
    assert_eq!(to_literal(&bumps.result), "(some u5)");
}

#[test]
fn err_result_rolls_back_writes_and_events() {
    let (mut sim, counter) = with_contract("counter");
    sim.call_public(&principal(WALLET_1), &counter, "bump", &[lit("u1")])
        .unwrap();
    let r = sim
        .call_public(
            &principal(WALLET_1),
            &counter,
            "bump-then-fail",
            &[lit("u100")],
        )
        .unwrap();
    assert!(!r.committed);
    assert_eq!(to_literal(&r.result), "(err u7)");
    assert!(
        r.events.is_empty(),
        "events of a failed call are dropped: {:?}",
        r.events
    );
    let total = sim
        .call_read_only(&principal(WALLET_1), &counter, "get-total", &[])
        .unwrap();
    assert_eq!(to_literal(&total.result), "u1");
}

#[test]
fn analysis_error_names_contract_line_column_and_problem() {
    let mut sim = simnet();
    let err = sim
        .deploy_contract(&standard(DEPLOYER), "bad-type", &fixture("bad-type.clar"))
        .unwrap_err();
    match &err {
        SimnetError::Analysis {
            contract,
            line,
            column,
            message,
        } => {
            assert_eq!(contract, "bad-type");
            assert_eq!(*line, 4, "{err}");
            assert!(*column > 0, "{err}");
            assert!(
                message.contains("uint") && message.contains("int"),
                "{message}"
            );
        }
        other => panic!("expected an analysis error, got {other:?}"),
    }
    assert!(err.to_string().starts_with("bad-type:4:"), "{err}");
    // Nothing was stored: the name is still free.
    let id = QualifiedContractIdentifier::parse(&format!("{DEPLOYER}.bad-type")).unwrap();
    assert!(!sim.has_contract(&id));
    let syntax = sim
        .deploy_contract(&standard(DEPLOYER), "broken", "(define-public (f) (ok u1)")
        .unwrap_err();
    assert!(matches!(syntax, SimnetError::Analysis { .. }), "{syntax:?}");
}

#[test]
fn deploying_twice_or_with_a_bad_name_is_refused() {
    let (mut sim, _) = with_contract("counter");
    let again = sim.deploy_contract(&standard(DEPLOYER), "counter", &fixture("counter.clar"));
    assert!(matches!(again, Err(SimnetError::ContractExists(_))));
    let bad = sim.deploy_contract(&standard(DEPLOYER), "9lives", "(define-constant a u1)");
    assert!(matches!(bad, Err(SimnetError::InvalidContractName(_))));
}

#[test]
fn calls_to_missing_contracts_functions_or_with_bad_arguments_say_so() {
    let (mut sim, counter) = with_contract("counter");
    let missing = QualifiedContractIdentifier::parse(&format!("{DEPLOYER}.nope")).unwrap();
    assert!(matches!(
        sim.call_public(&principal(WALLET_1), &missing, "bump", &[]),
        Err(SimnetError::NoSuchContract(_))
    ));
    assert!(matches!(
        sim.call_public(&principal(WALLET_1), &counter, "get-total", &[]),
        Err(SimnetError::NoSuchFunction { kind: "public", .. })
    ));
    assert!(matches!(
        sim.call_read_only(&principal(WALLET_1), &counter, "bump", &[lit("u1")]),
        Err(SimnetError::NoSuchFunction {
            kind: "read-only",
            ..
        })
    ));
    assert!(matches!(
        sim.call_public(&principal(WALLET_1), &counter, "bump", &[lit("1")]),
        Err(SimnetError::BadArguments { .. })
    ));
    assert!(matches!(
        sim.call_public(&principal(WALLET_1), &counter, "bump", &[]),
        Err(SimnetError::BadArguments { .. })
    ));
}

#[test]
fn private_functions_are_callable_in_tests() {
    let (mut sim, counter) = with_contract("counter");
    let r = sim
        .call_private(&principal(WALLET_1), &counter, "double", &[lit("u21")])
        .unwrap();
    assert_eq!(to_literal(&r.result), "u42");
    sim.call_public(&principal(WALLET_1), &counter, "bump", &[lit("u3")])
        .unwrap();
    sim.call_private(&principal(WALLET_1), &counter, "reset", &[])
        .unwrap();
    let total = sim
        .call_read_only(&principal(WALLET_1), &counter, "get-total", &[])
        .unwrap();
    assert_eq!(to_literal(&total.result), "u0");
    assert!(matches!(
        sim.call_public(&principal(WALLET_1), &counter, "double", &[lit("u1")]),
        Err(SimnetError::NoSuchFunction { .. })
    ));
}

#[test]
fn a_call_over_the_block_limit_fails_and_writes_nothing() {
    let (mut sim, counter) = with_contract("counter");
    let height = sim.block_height();
    let err = sim
        .call_public(&principal(WALLET_1), &counter, "fill-grid", &[])
        .unwrap_err();
    match err {
        SimnetError::BlockLimitExceeded { used, limit } => {
            assert_eq!(limit.write_count, 15_000);
            let over = used.runtime > limit.runtime
                || used.read_count > limit.read_count
                || used.read_length > limit.read_length
                || used.write_count > limit.write_count
                || used.write_length > limit.write_length;
            assert!(over, "{used:?} is within {limit:?}");
        }
        other => panic!("expected the block limit to be hit, got {other:?}"),
    }
    assert_eq!(
        sim.block_height(),
        height,
        "a transaction that cannot be mined mines no block"
    );
    let cell = sim
        .eval_read_only(&counter, "(map-get? cells { row: u0, col: u0 })")
        .unwrap();
    assert_eq!(to_literal(&cell), "none");
    // The chain still works after the refusal.
    assert!(
        sim.call_public(&principal(WALLET_1), &counter, "bump", &[lit("u1")])
            .unwrap()
            .committed
    );
}

#[test]
fn transactions_share_the_open_block_budget_without_auto_mining() {
    let mut sim = Simnet::new(SimnetConfig {
        auto_mine: false,
        balances: vec![(principal(WALLET_1), BALANCE)],
        ..SimnetConfig::default()
    })
    .unwrap();
    let counter = sim
        .deploy_contract(&standard(DEPLOYER), "counter", &fixture("counter.clar"))
        .unwrap()
        .contract;
    let h = sim.block_height();
    let a = sim
        .call_public(&principal(WALLET_1), &counter, "bump", &[lit("u1")])
        .unwrap();
    let b = sim
        .call_public(&principal(WALLET_1), &counter, "bump", &[lit("u1")])
        .unwrap();
    assert_eq!((a.block_height, b.block_height), (h, h));
    assert!(sim.open_block_cost().runtime >= a.cost.runtime + b.cost.runtime);
    sim.mine_block();
    assert_eq!(sim.block_height(), h + 1);
    assert_eq!(sim.open_block_cost().runtime, 0);
}

#[test]
fn expiry_by_block_height() {
    let (mut sim, counter) = with_contract("counter");
    sim.call_public(
        &principal(DEPLOYER),
        &counter,
        "grant",
        &[principal(WALLET_1).into(), lit("u10")],
    )
    .unwrap();
    let check = |sim: &mut Simnet| {
        to_literal(
            &sim.call_read_only(
                &principal(WALLET_2),
                &counter,
                "has-grant",
                &[principal(WALLET_1).into()],
            )
            .unwrap()
            .result,
        )
    };
    assert_eq!(check(&mut sim), "true");
    sim.mine_empty_blocks(8);
    assert_eq!(check(&mut sim), "true");
    sim.mine_empty_blocks(1);
    assert_eq!(check(&mut sim), "false");
}

#[test]
fn block_info_advances_and_agrees_with_headers() {
    let (mut sim, counter) = with_contract("counter");
    let before = sim.block_height();
    sim.mine_empty_blocks(3);
    assert_eq!(sim.block_height(), before + 3);
    let h = sim.block_height() - 1;
    let facts = sim
        .call_read_only(
            &principal(WALLET_1),
            &counter,
            "block-facts",
            &[Value::UInt(h.into())],
        )
        .unwrap()
        .result;
    let header = sim.block(h).unwrap().clone();
    let prev = sim.block(h - 1).unwrap().clone();
    let text = to_literal(&facts);
    assert!(text.contains(&format!("now: u{}", h + 1)), "{text}");
    assert!(
        text.contains(&format!("burn: u{}", header.burn_height)),
        "{text}"
    );
    assert!(
        text.contains(&format!("time: (some u{})", header.time)),
        "{text}"
    );
    assert!(
        text.contains(&format!("id: (some 0x{})", hex::encode(header.id.0))),
        "{text}"
    );
    assert_eq!(header.time - prev.time, 600, "one block is ten minutes");
    // Blocks not yet mined have no info.
    let future = sim
        .call_read_only(
            &principal(WALLET_1),
            &counter,
            "block-facts",
            &[Value::UInt(1_000)],
        )
        .unwrap()
        .result;
    assert!(to_literal(&future).contains("time: none"));
}

#[test]
fn at_block_reads_the_past() {
    let (mut sim, counter) = with_contract("counter");
    sim.call_public(&principal(WALLET_1), &counter, "bump", &[lit("u1")])
        .unwrap();
    let then = sim.tip().id;
    sim.call_public(&principal(WALLET_1), &counter, "bump", &[lit("u10")])
        .unwrap();
    let past = sim
        .call_read_only(
            &principal(WALLET_1),
            &counter,
            "total-at",
            &[Value::buff_from(then.0.to_vec()).unwrap()],
        )
        .unwrap()
        .result;
    assert_eq!(to_literal(&past), "u1");
}

#[test]
fn snapshot_and_revert_restore_everything() {
    let (mut sim, counter) = with_contract("counter");
    sim.call_public(&principal(WALLET_1), &counter, "bump", &[lit("u1")])
        .unwrap();
    let snap = sim.snapshot();
    let height = sim.block_height();
    let balance = sim.stx_balance(&principal(WALLET_1)).unwrap();

    sim.call_public(&principal(WALLET_1), &counter, "bump", &[lit("u50")])
        .unwrap();
    sim.transfer_stx(&principal(WALLET_1), &principal(WALLET_2), 1_000, b"")
        .unwrap();
    sim.deploy_contract(&standard(WALLET_1), "assets", &fixture("assets.clar"))
        .unwrap();
    sim.mine_empty_blocks(20);

    sim.revert(&snap);
    assert_eq!(sim.block_height(), height);
    assert_eq!(sim.stx_balance(&principal(WALLET_1)).unwrap(), balance);
    let total = sim
        .call_read_only(&principal(WALLET_1), &counter, "get-total", &[])
        .unwrap();
    assert_eq!(to_literal(&total.result), "u1");
    let assets = QualifiedContractIdentifier::parse(&format!("{WALLET_1}.assets")).unwrap();
    assert!(!sim.has_contract(&assets));
    // The same snapshot can be restored again after more changes.
    sim.call_public(&principal(WALLET_1), &counter, "bump", &[lit("u9")])
        .unwrap();
    sim.revert(&snap);
    let total = sim
        .call_read_only(&principal(WALLET_1), &counter, "get-total", &[])
        .unwrap();
    assert_eq!(to_literal(&total.result), "u1");
}

#[test]
fn stx_transfers_move_balances_with_events_and_asset_map() {
    let mut sim = simnet();
    let r = sim
        .transfer_stx(&principal(WALLET_1), &principal(WALLET_2), 1_500, b"rent")
        .unwrap();
    assert!(r.committed);
    assert_eq!(
        sim.stx_balance(&principal(WALLET_1)).unwrap(),
        BALANCE - 1_500
    );
    assert_eq!(
        sim.stx_balance(&principal(WALLET_2)).unwrap(),
        BALANCE + 1_500
    );
    assert_eq!(
        r.events,
        vec![Event::StxTransfer {
            sender: WALLET_1.into(),
            recipient: WALLET_2.into(),
            amount: 1_500,
            memo: hex::encode("rent"),
        }]
    );
    assert_eq!(r.assets[WALLET_1].stx, 1_500);
    let broke = sim.transfer_stx(&principal(WALLET_1), &principal(WALLET_2), BALANCE * 2, b"");
    assert!(matches!(
        broke,
        Err(SimnetError::InsufficientBalance { .. })
    ));
}

#[test]
fn token_events_and_asset_maps_per_call() {
    let (mut sim, assets) = with_contract("assets");
    let w1 = principal(WALLET_1);
    let r = sim
        .call_public(
            &w1,
            &assets,
            "mint-credit",
            &[lit("u100"), w1.clone().into()],
        )
        .unwrap();
    let asset = format!("{assets}::credit");
    assert_eq!(
        r.events,
        vec![Event::FtMint {
            asset: asset.clone(),
            recipient: WALLET_1.into(),
            amount: 100
        }]
    );
    let r = sim
        .call_public(
            &w1,
            &assets,
            "send-credit",
            &[lit("u40"), principal(WALLET_2).into()],
        )
        .unwrap();
    assert_eq!(r.assets[WALLET_1].fungible[&asset], 40);
    assert!(matches!(&r.events[0], Event::FtTransfer { amount: 40, .. }));
    let r = sim
        .call_public(&w1, &assets, "burn-credit", &[lit("u10")])
        .unwrap();
    assert!(matches!(&r.events[0], Event::FtBurn { amount: 10, .. }));

    let badge = format!("{assets}::badge");
    let r = sim
        .call_public(&w1, &assets, "mint-badge", &[lit("u7"), w1.clone().into()])
        .unwrap();
    assert!(
        matches!(&r.events[0], Event::NftMint { value, .. } if value.repr == "u7" && value.hex == format!("0x01{}07", "00".repeat(15)))
    );
    let r = sim
        .call_public(
            &w1,
            &assets,
            "send-badge",
            &[lit("u7"), principal(WALLET_2).into()],
        )
        .unwrap();
    assert_eq!(
        r.assets[WALLET_1].non_fungible[&badge],
        vec!["u7".to_string()]
    );
    let r = sim
        .call_public(&principal(WALLET_2), &assets, "burn-badge", &[lit("u7")])
        .unwrap();
    assert!(matches!(&r.events[0], Event::NftBurn { .. }));

    let r = sim
        .call_public(
            &w1,
            &assets,
            "pay",
            &[lit("u250"), principal(WALLET_2).into()],
        )
        .unwrap();
    assert_eq!(r.assets[WALLET_1].stx, 250);
    assert!(matches!(
        &r.events[0],
        Event::StxTransfer { amount: 250, .. }
    ));
    // Failed calls carry no asset movements.
    let r = sim
        .call_public(
            &w1,
            &assets,
            "send-badge",
            &[lit("u99"), principal(WALLET_2).into()],
        )
        .unwrap();
    assert!(!r.committed && r.assets.is_empty() && r.events.is_empty());
}

#[test]
fn project_deploys_in_dependency_order() {
    let mut sim = simnet();
    let dir = format!("{}/tests/fixtures/project", env!("CARGO_MANIFEST_DIR"));
    let manifest = Manifest::load(std::path::Path::new(&dir)).unwrap();
    let deployed = sim.deploy_project(&manifest, &standard(DEPLOYER)).unwrap();
    let names: Vec<String> = deployed
        .iter()
        .map(|d| d.contract.name.to_string())
        .collect();
    assert_eq!(names, ["c-trait", "b-impl", "a-user"]);
    let user = &deployed[2].contract;
    let r = sim
        .call_public(&principal(WALLET_1), user, "greet-default", &[])
        .unwrap();
    assert_eq!(to_literal(&r.result), "(ok \"hello\")");
    let r = sim
        .call_public(&principal(WALLET_1), user, "greet-with", &[lit(".b-impl")])
        .unwrap();
    assert_eq!(to_literal(&r.result), "(ok \"hello\")");
}

#[test]
fn a_missing_manifest_names_the_path() {
    let err = Manifest::load(std::path::Path::new("/nonexistent/Clarinet.toml")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/Clarinet.toml: cannot read"),
        "{err}"
    );
}

#[test]
fn costs_are_deterministic() {
    let (mut a, ca) = with_contract("counter");
    let (mut b, cb) = with_contract("counter");
    let ra = a
        .call_public(&principal(WALLET_1), &ca, "bump", &[lit("u1")])
        .unwrap();
    let rb = b
        .call_public(&principal(WALLET_1), &cb, "bump", &[lit("u1")])
        .unwrap();
    assert_eq!(ra.cost, rb.cost);
}
