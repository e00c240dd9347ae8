//! Microsoft Entra ID sign-in for a single-page app, as a protocol: the authorization request
//! (authorization code + PKCE S256, CSRF `state`, OpenID `nonce`), the redemption of the code
//! and of refresh tokens at `{authority}/oauth2/v2.0/token`, the end-session URL, and reading
//! the id token's claims. The PKCE challenge and the verifier/state types come from the `oauth2`
//! crate, their random bytes from `getrandom`; every request goes through a [`Transport`], so
//! the flow is tested natively against a fake and the emulator.
//!
//! It owns no storage, timers or browser state: the console's session decides where the
//! verifier and tokens are kept and when to renew. Tokens are [`Secret`]s and never appear in
//! `Debug` output or errors.
//!
//! ```no_run
//! # async fn f(t: &dyn acr_client::Transport) -> Result<(), acr_client::ClientError> {
//! use acr_client::entra::{self, EntraApp};
//! let app = EntraApp {
//!     client_id: "00000000-0000-0000-0000-00000000c0de".into(),
//!     authority: "https://login.microsoftonline.com/contoso.example".into(),
//!     redirect_uri: "https://console.example/".into(),
//!     scopes: vec!["https://containerregistry.azure.net/.default".into()],
//! };
//! let request = entra::authorize_url(&app, None)?;
//! // Keep request.state, request.nonce and request.verifier; send the browser to request.url.
//! // Back at the redirect URI with ?code=…&state=… (state checked by the caller):
//! let tokens = entra::redeem_code(t, &app, "the code", &request.verifier).await?;
//! # Ok(()) }
//! ```

use crate::{
    transport::{BodyLimit, HttpRequest, HttpResponse, Transport},
    ClientError,
};
use acr_types::Secret;
use base64::{
    alphabet,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
    Engine as _,
};
use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier};
use serde::Deserialize;
use std::fmt;

/// Scopes every sign-in asks for besides the configured ones: an id token (`openid`), the
/// account's name (`profile`) and a refresh token for silent renewal (`offline_access`).
pub const OIDC_SCOPES: [&str; 3] = ["openid", "profile", "offline_access"];

/// Lifetime assumed when the authority's answer has no `expires_in` (Entra's default).
const DEFAULT_LIFETIME_MS: u64 = 3_600_000;

/// The Entra application the console signs in as, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraApp {
    /// Application (client) id.
    pub client_id: String,
    /// Authority without a trailing `/`, e.g. `https://login.microsoftonline.com/<tenant>`.
    pub authority: String,
    /// Where the authority sends the browser back (a single-page-application redirect URI).
    pub redirect_uri: String,
    /// Resource scopes, e.g. `https://containerregistry.azure.net/.default`.
    pub scopes: Vec<String>,
}

impl EntraApp {
    /// `{authority}/oauth2/v2.0/authorize`.
    pub fn authorize_endpoint(&self) -> String {
        [self.authority.trim_end_matches('/'), "/oauth2/v2.0/authorize"].concat()
    }

    /// `{authority}/oauth2/v2.0/token`.
    pub fn token_endpoint(&self) -> String {
        [self.authority.trim_end_matches('/'), "/oauth2/v2.0/token"].concat()
    }

    /// `{authority}/oauth2/v2.0/logout`.
    pub fn logout_endpoint(&self) -> String {
        [self.authority.trim_end_matches('/'), "/oauth2/v2.0/logout"].concat()
    }

    /// The configured scopes followed by [`OIDC_SCOPES`], each once (case-insensitive).
    pub fn requested_scopes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in self.scopes.iter().map(String::as_str).chain(OIDC_SCOPES) {
            if !s.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(s)) {
                out.push(s.to_owned());
            }
        }
        out
    }
}

/// A sign-in to start: send the browser to `url`, and keep `state`, `nonce` and `verifier`
/// (the console keeps them in `sessionStorage`) to finish it when the authority redirects back.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    /// The authorization URL (`response_type=code`, `response_mode=query`, PKCE S256).
    pub url: String,
    /// The CSRF `state` the redirect back must carry.
    pub state: String,
    /// The `nonce` the id token must carry.
    pub nonce: String,
    /// The PKCE code verifier, sent when the code is redeemed.
    pub verifier: Secret,
}

