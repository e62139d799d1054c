//! The types of sites and probes: rows as answered, inputs as read, the list's filter.

use crate::areas::accounts::AccountId;
use crate::areas::sites::EnrollmentId;
use crate::areas::sites::ProbeId;
use crate::areas::sites::SiteId;
use crate::kernel::http::openapi::one_of;
use serde::{Deserialize, Serialize};

pub const MAX_NAME: usize = 100;
pub const MAX_ADDRESS: usize = 500;
pub const MAX_NOTES: usize = 2000;
pub const MAX_HOST: usize = 255;
pub const MAX_VERSION: usize = 50;

/// The defaults when a customer has no probe settings of its own.
pub const DEFAULT_INTERVAL: i64 = 60;
pub const DEFAULT_LATE_AFTER: i64 = 180;
pub const DEFAULT_OFFLINE_AFTER: i64 = 600;

/// How long an enrollment code works when none is asked for, and at most (hours).
pub const DEFAULT_ENROLLMENT_HOURS: i64 = 24;
pub const MAX_ENROLLMENT_HOURS: i64 = 720;

/// A site of a customer.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Site {
    #[schema(value_type = i64)]
    pub id: SiteId,
    /// The customer account the site belongs to.
    #[schema(value_type = i64)]
    pub customer_id: AccountId,
    pub customer_name: String,
    pub name: String,
    pub address: String,
    /// An IANA time zone name, e.g. Europe/Amsterdam.
    pub time_zone: String,
    pub notes: String,
    /// Probes at this site.
    pub probes: i64,
    /// Of them, those online now (enabled, checked in within the late threshold).
    pub probes_online: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// The fields of a site; on an edit, those left out keep their value.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct SiteInput {
    /// At most 100 characters, unique among the customer's sites (any case).
    #[schema(nullable = false, max_length = 100)]
    pub name: Option<String>,
    #[schema(nullable = false, max_length = 500)]
    pub address: Option<String>,
    /// An IANA time zone name (default UTC).
    #[schema(nullable = false, example = "Europe/Amsterdam")]
    pub time_zone: Option<String>,
    /// Free text; line breaks are allowed.
    #[schema(nullable = false, max_length = 2000)]
    pub notes: Option<String>,
}

crate::create_body! {
    /// A new site: `name` required.
    NewSite(SiteInput), required ["name"]
}

/// Sort keys of a customer's sites; the first is the default.
pub const SITE_SORTS: [(&str, &str); 5] = [
    ("name", "s.name_folded"),
    ("address", "s.address_folded"),
    ("time_zone", "s.time_zone"),
    ("probes", "probe_count"),
    ("created", "s.created_at"),
];

fn site_sort_values() -> utoipa::openapi::Object {
    one_of(&SITE_SORTS.map(|(k, _)| k))
}

fn dir_values() -> utoipa::openapi::Object {
    one_of(&["asc", "desc"])
}

/// The list of a customer's sites: search, sort, pages.
#[derive(Clone, Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SiteFilter {
    /// Part of the name or the address, any case.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Sort key (default name).
    #[param(schema_with = site_sort_values)]
    pub sort: Option<String>,
    #[param(schema_with = dir_values)]
    pub dir: Option<String>,
    #[param(minimum = 1)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

impl SiteFilter {
    pub fn list_params(&self) -> crate::kernel::http::table::ListParams {
        crate::kernel::http::table::ListParams {
            sort: self.sort.clone(),
            dir: self.dir.clone(),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

crate::text_enum! {
    /// Where a probe stands, from its last check-in and the customer's thresholds.
    pub enum ProbeStatus {
        Online = "online",
        Late = "late",
        Offline = "offline",
        Disabled = "disabled",
    }
}

impl ProbeStatus {
    pub fn label(self) -> &'static str {
        match self {
            ProbeStatus::Online => "Online",
            ProbeStatus::Late => "Late",
            ProbeStatus::Offline => "Offline",
            ProbeStatus::Disabled => "Disabled",
        }
    }

    /// The status of an enabled probe last seen at `last_seen` (ms), at `now`.
    pub fn of(enabled: bool, last_seen: Option<i64>, now: i64, s: &ProbeSettings) -> ProbeStatus {
        if !enabled {
            return ProbeStatus::Disabled;
        }
        match last_seen {
            Some(t) if now - t <= s.late_after_seconds * 1000 => ProbeStatus::Online,
            Some(t) if now - t <= s.offline_after_seconds * 1000 => ProbeStatus::Late,
            _ => ProbeStatus::Offline,
        }
    }
}

fn probe_status_values() -> utoipa::openapi::Object {
    one_of(ProbeStatus::TEXTS)
}

/// A probe: a monitoring agent installed at a site.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Probe {
    #[schema(value_type = i64)]
    pub id: ProbeId,
    #[schema(value_type = i64)]
    pub site_id: SiteId,
    pub site_name: String,
    #[schema(value_type = i64)]
    pub customer_id: AccountId,
    pub name: String,
    /// The host name it reported.
    pub host: String,
    /// The version it last reported.
    pub version: String,
    /// False: disabled, its token does not work.
    pub enabled: bool,
    /// online, late or offline from its last check-in and the thresholds; disabled.
    #[schema(schema_with = probe_status_values)]
    pub status: ProbeStatus,
    /// When it last checked in (written at most once per interval); null before the first.
    #[schema(format = DateTime)]
    pub last_seen_at: Option<String>,
    #[schema(format = DateTime)]
    pub enrolled_at: String,
    /// The first characters of its token, to tell tokens apart.
    pub token_prefix: String,
    #[serde(skip)]
    pub last_seen_ms: Option<i64>,
}

/// A change of a probe: its name, or enabled (false disables it: its token stops working).
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct ProbeInput {
    #[schema(nullable = false, max_length = 100)]
    pub name: Option<String>,
    #[schema(nullable = false)]
    pub enabled: Option<bool>,
}

/// Where a probe moves: another site of the same customer.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct MoveProbe {
    #[serde(default)]
    #[schema(value_type = i64, required = true)]
    pub site_id: SiteId,
}

