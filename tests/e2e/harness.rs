//! The e2e harness: finds the built console (`dist/`), serves it from an in-process emulator,
//! runs ONE chromedriver per test process, opens a headless Chromium session per scenario and
//! always closes it, and saves screenshots. Scenarios and page objects live elsewhere; this
//! module knows processes, ports and paths, not the console's markup.
//!
//! Everything it writes stays under `<repo>/target/`: `screenshots/`, `e2e-profiles/<pid>/`
//! (Chromium user-data dirs), `e2e-tmp/<pid>/` (chromedriver's and Chromium's TMPDIR, which
//! otherwise fills `/tmp` with `org.chromium.Chromium.*`) and `e2e-logs/`.

use crate::cdp::{self, ColorScheme};
use fantoccini::Client;
use serde_json::json;
use std::{
    env,
    error::Error,
    future::Future,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        OnceLock,
    },
    time::Duration,
};

/// What a scenario returns: `?` works on WebDriver and any other error.
pub type Outcome = Result<(), Box<dyn Error + Send + Sync>>;

/// Longest a scenario may run before it fails (and its browser is closed).
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(90);
/// The repository root (the console crate's manifest directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `<repo>/target/<sub>`, created if missing.
fn target_subdir(sub: &str) -> PathBuf {
    let dir = repo_root().join("target").join(sub);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// The built console: `$ACR_CONSOLE_DIST`, else `<repo>/dist`. Panics with the command to run
/// when it has not been built.
pub fn dist_dir() -> PathBuf {
    let dist = env::var_os("ACR_CONSOLE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("dist"));
    assert!(
        dist.join("index.html").is_file(),
        "no built console at {}: run `trunk build --release` in {} (with \
         target/toolchain/wasm-env.sh sourced), or `scripts/test`, or point ACR_CONSOLE_DIST at \
         a dist/ directory",
        dist.display(),
        repo_root().display()
    );
    dist
}

/// The console being served for one test, by an in-process emulator; stops when dropped.
pub struct Console {
    /// Origin of the console, without a trailing `/` (e.g. `http://127.0.0.1:43121`).
    pub base_url: String,
    /// The emulator: the console at `/` (with the SPA fallback and `config.json`), the registry
    /// same-origin under `/registry/demo/`, the demo authority under `/demo/`.
    _emulator: acr_emulator::Running,
}

impl Console {
    /// The absolute URL of `path` (which starts with `/`) on this console.
    pub fn url(&self, path: &str) -> String {
        [self.base_url.as_str(), path].concat()
    }
}

/// Starts an emulator on a free local port serving the built console and the demo registry.
pub async fn start_console() -> Console {
    let config = acr_emulator::Config { console_dir: Some(dist_dir()), ..Default::default() };
    let running = acr_emulator::spawn(config)
        .await
        .unwrap_or_else(|e| panic!("cannot start the emulator serving dist/: {e}"));
    Console { base_url: running.base_url.trim_end_matches('/').to_owned(), _emulator: running }
}

/// The chromedriver this test process shares between its scenarios.
struct Chromedriver {
    url: String,
    _child: Child,
}

/// Starts chromedriver once per process. A watchdog shell kills it (and removes this process's
/// profile and temp directories) once the test process has exited, however it exits: statics
/// are never dropped, and a `Child` in one would outlive the tests.
fn chromedriver() -> &'static Chromedriver {
    static DRIVER: OnceLock<Result<Chromedriver, String>> = OnceLock::new();
    DRIVER.get_or_init(start_chromedriver).as_ref().unwrap_or_else(|e| panic!("{e}"))
}

fn start_chromedriver() -> Result<Chromedriver, String> {
    let pid = std::process::id().to_string();
    let tmp = target_subdir("e2e-tmp").join(&pid);
    let log = target_subdir("e2e-logs").join("chromedriver.log");
    let acr_webdriver::Chromedriver { url, child } = acr_webdriver::start_chromedriver(&tmp, &log)?;
    let profiles = target_subdir("e2e-profiles").join(&pid);
    Command::new("sh")
        .arg("-c")
        .arg(
            "while kill -0 \"$0\" 2>/dev/null; do sleep 0.3; done; \
             kill \"$1\" 2>/dev/null; sleep 1; kill -9 \"$1\" 2>/dev/null; rm -rf \"$2\" \"$3\"",
        )
        .args([pid.as_str(), &child.id().to_string()])
        .args([&tmp, &profiles])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the chromedriver watchdog: {e}"))?;
    Ok(Chromedriver { url, _child: child })
}

/// A fresh Chromium user-data directory under `target/e2e-profiles/<pid>/`.
fn new_profile_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = target_subdir("e2e-profiles")
        .join(std::process::id().to_string())
        .join(NEXT.fetch_add(1, Ordering::Relaxed).to_string());
    std::fs::create_dir_all(&dir).expect("create a Chromium profile directory");
    dir
}

