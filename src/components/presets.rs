//! Presets: the one-click lock presets (Lock, Protect from deletion, Prevent updates, Unlock) as
//! toggle buttons; the one matching the current state is pressed. Each says in words what it
//! sets. It reports the chosen preset and never sends anything itself.

use crate::{components::lock_switch::unique_id, state::lock_rules::Preset};
use acr_types::ChangeableAttributes;
use leptos::prelude::*;

/// The four presets over write and delete enabled.
///
/// The preset `current` already is has `aria-pressed="true"` and a visible "Current" mark.
/// Every button is disabled while `disabled` (a change is being saved).
#[component]
pub fn Presets(
    /// The lock flags as shown now.
    #[prop(into)]
    current: Signal<ChangeableAttributes>,
    /// True while a change is being saved.
    #[prop(into, optional)]
    disabled: Signal<bool>,
    /// Called with the preset the user chose.
    #[prop(into)]
    on_choose: Callback<Preset>,
) -> impl IntoView {
    let heading_id = unique_id("presets-heading");
    let heading_ref = heading_id.clone();
    let items = Preset::ALL
        .into_iter()
        .map(|preset| {
            let hint_id = unique_id("preset-hint");
            let hint_ref = hint_id.clone();
            let pressed = move || current.with(|a| preset.matches(a));
            view! {
                <li class="presets__item" class:presets__item--current=pressed>
                    <button
                        type="button"
                        class="presets__button"
                        aria-pressed=move || if pressed() { "true" } else { "false" }
                        aria-describedby=hint_ref
                        aria-busy=move || disabled.get().then_some("true")
                        disabled=move || disabled.get()
                        on:click=move |_| on_choose.run(preset)
                    >
                        <span class="presets__label">{preset.label()}</span>
                        <span class="presets__current" aria-hidden="true" hidden=move || !pressed()>
                            "Current"
                        </span>
                    </button>
                    <p class="presets__hint" id=hint_id>
                        {preset.explanation()}
                    </p>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="presets" role="group" aria-labelledby=heading_ref>
            <h3 class="presets__title" id=heading_id>
                "Presets"
            </h3>
            <ul class="presets__list">{items}</ul>
        </div>
    }
}
