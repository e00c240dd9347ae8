//! The repositories page at `/r/{registry}?q=`: loads EVERY page of the catalog, shows rows as
//! soon as the first page arrives with visible progress, never truncates, and filters as you type
//! (the filter lives in the URL, replaced while typing). Only the visible rows are rendered.
//! Performance marks: `repos:first-rows`, `repos:complete`, `filter:applied`.
//!
//! The catalog holds names only, so each row's own lock badges come from a read of that
//! repository ([`RepositoryLockReader`]): only for the rows in view plus [`LOCK_OVERSCAN`], once
//! scrolling has settled for [`LOCK_SETTLE`], at most [`LOCK_READS_IN_FLIGHT`] at a time,
//! cancelled when their rows leave the view, cached until Reload. One token request covers the
//! whole view (`prefetch_repository_tokens`), so a screenful costs one request per row plus one.
//!
//! It also owns [`Paged`], the page-by-page loading state the repository page shares: rows,
//! progress, stale rows kept (dimmed) while a reload runs, and the problem that stopped a load.

use crate::{
    auth::{callback, RequireSignIn},
    components::{
        breadcrumbs::Breadcrumbs,
        error_view::ErrorView,
        format::{count_of, thousands},
        progress::{LoadProgress, Progress},
        repository_list::{filter_key, filter_names, RepositoryList, RepositoryLock},
    },
    config::SharedConfig,
    perf::mark_after_paint,
    problem::Problem,
    routes::Route,
    state::registry::use_client,
};
use acr_client::{ClientError, Page, Pages, RegistryClient};
use acr_types::{RepositoryAttributes, RepositoryName};
use futures_util::{
    future::{abortable, AbortHandle},
    StreamExt,
};
use leptos::prelude::*;
use leptos_router::{
    hooks::{use_location, use_navigate},
    NavigateOptions,
};
use std::{collections::HashMap, ops::Range, time::Duration};

/// Lock reads in flight at once (the client allows six requests; the rest stay free for the
/// catalog and for navigation).
pub const LOCK_READS_IN_FLIGHT: usize = 4;
/// Rows beyond each edge of the view whose locks are read too.
pub const LOCK_OVERSCAN: usize = 2;
/// How long the view must stay put before lock reads start.
pub const LOCK_SETTLE: Duration = Duration::from_millis(150);

/// The repositories whose locks the rows in view (positions `visible` of `names`) need: those
/// rows first, then `overscan` rows below, then `overscan` above.
pub fn lock_window(
    names: &[RepositoryName],
    visible: Range<usize>,
    overscan: usize,
) -> Vec<RepositoryName> {
    let len = names.len();
    if visible.start >= len {
        return Vec::new();
    }
    let start = visible.start;
    let end = visible.end.clamp(start, len);
    let below = end..end.saturating_add(overscan).min(len);
    let above = start.saturating_sub(overscan)..start;
    [start..end, below, above].into_iter().flat_map(|r| names[r].iter().cloned()).collect()
}

/// Which repositories' locks to read next: the ones in view, in order, at most `limit` at a
/// time, none before the view has settled. Reads of rows that left the view are handed back to
/// be cancelled. `H` is whatever cancels a read.
#[derive(Debug)]
pub struct LockQueue<H> {
    wanted: Vec<RepositoryName>,
    in_flight: Vec<(RepositoryName, H)>,
    limit: usize,
    settled: bool,
}

impl<H> LockQueue<H> {
    /// An empty queue allowing `limit` reads at once.
    pub fn new(limit: usize) -> Self {
        Self { wanted: Vec::new(), in_flight: Vec::new(), limit: limit.max(1), settled: false }
    }

