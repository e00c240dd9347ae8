//! Paging as ACR does it: `n` (default 100, at most 1000), `last`, `orderby`, and the
//! `Link: <…>; rel="next"` header (relative, `last` percent-encoded, `n` and `orderby` kept).

use crate::error::ApiError;
use acr_types::{code, OrderBy};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Page size when `n` is absent.
pub const DEFAULT_PAGE: usize = 100;
/// Largest page ACR returns, whatever `n` asks for.
pub const MAX_PAGE: usize = 1000;

/// Characters left as they are in a query value or path segment: RFC 3986 unreserved.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes one path segment or query value (`/` → `%2F`, `:` → `%3A`).
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// The paging parameters of a list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageQuery {
    /// Page size after clamping.
    pub n: usize,
    /// Continue after this name or digest.
    pub last: Option<String>,
    /// Requested order.
    pub order: OrderBy,
    /// `digest` filter of the tag list.
    pub digest: Option<String>,
}

impl PageQuery {
    /// Reads `n`, `last`, `orderby` and `digest` from decoded query pairs; `api-version` and
    /// unknown parameters are ignored, as ACR does.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, ApiError> {
        let mut q = Self { n: DEFAULT_PAGE, last: None, order: OrderBy::None, digest: None };
        for (k, v) in pairs {
            match k.as_str() {
                "n" => {
                    let n: usize = v.parse().map_err(|_| {
                        ApiError::bad_request(
                            "PAGINATION_NUMBER_INVALID",
                            format!("invalid number of results requested: '{v}'"),
                        )
                    })?;
                    if n == 0 {
                        return Err(ApiError::bad_request(
                            "PAGINATION_NUMBER_INVALID",
                            "the number of results requested must be at least 1",
                        ));
                    }
                    q.n = n.min(MAX_PAGE);
                }
                "last" if !v.is_empty() => q.last = Some(v.clone()),
                "orderby" => {
                    q.order = OrderBy::from_query(v).ok_or_else(|| {
                        ApiError::bad_request(
                            code::UNSUPPORTED,
                            format!(
                                "invalid orderby '{v}': use timeasc, timedesc or leave it empty"
                            ),
                        )
                    })?;
                }
                "digest" if !v.is_empty() => q.digest = Some(v.clone()),
                _ => {}
            }
        }
        Ok(q)
    }
}

/// Parses a raw query string into decoded pairs; malformed encoding is a 400.
pub fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| {
        ApiError::bad_request(code::UNSUPPORTED, format!("malformed query string: {e}"))
    })
}

/// One page cut from a full, ordered list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The `Link` header value when more items follow.
    pub link: Option<String>,
}

/// Cuts the page after `q.last` from `all` (already in the requested order).
///
/// Lexical order continues with the first key greater than `last` (so a deleted `last` still
/// works). Time order continues after the item whose key is `last`; when that item is gone the
/// page is empty and the listing ends (ACR's behaviour here is undocumented).
///
/// `link_path` is the list's path as ACR writes it in `Link` (already encoded).
pub fn paginate<T>(
    all: Vec<T>,
    key: impl Fn(&T) -> &str,
    q: &PageQuery,
    link_path: &str,
) -> Page<T> {
    let start = match (&q.last, q.order) {
        (None, _) => 0,
        (Some(last), OrderBy::None) => all.partition_point(|t| key(t) <= last.as_str()),
        (Some(last), _) => all.iter().position(|t| key(t) == last).map_or(all.len(), |i| i + 1),
    };
    let more = all.len() > start + q.n;
    let items: Vec<T> = all.into_iter().skip(start).take(q.n).collect();
    let link = match items.last() {
        Some(last) if more => Some(format!(
            "<{link_path}?last={}&n={}&orderby={}>; rel=\"next\"",
            encode(key(last)),
            q.n,
            q.order.as_query()
        )),
        _ => None,
    };
    Page { items, link }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: usize, last: Option<&str>, order: OrderBy) -> PageQuery {
        PageQuery { n, last: last.map(str::to_owned), order, digest: None }
    }

    #[test]
    fn link_is_written_as_acr_writes_it() {
        let all: Vec<String> = ["a/x", "b", "c"].map(String::from).to_vec();
        let p = paginate(all, |s| s, &q(1, None, OrderBy::None), "/acr/v1/_catalog");
        assert_eq!(p.items, vec!["a/x"]);
        assert_eq!(p.link.unwrap(), "</acr/v1/_catalog?last=a%2Fx&n=1&orderby=>; rel=\"next\"");
    }

    #[test]
    fn walks_every_page_in_both_orders() {
        let all: Vec<String> = (0..25).map(|i| format!("t{i:02}")).collect();
        for order in [OrderBy::None, OrderBy::TimeDesc] {
            let (mut seen, mut last) = (Vec::new(), None::<String>);
            loop {
                let p = paginate(all.clone(), |s| s, &q(10, last.as_deref(), order), "/x");
                seen.extend(p.items.iter().cloned());
                match p.link {
                    Some(_) => last = p.items.last().cloned(),
                    None => break,
                }
            }
            assert_eq!(seen, all);
        }
    }

    #[test]
    fn lexical_last_need_not_exist_and_n_is_clamped() {
        let all: Vec<String> = ["a", "c", "e"].map(String::from).to_vec();
        let p = paginate(all, |s| s, &q(10, Some("b"), OrderBy::None), "/x");
        assert_eq!(p.items, vec!["c", "e"]);
        assert!(p.link.is_none());
        let pairs = vec![("n".to_owned(), "5000".to_owned())];
        assert_eq!(PageQuery::from_pairs(&pairs).unwrap().n, MAX_PAGE);
        assert!(PageQuery::from_pairs(&[("n".into(), "x".into())]).is_err());
        assert!(PageQuery::from_pairs(&[("orderby".into(), "bogus".into())]).is_err());
    }
}
