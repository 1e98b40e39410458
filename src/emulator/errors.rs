//! Genesys-shaped error responses: the Platform API's `ErrorBody` and the login host's OAuth
//! error (`{error, description, error_description}`), both as documented in
//! `genesys-api.md` §2.1 and §3.

use serde_json::{json, Value};

use super::http::{json_response, Resp};

/// An error from an `/api/v2/...` route, rendered as an `ErrorBody`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Dotted Genesys error code, e.g. `bad.request`.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Seconds for the `Retry-After` header (429 only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400 `bad.request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "bad.request", message)
    }

    /// 400 `invalid.value`.
    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self::new(400, "invalid.value", message)
    }

    /// 404 `not.found`.
    pub fn not_found() -> Self {
        Self::new(404, "not.found", "The requested resource was not found.")
    }

    /// The normalised 429 (forum post "Normalized Platform API 429 responses").
    pub fn too_many_requests(retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..Self::new(
                429,
                "too.many.requests.retry.after",
                format!(
                    "Rate limit exceeded the maximum. Retry the request in [{retry_after}] seconds"
                ),
            )
        }
    }

    /// The error a fault rule injects for `status` when it gives no body of its own.
    pub fn for_status(status: u16) -> Self {
        let (code, message) = match status {
            400 => (
                "bad.request",
                "The request could not be understood by the server due to malformed syntax.",
            ),
            401 => (
                "authentication.required",
                "No authentication bearer token specified in authorization header.",
            ),
            403 => (
                "missing.permissions",
                "Unable to perform the requested action.",
            ),
            404 => return Self::not_found(),
            415 => (
                "unsupported.media.type",
                "Unsupported Media Type - Unsupported or incorrect media type.",
            ),
            429 => return Self::too_many_requests(1),
            503 => ("service.unavailable", "Service is currently unavailable."),
            504 => ("request.timeout", "The request timed out."),
            _ => (
                "internal.server.error",
                "The server encountered an unexpected condition.",
            ),
        };
        Self::new(status, code, message)
    }

    /// The `ErrorBody` JSON for this error.
    pub fn body(&self, context_id: &str) -> Value {
        json!({
            "message": self.message,
            "code": self.code,
            "status": self.status,
            "contextId": context_id,
            "details": [],
            "errors": [],
        })
    }

    /// The full response, with `Retry-After` when set.
    pub fn response(&self, context_id: &str) -> Resp {
        let mut resp = json_response(self.status, &self.body(context_id));
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(hyper::header::RETRY_AFTER, secs.into());
        }
        resp
    }
}

/// An error from the login host's `/oauth/token`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {error}: {description}")]
pub struct TokenError {
    /// HTTP status.
    pub status: u16,
    /// OAuth error code (`invalid_client`, `invalid_request`, `unsupported_grant_type`).
    pub error: &'static str,
    /// Sent as both `description` and `error_description`, as the real endpoint does.
    pub description: String,
}

impl TokenError {
    /// Bad or missing client credentials. 401 is our choice (the doc leaves 400 vs 401 open).
    pub fn invalid_client() -> Self {
        TokenError {
            status: 401,
            error: "invalid_client",
            description: "authentication failed".into(),
        }
    }

    /// 400 `invalid_request` with the given description.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        TokenError {
            status: 400,
            error: "invalid_request",
            description: description.into(),
        }
    }

    /// The token endpoint's own rate limit: HTTP 400, description starting "rate limit exceeded;"
    /// (the string the official provider matches on before retrying).
    pub fn rate_limited(retry_after: u64) -> Self {
        Self::invalid_request(format!(
            "rate limit exceeded; retry the request in {retry_after} seconds"
        ))
    }

    /// A grant other than `client_credentials`.
    pub fn unsupported_grant(grant: &str) -> Self {
        TokenError {
            status: 400,
            error: "unsupported_grant_type",
            description: format!("Unsupported grant type: {grant}"),
        }
    }

    /// What a fault rule injects on the token endpoint for `status` without a body of its own.
    pub fn for_status(status: u16) -> Self {
        match status {
            400 => Self::rate_limited(1),
            401 => Self::invalid_client(),
            _ => TokenError {
                status,
                error: "server_error",
                description: "the server encountered an error".into(),
            },
        }
    }

    /// The full response.
    pub fn response(&self) -> Resp {
        json_response(
            self.status,
            &json!({"error": self.error, "description": self.description, "error_description": self.description}),
        )
    }
}
