//! The emulator over real sockets: the whole sign-in and token flow over HTTP on 127.0.0.1:0, the
//! built-in demo data, HTTPS with a given certificate, and the scale generator.

use acr_emulator::{
    config::{Config, DataSource, TlsFiles},
    seed::Generate,
};
use base64::Engine as _;
use reqwest::{redirect::Policy, StatusCode};
use sha2::Digest as _;

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a JWT's payload with plain, padded standard base64, as simple clients do.
fn claims(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).unwrap();
    assert!(!payload.contains('-') && !payload.contains('_'), "payload is plain base64");
    let bytes = base64::engine::general_purpose::STANDARD.decode(payload).expect("plain base64");
    serde_json::from_slice(&bytes).unwrap()
}

/// Every page of a list, following `Link` (relative to the registry root).
async fn all_pages(
    c: &reqwest::Client,
    base: &str,
    first: &str,
    token: &str,
    key: &str,
) -> (Vec<String>, usize) {
    let (mut out, mut pages, mut next) = (Vec::new(), 0, Some(first.to_owned()));
    while let Some(path) = next {
        let res = c.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        next = res.headers().get("link").map(|l| {
            l.to_str().unwrap().split_once('<').unwrap().1.split_once('>').unwrap().0.to_owned()
        });
        let body: serde_json::Value = res.json().await.unwrap();
        for v in body[key].as_array().cloned().unwrap_or_default() {
            out.push(match v {
                serde_json::Value::String(s) => s,
                o => o["name"].as_str().unwrap().to_owned(),
            });
        }
        pages += 1;
    }
    (out, pages)
}

