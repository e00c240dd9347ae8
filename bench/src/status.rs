//! The status-page figures, measured once per benchmark invocation, each scenario in its own fresh
//! emulator and browser session: the scan of `status/**` (1,000 repositories of 20 tags each)
//! with 50 ms added latency (registry requests by kind, token requests, navigation to "As of"
//! shown against the ideal paced time, the first bar painted, the totals shown), and the scan
//! of `scale/**`, which holds `scale/many-tags` with 100,000 tags, with no added latency (memory
//! once done and the most seen while it ran, keystroke to paint in the header's lookup box while
//! it runs, the scan's time and requests).
//!
//! Times are taken in the page, in ms after navigation start: a script installed before the
//! page's own (CDP `Page.addScriptToEvaluateOnNewDocument`) records `performance.now()` in the
//! first animation frame in which `[data-testid="status-as-of"]` reads "As of HH:MM", times each
//! keystroke from its `keydown` event's `timeStamp` through the next animation frame to a zero
//! timeout (the update painted), and collects long tasks; the console's own `status:first-bar`
//! and `status:complete` marks are read beside them. Request counts come from the emulator's
//! counters and, split by kind and timed, from the page's Resource Timing.

use crate::{
    browser::{cdp, eval, Chromedriver},
    bulk::{once, poll, Session},
    journeys::{self, number},
    paced_ideal_ms,
    report::{Budget, Figure, Stat, Unit},
    stats, CONCURRENCY, PACE_SLACK, REPOSITORIES_PER_TOKEN, SLOW,
};
use acr_emulator::{seed::Generate, Config, DataSource, Faults};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// Repositories of the scan seed (`status/repo-0000` …).
pub const REPOSITORIES: usize = 1_000;
/// Tags (one single-platform image each) per seeded repository.
pub const TAGS_PER_REPOSITORY: usize = 20;
/// The scope of the 1,000-repository scan: a glob, so the catalog is read and filtered.
pub const SCOPE: &str = "status/**";
/// Tags of `scale/many-tags` in the large scan.
pub const MANY_TAGS: usize = 100_000;
/// The scope of the large scan (the generator's registry holds only `scale/many-tags`).
pub const MANY_TAGS_SCOPE: &str = "scale/**";
/// Registry requests per repository: its attributes, its tag list and its manifest list.
const PER_REPOSITORY: usize = 3;
/// Bars the page draws at first (`BARS_SHOWN` in `src/pages/status.rs`).
const BARS_SHOWN: usize = 100;
/// Navigation start to the first bar painted, ms.
const FIRST_BAR_BUDGET_MS: f64 = 1_000.0;
/// JS heap + wasm memory once the 100,000 tags are scanned, bytes.
const MEMORY_BUDGET: f64 = 150e6;
/// A keystroke to its update painted while the scan runs, p95, ms.
const INPUT_BUDGET_MS: f64 = 50.0;
/// Fewest keystrokes during the scan that make the p95 worth anything.
const MIN_INPUTS: usize = 20;
/// Pause between keystrokes.
const KEY_EVERY: Duration = Duration::from_millis(100);
/// Keystrokes between looks at whether the scan is done (and at the memory).
const KEYS_PER_LOOK: usize = 5;
/// Longest the typing goes on before the benchmark gives up on the scan.
const TYPING_TIMEOUT: Duration = Duration::from_secs(400);
/// What is typed into the lookup box, over and over (no character needs Shift: one keydown a
/// key).
const TYPED: &str = "scale/many-tags/build-4242 ";

/// Every status figure; the seed file goes to `<out>/status/`.
pub async fn figures(
    driver: &mut Chromedriver,
    dist: &Path,
    out: &Path,
) -> Result<Vec<Figure>, String> {
    let dir = out.join("status");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let seed = write_seed(&dir)?;
    let mut figures = Vec::new();

    eprintln!(
        "acr-bench: status: scanning {REPOSITORIES} repositories × {TAGS_PER_REPOSITORY} tags \
         with {SLOW} ms added latency…"
    );
    let config = Config {
        console_dir: Some(dist.to_owned()),
        data: DataSource::SeedFile(seed),
        faults: Faults { latency: Duration::from_millis(SLOW), ..Faults::default() },
        ..Config::default()
    };
    let scan = run_scan(driver, config, SCOPE, false).await?;
    complain_if_incomplete(&scan, (REPOSITORIES * TAGS_PER_REPOSITORY) as f64, REPOSITORIES);
    figures.extend(scan_figures(&scan));

    eprintln!("acr-bench: status: scanning {MANY_TAGS} tags while typing…");
    let config = Config {
        console_dir: Some(dist.to_owned()),
        data: DataSource::Generate(Generate { repos: 0, tags: MANY_TAGS }),
        ..Config::default()
    };
    let scan = run_scan(driver, config, MANY_TAGS_SCOPE, true).await?;
    complain_if_incomplete(&scan, MANY_TAGS as f64, 1);
    figures.extend(many_tags_figures(&scan));
    Ok(figures)
}

/// `status/repo-NNNN`, the `r`-th seeded repository.
fn repository(r: usize) -> String {
    format!("status/repo-{r:04}")
}

