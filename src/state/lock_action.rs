//! The lock-change action: a page creates one per artifact; it PATCHes only the flags the user
//! changed, marks the change in flight in the [`LockStore`], and writes the registry's answer
//! (or, refused, nothing) back into it, so every view of the artifact follows at once.

use crate::{problem::Problem, state::lock_store::LockStore};
use acr_client::RegistryClient;
use acr_types::{ArtifactRef, AttributesPatch, ChangeableAttributes};
use leptos::prelude::*;

/// The lock-change action of one artifact: its input is the patch to send (only the flags that
/// change), its output what the registry now holds, or the problem.
pub type LockAction = Action<AttributesPatch, Result<ChangeableAttributes, Problem>>;

/// The action that changes the lock flags of `target` through [`change_locks`].
pub fn lock_action(client: RegistryClient, store: LockStore, target: ArtifactRef) -> LockAction {
    Action::new_local(move |patch: &AttributesPatch| {
        let (client, store, target, patch) =
            (client.clone(), store.clone(), target.clone(), *patch);
        async move { change_locks(&client, &store, &target, patch).await }
    })
}

/// Sends `patch` for `target` (a tag with `update_tag_attributes`, a manifest with
/// `update_manifest_properties`, a repository with `update_repository_properties`) and keeps
/// the registry's answer in `store`; while it is in flight the store shows it as pending. An
/// empty patch changes nothing: nothing is sent, and the store's flags come back.
pub async fn change_locks(
    client: &RegistryClient,
    store: &LockStore,
    target: &ArtifactRef,
    patch: AttributesPatch,
) -> Result<ChangeableAttributes, Problem> {
    send_change(client, store, target, patch).await.map_err(Problem::from)
}

/// [`change_locks`] with the client's own error, for a caller that tells a throttle from a
/// refusal (a bulk run paces itself on `Retry-After`).
pub async fn send_change(
    client: &RegistryClient,
    store: &LockStore,
    target: &ArtifactRef,
    patch: AttributesPatch,
) -> Result<ChangeableAttributes, acr_client::ClientError> {
    if patch.is_empty() {
        return Ok(store.peek(target).map(|e| e.flags).unwrap_or_default());
    }
    let ticket = store.begin_change(target, patch);
    let result = match target {
        ArtifactRef::Tag(repo, tag) => client
            .update_tag_attributes(repo, tag, &patch)
            .await
            .map(|a| a.tag.changeable_attributes),
        ArtifactRef::Manifest(repo, digest) => client
            .update_manifest_properties(repo, digest, &patch)
            .await
            .map(|a| a.manifest.changeable_attributes),
        ArtifactRef::Repository(repo) => {
            client.update_repository_properties(repo, &patch).await.map(|a| a.changeable_attributes)
        }
    };
    store.end_change(target, result.as_ref().ok(), ticket);
    result
}

