//! The demo Entra authority: OpenID configuration, a sign-in page listing the demo users,
//! authorization code + PKCE (S256), refresh tokens, signing keys and sign-out, so the console's
//! real sign-in code runs unchanged against it.
//!
//! Paths are those of `login.microsoftonline.com` under any `{tenant}` segment; the issuer is
//! `{scheme}://{Host}/{tenant}/v2.0`. Errors of the token endpoint have Entra's JSON shape
//! (`error`, `error_description` starting with an `AADSTS` code, `error_codes`); errors of the
//! browser endpoints are small HTML pages and never redirect to an unvalidated URI.

use crate::{
    auth::{random_text, random_uuid, EntraContext, DEMO_TENANT_ID},
    error::acr_json,
    state::AppState,
    users::User,
};
use acr_types::Secret;
use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{header, HeaderMap, HeaderValue, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use base64::Engine as _;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use std::{
    collections::HashMap,
    fmt,
    sync::{Mutex, MutexGuard},
    time::{Duration, Instant},
};

/// How long an authorization code may be redeemed.
const CODE_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// How long a refresh token of the demo authority lives (Entra's limit for SPAs).
const REFRESH_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Scopes that ask for OpenID Connect features, not for a resource.
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// The ACR resource scope granted when a client names no resource.
const DEFAULT_RESOURCE_SCOPE: &str = "https://containerregistry.azure.net/user_impersonation";

/// A code handed out by the authorize endpoint (the code itself is the map key, not here).
#[derive(Debug)]
struct CodeGrant {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    scope: String,
    user_id: String,
    expires: Instant,
    redeemed: bool,
}

/// A refresh token handed out by the token endpoint (the token is the map key, not here).
#[derive(Debug, Clone)]
struct RefreshSession {
    user_id: String,
    client_id: String,
    scope: String,
    expires: Instant,
}

/// Authorization codes and refresh tokens handed out by the demo authority.
#[derive(Default)]
pub struct Sessions {
    codes: Mutex<HashMap<String, CodeGrant>>,
    refresh: Mutex<HashMap<String, RefreshSession>>,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("codes", &lock(&self.codes).len())
            .field("refresh_tokens", &lock(&self.refresh).len())
            .finish()
    }
}

/// Locks a map; a poisoned lock still holds consistent data (every update is one insert or
/// remove), so it is used as is.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Sessions {
    fn issue_code(&self, grant: CodeGrant) -> String {
        let code = random_text(32);
        let mut codes = lock(&self.codes);
        let now = Instant::now();
        codes.retain(|_, g| g.expires > now);
        codes.insert(code.clone(), grant);
        code
    }

    /// Takes a code for redemption: it must exist, be unexpired and not redeemed before. It is
    /// marked redeemed whatever happens next, so a code is tried at most once.
    fn redeem_code(&self, code: &str) -> Result<CodeGrant, EntraError> {
        let mut codes = lock(&self.codes);
        let Some(g) = codes.get_mut(code) else {
            return Err(EntraError::grant(
                70000,
                "The provided value for the 'code' parameter is not valid.",
            ));
        };
        if g.redeemed {
            return Err(EntraError::grant(54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."));
        }
        if g.expires <= Instant::now() {
            codes.remove(code);
            return Err(EntraError::grant(70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."));
        }
        g.redeemed = true;
        Ok(CodeGrant {
            client_id: g.client_id.clone(),
            redirect_uri: g.redirect_uri.clone(),
            code_challenge: g.code_challenge.clone(),
            nonce: g.nonce.clone(),
            scope: g.scope.clone(),
            user_id: g.user_id.clone(),
            expires: g.expires,
            redeemed: true,
        })
    }

    fn issue_refresh(&self, session: RefreshSession) -> Secret {
        let token = random_text(48);
        let mut all = lock(&self.refresh);
        let now = Instant::now();
        all.retain(|_, s| s.expires > now);
        all.insert(token.clone(), session);
        Secret::new(token)
    }

    /// Removes a refresh token for rotation; it must exist, be unexpired and belong to
    /// `client_id`.
    fn take_refresh(&self, token: &str, client_id: &str) -> Result<RefreshSession, EntraError> {
        let mut all = lock(&self.refresh);
        let invalid = || {
            EntraError::grant(
                9002313,
                "Invalid request. Request is malformed or invalid: the refresh token is not known (revoked, rotated or never issued).",
            )
        };
        let s = all.get(token).ok_or_else(invalid)?;
        if s.client_id != client_id {
            return Err(EntraError::grant(
                70000,
                "The refresh token was issued to a different client_id.",
            ));
        }
        let s = all.remove(token).ok_or_else(invalid)?;
        if s.expires <= Instant::now() {
            return Err(EntraError::grant(700084, "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page."));
        }
        Ok(s)
    }

    /// Revokes every refresh token of the user with this id; returns how many there were.
    pub fn revoke_user(&self, user_id: &str) -> usize {
        let mut all = lock(&self.refresh);
        let before = all.len();
        all.retain(|_, s| s.user_id != user_id);
        before - all.len()
    }

    /// Live refresh tokens of the user with this id.
    pub fn refresh_tokens_of(&self, user_id: &str) -> usize {
        let now = Instant::now();
        lock(&self.refresh).values().filter(|s| s.user_id == user_id && s.expires > now).count()
    }
}

/// Routes under `/{tenant}/…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration).options(preflight),
        )
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize_get).post(authorize_post))
        .route("/{tenant}/oauth2/v2.0/token", axum::routing::post(token).options(preflight))
        .route("/{tenant}/discovery/v2.0/keys", get(keys).options(preflight))
        .route("/{tenant}/oauth2/v2.0/logout", get(logout))
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// `{scheme}://{host}` of the request: the `Host` header, else the URI's authority (HTTP/2),
/// else the listen address.
fn origin(state: &AppState, headers: &HeaderMap, uri: &Uri) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .or_else(|| uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| state.config.listen.to_string());
    format!("{}://{host}", state.scheme())
}

