//! Status journeys: the production status of the demo registry's `prod/**` against an
//! independent count from the emulator's store, tag by tag; a lock changed elsewhere shows after
//! refresh; the viewer sees the same figures without tools; a lock rule's gap closed through the
//! bulk preview, then compliant; the inventory exports equal the store.

use crate::{
    harness::{screenshot, start_console, with_browser, Console},
    journeys_bulk::exported,
    journeys_locks::{click, patch_tag_as, REGISTRY},
    pages::{sign_in_as, wait_until},
};
use acr_console::routes::{Route, StatusSort};
use acr_types::{ChangeableAttributes, OrderBy, RepositoryName};
use fantoccini::{error::CmdError, Client, Locator};
use serde_json::Value;
use std::{collections::BTreeMap, time::Duration};

const SETTLE: Duration = Duration::from_secs(60);

fn status_url(console: &Console, scope: &str) -> String {
    let route = Route::Status {
        registry: REGISTRY.into(),
        scope: scope.into(),
        sort: StatusSort::default(),
        state: String::new(),
    };
    console.url(&route.href())
}

/// The state of an item, worked out here from the flags alone: a repository with writes off
/// locks everything in it; its delete flag guards only itself.
fn state_of(own: &ChangeableAttributes, repo: &ChangeableAttributes) -> &'static str {
    let write = own.write_enabled && repo.write_enabled;
    let delete = own.delete_enabled && repo.write_enabled;
    match (write, delete) {
        (false, false) => "locked",
        (true, false) => "delete-protected",
        (false, true) => "updates-prevented",
        (true, true) => "unlocked",
    }
}

/// Every tag and manifest of the repositories under `prefix`, with its state.
fn expected(
    console: &Console,
    prefix: &str,
) -> (BTreeMap<String, &'static str>, BTreeMap<String, &'static str>) {
    let store = console.emulator().state.store.read().expect("the store");
    let (mut tags, mut manifests) = (BTreeMap::new(), BTreeMap::new());
    for name in store.catalog().into_iter().filter(|n| n.as_str().starts_with(prefix)) {
        let repo = store.repository(REGISTRY, &name).expect("repository").changeable_attributes;
        for t in store.tags(&name, OrderBy::None, None).expect("tags") {
            tags.insert(format!("{name}:{}", t.name), state_of(&t.changeable_attributes, &repo));
        }
        for m in store.manifests(&name, OrderBy::None).expect("manifests") {
            manifests
                .insert(format!("{name}@{}", m.digest), state_of(&m.changeable_attributes, &repo));
        }
    }
    (tags, manifests)
}

fn count(map: &BTreeMap<String, &'static str>, state: &str) -> usize {
    map.values().filter(|s| **s == state).count()
}

async fn by_test_id(client: &Client, id: &str) -> Result<fantoccini::elements::Element, CmdError> {
    client
        .wait()
        .at_most(SETTLE)
        .for_element(Locator::Css(&format!("[data-testid=\"{id}\"]")))
        .await
}

