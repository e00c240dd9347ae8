//! Hostile-input journeys: the console signed in against a registry that answers one kind of
//! request badly — broken or oversized JSON, links and realms on another origin, tokens that are
//! not tokens, markup and control characters in names, endless pages, proxies' HTML, redirects
//! and 401 loops. For every kind the reader gets a clear problem (or the data as plain text), the
//! page never panics and still responds, no injected script runs, and no request (with or
//! without a token) leaves the console's origin: checked against both servers' records and the
//! page's own record of everything it fetched.

use crate::{
    harness::{
        copy_of_dist, dist_dir, page_activity, screenshot, start_console_from, watch_page,
        with_browser, PageActivity,
    },
    hostile::{fake_jwt, json, json_with, respond, Asked, Foreign, HostileRegistry, Rule, Seen},
    pages::{sign_in_as, wait_until},
};
use fantoccini::{error::CmdError, Client, Locator};
use serde_json::json;
use std::{sync::Arc, time::Duration};

/// The repository list (the catalog).
const REPOSITORIES: &str = "/r/demo";
/// The demo's production API repository, with its tags.
const API: &str = "/r/demo/prod%2Fpayments%2Fapi";
/// The catalog, under the registry's prefix.
const CATALOG: &str = "/acr/v1/_catalog";
/// The API repository's tag list.
const API_TAGS: &str = "/acr/v1/prod%2Fpayments%2Fapi/_tags";
/// Longest a page may take to show what it makes of the answer (network errors are retried with
/// backoff for several seconds first).
const SETTLE: Duration = Duration::from_secs(40);
/// What a panicking or trapping wasm module writes to the console.
const PANIC_MARKS: [&str; 5] =
    ["panicked", "unreachable", "RuntimeError", "wasm-function", "__pwned"];

/// What the reader must see.
enum Expect {
    /// The error view, whose text holds every one of these.
    Problem(&'static [&'static str]),
    /// The page itself (no error view), whose text holds every one of these.
    Shown(&'static [&'static str]),
}

/// Makes a journey's rule from the foreign origin (`http://127.0.0.1:<port>`) and the registry's
/// login server (`127.0.0.1:<port>`).
type MakeRule = Box<dyn FnOnce(&str, &str) -> Rule + Send>;

/// One hostile journey: which page to open, how the registry misbehaves (given the foreign
/// origin), what the reader must see, and at most how many times the rule may fire (for loops).
struct Journey {
    name: &'static str,
    page: &'static str,
    rule: MakeRule,
    expect: Expect,
    max_hits: Option<usize>,
    /// Text the page shows besides the error view (e.g. the rows kept).
    also: &'static [&'static str],
}

impl Journey {
    fn new(
        name: &'static str,
        page: &'static str,
        expect: Expect,
        rule: impl FnOnce(&str, &str) -> Rule + Send + 'static,
    ) -> Self {
        Self { name, page, rule: Box::new(rule), expect, max_hits: None, also: &[] }
    }