    /// The view now needs `wanted` (not settled yet); returns the reads of repositories no longer
    /// wanted, to cancel.
    pub fn show(&mut self, wanted: Vec<RepositoryName>) -> Vec<H> {
        self.settled = false;
        let (keep, gone): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.in_flight).into_iter().partition(|(n, _)| wanted.contains(n));
        self.in_flight = keep;
        self.wanted = wanted;
        gone.into_iter().map(|(_, h)| h).collect()
    }

    /// The view has stayed put: reads may start.
    pub fn settle(&mut self) {
        self.settled = true;
    }

    /// The repositories to read now: wanted, not `known`, not being read, up to the free slots.
    pub fn next(&self, known: impl Fn(&RepositoryName) -> bool) -> Vec<RepositoryName> {
        if !self.settled {
            return Vec::new();
        }
        let free = self.limit.saturating_sub(self.in_flight.len());
        self.wanted
            .iter()
            .filter(|n| !known(n) && !self.in_flight.iter().any(|(f, _)| f == *n))
            .take(free)
            .cloned()
            .collect()
    }

    /// Every wanted repository that is not `known` and not being read (without the limit).
    pub fn pending(&self, known: impl Fn(&RepositoryName) -> bool) -> Vec<RepositoryName> {
        self.wanted
            .iter()
            .filter(|n| !known(n) && !self.in_flight.iter().any(|(f, _)| f == *n))
            .cloned()
            .collect()
    }

    /// A read of `name` started; `handle` cancels it.
    pub fn started(&mut self, name: RepositoryName, handle: H) {
        self.in_flight.push((name, handle));
    }

    /// The read of `name` ended.
    pub fn finished(&mut self, name: &RepositoryName) {
        self.in_flight.retain(|(n, _)| n != name);
    }

    /// Forgets every read (a reload, or the page going away), returning them to cancel; the
    /// view must settle again before reads start.
    pub fn clear(&mut self) -> Vec<H> {
        self.settled = false;
        std::mem::take(&mut self.in_flight).into_iter().map(|(_, h)| h).collect()
    }

    /// How many reads are in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }
}

