//! Fees: the node's per-byte fee rate (`GET /v2/fees/transfer`) and its estimate for a
//! payload (`POST /v2/fees/transaction`).

use serde::{Deserialize, Serialize};

/// One of the node's three estimates for a payload.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct FeeEstimation {
    /// µSTX per byte (per unit of estimated cost, for contract calls).
    pub fee_rate: f64,
    /// The total fee in µSTX.
    pub fee: u64,
}

/// What fee a transaction should pay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FeeEstimate {
    /// The node's cost-based estimates, cheapest first.
    Estimated {
        /// Likely slow to be mined.
        low: FeeEstimation,
        /// The usual choice (what stacks.js uses).
        middle: FeeEstimation,
        /// Likely mined first.
        high: FeeEstimation,
    },
    /// The node had no estimate for this payload (`NoEstimateAvailable`, e.g. on a fresh
    /// chain): the transfer fee rate times the transaction's length, as stacks.js does.
    FeeRateTimesLength {
        /// µSTX per byte, from `GET /v2/fees/transfer`.
        fee_rate: u64,
        /// Length of the whole signed transaction in bytes.
        estimated_len: u64,
    },
}

impl FeeEstimate {
    /// The fee to pay in µSTX: the middle estimate, or rate × length.
    pub fn fee(&self) -> u64 {
        match self {
            FeeEstimate::Estimated { middle, .. } => middle.fee,
            FeeEstimate::FeeRateTimesLength {
                fee_rate,
                estimated_len,
            } => fee_rate.saturating_mul(*estimated_len),
        }
    }
}

/// Body of `POST /v2/fees/transaction`.
#[derive(Debug, Serialize)]
pub(crate) struct EstimateRequest {
    /// The serialised payload, hex without `0x`.
    pub transaction_payload: String,
    /// Length of the whole signed transaction.
    pub estimated_len: u64,
}

/// Answer of `POST /v2/fees/transaction` (only the fields used).
#[derive(Debug, Deserialize)]
pub(crate) struct EstimateAnswer {
    pub estimations: Vec<FeeEstimation>,
}

/// 400 answer of `POST /v2/fees/transaction` when the estimator ran but failed.
#[derive(Debug, Deserialize)]
pub(crate) struct EstimateFailure {
    pub reason: String,
    #[serde(default)]
    pub reason_data: Option<EstimateFailureData>,
}

/// `reason_data` of [`EstimateFailure`].
#[derive(Debug, Deserialize)]
pub(crate) struct EstimateFailureData {
    pub message: String,
}

/// The reason that means "no estimate for this payload yet"; the only one that falls back
/// to rate × length.
pub(crate) const NO_ESTIMATE_AVAILABLE: &str = "NoEstimateAvailable";
