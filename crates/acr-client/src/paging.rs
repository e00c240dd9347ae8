//! Paged lists: a stream of pages that follows `Link` to the end, reports how many items have
//! arrived so far, and refuses links that leave the list, repeat a page (the same `last`, the
//! first page included) or go on past `ClientOptions::max_pages` (no silent truncation, no
//! endless loops).

use crate::{
    acr_paths,
    auth::Resource,
    client::{decode, Op, RegistryClient},
    link, ClientError,
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
    /// Entries of this page that could not be read (an invalid name, markup, a missing field),
    /// each named as plain text with the reason: they are left out, and said so, rather than
    /// making the whole list unreadable.
    pub skipped: Vec<String>,
}

/// Longest text kept of an entry that could not be read.
const SKIPPED_TEXT: usize = 80;

/// Plain text naming an entry that could not be read: its name (or digest), at most
/// [`SKIPPED_TEXT`] characters, control characters replaced, and why.
fn describe_skipped(v: &serde_json::Value, error: &serde_json::Error) -> String {
    let name = v
        .as_str()
        .map(str::to_owned)
        .or_else(|| ["name", "digest"].iter().find_map(|k| v.get(k)?.as_str().map(str::to_owned)))
        .unwrap_or_else(|| v.to_string());
    let mut text: String = name
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .take(SKIPPED_TEXT)
        .collect();
    if name.chars().count() > SKIPPED_TEXT {
        text.push('…');
    }
    let reason = error.to_string();
    let reason: String = reason
        .split(" at line ")
        .next()
        .unwrap_or(&reason)
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .take(200)
        .collect();
    format!("“{text}” ({reason})")
}

/// Reads the list `field` of a page's body item by item: entries that cannot be read are named
/// in the second list instead of failing the page. `null` (an empty catalog) is no items.
fn read_items<T: serde::de::DeserializeOwned>(
    body: &serde_json::Value,
    field: &str,
    what: &str,
) -> Result<(Vec<T>, Vec<String>), ClientError> {
    let list = match body.get(field) {
        None | Some(serde_json::Value::Null) => return Ok((Vec::new(), Vec::new())),
        Some(serde_json::Value::Array(list)) => list,
        Some(_) => {
            return Err(ClientError::unexpected(format!(
                "the answer for {what} could not be read ('{field}' is not a list)"
            )))
        }
    };
    let mut items = Vec::with_capacity(list.len());
    let mut skipped = Vec::new();
    for v in list {
        match T::deserialize(v) {
            Ok(item) => items.push(item),
            Err(e) => skipped.push(describe_skipped(v, &e)),
        }
    }
    Ok((items, skipped))
}

/// A stream of pages; it ends after the last page or the first error.
pub type Pages<'a, T> = LocalBoxStream<'a, Result<Page<T>, ClientError>>;

struct Cursor {
    next: Option<String>,
    /// [`page_key`] of every page requested or announced.
    seen: HashSet<String>,
    /// Pages received.
    pages: usize,
    loaded: usize,
    /// Why the list stops after the page just yielded (its items are kept).
    failure: Option<ClientError>,
    done: bool,
}

/// What identifies a page of a list: its path and its `last` (the name the page starts after),
/// both percent-decoded. Other parameters (`n`, `orderby`, anything a registry adds) do not make
/// a page new, so a registry cannot loop by varying them.
fn page_key(path: &str) -> String {
    let last = path
        .split_once('?')
        .map(|(_, query)| query)
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "last")
        .map(|(_, v)| percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned());
    format!("{}?last={}", acr_paths::list_base(path), last.unwrap_or_default())
}

