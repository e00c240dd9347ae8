//! `ApiError`: every way a registry or token request fails, rendered as ACR renders it (status,
//! `{"errors":[…]}` body, `Www-Authenticate` challenge). Handlers return it; nothing else writes
//! error responses.

use acr_types::{code, AcrErrors, DISALLOWED_MESSAGE};
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{json, Value};

/// Which `error=` parameter a 401 challenge carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeError {
    /// No token was presented.
    None,
    /// A token was presented but is expired, malformed or for another registry.
    InvalidToken,
    /// A valid token lacks the action.
    InsufficientScope,
}

/// A failed request. Each variant documents the status and code it renders.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 401 `UNAUTHORIZED` with `Www-Authenticate: Bearer realm=…,service=…[,scope=…][,error=…]`.
    Unauthorized {
        /// Absolute URL of the token endpoint.
        realm: String,
        /// The login server.
        service: String,
        /// The scope the operation needs (`None` for the `/v2/` probe).
        scope: Option<String>,
        /// The `error` parameter.
        error: ChallengeError,
    },
    /// 401 with `Www-Authenticate: Basic realm="Azure Container Registry"` (bad Basic credentials).
    BasicUnauthorized,
    /// 401 `UNAUTHORIZED` from the token endpoints (bad credentials or refresh token); no challenge.
    TokenRefused(String),
    /// 404 `NAME_UNKNOWN` with `detail: {"name": …}`.
    NameUnknown(String),
    /// 404 `TAG_UNKNOWN`, no `detail`.
    TagUnknown,
    /// 404 `MANIFEST_UNKNOWN`.
    ManifestUnknown(String),
    /// 405 `REGISTRY_DISALLOWED_OPERATION` with `detail: {}`: a lock refused the operation.
    Disallowed,
    /// 400 with a distribution error code (`NAME_INVALID`, `TAG_INVALID`, `DIGEST_INVALID`,
    /// `MANIFEST_INVALID`, `UNSUPPORTED`) and a message saying what was wrong.
    BadRequest {
        /// The error code.
        code: &'static str,
        /// What was wrong.
        message: String,
    },
    /// 413 `SIZE_INVALID`: the body is larger than the limit.
    TooLarge(usize),
    /// 404 for a path that is no ACR endpoint.
    NotFound,
    /// 405 for a method the endpoint does not support.
    MethodNotAllowed,
    /// 429 `TOOMANYREQUESTS`, with `Retry-After` when set.
    Throttled(Option<u64>),
    /// 503 `SERVICE_UNAVAILABLE`.
    Unavailable,
    /// 500: a bug or an I/O failure (e.g. saving the data file). Details go to the log only.
    Internal(String),
}

