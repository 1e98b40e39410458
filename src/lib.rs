//! gcoauth: Genesys Cloud OAuth clients from Terraform with the secret kept out of state,
//! and an auditor that fails CI when a secret leaks into state or plans.

pub mod audit;
pub mod emulator;
pub mod endpoints;
pub mod exit;
pub mod genesys;
pub mod logging;
pub mod provision;
pub mod secret;
pub mod spec;
pub mod store;
