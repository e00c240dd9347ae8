//! The repository page at `/r/{registry}/{repo}?view=tags|manifests&q=&order=`: the
//! repository's attributes and lock panel, then its tags or its manifests (every page of both
//! lists, loaded with progress; tags joined with their manifests by digest so each row shows
//! both sets of flags), filtered (URL `q`, replaced while typing) and ordered (URL `order`,
//! newest/oldest are the registry's timedesc/timeasc). Every state lives in the URL.

use super::item::{repository_reads, RepositoryReads};
use crate::{
    auth::{callback, RequireSignIn},
    components::{
        async_region::async_region,
        attributes_panel::{AttributesPanel, Fact},
        breadcrumbs::Breadcrumbs,
        error_view::ErrorView,
        format::{count_of, thousands, RelativeTime},
        lock_badges::LockBadges,
        lock_panel::LockPanel,
        manifest_table::{filter_manifests, ManifestTable},
        progress::{LoadProgress, SkippedNote},
        tag_table::{filter_tags, join_tags, TagTable},
    },
    problem::Problem,
    routes::{BulkQuery, ListOrder, RepoView, Route},
    state::{
        bulk_storage::save_selection,
        contents::{sentence, tally},
        lock_action::lock_action,
        lock_store::use_lock_store,
        paged::{load_pages, LockSink, Paged, Progress},
        registry::use_client,
        selection::Selection,
    },
};
use acr_client::RegistryClient;
use acr_types::{
    ArtifactRef, ChangeableAttributes, ManifestAttributesBase, RepositoryAttributes,
    RepositoryName, TagAttributesBase,
};
use leptos::prelude::*;
use leptos_router::{
    hooks::{use_location, use_navigate},
    NavigateOptions,
};

/// What the repository page's URL says.
#[derive(Debug, Clone, PartialEq)]
struct RepoUrl {
    registry: String,
    repo: RepositoryName,
    view: RepoView,
    filter: String,
    order: ListOrder,
}

/// The repository page: signed-in content only.
#[component]
pub fn RepositoryPage() -> impl IntoView {
    view! {
        <RequireSignIn>
            <Repository />
        </RequireSignIn>
    }
}

/// The problem shown for a path that does not name a valid repository.
fn not_a_repository() -> Problem {
    Problem::new(
        "Not a repository",
        "This address does not name a valid repository.",
        "Go back to the registry's repositories and pick one from the list.",
    )
}

/// The page for the repository in the URL: its client, or the problem that prevents one.
#[component]
fn Repository() -> impl IntoView {
    let location = use_location();
    let here = Memo::new(move |_| callback::here(&location.pathname.get(), &location.search.get()));
    // The URL's state, kept while the router moves on to another page.
    let url =
        Memo::new(move |previous: Option<&Option<RepoUrl>>| match Route::parse(&here.get()) {
            Some(Route::Repository { registry, repo, view, filter, order }) => {
                Some(RepoUrl { registry, repo, view, filter, order })
            }
            _ => previous.cloned().flatten(),
        });
    let target =
        Memo::new(move |_| url.with(|u| u.as_ref().map(|u| (u.registry.clone(), u.repo.clone()))));
    move || {
        let Some((registry, repo)) = target.get() else {
            return view! {
                <div class="page browse-page">
                    <h1 class="page__title">"Repository"</h1>
                    <ErrorView problem=not_a_repository() />
                </div>
            }
            .into_any();
        };
        match use_client(&registry) {
            Ok(client) => view! { <RepositoryContents client registry repo url /> }.into_any(),
            Err(problem) => view! {
                <div class="page browse-page">
                    <h1 class="page__title">{repo.to_string()}</h1>
                    <ErrorView problem return_to=here.get_untracked() />
                </div>
            }
            .into_any(),
        }
    }
}

