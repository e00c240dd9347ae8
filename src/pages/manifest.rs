//! The manifest page at `/r/{registry}/{repo}/manifests/{digest}`: the manifest's facts
//! (digest, platforms with their own manifests, size, times, media type, its tags), its own lock
//! flags, the repository's inherited lock, and the manifest's lock panel.

use super::{
    item::{item_page, repository_context, ItemKind, RepositoryContext},
    tag::{item_crumbs, manifest_facts, repository_state},
};
use crate::{
    auth::RequireSignIn,
    components::{
        attributes_panel::{AttributesPanel, Fact},
        breadcrumbs::Breadcrumbs,
        digest::DigestText,
        error_view::ErrorView,
        lock_badges::LockBadges,
        lock_panel::LockPanel,
    },
    problem::Problem,
    routes::Route,
    state::locks::lock_action,
};
use acr_client::RegistryClient;
use acr_types::{
    ArtifactRef, ChangeableAttributes, Digest, ManifestAttributesBase, RepositoryName,
};
use leptos::prelude::*;

/// The manifest page: signed-in content only.
#[component]
pub fn ManifestPage() -> impl IntoView {
    view! {
        <RequireSignIn>
            <Manifest />
        </RequireSignIn>
    }
}

/// The page for the manifest in the URL: its client, or the problem that prevents one.
#[component]
fn Manifest() -> impl IntoView {
    item_page(ItemKind {
        heading: "Manifest",
        parse: |route| match route {
            Route::Manifest { registry, repo, digest } => Some((registry, repo, digest)),
            _ => None,
        },
        not_named: || {
            Problem::new(
                "Not a manifest",
                "This address does not name a valid repository and digest.",
                "Go back to the repository and pick a manifest from its list.",
            )
        },
        title: |repo, digest| [repo.as_str(), "@", digest.short()].concat(),
        loaded: |client, registry, repo, digest| {
            view! { <Loaded client registry repo digest /> }.into_any()
        },
    })
}

/// The platforms inside a multi-arch manifest, each linking to its own manifest page.
fn platform_links(
    registry: &str,
    repo: &RepositoryName,
    m: &ManifestAttributesBase,
) -> Option<AnyView> {
    let refs = m.references.as_ref().filter(|r| !r.is_empty())?;
    let items = refs
        .iter()
        .map(|r| {
            let name = match (r.os.as_deref(), r.architecture.as_deref()) {
                (Some(os), Some(arch)) => [os, "/", arch].concat(),
                (Some(one), None) | (None, Some(one)) => one.to_owned(),
                (None, None) => "unknown".to_owned(),
            };
            let href = Route::Manifest {
                registry: registry.to_owned(),
                repo: repo.clone(),
                digest: r.digest.clone(),
            }
            .href();
            view! {
                <li class="platform-list__item">
                    <span class="platform-list__name">{name}</span>
                    <DigestText digest=r.digest.clone() href />
                </li>
            }
        })
        .collect_view();
    Some(
        view! { <Fact label="Platform manifests"><ul class="platform-list">{items}</ul></Fact> }
            .into_any(),
    )
}

/// The manifest page once a client exists.
#[component]
fn Loaded(
    client: RegistryClient,
    registry: String,
    repo: RepositoryName,
    digest: Digest,
) -> impl IntoView {
    let reload = RwSignal::new(0_u64);
    let data = LocalResource::new({
        let (client, repo, digest) = (client.clone(), repo.clone(), digest.clone());
        move || {
            reload.track();
            let (client, repo, digest) = (client.clone(), repo.clone(), digest.clone());
            async move {
                client
                    .get_manifest_properties(&repo, &digest)
                    .await
                    .map(|m| m.manifest)
                    .map_err(Problem::from)
            }
        }
    });
    let RepositoryContext { inherited, can_write, checking_access } =
        repository_context(&client, &repo, reload);
    let target = ArtifactRef::Manifest(repo.clone(), digest.clone());
    let action = lock_action(client, target.clone());
    let saved = RwSignal::new(None::<ChangeableAttributes>);
    Effect::watch(move || reload.get(), move |_, _, _| saved.set(None), false);

    let title = [repo.as_str(), "@", digest.short()].concat();
    let here =
        Route::Manifest { registry: registry.clone(), repo: repo.clone(), digest: digest.clone() }
            .href();
    let crumbs = item_crumbs(&registry, &repo, (digest.short().to_owned(), here.clone()));
    let body = move || {
        let here = here.clone();
        match data.get() {
            None => {
                view! { <p class="card loading-note" role="status">"Loading the manifest…"</p> }
                    .into_any()
            }
            Some(Err(p)) => view! {
                <ErrorView problem=p on_retry=move |_| reload.update(|n| *n += 1) return_to=here />
            }
            .into_any(),
            Some(Ok(m)) => {
                let own = Signal::derive({
                    let loaded = m.changeable_attributes.clone();
                    move || saved.get().unwrap_or_else(|| loaded.clone())
                });
                let (registry, repo, target) = (registry.clone(), repo.clone(), target.clone());
                let panel_registry = registry.clone();
                let aside = ViewFn::from(move || {
                    view! {
                        <LockPanel
                            target=target.clone()
                            attributes=own
                            can_write
                            checking_access
                            inherited
                            action
                            on_changed=move |now: ChangeableAttributes| saved.set(Some(now))
                            registry=panel_registry.clone()
                        />
                    }
                });
                let platforms = platform_links(&registry, &repo, &m);
                let facts = manifest_facts(&registry, &repo, Ok(m.clone()), None);
                view! {
                    <section class="card lock-states" aria-labelledby="lock-states-title">
                        <h2 class="card__title" id="lock-states-title">"Lock state"</h2>
                        <dl class="lock-states__list">
                            <div class="lock-states__item">
                                <dt>"This manifest"</dt>
                                <dd>{move || view! { <LockBadges subject="Manifest" own=own.get() /> }}</dd>
                            </div>
                            <div class="lock-states__item">
                                <dt>"Repository"</dt>
                                <dd>{move || repository_state(inherited.get())}</dd>
                            </div>
                        </dl>
                    </section>
                    <AttributesPanel title="Manifest" aside>
                        <Fact label="Digest">
                            <DigestText digest=m.digest.clone() full=true />
                        </Fact>
                        {facts}
                        {platforms}
                    </AttributesPanel>
                }
                .into_any()
            }
        }
    };
    view! {
        <div class="page browse-page" data-testid="manifest-page">
            <Breadcrumbs crumbs />
            <header class="page-head">
                <p class="page__eyebrow">"Manifest"</p>
                <h1 class="page__title page__title--name">{title}</h1>
            </header>
            {body}
        </div>
    }
}
