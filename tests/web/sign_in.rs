//! Sign-in (auth): the sign-in page in each session state, the signed-in account and Sign out in
//! the shell, and the RequireSignIn gate. Sessions are fixed in a state
//! (`provide_session_in_state`), so no test touches the address bar or storage.

use crate::fixtures::{by_test_id, fresh_container, only_landmark, text};
use acr_console::{
    auth::{provide_session_in_state, report_problem, Account, RequireSignIn, SessionState},
    components::app_shell::AppShell,
    config::{parse, SharedConfig},
    pages::sign_in::SignInPage,
    problem::Problem,
    routes::Route,
};
use leptos::{mount::mount_to, prelude::*, task::tick};
use leptos_router::components::Router;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlElement};

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
    // The one problem renderer (ErrorView) is the alert, once.
    assert_eq!(shown.query_selector_all("[role=\"alert\"]").unwrap().length(), 1);
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
