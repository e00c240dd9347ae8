//! ConfirmDialog: a modal question (native `<dialog>` opened with `showModal()`, so the rest of
//! the page is inert and focus stays inside) with a confirm and a cancel button. Escape cancels;
//! on closing, focus goes back to the element that had it when the dialog opened.

use crate::components::lock_switch::unique_id;
use leptos::{ev::Event, html, prelude::*, wasm_bindgen::JsCast, web_sys};

/// A modal confirmation, open while `open` is true.
///
/// The dialog is named by `title` and described by `lines`. Cancel has the initial focus (the
/// safe choice); Escape or Cancel call `on_cancel`, the confirm button `on_confirm`. The caller
/// closes it by setting `open` to false; focus then returns to whatever had it before.
#[component]
pub fn ConfirmDialog(
    /// Whether the dialog is showing.
    #[prop(into)]
    open: Signal<bool>,
    /// The question, e.g. "Unlock prod/payments/api:1.4.2?".
    #[prop(into)]
    title: Signal<String>,
    /// What confirming does, one paragraph each.
    #[prop(into)]
    lines: Signal<Vec<String>>,
    /// The confirm button's label, e.g. "Unlock".
    #[prop(into)]
    confirm_label: Signal<String>,
    /// Called when the user confirms.
    #[prop(into)]
    on_confirm: Callback<()>,
    /// Called when the user cancels (Cancel button or Escape).
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let dialog_ref = NodeRef::<html::Dialog>::new();
    let title_id = unique_id("confirm-dialog-title");
    let body_id = unique_id("confirm-dialog-body");
    let (title_ref, body_ref) = (title_id.clone(), body_id.clone());
    // The element focused before opening, to return focus to on close.
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);

    // Keeps the DOM dialog in step with `open` (an effect: it syncs with the DOM, outside the
    // reactive graph).
    Effect::new(move |_| {
        let want_open = open.get();
        let Some(dialog) = dialog_ref.get() else { return };
        if want_open && !dialog.open() {
            let active =
                document().active_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            opener.set_value(active);
            // showModal only fails on a detached or already-modal dialog; then it stays closed
            // and the caller's state still offers the controls.
            let _ = dialog.show_modal();
        } else if !want_open && dialog.open() {
            dialog.close();
            if let Some(el) = opener.get_value() {
                // Focusing fails only for detached or disabled elements; the owner then places
                // focus itself once its controls are enabled again.
                let _ = el.focus();
            }
        }
    });

    // Escape fires `cancel`: keep the dialog under the caller's control and report it.
    let on_escape = move |ev: Event| {
        ev.prevent_default();
        on_cancel.run(());
    };
    // Closed some other way (e.g. the browser's close request): report it as a cancel.
    let on_close = move |_: Event| {
        if open.get_untracked() {
            on_cancel.run(());
        }
    };

    view! {
        <dialog
            class="confirm-dialog"
            node_ref=dialog_ref
            aria-labelledby=title_ref
            aria-describedby=body_ref
            on:cancel=on_escape
            on:close=on_close
        >
            <h2 class="confirm-dialog__title" id=title_id>
                {move || title.get()}
            </h2>
            <div class="confirm-dialog__body" id=body_id>
                {move || {
                    lines.get().into_iter().map(|line| view! { <p>{line}</p> }).collect_view()
                }}
            </div>
            <div class="confirm-dialog__actions">
                <button
                    type="button"
                    class="confirm-dialog__button"
                    autofocus
                    on:click=move |_| on_cancel.run(())
                >
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="confirm-dialog__button confirm-dialog__button--confirm"
                    on:click=move |_| on_confirm.run(())
                >
                    {move || confirm_label.get()}
                </button>
            </div>
        </dialog>
    }
}