/// The authority's tokens. `Debug` shows only the expiry and the scope.
#[derive(Clone, PartialEq, Eq)]
pub struct EntraTokens {
    /// The access token for the configured resource (ACR).
    pub access_token: Secret,
    /// The refresh token (asked for with `offline_access`); Entra rotates it on every use.
    pub refresh_token: Option<Secret>,
    /// The id token (asked for with `openid`).
    pub id_token: Option<Secret>,
    /// When the tokens were received, ms since the Unix epoch (the transport's clock).
    pub issued_at_ms: u64,
    /// When the access token expires, ms since the Unix epoch.
    pub expires_at_ms: u64,
    /// The scopes granted, as the authority reported them.
    pub scope: Vec<String>,
    /// The token type (`Bearer`).
    pub token_type: String,
}

impl fmt::Debug for EntraTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntraTokens")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "<redacted>"))
            .field("id_token", &self.id_token.as_ref().map(|_| "<redacted>"))
            .field("issued_at_ms", &self.issued_at_ms)
            .field("expires_at_ms", &self.expires_at_ms)
            .field("scope", &self.scope)
            .field("token_type", &self.token_type)
            .finish()
    }
}

/// The claims of an id token the console reads (decoded, not verified, as MSAL.js does in the
/// browser: the token came straight from the authority over TLS in answer to our own request).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct IdClaims {
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// User principal name or e-mail.
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// The nonce of the authorization request.
    #[serde(default)]
    pub nonce: Option<String>,
    /// The account's object id.
    #[serde(default)]
    pub oid: Option<String>,
    /// Entra's optional `login_hint` claim: an opaque value naming the account, which is what
    /// the end-session endpoint's `logout_hint` expects (MSAL.js sends it there).
    #[serde(default)]
    pub login_hint: Option<String>,
    /// The tenant id.
    #[serde(default)]
    pub tid: Option<String>,
    /// Expiry, seconds since the Unix epoch.
    #[serde(default)]
    pub exp: Option<i64>,
}

/// Who to sign out at the authority.
#[derive(Debug, Clone, Copy)]
pub enum LogoutHint<'a> {
    /// The account's login name (`logout_hint`, as MSAL.js sends it): no token in the URL.
    Login(&'a str),
    /// The id token (`id_token_hint`, OpenID Connect RP-initiated logout). It ends up in the
    /// authority's URL and the browser history, so prefer [`LogoutHint::Login`].
    IdToken(&'a Secret),
}

/// The token endpoint's answer (Entra's JSON).
/// A lifetime in seconds as a JSON integer, float or numeric string; anything else is absent
/// (the default lifetime then applies) rather than an unreadable answer.
fn lenient_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Number(n)) => {
            // Truncation is intended: a fraction of a second does not matter here.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
        }
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

#[derive(Deserialize)]
struct RawTokens {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    /// Seconds; Entra writes a number, some proxies and older endpoints a numeric string.
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
}

/// The token endpoint's refusal (RFC 6749 §5.2; Entra adds codes and trace ids).
#[derive(Deserialize)]
struct RawRefusal {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// `base` with `pairs` as its form-encoded query.
fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    [base, "?", &query].concat()
}

/// A POST of `form` to the token endpoint (a public client: `client_id` in the body, no secret).
fn token_request(app: &EntraApp, form: &[(&str, &str)]) -> Result<HttpRequest, ClientError> {
    let body = serde_urlencoded::to_string(form)
        .map_err(|e| ClientError::unexpected(format!("the sign-in form: {e}")))?;
    http::Request::post(app.token_endpoint())
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "application/json")
        .body(body.into_bytes())
        .map_err(|_| config_error("authority", &app.authority))
}

fn config_error(what: &str, value: &str) -> ClientError {
    ClientError::unexpected(format!("the sign-in {what} \"{value}\" is not a valid URL"))
}

/// The largest token endpoint answer read: Entra's are a few KB (an id token, an access token
/// and a refresh token).
pub const TOKEN_ANSWER_LIMIT: usize = 64 * 1024;

