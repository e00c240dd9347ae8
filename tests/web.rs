//! In-browser component tests (wasm-bindgen-test in headless Chromium): each test mounts a view
//! into a fresh element and queries it by landmark role, label or `data-testid`, never by
//! comparing markup.
//!
//! Run: `cargo test -p acr-console --target wasm32-unknown-unknown --test web` (the runner is set
//! in `.cargo/config.toml`; browser flags in `webdriver.json`).
#![cfg(target_arch = "wasm32")]

use acr_console::{
    components::app_shell::{AppShell, MAIN_ID, PRODUCT_NAME},
    routes::{decode_segment, encode_segment, repository_from_segment, Route},
};
use leptos::{mount::mount_to, prelude::*, task::tick};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A new, empty `<div>` appended to `<body>`, so tests do not see each other's markup.
fn fresh_container() -> HtmlElement {
    let document = document();
    let container = document.create_element("div").expect("create a <div>");
    document.body().expect("a <body>").append_child(&container).expect("append the <div>");
    container.unchecked_into()
}

/// CSS selectors for the elements that carry an ARIA landmark role, implicitly or explicitly.
/// `header`/`footer` are only banner/contentinfo when not inside sectioning content or `main`.
fn landmark_selector(role: &str) -> String {
    let implicit = match role {
        "banner" => {
            "header:not(main header, article header, aside header, nav header, section header)"
        }
        "contentinfo" => {
            "footer:not(main footer, article footer, aside footer, nav footer, section footer)"
        }
        "main" => "main",
        "navigation" => "nav",
        other => panic!("no implicit selector for role {other}"),
    };
    format!("{implicit}, [role=\"{role}\"]")
}

/// The elements under `root` with the landmark `role`.
fn landmarks(root: &Element, role: &str) -> Vec<Element> {
    let found = root.query_selector_all(&landmark_selector(role)).expect("a valid selector");
    (0..found.length()).filter_map(|i| found.item(i)?.dyn_into::<Element>().ok()).collect()
}

/// The only element under `root` with the landmark `role`.
fn only_landmark(root: &Element, role: &str) -> Element {
    let mut found = landmarks(root, role);
    assert_eq!(found.len(), 1, "expected exactly one {role} landmark");
    found.remove(0)
}

fn by_test_id(root: &Element, id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid=\"{id}\"]")).expect("a valid selector")
}

fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn app_shell_renders_landmarks_around_the_page() {
    let container = fresh_container();
    let _mounted = mount_to(container.clone(), || {
        view! {
            <AppShell current=Some(Route::Home)>
                <p data-testid="page-body">"Page body"</p>
            </AppShell>
        }
    });
    tick().await;

    let banner = only_landmark(&container, "banner");
    assert!(text(&banner).contains(PRODUCT_NAME), "banner names the product: {}", text(&banner));

    let nav = only_landmark(&container, "navigation");
    assert_eq!(nav.get_attribute("aria-label").as_deref(), Some("Primary"));
    let current = nav.query_selector("a[aria-current=\"page\"]").unwrap().expect("a current link");
    assert_eq!(current.get_attribute("href").as_deref(), Some("/"));
    assert!(banner.contains(Some(&nav)), "the navigation sits in the banner");

    let main = only_landmark(&container, "main");
    assert_eq!(main.id(), MAIN_ID);
    let page = by_test_id(&container, "page-body").expect("children are rendered");
    assert!(main.contains(Some(&page)), "children are rendered inside the main landmark");

    let footer = only_landmark(&container, "contentinfo");
    let version = by_test_id(&footer, "app-version").expect("the footer shows the version");
    assert_eq!(text(&version), concat!("v", env!("CARGO_PKG_VERSION")));
}

#[wasm_bindgen_test]
async fn skip_link_is_first_and_focuses_the_main_landmark() {
    let container = fresh_container();
    let no_route: Option<Route> = None;
    let _mounted = mount_to(container.clone(), move || {
        view! { <AppShell current=no_route>"page"</AppShell> }
    });
    tick().await;

    let first_link = container.query_selector("a[href]").unwrap().expect("a link");
    assert_eq!(text(&first_link), "Skip to content", "the skip link comes before everything else");
    let target = first_link.get_attribute("href").expect("an href");
    let target_id = target.strip_prefix('#').expect("a fragment link");
    let main = only_landmark(&container, "main");
    assert_eq!(main.id(), target_id, "the skip link targets the main landmark");
    assert_eq!(main.get_attribute("tabindex").as_deref(), Some("-1"), "main can take focus");

    first_link.unchecked_ref::<HtmlElement>().click();
    tick().await;
    let focused = document().active_element().expect("something has focus");
    assert!(focused.is_same_node(Some(&main)), "activating the skip link focuses main");

    // No route matches: no navigation link claims to be the current page.
    let nav = only_landmark(&container, "navigation");
    assert!(nav.query_selector("[aria-current]").unwrap().is_none());
}

#[wasm_bindgen_test]
fn nested_repository_names_round_trip_through_one_segment() {
    let encoded = encode_segment("prod/payments/api");
    assert_eq!(encoded, "prod%2Fpayments%2Fapi");
    assert_eq!(decode_segment(&encoded).as_deref(), Some("prod/payments/api"));

    let name = repository_from_segment(&encoded).expect("a valid repository name");
    assert_eq!(name.as_str(), "prod/payments/api");
    let route = Route::Repository {
        registry: "prod".into(),
        repo: name,
        view: Default::default(),
        filter: String::new(),
        order: Default::default(),
    };
    assert_eq!(route.href(), "/r/prod/prod%2Fpayments%2Fapi");
    assert_eq!(Route::parse(&route.href()), Some(route));
}

#[wasm_bindgen_test]
fn the_browser_path_decoder_keeps_the_encoded_slashes() {
    // The router applies decodeURI to location.pathname; %2F must survive it so the repository
    // name stays one segment.
    let href = Route::Repository {
        registry: "prod".into(),
        repo: repository_from_segment("prod%2Fpayments%2Fapi").unwrap(),
        view: Default::default(),
        filter: String::new(),
        order: Default::default(),
    }
    .href();
    let decoded: String = js_sys::decode_uri(&href).expect("decodeURI").into();
    assert_eq!(decoded, href);
    assert!(Route::parse(&decoded).is_some());
}

