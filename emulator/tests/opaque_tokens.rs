//! The `opaque_access_tokens` fault: `/oauth2/token` answers with opaque access tokens (not JWTs)
//! that the data plane accepts exactly as the JWTs they stand for; refresh tokens stay JWTs; with
//! the option off, access tokens are JWTs as before.

mod common;

use acr_emulator::{
    auth::{cli_token, AcrTokenKind},
    config::{Config, Faults},
    AppState,
};
use axum::http::{header, Method, StatusCode};
use common::*;

const FORM: &str = "application/x-www-form-urlencoded";

/// `prod/api:1.0` on an emulator with the option `on` or off.
fn registry(on: bool) -> AppState {
    let faults = Faults { opaque_access_tokens: on, ..Faults::default() };
    let state = empty_state(Config { faults, ..Config::default() });
    push(&state, "prod/api", "1.0", &image_manifest(1));
    state
}

/// Posts a form to an `/oauth2/…` endpoint and returns the JSON answer.
async fn post_form(state: &AppState, path: &str, form: &[(&str, &str)]) -> serde_json::Value {
    let body = serde_urlencoded::to_string(form).unwrap();
    let res = send(state, Method::POST, path, None, Some((FORM, &body))).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    json(res).await
}

/// The viewer's access token for `prod/api` pull and metadata_read, through the whole flow: an
/// Entra token exchanged for a refresh token (checked to be a JWT), redeemed at `/oauth2/token`.
async fn viewer_access(state: &AppState) -> String {
    let viewer = state.users.by_id("viewer").unwrap();
    let entra = cli_token(&state.issuer, viewer, "entra", HOST, "").unwrap();
    let exchanged = post_form(
        state,
        "/oauth2/exchange",
        &[("grant_type", "access_token"), ("service", HOST), ("access_token", &entra)],
    )
    .await;
    let refresh = exchanged["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(refresh.split('.').count(), 3, "refresh tokens stay JWTs: {refresh}");
    assert!(state.issuer.verify_acr(&refresh, HOST, AcrTokenKind::Refresh).is_ok());
    let answer = post_form(
        state,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("service", HOST),
            ("scope", "repository:prod/api:pull,metadata_read"),
            ("refresh_token", &refresh),
        ],
    )
    .await;
    answer["access_token"].as_str().unwrap().to_owned()
}

/// The `error` of a 401 challenge.
async fn challenge_error(state: &AppState, method: Method, uri: &str, token: &str) -> String {
    let res = send(state, method, uri, Some(token), None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{uri}");
    let c = res.headers().get(header::WWW_AUTHENTICATE).unwrap().to_str().unwrap().to_owned();
    c.rsplit_once(",error=").map(|(_, e)| e.trim_matches('"').to_owned()).unwrap_or_default()
}

/// What the viewer's token may and may not do, whatever its form.
async fn token_opens_only_what_it_grants(state: &AppState, token: &str) {
    for uri in ["/acr/v1/prod%2Fapi/_tags", "/acr/v1/prod%2Fapi", "/v2/prod/api/manifests/1.0"] {
        let res = send(state, Method::GET, uri, Some(token), None).await;
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
    }
    let patch = "/acr/v1/prod%2Fapi/_tags/1.0";
    assert_eq!(challenge_error(state, Method::PATCH, patch, token).await, "insufficient_scope");
    let catalog = "/acr/v1/_catalog";
    assert_eq!(challenge_error(state, Method::GET, catalog, token).await, "insufficient_scope");
}

#[tokio::test]
async fn opaque_access_tokens_authorize_like_the_jwt_they_stand_for() {
    let state = registry(true);
    let token = viewer_access(&state).await;
    assert_eq!(token.len(), 43, "{token}");
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
    assert!(state.issuer.verify_signature(&token).is_err(), "not a JWT: {token}");
    assert_eq!(state.issuer.opaque_tokens(), 1, "remembered server-side");
    let claims = state.issuer.verify_acr(&token, HOST, AcrTokenKind::Access).unwrap();
    assert_eq!(claims.sub, "viewer@contoso.example");
    assert_eq!(claims.exp - claims.iat, 4500, "the access token lifetime");
    token_opens_only_what_it_grants(&state, &token).await;
    // An opaque token the emulator did not hand out is no token at all.
    let made_up = "A".repeat(43);
    let uri = "/acr/v1/prod%2Fapi/_tags";
    assert_eq!(challenge_error(&state, Method::GET, uri, &made_up).await, "invalid_token");
}

#[tokio::test]
async fn without_the_option_access_tokens_stay_jwts() {
    let state = registry(false);
    let token = viewer_access(&state).await;
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    assert!(state.issuer.verify_signature(&token).is_ok());
    assert_eq!(state.issuer.opaque_tokens(), 0);
    token_opens_only_what_it_grants(&state, &token).await;
}
