//! The page shown when `config.json` is missing or invalid: it names the field at fault and says
//! what a valid value looks like, so whoever deploys the console can fix it.

use crate::config::ConfigError;
use leptos::prelude::*;

/// "The console is not configured", with the field and the reason.
#[component]
pub fn ConfigErrorPage(
    /// What is wrong with the configuration.
    error: ConfigError,
) -> impl IntoView {
    // The field leads its own sentence: "registries[0].endpoint must be a path on this site …".
    let field = (!error.field.is_empty()).then(|| {
        view! { <code data-testid="config-error-field">{error.field.clone()}</code> " " }
    });
    view! {
        <main class="app-main config-error" role="main">
            <div class="page" data-testid="config-error">
                <p class="page__eyebrow">"Configuration"</p>
                <h1 class="page__title">"The console is not configured correctly"</h1>
                <div class="problem" role="alert">
                    <p class="problem__detail" data-testid="config-error-message">
                        {field}
                        {error.message.clone()}
                    </p>
                    <p class="problem__remedy">
                        "Fix " <code>"config.json"</code>
                        " beside the app (see the README, \"Pointing it at a real registry\") and reload."
                    </p>
                </div>
            </div>
        </main>
    }
}
