//! The status page at `/r/{registry}/-/status?scope=&sort=&state=`: is production protected?
//! It scans the scope (the whole registry or a repository glob): the catalog, then per
//! repository its attributes, tag list and manifest list side by side (paged; the lists carry
//! each item's flags, so no request per item), with progress, cancel, results appearing as they
//! arrive, "as of" and refresh. It draws the totals and one bar per repository, lists every
//! unprotected item (admins can send them to the bulk preview), shows each declared lock rule
//! with its gap (closed in one step through the bulk preview), and exports the inventory it read
//! as CSV or JSON, built as the scan streams. Every choice is in the URL; viewers get the same
//! page without the tools.

use crate::{
    auth::{callback, use_session, RequireSignIn},
    components::{
        breadcrumbs::Breadcrumbs,
        coverage_bars::{
            locked_text, CoverageBar, CoverageLegend, CoveragePatterns, CoverageTable,
        },
        download::download,
        error_view::{ErrorView, ProblemPlace},
        format::{count_of, thousands},
        progress::SkippedNote,
    },
    config::SharedConfig,
    perf::mark_after_paint,
    problem::Problem,
    routes::{BulkQuery, Route, StatusSort},
    state::{
        bulk_read::{scan_scope, Cancel, ReadProgress},
        bulk_storage::save_selection,
        registry::use_client,
    },
};
use acr_bulk::{
    coverage::{
        inventory_csv, inventory_json, repo_coverage, InventoryRow, LockRule, Protection,
        RepoCoverage, RuleStanding, StateCounts,
    },
    rule::RuleFields,
    Scope, Target, WriteRight,
};
use acr_client::RegistryClient;
use acr_types::ArtifactRef;
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    hooks::{use_location, use_navigate},
    NavigateOptions,
};
use std::time::Duration;

/// Bars drawn at first; more on request (the count says how many there are).
const BARS_SHOWN: usize = 100;
/// How often, at most, what the scan has read is published to the page's figures, ms.
const PUBLISH_MS: u64 = 250;

/// What the status page's URL says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StatusUrl {
    registry: String,
    scope: String,
    sort: StatusSort,
    state: String,
}

/// The status page: signed-in content only.
#[component]
pub fn StatusPage() -> impl IntoView {
    view! {
        <RequireSignIn>
            <Status />
        </RequireSignIn>
    }
}

#[component]
fn Status() -> impl IntoView {
    let location = use_location();
    let here = Memo::new(move |_| callback::here(&location.pathname.get(), &location.search.get()));
    let url =
        Memo::new(move |previous: Option<&Option<StatusUrl>>| match Route::parse(&here.get()) {
            Some(Route::Status { registry, scope, sort, state }) => {
                Some(StatusUrl { registry, scope, sort, state })
            }
            _ => previous.cloned().flatten(),
        });
    let registry = Memo::new(move |_| url.with(|u| u.as_ref().map(|u| u.registry.clone())));
    move || {
        let registry = registry.get()?;
        Some(match use_client(&registry) {
            Ok(client) => view! { <StatusContents client registry url /> }.into_any(),
            Err(problem) => view! {
                <div class="page">
                    <h1 class="page__title">"Production status"</h1>
                    <ErrorView problem return_to=here.get_untracked() />
                </div>
            }
            .into_any(),
        })
    }
}

/// "14:02" on the browser's clock.
fn clock_now() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let d = leptos::web_sys::js_sys::Date::new_0();
        format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        String::new()
    }
}

/// The rule's requirement in words.
fn rule_words(r: &LockRule) -> String {
    let what = match r.rule.target {
        Target::Tags => "Tags",
        Target::Manifests => "The images of tags",
        Target::Both => "Tags and their images",
    };
    let tags =
        r.rule.tags.as_ref().map(|t| [" matching ", t.as_str()].concat()).unwrap_or_default();
    let except = if r.rule.exclude.is_empty() {
        String::new()
    } else {
        [
            " (except ",
            &r.rule.exclude.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(", "),
            ")",
        ]
        .concat()
    };
    [what, &tags, &except, " in ", r.rule.repos.as_str(), " must be ", r.require.label(), "."]
        .concat()
}

