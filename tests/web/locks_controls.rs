//! The lock panel's controls without a failing registry: the confirmation before an unlock
//! (Cancel, Escape, confirm), presets and no-ops, Space and Enter on a switch, the read-only view
//! for viewers and while access is checked, and how repository and manifest panels name their
//! target and show an inherited lock.

use crate::{
    fixtures::{all, fresh_container, repo, text},
    locks::{
        attr, attributes_answer, attrs, button, click, client, dialog, dialog_open, dispatch,
        flags, is_disabled, mount_panel, patches, press, registry, status, switch, tag_target,
        until, Gated, Setup, DIGEST,
    },
};
use acr_console::{
    components::lock_panel::{LockPanel, READ_ONLY_NOTICE},
    state::{lock_action::lock_action, lock_store::LockStore},
};
use acr_types::{ArtifactRef, Digest};
use leptos::{mount::mount_to, prelude::*, task::tick};
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlElement;

#[wasm_bindgen_test]
async fn unlocking_asks_first_and_cancel_or_escape_send_nothing() {
    let fake = registry(|req| attributes_answer(req.uri().path(), flags(true, true, true, true)));
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
    let fake = registry(|req| attributes_answer(req.uri().path(), flags(false, false, true, true)));
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
    let fake = registry(|req| attributes_answer(req.uri().path(), flags(true, false, true, true)));
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
    let fake = registry(|req| attributes_answer(req.uri().path(), flags(true, true, true, true)));
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
    let fake = registry(|req| attributes_answer(req.uri().path(), flags(true, true, true, true)));
    let transport = Gated::new(fake.clone());
    let client = client(&transport);
    let root = fresh_container();
    let can_write = RwSignal::new(false);
    let checking = RwSignal::new(true);
    let store = LockStore::new();
    store.record(&tag_target(), &attrs(false, true), store.ticket());
    let _mounted = mount_to(root.clone(), move || {
        let action = lock_action(client, store.clone(), tag_target());
        view! {
            <LockPanel
                target=tag_target()
                store=store.clone()
                can_write
                checking_access=checking
                action
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
    let fake = registry(|req| attributes_answer(req.uri().path(), flags(true, true, true, true)));
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
    let notice =
        root.query_selector(".lock-panel__inherited").unwrap().expect("an inherited-lock notice");
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