/// The seed file's JSON: [`REPOSITORIES`] repositories, each with [`TAGS_PER_REPOSITORY`]
/// single-platform images tagged `1.0.<i>`, pushed a minute apart.
fn seed() -> Value {
    let repositories: Vec<Value> = (0..REPOSITORIES)
        .map(|r| {
            let images: Vec<Value> = (0..TAGS_PER_REPOSITORY)
                .map(|i| {
                    let pushed = format!("2026-01-{:02}T{:02}:{i:02}:00Z", 1 + r % 28, r % 24);
                    let tags = [format!("1.0.{i}")];
                    json!({ "tags": tags, "platforms": ["linux/amd64"], "pushed": pushed })
                })
                .collect();
            json!({ "name": repository(r), "images": images })
        })
        .collect();
    json!({ "repositories": repositories })
}

/// Writes [`seed`] as `<dir>/seed-status.json`; returns its path.
fn write_seed(dir: &Path) -> Result<PathBuf, String> {
    let path = dir.join("seed-status.json");
    let text = serde_json::to_string(&seed()).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The status page's path for `scope`, percent-encoded as the console's own links do (`/` and
/// `*` included).
fn status_path(scope: &str) -> String {
    let mut enc = String::new();
    for b in scope.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            enc.push(char::from(b));
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    format!("/r/demo/-/status?scope={enc}")
}

/// Runs in every document of the session before the page's scripts: `window.__status.asOf`,
/// `performance.now()` in the first animation frame showing "As of HH:MM"; `keys`, each
/// keystroke as `[keydown timeStamp, its update painted]` (the next animation frame, then a zero
/// timeout); `long`, the long tasks as `[start, duration]`; `events`, the Event Timing entries of
/// interactions that took 16 ms or more as `[interactionId, start, duration]`.
const STATUS_SHIM: &str = r#"(() => {
  if (window.__status) return;
  const s = window.__status = { asOf: null, keys: [], long: [], events: [] };
  const watch = () => {
    const a = document.querySelector('[data-testid="status-as-of"]');
    if (a && /As of \d/.test(a.textContent)) { s.asOf = performance.now(); return; }
    requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
  addEventListener('keydown', e => {
    const at = e.timeStamp;
    requestAnimationFrame(() => setTimeout(() => s.keys.push([at, performance.now()]), 0));
  }, { capture: true });
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) s.long.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) {
        if (e.interactionId) s.events.push([e.interactionId, e.startTime, e.duration]);
      }
    }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  } catch (_) {}
})();"#;

/// What a request was for, by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A page of the catalog (`/acr/v1/_catalog`).
    Catalog,
    /// A repository's attributes (`/acr/v1/<repo>`).
    Attributes,
    /// A page of a tag list (`/acr/v1/<repo>/_tags`).
    TagList,
    /// A page of a manifest list (`/acr/v1/<repo>/_manifests`).
    ManifestList,
    /// Any other registry request (`/acr/v1/…`, `/v2/…`).
    OtherRegistry,
    /// `/oauth2/token`.
    Token,
    /// `/oauth2/exchange`.
    Exchange,
    /// The console's own files and anything else.
    NotRegistry,
}

impl Kind {
    fn of(path: &str) -> Self {
        if path.ends_with("/oauth2/token") {
            return Self::Token;
        }
        if path.ends_with("/oauth2/exchange") {
            return Self::Exchange;
        }
        match path.split_once("/acr/v1/") {
            Some((_, "_catalog")) => Self::Catalog,
            Some((_, rest)) if rest.ends_with("/_tags") => Self::TagList,
            Some((_, rest)) if rest.ends_with("/_manifests") => Self::ManifestList,
            Some((_, rest)) if !rest.is_empty() && !rest.contains('/') => Self::Attributes,
            Some(_) => Self::OtherRegistry,
            None if path.contains("/v2/") => Self::OtherRegistry,
            None => Self::NotRegistry,
        }
    }

    /// Whether the emulator counts it and adds its latency.
    fn to_emulator(self) -> bool {
        self != Self::NotRegistry
    }
}

/// One request of the page (Resource Timing).
#[derive(Debug, Clone, PartialEq)]
struct Request {
    kind: Kind,
    path: String,
    /// `startTime`, `responseStart` and `responseEnd`, ms after navigation start.
    start: f64,
    first_byte: f64,
    end: f64,
}

/// `(mean requests in flight, share of the time fewer than `c` were in flight)` between
/// `from` and `to`, of requests spanning `(start, end)`; `(0, 0)` for an empty window.
fn in_flight(spans: &[(f64, f64)], c: usize, (from, to): (f64, f64)) -> (f64, f64) {
    if to <= from {
        return (0.0, 0.0);
    }
    let mut edges: Vec<(f64, i32)> = spans
        .iter()
        .map(|&(s, e)| (s.max(from), e.min(to)))
        .filter(|(s, e)| s < e)
        .flat_map(|(s, e)| [(s, 1), (e, -1)])
        .chain([(to, 0)])
        .collect();
    // At the same moment an end comes before a start: a request that follows another
    // immediately does not make one more in flight.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut level, mut at, mut area, mut below) = (0i32, from, 0.0, 0.0);
    for (t, step) in edges {
        let dt = t - at;
        area += f64::from(level) * dt;
        if usize::try_from(level).unwrap_or(0) < c {
            below += dt;
        }
        level += step;
        at = t;
    }
    (area / (to - from), below / (to - from))
}