/// Opens a WebDriver session on the shared chromedriver with a fresh profile.
async fn open_session(profile: &Path) -> Client {
    acr_webdriver::open_session(&chromedriver().url, profile)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `scenario` against a new headless Chromium session and ALWAYS closes the session
/// afterwards, also when the scenario panics, fails or hangs past [`SCENARIO_TIMEOUT`]; then
/// re-raises the failure (a panicking test would otherwise orphan Chromium: toolchain.md
/// pitfall 9). On failure a screenshot `failed-<test name>.png` is saved first.
pub async fn with_browser<F, Fut>(scenario: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    with_browser_within(SCENARIO_TIMEOUT, scenario).await
}

/// [`with_browser`] for a scenario allowed to run up to `timeout` (journeys that must outlive a
/// token's lifetime).
pub async fn with_browser_within<F, Fut>(timeout: Duration, scenario: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let profile = new_profile_dir();
    let client = open_session(&profile).await;
    let run = tokio::spawn(tokio::time::timeout(timeout, scenario(client.clone())));
    let failure = match run.await {
        Ok(Ok(Ok(()))) => None,
        Ok(Ok(Err(error))) => Some(Failure::Message(format!("scenario failed: {error}"))),
        Ok(Err(_elapsed)) => {
            Some(Failure::Message(format!("scenario timed out after {timeout:?}")))
        }
        // The panic hook has already printed the message; the payload is re-raised below.
        Err(join) if join.is_panic() => Some(Failure::Panic(join.into_panic())),
        Err(join) => Some(Failure::Message(format!("scenario was cancelled: {join}"))),
    };
    if failure.is_some() {
        let name = std::thread::current().name().unwrap_or("scenario").replace("::", "-");
        if let Err(e) = screenshot(&client, &format!("failed-{name}")).await {
            eprintln!("no failure screenshot: {e}");
        }
    }
    if let Err(e) = client.close().await {
        eprintln!("closing the browser session failed: {e}");
    }
    let _ = std::fs::remove_dir_all(&profile);
    match failure {
        None => {}
        Some(Failure::Panic(payload)) => std::panic::resume_unwind(payload),
        Some(Failure::Message(message)) => panic!("{message}"),
    }
}

/// Why a scenario did not pass.
enum Failure {
    /// It panicked (an assertion); the payload is re-raised as is.
    Panic(Box<dyn std::any::Any + Send>),
    /// It returned an error, timed out or was cancelled.
    Message(String),
}

/// Saves the current viewport as `<repo>/target/screenshots/<name>.png` and returns the path.
pub async fn screenshot(
    client: &Client,
    name: &str,
) -> Result<PathBuf, Box<dyn Error + Send + Sync>> {
    let png = client.screenshot().await?;
    let path = target_subdir("screenshots").join(format!("{name}.png"));
    std::fs::write(&path, png)?;
    Ok(path)
}

/// Makes the page see `prefers-color-scheme: <scheme>` (for dark-mode screenshots).
pub async fn emulate_color_scheme(client: &Client, scheme: ColorScheme) -> Outcome {
    cdp::emulate_color_scheme(client, scheme).await?;
    Ok(())
}

/// A copy of the built console under `target/e2e-consoles/<pid>/<name>/`, for scenarios that
/// serve their own `config.json` beside it (the emulator serves a `config.json` found in the
/// console directory instead of generating one, and reads it on every request).
pub fn copy_of_dist(name: &str) -> PathBuf {
    let dir = target_subdir("e2e-consoles").join(std::process::id().to_string()).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a console copy directory");
    for entry in std::fs::read_dir(dist_dir()).expect("read dist/") {
        let entry = entry.expect("a dist/ entry");
        if entry.file_type().map(|t| t.is_file()).unwrap_or(false)
            && entry.file_name() != "config.json"
        {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy a dist/ file");
        }
    }
    dir
}

/// Starts an emulator on a free local port serving the console in `dir` (see
/// [`copy_of_dist`]) and the demo registry.
pub async fn start_console_from(dir: &Path) -> Console {
    let config =
        acr_emulator::Config { console_dir: Some(dir.to_path_buf()), ..Default::default() };
    let running = acr_emulator::spawn(config)
        .await
        .unwrap_or_else(|e| panic!("cannot start the emulator serving {}: {e}", dir.display()));
    Console { base_url: running.base_url.trim_end_matches('/').to_owned(), _emulator: running }
}

impl Console {
    /// The emulator serving this console (its store, users and sign-in sessions).
    pub fn emulator(&self) -> &acr_emulator::Running {
        &self._emulator
    }
}

/// Starts an emulator configured by `config` (token lifetimes, faults, …) serving the built
/// console (unless `config` names another console directory).
pub async fn start_console_with(mut config: acr_emulator::Config) -> Console {
    if config.console_dir.is_none() {
        config.console_dir = Some(dist_dir());
    }
    let running = acr_emulator::spawn(config)
        .await
        .unwrap_or_else(|e| panic!("cannot start the emulator serving the console: {e}"));
    Console { base_url: running.base_url.trim_end_matches('/').to_owned(), _emulator: running }
}

// ================================================================================================
// Watching the page (hostile-input journeys): a shim installed before any page script records
// console output, uncaught errors, failed resource loads and every request the page makes, so a
// test can prove that nothing panicked and no request left the console's origin.
// ================================================================================================

/// Installed with CDP `Page.addScriptToEvaluateOnNewDocument`: runs in every document of the
/// session before the page's own scripts.
const PAGE_WATCH: &str = r#"(() => {
  if (window.__watch) return;
  const w = window.__watch = { console: [], errors: [], requests: [] };
  const text = a => {
    try {
      if (typeof a === 'string') return a;
      if (a instanceof Error) return a.stack || String(a);
      return JSON.stringify(a);
    } catch (e) { return String(a); }
  };
  for (const level of ['error', 'warn', 'log', 'info', 'debug']) {
    const original = console[level];
    console[level] = function (...args) {
      w.console.push(level + ': ' + args.map(text).join(' ').slice(0, 4000));
      return original.apply(this, args);
    };
  }
  addEventListener('error', e => {
    const t = e.target;
    const what = t && t !== window && t.tagName
      ? 'resource failed: <' + t.tagName.toLowerCase() + '> ' + (t.src || t.href || '')
      : 'uncaught: ' + (e.message || text(e.error));
    w.errors.push(what);
  }, true);
  addEventListener('unhandledrejection', e => w.errors.push('unhandled rejection: ' + text(e.reason)));
  const absolute = u => { try { return new URL(String(u), location.href).href; } catch (e) { return String(u); } };
  const originalFetch = window.fetch;
  window.fetch = function (input, init) {
    try {
      const isRequest = input instanceof Request;
      const headers = new Headers(isRequest ? input.headers : undefined);
      if (init && init.headers) new Headers(init.headers).forEach((v, k) => headers.set(k, v));
      w.requests.push({
        via: 'fetch',
        url: absolute(isRequest ? input.url : input),
        method: (init && init.method) || (isRequest ? input.method : 'GET'),
        authorization: headers.has('authorization'),
      });
    } catch (e) {
      w.requests.push({ via: 'fetch', url: 'unreadable: ' + String(e), method: '?', authorization: true });
    }
    return originalFetch.apply(this, arguments);
  };
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) {
    w.requests.push({ via: 'xhr', url: absolute(url), method: String(method), authorization: false });
    return open.apply(this, arguments);
  };
  const setHeader = XMLHttpRequest.prototype.setRequestHeader;
  XMLHttpRequest.prototype.setRequestHeader = function (name, value) {
    if (String(name).toLowerCase() === 'authorization') {
      w.requests.push({ via: 'xhr', url: 'authorization header set', method: '?', authorization: true });
    }
    return setHeader.apply(this, arguments);
  };
  if (navigator.sendBeacon) {
    const beacon = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = (url, data) => {
      w.requests.push({ via: 'beacon', url: absolute(url), method: 'POST', authorization: false });
      return beacon(url, data);
    };
  }
})();"#;

