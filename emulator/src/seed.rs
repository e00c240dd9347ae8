//! Initial data: the built-in demo registry and users, the JSON seed file format, and the
//! generator for scale tests.
//!
//! Seed files and the demo go through one builder ([`SeedFile::build`]), which turns each image
//! description into real manifest JSON (Docker v2 or OCI, with config and layer descriptors, and
//! manifest lists / indexes for several platforms) whose digest is the sha256 of its bytes.

use crate::{
    store::{digest_of, Manifest, Repository, Store, Tag},
    users::{Grant, User, UserKind, Users},
};
use acr_types::{
    media_type, AttributesPatch, ChangeableAttributes, Digest, ManifestReference, RepositoryName,
    TagName, Timestamp,
};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, fmt::Write as _, path::Path};

/// Parameters of the scale generator (`--generate repos=10000,tags=5000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generate {
    /// Number of repositories.
    pub repos: usize,
    /// Number of tags in the one big repository `scale/many-tags`.
    pub tags: usize,
}

/// Largest `repos` or `tags` value [`Generate::parse`] accepts.
pub const GENERATE_LIMIT: usize = 1_000_000;

impl Generate {
    /// Parses `repos=N,tags=N` (either key may be left out and is then 0; order is free).
    pub fn parse(s: &str) -> Result<Self, String> {
        const FORMAT: &str = "expected repos=N,tags=N (e.g. repos=10000,tags=5000)";
        let mut repos = None;
        let mut tags = None;
        if s.trim().is_empty() {
            return Err(format!("empty generator parameters: {FORMAT}"));
        }
        for part in s.split(',').map(str::trim) {
            let (key, value) =
                part.split_once('=').ok_or_else(|| format!("'{part}' has no '=': {FORMAT}"))?;
            let slot = match key.trim() {
                "repos" => &mut repos,
                "tags" => &mut tags,
                other => return Err(format!("unknown key '{other}' in '{part}': {FORMAT}")),
            };
            if slot.is_some() {
                return Err(format!("'{}' is given twice: {FORMAT}", key.trim()));
            }
            let n: usize = value.trim().parse().map_err(|_| {
                format!("'{}' in '{part}' is not a non-negative whole number", value.trim())
            })?;
            if n > GENERATE_LIMIT {
                return Err(format!("{part}: at most {GENERATE_LIMIT} is supported"));
            }
            *slot = Some(n);
        }
        Ok(Self { repos: repos.unwrap_or(0), tags: tags.unwrap_or(0) })
    }
}

/// The JSON seed file format (`--seed FILE`): users (optional) and repositories described by
/// their images. Unknown keys are refused, so a typo is an error, not a silently ignored field.
///
/// ```json
/// {
///   "users": [ … ],
///   "repositories": [
///     {
///       "name": "prod/payments/api",
///       "createdTime": "2025-05-10T09:00:00Z",
///       "attributes": {"deleteEnabled": false},
///       "images": [
///         {"tags": ["1.4.2", "stable"], "platforms": ["linux/amd64", "linux/arm64"],
///          "size": 188000000, "pushed": "2026-10-01T12:00:00Z",
///          "attributes": {"writeEnabled": false, "deleteEnabled": false},
///          "tagAttributes": {"1.4.2": {"writeEnabled": false, "deleteEnabled": false}}},
///         {"tags": [], "size": 180000000, "pushed": "2025-06-01T08:30:00Z"}
///       ]
///     }
///   ]
/// }
/// ```
///
/// * `users`: as in the data file (`id`, `displayName`, `upn`, `objectId`, `kind`, `password`,
///   `catalog`, `grants`, `description`); left out: the demo users ([`demo_users`]).
/// * A repository's `createdTime` defaults to its earliest image's `pushed`; `attributes` is a
///   partial set of the four lock flags applied to the repository.
/// * See [`SeedImage`] for the image fields. Each image becomes one image manifest, or, with
///   several platforms, a manifest list / OCI index plus one untagged manifest per platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedFile {
    /// The principals; `None`: the demo users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<User>>,
    /// The repositories.
    #[serde(default)]
    pub repositories: Vec<SeedRepository>,
}

/// One repository of a [`SeedFile`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedRepository {
    /// The repository name (`prod/payments/api`).
    pub name: RepositoryName,
    /// Creation time; default: the earliest image's `pushed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_time: Option<Timestamp>,
    /// Lock flags of the repository (only those given change; all default to `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<AttributesPatch>,
    /// The images, each with its tags (none: an untagged manifest).
    #[serde(default)]
    pub images: Vec<SeedImage>,
}

/// Manifest flavour of a seeded image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeedFormat {
    /// Docker image manifest v2 / manifest list.
    #[default]
    Docker,
    /// OCI image manifest / image index.
    Oci,
}

/// One image of a [`SeedRepository`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedImage {
    /// Tags pointing at the image (for several platforms: at the list / index). Empty: untagged.
    #[serde(default)]
    pub tags: Vec<TagName>,
    /// `os/architecture[/variant]`, e.g. `linux/amd64`; default `["linux/amd64"]`. Several:
    /// a manifest list (Docker) or index (OCI) over one image per platform.
    #[serde(default = "default_platforms")]
    pub platforms: Vec<String>,
    /// Bytes of config and layers of each platform's image (default 25,000,000; at least
    /// 4,096). The reported `imageSize` adds the manifest's own length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Per-platform overrides of `size`, keyed like `platforms` (`"windows/amd64": 1200000000`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub platform_sizes: BTreeMap<String, u64>,
    /// Push time of the manifests and tags; default: the repository's `createdTime`, else the
    /// time the file is loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed: Option<Timestamp>,
    /// `docker` (default) or `oci`.
    #[serde(default, skip_serializing_if = "is_default_format")]
    pub format: SeedFormat,
    /// Lock flags of the image's (top-level) manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<AttributesPatch>,
    /// `quarantineState` of the (top-level) manifest, e.g. `Passed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine_state: Option<String>,
    /// Lock flags of individual tags; every key must be one of `tags`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tag_attributes: BTreeMap<TagName, AttributesPatch>,
    /// Whether the tags are signed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub signed: bool,
}

fn default_platforms() -> Vec<String> {
    vec!["linux/amd64".to_owned()]
}

fn is_default_format(f: &SeedFormat) -> bool {
    *f == SeedFormat::Docker
}

/// Default `size` of a seeded image.
const DEFAULT_SIZE: u64 = 25_000_000;
/// Smallest `size` accepted.
const MIN_SIZE: u64 = 4096;

