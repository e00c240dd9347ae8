//! RepositoryList: a registry's repositories as a virtual list of links, the filter's match
//! highlighted in each name and, when the page supplies them, what is inside each ("3 of 10
//! tags locked · 1 of 8 manifests locked", once read) and each repository's own lock badges
//! ("…" until read, "?" when they could not be read); plus the pure filter every browsing list
//! uses (substring, case-insensitive).

use super::{
    lock_badges::LockBadges,
    virtual_list::{Row, VirtualList},
};
use crate::{
    problem::Problem,
    routes::Route,
    state::{
        contents::{sentence, Listed},
        lock_store::LockStore,
        repository_locks::RepositoryLock,
    },
};
use acr_types::{ArtifactRef, RepositoryName};
use leptos::prelude::*;
use std::{collections::HashMap, ops::Range};

/// The placeholder's text while a repository's locks are not read yet.
pub const LOCKS_PENDING: &str = "…";
/// The badge shown when a repository's locks could not be read.
pub const LOCKS_UNKNOWN: &str = "?";

/// The explanation (title and accessible name) of the "?" badge.
pub fn unreadable_text(problem: &Problem) -> String {
    ["Lock state unknown. ", problem.detail.as_str()].concat()
}

/// One row's lock cell: the badges, "…" while unknown, or "?" with the reason.
fn lock_cell(state: Option<RepositoryLock>) -> AnyView {
    match state {
        Some(RepositoryLock::Known(own)) => {
            view! { <LockBadges subject="Repository" own named=true /> }.into_any()
        }
        Some(RepositoryLock::Unreadable(problem)) => {
            let text = unreadable_text(&problem);
            view! {
                <span class="badge badge--unknown" role="img" aria-label=text.clone() title=text>
                    {LOCKS_UNKNOWN}
                </span>
            }
            .into_any()
        }
        None => view! {
            <span
                class="repo-list__pending"
                role="img"
                aria-label="Lock state not read yet"
                title="Reading the repository's locks…"
            >
                {LOCKS_PENDING}
            </span>
        }
        .into_any(),
    }
}

/// The form of a filter that matching compares with: trimmed and lower-cased. Empty matches
/// everything.
pub fn filter_key(filter: &str) -> String {
    filter.trim().to_lowercase()
}

/// True when `text` contains `key` (from [`filter_key`]), ignoring case.
pub fn matches(text: &str, key: &str) -> bool {
    key.is_empty()
        || if text.bytes().any(|b| b.is_ascii_uppercase()) || !text.is_ascii() {
            text.to_lowercase().contains(key)
        } else {
            text.contains(key)
        }
}

/// The names that contain `filter` (substring, case-insensitive), in their order.
pub fn filter_names(names: &[RepositoryName], filter: &str) -> Vec<RepositoryName> {
    let key = filter_key(filter);
    if key.is_empty() {
        return names.to_vec();
    }
    names.iter().filter(|n| matches(n.as_str(), &key)).cloned().collect()
}

/// `text` split around the first match of `key` (from [`filter_key`]): before, match, after.
/// `None` when there is no match to highlight.
pub fn split_match<'a>(text: &'a str, key: &str) -> Option<(&'a str, &'a str, &'a str)> {
    if key.is_empty() || !text.is_ascii() {
        return None;
    }
    let start = text.to_ascii_lowercase().find(key)?;
    let end = start + key.len();
    Some((&text[..start], &text[start..end], &text[end..]))
}

/// `text` with the first match of `filter` in a `<mark>`.
pub fn highlighted(text: &str, filter: &str) -> AnyView {
    match split_match(text, &filter_key(filter)) {
        Some((before, hit, after)) => view! {
            {before.to_owned()}
            <mark class="match">{hit.to_owned()}</mark>
            {after.to_owned()}
        }
        .into_any(),
        None => text.to_owned().into_any(),
    }
}

