//! Crash safety and the fault matrix (see docs/reliability.md). Each row runs on its own
//! harness (emulator, AWS fault proxy, secret prefix) so rows run in parallel threads;
//! `GCOAUTH_RELIABILITY_OUT=DIR` writes each table to DIR/<name>.md (scripts/reliability.sh).

mod support;

#[path = "reliability/common.rs"]
mod common;
#[path = "reliability/crash.rs"]
mod crash;
#[path = "reliability/fixes.rs"]
mod fixes;
#[path = "reliability/matrix.rs"]
mod matrix;
