//! Paged lists: a stream of pages that follows `Link` to the end, reports how many items have
//! arrived so far, and refuses links that leave the list or repeat (no silent truncation, no
//! endless loops).

use crate::{
    auth::Resource,
    client::{decode, Op, RegistryClient},
    endpoints, link, ClientError,
};
use futures_util::stream::{self, LocalBoxStream, StreamExt};
use http::Method;
use std::collections::HashSet;

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Items received so far, this page included.
    pub loaded: usize,
    /// Whether the registry announced another page.
    pub more: bool,
}

/// A stream of pages; it ends after the last page or the first error.
pub type Pages<'a, T> = LocalBoxStream<'a, Result<Page<T>, ClientError>>;

struct Cursor {
    next: Option<String>,
    seen: HashSet<String>,
    loaded: usize,
    done: bool,
}

impl RegistryClient {
    /// Streams every page of a list starting at `first` (a path relative to the registry root).
    pub(crate) fn pages<W, T>(
        &self,
        first: String,
        resource: Resource,
        what: String,
        items: fn(W) -> Vec<T>,
    ) -> Pages<'_, T>
    where
        W: serde::de::DeserializeOwned + 'static,
        T: 'static,
    {
        let base = endpoints::list_base(&first);
        let cursor = Cursor { next: Some(first), seen: HashSet::new(), loaded: 0, done: false };
        stream::unfold(cursor, move |mut c| {
            let (resource, what, base) = (resource.clone(), what.clone(), base.clone());
            async move {
                if c.done {
                    return None;
                }
                let path = c.next.take()?;
                let op = Op {
                    method: Method::GET,
                    path,
                    body: None,
                    resource,
                    action: "read",
                    what: what.clone(),
                };
                let result = async {
                    let res = self.execute(op).await?;
                    let next = match res.headers().get(http::header::LINK) {
                        None => None,
                        Some(v) => {
                            let raw = v.to_str().ok().and_then(link::next_target).ok_or_else(|| {
                                ClientError::unexpected(format!("the next-page link of {what} cannot be read"))
                            })?;
                            let path = self.inner.endpoint.resolve(&raw, "next-page link")?;
                            if endpoints::list_base(&path) != base {
                                return Err(ClientError::unexpected(format!(
                                    "the next-page link of {what} leads to another list; it was not followed"
                                )));
                            }
                            Some(path)
                        }
                    };
                    let page: W = decode(&res, &what)?;
                    Ok((items(page), next))
                }
                .await;
                match result {
                    Ok((items, next)) => {
                        if let Some(n) = &next {
                            if !c.seen.insert(n.clone()) {
                                c.done = true;
                                return Some((
                                    Err(ClientError::unexpected(format!(
                                        "the registry sent the same next page of {what} twice after {} items; stopped",
                                        c.loaded + items.len()
                                    ))),
                                    c,
                                ));
                            }
                        }
                        c.loaded += items.len();
                        c.next = next;
                        let page = Page { items, loaded: c.loaded, more: c.next.is_some() };
                        Some((Ok(page), c))
                    }
                    Err(e) => {
                        c.done = true;
                        Some((Err(e), c))
                    }
                }
            }
        })
        .boxed_local()
    }
}

/// Collects every page, calling `progress` with the running count after each.
pub async fn collect_all<T>(
    mut pages: Pages<'_, T>,
    mut progress: impl FnMut(usize),
) -> Result<Vec<T>, ClientError> {
    let mut all = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page?;
        progress(page.loaded);
        all.extend(page.items);
    }
    Ok(all)
}
