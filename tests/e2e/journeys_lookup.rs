//! Lookup journeys: each form people paste (with the registry's host, with a digest, without a
//! host, a bare digest) leads to the page that answers it; a host the console does not manage,
//! a bad digest and a tag that does not exist are each said plainly.

use crate::{
    harness::{screenshot, start_console, with_browser, Console},
    journeys_locks::{digest_of, REGISTRY},
    pages::{sign_in_as, wait_until},
};
use acr_console::routes::Route;
use fantoccini::{error::CmdError, key::Key, Client, Locator};
use std::time::Duration;

const SETTLE: Duration = Duration::from_secs(30);

/// Types `text` into the lookup box and submits it.
async fn look_up(client: &Client, text: &str) -> Result<(), CmdError> {
    let input = client.wait().at_most(SETTLE).for_element(Locator::Css("#lookup-input")).await?;
    input.clear().await?;
    input.send_keys(&format!("{text}{}", char::from(Key::Enter))).await
}

async fn wait_path(client: &Client, want: &str) -> Result<(), CmdError> {
    wait_until(SETTLE, || async {
        let url = client.current_url().await?;
        let here = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        Ok((here == want).then_some(()))
    })
    .await
}

async fn message(client: &Client) -> Result<String, CmdError> {
    wait_until(SETTLE, || async {
        let t = client.find(Locator::Css("[data-testid=\"lookup-message\"]")).await?.text().await?;
        Ok((!t.is_empty()).then_some(t))
    })
    .await
}

fn host(console: &Console) -> String {
    console.base_url.trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn every_pasted_form_finds_its_page_and_what_cannot_be_found_is_said() {
    let console = start_console().await;
    let home = console.url(&Route::repositories(REGISTRY).href());
    let repo = "prod/payments/api";
    let digest = digest_of(&console, repo, "1.4.2");
    let h = host(&console);
    with_browser(move |client| async move {
        sign_in_as(&client, &home, "admin").await?;
        let tag_page = "/r/demo/prod%2Fpayments%2Fapi/tags/1.4.2";
        look_up(&client, &format!("{h}/{repo}:1.4.2")).await?;
        wait_path(&client, tag_page).await?;
        look_up(&client, &format!("{h}/{repo}@{digest}")).await?;
        wait_path(&client, &format!("/r/demo/prod%2Fpayments%2Fapi/manifests/{digest}")).await?;
        look_up(&client, &format!("{repo}:1.4.2")).await?;
        wait_path(&client, tag_page).await?;
        // A bare digest: the repositories that hold it.
        look_up(&client, digest.as_str()).await?;
        wait_path(
            &client,
            &format!("/r/demo/-/find?digest={}", digest.as_str().replace(':', "%3A")),
        )
        .await?;
        let status = client
            .wait()
            .at_most(SETTLE)
            .for_element(Locator::Css("[data-testid=\"find-status\"]"))
            .await?;
        wait_until(SETTLE, || async {
            Ok(status.text().await?.starts_with("1 repository holds").then_some(()))
        })
        .await?;
        let results =
            client.find(Locator::Css("[data-testid=\"find-results\"]")).await?.text().await?;
        assert!(results.contains(repo) && results.contains("1.4.2"), "{results}");
        screenshot(&client, "lookup-digest").await?;
        // A host the console does not manage, a bad digest: said, nothing opened.
        look_up(&client, "docker.io/library/nginx:1.27").await?;
        let m = message(&client).await?;
        assert!(m.starts_with("docker.io is not a registry this console manages"), "{m}");
        look_up(&client, &format!("{repo}@sha256:xyz")).await?;
        let m = message(&client).await?;
        assert!(m.contains("cannot be read"), "{m}");
        screenshot(&client, "lookup-refused").await?;
        // A tag that does not exist: its page says so.
        look_up(&client, &format!("{repo}:9.9.9")).await?;
        wait_path(&client, "/r/demo/prod%2Fpayments%2Fapi/tags/9.9.9").await?;
        let problem = client
            .wait()
            .at_most(SETTLE)
            .for_element(Locator::Css("[data-testid=\"error-view\"]"))
            .await?;
        let text = problem.text().await?;
        assert!(text.contains("Not found") && text.contains("9.9.9"), "{text}");
        Ok(())
    })
    .await;
}
