//! The `costs-3` cost functions as a table of protocol facts, and the Clarity contract
//! generated from it.
//!
//! Every Clarity operation is charged by evaluating a cost function of the `costs-3` boot
//! contract (epochs 2.1 to 3.0) with the operation's input size `n`. Each function gives a
//! cost in five dimensions; each dimension is one of four shapes with coefficients `a`,
//! `b`. The coefficients below are the consensus values of stacks-core's `costs-3`
//! (they never change once an epoch ships; new epochs add a new contract).

use std::fmt::Write as _;

/// How one dimension of a cost grows with the input size `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostModel {
    /// A fixed amount.
    C(u64),
    /// `a * n + b`.
    Lin(u64, u64),
    /// `a * log2(n) + b`.
    Log(u64, u64),
    /// `a * n * log2(n) + b`.
    NLog(u64, u64),
}

use CostModel::{Lin, Log, NLog, C};

impl CostModel {
    /// The Clarity expression computing this model from the argument `n`.
    fn clarity(self) -> String {
        match self {
            C(x) => format!("u{x}"),
            Lin(a, b) => format!("(linear n u{a} u{b})"),
            Log(a, b) => format!("(logn n u{a} u{b})"),
            NLog(a, b) => format!("(nlogn n u{a} u{b})"),
        }
    }

    /// The same computation in Rust, for checking the generated contract. `None` where
    /// Clarity would fail (`log2` of zero).
    pub fn eval(self, n: u64) -> Option<u64> {
        let log2 = |n: u64| (n > 0).then(|| 63 - u64::from(n.leading_zeros()));
        match self {
            C(x) => Some(x),
            Lin(a, b) => Some(a * n + b),
            Log(a, b) => Some(a * log2(n)? + b),
            NLog(a, b) => Some(a * n * log2(n)? + b),
        }
    }
}

