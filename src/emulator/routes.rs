//! Request dispatch: control plane, fault rules, the token endpoint and the six OAuth client
//! routes under `/api/v2/oauth/clients`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Request};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::auth::{self, Permission};
use super::errors::{ApiError, TokenError};
use super::faults;
use super::http::{json_response, read_body, response, Dropped, Resp};
use super::model::{ClientRequest, ClientState, StoredClient};
use super::state::{Inner, Shared};
use super::{control, http};

/// Base path of the client endpoints.
pub const CLIENTS: &str = "/api/v2/oauth/clients";
/// The login host's token path.
pub const TOKEN: &str = "/oauth/token";

/// Which requests an emulator fault rule applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteMatcher {
    /// HTTP method (case-insensitive); `None` = any.
    pub method: Option<String>,
    /// Path pattern; `*` matches exactly one segment; `None` = any path.
    pub path: Option<String>,
}

impl RouteMatcher {
    /// Builds a matcher from a rule's `method` and `path` members.
    pub fn from_json(map: Map<String, Value>) -> Result<RouteMatcher, String> {
        let text = |k: &str| match map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("{k} must be a string")),
        };
        Ok(RouteMatcher {
            method: text("method")?,
            path: text("path")?,
        })
    }

    /// Whether a request matches.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|p| path_matches(p, path))
    }
}

/// Segment-wise match; `*` stands for any one segment.
fn path_matches(pattern: &str, path: &str) -> bool {
    let (mut p, mut s) = (
        pattern.trim_end_matches('/').split('/'),
        path.trim_end_matches('/').split('/'),
    );
    loop {
        match (p.next(), s.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => {}
            _ => return false,
        }
    }
}

/// The six operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    List,
    Create,
    Get,
    Update,
    Delete,
    Regenerate,
}

impl Op {
    fn permission(self) -> Permission {
        match self {
            Op::List | Op::Get => Permission::View,
            Op::Create => Permission::Add,
            Op::Update | Op::Regenerate => Permission::Edit,
            Op::Delete => Permission::Delete,
        }
    }

    /// Stats key.
    fn template(self) -> &'static str {
        match self {
            Op::List => "GET /api/v2/oauth/clients",
            Op::Create => "POST /api/v2/oauth/clients",
            Op::Get => "GET /api/v2/oauth/clients/{id}",
            Op::Update => "PUT /api/v2/oauth/clients/{id}",
            Op::Delete => "DELETE /api/v2/oauth/clients/{id}",
            Op::Regenerate => "POST /api/v2/oauth/clients/{id}/secret",
        }
    }
}

/// Where a request goes.
enum Resolved<'a> {
    Op(Op, &'a str),
    /// A client path with a method it does not support.
    BadMethod,
    Unknown,
}

fn resolve<'a>(method: &Method, path: &'a str) -> Resolved<'a> {
    let Some(rest) = path
        .strip_prefix(CLIENTS)
        .filter(|r| r.is_empty() || r.starts_with('/'))
    else {
        return Resolved::Unknown;
    };
    let segs: Vec<&str> = rest.trim_end_matches('/').split('/').skip(1).collect();
    let op = match (segs.as_slice(), method) {
        ([], &Method::GET) => Op::List,
        ([], &Method::POST) => Op::Create,
        ([], _) => return Resolved::BadMethod,
        ([_], &Method::GET) => Op::Get,
        ([_], &Method::PUT) => Op::Update,
        ([_], &Method::DELETE) => Op::Delete,
        ([_], _) => return Resolved::BadMethod,
        ([_, "secret"], &Method::POST) => Op::Regenerate,
        ([_, "secret"], _) => return Resolved::BadMethod,
        _ => return Resolved::Unknown,
    };
    Resolved::Op(op, segs.first().copied().unwrap_or(""))
}