#[component]
fn StatusContents(
    client: RegistryClient,
    registry: String,
    url: Memo<Option<StatusUrl>>,
) -> impl IntoView {
    let config = expect_context::<SharedConfig>();
    let rules: Vec<LockRule> =
        config.registry(&registry).map(|r| r.lock_rules.clone()).unwrap_or_default();
    let rules = StoredValue::new(rules);
    let session = use_session();
    let navigate = use_navigate();
    let scope =
        Memo::new(move |_| url.with(|u| u.as_ref().map(|u| u.scope.clone()).unwrap_or_default()));
    let sort = Memo::new(move |_| url.with(|u| u.as_ref().map(|u| u.sort).unwrap_or_default()));
    let state_filter =
        Memo::new(move |_| url.with(|u| u.as_ref().map(|u| u.state.clone()).unwrap_or_default()));

    // What the scan has read, kept outside the reactive graph and published to the views at
    // most every PUBLISH_MS (`version` moves): a repository arriving does not recompute and
    // redraw every figure, which on a thousand repositories would keep the page (and with it
    // the scan) busy.
    let coverage: StoredValue<Vec<RepoCoverage>> = StoredValue::new(Vec::new());
    let version = RwSignal::new(0u64);
    let publishing = StoredValue::new(false);
    let standings_read: StoredValue<Vec<RuleStanding>> = StoredValue::new(Vec::new());
    let standings: RwSignal<Vec<RuleStanding>> = RwSignal::new(Vec::new());
    let publish = move || {
        publishing.set_value(false);
        standings.try_set(standings_read.get_value());
        version.try_update(|v| *v += 1);
    };
    let inventory: StoredValue<Vec<InventoryRow>> = StoredValue::new(Vec::new());
    let progress = RwSignal::new(ReadProgress::default());
    let scanning = RwSignal::new(false);
    let cancelled = RwSignal::new(false);
    let as_of = RwSignal::new(String::new());
    let taken = RwSignal::new(String::new());
    let unread: RwSignal<Vec<(String, String)>> = RwSignal::new(Vec::new());
    let skipped: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let problem: RwSignal<Option<Problem>> = RwSignal::new(None);
    let may_change = RwSignal::new(false);
    let shown_bars = RwSignal::new(BARS_SHOWN);
    let reload = RwSignal::new(0u64);
    let cancel = StoredValue::new(Cancel::default());
    let first_bar = StoredValue::new(false);

    // The scan: again whenever the scope changes or on refresh.
    Effect::new({
        let client = client.clone();
        move |_| {
            let glob = scope.get();
            reload.track();
            cancel.with_value(Cancel::cancel);
            let fields = RuleFields {
                repos: if glob.trim().is_empty() { "**".into() } else { glob.clone() },
                target: Target::Both,
                ..Default::default()
            };
            let rule = match fields.check() {
                Ok(r) => r,
                Err(errors) => {
                    problem.set(Some(Problem::new(
                        "Not a repository pattern",
                        errors.first().map(|e| e.message.clone()).unwrap_or_default(),
                        "Write a glob such as prod/** (every repository: leave it empty).",
                    )));
                    return;
                }
            };
            let c = Cancel::default();
            cancel.set_value(c.clone());
            coverage.set_value(Vec::new());
            standings_read.set_value(vec![RuleStanding::default(); rules.with_value(Vec::len)]);
            publish();
            inventory.set_value(Vec::new());
            unread.set(Vec::new());
            skipped.set(Vec::new());
            problem.set(None);
            cancelled.set(false);
            scanning.set(true);
            shown_bars.set(BARS_SHOWN);
            let client = client.clone();
            spawn_local(async move {
                let scope = Scope::Rule(rule);
                // The scan keeps its own snapshot: the figures are "as of" it, and a store
                // entry per item would cost more memory than the scan itself.
                let result = scan_scope(
                    &client,
                    None,
                    &scope,
                    &c,
                    |p| {
                        if !c.is_cancelled() {
                            progress.try_set(p);
                        }
                    },
                    |_, snapshot| {
                        if c.is_cancelled() {
                            return;
                        }
                        if snapshot.write != WriteRight::No {
                            may_change.try_set(true);
                        }
                        rules.with_value(|rules| {
                            standings_read.update_value(|s| {
                                for (rule, standing) in rules.iter().zip(s.iter_mut()) {
                                    rule.check(&snapshot, standing);
                                }
                            });
                        });
                        // The snapshot's strings move into the inventory (no second copy).
                        let (cov, rows) = repo_coverage(snapshot);
                        inventory.update_value(|i| i.extend(rows));
                        coverage.update_value(|c| c.push(cov));
                        if !first_bar.get_value() {
                            // The first repository shows at once; the rest in batches.
                            first_bar.set_value(true);
                            publish();
                            mark_after_paint("status:first-bar");
                        } else if !publishing.get_value() {
                            publishing.set_value(true);
                            set_timeout(publish, Duration::from_millis(PUBLISH_MS));
                        }
                    },
                )
                .await;
                if c.is_cancelled() && !cancelled.get_untracked() {
                    // Superseded by a new scan: it owns the page now.
                    return;
                }
                match result {
                    Ok(end) => {
                        unread.try_set(
                            end.unread.into_iter().map(|(r, why)| (r.to_string(), why)).collect(),
                        );
                        cancelled.try_set(end.cancelled);
                        skipped.try_set(end.skipped);
                    }
                    Err(p) => {
                        problem.try_set(Some(p));
                    }
                }
                publish();
                as_of.try_set(clock_now());
                taken.try_set(crate::components::format::now_rfc3339());
                scanning.try_set(false);
                mark_after_paint("status:complete");
            });
        }
    });

    let totals = Memo::new(move |_| {
        version.track();
        coverage.with_value(|c| {
            let (mut tags, mut manifests) = (StateCounts::default(), StateCounts::default());
            let mut locked_repos = 0;
            for r in c {
                tags.merge(&r.tags);
                manifests.merge(&r.manifests);
                locked_repos += usize::from(r.repository_locked());
            }
            (tags, manifests, locked_repos, c.len())
        })
    });
    // The repositories' positions in the order shown (the figures stay where they are).
    let sorted = Memo::new(move |_| {
        version.track();
        let by = sort.get();
        coverage.with_value(|c| {
            let mut v: Vec<usize> = (0..c.len()).collect();
            match by {
                StatusSort::Unprotected => v.sort_by(|&a, &b| {
                    let (a, b) = (&c[a], &c[b]);
                    b.tags.not_locked().cmp(&a.tags.not_locked()).then_with(|| a.name.cmp(&b.name))
                }),
                StatusSort::Name => v.sort_by(|&a, &b| c[a].name.cmp(&c[b].name)),
            }
            v
        })
    });
    // The table's rows (their figures only), drawn while the table is open.
    let table_open = RwSignal::new(false);
    let table_rows = Signal::derive(move || {
        if !table_open.get() {
            return Vec::new();
        }
        sorted.with(|order| {
            coverage.with_value(|c| order.iter().map(|&i| c[i].clone_figures()).collect())
        })
    });

    let go = {
        let (navigate, registry) = (navigate.clone(), registry.clone());
        move |scope: String, sort: StatusSort, state: String, replace: bool| {
            let href = Route::Status { registry: registry.clone(), scope, sort, state }.href();
            navigate(&href, NavigateOptions { replace, scroll: false, ..Default::default() });
        }
    };
    let scope_text = RwSignal::new(scope.get_untracked());
    Effect::new(move |_| scope_text.set(scope.get()));
    let on_scope = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            go(
                scope_text.get_untracked(),
                sort.get_untracked(),
                state_filter.get_untracked(),
                false,
            );
        }
    };
    let on_sort = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let s = StatusSort::from_query(Some(&event_target_value(&ev)));
            go(scope.get_untracked(), s, state_filter.get_untracked(), true);
        }
    };
    let on_state = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            go(scope.get_untracked(), sort.get_untracked(), event_target_value(&ev), true);
        }
    };
    let to_bulk = {
        let (navigate, registry) = (navigate.clone(), registry.clone());
        move |items: Vec<ArtifactRef>, change: &'static str| {
            save_selection(&registry, &items);
            let href = Route::Bulk {
                registry: registry.clone(),
                query: BulkQuery { selection: true, change: change.into(), ..Default::default() },
            }
            .href();
            navigate(&href, NavigateOptions::default());
        }
    };
    let export = {
        let (client, registry) = (client.clone(), registry.clone());
        let account = session.account().map(|a| a.username);
        move |ext: &'static str| {
            let (client, registry, account) = (client.clone(), registry.clone(), account.clone());
            move |_| {
                let glob = scope.get_untracked();
                let scope_words =
                    if glob.trim().is_empty() { "the whole registry".to_owned() } else { glob };
                let when = taken.get_untracked();
                let text = inventory.with_value(|rows| match ext {
                    "csv" => inventory_csv(
                        client.login_server(),
                        &scope_words,
                        &when,
                        account.as_deref(),
                        rows,
                    ),
                    _ => inventory_json(
                        client.login_server(),
                        &scope_words,
                        &when,
                        account.as_deref(),
                        rows,
                    ),
                });
                let clean: String = scope_words
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                let name = format!(
                    "acr-inventory-{registry}-{}-{}.{ext}",
                    clean.trim_matches('-'),
                    when.replace(':', "").chars().take(15).collect::<String>()
                );
                let mime = if ext == "csv" { "text/csv" } else { "application/json" };
                if let Err(m) = download(&name, mime, &text) {
                    problem.set(Some(Problem::new("Export failed", m, "Try again.")));
                }
            }
        }
    };

    let status_line = move || {
        let p = progress.get();
        if scanning.get() {
            let text = match p.repositories {
                None => "Reading the repository list…".to_owned(),
                Some(n) => [
                    "Reading ",
                    &thousands(p.read),
                    " of ",
                    &count_of(n, "repository", "repositories"),
                    " (",
                    &count_of(p.items, "item", "items"),
                    " listed)…",
                ]
                .concat(),
            };
            view! {
                <p role="status" data-testid="status-progress">{text}</p>
                <progress max=p.repositories.unwrap_or(0).max(1).to_string() value=p.read.to_string()></progress>
                <button type="button" class="button" data-testid="status-cancel" on:click=move |_| {
                    cancelled.set(true);
                    cancel.with_value(Cancel::cancel);
                }>"Cancel"</button>
            }
            .into_any()
        } else {
            let note =
                if cancelled.get() { " (cancelled: the figures cover what was read)" } else { "" };
            view! {
                <p role="status" data-testid="status-as-of">{["As of ", &as_of.get(), note].concat()}</p>
                <button type="button" class="button" data-testid="status-refresh" on:click=move |_| reload.update(|n| *n += 1)>
                    "Refresh"
                </button>
            }
            .into_any()
        }
    };
    let total_cards = move || {
        let (tags, manifests, locked, repos) = totals.get();
        let card = |what: &'static str, c: StateCounts| {
            let items = Protection::ALL
                .into_iter()
                .map(|p| view! {
                    <div class="bulk-count" data-testid=format!("total-{}-{}", what, p.as_str())>
                        <dt>{p.label()}</dt>
                        <dd class="bulk-count__n">{thousands(c.get(p))}</dd>
                    </div>
                })
                .collect_view();
            view! {
                <h3 class="status-totals__title">{[thousands(c.total()).as_str(), " ", what].concat()}</h3>
                <dl class="bulk-counts">{items}</dl>
            }
        };
        view! {
            <p class="status-totals__repos" data-testid="total-repositories-locked">
                {[thousands(locked).as_str(), " of ", &count_of(repos, "repository", "repositories"), " locked as a whole"].concat()}
            </p>
            {card("tags", tags)}
            {card("manifests", manifests)}
        }
    };
    let bars = {
        let registry = registry.clone();
        move || {
            let limit = shown_bars.get();
            let (n, shown) = sorted.with(|order| {
                let shown: Vec<RepoCoverage> = coverage.with_value(|c| {
                    order.iter().take(limit).map(|&i| c[i].clone_figures()).collect()
                });
                (order.len(), shown)
            });
            let rows = shown
                .into_iter()
                .map(|r| {
                    let href = acr_types::RepositoryName::new(&r.name)
                        .map(|n| Route::repository(registry.clone(), n).href())
                        .unwrap_or_default();
                    let text =
                        [locked_text(&r.tags, "tags"), locked_text(&r.manifests, "manifests")]
                            .join(" · ");
                    let own = if r.repository_locked() { " · repository locked" } else { "" };
                    view! {
                        <li class="cov-row" data-repository=r.name.clone()>
                            <a class="cov-row__name" href=href>{r.name.clone()}</a>
                            <span class="cov-row__text">{text}{own}</span>
                            <CoverageBar counts=r.tags />
                        </li>
                    }
                })
                .collect_view();
            let more = (n > limit).then(|| view! {
                <button type="button" class="button" on:click=move |_| shown_bars.update(|s| *s += BARS_SHOWN)>
                    {["Show more (", &thousands(limit), " of ", &thousands(n), " shown)"].concat()}
                </button>
            });
            view! { <ol class="cov-rows" data-testid="coverage-bars">{rows}</ol> {more} }
        }
    };
    // The items not locked in the chosen state: how many, and the first ones to list.
    let unprotected_now = move |want: &str, limit: usize| {
        coverage.with_value(|c| {
            let mut n = 0;
            let mut first = Vec::new();
            for (a, s) in c.iter().flat_map(|r| r.unprotected.iter()) {
                if want.is_empty() || s.as_str() == want {
                    if first.len() < limit {
                        first.push((a.clone(), *s));
                    }
                    n += 1;
                }
            }
            (n, first)
        })
    };
    let unprotected = Memo::new(move |_| {
        version.track();
        unprotected_now(&state_filter.get(), shown_bars.get() * 5)
    });
    let drill = {
        let (registry, to_bulk) = (registry.clone(), to_bulk.clone());
        move || {
            let (n, items) = unprotected.get();
            let list = items
                .iter()
                .map(|(a, s)| {
                    let href = match a {
                        ArtifactRef::Tag(r, t) => Route::Tag {
                            registry: registry.clone(),
                            repo: r.clone(),
                            tag: t.clone(),
                        }
                        .href(),
                        ArtifactRef::Manifest(r, d) => Route::Manifest {
                            registry: registry.clone(),
                            repo: r.clone(),
                            digest: d.clone(),
                        }
                        .href(),
                        ArtifactRef::Repository(r) => {
                            Route::repository(registry.clone(), r.clone()).href()
                        }
                    };
                    view! { <li><a href=href>{a.to_string()}</a>" — "{s.label()}</li> }
                })
                .collect_view();
            let shown = items.len();
            let rest = (n > shown).then(|| view! {
                <p>{[thousands(n - shown).as_str(), " more: the inventory export lists every one."].concat()}</p>
            });
            let to_bulk = to_bulk.clone();
            let tools = (may_change.get() && n > 0).then(|| {
                // Every one of them, gathered when the button is pressed.
                let all = move || {
                    let (_, all) = unprotected_now(&state_filter.get_untracked(), usize::MAX);
                    all.into_iter().map(|(a, _)| a).collect::<Vec<ArtifactRef>>()
                };
                view! {
                    <button type="button" class="button button--primary" data-testid="lock-unprotected"
                        on:click=move |_| to_bulk(all(), "lock")>
                        {["Lock these ", &count_of(n, "item", "items"), "…"].concat()}
                    </button>
                }
            });
            view! {
                <p data-testid="unprotected-count">{count_of(n, "item is not locked", "items are not locked")}</p>
                {tools}
                <ul class="status-items" data-testid="unprotected-items">{list}</ul>
                {rest}
            }
        }
    };
    let rule_cards = {
        let to_bulk = to_bulk.clone();
        let registry = registry.clone();
        move || {
            let list = rules.get_value();
            if list.is_empty() {
                return view! { <p>"No lock rules are declared for this registry in config.json (see the README)."</p> }.into_any();
            }
            let s = standings.get();
            list.into_iter()
                .zip(s)
                .enumerate()
                .map(|(i, (rule, st))| {
                    let gap = st.gap.len();
                    let to_bulk = to_bulk.clone();
                    let change = rule.require.change();
                    let items = st.gap.clone();
                    let close = (may_change.get() && gap > 0 && !scanning.get()).then(|| view! {
                        <button type="button" class="button button--primary" data-testid=format!("close-gap-{i}")
                            on:click=move |_| to_bulk(items.clone(), change)>
                            {["Close the gap: ", &count_of(gap, "item", "items"), "…"].concat()}
                        </button>
                    });
                    let gap_list = st.gap.iter().map(|a| view! { <li>{a.to_string()}</li> }).collect_view();
                    // A rule whose repositories this scan did not read says so, rather than
                    // "0 items matched" (read as "nothing to protect").
                    // Only for a scan that read its whole scope (not cancelled, no failure) and
                    // where no repository the rule covers was left unread.
                    let whole = !scanning.get() && !cancelled.get() && problem.with(Option::is_none);
                    let unread_covered =
                        unread.with(|u| u.iter().any(|(r, _)| rule.rule.matches_repository(r)));
                    let outside = (whole && !unread_covered && st.repositories == 0).then(|| {
                        let repos = rule.rule.repos.as_str().to_owned();
                        let current = scope.get();
                        if current.trim().is_empty() {
                            return view! {
                                <p class="status-rule__figures" data-testid=format!("rule-{i}-outside")>
                                    {["No repository in this registry matches ", repos.as_str(), ": check the rule's pattern in config.json."].concat()}
                                </p>
                            }
                            .into_any();
                        }
                        let href = Route::Status {
                            registry: registry.clone(),
                            scope: repos.clone(),
                            sort: StatusSort::default(),
                            state: String::new(),
                        }
                        .href();
                        view! {
                            <p class="status-rule__figures" data-testid=format!("rule-{i}-outside")>
                                {["Not in this scan: no repository in ", current.as_str(), " matches ", repos.as_str(), ". "].concat()}
                                <a href=href>{["Show ", repos.as_str()].concat()}</a>
                            </p>
                        }
                        .into_any()
                    });
                    let figures = outside.unwrap_or_else(|| view! {
                        <p class="status-rule__figures" data-testid=format!("rule-{i}-figures")>
                            {[count_of(st.matched, "item matched", "items matched"), thousands(st.compliant) + " compliant", count_of(gap, "in the gap", "in the gap")].join(" · ")}
                        </p>
                    }.into_any());
                    view! {
                        <article class="card status-rule" data-testid=format!("rule-{i}") data-gap=gap.to_string()>
                            <h3>{rule.name.clone()}</h3>
                            <p class="muted">{rule_words(&rule)}</p>
                            {figures}
                            {(gap > 0).then(|| view! {
                                <details>
                                    <summary>{["The gap (", &thousands(gap), ")"].concat()}</summary>
                                    <ul class="status-items">{gap_list}</ul>
                                </details>
                            })}
                            {close}
                        </article>
                    }
                })
                .collect_view()
                .into_any()
        }
    };
    let unread_note = move || {
        let u = unread.get();
        (!u.is_empty()).then(|| view! {
            <div class="bulk-note" role="note" data-testid="status-unread">
                <p>{count_of(u.len(), "repository", "repositories")}" could not be read and are not counted:"</p>
                <ul>{u.into_iter().map(|(r, why)| view! { <li>{[r.as_str(), ": ", &why].concat()}</li> }).collect_view()}</ul>
            </div>
        })
    };
    let crumbs = vec![
        ("Registries".to_owned(), Route::Home.href()),
        (registry.clone(), Route::repositories(registry.clone()).href()),
        (
            "Production status".to_owned(),
            Route::Status {
                registry: registry.clone(),
                scope: String::new(),
                sort: StatusSort::default(),
                state: String::new(),
            }
            .href(),
        ),
    ];
    let state_options = move || {
        let current = state_filter.get();
        let mut v = vec![view! { <option value="" selected=current.is_empty()>"Every state but locked"</option> }.into_any()];
        for p in [Protection::Unlocked, Protection::DeleteProtected, Protection::UpdatesPrevented] {
            let sel = current == p.as_str();
            v.push(view! { <option value=p.as_str() selected=sel>{p.label()}</option> }.into_any());
        }
        v
    };
    view! {
        <div class="page bulk-page status-page" data-testid="status-page">
            <CoveragePatterns />
            <Breadcrumbs crumbs />
            <header class="page-head">
                <p class="page__eyebrow">{registry.clone()}</p>
                <h1 class="page__title">"Production status"</h1>
                <p class="page__lead">"How much of the registry is locked, repository by repository, and what your lock rules still miss."</p>
            </header>
            <form class="card status-scope" on:submit=on_scope aria-label="Scope">
                <div class="field">
                    <label for="status-scope">"Repositories"</label>
                    <input id="status-scope" type="text" autocomplete="off" spellcheck="false" placeholder="prod/** (empty: the whole registry)"
                        prop:value=move || scope_text.get() on:input=move |ev| scope_text.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class="button button--primary">"Show"</button>
                <div class="field">
                    <label for="status-sort">"Order"</label>
                    <select id="status-sort" on:change=on_sort>
                        <option value="unprotected" selected=move || sort.get() == StatusSort::Unprotected>"Most unprotected first"</option>
                        <option value="name" selected=move || sort.get() == StatusSort::Name>"By name"</option>
                    </select>
                </div>
            </form>
            <div class="bulk-reading">{status_line}</div>
            {move || problem.get().map(|p| view! { <ErrorView problem=p place=ProblemPlace::Panel on_retry=move |_| reload.update(|n| *n += 1) /> })}
            {unread_note}
            <SkippedNote skipped=skipped />
            <section class="card" aria-labelledby="status-totals-title">
                <h2 id="status-totals-title" class="card__title">"The picture"</h2>
                {total_cards}
                <CoverageLegend />
                <h3>"Tags per repository"</h3>
                {bars}
                <details class="status-table" on:toggle=move |ev| {
                    let open = event_target::<leptos::web_sys::HtmlDetailsElement>(&ev).open();
                    table_open.set(open);
                }>
                    <summary>"The same figures as a table"</summary>
                    <CoverageTable repos=table_rows />
                </details>
            </section>
            <section class="card" aria-labelledby="status-rules-title" data-testid="status-rules">
                <h2 id="status-rules-title" class="card__title">"Lock rules"</h2>
                {rule_cards}
            </section>
            <section class="card" aria-labelledby="status-unprotected-title">
                <h2 id="status-unprotected-title" class="card__title">"Not locked"</h2>
                <div class="field">
                    <label for="status-state">"Show"</label>
                    <select id="status-state" on:change=on_state>{state_options}</select>
                </div>
                {drill}
            </section>
            <section class="card" aria-labelledby="status-export-title">
                <h2 id="status-export-title" class="card__title">"Inventory"</h2>
                <p class="muted">"Everything the scan read: each tag and untagged manifest with its own, its image's and its repository's flags, the effective state and times. The file says when and by which account it was taken."</p>
                <div class="bulk-run__exports">
                    <button type="button" class="button" data-testid="inventory-csv" disabled=move || scanning.get() on:click=export("csv")>"CSV"</button>
                    <button type="button" class="button" data-testid="inventory-json" disabled=move || scanning.get() on:click=export("json")>"JSON"</button>
                </div>
            </section>
        </div>
    }
}
