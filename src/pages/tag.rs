//! The Tag page (STUB: being written).

use leptos::prelude::*;

/// The Tag page.
#[component]
pub fn TagPage() -> impl IntoView {
    view! { <h1 class="page__title">"Tag"</h1> }
}
