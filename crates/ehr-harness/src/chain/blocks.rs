//! Block history of the embedded chain, and the answers the Clarity VM asks of it.
//!
//! The VM looks blocks up through two traits: [`HeadersDB`] (Stacks block facts:
//! header hash, time, VRF seed, miner) and [`BurnStateDB`] (burnchain facts and the epoch
//! in force). Both are answered here from one list of [`BlockHeader`]s, so
//! `get-block-info?`, `block-height`, `burn-block-height` and `at-block` all agree.
//!
//! Every Stacks block has its own burn block (the epoch 2.x rhythm), and block ids encode
//! their height in their first four bytes, so an id resolves to its header without an
//! index.

use clarity::vm::ast::ASTRules;
use clarity::vm::costs::ExecutionCost;
use clarity::vm::database::{BurnStateDB, HeadersDB};
use clarity::vm::types::{PrincipalData, StandardPrincipalData, TupleData};
use stacks_common::types::chainstate::{
    BlockHeaderHash, BurnchainHeaderHash, ConsensusHash, SortitionId, StacksAddress, StacksBlockId,
    VRFSeed,
};
use stacks_common::types::{StacksEpoch, StacksEpochId};
use stacks_common::util::hash::Sha512Trunc256Sum;

use crate::limits::BLOCK_LIMIT;

/// Seconds between blocks unless configured otherwise (the burnchain's ten minutes).
pub const DEFAULT_BLOCK_TIME_SECS: u64 = 600;

/// One mined (or genesis) block: everything Clarity can ask about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockHeader {
    /// Stacks block height; genesis is 0.
    pub height: u32,
    /// Index block hash, the id `at-block` and `id-header-hash` use.
    pub id: StacksBlockId,
    /// Stacks header hash (`header-hash`).
    pub header_hash: BlockHeaderHash,
    /// Height of the burn block this block was mined in.
    pub burn_height: u32,
    /// Hash of that burn block (`burnchain-header-hash`).
    pub burn_header_hash: BurnchainHeaderHash,
    /// Consensus hash of the sortition that chose this block.
    pub consensus_hash: ConsensusHash,
    /// Unix time of the burn block (`time`).
    pub time: u64,
    /// VRF seed (`vrf-seed`).
    pub vrf_seed: VRFSeed,
    /// Miner address (`miner-address`).
    pub miner: StacksAddress,
    /// Which branch of the history it is on: 0 until a revert, then each revert starts a
    /// new one, so a block mined after a revert has a new id at a height an orphaned
    /// block held (as a real fork's blocks have).
    pub branch: u32,
}

impl BlockHeader {
    /// Builds the header of block `height` on `branch`, with hashes derived
    /// deterministically from the height and branch (and a domain tag per hash kind), so
    /// two simnets with the same history agree.
    pub fn new(
        height: u32,
        burn_height: u32,
        time: u64,
        miner: StacksAddress,
        branch: u32,
    ) -> Self {
        BlockHeader {
            height,
            id: StacksBlockId(tagged_hash(b"ehr/block-id", height, branch)),
            header_hash: BlockHeaderHash(tagged_hash(b"ehr/header-hash", height, branch)),
            burn_height,
            burn_header_hash: BurnchainHeaderHash(tagged_hash(b"ehr/burn-hash", burn_height, 0)),
            consensus_hash: ConsensusHash(prefix20(tagged_hash(b"ehr/consensus", height, branch))),
            time,
            vrf_seed: VRFSeed(tagged_hash(b"ehr/vrf-seed", height, branch)),
            miner,
            branch,
        }
    }

    fn sortition_id(&self) -> SortitionId {
        SortitionId(tagged_hash(b"ehr/sortition", self.height, self.branch))
    }
}

/// A 32-byte hash whose first four bytes are `height` (big-endian) and whose rest is
/// SHA-512/256 of the tag and height: unique per kind and height, and reversible to the
/// height.
fn tagged_hash(tag: &[u8], height: u32, branch: u32) -> [u8; 32] {
    let mut input = tag.to_vec();
    input.extend_from_slice(&height.to_be_bytes());
    // Branch 0 hashes as before branches existed: histories without a revert keep their ids.
    if branch > 0 {
        input.extend_from_slice(&branch.to_be_bytes());
    }
    let mut out = Sha512Trunc256Sum::from_data(&input).0;
    out[..4].copy_from_slice(&height.to_be_bytes());
    out
}

