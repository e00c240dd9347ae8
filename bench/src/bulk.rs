//! The bulk figures (issue 12), measured once per benchmark invocation, each scenario in its own
//! fresh emulator and browser session: locking 1,000 tags of 10 repositories by the rule
//! `repos=bulk/**` with 50 ms and with no added latency (Apply to finished, the preview's
//! requests, the PATCHes applied and the token requests), 300 changes under ACR's write-rate
//! limit (600 a minute, which they never meet, and 120 a minute, which makes the run wait for the
//! registry's window), and the memory of a 10,000-item preview.
//!
//! Times are taken in the page: a capture-phase click listener records `performance.now()` at
//! the Apply click and an animation-frame watcher records it in the first frame in which
//! `[data-testid="bulk-run"]` reads `data-phase="stopped"`; the driver polls for that every
//! 50 ms (the wall time around the click and the polling is in the notes). Request counts come
//! from the emulator's counters and the page's Resource Timing.

use crate::{
    browser::{eval, wait_for, Chromedriver},
    journeys::{self, number, PAGE_TIMEOUT},
    paced_ideal_ms,
    report::{Budget, Figure, Stat, Unit},
    CONCURRENCY, PACE_SLACK, REPOSITORIES_PER_TOKEN, SLOW,
};
use acr_emulator::{seed::Generate, Config, DataSource, Faults, Running};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// Repositories of the 1,000-tag seed (`bulk/repo-00` …).
pub const REPOSITORIES: usize = 10;
/// Tags (one single-platform image each) per seeded repository.
pub const TAGS_PER_REPOSITORY: usize = 100;
/// Repositories of the 300-change seed (the write-rate runs).
const RATE_REPOSITORIES: usize = 3;
/// The rule's repository glob, as typed (the URL carries it percent-encoded).
pub const RULE: &str = "bulk/**";
/// Tags of `scale/many-tags` for the memory figure.
pub const PREVIEW_ITEMS: usize = 10_000;
/// Apply to finished with no added latency, ms.
const FAST_BUDGET_MS: f64 = 5_000.0;
/// The write-rate limit of the first rate run (a minute) and the share of it the run must reach.
const LIMIT: u32 = 600;
const RATE_SHARE: f64 = 0.85;
/// The stricter limit that makes the run wait out the registry's window.
const TIGHT_LIMIT: u32 = 120;
/// The window ACR's write limit counts over, s.
const WINDOW_S: f64 = 60.0;
/// Memory budget with the 10,000-item preview on screen, bytes.
const MEMORY_BUDGET: f64 = 100e6;
/// Longest a run may take before the benchmark gives up on it.
const RUN_TIMEOUT: Duration = Duration::from_secs(400);
/// How often the driver asks the page whether the run has finished.
const POLL: Duration = Duration::from_millis(50);

/// Every bulk figure; the seed files go to `<out>/bulk/`.
pub async fn figures(
    driver: &mut Chromedriver,
    dist: &Path,
    out: &Path,
) -> Result<Vec<Figure>, String> {
    let dir = out.join("bulk");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let seed_1000 = write_seed(&dir, REPOSITORIES)?;
    let seed_300 = write_seed(&dir, RATE_REPOSITORIES)?;
    let mut figures = Vec::new();

    for latency in [SLOW, 0] {
        eprintln!(
            "acr-bench: bulk: locking {} tags with {latency} ms added latency…",
            REPOSITORIES * TAGS_PER_REPOSITORY
        );
        let faults = Faults { latency: Duration::from_millis(latency), ..Faults::default() };
        let run = rule_run(driver, dist, &seed_1000, faults, REPOSITORIES).await?;
        figures.extend(apply_figures(&run, latency));
    }

    eprintln!("acr-bench: bulk: 300 changes at {LIMIT} writes a minute…");
    let faults = Faults { write_ops_per_minute: Some(LIMIT), ..Faults::default() };
    let run = rule_run(driver, dist, &seed_300, faults, RATE_REPOSITORIES).await?;
    figures.extend(rate_figures(&run));

    eprintln!("acr-bench: bulk: 300 changes at {TIGHT_LIMIT} writes a minute (about 2 minutes)…");
    let faults = Faults { write_ops_per_minute: Some(TIGHT_LIMIT), ..Faults::default() };
    let run = rule_run(driver, dist, &seed_300, faults, RATE_REPOSITORIES).await?;
    figures.extend(throttled_figures(&run));

    eprintln!("acr-bench: bulk: memory with a {PREVIEW_ITEMS}-item preview…");
    figures.extend(memory_figures(&preview_memory(driver, dist).await?));
    Ok(figures)
}

