//! How failures are worded: a [`Problem`] turns a [`ClientError`] (or any other failure) into a
//! title, what happened, and what to do about it. The one `ErrorView` component renders it.

use acr_client::ClientError;

/// A failure, worded for the person using the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A short title ("The tag is locked").
    pub title: String,
    /// What happened, in a sentence.
    pub detail: String,
    /// What to do about it.
    pub remedy: String,
    /// True when signing in again fixes it (the view offers a sign-in link).
    pub sign_in: bool,
    /// True when trying again may help (the view offers a retry button where it can).
    pub retry: bool,
    /// True when what was asked for does not exist (a 404): a page about it has nothing else
    /// to show.
    pub missing: bool,
}

impl Problem {
    /// A problem with no sign-in or retry offer.
    pub fn new(
        title: impl Into<String>,
        detail: impl Into<String>,
        remedy: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            detail: detail.into(),
            remedy: remedy.into(),
            sign_in: false,
            retry: false,
            missing: false,
        }
    }
}

impl From<&ClientError> for Problem {
    fn from(e: &ClientError) -> Self {
        // The title already names the kind of problem: the detail does not repeat it
        // ("Not found" over "prod/api:1 does not exist …").
        let detail = e.sentence();
        match e {
            ClientError::SignInRequired { .. } => Problem {
                sign_in: true,
                ..Problem::new("Sign-in required", detail, "Sign in again; your place in the console is kept.")
            },
            ClientError::PermissionDenied { .. } => Problem::new(
                "Not allowed",
                detail,
                "Ask a registry owner for the Container Registry Repository Contributor role (or AcrPush plus metadata write) on this repository.",
            ),
            ClientError::Forbidden { code, message, .. } if names_network_rule(code, message) => {
                Problem::new(
                    "Blocked by the registry's network rules",
                    detail,
                    "The registry's networking rules (firewall, selected networks or private endpoint) do not admit the console's proxy; signing in again does not help. Ask a registry owner to allow the proxy's outbound IP address in the registry's Networking settings.",
                )
            }
            ClientError::Forbidden { .. } => Problem::new(
                "Not allowed",
                detail,
                "Signing in again does not help. If the registry limits access by network, ask a registry owner to allow the console's proxy in its networking rules; otherwise ask for the Container Registry Repository Contributor role (or AcrPush plus metadata write) on this repository.",
            ),
            ClientError::NotFound { .. } => Problem {
                missing: true,
                ..Problem::new(
                    "Not found",
                    detail,
                    "It may have been deleted or renamed; go back to the list and reload it.",
                )
            },
            ClientError::Disallowed { .. } => Problem::new(
                "Refused by a lock",
                detail,
                "Unlock it first (enable write and delete), or unlock the repository if the lock is inherited from it.",
            ),
            ClientError::Throttled { .. } => Problem {
                retry: true,
                ..Problem::new("The registry is busy", detail, "Wait a moment and try again.")
            },
            ClientError::Network { .. } => Problem {
                retry: true,
                ..Problem::new(
                    "The registry could not be reached",
                    detail,
                    "Check your connection; if it persists, the proxy in front of the registry may be down.",
                )
            },
            ClientError::TooLarge { .. } => Problem::new(
                "Answer too large",
                detail,
                "The registry, or a proxy in front of it, sent far more than a registry answer holds; report it with the time it happened.",
            ),
            ClientError::Misdirected { .. } => Problem::new(
                "Not followed",
                detail,
                "Nothing was sent there. The registry, or a proxy in front of it, is misconfigured or has been tampered with: tell your administrator, with the time it happened.",
            ),
            ClientError::Unexpected { .. } => Problem {
                retry: true,
                ..Problem::new(
                    "Unexpected answer",
                    detail,
                    "Try again; if it persists, report it with the time it happened.",
                )
            },
        }
    }
}

/// True when a 403's code or message says a network rule refused the client, as ACR's firewall
/// does: `DENIED`, "client with IP '…' is not allowed access. Refer https://aka.ms/acr/firewall …".
fn names_network_rule(code: &Option<String>, message: &Option<String>) -> bool {
    let said = [code.as_deref().unwrap_or_default(), message.as_deref().unwrap_or_default()]
        .join(" ")
        .to_ascii_lowercase();
    ["client with ip", "firewall", "network", "private endpoint", "not allowed access"]
        .iter()
        .any(|w| said.contains(w))
}

impl From<ClientError> for Problem {
    fn from(e: ClientError) -> Self {
        Problem::from(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_error_gets_a_remedy() {
        let errors = [
            ClientError::SignInRequired { reason: "expired".into() },
            ClientError::PermissionDenied { action: "change locks".into(), resource: "a".into() },
            ClientError::NotFound { what: "a:1".into(), code: "TAG_UNKNOWN".into() },
            ClientError::Forbidden {
                registry: "prod.azurecr.io".into(),
                refused: "read on a".into(),
                code: Some("DENIED".into()),
                message: None,
            },
            ClientError::Disallowed { what: "a:1".into() },
            ClientError::Throttled { retry_after: None },
            ClientError::Network { message: "offline".into() },
            ClientError::TooLarge { limit: 4 * 1024 * 1024 },
            ClientError::misdirected("the registry's next-page link points to another origin"),
            ClientError::unexpected("odd"),
        ];
        for e in &errors {
            let p = Problem::from(e);
            assert!(!p.title.is_empty() && !p.remedy.is_empty(), "{e:?}");
            // The detail is the error's own sentence, without a prefix that repeats the title.
            let said = e.to_string().to_lowercase();
            let detail = p.detail.to_lowercase();
            assert!(
                said.trim_end_matches('.').ends_with(detail.trim_end_matches('.')),
                "{said} / {detail}"
            );
            assert!(!p.detail.starts_with(&p.title), "{} repeats its title", p.detail);
        }
        assert_eq!(
            Problem::from(&errors[2]).detail,
            "a:1 does not exist in this registry.",
            "the title says 'Not found' already"
        );
        assert!(Problem::from(&errors[0]).sign_in);
        assert!(Problem::from(&errors[5]).retry);
        // Being sent elsewhere is not fixed by trying again: the remedy is the administrator.
        let misdirected = Problem::from(&errors[8]);
        assert!(!misdirected.retry && misdirected.remedy.contains("Nothing was sent there"));
    }

    #[test]
    fn a_403_from_a_firewall_names_the_network_rules_not_sign_in_or_roles() {
        let firewall = ClientError::Forbidden {
            registry: "prod.azurecr.io".into(),
            refused: "issue an access token".into(),
            code: Some("DENIED".into()),
            message: Some("client with IP '203.0.113.9' is not allowed access. Refer https://aka.ms/acr/firewall to grant access".into()),
        };
        let p = Problem::from(&firewall);
        assert!(!p.sign_in && !p.retry, "{p:?}");
        assert!(p.remedy.contains("networking rules") && p.remedy.contains("outbound IP"), "{p:?}");
        assert!(p.detail.contains("203.0.113.9"), "the registry's words are kept: {p:?}");
        // A 403 that does not name a network: both causes, still no sign-in.
        let other = ClientError::Forbidden {
            registry: "prod.azurecr.io".into(),
            refused: "change locks on prod/api".into(),
            code: Some("DENIED".into()),
            message: Some("requested access to the resource is denied".into()),
        };
        let p = Problem::from(&other);
        assert!(!p.sign_in && p.title == "Not allowed", "{p:?}");
        assert!(
            p.remedy.contains("networking rules") && p.remedy.contains("Repository Contributor")
        );
    }
}
