//! Signing in. The flow, like MSAL.js: authorization code + PKCE (S256) at the Entra authority
//! (`acr_client::entra`), the code and state removed from the address bar as soon as the page
//! starts, tokens kept in `sessionStorage` only, silent renewal with the refresh token before
//! expiry, sign-out at the authority. The Entra token is handed to `acr-client` (the session is
//! its [`EntraTokenSource`]), which exchanges it at the registry for ACR tokens. Registries
//! without Entra sign in with a repository-scoped ACR token (username + password).
//!
//! This module owns the [`Session`] and its states; it never renders pages (the sign-in page
//! and the shell read the session) and never calls a registry except to check a token's
//! password.

pub(crate) mod browser;
pub mod callback;
mod require_sign_in;
pub mod storage;
pub mod wording;

pub use require_sign_in::RequireSignIn;

use crate::{
    config::{Config, RegistryConfig, SharedConfig, SignInKind},
    problem::Problem,
    routes::{is_console_path, Route},
};
use acr_client::{
    entra::{self, EntraApp, IdClaims, LogoutHint},
    ClientError, ClientOptions, Credential, EntraTokenSource, RegistryClient, Transport,
};
use acr_types::Secret;
use callback::Callback;
use futures_util::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use std::sync::Arc;
use storage::{PendingSignIn, StoredAccount, StoredSession};

/// The signed-in account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Display name.
    pub name: String,
    /// User principal name, or the ACR token's username.
    pub username: String,
}

/// Where the session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Reading `sessionStorage` or finishing a sign-in redirect: show neither the sign-in page
    /// nor signed-in content yet (no flash of the sign-in page on reload).
    Restoring,
    /// Nobody is signed in.
    SignedOut,
    /// Signed in.
    SignedIn(Account),
}

type Renewal = Shared<LocalBoxFuture<'static, Result<Secret, ClientError>>>;

/// What the session holds outside the reactive graph.
struct Inner {
    config: SharedConfig,
    transport: Arc<dyn Transport>,
    stored: Option<StoredSession>,
    /// The renewal in flight: concurrent callers share it (single-flight).
    renewing: Option<Renewal>,
    #[cfg(target_arch = "wasm32")]
    timer: Option<leptos::leptos_dom::helpers::TimeoutHandle>,
}

/// The session handle shared through context. Cheap to copy.
#[derive(Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
    generation: RwSignal<u64>,
    problem: RwSignal<Option<Problem>>,
    inner: StoredValue<Inner, LocalStorage>,
}

impl From<&StoredAccount> for Account {
    fn from(a: &StoredAccount) -> Self {
        Account { name: a.name.clone(), username: a.username.clone() }
    }
}

/// The Entra application described by the configuration, if it has one.
pub fn entra_app(config: &Config) -> Option<EntraApp> {
    config.entra.as_ref().map(|e| EntraApp {
        client_id: e.client_id.clone(),
        authority: e.authority.clone(),
        redirect_uri: e.redirect_uri.clone(),
        scopes: e.scopes.clone(),
    })
}

/// The account an id token names: its display name and user name.
pub fn account_from_claims(c: &IdClaims) -> StoredAccount {
    let username = c.preferred_username.clone().or_else(|| c.oid.clone()).unwrap_or_default();
    let name = c.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
        if username.is_empty() {
            "Signed-in user".into()
        } else {
            username.clone()
        }
    });
    StoredAccount { name, username, login_hint: c.login_hint.clone() }
}

/// The account of a stored session.
fn account_of(s: &StoredSession) -> Account {
    match s {
        StoredSession::Entra { account, .. } => account.into(),
        StoredSession::Token { username, .. } => {
            Account { name: username.clone(), username: username.clone() }
        }
    }
}

fn signed_out_error() -> ClientError {
    ClientError::SignInRequired { reason: "you are signed out".into() }
}

