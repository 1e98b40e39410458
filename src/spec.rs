//! The provisioning spec: a JSON object from `GCOAUTH_SPEC` or `--spec FILE` (`-` = stdin).
//!
//! Parsing is two-phase like cargo-deny's config: serde reads the raw shape (unknown fields are
//! an error), then [`RawSpec::validate`] checks every field and reports all problems at once,
//! so a Terraform user fixes them in one round.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Tag keys gcoauth writes on the secret; users may not set them.
pub const RESERVED_TAG_PREFIX: &str = "gcoauth:";

/// Grant types the API accepts (`SAML2BEARER` is read as `SAML2-BEARER`, as the API does).
pub const GRANT_TYPES: &[&str] = &[
    "CLIENT-CREDENTIALS",
    "CODE",
    "TOKEN",
    "SAML2-BEARER",
    "PASSWORD",
];

/// Client states a spec may ask for.
pub const STATES: &[&str] = &["active", "disabled", "inactive"];

/// The validated spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// What the OAuth client should look like.
    pub client: ClientSpec,
    /// Where its secret goes.
    pub store: StoreSpec,
    /// Rotate only when this differs from the rotation id recorded on the stored secret.
    pub rotation_id: Option<String>,
}

/// The OAuth client's desired fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSpec {
    /// Client name.
    pub name: String,
    /// Free-text description (gcoauth appends its ownership marker).
    pub description: String,
    /// One of [`GRANT_TYPES`].
    pub grant_type: String,
    /// Registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// OAuth scopes (not for client-credentials clients).
    pub scopes: Vec<String>,
    /// Role/division pairs (client-credentials clients only).
    pub roles: Vec<Role>,
    /// Token lifetime in seconds.
    pub access_token_validity_seconds: u32,
    /// One of [`STATES`].
    pub state: String,
}

/// A role granted in a division (`"*"` = all divisions).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Role id.
    pub role_id: String,
    /// Division id or `"*"`.
    pub division_id: String,
}

/// Where and how the secret is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSpec {
    /// Secrets Manager secret name.
    pub name: String,
    /// AWS region; `None` = the aws-config chain decides.
    pub region: Option<String>,
    /// KMS key for the secret; `None` = the account default key.
    pub kms_key_id: Option<String>,
    /// 0 = delete without recovery, else 7..=30.
    pub recovery_window_days: u8,
    /// User tags added to the secret.
    pub tags: BTreeMap<String, String>,
}

/// The spec as written, before validation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    name: Option<String>,
    description: Option<String>,
    grant_type: Option<String>,
    redirect_uris: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
    roles: Option<Vec<Role>>,
    access_token_validity_seconds: Option<i64>,
    state: Option<String>,
    rotation_id: Option<String>,
    store: Option<RawStore>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStore {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    region: Option<String>,
    kms_key_id: Option<String>,
    recovery_window_days: Option<i64>,
    tags: Option<BTreeMap<String, String>>,
}

/// An invalid spec: every problem found, one per line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid spec:\n  - {}", .0.join("\n  - "))]
pub struct SpecError(pub Vec<String>);

/// Parses spec JSON text (shape only).
pub fn parse(text: &str) -> Result<RawSpec, SpecError> {
    if text.trim().is_empty() {
        return Err(SpecError(vec![
            "the spec is empty; pass a JSON object in GCOAUTH_SPEC or --spec FILE".into(),
        ]));
    }
    serde_json::from_str(text)
        .map_err(|e| SpecError(vec![format!("not a valid spec JSON object: {e}")]))
}

impl RawSpec {
    /// Validates everything (create, update, rotate).
    pub fn validate(self) -> Result<Spec, SpecError> {
        let mut errs = Vec::new();
        let client = validate_client(&self, &mut errs);
        let store = validate_store(self.store, &mut errs);
        let rotation_id = self.rotation_id.filter(|r| !r.is_empty());
        if let Some(r) = &rotation_id {
            if r.len() > 256 {
                errs.push("rotation_id: at most 256 characters".into());
            }
        }
        match (errs.is_empty(), client, store) {
            (true, Some(client), Some(store)) => Ok(Spec {
                client,
                store,
                rotation_id,
            }),
            _ => Err(SpecError(errs)),
        }
    }

    /// Validates only what `destroy` needs (the store); the client part was valid at create
    /// time and Terraform replays it unchanged from `self.input`.
    pub fn validate_store_only(self) -> Result<StoreSpec, SpecError> {
        let mut errs = Vec::new();
        let store = validate_store(self.store, &mut errs);
        match store {
            Some(s) if errs.is_empty() => Ok(s),
            _ => Err(SpecError(errs)),
        }
    }
}

