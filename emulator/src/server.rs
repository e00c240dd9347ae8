//! Starting the emulator: builds the state from the configuration (seed, generator or data file),
//! binds the socket and serves HTTP or HTTPS until the returned handle is dropped.

use crate::{
    config::{Config, DataSource},
    entra::sessions::Sessions,
    routes,
    state::{AppState, Inner, Stats},
    store::Store,
    token::TokenIssuer,
    users::Users,
};
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
    service::TowerToHyperService,
};
use std::{net::SocketAddr, sync::Arc, time::Instant};
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};

/// A running emulator. Dropping it stops the server.
pub struct Running {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    /// `http://127.0.0.1:port` or `https://…`.
    pub base_url: String,
    /// The shared state, for tests that inspect or change the store directly.
    pub state: AppState,
    /// How long loading the data took.
    pub load_time: std::time::Duration,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Running {
    /// Waits until the server stops (it runs until the process ends or the handle is dropped).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Loads the initial store and users as the configuration says.
pub fn load_data(config: &Config) -> Result<(Store, Users), String> {
    if let Some(path) = &config.data_file {
        if let Some(data) = crate::persist::load(path)? {
            return Ok(data);
        }
    }
    Ok(match &config.data {
        DataSource::Demo => crate::seed::demo(),
        DataSource::SeedFile(path) => crate::seed::load(path)?,
        DataSource::Generate(g) => crate::seed::generate(*g),
        DataSource::Empty => (Store::default(), crate::seed::demo_users()),
    })
}

/// Builds the shared state (loads data and the signing key).
pub fn build_state(config: Config) -> Result<AppState, String> {
    let (store, users) = load_data(&config)?;
    let issuer = TokenIssuer::new(config.signing_key.as_deref(), config.lifetimes.clone())?
        .with_format(config.token_format);
    Ok(AppState(Arc::new(Inner {
        config,
        store: std::sync::RwLock::new(store),
        users,
        issuer,
        entra: Sessions::default(),
        stats: Stats::default(),
        save_lock: tokio::sync::Mutex::new(()),
    })))
}

fn tls_acceptor(tls: &crate::config::TlsFiles) -> Result<tokio_rustls::TlsAcceptor, String> {
    use tokio_rustls::rustls::{self, pki_types::CertificateDer};
    let read = |p: &std::path::Path| {
        std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    let cert_pem = read(&tls.cert)?;
    let key_pem = read(&tls.key)?;
    let certs: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut cert_pem.as_slice())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: not a PEM certificate chain: {e}", tls.cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate found", tls.cert.display()));
    }
    let key = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .map_err(|e| format!("{}: not a PEM private key: {e}", tls.key.display()))?
        .ok_or_else(|| format!("{}: no private key found", tls.key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("the certificate and key do not fit together: {e}"))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(cfg)))
}

/// Builds the state, binds `config.listen` and serves in a background task.
pub async fn spawn(config: Config) -> Result<Running, String> {
    let t0 = Instant::now();
    let tls = config.tls.as_ref().map(tls_acceptor).transpose()?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let state = build_state(config)?;
    let load_time = t0.elapsed();
    let scheme = state.scheme();
    let app = routes::app(state.clone());
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            let (tcp, _) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                },
                _ = stopped.changed() => break,
            };
            let service = TowerToHyperService::new(app.clone());
            let tls = tls.clone();
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                let builder = auto::Builder::new(TokioExecutor::new());
                let result = match tls {
                    Some(acceptor) => match acceptor.accept(tcp).await {
                        Ok(stream) => {
                            let conn = builder
                                .serve_connection_with_upgrades(TokioIo::new(stream), service);
                            tokio::select! { r = conn => r, _ = stopped.changed() => Ok(()) }
                        }
                        Err(e) => {
                            tracing::debug!(error = %e, "TLS handshake failed");
                            Ok(())
                        }
                    },
                    None => {
                        let conn =
                            builder.serve_connection_with_upgrades(TokioIo::new(tcp), service);
                        tokio::select! { r = conn => r, _ = stopped.changed() => Ok(()) }
                    }
                };
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
        }
    });
    Ok(Running {
        addr,
        base_url: format!("{scheme}://{addr}"),
        state,
        load_time,
        stop,
        task: Some(task),
    })
}
