//! A minimal server for the token-flow tests: just ACR's token endpoints and the demo authority
//! on 127.0.0.1:0, with hand-made users, plus helpers that drive the sign-in (PKCE, codes, the
//! exchange) and read the answers (JWT claims, ACR and Entra errors, challenges).

use acr_emulator::{
    auth::Principal,
    config::Config,
    entra::Sessions,
    error::{ApiError, ChallengeError},
    state::{AppState, Inner, Stats},
    store::Store,
    token::TokenIssuer,
    users::{Grant, User, UserKind, Users},
};
use axum::http::{header, HeaderMap, HeaderValue};
use base64::Engine as _;
use reqwest::{redirect::Policy, StatusCode};
use rsa::signature::Verifier as _;
use serde_json::Value;
use sha2::Digest as _;
use std::{collections::HashMap, sync::Arc};

pub const REDIRECT: &str = "http://127.0.0.1:9/callback";
pub const CLIENT: &str = "console-app";
pub const ACR_SCOPE: &str =
    "https://containerregistry.azure.net/.default openid profile offline_access";

pub fn user(id: &str, kind: UserKind, catalog: bool, grants: &[(&str, &[&str])]) -> User {
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

pub fn users() -> Users {
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

pub fn state(config: Config) -> AppState {
    let issuer = TokenIssuer::new(config.signing_key.as_deref(), config.lifetimes.clone())
        .unwrap()
        .with_format(config.token_format);
    AppState(Arc::new(Inner {
        config,
        store: Arc::new(std::sync::RwLock::new(Store::default())),
        users: users(),
        issuer,
        entra: Sessions::default(),
        stats: Stats::default(),
        write_limit: None,
        saver: None,
    }))
}

/// A running server: `base` is `http://127.0.0.1:PORT`, `host` (the login server) `127.0.0.1:PORT`.
pub struct Server {
    pub base: String,
    pub host: String,
    pub state: AppState,
    pub c: reqwest::Client,
}

pub async fn serve(config: Config) -> Server {
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

pub fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a JWT's payload with plain, padded standard base64, as simple clients do.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    assert!(
        !payload.contains('-') && !payload.contains('_') && payload.len() % 4 == 0,
        "payload is plain base64: {payload}"
    );
    let bytes = base64::engine::general_purpose::STANDARD.decode(payload).expect("plain base64");
    serde_json::from_slice(&bytes).unwrap()
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce(seed: &str) -> (String, String) {
    let verifier = format!("verifier-{seed}-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ");
    let challenge = b64url(&sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

pub fn authorize_params<'a>(
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
pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The form action, hidden inputs and user buttons of the sign-in page.
pub fn parse_page(html: &str) -> (String, Vec<(String, String)>, Vec<String>) {
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
pub fn location_pairs(res: &reqwest::Response) -> (String, HashMap<String, String>) {
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
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A code for `hint` through the `login_hint` shortcut.
    pub async fn code_for(&self, hint: &str, challenge: &str) -> String {
        let res = self
            .c
            .get(self.url("/demo/oauth2/v2.0/authorize"))
            .query(&authorize_params(challenge, &[("login_hint", hint)]))
            .send()
            .await
            .unwrap();
        location_pairs(&res).1["code"].clone()
    }

    pub async fn redeem(&self, code: &str, verifier: &str) -> reqwest::Response {
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
    pub async fn sign_in(&self, hint: &str) -> Value {
        let (verifier, challenge) = pkce(hint);
        let code = self.code_for(hint, &challenge).await;
        let res = self.redeem(&code, &verifier).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    pub async fn exchange(&self, entra: &str) -> reqwest::Response {
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

    pub async fn token(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.c.post(self.url("/oauth2/token")).form(form).send().await.unwrap()
    }

    /// An ACR refresh token for an Entra user, through the authority and the exchange.
    pub async fn acr_refresh(&self, hint: &str) -> String {
        let tokens = self.sign_in(hint).await;
        let res = self.exchange(tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<Value>().await.unwrap()["refresh_token"].as_str().unwrap().to_owned()
    }
}

/// Asserts an ACR JSON error answer and returns its message.
pub async fn acr_error(res: reqwest::Response, status: StatusCode, code: &str) -> String {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()[header::CONTENT_TYPE.as_str()], "application/json; charset=utf-8");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], code, "{body}");
    let m = body["errors"][0]["message"].as_str().unwrap().to_owned();
    assert!(!m.is_empty());
    m
}

/// Asserts an Entra JSON error answer and returns its AADSTS code.
pub async fn entra_error(res: reqwest::Response, error: &str) -> u64 {
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
pub async fn verify_with_jwks(s: &Server, jwt: &str) {
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

pub fn headers(host: &str, authorization: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
    if let Some(a) = authorization {
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(a).unwrap());
    }
    h
}

pub fn challenge_of(r: Result<Principal, ApiError>) -> ChallengeError {
    match r {
        Err(ApiError::Unauthorized { error, .. }) => error,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}