impl ApiError {
    /// A 400 with `code` and `message`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest { code, message: message.into() }
    }

    /// The status this error renders with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized { .. } | Self::BasicUnauthorized | Self::TokenRefused(_) => {
                StatusCode::UNAUTHORIZED
            }
            Self::NameUnknown(_) | Self::TagUnknown | Self::ManifestUnknown(_) | Self::NotFound => {
                StatusCode::NOT_FOUND
            }
            Self::Disallowed | Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(&self) -> AcrErrors {
        const AUTH_MESSAGE: &str =
            "authentication required, visit https://aka.ms/acr/authorization for more information.";
        match self {
            Self::Unauthorized { scope, .. } => {
                let detail = scope.as_deref().map(|s| {
                    let parts: Vec<&str> = s.splitn(3, ':').collect();
                    let actions = parts.get(2).copied().unwrap_or("");
                    Value::Array(
                        actions
                            .split(',')
                            .map(|a| {
                                json!({"Type": parts[0], "Name": parts.get(1).copied().unwrap_or(""), "Action": a})
                            })
                            .collect(),
                    )
                });
                AcrErrors::one(code::UNAUTHORIZED, AUTH_MESSAGE, detail)
            }
            Self::BasicUnauthorized => AcrErrors::one(code::UNAUTHORIZED, AUTH_MESSAGE, None),
            Self::TokenRefused(m) => AcrErrors::one(code::UNAUTHORIZED, m.clone(), None),
            Self::NameUnknown(name) => AcrErrors::one(
                code::NAME_UNKNOWN,
                "repository name not known to registry",
                Some(json!({ "name": name })),
            ),
            Self::TagUnknown => {
                AcrErrors::one(code::TAG_UNKNOWN, "the specified tag does not exist", None)
            }
            Self::ManifestUnknown(reference) => AcrErrors::one(
                code::MANIFEST_UNKNOWN,
                "manifest unknown",
                Some(json!({ "Reference": reference })),
            ),
            Self::Disallowed => AcrErrors::one(
                code::REGISTRY_DISALLOWED_OPERATION,
                DISALLOWED_MESSAGE,
                Some(json!({})),
            ),
            Self::BadRequest { code, message } => AcrErrors::one(code, message.clone(), None),
            Self::TooLarge(limit) => AcrErrors::one(
                code::SIZE_INVALID,
                format!("the request body is larger than the limit of {limit} bytes"),
                None,
            ),
            Self::NotFound => {
                AcrErrors::one(code::UNSUPPORTED, "the requested path is not an API endpoint", None)
            }
            Self::MethodNotAllowed => AcrErrors::one(
                code::UNSUPPORTED,
                "the method is not supported on this endpoint",
                None,
            ),
            Self::Throttled(_) => {
                AcrErrors::one(code::TOO_MANY_REQUESTS, "too many requests", None)
            }
            Self::Unavailable => AcrErrors::one(
                code::SERVICE_UNAVAILABLE,
                "the service is temporarily unavailable, retry later",
                None,
            ),
            Self::Internal(_) => AcrErrors::one("INTERNAL_ERROR", "internal server error", None),
        }
    }

    /// The `Www-Authenticate` value, for 401s that carry one.
    pub fn challenge(&self) -> Option<String> {
        match self {
            Self::Unauthorized { realm, service, scope, error } => {
                let mut v = format!("Bearer realm=\"{realm}\",service=\"{service}\"");
                if let Some(s) = scope {
                    v.push_str(&format!(",scope=\"{s}\""));
                }
                match error {
                    ChallengeError::None => {}
                    ChallengeError::InvalidToken => v.push_str(",error=\"invalid_token\""),
                    ChallengeError::InsufficientScope => {
                        v.push_str(",error=\"insufficient_scope\"")
                    }
                }
                Some(v)
            }
            Self::BasicUnauthorized => Some("Basic realm=\"Azure Container Registry\"".into()),
            _ => None,
        }
    }
}

/// Renders JSON the way ACR does: `application/json; charset=utf-8` and a trailing newline.
pub fn acr_json<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    let mut body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    body.push(b'\n');
    let mut res = (status, body).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let mut res = acr_json(self.status(), &self.body());
        if let Some(c) = self.challenge().and_then(|c| HeaderValue::from_str(&c).ok()) {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, c);
        }
        if let Self::Throttled(Some(secs)) = self {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError as S;
        match e {
            S::NameUnknown(name) => Self::NameUnknown(name.to_string()),
            S::TagUnknown => Self::TagUnknown,
            S::ManifestUnknown(r) => Self::ManifestUnknown(r),
            S::Disallowed => Self::Disallowed,
            S::ManifestInvalid(m) => Self::bad_request(code::MANIFEST_INVALID, m),
            e @ S::DigestMismatch(_) => Self::bad_request(code::DIGEST_INVALID, e.to_string()),
            S::ReferenceInvalid(m) => Self::bad_request(code::TAG_INVALID, m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_matches_acr_format() {
        let e = ApiError::Unauthorized {
            realm: "https://r.azurecr.io/oauth2/token".into(),
            service: "r.azurecr.io".into(),
            scope: Some("repository:a/b:metadata_read".into()),
            error: ChallengeError::InsufficientScope,
        };
        assert_eq!(
            e.challenge().unwrap(),
            "Bearer realm=\"https://r.azurecr.io/oauth2/token\",service=\"r.azurecr.io\",scope=\"repository:a/b:metadata_read\",error=\"insufficient_scope\""
        );
        let body = serde_json::to_value(e.body()).unwrap();
        assert_eq!(body["errors"][0]["detail"][0]["Name"], "a/b");
        assert_eq!(body["errors"][0]["detail"][0]["Action"], "metadata_read");
    }

    #[test]
    fn disallowed_is_405_with_empty_detail() {
        let e = ApiError::Disallowed;
        assert_eq!(e.status(), StatusCode::METHOD_NOT_ALLOWED);
        let body = serde_json::to_value(e.body()).unwrap();
        assert_eq!(body["errors"][0]["code"], "REGISTRY_DISALLOWED_OPERATION");
        assert_eq!(body["errors"][0]["detail"], json!({}));
    }
}