/// What the page showed once the scan was done.
#[derive(Debug, Clone, Default)]
struct Shown {
    /// The sum of the tag totals (`[data-testid^="total-tags-"]`).
    tags: f64,
    /// The repositories counted (`total-repositories-locked`: "0 of 1,000 repositories …").
    repositories: f64,
    /// Bars drawn (`[data-testid="coverage-bars"] > li`).
    bars: f64,
    /// Rows of the figures' table (every repository).
    table_rows: f64,
    /// Whether the page lists repositories it could not read.
    unread: bool,
    /// The "As of" line.
    as_of: String,
    /// Elements in the document.
    elements: f64,
}

/// One scan of the status page.
#[derive(Debug, Clone, Default)]
struct Scan {
    latency: u64,
    /// ms after navigation start: the first bar painted (`status:first-bar`), "As of" shown
    /// (the page's watcher) and `status:complete`.
    first_bar: f64,
    as_of: f64,
    complete: f64,
    /// The first registry request's start, ms after navigation start.
    scan_start: f64,
    /// Every request of the page load (Resource Timing).
    requests: Vec<Request>,
    /// The emulator's counters since the reset before the page load.
    registry: f64,
    token: f64,
    exchange: f64,
    /// Long tasks (≥ 50 ms) between the scan's start and "As of": `(start, duration)`, ms.
    long_tasks: Vec<(f64, f64)>,
    shown: Shown,
    /// While typing: each keystroke before "As of", keydown to its update painted, ms.
    inputs: Vec<f64>,
    /// Keystrokes in all, and those after "As of" (not counted).
    keys_typed: usize,
    keys_after: usize,
    /// The same keystrokes by Event Timing: each interaction's longest event (to the next
    /// paint, in 8 ms steps), those under 16 ms (not reported) counted as 16 ms.
    event_timing: Vec<f64>,
    /// Interactions Event Timing reported (16 ms or more).
    slow_interactions: usize,
    /// JS heap (after a forced GC) and wasm memory once done, bytes.
    js_heap: f64,
    wasm_memory: f64,
    /// What the driver saw while typing, every [`KEYS_PER_LOOK`] keys.
    looks: Vec<Look>,
}

/// The memory and progress at one moment of the scan.
#[derive(Debug, Clone, Default)]
struct Look {
    /// JS heap in use (no GC) and wasm memory, bytes.
    js_heap: f64,
    wasm: f64,
    /// Pages of tag and manifest lists received so far (Resource Timing).
    list_pages: f64,
    /// `[data-testid="status-progress"]` (empty once done).
    progress: String,
}

impl Scan {
    fn count(&self, kind: Kind) -> f64 {
        self.requests.iter().filter(|r| r.kind == kind).count() as f64
    }

    /// Attribute, tag-list and manifest-list requests.
    fn per_repository(&self) -> f64 {
        self.count(Kind::Attributes) + self.count(Kind::TagList) + self.count(Kind::ManifestList)
    }

    /// Requests the emulator answered with its added latency (registry and token).
    fn to_emulator(&self) -> f64 {
        self.registry + self.token + self.exchange
    }

    /// `(mean in flight, share below CONCURRENCY)` of the registry and token requests from the
    /// scan's start to "As of", and the mean in flight in each quarter of that time.
    fn concurrency(&self) -> ((f64, f64), [f64; 4]) {
        let spans: Vec<(f64, f64)> = self
            .requests
            .iter()
            .filter(|r| r.kind.to_emulator())
            .map(|r| (r.start, r.end))
            .collect();
        let quarter = (self.as_of - self.scan_start) / 4.0;
        let at = |q: usize| self.scan_start + quarter * q as f64;
        (
            in_flight(&spans, CONCURRENCY, (self.scan_start, self.as_of)),
            [0, 1, 2, 3].map(|q| in_flight(&spans, CONCURRENCY, (at(q), at(q + 1))).0),
        )
    }

    /// Registry paths that are none of the expected kinds (a few).
    fn others(&self) -> Vec<&str> {
        self.requests
            .iter()
            .filter(|r| r.kind == Kind::OtherRegistry)
            .map(|r| r.path.as_str())
            .take(3)
            .collect()
    }

    /// The request split, for notes.
    fn split(&self) -> String {
        format!(
            "catalog {}, attributes {}, tag lists {}, manifest lists {}, other {}; tokens {} + \
             exchange {}",
            self.count(Kind::Catalog),
            self.count(Kind::Attributes),
            self.count(Kind::TagList),
            self.count(Kind::ManifestList),
            self.count(Kind::OtherRegistry),
            self.count(Kind::Token),
            self.count(Kind::Exchange)
        )
    }

