//! Routed views, one per file (`<name>.rs` → `<Name>Page`). Pages read the route and lay out
//! the page: they start the reads (through `state/`: paged lists, the repository-row reader, the
//! lock store every flag lives in) and hand signals and callbacks to components.

pub mod bulk;
pub mod config_error;
pub mod find;
pub mod home;
pub mod item;
pub mod manifest;
pub mod not_found;
pub mod repositories;
pub mod repository;
pub mod sign_in;
pub mod status;
pub mod tag;
