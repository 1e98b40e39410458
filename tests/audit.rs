//! Integration tests for `gcoauth audit`: run the real binary on fixtures and check the
//! reports, exit codes, and that no planted secret is ever printed.

#[path = "audit/util.rs"]
mod util;

#[path = "audit/cli.rs"]
mod cli;
#[path = "audit/inputs.rs"]
mod inputs;
#[path = "audit/realworld.rs"]
mod realworld;
#[path = "audit/remote.rs"]
mod remote;
#[path = "audit/rules.rs"]
mod rules;
