//! The Sign in page (STUB: being written).

use leptos::prelude::*;

/// The Sign in page.
#[component]
pub fn SignInPage() -> impl IntoView {
    view! { <h1 class="page__title">"Sign in"</h1> }
}