    /// The long tasks during the scan: how many, their time in all, the longest, and their time
    /// in each quarter of the scan (work that grows as the page holds more shows there).
    fn long_tasks(&self) -> String {
        let l = &self.long_tasks;
        let sum = l.iter().map(|t| t.1).fold(0.0, |a, b| a + b);
        let most = l.iter().map(|t| t.1).fold(0.0, f64::max);
        let quarter = (self.as_of - self.scan_start) / 4.0;
        let by_quarter: Vec<String> = (0..4)
            .map(|q| {
                let from = self.scan_start + quarter * f64::from(q);
                let ms = l
                    .iter()
                    .filter(|t| t.0 >= from && (t.0 < from + quarter || q == 3))
                    .fold(0.0, |a, t| a + t.1);
                format!("{ms:.0}")
            })
            .collect();
        format!(
            "{} long tasks during the scan, {sum:.0} ms in all (by quarter of the scan: {} ms), \
             longest {most:.0} ms",
            l.len(),
            by_quarter.join(" / ")
        )
    }

    /// Token requests after the scan's start: how many and their time in all (the scan waits
    /// for each before it starts more reads).
    fn scan_tokens(&self) -> (usize, f64) {
        let t: Vec<&Request> = self
            .requests
            .iter()
            .filter(|r| r.kind == Kind::Token && r.start >= self.scan_start)
            .collect();
        (t.len(), t.iter().map(|r| r.end - r.start).sum())
    }

    /// For the pages of the tag and manifest lists: the mean wait for the first byte, the mean
    /// body time, and the mean time from one page's end to the next page's request of the same
    /// list (the console's handling), ms.
    fn list_pages(&self) -> (f64, f64, f64) {
        let mut wait = Vec::new();
        let mut body = Vec::new();
        let mut gaps = Vec::new();
        for kind in [Kind::TagList, Kind::ManifestList] {
            let mut pages: Vec<&Request> =
                self.requests.iter().filter(|r| r.kind == kind).collect();
            pages.sort_by(|a, b| a.start.total_cmp(&b.start));
            wait.extend(pages.iter().map(|r| r.first_byte - r.start));
            body.extend(pages.iter().map(|r| r.end - r.first_byte));
            gaps.extend(pages.windows(2).map(|w| w[1].start - w[0].end));
        }
        let mean =
            |v: &[f64]| if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
        (mean(&wait), mean(&body), mean(&gaps))
    }
}

/// Says on stderr, plainly, when the page does not show everything the registry holds (the
/// figures of the totals then fail their exact budgets).
fn complain_if_incomplete(scan: &Scan, tags: f64, repositories: usize) {
    let s = &scan.shown;
    let cancelled = s.as_of.contains("cancelled");
    if s.tags != tags || s.repositories != repositories as f64 || s.unread || cancelled {
        eprintln!(
            "acr-bench: status: the scan did not read everything: {} of {tags} tags and {} of \
             {repositories} repositories shown{}; {:?}",
            s.tags,
            s.repositories,
            if s.unread { ", some listed as not read" } else { "" },
            s.as_of
        );
    }
}

/// Seeds a fresh emulator with `config`, signs in, opens the status page of `scope` afresh and
/// waits for "As of" (typing into the lookup box meanwhile when `typing`), then reads the
/// figures.
async fn run_scan(
    driver: &mut Chromedriver,
    config: Config,
    scope: &str,
    typing: bool,
) -> Result<Scan, String> {
    let latency = config.faults.latency.as_millis() as u64;
    let s = Session::open(driver, config).await?;
    let result = async {
        cdp(&s.client, "Page.addScriptToEvaluateOnNewDocument", json!({ "source": STATUS_SHIM }))
            .await
            .map_err(|e| format!("cannot install the status shim: {e}"))?;
        let url = format!("{}{}", s.base, status_path(scope));
        journeys::fresh_load(&s.client, &s.emulator, &url).await?;
        let mut scan = Scan { latency, ..Scan::default() };
        if typing {
            type_while_scanning(&s.client, &mut scan).await?;
        } else {
            poll(&s.client, "the status scan's \"As of\"", "window.__status.asOf").await?;
        }
        read_scan(&s, &mut scan).await?;
        if typing {
            (scan.js_heap, scan.wasm_memory) = journeys::memory(&s.client).await?;
        }
        Ok(scan)
    }
    .await;
    s.close().await;
    result
}

/// Whether "As of" is shown, and the memory and progress now.
async fn look(client: &Client) -> Result<(bool, Look), String> {
    let heap = cdp(client, "Runtime.getHeapUsage", json!({})).await.map_err(|e| e.to_string())?;
    let v = eval(
        client,
        "[window.__status.asOf !== null, \
          (window.__bench && window.__bench.wasm && window.__bench.wasm.memory) \
            ? window.__bench.wasm.memory.buffer.byteLength : 0, \
          performance.getEntriesByType('resource') \
            .filter(e => /\\/_(tags|manifests)$/.test(new URL(e.name).pathname)).length, \
          (document.querySelector('[data-testid=\"status-progress\"]') || {}).textContent || '']",
    )
    .await?;
    let look = Look {
        js_heap: number(&heap["usedSize"], "JS heap")?,
        wasm: number(&v[1], "wasm memory")?,
        list_pages: number(&v[2], "list pages")?,
        progress: v[3].as_str().unwrap_or_default().trim().to_owned(),
    };
    Ok((v[0] == Value::Bool(true), look))
}

