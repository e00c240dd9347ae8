//! The token flow over real HTTP: the demo Entra authority (sign-in page, authorization code +
//! PKCE, refresh tokens, keys, sign-out), ACR's `/oauth2/exchange` and `/oauth2/token`, and
//! `auth::authorize` deciding data-plane requests. Runs against a minimal router of just the
//! token endpoints and the authority, with hand-made users.

use acr_emulator::{
    auth::{authorize, AcrTokenKind, Grantee, Principal, TokenIssuer},
    config::{Config, TokenLifetimes},
    entra::Sessions,
    error::{ApiError, ChallengeError},
    state::{AppState, Inner, Stats},
    store::Store,
    users::{Grant, User, UserKind, Users},
};
use acr_types::{AccessEntry, TokenFormat};
use axum::http::{header, HeaderMap, HeaderValue};
use base64::Engine as _;
use reqwest::{redirect::Policy, StatusCode};
use rsa::signature::Verifier as _;
use serde_json::{json, Value};
use sha2::Digest as _;
use std::{collections::HashMap, sync::Arc, time::Duration};

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const CLIENT: &str = "console-app";
const ACR_SCOPE: &str =
    "https://containerregistry.azure.net/.default openid profile offline_access";

fn user(id: &str, kind: UserKind, catalog: bool, grants: &[(&str, &[&str])]) -> User {
    User {
        id: id.into(),
        display_name: format!("{id} <Démo & Co>"),
        upn: if kind == UserKind::Entra { format!("{id}@contoso.example") } else { id.into() },
        object_id: format!(
            "00000000-0000-4000-8000-{:012x}",
            id.len() * 1000 + id.as_bytes()[0] as usize
        ),
        kind,
        password: None,
        catalog,
        grants: grants
            .iter()
            .map(|(r, a)| Grant {
                repositories: (*r).into(),
                actions: a.iter().map(|s| (*s).to_owned()).collect(),
            })
            .collect(),
        description: format!("{id}'s \"access\""),
    }
}

fn users() -> Users {
    let mut ci = user(
        "payments-ci",
        UserKind::Token,
        false,
        &[("prod/payments/*", &["pull", "metadata_read", "metadata_write"])],
    );
    ci.password = Some("s3cret-pw".into());
    Users(vec![
        user("admin", UserKind::Entra, true, &[("*", &["*"])]),
        user("viewer", UserKind::Entra, true, &[("*", &["pull", "metadata_read"])]),
        ci,
    ])
}

fn state(config: Config) -> AppState {
    let issuer = TokenIssuer::new(config.signing_key.as_deref(), config.lifetimes.clone())
        .unwrap()
        .with_format(config.token_format);
    AppState(Arc::new(Inner {
        config,
        store: std::sync::RwLock::new(Store::default()),
        users: users(),
        issuer,
        entra: Sessions::default(),
        stats: Stats::default(),
        save_lock: tokio::sync::Mutex::new(()),
    }))
}

/// A running server: `base` is `http://127.0.0.1:PORT`, `host` (the login server) `127.0.0.1:PORT`.
struct Server {
    base: String,
    host: String,
    state: AppState,
    c: reqwest::Client,
}

async fn serve(config: Config) -> Server {
    let state = state(config);
    let app = axum::Router::new()
        .merge(acr_emulator::oauth2::router())
        .merge(acr_emulator::entra::router())
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        base: format!("http://{addr}"),
        host: addr.to_string(),
        state,
        c: reqwest::Client::builder().redirect(Policy::none()).build().unwrap(),
    }
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a JWT's payload with plain, padded standard base64, as simple clients do.
fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    assert!(
        !payload.contains('-') && !payload.contains('_') && payload.len() % 4 == 0,
        "payload is plain base64: {payload}"
    );
    let bytes = base64::engine::general_purpose::STANDARD.decode(payload).expect("plain base64");
    serde_json::from_slice(&bytes).unwrap()
}

