//! Reading what a bulk preview needs: the repositories a rule or a selection names (the catalog,
//! filtered by the rule's glob), one access token per 20 of them, and for each repository its
//! attributes, the account's rights, and every page of its tags and (when needed) manifests:
//! one paged list per repository and kind, never a request per item. Every page's flags also go
//! into the lock store (for a bulk preview; a status scan keeps its own snapshot), so open views
//! follow. The token requests run beside the reads, one
//! batch ahead of them, so the reads never wait for one. Progress is reported page by page; a
//! cancel stops before the next repository (those in flight finish).

use crate::{problem::Problem, state::lock_store::LockStore};
use acr_bulk::{plan::RepoSnapshot, Scope, WriteRight};
use acr_client::{ClientError, Page, Pages, RegistryClient};
use acr_types::{OrderBy, RepositoryName};
use futures_util::{future::LocalBoxFuture, stream::FuturesUnordered, StreamExt};
use std::{
    cell::{Cell, RefCell},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};

/// Repositories read at once (each reads its attributes and lists side by side, page by page).
/// Six repositories ask for up to eighteen requests, so the client's six in flight (a browser's
/// connections per origin) stay busy while a repository waits for its slowest list.
pub const READ_CONCURRENCY: usize = 6;

/// How far a read has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadProgress {
    /// Repositories in scope (known once the catalog is read).
    pub repositories: Option<usize>,
    /// Repositories read (or failed).
    pub read: usize,
    /// Tags and manifests listed so far.
    pub items: usize,
}

/// What a read found.
#[derive(Debug, Default)]
pub struct ReadResult {
    /// Each repository read, in catalog order.
    pub repos: Vec<RepoSnapshot>,
    /// Repositories that could not be read, with the reason.
    pub unread: Vec<(RepositoryName, String)>,
    /// True when it was cancelled before every repository was read.
    pub cancelled: bool,
    /// List entries that could not be read (`repo: “entry” (why)`), left out.
    pub skipped: Vec<String>,
}

/// How a scan ended.
#[derive(Debug, Default)]
pub struct ScanEnd {
    /// Repositories that could not be read, with the reason.
    pub unread: Vec<(RepositoryName, String)>,
    /// True when it was cancelled before every repository was read.
    pub cancelled: bool,
    /// List entries that could not be read (`repo: “entry” (why)`), left out.
    pub skipped: Vec<String>,
}

/// A cancel flag shared between a page and the work it started.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// Asks the work to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

async fn all_pages<T>(
    mut pages: Pages<'_, T>,
    mut on_page: impl FnMut(&Page<T>),
) -> Result<Vec<T>, ClientError> {
    let mut items = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page?;
        on_page(&page);
        items.extend(page.items);
    }
    Ok(items)
}

/// The repositories `scope` covers: a hand selection's own, a rule's literal name as is, or the
/// catalog filtered by the rule's glob.
/// Catalog entries that cannot be read are returned beside them, named.
pub async fn repositories_in(
    client: &RegistryClient,
    scope: &Scope,
) -> Result<(Vec<RepositoryName>, Vec<String>), Problem> {
    match scope {
        Scope::Items(_) => Ok((scope.repositories(), Vec::new())),
        Scope::Rule(rule) if rule.repos.is_literal() => Ok((
            RepositoryName::new(rule.repos.as_str()).map(|r| vec![r]).unwrap_or_default(),
            Vec::new(),
        )),
        Scope::Rule(rule) => {
            let mut skipped = Vec::new();
            let names = all_pages(client.list_repositories(), |p| {
                skipped.extend(p.skipped.iter().map(|s| ["the repository list: ", s].concat()))
            })
            .await
            .map_err(|e| Problem::from(&e))?;
            let names = names.into_iter().filter(|n| rule.matches_repository(n.as_str())).collect();
            Ok((names, skipped))
        }
    }
}

/// What a read reports as it goes: the page's `progress` callback with the running figures.
struct Reporter<'a, P: Fn(ReadProgress)> {
    state: Cell<ReadProgress>,
    progress: &'a P,
}

impl<P: Fn(ReadProgress)> Reporter<'_, P> {
    fn update(&self, f: impl FnOnce(&mut ReadProgress)) {
        let mut s = self.state.get();
        f(&mut s);
        self.state.set(s);
        (self.progress)(s);
    }
}

