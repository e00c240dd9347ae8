//! Shared app state beyond the session: the registry clients, the lock-state store that owns
//! every artifact's flags, the lock-change action, the lock rules, what is inside a repository, and the loading machinery
//! pages use (paged lists with progress, the lazy repository-row lock reader).

pub mod bulk_read;
pub mod bulk_run;
pub mod bulk_storage;
pub mod contents;
pub mod lock_action;
pub mod lock_rules;
pub mod lock_store;
pub mod paged;
pub mod registry;
pub mod repository_locks;
pub mod selection;
