//! The built-in demo registry: 15 repositories written as a seed file, with the tags, platforms,
//! untagged pushes and locks the console's demos and tests rely on; deterministic, every time
//! relative to [`DEMO_REFERENCE_TIME`].

use super::{
    file::{SeedFile, SeedImage, SeedRepository},
    manifests::{fnv, splitmix, SeedFormat},
};
use crate::{store::Store, users::Users};
use acr_types::{AttributesPatch, RepositoryName, TagName, Timestamp};
use std::collections::BTreeMap;

/// The fixed "now" of the demo data: every demo time lies up to ~18 months before it.
pub const DEMO_REFERENCE_TIME: &str = "2026-11-01T00:00:00Z";

/// Unix seconds of [`DEMO_REFERENCE_TIME`].
pub(super) fn demo_reference_secs() -> i64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{manifest::digest_of, seed::users::demo_users, store::Manifest};
    use acr_types::{media_type, Digest, OrderBy};

    fn name(s: &str) -> RepositoryName {
        RepositoryName::new(s).unwrap()
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
}