async fn read_one<P: Fn(ReadProgress)>(
    client: &RegistryClient,
    store: Option<&LockStore>,
    scope: &Scope,
    repo: RepositoryName,
    report: &Reporter<'_, P>,
    skipped: &RefCell<Vec<String>>,
) -> Result<RepoSnapshot, (RepositoryName, String)> {
    let note = |p_skipped: &[String]| {
        skipped.borrow_mut().extend(p_skipped.iter().map(|s| [repo.as_str(), ": ", s].concat()));
    };
    let failed = |repo: &RepositoryName, e: ClientError| (repo.clone(), Problem::from(&e).detail);
    let write = match client.repository_permissions(&repo).await {
        Ok(p) if !p.known => WriteRight::Unknown,
        Ok(p) if p.write => WriteRight::Yes,
        Ok(_) => WriteRight::No,
        Err(e) => return Err(failed(&repo, e)),
    };
    // The repository's attributes and its lists are read side by side.
    let attributes = async {
        let ticket = store.map(LockStore::ticket);
        let a = client.get_repository_properties(&repo).await?;
        if let (Some(store), Some(ticket)) = (store, ticket) {
            let key = acr_types::ArtifactRef::Repository(repo.clone());
            store.record(&key, &a.changeable_attributes, ticket);
        }
        Ok::<_, ClientError>(a.changeable_attributes)
    };
    let tags = async {
        if !scope.needs_tags(&repo) {
            return Ok(Vec::new());
        }
        let ticket = store.map(LockStore::ticket);
        all_pages(client.list_tags(&repo, OrderBy::TimeDesc), |p| {
            if let (Some(store), Some(ticket)) = (store, ticket) {
                store.record_tags(&repo, &p.items, ticket);
            }
            report.update(|s| s.items += p.items.len());
            note(&p.skipped);
        })
        .await
    };
    let manifests = async {
        if !scope.needs_manifests(&repo) {
            return Ok(Vec::new());
        }
        let ticket = store.map(LockStore::ticket);
        all_pages(client.list_manifests(&repo, OrderBy::TimeDesc), |p| {
            if let (Some(store), Some(ticket)) = (store, ticket) {
                store.record_manifests(&repo, &p.items, ticket);
            }
            report.update(|s| s.items += p.items.len());
            note(&p.skipped);
        })
        .await
    };
    let (flags, tags, manifests) = futures_util::future::join3(attributes, tags, manifests).await;
    let flags = match flags {
        Ok(f) => Some(f),
        Err(ClientError::NotFound { .. }) => {
            return Err((repo.clone(), "it no longer exists".into()))
        }
        Err(e) => return Err(failed(&repo, e)),
    };
    let tags = tags.map_err(|e| failed(&repo, e))?;
    let manifests = manifests.map_err(|e| failed(&repo, e))?;
    Ok(RepoSnapshot { name: repo, flags, write, tags, manifests })
}

/// What finished in a scan: a batch of token requests (the repositories covered up to), or a
/// repository read.
enum Done {
    Tokens(usize, Result<usize, ClientError>),
    Repo(usize, Result<RepoSnapshot, (RepositoryName, String)>),
}

/// Reads every repository `scope` covers and hands each to `on_repo` as soon as it is read (in
/// the order they finish), reporting progress page by page; a cancel stops before the next
/// repository. Tokens are fetched 20 repositories per request, one batch ahead of the reads and
/// beside them. The flags read go into `store` when one is given (a status scan of a large
/// registry keeps its own snapshot and leaves the store alone: a store entry per item of
/// 100,000 would cost more memory than the scan itself). Returns how it ended: repositories
/// that could not be read, whether it was cancelled, and the list entries left out.
pub async fn scan_scope(
    client: &RegistryClient,
    store: Option<&LockStore>,
    scope: &Scope,
    cancel: &Cancel,
    progress: impl Fn(ReadProgress),
    mut on_repo: impl FnMut(usize, RepoSnapshot),
) -> Result<ScanEnd, Problem> {
    let report = Reporter { state: Cell::new(ReadProgress::default()), progress: &progress };
    report.update(|_| {});
    let (names, mut skipped_names) = repositories_in(client, scope).await?;
    report.update(|s| s.repositories = Some(names.len()));
    let skipped = RefCell::new(Vec::new());
    let mut unread = Vec::new();
    let mut flying: FuturesUnordered<LocalBoxFuture<'_, Done>> = FuturesUnordered::new();
    let (mut next, mut reading, mut prefetched, mut fetching) = (0, 0, 0, false);
    let mut cancelled = false;
    loop {
        if !cancel.is_cancelled() {
            // One token request per 20 repositories, one batch ahead of the reads.
            if !fetching && prefetched < names.len() {
                let end = names.len().min(prefetched + acr_client::TOKEN_BATCH);
                let batch = &names[prefetched..end];
                flying.push(Box::pin(async move {
                    Done::Tokens(end, client.prefetch_repository_tokens(batch).await)
                }));
                fetching = true;
            }
            while reading < READ_CONCURRENCY && next < prefetched {
                let (i, repo) = (next, names[next].clone());
                let (report, skipped) = (&report, &skipped);
                flying.push(Box::pin(async move {
                    Done::Repo(i, read_one(client, store, scope, repo, report, skipped).await)
                }));
                next += 1;
                reading += 1;
            }
        }
        let Some(done) = flying.next().await else { break };
        match done {
            Done::Tokens(end, Ok(_)) => {
                prefetched = end;
                fetching = false;
            }
            Done::Tokens(_, Err(e)) => return Err(Problem::from(&e)),
            Done::Repo(i, r) => {
                reading -= 1;
                match r {
                    Ok(s) => on_repo(i, s),
                    Err(e) => unread.push(e),
                }
                report.update(|s| s.read += 1);
            }
        }
        if cancel.is_cancelled() && next < names.len() {
            cancelled = true;
        }
    }
    drop(flying);
    skipped_names.extend(skipped.into_inner());
    Ok(ScanEnd { unread, cancelled, skipped: skipped_names })
}

/// Reads every repository `scope` covers, reporting progress; see the module. The result keeps
/// the catalog's order.
pub async fn read_scope(
    client: &RegistryClient,
    store: &LockStore,
    scope: &Scope,
    cancel: &Cancel,
    progress: impl Fn(ReadProgress),
) -> Result<ReadResult, Problem> {
    let mut read: Vec<(usize, RepoSnapshot)> = Vec::new();
    let end =
        scan_scope(client, Some(store), scope, cancel, progress, |i, s| read.push((i, s))).await?;
    read.sort_by_key(|(i, _)| *i);
    Ok(ReadResult {
        repos: read.into_iter().map(|(_, s)| s).collect(),
        unread: end.unread,
        cancelled: end.cancelled,
        skipped: end.skipped,
    })
}
