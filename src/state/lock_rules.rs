//! Lock changes: the action a page creates for one artifact, which PATCHes only the flags the
//! user changed and yields the attributes the registry returned (or the problem), plus the pure
//! rules the lock controls follow: the four flags and their wording, the presets, which changes
//! count as unlocking (and so need a confirmation), and how a saved state is announced.
//!
//! Nothing here touches the DOM; components render these rules and pages own the action.

use crate::problem::Problem;
use acr_client::RegistryClient;
use acr_types::{ArtifactRef, AttributesPatch, ChangeableAttributes};
use leptos::prelude::*;

/// The lock-change action of one artifact: its input is the patch to send (only the flags that
/// change), its output what the registry now holds, or the problem.
pub type LockAction = Action<AttributesPatch, Result<ChangeableAttributes, Problem>>;

/// The action that changes the lock flags of `target`: a tag is PATCHed with
/// `update_tag_attributes`, a manifest with `update_manifest_properties`, a repository with
/// `update_repository_properties`. The patch is sent as given (components compute it with
/// [`AttributesPatch::changes_from`], so it carries only the flags that change); an empty patch
/// sends no PATCH and reads the current attributes instead. The output is the changeable
/// attributes the registry returned.
pub fn lock_action(client: RegistryClient, target: ArtifactRef) -> LockAction {
    Action::new_local(move |patch: &AttributesPatch| {
        let client = client.clone();
        let target = target.clone();
        let patch = *patch;
        async move { apply_patch(&client, &target, &patch).await }
    })
}

/// Sends `patch` for `target` and returns the attributes the registry answered with. An empty
/// patch changes nothing, so it is not sent: the current attributes are read instead.
pub async fn apply_patch(
    client: &RegistryClient,
    target: &ArtifactRef,
    patch: &AttributesPatch,
) -> Result<ChangeableAttributes, Problem> {
    let empty = patch.is_empty();
    let result = match target {
        ArtifactRef::Tag(repo, tag) if empty => {
            client.get_tag_properties(repo, tag).await.map(|a| a.tag.changeable_attributes)
        }
        ArtifactRef::Tag(repo, tag) => client
            .update_tag_attributes(repo, tag, patch)
            .await
            .map(|a| a.tag.changeable_attributes),
        ArtifactRef::Manifest(repo, digest) if empty => client
            .get_manifest_properties(repo, digest)
            .await
            .map(|a| a.manifest.changeable_attributes),
        ArtifactRef::Manifest(repo, digest) => client
            .update_manifest_properties(repo, digest, patch)
            .await
            .map(|a| a.manifest.changeable_attributes),
        ArtifactRef::Repository(repo) if empty => {
            client.get_repository_properties(repo).await.map(|a| a.changeable_attributes)
        }
        ArtifactRef::Repository(repo) => {
            client.update_repository_properties(repo, patch).await.map(|a| a.changeable_attributes)
        }
    };
    result.map_err(Problem::from)
}

/// One of the four lock flags ACR keeps on a repository, tag or manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LockFlag {
    /// `writeEnabled`: off refuses overwrites, and deletes too.
    Write,
    /// `deleteEnabled`: off refuses deletes.
    Delete,
    /// `readEnabled`: off refuses pulls.
    Read,
    /// `listEnabled`: off hides the item from lists.
    List,
}

impl LockFlag {
    /// Every flag, the everyday ones first.
    pub const ALL: [LockFlag; 4] = [Self::Write, Self::Delete, Self::Read, Self::List];

    /// The visible label, also the start of the switch's accessible name ("Write enabled").
    pub fn label(self) -> &'static str {
        match self {
            Self::Write => "Write enabled",
            Self::Delete => "Delete enabled",
            Self::Read => "Read enabled",
            Self::List => "List enabled",
        }
    }

    /// The one-word name used in announcements ("write off").
    pub fn word(self) -> &'static str {
        match self {
            Self::Write => "write",
            Self::Delete => "delete",
            Self::Read => "read",
            Self::List => "list",
        }
    }

    /// What turning the flag off does, for the switch's description.
    pub fn off_means(self, target: &ArtifactRef) -> &'static str {
        match (self, target) {
            (Self::Write, ArtifactRef::Repository(_)) => {
                "Off: the registry refuses pushes, tag changes and deletes in this repository."
            }
            (Self::Write, _) => "Off: the registry refuses overwriting it, and deleting it too.",
            (Self::Delete, ArtifactRef::Repository(_)) => {
                "Off: the registry refuses deleting the repository."
            }
            (Self::Delete, _) => "Off: the registry refuses deleting it.",
            (Self::Read, _) => "Off: nobody can pull it.",
            (Self::List, _) => "Off: it no longer appears in lists.",
        }
    }

    /// The flag's value in `attributes`.
    pub fn get(self, attributes: &ChangeableAttributes) -> bool {
        match self {
            Self::Write => attributes.write_enabled,
            Self::Delete => attributes.delete_enabled,
            Self::Read => attributes.read_enabled,
            Self::List => attributes.list_enabled,
        }
    }

    /// A patch that sets only this flag to `value`.
    pub fn patch(self, value: bool) -> AttributesPatch {
        let mut patch = AttributesPatch::default();
        match self {
            Self::Write => patch.write_enabled = Some(value),
            Self::Delete => patch.delete_enabled = Some(value),
            Self::Read => patch.read_enabled = Some(value),
            Self::List => patch.list_enabled = Some(value),
        }
        patch
    }

    /// The accessible name of this flag's switch for `target`:
    /// "Write enabled for prod/payments/api:1.4.2", "… for prod/payments/api@sha256:…", or
    /// "… for prod/payments/api" for the repository.
    pub fn accessible_name(self, target: &ArtifactRef) -> String {
        format!("{} for {target}", self.label())
    }
}

