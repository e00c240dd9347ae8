//! ManifestTable: a repository's manifests as a virtual table: digest (a link to the manifest's
//! page), its tags, architecture/OS ("multi-arch" and the platforms inside a list), size, media
//! type, created and updated times, and lock badges with the repository's inherited lock; the
//! lock cell explains on hover and keyboard focus what ACR would allow or refuse for the
//! manifest. Also the pure manifest filter.

use super::{
    digest::DigestText,
    format::{human_size, is_multi_arch, media_type_name, platforms, RelativeTime},
    lock_badges::LockBadges,
    refusals::{lines, row_facts, RefusalNote, RefusalTip, MANIFEST_ROW},
    repository_list::{filter_key, matches},
    row_select::RowCheck,
    virtual_list::{column_headers, Row, VirtualList},
};
use crate::{
    routes::Route,
    state::{lock_store::LockStore, selection::Selection},
};
use acr_types::{ArtifactRef, ChangeableAttributes, ManifestAttributesBase, RepositoryName};
use leptos::prelude::*;

/// Tags shown in a row before "+N more".
const TAGS_SHOWN: usize = 3;

/// The manifests whose digest, one of whose tags, or one of whose platforms contains `filter`
/// (case-insensitive), in order.
pub fn filter_manifests(
    manifests: &[ManifestAttributesBase],
    filter: &str,
) -> Vec<ManifestAttributesBase> {
    let key = filter_key(filter);
    if key.is_empty() {
        return manifests.to_vec();
    }
    manifests
        .iter()
        .filter(|m| {
            matches(m.digest.as_str(), &key)
                || m.tags.iter().flatten().any(|t| matches(t.as_str(), &key))
                || platforms(m).iter().any(|p| matches(p, &key))
        })
        .cloned()
        .collect()
}

/// Column headers of the manifest table.
const COLUMNS: [&str; 7] =
    ["Digest", "Tags", "Platform", "Size", "Type", "Created / updated", "Lock state"];
/// Column headers with the selection column in front.
const COLUMNS_SELECT: [&str; 8] =
    ["Select", "Digest", "Tags", "Platform", "Size", "Type", "Created / updated", "Lock state"];

/// The platform cell: "multi-arch" and the platforms of a list, or the one platform.
pub fn platform_cell(m: &ManifestAttributesBase) -> impl IntoView {
    let list = platforms(m);
    let all = list.join(", ");
    let multi = is_multi_arch(m);
    let text = if list.is_empty() { "—".to_owned() } else { all.clone() };
    view! {
        <span class="platforms" title=all>
            {multi.then(|| view! { <span class="chip">"multi-arch"</span> })}
            <span class="platforms__list">{text}</span>
        </span>
    }
}

