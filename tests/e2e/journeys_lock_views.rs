//! One owner for lock state, seen from the browser: a change made in one view shows in every
//! other view of the same artifact without a reload (a tag's row after locking it on its page,
//! every row of a repository locked on its page, the tag rows of a manifest locked on its
//! page), each compared with what the emulator holds; and after a change the registry refuses,
//! every view of the artifact agrees that nothing changed.

use crate::{
    harness::{screenshot, start_console, start_console_with, with_browser, Console},
    journeys_browse::{row_with_link, scroll_to, wait_loaded},
    journeys_locks::{
        click, digest_of, manifest_url, repository_url, stored_manifest, stored_repository,
        stored_tag, wd, Locks, FRONTEND,
    },
    pages::{sign_in_as, wait_until},
};
use acr_console::components::lock_badges::summary;
use fantoccini::{error::CmdError, Client, Locator};
use std::time::Duration;

const SETTLE: Duration = Duration::from_secs(15);

/// What a tag row's badges must say, from what the emulator holds.
fn expected_tag_row(console: &Console, t: &str) -> String {
    let manifest = stored_manifest(console, FRONTEND, &digest_of(console, FRONTEND, t));
    let repository = stored_repository(console, FRONTEND);
    summary("Tag", &stored_tag(console, FRONTEND, t), Some(&manifest), Some(&repository))
}

/// The badge summary of the row linking to `name`, found and read in one script run (the list
/// re-renders rows as the page scrolls, so an element found first may be gone when read).
async fn row_badges_now(client: &Client, name: &str) -> Result<Option<String>, CmdError> {
    let xpath = format!(
        "//div[@role='row'][.//a[normalize-space(.)='{name}']]//*[contains(@class,'lock-badges')]"
    );
    let script = "const r = document.evaluate(arguments[0], document, null, \
                  XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; \
                  return r ? r.getAttribute('aria-label') : null;";
    let label = client.execute(script, vec![serde_json::json!(xpath)]).await?;
    Ok(label.as_str().map(str::to_owned))
}

/// Waits until the row linking to `name` has the badge summary `want`.
async fn wait_row_badges(client: &Client, name: &str, want: &str) -> Result<(), CmdError> {
    let seen = wait_until(SETTLE, || async {
        Ok(row_badges_now(client, name).await?.filter(|got| got == want))
    })
    .await;
    match seen {
        Ok(_) => Ok(()),
        Err(_) => {
            let got = row_badges_now(client, name).await?;
            panic!("row {name}: want {want:?}, the console shows {got:?}")
        }
    }
}

/// Follows the link named `name` (a client-side navigation: the app is not reloaded).
async fn follow(client: &Client, name: &str) -> Result<(), CmdError> {
    let xpath = format!("//main//a[normalize-space(.)='{name}']");
    let link = client.wait().at_most(SETTLE).for_element(Locator::XPath(&xpath)).await?;
    click(client, &link).await
}

/// A marker on `window` that survives client-side navigation and vanishes on a reload.
async fn mark_document(client: &Client) -> Result<(), CmdError> {
    client.execute("window.__sameDocument = true;", vec![]).await.map(|_| ())
}

async fn assert_same_document(client: &Client) -> Result<(), CmdError> {
    let same = client.execute("return window.__sameDocument === true;", vec![]).await?;
    assert_eq!(same.as_bool(), Some(true), "the page was reloaded");
    Ok(())
}

