//! The key-value state of the embedded chain, and the view the Clarity VM writes through.
//!
//! Clarity stores everything (data vars, maps, balances, contract commitments) as string
//! keys and values, plus per-contract metadata (analysis, source, ABI). [`KvState`] keeps
//! them in persistent hash maps: cloning is O(1) and shares structure, so the state at the
//! end of every block is kept for `at-block`, and a snapshot of the whole chain costs a
//! few pointer copies.

use clarity::rusqlite::Connection;
use clarity::vm::database::clarity_store::{make_contract_hash_key, ContractCommitment};
use clarity::vm::database::{ClarityBackingStore, ClarityDeserializable, SqliteConnection};
use clarity::vm::errors::{InterpreterError, InterpreterResult as Result, RuntimeErrorType};
use clarity::vm::types::QualifiedContractIdentifier;
use stacks_common::types::chainstate::{BlockHeaderHash, StacksBlockId};
use stacks_common::util::hash::Sha512Trunc256Sum;

use super::blocks::BlockList;

/// Data and metadata of the chain: the open block's view plus the view at the end of
/// every mined block.
#[derive(Debug, Clone, Default)]
pub struct KvState {
    data: im::HashMap<String, String>,
    /// By contract and key; the contract is kept as an identifier, not its text, because
    /// the VM reads a contract's metadata on every call and spelling the issuer's address
    /// out costs two SHA-256.
    metadata: im::HashMap<(QualifiedContractIdentifier, String), String>,
    history: im::Vector<im::HashMap<String, String>>,
}

impl KvState {
    /// Records the current data as the final state of the block just mined (its height is
    /// the number of blocks recorded so far).
    pub fn seal_block(&mut self) {
        self.history.push_back(self.data.clone());
    }

    /// Number of keys in the open view (for diagnostics and tests).
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when nothing has been stored.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// A mutable window on [`KvState`] for one VM session: reads follow `at-block` time
/// shifts, writes always land in the open block.
pub struct StoreView<'a> {
    state: &'a mut KvState,
    blocks: &'a BlockList,
    side: &'a Connection,
    /// Height the VM is reading at when it evaluates `at-block`; `None` reads the open block.
    shifted_to: Option<u32>,
}

impl<'a> StoreView<'a> {
    /// A view over `state` whose block history is `blocks`. `side` is an unused SQLite
    /// connection the backing-store trait insists on handing out.
    pub fn new(state: &'a mut KvState, blocks: &'a BlockList, side: &'a Connection) -> Self {
        StoreView {
            state,
            blocks,
            side,
            shifted_to: None,
        }
    }

    fn open_height(&self) -> u32 {
        self.blocks.len()
    }

    /// Id of the block being built: not mined yet, so derived from its height the same way
    /// mined blocks' ids are.
    fn open_tip_id(&self) -> StacksBlockId {
        open_block_id(self.open_height(), self.blocks.branch())
    }

    fn read(&self, key: &str) -> Option<String> {
        match self.shifted_to {
            Some(h) => self
                .state
                .history
                .get(h as usize)
                .and_then(|m| m.get(key).cloned()),
            None => self.state.data.get(key).cloned(),
        }
    }
}

/// The id the open block at `height` on `branch` will carry once mined.
pub fn open_block_id(height: u32, branch: u32) -> StacksBlockId {
    super::blocks::BlockHeader::new(height, 0, 0, super::blocks::simnet_miner(false), branch).id
}

/// Opens the in-memory SQLite connection that [`ClarityBackingStore::get_side_store`]
/// must return. Nothing is stored in it.
pub fn side_store() -> std::result::Result<Connection, clarity::vm::errors::Error> {
    SqliteConnection::memory()
}

impl ClarityBackingStore for StoreView<'_> {
    fn put_all(&mut self, items: Vec<(String, String)>) -> Result<()> {
        for (k, v) in items {
            self.state.data.insert(k, v);
        }
        Ok(())
    }

    fn get(&mut self, key: &str) -> Result<Option<String>> {
        Ok(self.read(key))
    }

    fn get_with_proof(&mut self, key: &str) -> Result<Option<(String, Vec<u8>)>> {
        Ok(self.read(key).map(|v| (v, Vec::new())))
    }

    fn set_block_hash(&mut self, bhh: StacksBlockId) -> Result<StacksBlockId> {
        let previous = match self.shifted_to {
            Some(h) => self
                .blocks
                .get(h)
                .map(|b| b.id)
                .unwrap_or_else(|| self.open_tip_id()),
            None => self.open_tip_id(),
        };
        if bhh == self.open_tip_id() {
            self.shifted_to = None;
        } else if let Some(header) = self.blocks.by_id(&bhh) {
            self.shifted_to = Some(header.height);
        } else {
            return Err(RuntimeErrorType::UnknownBlockHeaderHash(BlockHeaderHash(bhh.0)).into());
        }
        Ok(previous)
    }

    fn get_block_at_height(&mut self, height: u32) -> Option<StacksBlockId> {
        if height == self.open_height() {
            Some(self.open_tip_id())
        } else {
            self.blocks.get(height).map(|h| h.id)
        }
    }

    fn get_current_block_height(&mut self) -> u32 {
        self.shifted_to.unwrap_or_else(|| self.open_height())
    }

    fn get_open_chain_tip_height(&mut self) -> u32 {
        self.open_height()
    }

    fn get_open_chain_tip(&mut self) -> StacksBlockId {
        self.open_tip_id()
    }

    fn get_side_store(&mut self) -> &Connection {
        self.side
    }

    fn get_contract_hash(
        &mut self,
        contract: &QualifiedContractIdentifier,
    ) -> Result<(StacksBlockId, Sha512Trunc256Sum)> {
        let key = make_contract_hash_key(contract);
        let commitment = self
            .read(&key)
            .map(|s| ContractCommitment::deserialize(&s))
            .ok_or_else(|| {
                InterpreterError::Expect(format!("no contract commitment for {contract}"))
            })??;
        let block = self
            .get_block_at_height(commitment.block_height)
            .ok_or_else(|| {
                InterpreterError::Expect(format!("no block at height {}", commitment.block_height))
            })?;
        Ok((block, commitment.hash))
    }

    fn insert_metadata(
        &mut self,
        contract: &QualifiedContractIdentifier,
        key: &str,
        value: &str,
    ) -> Result<()> {
        self.state
            .metadata
            .insert((contract.clone(), key.to_string()), value.to_string());
        Ok(())
    }

    fn get_metadata(
        &mut self,
        contract: &QualifiedContractIdentifier,
        key: &str,
    ) -> Result<Option<String>> {
        Ok(self
            .state
            .metadata
            .get(&(contract.clone(), key.to_string()))
            .cloned())
    }

    fn get_metadata_manual(
        &mut self,
        _at_height: u32,
        contract: &QualifiedContractIdentifier,
        key: &str,
    ) -> Result<Option<String>> {
        // Metadata (analysis, source, ABI) never changes once a contract is deployed, and a
        // contract that did not exist at `at_height` has no commitment there, which the VM
        // checks first.
        self.get_metadata(contract, key)
    }
}