// ================================================================================================
// Lock toggles (LockSwitch, LockPanel, Presets, ConfirmDialog): the panel is driven through a
// real `RegistryClient` on a `FakeTransport` that plays the registry (token exchange, token,
// PATCH answers), so each test sees exactly the requests a change sends.
// ================================================================================================
mod locks {
    use super::*;
    use acr_client::{
        transport::fake::json_response, Credential, FakeTransport, HttpRequest, HttpResponse,
        RegistryClient, StaticEntraToken, Transport, TransportError,
    };
    use acr_console::{
        components::lock_panel::{LockPanel, READ_ONLY_NOTICE},
        state::locks::lock_action,
    };
    use acr_types::{ArtifactRef, ChangeableAttributes, Digest, RepositoryName, Secret, TagName};
    use futures_util::future::LocalBoxFuture;
    use serde_json::{json, Value};
    use std::{
        future::Future,
        pin::Pin,
        sync::{Arc, Mutex},
        task::{Context, Poll, Waker},
        time::Duration,
    };

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// Unpadded base64url (JWT segments).
    fn b64url(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n =
                chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
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

    fn flags(write: bool, delete: bool, read: bool, list: bool) -> Value {
        json!({"writeEnabled": write, "deleteEnabled": delete, "readEnabled": read, "listEnabled": list})
    }

    /// The registry's answer to a tag, manifest or repository PATCH, carrying `attributes`.
    fn attributes_answer(path: &str, attributes: Value) -> HttpResponse {
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
    fn registry(
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
    struct Gated {
        fake: FakeTransport,
        gate: Arc<Mutex<GateState>>,
    }

    impl Gated {
        fn new(fake: FakeTransport) -> Self {
            Self { fake, gate: Arc::default() }
        }
        fn hold(&self) {
            self.gate.lock().unwrap().closed = true;
        }
        fn release(&self) {
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

    fn client(transport: &Gated) -> RegistryClient {
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
    fn patches(fake: &FakeTransport) -> Vec<(String, Value)> {
        fake.requests()
            .iter()
            .filter(|r| r.method() == http::Method::PATCH)
            .map(|r| {
                let body = serde_json::from_slice(r.body()).expect("a JSON body");
                (r.uri().path().to_owned(), body)
            })
            .collect()
    }

    fn repo() -> RepositoryName {
        RepositoryName::new("prod/payments/api").unwrap()
    }

    fn tag_target() -> ArtifactRef {
        ArtifactRef::Tag(repo(), TagName::new("1.4.2").unwrap())
    }

    fn attrs(write: bool, delete: bool) -> ChangeableAttributes {
        ChangeableAttributes { write_enabled: write, delete_enabled: delete, ..Default::default() }
    }

    /// A mounted panel, as a page would place it: the page's copy of the attributes follows
    /// `on_changed`, whose calls are recorded.
    struct Panel {
        root: HtmlElement,
        changed: Arc<Mutex<Vec<ChangeableAttributes>>>,
        _mounted: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
    }

    struct Setup {
        target: ArtifactRef,
        attributes: ChangeableAttributes,
        can_write: bool,
        inherited: Option<ChangeableAttributes>,
        registry: Option<&'static str>,
    }

    impl Setup {
        fn tag(attributes: ChangeableAttributes) -> Self {
            Self {
                target: tag_target(),
                attributes,
                can_write: true,
                inherited: None,
                registry: None,
            }
        }
    }

    fn mount_panel(transport: &Gated, setup: Setup) -> Panel {
        let root = fresh_container();
        let changed = Arc::new(Mutex::new(Vec::new()));
        let client = client(transport);
        let record = changed.clone();
        let mounted = mount_to(root.clone(), move || {
            let page_copy = RwSignal::new(setup.attributes.clone());
            let action = lock_action(client, setup.target.clone());
            let on_changed = move |a: ChangeableAttributes| {
                record.lock().unwrap().push(a.clone());
                page_copy.set(a);
            };
            let inherited = setup.inherited.clone();
            let registry = setup.registry.map(str::to_owned);
            view! {
                <LockPanel
                    target=setup.target.clone()
                    attributes=page_copy
                    can_write=setup.can_write
                    inherited=Signal::stored(inherited)
                    action
                    on_changed
                    registry=registry
                />
            }
            .into_any()
        });
        Panel { root, changed, _mounted: mounted }
    }

    /// Lets the executor run until `done` holds (the fake registry answers within a few polls).
    async fn until(what: &str, mut done: impl FnMut() -> bool) {
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

    fn all(root: &Element, css: &str) -> Vec<Element> {
        let found = root.query_selector_all(css).expect("a valid selector");
        (0..found.length()).filter_map(|i| found.item(i)?.dyn_into::<Element>().ok()).collect()
    }

    /// The switch whose accessible name is `name`.
    fn switch(root: &Element, name: &str) -> Element {
        all(root, "[role=\"switch\"]")
            .into_iter()
            .find(|e| accessible_name(e) == name)
            .unwrap_or_else(|| panic!("no switch named {name:?}"))
    }

    /// The (non-switch) button whose accessible name is `name`.
    fn button(root: &Element, name: &str) -> Element {
        all(root, "button:not([role])")
            .into_iter()
            .find(|e| accessible_name(e) == name)
            .unwrap_or_else(|| panic!("no button named {name:?}"))
    }

    fn click(el: &Element) {
        el.unchecked_ref::<HtmlElement>().click();
    }

    fn attr(el: &Element, name: &str) -> Option<String> {
        el.get_attribute(name)
    }

    fn is_disabled(el: &Element) -> bool {
        el.has_attribute("disabled")
    }

    fn status(root: &Element) -> String {
        text(&root.query_selector("[role=\"status\"]").unwrap().expect("a status region"))
    }

    fn alert(root: &Element) -> String {
        text(&root.query_selector("[role=\"alert\"]").unwrap().expect("an alert region"))
    }

    fn dialog(root: &Element) -> Element {
        root.query_selector("dialog").unwrap().expect("a dialog")
    }

    fn dialog_open(root: &Element) -> bool {
        dialog(root).has_attribute("open")
    }

    /// Dispatches `new <class>(kind, {fields})` on `el`.
    fn dispatch(el: &Element, class: &str, kind: &str, fields: &[(&str, wasm_bindgen::JsValue)]) {
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
    fn press(el: &Element, key: &str) {
        for kind in ["keydown", "keyup"] {
            let fields =
                [("key", key.into()), ("bubbles", true.into()), ("cancelable", true.into())];
            dispatch(el, "KeyboardEvent", kind, &fields);
        }
    }

    #[wasm_bindgen_test]
    async fn toggling_a_switch_sends_one_patch_and_shows_what_the_registry_returned() {
        // The registry answers with more than was asked: read has been turned off elsewhere.
        let fake =
            registry(|req| attributes_answer(req.uri().path(), flags(false, true, false, true)));
        let transport = Gated::new(fake.clone());
        let panel = mount_panel(&transport, Setup::tag(attrs(true, true)));
        tick().await;
        let root = &panel.root;
        let write = switch(root, "Write enabled for prod/payments/api:1.4.2");
        assert_eq!(attr(&write, "aria-checked").as_deref(), Some("true"));
        assert!(text(&write).contains("On"), "the state is written out: {}", text(&write));

        transport.hold();
        click(&write);
        until("the panel shows the save in progress", || {
            attr(&write, "aria-busy").as_deref() == Some("true")
        })
        .await;
        assert!(is_disabled(&write), "the switch is disabled while saving");
        assert_eq!(
            attr(&write, "aria-checked").as_deref(),
            Some("false"),
            "shows the change asked for"
        );
        assert_eq!(status(root), "Saving…");
        assert!(is_disabled(&button(root, "Lock")), "presets are disabled while saving");
        assert!(patches(&fake).is_empty(), "the answer has not come yet");

        transport.release();
        until("the save finished", || attr(&write, "aria-busy").is_none()).await;
        until("the status announces the answer", || status(root).starts_with("Saved")).await;
        assert_eq!(
            patches(&fake),
            vec![(
                "/registry/prod/acr/v1/prod%2Fpayments%2Fapi/_tags/1.4.2".to_owned(),
                json!({"writeEnabled": false})
            )],
            "exactly one PATCH, with only the flag that changed"
        );
        assert!(!is_disabled(&write));
        assert_eq!(attr(&write, "aria-checked").as_deref(), Some("false"));
        assert!(text(&write).contains("Off"));
        let read = switch(root, "Read enabled for prod/payments/api:1.4.2");
        assert_eq!(
            attr(&read, "aria-checked").as_deref(),
            Some("false"),
            "the registry's answer, not the request"
        );
        assert_eq!(status(root), "Saved: write off, delete on, read off");
        let status_el = root.query_selector("[role=\"status\"]").unwrap().unwrap();
        assert_eq!(attr(&status_el, "aria-live").as_deref(), Some("polite"));
        assert_eq!(attr(&button(root, "Prevent updates"), "aria-pressed").as_deref(), Some("true"));
        assert_eq!(attr(&button(root, "Unlock"), "aria-pressed").as_deref(), Some("false"));
        let seen = panel.changed.lock().unwrap().clone();
        assert_eq!(seen.len(), 1);
        assert!(!seen[0].write_enabled && !seen[0].read_enabled, "the page gets the answer");
        assert!(alert(root).is_empty());
    }

    #[wasm_bindgen_test]
    async fn a_refused_change_puts_the_switch_back_and_says_what_to_do() {
        let fake = registry(|_| {
            json_response(
                405,
                &json!({"errors": [{"code": "REGISTRY_DISALLOWED_OPERATION", "message": "operation is disallowed"}]}),
                &[],
            )
        });
        let transport = Gated::new(fake.clone());
        let panel = mount_panel(&transport, Setup::tag(attrs(true, true)));
        tick().await;
        let root = &panel.root;
        let delete = switch(root, "Delete enabled for prod/payments/api:1.4.2");
        click(&delete);
        until("the problem is shown", || !alert(root).is_empty()).await;
        assert_eq!(patches(&fake).len(), 1);
        assert_eq!(attr(&delete, "aria-checked").as_deref(), Some("true"), "the switch is back");
        assert!(!is_disabled(&delete) && attr(&delete, "aria-busy").is_none());
        let problem = alert(root);
        assert!(problem.contains("Refused by a lock"), "{problem}");
        assert!(
            problem.contains("What to do:") && problem.contains("Unlock it first"),
            "{problem}"
        );
        assert!(!status(root).starts_with("Saved"), "nothing claims success: {}", status(root));
        assert!(panel.changed.lock().unwrap().is_empty(), "the page is not told of a change");
    }

    #[wasm_bindgen_test]
    async fn a_forbidden_change_reverts_and_names_the_role_to_ask_for() {
        let fake = registry(|req| {
            if req.method() == http::Method::PATCH {
                json_response(
                    403,
                    &json!({"errors": [{"code": "DENIED", "message": "requested access to the resource is denied"}]}),
                    &[],
                )
            } else {
                attributes_answer(req.uri().path(), flags(true, true, true, true))
            }
        });
        let transport = Gated::new(fake.clone());
        let mut setup = Setup::tag(attrs(true, true));
        setup.target = ArtifactRef::Repository(repo());
        let panel = mount_panel(&transport, setup);
        tick().await;
        let root = &panel.root;
        click(&button(root, "Lock"));
        until("the problem is shown", || !alert(root).is_empty()).await;
        assert_eq!(
            patches(&fake),
            vec![(
                "/registry/prod/acr/v1/prod%2Fpayments%2Fapi".to_owned(),
                json!({"writeEnabled": false, "deleteEnabled": false})
            )]
        );
        for name in ["Write enabled for prod/payments/api", "Delete enabled for prod/payments/api"]
        {
            let s = switch(root, name);
            assert_eq!(attr(&s, "aria-checked").as_deref(), Some("true"), "{name} is back on");
            assert!(!is_disabled(&s));
        }
        assert_eq!(attr(&button(root, "Unlock"), "aria-pressed").as_deref(), Some("true"));
        let problem = alert(root);
        assert!(problem.contains("Not allowed"), "{problem}");
        assert!(problem.contains("Repository Contributor"), "the remedy names the role: {problem}");
        assert!(panel.changed.lock().unwrap().is_empty());
    }

    #[wasm_bindgen_test]
    async fn an_unavailable_registry_offers_to_try_the_same_change_again() {
        let down = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let is_down = down.clone();
        let fake = registry(move |req| {
            if is_down.load(std::sync::atomic::Ordering::SeqCst) {
                json_response(503, &json!({"errors": []}), &[])
            } else {
                attributes_answer(req.uri().path(), flags(true, false, true, true))
            }
        });
        let transport = Gated::new(fake.clone());
        let panel = mount_panel(&transport, Setup::tag(attrs(true, true)));
        tick().await;
        let root = &panel.root;
        let delete = switch(root, "Delete enabled for prod/payments/api:1.4.2");
        click(&delete);
        until("the problem is shown", || !alert(root).is_empty()).await;
        assert_eq!(attr(&delete, "aria-checked").as_deref(), Some("true"), "put back");
        let tried = patches(&fake).len();
        assert!(tried >= 1);
        let again = button(root, "Try again");
        down.store(false, std::sync::atomic::Ordering::SeqCst);
        click(&again);
        until("the retry is saved", || status(root).starts_with("Saved")).await;
        let sent = patches(&fake);
        assert_eq!(sent.len(), tried + 1, "one more PATCH");
        assert_eq!(sent[tried].1, json!({"deleteEnabled": false}), "the same change");
        assert!(alert(root).is_empty(), "the problem is cleared");
        assert_eq!(attr(&delete, "aria-checked").as_deref(), Some("false"));
    }

    #[wasm_bindgen_test]
    async fn unlocking_asks_first_and_cancel_or_escape_send_nothing() {
        let fake =
            registry(|req| attributes_answer(req.uri().path(), flags(true, true, true, true)));
        let transport = Gated::new(fake.clone());
        let panel = mount_panel(&transport, Setup::tag(attrs(false, false)));
        tick().await;
        let root = &panel.root;
        assert!(!dialog_open(root));
        let unlock = button(root, "Unlock");
        assert_eq!(attr(&button(root, "Lock"), "aria-pressed").as_deref(), Some("true"));

        // Cancel: nothing is sent, nothing changes, focus goes back to the preset.
        unlock.unchecked_ref::<HtmlElement>().focus().unwrap();
        click(&unlock);
        until("the confirmation opens", || dialog_open(root)).await;
        let question = text(&dialog(root));
        assert!(question.contains("Unlock prod/payments/api:1.4.2?"), "{question}");
        assert!(question.contains("Writes:") && question.contains("Deletes:"), "{question}");
        let labelled = attr(&dialog(root), "aria-labelledby").expect("the dialog is named");
        assert!(text(&document().get_element_by_id(&labelled).unwrap()).starts_with("Unlock"));
        click(&button(&dialog(root), "Cancel"));
        until("the confirmation closes", || !dialog_open(root)).await;
        assert!(patches(&fake).is_empty(), "Cancel sends nothing");
        let focused = document().active_element().expect("focus");
        assert!(focused.is_same_node(Some(&unlock)), "focus returns to the trigger");
        let write = switch(root, "Write enabled for prod/payments/api:1.4.2");
        assert_eq!(attr(&write, "aria-checked").as_deref(), Some("false"));

        // A switch turning delete back on is an unlock too; Escape (the dialog's cancel) backs out.
        click(&switch(root, "Delete enabled for prod/payments/api:1.4.2"));
        until("the confirmation opens again", || dialog_open(root)).await;
        assert!(text(&dialog(root)).contains("still refuses deletes while writes are off"));
        dispatch(&dialog(root), "Event", "cancel", &[("cancelable", true.into())]);
        until("Escape closes the confirmation", || !dialog_open(root)).await;
        assert!(patches(&fake).is_empty(), "Escape sends nothing");

        // Confirmed: one PATCH with both flags.
        click(&unlock);
        until("the confirmation opens a third time", || dialog_open(root)).await;
        click(&button(&dialog(root), "Unlock"));
        until("the unlock is saved", || status(root).starts_with("Saved")).await;
        assert!(!dialog_open(root));
        let sent = patches(&fake);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].1, json!({"writeEnabled": true, "deleteEnabled": true}));
        assert_eq!(status(root), "Saved: write on, delete on");
    }

    #[wasm_bindgen_test]
    async fn locking_needs_no_confirmation_and_a_no_op_sends_nothing() {
        let fake =
            registry(|req| attributes_answer(req.uri().path(), flags(false, false, true, true)));
        let transport = Gated::new(fake.clone());
        let panel = mount_panel(&transport, Setup::tag(attrs(true, true)));
        tick().await;
        let root = &panel.root;
        click(&button(root, "Unlock"));
        tick().await;
        assert!(!dialog_open(root), "nothing to unlock, nothing to confirm");
        assert!(status(root).starts_with("Nothing to change"), "{}", status(root));
        assert!(patches(&fake).is_empty(), "a no-op sends nothing");

        click(&button(root, "Lock"));
        until("the lock is saved", || status(root) == "Saved: write off, delete off").await;
        assert!(!dialog_open(root));
        assert_eq!(patches(&fake)[0].1, json!({"writeEnabled": false, "deleteEnabled": false}));
        assert_eq!(attr(&button(root, "Lock"), "aria-pressed").as_deref(), Some("true"));
    }

    #[wasm_bindgen_test]
    async fn space_and_enter_toggle_a_switch_once() {
        let fake =
            registry(|req| attributes_answer(req.uri().path(), flags(true, false, true, true)));
        let transport = Gated::new(fake.clone());
        let panel = mount_panel(&transport, Setup::tag(attrs(true, true)));
        tick().await;
        let root = &panel.root;
        let delete = switch(root, "Delete enabled for prod/payments/api:1.4.2");
        press(&delete, " ");
        until("Space saved the change", || status(root).starts_with("Saved")).await;
        assert_eq!(
            patches(&fake),
            vec![(
                "/registry/prod/acr/v1/prod%2Fpayments%2Fapi/_tags/1.4.2".to_owned(),
                json!({"deleteEnabled": false})
            )]
        );
        assert_eq!(attr(&delete, "aria-checked").as_deref(), Some("false"));

        // Enter on the write switch: a lock (no confirmation), one more PATCH.
        let write = switch(root, "Write enabled for prod/payments/api:1.4.2");
        press(&write, "Enter");
        until("Enter sent a second PATCH", || patches(&fake).len() == 2).await;
        assert_eq!(patches(&fake)[1].1, json!({"writeEnabled": false}));
        // Other keys do nothing.
        press(&write, "a");
        tick().await;
        assert_eq!(patches(&fake).len(), 2);
    }

    #[wasm_bindgen_test]
    async fn viewers_get_the_flags_as_text_and_no_switch() {
        let fake =
            registry(|req| attributes_answer(req.uri().path(), flags(true, true, true, true)));
        let transport = Gated::new(fake.clone());
        let mut setup = Setup::tag(attrs(false, true));
        setup.can_write = false;
        let panel = mount_panel(&transport, setup);
        tick().await;
        let root = &panel.root;
        assert!(all(root, "[role=\"switch\"]").is_empty(), "no switch for a viewer");
        let enabled: Vec<_> = all(root, "button")
            .into_iter()
            .filter(|b| !is_disabled(b) && b.closest("dialog").unwrap().is_none())
            .collect();
        assert!(enabled.is_empty(), "no enabled button outside the (closed) dialog");
        let all_text = text(root);
        assert!(all_text.contains(READ_ONLY_NOTICE), "{all_text}");
        let flags = root.query_selector("dl.lock-flags").unwrap().expect("the flags as a list");
        let flags_text = text(&flags);
        assert!(flags_text.contains("Write enabledOff"), "{flags_text}");
        assert!(flags_text.contains("Delete enabledOn"), "{flags_text}");
        assert!(fake.requests().is_empty(), "looking sends nothing");
    }

    #[wasm_bindgen_test]
    async fn while_access_is_checked_the_panel_claims_neither_switches_nor_read_only() {
        let fake =
            registry(|req| attributes_answer(req.uri().path(), flags(true, true, true, true)));
        let transport = Gated::new(fake.clone());
        let client = client(&transport);
        let root = fresh_container();
        let can_write = RwSignal::new(false);
        let checking = RwSignal::new(true);
        let _mounted = mount_to(root.clone(), move || {
            let action = lock_action(client, tag_target());
            view! {
                <LockPanel
                    target=tag_target()
                    attributes=attrs(false, true)
                    can_write
                    checking_access=checking
                    action
                    on_changed=|_| {}
                />
            }
        });
        tick().await;
        let shown = text(&root);
        assert!(shown.contains("Checking your access…"), "{shown}");
        assert!(!shown.contains(READ_ONLY_NOTICE), "not read-only before it is known: {shown}");
        assert!(all(&root, "[role=\"switch\"]").is_empty());
        assert!(shown.contains("Write enabledOff"), "the flags already show: {shown}");

        // An account that may write: the switches replace the text.
        checking.set(false);
        can_write.set(true);
        tick().await;
        switch(&root, "Write enabled for prod/payments/api:1.4.2");
        assert!(!text(&root).contains("Checking your access"));

        // An account that may not: the read-only line.
        can_write.set(false);
        tick().await;
        assert!(all(&root, "[role=\"switch\"]").is_empty());
        assert!(text(&root).contains(READ_ONLY_NOTICE));
        assert!(fake.requests().is_empty());
    }

    #[wasm_bindgen_test]
    async fn repository_and_manifest_panels_name_their_target_and_the_inherited_lock_shows() {
        let fake =
            registry(|req| attributes_answer(req.uri().path(), flags(true, true, true, true)));
        let transport = Gated::new(fake);
        let mut setup = Setup::tag(attrs(true, true));
        setup.target = ArtifactRef::Repository(repo());
        let repository = mount_panel(&transport, setup);
        tick().await;
        switch(&repository.root, "Write enabled for prod/payments/api");
        switch(&repository.root, "List enabled for prod/payments/api");
        assert!(text(&repository.root).contains("Locking the repository locks all its images"));
        assert!(!text(&repository.root).contains("Locked by repository"));

        let mut setup = Setup::tag(attrs(true, true));
        setup.target = ArtifactRef::Manifest(repo(), Digest::new(DIGEST).unwrap());
        setup.inherited = Some(attrs(false, true));
        setup.registry = Some("prod");
        let manifest = mount_panel(&transport, setup);
        tick().await;
        let root = &manifest.root;
        switch(root, &format!("Write enabled for prod/payments/api@{DIGEST}"));
        let notice = root
            .query_selector(".lock-panel__inherited")
            .unwrap()
            .expect("an inherited-lock notice");
        assert!(text(&notice).contains(
            "Locked by repository prod/payments/api: writes and deletes are refused whatever these switches say"
        ), "{}", text(&notice));
        let link = notice.query_selector("a").unwrap().expect("a link to the repository");
        assert_eq!(attr(&link, "href").as_deref(), Some("/r/prod/prod%2Fpayments%2Fapi"));
        assert!(!text(root).contains("Locking the repository"));

        // The advanced flags carry their warning.
        let advanced = root.query_selector("details").unwrap().expect("an Advanced disclosure");
        assert_eq!(text(&advanced.query_selector("summary").unwrap().unwrap()), "Advanced");
        let warning = text(&advanced);
        assert!(
            warning.contains("blocks pulls") && warning.contains("may not find it again in a list"),
            "{warning}"
        );
    }
}

// ================================================================================================
// Sign-in (auth): the sign-in page in each session state, the signed-in account and Sign out in
// the shell, and the RequireSignIn gate. Sessions are fixed in a state
// (`provide_session_in_state`), so no test touches the address bar or storage.
// ================================================================================================
mod sign_in {
    use super::*;
    use acr_console::{
        auth::{provide_session_in_state, report_problem, Account, RequireSignIn, SessionState},
        config::{parse, SharedConfig},
        pages::sign_in::SignInPage,
        problem::Problem,
    };
    use leptos_router::components::Router;
    use std::sync::Arc;

    /// A configuration with an Entra registry and, when `token` is set, a token registry.
    fn config(token: bool) -> SharedConfig {
        let origin = window().location().origin().expect("an origin");
        let mut registries = vec![serde_json::json!(
            {"name": "prod", "loginServer": "prod.azurecr.io", "endpoint": "/registry/prod"}
        )];
        if token {
            registries.push(serde_json::json!(
                {"name": "edge", "loginServer": "edge.azurecr.io", "endpoint": "/registry/edge", "signIn": "token"}
            ));
        }
        let text = serde_json::json!({
            "auth": {"clientId": "c0de", "authority": "https://login.example/t",
                     "redirectUri": format!("{origin}/")},
            "registries": registries,
        });
        Arc::new(parse(&text.to_string(), &origin).expect("a valid test configuration"))
    }

    /// Mounts the sign-in page (inside a router) with a session fixed in `state`; `problem` is
    /// reported on the session first.
    fn mount_sign_in(
        token: bool,
        state: SessionState,
        problem: Option<Problem>,
    ) -> (HtmlElement, leptos::mount::UnmountHandle<impl Mountable>) {
        let container = fresh_container();
        let handle = mount_to(container.clone(), move || {
            let config = config(token);
            provide_context(config.clone());
            let session = provide_session_in_state(config, state);
            if let Some(p) = problem {
                report_problem(&session, p);
            }
            view! { <Router><SignInPage /></Router> }
        });
        (container, handle)
    }

    fn buttons_named(root: &Element, name: &str) -> Vec<Element> {
        let found = root.query_selector_all("button").unwrap();
        (0..found.length())
            .filter_map(|i| found.item(i)?.dyn_into::<Element>().ok())
            .filter(|b| text(b).trim() == name)
            .collect()
    }

    fn h1(root: &Element) -> Option<String> {
        root.query_selector("h1").unwrap().map(|h| text(&h))
    }

    /// The control a `<label>` with `text` names (through its `for`).
    fn labelled(root: &Element, label_text: &str) -> Element {
        let labels = root.query_selector_all("label").unwrap();
        let label = (0..labels.length())
            .filter_map(|i| labels.item(i)?.dyn_into::<Element>().ok())
            .find(|l| text(l) == label_text)
            .unwrap_or_else(|| panic!("a label \"{label_text}\""));
        let id = label.get_attribute("for").expect("the label names its control");
        root.query_selector(&format!("#{id}")).unwrap().expect("the labelled control exists")
    }

    #[wasm_bindgen_test]
    async fn signed_out_entra_only_offers_sign_in_with_microsoft() {
        let (root, _h) = mount_sign_in(false, SessionState::SignedOut, None);
        tick().await;
        assert_eq!(h1(&root).as_deref(), Some("Sign in"));
        let button = buttons_named(&root, "Sign in with Microsoft");
        assert_eq!(button.len(), 1, "one Microsoft sign-in button");
        assert_eq!(button[0].get_attribute("type").as_deref(), Some("button"));
        assert!(text(&root).contains("prod"), "it says which registries it is for");
        assert!(
            root.query_selector("form").unwrap().is_none(),
            "no token form without a token registry"
        );
        assert!(by_test_id(&root, "sign-in-problem").is_none(), "no problem to report");
    }

    #[wasm_bindgen_test]
    async fn the_token_form_has_labelled_fields_and_announces_what_is_missing() {
        let (root, _h) = mount_sign_in(true, SessionState::SignedOut, None);
        tick().await;
        assert_eq!(buttons_named(&root, "Sign in with Microsoft").len(), 1);
        let user = labelled(&root, "Username");
        assert_eq!(user.tag_name(), "INPUT");
        assert_eq!(user.get_attribute("autocomplete").as_deref(), Some("username"));
        let password = labelled(&root, "Password");
        assert_eq!(password.get_attribute("type").as_deref(), Some("password"));
        assert_eq!(password.get_attribute("autocomplete").as_deref(), Some("current-password"));

        let live = by_test_id(&root, "token-error").expect("the announcement region is there");
        assert_eq!(live.get_attribute("role").as_deref(), Some("alert"));
        assert_eq!(text(&live), "", "silent until something goes wrong");
        let submit = buttons_named(&root, "Sign in with token");
        assert_eq!(submit.len(), 1);
        assert_eq!(submit[0].get_attribute("type").as_deref(), Some("submit"));
        submit[0].unchecked_ref::<HtmlElement>().click();
        for _ in 0..5 {
            tick().await;
        }
        let said = text(&live);
        assert!(said.contains("Username and password needed"), "{said}");
        assert!(said.contains("Fill in both fields"), "the remedy is announced too: {said}");
    }

    #[wasm_bindgen_test]
    async fn a_failed_sign_in_is_explained_with_a_remedy() {
        let problem = Problem::new(
            "Sign-in could not be finished",
            "The answer from the sign-in authority does not belong to a sign-in started here.",
            "Start the sign-in again with the button below.",
        );
        let (root, _h) = mount_sign_in(false, SessionState::SignedOut, Some(problem));
        tick().await;
        let shown = by_test_id(&root, "sign-in-problem").expect("the problem is shown");
        assert_eq!(shown.get_attribute("role").as_deref(), Some("alert"));
        let said = text(&shown);
        assert!(said.contains("could not be finished") && said.contains("Start the sign-in again"));
        assert_eq!(buttons_named(&root, "Sign in with Microsoft").len(), 1, "and the way to retry");
    }

    #[wasm_bindgen_test]
    async fn while_restoring_the_page_shows_progress_not_the_form() {
        let (root, _h) = mount_sign_in(true, SessionState::Restoring, None);
        tick().await;
        assert_ne!(h1(&root).as_deref(), Some("Sign in"));
        let status = by_test_id(&root, "session-status").expect("a status");
        assert_eq!(status.get_attribute("role").as_deref(), Some("status"));
        assert!(buttons_named(&root, "Sign in with Microsoft").is_empty());
        assert!(root.query_selector("form").unwrap().is_none());
    }

    #[wasm_bindgen_test]
    async fn the_shell_shows_the_account_and_a_sign_out_button() {
        let container = fresh_container();
        let account = RwSignal::new(Some(Account {
            name: "Adele Admin".into(),
            username: "admin@contoso.example".into(),
        }));
        let clicks = RwSignal::new(0);
        let _mounted = mount_to(container.clone(), move || {
            view! {
                <AppShell
                    current=Some(Route::Home)
                    account=account
                    on_sign_out=Callback::new(move |()| clicks.update(|n| *n += 1))
                >
                    "page"
                </AppShell>
            }
        });
        tick().await;
        let banner = only_landmark(&container, "banner");
        let name = by_test_id(&banner, "account-name").expect("the name is in the banner");
        assert_eq!(text(&name), "Adele Admin");
        let user = by_test_id(&banner, "account-username").expect("and the user name");
        assert_eq!(text(&user), "admin@contoso.example");
        let sign_out = buttons_named(&banner, "Sign out");
        assert_eq!(sign_out.len(), 1);
        sign_out[0].unchecked_ref::<HtmlElement>().click();
        tick().await;
        assert_eq!(clicks.get_untracked(), 1, "Sign out runs the callback");

        // Signed out: no account and no button.
        account.set(None);
        tick().await;
        assert!(by_test_id(&banner, "account").is_none());
        assert!(buttons_named(&banner, "Sign out").is_empty());
    }

    #[wasm_bindgen_test]
    async fn the_shell_reads_the_account_from_the_session_by_default() {
        let container = fresh_container();
        let _mounted = mount_to(container.clone(), move || {
            provide_session_in_state(
                config(false),
                SessionState::SignedIn(Account {
                    name: "ci-readonly".into(),
                    username: "ci-readonly".into(),
                }),
            );
            view! { <AppShell current=Some(Route::Home)>"page"</AppShell> }
        });
        tick().await;
        let banner = only_landmark(&container, "banner");
        assert_eq!(
            by_test_id(&banner, "account-name").map(|e| text(&e)).as_deref(),
            Some("ci-readonly")
        );
        assert!(by_test_id(&banner, "account-username").is_none(), "the same name is not repeated");
        assert_eq!(buttons_named(&banner, "Sign out").len(), 1);
    }

    #[wasm_bindgen_test]
    async fn require_sign_in_shows_its_children_only_when_signed_in() {
        for (state, shown) in [
            (SessionState::Restoring, false),
            (SessionState::SignedIn(Account { name: "A".into(), username: "a".into() }), true),
        ] {
            let container = fresh_container();
            let restoring = state == SessionState::Restoring;
            let _mounted = mount_to(container.clone(), move || {
                provide_session_in_state(config(false), state);
                view! {
                    <Router>
                        <RequireSignIn>
                            <p data-testid="secret">"protected"</p>
                        </RequireSignIn>
                    </Router>
                }
            });
            tick().await;
            assert_eq!(by_test_id(&container, "secret").is_some(), shown);
            let status = by_test_id(&container, "session-status");
            if restoring {
                let status = status.expect("a quiet status while restoring");
                assert_eq!(text(&status), "Restoring your session…");
                assert_eq!(status.get_attribute("role").as_deref(), Some("status"));
            } else {
                assert!(status.is_none());
            }
        }
    }
}
// ================================================================================================
// Browsing (VirtualList, RepositoryList, TagTable, ManifestTable, LockBadges, LoadProgress,
// ErrorView): mounted with plain data and the real style/browse.css, so the virtual list's
// viewport has its real size and only the rows in view are in the DOM.
// ================================================================================================
mod browse {
    use super::*;
    use acr_console::{
        components::{
            error_view::ErrorView,
            lock_badges::LockBadges,
            manifest_table::ManifestTable,
            progress::{LoadProgress, Progress},
            repository_list::RepositoryList,
            tag_table::{join_tags, TagTable},
            virtual_list::{Row, VirtualList},
        },
        problem::Problem,
    };
    use acr_types::{
        media_type, ChangeableAttributes, Digest, ManifestAttributesBase, ManifestReference,
        RepositoryName, TagAttributesBase, TagName, Timestamp,
    };
    use std::{
        cell::RefCell,
        future::Future,
        pin::Pin,
        rc::Rc,
        task::{Context, Poll, Waker},
        time::Duration,
    };

    /// Puts tokens.css and browse.css into the document once.
    fn with_styles() {
        let document = document();
        if document.get_element_by_id("browse-test-styles").is_some() {
            return;
        }
        let style = document.create_element("style").unwrap();
        style.set_id("browse-test-styles");
        style.set_text_content(Some(concat!(
            include_str!("../style/tokens.css"),
            include_str!("../style/browse.css")
        )));
        document.head().unwrap().append_child(&style).unwrap();
    }

    /// Resolves after `ms` milliseconds (lets scroll events and animation frames run).
    struct Sleep(Rc<RefCell<(bool, Option<Waker>)>>);

    impl Future for Sleep {
        type Output = ();
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            let mut state = self.0.borrow_mut();
            if state.0 {
                Poll::Ready(())
            } else {
                state.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }

    fn sleep(ms: u64) -> Sleep {
        let state = Rc::new(RefCell::new((false, None::<Waker>)));
        let fire = state.clone();
        set_timeout(
            move || {
                let mut s = fire.borrow_mut();
                s.0 = true;
                if let Some(w) = s.1.take() {
                    w.wake();
                }
            },
            Duration::from_millis(ms),
        );
        Sleep(state)
    }

    /// Waits (up to two seconds) until `done` holds.
    async fn until(what: &str, mut done: impl FnMut() -> bool) {
        for _ in 0..100 {
            tick().await;
            if done() {
                return;
            }
            sleep(20).await;
        }
        panic!("timed out waiting until {what}");
    }

    fn all(root: &Element, css: &str) -> Vec<Element> {
        let found = root.query_selector_all(css).expect("a valid selector");
        (0..found.length()).filter_map(|i| found.item(i)?.dyn_into::<Element>().ok()).collect()
    }

    /// The `data-index` of every rendered row.
    fn rendered_indices(root: &Element) -> Vec<usize> {
        let mut v: Vec<usize> = all(root, "[data-index]")
            .iter()
            .filter_map(|r| r.get_attribute("data-index")?.parse().ok())
            .collect();
        v.sort_unstable();
        v
    }

    /// Dispatches a bubbling `keydown` of `key` at `target`.
    fn key_down(target: &Element, key: &str) {
        let f = js_sys::Function::new_with_args(
            "el, key",
            "el.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}))",
        );
        f.call2(&wasm_bindgen::JsValue::NULL, target, &key.into()).expect("dispatch keydown");
    }

    /// The `data-index` of the row holding keyboard focus.
    fn focused_row() -> Option<usize> {
        document()
            .active_element()?
            .closest("[data-index]")
            .ok()??
            .get_attribute("data-index")?
            .parse()
            .ok()
    }

    fn flags(write: bool, delete: bool, read: bool, list: bool) -> ChangeableAttributes {
        ChangeableAttributes {
            write_enabled: write,
            delete_enabled: delete,
            read_enabled: read,
            list_enabled: list,
            ..Default::default()
        }
    }

    fn open() -> ChangeableAttributes {
        flags(true, true, true, true)
    }

    fn digest(c: char) -> Digest {
        Digest::new(format!("sha256:{}", c.to_string().repeat(64))).unwrap()
    }

    fn time() -> Timestamp {
        Timestamp::parse("2026-01-01T00:00:00Z").unwrap()
    }

    fn tag(name: &str, d: char, own: ChangeableAttributes) -> TagAttributesBase {
        TagAttributesBase {
            name: TagName::new(name).unwrap(),
            digest: digest(d),
            created_time: time(),
            last_update_time: time(),
            signed: None,
            changeable_attributes: own,
        }
    }

    fn manifest(
        d: char,
        tags: &[&str],
        platforms: &[(&str, &str)],
        own: ChangeableAttributes,
    ) -> ManifestAttributesBase {
        let list = !platforms.is_empty();
        ManifestAttributesBase {
            digest: digest(d),
            image_size: Some(245_000_000),
            created_time: time(),
            last_update_time: time(),
            architecture: (!list).then(|| "amd64".into()),
            os: (!list).then(|| "linux".into()),
            references: list.then(|| {
                platforms
                    .iter()
                    .zip(['1', '2', '3'])
                    .map(|((os, arch), c)| ManifestReference {
                        digest: digest(c),
                        architecture: Some((*arch).into()),
                        os: Some((*os).into()),
                    })
                    .collect()
            }),
            media_type: Some(
                if list { media_type::OCI_INDEX } else { media_type::OCI_MANIFEST }.into(),
            ),
            config_media_type: None,
            tags: (!tags.is_empty())
                .then(|| tags.iter().map(|t| TagName::new(*t).unwrap()).collect()),
            changeable_attributes: own,
        }
    }

    fn repo() -> RepositoryName {
        RepositoryName::new("prod/payments/api").unwrap()
    }

    /// A 10,000-row virtual list of links, as the repository list uses it.
    fn mount_long_list() -> (HtmlElement, impl Sized) {
        with_styles();
        let container = fresh_container();
        let mounted = mount_to(container.clone(), || {
            let items = Signal::stored((0..10_000_usize).collect::<Vec<_>>());
            let row = |row: Row<usize>| {
                let text = ["Row ", row.index.to_string().as_str()].concat();
                view! {
                    <a href="#" data-roving tabindex=row.tab_index()>
                        {text}
                    </a>
                }
            };
            view! { <VirtualList items row label="Numbers" /> }
        });
        (container, mounted)
    }

    #[wasm_bindgen_test]
    async fn the_virtual_list_renders_only_the_rows_in_view_and_follows_the_scroll() {
        let (container, _mounted) = mount_long_list();
        until("the first rows render", || !rendered_indices(&container).is_empty()).await;
        let list = container.query_selector("ul[role=list]").unwrap().expect("a list");
        assert_eq!(list.get_attribute("aria-label").as_deref(), Some("Numbers"));
        let first = rendered_indices(&container);
        assert_eq!(first[0], 0);
        assert!(first.len() < 40, "{} rows rendered of 10,000", first.len());
        let row0 = container.query_selector("[data-index=\"0\"]").unwrap().unwrap();
        assert_eq!(row0.get_attribute("aria-setsize").as_deref(), Some("10000"));
        assert_eq!(row0.get_attribute("aria-posinset").as_deref(), Some("1"));
        // The spacer is as tall as all the rows, so the scrollbar is honest.
        let spacer: HtmlElement = list.clone().unchecked_into();
        assert!(spacer.offset_height() >= 10_000 * 40, "spacer {}", spacer.offset_height());

        // Scroll to the middle: the window moves there and stays small.
        let viewport: HtmlElement =
            container.query_selector(".vlist").unwrap().unwrap().unchecked_into();
        let row_height = f64::from(row0.unchecked_ref::<HtmlElement>().offset_height());
        viewport.set_scroll_top((row_height * 5_000.0) as i32);
        until("row 5,000 renders", || rendered_indices(&container).contains(&5_000)).await;
        let window = rendered_indices(&container);
        assert!(!window.contains(&0), "row 0 left the DOM: {window:?}");
        assert!(window.len() < 40, "{} rows rendered", window.len());
        assert!(window.iter().all(|i| (4_980..5_040).contains(i)), "{window:?}");
        // Each row sits where its index says.
        let row = container.query_selector("[data-index=\"5000\"]").unwrap().unwrap();
        let top = row.unchecked_ref::<HtmlElement>().offset_top();
        assert_eq!(f64::from(top), row_height * 5_000.0);
        assert_eq!(row.get_attribute("aria-posinset").as_deref(), Some("5001"));
    }

    #[wasm_bindgen_test]
    async fn the_virtual_list_is_one_tab_stop_and_arrow_keys_move_through_it() {
        let (container, _mounted) = mount_long_list();
        until("the first rows render", || !rendered_indices(&container).is_empty()).await;
        let tab_stops = all(&container, "a[tabindex=\"0\"]");
        assert_eq!(tab_stops.len(), 1, "exactly one row link is in the tab order");
        let link: HtmlElement = tab_stops[0].clone().unchecked_into();
        assert_eq!(text(&link), "Row 0");
        link.focus().unwrap();

        key_down(&link, "ArrowDown");
        until("focus moves to row 1", || focused_row() == Some(1)).await;
        assert_eq!(all(&container, "a[tabindex=\"0\"]").len(), 1);
        let active = document().active_element().unwrap();
        assert_eq!(active.get_attribute("tabindex").as_deref(), Some("0"));

        // End goes to the last row, far outside the first window: it is rendered and focused.
        key_down(&active, "End");
        until("focus moves to the last row", || focused_row() == Some(9_999)).await;
        assert!(rendered_indices(&container).len() < 40);
        let active = document().active_element().unwrap();
        key_down(&active, "ArrowUp");
        until("focus moves up one row", || focused_row() == Some(9_998)).await;
        let active = document().active_element().unwrap();
        key_down(&active, "Home");
        until("focus returns to the first row", || focused_row() == Some(0)).await;
    }

    #[wasm_bindgen_test]
    async fn the_repository_list_links_each_name_and_marks_the_filter() {
        with_styles();
        let container = fresh_container();
        let _mounted = mount_to(container.clone(), || {
            let names = ["prod/payments/api", "staging/payments/api"]
                .map(|n| RepositoryName::new(n).unwrap())
                .to_vec();
            view! {
                <RepositoryList
                    registry="demo"
                    names=Signal::stored(names)
                    filter=Signal::stored("PAY".to_owned())
                />
            }
        });
        until("the rows render", || rendered_indices(&container).len() == 2).await;
        let links = all(&container, "li a");
        assert_eq!(
            links[0].get_attribute("href").as_deref(),
            Some("/r/demo/prod%2Fpayments%2Fapi")
        );
        assert_eq!(text(&links[0]), "prod/payments/api");
        let mark = links[0].query_selector("mark").unwrap().expect("the match is marked");
        assert_eq!(text(&mark), "pay");
    }

    #[wasm_bindgen_test]
    async fn lock_badges_are_words_with_one_accessible_summary() {
        let container = fresh_container();
        let _mounted = mount_to(container.clone(), || {
            view! {
                <div data-testid="tag">
                    <LockBadges
                        subject="Tag"
                        own=flags(false, false, true, true)
                        manifest=Some(flags(true, false, true, true))
                    />
                </div>
                <div data-testid="open">
                    <LockBadges subject="Manifest" own=open() repository=Some(open()) />
                </div>
                <div data-testid="inherited">
                    <LockBadges
                        subject="Tag"
                        own=open()
                        repository=Some(flags(false, true, false, true))
                    />
                </div>
            }
        });
        tick().await;
        let badges = |id: &str| {
            let group = by_test_id(&container, id)
                .unwrap()
                .query_selector(".lock-badges")
                .unwrap()
                .unwrap();
            let words = all(&group, ".badge").iter().map(text).collect::<Vec<_>>();
            (group, words)
        };

        let (group, words) = badges("tag");
        assert_eq!(group.get_attribute("role").as_deref(), Some("img"));
        assert_eq!(
            group.get_attribute("aria-label").as_deref(),
            Some("Tag: write and delete locked; manifest: delete locked")
        );
        assert_eq!(words, ["Write locked", "Delete locked", "Delete locked"]);
        let who = all(&group, ".lock-badges__who").iter().map(text).collect::<Vec<_>>();
        assert_eq!(who, ["Tag", "Manifest"], "two groups say whose flags they are");

        let (group, words) = badges("open");
        assert_eq!(words, ["Unlocked"], "an unlocked repository adds nothing");
        assert_eq!(group.get_attribute("aria-label").as_deref(), Some("Manifest: unlocked"));

        let (group, words) = badges("inherited");
        assert_eq!(words, ["Unlocked", "Locked by repository"]);
        assert_eq!(
            group.get_attribute("aria-label").as_deref(),
            Some("Tag: unlocked; locked by repository: write locked, read off")
        );
        let inherited = group.query_selector(".badge--inherited").unwrap().unwrap();
        assert_eq!(
            inherited.get_attribute("title").as_deref(),
            Some("The repository is write locked, read off")
        );
    }

    #[wasm_bindgen_test]
    async fn the_tag_table_shows_each_tags_own_flags_and_its_manifests() {
        with_styles();
        let container = fresh_container();
        let repository = RwSignal::new(Some(open()));
        let _mounted = mount_to(container.clone(), move || {
            let tags = [
                tag("1.4.2", 'a', flags(false, false, true, true)),
                tag("latest", 'a', open()),
                tag("1.3.0", 'b', open()),
                tag("orphan", 'c', open()),
            ];
            let manifests = [
                manifest('a', &["1.4.2", "latest"], &[], flags(true, false, true, true)),
                manifest('b', &["1.3.0"], &[], open()),
            ];
            let rows = join_tags(&tags, &manifests);
            view! {
                <TagTable
                    registry="demo"
                    repo=repo()
                    rows=Signal::stored(rows)
                    repository=repository
                />
            }
        });
        until("the rows render", || rendered_indices(&container).len() == 4).await;
        let table = container.query_selector("[role=table]").unwrap().expect("a table");
        assert_eq!(table.get_attribute("aria-label").as_deref(), Some("Tags of prod/payments/api"));
        assert_eq!(table.get_attribute("aria-rowcount").as_deref(), Some("5"), "header + 4 rows");
        let headers = all(&table, "[role=columnheader]").iter().map(text).collect::<Vec<_>>();
        assert_eq!(headers, ["Tag", "Digest", "Created", "Updated", "Lock state"]);

        let row = |i: usize| {
            container.query_selector(&format!("[role=row][data-index=\"{i}\"]")).unwrap().unwrap()
        };
        let summary = |i: usize| {
            row(i)
                .query_selector(".lock-badges")
                .unwrap()
                .unwrap()
                .get_attribute("aria-label")
                .unwrap()
        };
        assert_eq!(summary(0), "Tag: write and delete locked; manifest: delete locked");
        assert_eq!(
            summary(1),
            "Tag: unlocked; manifest: delete locked",
            "latest shares 1.4.2's manifest"
        );
        assert_eq!(summary(2), "Tag: unlocked; manifest: unlocked");
        assert_eq!(summary(3), "Tag: unlocked", "a manifest missing from the list is not invented");
        assert_eq!(row(0).get_attribute("aria-rowindex").as_deref(), Some("2"));

        let name = row(1).query_selector(".cell--name a").unwrap().unwrap();
        assert_eq!(
            name.get_attribute("href").as_deref(),
            Some("/r/demo/prod%2Fpayments%2Fapi/tags/latest")
        );
        let digest_link = row(1).query_selector(".cell--digest a").unwrap().unwrap();
        assert_eq!(
            digest_link.get_attribute("href").as_deref(),
            Some(format!("/r/demo/prod%2Fpayments%2Fapi/manifests/{}", digest('a')).as_str())
        );
        assert_eq!(digest_link.get_attribute("title").as_deref(), Some(digest('a').as_str()));
        assert_eq!(text(&digest_link), digest('a').short());
        let copy = row(1).query_selector("button.digest__copy").unwrap().unwrap();
        assert_eq!(copy.get_attribute("aria-label"), Some(format!("Copy digest {}", digest('a'))));
        let time = row(1).query_selector("time").unwrap().unwrap();
        assert_eq!(time.get_attribute("datetime").as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(time.get_attribute("title").as_deref(), Some("2026-01-01 00:00:00 UTC"));

        // Locking the repository shows on every row, and unlocking it clears that.
        repository.set(Some(flags(false, true, true, true)));
        until("every row says locked by repository", || {
            all(&container, ".badge--inherited").len() == 4
        })
        .await;
        assert!(summary(2).ends_with("; locked by repository: write locked"), "{}", summary(2));
        repository.set(Some(open()));
        until("the inherited badges go", || all(&container, ".badge--inherited").is_empty()).await;
    }

    #[wasm_bindgen_test]
    async fn the_manifest_table_shows_platforms_size_type_and_tags() {
        with_styles();
        let container = fresh_container();
        let _mounted = mount_to(container.clone(), || {
            let rows = vec![
                manifest(
                    'a',
                    &["1.4.2", "latest", "stable", "prod"],
                    &[("linux", "amd64"), ("linux", "arm64")],
                    flags(false, false, true, true),
                ),
                manifest('1', &[], &[], open()),
            ];
            view! {
                <ManifestTable
                    registry="demo"
                    repo=repo()
                    rows=Signal::stored(rows)
                    repository=Signal::stored(Some(open()))
                />
            }
        });
        until("the rows render", || rendered_indices(&container).len() == 2).await;
        let cell = |i: usize, class: &str| {
            let css = format!("[role=row][data-index=\"{i}\"] .cell--{class}");
            text(&container.query_selector(&css).unwrap().unwrap())
        };
        assert_eq!(cell(0, "platform"), "multi-archlinux/amd64, linux/arm64");
        assert_eq!(cell(0, "size"), "245 MB");
        assert_eq!(cell(0, "type"), "OCI index");
        assert_eq!(cell(0, "tags"), "1.4.2lateststable+1 more", "three tags, then a count");
        assert_eq!(cell(1, "platform"), "linux/amd64");
        assert_eq!(cell(1, "type"), "OCI image");
        assert_eq!(cell(1, "tags"), "untagged");
        let badges = container
            .query_selector("[data-index=\"0\"] .lock-badges")
            .unwrap()
            .unwrap()
            .get_attribute("aria-label");
        assert_eq!(badges.as_deref(), Some("Manifest: write and delete locked"));
        let tag_link = container.query_selector("[data-index=\"0\"] a.tag-chip").unwrap().unwrap();
        assert_eq!(
            tag_link.get_attribute("href").as_deref(),
            Some("/r/demo/prod%2Fpayments%2Fapi/tags/1.4.2")
        );
    }

    #[wasm_bindgen_test]
    async fn load_progress_counts_up_then_states_the_total() {
        let container = fresh_container();
        let progress = RwSignal::new(Progress::default());
        let _mounted = mount_to(container.clone(), move || {
            view! { <LoadProgress progress singular="repository" plural="repositories" /> }
        });
        tick().await;
        let status = container.query_selector("[role=status]").unwrap().unwrap();
        assert_eq!(text(&status), "Loading repositories…");
        progress.set(Progress { loaded: 3_000, total: None, done: false });
        tick().await;
        assert_eq!(text(&status), "Loaded 3,000 repositories — loading more…");
        let bar =
            container.query_selector("progress").unwrap().expect("a progress bar while loading");
        assert!(!bar.has_attribute("value"), "indeterminate when the total is unknown");
        progress.set(Progress { loaded: 10_001, total: None, done: true });
        tick().await;
        assert_eq!(text(&status), "10,001 repositories");
        assert_eq!(status.get_attribute("data-done").as_deref(), Some("true"));
        assert!(container.query_selector("progress").unwrap().is_none(), "no bar when done");
    }

    #[wasm_bindgen_test]
    async fn the_error_view_offers_retry_and_sign_in_when_they_help() {
        let container = fresh_container();
        let retried = RwSignal::new(0);
        let _mounted = mount_to(container.clone(), move || {
            let problem = Problem {
                title: "Signed out".into(),
                detail: "Your session ended.".into(),
                remedy: "Sign in again.".into(),
                sign_in: true,
                retry: true,
            };
            view! {
                <ErrorView problem on_retry=move |_| retried.update(|n| *n += 1) return_to="/r/demo?q=api" />
            }
        });
        tick().await;
        let alert = container.query_selector("[role=alert]").unwrap().expect("an alert");
        assert!(text(&alert).contains("Your session ended."));
        let button = alert.query_selector("button").unwrap().expect("a retry button");
        assert_eq!(text(&button), "Try again");
        button.unchecked_ref::<HtmlElement>().click();
        tick().await;
        assert_eq!(retried.get_untracked(), 1);
        let link = alert.query_selector("a").unwrap().expect("a sign-in link");
        assert_eq!(text(&link), "Sign in");
        let href = link.get_attribute("href").unwrap();
        assert_eq!(
            Route::parse(&href),
            Some(Route::SignIn { return_to: Some("/r/demo?q=api".into()) })
        );

        // A problem neither retry nor sign-in fixes offers neither.
        let plain = fresh_container();
        let _mounted = mount_to(plain.clone(), || {
            view! { <ErrorView problem=Problem::new("Not found", "No such tag.", "Check the name.") on_retry=|_| () /> }
        });
        tick().await;
        assert!(plain.query_selector("button, a").unwrap().is_none());
    }

    #[wasm_bindgen_test]
    async fn a_tag_and_its_manifest_with_the_same_flags_share_one_badge_group() {
        let container = fresh_container();
        let _mounted = mount_to(container.clone(), || {
            view! {
                <LockBadges
                    subject="Tag"
                    own=flags(false, false, true, true)
                    manifest=Some(flags(false, false, true, true))
                    repository=Some(flags(false, true, true, true))
                />
            }
        });
        tick().await;
        let group = container.query_selector(".lock-badges").unwrap().unwrap();
        let who = all(&group, ".lock-badges__who").iter().map(text).collect::<Vec<_>>();
        assert_eq!(who, ["Tag & manifest"]);
        let words = all(&group, ".badge").iter().map(text).collect::<Vec<_>>();
        assert_eq!(words, ["Write locked", "Delete locked", "Locked by repository"]);
        // The accessible summary still names both, and the repository.
        assert_eq!(
            group.get_attribute("aria-label").as_deref(),
            Some(
                "Tag: write and delete locked; manifest: write and delete locked; \
                 locked by repository: write locked"
            )
        );
    }

    #[wasm_bindgen_test]
    async fn stale_rows_are_dimmed_and_marked_busy_while_a_reload_runs() {
        with_styles();
        let container = fresh_container();
        let stale = RwSignal::new(false);
        let _mounted = mount_to(container.clone(), move || {
            let names = vec![RepositoryName::new("base/debian").unwrap()];
            view! {
                <RepositoryList
                    registry="demo"
                    names=Signal::stored(names)
                    filter=Signal::stored(String::new())
                    stale
                />
            }
        });
        until("the row renders", || rendered_indices(&container).len() == 1).await;
        let list = container.query_selector("ul[role=list]").unwrap().unwrap();
        assert!(!list.has_attribute("aria-busy"));
        stale.set(true);
        tick().await;
        assert_eq!(list.get_attribute("aria-busy").as_deref(), Some("true"));
        sleep(300).await; // past the fade
        let spacer: HtmlElement = list.clone().unchecked_into();
        let opacity = window()
            .get_computed_style(&spacer)
            .unwrap()
            .unwrap()
            .get_property_value("opacity")
            .unwrap();
        assert!(opacity.parse::<f64>().unwrap() < 0.9, "stale rows are dimmed: {opacity}");
        stale.set(false);
        tick().await;
        assert!(!list.has_attribute("aria-busy"));
    }
}
