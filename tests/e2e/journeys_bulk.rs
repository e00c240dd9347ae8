//! Bulk journeys: many locks at once, each result compared with what the emulator holds. Three
//! tags chosen by checkbox and a Shift range are locked; a rule across repositories is previewed
//! (its groups counted independently from the emulator's store) and applied under injected
//! latency, 429s and 503s; a run is cancelled, and another reloaded, in the middle; undo keeps
//! an item someone else changed; the az script export names exactly the planned changes; a
//! viewer finds no bulk tools and the payments user's preview marks what lies outside their
//! scope. Screenshots: the selection bar, the preview, a finished run.

use crate::{
    harness::{screenshot, start_console, start_console_with, with_browser, Console},
    journeys_browse::{scroll_to, wait_loaded},
    journeys_locks::{click, stored_manifest, stored_tag, wd, REGISTRY},
    pages::{sign_in_as, wait_until},
};
use acr_bulk::rule::{RuleFields, Target};
use acr_console::routes::{BulkQuery, ListOrder, RepoView, Route};
use acr_types::{ArtifactRef, ChangeableAttributes, RepositoryName};
use fantoccini::{
    actions::{
        Actions, InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT,
    },
    elements::Element,
    error::CmdError,
    key::Key,
    Client, Locator,
};
use serde_json::Value;
use std::{collections::BTreeMap, time::Duration};

const SETTLE: Duration = Duration::from_secs(30);

fn repo(name: &str) -> RepositoryName {
    RepositoryName::new(name).expect("a valid repository name")
}

/// The console URL of the bulk page with `query`.
fn bulk_url(console: &Console, query: BulkQuery) -> String {
    console.url(&Route::Bulk { registry: REGISTRY.into(), query }.href())
}

/// A rule as the form would carry it.
fn rule(repos: &str, tags: &str, exclude: &str, target: Target) -> RuleFields {
    RuleFields {
        repos: repos.into(),
        tags: tags.into(),
        exclude: exclude.into(),
        target,
        ..Default::default()
    }
}

/// A repository page in name order (deterministic rows).
fn repository_by_name(console: &Console, repository: &str) -> String {
    let route = Route::Repository {
        registry: REGISTRY.into(),
        repo: repo(repository),
        view: RepoView::Tags,
        filter: String::new(),
        order: ListOrder::Name,
    };
    console.url(&route.href())
}

/// The checkbox of item `target` (`repo:tag`), found by its accessible name.
async fn checkbox(client: &Client, target: &str) -> Result<Element, CmdError> {
    let css = format!("input[type=checkbox][aria-label=\"Select {target}\"]");
    client.wait().at_most(SETTLE).for_element(Locator::Css(&css)).await
}

