//! The hand selection of a repository page: which tags and manifests are checked, and the anchor
//! a Shift+click (or Shift+Space) extends a range from. It lives with the page, not with the
//! rows, so it survives scrolling (rows come and go in the virtual list), filtering and switching
//! between the tags and manifests views. The range rule is pure and tested natively.

use acr_types::ArtifactRef;
use leptos::prelude::*;
use std::collections::HashSet;

/// Toggles `key` in `chosen`; with `shift` and an `anchor` in `order`, every item from the anchor
/// to `key` (in `order`, the rows as shown) takes the state `key` takes. Returns the new anchor.
pub fn toggle_in(
    chosen: &mut HashSet<ArtifactRef>,
    anchor: Option<&ArtifactRef>,
    key: &ArtifactRef,
    shift: bool,
    order: &[ArtifactRef],
) -> ArtifactRef {
    let on = !chosen.contains(key);
    let range = shift
        .then(|| {
            let a = order.iter().position(|k| Some(k) == anchor)?;
            let b = order.iter().position(|k| k == key)?;
            Some(a.min(b)..=a.max(b))
        })
        .flatten();
    match range {
        Some(range) => {
            for k in &order[range] {
                if on {
                    chosen.insert(k.clone());
                } else {
                    chosen.remove(k);
                }
            }
        }
        None if on => {
            chosen.insert(key.clone());
        }
        None => {
            chosen.remove(key);
        }
    }
    key.clone()
}

/// The selection of one page (cheap to copy).
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    chosen: RwSignal<HashSet<ArtifactRef>>,
    anchor: RwSignal<Option<ArtifactRef>>,
}

impl Default for Selection {
    fn default() -> Self {
        Self::new()
    }
}

impl Selection {
    /// An empty selection owned by the current reactive owner.
    pub fn new() -> Self {
        Self { chosen: RwSignal::new(HashSet::new()), anchor: RwSignal::new(None) }
    }

    /// True when `key` is selected (tracked).
    pub fn contains(&self, key: &ArtifactRef) -> bool {
        self.chosen.with(|c| c.contains(key))
    }

    /// How many are selected (tracked).
    pub fn count(&self) -> usize {
        self.chosen.with(HashSet::len)
    }

    /// How many of `keys` are selected (tracked).
    pub fn count_of(&self, keys: &[ArtifactRef]) -> usize {
        self.chosen.with(|c| keys.iter().filter(|k| c.contains(k)).count())
    }

    /// Toggles `key` (a range with `shift`) over the rows `order` as shown.
    pub fn toggle(&self, key: &ArtifactRef, shift: bool, order: &[ArtifactRef]) {
        let anchor = self.anchor.get_untracked();
        let mut next = None;
        self.chosen.update(|c| next = Some(toggle_in(c, anchor.as_ref(), key, shift, order)));
        self.anchor.set(next);
    }

    /// Adds every one of `keys`.
    pub fn add_all(&self, keys: impl IntoIterator<Item = ArtifactRef>) {
        self.chosen.update(|c| c.extend(keys));
    }

    /// Selects nothing.
    pub fn clear(&self) {
        self.chosen.update(HashSet::clear);
        self.anchor.set(None);
    }

    /// The selected items, in a stable order (by their text).
    pub fn items(&self) -> Vec<ArtifactRef> {
        let mut v: Vec<ArtifactRef> = self.chosen.with_untracked(|c| c.iter().cloned().collect());
        v.sort_by_cached_key(ToString::to_string);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<ArtifactRef> {
        (0..n).map(|i| ArtifactRef::parse(&format!("prod/api:t{i}")).unwrap()).collect()
    }

    #[test]
    fn a_click_toggles_one_and_a_shift_click_extends_from_the_anchor() {
        let order = keys(8);
        let mut chosen = HashSet::new();
        let a = toggle_in(&mut chosen, None, &order[2], false, &order);
        assert_eq!(chosen.len(), 1);
        // Shift+click below the anchor: rows 2..=5 selected.
        let a = toggle_in(&mut chosen, Some(&a), &order[5], true, &order);
        assert!((2..=5).all(|i| chosen.contains(&order[i])));
        assert_eq!(chosen.len(), 4);
        // Shift+click above, on a selected row: the range takes its new state (off).
        toggle_in(&mut chosen, Some(&a), &order[3], true, &order);
        assert_eq!(chosen.len(), 1, "3..=5 cleared, 2 stays");
        assert!(chosen.contains(&order[2]));
    }

    #[test]
    fn without_an_anchor_in_view_a_shift_click_toggles_one() {
        let order = keys(4);
        let gone = ArtifactRef::parse("prod/api:filtered-out").unwrap();
        let mut chosen = HashSet::from([gone.clone()]);
        toggle_in(&mut chosen, Some(&gone), &order[1], true, &order);
        assert_eq!(chosen.len(), 2, "the hidden anchor is kept, one row added");
    }
}
