//! Refusal journeys: the explanation of what ACR allows or refuses, on the tag and manifest pages
//! and on the rows of their lists, matches what the registry does. For every cell of a lock
//! matrix (a lock on the repository, the tag, its image, another tag of the image, another tag
//! or image in the repository) the page's verdict on each operation is read, then each operation
//! is really performed against the in-process emulator over HTTP (push a manifest to the tag,
//! untag, delete by digest, delete the repository, pull), each from the same locked state, and a
//! refused one must answer 405 and an allowed one succeed. Screenshot:
//! `refusals-tag-page.png`, `refusals-manifest-page.png` and a focused row's tip,
//! `refusals-tag-row.png`.

use crate::{
    harness::{screenshot, start_console, with_browser_within, Console},
    journeys_locks::{click, manifest_url, repository_url, stored_tag, tag_url, Locks, REGISTRY},
    pages::{sign_in_as, wait_until},
};
use acr_emulator::store::Store;
use acr_types::{media_type, AttributesPatch, Digest, RepositoryName, TagName, Timestamp};
use fantoccini::{
    actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction},
    key::Key,
    Client, Locator,
};
use std::{collections::BTreeMap, time::Duration};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The repository the matrix runs in: `1.0` and `stable` on image 1, `2.0` on image 2.
const REPO: &str = "refusals/app";
/// How long the explanation may take to be complete (item, repository, lists, token).
const VERDICT_TIMEOUT: Duration = Duration::from_secs(20);
/// Longest a whole matrix may take.
const MATRIX_TIMEOUT: Duration = Duration::from_secs(300);

fn repo() -> RepositoryName {
    RepositoryName::new(REPO).expect("a valid repository name")
}

fn tag(name: &str) -> TagName {
    TagName::new(name).expect("a valid tag")
}

fn fake(n: u32) -> String {
    format!("sha256:{n:064x}")
}

/// A Docker image manifest whose config is `seed`-specific.
fn image(seed: u32) -> String {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","size":100,"digest":"{}"}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1000,"digest":"{}"}}]}}"#,
        media_type::DOCKER_MANIFEST,
        fake(seed),
        fake(seed + 1)
    )
}

/// Pushes the matrix's repository into the emulator's store; returns the two image digests.
fn seed(console: &Console) -> (Digest, Digest) {
    let mut store = console.emulator().state.store.write().expect("the store");
    let now = Timestamp::parse("2026-06-01T00:00:00Z").expect("a timestamp");
    let mut push = |reference: &str, body: &str| {
        store
            .push_manifest(&repo(), reference, media_type::DOCKER_MANIFEST, body.as_bytes(), &now)
            .expect("the seed pushes")
    };
    let one = push("1.0", &image(10));
    push("stable", &image(10));
    let two = push("2.0", &image(20));
    (one, two)
}

fn off(write: bool, delete: bool, read: bool) -> AttributesPatch {
    let set = |v: bool| v.then_some(false);
    AttributesPatch {
        write_enabled: set(write),
        delete_enabled: set(delete),
        read_enabled: set(read),
        list_enabled: None,
    }
}

