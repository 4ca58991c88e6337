//! The simnet: an in-process Stacks chain on the Clarity VM that a test can drive.
//!
//! It deploys contracts through the real analysis, tracks real costs against the Stacks
//! block limits, keeps STX balances, emits events and asset maps per call, advances block
//! height, burn height and time as blocks are mined, and snapshots the whole chain in O(1)
//! so test cases can share one setup. Any principal may send (impersonation), as in
//! Clarinet's simnet and anvil.
//!
//! ```no_run
//! use ehr_harness::simnet::{Simnet, SimnetConfig};
//! use clarity::vm::types::{PrincipalData, Value};
//!
//! let deployer = PrincipalData::parse_standard_principal("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM").unwrap();
//! let mut sim = Simnet::new(SimnetConfig::default()).unwrap();
//! let counter = sim
//!     .deploy_contract(&deployer, "counter", "(define-data-var n uint u0) (define-public (bump) (ok (var-set n (+ (var-get n) u1))))")
//!     .unwrap()
//!     .contract;
//! let receipt = sim.call_public(&deployer.into(), &counter, "bump", &[]).unwrap();
//! assert!(receipt.committed);
//! ```

mod deploy;
mod error;
mod manifest;
mod receipt;

use clarity::boot_util::boot_code_id;
use clarity::rusqlite::Connection;
use clarity::vm::analysis::{run_analysis, AnalysisDatabase, ContractAnalysis};
use clarity::vm::ast::{build_ast_with_rules, ASTRules};
use clarity::vm::contexts::{AssetMap, OwnedEnvironment};
use clarity::vm::costs::{ExecutionCost, LimitedCostTracker};
use clarity::vm::database::ClarityDatabase;
use clarity::vm::errors::Error as VmError;
use clarity::vm::events::StacksTransactionEvent;
use clarity::vm::representations::{ClarityName, ContractName, SymbolicExpression};
use clarity::vm::types::{
    BuffData, FunctionType, PrincipalData, QualifiedContractIdentifier, StandardPrincipalData,
    Value,
};
use clarity::vm::ClarityVersion;
use stacks_common::consts::{CHAIN_ID_MAINNET, CHAIN_ID_TESTNET};
use stacks_common::types::StacksEpochId;

pub use self::error::SimnetError;
pub use self::manifest::{Manifest, ProjectContract};
pub use self::receipt::{
    asset_flows, AssetFlows, Cost, Event, ReadOnlyResult, Receipt, SentAssets, ValueRepr,
};

use crate::chain::blocks::{simnet_miner, DEFAULT_BLOCK_TIME_SECS};
use crate::chain::{BlockHeader, BlockList, KvState, StoreView};
use crate::limits::BLOCK_LIMIT;

/// How a simnet starts and behaves.
#[derive(Debug, Clone)]
pub struct SimnetConfig {
    /// Epoch in force (Clarity 2 from 2.1 on). Default: 2.4.
    pub epoch: StacksEpochId,
    /// Mainnet addresses and chain id instead of testnet. Default: testnet.
    pub mainnet: bool,
    /// Unix time of the genesis block.
    pub genesis_time: u64,
    /// Seconds between blocks.
    pub block_time_secs: u64,
    /// Burn height of the genesis block.
    pub genesis_burn_height: u32,
    /// Mine a block after every transaction (as Clarinet's simnet does). When false,
    /// transactions share the open block (and its cost budget) until [`Simnet::mine_block`].
    pub auto_mine: bool,
    /// Track execution costs against the block limits. When false, calls are free and
    /// unlimited (faster, but cost figures read zero).
    pub track_costs: bool,
    /// STX balances at genesis, in micro-STX.
    pub balances: Vec<(PrincipalData, u128)>,
}

impl Default for SimnetConfig {
    fn default() -> Self {
        SimnetConfig {
            epoch: StacksEpochId::Epoch24,
            mainnet: false,
            genesis_time: 1_767_225_600, // 2026-01-01T00:00:00Z: fixed, so snapshots are stable
            block_time_secs: DEFAULT_BLOCK_TIME_SECS,
            genesis_burn_height: 0,
            auto_mine: true,
            track_costs: true,
            balances: Vec::new(),
        }
    }
}

/// The result of a deployment: the contract's identifier and the receipt.
#[derive(Debug, Clone)]
pub struct Deployed {
    /// The new contract.
    pub contract: QualifiedContractIdentifier,
    /// Cost, events and block of the deployment.
    pub receipt: Receipt,
}

