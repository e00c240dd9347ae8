//! The one place that knows ACR's URL shapes: a path (relative to the registry root) for every
//! operation, with repository names percent-encoded (`/` → `%2F`, as the Azure SDKs send them).

use acr_types::{Digest, OrderBy, RepositoryName, TagName};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// RFC 3986 unreserved characters stay; everything else is escaped.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes one path segment or query value.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

fn list_query(n: usize, order: OrderBy) -> String {
    match order {
        OrderBy::None => format!("?n={n}"),
        o => format!("?n={n}&orderby={}", o.as_query()),
    }
}

/// `GET /acr/v1/_catalog` (`ContainerRegistry_GetRepositories`).
pub fn catalog(n: usize) -> String {
    format!("/acr/v1/_catalog?n={n}")
}

/// `GET|PATCH|DELETE /acr/v1/{name}` (`GetProperties`, `UpdateProperties`, `DeleteRepository`).
pub fn repository(repo: &RepositoryName) -> String {
    format!("/acr/v1/{}", encode(repo.as_str()))
}

/// `GET /acr/v1/{name}/_tags` (`ContainerRegistry_GetTags`).
pub fn tags(repo: &RepositoryName, n: usize, order: OrderBy) -> String {
    format!("/acr/v1/{}/_tags{}", encode(repo.as_str()), list_query(n, order))
}

/// `GET|PATCH|DELETE /acr/v1/{name}/_tags/{reference}` (`GetTagProperties`,
/// `UpdateTagAttributes`, `DeleteTag`).
pub fn tag(repo: &RepositoryName, tag: &TagName) -> String {
    format!("/acr/v1/{}/_tags/{}", encode(repo.as_str()), encode(tag.as_str()))
}

/// `GET /acr/v1/{name}/_manifests` (`ContainerRegistry_GetManifests`).
pub fn manifests(repo: &RepositoryName, n: usize, order: OrderBy) -> String {
    format!("/acr/v1/{}/_manifests{}", encode(repo.as_str()), list_query(n, order))
}

/// `GET|PATCH /acr/v1/{name}/_manifests/{digest}` (`GetManifestProperties`,
/// `UpdateManifestProperties`).
pub fn manifest(repo: &RepositoryName, digest: &Digest) -> String {
    format!("/acr/v1/{}/_manifests/{}", encode(repo.as_str()), digest)
}

/// `DELETE /v2/{name}/manifests/{digest}` (`ContainerRegistry_DeleteManifest`).
pub fn v2_manifest(repo: &RepositoryName, digest: &Digest) -> String {
    format!("/v2/{repo}/manifests/{digest}")
}

/// The path part of a list URL, percent-decoded, to check that a `Link` stays on its list.
pub fn list_base(path: &str) -> String {
    let p = path.split('?').next().unwrap_or("");
    percent_encoding::percent_decode_str(p).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_acr_shaped() {
        let r = RepositoryName::new("prod/payments/api").unwrap();
        let t = TagName::new("1.4.2").unwrap();
        let d = Digest::new(format!("sha256:{}", "a".repeat(64))).unwrap();
        let cases = [
            (catalog(1000), "/acr/v1/_catalog?n=1000".to_owned()),
            (repository(&r), "/acr/v1/prod%2Fpayments%2Fapi".to_owned()),
            (tags(&r, 100, OrderBy::None), "/acr/v1/prod%2Fpayments%2Fapi/_tags?n=100".to_owned()),
            (
                tags(&r, 5, OrderBy::TimeDesc),
                "/acr/v1/prod%2Fpayments%2Fapi/_tags?n=5&orderby=timedesc".to_owned(),
            ),
            (tag(&r, &t), "/acr/v1/prod%2Fpayments%2Fapi/_tags/1.4.2".to_owned()),
            (
                manifests(&r, 7, OrderBy::TimeAsc),
                "/acr/v1/prod%2Fpayments%2Fapi/_manifests?n=7&orderby=timeasc".to_owned(),
            ),
            (manifest(&r, &d), format!("/acr/v1/prod%2Fpayments%2Fapi/_manifests/{d}")),
            (v2_manifest(&r, &d), format!("/v2/prod/payments/api/manifests/{d}")),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
        assert_eq!(list_base("/acr/v1/prod%2Fapi/_tags?last=x"), "/acr/v1/prod/api/_tags");
    }
}