#[tokio::test]
async fn whole_sign_in_and_token_flow_over_http() {
    let running = acr_emulator::spawn(Config::default()).await.unwrap();
    let base = running.base_url.clone();
    let c = client();

    // The authority's discovery document.
    let oidc: serde_json::Value = c
        .get(format!("{base}/demo/v2.0/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let authorize = oidc["authorization_endpoint"].as_str().unwrap().to_owned();
    let token_endpoint = oidc["token_endpoint"].as_str().unwrap().to_owned();
    assert_eq!(authorize, format!("{base}/demo/oauth2/v2.0/authorize"));

    // Authorization code + PKCE (S256), as MSAL.js does.
    let verifier = "n0t-a-real-verifier-but-long-enough-0123456789-abcdefghijklmnop";
    let challenge = b64url(&sha2::Sha256::digest(verifier.as_bytes()));
    let redirect = "http://127.0.0.1:9/callback";
    let page = c
        .get(&authorize)
        .query(&[
            ("client_id", "console"),
            ("response_type", "code"),
            ("redirect_uri", redirect),
            ("scope", "https://containerregistry.azure.net/.default openid profile offline_access"),
            ("state", "s-123"),
            ("nonce", "n-456"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("admin@contoso.example") && html.contains("viewer@contoso.example"));

    let res = c
        .get(&authorize)
        .query(&[
            ("client_id", "console"),
            ("response_type", "code"),
            ("redirect_uri", redirect),
            ("scope", "https://containerregistry.azure.net/.default openid offline_access"),
            ("state", "s-123"),
            ("nonce", "n-456"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("login_hint", "admin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = reqwest::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(redirect));
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "s-123");
    let code = q["code"].clone();

    let tokens: serde_json::Value = c
        .post(&token_endpoint)
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "console"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entra = tokens["access_token"].as_str().expect("access token").to_owned();
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["nonce"], "n-456");

    // Entra token -> ACR refresh token -> ACR access token.
    let service = running.addr.to_string();
    let res = c
        .post(format!("{base}/oauth2/exchange"))
        .form(&[("grant_type", "access_token"), ("service", &service), ("access_token", &entra)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let refresh = res.json::<serde_json::Value>().await.unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(claims(&refresh)["grant_type"], "refresh_token");

    let res = c
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("service", &service),
            ("scope", "registry:catalog:*"),
            ("refresh_token", &refresh),
        ])
        .send()
        .await
        .unwrap();
    let access =
        res.json::<serde_json::Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let cl = claims(&access);
    assert_eq!(cl["access"][0]["Type"], "registry");
    assert_eq!(cl["aud"], service);

    // The challenge's realm is on the server we reached.
    let res = c.get(format!("{base}/acr/v1/_catalog")).send().await.unwrap();
    let challenge = res.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.starts_with(&format!("Bearer realm=\"{base}/oauth2/token\"")), "{challenge}");

    // The demo registry: at least 12 repositories, nested names, every page followed.
    let (repos, _) = all_pages(&c, &base, "/acr/v1/_catalog?n=5", &access, "repositories").await;
    assert!(repos.len() >= 12, "{repos:?}");
    assert!(repos.iter().any(|r| r == "prod/payments/api"));
    assert!(repos.iter().filter(|r| r.matches('/').count() >= 2).count() >= 3);
}

#[tokio::test]
async fn demo_data_has_locks_multi_arch_lists_and_untagged_manifests() {
    let running = acr_emulator::spawn(Config::default()).await.unwrap();
    let s = running.state.store.read().unwrap();
    let mut lists = 0;
    let mut untagged = 0;
    let mut locked = 0;
    for repo in s.repositories.values() {
        let tagged: std::collections::HashSet<_> =
            repo.tags.values().map(|t| t.digest.clone()).collect();
        for (d, m) in &repo.manifests {
            lists += usize::from(!m.references.is_empty());
            untagged += usize::from(!tagged.contains(d));
            locked += usize::from(m.attributes.is_locked());
        }
        locked += repo.tags.values().filter(|t| t.attributes.is_locked()).count();
        locked += usize::from(repo.attributes.is_locked());
    }
    assert!(s.repositories.len() >= 12);
    assert!(lists >= 2, "multi-arch lists: {lists}");
    assert!(untagged >= 2, "untagged manifests: {untagged}");
    assert!(locked >= 4, "locked items: {locked}");
}

#[tokio::test]
async fn serves_https_with_a_given_certificate() {
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let dir = std::env::temp_dir().join(format!("acr-emulator-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert_file, key_file) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_file, cert.cert.pem()).unwrap();
    std::fs::write(&key_file, cert.key_pair.serialize_pem()).unwrap();
    let running = acr_emulator::spawn(Config {
        tls: Some(TlsFiles { cert: cert_file, key: key_file }),
        ..Config::default()
    })
    .await
    .unwrap();
    assert!(running.base_url.starts_with("https://"));
    let c = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let res = c.get(format!("{}/v2/", running.base_url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let challenge = res.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(
        challenge.starts_with(&format!("Bearer realm=\"https://{}/oauth2/token\"", running.addr))
    );
    // Plain HTTP to the TLS port does not get an answer.
    let plain = reqwest::Client::new().get(format!("http://{}/v2/", running.addr)).send().await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn scale_generator_lists_completely() {
    let running = acr_emulator::spawn(Config {
        data: DataSource::Generate(Generate { repos: 10_000, tags: 5_000 }),
        ..Config::default()
    })
    .await
    .unwrap();
    let admin = running.state.users.by_id("admin").unwrap();
    let service = running.addr.to_string();
    let token = acr_emulator::auth::cli_token(
        &running.state.issuer,
        admin,
        "access",
        &service,
        "registry:catalog:* repository:*:*",
    )
    .unwrap();
    let c = client();
    let (repos, pages) =
        all_pages(&c, &running.base_url, "/acr/v1/_catalog?n=1000", &token, "repositories").await;
    assert!(repos.len() >= 10_000, "{}", repos.len());
    assert_eq!(pages, repos.len().div_ceil(1000));
    let mut sorted = repos.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, repos, "sorted and without repeats");
    let (tags, pages) = all_pages(
        &c,
        &running.base_url,
        "/acr/v1/scale%2Fmany-tags/_tags?n=1000&orderby=timedesc",
        &token,
        "tags",
    )
    .await;
    assert_eq!((tags.len(), pages), (5_000, 5));
}
