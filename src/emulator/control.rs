//! The emulator's control plane under `/__emulator/` (no auth: the server binds loopback only).
//! Its answers never contain a client secret.

use hyper::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::config::SettingsPatch;
use super::http::{control_reply, Resp};
use super::model::{ClientState, StoredClient};
use super::routes::RouteMatcher;
use super::state::{Shared, Stats};
use crate::secret::Secret;

/// Serves `/__emulator/{rest}`.
pub fn handle(shared: &Shared, method: &Method, rest: &str, body: &[u8]) -> Resp {
    let rest = rest.trim_end_matches('/');
    let result = match (method, rest) {
        (m, "faults") => shared.faults.control(m, body, &["method", "path"], |m, _| {
            RouteMatcher::from_json(m)
        }),
        (&Method::GET, "config") => Some(Ok(settings(shared))),
        (&Method::POST, "config") => Some(patch_config(shared, body)),
        (&Method::GET, "clients") => {
            let clients: Vec<Value> = shared
                .lock()
                .clients
                .iter()
                .map(|c| c.to_json(false))
                .collect();
            Some(Ok(json!({"entities": clients})))
        }
        (&Method::POST, "verify-secret") => Some(verify_secret(shared, body)),
        (&Method::GET, "stats") => Some(Ok(stats(shared))),
        (&Method::POST, "reset") => {
            reset(shared);
            Some(Ok(json!({"reset": true})))
        }
        _ => None,
    };
    control_reply(result, method, &format!("/__emulator/{rest}"))
}

fn settings(shared: &Shared) -> Value {
    serde_json::to_value(&shared.lock().settings).unwrap_or_default()
}

fn patch_config(shared: &Shared, body: &[u8]) -> Result<Value, String> {
    let patch: SettingsPatch =
        serde_json::from_slice(body).map_err(|e| format!("invalid config: {e}"))?;
    shared.lock().settings.apply(patch)?;
    Ok(settings(shared))
}

/// `{"client_id", "secret"}` → `{"valid"}`: compares with the live secret of any non-deleted
/// client (or the admin), without ever returning it.
fn verify_secret(shared: &Shared, body: &[u8]) -> Result<Value, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Query {
        client_id: String,
        secret: Secret,
    }
    let q: Query =
        serde_json::from_slice(body).map_err(|e| format!("invalid verify request: {e}"))?;
    let valid = if q.client_id == shared.admin_client_id {
        q.secret == shared.admin_client_secret
    } else {
        shared
            .lock()
            .client(&q.client_id)
            .is_some_and(|c: &StoredClient| c.state != ClientState::Deleted && c.secret == q.secret)
    };
    Ok(json!({"valid": valid}))
}

fn stats(shared: &Shared) -> Value {
    let s: Stats = shared.lock().stats.clone();
    let mut v = serde_json::to_value(&s).unwrap_or_default();
    if let Value::Object(m) = &mut v {
        m.insert(
            "api_requests_total".into(),
            s.api_requests.values().sum::<u64>().into(),
        );
        m.insert("faults_fired".into(), shared.faults.fired().into());
    }
    v
}

/// Forgets clients, client tokens, rate-limit windows, stats and fault rules; keeps the admin
/// credentials, admin tokens and settings.
fn reset(shared: &Shared) {
    shared.faults.clear();
    shared.faults.reset_fired();
    let mut inner = shared.lock();
    inner.clients.clear();
    inner.tokens.retain(|_, t| t.admin);
    inner.api_windows.clear();
    inner.token_windows.clear();
    inner.stats = Stats::default();
}