/// Installs the page watch in the session: every document loaded from now on records its console
/// output, errors and requests (read them with [`page_activity`]).
pub async fn watch_page(client: &Client) -> Outcome {
    let params = json!({ "source": PAGE_WATCH });
    cdp::execute(client, "Page.addScriptToEvaluateOnNewDocument", params).await?;
    Ok(())
}

/// One request the page made through `fetch`, `XMLHttpRequest` or `sendBeacon`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// `fetch`, `xhr` or `beacon`.
    pub via: String,
    /// The absolute URL.
    pub url: String,
    /// The method.
    pub method: String,
    /// Whether it carried an `Authorization` header.
    pub authorization: bool,
}

/// What the current document has done since it loaded (see [`watch_page`]).
#[derive(Debug, Clone, Default)]
pub struct PageActivity {
    /// The document's URL.
    pub location: String,
    /// False when the watch was not installed in this document.
    pub watched: bool,
    /// Console messages, `"<level>: <text>"`.
    pub console: Vec<String>,
    /// Uncaught errors, unhandled rejections and failed resource loads.
    pub errors: Vec<String>,
    /// Requests made by script.
    pub requests: Vec<PageRequest>,
    /// URLs of every resource the document fetched (Resource Timing), script or not.
    pub resources: Vec<String>,
    /// The document's own URL as navigated to (Navigation Timing).
    pub navigations: Vec<String>,
}

