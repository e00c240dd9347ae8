//! Fault journeys: the lock journeys against a registry that is slow, throttles and fails now and
//! then, with tokens that expire while the admin works. After every change, and again after
//! reloading every page touched, what the console shows for each item (its switches, its badges,
//! its row in the repository's list) must equal what the emulator's store holds. Then: a token
//! expiring mid-work is renewed without the sign-in page, and a renewal the authority refuses
//! sends the reader to sign in and back to exactly the page (path and query) they were on.
//!
//! The fault run prints its figures (operations, injected 429/503, token requests, mismatches).

use crate::{
    harness::{screenshot, start_console_with, with_browser_within, Console},
    pages::{sign_in_as, signed_in_account, tab_storage, wait_until, wait_until_signed_in_at},
};
use acr_console::{
    components::lock_badges::summary,
    routes::{ListOrder, RepoView, Route},
    state::lock_rules::{is_unlocking, saved_summary, unlock_question, LockFlag, Preset},
};
use acr_emulator::{Config, Faults, TokenLifetimes};
use acr_types::{
    ArtifactRef, AttributesPatch, ChangeableAttributes, Digest, RepositoryName, TagName,
};
use fantoccini::{elements::Element, error::CmdError, Client, Locator};
use serde_json::{json, Value};
use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

/// The registry's short name in the emulator's generated `config.json`.
const REGISTRY: &str = "demo";
/// The repository most journeys work in.
const FRONTEND: &str = "prod/web/frontend";
/// The session's `sessionStorage` key (src/auth/storage.rs).
const SESSION_KEY: &str = "acr-console.session.v1";
/// How long a page may take to show its data, or a change to be saved, under the faults (a
/// request may be retried four times, waiting a second after each 429).
const WAIT: Duration = Duration::from_secs(30);
/// The fault run's work must outlast the 60 s tokens by this much.
const FAULT_RUN_SPAN: Duration = Duration::from_secs(65);

/// The faults of the hardening issue: 200 ms on every registry and token response, 10% `429`
/// with `Retry-After: 1`, 5% `503`.
fn issue_faults() -> Faults {
    Faults {
        latency: Duration::from_millis(200),
        throttle_rate: 0.10,
        retry_after: Some(1),
        unavailable_rate: 0.05,
        ..Faults::default()
    }
}

fn repo(name: &str) -> RepositoryName {
    RepositoryName::new(name).expect("a valid repository name")
}

fn tag(repository: &str, t: &str) -> ArtifactRef {
    ArtifactRef::Tag(repo(repository), TagName::new(t).expect("a valid tag"))
}

/// The console URL of `item`'s page (a repository opens on its tags, newest first).
fn page_url(console: &Console, item: &ArtifactRef) -> String {
    let route = match item {
        ArtifactRef::Repository(r) => Route::Repository {
            registry: REGISTRY.into(),
            repo: r.clone(),
            view: RepoView::Tags,
            filter: String::new(),
            order: ListOrder::Newest,
        },
        ArtifactRef::Tag(r, t) => {
            Route::Tag { registry: REGISTRY.into(), repo: r.clone(), tag: t.clone() }
        }
        ArtifactRef::Manifest(r, d) => {
            Route::Manifest { registry: REGISTRY.into(), repo: r.clone(), digest: d.clone() }
        }
    };
    console.url(&route.href())
}

// ------------------------------------------------------------------------------------------------
// The registry's side: the emulator's store, read directly.
// ------------------------------------------------------------------------------------------------

/// The lock flags the registry holds for `item`.
fn stored(console: &Console, item: &ArtifactRef) -> ChangeableAttributes {
    let store = console.emulator().state.store.read().expect("the store");
    match item {
        ArtifactRef::Repository(r) => {
            store.repository(REGISTRY, r).expect("the repository exists").changeable_attributes
        }
        ArtifactRef::Tag(r, t) => store.tag(r, t).expect("the tag exists").changeable_attributes,
        ArtifactRef::Manifest(r, d) => {
            store.manifest(r, d).expect("the manifest exists").changeable_attributes
        }
    }
}