/// The transport for the authority: the browser's fetch (a fake that always fails natively).
fn default_transport() -> Arc<dyn Transport> {
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

/// The page's origin, for absolute same-origin URLs (`http://localhost` outside a browser).
pub fn page_origin() -> String {
    let o = browser::origin();
    if o.is_empty() {
        "http://localhost".into()
    } else {
        o
    }
}

impl Session {
    fn create(config: SharedConfig, state: SessionState, transport: Arc<dyn Transport>) -> Self {
        Session {
            state: RwSignal::new(state),
            generation: RwSignal::new(0),
            problem: RwSignal::new(None),
            inner: StoredValue::new_local(Inner {
                config,
                transport,
                stored: None,
                renewing: None,
                #[cfg(target_arch = "wasm32")]
                timer: None,
            }),
        }
    }

    /// The current state.
    pub fn state(&self) -> Signal<SessionState> {
        self.state.into()
    }

    /// Changes whenever who is signed in changes (sign-in, sign-out, session end), so registry
    /// clients built for the previous account are rebuilt.
    pub fn generation(&self) -> Signal<u64> {
        self.generation.into()
    }

    /// The last sign-in failure (shown on the sign-in page), cleared by the next sign-in.
    pub fn problem(&self) -> Signal<Option<Problem>> {
        self.problem.into()
    }

    /// The signed-in account, if any.
    pub fn account(&self) -> Option<Account> {
        match self.state.get() {
            SessionState::SignedIn(a) => Some(a),
            _ => None,
        }
    }

    fn config(&self) -> Option<SharedConfig> {
        self.inner.try_with_value(|i| i.config.clone())
    }

    fn transport(&self) -> Option<Arc<dyn Transport>> {
        self.inner.try_with_value(|i| i.transport.clone())
    }

    fn now_ms(&self) -> u64 {
        self.inner.try_with_value(|i| i.transport.now_ms()).unwrap_or_default()
    }

    /// Sets the state; the generation moves when the account changes.
    fn set_state(&self, next: SessionState) {
        let Some(prev) = self.state.try_get_untracked() else { return };
        if prev != next {
            let identity_changed = !matches!(
                (&prev, &next),
                (SessionState::Restoring, SessionState::SignedOut)
                    | (SessionState::SignedOut, SessionState::Restoring)
            );
            self.state.set(next);
            if identity_changed {
                self.generation.update(|g| *g += 1);
            }
        }
    }

    /// Keeps `s` as the session (memory and `sessionStorage`) and shows it as signed in.
    fn adopt(&self, s: StoredSession) {
        storage::save_session(&s);
        let account = account_of(&s);
        self.inner.update_value(|i| i.stored = Some(s));
        self.problem.set(None);
        self.set_state(SessionState::SignedIn(account));
        self.schedule_renewal();
    }

    /// Ends the session locally: memory and `sessionStorage` cleared, state signed out.
    fn forget(&self) {
        self.inner.try_update_value(|i| {
            i.stored = None;
            i.renewing = None;
            #[cfg(target_arch = "wasm32")]
            if let Some(t) = i.timer.take() {
                t.clear();
            }
        });
        storage::clear();
        self.set_state(SessionState::SignedOut);
    }

    /// The ACR credential for `registry`, when signed in for it: the Entra session for Entra
    /// registries, the token's username and password for the token's registry.
    pub fn credential(&self, registry: &RegistryConfig) -> Option<Credential> {
        let stored = self.inner.try_with_value(|i| i.stored.clone()).flatten()?;
        match (registry.sign_in, stored) {
            (SignInKind::Entra, StoredSession::Entra { .. }) => {
                Some(Credential::Entra(Arc::new(*self)))
            }
            (SignInKind::Token, StoredSession::Token { registry: name, username, password })
                if name == registry.name =>
            {
                Some(Credential::Password { username, password })
            }
            _ => None,
        }
    }

    /// Reads the address bar and `sessionStorage`: finishes a sign-in redirect, or restores the
    /// stored session (renewing it first when its access token has expired).
    fn start(self) {
        let answer = callback::parse(&browser::search());
        // The sign-in in progress is consumed by an answer only: a page load without one (Back
        // from the authority, a reload) keeps it, so Forward to the authority can still finish.
        let pending = match answer {
            Callback::None => None,
            _ => storage::take_pending(),
        };
        match answer {
            Callback::None => self.restore(),
            Callback::Code { code, state } => {
                let return_to = pending
                    .as_ref()
                    .and_then(|p| p.return_to.clone())
                    .filter(|r| is_console_path(r));
                // The code and state leave the address bar before anything else happens; the
                // sign-in page shows progress and then returns to `return_to`.
                browser::replace_url(&Route::SignIn { return_to }.href());
                match pending {
                    Some(p) if p.state == state => {
                        self.set_state(SessionState::Restoring);
                        leptos::task::spawn_local(self.finish_sign_in(code, p));
                    }
                    _ => {
                        self.problem.set(Some(wording::state_mismatch()));
                        self.restore();
                    }
                }
            }
            Callback::Error { error, description, subcode, state } => {
                // Only an answer to this tab's own sign-in is quoted: anyone can craft a link
                // with an `error_description` saying whatever they like.
                let ours = pending.filter(|p| state.as_deref() == Some(p.state.as_str()));
                let problem = match &ours {
                    Some(_) => wording::refused(&error, subcode.as_deref(), description.as_deref()),
                    None => wording::unsolicited_error(),
                };
                let return_to = ours.and_then(|p| p.return_to).filter(|r| is_console_path(r));
                browser::replace_url(&Route::SignIn { return_to }.href());
                self.problem.set(Some(problem));
                self.restore();
            }
        }
    }

    /// Restores the stored session, if there is a usable one.
    fn restore(self) {
        let config = self.config();
        let stored = storage::load_session();
        match stored {
            Some(s @ StoredSession::Entra { .. }) => {
                let StoredSession::Entra { issued_at_ms, expires_at_ms, ref refresh_token, .. } = s
                else {
                    return;
                };
                let usable = callback::is_usable(self.now_ms(), issued_at_ms, expires_at_ms);
                let renewable = refresh_token.is_some();
                let account = account_of(&s);
                self.inner.update_value(|i| i.stored = Some(s));
                if usable {
                    self.set_state(SessionState::SignedIn(account));
                    self.schedule_renewal();
                } else if renewable {
                    self.set_state(SessionState::Restoring);
                    leptos::task::spawn_local(async move {
                        // Success and failure both settle the state.
                        let _ = self.renew().await;
                    });
                } else {
                    self.forget();
                    self.problem.set(Some(wording::expired_without_renewal()));
                }
            }
            Some(s @ StoredSession::Token { .. }) => {
                let known = matches!(&s, StoredSession::Token { registry, .. }
                    if config.as_ref().and_then(|c| c.registry(registry)).is_some_and(|r| r.sign_in == SignInKind::Token));
                if known {
                    let account = account_of(&s);
                    self.inner.update_value(|i| i.stored = Some(s));
                    self.set_state(SessionState::SignedIn(account));
                } else {
                    self.forget();
                }
            }
            None => self.set_state(SessionState::SignedOut),
        }
    }

    /// Redeems the code of a sign-in redirect and checks the id token's nonce.
    async fn finish_sign_in(self, code: String, pending: PendingSignIn) {
        let (Some(config), Some(transport)) = (self.config(), self.transport()) else { return };
        let Some(app) = entra_app(&config) else {
            self.problem.set(Some(wording::no_entra()));
            self.restore();
            return;
        };
        let outcome = entra::redeem_code(&*transport, &app, &code, &pending.verifier).await;
        let result = match outcome {
            Err(e) => Err(wording::redemption_failed(&e)),
            Ok(tokens) => {
                match tokens.id_token.as_ref().and_then(|t| entra::id_token_claims(t.expose())) {
                    None => Err(wording::no_id_token()),
                    Some(c) if c.nonce.as_deref() != Some(pending.nonce.as_str()) => {
                        Err(wording::nonce_mismatch())
                    }
                    Some(c) => Ok(StoredSession::Entra {
                        account: account_from_claims(&c),
                        access_token: tokens.access_token,
                        refresh_token: tokens.refresh_token,
                        issued_at_ms: tokens.issued_at_ms,
                        expires_at_ms: tokens.expires_at_ms,
                    }),
                }
            }
        };
        match result {
            Ok(s) => self.adopt(s),
            Err(p) => {
                self.problem.set(Some(p));
                self.restore();
            }
        }
    }

    /// Renews the Entra tokens now; concurrent callers share one request. On refusal the
    /// session ends (signed out, with the reason on the sign-in page).
    pub fn renew(self) -> impl std::future::Future<Output = Result<Secret, ClientError>> {
        let shared = self.inner.try_update_value(|i| {
            if let Some(r) = &i.renewing {
                return r.clone();
            }
            let r = self.renew_once().boxed_local().shared();
            i.renewing = Some(r.clone());
            r
        });
        async move {
            match shared {
                Some(r) => r.await,
                None => Err(signed_out_error()),
            }
        }
    }

    async fn renew_once(self) -> Result<Secret, ClientError> {
        let current = self
            .inner
            .try_with_value(|i| match &i.stored {
                Some(StoredSession::Entra {
                    account,
                    refresh_token: Some(rt),
                    issued_at_ms,
                    expires_at_ms,
                    ..
                }) => Some((
                    i.config.clone(),
                    i.transport.clone(),
                    account.clone(),
                    rt.clone(),
                    (*issued_at_ms, *expires_at_ms),
                )),
                _ => None,
            })
            .flatten();
        let Some((config, transport, account, refresh_token, old_expiry)) = current else {
            self.inner.try_update_value(|i| i.renewing = None);
            let entra = self
                .inner
                .try_with_value(|i| matches!(i.stored, Some(StoredSession::Entra { .. })))
                .unwrap_or(false);
            if entra {
                // Signed in without a refresh token (the authority gave none): the session
                // ends with its access token, and the reader is told so.
                self.forget();
                self.problem.set(Some(wording::expired_without_renewal()));
            }
            return Err(signed_out_error());
        };
        let result = match entra_app(&config) {
            Some(app) => entra::refresh(&*transport, &app, &refresh_token).await,
            None => Err(signed_out_error()),
        };
        self.inner.try_update_value(|i| i.renewing = None);
        match result {
            Ok(tokens) => {
                let access = tokens.access_token.clone();
                self.adopt(StoredSession::Entra {
                    account,
                    access_token: tokens.access_token,
                    // Entra rotates refresh tokens; keep the old one if none came back.
                    refresh_token: tokens.refresh_token.or(Some(refresh_token)),
                    issued_at_ms: tokens.issued_at_ms,
                    expires_at_ms: tokens.expires_at_ms,
                });
                Ok(access)
            }
            Err(e)
                if e.is_transient()
                    && callback::is_usable(self.now_ms(), old_expiry.0, old_expiry.1) =>
            {
                // Offline for now: the token still works; try again shortly.
                self.schedule_in(callback::RETRY_AFTER);
                Err(e)
            }
            Err(e) => {
                self.forget();
                self.problem.set(Some(wording::session_ended(&e)));
                Err(match e {
                    e @ ClientError::SignInRequired { .. } => e,
                    other => ClientError::SignInRequired { reason: other.to_string() },
                })
            }
        }
    }

    /// Arms the renewal timer for the stored Entra tokens.
    fn schedule_renewal(&self) {
        let times = self
            .inner
            .try_with_value(|i| match &i.stored {
                Some(StoredSession::Entra {
                    issued_at_ms, expires_at_ms, refresh_token, ..
                }) => Some((*issued_at_ms, *expires_at_ms, refresh_token.is_some())),
                _ => None,
            })
            .flatten();
        if let Some((issued, expires, renewable)) = times {
            let now = self.now_ms();
            self.schedule_in(if renewable {
                callback::renew_delay(now, issued, expires)
            } else {
                // Nothing to renew with: end the session when the token stops being usable.
                callback::unusable_delay(now, issued, expires)
            });
        }
    }

    #[cfg(target_arch = "wasm32")]
    fn schedule_in(&self, delay: std::time::Duration) {
        let this = *self;
        let handle = leptos::leptos_dom::helpers::set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    let _ = this.renew().await;
                })
            },
            delay,
        )
        .ok();
        self.inner.try_update_value(|i| {
            if let Some(old) = std::mem::replace(&mut i.timer, handle) {
                old.clear();
            }
        });
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn schedule_in(&self, _delay: std::time::Duration) {}

    /// Starts signing in with Microsoft: stores the PKCE verifier, state, nonce and `return_to`
    /// in `sessionStorage` and sends the browser to the authority. Only console paths are kept
    /// as `return_to`.
    pub fn start_sign_in(&self, return_to: Option<String>) -> Result<(), Problem> {
        let config = self.config().ok_or_else(wording::no_entra)?;
        let app = entra_app(&config).ok_or_else(wording::no_entra)?;
        let request = entra::authorize_url(&app, None).map_err(Problem::from)?;
        storage::save_pending(&PendingSignIn {
            state: request.state,
            nonce: request.nonce,
            verifier: request.verifier,
            return_to: return_to.filter(|r| is_console_path(r)),
        });
        self.problem.set(None);
        browser::assign(&request.url);
        Ok(())
    }

    /// Signs in to the token registry `registry` with a repository-scoped token: the password
    /// is checked at the registry's token endpoint, then kept in `sessionStorage`.
    pub async fn sign_in_with_token(
        self,
        registry: &str,
        username: &str,
        password: &str,
    ) -> Result<(), Problem> {
        let config = self.config().ok_or_else(wording::no_entra)?;
        let Some(reg) = config.registry(registry).filter(|r| r.sign_in == SignInKind::Token) else {
            return Err(Problem::new(
                "Unknown registry",
                ["No registry named \"", registry, "\" signs in with a token."].concat(),
                "Pick a registry from the list.",
            ));
        };
        let (username, password) = (username.trim(), Secret::new(password));
        if username.is_empty() || password.is_empty() {
            return Err(Problem::new(
                "Username and password needed",
                "Both the token name and its password are needed.",
                "Fill in both fields.",
            ));
        }
        let transport = self.transport().ok_or_else(wording::no_entra)?;
        let credential =
            Credential::Password { username: username.to_owned(), password: password.clone() };
        let endpoint = [page_origin().as_str(), reg.endpoint.as_str()].concat();
        let client = RegistryClient::new(
            transport,
            &endpoint,
            &reg.login_server,
            credential,
            ClientOptions::default(),
        )
        .map_err(Problem::from)?;
        match client.can_list_catalog().await {
            Ok(_) => {
                self.adopt(StoredSession::Token {
                    registry: reg.name.clone(),
                    username: username.to_owned(),
                    password,
                });
                Ok(())
            }
            Err(ClientError::SignInRequired { .. }) => {
                Err(wording::token_refused(&reg.login_server))
            }
            Err(e) => Err(Problem::from(e)),
        }
    }

    /// Signs out: forgets the tokens (`sessionStorage` cleared, clients rebuilt without them),
    /// then ends the session at the authority, which sends the browser back to the configured
    /// post-logout address. A token session returns to the overview.
    pub fn sign_out(&self) {
        let stored = self.inner.try_with_value(|i| i.stored.clone()).flatten();
        let config = self.config();
        self.forget();
        self.problem.set(None);
        let end_session = match (&stored, config.as_deref()) {
            (Some(StoredSession::Entra { account, .. }), Some(c)) => {
                entra_app(c).zip(c.entra.as_ref()).and_then(|(app, e)| {
                    // As MSAL.js: the id token's `login_hint` claim names the account to sign
                    // out; without it the authority asks which account.
                    let hint = account
                        .login_hint
                        .as_deref()
                        .filter(|h| !h.is_empty())
                        .map(LogoutHint::Login);
                    entra::end_session_url(&app, &e.post_logout_redirect_uri, hint).ok()
                })
            }
            _ => None,
        };
        browser::assign(&end_session.unwrap_or_else(|| Route::Home.href()));
    }
}

