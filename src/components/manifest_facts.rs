//! The facts a tag page and a manifest page share about a manifest: platforms, size, media
//! type, its times and its tags (links), or why it could not be read.

use super::{
    attributes_panel::Fact,
    format::{human_size, media_type_name, RelativeTime},
    manifest_table::platform_cell,
};
use crate::{problem::Problem, routes::Route};
use acr_types::{ManifestAttributesBase, RepositoryName, TagName};
use leptos::prelude::*;

/// The facts a tag page and a manifest page share: platforms, size, media type, the manifest's
/// times and its tags (links; `except` is left out). A manifest that could not be read says why.
pub fn manifest_facts(
    registry: &str,
    repo: &RepositoryName,
    manifest: Result<ManifestAttributesBase, Problem>,
    except: Option<&TagName>,
) -> AnyView {
    let m = match manifest {
        Ok(m) => m,
        Err(p) => {
            let text =
                ["The manifest could not be read: ", p.title.as_str(), ". ", p.detail.as_str()]
                    .concat();
            return view! { <Fact label="Manifest">{text}</Fact> }.into_any();
        }
    };
    let tags = m
        .tags
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| Some(t) != except)
        .map(|t| {
            let href =
                Route::Tag { registry: registry.to_owned(), repo: repo.clone(), tag: t.clone() }
                    .href();
            view! {
                <li>
                    <a class="tag-chip" href=href>
                        {t.to_string()}
                    </a>
                </li>
            }
        })
        .collect::<Vec<_>>();
    let tags_label = if except.is_some() { "Other tags on this manifest" } else { "Tags" };
    let tags_view = if tags.is_empty() {
        view! { <span class="muted">"None"</span> }.into_any()
    } else {
        view! { <ul class="chip-list">{tags}</ul> }.into_any()
    };
    let size = m.image_size.map_or_else(|| "Unknown".to_owned(), human_size);
    let platform = platform_cell(&m);
    let media = m.media_type.clone().unwrap_or_default();
    let media_name = media_type_name(m.media_type.as_deref());
    let (created, updated) = (m.created_time, m.last_update_time);
    view! {
        <Fact label="Platform">{platform}</Fact>
        <Fact label="Size">{size}</Fact>
        <Fact label="Media type">
            <span title=media>{media_name}</span>
        </Fact>
        <Fact label="Manifest pushed">
            <RelativeTime time=created />
        </Fact>
        <Fact label="Manifest updated">
            <RelativeTime time=updated />
        </Fact>
        <Fact label=tags_label>{tags_view}</Fact>
    }
    .into_any()
}
