//! Repository wire types: the catalog page, a repository's attributes, and a delete's result.

use crate::{ChangeableAttributes, Digest, RepositoryName, TagName, Timestamp};
use serde::{Deserialize, Serialize};

/// One page of `GET /acr/v1/_catalog` or `GET /v2/_catalog` (swagger `Repositories`).
///
/// An empty registry answers `{"repositories":null}`, kept here as `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repositories {
    /// Repository names, sorted lexically; `None` when the registry answered `null`.
    #[serde(default)]
    pub repositories: Option<Vec<RepositoryName>>,
}

/// `GET /acr/v1/{name}` (swagger `RepositoryAttributes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryAttributes {
    /// Login server of the registry, e.g. `myregistry.azurecr.io`.
    /// Never read by the client; empty when an answer leaves it out (the swagger does not
    /// require it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub registry: String,
    /// The repository name.
    pub image_name: RepositoryName,
    /// When the repository was created.
    pub created_time: Timestamp,
    /// When the repository last changed.
    pub last_update_time: Timestamp,
    /// Number of manifests in the repository.
    pub manifest_count: u64,
    /// Number of tags in the repository.
    pub tag_count: u64,
    /// The repository's lock flags.
    pub changeable_attributes: ChangeableAttributes,
}

/// `DELETE /acr/v1/{name}`: what the deletion removed (swagger `DeletedRepository`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedRepository {
    /// Digests of the deleted manifests.
    #[serde(default)]
    pub manifests_deleted: Vec<Digest>,
    /// Names of the deleted tags.
    #[serde(default)]
    pub tags_deleted: Vec<TagName>,
}
