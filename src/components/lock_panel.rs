//! LockPanel: the lock controls of one repository, tag or manifest. Switches for write and
//! delete enabled, read and list enabled under "Advanced", the presets, the repository-wide lock
//! it inherits, and the save cycle: compute the patch of what changes, ask before unlocking,
//! show "Saving…" while the page's action runs, then show exactly what the registry returned,
//! or put the controls back and show the problem. Read-only viewers get the same flags as text.
//! Performance marks (see [`crate::perf`]): `lock:sent` when a change leaves (the switch's or
//! preset's click, or the confirmation's Unlock), `lock:shown` once the answer is painted.
//!
//! The flags come from the registry's [`LockStore`], the single owner of lock state, and the
//! page's action ([`crate::state::lock_action::lock_action`]) writes the registry's answer back
//! into it: this component dispatches and renders, and never calls the client or reads the
//! router. A refused change leaves the store as it was, so the switch goes back everywhere.

use crate::{
    components::{
        confirm_dialog::ConfirmDialog,
        error_view::{ErrorView, ProblemPlace},
        lock_switch::unique_id,
        lock_switch::LockSwitch,
        presets::Presets,
    },
    perf,
    problem::Problem,
    routes::Route,
    state::{
        lock_action::LockAction,
        lock_rules::{
            flags_summary, is_unlocking, saved_summary, state_text, unlock_allows, unlock_question,
            LockFlag,
        },
        lock_store::LockStore,
    },
};
use acr_types::{ArtifactRef, AttributesPatch, ChangeableAttributes};
use leptos::{prelude::*, wasm_bindgen::JsCast, web_sys};

/// The line read-only viewers see instead of switches.
pub const READ_ONLY_NOTICE: &str =
    "Your access is read-only: you can see lock states but not change them.";

/// The line above the switches when the token's grants could not be read: the switches are
/// offered, and the registry refuses what the account may not do.
pub const RIGHTS_UNKNOWN_NOTICE: &str = "Your rights on this registry could not be read from its token, so every control is offered; the registry will refuse what you may not do.";

