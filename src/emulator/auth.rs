//! The login host's client-credentials grant (`POST /oauth/token`) and bearer-token checks with
//! `oauth:client:*` permissions.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use base64::Engine;
use hyper::header::{HeaderMap, AUTHORIZATION};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::errors::{ApiError, TokenError};
use super::http::{json_response, Resp};
use super::model::{ClientState, GrantType, DEFAULT_VALIDITY};
use super::state::{Inner, Shared, Token};
use crate::secret::Secret;

/// The four permissions guarding the OAuth client endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Permission {
    #[serde(rename = "oauth:client:view")]
    View,
    #[serde(rename = "oauth:client:add")]
    Add,
    #[serde(rename = "oauth:client:edit")]
    Edit,
    #[serde(rename = "oauth:client:delete")]
    Delete,
}

impl Permission {
    /// All four.
    pub const ALL: [Permission; 4] = [
        Permission::View,
        Permission::Add,
        Permission::Edit,
        Permission::Delete,
    ];

    /// The permission string.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::View => "oauth:client:view",
            Permission::Add => "oauth:client:add",
            Permission::Edit => "oauth:client:edit",
            Permission::Delete => "oauth:client:delete",
        }
    }
}

/// Who made an API request.
#[derive(Debug)]
pub struct Caller {
    /// The bearer token (rate-limit key).
    pub token: String,
    pub permissions: BTreeSet<Permission>,
}

impl Caller {
    /// 403 `missing.any.permissions` unless the caller holds `p`.
    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        if self.permissions.contains(&p) {
            return Ok(());
        }
        Err(ApiError::new(
            403,
            "missing.any.permissions",
            format!(
                "Unable to perform the requested action. You must have at least one of the following permissions assigned: [{}]",
                p.as_str()
            ),
        ))
    }
}

/// Checks the `Authorization: Bearer` header against minted tokens.
pub fn authenticate(
    inner: &mut Inner,
    headers: &HeaderMap,
    now: Instant,
) -> Result<Caller, ApiError> {
    let bad = || ApiError::new(401, "bad.credentials", "Invalid login credentials.");
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(ApiError::new(
            401,
            "authentication.required",
            "No authentication bearer token specified in authorization header.",
        ));
    };
    let value = value.to_str().map_err(|_| bad())?;
    let token = match value.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim(),
        _ => return Err(bad()),
    };
    let info = inner.tokens.get(token).cloned().ok_or_else(bad)?;
    if now >= info.expires {
        inner.tokens.remove(token);
        return Err(bad());
    }
    let permissions = if info.admin {
        inner.settings.admin_permissions.clone()
    } else {
        // A disabled or deleted client's tokens stop working (SDK doc on `state`).
        match inner.client(&info.client_id).map(|c| c.state) {
            Some(ClientState::Active | ClientState::Inactive) => BTreeSet::new(),
            _ => return Err(bad()),
        }
    };
    Ok(Caller {
        token: token.to_owned(),
        permissions,
    })
}

/// `POST /oauth/token` (client-credentials grant only).
pub fn token_endpoint(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Resp {
    match mint(shared, headers, body) {
        Ok(resp) => resp,
        Err(e) => e.response(),
    }
}

fn mint(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<Resp, TokenError> {
    let (client_id, presented) =
        basic_credentials(headers).ok_or_else(TokenError::invalid_client)?;
    let mut inner = shared.lock();
    let now = Instant::now();
    let (limit, window) = (
        inner.settings.token_rate_limit,
        Duration::from_secs(inner.settings.rate_window_secs),
    );
    if let Err(retry) = inner.token_windows.hit(&client_id, limit, window, now) {
        inner.stats.token_rate_limited += 1;
        return Err(TokenError::rate_limited(retry));
    }
    match url::form_urlencoded::parse(body).find(|(k, _)| k == "grant_type") {
        None => return Err(TokenError::invalid_request("grant_type is required")),
        Some((_, g)) if g != "client_credentials" => return Err(TokenError::unsupported_grant(&g)),
        Some(_) => {}
    }
    let admin = client_id == shared.admin_client_id && presented == shared.admin_client_secret;
    let client_validity = if admin {
        DEFAULT_VALIDITY
    } else {
        // Only active client-credentials clients may mint tokens ("inactive: no new tokens").
        inner
            .client(&client_id)
            .filter(|c| {
                c.state == ClientState::Active
                    && c.fields.grant == GrantType::ClientCredentials
                    && c.secret == presented
            })
            .map(|c| c.fields.validity)
            .ok_or_else(TokenError::invalid_client)?
    };
    let ttl = inner.settings.token_ttl_secs.unwrap_or(client_validity);
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    inner.tokens.insert(
        token.clone(),
        Token {
            client_id,
            admin,
            expires: now + Duration::from_secs(ttl),
        },
    );
    Ok(json_response(
        200,
        &json!({"access_token": token, "token_type": "bearer", "expires_in": ttl}),
    ))
}

/// `Authorization: Basic base64(id:secret)` → (id, secret).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, Secret)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = Secret::new(String::from_utf8(decoded).ok()?);
    let (id, pw) = text.expose().split_once(':')?;
    Some((id.to_owned(), Secret::new(pw.to_owned())))
}
