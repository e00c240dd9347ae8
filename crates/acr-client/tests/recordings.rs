//! The client against every answer real ACR gave in `spec/acr/recordings`: each recorded status,
//! header set and body is served through a `FakeTransport` to the client method a console would
//! call, and what the client reads must be what was recorded (or the `ClientError` an error maps
//! to). Every test walks all examples of its file, so an example added to a recording is read too.
#![cfg(not(target_arch = "wasm32"))]

use acr_client::{
    challenge, collect_all, endpoint::split_absolute, transport::fake::json_response, ClientError,
    ClientOptions, Credential, FakeTransport, HttpRequest, HttpResponse, Page, Pages, Permissions,
    RegistryClient, Resource, StaticEntraToken,
};
use acr_types::{
    AccessEntry, AcrErrors, AttributesPatch, Digest, OrderBy, RepositoryName, TagName,
};
use base64::Engine as _;
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{json, Value};
use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, Mutex},
    time::Duration,
};

/// Where the recordings are.
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/acr/recordings/");
/// Every recording file; each is read by a test below.
const FILES: [&str; 10] = [
    "auth_challenge_401.json",
    "auth_exchange_and_token.json",
    "catalog_pages.json",
    "deletes.json",
    "errors.json",
    "manifest_get_and_patch.json",
    "manifest_list_pages.json",
    "repository_get_and_patch.json",
    "tag_get_and_patch.json",
    "tag_list_pages.json",
];
/// The console reaches the registry through its same-origin proxy.
const ENDPOINT: &str = "https://console.example/registry/prod";
/// The path of [`ENDPOINT`], in front of every request the client sends there.
const PREFIX: &str = "/registry/prod";
const LOGIN: &str = "myregistry.azurecr.io";
/// The fake transport's clock: 2026-01-01T00:00:00Z.
const NOW_S: i64 = 1_767_225_600;
/// The wire names of the four lock flags.
const FLAGS: [&str; 4] = ["deleteEnabled", "writeEnabled", "readEnabled", "listEnabled"];

// ---------------------------------------------------------------------------------------------
// Reading the recordings
// ---------------------------------------------------------------------------------------------

