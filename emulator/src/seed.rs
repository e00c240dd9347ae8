//! Initial data: the built-in demo registry and users, the JSON seed file format, and the
//! generator for scale tests.
//!
//! STUB: the interface is fixed; the bodies are being written.

use crate::{store::Store, users::Users};
use std::path::Path;

/// Parameters of the scale generator (`--generate repos=10000,tags=5000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generate {
    /// Number of repositories.
    pub repos: usize,
    /// Number of tags in the one big repository `scale/many-tags`.
    pub tags: usize,
}

/// The built-in demo registry and its users.
pub fn demo() -> (Store, Users) {
    (Store::default(), Users::default())
}

/// The demo users alone.
pub fn demo_users() -> Users {
    Users::default()
}

/// A seed file's registry and users.
pub fn load(_path: &Path) -> Result<(Store, Users), String> {
    todo!()
}

/// Generated data for scale tests, with the demo users.
pub fn generate(_g: Generate) -> (Store, Users) {
    todo!()
}
