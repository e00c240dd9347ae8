//! The record of a run: the plan with each item's flags before, the change, and its result as it
//! happens. It is what the console keeps in `sessionStorage` (so a reload or a closed tab loses
//! nothing), what resuming reconciles with the registry's current state (so nothing is sent
//! twice), what undo is computed from, and what the exports write.

use crate::plan::{Action, Group, Plan};
use acr_types::{ArtifactRef, AttributesPatch, ChangeableAttributes};
use serde::{Deserialize, Serialize};

/// The four lock flags, compact (what a record stores per item).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Flags {
    /// `writeEnabled`.
    #[serde(rename = "w")]
    pub write: bool,
    /// `deleteEnabled`.
    #[serde(rename = "d")]
    pub delete: bool,
    /// `readEnabled`.
    #[serde(rename = "r")]
    pub read: bool,
    /// `listEnabled`.
    #[serde(rename = "l")]
    pub list: bool,
}

impl Default for Flags {
    /// Everything enabled.
    fn default() -> Self {
        Self { write: true, delete: true, read: true, list: true }
    }
}

impl From<&ChangeableAttributes> for Flags {
    fn from(a: &ChangeableAttributes) -> Self {
        Self {
            write: a.write_enabled,
            delete: a.delete_enabled,
            read: a.read_enabled,
            list: a.list_enabled,
        }
    }
}

impl Flags {
    /// The flags with `patch` applied.
    pub fn apply(self, patch: &AttributesPatch) -> Self {
        Self {
            write: patch.write_enabled.unwrap_or(self.write),
            delete: patch.delete_enabled.unwrap_or(self.delete),
            read: patch.read_enabled.unwrap_or(self.read),
            list: patch.list_enabled.unwrap_or(self.list),
        }
    }

    /// Only the flags of `patch` whose value differs from these.
    pub fn changes(self, patch: &AttributesPatch) -> AttributesPatch {
        let diff = |new: Option<bool>, old: bool| new.filter(|&v| v != old);
        AttributesPatch {
            write_enabled: diff(patch.write_enabled, self.write),
            delete_enabled: diff(patch.delete_enabled, self.delete),
            read_enabled: diff(patch.read_enabled, self.read),
            list_enabled: diff(patch.list_enabled, self.list),
        }
    }

    /// The patch that sets the flags named in `which` back to their value here.
    pub fn restore(self, which: &AttributesPatch) -> AttributesPatch {
        AttributesPatch {
            write_enabled: which.write_enabled.map(|_| self.write),
            delete_enabled: which.delete_enabled.map(|_| self.delete),
            read_enabled: which.read_enabled.map(|_| self.read),
            list_enabled: which.list_enabled.map(|_| self.list),
        }
    }

    /// The flags that are off in words: "locked" for writes and deletes off (the state admins
    /// set, and the badges' word), else "writes off" / "deletes off", then "reads off", "hidden
    /// from lists"; "unlocked" when none is.
    pub fn summary(self) -> String {
        let locked = !self.write && !self.delete;
        let off: Vec<&str> = [
            (locked, "locked"),
            (!locked && !self.write, "writes off"),
            (!locked && !self.delete, "deletes off"),
            (!self.read, "reads off"),
            (!self.list, "hidden from lists"),
        ]
        .into_iter()
        .filter_map(|(off, word)| off.then_some(word))
        .collect();
        if off.is_empty() {
            "unlocked".into()
        } else {
            off.join(", ")
        }
    }
}

/// What happened to one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum ItemState {
    /// Not sent yet (or sent and not answered before the page went away).
    Planned,
    /// The registry holds the new flags (as it answered, or as re-read on resume).
    Done {
        /// The flags the registry answered with.
        after: Flags,
    },
    /// Refused or unanswered; can be retried.
    Failed {
        /// Why, in a sentence.
        message: String,
    },
    /// Not sent: the run was cancelled first.
    Cancelled,
    /// Not sent: its group is not sent (already in that state, not allowed, gone).
    Skipped,
    /// Undo left it alone: someone changed its flags since the run.
    Conflict {
        /// Its flags now.
        now: Flags,
    },
}

/// One item of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunItem {
    /// `repo:tag` or `repo@digest`.
    pub target: String,
    /// Its group in the preview.
    pub group: Group,
    /// Its flags in the preview (what undo puts back).
    pub before: Flags,
    /// The flags to change (empty when not sent).
    pub patch: AttributesPatch,
    /// What happened.
    #[serde(flatten)]
    pub state: ItemState,
}

impl RunItem {
    /// The target, parsed back.
    pub fn artifact(&self) -> Option<ArtifactRef> {
        ArtifactRef::parse(&self.target).ok()
    }

    /// True while it is still to be sent.
    pub fn is_pending(&self) -> bool {
        self.group.is_sent() && self.state == ItemState::Planned
    }
}

/// A change or its undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    /// The change as planned.
    Apply,
    /// Putting back the flags a run changed.
    Undo,
}