/// The lock controls of `target`.
///
/// Shows the flags `store` holds for `target` as switches and presets when `can_write`, else as
/// text. Every change sends only the flags that change through `action`; a change that turns
/// write or delete back on is confirmed first.
#[component]
pub fn LockPanel(
    /// The repository, tag or manifest these flags belong to.
    target: ArtifactRef,
    /// The registry's lock store, which holds `target`'s flags.
    store: LockStore,
    /// Whether the signed-in account may change them (from the client's permissions).
    #[prop(into)]
    can_write: Signal<bool>,
    /// For a tag or manifest: the flags of its repository, whose write lock overrides these.
    #[prop(into, optional)]
    inherited: Signal<Option<ChangeableAttributes>>,
    /// The page's lock action for `target` (`lock_action(client, store, target)`).
    action: LockAction,
    /// The registry's configured name, to link the repository in the inherited-lock notice.
    #[prop(into, optional)]
    registry: MaybeProp<String>,
    /// True while the page is still reading the account's permissions (`can_write` is not
    /// known yet): the flags show as text with "Checking your access…", not the read-only line.
    #[prop(into, optional)]
    checking_access: Signal<bool>,
    /// True when the registry's token did not say what the account may do: the switches are
    /// offered with [`RIGHTS_UNKNOWN_NOTICE`].
    #[prop(into, optional)]
    rights_unknown: Signal<bool>,
) -> impl IntoView {
    let heading_id = unique_id("lock-panel-heading");
    let heading_ref = heading_id.clone();
    let pending = action.pending();
    let value = action.value();

    // What the registry holds, and what the controls show: while saving, the change asked for.
    let confirmed = Memo::new({
        let (store, target) = (store.clone(), target.clone());
        move |_| store.flags(&target).unwrap_or_default()
    });
    let shown = Memo::new({
        let (store, target) = (store.clone(), target.clone());
        move |_| store.shown(&target).unwrap_or_default()
    });
    let busy = Signal::derive(move || pending.get());

    let status = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let confirming = RwSignal::new(None::<AttributesPatch>);
    // The question and button of the confirmation, set before it opens (and kept while it
    // closes, so the dialog that returns focus is the one that was open).
    let question = RwSignal::new((String::new(), "Unlock"));
    let question_target = StoredValue::new(target.clone());
    let awaiting = StoredValue::new(false);
    // The last change asked for, offered again when the problem says retrying may help.
    let last_wanted = StoredValue::new(None::<AttributesPatch>);
    // The control the change came from, to give focus back once it is enabled again.
    let trigger = StoredValue::new_local(None::<web_sys::HtmlElement>);

    let send = move |patch: AttributesPatch| {
        status.set(String::new());
        problem.set(None);
        awaiting.set_value(true);
        perf::mark("lock:sent");
        action.dispatch_local(patch);
    };
    let request = move |wanted: AttributesPatch| {
        if pending.get_untracked() {
            return;
        }
        last_wanted.set_value(Some(wanted));
        let current = confirmed.get_untracked();
        let patch = wanted.changes_from(&current);
        problem.set(None);
        let active = document()
            .active_element()
            .filter(|e| e.tag_name() != "BODY")
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        trigger.set_value(active);
        if patch.is_empty() {
            status.set(format!("Nothing to change: already {}.", flags_summary(&current)));
        } else if is_unlocking(&current, &patch) {
            status.set(String::new());
            question.set(question_target.with_value(|t| unlock_question(t, &current, &patch)));
            confirming.set(Some(patch));
        } else {
            send(patch);
        }
    };

    // The save finished: record and announce the registry's answer, or the problem.
    Effect::watch(
        move || action.version().get(),
        move |_, _, _| {
            if !awaiting.get_value() {
                return;
            }
            awaiting.set_value(false);
            match value.get_untracked() {
                Some(Ok(answer)) => status.set(saved_summary(&answer)),
                Some(Err(p)) => problem.set(Some(p)),
                None => {}
            }
            perf::mark_after_paint("lock:shown");
            // The control was disabled while saving, which drops keyboard focus; give it back
            // once the re-enabled control is on screen.
            request_animation_frame(move || {
                let lost = document().active_element().is_none_or(|e| e.tag_name() == "BODY");
                if let (true, Some(el)) = (lost, trigger.get_value()) {
                    let _ = el.focus();
                }
            });
        },
        false,
    );

    let is_repository = matches!(target, ArtifactRef::Repository(_));
    // Named by kind, so a page showing a tag's and its manifest's panels tells them apart.
    let title = match target {
        ArtifactRef::Repository(_) => "Repository locks",
        ArtifactRef::Tag(..) => "Tag locks",
        ArtifactRef::Manifest(..) => "Manifest locks",
    };
    let editable = Memo::new(move |_| can_write.get());

    let controls = {
        let target = target.clone();
        move || {
            let target = target.clone();
            if editable.get() {
                view! { <Editable target shown busy request /> }.into_any()
            } else {
                view! { <ReadOnly target shown checking=checking_access /> }.into_any()
            }
        }
    };

    let lines_target = target.clone();
    view! {
        <section class="lock-panel" aria-labelledby=heading_ref aria-busy=move || busy.get().then_some("true")>
            <h2 class="lock-panel__title" id=heading_id>
                {title}
            </h2>
            {is_repository
                .then(|| {
                    view! {
                        <p class="lock-panel__note">
                            "Locking the repository locks all its images: while its writes are off, no tag or manifest in it can be pushed, moved or deleted, whatever their own switches say."
                        </p>
                    }
                })}
            <InheritedNotice target=target.clone() inherited registry />
            {move || {
                (editable.get() && rights_unknown.get())
                    .then(|| {
                        view! { <p class="lock-panel__note lock-panel__rights">{RIGHTS_UNKNOWN_NOTICE}</p> }
                    })
            }}
            {controls}
            <p class="lock-panel__status" role="status" aria-live="polite">
                {move || if busy.get() { "Saving…".to_owned() } else { status.get() }}
            </p>
            <div class="lock-panel__problem" role="alert">
                {move || {
                    problem
                        .get()
                        .map(|p| {
                            // "Try again" sends the last change asked for, for those who may.
                            let again = move |()| {
                                if let Some(wanted) = last_wanted.get_value() {
                                    request(wanted);
                                }
                            };
                            if editable.get() {
                                view! {
                                    <ErrorView problem=p on_retry=again place=ProblemPlace::Panel busy />
                                }
                                .into_any()
                            } else {
                                view! { <ErrorView problem=p place=ProblemPlace::Panel /> }.into_any()
                            }
                        })
                }}
            </div>
            <ConfirmDialog
                open=Signal::derive(move || confirming.with(Option::is_some))
                title=Signal::derive(move || question.with(|q| q.0.clone()))
                lines=Signal::derive(move || {
                    confirming
                        .get()
                        .map(|patch| unlock_allows(&lines_target, &confirmed.get(), &patch))
                        .unwrap_or_default()
                })
                confirm_label=Signal::derive(move || question.with(|q| q.1.to_owned()))
                on_confirm=move |_| {
                    if let Some(patch) = confirming.get_untracked() {
                        confirming.set(None);
                        send(patch);
                    }
                }
                on_cancel=move |_| {
                    if confirming.get_untracked().is_some() {
                        confirming.set(None);
                        status.set("Unlock cancelled: nothing was changed.".to_owned());
                    }
                }
            />
        </section>
    }
}