fn recording(file: &str) -> Value {
    let path = format!("{DIR}{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One recorded answer (`response`), with the request it answered when that was recorded.
struct Example {
    /// Where it sits: `catalog_pages.json.pages[1]`, `deletes.json.delete_tag.then_get`.
    name: String,
    value: Value,
}

impl Example {
    fn request(&self) -> Option<&Value> {
        self.value.get("request")
    }

    fn response(&self) -> &Value {
        &self.value["response"]
    }

    fn status(&self) -> u16 {
        status_of(self.response())
    }
}

/// Every object with a `response` in `file`, wherever it sits (arrays of examples or pages,
/// named entries, entries nested in other examples).
fn examples(file: &str) -> Vec<Example> {
    fn walk(at: &str, v: &Value, out: &mut Vec<Example>) {
        match v {
            Value::Object(map) => {
                if map.contains_key("response") {
                    out.push(Example { name: at.to_owned(), value: v.clone() });
                }
                for (k, child) in map.iter().filter(|(k, _)| *k != "request" && *k != "response") {
                    walk(&format!("{at}.{k}"), child, out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(&format!("{at}[{i}]"), child, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(file, &recording(file), &mut out);
    assert!(!out.is_empty(), "{file}: no recorded answer found");
    out
}

fn status_of(response: &Value) -> u16 {
    response["status"].as_u64().and_then(|s| u16::try_from(s).ok()).expect("a recorded status")
}

/// A recorded header, by name in any case; `None` when absent or recorded as `null`.
fn header<'a>(response: &'a Value, name: &str) -> Option<&'a str> {
    let headers = response.get("headers")?.as_object()?;
    let (_, v) = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))?;
    v.as_str()
}

/// A recorded body as bytes: `body_raw` exactly, `body` as JSON, else nothing.
fn body_bytes(recorded: &Value) -> Vec<u8> {
    match (recorded.get("body_raw"), recorded.get("body")) {
        (Some(raw), _) => raw.as_str().expect("body_raw is text").as_bytes().to_vec(),
        (None, Some(body)) => serde_json::to_vec(body).unwrap(),
        (None, None) => Vec::new(),
    }
}

/// A recorded body as JSON; `null` when there is none.
fn body_json(recorded: &Value) -> Value {
    let bytes = body_bytes(recorded);
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(&bytes).expect("a recorded body is JSON")
}

/// The recorded answer as a transport hands it over: the status, every recorded header (a list
/// repeats it, `null` leaves it out), and the body.
fn answer(response: &Value) -> HttpResponse {
    let mut b = http::Response::builder().status(status_of(response));
    for (name, value) in response.get("headers").and_then(Value::as_object).into_iter().flatten() {
        let values = match value {
            Value::Array(values) => values.clone(),
            Value::Null => Vec::new(),
            v => vec![v.clone()],
        };
        for v in values {
            b = b.header(name.as_str(), v.as_str().expect("header values are text"));
        }
    }
    b.body(body_bytes(response)).expect("a recorded answer is a valid response")
}

/// The path of a recorded request, without scheme, host and query.
fn path_of(request: &Value) -> &str {
    let full = match request.get("uri").and_then(Value::as_str) {
        Some(uri) => {
            let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
            &rest[rest.find('/').unwrap_or(rest.len())..]
        }
        None => request["path"].as_str().expect("a recorded request has a uri or a path"),
    };
    full.split('?').next().unwrap_or_default()
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The form a recorded token request sent (`form`, or the urlencoded `body_raw`).
fn recorded_form(request: &Value) -> BTreeMap<String, String> {
    match request.get("form") {
        Some(form) => serde_json::from_value(form.clone()).expect("a form of strings"),
        None => serde_urlencoded::from_bytes(&body_bytes(request)).expect("an urlencoded form"),
    }
}

/// The lock flags a recorded request body sets, as recorded.
fn recorded_flags(request: &Value) -> serde_json::Map<String, Value> {
    match body_json(request) {
        Value::Object(map) => map,
        other => panic!("a PATCH body is an object, not {other}"),
    }
}

/// The items of a recorded list page: its one array (or `null`, which reads as none).
fn recorded_items(body: &Value) -> Vec<Value> {
    let lists: Vec<&Value> = body
        .as_object()
        .expect("a list page is an object")
        .values()
        .filter(|v| v.is_array() || v.is_null())
        .collect();
    assert_eq!(lists.len(), 1, "a list page has one list: {body}");
    lists[0].as_array().cloned().unwrap_or_default()
}

/// The target of a recorded `Link`: between `<` and `>`.
fn link_target(link: &str) -> &str {
    let start = link.find('<').expect("a Link target") + 1;
    &link[start..start + link[start..].find('>').expect("a closed Link target")]
}

/// `query` matches a recorded one whose middle may be elided as `...`.
fn matches_elided(query: &str, recorded: &str) -> bool {
    match recorded.split_once("...") {
        Some((head, tail)) => {
            query.len() >= head.len() + tail.len()
                && query.starts_with(head)
                && query.ends_with(tail)
        }
        None => query == recorded,
    }
}

/// The page size a recorded list request asked for (`n=`), else the client's default.
fn page_size_of(request: &Value) -> usize {
    ["query_sent_by_sdk", "query_from_link"]
        .iter()
        .filter_map(|k| request.get(*k).and_then(Value::as_str))
        .flat_map(|q| q.split('&'))
        .find_map(|kv| kv.strip_prefix("n=").and_then(|n| n.parse().ok()))
        .unwrap_or(ClientOptions::default().page_size)
}

// ---------------------------------------------------------------------------------------------
// What a request is about, and the client call a console makes for it
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Target {
    Catalog,
    Tags(RepositoryName),
    Manifests(RepositoryName),
    Repository(RepositoryName),
    Tag(RepositoryName, TagName),
    Manifest(RepositoryName, Digest),
}

impl Target {
    /// Reads a recorded path (`/acr/v1/library%2Fhello-world/_tags/latest`).
    fn of(path: &str) -> Self {
        let repo =
            |s: &str| RepositoryName::new(decode(s)).unwrap_or_else(|e| panic!("{path}: {e:?}"));
        let tag = |s: &str| TagName::new(decode(s)).unwrap_or_else(|e| panic!("{path}: {e:?}"));
        let digest = |s: &str| Digest::new(decode(s)).unwrap_or_else(|e| panic!("{path}: {e:?}"));
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match segments.as_slice() {
            ["acr", "v1", "_catalog"] => Self::Catalog,
            ["acr", "v1", r] => Self::Repository(repo(r)),
            ["acr", "v1", r, "_tags"] => Self::Tags(repo(r)),
            ["acr", "v1", r, "_tags", t] => Self::Tag(repo(r), tag(t)),
            ["acr", "v1", r, "_manifests"] => Self::Manifests(repo(r)),
            ["acr", "v1", r, "_manifests", d] => Self::Manifest(repo(r), digest(d)),
            ["v2", name @ .., "manifests", d] => Self::Manifest(repo(&name.join("/")), digest(d)),
            _ => panic!("{path}: no client method reads this"),
        }
    }

    /// How the client names it in errors.
    fn what(&self) -> String {
        match self {
            Self::Catalog => "the repository list".into(),
            Self::Tags(r) => format!("the tags of {r}"),
            Self::Manifests(r) => format!("the manifests of {r}"),
            Self::Repository(r) => r.to_string(),
            Self::Tag(r, t) => format!("{r}:{t}"),
            Self::Manifest(r, d) => format!("{r}@{d}"),
        }
    }

    /// The token it needs.
    fn resource(&self) -> Resource {
        self.repository().map_or(Resource::Catalog, |r| Resource::Repository(r.clone()))
    }

    fn repository(&self) -> Option<&RepositoryName> {
        match self {
            Self::Catalog => None,
            Self::Tags(r)
            | Self::Manifests(r)
            | Self::Repository(r)
            | Self::Tag(r, _)
            | Self::Manifest(r, _) => Some(r),
        }
    }

    fn is_list(&self) -> bool {
        matches!(self, Self::Catalog | Self::Tags(_) | Self::Manifests(_))
    }

    /// What the client reads from a recorded 2xx body of this target: a list's items, or the
    /// body itself.
    fn expected_read(&self, body: &Value) -> Value {
        if self.is_list() {
            Value::Array(recorded_items(body))
        } else {
            body.clone()
        }
    }
}

/// One client call: the method, what it is about, and the flags a PATCH sets.
#[derive(Debug, Clone)]
struct Call {
    method: String,
    target: Target,
    patch: AttributesPatch,
}

impl Call {
    /// The call a recorded request stands for.
    fn of(request: &Value) -> Self {
        let method = request["method"].as_str().expect("a recorded method").to_owned();
        let patch = if method == "PATCH" {
            serde_json::from_value(body_json(request))
                .unwrap_or_else(|e| panic!("the recorded PATCH body is not a patch: {e}"))
        } else {
            AttributesPatch::default()
        };
        Self { method, target: Target::of(path_of(request)), patch }
    }

    /// The action the client names when it is refused.
    fn action(&self) -> &'static str {
        match self.method.as_str() {
            "PATCH" => "change locks",
            "DELETE" => "delete",
            _ => "read",
        }
    }
}

fn to_json(v: impl Serialize) -> Value {
    serde_json::to_value(v).expect("wire types encode")
}

/// Makes the client call a console makes for `call`; what it read, re-encoded as JSON (a list:
/// its first page's items; a tag or manifest delete: `null`).
async fn run(c: &RegistryClient, call: &Call) -> Result<Value, ClientError> {
    let patch = &call.patch;
    Ok(match (call.method.as_str(), &call.target) {
        ("GET", t) if t.is_list() => {
            let first = list(c, t).next().await.expect("a list has a first page")?;
            Value::Array(first.items)
        }
        ("GET", Target::Repository(r)) => to_json(c.get_repository_properties(r).await?),
        ("PATCH", Target::Repository(r)) => {
            to_json(c.update_repository_properties(r, patch).await?)
        }
        ("DELETE", Target::Repository(r)) => to_json(c.delete_repository(r).await?),
        ("GET", Target::Tag(r, t)) => to_json(c.get_tag_properties(r, t).await?),
        ("PATCH", Target::Tag(r, t)) => to_json(c.update_tag_attributes(r, t, patch).await?),
        ("DELETE", Target::Tag(r, t)) => c.delete_tag(r, t).await.map(|()| Value::Null)?,
        ("GET", Target::Manifest(r, d)) => to_json(c.get_manifest_properties(r, d).await?),
        ("PATCH", Target::Manifest(r, d)) => {
            to_json(c.update_manifest_properties(r, d, patch).await?)
        }
        ("DELETE", Target::Manifest(r, d)) => {
            c.delete_manifest(r, d).await.map(|()| Value::Null)?
        }
        (m, t) => panic!("no client method for {m} {t:?}"),
    })
}

/// The pages of a list target, items re-encoded as JSON.
fn list<'a>(c: &'a RegistryClient, target: &Target) -> Pages<'a, Value> {
    fn as_json<T: Serialize + 'static>(pages: Pages<'_, T>) -> Pages<'_, Value> {
        pages
            .map(|page| {
                page.map(|p| Page {
                    items: p.items.iter().map(to_json).collect(),
                    loaded: p.loaded,
                    more: p.more,
                    skipped: p.skipped,
                })
            })
            .boxed_local()
    }
    match target {
        Target::Catalog => as_json(c.list_repositories()),
        Target::Tags(r) => as_json(c.list_tags(r, OrderBy::None)),
        Target::Manifests(r) => as_json(c.list_manifests(r, OrderBy::None)),
        t => panic!("{t:?} is not a list"),
    }
}

