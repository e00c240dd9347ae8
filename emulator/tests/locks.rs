//! The lock matrix of acr-api.md §4.2 as one table: for every place a lock can sit (rows) and
//! every operation (columns), whether the store allows or refuses it. Each cell runs on a fresh
//! store; a refused operation must also leave the store unchanged.

use acr_emulator::store::{Store, StoreError};
use acr_types::{media_type, AttributesPatch, Digest, RepositoryName, TagName, Timestamp};

/// What a cell expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Disallowed,
}
use Outcome::{Allowed as A, Disallowed as D};

/// Where the lock sits. The locked tag is `v1`, the locked manifest the one `v1` points at.
#[derive(Debug, Clone, Copy)]
enum Lock {
    None,
    RepoWrite,
    RepoDelete,
    RepoRead,
    RepoList,
    TagWrite,
    TagDelete,
    TagRead,
    TagList,
    ManifestWrite,
    ManifestDelete,
    ManifestRead,
    ManifestList,
}

/// The operations, in table column order.
#[derive(Debug, Clone, Copy)]
enum Op {
    /// Push new content to the existing tag `v1`.
    OverwriteTag,
    /// Push new content to a new tag.
    PushNewTag,
    /// Push the content `v1` points at to a new tag (re-pushing an existing manifest).
    PushSameContent,
    /// `DELETE /acr/v1/app/_tags/v1`.
    DeleteTag,
    /// `DELETE /v2/app/manifests/<digest of v1>`.
    DeleteManifest,
    /// `DELETE /acr/v1/app`.
    DeleteRepository,
    /// `PATCH` the tag (unlock all flags).
    PatchTag,
    /// `PATCH` the manifest (unlock all flags).
    PatchManifest,
    /// `PATCH` the repository (unlock all flags).
    PatchRepository,
    /// `GET /v2/app/manifests/v1`.
    PullByTag,
    /// `GET /v2/app/manifests/<digest>`.
    PullByDigest,
}

const COLUMNS: [Op; 11] = [
    Op::OverwriteTag,
    Op::PushNewTag,
    Op::PushSameContent,
    Op::DeleteTag,
    Op::DeleteManifest,
    Op::DeleteRepository,
    Op::PatchTag,
    Op::PatchManifest,
    Op::PatchRepository,
    Op::PullByTag,
    Op::PullByDigest,
];

#[rustfmt::skip]
const MATRIX: [(Lock, [Outcome; 11]); 13] = [
    //                     overwrite push-new push-same del-tag del-manifest del-repo patch-tag patch-manifest patch-repo pull-tag pull-digest
    (Lock::None,           [A,        A,       A,        A,      A,           A,       A,        A,             A,         A,       A]),
    (Lock::RepoWrite,      [D,        D,       D,        D,      D,           D,       A,        A,             A,         A,       A]),
    (Lock::RepoDelete,     [A,        A,       A,        A,      A,           D,       A,        A,             A,         A,       A]),
    (Lock::RepoRead,       [A,        A,       A,        A,      A,           A,       A,        A,             A,         D,       D]),
    (Lock::RepoList,       [A,        A,       A,        A,      A,           A,       A,        A,             A,         A,       A]),
    (Lock::TagWrite,       [D,        A,       A,        D,      D,           D,       A,        A,             A,         A,       A]),
    (Lock::TagDelete,      [A,        A,       A,        D,      D,           D,       A,        A,             A,         A,       A]),
    (Lock::TagRead,        [A,        A,       A,        A,      A,           A,       A,        A,             A,         D,       A]),
    (Lock::TagList,        [A,        A,       A,        A,      A,           A,       A,        A,             A,         A,       A]),
    (Lock::ManifestWrite,  [A,        A,       D,        A,      D,           D,       A,        A,             A,         A,       A]),
    (Lock::ManifestDelete, [A,        A,       A,        A,      D,           D,       A,        A,             A,         A,       A]),
    (Lock::ManifestRead,   [A,        A,       A,        A,      A,           A,       A,        A,             A,         D,       D]),
    (Lock::ManifestList,   [A,        A,       A,        A,      A,           A,       A,        A,             A,         A,       A]),
];

const REGISTRY: &str = "demo.azurecr.io";

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_nanos(i128::from(1_790_000_000 + secs) * 1_000_000_000)
}

fn app() -> RepositoryName {
    RepositoryName::new("team/app").unwrap()
}

fn tag(s: &str) -> TagName {
    TagName::new(s).unwrap()
}

/// A small Docker image manifest; `seed` makes it unique.
fn image(seed: u32) -> String {
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"{}","size":1469,"digest":"sha256:{seed:064x}"}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2814446,"digest":"sha256:{:064x}"}}]}}"#,
        media_type::DOCKER_MANIFEST,
        media_type::DOCKER_CONFIG,
        seed + 1
    )
}

