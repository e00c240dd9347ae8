//! The `Www-Authenticate` challenge of a 401: `Bearer realm="…",service="…",scope="…"` with an
//! optional `error` (`invalid_token`, `insufficient_scope`), parsed per RFC 7235 auth-params.

/// A parsed challenge.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Challenge {
    /// The scheme, lowercase (`bearer`, `basic`).
    pub scheme: String,
    /// The token endpoint.
    pub realm: Option<String>,
    /// The login server.
    pub service: Option<String>,
    /// The scope the operation needs.
    pub scope: Option<String>,
    /// Why a presented token was refused.
    pub error: Option<String>,
}

/// Parses one challenge. Returns `None` when the header is not a well-formed challenge.
pub fn parse(header: &str) -> Option<Challenge> {
    let s = header.trim();
    let scheme_end = s.find(|c: char| c.is_ascii_whitespace()).unwrap_or(s.len());
    let scheme = &s[..scheme_end];
    if scheme.is_empty() || !scheme.bytes().all(is_token_char) {
        return None;
    }
    let mut c = Challenge { scheme: scheme.to_ascii_lowercase(), ..Challenge::default() };
    let mut rest = s[scheme_end..].trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let key = rest[..eq].trim();
        if key.is_empty() || !key.bytes().all(is_token_char) {
            return None;
        }
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(q) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = q.char_indices();
            let mut end = None;
            while let Some((i, ch)) = chars.next() {
                match ch {
                    '\\' => out.push(chars.next()?.1),
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    _ => out.push(ch),
                }
            }
            value = out;
            rest = &q[end?..];
        } else {
            let end =
                rest.find(|ch: char| ch == ',' || ch.is_ascii_whitespace()).unwrap_or(rest.len());
            value = rest[..end].to_owned();
            if value.is_empty() {
                return None;
            }
            rest = &rest[end..];
        }
        match key.to_ascii_lowercase().as_str() {
            "realm" => c.realm = Some(value),
            "service" => c.service = Some(value),
            "scope" => c.scope = Some(value),
            "error" => c.error = Some(value),
            _ => {}
        }
        rest = rest.trim_start();
        match rest.strip_prefix(',') {
            Some(r) => rest = r.trim_start(),
            None if rest.is_empty() => {}
            None => return None,
        }
    }
    Some(c)
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_acr_challenges() {
        let c = parse(r#"Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io",scope="repository:a/b:pull,push",error="insufficient_scope""#).unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.realm.as_deref(), Some("https://r.azurecr.io/oauth2/token"));
        assert_eq!(c.scope.as_deref(), Some("repository:a/b:pull,push"));
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        let b = parse(r#"Basic realm="Azure Container Registry""#).unwrap();
        assert_eq!(b.scheme, "basic");
        let spaced = parse(r#"Bearer realm = "x" , service=y"#).unwrap();
        assert_eq!(spaced.service.as_deref(), Some("y"));
        assert_eq!(parse(r#"Bearer realm="a\"b""#).unwrap().realm.as_deref(), Some("a\"b"));
        for bad in
            ["", "Bearer realm=\"unterminated", "Bearer =x", "Bearer realm=\"a\" junk", "<b>"]
        {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