/// Types [`TYPED`] over and over into the header's lookup box, a key every [`KEY_EVERY`], until
/// the page shows "As of"; looks at the memory every [`KEYS_PER_LOOK`] keys.
async fn type_while_scanning(client: &Client, scan: &mut Scan) -> Result<(), String> {
    let wait = client.wait().at_most(journeys::PAGE_TIMEOUT);
    let input = wait
        .for_element(Locator::Css("#lookup-input"))
        .await
        .map_err(|e| format!("the lookup box: {e}"))?;
    input.click().await.map_err(|e| format!("focusing the lookup box: {e}"))?;
    let deadline = Instant::now() + TYPING_TIMEOUT;
    for (i, key) in TYPED.chars().cycle().enumerate() {
        if i % KEYS_PER_LOOK == 0 {
            let (done, now) = look(client).await?;
            scan.looks.push(now);
            if done {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("the scan was not done after {TYPING_TIMEOUT:?} of typing"));
            }
        }
        input.send_keys(&key.to_string()).await.map_err(|e| format!("typing {key:?}: {e}"))?;
        scan.keys_typed += 1;
        tokio::time::sleep(KEY_EVERY).await;
    }
    // The last keystrokes' updates are painted within a frame or two.
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(())
}

/// Reads the marks, requests, long tasks, keystrokes and what the page shows into `scan`.
async fn read_scan(s: &Session, scan: &mut Scan) -> Result<(), String> {
    let v = eval(
        &s.client,
        "(() => { const t = n => (performance.getEntriesByName(n)[0] || {}).startTime ?? null; \
           const st = window.__status; \
           return { firstBar: t('status:first-bar'), complete: t('status:complete'), \
             asOf: st.asOf, keys: st.keys, long: st.long, events: st.events, \
             requests: performance.getEntriesByType('resource') \
               .map(e => [new URL(e.name).pathname, e.startTime, e.responseStart, \
                 e.responseEnd]) }; })()",
    )
    .await?;
    scan.first_bar = number(&v["firstBar"], "status:first-bar")?;
    scan.complete = number(&v["complete"], "status:complete")?;
    scan.as_of = number(&v["asOf"], "\"As of\" shown")?;
    for r in v["requests"].as_array().into_iter().flatten() {
        let path = r[0].as_str().unwrap_or_default().to_owned();
        scan.requests.push(Request {
            kind: Kind::of(&path),
            path,
            start: number(&r[1], "request start")?,
            first_byte: number(&r[2], "response start")?,
            end: number(&r[3], "request end")?,
        });
    }
    scan.scan_start = scan
        .requests
        .iter()
        .filter(|r| r.kind.to_emulator() && !matches!(r.kind, Kind::Token | Kind::Exchange))
        .map(|r| r.start)
        .min_by(f64::total_cmp)
        .ok_or("the status page made no registry request")?;
    let during = |t: f64| t >= scan.scan_start && t <= scan.as_of;
    scan.long_tasks = pairs(&v["long"])?.into_iter().filter(|l| during(l.0)).collect();
    let keys = pairs(&v["keys"])?;
    scan.keys_after = keys.iter().filter(|k| k.0 > scan.as_of).count();
    scan.inputs = keys.iter().filter(|k| k.0 <= scan.as_of).map(|k| k.1 - k.0).collect();
    // Event Timing: each interaction's longest event, for those that started before "As of".
    let mut interactions: HashMap<u64, (f64, f64)> = HashMap::new();
    for e in v["events"].as_array().into_iter().flatten() {
        let id = e[0].as_u64().ok_or("an interactionId")?;
        let (start, duration) = (number(&e[1], "event start")?, number(&e[2], "event duration")?);
        let i = interactions.entry(id).or_insert((start, duration));
        *i = (i.0.min(start), i.1.max(duration));
    }
    let slow: Vec<f64> = interactions.values().filter(|i| i.0 <= scan.as_of).map(|i| i.1).collect();
    scan.slow_interactions = slow.len();
    scan.event_timing = slow;
    scan.event_timing.resize(scan.inputs.len().max(scan.slow_interactions), 16.0);
    scan.registry = s.stat("registry");
    scan.token = s.stat("token");
    scan.exchange = s.stat("exchange");
    scan.shown = shown(&s.client).await?;
    Ok(())
}

/// `[[a, b], …]` as pairs of numbers.
fn pairs(v: &Value) -> Result<Vec<(f64, f64)>, String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|p| Ok((number(&p[0], "a time")?, number(&p[1], "a time")?)))
        .collect()
}

