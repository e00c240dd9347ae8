//! Console URLs: the one module that knows the console's paths. It turns a [`Route`] into the
//! path a link points at and parses a path back; components and pages ask it for hrefs and never
//! format URLs themselves.
//!
//! Repository names contain `/` (`prod/payments/api`), but a router wildcard must be the last
//! segment of a path, so a name travels percent-encoded as ONE segment:
//! `/repositories/prod%2Fpayments%2Fapi`. The browser's `decodeURI`, which the router applies to
//! the path, leaves `%2F` alone, so the segment reaches [`repository_from_segment`] intact.

use acr_types::{Digest, RepositoryName, TagName};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Bytes escaped in a path segment: everything except RFC 3986's unreserved characters
/// (`A–Z a–z 0–9 - . _ ~`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// First path segment of a registry's pages (`/r/{registry}/…`).
pub const REGISTRY: &str = "r";
/// Path of the sign-in page.
pub const SIGN_IN: &str = "signin";
/// The segment in front of a registry's tool pages (`/r/{registry}/-/bulk`): `-` is never a
/// repository name, so these paths cannot collide with a repository's.
pub const TOOLS: &str = "-";
/// The bulk page's segment.
pub const BULK: &str = "bulk";
/// The status page's segment.
pub const STATUS: &str = "status";
/// The digest search page's segment.
pub const FIND: &str = "find";

/// How the status page orders its repositories.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum StatusSort {
    /// The most unprotected (tags not locked) first.
    #[default]
    Unprotected,
    /// By name.
    Name,
}

impl StatusSort {
    /// The `sort` query value.
    pub fn as_query(self) -> &'static str {
        match self {
            Self::Unprotected => "unprotected",
            Self::Name => "name",
        }
    }
    /// Reads a `sort` query value (unknown values fall back to most unprotected first).
    pub fn from_query(s: Option<&str>) -> Self {
        match s {
            Some("name") => Self::Name,
            _ => Self::Unprotected,
        }
    }
}

/// What the bulk page's URL says: the rule (or a hand selection), the change, every choice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkQuery {
    /// The rule's fields as typed.
    pub rule: acr_bulk::rule::RuleFields,
    /// The change (`lock`, `protect`, `write-off`, …); empty until chosen.
    pub change: String,
    /// The items chosen by hand on a repository page (kept in the tab's storage) are the scope.
    pub selection: bool,
}

/// Which list the repository page shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum RepoView {
    /// Tags with their own and their manifest's lock state.
    #[default]
    Tags,
    /// Manifests with platforms and lock state.
    Manifests,
}

impl RepoView {
    /// The `view` query value.
    pub fn as_query(self) -> &'static str {
        match self {
            Self::Tags => "tags",
            Self::Manifests => "manifests",
        }
    }
    /// Reads a `view` query value (unknown values fall back to tags).
    pub fn from_query(s: Option<&str>) -> Self {
        match s {
            Some("manifests") => Self::Manifests,
            _ => Self::Tags,
        }
    }
}

/// List order of the repository page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ListOrder {
    /// Most recently updated first (the default: what changed last is what admins look for).
    #[default]
    Newest,
    /// Least recently updated first.
    Oldest,
    /// By name (tags) or digest (manifests).
    Name,
}

impl ListOrder {
    /// The `order` query value.
    pub fn as_query(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::Name => "name",
        }
    }
    /// Reads an `order` query value (unknown values fall back to newest first).
    pub fn from_query(s: Option<&str>) -> Self {
        match s {
            Some("oldest") => Self::Oldest,
            Some("name") => Self::Name,
            _ => Self::Newest,
        }
    }
    /// The registry's order for this list order.
    pub fn to_acr(self) -> acr_types::OrderBy {
        match self {
            Self::Newest => acr_types::OrderBy::TimeDesc,
            Self::Oldest => acr_types::OrderBy::TimeAsc,
            Self::Name => acr_types::OrderBy::None,
        }
    }
}

