//! The sign-in page at `/signin?return=…`: "Sign in with Microsoft" for Entra registries, a
//! username and password form for registries that sign in with a repository-scoped token, and
//! what went wrong with the last attempt (a failed redirect, a session that ended). A signed-in
//! reader is sent on to `return` at once; while a sign-in redirect is being finished it shows
//! progress instead of the form.

use crate::{
    auth::{callback, use_session, SessionState},
    components::error_view::{ErrorView, ProblemPlace},
    config::{SharedConfig, SignInKind},
    problem::Problem,
    routes::Route,
};
use leptos::prelude::*;
use leptos_router::{
    hooks::{use_location, use_navigate},
    NavigateOptions,
};

/// The sign-in page. Reads `return` from the URL; the session does the signing in.
#[component]
pub fn SignInPage() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    let state = session.state();

    let return_to = Memo::new(move |_| {
        let here = callback::here(&location.pathname.get(), &location.search.get());
        match Route::parse(&here) {
            Some(Route::SignIn { return_to }) => return_to,
            _ => None,
        }
    });

    // Signed in (already, or just now): continue where the reader was going.
    Effect::new(move |_| {
        if matches!(state.get(), SessionState::SignedIn(_)) {
            let to = return_to
                .get_untracked()
                .filter(|r| !matches!(Route::parse(r), Some(Route::SignIn { .. })))
                .unwrap_or_else(|| Route::Home.href());
            navigate(&to, NavigateOptions { replace: true, ..Default::default() });
        }
    });

    view! {
        <div class="page sign-in" data-testid="sign-in-page">
            <Show
                when=move || state.get() == SessionState::SignedOut
                fallback=move || {
                    let text = if state.get() == SessionState::Restoring {
                        "Finishing sign-in…"
                    } else {
                        "Signed in. Taking you back…"
                    };
                    view! {
                        <h1 class="page__title">"Signing you in"</h1>
                        <p class="session-status" role="status" data-testid="session-status">
                            {text}
                        </p>
                    }
                }
            >
                <SignInMethods return_to />
            </Show>
        </div>
    }
}

/// The signed-out page body: heading, the last problem, and the ways to sign in.
#[component]
fn SignInMethods(
    /// Where to come back to after signing in.
    return_to: Memo<Option<String>>,
) -> impl IntoView {
    let session = use_session();
    let config = expect_context::<SharedConfig>();
    let entra_names: Vec<String> = config
        .registries
        .iter()
        .filter(|r| r.sign_in == SignInKind::Entra)
        .map(|r| r.name.clone())
        .collect();
    let token_registries: Vec<(String, String)> = config
        .registries
        .iter()
        .filter(|r| r.sign_in == SignInKind::Token)
        .map(|r| (r.name.clone(), r.login_server.clone()))
        .collect();

    let start_error = RwSignal::new(None::<Problem>);
    let start_entra = move |_| {
        if let Err(p) = session.start_sign_in(return_to.get_untracked()) {
            start_error.set(Some(p));
        }
    };

    let entra = (!entra_names.is_empty()).then(|| {
        let names = entra_names.join(", ");
        view! {
            <section class="card sign-in__method" aria-labelledby="sign-in-entra-title">
                <h2 id="sign-in-entra-title" class="card__title">"Work account"</h2>
                <p class="sign-in__hint">
                    "Microsoft Entra ID, for " <span class="sign-in__names">{names}</span> "."
                </p>
                <button
                    type="button"
                    class="sign-in__button sign-in__button--primary"
                    on:click=start_entra
                >
                    <MicrosoftMark />
                    "Sign in with Microsoft"
                </button>
                {move || start_error.get().map(|p| view! { <ErrorView problem=p place=ProblemPlace::Inline /> })}
            </section>
        }
    });

    let token =
        (!token_registries.is_empty()).then(|| view! { <TokenForm registries=token_registries /> });

    view! {
        <h1 class="page__title">"Sign in"</h1>
        <p class="page__lead">
            "Sign in to see and change the locks on your registries' repositories, tags and "
            "manifests. You come back to the page you asked for."
        </p>
        {move || {
            session
                .problem()
                .get()
                .map(|p| {
                    view! {
                        <div class="sign-in__problem" data-testid="sign-in-problem">
                            <ErrorView problem=p />
                        </div>
                    }
                })
        }}
        <div class="sign-in__methods">{entra} {token}</div>
    }
}