#[tokio::test]
async fn a_tag_locked_on_its_page_shows_locked_in_its_row_when_going_back() {
    let console = start_console().await;
    let url = repository_url(&console, FRONTEND);
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        wait_loaded(&client).await?;
        mark_document(&client).await?;
        let t = "3.9.0";
        wait_row_badges(&client, t, &expected_tag_row(&console, t)).await?;
        follow(&client, t).await?;
        let target = format!("{FRONTEND}:{t}");
        let locks = Locks::new(&client, &target);
        click(&client, &locks.preset("Lock").await?).await?;
        locks.wait_for_status("Saved: write off, delete off").await?;
        // The page's own lock-state card agrees with the panel at once.
        let card = client.find(Locator::Css(".lock-states")).await?.text().await?;
        assert!(card.contains("Locked"), "{card}");
        client.back().await?;
        assert_eq!(wd(&stored_tag(&console, FRONTEND, t)), (false, false));
        wait_row_badges(&client, t, &expected_tag_row(&console, t)).await?;
        assert!(expected_tag_row(&console, t).starts_with("Tag: write and delete locked"));
        assert_same_document(&client).await?;
        scroll_to(&client, ".list-card").await?;
        screenshot(&client, "lock-views-tag-row-after-lock").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_repository_locked_on_its_page_marks_every_row_locked_by_repository() {
    let console = start_console().await;
    let url = repository_url(&console, FRONTEND);
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        wait_loaded(&client).await?;
        let locks = Locks::new(&client, FRONTEND);
        click(&client, &locks.preset("Lock").await?).await?;
        locks.wait_for_status("Saved: write off, delete off").await?;
        assert_eq!(wd(&stored_repository(&console, FRONTEND)), (false, false));
        // Every tag row in view says so, and matches the emulator row by row.
        let names = rendered_tag_names(&client).await?;
        assert!(names.len() >= 3, "{names:?}");
        for t in &names {
            let want = expected_tag_row(&console, t);
            assert!(want.contains("locked by repository: write locked"), "{want}");
            wait_row_badges(&client, t, &want).await?;
        }
        let clipped = client
            .execute(
                "return [...document.querySelectorAll('.tag-table .cell--locks')]\
                 .filter(c => c.scrollWidth > c.clientWidth + 1).length;",
                vec![],
            )
            .await?;
        assert_eq!(clipped.as_u64(), Some(0), "tag lock cells whose badges are cut");
        // And so does the manifests view of the same page.
        let manifests = client
            .find(Locator::Css("nav[aria-label=\"Repository views\"] a[href*=\"view=manifests\"]"))
            .await?;
        click(&client, &manifests).await?;
        wait_until(SETTLE, || async {
            Ok(client
                .current_url()
                .await?
                .query()
                .unwrap_or("")
                .contains("view=manifests")
                .then_some(()))
        })
        .await?;
        wait_loaded(&client).await?;
        let rows = client.find_all(Locator::Css(".manifest-table .lock-badges")).await?;
        assert!(!rows.is_empty());
        for row in rows {
            let label = row.attr("aria-label").await?.unwrap_or_default();
            assert!(label.contains("locked by repository"), "{label}");
        }
        // Every badge fits its cell ("Locked by repository" was cut at desktop width).
        let clipped = client
            .execute(
                "return [...document.querySelectorAll('.manifest-table .cell--locks')]\
                 .filter(c => c.scrollWidth > c.clientWidth + 1).length;",
                vec![],
            )
            .await?;
        assert_eq!(clipped.as_u64(), Some(0), "lock cells whose badges are cut");
        scroll_to(&client, ".list-card").await?;
        screenshot(&client, "lock-views-repository-locked").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_manifest_locked_on_its_page_shows_on_every_tag_row_pointing_at_it() {
    let console = start_console().await;
    let url = repository_url(&console, FRONTEND);
    let digest = digest_of(&console, FRONTEND, "3.9.0");
    let manifest_page = manifest_url(&console, FRONTEND, &digest);
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        wait_loaded(&client).await?;
        mark_document(&client).await?;
        // The tags pointing at this manifest, as the emulator holds them.
        let tags: Vec<String> = {
            let store = console.emulator().state.store.read().expect("the store");
            let repo = acr_types::RepositoryName::new(FRONTEND).unwrap();
            let m = store.manifest(&repo, &digest).expect("the manifest exists");
            m.tags.unwrap_or_default().iter().map(ToString::to_string).collect()
        };
        assert!(!tags.is_empty());
        // Open the manifest's page through its digest link in the first tag's row.
        let row = row_with_link(&client, &tags[0]).await?;
        let digest_link = row.find(Locator::Css(".cell--digest a")).await?;
        click(&client, &digest_link).await?;
        wait_until(SETTLE, || async {
            Ok(client.current_url().await?.path().contains("sha256").then_some(()))
        })
        .await?;
        assert!(manifest_page.contains(client.current_url().await?.path()));
        let locks = Locks::new(&client, &format!("{FRONTEND}@{digest}"));
        click(&client, &locks.preset("Lock").await?).await?;
        locks.wait_for_status("Saved: write off, delete off").await?;
        assert_eq!(wd(&stored_manifest(&console, FRONTEND, &digest)), (false, false));
        client.back().await?;
        for t in &tags {
            let want = expected_tag_row(&console, t);
            assert!(want.contains("manifest: write and delete locked"), "{want}");
            wait_row_badges(&client, t, &want).await?;
        }
        assert_same_document(&client).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn after_a_refused_change_every_view_of_the_repository_agrees_nothing_changed() {
    // With tokens the console cannot read, the payments user is offered switches on a
    // repository it may not change; the registry refuses, and the panel, the repository's
    // lock-state fact and every tag row go on showing the flags the registry holds.
    let config = acr_emulator::Config {
        faults: acr_emulator::config::Faults { opaque_access_tokens: true, ..Default::default() },
        ..Default::default()
    };
    let console = start_console_with(config).await;
    let url = repository_url(&console, FRONTEND);
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "payments").await?;
        wait_loaded(&client).await?;
        let locks = Locks::new(&client, FRONTEND);
        let write = format!("Write enabled for {FRONTEND}");
        locks.switch(&write).await?;
        let panel = locks.panel().await?.text().await?;
        assert!(panel.contains("could not be read"), "the rights are said to be unknown: {panel}");
        let before = stored_repository(&console, FRONTEND);
        click(&client, &locks.preset("Lock").await?).await?;
        // The panel's alert region is always there; the refusal fills it once answered.
        let problem = wait_until(SETTLE, || async {
            let text = locks.alert().await?;
            Ok((!text.is_empty()).then_some(text))
        })
        .await?;
        assert!(problem.contains("What to do:"), "the refusal is shown: {problem}");
        assert_eq!(stored_repository(&console, FRONTEND), before, "the registry changed nothing");
        assert!(locks.is_on(&write).await?, "the switch went back");
        assert_eq!(locks.current_preset().await?, "Unlock");
        // The repository's own lock-state badges (its facts) say what the registry holds.
        let fact = client.find(Locator::Css(".lock-badges[aria-label^='Repository:']")).await?;
        let fact = fact.attr("aria-label").await?.unwrap_or_default();
        assert_eq!(fact, summary("Repository", &before, None, None));
        for t in rendered_tag_names(&client).await? {
            wait_row_badges(&client, &t, &expected_tag_row(&console, &t)).await?;
        }
        locks.scroll_into_view().await?;
        screenshot(&client, "lock-views-refused-unknown-rights").await?;
        Ok(())
    })
    .await;
}

/// The tag names of the rows the virtual list has drawn.
async fn rendered_tag_names(client: &Client) -> Result<Vec<String>, CmdError> {
    let mut names = Vec::new();
    for link in client.find_all(Locator::Css(".tag-table .cell--name a")).await? {
        names.push(link.text().await?.trim().to_owned());
    }
    Ok(names)
}