/// A parsed `os/architecture[/variant]`.
#[derive(Clone, Copy)]
struct Platform<'a> {
    os: &'a str,
    architecture: &'a str,
    variant: Option<&'a str>,
}

fn parse_platform(s: &str) -> Result<Platform<'_>, String> {
    let parts: Vec<&str> = s.split('/').collect();
    let ok = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    };
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(|p| ok(p)) {
        return Err(format!(
            "'{s}' is not os/architecture[/variant] (lowercase, e.g. linux/amd64 or linux/arm/v7)"
        ));
    }
    Ok(Platform { os: parts[0], architecture: parts[1], variant: parts.get(2).copied() })
}

/// 64-bit FNV-1a, to derive deterministic fake blob digests from names.
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        h = (h ^ 0xff).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The splitmix64 step: a cheap, well-mixed deterministic sequence.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A well-formed, made-up `sha256:` blob digest.
fn fake_digest(state: &mut u64) -> String {
    let (a, b, c, d) = (splitmix(state), splitmix(state), splitmix(state), splitmix(state));
    format!("sha256:{a:016x}{b:016x}{c:016x}{d:016x}")
}

/// Writes one descriptor in Docker's indented style or OCI's compact style.
fn write_descriptor(out: &mut String, format: SeedFormat, media: &str, size: u64, digest: &str) {
    match format {
        SeedFormat::Docker => {
            let _ = write!(
                out,
                "{{\n         \"mediaType\": \"{media}\",\n         \"size\": {size},\n         \"digest\": \"{digest}\"\n      }}"
            );
        }
        SeedFormat::Oci => {
            let _ = write!(
                out,
                "{{\"mediaType\":\"{media}\",\"size\":{size},\"digest\":\"{digest}\"}}"
            );
        }
    }
}

/// The content of an image manifest with `size` bytes of config and layers, blob digests drawn
/// from `seed`.
fn image_manifest(format: SeedFormat, size: u64, mut seed: u64) -> String {
    let (mt, config_mt, layer_mt) = match format {
        SeedFormat::Docker => (
            media_type::DOCKER_MANIFEST,
            media_type::DOCKER_CONFIG,
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
        ),
        SeedFormat::Oci => (
            media_type::OCI_MANIFEST,
            media_type::OCI_CONFIG,
            "application/vnd.oci.image.layer.v1.tar+gzip",
        ),
    };
    let r = splitmix(&mut seed);
    let config_size = (1_400 + r % 9_000).min(size / 4);
    let layers = 1 + (size / 40_000_000).min(4) + r % 3;
    // Split the rest: the base layer is the largest, the others share what is left.
    let mut rest = size - config_size;
    let mut sizes = Vec::with_capacity(layers as usize);
    for i in 0..layers {
        let s = if i + 1 == layers {
            rest
        } else {
            let share =
                if i == 0 { 45 + splitmix(&mut seed) % 30 } else { 20 + splitmix(&mut seed) % 50 };
            (rest * share / 100).max(1)
        };
        rest -= s;
        sizes.push(s);
    }
    let mut out = String::with_capacity(256 + 160 * sizes.len());
    match format {
        SeedFormat::Docker => {
            let _ = write!(
                out,
                "{{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"{mt}\",\n   \"config\": "
            );
            write_descriptor(&mut out, format, config_mt, config_size, &fake_digest(&mut seed));
            out.push_str(",\n   \"layers\": [\n      ");
            for (i, s) in sizes.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n      ");
                }
                write_descriptor(&mut out, format, layer_mt, *s, &fake_digest(&mut seed));
            }
            out.push_str("\n   ]\n}");
        }
        SeedFormat::Oci => {
            let _ = write!(out, "{{\"schemaVersion\":2,\"mediaType\":\"{mt}\",\"config\":");
            write_descriptor(&mut out, format, config_mt, config_size, &fake_digest(&mut seed));
            out.push_str(",\"layers\":[");
            for (i, s) in sizes.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_descriptor(&mut out, format, layer_mt, *s, &fake_digest(&mut seed));
            }
            out.push_str("]}");
        }
    }
    out
}

/// The content of a manifest list / index over `children` (digest, content length, platform).
fn index_manifest(format: SeedFormat, children: &[(Digest, usize, &Platform<'_>)]) -> String {
    let (mt, child_mt) = match format {
        SeedFormat::Docker => (media_type::DOCKER_MANIFEST_LIST, media_type::DOCKER_MANIFEST),
        SeedFormat::Oci => (media_type::OCI_INDEX, media_type::OCI_MANIFEST),
    };
    let mut out = String::new();
    let platform = |p: &Platform<'_>| {
        let variant = p.variant.map(|v| format!(",\"variant\":\"{v}\"")).unwrap_or_default();
        format!("{{\"architecture\":\"{}\",\"os\":\"{}\"{variant}}}", p.architecture, p.os)
    };
    match format {
        SeedFormat::Docker => {
            let _ = write!(
                out,
                "{{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"{mt}\",\n   \"manifests\": ["
            );
            for (i, (d, len, p)) in children.iter().enumerate() {
                let sep = if i > 0 { "," } else { "" };
                let _ = write!(
                    out,
                    "{sep}\n      {{\n         \"mediaType\": \"{child_mt}\",\n         \"size\": {len},\n         \"digest\": \"{d}\",\n         \"platform\": {}\n      }}",
                    platform(p)
                );
            }
            out.push_str("\n   ]\n}");
        }
        SeedFormat::Oci => {
            let _ = write!(out, "{{\"schemaVersion\":2,\"mediaType\":\"{mt}\",\"manifests\":[");
            for (i, (d, len, p)) in children.iter().enumerate() {
                let sep = if i > 0 { "," } else { "" };
                let _ = write!(
                    out,
                    "{sep}{{\"mediaType\":\"{child_mt}\",\"size\":{len},\"digest\":\"{d}\",\"platform\":{}}}",
                    platform(p)
                );
            }
            out.push_str("]}");
        }
    }
    out
}

/// What [`add_image`] stores.
struct ImageSpec<'a> {
    format: SeedFormat,
    /// Platforms with the config + layer bytes of each.
    platforms: &'a [(Platform<'a>, u64)],
    pushed: &'a Timestamp,
    seed: u64,
}

/// A manifest record for seeded content.
fn manifest_record(
    content: String,
    media_type: &str,
    config_media_type: Option<&str>,
    size: u64,
    pushed: &Timestamp,
) -> Manifest {
    Manifest {
        media_type: media_type.to_owned(),
        config_media_type: config_media_type.map(str::to_owned),
        size,
        created: pushed.clone(),
        updated: pushed.clone(),
        architecture: None,
        os: None,
        references: Vec::new(),
        attributes: ChangeableAttributes::default(),
        content,
    }
}

