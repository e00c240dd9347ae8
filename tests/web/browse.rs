//! Browsing (VirtualList, RepositoryList, TagTable, ManifestTable, LockBadges, LoadProgress,
//! ErrorView): mounted with plain data and the real style/browse.css, so the virtual list's
//! viewport has its real size and only the rows in view are in the DOM.

use crate::fixtures::{all, by_test_id, fresh_container, repo, text};
use acr_console::{
    components::{
        error_view::ErrorView,
        lock_badges::LockBadges,
        manifest_table::ManifestTable,
        progress::LoadProgress,
        repository_list::RepositoryList,
        tag_table::{join_tags, TagTable},
        virtual_list::{Row, VirtualList},
    },
    problem::Problem,
    routes::Route,
    state::paged::Progress,
};
use acr_types::{
    media_type, ChangeableAttributes, Digest, ManifestAttributesBase, ManifestReference,
    RepositoryName, TagAttributesBase, TagName, Timestamp,
};
use leptos::{mount::mount_to, prelude::*, task::tick};
use std::{
    cell::RefCell,
    future::Future,
    pin::Pin,
    rc::Rc,
    task::{Context, Poll, Waker},
    time::Duration,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlElement};

/// Puts tokens.css and browse.css into the document once.
fn with_styles() {
    let document = document();
    if document.get_element_by_id("browse-test-styles").is_some() {
        return;
    }
    let style = document.create_element("style").unwrap();
    style.set_id("browse-test-styles");
    style.set_text_content(Some(concat!(
        include_str!("../../style/tokens.css"),
        include_str!("../../style/browse.css")
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
        tags: (!tags.is_empty()).then(|| tags.iter().map(|t| TagName::new(*t).unwrap()).collect()),
        changeable_attributes: own,
    }
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

    // Scroll the page to the middle of the list (it has no scroll box of its own): the rows
    // drawn move there and stay few.
    let row_height = f64::from(row0.unchecked_ref::<HtmlElement>().offset_height());
    let page = web_sys::window().unwrap();
    let list_top = spacer.get_bounding_client_rect().top() + page.scroll_y().unwrap();
    page.scroll_to_with_x_and_y(0.0, list_top + row_height * 5_000.0);
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
    page.scroll_to_with_x_and_y(0.0, 0.0);
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
    assert_eq!(links[0].get_attribute("href").as_deref(), Some("/r/demo/prod%2Fpayments%2Fapi"));
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
            <div data-testid="named">
                <LockBadges subject="Repository" own=open() named=true />
            </div>
        }
    });
    tick().await;
    let badges = |id: &str| {
        let group =
            by_test_id(&container, id).unwrap().query_selector(".lock-badges").unwrap().unwrap();
        let words = all(&group, ".badge").iter().map(text).collect::<Vec<_>>();
        (group, words)
    };

    let (group, words) = badges("tag");
    assert_eq!(group.get_attribute("role").as_deref(), Some("img"));
    assert_eq!(
        group.get_attribute("aria-label").as_deref(),
        Some("Tag: write and delete locked; manifest: delete locked")
    );
    assert_eq!(words, ["Locked", "Delete locked"]);
    let who = all(&group, ".lock-badges__who").iter().map(text).collect::<Vec<_>>();
    assert_eq!(who, ["Tag", "Manifest"], "two groups say whose flags they are");

    let (group, words) = badges("open");
    assert_eq!(words, ["Unlocked"], "an unlocked repository adds nothing");
    assert_eq!(group.get_attribute("aria-label").as_deref(), Some("Manifest: unlocked"));
    assert!(all(&group, ".lock-badges__who").is_empty(), "one group needs no label");

    // A repository's row names whose flags its one badge describes: a bare "Unlocked" beside
    // "1 of 10 tags locked" reads as "nothing here is locked".
    let (group, words) = badges("named");
    assert_eq!(words, ["Unlocked"]);
    let who = all(&group, ".lock-badges__who").iter().map(text).collect::<Vec<_>>();
    assert_eq!(who, ["Repository"]);
    assert_eq!(group.get_attribute("aria-label").as_deref(), Some("Repository: unlocked"));

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
        row(i).query_selector(".lock-badges").unwrap().unwrap().get_attribute("aria-label").unwrap()
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
    let bar = container.query_selector("progress").unwrap().expect("a progress bar while loading");
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
            missing: false,
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
    assert_eq!(words, ["Locked", "Locked by repository"]);
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
