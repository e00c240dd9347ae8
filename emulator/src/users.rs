//! Who may do what: principals (Entra users and repository-scoped tokens), their grants, and the
//! one rule that turns a requested scope into the access a token receives. The demo users
//! themselves are initial data (`seed::demo_users`).

use acr_types::{action, AccessEntry};
use serde::{Deserialize, Serialize};

/// How a principal signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    /// An Entra user: signs in at the demo authority, then exchanges its token at
    /// `/oauth2/exchange`.
    Entra,
    /// A repository-scoped ACR token (or admin user): `password` grant at `/oauth2/token`.
    Token,
}

/// A set of actions on repositories matching a pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// `*` (every repository), `prefix/*` (every repository under `prefix/`), or an exact name.
    pub repositories: String,
    /// Actions (`pull`, `push`, `delete`, `metadata_read`, `metadata_write`) or `*`.
    pub actions: Vec<String>,
}

impl Grant {
    /// True when `repository` (a name, or `*` in a wildcard request) falls under this grant.
    pub fn covers(&self, repository: &str) -> bool {
        match self.repositories.as_str() {
            "*" => true,
            p if p.ends_with("/*") => {
                // A wildcard request only matches a wildcard grant.
                repository != "*" && repository.starts_with(&p[..p.len() - 1])
            }
            exact => exact == repository,
        }
    }
}

/// A principal of the emulated registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Short id used on the command line and sign-in page (`admin`, `viewer`).
    pub id: String,
    /// Name shown at sign-in and in the console.
    pub display_name: String,
    /// User principal name (`admin@contoso.example`); the `sub` of ACR tokens.
    pub upn: String,
    /// Entra object id (a GUID).
    pub object_id: String,
    /// How this principal signs in.
    pub kind: UserKind,
    /// Password for the `password` grant (token users); `None`: no password sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// May list the catalog (`registry:catalog:*`).
    #[serde(default)]
    pub catalog: bool,
    /// Repository grants.
    #[serde(default)]
    pub grants: Vec<Grant>,
    /// A line for the sign-in page saying what this user may do.
    #[serde(default)]
    pub description: String,
}

impl User {
    /// The access a token for this user receives when `requested` is asked for: the requested
    /// actions this user holds, or `None` when it holds none of them (as ACR, the entry is then
    /// left out of the token).
    pub fn grant(&self, requested: &AccessEntry) -> Option<AccessEntry> {
        let actions: Vec<String> = match requested.kind.as_str() {
            "registry" if requested.name == "catalog" && self.catalog => requested.actions.clone(),
            "repository" => {
                let held: Vec<&Grant> =
                    self.grants.iter().filter(|g| g.covers(&requested.name)).collect();
                let holds = |a: &str| {
                    held.iter().any(|g| g.actions.iter().any(|h| h == a || h == action::ALL))
                };
                if requested.actions.iter().any(|a| a == action::ALL) {
                    // `repository:x:*` is granted as `*` only to holders of everything.
                    if holds(action::ALL) {
                        vec![action::ALL.to_owned()]
                    } else {
                        let mut all: Vec<String> =
                            held.iter().flat_map(|g| g.actions.iter().cloned()).collect();
                        all.sort();
                        all.dedup();
                        all
                    }
                } else {
                    requested.actions.iter().filter(|a| holds(a)).cloned().collect()
                }
            }
            _ => Vec::new(),
        };
        (!actions.is_empty()).then(|| AccessEntry {
            kind: requested.kind.clone(),
            name: requested.name.clone(),
            actions,
        })
    }

    /// Grants for every requested scope (entries with no granted action are left out).
    pub fn grant_all(&self, requested: &[AccessEntry]) -> Vec<AccessEntry> {
        requested.iter().filter_map(|r| self.grant(r)).collect()
    }

    /// The registry-wide actions a refresh token's `permissions` claim lists (ACR's spelling):
    /// `read` for any pull or metadata read, `write` for any push or metadata write, `delete`.
    pub fn permission_actions(&self) -> Vec<String> {
        let held = |wanted: &[&str]| {
            self.grants
                .iter()
                .flat_map(|g| &g.actions)
                .any(|a| a == action::ALL || wanted.contains(&a.as_str()))
        };
        [
            ("read", held(&[action::PULL, action::METADATA_READ]) || self.catalog),
            ("write", held(&[action::PUSH, action::METADATA_WRITE])),
            ("delete", held(&[action::DELETE])),
        ]
        .into_iter()
        .filter(|(_, has)| *has)
        .map(|(a, _)| a.to_owned())
        .collect()
    }
}

/// All principals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Users(pub Vec<User>);

impl Users {
    /// The user with this short id.
    pub fn by_id(&self, id: &str) -> Option<&User> {
        self.0.iter().find(|u| u.id == id)
    }

    /// The user with this Entra object id.
    pub fn by_object_id(&self, oid: &str) -> Option<&User> {
        self.0.iter().find(|u| u.object_id == oid)
    }

    /// The user with this UPN (the `sub` of ACR tokens).
    pub fn by_upn(&self, upn: &str) -> Option<&User> {
        self.0.iter().find(|u| u.upn == upn)
    }

    /// Users who sign in at the demo Entra authority.
    pub fn entra(&self) -> impl Iterator<Item = &User> {
        self.0.iter().filter(|u| u.kind == UserKind::Entra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(catalog: bool, grants: &[(&str, &[&str])]) -> User {
        User {
            id: "u".into(),
            display_name: "U".into(),
            upn: "u@x".into(),
            object_id: "0".into(),
            kind: UserKind::Entra,
            password: None,
            catalog,
            grants: grants
                .iter()
                .map(|(r, a)| Grant {
                    repositories: (*r).into(),
                    actions: a.iter().map(|s| (*s).to_owned()).collect(),
                })
                .collect(),
            description: String::new(),
        }
    }

    #[test]
    fn permissions_summarise_the_grants() {
        assert_eq!(user(true, &[("*", &["*"])]).permission_actions(), ["read", "write", "delete"]);
        assert_eq!(user(true, &[("*", &["pull"])]).permission_actions(), ["read"]);
        assert_eq!(
            user(false, &[("a/*", &["metadata_write", "delete"])]).permission_actions(),
            ["write", "delete"]
        );
        assert!(user(false, &[]).permission_actions().is_empty());
    }

    #[test]
    fn grants_intersect_requests() {
        let viewer = user(true, &[("*", &["pull", "metadata_read"])]);
        let req = AccessEntry::repository("prod/api", &["pull", "metadata_write"]);
        assert_eq!(viewer.grant(&req).unwrap().actions, vec!["pull"]);
        assert!(viewer.grant(&AccessEntry::repository("x", &["delete"])).is_none());
        assert!(viewer.grant(&AccessEntry::catalog()).is_some());
        let wild = viewer.grant(&AccessEntry::repository("*", &["*"])).unwrap();
        assert_eq!(wild.actions, vec!["metadata_read", "pull"]);
    }

    #[test]
    fn prefix_grants_stop_at_the_prefix() {
        let team = user(false, &[("prod/payments/*", &["*"])]);
        assert!(team.grant(&AccessEntry::repository("prod/payments/api", &["delete"])).is_some());
        assert!(team.grant(&AccessEntry::repository("prod/paymentsx", &["pull"])).is_none());
        assert!(team.grant(&AccessEntry::repository("*", &["pull"])).is_none());
        assert!(team.grant(&AccessEntry::catalog()).is_none());
        let admin = user(true, &[("*", &["*"])]);
        assert_eq!(admin.grant(&AccessEntry::repository("*", &["*"])).unwrap().actions, vec!["*"]);
    }
}
