//! The emulator's HTTP surface: assembles the registry (`/acr/v1`, `/v2`, `/oauth2`), the demo
//! authority, the test endpoints and the optional console host into one router, with the layers
//! every registry response goes through (ACR's headers, opt-in CORS, injected faults).

pub mod acr;
pub mod console;
pub mod request;
pub mod v2;

pub use request::{read_body, Ctx};

use crate::{
    error::ApiError,
    state::{AppState, Stats},
};
use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get, post},
    Router,
};
use rand::Rng;

/// The decoded wildcard of a path; undecodable percent-escapes are a 400.
type Rest = Result<Path<String>, axum::extract::rejection::PathRejection>;

fn rest(p: Rest) -> Result<String, ApiError> {
    p.map(|Path(s)| s).map_err(|e| {
        ApiError::bad_request(acr_types::code::NAME_INVALID, format!("invalid path: {e}"))
    })
}

async fn acr_catalog(ctx: Ctx) -> Result<Response, ApiError> {
    acr::catalog(ctx).await
}
async fn acr_dispatch(ctx: Ctx, p: Rest, body: Body) -> Result<Response, ApiError> {
    acr::dispatch(ctx, rest(p)?, body).await
}
async fn v2_probe(ctx: Ctx) -> Result<Response, ApiError> {
    v2::probe(ctx).await
}
async fn v2_catalog(ctx: Ctx) -> Result<Response, ApiError> {
    v2::catalog(ctx).await
}
async fn v2_dispatch(ctx: Ctx, p: Rest, body: Body) -> Result<Response, ApiError> {
    v2::dispatch(ctx, rest(p)?, body).await
}

/// The registry as ACR serves it on its login server: `/acr/v1`, `/v2` and `/oauth2`, with ACR's
/// response headers, opt-in CORS and injected faults.
pub fn registry(state: &AppState) -> Router<AppState> {
    let data_plane = Router::new()
        .route("/acr/v1/_catalog", get(acr_catalog))
        .route("/acr/v1/{*rest}", any(acr_dispatch))
        .route("/v2/", get(v2_probe))
        .route("/v2/_catalog", get(v2_catalog))
        .route("/v2/{*rest}", any(v2_dispatch))
        .layer(middleware::from_fn(acr_headers));
    Router::new()
        .merge(data_plane)
        .merge(crate::oauth2::router().layer(middleware::map_response(token_headers)))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), faults))
        .layer(middleware::from_fn_with_state(state.clone(), cors))
}

/// The whole emulator: the registry at the root, the demo authority, the test endpoints and,
/// when configured, the console with the registry again under `/registry/<name>/` (the path the
/// production proxy uses), all on one origin.
pub fn app(state: AppState) -> Router {
    let mut app = Router::new()
        .route("/_emulator/stats", get(stats))
        .route("/_emulator/stats/reset", post(stats_reset))
        .merge(crate::entra::router())
        .merge(registry(&state));
    if let Some(dir) = &state.config.console_dir {
        let prefix = format!("/registry/{}", state.config.registry_name);
        app = app
            .nest(&prefix, registry(&state).fallback(not_found))
            .route("/config.json", get(console::config))
            .fallback_service(console::files(dir));
    } else {
        app = app.fallback(not_found);
    }
    app.method_not_allowed_fallback(method_not_allowed).with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The header naming the remaining call budget.
const RATE_LIMIT: &str = "x-ms-ratelimit-remaining-calls-per-second";
/// Its value on token answers: ACR's recorded values hover around 166 (10,000 calls a minute).
const TOKEN_CALLS_LEFT: &str = "166.666667";
/// The same header on deletes, as recorded (`deletes.json`, `errors.json`).
const DELETE_CALLS_LEFT: &str = "8.000000";

/// Headers ACR puts on every answer of its login server, token endpoints included.
fn common_headers(h: &mut HeaderMap) {
    h.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    );
    h.insert(header::SERVER, HeaderValue::from_static("AzureContainerRegistry"));
    h.insert("x-ms-correlation-request-id", uuid_header());
}

fn uuid_header() -> HeaderValue {
    HeaderValue::from_str(&crate::token::random_uuid()).unwrap_or(HeaderValue::from_static("0"))
}

/// Headers ACR puts on every `/acr/v1` and `/v2` response. Deletes also carry a request id,
/// the client's `x-ms-client-request-id` repeated, and the remaining call budget.
async fn acr_headers(req: Request, next: Next) -> Response {
    let delete = req.method() == Method::DELETE;
    let client_request_id = req.headers().get("x-ms-client-request-id").cloned();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    common_headers(h);
    h.insert(
        "access-control-expose-headers",
        HeaderValue::from_static(
            "Docker-Content-Digest, WWW-Authenticate, Link, X-Ms-Correlation-Request-Id",
        ),
    );
    h.insert("docker-distribution-api-version", HeaderValue::from_static("registry/2.0"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if delete {
        if let Some(id) = client_request_id {
            h.insert("x-ms-client-request-id", id);
        }
        h.insert(RATE_LIMIT, HeaderValue::from_static(DELETE_CALLS_LEFT));
        h.insert("x-ms-request-id", uuid_header());
    }
    res
}

/// Headers of `/oauth2/exchange` and `/oauth2/token` answers.
async fn token_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    common_headers(h);
    h.insert(RATE_LIMIT, HeaderValue::from_static(TOKEN_CALLS_LEFT));
    res
}

/// Injected latency, 429s and 503s, and the request counters.
async fn faults(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let counter = if path.ends_with("/oauth2/exchange") {
        &state.stats.exchange
    } else if path.ends_with("/oauth2/token") {
        &state.stats.token
    } else {
        &state.stats.registry
    };
    Stats::bump(counter);
    let f = &state.config.faults;
    if !f.latency.is_zero() {
        tokio::time::sleep(f.latency).await;
    }
    if f.throttle_rate > 0.0 || f.unavailable_rate > 0.0 {
        let roll: f64 = rand::thread_rng().gen();
        if roll < f.throttle_rate {
            Stats::bump(&state.stats.throttled);
            return ApiError::Throttled(f.retry_after).into_response();
        }
        if roll < f.throttle_rate + f.unavailable_rate {
            Stats::bump(&state.stats.unavailable);
            return ApiError::Unavailable.into_response();
        }
    }
    next.run(req).await
}

/// CORS for the origins on the allow-list only; with an empty list (the default, like ACR) no
/// CORS header is ever sent and preflights fail.
async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|o| state.config.cors_origins.iter().any(|a| a == o || a == "*"))
        .and_then(|o| HeaderValue::from_str(o).ok());
    let Some(origin) = origin else {
        return next.run(req).await;
    };
    let mut res = if req.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, POST, PUT, PATCH, DELETE"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Authorization, Content-Type, Accept"),
    );
    res
}

async fn stats(State(state): State<AppState>) -> Response {
    crate::error::acr_json(StatusCode::OK, &state.stats.to_json())
}

async fn stats_reset(State(state): State<AppState>) -> StatusCode {
    state.stats.reset();
    StatusCode::NO_CONTENT
}
