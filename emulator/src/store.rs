//! The registry's contents and ACR's lock semantics: repositories, tags and manifests with their
//! changeable attributes, and the rules (acr-api.md §4.2) deciding which operation a lock refuses.
//! Pure data and logic: no HTTP, no I/O, no clock (callers pass `now`).

use acr_types::{
    AttributesPatch, ChangeableAttributes, DeletedRepository, Digest, ManifestAttributesBase,
    ManifestReference, OrderBy, RepositoryAttributes, RepositoryName, TagAttributesBase, TagName,
    Timestamp,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a store operation failed. `routes` maps each variant to ACR's status and body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No such repository (404 `NAME_UNKNOWN`).
    #[error("repository {0} not found")]
    NameUnknown(RepositoryName),
    /// No such tag (404 `TAG_UNKNOWN`).
    #[error("tag not found")]
    TagUnknown,
    /// No such manifest (404 `MANIFEST_UNKNOWN`); carries the reference asked for.
    #[error("manifest {0} not found")]
    ManifestUnknown(String),
    /// A lock refuses the operation (405 `REGISTRY_DISALLOWED_OPERATION`).
    #[error("the operation is disallowed by a lock")]
    Disallowed,
    /// The pushed manifest is not valid (400 `MANIFEST_INVALID`).
    #[error("invalid manifest: {0}")]
    ManifestInvalid(String),
    /// A manifest PUT by digest whose body hashes to another digest (400 `DIGEST_INVALID`).
    #[error("the body's digest is {0}, not the digest in the path")]
    DigestMismatch(Digest),
    /// A reference that is neither a valid tag nor a valid digest (400 `TAG_INVALID`).
    #[error("{0}")]
    ReferenceInvalid(String),
}

/// One tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// The manifest it points to.
    pub digest: Digest,
    /// When it was created.
    pub created: Timestamp,
    /// When it last moved or its attributes changed.
    pub updated: Timestamp,
    /// Whether it is signed.
    pub signed: bool,
    /// Its own lock flags.
    pub attributes: ChangeableAttributes,
}

/// One manifest, with its raw content (served by `GET /v2/{name}/manifests/{ref}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Media type of the manifest.
    pub media_type: String,
    /// Media type of its config blob (images only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_media_type: Option<String>,
    /// Image size in bytes: manifest + config + layers (for an index: the sum of its platforms).
    pub size: u64,
    /// When it was pushed.
    pub created: Timestamp,
    /// When it or its attributes last changed.
    pub updated: Timestamp,
    /// CPU architecture (images only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// Operating system (images only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Platforms of a manifest list / OCI index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<ManifestReference>,
    /// Its own lock flags.
    pub attributes: ChangeableAttributes,
    /// The manifest's bytes (JSON text); their sha256 is the digest.
    pub content: String,
}

/// One repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    /// When it was created.
    pub created: Timestamp,
    /// When anything in it last changed.
    pub updated: Timestamp,
    /// Its lock flags.
    pub attributes: ChangeableAttributes,
    /// Tags by name.
    pub tags: BTreeMap<TagName, Tag>,
    /// Manifests by digest.
    pub manifests: BTreeMap<Digest, Manifest>,
}

/// The whole registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    /// Repositories by name.
    pub repositories: BTreeMap<RepositoryName, Repository>,
}
