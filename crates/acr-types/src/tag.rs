//! Tag wire types: a tag's attributes, the `_tags` list page, the `/v2` tag list, and the order.

use crate::{ChangeableAttributes, Digest, RepositoryName, TagName, Timestamp};
use serde::{Deserialize, Serialize};

/// One tag as listed or fetched (swagger `TagAttributesBase`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagAttributesBase {
    /// The tag.
    pub name: TagName,
    /// The manifest the tag points to.
    pub digest: Digest,
    /// When the tag was created.
    pub created_time: Timestamp,
    /// When the tag last moved or changed.
    pub last_update_time: Timestamp,
    /// Whether the tag is signed (ACR always sends it; optional in the swagger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<bool>,
    /// The tag's own lock flags (independent of the manifest's).
    pub changeable_attributes: ChangeableAttributes,
}

/// One page of `GET /acr/v1/{name}/_tags` (swagger `TagList`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagList {
    /// Login server of the registry.
    /// Never read by the client; empty when an answer leaves it out (the swagger does not
    /// require it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub registry: String,
    /// The repository name.
    pub image_name: RepositoryName,
    /// The tags on this page.
    #[serde(default)]
    pub tags: Vec<TagAttributesBase>,
}

/// `GET /acr/v1/{name}/_tags/{tag}` (swagger `TagAttributes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagAttributes {
    /// Login server of the registry.
    /// Never read by the client; empty when an answer leaves it out (the swagger does not
    /// require it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub registry: String,
    /// The repository name.
    pub image_name: RepositoryName,
    /// The tag.
    pub tag: TagAttributesBase,
}

/// One page of `GET /v2/{name}/tags/list` (swagger 2019 `RepositoryTags`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryTags {
    /// The repository name.
    pub name: RepositoryName,
    /// Tag names on this page.
    #[serde(default)]
    pub tags: Vec<TagName>,
}

/// List order for `_tags` and `_manifests` (swagger `TagOrderBy` / `ManifestOrderBy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum OrderBy {
    /// No order requested: lexical by name (tags) or digest (manifests).
    #[default]
    None,
    /// Most recently updated first (`timedesc`).
    TimeDesc,
    /// Least recently updated first (`timeasc`).
    TimeAsc,
}

/// Tag list order (swagger `TagOrderBy`).
pub type TagOrderBy = OrderBy;
/// Manifest list order (swagger `ManifestOrderBy`).
pub type ManifestOrderBy = OrderBy;

impl OrderBy {
    /// The `orderby` query value; empty for [`OrderBy::None`], as ACR writes it in `Link`.
    pub fn as_query(self) -> &'static str {
        match self {
            Self::None => "",
            Self::TimeDesc => "timedesc",
            Self::TimeAsc => "timeasc",
        }
    }

    /// Reads an `orderby` query value; empty and `none` mean no order.
    pub fn from_query(s: &str) -> Option<Self> {
        match s {
            "" | "none" => Some(Self::None),
            "timedesc" => Some(Self::TimeDesc),
            "timeasc" => Some(Self::TimeAsc),
            _ => None,
        }
    }
}
