//! The `costs-3` cost functions as a table of protocol facts, and the Clarity contract
//! generated from it.
//!
//! The Clarity VM charges every operation by evaluating a function of the `costs-3` boot
//! contract (the cost contract of epochs 2.1 to 3.0) with the operation's input size `n`.
//! Each function returns a cost in five dimensions (runtime, read count, read length,
//! write count, write length), and each dimension has one of four shapes with integer
//! coefficients. The coefficients are consensus values: a chain whose cost contract differs
//! in one of them disagrees with Stacks nodes about which blocks and transactions fit.
//!
//! Source of the values: stacks-core's `stackslib/src/chainstate/stacks/boot/costs-3.clar`
//! (read at commit `1efa4a9bf6bd0f670ac10d1f5a5f24491b7a827a`; the file is unchanged since
//! it shipped with epoch 2.1).

use clarity::vm::costs::cost_functions::ClarityCostFunction;

/// How one dimension of a cost grows with the input size `n`.
///
/// All arithmetic is on Clarity `uint`s (128 bits); `log2` rounds down and, as Clarity's
/// `log2`, is undefined for `n = 0`, so the logarithmic shapes fail there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostModel {
    /// The same amount for every `n`.
    Constant(u64),
    /// `a * n + b`.
    Linear {
        /// Cost per unit of input size.
        a: u64,
        /// Fixed part.
        b: u64,
    },
    /// `a * log2(n) + b`.
    LogN {
        /// Cost per doubling of the input size.
        a: u64,
        /// Fixed part.
        b: u64,
    },
    /// `a * (n * log2(n)) + b`.
    NLogN {
        /// Cost per unit of `n * log2(n)`.
        a: u64,
        /// Fixed part.
        b: u64,
    },
}

/// Why a cost function has no value for an input size: the generated Clarity function
/// fails with a runtime error in the same cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CostEvalError {
    /// A logarithmic shape at `n = 0`: Clarity's `log2` rejects zero.
    #[error("log2 of zero: a logarithmic cost has no value for an input size of 0")]
    Log2OfZero,
    /// The cost does not fit a Clarity `uint`.
    #[error("the cost overflows a 128-bit unsigned integer")]
    Overflow,
}

impl CostModel {
    /// The value of this dimension for the input size `n`, computed as the generated
    /// Clarity expression computes it.
    pub fn eval(self, n: u64) -> Result<u128, CostEvalError> {
        let n = u128::from(n);
        let log2 = || {
            n.checked_ilog2()
                .map(u128::from)
                .ok_or(CostEvalError::Log2OfZero)
        };
        let (a, x, b) = match self {
            CostModel::Constant(c) => return Ok(u128::from(c)),
            CostModel::Linear { a, b } => (a, n, b),
            CostModel::LogN { a, b } => (a, log2()?, b),
            CostModel::NLogN { a, b } => {
                (a, n.checked_mul(log2()?).ok_or(CostEvalError::Overflow)?, b)
            }
        };
        u128::from(a)
            .checked_mul(x)
            .and_then(|ax| ax.checked_add(u128::from(b)))
            .ok_or(CostEvalError::Overflow)
    }

    /// The Clarity expression computing this dimension from the function's argument `n`.
    /// Written inline rather than through helper functions: the VM evaluates a cost
    /// function for every operation it charges, and a private-function call per dimension
    /// would only add work.
    fn clarity_expression(self) -> String {
        match self {
            CostModel::Constant(c) => format!("u{c}"),
            CostModel::Linear { a, b } => format!("(+ (* u{a} n) u{b})"),
            CostModel::LogN { a, b } => format!("(+ (* u{a} (log2 n)) u{b})"),
            CostModel::NLogN { a, b } => format!("(+ (* u{a} (* n (log2 n))) u{b})"),
        }
    }
}

/// One cost function of the contract: the VM operation it prices and the shape of each of
/// the five dimensions of its cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostEntry {
    /// The operation; the contract function carries its name (`get_name_str`).
    pub function: ClarityCostFunction,
    /// Execution time, in the protocol's abstract units.
    pub runtime: CostModel,
    /// Number of reads from the chain state.
    pub read_count: CostModel,
    /// Bytes read from the chain state.
    pub read_length: CostModel,
    /// Number of writes to the chain state.
    pub write_count: CostModel,
    /// Bytes written to the chain state.
    pub write_length: CostModel,
}

impl CostEntry {
    /// An operation costing `runtime` and touching no state (reads and writes zero).
    const fn new(function: ClarityCostFunction, runtime: CostModel) -> Self {
        CostEntry {
            function,
            runtime,
            read_count: CostModel::Constant(0),
            read_length: CostModel::Constant(0),
            write_count: CostModel::Constant(0),
            write_length: CostModel::Constant(0),
        }
    }

