//! Requests and the approval inbox: a partner asks (an add-on, a broadcast to non-followers, an
//! advertising package, an ad campaign); the account the request is addressed to (the operator)
//! approves or rejects it once, and approval takes effect in the same transaction.

use crate::areas::accounts::AccountId;
use crate::areas::accounts::LoginId;
use crate::areas::approvals::RequestId;
use crate::areas::catalog;
use crate::areas::catalog::AdPackageId;
use crate::areas::catalog::AddonId;
use crate::areas::channels::ChannelId;
use crate::kernel::access;
use crate::kernel::db::Row;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Serialize;
use sqlx::Row as _;

crate::text_enum! {
    /// What a request asks for (stored in `requests.kind`, serialized as `type`).
    pub enum RequestType {
        Addon = "addon",
        Broadcast = "broadcast",
        AdPackage = "ad_package",
        Ad = "ad",
        ResellerLink = "reseller_link",
    }
}

impl RequestType {
    /// The label people read: "Add-on", "Advertising package"…
    pub fn label(self) -> &'static str {
        kind_label(self.as_str())
    }
}

crate::text_enum! {
    /// Where a request stands: pending until its addressee decides, or its asker withdraws it.
    pub enum RequestStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
}

/// The request types, in inbox order, with their labels.
pub const KINDS: [(&str, &str); 5] = [
    ("addon", "Add-on"),
    ("broadcast", "Broadcast"),
    ("ad_package", "Advertising package"),
    ("ad", "Ad campaign"),
    ("reseller_link", "Reseller"),
];

pub const ENGAGEMENTS: [&str; 3] = ["message", "survey", "coupon"];

/// The label of a request type ("Add-on"…), or "Partnership" for the partnership requests the
/// decision history lists beside them.
pub fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or("Partnership")
}

fn kind_values() -> utoipa::openapi::Object {
    let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    crate::kernel::http::openapi::one_of(&kinds)
}

fn engagement_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of_or_null(&ENGAGEMENTS)
}

fn status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(RequestStatus::TEXTS)
}

/// A request: an add-on, a broadcast, an advertising package, an ad campaign, or a reseller's
/// request for partner.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Request {
    #[schema(value_type = i64)]
    pub id: RequestId,
    #[serde(rename = "type")]
    #[schema(schema_with = kind_values)]
    pub kind: RequestType,
    pub type_label: String,
    #[schema(value_type = i64)]
    pub account_id: AccountId,
    /// The account that asked (a partner, or for `reseller_link` the reseller).
    pub partner_name: String,
    #[schema(value_type = i64)]
    pub addressee_id: AccountId,
    /// The account the request is addressed to (the operator, or the partner a reseller asks).
    pub addressee_name: String,
    /// How to reach the account that asked: its contact person, email (its own, or its first
    /// owner login's) and phone, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub contact_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub contact_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub contact_phone: Option<String>,
    pub title: String,
    #[schema(value_type = Option<i64>)]
    pub addon_id: Option<AddonId>,
    #[schema(value_type = Option<i64>)]
    pub ad_package_id: Option<AdPackageId>,
    #[schema(value_type = Option<i64>)]
    pub channel_id: Option<ChannelId>,
    pub channel_name: Option<String>,
    #[schema(schema_with = engagement_values)]
    pub engagement: Option<String>,
    /// broadcast: text | question+options | text+code+discount; ad: text, image_url, target_url.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    pub impressions: Option<i64>,
    pub price: Option<i64>,
    pub currency: Option<String>,
    pub price_label: Option<String>,
    #[schema(format = DateTime)]
    pub starts_at: Option<String>,
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    #[serde(skip)]
    pub starts_ms: Option<i64>,
    #[serde(skip)]
    pub ends_ms: Option<i64>,
    #[serde(skip)]
    pub created_ms: i64,
    #[schema(schema_with = status_values)]
    pub status: RequestStatus,
    /// Where an approved request stands: active (add-on), credited (impressions), scheduled or
    /// sent (broadcast), scheduled, live or ended (campaign).
    pub phase: String,
    pub recipients: Option<i64>,
    pub reason: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    /// Who decided, as the reader's side may know it (the field keeps its name): to the deciding
    /// side (the addressee, or an account above it) the email of the login that decided, as in
    /// its inbox, decision history and audit log; to the requester's side, and anyone else, the
    /// deciding account as that side knows it: "the operator", or e.g. "Harbor Media (partner)"
    /// for a reseller's request for partner. Set by `seen_by`; absent until decided.
    pub decided_by: Option<String>,
    /// The email of the login that decided (shown only to the deciding side).
    #[serde(skip)]
    pub decided_by_login: Option<String>,
    #[serde(skip)]
    #[schema(value_type = Option<i64>)]
    pub created_by_login_id: Option<LoginId>,
    #[serde(skip)]
    pub account_status: String,
}

