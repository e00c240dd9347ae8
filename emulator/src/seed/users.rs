//! The demo users: the principals of the demo registry, of generated data and of every seed file
//! that names none, as the demo authority's sign-in page lists them.

use crate::users::{Grant, User, UserKind, Users};

/// A demo user.
fn user(
    id: &str,
    display_name: &str,
    object_id: &str,
    catalog: bool,
    grants: &[(&str, &[&str])],
    description: &str,
) -> User {
    User {
        id: id.to_owned(),
        display_name: display_name.to_owned(),
        upn: format!("{id}@contoso.example"),
        object_id: object_id.to_owned(),
        kind: UserKind::Entra,
        password: None,
        catalog,
        grants: grants
            .iter()
            .map(|(repositories, actions)| Grant {
                repositories: (*repositories).to_owned(),
                actions: actions.iter().map(|a| (*a).to_owned()).collect(),
            })
            .collect(),
        description: description.to_owned(),
    }
}

/// The demo users: `admin` (everything), `viewer` (read-only), `payments` (read-only, full
/// control of `prod/payments/*`), all Entra users, and the repository-scoped token
/// `ci-readonly` (password `ci-readonly-password`; pull and metadata_read on
/// `prod/payments/api`, no catalog).
pub fn demo_users() -> Users {
    let mut ci = user(
        "ci-readonly",
        "CI read-only token",
        "5f0c3a8e-92d4-4b7a-a1e6-3c9d8b2f4e70",
        false,
        &[("prod/payments/api", &["pull", "metadata_read"])],
        "Repository-scoped token: may pull and read prod/payments/api only; cannot list the catalog",
    );
    ci.kind = UserKind::Token;
    ci.upn = "ci-readonly".to_owned();
    ci.password = Some("ci-readonly-password".to_owned());
    Users(vec![
        user(
            "admin",
            "Adele Admin",
            "3b9d2c1a-6f4e-4a8b-9c7d-1e2f3a4b5c60",
            true,
            &[("*", &["*"])],
            "Admin: may lock and unlock everything",
        ),
        user(
            "viewer",
            "Victor Viewer",
            "8e7f6a5b-4c3d-4e2f-8a1b-9c0d1e2f3a71",
            true,
            &[("*", &["pull", "metadata_read"])],
            "Viewer: may see every repository and its locks, but change nothing",
        ),
        user(
            "payments",
            "Pat Payments",
            "c4d5e6f7-0a1b-4c2d-9e3f-4a5b6c7d8e82",
            true,
            &[("*", &["metadata_read", "pull"]), ("prod/payments/*", &["*"])],
            "Payments team: may see everything, and lock, unlock and delete under prod/payments/",
        ),
        ci,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::AccessEntry;

    #[test]
    fn demo_users_match_the_sign_in_page() {
        let users = demo_users();
        let ids: Vec<&str> = users.0.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["admin", "viewer", "payments", "ci-readonly"]);
        assert_eq!(users.entra().count(), 3);
        let admin = users.by_id("admin").unwrap();
        assert_eq!(
            (admin.display_name.as_str(), admin.upn.as_str()),
            ("Adele Admin", "admin@contoso.example")
        );
        let viewer = users.by_id("viewer").unwrap();
        assert!(viewer.grant(&AccessEntry::repository("x", &["metadata_write"])).is_none());
        let payments = users.by_id("payments").unwrap();
        assert!(payments
            .grant(&AccessEntry::repository("prod/payments/api", &["metadata_write"]))
            .is_some());
        assert!(payments
            .grant(&AccessEntry::repository("prod/web/frontend", &["metadata_write"]))
            .is_none());
        let ci = users.by_id("ci-readonly").unwrap();
        assert_eq!(
            (ci.kind, ci.password.as_deref()),
            (UserKind::Token, Some("ci-readonly-password"))
        );
        assert!(ci.grant(&AccessEntry::catalog()).is_none());
        assert!(ci.grant(&AccessEntry::repository("prod/payments/api", &["pull"])).is_some());
        assert!(ci.grant(&AccessEntry::repository("prod/payments/worker", &["pull"])).is_none());
        for u in &users.0 {
            assert!(!u.description.is_empty() && u.object_id.len() == 36, "{}", u.id);
        }
    }
}
