//! Which lock refuses an operation: ACR's lock rules (acr-api.md §4.2, as the emulator enforces
//! them) as ONE pure function, [`decide`]. The emulator enforces with it and the console explains
//! with it, so an explanation can never say "allowed" where the emulator says 405. Pure: flags
//! in, a [`Decision`] out; no I/O, no wording beyond the flag's and level's names.
//!
//! The rules, by operation (a flag "refuses" when it is `false`):
//!
//! | operation | refused by |
//! |---|---|
//! | [`Operation::PushToTag`] | repository write; the tag's write (when the tag exists); the write of the manifest with the pushed content (when that content is already stored) |
//! | [`Operation::PushByDigest`] | repository write; the manifest's write (when the content is already stored) |
//! | [`Operation::DeleteTag`] | repository write (its delete alone does not); the tag's write or delete |
//! | [`Operation::DeleteManifest`] | repository write (its delete alone does not); the manifest's write or delete; write or delete of ANY tag pointing at the manifest (deleting the manifest deletes those tags) |
//! | [`Operation::DeleteRepository`] | repository write or delete; write or delete of ANY tag or manifest in it |
//! | [`Operation::PullByTag`] | read of the repository, the tag or the manifest |
//! | [`Operation::PullByDigest`] | read of the repository or the manifest (tags do not matter) |
//!
//! `listEnabled` refuses nothing: it only hides an item from lists. Changing flags (PATCH) is
//! never refused by a lock, so it is not an operation here.
//!
//! Every rule is "refused when any of these flags is off", so a decision is monotone: a lock
//! added anywhere can only turn "allowed" into "refused", never the reverse. A caller that knows
//! only some of the flags may therefore trust a refusal found among the known ones.

use crate::{ChangeableAttributes, Digest, TagName};
use std::fmt;

/// An operation a lock may refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Push a manifest to a tag (`PUT /v2/{name}/manifests/{tag}`): creates the tag or moves an
    /// existing one to the pushed image. `tag`: the tag's flags when it exists (`None`: a new
    /// tag); `manifest`: the flags of the manifest with the pushed content when that content is
    /// already stored (`None`: new content).
    PushToTag,
    /// Push a manifest by digest (`PUT /v2/{name}/manifests/{digest}`). `manifest`: its flags
    /// when the content is already stored. `tag` is not read.
    PushByDigest,
    /// Delete a tag, keeping its manifest ("untag", `DELETE /acr/v1/{name}/_tags/{tag}`).
    /// `tag`: its flags. `manifest` is not read.
    DeleteTag,
    /// Delete an image by digest (`DELETE /v2/{name}/manifests/{digest}`), which also deletes
    /// every tag pointing at it. `manifest`: its flags; `tag` (if given) and every
    /// [`Item::Tag`] of `along`: the tags pointing at it.
    DeleteManifest,
    /// Delete the repository with everything in it (`DELETE /acr/v1/{name}`). `tag`, `manifest`
    /// (if given) and every item of `along`: the tags and manifests in it.
    DeleteRepository,
    /// Pull by tag (`GET /v2/{name}/manifests/{tag}`). `tag`: its flags; `manifest`: the flags of
    /// the manifest it points at.
    PullByTag,
    /// Pull by digest (`GET /v2/{name}/manifests/{digest}`). `manifest`: its flags. `tag` is not
    /// read.
    PullByDigest,
}

impl Operation {
    /// Every operation, in a stable order.
    pub const ALL: [Operation; 7] = [
        Operation::PushToTag,
        Operation::PushByDigest,
        Operation::DeleteTag,
        Operation::DeleteManifest,
        Operation::DeleteRepository,
        Operation::PullByTag,
        Operation::PullByDigest,
    ];
}

/// Where a lock sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// The repository's own flags.
    Repository,
    /// A tag's flags.
    Tag,
    /// A manifest's flags.
    Manifest,
}

