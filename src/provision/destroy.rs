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
    let mut doomed = Vec::new();
    if let Some(c) = recorded_client(gen, &rec, &marker).await? {
        doomed.push(c);
    } else if !rec.scheduled_for_deletion || rec.tag_value(TAG_CLIENT_ID).is_none() {
        // No live recorded client: a killed create may have left one that only the marker
        // finds.
        doomed = gen
            .find_by_marker(&marker_text(&marker))
            .await
            .map_err(api_clean)?;
    }
    for client in &doomed {
        debug_assert!(has_marker(client, &marker));
        gen.deactivate_and_delete(client).await.map_err(|e| {
            Failure::clean(format!("{}. Nothing else was changed: secret {name} still records client {}; re-run `gcoauth client destroy` (terraform retries it on the next destroy)", sentence(&e), client.id))
        })?;
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
