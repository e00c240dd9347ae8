//! Signing in. The flow, like MSAL.js: authorization code + PKCE (S256) at the Entra authority,
//! tokens kept in `sessionStorage` only, silent renewal with the refresh token before expiry,
//! sign-out at the authority. The Entra token is handed to `acr-client`, which exchanges it at
//! the registry's `/oauth2/exchange` for ACR tokens. Registries without Entra sign in with a
//! repository-scoped ACR token (username + password).
//!
//! STUB: the interface below is fixed; the implementation is being written.

use crate::config::{RegistryConfig, SharedConfig};
use leptos::prelude::*;

/// The signed-in account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Display name.
    pub name: String,
    /// User principal name, or the ACR token's username.
    pub username: String,
}

/// Where the session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Reading `sessionStorage` or finishing a sign-in redirect: show neither the sign-in page
    /// nor signed-in content yet (no flash of the sign-in page on reload).
    Restoring,
    /// Nobody is signed in.
    SignedOut,
    /// Signed in.
    SignedIn(Account),
}

/// The session handle shared through context.
#[derive(Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
}

impl Session {
    /// The current state.
    pub fn state(&self) -> Signal<SessionState> {
        self.state.into()
    }

    /// The ACR credential for `registry`, when signed in for it.
    pub fn credential(&self, _registry: &RegistryConfig) -> Option<acr_client::Credential> {
        None
    }
}

/// Restores or starts the session and provides it as context.
pub fn provide_session(_config: SharedConfig) -> Session {
    let session = Session { state: RwSignal::new(SessionState::SignedOut) };
    provide_context(session);
    session
}

/// The session from context.
pub fn use_session() -> Session {
    expect_context::<Session>()
}
