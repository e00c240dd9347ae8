//! Initial data: the JSON seed file format, the built-in demo registry and users, and the
//! generator for scale tests.
//!
//! Seed files and the demo go through one builder ([`SeedFile::build`]), which turns each image
//! description into real manifest JSON (Docker v2 or OCI, with config and layer descriptors, and
//! manifest lists / indexes for several platforms) whose digest is the sha256 of its bytes.
//!
//! Inside, from the bottom up: `manifests` (manifest bytes and digests of seeded images),
//! `users` (the demo users), `file` (the seed file format and its loading), `demo` (the demo
//! registry, written as a seed file) and `generate` (`--generate` scale data).

mod demo;
mod file;
mod generate;
mod manifests;
mod users;

pub use demo::{demo, demo_seed, DEMO_REFERENCE_TIME};
pub use file::{load, timestamp_now, SeedFile, SeedImage, SeedRepository};
pub use generate::{generate, Generate, GENERATE_LIMIT};
pub use manifests::SeedFormat;
pub use users::demo_users;
