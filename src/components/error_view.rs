//! ErrorView: the one renderer of a [`Problem`], wherever it shows: what went wrong, what
//! happened, what to do, plus a "Try again" button when retrying may help and a "Sign in" link
//! (back to where the reader was) when signing in fixes it. [`ProblemPlace`] says where it sits:
//! a page region of its own (an alert), inside a control's live region (the lock panel), or one
//! line beside the control that failed (sign-in forms).

use crate::{problem::Problem, routes::Route};
use leptos::prelude::*;

/// Where a problem is shown, which decides its markup and whether it is an alert of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProblemPlace {
    /// A region of the page (a failed read): an alert with a heading.
    #[default]
    Page,
    /// Inside a control's own live region (the lock panel's): no role of its own, so it is
    /// announced once.
    Panel,
    /// One line beside the control that failed (a sign-in form): an alert, unless it is put
    /// inside a live region of its own (`in_live_region`).
    Inline,
}

/// The classes of each part, per place (the styles of each place stay in its stylesheet).
struct Classes {
    root: &'static str,
    title: &'static str,
    detail: &'static str,
    remedy: &'static str,
}

impl ProblemPlace {
    fn classes(self) -> Classes {
        match self {
            Self::Page => Classes {
                root: "error-view",
                title: "error-view__title",
                detail: "error-view__detail",
                remedy: "error-view__remedy",
            },
            Self::Panel => Classes {
                root: "lock-panel__problem-box",
                title: "lock-panel__problem-title",
                detail: "lock-panel__problem-detail",
                remedy: "lock-panel__remedy",
            },
            Self::Inline => Classes {
                root: "sign-in__error",
                title: "sign-in__error-title",
                detail: "sign-in__error-detail",
                remedy: "sign-in__error-remedy",
            },
        }
    }
}

/// A problem with the actions that may fix it.
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
    /// Where it is shown.
    #[prop(optional)]
    place: ProblemPlace,
    /// True while "Try again" would race a change in flight.
    #[prop(optional, into)]
    busy: Signal<bool>,
    /// True when the caller's container is already the live region that announces it.
    #[prop(optional)]
    in_live_region: bool,
) -> impl IntoView {
    let c = place.classes();
    let retry = on_retry.filter(|_| problem.retry).map(|cb| {
        view! {
            <button
                type="button"
                class="error-view__retry"
                disabled=move || busy.get()
                on:click=move |_| cb.run(())
            >
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
    let actions = (retry.is_some() || sign_in.is_some())
        .then(|| view! { <p class="error-view__actions">{retry} {sign_in}</p> });
    let role = (place != ProblemPlace::Panel && !in_live_region).then_some("alert");
    let test_id = (place == ProblemPlace::Page).then_some("error-view");
    match place {
        ProblemPlace::Page => view! {
            <div class=c.root role=role data-testid=test_id>
                <h2 class=c.title>{problem.title}</h2>
                <p class=c.detail>{problem.detail}</p>
                <p class=c.remedy>{problem.remedy}</p>
                {actions}
            </div>
        }
        .into_any(),
        ProblemPlace::Panel => view! {
            <div class=c.root role=role>
                <p class=c.title>
                    <strong>{problem.title}</strong>
                </p>
                <p class=c.detail>{problem.detail}</p>
                <p class=c.remedy>
                    <span class="lock-panel__remedy-label">"What to do: "</span>
                    {problem.remedy}
                </p>
                {actions}
            </div>
        }
        .into_any(),
        ProblemPlace::Inline => view! {
            <p class=c.root role=role>
                <strong class=c.title>{problem.title}</strong>
                ": "
                <span class=c.detail>{problem.detail}</span>
                " "
                <span class=c.remedy>{problem.remedy}</span>
                {actions}
            </p>
        }
        .into_any(),
    }
}
