//! Routed views, one per file (`<name>.rs` → `<Name>Page`). Pages read the route, own the data
//! loading and the lock-change actions for it, and hand plain values, signals and callbacks to
//! components.

pub mod config_error;
pub mod home;
pub mod item;
pub mod manifest;
pub mod not_found;
pub mod repositories;
pub mod repository;
pub mod sign_in;
pub mod tag;