/// A page of the console, as addressed by its URL (path and query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The overview at `/`: the registries.
    Home,
    /// The sign-in page; `return_to` is the console path to come back to.
    SignIn {
        /// Where to go after signing in.
        return_to: Option<String>,
    },
    /// A registry's repositories: `/r/{registry}?q=filter`.
    Repositories {
        /// The registry's configured name.
        registry: String,
        /// The filter typed into the list.
        filter: String,
    },
    /// One repository: `/r/{registry}/{name}?view=&q=&order=`.
    Repository {
        /// The registry's configured name.
        registry: String,
        /// The repository.
        repo: RepositoryName,
        /// Tags or manifests.
        view: RepoView,
        /// The filter typed into the list.
        filter: String,
        /// The list order.
        order: ListOrder,
    },
    /// One tag: `/r/{registry}/{name}/tags/{tag}`.
    Tag {
        /// The registry's configured name.
        registry: String,
        /// The repository.
        repo: RepositoryName,
        /// The tag.
        tag: TagName,
    },
    /// Many locks at once: `/r/{registry}/-/bulk?repos=&tags=&regex=1&exclude=&newest=&after=&before=&target=&change=&selection=1`.
    Bulk {
        /// The registry's configured name.
        registry: String,
        /// Every choice of the page.
        query: BulkQuery,
    },
    /// Production status: `/r/{registry}/-/status?scope=prod/**&sort=&state=`.
    Status {
        /// The registry's configured name.
        registry: String,
        /// A repository glob; empty: the whole registry.
        scope: String,
        /// The repositories' order.
        sort: StatusSort,
        /// The unprotected items shown (`unlocked`, `delete-protected`, `updates-prevented`);
        /// empty: all of them.
        state: String,
    },
    /// Where a digest is: `/r/{registry}/-/find?digest=sha256:…`.
    Find {
        /// The registry's configured name.
        registry: String,
        /// The digest looked for.
        digest: Digest,
    },
    /// One manifest: `/r/{registry}/{name}/manifests/{digest}`.
    Manifest {
        /// The registry's configured name.
        registry: String,
        /// The repository.
        repo: RepositoryName,
        /// The manifest digest.
        digest: Digest,
    },
}

fn push_query(out: &mut String, pairs: &[(&str, &str)]) {
    let mut first = true;
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        out.push(if first { '?' } else { '&' });
        first = false;
        out.push_str(k);
        out.push('=');
        out.push_str(&encode_segment(v));
    }
}

impl Route {
    /// A repository's page as links open it: its tags, unfiltered, in the default order.
    pub fn repository(registry: impl Into<String>, repo: RepositoryName) -> Self {
        Self::Repository {
            registry: registry.into(),
            repo,
            view: RepoView::default(),
            filter: String::new(),
            order: ListOrder::default(),
        }
    }

    /// A registry's repositories, unfiltered.
    pub fn repositories(registry: impl Into<String>) -> Self {
        Self::Repositories { registry: registry.into(), filter: String::new() }
    }

    /// The bulk page of `registry` with nothing chosen yet.
    pub fn bulk(registry: impl Into<String>) -> Self {
        Self::Bulk { registry: registry.into(), query: BulkQuery::default() }
    }

    /// The absolute path (and query) links use for this route, e.g.
    /// `/r/prod/prod%2Fpayments%2Fapi?view=manifests`. Defaults are left out of the query.
    pub fn href(&self) -> String {
        let mut out = String::from("/");
        match self {
            Route::Home => {}
            Route::SignIn { return_to } => {
                out.push_str(SIGN_IN);
                push_query(&mut out, &[("return", return_to.as_deref().unwrap_or(""))]);
            }
            Route::Repositories { registry, filter } => {
                out.push_str(&[REGISTRY, "/", &encode_segment(registry)].concat());
                push_query(&mut out, &[("q", filter)]);
            }
            Route::Repository { registry, repo, view, filter, order } => {
                out.push_str(
                    &[
                        REGISTRY,
                        "/",
                        &encode_segment(registry),
                        "/",
                        &encode_segment(repo.as_str()),
                    ]
                    .concat(),
                );
                let view = if *view == RepoView::default() { "" } else { view.as_query() };
                let order = if *order == ListOrder::default() { "" } else { order.as_query() };
                push_query(&mut out, &[("view", view), ("q", filter), ("order", order)]);
            }
            Route::Bulk { registry, query } => {
                out.push_str(
                    &[REGISTRY, "/", &encode_segment(registry), "/", TOOLS, "/", BULK].concat(),
                );
                let r = &query.rule;
                let target = if r.target == Default::default() { "" } else { r.target.as_query() };
                push_query(
                    &mut out,
                    &[
                        ("selection", if query.selection { "1" } else { "" }),
                        ("repos", &r.repos),
                        ("tags", &r.tags),
                        ("regex", if r.regex { "1" } else { "" }),
                        ("exclude", &r.exclude),
                        ("newest", &r.newest),
                        ("after", &r.after),
                        ("before", &r.before),
                        ("target", target),
                        ("change", &query.change),
                    ],
                );
            }
            Route::Status { registry, scope, sort, state } => {
                out.push_str(
                    &[REGISTRY, "/", &encode_segment(registry), "/", TOOLS, "/", STATUS].concat(),
                );
                let sort = if *sort == StatusSort::default() { "" } else { sort.as_query() };
                push_query(&mut out, &[("scope", scope), ("sort", sort), ("state", state)]);
            }
            Route::Find { registry, digest } => {
                out.push_str(
                    &[REGISTRY, "/", &encode_segment(registry), "/", TOOLS, "/", FIND].concat(),
                );
                push_query(&mut out, &[("digest", digest.as_str())]);
            }
            Route::Tag { registry, repo, tag } => out.push_str(
                &[
                    REGISTRY,
                    "/",
                    &encode_segment(registry),
                    "/",
                    &encode_segment(repo.as_str()),
                    "/tags/",
                    &encode_segment(tag.as_str()),
                ]
                .concat(),
            ),
            Route::Manifest { registry, repo, digest } => out.push_str(
                &[
                    REGISTRY,
                    "/",
                    &encode_segment(registry),
                    "/",
                    &encode_segment(repo.as_str()),
                    "/manifests/",
                    digest.as_str(),
                ]
                .concat(),
            ),
        }
        out
    }

