//! The pure rules the lock controls follow: the four flags and their wording, the presets,
//! which changes count as unlocking (and so need a confirmation), and how a saved state is
//! announced. No I/O and no reactivity: components render these rules, tested natively.

use acr_types::{ArtifactRef, AttributesPatch, ChangeableAttributes};

/// One of the four lock flags ACR keeps on a repository, tag or manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LockFlag {
    /// `writeEnabled`: off refuses overwrites, and deletes too.
    Write,
    /// `deleteEnabled`: off refuses deletes.
    Delete,
    /// `readEnabled`: off refuses pulls.
    Read,
    /// `listEnabled`: off hides the item from lists.
    List,
}

impl LockFlag {
    /// Every flag, the everyday ones first.
    pub const ALL: [LockFlag; 4] = [Self::Write, Self::Delete, Self::Read, Self::List];

    /// The visible label, also the start of the switch's accessible name ("Write enabled").
    pub fn label(self) -> &'static str {
        match self {
            Self::Write => "Write enabled",
            Self::Delete => "Delete enabled",
            Self::Read => "Read enabled",
            Self::List => "List enabled",
        }
    }

    /// The one-word name used in announcements ("write off").
    pub fn word(self) -> &'static str {
        match self {
            Self::Write => "write",
            Self::Delete => "delete",
            Self::Read => "read",
            Self::List => "list",
        }
    }

    /// What turning the flag off does, for the switch's description.
    pub fn off_means(self, target: &ArtifactRef) -> &'static str {
        match (self, target) {
            (Self::Write, ArtifactRef::Repository(_)) => {
                "Off: the registry refuses pushes, tag changes and deletes in this repository."
            }
            (Self::Write, _) => "Off: the registry refuses overwriting it, and deleting it too.",
            (Self::Delete, ArtifactRef::Repository(_)) => {
                "Off: the registry refuses deleting the repository."
            }
            (Self::Delete, _) => "Off: the registry refuses deleting it.",
            (Self::Read, _) => "Off: nobody can pull it.",
            (Self::List, _) => "Off: it no longer appears in lists.",
        }
    }

    /// The flag's value in `attributes`.
    pub fn get(self, attributes: &ChangeableAttributes) -> bool {
        match self {
            Self::Write => attributes.write_enabled,
            Self::Delete => attributes.delete_enabled,
            Self::Read => attributes.read_enabled,
            Self::List => attributes.list_enabled,
        }
    }

    /// A patch that sets only this flag to `value`.
    pub fn patch(self, value: bool) -> AttributesPatch {
        let mut patch = AttributesPatch::default();
        match self {
            Self::Write => patch.write_enabled = Some(value),
            Self::Delete => patch.delete_enabled = Some(value),
            Self::Read => patch.read_enabled = Some(value),
            Self::List => patch.list_enabled = Some(value),
        }
        patch
    }

    /// The accessible name of this flag's switch for `target`:
    /// "Write enabled for prod/payments/api:1.4.2", "… for prod/payments/api@sha256:…", or
    /// "… for prod/payments/api" for the repository.
    pub fn accessible_name(self, target: &ArtifactRef) -> String {
        format!("{} for {target}", self.label())
    }
}

/// "On" or "Off": the visible state text of a switch or badge (never colour alone).
pub fn state_text(on: bool) -> &'static str {
    if on {
        "On"
    } else {
        "Off"
    }
}

/// The one-click presets over write and delete enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Write and delete off.
    Lock,
    /// Delete off, write on.
    ProtectFromDeletion,
    /// Write off, delete on (ACR still refuses deletes while writes are off).
    PreventUpdates,
    /// Write and delete on.
    Unlock,
}

impl Preset {
    /// Every preset, in the order they are offered.
    pub const ALL: [Preset; 4] =
        [Self::Lock, Self::ProtectFromDeletion, Self::PreventUpdates, Self::Unlock];

    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Lock => "Lock",
            Self::ProtectFromDeletion => "Protect from deletion",
            Self::PreventUpdates => "Prevent updates",
            Self::Unlock => "Unlock",
        }
    }

    /// What the preset sets and what that means, in plain words.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::Lock => "Write and delete off: nothing can overwrite or delete it.",
            Self::ProtectFromDeletion => {
                "Delete off, write on: it can still be updated, but not deleted."
            }
            Self::PreventUpdates => {
                "Write off, delete on: it cannot be overwritten. ACR also refuses deletes while writes are off."
            }
            Self::Unlock => "Write and delete on: it can be overwritten and deleted.",
        }
    }

    /// The write and delete values the preset wants (read and list are left alone).
    pub fn patch(self) -> AttributesPatch {
        let (write, delete) = match self {
            Self::Lock => (false, false),
            Self::ProtectFromDeletion => (true, false),
            Self::PreventUpdates => (false, true),
            Self::Unlock => (true, true),
        };
        AttributesPatch {
            write_enabled: Some(write),
            delete_enabled: Some(delete),
            ..Default::default()
        }
    }

    /// True when `attributes` already is what this preset sets.
    pub fn matches(self, attributes: &ChangeableAttributes) -> bool {
        self.patch().changes_from(attributes).is_empty()
    }

    /// The preset `attributes` is in (write and delete together always match exactly one).
    pub fn matching(attributes: &ChangeableAttributes) -> Option<Preset> {
        Self::ALL.into_iter().find(|p| p.matches(attributes))
    }
}

