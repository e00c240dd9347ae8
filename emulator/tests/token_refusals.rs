//! Tokens the registry refuses: what is not an Entra access token at `/oauth2/exchange`, expired
//! tokens at every step, and tokens for another registry.

mod common;

use acr_emulator::{
    auth::{authorize, Grantee},
    config::{Config, TokenLifetimes},
    error::ChallengeError,
};
use acr_types::AccessEntry;
use common::token_server::*;
use reqwest::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn exchange_refuses_what_is_not_an_entra_token() {
    let s = serve(Config::default()).await;
    let post = |form: Vec<(&'static str, String)>| {
        let (c, url) = (s.c.clone(), s.url("/oauth2/exchange"));
        async move { c.post(url).form(&form).send().await.unwrap() }
    };
    let host = s.host.clone();
    for form in [
        vec![("service", host.clone())],
        vec![("grant_type", "access_token".to_owned()), ("service", host.clone())],
        vec![
            ("grant_type", "password".to_owned()),
            ("service", host.clone()),
            ("access_token", "x".to_owned()),
        ],
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("service", host.clone()),
            ("refresh_token", "x".to_owned()),
        ],
    ] {
        acr_error(post(form).await, StatusCode::BAD_REQUEST, "UNSUPPORTED").await;
    }
    // Garbage, an ACR token, an ID token and a user unknown to the registry: 401.
    let admin = s.state.users.by_id("admin").unwrap().clone();
    let acr =
        s.state.issuer.refresh_token(&Grantee::new(&admin.upn), &s.host, &[]).expose().to_owned();
    let tokens = s.sign_in("admin").await;
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let mut stranger = admin.clone();
    stranger.object_id = "99999999-0000-4000-8000-000000000000".into();
    let ctx = acr_emulator::auth::EntraContext {
        issuer: "http://x/demo/v2.0",
        tenant_id: "t",
        client_id: "c",
    };
    let unknown = s
        .state
        .issuer
        .entra_access_token(&ctx, &stranger, "user_impersonation")
        .expose()
        .to_owned();
    for token in ["not-a-jwt".to_owned(), acr, id_token, unknown] {
        let res = post(vec![
            ("grant_type", "access_token".into()),
            ("service", host.clone()),
            ("access_token", token),
        ])
        .await;
        acr_error(res, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    }
    // The deprecated grant with an access token still works.
    let res = post(vec![
        ("grant_type", "access_token_refresh_token".into()),
        ("service", host.clone()),
        ("tenant", "whatever".into()),
        ("access_token", tokens["access_token"].as_str().unwrap().into()),
    ])
    .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn expired_tokens_are_rejected() {
    let zero = TokenLifetimes {
        access: Duration::ZERO,
        refresh: Duration::ZERO,
        entra_access: Duration::ZERO,
    };
    let s = serve(Config { lifetimes: zero, ..Config::default() }).await;
    // The authority's token is born expired: the exchange refuses it.
    let tokens = s.sign_in("admin").await;
    assert_eq!(tokens["expires_in"], 0);
    let m = acr_error(
        s.exchange(tokens["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
    )
    .await;
    assert!(m.contains("expired"), "{m}");
    // An expired ACR refresh token is refused by /oauth2/token.
    let admin = s.state.users.by_id("admin").unwrap();
    let refresh = s.state.issuer.refresh_token(&Grantee::new(&admin.upn), &s.host, &[]);
    let res = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("service", &s.host),
            ("scope", "registry:catalog:*"),
            ("refresh_token", refresh.expose()),
        ])
        .await;
    let m = acr_error(res, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    assert!(m.contains("expired"), "{m}");
    // An expired access token is an invalid_token challenge.
    let access = s.state.issuer.access_token(
        &Grantee::new(&admin.upn),
        &s.host,
        vec![AccessEntry::catalog()],
    );
    let h = headers(&s.host, Some(&format!("Bearer {}", access.expose())));
    assert_eq!(
        challenge_of(authorize(&s.state, &h, &AccessEntry::catalog())),
        ChallengeError::InvalidToken
    );
}

#[tokio::test]
async fn tokens_for_another_registry_are_rejected() {
    let s = serve(Config::default()).await;
    let admin = s.state.users.by_id("admin").unwrap();
    let refresh = s.state.issuer.refresh_token(&Grantee::new(&admin.upn), "other.azurecr.io", &[]);
    let res = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("service", &s.host),
            ("scope", "registry:catalog:*"),
            ("refresh_token", refresh.expose()),
        ])
        .await;
    let m = acr_error(res, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    assert!(m.contains("other.azurecr.io"), "{m}");
    // Asking this registry for another registry's token is a bad request.
    let res = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("service", "other.azurecr.io"),
            ("refresh_token", refresh.expose()),
        ])
        .await;
    acr_error(res, StatusCode::BAD_REQUEST, "UNSUPPORTED").await;
    let entra = s.sign_in("admin").await["access_token"].as_str().unwrap().to_owned();
    let res =
        s.c.post(s.url("/oauth2/exchange"))
            .form(&[
                ("grant_type", "access_token"),
                ("service", "other.azurecr.io"),
                ("access_token", &entra),
            ])
            .send()
            .await
            .unwrap();
    acr_error(res, StatusCode::BAD_REQUEST, "UNSUPPORTED").await;
    // Access tokens for another registry do not open this one.
    let access = s.state.issuer.access_token(
        &Grantee::new(&admin.upn),
        "other.azurecr.io",
        vec![AccessEntry::catalog()],
    );
    let h = headers(&s.host, Some(&format!("Bearer {}", access.expose())));
    assert_eq!(
        challenge_of(authorize(&s.state, &h, &AccessEntry::catalog())),
        ChallengeError::InvalidToken
    );
}
