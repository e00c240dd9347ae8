//! `RegistryClient`: sends one operation with the right token, follows the registry's 401
//! challenge, retries throttling and outages with backoff, limits requests in flight, and maps
//! every failure to a [`ClientError`].

use crate::{
    auth::{CachedToken, Credential, Resource, TokenStore},
    challenge,
    endpoint::Endpoint,
    transport::{BodyLimit, HttpRequest, HttpResponse, Transport},
    ClientError,
};
use acr_types::{code, AcrErrors, Secret};
use http::{header, Method, StatusCode};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

/// How many repositories share one access token at most
/// ([`RegistryClient::prefetch_repository_tokens`]).
pub const TOKEN_BATCH: usize = 20;
/// Tuning of a client; the defaults suit a browser console.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Items per list request (ACR serves at most 1000).
    pub page_size: usize,
    /// Retries of a request answered 429 or 503 (or, for reads, with no answer).
    pub max_retries: u32,
    /// First backoff delay when the registry sends no `Retry-After`.
    pub backoff_base: Duration,
    /// Longest backoff delay, also the cap on `Retry-After`.
    pub backoff_max: Duration,
    /// Requests in flight at once (the browser allows about six per origin over HTTP/1.1).
    pub max_in_flight: usize,
    /// Tokens are retired this long before their `exp` (at most a fifth of their life).
    pub refresh_margin: Duration,
    /// Largest response body accepted; a longer one is cut unread and refused.
    pub max_response_bytes: usize,
    /// Most pages one list may have; a registry that goes on past it is stopped with an error.
    pub max_pages: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            page_size: 100,
            max_retries: 4,
            backoff_base: Duration::from_millis(400),
            backoff_max: Duration::from_secs(20),
            max_in_flight: 6,
            refresh_margin: Duration::from_secs(5 * 60),
            max_response_bytes: 4 * 1024 * 1024,
            max_pages: 5_000,
        }
    }
}

/// A typed client for one registry. Cheap to clone; clones share tokens and limits.
#[derive(Clone)]
pub struct RegistryClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) endpoint: Endpoint,
    pub(crate) credential: Credential,
    pub(crate) options: ClientOptions,
    /// Shared by [`RegistryClient::without_retries`] views.
    pub(crate) tokens: Arc<TokenStore>,
    /// Shared by [`RegistryClient::without_retries`] views.
    in_flight: Arc<async_lock::Semaphore>,
    rng: AtomicU64,
}

impl std::fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryClient")
            .field("endpoint", &self.inner.endpoint)
            .field("credential", &self.inner.credential)
            .finish_non_exhaustive()
    }
}

/// One operation: what to send and what it needs.
pub(crate) struct Op {
    pub method: Method,
    /// Path and query relative to the registry root.
    pub path: String,
    pub body: Option<Vec<u8>>,
    /// The token it needs.
    pub resource: Resource,
    /// The action it needs (for the permission error).
    pub action: &'static str,
    /// The artifact, for error messages (`prod/api:1.0`).
    pub what: String,
}

impl RegistryClient {
    /// A client for the registry `login_server` reached at `endpoint` (absolute URL of the
    /// registry root, e.g. the same-origin proxy path), signing in with `credential`.
    pub fn new(
        transport: Arc<dyn Transport>,
        endpoint: &str,
        login_server: &str,
        credential: Credential,
        options: ClientOptions,
    ) -> Result<Self, ClientError> {
        let endpoint = Endpoint::new(endpoint, login_server)?;
        let seed = transport.now_ms() | 1;
        let in_flight = Arc::new(async_lock::Semaphore::new(options.max_in_flight.max(1)));
        Ok(Self {
            inner: Arc::new(Inner {
                transport,
                endpoint,
                credential,
                options,
                tokens: Arc::default(),
                in_flight,
                rng: AtomicU64::new(seed),
            }),
        })
    }

