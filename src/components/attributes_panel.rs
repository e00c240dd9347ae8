//! AttributesPanel: the facts card of a repository, tag or manifest page (a titled description
//! list of [`Fact`]s), with room beside it for the lock panel. Presentation only.

use leptos::prelude::*;

/// A titled card of facts (`<dl>`), with an optional aside (the lock panel, a card of its own)
/// next to them on wide screens and below them on narrow ones (or always below: `stacked`).
#[component]
pub fn AttributesPanel(
    /// The card's heading.
    #[prop(into)]
    title: String,
    /// The [`Fact`]s.
    children: Children,
    /// Shown beside the facts (below them when `stacked`): the lock panel.
    #[prop(optional, into)]
    aside: Option<ViewFn>,
    /// Put the aside below the facts at every width (for a wide aside).
    #[prop(optional)]
    stacked: bool,
) -> impl IntoView {
    let id = ["facts-", &title.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-")]
        .concat();
    let heading = id.clone();
    let with_aside = aside.is_some();
    view! {
        <div
            class="attributes-panel"
            class:attributes-panel--with-aside=with_aside
            class:attributes-panel--stacked=stacked
        >
            <section class="card attributes-panel__facts" aria-labelledby=heading>
                <h2 class="card__title" id=id>
                    {title}
                </h2>
                <dl class="facts">{children()}</dl>
            </section>
            {aside.map(|a| view! { <div class="attributes-panel__aside">{a.run()}</div> })}
        </div>
    }
}

/// One fact: a label and its value.
#[component]
pub fn Fact(
    /// The label.
    #[prop(into)]
    label: String,
    /// The value.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="facts__item">
            <dt>{label}</dt>
            <dd>{children()}</dd>
        </div>
    }
}