/// A PKCE verifier and its S256 challenge.
fn pkce(seed: &str) -> (String, String) {
    let verifier = format!("verifier-{seed}-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ");
    let challenge = b64url(&sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn authorize_params<'a>(
    challenge: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("client_id", CLIENT),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", ACR_SCOPE),
        ("state", "st-1 & more"),
        ("nonce", "nonce-42"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    p.extend_from_slice(extra);
    p
}

/// Undoes the page's HTML escaping.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The form action, hidden inputs and user buttons of the sign-in page.
fn parse_page(html: &str) -> (String, Vec<(String, String)>, Vec<String>) {
    let attr = |tag: &str, name: &str| {
        let key = format!("{name}=\"");
        tag.split_once(&key).map(|(_, r)| unescape(r.split_once('"').unwrap().0))
    };
    let action =
        attr(html.split_once("<form").unwrap().1.split_once('>').unwrap().0, "action").unwrap();
    let mut hidden = Vec::new();
    for part in html.split("<input").skip(1) {
        let tag = part.split_once('>').unwrap().0;
        hidden.push((attr(tag, "name").unwrap(), attr(tag, "value").unwrap()));
    }
    let buttons = html
        .split("<button")
        .skip(1)
        .map(|p| attr(p.split_once('>').unwrap().0, "value").unwrap())
        .collect();
    (action, hidden, buttons)
}

/// The query (or fragment) pairs of a redirect.
fn location_pairs(res: &reqwest::Response) -> (String, HashMap<String, String>) {
    assert_eq!(res.status(), StatusCode::FOUND);
    let loc = res.headers()[header::LOCATION.as_str()].to_str().unwrap().to_owned();
    let url = reqwest::Url::parse(&loc).unwrap();
    let pairs = match url.fragment() {
        Some(f) => serde_urlencoded::from_str(f).unwrap(),
        None => url.query_pairs().into_owned().collect(),
    };
    (loc, pairs)
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A code for `hint` through the `login_hint` shortcut.
    async fn code_for(&self, hint: &str, challenge: &str) -> String {
        let res = self
            .c
            .get(self.url("/demo/oauth2/v2.0/authorize"))
            .query(&authorize_params(challenge, &[("login_hint", hint)]))
            .send()
            .await
            .unwrap();
        location_pairs(&res).1["code"].clone()
    }

    async fn redeem(&self, code: &str, verifier: &str) -> reqwest::Response {
        self.c
            .post(self.url("/demo/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Signs `hint` in and returns the authority's token answer.
    async fn sign_in(&self, hint: &str) -> Value {
        let (verifier, challenge) = pkce(hint);
        let code = self.code_for(hint, &challenge).await;
        let res = self.redeem(&code, &verifier).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    async fn exchange(&self, entra: &str) -> reqwest::Response {
        self.c
            .post(self.url("/oauth2/exchange"))
            .form(&[
                ("grant_type", "access_token"),
                ("service", &self.host),
                ("access_token", entra),
            ])
            .send()
            .await
            .unwrap()
    }

    async fn token(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.c.post(self.url("/oauth2/token")).form(form).send().await.unwrap()
    }

    /// An ACR refresh token for an Entra user, through the authority and the exchange.
    async fn acr_refresh(&self, hint: &str) -> String {
        let tokens = self.sign_in(hint).await;
        let res = self.exchange(tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<Value>().await.unwrap()["refresh_token"].as_str().unwrap().to_owned()
    }
}

/// Asserts an ACR JSON error answer and returns its message.
async fn acr_error(res: reqwest::Response, status: StatusCode, code: &str) -> String {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()[header::CONTENT_TYPE.as_str()], "application/json; charset=utf-8");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], code, "{body}");
    let m = body["errors"][0]["message"].as_str().unwrap().to_owned();
    assert!(!m.is_empty());
    m
}

/// Asserts an Entra JSON error answer and returns its AADSTS code.
async fn entra_error(res: reqwest::Response, error: &str) -> u64 {
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    let code = body["error_codes"][0].as_u64().unwrap();
    assert!(
        body["error_description"].as_str().unwrap().starts_with(&format!("AADSTS{code}: ")),
        "{body}"
    );
    code
}

/// Verifies a JWT's signature with the key published at the authority's JWKS endpoint.
async fn verify_with_jwks(s: &Server, jwt: &str) {
    let jwks: Value =
        s.c.get(s.url("/demo/discovery/v2.0/keys")).send().await.unwrap().json().await.unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["alg"].as_str(), key["use"].as_str()),
        (Some("RSA"), Some("RS256"), Some("sig"))
    );
    let num = |k: &str| {
        rsa::BigUint::from_bytes_be(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(key[k].as_str().unwrap())
                .unwrap(),
        )
    };
    let public = rsa::RsaPublicKey::new(num("n"), num("e")).unwrap();
    let verifying = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(public);
    let (signed, sig) = jwt.rsplit_once('.').unwrap();
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig).unwrap();
    verifying
        .verify(signed.as_bytes(), &rsa::pkcs1v15::Signature::try_from(sig.as_slice()).unwrap())
        .unwrap();
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], key["kid"]);
}

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

fn headers(host: &str, authorization: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
    if let Some(a) = authorization {
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(a).unwrap());
    }
    h
}

