//! Headless Chromium for the benchmark (launch and CDP from `acr-webdriver`): one chromedriver
//! process (stopped when dropped), one WebDriver session per emulator, and the page shim every
//! document gets before its own scripts.
//!
//! Everything written stays under `target/bench/`: `tmp/<pid>` (chromedriver's and Chromium's
//! TMPDIR), `profiles/<pid>/<n>` (user-data dirs) and `chromedriver.log`.

pub use acr_webdriver::cdp;
use fantoccini::Client;
use serde_json::{json, Value};
use std::{
    path::{Path, PathBuf},
    process::Child,
    time::{Duration, Instant},
};

/// Runs in every document of a session before the page's scripts (CDP
/// `Page.addScriptToEvaluateOnNewDocument`): a large Resource Timing buffer (the requests are
/// counted from it), the wasm exports from Trunk's `TrunkApplicationStarted` event (for the
/// linear memory's size), a `bench:input` mark at every `input` event (capture phase on the
/// window, before the app's handlers), and a `bench:list-done` mark in the first animation frame
/// in which a list's progress says it is done; with `ACR_BENCH_TRACE` set, the journeys also
/// print the Event Timing entries (≥ 16 ms) it collects and the page's requests.
pub const PAGE_SHIM: &str = r#"(() => {
  if (window.__bench) return;
  const b = window.__bench = { wasm: null };
  try { performance.setResourceTimingBufferSize(100000); } catch (_) {}
  addEventListener('TrunkApplicationStarted', e => { b.wasm = e.detail && e.detail.wasm; });
  addEventListener('input', () => performance.mark('bench:input'), { capture: true });
  b.events = [];
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) {
        b.events.push([e.name, e.startTime, e.processingStart, e.processingEnd, e.duration]);
      }
    }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  } catch (_) {}
  const watch = () => {
    if (document.querySelector('[data-testid="load-progress"] [data-done="true"]')) {
      performance.mark('bench:list-done');
    } else {
      requestAnimationFrame(watch);
    }
  };
  requestAnimationFrame(watch);
})();"#;

/// A running chromedriver; dropping it stops the process and removes its directories.
pub struct Chromedriver {
    url: String,
    child: Child,
    tmp: PathBuf,
    profiles: PathBuf,
    next_profile: usize,
}

impl Chromedriver {
    /// Starts chromedriver with its TMPDIR and log under `bench_dir` and waits until it is
    /// ready.
    pub fn start(bench_dir: &Path) -> Result<Self, String> {
        let pid = std::process::id().to_string();
        let tmp = bench_dir.join("tmp").join(&pid);
        let profiles = bench_dir.join("profiles").join(&pid);
        std::fs::create_dir_all(&profiles)
            .map_err(|e| format!("cannot create {}: {e}", profiles.display()))?;
        let driver = acr_webdriver::start_chromedriver(&tmp, &bench_dir.join("chromedriver.log"))?;
        Ok(Self { url: driver.url, child: driver.child, tmp, profiles, next_profile: 0 })
    }

    /// Opens a headless Chromium session with a fresh profile and installs [`PAGE_SHIM`].
    pub async fn session(&mut self) -> Result<Client, String> {
        let profile = self.profiles.join(self.next_profile.to_string());
        self.next_profile += 1;
        let client = acr_webdriver::open_session(&self.url, &profile).await?;
        cdp(&client, "Page.enable", json!({})).await.map_err(|e| e.to_string())?;
        cdp(&client, "Page.addScriptToEvaluateOnNewDocument", json!({ "source": PAGE_SHIM }))
            .await
            .map_err(|e| format!("cannot install the page shim: {e}"))?;
        Ok(client)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.tmp);
        let _ = std::fs::remove_dir_all(&self.profiles);
    }
}

/// Evaluates `expr` in the page every 10 ms until it yields something other than `null` or
/// `false`, and returns that; an error after `timeout` saying what was awaited.
pub async fn wait_for(
    client: &Client,
    what: &str,
    expr: &str,
    timeout: Duration,
) -> Result<Value, String> {
    let script = format!("return ({expr});");
    let deadline = Instant::now() + timeout;
    loop {
        let v = client.execute(&script, vec![]).await.map_err(|e| format!("{what}: {e}"))?;
        if !(v.is_null() || v == Value::Bool(false)) {
            return Ok(v);
        }
        if Instant::now() > deadline {
            return Err(format!("timed out after {timeout:?} waiting for {what}"));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Evaluates `expr` in the page once.
pub async fn eval(client: &Client, expr: &str) -> Result<Value, String> {
    client.execute(&format!("return ({expr});"), vec![]).await.map_err(|e| e.to_string())
}