/// Waits until the scan has finished ("As of …").
async fn wait_scanned(client: &Client) -> Result<(), CmdError> {
    wait_until(SETTLE, || async {
        match client.find(Locator::Css("[data-testid=\"status-as-of\"]")).await {
            Ok(_) => Ok(Some(())),
            Err(e) if e.is_no_such_element() => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

async fn total(client: &Client, what: &str, state: &str) -> Result<usize, CmdError> {
    let el = by_test_id(client, &format!("total-{what}-{state}")).await?;
    let n = el.find(Locator::Css(".bulk-count__n")).await?.text().await?;
    Ok(n.replace(',', "").parse().unwrap_or(usize::MAX))
}

/// The drill-down list: each not-locked item and its state label.
async fn unprotected(client: &Client) -> Result<Vec<String>, CmdError> {
    let items = client.find_all(Locator::Css("[data-testid=\"unprotected-items\"] li a")).await?;
    let mut out = Vec::new();
    for i in items {
        out.push(i.text().await?);
    }
    out.sort();
    Ok(out)
}

async fn assert_matches_store(client: &Client, console: &Console) -> Result<(), CmdError> {
    let (tags, manifests) = expected(console, "prod/");
    for state in ["locked", "delete-protected", "updates-prevented", "unlocked"] {
        assert_eq!(total(client, "tags", state).await?, count(&tags, state), "tags {state}");
        assert_eq!(
            total(client, "manifests", state).await?,
            count(&manifests, state),
            "manifests {state}"
        );
    }
    // Tag by tag (and image by image): the not-locked list is exactly the store's.
    let mut want: Vec<String> = tags
        .iter()
        .chain(manifests.iter())
        .filter(|(_, s)| **s != "locked")
        .map(|(k, _)| k.clone())
        .collect();
    want.sort();
    assert_eq!(unprotected(client).await?, want);
    Ok(())
}

#[tokio::test]
async fn the_status_of_prod_equals_the_store_follows_a_change_after_refresh_and_the_viewer_sees_it_without_tools(
) {
    let console = start_console().await;
    let url = status_url(&console, "prod/**");
    let viewer_console = start_console().await;
    let viewer_url = status_url(&viewer_console, "prod/**");
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        wait_scanned(&client).await?;
        assert_matches_store(&client, &console).await?;
        let bars = client.find_all(Locator::Css("[data-testid=\"coverage-bars\"] li")).await?;
        assert_eq!(bars.len(), 4, "one bar per prod repository");
        assert!(
            client.find(Locator::Css("[data-testid=\"lock-unprotected\"]")).await.is_ok(),
            "admins get the tools"
        );
        screenshot(&client, "status-prod").await?;
        crate::journeys_browse::scroll_to(&client, "[data-testid=\"coverage-bars\"]").await?;
        screenshot(&client, "status-bars").await?;
        // A lock changed elsewhere shows after refresh.
        let (r, t) = ("prod/web/gateway", "1.32.3");
        assert_eq!(
            patch_tag_as(
                &console,
                "admin",
                r,
                t,
                r#"{"writeEnabled":false,"deleteEnabled":false}"#
            )
            .await,
            200
        );
        click(&client, &by_test_id(&client, "status-refresh").await?).await?;
        wait_until(SETTLE, || async {
            let list = unprotected(&client).await?;
            Ok((!list.contains(&format!("{r}:{t}"))).then_some(()))
        })
        .await?;
        wait_scanned(&client).await?;
        assert_matches_store(&client, &console).await?;
        Ok(())
    })
    .await;
    with_browser(move |client| async move {
        sign_in_as(&client, &viewer_url, "viewer").await?;
        wait_scanned(&client).await?;
        assert_matches_store(&client, &viewer_console).await?;
        assert!(client
            .find_all(Locator::Css("[data-testid=\"lock-unprotected\"]"))
            .await?
            .is_empty());
        assert!(client.find_all(Locator::Css("[data-testid^=\"close-gap-\"]")).await?.is_empty());
        // On a phone the page fits its width: nothing scrolls sideways.
        client.set_window_size(390, 844).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        crate::harness::assert_fits_width(&client).await?;
        // The per-repository table scrolls sideways in its own box, which keyboards can reach.
        let wrap = client.find(Locator::Css(".cov-table-wrap")).await?;
        assert_eq!(wrap.attr("tabindex").await?.as_deref(), Some("0"));
        assert_eq!(wrap.attr("role").await?.as_deref(), Some("region"));
        screenshot(&client, "status-prod-phone").await?;
        client.set_window_size(1280, 900).await?;
        // The base images rule lies outside prod/**: the page says so instead of "0 items
        // matched", and its link scans the rule's own repositories.
        assert!(client
            .find_all(Locator::Css("[data-testid=\"rule-0-outside\"]"))
            .await?
            .is_empty());
        let outside = by_test_id(&client, "rule-1-outside").await?;
        assert_eq!(
            outside.text().await?,
            "Not in this scan: no repository in prod/** matches base/**. Show base/**"
        );
        let rules = by_test_id(&client, "rule-1").await?;
        client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})",
                vec![serde_json::to_value(&rules)?],
            )
            .await?;
        screenshot(&client, "status-rule-outside-scan").await?;
        click(&client, &outside.find(Locator::LinkText("Show base/**")).await?).await?;
        let (base_tags, _) = expected(&viewer_console, "base/");
        assert!(!base_tags.is_empty());
        let compliant = count(&base_tags, "locked") + count(&base_tags, "delete-protected");
        let gap = base_tags.len() - compliant;
        let want =
            format!("{} items matched · {compliant} compliant · {gap} in the gap", base_tags.len());
        wait_until(SETTLE, || async {
            let el = client.find(Locator::Css("[data-testid=\"rule-1-figures\"]")).await;
            let text = match el {
                Ok(el) => el.text().await?,
                Err(e) if e.is_no_such_element() => return Ok(None),
                Err(e) => return Err(e),
            };
            Ok((text == want).then_some(()))
        })
        .await?;
        assert!(client.current_url().await?.as_str().contains("base"));
        // Now the production rule is the one outside the scan.
        by_test_id(&client, "rule-0-outside").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_rule_with_a_gap_is_closed_through_the_bulk_preview_and_then_compliant() {
    let console = start_console().await;
    let url = status_url(&console, "");
    // The demo's first rule: prod/** tags *.*.* except *-*, tags and their images, locked.
    let release = |t: &str| t.split('.').count() == 3 && !t.contains('-');
    let (tags, _) = expected(&console, "prod/");
    let matched_tags: Vec<(String, &'static str)> = tags
        .iter()
        .filter(|(k, _)| release(k.split(':').nth(1).unwrap()))
        .map(|(k, s)| (k.clone(), *s))
        .collect();
    let gap_tags = matched_tags.iter().filter(|(_, s)| *s != "locked").count();
    assert!(gap_tags > 0);
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        wait_scanned(&client).await?;
        let rule = by_test_id(&client, "rule-0").await?;
        let gap: usize = rule.attr("data-gap").await?.unwrap_or_default().parse().unwrap_or(0);
        assert!(gap >= gap_tags, "the gap holds at least the {gap_tags} tags: {gap}");
        screenshot(&client, "status-rules").await?;
        click(&client, &by_test_id(&client, "close-gap-0").await?).await?;
        // The bulk preview of exactly the gap, with the rule's change.
        client
            .wait()
            .at_most(SETTLE)
            .for_element(Locator::Css("[data-testid=\"bulk-run\"][data-phase=\"preview\"]"))
            .await?;
        let change: usize = by_test_id(&client, "group-change")
            .await?
            .find(Locator::Css(".bulk-count__n"))
            .await?
            .text()
            .await?
            .parse()
            .unwrap_or(0);
        let inherits: usize = by_test_id(&client, "group-inherits")
            .await?
            .find(Locator::Css(".bulk-count__n"))
            .await?
            .text()
            .await?
            .parse()
            .unwrap_or(0);
        assert_eq!(change + inherits, gap);
        click(&client, &by_test_id(&client, "bulk-apply").await?).await?;
        client
            .wait()
            .at_most(SETTLE)
            .for_element(Locator::Css("[data-testid=\"bulk-run\"][data-phase=\"stopped\"]"))
            .await?;
        // Every release tag of prod and its image is now locked in the registry.
        let store = console.emulator().state.store.read().expect("the store").clone();
        for (k, _) in &matched_tags {
            let (r, t) = k.split_once(':').unwrap();
            let name = RepositoryName::new(r).unwrap();
            let tag = store.tag(&name, &acr_types::TagName::new(t).unwrap()).unwrap();
            let m = store.manifest(&name, &tag.digest).unwrap();
            let repo = store.repository(REGISTRY, &name).unwrap().changeable_attributes;
            assert_eq!(state_of(&tag.changeable_attributes, &repo), "locked", "{k}");
            assert_eq!(state_of(&m.changeable_attributes, &repo), "locked", "{k}'s image");
        }
        drop(store);
        // And the status page says the rule is met.
        client.goto(&url).await?;
        wait_scanned(&client).await?;
        let rule = by_test_id(&client, "rule-0").await?;
        assert_eq!(rule.attr("data-gap").await?.as_deref(), Some("0"));
        let figures = by_test_id(&client, "rule-0-figures").await?.text().await?;
        assert!(figures.ends_with("0 in the gap"), "{figures}");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_inventory_exports_parse_and_equal_the_store_for_the_scope() {
    let console = start_console().await;
    let url = status_url(&console, "prod/**");
    let (tags, _) = expected(&console, "prod/");
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        wait_scanned(&client).await?;
        let csv = exported(&client, "inventory-csv").await?;
        let mut lines = csv.lines();
        let head = lines.next().unwrap_or_default();
        assert!(
            head.starts_with("# Inventory of ")
                && head.contains("scope prod/**")
                && head.contains("by admin@contoso.example"),
            "{head}"
        );
        lines.next();
        let store = console.emulator().state.store.read().expect("the store").clone();
        let mut seen_tags = BTreeMap::new();
        for line in lines {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 20, "{line}");
            let name = RepositoryName::new(f[1]).unwrap();
            let repo = store.repository(REGISTRY, &name).unwrap().changeable_attributes;
            assert_eq!(
                (f[13], f[14]),
                (repo.write_enabled.to_string().as_str(), repo.delete_enabled.to_string().as_str())
            );
            if !f[2].is_empty() {
                let t = store.tag(&name, &acr_types::TagName::new(f[2]).unwrap()).unwrap();
                assert_eq!(f[3], t.digest.as_str());
                assert_eq!(
                    (f[5], f[6]),
                    (
                        t.changeable_attributes.write_enabled.to_string().as_str(),
                        t.changeable_attributes.delete_enabled.to_string().as_str()
                    ),
                    "{line}"
                );
                seen_tags.insert(format!("{}:{}", f[1], f[2]), f[17].to_owned());
            }
        }
        let want: BTreeMap<String, String> =
            tags.iter().map(|(k, v)| (k.clone(), (*v).to_owned())).collect();
        assert_eq!(seen_tags, want, "every tag of the scope, with its effective state");
        let json: Value =
            serde_json::from_str(&exported(&client, "inventory-json").await?).expect("JSON");
        assert_eq!(json["account"], "admin@contoso.example");
        let items = json["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.iter().filter(|i| i["tag"].is_string()).count(), want.len());
        Ok(())
    })
    .await;
}

/// WCAG contrast of two `rgb(r, g, b)` colours.
fn contrast(a: &str, b: &str) -> f64 {
    let lum = |c: &str| {
        let n: Vec<f64> = c
            .trim_start_matches("rgba(")
            .trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split(',')
            .take(3)
            .map(|x| x.trim().parse::<f64>().unwrap_or(0.0) / 255.0)
            .map(|v| if v <= 0.03928 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) })
            .collect();
        0.2126 * n[0] + 0.7152 * n[1] + 0.0722 * n[2]
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[tokio::test]
async fn filtered_names_read_whole_the_current_crumb_is_text_and_filter_boxes_stand_out() {
    use crate::{cdp::ColorScheme, harness::emulate_color_scheme};
    let console = start_console().await;
    let route = acr_console::routes::Route::Repository {
        registry: REGISTRY.into(),
        repo: RepositoryName::new("prod/payments/api").unwrap(),
        view: acr_console::routes::RepoView::Tags,
        filter: "1.4".into(),
        order: acr_console::routes::ListOrder::Name,
    };
    let url = console.url(&route.href());
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        crate::journeys_browse::wait_loaded(&client).await?;
        // The highlight splits the link's text; its accessible name stays whole.
        let link = client
            .wait()
            .at_most(SETTLE)
            .for_element(Locator::XPath("//div[@role='row']//a[normalize-space(.)='1.4.2']"))
            .await?;
        assert!(!link.find_all(Locator::Css("mark")).await?.is_empty(), "the filter is highlighted");
        assert_eq!(link.attr("aria-label").await?.as_deref(), Some("1.4.2"));
        // The current page in the breadcrumb is text, not a link.
        let current = client.find(Locator::Css("nav[aria-label=\"Breadcrumb\"] [aria-current=\"page\"]")).await?;
        assert_eq!(current.tag_name().await?, "span");
        // The filter box's border against the page and the card, light and dark: at least 3:1.
        for scheme in [ColorScheme::Light, ColorScheme::Dark] {
            emulate_color_scheme(&client, scheme).await.map_err(|e| CmdError::InvalidArgument("scheme".into(), format!("{e:?}")))?;
            let colours = client
                .execute(
                    "const i = document.querySelector('#list-filter'); \
                     const card = i.closest('.card') || document.body; \
                     return [getComputedStyle(i).borderTopColor, getComputedStyle(document.body).backgroundColor, getComputedStyle(card).backgroundColor];",
                    vec![],
                )
                .await?;
            let c: Vec<String> = serde_json::from_value(colours).unwrap_or_default();
            for bg in &c[1..] {
                let ratio = contrast(&c[0], bg);
                assert!(ratio >= 3.0, "{scheme:?}: border {} on {bg}: {ratio:.2}:1", c[0]);
            }
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_rule_that_matches_no_repository_of_the_registry_says_so() {
    // Generated repositories, none under base/: the demo's base images rule matches nothing.
    let data = acr_emulator::config::DataSource::Generate(acr_emulator::seed::Generate {
        repos: 3,
        tags: 2,
    });
    let console =
        crate::harness::start_console_with(acr_emulator::Config { data, ..Default::default() })
            .await;
    let url = status_url(&console, "");
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "viewer").await?;
        wait_scanned(&client).await?;
        assert_eq!(
            by_test_id(&client, "rule-1-outside").await?.text().await?,
            "No repository in this registry matches base/**: check the rule's pattern in config.json."
        );
        assert!(client.find_all(Locator::Css("[data-testid=\"rule-1-figures\"]")).await?.is_empty());
        Ok(())
    })
    .await;
}
