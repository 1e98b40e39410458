//! `create`: validate, preflight, record the intent, create the client, store its secret, and
//! roll back if storing fails. A re-run after a failed or killed run converges.

use std::collections::BTreeMap;

use tracing::{info, warn};

use super::context::{store_clean, Ctx};
use super::desired::{differs, request_for};
use super::owned::{api_clean, not_ours, recorded_client};
use super::record::{
    client_tags, initial_tags, marker_text, new_marker, rotation_hash, secret_value, status,
    RecordView, TAG_CLIENT_ID, TAG_MARKER, TAG_ROTATION, TAG_STATUS,
};
use super::report::Report;
use crate::exit::{sentence, Failure};
use crate::genesys::{GenesysClient, OAuthClient, Op};
use crate::secret::Secret;
use crate::spec::Spec;
use crate::store::{SecretStore, StoreError, StoreErrorKind, StoredSecret};

/// Runs `create`.
pub async fn run<S: SecretStore>(ctx: Ctx<S>, spec: Spec) -> anyhow::Result<Report> {
    let name = ctx.name().to_string();
    let existing = ctx.store.describe(&name).await.map_err(store_clean)?;
    if existing.as_ref().is_some_and(|r| !r.is_managed()) {
        return Err(not_ours(&name));
    }
    // Preflight: the token must work before anything is written.
    let gen = ctx.genesys().await?;
    match existing {
        None => {
            let marker = new_marker();
            let mut tags = initial_tags(&spec.store, &marker, ctx.region());
            tags.insert(
                TAG_ROTATION.into(),
                rotation_hash(spec.rotation_id.as_deref().unwrap_or("")),
            );
            let description = format!(
                "Genesys Cloud OAuth client secret, managed by gcoauth (client {:?})",
                spec.client.name
            );
            let arn = ctx
                .store
                .create(&name, &description, spec.store.kms_key_id.as_deref(), &tags)
                .await
                .map_err(|e| {
                    store_write_failed(e, &name, "created (empty: it holds no client secret)")
                })?;
            info!(secret = %name, "recorded the intent; creating the client");
            fresh(&ctx, gen, &spec, &marker, arn, true).await
        }
        Some(rec) => {
            if rec.scheduled_for_deletion {
                ctx.store.restore(&name).await.map_err(|e| {
                    store_write_failed(e, &name, "restored from its scheduled deletion")
                })?;
                info!(secret = %name, "restored the secret from scheduled deletion");
            }
            reconcile(&ctx, gen, &spec, rec).await
        }
    }
}

/// An existing gcoauth record: adopt its client if it has one, else create one.
async fn reconcile<S: SecretStore>(
    ctx: &Ctx<S>,
    gen: &GenesysClient,
    spec: &Spec,
    rec: StoredSecret,
) -> anyhow::Result<Report> {
    let name = ctx.name();
    let marker = match rec.tag_value(TAG_MARKER) {
        Some(m) => m.to_string(),
        None => {
            let m = new_marker();
            ctx.store
                .tag(name, &BTreeMap::from([(TAG_MARKER.to_string(), m.clone())]))
                .await
                .map_err(store_clean)?;
            m
        }
    };
    let mut client = recorded_client(gen, &rec, &marker).await?;
    if client.is_none() {
        // A run killed between creating the client and recording its id, or a lost create
        // response: the marker finds it. Duplicates can only come from lost responses.
        let mut found = gen
            .find_by_marker(&marker_text(&marker))
            .await
            .map_err(api_clean)?;
        if !found.is_empty() {
            let keep = found.remove(0);
            for extra in found {
                warn!(client_id = %extra.id, "deleting a duplicate client carrying this record's marker");
                gen.deactivate_and_delete(&extra).await.map_err(api_clean)?;
            }
            client = Some(keep);
        }
    }
    let Some(client) = client else {
        return fresh(ctx, gen, spec, &marker, rec.arn, false).await;
    };
    let want = request_for(spec, &marker);
    if differs(&client, &want) {
        gen.update_client(&client.id, &want)
            .await
            .map_err(api_clean)?;
    }
    let stored = rec.tag_value(TAG_CLIENT_ID) == Some(client.id.as_str())
        && rec.tag_value(TAG_STATUS) == Some(status::ACTIVE)
        && rec.has_value;
    if stored {
        // Adopting rotates nothing, so the recorded rotation id stays what it was.
        finish_tags(ctx, spec, &client.id, false).await;
        return Ok(report(ctx, spec, "adopted", &client.id, rec.arn, None));
    }
    // The client exists but its current secret is not stored: regenerate and store it.
    info!(client_id = %client.id, "client found without a stored secret; regenerating it");
    let secret = gen.regenerate_secret(&client.id).await.map_err(|e| {
        Failure::clean(format!("{}. Client {} (recorded in secret {name}) still has no stored secret; re-run `gcoauth client create` or `destroy` with the same spec", sentence(&e), client.id))
    })?;
    let origin = Origin {
        created_record: false,
        created_client: false,
    };
    store_secret(ctx, gen, spec, &client, secret, rec.arn, origin, "repaired").await
}