/// Characters percent-encoded in a path segment: all but RFC 3986 unreserved ones.
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The path segment `tenant`, percent-encoded.
fn tenant_segment(tenant: &str) -> String {
    percent_encoding::utf8_percent_encode(tenant, SEGMENT).to_string()
}

/// `{origin}/{tenant}`.
fn authority(state: &AppState, headers: &HeaderMap, uri: &Uri, tenant: &str) -> String {
    format!("{}/{}", origin(state, headers, uri), tenant_segment(tenant))
}

/// The `tid` for a tenant segment: the segment itself when it is a GUID, else the demo tenant.
fn tenant_id(tenant: &str) -> String {
    let b = tenant.as_bytes();
    let guid = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    if guid {
        tenant.to_ascii_lowercase()
    } else {
        DEMO_TENANT_ID.to_owned()
    }
}

/// Decodes `application/x-www-form-urlencoded` text into pairs (repeats kept).
fn pairs(raw: &[u8]) -> Option<Vec<(String, String)>> {
    serde_urlencoded::from_bytes(raw).ok()
}

/// The first value of `name`, if non-empty.
fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// True for an absolute `http`/`https` URL with a host, printable ASCII and no fragment: the
/// only redirect targets the authority sends a browser to.
pub fn is_http_url(uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://") {
        r
    } else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    uri.bytes().all(|b| b.is_ascii_graphic())
        && !uri.contains(['#', '<', '>', '"', '\'', '`', '\\'])
        && !host.is_empty()
        && !host.contains('@')
        && !host.starts_with(':')
}

const PAGE_STYLE: &str = "body{font-family:'Segoe UI',system-ui,sans-serif;background:#f2f2f2;margin:0;color:#1b1b1b}\
main{max-width:440px;margin:8vh auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}\
h1{font-size:1.5rem;font-weight:600;margin:0 0 .5rem}p{margin:.4rem 0}.note{color:#605e5c;font-size:.85rem}\
button{display:block;width:100%;text-align:left;background:#fff;border:1px solid #c8c6c4;padding:12px 14px;margin:10px 0;cursor:pointer;font:inherit}\
button:hover,button:focus{background:#f3f2f1;border-color:#0067b8}\
.name{font-weight:600;display:block}.upn{display:block;color:#323130}.desc{display:block;color:#605e5c;font-size:.85rem}\
.error{color:#a80000}code{word-break:break-all}";

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title><style>{PAGE_STYLE}</style></head><body><main>{body}</main></body></html>\n",
        escape(title)
    );
    let mut res = (status, page).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    res
}

