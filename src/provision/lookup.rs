//! `gcoauth client lookup`: Terraform's `external` data source protocol. Reads a JSON object
//! of strings on stdin, prints one of strings on stdout, and never touches the secret value
//! (no `GetSecretValue`): everything comes from the secret's tags.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use serde::Deserialize;

use super::record::{RecordView, TAG_CLIENT_ID, TAG_CLIENT_NAME, TAG_CLIENT_STATE, TAG_STATUS};
use crate::exit::Failure;
use crate::store::{AwsSecretsManager, SecretStore};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    secret_name: String,
    #[serde(default)]
    region: Option<String>,
}

/// Runs the lookup and prints the result.
pub async fn run() -> anyhow::Result<()> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| Failure::usage(format!("reading the query from stdin: {e}")))?;
    let q: Query = serde_json::from_str(&input).map_err(|e| {
        Failure::usage(format!(
            "the query must be a JSON object {{\"secret_name\": ..., \"region\": ...}}: {e}"
        ))
    })?;
    if q.secret_name.is_empty() {
        return Err(Failure::usage("secret_name must not be empty").into());
    }
    let store = AwsSecretsManager::connect(q.region.as_deref().filter(|r| !r.is_empty()))
        .await
        .map_err(|e| Failure::usage(e.to_string()))?;
    let found = store
        .describe(&q.secret_name)
        .await
        .map_err(|e| Failure::clean(e.to_string()))?;
    let rec = match found {
        Some(r) if r.is_managed() => r,
        Some(_) => {
            return Err(Failure::clean(format!(
                "secret {} was not created by gcoauth",
                q.secret_name
            ))
            .into())
        }
        None => {
            return Err(Failure::clean(format!(
                "no secret named {} in {}",
                q.secret_name,
                store.region()
            ))
            .into())
        }
    };
    let state = if rec.scheduled_for_deletion {
        "deleted"
    } else {
        rec.tag_value(TAG_CLIENT_STATE).unwrap_or("unknown")
    };
    let out = BTreeMap::from([
        (
            "client_id",
            rec.tag_value(TAG_CLIENT_ID).unwrap_or("").to_string(),
        ),
        ("secret_arn", rec.arn.clone()),
        (
            "name",
            rec.tag_value(TAG_CLIENT_NAME).unwrap_or("").to_string(),
        ),
        ("state", state.to_string()),
        (
            "status",
            rec.tag_value(TAG_STATUS).unwrap_or("unknown").to_string(),
        ),
    ]);
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &out)?;
    writeln!(stdout)?;
    Ok(())
}
