//! The demo Entra authority over real HTTP: the whole sign-in down to a data-plane decision,
//! PKCE and single-use codes, validation before any redirect, refresh-token rotation, CORS, keys
//! and sign-out.

mod common;

use acr_emulator::{
    auth::authorize,
    config::Config,
    error::{ApiError, ChallengeError},
};
use acr_types::AccessEntry;
use axum::http::{header, HeaderMap, HeaderValue};
use common::token_server::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn whole_sign_in_over_http() {
    let s = serve(Config::default()).await;

    // Discovery.
    let res = s.c.get(s.url("/demo/v2.0/.well-known/openid-configuration")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let oidc: Value = res.json().await.unwrap();
    assert_eq!(oidc["issuer"], s.url("/demo/v2.0"));
    assert_eq!(oidc["authorization_endpoint"], s.url("/demo/oauth2/v2.0/authorize"));
    assert_eq!(oidc["token_endpoint"], s.url("/demo/oauth2/v2.0/token"));
    assert_eq!(oidc["end_session_endpoint"], s.url("/demo/oauth2/v2.0/logout"));
    assert_eq!(oidc["jwks_uri"], s.url("/demo/discovery/v2.0/keys"));
    assert_eq!(oidc["code_challenge_methods_supported"], json!(["S256"]));

    // The sign-in page lists the Entra users (escaped), not the token user.
    let (verifier, challenge) = pkce("flow");
    let res =
        s.c.get(oidc["authorization_endpoint"].as_str().unwrap())
            .query(&authorize_params(&challenge, &[]))
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE.as_str()]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.contains("admin@contoso.example") && html.contains("viewer@contoso.example"));
    assert!(
        html.contains("viewer &lt;Démo &amp; Co&gt;")
            && html.contains("viewer&#39;s &quot;access&quot;")
    );
    assert!(!html.contains("payments-ci") && !html.contains("<Démo"));
    assert!(!html.contains("<script"));
    let (action, mut form, buttons) = parse_page(&html);
    assert_eq!(action, "/demo/oauth2/v2.0/authorize");
    assert_eq!(buttons, vec!["admin", "viewer"]);
    assert!(form.contains(&("state".into(), "st-1 & more".into())));

    // Choosing the viewer: 302 back to the app with a code and the state.
    form.push(("user".into(), "viewer".into()));
    let res = s.c.post(s.url(&action)).form(&form).send().await.unwrap();
    let (loc, q) = location_pairs(&res);
    assert!(loc.starts_with(&format!("{REDIRECT}?")), "{loc}");
    assert_eq!(q["state"], "st-1 & more");
    let code = q["code"].clone();

    // Code + verifier: Entra's answer.
    let res = s.redeem(&code, &verifier).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE.as_str()], "application/json; charset=utf-8");
    let tokens: Value = res.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["ext_expires_in"], 3600);
    assert!(tokens["scope"]
        .as_str()
        .unwrap()
        .contains("https://containerregistry.azure.net/user_impersonation"));
    assert!(tokens["refresh_token"].as_str().is_some_and(|r| !r.is_empty()));
    let entra = tokens["access_token"].as_str().unwrap();
    let at = claims(entra);
    assert_eq!(at["aud"], "https://containerregistry.azure.net");
    assert_eq!(at["iss"], s.url("/demo/v2.0"));
    assert_eq!(at["upn"], "viewer@contoso.example");
    assert_eq!(at["preferred_username"], "viewer@contoso.example");
    assert_eq!(at["name"], "viewer <Démo & Co>");
    assert_eq!(at["oid"], s.state.users.by_id("viewer").unwrap().object_id);
    assert_eq!((at["azp"].as_str(), at["appid"].as_str()), (Some(CLIENT), Some(CLIENT)));
    assert_eq!(at["scp"], "user_impersonation");
    assert_eq!(at["ver"], "2.0");
    assert_eq!(at["exp"].as_u64().unwrap() - at["iat"].as_u64().unwrap(), 3600);
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!((id["aud"].as_str(), id["nonce"].as_str()), (Some(CLIENT), Some("nonce-42")));
    assert_eq!(id["tid"], at["tid"]);
    assert!(id["sub"].as_str().is_some_and(|x| !x.is_empty()));
    verify_with_jwks(&s, entra).await;

    // Entra access token -> ACR refresh token.
    let res = s.exchange(entra).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE.as_str()], "application/json; charset=utf-8");
    let refresh = res.json::<Value>().await.unwrap()["refresh_token"].as_str().unwrap().to_owned();
    let rt = claims(&refresh);
    assert_eq!(rt["grant_type"], "refresh_token");
    assert_eq!(rt["sub"], "viewer@contoso.example");
    assert_eq!(rt["aud"], s.host);
    assert_eq!(rt["iss"], "Azure Container Registry");
    assert_eq!(rt["version"], "1.0");
    assert_eq!(rt["appid"], CLIENT, "the application the user signed in with");
    assert!(rt["rid"].as_str().is_some_and(|r| r.len() == 32));
    assert!(rt.get("tenant").is_none());
    assert_eq!(rt["permissions"], json!({"Actions": ["read"], "NotActions": null}));
    assert_eq!(rt["roles"], json!([]));
    assert_eq!(rt["exp"].as_u64().unwrap() - rt["iat"].as_u64().unwrap(), 11_700);

    // ACR refresh token -> ACR access token: the intersection of request and grants, with a
    // second `scope` field.
    let res = s
        .token(&[
            ("grant_type", "refresh_token"),
            ("service", &s.host),
            ("scope", "registry:catalog:* repository:prod/api:pull,delete,metadata_read"),
            ("scope", "repository:prod/web:delete"),
            ("refresh_token", &refresh),
        ])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let access = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let ac = claims(&access);
    assert_eq!(ac["grant_type"], "access_token");
    assert_eq!(ac["version"], "2.0");
    assert_eq!(ac["roles"], json!([]));
    assert_eq!(ac["aud"], s.host);
    assert_eq!((&ac["rid"], &ac["appid"]), (&rt["rid"], &rt["appid"]));
    assert_eq!(
        ac["access"],
        json!([
            {"Type": "registry", "Name": "catalog", "Actions": ["*"]},
            {"Type": "repository", "Name": "prod/api", "Actions": ["pull", "metadata_read"]},
        ])
    );
    assert_eq!(ac["exp"].as_u64().unwrap() - ac["iat"].as_u64().unwrap(), 4500);
    verify_with_jwks(&s, &access).await;

    // And it opens the data plane for what it grants, and only that.
    let mut h = HeaderMap::new();
    h.insert(header::HOST, HeaderValue::from_str(&s.host).unwrap());
    h.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {access}")).unwrap());
    let p =
        authorize(&s.state, &h, &AccessEntry::repository("prod/api", &["metadata_read"])).unwrap();
    assert_eq!(p.subject, "viewer@contoso.example");
    assert!(authorize(&s.state, &h, &AccessEntry::catalog()).is_ok());
    let denied =
        authorize(&s.state, &h, &AccessEntry::repository("prod/api", &["delete"])).unwrap_err();
    assert!(matches!(
        denied,
        ApiError::Unauthorized { error: ChallengeError::InsufficientScope, .. }
    ));
}

