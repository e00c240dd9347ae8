//! ACR's token endpoints: `POST /oauth2/exchange` (Entra access token → ACR refresh token) and
//! `POST|GET /oauth2/token` (refresh token, password or Basic → ACR access token).
//!
//! With the `opaque_access_tokens` fault, access tokens are opaque strings the issuer remembers
//! (see [`TokenIssuer::opaque_access_token`](crate::token::TokenIssuer::opaque_access_token));
//! refresh tokens are JWTs either way.
//!
//! Answers are ACR's: `{"refresh_token":…}` / `{"access_token":…}` as
//! `application/json; charset=utf-8`; a malformed request is a 400 and refused credentials a 401,
//! both with ACR's `{"errors":[…]}` body. Request counters are kept by the registry's middleware
//! (`routes::registry`), not here.

use crate::{
    auth::{anonymous_grant, basic_credentials, check_password},
    error::{acr_json, ApiError},
    state::AppState,
    token::{AcrTokenKind, Grantee, DEMO_TENANT_ID, EMULATOR_APP_ID},
    users::User,
};
use acr_types::{code, AccessEntry, AccessToken, ExchangeForm, RefreshToken, Secret};
use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::{header, HeaderMap, StatusCode},
    response::Response,
    routing::post,
    Router,
};

/// Routes under `/oauth2/`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth2/exchange", post(exchange))
        .route("/oauth2/token", post(token_post).get(token_get))
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(code::UNSUPPORTED, message)
}

/// Decodes a form body or query string into pairs, keeping repeated fields.
fn form_pairs(raw: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_bytes(raw).map_err(|e| {
        bad(format!("the request is not valid application/x-www-form-urlencoded: {e}"))
    })
}

/// The first non-empty value of a field.
fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str())
}

/// Every requested scope: all `scope` fields, each a space-separated list.
fn requested_scopes(pairs: &[(String, String)]) -> Result<Vec<AccessEntry>, ApiError> {
    let mut out = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == "scope") {
        out.extend(AccessEntry::parse_scopes(v).map_err(|e| bad(e.to_string()))?);
    }
    Ok(out)
}

/// The `service` field, which must name this registry.
fn checked_service(
    state: &AppState,
    headers: &HeaderMap,
    service: Option<&str>,
) -> Result<String, ApiError> {
    let ours = state.login_server(headers);
    match service {
        None => Err(bad("the service field (the registry's login server) is required")),
        Some(s) if s.eq_ignore_ascii_case(&ours) => Ok(ours),
        Some(s) => Err(bad(format!(
            "the service '{s}' is not this registry; its login server is '{ours}'"
        ))),
    }
}

fn access_answer(
    state: &AppState,
    who: &Grantee<'_>,
    service: &str,
    access: Vec<AccessEntry>,
) -> Response {
    let token = if state.config.faults.opaque_access_tokens {
        state.issuer.opaque_access_token(who, service, access)
    } else {
        state.issuer.access_token(who, service, access)
    };
    acr_json(StatusCode::OK, &AccessToken { access_token: token })
}

/// The answer to a password (or Basic) sign-in: no Entra application is involved.
fn user_answer(
    state: &AppState,
    user: &User,
    service: &str,
    requested: &[AccessEntry],
) -> Response {
    access_answer(state, &Grantee::new(&user.upn), service, user.grant_all(requested))
}

fn anonymous_answer(
    state: &AppState,
    service: &str,
    requested: &[AccessEntry],
) -> Result<Response, ApiError> {
    if !state.config.anonymous_pull {
        return Err(ApiError::TokenRefused(
            "anonymous pull is not enabled on this registry; sign in with a refresh token or a password"
                .into(),
        ));
    }
    Ok(access_answer(state, &Grantee::new(""), service, anonymous_grant(requested)))
}