/// Every value the client read (`read`: the wire types re-encoded) is the recorded one, all the
/// way down; recorded keys the wire types do not keep are not checked.
fn assert_read(name: &str, read: &Value, recorded: &Value) {
    fn walk(at: &str, read: &Value, recorded: &Value, wrong: &mut Vec<String>) {
        match (read, recorded) {
            (Value::Object(r), Value::Object(w)) => {
                for (k, v) in r {
                    match w.get(k) {
                        Some(x) => walk(&format!("{at}.{k}"), v, x, wrong),
                        None => wrong.push(format!("{at}.{k}: read {v}, not recorded")),
                    }
                }
            }
            (Value::Array(r), Value::Array(w)) if r.len() == w.len() => {
                for (i, (v, x)) in r.iter().zip(w).enumerate() {
                    walk(&format!("{at}[{i}]"), v, x, wrong);
                }
            }
            _ if read == recorded => {}
            _ => wrong.push(format!("{at}: read {read}, recorded {recorded}")),
        }
    }
    let mut wrong = Vec::new();
    walk("", read, recorded, &mut wrong);
    assert!(wrong.is_empty(), "{name}: the client read something else than recorded: {wrong:#?}");
}

/// The error the client must report for a recorded error answer to `target`.
fn expected_error(name: &str, response: &Value, target: &Target) -> ClientError {
    let code = body_json(response)["errors"][0]["code"].as_str().map(str::to_owned);
    match (status_of(response), code) {
        (404, Some(code)) => ClientError::NotFound { what: target.what(), code },
        (405, Some(code)) if code == "REGISTRY_DISALLOWED_OPERATION" => {
            ClientError::Disallowed { what: target.what() }
        }
        (status, code) => panic!("{name}: no expected error for {status} {code:?}; add one here"),
    }
}

// ---------------------------------------------------------------------------------------------
// A scripted registry
// ---------------------------------------------------------------------------------------------

fn jwt(header: &Value, claims: &Value) -> String {
    let b = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!("{}.{}.sig", b(header.to_string().as_bytes()), b(claims.to_string().as_bytes()))
}

fn form(req: &HttpRequest) -> BTreeMap<String, String> {
    serde_urlencoded::from_bytes(req.body()).expect("an urlencoded form")
}

fn is_token_request(req: &HttpRequest) -> bool {
    req.uri().path().contains("/oauth2/")
}

/// A registry whose token endpoints issue JWTs granting what was asked (each token a new one,
/// living ACR's 75 minutes) and whose data plane answers with `data`.
fn registry(data: impl Fn(&HttpRequest) -> HttpResponse + Send + Sync + 'static) -> FakeTransport {
    let issued = Mutex::new(0_u32);
    FakeTransport::new(move |req| {
        let path = req.uri().path();
        let header = json!({"alg": "RS256", "typ": "JWT"});
        if path.ends_with("/oauth2/exchange") {
            let refresh = jwt(&header, &json!({"exp": NOW_S + 11_700}));
            return Ok(json_response(200, &json!({ "refresh_token": refresh }), &[]));
        }
        if path.ends_with("/oauth2/token") {
            let access: Vec<Value> = form(req)["scope"]
                .split(' ')
                .map(|s| {
                    let e = AccessEntry::parse_scope(s).expect("the client asks for valid scopes");
                    json!({"Type": e.kind, "Name": e.name, "Actions": e.actions})
                })
                .collect();
            let mut n = issued.lock().unwrap();
            *n += 1;
            let claims =
                json!({"jti": format!("token-{n}"), "exp": NOW_S + 4500, "access": access});
            return Ok(json_response(200, &json!({"access_token": jwt(&header, &claims)}), &[]));
        }
        Ok(data(req))
    })
}

