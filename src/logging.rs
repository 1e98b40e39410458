//! Diagnostics to stderr through `tracing`, filtered by `RUST_LOG` (default `warn`).
//!
//! Dependency crates that could dump raw HTTP traffic (request bodies, headers) never log at
//! `trace`, whatever `RUST_LOG` says: a per-layer filter drops those events after the
//! `RUST_LOG` filter, so no directive (however specific) can turn them back on. The AWS
//! SDK's opt-in body logging (`LOG_SENSITIVE_BODIES`) is also switched off.

use tracing::{Level, Metadata};
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::prelude::*;
use tracing_subscriber::EnvFilter;

/// Target prefixes whose `trace` events are always dropped.
const CAPPED: &[&str] = &["hyper", "h2", "rustls", "reqwest", "aws_", "tower", "http"];

/// Whether an event may be logged at all: `trace` events of HTTP, TLS and AWS crates never
/// are, since they can carry request bodies and headers.
pub fn allowed(meta: &Metadata<'_>) -> bool {
    *meta.level() != Level::TRACE || !CAPPED.iter().any(|c| meta.target().starts_with(c))
}

/// Installs the stderr logger. Call once, first thing in `main`, before any thread starts.
pub fn init() {
    // Single-threaded at this point; the AWS SDK would otherwise log bodies with secrets.
    std::env::remove_var("LOG_SENSITIVE_BODIES");
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(true)
        .with_filter(filter)
        .with_filter(filter_fn(allowed));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}
