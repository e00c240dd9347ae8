//! The shell the tag and manifest pages share: the item the URL names (the last valid one is
//! kept while the route moves away, so the page does not flash a problem on the way out), the
//! registry's client for it, and the problems shown when either is missing; once there is a
//! client, the frame around the item ([`item_frame`]: loading, retry, breadcrumbs, heading, the
//! lock panel and its last answer) and what both read of the repository around the item (its
//! inherited lock, the user's rights, and for the explanation of what ACR refuses the first page
//! of its tags and manifests with their flags).

use crate::{
    auth::callback,
    components::{
        async_region::async_region,
        breadcrumbs::Breadcrumbs,
        error_view::ErrorView,
        lock_badges::{any_off, reaching_items, LockBadges, LOCKED_BY_REPOSITORY},
        lock_panel::LockPanel,
    },
    problem::Problem,
    routes::Route,
    state::{
        contents::{read_first_pages, Listed},
        lock_action::lock_action,
        lock_store::{use_lock_store, LockStore, Ticket},
        registry::use_client,
    },
};
use acr_client::{Permissions, RegistryClient};
use acr_types::{ArtifactRef, ChangeableAttributes, RepositoryAttributes, RepositoryName, TagName};
use futures_util::future::{join_all, LocalBoxFuture};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// What an item page is told about its kind of item.
pub struct ItemKind<T> {
    /// The page's heading when the URL names no valid item ("Tag").
    pub heading: &'static str,
    /// The item the route names: registry, repository and the item itself.
    pub parse: fn(Route) -> Option<(String, RepositoryName, T)>,
    /// The problem when the URL names no valid item.
    pub not_named: fn() -> Problem,
    /// The heading of the item (`repo:tag`, `repo@sha256:…`) when its registry has no client.
    pub title: fn(&RepositoryName, &T) -> String,
    /// The page once the registry's client exists.
    pub loaded: fn(RegistryClient, String, RepositoryName, T) -> AnyView,
}

/// The page for the item of kind `kind` that the URL names.
pub fn item_page<T>(kind: ItemKind<T>) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let location = use_location();
    let here = Memo::new(move |_| callback::here(&location.pathname.get(), &location.search.get()));
    let parse = kind.parse;
    let target = Memo::new(move |previous: Option<&Option<(String, RepositoryName, T)>>| {
        Route::parse(&here.get()).and_then(parse).or_else(|| previous.cloned().flatten())
    });
    move || {
        let Some((registry, repo, item)) = target.get() else {
            let problem = (kind.not_named)();
            return view! {
                <div class="page browse-page">
                    <h1 class="page__title">{kind.heading}</h1>
                    <ErrorView problem />
                </div>
            }
            .into_any();
        };
        match use_client(&registry) {
            Ok(client) => (kind.loaded)(client, registry, repo, item),
            Err(problem) => view! {
                <div class="page browse-page">
                    <h1 class="page__title">{(kind.title)(&repo, &item)}</h1>
                    <ErrorView problem return_to=here.get_untracked() />
                </div>
            }
            .into_any(),
        }
    }
}

/// What an item page knows of the repository around its item.
#[derive(Clone, Copy)]
pub struct RepositoryContext {
    /// The repository's own flags, which the item inherits (`None` until read).
    pub inherited: Signal<Option<ChangeableAttributes>>,
    /// True when the user may change locks in the repository.
    pub can_write: Signal<bool>,
    /// True until the user's rights are read: the panel neither offers switches nor says
    /// read-only meanwhile.
    pub checking_access: Signal<bool>,
    /// True when the token did not say what the user may do (the registry decides).
    pub rights_unknown: Signal<bool>,
}

/// What a page reads of a repository: its attributes and the user's rights on it.
#[derive(Clone, Copy)]
pub struct RepositoryReads {
    /// The repository's attributes (read again whenever the page's `reload` moves).
    pub attributes: LocalResource<Result<RepositoryAttributes, Problem>>,
    /// The user's rights on the repository.
    pub permissions: LocalResource<Result<Permissions, Problem>>,
}

/// Reads `repo`'s attributes (again whenever `reload` moves; its flags go into `store`) and the
/// user's rights on it: what the repository page shows and what an item page inherits.
pub fn repository_reads(
    client: &RegistryClient,
    store: &LockStore,
    repo: &RepositoryName,
    reload: RwSignal<u64>,
) -> RepositoryReads {
    let attributes = LocalResource::new({
        let (client, store, repo) = (client.clone(), store.clone(), repo.clone());
        move || {
            reload.track();
            let (client, store, repo) = (client.clone(), store.clone(), repo.clone());
            async move {
                let ticket = store.ticket();
                let read = client.get_repository_properties(&repo).await;
                if let Ok(a) = &read {
                    let key = ArtifactRef::Repository(repo.clone());
                    store.record(&key, &a.changeable_attributes, ticket);
                }
                read.map_err(Problem::from)
            }
        }
    });
    let permissions = LocalResource::new({
        let (client, repo) = (client.clone(), repo.clone());
        move || {
            let (client, repo) = (client.clone(), repo.clone());
            async move { client.repository_permissions(&repo).await.map_err(Problem::from) }
        }
    });
    RepositoryReads { attributes, permissions }
}

