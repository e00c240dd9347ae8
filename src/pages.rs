//! Routed views, one per file (`<name>.rs` → `<Name>Page`). Pages read route parameters and own
//! the data loading for their route, then hand plain values down to components.

pub mod home;
pub mod not_found;