#[tokio::test]
async fn pkce_and_codes_are_checked() {
    let s = serve(Config::default()).await;
    let (verifier, challenge) = pkce("pkce");

    // A wrong verifier is refused, and the code is spent.
    let code = s.code_for("admin", &challenge).await;
    let code_num = entra_error(
        s.redeem(&code, "a-wrong-verifier-of-sufficient-length-0123456789").await,
        "invalid_grant",
    )
    .await;
    assert_eq!(code_num, 501481);
    entra_error(s.redeem(&code, &verifier).await, "invalid_grant").await;

    // A code works once.
    let code = s.code_for("admin", &challenge).await;
    assert_eq!(s.redeem(&code, &verifier).await.status(), StatusCode::OK);
    assert_eq!(entra_error(s.redeem(&code, &verifier).await, "invalid_grant").await, 54005);

    // A code is bound to its client and redirect URI.
    let code = s.code_for("admin", &challenge).await;
    let res =
        s.c.post(s.url("/demo/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", "another-app"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
            ])
            .send()
            .await
            .unwrap();
    entra_error(res, "invalid_grant").await;
    let code = s.code_for("admin", &challenge).await;
    let res =
        s.c.post(s.url("/demo/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT),
                ("code", &code),
                ("redirect_uri", "http://127.0.0.1:9/elsewhere"),
                ("code_verifier", &verifier),
            ])
            .send()
            .await
            .unwrap();
    entra_error(res, "invalid_grant").await;

    // Unknown codes, missing fields and other grants.
    assert_eq!(
        entra_error(s.redeem("no-such-code", &verifier).await, "invalid_grant").await,
        70000
    );
    let res =
        s.c.post(s.url("/demo/oauth2/v2.0/token"))
            .form(&[("grant_type", "authorization_code"), ("client_id", CLIENT)])
            .send()
            .await
            .unwrap();
    assert_eq!(entra_error(res, "invalid_request").await, 900144);
    let res =
        s.c.post(s.url("/demo/oauth2/v2.0/token"))
            .form(&[("grant_type", "client_credentials"), ("client_id", CLIENT)])
            .send()
            .await
            .unwrap();
    entra_error(res, "unsupported_grant_type").await;
    let res = s.c.post(s.url("/demo/oauth2/v2.0/token")).body("%%%").send().await.unwrap();
    entra_error(res, "invalid_request").await;
}