/// Reads `repo`'s flags (again whenever `reload` moves) and the user's rights on it; the
/// inherited flags are the store's, so a repository lock changed elsewhere shows at once.
pub fn repository_context(
    client: &RegistryClient,
    store: &LockStore,
    repo: &RepositoryName,
    reload: RwSignal<u64>,
) -> RepositoryContext {
    let RepositoryReads { attributes: _, permissions } =
        repository_reads(client, store, repo, reload);
    let (store, key) = (store.clone(), ArtifactRef::Repository(repo.clone()));
    RepositoryContext {
        inherited: Signal::derive(move || store.flags(&key)),
        can_write: Signal::derive(move || {
            permissions.get().and_then(|p| p.ok()).is_some_and(|p| p.write)
        }),
        checking_access: Signal::derive(move || permissions.get().is_none()),
        rights_unknown: Signal::derive(move || {
            permissions.get().and_then(|p| p.ok()).is_some_and(|p| !p.known)
        }),
    }
}

/// An item page once its registry's client exists: what differs between a tag and a manifest.
pub struct ItemFrame<I, T> {
    /// The registry's client.
    pub client: RegistryClient,
    /// The registry's configured name.
    pub registry: String,
    /// The repository the item is in.
    pub repo: RepositoryName,
    /// The item: a tag name or a digest.
    pub item: I,
    /// The lock target the item's panel changes.
    pub target: ArtifactRef,
    /// The kind of item, above the heading ("Tag").
    pub eyebrow: &'static str,
    /// The page's `data-testid`.
    pub test_id: &'static str,
    /// The heading: `repo:tag` or `repo@sha256:…` (short).
    pub title: String,
    /// The item's breadcrumb: the tag, or the short digest.
    pub crumb: String,
    /// This page's console path (to come back to after signing in).
    pub here: String,
    /// The status line while the item is read.
    pub loading: &'static str,
    /// Reads the item (again on "Try again" and after a change elsewhere).
    pub load: fn(RegistryClient, RepositoryName, I) -> LocalBoxFuture<'static, Result<T, Problem>>,
    /// Keeps the flags of the item as read (and of what it points to) in the lock store.
    pub record: fn(&LockStore, &RepositoryName, &T, Ticket),
    /// The tags pointing at the item's manifest, as read (`None`: the manifest was not read).
    pub tags_of: fn(&T) -> Option<Vec<TagName>>,
    /// The page's content once the item is read.
    pub body: fn(T, Shown) -> AnyView,
}

/// What an item page's content is given besides its item.
pub struct Shown {
    /// The registry's configured name.
    pub registry: String,
    /// The repository the item is in.
    pub repo: RepositoryName,
    /// The registry's lock store (the item's flags, and those of what it points to).
    pub store: LockStore,
    /// The item's own flags, from the lock store.
    pub own: Signal<ChangeableAttributes>,
    /// The repository's flags, which the item inherits (`None` until read).
    pub inherited: Signal<Option<ChangeableAttributes>>,
    /// The item's lock panel, for the attributes card's aside.
    pub panel: ViewFn,
    /// What was read of the repository's tags and manifests (their flags are in the store),
    /// for the explanation of what ACR refuses (`None` until read).
    pub contents: Signal<Option<Listed>>,
}

/// Tags of the item's manifest read one by one when the first page of the tag list lacks them.
const EXTRA_TAG_READS: usize = 20;

/// Reads the first page of `repo`'s tags and of its manifests (their flags go into `store`),
/// then `wanted` (the tags of the item's manifest) that page did not have, one by one, up to
/// [`EXTRA_TAG_READS`]. Lists that could not be read leave it empty and not whole.
async fn read_contents(
    client: RegistryClient,
    store: LockStore,
    repo: RepositoryName,
    wanted: Vec<TagName>,
) -> Listed {
    let out = read_first_pages(&client, &store, &repo).await.unwrap_or_default();
    let missing: Vec<TagName> =
        wanted.into_iter().filter(|t| !out.tags.contains(t)).take(EXTRA_TAG_READS).collect();
    if !missing.is_empty() {
        let ticket = store.ticket();
        let reads = missing.iter().map(|t| client.get_tag_properties(&repo, t));
        for answer in join_all(reads).await.into_iter().flatten() {
            store.record_tags(&repo, std::slice::from_ref(&answer.tag), ticket);
        }
    }
    out
}