/// Serves one request.
pub async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Resp, Dropped> {
    let (parts, body) = req.into_parts();
    let (method, path) = (parts.method, parts.uri.path().to_owned());
    let ctx = uuid::Uuid::new_v4().to_string();
    let Some(body) = read_body(body).await else {
        return Ok(
            ApiError::bad_request("The request body is too large or unreadable.").response(&ctx),
        );
    };
    if let Some(rest) = path.strip_prefix("/__emulator/") {
        return Ok(control::handle(&shared, &method, rest, &body));
    }
    let is_token = path == TOKEN;
    count(&shared, &method, &path, is_token);
    let fault = shared
        .faults
        .check(|m| m.matches(method.as_str(), &path))
        .map(|(_, a)| a);
    let operation = async { execute(&shared, &method, &path, &parts.headers, &body, &ctx) };
    let synth = |status: u16, body: Option<Value>| match body {
        Some(b) => json_response(status, &b),
        None if is_token => TokenError::for_status(status).response(),
        None => ApiError {
            status,
            ..ApiError::for_status(status)
        }
        .response(&ctx),
    };
    let result = faults::apply(fault, operation, synth).await;
    match &result {
        Ok(resp) => tracing::debug!(%method, %path, status = resp.status().as_u16(), "request"),
        Err(_) => tracing::debug!(%method, %path, "request dropped by fault rule"),
    }
    result.map(|mut resp| {
        if let Ok(v) = HeaderValue::from_str(&ctx) {
            resp.headers_mut().insert("inin-correlation-id", v);
        }
        resp
    })
}

/// Counts a request in the stats, before faults and auth so every attempt shows.
fn count(shared: &Shared, method: &Method, path: &str, is_token: bool) {
    let mut inner = shared.lock();
    if is_token {
        inner.stats.token_requests += 1;
        return;
    }
    let key = match resolve(method, path) {
        Resolved::Op(op, _) => op.template().to_owned(),
        _ => "other".to_owned(),
    };
    *inner.stats.api_requests.entry(key).or_default() += 1;
}

fn execute(
    shared: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &Bytes,
    ctx: &str,
) -> Resp {
    if path == TOKEN {
        if method != Method::POST {
            return TokenError::invalid_request("the token endpoint only accepts POST").response();
        }
        return auth::token_endpoint(shared, headers, body);
    }
    api(shared, method, path, headers, body).unwrap_or_else(|e| e.response(ctx))
}

