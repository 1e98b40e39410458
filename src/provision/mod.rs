//! `gcoauth client ...`: the provisioning commands Terraform runs from `local-exec`.

use std::process::ExitCode;

/// The `client` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum ClientCommand {
    /// Create the client and store its secret (create-time provisioner).
    Create(SpecArgs),
    /// Update the client's mutable fields in place (same id, same secret).
    Update(SpecArgs),
    /// Regenerate the secret and store it as the new current version.
    Rotate(SpecArgs),
    /// Delete the client and schedule the secret for deletion (destroy-time provisioner).
    Destroy(SpecArgs),
    /// Terraform `external` data source: reads `{"secret_name","region"}` on stdin.
    Lookup,
}

/// Where the spec comes from.
#[derive(clap::Args, Debug)]
pub struct SpecArgs {
    /// Spec file (`-` = stdin); default: the `GCOAUTH_SPEC` environment variable.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<std::path::PathBuf>,
}

/// Runs one `client` subcommand.
pub fn run(_cmd: ClientCommand) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
