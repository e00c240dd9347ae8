//! The lock-state store: one per registry, the single owner of every artifact's lock flags
//! (repository, `repo:tag`, `repo@digest`): what the registry last returned, when it was read,
//! and a change in flight. Lists fill it as their pages arrive, item pages as they load, and the
//! lock action writes the registry's answer to a PATCH straight into it; every view (list badges,
//! repository rows, item pages, lock panels, "locked by repository", a tag's manifest row) reads
//! from it, so a change made anywhere shows everywhere at once.
//!
//! Answers can arrive out of order (a list page requested before a lock change may land after
//! its answer), so each read takes a [`Ticket`] when it is sent, and an answer older than what
//! the store holds for that artifact is ignored.

use acr_types::{
    ArtifactRef, AttributesPatch, ChangeableAttributes, ManifestAttributesBase, RepositoryName,
    TagAttributesBase,
};
use leptos::prelude::*;
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, PoisonError,
    },
};

/// The order in which reads and changes were sent: a later ticket's answer is newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Ticket(u64);

/// What the store holds for one artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockEntry {
    /// The flags as the registry last returned them.
    pub flags: ChangeableAttributes,
    /// When they were read (seconds since the Unix epoch, the browser's clock).
    pub read_at: i64,
    /// The ticket of the read or change that returned them.
    pub ticket: Ticket,
    /// A change sent and not answered yet.
    pub pending: Option<AttributesPatch>,
}

impl LockEntry {
    /// The flags with the change in flight applied: what a control shows while saving.
    pub fn shown(&self) -> ChangeableAttributes {
        let mut now = self.flags.clone();
        if let Some(p) = &self.pending {
            now.apply(p);
        }
        now
    }
}

type Slot = ArcRwSignal<Option<LockEntry>>;

#[derive(Default)]
struct Inner {
    slots: Mutex<HashMap<ArtifactRef, Slot>>,
    tickets: AtomicU64,
}

/// The lock state of one registry's artifacts (cheap to clone: clones share the store).
#[derive(Clone, Default)]
pub struct LockStore(Arc<Inner>);

impl std::fmt::Debug for LockStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockStore").field("artifacts", &self.len()).finish()
    }
}

impl LockStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self, key: &ArtifactRef) -> Slot {
        let mut slots = self.0.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.entry(key.clone()).or_insert_with(|| ArcRwSignal::new(None)).clone()
    }

    /// How many artifacts the store knows of (or has been asked about).
    pub fn len(&self) -> usize {
        self.0.slots.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// True when the store holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A ticket for a read or change about to be sent.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.0.tickets.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// What the store holds for `key` (tracked: a reactive reader follows it).
    pub fn entry(&self, key: &ArtifactRef) -> Option<LockEntry> {
        self.slot(key).get()
    }

    /// The flags the registry last returned for `key` (tracked).
    pub fn flags(&self, key: &ArtifactRef) -> Option<ChangeableAttributes> {
        self.slot(key).with(|e| e.as_ref().map(|e| e.flags.clone()))
    }

    /// The flags for `key` with any change in flight applied (tracked).
    pub fn shown(&self, key: &ArtifactRef) -> Option<ChangeableAttributes> {
        self.slot(key).with(|e| e.as_ref().map(LockEntry::shown))
    }

    /// What the store holds for `key`, without following it.
    pub fn peek(&self, key: &ArtifactRef) -> Option<LockEntry> {
        self.slot(key).get_untracked()
    }

    /// Keeps `flags` as the registry's answer for `key` to the read or change of `ticket`,
    /// unless the store already holds a newer answer. Readers are told only of a change.
    pub fn record(&self, key: &ArtifactRef, flags: &ChangeableAttributes, ticket: Ticket) {
        let slot = self.slot(key);
        let now = crate::components::format::now_secs();
        let stale = slot.with_untracked(|e| e.as_ref().is_some_and(|e| e.ticket > ticket));
        if stale {
            return;
        }
        let same = slot.with_untracked(|e| e.as_ref().is_some_and(|e| e.flags == *flags));
        if same {
            // Newer, but equal: no reader needs to run again.
            slot.update_untracked(|e| {
                if let Some(e) = e {
                    e.ticket = ticket;
                    e.read_at = now;
                }
            });
            return;
        }
        slot.update(|e| {
            let pending = e.as_ref().and_then(|e| e.pending);
            *e = Some(LockEntry { flags: flags.clone(), read_at: now, ticket, pending });
        });
    }

    /// Keeps the flags of a page of `repo`'s tags.
    pub fn record_tags(&self, repo: &RepositoryName, tags: &[TagAttributesBase], ticket: Ticket) {
        for t in tags {
            let key = ArtifactRef::Tag(repo.clone(), t.name.clone());
            self.record(&key, &t.changeable_attributes, ticket);
        }
    }

    /// Keeps the flags of a page of `repo`'s manifests.
    pub fn record_manifests(
        &self,
        repo: &RepositoryName,
        manifests: &[ManifestAttributesBase],
        ticket: Ticket,
    ) {
        for m in manifests {
            let key = ArtifactRef::Manifest(repo.clone(), m.digest.clone());
            self.record(&key, &m.changeable_attributes, ticket);
        }
    }

    /// A change of `key` was sent: views show it as in flight. Returns its ticket.
    pub fn begin_change(&self, key: &ArtifactRef, patch: AttributesPatch) -> Ticket {
        let ticket = self.ticket();
        self.slot(key).update(|e| {
            if let Some(e) = e {
                e.pending = Some(patch);
            }
        });
        ticket
    }

    /// The change of `key` sent with `ticket` was answered: `Some(flags)` is the registry's
    /// answer (the whole object, so another admin's change shows too); `None` (refused, failed)
    /// leaves the flags as they were, so every view puts its switch back.
    pub fn end_change(
        &self,
        key: &ArtifactRef,
        answer: Option<&ChangeableAttributes>,
        ticket: Ticket,
    ) {
        let slot = self.slot(key);
        slot.update(|e| {
            if let Some(e) = e {
                e.pending = None;
            }
        });
        if let Some(flags) = answer {
            self.record(key, flags, ticket);
        }
    }

    /// Forgets everything (a new session).
    pub fn clear(&self) {
        let slots =
            std::mem::take(&mut *self.0.slots.lock().unwrap_or_else(PoisonError::into_inner));
        for slot in slots.into_values() {
            slot.set(None);
        }
    }
}

