//! acr-console: the browser admin console for Azure Container Registry image locks. This module
//! owns the app root (the router and the route table) and declares the module tree; it holds no
//! page logic and no URLs of its own.

pub mod components;
pub mod pages;
pub mod routes;

use components::app_shell::AppShell;
use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::use_location,
    path,
};
use pages::{home::HomePage, not_found::NotFoundPage};

/// The whole console: a client-side router around the [`AppShell`] and the route table.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Frame />
        </Router>
    }
}

/// The shell plus the route table. It sits inside the [`Router`] so it can tell the shell which
/// console route is showing.
#[component]
fn Frame() -> impl IntoView {
    let location = use_location();
    let current = Signal::derive(move || location.pathname.with(|path| routes::Route::parse(path)));
    view! {
        <AppShell current>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=HomePage />
            </Routes>
        </AppShell>
    }
}