/// What the page shows once the scan is done.
async fn shown(client: &Client) -> Result<Shown, String> {
    let v = eval(
        client,
        "(() => { const n = t => Number(String(t || '').replace(/[^0-9]/g, '')); \
           const text = sel => ((document.querySelector(sel) || {}).textContent || '').trim(); \
           const repos = text('[data-testid=\"total-repositories-locked\"]') \
             .match(/of ([0-9,]+) repositor/); \
           return { \
             tags: [...document.querySelectorAll('[data-testid^=\"total-tags-\"] .bulk-count__n')] \
               .reduce((sum, e) => sum + n(e.textContent), 0), \
             repositories: repos ? n(repos[1]) : 0, \
             bars: document.querySelectorAll('[data-testid=\"coverage-bars\"] > li').length, \
             rows: document.querySelectorAll('[data-testid=\"coverage-table\"] tbody tr').length, \
             unread: !!document.querySelector('[data-testid=\"status-unread\"]'), \
             asOf: text('[data-testid=\"status-as-of\"]'), \
             elements: document.getElementsByTagName('*').length }; })()",
    )
    .await?;
    Ok(Shown {
        tags: number(&v["tags"], "tags shown")?,
        repositories: number(&v["repositories"], "repositories shown")?,
        bars: number(&v["bars"], "bars")?,
        table_rows: number(&v["rows"], "table rows")?,
        unread: v["unread"].as_bool().unwrap_or_default(),
        as_of: v["asOf"].as_str().unwrap_or_default().to_owned(),
        elements: number(&v["elements"], "elements")?,
    })
}