fn entra() -> Credential {
    Credential::Entra(Arc::new(StaticEntraToken(acr_types::Secret::new("entra-token"))))
}

fn client(
    t: &FakeTransport,
    endpoint: &str,
    login: &str,
    credential: Credential,
    options: ClientOptions,
) -> RegistryClient {
    RegistryClient::new(Arc::new(t.clone()), endpoint, login, credential, options).unwrap()
}

fn console(t: &FakeTransport) -> RegistryClient {
    client(t, ENDPOINT, LOGIN, entra(), ClientOptions::default())
}

/// The requests the client sent to the data plane (not to the token endpoints).
fn data_requests(t: &FakeTransport) -> Vec<HttpRequest> {
    t.requests().into_iter().filter(|r| !is_token_request(r)).collect()
}

fn count(t: &FakeTransport, path_end: &str) -> usize {
    t.requests().iter().filter(|r| r.uri().path().ends_with(path_end)).count()
}

/// The path a request was sent to, below `prefix`, percent-decoded.
fn sent_path(req: &HttpRequest, prefix: &str) -> String {
    let path = req.uri().path();
    decode(path.strip_prefix(prefix).unwrap_or_else(|| panic!("{path} is not below {prefix}")))
}

fn sent_json(req: &HttpRequest) -> Value {
    serde_json::from_slice(req.body()).expect("the client sends JSON")
}

fn bearer(req: &HttpRequest) -> &str {
    req.headers()["authorization"].to_str().unwrap().strip_prefix("Bearer ").expect("a bearer")
}

/// A recorded 2xx answer, in any recording, to the request `method path`.
fn recorded_success(method: &str, path: &str) -> Option<Example> {
    FILES.iter().flat_map(|f| examples(f)).find(|e| {
        (200..300).contains(&e.status())
            && e.request()
                .is_some_and(|r| r["method"] == method && decode(path_of(r)) == decode(path))
    })
}

// ---------------------------------------------------------------------------------------------
// Single answers: GET, PATCH, DELETE and their errors
// ---------------------------------------------------------------------------------------------

/// Serves `example`'s answer to the call its request stands for (to every delete, for an answer
/// recorded without its request) and checks what the client made of it: a 2xx answer reads as
/// recorded, an error answer is the `ClientError` it maps to, a PATCH sends the recorded flags.
async fn replay(example: &Example) {
    let name = &example.name;
    let calls = match example.request() {
        Some(request) => vec![Call::of(request)],
        None => {
            // Only the answer was recorded (a user's paste): every delete may meet it.
            let repo = RepositoryName::new("prod/api").unwrap();
            let digest = Digest::new(format!("sha256:{}", "a".repeat(64))).unwrap();
            let call = |target| Call {
                method: "DELETE".into(),
                target,
                patch: AttributesPatch::default(),
            };
            vec![
                call(Target::Tag(repo.clone(), TagName::new("1.0").unwrap())),
                call(Target::Manifest(repo.clone(), digest)),
                call(Target::Repository(repo)),
            ]
        }
    };
    for call in calls {
        let name = format!("{name} ({} {:?})", call.method, call.target);
        let response = example.response().clone();
        let t = registry(move |_| answer(&response));
        let got = run(&console(&t), &call).await;

        let sent = data_requests(&t);
        assert_eq!(sent.len(), 1, "{name}: one request, no retry: {:?}", t.request_lines());
        assert_eq!(sent[0].method().as_str(), call.method, "{name}");
        if let Some(request) = example.request() {
            assert_eq!(sent_path(&sent[0], PREFIX), decode(path_of(request)), "{name}: the path");
            if call.method == "PATCH" {
                assert_eq!(sent_json(&sent[0]), body_json(request), "{name}: the flags sent");
            }
        }

        let response = example.response();
        if (200..300).contains(&status_of(response)) {
            let read = got.unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_read(&name, &read, &call.target.expected_read(&body_json(response)));
        } else {
            let e = got.expect_err(&name);
            assert_eq!(e, expected_error(&name, response, &call.target), "{name}");
            let body: AcrErrors = serde_json::from_value(body_json(response))
                .unwrap_or_else(|e| panic!("{name}: the error body: {e}"));
            assert!(body.code().is_some(), "{name}");
        }
    }
}

/// A patch changing only `flag` (a wire name) to `value`.
fn only(flag: &str, value: bool) -> AttributesPatch {
    let v = Some(value);
    let none = AttributesPatch::default();
    match flag {
        "deleteEnabled" => AttributesPatch { delete_enabled: v, ..none },
        "writeEnabled" => AttributesPatch { write_enabled: v, ..none },
        "readEnabled" => AttributesPatch { read_enabled: v, ..none },
        "listEnabled" => AttributesPatch { list_enabled: v, ..none },
        other => panic!("'{other}' is not a lock flag"),
    }
}

