//! `gcoauth client ...`: the provisioning commands Terraform runs from `local-exec`.
//!
//! Every command reads the spec, then talks to Genesys Cloud and the secret store. stdout gets
//! one JSON line of non-secret facts; diagnostics go to stderr. Exit codes: see [`crate::exit`].

mod context;
mod create;
mod desired;
mod destroy;
mod lookup;
mod owned;
mod record;
mod report;
mod rotate;
mod update;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::exit::Failure;
use crate::spec;

pub use record::{TAG_CLIENT_ID, TAG_MANAGED, TAG_MARKER, TAG_ROTATION, TAG_STATUS};
pub use report::Report;

/// The `client` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum ClientCommand {
    /// Create the client and store its secret (create-time provisioner). Converges after a
    /// failed or killed earlier run.
    Create(SpecArgs),
    /// Update the client's mutable fields in place (same id, same secret).
    Update(SpecArgs),
    /// Regenerate the secret and store it as the new current version.
    Rotate(SpecArgs),
    /// Delete the client and schedule the secret for deletion (destroy-time provisioner).
    Destroy(SpecArgs),
    /// Terraform `external` data source: reads `{"secret_name","region"}` on stdin and prints
    /// `{"client_id","secret_arn","name","state","status"}` (never the secret).
    Lookup,
}

/// Where the spec comes from.
#[derive(clap::Args, Debug)]
pub struct SpecArgs {
    /// Spec file (`-` = stdin); default: the `GCOAUTH_SPEC` environment variable.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
}

/// Runs one `client` subcommand on a fresh Tokio runtime.
pub fn run(cmd: ClientCommand) -> anyhow::Result<ExitCode> {
    // Before the runtime starts any thread: credentials are read, then removed from the env.
    let mut settings = match &cmd {
        ClientCommand::Lookup => None,
        _ => Some(context::genesys_settings()?),
    };
    let mut take_settings = move || {
        settings
            .take()
            .ok_or_else(|| anyhow::anyhow!("Genesys settings missing"))
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = runtime.block_on(async {
        match cmd {
            ClientCommand::Lookup => lookup::run().await.map(|()| None),
            ClientCommand::Destroy(args) => {
                let store = read_spec(&args)?
                    .validate_store_only()
                    .map_err(|e| Failure::usage(e.to_string()))?;
                destroy::run(context::Ctx::connect(store, take_settings()?).await?)
                    .await
                    .map(Some)
            }
            ClientCommand::Create(args) => with_spec(&args, take_settings()?, create::run)
                .await
                .map(Some),
            ClientCommand::Update(args) => with_spec(&args, take_settings()?, update::run)
                .await
                .map(Some),
            ClientCommand::Rotate(args) => with_spec(&args, take_settings()?, rotate::run)
                .await
                .map(Some),
        }
    })?;
    if let Some(report) = report {
        report.emit()?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn with_spec<F, Fut>(
    args: &SpecArgs,
    settings: context::Settings,
    f: F,
) -> anyhow::Result<Report>
where
    F: FnOnce(context::Ctx, spec::Spec) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Report>>,
{
    let spec = read_spec(args)?
        .validate()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let ctx = context::Ctx::connect(spec.store.clone(), settings).await?;
    f(ctx, spec).await
}

fn read_spec(args: &SpecArgs) -> anyhow::Result<spec::RawSpec> {
    let text = match &args.spec {
        Some(p) if p.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Failure::usage(format!("reading the spec from stdin: {e}")))?;
            s
        }
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| Failure::usage(format!("reading the spec file {}: {e}", p.display())))?,
        None => std::env::var("GCOAUTH_SPEC").map_err(|_| {
            Failure::usage("no spec: set GCOAUTH_SPEC to a JSON object or pass --spec FILE")
        })?,
    };
    Ok(spec::parse(&text).map_err(|e| Failure::usage(e.to_string()))?)
}
