//! Pages of sites and probes: a customer's sites (search, sort, pages, checkboxes, "Delete
//! sites" with a confirmation naming the probes that go, the add form, the probe settings), a
//! site (edit, its probes with status, version and last seen, move, disable, delete, and its
//! enrollment codes).

use super::model::*;
use super::{probes, rules};
use crate::areas::accounts::pages::after;
use crate::areas::accounts::Account;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::error::{AppError, ErrorCode, FieldError};
use crate::kernel::http::form::FormErrors;
use crate::kernel::http::layout::redirect_with_flash;
use crate::kernel::http::layout::render;
use crate::kernel::http::layout::show;
use crate::kernel::http::layout::Layout;
use crate::kernel::http::layout::PageResult;
use crate::kernel::http::table::{sortable, Table};
use crate::kernel::http::PageAuth;
use crate::kernel::http::PageForm;
use crate::kernel::http::PageId;
use crate::kernel::http::PageQuery;
use crate::kernel::http::RouteAccess as A;
use crate::kernel::query::Page;
use crate::kernel::Identity;
use crate::state::AppState;
use askama::Template;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
};
use serde::Deserialize;

mod list;
mod site;
pub use list::*;
pub use site::*;

crate::route_table! { ROUTES, routes;
    get "/accounts/{id}/sites" => sites_page, A::On(&crate::areas::accounts::ACCOUNT, Need::Read);
    post "/accounts/{id}/sites" => create_site_submit, A::On(&crate::areas::accounts::ACCOUNT, Need::Write);
    post "/accounts/{id}/sites/delete" => delete_sites_submit, A::On(&crate::areas::accounts::ACCOUNT, Need::Admin);
    post "/accounts/{id}/probe-settings" => probe_settings_submit, A::On(&crate::areas::accounts::ACCOUNT, Need::Admin);
    get "/sites/{id}" => site_page, A::On(&super::SITE, Need::Read);
    post "/sites/{id}" => update_site_submit, A::On(&super::SITE, Need::Write);
    post "/sites/{id}/enrollments" => create_enrollment_submit, A::On(&super::SITE, Need::Write);
    post "/probe-enrollments/{id}/revoke" => revoke_enrollment_submit, A::On(&super::PROBE_ENROLLMENT, Need::Write);
    post "/probes/{id}/move" => move_probe_submit, A::On(&super::PROBE, Need::Write);
    post "/probes/{id}/status" => probe_status_submit, A::On(&super::PROBE, Need::Admin);
    post "/probes/{id}/delete" => delete_probe_submit, A::On(&super::PROBE, Need::Admin);
}

/// The site form as typed.
#[derive(Clone, Debug, Deserialize, Default)]
pub struct SiteForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub notes: String,
}

impl SiteForm {
    fn input(&self) -> SiteInput {
        SiteInput {
            name: Some(self.name.clone()),
            address: Some(self.address.clone()),
            time_zone: Some(self.time_zone.clone()),
            notes: Some(self.notes.clone()),
        }
    }
    fn of(s: &Site) -> SiteForm {
        SiteForm {
            name: s.name.clone(),
            address: s.address.clone(),
            time_zone: s.time_zone.clone(),
            notes: s.notes.clone(),
        }
    }
}

const SITE_FIELDS: &[&str] = &["name", "address", "time_zone", "notes"];

/// The settings form as typed (numbers as text: a wrong one is a field error).
#[derive(Clone, Debug, Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    pub interval_seconds: String,
    #[serde(default)]
    pub late_after_seconds: String,
    #[serde(default)]
    pub offline_after_seconds: String,
}

const SETTINGS_FIELDS: &[&str] = &[
    "interval_seconds",
    "late_after_seconds",
    "offline_after_seconds",
];

impl SettingsForm {
    fn of(s: &ProbeSettings) -> SettingsForm {
        SettingsForm {
            interval_seconds: s.interval_seconds.to_string(),
            late_after_seconds: s.late_after_seconds.to_string(),
            offline_after_seconds: s.offline_after_seconds.to_string(),
        }
    }
    fn parse(&self) -> Result<ProbeSettings, AppError> {
        let mut c = crate::kernel::validate::Collect::new();
        let mut num = |field: &str, v: &str| match v.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                c.add(field, "A whole number of seconds");
                0
            }
        };
        let s = ProbeSettings {
            interval_seconds: num("interval_seconds", &self.interval_seconds),
            late_after_seconds: num("late_after_seconds", &self.late_after_seconds),
            offline_after_seconds: num("offline_after_seconds", &self.offline_after_seconds),
        };
        c.finish()?;
        rules::check_settings(&s)?;
        Ok(s)
    }
}

/// A name taken is said beside the name field.
fn site_errors(e: &AppError) -> FormErrors {
    match e {
        AppError::Conflict {
            code: ErrorCode::NameTaken,
            message,
        } => FormErrors {
            fields: vec![FieldError {
                field: "name".into(),
                message: message.clone(),
            }],
            general: None,
        },
        e => FormErrors::from_error(e, SITE_FIELDS),
    }
}

fn is_form_error(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Validation { .. } | AppError::Fields(_) | AppError::Conflict { .. }
    )
}
