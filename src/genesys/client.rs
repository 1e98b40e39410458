//! The HTTP client: token, list, create, get, update, delete, regenerate.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use tracing::{debug, warn};
use zeroize::Zeroizing;

use super::error::{ApiError, ErrorKind, Op};
use super::model::{
    ClientListing, ClientRequest, ClientWithSecret, ErrorBody, OAuthClient, TokenError,
    TokenResponse,
};
use super::retry::{parse_retry_after, retryable_status, RetryPolicy};
use crate::endpoints::Endpoints;
use crate::secret::Secret;

/// How gcoauth authenticates: the provider's variables.
pub enum Credentials {
    /// `GENESYSCLOUD_OAUTHCLIENT_ID` + `GENESYSCLOUD_OAUTHCLIENT_SECRET` (client-credentials grant).
    ClientCredentials {
        /// Client id.
        id: String,
        /// Client secret.
        secret: Secret,
    },
    /// `GENESYSCLOUD_ACCESS_TOKEN`, used as is.
    AccessToken(Secret),
}

impl Credentials {
    /// Reads the provider's environment variables; an access token wins, as in the provider.
    pub fn from_env() -> Result<Self, String> {
        if let Some(token) = Secret::from_env("GENESYSCLOUD_ACCESS_TOKEN") {
            return Ok(Credentials::AccessToken(token));
        }
        let id = std::env::var("GENESYSCLOUD_OAUTHCLIENT_ID")
            .ok()
            .filter(|s| !s.trim().is_empty());
        let secret = Secret::from_env("GENESYSCLOUD_OAUTHCLIENT_SECRET");
        match (id, secret) {
            (Some(id), Some(secret)) => Ok(Credentials::ClientCredentials { id, secret }),
            (None, _) => Err(
                "GENESYSCLOUD_OAUTHCLIENT_ID is not set (or set GENESYSCLOUD_ACCESS_TOKEN)".into(),
            ),
            (_, None) => Err(
                "GENESYSCLOUD_OAUTHCLIENT_SECRET is not set (or set GENESYSCLOUD_ACCESS_TOKEN)"
                    .into(),
            ),
        }
    }
}

/// An authenticated Genesys Cloud API client.
pub struct GenesysClient {
    http: reqwest::Client,
    api: Url,
    token: Secret,
    policy: RetryPolicy,
}

/// One attempt's outcome before retry decisions.
enum Attempt {
    Done(Zeroizing<Vec<u8>>),
    Retry(ApiError, Option<Duration>),
    Fail(ApiError),
}

