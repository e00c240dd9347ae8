//! The registry clients: one `RegistryClient` per configured registry and session, built from the
//! configuration and the session's credential, shared through context.
//!
//! STUB: the interface below is fixed; the implementation is being written.

use crate::{auth::Session, config::SharedConfig, problem::Problem};
use acr_client::RegistryClient;
use leptos::prelude::*;

/// The clients, through context.
#[derive(Clone)]
pub struct Clients {
    _config: SharedConfig,
    _session: Session,
}

/// Provides [`Clients`].
pub fn provide_clients(config: SharedConfig, session: Session) {
    provide_context(Clients { _config: config, _session: session });
}

/// The client for the registry named `registry`, or the problem that prevents one (unknown
/// registry, not signed in).
pub fn use_client(registry: &str) -> Result<RegistryClient, Problem> {
    let _ = expect_context::<Clients>();
    Err(Problem::new(
        "Not available yet",
        format!("No client for {registry}."),
        "Wait for the console issue.",
    ))
}
