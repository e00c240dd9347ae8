//! The measured journeys, each against a signed-in session: the repository list (first rows,
//! complete list, catalog requests, memory, DOM rows), filtering it key by key, the repository
//! with 5,000 tags (requests), and a lock toggle's round trip. Times are read from the
//! browser's performance timeline (the console's marks, the page shim's marks, Resource
//! Timing), relative to navigation start; request counts from the emulator's counters and
//! Resource Timing. With `ACR_BENCH_PROFILE=<file>`, the typing is recorded with the CDP
//! sampling profiler into that file (a `.cpuprofile`, overwritten by each run).

use crate::browser::{cdp, eval, wait_for};
use acr_emulator::Running;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::time::Duration;

/// Longest any one page may take to get where a journey waits for it.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(90);

/// The filter typed into the repository list, one key at a time: a prefix and team, as someone
/// looking for one team's platform services would type it.
pub const FILTER: &str = "platform/team-12";

/// The repository whose tag is locked and unlocked (from the generator's naming).
pub const LOCK_REPO: &str = "team-000/service-0000";
/// Its one tag.
pub const LOCK_TAG: &str = "1.0.0";
/// The repository with many tags.
pub const MANY_TAGS_REPO: &str = "scale/many-tags";

/// JS: the `startTime` of the `i`-th entry named `name`, or `null`.
fn entry_time(name: &str, i: usize) -> String {
    format!("((performance.getEntriesByName('{name}')[{i}] || {{}}).startTime ?? null)")
}

/// JS: how many timeline entries are named `name`.
fn entry_count(name: &str) -> String {
    format!("performance.getEntriesByName('{name}').length")
}

/// JS: how many resources were fetched whose URL contains `part`.
fn resources_with(part: &str) -> String {
    format!(
        "performance.getEntriesByType('resource').filter(e => e.name.includes('{part}')).length"
    )
}

/// `[bytes, files]`: what the document and the console's own files (not registry or token calls)
/// took from the network on this navigation.
const APP_TRANSFER: &str = "(() => { \
    const nav = performance.getEntriesByType('navigation')[0]; \
    const own = performance.getEntriesByType('resource') \
        .filter(e => /\\.(wasm|js|css|svg)$|\\/config\\.json$/.test(new URL(e.name).pathname)); \
    return [nav.transferSize + own.reduce((sum, e) => sum + e.transferSize, 0), own.length + 1]; \
})()";

/// The number `v` holds, or an error naming `what`.
pub fn number(v: &Value, what: &str) -> Result<f64, String> {
    v.as_f64().ok_or_else(|| format!("{what}: expected a number, got {v}"))
}

/// Signs in as the demo authority's `admin` (once per session) and lands on `{base}{path}`.
pub async fn sign_in(client: &Client, base: &str, path: &str) -> Result<(), String> {
    let err = |e: fantoccini::error::CmdError| format!("sign-in: {e}");
    client
        .goto(&format!("{base}/signin?return={}", path.replace('/', "%2F")))
        .await
        .map_err(err)?;
    let wait = client.wait().at_most(PAGE_TIMEOUT);
    let start = "//button[normalize-space(.)='Sign in with Microsoft']";
    wait.for_element(Locator::XPath(start)).await.map_err(err)?.click().await.map_err(err)?;
    let pick = "button[name=\"user\"][value=\"admin\"]";
    let wait = client.wait().at_most(PAGE_TIMEOUT);
    wait.for_element(Locator::Css(pick)).await.map_err(err)?.click().await.map_err(err)?;
    let signed_in = format!(
        "location.pathname === '{path}' && !!document.querySelector('[data-testid=\"account-name\"]')"
    );
    wait_for(client, "the signed-in console", &signed_in, PAGE_TIMEOUT).await?;
    Ok(())
}

/// A fresh full page load of `url` with the emulator's counters at zero: the previous page is
/// left for `about:blank` first, and the counters are reset once its last requests (still on
/// their way, or waiting out the added latency) have stopped arriving, so none is counted.
pub async fn fresh_load(client: &Client, emulator: &Running, url: &str) -> Result<(), String> {
    client.goto("about:blank").await.map_err(|e| e.to_string())?;
    let stats = &emulator.state.stats;
    let mut seen = stats.to_json();
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = stats.to_json();
        if now == seen {
            break;
        }
        seen = now;
    }
    stats.reset();
    client.goto(url).await.map_err(|e| format!("loading {url}: {e}"))
}

