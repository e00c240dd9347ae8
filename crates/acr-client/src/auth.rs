//! ACR authentication (acr-api.md §3): the credentials a client can hold, the exchange of an
//! Entra token for an ACR refresh token, access tokens per resource cached until shortly before
//! their `exp`, and single-flight: concurrent requests needing the same token share one token
//! request.

use crate::{jwt, ClientError};
use acr_types::{AccessEntry, RepositoryName, Secret};
use futures_util::future::LocalBoxFuture;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// Gives the client an Entra ID access token for the audience
/// `https://containerregistry.azure.net` (the console's sign-in session implements it).
pub trait EntraTokenSource: Send + Sync + 'static {
    /// The current access token; `force_refresh` asks for a new one (the registry refused the
    /// last). Fails with [`ClientError::SignInRequired`] when there is no session.
    fn access_token(&self, force_refresh: bool) -> LocalBoxFuture<'_, Result<Secret, ClientError>>;
}

/// A fixed Entra token (scripts and tests).
pub struct StaticEntraToken(pub Secret);

impl EntraTokenSource for StaticEntraToken {
    fn access_token(&self, _force: bool) -> LocalBoxFuture<'_, Result<Secret, ClientError>> {
        let t = self.0.clone();
        Box::pin(async move { Ok(t) })
    }
}

/// How the client signs in to the registry.
#[derive(Clone)]
pub enum Credential {
    /// An Entra ID account: its token is exchanged at `/oauth2/exchange` for an ACR refresh token.
    Entra(Arc<dyn EntraTokenSource>),
    /// An ACR refresh token obtained elsewhere (e.g. `az acr login --expose-token`).
    RefreshToken(Secret),
    /// A repository-scoped token or admin user: the `password` grant.
    Password {
        /// Token or user name.
        username: String,
        /// Its password.
        password: Secret,
    },
    /// Anonymous pull (registries that allow it).
    Anonymous,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Entra(_) => f.write_str("Credential::Entra"),
            Self::RefreshToken(_) => f.write_str("Credential::RefreshToken(<redacted>)"),
            Self::Password { username, .. } => {
                write!(f, "Credential::Password {{ username: {username:?}, password: <redacted> }}")
            }
            Self::Anonymous => f.write_str("Credential::Anonymous"),
        }
    }
}

/// What a token is for: the catalog, or one repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resource {
    /// `registry:catalog:*`
    Catalog,
    /// `repository:<name>:…`
    Repository(RepositoryName),
}

/// Actions the client asks for on every repository token, so one token per repository serves
/// reads, lock changes and deletes, and its `access` claim says what the user may do.
pub const REPOSITORY_ACTIONS: &[&str] = &["pull", "metadata_read", "metadata_write", "delete"];

impl Resource {
    /// The scope requested for this resource.
    pub fn scope(&self) -> String {
        match self {
            Self::Catalog => AccessEntry::catalog().to_string(),
            Self::Repository(r) => {
                AccessEntry::repository(r.as_str(), REPOSITORY_ACTIONS).to_string()
            }
        }
    }

    /// The resource a challenge's scope names, if it is one the client knows.
    pub fn from_scope(scope: &str) -> Option<Self> {
        let first = scope.split_whitespace().next()?;
        let e = AccessEntry::parse_scope(first).ok()?;
        match (e.kind.as_str(), e.name.as_str()) {
            ("registry", "catalog") => Some(Self::Catalog),
            ("repository", name) => RepositoryName::new(name).ok().map(Self::Repository),
            _ => None,
        }
    }

    /// How the resource reads in messages.
    pub fn describe(&self) -> String {
        match self {
            Self::Catalog => "the repository catalog".into(),
            Self::Repository(r) => r.to_string(),
        }
    }
}

/// What a token grants, as its `access` claim says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grants {
    /// The entries the claim lists (possibly none).
    Known(Vec<AccessEntry>),
    /// The claim was missing or could not be read (or the token is not a JWT): the registry still
    /// decides every request, the client just cannot say beforehand what it will allow.
    Unknown,
}

