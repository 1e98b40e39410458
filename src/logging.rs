//! Diagnostics to stderr through `tracing`, filtered by `RUST_LOG` (default `warn`).
//!
//! Even at `RUST_LOG=trace`, dependency crates that could dump raw HTTP traffic are capped at
//! `debug`, and the AWS SDK's opt-in body logging (`LOG_SENSITIVE_BODIES`) is switched off, so
//! no secret reaches a log line.

use tracing_subscriber::EnvFilter;

/// Crates whose trace level could print wire data; they never go below `debug`.
const CAPPED: &[&str] = &[
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
    "reqwest",
    "aws_smithy_runtime",
    "aws_smithy_http",
    "aws_smithy_http_client",
    "aws_sigv4",
    "tower",
    "axum",
];

/// Installs the stderr logger. Call once, first thing in `main`, before any thread starts.
pub fn init() {
    // SAFETY-relevant: single-threaded at this point; removing the variable keeps the AWS SDK
    // from ever logging request/response bodies (which would contain the secret).
    // SAFETY: no other thread exists yet.
    unsafe { std::env::remove_var("LOG_SENSITIVE_BODIES") };
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let wants_trace = filter.max_level_hint() == Some(tracing::level_filters::LevelFilter::TRACE);
    for krate in CAPPED.iter().filter(|_| wants_trace) {
        if let Ok(d) = format!("{krate}=debug").parse() {
            filter = filter.add_directive(d);
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(true)
        .try_init();
}
