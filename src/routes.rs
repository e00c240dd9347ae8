//! Console URLs: the one module that knows the console's paths. It turns a [`Route`] into the
//! path a link points at and parses a path back; components and pages ask it for hrefs and never
//! format URLs themselves.
//!
//! Repository names contain `/` (`prod/payments/api`), but a router wildcard must be the last
//! segment of a path, so a name travels percent-encoded as ONE segment:
//! `/repositories/prod%2Fpayments%2Fapi`. The browser's `decodeURI`, which the router applies to
//! the path, leaves `%2F` alone, so the segment reaches [`repository_from_segment`] intact.

use acr_types::RepositoryName;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Bytes escaped in a path segment: everything except RFC 3986's unreserved characters
/// (`A–Z a–z 0–9 - . _ ~`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// First path segment of the repository pages (`/repositories/{name}`).
pub const REPOSITORIES: &str = "repositories";

/// A page of the console, as addressed by its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The overview at `/`.
    Home,
    /// One repository at `/repositories/{name}`, the name percent-encoded into one segment.
    /// No page serves it yet: it arrives with the registry browser.
    Repository(RepositoryName),
}

impl Route {
    /// The absolute path links use for this route, e.g. `/repositories/prod%2Fpayments%2Fapi`.
    pub fn href(&self) -> String {
        match self {
            Route::Home => "/".to_owned(),
            Route::Repository(name) => {
                ["/", REPOSITORIES, "/", &encode_segment(name.as_str())].concat()
            }
        }
    }

    /// The route a path (as in `location.pathname`) addresses, or `None` when no console page
    /// lives there. A query string or fragment is ignored; one trailing `/` is tolerated.
    pub fn parse(path: &str) -> Option<Route> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let rest = path.strip_prefix('/')?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() {
            return Some(Route::Home);
        }
        let mut segments = rest.split('/');
        match (segments.next(), segments.next(), segments.next()) {
            (Some(REPOSITORIES), Some(segment), None) => {
                repository_from_segment(segment).map(Route::Repository)
            }
            _ => None,
        }
    }
}

/// Percent-encodes `value` into a single path segment: `/` and every other reserved or
/// non-ASCII byte is escaped, so the result never contains a `/`.
pub fn encode_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Decodes one percent-encoded path segment; `None` when the bytes are not UTF-8. Malformed
/// escapes (`%zz`) are kept literally, as browsers do.
pub fn decode_segment(segment: &str) -> Option<String> {
    percent_decode_str(segment).decode_utf8().ok().map(|s| s.into_owned())
}

/// The repository named by one path segment, or `None` when the segment does not decode to a
/// valid repository name.
pub fn repository_from_segment(segment: &str) -> Option<RepositoryName> {
    RepositoryName::new(decode_segment(segment)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(name: &str) -> RepositoryName {
        RepositoryName::new(name).expect("valid test name")
    }

    #[test]
    fn nested_repository_names_become_one_segment() {
        assert_eq!(encode_segment("prod/payments/api"), "prod%2Fpayments%2Fapi");
        assert_eq!(decode_segment("prod%2Fpayments%2Fapi").as_deref(), Some("prod/payments/api"));
        assert_eq!(encode_segment("a-b.c_d~e"), "a-b.c_d~e");
        assert_eq!(encode_segment("a b?#%"), "a%20b%3F%23%25");
        assert_eq!(decode_segment(&encode_segment("ünï/cødé")).as_deref(), Some("ünï/cødé"));
    }

    #[test]
    fn decoding_refuses_non_utf8_and_keeps_malformed_escapes() {
        assert_eq!(decode_segment("%FF"), None);
        assert_eq!(decode_segment("%zz").as_deref(), Some("%zz"));
        assert_eq!(decode_segment("lower%2fcase").as_deref(), Some("lower/case"));
    }

    #[test]
    fn hrefs_and_parsing_round_trip() {
        let table = [
            (Route::Home, "/"),
            (Route::Repository(repo("hello-world")), "/repositories/hello-world"),
            (Route::Repository(repo("prod/payments/api")), "/repositories/prod%2Fpayments%2Fapi"),
        ];
        for (route, href) in table {
            assert_eq!(route.href(), href, "href of {route:?}");
            assert_eq!(Route::parse(href), Some(route), "parse of {href}");
        }
    }

    #[test]
    fn parsing_tolerates_query_fragment_and_trailing_slash() {
        assert_eq!(Route::parse("/?x=1#top"), Some(Route::Home));
        assert_eq!(
            Route::parse("/repositories/prod%2Fpayments%2Fapi/"),
            Some(Route::Repository(repo("prod/payments/api")))
        );
    }

    #[test]
    fn unknown_or_invalid_paths_are_not_routes() {
        for path in [
            "",
            "relative",
            "/nope",
            "/repositories",
            "/repositories/",
            // Unencoded slashes would be three segments: refused, not guessed.
            "/repositories/prod/payments/api",
            // Not a valid repository name (upper case, empty component, bad UTF-8).
            "/repositories/Prod",
            "/repositories/prod%2F%2Fapi",
            "/repositories/%FF",
        ] {
            assert_eq!(Route::parse(path), None, "{path:?}");
        }
    }
}
