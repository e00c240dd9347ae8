//! Presentation components: each file owns one view and only the local state that view needs.
//! Components receive data, signals and callbacks by props; they never read the router or call
//! the registry.

pub mod app_shell;