/// `POST /oauth2/exchange`: an Entra access token (audience
/// `https://containerregistry.azure.net`) for an ACR refresh token.
async fn exchange(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form: ExchangeForm = serde_urlencoded::from_bytes(&body)
        .map_err(|e| bad(format!("the exchange form is not valid: {e}")))?;
    match form.grant_type.as_str() {
        "access_token" | "access_token_refresh_token" => {}
        "refresh_token" => return Err(bad(
            "grant_type 'refresh_token' (an Entra refresh token) is deprecated and not supported; \
send grant_type=access_token with an Entra access token",
        )),
        other => {
            return Err(bad(format!("grant_type '{other}' is not supported; use access_token")))
        }
    }
    let service = checked_service(&state, &headers, Some(form.service.as_str()))?;
    let token = form
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad("the access_token field (an Entra access token) is required"))?;
    let claims = state
        .issuer
        .verify_entra_access(token.expose())
        .map_err(|e| ApiError::TokenRefused(format!("the Entra access token was refused: {e}")))?;
    let user = state.users.by_object_id(&claims.oid).ok_or_else(|| {
        ApiError::TokenRefused(format!(
            "the Entra principal '{}' has no access to this registry",
            claims.oid
        ))
    })?;
    let tenant = if claims.tid.is_empty() { DEMO_TENANT_ID } else { claims.tid.as_str() };
    let app_id = if claims.azp.is_empty() { EMULATOR_APP_ID } else { claims.azp.as_str() };
    let who = Grantee { subject: &user.upn, app_id, tenant };
    let refresh_token = state.issuer.refresh_token(&who, &service, &user.permission_actions());
    Ok(acr_json(StatusCode::OK, &RefreshToken { refresh_token }))
}

/// `POST /oauth2/token`: `refresh_token` or `password` grant (anonymous when neither a username
/// nor a refresh token is given).
async fn token_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let p = form_pairs(&body)?;
    let grant_type =
        field(&p, "grant_type").ok_or_else(|| bad("the grant_type field is required"))?;
    let service = checked_service(&state, &headers, field(&p, "service"))?;
    let requested = requested_scopes(&p)?;
    match grant_type {
        "refresh_token" => {
            let refresh = field(&p, "refresh_token").ok_or_else(|| {
                bad("the refresh_token field is required for grant_type=refresh_token")
            })?;
            let claims =
                state.issuer.verify_acr(refresh, &service, AcrTokenKind::Refresh).map_err(|e| {
                    ApiError::TokenRefused(format!("the refresh token was refused: {e}"))
                })?;
            let user = state.users.by_upn(&claims.sub).ok_or_else(|| {
                ApiError::TokenRefused(format!("the principal '{}' no longer exists", claims.sub))
            })?;
            // The access token names the application the refresh token was issued to.
            let who = Grantee {
                subject: &user.upn,
                app_id: claims.appid.as_deref().unwrap_or(EMULATOR_APP_ID),
                tenant: claims.tenant.as_deref().unwrap_or(DEMO_TENANT_ID),
            };
            Ok(access_answer(&state, &who, &service, user.grant_all(&requested)))
        }
        "password" => {
            match (field(&p, "username"), field(&p, "password"), field(&p, "refresh_token")) {
                (Some(username), password, _) => {
                    let password = Secret::new(password.unwrap_or(""));
                    let user = check_password(&state, username, password.expose(), &service)
                        .map_err(|e| ApiError::TokenRefused(e.to_string()))?;
                    Ok(user_answer(&state, user, &service, &requested))
                }
                (None, None, None) => anonymous_answer(&state, &service, &requested),
                _ => Err(bad(
                    "grant_type=password needs username and password (or neither, for anonymous access)",
                )),
            }
        }
        other => Err(bad(format!(
            "grant_type '{other}' is not supported; use refresh_token or password"
        ))),
    }
}

/// `GET /oauth2/token?service=…&scope=…` with `Authorization: Basic` (or without credentials for
/// anonymous pull).
async fn token_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let p = form_pairs(query.unwrap_or_default().as_bytes())?;
    let service = checked_service(&state, &headers, field(&p, "service"))?;
    let requested = requested_scopes(&p)?;
    if let Some((username, password)) = basic_credentials(&headers) {
        let user = check_password(&state, &username, password.expose(), &service)
            .map_err(|_| ApiError::BasicUnauthorized)?;
        return Ok(user_answer(&state, user, &service, &requested));
    }
    if headers.contains_key(header::AUTHORIZATION) || !state.config.anonymous_pull {
        return Err(ApiError::BasicUnauthorized);
    }
    anonymous_answer(&state, &service, &requested)
}
