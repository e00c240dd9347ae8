//! `AppState`: the one shared value every handler receives: settings, the registry store, the
//! principals, the token issuer, the demo authority's sessions, request counters, the write-rate
//! limit and the data file's saver.

use crate::{
    config::Config, entra::sessions::Sessions, limit::WriteLimiter, saver::Saver, store::Store,
    token::TokenIssuer, users::Users,
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
    /// Repositories, tags, manifests and their locks (shared with the data file's saver).
    pub store: Arc<RwLock<Store>>,
    /// Users and repository-scoped tokens.
    pub users: Users,
    /// Signs and checks every token.
    pub issuer: TokenIssuer,
    /// Authorization codes and refresh tokens of the demo Entra authority.
    pub entra: Sessions,
    /// Request counters, read by tests and the benchmark at `GET /_emulator/stats`.
    pub stats: Stats,
    /// ACR's write-rate limit (`Faults::write_ops_per_minute`), if on.
    pub write_limit: Option<WriteLimiter>,
    /// Saves the store to the data file in the background, if one is configured.
    pub saver: Option<Saver>,
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
    /// Requests answered 429: injected, or beyond the write-rate limit.
    pub throttled: AtomicU64,
    /// Requests answered with an injected 503.
    pub unavailable: AtomicU64,
    /// Attribute changes (PATCH of a repository, tag or manifest) the registry applied.
    pub patched: AtomicU64,
    /// Applied attribute changes per target (`repo`, `repo:tag`, `repo@digest`): a client that
    /// sends the same change twice shows here.
    pub changes: std::sync::Mutex<std::collections::HashMap<String, u64>>,
}

impl Stats {
    /// Adds one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        for c in [
            &self.registry,
            &self.exchange,
            &self.token,
            &self.throttled,
            &self.unavailable,
            &self.patched,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        self.changes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    /// Counts an applied attribute change of `target`.
    pub fn applied(&self, target: String) {
        Self::bump(&self.patched);
        *self
            .changes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(target)
            .or_insert(0) += 1;
    }

    /// Applied attribute changes per target since the last reset.
    pub fn changes(&self) -> std::collections::HashMap<String, u64> {
        self.changes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
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
            "patched": g(&self.patched),
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
    /// Records that the store changed: the data file's saver (if any) saves it within about a
    /// second, coalescing changes. Call it right after the change, with no `.await` in between.
    pub fn changed(&self) {
        if let Some(saver) = &self.saver {
            saver.changed();
        }
    }

    /// Saves pending changes to the data file now, on this thread (blocking; clean shutdown).
    /// When it returns `Ok`, every change recorded before the call is on disk.
    pub fn flush(&self) -> Result<(), String> {
        self.saver.as_ref().map_or(Ok(()), Saver::flush)
    }

    /// How many times the data file has been saved (0 without one).
    pub fn saves(&self) -> u64 {
        self.saver.as_ref().map_or(0, Saver::saves)
    }

    /// Charges one write operation to the write-rate limit: a 429 `TOOMANYREQUESTS` with
    /// `Retry-After` when the limit is reached (then nothing may change and nothing is counted).
    /// Call it after the request's credentials and body are checked, before the store is touched.
    pub fn admit_write(&self) -> Result<(), crate::error::ApiError> {
        match self.write_limit.as_ref().map_or(Ok(()), WriteLimiter::admit) {
            Ok(()) => Ok(()),
            Err(retry_after) => {
                Stats::bump(&self.stats.throttled);
                Err(crate::error::ApiError::Throttled(Some(retry_after)))
            }
        }
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