    /// The registry's login server.
    pub fn login_server(&self) -> &str {
        self.inner.endpoint.login_server()
    }

    /// The options in use.
    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    /// The transport's clock: milliseconds since the Unix epoch (the browser's `Date.now()`).
    pub fn now_ms(&self) -> u64 {
        self.inner.transport.now_ms()
    }

    /// Waits `duration` on the transport's timers (`setTimeout` in a browser), so that a caller
    /// pacing requests needs no timer of its own and runs against the fake transport in tests.
    pub async fn wait(&self, duration: Duration) {
        self.inner.transport.sleep(duration).await;
    }

    /// A view of this client that never retries a throttled (429) or unavailable (503) answer
    /// itself but returns it at once as [`ClientError::Throttled`], for a caller that paces many
    /// requests and must see the registry's `Retry-After` (a bulk run). It shares this client's
    /// tokens and its limit of requests in flight.
    pub fn without_retries(&self) -> Self {
        let i = &self.inner;
        Self {
            inner: Arc::new(Inner {
                transport: i.transport.clone(),
                endpoint: i.endpoint.clone(),
                credential: i.credential.clone(),
                options: ClientOptions { max_retries: 0, ..i.options.clone() },
                tokens: i.tokens.clone(),
                in_flight: i.in_flight.clone(),
                rng: AtomicU64::new(i.rng.load(Ordering::Relaxed) ^ 0x9E37_79B9_7F4A_7C15),
            }),
        }
    }

    /// Forgets every token (sign-out).
    pub async fn forget_tokens(&self) {
        *self.inner.tokens.refresh.lock().await = None;
        for r in self.inner.tokens.known() {
            *self.inner.tokens.slot(&r).lock().await = None;
        }
    }

    fn next_random(&self) -> u64 {
        // xorshift64*: jitter only, not security.
        let mut x = self.inner.rng.load(Ordering::Relaxed);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.inner.rng.store(x, Ordering::Relaxed);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let o = &self.inner.options;
        if let Some(d) = retry_after {
            return d.min(o.backoff_max);
        }
        let cap = o.backoff_base.saturating_mul(1u32 << attempt.min(16)).min(o.backoff_max);
        // Full jitter: uniformly between half the cap and the cap.
        let half = cap / 2;
        let spread = u64::try_from(half.as_millis()).unwrap_or(0).max(1);
        half + Duration::from_millis(self.next_random() % spread)
    }

    /// Sends `req` through the in-flight limit, retrying 429 and 503 (and network failures of
    /// reads) with `Retry-After` or capped exponential backoff with jitter. An answer longer than
    /// `max_response_bytes` is cut by the transport and refused as [`ClientError::TooLarge`].
    pub(crate) async fn send_with_retry(
        &self,
        req: HttpRequest,
    ) -> Result<HttpResponse, ClientError> {
        let idempotent_read = req.method() == Method::GET || req.method() == Method::HEAD;
        let mut attempt = 0;
        loop {
            let limit = self.inner.options.max_response_bytes;
            let result = {
                let _permit = self.inner.in_flight.acquire().await;
                let mut attempt_req = clone_request(&req);
                attempt_req.extensions_mut().insert(BodyLimit(limit));
                self.inner.transport.send(attempt_req).await
            };
            if result.as_ref().is_ok_and(|res| res.body().len() > limit) {
                // Never retried: the same registry would send the same flood again.
                return Err(ClientError::TooLarge { limit });
            }
            let retry_after = match &result {
                Ok(res)
                    if res.status() == StatusCode::TOO_MANY_REQUESTS
                        || res.status() == StatusCode::SERVICE_UNAVAILABLE
                        // A gateway's passing failure (the proxy, ACR's front door): safe to
                        // repeat for a read, never for a change that may have landed.
                        || (idempotent_read
                            && matches!(
                                res.status(),
                                StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT
                            )) =>
                {
                    parse_retry_after(res, self.inner.transport.now_ms())
                }
                Err(_) if idempotent_read => None,
                _ => {
                    return result.map_err(|e| ClientError::Network { message: e.message });
                }
            };
            if attempt >= self.inner.options.max_retries {
                return result.map_err(|e| ClientError::Network { message: e.message });
            }
            let delay = self.backoff(attempt, retry_after);
            self.inner.transport.sleep(delay).await;
            attempt += 1;
        }
    }

