//! `RequireSignIn`: the gate around pages that need a signed-in account. It shows its children
//! only when signed in, a quiet status while the session is being restored (never the sign-in
//! page on reload), and sends a signed-out reader to the sign-in page with the way back.

use super::{callback, use_session, SessionState};
use crate::routes::Route;
use leptos::prelude::*;
use leptos_router::{
    hooks::{use_location, use_navigate},
    NavigateOptions,
};

/// Renders `children` only for a signed-in account. While the session is restoring it shows
/// "Restoring your session…"; when signed out it replaces the URL with the sign-in page,
/// carrying the current path and query as `return`.
#[component]
pub fn RequireSignIn(
    /// The protected content (rendered again only when the sign-in state changes).
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    let state = session.state();
    let signed_in = Memo::new(move |_| matches!(state.get(), SessionState::SignedIn(_)));
    let signed_out = Memo::new(move |_| state.get() == SessionState::SignedOut);

    Effect::new(move |_| {
        if signed_out.get() {
            let here = callback::here(
                &location.pathname.get_untracked(),
                &location.search.get_untracked(),
            );
            let to = Route::SignIn { return_to: Some(here) }.href();
            navigate(&to, NavigateOptions { replace: true, ..Default::default() });
        }
    });

    view! {
        <Show
            when=move || signed_in.get()
            fallback=move || {
                let text = if signed_out.get() {
                    "Taking you to sign-in…"
                } else {
                    "Restoring your session…"
                };
                view! {
                    <p class="session-status" role="status" data-testid="session-status">
                        {text}
                    </p>
                }
            }
        >
            {children()}
        </Show>
    }
}
