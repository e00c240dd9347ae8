//! The registry clients: one `RegistryClient` per configured registry, built from the
//! configuration and the session's credential and shared through context, with the registries'
//! lock stores beside them. A client is rebuilt when the session's generation changes (sign-in,
//! sign-out, session end); the previous clients forget their tokens and the stores what they held.

use crate::{
    auth::{page_origin, Session},
    config::SharedConfig,
    problem::Problem,
};
use acr_client::{ClientOptions, RegistryClient, Transport};
use leptos::prelude::*;
use std::{collections::HashMap, sync::Arc};

/// Items per list request: ACR's maximum, so 10,000 repositories take ten requests.
pub const PAGE_SIZE: usize = 1000;

/// Clients built for one session generation.
#[derive(Default)]
struct Built {
    generation: u64,
    clients: HashMap<String, RegistryClient>,
}

/// The clients, through context.
#[derive(Clone, Copy)]
pub struct Clients {
    config: StoredValue<SharedConfig>,
    session: Session,
    transport: StoredValue<Arc<dyn Transport>>,
    built: StoredValue<Built>,
}

/// The transport clients use: the browser's fetch (a fake that always fails natively).
fn transport() -> Arc<dyn Transport> {
    #[cfg(target_arch = "wasm32")]
    {
        Arc::new(acr_client::transport::fetch::FetchTransport)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Arc::new(acr_client::FakeTransport::new(|_| {
            Err(acr_client::TransportError::new("no browser"))
        }))
    }
}

/// Provides [`Clients`].
pub fn provide_clients(config: SharedConfig, session: Session) {
    let clients = Clients {
        config: StoredValue::new(config),
        session,
        transport: StoredValue::new(transport()),
        built: StoredValue::new(Built::default()),
    };
    // Every registry's lock state, beside its client.
    let stores = crate::state::lock_store::provide_lock_stores();
    // When the account changes, the old clients' ACR tokens are dropped at once, and so is what
    // they read (in the browser: natively there is no executor for effects).
    #[cfg(not(target_arch = "wasm32"))]
    let _ = stores;
    #[cfg(target_arch = "wasm32")]
    Effect::new(move |previous: Option<u64>| {
        let generation = session.generation().get();
        if previous.is_some_and(|p| p != generation) {
            stores.clear();
            crate::state::bulk_storage::forget_slots();
            let old = clients
                .built
                .try_update_value(|b| std::mem::take(&mut b.clients))
                .unwrap_or_default();
            for client in old.into_values() {
                leptos::task::spawn_local(async move { client.forget_tokens().await });
            }
        }
        generation
    });
    provide_context(clients);
}

/// The client for the registry named `registry`, or the problem that prevents one (unknown
/// registry, not signed in for it). Reading it inside a reactive scope (a resource's fetcher)
/// subscribes to the session's generation, so the read runs again after a new sign-in.
pub fn use_client(registry: &str) -> Result<RegistryClient, Problem> {
    let clients = expect_context::<Clients>();
    let generation = clients.session.generation().get();
    let config = clients.config.get_value();
    let Some(reg) = config.registry(registry) else {
        return Err(Problem::new(
            "Unknown registry",
            ["No registry named \"", registry, "\" is configured."].concat(),
            "Pick a registry from the overview, or add it to config.json.",
        ));
    };
    let cached = clients.built.with_value(|b| {
        (b.generation == generation).then(|| b.clients.get(registry).cloned()).flatten()
    });
    if let Some(client) = cached {
        return Ok(client);
    }
    let Some(credential) = clients.session.credential(reg) else {
        return Err(Problem {
            sign_in: true,
            ..Problem::new(
                "Sign-in required",
                ["You are not signed in to the registry ", reg.login_server.as_str(), "."].concat(),
                "Sign in; your place in the console is kept.",
            )
        });
    };
    let endpoint = [page_origin().as_str(), reg.endpoint.as_str()].concat();
    let options = ClientOptions { page_size: PAGE_SIZE, ..ClientOptions::default() };
    let client = RegistryClient::new(
        clients.transport.get_value(),
        &endpoint,
        &reg.login_server,
        credential,
        options,
    )
    .map_err(Problem::from)?;
    clients.built.update_value(|b| {
        if b.generation != generation {
            b.generation = generation;
            b.clients.clear();
        }
        b.clients.insert(registry.to_owned(), client.clone());
    });
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{provide_session_in_state, SessionState};

    #[test]
    fn clients_need_a_known_registry_and_a_credential() {
        let owner = Owner::new();
        owner.with(|| {
            let text = r#"{"registries":[{"name":"edge","loginServer":"edge.azurecr.io","endpoint":"/registry/edge","signIn":"token"}]}"#;
            let config = Arc::new(crate::config::parse(text, "https://console.example").unwrap());
            let session = provide_session_in_state(config.clone(), SessionState::SignedOut);
            provide_clients(config, session);
            let e = use_client("nope").unwrap_err();
            assert_eq!(e.title, "Unknown registry");
            let e = use_client("edge").unwrap_err();
            assert!(e.sign_in, "{e:?}");
            assert!(e.detail.contains("edge.azurecr.io"));
        });
    }
}