/// The repositories of one registry as a keyboard-navigable virtual list of links to their
/// pages, with each repository's own lock badges when `locks` is given.
#[component]
pub fn RepositoryList(
    /// The registry's configured name (for the links).
    #[prop(into)]
    registry: String,
    /// The repositories to show (already filtered), in order.
    #[prop(into)]
    names: Signal<Vec<RepositoryName>>,
    /// The filter, to highlight in each name.
    #[prop(into)]
    filter: Signal<String>,
    /// True while the rows are stale (being reloaded).
    #[prop(optional, into)]
    stale: Signal<bool>,
    /// The repositories' own locks, as far as they are read: adds a lock cell to every row.
    #[prop(optional, into)]
    locks: Option<Signal<HashMap<RepositoryName, RepositoryLock>>>,
    /// What is listed inside the repositories read so far: adds "3 of 10 tags locked" to their
    /// rows (counted from `store`).
    #[prop(optional, into)]
    inside: Option<Signal<HashMap<RepositoryName, Listed>>>,
    /// The registry's lock store: a repository's flags known there (read by this list, or
    /// changed on another page) are what its row shows.
    #[prop(optional)]
    store: Option<LockStore>,
    /// Told the positions (in `names`) of the rows in view whenever they change.
    #[prop(optional, into)]
    on_visible: Option<Callback<Range<usize>>>,
) -> impl IntoView {
    let row = move |row: Row<RepositoryName>| {
        let href = Route::repository(registry.clone(), row.item.clone()).href();
        let name = row.item.to_string();
        let spoken = name.clone();
        // Only this row's entry: a read completing elsewhere does not re-render it.
        // What is inside, apart from the repository's own flags, once its lists are read.
        let contents = inside.zip(store.clone()).map(|(inside, store)| {
            let repo = row.item.clone();
            let key = ArtifactRef::Repository(repo.clone());
            let listed = Memo::new(move |_| inside.with(|m| m.get(&repo).cloned()));
            let repo = row.item.clone();
            let text = move || {
                listed.with(|l| {
                    l.as_ref().map(|l| {
                        let own = store.flags(&key).unwrap_or_default();
                        let (tags, manifests) = l.tally(&store, &repo, &own);
                        sentence(tags, manifests)
                    })
                })
            };
            view! { <span class="repo-list__inside" data-testid="repository-inside">{text}</span> }
        });
        let cell = locks.map(|locks| {
            let repo = row.item.clone();
            let store = store.clone();
            let key = ArtifactRef::Repository(repo.clone());
            let state = Memo::new(move |_| {
                let known = store.as_ref().and_then(|s| s.flags(&key)).map(RepositoryLock::Known);
                known.or_else(|| locks.with(|m| m.get(&repo).cloned()))
            });
            view! { <span class="repo-list__locks">{move || lock_cell(state.get())}</span> }
        });
        view! {
            // The highlight splits the text into pieces; the name is read whole.
            <a class="repo-list__link" href=href data-roving tabindex=row.tab_index() aria-label=spoken>
                {move || highlighted(&name, &filter.get())}
            </a>
            {contents}
            {cell}
        }
    };
    view! {
        <VirtualList
            items=names
            row
            label="Repositories"
            class="repo-list"
            stale
            row_height=44.0
            on_visible
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<RepositoryName> {
        list.iter().map(|n| RepositoryName::new(*n).unwrap()).collect()
    }

    #[test]
    fn filtering_is_a_case_insensitive_substring_match() {
        let all = names(&[
            "prod/payments/api",
            "prod/web/frontend",
            "staging/payments/api",
            "base/debian",
        ]);
        let got = |q: &str| filter_names(&all, q).iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(got("payments"), ["prod/payments/api", "staging/payments/api"]);
        assert_eq!(got("  PAYMENTS/API "), ["prod/payments/api", "staging/payments/api"]);
        assert_eq!(got("web/"), ["prod/web/frontend"]);
        assert_eq!(got("").len(), 4);
        assert!(got("nothing").is_empty());
        assert!(matches("Release-V1", "v1"));
        assert!(!matches("release", "v1"));
    }

    #[test]
    fn filtering_ten_thousand_names_keeps_every_match() {
        let all: Vec<RepositoryName> = (0..10_000)
            .map(|i| RepositoryName::new(format!("team-{:03}/service-{i:04}", i / 10)).unwrap())
            .collect();
        assert_eq!(filter_names(&all, "service-1").len(), 1_000);
        assert_eq!(filter_names(&all, "team-042/").len(), 10);
    }

    #[test]
    fn matches_are_split_for_highlighting() {
        assert_eq!(split_match("prod/payments/api", "pay"), Some(("prod/", "pay", "ments/api")));
        assert_eq!(split_match("Release-V1", "v1"), Some(("Release-", "V1", "")));
        assert_eq!(split_match("prod", ""), None);
        assert_eq!(split_match("prod", "x"), None);
    }
}