/// The whole chain state at one moment: cheap to take, cheap to restore.
#[derive(Debug, Clone)]
pub struct Snapshot {
    kv: KvState,
    blocks: BlockList,
    open_block_cost: ExecutionCost,
    functions: im::HashMap<QualifiedContractIdentifier, FunctionTable>,
}

/// The callable functions of a deployed contract, by kind: kept from its analysis at
/// deployment so a call can be checked without deserialising the analysis again.
#[derive(Debug, Clone)]
struct FunctionTable {
    public: std::sync::Arc<std::collections::BTreeSet<String>>,
    read_only: std::sync::Arc<std::collections::BTreeSet<String>>,
    private: std::sync::Arc<std::collections::BTreeSet<String>>,
    signatures: std::sync::Arc<PublicSignatures>,
}

/// The public functions' signatures of a deployed contract, as
/// [`Simnet::contract_analysis`] would give them (types canonicalised for the chain's
/// epoch), and the epoch the contract was analysed in.
#[derive(Debug, Clone)]
pub struct PublicSignatures {
    /// Each public function's signature.
    pub functions: std::collections::BTreeMap<ClarityName, FunctionType>,
    /// The epoch of the contract's analysis (what its types admit depends on it).
    pub epoch: StacksEpochId,
}

impl FunctionTable {
    fn of(analysis: &ContractAnalysis, chain_epoch: &StacksEpochId) -> Self {
        let names = |m: &std::collections::BTreeMap<ClarityName, _>| {
            std::sync::Arc::new(m.keys().map(|k| k.to_string()).collect())
        };
        FunctionTable {
            public: names(&analysis.public_function_types),
            read_only: names(&analysis.read_only_function_types),
            private: names(&analysis.private_function_types),
            signatures: std::sync::Arc::new(PublicSignatures {
                functions: analysis
                    .public_function_types
                    .iter()
                    .map(|(name, f)| (name.clone(), f.canonicalize(chain_epoch)))
                    .collect(),
                epoch: analysis.epoch,
            }),
        }
    }
}

/// An in-process Stacks chain.
pub struct Simnet {
    config: SimnetConfig,
    kv: KvState,
    blocks: BlockList,
    side: Connection,
    /// The cost tracker, loaded once and lent to each VM session; `None` when costs are
    /// not tracked.
    tracker: Option<LimitedCostTracker>,
    /// What the transactions in the open block have spent so far.
    open_block_cost: ExecutionCost,
    /// Callable functions of every deployed contract.
    functions: im::HashMap<QualifiedContractIdentifier, FunctionTable>,
}

/// The VM's raw outcome of one session: value, asset map, events.
type VmOutcome = (Value, AssetMap, Vec<StacksTransactionEvent>);

impl Simnet {
    /// Starts a chain: the genesis block holds the boot cost contracts and the configured
    /// balances; block 1 is open for transactions.
    pub fn new(config: SimnetConfig) -> Result<Simnet, SimnetError> {
        let side =
            crate::chain::kv::side_store().map_err(|e| SimnetError::Internal(e.to_string()))?;
        let mut sim = Simnet {
            blocks: BlockList::new(config.epoch),
            kv: KvState::default(),
            side,
            tracker: None,
            open_block_cost: ExecutionCost::zero(),
            functions: im::HashMap::new(),
            config,
        };
        sim.genesis()?;
        Ok(sim)
    }

    /// The chain id the VM answers for `chain-id` (testnet's unless the chain is mainnet).
    pub fn chain_id(&self) -> u32 {
        if self.config.mainnet {
            CHAIN_ID_MAINNET
        } else {
            CHAIN_ID_TESTNET
        }
    }

    fn genesis(&mut self) -> Result<(), SimnetError> {
        let epoch = self.config.epoch;
        self.with_db(|db| {
            db.begin();
            db.set_clarity_epoch_version(epoch)?;
            db.commit()
        })
        .map_err(|e| SimnetError::Internal(format!("genesis: {e:?}")))?;

        let boot_addr = boot_code_id("costs-3", self.config.mainnet).issuer;
        for (name, source) in crate::boot::boot_contracts() {
            self.deploy_with(&boot_addr, name, &source, ClarityVersion::Clarity2, None)
                .map_err(|e| SimnetError::Internal(format!("boot contract {name}: {e}")))?;
        }

        let balances = self.config.balances.clone();
        self.with_db(|db| {
            db.begin();
            for (principal, amount) in &balances {
                let mut snapshot = db.get_stx_balance_snapshot_genesis(principal)?;
                snapshot.credit(*amount)?;
                snapshot.save()?;
                db.increment_ustx_liquid_supply(*amount)?;
            }
            db.commit()
        })
        .map_err(|e| SimnetError::Internal(format!("genesis balances: {e:?}")))?;
        self.seal_block();

        if self.config.track_costs {
            let (mainnet, chain_id) = (self.config.mainnet, self.chain_id());
            let tracker = self
                .with_db(|db| LimitedCostTracker::new(mainnet, chain_id, BLOCK_LIMIT, db, epoch))
                .map_err(|e| SimnetError::Internal(format!("loading cost functions: {e:?}")))?;
            self.tracker = Some(tracker);
        }
        Ok(())
    }