fn validate_client(raw: &RawSpec, errs: &mut Vec<String>) -> Option<ClientSpec> {
    let start = errs.len();
    let name = raw.name.clone().unwrap_or_default();
    if name.trim().is_empty() {
        errs.push("name: required and must not be blank".into());
    } else if name.chars().count() > 255 {
        errs.push("name: at most 255 characters".into());
    }
    let grant_type = match raw.grant_type.as_deref().map(str::trim) {
        None | Some("") => "CLIENT-CREDENTIALS".to_string(),
        Some(g) => {
            let g = if g.eq_ignore_ascii_case("SAML2BEARER") {
                "SAML2-BEARER".to_string()
            } else {
                g.to_ascii_uppercase()
            };
            if !GRANT_TYPES.contains(&g.as_str()) {
                errs.push(format!(
                    "grant_type: {g:?} is not one of {}",
                    GRANT_TYPES.join(", ")
                ));
            }
            g
        }
    };
    let redirect_uris = raw.redirect_uris.clone().unwrap_or_default();
    if matches!(grant_type.as_str(), "CODE" | "TOKEN") && redirect_uris.is_empty() {
        errs.push(format!(
            "redirect_uris: required for grant_type {grant_type}"
        ));
    }
    for u in &redirect_uris {
        match reqwest::Url::parse(u) {
            Ok(url) if url.has_host() || url.scheme() != "http" && url.scheme() != "https" => {}
            _ => errs.push(format!("redirect_uris: {u:?} is not an absolute URL")),
        }
    }
    let scopes = raw.scopes.clone().unwrap_or_default();
    if scopes.iter().any(|s| s.trim().is_empty()) {
        errs.push("scopes: entries must not be blank".into());
    }
    let mut roles = raw.roles.clone().unwrap_or_default();
    if grant_type == "CLIENT-CREDENTIALS" {
        if roles.is_empty() {
            errs.push("roles: at least one {\"role_id\", \"division_id\"} is required for grant_type CLIENT-CREDENTIALS".into());
        }
        if !scopes.is_empty() {
            errs.push(
                "scopes: not used by CLIENT-CREDENTIALS clients (they get roles); remove them"
                    .into(),
            );
        }
    } else if !roles.is_empty() {
        errs.push(format!(
            "roles: only CLIENT-CREDENTIALS clients take roles, not {grant_type}"
        ));
    }
    for r in &roles {
        if r.role_id.trim().is_empty() || r.division_id.trim().is_empty() {
            errs.push(
                "roles: role_id and division_id must not be blank (division_id may be \"*\")"
                    .into(),
            );
        }
    }
    roles.sort();
    roles.dedup();
    let validity = raw.access_token_validity_seconds.unwrap_or(86_400);
    if !(300..=38_880_000).contains(&validity) {
        errs.push(format!(
            "access_token_validity_seconds: {validity} is outside 300..38880000"
        ));
    }
    let state = raw.state.clone().unwrap_or_else(|| "active".into());
    if !STATES.contains(&state.as_str()) {
        errs.push(format!(
            "state: {state:?} is not one of {}",
            STATES.join(", ")
        ));
    }
    let description = raw.description.clone().unwrap_or_default();
    if description.contains("[gcoauth:") {
        errs.push(
            "description: must not contain \"[gcoauth:\" (gcoauth's ownership marker)".into(),
        );
    }
    (errs.len() == start).then_some(ClientSpec {
        name,
        description,
        grant_type,
        redirect_uris,
        scopes,
        roles,
        access_token_validity_seconds: validity as u32,
        state,
    })
}