    /// The page also shows every one of `words` outside the error view.
    fn also_shown(mut self, words: &'static [&'static str]) -> Self {
        self.also = words;
        self
    }

    /// The rule may fire at most `n` times, however long the page is left open.
    fn at_most(mut self, n: usize) -> Self {
        self.max_hits = Some(n);
        self
    }

    /// Signs in, turns the registry hostile, opens the page and checks everything.
    async fn run(self) {
        let registry = HostileRegistry::start(dist_dir()).await;
        let foreign = Foreign::start().await;
        let rule = (self.rule)(&foreign.base_url, &registry.login_server());
        let home = registry.url("/");
        let target = registry.url(self.page);
        with_browser(move |client| async move {
            watch_page(&client).await?;
            sign_in_as(&client, &home, "admin").await?;
            registry.misbehave(rule);
            client.goto(&target).await?;
            let shown = match self.expect {
                Expect::Problem(words) => {
                    let text = wait_for_text(&client, "[data-testid=\"error-view\"]").await?;
                    assert_holds(&text, words, self.name);
                    text
                }
                Expect::Shown(words) => {
                    let text = wait_until(SETTLE, || async {
                        let main = main_text(&client).await?;
                        Ok(words.iter().all(|w| main.contains(w)).then_some(main))
                    })
                    .await
                    .map_err(|e| format!("{}: the page never showed {words:?}: {e}", self.name))?;
                    assert!(
                        client.find(Locator::Css("[data-testid=\"error-view\"]")).await.is_err(),
                        "{}: no error for data that can be shown",
                        self.name
                    );
                    text
                }
            };
            if !self.also.is_empty() {
                let also = self.also;
                wait_until(SETTLE, || async {
                    let main = main_text(&client).await?;
                    Ok(also.iter().all(|w| main.contains(w)).then_some(()))
                })
                .await
                .map_err(|e| format!("{}: the page never showed {also:?}: {e}", self.name))?;
            }
            assert!(
                !shown.chars().any(|c| c.is_control() && c != '\n'),
                "{}: {shown:?}",
                self.name
            );
            eprintln!("hostile {}: {}", self.name, shown.replace('\n', " | "));
            screenshot(&client, &format!("hostile-{}", self.name)).await?;
            assert!(!registry.hits().is_empty(), "{}: the registry never misbehaved", self.name);
            if let Some(max) = self.max_hits {
                // Left alone for a while, the page must not go on asking.
                tokio::time::sleep(Duration::from_secs(3)).await;
                let hits = registry.hits();
                assert!(hits.len() <= max, "{}: {} requests: {hits:#?}", self.name, hits.len());
            }
            assert_no_script_ran(&client, self.name).await?;
            let activity = page_activity(&client).await?;
            assert_no_panic(&activity, self.name);
            assert_only_own_origin(&activity, &registry, &foreign, self.name);
            assert_still_responds(&client, self.name).await?;
            Ok(())
        })
        .await;
    }
}

/// The text of the main landmark.
async fn main_text(client: &Client) -> Result<String, CmdError> {
    match client.find(Locator::Css("main")).await {
        Ok(main) => main.text().await,
        Err(e) if e.is_no_such_element() => Ok(String::new()),
        Err(e) => Err(e),
    }
}

