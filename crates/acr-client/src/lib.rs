//! A typed client for the Azure Container Registry data plane that runs in the browser and is
//! tested natively. It owns everything about talking to ACR: URLs, tokens, paging, retries and
//! the mapping of answers to errors. It knows nothing of Leptos or the DOM; only its fetch
//! transport touches the browser.
//!
//! ```no_run
//! # async fn f(transport: std::sync::Arc<dyn acr_client::Transport>) -> Result<(), acr_client::ClientError> {
//! use acr_client::{ClientOptions, Credential, RegistryClient};
//! let client = RegistryClient::new(
//!     transport,
//!     "https://console.example/registry/prod",
//!     "prod.azurecr.io",
//!     Credential::Password { username: "ci".into(), password: acr_types::Secret::new("…") },
//!     ClientOptions::default(),
//! )?;
//! let repo = acr_types::RepositoryName::new("prod/api").unwrap();
//! let lock = acr_types::AttributesPatch { write_enabled: Some(false), delete_enabled: Some(false), ..Default::default() };
//! let tag = acr_types::TagName::new("1.4.2").unwrap();
//! let now = client.update_tag_attributes(&repo, &tag, &lock).await?;
//! assert!(!now.tag.changeable_attributes.write_enabled);
//! # Ok(()) }
//! ```

pub mod acr_paths;
pub mod auth;
pub mod challenge;
mod client;
pub mod endpoint;
pub mod entra;
mod error;
mod httpdate;
pub mod jwt;
pub mod link;
mod manifests;
mod paging;
mod permissions;
mod repositories;
mod tags;
pub mod transport;

pub use auth::{Credential, EntraTokenSource, Grants, Resource, StaticEntraToken};
pub use client::{ClientOptions, RegistryClient, TOKEN_BATCH};
pub use error::ClientError;
pub use paging::{collect_all, Page, Pages};
pub use permissions::Permissions;
pub use transport::{fake::FakeTransport, HttpRequest, HttpResponse, Transport, TransportError};

/// `url` with its query replaced by `?…`, for messages (queries can carry names, never tokens,
/// but keep messages short).
pub(crate) fn redact_query(url: &str) -> String {
    let shown: String = url.chars().filter(|c| !c.is_control()).take(120).collect();
    match shown.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => shown,
    }
}
