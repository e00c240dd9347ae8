//! acr-emulator: a local Azure Container Registry data plane (`/acr/v1`, `/v2`, `/oauth2`) with
//! ACR's wire format, token flow and lock semantics, plus a demo Entra authority, so the console
//! can be run, demonstrated and tested without an Azure subscription.
//!
//! [`app`] builds the router from an [`AppState`] (the test seam: drive it with
//! `tower::ServiceExt::oneshot`); [`spawn`] listens on a socket and serves HTTP or HTTPS.
//!
//! ```no_run
//! # async fn demo() -> Result<(), String> {
//! let running = acr_emulator::spawn(acr_emulator::Config::default()).await?;
//! println!("registry at {}", running.base_url);
//! # Ok(()) }
//! ```
//!
//! Modules, from the bottom up (each imports only modules on its own level or below):
//!
//! 1. data and rules: [`config`], [`users`], [`manifest`], [`store`], [`error`], [`paging`],
//!    [`token`] (signing and verifying tokens), [`persist`] (the data file), [`saver`] (saving
//!    it in the background, coalescing changes), [`limit`] (ACR's write-rate limit), [`seed`]
//!    (initial data);
//! 2. `entra::sessions` (the demo authority's codes and refresh tokens), then [`state`]
//!    ([`AppState`], holding all of the above);
//! 3. [`auth`] (checking a request's credentials against the state);
//! 4. HTTP handlers: [`oauth2`], [`entra`], [`routes`] (which assembles them into one router);
//! 5. [`server`] (loading data, listening, serving).

pub mod auth;
pub mod config;
pub mod entra;
pub mod error;
pub mod limit;
pub mod manifest;
pub mod oauth2;
pub mod paging;
pub mod persist;
pub mod routes;
pub mod saver;
pub mod seed;
pub mod server;
pub mod state;
pub mod store;
pub mod token;
pub mod users;

pub use config::{Config, DataSource, Faults, TlsFiles, TokenLifetimes};
pub use routes::app;
pub use server::{build_state, spawn, Running};
pub use state::AppState;
