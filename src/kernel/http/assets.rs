//! Static files, inside the binary (rust-embed, also in debug builds): no CDN.
//!
//! Every file is served flat under `/assets/`: the panel's own from `assets/`, the vendored ones
//! from their folders under `assets/vendor/` (only their scripts and styles, not their licenses).

use axum::{
    extract::Path,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use rust_embed::{EmbeddedFile, RustEmbed};

crate::route_table! { ROUTES, routes;
    get "/assets/{file}" => serve, crate::kernel::http::RouteAccess::Public, unpaid;
}

#[derive(RustEmbed)]
#[folder = "assets/"]
#[include = "*.css"]
#[include = "*.js"]
#[include = "*.svg"]
#[exclude = "vendor/*"]
struct Own;

#[derive(RustEmbed)]
#[folder = "assets/vendor/htmx/"]
#[include = "*.js"]
struct Htmx;

#[derive(RustEmbed)]
#[folder = "assets/vendor/swagger-ui/"]
#[include = "*.css"]
#[include = "*.js"]
struct SwaggerUi;

/// How long browsers may keep a file before asking again (then the ETag answers 304).
const CACHE_CONTROL: &str = "public, max-age=3600";

fn find(name: &str) -> Option<EmbeddedFile> {
    Own::get(name)
        .or_else(|| Htmx::get(name))
        .or_else(|| SwaggerUi::get(name))
}

/// Every file served, by its name under `/assets/`.
pub fn names() -> Vec<String> {
    Own::iter()
        .chain(Htmx::iter())
        .chain(SwaggerUi::iter())
        .map(|n| n.into_owned())
        .collect()
}

/// The content type by extension. Kept by hand (three kinds of file) rather than guessed, so the
/// charset is always stated.
fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml; charset=utf-8",
        _ => "application/octet-stream",
    }
}

async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = find(&file) else {
        return super::layout::error_page(&crate::kernel::error::AppError::NotFound);
    };
    let etag = format!(
        "\"{}\"",
        asset.metadata.sha256_hash()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut resp = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type(&file))], asset.data).into_response()
    };
    let h = resp.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_asset_urls_stay_the_same() {
        let mut names = super::names();
        names.sort();
        assert_eq!(
            names,
            [
                "docs.js",
                "favicon.svg",
                "htmx.min.js",
                "panel.css",
                "panel.js",
                "swagger-ui-bundle.js",
                "swagger-ui.css",
                "table.css"
            ]
        );
    }
}