/// The item page around `frame`'s content: breadcrumbs and heading, the item read (with a
/// status line meanwhile and a problem with "Try again" when it fails), the repository context
/// and the lock panel; every flag shown comes from the registry's lock store.
pub fn item_frame<I, T>(frame: ItemFrame<I, T>) -> impl IntoView
where
    I: Clone + 'static,
    T: Clone + 'static,
{
    let ItemFrame {
        client, registry, repo, item, target, here, load, record, tags_of, body, ..
    } = frame;
    let store = use_lock_store(&registry);
    let reload = RwSignal::new(0_u64);
    let data = LocalResource::new({
        let (client, store, repo) = (client.clone(), store.clone(), repo.clone());
        move || {
            reload.track();
            let (store, repo) = (store.clone(), repo.clone());
            let read = load(client.clone(), repo.clone(), item.clone());
            let ticket = store.ticket();
            async move {
                let value = read.await;
                if let Ok(v) = &value {
                    record(&store, &repo, v, ticket);
                }
                value
            }
        }
    });
    // Once the item is read: the repository's contents and the tags of the item's manifest.
    let contents = LocalResource::new({
        let (client, store, repo) = (client.clone(), store.clone(), repo.clone());
        move || {
            reload.track();
            let wanted = data.get().and_then(Result::ok).map(|v| tags_of(&v).unwrap_or_default());
            let (client, store, repo) = (client.clone(), store.clone(), repo.clone());
            async move {
                match wanted {
                    Some(wanted) => Some(read_contents(client, store, repo, wanted).await),
                    None => None,
                }
            }
        }
    });
    let contents = Signal::derive(move || contents.get().flatten());
    let RepositoryContext { inherited, can_write, checking_access, rights_unknown } =
        repository_context(&client, &store, &repo, reload);
    let action = lock_action(client, store.clone(), target.clone());
    let crumbs = item_crumbs(&registry, &repo, (frame.crumb, here.clone()));
    let loading = frame.loading;
    let content = move || {
        let here = here.clone();
        async_region(data.get(), loading, reload, here, |value| {
            let own = Signal::derive({
                let (store, target) = (store.clone(), target.clone());
                move || store.flags(&target).unwrap_or_default()
            });
            let (target, panel_registry, panel_store) =
                (target.clone(), registry.clone(), store.clone());
            let panel = ViewFn::from(move || {
                view! {
                    <LockPanel
                        target=target.clone()
                        store=panel_store.clone()
                        can_write
                        checking_access
                        rights_unknown
                        inherited
                        action
                        registry=panel_registry.clone()
                    />
                }
            });
            let shown = Shown {
                registry: registry.clone(),
                repo: repo.clone(),
                store: store.clone(),
                own,
                inherited,
                panel,
                contents,
            };
            body(value, shown)
        })
    };
    view! {
        <div class="page browse-page" data-testid=frame.test_id>
            <Breadcrumbs crumbs />
            <header class="page-head">
                <p class="page__eyebrow">{frame.eyebrow}</p>
                <h1 class="page__title page__title--name">{frame.title}</h1>
            </header>
            {content}
        </div>
    }
}

/// The breadcrumb trail of an item page: registry › repository › item.
pub fn item_crumbs(
    registry: &str,
    repo: &RepositoryName,
    item: (String, String),
) -> Vec<(String, String)> {
    vec![
        ("Registries".to_owned(), Route::Home.href()),
        (registry.to_owned(), Route::repositories(registry.to_owned()).href()),
        (repo.to_string(), Route::repository(registry, repo.clone()).href()),
        item,
    ]
}

/// The "Lock state" card of an item page: the item's own flags, the rows `children` add (a
/// tag's manifest), and the repository's lock, which the item inherits.
#[component]
pub fn LockStates(
    /// The kind of item: "Tag" or "Manifest".
    subject: &'static str,
    /// The item's own flags.
    own: Signal<ChangeableAttributes>,
    /// The repository's flags (`None` until read).
    inherited: Signal<Option<ChangeableAttributes>>,
    /// Rows between the item's and the repository's (`<div class="lock-states__item">`).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let this = ["This ", subject.to_ascii_lowercase().as_str()].concat();
    view! {
        <section class="card lock-states" aria-labelledby="lock-states-title">
            <h2 class="card__title" id="lock-states-title">"Lock state"</h2>
            <dl class="lock-states__list">
                <div class="lock-states__item">
                    <dt>{this}</dt>
                    <dd>{move || view! { <LockBadges subject own=own.get() /> }}</dd>
                </div>
                {children.map(|c| c())}
                <div class="lock-states__item">
                    <dt>"Repository"</dt>
                    <dd>{move || repository_state(inherited.get())}</dd>
                </div>
            </dl>
        </section>
    }
}

/// The repository's part of an item's lock state.
pub fn repository_state(flags: Option<ChangeableAttributes>) -> AnyView {
    match flags {
        None => view! { <span class="muted">"Loading…"</span> }.into_any(),
        Some(r) => {
            let note = match reaching_items(&r) {
                Some(_) => Some(
                    view! {
                        <span class="badge badge--inherited">{LOCKED_BY_REPOSITORY}</span>
                        <span class="lock-states__note">
                            "The repository's lock applies to every tag and manifest in it."
                        </span>
                    }
                    .into_any(),
                ),
                // Delete (or list) off guards the repository itself, not what is in it.
                None if any_off(&r) => Some(
                    view! {
                        <span class="lock-states__note">
                            "This guards the repository itself: its tags and manifests keep their own locks."
                        </span>
                    }
                    .into_any(),
                ),
                None => None,
            };
            view! {
                <LockBadges subject="Repository" own=r />
                {note}
            }
            .into_any()
        }
    }
}