impl GenesysClient {
    /// Builds the HTTP client and obtains an access token (retrying rate limits).
    pub async fn connect(
        endpoints: &Endpoints,
        creds: Credentials,
        policy: RetryPolicy,
    ) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .timeout(policy.request_timeout)
            .connect_timeout(policy.request_timeout.min(Duration::from_secs(10)))
            // A redirect could send the bearer token elsewhere (or to plain http): never follow.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("gcoauth/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| transport(Op::Token, &e))?;
        let token = match creds {
            Credentials::AccessToken(t) => t,
            Credentials::ClientCredentials { id, secret } => {
                fetch_token(&http, &endpoints.login, &id, &secret, &policy).await?
            }
        };
        Ok(GenesysClient {
            http,
            api: endpoints.api.clone(),
            token,
            policy,
        })
    }

    /// Every OAuth client of the organization (the endpoint has no filter and no paging).
    pub async fn list_clients(&self) -> Result<Vec<OAuthClient>, ApiError> {
        let listing: ClientListing = self
            .call(Op::List, Method::GET, "/api/v2/oauth/clients", None)
            .await?;
        Ok(listing.entities)
    }

    /// `GET /api/v2/oauth/clients/{id}`; `None` when 404 or `state: "deleted"`.
    pub async fn get_client(&self, id: &str) -> Result<Option<OAuthClient>, ApiError> {
        match self
            .call::<OAuthClient>(Op::Get, Method::GET, &client_path(id, ""), None)
            .await
        {
            Ok(c) if c.state == "deleted" => Ok(None),
            Ok(c) => Ok(Some(c)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates a client. A lost response (timeout, reset, 5xx after the write) is resolved by
    /// looking for `marker` in the client list: a client carrying it is ours, so its secret is
    /// regenerated instead of creating a duplicate.
    pub async fn create_client(
        &self,
        req: &ClientRequest,
        marker: &str,
    ) -> Result<(OAuthClient, Secret), ApiError> {
        let started = Instant::now();
        let mut attempt = 0u32;
        // Only a 429 proves the server did not act; any other failure may have created the
        // client, even one the marker check below did not see yet (a timed-out POST can still
        // complete later), so only all-429 runs count as "certainly not created".
        let mut all_429 = true;
        loop {
            let outcome = self
                .attempt(Op::Create, Method::POST, "/api/v2/oauth/clients", Some(req))
                .await;
            let (err, wait) = match outcome {
                Attempt::Done(body) => return with_secret(Op::Create, &body),
                Attempt::Fail(e) if all_429 => return Err(e),
                Attempt::Fail(e) => return Err(ambiguous(e)),
                Attempt::Retry(e, wait) => (e, wait),
            };
            if err.status() != Some(429) {
                all_429 = false;
                let found = self.find_by_marker(marker).await.map_err(ambiguous)?;
                if let Some(found) = found.into_iter().next() {
                    warn!(client_id = %found.id, "create response was lost but the client exists; regenerating its secret");
                    let secret = self.regenerate_secret(&found.id).await.map_err(ambiguous)?;
                    return Ok((found, secret));
                }
            }
            let delay = wait.unwrap_or_else(|| self.policy.backoff(attempt));
            if !self.policy.fits(started.elapsed(), delay) {
                return Err(gave_up(err, all_429));
            }
            debug!(op = "create", ?delay, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// Clients whose description carries `marker` (gcoauth's proof of ownership).
    pub async fn find_by_marker(&self, marker: &str) -> Result<Vec<OAuthClient>, ApiError> {
        Ok(self
            .list_clients()
            .await?
            .into_iter()
            .filter(|c| {
                c.state != "deleted" && c.description.as_deref().is_some_and(|d| d.contains(marker))
            })
            .collect())
    }

    /// `PUT /api/v2/oauth/clients/{id}`.
    pub async fn update_client(
        &self,
        id: &str,
        req: &ClientRequest,
    ) -> Result<OAuthClient, ApiError> {
        self.call(Op::Update, Method::PUT, &client_path(id, ""), Some(req))
            .await
    }

    /// `DELETE /api/v2/oauth/clients/{id}`; a 404 counts as success (already gone).
    pub async fn delete_client(&self, id: &str) -> Result<(), ApiError> {
        match self
            .call::<serde::de::IgnoredAny>(Op::Delete, Method::DELETE, &client_path(id, ""), None)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.status() == Some(404) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `POST /api/v2/oauth/clients/{id}/secret`: a new secret (the old one stops working).
    pub async fn regenerate_secret(&self, id: &str) -> Result<Secret, ApiError> {
        let body = self
            .call_raw(
                Op::Regenerate,
                Method::POST,
                &client_path(id, "/secret"),
                None,
            )
            .await?;
        with_secret(Op::Regenerate, &body).map(|(_, s)| s)
    }

    /// Sets `inactive` (the API refuses to delete anything else), deletes, and confirms the
    /// client is gone (404 or `state: "deleted"`).
    pub async fn deactivate_and_delete(&self, client: &OAuthClient) -> Result<(), ApiError> {
        if client.state != "inactive" {
            match self
                .update_client(&client.id, &client.to_request_with_state("inactive"))
                .await
            {
                Ok(_) => {}
                Err(e) if e.status() == Some(404) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        self.delete_client(&client.id).await?;
        for _ in 0..10 {
            if self.get_client(&client.id).await?.is_none() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        Err(ApiError {
            op: Op::Delete,
            kind: ErrorKind::Decode,
            code: None,
            message: format!("client {} still exists after DELETE", client.id),
            context_id: None,
        })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        op: Op,
        method: Method,
        path: &str,
        body: Option<&ClientRequest>,
    ) -> Result<T, ApiError> {
        let raw = self.call_raw(op, method, path, body).await?;
        if raw.is_empty() {
            return serde_json::from_slice(b"null").map_err(|e| decode(op, &e));
        }
        serde_json::from_slice(&raw).map_err(|e| decode(op, &e))
    }

    /// Sends with retries; used for calls that are safe to repeat (GET, PUT, DELETE, and
    /// regenerate, where the last secret returned is the one kept).
    async fn call_raw(
        &self,
        op: Op,
        method: Method,
        path: &str,
        body: Option<&ClientRequest>,
    ) -> Result<Zeroizing<Vec<u8>>, ApiError> {
        let started = Instant::now();
        let mut attempt = 0u32;
        // Only a 429 proves the server did not act; anything else may have executed.
        let mut maybe_applied = false;
        loop {
            match self.attempt(op, method.clone(), path, body).await {
                Attempt::Done(b) => return Ok(b),
                // A write refused after an attempt that may have executed: its outcome is
                // unknown. (A 404 then means the earlier attempt did delete; reads are safe.)
                Attempt::Fail(e)
                    if maybe_applied && method != Method::GET && e.status() != Some(404) =>
                {
                    return Err(ambiguous(e))
                }
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(e, wait) => {
                    maybe_applied |= e.status() != Some(429);
                    let delay = wait.unwrap_or_else(|| self.policy.backoff(attempt));
                    if !self.policy.fits(started.elapsed(), delay) {
                        return Err(gave_up(e, !maybe_applied));
                    }
                    debug!(?op, ?delay, status = ?e.status(), "retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt(
        &self,
        op: Op,
        method: Method,
        path: &str,
        body: Option<&ClientRequest>,
    ) -> Attempt {
        let url = match self.api.join(path) {
            Ok(u) => u,
            Err(e) => {
                return Attempt::Fail(ApiError {
                    op,
                    kind: ErrorKind::Decode,
                    code: None,
                    message: e.to_string(),
                    context_id: None,
                })
            }
        };
        debug!(?op, %method, path, "request");
        let mut req = self
            .http
            .request(method, url)
            .bearer_auth(self.token.expose());
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(transport(op, &e), None),
        };
        let status = resp.status();
        let retry_after = parse_retry_after(
            resp.headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
        );
        let body = match read_body(resp).await {
            Ok(b) => b,
            Err(e) => return Attempt::Retry(transport(op, &e), None),
        };
        debug!(?op, status = status.as_u16(), "response");
        if status.is_success() {
            return Attempt::Done(body);
        }
        let err = api_error(op, status, &body);
        if status == StatusCode::TOO_MANY_REQUESTS {
            Attempt::Retry(err, Some(self.policy.after_429(retry_after, 0)))
        } else if retryable_status(status.as_u16()) {
            Attempt::Retry(err, None)
        } else {
            Attempt::Fail(err)
        }
    }
}

async fn fetch_token(
    http: &reqwest::Client,
    login: &Url,
    id: &str,
    secret: &Secret,
    policy: &RetryPolicy,
) -> Result<Secret, ApiError> {
    let url = login.join("/oauth/token").map_err(|e| ApiError {
        op: Op::Token,
        kind: ErrorKind::Decode,
        code: None,
        message: e.to_string(),
        context_id: None,
    })?;
    let started = Instant::now();
    let mut attempt = 0u32;
    loop {
        debug!("requesting access token");
        let sent = http
            .post(url.clone())
            .basic_auth(id, Some(secret.expose()))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await;
        let (err, wait) = match sent {
            Err(e) => (transport(Op::Token, &e), None),
            Ok(resp) => {
                let status = resp.status();
                let retry_after = parse_retry_after(
                    resp.headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok()),
                );
                let body = read_body(resp)
                    .await
                    .map_err(|e| transport(Op::Token, &e))?;
                if status.is_success() {
                    let parsed: TokenResponse =
                        serde_json::from_slice(&body).map_err(|e| decode(Op::Token, &e))?;
                    if let Some(t) = parsed
                        .token_type
                        .as_deref()
                        .filter(|t| !t.eq_ignore_ascii_case("bearer"))
                    {
                        debug!(
                            token_type = t,
                            "unexpected token type; using it as a bearer token"
                        );
                    }
                    return Ok(parsed.access_token);
                }
                let te: TokenError = serde_json::from_slice(&body).unwrap_or_default();
                let message = te.error_description.or(te.description).unwrap_or_default();
                let rate_limited = status == StatusCode::BAD_REQUEST
                    && te.error.as_deref() == Some("invalid_request")
                    && message
                        .to_ascii_lowercase()
                        .starts_with("rate limit exceeded");
                let err = ApiError {
                    op: Op::Token,
                    kind: ErrorKind::Status(status.as_u16()),
                    code: te.error,
                    message,
                    context_id: None,
                };
                if rate_limited || status == StatusCode::TOO_MANY_REQUESTS {
                    (err, Some(policy.after_429(retry_after, attempt)))
                } else if retryable_status(status.as_u16()) {
                    (err, None)
                } else {
                    return Err(err);
                }
            }
        };
        let delay = wait.unwrap_or_else(|| policy.backoff(attempt));
        if !policy.fits(started.elapsed(), delay) {
            return Err(gave_up(err, false));
        }
        debug!(?delay, "retrying token request");
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// Reads the body into a buffer that is wiped when dropped (create/regenerate bodies hold the
/// secret).
async fn read_body(mut resp: reqwest::Response) -> Result<Zeroizing<Vec<u8>>, reqwest::Error> {
    let mut buf = Zeroizing::new(Vec::with_capacity(
        resp.content_length().unwrap_or(1024).min(1 << 20) as usize,
    ));
    while let Some(chunk) = resp.chunk().await? {
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

fn with_secret(op: Op, body: &[u8]) -> Result<(OAuthClient, Secret), ApiError> {
    let parsed: ClientWithSecret = serde_json::from_slice(body).map_err(|e| decode(op, &e))?;
    match parsed.secret {
        Some(s) if !s.is_empty() => Ok((parsed.client, s)),
        _ => Err(ApiError {
            op,
            kind: ErrorKind::Decode,
            code: None,
            message: "the response carries no secret".into(),
            context_id: None,
        }),
    }
}

fn client_path(id: &str, suffix: &str) -> String {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("/api/v2/oauth/clients/{id}{suffix}")
}

fn api_error(op: Op, status: StatusCode, body: &[u8]) -> ApiError {
    let eb: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
    ApiError {
        op,
        kind: ErrorKind::Status(status.as_u16()),
        code: eb.code,
        message: eb
            .message
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_string()),
        context_id: eb.context_id,
    }
}

fn transport(op: Op, e: &reqwest::Error) -> ApiError {
    // reqwest's Display includes the URL (no credentials: we never put any in URLs).
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let mut message = what.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message = format!("{message}: {s}");
        source = s.source();
    }
    ApiError {
        op,
        kind: ErrorKind::Transport,
        code: None,
        message,
        context_id: None,
    }
}

fn decode(op: Op, e: &serde_json::Error) -> ApiError {
    // Only the category and position: serde_json's own text can quote a value from the body.
    let message = format!(
        "{:?} error at line {} column {}",
        e.classify(),
        e.line(),
        e.column()
    );
    ApiError {
        op,
        kind: ErrorKind::Decode,
        code: None,
        message,
        context_id: None,
    }
}

/// The last answer of a failed call in a few words: `HTTP 503 code: message`, or the
/// transport error.
fn last_answer(last: &ApiError) -> String {
    match last.status() {
        Some(s) => {
            let code = last
                .code
                .as_deref()
                .map(|c| format!(" {c}"))
                .unwrap_or_default();
            let msg = if last.message.is_empty() {
                String::new()
            } else {
                format!(": {}", last.message)
            };
            format!("HTTP {s}{code}{msg}")
        }
        None => last.message.clone(),
    }
}

/// An error after an earlier attempt that may have taken effect: the outcome is unknown.
fn ambiguous(last: ApiError) -> ApiError {
    let message = format!(
        "an earlier attempt got no definite answer and may have taken effect; then: {}",
        last_answer(&last)
    );
    ApiError {
        kind: ErrorKind::Ambiguous,
        message,
        ..last
    }
}

fn gave_up(last: ApiError, not_applied: bool) -> ApiError {
    let message = match last.status() {
        Some(_) => format!("last answer {}", last_answer(&last)),
        None => format!("last error: {}", last.message),
    };
    ApiError {
        kind: ErrorKind::GaveUp { not_applied },
        message,
        ..last
    }
}