/// `bulk/repo-NN`, the `r`-th seeded repository.
fn repository(r: usize) -> String {
    format!("bulk/repo-{r:02}")
}

/// The `i`-th tag of every seeded repository.
fn tag(i: usize) -> String {
    format!("1.0.{i}")
}

/// Every `repo:tag` the rule covers in a seed of `repos` repositories: what the run must change,
/// each exactly once.
fn expected_targets(repos: usize) -> HashSet<String> {
    (0..repos)
        .flat_map(|r| {
            (0..TAGS_PER_REPOSITORY).map(move |i| format!("{}:{}", repository(r), tag(i)))
        })
        .collect()
}

/// The seed file's JSON: `repos` repositories `bulk/repo-NN`, each with
/// [`TAGS_PER_REPOSITORY`] single-platform images tagged `1.0.<i>`, pushed a minute apart.
fn seed(repos: usize) -> Value {
    let repositories: Vec<Value> = (0..repos)
        .map(|r| {
            let images: Vec<Value> = (0..TAGS_PER_REPOSITORY)
                .map(|i| {
                    json!({
                        "tags": [tag(i)],
                        "platforms": ["linux/amd64"],
                        "pushed": format!("2026-01-0{}T{:02}:{:02}:00Z", 1 + r % 9, i / 60, i % 60),
                    })
                })
                .collect();
            json!({ "name": repository(r), "images": images })
        })
        .collect();
    json!({ "repositories": repositories })
}

