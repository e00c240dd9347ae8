//! The demo Entra authority: OpenID configuration, a sign-in page listing the demo users,
//! authorization code + PKCE (S256), refresh tokens, signing keys and sign-out, so the console's
//! real sign-in code runs unchanged against it.
//!
//! STUB: the interface is fixed; the bodies are being written.

use crate::state::AppState;
use axum::Router;

/// Authorization codes and refresh tokens handed out by the demo authority.
#[derive(Debug, Default)]
pub struct Sessions {}

/// Routes under `/{tenant}/…`.
pub fn router() -> Router<AppState> {
    Router::new()
}
