//! What the session keeps in `sessionStorage` (never `localStorage`): the signed-in session
//! (Entra tokens or a registry token's credentials) and a sign-in in progress (PKCE verifier,
//! state, nonce, return path). The JSON shapes are versioned by their key; anything unreadable
//! counts as absent. Serialisation is pure and tested natively; the storage calls go through
//! [`super::browser`].

use super::browser;
use acr_types::Secret;
use serde::{Deserialize, Serialize};

/// Key of the signed-in session.
pub const SESSION_KEY: &str = "acr-console.session.v1";
/// Key of the sign-in in progress.
pub const PENDING_KEY: &str = "acr-console.sign-in.v1";

/// The account as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAccount {
    /// Display name.
    pub name: String,
    /// User principal name or token username.
    pub username: String,
    /// The id token's `login_hint` claim, sent as `logout_hint` at sign-out (absent when the
    /// app registration does not issue that optional claim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
}

/// A signed-in session. `Debug` never shows a token or password ([`Secret`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum StoredSession {
    /// Signed in with Microsoft Entra ID.
    Entra {
        /// Who.
        account: StoredAccount,
        /// The Entra access token for the registry resource.
        access_token: Secret,
        /// The refresh token for silent renewal.
        #[serde(default)]
        refresh_token: Option<Secret>,
        /// When the access token was issued, ms since the epoch.
        issued_at_ms: u64,
        /// When it expires, ms since the epoch.
        expires_at_ms: u64,
    },
    /// Signed in to one registry with a repository-scoped token (username + password).
    Token {
        /// The configured registry name.
        registry: String,
        /// Token name.
        username: String,
        /// Token password.
        password: Secret,
    },
}

/// A sign-in sent to the authority and not yet finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    /// The CSRF state the answer must echo.
    pub state: String,
    /// The nonce the id token must carry.
    pub nonce: String,
    /// The PKCE verifier for the redemption.
    pub verifier: Secret,
    /// The console path to return to (already checked with `routes::is_console_path`).
    #[serde(default)]
    pub return_to: Option<String>,
}

/// `value` as stored text.
pub fn to_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Stored text read back; `None` when absent or not readable (an older or damaged entry).
pub fn from_text<T: for<'de> Deserialize<'de>>(text: Option<&str>) -> Option<T> {
    serde_json::from_str(text?).ok()
}

/// The stored session, if any.
pub fn load_session() -> Option<StoredSession> {
    from_text(browser::storage_get(SESSION_KEY).as_deref())
}

/// Stores the session.
pub fn save_session(session: &StoredSession) {
    browser::storage_set(SESSION_KEY, &to_text(session));
}

/// Takes (reads and removes) the sign-in in progress: it is good for one answer only.
pub fn take_pending() -> Option<PendingSignIn> {
    let text = browser::storage_get(PENDING_KEY);
    browser::storage_remove(PENDING_KEY);
    from_text(text.as_deref())
}

/// Reads the sign-in in progress without removing it.
pub fn load_pending() -> Option<PendingSignIn> {
    from_text(browser::storage_get(PENDING_KEY).as_deref())
}

/// Stores a sign-in in progress.
pub fn save_pending(pending: &PendingSignIn) {
    browser::storage_set(PENDING_KEY, &to_text(pending));
}

/// Forgets everything this tab stored.
pub fn clear() {
    browser::storage_clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_sessions_round_trip_and_never_debug_tokens() {
        let s = StoredSession::Entra {
            account: StoredAccount {
                name: "Adele".into(),
                username: "admin@c.example".into(),
                login_hint: Some("hint-1".into()),
            },
            access_token: Secret::new("AT-secret"),
            refresh_token: Some(Secret::new("RT-secret")),
            issued_at_ms: 1,
            expires_at_ms: 3_600_001,
        };
        let text = to_text(&s);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["kind"], "entra");
        assert_eq!(v["access_token"], "AT-secret");
        assert_eq!(from_text::<StoredSession>(Some(&text)), Some(s.clone()));
        let shown = format!("{s:?}");
        assert!(!shown.contains("AT-secret") && !shown.contains("RT-secret"), "{shown}");
    }

    #[test]
    fn token_sessions_and_pending_sign_ins_round_trip() {
        let t = StoredSession::Token {
            registry: "edge".into(),
            username: "ci".into(),
            password: Secret::new("pw"),
        };
        assert_eq!(from_text::<StoredSession>(Some(&to_text(&t))), Some(t.clone()));
        assert!(!format!("{t:?}").contains("pw\""));
        let p = PendingSignIn {
            state: "s".into(),
            nonce: "n".into(),
            verifier: Secret::new("v".repeat(43)),
            return_to: Some("/r/demo?q=a".into()),
        };
        assert_eq!(from_text::<PendingSignIn>(Some(&to_text(&p))), Some(p));
        let older = r#"{"state":"s","nonce":"n","verifier":"v"}"#;
        assert_eq!(from_text::<PendingSignIn>(Some(older)).unwrap().return_to, None);
    }

    #[test]
    fn unreadable_entries_count_as_absent() {
        assert_eq!(from_text::<StoredSession>(None), None);
        assert_eq!(from_text::<StoredSession>(Some("")), None);
        assert_eq!(from_text::<StoredSession>(Some("{\"kind\":\"saml\"}")), None);
        assert_eq!(from_text::<StoredSession>(Some("{\"kind\":\"entra\"}")), None);
        assert_eq!(from_text::<PendingSignIn>(Some("[1]")), None);
    }
}
