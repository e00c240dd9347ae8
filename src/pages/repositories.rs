//! The Repositories page (STUB: being written).

use leptos::prelude::*;

/// The Repositories page.
#[component]
pub fn RepositoriesPage() -> impl IntoView {
    view! { <h1 class="page__title">"Repositories"</h1> }
}
