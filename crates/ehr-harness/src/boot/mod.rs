//! Boot contracts the Clarity VM needs at the boot address before it can track costs.
//!
//! `LimitedCostTracker::new` loads the cost functions from the `costs-3` contract and asks
//! the `cost-voting` contract how many cost proposals were confirmed. A chain without them
//! can only run with the free tracker, which counts nothing. Both are generated here from
//! our own table of the protocol's coefficients.

pub mod costs;

pub use costs::{costs_3_source, CostEntry, CostModel, COSTS_3};

/// The `cost-voting` contract: only what the cost tracker reads. It holds no proposal
/// mechanism, so the count of confirmed proposals stays zero and `costs-3` applies as is.
pub fn cost_voting_source() -> String {
    ";; cost-voting, reduced to what the cost tracker reads: no proposals are ever confirmed.\n\
     (define-data-var confirmed-proposal-count uint u0)\n"
        .to_string()
}

/// The boot contracts in deployment order, as (name, source).
pub fn boot_contracts() -> [(&'static str, String); 2] {
    [
        ("costs-3", costs_3_source()),
        ("cost-voting", cost_voting_source()),
    ]
}