    /// The same operation, with the given reads.
    const fn reads(mut self, count: CostModel, length: CostModel) -> Self {
        self.read_count = count;
        self.read_length = length;
        self
    }

    /// The same operation, with the given writes.
    const fn writes(mut self, count: CostModel, length: CostModel) -> Self {
        self.write_count = count;
        self.write_length = length;
        self
    }

    /// The five dimensions, each with its field name in the cost tuple that the contract
    /// returns and the VM reads.
    pub fn dimensions(&self) -> [(&'static str, CostModel); 5] {
        [
            ("runtime", self.runtime),
            ("read_count", self.read_count),
            ("read_length", self.read_length),
            ("write_count", self.write_count),
            ("write_length", self.write_length),
        ]
    }
}

/// The `costs-3` table: one entry per `ClarityCostFunction`, except `Unimplemented`, which
/// the VM never evaluates.
pub const COSTS_3: &[CostEntry] = {
    use ClarityCostFunction::*;
    use CostModel::{Constant, Linear, LogN, NLogN};
    // Reading or writing one item whose size is `n`: the length is `n + 1`.
    const SIZED: CostModel = Linear { a: 1, b: 1 };
    const ONE: CostModel = Constant(1);
    const ZERO: CostModel = Constant(0);
    &[
        CostEntry::new(AnalysisTypeAnnotate, Linear { a: 1, b: 9 }),
        CostEntry::new(AnalysisTypeCheck, Linear { a: 113, b: 1 }),
        CostEntry::new(AnalysisTypeLookup, Linear { a: 1, b: 4 }),
        CostEntry::new(AnalysisVisit, Constant(1)),
        CostEntry::new(AnalysisIterableFunc, Linear { a: 2, b: 14 }),
        CostEntry::new(AnalysisOptionCons, Constant(5)),
        CostEntry::new(AnalysisOptionCheck, Constant(4)),
        CostEntry::new(AnalysisBindName, Linear { a: 1, b: 59 }),
        CostEntry::new(AnalysisListItemsCheck, Linear { a: 2, b: 4 }),
        CostEntry::new(AnalysisCheckTupleGet, LogN { a: 1, b: 2 }),
        CostEntry::new(AnalysisCheckTupleMerge, NLogN { a: 45, b: 49 }),
        CostEntry::new(AnalysisCheckTupleCons, NLogN { a: 3, b: 5 }),
        CostEntry::new(AnalysisTupleItemsCheck, Linear { a: 1, b: 28 }),
        CostEntry::new(AnalysisCheckLet, Linear { a: 1, b: 10 }),
        CostEntry::new(AnalysisLookupFunction, Constant(18)),
        CostEntry::new(AnalysisLookupFunctionTypes, Linear { a: 1, b: 26 }),
        CostEntry::new(AnalysisLookupVariableConst, Constant(15)),
        CostEntry::new(AnalysisLookupVariableDepth, NLogN { a: 1, b: 12 }),
        CostEntry::new(AstParse, Linear { a: 27, b: 81 }),
        CostEntry::new(AstCycleDetection, Linear { a: 141, b: 72 }),
        CostEntry::new(AnalysisStorage, Linear { a: 2, b: 94 })
            .reads(ONE, ONE)
            .writes(ONE, SIZED),
        CostEntry::new(AnalysisUseTraitEntry, Linear { a: 9, b: 698 })
            .reads(ONE, SIZED)
            .writes(ZERO, SIZED),
        CostEntry::new(AnalysisGetFunctionEntry, Linear { a: 78, b: 1307 }).reads(ONE, SIZED),
        CostEntry::new(AnalysisFetchContractEntry, Linear { a: 1, b: 1516 }).reads(ONE, SIZED),
        CostEntry::new(LookupVariableDepth, Linear { a: 1, b: 1 }),
        CostEntry::new(LookupVariableSize, Linear { a: 2, b: 1 }),
        CostEntry::new(LookupFunction, Constant(16)),
        CostEntry::new(BindName, Constant(216)),
        CostEntry::new(InnerTypeCheckCost, Linear { a: 2, b: 5 }),
        CostEntry::new(UserFunctionApplication, Linear { a: 26, b: 5 }),
        CostEntry::new(Let, Linear { a: 117, b: 178 }),
        CostEntry::new(If, Constant(168)),
        CostEntry::new(Asserts, Constant(128)),
        CostEntry::new(Map, Linear { a: 1198, b: 3067 }),
        CostEntry::new(Filter, Constant(407)),
        CostEntry::new(Len, Constant(429)),
        CostEntry::new(ElementAt, Constant(498)),
        CostEntry::new(IndexOf, Linear { a: 1, b: 211 }),
        CostEntry::new(Fold, Constant(460)),
        CostEntry::new(ListCons, Linear { a: 14, b: 164 }),
        CostEntry::new(TypeParseStep, Constant(4)),
        CostEntry::new(TupleGet, NLogN { a: 4, b: 1736 }),
        CostEntry::new(TupleMerge, Linear { a: 4, b: 408 }),
        CostEntry::new(TupleCons, NLogN { a: 10, b: 1876 }),
        CostEntry::new(Add, Linear { a: 11, b: 125 }),
        CostEntry::new(Sub, Linear { a: 11, b: 125 }),
        CostEntry::new(Mul, Linear { a: 13, b: 125 }),
        CostEntry::new(Div, Linear { a: 13, b: 125 }),
        CostEntry::new(Geq, Linear { a: 7, b: 128 }),
        CostEntry::new(Leq, Linear { a: 7, b: 128 }),
        CostEntry::new(Le, Linear { a: 7, b: 128 }),
        CostEntry::new(Ge, Linear { a: 7, b: 128 }),
        CostEntry::new(IntCast, Constant(135)),
        CostEntry::new(Mod, Constant(141)),
        CostEntry::new(Pow, Constant(143)),
        CostEntry::new(Sqrti, Constant(142)),
        CostEntry::new(Log2, Constant(133)),
        CostEntry::new(Xor, Linear { a: 15, b: 129 }),
        CostEntry::new(Not, Constant(138)),
        CostEntry::new(Eq, Linear { a: 7, b: 151 }),
        CostEntry::new(Begin, Constant(151)),
        CostEntry::new(Hash160, Linear { a: 1, b: 188 }),
        CostEntry::new(Sha256, Linear { a: 1, b: 100 }),
        CostEntry::new(Sha512, Linear { a: 1, b: 176 }),
        CostEntry::new(Sha512t256, Linear { a: 1, b: 56 }),
        CostEntry::new(Keccak256, Linear { a: 1, b: 127 }),
        CostEntry::new(Secp256k1recover, Constant(8655)),
        CostEntry::new(Secp256k1verify, Constant(8349)),
        CostEntry::new(Print, Linear { a: 15, b: 1458 }),
        CostEntry::new(SomeCons, Constant(199)),
        CostEntry::new(OkCons, Constant(199)),
        CostEntry::new(ErrCons, Constant(199)),
        CostEntry::new(DefaultTo, Constant(268)),
        CostEntry::new(UnwrapRet, Constant(274)),
        CostEntry::new(UnwrapErrOrRet, Constant(302)),
        CostEntry::new(IsOkay, Constant(258)),
        CostEntry::new(IsNone, Constant(214)),
        CostEntry::new(IsErr, Constant(245)),
        CostEntry::new(IsSome, Constant(195)),
        CostEntry::new(Unwrap, Constant(252)),
        CostEntry::new(UnwrapErr, Constant(248)),
        CostEntry::new(TryRet, Constant(240)),
        CostEntry::new(Match, Constant(264)),
        CostEntry::new(Or, Linear { a: 3, b: 120 }),
        CostEntry::new(And, Linear { a: 3, b: 120 }),
        CostEntry::new(Append, Linear { a: 73, b: 285 }),
        CostEntry::new(Concat, Linear { a: 37, b: 220 }),
        CostEntry::new(AsMaxLen, Constant(475)),
        CostEntry::new(ContractCall, Constant(134)),
        CostEntry::new(ContractOf, Constant(13400)),
        CostEntry::new(PrincipalOf, Constant(984)),
        CostEntry::new(AtBlock, Constant(1327)).reads(ONE, ONE),
        // Three reads: the contract and its metadata.
        CostEntry::new(LoadContract, Linear { a: 1, b: 80 }).reads(Constant(3), SIZED),
        CostEntry::new(CreateMap, Linear { a: 1, b: 1564 }).writes(ONE, SIZED),
        CostEntry::new(CreateVar, Linear { a: 7, b: 2025 }).writes(Constant(2), SIZED),
        CostEntry::new(CreateNft, Linear { a: 1, b: 1570 }).writes(ONE, SIZED),
        CostEntry::new(CreateFt, Constant(1831)).writes(Constant(2), ONE),
        CostEntry::new(FetchEntry, Linear { a: 1, b: 1025 }).reads(ONE, SIZED),
        CostEntry::new(SetEntry, Linear { a: 4, b: 1899 })
            .reads(ONE, ZERO)
            .writes(ONE, SIZED),
        CostEntry::new(FetchVar, Linear { a: 1, b: 468 }).reads(ONE, SIZED),
        CostEntry::new(SetVar, Linear { a: 5, b: 655 })
            .reads(ONE, ZERO)
            .writes(ONE, SIZED),
        CostEntry::new(ContractStorage, Linear { a: 11, b: 7165 }).writes(ONE, SIZED),
        CostEntry::new(BlockInfo, Constant(6321)).reads(ONE, ONE),
        CostEntry::new(StxBalance, Constant(4294)).reads(ONE, ONE),
        CostEntry::new(StxTransfer, Constant(4640))
            .reads(ONE, ONE)
            .writes(ONE, ONE),
        CostEntry::new(FtMint, Constant(1479))
            .reads(Constant(2), ONE)
            .writes(Constant(2), ONE),
        CostEntry::new(FtTransfer, Constant(549))
            .reads(Constant(2), ONE)
            .writes(Constant(2), ONE),
        CostEntry::new(FtBalance, Constant(479)).reads(ONE, ONE),
        CostEntry::new(FtSupply, Constant(420)).reads(ONE, ONE),
        CostEntry::new(FtBurn, Constant(549))
            .reads(Constant(2), ONE)
            .writes(Constant(2), ONE),
        CostEntry::new(NftMint, Linear { a: 9, b: 575 })
            .reads(ONE, ONE)
            .writes(ONE, ONE),
        CostEntry::new(NftTransfer, Linear { a: 9, b: 572 })
            .reads(ONE, ONE)
            .writes(ONE, ONE),
        CostEntry::new(NftOwner, Linear { a: 9, b: 795 }).reads(ONE, ONE),
        CostEntry::new(NftBurn, Linear { a: 9, b: 572 })
            .reads(ONE, ONE)
            .writes(ONE, ONE),
        CostEntry::new(PoisonMicroblock, Constant(17485))
            .reads(ONE, ONE)
            .writes(ONE, ONE),
        CostEntry::new(BuffToIntLe, Constant(141)),
        CostEntry::new(BuffToUIntLe, Constant(141)),
        CostEntry::new(BuffToIntBe, Constant(141)),
        CostEntry::new(BuffToUIntBe, Constant(141)),
        CostEntry::new(IsStandard, Constant(127)),
        CostEntry::new(PrincipalDestruct, Constant(314)),
        CostEntry::new(PrincipalConstruct, Constant(398)),
        CostEntry::new(StringToInt, Constant(168)),
        CostEntry::new(StringToUInt, Constant(168)),
        CostEntry::new(IntToAscii, Constant(147)),
        CostEntry::new(IntToUtf8, Constant(181)),
        CostEntry::new(GetBurnBlockInfo, Constant(96479)).reads(ONE, ONE),
        CostEntry::new(StxGetAccount, Constant(4654)).reads(ONE, ONE),
        CostEntry::new(Slice, Constant(448)),
        CostEntry::new(ToConsensusBuff, Linear { a: 1, b: 233 }),
        CostEntry::new(FromConsensusBuff, NLogN { a: 3, b: 185 }),
        CostEntry::new(StxTransferMemo, Constant(4709))
            .reads(ONE, ONE)
            .writes(ONE, ONE),
        CostEntry::new(ReplaceAt, Linear { a: 1, b: 561 }),
        CostEntry::new(AsContract, Constant(138)),
        CostEntry::new(BitwiseAnd, Linear { a: 15, b: 129 }),
        CostEntry::new(BitwiseOr, Linear { a: 15, b: 129 }),
        CostEntry::new(BitwiseNot, Constant(147)),
        CostEntry::new(BitwiseLShift, Constant(167)),
        CostEntry::new(BitwiseRShift, Constant(167)),
    ]
};

/// The Clarity source of the `costs-3` contract, generated from [`COSTS_3`]: one read-only
/// function per entry, taking the input size `n` and returning the cost tuple. It uses
/// only arithmetic and tuple construction, so the analysis marks it eligible as a cost
/// contract, which the VM requires of the functions it prices operations with.
pub fn costs_3_source() -> String {
    let mut source = String::from(
        ";; costs-3: the cost functions of Clarity epochs 2.1 to 3.0, generated by\n\
         ;; ehr-harness from its table of the protocol's coefficients.\n",
    );
    for entry in COSTS_3 {
        let fields: Vec<String> = entry
            .dimensions()
            .iter()
            .map(|(field, model)| format!("{field}: {}", model.clarity_expression()))
            .collect();
        source.push_str(&format!(
            "(define-read-only ({} (n uint))\n  {{ {} }})\n",
            entry.function.get_name_str(),
            fields.join(", ")
        ));
    }
    source
}