/// A change a bulk run can make: one of the presets, or one flag set on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// A preset over write and delete.
    Preset(Preset),
    /// One flag to a value.
    Flag(LockFlag, bool),
}

impl Change {
    /// Every change, presets first, in the order a form offers them.
    pub fn all() -> Vec<Change> {
        let mut out: Vec<Change> = Preset::ALL.into_iter().map(Change::Preset).collect();
        for flag in LockFlag::ALL {
            out.push(Change::Flag(flag, false));
            out.push(Change::Flag(flag, true));
        }
        out
    }

    /// The URL value (`lock`, `protect`, `prevent-updates`, `unlock`, `write-off`, …).
    pub fn as_query(self) -> String {
        match self {
            Self::Preset(Preset::Lock) => "lock".into(),
            Self::Preset(Preset::ProtectFromDeletion) => "protect".into(),
            Self::Preset(Preset::PreventUpdates) => "prevent-updates".into(),
            Self::Preset(Preset::Unlock) => "unlock".into(),
            Self::Flag(f, on) => [f.word(), if on { "-on" } else { "-off" }].concat(),
        }
    }

    /// Reads a URL value.
    pub fn from_query(s: &str) -> Option<Change> {
        Self::all().into_iter().find(|c| c.as_query() == s)
    }

    /// What a person calls it ("Lock", "Turn write off").
    pub fn label(self) -> String {
        match self {
            Self::Preset(p) => p.label().into(),
            Self::Flag(f, on) => ["Turn ", f.word(), if on { " on" } else { " off" }].concat(),
        }
    }

    /// The flags it sets.
    pub fn patch(self) -> AttributesPatch {
        match self {
            Self::Preset(p) => p.patch(),
            Self::Flag(f, on) => f.patch(on),
        }
    }
}

/// The confirmation of a change that turns flags back on, naming what it does: its question and
/// its button. Both flags back on is "Unlock"; one is named ("Turn writes back on for …?").
pub fn unlock_question(
    target: &ArtifactRef,
    current: &ChangeableAttributes,
    patch: &AttributesPatch,
) -> (String, &'static str) {
    let write = patch.write_enabled == Some(true) && !current.write_enabled;
    let delete = patch.delete_enabled == Some(true) && !current.delete_enabled;
    match (write, delete) {
        (true, false) => (format!("Turn writes back on for {target}?"), "Turn writes on"),
        (false, true) => (format!("Turn deletes back on for {target}?"), "Turn deletes on"),
        _ => (format!("Unlock {target}?"), "Unlock"),
    }
}

/// True when applying `patch` to `current` turns write or delete from off to on: such a change
/// re-allows overwrites or deletes and is confirmed first.
pub fn is_unlocking(current: &ChangeableAttributes, patch: &AttributesPatch) -> bool {
    let turns_on = |new: Option<bool>, old: bool| new == Some(true) && !old;
    turns_on(patch.write_enabled, current.write_enabled)
        || turns_on(patch.delete_enabled, current.delete_enabled)
}

/// What a confirmed unlock of `target` will allow, one sentence per re-enabled flag.
pub fn unlock_allows(
    target: &ArtifactRef,
    current: &ChangeableAttributes,
    patch: &AttributesPatch,
) -> Vec<String> {
    let mut after = current.clone();
    after.apply(patch);
    let mut lines = Vec::new();
    if patch.write_enabled == Some(true) && !current.write_enabled {
        lines.push(
            match target {
                ArtifactRef::Repository(repo) => format!(
                    "Writes: pushes, tag changes and deletes in {repo} are accepted again, for every image without its own lock."
                ),
                ArtifactRef::Tag(_, tag) => format!(
                    "Writes: a push can move tag {tag} to a different image, or overwrite it."
                ),
                ArtifactRef::Manifest(..) => {
                    "Writes: the registry accepts changes to this manifest again.".to_owned()
                }
            },
        );
    }
    if patch.delete_enabled == Some(true) && !current.delete_enabled {
        let mut line = format!("Deletes: anyone with delete permission can delete {target}.");
        if !after.write_enabled {
            line.push_str(" (ACR still refuses deletes while writes are off.)");
        }
        lines.push(line);
    }
    lines
}

