//! A hostile registry for the end-to-end tests: the real emulator (the console at `/`,
//! `config.json`, the demo authority under `/demo/`, the registry under `/registry/demo/`) behind
//! a layer that lets a test make chosen registry requests misbehave, and a second "foreign"
//! server on another origin that stands for an attacker's host. Both record every request they
//! get (method, path and query, whether it carried credentials), so a test can prove that no
//! token went anywhere but the configured endpoint.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::Response,
    Router,
};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::task::JoinHandle;

/// One request a server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `GET`, `POST`, `OPTIONS`, …
    pub method: String,
    /// Path and query as sent (`/registry/demo/acr/v1/_catalog?n=1000`).
    pub target: String,
    /// True when it carried an `Authorization` header, or (a CORS preflight) asked to send one.
    pub credentials: bool,
    /// True when its body or query holds a token-looking field (`access_token=`,
    /// `refresh_token=`, `password=`).
    pub token_in_body: bool,
}

/// A request as a hostile rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    /// The method.
    pub method: &'a Method,
    /// The path, still percent-encoded (`/registry/demo/acr/v1/prod%2Fpayments%2Fapi/_tags`).
    pub path: &'a str,
    /// The query without `?`, empty when there is none.
    pub query: &'a str,
}

impl Asked<'_> {
    /// True for `method path` exactly.
    pub fn is(&self, method: &str, path: &str) -> bool {
        self.method.as_str() == method && self.path == path
    }

    /// True for a `GET` of the registry path `rest` (`/acr/v1/_catalog`), under `/registry/demo`.
    pub fn get(&self, rest: &str) -> bool {
        self.is("GET", &[REGISTRY_PREFIX, rest].concat())
    }

    /// True for a `POST` to the registry path `rest` (`/oauth2/token`).
    pub fn post(&self, rest: &str) -> bool {
        self.is("POST", &[REGISTRY_PREFIX, rest].concat())
    }
}

/// Where the console reaches the registry (`config.json`'s endpoint).
pub const REGISTRY_PREFIX: &str = "/registry/demo";

/// A misbehaviour: `Some(response)` answers the request instead of the emulator.
pub type Rule = Arc<dyn Fn(Asked<'_>) -> Option<Response> + Send + Sync>;

/// What both servers share with the test.
#[derive(Clone, Default)]
struct Shared {
    rule: Arc<Mutex<Option<Rule>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Requests the rule answered.
    hits: Arc<Mutex<Vec<Seen>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Records `req` (its body is buffered and put back) and returns it.
async fn record(seen: &Mutex<Vec<Seen>>, req: Request) -> (Request, Seen) {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let query = parts.uri.query().unwrap_or("");
    let tokenish = |s: &str| {
        ["access_token=", "refresh_token=", "password=", "\"access_token\"", "\"refresh_token\""]
            .iter()
            .any(|k| s.contains(k))
    };
    let asks_for_auth = parts
        .headers
        .get("access-control-request-headers")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("authorization"));
    let s = Seen {
        method: parts.method.to_string(),
        target: parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default(),
        credentials: parts.headers.contains_key(header::AUTHORIZATION) || asks_for_auth,
        token_in_body: tokenish(&text) || tokenish(query),
    };
    lock(seen).push(s.clone());
    (Request::from_parts(parts, Body::from(bytes)), s)
}

async fn intercept(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let (req, seen) = record(&shared.seen, req).await;
    let rule = lock(&shared.rule).clone();
    if let Some(rule) = rule {
        let (method, path) = (req.method().clone(), req.uri().path().to_owned());
        let query = req.uri().query().unwrap_or("").to_owned();
        if let Some(res) = rule(Asked { method: &method, path: &path, query: &query }) {
            lock(&shared.hits).push(seen);
            return res;
        }
    }
    next.run(req).await
}

/// Serves `app` on a free local port; returns its origin and the serving task.
async fn serve(app: Router) -> (String, JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a local port");
    let addr = listener.local_addr().expect("the bound address");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), task)
}

/// The console, the demo authority and a registry that misbehaves on request.
pub struct HostileRegistry {
    /// The console's origin (`http://127.0.0.1:<port>`), also the login server's.
    pub base_url: String,
    shared: Shared,
    task: JoinHandle<()>,
}