/// The authenticated, rate-limited, permission-checked client API.
fn api(
    shared: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Resp, ApiError> {
    let resolved = resolve(method, path);
    if matches!(resolved, Resolved::Unknown) {
        return Err(ApiError::not_found());
    }
    let mut inner = shared.lock();
    let now = Instant::now();
    let caller = auth::authenticate(&mut inner, headers, now)?;
    let (limit, window) = (
        inner.settings.api_rate_limit,
        Duration::from_secs(inner.settings.rate_window_secs),
    );
    if let Err(retry) = inner.api_windows.hit(&caller.token, limit, window, now) {
        inner.stats.rate_limited += 1;
        return Err(ApiError::too_many_requests(retry));
    }
    let Resolved::Op(op, id) = resolved else {
        return Err(ApiError::new(
            405,
            "method.not.allowed",
            format!("HTTP method {method} is not supported here."),
        ));
    };
    caller.require(op.permission())?;
    let user = shared.user_id.as_str();
    match op {
        Op::List => Ok(list(&inner)),
        Op::Create => {
            let req = json_body(headers, body)?;
            let live = inner
                .clients
                .iter()
                .filter(|c| c.state != ClientState::Deleted)
                .count();
            if live >= inner.settings.max_clients {
                return Err(ApiError::new(
                    400,
                    "auth.too.many.clients",
                    "Too many clients exist in this organization.",
                ));
            }
            let client = StoredClient::create(req, user);
            let out = client.to_json(true);
            inner.clients.push(client);
            Ok(json_response(200, &out))
        }
        Op::Get => {
            let show_deleted = inner.settings.deleted_visible;
            let client = inner
                .client(id)
                .filter(|c| show_deleted || c.state != ClientState::Deleted);
            client
                .map(|c| json_response(200, &c.to_json(false)))
                .ok_or_else(ApiError::not_found)
        }
        Op::Update => {
            let req = json_body(headers, body);
            let client = live_client(&mut inner, id)?;
            client.update(req?, user);
            Ok(json_response(200, &client.to_json(false)))
        }
        Op::Delete => {
            let status = inner.settings.delete_status;
            let client = live_client(&mut inner, id)?;
            if client.state != ClientState::Inactive {
                return Err(ApiError::new(
                    400,
                    "cannot.delete.client",
                    "Clients must be marked as inactive to be eligible for deletion.",
                ));
            }
            client.state = ClientState::Deleted;
            client.touch(user);
            Ok(response(status, Bytes::new()))
        }
        Op::Regenerate => {
            let client = live_client(&mut inner, id)?;
            client.secret = super::model::new_client_secret();
            client.touch(user);
            Ok(json_response(200, &client.to_json(true)))
        }
    }
}

/// 415 unless the body is declared JSON, then parse and validate it.
fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<ClientRequest, ApiError> {
    if !http::is_json(headers) {
        return Err(ApiError::new(
            415,
            "unsupported.media.type",
            "Unsupported Media Type - Unsupported or incorrect media type. Use application/json.",
        ));
    }
    ClientRequest::parse(body)
}

/// A client that exists and is not deleted, or 404.
fn live_client<'a>(inner: &'a mut Inner, id: &str) -> Result<&'a mut StoredClient, ApiError> {
    inner
        .client_mut(id)
        .filter(|c| c.state != ClientState::Deleted)
        .ok_or_else(ApiError::not_found)
}

/// `OAuthClientEntityListing`: everything on one page (the endpoint takes no paging parameters).
fn list(inner: &Inner) -> Resp {
    let show_deleted = inner.settings.deleted_visible;
    let entities: Vec<Value> = inner
        .clients
        .iter()
        .filter(|c| show_deleted || c.state != ClientState::Deleted)
        .map(|c| c.to_json(false))
        .collect();
    let n = entities.len();
    let uri = format!("{CLIENTS}?pageSize={n}&pageNumber=1");
    json_response(
        200,
        &json!({
            "entities": entities,
            "pageSize": n,
            "pageNumber": 1,
            "total": n,
            "firstUri": uri,
            "lastUri": uri,
            "selfUri": uri,
            "pageCount": 1,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(path_matches(
            "/api/v2/oauth/clients/*/secret",
            "/api/v2/oauth/clients/abc/secret"
        ));
        assert!(!path_matches(
            "/api/v2/oauth/clients/*/secret",
            "/api/v2/oauth/clients/abc"
        ));
        assert!(!path_matches(
            "/api/v2/oauth/clients",
            "/api/v2/oauth/clients/abc"
        ));
        assert!(path_matches(
            "/api/v2/oauth/clients/",
            "/api/v2/oauth/clients"
        ));
        let m = RouteMatcher {
            method: Some("post".into()),
            path: Some(CLIENTS.into()),
        };
        assert!(m.matches("POST", CLIENTS) && !m.matches("GET", CLIENTS));
    }

    #[test]
    fn resolution() {
        assert!(matches!(
            resolve(&Method::POST, "/api/v2/oauth/clients/x/secret"),
            Resolved::Op(Op::Regenerate, "x")
        ));
        assert!(matches!(
            resolve(&Method::PATCH, "/api/v2/oauth/clients/x"),
            Resolved::BadMethod
        ));
        assert!(matches!(
            resolve(&Method::GET, "/api/v2/oauth/clientsx"),
            Resolved::Unknown
        ));
        assert!(matches!(
            resolve(&Method::GET, "/api/v2/oauth/clients/x/y/z"),
            Resolved::Unknown
        ));
    }
}
