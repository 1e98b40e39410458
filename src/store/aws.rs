//! AWS Secrets Manager through the official SDK and the standard aws-config chain
//! (environment, profiles, SSO, IMDS, `AWS_ENDPOINT_URL`).

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_secretsmanager::types::Tag;
use aws_sdk_secretsmanager::Client;

use super::{SecretStore, StoreError, StoreErrorKind, StoredSecret};
use crate::secret::Secret;

const LABEL: &str = "AWS Secrets Manager";

/// A Secrets Manager client for one region.
pub struct AwsSecretsManager {
    client: Client,
    region: String,
}

impl AwsSecretsManager {
    /// Loads the aws-config chain; `region` overrides the chain's region.
    pub async fn connect(region: Option<&str>) -> Result<Self, StoreError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(4))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .operation_attempt_timeout(Duration::from_secs(20))
                    .operation_timeout(Duration::from_secs(60))
                    .build(),
            );
        if let Some(r) = region {
            loader = loader.region(Region::new(r.to_string()));
        }
        let config = loader.load().await;
        // The secret travels over this connection: https, or plain http to loopback only.
        crate::endpoints::check_aws_endpoints(
            "AWS_ENDPOINT_URL_SECRETS_MANAGER",
            config.endpoint_url(),
        )
        .map_err(|e| StoreError {
            store: LABEL,
            action: "configuration",
            kind: StoreErrorKind::Other,
            message: e.to_string(),
        })?;
        let Some(region) = config.region().map(|r| r.to_string()) else {
            return Err(StoreError {
                store: LABEL,
                action: "configuration",
                kind: StoreErrorKind::Other,
                message: "no AWS region: set store.region (module input aws_region) or AWS_REGION"
                    .into(),
            });
        };
        Ok(AwsSecretsManager {
            client: Client::new(&config),
            region,
        })
    }

    /// The region in use.
    pub fn region(&self) -> &str {
        &self.region
    }
}

fn to_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Maps an SDK error to a [`StoreError`] naming the IAM action.
fn sdk_error<E, R>(action: &'static str, err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let (kind, message) = match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().unwrap_or("Unknown");
            let kind = match code {
                "AccessDeniedException"
                | "AccessDenied"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "ExpiredTokenException" => StoreErrorKind::AccessDenied,
                "ResourceNotFoundException" => StoreErrorKind::NotFound,
                "InternalServiceError" | "InternalFailure" | "ServiceUnavailable" => {
                    StoreErrorKind::Unavailable
                }
                _ => StoreErrorKind::Other,
            };
            (kind, format!("{code}: {}", e.message().unwrap_or("")))
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => (
            StoreErrorKind::Unavailable,
            format!("store unreachable: {}", DisplayErrorContext(&err)),
        ),
        _ => (StoreErrorKind::Other, DisplayErrorContext(&err).to_string()),
    };
    let message = if kind == StoreErrorKind::AccessDenied {
        format!("{message} (the AWS identity running gcoauth needs the IAM permission {action})")
    } else {
        message
    };
    StoreError {
        store: LABEL,
        action,
        kind,
        message,
    }
}

impl SecretStore for AwsSecretsManager {
    fn label(&self) -> &'static str {
        LABEL
    }

    async fn describe(&self, name: &str) -> Result<Option<StoredSecret>, StoreError> {
        match self.client.describe_secret().secret_id(name).send().await {
            Ok(out) => Ok(Some(StoredSecret {
                arn: out.arn().unwrap_or_default().to_string(),
                tags: out
                    .tags()
                    .iter()
                    .filter_map(|t| {
                        Some((
                            t.key()?.to_string(),
                            t.value().unwrap_or_default().to_string(),
                        ))
                    })
                    .collect(),
                scheduled_for_deletion: out.deleted_date().is_some(),
                has_value: out.version_ids_to_stages().is_some_and(|m| {
                    m.values()
                        .any(|stages| stages.iter().any(|s| s == "AWSCURRENT"))
                }),
            })),
            Err(e) => {
                let err = sdk_error("secretsmanager:DescribeSecret", e);
                if err.kind == StoreErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    async fn create(
        &self,
        name: &str,
        description: &str,
        kms_key_id: Option<&str>,
        tags: &BTreeMap<String, String>,
    ) -> Result<String, StoreError> {
        let out = self
            .client
            .create_secret()
            .name(name)
            .description(description)
            .set_kms_key_id(kms_key_id.map(str::to_string))
            .set_tags(Some(to_tags(tags)))
            .send()
            .await
            .map_err(|e| sdk_error("secretsmanager:CreateSecret", e))?;
        Ok(out.arn().unwrap_or_default().to_string())
    }

    async fn restore(&self, name: &str) -> Result<(), StoreError> {
        self.client
            .restore_secret()
            .secret_id(name)
            .send()
            .await
            .map_err(|e| sdk_error("secretsmanager:RestoreSecret", e))?;
        Ok(())
    }

    async fn put_value(&self, name: &str, value: &Secret) -> Result<String, StoreError> {
        let out = self
            .client
            .put_secret_value()
            .secret_id(name)
            .secret_string(value.expose())
            .send()
            .await
            .map_err(|e| sdk_error("secretsmanager:PutSecretValue", e))?;
        Ok(out.version_id().unwrap_or_default().to_string())
    }

    async fn tag(&self, name: &str, tags: &BTreeMap<String, String>) -> Result<(), StoreError> {
        self.client
            .tag_resource()
            .secret_id(name)
            .set_tags(Some(to_tags(tags)))
            .send()
            .await
            .map_err(|e| sdk_error("secretsmanager:TagResource", e))?;
        Ok(())
    }

    async fn delete(&self, name: &str, recovery_window_days: u8) -> Result<(), StoreError> {
        let req = self.client.delete_secret().secret_id(name);
        let req = if recovery_window_days == 0 {
            req.force_delete_without_recovery(true)
        } else {
            req.recovery_window_in_days(i64::from(recovery_window_days))
        };
        match req.send().await {
            Ok(_) => Ok(()),
            Err(e) => {
                let err = sdk_error("secretsmanager:DeleteSecret", e);
                if err.kind == StoreErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(err)
                }
            }
        }
    }
}
