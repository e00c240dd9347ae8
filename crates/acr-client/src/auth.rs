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
    /// an unreadable `access` claim makes the grants [`Grants::Unknown`]. A token that looks
    /// expired by this computer's clock but says when it was issued (`iat`) is used for its
    /// lifetime on the issuer's clock (this clock is ahead); only one without `iat` is refused,
    /// naming the clock.
    pub fn from_jwt(token: Secret, now_ms: u64, margin_ms: u64) -> Result<Self, ClientError> {
        let claims = jwt::claims(token.expose());
        let granted = claims.as_ref().map_or(Grants::Unknown, |c| c.access.clone());
        let ms =
            |s: Option<i64>| s.and_then(|e| u64::try_from(e).ok()).map(|e| e.saturating_mul(1000));
        let exp_ms = ms(claims.as_ref().and_then(|c| c.exp));
        let iat_ms = ms(claims.as_ref().and_then(|c| c.iat));
        let Some(exp_ms) = exp_ms else {
            let use_until_ms = now_ms.saturating_add(UNKNOWN_EXPIRY_USE_MS);
            return Ok(Self { token, use_until_ms, granted });
        };
        // The token's lifetime on the issuer's clock, when it says when it was issued.
        let issued_life = iat_ms.filter(|iat| *iat < exp_ms).map(|iat| exp_ms - iat);
        let life = match issued_life {
            // Already expired by this computer's clock, yet fresh by the issuer's: this clock is
            // ahead. Use it for its lifetime from now; the registry decides by its own clock.
            Some(issued) if exp_ms <= now_ms => issued,
            // This clock is behind: never keep a token longer than it was issued for.
            Some(issued) => exp_ms.saturating_sub(now_ms).min(issued),
            None if exp_ms <= now_ms => {
                // Used anyway it would be refused, fetched again and refused again: say why.
                return Err(ClientError::unexpected(
                    "the registry returned a token that had already expired (if this happens again, check that this computer's clock is right)",
                ));
            }
            None => exp_ms.saturating_sub(now_ms),
        };
        let use_until_ms = now_ms.saturating_add(life).saturating_sub(margin_ms.min(life / 5));
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

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn token(claims: &str) -> Secret {
        let b = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        Secret::new(format!("{}.{}.sig", b(b"{}"), b(claims.as_bytes())))
    }

    const NOW_MS: u64 = 1_700_000_000_000;
    const MARGIN_MS: u64 = 5 * 60 * 1000;

    #[test]
    fn lifetimes_follow_the_issuers_clock_when_this_one_is_off() {
        let now_s = NOW_MS / 1000;
        // In step: used until exp less the margin.
        let t = CachedToken::from_jwt(
            token(&format!(r#"{{"iat":{now_s},"exp":{}}}"#, now_s + 4500)),
            NOW_MS,
            MARGIN_MS,
        )
        .unwrap();
        assert_eq!(t.use_until_ms, NOW_MS + 4_500_000 - MARGIN_MS);
        // This clock two hours ahead: expired here, fresh for the issuer; used for its life.
        let (iat, exp) = (now_s - 7200, now_s - 7200 + 4500);
        let t = CachedToken::from_jwt(
            token(&format!(r#"{{"iat":{iat},"exp":{exp}}}"#)),
            NOW_MS,
            MARGIN_MS,
        )
        .unwrap();
        assert_eq!(t.use_until_ms, NOW_MS + 4_500_000 - MARGIN_MS);
        // This clock two hours behind: kept no longer than it was issued for.
        let (iat, exp) = (now_s + 7200, now_s + 7200 + 4500);
        let t = CachedToken::from_jwt(
            token(&format!(r#"{{"iat":{iat},"exp":{exp}}}"#)),
            NOW_MS,
            MARGIN_MS,
        )
        .unwrap();
        assert_eq!(t.use_until_ms, NOW_MS + 4_500_000 - MARGIN_MS);
        // Expired and no iat (or iat not before exp): refused, naming the clock.
        for claims in [r#"{"exp":1}"#, r#"{"iat":5,"exp":5}"#] {
            let e = CachedToken::from_jwt(token(claims), NOW_MS, MARGIN_MS).unwrap_err();
            assert!(e.to_string().contains("clock"), "{claims}: {e}");
        }
    }
}