/// Reads repositories' own lock flags lazily for a virtual list: only the rows in view (plus
/// [`LOCK_OVERSCAN`]), after the view has settled for [`LOCK_SETTLE`], at most
/// [`LOCK_READS_IN_FLIGHT`] at once; a read whose row leaves the view is dropped, which aborts
/// its request. Results (and failures) are kept until [`reset`](Self::reset) or until the
/// owner that created it goes away, which also cancels what is in flight.
///
/// This is a work queue following the screen, not a read keyed by the URL: a resource would
/// restart every read whenever the view moved.
#[derive(Clone, Copy)]
pub struct RepositoryLockReader {
    client: StoredValue<RegistryClient>,
    queue: StoredValue<LockQueue<AbortHandle>>,
    known: RwSignal<HashMap<RepositoryName, RepositoryLock>>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl RepositoryLockReader {
    /// A reader using `client`, owned by the current reactive owner.
    pub fn new(client: RegistryClient) -> Self {
        let reader = Self {
            client: StoredValue::new(client),
            queue: StoredValue::new(LockQueue::new(LOCK_READS_IN_FLIGHT)),
            known: RwSignal::new(HashMap::new()),
            timer: StoredValue::new(None),
        };
        on_cleanup(move || reader.cancel_all());
        reader
    }

    /// What is known so far, by repository.
    pub fn states(self) -> Signal<HashMap<RepositoryName, RepositoryLock>> {
        self.known.into()
    }

    /// Follows the list of `rows`: returns the callback the virtual list tells which positions
    /// are in view.
    pub fn follow(self, rows: Signal<Vec<RepositoryName>>) -> Callback<Range<usize>> {
        let visible = RwSignal::new(0..0);
        let wanted =
            Memo::new(move |_| rows.with(|names| lock_window(names, visible.get(), LOCK_OVERSCAN)));
        Effect::new(move |_| self.show(wanted.get()));
        Callback::new(move |range: Range<usize>| {
            if visible.get_untracked() != range {
                visible.set(range);
            }
        })
    }

    /// Forgets every result and read in flight; the rows in view are read again once settled.
    pub fn reset(self) {
        self.cancel_all();
        self.known.try_set(HashMap::new());
        self.schedule();
    }

    /// The view needs `wanted`: cancels reads of rows that left at once, starts new ones after
    /// the view settles.
    fn show(self, wanted: Vec<RepositoryName>) {
        let gone = self.queue.try_update_value(|q| q.show(wanted)).unwrap_or_default();
        gone.iter().for_each(AbortHandle::abort);
        self.schedule();
    }

    /// (Re)starts the settle timer.
    fn schedule(self) {
        if let Some(Some(old)) = self.timer.try_update_value(Option::take) {
            old.clear();
        }
        let handle = set_timeout_with_handle(move || self.settle(), LOCK_SETTLE).ok();
        self.timer.try_update_value(|t| *t = handle);
    }

    /// The view has settled: one token request covers every repository it still needs, then
    /// the reads start (each then finds its token cached).
    fn settle(self) {
        self.timer.try_update_value(|t| *t = None);
        if self.queue.try_update_value(LockQueue::settle).is_none() {
            return;
        }
        let known = self.known;
        let needed = self
            .queue
            .try_with_value(|q| q.pending(|n| known.with_untracked(|m| m.contains_key(n))))
            .unwrap_or_default();
        let Some(client) = self.client.try_get_value() else { return };
        if needed.len() < 2 {
            self.pump();
            return;
        }
        leptos::task::spawn_local(async move {
            // A failure here is not shown: each read then fetches its own token and reports
            // its own problem.
            let _ = client.prefetch_repository_tokens(&needed).await;
            self.pump();
        });
    }

    /// Starts reads while there are free slots and wanted repositories not known.
    fn pump(self) {
        let known = self.known;
        let next = self
            .queue
            .try_with_value(|q| q.next(|n| known.with_untracked(|m| m.contains_key(n))))
            .unwrap_or_default();
        for name in next {
            self.start(name);
        }
    }

    fn start(self, name: RepositoryName) {
        let Some(client) = self.client.try_get_value() else { return };
        let repo = name.clone();
        let (read, handle) =
            abortable(async move { client.get_repository_properties(&repo).await });
        self.queue.try_update_value(|q| q.started(name.clone(), handle));
        leptos::task::spawn_local(async move {
            // An aborted read ends here, and dropping it aborts its request.
            if let Ok(result) = read.await {
                self.finish(name, result);
            }
        });
    }

    fn finish(self, name: RepositoryName, result: Result<RepositoryAttributes, ClientError>) {
        if self.queue.try_update_value(|q| q.finished(&name)).is_none() {
            return;
        }
        let state = match result {
            Ok(r) => RepositoryLock::Known(r.changeable_attributes),
            Err(e) => RepositoryLock::Unreadable(Problem::from(e)),
        };
        self.known.try_update(|m| m.insert(name, state));
        self.pump();
    }

    fn cancel_all(self) {
        if let Some(Some(timer)) = self.timer.try_update_value(Option::take) {
            timer.clear();
        }
        let gone = self.queue.try_update_value(LockQueue::clear).unwrap_or_default();
        gone.iter().for_each(AbortHandle::abort);
    }
}

/// A list loaded page by page, as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    /// The rows shown: the current load's, or while a reload runs, the previous load's.
    pub items: Vec<T>,
    /// How far the current load has got.
    pub progress: Progress,
    /// True while `items` are from an earlier load that is being replaced.
    pub stale: bool,
    /// What stopped the current load, if anything.
    pub problem: Option<Problem>,
    /// True while a load runs.
    pub loading: bool,
    /// The current load's number; pages of superseded loads are dropped.
    run: u64,
    /// A reload's rows until it completes (they replace `items` at once, not page by page).
    incoming: Vec<T>,
}

impl<T> Default for Paged<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            progress: Progress::default(),
            stale: false,
            problem: None,
            loading: false,
            run: 0,
            incoming: Vec::new(),
        }
    }
}