/// For a recorded PATCH: a console changing just one of its flags sends that flag alone, and
/// reads the recorded answer's flags back.
async fn patch_sends_only_the_changed_flag(example: &Example) {
    let request = example.request().expect("a PATCH was recorded with its request");
    let call = Call::of(request);
    let answered = body_json(example.response());
    let attributes = match &call.target {
        Target::Tag(..) => &answered["tag"]["changeableAttributes"],
        Target::Manifest(..) => &answered["manifest"]["changeableAttributes"],
        _ => &answered["changeableAttributes"],
    };
    for (flag, value) in recorded_flags(request) {
        let name = format!("{}: only {flag}", example.name);
        assert!(FLAGS.contains(&flag.as_str()), "{name}: not a lock flag");
        let value = value.as_bool().expect("flags are booleans");
        let response = example.response().clone();
        let t = registry(move |_| answer(&response));
        let one = Call { patch: only(&flag, value), ..call.clone() };
        let read = run(&console(&t), &one).await.unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let sent = data_requests(&t);
        assert_eq!(sent[0].body(), format!("{{\"{flag}\":{value}}}").as_bytes(), "{name}");
        assert_eq!(sent[0].headers()["content-type"], "application/json", "{name}");
        let read_flags = match &call.target {
            Target::Tag(..) => &read["tag"]["changeableAttributes"],
            Target::Manifest(..) => &read["manifest"]["changeableAttributes"],
            _ => &read["changeableAttributes"],
        };
        for f in FLAGS {
            assert_eq!(read_flags[f], attributes[f], "{name}: {f} read back");
            assert!(read_flags[f].is_boolean(), "{name}: {f} is read");
        }
    }
}

/// Replays every example of a file of single answers; PATCHes also one flag at a time.
async fn read_single_answers(file: &str) {
    for example in &examples(file) {
        replay(example).await;
        if example.request().is_some_and(|r| r["method"] == "PATCH") {
            patch_sends_only_the_changed_flag(example).await;
        }
    }
}

#[tokio::test]
async fn tag_answers_are_read_and_patches_send_only_changed_flags() {
    read_single_answers("tag_get_and_patch.json").await;

    // A client sends only the flags it changes: the JS SDK's recorded body, byte for byte.
    let doc = recording("tag_get_and_patch.json");
    let patch_answer = examples("tag_get_and_patch.json")
        .into_iter()
        .find(|e| e.request().is_some_and(|r| r["method"] == "PATCH"))
        .expect("a recorded tag PATCH");
    let partial: Vec<(&String, &Value)> = doc
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| Some((k, v.get("request_body")?)))
        .collect();
    assert!(!partial.is_empty(), "tag_get_and_patch.json: a recorded partial PATCH body");
    for (key, body) in partial {
        let name = format!("tag_get_and_patch.json.{key}");
        let patch: AttributesPatch = serde_json::from_value(body.clone())
            .unwrap_or_else(|e| panic!("{name}: the recorded body is not a patch: {e}"));
        let response = patch_answer.response().clone();
        let t = registry(move |_| answer(&response));
        let mut call = Call::of(patch_answer.request().unwrap());
        call.patch = patch;
        run(&console(&t), &call).await.unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let sent = data_requests(&t);
        assert_eq!(sent_json(&sent[0]), *body, "{name}");
        if body.as_object().is_some_and(|m| m.len() == 1) {
            assert_eq!(sent[0].body(), &serde_json::to_vec(body).unwrap(), "{name}");
        }
    }
}

#[tokio::test]
async fn manifest_answers_are_read_with_references_and_quarantine_extras() {
    read_single_answers("manifest_get_and_patch.json").await;

    // A multi-arch index: no platform of its own, every platform in `references`.
    for example in examples("manifest_get_and_patch.json") {
        let body = body_json(example.response());
        let Some(references) = body["manifest"]["references"].as_array() else { continue };
        let response = example.response().clone();
        let t = registry(move |_| answer(&response));
        let Target::Manifest(repo, digest) = Call::of(example.request().unwrap()).target else {
            panic!("{}: not a manifest", example.name)
        };
        let m = console(&t).get_manifest_properties(&repo, &digest).await.unwrap().manifest;
        let read = m.references.unwrap_or_else(|| panic!("{}: references read", example.name));
        assert_eq!(read.len(), references.len(), "{}", example.name);
        assert!(acr_types::media_type::is_index(m.media_type.as_deref().unwrap_or_default()));
    }
}

#[tokio::test]
async fn repository_answers_are_read_and_patches_send_only_changed_flags() {
    read_single_answers("repository_get_and_patch.json").await;
}

#[tokio::test]
async fn delete_answers_are_read() {
    // Tag: 202 with an empty body, then 404 TAG_UNKNOWN; repository: 202 with what went.
    read_single_answers("deletes.json").await;
}

