//! Emulator configuration: fixed at start ([`EmulatorConfig`]) and changeable at runtime
//! ([`Settings`], patched through `POST /__emulator/config`).

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};

use serde::{Deserialize, Deserializer, Serialize};

use super::auth::Permission;
use crate::secret::Secret;

/// How the emulator starts. Build with [`EmulatorConfig::new`] and adjust the public fields.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Client id of the admin OAuth client (the one gcoauth authenticates with).
    pub admin_client_id: String,
    /// Its secret.
    pub admin_client_secret: Secret,
    /// Listen address; default `127.0.0.1:0` (any free port).
    pub bind: SocketAddr,
    /// Behaviour that can also be changed while running.
    pub settings: Settings,
}

impl EmulatorConfig {
    /// Loopback on a free port, default [`Settings`].
    pub fn new(admin_client_id: impl Into<String>, admin_client_secret: Secret) -> Self {
        EmulatorConfig {
            admin_client_id: admin_client_id.into(),
            admin_client_secret,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            settings: Settings::default(),
        }
    }
}

/// Runtime behaviour; serialised as-is by `GET /__emulator/config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// API requests allowed per token per window; `None` = no limit (default).
    pub api_rate_limit: Option<u32>,
    /// Token requests allowed per client id per window; `None` = no limit (default).
    pub token_rate_limit: Option<u32>,
    /// Rate-limit window in seconds (default 60, i.e. "per minute"; use 1 in tests).
    pub rate_window_secs: u64,
    /// Lifetime of every token minted; `None` = 86400 s for the admin and the client's
    /// `accessTokenValiditySeconds` for emulated clients.
    pub token_ttl_secs: Option<u64>,
    /// Most non-deleted clients the org may hold before `auth.too.many.clients` (default 100).
    pub max_clients: usize,
    /// After DELETE, GET returns the client with `state: "deleted"` instead of 404.
    pub deleted_visible: bool,
    /// Permissions of the admin client's tokens (default all four `oauth:client:*`).
    pub admin_permissions: BTreeSet<Permission>,
    /// Status of a successful DELETE: 204 (default) or 200, both with an empty body.
    pub delete_status: u16,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            api_rate_limit: None,
            token_rate_limit: None,
            rate_window_secs: 60,
            token_ttl_secs: None,
            max_clients: 100,
            deleted_visible: false,
            admin_permissions: Permission::ALL.into_iter().collect(),
            delete_status: 204,
        }
    }
}

/// A partial update of [`Settings`]; absent fields are kept, `null` switches a limit off.
/// The rate-limit members also go by the binary's flag names (`rate_limit`, `window_secs`, …).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(
        default,
        deserialize_with = "nullable",
        alias = "rate_limit",
        alias = "rate_limit_per_window"
    )]
    api_rate_limit: Option<Option<u32>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        alias = "token_rate_limit_per_window"
    )]
    token_rate_limit: Option<Option<u32>>,
    #[serde(alias = "window_secs")]
    rate_window_secs: Option<u64>,
    #[serde(default, deserialize_with = "nullable")]
    token_ttl_secs: Option<Option<u64>>,
    max_clients: Option<usize>,
    deleted_visible: Option<bool>,
    admin_permissions: Option<BTreeSet<Permission>>,
    delete_status: Option<u16>,
}

impl Settings {
    /// Applies `patch`, or explains why it is invalid (leaving `self` unchanged).
    pub fn apply(&mut self, patch: SettingsPatch) -> Result<(), String> {
        let mut next = self.clone();
        if let Some(v) = patch.api_rate_limit {
            next.api_rate_limit = v.filter(|n| *n > 0);
        }
        if let Some(v) = patch.token_rate_limit {
            next.token_rate_limit = v.filter(|n| *n > 0);
        }
        if let Some(v) = patch.rate_window_secs {
            next.rate_window_secs = v;
        }
        if let Some(v) = patch.token_ttl_secs {
            next.token_ttl_secs = v;
        }
        if let Some(v) = patch.max_clients {
            next.max_clients = v;
        }
        if let Some(v) = patch.deleted_visible {
            next.deleted_visible = v;
        }
        if let Some(v) = patch.admin_permissions {
            next.admin_permissions = v;
        }
        if let Some(v) = patch.delete_status {
            next.delete_status = v;
        }
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// Checks values a typo could make nonsensical.
    pub fn validate(&self) -> Result<(), String> {
        if self.rate_window_secs == 0 {
            return Err("rate_window_secs must be at least 1".into());
        }
        if self.token_ttl_secs == Some(0) {
            return Err("token_ttl_secs must be at least 1".into());
        }
        if !matches!(self.delete_status, 200 | 204) {
            return Err("delete_status must be 200 or 204".into());
        }
        Ok(())
    }
}

/// Deserialises a present field as `Some(value)` so that an explicit `null` (→ `Some(None)`)
/// differs from an absent field (→ `None` via `#[serde(default)]`).
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_distinguishes_null_from_absent() {
        let mut s = Settings {
            api_rate_limit: Some(5),
            token_rate_limit: Some(7),
            ..Settings::default()
        };
        s.apply(serde_json::from_str(r#"{"api_rate_limit": null}"#).unwrap())
            .unwrap();
        assert_eq!(s.api_rate_limit, None);
        assert_eq!(s.token_rate_limit, Some(7));
        let alias =
            r#"{"rate_limit_per_window": 2, "window_secs": 1, "token_rate_limit_per_window": 1}"#;
        s.apply(serde_json::from_str(alias).unwrap()).unwrap();
        assert_eq!(
            (s.api_rate_limit, s.rate_window_secs, s.token_rate_limit),
            (Some(2), 1, Some(1))
        );
    }

    #[test]
    fn invalid_patch_changes_nothing() {
        let mut s = Settings::default();
        let err =
            s.apply(serde_json::from_str(r#"{"max_clients": 3, "rate_window_secs": 0}"#).unwrap());
        assert!(err.is_err());
        assert_eq!(s, Settings::default());
        assert!(serde_json::from_str::<SettingsPatch>(r#"{"max_client": 3}"#).is_err());
    }
}
