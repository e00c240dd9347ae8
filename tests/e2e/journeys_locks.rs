//! Lock journeys: an admin locks a tag, a manifest (by digest) and a whole repository through
//! the lock panel, with every preset and the keyboard; after each change the registry itself
//! (the in-process emulator, over HTTP with a token it issued) is asked to delete the image and
//! must refuse (405) or accept (202). Unlocking goes through the confirmation dialog. A failed
//! change puts the controls back and says what to do; the viewer sees the flags read-only and
//! the registry refuses a forced change; the payments user gets switches only where allowed.
//! Screenshots (light and dark): the tag page with the panel, the confirmation, the read-only
//! view and a failure message.

use crate::{
    cdp::ColorScheme,
    harness::{
        emulate_color_scheme, screenshot, start_console, start_console_with, with_browser, Console,
    },
    pages::{sign_in_as, wait_until},
};
use acr_console::routes::{ListOrder, RepoView, Route};
use acr_types::{ChangeableAttributes, Digest, RepositoryName, TagName};
use fantoccini::{
    actions::{InputSource, KeyAction, KeyActions},
    elements::Element,
    error::CmdError,
    key::Key,
    Client, Locator,
};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The registry's short name in the emulator's generated `config.json`.
pub(crate) const REGISTRY: &str = "demo";
/// The repository the admin journeys lock.
pub(crate) const FRONTEND: &str = "prod/web/frontend";
/// How long the panel may take to appear (page data, token, permissions) or a save to finish.
const PANEL_TIMEOUT: Duration = Duration::from_secs(20);

fn repo(name: &str) -> RepositoryName {
    RepositoryName::new(name).expect("a valid repository name")
}

fn tag(name: &str) -> TagName {
    TagName::new(name).expect("a valid tag")
}

/// The console URL of a tag page.
pub(crate) fn tag_url(console: &Console, repository: &str, t: &str) -> String {
    let route = Route::Tag { registry: REGISTRY.into(), repo: repo(repository), tag: tag(t) };
    console.url(&route.href())
}

/// The console URL of a manifest page.
pub(crate) fn manifest_url(console: &Console, repository: &str, digest: &Digest) -> String {
    let route = Route::Manifest {
        registry: REGISTRY.into(),
        repo: repo(repository),
        digest: digest.clone(),
    };
    console.url(&route.href())
}

/// The console URL of a repository page.
pub(crate) fn repository_url(console: &Console, repository: &str) -> String {
    let route = Route::Repository {
        registry: REGISTRY.into(),
        repo: repo(repository),
        view: RepoView::Tags,
        filter: String::new(),
        order: ListOrder::Newest,
    };
    console.url(&route.href())
}

// ------------------------------------------------------------------------------------------------
// The registry, asked directly (not through the console).
// ------------------------------------------------------------------------------------------------

/// `host:port` of the emulator (its login server, as tokens name it).
fn host(console: &Console) -> String {
    console.base_url.trim_start_matches("http://").to_owned()
}

/// A registry access token for demo user `user`, asking `scope` (the emulator grants what the
/// user may have of it, as `/oauth2/token` would).
fn access_token(console: &Console, user: &str, scope: &str) -> String {
    let state = &console.emulator().state;
    let who = state.users.by_id(user).unwrap_or_else(|| panic!("no demo user {user}"));
    acr_emulator::auth::cli_token(&state.issuer, who, "access", &host(console), scope)
        .expect("the emulator issues a token")
}

/// An answer of the registry: status, headers (lower-cased names) and body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request to the console's origin (the registry is same-origin under
/// `/registry/demo/`), with a bearer token and an optional JSON body.
async fn registry_request(
    console: &Console,
    method: &str,
    path: &str,
    token: &str,
    json: Option<&str>,
) -> Answer {
    let address = host(console);
    let mut stream =
        tokio::net::TcpStream::connect(&address).await.expect("connect to the emulator");
    let body = json.unwrap_or("");
    let content_type = if json.is_some() { "Content-Type: application/json\r\n" } else { "" };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         {content_type}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read the answer");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer { status, headers, body: body.to_owned() }
}

/// `DELETE` of tag `t` of `repository` as the admin (untag): 405 while a lock refuses it, 202
/// once it is gone.
pub(crate) async fn delete_tag(console: &Console, repository: &str, t: &str) -> u16 {
    let token = access_token(console, "admin", &format!("repository:{repository}:delete"));
    let name = repository.replace('/', "%2F");
    let path = format!("/registry/{REGISTRY}/acr/v1/{name}/_tags/{t}");
    registry_request(console, "DELETE", &path, &token, None).await.status
}