/// The repository page once a client exists.
#[component]
fn RepositoryContents(
    client: RegistryClient,
    registry: String,
    repo: RepositoryName,
    url: Memo<Option<RepoUrl>>,
) -> impl IntoView {
    let view_kind =
        Memo::new(move |_| url.with(|u| u.as_ref().map(|u| u.view).unwrap_or_default()));
    let filter =
        Memo::new(move |_| url.with(|u| u.as_ref().map(|u| u.filter.clone()).unwrap_or_default()));
    let order = Memo::new(move |_| url.with(|u| u.as_ref().map(|u| u.order).unwrap_or_default()));
    let navigate = use_navigate();
    let reload = RwSignal::new(0_u64);

    // Reads: the repository's attributes, the account's rights on it, and both lists.
    let store = use_lock_store(&registry);
    let RepositoryReads { attributes, permissions } =
        repository_reads(&client, &store, &repo, reload);
    let tags = RwSignal::new(Paged::<TagAttributesBase>::default());
    let manifests = RwSignal::new(Paged::<ManifestAttributesBase>::default());
    let _tag_list = LocalResource::new({
        let (client, store, repo) = (client.clone(), store.clone(), repo.clone());
        move || {
            reload.track();
            let by = order.get().to_acr();
            let (client, repo) = (client.clone(), repo.clone());
            let sink = LockSink::tags(store.clone(), repo.clone());
            async move { load_pages(tags, client.list_tags(&repo, by), None, Some(sink)).await }
        }
    });
    let _manifest_list = LocalResource::new({
        let (client, store, repo) = (client.clone(), store.clone(), repo.clone());
        move || {
            reload.track();
            let by = order.get().to_acr();
            let (client, repo) = (client.clone(), repo.clone());
            let sink = LockSink::manifests(store.clone(), repo.clone());
            async move {
                load_pages(manifests, client.list_manifests(&repo, by), None, Some(sink)).await
            }
        }
    });

    // The repository's flags, from the lock store.
    let loaded_attributes = Memo::new(move |_| attributes.get().and_then(|r| r.ok()));
    // A repository that does not exist: the page says so once, and shows nothing else.
    let missing = Memo::new(move |_| attributes.get().and_then(|r| r.err()).filter(|p| p.missing));
    let flags = Memo::new({
        let (store, key) = (store.clone(), ArtifactRef::Repository(repo.clone()));
        move |_| store.flags(&key)
    });
    let can_write =
        Signal::derive(move || permissions.get().and_then(|p| p.ok()).is_some_and(|p| p.write));
    // Until the permissions are read, the panel neither offers switches nor says read-only.
    let checking_access = Signal::derive(move || permissions.get().is_none());
    let rights_unknown =
        Signal::derive(move || permissions.get().and_then(|p| p.ok()).is_some_and(|p| !p.known));
    let action = lock_action(client.clone(), store.clone(), ArtifactRef::Repository(repo.clone()));
    // The hand selection, for those who may change locks here (viewers get no checkboxes).
    let selection = Selection::new();
    let may_select = Signal::derive(move || can_write.get() || rights_unknown.get());

    // The filter box leads while typing; the URL follows (replaced), and back/forward update it.
    let text = RwSignal::new(filter.get_untracked());
    let written = StoredValue::new(filter.get_untracked());
    Effect::new(move |_| {
        let f = filter.get();
        if f != written.get_value() {
            written.set_value(f.clone());
            text.set(f);
        }
    });
    let href_with = {
        let (registry, repo) = (registry.clone(), repo.clone());
        move |view: RepoView, filter: String, order: ListOrder| {
            Route::Repository {
                registry: registry.clone(),
                repo: repo.clone(),
                view,
                filter,
                order,
            }
            .href()
        }
    };
    let on_input = {
        let (navigate, href_with) = (navigate.clone(), href_with.clone());
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            text.set(value.clone());
            written.set_value(value.clone());
            let href = href_with(view_kind.get_untracked(), value, order.get_untracked());
            navigate(&href, NavigateOptions { replace: true, scroll: false, ..Default::default() });
        }
    };
    let on_order = {
        let href_with = href_with.clone();
        move |ev: leptos::ev::Event| {
            let chosen = ListOrder::from_query(Some(&event_target_value(&ev)));
            let href = href_with(view_kind.get_untracked(), text.get_untracked(), chosen);
            navigate(&href, NavigateOptions { scroll: false, ..Default::default() });
        }
    };

    let tag_rows = Memo::new(move |_| {
        let joined = tags.with(|t| manifests.with(|m| join_tags(&t.items, &m.items)));
        filter_tags(&joined, &text.get())
    });
    let manifest_rows =
        Memo::new(move |_| manifests.with(|m| filter_manifests(&m.items, &text.get())));

    // What each view's list has reached: the one place that tells the two lists apart.
    let facts_of = move |kind: RepoView| -> ListFacts {
        let total = loaded_attributes.with(|a| {
            a.as_ref().map(|a| match kind {
                RepoView::Tags => a.tag_count as usize,
                RepoView::Manifests => a.manifest_count as usize,
            })
        });
        let (shown, paged) = match kind {
            RepoView::Tags => (tag_rows.with(Vec::len), tags.with(PagedFacts::of)),
            RepoView::Manifests => (manifest_rows.with(Vec::len), manifests.with(PagedFacts::of)),
        };
        ListFacts { shown, total, paged }
    };
    let progress = Signal::derive(move || {
        let f = facts_of(view_kind.get());
        let mut p: Progress = f.paged.progress;
        if p.total.is_none() {
            p.total = f.total;
        }
        p
    });
    let stale_tags = Signal::derive(move || tags.with(|t| t.stale));
    let stale_manifests = Signal::derive(move || manifests.with(|m| m.stale));
    let problem = Memo::new(move |_| {
        if view_kind.get() == RepoView::Tags {
            tags.with(|t| t.problem.clone()).or_else(|| manifests.with(|m| m.problem.clone()))
        } else {
            manifests.with(|m| m.problem.clone())
        }
    });
    let loading = Signal::derive(move || tags.with(|t| t.loading) || manifests.with(|m| m.loading));

    let matches = move || {
        let q = text.get();
        if q.trim().is_empty() {
            return None;
        }
        let (kind, f) = (view_kind.get(), facts_of(view_kind.get()));
        let w = words(kind);
        (f.paged.loaded > 0).then(|| {
            [
                thousands(f.shown).as_str(),
                " of ",
                count_of(f.paged.loaded, w.singular, w.plural).as_str(),
                " match “",
                q.trim(),
                "”",
            ]
            .concat()
        })
    };
    let empty = move || {
        let kind = view_kind.get();
        let ListFacts { shown, paged, .. } = facts_of(kind);
        let (total, done, noun) = (paged.loaded, paged.done, words(kind).plural);
        let q = text.get();
        let message = if shown > 0 || problem.with(Option::is_some) {
            return None;
        } else if total == 0 && done {
            ["This repository has no ", noun, "."].concat()
        } else if total == 0 {
            return None;
        } else if done {
            ["No ", noun, " match “", q.trim(), "”."].concat()
        } else {
            ["No ", noun, " match “", q.trim(), "” yet — still loading…"].concat()
        };
        Some(view! { <p class="empty-state" data-testid="empty-state">{message}</p> })
    };
    let error = {
        let here = href_with(RepoView::Tags, String::new(), ListOrder::default());
        move || {
            if missing.with(Option::is_some) {
                return None;
            }
            problem.get().map(|p| {
                view! { <ErrorView problem=p on_retry=move |_| reload.update(|n| *n += 1) return_to=here.clone() /> }
            })
        }
    };

    // The view switcher: links, so each view has its URL and back/forward work.
    let switch = {
        let href_with = href_with.clone();
        move |kind: RepoView, label: &'static str| {
            let href = {
                let href_with = href_with.clone();
                move || href_with(kind, text.get(), order.get())
            };
            let count = move || {
                let f = facts_of(kind);
                thousands(f.total.filter(|_| !f.paged.done).unwrap_or(f.paged.loaded))
            };
            view! {
                <a
                    class="view-switch__link"
                    href=href
                    aria-current=move || (view_kind.get() == kind).then_some("page")
                >
                    {label}
                    <span class="view-switch__count">{count}</span>
                </a>
            }
        }
    };

    let facts = {
        let (repo, registry, store) = (repo.clone(), registry.clone(), store.clone());
        move || {
            let here = Route::repository(registry.clone(), repo.clone()).href();
            async_region(attributes.get(), "Loading the repository…", reload, here, |a| {
                let target = ArtifactRef::Repository(repo.clone());
                let (registry, store) = (registry.clone(), store.clone());
                let aside = ViewFn::from(move || {
                    view! {
                        <LockPanel
                            target=target.clone()
                            store=store.clone()
                            can_write
                            checking_access
                            rights_unknown
                            action
                            registry=registry.clone()
                        />
                    }
                });
                view! { <RepositoryFacts attributes=a flags aside /> }.into_any()
            })
        }
    };

    let table = {
        let (registry, repo, store) = (registry.clone(), repo.clone(), store.clone());
        move || {
            let repository = Signal::derive(move || flags.get());
            let (registry, repo, store) = (registry.clone(), repo.clone(), store.clone());
            if view_kind.get() == RepoView::Tags {
                view! {
                    <Show when=move || tag_rows.with(|r| !r.is_empty())>
                        <TagTable
                            registry=registry.clone()
                            repo=repo.clone()
                            rows=tag_rows
                            repository
                            filter=text
                            stale=stale_tags
                            store=store.clone()
                            selection=may_select.get().then_some(selection)
                        />
                    </Show>
                }
                .into_any()
            } else {
                view! {
                    <Show when=move || manifest_rows.with(|r| !r.is_empty())>
                        <ManifestTable
                            registry=registry.clone()
                            repo=repo.clone()
                            rows=manifest_rows
                            repository
                            stale=stale_manifests
                            store=store.clone()
                            selection=may_select.get().then_some(selection)
                        />
                    </Show>
                }
                .into_any()
            }
        }
    };

    // The selection bar: how many are selected (and how many the filter hides), select every
    // row that matches (not only the rows drawn), clear, and on to the bulk preview.
    let shown_keys = {
        let repo = repo.clone();
        Memo::new(move |_| -> Vec<ArtifactRef> {
            if view_kind.get() == RepoView::Tags {
                tag_rows.with(|r| {
                    r.iter().map(|r| ArtifactRef::Tag(repo.clone(), r.tag.name.clone())).collect()
                })
            } else {
                manifest_rows.with(|r| {
                    r.iter()
                        .map(|m| ArtifactRef::Manifest(repo.clone(), m.digest.clone()))
                        .collect()
                })
            }
        })
    };
    let selection_bar = {
        let (registry, navigate) = (registry.clone(), use_navigate());
        move || {
            may_select.get().then(|| {
                let count = move || {
                    let (all, shown) = (selection.count(), shown_keys.with(|k| selection.count_of(k)));
                    let mut text = [thousands(all).as_str(), " selected"].concat();
                    if all > shown {
                        text.push_str(&[" (", &thousands(all - shown), " not in this list)"].concat());
                    }
                    text
                };
                let select_label = move || {
                    let (n, w) = (shown_keys.with(Vec::len), words(view_kind.get()));
                    let q = text.get();
                    if q.trim().is_empty() {
                        ["Select all ", &count_of(n, w.singular, w.plural)].concat()
                    } else {
                        ["Select all ", &thousands(n), " that match “", q.trim(), "”"].concat()
                    }
                };
                let (registry, navigate) = (registry.clone(), navigate.clone());
                let open_bulk = move |_| {
                    save_selection(&registry, &selection.items());
                    let href = Route::Bulk {
                        registry: registry.clone(),
                        query: BulkQuery { selection: true, ..Default::default() },
                    }
                    .href();
                    navigate(&href, NavigateOptions::default());
                };
                view! {
                    <div class="selection-bar" role="group" aria-label="Selection" data-testid="selection-bar">
                        <p class="selection-bar__count" data-testid="selection-count" aria-live="polite">
                            {count}
                        </p>
                        <div class="selection-bar__actions">
                            <button
                                type="button"
                                class="button"
                                data-testid="select-all"
                                disabled=move || shown_keys.with(Vec::is_empty)
                                on:click=move |_| selection.add_all(shown_keys.get_untracked())
                            >
                                {select_label}
                            </button>
                            <button
                                type="button"
                                class="button"
                                data-testid="select-none"
                                disabled=move || selection.count() == 0
                                on:click=move |_| selection.clear()
                            >
                                "Clear selection"
                            </button>
                            <button
                                type="button"
                                class="button button--primary"
                                data-testid="change-selected"
                                disabled=move || selection.count() == 0
                                on:click=open_bulk
                            >
                                "Change locks of selected…"
                            </button>
                        </div>
                    </div>
                }
            })
        }
    };

    // What is inside, apart from the repository's own flags: "3 of 10 tags locked" once the
    // lists are read (a repository shown "Unlocked" may hold locked releases).
    let contents = {
        let (store, repo) = (store.clone(), repo.clone());
        move || {
            let whole = tags.with(Paged::complete) && manifests.with(Paged::complete);
            whole.then(|| {
                let own = flags.get().unwrap_or_default();
                let t = tags.with(|t| {
                    let keys =
                        t.items.iter().map(|x| ArtifactRef::Tag(repo.clone(), x.name.clone()));
                    tally(&store, keys, true, &own)
                });
                let m = manifests.with(|m| {
                    let keys = m
                        .items
                        .iter()
                        .map(|x| ArtifactRef::Manifest(repo.clone(), x.digest.clone()));
                    tally(&store, keys, true, &own)
                });
                sentence(t, m)
            })
        }
    };

    let crumbs = vec![
        ("Registries".to_owned(), Route::Home.href()),
        (registry.clone(), Route::repositories(registry.clone()).href()),
        (repo.to_string(), href_with(RepoView::Tags, String::new(), ListOrder::default())),
    ];
    let list_name = move || words(view_kind.get()).list_name;
    let filter_label = move || words(view_kind.get()).filter_label;
    let placeholder = move || words(view_kind.get()).placeholder;
    view! {
        <div class="page browse-page" data-testid="repository-page">
            <Breadcrumbs crumbs />
            <header class="page-head">
                <p class="page__eyebrow">"Repository"</p>
                <h1 class="page__title page__title--name">{repo.to_string()}</h1>
            </header>
            {move || missing.get().map(|p| view! { <ErrorView problem=p /> })}
            <div class="repo-body" hidden=move || missing.with(Option::is_some)>
            <p class="repo-contents" data-testid="repository-contents" aria-live="polite">{contents}</p>
            <section class="card list-card" aria-labelledby="list-title">
                <h2 class="visually-hidden" id="list-title">{list_name}</h2>
                <div class="list-card__head">
                    <nav class="view-switch" aria-label="Repository views">
                        {switch(RepoView::Tags, "Tags")}
                        {switch(RepoView::Manifests, "Manifests")}
                    </nav>
                    <div class="toolbar">
                        <div class="field toolbar__filter">
                            <label for="list-filter">{filter_label}</label>
                            <input
                                id="list-filter"
                                type="search"
                                autocomplete="off"
                                spellcheck="false"
                                placeholder=placeholder
                                prop:value=move || text.get()
                                on:input=on_input
                            />
                        </div>
                        <div class="field">
                            <label for="list-order">"Order"</label>
                            <select id="list-order" on:change=on_order prop:value=move || order.get().as_query()>
                                <option value="newest" selected=move || order.get() == ListOrder::Newest>"Newest first"</option>
                                <option value="oldest" selected=move || order.get() == ListOrder::Oldest>"Oldest first"</option>
                                <option value="name" selected=move || order.get() == ListOrder::Name>"By name"</option>
                            </select>
                        </div>
                        <button
                            type="button"
                            class="button"
                            disabled=move || loading.get()
                            on:click=move |_| reload.update(|n| *n += 1)
                        >
                            "Reload"
                        </button>
                    </div>
                </div>
                <div class="list-status">
                    {move || {
                        if problem.with(Option::is_some) {
                            return None;
                        }
                        let w = words(view_kind.get());
                        Some(view! { <LoadProgress progress singular=w.singular plural=w.plural /> })
                    }}
                    <p class="list-status__matches" data-testid="match-count" aria-live="polite">
                        {matches}
                    </p>
                </div>
                {selection_bar}
                {error}
                <SkippedNote skipped=Signal::derive(move || {
                    if view_kind.get() == RepoView::Tags {
                        tags.with(|t| t.skipped.clone())
                    } else {
                        manifests.with(|m| m.skipped.clone())
                    }
                }) />
                {empty}
                {table}
            </section>
            // The riskiest controls last, behind a clearly labelled disclosure.
            <details class="repo-whole" data-testid="repository-whole">
                <summary class="repo-whole__summary">"Repository attributes and whole-repository lock"</summary>
                {facts}
            </details>
            </div>
        </div>
    }
}

