//! The bulk page at `/r/{registry}/-/bulk?…`: change the locks of many tags and manifests at
//! once. The scope is a rule across repositories (repository glob, tag glob or regular
//! expression, exclusions, newest N, dates, target) or the items chosen by hand on a repository
//! page; every choice lives in the URL. The page reads what the scope covers (with progress and
//! cancel), shows the exact preview (each item's flags now and after, grouped and counted), asks
//! before unlocking, then runs the change paced to the registry with pause, resume, cancel,
//! "retry the failed ones", undo and exports. The run record is kept in `sessionStorage` as
//! results arrive: after a reload the page offers to continue, re-reading first so that nothing
//! is sent twice. The run belongs to the registry, not to the page: leaving the page lets it go
//! on, and coming back shows it live.

use crate::{
    auth::{callback, use_session, RequireSignIn},
    components::{
        breadcrumbs::Breadcrumbs,
        bulk_report::{progress_line, PlanCounts, PlanItems},
        confirm_dialog::ConfirmDialog,
        download::download,
        error_view::{ErrorView, ProblemPlace},
        format::{count_of, thousands},
        progress::SkippedNote,
    },
    problem::Problem,
    routes::{BulkQuery, Route},
    state::{
        bulk_read::{read_scope, Cancel, ReadProgress, ReadResult},
        bulk_run::{apply, run, Event, RunControl},
        bulk_storage::{clear_run, load_selection, save_run, slot, Phase},
        lock_rules::{Change, Preset},
        lock_store::{use_lock_store, LockStore},
        registry::use_client,
    },
};
use acr_bulk::{
    export,
    plan::{Action, Plan},
    rule::{FieldError, RuleFields, Target},
    Flags, RunRecord, Scope,
};
use acr_client::RegistryClient;
use acr_types::ArtifactRef;
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_location, use_navigate},
    NavigateOptions,
};
use std::{collections::HashMap, sync::Arc};

/// What a re-read run makes of its record with the items' flags now and the clock.
type Prepare = Box<dyn Fn(RunRecord, &HashMap<String, Flags>, u64) -> RunRecord>;

/// The bulk page: signed-in content only.
#[component]
pub fn BulkPage() -> impl IntoView {
    view! {
        <RequireSignIn>
            <Bulk />
        </RequireSignIn>
    }
}

#[component]
fn Bulk() -> impl IntoView {
    let location = use_location();
    let here = Memo::new(move |_| callback::here(&location.pathname.get(), &location.search.get()));
    let parsed =
        Memo::new(move |previous: Option<&Option<(String, BulkQuery)>>| {
            match Route::parse(&here.get()) {
                Some(Route::Bulk { registry, query }) => Some((registry, query)),
                _ => previous.cloned().flatten(),
            }
        });
    let registry = Memo::new(move |_| parsed.with(|p| p.as_ref().map(|(r, _)| r.clone())));
    let query =
        Memo::new(move |_| parsed.with(|p| p.as_ref().map(|(_, q)| q.clone()).unwrap_or_default()));
    move || {
        let registry = registry.get()?;
        Some(match use_client(&registry) {
            Ok(client) => view! { <BulkContents client registry query /> }.into_any(),
            Err(problem) => view! {
                <div class="page">
                    <h1 class="page__title">"Change many locks"</h1>
                    <ErrorView problem return_to=here.get_untracked() />
                </div>
            }
            .into_any(),
        })
    }
}

/// The lock-store flags of every item `result` listed, by the item's text (`repo:tag`,
/// `repo@digest`).
fn flags_by_target(result: &ReadResult) -> HashMap<String, Flags> {
    let mut out = HashMap::new();
    for r in &result.repos {
        for t in &r.tags {
            out.insert(
                ArtifactRef::Tag(r.name.clone(), t.name.clone()).to_string(),
                Flags::from(&t.changeable_attributes),
            );
        }
        for m in &r.manifests {
            out.insert(
                ArtifactRef::Manifest(r.name.clone(), m.digest.clone()).to_string(),
                Flags::from(&m.changeable_attributes),
            );
        }
    }
    out
}

