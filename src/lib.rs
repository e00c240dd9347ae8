//! acr-console: the browser admin console for Azure Container Registry image locks. This module
//! owns the app root: it loads the configuration, provides the shared contexts (configuration,
//! session, registry clients) and holds the route table. It has no page logic and builds no URLs.

pub mod auth;
pub mod components;
pub mod config;
pub mod lookup;
pub mod pages;
pub mod perf;
pub mod problem;
pub mod routes;
pub mod state;

use components::app_shell::AppShell;
use config::SharedConfig;
use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::use_location,
    path,
};
use pages::{
    bulk::BulkPage, config_error::ConfigErrorPage, find::FindPage, home::HomePage,
    manifest::ManifestPage, not_found::NotFoundPage, repositories::RepositoriesPage,
    repository::RepositoryPage, sign_in::SignInPage, status::StatusPage, tag::TagPage,
};
use std::sync::Arc;

/// The whole console: loads `config.json`, then either explains what is wrong with it or runs
/// the configured app.
#[component]
pub fn App() -> impl IntoView {
    let config = LocalResource::new(config::load);
    view! {
        <Suspense fallback=|| view! { <p class="boot" role="status">"Loading the console…"</p> }>
            {move || Suspend::new(async move {
                match config.await {
                    Ok(c) => view! { <Configured config=Arc::new(c) /> }.into_any(),
                    Err(error) => view! { <ConfigErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The app once the configuration is valid: contexts, router, shell and route table.
#[component]
fn Configured(config: SharedConfig) -> impl IntoView {
    provide_context(config.clone());
    let session = auth::provide_session(config.clone());
    state::registry::provide_clients(config, session);
    view! {
        <Router>
            <Frame />
        </Router>
    }
}

/// The shell plus the route table, inside the [`Router`] so the shell knows the current route.
#[component]
fn Frame() -> impl IntoView {
    let location = use_location();
    let current = Signal::derive(move || location.pathname.with(|path| routes::Route::parse(path)));
    view! {
        <AppShell current>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=HomePage />
                <Route path=path!("/signin") view=SignInPage />
                <Route path=path!("/r/:registry") view=RepositoriesPage />
                <Route path=path!("/r/:registry/:repo") view=RepositoryPage />
                <Route path=path!("/r/:registry/-/bulk") view=BulkPage />
                <Route path=path!("/r/:registry/-/status") view=StatusPage />
                <Route path=path!("/r/:registry/-/find") view=FindPage />
                <Route path=path!("/r/:registry/:repo/tags/:tag") view=TagPage />
                <Route path=path!("/r/:registry/:repo/manifests/:digest") view=ManifestPage />
            </Routes>
        </AppShell>
    }
}