#[tokio::test]
async fn error_answers_map_to_the_errors_a_user_acts_on() {
    read_single_answers("errors.json").await;
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

/// Reads every recorded page of `file` as the first page of a list, following its `Link` to the
/// recorded page that came next (while there is one), then to a last page without items.
async fn read_every_page(file: &str) {
    let pages = examples(file);
    for (i, first) in pages.iter().enumerate() {
        let name = &first.name;
        let request = first.request().unwrap_or_else(|| panic!("{name}: no recorded request"));
        let target = Target::of(path_of(request));
        assert!(target.is_list(), "{name}: not a list");

        // The recorded pages from this one on, each reached by the previous one's Link.
        let mut chain = vec![first];
        for next in &pages[i + 1..] {
            let linked = header(chain[chain.len() - 1].response(), "link").is_some();
            match next.request().and_then(|r| r.get("query_from_link")) {
                Some(_) if linked => chain.push(next),
                _ => break,
            }
        }
        let mut answers: Vec<Value> = chain.iter().map(|e| e.response().clone()).collect();
        if header(chain[chain.len() - 1].response(), "link").is_some() {
            // Where the recording stops: a last page, the recorded one emptied, without a Link.
            let mut last = body_json(first.response());
            for list in last.as_object_mut().unwrap().values_mut() {
                if list.is_array() || list.is_null() {
                    *list = json!([]);
                }
            }
            answers.push(json!({"status": 200, "body": last}));
        }

        let served = Arc::new(Mutex::new(0_usize));
        let (script, counter) = (answers.clone(), served.clone());
        let t = registry(move |_| {
            let mut n = counter.lock().unwrap();
            *n += 1;
            answer(script.get(*n - 1).expect("the client asked for more pages than served"))
        });
        let options =
            ClientOptions { page_size: page_size_of(request), ..ClientOptions::default() };
        let c = client(&t, ENDPOINT, LOGIN, entra(), options);
        let mut progress = Vec::new();
        let items = collect_all(list(&c, &target), |n| progress.push(n))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));

        // Every recorded item was read, in order.
        let per_page: Vec<Vec<Value>> =
            answers.iter().map(|a| recorded_items(&body_json(a))).collect();
        let recorded: Vec<Value> = per_page.iter().flatten().cloned().collect();
        assert_eq!(items.len(), recorded.len(), "{name}: items");
        for (k, (read, rec)) in items.iter().zip(&recorded).enumerate() {
            assert_read(&format!("{name} item {k}"), read, rec);
        }
        let loaded: Vec<usize> = per_page
            .iter()
            .scan(0, |sum, p| {
                *sum += p.len();
                Some(*sum)
            })
            .collect();
        assert_eq!(progress, loaded, "{name}: progress");

        // The first request is the recorded one; each next one is the previous answer's Link,
        // exactly as sent (relative, `%2F` and `%3A` kept, empty `orderby=` kept).
        let lines: Vec<String> = data_requests(&t)
            .iter()
            .map(|r| r.uri().path_and_query().map_or("", |p| p.as_str()).to_owned())
            .collect();
        assert_eq!(lines.len(), answers.len(), "{name}: {lines:#?}");
        let (path, query) = lines[0].split_once('?').unwrap_or((&lines[0], ""));
        assert_eq!(decode(path.strip_prefix(PREFIX).unwrap()), decode(path_of(request)), "{name}");
        if let Some(sdk) = request.get("query_sent_by_sdk").and_then(Value::as_str) {
            assert_eq!(query, sdk, "{name}: the first query");
        }
        for (k, line) in lines.iter().enumerate().skip(1) {
            let link = header(&answers[k - 1], "link").expect("a followed page had a Link");
            assert_eq!(*line, format!("{PREFIX}{}", link_target(link)), "{name}: page {k}");
            let pattern = chain.get(k).and_then(|e| e.request()?.get("query_from_link")?.as_str());
            if let Some(pattern) = pattern {
                let query = line.split_once('?').map_or("", |(_, q)| q);
                assert!(matches_elided(query, pattern), "{name}: page {k}: {query} vs {pattern}");
            }
        }
    }
}

#[tokio::test]
async fn catalog_pages_are_read_following_their_links() {
    read_every_page("catalog_pages.json").await;
    // The empty registry's `{"repositories": null}` is read as no repositories.
    let empty = examples("catalog_pages.json")
        .into_iter()
        .find(|e| body_json(e.response())["repositories"].is_null())
        .expect("a recorded empty catalog");
    let response = empty.response().clone();
    let t = registry(move |_| answer(&response));
    let c = console(&t);
    assert_eq!(collect_all(c.list_repositories(), |_| {}).await, Ok(Vec::new()), "{}", empty.name);
}

#[tokio::test]
async fn tag_list_pages_are_read_following_their_links() {
    read_every_page("tag_list_pages.json").await;
}

#[tokio::test]
async fn manifest_list_pages_are_read_following_their_links() {
    read_every_page("manifest_list_pages.json").await;
}

// ---------------------------------------------------------------------------------------------
// Sign-in: challenges and token answers
// ---------------------------------------------------------------------------------------------

/// A challenge's parameters read independently of the client: the scheme, then each quoted
/// parameter as ACR writes it (`name="value"`, joined by commas).
fn challenge_params(value: &str) -> (String, BTreeMap<String, String>) {
    let (scheme, mut rest) = value.split_once(' ').expect("a scheme");
    let mut params = BTreeMap::new();
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").expect("a quoted parameter");
        let (v, after) = after.split_once('"').expect("a closing quote");
        params.insert(name.trim().to_ascii_lowercase(), v.to_owned());
        rest = after.trim_start().trim_start_matches(',').trim_start();
    }
    (scheme.to_ascii_lowercase(), params)
}

fn www_authenticate(example: &Example) -> &str {
    header(example.response(), "www-authenticate")
        .unwrap_or_else(|| panic!("{}: no recorded challenge", example.name))
}

#[tokio::test]
async fn recorded_challenges_are_parsed() {
    for example in examples("auth_challenge_401.json") {
        let name = &example.name;
        let value = www_authenticate(&example);
        let c = challenge::parse(value).unwrap_or_else(|| panic!("{name}: not read: {value}"));
        let (scheme, params) = challenge_params(value);
        assert_eq!(c.scheme, scheme, "{name}");
        assert_eq!(c.realm.as_ref(), params.get("realm"), "{name}: realm");
        assert_eq!(c.service.as_ref(), params.get("service"), "{name}: service");
        assert_eq!(c.scope.as_ref(), params.get("scope"), "{name}: scope");
        assert_eq!(c.error.as_ref(), params.get("error"), "{name}: error");
        // The scope names what the recorded request was about.
        let call = Call::of(example.request().expect("a recorded request"));
        let wanted = c.scope.as_deref().and_then(Resource::from_scope);
        assert_eq!(wanted, Some(call.target.resource()), "{name}: the scope's resource");
        // The body, when recorded, is an ACR error.
        if !body_bytes(example.response()).is_empty() {
            let body: AcrErrors = serde_json::from_value(body_json(example.response()))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(body.code(), Some("UNAUTHORIZED"), "{name}");
        }
    }
}