impl EntraTokenSource for Session {
    fn access_token(&self, force_refresh: bool) -> LocalBoxFuture<'_, Result<Secret, ClientError>> {
        let this = *self;
        Box::pin(async move {
            let current = this
                .inner
                .try_with_value(|i| match &i.stored {
                    Some(StoredSession::Entra {
                        access_token,
                        issued_at_ms,
                        expires_at_ms,
                        ..
                    }) => Some((access_token.clone(), *issued_at_ms, *expires_at_ms)),
                    _ => None,
                })
                .flatten();
            match current {
                None => Err(signed_out_error()),
                Some((token, issued, expires))
                    if !force_refresh && callback::is_usable(this.now_ms(), issued, expires) =>
                {
                    Ok(token)
                }
                Some(_) => this.renew().await,
            }
        })
    }
}

/// Restores or starts the session (finishing a sign-in redirect if the address bar carries
/// one) and provides it as context.
pub fn provide_session(config: SharedConfig) -> Session {
    let session = Session::create(config, SessionState::Restoring, default_transport());
    provide_context(session);
    session.start();
    session
}

/// Provides a session fixed in `state`, which reads neither the address bar nor storage: for
/// component tests and previews. A `SignedIn` state here holds no credential.
pub fn provide_session_in_state(config: SharedConfig, state: SessionState) -> Session {
    let session = Session::create(config, state, default_transport());
    provide_context(session);
    session
}