/// The scope in words, for the record and its exports.
fn describe(query: &BulkQuery, items: usize) -> String {
    if query.selection {
        return ["a hand selection of ", &count_of(items, "item", "items")].concat();
    }
    let r = &query.rule;
    let mut s = vec![["repositories ", r.repos.trim()].concat()];
    if !r.tags.trim().is_empty() {
        s.push(
            [
                if r.regex { "tags matching /" } else { "tags " },
                r.tags.trim(),
                if r.regex { "/" } else { "" },
            ]
            .concat(),
        );
    }
    if !r.exclude.trim().is_empty() {
        s.push(["except ", r.exclude.trim()].concat());
    }
    if !r.newest.trim().is_empty() {
        s.push(["newest ", r.newest.trim(), " per repository"].concat());
    }
    if !r.after.trim().is_empty() {
        s.push(["updated on or after ", r.after.trim()].concat());
    }
    if !r.before.trim().is_empty() {
        s.push(["updated before ", r.before.trim()].concat());
    }
    s.push(["target: ", r.target.as_query()].concat());
    s.join(", ")
}

/// "write on, delete on": what a patch sets, in words.
fn patch_words(p: &acr_types::AttributesPatch) -> String {
    [
        ("write", p.write_enabled),
        ("delete", p.delete_enabled),
        ("read", p.read_enabled),
        ("list", p.list_enabled),
    ]
    .into_iter()
    .filter_map(|(w, v)| v.map(|v| [w, if v { " on" } else { " off" }].concat()))
    .collect::<Vec<_>>()
    .join(", ")
}

/// Reads the items of a record (those `pick` keeps) as the registry holds them now.
async fn read_items(
    client: &RegistryClient,
    store: &LockStore,
    record: &RunRecord,
    pick: impl Fn(&acr_bulk::record::RunItem) -> bool,
    progress: impl Fn(ReadProgress),
) -> Result<HashMap<String, Flags>, Problem> {
    let items: Vec<ArtifactRef> =
        record.items.iter().filter(|i| pick(i)).filter_map(|i| i.artifact()).collect();
    let result =
        read_scope(client, store, &Scope::Items(items), &Cancel::default(), progress).await?;
    Ok(flags_by_target(&result))
}