/// The manifests of one repository as a keyboard-navigable virtual table.
#[component]
pub fn ManifestTable(
    /// The registry's configured name (for links).
    #[prop(into)]
    registry: String,
    /// The repository.
    repo: RepositoryName,
    /// The manifests to show (already filtered and ordered).
    #[prop(into)]
    rows: Signal<Vec<ManifestAttributesBase>>,
    /// The repository's flags: writes or reads off show "Locked by repository" on every row.
    #[prop(into)]
    repository: Signal<Option<ChangeableAttributes>>,
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
    let label = ["Manifests of ", repo.as_str()].concat();
    let order = Memo::new({
        let repo = repo.clone();
        move |_| {
            rows.with(|r| {
                r.iter().map(|m| ArtifactRef::Manifest(repo.clone(), m.digest.clone())).collect()
            })
        }
    });
    let row = move |row: Row<ManifestAttributesBase>| {
        let tab = row.tab_index();
        let m = row.item;
        let check = selection.map(|selection| {
            let key = ArtifactRef::Manifest(repo.clone(), m.digest.clone());
            view! { <RowCheck selection key order tab=Signal::derive(tab) /> }
        });
        let href = Route::Manifest {
            registry: registry.clone(),
            repo: repo.clone(),
            digest: m.digest.clone(),
        }
        .href();
        let tags = m.tags.clone().unwrap_or_default();
        let more = tags.len().saturating_sub(TAGS_SHOWN);
        let all_tags = tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ");
        let tag_links = tags
            .into_iter()
            .take(TAGS_SHOWN)
            .map(|tag| {
                let href =
                    Route::Tag { registry: registry.clone(), repo: repo.clone(), tag: tag.clone() }
                        .href();
                view! {
                    <a class="tag-chip" href=href tabindex=tab>
                        {tag.to_string()}
                    </a>
                }
            })
            .collect_view();
        let more = (more > 0).then(|| {
            let label = ["+", more.to_string().as_str(), " more"].concat();
            view! { <span class="tags__more">{label}</span> }
        });
        let untagged = m.tags.as_ref().is_none_or(Vec::is_empty).then(|| {
            view! { <span class="tags__none">"untagged"</span> }
        });
        let size = m.image_size.map_or_else(|| "—".to_owned(), human_size);
        let kind = media_type_name(m.media_type.as_deref());
        let (as_read, store) = (m.changeable_attributes.clone(), store.clone());
        let key = ArtifactRef::Manifest(repo.clone(), m.digest.clone());
        let own = {
            let store = store.clone();
            move || store.as_ref().and_then(|s| s.flags(&key)).unwrap_or_else(|| as_read.clone())
        };
        let explained = Memo::new({
            let (own, repo, its_tags) =
                (own.clone(), repo.clone(), m.tags.clone().unwrap_or_default());
            move |_| {
                let facts = row_facts(
                    store.as_ref(),
                    &repo,
                    repository.get(),
                    None,
                    Some(own()),
                    Some(&its_tags),
                );
                lines(&MANIFEST_ROW, &facts)
            }
        });
        let badges = move || {
            let own = own();
            view! { <LockBadges subject="Manifest" own repository=repository.get() /> }
        };
        view! {
            {check}
            <span role="cell" class="cell cell--digest">
                <DigestText digest=m.digest.clone() href tab_index=Signal::derive(tab) />
            </span>
            <span role="cell" class="cell cell--tags" title=all_tags>
                {tag_links}
                {more}
                {untagged}
            </span>
            <span role="cell" class="cell cell--platform">{platform_cell(&m)}</span>
            <span role="cell" class="cell cell--size">{size}</span>
            <span role="cell" class="cell cell--type">{kind}</span>
            <span role="cell" class="cell cell--time cell--times">
                <span class="times__line">
                    <span class="visually-hidden">"Created "</span>
                    <RelativeTime time=m.created_time.clone() />
                </span>
                <span class="times__line">
                    <span class="times__label">"updated "</span>
                    <RelativeTime time=m.last_update_time.clone() />
                </span>
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
            class=if selection.is_some() { "manifest-table manifest-table--select" } else { "manifest-table" }
            stale
            focus_rows=true
            row_height=64.0
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::{media_type, Digest, ManifestReference, TagName, Timestamp};

    fn manifest(d: char, tags: &[&str], refs: &[(&str, &str)]) -> ManifestAttributesBase {
        let t = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        ManifestAttributesBase {
            digest: Digest::new(format!("sha256:{}", d.to_string().repeat(64))).unwrap(),
            image_size: Some(183_400_000),
            created_time: t.clone(),
            last_update_time: t,
            architecture: refs.is_empty().then(|| "amd64".into()),
            os: refs.is_empty().then(|| "linux".into()),
            references: (!refs.is_empty()).then(|| {
                refs.iter()
                    .map(|(os, arch)| ManifestReference {
                        digest: Digest::new(format!("sha256:{}", "0".repeat(64))).unwrap(),
                        architecture: Some((*arch).into()),
                        os: Some((*os).into()),
                    })
                    .collect()
            }),
            media_type: Some(
                if refs.is_empty() { media_type::OCI_MANIFEST } else { media_type::OCI_INDEX }
                    .into(),
            ),
            config_media_type: None,
            tags: (!tags.is_empty())
                .then(|| tags.iter().map(|t| TagName::new(*t).unwrap()).collect()),
            changeable_attributes: ChangeableAttributes::default(),
        }
    }

    #[test]
    fn manifests_filter_by_digest_tag_or_platform() {
        let all = [
            manifest('a', &["1.4.2", "latest"], &[("linux", "amd64"), ("linux", "arm64")]),
            manifest('b', &[], &[]),
            manifest('c', &["1.3.0"], &[("windows", "amd64")]),
        ];
        let digests = |q: &str| {
            filter_manifests(&all, q).iter().map(|m| &m.digest.hex()[..1]).collect::<String>()
        };
        assert_eq!(digests(""), "abc");
        assert_eq!(digests("LATEST"), "a");
        assert_eq!(digests("arm64"), "a");
        assert_eq!(digests("windows"), "c");
        assert_eq!(digests("bbbb"), "b");
        assert_eq!(digests("linux/amd64"), "ab");
        assert_eq!(digests("nothing"), "");
    }
}
