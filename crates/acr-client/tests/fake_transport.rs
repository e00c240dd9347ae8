//! The client against a scripted transport: request shapes, error mapping, the token cache and
//! single-flight, retries with backoff, and refusing foreign origins.
#![cfg(not(target_arch = "wasm32"))]

use acr_client::{
    collect_all, transport::fake::json_response, ClientError, ClientOptions, Credential,
    FakeTransport, HttpRequest, HttpResponse, RegistryClient, StaticEntraToken, TransportError,
};
use acr_types::{AttributesPatch, Digest, OrderBy, RepositoryName, Secret, TagName};
use base64::Engine as _;
use futures_util::StreamExt;
use serde_json::json;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

const ENDPOINT: &str = "https://console.example/registry/prod";
const LOGIN: &str = "prod.azurecr.io";
const REALM: &str =
    "Bearer realm=\"https://prod.azurecr.io/oauth2/token\",service=\"prod.azurecr.io\"";
const NOW_S: i64 = 1_767_225_600;

fn jwt(claims: serde_json::Value) -> String {
    let b = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!("{}.{}.sig", b(br#"{"alg":"RS256"}"#), b(claims.to_string().as_bytes()))
}

fn form(req: &HttpRequest) -> HashMap<String, String> {
    serde_urlencoded::from_bytes(req.body()).unwrap()
}

fn repo() -> RepositoryName {
    RepositoryName::new("prod/api").unwrap()
}

fn tag() -> TagName {
    TagName::new("1.0").unwrap()
}

fn tag_body(write: bool) -> serde_json::Value {
    json!({"registry": LOGIN, "imageName": "prod/api", "tag": {
        "name": "1.0", "digest": format!("sha256:{}", "a".repeat(64)),
        "createdTime": "2026-01-01T00:00:00.0000000Z", "lastUpdateTime": "2026-01-01T00:00:00.0000000Z",
        "signed": false,
        "changeableAttributes": {"deleteEnabled": true, "writeEnabled": write, "readEnabled": true, "listEnabled": true}}})
}

/// A registry that issues tokens (lifetime `ttl` s) granting what was asked, and answers data
/// requests with `data`.
fn registry(
    ttl: i64,
    data: impl Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync + 'static,
) -> FakeTransport {
    FakeTransport::new(move |req| {
        let path = req.uri().path();
        if path.ends_with("/oauth2/exchange") {
            let f = form(req);
            assert_eq!(f["grant_type"], "access_token");
            assert_eq!(f["service"], LOGIN);
            return Ok(json_response(
                200,
                &json!({"refresh_token": jwt(json!({"exp": NOW_S + 10_800}))}),
                &[],
            ));
        }
        if path.ends_with("/oauth2/token") {
            let f = form(req);
            let access: Vec<_> = f["scope"]
                .split(' ')
                .map(|s| {
                    let e = acr_types::AccessEntry::parse_scope(s).unwrap();
                    json!({"type": e.kind, "name": e.name, "actions": e.actions})
                })
                .collect();
            return Ok(json_response(
                200,
                &json!({"access_token": jwt(json!({"exp": NOW_S + ttl, "access": access}))}),
                &[],
            ));
        }
        data(req)
    })
}

fn client_with(
    t: &FakeTransport,
    credential: Credential,
    options: ClientOptions,
) -> RegistryClient {
    RegistryClient::new(Arc::new(t.clone()), ENDPOINT, LOGIN, credential, options).unwrap()
}

fn entra() -> Credential {
    Credential::Entra(Arc::new(StaticEntraToken(Secret::new("entra-token-value"))))
}

fn client(t: &FakeTransport) -> RegistryClient {
    client_with(t, entra(), ClientOptions::default())
}

fn count(t: &FakeTransport, needle: &str) -> usize {
    t.request_lines().iter().filter(|l| l.contains(needle)).count()
}

#[tokio::test]
async fn requests_have_acr_shapes() {
    let t = registry(4500, |_| Ok(json_response(200, &tag_body(false), &[])));
    let c = client(&t);
    let patch = AttributesPatch { write_enabled: Some(false), ..Default::default() };
    let out = c.update_tag_attributes(&repo(), &tag(), &patch).await.unwrap();
    assert!(!out.tag.changeable_attributes.write_enabled);

    let reqs = t.requests();
    assert_eq!(reqs.len(), 3, "{:?}", t.request_lines());
    let exchange = form(&reqs[0]);
    assert_eq!(reqs[0].uri().to_string(), "https://console.example/registry/prod/oauth2/exchange");
    assert_eq!(exchange["access_token"], "entra-token-value");
    let token = form(&reqs[1]);
    assert_eq!(reqs[1].uri().to_string(), "https://console.example/registry/prod/oauth2/token");
    assert_eq!(token["grant_type"], "refresh_token");
    assert_eq!(token["service"], LOGIN);
    assert_eq!(token["scope"], "repository:prod/api:pull,metadata_read,metadata_write,delete");
    let p = &reqs[2];
    assert_eq!(p.method(), "PATCH");
    assert_eq!(
        p.uri().to_string(),
        "https://console.example/registry/prod/acr/v1/prod%2Fapi/_tags/1.0"
    );
    assert_eq!(p.body().as_slice(), br#"{"writeEnabled":false}"#);
    assert_eq!(p.headers()["content-type"], "application/json");
    assert!(p.headers()["authorization"].to_str().unwrap().starts_with("Bearer ey"));
}

#[tokio::test]
async fn tokens_are_cached_per_repository_until_shortly_before_exp() {
    let t = registry(600, |_| Ok(json_response(200, &tag_body(true), &[])));
    let c = client(&t);
    for _ in 0..3 {
        c.get_tag_properties(&repo(), &tag()).await.unwrap();
    }
    assert_eq!((count(&t, "/oauth2/exchange"), count(&t, "/oauth2/token")), (1, 1));
    // Still fresh: 600 s life, retired at most a fifth early.
    t.advance(Duration::from_secs(470));
    c.get_tag_properties(&repo(), &tag()).await.unwrap();
    assert_eq!(count(&t, "/oauth2/token"), 1);
    t.advance(Duration::from_secs(20));
    c.get_tag_properties(&repo(), &tag()).await.unwrap();
    assert_eq!((count(&t, "/oauth2/exchange"), count(&t, "/oauth2/token")), (1, 2));
    // Another repository needs its own token, not another exchange.
    let other = RepositoryName::new("prod/web").unwrap();
    c.get_tag_properties(&other, &tag()).await.unwrap();
    assert_eq!((count(&t, "/oauth2/exchange"), count(&t, "/oauth2/token")), (1, 3));
}

#[tokio::test]
async fn concurrent_requests_share_one_token_request() {
    let t = registry(4500, |_| Ok(json_response(200, &tag_body(true), &[])));
    let c = client(&t);
    let (r, tg) = (repo(), tag());
    let calls: Vec<_> = (0..8).map(|_| c.get_tag_properties(&r, &tg)).collect();
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!((count(&t, "/oauth2/exchange"), count(&t, "/oauth2/token")), (1, 1));
    assert_eq!(count(&t, "GET /registry/prod/acr/v1/prod%2Fapi/_tags/1.0"), 8);
}

#[tokio::test]
async fn invalid_token_is_retried_once_then_sign_in_is_required() {
    let fails = Arc::new(Mutex::new(1));
    let f = fails.clone();
    let t = registry(4500, move |_| {
        let mut left = f.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            let c = format!("{REALM},error=\"invalid_token\"");
            return Ok(json_response(
                401,
                &json!({"errors": [{"code": "UNAUTHORIZED", "message": "x"}]}),
                &[("www-authenticate", &c)],
            ));
        }
        Ok(json_response(200, &tag_body(true), &[]))
    });
    let c = client(&t);
    c.get_tag_properties(&repo(), &tag()).await.unwrap();
    assert_eq!(count(&t, "/oauth2/token"), 2);

    *fails.lock().unwrap() = 5;
    let e = c.get_tag_properties(&repo(), &tag()).await.unwrap_err();
    assert!(matches!(e, ClientError::SignInRequired { .. }), "{e:?}");
}

#[tokio::test]
async fn insufficient_scope_is_permission_denied() {
    let t = registry(4500, |_| {
        let c = format!(
            "{REALM},scope=\"repository:prod/api:metadata_write\",error=\"insufficient_scope\""
        );
        Ok(json_response(
            401,
            &json!({"errors": [{"code": "UNAUTHORIZED", "message": "x"}]}),
            &[("www-authenticate", &c)],
        ))
    });
    let c = client(&t);
    let e =
        c.update_tag_attributes(&repo(), &tag(), &AttributesPatch::default()).await.unwrap_err();
    assert_eq!(
        e,
        ClientError::PermissionDenied {
            action: "change locks".into(),
            resource: "prod/api".into()
        }
    );
    assert_eq!(e.to_string(), "Permission denied: your account may not change locks on prod/api.");
    // The token was fetched for this request: the refusal is the registry's answer, no refetch.
    assert_eq!(count(&t, "/oauth2/token"), 1);
}

/// A registry that refuses `metadata_write` with `insufficient_scope` to every token issued
/// before `granted_from` tokens were (rights granted later, or a batch that left it out).
fn granting_late(granted_from: usize) -> FakeTransport {
    let issued = Arc::new(Mutex::new(0_usize));
    let tokens = issued.clone();
    FakeTransport::new(move |req| {
        let path = req.uri().path();
        if path.ends_with("/oauth2/exchange") {
            return Ok(json_response(
                200,
                &json!({"refresh_token": jwt(json!({"exp": NOW_S + 10_800}))}),
                &[],
            ));
        }
        if path.ends_with("/oauth2/token") {
            let mut n = tokens.lock().unwrap();
            *n += 1;
            let token = jwt(json!({"exp": NOW_S + 4500, "n": *n}));
            return Ok(json_response(200, &json!({ "access_token": token }), &[]));
        }
        let bearer = req.headers()["authorization"].to_str().unwrap().to_owned();
        let n: usize = (1..=*issued.lock().unwrap())
            .find(|n| bearer == format!("Bearer {}", jwt(json!({"exp": NOW_S + 4500, "n": n}))))
            .unwrap();
        if req.method() == http::Method::PATCH && n < granted_from {
            let c = format!(
                "{REALM},scope=\"repository:prod/api:metadata_write\",error=\"insufficient_scope\""
            );
            return Ok(json_response(401, &json!({"errors": []}), &[("www-authenticate", &c)]));
        }
        Ok(json_response(200, &tag_body(true), &[]))
    })
}

#[tokio::test]
async fn a_cached_token_refused_for_its_own_scope_is_fetched_again_once() {
    // The token cached by a read predates the right: the change gets a new token and succeeds.
    let t = granting_late(2);
    let c = client(&t);
    c.get_tag_properties(&repo(), &tag()).await.unwrap();
    let patch = AttributesPatch { write_enabled: Some(false), ..Default::default() };
    c.update_tag_attributes(&repo(), &tag(), &patch).await.unwrap();
    assert_eq!(count(&t, "/oauth2/token"), 2);
    assert_eq!(count(&t, "PATCH"), 2);
    // Never granted: one new token, then the refusal stands.
    let t = granting_late(usize::MAX);
    let c = client(&t);
    c.get_tag_properties(&repo(), &tag()).await.unwrap();
    let e = c.update_tag_attributes(&repo(), &tag(), &patch).await.unwrap_err();
    assert!(matches!(e, ClientError::PermissionDenied { .. }), "{e:?}");
    assert_eq!((count(&t, "/oauth2/token"), count(&t, "PATCH")), (2, 2));
}

#[tokio::test]
async fn a_403_keeps_the_registrys_words_and_never_asks_to_sign_in_again() {
    let denied = json!({"errors": [{"code": "DENIED",
        "message": "client with IP '203.0.113.9' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."}]});
    for path in ["/oauth2/exchange", "/oauth2/token", "/acr/v1/"] {
        let body = denied.clone();
        let t = FakeTransport::new(move |req| {
            let here = req.uri().path();
            Ok(if here.contains(path) {
                json_response(403, &body, &[])
            } else if here.ends_with("/oauth2/exchange") {
                json_response(
                    200,
                    &json!({"refresh_token": jwt(json!({"exp": NOW_S + 10_800}))}),
                    &[],
                )
            } else if here.ends_with("/oauth2/token") {
                json_response(200, &json!({"access_token": jwt(json!({"exp": NOW_S + 4500}))}), &[])
            } else {
                json_response(200, &tag_body(true), &[])
            })
        });
        let e = client(&t).get_tag_properties(&repo(), &tag()).await.unwrap_err();
        let ClientError::Forbidden { registry, code, message, .. } = &e else {
            panic!("{path}: {e:?}")
        };
        assert_eq!((registry.as_str(), code.as_deref()), (LOGIN, Some("DENIED")), "{path}");
        assert!(message.as_deref().unwrap_or_default().contains("203.0.113.9"), "{path}: {e}");
        assert!(e.to_string().contains("203.0.113.9"), "{path}: {e}");
    }
}

#[tokio::test]
async fn an_empty_answer_to_a_change_is_read_back_with_a_get() {
    let t = registry(4500, |req| {
        Ok(if req.method() == http::Method::PATCH {
            http::Response::builder().status(200).body(Vec::new()).unwrap()
        } else {
            let path = req.uri().path();
            if path.contains("/_tags/") {
                json_response(200, &tag_body(false), &[])
            } else if path.contains("/_manifests/") {
                json_response(200, &manifest_body(), &[])
            } else {
                json_response(200, &repository_body(), &[])
            }
        })
    });
    let c = client(&t);
    let patch = AttributesPatch { write_enabled: Some(false), ..Default::default() };
    let tag_now = c.update_tag_attributes(&repo(), &tag(), &patch).await.unwrap();
    assert!(!tag_now.tag.changeable_attributes.write_enabled);
    let digest = Digest::new(format!("sha256:{}", "a".repeat(64))).unwrap();
    let m = c.update_manifest_properties(&repo(), &digest, &patch).await.unwrap();
    assert_eq!(m.manifest.digest, digest);
    let r = c.update_repository_properties(&repo(), &patch).await.unwrap();
    assert_eq!(r.image_name, repo());
    assert_eq!((count(&t, "PATCH"), count(&t, "GET")), (3, 3), "{:#?}", t.request_lines());
}

fn manifest_body() -> serde_json::Value {
    json!({"registry": LOGIN, "imageName": "prod/api", "manifest": {
        "digest": format!("sha256:{}", "a".repeat(64)),
        "createdTime": "2026-01-01T00:00:00.0000000Z", "lastUpdateTime": "2026-01-01T00:00:00.0000000Z",
        "changeableAttributes": {"deleteEnabled": true, "writeEnabled": false, "readEnabled": true, "listEnabled": true}}})
}

fn repository_body() -> serde_json::Value {
    json!({"registry": LOGIN, "imageName": "prod/api",
        "createdTime": "2026-01-01T00:00:00.0000000Z", "lastUpdateTime": "2026-01-01T00:00:00.0000000Z",
        "manifestCount": 1, "tagCount": 1,
        "changeableAttributes": {"deleteEnabled": true, "writeEnabled": false, "readEnabled": true, "listEnabled": true}})
}

#[tokio::test]
async fn answers_map_to_errors_a_user_can_act_on() {
    type Check = Box<dyn Fn(&ClientError) -> bool>;
    let cases: Vec<(u16, serde_json::Value, Check)> = vec![
        (
            404,
            json!({"errors": [{"code": "TAG_UNKNOWN", "message": "the specified tag does not exist"}]}),
            Box::new(
                |e| matches!(e, ClientError::NotFound { code, what } if code == "TAG_UNKNOWN" && what == "prod/api:1.0"),
            ),
        ),
        (
            405,
            json!({"errors": [{"code": "REGISTRY_DISALLOWED_OPERATION", "message": "x", "detail": {}}]}),
            Box::new(|e| matches!(e, ClientError::Disallowed { what } if what == "prod/api:1.0")),
        ),
        (
            403,
            json!({"errors": [{"code": "DENIED", "message": "client with IP not allowed"}]}),
            Box::new(
                |e| matches!(e, ClientError::Forbidden { code: Some(c), message: Some(m), .. } if c == "DENIED" && m == "client with IP not allowed"),
            ),
        ),
        (
            500,
            json!({"errors": [{"code": "INTERNAL", "message": "boom\u{7}"}]}),
            Box::new(
                |e| matches!(e, ClientError::Unexpected { status: Some(500), message, .. } if message.contains("boom") && !message.contains('\u{7}')),
            ),
        ),
        (
            200,
            json!({"errors": [{"code": "UNAUTHORIZED", "message": "surprise"}]}),
            Box::new(
                |e| matches!(e, ClientError::Unexpected { status: Some(200), code: Some(c), .. } if c == "UNAUTHORIZED"),
            ),
        ),
    ];
    for (status, body, check) in cases {
        let b = body.clone();
        let t = registry(4500, move |_| Ok(json_response(status, &b, &[])));
        let e = client(&t).delete_tag(&repo(), &tag()).await.err();
        let e = match (status, e) {
            (200, None) => client(&t).get_tag_properties(&repo(), &tag()).await.unwrap_err(),
            (_, Some(e)) => e,
            (_, None) => panic!("{status} succeeded"),
        };
        assert!(check(&e), "{status}: {e:?}");
        assert!(e.to_string().ends_with('.'), "one sentence: {e}");
    }
}

#[tokio::test]
async fn throttling_is_retried_with_retry_after_then_reported() {
    let hits = Arc::new(Mutex::new(0));
    let h = hits.clone();
    let t = registry(4500, move |_| {
        let mut n = h.lock().unwrap();
        *n += 1;
        if *n <= 2 {
            return Ok(json_response(
                429,
                &json!({"errors": [{"code": "TOOMANYREQUESTS", "message": "slow"}]}),
                &[("retry-after", "3")],
            ));
        }
        Ok(json_response(200, &tag_body(true), &[]))
    });
    let c = client(&t);
    c.get_tag_properties(&repo(), &tag()).await.unwrap();
    assert_eq!(t.sleeps(), vec![Duration::from_secs(3), Duration::from_secs(3)]);

    // Always throttled: a bounded number of retries with growing, capped, jittered backoff.
    let t = registry(4500, |_| Ok(json_response(429, &json!({"errors": []}), &[])));
    let opts = ClientOptions { max_retries: 5, ..ClientOptions::default() };
    let c = client_with(&t, entra(), opts.clone());
    let e = c.get_tag_properties(&repo(), &tag()).await.unwrap_err();
    assert_eq!(e, ClientError::Throttled { retry_after: None });
    let sleeps = t.sleeps();
    assert_eq!(sleeps.len(), 5);
    for (i, s) in sleeps.iter().enumerate() {
        let cap = (opts.backoff_base * (1 << i)).min(opts.backoff_max);
        assert!(*s >= cap / 2 && *s <= cap, "sleep {i}: {s:?} vs cap {cap:?}");
    }
    assert_eq!(count(&t, "_tags/1.0"), 6);

    // 503 is retried too, then reported as the registry's load, like a throttle.
    let t = registry(4500, |_| {
        Ok(json_response(
            503,
            &json!({"errors": [{"code": "SERVICE_UNAVAILABLE", "message": "down"}]}),
            &[],
        ))
    });
    let e = client(&t).get_tag_properties(&repo(), &tag()).await.unwrap_err();
    assert_eq!(e, ClientError::Throttled { retry_after: None });
}

/// The view a bulk run uses returns a throttle at once, with its `Retry-After`, so the run can
/// pace itself and say so; it shares the client's tokens (no second token request).
#[tokio::test]
async fn without_retries_a_throttle_comes_back_at_once_and_tokens_are_shared() {
    let hits = Arc::new(Mutex::new(0));
    let h = hits.clone();
    let t = registry(4500, move |req| {
        if req.method() == http::Method::PATCH {
            *h.lock().unwrap() += 1;
            return Ok(json_response(
                429,
                &json!({"errors": [{"code": "TOOMANYREQUESTS", "message": "slow"}]}),
                &[("retry-after", "12")],
            ));
        }
        Ok(json_response(200, &tag_body(true), &[]))
    });
    let c = client(&t);
    c.get_tag_properties(&repo(), &tag()).await.unwrap();
    let bulk = c.without_retries();
    let patch = AttributesPatch { write_enabled: Some(false), ..Default::default() };
    let e = bulk.update_tag_attributes(&repo(), &tag(), &patch).await.unwrap_err();
    assert_eq!(e, ClientError::Throttled { retry_after: Some(Duration::from_secs(12)) });
    assert_eq!(*hits.lock().unwrap(), 1, "sent once, not retried");
    assert!(t.sleeps().is_empty(), "no wait inside the client");
    assert_eq!(count(&t, "/oauth2/token"), 1, "the view used the client's token");
    // The original client still retries.
    assert!(c.options().max_retries > 0);
}

#[tokio::test]
async fn gateway_failures_retry_reads_but_not_writes() {
    for status in [502, 504] {
        let hits = Arc::new(Mutex::new(0));
        let h = hits.clone();
        let t = registry(4500, move |req| {
            let mut n = h.lock().unwrap();
            *n += 1;
            Ok(if *n == 1 || req.method() == http::Method::PATCH {
                json_response(status, &json!({"errors": []}), &[])
            } else {
                json_response(200, &tag_body(true), &[])
            })
        });
        let c = client(&t);
        c.get_tag_properties(&repo(), &tag()).await.unwrap();
        assert_eq!(count(&t, "GET /registry/prod/acr/v1/prod%2Fapi/_tags/1.0"), 2, "{status}");
        let e = c
            .update_tag_attributes(&repo(), &tag(), &AttributesPatch::default())
            .await
            .unwrap_err();
        assert!(matches!(e, ClientError::Unexpected { status: Some(s), .. } if s == status));
        assert_eq!(count(&t, "PATCH"), 1, "a change is never repeated after {status}");
    }
}

#[tokio::test]
async fn network_failures_retry_reads_but_not_writes() {
    let t = registry(4500, |_| Err(TransportError::new("connection refused")));
    let c = client(&t);
    let e = c.get_tag_properties(&repo(), &tag()).await.unwrap_err();
    assert_eq!(e, ClientError::Network { message: "connection refused".into() });
    assert_eq!(count(&t, "GET /registry/prod/acr/v1/prod%2Fapi/_tags/1.0"), 5);
    let e =
        c.update_tag_attributes(&repo(), &tag(), &AttributesPatch::default()).await.unwrap_err();
    assert!(matches!(e, ClientError::Network { .. }));
    assert_eq!(count(&t, "PATCH"), 1);
}

fn tag_page(names: &[&str]) -> serde_json::Value {
    let tags: Vec<_> = names
        .iter()
        .map(|n| {
            let mut b = tag_body(true)["tag"].clone();
            b["name"] = json!(n);
            b
        })
        .collect();
    json!({"registry": LOGIN, "imageName": "prod/api", "tags": tags})
}

#[tokio::test]
async fn pages_follow_link_to_the_end_with_progress() {
    let t = registry(4500, |req| {
        let q = req.uri().query().unwrap_or("");
        Ok(if q.contains("last=b") {
            json_response(200, &tag_page(&["c"]), &[])
        } else {
            json_response(
                200,
                &tag_page(&["a", "b"]),
                &[("link", "</acr/v1/prod%2Fapi/_tags?last=b&n=2&orderby=timedesc>; rel=\"next\"")],
            )
        })
    });
    let c = client_with(&t, entra(), ClientOptions { page_size: 2, ..ClientOptions::default() });
    let mut progress = Vec::new();
    let all =
        collect_all(c.list_tags(&repo(), OrderBy::TimeDesc), |n| progress.push(n)).await.unwrap();
    let names: Vec<_> = all.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(progress, [2, 3]);
    assert_eq!(
        t.request_lines()[2..],
        [
            "GET /registry/prod/acr/v1/prod%2Fapi/_tags?n=2&orderby=timedesc".to_owned(),
            "GET /registry/prod/acr/v1/prod%2Fapi/_tags?last=b&n=2&orderby=timedesc".to_owned()
        ]
    );
}

#[tokio::test]
async fn foreign_links_and_realms_are_refused_never_followed() {
    for link in [
        "<https://evil.example/acr/v1/prod%2Fapi/_tags?last=b>; rel=\"next\"",
        "<//evil.example/acr/v1/_tags>; rel=\"next\"",
        "</acr/v1/other/_tags?last=b>; rel=\"next\"",
        "<garbage",
    ] {
        let l = link.to_owned();
        let t = registry(4500, move |_| Ok(json_response(200, &tag_page(&["a"]), &[("link", &l)])));
        let c = client(&t);
        let mut pages = c.list_tags(&repo(), OrderBy::None);
        let e = pages.next().await.unwrap().unwrap_err();
        // Pointed elsewhere is its own error; a link that cannot be read is just unexpected.
        let misdirected = matches!(e, ClientError::Misdirected { .. });
        assert_eq!(misdirected, !link.starts_with("<garbage"), "{link}: {e:?}");
        assert!(pages.next().await.is_none());
        assert!(t.requests().iter().all(|r| r.uri().host() == Some("console.example")));
    }
    // A challenge whose realm is elsewhere: no token goes there.
    let t = registry(4500, |_| {
        Ok(json_response(401, &json!({"errors": []}), &[("www-authenticate", "Bearer realm=\"https://evil.example/oauth2/token\",service=\"prod.azurecr.io\",error=\"invalid_token\"")]))
    });
    let e = client(&t).get_tag_properties(&repo(), &tag()).await.unwrap_err();
    assert!(matches!(e, ClientError::Misdirected { .. }), "{e:?}");
    assert!(e.to_string().contains("another origin"), "{e}");
    assert!(t.requests().iter().all(|r| r.uri().host() == Some("console.example")));
    assert_eq!(count(&t, "/oauth2/token"), 1);
}

#[tokio::test]
async fn a_page_that_repeats_forever_is_stopped() {
    let t = registry(4500, |_| {
        Ok(json_response(
            200,
            &tag_page(&["a"]),
            &[("link", "</acr/v1/prod%2Fapi/_tags?last=a&n=1&orderby=>; rel=\"next\"")],
        ))
    });
    let c = client(&t);
    let e = collect_all(c.list_tags(&repo(), OrderBy::None), |_| {}).await.unwrap_err();
    assert!(e.to_string().contains("same next page"), "{e}");
    assert!(count(&t, "_tags?") <= 3);
}

#[tokio::test]
async fn password_and_anonymous_grants() {
    let t = registry(4500, |_| Ok(json_response(200, &tag_body(true), &[])));
    let c = client_with(
        &t,
        Credential::Password { username: "ci-readonly".into(), password: Secret::new("pw-secret") },
        ClientOptions::default(),
    );
    c.get_tag_properties(&repo(), &tag()).await.unwrap();
    let f = form(&t.requests()[0]);
    assert_eq!(
        (f["grant_type"].as_str(), f["username"].as_str(), f["password"].as_str()),
        ("password", "ci-readonly", "pw-secret")
    );
    assert_eq!(count(&t, "exchange"), 0);
    assert!(!format!("{c:?}").contains("pw-secret"));

    let t = registry(4500, |_| Ok(json_response(200, &tag_body(true), &[])));
    client_with(&t, Credential::Anonymous, ClientOptions::default())
        .get_tag_properties(&repo(), &tag())
        .await
        .unwrap();
    let f = form(&t.requests()[0]);
    assert_eq!((f["grant_type"].as_str(), f["refresh_token"].as_str()), ("password", ""));
}

#[tokio::test]
async fn tokens_that_are_not_jwts_are_used_with_unknown_rights_and_never_printed() {
    // ACR, not the client, enforces what a token allows: an opaque token is sent as it came,
    // the rights it carries are unknown, and neither token reaches an error or `Debug`.
    let t = FakeTransport::new(|req| {
        let path = req.uri().path();
        Ok(if path.ends_with("exchange") {
            json_response(200, &json!({"refresh_token": "opaque-refresh-secret"}), &[])
        } else if path.ends_with("oauth2/token") {
            assert_eq!(form(req)["refresh_token"], "opaque-refresh-secret");
            json_response(200, &json!({"access_token": "opaque-access-secret"}), &[])
        } else {
            let auth = req.headers()["authorization"].to_str().unwrap();
            assert_eq!(auth, "Bearer opaque-access-secret");
            json_response(200, &tag_body(false), &[])
        })
    });
    let c = client(&t);
    let read = c.get_tag_properties(&repo(), &tag()).await.unwrap();
    assert!(!read.tag.changeable_attributes.write_enabled);
    assert_eq!(c.repository_permissions(&repo()).await.unwrap(), acr_client::Permissions::UNKNOWN);
    assert!(!format!("{c:?}").contains("opaque"));
    // The guessed lifetime holds: reading again asks for no new token.
    c.get_tag_properties(&repo(), &tag()).await.unwrap();
    assert_eq!(count(&t, "oauth2/token"), 1);

    // An answer without any token is still an error, and says what was missing.
    let t = FakeTransport::new(|req| {
        Ok(if req.uri().path().ends_with("exchange") {
            json_response(200, &json!({"refresh_token": "opaque-secret-value"}), &[])
        } else {
            json_response(200, &json!({}), &[])
        })
    });
    let e = client(&t).get_tag_properties(&repo(), &tag()).await.unwrap_err();
    assert!(e.to_string().contains("did not contain an access token"), "{e}");
    assert!(!format!("{e:?}{e}").contains("opaque-secret-value"));
}

#[tokio::test]
async fn the_recorded_version_2_token_is_read_with_its_grants() {
    // The claims of spec/acr/recordings/auth_exchange_and_token.json, `exp` moved to the future.
    let recorded: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../spec/acr/recordings/auth_exchange_and_token.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let shifted = |mut claims: serde_json::Value| {
        let life = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
        claims["exp"] = json!(NOW_S + life);
        claims
    };
    let refresh = shifted(recorded["exchange"]["response"]["refresh_token_claims"].clone());
    let access = shifted(recorded["token"]["response"]["access_token_claims"].clone());
    assert_eq!(access["version"], "2.0");
    let t = FakeTransport::new(move |req| {
        Ok(if req.uri().path().ends_with("exchange") {
            json_response(200, &json!({"refresh_token": jwt(refresh.clone())}), &[])
        } else {
            json_response(200, &json!({"access_token": jwt(access.clone())}), &[])
        })
    });
    let repo = RepositoryName::new("repoa4a73b86").unwrap();
    let p = client(&t).repository_permissions(&repo).await.unwrap();
    assert_eq!(p, acr_client::Permissions { read: true, write: false, delete: false, known: true });
}

#[tokio::test]
async fn permissions_come_from_granted_access() {
    let t = FakeTransport::new(|req| {
        Ok(if req.uri().path().ends_with("exchange") {
            json_response(200, &json!({"refresh_token": jwt(json!({"exp": NOW_S + 100}))}), &[])
        } else {
            let access = json!([{"type": "repository", "name": "prod/api", "actions": ["pull", "metadata_read"]}]);
            json_response(
                200,
                &json!({"access_token": jwt(json!({"exp": NOW_S + 100, "access": access}))}),
                &[],
            )
        })
    });
    let p = client(&t).repository_permissions(&repo()).await.unwrap();
    assert_eq!(p, acr_client::Permissions { read: true, write: false, delete: false, known: true });
}

#[tokio::test]
async fn manifest_delete_goes_to_v2_by_digest() {
    let t = registry(4500, |_| Ok(HttpResponse::new(Vec::new())));
    let d = Digest::new(format!("sha256:{}", "b".repeat(64))).unwrap();
    client(&t).delete_manifest(&repo(), &d).await.unwrap();
    assert_eq!(
        t.request_lines().last().unwrap(),
        &format!("DELETE /registry/prod/v2/prod/api/manifests/{d}")
    );
}

#[test]
fn the_crate_has_no_ui_dependency_outside_its_fetch_transport() {
    let root = env!("CARGO_MANIFEST_DIR");
    let manifest: String = std::fs::read_to_string(format!("{root}/Cargo.toml"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let (common, wasm_only) =
        manifest.split_once("[target.'cfg(target_arch = \"wasm32\")'.dependencies]").unwrap();
    let wasm_only = wasm_only.split("\n[").next().unwrap();
    for forbidden in ["leptos", "web-sys", "gloo", "js-sys", "wasm-bindgen"] {
        let deps = common.split("[dev-dependencies]").next().unwrap();
        assert!(!deps.contains(forbidden), "{forbidden} is a dependency of acr-client");
    }
    assert!(!manifest.contains("leptos"));
    assert!(wasm_only.contains("gloo-net"));
    let mut stack = vec![std::path::PathBuf::from(format!("{root}/src"))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.ends_with("transport/fetch.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for forbidden in ["web_sys", "gloo_", "js_sys", "leptos", "wasm_bindgen"] {
                assert!(!text.contains(forbidden), "{} uses {forbidden}", path.display());
            }
        }
    }
}

#[tokio::test]
async fn a_page_of_repositories_shares_one_token_request() {
    let t = registry(4500, |req| {
        let name = req.uri().path().rsplit('/').next().unwrap_or_default().replace("%2F", "/");
        Ok(json_response(
            200,
            &json!({"registry": LOGIN, "imageName": name,
                "createdTime": "2026-01-01T00:00:00.0000000Z", "lastUpdateTime": "2026-01-01T00:00:00.0000000Z",
                "manifestCount": 1, "tagCount": 1,
                "changeableAttributes": {"deleteEnabled": true, "writeEnabled": true, "readEnabled": true, "listEnabled": true}}),
            &[],
        ))
    });
    let c = client(&t);
    let repos: Vec<_> =
        (0..25).map(|i| RepositoryName::new(format!("team/app-{i:02}")).unwrap()).collect();
    // 25 repositories: two token requests (20 + 5 scopes), one exchange.
    assert_eq!(c.prefetch_repository_tokens(&repos).await.unwrap(), 25);
    assert_eq!((count(&t, "/oauth2/exchange"), count(&t, "/oauth2/token")), (1, 2));
    let scopes: Vec<usize> = t
        .requests()
        .iter()
        .filter(|r| r.uri().path().ends_with("/oauth2/token"))
        .map(|r| form(r)["scope"].split(' ').count())
        .collect();
    assert_eq!(scopes, [acr_client::TOKEN_BATCH, 25 - acr_client::TOKEN_BATCH]);
    // Reading each of them costs one request and no further token.
    for r in &repos {
        c.get_repository_properties(r).await.unwrap();
        let rights = c.repository_permissions(r).await.unwrap();
        assert!(rights.read && rights.write && rights.delete, "{r}: {rights:?}");
    }
    assert_eq!(count(&t, "/oauth2/token"), 2, "{:#?}", t.request_lines());
    assert_eq!(count(&t, "GET /registry/prod/acr/v1/team%2Fapp-"), 25);
    // Fresh tokens are not fetched again.
    assert_eq!(c.prefetch_repository_tokens(&repos).await.unwrap(), 0);
    assert_eq!(count(&t, "/oauth2/token"), 2);
}

#[tokio::test]
async fn a_batched_token_serves_only_the_repositories_it_grants() {
    // The registry grants only `team/app-0*` of what a batch asks (as ACR may, silently): the
    // others get no token from the batch, fetch their own and get their own rights.
    let t = FakeTransport::new(|req| {
        let path = req.uri().path();
        if path.ends_with("/oauth2/exchange") {
            return Ok(json_response(
                200,
                &json!({"refresh_token": jwt(json!({"exp": NOW_S + 10_800}))}),
                &[],
            ));
        }
        if path.ends_with("/oauth2/token") {
            let scope = form(req)["scope"].clone();
            let access: Vec<_> = scope
                .split(' ')
                .map(|s| acr_types::AccessEntry::parse_scope(s).unwrap())
                .filter(|e| e.name.starts_with("team/app-0") || !scope.contains(' '))
                .map(|e| json!({"Type": e.kind, "Name": e.name, "Actions": e.actions}))
                .collect();
            return Ok(json_response(
                200,
                &json!({"access_token": jwt(json!({"exp": NOW_S + 4500, "access": access}))}),
                &[],
            ));
        }
        Ok(json_response(404, &json!({"errors": []}), &[]))
    });
    let c = client(&t);
    let repos: Vec<_> =
        (0..12).map(|i| RepositoryName::new(format!("team/app-{i:02}")).unwrap()).collect();
    assert_eq!(c.prefetch_repository_tokens(&repos).await.unwrap(), 10, "app-00 … app-09");
    assert_eq!(count(&t, "/oauth2/token"), 1);
    for r in &repos {
        let rights = c.repository_permissions(r).await.unwrap();
        assert!(rights.write && rights.known, "{r}: its own token grants it: {rights:?}");
    }
    assert_eq!(count(&t, "/oauth2/token"), 3, "app-10 and app-11 fetched their own");
}
