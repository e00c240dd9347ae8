//! Reading the authority's redirect back to the console (`?code=…&state=…`, or
//! `?error=…&error_description=…&state=…`) and deciding when to renew the access token. Pure
//! functions, tested natively; the session applies them.

use percent_encoding::percent_decode_str;
use std::time::Duration;

/// Renewal starts at most this long before the access token expires…
pub const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);
/// …and a token counts as usable only while it has at least this long left (or a tenth of
/// its lifetime, if shorter).
pub const USABLE_MARGIN: Duration = Duration::from_secs(30);
/// After a renewal that failed for want of a network, the next try comes this much later.
pub const RETRY_AFTER: Duration = Duration::from_secs(30);

/// What the address bar's query says about a sign-in redirect.
#[derive(Clone, PartialEq, Eq)]
pub enum Callback {
    /// No sign-in answer in the URL.
    None,
    /// The authority issued a code.
    Code {
        /// The authorization code (single use, redeemed with the PKCE verifier).
        code: String,
        /// The CSRF state it echoes.
        state: String,
    },
    /// The authority refused or the user cancelled.
    Error {
        /// The OAuth error code (`access_denied`, `invalid_request`, …).
        error: String,
        /// Entra's description (`AADSTS…: …`), if any.
        description: Option<String>,
        /// Entra's `error_subcode` (`cancel` when the user backed out), if any.
        subcode: Option<String>,
        /// The state it echoes, if any.
        state: Option<String>,
    },
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("Callback::None"),
            Self::Code { .. } => f.write_str("Callback::Code { code: <redacted>, .. }"),
            Self::Error { error, .. } => write!(f, "Callback::Error {{ error: {error:?}, .. }}"),
        }
    }
}