/// Where a cell puts a lock.
#[derive(Debug, Clone, Copy)]
enum At {
    Repository,
    /// A tag by name.
    Tag(&'static str),
    /// Image 1 (the one `1.0` points at) or image 2.
    Image(u8),
}

/// A cell of the matrix: its name and the locks it sets (write, delete, read off).
type Cell = (&'static str, &'static [(At, bool, bool, bool)]);

const CELLS: [Cell; 17] = [
    ("no lock", &[]),
    ("repository write", &[(At::Repository, true, false, false)]),
    ("repository delete", &[(At::Repository, false, true, false)]),
    ("repository read", &[(At::Repository, false, false, true)]),
    ("tag write", &[(At::Tag("1.0"), true, false, false)]),
    ("tag delete", &[(At::Tag("1.0"), false, true, false)]),
    ("tag read", &[(At::Tag("1.0"), false, false, true)]),
    ("image write", &[(At::Image(1), true, false, false)]),
    ("image delete", &[(At::Image(1), false, true, false)]),
    ("image read", &[(At::Image(1), false, false, true)]),
    ("other tag of the image write", &[(At::Tag("stable"), true, false, false)]),
    ("other tag of the image delete", &[(At::Tag("stable"), false, true, false)]),
    ("a tag of another image delete", &[(At::Tag("2.0"), false, true, false)]),
    ("another image write", &[(At::Image(2), true, false, false)]),
    (
        "repository delete and tag write",
        &[(At::Repository, false, true, false), (At::Tag("1.0"), true, false, false)],
    ),
    (
        "image and other tag locked",
        &[(At::Image(1), true, true, false), (At::Tag("stable"), true, true, false)],
    ),
    (
        "everything read off",
        &[
            (At::Repository, false, false, true),
            (At::Tag("1.0"), false, false, true),
            (At::Image(1), false, false, true),
        ],
    ),
];

/// Applies a cell's locks to `store`.
fn lock(store: &mut Store, images: &(Digest, Digest), locks: &[(At, bool, bool, bool)]) {
    for &(at, write, delete, read) in locks {
        let patch = off(write, delete, read);
        match at {
            At::Repository => store.update_repository(REGISTRY, &repo(), &patch).map(drop),
            At::Tag(t) => store.update_tag(&repo(), &tag(t), &patch).map(drop),
            At::Image(n) => {
                let d = if n == 1 { &images.0 } else { &images.1 };
                store.update_manifest(&repo(), d, &patch).map(drop)
            }
        }
        .expect("the lock is set");
    }
}

// ------------------------------------------------------------------------------------------------
// The registry, asked directly over HTTP (not through the console).
// ------------------------------------------------------------------------------------------------

/// `host:port` of the emulator.
fn host(console: &Console) -> String {
    console.base_url.trim_start_matches("http://").to_owned()
}

/// A registry access token for the admin, asking `scope`.
fn admin_token(console: &Console, scope: &str) -> String {
    let state = &console.emulator().state;
    let admin = state.users.by_id("admin").expect("the demo admin");
    acr_emulator::auth::cli_token(&state.issuer, admin, "access", &host(console), scope)
        .expect("the emulator issues a token")
}

/// One HTTP/1.1 request to the registry (same-origin under `/registry/demo/`) as the admin:
/// the status.
async fn request(
    console: &Console,
    method: &str,
    path: &str,
    scope: &str,
    body: Option<(&str, &str)>,
) -> u16 {
    let token = admin_token(console, scope);
    let address = host(console);
    let mut stream =
        tokio::net::TcpStream::connect(&address).await.expect("connect to the emulator");
    let (content_type, body) = body.unwrap_or(("", ""));
    let content_type = if content_type.is_empty() {
        String::new()
    } else {
        format!("Content-Type: {content_type}\r\n")
    };
    let request = format!(
        "{method} /registry/{REGISTRY}{path} HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {token}\r\n{content_type}Content-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send the request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read the answer");
    let text = String::from_utf8_lossy(&raw);
    text.lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"))
}

/// Performs the operation `key` (a `data-operation` of the explanation) about tag `1.0` /
/// image 1: the registry's status.
async fn perform(console: &Console, key: &str, image_1: &Digest) -> u16 {
    let encoded = REPO.replace('/', "%2F");
    let (push, delete, pull) = (
        format!("repository:{REPO}:pull,push"),
        format!("repository:{REPO}:delete"),
        format!("repository:{REPO}:pull"),
    );
    let manifest = media_type::DOCKER_MANIFEST;
    match key {
        "push-to-tag" => {
            let body = image(99);
            let path = format!("/v2/{REPO}/manifests/1.0");
            request(console, "PUT", &path, &push, Some((manifest, &body))).await
        }
        "push-to-new-tag" => {
            let body = image(10);
            let path = format!("/v2/{REPO}/manifests/new-tag");
            request(console, "PUT", &path, &push, Some((manifest, &body))).await
        }
        "delete-tag" => {
            let path = format!("/acr/v1/{encoded}/_tags/1.0");
            request(console, "DELETE", &path, &delete, None).await
        }
        "delete-manifest" => {
            let path = format!("/v2/{REPO}/manifests/{image_1}");
            request(console, "DELETE", &path, &delete, None).await
        }
        "delete-repository" => {
            let path = format!("/acr/v1/{encoded}");
            request(console, "DELETE", &path, &delete, None).await
        }
        "pull-by-tag" => {
            let path = format!("/v2/{REPO}/manifests/1.0");
            request(console, "GET", &path, &pull, None).await
        }
        "pull-by-digest" => {
            let path = format!("/v2/{REPO}/manifests/{image_1}");
            request(console, "GET", &path, &pull, None).await
        }
        other => panic!("no operation {other}"),
    }
}

// ------------------------------------------------------------------------------------------------
// The explanation, as the page shows it.
// ------------------------------------------------------------------------------------------------

/// One line of the explanation: its verdict (`allowed`, `refused`, `unknown`) and its text.
#[derive(Debug, Clone)]
struct Said {
    verdict: String,
    text: String,
}

/// The explanation card's lines by operation once none is "unknown" any more.
async fn explanation(
    client: &Client,
) -> Result<BTreeMap<String, Said>, fantoccini::error::CmdError> {
    let script = r#"const card = document.querySelector('[data-testid="refusals"]');
        if (!card) return null;
        return [...card.querySelectorAll('[data-operation]')]
          .map(e => [e.dataset.operation, e.dataset.verdict, e.textContent]);"#;
    wait_until(VERDICT_TIMEOUT, || async {
        let v = client.execute(script, vec![]).await?;
        let Some(rows) = v.as_array() else { return Ok(None) };
        let lines: BTreeMap<String, Said> = rows
            .iter()
            .filter_map(|r| {
                let s = |i: usize| r.get(i).and_then(|x| x.as_str()).map(str::to_owned);
                Some((s(0)?, Said { verdict: s(1)?, text: s(2)? }))
            })
            .collect();
        let complete = !lines.is_empty() && lines.values().all(|l| l.verdict != "unknown");
        Ok(complete.then_some(lines))
    })
    .await
}

/// Runs the matrix on the page at `url` (tag `1.0` or image 1): for each cell, the page's
/// verdicts, then each operation performed from the same locked state. Returns the table of
/// (cell, operation, verdict, status) for the failure message.
async fn run_matrix(
    client: &Client,
    console: &Console,
    images: &(Digest, Digest),
    url: &str,
    expected_keys: &[&str],
    shot: Option<(&str, &str)>,
) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    let unlocked: Store = console.emulator().state.store.read().expect("the store").clone();
    let mut table = Vec::new();
    for (name, locks) in CELLS {
        let mut locked = unlocked.clone();
        lock(&mut locked, images, locks);
        *console.emulator().state.store.write().expect("the store") = locked.clone();
        client.goto(url).await?;
        let said = explanation(client).await?;
        let keys: Vec<&str> = said.keys().map(String::as_str).collect();
        let mut want: Vec<&str> = expected_keys.to_vec();
        want.sort_unstable();
        assert_eq!(keys, want, "{name}: the operations explained");
        // "Locked by repository" only where the repository's flags reach what is in it (writes
        // or reads off); its delete flag guards the repository alone.
        let reaches = locks.iter().any(|(at, w, _, r)| matches!(at, At::Repository) && (*w || *r));
        let shown = client
            .execute(
                "return document.querySelectorAll('.lock-states .badge--inherited').length;",
                vec![],
            )
            .await?;
        assert_eq!(shown.as_u64(), Some(u64::from(reaches)), "{name}: \"Locked by repository\"");
        let guards_itself =
            !reaches && locks.iter().any(|(at, _, d, _)| matches!(at, At::Repository) && *d);
        let states = client.find(Locator::Css(".lock-states")).await?.text().await?;
        assert_eq!(
            states.contains("This guards the repository itself"),
            guards_itself,
            "{name}: {states}"
        );
        if let Some((cell, file)) = shot {
            if cell == name {
                screenshot(client, file).await?;
            }
        }
        for (key, line) in &said {
            // Each operation from the same locked state.
            *console.emulator().state.store.write().expect("the store") = locked.clone();
            let status = perform(console, key, &images.0).await;
            table.push(format!("{name:32} {key:18} {:8} {status}  {}", line.verdict, line.text));
            match line.verdict.as_str() {
                "refused" => assert_eq!(status, 405, "{name}: {key} was explained as {line:?}"),
                "allowed" => assert!(
                    (200..300).contains(&status),
                    "{name}: {key} was explained as {line:?} but answered {status}"
                ),
                other => panic!("{name}: {key}: verdict {other}"),
            }
        }
    }
    *console.emulator().state.store.write().expect("the store") = unlocked;
    Ok(table)
}