/// Presets and switches for an account that may change the flags.
#[component]
fn Editable(
    target: ArtifactRef,
    shown: Memo<ChangeableAttributes>,
    busy: Signal<bool>,
    request: impl Fn(AttributesPatch) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let switch = move |flag: LockFlag, target: ArtifactRef| {
        view! {
            <LockSwitch
                flag
                target
                checked=Signal::derive(move || shown.with(|a| flag.get(a)))
                pending=busy
                on_toggle=move |on: bool| request(flag.patch(on))
            />
        }
    };
    let it = match target {
        ArtifactRef::Repository(_) => "the repository",
        ArtifactRef::Tag(..) => "the tag",
        ArtifactRef::Manifest(..) => "the manifest",
    };
    view! {
        <Presets
            current=shown
            disabled=busy
            on_choose=move |preset: crate::state::lock_rules::Preset| request(preset.patch())
        />
        <div class="lock-panel__switches">
            {switch(LockFlag::Write, target.clone())} {switch(LockFlag::Delete, target.clone())}
        </div>
        <details class="lock-panel__advanced">
            <summary>"Advanced"</summary>
            <p class="lock-panel__warning">
                <strong>"Careful: "</strong>
                "Read enabled off blocks pulls: nobody can pull " {it}
                " until it is turned back on. List enabled off hides " {it}
                " from lists, so the console may not find it again in a list: keep a link to this page to come back to it."
            </p>
            <div class="lock-panel__switches">
                {switch(LockFlag::Read, target.clone())} {switch(LockFlag::List, target)}
            </div>
        </details>
    }
}

/// The flags as text, for an account that may only look (or while its access is checked).
#[component]
fn ReadOnly(
    target: ArtifactRef,
    shown: Memo<ChangeableAttributes>,
    checking: Signal<bool>,
) -> impl IntoView {
    let items = LockFlag::ALL
        .into_iter()
        .map(|flag| {
            let on = move || shown.with(|a| flag.get(a));
            view! {
                <div class="lock-flags__item" class:lock-flags__item--off=move || !on()>
                    <dt>{flag.label()}</dt>
                    <dd>
                        <span class="lock-flags__state">{move || state_text(on())}</span>
                    </dd>
                </div>
            }
        })
        .collect_view();
    view! {
        {move || {
            if checking.get() {
                view! {
                    <p class="lock-panel__checking" role="status">
                        "Checking your access…"
                    </p>
                }
                    .into_any()
            } else {
                view! { <p class="lock-panel__readonly">{READ_ONLY_NOTICE}</p> }.into_any()
            }
        }}
        <dl class="lock-flags" aria-label=format!("Lock flags of {target}")>
            {items}
        </dl>
    }
}

/// For a tag or manifest in a write-locked repository: the repository's lock wins.
#[component]
fn InheritedNotice(
    target: ArtifactRef,
    inherited: Signal<Option<ChangeableAttributes>>,
    registry: MaybeProp<String>,
) -> impl IntoView {
    let repo = match &target {
        ArtifactRef::Repository(_) => return ().into_any(),
        ArtifactRef::Tag(repo, _) | ArtifactRef::Manifest(repo, _) => repo.clone(),
    };
    let name = repo.to_string();
    let href =
        move || registry.get().map(|registry| Route::repository(registry, repo.clone()).href());
    let locked = move || inherited.with(|i| i.as_ref().is_some_and(|a| !a.write_enabled));
    view! {
        <Show when=locked>
            <p class="lock-panel__inherited" role="note">
                "Locked by repository "
                {match href() {
                    Some(href) => view! { <a href=href>{name.clone()}</a> }.into_any(),
                    None => view! { <strong>{name.clone()}</strong> }.into_any(),
                }}
                ": writes and deletes are refused whatever these switches say."
            </p>
        </Show>
    }
    .into_any()
}
