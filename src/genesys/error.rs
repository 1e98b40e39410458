//! Errors from the Genesys Cloud API, phrased for the person running Terraform.

use std::fmt;

/// Which API operation failed; it fixes the permission named in 401/403 messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `POST /oauth/token`.
    Token,
    /// `GET /api/v2/oauth/clients`.
    List,
    /// `POST /api/v2/oauth/clients`.
    Create,
    /// `GET /api/v2/oauth/clients/{id}`.
    Get,
    /// `PUT /api/v2/oauth/clients/{id}`.
    Update,
    /// `DELETE /api/v2/oauth/clients/{id}`.
    Delete,
    /// `POST /api/v2/oauth/clients/{id}/secret`.
    Regenerate,
}

impl Op {
    /// What the operation does, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Op::Token => "get an access token (client-credentials grant)",
            Op::List => "list OAuth clients",
            Op::Create => "create the OAuth client",
            Op::Get => "read the OAuth client",
            Op::Update => "update the OAuth client",
            Op::Delete => "delete the OAuth client",
            Op::Regenerate => "regenerate the OAuth client secret",
        }
    }

    /// The permission the admin OAuth client needs for this operation.
    pub fn permission(self) -> Option<&'static str> {
        match self {
            Op::Token => None,
            Op::List | Op::Get => Some("oauth:client:view"),
            Op::Create => Some("oauth:client:add"),
            Op::Update | Op::Regenerate => Some("oauth:client:edit"),
            Op::Delete => Some("oauth:client:delete"),
        }
    }
}

/// What kind of failure, so callers can branch (retry, treat 404 as gone, roll back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// No response: connection refused/reset, DNS, TLS, or the request timed out.
    /// The request may or may not have been executed.
    Transport,
    /// The server answered with this HTTP status.
    Status(u16),
    /// A 2xx response whose body could not be read as expected.
    Decode,
    /// A failure after an attempt that may have executed: whether the call took effect is
    /// unknown.
    Ambiguous,
    /// Retries ran out of their time budget. `not_applied`: no attempt can have taken effect
    /// (each was refused with 429, or a lost create was ruled out by the marker check).
    GaveUp {
        /// Whether the call certainly did not take effect.
        not_applied: bool,
    },
}

/// A failed API call. Its text never contains a secret: response bodies are only parsed into
/// the documented `ErrorBody` fields, never echoed.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ApiError {
    /// The operation.
    pub op: Op,
    /// What happened.
    pub kind: ErrorKind,
    /// Genesys error `code` (e.g. `missing.any.permissions`) or the token endpoint's `error`.
    pub code: Option<String>,
    /// Genesys `message` / `error_description`, or the transport error text.
    pub message: String,
    /// Genesys `contextId` (quote it to Genesys support).
    pub context_id: Option<String>,
}

impl ApiError {
    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            ErrorKind::Status(s) => Some(s),
            _ => None,
        }
    }

    /// True when the call certainly did not take effect (the server rejected it with a 4xx).
    pub fn definitely_not_applied(&self) -> bool {
        match self.kind {
            ErrorKind::Status(s) => (400..500).contains(&s),
            ErrorKind::GaveUp { not_applied } => not_applied,
            _ => false,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Genesys Cloud: could not {}", self.op.describe())?;
        match &self.kind {
            ErrorKind::Transport => write!(f, ": no response ({})", self.message)?,
            ErrorKind::Decode => write!(f, ": unexpected response body ({})", self.message)?,
            ErrorKind::Ambiguous => write!(f, ": outcome unknown ({})", self.message)?,
            ErrorKind::GaveUp { .. } => write!(f, ": gave up retrying ({})", self.message)?,
            ErrorKind::Status(s) => {
                write!(f, ": HTTP {s}")?;
                if let Some(c) = &self.code {
                    write!(f, " {c}")?;
                }
                if !self.message.is_empty() {
                    write!(f, ": {}", self.message)?;
                }
            }
        }
        if let Some(id) = &self.context_id {
            write!(f, " (contextId {id})")?;
        }
        match (self.status(), self.op.permission(), self.code.as_deref()) {
            (_, _, Some("auth.too.many.clients")) => write!(
                f,
                ". The organization has reached its OAuth client limit: delete unused clients or ask Genesys support to raise it"
            )?,
            (Some(401), _, _) if self.op == Op::Token => write!(
                f,
                ". Check GENESYSCLOUD_OAUTHCLIENT_ID / GENESYSCLOUD_OAUTHCLIENT_SECRET and GENESYSCLOUD_REGION (the client must use the Client Credentials grant)"
            )?,
            (Some(400), _, Some("invalid_client")) => write!(
                f,
                ". Check GENESYSCLOUD_OAUTHCLIENT_ID / GENESYSCLOUD_OAUTHCLIENT_SECRET and GENESYSCLOUD_REGION"
            )?,
            (Some(401), Some(_), _) => write!(f, ". The access token was rejected: check the credentials and region, or GENESYSCLOUD_ACCESS_TOKEN's expiry")?,
            (Some(403), Some(p), _) => write!(f, ". The admin OAuth client needs the permission {p} (and must hold any roles it grants)")?,
            _ => {}
        }
        Ok(())
    }
}
