//! Manifest wire types: a manifest's attributes (with the platforms of a multi-arch list) and the
//! `_manifests` list page.

use crate::{ChangeableAttributes, Digest, RepositoryName, TagName, Timestamp};
use serde::{Deserialize, Serialize};

/// One platform inside a manifest list or OCI index
/// (swagger `ManifestAttributes_manifest_references`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestReference {
    /// Digest of the platform's manifest.
    pub digest: Digest,
    /// CPU architecture (GOARCH values: `amd64`, `arm64`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// Operating system (GOOS values: `linux`, `windows`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
}

/// One manifest as listed or fetched (swagger `ManifestAttributesBase`, plus `mediaType`, which the
/// service returns although the 2021-07-01 property list omits it). Fields are in the order ACR
/// writes them (`spec/acr/recordings/manifest_get_and_patch.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestAttributesBase {
    /// The manifest digest.
    pub digest: Digest,
    /// Total size in bytes (manifest + config + layers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_size: Option<u64>,
    /// When the manifest was pushed.
    pub created_time: Timestamp,
    /// When the manifest last changed.
    pub last_update_time: Timestamp,
    /// CPU architecture; absent for manifest lists and non-image artifacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// Operating system; absent for manifest lists and non-image artifacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// The manifest's media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The config blob's media type, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_media_type: Option<String>,
    /// Tags pointing at this manifest; the key is omitted for untagged manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<TagName>>,
    /// The manifest's own lock flags (independent of its tags').
    pub changeable_attributes: ChangeableAttributes,
    /// The platforms of a manifest list / OCI index (ACR writes them last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<Vec<ManifestReference>>,
}

/// One page of `GET /acr/v1/{name}/_manifests` (swagger `AcrManifests`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcrManifests {
    /// Login server of the registry.
    /// Never read by the client; empty when an answer leaves it out (the swagger does not
    /// require it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub registry: String,
    /// The repository name.
    pub image_name: RepositoryName,
    /// The manifests on this page.
    #[serde(default)]
    pub manifests: Vec<ManifestAttributesBase>,
}

/// `GET /acr/v1/{name}/_manifests/{digest}` (swagger `ManifestAttributes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestAttributes {
    /// Login server of the registry.
    /// Never read by the client; empty when an answer leaves it out (the swagger does not
    /// require it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub registry: String,
    /// The repository name.
    pub image_name: RepositoryName,
    /// The manifest.
    pub manifest: ManifestAttributesBase,
}

/// Media types of manifests (OCI and Docker).
pub mod media_type {
    /// Docker image manifest, schema 2.
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    /// Docker manifest list (multi-arch).
    pub const DOCKER_MANIFEST_LIST: &str =
        "application/vnd.docker.distribution.manifest.list.v2+json";
    /// OCI image manifest.
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// OCI image index (multi-arch).
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// Docker image config.
    pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    /// OCI image config.
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    /// True for manifest lists and OCI indexes.
    pub fn is_index(media_type: &str) -> bool {
        media_type == DOCKER_MANIFEST_LIST || media_type == OCI_INDEX
    }
}
