//! `update`: PUT the spec's mutable fields onto the recorded client (same id, same secret).

use tracing::warn;

use super::context::Ctx;
use super::desired::{differs, request_for};
use super::owned::{api_clean, marker_of, require_client, require_record};
use super::record::client_tags;
use super::report::Report;
use crate::spec::Spec;
use crate::store::SecretStore;

/// Runs `update`; a no-op when the client already matches.
pub async fn run<S: SecretStore>(ctx: Ctx<S>, spec: Spec) -> anyhow::Result<Report> {
    let rec = require_record(&ctx).await?;
    let gen = ctx.genesys().await?;
    let client = require_client(gen, &rec, ctx.name()).await?;
    let want = request_for(&spec, marker_of(&rec)?);
    let action = if differs(&client, &want) {
        gen.update_client(&client.id, &want)
            .await
            .map_err(api_clean)?;
        "updated"
    } else {
        "unchanged"
    };
    let mut tags = spec.store.tags.clone();
    tags.extend(client_tags(&client.id, &spec.client));
    if let Err(e) = ctx.store.tag(ctx.name(), &tags).await {
        warn!("the client is updated, but refreshing the secret's tags failed: {e}");
    }
    Ok(Report {
        action,
        client_id: Some(client.id),
        client_name: Some(spec.client.name),
        secret_name: ctx.name().to_string(),
        secret_arn: Some(rec.arn),
        version_id: None,
        genesys_region: Some(ctx.region().to_string()),
    })
}