#[tokio::test]
async fn the_tag_page_explanation_matches_what_the_emulator_does_for_every_cell_of_its_lock_matrix()
{
    let console = start_console().await;
    let images = seed(&console);
    let url = tag_url(&console, REPO, "1.0");
    with_browser_within(MATRIX_TIMEOUT, move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        let unlocked = console.emulator().state.store.read().expect("the store").clone();
        let keys =
            ["push-to-tag", "delete-tag", "delete-manifest", "delete-repository", "pull-by-tag"];
        let shot = Some(("repository delete and tag write", "refusals-tag-page"));
        let table = run_matrix(&client, &console, &images, &url, &keys, shot).await?;
        println!("{}", table.join("\n"));
        // The deciding lock is named: the tag's write lock, and a lock on another tag by name.
        let mut locked = console.emulator().state.store.read().expect("the store").clone();
        lock(&mut locked, &images, CELLS[14].1);
        lock(&mut locked, &images, &[(At::Tag("stable"), false, true, false)]);
        *console.emulator().state.store.write().expect("the store") = locked;
        client.goto(&url).await?;
        let said = explanation(&client).await?;
        assert!(said["push-to-tag"].text.contains("tag write disabled"), "{said:?}");
        assert!(said["delete-tag"].text.contains("tag write disabled"), "{said:?}");
        assert!(
            said["delete-manifest"].text.contains("tag write disabled, and 1 more lock"),
            "this tag before the other: {said:?}"
        );
        assert!(said["delete-repository"].text.contains("repository delete disabled"), "{said:?}");
        assert!(said["pull-by-tag"].text.contains("Allowed"), "{said:?}");

        // A lock changed on the page changes the explanation at once: lock the tag's delete.
        *console.emulator().state.store.write().expect("the store") = unlocked;
        client.goto(&url).await?;
        let said = explanation(&client).await?;
        assert_eq!(said["delete-tag"].verdict, "allowed", "{said:?}");
        let target = format!("{REPO}:1.0");
        let locks = Locks::new(&client, &target);
        click(&client, &locks.switch(&format!("Delete enabled for {target}")).await?).await?;
        let untag = wait_until(VERDICT_TIMEOUT, || async {
            let v = client
                .execute(
                    "const e = document.querySelector('[data-testid=\"refusals\"] \
                     [data-operation=\"delete-tag\"]'); return e ? e.textContent : null;",
                    vec![],
                )
                .await?;
            Ok(v.as_str().filter(|t| t.contains("Refused")).map(str::to_owned))
        })
        .await?;
        assert!(untag.contains("tag delete disabled"), "{untag}");
        assert!(!stored_tag(&console, REPO, "1.0").delete_enabled, "the lock was really set");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_manifest_page_explanation_matches_what_the_emulator_does_for_every_cell_of_its_lock_matrix(
) {
    let console = start_console().await;
    let images = seed(&console);
    let url = manifest_url(&console, REPO, &images.0);
    with_browser_within(MATRIX_TIMEOUT, move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        let keys = ["push-to-new-tag", "delete-manifest", "delete-repository", "pull-by-digest"];
        let shot = Some(("image and other tag locked", "refusals-manifest-page"));
        let table = run_matrix(&client, &console, &images, &url, &keys, shot).await?;
        println!("{}", table.join("\n"));
        Ok(())
    })
    .await;
}

/// The tag list's row of tag `1.0`.
const ROW_1_0: &str = "//div[@role='row'][.//a[normalize-space()='1.0']]";

#[tokio::test]
async fn a_tag_row_explains_its_refusals_on_hover_and_keyboard_focus() {
    let console = start_console().await;
    let images = seed(&console);
    {
        let mut store = console.emulator().state.store.write().expect("the store");
        lock(&mut store, &images, &[(At::Tag("1.0"), true, false, false)]);
    }
    let url = repository_url(&console, REPO);
    with_browser_within(MATRIX_TIMEOUT, move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        let row =
            client.wait().at_most(VERDICT_TIMEOUT).for_element(Locator::XPath(ROW_1_0)).await?;
        // For assistive technology: the lock cell's text says it.
        let described = wait_until(VERDICT_TIMEOUT, || async {
            let cell = row.find(Locator::Css(".cell--locks .visually-hidden")).await?;
            let text = cell.prop("textContent").await?.unwrap_or_default();
            Ok((!text.contains("not known")).then_some(text))
        })
        .await?;
        assert!(
            described.contains("Push a new image to this tag: refused: tag write disabled.")
                && described.contains("Delete this tag: refused: tag write disabled.")
                && described.contains("Delete this image by digest: refused: tag write disabled."),
            "{described}"
        );
        // The tip of the row holding tag `name` (looked up afresh: the list may redraw rows),
        // while it is shown; and whether the row is the focused element.
        let shown_tip = |name: &'static str| {
            let client = client.clone();
            async move {
                let script = "const row = [...document.querySelectorAll('[role=row]')] \
                    .find(r => [...r.querySelectorAll('a')].some(a => a.textContent.trim() === arguments[0])); \
                    const tip = row && row.querySelector(':scope > .refusal-tip'); \
                    if (!tip || getComputedStyle(tip).display === 'none') return null; \
                    return [tip.textContent, document.activeElement === row];";
                let v = client.execute(script, vec![serde_json::json!(name)]).await?;
                Ok::<_, fantoccini::error::CmdError>(v.as_array().map(|a| {
                    (a[0].as_str().unwrap_or_default().to_owned(), a[1].as_bool() == Some(true))
                }))
            }
        };
        assert_eq!(shown_tip("1.0").await?, None, "no tip until asked");
        client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})",
                vec![serde_json::to_value(&row)?],
            )
            .await?;
        // Pointer on the lock cell: the tip shows.
        let hovered = wait_until(Duration::from_secs(5), || async {
            let row = client.find(Locator::XPath(ROW_1_0)).await?;
            let cell = row.find(Locator::Css(".cell--locks")).await?;
            let hover = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
                element: cell,
                duration: None,
                x: 0.0,
                y: 0.0,
            });
            client.perform_actions(hover).await?;
            shown_tip("1.0").await
        })
        .await?;
        assert!(hovered.0.contains("Push a new image to this tag"), "{hovered:?}");
        // Keyboard: focus moves between rows with the arrow keys; the focused row shows its tip.
        let away = MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        client.perform_actions(away).await?;
        let row = client.find(Locator::XPath(ROW_1_0)).await?;
        client.execute("arguments[0].focus()", vec![serde_json::to_value(&row)?]).await?;
        for key in [Key::Down, Key::Up] {
            let keys = KeyActions::new("keyboard".into())
                .then(KeyAction::Down { value: key.into() })
                .then(KeyAction::Up { value: key.into() });
            client.perform_actions(keys).await?;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let focused = wait_until(Duration::from_secs(5), || async {
            Ok(shown_tip("1.0").await?.filter(|(_, focused)| *focused))
        })
        .await;
        assert!(focused.is_ok(), "the focused row shows its tip: {focused:?}");
        screenshot(&client, "refusals-tag-row").await?;
        Ok(())
    })
    .await;
}
