//! The frame around every page: a skip link, the banner with the product name, the primary
//! navigation and the signed-in account with its Sign out button, the main landmark the page
//! renders into, and the footer with the version. Presentation only: it is told which route is
//! showing and never reads the router itself; the account comes from a prop or, by default,
//! from the session.

use crate::{
    auth::{try_use_session, Account},
    routes::Route,
};
use leptos::{ev::MouseEvent, html, prelude::*};

/// The product name, as shown in the banner.
pub const PRODUCT_NAME: &str = "ACR Console";
/// The `id` of the main landmark: the skip link's target.
pub const MAIN_ID: &str = "main-content";
/// The skip link's `href`: a fragment pointing at [`MAIN_ID`].
const MAIN_FRAGMENT: &str = "#main-content";

/// The primary navigation: the route each entry links to and its label.
fn nav_items() -> [(Route, &'static str); 1] {
    [(Route::Home, "Overview")]
}

/// The console's frame: skip link, banner (product name + primary navigation), a focusable
/// `<main id="main-content">` around `children`, and a footer with the version.
#[component]
pub fn AppShell(
    /// The console route being shown; the matching navigation link gets
    /// `aria-current="page"`. `None` when no route matches the path (the not-found page).
    #[prop(into)]
    current: Signal<Option<Route>>,
    /// The signed-in account shown in the banner (`None`: nobody, and no Sign out button). By
    /// default the session's account.
    #[prop(optional, into)]
    account: Option<Signal<Option<Account>>>,
    /// What the Sign out button does. By default the session's sign-out.
    #[prop(optional, into)]
    on_sign_out: Option<Callback<()>>,
    /// The page to show in the main landmark.
    children: Children,
) -> impl IntoView {
    let session = try_use_session();
    let account =
        account.unwrap_or_else(|| Signal::derive(move || session.and_then(|s| s.account())));
    let on_sign_out =
        on_sign_out.or_else(|| session.map(|s| Callback::new(move |()| s.sign_out())));
    let main_ref = NodeRef::<html::Main>::new();
    // The router only scrolls to a fragment; a skip link must also move keyboard focus, so the
    // link focuses the main landmark itself and leaves the URL alone.
    let skip_to_main = move |ev: MouseEvent| {
        if let Some(main) = main_ref.get() {
            ev.prevent_default();
            // Focusing can only fail for detached nodes; the link then simply does nothing.
            let _ = main.focus();
        }
    };
    let links = nav_items()
        .into_iter()
        .map(|(route, label)| {
            let href = route.href();
            let is_current = move || current.with(|c| c.as_ref() == Some(&route));
            view! {
                <li>
                    <a class="app-nav__link" href=href aria-current=move || is_current().then_some("page")>
                        {label}
                    </a>
                </li>
            }
        })
        .collect_view();

    view! {
        <div class="app-shell">
            <a class="skip-link" href=MAIN_FRAGMENT on:click=skip_to_main>
                "Skip to content"
            </a>
            <header class="app-header">
                <div class="app-header__inner">
                    <a class="brand" href=Route::Home.href()>
                        <BrandMark />
                        <span class="brand__name">{PRODUCT_NAME}</span>
                    </a>
                    <nav class="app-nav" aria-label="Primary">
                        <ul class="app-nav__list">{links}</ul>
                    </nav>
                    {use_context::<crate::config::SharedConfig>().map(|config| {
                        view! { <super::lookup_box::LookupBox config current /> }
                    })}
                    {move || {
                        account.get().map(|a| view! { <AccountBadge account=a on_sign_out /> })
                    }}
                </div>
            </header>
            <main id=MAIN_ID class="app-main" tabindex="-1" node_ref=main_ref>
                {children()}
            </main>
            <footer class="app-footer">
                <div class="app-footer__inner">
                    <p>
                        {PRODUCT_NAME} " "
                        <span class="app-footer__version" data-testid="app-version">
                            "v"{env!("CARGO_PKG_VERSION")}
                        </span>
                    </p>
                    <p class="app-footer__note">"Lock flags for Azure Container Registry images"</p>
                </div>
            </footer>
        </div>
    }
}

/// Who is signed in (name and user name) and the Sign out button.
#[component]
fn AccountBadge(
    /// The signed-in account.
    account: Account,
    /// What Sign out does.
    on_sign_out: Option<Callback<()>>,
) -> impl IntoView {
    let username = (account.username != account.name).then(|| {
        view! {
            <span class="account__username" data-testid="account-username">
                {account.username.clone()}
            </span>
        }
    });
    view! {
        <div class="account" data-testid="account">
            <p class="account__who">
                <span class="account__label">"Signed in as "</span>
                <span class="account__name" data-testid="account-name">{account.name.clone()}</span>
                {username}
            </p>
            <button
                type="button"
                class="account__sign-out"
                on:click=move |_| {
                    if let Some(cb) = on_sign_out {
                        cb.run(());
                    }
                }
            >
                "Sign out"
            </button>
        </div>
    }
}

/// The product mark: a padlock drawn in the current text colour. Decorative, so hidden from
/// assistive technology (the product name follows it).
#[component]
fn BrandMark() -> impl IntoView {
    view! {
        <svg class="brand__mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <rect x="4" y="10.5" width="16" height="10.5" rx="2.5" />
            <path d="M8 10.5V7.5a4 4 0 0 1 8 0v3" />
            <path d="M12 14.5v2.5" />
        </svg>
    }
}
