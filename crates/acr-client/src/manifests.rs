//! Manifest operations: listing with attributes, one manifest's attributes, changing them, and
//! deleting a manifest with its tags.

use crate::{
    acr_paths,
    auth::Resource,
    client::{decode, is_empty_body, Op, RegistryClient},
    ClientError, Pages,
};
use acr_types::{
    AttributesPatch, Digest, ManifestAttributes, ManifestAttributesBase, OrderBy, RepositoryName,
};
use http::Method;

impl RegistryClient {
    /// Every manifest with its attributes, page by page (`ContainerRegistry_GetManifests`,
    /// `GET /acr/v1/{name}/_manifests`).
    pub fn list_manifests(
        &self,
        repo: &RepositoryName,
        order: OrderBy,
    ) -> Pages<'_, ManifestAttributesBase> {
        let first = acr_paths::manifests(repo, self.options().page_size, order);
        self.pages(
            first,
            Resource::Repository(repo.clone()),
            format!("the manifests of {repo}"),
            "manifests",
        )
    }

    /// One manifest (`ContainerRegistry_GetManifestProperties`,
    /// `GET /acr/v1/{name}/_manifests/{digest}`).
    pub async fn get_manifest_properties(
        &self,
        repo: &RepositoryName,
        digest: &Digest,
    ) -> Result<ManifestAttributes, ClientError> {
        let res = self.execute(manifest_op(Method::GET, repo, digest, None, "read")).await?;
        decode(&res, &format!("{repo}@{digest}"))
    }

    /// Changes only the flags set in `patch` (`ContainerRegistry_UpdateManifestProperties`,
    /// `PATCH /acr/v1/{name}/_manifests/{digest}`); returns the manifest as the registry now holds
    /// it (read back with a GET when the answer has no body).
    pub async fn update_manifest_properties(
        &self,
        repo: &RepositoryName,
        digest: &Digest,
        patch: &AttributesPatch,
    ) -> Result<ManifestAttributes, ClientError> {
        let body = serde_json::to_vec(patch).unwrap_or_default();
        let res = self
            .execute(manifest_op(Method::PATCH, repo, digest, Some(body), "change locks"))
            .await?;
        if is_empty_body(&res) {
            // Changed, but not echoed (the swagger does not promise a body): read it back.
            return self.get_manifest_properties(repo, digest).await;
        }
        decode(&res, &format!("{repo}@{digest}"))
    }

    /// Deletes a manifest and every tag pointing at it (`ContainerRegistry_DeleteManifest`,
    /// `DELETE /v2/{name}/manifests/{digest}`).
    pub async fn delete_manifest(
        &self,
        repo: &RepositoryName,
        digest: &Digest,
    ) -> Result<(), ClientError> {
        let op = Op {
            method: Method::DELETE,
            path: acr_paths::v2_manifest(repo, digest),
            body: None,
            resource: Resource::Repository(repo.clone()),
            action: "delete",
            what: format!("{repo}@{digest}"),
        };
        self.execute(op).await.map(drop)
    }
}

fn manifest_op(
    method: Method,
    repo: &RepositoryName,
    digest: &Digest,
    body: Option<Vec<u8>>,
    action: &'static str,
) -> Op {
    Op {
        method,
        path: acr_paths::manifest(repo, digest),
        body,
        resource: Resource::Repository(repo.clone()),
        action,
        what: format!("{repo}@{digest}"),
    }
}