impl Level {
    /// The level in words: `"repository"`, `"tag"`, `"manifest"`.
    pub fn noun(self) -> &'static str {
        match self {
            Level::Repository => "repository",
            Level::Tag => "tag",
            Level::Manifest => "manifest",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

/// A flag that refuses operations when it is `false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag {
    /// `writeEnabled`: off refuses pushes and deletes.
    Write,
    /// `deleteEnabled`: off refuses deletes.
    Delete,
    /// `readEnabled`: off refuses pulls.
    Read,
}

impl Flag {
    /// The flag's name on the wire: `"writeEnabled"`, `"deleteEnabled"`, `"readEnabled"`.
    pub fn wire_name(self) -> &'static str {
        match self {
            Flag::Write => "writeEnabled",
            Flag::Delete => "deleteEnabled",
            Flag::Read => "readEnabled",
        }
    }

    /// The flag in one word: `"write"`, `"delete"`, `"read"`.
    pub fn word(self) -> &'static str {
        match self {
            Flag::Write => "write",
            Flag::Delete => "delete",
            Flag::Read => "read",
        }
    }

    /// True when this flag is on (enabled) in `flags`.
    pub fn is_on(self, flags: &ChangeableAttributes) -> bool {
        match self {
            Flag::Write => flags.write_enabled,
            Flag::Delete => flags.delete_enabled,
            Flag::Read => flags.read_enabled,
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// A tag or manifest an operation reaches besides the ones it names (see [`Operation`]): a tag
/// pointing at the manifest being deleted, a tag or manifest in the repository being deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item<'a> {
    /// A tag, by name, with its flags.
    Tag(&'a TagName, &'a ChangeableAttributes),
    /// A manifest, by digest, with its flags.
    Manifest(&'a Digest, &'a ChangeableAttributes),
}

/// The name of an [`Item`] whose lock refuses an operation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Other {
    /// That tag.
    Tag(TagName),
    /// That manifest.
    Manifest(Digest),
}

impl fmt::Display for Other {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Other::Tag(t) => t.fmt(f),
            Other::Manifest(d) => d.fmt(f),
        }
    }
}

/// One lock that refuses an operation: which flag, at which level, on which item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lock {
    /// Where it sits.
    pub level: Level,
    /// The flag that is off.
    pub flag: Flag,
    /// `None`: on the repository, tag or manifest passed to [`decide`] by itself; `Some`: on
    /// that item of `along` (its level is [`Lock::level`]).
    pub other: Option<Other>,
}

impl fmt::Display for Lock {
    /// `"tag write disabled"`, or for an item of `along` `"tag latest: delete disabled"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.other {
            None => write!(f, "{} {} disabled", self.level, self.flag),
            Some(name) => write!(f, "{} {name}: {} disabled", self.level, self.flag),
        }
    }
}

/// What ACR does with an operation, given the flags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Decision {
    /// No lock refuses it.
    Allowed,
    /// Refused (405 `REGISTRY_DISALLOWED_OPERATION`).
    Refused {
        /// The lock to change first (see [`decide`] for the order).
        lock: Lock,
        /// How many further locks refuse it too (all of them must change before it is
        /// allowed).
        more: usize,
    },
}

impl Decision {
    /// True when a lock refuses the operation.
    pub fn is_refused(&self) -> bool {
        matches!(self, Decision::Refused { .. })
    }

    /// The lock to change first, when refused.
    pub fn lock(&self) -> Option<&Lock> {
        match self {
            Decision::Allowed => None,
            Decision::Refused { lock, .. } => Some(lock),
        }
    }
}

/// Which flags refuse an operation at each place (see the table in the module docs).
struct Rule {
    repository: &'static [Flag],
    tag: &'static [Flag],
    manifest: &'static [Flag],
    along_tags: &'static [Flag],
    along_manifests: &'static [Flag],
    /// Whether the given tag is looked at before the given manifest.
    tag_first: bool,
}

const WRITE: &[Flag] = &[Flag::Write];
const LOCKS: &[Flag] = &[Flag::Write, Flag::Delete];
const READ: &[Flag] = &[Flag::Read];
const NONE: &[Flag] = &[];