/// `PATCH` of a tag's flags as demo user `user` ("someone else", through the API): the status.
pub(crate) async fn patch_tag_as(
    console: &Console,
    user: &str,
    repository: &str,
    t: &str,
    json: &str,
) -> u16 {
    let token = access_token(console, user, &format!("repository:{repository}:metadata_write"));
    let name = repository.replace('/', "%2F");
    let path = format!("/registry/{REGISTRY}/acr/v1/{name}/_tags/{t}");
    registry_request(console, "PATCH", &path, &token, Some(json)).await.status
}

/// `DELETE` of a manifest by digest as the admin.
async fn delete_manifest(console: &Console, repository: &str, digest: &Digest) -> u16 {
    let token = access_token(console, "admin", &format!("repository:{repository}:delete"));
    let path = format!("/registry/{REGISTRY}/v2/{repository}/manifests/{digest}");
    registry_request(console, "DELETE", &path, &token, None).await.status
}

/// The flags the registry holds for a tag.
pub(crate) fn stored_tag(console: &Console, repository: &str, t: &str) -> ChangeableAttributes {
    let store = console.emulator().state.store.read().expect("the store");
    store.tag(&repo(repository), &tag(t)).expect("the tag exists").changeable_attributes
}

/// The flags the registry holds for a manifest.
pub(crate) fn stored_manifest(
    console: &Console,
    repository: &str,
    digest: &Digest,
) -> ChangeableAttributes {
    let store = console.emulator().state.store.read().expect("the store");
    store.manifest(&repo(repository), digest).expect("the manifest exists").changeable_attributes
}

/// The flags the registry holds for a repository.
pub(crate) fn stored_repository(console: &Console, repository: &str) -> ChangeableAttributes {
    let store = console.emulator().state.store.read().expect("the store");
    store
        .repository(REGISTRY, &repo(repository))
        .expect("the repository exists")
        .changeable_attributes
}

/// The digest tag `t` points at.
pub(crate) fn digest_of(console: &Console, repository: &str, t: &str) -> Digest {
    let store = console.emulator().state.store.read().expect("the store");
    store.tag(&repo(repository), &tag(t)).expect("the tag exists").digest
}

/// (write, delete) of `a`.
pub(crate) fn wd(a: &ChangeableAttributes) -> (bool, bool) {
    (a.write_enabled, a.delete_enabled)
}

// ------------------------------------------------------------------------------------------------
// The lock panel, found the way assistive technology finds it.
// ------------------------------------------------------------------------------------------------

/// An XPath string literal for `text` (the names used here hold no quotes of both kinds).
fn literal(text: &str) -> String {
    if text.contains('\'') {
        format!("\"{text}\"")
    } else {
        format!("'{text}'")
    }
}

/// Opens the disclosure `el` sits in, if any (the repository page keeps the whole-repository
/// lock behind one), as a person would before using what is inside.
pub(crate) async fn open_disclosure(client: &Client, el: &Element) -> Result<(), CmdError> {
    let arg = serde_json::to_value(el)
        .map_err(|e| CmdError::InvalidArgument("element".into(), e.to_string()))?;
    client
        .execute(
            "const d = arguments[0].closest('details.repo-whole'); \
             if (d && !d.open) { d.querySelector('summary').click(); }",
            vec![arg],
        )
        .await
        .map(drop)
}

/// The lock panel of one target on the current page (a page may show several panels, e.g. a
/// tag's and its manifest's).
pub(crate) struct Locks {
    client: Client,
    /// XPath of the panel: the lock panel holding this target's write switch, or (read-only)
    /// its list of flags.
    pub(crate) panel: String,
}

impl Locks {
    pub(crate) fn new(client: &Client, target: &str) -> Self {
        let write = literal(&format!("Write enabled for {target}"));
        let flags = literal(&format!("Lock flags of {target}"));
        let panel = format!(
            "//section[contains(concat(' ', @class, ' '), ' lock-panel ')]\
             [.//*[@role='switch'][@aria-label={write}] or .//dl[@aria-label={flags}]]"
        );
        Self { client: client.clone(), panel }
    }

