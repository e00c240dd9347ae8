//! Sign-in journeys: Entra sign-in through the demo authority's account picker (the account in
//! the banner, a clean address bar, tokens in `sessionStorage` only, a reload without the
//! sign-in page), a deep link that survives sign-in, sign-out at the authority, token sign-in
//! for a token registry, what a failed sign-in redirect and a broken `config.json` say.

use crate::{
    cdp::{self, ColorScheme},
    harness::{
        copy_of_dist, emulate_color_scheme, screenshot, start_console, start_console_from,
        start_console_with, with_browser, Console,
    },
    pages::{
        sign_in_as, sign_in_with_token, signed_in_account, tab_storage, text_of, wait_until,
        wait_until_signed_in_at, Shell,
    },
};
use fantoccini::{Client, Locator};
use serde_json::json;
use std::time::Duration;

/// The session's `sessionStorage` key (src/auth/storage.rs).
const SESSION_KEY: &str = "acr-console.session.v1";
/// The deep link of journey (b): a nested repository name, percent-encoded, with a query.
const DEEP_LINK: &str = "/r/demo/prod%2Fpayments%2Fapi?view=manifests";

/// Records the text of every `<h1>` the page ever shows, from the first script of every
/// document on, into `window.__acrHeadings` (to prove a heading never appeared, even briefly).
const HEADING_RECORDER: &str = "window.__acrHeadings = []; \
    new MutationObserver(() => { for (const h of document.querySelectorAll('h1')) { \
      const t = h.textContent.trim(); if (!window.__acrHeadings.includes(t)) window.__acrHeadings.push(t); } }) \
    .observe(document, { subtree: true, childList: true, characterData: true });";

/// The headings recorded since the document loaded.
async fn recorded_headings(client: &Client) -> Result<Vec<String>, fantoccini::error::CmdError> {
    let v = client.execute("return window.__acrHeadings || null;", vec![]).await?;
    let list = v.as_array().expect("the heading recorder ran in this document");
    Ok(list.iter().filter_map(|h| h.as_str().map(str::to_owned)).collect())
}

/// Waits until the console has rendered its banner and nobody is signed in.
async fn wait_until_signed_out(client: &Client) -> Result<(), fantoccini::error::CmdError> {
    client.wait().at_most(Duration::from_secs(15)).for_element(Locator::Css("header")).await?;
    wait_until(Duration::from_secs(5), || async {
        Ok(signed_in_account(client).await?.is_none().then_some(()))
    })
    .await
}

/// The console's `config.json` for `console`, with `registries` (the emulator's demo authority
/// for Entra).
fn config_json(console: &Console, registries: serde_json::Value) -> String {
    let base = &console.base_url;
    json!({
        "auth": {
            "clientId": "a1b2c3d4-0000-4000-8000-00000000c0de",
            "authority": format!("{base}/demo"),
            "redirectUri": format!("{base}/"),
            "postLogoutRedirectUri": format!("{base}/"),
        },
        "scopes": ["https://containerregistry.azure.net/.default"],
        "registries": registries,
    })
    .to_string()
}