    /// Runs `f` on a database over the chain state.
    fn with_db<R>(&mut self, f: impl FnOnce(&mut ClarityDatabase) -> R) -> R {
        let mut view = StoreView::new(&mut self.kv, &self.blocks, &self.side);
        let mut db = ClarityDatabase::new(&mut view, &self.blocks, &self.blocks);
        f(&mut db)
    }

    /// Runs `f` on a database over the chain state inside a transaction that is rolled
    /// back: for reads, which the VM only allows within a transaction.
    fn read_db<R>(&mut self, f: impl FnOnce(&mut ClarityDatabase) -> R) -> R {
        self.with_db(|db| {
            db.begin();
            let out = f(db);
            let _ = db.roll_back();
            out
        })
    }

    /// Runs `f` in a VM session charging `tracker`. Returns what `f` returned, the
    /// tracker's total afterwards, and the tracker (unless it is the free one).
    fn run_vm<R>(
        &mut self,
        tracker: LimitedCostTracker,
        f: impl FnOnce(&mut OwnedEnvironment) -> R,
    ) -> (R, ExecutionCost, Option<LimitedCostTracker>) {
        let (mainnet, chain_id, epoch) = (self.config.mainnet, self.chain_id(), self.config.epoch);
        let mut view = StoreView::new(&mut self.kv, &self.blocks, &self.side);
        let db = ClarityDatabase::new(&mut view, &self.blocks, &self.blocks);
        let mut env = OwnedEnvironment::new_cost_limited(mainnet, chain_id, db, tracker, epoch);
        let out = f(&mut env);
        let after = env.get_cost_total();
        let tracker = env
            .destruct()
            .map(|(_, t)| t)
            .filter(|t| matches!(t, LimitedCostTracker::Limited(_)));
        (out, after, tracker)
    }

    /// Takes the chain's cost tracker, set to start from `total` (the free tracker when
    /// costs are not tracked).
    fn lend_tracker(&mut self, total: &ExecutionCost) -> LimitedCostTracker {
        match self.tracker.take() {
            Some(mut t) => {
                t.set_total(total.clone());
                t
            }
            None => LimitedCostTracker::new_free(),
        }
    }

    /// Gives the cost tracker back after a session (the free tracker is dropped).
    fn restore_tracker(&mut self, tracker: Option<LimitedCostTracker>) {
        if let Some(t) = tracker.filter(|t| matches!(t, LimitedCostTracker::Limited(_))) {
            self.tracker = Some(t);
        }
    }

    /// Lends the cost tracker (starting from `total`) to a VM session running `f`, and
    /// takes it back. Returns what the session returned and what it cost.
    fn session<R>(
        &mut self,
        total: &ExecutionCost,
        f: impl FnOnce(&mut OwnedEnvironment) -> R,
    ) -> (R, Cost) {
        let tracker = self.lend_tracker(total);
        let (out, after, tracker) = self.run_vm(tracker, f);
        self.restore_tracker(tracker);
        (out, Cost::delta(total, &after))
    }

    /// Executes a transaction-like session in the open block: charges its cost to the
    /// block, and mines the block afterwards when auto-mining.
    fn transact(
        &mut self,
        function: &str,
        f: impl FnOnce(&mut OwnedEnvironment) -> Result<VmOutcome, VmError>,
    ) -> Result<Receipt, SimnetError> {
        let before = self.open_block_cost.clone();
        let (outcome, cost) = self.session(&before, f);
        let (result, assets, events) = outcome.map_err(|e| SimnetError::from_vm(e, function))?;
        let mut total = before;
        total
            .add(&ExecutionCost::from(cost))
            .map_err(|e| SimnetError::Internal(format!("{e:?}")))?;
        self.open_block_cost = total;
        let committed = !matches!(&result, Value::Response(r) if !r.committed);
        let receipt = Receipt {
            committed,
            events: events.iter().map(Event::from_vm).collect(),
            assets: asset_flows(assets),
            cost,
            block_height: self.block_height(),
            result,
        };
        if self.config.auto_mine {
            self.mine_block();
        }
        Ok(receipt)
    }