#[tokio::test]
async fn authority_refresh_tokens_rotate() {
    let s = serve(Config::default()).await;
    let first = s.sign_in("admin").await;
    let r1 = first["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |token: String, client: &'static str| {
        let c = s.c.clone();
        let url = s.url("/demo/oauth2/v2.0/token");
        async move {
            c.post(url)
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", client),
                    ("refresh_token", &token),
                    ("scope", ACR_SCOPE),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    // Another client cannot use it (and it stays valid).
    entra_error(refresh(r1.clone(), "another-app").await, "invalid_grant").await;
    let res = refresh(r1.clone(), CLIENT).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second: Value = res.json().await.unwrap();
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert_eq!(claims(second["access_token"].as_str().unwrap())["upn"], "admin@contoso.example");
    assert!(second["id_token"].as_str().is_some());
    // The old one was rotated away; the new one works and the result still exchanges.
    entra_error(refresh(r1, CLIENT).await, "invalid_grant").await;
    let third: Value = refresh(r2, CLIENT).await.json().await.unwrap();
    assert_eq!(s.exchange(third["access_token"].as_str().unwrap()).await.status(), StatusCode::OK);

    // Without offline_access there is no refresh token, without openid no ID token.
    let (verifier, challenge) = pkce("noofl");
    let res =
        s.c.get(s.url("/demo/oauth2/v2.0/authorize"))
            .query(&[
                ("client_id", CLIENT),
                ("response_type", "code"),
                ("redirect_uri", REDIRECT),
                ("scope", "https://containerregistry.azure.net/.default"),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
                ("login_hint", "viewer@contoso.example"),
            ])
            .send()
            .await
            .unwrap();
    let code = location_pairs(&res).1["code"].clone();
    let plain: Value = s.redeem(&code, &verifier).await.json().await.unwrap();
    assert!(plain["access_token"].is_string());
    assert!(plain.get("refresh_token").is_none() && plain.get("id_token").is_none());
}

#[tokio::test]
async fn authorize_validates_before_redirecting() {
    let s = serve(Config::default()).await;
    let (_, challenge) = pkce("val");
    let get = |params: Vec<(String, String)>| {
        let c = s.c.clone();
        let url = s.url("/demo/oauth2/v2.0/authorize");
        async move { c.get(url).query(&params).send().await.unwrap() }
    };
    let base = |extra: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = authorize_params(&challenge, &[])
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        for (k, v) in extra {
            p.retain(|(pk, _)| pk != k);
            if !v.is_empty() {
                p.push(((*k).to_owned(), (*v).to_owned()));
            }
        }
        p
    };
    for (extra, expect) in [
        (vec![("redirect_uri", "javascript:alert(1)")], "redirect URI"),
        (vec![("redirect_uri", "/relative/cb")], "redirect URI"),
        (vec![("redirect_uri", "https://app.example/cb#x")], "redirect URI"),
        (vec![("redirect_uri", "")], "redirect_uri"),
        (vec![("response_type", "token")], "response_type"),
        (vec![("code_challenge_method", "plain")], "S256"),
        (vec![("code_challenge_method", "")], "S256"),
        (vec![("code_challenge", "")], "code_challenge"),
        (vec![("code_challenge", "short")], "code_challenge"),
        (vec![("client_id", "")], "client_id"),
        (vec![("response_mode", "form_post")], "response_mode"),
    ] {
        let res = get(base(&extra)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{extra:?}");
        assert!(res.headers().get(header::LOCATION.as_str()).is_none());
        assert!(res.headers()[header::CONTENT_TYPE.as_str()]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = res.text().await.unwrap();
        assert!(html.contains(expect) && html.contains("AADSTS"), "{extra:?}: {html}");
        assert!(!html.contains("<script"), "escaped: {html}");
    }

    // login_hint signs in at once (fragment mode here); prompt=login shows the page anyway.
    let res =
        get(base(&[("login_hint", "ADMIN@contoso.example"), ("response_mode", "fragment")])).await;
    let (loc, q) = location_pairs(&res);
    assert!(loc.starts_with(&format!("{REDIRECT}#code=")), "{loc}");
    assert_eq!(q["state"], "st-1 & more");
    let res = get(base(&[("login_hint", "admin"), ("prompt", "login")])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = get(base(&[("login_hint", "nobody"), ("prompt", "select_account")])).await;
    assert_eq!(res.status(), StatusCode::OK);
    // prompt=none with nobody to sign in: an error back to the (validated) app.
    let res = get(base(&[("prompt", "none")])).await;
    let (_, q) = location_pairs(&res);
    assert_eq!(q["error"], "login_required");
    assert!(!q.contains_key("code"));

    // The POST re-validates and refuses unknown or non-Entra users.
    let mut form = base(&[]);
    form.push(("user".into(), "payments-ci".into()));
    let res = s.c.post(s.url("/demo/oauth2/v2.0/authorize")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let mut form = base(&[("redirect_uri", "ftp://x/")]);
    form.push(("user".into(), "admin".into()));
    let res = s.c.post(s.url("/demo/oauth2/v2.0/authorize")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.headers().get(header::LOCATION.as_str()).is_none());
}

#[tokio::test]
async fn authority_cors_keys_and_logout() {
    let s = serve(Config::default()).await;
    let origin = "http://localhost:3000";
    let res =
        s.c.request(reqwest::Method::OPTIONS, s.url("/demo/oauth2/v2.0/token"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
    assert!(res.status().is_success());
    assert_eq!(res.headers()["access-control-allow-origin"], origin);
    assert_eq!(res.headers()["vary"], "Origin");
    assert!(res.headers()["access-control-allow-methods"].to_str().unwrap().contains("POST"));
    assert_eq!(res.headers()["access-control-allow-headers"], "content-type");
    for path in ["/demo/discovery/v2.0/keys", "/demo/v2.0/.well-known/openid-configuration"] {
        let res = s.c.get(s.url(path)).header("origin", origin).send().await.unwrap();
        assert_eq!(res.headers()["access-control-allow-origin"], origin, "{path}");
    }
    let (verifier, challenge) = pkce("cors");
    let code = s.code_for("viewer", &challenge).await;
    let res =
        s.c.post(s.url("/demo/oauth2/v2.0/token"))
            .header("origin", origin)
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
            ])
            .send()
            .await
            .unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], origin);
    // Errors carry CORS headers too, so the SPA can read them.
    let res =
        s.c.post(s.url("/demo/oauth2/v2.0/token"))
            .header("origin", origin)
            .form(&[("grant_type", "x")])
            .send()
            .await
            .unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], origin);
    let kid =
        s.c.get(s.url("/common/discovery/v2.0/keys"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["keys"][0]["kid"]
            .clone();
    assert_eq!(kid, s.state.issuer.kid());

    // A GUID tenant is the tid; other names map to the demo tenant.
    let tid = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
    let res =
        s.c.get(s.url(&format!("/{tid}/oauth2/v2.0/authorize")))
            .query(&authorize_params(&challenge, &[("login_hint", "viewer")]))
            .send()
            .await
            .unwrap();
    let code = location_pairs(&res).1["code"].clone();
    let res =
        s.c.post(s.url(&format!("/{tid}/oauth2/v2.0/token")))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &verifier),
            ])
            .send()
            .await
            .unwrap();
    let at = claims(res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap());
    assert_eq!(at["tid"], tid);
    assert_eq!(at["iss"], s.url(&format!("/{tid}/v2.0")));

    // Logout revokes the named user's refresh tokens, then returns to the app.
    let tokens = s.sign_in("viewer").await;
    s.sign_in("admin").await;
    assert!(s.state.entra.refresh_tokens_of("viewer") >= 1);
    let res =
        s.c.get(s.url("/demo/oauth2/v2.0/logout"))
            .query(&[
                ("post_logout_redirect_uri", "http://127.0.0.1:9/bye"),
                ("logout_hint", "viewer@contoso.example"),
                ("state", "z"),
            ])
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()["location"], "http://127.0.0.1:9/bye?state=z");
    assert_eq!(s.state.entra.refresh_tokens_of("viewer"), 0);
    assert!(s.state.entra.refresh_tokens_of("admin") >= 1);
    let res =
        s.c.post(s.url("/demo/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", CLIENT),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ])
            .send()
            .await
            .unwrap();
    entra_error(res, "invalid_grant").await;
    // By ID token hint, and with an unusable redirect: a page.
    let admin_tokens = s.sign_in("admin").await;
    let res =
        s.c.get(s.url("/demo/oauth2/v2.0/logout"))
            .query(&[
                ("post_logout_redirect_uri", "javascript:alert(1)"),
                ("id_token_hint", admin_tokens["id_token"].as_str().unwrap()),
            ])
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("signed out"));
    assert_eq!(s.state.entra.refresh_tokens_of("admin"), 0);
}
