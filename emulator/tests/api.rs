//! Handler tests on the router in-process: wire shapes, paths with `/` and `%2F`, paging round
//! trips, challenges, lock errors, bad input, CORS, faults and persistence.

mod common;

use acr_emulator::config::{Config, Faults};
use axum::http::{header, Method, StatusCode};
use common::*;
use std::time::Duration;

const JSON: &str = "application/json";

/// `prod/api` with tags 1.0 .. 1.{n-1} on distinct manifests, plus an untagged manifest.
fn state_with_tags(n: u32) -> acr_emulator::AppState {
    let state = empty_state(Config::default());
    for i in 0..n {
        push(&state, "prod/api", &format!("1.{i}"), &image_manifest(i));
    }
    push(&state, "prod/api", &common::digest_of(&image_manifest(9999)), &image_manifest(9999));
    state
}

#[tokio::test]
async fn unauthenticated_requests_get_acr_challenge() {
    let state = state_with_tags(1);
    let res = send(&state, Method::GET, "/acr/v1/_catalog", None, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers().get(header::WWW_AUTHENTICATE).unwrap(),
        "Bearer realm=\"http://registry.test/oauth2/token\",service=\"registry.test\",scope=\"registry:catalog:*\""
    );
    assert_eq!(
        res.headers().get("access-control-expose-headers").unwrap(),
        "Docker-Content-Digest, WWW-Authenticate, Link, X-Ms-Correlation-Request-Id"
    );
    assert!(res.headers().get("x-ms-correlation-request-id").is_some());
    let body = json(res).await;
    assert_eq!(body["errors"][0]["code"], "UNAUTHORIZED");
    assert_eq!(body["errors"][0]["detail"][0]["Type"], "registry");
    assert_eq!(body["errors"][0]["detail"][0]["Name"], "catalog");

    let res = send(&state, Method::GET, "/acr/v1/prod%2Fapi/_tags", None, None).await;
    let c = res.headers().get(header::WWW_AUTHENTICATE).unwrap().to_str().unwrap().to_owned();
    assert!(c.ends_with("scope=\"repository:prod/api:metadata_read\""), "{c}");

    let res = send(&state, Method::GET, "/acr/v1/_catalog", Some("not-a-jwt"), None).await;
    let c = res.headers().get(header::WWW_AUTHENTICATE).unwrap().to_str().unwrap().to_owned();
    assert!(c.ends_with(",error=\"invalid_token\""), "{c}");

    // /v2/ is the scope-less probe.
    let res = send(&state, Method::GET, "/v2/", None, None).await;
    assert_eq!(
        res.headers().get(header::WWW_AUTHENTICATE).unwrap(),
        "Bearer realm=\"http://registry.test/oauth2/token\",service=\"registry.test\""
    );
    let t = admin(&state);
    assert_eq!(send(&state, Method::GET, "/v2/", Some(&t), None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn viewer_cannot_write() {
    let state = state_with_tags(1);
    let t = token(&state, "viewer", "repository:prod/api:metadata_read,metadata_write,delete");
    let res = send(&state, Method::GET, "/acr/v1/prod/api/_tags/1.0", Some(&t), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = send(
        &state,
        Method::PATCH,
        "/acr/v1/prod/api/_tags/1.0",
        Some(&t),
        Some((JSON, r#"{"writeEnabled":false}"#)),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let c = res.headers().get(header::WWW_AUTHENTICATE).unwrap().to_str().unwrap().to_owned();
    assert!(
        c.contains("scope=\"repository:prod/api:metadata_write\",error=\"insufficient_scope\""),
        "{c}"
    );
    let res = send(&state, Method::DELETE, "/acr/v1/prod/api/_tags/1.0", Some(&t), None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn repository_attributes_with_raw_and_encoded_names() {
    let state = state_with_tags(2);
    let t = admin(&state);
    let a = json(send(&state, Method::GET, "/acr/v1/prod/api", Some(&t), None).await).await;
    let b = json(send(&state, Method::GET, "/acr/v1/prod%2Fapi", Some(&t), None).await).await;
    assert_eq!(a, b);
    assert_eq!(a["registry"], HOST);
    assert_eq!(a["imageName"], "prod/api");
    assert_eq!(a["tagCount"], 2);
    assert_eq!(a["manifestCount"], 3);
    let created = a["createdTime"].as_str().unwrap();
    assert!(acr_types::Timestamp::parse(created).is_ok(), "{created}");
    assert_eq!(created.len(), "2021-05-28T17:15:14.4015317Z".len());
    let ca = &a["changeableAttributes"];
    for k in ["deleteEnabled", "writeEnabled", "readEnabled", "listEnabled"] {
        assert_eq!(ca[k], true, "{k}");
    }
    // It decodes into the shared wire type.
    let _: acr_types::RepositoryAttributes = serde_json::from_value(a).unwrap();
}

#[tokio::test]
async fn patch_is_partial_and_returns_the_full_object() {
    let state = state_with_tags(1);
    let t = admin(&state);
    let res = send(
        &state,
        Method::PATCH,
        "/acr/v1/prod/api/_tags/1.0",
        Some(&t),
        Some((JSON, r#"{"writeEnabled":false}"#)),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = json(res).await;
    let ca = &body["tag"]["changeableAttributes"];
    assert_eq!(ca["writeEnabled"], false);
    assert_eq!(ca["deleteEnabled"], true);
    assert_eq!(body["tag"]["name"], "1.0");
    assert_eq!(body["imageName"], "prod/api");
    let _: acr_types::TagAttributes = serde_json::from_value(body).unwrap();

    // The manifest keeps its own flags.
    let tag =
        json(send(&state, Method::GET, "/acr/v1/prod/api/_tags/1.0", Some(&t), None).await).await;
    let digest = tag["tag"]["digest"].as_str().unwrap().replace(':', "%3A");
    let m = json(
        send(
            &state,
            Method::GET,
            &format!("/acr/v1/prod%2Fapi/_manifests/{digest}"),
            Some(&t),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(m["manifest"]["changeableAttributes"]["writeEnabled"], true);
    assert_eq!(m["manifest"]["tags"][0], "1.0");

    // An empty body changes nothing and answers the object.
    let res = send(&state, Method::PATCH, "/acr/v1/prod/api", Some(&t), Some((JSON, ""))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let r = json(res).await;
    assert_eq!(r["changeableAttributes"]["writeEnabled"], true);

    // Each applied change is counted per target, so a client sending one twice shows.
    let changes = state.stats.changes();
    assert_eq!(changes.get("prod/api:1.0"), Some(&1));
    assert_eq!(changes.get("prod/api"), Some(&1));
    assert_eq!(state.stats.to_json()["patched"], 2);
    let res =
        send(&state, Method::PATCH, "/acr/v1/prod/api/_tags/nope", Some(&t), Some((JSON, "{}")))
            .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(state.stats.to_json()["patched"], 2, "a refused change is not counted");
    state.stats.reset();
    assert!(state.stats.changes().is_empty());
}

#[tokio::test]
async fn locked_delete_is_refused_with_acr_body_then_allowed_after_unlock() {
    let state = state_with_tags(1);
    let t = admin(&state);
    let lock = r#"{"writeEnabled":false,"deleteEnabled":false}"#;
    let res =
        send(&state, Method::PATCH, "/acr/v1/prod/api/_tags/1.0", Some(&t), Some((JSON, lock)))
            .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = send(&state, Method::DELETE, "/acr/v1/prod/api/_tags/1.0", Some(&t), None).await;
    let body =
        expect_error(res, StatusCode::METHOD_NOT_ALLOWED, "REGISTRY_DISALLOWED_OPERATION").await;
    assert_eq!(body["errors"][0]["detail"], serde_json::json!({}));
    assert_eq!(body["errors"][0]["message"], acr_types::DISALLOWED_MESSAGE);

    let unlock = r#"{"writeEnabled":true,"deleteEnabled":true}"#;
    send(&state, Method::PATCH, "/acr/v1/prod/api/_tags/1.0", Some(&t), Some((JSON, unlock))).await;
    let res = send(&state, Method::DELETE, "/acr/v1/prod/api/_tags/1.0", Some(&t), None).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(text(res).await, "");
    let res = send(&state, Method::GET, "/acr/v1/prod/api/_tags/1.0", Some(&t), None).await;
    let body = expect_error(res, StatusCode::NOT_FOUND, "TAG_UNKNOWN").await;
    assert!(body["errors"][0].get("detail").is_none());
}

#[tokio::test]
async fn repository_delete_answers_what_it_removed() {
    let state = state_with_tags(2);
    let t = admin(&state);
    let res = send(&state, Method::DELETE, "/acr/v1/prod/api", Some(&t), None).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body = json(res).await;
    assert_eq!(body["manifestsDeleted"].as_array().unwrap().len(), 3);
    assert_eq!(body["tagsDeleted"].as_array().unwrap().len(), 2);
    let res = send(&state, Method::GET, "/acr/v1/prod/api", Some(&t), None).await;
    let body = expect_error(res, StatusCode::NOT_FOUND, "NAME_UNKNOWN").await;
    assert_eq!(body["errors"][0]["detail"]["name"], "prod/api");
    let cat = json(send(&state, Method::GET, "/acr/v1/_catalog", Some(&t), None).await).await;
    assert_eq!(cat, serde_json::json!({"repositories": null}));
}

/// Follows `Link` headers from `first` to the end, returning every page's items under `key`.
async fn walk(
    state: &acr_emulator::AppState,
    t: &str,
    first: &str,
    key: &str,
) -> (Vec<String>, usize) {
    let (mut items, mut pages, mut next) = (Vec::new(), 0, Some(first.to_owned()));
    while let Some(uri) = next {
        let res = send(state, Method::GET, &uri, Some(t), None).await;
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        next = link(&res).map(|l| {
            assert!(l.ends_with(">; rel=\"next\""), "{l}");
            link_url(&l)
        });
        let body = json(res).await;
        pages += 1;
        for v in body[key].as_array().cloned().unwrap_or_default() {
            items.push(match v {
                serde_json::Value::String(s) => s,
                o => o.get("name").or(o.get("digest")).unwrap().as_str().unwrap().to_owned(),
            });
        }
        assert!(pages < 1000, "runaway paging");
    }
    (items, pages)
}

#[tokio::test]
async fn paging_round_trips_in_every_order() {
    let state = state_with_tags(25);
    let t = admin(&state);
    // Lexical order over 3 pages; the Link is exactly ACR's shape.
    let res = send(&state, Method::GET, "/acr/v1/prod%2Fapi/_tags?n=10", Some(&t), None).await;
    assert_eq!(
        link(&res).unwrap(),
        "</acr/v1/prod%2Fapi/_tags?last=1.17&n=10&orderby=>; rel=\"next\""
    );
    let (names, pages) = walk(&state, &t, "/acr/v1/prod%2Fapi/_tags?n=10", "tags").await;
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!((names.len(), pages), (25, 3));
    assert_eq!(names, sorted);

    for order in ["timeasc", "timedesc"] {
        let first = format!("/acr/v1/prod/api/_tags?n=7&orderby={order}");
        let res = send(&state, Method::GET, &first, Some(&t), None).await;
        assert!(link(&res).unwrap().contains(&format!("&n=7&orderby={order}>")));
        let (names, pages) = walk(&state, &t, &first, "tags").await;
        assert_eq!((names.len(), pages), (25, 4), "{order}");
        let mut expect: Vec<String> = (0..25).map(|i| format!("1.{i}")).collect();
        if order == "timedesc" {
            expect.reverse();
        }
        assert_eq!(names, expect, "{order}");
    }

    let (digests, pages) = walk(&state, &t, "/acr/v1/prod/api/_manifests?n=4", "manifests").await;
    assert_eq!((digests.len(), pages), (26, 7));
    let res = send(&state, Method::GET, "/acr/v1/prod/api/_manifests?n=4", Some(&t), None).await;
    assert!(link(&res).unwrap().contains("last=sha256%3A"));
    let (desc, _) =
        walk(&state, &t, "/acr/v1/prod/api/_manifests?n=5&orderby=timedesc", "manifests").await;
    assert_eq!(desc.len(), 26);

    // /v2 tag list and catalogs.
    let (v2, pages) = walk(&state, &t, "/v2/prod/api/tags/list?n=10", "tags").await;
    assert_eq!((v2.len(), pages), (25, 3));
    for i in 0..12 {
        push(&state, &format!("team/svc-{i:02}"), "1", &image_manifest(500 + i));
    }
    let (repos, pages) = walk(&state, &t, "/acr/v1/_catalog?n=5", "repositories").await;
    assert_eq!((repos.len(), pages), (13, 3));
    let (repos2, _) = walk(&state, &t, "/v2/_catalog?n=5", "repositories").await;
    assert_eq!(repos, repos2);
}

#[tokio::test]
async fn page_size_defaults_to_100_and_is_capped_at_1000() {
    let state = state_with_tags(1);
    let t = admin(&state);
    {
        let mut s = state.store.write().unwrap();
        let repo = s.repositories.values().next().unwrap().clone();
        for i in 0..1200 {
            let name = acr_types::RepositoryName::new(format!("bulk/r{i:04}")).unwrap();
            s.repositories.insert(name, repo.clone());
        }
    }
    let res = send(&state, Method::GET, "/acr/v1/_catalog", Some(&t), None).await;
    assert!(link(&res).unwrap().contains("&n=100&"));
    assert_eq!(json(res).await["repositories"].as_array().unwrap().len(), 100);
    let res = send(&state, Method::GET, "/acr/v1/_catalog?n=5000", Some(&t), None).await;
    assert!(link(&res).unwrap().contains("&n=1000&"));
    assert_eq!(json(res).await["repositories"].as_array().unwrap().len(), 1000);
    let res = send(&state, Method::GET, "/acr/v1/_catalog?n=abc", Some(&t), None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn v2_manifests_get_put_delete() {
    let state = state_with_tags(1);
    let t = admin(&state);
    let res = send(&state, Method::GET, "/v2/prod/api/manifests/1.0", Some(&t), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let digest = res.headers().get("docker-content-digest").unwrap().to_str().unwrap().to_owned();
    assert_eq!(
        res.headers().get(header::CONTENT_TYPE).unwrap(),
        acr_types::media_type::DOCKER_MANIFEST
    );
    let content = text(res).await;
    assert_eq!(content, image_manifest(0));
    assert_eq!(digest, common::digest_of(&content));
    let res =
        send(&state, Method::HEAD, &format!("/v2/prod/api/manifests/{digest}"), Some(&t), None)
            .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(text(res).await, "");

    // Push a new tag, then overwrite it while locked.
    let ct = acr_types::media_type::DOCKER_MANIFEST;
    let res = send(
        &state,
        Method::PUT,
        "/v2/prod/api/manifests/2.0",
        Some(&t),
        Some((ct, &image_manifest(42))),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        res.headers().get("docker-content-digest").unwrap(),
        common::digest_of(&image_manifest(42)).as_str()
    );
    send(
        &state,
        Method::PATCH,
        "/acr/v1/prod/api/_tags/2.0",
        Some(&t),
        Some((JSON, r#"{"writeEnabled":false}"#)),
    )
    .await;
    let res = send(
        &state,
        Method::PUT,
        "/v2/prod/api/manifests/2.0",
        Some(&t),
        Some((ct, &image_manifest(43))),
    )
    .await;
    expect_error(res, StatusCode::METHOD_NOT_ALLOWED, "REGISTRY_DISALLOWED_OPERATION").await;

    // Delete needs a digest.
    let res = send(&state, Method::DELETE, "/v2/prod/api/manifests/1.0", Some(&t), None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res =
        send(&state, Method::DELETE, &format!("/v2/prod/api/manifests/{digest}"), Some(&t), None)
            .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let res = send(&state, Method::GET, "/v2/prod/api/manifests/1.0", Some(&t), None).await;
    expect_error(res, StatusCode::NOT_FOUND, "MANIFEST_UNKNOWN").await;

    // A body that is no manifest.
    let res =
        send(&state, Method::PUT, "/v2/prod/api/manifests/3.0", Some(&t), Some((ct, "{\"x\":1}")))
            .await;
    expect_error(res, StatusCode::BAD_REQUEST, "MANIFEST_INVALID").await;
}

#[tokio::test]
async fn bad_input_gets_acr_errors_never_a_panic() {
    let state = state_with_tags(1);
    let t = admin(&state);
    let cases: &[(Method, &str, Option<&str>, StatusCode, &str)] = &[
        (Method::GET, "/acr/v1/Prod/Api", None, StatusCode::BAD_REQUEST, "NAME_INVALID"),
        (Method::GET, "/acr/v1/prod//api/_tags", None, StatusCode::BAD_REQUEST, "NAME_INVALID"),
        (Method::GET, "/acr/v1/%3Cscript%3E/_tags", None, StatusCode::BAD_REQUEST, "NAME_INVALID"),
        (Method::GET, "/acr/v1/prod/api/_tags/.bad", None, StatusCode::BAD_REQUEST, "TAG_INVALID"),
        (
            Method::GET,
            "/acr/v1/prod/api/_manifests/sha256:zz",
            None,
            StatusCode::BAD_REQUEST,
            "DIGEST_INVALID",
        ),
        (
            Method::GET,
            "/acr/v1/prod/api/_manifests/md5:00",
            None,
            StatusCode::BAD_REQUEST,
            "DIGEST_INVALID",
        ),
        (Method::GET, "/acr/v1/nope/_tags", None, StatusCode::NOT_FOUND, "NAME_UNKNOWN"),
        (
            Method::GET,
            "/acr/v1/prod/api/_tags?orderby=sideways",
            None,
            StatusCode::BAD_REQUEST,
            "UNSUPPORTED",
        ),
        (
            Method::GET,
            "/acr/v1/prod/api/_tags?n=0",
            None,
            StatusCode::BAD_REQUEST,
            "PAGINATION_NUMBER_INVALID",
        ),
        (
            Method::GET,
            "/acr/v1/prod/api/_tags?n=%ZZ",
            None,
            StatusCode::BAD_REQUEST,
            "PAGINATION_NUMBER_INVALID",
        ),
        (
            Method::PATCH,
            "/acr/v1/prod/api/_tags/1.0",
            Some("{not json"),
            StatusCode::BAD_REQUEST,
            "UNSUPPORTED",
        ),
        (
            Method::PATCH,
            "/acr/v1/prod/api/_tags/1.0",
            Some(r#"{"writeEnabled":"no"}"#),
            StatusCode::BAD_REQUEST,
            "UNSUPPORTED",
        ),
        (
            Method::PATCH,
            "/acr/v1/prod/api/_tags/1.0",
            Some(r#"{"lockEverything":true}"#),
            StatusCode::BAD_REQUEST,
            "UNSUPPORTED",
        ),
        (
            Method::PATCH,
            "/acr/v1/prod/api/_tags/1.0",
            Some("[true]"),
            StatusCode::BAD_REQUEST,
            "UNSUPPORTED",
        ),
        (Method::POST, "/acr/v1/prod/api", None, StatusCode::METHOD_NOT_ALLOWED, "UNSUPPORTED"),
        (
            Method::DELETE,
            "/acr/v1/prod/api/_manifests",
            None,
            StatusCode::METHOD_NOT_ALLOWED,
            "UNSUPPORTED",
        ),
        (
            Method::GET,
            "/acr/v1/prod/api/_tags/1.0/extra",
            None,
            StatusCode::NOT_FOUND,
            "UNSUPPORTED",
        ),
        (Method::GET, "/nothing/here", None, StatusCode::NOT_FOUND, "UNSUPPORTED"),
        (Method::GET, "/v2/prod/api/blobs/sha256:00", None, StatusCode::NOT_FOUND, "UNSUPPORTED"),
    ];
    for (method, uri, body, status, code) in cases {
        let res = send(&state, method.clone(), uri, Some(&t), body.map(|b| (JSON, b))).await;
        assert_eq!(res.status(), *status, "{method} {uri}");
        let body = json(res).await;
        assert_eq!(body["errors"][0]["code"], *code, "{method} {uri}: {body}");
    }
    // An oversized body is refused before it is read.
    let big = "x".repeat(5 * 1024 * 1024);
    let res = send(&state, Method::PATCH, "/acr/v1/prod/api", Some(&t), Some((JSON, &big))).await;
    expect_error(res, StatusCode::PAYLOAD_TOO_LARGE, "SIZE_INVALID").await;
}

#[tokio::test]
async fn no_cors_by_default_and_only_listed_origins_when_opted_in() {
    let state = state_with_tags(1);
    let t = admin(&state);
    let req = |s: &acr_emulator::AppState, method: Method, origin: &str| {
        let req = axum::http::Request::builder()
            .method(method)
            .uri("/acr/v1/_catalog")
            .header(header::HOST, HOST)
            .header(header::ORIGIN, origin)
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(axum::body::Body::empty())
            .unwrap();
        use tower::ServiceExt;
        acr_emulator::app(s.clone()).oneshot(req)
    };
    let res = req(&state, Method::GET, "https://console.example").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let res = req(&state, Method::OPTIONS, "https://console.example").await.unwrap();
    assert!(res.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let cors = empty_state(Config {
        cors_origins: vec!["https://console.example".into()],
        ..Config::default()
    });
    let res = req(&cors, Method::OPTIONS, "https://console.example").await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        res.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
        "https://console.example"
    );
    let res = req(&cors, Method::GET, "https://evil.example").await.unwrap();
    assert!(res.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn faults_throttle_and_fail_when_switched_on() {
    let throttled = empty_state(Config {
        faults: Faults { throttle_rate: 1.0, retry_after: Some(3), ..Faults::default() },
        ..Config::default()
    });
    let res = send(&throttled, Method::GET, "/acr/v1/_catalog", None, None).await;
    assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "3");
    expect_error(res, StatusCode::TOO_MANY_REQUESTS, "TOOMANYREQUESTS").await;
    let res = send(&throttled, Method::POST, "/oauth2/token", None, None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);

    let down = empty_state(Config {
        faults: Faults { unavailable_rate: 1.0, ..Faults::default() },
        ..Config::default()
    });
    let res = send(&down, Method::GET, "/v2/", None, None).await;
    expect_error(res, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE").await;
    assert_eq!(down.stats.to_json()["unavailable"], 1);

    let slow = empty_state(Config {
        faults: Faults { latency: Duration::from_millis(150), ..Faults::default() },
        ..Config::default()
    });
    let t0 = std::time::Instant::now();
    send(&slow, Method::GET, "/v2/", None, None).await;
    assert!(t0.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn state_survives_a_restart_with_a_data_file() {
    let dir = std::env::temp_dir().join(format!("acr-emulator-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("registry.json");
    let _ = std::fs::remove_file(&file);
    let config = Config { data_file: Some(file.clone()), ..Config::default() };
    let state = acr_emulator::build_state(config.clone()).unwrap();
    let t = admin(&state);
    let cat =
        json(send(&state, Method::GET, "/acr/v1/_catalog?n=1000", Some(&t), None).await).await;
    let first = cat["repositories"][0].as_str().unwrap().to_owned();
    let uri = format!("/acr/v1/{first}");
    let res =
        send(&state, Method::PATCH, &uri, Some(&t), Some((JSON, r#"{"deleteEnabled":false}"#)))
            .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Saved in the background within a second; a flush (as at shutdown) saves it now.
    state.flush().unwrap();
    assert!(file.exists());
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).collect();
    assert_eq!(leftovers.len(), 1, "only the data file remains: {leftovers:?}");

    let restarted = acr_emulator::build_state(config).unwrap();
    let t = admin(&restarted);
    let r = json(send(&restarted, Method::GET, &uri, Some(&t), None).await).await;
    assert_eq!(r["changeableAttributes"]["deleteEnabled"], false);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn console_is_served_same_origin_with_the_registry_under_its_proxy_path() {
    let dir = std::env::temp_dir().join(format!("acr-console-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>ACR Console</title>").unwrap();
    std::fs::write(dir.join("acr-console-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    let state = empty_state(Config { console_dir: Some(dir.clone()), ..Config::default() });
    push(&state, "prod/api", "1.0", &image_manifest(1));
    let t = admin(&state);

    let res = send(&state, Method::GET, "/", None, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get(header::CACHE_CONTROL).unwrap(), "no-cache");
    assert!(text(res).await.contains("ACR Console"));
    let res = send(&state, Method::GET, "/r/demo/prod%2Fapi?view=tags", None, None).await;
    assert!(text(res).await.contains("ACR Console"), "deep links get the app");
    let res = send(&state, Method::GET, "/acr-console-0123456789abcdef_bg.wasm", None, None).await;
    assert_eq!(res.headers().get(header::CONTENT_TYPE).unwrap(), "application/wasm");
    assert!(res
        .headers()
        .get(header::CACHE_CONTROL)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("immutable"));

    let cfg = json(send(&state, Method::GET, "/config.json", None, None).await).await;
    assert_eq!(cfg["registries"][0]["endpoint"], "/registry/demo");
    assert_eq!(cfg["registries"][0]["lockRules"][0]["repositories"], "prod/**");
    assert_eq!(cfg["registries"][0]["loginServer"], HOST);
    assert_eq!(cfg["auth"]["authority"], format!("http://{HOST}/demo"));

    let res =
        send(&state, Method::GET, "/registry/demo/acr/v1/prod%2Fapi/_tags", Some(&t), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = send(&state, Method::GET, "/registry/demo/acr/v1/_catalog?n=1", None, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = send(&state, Method::GET, "/registry/demo/nothing", None, None).await;
    expect_error(res, StatusCode::NOT_FOUND, "UNSUPPORTED").await;
    std::fs::remove_dir_all(&dir).unwrap();
}
