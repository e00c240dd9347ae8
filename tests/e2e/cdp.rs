//! Chrome DevTools Protocol commands over WebDriver, through ChromeDriver's vendor endpoint
//! `POST /session/{id}/goog/cdp/execute` with `{"cmd": …, "params": …}`. Used for what WebDriver
//! itself cannot do, such as emulating `prefers-color-scheme`.

use fantoccini::{error::CmdError, wd::WebDriverCompatibleCommand, Client};
use serde_json::{json, Value};

/// One CDP method call, e.g. `Emulation.setEmulatedMedia`.
#[derive(Debug)]
struct CdpCommand {
    method: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for CdpCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Runs the CDP `method` with `params` in the session's current page target and returns its
/// result object.
pub async fn execute(
    client: &Client,
    method: &'static str,
    params: Value,
) -> Result<Value, CmdError> {
    client.issue_cmd(CdpCommand { method, params }).await
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
