//! The digest search at `/r/{registry}/-/find?digest=sha256:…`: which repositories hold the
//! image and under which tags. It asks each repository of the catalog for the manifest (one
//! request per repository, six at a time), with progress and cancel; every match links to its
//! manifest page.

use crate::{
    auth::{callback, RequireSignIn},
    components::{
        breadcrumbs::Breadcrumbs,
        error_view::{ErrorView, ProblemPlace},
        format::{count_of, thousands},
    },
    problem::Problem,
    routes::Route,
    state::{bulk_read::Cancel, registry::use_client},
};
use acr_client::{ClientError, RegistryClient};
use acr_types::{Digest, RepositoryName, TagName};
use futures_util::{stream::FuturesUnordered, StreamExt};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_location;

/// Repositories asked at once.
const ASKED_AT_ONCE: usize = 6;

/// The digest search: signed-in content only.
#[component]
pub fn FindPage() -> impl IntoView {
    view! {
        <RequireSignIn>
            <Find />
        </RequireSignIn>
    }
}

#[component]
fn Find() -> impl IntoView {
    let location = use_location();
    let here = Memo::new(move |_| callback::here(&location.pathname.get(), &location.search.get()));
    let target = Memo::new(move |_| match Route::parse(&here.get()) {
        Some(Route::Find { registry, digest }) => Some((registry, digest)),
        _ => None,
    });
    move || {
        let Some((registry, digest)) = target.get() else {
            return view! {
                <div class="page">
                    <h1 class="page__title">"Find an image"</h1>
                    <ErrorView problem=Problem::new("Not a digest", "This address does not name a valid digest.", "Paste a digest such as sha256:… into the search box.") />
                </div>
            }
            .into_any();
        };
        match use_client(&registry) {
            Ok(client) => view! { <FindContents client registry digest /> }.into_any(),
            Err(problem) => view! {
                <div class="page"><h1 class="page__title">"Find an image"</h1><ErrorView problem /></div>
            }
            .into_any(),
        }
    }
}

#[component]
fn FindContents(client: RegistryClient, registry: String, digest: Digest) -> impl IntoView {
    let found: RwSignal<Vec<(RepositoryName, Vec<TagName>)>> = RwSignal::new(Vec::new());
    let asked = RwSignal::new((0usize, None::<usize>));
    let done = RwSignal::new(false);
    let problem: RwSignal<Option<Problem>> = RwSignal::new(None);
    let cancel = StoredValue::new(Cancel::default());
    {
        let (client, digest) = (client.clone(), digest.clone());
        let c = cancel.get_value();
        spawn_local(async move {
            let names = match acr_client::collect_all(client.list_repositories(), |_| {}).await {
                Ok(n) => n,
                Err(e) => {
                    problem.try_set(Some(Problem::from(&e)));
                    done.try_set(true);
                    return;
                }
            };
            asked.try_set((0, Some(names.len())));
            let mut next = 0;
            let mut flying = FuturesUnordered::new();
            loop {
                while flying.len() < ASKED_AT_ONCE && next < names.len() && !c.is_cancelled() {
                    let (client, repo, digest) = (&client, names[next].clone(), &digest);
                    flying.push(async move {
                        let r = client.get_manifest_properties(&repo, digest).await;
                        (repo, r)
                    });
                    next += 1;
                }
                let Some((repo, r)) = flying.next().await else { break };
                asked.try_update(|a| a.0 += 1);
                match r {
                    Ok(m) => {
                        let tags = m.manifest.tags.unwrap_or_default();
                        found.try_update(|f| f.push((repo, tags)));
                    }
                    Err(ClientError::NotFound { .. }) => {}
                    Err(e) => {
                        problem.try_set(Some(Problem::from(&e)));
                    }
                }
            }
            done.try_set(true);
        });
    }
    let status = move || {
        let (n, total) = asked.get();
        let total = total.map(thousands).unwrap_or_else(|| "…".into());
        let text = if done.get() {
            [
                count_of(found.with(Vec::len), "repository holds", "repositories hold").as_str(),
                " this image (",
                &thousands(n),
                " asked).",
            ]
            .concat()
        } else {
            ["Asking the repositories: ", &thousands(n), " of ", &total, "…"].concat()
        };
        view! { <p role="status" data-testid="find-status">{text}</p> }
    };
    let rows = {
        let (registry, digest) = (registry.clone(), digest.clone());
        move || {
            found
                .get()
                .into_iter()
                .map(|(repo, tags)| {
                    let href = Route::Manifest {
                        registry: registry.clone(),
                        repo: repo.clone(),
                        digest: digest.clone(),
                    }
                    .href();
                    let tags = if tags.is_empty() {
                        "untagged".to_owned()
                    } else {
                        tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
                    };
                    view! { <li><a href=href>{repo.to_string()}</a>" — tags: "{tags}</li> }
                })
                .collect_view()
        }
    };
    let crumbs = vec![
        ("Registries".to_owned(), Route::Home.href()),
        (registry.clone(), Route::repositories(registry.clone()).href()),
        (
            "Find an image".to_owned(),
            Route::Find { registry: registry.clone(), digest: digest.clone() }.href(),
        ),
    ];
    view! {
        <div class="page bulk-page" data-testid="find-page">
            <Breadcrumbs crumbs />
            <header class="page-head">
                <p class="page__eyebrow">{registry.clone()}</p>
                <h1 class="page__title">"Find an image"</h1>
                <p class="find__digest">{digest.to_string()}</p>
            </header>
            <div class="bulk-reading">
                {status}
                {move || (!done.get()).then(|| view! {
                    <button type="button" class="button" on:click=move |_| cancel.with_value(Cancel::cancel)>"Cancel"</button>
                })}
            </div>
            {move || problem.get().map(|p| view! { <ErrorView problem=p place=ProblemPlace::Panel /> })}
            <ul class="status-items" data-testid="find-results">{rows}</ul>
        </div>
    }
}
