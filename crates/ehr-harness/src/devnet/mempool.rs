//! The pending transactions, by origin and nonce: a future nonce waits here until the
//! ones before it are mined. Persistent maps, so a node snapshot copies it in O(1).
//! Keyed by the principal itself, not its address text: spelling a principal out runs
//! two SHA-256 for the checksum, and the mempool is consulted several times for every
//! transaction on the chain thread.

use clarity::vm::types::PrincipalData;

/// A transaction id.
pub(crate) type TxKey = [u8; 32];

/// Pending transactions by origin principal, then origin nonce.
#[derive(Debug, Clone, Default)]
pub(crate) struct Mempool {
    by_origin: im::HashMap<PrincipalData, im::OrdMap<u64, TxKey>>,
    len: usize,
}

impl Mempool {
    /// The pending transaction of `origin` with `nonce`.
    pub fn get(&self, origin: &PrincipalData, nonce: u64) -> Option<TxKey> {
        self.by_origin.get(origin)?.get(&nonce).copied()
    }

    /// Adds a transaction; the slot must be free.
    pub fn insert(&mut self, origin: &PrincipalData, nonce: u64, txid: TxKey) {
        let mut queue = self.by_origin.get(origin).cloned().unwrap_or_default();
        if queue.insert(nonce, txid).is_none() {
            self.len += 1;
        }
        self.by_origin.insert(origin.clone(), queue);
    }

    /// Removes the transaction of `origin` with `nonce`, if pending.
    pub fn remove(&mut self, origin: &PrincipalData, nonce: u64) {
        let Some(mut queue) = self.by_origin.get(origin).cloned() else {
            return;
        };
        if queue.remove(&nonce).is_some() {
            self.len -= 1;
        }
        if queue.is_empty() {
            self.by_origin.remove(origin);
        } else {
            self.by_origin.insert(origin.clone(), queue);
        }
    }

    /// The lowest-nonce pending transaction of every origin: the only ones that can be
    /// next in a block.
    pub fn heads(&self) -> impl Iterator<Item = TxKey> + '_ {
        self.by_origin
            .values()
            .filter_map(|queue| queue.get_min().map(|(_, txid)| *txid))
    }

    /// The lowest-nonce pending transaction of `origin`.
    pub fn head_of(&self, origin: &PrincipalData) -> Option<TxKey> {
        self.by_origin.get(origin)?.get_min().map(|(_, txid)| *txid)
    }

    /// The pending nonces of `origin`, ascending.
    pub fn nonces(&self, origin: &PrincipalData) -> Vec<u64> {
        self.by_origin
            .get(origin)
            .map(|queue| queue.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Every pending transaction.
    pub fn txids(&self) -> impl Iterator<Item = TxKey> + '_ {
        self.by_origin
            .values()
            .flat_map(|queue| queue.values().copied())
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
