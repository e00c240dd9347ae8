//! End-to-end journeys: the release build in `dist/` in headless Chromium over WebDriver
//! (fantoccini + chromedriver), written as a person uses the console. The harness serves the
//! console and manages the browser; page objects hold the locators.
//!
//! Run: `trunk build --release` (or `scripts/test`), then `cargo test -p acr-console --test e2e`.
//! Screenshots land in `target/screenshots/`.
#![cfg(not(target_arch = "wasm32"))]

#[path = "e2e/cdp.rs"]
mod cdp;
#[path = "e2e/harness.rs"]
mod harness;
#[path = "e2e/hostile.rs"]
mod hostile;
#[path = "e2e/journeys_auth.rs"]
mod journeys_auth;
#[path = "e2e/journeys_browse.rs"]
mod journeys_browse;
#[path = "e2e/journeys_bulk.rs"]
mod journeys_bulk;
#[path = "e2e/journeys_faults.rs"]
mod journeys_faults;
#[path = "e2e/journeys_hostile.rs"]
mod journeys_hostile;
#[path = "e2e/journeys_lock_views.rs"]
mod journeys_lock_views;
#[path = "e2e/journeys_locks.rs"]
mod journeys_locks;
#[path = "e2e/journeys_lookup.rs"]
mod journeys_lookup;
#[path = "e2e/journeys_nginx.rs"]
mod journeys_nginx;
#[path = "e2e/journeys_refusals.rs"]
mod journeys_refusals;
#[path = "e2e/journeys_status.rs"]
mod journeys_status;
#[path = "e2e/nginx.rs"]
mod nginx;
#[path = "e2e/pages.rs"]
mod pages;

use cdp::ColorScheme;
use fantoccini::key::Key;
use harness::{emulate_color_scheme, screenshot, start_console, with_browser};
use pages::Shell;

#[tokio::test]
async fn shell_landmarks_not_found_page_and_skip_link() {
    let console = start_console().await;
    let home = console.url("/");
    let unknown = console.url("/no/such/page");
    with_browser(move |client| async move {
        // The app boots: title, banner with the product name, navigation, main landmark.
        let shell = Shell::open(&client, &home).await?;
        assert_eq!(client.title().await?, "ACR Console");
        assert!(shell.banner().await?.text().await?.contains("ACR Console"));
        assert_eq!(shell.main().await?.attr("id").await?.as_deref(), Some("main-content"));
        shell.wait_for_heading("Welcome to ACR Console").await?;
        assert_eq!(shell.current_nav_link().await?.as_deref(), Some("Overview"));
        let registries = shell.by_test_id("registries").await?.text().await?;
        assert!(
            registries.contains("demo"),
            "the picker lists the configured registry: {registries}"
        );

        // Light and dark renderings of the same page.
        let light_bg = client.find(fantoccini::Locator::Css("body")).await?;
        let light_bg = light_bg.css_value("background-color").await?;
        screenshot(&client, "shell-light").await?;
        emulate_color_scheme(&client, ColorScheme::Dark).await?;
        let dark_bg = client.find(fantoccini::Locator::Css("body")).await?;
        let dark_bg = dark_bg.css_value("background-color").await?;
        assert_ne!(light_bg, dark_bg, "prefers-color-scheme: dark changes the page colours");
        screenshot(&client, "shell-dark").await?;
        emulate_color_scheme(&client, ColorScheme::Light).await?;

        // A phone-sized window keeps every landmark usable.
        client.set_window_size(390, 844).await?;
        assert!(shell.banner().await?.is_displayed().await?);
        assert!(shell.navigation().await?.is_displayed().await?);
        screenshot(&client, "shell-phone").await?;
        client.set_window_size(1280, 900).await?;

        // A deep link nobody serves: the not-found page names the path and links back.
        let shell = Shell::open(&client, &unknown).await?;
        shell.wait_for_heading("Page not found").await?;
        let page = shell.by_test_id("not-found-page").await?.text().await?;
        assert!(page.contains("/no/such/page"), "the requested path is shown: {page}");
        assert_eq!(shell.current_nav_link().await?, None, "no nav link is current");
        screenshot(&client, "not-found").await?;
        shell.link("Back to the overview").await?.click().await?;
        shell.wait_for_heading("Welcome to ACR Console").await?;
        assert_eq!(client.current_url().await?.path(), "/");

        // Keyboard: the first Tab reaches the skip link, Enter moves focus into main.
        let shell = Shell::open(&client, &home).await?;
        shell.press(Key::Tab).await?;
        let focused = shell.focused().await?;
        assert_eq!(focused.prop("textContent").await?.as_deref(), Some("Skip to content"));
        assert!(shell.wait_until_on_screen(&focused).await?, "the focused skip link shows");
        screenshot(&client, "shell-skip-link").await?;
        shell.press(Key::Enter).await?;
        let focused = shell.focused().await?;
        assert_eq!(focused.tag_name().await?, "main");
        assert_eq!(focused.attr("id").await?.as_deref(), Some("main-content"));
        Ok(())
    })
    .await;
}