/// The username and password form for registries that sign in with a repository-scoped token.
#[component]
fn TokenForm(
    /// The token registries: configured name and login server.
    registries: Vec<(String, String)>,
) -> impl IntoView {
    let session = use_session();
    let registry = RwSignal::new(registries.first().map(|r| r.0.clone()).unwrap_or_default());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = Action::new_local(move |(r, u, p): &(String, String, String)| {
        let (r, u, p) = (r.clone(), u.clone(), p.clone());
        async move { session.sign_in_with_token(&r, &u, &p).await }
    });
    let pending = sign_in.pending();
    let error = move || match sign_in.value().get() {
        Some(Err(p)) => Some(p),
        _ => None,
    };

    let servers = registries.iter().map(|r| r.1.clone()).collect::<Vec<_>>().join(", ");
    let picker = (registries.len() > 1).then(|| {
        let options = registries
            .iter()
            .map(|(name, server)| {
                view! { <option value=name.clone()>{name.clone()} " (" {server.clone()} ")"</option> }
            })
            .collect_view();
        view! {
            <div class="sign-in__field">
                <label for="token-registry">"Registry"</label>
                <select
                    id="token-registry"
                    name="registry"
                    prop:value=move || registry.get()
                    on:change=move |ev| registry.set(event_target_value(&ev))
                >
                    {options}
                </select>
            </div>
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !pending.get_untracked() {
            sign_in.dispatch_local((
                registry.get_untracked(),
                username.get_untracked(),
                password.get_untracked(),
            ));
        }
    };

    view! {
        <section class="card sign-in__method" aria-labelledby="sign-in-token-title">
            <h2 id="sign-in-token-title" class="card__title">"Registry token"</h2>
            <p class="sign-in__hint">
                "A repository-scoped token and one of its passwords, for "
                <span class="sign-in__names">{servers}</span> "."
            </p>
            <form class="sign-in__form" on:submit=submit novalidate=true>
                {picker}
                <div class="sign-in__field">
                    <label for="token-username">"Username"</label>
                    <input
                        id="token-username"
                        name="username"
                        type="text"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        aria-required="true"
                        bind:value=username
                    />
                </div>
                <div class="sign-in__field">
                    <label for="token-password">"Password"</label>
                    <input
                        id="token-password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        aria-required="true"
                        bind:value=password
                    />
                </div>
                <button
                    type="submit"
                    class="sign-in__button"
                    disabled=move || pending.get()
                    aria-busy=move || pending.get().then_some("true")
                >
                    {move || if pending.get() { "Signing in…" } else { "Sign in with token" }}
                </button>
                <div class="sign-in__live" role="alert" data-testid="token-error">
                    {move || error().map(|p| {
                        view! { <ErrorView problem=p place=ProblemPlace::Inline in_live_region=true /> }
                    })}
                </div>
            </form>
        </section>
    }
}

/// Microsoft's four-square mark, decorative (the button says what it does).
#[component]
fn MicrosoftMark() -> impl IntoView {
    view! {
        <svg class="sign-in__mark" viewBox="0 0 21 21" aria-hidden="true" focusable="false">
            <rect x="1" y="1" width="9" height="9" fill="#f25022" />
            <rect x="11" y="1" width="9" height="9" fill="#7fba00" />
            <rect x="1" y="11" width="9" height="9" fill="#00a4ef" />
            <rect x="11" y="11" width="9" height="9" fill="#ffb900" />
        </svg>
    }
}
