//! Request and response bodies, with the public API model's field names.

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// `RoleDivision`: a role granted in a division.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDivision {
    /// Role id.
    pub role_id: String,
    /// Division id (`"*"` = all divisions).
    pub division_id: String,
}

/// `OAuthClientRequest`: the body of create (POST) and update (PUT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientRequest {
    /// Client name (required).
    pub name: String,
    /// Description (carries gcoauth's ownership marker).
    pub description: String,
    /// Grant type (required).
    pub authorized_grant_type: String,
    /// Token lifetime in seconds.
    pub access_token_validity_seconds: u32,
    /// Redirect URIs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registered_redirect_uri: Vec<String>,
    /// Scopes (non-client-credentials grants).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<String>,
    /// Roles (client-credentials grant).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_divisions: Vec<RoleDivision>,
    /// `active`, `disabled` or `inactive`.
    pub state: String,
}

/// `OAuthClient` as GET/PUT/list return it (no secret).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthClient {
    /// Client id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Grant type.
    #[serde(default)]
    pub authorized_grant_type: String,
    /// Token lifetime.
    #[serde(default)]
    pub access_token_validity_seconds: Option<u32>,
    /// Redirect URIs.
    #[serde(default)]
    pub registered_redirect_uri: Vec<String>,
    /// Scopes.
    #[serde(default)]
    pub scope: Vec<String>,
    /// Roles.
    #[serde(default)]
    pub role_divisions: Vec<RoleDivision>,
    /// State; `deleted` may appear after DELETE.
    #[serde(default)]
    pub state: String,
}

impl OAuthClient {
    /// The request that would PUT this client back unchanged except for `state`.
    pub fn to_request_with_state(&self, state: &str) -> ClientRequest {
        ClientRequest {
            name: self.name.clone(),
            description: self.description.clone().unwrap_or_default(),
            authorized_grant_type: self.authorized_grant_type.clone(),
            access_token_validity_seconds: self.access_token_validity_seconds.unwrap_or(86_400),
            registered_redirect_uri: self.registered_redirect_uri.clone(),
            scope: self.scope.clone(),
            role_divisions: self.role_divisions.clone(),
            state: state.to_string(),
        }
    }
}

/// The create and regenerate responses: the client plus its one-time `secret`.
#[derive(Debug, Deserialize)]
pub(crate) struct ClientWithSecret {
    #[serde(flatten)]
    pub client: OAuthClient,
    pub secret: Option<Secret>,
}

/// `OAuthClientEntityListing` (the list endpoint takes no filter and no paging).
#[derive(Debug, Deserialize)]
pub(crate) struct ClientListing {
    #[serde(default)]
    pub entities: Vec<OAuthClient>,
}

/// `ErrorBody`, the Platform API's error document.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub context_id: Option<String>,
}

/// The token endpoint's error (`{error, description, error_description}`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenError {
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
}

/// The token endpoint's success body.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: Secret,
    #[serde(default)]
    pub token_type: Option<String>,
}