/// Writes [`seed`]`(repos)` as `<dir>/seed-<tags>.json`; returns its path.
fn write_seed(dir: &Path, repos: usize) -> Result<PathBuf, String> {
    let path = dir.join(format!("seed-{}.json", repos * TAGS_PER_REPOSITORY));
    let text = serde_json::to_string(&seed(repos)).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The bulk page's path for the rule `repos=<repos>` locking tags, query values
/// percent-encoded as the console's own links do (`/` and `*` included).
fn bulk_path(repos: &str) -> String {
    let mut enc = String::new();
    for b in repos.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            enc.push(char::from(b));
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    format!("/r/demo/-/bulk?repos={enc}&target=tags&change=lock")
}

/// A fresh emulator with `config` and a browser session signed in as `admin` on `/r/demo`.
pub(crate) struct Session {
    pub(crate) emulator: Running,
    pub(crate) client: Client,
    pub(crate) base: String,
}

impl Session {
    pub(crate) async fn open(driver: &mut Chromedriver, config: Config) -> Result<Self, String> {
        let emulator = acr_emulator::spawn(config).await?;
        let base = emulator.base_url.trim_end_matches('/').to_owned();
        let client = driver.session().await?;
        let session = Self { emulator, client, base };
        if let Err(e) = journeys::sign_in(&session.client, &session.base, "/r/demo").await {
            session.close().await;
            return Err(e);
        }
        Ok(session)
    }

    pub(crate) async fn close(self) {
        if let Err(e) = self.client.close().await {
            eprintln!("acr-bench: closing the browser failed: {e}");
        }
    }

    /// Loads the bulk page at `path` afresh (the emulator's counters at zero) and waits for its
    /// preview with something to apply; returns `performance.now()` when it was seen.
    async fn preview(&self, path: &str) -> Result<f64, String> {
        journeys::fresh_load(&self.client, &self.emulator, &format!("{}{path}", self.base)).await?;
        let ready = "(() => { const r = document.querySelector('[data-testid=\"bulk-run\"]'); \
            const a = document.querySelector('[data-testid=\"bulk-apply\"]'); \
            return r && r.dataset.phase === 'preview' && a && !a.disabled \
              ? performance.now() : null; })()";
        let at = wait_for(&self.client, "the bulk preview", ready, PAGE_TIMEOUT).await?;
        number(&at, "preview shown")
    }

    /// The `.bulk-count__n` of the preview's group `group` (`change`, `already`, …).
    async fn group_count(&self, group: &str) -> Result<f64, String> {
        let v = eval(
            &self.client,
            &format!(
                "(document.querySelector('[data-testid=\"group-{group}\"] .bulk-count__n') \
                 || {{}}).textContent || ''"
            ),
        )
        .await?;
        let text = v.as_str().unwrap_or_default();
        text.replace(',', "").trim().parse().map_err(|_| format!("group {group}: {text:?}"))
    }

    /// Token requests (`/oauth2/exchange` + `/oauth2/token`) since the counters' reset.
    fn tokens(&self) -> f64 {
        let s = self.emulator.state.stats.to_json();
        ["exchange", "token"].iter().filter_map(|k| s[k].as_f64()).sum()
    }

    pub(crate) fn stat(&self, key: &str) -> f64 {
        self.emulator.state.stats.to_json()[key].as_f64().unwrap_or_default()
    }
}

/// What the page requested to build the preview.
#[derive(Debug, Clone, Default)]
struct PreviewRequests {
    /// Tag-list requests (a path ending `/_tags`; Resource Timing).
    tag_lists: f64,
    /// Requests for one tag (`/_tags/<tag>`).
    tag_items: f64,
    /// Manifest-list and manifest requests (`/_manifests`).
    manifests: f64,
    /// Catalog requests (`/_catalog`).
    catalog: f64,
    /// Every registry request (the emulator's counter).
    registry: f64,
    /// Token requests until the preview was shown.
    tokens: f64,
    /// ms after navigation start until the driver saw the preview (50 ms polling granularity).
    shown_at: f64,
    /// The preview's `change` group.
    to_change: f64,
}

/// One rule run: its preview, then Apply until the run stopped.
#[derive(Debug, Clone, Default)]
struct RuleRun {
    latency: u64,
    limit: Option<u32>,
    /// Items the rule covers.
    items: usize,
    preview: PreviewRequests,
    /// Apply click to `data-phase="stopped"` painted, ms (in the page).
    apply_ms: f64,
    /// The same, wall time in the driver (click call to the poll that saw it).
    wall_ms: f64,
    /// The page's progress line once stopped, and what it says.
    progress: String,
    done: f64,
    failed: f64,
    remaining: f64,
    /// Emulator counters since the reset before the page load (preview and run).
    patched: f64,
    throttled: f64,
    tokens: f64,
    /// Token requests by when the page made them (Resource Timing): `/oauth2/exchange`;
    /// `/oauth2/token` before the catalog request, from it to the preview, and during the run.
    token_split: [f64; 4],
    /// Applied changes per target.
    targets: Audit,
}

/// How the applied changes compare with what the rule covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Audit {
    /// Distinct targets changed.
    distinct: usize,
    /// Covered targets never changed.
    missing: usize,
    /// Targets changed more than once.
    twice: usize,
    /// Targets changed that the rule does not cover.
    outside: usize,
    /// Most changes of one target.
    most: u64,
}

impl Audit {
    fn of(changes: &HashMap<String, u64>, expected: &HashSet<String>) -> Self {
        Self {
            distinct: changes.len(),
            missing: expected.iter().filter(|t| !changes.contains_key(*t)).count(),
            twice: changes.values().filter(|&&n| n > 1).count(),
            outside: changes.keys().filter(|t| !expected.contains(*t)).count(),
            most: changes.values().copied().max().unwrap_or(0),
        }
    }

