//! Boot contracts the Clarity VM needs at the boot address before it can track costs.
//!
//! The VM does not price operations itself: `LimitedCostTracker::new` loads one Clarity
//! function per operation from the epoch's cost contract at the boot address (`costs-3`
//! for epochs 2.1 to 3.0) and reads the `cost-voting` contract there for confirmed
//! replacements. On a chain without both, the tracker fails to load
//! (`CostContractLoadFailure`), and only the free tracker, which counts nothing, is left.
//! Both contracts are generated here: `costs-3` from our own table of the protocol's
//! coefficients, `cost-voting` as the one variable the tracker reads.

pub mod cost_voting;
pub mod costs;

use clarity::vm::costs::COSTS_3_NAME;

pub use cost_voting::{cost_voting_source, COST_VOTING_NAME};
pub use costs::{costs_3_source, CostEntry, CostEvalError, CostModel, COSTS_3};

/// The boot contracts the cost tracker needs, as (name, source), to deploy at the boot
/// address (`clarity::boot_util::boot_code_id(name, mainnet)`) before the tracker loads.
/// They do not refer to each other, so any order works.
pub fn boot_contracts() -> [(&'static str, String); 2] {
    [
        (COSTS_3_NAME, costs_3_source()),
        (COST_VOTING_NAME, cost_voting_source()),
    ]
}
