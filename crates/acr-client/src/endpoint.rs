//! Where the client sends requests: the registry's same-origin endpoint (`https://console.example
//! /registry/prod` through a proxy, or the registry itself), its login server, and the one rule
//! for URLs the registry hands back (`Link`, `realm`): they may name the login server or this
//! endpoint's origin, never anything else.

use crate::ClientError;

/// A parsed absolute URL: lowercase scheme and authority (default port dropped), and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: String,
    /// `host[:port]`, lowercase, without a default port.
    pub authority: String,
}

/// Splits `scheme://authority/rest` into its origin and the rest (`/path?query`, possibly empty).
pub fn split_absolute(url: &str) -> Option<(Origin, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.is_empty() || authority.contains('@') || authority.contains('\\') {
        return None;
    }
    let mut authority = authority.to_ascii_lowercase();
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    if let Some(a) = authority.strip_suffix(default_port) {
        authority = a.to_owned();
    }
    Some((Origin { scheme, authority }, tail))
}

/// The registry endpoint the client talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    origin: Origin,
    prefix: String,
    login_server: String,
}

impl Endpoint {
    /// `endpoint`: absolute URL of the registry root as the client reaches it (through the
    /// proxy: `https://console.example/registry/prod`); `login_server`: the registry's name
    /// (`prod.azurecr.io`), the `service` of every token request.
    pub fn new(endpoint: &str, login_server: &str) -> Result<Self, ClientError> {
        let (origin, rest) = split_absolute(endpoint).ok_or_else(|| {
            ClientError::unexpected(format!(
                "the registry endpoint '{endpoint}' is not an absolute http(s) URL"
            ))
        })?;
        if rest.contains(['?', '#']) {
            return Err(ClientError::unexpected("the registry endpoint must not have a query"));
        }
        let login_server = login_server.trim().to_ascii_lowercase();
        if login_server.is_empty() || login_server.contains(['/', '@', ' ']) {
            return Err(ClientError::unexpected(format!(
                "'{login_server}' is not a registry login server name"
            )));
        }
        Ok(Self { origin, prefix: rest.trim_end_matches('/').to_owned(), login_server })
    }

    /// The login server (`service` in token requests).
    pub fn login_server(&self) -> &str {
        &self.login_server
    }

    /// The absolute URL of `path` (which starts with `/`, relative to the registry root).
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{}{}", self.origin.scheme, self.origin.authority, self.prefix, path)
    }

    /// Resolves a URL the registry sent (`Link` target) to a path relative to the registry
    /// root. Relative paths are taken as they are; absolute URLs must name the login server or
    /// this endpoint; anything else is refused and never requested.
    pub fn resolve(&self, url: &str, what: &str) -> Result<String, ClientError> {
        if url.starts_with('/') && !url.starts_with("//") {
            return Ok(url.to_owned());
        }
        let refused = || {
            ClientError::misdirected(format!(
                "the registry's {what} points to another origin ({}); it was not followed",
                crate::redact_query(url)
            ))
        };
        let (origin, rest) = split_absolute(url).ok_or_else(refused)?;
        if origin.authority == self.login_server {
            return Ok(if rest.is_empty() { "/".to_owned() } else { rest.to_owned() });
        }
        if origin == self.origin {
            let path = rest.strip_prefix(self.prefix.as_str()).ok_or_else(refused)?;
            return Ok(if path.is_empty() { "/".to_owned() } else { path.to_owned() });
        }
        Err(refused())
    }

    /// Checks a challenge's `realm`: it must be the login server's or this endpoint's token
    /// endpoint. The client then always posts to its own endpoint's `/oauth2/token`.
    pub fn check_realm(&self, realm: &str) -> Result<(), ClientError> {
        let path = self.resolve(realm, "sign-in realm")?;
        if path.trim_end_matches('/') != "/oauth2/token" {
            return Err(ClientError::unexpected(format!(
                "the registry's sign-in realm '{realm}' is not its token endpoint"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep() -> Endpoint {
        Endpoint::new("https://console.example/registry/prod/", "prod.azurecr.io").unwrap()
    }

    #[test]
    fn builds_urls_under_the_prefix() {
        assert_eq!(
            ep().url("/acr/v1/_catalog"),
            "https://console.example/registry/prod/acr/v1/_catalog"
        );
        let direct = Endpoint::new("https://prod.azurecr.io", "prod.azurecr.io").unwrap();
        assert_eq!(direct.url("/v2/"), "https://prod.azurecr.io/v2/");
        assert!(Endpoint::new("/registry/prod", "x").is_err());
        assert!(Endpoint::new("ftp://x", "x").is_err());
    }

    #[test]
    fn follows_only_own_origins() {
        let e = ep();
        assert_eq!(
            e.resolve("/acr/v1/_catalog?last=a", "link").unwrap(),
            "/acr/v1/_catalog?last=a"
        );
        assert_eq!(e.resolve("https://prod.azurecr.io/acr/v1/x", "link").unwrap(), "/acr/v1/x");
        assert_eq!(e.resolve("https://PROD.azurecr.io:443/v2/", "link").unwrap(), "/v2/");
        assert_eq!(e.resolve("https://console.example/registry/prod/v2/", "link").unwrap(), "/v2/");
        for bad in [
            "https://evil.example/acr/v1/x",
            "//evil.example/x",
            "https://prod.azurecr.io.evil.example/x",
            "https://user@prod.azurecr.io/x",
            "https://console.example/elsewhere/x",
            "javascript:alert(1)",
            "http://prod.azurecr.io:8443/x",
        ] {
            assert!(e.resolve(bad, "link").is_err(), "{bad}");
        }
        assert!(e.check_realm("https://prod.azurecr.io/oauth2/token").is_ok());
        assert!(e.check_realm("https://login.evil.example/oauth2/token").is_err());
        assert!(e.check_realm("https://prod.azurecr.io/steal").is_err());
    }
}
