//! acr-emulator: a local Azure Container Registry data plane (`/acr/v1`, `/v2`, `/oauth2`) with
//! ACR's wire format, token flow and lock semantics, plus a demo Entra authority, so the console
//! can be run, demonstrated and tested without an Azure subscription.
//!
//! [`app`] builds the router from an [`AppState`] (the test seam); [`serve`] listens on a socket.

pub mod auth;
pub mod config;
pub mod entra;
pub mod error;
pub mod oauth2;
pub mod persist;
pub mod seed;
pub mod state;
pub mod store;
pub mod users;

pub use config::Config;
pub use state::AppState;