#[tokio::test]
async fn admin_signs_in_and_a_reload_keeps_the_session_without_the_sign_in_page() {
    let console = start_console().await;
    let home = console.url("/");
    let signin = console.url("/signin");
    let base = console.base_url.clone();
    with_browser(move |client| async move {
        // The sign-in page in both themes, before anyone signs in.
        let shell = Shell::open(&client, &signin).await?;
        shell.wait_for_heading("Sign in").await?;
        assert_eq!(signed_in_account(&client).await?, None, "nobody in the banner");
        screenshot(&client, "signin-light").await?;
        emulate_color_scheme(&client, ColorScheme::Dark).await?;
        screenshot(&client, "signin-dark").await?;
        emulate_color_scheme(&client, ColorScheme::Light).await?;

        // (a) Through the authority's account picker, by clicking the user.
        sign_in_as(&client, &home, "admin").await?;
        assert_eq!(signed_in_account(&client).await?.as_deref(), Some("Adele Admin"));
        let username = client.find(Locator::Css("[data-testid=\"account-username\"]")).await?;
        assert_eq!(username.text().await?, "admin@contoso.example");
        let sign_out =
            client.find(Locator::XPath("//header//button[normalize-space(.)='Sign out']")).await?;
        assert!(sign_out.is_displayed().await?);

        // The code and state are gone from the address bar (and so is any token).
        let url = client.current_url().await?;
        assert_eq!(url.as_str(), home, "back at the page asked for, nothing in the query");
        let (session, local) = tab_storage(&client).await?;
        assert!(local.is_empty(), "nothing in localStorage: {local:?}");
        let stored = session.iter().find(|(k, _)| k == SESSION_KEY).map(|(_, v)| v.clone());
        let stored: serde_json::Value =
            serde_json::from_str(&stored.expect("the session is in sessionStorage"))?;
        assert_eq!(stored["kind"], "entra");
        let access = stored["access_token"].as_str().expect("an access token").to_owned();
        assert!(stored["refresh_token"].as_str().is_some_and(|t| !t.is_empty()));
        assert_eq!(
            session.len(),
            1,
            "the pending sign-in was removed: {:?}",
            session.iter().map(|kv| &kv.0).collect::<Vec<_>>()
        );
        assert!(!url.as_str().contains(&access));
        let history = client.execute("return history.length", vec![]).await?;
        assert!(history.as_u64().is_some());
        screenshot(&client, "shell-signed-in").await?;
        client.set_window_size(390, 844).await?;
        let account = client.find(Locator::Css("[data-testid=\"account\"]")).await?;
        assert!(account.is_displayed().await?, "the account fits a phone's banner");
        screenshot(&client, "shell-signed-in-phone").await?;
        client.set_window_size(1280, 900).await?;
        emulate_color_scheme(&client, ColorScheme::Dark).await?;
        screenshot(&client, "shell-signed-in-dark").await?;
        emulate_color_scheme(&client, ColorScheme::Light).await?;

        // Reload a protected page: the sign-in page never shows, not even for a frame.
        let protected = [base.as_str(), "/r/demo"].concat();
        client.goto(&protected).await?;
        wait_until_signed_in_at(&client, &protected).await?;
        cdp::execute(
            &client,
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": HEADING_RECORDER }),
        )
        .await?;
        client.refresh().await?;
        wait_until_signed_in_at(&client, &protected).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let seen = recorded_headings(&client).await?;
        assert!(
            !seen.iter().any(|h| h == "Sign in" || h == "Signing you in"),
            "the sign-in page flashed on reload: {seen:?}"
        );
        assert_eq!(client.current_url().await?.as_str(), protected);
        assert_eq!(signed_in_account(&client).await?.as_deref(), Some("Adele Admin"));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn sign_in_returns_to_exactly_the_deep_link_asked_for() {
    let console = start_console().await;
    let deep = console.url(DEEP_LINK);
    with_browser(move |client| async move {
        sign_in_as(&client, &deep, "viewer").await?;
        assert_eq!(client.current_url().await?.as_str(), deep);
        assert_eq!(signed_in_account(&client).await?.as_deref(), Some("Victor Viewer"));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_protected_deep_link_opened_while_signed_out_leads_to_sign_in_and_back() {
    let console = start_console().await;
    let deep = console.url(DEEP_LINK);
    with_browser(move |client| async move {
        // The protected page sends the reader to sign in, carrying the whole URL back.
        client.goto(&deep).await?;
        let at_sign_in = wait_until(Duration::from_secs(15), || async {
            let url = client.current_url().await?;
            Ok((url.path() == "/signin").then_some(url))
        })
        .await?;
        let back: Vec<(String, String)> = at_sign_in.query_pairs().into_owned().collect();
        assert_eq!(back, [("return".to_owned(), DEEP_LINK.to_owned())], "{at_sign_in}");
        Shell::open(&client, at_sign_in.as_str()).await?.wait_for_heading("Sign in").await?;

        sign_in_as(&client, &deep, "payments").await?;
        assert_eq!(client.current_url().await?.as_str(), deep);
        assert_eq!(signed_in_account(&client).await?.as_deref(), Some("Pat Payments"));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn sign_out_clears_the_tab_and_ends_the_session_at_the_authority() {
    let console = start_console().await;
    let home = console.url("/");
    let signin = console.url("/signin");
    let state = console.emulator().state.clone();
    with_browser(move |client| async move {
        sign_in_as(&client, &home, "admin").await?;
        assert_eq!(state.entra.refresh_tokens_of("admin"), 1, "one session at the authority");

        let button =
            client.find(Locator::XPath("//header//button[normalize-space(.)='Sign out']")).await?;
        button.click().await?;
        // Through the authority's logout and back to the console, signed out.
        wait_until(Duration::from_secs(15), || async {
            Ok((client.current_url().await?.as_str() == home).then_some(()))
        })
        .await?;
        wait_until_signed_out(&client).await?;
        let (session, local) = tab_storage(&client).await?;
        assert!(session.is_empty(), "sessionStorage is empty: {session:?}");
        assert!(local.is_empty(), "localStorage is empty: {local:?}");
        assert_eq!(state.entra.refresh_tokens_of("admin"), 0, "the authority forgot the session");
        assert!(
            client.find(Locator::XPath("//button[normalize-space(.)='Sign out']")).await.is_err(),
            "no Sign out button when signed out"
        );

        // Going back does not bring the session back; the sign-in page offers a new one.
        client.back().await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(signed_in_account(&client).await?, None);
        Shell::open(&client, &signin).await?.wait_for_heading("Sign in").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_token_registry_signs_in_with_username_and_password() {
    let dir = copy_of_dist("token-registry");
    let console = start_console_from(&dir).await;
    let login_server = console.base_url.trim_start_matches("http://").to_owned();
    let config = config_json(
        &console,
        json!([
            {"name": "demo", "loginServer": login_server, "endpoint": "/registry/demo"},
            {"name": "ci", "loginServer": login_server, "endpoint": "/registry/demo", "signIn": "token"},
        ]),
    );
    std::fs::write(dir.join("config.json"), config).expect("write config.json");
    let home = console.url("/");
    let signin = console.url("/signin");
    with_browser(move |client| async move {
        // Both ways to sign in, each labelled.
        let shell = Shell::open(&client, &signin).await?;
        shell.wait_for_heading("Sign in").await?;
        client
            .find(Locator::XPath("//button[normalize-space(.)='Sign in with Microsoft']"))
            .await?;
        for (id, label) in [("token-username", "Username"), ("token-password", "Password")] {
            let l = client.find(Locator::Css(&format!("label[for=\"{id}\"]"))).await?;
            assert_eq!(l.text().await?, label);
            client.find(Locator::Id(id)).await?;
        }
        screenshot(&client, "signin-token-light").await?;

        // A wrong password is refused, and the refusal is announced.
        client.find(Locator::Id("token-username")).await?.send_keys("ci-readonly").await?;
        client.find(Locator::Id("token-password")).await?.send_keys("wrong-password").await?;
        client
            .find(Locator::XPath("//button[normalize-space(.)='Sign in with token']"))
            .await?
            .click()
            .await?;
        let alert = wait_until(Duration::from_secs(15), || async {
            let el = client.find(Locator::Css("[data-testid=\"token-error\"]")).await?;
            let text = el.text().await?;
            Ok((!text.is_empty()).then_some((el, text)))
        })
        .await?;
        assert_eq!(alert.0.attr("role").await?.as_deref(), Some("alert"));
        assert!(alert.1.contains("did not accept"), "{}", alert.1);
        assert_eq!(signed_in_account(&client).await?, None);
        screenshot(&client, "signin-token-refused").await?;

        sign_in_with_token(&client, &home, Some("ci"), "ci-readonly", "ci-readonly-password")
            .await?;
        assert_eq!(signed_in_account(&client).await?.as_deref(), Some("ci-readonly"));
        let (session, local) = tab_storage(&client).await?;
        assert!(local.is_empty(), "{local:?}");
        let stored: serde_json::Value = serde_json::from_str(
            &session.iter().find(|(k, _)| k == SESSION_KEY).expect("a stored session").1,
        )?;
        assert_eq!(
            (stored["kind"].as_str(), stored["registry"].as_str()),
            (Some("token"), Some("ci"))
        );

        // A reload keeps it; signing out returns to the console signed out, storage empty.
        client.refresh().await?;
        wait_until_signed_in_at(&client, &home).await?;
        client
            .find(Locator::XPath("//header//button[normalize-space(.)='Sign out']"))
            .await?
            .click()
            .await?;
        wait_until_signed_out(&client).await?;
        let (session, _) = tab_storage(&client).await?;
        assert!(session.is_empty(), "{session:?}");
        Ok(())
    })
    .await;
}

/// Clicks "Sign in with Microsoft" on the console's sign-in page (already open) and waits for
/// the demo authority's account picker; returns the picker's URL (which carries the state).
async fn start_at_the_authority(client: &Client) -> Result<url::Url, fantoccini::error::CmdError> {
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::XPath("//button[normalize-space(.)='Sign in with Microsoft']"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("button[name=\"user\"]"))
        .await?;
    client.current_url().await
}

/// The text of the sign-in page's problem, once it contains `needle`.
async fn problem_containing(
    client: &Client,
    needle: &str,
) -> Result<String, fantoccini::error::CmdError> {
    wait_until(Duration::from_secs(15), || async {
        Ok(text_of(client, "[data-testid=\"sign-in-problem\"]")
            .await?
            .filter(|t| t.contains(needle)))
    })
    .await
}

#[tokio::test]
async fn failed_sign_in_redirects_say_what_went_wrong_and_what_to_do() {
    let console = start_console().await;
    let forged = console.url("/?code=forged-code&state=not-ours");
    let crafted = console.url(
        "/?error=access_denied&error_description=Your+account+is+locked.+Call+0800-555-0100+now.&state=x",
    );
    let mut signin_back = url::Url::parse(&console.url("/signin")).expect("a URL");
    signin_back.query_pairs_mut().append_pair("return", DEEP_LINK);
    with_browser(move |client| async move {
        // A code whose state matches no sign-in started in this tab: refused, URL cleaned.
        client.goto(&forged).await?;
        let problem = client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("[data-testid=\"sign-in-problem\"]"))
            .await?;
        // The one problem renderer is the alert, once.
        assert_eq!(problem.find_all(Locator::Css("[role=\"alert\"]")).await?.len(), 1);
        let text = problem_containing(&client, "state does not match").await?;
        assert!(text.contains("Start the sign-in again"), "{text}");
        let url = client.current_url().await?;
        assert_eq!(url.path(), "/signin");
        assert!(!url.as_str().contains("forged-code"), "the code left the address bar: {url}");
        assert_eq!(signed_in_account(&client).await?, None);
        screenshot(&client, "signin-problem").await?;

        // A real sign-in that the authority refuses (a silent sign-in, `prompt=none`, with no
        // account to sign in silently): its answer carries this tab's state, so the
        // authority's own words are quoted, with a remedy, and the way back is kept.
        Shell::open(&client, signin_back.as_str()).await?.wait_for_heading("Sign in").await?;
        let mut at_authority = start_at_the_authority(&client).await?;
        at_authority.query_pairs_mut().append_pair("prompt", "none");
        client.goto(at_authority.as_str()).await?;
        let text = problem_containing(&client, "AADSTS50058").await?;
        assert!(text.contains("The sign-in was not completed"), "{text}");
        assert!(text.contains("Sign in again"), "{text}");
        let url = client.current_url().await?;
        assert!(!url.as_str().contains("error="), "{url}");
        let back: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!((url.path(), back), ("/signin", vec![("return".into(), DEEP_LINK.into())]));

        // A crafted link with an error and any text it likes, for no sign-in of this tab: the
        // text is not shown, only generic wording.
        client.goto(&crafted).await?;
        let text = problem_containing(&client, "not started in this browser tab").await?;
        assert!(!text.contains("0800") && !text.contains("locked"), "crafted text shown: {text}");
        assert!(text.contains("start it again"), "{text}");
        let url = client.current_url().await?;
        assert_eq!((url.path(), url.query()), ("/signin", None), "{url}");
        assert_eq!(signed_in_account(&client).await?, None);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_sign_in_survives_back_from_the_authority_and_forward_again() {
    let console = start_console().await;
    let deep = console.url(DEEP_LINK);
    with_browser(move |client| async move {
        // Signed out at a deep link: to the sign-in page, then on to the authority.
        client.goto(&deep).await?;
        wait_until(Duration::from_secs(15), || async {
            Ok((client.current_url().await?.path() == "/signin").then_some(()))
        })
        .await?;
        let picker = start_at_the_authority(&client).await?;

        // Back to the console, then Forward to the authority. Chromium may restore the console
        // from its back/forward cache without starting it again; a browser that does not (or
        // a reader who reloads) starts the console afresh on that page, so reload it.
        client.back().await?;
        wait_until(Duration::from_secs(15), || async {
            let url = client.current_url().await?;
            Ok((url.path() == "/signin").then_some(()))
        })
        .await?;
        client.refresh().await?;
        client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::XPath("//main//h1[normalize-space(.)='Sign in']"))
            .await?;
        client.forward().await?;
        wait_until(Duration::from_secs(15), || async {
            Ok((client.current_url().await? == picker).then_some(()))
        })
        .await?;

        // Picking the account there finishes the sign-in started before Back.
        client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("button[name=\"user\"][value=\"admin\"]"))
            .await?
            .click()
            .await?;
        wait_until_signed_in_at(&client, &deep).await?;
        assert_eq!(signed_in_account(&client).await?.as_deref(), Some("Adele Admin"));
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn reading_the_account_survives_the_banner_re_rendering() {
    let console = start_console().await;
    let home = console.url("/");
    with_browser(move |client| async move {
        sign_in_as(&client, &home, "admin").await?;
        // The banner's account name is replaced by a copy every 10 to 30 ms, as a re-render
        // would, so some reads find an element that is gone before its text is read.
        client
            .execute(
                "const churn = () => { \
                   const el = document.querySelector('[data-testid=\"account-name\"]'); \
                   if (el) el.replaceWith(el.cloneNode(true)); \
                   setTimeout(churn, 10 + Math.random() * 20); }; churn();",
                vec![],
            )
            .await?;
        for _ in 0..150 {
            assert_eq!(signed_in_account(&client).await?.as_deref(), Some("Adele Admin"));
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_broken_config_json_shows_the_config_error_page_naming_the_field() {
    let dir = copy_of_dist("broken-config");
    std::fs::write(
        dir.join("config.json"),
        r#"{"registries":[{"name":"demo","loginServer":"demo.azurecr.io","endpoint":"https://demo.azurecr.io"}]}"#,
    )
    .expect("write config.json");
    let console = start_console_from(&dir).await;
    let home = console.url("/");
    with_browser(move |client| async move {
        client.goto(&home).await?;
        let field = client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css("[data-testid=\"config-error-field\"]"))
            .await?;
        assert_eq!(field.text().await?, "registries[0].endpoint");
        let message = client.find(Locator::Css("[data-testid=\"config-error-message\"]")).await?;
        let message = message.text().await?;
        assert!(message.contains("same-origin proxy"), "{message}");
        // The field leads its sentence, so the reason reads as one.
        assert!(message.starts_with("registries[0].endpoint must be"), "{message}");
        assert_eq!(signed_in_account(&client).await?, None);
        screenshot(&client, "config-error").await?;
        Ok(())
    })
    .await;
}

/// The stored session's access and refresh tokens.
async fn stored_tokens(
    client: &Client,
) -> Result<Option<(String, String)>, fantoccini::error::CmdError> {
    let (session, _) = tab_storage(client).await?;
    let Some((_, text)) = session.iter().find(|(k, _)| k == SESSION_KEY) else { return Ok(None) };
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    Ok(Some((
        v["access_token"].as_str().unwrap_or_default().to_owned(),
        v["refresh_token"].as_str().unwrap_or_default().to_owned(),
    )))
}

#[tokio::test]
async fn the_session_renews_silently_before_expiry_and_ends_when_renewal_is_refused() {
    // Entra tokens that live 15 s: renewed a fifth of their life (3 s) before they expire.
    let config = acr_emulator::Config {
        lifetimes: acr_emulator::TokenLifetimes {
            entra_access: Duration::from_secs(15),
            ..Default::default()
        },
        ..Default::default()
    };
    let console = start_console_with(config).await;
    let home = console.url("/");
    let state = console.emulator().state.clone();
    with_browser(move |client| async move {
        sign_in_as(&client, &home, "admin").await?;
        let (first_access, first_refresh) = stored_tokens(&client).await?.expect("stored tokens");

        // No reload, no click: the tokens are replaced in the background, the refresh token
        // rotated, and the account stays signed in.
        let (second_access, second_refresh) = wait_until(Duration::from_secs(25), || async {
            Ok(stored_tokens(&client).await?.filter(|(a, _)| *a != first_access))
        })
        .await?;
        assert_ne!(second_refresh, first_refresh, "the refresh token was rotated");
        assert!(!second_access.is_empty());
        assert_eq!(signed_in_account(&client).await?.as_deref(), Some("Adele Admin"));
        assert_eq!(client.current_url().await?.as_str(), home, "the address bar never changed");
        assert_eq!(state.entra.refresh_tokens_of("admin"), 1);

        // The authority revokes the session: the next renewal is refused and the console signs
        // out, forgetting the tokens.
        assert_eq!(state.entra.revoke_user("admin"), 1);
        wait_until(Duration::from_secs(25), || async {
            Ok(signed_in_account(&client).await?.is_none().then_some(()))
        })
        .await?;
        let (session, local) = tab_storage(&client).await?;
        assert!(session.is_empty() && local.is_empty(), "{session:?} {local:?}");
        Ok(())
    })
    .await;
}