/// Counts of a run's items that are sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Items to send in all.
    pub total: usize,
    /// Answered with the new flags.
    pub done: usize,
    /// Refused or unanswered.
    pub failed: usize,
    /// Not sent because the run was cancelled.
    pub cancelled: usize,
    /// Still to send.
    pub remaining: usize,
}

/// The record of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    /// Identifies the run (its start time and a counter, as text).
    pub id: String,
    /// The registry's configured name in the console.
    pub registry: String,
    /// Its login server (`myregistry.azurecr.io`).
    pub login_server: String,
    /// The signed-in account, when known.
    pub account: Option<String>,
    /// Change or undo.
    pub kind: RunKind,
    /// The action.
    pub action: Action,
    /// What the run was over, in words ("prod/** tags 1.* except latest").
    pub scope: String,
    /// When it was planned (ms since the Unix epoch).
    pub created_ms: u64,
    /// Cancelled by the user.
    pub cancelled: bool,
    /// Every item of the preview, sent or not.
    pub items: Vec<RunItem>,
}

impl RunRecord {
    /// A run of `plan`; every sent item starts planned, the others skipped.
    #[allow(clippy::too_many_arguments)]
    pub fn from_plan(
        plan: &Plan,
        id: String,
        registry: String,
        login_server: String,
        account: Option<String>,
        action: Action,
        scope: String,
        created_ms: u64,
    ) -> Self {
        let items = plan
            .items
            .iter()
            .map(|i| RunItem {
                target: i.target.to_string(),
                group: i.group,
                before: i.before,
                patch: i.patch,
                state: if i.group.is_sent() { ItemState::Planned } else { ItemState::Skipped },
            })
            .collect();
        Self {
            id,
            registry,
            login_server,
            account,
            kind: RunKind::Apply,
            action,
            scope,
            created_ms,
            cancelled: false,
            items,
        }
    }

    /// Counts of the items that are sent.
    pub fn progress(&self) -> Progress {
        let mut p = Progress::default();
        for i in self.items.iter().filter(|i| i.group.is_sent()) {
            p.total += 1;
            match i.state {
                ItemState::Done { .. } => p.done += 1,
                ItemState::Failed { .. } => p.failed += 1,
                ItemState::Cancelled => p.cancelled += 1,
                ItemState::Planned => p.remaining += 1,
                ItemState::Skipped | ItemState::Conflict { .. } => {}
            }
        }
        p
    }

    /// True when nothing is left to send.
    pub fn is_finished(&self) -> bool {
        self.cancelled || self.progress().remaining == 0
    }

    /// Marks every item still planned as cancelled (nothing more is sent).
    pub fn cancel(&mut self) {
        self.cancelled = true;
        for i in &mut self.items {
            if i.is_pending() {
                i.state = ItemState::Cancelled;
            }
        }
    }

    /// Makes the failed (and cancelled) items planned again, for "retry the failed ones".
    pub fn retry_failed(&mut self) {
        self.cancelled = false;
        for i in &mut self.items {
            if matches!(i.state, ItemState::Failed { .. } | ItemState::Cancelled) {
                i.state = ItemState::Planned;
            }
        }
    }

    /// Before continuing an interrupted run: each item still planned is compared with what the
    /// registry holds now (`now`, from a fresh read). An item whose flags already are what the
    /// run would set (its change landed before the page went away) is done, and is not sent
    /// again; the others keep only the flags that still differ. An item `now` does not know is
    /// left planned. Returns how many were found done.
    pub fn reconcile(&mut self, now: impl Fn(&str) -> Option<Flags>) -> usize {
        let mut landed = 0;
        for i in self.items.iter_mut().filter(|i| i.is_pending()) {
            let Some(current) = now(&i.target) else { continue };
            let still = current.changes(&i.patch);
            if still.is_empty() {
                i.state = ItemState::Done { after: current };
                landed += 1;
            } else {
                i.patch = still;
            }
        }
        landed
    }

    /// The undo of this run: for each item it changed, the flags it changed are set back to
    /// their value in the preview, unless the item's flags now (`now`, from a fresh read) are
    /// no longer what the run left: someone changed it since, and it is listed as a conflict,
    /// not overwritten. An item `now` does not know is a conflict too (it may be gone).
    pub fn undo(&self, id: String, created_ms: u64, now: impl Fn(&str) -> Option<Flags>) -> Self {
        let items = self
            .items
            .iter()
            .filter_map(|i| {
                let ItemState::Done { after } = i.state else { return None };
                let current = now(&i.target);
                let back = i.before.restore(&i.patch);
                Some(match current {
                    Some(c) if c == after => {
                        let patch = c.changes(&back);
                        RunItem {
                            target: i.target.clone(),
                            group: if patch.is_empty() { Group::Already } else { Group::Change },
                            before: c,
                            patch,
                            state: if patch.is_empty() {
                                ItemState::Skipped
                            } else {
                                ItemState::Planned
                            },
                        }
                    }
                    other => RunItem {
                        target: i.target.clone(),
                        group: Group::Already,
                        before: other.unwrap_or(after),
                        patch: AttributesPatch::default(),
                        state: ItemState::Conflict { now: other.unwrap_or(after) },
                    },
                })
            })
            .collect();
        Self {
            id,
            kind: RunKind::Undo,
            action: Action {
                label: format!("Undo: {}", self.action.label),
                patch: self.action.patch,
            },
            scope: self.scope.clone(),
            created_ms,
            cancelled: false,
            items,
            ..self.clone()
        }
    }

