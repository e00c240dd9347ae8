//! The repositories page at `/r/{registry}?q=`: loads EVERY page of the catalog, shows rows as
//! soon as the first page arrives with visible progress, never truncates, and filters as you type
//! (the filter lives in the URL, replaced while typing). Only the visible rows are rendered.
//! Performance marks: `repos:first-rows`, `repos:complete`, `filter:applied`.
//!
//! The catalog holds names only, so each row's own lock badges come from the registry's lock
//! store, filled for the rows in view by the lazy [`RepositoryLockReader`].

use crate::{
    auth::{callback, RequireSignIn},
    components::{
        breadcrumbs::Breadcrumbs,
        error_view::ErrorView,
        format::{count_of, thousands},
        progress::{LoadProgress, SkippedNote},
        repository_list::{filter_key, filter_names, RepositoryList},
    },
    config::SharedConfig,
    perf::mark_after_paint,
    routes::Route,
    state::{
        lock_store::use_lock_store,
        paged::{load_pages, Paged},
        registry::use_client,
        repository_locks::RepositoryLockReader,
    },
};
use acr_client::RegistryClient;
use acr_types::RepositoryName;
use leptos::prelude::*;
use leptos_router::{
    hooks::{use_location, use_navigate},
    NavigateOptions,
};

/// What a list of filtered rows was computed from: the filter key and the loaded list (its load,
/// length and staleness, which change whenever its rows do).
#[derive(Debug, Clone, PartialEq, Eq)]
struct FilterBasis {
    key: String,
    run: u64,
    len: usize,
    stale: bool,
}

/// The repositories of `state` that match `filter`, with what they were computed from. With
/// `previous` rows computed from the same list for a key the new key contains (typing on),
/// only those are searched: every match of the new key also matches the old one.
fn refilter(
    state: &Paged<RepositoryName>,
    filter: &str,
    previous: Option<(&FilterBasis, &[RepositoryName])>,
) -> (FilterBasis, Vec<RepositoryName>) {
    let basis = FilterBasis {
        key: filter_key(filter),
        run: state.run,
        len: state.items.len(),
        stale: state.stale,
    };
    let narrowing = previous.filter(|(b, _)| {
        (b.run, b.len, b.stale) == (basis.run, basis.len, basis.stale)
            && !b.key.is_empty()
            && basis.key.contains(b.key.as_str())
    });
    let rows = match narrowing {
        Some((_, rows)) => filter_names(rows, filter),
        None => filter_names(&state.items, filter),
    };
    (basis, rows)
}

/// The repositories page: signed-in content only.
#[component]
pub fn RepositoriesPage() -> impl IntoView {
    view! {
        <RequireSignIn>
            <Repositories />
        </RequireSignIn>
    }
}

/// The page for the registry in the URL: its client, or the problem that prevents one.
#[component]
fn Repositories() -> impl IntoView {
    let location = use_location();
    let here = Memo::new(move |_| callback::here(&location.pathname.get(), &location.search.get()));
    // The URL's registry and filter, kept while the router moves on to another page.
    let parsed =
        Memo::new(move |previous: Option<&(String, String)>| match Route::parse(&here.get()) {
            Some(Route::Repositories { registry, filter }) => (registry, filter),
            _ => previous.cloned().unwrap_or_default(),
        });
    let registry = Memo::new(move |_| parsed.with(|p| p.0.clone()));
    let filter = Memo::new(move |_| parsed.with(|p| p.1.clone()));
    move || {
        let name = registry.get();
        match use_client(&name) {
            Ok(client) => view! { <RepositoriesOf client registry=name filter /> }.into_any(),
            Err(problem) => view! {
                <div class="page browse-page">
                    <h1 class="page__title">"Repositories"</h1>
                    <ErrorView problem return_to=here.get_untracked() />
                </div>
            }
            .into_any(),
        }
    }
}

