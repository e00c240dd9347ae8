//! The Manifest page (STUB: being written).

use leptos::prelude::*;

/// The Manifest page.
#[component]
pub fn ManifestPage() -> impl IntoView {
    view! { <h1 class="page__title">"Manifest"</h1> }
}
