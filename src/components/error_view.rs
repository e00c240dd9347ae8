//! ErrorView: the one way a failed read is shown. It renders a [`Problem`]: what went wrong, what
//! happened, what to do, plus a "Try again" button when retrying may help and a "Sign in" link
//! (back to where the reader was) when signing in fixes it.

use crate::{problem::Problem, routes::Route};
use leptos::prelude::*;

/// A problem as an alert: title, detail, remedy, and the actions that may fix it.
#[component]
pub fn ErrorView(
    /// What went wrong.
    problem: Problem,
    /// What "Try again" does; without it no retry button is offered.
    #[prop(optional, into)]
    on_retry: Option<Callback<()>>,
    /// The console path to come back to after signing in (the page's own URL).
    #[prop(optional, into)]
    return_to: Option<String>,
) -> impl IntoView {
    let retry = on_retry.filter(|_| problem.retry).map(|cb| {
        view! {
            <button type="button" class="error-view__retry" on:click=move |_| cb.run(())>
                "Try again"
            </button>
        }
    });
    let sign_in = problem.sign_in.then(|| {
        let href = Route::SignIn { return_to }.href();
        view! {
            <a class="error-view__sign-in" href=href>
                "Sign in"
            </a>
        }
    });
    view! {
        <div class="error-view" role="alert" data-testid="error-view">
            <h2 class="error-view__title">{problem.title}</h2>
            <p class="error-view__detail">{problem.detail}</p>
            <p class="error-view__remedy">{problem.remedy}</p>
            {(retry.is_some() || sign_in.is_some())
                .then(|| view! { <p class="error-view__actions">{retry} {sign_in}</p> })}
        </div>
    }
}
