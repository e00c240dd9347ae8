//! What the bulk page keeps in the tab's `sessionStorage`, per registry: the run record (written
//! as results arrive, so a reload or a closed tab loses nothing; never a token) and the hand
//! selection a repository page passes to the bulk page.

use crate::auth::browser;
use acr_bulk::RunRecord;
use acr_types::ArtifactRef;

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
