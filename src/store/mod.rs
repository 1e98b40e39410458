//! Where client secrets go. A small trait so Vault or Azure Key Vault can follow without
//! touching the provisioning logic; AWS Secrets Manager is the one implementation today.

mod aws;

use std::collections::BTreeMap;
use std::future::Future;

pub use aws::AwsSecretsManager;

use crate::secret::Secret;

/// What the store knows about a secret, without reading its value.
#[derive(Debug, Clone, Default)]
pub struct StoredSecret {
    /// The secret's ARN (or the store's equivalent id).
    pub arn: String,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
    /// Scheduled for deletion (restorable).
    pub scheduled_for_deletion: bool,
    /// Whether a current value exists.
    pub has_value: bool,
}

/// Why a store call failed, so callers can branch and messages can name the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// The caller lacks permission for `action`.
    AccessDenied,
    /// The secret does not exist.
    NotFound,
    /// The store could not be reached or answered with a server error.
    Unavailable,
    /// Anything else (validation, conflicts, throttling after retries).
    Other,
}

/// A failed store call. Its message never contains the secret value.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{store}: {action} failed: {message}")]
pub struct StoreError {
    /// e.g. `"AWS Secrets Manager"`.
    pub store: &'static str,
    /// The API action / IAM permission, e.g. `secretsmanager:PutSecretValue`.
    pub action: &'static str,
    /// What happened.
    pub kind: StoreErrorKind,
    /// Details for the user.
    pub message: String,
}

/// A secret store. All methods address the secret by name.
pub trait SecretStore {
    /// Human name of the store, for messages.
    fn label(&self) -> &'static str;
    /// Metadata of the secret, `None` if it does not exist.
    fn describe(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<StoredSecret>, StoreError>>;
    /// Creates an empty secret (no value yet) with tags; returns its ARN.
    fn create(
        &self,
        name: &str,
        description: &str,
        kms_key_id: Option<&str>,
        tags: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<String, StoreError>>;
    /// Cancels a scheduled deletion.
    fn restore(&self, name: &str) -> impl Future<Output = Result<(), StoreError>>;
    /// Stores `value` as the new current version; returns the version id.
    fn put_value(
        &self,
        name: &str,
        value: &Secret,
    ) -> impl Future<Output = Result<String, StoreError>>;
    /// Adds or overwrites tags.
    fn tag(
        &self,
        name: &str,
        tags: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<(), StoreError>>;
    /// Deletes the secret: with a recovery window in days, or at once when 0.
    fn delete(
        &self,
        name: &str,
        recovery_window_days: u8,
    ) -> impl Future<Output = Result<(), StoreError>>;
}
