//! Static files, inside the binary: no CDN.

use axum::{http::header, response::IntoResponse, routing::get, Router};

use crate::state::AppState;

const CSS: &str = include_str!("../../assets/panel.css");
const JS: &str = include_str!("../../assets/panel.js");
const HTMX: &str = include_str!("../../assets/vendor/htmx/htmx.min.js");
const SWAGGER_JS: &str = include_str!("../../assets/vendor/swagger-ui/swagger-ui-bundle.js");
const SWAGGER_CSS: &str = include_str!("../../assets/vendor/swagger-ui/swagger-ui.css");
const DOCS_JS: &str = include_str!("../../assets/docs.js");

fn serve(ct: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/assets/panel.css",
            get(|| async { serve("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/assets/panel.js",
            get(|| async { serve("text/javascript; charset=utf-8", JS) }),
        )
        .route(
            "/assets/htmx.min.js",
            get(|| async { serve("text/javascript; charset=utf-8", HTMX) }),
        )
        .route(
            "/assets/docs.js",
            get(|| async { serve("text/javascript; charset=utf-8", DOCS_JS) }),
        )
        .route(
            "/assets/swagger-ui-bundle.js",
            get(|| async { serve("text/javascript; charset=utf-8", SWAGGER_JS) }),
        )
        .route(
            "/assets/swagger-ui.css",
            get(|| async { serve("text/css; charset=utf-8", SWAGGER_CSS) }),
        )
}