/// Every registry's store, through context.
#[derive(Clone, Copy)]
pub struct LockStores(StoredValue<HashMap<String, LockStore>>);

/// Provides [`LockStores`] (the app does this once, beside the clients).
pub fn provide_lock_stores() -> LockStores {
    let stores = LockStores(StoredValue::new(HashMap::new()));
    provide_context(stores);
    stores
}

impl LockStores {
    /// The store of the registry named `registry`.
    pub fn get(self, registry: &str) -> LockStore {
        if let Some(store) = self.0.with_value(|m| m.get(registry).cloned()) {
            return store;
        }
        let store = LockStore::new();
        self.0.update_value(|m| {
            m.insert(registry.to_owned(), store.clone());
        });
        store
    }

    /// Forgets every registry's lock state (the account changed).
    pub fn clear(self) {
        self.0.update_value(|m| m.values().for_each(LockStore::clear));
    }
}

/// The lock store of the registry named `registry` (a fresh one where none is provided, as in
/// component tests that mount a single view).
pub fn use_lock_store(registry: &str) -> LockStore {
    use_context::<LockStores>().map_or_else(LockStore::new, |s| s.get(registry))
}

#[cfg(test)]
mod tests {
    use super::*;
    use acr_types::{Digest, TagName};

    fn flags(write: bool, delete: bool) -> ChangeableAttributes {
        ChangeableAttributes {
            write_enabled: write,
            delete_enabled: delete,
            ..ChangeableAttributes::default()
        }
    }

    fn tag_key() -> ArtifactRef {
        ArtifactRef::Tag(RepositoryName::new("prod/api").unwrap(), TagName::new("1.0").unwrap())
    }

    #[test]
    fn an_older_answer_never_overwrites_a_newer_one() {
        let owner = Owner::new();
        owner.with(|| {
            let store = LockStore::new();
            let key = tag_key();
            let list_read = store.ticket();
            let change = store.begin_change(&key, AttributesPatch::default());
            store.end_change(&key, Some(&flags(false, false)), change);
            // The list page asked for before the change lands after its answer: kept out.
            store.record(&key, &flags(true, true), list_read);
            assert_eq!(store.flags(&key), Some(flags(false, false)));
            // A read sent later wins (another admin unlocked it meanwhile).
            let later = store.ticket();
            store.record(&key, &flags(true, false), later);
            assert_eq!(store.flags(&key), Some(flags(true, false)));
        });
    }

    #[test]
    fn a_change_in_flight_shows_and_a_refusal_puts_it_back() {
        let owner = Owner::new();
        owner.with(|| {
            let store = LockStore::new();
            let key = tag_key();
            store.record(&key, &flags(true, true), store.ticket());
            let lock = AttributesPatch { write_enabled: Some(false), ..Default::default() };
            let t = store.begin_change(&key, lock);
            assert_eq!(store.shown(&key), Some(flags(false, true)));
            assert_eq!(store.flags(&key), Some(flags(true, true)), "not the registry's yet");
            store.end_change(&key, None, t);
            assert_eq!(store.shown(&key), Some(flags(true, true)));
            assert!(store.peek(&key).unwrap().pending.is_none());
        });
    }

    #[test]
    fn lists_fill_the_store_by_artifact() {
        let owner = Owner::new();
        owner.with(|| {
            let store = LockStore::new();
            let repo = RepositoryName::new("prod/api").unwrap();
            let digest = Digest::new(format!("sha256:{}", "a".repeat(64))).unwrap();
            let manifest: ManifestAttributesBase = serde_json::from_value(serde_json::json!({
                "digest": digest.as_str(),
                "createdTime": "2026-01-01T00:00:00Z", "lastUpdateTime": "2026-01-01T00:00:00Z",
                "changeableAttributes": {"deleteEnabled": false, "writeEnabled": false,
                    "readEnabled": true, "listEnabled": true}
            }))
            .unwrap();
            store.record_manifests(&repo, &[manifest], store.ticket());
            let key = ArtifactRef::Manifest(repo, digest);
            assert_eq!(store.flags(&key), Some(flags(false, false)));
            assert_eq!(store.len(), 1);
            store.clear();
            assert_eq!(store.flags(&key), None);
        });
    }
}