    /// Runs an operation: token, request, one re-authentication after `invalid_token`, a
    /// challenge for another scope, or `insufficient_scope` refusing a cached token (it may
    /// predate the right, or come from a batch that left this repository out), and error
    /// mapping. Returns a 2xx response.
    pub(crate) async fn execute(&self, op: Op) -> Result<HttpResponse, ClientError> {
        let mut resource = op.resource.clone();
        let (mut token, mut from_cache) = self.cached_or_fetched(&resource, false).await?;
        let mut retried = false;
        loop {
            let req = self.request(&op, Some(&token.token))?;
            let res = self.send_with_retry(req).await?;
            if res.status() != StatusCode::UNAUTHORIZED {
                return self.check(res, &op);
            }
            let c = res
                .headers()
                .get(header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .and_then(challenge::parse)
                .ok_or_else(|| ClientError::Unexpected {
                    status: Some(401),
                    code: error_code(&res),
                    message: "the registry refused the request without a readable challenge".into(),
                })?;
            if c.scheme != "bearer" {
                return Err(ClientError::SignInRequired {
                    reason: "the registry asked for a password sign-in this client does not use"
                        .into(),
                });
            }
            if let Some(realm) = &c.realm {
                self.inner.endpoint.check_realm(realm)?;
            }
            if c.error.as_deref() == Some("insufficient_scope") {
                let wanted = c.scope.as_deref().and_then(Resource::from_scope);
                match wanted {
                    // The registry wants a token for another resource: get it once.
                    Some(w) if w != resource && !retried => resource = w,
                    // The refused token came from the cache: fetched for a batch whose grant
                    // left this repository out, or before a role was granted. A new one may
                    // grant more: ask once. A token fetched for this very request is the
                    // registry's answer already.
                    Some(w) if w == resource && from_cache && !retried => {}
                    _ => {
                        return Err(ClientError::PermissionDenied {
                            action: op.action.to_owned(),
                            resource: op.resource.describe(),
                        })
                    }
                }
            } else if retried {
                return Err(ClientError::SignInRequired {
                    reason: "the registry does not accept this account's tokens".into(),
                });
            }
            retried = true;
            (token, from_cache) = self.cached_or_fetched(&resource, true).await?;
        }
    }

    fn request(&self, op: &Op, token: Option<&Secret>) -> Result<HttpRequest, ClientError> {
        let mut b = http::Request::builder()
            .method(op.method.clone())
            .uri(self.inner.endpoint.url(&op.path))
            .header(header::ACCEPT, "application/json");
        if let Some(t) = token.filter(|t| !t.is_empty()) {
            b = b.header(header::AUTHORIZATION, format!("Bearer {}", t.expose()));
        }
        if op.body.is_some() {
            b = b.header(header::CONTENT_TYPE, "application/json");
        }
        b.body(op.body.clone().unwrap_or_default()).map_err(|_| {
            ClientError::unexpected(format!("could not build a request for {}", op.what))
        })
    }

    /// Maps a non-401 response: 2xx passes, everything else becomes its error.
    fn check(&self, res: HttpResponse, op: &Op) -> Result<HttpResponse, ClientError> {
        let status = res.status();
        if status.is_success() {
            return Ok(res);
        }
        let code = error_code(&res);
        Err(match status {
            s if s.is_redirection() => ClientError::misdirected(format!(
                "the registry answered {} for {}, redirecting it elsewhere; redirects are never followed",
                s.as_u16(),
                op.what
            )),
            StatusCode::NOT_FOUND => ClientError::NotFound {
                what: op.what.clone(),
                code: code.unwrap_or_else(|| "NOT_FOUND".into()),
            },
            StatusCode::METHOD_NOT_ALLOWED
                if code.as_deref() == Some(code::REGISTRY_DISALLOWED_OPERATION) =>
            {
                ClientError::Disallowed { what: op.what.clone() }
            }
            // ACR's 403 is rarely about roles (those are 401 `insufficient_scope`): a firewall
            // or private endpoint refuses with `DENIED` and says so. Keep what it said.
            StatusCode::FORBIDDEN => ClientError::Forbidden {
                registry: self.login_server().to_owned(),
                refused: format!("{} on {}", op.action, op.resource.describe()),
                code,
                message: error_message(&res),
            },
            // 503 is the registry's load too (ACR answers it under pressure, with or without
            // `Retry-After`): the same advice as a throttle.
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                ClientError::Throttled {
                    retry_after: parse_retry_after(&res, self.inner.transport.now_ms()),
                }
            }
            _ => ClientError::Unexpected {
                status: Some(status.as_u16()),
                message: format!(
                    "{} answered {} for {}{}",
                    self.login_server(),
                    status.as_u16(),
                    op.what,
                    error_message(&res).map(|m| format!(": {m}")).unwrap_or_default()
                ),
                code,
            },
        })
    }