#[tokio::test]
async fn a_recorded_challenge_is_answered_with_a_new_token_or_refused() {
    for example in examples("auth_challenge_401.json") {
        let name = &example.name;
        let request = example.request().expect("a recorded request");
        let call = Call::of(request);
        let c = challenge::parse(www_authenticate(&example)).expect("a challenge");
        // The client talks to the realm's origin (the recorders renamed hosts, not services).
        let realm = c.realm.as_deref().expect("a realm");
        let (origin, _) = split_absolute(realm).expect("an absolute realm");
        let endpoint = format!("{}://{}", origin.scheme, origin.authority);
        let login = c.service.as_deref().expect("a service");
        let success = recorded_success(&call.method, path_of(request))
            .unwrap_or_else(|| panic!("{name}: no recorded answer to the retried request"));

        let first = example.response().clone();
        let retried = success.response().clone();
        let served = Mutex::new(0_usize);
        let t = registry(move |_| {
            let mut n = served.lock().unwrap();
            *n += 1;
            answer(if *n == 1 { &first } else { &retried })
        });
        let got =
            run(&client(&t, &endpoint, login, entra(), ClientOptions::default()), &call).await;

        let sent = data_requests(&t);
        assert_eq!(sent_path(&sent[0], ""), decode(path_of(request)), "{name}: the path");
        if call.method == "PATCH" {
            assert_eq!(sent_json(&sent[0]), body_json(request), "{name}: the flags sent");
        }
        // The first token already covers what the registry asks for.
        let token_form = t
            .requests()
            .iter()
            .find(|r| r.uri().path().ends_with("/oauth2/token"))
            .map(form)
            .expect("a token request");
        assert_eq!(token_form["service"], login, "{name}");
        let wanted = AccessEntry::parse_scope(c.scope.as_deref().unwrap()).unwrap();
        let asked = AccessEntry::parse_scope(&token_form["scope"]).unwrap();
        assert_eq!((&asked.kind, &asked.name), (&wanted.kind, &wanted.name), "{name}");
        assert!(wanted.actions.iter().all(|a| asked.allows(a)), "{name}: asked {asked}");

        let refused = c.error.as_deref() == Some("insufficient_scope")
            && c.scope.as_deref().and_then(Resource::from_scope) == Some(call.target.resource());
        if refused {
            // The token holds the scope and the registry still refuses: the account may not.
            let resource = call.target.resource().describe();
            let denied = ClientError::PermissionDenied { action: call.action().into(), resource };
            assert_eq!(got, Err(denied), "{name}");
            assert_eq!((sent.len(), count(&t, "/oauth2/token")), (1, 1), "{name}");
            continue;
        }
        let read = got.unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let body = body_json(success.response());
        assert_read(name, &read, &call.target.expected_read(&body));
        assert_eq!(sent.len(), 2, "{name}: {:#?}", t.request_lines());
        assert_eq!(count(&t, "/oauth2/exchange"), 1, "{name}");
        assert_eq!(count(&t, "/oauth2/token"), 2, "{name}: a new token after the challenge");
        assert_ne!(bearer(&sent[0]), bearer(&sent[1]), "{name}: retried with the new token");
        assert_eq!(sent_path(&sent[1], ""), sent_path(&sent[0], ""), "{name}");
    }
}

/// A recorded token answer's body: `body` as recorded, or `body_shape` with each JWT built from
/// its recorded header and claims, issued at `now_s` and living the recorded lifetime.
fn token_body(response: &Value, now_s: i64) -> Value {
    if let Some(body) = response.get("body") {
        return body.clone();
    }
    let mut body = response["body_shape"].clone();
    for (key, value) in body.as_object_mut().expect("a body shape") {
        let claims = issued_at(&response[format!("{key}_claims")], now_s);
        *value = json!(jwt(&response[format!("{key}_header")], &claims));
    }
    body
}

/// `claims` issued at `now_s`, with the recorded lifetime.
fn issued_at(claims: &Value, now_s: i64) -> Value {
    let mut c = claims.clone();
    let iat = c["iat"].as_i64().expect("a recorded iat");
    for k in ["iat", "nbf", "exp"] {
        if let Some(at) = c[k].as_i64() {
            c[k] = json!(now_s + at - iat);
        }
    }
    c
}

fn lifetime(claims: &Value) -> i64 {
    claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap()
}

/// The rights the recorded `access` claim grants on `repo`, read without the client: entries in
/// either spelling (`Type`/`type`, …).
fn rights_in(claims: &Value, repo: &str) -> Permissions {
    let get = |e: &Value, k: &str| {
        let key = e.as_object()?.keys().find(|x| x.eq_ignore_ascii_case(k))?;
        e.get(key).cloned()
    };
    let actions: Vec<String> = claims["access"]
        .as_array()
        .expect("an access claim")
        .iter()
        .filter(|e| {
            get(e, "type").is_some_and(|t| t == "repository")
                && get(e, "name").is_some_and(|n| n == repo || n == "*")
        })
        .flat_map(|e| get(e, "actions").and_then(|a| serde_json::from_value(a).ok()))
        .flat_map(|a: Vec<String>| a)
        .collect();
    let has = |a: &str| actions.iter().any(|x| x == a || x == "*");
    Permissions {
        read: has("metadata_read"),
        write: has("metadata_write"),
        delete: has("delete"),
        known: true,
    }
}

