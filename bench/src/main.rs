//! acr-bench: the console's benchmark, run by `scripts/bench` (which builds the release console
//! into `dist/` first). It serves `dist/` from an in-process emulator with generated scale data
//! (10,000 repositories, one of them with 5,000 tags), drives headless Chromium through the
//! journeys in [`journeys`] with no added latency and with 50 ms per request, prints a table of
//! every figure against its budget and writes the results as JSON under `target/bench/`.
//!
//! The bulk figures ([`bulk`]: 1,000 tags locked by rule, the write-rate limit, a 10,000-item
//! preview's memory) are measured once per invocation, each in its own emulator and session, and
//! so are the status page's ([`status`]: scanning 1,000 repositories of 20 tags at 50 ms a
//! request, and 100,000 tags while typing into the header's lookup box).
//!
//! Usage: `acr-bench [--runs N] [--dist DIR] [--out DIR] [--only journeys|bulk|status]`
//! (defaults: 5 runs, `<repo>/dist`, `<repo>/target/bench`, everything; `--only` measures the
//! first-load bundle and only those figures). Exit status 0 when every budget is met, 1 when one
//! is missed, 2 when the benchmark itself failed.

mod browser;
mod bulk;
mod journeys;
mod report;
mod stats;
mod status;

use acr_emulator::{seed::Generate, Config, DataSource, Faults};
use report::{Budget, Figure, Stat, Unit};
use serde_json::json;
use std::{
    path::{Path, PathBuf},
    process::ExitCode,
    time::Duration,
};

/// Added latency per request, in ms, for the two passes.
const LATENCIES: [u64; 2] = [0, 50];
/// Repositories in the list: the generator's repositories plus `scale/many-tags`.
const REPOSITORIES: usize = 10_000;
/// Tags of `scale/many-tags`.
const TAGS: usize = 5_000;
/// Page size the console asks for (and ACR's largest).
const PAGE: usize = 1_000;

/// Which figures to measure (besides the bundle, always measured).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Only {
    /// The journeys at every latency, the bulk figures and the status figures.
    All,
    /// The journeys of [`journeys`] at every latency.
    Journeys,
    /// The bulk figures of [`bulk`].
    Bulk,
    /// The status-page figures of [`status`].
    Status,
}

/// Command-line settings.
struct Args {
    runs: usize,
    dist: PathBuf,
    out: PathBuf,
    only: Only,
}

/// What `--help` prints.
const USAGE: &str =
    "usage: acr-bench [--runs N] [--dist DIR] [--out DIR] [--only journeys|bulk|status]";