    /// A token for `resource`, from the cache unless `force`. Concurrent callers share one fetch.
    pub(crate) async fn access_token(
        &self,
        resource: &Resource,
        force: bool,
    ) -> Result<CachedToken, ClientError> {
        self.cached_or_fetched(resource, force).await.map(|(t, _)| t)
    }

    /// [`Self::access_token`], and whether the token came from the cache (true) or was fetched
    /// by this call (false).
    async fn cached_or_fetched(
        &self,
        resource: &Resource,
        force: bool,
    ) -> Result<(CachedToken, bool), ClientError> {
        let slot = self.inner.tokens.slot(resource);
        let mut guard = slot.lock().await;
        let now = self.inner.transport.now_ms();
        if let Some(t) = guard.as_ref().filter(|t| !force && t.is_fresh(now)) {
            return Ok((t.clone(), true));
        }
        let token = self.fetch_access_token(resource).await?;
        *guard = Some(token.clone());
        Ok((token, false))
    }

    /// Fetches one access token covering every repository of `repos` that has no fresh token
    /// and is not being fetched already, with one `/oauth2/token` request naming all their scopes
    /// (space-separated, as ACR accepts), and caches it for each of them. A page about to read
    /// many repositories pays one token request instead of one per repository; the granted
    /// `access` entries still say, per repository, what the user may do. At most
    /// [`TOKEN_BATCH`] repositories share one token, so its size stays modest. A repository the
    /// token's grants do not name gets no token from the batch. Returns how many repositories
    /// got the new token.
    pub async fn prefetch_repository_tokens(
        &self,
        repos: &[acr_types::RepositoryName],
    ) -> Result<usize, ClientError> {
        let now = self.inner.transport.now_ms();
        let mut covered = 0;
        let mut held = Vec::new();
        for repo in repos {
            let slot = self.inner.tokens.slot(&Resource::Repository(repo.clone()));
            // A slot locked elsewhere is being fetched (or used) already: leave it to that.
            let Some(guard) = slot.try_lock_arc() else { continue };
            if guard.as_ref().is_some_and(|t| t.is_fresh(now)) {
                continue;
            }
            held.push((Resource::Repository(repo.clone()), guard));
        }
        while !held.is_empty() {
            let rest = held.split_off(held.len().min(TOKEN_BATCH));
            let scope = held.iter().map(|(r, _)| r.scope()).collect::<Vec<_>>().join(" ");
            let token = self.fetch_access_token_for(&scope).await?;
            for (resource, mut guard) in held {
                // ACR may grant fewer scopes than asked, silently: a repository the token's
                // grants do not name keeps no token and fetches its own when it is read, so
                // its rights are its own (unknown grants cover every repository asked).
                if token_covers(&token, &resource) {
                    *guard = Some(token.clone());
                    covered += 1;
                }
            }
            held = rest;
        }
        Ok(covered)
    }

