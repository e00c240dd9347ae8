//! The lazy, viewport-driven reader of repository rows' own lock flags and of what is inside
//! them: the catalog holds names only, so each row's badges need a read of that repository,
//! and its "3 of 10 tags locked" the first page of its tag and manifest lists (read side by
//! side with its attributes; a list longer than a page is counted as far as that page goes,
//! and says so). Only the rows in view plus
//! [`LOCK_OVERSCAN`] are read, once scrolling has settled for [`LOCK_SETTLE`], at most
//! [`LOCK_READS_IN_FLIGHT`] at a time, cancelled when their rows leave the view; one token
//! request covers the whole view (`prefetch_repository_tokens`). What it reads goes into the
//! registry's [`LockStore`], which the rows show (so a repository locked elsewhere shows at once).

use crate::{
    problem::Problem,
    state::{
        contents::{read_first_pages, Listed},
        lock_store::{LockStore, Ticket},
    },
};
use acr_client::{ClientError, RegistryClient};
use acr_types::{ArtifactRef, ChangeableAttributes, RepositoryAttributes, RepositoryName};
use futures_util::future::{abortable, AbortHandle};
use leptos::prelude::*;
use std::{collections::HashMap, ops::Range, time::Duration};

/// What the list knows of one repository's own lock flags (a repository missing from the map is
/// not read yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepositoryLock {
    /// The registry's answer.
    Known(ChangeableAttributes),
    /// The read failed (for instance no rights on that repository): why.
    Unreadable(Problem),
}

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
    store: StoredValue<LockStore>,
    queue: StoredValue<LockQueue<AbortHandle>>,
    known: RwSignal<HashMap<RepositoryName, RepositoryLock>>,
    inside: RwSignal<HashMap<RepositoryName, Listed>>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl RepositoryLockReader {
    /// A reader using `client` that keeps what it reads in `store`, owned by the current
    /// reactive owner.
    pub fn new(client: RegistryClient, store: LockStore) -> Self {
        let reader = Self {
            client: StoredValue::new(client),
            store: StoredValue::new(store),
            queue: StoredValue::new(LockQueue::new(LOCK_READS_IN_FLIGHT)),
            known: RwSignal::new(HashMap::new()),
            inside: RwSignal::new(HashMap::new()),
            timer: StoredValue::new(None),
        };
        on_cleanup(move || reader.cancel_all());
        reader
    }

    /// What is known so far, by repository.
    pub fn states(self) -> Signal<HashMap<RepositoryName, RepositoryLock>> {
        self.known.into()
    }

    /// What is listed inside each repository read so far (its tags and manifests, whose flags
    /// are in the lock store).
    pub fn inside(self) -> Signal<HashMap<RepositoryName, Listed>> {
        self.inside.into()
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
        self.inside.try_set(HashMap::new());
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
        let Some(store) = self.store.try_get_value() else { return };
        let ticket = store.ticket();
        let (read, handle) = abortable(async move {
            let (attributes, inside) = futures_util::join!(
                client.get_repository_properties(&repo),
                read_first_pages(&client, &store, &repo)
            );
            (attributes, inside, ticket)
        });
        self.queue.try_update_value(|q| q.started(name.clone(), handle));
        leptos::task::spawn_local(async move {
            // An aborted read ends here, and dropping it aborts its request.
            if let Ok((result, inside, ticket)) = read.await {
                self.finish(name, result, inside, ticket);
            }
        });
    }

    fn finish(
        self,
        name: RepositoryName,
        result: Result<RepositoryAttributes, ClientError>,
        inside: Option<Listed>,
        ticket: Ticket,
    ) {
        if self.queue.try_update_value(|q| q.finished(&name)).is_none() {
            return;
        }
        // What is inside, when both lists could be read.
        if let Some(listed) = inside {
            self.inside.try_update(|m| m.insert(name.clone(), listed));
        }
        let state = match result {
            Ok(r) => {
                let key = ArtifactRef::Repository(name.clone());
                self.store.with_value(|s| s.record(&key, &r.changeable_attributes, ticket));
                RepositoryLock::Known(r.changeable_attributes)
            }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