    /// The items undo left alone, with their flags now.
    pub fn conflicts(&self) -> impl Iterator<Item = (&str, Flags)> {
        self.items.iter().filter_map(|i| match i.state {
            ItemState::Conflict { now } => Some((i.target.as_str(), now)),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PlanItem;

    const LOCK: AttributesPatch = AttributesPatch {
        write_enabled: Some(false),
        delete_enabled: Some(false),
        read_enabled: None,
        list_enabled: None,
    };

    fn record(n: usize) -> RunRecord {
        let items = (0..n)
            .map(|i| PlanItem {
                target: ArtifactRef::parse(&format!("prod/api:{i}")).unwrap(),
                before: Flags::default(),
                patch: LOCK,
                group: Group::Change,
            })
            .chain(std::iter::once(PlanItem {
                target: ArtifactRef::parse("prod/api:locked").unwrap(),
                before: Flags::default().apply(&LOCK),
                patch: AttributesPatch::default(),
                group: Group::Already,
            }))
            .collect();
        let plan = Plan { items, unread: vec![] };
        let action = Action { label: "Lock".into(), patch: LOCK };
        RunRecord::from_plan(
            &plan,
            "1".into(),
            "demo".into(),
            "demo.azurecr.io".into(),
            None,
            action,
            "prod/**".into(),
            0,
        )
    }

    #[test]
    fn a_record_round_trips_through_json_and_counts_its_items() {
        let mut r = record(3);
        r.items[0].state = ItemState::Done { after: Flags::default().apply(&LOCK) };
        r.items[1].state = ItemState::Failed { message: "refused".into() };
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("token"));
        let back: RunRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let p = back.progress();
        assert_eq!((p.total, p.done, p.failed, p.remaining), (3, 1, 1, 1));
        assert_eq!(back.items[3].state, ItemState::Skipped, "already-locked items are not sent");
    }

    #[test]
    fn cancel_and_retry() {
        let mut r = record(3);
        r.items[0].state = ItemState::Failed { message: "x".into() };
        r.cancel();
        assert_eq!(r.progress().cancelled, 2);
        assert!(r.is_finished());
        r.retry_failed();
        assert_eq!(r.progress().remaining, 3);
        assert!(!r.cancelled);
    }

    #[test]
    fn resuming_marks_what_landed_and_sends_only_what_still_differs() {
        let mut r = record(3);
        let locked = Flags::default().apply(&LOCK);
        let half = Flags { write: false, ..Flags::default() };
        let landed = r.reconcile(|t| match t {
            "prod/api:0" => Some(locked),
            "prod/api:1" => Some(half),
            _ => None,
        });
        assert_eq!(landed, 1);
        assert_eq!(r.items[0].state, ItemState::Done { after: locked });
        assert_eq!(
            r.items[1].patch,
            AttributesPatch { delete_enabled: Some(false), ..Default::default() }
        );
        assert_eq!(r.items[2].patch, LOCK, "unknown items stay as planned");
    }

    #[test]
    fn undo_restores_what_the_run_changed_and_keeps_what_others_changed() {
        let mut r = record(3);
        let locked = Flags::default().apply(&LOCK);
        for i in 0..3 {
            r.items[i].state = ItemState::Done { after: locked };
        }
        let someone = Flags { write: true, delete: false, ..Flags::default() };
        let undo = r.undo("2".into(), 1, |t| match t {
            "prod/api:1" => Some(someone),
            "prod/api:2" => None,
            _ => Some(locked),
        });
        assert_eq!(undo.kind, RunKind::Undo);
        assert_eq!(undo.items.len(), 3, "only the items the run changed");
        assert_eq!(
            undo.items[0].patch,
            AttributesPatch {
                write_enabled: Some(true),
                delete_enabled: Some(true),
                ..Default::default()
            }
        );
        assert!(undo.items[0].is_pending());
        let conflicts: Vec<_> = undo.conflicts().map(|(t, _)| t).collect();
        assert_eq!(conflicts, ["prod/api:1", "prod/api:2"]);
        assert_eq!(undo.progress().total, 1);
    }

    #[test]
    fn flag_summaries() {
        assert_eq!(Flags::default().summary(), "unlocked");
        assert_eq!(Flags::default().apply(&LOCK).summary(), "locked");
        let delete_off = Flags { delete: false, ..Flags::default() };
        assert_eq!(delete_off.summary(), "deletes off");
        let all_off = Flags { write: false, delete: false, read: false, list: false };
        assert_eq!(all_off.summary(), "locked, reads off, hidden from lists");
    }
}