    async fn fetch_access_token(&self, resource: &Resource) -> Result<CachedToken, ClientError> {
        self.fetch_access_token_for(&resource.scope()).await
    }

    /// An access token for `scope` (one or more space-separated scopes).
    async fn fetch_access_token_for(&self, scope: &str) -> Result<CachedToken, ClientError> {
        let scope = scope.to_owned();
        let service = self.login_server().to_owned();
        let mut renewed_refresh = false;
        loop {
            let form: Vec<(&str, String)> = match &self.inner.credential {
                Credential::Entra(_) | Credential::RefreshToken(_) => {
                    let refresh = self.refresh_token(renewed_refresh).await?;
                    vec![
                        ("grant_type", "refresh_token".into()),
                        ("service", service.clone()),
                        ("scope", scope.clone()),
                        ("refresh_token", refresh.expose().to_owned()),
                    ]
                }
                Credential::Password { username, password } => vec![
                    ("grant_type", "password".into()),
                    ("service", service.clone()),
                    ("scope", scope.clone()),
                    ("username", username.clone()),
                    ("password", password.expose().to_owned()),
                ],
                Credential::Anonymous => vec![
                    ("grant_type", "password".into()),
                    ("service", service.clone()),
                    ("scope", scope.clone()),
                    ("refresh_token", String::new()),
                ],
            };
            let res = self.post_form("/oauth2/token", &form).await?;
            if res.status() == StatusCode::UNAUTHORIZED
                && matches!(self.inner.credential, Credential::Entra(_))
                && !renewed_refresh
            {
                // The refresh token was refused (expired or revoked): exchange again once.
                renewed_refresh = true;
                continue;
            }
            let body: acr_types::AccessToken = self.token_answer(res, "an access token")?;
            let margin = u64::try_from(self.inner.options.refresh_margin.as_millis()).unwrap_or(0);
            return CachedToken::from_jwt(body.access_token, self.inner.transport.now_ms(), margin);
        }
    }

    /// The ACR refresh token: exchanged from the Entra token once and cached until `exp`.
    async fn refresh_token(&self, force: bool) -> Result<Secret, ClientError> {
        let entra = match &self.inner.credential {
            Credential::RefreshToken(t) => return Ok(t.clone()),
            Credential::Entra(source) => source,
            _ => return Err(ClientError::unexpected("this credential has no refresh token")),
        };
        let mut guard = self.inner.tokens.refresh.lock().await;
        let now = self.inner.transport.now_ms();
        if let Some(t) = guard.as_ref().filter(|t| !force && t.is_fresh(now)) {
            return Ok(t.token.clone());
        }
        let mut forced_entra = force;
        loop {
            let aad = entra.access_token(forced_entra).await?;
            let pairs = [
                ("grant_type", "access_token".to_owned()),
                ("service", self.login_server().to_owned()),
                ("access_token", aad.expose().to_owned()),
            ];
            let res = self.post_form("/oauth2/exchange", &pairs).await?;
            if res.status() == StatusCode::UNAUTHORIZED && !forced_entra {
                // The Entra token may have expired: ask the session for a new one, once.
                forced_entra = true;
                continue;
            }
            let body: acr_types::RefreshToken = self.token_answer(res, "a refresh token")?;
            let margin = u64::try_from(self.inner.options.refresh_margin.as_millis()).unwrap_or(0);
            let t =
                CachedToken::from_jwt(body.refresh_token, self.inner.transport.now_ms(), margin)?;
            *guard = Some(t.clone());
            return Ok(t.token);
        }
    }