/// Stores an image (and, for several platforms, its list / index) in `repo`; returns the digest
/// tags should point at. Sizes follow `Store::push_manifest`: manifest length + config + layers,
/// for a list: its length + the platforms' sizes.
fn add_image(repo: &mut Repository, spec: &ImageSpec<'_>) -> Digest {
    let (mt, config_mt) = match spec.format {
        SeedFormat::Docker => (media_type::DOCKER_MANIFEST, media_type::DOCKER_CONFIG),
        SeedFormat::Oci => (media_type::OCI_MANIFEST, media_type::OCI_CONFIG),
    };
    let mut children = Vec::with_capacity(spec.platforms.len());
    let mut total = 0u64;
    let mut state = spec.seed;
    for (platform, size) in spec.platforms {
        let content = image_manifest(spec.format, *size, splitmix(&mut state));
        let digest = digest_of(content.as_bytes());
        let len = content.len();
        let image_size = len as u64 + size;
        total += image_size;
        let mut m = manifest_record(content, mt, Some(config_mt), image_size, spec.pushed);
        m.architecture = Some(platform.architecture.to_owned());
        m.os = Some(platform.os.to_owned());
        repo.manifests.insert(digest.clone(), m);
        children.push((digest, len, platform));
    }
    if children.len() == 1 {
        return children.swap_remove(0).0;
    }
    let content = index_manifest(spec.format, &children);
    let digest = digest_of(content.as_bytes());
    let list_mt = match spec.format {
        SeedFormat::Docker => media_type::DOCKER_MANIFEST_LIST,
        SeedFormat::Oci => media_type::OCI_INDEX,
    };
    let size = content.len() as u64 + total;
    let mut m = manifest_record(content, list_mt, None, size, spec.pushed);
    m.references = children
        .iter()
        .map(|(d, _, p)| ManifestReference {
            digest: d.clone(),
            architecture: Some(p.architecture.to_owned()),
            os: Some(p.os.to_owned()),
        })
        .collect();
    repo.manifests.insert(digest.clone(), m);
    digest
}

/// Points `tag` at `digest` in `repo`.
fn add_tag(repo: &mut Repository, tag: TagName, digest: &Digest, pushed: &Timestamp, signed: bool) {
    repo.tags.insert(
        tag,
        Tag {
            digest: digest.clone(),
            created: pushed.clone(),
            updated: pushed.clone(),
            signed,
            attributes: ChangeableAttributes::default(),
        },
    );
}

impl SeedFile {
    /// Builds the registry and users this file describes. `default_time` stands in for missing
    /// times. Errors name the offending entry, e.g.
    /// `repositories[2] (prod/api).images[0].platforms[1]: 'linux' is not os/architecture…`.
    pub fn build(&self, default_time: &Timestamp) -> Result<(Store, Users), String> {
        let users = match &self.users {
            Some(list) => {
                for (i, u) in list.iter().enumerate() {
                    if list[..i].iter().any(|o| o.id == u.id) {
                        return Err(format!("users[{i}]: the id '{}' appears twice", u.id));
                    }
                }
                Users(list.clone())
            }
            None => demo_users(),
        };
        let mut store = Store::default();
        for (i, r) in self.repositories.iter().enumerate() {
            let at = format!("repositories[{i}] ({})", r.name);
            if store.repositories.contains_key(&r.name) {
                return Err(format!("{at}: the repository appears twice"));
            }
            store.repositories.insert(r.name.clone(), build_repository(r, &at, default_time)?);
        }
        Ok((store, users))
    }
}

fn build_repository(
    r: &SeedRepository,
    at: &str,
    default_time: &Timestamp,
) -> Result<Repository, String> {
    let created = r
        .created_time
        .clone()
        .or_else(|| r.images.iter().filter_map(|im| im.pushed.clone()).min())
        .unwrap_or_else(|| default_time.clone());
    let mut repo = Repository::new(&created);
    if let Some(p) = &r.attributes {
        repo.attributes.apply(p);
    }
    for (j, im) in r.images.iter().enumerate() {
        let at = format!("{at}.images[{j}]");
        let pushed = im.pushed.clone().unwrap_or_else(|| created.clone());
        if im.platforms.is_empty() {
            return Err(format!("{at}.platforms: give at least one platform"));
        }
        let size = im.size.unwrap_or(DEFAULT_SIZE);
        let mut platforms = Vec::with_capacity(im.platforms.len());
        for (k, p) in im.platforms.iter().enumerate() {
            let parsed = parse_platform(p).map_err(|e| format!("{at}.platforms[{k}]: {e}"))?;
            if im.platforms[..k].contains(p) {
                return Err(format!("{at}.platforms[{k}]: '{p}' appears twice"));
            }
            platforms.push((parsed, im.platform_sizes.get(p).copied().unwrap_or(size)));
        }
        if let Some(key) = im.platform_sizes.keys().find(|k| !im.platforms.contains(k)) {
            return Err(format!("{at}.platformSizes: '{key}' is not one of the image's platforms"));
        }
        if let Some((p, s)) = platforms.iter().find(|(_, s)| *s < MIN_SIZE) {
            return Err(format!(
                "{at}: size {s} of {}/{} is below the minimum of {MIN_SIZE} bytes",
                p.os, p.architecture
            ));
        }
        let seed = fnv(&[r.name.as_str().as_bytes(), &(j as u64).to_le_bytes()]);
        let spec = ImageSpec { format: im.format, platforms: &platforms, pushed: &pushed, seed };
        let digest = add_image(&mut repo, &spec);
        if let Some(m) = repo.manifests.get_mut(&digest) {
            if let Some(p) = &im.attributes {
                m.attributes.apply(p);
            }
            m.attributes.quarantine_state.clone_from(&im.quarantine_state);
        }
        for (k, t) in im.tags.iter().enumerate() {
            if repo.tags.contains_key(t) {
                return Err(format!("{at}.tags[{k}]: the tag '{t}' is already on another image"));
            }
            add_tag(&mut repo, t.clone(), &digest, &pushed, im.signed);
        }
        for (t, p) in &im.tag_attributes {
            if !im.tags.contains(t) {
                return Err(format!("{at}.tagAttributes: '{t}' is not one of the image's tags"));
            }
            if let Some(tag) = repo.tags.get_mut(t) {
                tag.attributes.apply(p);
            }
        }
        if pushed > repo.updated {
            repo.updated = pushed;
        }
    }
    Ok(repo)
}

