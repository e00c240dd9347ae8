//! The Repository page (STUB: being written).

use leptos::prelude::*;

/// The Repository page.
#[component]
pub fn RepositoryPage() -> impl IntoView {
    view! { <h1 class="page__title">"Repository"</h1> }
}