    /// The route a path with optional query (as in `location.pathname + location.search`)
    /// addresses, or `None` when no console page lives there. One trailing `/` is tolerated.
    pub fn parse(url: &str) -> Option<Route> {
        let url = url.split('#').next().unwrap_or_default();
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let q = |key: &str| -> Option<String> {
            query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| decode_segment(&v.replace('+', " ")))
        };
        let rest = path.strip_prefix('/')?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() {
            return Some(Route::Home);
        }
        let segments: Vec<&str> = rest.split('/').collect();
        let registry = |s: &str| decode_segment(s).filter(|r| !r.is_empty());
        match segments.as_slice() {
            [SIGN_IN] => {
                Some(Route::SignIn { return_to: q("return").filter(|r| is_console_path(r)) })
            }
            [REGISTRY, reg] => Some(Route::Repositories {
                registry: registry(reg)?,
                filter: q("q").unwrap_or_default(),
            }),
            [REGISTRY, reg, repo] => Some(Route::Repository {
                registry: registry(reg)?,
                repo: repository_from_segment(repo)?,
                view: RepoView::from_query(q("view").as_deref()),
                filter: q("q").unwrap_or_default(),
                order: ListOrder::from_query(q("order").as_deref()),
            }),
            [REGISTRY, reg, TOOLS, STATUS] => Some(Route::Status {
                registry: registry(reg)?,
                scope: q("scope").unwrap_or_default(),
                sort: StatusSort::from_query(q("sort").as_deref()),
                state: q("state").unwrap_or_default(),
            }),
            [REGISTRY, reg, TOOLS, FIND] => Some(Route::Find {
                registry: registry(reg)?,
                digest: Digest::new(q("digest")?).ok()?,
            }),
            [REGISTRY, reg, TOOLS, BULK] => Some(Route::Bulk {
                registry: registry(reg)?,
                query: BulkQuery {
                    rule: acr_bulk::rule::RuleFields {
                        repos: q("repos").unwrap_or_default(),
                        tags: q("tags").unwrap_or_default(),
                        regex: q("regex").as_deref() == Some("1"),
                        exclude: q("exclude").unwrap_or_default(),
                        newest: q("newest").unwrap_or_default(),
                        before: q("before").unwrap_or_default(),
                        after: q("after").unwrap_or_default(),
                        target: acr_bulk::Target::from_query(q("target").as_deref().unwrap_or("")),
                    },
                    change: q("change").unwrap_or_default(),
                    selection: q("selection").as_deref() == Some("1"),
                },
            }),
            [REGISTRY, reg, repo, "tags", tag] => Some(Route::Tag {
                registry: registry(reg)?,
                repo: repository_from_segment(repo)?,
                tag: TagName::new(decode_segment(tag)?).ok()?,
            }),
            [REGISTRY, reg, repo, "manifests", digest] => Some(Route::Manifest {
                registry: registry(reg)?,
                repo: repository_from_segment(repo)?,
                digest: Digest::new(decode_segment(digest)?).ok()?,
            }),
            _ => None,
        }
    }
}

