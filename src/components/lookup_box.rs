//! The image lookup box in the header: paste `myregistry.azurecr.io/prod/api:1.4.2`,
//! `…@sha256:…`, `prod/api:1.4.2` or a bare digest and go to the page that answers it; what
//! cannot be used is said beside the box.

use crate::{
    config::SharedConfig,
    lookup::{resolve, Lookup},
    routes::Route,
};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// The lookup form (shown when a configuration is loaded).
#[component]
pub fn LookupBox(
    /// The configuration (its registries).
    config: SharedConfig,
    /// The page's route (its registry is used when the input names no host).
    #[prop(into)]
    current: Signal<Option<Route>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let text = RwSignal::new(String::new());
    let message: RwSignal<Option<String>> = RwSignal::new(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let registry = current.with_untracked(|r| match r {
            Some(
                Route::Repositories { registry, .. }
                | Route::Repository { registry, .. }
                | Route::Tag { registry, .. }
                | Route::Manifest { registry, .. }
                | Route::Bulk { registry, .. }
                | Route::Status { registry, .. }
                | Route::Find { registry, .. },
            ) => Some(registry.clone()),
            _ => None,
        });
        match resolve(&text.get_untracked(), &config.registries, registry.as_deref()) {
            Lookup::Go(route) => {
                message.set(None);
                navigate(&route.href(), Default::default());
            }
            Lookup::Refused(m) => message.set(Some(m)),
        }
    };
    view! {
        <form class="lookup" role="search" on:submit=submit data-testid="lookup">
            <label class="visually-hidden" for="lookup-input">"Find an image"</label>
            <input
                id="lookup-input"
                type="search"
                autocomplete="off"
                spellcheck="false"
                placeholder="Find: registry/repo:tag or @sha256:…"
                aria-describedby="lookup-message"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            />
            <button type="submit" class="button lookup__go">"Find"</button>
            <p id="lookup-message" class="lookup__message" role="status" data-testid="lookup-message">
                {move || message.get()}
            </p>
        </form>
    }
}