/// Decodes one `application/x-www-form-urlencoded` value (`+` is a space).
fn decode(v: &str) -> String {
    percent_decode_str(&v.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// The first non-empty value of `key` in a query (with or without its leading `?`).
pub fn query_value(search: &str, key: &str) -> Option<String> {
    let q = search.strip_prefix('?').unwrap_or(search);
    let q = q.split('#').next().unwrap_or_default();
    q.split('&')
        .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
        .find(|(k, _)| decode(k) == key)
        .map(|(_, v)| decode(v))
        .filter(|v| !v.is_empty())
}

/// Reads a sign-in answer from `location.search`.
pub fn parse(search: &str) -> Callback {
    let get = |k: &str| query_value(search, k);
    if let Some(error) = get("error") {
        return Callback::Error {
            error,
            description: get("error_description"),
            subcode: get("error_subcode"),
            state: get("state"),
        };
    }
    match (get("code"), get("state")) {
        (Some(code), Some(state)) => Callback::Code { code, state },
        _ => Callback::None,
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// When to renew a token issued at `issued_at_ms` that expires at `expires_at_ms`: five
/// minutes before expiry, or a fifth of its lifetime before, whichever is shorter.
pub fn renew_at_ms(issued_at_ms: u64, expires_at_ms: u64) -> u64 {
    let life = expires_at_ms.saturating_sub(issued_at_ms);
    expires_at_ms.saturating_sub(ms(RENEW_BEFORE).min(life / 5))
}

/// How long from `now_ms` until the renewal is due (zero when it is overdue).
pub fn renew_delay(now_ms: u64, issued_at_ms: u64, expires_at_ms: u64) -> Duration {
    Duration::from_millis(renew_at_ms(issued_at_ms, expires_at_ms).saturating_sub(now_ms))
}

/// When a token issued at `issued_at_ms` and expiring at `expires_at_ms` stops being usable
/// (see [`is_usable`]).
pub fn unusable_at_ms(issued_at_ms: u64, expires_at_ms: u64) -> u64 {
    let life = expires_at_ms.saturating_sub(issued_at_ms);
    expires_at_ms.saturating_sub(ms(USABLE_MARGIN).min(life / 10))
}

/// How long from `now_ms` until such a token stops being usable (zero when it already has).
pub fn unusable_delay(now_ms: u64, issued_at_ms: u64, expires_at_ms: u64) -> Duration {
    Duration::from_millis(unusable_at_ms(issued_at_ms, expires_at_ms).saturating_sub(now_ms))
}

/// True while a token issued at `issued_at_ms` and expiring at `expires_at_ms` may still be
/// sent: until thirty seconds (or a tenth of its lifetime, if shorter) before it expires.
pub fn is_usable(now_ms: u64, issued_at_ms: u64, expires_at_ms: u64) -> bool {
    now_ms < unusable_at_ms(issued_at_ms, expires_at_ms)
}

/// `pathname` plus `search` (which may or may not start with `?`): where the reader is now,
/// as a return address for the sign-in page.
pub fn here(pathname: &str, search: &str) -> String {
    let search = search.strip_prefix('?').unwrap_or(search);
    if search.is_empty() {
        pathname.to_owned()
    } else {
        [pathname, "?", search].concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_code_and_its_state() {
        assert_eq!(
            parse("?code=0.AbC-d_e%2Bf&state=s%3D1&session_state=x"),
            Callback::Code { code: "0.AbC-d_e+f".into(), state: "s=1".into() }
        );
        assert_eq!(parse("state=s&code=c"), Callback::Code { code: "c".into(), state: "s".into() });
        assert_eq!(parse(""), Callback::None);
        assert_eq!(parse("?q=api&view=tags"), Callback::None);
        assert_eq!(parse("?code=c"), Callback::None, "a code without state is ignored");
        assert_eq!(parse("?code=&state=s"), Callback::None);
        assert!(!format!("{:?}", parse("?code=SECRET&state=s")).contains("SECRET"));
    }

    #[test]
    fn reads_an_authority_error() {
        assert_eq!(
            parse("?error=access_denied&error_description=AADSTS65004%3A+User+declined.&state=s"),
            Callback::Error {
                error: "access_denied".into(),
                description: Some("AADSTS65004: User declined.".into()),
                subcode: None,
                state: Some("s".into()),
            }
        );
        assert_eq!(
            parse("?error=login_required"),
            Callback::Error {
                error: "login_required".into(),
                description: None,
                subcode: None,
                state: None
            }
        );
        assert_eq!(
            parse("?error=access_denied&error_subcode=cancel&state=s"),
            Callback::Error {
                error: "access_denied".into(),
                description: None,
                subcode: Some("cancel".into()),
                state: Some("s".into()),
            }
        );
    }

    #[test]
    fn query_values_decode_and_skip_empty() {
        assert_eq!(query_value("?return=%2Fr%2Fdemo&x", "return").as_deref(), Some("/r/demo"));
        assert_eq!(query_value("?a=1#code=2", "code"), None, "the fragment is not the query");
        assert_eq!(query_value("?a=", "a"), None);
        assert_eq!(query_value("?a", "a"), None);
    }

    #[test]
    fn renewal_is_five_minutes_or_a_fifth_of_the_life_before_expiry() {
        let hour = 3_600_000;
        // A one-hour token: renewed five minutes before it expires.
        assert_eq!(renew_at_ms(0, hour), hour - 300_000);
        assert_eq!(renew_delay(10_000, 0, hour), Duration::from_millis(hour - 300_000 - 10_000));
        // A ten-minute token: a fifth of its life (two minutes) before.
        assert_eq!(renew_at_ms(1_000, 1_000 + 600_000), 1_000 + 480_000);
        // Overdue: now.
        assert_eq!(renew_delay(hour, 0, hour), Duration::ZERO);
        assert_eq!(renew_delay(5, 10, 5), Duration::ZERO, "nonsense times renew at once");
    }

    #[test]
    fn tokens_are_usable_until_thirty_seconds_before_expiry() {
        let hour = 3_600_000;
        assert!(is_usable(hour - 31_000, 0, hour));
        assert!(!is_usable(hour - 30_000, 0, hour));
        assert!(!is_usable(hour + 1, 0, hour));
        // A 15-second token: a tenth of its life (1.5 s) is the margin.
        assert!(is_usable(13_000, 0, 15_000));
        assert!(!is_usable(13_500, 0, 15_000));
        assert!(!is_usable(50_000, 0, 40_000));
        // The delay until unusable agrees with `is_usable`.
        assert_eq!(unusable_delay(0, 0, hour), Duration::from_millis(hour - 30_000));
        assert!(is_usable(hour - 30_001, 0, hour) && !is_usable(hour - 30_000, 0, hour));
        assert_eq!(unusable_delay(hour, 0, hour), Duration::ZERO);
    }

    #[test]
    fn here_joins_path_and_query() {
        assert_eq!(here("/r/demo", ""), "/r/demo");
        assert_eq!(here("/r/demo", "?q=a"), "/r/demo?q=a");
        assert_eq!(here("/r/demo", "q=a"), "/r/demo?q=a");
    }
}
