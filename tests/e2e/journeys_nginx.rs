//! The deployment path, end to end: the console served by real nginx from the shipped template
//! over HTTPS, the registry reached through its allow-listed same-origin proxy, the Entra
//! authority on another origin, under the strict Content-Security-Policy. An admin signs in,
//! locks a tag and unlocks it; the registry behind the proxy enforces it; the browser reports no
//! CSP violation. A second test checks the headers nginx sends and what it refuses.

use crate::{
    cdp,
    harness::{screenshot, with_browser},
    journeys_locks::{click, Locks},
    nginx::start_behind_nginx,
    pages::sign_in_as,
};
use acr_types::{RepositoryName, TagName};
use reqwest::StatusCode;
use serde_json::json;

/// Records CSP violations of every document in this tab's origin storage (the console keeps
/// nothing in localStorage, so the key cannot collide).
const CSP_RECORDER: &str = "document.addEventListener('securitypolicyviolation', e => { \
    const k = 'e2e-csp-violations'; \
    const v = JSON.parse(localStorage.getItem(k) || '[]'); \
    v.push(e.violatedDirective + ' ' + e.blockedURI); \
    localStorage.setItem(k, JSON.stringify(v)); });";

#[tokio::test]
async fn the_console_works_through_nginx_under_its_csp() {
    let site = start_behind_nginx().await;
    let target = "prod/web/frontend:3.7.0";
    let url = site.url("/r/demo/prod%2Fweb%2Ffrontend/tags/3.7.0");
    let http = site.http();
    let delete_url = site.url("/registry/demo/acr/v1/prod%2Fweb%2Ffrontend/_tags/3.7.0");
    let admin = site.emulator.state.users.by_id("admin").unwrap().clone();
    let token = acr_emulator::auth::cli_token(
        &site.emulator.state.issuer,
        &admin,
        "access",
        &site.login_server(),
        "repository:prod/web/frontend:delete",
    )
    .unwrap();
    let state = site.emulator.state.clone();
    let stored = move || {
        let store = state.store.read().unwrap();
        let repo =
            store.repositories.get(&RepositoryName::new("prod/web/frontend").unwrap()).unwrap();
        let a = &repo.tags.get(&TagName::new("3.7.0").unwrap()).unwrap().attributes;
        (a.write_enabled, a.delete_enabled)
    };
    with_browser(move |client| async move {
        cdp::execute(&client, "Security.setIgnoreCertificateErrors", json!({"ignore": true}))
            .await?;
        cdp::execute(
            &client,
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": CSP_RECORDER}),
        )
        .await?;
        sign_in_as(&client, &url, "admin").await?;

        let locks = Locks::new(&client, target);
        click(&client, &locks.preset("Lock").await?).await?;
        locks.wait_for_status("Saved: write off, delete off").await?;
        assert_eq!(stored(), (false, false), "the registry behind nginx holds the lock");
        let refused = http.delete(&delete_url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED, "the lock refuses the delete");
        screenshot(&client, "nginx-tag-locked").await?;

        locks.unlock_with("Unlock", target, "Saved: write on, delete on").await?;
        assert_eq!(stored(), (true, true));
        let done = http.delete(&delete_url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(done.status(), StatusCode::ACCEPTED, "unlocked: the delete goes through");

        let violations = client
            .execute("return localStorage.getItem('e2e-csp-violations') || '[]'", vec![])
            .await?;
        assert_eq!(violations.as_str(), Some("[]"), "CSP violations: {violations}");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn nginx_sends_the_security_headers_and_proxies_only_the_allow_list() {
    let site = start_behind_nginx().await;
    let http = site.http();
    let authority_origin = format!("https://localhost:{}", site.emulator.addr.port());
    let get = |path: &str| http.get(site.url(path)).header("accept-encoding", "br, gzip").send();

    // The app shell: strict CSP, security headers, never cached, compressed.
    let index = get("/").await.unwrap();
    assert_eq!(index.status(), StatusCode::OK);
    let h = index.headers().clone();
    println!("GET / through nginx answers:");
    let mut names: Vec<_> = h.keys().map(|k| k.as_str().to_owned()).collect();
    names.sort();
    for n in &names {
        println!("  {n}: {}", h[n.as_str()].to_str().unwrap_or("?"));
    }
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    for part in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval' 'sha256-",
        "style-src 'self'",
        &format!("connect-src 'self' {authority_origin}"),
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "CSP lacks {part}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h["strict-transport-security"].to_str().unwrap().contains("max-age="));
    assert_eq!(h["cache-control"], "no-cache");
    assert_eq!(h["content-encoding"], "br");

    // A deep link gets the app; config.json is never cached.
    assert_eq!(get("/r/demo/prod%2Fapi?view=manifests").await.unwrap().status(), StatusCode::OK);
    let config = get("/config.json").await.unwrap();
    assert_eq!(config.headers()["cache-control"], "no-cache");

    // Hashed assets: the right type, cached for a year, compressed.
    let wasm_name = std::fs::read_dir(&site.dist)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with("_bg.wasm"))
        .expect("a wasm file in dist");
    let wasm = get(&format!("/{wasm_name}")).await.unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(wasm.headers()["content-encoding"], "br");

    // The proxy: the allowed registry is reached with its own Host (the realm names it)...
    let probe = get("/registry/demo/v2/").await.unwrap();
    assert_eq!(probe.status(), StatusCode::UNAUTHORIZED);
    let challenge = probe.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.contains(&format!("service=\"{}\"", site.login_server())), "{challenge}");
    assert!(probe.headers().get("set-cookie").is_none());
    // ...and nothing else is: other names, look-alikes, traversal.
    for path in
        ["/registry/other/v2/", "/registry/demox/v2/", "/registry/demo/../other/v2/", "/registry/"]
    {
        let res = get(path).await.unwrap();
        assert_ne!(res.status(), StatusCode::UNAUTHORIZED, "{path} must not reach a registry");
        assert!(
            res.status().is_client_error() || res.status() == StatusCode::OK,
            "{path}: {}",
            res.status()
        );
        if res.status() == StatusCode::OK {
            // Only the app shell (SPA fallback) may answer 200, never a registry.
            let body = res.text().await.unwrap();
            assert!(body.contains("<html"), "{path}");
        }
    }
    // Oversized bodies are refused before they reach the registry.
    let big = vec![b'x'; 2 * 1024 * 1024];
    let res =
        http.patch(site.url("/registry/demo/acr/v1/prod%2Fapi")).body(big).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let stats = site.emulator.state.stats.to_json();
    println!("emulator saw: {stats}");
}