/// The session from context.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The session from context, if one is provided.
pub fn try_use_session() -> Option<Session> {
    use_context::<Session>()
}

/// Shows `problem` on the sign-in page (tests, and pages that end a session themselves).
pub fn report_problem(session: &Session, problem: Problem) {
    session.problem.set(Some(problem));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_come_from_the_id_token() {
        let c = IdClaims {
            name: Some("Adele Admin".into()),
            preferred_username: Some("admin@contoso.example".into()),
            ..IdClaims::default()
        };
        assert_eq!(
            account_from_claims(&c),
            StoredAccount {
                name: "Adele Admin".into(),
                username: "admin@contoso.example".into(),
                login_hint: None
            }
        );
        let c = IdClaims { oid: Some("o-1".into()), ..IdClaims::default() };
        assert_eq!(account_from_claims(&c).name, "o-1");
        assert_eq!(account_from_claims(&IdClaims::default()).name, "Signed-in user");
    }

    #[test]
    fn the_entra_app_comes_from_the_configuration() {
        let text = r#"{"auth":{"clientId":"c","authority":"https://login.example/t","redirectUri":"https://console.example/"},
            "registries":[{"name":"prod","loginServer":"prod.azurecr.io","endpoint":"/registry/prod"}]}"#;
        let config = crate::config::parse(text, "https://console.example").unwrap();
        let app = entra_app(&config).unwrap();
        assert_eq!(app.token_endpoint(), "https://login.example/t/oauth2/v2.0/token");
        assert_eq!(app.scopes, [crate::config::DEFAULT_SCOPE]);
    }

    fn token_config() -> SharedConfig {
        let text = r#"{"registries":[{"name":"edge","loginServer":"edge.azurecr.io","endpoint":"/registry/edge","signIn":"token"},
            {"name":"prod","loginServer":"prod.azurecr.io","endpoint":"/registry/prod"}],
            "auth":{"clientId":"c","authority":"https://login.example/t","redirectUri":"https://console.example/"}}"#;
        Arc::new(crate::config::parse(text, "https://console.example").unwrap())
    }

    #[test]
    fn credentials_match_the_registrys_kind_of_sign_in() {
        let owner = Owner::new();
        owner.with(|| {
            let config = token_config();
            let s = Session::create(config.clone(), SessionState::SignedOut, default_transport());
            let (edge, prod) = (config.registry("edge").unwrap(), config.registry("prod").unwrap());
            assert!(s.credential(edge).is_none() && s.credential(prod).is_none());

            let before = s.generation.get_untracked();
            s.adopt(StoredSession::Token {
                registry: "edge".into(),
                username: "ci".into(),
                password: Secret::new("pw"),
            });
            assert_eq!(s.account().map(|a| a.username), Some("ci".into()));
            assert!(s.generation.get_untracked() > before, "sign-in moves the generation");
            assert!(matches!(s.credential(edge), Some(Credential::Password { ref username, .. }) if username == "ci"));
            assert!(s.credential(prod).is_none(), "a token is for its registry only");

            s.adopt(StoredSession::Entra {
                account: StoredAccount {
                    name: "A".into(),
                    username: "a@b".into(),
                    login_hint: None,
                },
                access_token: Secret::new("AT"),
                refresh_token: None,
                issued_at_ms: 0,
                expires_at_ms: u64::MAX,
            });
            assert!(matches!(s.credential(prod), Some(Credential::Entra(_))));
            assert!(s.credential(edge).is_none());

            let before = s.generation.get_untracked();
            s.forget();
            assert_eq!(s.state.get_untracked(), SessionState::SignedOut);
            assert!(s.generation.get_untracked() > before, "sign-out moves the generation");
            assert!(s.credential(prod).is_none());
        });
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[tokio::test]
    async fn a_session_without_a_refresh_token_ends_when_its_token_expires() {
        use acr_client::transport::fake::FakeTransport;
        let owner = Owner::new();
        let fake = FakeTransport::new(|_| Err(acr_client::TransportError::new("no request")));
        let s = owner.with(|| {
            Session::create(token_config(), SessionState::SignedOut, Arc::new(fake.clone()))
        });
        let now = fake.now_ms();
        owner.with(|| {
            s.adopt(StoredSession::Entra {
                account: StoredAccount {
                    name: "A".into(),
                    username: "a@b".into(),
                    login_hint: None,
                },
                access_token: Secret::new("AT-1"),
                refresh_token: None,
                issued_at_ms: now - 3_600_000,
                expires_at_ms: now + 1_000,
            })
        });
        let e = s.access_token(false).await.unwrap_err();
        assert!(matches!(e, ClientError::SignInRequired { .. }), "{e:?}");
        assert_eq!(s.state.get_untracked(), SessionState::SignedOut, "signed out, not stuck");
        let p = s.problem.get_untracked().expect("the reader is told why");
        assert_eq!(p, wording::expired_without_renewal());
        assert!(fake.requests().is_empty(), "nothing to renew with, so no request");
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[tokio::test]
    async fn the_session_hands_out_a_fresh_token_and_renews_an_expiring_one() {
        use acr_client::transport::fake::{json_response, FakeTransport};
        let owner = Owner::new();
        let fake = FakeTransport::new(|req| {
            let body = String::from_utf8_lossy(req.body()).into_owned();
            if body.contains("refresh_token=RT-1") {
                Ok(json_response(
                    200,
                    &serde_json::json!({"token_type":"Bearer","expires_in":3600,"access_token":"AT-2","refresh_token":"RT-2"}),
                    &[],
                ))
            } else {
                Ok(json_response(
                    400,
                    &serde_json::json!({"error":"invalid_grant","error_description":"AADSTS9002313: revoked"}),
                    &[],
                ))
            }
        });
        let s = owner.with(|| {
            Session::create(token_config(), SessionState::SignedOut, Arc::new(fake.clone()))
        });
        let now = fake.now_ms();
        owner.with(|| {
            s.adopt(StoredSession::Entra {
                account: StoredAccount {
                    name: "A".into(),
                    username: "a@b".into(),
                    login_hint: None,
                },
                access_token: Secret::new("AT-1"),
                refresh_token: Some(Secret::new("RT-1")),
                issued_at_ms: now - 3_590_000,
                expires_at_ms: now + 10_000,
            })
        });
        // Ten seconds left: too close to expiry, so it is renewed (once, for two callers).
        let (a, b) = futures_util::join!(s.access_token(false), s.access_token(false));
        assert_eq!(a.unwrap().expose(), "AT-2");
        assert_eq!(b.unwrap().expose(), "AT-2");
        assert_eq!(fake.requests().len(), 1, "single-flight renewal");
        assert_eq!(s.access_token(false).await.unwrap().expose(), "AT-2", "fresh now: no request");
        assert_eq!(fake.requests().len(), 1);
        // A forced renewal uses the rotated refresh token, which the fake refuses: signed out.
        let e = s.access_token(true).await.unwrap_err();
        assert!(matches!(e, ClientError::SignInRequired { .. }), "{e:?}");
        assert_eq!(s.state.get_untracked(), SessionState::SignedOut);
        let p = s.problem.get_untracked().unwrap();
        assert!(p.detail.contains("AADSTS9002313"), "{p:?}");
        assert!(s.access_token(false).await.is_err());
    }
}
