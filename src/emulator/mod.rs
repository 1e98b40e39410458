//! A loopback emulator of the Genesys Cloud OAuth-client API, for tests and the offline demo,
//! plus a fault-injecting reverse proxy for AWS Secrets Manager ([`AwsProxy`]).
//!
//! The emulator follows `genesys-api.md` (not what a client might expect): the token endpoint,
//! the six `/api/v2/oauth/clients` operations with their validation codes, `ErrorBody`s, rate
//! limits, and a `/__emulator/` control plane for faults, runtime config and inspection.
//! See `docs/emulator.md`.

mod auth;
mod aws_proxy;
mod config;
mod control;
mod errors;
mod faults;
mod http;
mod model;
mod ratelimit;
mod routes;
mod server;
mod state;

use std::sync::Arc;

pub use auth::Permission;
pub use aws_proxy::AwsProxy;
pub use config::{EmulatorConfig, Settings};
pub use server::EmulatorHandle;

use server::ServerTask;
use state::Shared;

/// A running emulator.
pub struct Emulator {
    task: ServerTask,
}

impl Emulator {
    /// Binds `config.bind` and starts serving on the current tokio runtime.
    pub async fn start(config: EmulatorConfig) -> anyhow::Result<Emulator> {
        config.settings.validate().map_err(anyhow::Error::msg)?;
        let shared = Arc::new(Shared::new(
            config.admin_client_id,
            config.admin_client_secret,
            config.settings,
        ));
        let task = ServerTask::spawn(config.bind, move |req| {
            routes::handle(Arc::clone(&shared), req)
        })
        .await?;
        Ok(Emulator { task })
    }

    /// `http://127.0.0.1:PORT`: both the login and the API base URL.
    pub fn base_url(&self) -> String {
        self.task.base_url()
    }

    /// Stops serving and closes open connections.
    pub async fn shutdown(self) {
        self.task.shutdown().await;
    }
}

impl From<Emulator> for ServerTask {
    fn from(emulator: Emulator) -> ServerTask {
        emulator.task
    }
}

/// Starts an emulator on its own thread and runtime, for synchronous tests; dropping the
/// handle stops it.
pub fn spawn_blocking_runtime(config: EmulatorConfig) -> anyhow::Result<EmulatorHandle> {
    EmulatorHandle::spawn(move || Emulator::start(config))
}
