//! `GET /v2/info`: the node's view of the chain.

use serde::Deserialize;

/// What a node reports about itself and its chain tip (`GET /v2/info`). Hashes are hex
/// without `0x`, as the node writes them. Fields that older nodes do not send are optional.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NodeInfo {
    /// Peer protocol version; the low byte is the highest epoch the node knows.
    pub peer_version: u32,
    /// Consensus hash of the burnchain tip.
    pub pox_consensus: String,
    /// Burnchain (Bitcoin) height.
    pub burn_block_height: u64,
    /// Consensus hash of the stable (confirmed) burnchain block.
    pub stable_pox_consensus: String,
    /// Height of the stable burnchain block.
    pub stable_burn_block_height: u64,
    /// The node's software version.
    pub server_version: String,
    /// The chain id transactions must carry: 1 on mainnet, 0x80000000 on testnet and devnets.
    pub network_id: u32,
    /// The burnchain's network magic (Bitcoin mainnet, testnet or regtest).
    pub parent_network_id: u32,
    /// Height of the Stacks chain tip: the `block-height` a new transaction sees, minus one.
    pub stacks_tip_height: u64,
    /// Block hash of the Stacks chain tip.
    pub stacks_tip: String,
    /// Consensus hash of the Stacks chain tip.
    pub stacks_tip_consensus_hash: String,
    /// Hash of the genesis chainstate: tells networks apart.
    pub genesis_chainstate_hash: String,
    /// Tip of the unconfirmed microblock stream, if any.
    #[serde(default)]
    pub unanchored_tip: Option<String>,
    /// Sequence number of that microblock.
    #[serde(default)]
    pub unanchored_seq: Option<u16>,
    /// Number of tenures (Nakamoto nodes).
    #[serde(default)]
    pub tenure_height: Option<u64>,
    /// Height at which the node is set to stop, if any.
    #[serde(default)]
    pub exit_at_block_height: Option<u64>,
    /// Whether the node has caught up with its peers (newer nodes).
    #[serde(default)]
    pub is_fully_synced: Option<bool>,
    /// The node's public key (hex, compressed), when it reports one.
    #[serde(default)]
    pub node_public_key: Option<String>,
    /// hash160 of that key.
    #[serde(default)]
    pub node_public_key_hash: Option<String>,
}
