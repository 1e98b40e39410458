//! `gcoauth audit`: find leaked client secrets in Terraform state, plans and plan files.

use std::process::ExitCode;

/// Arguments of `gcoauth audit`.
#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Files, directories, `s3://bucket/prefix`, or `-` for stdin.
    pub paths: Vec<String>,
}

/// Runs the audit. `Ok` carries the exit code (0 clean, 1 leak, 2 error without leak); an
/// `Err` means bad usage and exits 2.
pub fn run(_args: AuditArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
