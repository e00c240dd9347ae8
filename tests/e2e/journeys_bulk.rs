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
use acr_types::{ArtifactRef, ChangeableAttributes, Digest, RepositoryName, TagName};
use fantoccini::{
    actions::{
        Actions, InputSource, KeyAction, KeyActions, MouseActions, PointerAction,
        MOUSE_BUTTON_LEFT,
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
    let tags = store.tags(&repo(repository), acr_types::OrderBy::None, None).expect("the repository");
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
        // One tag by a plain click, then a range by Shift+click: 3.7.0 … 3.8.1 in name order.
        click(&client, &checkbox(&client, &format!("{frontend}:3.7.0")).await?).await?;
        let last = checkbox(&client, &format!("{frontend}:3.8.1")).await?;
        shift_click(&client, &last).await?;
        let count = by_test_id(&client, "selection-count").await?;
        wait_until(SETTLE, || async { Ok((count.text().await? == "3 selected").then_some(())) })
            .await?;
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
        assert_eq!(group_count(&client, "already").await? + group_count(&client, "forbidden").await?, 0);
        let selection = by_test_id(&client, "bulk-selection").await?.text().await?;
        assert!(selection.starts_with("3 items chosen by hand"), "{selection}");
        screenshot(&client, "bulk-preview-selection").await?;
        click(&client, &by_test_id(&client, "bulk-apply").await?).await?;
        wait_phase(&client, "stopped").await?;
        let line = progress(&client).await?;
        assert!(line.starts_with("3 done · 0 failed · 0 remaining"), "{line}");
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
        let done = record["items"].as_array().map_or(0, |i| i.iter().filter(|i| i["state"] == "done").count());
        assert_eq!(done, 3, "{record}");
        Ok(())
    })
    .await;
}