impl<T> Paged<T> {
    /// Starts a load (with the total when known) and returns its number. Rows already shown stay,
    /// marked stale, until the new load completes.
    pub fn begin(&mut self, total: Option<usize>) -> u64 {
        self.run += 1;
        self.progress = Progress { loaded: 0, total, done: false };
        self.problem = None;
        self.loading = true;
        self.stale = !self.items.is_empty();
        self.incoming.clear();
        self.run
    }

    /// Adds a page of load `run`; false (and nothing changes) when that load was superseded.
    pub fn page(&mut self, run: u64, page: Page<T>) -> bool {
        if run != self.run {
            return false;
        }
        self.progress.loaded = page.loaded;
        if self.stale {
            self.incoming.extend(page.items);
        } else {
            self.items.extend(page.items);
        }
        true
    }

    /// Ends load `run` successfully: a reload's rows replace the stale ones.
    pub fn finish(&mut self, run: u64) {
        if run != self.run {
            return;
        }
        if self.stale {
            self.items = std::mem::take(&mut self.incoming);
            self.stale = false;
        }
        self.progress.done = true;
        self.loading = false;
    }

    /// Ends load `run` with `problem`; the rows shown so far stay (and say they are incomplete).
    pub fn fail(&mut self, run: u64, problem: Problem) {
        if run != self.run {
            return;
        }
        self.problem = Some(problem);
        self.loading = false;
    }

    /// True once every page has arrived.
    pub fn complete(&self) -> bool {
        self.progress.done
    }
}

/// Loads every page of `pages` into `state`, page by page; the result says whether the load
/// completed (a superseded load ends quietly with `Ok`).
pub async fn load_pages<T: Send + Sync + 'static>(
    state: RwSignal<Paged<T>>,
    mut pages: Pages<'_, T>,
    total: Option<usize>,
) -> Result<(), Problem> {
    let Some(run) = state.try_update(|s| s.begin(total)) else { return Ok(()) };
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => {
                let current = state.try_update(|s| s.page(run, page)).unwrap_or(false);
                if !current {
                    return Ok(());
                }
            }
            Err(e) => {
                let problem = Problem::from(e);
                state.try_update(|s| s.fail(run, problem.clone()));
                return Err(problem);
            }
        }
    }
    state.try_update(|s| s.finish(run));
    Ok(())
}

/// What a list of filtered rows was computed from: the filter key and the loaded list (its load,
/// length and staleness, which change whenever its rows do).
#[derive(Debug, Clone, PartialEq, Eq)]
struct FilterBasis {
    key: String,
    run: u64,
    len: usize,
    stale: bool,
}

/// The repositories of `state` that match `filter`, with what they were computed from. With
/// `previous` rows computed from the same list for a key the new key contains (typing on),
/// only those are searched: every match of the new key also matches the old one.
fn refilter(
    state: &Paged<RepositoryName>,
    filter: &str,
    previous: Option<(&FilterBasis, &[RepositoryName])>,
) -> (FilterBasis, Vec<RepositoryName>) {
    let basis = FilterBasis {
        key: filter_key(filter),
        run: state.run,
        len: state.items.len(),
        stale: state.stale,
    };
    let narrowing = previous.filter(|(b, _)| {
        (b.run, b.len, b.stale) == (basis.run, basis.len, basis.stale)
            && !b.key.is_empty()
            && basis.key.contains(b.key.as_str())
    });
    let rows = match narrowing {
        Some((_, rows)) => filter_names(rows, filter),
        None => filter_names(&state.items, filter),
    };
    (basis, rows)
}

/// The repositories page: signed-in content only.
#[component]
pub fn RepositoriesPage() -> impl IntoView {
    view! {
        <RequireSignIn>
            <Repositories />
        </RequireSignIn>
    }
}

