//! When a grant or a credential ends: a block height the user gives, or a number of
//! blocks from the chain's tip.

use anyhow::bail;
use ehr_sdk::ehr::{ContractCall, EhrClient, Mined};

use super::send::{execute_derived, uint_arg, Derived};
use crate::context::{Context, Signer};

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

    /// Sends `call`, whose `expires-at` argument came from [`Expiry::at`], as
    /// [`execute_derived`] does (a rerun of the same command finishes the transaction the
    /// first run signed); returns the mined transaction and the expiry it carries, which
    /// is what the chain holds.
    pub fn execute(
        &self,
        ctx: &Context,
        client: &EhrClient,
        signer: &Signer,
        call: &ContractCall,
    ) -> anyhow::Result<(Mined, u64)> {
        let given = self.given();
        let derived = [Derived {
            arg: "expires-at",
            given: &given,
        }];
        let (mined, args) = execute_derived(ctx, client, signer, call, &derived)?;
        let expires_at = uint_arg(call, &args, "expires-at")?;
        Ok((mined, expires_at))
    }
}
