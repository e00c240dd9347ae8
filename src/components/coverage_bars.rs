//! The status page's picture: the totals per lock state, one bar per repository (SVG, colour AND
//! a pattern per state, so it reads in greyscale), the legend saying what each state lets ACR
//! do, and the same figures as a table for screen readers and for copying.

use super::format::thousands;
use acr_bulk::coverage::{Protection, RepoCoverage, StateCounts};
use leptos::prelude::*;

/// The CSS class of a state's segment (fill and pattern live in the stylesheet's SVG defs).
fn class_of(p: Protection) -> &'static str {
    match p {
        Protection::Locked => "cov cov--locked",
        Protection::DeleteProtected => "cov cov--delete",
        Protection::UpdatesPrevented => "cov cov--updates",
        Protection::Unlocked => "cov cov--unlocked",
    }
}

/// The pattern id of a state.
fn pattern_of(p: Protection) -> &'static str {
    match p {
        Protection::Locked => "url(#cov-locked)",
        Protection::DeleteProtected => "url(#cov-delete)",
        Protection::UpdatesPrevented => "url(#cov-updates)",
        Protection::Unlocked => "url(#cov-unlocked)",
    }
}

/// The SVG patterns the bars use, once per page.
#[component]
pub fn CoveragePatterns() -> impl IntoView {
    view! {
        <svg class="cov-defs" width="0" height="0" aria-hidden="true" focusable="false">
            <defs>
                <pattern id="cov-locked" width="6" height="6" patternUnits="userSpaceOnUse">
                    <rect width="6" height="6" class="cov-fill--locked" />
                </pattern>
                <pattern id="cov-delete" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                    <rect width="6" height="6" class="cov-fill--delete" />
                    <line x1="0" y1="0" x2="0" y2="6" class="cov-stroke" />
                </pattern>
                <pattern id="cov-updates" width="6" height="6" patternUnits="userSpaceOnUse">
                    <rect width="6" height="6" class="cov-fill--updates" />
                    <circle cx="3" cy="3" r="1.2" class="cov-dot" />
                </pattern>
                <pattern id="cov-unlocked" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">
                    <rect width="8" height="8" class="cov-fill--unlocked" />
                    <line x1="0" y1="0" x2="0" y2="8" class="cov-stroke cov-stroke--wide" />
                </pattern>
            </defs>
        </svg>
    }
}

/// A horizontal stacked bar of `counts` (`aria-hidden`: the figures are given as text beside it
/// and in the table).
#[component]
pub fn CoverageBar(
    /// The items per state.
    counts: StateCounts,
) -> impl IntoView {
    let total = counts.total().max(1) as f64;
    let mut x = 0.0;
    let segments = Protection::ALL
        .into_iter()
        .filter(|p| counts.get(*p) > 0)
        .map(|p| {
            let w = counts.get(p) as f64 / total * 100.0;
            let seg = view! {
                <rect x=format!("{x:.3}") y="0" width=format!("{w:.3}") height="10" class=class_of(p) fill=pattern_of(p) />
            };
            x += w;
            seg
        })
        .collect_view();
    view! {
        <svg class="cov-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
            {segments}
        </svg>
    }
}

/// "3 of 10 tags locked"-style text of `counts`.
pub fn locked_text(counts: &StateCounts, plural: &str) -> String {
    [
        thousands(counts.get(Protection::Locked)).as_str(),
        " of ",
        &thousands(counts.total()),
        " ",
        plural,
        " locked",
    ]
    .concat()
}

/// The legend: each state's swatch, name and what it lets ACR do.
#[component]
pub fn CoverageLegend() -> impl IntoView {
    let items = Protection::ALL
        .into_iter()
        .map(|p| {
            view! {
                <li class="cov-legend__item">
                    <svg class="cov-swatch" viewBox="0 0 10 10" aria-hidden="true" focusable="false">
                        <rect width="10" height="10" class=class_of(p) fill=pattern_of(p) />
                    </svg>
                    <span><strong>{p.label()}</strong>": "{p.meaning()}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="cov-legend" aria-label="What each state lets ACR do">{items}</ul> }
}

/// The figures of every repository as a table.
#[component]
pub fn CoverageTable(
    /// The repositories, in the order shown.
    #[prop(into)]
    repos: Signal<Vec<RepoCoverage>>,
) -> impl IntoView {
    let rows = move || {
        repos
            .get()
            .into_iter()
            .map(|r| {
                let cells = Protection::ALL
                    .into_iter()
                    .map(|p| view! { <td>{thousands(r.tags.get(p))}</td> })
                    .collect_view();
                let m = Protection::ALL
                    .into_iter()
                    .map(|p| view! { <td>{thousands(r.manifests.get(p))}</td> })
                    .collect_view();
                let locked = if r.repository_locked() { "yes" } else { "no" };
                view! {
                    <tr data-repository=r.name.clone()>
                        <th scope="row">{r.name.clone()}</th>
                        <td>{locked}</td>
                        {cells}
                        {m}
                    </tr>
                }
            })
            .collect_view()
    };
    let heads = |what: &'static str| {
        Protection::ALL
            .into_iter()
            .map(move |p| view! { <th scope="col">{[what, ": ", p.label()].concat()}</th> })
            .collect_view()
    };
    view! {
        // Wider than a phone: it scrolls sideways in its own box, which a keyboard can focus.
        <div class="cov-table-wrap" tabindex="0" role="region" aria-label="Figures per repository">
            <table class="cov-table" data-testid="coverage-table">
                <caption>"Tags and manifests per repository and lock state"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Repository"</th>
                        <th scope="col">"Repository locked"</th>
                        {heads("Tags")}
                        {heads("Manifests")}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