    async fn post_form(
        &self,
        path: &str,
        form: &[(&str, String)],
    ) -> Result<HttpResponse, ClientError> {
        let body = serde_urlencoded::to_string(form)
            .map_err(|_| ClientError::unexpected("could not encode a token request"))?;
        let req = http::Request::builder()
            .method(Method::POST)
            .uri(self.inner.endpoint.url(path))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(body.into_bytes())
            .map_err(|_| ClientError::unexpected("could not build a token request"))?;
        self.send_with_retry(req).await
    }

    /// Decodes a token endpoint's answer; its error messages never quote the body.
    fn token_answer<T: serde::de::DeserializeOwned>(
        &self,
        res: HttpResponse,
        what: &str,
    ) -> Result<T, ClientError> {
        let status = res.status();
        if status == StatusCode::FORBIDDEN {
            // Not the account's credentials (those are 401): a firewall or private endpoint,
            // or a disabled token. Signing in again does not help; say what the registry said.
            return Err(ClientError::Forbidden {
                registry: self.login_server().to_owned(),
                refused: format!("issue {what}"),
                code: error_code(&res),
                message: error_message(&res),
            });
        }
        if status == StatusCode::UNAUTHORIZED {
            return Err(ClientError::SignInRequired {
                reason: format!(
                    "{} refused to issue {what}{}",
                    self.login_server(),
                    error_message(&res).map(|m| format!(" ({m})")).unwrap_or_default()
                ),
            });
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(ClientError::Throttled {
                retry_after: parse_retry_after(&res, self.inner.transport.now_ms()),
            });
        }
        if !status.is_success() {
            return Err(ClientError::Unexpected {
                status: Some(status.as_u16()),
                code: error_code(&res),
                message: format!(
                    "{} answered {} when asked for {what}",
                    self.login_server(),
                    status.as_u16()
                ),
            });
        }
        serde_json::from_slice(res.body()).map_err(|_| ClientError::Unexpected {
            status: Some(status.as_u16()),
            code: None,
            message: format!("the registry's answer did not contain {what}"),
        })
    }

    /// What the cached token for `resource` grants (no request).
    pub fn cached_grants(&self, resource: &Resource) -> Option<crate::auth::Grants> {
        self.inner.tokens.granted(resource)
    }
}

/// True when `token`'s grants name `resource` (or cannot be read, when the registry decides).
fn token_covers(token: &CachedToken, resource: &Resource) -> bool {
    let Resource::Repository(repo) = resource else { return true };
    match &token.granted {
        crate::auth::Grants::Unknown => true,
        crate::auth::Grants::Known(entries) => entries
            .iter()
            .any(|e| e.is_kind("repository") && (e.name == repo.as_str() || e.name == "*")),
    }
}

/// True when a 2xx answer has no body to decode (nothing, or only whitespace).
pub(crate) fn is_empty_body(res: &HttpResponse) -> bool {
    res.body().iter().all(u8::is_ascii_whitespace)
}

/// Decodes a 2xx JSON body into `T`; a shape error names what could not be read. An ACR error
/// body (`{"errors": [...]}`) is that error even under a 2xx status: read leniently as `T` it
/// could pass for an empty answer.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    res: &HttpResponse,
    what: &str,
) -> Result<T, ClientError> {
    if let Some(code) = error_code(res) {
        return Err(ClientError::Unexpected {
            status: Some(res.status().as_u16()),
            message: format!(
                "the answer for {what} was an error ({}){}",
                printable(&code),
                error_message(res).map(|m| format!(": {m}")).unwrap_or_default()
            ),
            code: Some(code),
        });
    }
    serde_json::from_slice(res.body()).map_err(|e| ClientError::Unexpected {
        status: Some(res.status().as_u16()),
        code: error_code_of(res.body()),
        message: format!("the answer for {what} could not be read ({})", printable(&e.to_string())),
    })
}

fn clone_request(req: &HttpRequest) -> HttpRequest {
    let mut b = http::Request::builder().method(req.method().clone()).uri(req.uri().clone());
    for (k, v) in req.headers() {
        b = b.header(k, v);
    }
    b.body(req.body().clone()).unwrap_or_default()
}

