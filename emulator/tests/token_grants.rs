//! `/oauth2/token` grants besides the refresh token: the password grant, `GET` with Basic (also
//! Docker's refresh-token identity), malformed requests, and anonymous access only when enabled.

mod common;

use acr_emulator::{
    auth::{authorize, Grantee},
    config::Config,
    error::ChallengeError,
};
use acr_types::AccessEntry;
use axum::http::header;
use common::token_server::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn password_grant_and_basic_get() {
    let s = serve(Config::default()).await;
    let scope =
        "repository:prod/payments/api:pull,delete repository:prod/api:pull registry:catalog:*";
    let res = s
        .token(&[
            ("grant_type", "password"),
            ("service", &s.host),
            ("scope", scope),
            ("username", "payments-ci"),
            ("password", "s3cret-pw"),
        ])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE.as_str()], "application/json; charset=utf-8");
    let access = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let c = claims(&access);
    assert_eq!(c["sub"], "payments-ci");
    assert_eq!(
        c["access"],
        json!([{"Type": "repository", "Name": "prod/payments/api", "Actions": ["pull"]}])
    );

    let res = s
        .token(&[
            ("grant_type", "password"),
            ("service", &s.host),
            ("scope", scope),
            ("username", "payments-ci"),
            ("password", "wrong"),
        ])
        .await;
    acr_error(res, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    // Entra users have no password.
    let res = s
        .token(&[
            ("grant_type", "password"),
            ("service", &s.host),
            ("scope", scope),
            ("username", "admin"),
            ("password", ""),
        ])
        .await;
    acr_error(res, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;

    // GET with Basic: the same answer.
    let res =
        s.c.get(s.url("/oauth2/token"))
            .query(&[
                ("service", s.host.as_str()),
                ("scope", "repository:prod/payments/web:metadata_read,metadata_write"),
            ])
            .basic_auth("payments-ci", Some("s3cret-pw"))
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let c = claims(res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap());
    assert_eq!(c["access"][0]["Actions"], json!(["metadata_read", "metadata_write"]));
    let res =
        s.c.get(s.url("/oauth2/token"))
            .query(&[("service", s.host.as_str())])
            .basic_auth("payments-ci", Some("nope"))
            .send()
            .await
            .unwrap();
    assert_eq!(
        res.headers()[header::WWW_AUTHENTICATE.as_str()],
        "Basic realm=\"Azure Container Registry\""
    );
    acr_error(res, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    let res =
        s.c.get(s.url("/oauth2/token"))
            .query(&[("service", s.host.as_str())])
            .send()
            .await
            .unwrap();
    acr_error(res, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;

    // An ACR refresh token as the password of the all-zero user (Docker's identity token).
    let refresh = s.acr_refresh("viewer").await;
    let res =
        s.c.get(s.url("/oauth2/token"))
            .query(&[("service", s.host.as_str()), ("scope", "repository:a:pull,push")])
            .basic_auth("00000000-0000-0000-0000-000000000000", Some(&refresh))
            .send()
            .await
            .unwrap();
    let c = claims(res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap());
    assert_eq!(
        (c["sub"].as_str(), c["access"][0]["Actions"].clone()),
        (Some("viewer@contoso.example"), json!(["pull"]))
    );

    // Malformed requests are 400s with ACR's body.
    for form in [
        vec![("service", s.host.as_str())],
        vec![("grant_type", "password"), ("service", s.host.as_str()), ("password", "x")],
        vec![("grant_type", "client_credentials"), ("service", s.host.as_str())],
        vec![("grant_type", "refresh_token"), ("service", s.host.as_str())],
        vec![
            ("grant_type", "refresh_token"),
            ("service", s.host.as_str()),
            ("refresh_token", "x"),
            ("scope", "nonsense"),
        ],
        vec![("grant_type", "refresh_token"), ("refresh_token", "x")],
    ] {
        acr_error(s.token(&form).await, StatusCode::BAD_REQUEST, "UNSUPPORTED").await;
    }
    let res = s.c.post(s.url("/oauth2/token")).body("a=%ZZ&&=").send().await.unwrap();
    acr_error(res, StatusCode::BAD_REQUEST, "UNSUPPORTED").await;
}

#[tokio::test]
async fn anonymous_only_when_enabled() {
    let anonymous = |s: &Server| {
        let (c, url, host) = (s.c.clone(), s.url("/oauth2/token"), s.host.clone());
        async move {
            c.post(url)
                .form(&[
                    ("grant_type", "password"),
                    ("service", host.as_str()),
                    ("refresh_token", ""),
                    ("scope", "repository:prod/api:pull,delete,metadata_read registry:catalog:*"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let closed = serve(Config::default()).await;
    acr_error(anonymous(&closed).await, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    let res = closed
        .c
        .get(closed.url("/oauth2/token"))
        .query(&[("service", closed.host.as_str()), ("scope", "repository:a:pull")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // An anonymous token minted anyway does not open a closed registry.
    let forged = closed.state.issuer.access_token(
        &Grantee::new(""),
        &closed.host,
        vec![AccessEntry::repository("a", &["pull"])],
    );
    let h = headers(&closed.host, Some(&format!("Bearer {}", forged.expose())));
    assert_eq!(
        challenge_of(authorize(&closed.state, &h, &AccessEntry::repository("a", &["pull"]))),
        ChallengeError::InvalidToken
    );

    let open = serve(Config { anonymous_pull: true, ..Config::default() }).await;
    let res = anonymous(&open).await;
    assert_eq!(res.status(), StatusCode::OK);
    let token = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let c = claims(&token);
    assert_eq!(c["sub"], "");
    assert_eq!(
        c["access"],
        json!([
            {"Type": "repository", "Name": "prod/api", "Actions": ["pull", "metadata_read"]},
            {"Type": "registry", "Name": "catalog", "Actions": ["*"]},
        ])
    );
    let h = headers(&open.host, Some(&format!("Bearer {token}")));
    let p = authorize(&open.state, &h, &AccessEntry::repository("prod/api", &["pull"])).unwrap();
    assert_eq!(p.subject, "");
    assert!(authorize(&open.state, &h, &AccessEntry::catalog()).is_ok());
    assert_eq!(
        challenge_of(authorize(&open.state, &h, &AccessEntry::repository("prod/api", &["delete"]))),
        ChallengeError::InsufficientScope
    );
    // Docker's anonymous GET works too.
    let res = open
        .c
        .get(open.url("/oauth2/token"))
        .query(&[("service", open.host.as_str()), ("scope", "repository:a:*")])
        .send()
        .await
        .unwrap();
    let c = claims(res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap());
    assert_eq!(c["access"][0]["Actions"], json!(["metadata_read", "pull"]));
}
