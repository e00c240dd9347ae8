//! Shared app state beyond the session: the registry clients and the lock-change actions pages
//! hand to their components.

pub mod locks;
pub mod registry;