fn validate_store(raw: Option<RawStore>, errs: &mut Vec<String>) -> Option<StoreSpec> {
    let Some(raw) = raw else {
        errs.push("store: required ({\"type\": \"aws_secretsmanager\", \"name\": ...})".into());
        return None;
    };
    let start = errs.len();
    match raw.kind.as_deref() {
        None | Some("aws_secretsmanager") => {}
        Some(other) => errs.push(format!(
            "store.type: {other:?} is not supported (only \"aws_secretsmanager\")"
        )),
    }
    let name = raw.name.unwrap_or_default();
    if name.is_empty() || name.len() > 512 {
        errs.push("store.name: required, 1 to 512 characters".into());
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c))
    {
        errs.push(format!(
            "store.name: {name:?} may only contain letters, digits and /_+=.@-"
        ));
    }
    let window = raw.recovery_window_days.unwrap_or(7);
    if !(window == 0 || (7..=30).contains(&window)) {
        errs.push(format!(
            "store.recovery_window_days: {window} must be 0 (delete without recovery) or 7..30"
        ));
    }
    let tags = raw.tags.unwrap_or_default();
    for (k, v) in &tags {
        if k.starts_with(RESERVED_TAG_PREFIX) || k.starts_with("aws:") {
            errs.push(format!("store.tags: key {k:?} is reserved"));
        }
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            errs.push(format!(
                "store.tags: key {k:?} must be 1-128 characters and its value at most 256"
            ));
        }
    }
    if tags.len() > 40 {
        errs.push("store.tags: at most 40 tags (gcoauth adds its own, AWS allows 50)".into());
    }
    let region = raw.region.filter(|r| !r.is_empty());
    if let Some(r) = &region {
        if !r
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            errs.push(format!("store.region: {r:?} is not an AWS region name"));
        }
    }
    (errs.len() == start).then_some(StoreSpec {
        name,
        region,
        kms_key_id: raw.kms_key_id.filter(|k| !k.is_empty()),
        recovery_window_days: window as u8,
        tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(json: &str) -> Spec {
        parse(json).unwrap().validate().unwrap()
    }
    fn errs(json: &str) -> Vec<String> {
        parse(json).and_then(RawSpec::validate).unwrap_err().0
    }
    const STORE: &str = r#""store":{"type":"aws_secretsmanager","name":"genesys/ci"}"#;

    #[test]
    fn minimal_client_credentials_spec_gets_defaults() {
        let s = ok(&format!(
            r#"{{"name":"ci","roles":[{{"role_id":"r1","division_id":"*"}}],{STORE}}}"#
        ));
        assert_eq!(s.client.grant_type, "CLIENT-CREDENTIALS");
        assert_eq!(s.client.access_token_validity_seconds, 86_400);
        assert_eq!(s.client.state, "active");
        assert_eq!(s.store.recovery_window_days, 7);
    }

    #[test]
    fn unknown_fields_are_errors_at_both_levels() {
        assert!(errs(&format!(r#"{{"name":"x","nmae":"y",{STORE}}}"#))[0].contains("unknown field"));
        assert!(
            errs(r#"{"name":"x","store":{"name":"a","colour":"b"}}"#)[0].contains("unknown field")
        );
    }

    #[test]
    fn saml2bearer_is_normalised() {
        let s = ok(&format!(
            r#"{{"name":"x","grant_type":"SAML2BEARER",{STORE}}}"#
        ));
        assert_eq!(s.client.grant_type, "SAML2-BEARER");
    }

    #[test]
    fn all_problems_reported_at_once() {
        let e = errs(
            r#"{"name":" ","grant_type":"CODE","access_token_validity_seconds":5,"state":"on","store":{"name":"bad name!","recovery_window_days":3,"tags":{"gcoauth:x":"y"}}}"#,
        );
        let text = e.join("\n");
        for needle in [
            "name:",
            "redirect_uris:",
            "access_token_validity_seconds:",
            "state:",
            "store.name:",
            "recovery_window_days",
            "reserved",
        ] {
            assert!(text.contains(needle), "missing {needle} in {text}");
        }
    }

    #[test]
    fn grant_specific_rules() {
        assert!(errs(&format!(r#"{{"name":"x",{STORE}}}"#))[0].contains("roles"));
        assert!(errs(&format!(
            r#"{{"name":"x","grant_type":"TOKEN","redirect_uris":["/relative"],{STORE}}}"#
        ))[0]
            .contains("absolute"));
        assert!(errs(&format!(
            r#"{{"name":"x","grant_type":"CLIENT_CREDENTIALS",{STORE}}}"#
        ))[0]
            .contains("grant_type"));
        let s = ok(&format!(
            r#"{{"name":"x","grant_type":"CODE","redirect_uris":["https://app.example/cb"],"scopes":["users"],{STORE}}}"#
        ));
        assert_eq!(s.client.scopes, vec!["users"]);
    }

    #[test]
    fn recovery_window_bounds() {
        for (w, good) in [(0, true), (6, false), (7, true), (30, true), (31, false)] {
            let r = parse(&format!(r#"{{"name":"x","roles":[{{"role_id":"r","division_id":"d"}}],"store":{{"name":"n","recovery_window_days":{w}}}}}"#)).unwrap().validate();
            assert_eq!(r.is_ok(), good, "window {w}");
        }
    }

    #[test]
    fn destroy_needs_only_the_store() {
        let s = parse(r#"{"name":"","store":{"name":"a/b"}}"#)
            .unwrap()
            .validate_store_only()
            .unwrap();
        assert_eq!(s.name, "a/b");
        assert!(parse("").is_err());
        assert!(parse("[1]").is_err());
    }
}
