//! ACR's own API, `/acr/v1/…`: the catalog, and repository, tag and manifest attributes (get,
//! patch, list, delete). One dispatcher splits `{name}` from the rest, because repository names
//! contain `/` (raw or `%2F`) and can never have a component starting with `_`.

use super::request::{read_body, Ctx};
use crate::{
    error::{acr_json, ApiError},
    paging::{encode, paginate, PageQuery},
};
use acr_types::{
    action, code, AccessEntry, AcrManifests, AttributesPatch, Digest, Repositories, RepositoryName,
    TagList, TagName,
};
use axum::{
    body::Body,
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
};

/// What a path under `/acr/v1/` addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `/acr/v1/{name}`
    Repository(RepositoryName),
    /// `/acr/v1/{name}/_tags`
    Tags(RepositoryName),
    /// `/acr/v1/{name}/_tags/{tag}`
    Tag(RepositoryName, TagName),
    /// `/acr/v1/{name}/_manifests`
    Manifests(RepositoryName),
    /// `/acr/v1/{name}/_manifests/{digest}`
    Manifest(RepositoryName, Digest),
}

/// Splits the decoded rest of an `/acr/v1/` path at the first `_tags` or `_manifests` segment.
pub fn parse_target(rest: &str) -> Result<Target, ApiError> {
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let split = segments.iter().position(|s| s.starts_with('_')).unwrap_or(segments.len());
    let repo = RepositoryName::new(segments[..split].join("/"))
        .map_err(|e| ApiError::bad_request(code::NAME_INVALID, e.to_string()))?;
    let tag = |s: &str| {
        TagName::new(s).map_err(|e| ApiError::bad_request(code::TAG_INVALID, e.to_string()))
    };
    let digest = |s: &str| {
        Digest::new(s).map_err(|e| ApiError::bad_request(code::DIGEST_INVALID, e.to_string()))
    };
    match &segments[split..] {
        [] => Ok(Target::Repository(repo)),
        ["_tags"] => Ok(Target::Tags(repo)),
        ["_tags", t] => Ok(Target::Tag(repo, tag(t)?)),
        ["_manifests"] => Ok(Target::Manifests(repo)),
        ["_manifests", d] => Ok(Target::Manifest(repo, digest(d)?)),
        _ => Err(ApiError::NotFound),
    }
}

/// `GET /acr/v1/_catalog` (`ContainerRegistry_GetRepositories`).
pub async fn catalog(ctx: Ctx) -> Result<Response, ApiError> {
    ctx.authorize(&AccessEntry::catalog())?;
    let q = PageQuery::from_pairs(&ctx.query)?;
    let names = ctx.state.read(|s| Ok(s.catalog()))?;
    let page = paginate(names, |n| n.as_str(), &q, "/acr/v1/_catalog");
    let body = Repositories { repositories: (!page.items.is_empty()).then_some(page.items) };
    Ok(with_link(acr_json(StatusCode::OK, &body), page.link))
}

