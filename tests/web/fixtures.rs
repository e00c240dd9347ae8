//! Shared fixtures: a fresh mount point per test, landmark, `data-testid`, text and selector
//! queries, and the repository name the lock and browse tests share.

use acr_types::RepositoryName;
use leptos::prelude::document;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// A new, empty `<div>` appended to `<body>`, so tests do not see each other's markup.
pub(crate) fn fresh_container() -> HtmlElement {
    let document = document();
    let container = document.create_element("div").expect("create a <div>");
    document.body().expect("a <body>").append_child(&container).expect("append the <div>");
    container.unchecked_into()
}

/// CSS selectors for the elements that carry an ARIA landmark role, implicitly or explicitly.
/// `header`/`footer` are only banner/contentinfo when not inside sectioning content or `main`.
fn landmark_selector(role: &str) -> String {
    let implicit = match role {
        "banner" => {
            "header:not(main header, article header, aside header, nav header, section header)"
        }
        "contentinfo" => {
            "footer:not(main footer, article footer, aside footer, nav footer, section footer)"
        }
        "main" => "main",
        "navigation" => "nav",
        other => panic!("no implicit selector for role {other}"),
    };
    format!("{implicit}, [role=\"{role}\"]")
}

/// The elements under `root` with the landmark `role`.
fn landmarks(root: &Element, role: &str) -> Vec<Element> {
    let found = root.query_selector_all(&landmark_selector(role)).expect("a valid selector");
    (0..found.length()).filter_map(|i| found.item(i)?.dyn_into::<Element>().ok()).collect()
}

/// The only element under `root` with the landmark `role`.
pub(crate) fn only_landmark(root: &Element, role: &str) -> Element {
    let mut found = landmarks(root, role);
    assert_eq!(found.len(), 1, "expected exactly one {role} landmark");
    found.remove(0)
}

pub(crate) fn by_test_id(root: &Element, id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid=\"{id}\"]")).expect("a valid selector")
}

pub(crate) fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default()
}

/// The elements under `root` that match `css`.
pub(crate) fn all(root: &Element, css: &str) -> Vec<Element> {
    let found = root.query_selector_all(css).expect("a valid selector");
    (0..found.length()).filter_map(|i| found.item(i)?.dyn_into::<Element>().ok()).collect()
}

/// The repository the lock and browse tests show.
pub(crate) fn repo() -> RepositoryName {
    RepositoryName::new("prod/payments/api").unwrap()
}