/// The digest a tag points at.
fn digest_of(console: &Console, item: &ArtifactRef) -> Digest {
    let ArtifactRef::Tag(r, t) = item else { panic!("{item} is not a tag") };
    let store = console.emulator().state.store.read().expect("the store");
    store.tag(r, t).expect("the tag exists").digest
}

/// The repository an item lives in, as an item.
fn repository_of(item: &ArtifactRef) -> ArtifactRef {
    match item {
        ArtifactRef::Repository(r) | ArtifactRef::Tag(r, _) | ArtifactRef::Manifest(r, _) => {
            ArtifactRef::Repository(r.clone())
        }
    }
}

/// The emulator's request counters.
#[derive(Debug, Clone, Copy, Default)]
struct Counters {
    registry: u64,
    exchange: u64,
    token: u64,
    throttled: u64,
    unavailable: u64,
}

fn counters(console: &Console) -> Counters {
    let s = &console.emulator().state.stats;
    let g = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
    Counters {
        registry: g(&s.registry),
        exchange: g(&s.exchange),
        token: g(&s.token),
        throttled: g(&s.throttled),
        unavailable: g(&s.unavailable),
    }
}

// ------------------------------------------------------------------------------------------------
// The console's side: what the page shows, read in one script.
// ------------------------------------------------------------------------------------------------

/// Everything the page shows about lock state: each switch's `aria-checked` by accessible name,
/// the badge summaries of the "Lock state" card, the badge summary of each list row by its name,
/// and any other badge group (the repository's own, beside its facts).
const SNAPSHOT: &str = r#"
const snap = { switches: {}, states: [], rows: {}, others: [] };
for (const s of document.querySelectorAll('[role=switch]'))
  snap.switches[s.getAttribute('aria-label')] = s.getAttribute('aria-checked') === 'true';
for (const b of document.querySelectorAll('.lock-badges')) {
  const label = b.getAttribute('aria-label');
  const row = b.closest('[role=row]');
  if (b.closest('section.lock-states')) snap.states.push(label);
  else if (row) {
    const name = row.querySelector('.cell--name a');
    if (name) snap.rows[name.textContent.trim()] = label;
  } else snap.others.push(label);
}
return snap;
"#;

/// What the page shows, as [`SNAPSHOT`] reads it.
struct Shown(Value);

impl Shown {
    async fn read(client: &Client) -> Result<Shown, CmdError> {
        Ok(Shown(client.execute(SNAPSHOT, vec![]).await?))
    }

    /// The flags the switches of `item` show, if all four are on the page.
    fn switches(&self, item: &ArtifactRef) -> Option<[bool; 4]> {
        let mut out = [false; 4];
        for (slot, flag) in out.iter_mut().zip(LockFlag::ALL) {
            *slot = self.0["switches"][flag.accessible_name(item)].as_bool()?;
        }
        Some(out)
    }

    fn labels(&self, key: &str) -> Vec<String> {
        let list = self.0[key].as_array().cloned().unwrap_or_default();
        list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
    }

    fn row(&self, name: &str) -> Option<String> {
        self.0["rows"][name].as_str().map(str::to_owned)
    }
}

fn four(a: &ChangeableAttributes) -> [bool; 4] {
    LockFlag::ALL.map(|f| f.get(a))
}

/// An item's page, and the tags whose rows it lists (for a repository page).
struct Page {
    item: ArtifactRef,
    rows: Vec<ArtifactRef>,
}

impl Page {
    fn of(item: ArtifactRef) -> Page {
        Page { item, rows: Vec::new() }
    }

