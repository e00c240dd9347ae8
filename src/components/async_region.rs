//! The one way a page shows something it reads: a status line while it is read, the problem
//! (with "Try again", which moves the page's reload counter) when the read failed, and the
//! content once it is there.

use super::error_view::ErrorView;
use crate::problem::Problem;
use leptos::prelude::*;

/// What a read region shows for `state` (`None` while reading): `loading` as a status line, the
/// problem with "Try again" (which bumps `reload`) and "Sign in" back to `return_to`, or
/// `ready`'s view of the value.
pub fn async_region<T>(
    state: Option<Result<T, Problem>>,
    loading: &'static str,
    reload: RwSignal<u64>,
    return_to: String,
    ready: impl FnOnce(T) -> AnyView,
) -> AnyView {
    match state {
        None => view! { <p class="card loading-note" role="status">{loading}</p> }.into_any(),
        Some(Err(problem)) => view! {
            <ErrorView problem on_retry=move |_| reload.update(|n| *n += 1) return_to />
        }
        .into_any(),
        Some(Ok(value)) => ready(value),
    }
}
