//! Static files, inside the binary: no CDN.

use axum::{http::header, response::IntoResponse};

crate::route_table! { ROUTES, routes;
    get "/assets/panel.css" => || async { serve("text/css; charset=utf-8", CSS) }, crate::kernel::http::RouteAccess::Public, unpaid;
    get "/assets/panel.js" => || async { serve("text/javascript; charset=utf-8", JS) }, crate::kernel::http::RouteAccess::Public, unpaid;
    get "/assets/htmx.min.js" => || async { serve("text/javascript; charset=utf-8", HTMX) }, crate::kernel::http::RouteAccess::Public, unpaid;
    get "/assets/docs.js" => || async { serve("text/javascript; charset=utf-8", DOCS_JS) }, crate::kernel::http::RouteAccess::Public, unpaid;
    get "/assets/swagger-ui-bundle.js" => || async { serve("text/javascript; charset=utf-8", SWAGGER_JS) }, crate::kernel::http::RouteAccess::Public, unpaid;
    get "/assets/swagger-ui.css" => || async { serve("text/css; charset=utf-8", SWAGGER_CSS) }, crate::kernel::http::RouteAccess::Public, unpaid;
}

const CSS: &str = include_str!("../../../assets/panel.css");

const JS: &str = include_str!("../../../assets/panel.js");

const HTMX: &str = include_str!("../../../assets/vendor/htmx/htmx.min.js");

const SWAGGER_JS: &str = include_str!("../../../assets/vendor/swagger-ui/swagger-ui-bundle.js");

const SWAGGER_CSS: &str = include_str!("../../../assets/vendor/swagger-ui/swagger-ui.css");

const DOCS_JS: &str = include_str!("../../../assets/docs.js");

fn serve(ct: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