    /// What the page should show, from the registry's store: the switches, the "Lock state"
    /// card (tag and manifest pages), the repository's own badges (repository page), and each
    /// listed tag's row: its flags, its manifest's, and its repository's lock.
    fn expected(&self, console: &Console) -> Expected {
        let item = &self.item;
        let own = stored(console, item);
        let repository = stored(console, &repository_of(item));
        let (states, others) = match item {
            ArtifactRef::Tag(r, _) => {
                let manifest =
                    stored(console, &ArtifactRef::Manifest(r.clone(), digest_of(console, item)));
                let states = vec![
                    summary("Tag", &own, None, None),
                    summary("Manifest", &manifest, None, None),
                    summary("Repository", &repository, None, None),
                ];
                (states, vec![])
            }
            ArtifactRef::Manifest(..) => (
                vec![
                    summary("Manifest", &own, None, None),
                    summary("Repository", &repository, None, None),
                ],
                vec![],
            ),
            ArtifactRef::Repository(_) => (vec![], vec![summary("Repository", &own, None, None)]),
        };
        let rows = self
            .rows
            .iter()
            .map(|t| {
                let ArtifactRef::Tag(r, name) = t else { panic!("rows are tags: {t}") };
                let manifest = ArtifactRef::Manifest(r.clone(), digest_of(console, t));
                let label = summary(
                    "Tag",
                    &stored(console, t),
                    Some(&stored(console, &manifest)),
                    Some(&repository),
                );
                (name.to_string(), label)
            })
            .collect();
        Expected { switches: four(&own), states, others, rows }
    }

    /// True once the page shows everything [`Page::compare`] reads (data and permissions
    /// loaded).
    fn ready(&self, shown: &Shown, expected: &Expected) -> bool {
        shown.switches(&self.item).is_some()
            && shown.labels("states").len() == expected.states.len()
            && shown.labels("others").len() == expected.others.len()
            && expected.rows.iter().all(|(name, _)| shown.row(name).is_some())
    }

    /// Every difference between what the page shows and what the registry holds.
    fn compare(&self, shown: &Shown, expected: &Expected) -> Vec<String> {
        let item = &self.item;
        let mut out = Vec::new();
        match shown.switches(item) {
            Some(s) if s == expected.switches => {}
            s => out.push(format!(
                "{item}: switches (write, delete, read, list) show {s:?}, the registry holds {:?}",
                expected.switches
            )),
        }
        let (states, others) = (shown.labels("states"), shown.labels("others"));
        if states != expected.states {
            out.push(format!(
                "{item}: lock state card shows {states:?}, expected {:?}",
                expected.states
            ));
        }
        if others != expected.others {
            out.push(format!("{item}: badges show {others:?}, expected {:?}", expected.others));
        }
        for (name, label) in &expected.rows {
            let row = shown.row(name);
            if row.as_deref() != Some(label.as_str()) {
                out.push(format!("{item}: row {name} shows {row:?}, expected {label:?}"));
            }
        }
        out
    }

