//! The client against the emulator over real HTTP on 127.0.0.1:0 with the reqwest transport:
//! every method, paging in both orders, lock and permission errors, grants, the same-origin proxy
//! path, throttling, and what listing costs in requests.
#![cfg(not(target_arch = "wasm32"))]

use acr_client::{
    collect_all, transport::reqwest::ReqwestTransport, ClientError, ClientOptions, Credential,
    Permissions, RegistryClient, StaticEntraToken,
};
use acr_emulator::{
    config::{Config, DataSource, Faults},
    seed::Generate,
    Running,
};
use acr_types::{AttributesPatch, Digest, OrderBy, RepositoryName, Secret, TagName, TokenFormat};
use std::{sync::atomic::Ordering, sync::Arc};

fn repo(s: &str) -> RepositoryName {
    RepositoryName::new(s).unwrap()
}

fn tag(s: &str) -> TagName {
    TagName::new(s).unwrap()
}

/// A client signed in as `user` through the Entra exchange.
fn client_for(
    running: &Running,
    endpoint: &str,
    user: &str,
    options: ClientOptions,
) -> RegistryClient {
    let service = running.addr.to_string();
    let u = running.state.users.by_id(user).unwrap();
    let entra =
        acr_emulator::auth::cli_token(&running.state.issuer, u, "entra", &service, "").unwrap();
    let credential = Credential::Entra(Arc::new(StaticEntraToken(Secret::new(entra))));
    RegistryClient::new(Arc::new(ReqwestTransport::new()), endpoint, &service, credential, options)
        .unwrap()
}

async fn demo() -> Running {
    acr_emulator::spawn(Config::default()).await.unwrap()
}

/// The demo registry issuing access tokens in `format`.
async fn demo_in(format: TokenFormat) -> Running {
    acr_emulator::spawn(Config { token_format: format, ..Config::default() }).await.unwrap()
}

/// Both token spellings ACR has used: today's 2.0 (`Type`/`Name`/`Actions`) and the older 1.0.
const FORMATS: [TokenFormat; 2] = [TokenFormat::V2, TokenFormat::V1];

fn small_pages() -> ClientOptions {
    ClientOptions { page_size: 4, ..ClientOptions::default() }
}

#[tokio::test]
async fn every_method_against_the_emulator() {
    for format in FORMATS {
        every_method(format).await;
    }
}

