//! The lock-panel harness the lock tests share: a fake registry behind a real `RegistryClient`
//! (token exchange, token, PATCH answers) with a gate that can hold PATCHes back, a `LockPanel`
//! mounted as a page places it, and queries for its switches, buttons, status, alert and dialog.
//! The tests are in `locks_registry.rs` and `locks_controls.rs`.

use crate::fixtures::{all, fresh_container, repo, text};
use acr_client::{
    transport::fake::json_response, Credential, FakeTransport, HttpRequest, HttpResponse,
    RegistryClient, StaticEntraToken, Transport, TransportError,
};
use acr_console::{
    components::lock_panel::LockPanel,
    state::{lock_action::lock_action, lock_store::LockStore},
};
use acr_types::{ArtifactRef, ChangeableAttributes, Secret, TagName};
use futures_util::future::LocalBoxFuture;
use leptos::{mount::mount_to, prelude::*, task::tick};
use serde_json::{json, Value};
use std::{
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll, Waker},
    time::Duration,
};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

pub(crate) const DIGEST: &str =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Unpadded base64url (JWT segments).
fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// A JWT with the registry's claims (the client reads `exp` and `access`; no signature check).
fn jwt(claims: &Value) -> String {
    format!("{}.{}.sig", b64url(br#"{"alg":"RS256"}"#), b64url(claims.to_string().as_bytes()))
}

fn token_answer(key: &str) -> HttpResponse {
    let claims = json!({"exp": 4_102_444_800u64, "access": [{"type": "repository",
        "name": "prod/payments/api", "actions": ["pull", "push", "delete", "metadata_read", "metadata_write"]}]});
    json_response(200, &json!({ key: jwt(&claims) }), &[])
}

pub(crate) fn flags(write: bool, delete: bool, read: bool, list: bool) -> Value {
    json!({"writeEnabled": write, "deleteEnabled": delete, "readEnabled": read, "listEnabled": list})
}

/// The registry's answer to a tag, manifest or repository PATCH, carrying `attributes`.
pub(crate) fn attributes_answer(path: &str, attributes: Value) -> HttpResponse {
    let times = "2026-01-01T00:00:00.0000000Z";
    let body = if path.contains("/_tags/") {
        json!({"registry": "prod.azurecr.io", "imageName": "prod/payments/api", "tag": {"name": "1.4.2",
            "digest": DIGEST, "createdTime": times, "lastUpdateTime": times, "changeableAttributes": attributes}})
    } else if path.contains("/_manifests/") {
        json!({"registry": "prod.azurecr.io", "imageName": "prod/payments/api", "manifest": {"digest": DIGEST,
            "createdTime": times, "lastUpdateTime": times, "changeableAttributes": attributes}})
    } else {
        json!({"registry": "prod.azurecr.io", "imageName": "prod/payments/api", "createdTime": times,
            "lastUpdateTime": times, "manifestCount": 1, "tagCount": 1, "changeableAttributes": attributes})
    };
    json_response(200, &body, &[])
}

/// A registry that issues tokens and answers every data request with `answer`.
pub(crate) fn registry(
    answer: impl Fn(&HttpRequest) -> HttpResponse + Send + Sync + 'static,
) -> FakeTransport {
    FakeTransport::new(move |req| {
        let path = req.uri().path();
        if path.ends_with("/oauth2/exchange") {
            Ok(token_answer("refresh_token"))
        } else if path.ends_with("/oauth2/token") {
            Ok(token_answer("access_token"))
        } else {
            Ok(answer(req))
        }
    })
}

/// Holds PATCH requests until released, so a test can look at the pending state.
#[derive(Default)]
struct GateState {
    closed: bool,
    waiting: Vec<Waker>,
}

/// A transport in front of a [`FakeTransport`] that can hold PATCHes back.
#[derive(Clone)]
pub(crate) struct Gated {
    fake: FakeTransport,
    gate: Arc<Mutex<GateState>>,
}

impl Gated {
    pub(crate) fn new(fake: FakeTransport) -> Self {
        Self { fake, gate: Arc::default() }
    }
    pub(crate) fn hold(&self) {
        self.gate.lock().unwrap().closed = true;
    }
    pub(crate) fn release(&self) {
        let mut g = self.gate.lock().unwrap();
        g.closed = false;
        g.waiting.drain(..).for_each(Waker::wake);
    }
}

struct Wait(Arc<Mutex<GateState>>);

impl Future for Wait {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut g = self.0.lock().unwrap();
        if g.closed {
            g.waiting.push(cx.waker().clone());
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

impl Transport for Gated {
    fn send(
        &self,
        request: HttpRequest,
    ) -> LocalBoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            if request.method() == http::Method::PATCH {
                Wait(self.gate.clone()).await;
            }
            self.fake.send(request).await
        })
    }
    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'_, ()> {
        self.fake.sleep(duration)
    }
    fn now_ms(&self) -> u64 {
        self.fake.now_ms()
    }
}

pub(crate) fn client(transport: &Gated) -> RegistryClient {
    let credential = Credential::Entra(Arc::new(StaticEntraToken(Secret::new("x"))));
    RegistryClient::new(
        Arc::new(transport.clone()),
        "https://console.example/registry/prod",
        "prod.azurecr.io",
        credential,
        Default::default(),
    )
    .expect("a client")
}

/// The PATCHes the registry received: (path, JSON body).
pub(crate) fn patches(fake: &FakeTransport) -> Vec<(String, Value)> {
    fake.requests()
        .iter()
        .filter(|r| r.method() == http::Method::PATCH)
        .map(|r| {
            let body = serde_json::from_slice(r.body()).expect("a JSON body");
            (r.uri().path().to_owned(), body)
        })
        .collect()
}