    pub(crate) async fn wait_for(&self, xpath: &str) -> Result<Element, CmdError> {
        let el =
            self.client.wait().at_most(PANEL_TIMEOUT).for_element(Locator::XPath(xpath)).await?;
        open_disclosure(&self.client, &el).await?;
        Ok(el)
    }

    /// Waits for the panel and returns it.
    pub(crate) async fn panel(&self) -> Result<Element, CmdError> {
        self.wait_for(&self.panel).await
    }

    /// The switch whose accessible name is `name` ("Write enabled for prod/web/frontend:3.7.0").
    pub(crate) async fn switch(&self, name: &str) -> Result<Element, CmdError> {
        let panel = &self.panel;
        self.wait_for(&format!("{panel}//*[@role='switch'][@aria-label={}]", literal(name))).await
    }

    /// Whether the switch named `name` is on (`aria-checked`).
    pub(crate) async fn is_on(&self, name: &str) -> Result<bool, CmdError> {
        let checked = self.switch(name).await?.attr("aria-checked").await?;
        Ok(checked.as_deref() == Some("true"))
    }

    /// The preset button labelled `label`.
    pub(crate) async fn preset(&self, label: &str) -> Result<Element, CmdError> {
        let panel = &self.panel;
        let xpath = format!(
            "{panel}//button[@aria-pressed][span[contains(@class, 'presets__label')][normalize-space(.)={}]]",
            literal(label)
        );
        self.wait_for(&xpath).await
    }

    /// The label of the preset marked as current (`aria-pressed="true"`).
    pub(crate) async fn current_preset(&self) -> Result<String, CmdError> {
        let panel = &self.panel;
        let pressed = self
            .wait_for(&format!(
                "{panel}//button[@aria-pressed='true']/span[contains(@class, 'presets__label')]"
            ))
            .await?;
        pressed.text().await
    }

    /// The polite status line.
    pub(crate) async fn status(&self) -> Result<String, CmdError> {
        let panel = &self.panel;
        self.wait_for(&format!("{panel}//*[contains(@class, 'lock-panel__status')]"))
            .await?
            .text()
            .await
    }

    /// Waits until the status line reads `text` exactly, and the panel is no longer busy.
    pub(crate) async fn wait_for_status(&self, text: &str) -> Result<(), CmdError> {
        wait_until(PANEL_TIMEOUT, || async {
            let busy = self.panel().await?.attr("aria-busy").await?;
            Ok((busy.is_none() && self.status().await? == text).then_some(()))
        })
        .await
        .map_err(|e| {
            CmdError::InvalidArgument("status".into(), format!("waiting for {text:?}: {e}"))
        })
    }

    /// Waits for the read-only line (shown once the account's permissions are known) and
    /// returns it.
    pub(crate) async fn read_only_notice(&self) -> Result<String, CmdError> {
        let panel = &self.panel;
        self.wait_for(&format!("{panel}//*[contains(@class, 'lock-panel__readonly')]"))
            .await?
            .text()
            .await
    }

    /// The alert region's text (the problem, if any).
    pub(crate) async fn alert(&self) -> Result<String, CmdError> {
        let panel = &self.panel;
        self.wait_for(&format!("{panel}//*[@role='alert']")).await?.text().await
    }

    /// Waits for the open confirmation dialog.
    pub(crate) async fn dialog(&self) -> Result<Element, CmdError> {
        self.wait_for("//dialog[@open]").await
    }

    /// The button named `name` in the open dialog.
    pub(crate) async fn dialog_button(&self, name: &str) -> Result<Element, CmdError> {
        self.wait_for(&format!("//dialog[@open]//button[normalize-space(.)={}]", literal(name)))
            .await
    }