/// Sends `form` to the token endpoint and reads the answer (at most [`TOKEN_ANSWER_LIMIT`]).
async fn token_call(
    transport: &dyn Transport,
    app: &EntraApp,
    form: &[(&str, &str)],
) -> Result<EntraTokens, ClientError> {
    let mut request = token_request(app, form)?;
    request.extensions_mut().insert(BodyLimit(TOKEN_ANSWER_LIMIT));
    let response = transport.send(request).await.map_err(|t| ClientError::Network {
        message: format!("the sign-in authority could not be reached ({})", t.message),
    })?;
    if response.body().len() > TOKEN_ANSWER_LIMIT {
        return Err(ClientError::unexpected(format!(
            "the sign-in authority's answer is larger than {} KB and was not read",
            TOKEN_ANSWER_LIMIT / 1024
        )));
    }
    read_tokens(&response, transport.now_ms())
}

/// Starts a sign-in: a fresh PKCE verifier (S256), `state` and `nonce`, and the authorization
/// URL asking for the configured scopes plus [`OIDC_SCOPES`]. `login_hint` pre-selects the
/// account at the authority.
pub fn authorize_url(
    app: &EntraApp,
    login_hint: Option<&str>,
) -> Result<AuthorizeRequest, ClientError> {
    authorize_url_with(
        app,
        login_hint,
        PkceCodeVerifier::new(random_token(32)?),
        CsrfToken::new(random_token(16)?),
        random_token(16)?,
    )
}