/// The 400 page for a bad authorize or logout request.
fn error_page(code: u32, message: &str) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        "Sign in - error",
        &format!(
            "<h1>Sorry, but we're having trouble signing you in.</h1>\
<p class=\"error\">AADSTS{code}: {}</p>\
<p class=\"note\">Demo authority of the ACR emulator. The request was not redirected.</p>",
            escape(message)
        ),
    )
}

/// Adds `Access-Control-Allow-Origin: <Origin>` and `Vary: Origin` when the request has an
/// `Origin` (Entra allows cross-origin SPA calls to these endpoints).
fn with_cors(headers: &HeaderMap, mut res: Response) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    res
}

/// `OPTIONS` preflight of the token, keys and discovery endpoints.
async fn preflight(headers: HeaderMap) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    let allow = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("Content-Type"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allow);
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("86400"));
    with_cors(&headers, res)
}

/// JSON with Entra's caching headers.
fn entra_json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    let mut res = acr_json(status, value);
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store, no-cache"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

/// A token-endpoint error, rendered as Entra renders it.
#[derive(Debug)]
struct EntraError {
    error: &'static str,
    code: u32,
    message: String,
}

impl EntraError {
    fn new(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self { error, code, message: message.into() }
    }
    fn grant(code: u32, message: impl Into<String>) -> Self {
        Self::new("invalid_grant", code, message)
    }
    fn request(code: u32, message: impl Into<String>) -> Self {
        Self::new("invalid_request", code, message)
    }
    fn missing(name: &str) -> Self {
        Self::request(
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }
}

impl IntoResponse for EntraError {
    fn into_response(self) -> Response {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        let ts = acr_types::Timestamp::from_unix_nanos(nanos);
        let stamp = format!("{}Z", ts.as_str().get(..19).unwrap_or("").replace('T', " "));
        let (trace, correlation) = (random_uuid(), random_uuid());
        let body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {stamp}",
                self.code, self.message
            ),
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
        });
        entra_json(StatusCode::BAD_REQUEST, &body)
    }
}

// ---------------------------------------------------------------------------------------------
// Discovery and keys

