//! The selection checkbox of a table row (tags and manifests views, admins only): a native
//! checkbox named after its item, Shift+click or Shift+Space to select the range from the last
//! one toggled, in the rows' order as shown.

use crate::state::selection::Selection;
use acr_types::ArtifactRef;
use leptos::prelude::*;

/// The `role="cell"` holding one row's checkbox.
#[component]
pub fn RowCheck(
    /// The page's selection.
    selection: Selection,
    /// The row's item.
    key: ArtifactRef,
    /// The rows' items in the order shown (for ranges).
    order: Memo<Vec<ArtifactRef>>,
    /// The roving tab index of the row.
    tab: Signal<&'static str>,
) -> impl IntoView {
    let label = ["Select ", &key.to_string()].concat();
    let checked = {
        let key = key.clone();
        move || selection.contains(&key)
    };
    let key = StoredValue::new(key);
    let toggle = move |shift: bool| {
        key.with_value(|k| order.with_untracked(|o| selection.toggle(k, shift, o)));
    };
    view! {
        <span role="cell" class="cell cell--select">
            <input
                type="checkbox"
                class="row-check"
                aria-label=label
                tabindex=tab
                prop:checked=checked
                on:click=move |ev| toggle(ev.shift_key())
                on:keydown=move |ev| {
                    // Shift+Space extends the range; the browser's own toggle is held back.
                    if ev.key() == " " && ev.shift_key() {
                        ev.prevent_default();
                        toggle(true);
                    }
                }
            />
        </span>
    }
}
