//! The demo authority's routes under `/{tenant}/…`: discovery and keys, the authorize endpoint
//! (sign-in page, `login_hint` and `prompt`), the token endpoint (authorization code + PKCE and
//! refresh token grants) and sign-out.

use super::{
    error::{entra_json, EntraError},
    pages::{error_page, sign_in_page, signed_out_page},
    request::{found, is_http_url, pairs, param, AuthRequest, Refusal},
    sessions::{CodeGrant, RefreshSession, CODE_LIFETIME, REFRESH_LIFETIME},
};
use crate::{
    state::AppState,
    token::{EntraContext, DEMO_TENANT_ID},
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
use std::time::Instant;

/// Scopes that ask for OpenID Connect features, not for a resource.
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// The ACR resource scope granted when a client names no resource.
const DEFAULT_RESOURCE_SCOPE: &str = "https://containerregistry.azure.net/user_impersonation";

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
    sign_in_page(
        &tenant_segment(&tenant),
        &req.client_id,
        &req.redirect_uri,
        &req.hidden(),
        state.users.entra(),
    )
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
    signed_out_page(revoked)
}

#[cfg(test)]
mod tests {
    use super::super::pages::escape;
    use super::*;

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
    fn pkce_is_s256() {
        // RFC 7636 appendix B.
        assert!(pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_matches("other", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    }
}