/// How often a customer's probes check in, and when they read late and offline.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProbeSettings {
    /// Seconds between check-ins, told to every probe (10 to 3600).
    #[schema(minimum = 10, maximum = 3600)]
    pub interval_seconds: i64,
    /// A probe not seen for longer reads late (at least twice the interval).
    #[schema(minimum = 20)]
    pub late_after_seconds: i64,
    /// A probe not seen for longer reads offline (more than the late threshold, at most 30 days).
    #[schema(minimum = 21, maximum = 2592000)]
    pub offline_after_seconds: i64,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        ProbeSettings {
            interval_seconds: DEFAULT_INTERVAL,
            late_after_seconds: DEFAULT_LATE_AFTER,
            offline_after_seconds: DEFAULT_OFFLINE_AFTER,
        }
    }
}

crate::text_enum! {
    pub enum EnrollmentState {
        Active = "active",
        Used = "used",
        Expired = "expired",
        Revoked = "revoked",
    }
}

fn enrollment_state_values() -> utoipa::openapi::Object {
    one_of(EnrollmentState::TEXTS)
}

/// An enrollment code of a site (the code itself is shown once, when made).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Enrollment {
    #[schema(value_type = i64)]
    pub id: EnrollmentId,
    #[schema(value_type = i64)]
    pub site_id: SiteId,
    /// The first characters of the code.
    pub code_prefix: String,
    #[schema(schema_with = enrollment_state_values)]
    pub state: EnrollmentState,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    #[schema(format = DateTime)]
    pub used_at: Option<String>,
    /// The probe that registered with it.
    #[schema(value_type = Option<i64>)]
    pub probe_id: Option<ProbeId>,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

/// A new enrollment code.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct NewEnrollment {
    /// How long the code works (1 to 720 hours, default 24).
    #[schema(nullable = false, minimum = 1, maximum = 720)]
    pub expires_in_hours: Option<i64>,
}

/// A new enrollment code, shown this once: give it to the probe being installed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EnrollmentCreated {
    pub enrollment: Enrollment,
    /// The code; only its hash is kept.
    pub code: String,
    /// Where the probe registers with it (`POST`, JSON `{"code","name","host","version"}`).
    pub enroll_url: String,
}

/// A site with its probes, enrollment codes and the thresholds in force.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SiteDetail {
    pub site: Site,
    pub probes: Vec<Probe>,
    pub enrollments: Vec<Enrollment>,
    pub settings: ProbeSettings,
}

/// Sites chosen for deletion.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct SitesChoice {
    /// Ids of sites of this customer (1 to 500).
    #[serde(default)]
    #[schema(required = true)]
    pub ids: Vec<i64>,
}

/// Sites to delete, with the number of probes the preview named (they go with them).
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct SitesDeletion {
    #[serde(default)]
    #[schema(required = true)]
    pub ids: Vec<i64>,
    /// The number of probes the preview named: the deletion is refused unless it still is.
    #[serde(default)]
    #[schema(required = true, nullable = false)]
    pub confirm_probes: Option<i64>,
}

/// A site or probe as a deletion names it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Named {
    pub id: i64,
    pub name: String,
    /// For a probe: its site.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, nullable = false)]
    pub site_id: Option<SiteId>,
}

/// What deleting sites removes: the sites and every probe at them (and their enrollment codes).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SitesDeletionPreview {
    #[schema(value_type = i64)]
    pub customer_id: AccountId,
    pub sites: Vec<Named>,
    pub probes: Vec<Named>,
}

/// The probe's registration: the enrollment code it was given and what it is.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct EnrollRequest {
    #[serde(default)]
    #[schema(required = true)]
    pub code: String,
    /// The probe's name (at most 100 characters).
    #[serde(default)]
    #[schema(required = true, max_length = 100)]
    pub name: String,
    /// The host name it runs on.
    #[schema(nullable = false, max_length = 255)]
    pub host: Option<String>,
    #[schema(nullable = false, max_length = 50)]
    pub version: Option<String>,
}

/// A registered probe: its token (shown this once; only its hash is kept) and how to check in.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EnrollAnswer {
    #[schema(value_type = i64)]
    pub probe_id: ProbeId,
    #[schema(value_type = i64)]
    pub site_id: SiteId,
    /// Send it as `Authorization: Bearer <token>` on every check-in.
    pub token: String,
    /// Check in this often.
    pub interval_seconds: i64,
    pub check_in_url: String,
}

/// What a probe sends when it checks in (all optional; `{}` is a check-in).
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct CheckIn {
    #[schema(nullable = false, max_length = 50)]
    pub version: Option<String>,
    #[schema(nullable = false, max_length = 255)]
    pub host: Option<String>,
}

/// The panel's answer to a check-in: when to come back.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CheckInAnswer {
    #[schema(value_type = i64)]
    pub probe_id: ProbeId,
    /// True when this check-in was written; false when the probe checked in less than an
    /// interval after the last one written (nothing is written then).
    pub recorded: bool,
    /// Check in again after this many seconds.
    pub next_check_in_seconds: i64,
    pub interval_seconds: i64,
}

/// What a deletion of sites removed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SitesDeleted {
    pub sites: i64,
    pub probes: i64,
}
