//! ACR's error body, `{"errors":[{"code","message","detail"}]}`, and the codes it uses.

use serde::{Deserialize, Serialize};

/// The error body of every failed `/acr/v1`, `/v2` and `/oauth2` call (swagger `AcrErrors`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcrErrors {
    /// One or more errors; ACR sends one.
    pub errors: Vec<AcrErrorInfo>,
}

/// One error (swagger `AcrErrorInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcrErrorInfo {
    /// A code from [`code`], e.g. `REGISTRY_DISALLOWED_OPERATION` (empty when an answer has none:
    /// the swagger does not require it, and the message still says what happened).
    #[serde(default)]
    pub code: String,
    /// The service's message.
    #[serde(default)]
    pub message: String,
    /// Free-form detail: `{}` for locks, `{"name":…}` for unknown names, an array of
    /// `{"Type","Name","Action"}` for `UNAUTHORIZED`; omitted for `TAG_UNKNOWN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<serde_json::Value>,
}

impl AcrErrors {
    /// A body with one error.
    pub fn one(code: &str, message: impl Into<String>, detail: Option<serde_json::Value>) -> Self {
        Self { errors: vec![AcrErrorInfo { code: code.into(), message: message.into(), detail }] }
    }

    /// The first error's code, if any.
    pub fn code(&self) -> Option<&str> {
        self.errors.first().map(|e| e.code.as_str())
    }
}

/// Error codes ACR and the distribution spec use.
pub mod code {
    /// Missing, invalid or insufficient token (401).
    pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
    /// Firewall or policy refusal (403).
    pub const DENIED: &str = "DENIED";
    /// Unknown repository (404).
    pub const NAME_UNKNOWN: &str = "NAME_UNKNOWN";
    /// Invalid repository name (400).
    pub const NAME_INVALID: &str = "NAME_INVALID";
    /// Unknown tag (404).
    pub const TAG_UNKNOWN: &str = "TAG_UNKNOWN";
    /// Invalid tag (400).
    pub const TAG_INVALID: &str = "TAG_INVALID";
    /// Unknown manifest (404).
    pub const MANIFEST_UNKNOWN: &str = "MANIFEST_UNKNOWN";
    /// Invalid manifest body (400).
    pub const MANIFEST_INVALID: &str = "MANIFEST_INVALID";
    /// Invalid digest (400).
    pub const DIGEST_INVALID: &str = "DIGEST_INVALID";
    /// Body too large (413) or size mismatch.
    pub const SIZE_INVALID: &str = "SIZE_INVALID";
    /// Malformed request (400).
    pub const UNSUPPORTED: &str = "UNSUPPORTED";
    /// A lock refused the operation (405).
    pub const REGISTRY_DISALLOWED_OPERATION: &str = "REGISTRY_DISALLOWED_OPERATION";
    /// Throttled (429).
    pub const TOO_MANY_REQUESTS: &str = "TOOMANYREQUESTS";
    /// The service is unavailable (503).
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
}

/// ACR's message for [`code::REGISTRY_DISALLOWED_OPERATION`].
pub const DISALLOWED_MESSAGE: &str = "The operation is disallowed on this registry, repository or image. View troubleshooting steps at https://aka.ms/acr/faq/#why-does-my-pull-or-push-request-fail-with-disallowed-operation";
