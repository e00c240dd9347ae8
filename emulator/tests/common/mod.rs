//! Shared helpers for the emulator's integration tests: building a state with known data, minting
//! tokens, and sending requests to the router in-process; [`token_server`] serves the token
//! endpoints and the demo authority over HTTP for the token-flow tests.
#![allow(dead_code)]

use acr_emulator::{
    auth::cli_token,
    config::{Config, DataSource},
    state::AppState,
};
use acr_types::{media_type, RepositoryName};
use axum::{
    body::Body,
    http::{header, Method, Request, Response, StatusCode},
};
use tower::ServiceExt;

pub mod token_server;

/// The `Host` every in-process request is sent to, hence the login server.
pub const HOST: &str = "registry.test";

/// A small Docker image manifest whose content differs with `n`.
pub fn image_manifest(n: u32) -> String {
    let hex = |x: u32| format!("{:064x}", u64::from(x) * 7919 + 1);
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"{}","size":{},"digest":"sha256:{}"}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":{},"digest":"sha256:{}"}}]}}"#,
        media_type::DOCKER_MANIFEST,
        media_type::DOCKER_CONFIG,
        1000 + n,
        hex(n),
        2_000_000 + n,
        hex(n + 100_000)
    )
}

/// A state with no repositories and the demo users.
pub fn empty_state(mut config: Config) -> AppState {
    config.data = DataSource::Empty;
    acr_emulator::build_state(config).expect("state")
}

/// Pushes `content` to `repo:reference` through the store.
pub fn push(state: &AppState, repo: &str, reference: &str, content: &str) -> acr_types::Digest {
    let repo = RepositoryName::new(repo).unwrap();
    let now = acr_emulator::seed::timestamp_now();
    state
        .store
        .write()
        .unwrap()
        .push_manifest(&repo, reference, media_type::DOCKER_MANIFEST, content.as_bytes(), &now)
        .expect("push")
}

/// An ACR access token for `user` with `scope`, for the login server [`HOST`].
pub fn token(state: &AppState, user: &str, scope: &str) -> String {
    let u = state.users.by_id(user).expect("user");
    cli_token(&state.issuer, u, "access", HOST, scope).expect("token")
}

/// An admin token for everything.
pub fn admin(state: &AppState) -> String {
    token(state, "admin", "registry:catalog:* repository:*:*")
}

/// Sends a request to the router in-process.
pub async fn send(
    state: &AppState,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<(&str, &str)>,
) -> Response<Body> {
    let mut req = Request::builder().method(method).uri(uri).header(header::HOST, HOST);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some((ct, b)) => req.header(header::CONTENT_TYPE, ct).body(Body::from(b.to_owned())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    acr_emulator::app(state.clone()).oneshot(req).await.unwrap()
}

/// The body as text.
pub async fn text(res: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The body as JSON (asserting ACR's content type and trailing newline).
pub async fn json(res: Response<Body>) -> serde_json::Value {
    assert_eq!(res.headers().get(header::CONTENT_TYPE).unwrap(), "application/json; charset=utf-8");
    let t = text(res).await;
    assert!(t.ends_with('\n'), "ACR bodies end with a newline: {t:?}");
    serde_json::from_str(&t).unwrap()
}

/// Asserts status and error code, returns the error body.
pub async fn expect_error(
    res: Response<Body>,
    status: StatusCode,
    code: &str,
) -> serde_json::Value {
    assert_eq!(res.status(), status);
    let body = json(res).await;
    assert_eq!(body["errors"][0]["code"], code, "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    body
}

/// The `Link` header, if any.
pub fn link(res: &Response<Body>) -> Option<String> {
    res.headers().get(header::LINK).map(|v| v.to_str().unwrap().to_owned())
}

/// The URL inside a `Link` header value.
pub fn link_url(link: &str) -> String {
    link.split_once('<').unwrap().1.split_once('>').unwrap().0.to_owned()
}

/// The sha256 digest of `content`, as a registry computes it.
pub fn digest_of(content: &str) -> String {
    use sha2::Digest as _;
    let hash: [u8; 32] = sha2::Sha256::digest(content.as_bytes()).into();
    acr_types::Digest::sha256_from_bytes(&hash).to_string()
}
