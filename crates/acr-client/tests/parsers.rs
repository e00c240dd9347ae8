//! Property tests of the parsers that read what a registry (or an attacker) sends: `Link`,
//! `Www-Authenticate`, and the origin check on URLs.
#![cfg(not(target_arch = "wasm32"))]

use acr_client::{challenge, endpoint::Endpoint, link};
use proptest::prelude::*;

fn quoted_value() -> impl Strategy<Value = String> {
    // Any printable text, including quotes and backslashes (escaped when written).
    "[ -~]{0,40}"
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

proptest! {
    #[test]
    fn challenges_round_trip(realm in quoted_value(), service in quoted_value(), scope in quoted_value(),
                             error in prop::option::of("(invalid_token|insufficient_scope)"),
                             sep in "(,|, | ,  )") {
        let mut h = format!("Bearer realm=\"{}\"{sep}service=\"{}\"{sep}scope=\"{}\"", escape(&realm), escape(&service), escape(&scope));
        if let Some(e) = &error {
            h.push_str(&format!("{sep}error=\"{e}\""));
        }
        let c = challenge::parse(&h).expect("parses");
        prop_assert_eq!(c.scheme, "bearer");
        prop_assert_eq!(c.realm, Some(realm));
        prop_assert_eq!(c.service, Some(service));
        prop_assert_eq!(c.scope, Some(scope));
        prop_assert_eq!(c.error, error);
    }

    #[test]
    fn challenge_parser_never_panics(s in "\\PC{0,200}") {
        let _ = challenge::parse(&s);
    }

    #[test]
    fn links_round_trip(path in "/[a-z0-9/%._-]{0,40}", last in "[a-zA-Z0-9%._-]{1,20}", n in 1u32..2000,
                        orderby in "(|timeasc|timedesc)", prev_first in any::<bool>()) {
        let target = format!("{path}?last={last}&n={n}&orderby={orderby}");
        let next = format!("<{target}>; rel=\"next\"");
        let header = if prev_first { format!("</first>; rel=\"prev\", {next}") } else { next };
        prop_assert_eq!(link::next_target(&header), Some(target));
    }

    #[test]
    fn link_parser_never_panics(s in "\\PC{0,200}") {
        let _ = link::next_target(&s);
    }

    #[test]
    fn only_own_origins_are_followed(host in "[a-z]{1,10}\\.[a-z]{2,5}", path in "/[a-z/]{0,20}") {
        let e = Endpoint::new("https://console.example/registry/prod", "prod.azurecr.io").unwrap();
        let foreign = format!("https://{host}{path}");
        prop_assume!(host != "prod.azurecr.io" && host != "console.example");
        prop_assert!(e.resolve(&foreign, "link").is_err());
        prop_assert_eq!(e.resolve(&format!("https://prod.azurecr.io{path}"), "link").ok().map(|p| p.trim_end_matches('/').to_owned()),
                        Some(path.trim_end_matches('/').to_owned()).map(|p| if p.is_empty() { String::new() } else { p }));
    }
}
