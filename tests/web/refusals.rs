//! Refusals in the browser: the card of a tag page says each operation's verdict as a word with
//! the deciding lock, from the lock store, says "not known" until the flags that decide are read,
//! and follows a lock change in the store at once; a tag list row carries the same explanation
//! as text in its lock cell and as a tip hidden from assistive technology.

use crate::fixtures::{all, fresh_container, repo, text};
use acr_console::{
    components::{
        refusals::{Refusals, Subject},
        tag_table::{join_tags, TagTable},
    },
    state::{contents::Listed, lock_store::LockStore},
};
use acr_types::{
    ArtifactRef, ChangeableAttributes, Digest, ManifestAttributesBase, TagAttributesBase, TagName,
    Timestamp,
};
use leptos::{mount::mount_to, prelude::*, task::tick};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Element;

/// Puts tokens.css, browse.css and locks.css into the document once (the virtual list measures
/// its rows).
fn with_styles() {
    let document = document();
    if document.get_element_by_id("refusals-test-styles").is_some() {
        return;
    }
    let style = document.create_element("style").unwrap();
    style.set_id("refusals-test-styles");
    style.set_text_content(Some(concat!(
        include_str!("../../style/tokens.css"),
        include_str!("../../style/browse.css"),
        include_str!("../../style/locks.css")
    )));
    document.head().unwrap().append_child(&style).unwrap();
}

fn flags(write: bool, delete: bool) -> ChangeableAttributes {
    ChangeableAttributes { write_enabled: write, delete_enabled: delete, ..Default::default() }
}

fn digest(c: char) -> Digest {
    Digest::new(format!("sha256:{}", c.to_string().repeat(64))).unwrap()
}

fn tag(name: &str) -> TagName {
    TagName::new(name).unwrap()
}

/// The verdict (`data-verdict`) and text of the line for `operation` under `root`.
fn line(root: &Element, operation: &str) -> (String, String) {
    let el = root
        .query_selector(&format!("[data-operation=\"{operation}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no line for {operation}"));
    (el.get_attribute("data-verdict").unwrap_or_default(), text(&el))
}

#[wasm_bindgen_test]
async fn the_card_says_each_verdict_and_follows_the_store() {
    let container = fresh_container();
    let store = LockStore::new();
    let (t, d) = (tag("1.4.2"), digest('a'));
    let key_tag = ArtifactRef::Tag(repo(), t.clone());
    let ticket = store.ticket();
    store.record(&key_tag, &flags(true, true), ticket);
    store.record(&ArtifactRef::Manifest(repo(), d.clone()), &flags(true, false), ticket);
    store.record(&ArtifactRef::Tag(repo(), tag("latest")), &flags(true, true), ticket);
    let contents = RwSignal::new(None::<Listed>);
    let _mounted = mount_to(container.clone(), {
        let store = store.clone();
        let subject = Subject::Tag(t.clone(), d.clone());
        move || {
            view! {
                <Refusals
                    store=store.clone()
                    repo=repo()
                    subject=subject.clone()
                    manifest_tags=Some(vec![tag("1.4.2"), tag("latest")])
                    contents
                />
            }
        }
    });
    tick().await;
    let card = container.query_selector("[data-testid=refusals]").unwrap().expect("the card");
    let heading = card.query_selector("h2").unwrap().unwrap();
    assert_eq!(text(&heading), "What ACR allows now");
    // The repository's flags are not read yet: a known lock still refuses, nothing is allowed.
    assert_eq!(line(&card, "delete-manifest").0, "refused", "its manifest's delete lock");
    assert!(line(&card, "delete-manifest").1.contains("manifest delete disabled"));
    assert_eq!(line(&card, "delete-tag").0, "unknown");
    assert!(line(&card, "delete-tag").1.contains("Not known"), "{}", line(&card, "delete-tag").1);

    store.record(&ArtifactRef::Repository(repo()), &flags(true, true), store.ticket());
    tick().await;
    assert_eq!(line(&card, "push-to-tag").0, "allowed");
    assert!(line(&card, "push-to-tag").1.contains("Allowed"));
    assert_eq!(line(&card, "delete-tag").0, "allowed");
    assert_eq!(line(&card, "pull-by-tag").0, "allowed");
    assert_eq!(line(&card, "delete-repository").0, "refused", "the manifest is in it");
    // Every line is a word, never colour alone; the marks are hidden from assistive technology.
    for mark in all(&card, ".refusal__mark") {
        assert_eq!(mark.get_attribute("aria-hidden").as_deref(), Some("true"));
    }

    // A lock recorded in the store (as the lock panel does) changes the card at once.
    store.record(&key_tag, &flags(false, true), store.ticket());
    tick().await;
    let (verdict, said) = line(&card, "delete-tag");
    assert_eq!(verdict, "refused");
    assert!(said.contains("Refused") && said.contains("tag write disabled"), "{said}");
    assert!(line(&card, "push-to-tag").1.contains("tag write disabled"));

    // Deleting the repository: unknown while its contents are not all read.
    store.record(&ArtifactRef::Manifest(repo(), d.clone()), &flags(true, true), store.ticket());
    store.record(&key_tag, &flags(true, true), store.ticket());
    tick().await;
    assert_eq!(line(&card, "delete-repository").0, "unknown");
    contents.set(Some(Listed {
        tags: vec![t, tag("latest")],
        tags_whole: true,
        manifests: vec![d],
        manifests_whole: true,
    }));
    tick().await;
    assert_eq!(line(&card, "delete-repository").0, "allowed");
}

#[wasm_bindgen_test]
async fn a_tag_row_explains_its_refusals_in_its_lock_cell() {
    with_styles();
    let container = fresh_container();
    let store = LockStore::new();
    let t = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
    let tags = [TagAttributesBase {
        name: tag("1.4.2"),
        digest: digest('a'),
        created_time: t.clone(),
        last_update_time: t.clone(),
        signed: None,
        changeable_attributes: flags(false, true),
    }];
    let manifests = [ManifestAttributesBase {
        digest: digest('a'),
        image_size: None,
        created_time: t.clone(),
        last_update_time: t,
        architecture: None,
        os: None,
        references: None,
        media_type: None,
        config_media_type: None,
        tags: Some(vec![tag("1.4.2")]),
        changeable_attributes: flags(true, true),
    }];
    let rows = join_tags(&tags, &manifests);
    let _mounted = mount_to(container.clone(), move || {
        view! {
            <TagTable
                registry="demo"
                repo=repo()
                rows=Signal::stored(rows.clone())
                repository=Signal::stored(Some(flags(true, true)))
                store=store.clone()
            />
        }
    });
    let mut row = None;
    for _ in 0..50 {
        tick().await;
        row = container.query_selector("[role=row][data-index=\"0\"]").unwrap();
        if row.is_some() {
            break;
        }
    }
    let row = row.expect("the row renders");
    let described = row.query_selector(".cell--locks .visually-hidden").unwrap().expect("a note");
    assert_eq!(
        text(&described),
        "Push a new image to this tag: refused: tag write disabled. \
         Delete this tag: refused: tag write disabled. \
         Delete this image by digest: refused: tag write disabled."
    );
    let tip = row.query_selector(":scope > .refusal-tip").unwrap().expect("a tip in the row");
    assert_eq!(tip.get_attribute("aria-hidden").as_deref(), Some("true"));
    assert_eq!(all(&tip, "[data-verdict=refused]").len(), 3);
}
