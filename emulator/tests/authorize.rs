//! `auth::authorize`, which decides every data-plane request: challenges without credentials,
//! `invalid_token` for bad bearers, `insufficient_scope`, wildcard grants, and Basic credentials.

mod common;

use acr_emulator::{
    auth::{authorize, AcrTokenKind, Grantee},
    config::Config,
    error::{ApiError, ChallengeError},
};
use acr_types::AccessEntry;
use common::token_server::*;

#[test]
fn authorize_challenges_and_basic() {
    let st = state(Config::default());
    let host = "registry.test";
    let scope = AccessEntry::repository("prod/api", &["metadata_read"]);

    // No credentials: the challenge with realm, service and scope, no error.
    match authorize(&st, &headers(host, None), &scope).unwrap_err() {
        ApiError::Unauthorized { realm, service, scope: s, error } => {
            assert_eq!(realm, "http://registry.test/oauth2/token");
            assert_eq!(service, host);
            assert_eq!(s.as_deref(), Some("repository:prod/api:metadata_read"));
            assert_eq!(error, ChallengeError::None);
        }
        other => panic!("{other:?}"),
    }
    let catalog = authorize(&st, &headers(host, None), &AccessEntry::catalog()).unwrap_err();
    assert_eq!(
        catalog.challenge().unwrap(),
        "Bearer realm=\"http://registry.test/oauth2/token\",service=\"registry.test\",scope=\"registry:catalog:*\""
    );

    // Bad bearers: invalid_token.
    let viewer = st.users.by_id("viewer").unwrap();
    let refresh = st.issuer.refresh_token(&Grantee::new(&viewer.upn), host, &[]);
    let entra = acr_emulator::auth::cli_token(&st.issuer, viewer, "entra", host, "").unwrap();
    let good = acr_emulator::auth::cli_token(
        &st.issuer,
        viewer,
        "access",
        host,
        "repository:prod/api:pull,metadata_read",
    )
    .unwrap();
    let (h, p) = good.rsplit_once('.').unwrap();
    let tampered = format!("{h}.{}", p.chars().rev().collect::<String>());
    for bad in [
        "Bearer",
        "Bearer not.a.jwt",
        "Bearer x",
        &format!("Bearer {}", refresh.expose()),
        &format!("Bearer {entra}"),
        &format!("Bearer {tampered}"),
        "Negotiate abc",
    ] {
        assert_eq!(
            challenge_of(authorize(&st, &headers(host, Some(bad)), &scope)),
            ChallengeError::InvalidToken,
            "{bad}"
        );
    }

    // A valid token: the principal, or insufficient_scope for what it lacks.
    let h = headers(host, Some(&format!("bearer {good}")));
    let p = authorize(&st, &h, &scope).unwrap();
    assert_eq!(p.subject, "viewer@contoso.example");
    assert_eq!(p.access, vec![AccessEntry::repository("prod/api", &["pull", "metadata_read"])]);
    for lacking in [
        AccessEntry::repository("prod/api", &["metadata_write"]),
        AccessEntry::repository("prod/api", &["pull", "push"]),
        AccessEntry::repository("prod/web", &["pull"]),
        AccessEntry::catalog(),
    ] {
        assert_eq!(
            challenge_of(authorize(&st, &h, &lacking)),
            ChallengeError::InsufficientScope,
            "{lacking}"
        );
    }
    // A wildcard grant covers every repository.
    let admin = st.users.by_id("admin").unwrap();
    let wild = acr_emulator::auth::cli_token(
        &st.issuer,
        admin,
        "access",
        host,
        "repository:*:* registry:catalog:*",
    )
    .unwrap();
    let h = headers(host, Some(&format!("Bearer {wild}")));
    assert!(authorize(
        &st,
        &h,
        &AccessEntry::repository("any/thing", &["delete", "metadata_write"])
    )
    .is_ok());
    assert!(authorize(&st, &h, &AccessEntry::catalog()).is_ok());

    // Basic: the user's grants, or the Basic challenge.
    let h = headers(host, Some(&basic("payments-ci", "s3cret-pw")));
    let p = authorize(&st, &h, &AccessEntry::repository("prod/payments/api", &["metadata_write"]))
        .unwrap();
    assert_eq!(p.subject, "payments-ci");
    assert_eq!(p.access, vec![AccessEntry::repository("prod/payments/api", &["metadata_write"])]);
    for (h, scope) in [
        (
            headers(host, Some(&basic("payments-ci", "wrong"))),
            AccessEntry::repository("prod/payments/api", &["pull"]),
        ),
        (
            headers(host, Some(&basic("admin", ""))),
            AccessEntry::repository("prod/payments/api", &["pull"]),
        ),
        (headers(host, Some("Basic !!!")), AccessEntry::repository("prod/payments/api", &["pull"])),
        (h.clone(), AccessEntry::catalog()),
        (h.clone(), AccessEntry::repository("prod/api", &["pull"])),
        (h.clone(), AccessEntry::repository("prod/payments/api", &["pull", "delete"])),
    ] {
        let e = authorize(&st, &h, &scope).unwrap_err();
        assert_eq!(e, ApiError::BasicUnauthorized, "{scope}");
        assert_eq!(e.challenge().unwrap(), "Basic realm=\"Azure Container Registry\"");
    }
    // The refresh-token identity works with Basic too.
    let h = headers(host, Some(&basic("00000000-0000-0000-0000-000000000000", refresh.expose())));
    assert_eq!(authorize(&st, &h, &scope).unwrap().subject, "viewer@contoso.example");

    // Verification is also available directly.
    assert!(st.issuer.verify_acr(&good, host, AcrTokenKind::Access).is_ok());
}