fn parse_args(root: &Path) -> Result<Args, String> {
    let mut args = Args {
        runs: 5,
        dist: root.join("dist"),
        out: root.join("target").join("bench"),
        only: Only::All,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--runs" => {
                args.runs = value()?.parse().map_err(|_| "--runs needs a whole number")?;
                if args.runs == 0 {
                    return Err("--runs must be at least 1".into());
                }
            }
            "--dist" => args.dist = PathBuf::from(value()?),
            "--out" => args.out = PathBuf::from(value()?),
            "--only" => {
                args.only = match value()?.as_str() {
                    "journeys" => Only::Journeys,
                    "bulk" => Only::Bulk,
                    "status" => Only::Status,
                    other => {
                        return Err(format!("--only {other}: expected journeys, bulk or status"))
                    }
                }
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}; see --help")),
        }
    }
    if !args.dist.join("index.html").is_file() {
        return Err(format!(
            "no built console at {}: run `scripts/bench` (it builds it first)",
            args.dist.display()
        ));
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap_or(root);
    match run(&root).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("acr-bench: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs everything; `Ok(true)` when every budget is met.
async fn run(root: &Path) -> Result<bool, String> {
    let args = parse_args(root)?;
    let mut figures = vec![bundle(&args.dist)?];
    let mut driver = browser::Chromedriver::start(&args.out)?;
    if matches!(args.only, Only::All | Only::Journeys) {
        for latency in LATENCIES {
            eprintln!("acr-bench: measuring with {latency} ms added latency ({} runs)…", args.runs);
            figures.extend(measure(&mut driver, &args, latency).await?);
        }
    }
    if matches!(args.only, Only::All | Only::Bulk) {
        figures.extend(bulk::figures(&mut driver, &args.dist, &args.out).await?);
    }
    if matches!(args.only, Only::All | Only::Status) {
        figures.extend(status::figures(&mut driver, &args.dist, &args.out).await?);
    }
    drop(driver);
    println!("{}", report::table(&figures));
    let context = json!({
        "runs": args.runs,
        "repositories": REPOSITORIES,
        "tags": TAGS,
        "latencies_ms": LATENCIES,
        "filter": journeys::FILTER,
        "dist": args.dist,
        "only": format!("{:?}", args.only).to_lowercase(),
        "bulk": {
            "rule": bulk::RULE,
            "repositories": bulk::REPOSITORIES,
            "tags_per_repository": bulk::TAGS_PER_REPOSITORY,
            "preview_items": bulk::PREVIEW_ITEMS,
        },
        "status": {
            "scope": status::SCOPE,
            "repositories": status::REPOSITORIES,
            "tags_per_repository": status::TAGS_PER_REPOSITORY,
            "latency_ms": SLOW,
            "concurrency": CONCURRENCY,
            "many_tags_scope": status::MANY_TAGS_SCOPE,
            "many_tags": status::MANY_TAGS,
        },
    });
    let path = report::write_json(&args.out, &figures, context)?;
    println!("results: {} (and latest.json beside it)", path.display());
    Ok(figures.iter().all(|f| f.pass() != Some(false)))
}

/// The first-load ceiling of the developers' guide: it moves only with features (375 KB brotli
/// with the lock-state store; 420 KB now that bulk locking and the status view are in). The
/// stack's measured floor (Leptos + Trunk) is about 117 KB.
const FIRST_LOAD_CEILING: f64 = 420_000.0;

/// The added latency of the paced runs (bulk Apply, the status scan), ms.
pub const SLOW: u64 = 50;
/// Requests in flight at most: the console's client allows six
/// (`acr_client::ClientOptions::max_in_flight`, and `acr_bulk::Pacer::CONCURRENCY` for changes),
/// as many as a browser opens to one origin over HTTP/1.1.
pub const CONCURRENCY: usize = 6;
/// Repositories one token request covers (`acr_client::TOKEN_BATCH`).
pub const REPOSITORIES_PER_TOKEN: usize = 20;
/// The budget's slack over the ideal paced time.
pub const PACE_SLACK: f64 = 1.3;

/// The ideal time of `requests` answered `latency_ms` late, [`CONCURRENCY`] at a time, ms.
pub fn paced_ideal_ms(requests: f64, latency_ms: u64) -> f64 {
    requests * latency_ms as f64 / CONCURRENCY as f64
}

/// Figure 1: what the first load transfers, as the sum of `brotli -q 11` sizes of the html,
/// js, wasm and css files in `dist`.
fn bundle(dist: &Path) -> Result<Figure, String> {
    let mut total = 0u64;
    let mut parts = Vec::new();
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| ["html", "js", "wasm", "css"].contains(&x))
        })
        .collect();
    files.sort();
    for file in &files {
        let out = std::process::Command::new("brotli")
            .args(["-c", "-q", "11"])
            .arg(file)
            .output()
            .map_err(|e| format!("cannot run brotli (scripts/setup.sh installs it): {e}"))?;
        if !out.status.success() {
            return Err(format!("brotli failed on {}", file.display()));
        }
        let n = out.stdout.len() as u64;
        total += n;
        if let Some(ext) = file.extension().and_then(|x| x.to_str()) {
            parts.push((ext.to_owned(), n));
        }
    }
    let by_kind: Vec<String> = ["wasm", "js", "css", "html"]
        .iter()
        .map(|k| {
            let n: u64 = parts.iter().filter(|(e, _)| e == k).map(|(_, n)| n).sum();
            format!("{k} {:.1} KB", n as f64 / 1e3)
        })
        .collect();
    let mut f = Figure::new(
        "bundle.brotli",
        "1. first-load transfer (html+js+wasm+css, brotli -q 11)",
        None,
        Unit::Kilobytes,
        Stat::Once,
    )
    .budget(Budget::AtMost(FIRST_LOAD_CEILING));
    f.samples = vec![total as f64];
    f.note = format!("{} files: {}", files.len(), by_kind.join(", "));
    Ok(f)
}

