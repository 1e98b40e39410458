//! The emulator's shared state: clients, tokens, rate-limit windows, statistics, fault rules.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use serde::Serialize;

use super::config::Settings;
use super::faults::FaultSet;
use super::model::StoredClient;
use super::ratelimit::FixedWindow;
use super::routes::RouteMatcher;
use crate::secret::Secret;

/// A minted access token.
#[derive(Debug, Clone)]
pub struct Token {
    /// The client that minted it.
    pub client_id: String,
    /// Whether that client is the admin (only admin tokens carry `oauth:client:*` permissions).
    pub admin: bool,
    pub expires: Instant,
}

/// Request counters served by `GET /__emulator/stats`.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Stats {
    /// Requests to `/oauth/token`, whatever their outcome.
    pub token_requests: u64,
    /// Token requests refused by the token rate limit (400 `invalid_request`).
    pub token_rate_limited: u64,
    /// API requests per `METHOD /route/{id}` template, whatever their outcome.
    pub api_requests: BTreeMap<String, u64>,
    /// API requests answered 429 by the rate limiter.
    pub rate_limited: u64,
}

/// Everything behind the one lock (never held across an `.await`).
#[derive(Debug, Default)]
pub struct Inner {
    pub settings: Settings,
    /// Creation order, tombstones (state `deleted`) included.
    pub clients: Vec<StoredClient>,
    pub tokens: HashMap<String, Token>,
    pub api_windows: FixedWindow,
    pub token_windows: FixedWindow,
    pub stats: Stats,
}

impl Inner {
    /// A client by id, tombstones included.
    pub fn client(&self, id: &str) -> Option<&StoredClient> {
        self.clients.iter().find(|c| c.id == id)
    }

    /// Mutable access to a client by id, tombstones included.
    pub fn client_mut(&mut self, id: &str) -> Option<&mut StoredClient> {
        self.clients.iter_mut().find(|c| c.id == id)
    }
}

/// State shared by every connection.
#[derive(Debug)]
pub struct Shared {
    pub admin_client_id: String,
    pub admin_client_secret: Secret,
    /// The user shown as `createdBy`/`modifiedBy` (a client-credentials org has some user).
    pub user_id: String,
    inner: Mutex<Inner>,
    pub faults: FaultSet<RouteMatcher>,
}

impl Shared {
    pub fn new(admin_client_id: String, admin_client_secret: Secret, settings: Settings) -> Shared {
        Shared {
            admin_client_id,
            admin_client_secret,
            user_id: uuid::Uuid::new_v4().to_string(),
            inner: Mutex::new(Inner {
                settings,
                ..Inner::default()
            }),
            faults: FaultSet::default(),
        }
    }

    /// Locks the state; a panic elsewhere must not wedge the emulator, so poisoning is ignored.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
