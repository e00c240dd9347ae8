//! Headless Chromium over WebDriver, shared by the console's browser journeys (`tests/e2e`) and
//! its benchmark (`bench/`): starting chromedriver on a free port with its own TMPDIR and log,
//! opening a session with a fresh profile and the flags that work on a closed, rootful machine,
//! and Chrome DevTools Protocol commands through ChromeDriver's vendor endpoint. Each caller
//! keeps its own lifecycle (the journeys share one driver per test process, the benchmark owns
//! one) and its own directories.

use fantoccini::{error::CmdError, wd::Capabilities, wd::WebDriverCompatibleCommand, Client};
use serde_json::{json, Value};
use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Longest chromedriver may take to answer `/status`.
pub const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);

/// Chromium flags: headless, root-safe, quiet on a closed network (toolchain.md §3, pitfall 10),
/// and a fixed window.
pub const CHROME_ARGS: [&str; 11] = [
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

/// A chromedriver process that answered `/status` as ready.
pub struct Chromedriver {
    /// Its WebDriver endpoint, `http://127.0.0.1:<port>`.
    pub url: String,
    /// The process; stopping it is the caller's business.
    pub child: Child,
}

/// Starts chromedriver (`$CHROMEDRIVER`, else the one on `PATH`) on a free port with `tmp` as
/// its (and Chromium's) TMPDIR and its output in `log`, and waits until it is ready.
pub fn start_chromedriver(tmp: &Path, log: &Path) -> Result<Chromedriver, String> {
    let binary = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| find_on_path("chromedriver"))
        .ok_or("chromedriver not found: run scripts/setup.sh (it installs chromium-driver) or set CHROMEDRIVER")?;
    std::fs::create_dir_all(tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let out =
        std::fs::File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port for chromedriver: {e}"))?
        .port();
    let mut child = Command::new(&binary)
        .arg(format!("--port={port}"))
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .stdout(out.try_clone().map_err(|e| e.to_string())?)
        .stderr(out)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let started = Instant::now();
    while !ready(port) {
        if started.elapsed() > DRIVER_START_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "chromedriver did not answer /status on port {port} within \
                 {DRIVER_START_TIMEOUT:?}; see {}",
                log.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(Chromedriver { url: format!("http://127.0.0.1:{port}"), child })
}

/// Opens a headless Chromium session (`$CHROME`, else `/usr/bin/chromium`) on the chromedriver
/// at `driver_url`, with `profile` as its user-data directory.
pub async fn open_session(driver_url: &str, profile: &Path) -> Result<Client, String> {
    let chrome = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let mut args: Vec<String> = CHROME_ARGS.iter().map(|a| (*a).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = Capabilities::new();
    caps.insert("goog:chromeOptions".into(), json!({ "binary": chrome, "args": args }));
    fantoccini::ClientBuilder::native()
        .capabilities(caps)
        .connect(driver_url)
        .await
        .map_err(|e| format!("cannot open a Chromium session ({chrome}): {e}"))
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

/// True when chromedriver's `GET /status` reports `"ready": true`. Reads until the answer shows
/// up rather than to the end: chromedriver may keep the connection open.
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

/// Runs the CDP `method` (e.g. `Emulation.setEmulatedMedia`) with `params` in the session's
/// current page and returns its result object.
pub async fn cdp(client: &Client, method: &'static str, params: Value) -> Result<Value, CmdError> {
    client.issue_cmd(CdpCommand { method, params }).await
}
