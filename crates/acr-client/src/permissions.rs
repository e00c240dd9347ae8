//! What the signed-in account may do, read from the `access` claims of the tokens ACR issued
//! (not guessed from refusals), so the console can show switches to admins and badges to viewers.
//! When the claims cannot be read, the rights are *unknown*: the console offers its controls,
//! says so, and the registry refuses what is not allowed.

use crate::{
    auth::{Grants, Resource},
    client::RegistryClient,
    ClientError,
};
use acr_types::{action, AccessEntry, RepositoryName};

/// The account's rights on one repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permissions {
    /// May read attributes and lists (`metadata_read`).
    pub read: bool,
    /// May change lock flags (`metadata_write`).
    pub write: bool,
    /// May delete (`delete`).
    pub delete: bool,
    /// False when the token's grants could not be read: then every right above is assumed (the
    /// console offers its controls) and the registry decides.
    pub known: bool,
}

impl Permissions {
    /// Rights that could not be read: everything is offered, the registry decides.
    pub const UNKNOWN: Self = Self { read: true, write: true, delete: true, known: false };

    /// Reads the rights on `repo` from granted access entries.
    pub fn from_access(granted: &[AccessEntry], repo: &RepositoryName) -> Self {
        let holds = |a: &str| {
            granted.iter().any(|e| {
                e.is_kind("repository") && (e.name == repo.as_str() || e.name == "*") && e.allows(a)
            })
        };
        Self {
            read: holds(action::METADATA_READ),
            write: holds(action::METADATA_WRITE),
            delete: holds(action::DELETE),
            known: true,
        }
    }

    /// Reads the rights on `repo` from a token's grants, known or not.
    pub fn from_grants(granted: &Grants, repo: &RepositoryName) -> Self {
        match granted {
            Grants::Known(entries) => Self::from_access(entries, repo),
            Grants::Unknown => Self::UNKNOWN,
        }
    }
}

impl RegistryClient {
    /// The account's rights on `repo`: the grants of the repository's token (fetched once, then
    /// cached with the token).
    pub async fn repository_permissions(
        &self,
        repo: &RepositoryName,
    ) -> Result<Permissions, ClientError> {
        let token = self.access_token(&Resource::Repository(repo.clone()), false).await?;
        Ok(Permissions::from_grants(&token.granted, repo))
    }

    /// Whether the account may list the catalog (true when the grants cannot be read: the
    /// registry then answers the listing itself).
    pub async fn can_list_catalog(&self) -> Result<bool, ClientError> {
        let token = self.access_token(&Resource::Catalog, false).await?;
        Ok(match &token.granted {
            Grants::Known(entries) => entries
                .iter()
                .any(|e| e.is_kind("registry") && e.name == "catalog" && !e.actions.is_empty()),
            Grants::Unknown => true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_grants_offer_everything_and_say_so() {
        let repo = RepositoryName::new("prod/api").unwrap();
        let p = Permissions::from_grants(&Grants::Unknown, &repo);
        assert_eq!(p, Permissions::UNKNOWN);
        assert!(p.write && !p.known);
        let viewer = Grants::Known(vec![AccessEntry::repository("prod/api", &["metadata_read"])]);
        let p = Permissions::from_grants(&viewer, &repo);
        assert_eq!(p, Permissions { read: true, write: false, delete: false, known: true });
        let nothing = Permissions::from_grants(&Grants::Known(vec![]), &repo);
        assert!(!nothing.read && !nothing.write && nothing.known);
    }
}
