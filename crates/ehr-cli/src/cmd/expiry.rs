//! When a grant or a credential ends: a block height the user gives, or a number of
//! blocks from the chain's tip.

use anyhow::bail;
use ehr_sdk::ehr::EhrClient;

use crate::context::Context;

/// `--expires-in BLOCKS` or `--expires-at BLOCK`.
#[derive(clap::Args)]
pub struct Expiry {
    /// Blocks from now until it expires (about 144 a day).
    #[arg(
        long,
        conflicts_with = "expires_at",
        required_unless_present = "expires_at"
    )]
    expires_in: Option<u64>,
    /// The block at which it expires.
    #[arg(long)]
    expires_at: Option<u64>,
}

impl Expiry {
    /// The expiry height: given, or the tip's height plus the blocks given.
    pub fn at(&self, ctx: &Context, client: &EhrClient) -> anyhow::Result<u64> {
        match (self.expires_at, self.expires_in) {
            (Some(at), _) => Ok(at),
            (None, Some(n)) => Ok(ctx.tip_height(client)? + n),
            (None, None) => bail!("give --expires-in BLOCKS or --expires-at BLOCK"),
        }
    }

    /// What the user gave: it names the expiry in a command's identity, since a height
    /// computed from the tip differs between runs of the same command.
    pub fn given(&self) -> String {
        match (self.expires_at, self.expires_in) {
            (Some(at), _) => format!("--expires-at {at}"),
            (None, n) => format!("--expires-in {}", n.unwrap_or_default()),
        }
    }
}