async fn openid_configuration(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let a = authority(&state, &headers, &uri, &tenant);
    let doc = json!({
        "token_endpoint": format!("{a}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["none"],
        "jwks_uri": format!("{a}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{a}/v2.0"),
        "request_uri_parameter_supported": false,
        "authorization_endpoint": format!("{a}/oauth2/v2.0/authorize"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": false,
        "end_session_endpoint": format!("{a}/oauth2/v2.0/logout"),
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nbf", "nonce", "name", "preferred_username",
            "oid", "tid", "ver", "upn", "scp", "azp", "login_hint"
        ],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "tenant_region_scope": null,
        "cloud_instance_name": "acr-emulator.local",
    });
    with_cors(&headers, entra_json(StatusCode::OK, &doc))
}

async fn keys(State(state): State<AppState>, headers: HeaderMap) -> Response {
    with_cors(&headers, entra_json(StatusCode::OK, &state.issuer.jwks()))
}

// ---------------------------------------------------------------------------------------------
// Authorize

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseMode {
    Query,
    Fragment,
}

/// A validated authorization request.
struct AuthRequest {
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: String,
    response_mode: ResponseMode,
    prompt: Option<String>,
    login_hint: Option<String>,
}

/// Why an authorization request is refused (rendered as the 400 page).
struct Refusal(u32, String);

impl AuthRequest {
    fn parse(p: &[(String, String)]) -> Result<Self, Refusal> {
        let missing = |name: &str| {
            Refusal(
                900144,
                format!("The request body must contain the following parameter: '{name}'."),
            )
        };
        let client_id = param(p, "client_id").ok_or_else(|| missing("client_id"))?;
        let redirect_uri = param(p, "redirect_uri").ok_or_else(|| missing("redirect_uri"))?;
        if !is_http_url(redirect_uri) {
            return Err(Refusal(
                50011,
                format!("The redirect URI '{redirect_uri}' is not an absolute http(s) URL without a fragment."),
            ));
        }
        let response_type = param(p, "response_type").ok_or_else(|| missing("response_type"))?;
        if response_type != "code" {
            return Err(Refusal(
                700054,
                format!("response_type '{response_type}' is not supported; the demo authority only issues authorization codes (response_type=code)."),
            ));
        }
        let scope = param(p, "scope").ok_or_else(|| missing("scope"))?;
        let code_challenge = param(p, "code_challenge").ok_or_else(|| {
            Refusal(9002325, "Proof Key for Code Exchange is required for cross-origin authorization code redemption (code_challenge is missing).".into())
        })?;
        match param(p, "code_challenge_method") {
            Some("S256") => {}
            other => {
                return Err(Refusal(
                    501491,
                    format!(
                        "Invalid code_challenge_method '{}': the demo authority only accepts S256.",
                        other.unwrap_or("plain")
                    ),
                ))
            }
        }
        let valid_challenge = (43..=128).contains(&code_challenge.len())
            && code_challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !valid_challenge {
            return Err(Refusal(
                501481,
                "The code_challenge must be 43 to 128 characters of base64url (S256 of the code_verifier).".into(),
            ));
        }
        let response_mode = match param(p, "response_mode") {
            None | Some("query") => ResponseMode::Query,
            Some("fragment") => ResponseMode::Fragment,
            Some(other) => {
                return Err(Refusal(
                    900351,
                    format!("response_mode '{other}' is not supported; use query or fragment."),
                ))
            }
        };
        let owned = |s: Option<&str>| s.map(str::to_owned);
        Ok(Self {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scope: scope.to_owned(),
            state: owned(param(p, "state")),
            nonce: owned(param(p, "nonce")),
            code_challenge: code_challenge.to_owned(),
            response_mode,
            prompt: owned(param(p, "prompt")),
            login_hint: owned(param(p, "login_hint")),
        })
    }

    /// The parameters to carry through the sign-in page.
    fn hidden(&self) -> Vec<(&'static str, &str)> {
        let mut v = vec![
            ("client_id", self.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("scope", self.scope.as_str()),
            ("code_challenge", self.code_challenge.as_str()),
            ("code_challenge_method", "S256"),
            (
                "response_mode",
                match self.response_mode {
                    ResponseMode::Query => "query",
                    ResponseMode::Fragment => "fragment",
                },
            ),
        ];
        for (k, val) in [("state", &self.state), ("nonce", &self.nonce)] {
            if let Some(val) = val {
                v.push((k, val.as_str()));
            }
        }
        v
    }

    /// A 302 to the redirect URI with `params` in the query or fragment, plus `state`.
    fn redirect(&self, params: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = params.to_vec();
        if let Some(s) = &self.state {
            all.push(("state", s));
        }
        let encoded = serde_urlencoded::to_string(&all).unwrap_or_default();
        let location = match self.response_mode {
            ResponseMode::Query if self.redirect_uri.contains('?') => {
                format!("{}&{encoded}", self.redirect_uri)
            }
            ResponseMode::Query => format!("{}?{encoded}", self.redirect_uri),
            ResponseMode::Fragment => format!("{}#{encoded}", self.redirect_uri),
        };
        found(&location)
    }
}

/// A `302 Found` to `location` (already validated).
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => {
            let mut res = StatusCode::FOUND.into_response();
            res.headers_mut().insert(header::LOCATION, v);
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(_) => error_page(50011, "The redirect URI cannot be sent in a Location header."),
    }
}

/// The demo user a `login_hint` or `logout_hint` names (id, UPN or the id token's `login_hint`
/// claim, which is the object id; case-insensitive).
fn hinted_user<'a>(state: &'a AppState, hint: &str) -> Option<&'a User> {
    state.users.entra().find(|u| {
        u.id.eq_ignore_ascii_case(hint)
            || u.upn.eq_ignore_ascii_case(hint)
            || u.object_id.eq_ignore_ascii_case(hint)
    })
}

