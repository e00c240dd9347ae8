//! The browser transport: `fetch` through gloo-net, timers through gloo-timers, the clock from
//! `Date.now()`. A request's `AbortController` is aborted when its future is dropped, so a page
//! that navigates away cancels what it no longer needs. Bodies are read as a stream and cut at the
//! request's [`BodyLimit`], so a registry cannot make the console hold an endless answer.

use super::{BodyLimit, HttpRequest, HttpResponse, Transport, TransportError};
use futures_util::future::LocalBoxFuture;
use js_sys::wasm_bindgen::JsCast;
use std::time::Duration;

/// Sends requests with the browser's `fetch`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FetchTransport;

/// Aborts the request when dropped before the answer was read.
pub struct AbortOnDrop(pub Option<web_sys::AbortController>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

impl Transport for FetchTransport {
    fn send(
        &self,
        request: HttpRequest,
    ) -> LocalBoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let controller = web_sys::AbortController::new()
                .map_err(|_| TransportError::new("the browser could not create a request"))?;
            let mut guard = AbortOnDrop(Some(controller.clone()));
            let limit = BodyLimit::of(&request);
            let (parts, body) = request.into_parts();
            let method = gloo_net::http::Method::from_bytes(parts.method.as_str().as_bytes())
                .map_err(|_| TransportError::new("unsupported method"))?;
            let mut builder = gloo_net::http::RequestBuilder::new(&parts.uri.to_string())
                .method(method)
                .abort_signal(Some(&controller.signal()))
                // Credentials travel in the Authorization header only, never as cookies.
                .credentials(web_sys::RequestCredentials::Omit)
                // A redirect is never followed (the next hop could be anywhere): it comes back
                // as an opaque answer, reported as a 307 for the client to refuse.
                .redirect(web_sys::RequestRedirect::Manual);
            for (k, v) in &parts.headers {
                if let Ok(v) = v.to_str() {
                    builder = builder.header(k.as_str(), v);
                }
            }
            let req = if body.is_empty() {
                builder.build()
            } else {
                builder.body(js_sys::Uint8Array::from(body.as_slice()))
            }
            .map_err(|_| TransportError::new("the browser refused to build the request"))?;
            // Said of the registry and of the sign-in authority alike: the caller names which.
            let res = req.send().await.map_err(|_| {
                TransportError::new(
                    "no answer came back: a network error, or the browser blocked the request",
                )
            })?;
            if res.type_() == web_sys::ResponseType::Opaqueredirect {
                // The browser hides the status and the target; nothing was sent there.
                return http::Response::builder()
                    .status(http::StatusCode::TEMPORARY_REDIRECT)
                    .body(Vec::new())
                    .map_err(|e| TransportError::new(e.to_string()));
            }
            let mut out = http::Response::builder().status(res.status());
            let headers = res.headers();
            for name in super::RESPONSE_HEADERS {
                if let Some(v) = headers.get(name.as_str()) {
                    out = out.header(name, v);
                }
            }
            let bytes = read_body(&res, limit).await?;
            // A body cut at the limit leaves the rest unread: the guard aborts the request.
            if bytes.len() <= limit {
                guard.0 = None;
            }
            out.body(bytes).map_err(|e| TransportError::new(e.to_string()))
        })
    }

    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'_, ()> {
        let ms = u32::try_from(duration.as_millis()).unwrap_or(u32::MAX);
        Box::pin(gloo_timers::future::TimeoutFuture::new(ms))
    }

    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }
}

/// Reads `res`'s body chunk by chunk and stops (cancelling the stream) once it holds more than
/// `limit` bytes: the answer is cut after `limit + 1` bytes, however long the registry goes on.
async fn read_body(
    res: &gloo_net::http::Response,
    limit: usize,
) -> Result<Vec<u8>, TransportError> {
    let broke_off = || TransportError::new("the registry's answer broke off");
    let Some(stream) = res.body() else { return Ok(Vec::new()) };
    let reader: web_sys::ReadableStreamDefaultReader =
        stream.get_reader().dyn_into().map_err(|_| broke_off())?;
    let mut bytes = Vec::new();
    loop {
        let chunk =
            wasm_bindgen_futures::JsFuture::from(reader.read()).await.map_err(|_| broke_off())?;
        let chunk: web_sys::ReadableStreamReadResult = chunk.unchecked_into();
        if chunk.get_done().unwrap_or(true) {
            return Ok(bytes);
        }
        let part: js_sys::Uint8Array = chunk.get_value().dyn_into().map_err(|_| broke_off())?;
        let room = (limit + 1).saturating_sub(bytes.len());
        let take = u32::try_from(room).unwrap_or(u32::MAX).min(part.length());
        let start = bytes.len();
        bytes.resize(start + take as usize, 0);
        part.subarray(0, take).copy_to(&mut bytes[start..]);
        if bytes.len() > limit {
            // Nothing more is read: the caller's abort guard ends the request.
            return Ok(bytes);
        }
    }
}
