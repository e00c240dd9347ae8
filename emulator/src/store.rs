//! The registry's contents and ACR's lock semantics: repositories, tags and manifests with their
//! changeable attributes, and the enforcement of the rules (acr-api.md §4.2) deciding which
//! operation a lock refuses. The rules themselves are [`acr_types::refusal::decide`], the same
//! function the console explains them with; this file only gathers the flags it needs. Pure data
//! and logic: no HTTP, no I/O, no clock (callers pass `now`); pushed bodies are validated by
//! [`crate::manifest`].

use crate::manifest::{parse_manifest, InvalidManifest};
use acr_types::{
    media_type,
    refusal::{decide, Item, Operation},
    AttributesPatch, ChangeableAttributes, DeletedRepository, Digest, ManifestAttributesBase,
    ManifestReference, OrderBy, RepositoryAttributes, RepositoryName, TagAttributesBase, TagName,
    Timestamp,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The sha256 digest of a manifest's bytes (defined in [`crate::manifest`]).
pub use crate::manifest::digest_of;

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
    /// When it was last moved (an attribute change does not count).
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
    /// When it was last changed (an attribute change does not count).
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

impl From<InvalidManifest> for StoreError {
    fn from(e: InvalidManifest) -> Self {
        Self::ManifestInvalid(e.0)
    }
}

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Where a manifest reference came from once parsed: a tag or a digest.
enum Reference {
    Tag(TagName),
    Digest(Digest),
}

/// Parses a `/v2` reference: with a `:` it must be a digest, otherwise a tag.
fn parse_reference(reference: &str) -> Result<Reference> {
    if reference.contains(':') {
        Digest::new(reference)
            .map(Reference::Digest)
            .map_err(|e| StoreError::ReferenceInvalid(e.to_string()))
    } else {
        TagName::new(reference)
            .map(Reference::Tag)
            .map_err(|e| StoreError::ReferenceInvalid(e.to_string()))
    }
}

fn tag_view(name: &TagName, tag: &Tag) -> TagAttributesBase {
    TagAttributesBase {
        name: name.clone(),
        digest: tag.digest.clone(),
        created_time: tag.created.clone(),
        last_update_time: tag.updated.clone(),
        signed: Some(tag.signed),
        changeable_attributes: tag.attributes.clone(),
    }
}

fn manifest_view(
    digest: &Digest,
    manifest: &Manifest,
    tags: Option<Vec<TagName>>,
) -> ManifestAttributesBase {
    ManifestAttributesBase {
        digest: digest.clone(),
        image_size: Some(manifest.size),
        created_time: manifest.created.clone(),
        last_update_time: manifest.updated.clone(),
        architecture: manifest.architecture.clone(),
        os: manifest.os.clone(),
        references: media_type::is_index(&manifest.media_type).then(|| manifest.references.clone()),
        media_type: Some(manifest.media_type.clone()),
        config_media_type: manifest.config_media_type.clone(),
        tags: tags.filter(|t| !t.is_empty()),
        changeable_attributes: manifest.attributes.clone(),
    }
}

/// Names of the tags pointing at `digest`, sorted.
fn tags_of(repo: &Repository, digest: &Digest) -> Vec<TagName> {
    repo.tags.iter().filter(|(_, t)| &t.digest == digest).map(|(n, _)| n.clone()).collect()
}

/// Sorts `items` by time (ties by key) for the time orders; leaves them (already in key order)
/// alone for [`OrderBy::None`].
fn order_by_time<T, K: Ord>(
    items: &mut [T],
    order: OrderBy,
    time: impl Fn(&T) -> &Timestamp,
    key: impl Fn(&T) -> &K,
) {
    match order {
        OrderBy::None => {}
        OrderBy::TimeAsc => {
            items.sort_by(|a, b| time(a).cmp(time(b)).then_with(|| key(a).cmp(key(b))))
        }
        OrderBy::TimeDesc => {
            items.sort_by(|a, b| time(b).cmp(time(a)).then_with(|| key(a).cmp(key(b))))
        }
    }
}

impl Repository {
    /// An empty, unlocked repository created at `now`.
    pub fn new(now: &Timestamp) -> Self {
        Self {
            created: now.clone(),
            updated: now.clone(),
            attributes: ChangeableAttributes::default(),
            tags: BTreeMap::new(),
            manifests: BTreeMap::new(),
        }
    }
}

impl Store {
    fn repo(&self, name: &RepositoryName) -> Result<&Repository> {
        self.repositories.get(name).ok_or_else(|| StoreError::NameUnknown(name.clone()))
    }

    fn repo_mut(&mut self, name: &RepositoryName) -> Result<&mut Repository> {
        self.repositories.get_mut(name).ok_or_else(|| StoreError::NameUnknown(name.clone()))
    }

    /// Repository names for `_catalog`, sorted lexically, without those with `listEnabled=false`.
    pub fn catalog(&self) -> Vec<RepositoryName> {
        self.repositories
            .iter()
            .filter(|(_, r)| r.attributes.list_enabled)
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// `GET /acr/v1/{name}`: the repository's attributes, counts and lock flags
    /// (`teleportEnabled` defaults to `false`, as ACR sends it).
    pub fn repository(
        &self,
        registry: &str,
        name: &RepositoryName,
    ) -> Result<RepositoryAttributes> {
        let repo = self.repo(name)?;
        let mut attributes = repo.attributes.clone();
        attributes.teleport_enabled = attributes.teleport_enabled.or(Some(false));
        Ok(RepositoryAttributes {
            registry: registry.to_owned(),
            image_name: name.clone(),
            created_time: repo.created.clone(),
            last_update_time: repo.updated.clone(),
            manifest_count: repo.manifests.len() as u64,
            tag_count: repo.tags.len() as u64,
            changeable_attributes: attributes,
        })
    }

    /// `PATCH /acr/v1/{name}`: merges the flags set in `patch` (never refused by a lock) and
    /// returns the full updated attributes. `lastUpdateTime` stays as it was, as in ACR (an
    /// attribute change is not an update of the content).
    pub fn update_repository(
        &mut self,
        registry: &str,
        name: &RepositoryName,
        patch: &AttributesPatch,
    ) -> Result<RepositoryAttributes> {
        self.repo_mut(name)?.attributes.apply(patch);
        self.repository(registry, name)
    }

    /// `DELETE /acr/v1/{name}`: removes the repository with everything in it.
    ///
    /// Refused ([`StoreError::Disallowed`], by [`decide`] for [`Operation::DeleteRepository`])
    /// when the repository has `writeEnabled=false` or `deleteEnabled=false`, or any tag or
    /// manifest in it has either flag `false`.
    pub fn delete_repository(&mut self, name: &RepositoryName) -> Result<DeletedRepository> {
        let repo = self.repo(name)?;
        let inside = repo
            .tags
            .iter()
            .map(|(n, t)| Item::Tag(n, &t.attributes))
            .chain(repo.manifests.iter().map(|(d, m)| Item::Manifest(d, &m.attributes)));
        if decide(Operation::DeleteRepository, &repo.attributes, None, None, inside).is_refused() {
            return Err(StoreError::Disallowed);
        }
        let repo =
            self.repositories.remove(name).ok_or_else(|| StoreError::NameUnknown(name.clone()))?;
        Ok(DeletedRepository {
            manifests_deleted: repo.manifests.into_keys().collect(),
            tags_deleted: repo.tags.into_keys().collect(),
        })
    }

    /// `GET /acr/v1/{name}/_tags`: the tags without `listEnabled=false` ones, only those pointing
    /// at `digest` when given. [`OrderBy::None`]: by name; time orders: by `lastUpdateTime`, ties
    /// by name.
    pub fn tags(
        &self,
        name: &RepositoryName,
        order: OrderBy,
        digest: Option<&Digest>,
    ) -> Result<Vec<TagAttributesBase>> {
        let repo = self.repo(name)?;
        let mut out: Vec<TagAttributesBase> = repo
            .tags
            .iter()
            .filter(|(_, t)| t.attributes.list_enabled && digest.is_none_or(|d| &t.digest == d))
            .map(|(n, t)| tag_view(n, t))
            .collect();
        order_by_time(&mut out, order, |t| &t.last_update_time, |t| &t.name);
        Ok(out)
    }

    /// `GET /acr/v1/{name}/_tags/{tag}` (also finds tags hidden by `listEnabled=false`).
    pub fn tag(&self, name: &RepositoryName, tag: &TagName) -> Result<TagAttributesBase> {
        let repo = self.repo(name)?;
        repo.tags.get(tag).map(|t| tag_view(tag, t)).ok_or(StoreError::TagUnknown)
    }

    /// `PATCH /acr/v1/{name}/_tags/{tag}`: merges the flags (never refused by a lock);
    /// `lastUpdateTime` stays as it was (`spec/acr/recordings/tag_get_and_patch.json`).
    pub fn update_tag(
        &mut self,
        name: &RepositoryName,
        tag: &TagName,
        patch: &AttributesPatch,
    ) -> Result<TagAttributesBase> {
        let repo = self.repo_mut(name)?;
        let t = repo.tags.get_mut(tag).ok_or(StoreError::TagUnknown)?;
        t.attributes.apply(patch);
        Ok(tag_view(tag, t))
    }

    /// `DELETE /acr/v1/{name}/_tags/{tag}` (untag): removes the tag and returns the digest it
    /// pointed at; the manifest stays.
    ///
    /// Refused ([`Operation::DeleteTag`]) when the tag has `writeEnabled=false` or
    /// `deleteEnabled=false`, or the repository has `writeEnabled=false` (the repository's
    /// `deleteEnabled=false` alone does not block it). A tag of a repository that does not
    /// exist is [`StoreError::TagUnknown`], as ACR answers (`spec/acr/recordings/errors.json`).
    pub fn delete_tag(
        &mut self,
        name: &RepositoryName,
        tag: &TagName,
        now: &Timestamp,
    ) -> Result<Digest> {
        let repo = self.repositories.get_mut(name).ok_or(StoreError::TagUnknown)?;
        let t = repo.tags.get(tag).ok_or(StoreError::TagUnknown)?;
        let decision =
            decide(Operation::DeleteTag, &repo.attributes, Some(&t.attributes), None, []);
        if decision.is_refused() {
            return Err(StoreError::Disallowed);
        }
        let digest = t.digest.clone();
        repo.tags.remove(tag);
        repo.updated = now.clone();
        Ok(digest)
    }

    /// `GET /acr/v1/{name}/_manifests`: the manifests without `listEnabled=false` ones.
    /// [`OrderBy::None`]: by digest; time orders: by `lastUpdateTime`, ties by digest.
    pub fn manifests(
        &self,
        name: &RepositoryName,
        order: OrderBy,
    ) -> Result<Vec<ManifestAttributesBase>> {
        let repo = self.repo(name)?;
        let mut tags: BTreeMap<&Digest, Vec<TagName>> = BTreeMap::new();
        for (n, t) in &repo.tags {
            tags.entry(&t.digest).or_default().push(n.clone());
        }
        let mut out: Vec<ManifestAttributesBase> = repo
            .manifests
            .iter()
            .filter(|(_, m)| m.attributes.list_enabled)
            .map(|(d, m)| manifest_view(d, m, tags.remove(d)))
            .collect();
        order_by_time(&mut out, order, |m| &m.last_update_time, |m| &m.digest);
        Ok(out)
    }

    /// `GET /acr/v1/{name}/_manifests/{digest}` (also finds manifests hidden by
    /// `listEnabled=false`).
    pub fn manifest(
        &self,
        name: &RepositoryName,
        digest: &Digest,
    ) -> Result<ManifestAttributesBase> {
        let repo = self.repo(name)?;
        let m = repo
            .manifests
            .get(digest)
            .ok_or_else(|| StoreError::ManifestUnknown(digest.to_string()))?;
        Ok(manifest_view(digest, m, Some(tags_of(repo, digest))))
    }

    /// `PATCH /acr/v1/{name}/_manifests/{digest}`: merges the flags (never refused by a lock);
    /// `lastUpdateTime` stays as it was.
    pub fn update_manifest(
        &mut self,
        name: &RepositoryName,
        digest: &Digest,
        patch: &AttributesPatch,
    ) -> Result<ManifestAttributesBase> {
        let repo = self.repo_mut(name)?;
        let m = repo
            .manifests
            .get_mut(digest)
            .ok_or_else(|| StoreError::ManifestUnknown(digest.to_string()))?;
        m.attributes.apply(patch);
        self.manifest(name, digest)
    }

    /// The digest a `/v2` reference (tag or digest) names.
    ///
    /// A reference containing `:` must be a valid digest, any other a valid tag
    /// ([`StoreError::ReferenceInvalid`]); an unknown tag or digest is
    /// [`StoreError::ManifestUnknown`] with the reference, as `/v2` answers.
    pub fn resolve(&self, name: &RepositoryName, reference: &str) -> Result<Digest> {
        let repo = self.repo(name)?;
        let unknown = || StoreError::ManifestUnknown(reference.to_owned());
        match parse_reference(reference)? {
            Reference::Tag(t) => repo.tags.get(&t).map(|t| t.digest.clone()).ok_or_else(unknown),
            Reference::Digest(d) => {
                repo.manifests.contains_key(&d).then_some(d).ok_or_else(unknown)
            }
        }
    }

    /// `GET /v2/{name}/manifests/{reference}`: the digest, media type and content.
    ///
    /// Refused ([`Operation::PullByTag`], [`Operation::PullByDigest`]) when `readEnabled=false`
    /// on the repository, the manifest, or (pulled by tag) the tag.
    pub fn pull_manifest(
        &self,
        name: &RepositoryName,
        reference: &str,
    ) -> Result<(Digest, String, String)> {
        let digest = self.resolve(name, reference)?;
        let repo = self.repo(name)?;
        let m = repo
            .manifests
            .get(&digest)
            .ok_or_else(|| StoreError::ManifestUnknown(reference.to_owned()))?;
        let decision = match parse_reference(reference)? {
            Reference::Tag(t) => {
                let tag = repo.tags.get(&t).map(|t| &t.attributes);
                decide(Operation::PullByTag, &repo.attributes, tag, Some(&m.attributes), [])
            }
            Reference::Digest(_) => {
                decide(Operation::PullByDigest, &repo.attributes, None, Some(&m.attributes), [])
            }
        };
        if decision.is_refused() {
            return Err(StoreError::Disallowed);
        }
        Ok((digest, m.media_type.clone(), m.content.clone()))
    }

    /// `PUT /v2/{name}/manifests/{reference}`: stores a manifest and, pushed by tag, creates or
    /// moves the tag (keeping its attributes and creation time). Creates the repository if
    /// needed. Returns the digest (sha256 of `body`).
    ///
    /// Refused ([`Operation::PushToTag`], [`Operation::PushByDigest`]) when the repository has
    /// `writeEnabled=false`, when the tag exists with `writeEnabled=false`, or when the same
    /// content exists as a manifest with `writeEnabled=false`. `body` must be a schema-2 image
    /// manifest (`config` + `layers`) or manifest list / OCI index (`manifests` with
    /// `platform`); `media_type` is the request's `Content-Type` (empty: the body's
    /// `mediaType`).
    pub fn push_manifest(
        &mut self,
        name: &RepositoryName,
        reference: &str,
        media_type: &str,
        body: &[u8],
        now: &Timestamp,
    ) -> Result<Digest> {
        let reference = parse_reference(reference)?;
        let parsed = parse_manifest(media_type, body)?;
        let digest = digest_of(body);
        if let Reference::Digest(d) = &reference {
            if d != &digest {
                return Err(StoreError::DigestMismatch(digest));
            }
        }
        let content = String::from_utf8(body.to_vec())
            .map_err(|_| StoreError::ManifestInvalid("the manifest is not UTF-8 text".into()))?;
        // A new repository has no locks yet.
        if let Some(repo) = self.repositories.get(name) {
            let stored = repo.manifests.get(&digest).map(|m| &m.attributes);
            let decision = match &reference {
                Reference::Tag(t) => {
                    let tag = repo.tags.get(t).map(|t| &t.attributes);
                    decide(Operation::PushToTag, &repo.attributes, tag, stored, [])
                }
                Reference::Digest(_) => {
                    decide(Operation::PushByDigest, &repo.attributes, None, stored, [])
                }
            };
            if decision.is_refused() {
                return Err(StoreError::Disallowed);
            }
        }
        let repo = self.repositories.entry(name.clone()).or_insert_with(|| Repository::new(now));
        if !repo.manifests.contains_key(&digest) {
            let children: u64 = parsed
                .references
                .iter()
                .filter_map(|r| repo.manifests.get(&r.digest))
                .map(|m| m.size)
                .fold(0, u64::saturating_add);
            let size =
                (body.len() as u64).saturating_add(parsed.blob_size).saturating_add(children);
            repo.manifests.insert(
                digest.clone(),
                Manifest {
                    media_type: parsed.media_type,
                    config_media_type: parsed.config_media_type,
                    size,
                    created: now.clone(),
                    updated: now.clone(),
                    architecture: None,
                    os: None,
                    references: parsed.references,
                    attributes: ChangeableAttributes::default(),
                    content,
                },
            );
        }
        if let Reference::Tag(t) = reference {
            match repo.tags.get_mut(&t) {
                Some(tag) => {
                    tag.digest = digest.clone();
                    tag.updated = now.clone();
                }
                None => {
                    repo.tags.insert(
                        t,
                        Tag {
                            digest: digest.clone(),
                            created: now.clone(),
                            updated: now.clone(),
                            signed: false,
                            attributes: ChangeableAttributes::default(),
                        },
                    );
                }
            }
        }
        repo.updated = now.clone();
        Ok(digest)
    }

    /// `DELETE /v2/{name}/manifests/{digest}`: removes the manifest and every tag pointing at it.
    ///
    /// Refused ([`Operation::DeleteManifest`]) when the manifest has `writeEnabled=false` or
    /// `deleteEnabled=false`, the repository has `writeEnabled=false`, or any tag pointing at it
    /// has either flag `false` (deleting the manifest would delete that tag; the emulator's
    /// choice for the unconfirmed cell of acr-api.md §4.2).
    pub fn delete_manifest(
        &mut self,
        name: &RepositoryName,
        digest: &Digest,
        now: &Timestamp,
    ) -> Result<()> {
        let repo = self.repo_mut(name)?;
        let m = repo
            .manifests
            .get(digest)
            .ok_or_else(|| StoreError::ManifestUnknown(digest.to_string()))?;
        let its_tags = repo
            .tags
            .iter()
            .filter(|(_, t)| &t.digest == digest)
            .map(|(n, t)| Item::Tag(n, &t.attributes));
        let decision = decide(
            Operation::DeleteManifest,
            &repo.attributes,
            None,
            Some(&m.attributes),
            its_tags,
        );
        if decision.is_refused() {
            return Err(StoreError::Disallowed);
        }
        repo.manifests.remove(digest);
        repo.tags.retain(|_, t| &t.digest != digest);
        repo.updated = now.clone();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::media_type::{DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST};

    const REG: &str = "demo.azurecr.io";

    fn ts(secs: i64) -> Timestamp {
        Timestamp::from_unix_nanos(i128::from(1_760_000_000 + secs) * 1_000_000_000)
    }
    fn repo(s: &str) -> RepositoryName {
        RepositoryName::new(s).unwrap()
    }
    fn tag(s: &str) -> TagName {
        TagName::new(s).unwrap()
    }
    fn fake(n: u32) -> String {
        format!("sha256:{n:064x}")
    }
    /// A Docker image manifest whose config is `seed`-specific; config 100 + layers 1000 + 2000.
    fn image(seed: u32) -> String {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST}","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","size":100,"digest":"{}"}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1000,"digest":"{}"}},{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2000,"digest":"{}"}}]}}"#,
            fake(seed),
            fake(seed + 1),
            fake(seed + 2)
        )
    }
    fn index(children: &[(&Digest, &str, &str)]) -> String {
        let entries: Vec<String> = children
            .iter()
            .map(|(d, os, arch)| {
                format!(
                    r#"{{"mediaType":"{DOCKER_MANIFEST}","size":500,"digest":"{d}","platform":{{"architecture":"{arch}","os":"{os}"}}}}"#
                )
            })
            .collect();
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST_LIST}","manifests":[{}]}}"#,
            entries.join(",")
        )
    }
    fn push(s: &mut Store, r: &str, reference: &str, body: &str, at: i64) -> Result<Digest> {
        s.push_manifest(&repo(r), reference, DOCKER_MANIFEST, body.as_bytes(), &ts(at))
    }
    fn patch(write: Option<bool>, delete: Option<bool>) -> AttributesPatch {
        AttributesPatch { write_enabled: write, delete_enabled: delete, ..Default::default() }
    }
    fn read_off() -> AttributesPatch {
        AttributesPatch { read_enabled: Some(false), ..Default::default() }
    }
    fn list_off() -> AttributesPatch {
        AttributesPatch { list_enabled: Some(false), ..Default::default() }
    }

    /// `app` with `v1` and `latest` on image 1, `v2` on image 2 and an untagged image 3.
    fn sample() -> (Store, Digest, Digest, Digest) {
        let mut s = Store::default();
        let d1 = push(&mut s, "app", "v1", &image(10), 10).unwrap();
        push(&mut s, "app", "latest", &image(10), 20).unwrap();
        let d2 = push(&mut s, "app", "v2", &image(20), 30).unwrap();
        let d3 =
            push(&mut s, "app", digest_of(image(30).as_bytes()).as_str(), &image(30), 40).unwrap();
        (s, d1, d2, d3)
    }

    #[test]
    fn catalog_is_sorted_and_hides_unlisted_repositories() {
        let mut s = Store::default();
        for r in ["b/x", "a", "c", "a/b"] {
            push(&mut s, r, "v1", &image(1), 0).unwrap();
        }
        s.update_repository(REG, &repo("c"), &list_off()).unwrap();
        assert_eq!(s.catalog(), vec![repo("a"), repo("a/b"), repo("b/x")]);
        // Hidden from the catalog, still addressable.
        assert!(s.repository(REG, &repo("c")).is_ok());
    }

    #[test]
    fn repository_reports_counts_and_teleport() {
        let (s, ..) = sample();
        let r = s.repository(REG, &repo("app")).unwrap();
        assert_eq!((r.manifest_count, r.tag_count), (3, 3));
        assert_eq!(r.registry, REG);
        assert_eq!(r.changeable_attributes.teleport_enabled, Some(false));
        assert_eq!(r.created_time, ts(10));
        assert_eq!(r.last_update_time, ts(40));
        assert_eq!(s.repository(REG, &repo("nope")), Err(StoreError::NameUnknown(repo("nope"))));
    }

    #[test]
    fn patches_merge_partially_are_never_refused_and_keep_the_update_time() {
        let (mut s, d1, ..) = sample();
        let r = s.update_repository(REG, &repo("app"), &patch(Some(false), None)).unwrap();
        assert!(!r.changeable_attributes.write_enabled && r.changeable_attributes.delete_enabled);
        assert_eq!(r.last_update_time, ts(40), "an attribute change is not an update");
        // Unlocking a locked repository works; an empty patch changes nothing.
        let r = s.update_repository(REG, &repo("app"), &patch(Some(true), None)).unwrap();
        assert!(r.changeable_attributes.write_enabled);
        let r = s.update_repository(REG, &repo("app"), &AttributesPatch::default()).unwrap();
        assert_eq!(r.last_update_time, ts(40));

        let t = s.update_tag(&repo("app"), &tag("v1"), &patch(Some(false), Some(false)));
        let t = t.unwrap();
        assert!(t.changeable_attributes.is_locked() && t.changeable_attributes.read_enabled);
        assert_eq!((t.created_time.clone(), t.last_update_time.clone()), (ts(10), ts(10)));
        let t = s.update_tag(&repo("app"), &tag("v1"), &patch(Some(true), None)).unwrap();
        assert!(t.changeable_attributes.write_enabled && !t.changeable_attributes.delete_enabled);
        // The manifest's flags are independent of the tag's.
        assert!(!s.manifest(&repo("app"), &d1).unwrap().changeable_attributes.is_locked());

        let m = s.update_manifest(&repo("app"), &d1, &patch(None, Some(false))).unwrap();
        assert!(!m.changeable_attributes.delete_enabled && m.changeable_attributes.write_enabled);
        assert_eq!(m.last_update_time, ts(10));
        let m = s.update_manifest(&repo("app"), &d1, &patch(None, Some(true))).unwrap();
        assert!(m.changeable_attributes.delete_enabled);

        assert_eq!(
            s.update_tag(&repo("app"), &tag("zz"), &patch(None, None)),
            Err(StoreError::TagUnknown)
        );
        let unknown = digest_of(b"x");
        assert_eq!(
            s.update_manifest(&repo("app"), &unknown, &patch(None, None)),
            Err(StoreError::ManifestUnknown(unknown.to_string()))
        );
    }

    #[test]
    fn repository_delete_is_refused_by_any_lock_inside() {
        let (s0, d1, ..) = sample();
        type Lock = fn(&mut Store, &Digest);
        let locks: [(&str, Lock); 6] = [
            ("repo write", |s, _| {
                s.update_repository(REG, &repo("app"), &patch(Some(false), None)).unwrap();
            }),
            ("repo delete", |s, _| {
                s.update_repository(REG, &repo("app"), &patch(None, Some(false))).unwrap();
            }),
            ("tag write", |s, _| {
                s.update_tag(&repo("app"), &tag("v2"), &patch(Some(false), None)).unwrap();
            }),
            ("tag delete", |s, _| {
                s.update_tag(&repo("app"), &tag("v2"), &patch(None, Some(false))).unwrap();
            }),
            ("manifest write", |s, d| {
                s.update_manifest(&repo("app"), d, &patch(Some(false), None)).unwrap();
            }),
            ("manifest delete", |s, d| {
                s.update_manifest(&repo("app"), d, &patch(None, Some(false))).unwrap();
            }),
        ];
        for (what, lock) in locks {
            let mut s = s0.clone();
            lock(&mut s, &d1);
            assert_eq!(s.delete_repository(&repo("app")), Err(StoreError::Disallowed), "{what}");
            assert!(s.repositories.contains_key(&repo("app")), "{what}");
        }
        // Read and list flags are not locks.
        let mut s = s0.clone();
        s.update_repository(REG, &repo("app"), &read_off()).unwrap();
        s.update_manifest(&repo("app"), &d1, &list_off()).unwrap();
        let gone = s.delete_repository(&repo("app")).unwrap();
        let mut digests: Vec<Digest> =
            s0.repositories[&repo("app")].manifests.keys().cloned().collect();
        digests.sort();
        assert_eq!(gone.manifests_deleted, digests);
        assert_eq!(gone.tags_deleted, vec![tag("latest"), tag("v1"), tag("v2")]);
        assert!(s.repositories.is_empty());
        assert_eq!(s.delete_repository(&repo("app")), Err(StoreError::NameUnknown(repo("app"))));
    }

    #[test]
    fn tags_are_ordered_filtered_and_hide_unlisted() {
        let (mut s, d1, d2, _) = sample();
        let names = |v: Vec<TagAttributesBase>| {
            v.into_iter().map(|t| t.name.to_string()).collect::<Vec<_>>()
        };
        let all = s.tags(&repo("app"), OrderBy::None, None).unwrap();
        assert!(all.iter().all(|t| t.signed == Some(false)));
        assert_eq!(names(all), ["latest", "v1", "v2"]);
        assert_eq!(
            names(s.tags(&repo("app"), OrderBy::TimeAsc, None).unwrap()),
            ["v1", "latest", "v2"]
        );
        assert_eq!(
            names(s.tags(&repo("app"), OrderBy::TimeDesc, None).unwrap()),
            ["v2", "latest", "v1"]
        );
        assert_eq!(
            names(s.tags(&repo("app"), OrderBy::None, Some(&d1)).unwrap()),
            ["latest", "v1"]
        );
        assert_eq!(names(s.tags(&repo("app"), OrderBy::None, Some(&d2)).unwrap()), ["v2"]);
        // Ties on time are broken by name in both directions.
        let app = s.repositories.get_mut(&repo("app")).unwrap();
        app.tags.get_mut(&tag("v2")).unwrap().updated = ts(20);
        assert_eq!(
            names(s.tags(&repo("app"), OrderBy::TimeAsc, None).unwrap()),
            ["v1", "latest", "v2"]
        );
        assert_eq!(
            names(s.tags(&repo("app"), OrderBy::TimeDesc, None).unwrap()),
            ["latest", "v2", "v1"]
        );
        s.update_tag(&repo("app"), &tag("latest"), &list_off()).unwrap();
        assert_eq!(names(s.tags(&repo("app"), OrderBy::None, None).unwrap()), ["v1", "v2"]);
        assert_eq!(s.tag(&repo("app"), &tag("latest")).unwrap().digest, d1);
        assert_eq!(s.tag(&repo("app"), &tag("nope")), Err(StoreError::TagUnknown));
        assert_eq!(
            s.tags(&repo("nope"), OrderBy::None, None),
            Err(StoreError::NameUnknown(repo("nope")))
        );
    }

    #[test]
    fn tag_delete_rules() {
        let (s0, d1, ..) = sample();
        type Lock = fn(&mut Store);
        let refused: [(&str, Lock); 3] = [
            ("tag write", |s| {
                s.update_tag(&repo("app"), &tag("v1"), &patch(Some(false), None)).unwrap();
            }),
            ("tag delete", |s| {
                s.update_tag(&repo("app"), &tag("v1"), &patch(None, Some(false))).unwrap();
            }),
            ("repo write", |s| {
                s.update_repository(REG, &repo("app"), &patch(Some(false), None)).unwrap();
            }),
        ];
        for (what, lock) in refused {
            let mut s = s0.clone();
            lock(&mut s);
            assert_eq!(
                s.delete_tag(&repo("app"), &tag("v1"), &ts(99)),
                Err(StoreError::Disallowed),
                "{what}"
            );
        }
        // Repository deleteEnabled=false and a locked manifest do not block untagging.
        let mut s = s0.clone();
        s.update_repository(REG, &repo("app"), &patch(None, Some(false))).unwrap();
        s.update_manifest(&repo("app"), &d1, &patch(Some(false), Some(false))).unwrap();
        assert_eq!(s.delete_tag(&repo("app"), &tag("v1"), &ts(99)), Ok(d1.clone()));
        assert_eq!(s.tag(&repo("app"), &tag("v1")), Err(StoreError::TagUnknown));
        assert!(s.manifest(&repo("app"), &d1).is_ok(), "the manifest stays");
        assert_eq!(s.repository(REG, &repo("app")).unwrap().last_update_time, ts(99));
        assert_eq!(s.delete_tag(&repo("app"), &tag("v1"), &ts(99)), Err(StoreError::TagUnknown));
        // Also in a repository that does not exist (ACR: TAG_UNKNOWN, not NAME_UNKNOWN).
        assert_eq!(s.delete_tag(&repo("nope"), &tag("v1"), &ts(99)), Err(StoreError::TagUnknown));
    }

    #[test]
    fn manifests_list_their_tags_sizes_and_platforms() {
        let (mut s, d1, d2, d3) = sample();
        let m1 = s.manifest(&repo("app"), &d1).unwrap();
        assert_eq!(m1.tags, Some(vec![tag("latest"), tag("v1")]));
        assert_eq!(m1.image_size, Some(image(10).len() as u64 + 3100));
        assert_eq!(m1.media_type.as_deref(), Some(DOCKER_MANIFEST));
        assert_eq!(
            m1.config_media_type.as_deref(),
            Some("application/vnd.docker.container.image.v1+json")
        );
        assert_eq!((m1.references, m1.architecture), (None, None));
        let json = serde_json::to_value(s.manifest(&repo("app"), &d3).unwrap()).unwrap();
        assert!(json.get("tags").is_none(), "untagged manifests omit the key: {json}");

        let list = index(&[(&d1, "linux", "amd64"), (&d2, "linux", "arm64")]);
        let di = s
            .push_manifest(&repo("app"), "multi", DOCKER_MANIFEST_LIST, list.as_bytes(), &ts(50))
            .unwrap();
        let mi = s.manifest(&repo("app"), &di).unwrap();
        let refs = mi.references.unwrap();
        assert_eq!(refs.len(), 2);
        assert_eq!(
            (refs[1].digest.clone(), refs[1].architecture.as_deref()),
            (d2.clone(), Some("arm64"))
        );
        let children = s.manifest(&repo("app"), &d1).unwrap().image_size.unwrap()
            + s.manifest(&repo("app"), &d2).unwrap().image_size.unwrap();
        assert_eq!(mi.image_size, Some(list.len() as u64 + children));
        assert_eq!(mi.config_media_type, None);

        let digests =
            |v: Vec<ManifestAttributesBase>| v.into_iter().map(|m| m.digest).collect::<Vec<_>>();
        let mut by_digest = vec![d1.clone(), d2.clone(), d3.clone(), di.clone()];
        by_digest.sort();
        assert_eq!(digests(s.manifests(&repo("app"), OrderBy::None).unwrap()), by_digest);
        assert_eq!(
            digests(s.manifests(&repo("app"), OrderBy::TimeAsc).unwrap()),
            [d1.clone(), d2.clone(), d3.clone(), di.clone()]
        );
        assert_eq!(
            digests(s.manifests(&repo("app"), OrderBy::TimeDesc).unwrap()),
            [di.clone(), d3.clone(), d2.clone(), d1.clone()]
        );
        s.update_manifest(&repo("app"), &d3, &list_off()).unwrap();
        assert!(!digests(s.manifests(&repo("app"), OrderBy::None).unwrap()).contains(&d3));
        let listed = s.manifests(&repo("app"), OrderBy::None).unwrap();
        let l1 = listed.iter().find(|m| m.digest == d1).unwrap();
        assert_eq!(l1.tags, Some(vec![tag("latest"), tag("v1")]));
    }

    #[test]
    fn references_resolve_or_fail_precisely() {
        let (s, d1, ..) = sample();
        let app = repo("app");
        assert_eq!(s.resolve(&app, "v1"), Ok(d1.clone()));
        assert_eq!(s.resolve(&app, d1.as_str()), Ok(d1.clone()));
        assert_eq!(s.resolve(&app, "nope"), Err(StoreError::ManifestUnknown("nope".into())));
        let other = digest_of(b"other");
        assert_eq!(
            s.resolve(&app, other.as_str()),
            Err(StoreError::ManifestUnknown(other.to_string()))
        );
        for bad in ["sha256:abc", "-x", "a b", "", "md5:00"] {
            assert!(matches!(s.resolve(&app, bad), Err(StoreError::ReferenceInvalid(_))), "{bad}");
        }
        assert_eq!(s.resolve(&repo("nope"), "v1"), Err(StoreError::NameUnknown(repo("nope"))));
    }

    #[test]
    fn pulls_are_refused_by_read_flags() {
        let (s0, d1, ..) = sample();
        let app = repo("app");
        let (d, mt, content) = s0.pull_manifest(&app, "v1").unwrap();
        assert_eq!((d, mt.as_str(), content), (d1.clone(), DOCKER_MANIFEST, image(10)));

        let mut s = s0.clone();
        s.update_repository(REG, &app, &read_off()).unwrap();
        assert_eq!(s.pull_manifest(&app, "v1"), Err(StoreError::Disallowed));
        assert_eq!(s.pull_manifest(&app, d1.as_str()), Err(StoreError::Disallowed));

        let mut s = s0.clone();
        s.update_tag(&app, &tag("v1"), &read_off()).unwrap();
        assert_eq!(s.pull_manifest(&app, "v1"), Err(StoreError::Disallowed));
        assert!(s.pull_manifest(&app, "latest").is_ok());
        assert!(s.pull_manifest(&app, d1.as_str()).is_ok());

        let mut s = s0.clone();
        s.update_manifest(&app, &d1, &read_off()).unwrap();
        assert_eq!(s.pull_manifest(&app, "latest"), Err(StoreError::Disallowed));
        assert_eq!(s.pull_manifest(&app, d1.as_str()), Err(StoreError::Disallowed));

        // Write and delete locks do not block pulls.
        let mut s = s0.clone();
        s.update_repository(REG, &app, &patch(Some(false), Some(false))).unwrap();
        s.update_manifest(&app, &d1, &patch(Some(false), Some(false))).unwrap();
        assert!(s.pull_manifest(&app, "v1").is_ok());
        assert_eq!(s0.pull_manifest(&app, "nope"), Err(StoreError::ManifestUnknown("nope".into())));
    }

    #[test]
    fn pushes_validate_the_manifest() {
        let mut s = Store::default();
        let app = repo("app");
        let mut bad =
            |mt: &str, body: &str| match s.push_manifest(&app, "v1", mt, body.as_bytes(), &ts(0)) {
                Err(StoreError::ManifestInvalid(m)) => m,
                other => panic!("{body}: {other:?}"),
            };
        assert!(bad(DOCKER_MANIFEST, "{").contains("not valid JSON"));
        assert!(bad(DOCKER_MANIFEST, "[]").contains("JSON object"));
        assert!(bad(DOCKER_MANIFEST, r#"{"schemaVersion":1}"#).contains("schemaVersion"));
        assert!(bad(DOCKER_MANIFEST, r#"{"schemaVersion":2,"layers":[]}"#).contains("config"));
        let no_layers = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"x","size":1,"digest":"{}"}}}}"#,
            fake(1)
        );
        assert!(bad(OCI_MANIFEST, &no_layers).contains("layers"));
        let bad_digest = r#"{"schemaVersion":2,"config":{"mediaType":"x","size":1,"digest":"sha256:zz"},"layers":[]}"#;
        assert!(bad(OCI_MANIFEST, bad_digest).contains("config.digest"));
        let bad_size = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"x","size":1,"digest":"{0}"}},"layers":[{{"mediaType":"x","size":-1,"digest":"{0}"}}]}}"#,
            fake(1)
        );
        assert!(bad(OCI_MANIFEST, &bad_size).contains("layers[0].size"));
        assert!(bad(OCI_MANIFEST, &image(1)).contains("does not match"));
        assert!(bad("text/plain", &no_layers).contains("unsupported"));
        assert!(bad("", r#"{"schemaVersion":2}"#).contains("no media type"));
        let no_platform = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"x","size":1,"digest":"{}"}}]}}"#,
            fake(1)
        );
        assert!(bad(OCI_INDEX, &no_platform).contains("manifests[0].platform"));
        assert!(bad(OCI_INDEX, r#"{"schemaVersion":2}"#).contains("manifests"));
        assert!(s.repositories.is_empty(), "nothing was stored");

        // The body's mediaType stands in for a missing Content-Type; a parameter is ignored.
        assert!(s.push_manifest(&app, "v1", "", image(1).as_bytes(), &ts(0)).is_ok());
        let with_param = format!("{DOCKER_MANIFEST}; charset=utf-8");
        assert!(s.push_manifest(&app, "v2", &with_param, image(2).as_bytes(), &ts(0)).is_ok());

        // By digest: the body must hash to it.
        let body = image(5);
        let other = digest_of(b"other");
        assert_eq!(
            s.push_manifest(&app, other.as_str(), DOCKER_MANIFEST, body.as_bytes(), &ts(0)),
            Err(StoreError::DigestMismatch(digest_of(body.as_bytes())))
        );
        assert!(matches!(
            s.push_manifest(&app, "bad tag", DOCKER_MANIFEST, body.as_bytes(), &ts(0)),
            Err(StoreError::ReferenceInvalid(_))
        ));
    }

    #[test]
    fn pushes_create_repositories_and_move_tags() {
        let mut s = Store::default();
        let app = repo("team/app");
        let d1 = push(&mut s, "team/app", "v1", &image(1), 10).unwrap();
        assert_eq!(d1, digest_of(image(1).as_bytes()));
        let r = s.repository(REG, &app).unwrap();
        assert_eq!((r.created_time, r.manifest_count, r.tag_count), (ts(10), 1, 1));
        s.update_tag(&app, &tag("v1"), &patch(None, Some(false))).unwrap();
        // deleteEnabled=false does not block overwriting the tag.
        let d2 = push(&mut s, "team/app", "v1", &image(2), 20).unwrap();
        let t = s.tag(&app, &tag("v1")).unwrap();
        assert_eq!((t.digest, t.created_time, t.last_update_time), (d2, ts(10), ts(20)));
        assert!(!t.changeable_attributes.delete_enabled, "attributes are kept");
        assert!(s.manifest(&app, &d1).unwrap().tags.is_none(), "the old manifest stays, untagged");
        assert_eq!(s.repository(REG, &app).unwrap().last_update_time, ts(20));
        // Re-pushing identical content keeps the manifest's times.
        push(&mut s, "team/app", "v1-again", &image(1), 30).unwrap();
        assert_eq!(s.manifest(&app, &d1).unwrap().created_time, ts(10));
    }

    #[test]
    fn pushes_are_refused_by_write_locks() {
        let (s0, d1, ..) = sample();
        let app = repo("app");

        let mut s = s0.clone();
        s.update_repository(REG, &app, &patch(Some(false), None)).unwrap();
        assert_eq!(push(&mut s, "app", "new", &image(50), 1), Err(StoreError::Disallowed));
        assert_eq!(push(&mut s, "app", "v1", &image(50), 1), Err(StoreError::Disallowed));

        let mut s = s0.clone();
        s.update_repository(REG, &app, &patch(None, Some(false))).unwrap();
        assert!(push(&mut s, "app", "new", &image(50), 1).is_ok());

        let mut s = s0.clone();
        s.update_tag(&app, &tag("v1"), &patch(Some(false), None)).unwrap();
        assert_eq!(push(&mut s, "app", "v1", &image(50), 1), Err(StoreError::Disallowed));
        assert_eq!(push(&mut s, "app", "v1", &image(10), 1), Err(StoreError::Disallowed));
        assert!(push(&mut s, "app", "new", &image(50), 1).is_ok());
        assert_eq!(s.tag(&app, &tag("v1")).unwrap().digest, d1);

        let mut s = s0.clone();
        s.update_manifest(&app, &d1, &patch(Some(false), None)).unwrap();
        assert_eq!(push(&mut s, "app", "new", &image(10), 1), Err(StoreError::Disallowed));
        assert_eq!(push(&mut s, "app", d1.as_str(), &image(10), 1), Err(StoreError::Disallowed));
        // Moving an unlocked tag away from a locked manifest leaves the manifest alone.
        assert!(push(&mut s, "app", "v1", &image(50), 1).is_ok());
        assert!(s.manifest(&app, &d1).is_ok());
    }

    #[test]
    fn manifest_delete_rules() {
        let (s0, d1, _, d3) = sample();
        let app = repo("app");
        type Lock = fn(&mut Store, &Digest);
        let refused: [(&str, Lock); 6] = [
            ("manifest write", |s, d| {
                s.update_manifest(&repo("app"), d, &patch(Some(false), None)).unwrap();
            }),
            ("manifest delete", |s, d| {
                s.update_manifest(&repo("app"), d, &patch(None, Some(false))).unwrap();
            }),
            ("repo write", |s, _| {
                s.update_repository(REG, &repo("app"), &patch(Some(false), None)).unwrap();
            }),
            ("tag write", |s, _| {
                s.update_tag(&repo("app"), &tag("latest"), &patch(Some(false), None)).unwrap();
            }),
            ("tag delete", |s, _| {
                s.update_tag(&repo("app"), &tag("latest"), &patch(None, Some(false))).unwrap();
            }),
            ("tag read+list are not locks, but write is", |s, _| {
                s.update_tag(&repo("app"), &tag("v1"), &read_off()).unwrap();
                s.update_tag(&repo("app"), &tag("v1"), &patch(Some(false), None)).unwrap();
            }),
        ];
        for (what, lock) in refused {
            let mut s = s0.clone();
            lock(&mut s, &d1);
            assert_eq!(
                s.delete_manifest(&app, &d1, &ts(99)),
                Err(StoreError::Disallowed),
                "{what}"
            );
        }
        // Repository deleteEnabled=false alone, or a lock on another manifest's tag, does not block.
        let mut s = s0.clone();
        s.update_repository(REG, &app, &patch(None, Some(false))).unwrap();
        s.update_tag(&app, &tag("v2"), &patch(Some(false), Some(false))).unwrap();
        s.delete_manifest(&app, &d1, &ts(99)).unwrap();
        assert_eq!(s.tag(&app, &tag("v1")), Err(StoreError::TagUnknown), "its tags go with it");
        assert_eq!(s.tag(&app, &tag("latest")), Err(StoreError::TagUnknown));
        assert!(s.tag(&app, &tag("v2")).is_ok());
        assert_eq!(s.resolve(&app, d1.as_str()), Err(StoreError::ManifestUnknown(d1.to_string())));
        s.delete_manifest(&app, &d3, &ts(100)).unwrap();
        assert_eq!(s.repository(REG, &app).unwrap().manifest_count, 1);
        assert_eq!(
            s.delete_manifest(&app, &d3, &ts(100)),
            Err(StoreError::ManifestUnknown(d3.to_string()))
        );
    }
}