/// `len` bytes from the platform's secure random source (`crypto.getRandomValues` in the
/// browser), base64url without padding: the sizes `oauth2`'s `new_random_sha256` (32 bytes, a
/// 43-character verifier) and `CsrfToken::new_random` (16 bytes) use, read directly instead of
/// through `rand::thread_rng`, whose ChaCha generator would only add code to the wasm.
fn random_token(len: usize) -> Result<String, ClientError> {
    let mut bytes = vec![0; len];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| ClientError::unexpected(format!("no secure random numbers: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// [`authorize_url`] with a given verifier, state and nonce (tests use RFC 7636's vector).
fn authorize_url_with(
    app: &EntraApp,
    login_hint: Option<&str>,
    verifier: PkceCodeVerifier,
    state: CsrfToken,
    nonce: String,
) -> Result<AuthorizeRequest, ClientError> {
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
    let scope = app.requested_scopes().join(" ");
    let mut pairs = vec![
        ("client_id", app.client_id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", app.redirect_uri.as_str()),
        ("scope", scope.as_str()),
        ("state", state.secret().as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", challenge.method().as_str()),
        ("response_mode", "query"),
        ("nonce", nonce.as_str()),
    ];
    if let Some(hint) = login_hint.filter(|h| !h.is_empty()) {
        pairs.push(("login_hint", hint));
    }
    Ok(AuthorizeRequest {
        url: with_query(&app.authorize_endpoint(), &pairs),
        state: state.secret().clone(),
        nonce: nonce.clone(),
        verifier: Secret::new(verifier.secret().clone()),
    })
}

/// Redeems the authorization `code` with its PKCE `verifier` (POST to the token endpoint
/// through `transport`). The authority's refusal (`{"error","error_description"}`) becomes
/// [`ClientError::SignInRequired`] with its description.
pub async fn redeem_code(
    transport: &dyn Transport,
    app: &EntraApp,
    code: &str,
    verifier: &Secret,
) -> Result<EntraTokens, ClientError> {
    let scope = app.requested_scopes().join(" ");
    token_call(
        transport,
        app,
        &[
            ("client_id", app.client_id.as_str()),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", app.redirect_uri.as_str()),
            ("code_verifier", verifier.expose()),
            // MSAL.js names the scopes on redemption too; Entra uses them to pick the resource.
            ("scope", scope.as_str()),
        ],
    )
    .await
}

/// Trades `refresh_token` for new tokens (Entra rotates the refresh token: use the new one).
pub async fn refresh(
    transport: &dyn Transport,
    app: &EntraApp,
    refresh_token: &Secret,
) -> Result<EntraTokens, ClientError> {
    let scope = app.requested_scopes().join(" ");
    token_call(
        transport,
        app,
        &[
            ("client_id", app.client_id.as_str()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
            ("scope", scope.as_str()),
        ],
    )
    .await
}

/// The authority's sign-out URL: `{authority}/oauth2/v2.0/logout` with
/// `post_logout_redirect_uri` and the hint naming the account.
pub fn end_session_url(
    app: &EntraApp,
    post_logout_redirect_uri: &str,
    hint: Option<LogoutHint<'_>>,
) -> Result<String, ClientError> {
    let mut pairs = vec![("post_logout_redirect_uri", post_logout_redirect_uri)];
    match hint {
        Some(LogoutHint::Login(login)) => pairs.push(("logout_hint", login)),
        Some(LogoutHint::IdToken(token)) => pairs.push(("id_token_hint", token.expose())),
        None => {}
    }
    Ok(with_query(&app.logout_endpoint(), &pairs))
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// The claims of an id token (its payload decoded, not verified); `None` when it is not a JWT
/// with a JSON object payload.
pub fn id_token_claims(token: &str) -> Option<IdClaims> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE.decode(payload).ok()?;
    let serde_json::Value::Object(map) = serde_json::from_slice(&bytes).ok()? else {
        return None;
    };
    // Claim by claim: a claim of an unexpected type (a number where a string belongs, a float
    // `exp`) is absent, and does not cost the others (and with them the sign-in).
    let text = |k: &str| map.get(k).and_then(serde_json::Value::as_str).map(str::to_owned);
    Some(IdClaims {
        name: text("name"),
        preferred_username: text("preferred_username"),
        nonce: text("nonce"),
        oid: text("oid"),
        login_hint: text("login_hint"),
        tid: text("tid"),
        exp: map.get("exp").and_then(crate::jwt::seconds),
    })
}

/// Reads the token endpoint's answer: the tokens, or the refusal as
/// [`ClientError::SignInRequired`]. The body is never quoted (it may hold tokens).
fn read_tokens(response: &HttpResponse, now_ms: u64) -> Result<EntraTokens, ClientError> {
    let status = response.status();
    if status.is_success() {
        let raw: RawTokens = serde_json::from_slice(response.body()).map_err(|e| {
            ClientError::unexpected(format!(
                "the sign-in authority's answer could not be read (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let life_ms = raw.expires_in.map_or(DEFAULT_LIFETIME_MS, |s| s.saturating_mul(1000));
        return Ok(EntraTokens {
            access_token: Secret::new(raw.access_token),
            refresh_token: raw.refresh_token.filter(|t| !t.is_empty()).map(Secret::new),
            id_token: raw.id_token.filter(|t| !t.is_empty()).map(Secret::new),
            issued_at_ms: now_ms,
            expires_at_ms: now_ms.saturating_add(life_ms),
            scope: raw.scope.unwrap_or_default().split_whitespace().map(str::to_owned).collect(),
            token_type: raw.token_type.unwrap_or_else(|| "Bearer".into()),
        });
    }
    match serde_json::from_slice::<RawRefusal>(response.body()) {
        Ok(r) => Err(ClientError::SignInRequired {
            reason: refusal_reason(&r.error, r.error_description.as_deref()),
        }),
        Err(_) => Err(ClientError::Unexpected {
            status: Some(status.as_u16()),
            code: None,
            message: format!("the sign-in authority answered HTTP {}", status.as_u16()),
        }),
    }
}

/// The first line of an Entra error description (`AADSTS70008: …`; the trace and correlation
/// ids follow on later lines), or the error code when there is none.
fn refusal_reason(error: &str, description: Option<&str>) -> String {
    description
        .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
        .map_or_else(|| format!("the authority refused the sign-in ({error})"), str::to_owned)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::{
        transport::fake::{json_response, FakeTransport},
        TransportError,
    };
    use sha2::{Digest as _, Sha256};

    fn app() -> EntraApp {
        EntraApp {
            client_id: "c0de".into(),
            authority: "https://login.example/tenant-1".into(),
            redirect_uri: "https://console.example/".into(),
            scopes: vec!["https://containerregistry.azure.net/.default".into()],
        }
    }

    fn query(url: &str) -> Vec<(String, String)> {
        let q = url.split_once('?').map_or("", |(_, q)| q);
        serde_urlencoded::from_str(q).unwrap()
    }

    fn form(req: &HttpRequest) -> Vec<(String, String)> {
        serde_urlencoded::from_bytes(req.body()).unwrap()
    }

    fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
        let mut found = pairs.iter().filter(|(k, _)| k == key);
        let first = found.next().map(|(_, v)| v.as_str());
        assert!(found.next().is_none(), "{key} appears once");
        first
    }

    fn b64url(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    fn jwt(payload: &serde_json::Value) -> String {
        format!("{}.{}.sig", b64url(br#"{"alg":"RS256"}"#), b64url(payload.to_string().as_bytes()))
    }

    #[test]
    fn the_authorize_url_asks_for_a_code_with_pkce_state_and_nonce() {
        let req = authorize_url(&app(), Some("admin@contoso.example")).unwrap();
        assert!(req.url.starts_with("https://login.example/tenant-1/oauth2/v2.0/authorize?"));
        let q = query(&req.url);
        assert_eq!(get(&q, "response_type"), Some("code"));
        assert_eq!(get(&q, "response_mode"), Some("query"));
        assert_eq!(get(&q, "client_id"), Some("c0de"));
        assert_eq!(get(&q, "redirect_uri"), Some("https://console.example/"));
        assert_eq!(
            get(&q, "scope"),
            Some("https://containerregistry.azure.net/.default openid profile offline_access")
        );
        assert_eq!(get(&q, "state"), Some(req.state.as_str()));
        assert_eq!(get(&q, "nonce"), Some(req.nonce.as_str()));
        assert_eq!(get(&q, "login_hint"), Some("admin@contoso.example"));
        assert_eq!(get(&q, "code_challenge_method"), Some("S256"));
        // PKCE: challenge = base64url(sha256(verifier)), computed here independently.
        let v = req.verifier.expose();
        assert!((43..=128).contains(&v.len()), "{}", v.len());
        assert!(v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
        assert_eq!(get(&q, "code_challenge"), Some(b64url(&Sha256::digest(v.as_bytes())).as_str()));
        assert!(!req.url.contains(v), "the verifier never travels in the URL");
        // Without a hint there is no login_hint; every request is fresh.
        let other = authorize_url(&app(), None).unwrap();
        assert_eq!(get(&query(&other.url), "login_hint"), None);
        assert_ne!(other.state, req.state);
        assert_ne!(other.nonce, req.nonce);
        assert_ne!(other.verifier, req.verifier);
        assert!(req.state.len() >= 20 && req.nonce.len() >= 20);
        assert!(!format!("{req:?}").contains(v), "Debug redacts the verifier");
    }

    #[test]
    fn the_challenge_matches_rfc_7636_appendix_b() {
        let verifier = PkceCodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        let req =
            authorize_url_with(&app(), None, verifier, CsrfToken::new("s".into()), "n".into())
                .unwrap();
        let q = query(&req.url);
        assert_eq!(get(&q, "code_challenge"), Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert_eq!((req.state.as_str(), req.nonce.as_str()), ("s", "n"));
    }

    #[test]
    fn configured_oidc_scopes_are_not_repeated() {
        let mut a = app();
        a.scopes = vec!["OpenID".into(), "api://x/.default".into()];
        assert_eq!(
            a.requested_scopes(),
            ["OpenID", "api://x/.default", "profile", "offline_access"]
        );
    }

    fn entra_answer() -> serde_json::Value {
        serde_json::json!({
            "token_type": "Bearer",
            "scope": "https://containerregistry.azure.net/user_impersonation openid profile",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": "AT-secret",
            "refresh_token": "RT-secret",
            "id_token": jwt(&serde_json::json!({"name": "Adele Admin", "nonce": "n1"})),
        })
    }

    #[test]
    fn expires_in_is_read_as_a_number_a_float_or_a_numeric_string() {
        for (value, want) in [
            (serde_json::json!(3599), 3_599_000),
            (serde_json::json!(3599.0), 3_599_000),
            (serde_json::json!("3599"), 3_599_000),
            (serde_json::json!("soon"), DEFAULT_LIFETIME_MS),
            (serde_json::json!(null), DEFAULT_LIFETIME_MS),
        ] {
            let mut answer = entra_answer();
            answer["expires_in"] = value.clone();
            let response = json_response(200, &answer, &[]);
            let tokens = read_tokens(&response, 1_000).unwrap();
            assert_eq!(tokens.expires_at_ms - tokens.issued_at_ms, want, "{value}");
        }
    }

    #[tokio::test]
    async fn redeeming_a_code_posts_the_verifier_and_reads_entras_answer() {
        let t = FakeTransport::new(|_| Ok(json_response(200, &entra_answer(), &[])));
        let verifier = Secret::new("v".repeat(43));
        let tokens = redeem_code(&t, &app(), "the-code", &verifier).await.unwrap();

        let sent = t.requests();
        assert_eq!(sent.len(), 1);
        let r = &sent[0];
        assert_eq!(r.method(), http::Method::POST);
        assert_eq!(r.uri().to_string(), "https://login.example/tenant-1/oauth2/v2.0/token");
        assert_eq!(
            r.headers()[http::header::CONTENT_TYPE].to_str().unwrap(),
            "application/x-www-form-urlencoded"
        );
        assert!(r.headers().get(http::header::AUTHORIZATION).is_none(), "a public client");
        let f = form(r);
        assert_eq!(get(&f, "grant_type"), Some("authorization_code"));
        assert_eq!(get(&f, "code"), Some("the-code"));
        assert_eq!(get(&f, "code_verifier"), Some(verifier.expose()));
        assert_eq!(get(&f, "redirect_uri"), Some("https://console.example/"));
        assert_eq!(get(&f, "client_id"), Some("c0de"));
        assert_eq!(get(&f, "client_secret"), None);
        assert!(get(&f, "scope").unwrap().ends_with("openid profile offline_access"));

        assert_eq!(tokens.access_token.expose(), "AT-secret");
        assert_eq!(tokens.refresh_token.as_ref().map(Secret::expose), Some("RT-secret"));
        assert_eq!(tokens.expires_at_ms - tokens.issued_at_ms, 3_599_000);
        assert_eq!(tokens.issued_at_ms, t.now_ms());
        assert_eq!(tokens.scope.len(), 3);
        let claims = id_token_claims(tokens.id_token.as_ref().unwrap().expose()).unwrap();
        assert_eq!(claims.name.as_deref(), Some("Adele Admin"));
        assert_eq!(claims.nonce.as_deref(), Some("n1"));

        let shown = format!("{tokens:?}");
        for secret in ["AT-secret", "RT-secret", tokens.id_token.as_ref().unwrap().expose()] {
            assert!(!shown.contains(secret), "Debug redacts tokens: {shown}");
        }
    }

    #[tokio::test]
    async fn refreshing_sends_the_refresh_token_and_scopes() {
        let mut answer = entra_answer();
        answer.as_object_mut().unwrap().remove("id_token");
        answer.as_object_mut().unwrap().remove("expires_in");
        let t = FakeTransport::new(move |_| Ok(json_response(200, &answer, &[])));
        let tokens = refresh(&t, &app(), &Secret::new("RT-old")).await.unwrap();
        let f = form(&t.requests()[0]);
        assert_eq!(get(&f, "grant_type"), Some("refresh_token"));
        assert_eq!(get(&f, "refresh_token"), Some("RT-old"));
        assert_eq!(get(&f, "client_id"), Some("c0de"));
        assert_eq!(
            get(&f, "scope"),
            Some("https://containerregistry.azure.net/.default openid profile offline_access")
        );
        assert_eq!(tokens.id_token, None);
        assert_eq!(tokens.expires_at_ms - tokens.issued_at_ms, 3_600_000, "default lifetime");
    }

    #[tokio::test]
    async fn refusals_become_sign_in_required_with_the_description() {
        let t = FakeTransport::new(|_| {
            Ok(json_response(
                400,
                &serde_json::json!({
                    "error": "invalid_grant",
                    "error_description": "AADSTS70008: The refresh token has expired.\r\nTrace ID: 1\r\nCorrelation ID: 2",
                    "error_codes": [70008]
                }),
                &[],
            ))
        });
        let e = refresh(&t, &app(), &Secret::new("RT")).await.unwrap_err();
        assert_eq!(
            e,
            ClientError::SignInRequired {
                reason: "AADSTS70008: The refresh token has expired.".into()
            }
        );

        let t = FakeTransport::new(|_| {
            Ok(json_response(400, &serde_json::json!({"error": "invalid_client"}), &[]))
        });
        let e = redeem_code(&t, &app(), "c", &Secret::new("v")).await.unwrap_err();
        assert!(
            matches!(&e, ClientError::SignInRequired { reason } if reason.contains("invalid_client")),
            "{e:?}"
        );

        let t = FakeTransport::new(|_| Err(TransportError::new("offline")));
        let e = redeem_code(&t, &app(), "c", &Secret::new("v")).await.unwrap_err();
        assert!(matches!(&e, ClientError::Network { message } if message.contains("offline")));

        // An answer that is not the token JSON: unexpected, and its body is never quoted.
        let t = FakeTransport::new(|_| {
            Ok(json_response(200, &serde_json::json!({"refresh_token": "RT-leak"}), &[]))
        });
        let e = redeem_code(&t, &app(), "c", &Secret::new("v")).await.unwrap_err();
        assert!(matches!(e, ClientError::Unexpected { .. }), "{e:?}");
        assert!(!e.to_string().contains("RT-leak"));
        let t = FakeTransport::new(|_| {
            Ok(http::Response::builder()
                .status(200)
                .header("content-type", "text/html")
                .body(b"<html>".to_vec())
                .unwrap())
        });
        let e = refresh(&t, &app(), &Secret::new("RT")).await.unwrap_err();
        assert!(matches!(e, ClientError::Unexpected { .. }), "{e:?}");

        // An endless answer is cut at the limit and refused as too large, not parsed.
        let t = FakeTransport::new(|_| {
            Ok(http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(vec![b' '; 10 * 1024 * 1024])
                .unwrap())
        });
        let e = refresh(&t, &app(), &Secret::new("RT")).await.unwrap_err();
        assert!(e.to_string().contains("larger than 64 KB"), "{e}");
        assert!(t.requests().iter().all(|r| BodyLimit::of(r) == TOKEN_ANSWER_LIMIT));
    }

    #[test]
    fn the_end_session_url_names_the_account_and_the_way_back() {
        let url =
            end_session_url(&app(), "https://console.example/", Some(LogoutHint::Login("a@b.c")))
                .unwrap();
        assert!(url.starts_with("https://login.example/tenant-1/oauth2/v2.0/logout?"), "{url}");
        let q = query(&url);
        assert_eq!(get(&q, "post_logout_redirect_uri"), Some("https://console.example/"));
        assert_eq!(get(&q, "logout_hint"), Some("a@b.c"));
        assert_eq!(get(&q, "id_token_hint"), None);
        let id = Secret::new("h.p.s");
        let url =
            end_session_url(&app(), "https://console.example/", Some(LogoutHint::IdToken(&id)))
                .unwrap();
        assert_eq!(get(&query(&url), "id_token_hint"), Some("h.p.s"));
        let url = end_session_url(&app(), "https://console.example/", None).unwrap();
        assert_eq!(query(&url).len(), 1);
    }

    #[test]
    fn id_token_claims_are_decoded_not_verified() {
        let t = jwt(&serde_json::json!({
            "name": "Adele Admin", "preferred_username": "admin@contoso.example",
            "nonce": "n", "oid": "o", "tid": "t", "exp": 1_800_000_000, "other": [1]
        }));
        let c = id_token_claims(&t).unwrap();
        assert_eq!(c.name.as_deref(), Some("Adele Admin"));
        assert_eq!(c.preferred_username.as_deref(), Some("admin@contoso.example"));
        assert_eq!(
            (c.nonce.as_deref(), c.oid.as_deref(), c.tid.as_deref()),
            (Some("n"), Some("o"), Some("t"))
        );
        assert_eq!(c.exp, Some(1_800_000_000));
        assert_eq!(id_token_claims("not-a-jwt"), None);
        assert_eq!(id_token_claims("a.b.c.d"), None);
        assert_eq!(id_token_claims(&format!("a.{}.c", b64url(b"[1]"))), None);
    }

    #[test]
    fn an_id_token_claim_of_an_odd_type_is_absent_and_the_others_are_kept() {
        let t = jwt(&serde_json::json!({
            "name": 3, "preferred_username": "admin@contoso.example", "nonce": "n",
            "tid": {"odd": true}, "exp": 1.8e9, "oid": null
        }));
        let c = id_token_claims(&t).unwrap();
        assert_eq!((c.name, c.tid, c.oid), (None, None, None));
        assert_eq!(c.preferred_username.as_deref(), Some("admin@contoso.example"));
        assert_eq!(c.nonce.as_deref(), Some("n"));
        assert_eq!(c.exp, Some(1_800_000_000));
    }
}

/// The whole flow against the emulator's demo authority: authorize (with `login_hint`, so no
/// page), redeem, use the token at the registry, refresh with rotation, sign out.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod emulator_tests {
    use super::*;
    use crate::{
        transport::reqwest::ReqwestTransport, ClientOptions, Credential, RegistryClient,
        StaticEntraToken,
    };
    use std::sync::Arc;

    #[tokio::test]
    async fn sign_in_renew_and_sign_out_at_the_demo_authority() {
        let running = acr_emulator::spawn(acr_emulator::Config::default()).await.unwrap();
        let base = running.base_url.trim_end_matches('/').to_owned();
        let app = EntraApp {
            client_id: "a1b2c3d4-0000-4000-8000-00000000c0de".into(),
            authority: format!("{base}/demo"),
            redirect_uri: format!("{base}/"),
            scopes: vec!["https://containerregistry.azure.net/.default".into()],
        };
        let t = ReqwestTransport::new();
        let start = authorize_url(&app, Some("admin")).unwrap();
        let res = t.send(http::Request::get(&start.url).body(Vec::new()).unwrap()).await.unwrap();
        assert_eq!(res.status(), 302);
        let location = res.headers()[http::header::LOCATION].to_str().unwrap().to_owned();
        assert!(location.starts_with(&app.redirect_uri), "{location}");
        let back: Vec<(String, String)> =
            serde_urlencoded::from_str(location.split_once('?').unwrap().1).unwrap();
        let param = |k: &str| back.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(param("state").as_deref(), Some(start.state.as_str()));
        let code = param("code").unwrap();

        // A wrong verifier is refused (and burns the code, as at Entra).
        let wrong = redeem_code(&t, &app, &code, &Secret::new("x".repeat(43))).await.unwrap_err();
        assert!(
            matches!(&wrong, ClientError::SignInRequired { reason } if reason.starts_with("AADSTS")),
            "{wrong:?}"
        );

        let start = authorize_url(&app, Some("admin")).unwrap();
        let res = t.send(http::Request::get(&start.url).body(Vec::new()).unwrap()).await.unwrap();
        let location = res.headers()[http::header::LOCATION].to_str().unwrap().to_owned();
        let back: Vec<(String, String)> =
            serde_urlencoded::from_str(location.split_once('?').unwrap().1).unwrap();
        let code = back.iter().find(|(n, _)| n == "code").unwrap().1.clone();
        let tokens = redeem_code(&t, &app, &code, &start.verifier).await.unwrap();
        let claims = id_token_claims(tokens.id_token.as_ref().unwrap().expose()).unwrap();
        assert_eq!(claims.nonce.as_deref(), Some(start.nonce.as_str()));
        assert_eq!(claims.name.as_deref(), Some("Adele Admin"));
        assert_eq!(claims.preferred_username.as_deref(), Some("admin@contoso.example"));
        assert!(tokens.expires_at_ms > tokens.issued_at_ms);

        // The Entra token works at the registry (exchanged for ACR tokens by the client).
        let registry = RegistryClient::new(
            Arc::new(t.clone()),
            &format!("{base}/"),
            running.addr.to_string().as_str(),
            Credential::Entra(Arc::new(StaticEntraToken(tokens.access_token.clone()))),
            ClientOptions::default(),
        )
        .unwrap();
        assert!(registry.can_list_catalog().await.unwrap());

        // Renewal rotates the refresh token: the old one is then refused.
        let old = tokens.refresh_token.clone().unwrap();
        let renewed = refresh(&t, &app, &old).await.unwrap();
        assert_ne!(renewed.access_token, tokens.access_token);
        let again = refresh(&t, &app, &old).await.unwrap_err();
        assert!(matches!(again, ClientError::SignInRequired { .. }), "{again:?}");

        // Sign-out at the authority revokes the account's refresh tokens.
        let url = end_session_url(
            &app,
            &app.redirect_uri,
            Some(LogoutHint::Login(claims.preferred_username.as_deref().unwrap())),
        )
        .unwrap();
        let res = t.send(http::Request::get(&url).body(Vec::new()).unwrap()).await.unwrap();
        assert_eq!(res.status(), 302);
        assert_eq!(res.headers()[http::header::LOCATION], app.redirect_uri.as_str());
        let after = refresh(&t, &app, renewed.refresh_token.as_ref().unwrap()).await.unwrap_err();
        assert!(matches!(after, ClientError::SignInRequired { .. }), "{after:?}");
    }
}