/// The totals shown against what the registry holds (`tags` in `repositories`):
/// `[tags, repositories, bars]` figures.
fn shown_figures(
    scan: &Scan,
    what: &str,
    ids: [&'static str; 3],
    (tags, repositories): (usize, usize),
) -> Vec<Figure> {
    let s = &scan.shown;
    let l = scan.latency;
    let unread = if s.unread { "; the page lists repositories it could not read" } else { "" };
    vec![
        once(
            ids[0],
            &format!("{what}: tags shown in the totals"),
            l,
            Unit::Count,
            Budget::Exactly(tags as f64),
            s.tags,
            format!("sum of [data-testid^=\"total-tags-\"]; {:?}{unread}", s.as_of),
        ),
        once(
            ids[1],
            &format!("{what}: repositories counted"),
            l,
            Unit::Count,
            Budget::Exactly(repositories as f64),
            s.repositories,
            format!(
                "[data-testid=\"total-repositories-locked\"]; the figures' table has {} rows",
                s.table_rows
            ),
        ),
        once(
            ids[2],
            &format!("{what}: bars drawn"),
            l,
            Unit::Count,
            Budget::Exactly(repositories.min(BARS_SHOWN) as f64),
            s.bars,
            format!("[data-testid=\"coverage-bars\"] > li (the first {BARS_SHOWN})"),
        ),
    ]
}

/// Figures of the 1,000-repository scan.
fn scan_figures(scan: &Scan) -> Vec<Figure> {
    let what = "10. status scan, 1,000 repositories × 20 tags";
    let l = scan.latency;
    let requests = scan.to_emulator();
    let ideal = paced_ideal_ms(requests, l);
    let ((mean, below), by_quarter) = scan.concurrency();
    let tokens = (REPOSITORIES.div_ceil(REPOSITORIES_PER_TOKEN) + 2) as f64;
    let mut out = vec![
        once(
            "status.scan.per_repository_requests",
            &format!("{what}: attribute + tag-list + manifest-list requests"),
            l,
            Unit::Count,
            Budget::AtMost((PER_REPOSITORY * REPOSITORIES) as f64),
            scan.per_repository(),
            format!(
                "Resource Timing: {}; emulator's registry counter {}; budget {PER_REPOSITORY} \
                 per repository",
                scan.split(),
                scan.registry
            ),
        ),
        once(
            "status.scan.catalog_pages",
            &format!("{what}: catalog pages"),
            l,
            Unit::Count,
            Budget::AtMost(REPOSITORIES.div_ceil(crate::PAGE) as f64),
            scan.count(Kind::Catalog),
            format!(
                "scope {SCOPE:?} (a glob: the catalog is read, {} a page, and filtered)",
                crate::PAGE
            ),
        ),
    ];
    let mut f = Figure::new(
        "status.scan.other_requests",
        &format!("{what}: other registry requests"),
        Some(l),
        Unit::Count,
        Stat::Once,
    );
    f.samples = vec![scan.count(Kind::OtherRegistry)];
    f.note = format!("Resource Timing; e.g. {:?}", scan.others());
    out.push(f);
    for (id, label, n, note) in [
        (
            "status.scan.token",
            "/oauth2/token requests",
            scan.token,
            format!("emulator; Resource Timing {}", scan.count(Kind::Token)),
        ),
        (
            "status.scan.exchange",
            "/oauth2/exchange requests",
            scan.exchange,
            format!("emulator; Resource Timing {}", scan.count(Kind::Exchange)),
        ),
    ] {
        let mut f = Figure::new(id, &format!("{what}: {label}"), Some(l), Unit::Count, Stat::Once);
        f.samples = vec![n];
        f.note = note;
        out.push(f);
    }
    out.push(once(
        "status.scan.token_requests",
        &format!("{what}: token requests (token + exchange)"),
        l,
        Unit::Count,
        Budget::AtMost(tokens),
        scan.token + scan.exchange,
        format!(
            "emulator, from the page load to \"As of\"; budget 1 per {REPOSITORIES_PER_TOKEN} \
             repositories + 2 = {tokens}"
        ),
    ));
    out.push(once(
        "status.scan.as_of",
        &format!("{what}: navigation → \"As of\" shown"),
        l,
        Unit::Ms,
        Budget::AtMost(PACE_SLACK * ideal),
        scan.as_of,
        format!(
            "in the page (first frame showing \"As of HH:MM\"); {:.0} ms from the first registry \
             request; status:complete {:.0} ms; budget {PACE_SLACK} × ideal; {mean:.2} requests \
             in flight on average (registry and token, Resource Timing; by quarter of the scan: \
             {}), fewer than {CONCURRENCY} {:.0} % of the time; {} token requests during the \
             scan took {:.0} ms in all; {}",
            scan.as_of - scan.scan_start,
            scan.complete,
            by_quarter.map(|m| format!("{m:.2}")).join(" / "),
            below * 100.0,
            scan.scan_tokens().0,
            scan.scan_tokens().1,
            scan.long_tasks()
        ),
    ));
    let mut f = Figure::new(
        "status.scan.ideal",
        &format!("{what}: ideal (requests × {l} ms / {CONCURRENCY})"),
        Some(l),
        Unit::Ms,
        Stat::Once,
    );
    f.samples = vec![ideal];
    f.note = format!(
        "{requests} requests the emulator answered (registry {} + token {} + exchange {}), \
         {CONCURRENCY} in flight (the client's limit)",
        scan.registry, scan.token, scan.exchange
    );
    out.push(f);
    out.push(once(
        "status.scan.first_bar",
        &format!("{what}: first bar painted"),
        l,
        Unit::Ms,
        Budget::AtMost(FIRST_BAR_BUDGET_MS),
        scan.first_bar,
        format!(
            "status:first-bar, ms after navigation start; {:.0} ms after the first registry \
             request",
            scan.first_bar - scan.scan_start
        ),
    ));
    out.extend(shown_figures(
        scan,
        what,
        ["status.scan.tags_shown", "status.scan.repositories_shown", "status.scan.bars"],
        (REPOSITORIES * TAGS_PER_REPOSITORY, REPOSITORIES),
    ));
    out
}

/// Figures of the 100,000-tag scan.
fn many_tags_figures(scan: &Scan) -> Vec<Figure> {
    let what = "11. status scan, 100,000 tags";
    let l = scan.latency;
    let mut out = vec![once(
        "status.many.memory",
        &format!("{what}: JS heap + wasm memory, done"),
        l,
        Unit::Megabytes,
        Budget::Below(MEMORY_BUDGET),
        scan.js_heap + scan.wasm_memory,
        format!(
            "JS heap {:.1} MB (after a forced GC) + wasm {:.1} MB once \"As of\" is shown; {} \
             elements in the document",
            scan.js_heap / 1e6,
            scan.wasm_memory / 1e6,
            scan.shown.elements
        ),
    )];
    let mut f = Figure::new(
        "status.many.memory_peak",
        &format!("{what}: JS heap + wasm memory, most seen while scanning"),
        Some(l),
        Unit::Megabytes,
        Stat::Once,
    );
    f.samples = vec![scan.looks.iter().map(|m| m.js_heap + m.wasm).fold(0.0, f64::max)];
    let none = Look::default();
    let first = scan.looks.first().unwrap_or(&none);
    let reading = scan.looks.iter().rev().find(|m| !m.progress.is_empty()).unwrap_or(first);
    let items = reading.list_pages * crate::PAGE as f64;
    f.note = format!(
        "JS heap in use (no GC: garbage included) + wasm, looked at {} times, every \
         {KEYS_PER_LOOK} keystrokes; wasm {:.1} MB at the first look, {:.1} MB at the last look \
         while reading (about {items} items received, {} list pages: {:.0} bytes an item), \
         {:.1} MB once done; the progress line then: {:?}",
        scan.looks.len(),
        first.wasm / 1e6,
        reading.wasm / 1e6,
        reading.list_pages,
        if items > 0.0 { (reading.wasm - first.wasm) / items } else { 0.0 },
        scan.wasm_memory / 1e6,
        reading.progress
    );
    out.push(f);
    let mut f = Figure::new(
        "status.many.input",
        &format!("{what}: keystroke → update painted, while scanning"),
        Some(l),
        Unit::Ms,
        Stat::P95,
    )
    .budget(Budget::Below(INPUT_BUDGET_MS));
    f.samples = scan.inputs.clone();
    f.note = format!(
        "#lookup-input, a key every {} ms: keydown timeStamp → next frame + zero timeout; median \
         {:.1} ms, longest {:.1} ms; {}",
        KEY_EVERY.as_millis(),
        stats::median(&scan.inputs).unwrap_or_default(),
        stats::max(&scan.inputs).unwrap_or_default(),
        scan.long_tasks()
    );
    out.push(f);
    let mut f = Figure::new(
        "status.many.input_event_timing",
        &format!("{what}: keystroke → next paint (Event Timing), while scanning"),
        Some(l),
        Unit::Ms,
        Stat::P95,
    )
    .budget(Budget::Below(INPUT_BUDGET_MS));
    f.samples = scan.event_timing.clone();
    f.note = format!(
        "the browser's own measure: each interaction's longest event, to the next paint (8 ms \
         steps); {} of {} took 16 ms or more (those under 16 ms are not reported: counted as \
         16), longest {:.0} ms",
        scan.slow_interactions,
        scan.event_timing.len(),
        stats::max(&scan.event_timing).unwrap_or_default()
    );
    out.push(f);
    out.push(once(
        "status.many.inputs",
        &format!("{what}: keystrokes measured during the scan"),
        l,
        Unit::Count,
        Budget::AtLeast(MIN_INPUTS as f64),
        scan.inputs.len() as f64,
        format!(
            "keydown before \"As of\" was shown; {} typed, {} after it (not counted)",
            scan.keys_typed, scan.keys_after
        ),
    ));
    let mut f = Figure::new(
        "status.many.scan",
        &format!("{what}: navigation → \"As of\" shown"),
        Some(l),
        Unit::Ms,
        Stat::Once,
    );
    f.samples = vec![scan.as_of];
    let (wait, body, gap) = scan.list_pages();
    f.note = format!(
        "{:.0} ms from the first registry request; first bar {:.0} ms; each list page: {wait:.0} \
         ms to the first byte (the emulator), {body:.0} ms of body, {gap:.0} ms from its end to \
         the list's next request (the console); {}",
        scan.as_of - scan.scan_start,
        scan.first_bar,
        scan.long_tasks()
    );
    out.push(f);
    let mut f = Figure::new(
        "status.many.requests",
        &format!("{what}: registry requests"),
        Some(l),
        Unit::Count,
        Stat::Once,
    );
    f.samples = vec![scan.registry];
    f.note =
        format!("emulator's counter; Resource Timing: {}; scope {MANY_TAGS_SCOPE:?}", scan.split());
    out.push(f);
    out.extend(shown_figures(
        scan,
        what,
        ["status.many.tags_shown", "status.many.repositories_shown", "status.many.bars"],
        (MANY_TAGS, 1),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_url_encodes_the_glob() {
        assert_eq!(status_path("status/**"), "/r/demo/-/status?scope=status%2F%2A%2A");
        assert_eq!(status_path("scale/**"), "/r/demo/-/status?scope=scale%2F%2A%2A");
    }

    #[test]
    fn requests_are_sorted_by_kind() {
        assert_eq!(Kind::of("/acr/v1/_catalog"), Kind::Catalog);
        assert_eq!(Kind::of("/acr/v1/status%2Frepo-0001"), Kind::Attributes);
        assert_eq!(Kind::of("/acr/v1/status%2Frepo-0001/_tags"), Kind::TagList);
        assert_eq!(Kind::of("/acr/v1/status%2Frepo-0001/_manifests"), Kind::ManifestList);
        assert_eq!(Kind::of("/acr/v1/status%2Frepo-0001/_tags/1.0.0"), Kind::OtherRegistry);
        assert_eq!(Kind::of("/v2/status/repo-0001/manifests/1.0.0"), Kind::OtherRegistry);
        assert_eq!(Kind::of("/oauth2/token"), Kind::Token);
        assert_eq!(Kind::of("/oauth2/exchange"), Kind::Exchange);
        assert_eq!(Kind::of("/acr-console-1.wasm"), Kind::NotRegistry);
        assert!(!Kind::NotRegistry.to_emulator() && Kind::Token.to_emulator());
    }

    #[test]
    fn in_flight_is_time_weighted() {
        assert_eq!(in_flight(&[], 6, (0.0, 0.0)), (0.0, 0.0));
        assert_eq!(in_flight(&[], 6, (0.0, 10.0)), (0.0, 1.0));
        // Two requests side by side for 10 ms, then one alone for 10 ms.
        let (mean, below) = in_flight(&[(0.0, 10.0), (0.0, 20.0)], 2, (0.0, 20.0));
        assert!((mean - 1.5).abs() < 1e-9, "{mean}");
        assert!((below - 0.5).abs() < 1e-9, "{below}");
        // Back to back: never two at once.
        let (mean, below) = in_flight(&[(0.0, 10.0), (10.0, 20.0)], 1, (0.0, 20.0));
        assert!((mean - 1.0).abs() < 1e-9 && below == 0.0, "{mean} {below}");
        // Cut to the window; idle time at its end counts.
        let (mean, below) = in_flight(&[(-5.0, 10.0), (5.0, 30.0)], 2, (0.0, 20.0));
        assert!((mean - 1.25).abs() < 1e-9, "{mean}");
        assert!((below - 0.75).abs() < 1e-9, "{below}");
        let (mean, below) = in_flight(&[(0.0, 5.0)], 1, (0.0, 10.0));
        assert!((mean - 0.5).abs() < 1e-9 && (below - 0.5).abs() < 1e-9, "{mean} {below}");
    }

    #[test]
    fn the_seed_has_twenty_tagged_images_per_repository() {
        let s = seed();
        let repos = s["repositories"].as_array().unwrap();
        assert_eq!(repos.len(), REPOSITORIES);
        assert_eq!(repos[999]["name"], "status/repo-0999");
        let images = repos[0]["images"].as_array().unwrap();
        assert_eq!(images.len(), TAGS_PER_REPOSITORY);
        assert_eq!(images[19]["tags"][0], "1.0.19");
    }

    #[test]
    fn the_emulator_loads_the_seed_file() {
        let dir = std::env::temp_dir().join(format!("acr-bench-status-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = write_seed(&dir).unwrap();
        let loaded = acr_emulator::seed::load(&path);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(loaded.is_ok(), "{:?}", loaded.err());
    }
}
