//! A reverse proxy for AWS Secrets Manager (JSON 1.1 over `POST /`, action in
//! `X-Amz-Target: secretsmanager.<Action>`) that forwards requests byte-exact to an upstream
//! (moto in tests) and injects faults per action. Control plane under `/__proxy/`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::faults::{self, FaultSet};
use super::http::{control_reply, json_response, read_body, response, Dropped, Resp};
use super::server::{EmulatorHandle, ServerTask};

/// Ready-made AWS errors for the `fault` member of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwsFault {
    /// 400 `AccessDeniedException`.
    AccessDenied,
    /// 400 `ThrottlingException`.
    Throttling,
    /// 500 `InternalServiceError`.
    Internal,
    /// 503 `ServiceUnavailable`.
    Unavailable,
}

impl AwsFault {
    fn status(self) -> u16 {
        match self {
            AwsFault::AccessDenied | AwsFault::Throttling => 400,
            AwsFault::Internal => 500,
            AwsFault::Unavailable => 503,
        }
    }
}

/// Which requests a proxy fault rule applies to, and its ready-made error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct ActionMatcher {
    /// Action name (`PutSecretValue`); `None` = any.
    action: Option<String>,
    fault: Option<AwsFault>,
}

/// A running proxy.
pub struct AwsProxy {
    task: ServerTask,
}

struct ProxyState {
    upstream: String,
    client: reqwest::Client,
    faults: FaultSet<ActionMatcher>,
    /// Requests per action (before faults).
    stats: Mutex<BTreeMap<String, u64>>,
}

impl AwsProxy {
    /// Starts a proxy on `bind` forwarding to `upstream` (e.g. `http://127.0.0.1:5000`).
    pub async fn start(upstream: String, bind: SocketAddr) -> anyhow::Result<AwsProxy> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .context("cannot build the HTTP client for the AWS upstream")?;
        let state = Arc::new(ProxyState {
            upstream: upstream.trim_end_matches('/').to_owned(),
            client,
            faults: FaultSet::default(),
            stats: Mutex::default(),
        });
        let task = ServerTask::spawn(bind, move |req| handle(Arc::clone(&state), req)).await?;
        Ok(AwsProxy { task })
    }

    /// Starts a proxy on its own thread and runtime, for synchronous tests.
    pub fn spawn_blocking_runtime(
        upstream: String,
        bind: SocketAddr,
    ) -> anyhow::Result<EmulatorHandle> {
        EmulatorHandle::spawn(move || AwsProxy::start(upstream, bind))
    }

    /// `http://127.0.0.1:PORT`: use as the Secrets Manager endpoint URL.
    pub fn base_url(&self) -> String {
        self.task.base_url()
    }

    /// Stops serving.
    pub async fn shutdown(self) {
        self.task.shutdown().await;
    }
}

impl From<AwsProxy> for ServerTask {
    fn from(proxy: AwsProxy) -> ServerTask {
        proxy.task
    }
}

async fn handle(state: Arc<ProxyState>, req: Request<Incoming>) -> Result<Resp, Dropped> {
    let (parts, body) = req.into_parts();
    let Some(body) = read_body(body).await else {
        return Ok(aws_error(
            400,
            "SerializationException",
            "request body too large or unreadable",
        ));
    };
    if let Some(rest) = parts.uri.path().strip_prefix("/__proxy/") {
        return Ok(control(&state, &parts.method, rest, &body));
    }
    let action = action_of(&parts.headers);
    *state
        .stats
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(action.clone())
        .or_default() += 1;
    let fired = state
        .faults
        .check(|m| m.action.as_deref().is_none_or(|a| a == action));
    let ready_made = fired.as_ref().and_then(|(m, _)| m.fault);
    let operation = forward(&state, &parts.method, &parts.uri, &parts.headers, body);
    let synth = |status: u16, body: Option<Value>| match (body, ready_made) {
        (Some(b), _) => {
            let kind = b
                .get("__type")
                .and_then(Value::as_str)
                .unwrap_or("InternalServiceError")
                .to_owned();
            with_error_type(json_response(status, &b), &kind)
        }
        (None, Some(f)) => default_error(status, f, &action),
        (None, None) => error_for_status(status),
    };
    let result = faults::apply(fired.map(|(_, a)| a), operation, synth).await;
    if let Ok(resp) = &result {
        tracing::debug!(action = %action_of(&parts.headers), status = resp.status().as_u16(), "aws proxy request");
    }
    result
}

/// `secretsmanager.PutSecretValue` → `PutSecretValue`; `unknown` without the header.
fn action_of(headers: &HeaderMap) -> String {
    headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(|t| t.rsplit('.').next().unwrap_or(t).to_owned())
        .unwrap_or_else(|| "unknown".into())
}

