//! How to snapshot-test a contract call: the EHR contracts on the harness's simnet (the
//! Clarity VM in this process, no node), calls built with ehr-sdk, and each receipt
//! (result, events, asset movements, execution cost) held in an insta snapshot. A change in
//! the contracts' behaviour or cost then shows up as a snapshot diff to review.
//!
//! ```sh
//! cargo test -p ehr-sdk --example simnet_snapshot
//! INSTA_UPDATE=always cargo test -p ehr-sdk --example simnet_snapshot   # then review the diff
//! ```
//!
//! The snapshots are in `examples/snapshots/`. In a project of your own, the same tests
//! go in `tests/`, with `ehr-harness` and `insta` as dev-dependencies.

#[cfg(test)]
mod tests {
    use clarity::vm::types::{PrincipalData, Value};
    use ehr_harness::ehr::EhrSimnet;
    use ehr_harness::simnet::Receipt;
    use ehr_sdk::ehr::{calls, ContractCall};

    /// Calls `call` as the devnet account `who` on the simnet.
    fn call(sim: &mut EhrSimnet, who: &str, call: &ContractCall) -> Receipt {
        sim.call(who, call.contract().name(), call.function(), call.args())
            .unwrap_or_else(|e| panic!("{}: {e}", call.function()))
    }

    fn register_wallet_1(sim: &mut EhrSimnet) -> Receipt {
        let key = sim.account("wallet_1").secret_key.clone();
        let id_hash = ehr_sdk::disclosure::commitment(&[7; 32], b"+256700000001");
        call(
            sim,
            "wallet_1",
            &calls::register_patient(&id_hash, &key.public_key()).unwrap(),
        )
    }

    /// A successful call: `(ok true)`, committed, and what it cost.
    #[test]
    fn register_patient() {
        let mut sim = EhrSimnet::new().unwrap();
        let receipt = register_wallet_1(&mut sim);
        assert!(receipt.committed);
        insta::assert_yaml_snapshot!(receipt);
    }

    /// A refusal: the second registration returns the contract's error and changes nothing.
    #[test]
    fn register_patient_twice_is_refused() {
        let mut sim = EhrSimnet::new().unwrap();
        register_wallet_1(&mut sim);
        let again = register_wallet_1(&mut sim);
        assert!(!again.committed);
        insta::assert_yaml_snapshot!(again);
    }

    /// A read-only call: what `get-patient` answers after the registration.
    #[test]
    fn get_patient_after_registering() {
        let mut sim = EhrSimnet::new().unwrap();
        register_wallet_1(&mut sim);
        let wallet_1: PrincipalData = sim.principal("wallet_1");
        let read = sim
            .read(
                "patient-registry",
                "get-patient",
                &[Value::Principal(wallet_1)],
            )
            .unwrap();
        insta::assert_yaml_snapshot!(read);
    }
}

#[cfg(not(test))]
fn main() {
    eprintln!(
        "this example is a test suite: run it with `cargo test -p ehr-sdk --example simnet_snapshot`"
    );
}