fn rule(op: Operation) -> Rule {
    let r = |repository, tag, manifest, along_tags, along_manifests, tag_first| Rule {
        repository,
        tag,
        manifest,
        along_tags,
        along_manifests,
        tag_first,
    };
    match op {
        Operation::PushToTag => r(WRITE, WRITE, WRITE, NONE, NONE, true),
        Operation::PushByDigest => r(WRITE, NONE, WRITE, NONE, NONE, false),
        Operation::DeleteTag => r(WRITE, LOCKS, NONE, NONE, NONE, true),
        // The manifest is what the operation names; the tags are what it takes along.
        Operation::DeleteManifest => r(WRITE, LOCKS, LOCKS, LOCKS, NONE, false),
        Operation::DeleteRepository => r(LOCKS, LOCKS, LOCKS, LOCKS, LOCKS, true),
        Operation::PullByTag => r(READ, READ, READ, NONE, NONE, true),
        Operation::PullByDigest => r(READ, NONE, READ, NONE, NONE, false),
    }
}

/// The first refusing lock found and how many more there are.
#[derive(Default)]
struct Tally {
    first: Option<Lock>,
    more: usize,
}

impl Tally {
    /// Counts each flag of `which` that is off in `flags` (on the item `other` names).
    fn check(
        &mut self,
        level: Level,
        flags: &ChangeableAttributes,
        which: &[Flag],
        other: impl Fn() -> Option<Other>,
    ) {
        for &flag in which {
            if flag.is_on(flags) {
                continue;
            }
            if self.first.is_none() {
                self.first = Some(Lock { level, flag, other: other() });
            } else {
                self.more += 1;
            }
        }
    }
}