/// `change_locks` against a scripted registry: the PATCH goes to the right endpoint with only the
/// changed flags, the registry's answer (not the request) comes back and lands in the store, an
/// empty patch sends nothing, and a lock refusal becomes a problem with a remedy and leaves the
/// store as it was.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod client_tests {
    use super::*;
    use crate::state::lock_rules::{LockFlag, Preset};
    use acr_client::{
        transport::fake::json_response, Credential, FakeTransport, RegistryClient, StaticEntraToken,
    };
    use acr_types::{Digest, RepositoryName, Secret, TagName};
    use serde_json::{json, Value};
    use std::sync::Arc;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// Unpadded base64url, enough to build the JWTs the fake registry hands out.
    fn b64url(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n =
                chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
            }
        }
        out
    }

    fn jwt(claims: &Value) -> String {
        format!("{}.{}.sig", b64url(br#"{"alg":"none"}"#), b64url(claims.to_string().as_bytes()))
    }

    fn attributes(write: bool, delete: bool, read: bool) -> ChangeableAttributes {
        serde_json::from_value(attributes_json(write, delete, read)).unwrap()
    }

    fn attributes_json(write: bool, delete: bool, read: bool) -> Value {
        json!({"writeEnabled": write, "deleteEnabled": delete, "readEnabled": read, "listEnabled": true})
    }

    /// A registry issuing tokens for anything and answering data requests with `answer`.
    fn registry(
        answer: impl Fn(&acr_client::HttpRequest) -> Value + Send + Sync + 'static,
    ) -> FakeTransport {
        FakeTransport::new(move |req| {
            let path = req.uri().path();
            let token = |key: &str| {
                Ok(json_response(
                    200,
                    &json!({ key: jwt(&json!({"exp": 4_102_444_800u64, "access": []})) }),
                    &[],
                ))
            };
            if path.ends_with("/oauth2/exchange") {
                return token("refresh_token");
            }
            if path.ends_with("/oauth2/token") {
                return token("access_token");
            }
            let body = answer(req);
            let status = body.get("status").and_then(Value::as_u64).unwrap_or(200) as u16;
            Ok(json_response(status, &body["body"], &[]))
        })
    }

    fn client(t: &FakeTransport) -> RegistryClient {
        let credential = Credential::Entra(Arc::new(StaticEntraToken(Secret::new("x"))));
        RegistryClient::new(
            Arc::new(t.clone()),
            "https://console.example/registry/prod",
            "prod.azurecr.io",
            credential,
            Default::default(),
        )
        .unwrap()
    }

    fn repo() -> RepositoryName {
        RepositoryName::new("prod/payments/api").unwrap()
    }

    fn data_requests(t: &FakeTransport) -> Vec<acr_client::HttpRequest> {
        t.requests().into_iter().filter(|r| !r.uri().path().contains("/oauth2/")).collect()
    }

    #[tokio::test]
    async fn each_target_is_patched_at_its_endpoint_with_only_the_changed_flags() {
        let tag = json!({"body": {"registry": "prod.azurecr.io", "imageName": "prod/payments/api", "tag": {
            "name": "1.4.2", "digest": DIGEST, "createdTime": "2026-01-01T00:00:00Z",
            "lastUpdateTime": "2026-01-01T00:00:00Z", "changeableAttributes": attributes_json(false, true, false)}}});
        let manifest = json!({"body": {"registry": "prod.azurecr.io", "imageName": "prod/payments/api", "manifest": {
            "digest": DIGEST, "createdTime": "2026-01-01T00:00:00Z", "lastUpdateTime": "2026-01-01T00:00:00Z",
            "changeableAttributes": attributes_json(true, false, true)}}});
        let repository = json!({"body": {"registry": "prod.azurecr.io", "imageName": "prod/payments/api",
            "createdTime": "2026-01-01T00:00:00Z", "lastUpdateTime": "2026-01-01T00:00:00Z",
            "manifestCount": 1, "tagCount": 1, "changeableAttributes": attributes_json(false, false, true)}});
        let t = registry(move |req| {
            let path = req.uri().path();
            if path.contains("/_tags/") {
                tag.clone()
            } else if path.contains("/_manifests/") {
                manifest.clone()
            } else {
                repository.clone()
            }
        });
        let c = client(&t);
        let store = LockStore::new();
        let patch = LockFlag::Write.patch(false);

        let tag_ref = ArtifactRef::Tag(repo(), TagName::new("1.4.2").unwrap());
        let got = change_locks(&c, &store, &tag_ref, patch).await.unwrap();
        assert_eq!(
            got,
            serde_json::from_value(attributes_json(false, true, false)).unwrap(),
            "the registry's answer (read off too) comes back, not the request"
        );

        let manifest_ref = ArtifactRef::Manifest(repo(), Digest::new(DIGEST).unwrap());
        let got =
            change_locks(&c, &store, &manifest_ref, LockFlag::Delete.patch(false)).await.unwrap();
        assert!(got.write_enabled && !got.delete_enabled);

        let repo_ref = ArtifactRef::Repository(repo());
        let got = change_locks(&c, &store, &repo_ref, Preset::Lock.patch()).await.unwrap();
        assert!(got.is_locked());
        assert_eq!(store.peek(&tag_ref).map(|e| e.flags), Some(attributes(false, true, false)));
        assert!(store.peek(&repo_ref).is_some_and(|e| e.flags.is_locked() && e.pending.is_none()));

        let sent: Vec<(String, String, Value)> = data_requests(&t)
            .iter()
            .map(|r| {
                let body = serde_json::from_slice(r.body()).unwrap_or(Value::Null);
                (r.method().to_string(), r.uri().path().to_owned(), body)
            })
            .collect();
        assert_eq!(
            sent,
            vec![
                (
                    "PATCH".into(),
                    "/registry/prod/acr/v1/prod%2Fpayments%2Fapi/_tags/1.4.2".into(),
                    json!({"writeEnabled": false})
                ),
                (
                    "PATCH".into(),
                    format!("/registry/prod/acr/v1/prod%2Fpayments%2Fapi/_manifests/{DIGEST}"),
                    json!({"deleteEnabled": false})
                ),
                (
                    "PATCH".into(),
                    "/registry/prod/acr/v1/prod%2Fpayments%2Fapi".into(),
                    json!({"deleteEnabled": false, "writeEnabled": false})
                ),
            ]
        );
    }

    #[tokio::test]
    async fn an_empty_patch_sends_nothing_and_a_refusal_leaves_the_store_as_it_was() {
        let t = registry(|req| {
            if req.method() == http::Method::PATCH {
                json!({"status": 405, "body": {"errors": [{"code": "REGISTRY_DISALLOWED_OPERATION", "message": "locked"}]}})
            } else {
                json!({"body": {"registry": "prod.azurecr.io", "imageName": "prod/payments/api",
                    "createdTime": "2026-01-01T00:00:00Z", "lastUpdateTime": "2026-01-01T00:00:00Z",
                    "manifestCount": 1, "tagCount": 1, "changeableAttributes": attributes_json(true, true, true)}})
            }
        });
        let c = client(&t);
        let store = LockStore::new();
        let target = ArtifactRef::Repository(repo());
        store.record(&target, &attributes(true, true, true), store.ticket());
        let got = change_locks(&c, &store, &target, AttributesPatch::default()).await.unwrap();
        assert_eq!(got, attributes(true, true, true));
        assert!(data_requests(&t).is_empty(), "nothing to change, nothing sent");

        let problem =
            change_locks(&c, &store, &target, LockFlag::Write.patch(false)).await.unwrap_err();
        let kept = store.peek(&target).unwrap();
        assert_eq!((kept.flags, kept.pending), (attributes(true, true, true), None));
        assert_eq!(problem.title, "Refused by a lock");
        assert!(problem.remedy.contains("Unlock"), "{problem:?}");
    }
}
