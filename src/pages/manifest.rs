//! The manifest page at `/r/{registry}/{repo}/manifests/{digest}`: the manifest's facts
//! (digest, platforms with their own manifests, size, times, media type, its tags), its own lock
//! flags, the repository's inherited lock, what ACR would allow or refuse for the manifest now and
//! why, and the manifest's lock panel.

use super::item::{item_frame, item_page, ItemFrame, ItemKind, LockStates, Shown};
use crate::{
    auth::RequireSignIn,
    components::{
        attributes_panel::{AttributesPanel, Fact},
        digest::DigestText,
        manifest_facts::manifest_facts,
        refusals::{Refusals, Subject},
    },
    problem::Problem,
    routes::Route,
};
use acr_client::RegistryClient;
use acr_types::{ArtifactRef, Digest, ManifestAttributesBase, RepositoryName};
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
            view! { <ManifestContents client registry repo digest /> }.into_any()
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
fn ManifestContents(
    client: RegistryClient,
    registry: String,
    repo: RepositoryName,
    digest: Digest,
) -> impl IntoView {
    let here =
        Route::Manifest { registry: registry.clone(), repo: repo.clone(), digest: digest.clone() }
            .href();
    item_frame(ItemFrame {
        target: ArtifactRef::Manifest(repo.clone(), digest.clone()),
        eyebrow: "Manifest",
        test_id: "manifest-page",
        title: [repo.as_str(), "@", digest.short()].concat(),
        crumb: digest.short().to_owned(),
        here,
        loading: "Loading the manifest…",
        load: |client, repo, digest| {
            Box::pin(async move {
                client
                    .get_manifest_properties(&repo, &digest)
                    .await
                    .map(|m| m.manifest)
                    .map_err(Problem::from)
            })
        },
        record: |store, repo, m, ticket| {
            store.record_manifests(repo, std::slice::from_ref(m), ticket);
        },
        tags_of: |m| Some(m.tags.clone().unwrap_or_default()),
        body: manifest_body,
        client,
        registry,
        repo,
        item: digest,
    })
}

/// The manifest page's content: its lock state, what ACR would refuse, its facts and its
/// platforms.
fn manifest_body(m: ManifestAttributesBase, shown: Shown) -> AnyView {
    let Shown { registry, repo, store, own, inherited, panel, contents } = shown;
    let subject = Subject::Manifest(m.digest.clone());
    let manifest_tags = Some(m.tags.clone().unwrap_or_default());
    let refusals = view! {
        <Refusals store repo=repo.clone() subject manifest_tags contents />
    };
    let platforms = platform_links(&registry, &repo, &m);
    let digest = m.digest.clone();
    let facts = manifest_facts(&registry, &repo, Ok(m), None);
    view! {
        <LockStates subject="Manifest" own inherited />
        {refusals}
        <AttributesPanel title="Manifest" aside=panel>
            <Fact label="Digest">
                <DigestText digest full=true />
            </Fact>
            {facts}
            {platforms}
        </AttributesPanel>
    }
    .into_any()
}