/// Decides whether ACR allows `op`, from the flags of the `repository`, the `tag` and the
/// `manifest` it concerns and of the items it reaches besides them (`along`); what each of
/// these means for each operation is said on [`Operation`]. This is the function the emulator
/// enforces with.
///
/// **When several locks refuse**, the one named is the one to change first, looked for in this
/// order, and within one item `writeEnabled` before `deleteEnabled`:
/// 1. the repository's own lock: it covers every image in the repository, so unlocking a tag or
///    manifest beneath it changes nothing, and a person may not know the repository is locked;
/// 2. the lock of the item the operation names (the tag pushed to, untagged or pulled; the
///    manifest deleted, pushed or pulled by digest), then the other one given (a pushed tag's
///    existing content, the tag a manifest was reached from);
/// 3. the locks of the items it reaches (`along`), in the order given.
///
/// Within one item the write lock comes first because it is the broader lock (it also refuses
/// pushes); with both off, clearing the delete lock alone would change nothing either. The
/// others are counted in [`Decision::Refused::more`].
pub fn decide<'a>(
    op: Operation,
    repository: &ChangeableAttributes,
    tag: Option<&ChangeableAttributes>,
    manifest: Option<&ChangeableAttributes>,
    along: impl IntoIterator<Item = Item<'a>>,
) -> Decision {
    let rule = rule(op);
    let mut tally = Tally::default();
    tally.check(Level::Repository, repository, rule.repository, || None);
    let (tag, manifest) = (
        tag.map(|t| (Level::Tag, t, rule.tag)),
        manifest.map(|m| (Level::Manifest, m, rule.manifest)),
    );
    let given = if rule.tag_first { [tag, manifest] } else { [manifest, tag] };
    for (level, flags, which) in given.into_iter().flatten() {
        tally.check(level, flags, which, || None);
    }
    for item in along {
        match item {
            Item::Tag(name, flags) => {
                tally.check(Level::Tag, flags, rule.along_tags, || Some(Other::Tag(name.clone())))
            }
            Item::Manifest(digest, flags) => {
                tally.check(Level::Manifest, flags, rule.along_manifests, || {
                    Some(Other::Manifest(digest.clone()))
                })
            }
        }
    }
    let Tally { first, more } = tally;
    match first {
        None => Decision::Allowed,
        Some(lock) => Decision::Refused { lock, more },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// For every operation, written out independently of [`rule`]: the flags that refuse it,
    /// at each place, in the order the lock to change first is looked for. Places:
    /// `repository`, `tag` and `manifest` (the flags passed by themselves), `other-tag` and
    /// `other-manifest` (an item of `along`).
    const EXPECTED: [(Operation, &str); 7] = [
        (Operation::PushToTag, "repository.write tag.write manifest.write"),
        (Operation::PushByDigest, "repository.write manifest.write"),
        (Operation::DeleteTag, "repository.write tag.write tag.delete"),
        (
            Operation::DeleteManifest,
            "repository.write manifest.write manifest.delete tag.write tag.delete \
             other-tag.write other-tag.delete",
        ),
        (
            Operation::DeleteRepository,
            "repository.write repository.delete tag.write tag.delete manifest.write \
             manifest.delete other-tag.write other-tag.delete other-manifest.write \
             other-manifest.delete",
        ),
        (Operation::PullByTag, "repository.read tag.read manifest.read"),
        (Operation::PullByDigest, "repository.read manifest.read"),
    ];

    const PLACES: [&str; 5] = ["repository", "tag", "manifest", "other-tag", "other-manifest"];

    /// Flags with write, delete, read from the low three bits of `bits` (1 = off); list off
    /// when `list_off` (it must never matter).
    fn flags(bits: u32, list_off: bool) -> ChangeableAttributes {
        ChangeableAttributes {
            write_enabled: bits & 1 == 0,
            delete_enabled: bits & 2 == 0,
            read_enabled: bits & 4 == 0,
            list_enabled: !list_off,
            ..ChangeableAttributes::default()
        }
    }

    fn other_tag() -> TagName {
        TagName::new("latest").unwrap()
    }

    fn other_manifest() -> Digest {
        Digest::new(format!("sha256:{}", "a".repeat(64))).unwrap()
    }

    /// The expected decision, from [`EXPECTED`]: refused by the first listed flag that is off
    /// at a place that is present; `more` counts the other listed flags that are off.
    fn expected(op: Operation, present: &[Option<ChangeableAttributes>; 5]) -> Decision {
        let (_, list) = EXPECTED.iter().find(|(o, _)| *o == op).unwrap();
        let mut refusing = list.split_whitespace().filter_map(|cell| {
            let (place, flag) = cell.split_once('.').unwrap();
            let at = PLACES.iter().position(|p| *p == place).unwrap();
            let flag = match flag {
                "write" => Flag::Write,
                "delete" => Flag::Delete,
                "read" => Flag::Read,
                other => panic!("no flag {other}"),
            };
            let flags = present[at].as_ref()?;
            let off = match flag {
                Flag::Write => !flags.write_enabled,
                Flag::Delete => !flags.delete_enabled,
                Flag::Read => !flags.read_enabled,
            };
            off.then(|| {
                let (level, other) = match place {
                    "repository" => (Level::Repository, None),
                    "tag" => (Level::Tag, None),
                    "manifest" => (Level::Manifest, None),
                    "other-tag" => (Level::Tag, Some(Other::Tag(other_tag()))),
                    _ => (Level::Manifest, Some(Other::Manifest(other_manifest()))),
                };
                Lock { level, flag, other }
            })
        });
        match refusing.next() {
            None => Decision::Allowed,
            Some(lock) => Decision::Refused { lock, more: refusing.count() },
        }
    }

    #[test]
    fn every_combination_of_flags_for_every_operation_matches_the_written_table() {
        let (tag_name, digest) = (other_tag(), other_manifest());
        let mut cells = 0_usize;
        // Which of tag, manifest and the two `along` items are present.
        for presence in 0..8_u32 {
            let (has_tag, has_manifest, has_along) =
                (presence & 1 != 0, presence & 2 != 0, presence & 4 != 0);
            let bits_of = |present: bool| if present { 3 } else { 0 };
            let width = 3 + bits_of(has_tag) + bits_of(has_manifest) + 2 * bits_of(has_along);
            for combo in 0..(1_u32 << width) {
                for list_off in [false, true] {
                    let mut rest = combo;
                    let mut take = |present: bool| {
                        present.then(|| {
                            let f = flags(rest & 7, list_off);
                            rest >>= 3;
                            f
                        })
                    };
                    let present: [Option<ChangeableAttributes>; 5] = [
                        take(true),
                        take(has_tag),
                        take(has_manifest),
                        take(has_along),
                        take(has_along),
                    ];
                    let repository = present[0].clone().unwrap();
                    let along: Vec<Item<'_>> = match (&present[3], &present[4]) {
                        (Some(t), Some(m)) => {
                            vec![Item::Tag(&tag_name, t), Item::Manifest(&digest, m)]
                        }
                        _ => Vec::new(),
                    };
                    for op in Operation::ALL {
                        let got = decide(
                            op,
                            &repository,
                            present[1].as_ref(),
                            present[2].as_ref(),
                            along.iter().copied(),
                        );
                        assert_eq!(got, expected(op, &present), "{op:?} with {present:?}");
                        cells += 1;
                    }
                }
            }
        }
        // 2^3 · (1 + 2^3) · (1 + 2^3) · (1 + 2^6) flag combinations, list on and off, 7 operations.
        assert_eq!(cells, 8 * 9 * 9 * 65 * 2 * 7);
    }

    /// The subtle cells, by name, as the emulator's store tests state them.
    #[test]
    fn the_subtle_rules_hold() {
        let open = ChangeableAttributes::default();
        let off = |flag: Flag| {
            let mut f = ChangeableAttributes::default();
            match flag {
                Flag::Write => f.write_enabled = false,
                Flag::Delete => f.delete_enabled = false,
                Flag::Read => f.read_enabled = false,
            }
            f
        };
        let none = std::iter::empty::<Item<'_>>;
        // A repository's delete lock alone refuses only deleting the repository.
        let repo_delete = off(Flag::Delete);
        for op in Operation::ALL {
            let d = decide(op, &repo_delete, Some(&open), Some(&open), none());
            assert_eq!(d.is_refused(), op == Operation::DeleteRepository, "{op:?}");
        }
        // A tag's delete lock does not refuse overwriting the tag, but refuses untagging.
        let tag_delete = off(Flag::Delete);
        let push = decide(Operation::PushToTag, &open, Some(&tag_delete), None, none());
        assert_eq!(push, Decision::Allowed);
        let untag = decide(Operation::DeleteTag, &open, Some(&tag_delete), Some(&open), none());
        let lock = Lock { level: Level::Tag, flag: Flag::Delete, other: None };
        assert_eq!(untag, Decision::Refused { lock, more: 0 });
        // A manifest's lock does not refuse untagging; it refuses re-pushing its content.
        let m_write = off(Flag::Write);
        let untag = decide(Operation::DeleteTag, &open, Some(&open), Some(&m_write), none());
        assert_eq!(untag, Decision::Allowed);
        let repush = decide(Operation::PushToTag, &open, None, Some(&m_write), none());
        assert!(repush.is_refused());
        // Any tag pointing at a manifest refuses deleting it by digest.
        let latest = other_tag();
        let tag_locked = off(Flag::Write);
        let d = decide(
            Operation::DeleteManifest,
            &open,
            None,
            Some(&open),
            [Item::Tag(&latest, &tag_locked)],
        );
        let lock = Lock { level: Level::Tag, flag: Flag::Write, other: Some(Other::Tag(latest)) };
        assert_eq!(d, Decision::Refused { lock: lock.clone(), more: 0 });
        assert_eq!(lock.to_string(), "tag latest: write disabled");
        // The repository's lock is named first, and the others are counted.
        let all_off = off(Flag::Write);
        let d = decide(
            Operation::DeleteRepository,
            &all_off,
            Some(&off(Flag::Delete)),
            None,
            [Item::Manifest(&other_manifest(), &all_off)],
        );
        let lock = Lock { level: Level::Repository, flag: Flag::Write, other: None };
        assert_eq!(d.lock().map(ToString::to_string).as_deref(), Some("repository write disabled"));
        assert_eq!(d, Decision::Refused { lock, more: 2 });
        // Pulling by digest ignores the tag's read flag.
        let d = decide(Operation::PullByDigest, &open, Some(&off(Flag::Read)), Some(&open), none());
        assert_eq!(d, Decision::Allowed);
        assert_eq!(Flag::Write.wire_name(), "writeEnabled");
    }
}
