//! The page shown for any path no console route matches: it names the path and links back to
//! the overview.

use crate::routes::Route;
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

/// "Page not found", with the requested path and a link back to the overview.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let path = use_location().pathname;
    view! {
        <div class="page page--not-found" data-testid="not-found-page">
            <p class="page__eyebrow">"Error 404"</p>
            <h1 class="page__title">"Page not found"</h1>
            <p class="page__lead">
                "There is no page at " <code class="path">{move || path.get()}</code> "."
            </p>
            <p>
                <A href=Route::Home.href()>"Back to the overview"</A>
            </p>
        </div>
    }
}
