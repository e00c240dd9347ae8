//! The `acr-emulator` command: `serve` (the default) runs the emulator; `token` prints a token
//! for a demo user, for scripts and tests.

use acr_emulator::{
    config::{Config, DataSource, Faults, TlsFiles, TokenLifetimes},
    seed::Generate,
};
use acr_types::TokenFormat;
use clap::{Args, Parser, Subcommand};
use std::{net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

/// A local Azure Container Registry emulator with a demo Entra sign-in.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the registry (the default).
    Serve(ServeArgs),
    /// Print a token for a user of the data set.
    Token(TokenArgs),
}

#[derive(Args, Clone, Default)]
struct DataArgs {
    /// JSON seed file (see the emulator's README for the format); default: the demo registry.
    #[arg(long, conflicts_with_all = ["generate", "empty"])]
    seed: Option<PathBuf>,
    /// Generate data for scale tests, e.g. `repos=10000,tags=5000`.
    #[arg(long, value_parser = parse_generate, conflicts_with = "empty")]
    generate: Option<Generate>,
    /// Start with no repositories (demo users only).
    #[arg(long)]
    empty: bool,
    /// Keep state in this file: loaded if it exists; changes are saved atomically in the
    /// background (at most twice a second, each on disk within about a second) and at shutdown.
    #[arg(long)]
    data: Option<PathBuf>,
}

#[derive(Args, Clone, Default)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:5080")]
    listen: Option<SocketAddr>,
    /// Login server name (`registry`, `service`, realm host); default: the request's Host.
    #[arg(long)]
    login_server: Option<String>,
    #[command(flatten)]
    data: DataArgs,
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Allow this origin by CORS (repeatable; ACR itself sends no CORS headers).
    #[arg(long = "cors-origin")]
    cors_origins: Vec<String>,
    /// Added latency per registry or token request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of registry/token requests answered 429 (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    throttle_rate: f64,
    /// Retry-After seconds on injected 429s (omit for none).
    #[arg(long)]
    retry_after: Option<u64>,
    /// Share of registry/token requests answered 503 (0.0–1.0).
    #[arg(long, default_value_t = 0.0)]
    unavailable_rate: f64,
    /// ACR's write-rate limit: writes (PATCH, DELETE, manifest PUT) beyond N in any rolling
    /// minute are answered 429 with Retry-After. ACR's tiers: 100 Basic, 500 Standard, 2000
    /// Premium. Reads are not limited.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    write_ops_per_minute: Option<u32>,
    /// Answer /oauth2/token with opaque access tokens (random text, not JWTs) that the emulator
    /// remembers and accepts like the JWTs they stand for; refresh tokens stay JWTs.
    #[arg(long)]
    opaque_access_tokens: bool,
    /// ACR access token lifetime in seconds (default 4500, as ACR).
    #[arg(long)]
    token_ttl: Option<u64>,
    /// ACR refresh token lifetime in seconds (default 11700, as ACR).
    #[arg(long)]
    refresh_ttl: Option<u64>,
    #[command(flatten)]
    format: FormatArgs,
    /// Demo authority access token lifetime in seconds (default 3600).
    #[arg(long)]
    entra_ttl: Option<u64>,
    /// PEM (PKCS#8) RSA key signing every token; default: the built-in demo key.
    #[arg(long)]
    signing_key: Option<PathBuf>,
    /// Serve this built console (Trunk's dist/) at `/`, same-origin with the registry.
    #[arg(long)]
    console: Option<PathBuf>,
    /// The registry's name in the console config and proxy path `/registry/<name>/`.
    #[arg(long, default_value = "demo")]
    registry_name: Option<String>,
    /// Allow anonymous pull (an empty password grant gets pull and metadata_read).
    #[arg(long)]
    anonymous_pull: bool,
    /// Largest accepted request body in bytes.
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    max_body: usize,
}

#[derive(Args, Clone, Default)]
struct FormatArgs {
    /// Form of the ACR tokens: `2.0` (as ACR issues them today: capitalised access entries, rid,
    /// appid) or `1.0` (the older, documented form with lowercase access entries).
    #[arg(long, value_parser = parse_token_format, default_value = "2.0")]
    token_format: TokenFormat,
}

#[derive(Args)]
struct TokenArgs {
    /// User id (`admin`, `viewer`, `payments`, `ci-readonly`).
    #[arg(long, default_value = "admin")]
    user: String,
    /// `entra` (for /oauth2/exchange), `refresh` or `access` (ACR tokens).
    #[arg(long, default_value = "entra")]
    kind: String,
    /// Login server the ACR token is for.
    #[arg(long, default_value = "127.0.0.1:5080")]
    service: String,
    /// Scopes of an access token, space-separated.
    #[arg(long, default_value = "registry:catalog:* repository:*:*")]
    scope: String,
    /// PEM key the running emulator uses (default: the built-in demo key).
    #[arg(long)]
    signing_key: Option<PathBuf>,
    #[command(flatten)]
    format: FormatArgs,
    #[command(flatten)]
    data: DataArgs,
}

