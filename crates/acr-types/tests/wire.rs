//! Golden tests: the swagger's examples and hand-checked real-shape answers decode into the wire
//! types and re-encode without loss; placeholder and malformed values are refused with an error
//! that names the field.

use acr_types::*;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
}

/// Decodes `name` as `T`, re-encodes it, and checks nothing was lost or invented.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    let text = fixture(name);
    let original: Value = serde_json::from_str(&text).unwrap();
    let typed: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let again = serde_json::to_value(&typed).unwrap();
    assert_eq!(again, original, "{name} changed on re-encoding");
    typed
}

#[test]
fn swagger_examples_round_trip() {
    let m: ManifestAttributes = round_trip("swagger-ManifestAttributes.json");
    assert_eq!(m.manifest.architecture.as_deref(), Some("amd64"));
    assert_eq!(m.manifest.tags.as_ref().unwrap().len(), 1);
    let c: Repositories = round_trip("swagger-Repositories.json");
    assert_eq!(c.repositories.unwrap().len(), 2);
}

#[test]
fn swagger_placeholders_are_refused_naming_the_value() {
    let e =
        serde_json::from_str::<TagList>(&fixture("swagger-TagList-placeholder.json")).unwrap_err();
    assert!(e.to_string().contains("'imageName' is not a valid repository name"), "{e}");
    let mut v: Value = serde_json::from_str(&fixture("swagger-TagList-placeholder.json")).unwrap();
    v["imageName"] = "image-name".into();
    let e = serde_json::from_value::<TagList>(v).unwrap_err();
    assert!(e.to_string().contains("'createdTime' is not an RFC 3339 date-time"), "{e}");
    let e = serde_json::from_str::<RepositoryAttributes>(&fixture(
        "swagger-RepositoryAttributes-placeholder.json",
    ))
    .unwrap_err();
    assert!(e.to_string().contains("'imageName' is not a valid repository name"), "{e}");
}

#[test]
fn real_answers_round_trip() {
    let r: RepositoryAttributes = round_trip("real-repository.json");
    assert_eq!(r.changeable_attributes.teleport_enabled, Some(false));
    let empty: Repositories = round_trip("real-catalog-empty.json");
    assert!(empty.repositories.is_none());
    let c: Repositories = round_trip("real-catalog.json");
    assert_eq!(c.repositories.unwrap()[2].as_str(), "library/hello-world");
    let t: TagList = round_trip("real-tags.json");
    assert_eq!(t.tags[0].signed, Some(false));
    let one: TagAttributes = round_trip("real-tag.json");
    assert!(one.tag.changeable_attributes.is_locked());
    let m: AcrManifests = round_trip("real-manifests.json");
    assert!(m.manifests[0].tags.is_none(), "untagged manifests have no tags key");
    assert_eq!(m.manifests[0].changeable_attributes.quarantine_state.as_deref(), Some("Passed"));
    assert!(m.manifests[1].architecture.is_none(), "lists have no architecture");
    let list: ManifestAttributes = round_trip("real-manifest-list.json");
    let refs = list.manifest.references.unwrap();
    assert_eq!(refs.len(), 3);
    assert_eq!(refs[2].os.as_deref(), Some("windows"));
    let d: DeletedRepository = round_trip("real-deleted-repository.json");
    assert_eq!(d.tags_deleted[0].as_str(), "latest");
    let errors: Vec<AcrErrors> = round_trip("real-errors.json");
    assert_eq!(errors[0].code(), Some(code::UNAUTHORIZED));
    assert!(errors[1].errors[0].detail.is_none());
    assert_eq!(errors[3].errors[0].detail, Some(serde_json::json!({})));
}

#[test]
fn an_answer_without_registry_is_read_the_registry_is_never_needed() {
    fn without_registry<T: DeserializeOwned + Serialize>(name: &str) -> T {
        let mut v: Value = serde_json::from_str(&fixture(name)).unwrap();
        v.as_object_mut().unwrap().remove("registry").expect("the fixture has a registry");
        let typed: T = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(serde_json::to_value(&typed).unwrap(), v, "{name}: nothing invented");
        typed
    }
    let r: RepositoryAttributes = without_registry("real-repository.json");
    assert!(r.registry.is_empty());
    let _: TagList = without_registry("real-tags.json");
    let _: TagAttributes = without_registry("real-tag.json");
    let _: AcrManifests = without_registry("real-manifests.json");
    let _: ManifestAttributes = without_registry("real-manifest-list.json");
    // An error body is still no tag list: the repository name stays required.
    assert!(serde_json::from_str::<TagList>(r#"{"errors":[{"message":"x"}]}"#).is_err());
}

#[test]
fn malformed_answers_are_refused_with_a_reason() {
    let base: Value = serde_json::from_str(&fixture("real-tags.json")).unwrap();
    type Mutation = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Mutation, &str)> = vec![
        (
            "missing flag",
            Box::new(|v| {
                v["tags"][0]["changeableAttributes"]
                    .as_object_mut()
                    .unwrap()
                    .remove("writeEnabled");
            }),
            "writeEnabled",
        ),
        (
            "flag as string",
            Box::new(|v| v["tags"][0]["changeableAttributes"]["deleteEnabled"] = "no".into()),
            "invalid type",
        ),
        ("bad time", Box::new(|v| v["tags"][0]["createdTime"] = "yesterday".into()), "RFC 3339"),
        (
            "markup in name",
            Box::new(|v| v["tags"][0]["name"] = "<img src=x onerror=alert(1)>".into()),
            "not a valid tag",
        ),
        (
            "control character",
            Box::new(|v| v["imageName"] = "prod/\u{1b}[31mapi".into()),
            "not a valid repository name",
        ),
        (
            "bad digest",
            Box::new(|v| v["tags"][0]["digest"] = "sha256:1234".into()),
            "not a valid digest",
        ),
    ];
    for (what, mutate, expect) in cases {
        let mut v = base.clone();
        mutate(&mut v);
        let e = serde_json::from_value::<TagList>(v).unwrap_err().to_string();
        assert!(e.contains(expect), "{what}: {e}");
    }
    // A 200 with an error body is not a tag list.
    assert!(serde_json::from_str::<TagList>(
        r#"{"errors":[{"code":"UNAUTHORIZED","message":"x"}]}"#
    )
    .is_err());
}

#[test]
fn token_answers_keep_tokens_out_of_debug() {
    let t: AccessToken =
        serde_json::from_str(r#"{"access_token":"eyJhbGciOi.secret.sig"}"#).unwrap();
    assert_eq!(t.access_token.expose(), "eyJhbGciOi.secret.sig");
    assert!(!format!("{t:?}").contains("secret"));
    let r: RefreshToken = serde_json::from_str(r#"{"refresh_token":"eyJx.y.z"}"#).unwrap();
    assert!(!format!("{r:?}").contains("eyJ"));
}