async fn every_method(format: TokenFormat) {
    let running = demo_in(format).await;
    let c = client_for(&running, &running.base_url, "admin", small_pages());

    let names = collect_all(c.list_repositories(), |_| {}).await.unwrap();
    assert!(names.len() >= 12 && names.windows(2).all(|w| w[0] < w[1]), "{names:?}");

    let r = repo("staging/payments/api");
    let rights = c.repository_permissions(&r).await.unwrap();
    assert_eq!(
        rights,
        Permissions { read: true, write: true, delete: true, known: true },
        "{format:?}"
    );
    let props = c.get_repository_properties(&r).await.unwrap();
    assert!(props.tag_count > 8);

    let asc = collect_all(c.list_tags(&r, OrderBy::TimeAsc), |_| {}).await.unwrap();
    let desc = collect_all(c.list_tags(&r, OrderBy::TimeDesc), |_| {}).await.unwrap();
    let lexical = collect_all(c.list_tags(&r, OrderBy::None), |_| {}).await.unwrap();
    assert_eq!(asc.len() as u64, props.tag_count);
    assert!(asc.windows(2).all(|w| w[0].last_update_time <= w[1].last_update_time));
    assert_eq!(desc.len(), asc.len());
    assert!(desc.windows(2).all(|w| w[0].last_update_time >= w[1].last_update_time));
    assert!(lexical.windows(2).all(|w| w[0].name < w[1].name));

    let manifests = collect_all(c.list_manifests(&r, OrderBy::TimeDesc), |_| {}).await.unwrap();
    assert_eq!(manifests.len() as u64, props.manifest_count);
    assert!(manifests.windows(2).all(|w| w[0].last_update_time >= w[1].last_update_time));
    let by_digest = collect_all(c.list_manifests(&r, OrderBy::None), |_| {}).await.unwrap();
    assert!(by_digest.windows(2).all(|w| w[0].digest < w[1].digest));

    // Lock, read back, unlock: each PATCH changes only what it names.
    let t = asc[0].name.clone();
    let lock = AttributesPatch {
        write_enabled: Some(false),
        delete_enabled: Some(false),
        ..Default::default()
    };
    let locked = c.update_tag_attributes(&r, &t, &lock).await.unwrap();
    assert!(
        locked.tag.changeable_attributes.is_locked()
            && locked.tag.changeable_attributes.read_enabled
    );
    assert_eq!(c.get_tag_properties(&r, &t).await.unwrap().tag, locked.tag);
    let e = c.delete_tag(&r, &t).await.unwrap_err();
    assert_eq!(e, ClientError::Disallowed { what: format!("{r}:{t}") });
    let unlock = AttributesPatch {
        write_enabled: Some(true),
        delete_enabled: Some(true),
        ..Default::default()
    };
    c.update_tag_attributes(&r, &t, &unlock).await.unwrap();
    c.delete_tag(&r, &t).await.unwrap();
    assert!(matches!(
        c.get_tag_properties(&r, &t).await.unwrap_err(),
        ClientError::NotFound { .. }
    ));

    let d: Digest = manifests[0].digest.clone();
    let m = c
        .update_manifest_properties(
            &r,
            &d,
            &AttributesPatch { delete_enabled: Some(false), ..Default::default() },
        )
        .await
        .unwrap();
    assert!(
        !m.manifest.changeable_attributes.delete_enabled
            && m.manifest.changeable_attributes.write_enabled
    );
    assert_eq!(c.get_manifest_properties(&r, &d).await.unwrap().manifest, m.manifest);
    assert!(matches!(c.delete_manifest(&r, &d).await.unwrap_err(), ClientError::Disallowed { .. }));
    c.update_manifest_properties(
        &r,
        &d,
        &AttributesPatch { delete_enabled: Some(true), ..Default::default() },
    )
    .await
    .unwrap();
    c.delete_manifest(&r, &d).await.unwrap();

    let repo_lock = AttributesPatch { write_enabled: Some(false), ..Default::default() };
    let after = c.update_repository_properties(&r, &repo_lock).await.unwrap();
    assert!(
        !after.changeable_attributes.write_enabled && after.changeable_attributes.delete_enabled
    );
    assert!(matches!(c.delete_repository(&r).await.unwrap_err(), ClientError::Disallowed { .. }));
    c.update_repository_properties(
        &r,
        &AttributesPatch { write_enabled: Some(true), ..Default::default() },
    )
    .await
    .unwrap();
    let deleted = c.delete_repository(&r).await.unwrap();
    assert!(!deleted.manifests_deleted.is_empty());
    assert!(
        matches!(c.get_repository_properties(&r).await.unwrap_err(), ClientError::NotFound { code, .. } if code == "NAME_UNKNOWN")
    );
}

#[tokio::test]
async fn the_demo_lock_refuses_delete() {
    let running = demo().await;
    let c = client_for(&running, &running.base_url, "admin", ClientOptions::default());
    let e = c.delete_tag(&repo("prod/payments/api"), &tag("1.4.2")).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "Disallowed by a lock: prod/payments/api:1.4.2 is locked against this operation."
    );
}

#[tokio::test]
async fn viewers_are_refused_writes_and_know_it_in_advance() {
    for format in FORMATS {
        viewer_and_payments_rights(format).await;
    }
}

async fn viewer_and_payments_rights(format: TokenFormat) {
    let running = demo_in(format).await;
    let viewer = client_for(&running, &running.base_url, "viewer", ClientOptions::default());
    let r = repo("prod/web/frontend");
    assert_eq!(
        viewer.repository_permissions(&r).await.unwrap(),
        Permissions { read: true, write: false, delete: false, known: true }
    );
    let e = viewer
        .update_tag_attributes(
            &r,
            &tag("stable"),
            &AttributesPatch { write_enabled: Some(true), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::PermissionDenied { .. }), "{e:?}");
    assert!(viewer.list_tags(&r, OrderBy::None).next_page_ok().await);

    let payments = client_for(&running, &running.base_url, "payments", ClientOptions::default());
    assert!(payments.repository_permissions(&repo("prod/payments/api")).await.unwrap().write);
    assert!(!payments.repository_permissions(&r).await.unwrap().write);
    assert!(viewer.can_list_catalog().await.unwrap());
}

/// First page of a stream succeeded.
trait FirstPage {
    async fn next_page_ok(self) -> bool;
}

impl<T> FirstPage for acr_client::Pages<'_, T> {
    async fn next_page_ok(mut self) -> bool {
        use futures_util::StreamExt;
        matches!(self.next().await, Some(Ok(_)))
    }
}