/// Headers that describe one hop, not the message; hyper/reqwest set their own.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
    ) || name == CONTENT_LENGTH
}

/// Forwards the request unchanged (method, path, query, headers incl. `Host`, body bytes).
async fn forward(
    state: &ProxyState,
    method: &Method,
    uri: &hyper::Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Resp {
    let url = format!(
        "{}{}",
        state.upstream,
        uri.path_and_query().map_or("/", |p| p.as_str())
    );
    let mut out = HeaderMap::new();
    for (k, v) in headers.iter().filter(|(k, _)| !hop_by_hop(k)) {
        out.append(k.clone(), v.clone());
    }
    let sent = state
        .client
        .request(method.clone(), url)
        .headers(out)
        .body(body)
        .send()
        .await;
    let upstream = match sent {
        Ok(r) => r,
        Err(e) => {
            return aws_error(
                502,
                "ProxyUpstreamError",
                &format!("upstream unreachable: {e}"),
            )
        }
    };
    let status = upstream.status().as_u16();
    let headers = upstream.headers().clone();
    let bytes = match upstream.bytes().await {
        Ok(b) => b,
        Err(e) => {
            return aws_error(
                502,
                "ProxyUpstreamError",
                &format!("upstream body failed: {e}"),
            )
        }
    };
    let mut resp = response(status, bytes);
    for (k, v) in headers.iter().filter(|(k, _)| !hop_by_hop(k) && *k != HOST) {
        resp.headers_mut().append(k.clone(), v.clone());
    }
    resp
}

/// An AWS JSON 1.1 error response.
fn aws_error(status: u16, kind: &str, message: &str) -> Resp {
    with_error_type(
        json_response(status, &json!({"__type": kind, "Message": message})),
        kind,
    )
}

fn with_error_type(mut resp: Resp, kind: &str) -> Resp {
    let headers = resp.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(v) = HeaderValue::from_str(kind) {
        headers.insert("x-amzn-errortype", v);
    }
    resp
}

/// The body of a ready-made fault (status may be overridden by the rule).
fn default_error(status: u16, fault: AwsFault, action: &str) -> Resp {
    match fault {
        AwsFault::AccessDenied => aws_error(
            status,
            "AccessDeniedException",
            &format!(
                "User: arn:aws:iam::123456789012:user/gcoauth-test is not authorized to perform: \
                 secretsmanager:{action} because no identity-based policy allows the secretsmanager:{action} action"
            ),
        ),
        AwsFault::Throttling => aws_error(status, "ThrottlingException", "Rate exceeded"),
        AwsFault::Internal => aws_error(status, "InternalServiceError", "An internal error occurred (injected)."),
        AwsFault::Unavailable => aws_error(status, "ServiceUnavailable", "Service Unavailable (injected)."),
    }
}

/// The body for a bare `status` rule.
fn error_for_status(status: u16) -> Resp {
    let kind = match status {
        400 => "InvalidRequestException",
        403 => "AccessDeniedException",
        404 => "ResourceNotFoundException",
        429 => "ThrottlingException",
        503 => "ServiceUnavailable",
        _ => "InternalServiceError",
    };
    aws_error(status, kind, "injected fault")
}

/// Serves `/__proxy/{rest}`.
fn control(state: &ProxyState, method: &Method, rest: &str, body: &[u8]) -> Resp {
    let rest = rest.trim_end_matches('/');
    let stats = || state.stats.lock().unwrap_or_else(PoisonError::into_inner);
    let result = match (method, rest) {
        (m, "faults") => state
            .faults
            .control(m, body, &["action", "fault"], |m, action| {
                let matcher = matcher_from(m)?;
                // A ready-made fault brings its status unless the rule names one.
                if let (Some(f), None) = (matcher.fault, action.status) {
                    action.status = Some(f.status());
                }
                Ok(matcher)
            }),
        (&Method::GET, "stats") => Some(Ok(
            json!({"actions": *stats(), "faults_fired": state.faults.fired()}),
        )),
        (&Method::POST, "reset") => {
            state.faults.clear();
            state.faults.reset_fired();
            stats().clear();
            Some(Ok(json!({"reset": true})))
        }
        _ => None,
    };
    control_reply(result, method, &format!("/__proxy/{rest}"))
}

fn matcher_from(m: Map<String, Value>) -> Result<ActionMatcher, String> {
    let action = match m.get("action") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("action must be a string".into()),
    };
    let fault = match m.get("fault") {
        None | Some(Value::Null) => None,
        Some(v) => {
            Some(serde_json::from_value(v.clone()).map_err(|e| format!("invalid fault: {e}"))?)
        }
    };
    Ok(ActionMatcher { action, fault })
}