    // ----- blocks -------------------------------------------------------------------

    /// Height of the block being built (the value of `block-height` in a call now).
    pub fn block_height(&self) -> u32 {
        self.blocks.len()
    }

    /// Burn height the open block will be mined in.
    pub fn burn_block_height(&self) -> u32 {
        self.config.genesis_burn_height + self.blocks.len()
    }

    /// The header of a mined block.
    pub fn block(&self, height: u32) -> Option<&BlockHeader> {
        self.blocks.get(height)
    }

    /// The newest mined block.
    pub fn tip(&self) -> &BlockHeader {
        // Genesis is mined in `new`, so the list is never empty.
        self.blocks
            .tip()
            .unwrap_or_else(|| unreachable!("genesis is always mined"))
    }

    fn seal_block(&mut self) {
        let height = self.blocks.len();
        let header = BlockHeader::new(
            height,
            self.config.genesis_burn_height + height,
            self.config.genesis_time + u64::from(height) * self.config.block_time_secs,
            simnet_miner(self.config.mainnet),
            self.blocks.branch(),
        );
        self.kv.seal_block();
        self.blocks.push(header);
        self.open_block_cost = ExecutionCost::zero();
    }

    /// Mines the open block (with whatever transactions it holds) and opens the next.
    pub fn mine_block(&mut self) -> &BlockHeader {
        self.seal_block();
        self.tip()
    }

    /// Mines `n` empty blocks (the open block first, if it holds transactions).
    pub fn mine_empty_blocks(&mut self, n: u32) -> u32 {
        for _ in 0..n {
            self.seal_block();
        }
        self.block_height()
    }

    /// What the open block's transactions have spent of the block limit.
    pub fn open_block_cost(&self) -> Cost {
        Cost::from(&self.open_block_cost)
    }

    // ----- snapshots ----------------------------------------------------------------