    /// Items not changed exactly once: missing, changed twice or more, or outside the rule.
    fn not_once(&self) -> usize {
        self.missing + self.twice + self.outside
    }

    fn show(&self) -> String {
        format!(
            "{} targets changed, most often {}×; {} missing, {} more than once, {} outside the rule",
            self.distinct, self.most, self.missing, self.twice, self.outside
        )
    }
}

/// `(done, failed, remaining)` from a progress line like `1,000 done · 0 failed · 0 remaining`.
fn parse_progress(line: &str) -> Option<(f64, f64, f64)> {
    let mut found: HashMap<&str, f64> = HashMap::new();
    for part in line.split('·') {
        let mut words = part.split_whitespace();
        let (Some(n), Some(what)) = (words.next(), words.next()) else { continue };
        if let Ok(n) = n.replace(',', "").parse::<f64>() {
            found.insert(what, n);
        }
    }
    Some((*found.get("done")?, *found.get("failed")?, *found.get("remaining")?))
}

/// JS: records the Apply click's and the stopped phase's `performance.now()` in
/// `window.__bench.bulk`.
const WATCH_RUN: &str = "(() => { \
    const b = window.__bench.bulk = { clicked: null, stopped: null }; \
    document.addEventListener('click', e => { \
      if (b.clicked === null && e.target.closest && e.target.closest('[data-testid=\"bulk-apply\"]')) \
        b.clicked = performance.now(); }, { capture: true }); \
    const watch = () => { \
      const r = document.querySelector('[data-testid=\"bulk-run\"]'); \
      if (b.clicked !== null && r && r.dataset.phase === 'stopped') b.stopped = performance.now(); \
      else requestAnimationFrame(watch); }; \
    requestAnimationFrame(watch); \
    return true; })()";

/// Seeds a fresh emulator from `seed` with `faults`, previews the rule [`RULE`] locking every tag
/// of its `repos` repositories, applies it and waits until the run stops.
async fn rule_run(
    driver: &mut Chromedriver,
    dist: &Path,
    seed: &Path,
    faults: Faults,
    repos: usize,
) -> Result<RuleRun, String> {
    let mut run = RuleRun {
        latency: faults.latency.as_millis() as u64,
        limit: faults.write_ops_per_minute,
        items: repos * TAGS_PER_REPOSITORY,
        ..RuleRun::default()
    };
    let config = Config {
        console_dir: Some(dist.to_owned()),
        data: DataSource::SeedFile(seed.to_owned()),
        faults,
        ..Config::default()
    };
    let s = Session::open(driver, config).await?;
    let result = apply_rule(&s, &mut run, &expected_targets(repos)).await;
    s.close().await;
    result.map(|()| run)
}

