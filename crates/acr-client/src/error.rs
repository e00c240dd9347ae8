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
    /// The signed-in account lacks the permission (401 `insufficient_scope`, after a cached
    /// token was replaced once).
    #[error("Permission denied: your account may not {action} on {resource}.")]
    PermissionDenied {
        /// The action refused (`metadata_write`, `delete`, …).
        action: String,
        /// What it was refused on (`prod/api`, `the catalog`).
        resource: String,
    },
    /// The registry answered 403: on ACR that is a firewall, selected-networks rule or private
    /// endpoint refusing the client (`DENIED`, "client with IP … is not allowed access"), or a
    /// disabled token, rather than a missing role (roles are 401 `insufficient_scope`). Signing
    /// in again does not help; what the registry said is kept.
    #[error("Refused: {registry} refused to {refused}{}.", said(code.as_deref(), message.as_deref()))]
    Forbidden {
        /// The registry's login server.
        registry: String,
        /// What was refused (`change locks on prod/api`, `issue an access token`).
        refused: String,
        /// ACR's code (`DENIED`), when there was one.
        code: Option<String>,
        /// ACR's message (at most 200 printable characters), when there was one.
        message: Option<String>,
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

    /// The error as one sentence without the kind of error in front of it: "prod/api:1 does not
    /// exist in this registry." rather than "Not found: prod/api:1 does not exist …", for a UI
    /// whose heading already names the kind. The wording is `Display`'s, kept in one place.
    pub fn sentence(&self) -> String {
        let said = self.to_string();
        let prefixed = matches!(
            self,
            Self::SignInRequired { .. }
                | Self::PermissionDenied { .. }
                | Self::Forbidden { .. }
                | Self::NotFound { .. }
                | Self::Disallowed { .. }
                | Self::Network { .. }
                | Self::Unexpected { .. }
        );
        let tail = match said.split_once(": ") {
            Some((_, tail)) if prefixed => tail,
            _ => said.as_str(),
        };
        let mut out = tail.trim().trim_end_matches('.').to_owned();
        // Prose gets its capital; a tail that starts with a name ("prod/api:1 does not exist",
        // "prod.azurecr.io answered 500") keeps the name as it is. ASCII only:
        // `char::to_uppercase` would add Unicode's case tables (about 15 KB) to the bundle.
        let first_word = out.split(' ').next().unwrap_or_default();
        let prose = !matches!(
            self,
            Self::NotFound { .. } | Self::Disallowed { .. } | Self::Forbidden { .. }
        ) && first_word.bytes().all(|b| b.is_ascii_lowercase() || b == b'\'');
        if let Some(first) = out.get_mut(..1).filter(|_| prose) {
            first.make_ascii_uppercase();
        }
        out.push('.');
        out
    }

    /// True for errors a retry may fix (throttling, network).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Throttled { .. } | Self::Network { .. })
    }
}

/// What the registry said, in parentheses: ` (DENIED: client with IP … not allowed access)`.
fn said(code: Option<&str>, message: Option<&str>) -> String {
    let message = message.map(|m| m.trim().trim_end_matches('.')).filter(|m| !m.is_empty());
    match (code.filter(|c| !c.is_empty()), message) {
        (Some(c), Some(m)) => format!(" ({c}: {m})"),
        (Some(c), None) => format!(" ({c})"),
        (None, Some(m)) => format!(" ({m})"),
        (None, None) => String::new(),
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

    #[test]
    fn a_sentence_drops_the_kind_of_error_and_keeps_the_rest() {
        let not_found =
            ClientError::NotFound { what: "prod/api:1".into(), code: "TAG_UNKNOWN".into() };
        assert_eq!(not_found.sentence(), "prod/api:1 does not exist in this registry.");
        let denied =
            ClientError::PermissionDenied { action: "delete".into(), resource: "prod/api".into() };
        assert_eq!(denied.sentence(), "Your account may not delete on prod/api.");
        // Only the kind in front goes: a reason with its own colon keeps it.
        let sign_in =
            ClientError::SignInRequired { reason: "AADSTS50058: silent sign-in failed".into() };
        assert_eq!(sign_in.sentence(), "AADSTS50058: silent sign-in failed.");
        assert_eq!(ClientError::unexpected("the list stopped.").sentence(), "The list stopped.");
        // Errors without a kind in front stay whole.
        let elsewhere = ClientError::misdirected("a link to x: y");
        assert_eq!(elsewhere.sentence(), elsewhere.to_string());
        let big = ClientError::TooLarge { limit: 1000 };
        assert_eq!(big.sentence(), big.to_string());
        // A host name in front stays as it is.
        let status = ClientError::unexpected("prod.azurecr.io answered 500 for the catalog");
        assert_eq!(status.sentence(), "prod.azurecr.io answered 500 for the catalog.");
        // A 403 names the registry and keeps what it said.
        let denied = ClientError::Forbidden {
            registry: "prod.azurecr.io".into(),
            refused: "change locks on prod/api".into(),
            code: Some("DENIED".into()),
            message: Some("client with IP '203.0.113.9' is not allowed access.".into()),
        };
        assert_eq!(
            denied.sentence(),
            "prod.azurecr.io refused to change locks on prod/api (DENIED: client with IP '203.0.113.9' is not allowed access)."
        );
        // A first letter outside ASCII stays as it is, and nothing panics on its bytes.
        assert_eq!(ClientError::unexpected("échec").sentence(), "échec.");
    }
}
