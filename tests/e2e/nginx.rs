//! The production path for the end-to-end tests: real nginx (from the OS packages) rendered from
//! the shipped `deploy/nginx` template with `deploy/nginx/render.py`, serving a copy of the built
//! console over HTTPS and proxying `/registry/demo/` to the emulator, itself on HTTPS, with a
//! test certificate for `localhost`. The Entra authority (the emulator's demo authority) is on
//! another origin, as login.microsoftonline.com is in production.

use crate::harness::{copy_of_dist, repo_root};
use acr_emulator::{Config, Running, TlsFiles};
use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

/// nginx in front of the emulator; dropping it stops nginx.
pub struct NginxConsole {
    /// The emulator behind nginx (also the demo authority).
    pub emulator: Running,
    /// `https://localhost:<port>`: the console's origin.
    pub origin: String,
    /// The test CA (the self-signed certificate), PEM.
    pub ca_pem: String,
    /// The copy of `dist/` nginx serves (with its `config.json`).
    pub dist: PathBuf,
    nginx: Child,
}

impl NginxConsole {
    /// The console URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// The emulator's login server as the console is configured with it.
    pub fn login_server(&self) -> String {
        format!("localhost:{}", self.emulator.addr.port())
    }

    /// An HTTPS client trusting the test certificate.
    pub fn http(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).unwrap())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }
}

impl Drop for NginxConsole {
    fn drop(&mut self) {
        let _ = self.nginx.kill();
        let _ = self.nginx.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Renders the shipped template for a fresh copy of `dist/` and starts nginx and the emulator.
pub async fn start_behind_nginx() -> NginxConsole {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = repo_root().join("target/e2e-nginx").join(format!("{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
        .expect("a test certificate");
    let (cert_file, key_file) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_file, cert.cert.pem()).unwrap();
    std::fs::write(&key_file, cert.key_pair.serialize_pem()).unwrap();

    let emulator = acr_emulator::spawn(Config {
        tls: Some(TlsFiles { cert: cert_file.clone(), key: key_file.clone() }),
        ..Config::default()
    })
    .await
    .expect("the emulator starts");
    let port = free_port();
    let origin = format!("https://localhost:{port}");
    let authority = format!("https://localhost:{}/demo", emulator.addr.port());
    let dist = copy_of_dist(&format!("nginx-{}-{n}", std::process::id()));
    let config = serde_json::json!({
        "auth": {
            "clientId": acr_emulator::routes::console::DEMO_CLIENT_ID,
            "authority": authority,
            "redirectUri": format!("{origin}/"),
        },
        "registries": [{
            "name": "demo",
            "loginServer": format!("localhost:{}", emulator.addr.port()),
            "endpoint": "/registry/demo",
        }],
    });
    std::fs::write(dist.join("config.json"), config.to_string()).unwrap();

    let out = dir.join("out");
    let render = Command::new("python3")
        .arg(repo_root().join("deploy/nginx/render.py"))
        .args(["--dist", dist.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .args(["--server-name", "localhost", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--tls-cert", cert_file.to_str().unwrap(), "--tls-key", key_file.to_str().unwrap()])
        .args(["--upstream-ca", cert_file.to_str().unwrap(), "--standalone"])
        .output()
        .expect("python3 runs deploy/nginx/render.py");
    assert!(
        render.status.success(),
        "render.py failed: {}",
        String::from_utf8_lossy(&render.stderr)
    );
    let conf = out.join("nginx.conf");
    let check =
        Command::new("nginx").arg("-t").arg("-c").arg(&conf).output().expect("nginx is installed");
    assert!(check.status.success(), "nginx -t: {}", String::from_utf8_lossy(&check.stderr));
    let nginx = Command::new("nginx")
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx starts");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nginx did not listen on {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    NginxConsole { emulator, origin, ca_pem: cert.cert.pem(), dist, nginx }
}
