//! The native transport over reqwest, for tests against the emulator and for tools.

use super::{BodyLimit, HttpRequest, HttpResponse, Transport, TransportError};
use futures_util::future::LocalBoxFuture;
use std::time::Duration;

/// Sends requests with a `reqwest::Client`; redirects are not followed (the client decides).
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// A transport with a default client that follows no redirects.
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { client }
    }

    /// A transport over a given client (e.g. one trusting a test certificate).
    pub fn with_client(client: reqwest::Client) -> Self {
        Self { client }
    }
}

impl Default for ReqwestTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl Transport for ReqwestTransport {
    fn send(
        &self,
        request: HttpRequest,
    ) -> LocalBoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let limit = BodyLimit::of(&request);
            let req = reqwest::Request::try_from(request)
                .map_err(|e| TransportError::new(format!("invalid request: {e}")))?;
            let res = self.client.execute(req).await.map_err(|e| {
                TransportError::new(format!("could not reach the registry: {}", without_url(&e)))
            })?;
            let mut builder = http::Response::builder().status(res.status());
            for (k, v) in res.headers() {
                builder = builder.header(k, v);
            }
            // Read chunk by chunk, cut after `limit + 1` bytes (the rest is dropped unread).
            let mut res = res;
            let mut body = Vec::new();
            while body.len() <= limit {
                let chunk = res.chunk().await.map_err(|e| {
                    TransportError::new(format!("the answer broke off: {}", without_url(&e)))
                })?;
                let Some(chunk) = chunk else { break };
                let room = (limit + 1).saturating_sub(body.len());
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            builder.body(body).map_err(|e| TransportError::new(e.to_string()))
        })
    }

    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn now_ms(&self) -> u64 {
        super::system_now_ms()
    }
}

/// The error without its URL (URLs of paged lists are harmless, but keep messages short).
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "the registry");
    }
    s
}