fn parse_generate(s: &str) -> Result<Generate, String> {
    Generate::parse(s)
}

fn parse_token_format(s: &str) -> Result<TokenFormat, String> {
    match s {
        "2.0" | "2" => Ok(TokenFormat::V2),
        "1.0" | "1" => Ok(TokenFormat::V1),
        other => Err(format!("'{other}' is not a token format: use 2.0 or 1.0")),
    }
}

fn data_source(d: &DataArgs) -> DataSource {
    match (&d.seed, d.generate, d.empty) {
        (Some(p), _, _) => DataSource::SeedFile(p.clone()),
        (_, Some(g), _) => DataSource::Generate(g),
        (_, _, true) => DataSource::Empty,
        _ => DataSource::Demo,
    }
}

fn config(a: ServeArgs) -> Config {
    let d = Config::default();
    let secs = Duration::from_secs;
    let lt = TokenLifetimes::default();
    Config {
        listen: a.listen.unwrap_or(d.listen),
        login_server: a.login_server,
        data: data_source(&a.data),
        data_file: a.data.data,
        tls: a.tls_cert.zip(a.tls_key).map(|(cert, key)| TlsFiles { cert, key }),
        cors_origins: a.cors_origins,
        faults: Faults {
            latency: Duration::from_millis(a.latency_ms),
            throttle_rate: a.throttle_rate,
            retry_after: a.retry_after,
            unavailable_rate: a.unavailable_rate,
            opaque_access_tokens: a.opaque_access_tokens,
            write_ops_per_minute: a.write_ops_per_minute,
        },
        lifetimes: TokenLifetimes {
            access: a.token_ttl.map_or(lt.access, secs),
            refresh: a.refresh_ttl.map_or(lt.refresh, secs),
            entra_access: a.entra_ttl.map_or(lt.entra_access, secs),
        },
        token_format: a.format.token_format,
        signing_key: a.signing_key,
        console_dir: a.console,
        registry_name: a.registry_name.unwrap_or(d.registry_name),
        max_body: a.max_body,
        anonymous_pull: a.anonymous_pull,
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let config = config(args);
    let console = config.console_dir.is_some();
    let running = acr_emulator::spawn(config).await?;
    let (store, users) = {
        let s = running.state.store.read().map_err(|_| "store lock poisoned")?;
        let tags: usize = s.repositories.values().map(|r| r.tags.len()).sum();
        let manifests: usize = s.repositories.values().map(|r| r.manifests.len()).sum();
        (
            format!("{} repositories, {tags} tags, {manifests} manifests", s.repositories.len()),
            running.state.users.clone(),
        )
    };
    println!("acr-emulator: {store} loaded in {:.0?}", running.load_time);
    if console {
        println!("Console:  {}/", running.base_url);
        println!(
            "Registry: {}/registry/{}/ (same-origin, as through the production proxy)",
            running.base_url, running.state.config.registry_name
        );
    } else {
        println!("Registry: {}", running.base_url);
    }
    println!("Demo sign-in users:");
    for u in &users.0 {
        println!("  {:<12} {:<28} {}", u.id, u.upn, u.description);
    }
    stop_requested().await;
    println!("acr-emulator: stopping ({})", running.base_url);
    // Closes connections and saves what the data file (--data) is missing.
    running.shutdown().await
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM (`docker stop`, `kill`).
async fn stop_requested() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

fn token(args: TokenArgs) -> Result<(), String> {
    let config = Config {
        data: data_source(&args.data),
        data_file: args.data.data.clone(),
        ..Config::default()
    };
    let (_, users) = acr_emulator::server::load_data(&config)?;
    let user = users.by_id(&args.user).ok_or_else(|| {
        let ids: Vec<&str> = users.0.iter().map(|u| u.id.as_str()).collect();
        format!("no user '{}' (known: {})", args.user, ids.join(", "))
    })?;
    let issuer = acr_emulator::token::TokenIssuer::new(
        args.signing_key.as_deref(),
        TokenLifetimes::default(),
    )?
    .with_format(args.format.token_format);
    println!(
        "{}",
        acr_emulator::token::cli_token(&issuer, user, &args.kind, &args.service, &args.scope)?
    );
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Token(t)) => token(t),
        Some(Command::Serve(s)) => run(serve(s)),
        None => run(serve(cli.serve)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("acr-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(f: impl std::future::Future<Output = Result<(), String>>) -> Result<(), String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(f)
}
