//! The demo authority's sessions: authorization codes (single use, five minutes) and refresh
//! tokens (rotated on use, revoked at sign-out), kept in memory by the app state.

use super::error::EntraError;
use crate::token::random_text;
use acr_types::Secret;
use std::{
    collections::HashMap,
    fmt,
    sync::{Mutex, MutexGuard},
    time::{Duration, Instant},
};

/// How long an authorization code may be redeemed.
pub(super) const CODE_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// How long a refresh token of the demo authority lives (Entra's limit for SPAs).
pub(super) const REFRESH_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A code handed out by the authorize endpoint (the code itself is the map key, not here).
#[derive(Debug)]
pub(super) struct CodeGrant {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) code_challenge: String,
    pub(super) nonce: Option<String>,
    pub(super) scope: String,
    pub(super) user_id: String,
    pub(super) expires: Instant,
    pub(super) redeemed: bool,
}

/// A refresh token handed out by the token endpoint (the token is the map key, not here).
#[derive(Debug, Clone)]
pub(super) struct RefreshSession {
    pub(super) user_id: String,
    pub(super) client_id: String,
    pub(super) scope: String,
    pub(super) expires: Instant,
}

/// Authorization codes and refresh tokens handed out by the demo authority.
#[derive(Default)]
pub struct Sessions {
    codes: Mutex<HashMap<String, CodeGrant>>,
    refresh: Mutex<HashMap<String, RefreshSession>>,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("codes", &lock(&self.codes).len())
            .field("refresh_tokens", &lock(&self.refresh).len())
            .finish()
    }
}

/// Locks a map; a poisoned lock still holds consistent data (every update is one insert or
/// remove), so it is used as is.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Sessions {
    pub(super) fn issue_code(&self, grant: CodeGrant) -> String {
        let code = random_text(32);
        let mut codes = lock(&self.codes);
        let now = Instant::now();
        codes.retain(|_, g| g.expires > now);
        codes.insert(code.clone(), grant);
        code
    }

    /// Takes a code for redemption: it must exist, be unexpired and not redeemed before. It is
    /// marked redeemed whatever happens next, so a code is tried at most once.
    pub(super) fn redeem_code(&self, code: &str) -> Result<CodeGrant, EntraError> {
        let mut codes = lock(&self.codes);
        let Some(g) = codes.get_mut(code) else {
            return Err(EntraError::grant(
                70000,
                "The provided value for the 'code' parameter is not valid.",
            ));
        };
        if g.redeemed {
            return Err(EntraError::grant(54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."));
        }
        if g.expires <= Instant::now() {
            codes.remove(code);
            return Err(EntraError::grant(70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."));
        }
        g.redeemed = true;
        Ok(CodeGrant {
            client_id: g.client_id.clone(),
            redirect_uri: g.redirect_uri.clone(),
            code_challenge: g.code_challenge.clone(),
            nonce: g.nonce.clone(),
            scope: g.scope.clone(),
            user_id: g.user_id.clone(),
            expires: g.expires,
            redeemed: true,
        })
    }

    pub(super) fn issue_refresh(&self, session: RefreshSession) -> Secret {
        let token = random_text(48);
        let mut all = lock(&self.refresh);
        let now = Instant::now();
        all.retain(|_, s| s.expires > now);
        all.insert(token.clone(), session);
        Secret::new(token)
    }

    /// Removes a refresh token for rotation; it must exist, be unexpired and belong to
    /// `client_id`.
    pub(super) fn take_refresh(
        &self,
        token: &str,
        client_id: &str,
    ) -> Result<RefreshSession, EntraError> {
        let mut all = lock(&self.refresh);
        let invalid = || {
            EntraError::grant(
                9002313,
                "Invalid request. Request is malformed or invalid: the refresh token is not known (revoked, rotated or never issued).",
            )
        };
        let s = all.get(token).ok_or_else(invalid)?;
        if s.client_id != client_id {
            return Err(EntraError::grant(
                70000,
                "The refresh token was issued to a different client_id.",
            ));
        }
        let s = all.remove(token).ok_or_else(invalid)?;
        if s.expires <= Instant::now() {
            return Err(EntraError::grant(700084, "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page."));
        }
        Ok(s)
    }

    /// Revokes every refresh token of the user with this id; returns how many there were.
    pub fn revoke_user(&self, user_id: &str) -> usize {
        let mut all = lock(&self.refresh);
        let before = all.len();
        all.retain(|_, s| s.user_id != user_id);
        before - all.len()
    }

    /// Live refresh tokens of the user with this id.
    pub fn refresh_tokens_of(&self, user_id: &str) -> usize {
        let now = Instant::now();
        lock(&self.refresh).values().filter(|s| s.user_id == user_id && s.expires > now).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_single_use_and_expire() {
        let s = Sessions::default();
        let grant = |expires| CodeGrant {
            client_id: "c".into(),
            redirect_uri: "http://x/".into(),
            code_challenge: "x".into(),
            nonce: None,
            scope: "openid".into(),
            user_id: "u".into(),
            expires,
            redeemed: false,
        };
        let code = s.issue_code(grant(Instant::now() + CODE_LIFETIME));
        assert!(s.redeem_code(&code).is_ok());
        assert_eq!(s.redeem_code(&code).unwrap_err().code, 54005);
        assert_eq!(s.redeem_code("nope").unwrap_err().code, 70000);
        let old = s.issue_code(grant(Instant::now()));
        assert_eq!(s.redeem_code(&old).unwrap_err().code, 70008);
        let session = RefreshSession {
            user_id: "u".into(),
            client_id: "c".into(),
            scope: String::new(),
            expires: Instant::now() + REFRESH_LIFETIME,
        };
        let r = s.issue_refresh(session.clone());
        assert!(s.take_refresh(r.expose(), "other").is_err());
        assert!(s.take_refresh(r.expose(), "c").is_ok());
        assert!(s.take_refresh(r.expose(), "c").is_err());
        s.issue_refresh(session.clone());
        s.issue_refresh(session);
        assert_eq!(s.refresh_tokens_of("u"), 2);
        assert_eq!(s.revoke_user("u"), 2);
        assert!(!format!("{s:?}").contains(r.expose()));
    }
}
