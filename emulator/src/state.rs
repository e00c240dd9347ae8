//! `AppState`: the one shared value every handler receives: settings, the registry store, the
//! principals, the token issuer, the demo authority's sessions, and request counters.

use crate::{
    config::Config, entra::sessions::Sessions, store::Store, token::TokenIssuer, users::Users,
};
use axum::http::{header, HeaderMap};
use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, RwLock,
};

/// Shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

/// What `AppState` points to.
pub struct Inner {
    /// Settings.
    pub config: Config,
    /// Repositories, tags, manifests and their locks.
    pub store: RwLock<Store>,
    /// Users and repository-scoped tokens.
    pub users: Users,
    /// Signs and checks every token.
    pub issuer: TokenIssuer,
    /// Authorization codes and refresh tokens of the demo Entra authority.
    pub entra: Sessions,
    /// Request counters, read by tests and the benchmark at `GET /_emulator/stats`.
    pub stats: Stats,
    /// Serialises writes of the data file.
    pub save_lock: tokio::sync::Mutex<()>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Counters of requests by kind.
#[derive(Debug, Default)]
pub struct Stats {
    /// Requests to `/acr/v1/…` and `/v2/…`.
    pub registry: AtomicU64,
    /// Requests to `/oauth2/exchange`.
    pub exchange: AtomicU64,
    /// Requests to `/oauth2/token`.
    pub token: AtomicU64,
    /// Requests answered with an injected 429.
    pub throttled: AtomicU64,
    /// Requests answered with an injected 503.
    pub unavailable: AtomicU64,
}

impl Stats {
    /// Adds one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        for c in [&self.registry, &self.exchange, &self.token, &self.throttled, &self.unavailable] {
            c.store(0, Ordering::Relaxed);
        }
    }

    /// The counters as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        serde_json::json!({
            "registry": g(&self.registry),
            "exchange": g(&self.exchange),
            "token": g(&self.token),
            "throttled": g(&self.throttled),
            "unavailable": g(&self.unavailable),
        })
    }
}

impl AppState {
    /// The login server for a request: the configured one, else the `Host` it was sent to.
    pub fn login_server(&self, headers: &HeaderMap) -> String {
        if let Some(s) = &self.config.login_server {
            return s.clone();
        }
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.is_empty())
            .map_or_else(|| self.config.listen.to_string(), str::to_owned)
    }

    /// `http` or `https`, as the emulator listens.
    pub fn scheme(&self) -> &'static str {
        if self.config.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// The absolute token endpoint URL for the `realm` of challenges.
    pub fn realm(&self, headers: &HeaderMap) -> String {
        format!("{}://{}/oauth2/token", self.scheme(), self.login_server(headers))
    }
}

impl AppState {
    /// Saves the state to the data file, if one is configured. Writes are serialised and done off
    /// the async workers; a failure is a 500 (the change is kept in memory).
    pub async fn persist(&self) -> Result<(), crate::error::ApiError> {
        let Some(path) = self.config.data_file.clone() else {
            return Ok(());
        };
        let _guard = self.save_lock.lock().await;
        let store = self.store.read().map_err(|_| poisoned())?.clone();
        let users = self.users.clone();
        tokio::task::spawn_blocking(move || crate::persist::save(&path, &store, &users))
            .await
            .map_err(|e| crate::error::ApiError::Internal(e.to_string()))?
            .map_err(crate::error::ApiError::Internal)
    }

    /// Runs `f` with the store locked for reading.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, crate::store::StoreError>,
    ) -> Result<T, crate::error::ApiError> {
        let store = self.store.read().map_err(|_| poisoned())?;
        f(&store).map_err(Into::into)
    }

    /// Runs `f` with the store locked for writing.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, crate::store::StoreError>,
    ) -> Result<T, crate::error::ApiError> {
        let mut store = self.store.write().map_err(|_| poisoned())?;
        f(&mut store).map_err(Into::into)
    }
}

fn poisoned() -> crate::error::ApiError {
    crate::error::ApiError::Internal("the store lock is poisoned".into())
}