#[tokio::test]
async fn password_grant_and_anonymous_pull() {
    let running = demo().await;
    let service = running.addr.to_string();
    let t = Arc::new(ReqwestTransport::new());
    let ci = RegistryClient::new(
        t.clone(),
        &running.base_url,
        &service,
        Credential::Password {
            username: "ci-readonly".into(),
            password: Secret::new("ci-readonly-password"),
        },
        ClientOptions::default(),
    )
    .unwrap();
    let tags =
        collect_all(ci.list_tags(&repo("prod/payments/api"), OrderBy::None), |_| {}).await.unwrap();
    assert!(!tags.is_empty());
    assert!(matches!(
        collect_all(ci.list_repositories(), |_| {}).await.unwrap_err(),
        ClientError::PermissionDenied { .. }
    ));

    let anon = RegistryClient::new(
        t.clone(),
        &running.base_url,
        &service,
        Credential::Anonymous,
        ClientOptions::default(),
    )
    .unwrap();
    let e = anon.get_repository_properties(&repo("library/nginx")).await.unwrap_err();
    assert!(
        matches!(e, ClientError::SignInRequired { .. } | ClientError::PermissionDenied { .. }),
        "{e:?}"
    );

    let open =
        acr_emulator::spawn(Config { anonymous_pull: true, ..Config::default() }).await.unwrap();
    let anon = RegistryClient::new(
        t,
        &open.base_url,
        &open.addr.to_string(),
        Credential::Anonymous,
        ClientOptions::default(),
    )
    .unwrap();
    assert!(anon.get_repository_properties(&repo("library/nginx")).await.is_ok());
}

#[tokio::test]
async fn works_through_the_same_origin_proxy_path() {
    let dir = std::env::temp_dir().join(format!("acr-client-proxy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
    let running =
        acr_emulator::spawn(Config { console_dir: Some(dir.clone()), ..Config::default() })
            .await
            .unwrap();
    let endpoint = format!("{}/registry/demo", running.base_url);
    let c = client_for(&running, &endpoint, "admin", small_pages());
    let names = collect_all(c.list_repositories(), |_| {}).await.unwrap();
    assert!(names.len() >= 12);
    let r = repo("staging/payments/api");
    let tags = collect_all(c.list_tags(&r, OrderBy::TimeDesc), |_| {}).await.unwrap();
    assert!(tags.len() > 8);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn throttled_registry_still_answers_everything() {
    let running = acr_emulator::spawn(Config {
        faults: Faults {
            throttle_rate: 0.3,
            unavailable_rate: 0.1,
            retry_after: Some(0),
            ..Faults::default()
        },
        ..Config::default()
    })
    .await
    .unwrap();
    let opts = ClientOptions {
        page_size: 3,
        max_retries: 12,
        backoff_base: std::time::Duration::from_millis(1),
        ..ClientOptions::default()
    };
    let c = client_for(&running, &running.base_url, "admin", opts);
    let names = collect_all(c.list_repositories(), |_| {}).await.unwrap();
    assert!(names.len() >= 12);
    let tags = collect_all(c.list_tags(&repo("staging/payments/api"), OrderBy::None), |_| {})
        .await
        .unwrap();
    assert!(tags.len() > 8);
    let stats = &running.state.stats;
    assert!(
        stats.throttled.load(Ordering::Relaxed) + stats.unavailable.load(Ordering::Relaxed) > 0
    );
}

/// Listing N tags with their lock state costs ceil(N / page) list requests and at most two
/// token requests (one exchange, one access token).
#[tokio::test]
async fn listing_costs_one_request_per_page_and_two_token_requests() {
    let running = acr_emulator::spawn(Config {
        data: DataSource::Generate(Generate { repos: 10, tags: 2_500 }),
        ..Config::default()
    })
    .await
    .unwrap();
    let c = client_for(
        &running,
        &running.base_url,
        "admin",
        ClientOptions { page_size: 1000, ..ClientOptions::default() },
    );
    let tags = collect_all(c.list_tags(&repo("scale/many-tags"), OrderBy::TimeDesc), |_| {})
        .await
        .unwrap();
    assert_eq!(tags.len(), 2_500);
    let s = &running.state.stats;
    let (list, exchange, token) = (
        s.registry.load(Ordering::Relaxed),
        s.exchange.load(Ordering::Relaxed),
        s.token.load(Ordering::Relaxed),
    );
    println!(
        "2,500 tags at 1,000 per page: {list} list requests, {exchange} exchange, {token} token"
    );
    assert_eq!(list, 3);
    assert!(exchange + token <= 2);
}