/// Issues a code for `user` and redirects back to the client.
fn complete(state: &AppState, req: &AuthRequest, user: &User) -> Response {
    let code = state.entra.issue_code(CodeGrant {
        client_id: req.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        code_challenge: req.code_challenge.clone(),
        nonce: req.nonce.clone(),
        scope: req.scope.clone(),
        user_id: user.id.clone(),
        expires: Instant::now() + CODE_LIFETIME,
        redeemed: false,
    });
    req.redirect(&[("code", &code)])
}

async fn authorize_get(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(p) = pairs(query.unwrap_or_default().as_bytes()) else {
        return error_page(900144, "The query string is not valid URL encoding.");
    };
    let req = match AuthRequest::parse(&p) {
        Ok(r) => r,
        Err(Refusal(code, message)) => return error_page(code, &message),
    };
    let prompt = req.prompt.as_deref();
    let hinted = req.login_hint.as_deref().and_then(|h| hinted_user(&state, h));
    if !matches!(prompt, Some("login" | "select_account")) {
        if let Some(user) = hinted {
            return complete(&state, &req, user);
        }
    }
    if prompt == Some("none") {
        return req.redirect(&[
            ("error", "login_required"),
            ("error_description", "AADSTS50058: A silent sign-in request was sent but no user is signed in (no login_hint naming a demo user)."),
        ]);
    }
    sign_in_page(&state, &tenant, &req)
}

fn sign_in_page(state: &AppState, tenant: &str, req: &AuthRequest) -> Response {
    let mut body = String::from(
        "<h1>Pick an account</h1><p class=\"note\">Demo authority of the ACR emulator: no password, \
choose who you are.</p>",
    );
    body.push_str(&format!(
        "<p class=\"note\">Application <code>{}</code> will receive a token and continue at \
<code>{}</code>.</p>",
        escape(&req.client_id),
        escape(&req.redirect_uri)
    ));
    body.push_str(&format!(
        "<form method=\"post\" action=\"/{}/oauth2/v2.0/authorize\">",
        escape(&tenant_segment(tenant))
    ));
    for (name, value) in req.hidden() {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        ));
    }
    let mut any = false;
    for u in state.users.entra() {
        any = true;
        body.push_str(&format!(
            "<button type=\"submit\" name=\"user\" value=\"{}\"><span class=\"name\">{}</span>\
<span class=\"upn\">{}</span><span class=\"desc\">{}</span></button>",
            escape(&u.id),
            escape(&u.display_name),
            escape(&u.upn),
            escape(&u.description)
        ));
    }
    if !any {
        body.push_str("<p class=\"error\">This emulator has no Entra users.</p>");
    }
    body.push_str("</form>");
    html(StatusCode::OK, "Sign in to your account", &body)
}

