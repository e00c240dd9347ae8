//! ACR's write-rate limit over the router: with `write_ops_per_minute`, writes beyond the limit
//! in a rolling minute are answered 429 `TOOMANYREQUESTS` with `Retry-After` and change nothing;
//! reads and requests refused for their credentials are not counted. (The window's arithmetic is
//! tested with explicit times in `acr_emulator::limit`.)

mod common;

use acr_emulator::config::{Config, Faults};
use acr_types::media_type;
use axum::http::{header, Method, StatusCode};
use common::*;

const JSON: &str = "application/json";

fn limited(n: u32) -> acr_emulator::AppState {
    empty_state(Config {
        faults: Faults { write_ops_per_minute: Some(n), ..Faults::default() },
        ..Config::default()
    })
}

#[tokio::test]
async fn the_sixth_write_in_a_minute_is_refused_with_retry_after_and_changes_nothing() {
    let state = limited(5);
    let digest = push(&state, "prod/api", "1.0", &image_manifest(1));
    push(&state, "prod/api", "1.1", &image_manifest(2));
    let t = admin(&state);
    let tag = "/acr/v1/prod/api/_tags/1.0";

    // Not counted: a write refused for its credentials, and reads.
    let res =
        send(&state, Method::PATCH, tag, None, Some((JSON, r#"{"writeEnabled":false}"#))).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    for _ in 0..20 {
        assert_eq!(send(&state, Method::GET, tag, Some(&t), None).await.status(), StatusCode::OK);
    }

    // Five writes in the minute are answered.
    for i in 0..5 {
        let body = format!(r#"{{"writeEnabled":{}}}"#, i % 2 == 1);
        let res = send(&state, Method::PATCH, tag, Some(&t), Some((JSON, &body))).await;
        assert_eq!(res.status(), StatusCode::OK, "write {}", i + 1);
    }
    let before = state.store.read().unwrap().clone();

    // The sixth: 429 with ACR's body and a Retry-After of whole seconds until a slot frees.
    let res = send(
        &state,
        Method::PATCH,
        "/acr/v1/prod/api",
        Some(&t),
        Some((JSON, r#"{"deleteEnabled":false}"#)),
    )
    .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(
        text(res).await,
        "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"too many requests\"}]}\n"
    );
    assert_eq!(*state.store.read().unwrap(), before, "a refused write changes nothing");

    // Every kind of write is limited, and none of them changes anything.
    let manifest = format!("/acr/v1/prod/api/_manifests/{digest}");
    let refused = [
        (Method::PATCH, tag.to_owned(), Some((JSON, r#"{"readEnabled":false}"#.to_owned()))),
        (Method::PATCH, manifest.clone(), Some((JSON, r#"{"deleteEnabled":false}"#.to_owned()))),
        (Method::DELETE, tag.to_owned(), None),
        (Method::DELETE, "/acr/v1/prod/api".to_owned(), None),
        (Method::DELETE, format!("/v2/prod/api/manifests/{digest}"), None),
        (
            Method::PUT,
            "/v2/prod/api/manifests/2.0".to_owned(),
            Some((media_type::DOCKER_MANIFEST, image_manifest(3))),
        ),
    ];
    for (method, uri, body) in refused {
        let body = body.as_ref().map(|(ct, b)| (*ct, b.as_str()));
        let res = send(&state, method.clone(), &uri, Some(&t), body).await;
        assert!(res.headers().contains_key(header::RETRY_AFTER), "{method} {uri}");
        expect_error(res, StatusCode::TOO_MANY_REQUESTS, "TOOMANYREQUESTS").await;
    }
    assert_eq!(*state.store.read().unwrap(), before, "refused writes change nothing");

    // Reads are still answered, and the refusals show in the counters.
    let res = send(&state, Method::GET, &manifest, Some(&t), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = send(&state, Method::GET, "/v2/prod/api/manifests/1.0", Some(&t), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(state.stats.to_json()["throttled"], 7);
}

#[tokio::test]
async fn without_the_limit_writes_are_not_counted() {
    let state = empty_state(Config::default());
    assert!(state.write_limit.is_none());
    push(&state, "prod/api", "1.0", &image_manifest(1));
    let t = admin(&state);
    for i in 0..50 {
        let body = format!(r#"{{"writeEnabled":{}}}"#, i % 2 == 1);
        let res = send(
            &state,
            Method::PATCH,
            "/acr/v1/prod/api/_tags/1.0",
            Some(&t),
            Some((JSON, &body)),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
}