async fn apply_rule(
    s: &Session,
    run: &mut RuleRun,
    expected: &HashSet<String>,
) -> Result<(), String> {
    let shown_at = s.preview(&bulk_path(RULE)).await?;
    let v = eval(
        &s.client,
        "(() => { const paths = performance.getEntriesByType('resource') \
            .map(e => new URL(e.name).pathname); \
          return [paths.filter(p => p.endsWith('/_tags')).length, \
            paths.filter(p => p.includes('/_tags/')).length, \
            paths.filter(p => p.includes('/_manifests')).length, \
            paths.filter(p => p.includes('/_catalog')).length]; })()",
    )
    .await?;
    run.preview = PreviewRequests {
        tag_lists: number(&v[0], "tag lists")?,
        tag_items: number(&v[1], "tag requests")?,
        manifests: number(&v[2], "manifest requests")?,
        catalog: number(&v[3], "catalog requests")?,
        registry: s.stat("registry"),
        tokens: s.tokens(),
        shown_at,
        to_change: s.group_count("change").await?,
    };

    eval(&s.client, WATCH_RUN).await?;
    let apply = s
        .client
        .find(Locator::Css("[data-testid=\"bulk-apply\"]"))
        .await
        .map_err(|e| format!("the Apply button: {e}"))?;
    // Centred first, like the E2E tests: at the viewport's edge a sticky bar can cover it.
    let arg = serde_json::to_value(&apply).map_err(|e| e.to_string())?;
    s.client
        .execute("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", vec![arg])
        .await
        .map_err(|e| format!("scrolling to Apply: {e}"))?;
    let t0 = Instant::now();
    apply.click().await.map_err(|e| format!("clicking Apply: {e}"))?;
    let times = poll(
        &s.client,
        "the bulk run to stop",
        "(() => { const b = window.__bench.bulk; \
           return b.stopped !== null ? [b.clicked, b.stopped] : null; })()",
    )
    .await?;
    run.wall_ms = t0.elapsed().as_secs_f64() * 1e3;
    run.apply_ms = number(&times[1], "stopped")? - number(&times[0], "clicked")?;

    let line = eval(
        &s.client,
        "(document.querySelector('[data-testid=\"bulk-progress\"]') || {}).textContent || ''",
    )
    .await?;
    run.progress = line.as_str().unwrap_or_default().trim().to_owned();
    (run.done, run.failed, run.remaining) = parse_progress(&run.progress)
        .ok_or_else(|| format!("unexpected progress line {:?}", run.progress))?;
    let split = eval(
        &s.client,
        &format!(
            "(() => {{ const rs = performance.getEntriesByType('resource') \
                .map(e => [new URL(e.name).pathname, e.startTime]); \
              const catalog = Math.min(...rs.filter(r => r[0].includes('/_catalog')).map(r => r[1])); \
              const tokens = rs.filter(r => r[0].endsWith('/oauth2/token')); \
              return [rs.filter(r => r[0].endsWith('/oauth2/exchange')).length, \
                tokens.filter(t => t[1] < catalog).length, \
                tokens.filter(t => t[1] >= catalog && t[1] <= {shown_at}).length, \
                tokens.filter(t => t[1] > {shown_at}).length]; }})()"
        ),
    )
    .await?;
    for (i, slot) in run.token_split.iter_mut().enumerate() {
        *slot = number(&split[i], "token requests")?;
    }
    run.patched = s.stat("patched");
    run.throttled = s.stat("throttled");
    run.tokens = s.tokens();
    run.targets = Audit::of(&s.emulator.state.stats.changes(), expected);
    Ok(())
}