/// Reads the current document's [`PageActivity`].
pub async fn page_activity(client: &Client) -> Result<PageActivity, fantoccini::error::CmdError> {
    let script = "const w = window.__watch; \
        return { location: location.href, watched: !!w, \
          console: w ? w.console : [], errors: w ? w.errors : [], requests: w ? w.requests : [], \
          resources: performance.getEntriesByType('resource').map(e => e.name), \
          navigations: performance.getEntriesByType('navigation').map(e => e.name) };";
    let v = client.execute(script, vec![]).await?;
    let strings = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let requests = v["requests"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| PageRequest {
                    via: r["via"].as_str().unwrap_or("?").to_owned(),
                    url: r["url"].as_str().unwrap_or("?").to_owned(),
                    method: r["method"].as_str().unwrap_or("?").to_owned(),
                    authorization: r["authorization"].as_bool().unwrap_or(true),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(PageActivity {
        location: v["location"].as_str().unwrap_or_default().to_owned(),
        watched: v["watched"].as_bool().unwrap_or(false),
        console: strings("console"),
        errors: strings("errors"),
        requests,
        resources: strings("resources"),
        navigations: strings("navigations"),
    })
}

/// Nothing on the page is wider than the window (a phone's page must not scroll sideways);
/// what scrolls sideways or is clipped inside its own box (a wide table, a visually hidden
/// header; whether rows hold their cells is `assert_rows_hold_their_cells`'s) is allowed. Fails naming the
/// innermost elements that stick out.
pub async fn assert_fits_width(
    client: &fantoccini::Client,
) -> Result<(), fantoccini::error::CmdError> {
    let overflow = client
        .execute(
            "const w = document.documentElement.clientWidth; \
                 const scrolls = e => { for (let a = e.parentElement; a && a.tagName !== 'MAIN'; a = a.parentElement) { \
                   if (getComputedStyle(a).overflowX !== 'visible') return true; } return false; }; \
                 const over = e => e.getBoundingClientRect().right > w + 1 && !scrolls(e); \
                 return [...document.querySelectorAll('main *')]\
                 .filter(e => over(e) && ![...e.children].some(over))\
                 .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().width) + ' ' + (e.textContent || '').slice(0, 30)).slice(0, 8);",
            vec![],
        )
        .await?;
    assert_eq!(overflow, serde_json::json!([]), "elements wider than the window");
    Ok(())
}