pub(crate) fn tag_target() -> ArtifactRef {
    ArtifactRef::Tag(repo(), TagName::new("1.4.2").unwrap())
}

pub(crate) fn attrs(write: bool, delete: bool) -> ChangeableAttributes {
    ChangeableAttributes { write_enabled: write, delete_enabled: delete, ..Default::default() }
}

/// A mounted panel, as a page would place it: its flags live in `store` (the registry's lock
/// store, filled as if the page had read them), where the panel's action writes the answers.
pub(crate) struct Panel {
    pub(crate) root: HtmlElement,
    pub(crate) store: LockStore,
    pub(crate) target: ArtifactRef,
    _mounted: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
}

pub(crate) struct Setup {
    pub(crate) target: ArtifactRef,
    pub(crate) attributes: ChangeableAttributes,
    pub(crate) can_write: bool,
    pub(crate) inherited: Option<ChangeableAttributes>,
    pub(crate) registry: Option<&'static str>,
}

impl Setup {
    pub(crate) fn tag(attributes: ChangeableAttributes) -> Self {
        Self { target: tag_target(), attributes, can_write: true, inherited: None, registry: None }
    }
}

pub(crate) fn mount_panel(transport: &Gated, setup: Setup) -> Panel {
    let root = fresh_container();
    let client = client(transport);
    let store = LockStore::new();
    store.record(&setup.target, &setup.attributes, store.ticket());
    let (panel_store, target) = (store.clone(), setup.target.clone());
    let mounted = mount_to(root.clone(), move || {
        let action = lock_action(client, panel_store.clone(), setup.target.clone());
        let inherited = setup.inherited.clone();
        let registry = setup.registry.map(str::to_owned);
        view! {
            <LockPanel
                target=setup.target.clone()
                store=panel_store.clone()
                can_write=setup.can_write
                inherited=Signal::stored(inherited)
                action
                registry=registry
            />
        }
        .into_any()
    });
    Panel { root, store, target, _mounted: mounted }
}

/// Lets the executor run until `done` holds (the fake registry answers within a few polls).
pub(crate) async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..400 {
        if done() {
            return;
        }
        tick().await;
    }
    panic!("timed out waiting until {what}");
}

/// The accessible name: `aria-label`, else the text without `aria-hidden`/`hidden` parts.
fn accessible_name(el: &Element) -> String {
    fn visible_text(node: &web_sys::Node, out: &mut String) {
        if let Some(el) = node.dyn_ref::<Element>() {
            if el.get_attribute("aria-hidden").as_deref() == Some("true")
                || el.has_attribute("hidden")
            {
                return;
            }
        } else {
            out.push_str(&node.text_content().unwrap_or_default());
            return;
        }
        let children = node.child_nodes();
        for i in 0..children.length() {
            if let Some(child) = children.item(i) {
                visible_text(&child, out);
            }
        }
    }
    if let Some(label) = el.get_attribute("aria-label") {
        return label;
    }
    let mut out = String::new();
    visible_text(el, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The switch whose accessible name is `name`.
pub(crate) fn switch(root: &Element, name: &str) -> Element {
    all(root, "[role=\"switch\"]")
        .into_iter()
        .find(|e| accessible_name(e) == name)
        .unwrap_or_else(|| panic!("no switch named {name:?}"))
}

/// The (non-switch) button whose accessible name is `name`.
pub(crate) fn button(root: &Element, name: &str) -> Element {
    all(root, "button:not([role])")
        .into_iter()
        .find(|e| accessible_name(e) == name)
        .unwrap_or_else(|| panic!("no button named {name:?}"))
}

pub(crate) fn click(el: &Element) {
    el.unchecked_ref::<HtmlElement>().click();
}

pub(crate) fn attr(el: &Element, name: &str) -> Option<String> {
    el.get_attribute(name)
}

pub(crate) fn is_disabled(el: &Element) -> bool {
    el.has_attribute("disabled")
}

pub(crate) fn status(root: &Element) -> String {
    text(&root.query_selector("[role=\"status\"]").unwrap().expect("a status region"))
}

pub(crate) fn alert(root: &Element) -> String {
    text(&root.query_selector("[role=\"alert\"]").unwrap().expect("an alert region"))
}

pub(crate) fn dialog(root: &Element) -> Element {
    root.query_selector("dialog").unwrap().expect("a dialog")
}

pub(crate) fn dialog_open(root: &Element) -> bool {
    dialog(root).has_attribute("open")
}

/// Dispatches `new <class>(kind, {fields})` on `el`.
pub(crate) fn dispatch(
    el: &Element,
    class: &str,
    kind: &str,
    fields: &[(&str, wasm_bindgen::JsValue)],
) {
    let init = js_sys::Object::new();
    for (key, value) in fields {
        js_sys::Reflect::set(&init, &(*key).into(), value).unwrap();
    }
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &class.into()).unwrap().into();
    let event =
        js_sys::Reflect::construct(&ctor, &js_sys::Array::of2(&kind.into(), &init)).unwrap();
    el.dispatch_event(event.unchecked_ref()).unwrap();
}

/// A cancelable, bubbling `keydown` then `keyup` of `key` on `el`.
pub(crate) fn press(el: &Element, key: &str) {
    for kind in ["keydown", "keyup"] {
        let fields = [("key", key.into()), ("bubbles", true.into()), ("cancelable", true.into())];
        dispatch(el, "KeyboardEvent", kind, &fields);
    }
}
