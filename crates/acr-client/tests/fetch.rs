//! The browser transport in a real browser: a real fetch round trip, and the abort-on-drop guard.
#![cfg(target_arch = "wasm32")]

use acr_client::transport::{
    fetch::{AbortOnDrop, FetchTransport},
    BodyLimit, Transport,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn fetches_for_real() {
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let req = http::Request::get(format!("{origin}/")).body(Vec::new()).unwrap();
    let res = FetchTransport.send(req).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(!res.body().is_empty());
    // The headers the client reads come through (Link, Retry-After and WWW-Authenticate are
    // covered against the emulator by the console's browser journeys).
    let content_type = res.headers().get(http::header::CONTENT_TYPE).expect("content-type");
    assert!(content_type.to_str().unwrap().starts_with("text/html"), "{content_type:?}");
    let missing =
        http::Request::get(format!("{origin}/no-such-file-here")).body(Vec::new()).unwrap();
    assert_eq!(FetchTransport.send(missing).await.unwrap().status(), 404);
}

#[wasm_bindgen_test]
async fn a_body_longer_than_the_limit_is_cut_just_past_it() {
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let whole = FetchTransport
        .send(http::Request::get(format!("{origin}/")).body(Vec::new()).unwrap())
        .await
        .unwrap();
    assert!(whole.body().len() > 11, "the test page is longer than the limit");
    let limited =
        http::Request::get(format!("{origin}/")).extension(BodyLimit(10)).body(Vec::new()).unwrap();
    let cut = FetchTransport.send(limited).await.unwrap();
    assert_eq!(cut.body().as_slice(), &whole.body()[..11]);
}

#[wasm_bindgen_test]
async fn unreachable_hosts_are_a_transport_error() {
    let req = http::Request::get("http://127.0.0.1:9/").body(Vec::new()).unwrap();
    let e = FetchTransport.send(req).await.unwrap_err();
    assert!(e.message.starts_with("no answer came back"), "{}", e.message);
}

#[wasm_bindgen_test]
fn dropping_the_guard_aborts_the_request() {
    let controller = web_sys::AbortController::new().unwrap();
    let signal = controller.signal();
    drop(AbortOnDrop(Some(controller)));
    assert!(signal.aborted());
    let kept = web_sys::AbortController::new().unwrap();
    let signal = kept.signal();
    drop(AbortOnDrop(None));
    assert!(!signal.aborted());
}

#[wasm_bindgen_test]
async fn sleeps_and_clock_work() {
    let t0 = FetchTransport.now_ms();
    FetchTransport.sleep(std::time::Duration::from_millis(20)).await;
    assert!(FetchTransport.now_ms() >= t0 + 15);
}