fn challenge_of(r: Result<Principal, ApiError>) -> ChallengeError {
    match r {
        Err(ApiError::Unauthorized { error, .. }) => error,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

#[test]
fn authorize_challenges_and_basic() {
    let st = state(Config::default());
    let host = "registry.test";
    let scope = AccessEntry::repository("prod/api", &["metadata_read"]);

    // No credentials: the challenge with realm, service and scope, no error.
    match authorize(&st, &headers(host, None), &scope).unwrap_err() {
        ApiError::Unauthorized { realm, service, scope: s, error } => {
            assert_eq!(realm, "http://registry.test/oauth2/token");
            assert_eq!(service, host);
            assert_eq!(s.as_deref(), Some("repository:prod/api:metadata_read"));
            assert_eq!(error, ChallengeError::None);
        }
        other => panic!("{other:?}"),
    }
    let catalog = authorize(&st, &headers(host, None), &AccessEntry::catalog()).unwrap_err();
    assert_eq!(
        catalog.challenge().unwrap(),
        "Bearer realm=\"http://registry.test/oauth2/token\",service=\"registry.test\",scope=\"registry:catalog:*\""
    );

    // Bad bearers: invalid_token.
    let viewer = st.users.by_id("viewer").unwrap();
    let refresh = st.issuer.refresh_token(&Grantee::new(&viewer.upn), host, &[]);
    let entra = acr_emulator::auth::cli_token(&st.issuer, viewer, "entra", host, "").unwrap();
    let good = acr_emulator::auth::cli_token(
        &st.issuer,
        viewer,
        "access",
        host,
        "repository:prod/api:pull,metadata_read",
    )
    .unwrap();
    let (h, p) = good.rsplit_once('.').unwrap();
    let tampered = format!("{h}.{}", p.chars().rev().collect::<String>());
    for bad in [
        "Bearer",
        "Bearer not.a.jwt",
        "Bearer x",
        &format!("Bearer {}", refresh.expose()),
        &format!("Bearer {entra}"),
        &format!("Bearer {tampered}"),
        "Negotiate abc",
    ] {
        assert_eq!(
            challenge_of(authorize(&st, &headers(host, Some(bad)), &scope)),
            ChallengeError::InvalidToken,
            "{bad}"
        );
    }

    // A valid token: the principal, or insufficient_scope for what it lacks.
    let h = headers(host, Some(&format!("bearer {good}")));
    let p = authorize(&st, &h, &scope).unwrap();
    assert_eq!(p.subject, "viewer@contoso.example");
    assert_eq!(p.access, vec![AccessEntry::repository("prod/api", &["pull", "metadata_read"])]);
    for lacking in [
        AccessEntry::repository("prod/api", &["metadata_write"]),
        AccessEntry::repository("prod/api", &["pull", "push"]),
        AccessEntry::repository("prod/web", &["pull"]),
        AccessEntry::catalog(),
    ] {
        assert_eq!(
            challenge_of(authorize(&st, &h, &lacking)),
            ChallengeError::InsufficientScope,
            "{lacking}"
        );
    }
    // A wildcard grant covers every repository.
    let admin = st.users.by_id("admin").unwrap();
    let wild = acr_emulator::auth::cli_token(
        &st.issuer,
        admin,
        "access",
        host,
        "repository:*:* registry:catalog:*",
    )
    .unwrap();
    let h = headers(host, Some(&format!("Bearer {wild}")));
    assert!(authorize(
        &st,
        &h,
        &AccessEntry::repository("any/thing", &["delete", "metadata_write"])
    )
    .is_ok());
    assert!(authorize(&st, &h, &AccessEntry::catalog()).is_ok());

    // Basic: the user's grants, or the Basic challenge.
    let h = headers(host, Some(&basic("payments-ci", "s3cret-pw")));
    let p = authorize(&st, &h, &AccessEntry::repository("prod/payments/api", &["metadata_write"]))
        .unwrap();
    assert_eq!(p.subject, "payments-ci");
    assert_eq!(p.access, vec![AccessEntry::repository("prod/payments/api", &["metadata_write"])]);
    for (h, scope) in [
        (
            headers(host, Some(&basic("payments-ci", "wrong"))),
            AccessEntry::repository("prod/payments/api", &["pull"]),
        ),
        (
            headers(host, Some(&basic("admin", ""))),
            AccessEntry::repository("prod/payments/api", &["pull"]),
        ),
        (headers(host, Some("Basic !!!")), AccessEntry::repository("prod/payments/api", &["pull"])),
        (h.clone(), AccessEntry::catalog()),
        (h.clone(), AccessEntry::repository("prod/api", &["pull"])),
        (h.clone(), AccessEntry::repository("prod/payments/api", &["pull", "delete"])),
    ] {
        let e = authorize(&st, &h, &scope).unwrap_err();
        assert_eq!(e, ApiError::BasicUnauthorized, "{scope}");
        assert_eq!(e.challenge().unwrap(), "Basic realm=\"Azure Container Registry\"");
    }
    // The refresh-token identity works with Basic too.
    let h = headers(host, Some(&basic("00000000-0000-0000-0000-000000000000", refresh.expose())));
    assert_eq!(authorize(&st, &h, &scope).unwrap().subject, "viewer@contoso.example");

    // Verification is also available directly.
    assert!(st.issuer.verify_acr(&good, host, AcrTokenKind::Access).is_ok());
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
