//! Browsing journeys: the registry picker, the repository list (filter in the URL), a
//! repository's tags with their own and their manifest's locks, its manifests with the
//! platforms of a multi-arch list, back/forward, a shared deep link with view, filter and order,
//! the tag and manifest pages; and the 10,000-repository catalog loaded completely with a
//! bounded DOM, its performance marks printed. Screenshots light and dark of every screen.

use crate::{
    cdp::ColorScheme,
    harness::{
        emulate_color_scheme, screenshot, start_console, start_console_with, with_browser, Outcome,
    },
    pages::{sign_in_as, text_of, wait_until},
};
use fantoccini::{
    actions::{InputSource, KeyAction, KeyActions},
    elements::Element,
    error::CmdError,
    key::Key,
    Client, Locator,
};
use std::time::Duration;

/// How long a list may take to load completely.
const LOAD_TIMEOUT: Duration = Duration::from_secs(60);
/// The demo's production API repository, as a path segment.
const API: &str = "prod%2Fpayments%2Fapi";

/// Saves `<name>-light.png` and `<name>-dark.png` of the current page.
async fn shoot(
    client: &Client,
    name: &str,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    emulate_color_scheme(client, ColorScheme::Light).await?;
    screenshot(client, &format!("{name}-light")).await?;
    emulate_color_scheme(client, ColorScheme::Dark).await?;
    screenshot(client, &format!("{name}-dark")).await?;
    emulate_color_scheme(client, ColorScheme::Light).await?;
    Ok(())
}

