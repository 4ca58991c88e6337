//! Stacks block limits: the budget every block's transactions share.

use clarity::vm::costs::ExecutionCost;

/// The block limit of epochs 2.1 to 3.0 (stacks-core `BLOCK_LIMIT_MAINNET_21`): what one
/// block may spend in total. A transaction that would push its block past any dimension
/// cannot be mined.
pub const BLOCK_LIMIT: ExecutionCost = ExecutionCost {
    write_length: 15_000_000,
    write_count: 15_000,
    read_length: 100_000_000,
    read_count: 15_000,
    runtime: 5_000_000_000,
};

/// Each dimension of `cost` as a share of the block limit, in percent, in the order
/// runtime, read count, read length, write count, write length.
pub fn block_share_percent(cost: &ExecutionCost) -> [f64; 5] {
    let pct = |used: u64, limit: u64| used as f64 * 100.0 / limit as f64;
    [
        pct(cost.runtime, BLOCK_LIMIT.runtime),
        pct(cost.read_count, BLOCK_LIMIT.read_count),
        pct(cost.read_length, BLOCK_LIMIT.read_length),
        pct(cost.write_count, BLOCK_LIMIT.write_count),
        pct(cost.write_length, BLOCK_LIMIT.write_length),
    ]
}
