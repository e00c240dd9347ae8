//! What is inside a repository, apart from its own flags: "3 of 10 tags locked · 1 of 8
//! manifests locked", counted from the lock store (so a lock changed anywhere shows at once)
//! over the tags and manifests a page has listed. One wording for the repository page and the
//! rows of the repositories list.

use super::lock_store::LockStore;
use crate::components::format::{count_of, thousands};
use acr_bulk::{coverage::Protection, record::Flags};
use acr_types::{ArtifactRef, ChangeableAttributes, Digest, RepositoryName, TagName};

/// The tags and manifests listed of one repository, and whether each list is whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listed {
    /// The tags listed.
    pub tags: Vec<TagName>,
    /// True when the tag list was read to its end.
    pub tags_whole: bool,
    /// The manifests listed.
    pub manifests: Vec<Digest>,
    /// True when the manifest list was read to its end.
    pub manifests_whole: bool,
}

/// How many of one kind of item are locked, out of how many listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Locked: neither overwritten nor deleted, the repository's own lock counted in.
    pub locked: usize,
    /// Listed.
    pub listed: usize,
    /// True when every item of the kind was listed.
    pub whole: bool,
}

/// True when an item with `own` flags in a repository with `repository` flags can be neither
/// overwritten nor deleted.
pub fn is_locked(own: &ChangeableAttributes, repository: &ChangeableAttributes) -> bool {
    Protection::of(Flags::from(own), Flags::from(repository)) == Protection::Locked
}

/// "3 of 10 tags locked · 1 of 8 manifests locked"; a list not read to its end says so ("3 of
/// the first 1,000 tags locked").
pub fn sentence(tags: Tally, manifests: Tally) -> String {
    let part = |t: Tally, singular: &str, plural: &str| {
        let of = if t.whole { " of " } else { " of the first " };
        [thousands(t.locked).as_str(), of, &count_of(t.listed, singular, plural), " locked"]
            .concat()
    };
    [part(tags, "tag", "tags"), part(manifests, "manifest", "manifests")].join(" · ")
}

impl Listed {
    /// The tallies of what is listed, each item's flags from `store` (those not known there
    /// count as unlocked), in a repository with `repository` flags.
    pub fn tally(
        &self,
        store: &LockStore,
        repo: &RepositoryName,
        repository: &ChangeableAttributes,
    ) -> (Tally, Tally) {
        let locked = |key: ArtifactRef| {
            store.flags(&key).is_some_and(|own| is_locked(&own, repository)) as usize
        };
        let tags =
            self.tags.iter().map(|t| locked(ArtifactRef::Tag(repo.clone(), t.clone()))).sum();
        let manifests = self
            .manifests
            .iter()
            .map(|d| locked(ArtifactRef::Manifest(repo.clone(), d.clone())))
            .sum();
        (
            Tally { locked: tags, listed: self.tags.len(), whole: self.tags_whole },
            Tally { locked: manifests, listed: self.manifests.len(), whole: self.manifests_whole },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(write: bool, delete: bool) -> ChangeableAttributes {
        ChangeableAttributes { write_enabled: write, delete_enabled: delete, ..Default::default() }
    }

    #[test]
    fn the_sentence_counts_each_kind_and_says_when_a_list_is_partial() {
        let whole = |locked, listed| Tally { locked, listed, whole: true };
        assert_eq!(
            sentence(whole(3, 10), whole(1, 8)),
            "3 of 10 tags locked · 1 of 8 manifests locked"
        );
        assert_eq!(
            sentence(whole(0, 1), whole(1, 1)),
            "0 of 1 tag locked · 1 of 1 manifest locked"
        );
        assert_eq!(
            sentence(Tally { locked: 12, listed: 1_000, whole: false }, whole(0, 0)),
            "12 of the first 1,000 tags locked · 0 of 0 manifests locked"
        );
    }

    #[test]
    fn locked_means_neither_overwritten_nor_deleted_with_the_repository_counted_in() {
        let open = flags(true, true);
        assert!(is_locked(&flags(false, false), &open));
        assert!(!is_locked(&flags(false, true), &open), "updates prevented only");
        assert!(!is_locked(&flags(true, false), &open), "protected from deletion only");
        // A repository with writes off locks everything in it; its delete flag guards itself.
        assert!(is_locked(&open, &flags(false, true)));
        assert!(!is_locked(&open, &flags(true, false)));
    }
}
