//! `destroy`: delete the recorded client (inactive, then DELETE), then delete the secret with
//! its recovery window. Idempotent, and it never deletes a client it cannot prove it created:
//! only the client recorded on the secret, or clients carrying the record's marker.

use tracing::info;

use super::context::{store_clean, Ctx};
use super::desired::has_marker;
use super::owned::{api_clean, marker_of, not_ours, recorded_client};
use super::record::{marker_text, RecordView, TAG_CLIENT_ID};
use super::report::Report;
use crate::exit::{sentence, Failure};
use crate::genesys::{ApiError, OAuthClient, Op};
use crate::store::SecretStore;

/// Runs `destroy`.
pub async fn run<S: SecretStore>(ctx: Ctx<S>) -> anyhow::Result<Report> {
    let name = ctx.name().to_string();
    let mut report = Report {
        action: "absent",
        secret_name: name.clone(),
        ..Report::default()
    };
    let Some(rec) = ctx.store.describe(&name).await.map_err(store_clean)? else {
        return Ok(report);
    };
    if !rec.is_managed() {
        return Err(not_ours(&name));
    }
    report.secret_arn = Some(rec.arn.clone());
    report.client_id = rec.tag_value(TAG_CLIENT_ID).map(str::to_string);
    let gen = ctx.genesys().await?;
    let marker = marker_of(&rec)?.to_string();
    // The recorded client plus every client carrying the marker: a killed create, or a lost
    // create response, may have left one that only the marker finds, and deleting the record
    // would lose the marker for good.
    let mut doomed: Vec<_> = recorded_client(gen, &rec, &marker)
        .await?
        .into_iter()
        .collect();
    for c in gen
        .find_by_marker(&marker_text(&marker))
        .await
        .map_err(api_clean)?
    {
        if !doomed.iter().any(|d| d.id == c.id) {
            doomed.push(c);
        }
    }
    for client in &doomed {
        debug_assert!(has_marker(client, &marker));
        gen.deactivate_and_delete(client)
            .await
            .map_err(|e| delete_failed(&e, &name, client))?;
        info!(client_id = %client.id, "client deleted");
        report.client_id = Some(client.id.clone());
    }
    if !rec.scheduled_for_deletion {
        ctx.store.delete(&name, ctx.store_spec.recovery_window_days).await.map_err(|e| {
            let client = if doomed.is_empty() { String::new() } else { "the client was deleted, but ".into() };
            Failure::left_behind(format!("{}. {client}secret {name} could not be deleted; re-run `gcoauth client destroy` with the same spec to finish", sentence(&e)))
        })?;
    }
    report.action = "destroyed";
    Ok(report)
}

/// A failed deactivate-and-delete. Only a refused (4xx) `PUT state=inactive` on a client that
/// was active, or a refused DELETE of a client that was already inactive, changed nothing
/// (exit 1). Otherwise the client may now be inactive (its stored secret mints no token) or
/// even deleted (a DELETE whose answer was lost), while the secret still records it: exit 3,
/// saying so.
fn delete_failed(e: &ApiError, name: &str, client: &OAuthClient) -> anyhow::Error {
    let id = &client.id;
    let retry = "re-run `gcoauth client destroy` with the same spec (terraform retries it on the next destroy)";
    let untouched = e.definitely_not_applied()
        && (e.op == Op::Update || (e.op == Op::Delete && client.state == "inactive"));
    if untouched {
        return Failure::clean(format!(
            "{}. Nothing else was changed: secret {name} still records client {id}; {retry}",
            sentence(e)
        ))
        .into();
    }
    let what = match e.op {
        Op::Update => format!("client {id} may have been set inactive"),
        Op::Delete if !e.definitely_not_applied() => {
            format!("client {id} was set inactive and may already be deleted")
        }
        Op::Delete => format!("client {id} was set inactive but not deleted"),
        _ => format!(
            "client {id} was set inactive and deleted, but its deletion could not be confirmed"
        ),
    };
    Failure::left_behind(format!(
        "{}. Left behind: {what}, so the secret stored in {name} (kept) may no longer work; {retry}",
        sentence(e)
    ))
    .into()
}
