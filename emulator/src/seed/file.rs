//! The JSON seed file format (`--seed FILE`) and its loading: validates a file and builds the
//! registry and users it describes, with errors naming the bad entry.

use super::{
    manifests::{add_image, add_tag, fnv, parse_platform, ImageSpec, SeedFormat},
    users::demo_users,
};
use crate::{
    store::{Repository, Store},
    users::{User, Users},
};
use acr_types::{AttributesPatch, RepositoryName, TagName, Timestamp};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, path::Path};

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

/// Reads and validates a seed file ([`SeedFile`]). Errors name the file and the bad field or
/// value.
pub fn load(path: &Path) -> Result<(Store, Users), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read seed file {}: {e}", path.display()))?;
    let seed: SeedFile = serde_json::from_str(&text)
        .map_err(|e| format!("seed file {} is not valid: {e}", path.display()))?;
    seed.build(&timestamp_now()).map_err(|e| format!("seed file {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::media_type;

    fn name(s: &str) -> RepositoryName {
        RepositoryName::new(s).unwrap()
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
    fn now_is_now() {
        let now = timestamp_now();
        assert!(now.unix_seconds() > 1_700_000_000);
        assert_eq!(now.as_str().len(), "2021-05-28T17:15:14.4015317Z".len());
    }
}