    /// Waits until no dialog is open.
    pub(crate) async fn wait_dialog_closed(&self) -> Result<(), CmdError> {
        wait_until(PANEL_TIMEOUT, || async {
            match self.client.find(Locator::Css("dialog[open]")).await {
                Ok(_) => Ok(None),
                Err(e) if e.is_no_such_element() => Ok(Some(())),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// Chooses a preset that turns something back on: the dialog opens, naming `target`, and is
    /// confirmed; then waits for the registry's answer `saved`.
    pub(crate) async fn unlock_with(
        &self,
        preset: &str,
        target: &str,
        saved: &str,
    ) -> Result<(), CmdError> {
        click(&self.client, &self.preset(preset).await?).await?;
        // The question names what comes back on: both ("Unlock"), or the one flag (which one
        // depends on where the flags stand), and its button says the same.
        let question = self.dialog().await?.text().await?;
        let forms = [
            (format!("Unlock {target}?"), "Unlock", "write on, delete on"),
            (format!("Turn writes back on for {target}?"), "Turn writes on", "write on"),
            (format!("Turn deletes back on for {target}?"), "Turn deletes on", "delete on"),
        ];
        let (_, button, after) = forms
            .iter()
            .find(|(q, _, _)| question.contains(q.as_str()))
            .unwrap_or_else(|| panic!("the confirmation names the change: {question}"));
        assert!(saved.contains(after), "{question} but {saved}");
        click(&self.client, &self.dialog_button(button).await?).await?;
        self.wait_dialog_closed().await?;
        self.wait_for_status(saved).await
    }

    /// Scrolls the panel to the top of the viewport, below the sticky banner (for screenshots).
    pub(crate) async fn scroll_into_view(&self) -> Result<(), CmdError> {
        let panel = self.panel().await?;
        let arg = serde_json::to_value(&panel).expect("an element reference");
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'start', behavior: 'instant'}); \
                 const banner = document.querySelector('body > header, [role=banner]'); \
                 window.scrollBy({top: -((banner ? banner.offsetHeight : 0) + 16), behavior: 'instant'});",
                vec![arg],
            )
            .await?;
        Ok(())
    }
}

/// Presses and releases `key` wherever focus is.
async fn press(client: &Client, key: Key) -> Result<(), CmdError> {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key.into() })
        .then(KeyAction::Up { value: key.into() });
    client.perform_actions(keys).await
}