/// "On" or "Off": the visible state text of a switch or badge (never colour alone).
pub fn state_text(on: bool) -> &'static str {
    if on {
        "On"
    } else {
        "Off"
    }
}

/// The one-click presets over write and delete enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Write and delete off.
    Lock,
    /// Delete off, write on.
    ProtectFromDeletion,
    /// Write off, delete on (ACR still refuses deletes while writes are off).
    PreventUpdates,
    /// Write and delete on.
    Unlock,
}

impl Preset {
    /// Every preset, in the order they are offered.
    pub const ALL: [Preset; 4] =
        [Self::Lock, Self::ProtectFromDeletion, Self::PreventUpdates, Self::Unlock];

    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Lock => "Lock",
            Self::ProtectFromDeletion => "Protect from deletion",
            Self::PreventUpdates => "Prevent updates",
            Self::Unlock => "Unlock",
        }
    }

    /// What the preset sets and what that means, in plain words.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::Lock => "Write and delete off: nothing can overwrite or delete it.",
            Self::ProtectFromDeletion => {
                "Delete off, write on: it can still be updated, but not deleted."
            }
            Self::PreventUpdates => {
                "Write off, delete on: it cannot be overwritten. ACR also refuses deletes while writes are off."
            }
            Self::Unlock => "Write and delete on: it can be overwritten and deleted.",
        }
    }

    /// The write and delete values the preset wants (read and list are left alone).
    pub fn patch(self) -> AttributesPatch {
        let (write, delete) = match self {
            Self::Lock => (false, false),
            Self::ProtectFromDeletion => (true, false),
            Self::PreventUpdates => (false, true),
            Self::Unlock => (true, true),
        };
        AttributesPatch {
            write_enabled: Some(write),
            delete_enabled: Some(delete),
            ..Default::default()
        }
    }

    /// True when `attributes` already is what this preset sets.
    pub fn matches(self, attributes: &ChangeableAttributes) -> bool {
        self.patch().changes_from(attributes).is_empty()
    }

    /// The preset `attributes` is in (write and delete together always match exactly one).
    pub fn matching(attributes: &ChangeableAttributes) -> Option<Preset> {
        Self::ALL.into_iter().find(|p| p.matches(attributes))
    }
}

/// True when applying `patch` to `current` turns write or delete from off to on: such a change
/// re-allows overwrites or deletes and is confirmed first.
pub fn is_unlocking(current: &ChangeableAttributes, patch: &AttributesPatch) -> bool {
    let turns_on = |new: Option<bool>, old: bool| new == Some(true) && !old;
    turns_on(patch.write_enabled, current.write_enabled)
        || turns_on(patch.delete_enabled, current.delete_enabled)
}

/// What a confirmed unlock of `target` will allow, one sentence per re-enabled flag.
pub fn unlock_allows(
    target: &ArtifactRef,
    current: &ChangeableAttributes,
    patch: &AttributesPatch,
) -> Vec<String> {
    let mut after = current.clone();
    after.apply(patch);
    let mut lines = Vec::new();
    if patch.write_enabled == Some(true) && !current.write_enabled {
        lines.push(
            match target {
                ArtifactRef::Repository(repo) => format!(
                    "Writes: pushes, tag changes and deletes in {repo} are accepted again, for every image without its own lock."
                ),
                ArtifactRef::Tag(_, tag) => format!(
                    "Writes: a push can move tag {tag} to a different image, or overwrite it."
                ),
                ArtifactRef::Manifest(..) => {
                    "Writes: the registry accepts changes to this manifest again.".to_owned()
                }
            },
        );
    }
    if patch.delete_enabled == Some(true) && !current.delete_enabled {
        let mut line = format!("Deletes: anyone with delete permission can delete {target}.");
        if !after.write_enabled {
            line.push_str(" (ACR still refuses deletes while writes are off.)");
        }
        lines.push(line);
    }
    lines
}

