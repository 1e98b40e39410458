//! The `gcoauth` command line: parses arguments and hands over to the library.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Genesys Cloud OAuth clients from Terraform, with the secret kept out of state; and an
/// auditor that fails CI when a secret leaks into state or plans.
#[derive(Parser)]
#[command(name = "gcoauth", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create, update, rotate, destroy or look up an OAuth client (for Terraform's local-exec).
    #[command(subcommand)]
    Client(gcoauth::provision::ClientCommand),
    /// Scan Terraform state, plan JSON, saved plans and directories for leaked secrets.
    Audit(gcoauth::audit::AuditArgs),
}

/// mimalloc: with glibc's malloc the auditor's threads waited on each other's arena locks
/// (futex sleeps), as each frees what the other allocated for every walked file. Built
/// without transparent huge pages (Cargo.toml), which cost peak RSS and page zeroing.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    gcoauth::logging::init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let (result, error_code) = match cli.command {
        Command::Client(cmd) => (gcoauth::provision::run(cmd), None),
        Command::Audit(args) => (gcoauth::audit::run(args), Some(ExitCode::from(2))),
    };
    match result {
        Ok(code) => code,
        Err(e) if gcoauth::exit::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "gcoauth: error: {e:#}");
            error_code.unwrap_or_else(|| gcoauth::exit::code_for(&e))
        }
    }
}
