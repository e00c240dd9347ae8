//! The overview page at `/`: a welcome, what the lock flags mean, and the registries section.
//! Until sign-in exists it loads no data and says so plainly instead of showing sample content.

use leptos::prelude::*;

/// The four changeable attributes ACR keeps on a repository, tag or manifest, and what each
/// one controls.
const LOCK_FLAGS: [(&str, &str); 4] = [
    ("Write", "Push or overwrite. Off means the image is locked against overwriting."),
    ("Delete", "Delete the repository, tag or manifest. Off protects it from deletion."),
    ("Read", "Pull the image. Off blocks pulls."),
    ("List", "Appear in listings. Off hides it from catalog and tag lists."),
];

/// The overview: a welcome, the meaning of the lock flags, and a "Registries" section that says
/// honestly that no registry is connected yet.
#[component]
pub fn HomePage() -> impl IntoView {
    let flags = LOCK_FLAGS
        .into_iter()
        .map(|(name, meaning)| {
            view! {
                <div class="flag-list__item">
                    <dt>{name}</dt>
                    <dd>{meaning}</dd>
                </div>
            }
        })
        .collect_view();

    view! {
        <div class="page" data-testid="home-page">
            <h1 class="page__title">"Welcome to ACR Console"</h1>
            <p class="page__lead">
                "See and change the locks on your Azure Container Registry images: whether a "
                "repository, tag or manifest can be overwritten, deleted, pulled or listed."
            </p>

            <section class="card" aria-labelledby="registries-title" data-testid="registries">
                <h2 id="registries-title" class="card__title">"Registries"</h2>
                <p class="empty-state">
                    "No registry is connected. Signing in with Microsoft Entra ID and browsing "
                    "your registries arrive in the next release of the console; this build "
                    "shows no registry data."
                </p>
            </section>

            <section class="card" aria-labelledby="flags-title">
                <h2 id="flags-title" class="card__title">"What the lock flags mean"</h2>
                <dl class="flag-list">{flags}</dl>
            </section>
        </div>
    }
}
