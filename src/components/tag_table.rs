//! TagTable: a repository's tags as a virtual table: name (a link to the tag's page), digest,
//! created and updated times, and lock badges for the tag's own flags AND for the manifest it
//! points to (ACR keeps them separately), plus "Locked by repository"; the lock cell explains on
//! hover and keyboard focus what ACR would allow or refuse for the tag. Also the pure join of the
//! tag list with the manifest list, and the tag filter.

use super::{
    digest::DigestText,
    format::RelativeTime,
    lock_badges::LockBadges,
    refusals::{lines, row_facts, RefusalNote, RefusalTip, TAG_ROW},
    repository_list::{filter_key, highlighted, matches},
    row_select::RowCheck,
    virtual_list::{column_headers, Row, VirtualList},
};
use crate::{
    routes::Route,
    state::{lock_store::LockStore, selection::Selection},
};
use acr_types::{
    ArtifactRef, ChangeableAttributes, Digest, ManifestAttributesBase, RepositoryName,
    TagAttributesBase,
};
use leptos::prelude::*;
use std::{collections::HashMap, sync::Arc};

/// A tag with the manifest it points to (when the manifest list has it).
#[derive(Debug, Clone, PartialEq)]
pub struct TagRow {
    /// The tag with its own flags.
    pub tag: TagAttributesBase,
    /// The manifest the tag's digest names, with the manifest's own flags.
    pub manifest: Option<Arc<ManifestAttributesBase>>,
}

/// The manifests by digest, shared between rows.
pub fn manifests_by_digest(
    manifests: &[ManifestAttributesBase],
) -> HashMap<Digest, Arc<ManifestAttributesBase>> {
    manifests.iter().map(|m| (m.digest.clone(), Arc::new(m.clone()))).collect()
}

/// Joins each tag with its manifest by digest, keeping the tags' order. A tag whose manifest is
/// not (yet) listed gets `None`.
pub fn join_tags(tags: &[TagAttributesBase], manifests: &[ManifestAttributesBase]) -> Vec<TagRow> {
    let by_digest = manifests_by_digest(manifests);
    tags.iter()
        .map(|t| TagRow { tag: t.clone(), manifest: by_digest.get(&t.digest).cloned() })
        .collect()
}

/// The rows whose tag name contains `filter` (case-insensitive), in order.
pub fn filter_tags(rows: &[TagRow], filter: &str) -> Vec<TagRow> {
    let key = filter_key(filter);
    rows.iter().filter(|r| matches(r.tag.name.as_str(), &key)).cloned().collect()
}

/// Column headers of the tag table.
const COLUMNS: [&str; 5] = ["Tag", "Digest", "Created", "Updated", "Lock state"];
/// Column headers with the selection column in front.
const COLUMNS_SELECT: [&str; 6] = ["Select", "Tag", "Digest", "Created", "Updated", "Lock state"];

