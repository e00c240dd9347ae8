//! The app shell (banner, primary navigation, main, footer), its skip link, and route segments:
//! a nested repository name stays one URL segment through `href`, `parse` and `decodeURI`.

use crate::fixtures::{by_test_id, fresh_container, only_landmark, text};
use acr_console::{
    components::app_shell::{AppShell, MAIN_ID, PRODUCT_NAME},
    routes::{decode_segment, encode_segment, repository_from_segment, Route},
};
use leptos::{mount::mount_to, prelude::*, task::tick};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlElement;

#[wasm_bindgen_test]
async fn app_shell_renders_landmarks_around_the_page() {
    let container = fresh_container();
    let _mounted = mount_to(container.clone(), || {
        view! {
            <AppShell current=Some(Route::Home)>
                <p data-testid="page-body">"Page body"</p>
            </AppShell>
        }
    });
    tick().await;

    let banner = only_landmark(&container, "banner");
    assert!(text(&banner).contains(PRODUCT_NAME), "banner names the product: {}", text(&banner));

    let nav = only_landmark(&container, "navigation");
    assert_eq!(nav.get_attribute("aria-label").as_deref(), Some("Primary"));
    let current = nav.query_selector("a[aria-current=\"page\"]").unwrap().expect("a current link");
    assert_eq!(current.get_attribute("href").as_deref(), Some("/"));
    assert!(banner.contains(Some(&nav)), "the navigation sits in the banner");

    let main = only_landmark(&container, "main");
    assert_eq!(main.id(), MAIN_ID);
    let page = by_test_id(&container, "page-body").expect("children are rendered");
    assert!(main.contains(Some(&page)), "children are rendered inside the main landmark");

    let footer = only_landmark(&container, "contentinfo");
    let version = by_test_id(&footer, "app-version").expect("the footer shows the version");
    assert_eq!(text(&version), concat!("v", env!("CARGO_PKG_VERSION")));
}

#[wasm_bindgen_test]
async fn skip_link_is_first_and_focuses_the_main_landmark() {
    let container = fresh_container();
    let no_route: Option<Route> = None;
    let _mounted = mount_to(container.clone(), move || {
        view! { <AppShell current=no_route>"page"</AppShell> }
    });
    tick().await;

    let first_link = container.query_selector("a[href]").unwrap().expect("a link");
    assert_eq!(text(&first_link), "Skip to content", "the skip link comes before everything else");
    let target = first_link.get_attribute("href").expect("an href");
    let target_id = target.strip_prefix('#').expect("a fragment link");
    let main = only_landmark(&container, "main");
    assert_eq!(main.id(), target_id, "the skip link targets the main landmark");
    assert_eq!(main.get_attribute("tabindex").as_deref(), Some("-1"), "main can take focus");

    first_link.unchecked_ref::<HtmlElement>().click();
    tick().await;
    let focused = document().active_element().expect("something has focus");
    assert!(focused.is_same_node(Some(&main)), "activating the skip link focuses main");

    // No route matches: no navigation link claims to be the current page.
    let nav = only_landmark(&container, "navigation");
    assert!(nav.query_selector("[aria-current]").unwrap().is_none());
}

#[wasm_bindgen_test]
fn nested_repository_names_round_trip_through_one_segment() {
    let encoded = encode_segment("prod/payments/api");
    assert_eq!(encoded, "prod%2Fpayments%2Fapi");
    assert_eq!(decode_segment(&encoded).as_deref(), Some("prod/payments/api"));

    let name = repository_from_segment(&encoded).expect("a valid repository name");
    assert_eq!(name.as_str(), "prod/payments/api");
    let route = Route::Repository {
        registry: "prod".into(),
        repo: name,
        view: Default::default(),
        filter: String::new(),
        order: Default::default(),
    };
    assert_eq!(route.href(), "/r/prod/prod%2Fpayments%2Fapi");
    assert_eq!(Route::parse(&route.href()), Some(route));
}

#[wasm_bindgen_test]
fn the_browser_path_decoder_keeps_the_encoded_slashes() {
    // The router applies decodeURI to location.pathname; %2F must survive it so the repository
    // name stays one segment.
    let href = Route::Repository {
        registry: "prod".into(),
        repo: repository_from_segment("prod%2Fpayments%2Fapi").unwrap(),
        view: Default::default(),
        filter: String::new(),
        order: Default::default(),
    }
    .href();
    let decoded: String = js_sys::decode_uri(&href).expect("decodeURI").into();
    assert_eq!(decoded, href);
    assert!(Route::parse(&decoded).is_some());
}