/// The flags in words: write and delete always, read and list when they are off
/// ("write off, delete off").
pub fn flags_summary(attributes: &ChangeableAttributes) -> String {
    let mut parts = Vec::new();
    for flag in LockFlag::ALL {
        let on = flag.get(attributes);
        if matches!(flag, LockFlag::Write | LockFlag::Delete) || !on {
            parts.push(format!("{} {}", flag.word(), if on { "on" } else { "off" }));
        }
    }
    parts.join(", ")
}

/// The announcement after a save, from what the registry returned
/// ("Saved: write off, delete off").
pub fn saved_summary(attributes: &ChangeableAttributes) -> String {
    format!("Saved: {}", flags_summary(attributes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::{Digest, RepositoryName, TagName};

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn attrs(write: bool, delete: bool) -> ChangeableAttributes {
        ChangeableAttributes { write_enabled: write, delete_enabled: delete, ..Default::default() }
    }

    fn repo() -> RepositoryName {
        RepositoryName::new("prod/payments/api").unwrap()
    }

    fn tag_ref() -> ArtifactRef {
        ArtifactRef::Tag(repo(), TagName::new("1.4.2").unwrap())
    }

    #[test]
    fn accessible_names_name_the_target_the_way_acr_writes_it() {
        assert_eq!(
            LockFlag::Write.accessible_name(&tag_ref()),
            "Write enabled for prod/payments/api:1.4.2"
        );
        let manifest = ArtifactRef::Manifest(repo(), Digest::new(DIGEST).unwrap());
        assert_eq!(
            LockFlag::Delete.accessible_name(&manifest),
            format!("Delete enabled for prod/payments/api@{DIGEST}")
        );
        assert_eq!(
            LockFlag::List.accessible_name(&ArtifactRef::Repository(repo())),
            "List enabled for prod/payments/api"
        );
        assert_eq!((state_text(true), state_text(false)), ("On", "Off"));
    }

    #[test]
    fn flag_patches_set_only_their_flag() {
        for flag in LockFlag::ALL {
            let patch = flag.patch(false);
            let json = serde_json::to_value(patch).unwrap();
            assert_eq!(json.as_object().unwrap().len(), 1, "{flag:?}: {json}");
            let mut a = ChangeableAttributes::default();
            a.apply(&patch);
            assert!(!flag.get(&a));
            for other in LockFlag::ALL.into_iter().filter(|f| *f != flag) {
                assert!(other.get(&a), "{flag:?} must leave {other:?} alone");
            }
        }
    }

    #[test]
    fn presets_patch_only_what_differs_from_the_current_state() {
        let unlocked = attrs(true, true);
        assert_eq!(
            Preset::Lock.patch().changes_from(&unlocked),
            AttributesPatch {
                write_enabled: Some(false),
                delete_enabled: Some(false),
                ..Default::default()
            }
        );
        assert_eq!(
            Preset::PreventUpdates.patch().changes_from(&unlocked),
            AttributesPatch { write_enabled: Some(false), ..Default::default() }
        );
        assert_eq!(
            Preset::ProtectFromDeletion.patch().changes_from(&unlocked),
            AttributesPatch { delete_enabled: Some(false), ..Default::default() }
        );
        assert!(Preset::Unlock.patch().changes_from(&unlocked).is_empty(), "a no-op is empty");
        let locked = attrs(false, false);
        assert_eq!(
            Preset::ProtectFromDeletion.patch().changes_from(&locked),
            AttributesPatch { write_enabled: Some(true), ..Default::default() }
        );
        // Presets never touch read or list.
        let hidden = ChangeableAttributes { list_enabled: false, ..attrs(true, true) };
        let p = Preset::Lock.patch().changes_from(&hidden);
        assert_eq!((p.read_enabled, p.list_enabled), (None, None));
    }

    #[test]
    fn exactly_one_preset_matches_each_write_delete_combination() {
        for (write, delete, want) in [
            (false, false, Preset::Lock),
            (true, false, Preset::ProtectFromDeletion),
            (false, true, Preset::PreventUpdates),
            (true, true, Preset::Unlock),
        ] {
            let a = ChangeableAttributes { read_enabled: false, ..attrs(write, delete) };
            assert_eq!(Preset::matching(&a), Some(want));
            assert_eq!(Preset::ALL.iter().filter(|p| p.matches(&a)).count(), 1);
        }
        assert!(Preset::PreventUpdates.explanation().contains("ACR also refuses deletes"));
    }

    #[test]
    fn unlocking_is_any_change_turning_write_or_delete_on() {
        let locked = attrs(false, false);
        for preset in [Preset::Unlock, Preset::ProtectFromDeletion, Preset::PreventUpdates] {
            let patch = preset.patch().changes_from(&locked);
            assert!(is_unlocking(&locked, &patch), "{preset:?} from locked unlocks");
        }
        assert!(!is_unlocking(&locked, &Preset::Lock.patch().changes_from(&locked)));
        let unlocked = attrs(true, true);
        for preset in Preset::ALL {
            let patch = preset.patch().changes_from(&unlocked);
            assert!(!is_unlocking(&unlocked, &patch), "{preset:?} from unlocked only locks");
        }
        assert!(is_unlocking(&attrs(true, false), &LockFlag::Delete.patch(true)));
        assert!(is_unlocking(&attrs(false, true), &LockFlag::Write.patch(true)));
        assert!(!is_unlocking(&attrs(true, true), &LockFlag::Write.patch(true)), "already on");
        let off = ChangeableAttributes { read_enabled: false, list_enabled: false, ..locked };
        assert!(!is_unlocking(&off, &LockFlag::Read.patch(true)), "read/list are not locks");
        assert!(!is_unlocking(&off, &LockFlag::List.patch(true)));
    }

    #[test]
    fn unlock_confirmation_says_what_it_allows() {
        let t = tag_ref();
        let both = unlock_allows(&t, &attrs(false, false), &Preset::Unlock.patch());
        assert_eq!(both.len(), 2);
        assert!(both[0].starts_with("Writes:") && both[0].contains("1.4.2"), "{both:?}");
        assert!(both[1].contains("delete prod/payments/api:1.4.2"), "{both:?}");
        assert!(!both[1].contains("still refuses"));
        let delete_only = unlock_allows(&t, &attrs(false, false), &LockFlag::Delete.patch(true));
        assert_eq!(delete_only.len(), 1);
        assert!(delete_only[0].contains("still refuses deletes while writes are off"));
        let repo_write = unlock_allows(
            &ArtifactRef::Repository(repo()),
            &attrs(false, true),
            &LockFlag::Write.patch(true),
        );
        assert!(repo_write[0].contains("in prod/payments/api"), "{repo_write:?}");
    }

    #[test]
    fn saved_summary_reads_what_the_registry_returned() {
        assert_eq!(saved_summary(&attrs(false, false)), "Saved: write off, delete off");
        assert_eq!(saved_summary(&attrs(true, true)), "Saved: write on, delete on");
        let odd = ChangeableAttributes { read_enabled: false, ..attrs(false, true) };
        assert_eq!(saved_summary(&odd), "Saved: write off, delete on, read off");
    }
}

/// `apply_patch` against a scripted registry: the PATCH goes to the right endpoint with only the
/// changed flags, the registry's answer (not the request) comes back, an empty patch sends no
/// PATCH, and a lock refusal becomes a problem with a remedy.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod client_tests {
    use super::*;
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
        let patch = LockFlag::Write.patch(false);

        let tag_ref = ArtifactRef::Tag(repo(), TagName::new("1.4.2").unwrap());
        let got = apply_patch(&c, &tag_ref, &patch).await.unwrap();
        assert_eq!(
            got,
            serde_json::from_value(attributes_json(false, true, false)).unwrap(),
            "the registry's answer (read off too) comes back, not the request"
        );

        let manifest_ref = ArtifactRef::Manifest(repo(), Digest::new(DIGEST).unwrap());
        let got = apply_patch(&c, &manifest_ref, &LockFlag::Delete.patch(false)).await.unwrap();
        assert!(got.write_enabled && !got.delete_enabled);

        let repo_ref = ArtifactRef::Repository(repo());
        let got = apply_patch(&c, &repo_ref, &Preset::Lock.patch()).await.unwrap();
        assert!(got.is_locked());

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
    async fn an_empty_patch_sends_no_patch_and_a_lock_refusal_has_a_remedy() {
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
        let target = ArtifactRef::Repository(repo());
        let got = apply_patch(&c, &target, &AttributesPatch::default()).await.unwrap();
        assert_eq!(got, ChangeableAttributes::default());
        assert!(data_requests(&t).iter().all(|r| r.method() == http::Method::GET));

        let problem = apply_patch(&c, &target, &LockFlag::Write.patch(false)).await.unwrap_err();
        assert_eq!(problem.title, "Refused by a lock");
        assert!(problem.remedy.contains("Unlock"), "{problem:?}");
    }
}