    /// Waits until the page is ready, then returns the mismatches; a difference that is still
    /// there a second later counts (the DOM may be one frame behind the status line).
    async fn check(&self, client: &Client, console: &Console) -> Result<Vec<String>, CmdError> {
        let expected = self.expected(console);
        wait_until(WAIT, || async {
            Ok(self.ready(&Shown::read(client).await?, &expected).then_some(()))
        })
        .await
        .map_err(|e| wait_error(format!("the page of {} to show its lock state", self.item), e))?;
        // Parts of a page load separately (a tag row learns its manifest's flags from the
        // manifest list); one of them throttled waits Retry-After (1 s) plus the latency before
        // it lands, so what is shown may settle a few seconds after the rows appear.
        let deadline = Instant::now() + Duration::from_secs(4);
        loop {
            let mismatches = self.compare(&Shown::read(client).await?, &expected);
            if mismatches.is_empty() || Instant::now() >= deadline {
                return Ok(mismatches);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// What a page should show.
struct Expected {
    switches: [bool; 4],
    states: Vec<String>,
    others: Vec<String>,
    rows: Vec<(String, String)>,
}

fn wait_error(what: String, e: CmdError) -> CmdError {
    CmdError::InvalidArgument("wait".into(), format!("waiting for {what}: {e}"))
}

// ------------------------------------------------------------------------------------------------
// Acting on the lock panel.
// ------------------------------------------------------------------------------------------------

/// One change a person makes in a lock panel.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// A preset button.
    Preset(Preset),
    /// One switch, flipped.
    Toggle(LockFlag),
}

impl Change {
    /// The patch the panel sends for this change from `current`.
    fn patch(self, current: &ChangeableAttributes) -> AttributesPatch {
        match self {
            Change::Preset(p) => p.patch().changes_from(current),
            Change::Toggle(f) => f.patch(!f.get(current)),
        }
    }

    fn describe(self) -> String {
        match self {
            Change::Preset(p) => format!("preset {:?}", p.label()),
            Change::Toggle(f) => format!("switch {:?}", f.label()),
        }
    }
}

/// An XPath string literal (the names used here hold no single quote).
fn literal(text: &str) -> String {
    assert!(!text.contains('\''), "{text}");
    format!("'{text}'")
}

/// XPath of the lock panel holding `item`'s write switch.
fn panel_xpath(item: &ArtifactRef) -> String {
    let write = literal(&LockFlag::Write.accessible_name(item));
    format!(
        "//section[contains(concat(' ', @class, ' '), ' lock-panel ')]\
         [.//*[@role='switch'][@aria-label={write}]]"
    )
}

async fn wait_for(client: &Client, xpath: &str) -> Result<Element, CmdError> {
    let el = client.wait().at_most(WAIT).for_element(Locator::XPath(xpath)).await?;
    crate::journeys_locks::open_disclosure(client, &el).await?;
    Ok(el)
}

/// Scrolls `element` to the middle of the viewport at once, then clicks it.
async fn click(client: &Client, element: &Element) -> Result<(), CmdError> {
    let arg = serde_json::to_value(element).expect("an element reference");
    client
        .execute("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", vec![arg])
        .await?;
    element.clone().click().await
}

/// The panel's save cycle: busy, its status line and its problem text.
async fn panel_state(
    client: &Client,
    item: &ArtifactRef,
) -> Result<(bool, String, String), CmdError> {
    let script = "const s = [...document.querySelectorAll('[role=switch]')]\
                    .find(s => s.getAttribute('aria-label') === arguments[0]); \
                  const p = s && s.closest('section.lock-panel'); \
                  if (!p) return null; \
                  const text = c => (p.querySelector(c)?.textContent ?? '').trim(); \
                  return [p.getAttribute('aria-busy') === 'true', text('.lock-panel__status'), \
                          text('.lock-panel__problem')];";
    let v = client.execute(script, vec![json!(LockFlag::Write.accessible_name(item))]).await?;
    let s = |i: usize| v[i].as_str().unwrap_or_default().to_owned();
    Ok((v[0].as_bool().unwrap_or(true), s(1), s(2)))
}

/// Makes `change` to `item` in its panel on the current page, confirming the unlock dialog when
/// the change turns write or delete back on, and waits for the registry's answer. Returns what
/// the registry should now hold.
async fn make(
    client: &Client,
    console: &Console,
    item: &ArtifactRef,
    change: Change,
) -> Result<(ChangeableAttributes, bool), CmdError> {
    let before = stored(console, item);
    let patch = change.patch(&before);
    assert!(
        !patch.is_empty(),
        "{} of {item} would change nothing: fix the journey",
        change.describe()
    );
    let mut after = before.clone();
    after.apply(&patch);
    let unlocking = is_unlocking(&before, &patch);
    let panel = panel_xpath(item);
    let control = match change {
        Change::Preset(p) => {
            let label = literal(p.label());
            wait_for(
                client,
                &format!(
                    "{panel}//button[@aria-pressed][span[contains(@class, 'presets__label')][normalize-space(.)={label}]]"
                ),
            )
            .await?
        }
        Change::Toggle(flag) => {
            if matches!(flag, LockFlag::Read | LockFlag::List) {
                let open =
                    client.find_all(Locator::XPath(&format!("{panel}//details[@open]"))).await?;
                if open.is_empty() {
                    click(client, &wait_for(client, &format!("{panel}//details/summary")).await?)
                        .await?;
                }
            }
            let name = literal(&flag.accessible_name(item));
            wait_for(client, &format!("{panel}//*[@role='switch'][@aria-label={name}]")).await?
        }
    };
    click(client, &control).await?;
    if unlocking {
        // The question names what comes back on ("Unlock …?" for both).
        let (asked, button) = unlock_question(item, &before, &patch);
        let question = wait_for(client, "//dialog[@open]").await?.text().await?;
        assert!(question.contains(&asked), "{question}");
        click(
            client,
            &wait_for(client, &format!("//dialog[@open]//button[normalize-space(.)='{button}']"))
                .await?,
        )
        .await?;
    }
    let saved = saved_summary(&after);
    let outcome = wait_until(WAIT, || async {
        let (busy, status, problem) = panel_state(client, item).await?;
        if !busy && !problem.is_empty() {
            return Ok(Some(Err(problem)));
        }
        Ok((!busy && status == saved).then_some(Ok(())))
    })
    .await
    .map_err(|e| wait_error(format!("{saved:?} after {} of {item}", change.describe()), e))?;
    if let Err(problem) = outcome {
        panic!("{} of {item} failed under faults: {problem}", change.describe());
    }
    Ok((after, unlocking))
}

/// Follows the link named `name` inside the main landmark (an in-app navigation: the page is
/// not reloaded) and waits until the address is `url`.
async fn follow(client: &Client, name: &str, url: &str) -> Result<(), CmdError> {
    let link =
        wait_for(client, &format!("//main//a[normalize-space(.)={}]", literal(name))).await?;
    click(client, &link).await?;
    let want = url::Url::parse(url).expect("a URL");
    wait_until(WAIT, || async { Ok((client.current_url().await? == want).then_some(())) })
        .await
        .map_err(|e| wait_error(format!("the in-app navigation to {url}"), e))
}

// ------------------------------------------------------------------------------------------------
// Watching the tab: no reload, never the sign-in page, the Entra token renewed.
// ------------------------------------------------------------------------------------------------

/// Marks the current document and records every path the router shows from now on (history
/// `pushState`/`replaceState` and back/forward), to prove later that the page was never
/// reloaded and never showed the sign-in page.
const WATCH: &str = r#"
window.__acrWatch = { paths: [location.pathname] };
const note = () => window.__acrWatch.paths.push(location.pathname);
for (const m of ['pushState', 'replaceState']) {
  const original = history[m].bind(history);
  history[m] = (...args) => { const r = original(...args); note(); return r; };
}
addEventListener('popstate', note);
"#;

async fn watch(client: &Client) -> Result<(), CmdError> {
    client.execute(WATCH, vec![]).await?;
    Ok(())
}

/// The paths recorded by [`WATCH`]; `None` when the document was reloaded since.
async fn watched_paths(client: &Client) -> Result<Option<Vec<String>>, CmdError> {
    let v = client
        .execute("return window.__acrWatch ? window.__acrWatch.paths : null;", vec![])
        .await?;
    Ok(v.as_array().map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect()))
}

/// Fails unless the watched document is still the same and never showed `/signin`; returns the
/// paths it went through.
async fn assert_never_signed_out(client: &Client) -> Result<Vec<String>, CmdError> {
    let paths = watched_paths(client).await?.expect("the page was never reloaded");
    assert!(!paths.iter().any(|p| p == "/signin"), "the sign-in page showed: {paths:?}");
    assert!(signed_in_account(client).await?.is_some(), "still signed in");
    Ok(paths)
}

/// The Entra access token the tab keeps (to see it being replaced), if any.
async fn entra_access_token(client: &Client) -> Result<Option<String>, CmdError> {
    let (session, _) = tab_storage(client).await?;
    let Some((_, text)) = session.iter().find(|(k, _)| k == SESSION_KEY) else { return Ok(None) };
    let v: Value = serde_json::from_str(text).unwrap_or_default();
    Ok(v["access_token"].as_str().map(str::to_owned))
}

// ------------------------------------------------------------------------------------------------
// Journeys.
// ------------------------------------------------------------------------------------------------

/// What the fault run did and found.
#[derive(Default)]
struct Tally {
    operations: usize,
    confirmed_unlocks: usize,
    comparisons: usize,
    mismatches: Vec<String>,
    entra_tokens: Vec<String>,
}

impl Tally {
    /// Notes one comparison's mismatches (printing them as they happen).
    fn note(&mut self, what: &str, mismatches: Vec<String>) {
        self.comparisons += 1;
        for m in mismatches {
            eprintln!("MISMATCH after {what}: {m}");
            self.mismatches.push(m);
        }
    }

    /// Notes the Entra access token the tab holds now, if it is a new one.
    async fn note_token(&mut self, client: &Client) -> Result<(), CmdError> {
        if let Some(t) = entra_access_token(client).await? {
            if self.entra_tokens.last() != Some(&t) {
                self.entra_tokens.push(t);
            }
        }
        Ok(())
    }

    /// Makes each change on the current page, comparing the page with the registry after each.
    async fn run(
        &mut self,
        client: &Client,
        console: &Console,
        page: &Page,
        item: &ArtifactRef,
        changes: &[Change],
    ) -> Result<(), CmdError> {
        for &change in changes {
            let (after, unlocking) = make(client, console, item, change).await?;
            self.operations += 1;
            self.confirmed_unlocks += usize::from(unlocking);
            assert_eq!(four(&stored(console, item)), four(&after), "the registry holds the change");
            let what = format!("{} of {item}", change.describe());
            self.note(&what, page.check(client, console).await?);
            self.note_token(client).await?;
        }
        Ok(())
    }
}

#[tokio::test]
async fn under_faults_every_lock_change_lands_and_the_console_shows_what_the_registry_holds() {
    let console = start_console_with(Config {
        faults: issue_faults(),
        lifetimes: TokenLifetimes {
            access: Duration::from_secs(60),
            entra_access: Duration::from_secs(60),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let first = tag(FRONTEND, "3.7.0");
    let second = tag(FRONTEND, "stable");
    let manifest = ArtifactRef::Manifest(repo(FRONTEND), digest_of(&console, &first));
    let repository = ArtifactRef::Repository(repo(FRONTEND));
    let start = page_url(&console, &first);
    with_browser_within(Duration::from_secs(170), move |client| async move {
        use Change::{Preset as P, Toggle as T};
        use LockFlag::{Delete, List, Read, Write};
        let began = Instant::now();
        sign_in_as(&client, &start, "admin").await?;
        let signed_in = Instant::now();
        let at_sign_in = counters(&console);
        watch(&client).await?;
        let mut tally = Tally::default();
        tally.note_token(&client).await?;

        // A tag: every preset, each switch both ways (read and list under "Advanced").
        let page = Page::of(first.clone());
        tally.note("loading the tag page", page.check(&client, &console).await?);
        let changes = [
            P(Preset::Lock),
            P(Preset::ProtectFromDeletion),
            P(Preset::PreventUpdates),
            P(Preset::Unlock),
            T(Write),
            T(Delete),
            T(Write),
            T(Read),
            T(List),
            T(Read),
            T(List),
            T(Delete),
        ];
        tally.run(&client, &console, &page, &first, &changes).await?;

        // Its manifest, reached from the tag page.
        follow(&client, "Open the manifest", &page_url(&console, &manifest)).await?;
        let page = Page::of(manifest.clone());
        let changes = [
            P(Preset::Lock),
            P(Preset::Unlock),
            T(Delete),
            P(Preset::PreventUpdates),
            P(Preset::Unlock),
        ];
        tally.run(&client, &console, &page, &manifest, &changes).await?;

        // The repository, through the breadcrumb; its list shows both tags.
        follow(&client, FRONTEND, &page_url(&console, &repository)).await?;
        let page = Page { item: repository.clone(), rows: vec![first.clone(), second.clone()] };
        let changes = [
            P(Preset::Lock),
            P(Preset::ProtectFromDeletion),
            P(Preset::PreventUpdates),
            P(Preset::Unlock),
        ];
        tally.run(&client, &console, &page, &repository, &changes).await?;

        // The tokens (60 s) expire before the rest of the work: the next changes need new ones.
        let idle = FAULT_RUN_SPAN.saturating_sub(signed_in.elapsed());
        tokio::time::sleep(idle).await;

        // A second tag, from the repository's list ("stable" starts write-locked).
        follow(&client, "stable", &page_url(&console, &second)).await?;
        let page = Page::of(second.clone());
        let changes =
            [P(Preset::Lock), P(Preset::Unlock), P(Preset::ProtectFromDeletion), T(Write)];
        tally.run(&client, &console, &page, &second, &changes).await?;
        let worked = signed_in.elapsed();
        let paths = assert_never_signed_out(&client).await?;
        assert!(paths.len() >= 4, "the recorder saw the in-app navigations: {paths:?}");
        let mid_work = counters(&console);

        // Reload every page touched: what it shows still equals the registry.
        let touched = [
            Page::of(first.clone()),
            Page::of(manifest.clone()),
            Page { item: repository.clone(), rows: vec![first.clone(), second.clone()] },
            Page::of(second.clone()),
        ];
        let mut reload_mismatches = 0;
        for page in &touched {
            client.goto(&page_url(&console, &page.item)).await?;
            let mismatches = page.check(&client, &console).await?;
            reload_mismatches += mismatches.len();
            tally.note(&format!("reloading the page of {}", page.item), mismatches);
        }
        assert!(client.current_url().await?.path() != "/signin");
        let end = counters(&console);

        let injected = end.throttled + end.unavailable;
        let figures = [
            ("journey time (sign-in to last reload)", format!("{:.1} s", began.elapsed().as_secs_f64())),
            ("work span after sign-in (tokens live 60 s)", format!("{:.1} s", worked.as_secs_f64())),
            ("lock operations (PATCHes saved)", tally.operations.to_string()),
            ("  of which confirmed unlocks", tally.confirmed_unlocks.to_string()),
            ("items touched (2 tags, 1 manifest, 1 repository)", "4".into()),
            ("UI/registry comparisons", tally.comparisons.to_string()),
            ("registry requests (all, incl. sign-in and reloads)", end.registry.to_string()),
            ("token exchanges / token requests", format!("{} / {}", end.exchange, end.token)),
            ("  during the work (no reload)", format!(
                "{} / {}",
                mid_work.exchange - at_sign_in.exchange,
                mid_work.token - at_sign_in.token
            )),
            ("injected 429 (Retry-After: 1)", end.throttled.to_string()),
            ("injected 503", end.unavailable.to_string()),
            ("retries by the console (= injected; none gave up)", injected.to_string()),
            ("Entra access tokens seen (renewed silently)", tally.entra_tokens.len().to_string()),
            ("sign-in page shown during the work", "no".into()),
            ("mismatches after each change", (tally.mismatches.len() - reload_mismatches).to_string()),
            ("mismatches after reloading each touched page", reload_mismatches.to_string()),
        ];
        println!("\nFault run: latency 200 ms, 10% 429 (Retry-After 1), 5% 503, ACR access and Entra tokens 60 s");
        println!("| {:<52} | {:>9} |", "figure", "value");
        println!("|{}|{}|", "-".repeat(54), "-".repeat(11));
        for (k, v) in figures {
            println!("| {k:<52} | {v:>9} |");
        }
        screenshot(&client, "faults-after-reload").await?;

        assert!(worked > Duration::from_secs(60), "the work outlasted the tokens: {worked:?}");
        assert!(injected > 0, "the faults were on: {end:?}");
        assert!(
            mid_work.token > at_sign_in.token,
            "expired ACR access tokens were replaced mid-work: {at_sign_in:?} -> {mid_work:?}"
        );
        assert!(tally.entra_tokens.len() >= 2, "the Entra token was renewed during the work");
        assert!(tally.mismatches.is_empty(), "the console showed what the registry does not hold: {:#?}", tally.mismatches);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn tokens_expiring_mid_work_are_renewed_without_the_sign_in_page() {
    // Entra and ACR access tokens live 15 s, the ACR refresh token 20 s: within 40 s of work
    // the console renews the Entra token several times and exchanges it for a new ACR refresh
    // token, with the registry still throttling and failing now and then.
    let console = start_console_with(Config {
        faults: issue_faults(),
        lifetimes: TokenLifetimes {
            access: Duration::from_secs(15),
            refresh: Duration::from_secs(20),
            entra_access: Duration::from_secs(15),
        },
        ..Default::default()
    })
    .await;
    let item = tag("prod/web/gateway", "1.32.1");
    let url = page_url(&console, &item);
    with_browser_within(Duration::from_secs(120), move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        let signed_in = Instant::now();
        let at_sign_in = counters(&console);
        watch(&client).await?;
        let mut tally = Tally::default();
        tally.note_token(&client).await?;
        let page = Page::of(item.clone());
        let cycle = [Change::Preset(Preset::Lock), Change::Preset(Preset::Unlock)];
        while signed_in.elapsed() < Duration::from_secs(40) {
            tally.run(&client, &console, &page, &item, &cycle).await?;
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        assert_never_signed_out(&client).await?;
        let end = counters(&console);
        println!(
            "\nSilent renewal: {} lock operations over {:.0} s; {} Entra access tokens; {} ACR \
             exchanges and {} ACR token requests after sign-in; {} injected 429, {} injected 503; \
             {} mismatches",
            tally.operations,
            signed_in.elapsed().as_secs_f64(),
            tally.entra_tokens.len(),
            end.exchange - at_sign_in.exchange,
            end.token - at_sign_in.token,
            end.throttled,
            end.unavailable,
            tally.mismatches.len()
        );
        assert!(
            tally.entra_tokens.len() >= 3,
            "renewed at least twice: {}",
            tally.entra_tokens.len()
        );
        assert!(
            end.exchange > at_sign_in.exchange,
            "the expired ACR refresh token was replaced by exchanging a renewed Entra token"
        );
        assert!(tally.mismatches.is_empty(), "{:#?}", tally.mismatches);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_refused_renewal_sends_the_reader_to_sign_in_and_back_to_the_same_deep_page() {
    // Entra tokens of 15 s: the console renews them 3 s before they expire.
    let console = start_console_with(Config {
        lifetimes: TokenLifetimes { entra_access: Duration::from_secs(15), ..Default::default() },
        ..Default::default()
    })
    .await;
    let route = Route::Repository {
        registry: REGISTRY.into(),
        repo: repo(FRONTEND),
        view: RepoView::Manifests,
        filter: String::new(),
        order: ListOrder::Name,
    };
    let deep = route.href();
    assert_eq!(deep, "/r/demo/prod%2Fweb%2Ffrontend?view=manifests&order=name");
    let url = console.url(&deep);
    let state = console.emulator().state.clone();
    with_browser_within(Duration::from_secs(90), move |client| async move {
        sign_in_as(&client, &url, "admin").await?;
        wait_for(&client, "//main//h1[normalize-space(.)='prod/web/frontend']").await?;

        // The authority ends the session: the next renewal is refused.
        assert_eq!(state.entra.revoke_user("admin"), 1);
        wait_until(Duration::from_secs(25), || async {
            Ok((client.current_url().await?.path() == "/signin").then_some(()))
        })
        .await
        .map_err(|e| wait_error("the sign-in page after the refused renewal".into(), e))?;
        let here = client.current_url().await?;
        let back: Vec<_> = here.query_pairs().filter(|(k, _)| k == "return").collect();
        assert_eq!(back.len(), 1, "{here}");
        assert_eq!(back[0].1, deep, "the way back is the page with its query: {here}");
        let page = wait_for(&client, "//*[@data-testid='sign-in-page']").await?;
        let text = wait_until(WAIT, || async {
            let t = page.text().await?;
            Ok(t.contains("Your session has ended").then_some(t))
        })
        .await?;
        assert!(
            text.contains("Sign in again; you will come back to the page you were on."),
            "{text}"
        );
        assert_eq!(signed_in_account(&client).await?, None);
        let (session, local) = tab_storage(&client).await?;
        assert!(!session.iter().any(|(k, _)| k == SESSION_KEY) && local.is_empty());
        screenshot(&client, "faults-session-ended").await?;

        // Signing in again returns to exactly that page: repository, view and order.
        let start =
            wait_for(&client, "//button[normalize-space(.)='Sign in with Microsoft']").await?;
        click(&client, &start).await?;
        let pick = "button[name=\"user\"][value=\"admin\"]";
        client.wait().at_most(WAIT).for_element(Locator::Css(pick)).await?.click().await?;
        wait_until_signed_in_at(&client, &url).await?;
        wait_for(&client, "//main//h1[normalize-space(.)='prod/web/frontend']").await?;
        let current =
            wait_for(&client, "//nav[@aria-label='Repository views']//a[@aria-current='page']")
                .await?
                .text()
                .await?;
        assert!(current.starts_with("Manifests"), "the manifests view: {current}");
        let order = client.find(Locator::Css("#list-order")).await?.prop("value").await?;
        assert_eq!(order.as_deref(), Some("name"));
        assert_eq!(state.entra.refresh_tokens_of("admin"), 1, "a new session at the authority");
        Ok(())
    })
    .await;
}
