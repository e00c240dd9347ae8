//! Entra's JSON answers: the caching headers of every JSON response of the demo authority, and
//! [`EntraError`], a token-endpoint error rendered as Entra renders it (`error`, an `AADSTS` code
//! in `error_description`, `error_codes`, trace and correlation ids).

use crate::{error::acr_json, token::random_uuid};
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use serde_json::json;

/// JSON with Entra's caching headers.
pub(super) fn entra_json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    let mut res = acr_json(status, value);
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store, no-cache"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

/// A token-endpoint error, rendered as Entra renders it.
#[derive(Debug)]
pub(super) struct EntraError {
    pub(super) error: &'static str,
    pub(super) code: u32,
    pub(super) message: String,
}

impl EntraError {
    pub(super) fn new(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self { error, code, message: message.into() }
    }
    pub(super) fn grant(code: u32, message: impl Into<String>) -> Self {
        Self::new("invalid_grant", code, message)
    }
    pub(super) fn request(code: u32, message: impl Into<String>) -> Self {
        Self::new("invalid_request", code, message)
    }
    pub(super) fn missing(name: &str) -> Self {
        Self::request(
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }
}

impl IntoResponse for EntraError {
    fn into_response(self) -> Response {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        let ts = acr_types::Timestamp::from_unix_nanos(nanos);
        let stamp = format!("{}Z", ts.as_str().get(..19).unwrap_or("").replace('T', " "));
        let (trace, correlation) = (random_uuid(), random_uuid());
        let body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {stamp}",
                self.code, self.message
            ),
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
        });
        entra_json(StatusCode::BAD_REQUEST, &body)
    }
}
