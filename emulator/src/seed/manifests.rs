//! Manifest bytes of seeded images: real Docker v2 / OCI image manifests and manifest lists /
//! indexes with made-up but well-formed, deterministic blob digests, stored in a repository with
//! the sizes `Store::push_manifest` would compute.

use crate::{
    manifest::digest_of,
    store::{Manifest, Repository, Tag},
};
use acr_types::{media_type, ChangeableAttributes, Digest, ManifestReference, TagName, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

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

/// A parsed `os/architecture[/variant]`.
#[derive(Clone, Copy)]
pub(super) struct Platform<'a> {
    pub(super) os: &'a str,
    pub(super) architecture: &'a str,
    pub(super) variant: Option<&'a str>,
}

pub(super) fn parse_platform(s: &str) -> Result<Platform<'_>, String> {
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
pub(super) fn fnv(parts: &[&[u8]]) -> u64 {
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
pub(super) fn splitmix(state: &mut u64) -> u64 {
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
pub(super) struct ImageSpec<'a> {
    pub(super) format: SeedFormat,
    /// Platforms with the config + layer bytes of each.
    pub(super) platforms: &'a [(Platform<'a>, u64)],
    pub(super) pushed: &'a Timestamp,
    pub(super) seed: u64,
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
pub(super) fn add_image(repo: &mut Repository, spec: &ImageSpec<'_>) -> Digest {
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
pub(super) fn add_tag(
    repo: &mut Repository,
    tag: TagName,
    digest: &Digest,
    pushed: &Timestamp,
    signed: bool,
) {
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
