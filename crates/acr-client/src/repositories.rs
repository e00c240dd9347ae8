//! Repository operations: the catalog, a repository's attributes, and deleting it.

use crate::{
    acr_paths,
    auth::Resource,
    client::{decode, is_empty_body, Op, RegistryClient},
    ClientError, Pages,
};
use acr_types::{AttributesPatch, DeletedRepository, RepositoryAttributes, RepositoryName};
use http::Method;

impl RegistryClient {
    /// Every repository name, page by page (`ContainerRegistry_GetRepositories`,
    /// `GET /acr/v1/_catalog`).
    ///
    /// ```no_run
    /// # async fn f(client: acr_client::RegistryClient) -> Result<(), acr_client::ClientError> {
    /// let names = acr_client::collect_all(client.list_repositories(), |n| println!("{n} so far")).await?;
    /// # Ok(()) }
    /// ```
    pub fn list_repositories(&self) -> Pages<'_, RepositoryName> {
        let first = acr_paths::catalog(self.options().page_size);
        self.pages(first, Resource::Catalog, "the repository list".into(), "repositories")
    }

    /// A repository's attributes (`ContainerRegistry_GetProperties`, `GET /acr/v1/{name}`).
    pub async fn get_repository_properties(
        &self,
        repo: &RepositoryName,
    ) -> Result<RepositoryAttributes, ClientError> {
        let res = self.execute(repo_op(Method::GET, repo, None, "read")).await?;
        decode(&res, repo.as_str())
    }

    /// Changes only the flags set in `patch` (`ContainerRegistry_UpdateProperties`,
    /// `PATCH /acr/v1/{name}`); returns the repository as the registry now holds it (read back
    /// with a GET when the answer has no body).
    pub async fn update_repository_properties(
        &self,
        repo: &RepositoryName,
        patch: &AttributesPatch,
    ) -> Result<RepositoryAttributes, ClientError> {
        let body = serde_json::to_vec(patch).unwrap_or_default();
        let res = self.execute(repo_op(Method::PATCH, repo, Some(body), "change locks")).await?;
        if is_empty_body(&res) {
            // Changed, but not echoed (the swagger does not promise a body): read it back.
            return self.get_repository_properties(repo).await;
        }
        decode(&res, repo.as_str())
    }

    /// Deletes a repository (`ContainerRegistry_DeleteRepository`, `DELETE /acr/v1/{name}`).
    pub async fn delete_repository(
        &self,
        repo: &RepositoryName,
    ) -> Result<DeletedRepository, ClientError> {
        let res = self.execute(repo_op(Method::DELETE, repo, None, "delete")).await?;
        if res.body().is_empty() {
            return Ok(DeletedRepository::default());
        }
        decode(&res, repo.as_str())
    }
}

fn repo_op(
    method: Method,
    repo: &RepositoryName,
    body: Option<Vec<u8>>,
    action: &'static str,
) -> Op {
    Op {
        method,
        path: acr_paths::repository(repo),
        body,
        resource: Resource::Repository(repo.clone()),
        action,
        what: repo.to_string(),
    }
}
