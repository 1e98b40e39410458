//! The OAuth client model: request validation (`OAuthClientRequest`) and the `OAuthClient`
//! JSON the API returns, field names as in the public SDK models (`genesys-api.md` §1.3–1.4).

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::errors::ApiError;
use crate::secret::Secret;

/// Lowest and highest `accessTokenValiditySeconds` accepted (the provider's validator).
pub const VALIDITY_RANGE: std::ops::RangeInclusive<i64> = 300..=38_880_000;
/// Validity when the request omits it (24 h).
pub const DEFAULT_VALIDITY: u64 = 86_400;
/// Division used for deprecated `roleIds`, which carry no division.
pub const HOME_DIVISION: &str = "00000000-0000-0000-0000-000000000000";

/// `authorizedGrantType` values of the current SDKs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantType {
    Code,
    Token,
    Saml2Bearer,
    Password,
    ClientCredentials,
}

impl GrantType {
    /// Parses the wire value; `SAML2BEARER` is accepted and normalised, the pre-2021 underscore
    /// forms (`CLIENT_CREDENTIALS`) are not.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "CODE" => GrantType::Code,
            "TOKEN" => GrantType::Token,
            "SAML2-BEARER" | "SAML2BEARER" => GrantType::Saml2Bearer,
            "PASSWORD" => GrantType::Password,
            "CLIENT-CREDENTIALS" => GrantType::ClientCredentials,
            _ => return None,
        })
    }

    /// The value the API returns.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::Code => "CODE",
            GrantType::Token => "TOKEN",
            GrantType::Saml2Bearer => "SAML2-BEARER",
            GrantType::Password => "PASSWORD",
            GrantType::ClientCredentials => "CLIENT-CREDENTIALS",
        }
    }
}

/// Client `state`; `Deleted` is never accepted in a request, only shown after DELETE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientState {
    Active,
    Disabled,
    Inactive,
    Deleted,
}

impl ClientState {
    /// Parses a request value (`deleted` is not one).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "active" => ClientState::Active,
            "disabled" => ClientState::Disabled,
            "inactive" => ClientState::Inactive,
            _ => return None,
        })
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientState::Active => "active",
            ClientState::Disabled => "disabled",
            ClientState::Inactive => "inactive",
            ClientState::Deleted => "deleted",
        }
    }
}

/// `RoleDivision`: both members required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDivision {
    pub role_id: String,
    pub division_id: String,
}

/// `OAuthClientRequest` as sent; unknown members (e.g. `id`, `secret`) are ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRequest {
    name: Option<String>,
    description: Option<String>,
    authorized_grant_type: Option<String>,
    access_token_validity_seconds: Option<i64>,
    registered_redirect_uri: Option<Vec<String>>,
    scope: Option<Vec<String>>,
    role_divisions: Option<Vec<RoleDivision>>,
    role_ids: Option<Vec<String>>,
    state: Option<String>,
    date_to_delete: Option<String>,
}

/// A validated create/update request.
#[derive(Debug, Clone)]
pub struct ClientRequest {
    pub name: String,
    pub description: Option<String>,
    pub grant: GrantType,
    pub validity: u64,
    pub redirect_uris: Vec<String>,
    pub scope: Vec<String>,
    pub role_divisions: Vec<RoleDivision>,
    pub role_ids: Vec<String>,
    /// `None` when omitted: active on create, unchanged on update.
    pub state: Option<ClientState>,
    pub date_to_delete: Option<String>,
}

