//! What every registry handler reads from a request: [`Ctx`] (state, method, headers, decoded
//! query, and the credential check for an operation's scope) and the size-limited body.

use crate::{auth::Principal, error::ApiError, paging::query_pairs, state::AppState};
use axum::{
    body::{Body, Bytes},
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap, Method},
};

/// What every registry handler needs from the request, read once.
pub struct Ctx {
    /// Shared state.
    pub state: AppState,
    /// The request method.
    pub method: Method,
    /// The request headers.
    pub headers: HeaderMap,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
}

impl Ctx {
    /// Checks the request's credentials for `scope`.
    pub fn authorize(&self, scope: &acr_types::AccessEntry) -> Result<Principal, ApiError> {
        crate::auth::authorize(&self.state, &self.headers, scope)
    }

    /// The login server this request addresses.
    pub fn login_server(&self) -> String {
        self.state.login_server(&self.headers)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Self {
            state: state.clone(),
            method: parts.method.clone(),
            headers: parts.headers.clone(),
            query: query_pairs(parts.uri.query())?,
        })
    }
}

/// Reads a request body of at most `limit` bytes; a larger one is a 413 with ACR's body.
pub async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::TooLarge(limit));
    }
    axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::TooLarge(limit))
}
