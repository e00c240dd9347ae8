//! Image lookup: what people paste from kubectl, Helm or a pipeline
//! (`myregistry.azurecr.io/prod/api:1.4.2`, `…/prod/api@sha256:…`, `prod/api:1.4.2`, a bare
//! `sha256:…`), read against the configured registries into the console page that answers it.
//! Pure: the search box turns the answer into a navigation or a message.

use crate::{config::RegistryConfig, routes::Route};
use acr_types::{ArtifactRef, Digest};

/// Where a pasted reference leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A console page.
    Go(Route),
    /// Text that cannot be used, with the reason in a sentence.
    Refused(String),
}

/// Reads `input` against `registries`; `current` is the registry of the page the box is on (used
/// when the input names no host).
pub fn resolve(input: &str, registries: &[RegistryConfig], current: Option<&str>) -> Lookup {
    let text = input.trim();
    let text = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .or_else(|| text.strip_prefix("oci://"))
        .or_else(|| text.strip_prefix("docker://"))
        .unwrap_or(text);
    if text.is_empty() {
        return Lookup::Refused("Paste an image reference, such as prod/api:1.4.2.".into());
    }
    // A first segment with a dot or a port is a host (as Docker reads references).
    let (host, rest) = match text.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            (Some(first.to_ascii_lowercase()), rest)
        }
        _ => (None, text),
    };
    let registry = match &host {
        Some(h) => match registries.iter().find(|r| r.login_server == *h) {
            Some(r) => r.name.clone(),
            None => {
                let known: Vec<&str> = registries.iter().map(|r| r.login_server.as_str()).collect();
                return Lookup::Refused(format!(
                    "{h} is not a registry this console manages (it manages {}).",
                    known.join(", ")
                ));
            }
        },
        None => match current.or_else(|| registries.first().map(|r| r.name.as_str())) {
            Some(r) => r.to_owned(),
            None => return Lookup::Refused("No registry is configured.".into()),
        },
    };
    if host.is_none() && (rest.starts_with("sha256:") || rest.starts_with("sha512:")) {
        return match Digest::new(rest) {
            Ok(digest) => Lookup::Go(Route::Find { registry, digest }),
            Err(e) => Lookup::Refused(format!("{rest} is not a digest: {e}.")),
        };
    }
    match ArtifactRef::parse(rest) {
        Ok(ArtifactRef::Tag(repo, tag)) => Lookup::Go(Route::Tag { registry, repo, tag }),
        Ok(ArtifactRef::Manifest(repo, digest)) => {
            Lookup::Go(Route::Manifest { registry, repo, digest })
        }
        Ok(ArtifactRef::Repository(repo)) => Lookup::Go(Route::repository(registry, repo)),
        Err(e) => Lookup::Refused(format!("{rest} cannot be read: {e}.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SignInKind;

    fn registries() -> Vec<RegistryConfig> {
        ["prod", "dev"]
            .iter()
            .map(|n| RegistryConfig {
                name: (*n).into(),
                login_server: format!("{n}reg.azurecr.io"),
                endpoint: format!("/registry/{n}"),
                sign_in: SignInKind::Entra,
                lock_rules: vec![],
            })
            .collect()
    }

    #[test]
    fn every_pasted_form_leads_to_its_page() {
        let r = registries();
        let d = format!("sha256:{}", "a".repeat(64));
        let go = |s: &str| match resolve(s, &r, Some("prod")) {
            Lookup::Go(route) => route.href(),
            Lookup::Refused(m) => panic!("{s}: {m}"),
        };
        assert_eq!(go("devreg.azurecr.io/team/api:1.4.2"), "/r/dev/team%2Fapi/tags/1.4.2");
        assert_eq!(go("https://DevReg.azurecr.io/team/api:1.4.2"), "/r/dev/team%2Fapi/tags/1.4.2");
        assert_eq!(
            go(&format!("prodreg.azurecr.io/prod/api@{d}")),
            format!("/r/prod/prod%2Fapi/manifests/{d}")
        );
        assert_eq!(go("prod/api:1.4.2"), "/r/prod/prod%2Fapi/tags/1.4.2");
        assert_eq!(go("  prod/api  "), "/r/prod/prod%2Fapi");
        assert_eq!(go(&d), format!("/r/prod/-/find?digest={}", d.replace(':', "%3A")));
    }

    #[test]
    fn what_cannot_be_used_is_named() {
        let r = registries();
        let refused = |s: &str| match resolve(s, &r, None) {
            Lookup::Refused(m) => m,
            Lookup::Go(route) => panic!("{s}: {route:?}"),
        };
        assert!(refused("docker.io/library/nginx:1")
            .starts_with("docker.io is not a registry this console manages"));
        assert!(refused("prod/api@sha256:zz").contains("cannot be read"));
        assert!(refused("sha256:123").contains("is not a digest"));
        assert!(refused("   ").starts_with("Paste"));
        assert!(refused("Prod/API:1").contains("cannot be read"));
    }
}