/// What one load of the repository list measured.
#[derive(Debug, Clone, Default)]
pub struct ListRun {
    /// `repos:first-rows`, ms after navigation start.
    pub first_rows: f64,
    /// `repos:complete`, ms after navigation start.
    pub complete: f64,
    /// `/_catalog` requests (Resource Timing).
    pub catalog_requests: f64,
    /// Bytes the page itself took from the network on this (repeat) visit: the document plus
    /// every script, wasm, stylesheet, icon and `config.json` (Resource Timing `transferSize`:
    /// 0 for what came from the browser's cache).
    pub app_transfer: f64,
    /// How many of those files were requested at all.
    pub app_files: f64,
    /// Token requests (`/oauth2/exchange` + `/oauth2/token`, the emulator's counters).
    pub token_requests: f64,
    /// Used JS heap after a garbage collection, bytes.
    pub js_heap: f64,
    /// The wasm linear memory, bytes.
    pub wasm_memory: f64,
    /// List rows in the DOM with everything loaded and no filter.
    pub dom_rows: f64,
    /// How many rows the visible part of the list holds.
    pub viewport_rows: f64,
    /// The list's status line once complete (e.g. "10,000 repositories").
    pub status: String,
    /// Each keystroke's update: `bench:input` to the matching `filter:applied`, ms.
    pub keystrokes: Vec<f64>,
    /// List rows in the DOM once the whole filter is typed.
    pub dom_rows_filtered: f64,
    /// What `filter:applied` costs when nothing changes: from a moment at random within a
    /// frame, through the next animation frame and paint to a zero timeout, ms (several).
    pub paint_floor: Vec<f64>,
}

/// Samples the least time any "update painted" mark can take here: at 20 random moments,
/// nothing changes, and the mark's own path (animation frame, paint, zero timeout) is timed.
async fn paint_floor(client: &Client) -> Result<Vec<f64>, String> {
    let script = "const done = arguments[arguments.length - 1]; const out = []; \
        const one = () => { if (out.length === 20) return done(out); \
          setTimeout(() => { const t0 = performance.now(); \
            requestAnimationFrame(() => setTimeout(() => { \
              out.push(performance.now() - t0); one(); }, 0)); }, Math.random() * 17); }; \
        one();";
    let v = client.execute_async(script, vec![]).await.map_err(|e| format!("paint floor: {e}"))?;
    Ok(v.as_array().into_iter().flatten().filter_map(Value::as_f64).collect())
}

/// Loads the repository list afresh, waits for it to complete, reads the marks, requests,
/// memory and DOM rows, then types [`FILTER`] one key at a time and times each update.
pub async fn repository_list(
    client: &Client,
    emulator: &Running,
    base: &str,
) -> Result<ListRun, String> {
    fresh_load(client, emulator, &format!("{base}/r/demo")).await?;
    let done = format!("{} > 0", entry_count("repos:complete"));
    wait_for(client, "the complete repository list", &done, PAGE_TIMEOUT).await?;
    let marks = eval(
        client,
        &format!(
            "[{}, {}, {}, (document.querySelector('.load-progress__text') || {{}}).textContent || '', {APP_TRANSFER}]",
            entry_time("repos:first-rows", 0),
            entry_time("repos:complete", 0),
            resources_with("/_catalog"),
        ),
    )
    .await?;
    let mut run = ListRun {
        first_rows: number(&marks[0], "repos:first-rows")?,
        complete: number(&marks[1], "repos:complete")?,
        catalog_requests: number(&marks[2], "catalog requests")?,
        status: marks[3].as_str().unwrap_or_default().trim().to_owned(),
        app_transfer: number(&marks[4][0], "app transfer")?,
        app_files: number(&marks[4][1], "app files")?,
        ..ListRun::default()
    };
    let stats = emulator.state.stats.to_json();
    run.token_requests = ["exchange", "token"].iter().filter_map(|k| stats[k].as_f64()).sum();

    let (js_heap, wasm_memory) = memory(client).await?;
    run.js_heap = js_heap;
    run.wasm_memory = wasm_memory;
    let rows = list_rows(client).await?;
    run.dom_rows = number(&rows[0], "DOM rows")?;
    run.viewport_rows = number(&rows[1], "viewport rows")?;

    let input = client
        .find(Locator::Css("#repo-filter"))
        .await
        .map_err(|e| format!("the filter box: {e}"))?;
    input.click().await.map_err(|e| e.to_string())?;
    let profile = std::env::var_os("ACR_BENCH_PROFILE").map(std::path::PathBuf::from);
    if profile.is_some() {
        cdp(client, "Profiler.enable", json!({})).await.map_err(|e| e.to_string())?;
        let interval = json!({ "interval": 100 });
        cdp(client, "Profiler.setSamplingInterval", interval).await.map_err(|e| e.to_string())?;
        cdp(client, "Profiler.start", json!({})).await.map_err(|e| e.to_string())?;
    }
    for key in FILTER.chars() {
        let counts = eval(
            client,
            &format!("[{}, {}]", entry_count("bench:input"), entry_count("filter:applied")),
        )
        .await?;
        let (inputs, applied) = (
            number(&counts[0], "input marks")? as usize,
            number(&counts[1], "filter marks")? as usize,
        );
        input.send_keys(&key.to_string()).await.map_err(|e| format!("typing {key:?}: {e}"))?;
        let pair = format!(
            "(() => {{ const i = {}, a = {}; return i !== null && a !== null ? a - i : null; }})()",
            entry_time("bench:input", inputs),
            entry_time("filter:applied", applied)
        );
        let took = wait_for(client, "the filter's update", &pair, PAGE_TIMEOUT).await?;
        run.keystrokes.push(number(&took, "keystroke")?);
    }
    if let Some(path) = profile {
        let p = cdp(client, "Profiler.stop", json!({})).await.map_err(|e| e.to_string())?;
        std::fs::write(&path, p["profile"].to_string())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("acr-bench: CPU profile of the typing in {}", path.display());
    }
    run.dom_rows_filtered = number(&list_rows(client).await?[0], "DOM rows")?;
    run.paint_floor = paint_floor(client).await?;
    if std::env::var_os("ACR_BENCH_TRACE").is_some() {
        trace(client).await?;
    }
    Ok(run)
}