/// The current time as ACR writes it (UTC, seven fractional digits), from the system clock.
pub fn timestamp_now() -> Timestamp {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128);
    Timestamp::from_unix_nanos(nanos)
}

/// The fixed "now" of the demo data: every demo time lies up to ~18 months before it.
pub const DEMO_REFERENCE_TIME: &str = "2026-11-01T00:00:00Z";

/// Unix seconds of [`DEMO_REFERENCE_TIME`].
fn demo_reference_secs() -> i64 {
    Timestamp::parse(DEMO_REFERENCE_TIME).map_or(0, |t| t.unix_seconds())
}

/// A demo time `days` before the reference, at a time of day and fraction derived from `days`
/// (so the text looks like ACR's seven-digit timestamps).
fn ago(days: u32) -> Timestamp {
    let d = i64::from(days);
    let secs = demo_reference_secs() - d * 86_400 + 6 * 3600 + (d * 37_813) % 43_200;
    let frac = (d * 7_654_321 + 1_234_567) % 10_000_000 * 100;
    Timestamp::from_unix_nanos(i128::from(secs) * 1_000_000_000 + i128::from(frac))
}

/// A demo user.
fn user(
    id: &str,
    display_name: &str,
    object_id: &str,
    catalog: bool,
    grants: &[(&str, &[&str])],
    description: &str,
) -> User {
    User {
        id: id.to_owned(),
        display_name: display_name.to_owned(),
        upn: format!("{id}@contoso.example"),
        object_id: object_id.to_owned(),
        kind: UserKind::Entra,
        password: None,
        catalog,
        grants: grants
            .iter()
            .map(|(repositories, actions)| Grant {
                repositories: (*repositories).to_owned(),
                actions: actions.iter().map(|a| (*a).to_owned()).collect(),
            })
            .collect(),
        description: description.to_owned(),
    }
}

/// The demo users: `admin` (everything), `viewer` (read-only), `payments` (read-only, full
/// control of `prod/payments/*`), all Entra users, and the repository-scoped token
/// `ci-readonly` (password `ci-readonly-password`; pull and metadata_read on
/// `prod/payments/api`, no catalog).
pub fn demo_users() -> Users {
    let mut ci = user(
        "ci-readonly",
        "CI read-only token",
        "5f0c3a8e-92d4-4b7a-a1e6-3c9d8b2f4e70",
        false,
        &[("prod/payments/api", &["pull", "metadata_read"])],
        "Repository-scoped token: may pull and read prod/payments/api only; cannot list the catalog",
    );
    ci.kind = UserKind::Token;
    ci.upn = "ci-readonly".to_owned();
    ci.password = Some("ci-readonly-password".to_owned());
    Users(vec![
        user(
            "admin",
            "Adele Admin",
            "3b9d2c1a-6f4e-4a8b-9c7d-1e2f3a4b5c60",
            true,
            &[("*", &["*"])],
            "Admin: may lock and unlock everything",
        ),
        user(
            "viewer",
            "Victor Viewer",
            "8e7f6a5b-4c3d-4e2f-8a1b-9c0d1e2f3a71",
            true,
            &[("*", &["pull", "metadata_read"])],
            "Viewer: may see every repository and its locks, but change nothing",
        ),
        user(
            "payments",
            "Pat Payments",
            "c4d5e6f7-0a1b-4c2d-9e3f-4a5b6c7d8e82",
            true,
            &[("*", &["metadata_read", "pull"]), ("prod/payments/*", &["*"])],
            "Payments team: may see everything, and lock, unlock and delete under prod/payments/",
        ),
        ci,
    ])
}

/// Lock presets as the console names them.
const LOCKED: AttributesPatch = AttributesPatch {
    write_enabled: Some(false),
    delete_enabled: Some(false),
    read_enabled: None,
    list_enabled: None,
};
const NO_DELETE: AttributesPatch = AttributesPatch {
    write_enabled: None,
    delete_enabled: Some(false),
    read_enabled: None,
    list_enabled: None,
};
const NO_WRITE: AttributesPatch = AttributesPatch {
    write_enabled: Some(false),
    delete_enabled: None,
    read_enabled: None,
    list_enabled: None,
};

const AMD64: &[&str] = &["linux/amd64"];
const MULTI: &[&str] = &["linux/amd64", "linux/arm64"];
const TRIPLE: &[&str] = &["linux/amd64", "linux/arm64", "linux/arm/v7"];
const WITH_WINDOWS: &[&str] = &["linux/amd64", "windows/amd64"];

/// Builder for one demo repository.
struct DemoRepo(SeedRepository);

fn repo(name: &str, created_days_ago: u32) -> DemoRepo {
    DemoRepo(SeedRepository {
        name: RepositoryName::new(name).expect("demo repository names are valid"),
        created_time: Some(ago(created_days_ago)),
        attributes: None,
        images: Vec::new(),
    })
}

impl DemoRepo {
    /// An image of about `mb` megabytes per platform, pushed `days` ago.
    fn image(mut self, tags: &[&str], platforms: &[&str], mb: f64, days: u32) -> Self {
        self.0.images.push(SeedImage {
            tags: tags.iter().map(|t| TagName::new(*t).expect("demo tags are valid")).collect(),
            platforms: platforms.iter().map(|p| (*p).to_owned()).collect(),
            size: Some((mb * 1_000_000.0) as u64),
            platform_sizes: BTreeMap::new(),
            pushed: Some(ago(days)),
            format: SeedFormat::Docker,
            attributes: None,
            quarantine_state: None,
            tag_attributes: BTreeMap::new(),
            signed: false,
        });
        self
    }

    fn last(&mut self) -> &mut SeedImage {
        self.0.images.last_mut().expect("an image was added")
    }

    /// The last image is an OCI image / index.
    fn oci(mut self) -> Self {
        self.last().format = SeedFormat::Oci;
        self
    }

    /// Locks the last image's manifest.
    fn lock(mut self, p: AttributesPatch) -> Self {
        self.last().attributes = Some(p);
        self
    }

    /// Locks a tag of the last image.
    fn lock_tag(mut self, tag: &str, p: AttributesPatch) -> Self {
        let t = TagName::new(tag).expect("demo tags are valid");
        self.last().tag_attributes.insert(t, p);
        self
    }

    /// Overrides one platform's size (MB) of the last image.
    fn platform_mb(mut self, platform: &str, mb: f64) -> Self {
        self.last().platform_sizes.insert(platform.to_owned(), (mb * 1_000_000.0) as u64);
        self
    }