/// Like [`wait_for`], polling every [`POLL`] up to [`RUN_TIMEOUT`] (fewer driver calls while
/// the page works).
pub(crate) async fn poll(client: &Client, what: &str, expr: &str) -> Result<Value, String> {
    let deadline = Instant::now() + RUN_TIMEOUT;
    loop {
        let v = eval(client, expr).await.map_err(|e| format!("{what}: {e}"))?;
        if !(v.is_null() || v == Value::Bool(false)) {
            return Ok(v);
        }
        if Instant::now() > deadline {
            return Err(format!("timed out after {RUN_TIMEOUT:?} waiting for {what}"));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// A figure with one sample.
pub(crate) fn once(
    id: &'static str,
    label: &str,
    latency: u64,
    unit: Unit,
    budget: Budget,
    sample: f64,
    note: String,
) -> Figure {
    let mut f = Figure::new(id, label, Some(latency), unit, Stat::Once).budget(budget);
    f.samples = vec![sample];
    f.note = note;
    f
}

/// Whether every item of a run was applied exactly once, by the page's count and the
/// emulator's: `[done, patched, not exactly once]` figures under `ids`.
fn outcome_figures(run: &RuleRun, what: &str, ids: [&'static str; 3]) -> Vec<Figure> {
    let n = run.items as f64;
    let l = run.latency;
    vec![
        once(
            ids[0],
            &format!("{what}: items done (the page)"),
            l,
            Unit::Count,
            Budget::Exactly(n),
            run.done,
            format!(
                "{:?}; {} failed, {} remaining",
                run.progress, run.failed as u64, run.remaining as u64
            ),
        ),
        once(
            ids[1],
            &format!("{what}: applied PATCHes (emulator)"),
            l,
            Unit::Count,
            Budget::Exactly(n),
            run.patched,
            format!("{}; {} answered 429", run.targets.show(), run.throttled as u64),
        ),
        once(
            ids[2],
            &format!("{what}: items not changed exactly once"),
            l,
            Unit::Count,
            Budget::Exactly(0.0),
            run.targets.not_once() as f64,
            "missing + changed more than once + outside the rule (emulator's changes per target)"
                .into(),
        ),
    ]
}

/// Figures of a 1,000-tag run: Apply to stopped, the preview's requests, tokens, the outcome.
fn apply_figures(run: &RuleRun, latency: u64) -> Vec<Figure> {
    let items = run.items as f64;
    let what = "7. bulk lock, 1,000 tags in 10 repositories";
    let (id, budget, why) = if latency == 0 {
        ("bulk.apply_0ms", FAST_BUDGET_MS, "budget 5,000 ms".to_owned())
    } else {
        let ideal = paced_ideal_ms(items, latency);
        (
            "bulk.apply_50ms",
            PACE_SLACK * ideal,
            format!(
                "budget {PACE_SLACK} × ({items} × {latency} ms / {CONCURRENCY}) = \
                 {:.0} ms",
                PACE_SLACK * ideal
            ),
        )
    };
    let mut out = vec![once(
        id,
        &format!("{what}: Apply → run stopped"),
        latency,
        Unit::Ms,
        Budget::AtMost(budget),
        run.apply_ms,
        format!(
            "in the page: click listener → first frame with data-phase=\"stopped\"; wall time \
             around click and 50 ms polling {:.0} ms; {:.1} changes/s; {why}",
            run.wall_ms,
            run.patched / (run.apply_ms / 1e3)
        ),
    )];
    let p = &run.preview;
    out.push(once(
        "bulk.preview.tag_lists",
        &format!("{what}: preview's tag-list requests"),
        latency,
        Unit::Count,
        Budget::Exactly(REPOSITORIES as f64),
        p.tag_lists,
        format!(
            "one page per repository (100 tags each); per-tag requests {}; catalog requests {}; \
             preview with {} to change seen {:.0} ms after navigation start",
            p.tag_items, p.catalog, p.to_change, p.shown_at
        ),
    ));
    out.push(once(
        "bulk.preview.manifest_lists",
        &format!("{what}: preview's manifest requests (target tags)"),
        latency,
        Unit::Count,
        Budget::Exactly(0.0),
        p.manifests,
        "Resource Timing: paths containing /_manifests".into(),
    ));
    let most = 1 + 2 * REPOSITORIES + 2;
    out.push(once(
        "bulk.preview.registry_requests",
        &format!("{what}: preview's registry requests (none per item)"),
        latency,
        Unit::Count,
        Budget::AtMost(most as f64),
        p.registry,
        format!(
            "emulator's counter from the page load to the preview; budget 1 catalog + \
             {REPOSITORIES} attributes + {REPOSITORIES} tag lists + 2"
        ),
    ));
    out.push(once(
        "bulk.token_requests",
        &format!("{what}: token requests, preview and run"),
        latency,
        Unit::Count,
        Budget::AtMost(2.0 * REPOSITORIES.div_ceil(REPOSITORIES_PER_TOKEN) as f64),
        run.tokens,
        format!(
            "emulator: /oauth2/exchange + /oauth2/token from the page load to the run's end ({} \
             before the preview); in the page: {} exchange, then tokens: {} before the catalog \
             request, {} from it to the preview, {} during the run; budget 2 per \
             {REPOSITORIES_PER_TOKEN} repositories",
            p.tokens,
            run.token_split[0],
            run.token_split[1],
            run.token_split[2],
            run.token_split[3]
        ),
    ));
    out.extend(outcome_figures(
        run,
        what,
        ["bulk.apply.done", "bulk.apply.patched", "bulk.apply.not_once"],
    ));
    out
}

/// Figures of the 300 changes at [`LIMIT`] writes a minute: the rate reached and the outcome.
fn rate_figures(run: &RuleRun) -> Vec<Figure> {
    let limit = f64::from(run.limit.unwrap_or(LIMIT));
    let allowed = limit / WINDOW_S;
    let rate = run.patched / (run.apply_ms / 1e3);
    let what = format!("8. bulk, 300 changes at {limit} writes/min");
    let mut out = vec![once(
        "bulk.rate_600",
        &format!("{what}: changes a second"),
        run.latency,
        Unit::PerSecond,
        Budget::AtLeast(RATE_SHARE * allowed),
        rate,
        format!(
            "{} applied in {:.0} ms (Apply → stopped); budget {RATE_SHARE} × {allowed}/s. The \
             emulator's limiter is a rolling {WINDOW_S} s window admitting {limit}: 300 changes \
             never meet it ({} answered 429), so the rate is the run's own pace",
            run.patched, run.apply_ms, run.throttled as u64
        ),
    )];
    out.extend(outcome_figures(
        run,
        &what,
        ["bulk.rate_600.done", "bulk.rate_600.patched", "bulk.rate_600.not_once"],
    ));
    out
}

/// Figures of the 300 changes at [`TIGHT_LIMIT`] writes a minute: the time, which the registry's
/// window dictates, and the outcome.
fn throttled_figures(run: &RuleRun) -> Vec<Figure> {
    let limit = run.limit.unwrap_or(TIGHT_LIMIT);
    let waits = run.items.div_ceil(limit as usize).saturating_sub(1) as f64;
    let budget = (waits * WINDOW_S * 1.15 + 10.0) * 1e3;
    let what = format!("8. bulk, 300 changes at {limit} writes/min");
    let mut out = vec![once(
        "bulk.throttled_120",
        &format!("{what}: Apply → run stopped"),
        run.latency,
        Unit::Ms,
        Budget::AtMost(budget),
        run.apply_ms,
        format!(
            "the first {limit} pass, the rest are answered 429 with Retry-After until the \
             {WINDOW_S} s window frees ({} answered 429); {:.2} changes/s; budget ({waits} × \
             {WINDOW_S} s × 1.15 + 10 s): going on promptly each time the window frees",
            run.throttled as u64,
            run.patched / (run.apply_ms / 1e3)
        ),
    )];
    out.extend(outcome_figures(
        run,
        &what,
        ["bulk.throttled_120.done", "bulk.throttled_120.patched", "bulk.throttled_120.not_once"],
    ));
    out
}

/// What the 10,000-item preview measured.
#[derive(Debug, Clone, Default)]
struct PreviewMemory {
    js_heap: f64,
    wasm_memory: f64,
    to_change: f64,
    elements: f64,
    tag_lists: f64,
    shown_at: f64,
}

/// `scale/many-tags` with [`PREVIEW_ITEMS`] tags: the preview of locking them all, on screen,
/// and the memory it holds.
async fn preview_memory(driver: &mut Chromedriver, dist: &Path) -> Result<PreviewMemory, String> {
    let config = Config {
        console_dir: Some(dist.to_owned()),
        data: DataSource::Generate(Generate { repos: 0, tags: PREVIEW_ITEMS }),
        ..Config::default()
    };
    let s = Session::open(driver, config).await?;
    let result = async {
        let shown_at = s.preview(&bulk_path(journeys::MANY_TAGS_REPO)).await?;
        let to_change = s.group_count("change").await?;
        let (js_heap, wasm_memory) = journeys::memory(&s.client).await?;
        let v = eval(
            &s.client,
            "[document.getElementsByTagName('*').length, performance.getEntriesByType('resource') \
              .filter(e => new URL(e.name).pathname.endsWith('/_tags')).length]",
        )
        .await?;
        Ok(PreviewMemory {
            js_heap,
            wasm_memory,
            to_change,
            elements: number(&v[0], "elements")?,
            tag_lists: number(&v[1], "tag lists")?,
            shown_at,
        })
    }
    .await;
    s.close().await;
    result
}

fn memory_figures(m: &PreviewMemory) -> Vec<Figure> {
    let what = "9. bulk preview of 10,000 tags";
    vec![
        once(
            "bulk.memory_10k",
            &format!("{what}: JS heap + wasm memory"),
            0,
            Unit::Megabytes,
            Budget::Below(MEMORY_BUDGET),
            m.js_heap + m.wasm_memory,
            format!(
                "JS heap {:.1} MB (after a forced GC) + wasm {:.1} MB; {} elements in the \
                 document; {} tag-list requests; preview seen {:.0} ms after navigation start",
                m.js_heap / 1e6,
                m.wasm_memory / 1e6,
                m.elements,
                m.tag_lists,
                m.shown_at
            ),
        ),
        once(
            "bulk.memory_10k.to_change",
            &format!("{what}: the preview's \"change\" count"),
            0,
            Unit::Count,
            Budget::Exactly(PREVIEW_ITEMS as f64),
            m.to_change,
            "[data-testid=\"group-change\"] .bulk-count__n".into(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bulk_url_encodes_the_glob() {
        assert_eq!(
            bulk_path("bulk/**"),
            "/r/demo/-/bulk?repos=bulk%2F%2A%2A&target=tags&change=lock"
        );
        assert_eq!(
            bulk_path("scale/many-tags"),
            "/r/demo/-/bulk?repos=scale%2Fmany-tags&target=tags&change=lock"
        );
    }

    #[test]
    fn progress_lines_are_read() {
        assert_eq!(parse_progress("1,000 done · 0 failed · 0 remaining"), Some((1000.0, 0.0, 0.0)));
        assert_eq!(
            parse_progress("12 done · 1 failed · 287 remaining · 3.4 a second · about 1 min left"),
            Some((12.0, 1.0, 287.0))
        );
        assert_eq!(parse_progress("Preview"), None);
    }

    #[test]
    fn the_audit_finds_missing_doubled_and_stray_changes() {
        let expected = expected_targets(1);
        assert_eq!(expected.len(), TAGS_PER_REPOSITORY);
        assert!(expected.contains("bulk/repo-00:1.0.99"));
        let mut changes: HashMap<String, u64> = expected.iter().map(|t| (t.clone(), 1)).collect();
        assert_eq!(Audit::of(&changes, &expected).not_once(), 0);
        changes.remove("bulk/repo-00:1.0.0");
        changes.insert("bulk/repo-00:1.0.1".into(), 2);
        changes.insert("bulk/repo-01:1.0.1".into(), 1);
        let a = Audit::of(&changes, &expected);
        assert_eq!((a.missing, a.twice, a.outside, a.most), (1, 1, 1, 2));
        assert_eq!(a.not_once(), 3);
    }

    #[test]
    fn the_seed_has_one_tagged_image_per_tag() {
        let s = seed(2);
        let repos = s["repositories"].as_array().unwrap();
        assert_eq!(repos.len(), 2);
        assert_eq!(repos[1]["name"], "bulk/repo-01");
        let images = repos[0]["images"].as_array().unwrap();
        assert_eq!(images.len(), TAGS_PER_REPOSITORY);
        assert_eq!(images[99]["tags"][0], "1.0.99");
        assert_eq!(images[99]["pushed"], "2026-01-01T01:39:00Z");
    }

    #[test]
    fn the_emulator_loads_the_seed_files() {
        let dir = std::env::temp_dir().join(format!("acr-bench-seed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = write_seed(&dir, REPOSITORIES).unwrap();
        assert!(path.ends_with("seed-1000.json"));
        let loaded = acr_emulator::seed::load(&path);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(loaded.is_ok(), "{:?}", loaded.err());
    }
}
