//! acr-bulk: the pure core of changing many locks at once. Which items a rule or a hand selection
//! names ([`pattern`], [`rule`]), the exact preview of what each would become ([`plan`]), how
//! fast to send the changes ([`pacer`]), the record of a run that survives a reload
//! ([`record`]), and its exports ([`export`]); and the coverage a status page draws, with the
//! lock rules an organisation declares and their gaps ([`coverage`]). No UI, no I/O: the console
//! drives it, and every rule is tested natively.

pub mod coverage;
pub mod export;
pub mod pacer;
pub mod pattern;
pub mod plan;
pub mod record;
pub mod rule;

pub use pacer::Pacer;
pub use pattern::{Glob, NamePattern, PatternError};
pub use plan::{Action, Group, Plan, PlanItem, RepoSnapshot, Scope, WriteRight};
pub use record::{Flags, ItemState, RunKind, RunRecord};
pub use rule::{Rule, Target};
