//! One folder per area: its types, SQL, rules, JSON handlers, pages and route tables.
//! Every area is listed here once.

pub mod accounts;
pub mod approvals;
pub mod auth;
pub mod billing;
pub mod catalog;
pub mod channels;
pub mod customers;
pub mod dashboard;
pub mod data_export;
pub mod licenses;
pub mod media;
pub mod networks;
pub mod onboarding;
pub mod release_notes;
pub mod sites;
pub mod tickets;

use crate::kernel::{
    http::menu::{MenuEntry, MenuGroup},
    http::Table,
    jobs::JobKind,
};

/// Every area's part of the OpenAPI document (paths relative to /api/v1).
pub fn api_docs() -> Vec<utoipa::openapi::OpenApi> {
    use utoipa::OpenApi;
    vec![
        auth::api::Doc::openapi(),
        auth::two_factor_api::Doc::openapi(),
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
        media::api::Doc::openapi(),
        media::content_api::Doc::openapi(),
        customers::api::Doc::openapi(),
        tickets::api::Doc::openapi(),
        release_notes::api::Doc::openapi(),
        data_export::api::Doc::openapi(),
        sites::api::Doc::openapi(),
    ]
}

/// Protocols with a prefix of their own (not under /api/v1), each with its part of the OpenAPI
/// document: the media players' device protocol, the probes' protocol.
pub fn protocol_docs() -> Vec<(&'static str, utoipa::openapi::OpenApi)> {
    use utoipa::OpenApi;
    vec![
        ("/device/v1", media::device_api::Doc::openapi()),
        (sites::probes::PROTOCOL, sites::probe_api::Doc::openapi()),
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
        t!(auth::reset_pages, false),
        t!(auth::sessions_pages, false),
        t!(auth::api, true),
        t!(auth::two_factor_pages, false),
        t!(auth::two_factor_api, true),
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
        t!(media::pages, false),
        t!(media::api, true),
        t!(media::content_pages, false),
        t!(media::content_api, true),
        t!(media::device_api, false),
        t!(customers::pages, false),
        t!(customers::brand_pages, false),
        t!(customers::api, true),
        t!(tickets::pages, false),
        t!(tickets::api, true),
        t!(release_notes::pages, false),
        t!(release_notes::api, true),
        t!(data_export::pages, false),
        t!(data_export::api, true),
        t!(sites::pages, false),
        t!(sites::api, true),
        t!(sites::probe_api, false),
    ]
}

/// Every area's kinds of job, for the worker.
pub fn jobs() -> impl Iterator<Item = &'static JobKind> {
    auth::JOBS
        .iter()
        .chain(billing::JOBS)
        .chain(approvals::JOBS)
        .chain(licenses::JOBS)
        .chain(tickets::JOBS)
}

/// The menu's groups, in the order it shows them; "goto" holds the quick options.
pub const MENU_GROUPS: &[MenuGroup] = &[
    MenuGroup {
        key: "goto",
        label: "Goto",
    },
    MenuGroup {
        key: "overview",
        label: "Overview",
    },
    MenuGroup {
        key: "accounts",
        label: "Accounts",
    },
    MenuGroup {
        key: "partners",
        label: "Partners",
    },
    MenuGroup {
        key: "approvals",
        label: "Approvals",
    },
    MenuGroup {
        key: "network",
        label: "Network",
    },
    MenuGroup {
        key: "billing",
        label: "Billing",
    },
    MenuGroup {
        key: "settings",
        label: "Settings",
    },
];

/// Every area's menu entries (the layout keeps those the account in view and role can use).
pub fn menu() -> impl Iterator<Item = &'static MenuEntry> {
    dashboard::MENU
        .iter()
        .chain(accounts::MENU)
        .chain(customers::MENU)
        .chain(onboarding::MENU)
        .chain(catalog::MENU)
        .chain(approvals::MENU)
        .chain(channels::MENU)
        .chain(networks::MENU)
        .chain(billing::MENU)
        .chain(licenses::MENU)
        .chain(media::MENU)
        .chain(tickets::MENU)
        .chain(sites::MENU)
        .chain(release_notes::MENU)
        .chain(data_export::MENU)
        .chain(auth::MENU)
}