/// `[rows in the DOM, rows the visible part of the list holds]` of the repository list.
async fn list_rows(client: &Client) -> Result<Value, String> {
    eval(
        client,
        "(() => { const el = document.querySelector('.repo-list'); if (!el) return [0, 0]; \
         const rows = el.querySelectorAll('.vlist__row'); \
         const h = rows.length ? rows[0].getBoundingClientRect().height : 44; \
         const top = Math.max(0, el.getBoundingClientRect().top); \
         const visible = Math.min(el.clientHeight, innerHeight - top); \
         return [rows.length, Math.ceil(Math.max(visible, 0) / (h || 44))]; })()",
    )
    .await
}

/// `(used JS heap after a full garbage collection, wasm linear memory)` in bytes.
pub async fn memory(client: &Client) -> Result<(f64, f64), String> {
    cdp(client, "HeapProfiler.collectGarbage", json!({})).await.map_err(|e| e.to_string())?;
    let heap = cdp(client, "Runtime.getHeapUsage", json!({})).await.map_err(|e| e.to_string())?;
    let wasm = eval(
        client,
        "(window.__bench && window.__bench.wasm && window.__bench.wasm.memory) \
         ? window.__bench.wasm.memory.buffer.byteLength : null",
    )
    .await?;
    Ok((number(&heap["usedSize"], "JS heap")?, number(&wasm, "wasm memory")?))
}

/// What one load of the repository with many tags measured.
#[derive(Debug, Clone, Default)]
pub struct TagsRun {
    /// ms after navigation start until the tag list's progress said done (page shim mark).
    pub all_shown: f64,
    /// `/_tags` requests (Resource Timing).
    pub tag_requests: f64,
    /// `/_manifests` requests (Resource Timing; the rows join each tag with its manifest).
    pub manifest_requests: f64,
    /// Token requests (emulator counters).
    pub token_requests: f64,
    /// Every registry request (emulator counters).
    pub registry_requests: f64,
    /// The tag count the view switch shows.
    pub shown: String,
}

/// Loads the repository with many tags afresh and counts what it took to show every tag.
pub async fn many_tags(client: &Client, emulator: &Running, base: &str) -> Result<TagsRun, String> {
    let path = format!("/r/demo/{}", MANY_TAGS_REPO.replace('/', "%2F"));
    fresh_load(client, emulator, &format!("{base}{path}")).await?;
    let done = format!("{} > 0", entry_count("bench:list-done"));
    wait_for(client, "every tag shown", &done, PAGE_TIMEOUT).await?;
    // Let requests already started finish before counting (the counts, not the time).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let v = eval(
        client,
        &format!(
            "[{}, {}, {}, (document.querySelector('.view-switch__link[aria-current=\"page\"] \
             .view-switch__count') || {{}}).textContent || '']",
            entry_time("bench:list-done", 0),
            resources_with("/_tags"),
            resources_with("/_manifests"),
        ),
    )
    .await?;
    let stats = emulator.state.stats.to_json();
    Ok(TagsRun {
        all_shown: number(&v[0], "bench:list-done")?,
        tag_requests: number(&v[1], "tag requests")?,
        manifest_requests: number(&v[2], "manifest requests")?,
        token_requests: ["exchange", "token"].iter().filter_map(|k| stats[k].as_f64()).sum(),
        registry_requests: stats["registry"].as_f64().unwrap_or_default(),
        shown: v[3].as_str().unwrap_or_default().trim().to_owned(),
    })
}

