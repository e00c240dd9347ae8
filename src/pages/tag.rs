//! The tag page at `/r/{registry}/{repo}/tags/{tag}`: the tag's facts (digest, platforms, size,
//! times, media type, the other tags on its manifest), its own lock flags next to those of the
//! manifest it points to (ACR keeps them separately) with a link to the manifest, the
//! repository's inherited lock, what ACR would allow or refuse for the tag now and why, and the
//! tag's lock panel.

use super::item::{item_frame, item_page, ItemFrame, ItemKind, LockStates, Shown};
use crate::{
    auth::RequireSignIn,
    components::{
        attributes_panel::{AttributesPanel, Fact},
        digest::DigestText,
        format::RelativeTime,
        lock_badges::LockBadges,
        manifest_facts::manifest_facts,
        refusals::{Refusals, Subject},
    },
    problem::Problem,
    routes::Route,
};
use acr_client::RegistryClient;
use acr_types::{
    ArtifactRef, ChangeableAttributes, ManifestAttributesBase, RepositoryName, TagAttributesBase,
    TagName,
};
use leptos::prelude::*;

/// The tag page: signed-in content only.
#[component]
pub fn TagPage() -> impl IntoView {
    view! {
        <RequireSignIn>
            <Tag />
        </RequireSignIn>
    }
}

/// The page for the tag in the URL: its client, or the problem that prevents one.
#[component]
fn Tag() -> impl IntoView {
    item_page(ItemKind {
        heading: "Tag",
        parse: |route| match route {
            Route::Tag { registry, repo, tag } => Some((registry, repo, tag)),
            _ => None,
        },
        not_named: || {
            Problem::new(
                "Not a tag",
                "This address does not name a valid repository and tag.",
                "Go back to the repository and pick a tag from its list.",
            )
        },
        title: |repo, tag| [repo.as_str(), ":", tag.as_str()].concat(),
        loaded: |client, registry, repo, tag| {
            view! { <TagContents client registry repo tag /> }.into_any()
        },
    })
}

/// A tag and the manifest it points to (or why the manifest could not be read).
#[derive(Clone)]
struct TagAndManifest {
    tag: TagAttributesBase,
    manifest: Result<ManifestAttributesBase, Problem>,
}

/// The tag page once a client exists.
#[component]
fn TagContents(
    client: RegistryClient,
    registry: String,
    repo: RepositoryName,
    tag: TagName,
) -> impl IntoView {
    let here =
        Route::Tag { registry: registry.clone(), repo: repo.clone(), tag: tag.clone() }.href();
    item_frame(ItemFrame {
        target: ArtifactRef::Tag(repo.clone(), tag.clone()),
        eyebrow: "Tag",
        test_id: "tag-page",
        title: [repo.as_str(), ":", tag.as_str()].concat(),
        crumb: tag.to_string(),
        here,
        loading: "Loading the tag…",
        load: |client, repo, tag| {
            Box::pin(async move {
                let tag = client.get_tag_properties(&repo, &tag).await.map_err(Problem::from)?.tag;
                let manifest = client
                    .get_manifest_properties(&repo, &tag.digest)
                    .await
                    .map(|m| m.manifest)
                    .map_err(Problem::from);
                Ok(TagAndManifest { tag, manifest })
            })
        },
        record: |store, repo, t, ticket| {
            store.record_tags(repo, std::slice::from_ref(&t.tag), ticket);
            if let Ok(m) = &t.manifest {
                store.record_manifests(repo, std::slice::from_ref(m), ticket);
            }
        },
        tags_of: |t| t.manifest.as_ref().ok().map(|m| m.tags.clone().unwrap_or_default()),
        body: tag_body,
        client,
        registry,
        repo,
        item: tag,
    })
}

/// The tag page's content: its lock state beside its manifest's, what ACR would refuse, and its
/// facts.
fn tag_body(TagAndManifest { tag: t, manifest }: TagAndManifest, shown: Shown) -> AnyView {
    let Shown { registry, repo, store, own, inherited, panel, contents } = shown;
    let subject = Subject::Tag(t.name.clone(), t.digest.clone());
    let manifest_tags = manifest.as_ref().ok().map(|m| m.tags.clone().unwrap_or_default());
    let refusals = view! {
        <Refusals store=store.clone() repo=repo.clone() subject manifest_tags contents />
    };
    let manifest_href = Route::Manifest {
        registry: registry.clone(),
        repo: repo.clone(),
        digest: t.digest.clone(),
    }
    .href();
    // The manifest's flags from the store: a lock changed on the manifest's page shows here.
    let manifest_key = ArtifactRef::Manifest(repo.clone(), t.digest.clone());
    let readable = manifest.is_ok();
    let manifest_row = {
        let href = manifest_href.clone();
        move || manifest_row(store.flags(&manifest_key).filter(|_| readable), href.clone())
    };
    let facts = manifest_facts(&registry, &repo, manifest, Some(&t.name));
    view! {
        <LockStates subject="Tag" own inherited>
            <div class="lock-states__item">
                <dt>"Its manifest"</dt>
                <dd>{manifest_row}</dd>
            </div>
        </LockStates>
        {refusals}
        <AttributesPanel title="Tag" aside=panel>
            <Fact label="Digest">
                <DigestText digest=t.digest.clone() href=manifest_href full=true />
            </Fact>
            <Fact label="Tag created">
                <RelativeTime time=t.created_time.clone() />
            </Fact>
            <Fact label="Tag updated">
                <RelativeTime time=t.last_update_time.clone() />
            </Fact>
            {t.signed.map(|s| view! { <Fact label="Signed">{if s { "Yes" } else { "No" }}</Fact> })}
            {facts}
        </AttributesPanel>
    }
    .into_any()
}

/// A tag's manifest in its lock state card: the manifest's flags with a link to its page, or
/// why they are unknown.
fn manifest_row(flags: Option<ChangeableAttributes>, href: String) -> AnyView {
    match flags {
        Some(m) => view! {
            <LockBadges subject="Manifest" own=m />
            <a href=href class="lock-states__link">"Open the manifest"</a>
        }
        .into_any(),
        None => view! { <span class="muted">"Unknown: the manifest could not be read"</span> }
            .into_any(),
    }
}
