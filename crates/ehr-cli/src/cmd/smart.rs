//! `ehr smart`: register the SMART on FHIR apps and backend services `ehr serve` lets
//! connect (`$EHR_HOME/smart-clients.json`, read by the server on each request).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use ehr_web::smart::clients::{Client, Registry};

use crate::context::ehr_home;
use crate::output;

/// Arguments of `ehr smart`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: SmartCommand,
}

#[derive(clap::Subcommand)]
enum SmartCommand {
    /// Register an app a person launches (authorization code with PKCE: give its
    /// redirect URIs) or a backend service (client credentials: give its public keys
    /// and the account it acts as).
    ///
    /// Example: ehr smart add-app growth-chart --name "Growth chart" --redirect-uri https://chart.example/callback
    ///
    /// Example: ehr smart add-app hospital-sync --name "Hospital sync" --jwks keys.json --account wallet_2
    AddApp {
        /// The client id the app sends.
        client_id: String,
        /// The name shown to the person approving it.
        #[arg(long)]
        name: String,
        /// Where the authorization answer may go (exact match); repeat for several.
        #[arg(long = "redirect-uri", value_name = "URL")]
        redirect_uris: Vec<String>,
        /// A backend service's public key set (JWKS JSON: ES384 or RS384 keys).
        #[arg(long, value_name = "FILE", requires = "account")]
        jwks: Option<PathBuf>,
        /// The server account a backend service acts as.
        #[arg(long, requires = "jwks")]
        account: Option<String>,
    },
    /// List the registered apps.
    ///
    /// Example: ehr smart list-apps --json
    ListApps,
    /// Remove an app: it can no longer get tokens (tokens issued already live until
    /// they expire or are revoked in the dashboard's Connected apps).
    ///
    /// Example: ehr smart remove-app growth-chart
    RemoveApp {
        /// The client id.
        client_id: String,
    },
}

/// Where the registry is kept: `$EHR_HOME/smart-clients.json`.
pub fn registry_path() -> anyhow::Result<PathBuf> {
    Ok(ehr_home()?.join("smart-clients.json"))
}

/// Runs `ehr smart`.
pub fn run(args: &Args, json: bool) -> anyhow::Result<ExitCode> {
    let registry = Registry::new(registry_path()?);
    match &args.command {
        SmartCommand::AddApp {
            client_id,
            name,
            redirect_uris,
            jwks,
            account,
        } => {
            let jwks = match jwks {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    Some(serde_json::from_str(&text).with_context(|| {
                        format!("{} is not a JWK set ({{\"keys\": [...]}})", path.display())
                    })?)
                }
                None => None,
            };
            let client = Client {
                client_id: client_id.clone(),
                name: name.clone(),
                redirect_uris: redirect_uris.clone(),
                jwks,
                account: account.clone(),
            };
            registry.add(client.clone())?;
            if json {
                output::json(
                    &serde_json::json!({ "registered": client_id, "registry": registry.path() }),
                )?;
            } else {
                println!(
                    "registered app `{client_id}` in {}",
                    registry.path().display()
                );
            }
        }
        SmartCommand::ListApps => {
            let clients = registry.load()?;
            if json {
                output::json(&clients)?;
            } else {
                let mut table = output::Table::new(vec![
                    "client id",
                    "name",
                    "kind",
                    "redirect URIs / account",
                ]);
                for c in &clients {
                    let (kind, where_) = match &c.account {
                        Some(a) => ("backend service", a.clone()),
                        None => ("app", c.redirect_uris.join(" ")),
                    };
                    table.row(vec![
                        c.client_id.clone(),
                        c.name.clone(),
                        kind.into(),
                        where_,
                    ]);
                }
                table.print("no app is registered (ehr smart add-app registers one)");
            }
        }
        SmartCommand::RemoveApp { client_id } => {
            registry.remove(client_id)?;
            if json {
                output::json(&serde_json::json!({ "removed": client_id }))?;
            } else {
                println!("removed app `{client_id}`");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
