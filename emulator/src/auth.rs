//! Credentials of data-plane and token requests: decides whether a request's `Authorization`
//! (an ACR access token, Basic password or refresh token) holds the scope its operation needs,
//! and what anonymous clients may receive. Tokens themselves are issued and verified by
//! [`crate::token`]; their types are re-exported here under the paths other crates use
//! (`auth::cli_token`, `auth::TokenIssuer`, …).

use crate::{
    error::{ApiError, ChallengeError},
    state::AppState,
    users::User,
};
use acr_types::{action, AccessEntry, Secret};
use axum::http::{header, HeaderMap};
use base64::{
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
    Engine as _,
};
use sha2::{Digest as _, Sha256};

pub use crate::token::{
    cli_token, is_plain_base64, now, random_text, random_uuid, registry_id, AcrClaims,
    AcrTokenKind, EntraClaims, EntraContext, Grantee, TokenError, TokenIssuer, ACR_ISSUER,
    DEMO_TENANT_ID, EMULATOR_APP_ID, ENTRA_AUDIENCE,
};

/// The username that says "the password is an ACR refresh token" (Docker's identity-token login).
pub const REFRESH_TOKEN_USERNAME: &str = "00000000-0000-0000-0000-000000000000";

/// Who made a data-plane request, and what their token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's `sub` (a UPN, a token name, or empty for anonymous).
    pub subject: String,
    /// The token's granted access.
    pub access: Vec<AccessEntry>,
}

/// Compares secrets through their hashes, so the time taken says nothing about the value.
fn same_secret(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes()) == Sha256::digest(b.as_bytes())
}

/// Checks `username`/`password` of the `password` grant or of `Authorization: Basic`: a user
/// (by id or UPN) whose password matches, or [`REFRESH_TOKEN_USERNAME`] with an ACR refresh token
/// for `service` as the password. Returns the user.
pub fn check_password<'a>(
    state: &'a AppState,
    username: &str,
    password: &str,
    service: &str,
) -> Result<&'a User, TokenError> {
    if username == REFRESH_TOKEN_USERNAME {
        let claims = state.issuer.verify_acr(password, service, AcrTokenKind::Refresh)?;
        return state
            .users
            .by_upn(&claims.sub)
            .ok_or_else(|| TokenError(format!("the user '{}' no longer exists", claims.sub)));
    }
    state
        .users
        .0
        .iter()
        .find(|u| {
            (u.id == username || u.upn == username)
                && u.password.as_deref().is_some_and(|p| same_secret(p, password))
        })
        .ok_or_else(|| TokenError::new("the username or password is incorrect"))
}

/// Decodes `Authorization: Basic base64(user:password)`; `None` when it is not Basic or not
/// decodable.
pub fn basic_credentials(headers: &HeaderMap) -> Option<(String, Secret)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let lenient = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let bytes = lenient.decode(rest.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), Secret::new(password)))
}

/// What anonymous clients receive when anonymous pull is on: `pull` and `metadata_read` on
/// repositories, and the catalog; nothing else.
pub fn anonymous_grant(requested: &[AccessEntry]) -> Vec<AccessEntry> {
    const READ: [&str; 2] = [action::METADATA_READ, action::PULL];
    requested
        .iter()
        .filter_map(|r| {
            let actions: Vec<String> = match r.kind.as_str() {
                "registry" if r.name == "catalog" => r.actions.clone(),
                "repository" if r.actions.iter().any(|a| a == action::ALL) => {
                    READ.iter().map(|a| (*a).to_owned()).collect()
                }
                "repository" => {
                    r.actions.iter().filter(|a| READ.contains(&a.as_str())).cloned().collect()
                }
                _ => Vec::new(),
            };
            (!actions.is_empty()).then(|| AccessEntry {
                kind: r.kind.clone(),
                name: r.name.clone(),
                actions,
            })
        })
        .collect()
}