/// Fails if a switch shows up on the page within a second and a half (the read-only view must
/// not turn into switches once the account's permissions arrive).
async fn assert_no_switch_appears(client: &Client) -> Result<(), CmdError> {
    for _ in 0..15 {
        let switches = client.find_all(Locator::Css("[role=\"switch\"]")).await?;
        assert!(switches.is_empty(), "no switch for an account that may not change locks");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Scrolls `element` to the middle of the viewport at once (the page scrolls smoothly, and a
/// click during the animation lands elsewhere), then clicks it.
pub(crate) async fn click(client: &Client, element: &Element) -> Result<(), CmdError> {
    let arg = serde_json::to_value(element).expect("an element reference");
    client
        .execute("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", vec![arg])
        .await?;
    element.clone().click().await
}

/// Focuses `element` without clicking it.
async fn focus(client: &Client, element: &Element) -> Result<(), CmdError> {
    let arg = serde_json::to_value(element).expect("an element reference");
    client.execute("arguments[0].focus();", vec![arg]).await?;
    Ok(())
}

/// Saves `<name>-light.png` and `<name>-dark.png`, leaving the page light.
async fn screenshots(client: &Client, name: &str) -> crate::harness::Outcome {
    screenshot(client, &format!("{name}-light")).await?;
    emulate_color_scheme(client, ColorScheme::Dark).await?;
    screenshot(client, &format!("{name}-dark")).await?;
    emulate_color_scheme(client, ColorScheme::Light).await?;
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// Journeys.
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn admin_locks_a_tag_with_each_preset_and_the_registry_enforces_each() {
    let console = start_console().await;
    let t = "3.7.0";
    let target = format!("{FRONTEND}:{t}");
    let url = tag_url(&console, FRONTEND, t);
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        let locks = Locks::new(&client, &target);
        let write = format!("Write enabled for {target}");
        let delete = format!("Delete enabled for {target}");
        assert!(locks.is_on(&write).await? && locks.is_on(&delete).await?, "starts unlocked");
        assert_eq!(locks.current_preset().await?, "Unlock");
        locks.scroll_into_view().await?;
        screenshots(&client, "locks-tag-panel").await?;
        client.set_window_size(390, 844).await?;
        locks.scroll_into_view().await?;
        screenshot(&client, "locks-tag-panel-phone").await?;
        crate::harness::assert_fits_width(&client).await?;
        client.set_window_size(1280, 900).await?;

        // Read and list are under "Advanced", with their warning.
        let panel = locks.panel.clone();
        click(&client, &locks.wait_for(&format!("{panel}//details/summary")).await?).await?;
        let advanced = locks.wait_for(&format!("{panel}//details[@open]")).await?.text().await?;
        assert!(advanced.contains("blocks pulls"), "{advanced}");
        locks.switch(&format!("Read enabled for {target}")).await?;
        locks.switch(&format!("List enabled for {target}")).await?;
        locks.scroll_into_view().await?;
        screenshot(&client, "locks-advanced-light").await?;
        click(&client, &locks.wait_for(&format!("{panel}//details/summary")).await?).await?;

        // Lock: no confirmation; the registry now refuses the delete.
        click(&client, &locks.preset("Lock").await?).await?;
        locks.wait_for_status("Saved: write off, delete off").await?;
        assert!(!locks.is_on(&write).await? && !locks.is_on(&delete).await?);
        assert_eq!(locks.current_preset().await?, "Lock");
        assert_eq!(wd(&stored_tag(&console, FRONTEND, t)), (false, false));
        assert_eq!(delete_tag(&console, FRONTEND, t).await, 405, "Lock refuses the delete");

        // Protect from deletion turns write back on: that is an unlock, so it asks first, naming
        // what comes back on.
        click(&client, &locks.preset("Protect from deletion").await?).await?;
        let question = locks.dialog().await?.text().await?;
        assert!(question.contains(&format!("Turn writes back on for {target}?")), "{question}");
        assert!(question.contains("Writes:"), "says what unlocking allows: {question}");
        screenshots(&client, "locks-confirm-dialog").await?;
        client.set_window_size(390, 844).await?;
        screenshot(&client, "locks-confirm-dialog-phone").await?;
        client.set_window_size(1280, 900).await?;
        click(&client, &locks.dialog_button("Turn writes on").await?).await?;
        locks.wait_dialog_closed().await?;
        locks.wait_for_status("Saved: write on, delete off").await?;
        assert_eq!(locks.current_preset().await?, "Protect from deletion");
        assert_eq!(wd(&stored_tag(&console, FRONTEND, t)), (true, false));
        assert_eq!(delete_tag(&console, FRONTEND, t).await, 405, "delete off refuses it");

        // Prevent updates: delete back on (confirmed), write off, and ACR still refuses deletes.
        locks.unlock_with("Prevent updates", &target, "Saved: write off, delete on").await?;
        assert_eq!(locks.current_preset().await?, "Prevent updates");
        assert_eq!(wd(&stored_tag(&console, FRONTEND, t)), (false, true));
        assert_eq!(delete_tag(&console, FRONTEND, t).await, 405, "write off refuses deletes too");

        // Unlock, cancelled: nothing is sent and focus returns to the preset.
        let unlock = locks.preset("Unlock").await?;
        click(&client, &unlock).await?;
        locks.dialog().await?;
        click(&client, &locks.dialog_button("Cancel").await?).await?;
        locks.wait_dialog_closed().await?;
        locks.wait_for_status("Unlock cancelled: nothing was changed.").await?;
        assert_eq!(wd(&stored_tag(&console, FRONTEND, t)), (false, true), "nothing sent");
        let focused = client.active_element().await?;
        assert_eq!(focused.text().await?, unlock.text().await?, "focus is back on Unlock");

        // Unlock, confirmed: the delete now succeeds.
        locks.unlock_with("Unlock", &target, "Saved: write on, delete on").await?;
        assert_eq!(locks.current_preset().await?, "Unlock");
        assert_eq!(wd(&stored_tag(&console, FRONTEND, t)), (true, true));
        assert_eq!(delete_tag(&console, FRONTEND, t).await, 202, "unlocked: the delete succeeds");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn admin_locks_a_manifest_by_digest_with_the_keyboard() {
    let console = start_console().await;
    let digest = digest_of(&console, FRONTEND, "3.8.0");
    let target = format!("{FRONTEND}@{digest}");
    let url = manifest_url(&console, FRONTEND, &digest);
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        let locks = Locks::new(&client, &target);
        let write = format!("Write enabled for {target}");
        let delete = format!("Delete enabled for {target}");

        // Space on the write switch, then on the delete switch.
        focus(&client, &locks.switch(&write).await?).await?;
        press(&client, Key::Space).await?;
        locks.wait_for_status("Saved: write off, delete on").await?;
        assert_eq!(
            client.active_element().await?.attr("aria-label").await?.as_deref(),
            Some(write.as_str()),
            "focus stays on the switch after saving"
        );
        focus(&client, &locks.switch(&delete).await?).await?;
        press(&client, Key::Space).await?;
        locks.wait_for_status("Saved: write off, delete off").await?;
        assert!(!locks.is_on(&write).await? && !locks.is_on(&delete).await?);
        assert_eq!(wd(&stored_manifest(&console, FRONTEND, &digest)), (false, false));
        assert_eq!(delete_manifest(&console, FRONTEND, &digest).await, 405);

        // Enter on the delete switch turns delete back on: confirmation first.
        focus(&client, &locks.switch(&delete).await?).await?;
        press(&client, Key::Enter).await?;
        locks.dialog().await?;
        // Escape cancels.
        press(&client, Key::Escape).await?;
        locks.wait_dialog_closed().await?;
        assert_eq!(wd(&stored_manifest(&console, FRONTEND, &digest)), (false, false));

        locks.unlock_with("Unlock", &target, "Saved: write on, delete on").await?;
        assert_eq!(wd(&stored_manifest(&console, FRONTEND, &digest)), (true, true));
        assert_eq!(delete_manifest(&console, FRONTEND, &digest).await, 202);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn admin_locks_the_whole_repository_and_its_images_inherit_it() {
    let console = start_console().await;
    let url = repository_url(&console, FRONTEND);
    let image_url = tag_url(&console, FRONTEND, "3.9.0");
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        let locks = Locks::new(&client, FRONTEND);
        let panel = locks.panel().await?.text().await?;
        assert!(panel.contains("Locking the repository locks all its images"), "{panel}");
        locks.switch(&format!("Write enabled for {FRONTEND}")).await?;

        click(&client, &locks.preset("Lock").await?).await?;
        locks.wait_for_status("Saved: write off, delete off").await?;
        assert_eq!(wd(&stored_repository(&console, FRONTEND)), (false, false));
        let own = stored_tag(&console, FRONTEND, "3.9.0");
        assert!(own.write_enabled && own.delete_enabled, "the tag's own flags are still on");
        assert_eq!(
            delete_tag(&console, FRONTEND, "3.9.0").await,
            405,
            "the repository's lock refuses deleting an image inside it"
        );

        // The tag's page says where its lock comes from, linking to the repository.
        client.goto(&image_url).await?;
        let image = Locks::new(&client, &format!("{FRONTEND}:3.9.0"));
        let panel = &image.panel;
        let notice = image
            .wait_for(&format!(
                "{panel}//*[contains(normalize-space(.), 'Locked by repository {FRONTEND}')]"
            ))
            .await?;
        let notice = notice.text().await?;
        assert!(notice.contains("writes and deletes are refused whatever these switches say"));
        image.scroll_into_view().await?;
        screenshots(&client, "locks-tag-inherited").await?;
        let link = image.wait_for(&format!("{panel}//a[normalize-space(.)='{FRONTEND}']")).await?;
        click(&client, &link).await?;
        wait_until(PANEL_TIMEOUT, || async {
            Ok((client.current_url().await?.path() == url::Url::parse(&url).unwrap().path())
                .then_some(()))
        })
        .await?;

        locks.unlock_with("Unlock", FRONTEND, "Saved: write on, delete on").await?;
        assert_eq!(wd(&stored_repository(&console, FRONTEND)), (true, true));
        assert_eq!(delete_tag(&console, FRONTEND, "3.9.0").await, 202);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_refused_change_puts_the_switch_back_and_says_what_to_do() {
    let console = start_console().await;
    let t = "3.7.0";
    let target = format!("{FRONTEND}:{t}");
    let url = tag_url(&console, FRONTEND, t);
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        let locks = Locks::new(&client, &target);
        let write = format!("Write enabled for {target}");
        assert!(locks.is_on(&write).await?);
        // Someone deletes the tag while the page is open.
        assert_eq!(delete_tag(&console, FRONTEND, t).await, 202);

        click(&client, &locks.switch(&write).await?).await?;
        wait_until(PANEL_TIMEOUT, || async {
            Ok((!locks.alert().await?.is_empty()).then_some(()))
        })
        .await?;
        let problem = locks.alert().await?;
        assert!(problem.contains("Not found"), "{problem}");
        assert!(problem.contains("What to do:"), "{problem}");
        assert!(locks.is_on(&write).await?, "the switch is put back");
        assert!(!locks.status().await?.starts_with("Saved"));
        locks.scroll_into_view().await?;
        screenshots(&client, "locks-failure").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_viewer_sees_locks_read_only_and_the_registry_refuses_a_forced_change() {
    let console = start_console().await;
    let t = "stable";
    let url = tag_url(&console, FRONTEND, t);
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "viewer").await?;
        let locks = Locks::new(&client, &format!("{FRONTEND}:{t}"));
        locks.read_only_notice().await?;
        let panel = locks.panel().await?;
        let text = panel.text().await?;
        assert!(
            text.contains("Your access is read-only: you can see lock states but not change them."),
            "{text}"
        );
        // The flags are still shown, as text (stable is "prevent updates": write off).
        assert!(text.contains("Write enabled") && text.contains("Off"), "{text}");
        assert_no_switch_appears(&client).await?;
        for button in panel.find_all(Locator::Css("button")).await? {
            let in_dialog = button.find(Locator::XPath("ancestor::dialog")).await.is_ok();
            assert!(
                in_dialog || !button.is_enabled().await?,
                "no enabled lock control: {}",
                button.text().await?
            );
        }
        locks.scroll_into_view().await?;
        screenshots(&client, "locks-read-only").await?;

        // Forcing the change with the viewer's own token: the registry refuses it.
        let token =
            access_token(&console, "viewer", &format!("repository:{FRONTEND}:metadata_write"));
        let name = FRONTEND.replace('/', "%2F");
        let path = format!("/registry/{REGISTRY}/acr/v1/{name}/_tags/{t}");
        let answer =
            registry_request(&console, "PATCH", &path, &token, Some(r#"{"writeEnabled":true}"#))
                .await;
        assert_eq!(answer.status, 401, "{}", answer.body);
        let challenge = answer.header("www-authenticate").unwrap_or_default();
        assert!(challenge.contains("insufficient_scope"), "{challenge}");
        assert!(!stored_tag(&console, FRONTEND, t).write_enabled, "nothing changed");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_payments_user_gets_switches_only_where_it_may_change_locks() {
    let console = start_console().await;
    let own = tag_url(&console, "prod/payments/api", "1.4.1");
    let other = tag_url(&console, FRONTEND, "3.9.0");
    with_browser(move |client| async move {
        sign_in_as(&client, &own, "payments").await?;
        let locks = Locks::new(&client, "prod/payments/api:1.4.1");
        locks.switch("Write enabled for prod/payments/api:1.4.1").await?;
        locks.switch("Delete enabled for prod/payments/api:1.4.1").await?;

        client.goto(&other).await?;
        let notice = Locks::new(&client, &format!("{FRONTEND}:3.9.0")).read_only_notice().await?;
        assert!(notice.contains("Your access is read-only"), "{notice}");
        assert_no_switch_appears(&client).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn with_version_1_tokens_the_admin_locks_and_unlocks_and_the_viewer_reads_only() {
    // The older lowercase `type`/`name`/`actions` access tokens: rights are still read (the
    // admin gets switches without the "could not be read" line, the viewer the read-only one).
    let config =
        acr_emulator::Config { token_format: acr_types::TokenFormat::V1, ..Default::default() };
    // Shared by both browser sessions, so the emulator outlives the first.
    let console = std::sync::Arc::new(start_console_with(config).await);
    let kept = console.clone();
    let t = "3.8.0";
    let target = format!("{FRONTEND}:{t}");
    let url = tag_url(&console, FRONTEND, t);
    let (viewer_url, viewer_target) = (url.clone(), target.clone());
    with_browser(move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        let locks = Locks::new(&client, &target);
        let write = format!("Write enabled for {target}");
        locks.switch(&write).await?;
        let text = locks.panel().await?.text().await?;
        assert!(!text.contains("could not be read"), "rights are known: {text}");
        click(&client, &locks.preset("Lock").await?).await?;
        locks.wait_for_status("Saved: write off, delete off").await?;
        assert_eq!(wd(&stored_tag(&console, FRONTEND, t)), (false, false));
        locks.unlock_with("Unlock", &target, "Saved: write on, delete on").await?;
        assert_eq!(wd(&stored_tag(&console, FRONTEND, t)), (true, true));
        Ok(())
    })
    .await;
    with_browser(move |client| async move {
        sign_in_as(&client, &viewer_url, "viewer").await?;
        let notice = Locks::new(&client, &viewer_target).read_only_notice().await?;
        assert!(notice.contains("Your access is read-only"), "{notice}");
        assert_no_switch_appears(&client).await?;
        drop(kept);
        Ok(())
    })
    .await;
}