/// Waits until `css` finds an element with text, and returns the text.
async fn wait_for_text(client: &Client, css: &str) -> Result<String, CmdError> {
    wait_until(SETTLE, || async {
        match client.find(Locator::Css(css)).await {
            Ok(el) => Ok(Some(el.text().await?).filter(|t| !t.trim().is_empty())),
            Err(e) if e.is_no_such_element() || e.is_stale_element_reference() => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

fn assert_holds(text: &str, words: &[&str], name: &str) {
    for w in words {
        assert!(text.contains(w), "{name}: the problem shown lacks {w:?}: {text}");
    }
}

/// No injected handler or script ran, and no markup from the registry became an element.
async fn assert_no_script_ran(client: &Client, name: &str) -> Result<(), CmdError> {
    let script = "return { pwned: typeof window.__pwned, \
        injected: document.querySelectorAll('main img, main script, main iframe, main [onerror]').length };";
    let v = client.execute(script, vec![]).await?;
    assert_eq!(v["pwned"], "undefined", "{name}: a script from the registry ran");
    assert_eq!(v["injected"], 0, "{name}: the registry's markup became elements");
    Ok(())
}

/// Nothing panicked or trapped: no panic message, no uncaught error.
fn assert_no_panic(activity: &PageActivity, name: &str) {
    assert!(activity.watched, "{name}: the page watch was not installed in {}", activity.location);
    for line in activity.console.iter().chain(&activity.errors) {
        assert!(!PANIC_MARKS.iter().any(|m| line.contains(m)), "{name}: {line}");
    }
    assert!(activity.errors.is_empty(), "{name}: uncaught errors {:?}", activity.errors);
}

/// No request went anywhere but the console's origin, and credentials only to the registry's
/// endpoint and the sign-in authority: by the foreign server's record (nothing at all), the
/// registry's record, and the page's own record of fetches and resources.
fn assert_only_own_origin(
    activity: &PageActivity,
    registry: &HostileRegistry,
    foreign: &Foreign,
    name: &str,
) {
    assert_eq!(foreign.seen(), Vec::<Seen>::new(), "{name}: the foreign origin was contacted");
    let seen = registry.take_seen();
    assert!(!seen.is_empty(), "{name}: the registry saw no request");
    for s in &seen {
        if s.credentials || s.token_in_body {
            assert!(
                s.target.starts_with("/registry/demo/") || s.target.starts_with("/demo/"),
                "{name}: a token went to {} {}",
                s.method,
                s.target
            );
        }
    }
    let own = format!("{}/", registry.base_url);
    let endpoint = format!("{}/registry/demo/", registry.base_url);
    assert!(!activity.requests.is_empty(), "{name}: the page recorded no request");
    for r in &activity.requests {
        assert!(r.url.starts_with(&own), "{name}: the page asked {} {}", r.method, r.url);
        if r.authorization {
            assert!(r.url.starts_with(&endpoint), "{name}: a token went to {}", r.url);
        }
    }
    for url in activity.resources.iter().chain(&activity.navigations) {
        assert!(url.starts_with(&own), "{name}: the page loaded {url}");
    }
}

/// The app still works: the primary navigation leads to the overview.
async fn assert_still_responds(client: &Client, name: &str) -> Result<(), CmdError> {
    let overview = "//nav[@aria-label='Primary']//a[normalize-space(.)='Overview']";
    client.find(Locator::XPath(overview)).await?.click().await?;
    let heading = "//main//h1[normalize-space(.)='Welcome to ACR Console']";
    client.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(heading)).await?;
    assert_eq!(client.current_url().await?.path(), "/", "{name}: navigation did not happen");
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// Rules
// ------------------------------------------------------------------------------------------------

/// Answers `GET <registry>/<rest>` (any query) with `answer`; everything else reaches the emulator.
fn on_get(
    rest: &'static str,
    answer: impl Fn(&Asked<'_>) -> axum::response::Response + Send + Sync + 'static,
) -> Rule {
    Arc::new(move |a: Asked<'_>| a.get(rest).then(|| answer(&a)))
}

/// Answers `POST <registry>/<rest>` with `answer`.
fn on_post(
    rest: &'static str,
    answer: impl Fn() -> axum::response::Response + Send + Sync + 'static,
) -> Rule {
    Arc::new(move |a: Asked<'_>| a.post(rest).then(&answer))
}

/// A catalog answer with `body` (any text, sent as JSON).
fn catalog_says(body: &'static str) -> Rule {
    on_get(CATALOG, move |_| json(200, body))
}

/// A catalog page holding `names`, with a `Link` header `link`.
fn catalog_page(names: &[&str], link: &str) -> axum::response::Response {
    json_with(200, "link", link, json!({ "repositories": names }).to_string())
}

/// A tag list of the API repository holding `tags` (JSON values).
fn tag_list(tags: serde_json::Value) -> axum::response::Response {
    json(
        200,
        json!({ "registry": "demo", "imageName": "prod/payments/api", "tags": tags }).to_string(),
    )
}

// ------------------------------------------------------------------------------------------------
// The journeys: one per kind of bad answer.
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_json_in_the_catalog_is_an_unexpected_answer() {
    Journey::new(
        "malformed-json",
        REPOSITORIES,
        Expect::Problem(&["Unexpected answer", "could not be read"]),
        |_, _| catalog_says(r#"{"repositories": ["prod/api", }"#),
    )
    .run()
    .await;
}

#[tokio::test]
async fn a_truncated_catalog_is_an_unexpected_answer() {
    Journey::new(
        "truncated-json",
        REPOSITORIES,
        Expect::Problem(&["Unexpected answer", "could not be read"]),
        |_, _| catalog_says(r#"{"repositories":["prod/api","prod/we"#),
    )
    .run()
    .await;
}

#[tokio::test]
async fn a_tag_missing_its_fields_is_left_out_and_named_and_the_rest_shown() {
    Journey {
        also: &["2.0.0"],
        ..Journey::new(
            "missing-fields",
            API,
            Expect::Shown(&["1 entry could not be read", "“1.0.0” (missing field"]),
            |_, _| on_get(API_TAGS, |_| tag_list(json!([{ "name": "1.0.0" }, good_tag("2.0.0")]))),
        )
    }
    .run()
    .await;
}

/// A tag entry as ACR writes it.
fn good_tag(name: &str) -> serde_json::Value {
    json!({
        "name": name,
        "digest": format!("sha256:{}", "a".repeat(64)),
        "createdTime": "2026-01-01T00:00:00.0000000Z",
        "lastUpdateTime": "2026-01-01T00:00:00.0000000Z",
        "changeableAttributes": {
            "deleteEnabled": true, "writeEnabled": true, "readEnabled": true, "listEnabled": true
        }
    })
}

#[tokio::test]
async fn mistyped_entries_in_the_catalog_are_left_out_and_named_and_the_rest_shown() {
    Journey {
        also: &["prod/api"],
        ..Journey::new(
            "mistyped-fields",
            REPOSITORIES,
            Expect::Shown(&["2 entries could not be read", "invalid type"]),
            |_, _| catalog_says(r#"{"repositories": [42, {"name": true}, "prod/api"]}"#),
        )
    }
    .run()
    .await;
}

#[tokio::test]
async fn a_ten_megabyte_catalog_is_refused_as_too_large() {
    Journey::new(
        "ten-megabytes",
        REPOSITORIES,
        Expect::Problem(&["Answer too large", "larger than 4 MB"]),
        |_, _| {
            let names: Vec<String> =
                (0..100_000).map(|i| format!("flood/{i:06}/{}", "x".repeat(90))).collect();
            let body = json!({ "repositories": names }).to_string();
            assert!(body.len() > 10 * 1024 * 1024);
            on_get(CATALOG, move |_| json(200, body.clone()))
        },
    )
    .run()
    .await;
}

#[tokio::test]
async fn a_next_page_link_to_another_origin_is_never_followed() {
    Journey::new(
        "link-to-another-origin",
        REPOSITORIES,
        Expect::Problem(&["Not followed", "another origin", "Nothing was sent there"]),
        |foreign, _| {
            let link = format!("<{foreign}/acr/v1/_catalog?last=prod%2Fapi&n=1000>; rel=\"next\"");
            on_get(CATALOG, move |_| catalog_page(&["prod/api"], &link))
        },
    )
    .at_most(1)
    .run()
    .await;
}

#[tokio::test]
async fn a_sign_in_realm_on_another_origin_gets_no_token() {
    Journey::new(
        "realm-on-another-origin",
        REPOSITORIES,
        Expect::Problem(&["Not followed", "sign-in realm", "another origin"]),
        |foreign, login| {
            let challenge = format!(
                "Bearer realm=\"{foreign}/oauth2/token\",service=\"{login}\",scope=\"registry:catalog:*\",error=\"invalid_token\""
            );
            on_get(CATALOG, move |_| {
                respond(401, &[("www-authenticate", &challenge), ("content-type", "application/json")], r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#)
            })
        },
    )
    .at_most(1)
    .run()
    .await;
}

#[tokio::test]
async fn an_access_token_that_is_not_a_jwt_is_used_and_the_registrys_refusal_shown() {
    // The client does not judge a token it cannot read: it sends it, and the registry decides.
    Journey::new(
        "access-token-not-a-jwt",
        REPOSITORIES,
        Expect::Problem(&["does not accept this account's tokens"]),
        |_, _| on_post("/oauth2/token", || json(200, r#"{"access_token":"opaque-access-token"}"#)),
    )
    .run()
    .await;
}

#[tokio::test]
async fn a_refresh_token_that_is_not_a_jwt_is_used_and_the_registrys_refusal_shown() {
    Journey::new(
        "refresh-token-not-a-jwt",
        REPOSITORIES,
        Expect::Problem(&["refused to issue an access token"]),
        |_, _| on_post("/oauth2/exchange", || json(200, r#"{"refresh_token":"opaque.refresh"}"#)),
    )
    .run()
    .await;
}

#[tokio::test]
async fn an_access_token_expired_on_arrival_is_refused_naming_the_clock() {
    Journey::new(
        "token-expired-on-arrival",
        REPOSITORIES,
        Expect::Problem(&["Unexpected answer", "already expired", "clock"]),
        |_, _| {
            let stale = fake_jwt(&json!({ "exp": 1, "access": [] }));
            on_post("/oauth2/token", move || {
                json(200, json!({ "access_token": stale }).to_string())
            })
        },
    )
    .run()
    .await;
}

#[tokio::test]
async fn an_error_body_under_status_200_is_an_error_not_an_empty_list() {
    Journey::new(
        "error-body-with-200",
        REPOSITORIES,
        Expect::Problem(&[
            "Unexpected answer",
            "was an error (UNAUTHORIZED)",
            "authentication required",
        ]),
        |_, _| {
            catalog_says(
                r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
            )
        },
    )
    .run()
    .await;
}

#[tokio::test]
async fn markup_in_repository_names_is_named_as_text_never_runs_and_the_rest_is_shown() {
    Journey {
        also: &["prod/api"],
        ..Journey::new(
            "markup-in-repository-names",
            REPOSITORIES,
            Expect::Shown(&[
                "2 entries could not be read",
                "<img src=x onerror=window.__pwned=1>",
                "<script>window.__pwned=2</script>",
            ]),
            |_, _| {
                catalog_says(
                    r#"{"repositories":["<img src=x onerror=window.__pwned=1>","prod/api","<script>window.__pwned=2</script>"]}"#,
                )
            },
        )
    }
    .run()
    .await;
}

#[tokio::test]
async fn control_characters_in_repository_names_never_reach_the_page() {
    Journey {
        also: &["prod/api"],
        ..Journey::new(
            "control-characters-in-names",
            REPOSITORIES,
            Expect::Shown(&["1 entry could not be read", "prod/bell"]),
            |_, _| {
                catalog_says(
                    "{\"repositories\":[\"prod/bell\\u0007\\u001b[31mred\\u0000\",\"prod/api\"]}",
                )
            },
        )
    }
    .run()
    .await;
}

#[tokio::test]
async fn one_tag_with_markup_in_its_name_is_named_as_text_never_runs_and_the_rest_is_shown() {
    Journey {
        also: &["1.0.0"],
        ..Journey::new(
            "markup-in-tag-names",
            API,
            Expect::Shown(&["1 entry could not be read", "<img src=x onerror=window.__pwned=3>"]),
            |_, _| {
                let bad = good_tag("<img src=x onerror=window.__pwned=3>");
                on_get(API_TAGS, move |_| tag_list(json!([bad.clone(), good_tag("1.0.0")])))
            },
        )
    }
    .run()
    .await;
}

#[tokio::test]
async fn markup_in_the_registrys_error_message_is_shown_as_text() {
    Journey::new(
        "markup-in-error-message",
        REPOSITORIES,
        Expect::Problem(&["Unexpected answer", "answered 500", "<img src=x onerror=window.__pwned=4>"]),
        |_, _| {
            on_get(CATALOG, |_| {
                json(500, r#"{"errors":[{"code":"<b>BOOM</b>","message":"<img src=x onerror=window.__pwned=4>"}]}"#)
            })
        },
    )
    .run()
    .await;
}

#[tokio::test]
async fn a_page_linking_to_itself_forever_is_stopped() {
    Journey::new(
        "page-repeats-forever",
        REPOSITORIES,
        Expect::Problem(&["Unexpected answer", "same next page"]),
        |_, _| {
            on_get(CATALOG, |_| {
                catalog_page(
                    &["prod/api"],
                    "</acr/v1/_catalog?last=prod%2Fapi&n=1000>; rel=\"next\"",
                )
            })
        },
    )
    .at_most(2)
    .run()
    .await;
}

#[tokio::test]
async fn pages_cycling_back_to_the_first_are_stopped() {
    Journey::new(
        "pages-cycle",
        REPOSITORIES,
        Expect::Problem(&["Unexpected answer", "same next page", "after 3 items"]),
        |_, _| {
            on_get(CATALOG, |a| {
                // first → last=a → last=b → first → …, each link dressed differently.
                let (names, link): (&[&str], _) = if a.query.contains("last=a") {
                    (&["b"], "</acr/v1/_catalog?last=b&n=1000&orderby=>; rel=\"next\"")
                } else if a.query.contains("last=b") {
                    (&["c"], "</acr/v1/_catalog?n=1000&x=again>; rel=\"next\"")
                } else {
                    (&["a"], "</acr/v1/_catalog?last=a&n=1000>; rel=\"next\"")
                };
                catalog_page(names, link)
            })
        },
    )
    .at_most(3)
    // The third page is kept (only its link is refused): the rows and the count agree.
    .also_shown(&["only 3 repositories loaded"])
    .run()
    .await;
}

#[tokio::test]
async fn a_next_page_link_of_garbage_is_an_unexpected_answer() {
    Journey::new(
        "link-garbage",
        REPOSITORIES,
        Expect::Problem(&["Unexpected answer", "next-page link", "cannot be read"]),
        |_, _| on_get(CATALOG, |_| catalog_page(&["prod/api"], "garbage <<>>; rel=next, <")),
    )
    .at_most(1)
    .run()
    .await;
}

#[tokio::test]
async fn a_next_page_link_running_script_or_leaving_the_registry_is_never_followed() {
    Journey::new(
        "link-javascript-or-outside",
        REPOSITORIES,
        Expect::Problem(&["Not followed", "not followed"]),
        |_, _| {
            on_get(CATALOG, |a| {
                let link = if a.query.contains("last=") {
                    "<javascript:window.__pwned=5>; rel=\"next\""
                } else {
                    // Same origin, but out of the registry: to the authority's token endpoint.
                    "</../../demo/token>; rel=\"next\""
                };
                catalog_page(&["prod/api"], link)
            })
        },
    )
    .at_most(1)
    .run()
    .await;
}

#[tokio::test]
async fn a_json_list_labelled_as_html_is_shown_as_plain_text() {
    Journey::new(
        "wrong-content-type",
        REPOSITORIES,
        Expect::Shown(&["prod/labelled-as-html"]),
        |_, _| {
            on_get(CATALOG, |_| {
                respond(
                    200,
                    &[("content-type", "text/html")],
                    r#"{"repositories":["prod/labelled-as-html"]}"#,
                )
            })
        },
    )
    .run()
    .await;
}

#[tokio::test]
async fn a_proxys_html_error_page_is_an_unexpected_answer_and_its_script_never_runs() {
    Journey::new(
        "proxy-html-error-page",
        REPOSITORIES,
        Expect::Problem(&["Unexpected answer", "answered 502"]),
        |_, _| {
            on_get(CATALOG, |_| {
                respond(
                    502,
                    &[("content-type", "text/html")],
                    "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>\
                     <script>window.__pwned=6</script><img src=x onerror=window.__pwned=7></body></html>",
                )
            })
        },
    )
    .run()
    .await;
}

#[tokio::test]
async fn an_empty_catalog_body_is_an_unexpected_answer() {
    Journey::new(
        "empty-body",
        REPOSITORIES,
        Expect::Problem(&["Unexpected answer", "could not be read"]),
        |_, _| on_get(CATALOG, |_| respond(200, &[("content-type", "application/json")], "")),
    )
    .run()
    .await;
}

#[tokio::test]
async fn a_500_with_a_non_json_body_is_an_unexpected_answer() {
    Journey::new(
        "500-not-json",
        REPOSITORIES,
        Expect::Problem(&["Unexpected answer", "answered 500"]),
        |_, _| {
            on_get(CATALOG, |_| {
                respond(
                    500,
                    &[("content-type", "text/plain")],
                    "Internal Server Error\n\tat Registry.Catalog()\u{0}",
                )
            })
        },
    )
    .run()
    .await;
}

#[tokio::test]
async fn a_null_repository_list_is_an_empty_registry() {
    Journey::new(
        "null-repositories",
        REPOSITORIES,
        Expect::Shown(&["This registry has no repositories you can see."]),
        |_, _| catalog_says(r#"{"repositories": null}"#),
    )
    .run()
    .await;
}

#[tokio::test]
async fn an_oversized_header_is_a_network_error() {
    Journey::new(
        "oversized-header",
        REPOSITORIES,
        Expect::Problem(&["could not be reached"]),
        |_, _| {
            let huge = "x".repeat(400 * 1024);
            on_get(CATALOG, move |_| {
                respond(
                    200,
                    &[("content-type", "application/json"), ("x-padding", &huge)],
                    r#"{"repositories":[]}"#,
                )
            })
        },
    )
    .run()
    .await;
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_never_followed() {
    Journey::new(
        "redirect-to-another-origin",
        REPOSITORIES,
        Expect::Problem(&["Not followed", "redirecting", "never followed"]),
        |foreign, _| {
            let location = format!("{foreign}/acr/v1/_catalog?n=1000");
            on_get(CATALOG, move |_| respond(302, &[("location", &location)], ""))
        },
    )
    .at_most(1)
    .run()
    .await;
}

#[tokio::test]
async fn a_registry_refusing_every_token_ends_in_sign_in_required_not_a_loop() {
    Journey::new(
        "401-loop",
        REPOSITORIES,
        Expect::Problem(&["Sign-in required", "does not accept"]),
        |_, login| {
            let challenge = format!(
                "Bearer realm=\"http://{login}/oauth2/token\",service=\"{login}\",scope=\"registry:catalog:*\",error=\"invalid_token\""
            );
            on_get(CATALOG, move |_| {
                respond(401, &[("www-authenticate", &challenge)], r#"{"errors":[{"code":"UNAUTHORIZED","message":"no"}]}"#)
            })
        },
    )
    .at_most(2)
    .run()
    .await;
}

#[tokio::test]
async fn a_401_without_a_challenge_is_an_unexpected_answer() {
    Journey::new(
        "401-without-challenge",
        REPOSITORIES,
        Expect::Problem(&["Unexpected answer", "without a readable challenge"]),
        |_, _| on_get(CATALOG, |_| respond(401, &[("www-authenticate", "<b>not a challenge")], "")),
    )
    .at_most(1)
    .run()
    .await;
}

// ------------------------------------------------------------------------------------------------
// A hostile config.json: refused as a whole, naming the field, its markup never rendered.
// ------------------------------------------------------------------------------------------------

/// Serves the console with `config` as its `config.json` and checks that the config error page
/// names `field` and says `words`, that nothing ran, and that nothing left the origin.
async fn refused_config(
    name: &'static str,
    config: String,
    field: &'static str,
    words: &'static str,
) {
    let dir = copy_of_dist(name);
    std::fs::write(dir.join("config.json"), config).expect("write config.json");
    let console = start_console_from(&dir).await;
    let home = console.url("/");
    let own = console.url("/");
    with_browser(move |client| async move {
        watch_page(&client).await?;
        client.goto(&home).await?;
        let message = wait_for_text(&client, "[data-testid=\"config-error-message\"]").await?;
        assert!(message.contains(words), "{name}: {message}");
        let shown_field =
            match client.find(Locator::Css("[data-testid=\"config-error-field\"]")).await {
                Ok(el) => el.text().await?,
                Err(e) if e.is_no_such_element() => String::new(),
                Err(e) => return Err(e.into()),
            };
        assert_eq!(shown_field, field, "{name}");
        eprintln!("hostile {name}: {shown_field} {message}");
        screenshot(&client, &format!("hostile-{name}")).await?;
        assert_no_script_ran(&client, name).await?;
        let activity = page_activity(&client).await?;
        assert_no_panic(&activity, name);
        for url in activity.requests.iter().map(|r| &r.url).chain(&activity.resources) {
            assert!(url.starts_with(&own), "{name}: the page asked {url}");
        }
        assert!(activity.requests.iter().all(|r| !r.authorization), "{name}: a token was sent");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn markup_in_a_config_json_login_server_is_refused_naming_the_field() {
    let config = json!({
        "registries": [{
            "name": "demo",
            "loginServer": "<img src=x onerror=window.__pwned=9>",
            "endpoint": "/registry/demo",
            "signIn": "token"
        }]
    });
    refused_config(
        "config-markup",
        config.to_string(),
        "registries[0].loginServer",
        "host name only",
    )
    .await;
}

#[tokio::test]
async fn a_config_json_of_megabytes_is_refused_as_a_whole() {
    let names: Vec<_> = (0..20_000)
        .map(|i| json!({ "name": format!("r{i}"), "loginServer": "x.azurecr.io", "endpoint": "/registry/x", "signIn": "token" }))
        .collect();
    let config = json!({ "registries": names }).to_string();
    assert!(config.len() > 1024 * 1024);
    refused_config("config-megabytes", config, "", "larger than 256 KB").await;
}
