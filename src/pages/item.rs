//! The shell the tag and manifest pages share: the item the URL names (the last valid one is
//! kept while the route moves away, so the page does not flash a problem on the way out), the
//! registry's client for it, and the problems shown when either is missing; plus what both
//! pages read of the repository around the item (its inherited lock, the user's rights).

use crate::{
    auth::callback, components::error_view::ErrorView, problem::Problem, routes::Route,
    state::registry::use_client,
};
use acr_client::RegistryClient;
use acr_types::{ChangeableAttributes, RepositoryName};
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
}

/// Reads `repo`'s flags (again whenever `reload` moves) and the user's rights on it.
pub fn repository_context(
    client: &RegistryClient,
    repo: &RepositoryName,
    reload: RwSignal<u64>,
) -> RepositoryContext {
    let repository = LocalResource::new({
        let (client, repo) = (client.clone(), repo.clone());
        move || {
            reload.track();
            let (client, repo) = (client.clone(), repo.clone());
            async move { client.get_repository_properties(&repo).await.map_err(Problem::from) }
        }
    });
    let permissions = LocalResource::new({
        let (client, repo) = (client.clone(), repo.clone());
        move || {
            let (client, repo) = (client.clone(), repo.clone());
            async move { client.repository_permissions(&repo).await.map_err(Problem::from) }
        }
    });
    RepositoryContext {
        inherited: Signal::derive(move || {
            repository.get().and_then(|r| r.ok()).map(|r| r.changeable_attributes)
        }),
        can_write: Signal::derive(move || {
            permissions.get().and_then(|p| p.ok()).is_some_and(|p| p.write)
        }),
        checking_access: Signal::derive(move || permissions.get().is_none()),
    }
}