/// Shift+click on `el`, the way a person does it: Shift held while the mouse clicks.
async fn shift_click(client: &Client, el: &Element) -> Result<(), CmdError> {
    let arg = serde_json::to_value(el)
        .map_err(|e| CmdError::InvalidArgument("element".into(), e.to_string()))?;
    client
        .execute("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", vec![arg])
        .await?;
    let none = Duration::from_millis(0);
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: Key::Shift.into() })
        .then(KeyAction::Pause { duration: none })
        .then(KeyAction::Pause { duration: none })
        .then(KeyAction::Pause { duration: none })
        .then(KeyAction::Up { value: Key::Shift.into() });
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::Pause { duration: none })
        .then(PointerAction::MoveToElement { element: el.clone(), duration: None, x: 0.0, y: 0.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    client.perform_actions(Actions::from(keys).and(mouse)).await?;
    client.release_actions().await
}

/// Moves the keyboard focus to `el`.
async fn focus(client: &Client, el: &Element) -> Result<(), CmdError> {
    let arg = serde_json::to_value(el)
        .map_err(|e| CmdError::InvalidArgument("element".into(), e.to_string()))?;
    client
        .execute("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'}); arguments[0].focus();", vec![arg])
        .await
        .map(drop)
}

/// Presses `keys` together (the first ones held while the last is pressed), then lets go.
async fn press_keys(client: &Client, keys: &[Key]) -> Result<(), CmdError> {
    let mut actions = KeyActions::new("keyboard".into());
    for k in keys {
        actions = actions.then(KeyAction::Down { value: (*k).into() });
    }
    for k in keys.iter().rev() {
        actions = actions.then(KeyAction::Up { value: (*k).into() });
    }
    client.perform_actions(actions).await?;
    client.release_actions().await
}

/// The element with `data-testid` `id`, once it is there.
async fn by_test_id(client: &Client, id: &str) -> Result<Element, CmdError> {
    let css = format!("[data-testid=\"{id}\"]");
    client.wait().at_most(SETTLE).for_element(Locator::Css(&css)).await
}

/// The preview's count of `group` (`change`, `inherits`, `already`, `forbidden`, `missing`).
async fn group_count(client: &Client, group: &str) -> Result<usize, CmdError> {
    let el = by_test_id(client, &format!("group-{group}")).await?;
    let text = el.find(Locator::Css(".bulk-count__n")).await?.text().await?;
    Ok(text.replace(',', "").trim().parse().unwrap_or(usize::MAX))
}

/// Waits until the run panel is in `phase` (`preview`, `running`, `stopped`).
async fn wait_phase(client: &Client, phase: &str) -> Result<(), CmdError> {
    wait_until(Duration::from_secs(120), || async {
        match client.find(Locator::Css("[data-testid=\"bulk-run\"]")).await {
            Ok(el) => Ok((el.attr("data-phase").await?.as_deref() == Some(phase)).then_some(())),
            Err(e) if e.is_no_such_element() => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

/// The run's progress line.
async fn progress(client: &Client) -> Result<String, CmdError> {
    by_test_id(client, "bulk-progress").await?.text().await
}

/// The run record the page keeps in the tab's storage.
async fn stored_record(client: &Client) -> Result<Value, CmdError> {
    let v = client
        .execute(
            "return sessionStorage.getItem('acr-console.bulk.run.' + arguments[0]);",
            vec![Value::from(REGISTRY)],
        )
        .await?;
    Ok(v.as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or(Value::Null))
}

/// The tag list of `repository` the emulator holds, with each tag's flags.
fn stored_tags(console: &Console, repository: &str) -> BTreeMap<String, ChangeableAttributes> {
    let store = console.emulator().state.store.read().expect("the store");
    let tags =
        store.tags(&repo(repository), acr_types::OrderBy::None, None).expect("the repository");
    tags.into_iter().map(|t| (t.name.to_string(), t.changeable_attributes)).collect()
}

#[tokio::test]
async fn three_tags_chosen_by_checkbox_and_a_shift_range_are_locked_and_nothing_else() {
    let console = start_console().await;
    let frontend = "prod/web/frontend";
    let url = repository_by_name(&console, frontend);
    let before = stored_tags(&console, frontend);
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        wait_loaded(&client).await?;
        let count = by_test_id(&client, "selection-count").await?;
        let wait_count = |want: &'static str| {
            let count = count.clone();
            async move {
                wait_until(SETTLE, || async { Ok((count.text().await? == want).then_some(())) })
                    .await
            }
        };
        // By keyboard: Space on one checkbox, Shift+Space on another selects the range between.
        focus(&client, &checkbox(&client, &format!("{frontend}:3.9.0")).await?).await?;
        press_keys(&client, &[Key::Space]).await?;
        wait_count("1 selected").await?;
        focus(&client, &checkbox(&client, &format!("{frontend}:stable")).await?).await?;
        press_keys(&client, &[Key::Shift, Key::Space]).await?;
        wait_count("3 selected").await?;
        let live = count.attr("aria-live").await?;
        assert_eq!(live.as_deref(), Some("polite"), "the count is announced");
        click(&client, &by_test_id(&client, "select-none").await?).await?;
        wait_count("0 selected").await?;
        // One tag by a plain click, then a range by Shift+click: 3.7.0 … 3.8.1 in name order.
        click(&client, &checkbox(&client, &format!("{frontend}:3.7.0")).await?).await?;
        let last = checkbox(&client, &format!("{frontend}:3.8.1")).await?;
        shift_click(&client, &last).await?;
        wait_count("3 selected").await?;
        for t in ["3.7.0", "3.8.0", "3.8.1"] {
            let b = checkbox(&client, &format!("{frontend}:{t}")).await?;
            assert!(b.is_selected().await?, "{t} is checked");
        }
        assert!(!checkbox(&client, &format!("{frontend}:3.9.0")).await?.is_selected().await?);
        scroll_to(&client, ".list-card").await?;
        screenshot(&client, "bulk-selection-bar").await?;
        click(&client, &by_test_id(&client, "change-selected").await?).await?;

        // The bulk page previews exactly the three, nothing sent yet.
        wait_phase(&client, "preview").await?;
        assert_eq!(group_count(&client, "change").await?, 3);
        assert_eq!(
            group_count(&client, "already").await? + group_count(&client, "forbidden").await?,
            0
        );
        let selection = by_test_id(&client, "bulk-selection").await?.text().await?;
        assert!(selection.starts_with("3 items chosen by hand"), "{selection}");
        scroll_to(&client, "[data-testid=\"bulk-run\"]").await?;
        screenshot(&client, "bulk-preview-selection").await?;
        click(&client, &by_test_id(&client, "bulk-apply").await?).await?;
        wait_phase(&client, "stopped").await?;
        let line = progress(&client).await?;
        assert!(line.starts_with("3 done · 0 failed · 0 remaining"), "{line}");
        scroll_to(&client, "[data-testid=\"bulk-run\"]").await?;
        screenshot(&client, "bulk-run-finished").await?;

        // The registry holds exactly that: the three locked, every other tag as it was.
        let after = stored_tags(&console, frontend);
        for (t, flags) in &after {
            if ["3.7.0", "3.8.0", "3.8.1"].contains(&t.as_str()) {
                assert_eq!(wd(flags), (false, false), "{t} locked");
            } else {
                assert_eq!(flags, &before[t], "{t} untouched");
            }
        }
        // The record in the tab's storage says the same.
        let record = stored_record(&client).await?;
        let done = record["items"]
            .as_array()
            .map_or(0, |i| i.iter().filter(|i| i["state"] == "done").count());
        assert_eq!(done, 3, "{record}");
        Ok(())
    })
    .await;
}

/// The group each item of a Lock over the tags `tag` selects in the repositories `repository`
/// selects (and, with `manifests`, the manifests they point to) must fall in, computed from the
/// emulator's store alone: `already` when write and delete are off, `forbidden` when `may_write`
/// refuses the repository, `inherits` when the repository itself is locked, else `change`.
fn expected_groups(
    console: &Console,
    repository: impl Fn(&str) -> bool,
    tag: impl Fn(&str) -> bool,
    manifests: bool,
    may_write: impl Fn(&str) -> bool,
) -> BTreeMap<String, &'static str> {
    let store = console.emulator().state.store.read().expect("the store");
    let mut out = BTreeMap::new();
    for name in store.catalog() {
        if !repository(name.as_str()) {
            continue;
        }
        let repo_flags =
            store.repository(REGISTRY, &name).expect("the repository").changeable_attributes;
        let group = |flags: &ChangeableAttributes| {
            if !flags.write_enabled && !flags.delete_enabled {
                "already"
            } else if !may_write(name.as_str()) {
                "forbidden"
            } else if repo_flags.is_locked() {
                "inherits"
            } else {
                "change"
            }
        };
        let tags = store.tags(&name, acr_types::OrderBy::None, None).expect("its tags");
        let chosen: Vec<_> = tags.iter().filter(|t| tag(t.name.as_str())).collect();
        for t in &chosen {
            out.insert(format!("{name}:{}", t.name), group(&t.changeable_attributes));
        }
        if manifests {
            for t in &chosen {
                let m = store.manifest(&name, &t.digest).expect("its manifest");
                out.insert(format!("{name}@{}", t.digest), group(&m.changeable_attributes));
            }
        }
    }
    out
}

/// How many of `groups` are in `group`.
fn count_in(groups: &BTreeMap<String, &'static str>, group: &str) -> usize {
    groups.values().filter(|g| **g == group).count()
}

/// The record's items as target → group, and target → state.
fn record_items(record: &Value) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut groups = BTreeMap::new();
    let mut states = BTreeMap::new();
    for i in record["items"].as_array().into_iter().flatten() {
        let t = i["target"].as_str().unwrap_or_default().to_owned();
        groups.insert(t.clone(), i["group"].as_str().unwrap_or_default().to_owned());
        states.insert(t, i["state"].as_str().unwrap_or_default().to_owned());
    }
    (groups, states)
}

