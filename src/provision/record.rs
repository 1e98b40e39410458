//! gcoauth's record on the secret: the tags that tie a stored secret to its client, and the
//! ownership marker written into the client's description.
//!
//! The record is written *before* the client exists (status `pending` + a random marker), so a
//! process killed at any point leaves something the next `create` or `destroy` can reconcile:
//! a client is only ever adopted or deleted when its description carries the marker recorded on
//! the secret, which is the proof that gcoauth created it.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::secret::Secret;
use crate::spec::{ClientSpec, StoreSpec};
use crate::store::StoredSecret;

/// `"true"` on every secret gcoauth created.
pub const TAG_MANAGED: &str = "gcoauth:managed";
/// The ownership marker (random, 32 hex digits).
pub const TAG_MARKER: &str = "gcoauth:marker";
/// `pending` (no secret stored for a client yet), `rotating`, or `active`.
pub const TAG_STATUS: &str = "gcoauth:status";
/// The client id; empty until the client exists.
pub const TAG_CLIENT_ID: &str = "gcoauth:client-id";
/// The client's name (sanitised to the tag alphabet), for `lookup`.
pub const TAG_CLIENT_NAME: &str = "gcoauth:client-name";
/// The client's state, for `lookup`.
pub const TAG_CLIENT_STATE: &str = "gcoauth:client-state";
/// The Genesys region (or `custom`).
pub const TAG_REGION: &str = "gcoauth:genesys-region";
/// Hash of the last applied `rotation_id` (hashed: tag values allow few characters).
pub const TAG_ROTATION: &str = "gcoauth:rotation";

/// Record statuses.
pub mod status {
    /// Intent recorded; no secret stored for a client yet.
    pub const PENDING: &str = "pending";
    /// A regenerate is in flight; the stored value may be stale.
    pub const ROTATING: &str = "rotating";
    /// The stored value is the client's current secret.
    pub const ACTIVE: &str = "active";
}

/// A fresh random ownership marker.
pub fn new_marker() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The text appended to the client's description.
pub fn marker_text(marker: &str) -> String {
    format!("[gcoauth:{marker}]")
}

/// The description sent to Genesys: the user's text plus the marker.
pub fn description_with_marker(description: &str, marker: &str) -> String {
    if description.trim().is_empty() {
        marker_text(marker)
    } else {
        format!("{} {}", description.trim_end(), marker_text(marker))
    }
}

/// Stable short hash of a rotation id.
pub fn rotation_hash(rotation_id: &str) -> String {
    hex::encode(&Sha256::digest(rotation_id.as_bytes())[..8])
}

/// Replaces characters Secrets Manager refuses in tag values.
pub fn tag_safe(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(256)
        .collect()
}

/// Read access to a stored record's tags.
pub trait RecordView {
    /// The tag value, if set and non-empty.
    fn tag_value(&self, key: &str) -> Option<&str>;
    /// Whether gcoauth created this secret.
    fn is_managed(&self) -> bool {
        self.tag_value(TAG_MANAGED) == Some("true")
    }
}

impl RecordView for StoredSecret {
    fn tag_value(&self, key: &str) -> Option<&str> {
        self.tags
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Tags for a new record: the user's tags plus gcoauth's.
pub fn initial_tags(store: &StoreSpec, marker: &str, region: &str) -> BTreeMap<String, String> {
    let mut tags = store.tags.clone();
    tags.insert(TAG_MANAGED.into(), "true".into());
    tags.insert(TAG_MARKER.into(), marker.into());
    tags.insert(TAG_STATUS.into(), status::PENDING.into());
    tags.insert(TAG_CLIENT_ID.into(), String::new());
    tags.insert(TAG_REGION.into(), tag_safe(region));
    tags
}

/// Tags describing the client (refreshed on create, update and rotate).
pub fn client_tags(client_id: &str, client: &ClientSpec) -> BTreeMap<String, String> {
    BTreeMap::from([
        (TAG_CLIENT_ID.to_string(), client_id.to_string()),
        (TAG_CLIENT_NAME.to_string(), tag_safe(&client.name)),
        (TAG_CLIENT_STATE.to_string(), client.state.clone()),
    ])
}

/// The JSON document stored as the secret value.
pub fn secret_value(
    client_id: &str,
    secret: &Secret,
    name: &str,
    grant_type: &str,
    region: &str,
) -> Secret {
    #[derive(serde::Serialize)]
    struct Value<'a> {
        client_id: &'a str,
        client_secret: &'a str,
        name: &'a str,
        grant_type: &'a str,
        genesys_region: &'a str,
    }
    let v = Value {
        client_id,
        client_secret: secret.expose(),
        name,
        grant_type,
        genesys_region: region,
    };
    let mut buf = zeroize::Zeroizing::new(Vec::with_capacity(256 + name.len()));
    // Serialising plain strings into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, &v);
    Secret::new(String::from_utf8_lossy(&buf).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_is_appended_once() {
        assert_eq!(description_with_marker("", "abc"), "[gcoauth:abc]");
        assert_eq!(
            description_with_marker("CI pipeline  ", "abc"),
            "CI pipeline [gcoauth:abc]"
        );
        assert_eq!(new_marker().len(), 32);
        assert_ne!(new_marker(), new_marker());
    }

    #[test]
    fn tag_values_are_sanitised() {
        assert_eq!(tag_safe("ci (prod), eu!"), "ci _prod__ eu_");
        assert_eq!(tag_safe(&"x".repeat(300)).len(), 256);
    }

    #[test]
    fn secret_value_is_json_with_id_and_secret() {
        let v = secret_value(
            "id-1",
            &Secret::new("s\"3".into()),
            "n",
            "CODE",
            "eu-west-1",
        );
        let parsed: serde_json::Value = serde_json::from_str(v.expose()).unwrap();
        assert_eq!(parsed["client_id"], "id-1");
        assert_eq!(parsed["client_secret"], "s\"3");
        assert_eq!(parsed["genesys_region"], "eu-west-1");
    }

    #[test]
    fn rotation_hash_is_stable_and_short() {
        assert_eq!(rotation_hash("2026-11"), rotation_hash("2026-11"));
        assert_ne!(rotation_hash("a"), rotation_hash("b"));
        assert_eq!(rotation_hash("a").len(), 16);
    }
}