#[component]
fn BulkContents(client: RegistryClient, registry: String, query: Memo<BulkQuery>) -> impl IntoView {
    let store = use_lock_store(&registry);
    let session = use_session();
    let navigate = use_navigate();
    let s = slot(&registry);
    let record = RwSignal::from(s.record.clone());
    let phase = RwSignal::from(s.phase.clone());
    let status = RwSignal::from(s.status.clone());
    let saved = RwSignal::from(s.saved.clone());
    let control = s.control.clone();
    let snapshot: RwSignal<Option<Arc<ReadResult>>> = RwSignal::new(None);
    let read_progress = RwSignal::new(ReadProgress::default());
    let reading_what = RwSignal::new(String::new());
    let problem: RwSignal<Option<Problem>> = RwSignal::new(None);
    let read_cancel = StoredValue::new(Cancel::default());
    let reload = RwSignal::new(0u64);
    let confirm: RwSignal<Option<(String, Vec<String>, String)>> = RwSignal::new(None);
    let pending_confirm: StoredValue<Option<Box<dyn Fn()>>, LocalStorage> =
        StoredValue::new_local(None);
    let confirm_label = RwSignal::new(String::from("Apply"));

    // --- The form, following the URL (each field only when its own value changed there). ---
    let f_repos = RwSignal::new(String::new());
    let f_tags = RwSignal::new(String::new());
    let f_regex = RwSignal::new(false);
    let f_exclude = RwSignal::new(String::new());
    let f_newest = RwSignal::new(String::new());
    let f_after = RwSignal::new(String::new());
    let f_before = RwSignal::new(String::new());
    let f_target = RwSignal::new(Target::Tags);
    Effect::new(move |previous: Option<RuleFields>| {
        let r = query.with(|q| q.rule.clone());
        if previous.as_ref() != Some(&r) {
            f_repos.set(r.repos.clone());
            f_tags.set(r.tags.clone());
            f_regex.set(r.regex);
            f_exclude.set(r.exclude.clone());
            f_newest.set(r.newest.clone());
            f_after.set(r.after.clone());
            f_before.set(r.before.clone());
            f_target.set(r.target);
        }
        r
    });
    let change = Memo::new(move |_| {
        query.with(|q| Change::from_query(&q.change)).unwrap_or(Change::Preset(Preset::Lock))
    });
    let form_rule = move || RuleFields {
        repos: f_repos.get_untracked(),
        tags: f_tags.get_untracked(),
        regex: f_regex.get_untracked(),
        exclude: f_exclude.get_untracked(),
        newest: f_newest.get_untracked(),
        after: f_after.get_untracked(),
        before: f_before.get_untracked(),
        target: f_target.get_untracked(),
    };
    let errors = Memo::new(move |_| {
        query.with(|q| {
            if q.selection || q.rule.repos.trim().is_empty() {
                Vec::new()
            } else {
                q.rule.check().err().unwrap_or_default()
            }
        })
    });
    let error_of = move |field: &'static str| {
        move || {
            errors.with(|e| {
                e.iter()
                    .filter(|e: &&FieldError| e.field == field)
                    .map(|e| e.message.clone())
                    .next()
            })
        }
    };
    let locked_form = move || matches!(phase.get(), Phase::Running | Phase::Reading);
    let submit = {
        let (navigate, registry) = (navigate.clone(), registry.clone());
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let q = BulkQuery {
                rule: form_rule(),
                selection: false,
                change: query.get_untracked().change,
            };
            let href = Route::Bulk { registry: registry.clone(), query: q }.href();
            reload.update(|n| *n += 1);
            navigate(&href, NavigateOptions::default());
        }
    };
    let on_change = {
        let (navigate, registry) = (navigate.clone(), registry.clone());
        move |ev: leptos::ev::Event| {
            let q = BulkQuery { change: event_target_value(&ev), ..query.get_untracked() };
            let href = Route::Bulk { registry: registry.clone(), query: q }.href();
            navigate(&href, NavigateOptions { replace: true, scroll: false, ..Default::default() });
        }
    };

    // --- Reading the scope for the preview. ---
    let scope_of = {
        let registry = registry.clone();
        move |q: &BulkQuery| -> Option<Scope> {
            if q.selection {
                let items = load_selection(&registry);
                return (!items.is_empty()).then_some(Scope::Items(items));
            }
            if q.rule.repos.trim().is_empty() {
                return None;
            }
            q.rule.check().ok().map(Scope::Rule)
        }
    };
    let read_key = Memo::new(move |_| query.with(|q| (q.rule.clone(), q.selection)));
    Effect::new({
        let (client, store, scope_of, registry) =
            (client.clone(), store.clone(), scope_of.clone(), registry.clone());
        move |first: Option<()>| {
            read_key.track();
            reload.track();
            let current = phase.get_untracked();
            if current == Phase::Running || (first.is_none() && current == Phase::Stopped) {
                // A run (live or kept from before a reload) is shown first; a new preview waits
                // for the user to ask for one.
                return;
            }
            let Some(scope) = query.with_untracked(|q| scope_of(q)) else {
                phase.set(Phase::Idle);
                record.set(None);
                return;
            };
            if record.with_untracked(|r| r.as_ref().is_some_and(RunRecord::is_finished)) {
                clear_run(&registry);
            }
            read_cancel.with_value(Cancel::cancel);
            let cancel = Cancel::default();
            read_cancel.set_value(cancel.clone());
            problem.set(None);
            snapshot.set(None);
            record.set(None);
            reading_what.set("Reading what the scope covers".into());
            phase.set(Phase::Reading);
            let (client, store) = (client.clone(), store.clone());
            spawn_local(async move {
                let result = read_scope(&client, &store, &scope, &cancel, |p| {
                    if !cancel.is_cancelled() {
                        read_progress.try_set(p);
                    }
                })
                .await;
                if cancel.is_cancelled() {
                    // Superseded or cancelled: what was read is not a preview of anything.
                    return;
                }
                match result {
                    Ok(r) => {
                        snapshot.try_set(Some(Arc::new(r)));
                    }
                    Err(p) => {
                        problem.try_set(Some(p));
                        phase.try_set(Phase::Idle);
                    }
                }
            });
        }
    });
    // The preview: built from what was read and the chosen change (changing the change does not
    // read again).
    Effect::new({
        let (client, registry, scope_of) = (client.clone(), registry.clone(), scope_of.clone());
        let account = session.account().map(|a| a.username);
        move |_| {
            let c = change.get();
            let Some(read) = snapshot.get() else { return };
            if phase.get_untracked() == Phase::Running {
                return;
            }
            let Some(scope) = query.with_untracked(|q| scope_of(q)) else { return };
            let mut plan = Plan::build(&scope, &c.patch(), &read.repos);
            plan.unread = read.unread.clone();
            let n = plan.items.len();
            let rec = RunRecord::from_plan(
                &plan,
                client.now_ms().to_string(),
                registry.clone(),
                client.login_server().to_owned(),
                account.clone(),
                Action { label: c.label(), patch: c.patch() },
                query.with_untracked(|q| describe(q, n)),
                client.now_ms(),
            );
            record.set(Some(rec));
            phase.set(Phase::Preview);
        }
    });

    // --- Running. ---
    let start_run = {
        let (client, store, control) = (client.clone(), store.clone(), control.clone());
        move |rec: RunRecord| {
            let ctl = RunControl::default();
            *control.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = ctl.clone();
            saved.set(save_run(&rec));
            record.set(Some(rec.clone()));
            phase.set(Phase::Running);
            let (client, store) = (client.clone(), store.clone());
            spawn_local(async move {
                // The task keeps its own copy: it is saved even if nobody shows it any more.
                let mut local = rec.clone();
                let (mut last_save, mut last_shown) = (0u64, 0u64);
                run(&client, &store, &rec, &ctl, |event| {
                    if let Event::Status(s) = &event {
                        status.try_set(*s);
                        return;
                    }
                    // Every answer is in the lock store at once (every view follows); the page's
                    // copy of the record, whose counts are worked out over every item, follows
                    // at most ten times a second, and the tab's storage four times.
                    apply(&mut local, &event);
                    let now = client.now_ms();
                    if now >= last_shown + 100 {
                        last_shown = now;
                        record.try_set(Some(local.clone()));
                    }
                    if now >= last_save + 250 {
                        last_save = now;
                        saved.try_set(save_run(&local));
                    }
                })
                .await;
                record.try_set(Some(local.clone()));
                saved.try_set(save_run(&local));
                phase.try_set(Phase::Stopped);
            });
        }
    };

    // Re-reads `pick`ed items, then runs what `prepare` makes of the record with their flags now.
    let reread_then_run = {
        let (client, store, start_run) = (client.clone(), store.clone(), start_run.clone());
        move |what: String, pick: fn(&acr_bulk::record::RunItem) -> bool, prepare: Prepare| {
            let Some(rec) = record.get_untracked() else { return };
            reading_what.set(what);
            problem.set(None);
            phase.set(Phase::Reading);
            let (client, store, start_run) = (client.clone(), store.clone(), start_run.clone());
            spawn_local(async move {
                match read_items(&client, &store, &rec, pick, |p| {
                    read_progress.try_set(p);
                })
                .await
                {
                    Ok(now) => {
                        let next = prepare(rec, &now, client.now_ms());
                        start_run(next);
                    }
                    Err(p) => {
                        problem.try_set(Some(p));
                        phase.try_set(Phase::Stopped);
                    }
                }
            });
        }
    };

    let apply_now = {
        let start_run = start_run.clone();
        move || {
            if let Some(rec) = record.get_untracked() {
                start_run(rec);
            }
        }
    };
    let on_apply = {
        let apply_now = apply_now.clone();
        move |_| {
            let Some((sent, unlocking, repos)) = record.with_untracked(|r| {
                r.as_ref().map(|r| {
                    let sent: Vec<_> = r.items.iter().filter(|i| i.is_pending()).collect();
                    let unlocking = sent
                        .iter()
                        .filter(|i| {
                            let p = i.patch;
                            [p.write_enabled, p.delete_enabled, p.read_enabled, p.list_enabled]
                                .contains(&Some(true))
                        })
                        .count();
                    let mut repos: Vec<_> = sent
                        .iter()
                        .filter_map(|i| i.artifact())
                        .map(|a| a.repository().clone())
                        .collect();
                    repos.dedup();
                    (sent.len(), unlocking, repos.len())
                })
            }) else {
                return;
            };
            if unlocking == 0 {
                apply_now();
                return;
            }
            let label = change.get_untracked().label();
            let title = [&label, " ", &count_of(sent, "item", "items"), "?"].concat();
            let lines = vec![
                [
                    "This turns flags back on for ",
                    &count_of(unlocking, "item", "items"),
                    " in ",
                    &count_of(repos, "repository", "repositories"),
                    ": ",
                    &patch_words(&change.get_untracked().patch()),
                    ". They can then be overwritten or deleted again.",
                ]
                .concat(),
                "You can undo the change when it has run.".into(),
            ];
            let apply_now = apply_now.clone();
            pending_confirm.set_value(Some(Box::new(apply_now)));
            confirm_label.set(label.clone());
            confirm.set(Some((title, lines, label)));
        }
    };
    let on_cancel_run = {
        let control = control.clone();
        move |_| control.lock().unwrap_or_else(std::sync::PoisonError::into_inner).cancel()
    };
    let paused = RwSignal::new(false);
    let on_pause = {
        let control = control.clone();
        move |_| {
            let now = !paused.get_untracked();
            paused.set(now);
            control.lock().unwrap_or_else(std::sync::PoisonError::into_inner).set_paused(now);
        }
    };
    let on_retry = {
        let start_run = start_run.clone();
        move |_| {
            if let Some(mut rec) = record.get_untracked() {
                rec.retry_failed();
                start_run(rec);
            }
        }
    };
    let on_continue = {
        let reread = reread_then_run.clone();
        move |_| {
            reread(
                "Reading the current state of the items not done yet, so that nothing is sent twice".into(),
                |i| i.is_pending(),
                Box::new(|mut rec, now, _| {
                    rec.reconcile(|t| now.get(t).copied());
                    rec
                }),
            );
        }
    };
    let on_undo = {
        let reread = reread_then_run.clone();
        move |_| {
            let done = record.with_untracked(|r| r.as_ref().map_or(0, |r| r.progress().done));
            let title = ["Undo ", &count_of(done, "change", "changes"), "?"].concat();
            let lines = vec![
                "Each item changed by this run gets its previous flags back.".into(),
                "Items whose flags someone changed since the run are listed and left as they are."
                    .into(),
            ];
            let reread = reread.clone();
            pending_confirm.set_value(Some(Box::new(move || {
                reread(
                    "Reading the current state of the changed items before undoing".into(),
                    |i| matches!(i.state, acr_bulk::ItemState::Done { .. }),
                    Box::new(|rec, now, ms| rec.undo(ms.to_string(), ms, |t| now.get(t).copied())),
                );
            })));
            confirm_label.set("Undo".into());
            confirm.set(Some((title, lines, "Undo".into())));
        }
    };
    let on_dismiss = {
        let registry = registry.clone();
        move |_| {
            clear_run(&registry);
            record.set(None);
            phase.set(Phase::Idle);
            reload.update(|n| *n += 1);
        }
    };
    let export_file = {
        let client = client.clone();
        move |ext: &'static str| {
            let client = client.clone();
            move |_| {
                let Some(rec) = record.get_untracked() else { return };
                let now = client.now_ms();
                let (text, mime) = match ext {
                    "csv" => (export::csv(&rec), "text/csv"),
                    "json" => (export::json(&rec, now), "application/json"),
                    _ => (export::az_script(&rec), "text/x-shellscript"),
                };
                if let Err(message) = download(&export::file_name(&rec, ext), mime, &text) {
                    problem.set(Some(Problem::new(
                        "Export failed",
                        message,
                        "Try again, or use another browser.",
                    )));
                }
            }
        }
    };

    // --- What is shown. ---
    let record_signal: Signal<Option<RunRecord>> = record.into();
    let progress = Memo::new(move |_| {
        record.with(|r| r.as_ref().map(RunRecord::progress).unwrap_or_default())
    });
    let kind_undo = Memo::new(move |_| {
        record.with(|r| r.as_ref().is_some_and(|r| r.kind == acr_bulk::RunKind::Undo))
    });
    let interrupted = Memo::new(move |_| {
        phase.get() == Phase::Stopped
            && record
                .with(|r| r.as_ref().is_some_and(|r| !r.cancelled && r.progress().remaining > 0))
    });
    let conflicts =
        Memo::new(move |_| record.with(|r| r.as_ref().map_or(0, |r| r.conflicts().count())));
    let reading = move || {
        (phase.get() == Phase::Reading).then(|| {
            let p = read_progress.get();
            let text = match p.repositories {
                None => [reading_what.get().as_str(), "…"].concat(),
                Some(n) => [
                    reading_what.get().as_str(),
                    ": ",
                    &thousands(p.read),
                    " of ",
                    &count_of(n, "repository", "repositories"),
                    " read, ",
                    &count_of(p.items, "item", "items"),
                    " listed…",
                ]
                .concat(),
            };
            let max = p.repositories.unwrap_or(0).max(1).to_string();
            view! {
                <div class="bulk-reading" data-testid="bulk-reading">
                    <p role="status">{text}</p>
                    <progress max=max value=p.read.to_string()></progress>
                    <button type="button" class="button" data-testid="bulk-cancel-read" on:click=move |_| {
                        read_cancel.with_value(Cancel::cancel);
                        phase.set(Phase::Idle);
                    }>"Cancel reading"</button>
                </div>
            }
        })
    };
    let unread_note = move || {
        snapshot.with(|s| {
            s.as_ref().filter(|s| !s.unread.is_empty() || s.cancelled).map(|s| {
                let mut lines: Vec<String> =
                    s.unread.iter().map(|(r, why)| [r.as_str(), ": ", why].concat()).collect();
                if s.cancelled {
                    lines.push("Reading was cancelled before every repository was read.".into());
                }
                view! {
                    <div class="bulk-note" role="note" data-testid="bulk-unread">
                        <p>
                            {count_of(s.unread.len(), "repository", "repositories")}
                            " could not be read; nothing is planned for them:"
                        </p>
                        <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                    </div>
                }
            })
        })
    };
    let run_panel = move || {
        let ph = phase.get();
        let has = record.with(Option::is_some);
        if !has || matches!(ph, Phase::Idle | Phase::Reading) {
            return None;
        }
        let p = progress.get();
        let st = status.get();
        let preview = ph == Phase::Preview;
        let title = if preview {
            "Preview: nothing has been sent yet".to_owned()
        } else if ph == Phase::Running {
            if kind_undo.get() { "Undoing…" } else { "Changing locks…" }.to_owned()
        } else if interrupted.get() {
            "This run was interrupted".to_owned()
        } else if record.with(|r| r.as_ref().is_some_and(|r| r.cancelled)) {
            "Run cancelled".to_owned()
        } else if kind_undo.get() {
            "Undo finished".to_owned()
        } else {
            "Run finished".to_owned()
        };
        let throttle = st.waiting_ms.filter(|_| ph == Phase::Running).map(|ms| {
            view! {
                <p class="bulk-throttle" role="status" data-testid="bulk-throttled">
                    "The registry is throttling; waiting " {ms.div_ceil(1000).to_string()} " s, then going on more slowly."
                </p>
            }
        });
        let action_label =
            record.with(|r| r.as_ref().map(|r| r.action.label.clone()).unwrap_or_default());
        Some(view! {
            <section class="card bulk-run" aria-labelledby="bulk-run-title" data-testid="bulk-run" data-phase=format!("{ph:?}").to_lowercase()>
                <h2 id="bulk-run-title" class="card__title">{title}</h2>
                <p class="bulk-run__what">{action_label}" · "{record.with(|r| r.as_ref().map(|r| r.scope.clone()).unwrap_or_default())}</p>
                {(!preview).then(|| view! {
                    <p class="bulk-run__progress" data-testid="bulk-progress" role="status" aria-live="polite">{progress_line(p, st)}</p>
                    <progress class="bulk-run__bar" max=p.total.max(1).to_string() value=(p.done + p.failed + p.cancelled).to_string()></progress>
                })}
                {throttle}
                {(!saved.get()).then(|| view! {
                    <p class="bulk-note" role="alert">"This tab's storage is full or disabled: the results are shown here but a reload would lose them. Export them before leaving."</p>
                })}
                {(conflicts.get() > 0).then(|| view! {
                    <p class="bulk-note" role="status" data-testid="bulk-conflicts">
                        {count_of(conflicts.get(), "item", "items")}
                        " changed by someone else since the run: left as found, not overwritten (show “Changed by someone else” below)."
                    </p>
                })}
                <div class="bulk-run__actions">
                    {preview.then(|| view! {
                        <button type="button" class="button button--primary" data-testid="bulk-apply"
                            disabled=move || progress.get().remaining == 0
                            on:click=on_apply.clone()>
                            {move || ["Apply to ", &count_of(progress.get().remaining, "item", "items")].concat()}
                        </button>
                    })}
                    {(ph == Phase::Running).then(|| view! {
                        <button type="button" class="button" data-testid="bulk-pause" aria-pressed=move || paused.get().to_string() on:click=on_pause.clone()>
                            {move || if paused.get() { "Resume" } else { "Pause" }}
                        </button>
                        <button type="button" class="button" data-testid="bulk-cancel" on:click=on_cancel_run.clone()>"Cancel"</button>
                    })}
                    {interrupted.get().then(|| view! {
                        <button type="button" class="button button--primary" data-testid="bulk-continue" on:click=on_continue.clone()>
                            {["Continue: ", &count_of(p.remaining, "item", "items"), " left"].concat()}
                        </button>
                    })}
                    {(ph == Phase::Stopped && p.failed + p.cancelled > 0 && !interrupted.get()).then(|| view! {
                        <button type="button" class="button" data-testid="bulk-retry" on:click=on_retry.clone()>
                            {["Retry the ", &thousands(p.failed + p.cancelled), " not done"].concat()}
                        </button>
                    })}
                    {(ph == Phase::Stopped && p.done > 0 && !kind_undo.get()).then(|| view! {
                        <button type="button" class="button" data-testid="bulk-undo" on:click=on_undo.clone()>"Undo"</button>
                    })}
                    {(ph == Phase::Stopped).then(|| view! {
                        <button type="button" class="button" data-testid="bulk-dismiss" on:click=on_dismiss.clone()>"Done with this run"</button>
                    })}
                </div>
                <div class="bulk-run__exports" role="group" aria-label="Export the plan and results">
                    <span class="bulk-run__exports-label">"Export:"</span>
                    <button type="button" class="button" data-testid="export-csv" on:click=export_file("csv")>"CSV"</button>
                    <button type="button" class="button" data-testid="export-json" on:click=export_file("json")>"JSON"</button>
                    <button type="button" class="button" data-testid="export-az" on:click=export_file("sh")>"az script"</button>
                </div>
            </section>
        })
    };

    let target_choices = move || {
        Target::ALL
            .into_iter()
            .map(|t| {
                let id = ["bulk-target-", t.as_query()].concat();
                view! {
                    <div class="radio">
                        <input type="radio" name="bulk-target" id=id.clone() value=t.as_query()
                            prop:checked=move || f_target.get() == t
                            on:change=move |_| f_target.set(t) />
                        <label for=id>{t.label()}</label>
                    </div>
                }
            })
            .collect_view()
    };
    let protects = move || f_target.get().protects();
    let change_options = move || {
        Change::all()
            .into_iter()
            .map(|c| view! { <option value=c.as_query() selected=move || change.get() == c>{c.label()}</option> })
            .collect_view()
    };
    let selection_scope = {
        let registry = registry.clone();
        move || {
            query.with(|q| q.selection).then(|| {
                let n = load_selection(&registry).len();
                view! {
                    <p class="bulk-scope" data-testid="bulk-selection">
                        {count_of(n, "item", "items")} " chosen by hand on a repository page. "
                        <a href=Route::bulk(registry.clone()).href()>"Choose by rule instead"</a>
                    </p>
                }
            })
        }
    };
    let field = move |id: &'static str,
                      label: &'static str,
                      hint: &'static str,
                      value: RwSignal<String>,
                      err: &'static str,
                      kind: &'static str| {
        let describedby = [id, "-hint ", id, "-error"].concat();
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind autocomplete="off" spellcheck="false"
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    aria-describedby=describedby
                    aria-invalid=move || error_of(err)().is_some().then_some("true") />
                <p class="field__hint" id=[id, "-hint"].concat()>{hint}</p>
                <p class="field__error" id=[id, "-error"].concat()>{error_of(err)}</p>
            </div>
        }
    };
    let crumbs = vec![
        ("Registries".to_owned(), Route::Home.href()),
        (registry.clone(), Route::repositories(registry.clone()).href()),
        ("Change many locks".to_owned(), Route::bulk(registry.clone()).href()),
    ];
    view! {
        <div class="page bulk-page" data-testid="bulk-page">
            <Breadcrumbs crumbs />
            <header class="page-head">
                <p class="page__eyebrow">{registry.clone()}</p>
                <h1 class="page__title">"Change many locks"</h1>
                <p class="page__lead">
                    "Choose tags and manifests by rule or by hand, check the exact preview, then apply. Nothing is sent before you apply."
                </p>
            </header>
            {selection_scope}
            <form class="card bulk-form" on:submit=submit aria-label="What to change" data-testid="bulk-form">
                <fieldset disabled=locked_form>
                    {move || (!query.with(|q| q.selection)).then(|| view! {
                        <div class="bulk-form__grid">
                            {field("bulk-repos", "Repositories", "A glob: * within one level, ** across levels (prod/**).", f_repos, "repos", "text")}
                            <div class="field">
                                <label for="bulk-tags">"Tags"</label>
                                <input id="bulk-tags" type="text" autocomplete="off" spellcheck="false"
                                    prop:value=move || f_tags.get()
                                    on:input=move |ev| f_tags.set(event_target_value(&ev))
                                    aria-describedby="bulk-tags-hint bulk-tags-error"
                                    aria-invalid=move || error_of("tags")().is_some().then_some("true") />
                                <p class="field__hint" id="bulk-tags-hint">"Empty for every tag; a glob (1.*) or, ticked below, a regular expression."</p>
                                <p class="field__error" id="bulk-tags-error">{error_of("tags")}</p>
                                <div class="checkbox">
                                    <input id="bulk-regex" type="checkbox" prop:checked=move || f_regex.get()
                                        on:change=move |ev| f_regex.set(event_target_checked(&ev)) />
                                    <label for="bulk-regex">"Regular expression (matches the whole tag)"</label>
                                </div>
                            </div>
                            {field("bulk-exclude", "Leave out tags", "Globs, separated by commas (latest, *-dev).", f_exclude, "exclude", "text")}
                            {field("bulk-newest", "Only the newest per repository", "A number of tags; empty for all.", f_newest, "newest", "text")}
                            {field("bulk-after", "Updated on or after", "A day (UTC); empty for no limit.", f_after, "after", "date")}
                            {field("bulk-before", "Updated before", "A day (UTC); empty for no limit.", f_before, "before", "date")}
                        </div>
                        <fieldset class="bulk-form__target">
                            <legend>"Change"</legend>
                            {target_choices}
                            <p class="field__hint" data-testid="bulk-protects">{protects}</p>
                        </fieldset>
                    })}
                    <div class="bulk-form__action">
                        <div class="field">
                            <label for="bulk-change">"Action"</label>
                            <select id="bulk-change" on:change=on_change>{change_options}</select>
                        </div>
                        {move || (!query.with(|q| q.selection)).then(|| view! {
                            <button type="submit" class="button button--primary" data-testid="bulk-preview">"Preview"</button>
                        })}
                    </div>
                </fieldset>
            </form>
            {move || problem.get().map(|p| view! { <ErrorView problem=p place=ProblemPlace::Panel on_retry=move |_| reload.update(|n| *n += 1) /> })}
            {reading}
            {unread_note}
            <SkippedNote skipped=Signal::derive(move || snapshot.with(|s| s.as_ref().map(|s| s.skipped.clone()).unwrap_or_default())) />
            {run_panel}
            <Show when=move || record.with(Option::is_some) && phase.get() != Phase::Reading>
                <section class="card bulk-preview" aria-labelledby="bulk-preview-title" data-testid="bulk-preview-report">
                    <h2 id="bulk-preview-title" class="card__title">"Items"</h2>
                    <PlanCounts record=record_signal />
                    <PlanItems registry=registry.clone() record=record_signal />
                </section>
            </Show>
            <ConfirmDialog
                open=Signal::derive(move || confirm.with(Option::is_some))
                title=Signal::derive(move || {
                    confirm.with(|c| c.as_ref().map(|c| c.0.clone()).unwrap_or_default())
                })
                lines=Signal::derive(move || {
                    confirm.with(|c| c.as_ref().map(|c| c.1.clone()).unwrap_or_default())
                })
                confirm_label=confirm_label
                on_confirm=move |_| {
                    confirm.set(None);
                    pending_confirm.with_value(|f| {
                        if let Some(f) = f {
                            f()
                        }
                    });
                }
                on_cancel=move |_| confirm.set(None)
            />
        </div>
    }
}
