//! `rotate`: regenerate the secret and store it as the new current version.
//!
//! The record says `rotating` while a new secret is in flight, and the rotation id is recorded
//! only after the new value is stored, so a rotation that regenerated but could not store is
//! repaired by running `rotate` again.

use std::collections::BTreeMap;

use tracing::warn;

use super::context::{store_clean, Ctx};
use super::owned::{require_client, require_record};
use super::record::{
    client_tags, rotation_hash, secret_value, status, RecordView, TAG_ROTATION, TAG_STATUS,
};
use super::report::Report;
use crate::exit::{sentence, Failure};
use crate::spec::Spec;
use crate::store::SecretStore;

/// Runs `rotate`. When the spec's `rotation_id` (absent = `""`) is the one recorded and the
/// record is active, it does nothing.
pub async fn run<S: SecretStore>(ctx: Ctx<S>, spec: Spec) -> anyhow::Result<Report> {
    let name = ctx.name().to_string();
    let rec = require_record(&ctx).await?;
    let gen = ctx.genesys().await?;
    let client = require_client(gen, &rec, &name).await?;
    // No rotation id counts as "": the module's rotation resource runs `rotate` right after
    // `create`, which must not rotate; only a changed rotation id does.
    let wanted = rotation_hash(spec.rotation_id.as_deref().unwrap_or(""));
    let mut report = Report {
        action: "unchanged",
        client_id: Some(client.id.clone()),
        client_name: Some(client.name.clone()),
        secret_name: name.clone(),
        secret_arn: Some(rec.arn.clone()),
        version_id: None,
        genesys_region: Some(ctx.region().to_string()),
    };
    if rec.tag_value(TAG_ROTATION) == Some(wanted.as_str())
        && rec.tag_value(TAG_STATUS) == Some(status::ACTIVE)
    {
        return Ok(report);
    }
    let rotating = BTreeMap::from([(TAG_STATUS.to_string(), status::ROTATING.to_string())]);
    ctx.store.tag(&name, &rotating).await.map_err(store_clean)?;
    let secret = match gen.regenerate_secret(&client.id).await {
        Ok(s) => s,
        Err(e) if e.definitely_not_applied() => {
            let back = BTreeMap::from([(TAG_STATUS.to_string(), rec.tag_value(TAG_STATUS).unwrap_or(status::ACTIVE).to_string())]);
            let _ = ctx.store.tag(&name, &back).await;
            return Err(Failure::clean(format!("{}. The secret was not regenerated; the stored value still works", sentence(&e))).into());
        }
        Err(e) => {
            return Err(Failure::left_behind(format!(
                "{}. The secret of client {} may have been regenerated, in which case the value stored in {name} no longer works; re-run `gcoauth client rotate` (or `terraform apply`) to repair",
                sentence(&e),
                client.id
            ))
            .into())
        }
    };
    let value = secret_value(
        &client.id,
        &secret,
        &client.name,
        &client.authorized_grant_type,
        ctx.region(),
    );
    drop(secret);
    let version = ctx.store.put_value(&name, &value).await.map_err(|e| {
        Failure::left_behind(format!(
            "{}. The secret of client {} was regenerated but could not be stored in {name}: the stored value no longer works. Re-run `gcoauth client rotate` (or `terraform apply`) to repair",
            sentence(&e),
            client.id
        ))
    })?;
    drop(value);
    let mut done = client_tags(&client.id, &spec.client);
    done.insert(TAG_STATUS.into(), status::ACTIVE.into());
    done.insert(TAG_ROTATION.into(), wanted);
    if let Err(e) = ctx.store.tag(&name, &done).await {
        warn!("the new secret is stored, but updating the record's tags failed ({e}); the next rotate will rotate again");
    }
    report.action = "rotated";
    report.version_id = Some(version);
    Ok(report)
}