async fn authorize_post(State(state): State<AppState>, body: Bytes) -> Response {
    let Some(p) = pairs(&body) else {
        return error_page(900144, "The form is not valid URL encoding.");
    };
    let req = match AuthRequest::parse(&p) {
        Ok(r) => r,
        Err(Refusal(code, message)) => return error_page(code, &message),
    };
    let Some(id) = param(&p, "user") else {
        return error_page(900144, "No user was chosen.");
    };
    match state.users.entra().find(|u| u.id == id) {
        Some(user) => complete(&state, &req, user),
        None => error_page(
            50034,
            &format!("The user account '{id}' does not exist in this demo authority."),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Token

/// The token endpoint's answer.
#[derive(Serialize)]
struct TokenResponse {
    token_type: &'static str,
    scope: String,
    expires_in: u64,
    ext_expires_in: u64,
    access_token: Secret,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<Secret>,
}

/// The resource scopes of a scope string, as Entra reports them (`/.default` becomes the
/// resource's `user_impersonation`), and the `scp` claim they make.
fn resource_scopes(scope: &str) -> (String, String) {
    let mut full: Vec<String> = scope
        .split_whitespace()
        .filter(|s| !OIDC_SCOPES.contains(&s.to_ascii_lowercase().as_str()))
        .map(|s| match s.strip_suffix("/.default") {
            Some(resource) => format!("{resource}/user_impersonation"),
            None => s.to_owned(),
        })
        .collect();
    if full.is_empty() {
        full.push(DEFAULT_RESOURCE_SCOPE.to_owned());
    }
    full.dedup();
    let scp: Vec<&str> = full.iter().map(|s| s.rsplit('/').next().unwrap_or(s)).collect();
    (full.join(" "), scp.join(" "))
}

fn has_scope(scope: &str, name: &str) -> bool {
    scope.split_whitespace().any(|s| s.eq_ignore_ascii_case(name))
}

fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let digest = Sha256::digest(verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == challenge
}

async fn token(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let res = match token_inner(&state, &tenant, &headers, &uri, &body) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    with_cors(&headers, res)
}

fn token_inner(
    state: &AppState,
    tenant: &str,
    headers: &HeaderMap,
    uri: &Uri,
    body: &[u8],
) -> Result<Response, EntraError> {
    let p = pairs(body).ok_or_else(|| {
        EntraError::request(900144, "The request body is not valid form encoding.")
    })?;
    let get = |name: &str| param(&p, name).ok_or_else(|| EntraError::missing(name));
    let grant_type = get("grant_type")?;
    let client_id = get("client_id")?;
    let (user_id, scope, nonce, expires) = match grant_type {
        "authorization_code" => {
            let code = get("code")?;
            let redirect_uri = get("redirect_uri")?;
            let verifier = get("code_verifier")?;
            let grant = state.entra.redeem_code(code)?;
            if grant.client_id != client_id {
                return Err(EntraError::grant(
                    70000,
                    "The authorization code was issued to a different client_id.",
                ));
            }
            if grant.redirect_uri != redirect_uri {
                return Err(EntraError::grant(
                    500117,
                    "The reply uri specified in the request does not match the reply uri of the authorization request.",
                ));
            }
            if !pkce_matches(verifier, &grant.code_challenge) {
                return Err(EntraError::grant(
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                ));
            }
            (grant.user_id, grant.scope, grant.nonce, Instant::now() + REFRESH_LIFETIME)
        }
        "refresh_token" => {
            let token = get("refresh_token")?;
            let s = state.entra.take_refresh(token, client_id)?;
            (s.user_id, s.scope, None, s.expires)
        }
        other => {
            return Err(EntraError::new(
                "unsupported_grant_type",
                70003,
                format!("The app requested an unsupported grant type '{other}'."),
            ))
        }
    };
    let Some(user) = state.users.by_id(&user_id) else {
        return Err(EntraError::grant(50034, "The user account no longer exists."));
    };
    let issuer = format!("{}/v2.0", authority(state, headers, uri, tenant));
    let tid = tenant_id(tenant);
    let ctx = EntraContext { issuer: &issuer, tenant_id: &tid, client_id };
    let (resource_scope, scp) = resource_scopes(&scope);
    let life = state.issuer.lifetimes().entra_access.as_secs();
    let refresh_token = has_scope(&scope, "offline_access").then(|| {
        state.entra.issue_refresh(RefreshSession {
            user_id: user.id.clone(),
            client_id: client_id.to_owned(),
            scope: scope.clone(),
            expires,
        })
    });
    let id_token = has_scope(&scope, "openid")
        .then(|| state.issuer.entra_id_token(&ctx, user, nonce.as_deref()));
    let mut granted = resource_scope;
    for s in ["openid", "profile", "email"] {
        if has_scope(&scope, s) {
            granted.push(' ');
            granted.push_str(s);
        }
    }
    let answer = TokenResponse {
        token_type: "Bearer",
        scope: granted,
        expires_in: life,
        ext_expires_in: life,
        access_token: state.issuer.entra_access_token(&ctx, user, &scp),
        refresh_token,
        id_token,
    };
    Ok(entra_json(StatusCode::OK, &answer))
}

// ---------------------------------------------------------------------------------------------
// Logout

async fn logout(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let p = pairs(query.unwrap_or_default().as_bytes()).unwrap_or_default();
    let by_hint = param(&p, "logout_hint").and_then(|h| hinted_user(&state, h));
    let by_id_token = param(&p, "id_token_hint")
        .and_then(|t| state.issuer.verify_signature(t).ok())
        .and_then(|c| c.get("oid").and_then(|o| o.as_str()).map(str::to_owned))
        .and_then(|oid| state.users.by_object_id(&oid));
    let mut revoked = false;
    for user in [by_hint, by_id_token].into_iter().flatten() {
        state.entra.revoke_user(&user.id);
        revoked = true;
    }
    if let Some(target) = param(&p, "post_logout_redirect_uri").filter(|u| is_http_url(u)) {
        let location = match param(&p, "state") {
            Some(s) => {
                let sep = if target.contains('?') { '&' } else { '?' };
                format!(
                    "{target}{sep}{}",
                    serde_urlencoded::to_string([("state", s)]).unwrap_or_default()
                )
            }
            None => target.to_owned(),
        };
        return found(&location);
    }
    let note = if revoked {
        "The demo authority forgot this account's sessions (refresh tokens)."
    } else {
        "No account was named, so no session was revoked."
    };
    html(
        StatusCode::OK,
        "Signed out",
        &format!(
            "<h1>You are signed out</h1><p>You signed out of your account.</p>\
<p class=\"note\">{note} It's a good idea to close all browser windows.</p>"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_must_be_absolute_http() {
        for ok in ["http://localhost:8080/cb", "https://app.example/x?y=1", "HTTPS://A.B"] {
            assert!(is_http_url(ok), "{ok}");
        }
        for bad in [
            "",
            "/relative",
            "javascript:alert(1)",
            "http://",
            "http:///x",
            "https://a.b/#frag",
            "https://a b/",
            "https://evil@a.b/",
            "ftp://a.b/",
            "https://a.b/\"><script>",
            "https://ä.example/",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }

    #[test]
    fn scopes_map_like_entra() {
        let (s, scp) =
            resource_scopes("https://containerregistry.azure.net/.default openid offline_access");
        assert_eq!(s, "https://containerregistry.azure.net/user_impersonation");
        assert_eq!(scp, "user_impersonation");
        assert_eq!(resource_scopes("openid").0, DEFAULT_RESOURCE_SCOPE);
        assert!(has_scope("openid profile", "OPENID"));
    }

    #[test]
    fn html_is_escaped_and_tenants_encoded() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(tenant_segment("my-tenant.x_y"), "my-tenant.x_y");
        assert_eq!(tenant_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(tenant_id("demo"), DEMO_TENANT_ID);
        assert_eq!(
            tenant_id("72F988BF-86F1-41AF-91AB-2D7CD011DB47"),
            "72f988bf-86f1-41af-91ab-2d7cd011db47"
        );
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let s = Sessions::default();
        let grant = |expires| CodeGrant {
            client_id: "c".into(),
            redirect_uri: "http://x/".into(),
            code_challenge: "x".into(),
            nonce: None,
            scope: "openid".into(),
            user_id: "u".into(),
            expires,
            redeemed: false,
        };
        let code = s.issue_code(grant(Instant::now() + CODE_LIFETIME));
        assert!(s.redeem_code(&code).is_ok());
        assert_eq!(s.redeem_code(&code).unwrap_err().code, 54005);
        assert_eq!(s.redeem_code("nope").unwrap_err().code, 70000);
        let old = s.issue_code(grant(Instant::now()));
        assert_eq!(s.redeem_code(&old).unwrap_err().code, 70008);
        let session = RefreshSession {
            user_id: "u".into(),
            client_id: "c".into(),
            scope: String::new(),
            expires: Instant::now() + REFRESH_LIFETIME,
        };
        let r = s.issue_refresh(session.clone());
        assert!(s.take_refresh(r.expose(), "other").is_err());
        assert!(s.take_refresh(r.expose(), "c").is_ok());
        assert!(s.take_refresh(r.expose(), "c").is_err());
        s.issue_refresh(session.clone());
        s.issue_refresh(session);
        assert_eq!(s.refresh_tokens_of("u"), 2);
        assert_eq!(s.revoke_user("u"), 2);
        assert!(!format!("{s:?}").contains(r.expose()));
    }

    #[test]
    fn pkce_is_s256() {
        // RFC 7636 appendix B.
        assert!(pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_matches("other", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    }
}
