//! Hosting a built console for demos and end-to-end tests: its static files at `/` with the
//! single-page-app fallback, and its `config.json` (unless `dist/` has one) pointing the console
//! at this emulator's demo authority and at the registry under `/registry/<name>/`.

use crate::{error::acr_json, state::AppState};
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// Client id of the console at the demo authority.
pub const DEMO_CLIENT_ID: &str = "a1b2c3d4-0000-4000-8000-00000000c0de";
/// Tenant of the demo authority.
pub const DEMO_TENANT: &str = "demo";

/// `GET /config.json`: the file from the console directory if it has one, else generated for the
/// origin the browser used.
pub async fn config(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let dir = state.config.console_dir.clone().unwrap_or_default();
    if let Ok(text) = tokio::fs::read(dir.join("config.json")).await {
        let mut res = text.into_response();
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return no_cache(res);
    }
    let origin = format!("{}://{}", state.scheme(), state.login_server(&headers));
    let body = serde_json::json!({
        "auth": {
            "clientId": DEMO_CLIENT_ID,
            "authority": format!("{origin}/{DEMO_TENANT}"),
            "redirectUri": format!("{origin}/"),
            "postLogoutRedirectUri": format!("{origin}/"),
        },
        "scopes": ["https://containerregistry.azure.net/.default"],
        "registries": [{
            "name": state.config.registry_name,
            "loginServer": state.login_server(&headers),
            "endpoint": format!("/registry/{}", state.config.registry_name),
            // Example lock rules over the demo data (see the README); with other data they
            // simply match nothing.
            "lockRules": [
                {
                    "name": "Production releases are immutable",
                    "repositories": "prod/**",
                    "tags": "*.*.*",
                    "exclude": ["*-*"],
                    "require": "locked",
                    "target": "both",
                },
                {
                    "name": "Base images are never deleted",
                    "repositories": "base/**",
                    "require": "protected-from-deletion",
                },
            ],
        }],
    });
    no_cache(acr_json(StatusCode::OK, &body))
}

fn no_cache(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// True for Trunk's hashed asset names (`acr-console-0123456789abcdef.js`).
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut res = next.run(req).await;
    let value = if hashed && res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

/// The console's files, with `index.html` for every path that is not a file (client routing).
pub fn files(dir: &Path) -> Router {
    let index = ServeFile::new(dir.join("index.html"));
    Router::new()
        .fallback_service(ServeDir::new(dir).fallback(index))
        .layer(middleware::from_fn(cache_headers))
}

#[cfg(test)]
mod tests {
    #[test]
    fn recognises_hashed_assets() {
        assert!(super::is_hashed_asset("/acr-console-0123456789abcdef.js"));
        assert!(super::is_hashed_asset("/acr-console-0123456789abcdef_bg.wasm"));
        assert!(!super::is_hashed_asset("/index.html"));
        assert!(!super::is_hashed_asset("/config.json"));
    }
}
