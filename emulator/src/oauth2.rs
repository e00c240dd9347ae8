//! ACR's token endpoints: `POST /oauth2/exchange` (Entra access token → ACR refresh token) and
//! `POST|GET /oauth2/token` (refresh token, password or Basic → ACR access token).
//!
//! STUB: the interface is fixed; the bodies are being written.

use crate::state::AppState;
use axum::Router;

/// Routes under `/oauth2/`.
pub fn router() -> Router<AppState> {
    Router::new()
}
