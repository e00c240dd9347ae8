//! The overview page at `/`: a welcome, the registry picker (every registry of the
//! configuration, each a link to its repositories, with its login server and how it signs in)
//! and what the lock flags mean. It loads no registry data and never redirects by itself.

use crate::{
    config::{SharedConfig, SignInKind},
    routes::Route,
};
use leptos::prelude::*;

/// The four changeable attributes ACR keeps on a repository, tag or manifest, and what each
/// one controls.
const LOCK_FLAGS: [(&str, &str); 4] = [
    ("Write", "Push or overwrite. Off means the image is locked against overwriting."),
    ("Delete", "Delete the repository, tag or manifest. Off protects it from deletion."),
    ("Read", "Pull the image. Off blocks pulls."),
    ("List", "Appear in listings. Off hides it from catalog and tag lists."),
];

/// How a registry signs in, in words.
pub fn sign_in_name(kind: SignInKind) -> &'static str {
    match kind {
        SignInKind::Entra => "Microsoft Entra ID",
        SignInKind::Token => "ACR token (username and password)",
    }
}

/// The overview: a welcome, the registry picker, and the meaning of the lock flags.
#[component]
pub fn HomePage() -> impl IntoView {
    let config = expect_context::<SharedConfig>();
    let registries = config
        .registries
        .iter()
        .map(|r| {
            let href = Route::repositories(r.name.clone()).href();
            view! {
                <li class="registry-picker__item">
                    <a class="registry-picker__link" href=href>
                        <span class="registry-picker__name">{r.name.clone()}</span>
                        <span class="registry-picker__server">{r.login_server.clone()}</span>
                        <span class="registry-picker__sign-in">
                            "Signs in with " {sign_in_name(r.sign_in)}
                        </span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let none = config.registries.is_empty().then(|| {
        view! {
            <p class="empty-state">
                "No registry is configured: add one to the registries list of config.json."
            </p>
        }
    });
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
                <p class="card__lead">"Pick a registry to browse its repositories and their locks."</p>
                {none}
                <ul class="registry-picker">{registries}</ul>
            </section>

            <section class="card" aria-labelledby="flags-title">
                <h2 id="flags-title" class="card__title">"What the lock flags mean"</h2>
                <dl class="flag-list">{flags}</dl>
            </section>
        </div>
    }
}