/// One cost function: its name as the VM calls it, and its five dimensions in the order
/// runtime, read count, read length, write count, write length.
pub type CostEntry = (&'static str, [CostModel; 5]);

/// The `costs-3` table. Every `ClarityCostFunction` the VM knows has one entry (a test
/// checks it), except `cost_unimplemented`, which the VM never evaluates.
pub const COSTS_3: &[CostEntry] = &[
    (
        "cost_analysis_type_annotate",
        [Lin(1, 9), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_type_check",
        [Lin(113, 1), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_type_lookup",
        [Lin(1, 4), C(0), C(0), C(0), C(0)],
    ),
    ("cost_analysis_visit", [C(1), C(0), C(0), C(0), C(0)]),
    (
        "cost_analysis_iterable_func",
        [Lin(2, 14), C(0), C(0), C(0), C(0)],
    ),
    ("cost_analysis_option_cons", [C(5), C(0), C(0), C(0), C(0)]),
    ("cost_analysis_option_check", [C(4), C(0), C(0), C(0), C(0)]),
    (
        "cost_analysis_bind_name",
        [Lin(1, 59), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_list_items_check",
        [Lin(2, 4), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_check_tuple_get",
        [Log(1, 2), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_check_tuple_merge",
        [NLog(45, 49), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_check_tuple_cons",
        [NLog(3, 5), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_tuple_items_check",
        [Lin(1, 28), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_check_let",
        [Lin(1, 10), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_lookup_function",
        [C(18), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_lookup_function_types",
        [Lin(1, 26), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_lookup_variable_const",
        [C(15), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_lookup_variable_depth",
        [NLog(1, 12), C(0), C(0), C(0), C(0)],
    ),
    ("cost_ast_parse", [Lin(27, 81), C(0), C(0), C(0), C(0)]),
    (
        "cost_ast_cycle_detection",
        [Lin(141, 72), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_analysis_storage",
        [Lin(2, 94), C(1), C(1), C(1), Lin(1, 1)],
    ),
    (
        "cost_analysis_use_trait_entry",
        [Lin(9, 698), C(1), Lin(1, 1), C(0), Lin(1, 1)],
    ),
    (
        "cost_analysis_get_function_entry",
        [Lin(78, 1307), C(1), Lin(1, 1), C(0), C(0)],
    ),
    (
        "cost_analysis_fetch_contract_entry",
        [Lin(1, 1516), C(1), Lin(1, 1), C(0), C(0)],
    ),
    (
        "cost_lookup_variable_depth",
        [Lin(1, 1), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_lookup_variable_size",
        [Lin(2, 1), C(0), C(0), C(0), C(0)],
    ),
    ("cost_lookup_function", [C(16), C(0), C(0), C(0), C(0)]),
    ("cost_bind_name", [C(216), C(0), C(0), C(0), C(0)]),
    (
        "cost_inner_type_check_cost",
        [Lin(2, 5), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_user_function_application",
        [Lin(26, 5), C(0), C(0), C(0), C(0)],
    ),
    ("cost_let", [Lin(117, 178), C(0), C(0), C(0), C(0)]),
    ("cost_if", [C(168), C(0), C(0), C(0), C(0)]),
    ("cost_asserts", [C(128), C(0), C(0), C(0), C(0)]),
    ("cost_map", [Lin(1198, 3067), C(0), C(0), C(0), C(0)]),
    ("cost_filter", [C(407), C(0), C(0), C(0), C(0)]),
    ("cost_len", [C(429), C(0), C(0), C(0), C(0)]),
    ("cost_element_at", [C(498), C(0), C(0), C(0), C(0)]),
    ("cost_index_of", [Lin(1, 211), C(0), C(0), C(0), C(0)]),
    ("cost_fold", [C(460), C(0), C(0), C(0), C(0)]),
    ("cost_list_cons", [Lin(14, 164), C(0), C(0), C(0), C(0)]),
    ("cost_type_parse_step", [C(4), C(0), C(0), C(0), C(0)]),
    ("cost_tuple_get", [NLog(4, 1736), C(0), C(0), C(0), C(0)]),
    ("cost_tuple_merge", [Lin(4, 408), C(0), C(0), C(0), C(0)]),
    ("cost_tuple_cons", [NLog(10, 1876), C(0), C(0), C(0), C(0)]),
    ("cost_add", [Lin(11, 125), C(0), C(0), C(0), C(0)]),
    ("cost_sub", [Lin(11, 125), C(0), C(0), C(0), C(0)]),
    ("cost_mul", [Lin(13, 125), C(0), C(0), C(0), C(0)]),
    ("cost_div", [Lin(13, 125), C(0), C(0), C(0), C(0)]),
    ("cost_geq", [Lin(7, 128), C(0), C(0), C(0), C(0)]),
    ("cost_leq", [Lin(7, 128), C(0), C(0), C(0), C(0)]),
    ("cost_le", [Lin(7, 128), C(0), C(0), C(0), C(0)]),
    ("cost_ge", [Lin(7, 128), C(0), C(0), C(0), C(0)]),
    ("cost_int_cast", [C(135), C(0), C(0), C(0), C(0)]),
    ("cost_mod", [C(141), C(0), C(0), C(0), C(0)]),
    ("cost_pow", [C(143), C(0), C(0), C(0), C(0)]),
    ("cost_sqrti", [C(142), C(0), C(0), C(0), C(0)]),
    ("cost_log2", [C(133), C(0), C(0), C(0), C(0)]),
    ("cost_xor", [Lin(15, 129), C(0), C(0), C(0), C(0)]),
    ("cost_not", [C(138), C(0), C(0), C(0), C(0)]),
    ("cost_eq", [Lin(7, 151), C(0), C(0), C(0), C(0)]),
    ("cost_begin", [C(151), C(0), C(0), C(0), C(0)]),
    ("cost_hash160", [Lin(1, 188), C(0), C(0), C(0), C(0)]),
    ("cost_sha256", [Lin(1, 100), C(0), C(0), C(0), C(0)]),
    ("cost_sha512", [Lin(1, 176), C(0), C(0), C(0), C(0)]),
    ("cost_sha512t256", [Lin(1, 56), C(0), C(0), C(0), C(0)]),
    ("cost_keccak256", [Lin(1, 127), C(0), C(0), C(0), C(0)]),
    ("cost_secp256k1recover", [C(8655), C(0), C(0), C(0), C(0)]),
    ("cost_secp256k1verify", [C(8349), C(0), C(0), C(0), C(0)]),
    ("cost_print", [Lin(15, 1458), C(0), C(0), C(0), C(0)]),
    ("cost_some_cons", [C(199), C(0), C(0), C(0), C(0)]),
    ("cost_ok_cons", [C(199), C(0), C(0), C(0), C(0)]),
    ("cost_err_cons", [C(199), C(0), C(0), C(0), C(0)]),
    ("cost_default_to", [C(268), C(0), C(0), C(0), C(0)]),
    ("cost_unwrap_ret", [C(274), C(0), C(0), C(0), C(0)]),
    ("cost_unwrap_err_or_ret", [C(302), C(0), C(0), C(0), C(0)]),
    ("cost_is_okay", [C(258), C(0), C(0), C(0), C(0)]),
    ("cost_is_none", [C(214), C(0), C(0), C(0), C(0)]),
    ("cost_is_err", [C(245), C(0), C(0), C(0), C(0)]),
    ("cost_is_some", [C(195), C(0), C(0), C(0), C(0)]),
    ("cost_unwrap", [C(252), C(0), C(0), C(0), C(0)]),
    ("cost_unwrap_err", [C(248), C(0), C(0), C(0), C(0)]),
    ("cost_try_ret", [C(240), C(0), C(0), C(0), C(0)]),
    ("cost_match", [C(264), C(0), C(0), C(0), C(0)]),
    ("cost_or", [Lin(3, 120), C(0), C(0), C(0), C(0)]),
    ("cost_and", [Lin(3, 120), C(0), C(0), C(0), C(0)]),
    ("cost_append", [Lin(73, 285), C(0), C(0), C(0), C(0)]),
    ("cost_concat", [Lin(37, 220), C(0), C(0), C(0), C(0)]),
    ("cost_as_max_len", [C(475), C(0), C(0), C(0), C(0)]),
    ("cost_contract_call", [C(134), C(0), C(0), C(0), C(0)]),
    ("cost_contract_of", [C(13400), C(0), C(0), C(0), C(0)]),
    ("cost_principal_of", [C(984), C(0), C(0), C(0), C(0)]),
    ("cost_at_block", [C(1327), C(1), C(1), C(0), C(0)]),
    (
        "cost_load_contract",
        [Lin(1, 80), C(3), Lin(1, 1), C(0), C(0)],
    ),
    (
        "cost_create_map",
        [Lin(1, 1564), C(0), C(0), C(1), Lin(1, 1)],
    ),
    (
        "cost_create_var",
        [Lin(7, 2025), C(0), C(0), C(2), Lin(1, 1)],
    ),
    (
        "cost_create_nft",
        [Lin(1, 1570), C(0), C(0), C(1), Lin(1, 1)],
    ),
    ("cost_create_ft", [C(1831), C(0), C(0), C(2), C(1)]),
    (
        "cost_fetch_entry",
        [Lin(1, 1025), C(1), Lin(1, 1), C(0), C(0)],
    ),
    (
        "cost_set_entry",
        [Lin(4, 1899), C(1), C(0), C(1), Lin(1, 1)],
    ),
    ("cost_fetch_var", [Lin(1, 468), C(1), Lin(1, 1), C(0), C(0)]),
    ("cost_set_var", [Lin(5, 655), C(1), C(0), C(1), Lin(1, 1)]),
    (
        "cost_contract_storage",
        [Lin(11, 7165), C(0), C(0), C(1), Lin(1, 1)],
    ),
    ("cost_block_info", [C(6321), C(1), C(1), C(0), C(0)]),
    ("cost_stx_balance", [C(4294), C(1), C(1), C(0), C(0)]),
    ("cost_stx_transfer", [C(4640), C(1), C(1), C(1), C(1)]),
    ("cost_ft_mint", [C(1479), C(2), C(1), C(2), C(1)]),
    ("cost_ft_transfer", [C(549), C(2), C(1), C(2), C(1)]),
    ("cost_ft_balance", [C(479), C(1), C(1), C(0), C(0)]),
    ("cost_ft_get_supply", [C(420), C(1), C(1), C(0), C(0)]),
    ("cost_ft_burn", [C(549), C(2), C(1), C(2), C(1)]),
    ("cost_nft_mint", [Lin(9, 575), C(1), C(1), C(1), C(1)]),
    ("cost_nft_transfer", [Lin(9, 572), C(1), C(1), C(1), C(1)]),
    ("cost_nft_owner", [Lin(9, 795), C(1), C(1), C(0), C(0)]),
    ("cost_nft_burn", [Lin(9, 572), C(1), C(1), C(1), C(1)]),
    ("poison_microblock", [C(17485), C(1), C(1), C(1), C(1)]),
    ("cost_buff_to_int_le", [C(141), C(0), C(0), C(0), C(0)]),
    ("cost_buff_to_uint_le", [C(141), C(0), C(0), C(0), C(0)]),
    ("cost_buff_to_int_be", [C(141), C(0), C(0), C(0), C(0)]),
    ("cost_buff_to_uint_be", [C(141), C(0), C(0), C(0), C(0)]),
    ("cost_is_standard", [C(127), C(0), C(0), C(0), C(0)]),
    ("cost_principal_destruct", [C(314), C(0), C(0), C(0), C(0)]),
    ("cost_principal_construct", [C(398), C(0), C(0), C(0), C(0)]),
    ("cost_string_to_int", [C(168), C(0), C(0), C(0), C(0)]),
    ("cost_string_to_uint", [C(168), C(0), C(0), C(0), C(0)]),
    ("cost_int_to_ascii", [C(147), C(0), C(0), C(0), C(0)]),
    ("cost_int_to_utf8", [C(181), C(0), C(0), C(0), C(0)]),
    ("cost_burn_block_info", [C(96479), C(1), C(1), C(0), C(0)]),
    ("cost_stx_account", [C(4654), C(1), C(1), C(0), C(0)]),
    ("cost_slice", [C(448), C(0), C(0), C(0), C(0)]),
    (
        "cost_to_consensus_buff",
        [Lin(1, 233), C(0), C(0), C(0), C(0)],
    ),
    (
        "cost_from_consensus_buff",
        [NLog(3, 185), C(0), C(0), C(0), C(0)],
    ),
    ("cost_stx_transfer_memo", [C(4709), C(1), C(1), C(1), C(1)]),
    ("cost_replace_at", [Lin(1, 561), C(0), C(0), C(0), C(0)]),
    ("cost_as_contract", [C(138), C(0), C(0), C(0), C(0)]),
    ("cost_bitwise_and", [Lin(15, 129), C(0), C(0), C(0), C(0)]),
    ("cost_bitwise_or", [Lin(15, 129), C(0), C(0), C(0), C(0)]),
    ("cost_bitwise_not", [C(147), C(0), C(0), C(0), C(0)]),
    ("cost_bitwise_left_shift", [C(167), C(0), C(0), C(0), C(0)]),
    ("cost_bitwise_right_shift", [C(167), C(0), C(0), C(0), C(0)]),
];

/// The Clarity source of the `costs-3` contract, generated from [`COSTS_3`]. It uses only
/// arithmetic, so the analysis marks it eligible as a cost contract.
pub fn costs_3_source() -> String {
    let mut out = String::from(
        ";; costs-3, generated from the ehr-harness cost table (protocol facts).\n\
         (define-private (linear (n uint) (a uint) (b uint)) (+ (* a n) b))\n\
         (define-private (logn (n uint) (a uint) (b uint)) (+ (* a (log2 n)) b))\n\
         (define-private (nlogn (n uint) (a uint) (b uint)) (+ (* a (* n (log2 n))) b))\n",
    );
    for (name, [runtime, read_count, read_length, write_count, write_length]) in COSTS_3 {
        let _ = writeln!(
            out,
            "(define-read-only ({name} (n uint)) {{ runtime: {}, read_count: {}, read_length: {}, write_count: {}, write_length: {} }})",
            runtime.clarity(),
            read_count.clarity(),
            read_length.clarity(),
            write_count.clarity(),
            write_length.clarity(),
        );
    }
    out
}
