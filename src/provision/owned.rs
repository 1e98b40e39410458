//! Finding the record and the client a spec refers to, and refusing what gcoauth cannot prove
//! it created.

use super::context::{store_clean, Ctx};
use super::desired::has_marker;
use super::record::{RecordView, TAG_CLIENT_ID, TAG_MARKER};
use crate::exit::Failure;
use crate::genesys::{ApiError, GenesysClient, OAuthClient};
use crate::store::{SecretStore, StoredSecret};

/// A Genesys failure after which nothing new exists: exit 1.
pub fn api_clean(e: ApiError) -> anyhow::Error {
    Failure::clean(e.to_string()).into()
}

/// The refusal for a secret gcoauth did not create (no write happened: exit 2).
pub fn not_ours(name: &str) -> anyhow::Error {
    Failure::usage(format!(
        "secret {name} already exists and was not created by gcoauth (it has no gcoauth:managed tag); refusing to touch it. Choose another secret name, or delete that secret if it is unused"
    ))
    .into()
}

/// The record for `update` and `rotate`: it must exist, be ours and not be deleted.
pub async fn require_record<S: SecretStore>(ctx: &Ctx<S>) -> anyhow::Result<StoredSecret> {
    let name = ctx.name();
    match ctx.store.describe(name).await.map_err(store_clean)? {
        None => Err(Failure::clean(format!(
            "no secret named {name}: nothing to act on (run `gcoauth client create` first)"
        ))
        .into()),
        Some(r) if !r.is_managed() => Err(not_ours(name)),
        Some(r) if r.scheduled_for_deletion => Err(Failure::clean(format!(
            "secret {name} is scheduled for deletion; run `gcoauth client create` to restore it"
        ))
        .into()),
        Some(r) => Ok(r),
    }
}

/// The record's marker.
pub fn marker_of(rec: &StoredSecret) -> anyhow::Result<&str> {
    rec.tag_value(TAG_MARKER).ok_or_else(|| {
        Failure::clean("the gcoauth record has no gcoauth:marker tag; it was edited by hand").into()
    })
}

/// The client recorded on the secret, if it still exists. A recorded client without the
/// record's marker is an error: gcoauth cannot prove it created it.
pub async fn recorded_client(
    gen: &GenesysClient,
    rec: &StoredSecret,
    marker: &str,
) -> anyhow::Result<Option<OAuthClient>> {
    let Some(id) = rec.tag_value(TAG_CLIENT_ID) else {
        return Ok(None);
    };
    match gen.get_client(id).await.map_err(api_clean)? {
        Some(c) if has_marker(&c, marker) => Ok(Some(c)),
        Some(_) => Err(Failure::clean(format!(
            "client {id} is recorded on the secret but its description lacks gcoauth's marker [gcoauth:{marker}]; refusing to change or delete a client gcoauth cannot prove it created"
        ))
        .into()),
        None => Ok(None),
    }
}

/// The recorded client, which `update` and `rotate` need to exist.
pub async fn require_client(
    gen: &GenesysClient,
    rec: &StoredSecret,
    name: &str,
) -> anyhow::Result<OAuthClient> {
    let marker = marker_of(rec)?;
    recorded_client(gen, rec, marker).await?.ok_or_else(|| {
        Failure::clean(format!("the client recorded on secret {name} no longer exists (or was never stored); run `gcoauth client create` to converge")).into()
    })
}
