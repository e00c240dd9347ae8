//! Property tests of the validated names: everything the grammar allows is accepted and prints
//! back unchanged; references round-trip; nothing panics on arbitrary input.
#![cfg(not(target_arch = "wasm32"))]

use acr_types::{ArtifactRef, Digest, RepositoryName, TagName};
use proptest::prelude::*;

fn component() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,6}((\\.|_|__|-{1,3})[a-z0-9]{1,6}){0,2}"
}

fn repository() -> impl Strategy<Value = String> {
    prop::collection::vec(component(), 1..4).prop_map(|c| c.join("/"))
}

proptest! {
    #[test]
    fn valid_repositories_round_trip(r in repository()) {
        let name = RepositoryName::new(r.clone()).unwrap();
        prop_assert_eq!(name.as_str(), r.as_str());
        let json = serde_json::to_string(&name).unwrap();
        prop_assert_eq!(serde_json::from_str::<RepositoryName>(&json).unwrap(), name);
    }

    #[test]
    fn valid_tags_round_trip(t in "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}") {
        let tag = TagName::new(t.clone()).unwrap();
        prop_assert_eq!(tag.as_str(), t.as_str());
    }

    #[test]
    fn references_round_trip(r in repository(), t in "[a-z0-9_][a-z0-9_.-]{0,20}", hex in "[0-9a-f]{64}", kind in 0u8..3) {
        let s = match kind {
            0 => r.clone(),
            1 => format!("{r}:{t}"),
            _ => format!("{r}@sha256:{hex}"),
        };
        let parsed = ArtifactRef::parse(&s).unwrap();
        prop_assert_eq!(parsed.to_string(), s);
        prop_assert_eq!(parsed.repository().as_str(), r.as_str());
    }

    #[test]
    fn uppercase_or_odd_characters_are_refused(r in repository(), bad in "[A-Z:@ <>\"'\\\\]") {
        let s = format!("{r}{bad}x");
        prop_assert!(RepositoryName::new(s).is_err());
    }

    #[test]
    fn nothing_panics(s in "\\PC{0,300}") {
        let _ = RepositoryName::new(s.clone());
        let _ = TagName::new(s.clone());
        let _ = Digest::new(s.clone());
        let _ = ArtifactRef::parse(&s);
        let _ = acr_types::Timestamp::parse(&s);
    }
}