/// True when `access` holds every action `scope` asks for. An entry matches on type and name;
/// a granted repository name `*` matches every repository.
pub fn access_allows(access: &[AccessEntry], scope: &AccessEntry) -> bool {
    let matching: Vec<&AccessEntry> = access
        .iter()
        .filter(|e| {
            e.kind == scope.kind
                && (e.name == scope.name || (e.kind == "repository" && e.name == "*"))
        })
        .collect();
    !scope.actions.is_empty() && scope.actions.iter().all(|a| matching.iter().any(|e| e.allows(a)))
}

/// Checks the credentials of a data-plane request for `scope`.
///
/// * no `Authorization` → 401 challenge without `error`;
/// * `Bearer` with a token that is not a valid ACR access token for this login server (bad
///   signature, expired, another registry, a refresh token, an anonymous token while anonymous
///   pull is off) → challenge with `error="invalid_token"`;
/// * a valid token that does not hold every action of `scope` → `error="insufficient_scope"`;
/// * `Basic` with the password of a user (or a refresh token, see [`check_password`]) → that
///   user's grants for `scope`; bad credentials or no grant → `Basic` challenge.
pub fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    scope: &AccessEntry,
) -> Result<Principal, ApiError> {
    let service = state.login_server(headers);
    let challenge = |error| ApiError::Unauthorized {
        realm: state.realm(headers),
        service: service.clone(),
        scope: Some(scope.to_string()),
        error,
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(challenge(ChallengeError::None));
    };
    let value = value.to_str().unwrap_or("").trim();
    let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        let (user, password) = basic_credentials(headers).ok_or(ApiError::BasicUnauthorized)?;
        let user = check_password(state, &user, password.expose(), &service)
            .map_err(|_| ApiError::BasicUnauthorized)?;
        let granted = user.grant(scope).ok_or(ApiError::BasicUnauthorized)?;
        if !access_allows(std::slice::from_ref(&granted), scope) {
            return Err(ApiError::BasicUnauthorized);
        }
        return Ok(Principal { subject: user.upn.clone(), access: vec![granted] });
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(challenge(ChallengeError::InvalidToken));
    }
    let claims = state
        .issuer
        .verify_acr(credentials.trim(), &service, AcrTokenKind::Access)
        .map_err(|_| challenge(ChallengeError::InvalidToken))?;
    if claims.sub.is_empty() && !state.config.anonymous_pull {
        return Err(challenge(ChallengeError::InvalidToken));
    }
    let access = claims.access.unwrap_or_default();
    if !access_allows(&access, scope) {
        return Err(challenge(ChallengeError::InsufficientScope));
    }
    Ok(Principal { subject: claims.sub, access })
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_must_cover_every_requested_action() {
        let granted = vec![
            AccessEntry::repository("a/b", &["pull", "metadata_read"]),
            AccessEntry::repository("*", &["delete"]),
        ];
        assert!(access_allows(&granted, &AccessEntry::repository("a/b", &["pull"])));
        assert!(access_allows(&granted, &AccessEntry::repository("zz", &["delete"])));
        assert!(access_allows(&granted, &AccessEntry::repository("a/b", &["pull", "delete"])));
        assert!(!access_allows(&granted, &AccessEntry::repository("a/b", &["pull", "push"])));
        assert!(!access_allows(&granted, &AccessEntry::catalog()));
        assert!(access_allows(&[AccessEntry::catalog()], &AccessEntry::catalog()));
    }

    #[test]
    fn anonymous_gets_read_only() {
        let got = anonymous_grant(&[
            AccessEntry::repository("a", &["pull", "delete"]),
            AccessEntry::repository("b", &["*"]),
            AccessEntry::repository("c", &["push"]),
            AccessEntry::catalog(),
        ]);
        assert_eq!(
            got,
            vec![
                AccessEntry::repository("a", &["pull"]),
                AccessEntry::repository("b", &["metadata_read", "pull"]),
                AccessEntry::catalog(),
            ]
        );
    }
}