impl ClientRequest {
    /// Parses and validates a JSON body, in the order: syntax, name, grant, validity, state,
    /// roles, dateToDelete.
    pub fn parse(body: &[u8]) -> Result<ClientRequest, ApiError> {
        let raw: RawRequest = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("The request body could not be parsed: {e}"))
        })?;
        let name = raw
            .name
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| ApiError::bad_request("name is required"))?;
        let grant_raw = raw
            .authorized_grant_type
            .filter(|g| !g.is_empty())
            .ok_or_else(|| {
                ApiError::new(
                    400,
                    "grant.type.required",
                    "An authorized grant type is required.",
                )
            })?;
        let grant = GrantType::parse(&grant_raw).ok_or_else(|| {
            ApiError::new(
                400,
                "bad.grant.type",
                format!("The grant type {grant_raw} is not a valid grant type."),
            )
        })?;
        let validity = match raw.access_token_validity_seconds {
            None => DEFAULT_VALIDITY,
            Some(v) if VALIDITY_RANGE.contains(&v) => v.unsigned_abs(),
            Some(v) => {
                return Err(ApiError::invalid_value(format!(
                    "accessTokenValiditySeconds {v} must be between {} and {}",
                    VALIDITY_RANGE.start(),
                    VALIDITY_RANGE.end()
                )))
            }
        };
        let state = match raw.state.as_deref() {
            None => None,
            Some(s) => Some(ClientState::parse(s).ok_or_else(|| {
                ApiError::invalid_value(format!(
                    "state {s} is not one of active, disabled, inactive"
                ))
            })?),
        };
        let role_ids = raw.role_ids.unwrap_or_default();
        let mut role_divisions = raw.role_divisions.unwrap_or_default();
        if role_divisions.is_empty() {
            role_divisions = role_ids
                .iter()
                .map(|r| RoleDivision {
                    role_id: r.clone(),
                    division_id: HOME_DIVISION.into(),
                })
                .collect();
        }
        if grant == GrantType::ClientCredentials && role_divisions.is_empty() {
            return Err(ApiError::new(
                400,
                "missing.client.roles",
                "Client credentials grant type requires at least one role.",
            ));
        }
        if let Some(d) = raw.date_to_delete.as_deref().filter(|d| !is_iso8601(d)) {
            return Err(ApiError::new(
                400,
                "invalid.date",
                format!("dateToDelete {d} is not an ISO-8601 date-time"),
            ));
        }
        Ok(ClientRequest {
            name,
            description: raw.description,
            grant,
            validity,
            redirect_uris: raw.registered_redirect_uri.unwrap_or_default(),
            scope: raw.scope.unwrap_or_default(),
            role_divisions,
            role_ids,
            state,
            date_to_delete: raw.date_to_delete,
        })
    }
}

/// A client as stored, secret included.
#[derive(Debug, Clone)]
pub struct StoredClient {
    pub id: String,
    pub fields: ClientRequest,
    pub state: ClientState,
    pub secret: Secret,
    pub date_created: String,
    pub date_modified: String,
    pub created_by: String,
    pub modified_by: String,
}

impl StoredClient {
    /// A new client with a fresh id and secret.
    pub fn create(fields: ClientRequest, user_id: &str) -> StoredClient {
        let now = now_iso8601();
        StoredClient {
            id: uuid::Uuid::new_v4().to_string(),
            state: fields.state.unwrap_or(ClientState::Active),
            fields,
            secret: new_client_secret(),
            date_created: now.clone(),
            date_modified: now,
            created_by: user_id.into(),
            modified_by: user_id.into(),
        }
    }

    /// Full replacement by a PUT body (state kept when omitted).
    pub fn update(&mut self, fields: ClientRequest, user_id: &str) {
        self.state = fields.state.unwrap_or(self.state);
        self.fields = fields;
        self.touch(user_id);
    }

    /// Records a modification.
    pub fn touch(&mut self, user_id: &str) {
        self.date_modified = now_iso8601();
        self.modified_by = user_id.into();
    }

    /// The `OAuthClient` JSON; `secret` only when `with_secret` (create and regenerate).
    pub fn to_json(&self, with_secret: bool) -> Value {
        let f = &self.fields;
        let mut v = json!({
            "id": self.id,
            "name": f.name,
            "accessTokenValiditySeconds": f.validity,
            "registeredRedirectUri": f.redirect_uris,
            "authorizedGrantType": f.grant.as_str(),
            "scope": f.scope,
            "roleDivisions": f.role_divisions,
            "state": self.state.as_str(),
            "dateCreated": self.date_created,
            "dateModified": self.date_modified,
            "createdBy": user_ref(&self.created_by),
            "modifiedBy": user_ref(&self.modified_by),
            "selfUri": format!("/api/v2/oauth/clients/{}", self.id),
        });
        let Value::Object(obj) = &mut v else { return v };
        if let Some(d) = &f.description {
            obj.insert("description".into(), d.clone().into());
        }
        if !f.role_ids.is_empty() {
            obj.insert("roleIds".into(), f.role_ids.clone().into());
        }
        if let Some(d) = &f.date_to_delete {
            obj.insert("dateToDelete".into(), d.clone().into());
        }
        if with_secret {
            obj.insert("secret".into(), self.secret.expose().into());
        }
        v
    }
}

