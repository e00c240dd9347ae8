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

pub mod auth;
pub mod config;
pub mod entra;
pub mod error;
pub mod oauth2;
pub mod paging;
pub mod persist;
pub mod routes;
pub mod seed;
pub mod server;
pub mod state;
pub mod store;
pub mod users;

pub use config::{Config, DataSource, Faults, TlsFiles, TokenLifetimes};
pub use routes::app;
pub use server::{build_state, spawn, Running};
pub use state::AppState;
