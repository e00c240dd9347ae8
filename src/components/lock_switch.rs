//! LockSwitch: one lock flag of one artifact as a real switch (`<button role="switch">` with
//! `aria-checked`), its visible label and "On"/"Off" text, and the keyboard handling. It shows
//! what it is told and reports the user's wish; it never sends anything itself.

use crate::state::lock_rules::{state_text, LockFlag};
use acr_types::ArtifactRef;
use leptos::{ev::KeyboardEvent, prelude::*};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A document-unique element id starting with `prefix` (for `aria-labelledby`/`describedby`).
pub fn unique_id(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A switch for one lock flag of `target`.
///
/// Its accessible name is "`<flag label>` for `<target>`", e.g. "Write enabled for
/// prod/payments/api:1.4.2"; its visible text is the label and "On" or "Off", so the state never
/// rests on colour. Click, Space and Enter ask `on_toggle` for the opposite state. While
/// `pending`, it is disabled and `aria-busy`.
#[component]
pub fn LockSwitch(
    /// The flag this switch shows.
    flag: LockFlag,
    /// The artifact the flag belongs to (named in the accessible name).
    target: ArtifactRef,
    /// Whether the flag is on, as it should be shown now.
    #[prop(into)]
    checked: Signal<bool>,
    /// A change is being saved: the switch is disabled and `aria-busy`.
    #[prop(into, optional)]
    pending: Signal<bool>,
    /// Called with the state the user asks for (the opposite of `checked`).
    #[prop(into)]
    on_toggle: Callback<bool>,
) -> impl IntoView {
    let name = flag.accessible_name(&target);
    let hint_id = unique_id("lock-switch-hint");
    let hint_ref = hint_id.clone();
    let hint = flag.off_means(&target);
    let toggle = move || {
        if !pending.get_untracked() {
            on_toggle.run(!checked.get_untracked());
        }
    };
    // A native button turns Enter (on keydown) and Space (on keyup) into a click. Both are
    // handled here instead, once, and the native activation is cancelled, so a key press toggles
    // exactly once whichever way the browser would have delivered it.
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == " " || ev.key() == "Enter" {
            ev.prevent_default();
            if !ev.repeat() {
                toggle();
            }
        }
    };
    let on_keyup = move |ev: KeyboardEvent| {
        if ev.key() == " " {
            ev.prevent_default();
        }
    };
    view! {
        <div class="lock-switch" class:lock-switch--off=move || !checked.get()>
            <button
                type="button"
                role="switch"
                class="lock-switch__control"
                aria-checked=move || if checked.get() { "true" } else { "false" }
                aria-label=name
                aria-describedby=hint_ref
                aria-busy=move || pending.get().then_some("true")
                disabled=move || pending.get()
                on:click=move |_| toggle()
                on:keydown=on_keydown
                on:keyup=on_keyup
            >
                <span class="lock-switch__label">{flag.label()}</span>
                <span class="lock-switch__track" aria-hidden="true">
                    <span class="lock-switch__thumb"></span>
                </span>
                <span class="lock-switch__state">{move || state_text(checked.get())}</span>
            </button>
            <p class="lock-switch__hint" id=hint_id>
                {hint}
            </p>
        </div>
    }
}