/// Creates a new client under `marker` and stores its secret.
async fn fresh<S: SecretStore>(
    ctx: &Ctx<S>,
    gen: &GenesysClient,
    spec: &Spec,
    marker: &str,
    arn: String,
    created_record: bool,
) -> anyhow::Result<Report> {
    let name = ctx.name();
    if !created_record {
        let pending = BTreeMap::from([
            (TAG_STATUS.to_string(), status::PENDING.to_string()),
            (TAG_CLIENT_ID.to_string(), String::new()),
        ]);
        ctx.store.tag(name, &pending).await.map_err(store_clean)?;
    }
    let (client, secret) = match gen.create_client(&request_for(spec, marker), &marker_text(marker)).await {
        Ok(created) => created,
        Err(e) if e.op == Op::Create && e.definitely_not_applied() => {
            let left = if created_record { drop_empty_record(ctx).await } else { None };
            return Err(match left {
                None => Failure::clean(e.to_string()),
                Some(left) => Failure::left_behind(format!("{}. {left}", sentence(&e))),
            }
            .into());
        }
        Err(e) => {
            return Err(Failure::left_behind(format!(
                "{}. The client may or may not have been created: secret {name} records marker {marker}, so re-running `gcoauth client create` (or `destroy`) with the same spec finds and reconciles it",
                sentence(&e)
            ))
            .into())
        }
    };
    info!(client_id = %client.id, "client created; storing its secret");
    let origin = Origin {
        created_record,
        created_client: true,
    };
    store_secret(ctx, gen, spec, &client, secret, arn, origin, "created").await
}

/// What this run created, which decides what a failure may undo.
#[derive(Clone, Copy)]
struct Origin {
    /// The record (secret) was created by this run.
    created_record: bool,
    /// The client was created by this run (a pre-existing one is never rolled back).
    created_client: bool,
}

/// Records the client id, stores the secret value, marks the record active; rolls the client
/// back when storing fails, if this run created it.
#[allow(clippy::too_many_arguments)]
async fn store_secret<S: SecretStore>(
    ctx: &Ctx<S>,
    gen: &GenesysClient,
    spec: &Spec,
    client: &OAuthClient,
    secret: Secret,
    arn: String,
    origin: Origin,
    action: &'static str,
) -> anyhow::Result<Report> {
    let name = ctx.name();
    let stored = async {
        // The id goes on the record first: a kill after this is found by id, not only by marker.
        ctx.store
            .tag(name, &client_tags(&client.id, &spec.client))
            .await?;
        let value = secret_value(
            &client.id,
            &secret,
            &spec.client.name,
            &spec.client.grant_type,
            ctx.region(),
        );
        ctx.store.put_value(name, &value).await
    }
    .await;
    drop(secret);
    let version = match stored {
        Ok(v) => v,
        Err(cause) if origin.created_client => {
            return Err(rollback(ctx, gen, client, origin.created_record, cause).await)
        }
        Err(cause) => {
            // The client predates this run (a killed or failed earlier run left it): keep it
            // and its record, which the next create or destroy reconciles.
            return Err(Failure::left_behind(format!(
                "{}. Client {} ({:?}) exists without a stored secret (it was there before this run, so it was not rolled back); re-run `gcoauth client create` (or `destroy`) with the same spec once the store works",
                sentence(&cause),
                client.id,
                client.name
            ))
            .into());
        }
    };
    finish_tags(ctx, spec, &client.id, true).await;
    Ok(report(ctx, spec, action, &client.id, arn, Some(version)))
}