impl HostileRegistry {
    /// Starts the emulator serving `dist` (the built console) behind the hostile layer; it
    /// behaves until [`HostileRegistry::misbehave`] is called.
    pub async fn start(dist: std::path::PathBuf) -> Self {
        let config = acr_emulator::Config { console_dir: Some(dist), ..Default::default() };
        let state = acr_emulator::build_state(config).expect("build the emulator's state");
        let shared = Shared::default();
        let app = acr_emulator::app(state)
            .layer(middleware::from_fn_with_state(shared.clone(), intercept));
        let (base_url, task) = serve(app).await;
        Self { base_url, shared, task }
    }

    /// The absolute URL of `path` on the console's origin.
    pub fn url(&self, path: &str) -> String {
        [self.base_url.as_str(), path].concat()
    }

    /// The login server (`host:port`), as the generated `config.json` names it.
    pub fn login_server(&self) -> String {
        self.base_url.trim_start_matches("http://").to_owned()
    }

    /// From now on, requests for which `rule` returns a response get that response.
    pub fn misbehave(&self, rule: Rule) {
        *lock(&self.shared.rule) = Some(rule);
    }

    /// Every request received since the last call (and forgets them).
    pub fn take_seen(&self) -> Vec<Seen> {
        std::mem::take(&mut *lock(&self.shared.seen))
    }

    /// Every request a rule answered (instead of the emulator) so far.
    pub fn hits(&self) -> Vec<Seen> {
        lock(&self.shared.hits).clone()
    }
}

impl Drop for HostileRegistry {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An attacker's server on another origin: it answers everything with permissive CORS (so a
/// browser would hand it whatever a leaking client sends) and records every request.
pub struct Foreign {
    /// Its origin (`http://127.0.0.1:<other port>`).
    pub base_url: String,
    shared: Shared,
    task: JoinHandle<()>,
}

async fn foreign_answer(State(shared): State<Shared>, req: Request) -> Response {
    let (req, _) = record(&shared.seen, req).await;
    let body = if req.method() == Method::OPTIONS {
        String::new()
    } else {
        // What a thief would answer: a plausible page and a plausible token.
        r#"{"repositories":["stolen/credentials"],"access_token":"x.eyJleHAiOjl9.y"}"#.to_owned()
    };
    let mut res = respond(200, &[("content-type", "application/json")], body);
    for (k, v) in [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-headers", "authorization, content-type, accept"),
        ("access-control-allow-methods", "GET, POST, PATCH, DELETE, OPTIONS"),
        ("access-control-expose-headers", "link, www-authenticate"),
    ] {
        res.headers_mut().insert(HeaderName::from_static(k), HeaderValue::from_static(v));
    }
    res
}

impl Foreign {
    /// Starts the foreign server on a free local port.
    pub async fn start() -> Self {
        let shared = Shared::default();
        let app = Router::new().fallback(foreign_answer).with_state(shared.clone());
        let (base_url, task) = serve(app).await;
        Self { base_url, shared, task }
    }

    /// Every request it has received.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.shared.seen).clone()
    }
}

impl Drop for Foreign {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A response with `status`, `headers` and `body`. Header values the `http` crate refuses
/// (control characters) are dropped.
pub fn respond(status: u16, headers: &[(&str, &str)], body: impl Into<Body>) -> Response {
    let mut res = Response::new(body.into());
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(*k), HeaderValue::from_str(v)) {
            res.headers_mut().append(k, v);
        }
    }
    res
}

/// A JSON answer (`application/json; charset=utf-8`) with `status`.
pub fn json(status: u16, body: impl Into<Body>) -> Response {
    respond(status, &[("content-type", "application/json; charset=utf-8")], body)
}

/// A JSON answer with one more header (`Link`, `WWW-Authenticate`, …).
pub fn json_with(status: u16, name: &str, value: &str, body: impl Into<Body>) -> Response {
    respond(status, &[("content-type", "application/json; charset=utf-8"), (name, value)], body)
}

/// An unsigned token `header.payload.sig` whose payload is `claims` (base64url, no padding).
pub fn fake_jwt(claims: &serde_json::Value) -> String {
    [
        base64url(br#"{"alg":"RS256","typ":"JWT"}"#),
        base64url(claims.to_string().as_bytes()),
        "c2ln".to_owned(),
    ]
    .join(".")
}

/// Base64url without padding (RFC 4648 §5).
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

#[test]
fn base64url_matches_rfc_4648_vectors() {
    let cases = [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg")];
    for (plain, encoded) in cases {
        assert_eq!(base64url(plain.as_bytes()), encoded);
    }
    assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
}
