//! `gcoauth-emulator`: serves the Genesys Cloud OAuth-client API emulator (or, with
//! `aws-proxy`, the AWS fault proxy) on loopback, prints its base URL as the only stdout line,
//! and runs until SIGTERM/SIGINT. Admin credentials come from the environment only, so they
//! never appear in `/proc/*/cmdline`.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use gcoauth::emulator::{AwsProxy, Emulator, EmulatorConfig};
use gcoauth::secret::Secret;

const ID_VAR: &str = "GCOAUTH_EMULATOR_CLIENT_ID";
const SECRET_VAR: &str = "GCOAUTH_EMULATOR_CLIENT_SECRET";

/// Genesys Cloud OAuth-client API emulator (admin credentials from GCOAUTH_EMULATOR_CLIENT_ID
/// and GCOAUTH_EMULATOR_CLIENT_SECRET).
#[derive(Parser)]
#[command(
    name = "gcoauth-emulator",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(flatten)]
    listen: Listen,
    /// API requests allowed per token per window (default: unlimited).
    #[arg(long, value_name = "N")]
    rate_limit: Option<u32>,
    /// Token requests allowed per client id per window (default: unlimited).
    #[arg(long, value_name = "N")]
    token_rate_limit: Option<u32>,
    /// Rate-limit window in seconds.
    #[arg(long, value_name = "S", default_value_t = 60)]
    window_secs: u64,
    /// Lifetime of every minted token in seconds (default: 86400, or the client's validity).
    #[arg(long, value_name = "S")]
    token_ttl_secs: Option<u64>,
    /// Most clients the org may hold.
    #[arg(long, value_name = "N", default_value_t = 100)]
    max_clients: usize,
    /// After DELETE, GET returns the client with state "deleted" instead of 404.
    #[arg(long)]
    deleted_visible: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Fault-injecting reverse proxy in front of an AWS Secrets Manager endpoint (e.g. moto).
    AwsProxy {
        /// Upstream base URL, e.g. http://127.0.0.1:5000.
        #[arg(long)]
        upstream: String,
        #[command(flatten)]
        listen: Listen,
    },
}

/// Where to listen.
#[derive(Args)]
struct Listen {
    /// Port (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Allow a non-loopback --bind. The control plane has no authentication and can read
    /// client metadata, verify secrets and reconfigure the server, so it must not be reachable
    /// from other hosts.
    #[arg(long)]
    allow_non_loopback: bool,
}

impl Listen {
    fn addr(&self) -> anyhow::Result<SocketAddr> {
        if !self.bind.is_loopback() && !self.allow_non_loopback {
            bail!(
                "refusing to bind {}: the unauthenticated control plane must stay on loopback \
                 (pass --allow-non-loopback to override)",
                self.bind
            );
        }
        Ok(SocketAddr::new(self.bind, self.port))
    }
}

fn main() -> ExitCode {
    gcoauth::logging::init();
    let cli = Cli::parse();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")
        .and_then(|rt| rt.block_on(run(cli)));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "gcoauth-emulator: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Some(Command::AwsProxy { upstream, listen }) => {
            let proxy = AwsProxy::start(upstream, listen.addr()?).await?;
            announce(&proxy.base_url())?;
            wait_for_signal().await?;
            proxy.shutdown().await;
        }
        None => {
            let addr = cli.listen.addr()?;
            let id = std::env::var(ID_VAR).ok().filter(|v| !v.is_empty());
            let (Some(id), Some(secret)) = (id, Secret::from_env(SECRET_VAR)) else {
                bail!("set {ID_VAR} and {SECRET_VAR} to the admin client's credentials (never passed as arguments)");
            };
            let mut config = EmulatorConfig::new(id, secret);
            config.bind = addr;
            let s = &mut config.settings;
            s.api_rate_limit = cli.rate_limit.filter(|n| *n > 0);
            s.token_rate_limit = cli.token_rate_limit.filter(|n| *n > 0);
            s.rate_window_secs = cli.window_secs;
            s.token_ttl_secs = cli.token_ttl_secs;
            s.max_clients = cli.max_clients;
            s.deleted_visible = cli.deleted_visible;
            let emulator = Emulator::start(config).await?;
            announce(&emulator.base_url())?;
            wait_for_signal().await?;
            emulator.shutdown().await;
        }
    }
    Ok(())
}

/// The one stdout line: the base URL, flushed so a parent reading a pipe sees it at once.
fn announce(url: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{url}")
        .and_then(|()| out.flush())
        .context("cannot write the base URL to stdout")
}

async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    tokio::select! {
        _ = term.recv() => {}
        r = tokio::signal::ctrl_c() => r.context("cannot listen for SIGINT")?,
    }
    Ok(())
}