/// Opens the tag page of [`LOCK_REPO`]:[`LOCK_TAG`] and toggles its write lock `times` times
/// (off, then on with the unlock confirmation, …); returns each round trip, `lock:sent` to
/// `lock:shown`, in ms, and the requests each toggle made.
pub async fn lock_toggles(
    client: &Client,
    emulator: &Running,
    base: &str,
    times: usize,
) -> Result<Vec<(f64, f64)>, String> {
    let path =
        format!("/r/demo/{}/tags/{}", LOCK_REPO.replace('/', "%2F"), LOCK_TAG.replace('/', "%2F"));
    fresh_load(client, emulator, &format!("{base}{path}")).await?;
    let switch =
        format!("button[role=\"switch\"][aria-label=\"Write enabled for {LOCK_REPO}:{LOCK_TAG}\"]");
    let ready = format!(
        "(() => {{ const s = document.querySelector('{}'); return !!s && !s.disabled; }})()",
        switch.replace('\'', "\\'")
    );
    let mut out = Vec::new();
    for i in 0..times {
        wait_for(client, "the write switch", &ready, PAGE_TIMEOUT).await?;
        let counts =
            eval(client, &format!("[{}, {}]", entry_count("lock:sent"), entry_count("lock:shown")))
                .await?;
        let (sent, shown) =
            (number(&counts[0], "lock:sent")? as usize, number(&counts[1], "lock:shown")? as usize);
        emulator.state.stats.reset();
        let button = client.find(Locator::Css(&switch)).await.map_err(|e| e.to_string())?;
        let was_on = button.attr("aria-checked").await.map_err(|e| e.to_string())?;
        // Into view at once: the page's smooth scrolling would still be moving when the
        // driver clicks (the switch sits below the fold at 1280×900 since the tag page shows
        // what ACR will refuse).
        let arg = serde_json::to_value(&button).map_err(|e| e.to_string())?;
        client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                vec![arg],
            )
            .await
            .map_err(|e| e.to_string())?;
        button.click().await.map_err(|e| format!("toggle {i}: {e}"))?;
        if was_on.as_deref() == Some("false") {
            // Turning writes back on is an unlock: the console asks first.
            let confirm = "dialog[open] .confirm-dialog__button--confirm";
            let open = format!("!!document.querySelector('{confirm}')");
            wait_for(client, "the unlock confirmation", &open, PAGE_TIMEOUT).await?;
            let b = client.find(Locator::Css(confirm)).await.map_err(|e| e.to_string())?;
            b.click().await.map_err(|e| format!("confirming unlock {i}: {e}"))?;
        }
        let pair = format!(
            "(() => {{ const s = {}, a = {}; return s !== null && a !== null ? a - s : null; }})()",
            entry_time("lock:sent", sent),
            entry_time("lock:shown", shown)
        );
        let took = wait_for(client, "the lock change shown", &pair, PAGE_TIMEOUT).await?;
        let stats = emulator.state.stats.to_json();
        let requests: f64 =
            ["registry", "exchange", "token"].iter().filter_map(|k| stats[k].as_f64()).sum();
        out.push((number(&took, "lock round trip")?, requests));
    }
    Ok(out)
}

/// Prints the page's requests (start and end, ms after navigation start) and its slow events
/// (Event Timing: start, handlers' start and end, duration to the next paint), for finding where
/// a figure's time goes.
async fn trace(client: &Client) -> Result<(), String> {
    let v = eval(
        client,
        "[performance.getEntriesByType('resource').map(e => [e.name.replace(location.origin, ''), \
         Math.round(e.startTime), Math.round(e.responseEnd)]), window.__bench.events, \
         performance.getEntriesByType('mark').map(m => [m.name, Math.round(m.startTime)])]",
    )
    .await?;
    for (title, rows) in [("requests", &v[0]), ("slow events", &v[1]), ("marks", &v[2])] {
        eprintln!("-- {title}");
        for row in rows.as_array().into_iter().flatten() {
            eprintln!("   {row}");
        }
    }
    Ok(())
}
