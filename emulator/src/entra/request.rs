//! The authorization request: parsed and validated before anything redirects (absolute http(s)
//! redirect URI, `response_type=code`, PKCE S256), carried through the sign-in page, and the
//! redirects back to the client.

use super::pages::error_page;
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

/// Decodes `application/x-www-form-urlencoded` text into pairs (repeats kept).
pub(super) fn pairs(raw: &[u8]) -> Option<Vec<(String, String)>> {
    serde_urlencoded::from_bytes(raw).ok()
}

/// The first value of `name`, if non-empty.
pub(super) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

/// True for an absolute `http`/`https` URL with a host, printable ASCII and no fragment: the
/// only redirect targets the authority sends a browser to.
pub fn is_http_url(uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://") {
        r
    } else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    uri.bytes().all(|b| b.is_ascii_graphic())
        && !uri.contains(['#', '<', '>', '"', '\'', '`', '\\'])
        && !host.is_empty()
        && !host.contains('@')
        && !host.starts_with(':')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ResponseMode {
    Query,
    Fragment,
}

/// A validated authorization request.
pub(super) struct AuthRequest {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) scope: String,
    pub(super) state: Option<String>,
    pub(super) nonce: Option<String>,
    pub(super) code_challenge: String,
    pub(super) response_mode: ResponseMode,
    pub(super) prompt: Option<String>,
    pub(super) login_hint: Option<String>,
}

/// Why an authorization request is refused (rendered as the 400 page).
pub(super) struct Refusal(pub(super) u32, pub(super) String);

impl AuthRequest {
    pub(super) fn parse(p: &[(String, String)]) -> Result<Self, Refusal> {
        let missing = |name: &str| {
            Refusal(
                900144,
                format!("The request body must contain the following parameter: '{name}'."),
            )
        };
        let client_id = param(p, "client_id").ok_or_else(|| missing("client_id"))?;
        let redirect_uri = param(p, "redirect_uri").ok_or_else(|| missing("redirect_uri"))?;
        if !is_http_url(redirect_uri) {
            return Err(Refusal(
                50011,
                format!("The redirect URI '{redirect_uri}' is not an absolute http(s) URL without a fragment."),
            ));
        }
        let response_type = param(p, "response_type").ok_or_else(|| missing("response_type"))?;
        if response_type != "code" {
            return Err(Refusal(
                700054,
                format!("response_type '{response_type}' is not supported; the demo authority only issues authorization codes (response_type=code)."),
            ));
        }
        let scope = param(p, "scope").ok_or_else(|| missing("scope"))?;
        let code_challenge = param(p, "code_challenge").ok_or_else(|| {
            Refusal(9002325, "Proof Key for Code Exchange is required for cross-origin authorization code redemption (code_challenge is missing).".into())
        })?;
        match param(p, "code_challenge_method") {
            Some("S256") => {}
            other => {
                return Err(Refusal(
                    501491,
                    format!(
                        "Invalid code_challenge_method '{}': the demo authority only accepts S256.",
                        other.unwrap_or("plain")
                    ),
                ))
            }
        }
        let valid_challenge = (43..=128).contains(&code_challenge.len())
            && code_challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !valid_challenge {
            return Err(Refusal(
                501481,
                "The code_challenge must be 43 to 128 characters of base64url (S256 of the code_verifier).".into(),
            ));
        }
        let response_mode = match param(p, "response_mode") {
            None | Some("query") => ResponseMode::Query,
            Some("fragment") => ResponseMode::Fragment,
            Some(other) => {
                return Err(Refusal(
                    900351,
                    format!("response_mode '{other}' is not supported; use query or fragment."),
                ))
            }
        };
        let owned = |s: Option<&str>| s.map(str::to_owned);
        Ok(Self {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scope: scope.to_owned(),
            state: owned(param(p, "state")),
            nonce: owned(param(p, "nonce")),
            code_challenge: code_challenge.to_owned(),
            response_mode,
            prompt: owned(param(p, "prompt")),
            login_hint: owned(param(p, "login_hint")),
        })
    }

    /// The parameters to carry through the sign-in page.
    pub(super) fn hidden(&self) -> Vec<(&'static str, &str)> {
        let mut v = vec![
            ("client_id", self.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("scope", self.scope.as_str()),
            ("code_challenge", self.code_challenge.as_str()),
            ("code_challenge_method", "S256"),
            (
                "response_mode",
                match self.response_mode {
                    ResponseMode::Query => "query",
                    ResponseMode::Fragment => "fragment",
                },
            ),
        ];
        for (k, val) in [("state", &self.state), ("nonce", &self.nonce)] {
            if let Some(val) = val {
                v.push((k, val.as_str()));
            }
        }
        v
    }

    /// A 302 to the redirect URI with `params` in the query or fragment, plus `state`.
    pub(super) fn redirect(&self, params: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = params.to_vec();
        if let Some(s) = &self.state {
            all.push(("state", s));
        }
        let encoded = serde_urlencoded::to_string(&all).unwrap_or_default();
        let location = match self.response_mode {
            ResponseMode::Query if self.redirect_uri.contains('?') => {
                format!("{}&{encoded}", self.redirect_uri)
            }
            ResponseMode::Query => format!("{}?{encoded}", self.redirect_uri),
            ResponseMode::Fragment => format!("{}#{encoded}", self.redirect_uri),
        };
        found(&location)
    }
}

/// A `302 Found` to `location` (already validated).
pub(super) fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => {
            let mut res = StatusCode::FOUND.into_response();
            res.headers_mut().insert(header::LOCATION, v);
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(_) => error_page(50011, "The redirect URI cannot be sent in a Location header."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_must_be_absolute_http() {
        for ok in ["http://localhost:8080/cb", "https://app.example/x?y=1", "HTTPS://A.B"] {
            assert!(is_http_url(ok), "{ok}");
        }
        for bad in [
            "",
            "/relative",
            "javascript:alert(1)",
            "http://",
            "http:///x",
            "https://a.b/#frag",
            "https://a b/",
            "https://evil@a.b/",
            "ftp://a.b/",
            "https://a.b/\"><script>",
            "https://ä.example/",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}