/// How a view names its items.
struct Words {
    singular: &'static str,
    plural: &'static str,
    list_name: &'static str,
    filter_label: &'static str,
    placeholder: &'static str,
}

/// The words of the tags or the manifests view.
fn words(kind: RepoView) -> Words {
    match kind {
        RepoView::Tags => Words {
            singular: "tag",
            plural: "tags",
            list_name: "Tags",
            filter_label: "Filter tags",
            placeholder: "e.g. 1.4",
        },
        RepoView::Manifests => Words {
            singular: "manifest",
            plural: "manifests",
            list_name: "Manifests",
            filter_label: "Filter manifests",
            placeholder: "digest, tag or platform",
        },
    }
}

/// What a paged list has reached, whatever its items.
#[derive(Clone, Copy)]
struct PagedFacts {
    loaded: usize,
    done: bool,
    progress: Progress,
}

impl PagedFacts {
    fn of<T>(p: &Paged<T>) -> Self {
        Self { loaded: p.items.len(), done: p.complete(), progress: p.progress }
    }
}

/// One view's list: rows shown after the filter, the repository's count of its items, and
/// how far loading has got.
#[derive(Clone, Copy)]
struct ListFacts {
    shown: usize,
    total: Option<usize>,
    paged: PagedFacts,
}

/// The repository's facts: times, counts and its own lock state, with the lock panel beside.
#[component]
fn RepositoryFacts(
    attributes: RepositoryAttributes,
    flags: Memo<Option<ChangeableAttributes>>,
    aside: ViewFn,
) -> impl IntoView {
    let badges = move || {
        let own = flags.get().unwrap_or_default();
        view! { <LockBadges subject="Repository" own /> }
    };
    view! {
        <AttributesPanel title="Attributes" aside stacked=true>
            <Fact label="Created">
                <RelativeTime time=attributes.created_time.clone() />
            </Fact>
            <Fact label="Last updated">
                <RelativeTime time=attributes.last_update_time.clone() />
            </Fact>
            <Fact label="Tags">{thousands(attributes.tag_count as usize)}</Fact>
            <Fact label="Manifests">{thousands(attributes.manifest_count as usize)}</Fact>
            <Fact label="Lock state">{badges}</Fact>
        </AttributesPanel>
    }
}