/// True for a path of this console (`/…`, not `//host`), the only kind of return address the
/// sign-in page follows (no open redirect).
pub fn is_console_path(p: &str) -> bool {
    p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.contains(char::is_control)
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
        let d = Digest::new(format!("sha256:{}", "a".repeat(64))).unwrap();
        let table = [
            (Route::Home, "/".to_owned()),
            (
                Route::SignIn { return_to: Some("/r/prod?q=api".into()) },
                "/signin?return=%2Fr%2Fprod%3Fq%3Dapi".to_owned(),
            ),
            (
                Route::Repositories { registry: "prod".into(), filter: String::new() },
                "/r/prod".to_owned(),
            ),
            (
                Route::Repositories { registry: "prod".into(), filter: "pay ments".into() },
                "/r/prod?q=pay%20ments".to_owned(),
            ),
            (
                Route::Repository {
                    registry: "prod".into(),
                    repo: repo("prod/payments/api"),
                    view: RepoView::Tags,
                    filter: String::new(),
                    order: ListOrder::Newest,
                },
                "/r/prod/prod%2Fpayments%2Fapi".to_owned(),
            ),
            (
                Route::Repository {
                    registry: "prod".into(),
                    repo: repo("prod/payments/api"),
                    view: RepoView::Manifests,
                    filter: "1.4".into(),
                    order: ListOrder::Name,
                },
                "/r/prod/prod%2Fpayments%2Fapi?view=manifests&q=1.4&order=name".to_owned(),
            ),
            (
                Route::Tag {
                    registry: "prod".into(),
                    repo: repo("a/b"),
                    tag: TagName::new("1.4.2").unwrap(),
                },
                "/r/prod/a%2Fb/tags/1.4.2".to_owned(),
            ),
            (
                Route::Manifest { registry: "prod".into(), repo: repo("a"), digest: d.clone() },
                format!("/r/prod/a/manifests/{d}"),
            ),
            (Route::bulk("prod"), "/r/prod/-/bulk".to_owned()),
            (
                Route::Status {
                    registry: "prod".into(),
                    scope: "prod/**".into(),
                    sort: StatusSort::Name,
                    state: "unlocked".into(),
                },
                "/r/prod/-/status?scope=prod%2F%2A%2A&sort=name&state=unlocked".to_owned(),
            ),
            (
                Route::Status {
                    registry: "prod".into(),
                    scope: String::new(),
                    sort: StatusSort::Unprotected,
                    state: String::new(),
                },
                "/r/prod/-/status".to_owned(),
            ),
            (
                Route::Bulk {
                    registry: "prod".into(),
                    query: BulkQuery {
                        rule: acr_bulk::rule::RuleFields {
                            repos: "prod/**".into(),
                            tags: "v\\d+".into(),
                            regex: true,
                            exclude: "latest, *-dev".into(),
                            newest: "3".into(),
                            before: "2026-02-01".into(),
                            after: "2026-01-01".into(),
                            target: acr_bulk::Target::Both,
                        },
                        change: "lock".into(),
                        selection: false,
                    },
                },
                "/r/prod/-/bulk?repos=prod%2F%2A%2A&tags=v%5Cd%2B&regex=1&exclude=latest%2C%20%2A-dev&newest=3&after=2026-01-01&before=2026-02-01&target=both&change=lock".to_owned(),
            ),
            (
                Route::Bulk {
                    registry: "prod".into(),
                    query: BulkQuery { selection: true, change: "unlock".into(), ..Default::default() },
                },
                "/r/prod/-/bulk?selection=1&change=unlock".to_owned(),
            ),
        ];
        for (route, href) in table {
            assert_eq!(route.href(), href, "href of {route:?}");
            assert_eq!(Route::parse(&href), Some(route), "parse of {href}");
        }
    }

    #[test]
    fn sign_in_returns_only_to_console_paths() {
        assert_eq!(
            Route::parse("/signin?return=%2F%2Fevil.example"),
            Some(Route::SignIn { return_to: None })
        );
        assert_eq!(
            Route::parse("/signin?return=https%3A%2F%2Fevil.example"),
            Some(Route::SignIn { return_to: None })
        );
    }

    #[test]
    fn parsing_tolerates_query_fragment_and_trailing_slash() {
        assert_eq!(Route::parse("/?x=1#top"), Some(Route::Home));
        assert!(matches!(
            Route::parse("/r/prod/prod%2Fpayments%2Fapi/"),
            Some(Route::Repository { .. })
        ));
    }

    #[test]
    fn unknown_or_invalid_paths_are_not_routes() {
        for path in [
            "",
            "relative",
            "/nope",
            "/r",
            "/r/prod/prod/payments/api",
            // Not a valid repository name (upper case, empty component, bad UTF-8).
            "/r/prod/Prod",
            "/r/prod/prod%2F%2Fapi",
            "/r/prod/%FF",
            "/r/prod/a/tags/.bad",
            "/r/prod/a/manifests/sha256:zz",
        ] {
            assert_eq!(Route::parse(path), None, "{path:?}");
        }
    }
}
