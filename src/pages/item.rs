//! The shell the tag and manifest pages share: the item the URL names (the last valid one is
//! kept while the route moves away, so the page does not flash a problem on the way out), the
//! registry's client for it, and the problems shown when either is missing.

use crate::{
    auth::callback, components::error_view::ErrorView, problem::Problem, routes::Route,
    state::registry::use_client,
};
use acr_client::RegistryClient;
use acr_types::RepositoryName;
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