/// How long a token whose expiry cannot be read is used before a new one is fetched. ACR's own
/// tokens live 75 minutes (access) and 3 h 15 min (refresh), as recorded; a short guess costs one
/// token request now and then, and a token the registry refuses earlier is fetched again anyway.
pub const UNKNOWN_EXPIRY_USE_MS: u64 = 5 * 60 * 1000;

/// A token with its expiry (ms since epoch) and what it grants.
#[derive(Clone)]
pub struct CachedToken {
    /// The token.
    pub token: Secret,
    /// When the client stops using it (expiry minus a margin), ms since the epoch.
    pub use_until_ms: u64,
    /// The granted access (access tokens only).
    pub granted: Grants,
}

impl std::fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedToken")
            .field("use_until_ms", &self.use_until_ms)
            .field("granted", &self.granted)
            .finish_non_exhaustive()
    }
}

impl CachedToken {
    /// Reads `exp` and `access` from a token the registry returned; `margin_ms` caps how long
    /// before `exp` the token is retired (at most a fifth of its remaining life).
    ///
    /// Tolerant, because the registry, not the client, enforces what a token allows: a token
    /// that is not a JWT, or has no readable `exp`, is used for [`UNKNOWN_EXPIRY_USE_MS`], and
    /// an unreadable `access` claim makes the grants [`Grants::Unknown`]. Only a token that had
    /// already expired is refused: used anyway it would be refused, fetched again and refused
    /// again, and the likely cause (this computer's clock) is worth saying.
    pub fn from_jwt(token: Secret, now_ms: u64, margin_ms: u64) -> Result<Self, ClientError> {
        let claims = jwt::claims(token.expose());
        let granted = claims.as_ref().map_or(Grants::Unknown, |c| c.access.clone());
        let exp_ms = claims
            .and_then(|c| c.exp)
            .and_then(|e| u64::try_from(e).ok())
            .map(|e| e.saturating_mul(1000));
        let Some(exp_ms) = exp_ms else {
            let use_until_ms = now_ms.saturating_add(UNKNOWN_EXPIRY_USE_MS);
            return Ok(Self { token, use_until_ms, granted });
        };
        if exp_ms <= now_ms {
            return Err(ClientError::unexpected(
                "the registry returned a token that had already expired (if this happens again, check that this computer's clock is right)",
            ));
        }
        let life = exp_ms.saturating_sub(now_ms);
        let use_until_ms = exp_ms.saturating_sub(margin_ms.min(life / 5));
        Ok(Self { token, use_until_ms, granted })
    }

    /// True while the token may be used.
    pub fn is_fresh(&self, now_ms: u64) -> bool {
        now_ms < self.use_until_ms
    }
}

/// One cached token behind an async lock: whoever holds the lock fetches, the others wait and
/// then find the fresh token (single-flight).
pub type Slot = Arc<async_lock::Mutex<Option<CachedToken>>>;

/// The client's tokens.
#[derive(Default)]
pub struct TokenStore {
    /// The ACR refresh token (Entra credential).
    pub refresh: Slot,
    access: Mutex<HashMap<Resource, Slot>>,
}

impl TokenStore {
    /// The slot for `resource`'s access token.
    pub fn slot(&self, resource: &Resource) -> Slot {
        let mut map = self.access.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(resource.clone()).or_default().clone()
    }

    /// Every resource a token slot exists for.
    pub fn known(&self) -> Vec<Resource> {
        let map = self.access.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.keys().cloned().collect()
    }

    /// What the cached token for `resource` grants, if one is cached.
    pub fn granted(&self, resource: &Resource) -> Option<Grants> {
        let slot = self.slot(resource);
        let guard = slot.try_lock()?;
        guard.as_ref().map(|t| t.granted.clone())
    }
}
