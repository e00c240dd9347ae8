//! Where the bulk state is kept, per registry: in the tab's `sessionStorage`, the run record
//! (written as results arrive, so a reload or a closed tab loses nothing; never a token) and the
//! hand selection a repository page passes to the bulk page; in memory, the [`Slot`] a run
//! reports to, which outlives the bulk page (a run goes on when the page is left) and is
//! dropped, its run cancelled, when the account changes.

use crate::{
    auth::browser,
    state::bulk_run::{RunControl, RunStatus},
};
use acr_bulk::RunRecord;
use acr_types::ArtifactRef;
use leptos::prelude::*;
use std::{
    cell::RefCell,
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// Where the page stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    /// Nothing chosen yet.
    #[default]
    Idle,
    /// Reading what the scope covers (or, before undo or continuing, the items' state now).
    Reading,
    /// The preview is shown; nothing sent.
    Preview,
    /// Changes are being sent.
    Running,
    /// A run has ended (finished or cancelled) or was interrupted by a reload.
    Stopped,
}

/// A registry's bulk state, kept while the console is open (not with the page): a run goes on
/// when the page is left and is shown live when it is opened again.
#[derive(Clone)]
pub struct Slot {
    /// The preview or run shown.
    pub record: ArcRwSignal<Option<RunRecord>>,
    /// Where the page stands.
    pub phase: ArcRwSignal<Phase>,
    /// The run's status.
    pub status: ArcRwSignal<RunStatus>,
    /// The run's pause and cancel.
    pub control: Arc<Mutex<RunControl>>,
    /// False when the tab's storage refused the record.
    pub saved: ArcRwSignal<bool>,
}

thread_local! {
    /// Each registry's bulk state.
    static SLOTS: RefCell<HashMap<String, Slot>> = RefCell::new(HashMap::new());
}

/// The bulk state of `registry`, made from the tab's storage the first time.
pub fn slot(registry: &str) -> Slot {
    SLOTS.with(|s| {
        s.borrow_mut()
            .entry(registry.to_owned())
            .or_insert_with(|| {
                let stored = load_run(registry);
                let phase = if stored.is_some() { Phase::Stopped } else { Phase::Idle };
                Slot {
                    record: ArcRwSignal::new(stored),
                    phase: ArcRwSignal::new(phase),
                    status: ArcRwSignal::new(RunStatus::default()),
                    control: Arc::default(),
                    saved: ArcRwSignal::new(true),
                }
            })
            .clone()
    })
}

/// Forgets every registry's bulk state and cancels its run (the account changed).
pub fn forget_slots() {
    let slots = SLOTS.with(|s| std::mem::take(&mut *s.borrow_mut()));
    for slot in slots.into_values() {
        slot.control.lock().unwrap_or_else(std::sync::PoisonError::into_inner).cancel();
    }
}

fn run_key(registry: &str) -> String {
    ["acr-console.bulk.run.", registry].concat()
}

fn selection_key(registry: &str) -> String {
    ["acr-console.bulk.selection.", registry].concat()
}

/// Keeps `record` for its registry; false when the tab's storage refused it (full or
/// disabled), which the page says, since a reload would then lose the run's results.
pub fn save_run(record: &RunRecord) -> bool {
    serde_json::to_string(record)
        .is_ok_and(|text| browser::storage_set(&run_key(&record.registry), &text))
}

/// The run kept for `registry`, if any (an unreadable one is dropped).
pub fn load_run(registry: &str) -> Option<RunRecord> {
    let text = browser::storage_get(&run_key(registry))?;
    let record = serde_json::from_str(&text).ok();
    if record.is_none() {
        browser::storage_remove(&run_key(registry));
    }
    record
}

/// Forgets the run kept for `registry`.
pub fn clear_run(registry: &str) {
    browser::storage_remove(&run_key(registry));
}

/// Keeps a hand selection for the bulk page.
pub fn save_selection(registry: &str, items: &[ArtifactRef]) {
    let texts: Vec<String> = items.iter().map(ToString::to_string).collect();
    if let Ok(text) = serde_json::to_string(&texts) {
        browser::storage_set(&selection_key(registry), &text);
    }
}

/// The hand selection kept for `registry` (entries that no longer parse are left out).
pub fn load_selection(registry: &str) -> Vec<ArtifactRef> {
    browser::storage_get(&selection_key(registry))
        .and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|s| ArtifactRef::parse(s).ok())
        .collect()
}