/// The repositories of one registry, loaded with `client`.
#[component]
fn RepositoriesOf(client: RegistryClient, registry: String, filter: Memo<String>) -> impl IntoView {
    let config = expect_context::<SharedConfig>();
    let login_server =
        config.registry(&registry).map(|r| r.login_server.clone()).unwrap_or_default();
    let navigate = use_navigate();

    let state = RwSignal::new(Paged::<RepositoryName>::default());
    let reload = RwSignal::new(0_u64);
    // The catalog read, keyed by the registry (this component) and the reload count; it runs
    // as soon as it is created and again when `reload` changes.
    let _catalog = LocalResource::new({
        let client = client.clone();
        move || {
            reload.track();
            let client = client.clone();
            async move { load_pages(state, client.list_repositories(), None, None).await }
        }
    });

    // The filter box is the source of truth while typing; the URL follows (replaced, so typing
    // adds no history), and a URL change from elsewhere (back, forward) updates the box.
    let text = RwSignal::new(filter.get_untracked());
    let written = StoredValue::new(filter.get_untracked());
    Effect::new(move |_| {
        let f = filter.get();
        if f != written.get_value() {
            written.set_value(f.clone());
            text.set(f);
        }
    });
    // The URL is written once the browser is idle, after the filtered rows are painted: the
    // router's navigation (history.replaceState) was most of each keystroke's handler time.
    // Keys typed meanwhile only change which URL is written; none is once the page is gone.
    let url_pending = StoredValue::new(None::<String>);
    let on_input = {
        let registry = registry.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            text.set(value.clone());
            written.set_value(value.clone());
            let href = Route::Repositories { registry: registry.clone(), filter: value }.href();
            let first = url_pending.try_update_value(|p| p.replace(href).is_none());
            if first == Some(true) {
                let navigate = navigate.clone();
                request_idle_callback(move || {
                    if let Some(Some(href)) = url_pending.try_update_value(Option::take) {
                        let replace =
                            NavigateOptions { replace: true, scroll: false, ..Default::default() };
                        navigate(&href, replace);
                    }
                });
            }
        }
    };

    // Typing narrows the rows the previous key matched instead of scanning every repository.
    let basis = StoredValue::new(None::<FilterBasis>);
    let rows = Memo::new(move |previous: Option<&Vec<RepositoryName>>| {
        let filter = text.get();
        state.with(|s| {
            let before = basis.get_value();
            let (now, rows) =
                refilter(s, &filter, before.as_ref().zip(previous.map(Vec::as_slice)));
            basis.set_value(Some(now));
            rows
        })
    });
    // Each row's own locks, read for the rows in view only.
    let store = use_lock_store(&registry);
    let locks = RepositoryLockReader::new(client.clone(), store.clone());
    let on_visible = locks.follow(rows.into());
    // The bulk tools are offered once the account is seen to hold (or may hold: unreadable
    // grants) `metadata_write` on a repository in view; viewers never see them.
    let may_change = Memo::new({
        let client = client.clone();
        move |_| {
            locks.states().with(|known| {
                known.keys().any(|repo| {
                    client
                        .cached_grants(&acr_client::Resource::Repository(repo.clone()))
                        .is_some_and(|g| acr_client::Permissions::from_grants(&g, repo).write)
                })
            })
        }
    });
    let stale = Signal::derive(move || state.with(|s| s.stale));
    let progress = Signal::derive(move || state.with(|s| s.progress));
    let problem = Signal::derive(move || state.with(|s| s.problem.clone()));

    // Performance marks: first rows painted, the whole catalog painted, a filter applied.
    let first_marked = StoredValue::new(false);
    let complete_marked = StoredValue::new(false);
    Effect::new(move |_| {
        let shown = rows.with(|r| !r.is_empty());
        let done = state.with(|s| s.complete());
        if shown && !first_marked.get_value() {
            first_marked.set_value(true);
            mark_after_paint("repos:first-rows");
        }
        if done && !complete_marked.get_value() {
            complete_marked.set_value(true);
            mark_after_paint("repos:complete");
        }
    });
    Effect::watch(move || text.get(), move |_, _, _| mark_after_paint("filter:applied"), false);

    let summary = move || {
        let total = state.with(|s| s.items.len());
        let shown = rows.with(Vec::len);
        let q = text.get();
        let done = state.with(|s| s.complete());
        if q.trim().is_empty() || total == 0 {
            return None;
        }
        let of = if done { " of " } else { " of the first " };
        Some(
            [
                thousands(shown).as_str(),
                of,
                count_of(total, "repository", "repositories").as_str(),
                " match “",
                q.trim(),
                "”",
            ]
            .concat(),
        )
    };
    let empty = move || {
        let (loading, total, failed) =
            state.with(|s| (s.loading, s.items.len(), s.problem.is_some()));
        if rows.with(|r| !r.is_empty()) || failed {
            return None;
        }
        let q = text.get();
        let message = if total == 0 && loading {
            return None;
        } else if total == 0 {
            "This registry has no repositories you can see.".to_owned()
        } else if loading {
            ["No repositories match “", q.trim(), "” yet — still loading…"].concat()
        } else {
            ["No repositories match “", q.trim(), "”."].concat()
        };
        Some(view! { <p class="empty-state" data-testid="empty-state">{message}</p> })
    };
    let error = {
        let here = Route::repositories(registry.clone()).href();
        move || {
            problem.get().map(|p| {
                let incomplete = state.with(|s| s.items.len());
                let note = (incomplete > 0).then(|| {
                    let text = [
                        "The list below is incomplete: only ",
                        count_of(incomplete, "repository", "repositories").as_str(),
                        " loaded.",
                    ]
                    .concat();
                    view! { <p class="incomplete-note">{text}</p> }
                });
                view! {
                    <ErrorView problem=p on_retry=move |_| reload.update(|n| *n += 1) return_to=here.clone() />
                    {note}
                }
            })
        }
    };
    let crumbs = vec![
        ("Registries".to_owned(), Route::Home.href()),
        (registry.clone(), Route::repositories(registry.clone()).href()),
    ];
    let show_progress = move || state.with(|s| s.problem.is_none());
    let bulk_href = Route::bulk(registry.clone()).href();
    let status_href = Route::Status {
        registry: registry.clone(),
        scope: String::new(),
        sort: Default::default(),
        state: String::new(),
    }
    .href();
    view! {
        <div class="page browse-page" data-testid="repositories-page">
            <Breadcrumbs crumbs />
            <header class="page-head">
                <p class="page__eyebrow">{login_server}</p>
                <h1 class="page__title">"Repositories"</h1>
                <div class="page-head__actions">
                    <a class="button page-head__action" data-testid="open-status" href=status_href>
                        "Production status"
                    </a>
                    {move || may_change.get().then(|| view! {
                        <a class="button button--primary page-head__action" data-testid="open-bulk" href=bulk_href.clone()>
                            "Change many locks…"
                        </a>
                    })}
                </div>
            </header>
            <div class="toolbar">
                <div class="field toolbar__filter">
                    <label for="repo-filter">"Filter repositories"</label>
                    <input
                        id="repo-filter"
                        type="search"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="e.g. payments/api"
                        prop:value=move || text.get()
                        on:input=on_input
                    />
                </div>
                <button
                    type="button"
                    class="button"
                    disabled=move || state.with(|s| s.loading)
                    on:click=move |_| {
                        locks.reset();
                        reload.update(|n| *n += 1);
                    }
                >
                    "Reload"
                </button>
            </div>
            <div class="list-status">
                <Show when=show_progress>
                    <LoadProgress progress singular="repository" plural="repositories" />
                </Show>
                <p class="list-status__matches" data-testid="match-count" aria-live="polite">
                    {summary}
                </p>
            </div>
            {error}
            <SkippedNote skipped=Signal::derive(move || state.with(|s| s.skipped.clone())) />
            {empty}
            <Show when=move || rows.with(|r| !r.is_empty())>
                <RepositoryList
                    registry=registry.clone()
                    names=rows
                    filter=text
                    stale
                    locks=locks.states()
                    inside=locks.inside()
                    store=store.clone()
                    on_visible
                />
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_client::Page;

    fn repos(list: &[&str]) -> Vec<RepositoryName> {
        list.iter().map(|n| RepositoryName::new(*n).unwrap()).collect()
    }

    /// Types `keys` one state at a time, each time checking the rows against a full scan;
    /// returns the last basis and rows.
    fn typed(
        state: &Paged<RepositoryName>,
        keys: &[&str],
        mut last: Option<(FilterBasis, Vec<RepositoryName>)>,
    ) -> (FilterBasis, Vec<RepositoryName>) {
        for key in keys {
            let now = refilter(state, key, last.as_ref().map(|(b, r)| (b, r.as_slice())));
            assert_eq!(now.1, filter_names(&state.items, key), "rows for {key:?}");
            last = Some(now);
        }
        last.unwrap()
    }

    #[test]
    fn typing_narrows_the_previous_rows_and_anything_else_scans_again() {
        let all = ["prod/api", "prod/web", "dev/api", "platform/tools", "prod/payments"];
        let mut state = Paged::default();
        let run = state.begin(None);
        state.page(run, Page { items: repos(&all[..3]), loaded: 3, more: true, skipped: vec![] });
        // On, back, and a different key: each equals a full scan.
        let (basis, rows) = typed(&state, &["p", "pr", "pro", "pr", "api", " API "], None);
        assert_eq!(rows, repos(&["prod/api", "dev/api"]));
        // Narrowing really searches only the previous rows: fake ones stay out of the scan.
        let fake = repos(&["prod/api"]);
        let narrowed = refilter(&state, "prod/api", Some((&basis, &fake)));
        assert_eq!(narrowed.1, fake);
        // A new page, a reload's completion: the whole list is searched again.
        state.page(run, Page { items: repos(&all[3..]), loaded: 5, more: false, skipped: vec![] });
        state.finish(run);
        let (_, rows) = typed(&state, &["pro"], Some((basis, rows)));
        assert_eq!(rows, repos(&["prod/api", "prod/web", "prod/payments"]));
        let last = typed(&state, &["p"], None);
        let reload = state.begin(Some(5));
        state.page(
            reload,
            Page {
                items: repos(&["x/p", "y/p", "z/p", "w/p", "v/p"]),
                loaded: 5,
                more: false,
                skipped: vec![],
            },
        );
        state.finish(reload);
        let (_, rows) = typed(&state, &["p", "/p"], Some(last));
        assert_eq!(rows.len(), 5);
    }
}