/// `team/app` with `v1` → image 10 and `v2` → image 20, then `lock` applied. Returns the digest
/// `v1` points at.
fn fixture(lock: Lock) -> (Store, Digest) {
    let mut s = Store::default();
    let d = s
        .push_manifest(&app(), "v1", media_type::DOCKER_MANIFEST, image(10).as_bytes(), &at(0))
        .unwrap();
    s.push_manifest(&app(), "v2", media_type::DOCKER_MANIFEST, image(20).as_bytes(), &at(1))
        .unwrap();
    let flag = |f: fn(&mut AttributesPatch)| {
        let mut p = AttributesPatch::default();
        f(&mut p);
        p
    };
    let write = flag(|p| p.write_enabled = Some(false));
    let delete = flag(|p| p.delete_enabled = Some(false));
    let read = flag(|p| p.read_enabled = Some(false));
    let list = flag(|p| p.list_enabled = Some(false));
    let repo = |s: &mut Store, p| s.update_repository(REGISTRY, &app(), p).map(drop);
    let on_tag = |s: &mut Store, p| s.update_tag(&app(), &tag("v1"), p).map(drop);
    let on_manifest = |s: &mut Store, p| s.update_manifest(&app(), &d, p).map(drop);
    match lock {
        Lock::None => Ok(()),
        Lock::RepoWrite => repo(&mut s, &write),
        Lock::RepoDelete => repo(&mut s, &delete),
        Lock::RepoRead => repo(&mut s, &read),
        Lock::RepoList => repo(&mut s, &list),
        Lock::TagWrite => on_tag(&mut s, &write),
        Lock::TagDelete => on_tag(&mut s, &delete),
        Lock::TagRead => on_tag(&mut s, &read),
        Lock::TagList => on_tag(&mut s, &list),
        Lock::ManifestWrite => on_manifest(&mut s, &write),
        Lock::ManifestDelete => on_manifest(&mut s, &delete),
        Lock::ManifestRead => on_manifest(&mut s, &read),
        Lock::ManifestList => on_manifest(&mut s, &list),
    }
    .unwrap();
    (s, d)
}

/// Runs `op` on the store; `Ok` when it succeeded.
fn run(s: &mut Store, op: Op, d: &Digest) -> Result<(), StoreError> {
    let now = at(100);
    let unlock = AttributesPatch {
        delete_enabled: Some(true),
        write_enabled: Some(true),
        read_enabled: Some(true),
        list_enabled: Some(true),
    };
    let push = |s: &mut Store, reference: &str, body: String| {
        s.push_manifest(&app(), reference, media_type::DOCKER_MANIFEST, body.as_bytes(), &now)
            .map(drop)
    };
    match op {
        Op::OverwriteTag => push(s, "v1", image(99)),
        Op::PushNewTag => push(s, "v9", image(99)),
        Op::PushSameContent => push(s, "v1-copy", image(10)),
        Op::DeleteTag => s.delete_tag(&app(), &tag("v1"), &now).map(drop),
        Op::DeleteManifest => s.delete_manifest(&app(), d, &now),
        Op::DeleteRepository => s.delete_repository(&app()).map(drop),
        Op::PatchTag => s.update_tag(&app(), &tag("v1"), &unlock).map(drop),
        Op::PatchManifest => s.update_manifest(&app(), d, &unlock).map(drop),
        Op::PatchRepository => s.update_repository(REGISTRY, &app(), &unlock).map(drop),
        Op::PullByTag => s.pull_manifest(&app(), "v1").map(drop),
        Op::PullByDigest => s.pull_manifest(&app(), d.as_str()).map(drop),
    }
}

#[test]
fn lock_matrix() {
    let mut failures = Vec::new();
    for (lock, row) in MATRIX {
        for (op, want) in COLUMNS.into_iter().zip(row) {
            let (mut store, digest) = fixture(lock);
            let before = store.clone();
            let got = run(&mut store, op, &digest);
            let problem = match (want, &got) {
                (A, Ok(())) | (D, Err(StoreError::Disallowed)) => None,
                (_, Err(e)) if *e != StoreError::Disallowed => {
                    Some(format!("expected {want:?}, failed with {e:?}"))
                }
                _ => Some(format!("expected {want:?}, got {got:?}")),
            };
            let problem = problem.or_else(|| {
                (want == D && store != before).then(|| "refused, but the store changed".to_owned())
            });
            if let Some(p) = problem {
                failures.push(format!("lock {lock:?} / operation {op:?}: {p}"));
            }
        }
    }
    assert!(failures.is_empty(), "lock matrix cells failed:\n{}", failures.join("\n"));
}
