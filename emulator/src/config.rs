//! The emulator's settings: where it listens, which data it serves, and the fault knobs tests turn
//! on. Parsed from the command line by `main.rs`; built directly by tests.

use acr_types::TokenFormat;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Where the registry's data comes from at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// The built-in demo registry (see `seed::demo`).
    Demo,
    /// A JSON seed file (format: `seed::SeedFile`).
    SeedFile(PathBuf),
    /// The demo users plus generated repositories for scale tests (`seed::Generate`).
    Generate(crate::seed::Generate),
    /// No repositories, only the demo users.
    Empty,
}

/// Faults injected into registry and token responses; all off by default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added to every registry and token response.
    pub latency: Duration,
    /// Share of requests (0.0–1.0) answered `429 TOOMANYREQUESTS`.
    pub throttle_rate: f64,
    /// `Retry-After` seconds on those 429s; `None` sends no header.
    pub retry_after: Option<u64>,
    /// Share of requests (0.0–1.0) answered `503 SERVICE_UNAVAILABLE`.
    pub unavailable_rate: f64,
    /// `/oauth2/token` answers with opaque access tokens (43 random base64url characters, not a
    /// JWT), which the emulator remembers and accepts as it would the JWT it stands for (same
    /// grants, registry and expiry): a registry whose tokens a client cannot read. Refresh tokens
    /// stay JWTs.
    pub opaque_access_tokens: bool,
    /// ACR's write-rate limit: write operations (PATCH of attributes, DELETE, manifest PUT)
    /// beyond this many in any rolling 60 s window are answered `429 TOOMANYREQUESTS` with a
    /// `Retry-After` of the whole seconds until a slot frees, and change nothing. ACR's published
    /// tiers: 100 (Basic), 500 (Standard), 2,000 (Premium) a minute. Reads are not limited;
    /// `None` (the default) limits nothing.
    pub write_ops_per_minute: Option<u32>,
}

impl Faults {
    /// True when any fault is on.
    pub fn any(&self) -> bool {
        !self.latency.is_zero()
            || self.throttle_rate > 0.0
            || self.unavailable_rate > 0.0
            || self.opaque_access_tokens
            || self.write_ops_per_minute.is_some()
    }
}

/// Lifetimes of the tokens the emulator issues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLifetimes {
    /// ACR access tokens (recorded: 4500 s, 75 minutes).
    pub access: Duration,
    /// ACR refresh tokens (recorded: 11,700 s, 3 hours 15 minutes).
    pub refresh: Duration,
    /// Access and ID tokens of the demo Entra authority (real Entra: 60–90 minutes).
    pub entra_access: Duration,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        Self {
            access: Duration::from_secs(4500),
            refresh: Duration::from_secs(11_700),
            entra_access: Duration::from_secs(3600),
        }
    }
}

/// TLS certificate chain and private key, both PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate chain (PEM).
    pub cert: PathBuf,
    /// Private key (PEM, PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Everything the emulator needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The registry's login server, as it appears in `registry`, `service` and the `realm`.
    /// `None`: the `Host` the request was sent to (so the realm is reachable by whoever asked).
    pub login_server: Option<String>,
    /// Initial data.
    pub data: DataSource,
    /// With a path, state is loaded from it if it exists, and changes are saved to it in the
    /// background (coalesced: at most one save per half second, each change on disk within about
    /// a second) and on shutdown (see [`crate::saver`]).
    pub data_file: Option<PathBuf>,
    /// Serve HTTPS with these files instead of HTTP.
    pub tls: Option<TlsFiles>,
    /// Origins allowed by CORS on the registry endpoints; empty (the default) sends no CORS
    /// headers, like ACR.
    pub cors_origins: Vec<String>,
    /// Injected faults.
    pub faults: Faults,
    /// Token lifetimes.
    pub lifetimes: TokenLifetimes,
    /// How ACR tokens are written: [`TokenFormat::V2`] (default, as ACR issues them today) or
    /// the older [`TokenFormat::V1`]; tokens of both forms are accepted either way.
    pub token_format: TokenFormat,
    /// PEM file of the RSA key that signs every token; `None`: the built-in demo key.
    pub signing_key: Option<PathBuf>,
    /// A built console (`dist/`) to serve at `/`, with the registry also reachable same-origin
    /// under `/registry/<registry_name>/`, as the production proxy does.
    pub console_dir: Option<PathBuf>,
    /// The registry's short name in the console's configuration and proxy path.
    pub registry_name: String,
    /// Largest request body accepted, in bytes (ACR's manifest limit is 4 MiB).
    pub max_body: usize,
    /// Anonymous pull: an empty `password` grant gets `pull` and `metadata_read` on every
    /// repository (Standard/Premium registries can enable this).
    pub anonymous_pull: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            login_server: None,
            data: DataSource::Demo,
            data_file: None,
            tls: None,
            cors_origins: Vec::new(),
            faults: Faults::default(),
            lifetimes: TokenLifetimes::default(),
            token_format: TokenFormat::default(),
            signing_key: None,
            console_dir: None,
            registry_name: "demo".into(),
            max_body: 4 * 1024 * 1024,
            anonymous_pull: false,
        }
    }
}