fn error_code_of(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<AcrErrors>(body).ok().and_then(|e| e.code().map(str::to_owned))
}

fn error_code(res: &HttpResponse) -> Option<String> {
    error_code_of(res.body())
}

/// The registry's message, sanitised: at most 200 printable characters.
fn error_message(res: &HttpResponse) -> Option<String> {
    let e: AcrErrors = serde_json::from_slice(res.body()).ok()?;
    let clean = printable(&e.errors.first()?.message);
    (!clean.is_empty()).then_some(clean)
}

/// `text` the registry controls, fit for a message: control characters dropped, at most 200
/// characters (a decoding error quotes what it could not read, which may be anything).
fn printable(text: &str) -> String {
    let mut chars = text.chars().filter(|c| !c.is_control());
    let mut out: String = chars.by_ref().take(200).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// `Retry-After` in seconds or as an HTTP date.
fn parse_retry_after(res: &HttpResponse, now_ms: u64) -> Option<Duration> {
    let v = res.headers().get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = crate::httpdate::parse(v)?;
    Some(Duration::from_millis((at * 1000).saturating_sub(now_ms)))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod tests {
    use super::*;
    use crate::{
        transport::{fake::json_response, TransportError},
        Credential, FakeTransport,
    };
    use base64::Engine as _;

    /// A registry token (`exp` in 2030) or `given`.
    pub(crate) fn token_or(given: Option<&str>) -> String {
        given.map(str::to_owned).unwrap_or_else(|| {
            let b = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
            format!("{}.{}.sig", b(b"{}"), b(br#"{"exp":1900000000}"#))
        })
    }

    /// A password client whose token endpoint issues [`token_or`] tokens and whose other
    /// answers come from `data`.
    pub(crate) fn client(
        options: ClientOptions,
        data: impl Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync + 'static,
    ) -> (RegistryClient, FakeTransport) {
        let t = FakeTransport::new(move |req| {
            if req.uri().path().ends_with("/oauth2/token") {
                let token = serde_json::json!({ "access_token": token_or(None) });
                return Ok(json_response(200, &token, &[]));
            }
            data(req)
        });
        let credential =
            Credential::Password { username: "ci".into(), password: Secret::new("pw") };
        let c = RegistryClient::new(
            Arc::new(t.clone()),
            "https://console.example/registry/prod",
            "prod.azurecr.io",
            credential,
            options,
        )
        .unwrap();
        (c, t)
    }

    fn repo() -> acr_types::RepositoryName {
        acr_types::RepositoryName::new("prod/api").unwrap()
    }

    #[tokio::test]
    async fn a_flood_of_bytes_is_cut_at_the_limit_refused_and_never_retried() {
        let limit = 1024;
        let options = ClientOptions { max_response_bytes: limit, ..ClientOptions::default() };
        let (c, t) = client(options, |_| {
            let flood = format!("{{\"imageName\":\"{}\"}}", "x".repeat(10 * 1024 * 1024));
            Ok(http::Response::builder().status(200).body(flood.into_bytes()).unwrap())
        });
        let e = c.get_repository_properties(&repo()).await.unwrap_err();
        assert_eq!(e, ClientError::TooLarge { limit });
        let sent = t.requests();
        assert_eq!(sent.len(), 2, "one token request, one read, no retry");
        assert!(sent.iter().all(|r| BodyLimit::of(r) == limit), "every request names the limit");
    }

    #[tokio::test]
    async fn a_flood_from_the_token_endpoint_is_refused_too() {
        let options = ClientOptions { max_response_bytes: 64, ..ClientOptions::default() };
        let t = FakeTransport::new(|_| {
            Ok(http::Response::builder().status(200).body(vec![b' '; 4096]).unwrap())
        });
        let credential =
            Credential::Password { username: "ci".into(), password: Secret::new("pw") };
        let c = RegistryClient::new(
            Arc::new(t),
            "https://console.example/registry/prod",
            "prod.azurecr.io",
            credential,
            options,
        )
        .unwrap();
        let e = c.get_repository_properties(&repo()).await.unwrap_err();
        assert_eq!(e, ClientError::TooLarge { limit: 64 });
    }

    #[tokio::test]
    async fn an_unreadable_answer_is_described_without_control_characters_or_its_whole_text() {
        let (c, _) = client(ClientOptions::default(), |_| {
            let name = format!("<img src=x onerror=alert(1)>\u{7}{}", "y".repeat(5000));
            let body = serde_json::json!({ "registry": 42, "imageName": name });
            Ok(json_response(200, &body, &[]))
        });
        let e = c.get_repository_properties(&repo()).await.unwrap_err();
        let ClientError::Unexpected { message, .. } = &e else { panic!("{e:?}") };
        assert!(message.contains("could not be read"), "{message}");
        assert!(message.chars().count() < 300, "{} characters", message.chars().count());
        assert!(!message.chars().any(char::is_control), "{message:?}");
    }

    #[tokio::test]
    async fn an_error_body_under_200_is_an_error_not_an_empty_list() {
        let (c, _) = client(ClientOptions::default(), |_| {
            let body =
                serde_json::json!({"errors": [{"code": "UNAUTHORIZED", "message": "go away"}]});
            Ok(json_response(200, &body, &[]))
        });
        let e = crate::collect_all(c.list_repositories(), |_| {}).await.unwrap_err();
        let ClientError::Unexpected { status, code, message } = &e else { panic!("{e:?}") };
        assert_eq!((*status, code.as_deref()), (Some(200), Some("UNAUTHORIZED")));
        assert!(message.contains("was an error (UNAUTHORIZED): go away"), "{message}");
    }

    #[tokio::test]
    async fn a_token_that_expired_before_it_arrived_is_refused_with_the_clock_named() {
        let t = FakeTransport::new(|req| {
            if req.uri().path().ends_with("/oauth2/token") {
                let b = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
                let stale = format!("{}.{}.sig", b(b"{}"), b(br#"{"exp":1}"#));
                return Ok(json_response(200, &serde_json::json!({ "access_token": stale }), &[]));
            }
            panic!("no registry read may happen with an expired token: {}", req.uri());
        });
        let credential =
            Credential::Password { username: "ci".into(), password: Secret::new("pw") };
        let c = RegistryClient::new(
            Arc::new(t.clone()),
            "https://console.example/registry/prod",
            "prod.azurecr.io",
            credential,
            ClientOptions::default(),
        )
        .unwrap();
        let e = c.get_repository_properties(&repo()).await.unwrap_err();
        assert!(e.to_string().contains("already expired"), "{e}");
        assert!(e.to_string().contains("clock"), "{e}");
        assert_eq!(t.requests().len(), 1);
    }

    #[tokio::test]
    async fn a_redirect_is_refused_without_following_it() {
        let (c, t) = client(ClientOptions::default(), |_| {
            let to = "https://evil.example/acr/v1/prod%2Fapi";
            Ok(http::Response::builder()
                .status(302)
                .header("location", to)
                .body(Vec::new())
                .unwrap())
        });
        let e = c.get_repository_properties(&repo()).await.unwrap_err();
        assert!(e.to_string().contains("redirecting it elsewhere"), "{e}");
        assert!(e.to_string().contains("302"), "{e}");
        assert!(matches!(e, ClientError::Misdirected { .. }), "{e:?}");
        assert!(t.requests().iter().all(|r| r.uri().host() == Some("console.example")));
    }

    #[test]
    fn printable_drops_control_characters_and_cuts_long_text() {
        assert_eq!(printable("a\u{7}b\nc"), "abc");
        let long = printable(&"z".repeat(500));
        assert_eq!(long.chars().count(), 201);
        assert!(long.ends_with('…'));
    }
}
