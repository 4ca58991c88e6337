//! `GET /extended/v2/blocks/{height}`: when a block was mined. A bare stacks-node in epoch
//! 2.x cannot tell (its block headers carry no time); the Hiro API, the devnet and
//! `ehr index` (from each `/new_block` it was sent) can.

use serde::Deserialize;

use super::{NodeClient, NodeError};

#[derive(Deserialize)]
struct BlockTime {
    burn_block_time: Option<u64>,
}

impl NodeClient {
    /// The Unix time of block `height`'s burn block (what Clarity's `get-block-info? time`
    /// gives), from the API the client was given; `None` when the API has no such block,
    /// no time for it, or no such route (a bare node).
    pub async fn block_time(&self, height: u64) -> Result<Option<u64>, NodeError> {
        let url = self
            .api
            .endpoint(&["extended", "v2", "blocks", &height.to_string()]);
        match self.get::<BlockTime>(url, "the block").await {
            Ok(block) => Ok(block.burn_block_time),
            Err(NodeError::NotFound { .. } | NodeError::NoSuchEndpoint { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }
}