#[tokio::test]
async fn recorded_token_answers_are_used_and_their_grants_read() {
    const FILE: &str = "auth_exchange_and_token.json";
    let all = examples(FILE);
    let at = |end: &str| -> Vec<&Example> {
        all.iter().filter(|e| e.request().is_some_and(|r| path_of(r).ends_with(end))).collect()
    };
    let (exchanges, tokens) = (at("/oauth2/exchange"), at("/oauth2/token"));
    assert_eq!(exchanges.len() + tokens.len(), all.len(), "{FILE}: every answer is a token");
    assert!(!exchanges.is_empty() && !tokens.is_empty(), "{FILE}");

    for token in tokens {
        let sent_form = recorded_form(token.request().unwrap());
        let scope = AccessEntry::parse_scope(&sent_form["scope"]).expect("a recorded scope");
        let repo = RepositoryName::new(scope.name.clone()).unwrap();
        let login = &sent_form["service"];
        // A recorded read of that repository, for the token to be used on.
        let read = FILES
            .iter()
            .flat_map(|f| examples(f))
            .find(|e| {
                (200..300).contains(&e.status())
                    && e.request().is_some_and(|r| {
                        r["method"] == "GET" && {
                            let t = Target::of(path_of(r));
                            !t.is_list() && t.repository() == Some(&repo)
                        }
                    })
            })
            .unwrap_or_else(|| panic!("{}: no recorded read of {repo}", token.name));
        let read_call = Call::of(read.request().unwrap());

        let credentials: Vec<(String, Credential, Option<&Example>)> =
            match sent_form["grant_type"].as_str() {
                "refresh_token" => exchanges
                    .iter()
                    .map(|x| (format!("{} after {}", token.name, x.name), entra(), Some(*x)))
                    .collect(),
                "password" if sent_form.get("refresh_token").is_some_and(String::is_empty) => {
                    vec![(token.name.clone(), Credential::Anonymous, None)]
                }
                other => panic!("{}: no credential for grant_type {other}", token.name),
            };
        for (name, credential, exchange) in credentials {
            // Tokens are issued at the fake transport's time, which this test moves.
            let clock = Arc::new(Mutex::new(NOW_S));
            let refresh = exchange.map(|x| token_body(x.response(), NOW_S));
            let access = token_body(token.response(), NOW_S);
            let (exchange_answer, token_answer, data_answer, now) = (
                exchange.map(|x| x.response().clone()),
                token.response().clone(),
                read.response().clone(),
                clock.clone(),
            );
            let t = FakeTransport::new(move |req| {
                let issued = |recorded: &Value| {
                    let mut r = recorded.clone();
                    r["body"] = token_body(recorded, *now.lock().unwrap());
                    answer(&r)
                };
                let path = req.uri().path();
                Ok(if path.ends_with("/oauth2/exchange") {
                    issued(exchange_answer.as_ref().expect("no exchange for this grant"))
                } else if path.ends_with("/oauth2/token") {
                    issued(&token_answer)
                } else {
                    answer(&data_answer)
                })
            });
            let c = client(&t, ENDPOINT, login, credential, ClientOptions::default());

            // What the account may do: from the recorded grants, or unknown for a token that
            // is not a JWT.
            let claims = &token.response()["access_token_claims"];
            let expected = if claims.is_object() {
                rights_in(claims, repo.as_str())
            } else {
                Permissions::UNKNOWN
            };
            let rights = c.repository_permissions(&repo).await;
            assert_eq!(rights, Ok(expected), "{name}");

            // The token is used as it came.
            run(&c, &read_call).await.unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let sent = data_requests(&t);
            assert_eq!(sent.len(), 1, "{name}");
            assert_eq!(bearer(&sent[0]), access["access_token"], "{name}");

            // The forms have the recorded fields.
            let requests = t.requests();
            let posted =
                |end: &str| requests.iter().find(|r| r.uri().path().ends_with(end)).map(form);
            let token_form = posted("/oauth2/token").expect("a token request");
            let keys = |f: &BTreeMap<String, String>| f.keys().cloned().collect::<BTreeSet<_>>();
            assert_eq!(keys(&token_form), keys(&sent_form), "{name}: token form fields");
            for k in ["grant_type", "service"] {
                assert_eq!(token_form[k], sent_form[k], "{name}: {k}");
            }
            let asked = AccessEntry::parse_scope(&token_form["scope"]).unwrap();
            assert_eq!(asked.name, scope.name, "{name}");
            assert!(scope.actions.iter().all(|a| asked.allows(a)), "{name}: asked {asked}");
            match (exchange, &refresh) {
                (Some(x), Some(refresh)) => {
                    let recorded = recorded_form(x.request().unwrap());
                    let exchange_form = posted("/oauth2/exchange").expect("an exchange");
                    assert_eq!(keys(&exchange_form), keys(&recorded), "{name}: exchange fields");
                    for k in ["grant_type", "service"] {
                        assert_eq!(exchange_form[k], recorded[k], "{name}: {k}");
                    }
                    assert_eq!(token_form["refresh_token"], refresh["refresh_token"], "{name}");

                    // Each token lives its recorded lifetime: the access token is reused until
                    // it nears its `exp`, then renewed with the (longer-lived) refresh token.
                    let access_life = lifetime(claims);
                    let refresh_life = lifetime(&x.response()["refresh_token_claims"]);
                    assert!(refresh_life > access_life + 300, "{name}: recorded lifetimes");
                    c.repository_permissions(&repo).await.unwrap();
                    assert_eq!(count(&t, "/oauth2/token"), 1, "{name}: reused");
                    t.advance(Duration::from_secs(access_life.unsigned_abs()));
                    *clock.lock().unwrap() += access_life;
                    c.repository_permissions(&repo).await.unwrap();
                    assert_eq!(count(&t, "/oauth2/token"), 2, "{name}: renewed at exp");
                    assert_eq!(count(&t, "/oauth2/exchange"), 1, "{name}: refresh token reused");
                }
                _ => assert_eq!(count(&t, "/oauth2/exchange"), 0, "{name}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------------------------

#[test]
fn every_recording_file_is_read_here() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(DIR)
        .expect("spec/acr/recordings")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".json"))
        .collect();
    let read: BTreeSet<String> = FILES.iter().map(|f| (*f).to_owned()).collect();
    assert_eq!(on_disk, read, "a recording no test here reads (add a test for it)");
}