/// Waits until the page's list has loaded completely and returns its status text
/// ("15 repositories").
pub(crate) async fn wait_loaded(client: &Client) -> Result<String, CmdError> {
    wait_until(LOAD_TIMEOUT, || async {
        match client.find(Locator::Css(".load-progress__text[data-done=\"true\"]")).await {
            Ok(el) => Ok(Some(el.text().await?)),
            Err(e) if e.is_no_such_element() => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

/// Waits until the `<h1>` reads `text`.
async fn wait_heading(client: &Client, text: &str) -> Result<(), CmdError> {
    wait_until(Duration::from_secs(15), || async {
        match client.find(Locator::Css("main h1")).await {
            Ok(h) => Ok((h.text().await?.trim() == text).then_some(())),
            Err(e) if e.is_no_such_element() => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

/// Waits until the element at `css` has text satisfying `ok`, and returns it.
async fn wait_text(
    client: &Client,
    css: &str,
    ok: impl Fn(&str) -> bool,
) -> Result<String, CmdError> {
    wait_until(Duration::from_secs(15), || async {
        match client.find(Locator::Css(css)).await {
            Ok(el) => {
                let t = el.text().await?;
                Ok(ok(&t).then_some(t))
            }
            Err(e) if e.is_no_such_element() => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

/// The rendered rows of the page's virtual list or table.
async fn rendered_rows(client: &Client) -> Result<Vec<Element>, CmdError> {
    client.find_all(Locator::Css("[data-index]")).await
}

/// The table row whose link reads `name`.
pub(crate) async fn row_with_link(client: &Client, name: &str) -> Result<Element, CmdError> {
    let xpath = format!("//div[@role='row'][.//a[normalize-space(.)='{name}']]");
    client.wait().at_most(Duration::from_secs(15)).for_element(Locator::XPath(&xpath)).await
}

/// The accessible summary of the lock badges in `row`.
pub(crate) async fn badges_of(row: &Element) -> Result<String, CmdError> {
    let badges = row.find(Locator::Css(".lock-badges")).await?;
    Ok(badges.attr("aria-label").await?.unwrap_or_default())
}

/// The path and query the browser shows.
pub(crate) async fn here(client: &Client) -> Result<String, CmdError> {
    let url = client.current_url().await?;
    Ok(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
}

/// Types `text` into the input at `css` after clearing it.
async fn type_into(client: &Client, css: &str, text: &str) -> Result<(), CmdError> {
    let input = client.find(Locator::Css(css)).await?;
    input.clear().await?;
    input.send_keys(text).await
}

/// Scrolls `el` to the middle of the viewport at once (the console scrolls smoothly, which a
/// WebDriver click does not wait for), then clicks it.
async fn click(client: &Client, el: Element) -> Result<(), CmdError> {
    let arg = serde_json::to_value(&el)
        .map_err(|e| CmdError::InvalidArgument("element".into(), e.to_string()))?;
    client
        .execute("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", vec![arg])
        .await?;
    el.click().await
}

/// Scrolls the element at `css` to the top of the viewport (for screenshots of what lies below
/// the fold).
pub(crate) async fn scroll_to(client: &Client, css: &str) -> Result<(), CmdError> {
    let script = "document.querySelector(arguments[0])\
                  .scrollIntoView({block: 'start', behavior: 'instant'});";
    client.execute(script, vec![serde_json::json!(css)]).await.map(drop)
}

/// Presses `key` wherever focus is.
async fn press(client: &Client, key: Key) -> Result<(), CmdError> {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key.into() })
        .then(KeyAction::Up { value: key.into() });
    client.perform_actions(keys).await
}

/// The text of the row links in `aria-rowindex` order (table views).
async fn table_rows_in_order(client: &Client) -> Result<Vec<String>, CmdError> {
    let v = client
        .execute(
            "return [...document.querySelectorAll('[role=row][data-index]')]\
               .sort((a, b) => a.getAttribute('aria-rowindex') - b.getAttribute('aria-rowindex'))\
               .map(r => r.textContent);",
            vec![],
        )
        .await?;
    Ok(v.as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
        .unwrap_or_default())
}

#[tokio::test]
async fn browse_the_demo_registry_as_admin() {
    let console = start_console().await;
    let home = console.url("/");
    let deep = console.url(&format!("/r/demo/{API}?view=manifests&q=1.4&order=oldest"));
    with_browser(move |client| async move {
        sign_in_as(&client, &home, "admin").await?;

        // The registry picker: the configured registry with its login server and sign-in kind.
        let pick = client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("a.registry-picker__link[href=\"/r/demo\"]"))
            .await?;
        let text = pick.text().await?;
        assert!(text.contains("demo") && text.contains("Microsoft Entra ID"), "{text}");
        assert_eq!(here(&client).await?, "/", "no redirect away from the picker");
        shoot(&client, "browse-registries").await?;

        // The repositories: every one, then filtered as you type, with the filter in the URL.
        click(&client, pick).await?;
        wait_heading(&client, "Repositories").await?;
        assert_eq!(wait_loaded(&client).await?, "15 repositories");
        type_into(&client, "#repo-filter", "payments").await?;
        let count =
            wait_text(&client, "[data-testid=\"match-count\"]", |t| t.starts_with("3 of")).await?;
        assert_eq!(count, "3 of 15 repositories match “payments”");
        // The URL follows once the browser is idle (written after the rows are painted).
        wait_until(Duration::from_secs(5), || async {
            Ok((here(&client).await? == "/r/demo?q=payments").then_some(()))
        })
        .await?;
        assert_eq!(rendered_rows(&client).await?.len(), 3);
        shoot(&client, "browse-repositories-filtered").await?;
        assert_rows_hold_their_cells(&client).await?;

        // prod/payments/api: 1.4.2 shows its own lock AND its manifest's.
        let link =
            client.find(Locator::XPath("//a[normalize-space(.)='prod/payments/api']")).await?;
        click(&client, link).await?;
        wait_heading(&client, "prod/payments/api").await?;
        assert_eq!(here(&client).await?, format!("/r/demo/{API}"));
        assert_eq!(wait_loaded(&client).await?, "10 tags");
        let row = row_with_link(&client, "1.4.2").await?;
        let badges = badges_of(&row).await?;
        assert_eq!(badges, "Tag: write and delete locked; manifest: write and delete locked");
        let visible = row.find(Locator::Css(".cell--locks")).await?.text().await?;
        assert!(visible.contains("Locked"), "{visible}");
        let open = badges_of(&row_with_link(&client, "1.3.0").await?).await?;
        assert_eq!(open, "Tag: unlocked; manifest: unlocked");
        scroll_to(&client, ".list-card").await?;
        shoot(&client, "browse-repository-tags").await?;
        assert_rows_hold_their_cells(&client).await?;

        // The manifests view: a multi-arch list with its platforms.
        let manifests = client
            .find(Locator::Css("nav[aria-label=\"Repository views\"] a[href*=\"view=manifests\"]"))
            .await?;
        click(&client, manifests).await?;
        wait_until(Duration::from_secs(15), || async {
            Ok(here(&client).await?.contains("view=manifests").then_some(()))
        })
        .await?;
        wait_loaded(&client).await?;
        let row = row_with_link(&client, "1.4.2").await?;
        let platforms = row.find(Locator::Css(".platforms")).await?.text().await?;
        assert!(platforms.contains("multi-arch"), "{platforms}");
        assert!(platforms.contains("linux/amd64, linux/arm64"), "{platforms}");
        assert_eq!(badges_of(&row).await?, "Manifest: write and delete locked");
        let current =
            client.find(Locator::Css("a.view-switch__link[aria-current=\"page\"]")).await?;
        assert!(current.text().await?.starts_with("Manifests"));
        scroll_to(&client, ".list-card").await?;
        shoot(&client, "browse-repository-manifests").await?;
        assert_rows_hold_their_cells(&client).await?;

        // Back and forward move between the views.
        client.back().await?;
        wait_until(Duration::from_secs(15), || async {
            Ok((here(&client).await? == format!("/r/demo/{API}")).then_some(()))
        })
        .await?;
        client
            .wait()
            .for_element(Locator::Css("[role=table][aria-label=\"Tags of prod/payments/api\"]"))
            .await?;
        client.forward().await?;
        client
            .wait()
            .for_element(Locator::Css(
                "[role=table][aria-label=\"Manifests of prod/payments/api\"]",
            ))
            .await?;

        // A shared deep link with view, filter and order shows that state.
        client.goto(&deep).await?;
        wait_heading(&client, "prod/payments/api").await?;
        wait_loaded(&client).await?;
        let filter = client.find(Locator::Css("#list-filter")).await?;
        assert_eq!(filter.prop("value").await?.as_deref(), Some("1.4"));
        let order = client.find(Locator::Css("#list-order")).await?;
        assert_eq!(order.prop("value").await?.as_deref(), Some("oldest"));
        wait_text(&client, "[data-testid=\"match-count\"]", |t| t.starts_with("3 of")).await?;
        let rows = table_rows_in_order(&client).await?;
        assert_eq!(rows.len(), 3, "{rows:?}");
        for (row, tag) in rows.iter().zip(["1.4.0", "1.4.1", "1.4.2"]) {
            assert!(row.contains(tag), "oldest first: {rows:?}");
        }

        // Changing the order is a step in history; typing is not.
        order.select_by_value("newest").await?;
        wait_until(Duration::from_secs(15), || async {
            Ok((!here(&client).await?.contains("order=")).then_some(()))
        })
        .await?;
        wait_loaded(&client).await?;
        let rows = table_rows_in_order(&client).await?;
        assert!(rows[0].contains("1.4.2"), "newest first: {rows:?}");
        client.back().await?;
        wait_until(Duration::from_secs(15), || async {
            Ok(here(&client).await?.contains("order=oldest").then_some(()))
        })
        .await?;

        // The tag page: both sets of flags, the repository, a link to the manifest.
        client.goto(&console_url(&client, &format!("/r/demo/{API}")).await?).await?;
        wait_loaded(&client).await?;
        let link =
            row_with_link(&client, "1.4.2").await?.find(Locator::Css(".cell--name a")).await?;
        click(&client, link).await?;
        wait_heading(&client, "prod/payments/api:1.4.2").await?;
        let states = client.wait().for_element(Locator::Css(".lock-states")).await?;
        let labels: Vec<String> = {
            let mut out = Vec::new();
            for b in states.find_all(Locator::Css(".lock-badges")).await? {
                out.push(b.attr("aria-label").await?.unwrap_or_default());
            }
            out
        };
        assert_eq!(labels[0], "Tag: write and delete locked");
        assert_eq!(labels[1], "Manifest: write and delete locked");
        let crumbs =
            client.find(Locator::Css("nav[aria-label=\"Breadcrumb\"]")).await?.text().await?;
        assert!(
            crumbs.contains("demo")
                && crumbs.contains("prod/payments/api")
                && crumbs.contains("1.4.2"),
            "{crumbs}"
        );
        // The platforms fact wraps between platforms, never inside one: each platform's text
        // lies on a single line (a name broken across lines has two client rects).
        let lines = client
            .execute(
                "const el = document.querySelector('.facts .platforms__list'); \
                 const node = [...el.childNodes].find(n => n.nodeType === 3); \
                 let from = 0; \
                 return node.textContent.split(', ').map(p => { \
                   const at = node.textContent.indexOf(p, from); from = at + p.length; \
                   const r = document.createRange(); r.setStart(node, at); r.setEnd(node, from); \
                   return [p, r.getClientRects().length]; });",
                vec![],
            )
            .await?;
        let lines: Vec<(String, usize)> = serde_json::from_value(lines)?;
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines.iter().all(|(_, rects)| *rects == 1),
            "a platform broken across lines: {lines:?}"
        );
        shoot(&client, "browse-tag").await?;

        // The manifest page, from the tag page's link.
        let link =
            client.find(Locator::XPath("//a[normalize-space(.)='Open the manifest']")).await?;
        click(&client, link).await?;
        client
            .wait()
            .for_element(Locator::Css("[data-testid=\"manifest-page\"] .lock-states"))
            .await?;
        let title = client.find(Locator::Css("main h1")).await?.text().await?;
        assert!(title.starts_with("prod/payments/api@sha256:"), "{title}");
        let platforms = client.find(Locator::Css(".platform-list")).await?.text().await?;
        assert!(
            platforms.contains("linux/amd64") && platforms.contains("linux/arm64"),
            "{platforms}"
        );
        shoot(&client, "browse-manifest").await?;

        // The repository page at phone width.
        client.goto(&console_url(&client, &format!("/r/demo/{API}")).await?).await?;
        wait_loaded(&client).await?;
        client.set_window_size(390, 844).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        shoot(&client, "browse-repository-phone").await?;
        crate::harness::assert_fits_width(&client).await?;
        scroll_to(&client, ".list-card").await?;
        shoot(&client, "browse-repository-phone-tags").await?;
        client.execute("window.scrollBy({top: 420, behavior: 'instant'})", vec![]).await?;
        shoot(&client, "browse-repository-phone-cards").await?;
        crate::harness::assert_fits_width(&client).await?;
        assert_rows_hold_their_cells(&client).await?;
        let manifests =
            client.find(Locator::Css("a.view-switch__link[href*=\"view=manifests\"]")).await?;
        click(&client, manifests).await?;
        client
            .wait()
            .for_element(Locator::Css(
                "[role=table][aria-label=\"Manifests of prod/payments/api\"]",
            ))
            .await?;
        scroll_to(&client, ".list-card").await?;
        shoot(&client, "browse-repository-phone-manifests").await?;
        assert_rows_hold_their_cells(&client).await?;
        client.set_window_size(1280, 900).await?;
        Ok(())
    })
    .await;
}

/// `path` on the origin the browser is on.
async fn console_url(client: &Client, path: &str) -> Result<String, CmdError> {
    let url = client.current_url().await?;
    Ok(url.join(path).map(String::from).unwrap_or_else(|_| path.to_owned()))
}

/// Waits until keyboard focus is in the list row at position `want` (its `aria-posinset`).
async fn focused_position(client: &Client, want: &str) -> Result<String, CmdError> {
    wait_until(Duration::from_secs(5), || async {
        let v = client
            .execute(
                "const li = document.activeElement && document.activeElement.closest('li[aria-posinset]'); \
                 return li ? li.getAttribute('aria-posinset') : null;",
                vec![],
            )
            .await?;
        Ok(v.as_str().filter(|p| *p == want).map(str::to_owned))
    })
    .await
}

/// Reads the last entry named `name` from the performance timeline: its start time in ms.
async fn mark_time(client: &Client, name: &str) -> Result<Option<f64>, CmdError> {
    let script = "const e = performance.getEntriesByName(arguments[0]); \
                  return e.length ? e[e.length - 1].startTime : null;";
    let v = client.execute(script, vec![serde_json::json!(name)]).await?;
    Ok(v.as_f64())
}

#[tokio::test]
async fn ten_thousand_repositories_load_completely_with_few_rows_in_the_dom() {
    let data = acr_emulator::config::DataSource::Generate(acr_emulator::seed::Generate {
        repos: 10_000,
        tags: 5_000,
    });
    let console = start_console_with(acr_emulator::Config { data, ..Default::default() }).await;
    let list = console.url("/r/demo");
    with_browser(move |client| async move {
        sign_in_as(&client, &list, "admin").await?;
        // Measure from a fresh page load (the session is restored from the tab).
        client.goto(&list).await?;
        let status = wait_loaded(&client).await?;
        assert_eq!(status, "10,001 repositories");
        let complete = wait_until(Duration::from_secs(10), || mark_time(&client, "repos:complete")).await?;
        let first = mark_time(&client, "repos:first-rows").await?.expect("a first-rows mark");
        println!(
            "10,001 repositories: first rows painted {first:.0} ms, complete {complete:.0} ms after navigation start"
        );
        assert!(first <= complete);

        // Only the visible rows are in the DOM, and the list says how many there are.
        let rows = rendered_rows(&client).await?;
        assert!(!rows.is_empty() && rows.len() < 100, "{} rows rendered", rows.len());
        assert_eq!(rows[0].attr("aria-setsize").await?.as_deref(), Some("10001"));
        shoot(&client, "browse-repositories-10k").await?;
        assert_rows_hold_their_cells(&client).await?;

        // Keyboard: arrows move through the rows; End reaches the last one, which scrolls in.
        client.execute("document.querySelector('[data-index=\"0\"] a').focus();", vec![]).await?;
        press(&client, Key::Down).await?;
        press(&client, Key::Down).await?;
        assert_eq!(focused_position(&client, "3").await?, "3");
        press(&client, Key::End).await?;
        assert_eq!(focused_position(&client, "10001").await?, "10001");
        press(&client, Key::Up).await?;
        assert_eq!(focused_position(&client, "10000").await?, "10000");
        assert!(rendered_rows(&client).await?.len() < 100);

        // Filtering: the right count, from the whole catalog, and still a bounded DOM.
        type_into(&client, "#repo-filter", "team-042/").await?;
        let count = wait_text(&client, "[data-testid=\"match-count\"]", |t| t.contains("team-042/")).await?;
        assert_eq!(count, "10 of 10,001 repositories match “team-042/”");
        assert_eq!(rendered_rows(&client).await?.len(), 10);
        if let Some(applied) = mark_time(&client, "filter:applied").await? {
            println!("filter applied (last mark) at {applied:.0} ms");
        }
        type_into(&client, "#repo-filter", "service-1").await?;
        let count = wait_text(&client, "[data-testid=\"match-count\"]", |t| t.contains("service-1”")).await?;
        assert_eq!(count, "500 of 10,001 repositories match “service-1”");
        assert!(rendered_rows(&client).await?.len() < 100);
        Ok(())
    })
    .await;
}

/// The accessible summary of the lock badges in the repository list's row for `name`, once
/// read (the list reads each repository's locks lazily, for the rows in view).
async fn repository_row_locks(client: &Client, name: &str) -> Result<String, CmdError> {
    let xpath = format!(
        "//div[contains(@class,'repo-list')]//*[@data-index][.//a[normalize-space(.)='{name}']]\
         //span[contains(@class,'repo-list__locks')]//*[@role='img']"
    );
    // Found and read in one script run: the row re-renders when its locks arrive.
    let script = "const r = document.evaluate(arguments[0], document, null, \
                  XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; \
                  return r ? r.getAttribute('aria-label') : null;";
    wait_until(Duration::from_secs(15), || async {
        let label = client.execute(script, vec![serde_json::json!(xpath)]).await?;
        Ok(label.as_str().filter(|l| *l != "Lock state not read yet").map(str::to_owned))
    })
    .await
}

#[tokio::test]
async fn the_repository_list_shows_each_repositorys_own_locks() {
    use acr_console::components::lock_badges::summary;
    let console = start_console().await;
    let url = console.url("/r/demo");
    let state = console.emulator().state.clone();
    let own = move |name: &str| {
        let name = acr_types::RepositoryName::new(name).expect("a repository name");
        state.store.read().expect("the store").repositories[&name].attributes.clone()
    };
    let expected: Vec<(&str, String)> = ["base/debian", "legacy/billing", "base/ubuntu"]
        .into_iter()
        .map(|n| (n, summary("Repository", &own(n), None, None)))
        .collect();
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        wait_loaded(&client).await?;
        for (name, want) in &expected {
            type_into(&client, "#repo-filter", name).await?;
            let label = repository_row_locks(&client, name).await?;
            assert_eq!(&label, want, "the badges of {name}");
        }
        // Delete-protected and write-protected repositories read differently, and an unlocked
        // one says so: the labels are the registry's flags, not a guess.
        assert_ne!(expected[0].1, expected[1].1);
        assert_ne!(expected[1].1, expected[2].1);
        type_into(&client, "#repo-filter", "base/").await?;
        assert_eq!(repository_row_locks(&client, "base/debian").await?, expected[0].1);
        shoot(&client, "browse-repositories-locks").await?;
        assert_rows_hold_their_cells(&client).await?;
        // At phone width, with every repository in a namespace listed.
        type_into(&client, "#repo-filter", "/").await?;
        client.set_window_size(390, 844).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        shoot(&client, "browse-repositories-locks-phone").await?;
        crate::harness::assert_fits_width(&client).await?;
        assert_rows_hold_their_cells(&client).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn an_address_naming_no_valid_tag_or_digest_says_so() {
    let console = start_console().await;
    let home = console.url("/");
    let bad_tag = console.url("/r/demo/prod%2Fpayments%2Fapi/tags/-not-a-tag");
    let bad_digest = console.url("/r/demo/prod%2Fpayments%2Fapi/manifests/sha256:1234");
    with_browser(move |client| async move {
        sign_in_as(&client, &home, "admin").await?;
        for (url, heading, title) in
            [(&bad_tag, "Tag", "Not a tag"), (&bad_digest, "Manifest", "Not a manifest")]
        {
            client.goto(url).await?;
            wait_heading(&client, heading).await?;
            let problem =
                wait_text(&client, "[data-testid=\"error-view\"]", |t| t.contains(title)).await?;
            assert!(problem.contains("pick a"), "a remedy: {problem}");
        }
        Ok(())
    })
    .await;
}

/// Every cell of every list row in the DOM lies inside its row (a fixed-height row whose content
/// does not fit spills over the next one), no two cells of a row overlap (a checkbox over the
/// name), every Copy button lies inside its cell (not cut off), and each list's rows follow one
/// another with neither gaps nor overlaps.
async fn assert_rows_hold_their_cells(client: &Client) -> Outcome {
    let script = "const out = []; \
        const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 \
            && a.top >= b.top - 1 && a.bottom <= b.bottom + 1; \
        const overlap = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) \
            * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)); \
        for (const list of document.querySelectorAll('.vlist__spacer')) { \
          const rows = [...list.querySelectorAll(':scope > .vlist__row')] \
            .sort((a, b) => a.dataset.index - b.dataset.index); \
          for (let i = 1; i < rows.length; i++) { \
            const [a, b] = [rows[i - 1], rows[i]]; \
            if (b.dataset.index - a.dataset.index === 1 \
                && Math.abs(b.getBoundingClientRect().top - a.getBoundingClientRect().bottom) > 1) \
              out.push(`row ${b.dataset.index} does not follow row ${a.dataset.index}`); \
          } \
        } \
        for (const row of document.querySelectorAll('.vlist__row')) { \
          const r = row.getBoundingClientRect(); \
          const cells = [...row.querySelectorAll('[role=cell]')] \
            .map(c => [c, c.getBoundingClientRect()]).filter(([, c]) => c.height > 0 && c.width > 0); \
          for (const [cell, c] of cells) { \
            if (!inside(c, r)) out.push(`${cell.className} spills out of row: ${row.textContent.slice(0, 40)}`); \
            for (const b of cell.querySelectorAll('.digest__copy')) { \
              if (!inside(b.getBoundingClientRect(), c)) out.push(`Copy cut off in ${row.textContent.slice(0, 40)}`); \
            } \
          } \
          for (let i = 0; i < cells.length; i++) for (let j = i + 1; j < cells.length; j++) { \
            if (overlap(cells[i][1], cells[j][1]) > 4) \
              out.push(`${cells[i][0].className} overlaps ${cells[j][0].className} in ${row.textContent.slice(0, 40)}`); \
          } \
        } \
        return out;";
    let problems: Vec<String> = serde_json::from_value(client.execute(script, vec![]).await?)?;
    assert!(problems.is_empty(), "{problems:#?}");
    Ok(())
}

/// The texts of the alerts a person can perceive on the page (an alert inside a closed
/// disclosure or a hidden region is neither shown nor announced).
async fn perceivable_alerts(client: &Client) -> Result<Vec<String>, CmdError> {
    let script = "return [...document.querySelectorAll('[role=alert],[aria-live=assertive]')] \
        .filter(e => e.checkVisibility()).map(e => e.textContent.trim()).filter(t => t);";
    let found = client.execute(script, vec![]).await?;
    Ok(serde_json::from_value(found).unwrap_or_default())
}

#[tokio::test]
async fn a_page_for_something_that_does_not_exist_says_so_once() {
    let console = start_console().await;
    let home = console.url("/");
    let digest = format!("sha256:{}", "0".repeat(64));
    let pages = [
        (console.url("/r/demo/prod%2Fnothing"), "prod/nothing does not exist"),
        (console.url("/r/demo/prod%2Fnothing?view=manifests"), "prod/nothing does not exist"),
        (
            console.url(&format!("/r/demo/{API}/tags/9.9.9")),
            "prod/payments/api:9.9.9 does not exist",
        ),
        (
            console.url(&format!("/r/demo/{API}/manifests/{digest}")),
            "prod/payments/api@sha256:0000",
        ),
        (console.url("/r/demo/prod%2Fnothing/tags/1.0"), "prod/nothing:1.0 does not exist"),
    ];
    let nowhere = console.url("/nowhere/at/all");
    with_browser(move |client| async move {
        sign_in_as(&client, &home, "admin").await?;
        for (i, (url, says)) in pages.iter().enumerate() {
            client.goto(url).await?;
            wait_until(Duration::from_secs(15), || async {
                Ok((!perceivable_alerts(&client).await?.is_empty()).then_some(()))
            })
            .await?;
            // Whatever else the page reads has landed by now.
            tokio::time::sleep(Duration::from_millis(1_500)).await;
            let alerts = perceivable_alerts(&client).await?;
            assert_eq!(alerts.len(), 1, "one alert, announced once, on {url}: {alerts:#?}");
            assert!(alerts[0].starts_with("Not found") && alerts[0].contains(says), "{alerts:?}");
            if i == 0 {
                screenshot(&client, "browse-repository-not-found").await?;
            }
            // A repository that does not exist offers no tools for its (empty) lists.
            for tool in ["#list-filter", "[data-testid=selection-bar]", "[data-testid=repository-whole]"] {
                let shown = client
                    .execute(
                        "const e = document.querySelector(arguments[0]); return !!e && e.checkVisibility();",
                        vec![serde_json::json!(tool)],
                    )
                    .await?;
                assert_eq!(shown, serde_json::json!(false), "{tool} on {url}");
            }
        }
        // A path no page answers: one page saying so, no alert.
        client.goto(&nowhere).await?;
        wait_heading(&client, "Page not found").await?;
        assert!(perceivable_alerts(&client).await?.is_empty());
        let main = text_of(&client, "main").await?.unwrap_or_default();
        assert!(main.contains("There is no page at /nowhere/at/all."), "{main}");
        Ok(())
    })
    .await;
}

/// "3 of 10 tags locked · 1 of 8 manifests locked" for `name`, worked out here from the
/// emulator's store: an item is locked when it can be neither overwritten nor deleted, a
/// repository with writes off locking everything in it.
fn expected_inside(console: &crate::harness::Console, name: &str) -> String {
    use acr_types::{ChangeableAttributes, OrderBy, RepositoryName};
    let locked = |own: &ChangeableAttributes, repo: &ChangeableAttributes| {
        let write = own.write_enabled && repo.write_enabled;
        let delete = own.delete_enabled && repo.write_enabled;
        !write && !delete
    };
    let noun = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let store = console.emulator().state.store.read().expect("the store");
    let repo_name = RepositoryName::new(name).expect("a repository name");
    let repo = store.repository("demo", &repo_name).expect("repository").changeable_attributes;
    let tags = store.tags(&repo_name, OrderBy::None, None).expect("tags");
    let manifests = store.manifests(&repo_name, OrderBy::None).expect("manifests");
    let t = tags.iter().filter(|t| locked(&t.changeable_attributes, &repo)).count();
    let m = manifests.iter().filter(|m| locked(&m.changeable_attributes, &repo)).count();
    format!(
        "{t} of {} locked · {m} of {} locked",
        noun(tags.len(), "tag", "tags"),
        noun(manifests.len(), "manifest", "manifests")
    )
}

/// The "what is inside" text of the repository list's row for `name`, once read.
async fn repository_row_inside(client: &Client, name: &str) -> Result<String, CmdError> {
    let xpath = format!(
        "//div[contains(@class,'repo-list')]//*[@data-index][.//a[normalize-space(.)='{name}']]\
         //span[@data-testid='repository-inside']"
    );
    let script = "const r = document.evaluate(arguments[0], document, null, \
                  XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; \
                  return r ? r.textContent : null;";
    wait_until(Duration::from_secs(15), || async {
        let text = client.execute(script, vec![serde_json::json!(xpath)]).await?;
        Ok(text.as_str().filter(|t| !t.is_empty()).map(str::to_owned))
    })
    .await
}

#[tokio::test]
async fn repository_rows_say_what_is_inside_apart_from_their_own_locks() {
    let console = start_console().await;
    let url = console.url("/r/demo");
    let names = ["prod/payments/api", "prod/web/frontend", "base/debian", "legacy/billing"];
    let expected: Vec<String> = names.iter().map(|n| expected_inside(&console, n)).collect();
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "viewer").await?;
        wait_loaded(&client).await?;
        for (name, want) in names.iter().zip(&expected) {
            type_into(&client, "#repo-filter", name).await?;
            assert_eq!(&repository_row_inside(&client, name).await?, want, "{name}");
        }
        // The example a viewer misread: the repository's own badge says unlocked, the row says
        // what is locked inside it.
        type_into(&client, "#repo-filter", names[0]).await?;
        assert_eq!(repository_row_locks(&client, names[0]).await?, "Repository: unlocked");
        let payments = repository_row_inside(&client, names[0]).await?;
        assert!(!payments.starts_with("0 of"), "{payments}");
        // A lock changed elsewhere (through the API) shows once the page reads again.
        let before = expected_inside(&console, names[1]);
        let t = {
            let store = console.emulator().state.store.read().expect("the store");
            let repo = acr_types::RepositoryName::new(names[1]).expect("name");
            let tags = store.tags(&repo, acr_types::OrderBy::None, None).expect("tags");
            tags.iter()
                .find(|t| {
                    t.changeable_attributes.write_enabled && t.changeable_attributes.delete_enabled
                })
                .expect("an unlocked tag")
                .name
                .to_string()
        };
        let json = r#"{"writeEnabled":false,"deleteEnabled":false}"#;
        assert_eq!(
            crate::journeys_locks::patch_tag_as(&console, "admin", names[1], &t, json).await,
            200
        );
        let after = expected_inside(&console, names[1]);
        assert_ne!(before, after);
        client.refresh().await?;
        wait_loaded(&client).await?;
        type_into(&client, "#repo-filter", names[1]).await?;
        assert_eq!(repository_row_inside(&client, names[1]).await?, after);
        // The row's visible label says whose flags its one badge describes.
        let xpath = format!(
            "//div[contains(@class,'repo-list')]//*[@data-index][.//a[normalize-space(.)='{}']]\
             //span[contains(@class,'repo-list__locks')]",
            names[1]
        );
        let script = "const r = document.evaluate(arguments[0], document, null, \
                      XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; \
                      return r ? r.textContent : null;";
        let visible = client.execute(script, vec![serde_json::json!(xpath)]).await?;
        assert_eq!(visible.as_str(), Some("RepositoryUnlocked"), "{visible}");
        // The screenshot shows every row of the filter read, none still "…".
        type_into(&client, "#repo-filter", "prod/").await?;
        for name in
            ["prod/payments/api", "prod/payments/worker", "prod/web/frontend", "prod/web/gateway"]
        {
            repository_row_inside(&client, name).await?;
            repository_row_locks(&client, name).await?;
        }
        shoot(&client, "browse-repositories-inside").await?;
        assert_rows_hold_their_cells(&client).await?;
        client.set_window_size(390, 844).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        shoot(&client, "browse-repositories-inside-phone").await?;
        crate::harness::assert_fits_width(&client).await?;
        client.set_window_size(1280, 900).await?;
        Ok(())
    })
    .await;
}
