//! The `cost-voting` boot contract, reduced to what the cost tracker reads.
//!
//! On Stacks, `cost-voting` lets holders propose and confirm replacements for single cost
//! functions. When loading its cost functions, the VM reads the contract's
//! `confirmed-proposal-count` and, only for confirmed proposals it has not applied yet,
//! the `confirmed-proposals` map. With the count fixed at zero the map is never read, so
//! the variable alone is the whole contract: the `costs-3` functions apply unchanged.

/// The contract's name at the boot address.
pub const COST_VOTING_NAME: &str = "cost-voting";

/// The Clarity source of the `cost-voting` contract: the count of confirmed proposals,
/// zero and with no function that could change it.
pub fn cost_voting_source() -> String {
    ";; cost-voting, reduced to what the cost tracker reads. No proposal mechanism is\n\
     ;; offered: no proposal is ever confirmed, so costs-3 applies as is.\n\
     (define-data-var confirmed-proposal-count uint u0)\n"
        .to_string()
}
