//! Lists loaded page by page: [`Paged`], the state a page shows (rows, progress, stale rows
//! kept dimmed while a reload runs, the problem that stopped a load), and [`load_pages`], which
//! fills it from the client's page stream and leaves each page's lock flags in the registry's
//! [`LockStore`] as they arrive.

use crate::{
    problem::Problem,
    state::lock_store::{LockStore, Ticket},
};
use acr_client::{Page, Pages};
use acr_types::{ManifestAttributesBase, RepositoryName, TagAttributesBase};
use futures_util::StreamExt;
use leptos::prelude::*;

/// What a list's loading has reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Items received so far.
    pub loaded: usize,
    /// The total, when the registry tells it (tag and manifest counts); `None` for the catalog.
    pub total: Option<usize>,
    /// True once the last page has arrived.
    pub done: bool,
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
    /// Entries the registry sent that could not be read, named as text (left out of `items`).
    pub skipped: Vec<String>,
    /// The current load's number; pages of superseded loads are dropped.
    pub(crate) run: u64,
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
            skipped: Vec::new(),
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
        self.skipped.clear();
        self.run
    }

    /// Adds a page of load `run`; false (and nothing changes) when that load was superseded.
    pub fn page(&mut self, run: u64, page: Page<T>) -> bool {
        if run != self.run {
            return false;
        }
        self.progress.loaded = page.loaded;
        self.skipped.extend(page.skipped);
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

/// Where a list's pages leave their lock flags: the registry's lock store, and how to keep one
/// page of items in it (tags and manifests; the catalog has no flags).
pub struct LockSink<T> {
    /// The registry's store.
    pub store: LockStore,
    /// The repository the items belong to.
    pub repo: RepositoryName,
    /// Keeps a page of items, read with the ticket taken before it was requested.
    pub record: fn(&LockStore, &RepositoryName, &[T], Ticket),
}

impl LockSink<TagAttributesBase> {
    /// Tags fill the store under `repo:tag`.
    pub fn tags(store: LockStore, repo: RepositoryName) -> Self {
        Self { store, repo, record: LockStore::record_tags }
    }
}

impl LockSink<ManifestAttributesBase> {
    /// Manifests fill the store under `repo@digest`.
    pub fn manifests(store: LockStore, repo: RepositoryName) -> Self {
        Self { store, repo, record: LockStore::record_manifests }
    }
}

/// Loads every page of `pages` into `state`, page by page, and each page's lock flags into
/// `sink`'s store as it arrives; the result says whether the load completed (a superseded load
/// ends quietly with `Ok`).
pub async fn load_pages<T: Send + Sync + 'static>(
    state: RwSignal<Paged<T>>,
    mut pages: Pages<'_, T>,
    total: Option<usize>,
    sink: Option<LockSink<T>>,
) -> Result<(), Problem> {
    let Some(run) = state.try_update(|s| s.begin(total)) else { return Ok(()) };
    loop {
        let ticket = sink.as_ref().map(|s| s.store.ticket());
        let Some(page) = pages.next().await else { break };
        match page {
            Ok(page) => {
                if let (Some(sink), Some(ticket)) = (&sink, ticket) {
                    (sink.record)(&sink.store, &sink.repo, &page.items, ticket);
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: &[u32], loaded: usize, more: bool) -> Page<u32> {
        Page { items: items.to_vec(), loaded, more, skipped: Vec::new() }
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
