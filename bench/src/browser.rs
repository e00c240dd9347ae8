//! Headless Chromium for the benchmark: one chromedriver process (stopped when dropped), one
//! WebDriver session per emulator, CDP commands through ChromeDriver's vendor endpoint, and the
//! page shim every document gets before its own scripts.
//!
//! Everything written stays under `target/bench/`: `tmp/<pid>` (chromedriver's and Chromium's
//! TMPDIR), `profiles/<pid>/<n>` (user-data dirs) and `chromedriver.log`.

use fantoccini::{error::CmdError, wd::Capabilities, wd::WebDriverCompatibleCommand, Client};
use serde_json::{json, Value};
use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Chromium flags: headless, root-safe, quiet on a closed network, a fixed window.
const CHROME_ARGS: [&str; 11] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
    "--hide-scrollbars",
];

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
    /// Starts chromedriver (`$CHROMEDRIVER` or the one on `PATH`) on a free port with its
    /// TMPDIR and log under `bench_dir`, and waits until it is ready.
    pub fn start(bench_dir: &Path) -> Result<Self, String> {
        let binary = std::env::var_os("CHROMEDRIVER")
            .map(PathBuf::from)
            .or_else(|| find_on_path("chromedriver"))
            .ok_or("chromedriver not found: run scripts/setup.sh or set CHROMEDRIVER")?;
        let pid = std::process::id().to_string();
        let tmp = bench_dir.join("tmp").join(&pid);
        let profiles = bench_dir.join("profiles").join(&pid);
        for dir in [&tmp, &profiles] {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let log_path = bench_dir.join("chromedriver.log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port for chromedriver: {e}"))?
            .port();
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &tmp)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let driver =
            Self { url: format!("http://127.0.0.1:{port}"), child, tmp, profiles, next_profile: 0 };
        let started = Instant::now();
        while !ready(port) {
            if started.elapsed() > Duration::from_secs(20) {
                return Err(format!(
                    "chromedriver did not get ready within 20 s; see {}",
                    log_path.display()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    /// Opens a headless Chromium session with a fresh profile and installs [`PAGE_SHIM`].
    pub async fn session(&mut self) -> Result<Client, String> {
        let profile = self.profiles.join(self.next_profile.to_string());
        self.next_profile += 1;
        let chrome = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let mut args: Vec<String> = CHROME_ARGS.iter().map(|a| (*a).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut caps = Capabilities::new();
        caps.insert("goog:chromeOptions".into(), json!({ "binary": chrome, "args": args }));
        let client = fantoccini::ClientBuilder::native()
            .capabilities(caps)
            .connect(&self.url)
            .await
            .map_err(|e| format!("cannot open a Chromium session ({chrome}): {e}"))?;
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

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

/// True when chromedriver's `GET /status` says `"ready": true`.
fn ready(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let (mut response, mut chunk) = (Vec::new(), [0u8; 1024]);
    while let Ok(n @ 1..) = stream.read(&mut chunk) {
        response.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&response).replace([' ', '\n', '\r'], "");
        if text.contains("\"ready\":true") {
            return true;
        }
    }
    false
}

/// One CDP method call through `POST /session/{id}/goog/cdp/execute`.
#[derive(Debug)]
struct CdpCommand {
    method: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for CdpCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Runs the CDP `method` in the session's page and returns its result object.
pub async fn cdp(client: &Client, method: &'static str, params: Value) -> Result<Value, CmdError> {
    client.issue_cmd(CdpCommand { method, params }).await
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
