//! Chrome DevTools Protocol commands over WebDriver (`acr-webdriver` sends them through
//! ChromeDriver's vendor endpoint), for what WebDriver itself cannot do, such as emulating
//! `prefers-color-scheme`.

use fantoccini::{error::CmdError, Client};
use serde_json::{json, Value};

/// Runs the CDP `method` with `params` in the session's current page target and returns its
/// result object.
pub async fn execute(
    client: &Client,
    method: &'static str,
    params: Value,
) -> Result<Value, CmdError> {
    acr_webdriver::cdp(client, method, params).await
}

/// The colour scheme the page sees in `prefers-color-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorScheme {
    /// `prefers-color-scheme: light`.
    Light,
    /// `prefers-color-scheme: dark`.
    Dark,
}

/// Emulates `prefers-color-scheme` for the session's page until changed again.
pub async fn emulate_color_scheme(client: &Client, scheme: ColorScheme) -> Result<(), CmdError> {
    let value = match scheme {
        ColorScheme::Light => "light",
        ColorScheme::Dark => "dark",
    };
    let features = json!({ "features": [{ "name": "prefers-color-scheme", "value": value }] });
    execute(client, "Emulation.setEmulatedMedia", features).await.map(drop)
}
