//! The Docker/OCI distribution endpoints ACR serves under `/v2/`: the challenge probe, the
//! catalog, tag lists, and manifests (get, head, put, delete).

use super::{
    acr::with_link,
    request::{read_body, Ctx},
};
use crate::{
    error::{acr_json, ApiError},
    paging::{paginate, PageQuery},
};
use acr_types::{action, code, AccessEntry, Digest, Repositories, RepositoryName, RepositoryTags};
use axum::{
    body::Body,
    http::{header, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};

/// What a path under `/v2/` addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `/v2/{name}/tags/list`
    TagList(RepositoryName),
    /// `/v2/{name}/manifests/{reference}`
    Manifest(RepositoryName, String),
}

/// Splits the decoded rest of a `/v2/` path; the name is everything before the last
/// `/manifests/` or the `/tags/list` suffix.
pub fn parse_target(rest: &str) -> Result<Target, ApiError> {
    let name = |s: &str| {
        RepositoryName::new(s).map_err(|e| ApiError::bad_request(code::NAME_INVALID, e.to_string()))
    };
    if let Some(repo) = rest.strip_suffix("/tags/list") {
        return Ok(Target::TagList(name(repo)?));
    }
    if let Some((repo, reference)) = rest.rsplit_once("/manifests/") {
        if reference.is_empty() || reference.contains('/') {
            return Err(ApiError::NotFound);
        }
        return Ok(Target::Manifest(name(repo)?, reference.to_owned()));
    }
    Err(ApiError::NotFound)
}

/// `GET /v2/` (`ContainerRegistry_CheckDockerV2Support`): 200 `{}` with a valid token, else the
/// scope-less challenge az CLI and Docker use to find the realm.
pub async fn probe(ctx: Ctx) -> Result<Response, ApiError> {
    match ctx.authorize(&AccessEntry::catalog()) {
        Ok(_)
        | Err(ApiError::Unauthorized {
            error: crate::error::ChallengeError::InsufficientScope,
            ..
        }) => Ok(acr_json(StatusCode::OK, &serde_json::json!({}))),
        Err(ApiError::Unauthorized { realm, service, error, .. }) => {
            Err(ApiError::Unauthorized { realm, service, scope: None, error })
        }
        Err(e) => Err(e),
    }
}

/// `GET /v2/_catalog`.
pub async fn catalog(ctx: Ctx) -> Result<Response, ApiError> {
    ctx.authorize(&AccessEntry::catalog())?;
    let q = PageQuery::from_pairs(&ctx.query)?;
    let names = ctx.state.read(|s| Ok(s.catalog()))?;
    let page = paginate(names, |n| n.as_str(), &q, "/v2/_catalog");
    let body = Repositories { repositories: Some(page.items) };
    Ok(with_link(acr_json(StatusCode::OK, &body), page.link))
}

/// Every method on `/v2/{name}/tags/list` and `/v2/{name}/manifests/{reference}`.
pub async fn dispatch(ctx: Ctx, rest: String, body: Body) -> Result<Response, ApiError> {
    let target = parse_target(&rest)?;
    let scope = |repo: &RepositoryName, a: &str| AccessEntry::repository(repo.as_str(), &[a]);
    match (ctx.method.clone(), target) {
        (Method::GET, Target::TagList(repo)) => {
            ctx.authorize(&scope(&repo, action::METADATA_READ))?;
            let q =
                PageQuery { order: acr_types::OrderBy::None, ..PageQuery::from_pairs(&ctx.query)? };
            let tags = ctx.state.read(|s| s.tags(&repo, q.order, None))?;
            let names: Vec<_> = tags.into_iter().map(|t| t.name).collect();
            let path = format!("/v2/{repo}/tags/list");
            let page = paginate(names, |t| t.as_str(), &q, &path);
            let body = RepositoryTags { name: repo, tags: page.items };
            Ok(with_link(acr_json(StatusCode::OK, &body), page.link))
        }
        (m @ (Method::GET | Method::HEAD), Target::Manifest(repo, reference)) => {
            ctx.authorize(&scope(&repo, action::PULL))?;
            let (digest, media_type, content) =
                ctx.state.read(|s| s.pull_manifest(&repo, &reference))?;
            let len = content.len();
            let mut res = if m == Method::HEAD {
                StatusCode::OK.into_response()
            } else {
                content.into_response()
            };
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, header_value(&media_type));
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            h.insert("docker-content-digest", header_value(digest.as_str()));
            Ok(res)
        }
        (Method::PUT, Target::Manifest(repo, reference)) => {
            ctx.authorize(&AccessEntry::repository(repo.as_str(), &[action::PULL, action::PUSH]))?;
            let media_type = ctx
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(';').next().unwrap_or("").trim().to_owned())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    ApiError::bad_request(
                        code::MANIFEST_INVALID,
                        "the Content-Type header must give the manifest's media type",
                    )
                })?;
            let bytes = read_body(body, &ctx.headers, ctx.state.config.max_body).await?;
            let now = crate::seed::timestamp_now();
            ctx.state.admit_write()?;
            let digest = ctx
                .state
                .write(|s| s.push_manifest(&repo, &reference, &media_type, &bytes, &now))?;
            ctx.state.changed();
            let mut res = StatusCode::CREATED.into_response();
            let h = res.headers_mut();
            h.insert(header::LOCATION, header_value(&format!("/v2/{repo}/manifests/{digest}")));
            h.insert("docker-content-digest", header_value(digest.as_str()));
            Ok(res)
        }
        (Method::DELETE, Target::Manifest(repo, reference)) => {
            ctx.authorize(&scope(&repo, action::DELETE))?;
            let digest = Digest::new(reference.as_str()).map_err(|_| {
                ApiError::bad_request(
                    code::UNSUPPORTED,
                    "a manifest can only be deleted by digest: resolve the tag to its digest first",
                )
            })?;
            let now = crate::seed::timestamp_now();
            ctx.state.admit_write()?;
            ctx.state.write(|s| s.delete_manifest(&repo, &digest, &now))?;
            ctx.state.changed();
            Ok(StatusCode::ACCEPTED.into_response())
        }
        _ => Err(ApiError::MethodNotAllowed),
    }
}

fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_from_the_right() {
        assert!(matches!(parse_target("a/manifests/b/manifests/1.0").unwrap(),
            Target::Manifest(r, t) if r.as_str() == "a/manifests/b" && t == "1.0"));
        assert!(
            matches!(parse_target("x/y/tags/list").unwrap(), Target::TagList(r) if r.as_str() == "x/y")
        );
        assert_eq!(parse_target("x/blobs/sha256:1"), Err(ApiError::NotFound));
    }
}