    /// Captures the whole chain state. O(1): the maps share structure.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            kv: self.kv.clone(),
            blocks: self.blocks.clone(),
            open_block_cost: self.open_block_cost.clone(),
            functions: self.functions.clone(),
        }
    }

    /// Mines the blocks from now on on `branch`: after a chain is returned to an earlier
    /// state for good (a devnet revert), the blocks mined in place of the orphaned ones get
    /// new ids, as a real fork's do. Speculative reverts (a dry run) keep the branch.
    pub fn set_branch(&mut self, branch: u32) {
        self.blocks.set_branch(branch);
    }

    /// Returns the chain to a captured state: data, balances, contracts, blocks.
    pub fn revert(&mut self, snapshot: &Snapshot) {
        self.kv = snapshot.kv.clone();
        self.blocks = snapshot.blocks.clone();
        self.open_block_cost = snapshot.open_block_cost.clone();
        self.functions = snapshot.functions.clone();
    }

    // ----- contracts ----------------------------------------------------------------

    /// Deploys a Clarity 2 contract as `deployer`. The source is parsed and analysed
    /// (type checker, trait checks) first; a failure names the contract, line and column,
    /// and nothing is stored.
    pub fn deploy_contract(
        &mut self,
        deployer: &StandardPrincipalData,
        name: &str,
        source: &str,
    ) -> Result<Deployed, SimnetError> {
        self.deploy_versioned(deployer, name, source, ClarityVersion::Clarity2)
    }

    /// Deploys a contract in the given Clarity version.
    pub fn deploy_versioned(
        &mut self,
        deployer: &StandardPrincipalData,
        name: &str,
        source: &str,
        version: ClarityVersion,
    ) -> Result<Deployed, SimnetError> {
        let before = self.open_block_cost.clone();
        let (contract, receipt) =
            self.deploy_with(deployer, name, source, version, Some(&before))?;
        if self.config.auto_mine {
            self.mine_block();
        }
        Ok(Deployed { contract, receipt })
    }

    /// Deploys every contract of a Clarinet project, dependencies first, as `deployer`.
    pub fn deploy_project(
        &mut self,
        manifest: &Manifest,
        deployer: &StandardPrincipalData,
    ) -> Result<Vec<Deployed>, SimnetError> {
        use std::collections::{BTreeMap, BTreeSet};
        let names: Vec<String> = manifest.contracts.iter().map(|c| c.name.clone()).collect();
        let mut deps = BTreeMap::new();
        for c in &manifest.contracts {
            let id = self.contract_id(deployer, &c.name)?;
            let ast = deploy::parse_free(&id, &c.source, c.clarity_version, self.config.epoch)
                .map_err(|e| with_path(e, &c.path))?;
            let refs: BTreeSet<String> = deploy::referenced_contracts(&ast.expressions)
                .into_iter()
                .filter(|r| &r.issuer == deployer && names.contains(&r.name.to_string()))
                .map(|r| r.name.to_string())
                .filter(|n| n != &c.name)
                .collect();
            deps.insert(c.name.clone(), refs);
        }
        let order =
            deploy::dependency_order(&names, &deps).map_err(|cycle| SimnetError::Manifest {
                path: manifest.root.join("Clarinet.toml").display().to_string(),
                message: format!(
                    "contracts refer to each other in a cycle: {}",
                    cycle.join(", ")
                ),
            })?;
        let mut deployed = Vec::with_capacity(order.len());
        for name in order {
            let c = manifest
                .contracts
                .iter()
                .find(|c| c.name == name)
                .ok_or_else(|| SimnetError::Internal(format!("lost contract {name}")))?;
            let d = self
                .deploy_versioned(deployer, &c.name, &c.source, c.clarity_version)
                .map_err(|e| with_path(e, &c.path))?;
            deployed.push(d);
        }
        Ok(deployed)
    }

    fn contract_id(
        &self,
        deployer: &StandardPrincipalData,
        name: &str,
    ) -> Result<QualifiedContractIdentifier, SimnetError> {
        let contract_name = ContractName::try_from(name.to_string())
            .ok()
            .filter(|n| n.len() <= 40)
            .ok_or_else(|| SimnetError::InvalidContractName(name.to_string()))?;
        Ok(QualifiedContractIdentifier::new(
            deployer.clone(),
            contract_name,
        ))
    }

    /// Is `contract` deployed?
    pub fn has_contract(&mut self, contract: &QualifiedContractIdentifier) -> bool {
        self.read_db(|db| db.has_contract(contract))
    }

    /// Parse, analyse, initialise, then store the analysis. `block_total` is the open
    /// block's spend, or `None` for boot code, which runs free of the block budget.
    fn deploy_with(
        &mut self,
        deployer: &StandardPrincipalData,
        name: &str,
        source: &str,
        version: ClarityVersion,
        block_total: Option<&ExecutionCost>,
    ) -> Result<(QualifiedContractIdentifier, Receipt), SimnetError> {
        let id = self.contract_id(deployer, name)?;
        if self.has_contract(&id) {
            return Err(SimnetError::ContractExists(id.to_string()));
        }
        let epoch = self.config.epoch;
        let (mut tracker, charged_from) = match block_total {
            Some(total) if self.tracker.is_some() => {
                (self.lend_tracker(total), Some(total.clone()))
            }
            _ => (LimitedCostTracker::new_free(), None),
        };

        let parsed = build_ast_with_rules(
            &id,
            source,
            &mut tracker,
            version,
            epoch,
            ASTRules::PrecheckSize,
        );
        let mut ast = match parsed {
            Ok(ast) => ast,
            Err(e) => {
                self.restore_tracker(Some(tracker));
                return Err(deploy::analysis_error(name, &e.diagnostic));
            }
        };
        let analysis = {
            let mut view = StoreView::new(&mut self.kv, &self.blocks, &self.side);
            let mut adb = AnalysisDatabase::new(&mut view);
            run_analysis(
                &id,
                &ast.expressions,
                &mut adb,
                false,
                tracker,
                epoch,
                version,
            )
        };
        let mut analysis: ContractAnalysis = match analysis {
            Ok(a) => a,
            Err((e, tracker)) => {
                self.restore_tracker(Some(tracker));
                return Err(deploy::analysis_error(name, &e.diagnostic));
            }
        };
        let tracker = analysis.take_contract_cost_tracker();
        let (outcome, after, tracker) = self.run_vm(tracker, |env| {
            env.initialize_contract_from_ast(id.clone(), version, &mut ast, &analysis, source, None)
        });
        self.restore_tracker(tracker);
        let ((), assets, events) = outcome.map_err(|e| match SimnetError::from_vm(e, name) {
            SimnetError::Runtime(m) => SimnetError::Analysis {
                contract: name.to_string(),
                line: 0,
                column: 0,
                message: format!("contract initialisation failed: {m}"),
            },
            other => other,
        })?;
        {
            let mut view = StoreView::new(&mut self.kv, &self.blocks, &self.side);
            let mut adb = AnalysisDatabase::new(&mut view);
            adb.begin();
            adb.insert_contract(&id, &analysis)
                .and_then(|()| adb.commit())
                .map_err(|e| SimnetError::Internal(format!("storing analysis of {id}: {e:?}")))?;
        }
        self.functions
            .insert(id.clone(), FunctionTable::of(&analysis, &self.config.epoch));
        let cost = match charged_from {
            Some(before) => {
                self.open_block_cost = after.clone();
                Cost::delta(&before, &after)
            }
            None => Cost::default(),
        };
        let receipt = Receipt {
            committed: true,
            events: events.iter().map(Event::from_vm).collect(),
            assets: asset_flows(assets),
            cost,
            block_height: self.block_height(),
            result: Value::okay_true(),
        };
        Ok((id, receipt))
    }

    /// The contract's analysis (types, ABI) as stored at deployment.
    pub fn contract_analysis(
        &mut self,
        contract: &QualifiedContractIdentifier,
    ) -> Option<ContractAnalysis> {
        let mut view = StoreView::new(&mut self.kv, &self.blocks, &self.side);
        let mut adb = AnalysisDatabase::new(&mut view);
        adb.begin();
        let analysis = adb
            .load_contract(contract, &self.config.epoch)
            .ok()
            .flatten();
        let _ = adb.roll_back();
        analysis
    }

    /// The public functions' signatures of a deployed contract (what
    /// [`Simnet::contract_analysis`] holds of them, without deserialising the analysis).
    pub fn public_signatures(
        &self,
        contract: &QualifiedContractIdentifier,
    ) -> Option<std::sync::Arc<PublicSignatures>> {
        self.functions.get(contract).map(|t| t.signatures.clone())
    }

    /// The contract's source, as deployed.
    pub fn contract_source(&mut self, contract: &QualifiedContractIdentifier) -> Option<String> {
        self.read_db(|db| db.get_contract_src(contract))
    }

    /// Memory the contract's `define-constant` values use, which the VM adds to the
    /// source length when it charges for loading the contract (`cost_load_contract`).
    pub fn contract_data_size(&mut self, contract: &QualifiedContractIdentifier) -> Option<u64> {
        self.read_db(|db| {
            let charged = db.get_contract_size(contract).ok()?;
            let source = db.get_contract_src(contract)?;
            charged.checked_sub(u64::try_from(source.len()).ok()?)
        })
    }

    /// Replaces the constants' memory the VM adds to the contract's load cost. Only for
    /// comparing with tools that charge for the source alone (Clarinet 3.21 does): a
    /// node counts the constants, so anything else here makes costs differ from chain.
    pub fn set_contract_data_size(
        &mut self,
        contract: &QualifiedContractIdentifier,
        size: u64,
    ) -> Result<(), SimnetError> {
        // The VM writes this entry once, at deployment, and refuses to replace it through
        // its own database; the backing store is written directly.
        use clarity::vm::database::{ClarityBackingStore, ClaritySerializable, StoreType};
        let key = ClarityDatabase::make_metadata_key(StoreType::Contract, "contract-data-size");
        let mut view = StoreView::new(&mut self.kv, &self.blocks, &self.side);
        view.insert_metadata(contract, &key, &size.serialize())
            .map_err(|e| SimnetError::Internal(format!("contract data size of {contract}: {e:?}")))
    }

    // ----- calls --------------------------------------------------------------------

    /// Calls a public function as `sender` in the open block. A function that returns
    /// `err` yields a receipt with `committed: false`: its writes and events are rolled
    /// back, as on chain.
    pub fn call_public(
        &mut self,
        sender: &PrincipalData,
        contract: &QualifiedContractIdentifier,
        function: &str,
        args: &[Value],
    ) -> Result<Receipt, SimnetError> {
        self.call_public_with(sender, None, contract, function, args)
    }

    /// Calls a public function with a sponsor (`tx-sponsor?` answers it).
    pub fn call_public_sponsored(
        &mut self,
        sender: &PrincipalData,
        sponsor: &PrincipalData,
        contract: &QualifiedContractIdentifier,
        function: &str,
        args: &[Value],
    ) -> Result<Receipt, SimnetError> {
        self.call_public_with(sender, Some(sponsor), contract, function, args)
    }

    fn call_public_with(
        &mut self,
        sender: &PrincipalData,
        sponsor: Option<&PrincipalData>,
        contract: &QualifiedContractIdentifier,
        function: &str,
        args: &[Value],
    ) -> Result<Receipt, SimnetError> {
        self.require_function(contract, function, FunctionKind::Public)?;
        let args = as_expressions(args);
        let contract = contract.clone();
        let (sender, sponsor) = (sender.clone(), sponsor.cloned());
        self.transact(function, |env| {
            env.execute_transaction(sender, sponsor, contract, function, &args)
        })
    }

    /// Calls a private function as `sender`, for tests. It writes like a public call: an
    /// `err` response rolls back, any other result commits.
    pub fn call_private(
        &mut self,
        sender: &PrincipalData,
        contract: &QualifiedContractIdentifier,
        function: &str,
        args: &[Value],
    ) -> Result<Receipt, SimnetError> {
        self.require_function(contract, function, FunctionKind::Private)?;
        let contract = contract.clone();
        let sender = sender.clone();
        let args = args.to_vec();
        self.transact(function, |env| {
            env.execute_in_env(sender.clone(), None, None, |env| {
                let stored = env.global_context.database.get_contract(&contract)?;
                let func = stored
                    .contract_context
                    .lookup_function(function)
                    .ok_or_else(|| {
                        clarity::vm::analysis::CheckErrors::UndefinedFunction(function.to_string())
                    })?;
                env.global_context.begin();
                let result = {
                    let mut nested = clarity::vm::contexts::Environment::new(
                        env.global_context,
                        &stored.contract_context,
                        env.call_stack,
                        Some(sender.clone()),
                        Some(sender.clone()),
                        None,
                    );
                    func.execute_apply(&args, &mut nested)
                };
                match result {
                    Ok(v @ Value::Response(_)) if !is_ok_response(&v) => {
                        env.global_context.roll_back()?;
                        Ok(v)
                    }
                    Ok(v) => {
                        env.global_context.commit()?;
                        Ok(v)
                    }
                    Err(e) => {
                        env.global_context.roll_back()?;
                        Err(e)
                    }
                }
            })
        })
    }

    /// Calls a read-only function as `sender`. Nothing is written and no block is used;
    /// the cost is measured against a fresh budget.
    pub fn call_read_only(
        &mut self,
        sender: &PrincipalData,
        contract: &QualifiedContractIdentifier,
        function: &str,
        args: &[Value],
    ) -> Result<ReadOnlyResult, SimnetError> {
        self.require_function(contract, function, FunctionKind::ReadOnly)?;
        let args = as_expressions(args);
        let (contract, sender) = (contract.clone(), sender.clone());
        let (outcome, cost) = self.session(&ExecutionCost::zero(), |env| {
            env.execute_in_env(sender, None, None, |env| {
                env.execute_contract(&contract, function, &args, true)
            })
        });
        let (result, _, _) = outcome.map_err(|e| SimnetError::from_vm(e, function))?;
        Ok(ReadOnlyResult { result, cost })
    }

    /// Evaluates a read-only Clarity expression in a contract's context, e.g.
    /// `(map-get? patients tx-sender)` or `(var-get counter)`.
    pub fn eval_read_only(
        &mut self,
        contract: &QualifiedContractIdentifier,
        code: &str,
    ) -> Result<Value, SimnetError> {
        let contract = contract.clone();
        let (outcome, _) = self.session(&ExecutionCost::zero(), |env| {
            env.eval_read_only_with_rules(&contract, code, ASTRules::PrecheckSize)
        });
        outcome
            .map(|(v, _, _)| v)
            .map_err(|e| SimnetError::from_vm(e, "eval"))
    }

    fn require_function(
        &mut self,
        contract: &QualifiedContractIdentifier,
        function: &str,
        kind: FunctionKind,
    ) -> Result<(), SimnetError> {
        let table = self
            .functions
            .get(contract)
            .ok_or_else(|| SimnetError::NoSuchContract(contract.to_string()))?;
        let found = match kind {
            FunctionKind::Public => table.public.contains(function),
            FunctionKind::ReadOnly => table.read_only.contains(function),
            FunctionKind::Private => table.private.contains(function),
        };
        if found {
            Ok(())
        } else {
            Err(SimnetError::NoSuchFunction {
                contract: contract.to_string(),
                function: function.to_string(),
                kind: kind.name(),
            })
        }
    }

    // ----- STX ----------------------------------------------------------------------

    /// Unlocked STX balance of `principal`, in micro-STX.
    pub fn stx_balance(&mut self, principal: &PrincipalData) -> Result<u128, SimnetError> {
        self.read_db(|db| db.get_account_stx_balance(principal))
            .map(|b| b.amount_unlocked())
            .map_err(|e| SimnetError::Internal(format!("reading balance of {principal}: {e:?}")))
    }

    /// The nonce `principal`'s next transaction must carry.
    pub fn account_nonce(&mut self, principal: &PrincipalData) -> Result<u64, SimnetError> {
        self.read_db(|db| db.get_account_nonce(principal))
            .map_err(|e| SimnetError::Internal(format!("reading nonce of {principal}: {e:?}")))
    }

    /// Settles a mined transaction as a node does, whatever its outcome: advances the
    /// nonce of each signer (origin, and sponsor when sponsored) and takes the fee from
    /// `payer`. Fees leave circulation (the simnet has no miner to pay).
    pub fn settle_transaction(
        &mut self,
        signers: &[&PrincipalData],
        payer: &PrincipalData,
        fee: u128,
    ) -> Result<(), SimnetError> {
        let settled: Result<(), VmError> = self.with_db(|db| {
            db.begin();
            let result = (|| {
                for signer in signers {
                    let nonce = db.get_account_nonce(signer)?;
                    db.set_account_nonce(signer, nonce + 1)?;
                }
                if fee > 0 {
                    let mut balance = db.get_stx_balance_snapshot(payer)?;
                    balance.debit(fee)?;
                    balance.save()?;
                    db.decrement_ustx_liquid_supply(fee)?;
                }
                Ok(())
            })();
            match result {
                Ok(()) => db.commit(),
                Err(e) => {
                    let _ = db.roll_back();
                    Err(e)
                }
            }
        });
        settled.map_err(|e| SimnetError::Internal(format!("settling a transaction: {e:?}")))
    }

    /// The value of a data var, as `/v2/data_var` answers it.
    pub fn data_var(
        &mut self,
        contract: &QualifiedContractIdentifier,
        name: &str,
    ) -> Result<Value, SimnetError> {
        let epoch = self.config.epoch;
        self.read_db(|db| db.lookup_variable_unknown_descriptor(contract, name, &epoch))
            .map_err(|e| SimnetError::from_vm(e, name))
    }

    /// The entry of a map at `key` (`(some value)` or `none`), as `/v2/map_entry` answers.
    pub fn map_entry(
        &mut self,
        contract: &QualifiedContractIdentifier,
        map: &str,
        key: &Value,
    ) -> Result<Value, SimnetError> {
        let epoch = self.config.epoch;
        self.read_db(|db| db.fetch_entry_unknown_descriptor(contract, map, key, &epoch))
            .map_err(|e| SimnetError::from_vm(e, map))
    }

    /// Transfers micro-STX from `sender` to `recipient` (an STX-transfer transaction).
    pub fn transfer_stx(
        &mut self,
        sender: &PrincipalData,
        recipient: &PrincipalData,
        amount: u128,
        memo: &[u8],
    ) -> Result<Receipt, SimnetError> {
        let balance = self.stx_balance(sender)?;
        if balance < amount {
            return Err(SimnetError::InsufficientBalance {
                principal: sender.to_string(),
                balance,
                needed: amount,
            });
        }
        let memo = BuffData {
            data: memo.to_vec(),
        };
        let (sender, recipient) = (sender.clone(), recipient.clone());
        self.transact("stx-transfer", |env| {
            env.stx_transfer(&sender, &recipient, amount, &memo)
        })
    }
}

#[derive(Clone, Copy)]
enum FunctionKind {
    Public,
    ReadOnly,
    Private,
}

impl FunctionKind {
    fn name(self) -> &'static str {
        match self {
            FunctionKind::Public => "public",
            FunctionKind::ReadOnly => "read-only",
            FunctionKind::Private => "private",
        }
    }
}

fn is_ok_response(v: &Value) -> bool {
    matches!(v, Value::Response(r) if r.committed)
}

fn as_expressions(args: &[Value]) -> Vec<SymbolicExpression> {
    args.iter()
        .cloned()
        .map(SymbolicExpression::atom_value)
        .collect()
}

fn with_path(err: SimnetError, path: &std::path::Path) -> SimnetError {
    match err {
        SimnetError::Analysis {
            line,
            column,
            message,
            ..
        } => SimnetError::Analysis {
            contract: path.display().to_string(),
            line,
            column,
            message,
        },
        other => other,
    }
}
