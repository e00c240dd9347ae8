//! Starting the emulator: builds the state from the configuration (seed, generator or data file),
//! starts the data file's saver, binds the socket and serves HTTP or HTTPS until the returned
//! handle is shut down or dropped, either of which saves pending changes.

use crate::{
    config::{Config, DataSource},
    entra::sessions::Sessions,
    limit::WriteLimiter,
    routes,
    saver::Saver,
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
use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, RwLock},
    time::Instant,
};
use tokio::{net::TcpListener, sync::watch, task::JoinHandle};

/// A running emulator. [`Running::shutdown`] or dropping it stops the server and saves pending
/// changes to the data file.
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

    /// Stops serving (open connections are closed), then saves what the data file is missing.
    /// Every change answered before the call is on disk when it returns `Ok`.
    pub async fn shutdown(mut self) -> Result<(), String> {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || state.flush())
            .await
            .map_err(|e| format!("saving the data file failed: {e}"))?
    }
}

impl Drop for Running {
    /// Stops serving and saves pending changes (blocking this thread for one save at most).
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
        if let Err(e) = self.state.flush() {
            tracing::error!(error = %e, "saving the data file at shutdown failed");
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

/// Builds the shared state (loads data and the signing key; with a data file, starts its saver).
pub fn build_state(config: Config) -> Result<AppState, String> {
    let (store, users) = load_data(&config)?;
    let issuer = TokenIssuer::new(config.signing_key.as_deref(), config.lifetimes.clone())?
        .with_format(config.token_format);
    let store = Arc::new(RwLock::new(store));
    let saver = match &config.data_file {
        Some(path) => Some(data_file_saver(path.clone(), store.clone(), users.clone())?),
        None => None,
    };
    Ok(AppState(Arc::new(Inner {
        write_limit: config.faults.write_ops_per_minute.map(WriteLimiter::per_minute),
        config,
        store,
        users,
        issuer,
        entra: Sessions::default(),
        stats: Stats::default(),
        saver,
    })))
}

/// A saver writing the store and users to `path`: encoded under the store's read lock, written
/// (temp file, fsync, rename) after releasing it.
fn data_file_saver(
    path: PathBuf,
    store: Arc<RwLock<Store>>,
    users: Users,
) -> Result<Saver, String> {
    Saver::spawn(crate::saver::INTERVAL, move || {
        let bytes = {
            let store = store.read().map_err(|_| "the store lock is poisoned".to_owned())?;
            crate::persist::encode(&store, &users)
        }
        .map_err(|e| format!("cannot encode the state for {}: {e}", path.display()))?;
        crate::persist::write(&path, &bytes)
    })
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