/// The tags of one repository as a keyboard-navigable virtual table.
#[component]
pub fn TagTable(
    /// The registry's configured name (for links).
    #[prop(into)]
    registry: String,
    /// The repository.
    repo: RepositoryName,
    /// The rows to show (already filtered and ordered).
    #[prop(into)]
    rows: Signal<Vec<TagRow>>,
    /// The repository's flags: writes or reads off show "Locked by repository" on every row.
    #[prop(into)]
    repository: Signal<Option<ChangeableAttributes>>,
    /// The filter, to highlight in the names.
    #[prop(optional, into)]
    filter: Signal<String>,
    /// True while the rows are stale (being reloaded).
    #[prop(optional, into)]
    stale: Signal<bool>,
    /// The registry's lock store: each row's flags come from it (a change made on another page
    /// shows at once); without one, the flags the rows were loaded with.
    #[prop(optional)]
    store: Option<LockStore>,
    /// The page's selection: a checkbox on every row (admins only).
    #[prop(optional_no_strip)]
    selection: Option<Selection>,
) -> impl IntoView {
    let label = ["Tags of ", repo.as_str()].concat();
    let order = Memo::new({
        let repo = repo.clone();
        move |_| {
            rows.with(|r| {
                r.iter().map(|r| ArtifactRef::Tag(repo.clone(), r.tag.name.clone())).collect()
            })
        }
    });
    let row = move |row: Row<TagRow>| {
        let tab = row.tab_index();
        let TagRow { tag, manifest } = row.item;
        let check = selection.map(|selection| {
            let key = ArtifactRef::Tag(repo.clone(), tag.name.clone());
            view! { <RowCheck selection key order tab=Signal::derive(tab) /> }
        });
        let tag_href =
            Route::Tag { registry: registry.clone(), repo: repo.clone(), tag: tag.name.clone() }
                .href();
        let manifest_href = Route::Manifest {
            registry: registry.clone(),
            repo: repo.clone(),
            digest: tag.digest.clone(),
        }
        .href();
        let name = tag.name.to_string();
        let spoken = name.clone();
        let (tag_as_read, store) = (tag.changeable_attributes.clone(), store.clone());
        let manifest_as_read = manifest.as_ref().map(|m| m.changeable_attributes.clone());
        let tag_key = ArtifactRef::Tag(repo.clone(), tag.name.clone());
        let manifest_key = ArtifactRef::Manifest(repo.clone(), tag.digest.clone());
        let manifest_tags = manifest.as_ref().map(|m| m.tags.clone().unwrap_or_default());
        // The row's flags: the tag's own and its manifest's, from the store when it has them.
        let shown = {
            let store = store.clone();
            move || {
                let from_store = |key: &ArtifactRef| store.as_ref().and_then(|s| s.flags(key));
                let own = from_store(&tag_key).unwrap_or_else(|| tag_as_read.clone());
                // The manifest's flags once it is listed (or read on its page).
                let manifest = manifest_as_read
                    .as_ref()
                    .map(|as_read| from_store(&manifest_key).unwrap_or_else(|| as_read.clone()))
                    .or_else(|| from_store(&manifest_key));
                (own, manifest)
            }
        };
        let explained = Memo::new({
            let (shown, repo, name) = (shown.clone(), repo.clone(), tag.name.clone());
            move |_| {
                let (own, manifest) = shown();
                let facts = row_facts(
                    store.as_ref(),
                    &repo,
                    repository.get(),
                    Some((name.clone(), own)),
                    manifest,
                    manifest_tags.as_deref(),
                );
                lines(&TAG_ROW, &facts)
            }
        });
        let badges = move || {
            let (own, manifest) = shown();
            view! { <LockBadges subject="Tag" own manifest repository=repository.get() /> }
        };
        view! {
            {check}
            <span role="cell" class="cell cell--name">
                // The highlight splits the text into pieces; the name is read whole.
                <a href=tag_href tabindex=tab aria-label=spoken>
                    {move || highlighted(&name, &filter.get())}
                </a>
            </span>
            <span role="cell" class="cell cell--digest">
                <DigestText digest=tag.digest.clone() href=manifest_href tab_index=Signal::derive(tab) />
            </span>
            <span role="cell" class="cell cell--time cell--created">
                <RelativeTime time=tag.created_time.clone() />
            </span>
            <span role="cell" class="cell cell--time cell--updated">
                <RelativeTime time=tag.last_update_time.clone() />
            </span>
            <span role="cell" class="cell cell--locks">
                {badges}
                <RefusalNote lines=explained />
            </span>
            <RefusalTip lines=explained />
        }
    };
    view! {
        <VirtualList
            items=rows
            row
            label
            header=if selection.is_some() { column_headers(&COLUMNS_SELECT) } else { column_headers(&COLUMNS) }
            class=if selection.is_some() { "tag-table tag-table--select" } else { "tag-table" }
            stale
            focus_rows=true
            row_height=64.0
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::{TagName, Timestamp};

    fn digest(n: u8) -> Digest {
        Digest::new(format!("sha256:{}", format!("{n:x}").repeat(64))).unwrap()
    }

    fn locked(write: bool, delete: bool) -> ChangeableAttributes {
        ChangeableAttributes {
            write_enabled: !write,
            delete_enabled: !delete,
            ..Default::default()
        }
    }

    fn tag(name: &str, d: u8, flags: ChangeableAttributes) -> TagAttributesBase {
        let t = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        TagAttributesBase {
            name: TagName::new(name).unwrap(),
            digest: digest(d),
            created_time: t.clone(),
            last_update_time: t,
            signed: None,
            changeable_attributes: flags,
        }
    }

    fn manifest(d: u8, flags: ChangeableAttributes) -> ManifestAttributesBase {
        let t = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        ManifestAttributesBase {
            digest: digest(d),
            image_size: None,
            created_time: t.clone(),
            last_update_time: t,
            architecture: None,
            os: None,
            references: None,
            media_type: None,
            config_media_type: None,
            tags: None,
            changeable_attributes: flags,
        }
    }

    #[test]
    fn tags_are_joined_with_their_manifest_by_digest() {
        let tags = [
            tag("1.4.2", 1, locked(true, true)),
            tag("latest", 1, locked(false, false)),
            tag("1.3.0", 2, locked(false, false)),
            tag("orphan", 9, locked(false, false)),
        ];
        let manifests = [manifest(2, locked(false, false)), manifest(1, locked(false, true))];
        let rows = join_tags(&tags, &manifests);
        let names: Vec<_> = rows.iter().map(|r| r.tag.name.as_str()).collect();
        assert_eq!(names, ["1.4.2", "latest", "1.3.0", "orphan"], "tag order is kept");
        // Both tags of digest 1 see the manifest's own flags (delete locked), not the tag's.
        for r in &rows[..2] {
            let m = r.manifest.as_ref().expect("joined");
            assert_eq!(m.digest, digest(1));
            assert!(
                m.changeable_attributes.write_enabled && !m.changeable_attributes.delete_enabled
            );
        }
        assert!(!rows[0].tag.changeable_attributes.write_enabled, "the tag keeps its own flags");
        assert_eq!(rows[2].manifest.as_ref().unwrap().digest, digest(2));
        assert!(rows[3].manifest.is_none(), "a manifest missing from the list is not invented");
    }

    #[test]
    fn tags_filter_by_name() {
        let rows = join_tags(
            &[tag("1.4.2", 1, locked(false, false)), tag("Stable", 1, locked(false, false))],
            &[],
        );
        assert_eq!(filter_tags(&rows, "1.4").len(), 1);
        assert_eq!(filter_tags(&rows, "stable")[0].tag.name.as_str(), "Stable");
        assert_eq!(filter_tags(&rows, "").len(), 2);
    }
}
