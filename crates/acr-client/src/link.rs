//! The `Link` header of paged lists: `</acr/v1/_catalog?last=a&n=100&orderby=>; rel="next"`.

/// The target of the `rel="next"` link, if the header has one and can be read.
pub fn next_target(header: &str) -> Option<String> {
    next(header).ok().flatten()
}

/// A `Link` header that is not `<target>` followed by parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

/// The target of the `rel="next"` link: `Ok(None)` when the header reads but names no next page
/// (a last page may still carry `rel="prev"` or `rel="first"`), `Err` when it cannot be read.
///
/// Accepts several comma-separated links and parameters in any order.
pub fn next(header: &str) -> Result<Option<String>, Unreadable> {
    let mut rest = header.trim();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('<').ok_or(Unreadable)?;
        let close = inner.find('>').ok_or(Unreadable)?;
        let target = &inner[..close];
        rest = &inner[close + 1..];
        // Parameters up to the next link (a comma followed by '<') or the end.
        let end = rest.find(",").filter(|&i| rest[i + 1..].trim_start().starts_with('<'));
        let params = &rest[..end.unwrap_or(rest.len())];
        rest = end.map_or("", |i| rest[i + 1..].trim_start());
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("rel")
                    && v.trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
            })
        });
        if is_next {
            return if target.is_empty() || target.contains(['<', ' ']) {
                Err(Unreadable)
            } else {
                Ok(Some(target.to_owned()))
            };
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_acr_links() {
        assert_eq!(
            next_target(r#"</acr/v1/_catalog?last=busybox&n=1&orderby=>; rel="next""#).as_deref(),
            Some("/acr/v1/_catalog?last=busybox&n=1&orderby=")
        );
        assert_eq!(next_target(r#"</a>; rel="prev", </b>; rel=next"#).as_deref(), Some("/b"));
        assert_eq!(next_target(r#"</a>;rel="first next""#).as_deref(), Some("/a"));
        assert_eq!(next_target(r#"</a>; rel="prev""#), None);
        assert_eq!(next_target("garbage"), None);
        assert_eq!(next_target("</a; rel=next"), None);
    }

    #[test]
    fn a_link_without_next_ends_the_list_and_only_garbage_is_unreadable() {
        assert_eq!(next(r#"</a>; rel="prev""#), Ok(None));
        assert_eq!(next(r#"</acr/v1/_catalog?n=1>; rel="first", </a>; rel=last"#), Ok(None));
        assert_eq!(next(""), Ok(None));
        assert_eq!(next(r#"</b>; rel="next""#), Ok(Some("/b".into())));
        assert_eq!(next("garbage"), Err(Unreadable));
        assert_eq!(next("</a; rel=next"), Err(Unreadable));
        assert_eq!(next("<>; rel=next"), Err(Unreadable));
    }
}
