//! `--generate repos=N,tags=N`: its parameters and the scale data it builds (many repositories
//! under nested prefixes, and one repository with many tags), deterministic and fast.

use super::{
    demo::demo_reference_secs,
    manifests::{add_image, add_tag, ImageSpec, Platform, SeedFormat},
    users::demo_users,
};
use crate::{
    store::{Repository, Store},
    users::Users,
};
use acr_types::{RepositoryName, TagName, Timestamp};

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

/// Generated data for scale tests, with the demo users: `g.repos` repositories spread over
/// nested prefixes (`team-042/service-0420`, `team-042/jobs/job-0421`,
/// `platform/team-042/svc-0422`), each with 1–3 tags on their own small manifests, and, when
/// `g.tags > 0`, `scale/many-tags` with `g.tags` tags (`build-0` …). Deterministic; times lie
/// before [`DEMO_REFERENCE_TIME`](super::DEMO_REFERENCE_TIME).
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
    use crate::manifest::digest_of;
    use acr_types::OrderBy;

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
}
