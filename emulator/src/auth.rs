//! Tokens: signs and verifies the RS256 JWTs the emulator issues (ACR refresh and access tokens,
//! the demo authority's access and ID tokens), and checks a data-plane request's credentials
//! against the scope its operation needs.
//!
//! STUB: the interface is fixed; the bodies are being written.

use crate::{config::TokenLifetimes, error::ApiError, state::AppState, users::User};
use acr_types::AccessEntry;
use axum::http::HeaderMap;
use std::path::Path;

/// Who made a data-plane request, and what their token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's `sub` (a UPN, a token name, or empty for anonymous).
    pub subject: String,
    /// The token's granted access.
    pub access: Vec<AccessEntry>,
}

/// A token that failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(pub String);

/// Signs and verifies every token.
pub struct TokenIssuer {
    _lifetimes: TokenLifetimes,
}

impl TokenIssuer {
    /// Loads the signing key (`None`: the built-in demo key).
    pub fn new(_signing_key: Option<&Path>, lifetimes: TokenLifetimes) -> Result<Self, String> {
        Ok(Self { _lifetimes: lifetimes })
    }
}

/// Checks the credentials of a data-plane request for `scope`.
pub fn authorize(
    _state: &AppState,
    _headers: &HeaderMap,
    _scope: &AccessEntry,
) -> Result<Principal, ApiError> {
    todo!()
}

/// Token text for `acr-emulator token`.
pub fn cli_token(_issuer: &TokenIssuer, _user: &User, _kind: &str, _service: &str, _scope: &str) -> Result<String, String> {
    todo!()
}