    fn quarantine(mut self, state: &str) -> Self {
        self.last().quarantine_state = Some(state.to_owned());
        self
    }

    fn signed(mut self) -> Self {
        self.last().signed = true;
        self
    }

    /// Locks the repository itself.
    fn attributes(mut self, p: AttributesPatch) -> Self {
        self.0.attributes = Some(p);
        self
    }
}

/// A short git-sha-like tag for build `n` of `name`.
fn sha_tag(name: &str, n: u32) -> String {
    let mut state = fnv(&[name.as_bytes(), &n.to_le_bytes()]);
    format!("sha-{:07x}", splitmix(&mut state) & 0xfff_ffff)
}

/// The demo registry as a seed file (what [`demo`] builds): 15 repositories with semver,
/// `latest`/`stable` and git-sha tags, multi-arch lists (one with `windows/amd64`), untagged old
/// pushes, and the locks the console's presets produce.
pub fn demo_seed() -> SeedFile {
    let mut staging_api = repo("staging/payments/api", 300);
    // CI pushes of the main branch, every ~5 days, each a new git-sha tag.
    for n in 0..18u32 {
        let tag = sha_tag("staging/payments/api", n);
        staging_api =
            staging_api.image(&[tag.as_str()], AMD64, 183.0 + f64::from(n % 5), 95 - n * 5);
    }
    let staging_api = staging_api
        .image(&[], MULTI, 184.0, 120)
        .image(&[], MULTI, 185.5, 100)
        .image(&["main", "latest", sha_tag("staging/payments/api", 99).as_str()], MULTI, 186.2, 2);

    let repositories = vec![
        repo("prod/payments/api", 540)
            .image(&[], AMD64, 171.3, 520)
            .image(&[], AMD64, 172.0, 470)
            .image(&["1.2.0"], MULTI, 175.4, 455)
            .image(&["1.3.0"], MULTI, 178.9, 380)
            .image(&["1.3.1"], MULTI, 179.2, 331)
            .image(&["1.4.0"], MULTI, 182.6, 150)
            .image(&["1.4.1"], MULTI, 183.1, 75)
            .image(&["1.4.2", "stable", "latest"], MULTI, 183.4, 32)
            .lock(LOCKED)
            .lock_tag("1.4.2", LOCKED)
            .signed()
            .image(&["1.5.0-rc.1", "sha-3f9c2a1"], MULTI, 186.0, 6),
        repo("prod/payments/worker", 500)
            .image(&["2.0.0"], AMD64, 94.2, 400)
            .image(&[], AMD64, 95.0, 310)
            .image(&["2.0.1"], AMD64, 95.1, 300)
            .image(&["2.1.0"], AMD64, 97.8, 200)
            .lock(NO_DELETE)
            .image(&["2.1.1", "latest"], AMD64, 98.3, 40),
        repo("prod/web/frontend", 420)
            .image(&["3.7.0"], AMD64, 46.1, 300)
            .image(&[], AMD64, 46.9, 260)
            .image(&["3.8.0"], AMD64, 47.5, 210)
            .image(&[], AMD64, 47.7, 180)
            .image(&["3.8.1", "stable"], AMD64, 47.9, 120)
            .lock_tag("stable", NO_WRITE)
            .image(&["3.9.0", "latest"], AMD64, 48.6, 25),
        repo("prod/web/gateway", 400)
            .image(&["1.31.2"], MULTI, 128.7, 260)
            .image(&["1.32.1"], MULTI, 131.0, 140)
            .image(&["1.32.3", "latest"], MULTI, 131.4, 18),
        staging_api,
        repo("staging/web/frontend", 280)
            .image(&["pr-398"], AMD64, 48.0, 70)
            .image(&["pr-412"], AMD64, 48.4, 40)
            .image(&["pr-418"], AMD64, 48.7, 20)
            .image(&["main", "latest"], AMD64, 48.9, 3),
        repo("library/nginx", 540)
            .image(&["1.26.2"], TRIPLE, 67.4, 400)
            .image(&["1.27.1"], TRIPLE, 68.2, 200)
            .image(&["1.27.2", "1.27", "1", "latest"], TRIPLE, 68.9, 60)
            .image(&["1.27.2-alpine", "alpine"], TRIPLE, 19.6, 60),
        repo("library/redis", 520)
            .image(&["7.2.5"], MULTI, 41.2, 330)
            .image(&["7.4.0"], MULTI, 42.7, 120)
            .image(&["7.4.1", "7.4", "7", "latest"], MULTI, 42.9, 45),
        repo("library/postgres", 510)
            .image(&["15.8"], MULTI, 148.3, 300)
            .image(&["16.4", "16"], MULTI, 151.9, 200)
            .image(&["17.0", "17", "latest"], MULTI, 155.2, 50),
        repo("tools/ci-runner", 450)
            .image(&["2.319.1"], WITH_WINDOWS, 402.0, 200)
            .platform_mb("windows/amd64", 1_180.0)
            .image(&["2.320.0", "latest"], WITH_WINDOWS, 415.5, 35)
            .platform_mb("windows/amd64", 1_200.0),
        repo("ml/models/fraud-detector", 365)
            .image(&["v3.2.0"], AMD64, 1_020.0, 250)
            .oci()
            .image(&[], AMD64, 1_050.0, 150)
            .oci()
            .image(&["v4.0.0"], AMD64, 1_085.0, 90)
            .oci()
            .quarantine("Passed")
            .image(&["v4.1.0", "latest", "2026-10-15"], AMD64, 1_104.0, 17)
            .oci()
            .quarantine("Passed"),
        repo("base/ubuntu", 530)
            .image(&["22.04", "jammy"], TRIPLE, 29.5, 300)
            .oci()
            .image(&["24.04", "noble", "latest"], TRIPLE, 28.8, 80)
            .oci(),
        repo("base/debian", 540)
            .attributes(NO_DELETE)
            .image(&["12.6", "bookworm-20260615"], MULTI, 48.7, 140)
            .image(&["12.7", "12", "bookworm", "latest"], MULTI, 49.3, 30)
            .image(&["12.7-slim", "bookworm-slim"], MULTI, 28.1, 30),
        repo("sandbox/hello-world", 90).image(&[], AMD64, 5.0, 88).image(
            &["latest"],
            AMD64,
            5.1,
            85,
        ),
        repo("legacy/billing", 540)
            .attributes(NO_WRITE)
            .image(&["0.9.7"], AMD64, 318.0, 530)
            .image(&["0.9.8"], AMD64, 321.5, 500)
            .image(&["0.9.9", "final"], AMD64, 322.4, 470),
    ];
    SeedFile { users: None, repositories: repositories.into_iter().map(|r| r.0).collect() }
}