/// Checks the preview's counts per group against `want`.
async fn assert_counts(
    client: &Client,
    want: &BTreeMap<String, &'static str>,
) -> Result<(), CmdError> {
    for g in ["change", "inherits", "already", "forbidden", "missing"] {
        assert_eq!(group_count(client, g).await?, count_in(want, g), "group {g}");
    }
    Ok(())
}

/// The flags of an item (`repo:tag` or `repo@digest`) in the emulator.
fn stored_item(console: &Console, target: &str) -> ChangeableAttributes {
    match ArtifactRef::parse(target).expect("an item") {
        ArtifactRef::Tag(r, t) => stored_tag(console, r.as_str(), t.as_str()),
        ArtifactRef::Manifest(r, d) => stored_manifest(console, r.as_str(), &d),
        ArtifactRef::Repository(_) => unreachable!("no repositories in these runs"),
    }
}

/// Opens the bulk page at `url` as `user`, waits for the preview and applies it.
async fn preview_as(client: &Client, url: &str, user: &str) -> Result<(), CmdError> {
    sign_in_as(client, url, user).await?;
    wait_phase(client, "preview").await
}

#[tokio::test]
async fn a_rule_across_repositories_previews_exact_counts_and_lands_every_item_once_under_faults() {
    let console = start_console_with(acr_emulator::Config {
        faults: acr_emulator::Faults {
            latency: Duration::from_millis(200),
            throttle_rate: 0.10,
            retry_after: Some(1),
            unavailable_rate: 0.05,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let query = BulkQuery {
        rule: rule("prod/**", "1.*", "latest", Target::Both),
        change: "lock".into(),
        selection: false,
    };
    let url = bulk_url(&console, query);
    let want = expected_groups(
        &console,
        |r| r.starts_with("prod/"),
        |t| t.starts_with("1.") && t != "latest",
        true,
        |_| true,
    );
    assert!(count_in(&want, "change") + count_in(&want, "inherits") >= 10, "{want:?}");
    let repos: std::collections::BTreeSet<_> =
        want.keys().map(|k| k.split([':', '@']).next().unwrap().to_owned()).collect();
    assert!(repos.len() >= 2, "{repos:?}");
    with_browser(move |client| async move {
        preview_as(&client, &url, "admin").await?;
        assert_counts(&client, &want).await?;
        // Per repository, the table's counts agree too.
        for r in &repos {
            let row = client.find(Locator::Css(&format!("tr[data-repository=\"{r}\"]"))).await?;
            let cells = row.find_all(Locator::Css("td")).await?;
            let change = cells[0].text().await?.parse::<usize>().unwrap_or(usize::MAX);
            let mine = want
                .iter()
                .filter(|(k, _)| k.starts_with(&format!("{r}:")) || k.starts_with(&format!("{r}@")))
                .filter(|(_, g)| **g == "change")
                .count();
            assert_eq!(change, mine, "{r}");
        }
        let protects = by_test_id(&client, "bulk-protects").await?.text().await?;
        assert!(protects.contains("tags from moving"), "{protects}");
        scroll_to(&client, "[data-testid=\"bulk-run\"]").await?;
        // Each row's "now" and "will be" read whole: a locked item says "locked", and no
        // cell of the table is cut without its whole text on hover.
        let cells = client
            .execute(
                "return [...document.querySelectorAll('.bulk-table [role=row]')]\
                 .map(r => [...r.querySelectorAll('[role=cell]')].slice(1, 3))\
                 .filter(c => c.length === 2)\
                 .map(c => c.map(x => [x.textContent, x.scrollWidth > x.clientWidth + 1, x.title]));",
                vec![],
            )
            .await?;
        let rows = cells.as_array().cloned().unwrap_or_default();
        assert!(!rows.is_empty());
        let mut will_be = Vec::new();
        for row in &rows {
            for cell in row.as_array().into_iter().flatten() {
                let text = cell[0].as_str().unwrap_or_default();
                let cut = cell[1].as_bool().unwrap_or(true);
                assert!(!cut || cell[2].as_str() == Some(text), "{text:?} is cut without a title");
            }
            will_be.push(row[1][0].as_str().unwrap_or_default().to_owned());
        }
        assert!(will_be.iter().all(|w| w == "locked" || w == "unchanged"), "{will_be:?}");
        assert!(will_be.iter().any(|w| w == "locked"));
        screenshot(&client, "bulk-preview-rule").await?;
        client.set_window_size(390, 844).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        crate::harness::assert_fits_width(&client).await?;
        scroll_to(&client, "[data-testid=\"bulk-run\"]").await?;
        screenshot(&client, "bulk-preview-phone").await?;
        client.set_window_size(1280, 900).await?;
        let faults = console.emulator().state.stats.to_json();
        console.emulator().state.stats.reset();
        click(&client, &by_test_id(&client, "bulk-apply").await?).await?;
        wait_phase(&client, "stopped").await?;
        let line = progress(&client).await?;
        let sent = count_in(&want, "change") + count_in(&want, "inherits");
        assert!(line.starts_with(&format!("{sent} done · 0 failed · 0 remaining")), "{line}");

        // Every planned item landed, exactly once; nothing else was changed.
        let changes = console.emulator().state.stats.changes();
        for (target, group) in &want {
            let flags = stored_item(&console, target);
            assert_eq!(wd(&flags), (false, false), "{target} ({group}) is locked");
            let n = changes.get(target).copied().unwrap_or(0);
            let expected = u64::from(*group == "change" || *group == "inherits");
            assert_eq!(n, expected, "{target} ({group}) changed {n} time(s)");
        }
        assert_eq!(changes.len(), sent, "no other item was changed: {changes:?}");
        let after = console.emulator().state.stats.to_json();
        let met = |k: &str| faults[k].as_u64().unwrap_or(0) + after[k].as_u64().unwrap_or(0);
        assert!(met("throttled") + met("unavailable") > 0, "the faults were met: {faults} {after}");
        let (groups, states) = record_items(&stored_record(&client).await?);
        for (target, group) in &want {
            assert_eq!(groups.get(target).map(String::as_str), Some(*group), "{target}");
        }
        assert!(states.values().all(|s| s == "done" || s == "skipped"), "{states:?}");
        Ok(())
    })
    .await;
}

/// A console whose registry answers slowly enough to act in the middle of a run.
async fn slow_console() -> Console {
    start_console_with(acr_emulator::Config {
        faults: acr_emulator::Faults { latency: Duration::from_millis(250), ..Default::default() },
        ..Default::default()
    })
    .await
}

/// Every tag of the demo registry, locked (the longest run the demo data allows).
fn every_tag() -> BulkQuery {
    BulkQuery { rule: rule("**", "", "", Target::Tags), change: "lock".into(), selection: false }
}

/// Waits until the run has at least `n` items done.
async fn wait_done(client: &Client, n: usize) -> Result<(), CmdError> {
    wait_until(SETTLE, || async {
        let line = progress(client).await?;
        let done = line
            .split(' ')
            .next()
            .and_then(|d| d.replace(',', "").parse::<usize>().ok())
            .unwrap_or(0);
        Ok((done >= n).then_some(()))
    })
    .await
}

#[tokio::test]
async fn a_cancelled_run_sends_nothing_more_and_its_report_matches_the_registry() {
    let console = slow_console().await;
    let url = bulk_url(&console, every_tag());
    let before = expected_groups(&console, |_| true, |_| true, false, |_| true);
    with_browser(move |client| async move {
        preview_as(&client, &url, "admin").await?;
        console.emulator().state.stats.reset();
        click(&client, &by_test_id(&client, "bulk-apply").await?).await?;
        wait_done(&client, 6).await?;
        click(&client, &by_test_id(&client, "bulk-cancel").await?).await?;
        wait_phase(&client, "stopped").await?;
        let sent_at_stop = console.emulator().state.stats.changes();
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(
            console.emulator().state.stats.changes(),
            sent_at_stop,
            "nothing sent after cancel"
        );
        let (_, states) = record_items(&stored_record(&client).await?);
        let done: Vec<_> =
            states.iter().filter(|(_, s)| *s == "done").map(|(t, _)| t.clone()).collect();
        let cancelled: Vec<_> =
            states.iter().filter(|(_, s)| *s == "cancelled").map(|(t, _)| t.clone()).collect();
        assert!(!done.is_empty() && !cancelled.is_empty(), "cancelled in the middle: {states:?}");
        // The report is what the registry holds: done items locked once, cancelled ones untouched.
        for t in &done {
            assert_eq!(wd(&stored_item(&console, t)), (false, false), "{t}");
            assert_eq!(sent_at_stop.get(t), Some(&1), "{t}");
        }
        for t in &cancelled {
            assert!(!sent_at_stop.contains_key(t), "{t} was sent");
            assert_ne!(wd(&stored_item(&console, t)), (false, false), "{t} is untouched");
        }
        assert_eq!(sent_at_stop.len(), done.len());
        let line = progress(&client).await?;
        assert!(line.contains(&format!("{} not sent (cancelled)", cancelled.len())), "{line}");
        assert!(before.len() > done.len());
        scroll_to(&client, "[data-testid=\"bulk-run\"]").await?;
        screenshot(&client, "bulk-run-cancelled").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_run_reloaded_in_the_middle_continues_and_sends_no_item_twice() {
    let console = slow_console().await;
    let url = bulk_url(&console, every_tag());
    let want = expected_groups(&console, |_| true, |_| true, false, |_| true);
    with_browser(move |client| async move {
        preview_as(&client, &url, "admin").await?;
        console.emulator().state.stats.reset();
        click(&client, &by_test_id(&client, "bulk-apply").await?).await?;
        wait_done(&client, 6).await?;
        client.refresh().await?;
        // After the reload the page shows the interrupted run and offers to continue.
        wait_phase(&client, "stopped").await?;
        let title = client.find(Locator::Css("#bulk-run-title")).await?.text().await?;
        assert_eq!(title, "This run was interrupted");
        scroll_to(&client, "[data-testid=\"bulk-run\"]").await?;
        screenshot(&client, "bulk-run-interrupted").await?;
        click(&client, &by_test_id(&client, "bulk-continue").await?).await?;
        wait_phase(&client, "running").await.ok();
        wait_phase(&client, "stopped").await?;
        let line = progress(&client).await?;
        assert!(line.contains("0 failed · 0 remaining"), "{line}");
        let changes = console.emulator().state.stats.changes();
        for (t, group) in &want {
            assert_eq!(wd(&stored_item(&console, t)), (false, false), "{t}");
            let expected = u64::from(*group == "change" || *group == "inherits");
            assert_eq!(changes.get(t).copied().unwrap_or(0), expected, "{t} ({group})");
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn undo_restores_the_run_and_keeps_an_item_someone_else_changed_meanwhile() {
    let console = slow_console().await;
    let query = BulkQuery {
        rule: rule("prod/**", "", "", Target::Tags),
        change: "lock".into(),
        selection: false,
    };
    let url = bulk_url(&console, query);
    let before = {
        let store = console.emulator().state.store.read().expect("the store");
        let mut out = BTreeMap::new();
        for name in store.catalog().into_iter().filter(|n| n.as_str().starts_with("prod/")) {
            for t in store.tags(&name, acr_types::OrderBy::None, None).expect("tags") {
                out.insert(format!("{name}:{}", t.name), t.changeable_attributes);
            }
        }
        out
    };
    with_browser(move |client| async move {
        preview_as(&client, &url, "admin").await?;
        click(&client, &by_test_id(&client, "bulk-apply").await?).await?;
        // Someone else turns writes back on for an item the run has locked, during the run.
        wait_done(&client, 2).await?;
        let (_, states) = record_items(&stored_record(&client).await?);
        let other =
            states.iter().find(|(_, s)| *s == "done").map(|(t, _)| t.clone()).expect("a done item");
        let (r, t) = other.split_once(':').expect("a tag");
        assert_eq!(
            crate::journeys_locks::patch_tag_as(
                &console,
                "admin",
                r,
                t,
                r#"{"writeEnabled":true}"#
            )
            .await,
            200
        );
        wait_phase(&client, "stopped").await?;

        click(&client, &by_test_id(&client, "bulk-undo").await?).await?;
        let dialog =
            client.wait().at_most(SETTLE).for_element(Locator::Css("dialog[open]")).await?;
        let question = dialog.text().await?;
        assert!(question.contains("Undo"), "{question}");
        let go = dialog.find(Locator::XPath(".//button[normalize-space(.)='Undo']")).await?;
        click(&client, &go).await?;
        wait_phase(&client, "stopped").await?;
        let title = client.find(Locator::Css("#bulk-run-title")).await?.text().await?;
        assert_eq!(title, "Undo finished");
        let note = by_test_id(&client, "bulk-conflicts").await?.text().await?;
        assert!(note.starts_with("1 item changed by someone else"), "{note}");
        scroll_to(&client, "[data-testid=\"bulk-run\"]").await?;
        screenshot(&client, "bulk-undo-conflict").await?;
        // Every item is back as it was, except the one someone else changed: kept as they left it.
        for (target, was) in &before {
            let now = stored_item(&console, target);
            if *target == other {
                assert_eq!(wd(&now), (true, false), "{target} keeps the other change");
            } else {
                assert_eq!(wd(&now), wd(was), "{target} restored");
            }
        }
        let (_, states) = record_items(&stored_record(&client).await?);
        assert_eq!(states.get(&other).map(String::as_str), Some("conflict"));
        Ok(())
    })
    .await;
}

/// Clicks the export button `id` and returns the file's text (the page's `Blob`, caught on its
/// way to `URL.createObjectURL`).
pub(crate) async fn exported(client: &Client, id: &str) -> Result<String, CmdError> {
    client
        .execute(
            "window.__exports = []; const make = URL.createObjectURL.bind(URL);\
             URL.createObjectURL = b => { window.__exports.push(b); return make(b); };",
            vec![],
        )
        .await?;
    click(client, &by_test_id(client, id).await?).await?;
    let text = client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             const wait = () => window.__exports.length ? window.__exports[0].text().then(done) : setTimeout(wait, 50);\
             wait();",
            vec![],
        )
        .await?;
    Ok(text.as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn the_exports_name_exactly_the_planned_changes() {
    let console = start_console().await;
    let query = BulkQuery {
        rule: rule("prod/**", "1.*", "latest", Target::Both),
        change: "lock".into(),
        selection: false,
    };
    let url = bulk_url(&console, query);
    let want = expected_groups(
        &console,
        |r| r.starts_with("prod/"),
        |t| t.starts_with("1.") && t != "latest",
        true,
        |_| true,
    );
    with_browser(move |client| async move {
        preview_as(&client, &url, "admin").await?;
        // The az script: one line per planned change, with only the flags that change.
        let script = exported(&client, "export-az").await?;
        let mut named = BTreeMap::new();
        for line in script.lines().filter(|l| l.starts_with("az ")) {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(&words[..5], ["az", "acr", "repository", "update", "--name"], "{line}");
            let image =
                words.iter().position(|w| *w == "--image").map(|i| words[i + 1]).expect("--image");
            let flags: Vec<_> = words
                .windows(2)
                .filter(|w| w[0].ends_with("-enabled"))
                .map(|w| format!("{}={}", w[0], w[1]))
                .collect();
            assert!(named.insert(image.to_owned(), flags).is_none(), "{image} named twice");
        }
        let planned: BTreeMap<_, _> =
            want.iter().filter(|(_, g)| **g == "change" || **g == "inherits").collect();
        assert_eq!(named.keys().collect::<Vec<_>>(), planned.keys().copied().collect::<Vec<_>>());
        for (image, flags) in &named {
            let now = stored_item(&console, image);
            let mut expected = Vec::new();
            if now.write_enabled {
                expected.push("--write-enabled=false".to_owned());
            }
            if now.delete_enabled {
                expected.push("--delete-enabled=false".to_owned());
            }
            assert_eq!(flags, &expected, "{image}");
        }
        // CSV and JSON: one entry per item of the preview, with the same groups.
        let csv = exported(&client, "export-csv").await?;
        let rows: Vec<_> = csv.lines().skip(1).collect();
        assert_eq!(rows.len(), want.len());
        for row in rows {
            let f: Vec<_> = row.split(',').collect();
            let target = if f[1] == "tag" {
                format!("{}:{}", f[2], f[3])
            } else {
                format!("{}@{}", f[2], f[4])
            };
            assert_eq!(want.get(&target).copied(), Some(f[5]), "{row}");
        }
        let json: Value =
            serde_json::from_str(&exported(&client, "export-json").await?).expect("JSON");
        let (groups, _) = record_items(&json);
        assert_eq!(groups.len(), want.len());
        assert_eq!(json["account"], "admin@contoso.example");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn viewers_find_no_bulk_tools_and_the_payments_user_sends_nothing_outside_their_scope() {
    let console = start_console().await;
    let query = BulkQuery {
        rule: rule("prod/**", "", "", Target::Tags),
        change: "lock".into(),
        selection: false,
    };
    let bulk = bulk_url(&console, query);
    let want = expected_groups(
        &console,
        |r| r.starts_with("prod/"),
        |_| true,
        false,
        |r| r.starts_with("prod/payments/"),
    );
    let viewer_console = start_console().await;
    let viewer_repo = repository_by_name(&viewer_console, "prod/web/frontend");
    let viewer_registry = viewer_console.url(&Route::repositories(REGISTRY).href());
    with_browser(move |client| async move {
        // The viewer: no checkboxes, no selection bar, no "Change many locks".
        sign_in_as(&client, &viewer_repo, "viewer").await?;
        wait_loaded(&client).await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(client.find_all(Locator::Css("input.row-check")).await?.is_empty());
        assert!(client.find_all(Locator::Css("[data-testid=\"selection-bar\"]")).await?.is_empty());
        client.goto(&viewer_registry).await?;
        wait_loaded(&client).await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(client.find_all(Locator::Css("[data-testid=\"open-bulk\"]")).await?.is_empty());
        drop(viewer_console);
        Ok(())
    })
    .await;
    with_browser(move |client| async move {
        // The payments user: everything outside prod/payments/ is "you may not change".
        preview_as(&client, &bulk, "payments").await?;
        assert_counts(&client, &want).await?;
        assert!(count_in(&want, "forbidden") > 0 && count_in(&want, "change") > 0);
        scroll_to(&client, "[data-testid=\"bulk-run\"]").await?;
        screenshot(&client, "bulk-preview-payments").await?;
        console.emulator().state.stats.reset();
        click(&client, &by_test_id(&client, "bulk-apply").await?).await?;
        wait_phase(&client, "stopped").await?;
        let changes = console.emulator().state.stats.changes();
        assert!(changes.keys().all(|t| t.starts_with("prod/payments/")), "{changes:?}");
        assert_eq!(changes.len(), count_in(&want, "change") + count_in(&want, "inherits"));
        for (t, g) in &want {
            if *g == "forbidden" {
                assert_ne!(wd(&stored_item(&console, t)), (false, false), "{t} untouched");
            }
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn select_all_that_match_takes_every_match_not_only_the_rows_drawn() {
    use acr_emulator::{seed::Generate, Config, DataSource};
    let console = start_console_with(Config {
        data: DataSource::Generate(Generate { repos: 0, tags: 2_000 }),
        ..Default::default()
    })
    .await;
    let many = "scale/many-tags";
    let route = Route::Repository {
        registry: REGISTRY.into(),
        repo: repo(many),
        view: RepoView::Tags,
        filter: "build-1".into(),
        order: ListOrder::Name,
    };
    let url = console.url(&route.href());
    let matching: Vec<String> =
        stored_tags(&console, many).into_keys().filter(|t| t.contains("build-1")).collect();
    assert_eq!(matching.len(), 1_111);
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        wait_loaded(&client).await?;
        let drawn = client.find_all(Locator::Css("input.row-check")).await?.len();
        assert!(drawn < 200, "a virtual list draws a few rows, not {drawn}");
        let all = by_test_id(&client, "select-all").await?;
        assert_eq!(all.text().await?, "Select all 1,111 that match “build-1”");
        click(&client, &all).await?;
        let count = by_test_id(&client, "selection-count").await?;
        wait_until(SETTLE, || async {
            Ok((count.text().await? == "1,111 selected").then_some(()))
        })
        .await?;
        click(&client, &by_test_id(&client, "change-selected").await?).await?;
        wait_phase(&client, "preview").await?;
        assert_eq!(group_count(&client, "change").await?, 1_111);
        console.emulator().state.stats.reset();
        click(&client, &by_test_id(&client, "bulk-apply").await?).await?;
        wait_phase(&client, "stopped").await?;
        let line = progress(&client).await?;
        assert!(line.starts_with("1,111 done · 0 failed · 0 remaining"), "{line}");
        let changes = console.emulator().state.stats.changes();
        assert_eq!(changes.len(), 1_111);
        assert!(changes.values().all(|n| *n == 1));
        for (t, flags) in stored_tags(&console, many) {
            let want = if t.contains("build-1") { (false, false) } else { (true, true) };
            assert_eq!(wd(&flags), want, "{t}");
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn unlocking_many_asks_first_naming_the_count_and_reading_can_be_cancelled() {
    let console = slow_console().await;
    // A regular expression: the release tag and every "stable" under prod/.
    let query = BulkQuery {
        rule: RuleFields { regex: true, ..rule("prod/**", r"1\.4\.2|stable", "", Target::Tags) },
        change: "unlock".into(),
        selection: false,
    };
    let url = bulk_url(&console, query);
    let newest: Vec<String> = {
        let store = console.emulator().state.store.read().expect("the store");
        let mut out = Vec::new();
        for n in store.catalog().into_iter().filter(|n| n.as_str().starts_with("prod/")) {
            for t in store.tags(&n, acr_types::OrderBy::None, None).expect("tags") {
                if t.name.as_str() == "1.4.2" || t.name.as_str() == "stable" {
                    out.push(format!("{n}:{}", t.name));
                }
            }
        }
        out
    };
    assert!(newest.len() >= 3, "{newest:?}");
    with_browser(move |client| async move {
        // Reading with 250 ms per request shows its progress and stops when asked.
        sign_in_as(&client, &url, "admin").await?;
        let reading = by_test_id(&client, "bulk-reading").await?;
        assert!(reading.text().await?.starts_with("Reading what the scope covers"));
        click(&client, &by_test_id(&client, "bulk-cancel-read").await?).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(
            client.find_all(Locator::Css("[data-testid=\"bulk-run\"]")).await?.is_empty(),
            "no preview after cancel"
        );
        // Preview again, then apply: the console asks first, naming the count.
        click(&client, &by_test_id(&client, "bulk-preview").await?).await?;
        wait_phase(&client, "preview").await?;
        let to_unlock =
            group_count(&client, "change").await? + group_count(&client, "inherits").await?;
        assert!(to_unlock >= 1);
        click(&client, &by_test_id(&client, "bulk-apply").await?).await?;
        let dialog =
            client.wait().at_most(SETTLE).for_element(Locator::Css("dialog[open]")).await?;
        let text = dialog.text().await?;
        let items = if to_unlock == 1 { "1 item".to_owned() } else { format!("{to_unlock} items") };
        assert!(text.contains(&format!("Unlock {items}?")), "{text}");
        assert!(text.contains("write on, delete on"), "{text}");
        screenshot(&client, "bulk-unlock-confirmation").await?;
        let go = dialog.find(Locator::XPath(".//button[normalize-space(.)='Unlock']")).await?;
        click(&client, &go).await?;
        wait_phase(&client, "stopped").await?;
        for t in &newest {
            assert_eq!(wd(&stored_item(&console, t)), (true, true), "{t} unlocked");
        }
        Ok(())
    })
    .await;
}
