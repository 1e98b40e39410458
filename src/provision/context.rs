//! What every command needs: the secret store, and a Genesys client connected on first use
//! (so `destroy` of an absent secret requests no token; the credentials must still be set).

use tokio::sync::OnceCell;

use crate::endpoints::{self, Endpoints};
use crate::exit::Failure;
use crate::genesys::{Credentials, GenesysClient, RetryPolicy};
use crate::spec::StoreSpec;
use crate::store::{AwsSecretsManager, SecretStore, StoreError};

/// Shared state of one command run.
pub struct Ctx<S: SecretStore = AwsSecretsManager> {
    /// The secret store.
    pub store: S,
    /// The spec's store section.
    pub store_spec: StoreSpec,
    endpoints: Endpoints,
    creds: std::sync::Mutex<Option<Credentials>>,
    policy: RetryPolicy,
    genesys: OnceCell<GenesysClient>,
}

impl Ctx<AwsSecretsManager> {
    /// Reads credentials and endpoints from the environment (a usage error if missing, before
    /// any call) and sets up the AWS client.
    pub async fn connect(store_spec: StoreSpec, settings: Settings) -> anyhow::Result<Self> {
        let Settings {
            endpoints,
            creds,
            policy,
        } = settings;
        let store = AwsSecretsManager::connect(store_spec.region.as_deref())
            .await
            .map_err(|e| Failure::usage(e.to_string()))?;
        Ok(Ctx::new(store, store_spec, endpoints, creds, policy))
    }
}

impl<S: SecretStore> Ctx<S> {
    /// A context over any store.
    pub fn new(
        store: S,
        store_spec: StoreSpec,
        endpoints: Endpoints,
        creds: Credentials,
        policy: RetryPolicy,
    ) -> Self {
        Ctx {
            store,
            store_spec,
            endpoints,
            creds: std::sync::Mutex::new(Some(creds)),
            policy,
            genesys: OnceCell::new(),
        }
    }

    /// The secret's name.
    pub fn name(&self) -> &str {
        &self.store_spec.name
    }

    /// The Genesys region name (`custom` with URL overrides).
    pub fn region(&self) -> &str {
        &self.endpoints.region
    }

    /// The Genesys client; gets a token on first call. A failure here happens before any
    /// write, so it is a clean failure (exit 1).
    pub async fn genesys(&self) -> anyhow::Result<&GenesysClient> {
        self.genesys
            .get_or_try_init(|| async {
                let creds = self
                    .creds
                    .lock()
                    .ok()
                    .and_then(|mut c| c.take())
                    .ok_or_else(|| Failure::clean("Genesys credentials were already used"))?;
                GenesysClient::connect(&self.endpoints, creds, self.policy.clone())
                    .await
                    .map_err(|e| anyhow::Error::new(Failure::clean(e.to_string())))
            })
            .await
    }
}

/// Genesys endpoints, credentials and retry settings, read from the environment.
pub struct Settings {
    endpoints: Endpoints,
    creds: Credentials,
    policy: RetryPolicy,
}

/// Reads `GENESYSCLOUD_*`, `GCOAUTH_*_URL` and the retry variables, then removes the secret
/// ones (`GENESYSCLOUD_OAUTHCLIENT_SECRET`, `GENESYSCLOUD_ACCESS_TOKEN`) from the process
/// environment, so no child process (e.g. an AWS `credential_process`) inherits them. Call it
/// before any other thread exists.
pub fn genesys_settings() -> anyhow::Result<Settings> {
    let var = |k: &str| std::env::var(k).ok();
    let endpoints = endpoints::resolve(
        var("GENESYSCLOUD_REGION").as_deref(),
        var("GCOAUTH_API_URL").as_deref(),
        var("GCOAUTH_LOGIN_URL").as_deref(),
    )
    .map_err(|e| Failure::usage(e.to_string()))?;
    let creds = Credentials::from_env().map_err(Failure::usage)?;
    for secret_var in [
        "GENESYSCLOUD_OAUTHCLIENT_SECRET",
        "GENESYSCLOUD_ACCESS_TOKEN",
    ] {
        std::env::remove_var(secret_var);
    }
    let policy = RetryPolicy::from_env().map_err(Failure::usage)?;
    Ok(Settings {
        endpoints,
        creds,
        policy,
    })
}

/// A store failure before anything was written by this run: exit 1.
pub fn store_clean(e: StoreError) -> anyhow::Error {
    Failure::clean(e.to_string()).into()
}