/// The flags in words: write and delete always, read and list when they are off
/// ("write off, delete off").
pub fn flags_summary(attributes: &ChangeableAttributes) -> String {
    let mut parts = Vec::new();
    for flag in LockFlag::ALL {
        let on = flag.get(attributes);
        if matches!(flag, LockFlag::Write | LockFlag::Delete) || !on {
            parts.push(format!("{} {}", flag.word(), if on { "on" } else { "off" }));
        }
    }
    parts.join(", ")
}

/// The announcement after a save, from what the registry returned
/// ("Saved: write off, delete off").
pub fn saved_summary(attributes: &ChangeableAttributes) -> String {
    format!("Saved: {}", flags_summary(attributes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::{Digest, RepositoryName, TagName};

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn attrs(write: bool, delete: bool) -> ChangeableAttributes {
        ChangeableAttributes { write_enabled: write, delete_enabled: delete, ..Default::default() }
    }

    fn repo() -> RepositoryName {
        RepositoryName::new("prod/payments/api").unwrap()
    }

    fn tag_ref() -> ArtifactRef {
        ArtifactRef::Tag(repo(), TagName::new("1.4.2").unwrap())
    }

    #[test]
    fn accessible_names_name_the_target_the_way_acr_writes_it() {
        assert_eq!(
            LockFlag::Write.accessible_name(&tag_ref()),
            "Write enabled for prod/payments/api:1.4.2"
        );
        let manifest = ArtifactRef::Manifest(repo(), Digest::new(DIGEST).unwrap());
        assert_eq!(
            LockFlag::Delete.accessible_name(&manifest),
            format!("Delete enabled for prod/payments/api@{DIGEST}")
        );
        assert_eq!(
            LockFlag::List.accessible_name(&ArtifactRef::Repository(repo())),
            "List enabled for prod/payments/api"
        );
        assert_eq!((state_text(true), state_text(false)), ("On", "Off"));
    }

    #[test]
    fn flag_patches_set_only_their_flag() {
        for flag in LockFlag::ALL {
            let patch = flag.patch(false);
            let json = serde_json::to_value(patch).unwrap();
            assert_eq!(json.as_object().unwrap().len(), 1, "{flag:?}: {json}");
            let mut a = ChangeableAttributes::default();
            a.apply(&patch);
            assert!(!flag.get(&a));
            for other in LockFlag::ALL.into_iter().filter(|f| *f != flag) {
                assert!(other.get(&a), "{flag:?} must leave {other:?} alone");
            }
        }
    }

    #[test]
    fn presets_patch_only_what_differs_from_the_current_state() {
        let unlocked = attrs(true, true);
        assert_eq!(
            Preset::Lock.patch().changes_from(&unlocked),
            AttributesPatch {
                write_enabled: Some(false),
                delete_enabled: Some(false),
                ..Default::default()
            }
        );
        assert_eq!(
            Preset::PreventUpdates.patch().changes_from(&unlocked),
            AttributesPatch { write_enabled: Some(false), ..Default::default() }
        );
        assert_eq!(
            Preset::ProtectFromDeletion.patch().changes_from(&unlocked),
            AttributesPatch { delete_enabled: Some(false), ..Default::default() }
        );
        assert!(Preset::Unlock.patch().changes_from(&unlocked).is_empty(), "a no-op is empty");
        let locked = attrs(false, false);
        assert_eq!(
            Preset::ProtectFromDeletion.patch().changes_from(&locked),
            AttributesPatch { write_enabled: Some(true), ..Default::default() }
        );
        // Presets never touch read or list.
        let hidden = ChangeableAttributes { list_enabled: false, ..attrs(true, true) };
        let p = Preset::Lock.patch().changes_from(&hidden);
        assert_eq!((p.read_enabled, p.list_enabled), (None, None));
    }

    #[test]
    fn exactly_one_preset_matches_each_write_delete_combination() {
        for (write, delete, want) in [
            (false, false, Preset::Lock),
            (true, false, Preset::ProtectFromDeletion),
            (false, true, Preset::PreventUpdates),
            (true, true, Preset::Unlock),
        ] {
            let a = ChangeableAttributes { read_enabled: false, ..attrs(write, delete) };
            assert_eq!(Preset::matching(&a), Some(want));
            assert_eq!(Preset::ALL.iter().filter(|p| p.matches(&a)).count(), 1);
        }
        assert!(Preset::PreventUpdates.explanation().contains("ACR also refuses deletes"));
    }

    #[test]
    fn unlocking_is_any_change_turning_write_or_delete_on() {
        let locked = attrs(false, false);
        for preset in [Preset::Unlock, Preset::ProtectFromDeletion, Preset::PreventUpdates] {
            let patch = preset.patch().changes_from(&locked);
            assert!(is_unlocking(&locked, &patch), "{preset:?} from locked unlocks");
        }
        assert!(!is_unlocking(&locked, &Preset::Lock.patch().changes_from(&locked)));
        let unlocked = attrs(true, true);
        for preset in Preset::ALL {
            let patch = preset.patch().changes_from(&unlocked);
            assert!(!is_unlocking(&unlocked, &patch), "{preset:?} from unlocked only locks");
        }
        assert!(is_unlocking(&attrs(true, false), &LockFlag::Delete.patch(true)));
        assert!(is_unlocking(&attrs(false, true), &LockFlag::Write.patch(true)));
        assert!(!is_unlocking(&attrs(true, true), &LockFlag::Write.patch(true)), "already on");
        let off = ChangeableAttributes { read_enabled: false, list_enabled: false, ..locked };
        assert!(!is_unlocking(&off, &LockFlag::Read.patch(true)), "read/list are not locks");
        assert!(!is_unlocking(&off, &LockFlag::List.patch(true)));
    }

    #[test]
    fn unlock_confirmation_says_what_it_allows() {
        let t = tag_ref();
        let both = unlock_allows(&t, &attrs(false, false), &Preset::Unlock.patch());
        assert_eq!(both.len(), 2);
        assert!(both[0].starts_with("Writes:") && both[0].contains("1.4.2"), "{both:?}");
        assert!(both[1].contains("delete prod/payments/api:1.4.2"), "{both:?}");
        assert!(!both[1].contains("still refuses"));
        let delete_only = unlock_allows(&t, &attrs(false, false), &LockFlag::Delete.patch(true));
        assert_eq!(delete_only.len(), 1);
        assert!(delete_only[0].contains("still refuses deletes while writes are off"));
        let repo_write = unlock_allows(
            &ArtifactRef::Repository(repo()),
            &attrs(false, true),
            &LockFlag::Write.patch(true),
        );
        assert!(repo_write[0].contains("in prod/payments/api"), "{repo_write:?}");
    }

    #[test]
    fn saved_summary_reads_what_the_registry_returned() {
        assert_eq!(saved_summary(&attrs(false, false)), "Saved: write off, delete off");
        assert_eq!(saved_summary(&attrs(true, true)), "Saved: write on, delete on");
        let odd = ChangeableAttributes { read_enabled: false, ..attrs(false, true) };
        assert_eq!(saved_summary(&odd), "Saved: write off, delete on, read off");
    }

    #[test]
    fn bulk_changes_round_trip_through_their_url_values() {
        let all = Change::all();
        assert_eq!(all.len(), 12);
        for c in all {
            assert_eq!(Change::from_query(&c.as_query()), Some(c));
            assert!(!c.patch().is_empty());
        }
        assert_eq!(Change::Flag(LockFlag::Write, false).as_query(), "write-off");
        assert_eq!(Change::Flag(LockFlag::Delete, true).label(), "Turn delete on");
        assert_eq!(Change::from_query("nope"), None);
    }

    #[test]
    fn the_unlock_question_names_what_comes_back_on() {
        let t = ArtifactRef::parse("prod/api:1.0").unwrap();
        let locked = ChangeableAttributes {
            write_enabled: false,
            delete_enabled: false,
            ..Default::default()
        };
        let q = |p: Preset| unlock_question(&t, &locked, &p.patch());
        assert_eq!(q(Preset::Unlock), ("Unlock prod/api:1.0?".to_owned(), "Unlock"));
        assert_eq!(
            q(Preset::ProtectFromDeletion),
            ("Turn writes back on for prod/api:1.0?".to_owned(), "Turn writes on")
        );
        assert_eq!(
            q(Preset::PreventUpdates),
            ("Turn deletes back on for prod/api:1.0?".to_owned(), "Turn deletes on")
        );
    }
}
