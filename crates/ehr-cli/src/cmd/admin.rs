//! `ehr admin`: hand a registry's administrator role over, in two steps.
//!
//! The administrator of patient-registry enables verifiers; that of doctor-registry enables
//! credential issuers. The current administrator proposes its successor; the role moves
//! only when the successor accepts, so a typo cannot hand it to an account nobody holds.

use std::process::ExitCode;

use ehr_sdk::ehr::{calls, EhrContract};

use super::send::{execute, report};
use crate::context::Context;

/// Arguments of `ehr admin`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: AdminCommand,
}

/// The registries that have an administrator.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Registry {
    /// patient-registry (enables patient verifiers).
    Patient,
    /// doctor-registry (enables credential issuers).
    Doctor,
}

impl Registry {
    fn contract(self) -> EhrContract {
        match self {
            Registry::Patient => EhrContract::PatientRegistry,
            Registry::Doctor => EhrContract::DoctorRegistry,
        }
    }
}

#[derive(clap::Subcommand)]
enum AdminCommand {
    /// As the current administrator: name the successor (it must accept).
    ///
    /// Example: ehr admin propose --account deployer --registry doctor wallet_8
    Propose {
        /// Which registry.
        #[arg(long, value_enum)]
        registry: Registry,
        /// The successor (address or account name).
        successor: String,
    },
    /// As the proposed successor: take the administrator role over.
    ///
    /// Example: ehr admin accept --account wallet_8 --registry doctor
    Accept {
        /// Which registry.
        #[arg(long, value_enum)]
        registry: Registry,
    },
}

/// Runs `ehr admin`.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let client = ctx.client()?;
    let signer = ctx.signer()?;
    match &args.command {
        AdminCommand::Propose {
            registry,
            successor,
        } => {
            let successor = ctx.principal(successor)?;
            let contract = registry.contract();
            let mined = execute(
                ctx,
                &client,
                &signer,
                &calls::propose_admin(contract, &successor)?,
            )?;
            report(
                ctx,
                &mined,
                &format!("{successor} proposed as administrator of {contract}: it takes over when it runs `ehr admin accept`"),
                serde_json::json!({ "registry": contract.to_string(), "proposed": successor.to_string() }),
            )?;
        }
        AdminCommand::Accept { registry } => {
            let contract = registry.contract();
            let mined = execute(ctx, &client, &signer, &calls::accept_admin(contract)?)?;
            report(
                ctx,
                &mined,
                &format!("{} is now the administrator of {contract}", signer.address),
                serde_json::json!({ "registry": contract.to_string(), "admin": signer.address.to_string() }),
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