/// Every journey at one latency, in a fresh emulator and browser session.
async fn measure(
    driver: &mut browser::Chromedriver,
    args: &Args,
    latency: u64,
) -> Result<Vec<Figure>, String> {
    let config = Config {
        console_dir: Some(args.dist.clone()),
        // The generator adds `scale/many-tags` to its repositories: 10,000 in all.
        data: DataSource::Generate(Generate { repos: REPOSITORIES - 1, tags: TAGS }),
        faults: Faults { latency: Duration::from_millis(latency), ..Faults::default() },
        ..Config::default()
    };
    let emulator = acr_emulator::spawn(config).await?;
    let base = emulator.base_url.trim_end_matches('/').to_owned();
    let client = driver.session().await?;
    let result = journeys_at(&client, &emulator, &base, args.runs, latency).await;
    if let Err(e) = client.close().await {
        eprintln!("acr-bench: closing the browser failed: {e}");
    }
    result
}

async fn journeys_at(
    client: &fantoccini::Client,
    emulator: &acr_emulator::Running,
    base: &str,
    runs: usize,
    latency: u64,
) -> Result<Vec<Figure>, String> {
    let l = Some(latency);
    journeys::sign_in(client, base, "/r/demo").await?;
    // One load not counted: the browser's caches (the compiled wasm) warm up.
    journeys::repository_list(client, emulator, base).await?;
    let mut lists = Vec::new();
    for _ in 0..runs {
        lists.push(journeys::repository_list(client, emulator, base).await?);
    }
    let mut tags = Vec::new();
    for _ in 0..runs {
        tags.push(journeys::many_tags(client, emulator, base).await?);
    }
    // One toggle more than counted: the first one also fetches a token for the write scope.
    let toggles = journeys::lock_toggles(client, emulator, base, runs + 1).await?;

    let of = |f: &dyn Fn(&journeys::ListRun) -> f64| lists.iter().map(f).collect::<Vec<_>>();
    let of_tags = |f: &dyn Fn(&journeys::TagsRun) -> f64| tags.iter().map(f).collect::<Vec<_>>();
    let mut out = Vec::new();

    let mut f = Figure::new(
        "bundle.repeat_visit",
        "1. repeat visit: the app's bytes from the network",
        l,
        Unit::Kilobytes,
        Stat::Median,
    );
    f.samples = of(&|r| r.app_transfer);
    f.note = format!(
        "Resource Timing transferSize of the document, scripts, wasm, css, icon and config.json \
         ({:?} files); hashed files come from the cache",
        stats::max(&of(&|r| r.app_files)).unwrap_or_default()
    );
    out.push(f);

    let mut f =
        Figure::new("list.first_rows", "2. list: first rows painted", l, Unit::Ms, Stat::Median);
    if latency == 0 {
        f = f.budget(Budget::AtMost(300.0));
    }
    f.samples = of(&|r| r.first_rows);
    f.note = "ms after navigation start (repos:first-rows)".into();
    out.push(f);

    let mut f =
        Figure::new("list.complete", "2. list: complete list painted", l, Unit::Ms, Stat::Median)
            .budget(Budget::AtMost(1500.0));
    f.samples = of(&|r| r.complete);
    f.note = format!(
        "ms after navigation start (repos:complete); status: {:?}",
        lists.last().map(|r| r.status.as_str()).unwrap_or_default()
    );
    out.push(f);

    let mut f = Figure::new(
        "list.catalog_requests",
        "2. list: catalog requests",
        l,
        Unit::Count,
        Stat::Max,
    )
    .budget(Budget::AtMost(REPOSITORIES.div_ceil(PAGE) as f64));
    f.samples = of(&|r| r.catalog_requests);
    f.note = format!(
        "Resource Timing; token requests per load (emulator): {:?}",
        of(&|r| r.token_requests)
    );
    out.push(f);

    let keys: Vec<f64> = lists.iter().flat_map(|r| r.keystrokes.iter().copied()).collect();
    let mut f = Figure::new(
        "filter.keystroke",
        "3. filter: keystroke to update painted",
        l,
        Unit::Ms,
        Stat::Median,
    )
    .budget(Budget::AtMost(16.0));
    f.samples = keys.clone();
    f.note = format!("{:?} typed one key at a time, {} keystrokes", journeys::FILTER, keys.len());
    out.push(f);
    let mut f = Figure::new(
        "filter.keystroke_p95",
        "3. filter: keystroke to update painted",
        l,
        Unit::Ms,
        Stat::P95,
    )
    .budget(Budget::AtMost(50.0));
    f.samples = keys;
    out.push(f);

    let mut f = Figure::new(
        "filter.paint_floor",
        "3. floor: a no-op update painted (frame + timeout)",
        l,
        Unit::Ms,
        Stat::Median,
    );
    f.samples = lists.iter().flat_map(|r| r.paint_floor.iter().copied()).collect();
    f.note = "what filter:applied costs when nothing changes, from a random moment".into();
    out.push(f);

    let capacity = stats::max(&of(&|r| r.viewport_rows)).unwrap_or(0.0);
    let mut f = Figure::new(
        "filter.dom_rows",
        "3. list rows in the DOM (10,000 loaded)",
        l,
        Unit::Count,
        Stat::Max,
    )
    .budget(Budget::AtMost(2.0 * capacity));
    f.samples = of(&|r| r.dom_rows);
    f.note = format!(
        "viewport holds {capacity:.0} rows (budget: twice that); with the filter typed: {:?}",
        of(&|r| r.dom_rows_filtered)
    );
    out.push(f);

    let mut f = Figure::new(
        "tags.tag_requests",
        "4. 5,000 tags: tag-list requests",
        l,
        Unit::Count,
        Stat::Max,
    )
    .budget(Budget::AtMost(TAGS.div_ceil(PAGE) as f64));
    f.samples = of_tags(&|r| r.tag_requests);
    f.note = format!(
        "view shows {:?} tags; manifest-list requests {:?}",
        tags.last().map(|r| r.shown.as_str()).unwrap_or_default(),
        of_tags(&|r| r.manifest_requests)
    );
    out.push(f);
    let mut f = Figure::new(
        "tags.token_requests",
        "4. 5,000 tags: token requests",
        l,
        Unit::Count,
        Stat::Max,
    )
    .budget(Budget::AtMost(2.0));
    f.samples = of_tags(&|r| r.token_requests);
    f.note = "emulator: /oauth2/exchange + /oauth2/token".into();
    out.push(f);
    let mut f = Figure::new(
        "tags.registry_requests",
        "4. 5,000 tags: all registry requests (none per tag)",
        l,
        Unit::Count,
        Stat::Max,
    )
    .budget(Budget::AtMost(20.0));
    f.samples = of_tags(&|r| r.registry_requests);
    f.note = "emulator's counter: every /acr/v1 and /v2 request of the page load".into();
    out.push(f);
    let mut f =
        Figure::new("tags.all_shown", "4. 5,000 tags: every tag shown", l, Unit::Ms, Stat::Median);
    f.samples = of_tags(&|r| r.all_shown);
    f.note = "ms after navigation start until the tag list's progress says done".into();
    out.push(f);

    let mut f = Figure::new(
        "memory.total",
        "5. memory: JS heap + wasm memory, list loaded",
        l,
        Unit::Megabytes,
        Stat::Median,
    )
    .budget(Budget::Below(60e6));
    f.samples = of(&|r| r.js_heap + r.wasm_memory);
    f.note = format!(
        "JS heap {:.1} MB + wasm {:.1} MB (medians)",
        stats::median(&of(&|r| r.js_heap)).unwrap_or_default() / 1e6,
        stats::median(&of(&|r| r.wasm_memory)).unwrap_or_default() / 1e6
    );
    out.push(f);

    let counted = &toggles[1..];
    let mut f = Figure::new(
        "lock.round_trip",
        "6. lock toggle: click to answer shown",
        l,
        Unit::Ms,
        Stat::Median,
    )
    .budget(Budget::AtMost(2.0 * latency as f64 + 50.0));
    f.samples = counted.iter().map(|t| t.0).collect();
    f.note = format!(
        "lock:sent → lock:shown, locking and unlocking in turn; requests per toggle {:?} (first, \
         not counted: {:.1} ms, {} requests)",
        counted.iter().map(|t| t.1).collect::<Vec<_>>(),
        toggles[0].0,
        toggles[0].1
    );
    out.push(f);
    Ok(out)
}