/// The built-in demo registry and its users (see [`demo_seed`]); deterministic: every time is
/// relative to [`DEMO_REFERENCE_TIME`].
pub fn demo() -> (Store, Users) {
    demo_seed().build(&ago(0)).expect("the demo seed is valid")
}

/// Reads and validates a seed file ([`SeedFile`]). Errors name the file and the bad field or
/// value.
pub fn load(path: &Path) -> Result<(Store, Users), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read seed file {}: {e}", path.display()))?;
    let seed: SeedFile = serde_json::from_str(&text)
        .map_err(|e| format!("seed file {} is not valid: {e}", path.display()))?;
    seed.build(&timestamp_now()).map_err(|e| format!("seed file {}: {e}", path.display()))
}

/// Generated data for scale tests, with the demo users: `g.repos` repositories spread over
/// nested prefixes (`team-042/service-0420`, `team-042/jobs/job-0421`,
/// `platform/team-042/svc-0422`), each with 1–3 tags on their own small manifests, and, when
/// `g.tags > 0`, `scale/many-tags` with `g.tags` tags (`build-0` …). Deterministic; times lie
/// before [`DEMO_REFERENCE_TIME`].
pub fn generate(g: Generate) -> (Store, Users) {
    const SPAN: i64 = 540 * 86_400;
    let reference = demo_reference_secs();
    let time =
        |offset: i64| Timestamp::from_unix_nanos(i128::from(reference - offset) * 1_000_000_000);
    let amd64 = [(Platform { os: "linux", architecture: "amd64", variant: None }, 0u64)];
    let mut store = Store::default();
    for i in 0..g.repos {
        let team = i / 10;
        let name = match i % 4 {
            0 | 1 => format!("team-{team:03}/service-{i:04}"),
            2 => format!("team-{team:03}/jobs/job-{i:04}"),
            _ => format!("platform/team-{team:03}/svc-{i:04}"),
        };
        let Ok(name) = RepositoryName::new(name) else { continue };
        let base = (i as i64 * 7_919) % SPAN;
        let mut repo = Repository::new(&time(base + 4 * 86_400));
        let tags = 1 + i % 3;
        for k in 0..tags {
            let pushed = time(base + (3 - k as i64) * 86_400);
            let mut platforms = amd64;
            platforms[0].1 = 5_000_000 + (i as u64 * 104_729 + k as u64 * 7_777) % 200_000_000;
            let seed = (i as u64) << 8 | k as u64;
            let spec =
                ImageSpec { format: SeedFormat::Oci, platforms: &platforms, pushed: &pushed, seed };
            let digest = add_image(&mut repo, &spec);
            if let Ok(tag) = TagName::new(format!("1.{}.{k}", i % 7)) {
                add_tag(&mut repo, tag, &digest, &pushed, false);
            }
            repo.updated = pushed;
        }
        store.repositories.insert(name, repo);
    }
    if g.tags > 0 {
        let mut repo = Repository::new(&time(SPAN));
        let n = g.tags as i64;
        for t in 0..g.tags {
            // Hourly builds, pushed in an order that differs from the tags' lexical order.
            let pushed = time((t as i64 * 7_919) % n * 600 + 60);
            let mut platforms = amd64;
            platforms[0].1 = 20_000_000 + (t as u64 * 104_729) % 50_000_000;
            let seed = 0xfeed_0000_0000 | t as u64;
            let spec =
                ImageSpec { format: SeedFormat::Oci, platforms: &platforms, pushed: &pushed, seed };
            let digest = add_image(&mut repo, &spec);
            if let Ok(tag) = TagName::new(format!("build-{t}")) {
                add_tag(&mut repo, tag, &digest, &pushed, false);
            }
            if pushed > repo.updated {
                repo.updated = pushed;
            }
        }
        if let Ok(name) = RepositoryName::new("scale/many-tags") {
            store.repositories.insert(name, repo);
        }
    }
    (store, demo_users())
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::{AccessEntry, OrderBy};

    fn name(s: &str) -> RepositoryName {
        RepositoryName::new(s).unwrap()
    }

    #[test]
    fn generate_parameters_parse_with_clear_errors() {
        assert_eq!(
            Generate::parse("repos=10000,tags=5000"),
            Ok(Generate { repos: 10_000, tags: 5_000 })
        );
        assert_eq!(Generate::parse(" tags=3 , repos=2 "), Ok(Generate { repos: 2, tags: 3 }));
        assert_eq!(Generate::parse("repos=7"), Ok(Generate { repos: 7, tags: 0 }));
        let err = |s: &str| Generate::parse(s).unwrap_err();
        assert!(err("").contains("empty"));
        assert!(err("repos").contains("no '='"));
        assert!(err("repo=1").contains("unknown key 'repo'"));
        assert!(err("repos=x").contains("'x' in 'repos=x' is not"));
        assert!(err("repos=-1").contains("not a non-negative"));
        assert!(err("repos=1,repos=2").contains("twice"));
        assert!(err("tags=2000000").contains("at most"));
    }

    #[test]
    fn demo_users_match_the_sign_in_page() {
        let users = demo_users();
        let ids: Vec<&str> = users.0.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["admin", "viewer", "payments", "ci-readonly"]);
        assert_eq!(users.entra().count(), 3);
        let admin = users.by_id("admin").unwrap();
        assert_eq!(
            (admin.display_name.as_str(), admin.upn.as_str()),
            ("Adele Admin", "admin@contoso.example")
        );
        let viewer = users.by_id("viewer").unwrap();
        assert!(viewer.grant(&AccessEntry::repository("x", &["metadata_write"])).is_none());
        let payments = users.by_id("payments").unwrap();
        assert!(payments
            .grant(&AccessEntry::repository("prod/payments/api", &["metadata_write"]))
            .is_some());
        assert!(payments
            .grant(&AccessEntry::repository("prod/web/frontend", &["metadata_write"]))
            .is_none());
        let ci = users.by_id("ci-readonly").unwrap();
        assert_eq!(
            (ci.kind, ci.password.as_deref()),
            (UserKind::Token, Some("ci-readonly-password"))
        );
        assert!(ci.grant(&AccessEntry::catalog()).is_none());
        assert!(ci.grant(&AccessEntry::repository("prod/payments/api", &["pull"])).is_some());
        assert!(ci.grant(&AccessEntry::repository("prod/payments/worker", &["pull"])).is_none());
        for u in &users.0 {
            assert!(!u.description.is_empty() && u.object_id.len() == 36, "{}", u.id);
        }
    }

    /// Every demo manifest is accepted by the store's own push validation, with the same digest
    /// and size, and every list's platforms exist in the repository, untagged.
    #[test]
    fn demo_content_is_real_and_consistent() {
        let (store, _) = demo();
        let at = ago(0);
        for (rname, repo) in &store.repositories {
            let mut replay = Store::default();
            // Images first, so the lists' sizes can count their platforms.
            let mut ordered: Vec<(&Digest, &Manifest)> = repo.manifests.iter().collect();
            ordered.sort_by_key(|(_, m)| media_type::is_index(&m.media_type));
            for (d, m) in ordered {
                assert_eq!(&digest_of(m.content.as_bytes()), d, "{rname}@{d}");
                let pushed = replay
                    .push_manifest(rname, d.as_str(), &m.media_type, m.content.as_bytes(), &at)
                    .unwrap_or_else(|e| panic!("{rname}@{d}: {e}"));
                assert_eq!(&pushed, d);
                let again = replay.manifest(rname, d).unwrap();
                assert_eq!(again.image_size, Some(m.size), "{rname}@{d}");
                assert_eq!(again.config_media_type, m.config_media_type, "{rname}@{d}");
                if media_type::is_index(&m.media_type) {
                    assert_eq!(again.references.as_deref(), Some(m.references.as_slice()));
                    assert!(m.references.len() >= 2);
                    for r in &m.references {
                        assert!(repo.manifests.contains_key(&r.digest), "{rname}: {}", r.digest);
                        assert!(
                            repo.tags.values().all(|t| t.digest != r.digest),
                            "platforms are untagged"
                        );
                    }
                } else {
                    assert!(m.architecture.is_some() && m.os.is_some(), "{rname}@{d}");
                    assert!(
                        (5_000_000..=1_300_000_000).contains(&m.size),
                        "{rname}@{d}: {}",
                        m.size
                    );
                }
            }
            assert!(repo.tags.values().all(|t| repo.manifests.contains_key(&t.digest)));
            assert!(repo.created <= repo.updated, "{rname}");
        }
    }

    #[test]
    fn demo_has_the_promised_shape_and_locks() {
        let (store, users) = demo();
        assert_eq!(users, demo_users());
        assert!(store.repositories.len() >= 14);
        for r in [
            "prod/payments/api",
            "prod/payments/worker",
            "prod/web/frontend",
            "prod/web/gateway",
            "staging/payments/api",
            "staging/web/frontend",
            "library/nginx",
            "library/redis",
            "library/postgres",
            "tools/ci-runner",
            "ml/models/fraud-detector",
            "base/debian",
            "sandbox/hello-world",
            "legacy/billing",
        ] {
            assert!(store.repositories.contains_key(&name(r)), "{r}");
        }
        let api = name("prod/payments/api");
        let t = store.tag(&api, &TagName::new("1.4.2").unwrap()).unwrap();
        assert!(!t.changeable_attributes.write_enabled && !t.changeable_attributes.delete_enabled);
        let m = store.manifest(&api, &t.digest).unwrap();
        assert!(!m.changeable_attributes.write_enabled && !m.changeable_attributes.delete_enabled);
        assert_eq!(m.references.as_ref().map(Vec::len), Some(2));
        let stable = store.tag(&api, &TagName::new("stable").unwrap()).unwrap();
        assert!(!stable.changeable_attributes.is_locked(), "tag locks are per tag");

        let frontend =
            store.tag(&name("prod/web/frontend"), &TagName::new("stable").unwrap()).unwrap();
        let fa = &frontend.changeable_attributes;
        assert!(!fa.write_enabled && fa.delete_enabled, "prevent updates");
        let worker = store.manifests(&name("prod/payments/worker"), OrderBy::None).unwrap();
        let protected: Vec<_> =
            worker.iter().filter(|m| m.changeable_attributes.is_locked()).collect();
        assert_eq!(protected.len(), 1);
        let pa = &protected[0].changeable_attributes;
        assert!(pa.write_enabled && !pa.delete_enabled, "protected from deletion");

        let legacy = &store.repositories[&name("legacy/billing")].attributes;
        assert!(!legacy.write_enabled && legacy.delete_enabled);
        let debian = &store.repositories[&name("base/debian")].attributes;
        assert!(debian.write_enabled && !debian.delete_enabled);

        let all: Vec<&Manifest> =
            store.repositories.values().flat_map(|r| r.manifests.values()).collect();
        assert!(all.iter().any(|m| m.attributes.quarantine_state.as_deref() == Some("Passed")));
        assert!(all
            .iter()
            .any(|m| m.references.iter().any(|r| r.os.as_deref() == Some("windows"))));
        assert!(all.iter().any(|m| m.media_type == media_type::OCI_INDEX));
        assert!(all.iter().any(|m| m.media_type == media_type::OCI_MANIFEST));
        let untagged = store
            .repositories
            .values()
            .flat_map(|r| r.manifests.keys().filter(|d| r.tags.values().all(|t| &t.digest != *d)))
            .count();
        assert!(untagged > 20);
        // Times lie within ~18 months before the reference date.
        let reference = Timestamp::parse(DEMO_REFERENCE_TIME).unwrap();
        let oldest = ago(560);
        for r in store.repositories.values() {
            assert!(r.created >= oldest && r.updated < reference);
        }
        assert_eq!(demo(), (store, users), "deterministic");
    }

    #[test]
    fn demo_is_expressible_as_a_seed_file() {
        let json = serde_json::to_string_pretty(&demo_seed()).unwrap();
        let parsed: SeedFile = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed.build(&ago(0)).unwrap(), demo());
        assert!(!json.contains("\"users\""), "demo users are the default");
    }

    fn load_text(text: &str) -> Result<(Store, Users), String> {
        let dir = std::env::temp_dir().join(format!(
            "acr-seed-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("seed.json");
        std::fs::write(&path, text).unwrap();
        let r = load(&path);
        std::fs::remove_dir_all(&dir).unwrap();
        r
    }

    #[test]
    fn seed_files_load_with_defaults() {
        let (store, users) = load_text(
            r#"{"repositories":[
                {"name":"team/app","attributes":{"deleteEnabled":false},"images":[
                    {"tags":["1.0","latest"],"pushed":"2025-01-02T03:04:05Z",
                     "tagAttributes":{"1.0":{"writeEnabled":false}}},
                    {"platforms":["linux/amd64","linux/arm/v7"],"format":"oci","size":5000000,
                     "platformSizes":{"linux/arm/v7":4000000},"pushed":"2025-02-01T00:00:00Z",
                     "attributes":{"writeEnabled":false,"deleteEnabled":false}}]},
                {"name":"empty"}]}"#,
        )
        .unwrap();
        assert_eq!(users, demo_users());
        let app = &store.repositories[&name("team/app")];
        assert_eq!(app.created.as_str(), "2025-01-02T03:04:05Z");
        assert_eq!(app.updated.as_str(), "2025-02-01T00:00:00Z");
        assert!(!app.attributes.delete_enabled);
        assert_eq!((app.tags.len(), app.manifests.len()), (2, 4));
        assert!(!app.tags[&TagName::new("1.0").unwrap()].attributes.write_enabled);
        assert!(app.tags[&TagName::new("latest").unwrap()].attributes.write_enabled);
        let index = app.manifests.values().find(|m| m.media_type == media_type::OCI_INDEX).unwrap();
        assert!(index.attributes.is_locked());
        assert!(index.content.contains(r#""variant":"v7""#));
        assert!(store.repositories[&name("empty")].manifests.is_empty());
    }

    #[test]
    fn seed_file_errors_name_the_bad_field() {
        let err = |text: &str| load_text(text).unwrap_err();
        let e = err(r#"{"repositories":[{"name":"Bad Name"}]}"#);
        assert!(
            e.contains("'Bad Name' is not a valid repository name") && e.contains("seed.json"),
            "{e}"
        );
        let e = err(r#"{"repositories":[{"name":"a","imagez":[]}]}"#);
        assert!(e.contains("unknown field `imagez`"), "{e}");
        let e = err(r#"{"repositories":[{"name":"a","images":[{"tags":["-x"]}]}]}"#);
        assert!(e.contains("'-x' is not a valid tag"), "{e}");
        let e = err(r#"{"repositories":[{"name":"a","images":[{"pushed":"yesterday"}]}]}"#);
        assert!(e.contains("'yesterday' is not an RFC 3339"), "{e}");
        let e = err(r#"{"repositories":[{"name":"a","images":[{"attributes":{"locked":true}}]}]}"#);
        assert!(e.contains("unknown field `locked`"), "{e}");
        let e = err(
            r#"{"repositories":[{"name":"a","images":[{},{"platforms":["linux/amd64","linux"]}]}]}"#,
        );
        assert!(
            e.contains(
                "repositories[0] (a).images[1].platforms[1]: 'linux' is not os/architecture"
            ),
            "{e}"
        );
        let e =
            err(r#"{"repositories":[{"name":"a","images":[{"tags":["v1"]},{"tags":["v1"]}]}]}"#);
        assert!(e.contains("images[1].tags[0]: the tag 'v1' is already on another image"), "{e}");
        let e = err(
            r#"{"repositories":[{"name":"a","images":[{"tags":["v1"],"tagAttributes":{"v2":{}}}]}]}"#,
        );
        assert!(e.contains("tagAttributes: 'v2' is not one of the image's tags"), "{e}");
        let e = err(r#"{"repositories":[{"name":"a","images":[{"size":100}]}]}"#);
        assert!(e.contains("below the minimum"), "{e}");
        let e = err(
            r#"{"repositories":[{"name":"a","images":[{"platformSizes":{"linux/arm64":5000}}]}]}"#,
        );
        assert!(e.contains("platformSizes: 'linux/arm64'"), "{e}");
        let e = err(r#"{"repositories":[{"name":"a"},{"name":"a"}]}"#);
        assert!(e.contains("repositories[1] (a): the repository appears twice"), "{e}");
        let e = err(r#"{"users":[],"repositories":[{"name":"a","images":[{"platforms":[]}]}]}"#);
        assert!(e.contains("give at least one platform"), "{e}");
        let e = err("{");
        assert!(e.contains("is not valid") && e.contains("line 1"), "{e}");
        let missing = load(Path::new("/nonexistent/seed.json")).unwrap_err();
        assert!(missing.contains("cannot read seed file /nonexistent/seed.json"), "{missing}");
        let (_, users) = load_text(r#"{"users":[]}"#).unwrap();
        assert!(users.0.is_empty(), "explicit users replace the demo users");
    }

    #[test]
    fn generated_data_is_deterministic_and_valid() {
        let g = Generate { repos: 40, tags: 25 };
        let (store, users) = generate(g);
        assert_eq!(users, demo_users());
        assert_eq!(store.repositories.len(), 41);
        assert!(
            store.repositories.contains_key(&name("team-004/service-0040"))
                || store.repositories.contains_key(&name("team-003/service-0037"))
        );
        assert!(store.repositories.contains_key(&name("team-001/jobs/job-0010")));
        assert!(store.repositories.contains_key(&name("platform/team-001/svc-0011")));
        let many = &store.repositories[&name("scale/many-tags")];
        assert_eq!((many.tags.len(), many.manifests.len()), (25, 25));
        for (rname, r) in &store.repositories {
            assert!((1..=3).contains(&r.tags.len()) || rname.as_str() == "scale/many-tags");
            assert_eq!(r.tags.len(), r.manifests.len());
            for (d, m) in &r.manifests {
                assert_eq!(&digest_of(m.content.as_bytes()), d);
            }
        }
        let by_time = store.tags(&name("scale/many-tags"), OrderBy::TimeDesc, None).unwrap();
        let by_name = store.tags(&name("scale/many-tags"), OrderBy::None, None).unwrap();
        assert_ne!(by_time, by_name);
        assert_eq!(generate(g), (store, users));
        assert_eq!(generate(Generate { repos: 0, tags: 0 }).0, Store::default());
    }

    /// `cargo test --release -p acr-emulator --lib generate_scale_timing -- --ignored --nocapture`
    #[test]
    #[ignore = "timing; run in a release build"]
    fn generate_scale_timing() {
        let start = std::time::Instant::now();
        let (store, _) = generate(Generate { repos: 10_000, tags: 5_000 });
        let elapsed = start.elapsed();
        let manifests: usize = store.repositories.values().map(|r| r.manifests.len()).sum();
        println!("generate(repos=10000,tags=5000): {} repositories, {manifests} manifests in {elapsed:?}", store.repositories.len());
        assert_eq!(store.repositories.len(), 10_001);
    }

    #[test]
    fn now_is_now() {
        let now = timestamp_now();
        assert!(now.unix_seconds() > 1_700_000_000);
        assert_eq!(now.as_str().len(), "2021-05-28T17:15:14.4015317Z".len());
    }
}
