//! The demo Entra authority: OpenID configuration, a sign-in page listing the demo users,
//! authorization code + PKCE (S256), refresh tokens, signing keys and sign-out, so the console's
//! real sign-in code runs unchanged against it.
//!
//! Paths are those of `login.microsoftonline.com` under any `{tenant}` segment; the issuer is
//! `{scheme}://{Host}/{tenant}/v2.0`. Errors of the token endpoint have Entra's JSON shape
//! (`error`, `error_description` starting with an `AADSTS` code, `error_codes`); errors of the
//! browser endpoints are small HTML pages and never redirect to an unvalidated URI.
//!
//! Inside, from the bottom up: `error` (Entra's JSON errors), `sessions` (codes and refresh
//! tokens handed out, held by the app state), `pages` (the HTML pages), `request` (the validated
//! authorization request and redirects back to the client) and `handlers` (the routes).

mod error;
mod handlers;
mod pages;
mod request;
pub(crate) mod sessions;

pub use handlers::router;
pub use request::is_http_url;
pub use sessions::Sessions;