/// `DomainEntityRef` for a user.
fn user_ref(id: &str) -> Value {
    json!({"id": id, "selfUri": format!("/api/v2/users/{id}")})
}

/// Every issued secret starts with this, so an exposure sweep can grep for any secret the
/// emulator ever issued, including ones that never reached a store.
pub const SECRET_PREFIX: &str = "GcSec";

/// A new client secret: 20–22 alphanumerics (the length since 2026-04-27), starting with
/// [`SECRET_PREFIX`].
pub fn new_client_secret() -> Secret {
    let len = fastrand::usize(20..=22);
    let mut s = String::with_capacity(len);
    s.push_str(SECRET_PREFIX);
    s.extend((SECRET_PREFIX.len()..len).map(|_| fastrand::alphanumeric()));
    Secret::new(s)
}

/// Now as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn now_iso8601() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_iso8601(d.as_secs(), d.subsec_millis())
}

/// Formats Unix seconds + millis as UTC ISO-8601 (Howard Hinnant's civil-from-days).
pub fn format_iso8601(secs: u64, millis: u32) -> String {
    let days = (secs / 86_400) as i64;
    let tod = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        tod / 3600,
        tod % 3600 / 60,
        tod % 60
    )
}

/// Loose ISO-8601 date-time check: `YYYY-MM-DDTHH:MM:SS`, optional fraction, `Z` or `±HH:MM`.
pub fn is_iso8601(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let head = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !head {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    rest == "Z"
        || (rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes()[3] == b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: Value) -> Result<ClientRequest, ApiError> {
        ClientRequest::parse(v.to_string().as_bytes())
    }

    #[test]
    fn validation_codes() {
        let code = |v: Value| parse(v).unwrap_err().code;
        assert_eq!(code(json!({"authorizedGrantType": "CODE"})), "bad.request");
        assert_eq!(code(json!({"name": "a"})), "grant.type.required");
        assert_eq!(
            code(json!({"name": "a", "authorizedGrantType": "CLIENT_CREDENTIALS"})),
            "bad.grant.type"
        );
        assert_eq!(
            code(json!({"name": "a", "authorizedGrantType": "CLIENT-CREDENTIALS"})),
            "missing.client.roles"
        );
        assert_eq!(
            code(json!({"name": "a", "authorizedGrantType": "CODE", "state": "deleted"})),
            "invalid.value"
        );
        assert_eq!(
            code(
                json!({"name": "a", "authorizedGrantType": "CODE", "accessTokenValiditySeconds": 299})
            ),
            "invalid.value"
        );
        assert_eq!(
            code(json!({"name": "a", "authorizedGrantType": "CODE", "dateToDelete": "tomorrow"})),
            "invalid.date"
        );
        assert_eq!(
            ClientRequest::parse(b"{not json").unwrap_err().code,
            "bad.request"
        );
    }

    #[test]
    fn saml2bearer_is_normalised_and_role_ids_become_divisions() {
        let r = parse(json!({"name": "a", "authorizedGrantType": "SAML2BEARER"})).unwrap();
        assert_eq!(r.grant.as_str(), "SAML2-BEARER");
        let r = parse(
            json!({"name": "a", "authorizedGrantType": "CLIENT-CREDENTIALS", "roleIds": ["r1"]}),
        )
        .unwrap();
        assert_eq!(
            r.role_divisions,
            vec![RoleDivision {
                role_id: "r1".into(),
                division_id: HOME_DIVISION.into()
            }]
        );
        assert_eq!(r.validity, DEFAULT_VALIDITY);
    }

    #[test]
    fn secrets_are_20_to_22_alphanumerics() {
        for _ in 0..200 {
            let s = new_client_secret();
            assert!((20..=22).contains(&s.len()));
            assert!(s.expose().bytes().all(|b| b.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn iso8601() {
        assert_eq!(format_iso8601(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_iso8601(1_782_864_000, 5), "2026-07-01T00:00:00.005Z");
        assert!(is_iso8601("2026-01-01T00:00:00.000Z"));
        assert!(is_iso8601("2026-01-01T00:00:00+02:00"));
        assert!(!is_iso8601("2026-01-01"));
        assert!(!is_iso8601("2026-01-01T00:00:00.Z"));
    }
}
