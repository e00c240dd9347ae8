//! `ApiError`: every way a registry or token request fails, rendered as ACR renders it (status,
//! `{"errors":[…]}` body, `Www-Authenticate` challenge). Handlers return it; nothing else writes
//! error responses.

use acr_types::{code, DISALLOWED_MESSAGE};
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;

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
    /// 404 `MANIFEST_UNKNOWN`, no `detail` (recorded: `{"code":"MANIFEST_UNKNOWN","message":
    /// "manifest unknown"}`).
    ManifestUnknown,
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

/// ACR's error body (the shape of [`acr_types::AcrErrors`]), written with `detail`'s keys in
/// ACR's order.
#[derive(Debug, Serialize)]
struct ErrorBody {
    errors: [ErrorInfo; 1],
}

#[derive(Debug, Serialize)]
struct ErrorInfo {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<Detail>,
}

/// The `detail` of an error.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Detail {
    /// `[{"Type","Name","Action"}]`, one entry per action (401s).
    Access(Vec<AccessDetail>),
    /// `{"name": …}` (`NAME_UNKNOWN`).
    Name { name: String },
    /// `{}` (`REGISTRY_DISALLOWED_OPERATION`).
    Empty {},
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct AccessDetail {
    #[serde(rename = "Type")]
    kind: String,
    name: String,
    action: String,
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
            Self::NameUnknown(_) | Self::TagUnknown | Self::ManifestUnknown | Self::NotFound => {
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

    /// The `{"errors":[…]}` body, in ACR's key order (which `serde_json::Value` would lose).
    fn body(&self) -> ErrorBody {
        const AUTH_MESSAGE: &str =
            "authentication required, visit https://aka.ms/acr/authorization for more information.";
        let (code, message, detail): (&'static str, String, Option<Detail>) = match self {
            Self::Unauthorized { scope, .. } => {
                let detail = scope.as_deref().map(|s| {
                    let mut parts = s.splitn(3, ':');
                    let (kind, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                    let actions = parts.next().unwrap_or("").split(',');
                    Detail::Access(
                        actions
                            .map(|action| AccessDetail {
                                kind: kind.to_owned(),
                                name: name.to_owned(),
                                action: action.to_owned(),
                            })
                            .collect(),
                    )
                });
                (code::UNAUTHORIZED, AUTH_MESSAGE.into(), detail)
            }
            Self::BasicUnauthorized => (code::UNAUTHORIZED, AUTH_MESSAGE.into(), None),
            Self::TokenRefused(m) => (code::UNAUTHORIZED, m.clone(), None),
            Self::NameUnknown(name) => (
                code::NAME_UNKNOWN,
                "repository name not known to registry".into(),
                Some(Detail::Name { name: name.clone() }),
            ),
            Self::TagUnknown => {
                (code::TAG_UNKNOWN, "the specified tag does not exist".into(), None)
            }
            Self::ManifestUnknown => (code::MANIFEST_UNKNOWN, "manifest unknown".into(), None),
            Self::Disallowed => (
                code::REGISTRY_DISALLOWED_OPERATION,
                DISALLOWED_MESSAGE.into(),
                Some(Detail::Empty {}),
            ),
            Self::BadRequest { code, message } => (*code, message.clone(), None),
            Self::TooLarge(limit) => (
                code::SIZE_INVALID,
                format!("the request body is larger than the limit of {limit} bytes"),
                None,
            ),
            Self::NotFound => {
                (code::UNSUPPORTED, "the requested path is not an API endpoint".into(), None)
            }
            Self::MethodNotAllowed => {
                (code::UNSUPPORTED, "the method is not supported on this endpoint".into(), None)
            }
            Self::Throttled(_) => (code::TOO_MANY_REQUESTS, "too many requests".into(), None),
            Self::Unavailable => (
                code::SERVICE_UNAVAILABLE,
                "the service is temporarily unavailable, retry later".into(),
                None,
            ),
            Self::Internal(_) => ("INTERNAL_ERROR", "internal server error".into(), None),
        };
        ErrorBody { errors: [ErrorInfo { code, message, detail }] }
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
            S::ManifestUnknown(_) => Self::ManifestUnknown,
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
    use serde_json::json;

    fn body(e: &ApiError) -> String {
        serde_json::to_string(&e.body()).unwrap()
    }

    #[test]
    fn challenge_matches_acr_format() {
        let e = ApiError::Unauthorized {
            realm: "https://r.azurecr.io/oauth2/token".into(),
            service: "r.azurecr.io".into(),
            scope: Some("repository:a/b:metadata_read,delete".into()),
            error: ChallengeError::InsufficientScope,
        };
        assert_eq!(
            e.challenge().unwrap(),
            "Bearer realm=\"https://r.azurecr.io/oauth2/token\",service=\"r.azurecr.io\",scope=\"repository:a/b:metadata_read,delete\",error=\"insufficient_scope\""
        );
        // Keys in ACR's order, one detail entry per action.
        assert_eq!(
            body(&e),
            r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required, visit https://aka.ms/acr/authorization for more information.","detail":[{"Type":"repository","Name":"a/b","Action":"metadata_read"},{"Type":"repository","Name":"a/b","Action":"delete"}]}]}"#
        );
    }

    #[test]
    fn bodies_are_acr_errors() {
        let unknown = ApiError::NameUnknown("a/b".into());
        assert_eq!(
            body(&unknown),
            r#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"a/b"}}]}"#
        );
        assert_eq!(
            body(&ApiError::ManifestUnknown),
            r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#
        );
        for e in [unknown, ApiError::TagUnknown, ApiError::Disallowed, ApiError::Throttled(None)] {
            let read: acr_types::AcrErrors = serde_json::from_str(&body(&e)).unwrap();
            assert_eq!(read.errors.len(), 1, "{e:?}");
        }
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
