//! A scripted transport for tests: answers requests with a closure, records every request, and
//! runs on a fake clock that `sleep` advances instantly, so retry and expiry logic is tested
//! without waiting.

use super::{HttpRequest, HttpResponse, Transport, TransportError};
use futures_util::future::LocalBoxFuture;
use std::{
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

type Handler = dyn Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync;

/// A transport whose answers come from a closure.
#[derive(Clone)]
pub struct FakeTransport {
    handler: Arc<Handler>,
    log: Arc<Mutex<Log>>,
}

#[derive(Default)]
struct Log {
    requests: Vec<HttpRequest>,
    sleeps: Vec<Duration>,
    now_ms: u64,
}

/// Completes on its second poll, so concurrent callers really interleave.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

impl FakeTransport {
    /// A transport answering with `handler`; the clock starts at 2026-01-01T00:00:00Z.
    pub fn new(
        handler: impl Fn(&HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync + 'static,
    ) -> Self {
        let log = Log { now_ms: 1_767_225_600_000, ..Log::default() };
        Self { handler: Arc::new(handler), log: Arc::new(Mutex::new(log)) }
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every request sent so far, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.log().requests.clone()
    }

    /// `METHOD path?query` of every request so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.log()
            .requests
            .iter()
            .map(|r| {
                let pq = r.uri().path_and_query().map_or("", |p| p.as_str());
                format!("{} {pq}", r.method())
            })
            .collect()
    }

    /// Every sleep so far.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.log().sleeps.clone()
    }

    /// Moves the fake clock forward.
    pub fn advance(&self, by: Duration) {
        self.log().now_ms += u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
    }
}

impl Transport for FakeTransport {
    fn send(
        &self,
        request: HttpRequest,
    ) -> LocalBoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            YieldOnce(false).await;
            // Like the real transports: a body longer than the request's limit is cut after
            // `limit + 1` bytes.
            let cut = super::BodyLimit::of(&request).saturating_add(1);
            let answer = (self.handler)(&request).map(|mut res| {
                res.body_mut().truncate(cut);
                res
            });
            self.log().requests.push(request);
            answer
        })
    }

    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'_, ()> {
        {
            let mut log = self.log();
            log.sleeps.push(duration);
            log.now_ms += u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        }
        Box::pin(YieldOnce(false))
    }

    fn now_ms(&self) -> u64 {
        self.log().now_ms
    }
}

/// A response with `status`, JSON `body` and extra headers, for fake handlers.
pub fn json_response(
    status: u16,
    body: &serde_json::Value,
    headers: &[(&str, &str)],
) -> HttpResponse {
    let mut b = http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json; charset=utf-8");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(serde_json::to_vec(body).unwrap_or_default()).unwrap_or_default()
}
