//! The transport seam: requests and responses are plain `http` values, and a [`Transport`] is the
//! only thing that performs I/O, waits, or reads the clock. Three implementations: the browser's
//! fetch (`fetch`, wasm32 only), reqwest (`reqwest`, feature `reqwest`), and a scripted fake for
//! tests (`fake`).

use futures_util::future::LocalBoxFuture;
use std::time::Duration;

#[cfg(target_arch = "wasm32")]
pub mod fetch;
#[cfg(all(feature = "reqwest", not(target_arch = "wasm32")))]
pub mod reqwest;

pub mod fake;

/// A request as the client builds it.
pub type HttpRequest = http::Request<Vec<u8>>;
/// A response as the transport returns it.
pub type HttpResponse = http::Response<Vec<u8>>;

/// The response headers the client reads. A transport may hand over only these: the browser's
/// transport does, because turning arbitrary header names into `http` values costs the wasm
/// bundle a generic header-name parser (about 17 KB) for headers nobody reads.
pub const RESPONSE_HEADERS: [http::HeaderName; 4] = [
    http::header::WWW_AUTHENTICATE,
    http::header::RETRY_AFTER,
    http::header::LINK,
    http::header::CONTENT_TYPE,
];

/// Largest response body a transport reads when the request names no [`BodyLimit`].
pub const DEFAULT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// A request extension: read at most this many bytes of the answer's body. A longer body is cut
/// after `limit + 1` bytes and the rest is never read (the request is aborted), so the caller
/// sees that it was too long without holding all of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimit(pub usize);

impl BodyLimit {
    /// The limit `request` asks for, else [`DEFAULT_BODY_LIMIT`].
    pub fn of(request: &HttpRequest) -> usize {
        request.extensions().get::<BodyLimit>().map_or(DEFAULT_BODY_LIMIT, |l| l.0)
    }
}

/// Why a request got no HTTP response at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    /// What happened, in one sentence (never contains a token).
    pub message: String,
}

impl TransportError {
    /// A transport error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

/// Sends requests, sleeps and tells the time.
///
/// The trait object is `Send + Sync` so a client can live in shared state, but the futures it
/// returns need not be `Send`: the browser's fetch futures are not, and no `async_trait` or
/// conditional `Send` bounds are needed anywhere.
pub trait Transport: Send + Sync + 'static {
    /// Sends one request. Dropping the future cancels the request where the platform can.
    fn send(
        &self,
        request: HttpRequest,
    ) -> LocalBoxFuture<'_, Result<HttpResponse, TransportError>>;

    /// Waits for `duration` (used between retries).
    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'_, ()>;

    /// Milliseconds since the Unix epoch (token expiry checks).
    fn now_ms(&self) -> u64;
}

/// The wall clock on native targets.
#[cfg(not(target_arch = "wasm32"))]
pub fn system_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
