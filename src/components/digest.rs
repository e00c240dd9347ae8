//! DigestText: a manifest digest as tables and pages show it: the short form
//! (`sha256:` + 12 hex digits), the full digest in its title, optionally a link, and a copy
//! button that puts the full digest on the clipboard.

use acr_types::Digest;
use leptos::{prelude::*, wasm_bindgen::JsValue, web_sys::js_sys};
use std::time::Duration;

/// Puts `text` on the clipboard (`navigator.clipboard.writeText`); false when the browser
/// offers no clipboard here.
fn write_clipboard(text: &str) -> bool {
    let get = |target: &JsValue, key: &str| {
        js_sys::Reflect::get(target, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined())
    };
    let Some(clipboard) = get(&window().into(), "navigator").and_then(|n| get(&n, "clipboard"))
    else {
        return false;
    };
    let Some(write) = get(&clipboard, "writeText") else { return false };
    let write: js_sys::Function = write.into();
    write.call1(&clipboard, &JsValue::from_str(text)).is_ok()
}

/// A digest: short text with the full digest as its title, a link when `href` is given, and a
/// copy button (named "Copy digest sha256:…") unless `copy` is false.
#[component]
pub fn DigestText(
    /// The digest.
    digest: Digest,
    /// Where the digest links to (its manifest page).
    #[prop(optional, into)]
    href: Option<String>,
    /// Show the copy button.
    #[prop(default = true)]
    copy: bool,
    /// Show the whole digest instead of the short form.
    #[prop(optional)]
    full: bool,
    /// `tabindex` of the link and button (lists pass their roving tab index).
    #[prop(optional, into)]
    tab_index: MaybeProp<&'static str>,
) -> impl IntoView {
    let whole = digest.as_str().to_owned();
    let shown = if full { whole.clone() } else { digest.short().to_owned() };
    let text = view! { <code class="digest__text">{shown}</code> };
    let body = match href {
        Some(href) => view! {
            <a class="digest__link" href=href title=whole.clone() tabindex=move || tab_index.get()>
                {text}
            </a>
        }
        .into_any(),
        None => view! { <span title=whole.clone()>{text}</span> }.into_any(),
    };
    let copied = RwSignal::new(None::<bool>);
    let button = copy.then(|| {
        let label = ["Copy digest ", whole.as_str()].concat();
        let on_click = move |_| {
            copied.set(Some(write_clipboard(&whole)));
            set_timeout(move || copied.set(None), Duration::from_millis(2000));
        };
        view! {
            <button
                type="button"
                class="digest__copy"
                aria-label=label
                tabindex=move || tab_index.get()
                on:click=on_click
            >
                {move || match copied.get() {
                    Some(true) => "Copied",
                    Some(false) => "Copy failed",
                    None => "Copy",
                }}
            </button>
        }
    });
    view! { <span class="digest">{body} {button}</span> }
}
