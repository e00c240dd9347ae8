//! Lock changes against the registry: the one PATCH a change sends, the panel while it is saved,
//! and what it shows after: the registry's answer, or the problem (refused by a lock, not allowed,
//! registry unavailable with Try again) with the switch put back.

use crate::{
    fixtures::{repo, text},
    locks::{
        alert, attr, attributes_answer, attrs, button, click, flags, is_disabled, mount_panel,
        patches, registry, status, switch, until, Gated, Setup,
    },
};
use acr_client::transport::fake::json_response;
use acr_types::ArtifactRef;
use leptos::task::tick;
use serde_json::json;
use std::sync::Arc;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Element;

#[wasm_bindgen_test]
async fn toggling_a_switch_sends_one_patch_and_shows_what_the_registry_returned() {
    // The registry answers with more than was asked: read has been turned off elsewhere.
    let fake = registry(|req| attributes_answer(req.uri().path(), flags(false, true, false, true)));
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
    let kept = panel.store.peek(&panel.target).unwrap();
    assert!(!kept.flags.write_enabled && !kept.flags.read_enabled, "the store holds the answer");
    assert!(kept.pending.is_none());
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
    assert!(problem.contains("What to do:") && problem.contains("Unlock it first"), "{problem}");
    assert!(!status(root).starts_with("Saved"), "nothing claims success: {}", status(root));
    let kept = panel.store.peek(&panel.target).unwrap();
    assert!(kept.flags.delete_enabled && kept.pending.is_none(), "the store keeps what was");
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
    for name in ["Write enabled for prod/payments/api", "Delete enabled for prod/payments/api"] {
        let s = switch(root, name);
        assert_eq!(attr(&s, "aria-checked").as_deref(), Some("true"), "{name} is back on");
        assert!(!is_disabled(&s));
    }
    assert_eq!(attr(&button(root, "Unlock"), "aria-pressed").as_deref(), Some("true"));
    let problem = alert(root);
    assert!(problem.contains("Not allowed"), "{problem}");
    assert!(problem.contains("Repository Contributor"), "the remedy names the role: {problem}");
    assert!(panel.store.peek(&panel.target).unwrap().pending.is_none(), "nothing in flight");
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

/// A second view of the panel's artifact (as a list row shows it): badges read from the store.
fn mount_badges(
    store: &acr_console::state::lock_store::LockStore,
    target: &ArtifactRef,
) -> Element {
    use acr_console::components::lock_badges::LockBadges;
    use leptos::prelude::*;
    let root = crate::fixtures::fresh_container();
    let (store, target) = (store.clone(), target.clone());
    let mounted = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <span>
                {move || {
                    let own = store.flags(&target).unwrap_or_default();
                    view! { <LockBadges subject="Tag" own /> }
                }}
            </span>
        }
    });
    mounted.forget();
    root.into()
}

fn badge_summary(root: &Element) -> String {
    let badges = root.query_selector(".lock-badges").unwrap().expect("badges");
    badges.get_attribute("aria-label").unwrap_or_default()
}

#[wasm_bindgen_test]
async fn every_view_of_an_artifact_follows_the_store_after_a_change_and_after_a_refusal() {
    // Lock write: the registry agrees; then turn delete off: the registry refuses.
    let fake = registry(|req| {
        if req.body().windows(13).any(|w| w == b"deleteEnabled") {
            json_response(
                405,
                &json!({"errors": [{"code": "REGISTRY_DISALLOWED_OPERATION", "message": "no"}]}),
                &[],
            )
        } else {
            attributes_answer(req.uri().path(), flags(false, true, true, true))
        }
    });
    let transport = Gated::new(fake.clone());
    let panel = mount_panel(&transport, Setup::tag(attrs(true, true)));
    let row = mount_badges(&panel.store, &panel.target);
    tick().await;
    assert_eq!(badge_summary(&row), "Tag: unlocked");

    click(&switch(&panel.root, "Write enabled for prod/payments/api:1.4.2"));
    until("the row shows the registry's answer", || badge_summary(&row) == "Tag: write locked")
        .await;

    let delete = switch(&panel.root, "Delete enabled for prod/payments/api:1.4.2");
    click(&delete);
    until("the refusal is shown", || !alert(&panel.root).is_empty()).await;
    assert_eq!(attr(&delete, "aria-checked").as_deref(), Some("true"), "the switch is back");
    assert_eq!(badge_summary(&row), "Tag: write locked", "the other view never moved");
    assert!(panel.store.peek(&panel.target).unwrap().pending.is_none());
}
