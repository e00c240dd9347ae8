//! `ClientError`: every way a client call fails, as variants a person can act on, each with a
//! one-sentence `Display`. No token ever appears in an error.

use std::time::Duration;

/// A failed client call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// No usable sign-in: no Entra token, the refresh token was refused or expired, or the
    /// registry does not accept this account (401 from `/oauth2/exchange` or `/oauth2/token`).
    #[error("Sign-in required: {reason}")]
    SignInRequired {
        /// Why, in a few words.
        reason: String,
    },
    /// The signed-in account lacks the permission (401 `insufficient_scope`, 403 `DENIED`).
    #[error("Permission denied: your account may not {action} on {resource}.")]
    PermissionDenied {
        /// The action refused (`metadata_write`, `delete`, …).
        action: String,
        /// What it was refused on (`prod/api`, `the catalog`).
        resource: String,
    },
    /// The repository, tag or manifest does not exist (404).
    #[error("Not found: {what} does not exist in this registry.")]
    NotFound {
        /// The artifact reference, e.g. `prod/api:1.0`.
        what: String,
        /// ACR's code (`NAME_UNKNOWN`, `TAG_UNKNOWN`, `MANIFEST_UNKNOWN`).
        code: String,
    },
    /// A lock refused the operation (405 `REGISTRY_DISALLOWED_OPERATION`).
    #[error("Disallowed by a lock: {what} is locked against this operation.")]
    Disallowed {
        /// The artifact reference the operation was on.
        what: String,
    },
    /// The registry kept answering 429 (or 503) after every retry.
    #[error("The registry is throttling requests; try again {}.", match retry_after {
        Some(d) => format!("in {} s", d.as_secs().max(1)),
        None => "in a minute".to_owned(),
    })]
    Throttled {
        /// The registry's last `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// No answer: offline, DNS, TLS, a proxy refusing, or a browser block (the browser hides
    /// the cause of CORS failures).
    #[error("Network error: {message}.")]
    Network {
        /// What the transport reported.
        message: String,
    },
    /// The answer's body was longer than the client reads (`ClientOptions::max_response_bytes`);
    /// the rest of it was never read.
    #[error("The registry's answer is larger than {} and was not read.", size(*limit))]
    TooLarge {
        /// The largest body accepted, in bytes.
        limit: usize,
    },
    /// The registry, or something in front of it, pointed the client where it does not go: a
    /// sign-in `realm` or next-page `Link` on another origin or outside the list, or a
    /// redirect. Nothing was sent there.
    #[error("The registry pointed elsewhere: {}.", message.trim_end_matches('.'))]
    Misdirected {
        /// Where it was pointed, and by what.
        message: String,
    },
    /// Anything else: an unexpected status or an answer that cannot be read.
    #[error("Unexpected answer from the registry: {}.", message.trim_end_matches('.'))]
    Unexpected {
        /// The HTTP status, when there was one.
        status: Option<u16>,
        /// ACR's error code, when there was one.
        code: Option<String>,
        /// What was wrong.
        message: String,
    },
}

impl ClientError {
    /// A [`ClientError::Misdirected`] saying `message`.
    pub fn misdirected(message: impl Into<String>) -> Self {
        Self::Misdirected { message: message.into() }
    }

    /// An `Unexpected` error without status or code.
    pub fn unexpected(message: impl Into<String>) -> Self {
        Self::Unexpected { status: None, code: None, message: message.into() }
    }

    /// True for errors a retry may fix (throttling, network).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Throttled { .. } | Self::Network { .. })
    }
}

/// `bytes` for people: whole mebibytes as `4 MB`, else a byte count.
fn size(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    if bytes >= MB && bytes % MB == 0 {
        format!("{} MB", bytes / MB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_too_large_answer_names_the_limit_people_can_read() {
        let e = ClientError::TooLarge { limit: 4 * 1024 * 1024 };
        assert_eq!(e.to_string(), "The registry's answer is larger than 4 MB and was not read.");
        assert!(ClientError::TooLarge { limit: 1000 }.to_string().contains("1000 bytes"));
        assert!(!e.is_transient());
    }
}