/// Every method on `/acr/v1/{name}[/_tags[/{tag}]|/_manifests[/{digest}]]`.
pub async fn dispatch(ctx: Ctx, rest: String, body: Body) -> Result<Response, ApiError> {
    let target = parse_target(&rest)?;
    let method = ctx.method.clone();
    let registry = ctx.login_server();
    let scope = |repo: &RepositoryName, a: &str| AccessEntry::repository(repo.as_str(), &[a]);
    match (method, target) {
        (Method::GET, Target::Repository(repo)) => {
            ctx.authorize(&scope(&repo, action::METADATA_READ))?;
            let attrs = ctx.state.read(|s| s.repository(&registry, &repo))?;
            Ok(acr_json(StatusCode::OK, &attrs))
        }
        (Method::PATCH, Target::Repository(repo)) => {
            ctx.authorize(&scope(&repo, action::METADATA_WRITE))?;
            let patch = read_patch(&ctx, body).await?;
            ctx.state.admit_write()?;
            let attrs = ctx.state.write(|s| s.update_repository(&registry, &repo, &patch))?;
            ctx.state.changed();
            ctx.state.stats.applied(repo.to_string());
            Ok(acr_json(StatusCode::OK, &attrs))
        }
        (Method::DELETE, Target::Repository(repo)) => {
            ctx.authorize(&scope(&repo, action::DELETE))?;
            ctx.state.admit_write()?;
            let deleted = ctx.state.write(|s| s.delete_repository(&repo))?;
            ctx.state.changed();
            Ok(acr_json(StatusCode::ACCEPTED, &deleted))
        }
        (Method::GET, Target::Tags(repo)) => {
            ctx.authorize(&scope(&repo, action::METADATA_READ))?;
            let q = PageQuery::from_pairs(&ctx.query)?;
            let digest = match &q.digest {
                Some(d) => Some(
                    Digest::new(d.as_str())
                        .map_err(|e| ApiError::bad_request(code::DIGEST_INVALID, e.to_string()))?,
                ),
                None => None,
            };
            let tags = ctx.state.read(|s| s.tags(&repo, q.order, digest.as_ref()))?;
            let path = format!("/acr/v1/{}/_tags", encode(repo.as_str()));
            let page = paginate(tags, |t| t.name.as_str(), &q, &path);
            let body = TagList { registry, image_name: repo, tags: page.items };
            Ok(with_link(acr_json(StatusCode::OK, &body), page.link))
        }
        (Method::GET, Target::Tag(repo, tag)) => {
            ctx.authorize(&scope(&repo, action::METADATA_READ))?;
            let tag = ctx.state.read(|s| s.tag(&repo, &tag))?;
            let body = acr_types::TagAttributes { registry, image_name: repo, tag };
            Ok(acr_json(StatusCode::OK, &body))
        }
        (Method::PATCH, Target::Tag(repo, tag)) => {
            ctx.authorize(&scope(&repo, action::METADATA_WRITE))?;
            let patch = read_patch(&ctx, body).await?;
            ctx.state.admit_write()?;
            let target = format!("{repo}:{tag}");
            let tag = ctx.state.write(|s| s.update_tag(&repo, &tag, &patch))?;
            ctx.state.changed();
            ctx.state.stats.applied(target);
            let body = acr_types::TagAttributes { registry, image_name: repo, tag };
            Ok(acr_json(StatusCode::OK, &body))
        }
        (Method::DELETE, Target::Tag(repo, tag)) => {
            ctx.authorize(&scope(&repo, action::DELETE))?;
            let now = crate::seed::timestamp_now();
            ctx.state.admit_write()?;
            let digest = ctx.state.write(|s| s.delete_tag(&repo, &tag, &now))?;
            ctx.state.changed();
            // ACR names the untagged manifest in an internal header (deletes.json).
            let mut res = StatusCode::ACCEPTED.into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(digest.as_str()) {
                res.headers_mut().insert("x-ms-int-docker-content-digest", v);
            }
            Ok(res)
        }
        (Method::GET, Target::Manifests(repo)) => {
            ctx.authorize(&scope(&repo, action::METADATA_READ))?;
            let q = PageQuery::from_pairs(&ctx.query)?;
            let manifests = ctx.state.read(|s| s.manifests(&repo, q.order))?;
            let path = format!("/acr/v1/{}/_manifests", encode(repo.as_str()));
            let page = paginate(manifests, |m| m.digest.as_str(), &q, &path);
            let body = AcrManifests { registry, image_name: repo, manifests: page.items };
            Ok(with_link(acr_json(StatusCode::OK, &body), page.link))
        }
        (Method::GET, Target::Manifest(repo, digest)) => {
            ctx.authorize(&scope(&repo, action::METADATA_READ))?;
            let manifest = ctx.state.read(|s| s.manifest(&repo, &digest))?;
            let body = acr_types::ManifestAttributes { registry, image_name: repo, manifest };
            Ok(acr_json(StatusCode::OK, &body))
        }
        (Method::PATCH, Target::Manifest(repo, digest)) => {
            ctx.authorize(&scope(&repo, action::METADATA_WRITE))?;
            let patch = read_patch(&ctx, body).await?;
            ctx.state.admit_write()?;
            let target = format!("{repo}@{digest}");
            let manifest = ctx.state.write(|s| s.update_manifest(&repo, &digest, &patch))?;
            ctx.state.changed();
            ctx.state.stats.applied(target);
            let body = acr_types::ManifestAttributes { registry, image_name: repo, manifest };
            Ok(acr_json(StatusCode::OK, &body))
        }
        _ => Err(ApiError::MethodNotAllowed),
    }
}

/// Reads a PATCH body: empty means "change nothing"; unknown keys and bad JSON are a 400.
async fn read_patch(ctx: &Ctx, body: Body) -> Result<AttributesPatch, ApiError> {
    let bytes = read_body(body, &ctx.headers, ctx.state.config.max_body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(AttributesPatch::default());
    }
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(bad_patch)?;
    if !value.is_object() {
        return Err(bad_patch("expected a JSON object"));
    }
    serde_json::from_value(value).map_err(bad_patch)
}

fn bad_patch(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        code::UNSUPPORTED,
        format!(
            "the body must be a JSON object with deleteEnabled, writeEnabled, readEnabled or \
                 listEnabled booleans: {e}"
        ),
    )
}

/// Adds the `Link` header of a paged list.
pub fn with_link(mut res: Response, link: Option<String>) -> Response {
    if let Some(v) = link.and_then(|l| axum::http::HeaderValue::from_str(&l).ok()) {
        res.headers_mut().insert(axum::http::header::LINK, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_with_slashes() {
        let d = format!("sha256:{}", "a".repeat(64));
        assert!(
            matches!(parse_target("prod/api").unwrap(), Target::Repository(r) if r.as_str() == "prod/api")
        );
        assert!(matches!(parse_target("prod/api/_tags").unwrap(), Target::Tags(_)));
        assert!(
            matches!(parse_target("a/b/c/_tags/_x").unwrap(), Target::Tag(_, t) if t.as_str() == "_x")
        );
        assert!(matches!(
            parse_target(&format!("a/_manifests/{d}")).unwrap(),
            Target::Manifest(..)
        ));
        assert!(parse_target("a/_manifests/sha256:xyz").is_err());
        assert!(parse_target("Bad/Name").is_err());
        assert_eq!(parse_target("a/_tags/x/y"), Err(ApiError::NotFound));
        assert_eq!(parse_target("a/_metadata"), Err(ApiError::NotFound));
    }
}