/// The page for the registry in the URL: its client, or the problem that prevents one.
#[component]
fn Repositories() -> impl IntoView {
    let location = use_location();
    let here = Memo::new(move |_| callback::here(&location.pathname.get(), &location.search.get()));
    // The URL's registry and filter, kept while the router moves on to another page.
    let parsed =
        Memo::new(move |previous: Option<&(String, String)>| match Route::parse(&here.get()) {
            Some(Route::Repositories { registry, filter }) => (registry, filter),
            _ => previous.cloned().unwrap_or_default(),
        });
    let registry = Memo::new(move |_| parsed.with(|p| p.0.clone()));
    let filter = Memo::new(move |_| parsed.with(|p| p.1.clone()));
    move || {
        let name = registry.get();
        match use_client(&name) {
            Ok(client) => view! { <Loaded client registry=name filter /> }.into_any(),
            Err(problem) => view! {
                <div class="page browse-page">
                    <h1 class="page__title">"Repositories"</h1>
                    <ErrorView problem return_to=here.get_untracked() />
                </div>
            }
            .into_any(),
        }
    }
}

/// The repositories of one registry, loaded with `client`.
#[component]
fn Loaded(client: RegistryClient, registry: String, filter: Memo<String>) -> impl IntoView {
    let config = expect_context::<SharedConfig>();
    let login_server =
        config.registry(&registry).map(|r| r.login_server.clone()).unwrap_or_default();
    let navigate = use_navigate();

    let state = RwSignal::new(Paged::<RepositoryName>::default());
    let reload = RwSignal::new(0_u64);
    // The catalog read, keyed by the registry (this component) and the reload count; it runs
    // as soon as it is created and again when `reload` changes.
    let _catalog = LocalResource::new({
        let client = client.clone();
        move || {
            reload.track();
            let client = client.clone();
            async move { load_pages(state, client.list_repositories(), None).await }
        }
    });

    // The filter box is the source of truth while typing; the URL follows (replaced, so typing
    // adds no history), and a URL change from elsewhere (back, forward) updates the box.
    let text = RwSignal::new(filter.get_untracked());
    let written = StoredValue::new(filter.get_untracked());
    Effect::new(move |_| {
        let f = filter.get();
        if f != written.get_value() {
            written.set_value(f.clone());
            text.set(f);
        }
    });
    // The URL is written once the browser is idle, after the filtered rows are painted: the
    // router's navigation (history.replaceState) was most of each keystroke's handler time.
    // Keys typed meanwhile only change which URL is written; none is once the page is gone.
    let url_pending = StoredValue::new(None::<String>);
    let on_input = {
        let registry = registry.clone();
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            text.set(value.clone());
            written.set_value(value.clone());
            let href = Route::Repositories { registry: registry.clone(), filter: value }.href();
            let first = url_pending.try_update_value(|p| p.replace(href).is_none());
            if first == Some(true) {
                let navigate = navigate.clone();
                request_idle_callback(move || {
                    if let Some(Some(href)) = url_pending.try_update_value(Option::take) {
                        let replace =
                            NavigateOptions { replace: true, scroll: false, ..Default::default() };
                        navigate(&href, replace);
                    }
                });
            }
        }
    };

    // Typing narrows the rows the previous key matched instead of scanning every repository.
    let basis = StoredValue::new(None::<FilterBasis>);
    let rows = Memo::new(move |previous: Option<&Vec<RepositoryName>>| {
        let filter = text.get();
        state.with(|s| {
            let before = basis.get_value();
            let (now, rows) =
                refilter(s, &filter, before.as_ref().zip(previous.map(Vec::as_slice)));
            basis.set_value(Some(now));
            rows
        })
    });
    // Each row's own locks, read for the rows in view only.
    let locks = RepositoryLockReader::new(client.clone());
    let on_visible = locks.follow(rows.into());
    let stale = Signal::derive(move || state.with(|s| s.stale));
    let progress = Signal::derive(move || state.with(|s| s.progress));
    let problem = Signal::derive(move || state.with(|s| s.problem.clone()));

    // Performance marks: first rows painted, the whole catalog painted, a filter applied.
    let first_marked = StoredValue::new(false);
    let complete_marked = StoredValue::new(false);
    Effect::new(move |_| {
        let shown = rows.with(|r| !r.is_empty());
        let done = state.with(|s| s.complete());
        if shown && !first_marked.get_value() {
            first_marked.set_value(true);
            mark_after_paint("repos:first-rows");
        }
        if done && !complete_marked.get_value() {
            complete_marked.set_value(true);
            mark_after_paint("repos:complete");
        }
    });
    Effect::watch(move || text.get(), move |_, _, _| mark_after_paint("filter:applied"), false);

    let summary = move || {
        let total = state.with(|s| s.items.len());
        let shown = rows.with(Vec::len);
        let q = text.get();
        let done = state.with(|s| s.complete());
        if q.trim().is_empty() || total == 0 {
            return None;
        }
        let of = if done { " of " } else { " of the first " };
        Some(
            [
                thousands(shown).as_str(),
                of,
                count_of(total, "repository", "repositories").as_str(),
                " match “",
                q.trim(),
                "”",
            ]
            .concat(),
        )
    };
    let empty = move || {
        let (loading, total, failed) =
            state.with(|s| (s.loading, s.items.len(), s.problem.is_some()));
        if rows.with(|r| !r.is_empty()) || failed {
            return None;
        }
        let q = text.get();
        let message = if total == 0 && loading {
            return None;
        } else if total == 0 {
            "This registry has no repositories you can see.".to_owned()
        } else if loading {
            ["No repositories match “", q.trim(), "” yet — still loading…"].concat()
        } else {
            ["No repositories match “", q.trim(), "”."].concat()
        };
        Some(view! { <p class="empty-state" data-testid="empty-state">{message}</p> })
    };
    let error = {
        let here = Route::Repositories { registry: registry.clone(), filter: String::new() }.href();
        move || {
            problem.get().map(|p| {
                let incomplete = state.with(|s| s.items.len());
                let note = (incomplete > 0).then(|| {
                    let text = [
                        "The list below is incomplete: only ",
                        count_of(incomplete, "repository", "repositories").as_str(),
                        " loaded.",
                    ]
                    .concat();
                    view! { <p class="incomplete-note">{text}</p> }
                });
                view! {
                    <ErrorView problem=p on_retry=move |_| reload.update(|n| *n += 1) return_to=here.clone() />
                    {note}
                }
            })
        }
    };
    let crumbs = vec![
        ("Registries".to_owned(), Route::Home.href()),
        (
            registry.clone(),
            Route::Repositories { registry: registry.clone(), filter: String::new() }.href(),
        ),
    ];
    let show_progress = move || state.with(|s| s.problem.is_none());
    view! {
        <div class="page browse-page" data-testid="repositories-page">
            <Breadcrumbs crumbs />
            <header class="page-head">
                <p class="page__eyebrow">{login_server}</p>
                <h1 class="page__title">"Repositories"</h1>
            </header>
            <div class="toolbar">
                <div class="field toolbar__filter">
                    <label for="repo-filter">"Filter repositories"</label>
                    <input
                        id="repo-filter"
                        type="search"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="e.g. payments/api"
                        prop:value=move || text.get()
                        on:input=on_input
                    />
                </div>
                <button
                    type="button"
                    class="button"
                    disabled=move || state.with(|s| s.loading)
                    on:click=move |_| {
                        locks.reset();
                        reload.update(|n| *n += 1);
                    }
                >
                    "Reload"
                </button>
            </div>
            <div class="list-status">
                <Show when=show_progress>
                    <LoadProgress progress singular="repository" plural="repositories" />
                </Show>
                <p class="list-status__matches" data-testid="match-count" aria-live="polite">
                    {summary}
                </p>
            </div>
            {error}
            {empty}
            <Show when=move || rows.with(|r| !r.is_empty())>
                <RepositoryList
                    registry=registry.clone()
                    names=rows
                    filter=text
                    stale
                    locks=locks.states()
                    on_visible
                />
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: &[u32], loaded: usize, more: bool) -> Page<u32> {
        Page { items: items.to_vec(), loaded, more }
    }

    fn repos(list: &[&str]) -> Vec<RepositoryName> {
        list.iter().map(|n| RepositoryName::new(*n).unwrap()).collect()
    }

    /// Types `keys` one state at a time, each time checking the rows against a full scan;
    /// returns the last basis and rows.
    fn typed(
        state: &Paged<RepositoryName>,
        keys: &[&str],
        mut last: Option<(FilterBasis, Vec<RepositoryName>)>,
    ) -> (FilterBasis, Vec<RepositoryName>) {
        for key in keys {
            let now = refilter(state, key, last.as_ref().map(|(b, r)| (b, r.as_slice())));
            assert_eq!(now.1, filter_names(&state.items, key), "rows for {key:?}");
            last = Some(now);
        }
        last.unwrap()
    }

    #[test]
    fn typing_narrows_the_previous_rows_and_anything_else_scans_again() {
        let all = ["prod/api", "prod/web", "dev/api", "platform/tools", "prod/payments"];
        let mut state = Paged::default();
        let run = state.begin(None);
        state.page(run, Page { items: repos(&all[..3]), loaded: 3, more: true });
        // On, back, and a different key: each equals a full scan.
        let (basis, rows) = typed(&state, &["p", "pr", "pro", "pr", "api", " API "], None);
        assert_eq!(rows, repos(&["prod/api", "dev/api"]));
        // Narrowing really searches only the previous rows: fake ones stay out of the scan.
        let fake = repos(&["prod/api"]);
        let narrowed = refilter(&state, "prod/api", Some((&basis, &fake)));
        assert_eq!(narrowed.1, fake);
        // A new page, a reload's completion: the whole list is searched again.
        state.page(run, Page { items: repos(&all[3..]), loaded: 5, more: false });
        state.finish(run);
        let (_, rows) = typed(&state, &["pro"], Some((basis, rows)));
        assert_eq!(rows, repos(&["prod/api", "prod/web", "prod/payments"]));
        let last = typed(&state, &["p"], None);
        let reload = state.begin(Some(5));
        state.page(
            reload,
            Page { items: repos(&["x/p", "y/p", "z/p", "w/p", "v/p"]), loaded: 5, more: false },
        );
        state.finish(reload);
        let (_, rows) = typed(&state, &["p", "/p"], Some(last));
        assert_eq!(rows.len(), 5);
    }

    #[test]
    fn a_first_load_shows_rows_as_pages_arrive() {
        let mut p = Paged::default();
        let run = p.begin(None);
        assert!(p.loading && !p.stale && p.items.is_empty());
        assert!(p.page(run, page(&[1, 2], 2, true)));
        assert_eq!(p.items, [1, 2]);
        assert_eq!(p.progress, Progress { loaded: 2, total: None, done: false });
        assert!(p.page(run, page(&[3], 3, false)));
        p.finish(run);
        assert_eq!(p.items, [1, 2, 3]);
        assert!(p.complete() && !p.loading);
    }

    #[test]
    fn a_reload_keeps_the_old_rows_stale_until_it_completes() {
        let mut p = Paged::default();
        let first = p.begin(Some(2));
        p.page(first, page(&[1, 2], 2, false));
        p.finish(first);
        let second = p.begin(Some(3));
        assert!(p.stale && !p.complete());
        p.page(second, page(&[7, 8], 2, true));
        assert_eq!(p.items, [1, 2], "old rows stay until the reload completes");
        p.page(second, page(&[9], 3, false));
        p.finish(second);
        assert_eq!(p.items, [7, 8, 9]);
        assert!(!p.stale && p.complete());
    }

    #[test]
    fn superseded_loads_change_nothing() {
        let mut p = Paged::default();
        let old = p.begin(None);
        let new = p.begin(None);
        assert!(!p.page(old, page(&[1], 1, true)));
        p.finish(old);
        p.fail(old, Problem::new("x", "y", "z"));
        assert!(p.items.is_empty() && !p.complete() && p.problem.is_none() && p.loading);
        assert!(p.page(new, page(&[2], 1, false)));
        assert_eq!(p.items, [2]);
    }

    fn names(n: usize) -> Vec<RepositoryName> {
        (0..n).map(|i| RepositoryName::new(format!("repo-{i:05}")).unwrap()).collect()
    }

    fn indices(names: &[RepositoryName]) -> Vec<usize> {
        names.iter().map(|n| n.as_str()[5..].parse().unwrap()).collect()
    }

    #[test]
    fn the_lock_window_is_the_view_first_then_a_little_overscan() {
        let all = names(10_000);
        assert_eq!(indices(&lock_window(&all, 500..503, 2)), [500, 501, 502, 503, 504, 498, 499]);
        // At the edges the overscan is cut, never wrapped.
        assert_eq!(indices(&lock_window(&all, 0..3, 2)), [0, 1, 2, 3, 4]);
        assert_eq!(indices(&lock_window(&all, 9_998..10_000, 2)), [9_998, 9_999, 9_996, 9_997]);
        // A view beyond a list that just shrank asks for nothing it cannot have.
        assert_eq!(indices(&lock_window(&all[..5], 3..20, 2)), [3, 4, 1, 2]);
        assert!(lock_window(&all[..5], 40..60, 2).is_empty());
        assert!(lock_window(&all, 0..0, 0).is_empty());
    }

    #[test]
    fn lock_reads_wait_for_the_view_to_settle_and_stay_within_the_limit() {
        let all = names(100);
        let mut q = LockQueue::<u32>::new(4);
        assert!(q.show(all[0..10].to_vec()).is_empty());
        assert!(q.next(|_| false).is_empty(), "nothing starts while the view moves");
        q.settle();
        let first = q.next(|_| false);
        assert_eq!(indices(&first), [0, 1, 2, 3], "in order, at most four");
        for (i, n) in first.into_iter().enumerate() {
            q.started(n, i as u32);
        }
        assert!(q.next(|_| false).is_empty(), "no free slot");
        assert_eq!(indices(&q.pending(|n| n == &all[9])), [4, 5, 6, 7, 8], "all still to read");
        q.finished(&all[1]);
        // Read (known) repositories are skipped; one slot is free.
        assert_eq!(indices(&q.next(|n| n == &all[1] || n == &all[4])), [5]);
        assert_eq!(q.in_flight(), 3);
    }

    #[test]
    fn rows_leaving_the_view_hand_back_their_reads_to_cancel() {
        let all = names(100);
        let mut q = LockQueue::new(4);
        q.show(all[0..10].to_vec());
        q.settle();
        for n in q.next(|_| false) {
            let h = indices(std::slice::from_ref(&n))[0];
            q.started(n, h);
        }
        // Scrolled so that rows 2.. stay: the reads of rows 0 and 1 are cancelled at once.
        let mut gone = q.show(all[2..12].to_vec());
        gone.sort_unstable();
        assert_eq!(gone, [0, 1]);
        assert_eq!(q.in_flight(), 2);
        assert!(q.next(|_| false).is_empty(), "the new view has not settled");
        q.settle();
        assert_eq!(indices(&q.next(|_| false)), [4, 5], "two free slots, rows 2 and 3 still read");
        // A reload cancels everything and waits for the view to settle again.
        let mut all_gone = q.clear();
        all_gone.sort_unstable();
        assert_eq!(all_gone, [2, 3]);
        assert!(q.next(|_| false).is_empty());
        q.settle();
        assert_eq!(indices(&q.next(|_| false)), [2, 3, 4, 5]);
    }

    #[test]
    fn a_failed_load_keeps_what_arrived_and_is_not_complete() {
        let mut p = Paged::default();
        let run = p.begin(None);
        p.page(run, page(&[1, 2], 2, true));
        p.fail(run, Problem::new("Busy", "d", "r"));
        assert_eq!(p.items, [1, 2]);
        assert!(!p.complete() && !p.loading);
        assert_eq!(p.problem.as_ref().map(|p| p.title.as_str()), Some("Busy"));
    }
}
