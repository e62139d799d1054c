//! One folder per area: its types, SQL, rules, JSON handlers, pages and route tables.
//! Every area is listed here once.

pub mod accounts;
pub mod approvals;
pub mod auth;
pub mod billing;
pub mod catalog;
pub mod channels;
pub mod dashboard;
pub mod licenses;
pub mod networks;
pub mod onboarding;

use crate::kernel::{http::Table, jobs::JobKind};

/// Every area's part of the OpenAPI document (paths relative to /api/v1).
pub fn api_docs() -> Vec<utoipa::openapi::OpenApi> {
    use utoipa::OpenApi;
    vec![
        auth::api::Doc::openapi(),
        dashboard::api::Doc::openapi(),
        accounts::api::Doc::openapi(),
        billing::api::Doc::openapi(),
        onboarding::api::Doc::openapi(),
        catalog::api::Doc::openapi(),
        catalog::ad_api::Doc::openapi(),
        channels::api::Doc::openapi(),
        approvals::api::Doc::openapi(),
        networks::api::Doc::openapi(),
        networks::link_api::Doc::openapi(),
        licenses::api::Doc::openapi(),
    ]
}

/// Every area's route tables, pages and API.
pub fn route_tables() -> Vec<Table> {
    macro_rules! t {
        ($m:path, $api:expr) => {{
            use $m as m;
            Table {
                routes: m::ROUTES,
                router: m::routes,
                api: $api,
            }
        }};
    }
    vec![
        t!(auth::pages, false),
        t!(auth::api, true),
        t!(dashboard::pages, false),
        t!(dashboard::api, true),
        t!(accounts::pages, false),
        t!(accounts::api, true),
        t!(billing::pages, false),
        t!(billing::api, true),
        t!(onboarding::pages, false),
        t!(onboarding::api, true),
        t!(catalog::pages, false),
        t!(catalog::api, true),
        t!(catalog::ad_pages, false),
        t!(catalog::ad_api, true),
        t!(channels::pages, false),
        t!(channels::api, true),
        t!(approvals::pages, false),
        t!(approvals::api, true),
        t!(networks::pages, false),
        t!(networks::api, true),
        t!(networks::link_pages, false),
        t!(networks::link_api, true),
        t!(licenses::pages, false),
        t!(licenses::api, true),
    ]
}

/// Every area's kinds of job, for the worker.
pub fn jobs() -> impl Iterator<Item = &'static JobKind> {
    auth::JOBS
        .iter()
        .chain(billing::JOBS)
        .chain(approvals::JOBS)
        .chain(licenses::JOBS)
}