/// Marks the record active (plus the user's tags, and the rotation id when this run stored a
/// new secret). The secret is already stored, so a failure here only costs a regeneration on
/// the next run: warn, don't fail.
async fn finish_tags<S: SecretStore>(ctx: &Ctx<S>, spec: &Spec, client_id: &str, stored_new: bool) {
    let mut tags = spec.store.tags.clone();
    tags.extend(client_tags(client_id, &spec.client));
    tags.insert(TAG_STATUS.into(), status::ACTIVE.into());
    if stored_new {
        tags.insert(
            TAG_ROTATION.into(),
            rotation_hash(spec.rotation_id.as_deref().unwrap_or("")),
        );
    }
    if let Err(e) = ctx.store.tag(ctx.name(), &tags).await {
        warn!("the secret is stored, but updating its tags failed ({e}); the next create or rotate will store it again");
    }
}

/// Undoes a client whose secret could not be stored.
async fn rollback<S: SecretStore>(
    ctx: &Ctx<S>,
    gen: &GenesysClient,
    client: &OAuthClient,
    created_record: bool,
    cause: StoreError,
) -> anyhow::Error {
    let name = ctx.name();
    let id = &client.id;
    match gen.deactivate_and_delete(client).await {
        Ok(()) => {
            let left = if created_record { drop_empty_record(ctx).await } else { None };
            match left {
                None => Failure::clean(format!("{}. Rolled back: client {id} ({:?}) was set inactive and deleted; nothing was left behind", sentence(&cause), client.name)),
                Some(left) => Failure::left_behind(format!("{}. Rolled back: client {id} was set inactive and deleted. {left}", sentence(&cause))),
            }
        }
        Err(e) => Failure::left_behind(format!(
            "{}. Rollback failed ({e}): client {id} ({:?}) exists in Genesys Cloud without a stored secret. Clean up: re-run `gcoauth client destroy` with the same spec (secret {name} records the client), or set client {id} inactive and delete it in Genesys Cloud (Admin > OAuth)",
            sentence(&cause),
            client.name
        )),
    }
    .into()
}

/// A failed CreateSecret/RestoreSecret. Without an answer (timeout, lost connection) or with a
/// server error the write may have happened, so the secret may now exist: say so (exit 3)
/// instead of claiming nothing was left behind. Refusals (access denied, throttling, invalid
/// request) changed nothing (exit 1).
fn store_write_failed(e: StoreError, name: &str, what: &str) -> anyhow::Error {
    if e.kind != StoreErrorKind::Unavailable {
        return store_clean(e);
    }
    Failure::left_behind(format!(
        "{}. Secret {name} may have been {what}; re-running `gcoauth client create` with the same spec reuses it, and `gcoauth client destroy` removes it",
        sentence(&e)
    ))
    .into()
}

/// Deletes the empty record this run created; returns what was left if that fails.
async fn drop_empty_record<S: SecretStore>(ctx: &Ctx<S>) -> Option<String> {
    let name = ctx.name();
    match ctx.store.delete(name, 0).await {
        Ok(()) => None,
        Err(e) => Some(format!(
            "Left behind: the empty secret {name}, which holds no client secret ({e}); re-running `gcoauth client create` reuses it, or delete it with `aws secretsmanager delete-secret --secret-id {name} --force-delete-without-recovery`"
        )),
    }
}

fn report<S: SecretStore>(
    ctx: &Ctx<S>,
    spec: &Spec,
    action: &'static str,
    client_id: &str,
    arn: String,
    version_id: Option<String>,
) -> Report {
    Report {
        action,
        client_id: Some(client_id.to_string()),
        client_name: Some(spec.client.name.clone()),
        secret_name: ctx.name().to_string(),
        secret_arn: Some(arn),
        version_id,
        genesys_region: Some(ctx.region().to_string()),
    }
}