fn prefix20(bytes: [u8; 32]) -> [u8; 20] {
    let mut out = [0u8; 20];
    out.copy_from_slice(&bytes[..20]);
    out
}

fn height_of(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// The chain's mined blocks, indexed by height. Cheap to clone (structural sharing), which
/// is what makes whole-chain snapshots cheap.
#[derive(Debug, Clone)]
pub struct BlockList {
    headers: im::Vector<BlockHeader>,
    epoch: StacksEpochId,
    /// The branch blocks mined from now on are on (see [`BlockHeader::branch`]).
    branch: u32,
}

impl BlockList {
    /// An empty history in `epoch`.
    pub fn new(epoch: StacksEpochId) -> Self {
        BlockList {
            headers: im::Vector::new(),
            epoch,
            branch: 0,
        }
    }

    /// The branch blocks mined from now on are on.
    pub fn branch(&self) -> u32 {
        self.branch
    }

    /// Mines later blocks on `branch` (after a revert).
    pub fn set_branch(&mut self, branch: u32) {
        self.branch = branch;
    }

    /// Appends a mined block. Its height must be the next one.
    pub fn push(&mut self, header: BlockHeader) {
        debug_assert_eq!(header.height as usize, self.headers.len());
        self.headers.push_back(header);
    }

    /// Number of mined blocks, which is also the height of the block being built.
    pub fn len(&self) -> u32 {
        self.headers.len() as u32
    }

    /// True before genesis is mined.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    /// The header at `height`, if that block is mined.
    pub fn get(&self, height: u32) -> Option<&BlockHeader> {
        self.headers.get(height as usize)
    }

    /// The newest mined block.
    pub fn tip(&self) -> Option<&BlockHeader> {
        self.headers.last()
    }

    /// The header whose id is `id`.
    pub fn by_id(&self, id: &StacksBlockId) -> Option<&BlockHeader> {
        self.get(height_of(&id.0)).filter(|h| &h.id == id)
    }

    fn by_consensus_hash(&self, ch: &ConsensusHash) -> Option<&BlockHeader> {
        self.get(height_of(&ch.0))
            .filter(|h| &h.consensus_hash == ch)
    }

    fn by_sortition(&self, id: &SortitionId) -> Option<&BlockHeader> {
        self.get(height_of(&id.0))
            .filter(|h| &h.sortition_id() == id)
    }

    fn epoch_id(&self) -> StacksEpochId {
        self.epoch
    }

    fn epoch(&self) -> StacksEpoch<ExecutionCost> {
        StacksEpoch {
            epoch_id: self.epoch_id(),
            start_height: 0,
            end_height: u64::MAX,
            block_limit: BLOCK_LIMIT,
            network_epoch: network_epoch(self.epoch_id()),
        }
    }
}

/// The peer network epoch byte stacks-node uses for each Clarity epoch.
fn network_epoch(epoch: StacksEpochId) -> u8 {
    match epoch {
        StacksEpochId::Epoch10 => 0x00,
        StacksEpochId::Epoch20 => 0x00,
        StacksEpochId::Epoch2_05 => 0x05,
        StacksEpochId::Epoch21 => 0x06,
        StacksEpochId::Epoch22 => 0x07,
        StacksEpochId::Epoch23 => 0x08,
        StacksEpochId::Epoch24 => 0x09,
        StacksEpochId::Epoch25 => 0x0a,
        StacksEpochId::Epoch30 => 0x0b,
    }
}

impl HeadersDB for BlockList {
    fn get_stacks_block_header_hash_for_block(
        &self,
        id: &StacksBlockId,
    ) -> Option<BlockHeaderHash> {
        self.by_id(id).map(|h| h.header_hash)
    }

    fn get_burn_header_hash_for_block(&self, id: &StacksBlockId) -> Option<BurnchainHeaderHash> {
        self.by_id(id).map(|h| h.burn_header_hash)
    }

    fn get_consensus_hash_for_block(&self, id: &StacksBlockId) -> Option<ConsensusHash> {
        self.by_id(id).map(|h| h.consensus_hash)
    }

    fn get_vrf_seed_for_block(&self, id: &StacksBlockId) -> Option<VRFSeed> {
        self.by_id(id).map(|h| h.vrf_seed)
    }

    fn get_burn_block_time_for_block(&self, id: &StacksBlockId) -> Option<u64> {
        self.by_id(id).map(|h| h.time)
    }

    fn get_burn_block_height_for_block(&self, id: &StacksBlockId) -> Option<u32> {
        self.by_id(id).map(|h| h.burn_height)
    }

    fn get_miner_address(&self, id: &StacksBlockId) -> Option<StacksAddress> {
        self.by_id(id).map(|h| h.miner)
    }

    // The simnet has no burnchain economics: nothing is spent or earned.
    fn get_burnchain_tokens_spent_for_block(&self, id: &StacksBlockId) -> Option<u128> {
        self.by_id(id).map(|_| 0)
    }

    fn get_burnchain_tokens_spent_for_winning_block(&self, id: &StacksBlockId) -> Option<u128> {
        self.by_id(id).map(|_| 0)
    }

    fn get_tokens_earned_for_block(&self, id: &StacksBlockId) -> Option<u128> {
        self.by_id(id).map(|_| 0)
    }
}

impl BurnStateDB for BlockList {
    // No PoX: unlocks and activations never happen.
    fn get_v1_unlock_height(&self) -> u32 {
        u32::MAX
    }

    fn get_v2_unlock_height(&self) -> u32 {
        u32::MAX
    }

    fn get_v3_unlock_height(&self) -> u32 {
        u32::MAX
    }

    fn get_pox_3_activation_height(&self) -> u32 {
        u32::MAX
    }

    fn get_pox_4_activation_height(&self) -> u32 {
        u32::MAX
    }

    fn get_burn_block_height(&self, sortition_id: &SortitionId) -> Option<u32> {
        self.by_sortition(sortition_id).map(|h| h.burn_height)
    }

    fn get_burn_start_height(&self) -> u32 {
        self.get(0).map(|h| h.burn_height).unwrap_or(0)
    }

    fn get_pox_prepare_length(&self) -> u32 {
        50
    }

    fn get_pox_reward_cycle_length(&self) -> u32 {
        1050
    }

    fn get_pox_rejection_fraction(&self) -> u64 {
        25
    }

    fn get_burn_header_hash(
        &self,
        height: u32,
        sortition_id: &SortitionId,
    ) -> Option<BurnchainHeaderHash> {
        let tip = self.by_sortition(sortition_id)?;
        if height < self.get_burn_start_height() || height > tip.burn_height {
            return None;
        }
        let offset = height - self.get_burn_start_height();
        self.get(offset).map(|h| h.burn_header_hash)
    }

    fn get_sortition_id_from_consensus_hash(&self, ch: &ConsensusHash) -> Option<SortitionId> {
        self.by_consensus_hash(ch).map(BlockHeader::sortition_id)
    }

    fn get_stacks_epoch(&self, _height: u32) -> Option<StacksEpoch<ExecutionCost>> {
        Some(self.epoch())
    }

    fn get_stacks_epoch_by_epoch_id(
        &self,
        epoch_id: &StacksEpochId,
    ) -> Option<StacksEpoch<ExecutionCost>> {
        (*epoch_id == self.epoch_id()).then(|| self.epoch())
    }

    fn get_ast_rules(&self, _height: u32) -> ASTRules {
        ASTRules::PrecheckSize
    }

    fn get_pox_payout_addrs(
        &self,
        _height: u32,
        _sortition_id: &SortitionId,
    ) -> Option<(Vec<TupleData>, u128)> {
        None
    }
}

/// The miner address every simnet block names: the boot address, as no one mines.
pub fn simnet_miner(mainnet: bool) -> StacksAddress {
    StacksAddress::burn_address(mainnet)
}

/// Turns an address into the principal the VM uses.
pub fn principal_of(address: &StacksAddress) -> PrincipalData {
    PrincipalData::Standard(StandardPrincipalData::from(*address))
}