impl RegistryClient {
    /// Streams every page of a list starting at `first` (a path relative to the registry root).
    pub(crate) fn pages<T>(
        &self,
        first: String,
        resource: Resource,
        what: String,
        field: &'static str,
    ) -> Pages<'_, T>
    where
        T: serde::de::DeserializeOwned + 'static,
    {
        let base = acr_paths::list_base(&first);
        let max_pages = self.options().max_pages.max(1);
        let seen = HashSet::from([page_key(&first)]);
        let cursor =
            Cursor { next: Some(first), seen, pages: 0, loaded: 0, failure: None, done: false };
        stream::unfold(cursor, move |mut c| {
            let (resource, what, base) = (resource.clone(), what.clone(), base.clone());
            async move {
                if c.done {
                    return None;
                }
                if let Some(e) = c.failure.take() {
                    c.done = true;
                    return Some((Err(e), c));
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
                    let unreadable = || {
                        ClientError::unexpected(format!(
                            "the next-page link of {what} cannot be read"
                        ))
                    };
                    // No header, or one that names no next page (only `prev`, say): the end.
                    let raw = match res.headers().get(http::header::LINK) {
                        None => None,
                        Some(v) => match v.to_str().map(link::next) {
                            Ok(Ok(next)) => next,
                            _ => return Err(unreadable()),
                        },
                    };
                    let next = match raw {
                        None => None,
                        Some(raw) => {
                            let path = self.inner.endpoint.resolve(&raw, "next-page link")?;
                            if acr_paths::list_base(&path) != base {
                                return Err(ClientError::misdirected(format!(
                                    "the next-page link of {what} leads to another list; it was not followed"
                                )));
                            }
                            Some(path)
                        }
                    };
                    let body: serde_json::Value = decode(&res, &what)?;
                    let (items, skipped) = read_items::<T>(&body, field, &what)?;
                    Ok((items, skipped, next))
                }
                .await;
                match result {
                    Ok((items, skipped, next)) => {
                        c.pages += 1;
                        let refused = match &next {
                            Some(n) if !c.seen.insert(page_key(n)) => Some(format!(
                                "the registry sent the same next page of {what} again, after {} items; stopped",
                                c.loaded + items.len()
                            )),
                            Some(_) if c.pages >= max_pages => Some(format!(
                                "{what} did not end after {max_pages} pages ({} items); stopped",
                                c.loaded + items.len()
                            )),
                            _ => None,
                        };
                        c.loaded += items.len();
                        if let Some(message) = refused {
                            // This page is good; only its link is not followed. Its items are
                            // yielded, then the error ends the list.
                            c.failure = Some(ClientError::unexpected(message));
                            let page = Page { items, loaded: c.loaded, more: true, skipped };
                            return Some((Ok(page), c));
                        }
                        c.next = next;
                        let more = c.next.is_some();
                        let page = Page { items, loaded: c.loaded, more, skipped };
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

#[cfg(test)]
mod tests {
    use super::{page_key, read_items};
    use acr_types::TagAttributesBase;

    #[test]
    fn one_bad_entry_is_named_and_the_rest_are_read() {
        let ok = |name: &str| {
            serde_json::json!({"name": name, "digest": format!("sha256:{}", "a".repeat(64)),
                "createdTime": "2026-01-01T00:00:00Z", "lastUpdateTime": "2026-01-01T00:00:00Z",
                "changeableAttributes": {"deleteEnabled": true, "writeEnabled": true, "readEnabled": true, "listEnabled": true}})
        };
        let body = serde_json::json!({"tags": [ok("1.0"), ok("<img src=x onerror=alert(1)>"), ok("2.0"), 7]});
        let (items, skipped) = read_items::<TagAttributesBase>(&body, "tags", "the tags").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(skipped.len(), 2);
        assert!(skipped[0].starts_with("“<img src=x onerror=alert(1)>” ("), "{}", skipped[0]);
        assert!(skipped[1].starts_with("“7” ("), "{}", skipped[1]);
        let (none, _) =
            read_items::<TagAttributesBase>(&serde_json::json!({"tags": null}), "tags", "x")
                .unwrap();
        assert!(none.is_empty());
        assert!(
            read_items::<TagAttributesBase>(&serde_json::json!({"tags": 3}), "tags", "x").is_err()
        );
        let long = "x".repeat(500);
        let (_, skipped) =
            read_items::<TagAttributesBase>(&serde_json::json!({"tags": [long]}), "tags", "x")
                .unwrap();
        assert!(skipped[0].chars().count() < 320, "{}", skipped[0]);
        let bell = serde_json::json!({"tags": ["a\u{7}b"]});
        let (_, skipped) = read_items::<TagAttributesBase>(&bell, "tags", "x").unwrap();
        assert!(!skipped[0].chars().any(char::is_control), "{:?}", skipped[0]);
    }

    #[test]
    fn a_page_is_its_list_and_its_last_name_whatever_else_the_link_carries() {
        assert_eq!(page_key("/acr/v1/_catalog?n=100"), "/acr/v1/_catalog?last=");
        assert_eq!(
            page_key("/acr/v1/_catalog?last=a%2Fb&n=5&orderby="),
            page_key("/acr/v1/_catalog?junk=1&last=a/b")
        );
        assert_ne!(page_key("/acr/v1/_catalog?last=a"), page_key("/acr/v1/_catalog?last=b"));
        assert_ne!(page_key("/acr/v1/x/_tags?last=a"), page_key("/acr/v1/y/_tags?last=a"));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod endless {
    use crate::{client::tests::client, collect_all, ClientOptions};
    use acr_types::OrderBy;
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    fn tags_page(link: &str) -> crate::HttpResponse {
        let body =
            serde_json::json!({"registry": "prod.azurecr.io", "imageName": "prod/api", "tags": []});
        crate::transport::fake::json_response(200, &body, &[("link", link)])
    }

    fn next(last: &str, extra: &str) -> String {
        format!("</acr/v1/prod%2Fapi/_tags?last={last}&n=1{extra}>; rel=\"next\"")
    }

    async fn list_error(
        options: ClientOptions,
        link: impl Fn(usize) -> String + Send + Sync + 'static,
    ) -> (String, usize) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let (c, _) = client(options, move |_| {
            let call = counted.fetch_add(1, Ordering::Relaxed);
            Ok(tags_page(&link(call)))
        });
        let repo = acr_types::RepositoryName::new("prod/api").unwrap();
        let e = collect_all(c.list_tags(&repo, OrderBy::None), |_| {}).await.unwrap_err();
        (e.to_string(), calls.load(Ordering::Relaxed))
    }

    #[tokio::test]
    async fn a_link_cycling_back_to_the_first_page_is_stopped_before_it_is_fetched_again() {
        let (e, pages) = list_error(ClientOptions::default(), |call| match call % 2 {
            0 => next("a", ""),
            _ => "</acr/v1/prod%2Fapi/_tags?n=1>; rel=\"next\"".to_owned(),
        })
        .await;
        assert!(e.contains("same next page"), "{e}");
        assert_eq!(pages, 2, "the first page and the one after it, nothing more");
    }

    #[tokio::test]
    async fn a_link_naming_no_next_page_ends_the_list() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let (c, _) = client(ClientOptions::default(), move |_| {
            Ok(tags_page(match counted.fetch_add(1, Ordering::Relaxed) {
                0 => "</acr/v1/prod%2Fapi/_tags?last=a&n=1>; rel=\"next\"",
                // The last page points back only.
                _ => "</acr/v1/prod%2Fapi/_tags?n=1>; rel=\"prev\"",
            }))
        });
        let repo = acr_types::RepositoryName::new("prod/api").unwrap();
        collect_all(c.list_tags(&repo, OrderBy::None), |_| {}).await.unwrap();
        assert_eq!(calls.load(Ordering::Relaxed), 2);
        // A header that cannot be read still fails the list.
        let (e, _) = list_error(ClientOptions::default(), |_| "garbage".to_owned()).await;
        assert!(e.contains("cannot be read"), "{e}");
    }

    #[tokio::test]
    async fn a_link_that_only_varies_other_parameters_is_the_same_page() {
        let (e, pages) =
            list_error(ClientOptions::default(), |call| next("a", &format!("&junk={call}"))).await;
        assert!(e.contains("same next page"), "{e}");
        assert_eq!(pages, 2);
    }

    #[tokio::test]
    async fn the_page_whose_link_is_refused_is_kept_before_the_error() {
        use futures_util::StreamExt;
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let (c, _) = client(ClientOptions::default(), move |_| {
            let call = counted.fetch_add(1, Ordering::Relaxed);
            let (tag, link) = match call {
                0 => ("a", next("a", "")),
                // Back to the first page.
                _ => ("b", "</acr/v1/prod%2Fapi/_tags?n=1>; rel=\"next\"".to_owned()),
            };
            let body = serde_json::json!({"registry": "prod.azurecr.io", "imageName": "prod/api",
                "tags": [{"name": tag, "digest": format!("sha256:{}", "0".repeat(64)),
                    "createdTime": "2024-01-01T00:00:00Z", "lastUpdateTime": "2024-01-01T00:00:00Z",
                    "signed": false, "changeableAttributes": {"deleteEnabled": true,
                    "writeEnabled": true, "readEnabled": true, "listEnabled": true}}]});
            Ok(crate::transport::fake::json_response(200, &body, &[("link", &link)]))
        });
        let repo = acr_types::RepositoryName::new("prod/api").unwrap();
        let got: Vec<_> = c.list_tags(&repo, OrderBy::None).collect().await;
        assert_eq!(got.len(), 3, "two pages, then the error");
        let second = got[1].as_ref().expect("the second page is kept");
        assert_eq!((second.items.len(), second.loaded), (1, 2));
        let e = got[2].as_ref().unwrap_err().to_string();
        assert!(e.contains("same next page") && e.contains("after 2 items"), "{e}");
        assert_eq!(calls.load(Ordering::Relaxed), 2);
    }

    #[tokio::test]
    async fn a_list_that_never_ends_is_stopped_at_the_page_limit() {
        let options = ClientOptions { max_pages: 7, ..ClientOptions::default() };
        let (e, pages) = list_error(options, |call| next(&format!("n{call:06}"), "")).await;
        assert!(e.contains("did not end after 7 pages"), "{e}");
        assert_eq!(pages, 7);
    }
}