impl Request {
    /// A text field of the content (for pages).
    pub fn c(&self, key: &str) -> String {
        self.content[key].as_str().unwrap_or("").to_string()
    }
    pub fn options(&self) -> Vec<String> {
        self.content["options"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn is(&self, kind: &str) -> bool {
        self.kind == *kind
    }
    pub fn starts_label(&self) -> String {
        self.starts_ms
            .map(crate::clock::format_ms)
            .unwrap_or_default()
    }
    pub fn ends_label(&self) -> String {
        self.ends_ms
            .map(crate::clock::format_ms)
            .unwrap_or_default()
    }
    pub fn asked_label(&self) -> String {
        crate::clock::format_ms(self.created_ms)
    }
    /// What the account that asked is called on the page: "Reseller" or "Partner".
    pub fn asker_label(&self) -> &'static str {
        if self.kind == RequestType::ResellerLink {
            "Reseller"
        } else {
            "Partner"
        }
    }
    /// The flash after a decision, e.g. "Approved: Summit Resellers may now resell for
    /// Northwind Media." or "Approved: Extra storage for Northwind Media."
    pub fn decision_flash(&self, approved: bool) -> String {
        match (self.kind, approved) {
            (RequestType::ResellerLink, true) => format!(
                "Approved: {} may now resell for {}.",
                self.partner_name, self.addressee_name
            ),
            (RequestType::ResellerLink, false) => format!(
                "Rejected: {} will not resell for {}; the reason was emailed.",
                self.partner_name, self.addressee_name
            ),
            (_, true) => format!("Approved: {} for {}.", self.title, self.partner_name),
            (_, false) => format!(
                "Rejected: {} for {}; the reason was emailed.",
                self.title, self.partner_name
            ),
        }
    }
}

pub(crate) const SELECT: &str = "SELECT r.id, r.kind, r.account_id, a.name AS partner_name, r.addressee_id, r.title, \
    r.ref_id, r.channel_id, ch.name AS channel_name, r.engagement, r.content, r.impressions, r.price, r.currency, \
    r.starts_at, r.ends_at, r.status, r.reason, r.created_at, r.decided_at, r.decided_by_email, \
    d.kind AS decider_kind, d.name AS decider_name, \
    a.contact_name AS contact_name, a.phone AS contact_phone, \
    COALESCE(a.email, (SELECT MIN(l.email) FROM logins l WHERE l.account_id = a.id AND l.role = 'owner')) AS contact_email, \
    b.status AS b_status, b.recipients, r.created_by_login_id, a.status AS account_status, \
    (SELECT COUNT(*) FROM reseller_links l WHERE l.request_id = r.id) AS linked \
    FROM requests r JOIN accounts a ON a.id = r.account_id JOIN accounts d ON d.id = r.addressee_id \
    LEFT JOIN channels ch ON ch.id = r.channel_id \
    LEFT JOIN broadcasts b ON b.request_id = r.id";

/// Hand-written (see `kernel::db::Row`): stored milliseconds become RFC 3339 text; some fields follow from the clock.
pub(crate) fn from_row(r: &Row, now: i64) -> Result<Request, sqlx::Error> {
    let kind: RequestType = r.try_get("kind")?;
    let status: RequestStatus = r.try_get("status")?;
    let ref_id: Option<i64> = r.try_get("ref_id")?;
    let price: Option<i64> = r.try_get("price")?;
    let currency: Option<String> = r.try_get("currency")?;
    let starts: Option<i64> = r.try_get("starts_at")?;
    let ends: Option<i64> = r.try_get("ends_at")?;
    let b_status: Option<String> = r.try_get("b_status")?;
    let phase = match (status, kind) {
        (RequestStatus::Approved, RequestType::Addon) => "active".to_string(),
        (RequestStatus::Approved, RequestType::AdPackage) => "credited".to_string(),
        (RequestStatus::Approved, RequestType::ResellerLink)
            if r.try_get::<i64, _>("linked")? > 0 =>
        {
            "linked".to_string()
        }
        (RequestStatus::Approved, RequestType::ResellerLink) => "ended".to_string(),
        (RequestStatus::Approved, RequestType::Broadcast) => {
            b_status.unwrap_or_else(|| "scheduled".into())
        }
        (RequestStatus::Approved, RequestType::Ad) => match (starts, ends) {
            (Some(s), _) if now < s => "scheduled".into(),
            (_, Some(e)) if now >= e => "ended".into(),
            _ => "live".into(),
        },
        (s, _) => s.to_string(),
    };
    let content: String = r.try_get("content")?;
    let decided_by_login: Option<String> = r.try_get("decided_by_email")?;
    // The addressee decides: until `seen_by` says the reader is on its side, it is named only.
    let decided_by = match &decided_by_login {
        Some(_) => Some(crate::areas::accounts::known_as(
            r.try_get("decider_kind")?,
            &r.try_get::<String, _>("decider_name")?,
        )),
        None => None,
    };
    Ok(Request {
        id: r.try_get("id")?,
        type_label: kind.label().to_string(),
        account_id: r.try_get("account_id")?,
        partner_name: r.try_get("partner_name")?,
        addressee_id: r.try_get("addressee_id")?,
        addressee_name: r.try_get("decider_name")?,
        contact_name: r
            .try_get::<Option<String>, _>("contact_name")?
            .filter(|v| !v.is_empty()),
        contact_email: r
            .try_get::<Option<String>, _>("contact_email")?
            .filter(|v| !v.is_empty()),
        contact_phone: r
            .try_get::<Option<String>, _>("contact_phone")?
            .filter(|v| !v.is_empty()),
        title: r.try_get("title")?,
        addon_id: (ref_id.filter(|_| kind == RequestType::Addon)).map(AddonId),
        ad_package_id: (ref_id.filter(|_| kind == RequestType::AdPackage)).map(AdPackageId),
        channel_id: r.try_get("channel_id")?,
        channel_name: r.try_get("channel_name")?,
        engagement: r.try_get("engagement")?,
        content: serde_json::from_str(&content).unwrap_or(serde_json::Value::Null),
        impressions: r.try_get("impressions")?,
        price_label: match (price, currency.as_deref()) {
            (Some(p), Some(c)) => Some(catalog::money(p, c)),
            _ => None,
        },
        price,
        currency,
        starts_at: starts.map(crate::clock::rfc3339),
        ends_at: ends.map(crate::clock::rfc3339),
        starts_ms: starts,
        ends_ms: ends,
        status,
        phase,
        recipients: r.try_get("recipients")?,
        reason: r.try_get("reason")?,
        created_ms: r.try_get("created_at")?,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
        decided_at: r
            .try_get::<Option<i64>, _>("decided_at")?
            .map(crate::clock::rfc3339),
        decided_by,
        decided_by_login,
        created_by_login_id: r.try_get("created_by_login_id")?,
        account_status: r.try_get("account_status")?,
        kind,
    })
}

pub(crate) async fn get(state: &AppState, id: RequestId) -> AppResult<Option<Request>> {
    let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row
        .as_ref()
        .map(|r| from_row(r, state.now_ms()))
        .transpose()?)
}

