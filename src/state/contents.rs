//! What is inside a repository, apart from its own flags: the first page of its tag and
//! manifest lists read side by side (for the repositories list's rows and for what the item
//! pages explain ACR refuses), and "3 of 10 tags locked · 1 of 8 manifests locked", counted
//! from the lock store (so a lock changed anywhere shows at once). One reader and one wording
//! for the repository page, the rows and the item pages.

use super::lock_store::LockStore;
use crate::components::format::{count_of, thousands};
use acr_bulk::{coverage::Protection, record::Flags};
use acr_client::RegistryClient;
use acr_types::{ArtifactRef, ChangeableAttributes, Digest, OrderBy, RepositoryName, TagName};
use futures_util::StreamExt;

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

/// The tally of the items `keys`, each one's flags from `store` (tracked; those not known there
/// count as unlocked), in a repository with `repository` flags; `whole` when they are all.
pub fn tally(
    store: &LockStore,
    keys: impl ExactSizeIterator<Item = ArtifactRef>,
    whole: bool,
    repository: &ChangeableAttributes,
) -> Tally {
    let listed = keys.len();
    let locked =
        keys.filter(|k| store.flags(k).is_some_and(|own| is_locked(&own, repository))).count();
    Tally { locked, listed, whole }
}

impl Listed {
    /// The tallies of what is listed, in a repository with `repository` flags.
    pub fn tally(
        &self,
        store: &LockStore,
        repo: &RepositoryName,
        repository: &ChangeableAttributes,
    ) -> (Tally, Tally) {
        let tags = self.tags.iter().map(|t| ArtifactRef::Tag(repo.clone(), t.clone()));
        let manifests =
            self.manifests.iter().map(|d| ArtifactRef::Manifest(repo.clone(), d.clone()));
        (
            tally(store, tags, self.tags_whole, repository),
            tally(store, manifests, self.manifests_whole, repository),
        )
    }

    /// True when both lists were read to their end.
    pub fn whole(&self) -> bool {
        self.tags_whole && self.manifests_whole
    }
}

/// Reads the first page of `repo`'s tag list and of its manifest list side by side (one request
/// each, at most [`acr_client::ClientOptions::page_size`] items) and keeps their flags in
/// `store`. `None` when either could not be read.
pub async fn read_first_pages(
    client: &RegistryClient,
    store: &LockStore,
    repo: &RepositoryName,
) -> Option<Listed> {
    let ticket = store.ticket();
    let mut tags = client.list_tags(repo, OrderBy::None);
    let mut manifests = client.list_manifests(repo, OrderBy::None);
    let (tags, manifests) = futures_util::join!(tags.next(), manifests.next());
    let (tags, manifests) = (tags?.ok()?, manifests?.ok()?);
    store.record_tags(repo, &tags.items, ticket);
    store.record_manifests(repo, &manifests.items, ticket);
    Some(Listed {
        tags_whole: !tags.more && tags.skipped.is_empty(),
        tags: tags.items.into_iter().map(|t| t.name).collect(),
        manifests_whole: !manifests.more && manifests.skipped.is_empty(),
        manifests: manifests.items.into_iter().map(|m| m.digest).collect(),
    })
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
