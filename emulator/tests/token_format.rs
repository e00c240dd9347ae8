//! How ACR tokens are written: the older 1.0 form when configured (and read back), and payloads
//! that decode as plain base64 whatever they contain.

mod common;

use acr_emulator::{auth::authorize, config::Config};
use acr_types::{AccessEntry, TokenFormat};
use common::token_server::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn the_older_token_form_when_configured() {
    let s = serve(Config { token_format: TokenFormat::V1, ..Config::default() }).await;
    let tokens = s.sign_in("viewer").await;
    let tid = claims(tokens["access_token"].as_str().unwrap())["tid"].clone();
    let refresh = s.acr_refresh("viewer").await;
    let rt = claims(&refresh);
    assert_eq!(rt["version"], "1.0");
    assert_eq!(rt["tenant"], tid);
    assert_eq!(rt["permissions"], json!({"actions": ["*"], "notActions": []}));
    assert!(rt.get("appid").is_none() && rt.get("rid").is_none());
    assert_eq!(rt["exp"].as_u64().unwrap() - rt["iat"].as_u64().unwrap(), 11_700);

    let res = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("service", &s.host),
            ("scope", "repository:prod/api:pull"),
            ("refresh_token", &refresh),
        ])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let access = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let ac = claims(&access);
    assert_eq!(ac["version"], "1.0");
    assert_eq!(
        ac["access"],
        json!([{"type": "repository", "name": "prod/api", "actions": ["pull"]}])
    );
    assert!(ac.get("appid").is_none() && ac.get("rid").is_none());

    // The emulator reads its own tokens in this form too.
    let h = headers(&s.host, Some(&format!("Bearer {access}")));
    let p = authorize(&s.state, &h, &AccessEntry::repository("prod/api", &["pull"])).unwrap();
    assert_eq!(p.access, vec![AccessEntry::repository("prod/api", &["pull"])]);
}

#[tokio::test]
async fn payloads_decode_as_plain_base64() {
    let s = serve(Config { anonymous_pull: true, ..Config::default() }).await;
    let refresh = s.acr_refresh("admin").await;
    let mut seen = 0;
    for i in 0..120 {
        let scope = format!(
            "repository:{}:pull,metadata_read repository:team-{i}/x{}:delete",
            "a/".repeat(i % 9) + &"b".repeat(i % 5 + 1),
            "~?>".repeat(i % 4)
        );
        let form: Vec<(&str, &str)> = if i % 3 == 0 {
            vec![("grant_type", "password"), ("service", &s.host), ("scope", &scope)]
        } else {
            vec![
                ("grant_type", "refresh_token"),
                ("service", &s.host),
                ("scope", &scope),
                ("refresh_token", &refresh),
            ]
        };
        let res = s.token(&form).await;
        assert_eq!(res.status(), StatusCode::OK, "{scope}");
        let t = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
        let c = claims(&t);
        assert_eq!(c["access"][0]["Name"], scope.split(':').nth(1).unwrap());
        seen += 1;
    }
    for i in 0..40 {
        let tokens = s.sign_in(if i % 2 == 0 { "admin" } else { "viewer" }).await;
        claims(tokens["access_token"].as_str().unwrap());
        claims(tokens["id_token"].as_str().unwrap());
        let res = s.exchange(tokens["access_token"].as_str().unwrap()).await;
        claims(res.json::<Value>().await.unwrap()["refresh_token"].as_str().unwrap());
        seen += 3;
    }
    assert!(seen >= 200);
}
