//! `ehr serve`: the dashboard and the FHIR R4 API, for the accounts this CLI knows.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use ehr_sdk::network::Network;
use ehr_web::{AppState, Bound, Identity, ServeConfig};

use crate::context::{devnet_accounts, Context};

/// Arguments of `ehr serve`.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on. Keep the default (loopback) unless you put a TLS proxy in
    /// front: the access token travels in the clear otherwise.
    #[arg(long, default_value = "127.0.0.1:8450")]
    listen: SocketAddr,
    /// Another host name the server may be reached by (checked against `Host`); repeat.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
    /// The origin clients reach the server at through a TLS proxy
    /// (`https://ehr.clinic.example`): the SMART discovery, FHIR links and login links
    /// name it, SMART apps must give it as `aud`, its host is accepted, and cookies are
    /// `Secure` when it is https.
    #[arg(long, value_name = "URL")]
    public_url: Option<ehr_web::PublicUrl>,
    #[command(flatten)]
    store: super::record::StoreArgs,
    /// Largest sealed record kept on chain, in bytes.
    #[arg(long, default_value_t = 8192)]
    on_chain_max: usize,
}

/// The identities the server acts for: on devnet every Devnet.toml account (the
/// dashboard's account switcher); elsewhere the key given by --account, --key-file or
/// EHR_SECRET_KEY.
fn identities(ctx: &Context) -> anyhow::Result<Vec<Identity>> {
    if ctx.network() == Network::Devnet && ctx.args.account.is_none() && ctx.args.key_file.is_none()
    {
        return Ok(devnet_accounts()?
            .accounts
            .iter()
            .map(|g| {
                Identity::new(
                    g.account.name.clone(),
                    g.account.secret_key.clone(),
                    g.account.address.clone(),
                )
            })
            .collect());
    }
    let signer = ctx.signer()?;
    Ok(vec![Identity::new(
        signer.label.clone(),
        signer.key,
        signer.address,
    )])
}

/// Runs `ehr serve` until Ctrl-C.
pub fn run(ctx: &Context, args: &Args) -> anyhow::Result<ExitCode> {
    let config = ServeConfig {
        listen: args.listen,
        allowed_hosts: args.allow_hosts.clone(),
        stores: args.store.specs()?,
        store_quorum: args.store.quorum(),
        on_chain_max: args.on_chain_max,
        smart: ehr_web::smart::SmartConfig {
            clients: Some(super::smart::registry_path()?),
            ..Default::default()
        },
        public_url: args.public_url.clone(),
    };
    let state = Arc::new(AppState::new(ctx.client()?, identities(ctx)?, config)?);
    ctx.block_on(async {
        let bound = Bound::bind(state.clone()).await?;
        let url = state.login_url().context("the server has an address once bound")?;
        let fhir_base = match &args.public_url {
            Some(public) => format!("{}/fhir", public.origin()),
            None => format!("http://{}/fhir", bound.addr),
        };
        if ctx.args.json {
            println!("{}", serde_json::json!({ "url": url, "fhir_base": fhir_base, "token": state.access_token() }));
        } else {
            println!("ehr serve: dashboard and FHIR API for {} account(s) on {}", state.identities.len(), ctx.network());
            println!("  open     {url}");
            println!("  FHIR API {fhir_base}  (Authorization: Bearer {})", state.access_token());
            println!("  Ctrl-C stops it");
        }
        bound
            .serve(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
