//! Breadcrumbs: where a browsing page sits (registry › repository › tag), each level a link but
//! the last, the current page, which is plain text marked `aria-current` (a link to the page
//! one is on would only be one more tab stop).

use leptos::prelude::*;

/// A breadcrumb trail: every `(label, href)` but the last is a link; the last is the current
/// page (`aria-current="page"`).
#[component]
pub fn Breadcrumbs(
    /// The levels, outermost first.
    crumbs: Vec<(String, String)>,
) -> impl IntoView {
    let last = crumbs.len().saturating_sub(1);
    let items = crumbs
        .into_iter()
        .enumerate()
        .map(|(i, (label, href))| {
            if i == last {
                view! {
                    <li class="breadcrumbs__item">
                        <span class="breadcrumbs__current" aria-current="page">{label}</span>
                    </li>
                }
                .into_any()
            } else {
                view! {
                    <li class="breadcrumbs__item">
                        <a href=href>{label}</a>
                    </li>
                }
                .into_any()
            }
        })
        .collect_view();
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol class="breadcrumbs__list">{items}</ol>
        </nav>
    }
}