/// Names the decider of each request as the identity's side may see it (see
/// `Request::decided_by`): the login that decided when the account in view reaches the deciding
/// account (the addressee), whose audit log names that login too; the deciding account by the
/// name the reader knows it by otherwise.
pub(crate) async fn seen_by(
    state: &AppState,
    who: &Identity,
    items: &mut [Request],
) -> AppResult<()> {
    let mut deciding_side: Vec<(i64, bool)> = Vec::new();
    for r in items.iter_mut().filter(|r| r.decided_by_login.is_some()) {
        let on_side = match deciding_side.iter().find(|(id, _)| *id == r.addressee_id) {
            Some((_, on)) => *on,
            None => {
                let on = access::is_within(state, who.view_account_id, r.addressee_id).await?;
                deciding_side.push((r.addressee_id.get(), on));
                on
            }
        };
        if on_side {
            r.decided_by = r.decided_by_login.clone();
        }
    }
    Ok(())
}

/// A request by id as the identity's side sees it (unchecked: for callers that checked it).
pub(crate) async fn get_seen(
    state: &AppState,
    who: &Identity,
    id: RequestId,
) -> AppResult<Request> {
    let mut r = get(state, id).await?.ok_or(AppError::NotFound)?;
    seen_by(state, who, std::slice::from_mut(&mut r)).await?;
    Ok(r)
}

/// A request the identity may see: its own account's (or one below), or addressed to it.
pub async fn request(state: &AppState, who: &Identity, id: RequestId) -> AppResult<Request> {
    let mut r = get(state, id).await?.ok_or(AppError::NotFound)?;
    if r.addressee_id == who.view_account_id
        || access::is_within(state, who.view_account_id, r.account_id).await?
    {
        seen_by(state, who, std::slice::from_mut(&mut r)).await?;
        Ok(r)
    } else {
        Err(AppError::NotFound)
    }
}

pub const HISTORY_ORDER: &str = " ORDER BY h.decided_at DESC, h.kind, h.id DESC";

pub const HISTORY_HEADER: [&str; 8] = [
    "decided_at",
    "type",
    "title",
    "partner",
    "decision",
    "reason",
    "decided_by",
    "id",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_types_and_their_labels_are_one_list() {
        let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, RequestType::TEXTS);
        assert_eq!(RequestType::AdPackage.label(), "Advertising package");
        assert_eq!(
            serde_json::to_value(RequestStatus::Withdrawn).unwrap(),
            "withdrawn"
        );
        assert!(RequestType::parse("partnership").is_none());
    }
}
