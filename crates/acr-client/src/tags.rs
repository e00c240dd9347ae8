//! Tag operations: listing with attributes, one tag's attributes, changing them, untagging.

use crate::{
    acr_paths,
    auth::Resource,
    client::{decode, is_empty_body, Op, RegistryClient},
    ClientError, Pages,
};
use acr_types::{
    AttributesPatch, OrderBy, RepositoryName, TagAttributes, TagAttributesBase, TagName,
};
use http::Method;

impl RegistryClient {
    /// Every tag with its attributes, page by page (`ContainerRegistry_GetTags`,
    /// `GET /acr/v1/{name}/_tags`).
    pub fn list_tags(&self, repo: &RepositoryName, order: OrderBy) -> Pages<'_, TagAttributesBase> {
        let first = acr_paths::tags(repo, self.options().page_size, order);
        self.pages(first, Resource::Repository(repo.clone()), format!("the tags of {repo}"), "tags")
    }

    /// One tag (`ContainerRegistry_GetTagProperties`, `GET /acr/v1/{name}/_tags/{reference}`).
    pub async fn get_tag_properties(
        &self,
        repo: &RepositoryName,
        tag: &TagName,
    ) -> Result<TagAttributes, ClientError> {
        let res = self.execute(tag_op(Method::GET, repo, tag, None, "read")).await?;
        decode(&res, &format!("{repo}:{tag}"))
    }

    /// Changes only the flags set in `patch` (`ContainerRegistry_UpdateTagAttributes`,
    /// `PATCH /acr/v1/{name}/_tags/{reference}`); returns the tag as the registry now holds it (read
    /// back with a GET when the answer has no body).
    pub async fn update_tag_attributes(
        &self,
        repo: &RepositoryName,
        tag: &TagName,
        patch: &AttributesPatch,
    ) -> Result<TagAttributes, ClientError> {
        let body = serde_json::to_vec(patch).unwrap_or_default();
        let res =
            self.execute(tag_op(Method::PATCH, repo, tag, Some(body), "change locks")).await?;
        if is_empty_body(&res) {
            // Changed, but not echoed (the swagger does not promise a body): read it back.
            return self.get_tag_properties(repo, tag).await;
        }
        decode(&res, &format!("{repo}:{tag}"))
    }

    /// Removes a tag; the manifest stays (`ContainerRegistry_DeleteTag`,
    /// `DELETE /acr/v1/{name}/_tags/{reference}`).
    pub async fn delete_tag(
        &self,
        repo: &RepositoryName,
        tag: &TagName,
    ) -> Result<(), ClientError> {
        self.execute(tag_op(Method::DELETE, repo, tag, None, "delete")).await.map(drop)
    }
}

fn tag_op(
    method: Method,
    repo: &RepositoryName,
    tag: &TagName,
    body: Option<Vec<u8>>,
    action: &'static str,
) -> Op {
    Op {
        method,
        path: acr_paths::tag(repo, tag),
        body,
        resource: Resource::Repository(repo.clone()),
        action,
        what: format!("{repo}:{tag}"),
    }
}
