//! Breadcrumbs: where a browsing page sits (registry › repository › tag), each level a link,
//! the last one the current page.

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
            let current = i == last;
            view! {
                <li class="breadcrumbs__item">
                    <a href=href aria-current=current.then_some("page")>
                        {label}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol class="breadcrumbs__list">{items}</ol>
        </nav>
    }
}
