//! What the signed-in account may do, read from the `access` claims of the tokens ACR issued
//! (not guessed from refusals), so the console can show switches to admins and badges to viewers.

use crate::{auth::Resource, client::RegistryClient, ClientError};
use acr_types::{action, AccessEntry, RepositoryName};

/// The account's rights on one repository.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Permissions {
    /// May read attributes and lists (`metadata_read`).
    pub read: bool,
    /// May change lock flags (`metadata_write`).
    pub write: bool,
    /// May delete (`delete`).
    pub delete: bool,
}

impl Permissions {
    /// Reads the rights on `repo` from granted access entries.
    pub fn from_access(granted: &[AccessEntry], repo: &RepositoryName) -> Self {
        let holds = |a: &str| {
            granted.iter().any(|e| {
                e.kind == "repository" && (e.name == repo.as_str() || e.name == "*") && e.allows(a)
            })
        };
        Self {
            read: holds(action::METADATA_READ),
            write: holds(action::METADATA_WRITE),
            delete: holds(action::DELETE),
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
        Ok(Permissions::from_access(&token.granted, repo))
    }

    /// Whether the account may list the catalog.
    pub async fn can_list_catalog(&self) -> Result<bool, ClientError> {
        let token = self.access_token(&Resource::Catalog, false).await?;
        Ok(token
            .granted
            .iter()
            .any(|e| e.kind == "registry" && e.name == "catalog" && !e.actions.is_empty()))
    }
}
