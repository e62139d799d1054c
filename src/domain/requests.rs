//! Requests and the approval inbox: a partner asks (an add-on, a broadcast to non-followers, an
//! advertising package, an ad campaign); the account the request is addressed to (the operator)
//! approves or rejects it once, and approval takes effect in the same transaction.

use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use super::{
    access::{self, Need},
    accounts, advertising, audit, catalog, channels, notifications,
    query::{paging, Page, Sql},
    validate, Identity,
};
use crate::{
    db::{Backend, Row},
    error::{AppError, AppResult},
    jobs,
    state::AppState,
};

/// The request types, in inbox order, with their labels.
pub const KINDS: [(&str, &str); 5] = [
    ("addon", "Add-on"),
    ("broadcast", "Broadcast"),
    ("ad_package", "Advertising package"),
    ("ad", "Ad campaign"),
    ("reseller_link", "Reseller"),
];

pub const ENGAGEMENTS: [&str; 3] = ["message", "survey", "coupon"];

pub fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or("Partnership")
}

#[derive(Clone, Debug, Serialize)]
pub struct Request {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub type_label: String,
    pub account_id: i64,
    pub partner_name: String,
    pub addressee_id: i64,
    pub title: String,
    pub addon_id: Option<i64>,
    pub ad_package_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub channel_name: Option<String>,
    pub engagement: Option<String>,
    pub content: serde_json::Value,
    pub impressions: Option<i64>,
    pub price: Option<i64>,
    pub currency: Option<String>,
    pub price_label: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    #[serde(skip)]
    pub starts_ms: Option<i64>,
    #[serde(skip)]
    pub ends_ms: Option<i64>,
    #[serde(skip)]
    pub created_ms: i64,
    pub status: String,
    /// Where an approved request stands: active (add-on), credited (impressions), scheduled or
    /// sent (broadcast), scheduled, live or ended (campaign).
    pub phase: String,
    pub recipients: Option<i64>,
    pub reason: Option<String>,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    #[serde(skip)]
    pub created_by_login_id: Option<i64>,
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
        self.kind == kind
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
}

const SELECT: &str = "SELECT r.id, r.kind, r.account_id, a.name AS partner_name, r.addressee_id, r.title, \
    r.ref_id, r.channel_id, ch.name AS channel_name, r.engagement, r.content, r.impressions, r.price, r.currency, \
    r.starts_at, r.ends_at, r.status, r.reason, r.created_at, r.decided_at, r.decided_by_email, \
    b.status AS b_status, b.recipients, r.created_by_login_id, a.status AS account_status, \
    (SELECT COUNT(*) FROM reseller_links l WHERE l.request_id = r.id) AS linked \
    FROM requests r JOIN accounts a ON a.id = r.account_id \
    LEFT JOIN channels ch ON ch.id = r.channel_id \
    LEFT JOIN broadcasts b ON b.request_id = r.id";

fn from_row(r: &Row, now: i64) -> Result<Request, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    let ref_id: Option<i64> = r.try_get("ref_id")?;
    let price: Option<i64> = r.try_get("price")?;
    let currency: Option<String> = r.try_get("currency")?;
    let starts: Option<i64> = r.try_get("starts_at")?;
    let ends: Option<i64> = r.try_get("ends_at")?;
    let b_status: Option<String> = r.try_get("b_status")?;
    let phase = match (status.as_str(), kind.as_str()) {
        ("approved", "addon") => "active".to_string(),
        ("approved", "ad_package") => "credited".to_string(),
        ("approved", "reseller_link") if r.try_get::<i64, _>("linked")? > 0 => "linked".to_string(),
        ("approved", "reseller_link") => "ended".to_string(),
        ("approved", "broadcast") => b_status.unwrap_or_else(|| "scheduled".into()),
        ("approved", "ad") => match (starts, ends) {
            (Some(s), _) if now < s => "scheduled".into(),
            (_, Some(e)) if now >= e => "ended".into(),
            _ => "live".into(),
        },
        (s, _) => s.to_string(),
    };
    let content: String = r.try_get("content")?;
    Ok(Request {
        id: r.try_get("id")?,
        type_label: kind_label(&kind).to_string(),
        account_id: r.try_get("account_id")?,
        partner_name: r.try_get("partner_name")?,
        addressee_id: r.try_get("addressee_id")?,
        title: r.try_get("title")?,
        addon_id: ref_id.filter(|_| kind == "addon"),
        ad_package_id: ref_id.filter(|_| kind == "ad_package"),
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
        decided_by: r.try_get("decided_by_email")?,
        created_by_login_id: r.try_get("created_by_login_id")?,
        account_status: r.try_get("account_status")?,
        kind,
    })
}

async fn get(state: &AppState, id: i64) -> AppResult<Option<Request>> {
    let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row
        .as_ref()
        .map(|r| from_row(r, state.now_ms()))
        .transpose()?)
}

/// A request the identity may see: its own account's (or one below), or addressed to it.
pub async fn request(state: &AppState, who: &Identity, id: i64) -> AppResult<Request> {
    let r = get(state, id).await?.ok_or(AppError::NotFound)?;
    if r.addressee_id == who.view_account_id
        || access::is_within(state, who.view_account_id, r.account_id).await?
    {
        Ok(r)
    } else {
        Err(AppError::NotFound)
    }
}

/// What a partner asks for. Each type reads the fields it needs.
#[derive(Clone, Debug, Deserialize, Default)]
pub struct NewRequest {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// addon
    pub addon_id: Option<i64>,
    /// broadcast
    pub channel_id: Option<i64>,
    pub engagement: Option<String>,
    /// message text, survey question, coupon text
    pub message: Option<String>,
    pub options: Option<Vec<String>>,
    pub coupon_code: Option<String>,
    pub discount: Option<String>,
    /// ad_package
    pub ad_package_id: Option<i64>,
    /// ad
    pub title: Option<String>,
    pub text: Option<String>,
    pub image_url: Option<String>,
    pub target_url: Option<String>,
    pub impressions: Option<i64>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    /// reseller_link: the partner asked
    pub partner_id: Option<i64>,
}

/// Validated columns of a new request.
#[derive(Default)]
struct Draft {
    kind: &'static str,
    addressee: i64,
    title: String,
    ref_id: Option<i64>,
    channel_id: Option<i64>,
    engagement: Option<String>,
    content: serde_json::Value,
    impressions: Option<i64>,
    price: Option<i64>,
    currency: Option<String>,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
}

fn required_id(field: &str, v: Option<i64>, what: &str) -> AppResult<i64> {
    v.ok_or_else(|| AppError::validation(field, format!("Choose {what}")))
}

async fn draft(
    state: &AppState,
    requester: &accounts::Account,
    input: &NewRequest,
) -> AppResult<Draft> {
    let now = state.now_ms();
    let kind = input.kind.as_deref().unwrap_or("");
    let (kind, _) = KINDS
        .iter()
        .copied()
        .find(|(k, _)| *k == kind && *k != "reseller_link")
        .ok_or_else(|| {
            AppError::validation("type", "Type is addon, broadcast, ad_package or ad")
        })?;
    if requester.kind != "partner" {
        return Err(AppError::forbidden("only partners make these requests"));
    }
    let operator = accounts::operator(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut d = Draft {
        kind,
        addressee: operator.id,
        content: serde_json::json!({}),
        ..Default::default()
    };
    match kind {
        "addon" => {
            let id = required_id("addon_id", input.addon_id, "an add-on")?;
            let addon = catalog::addons(state, false)
                .await?
                .into_iter()
                .find(|a| a.id == id)
                .ok_or_else(|| AppError::validation("addon_id", "This add-on is not offered"))?;
            let on: Option<i64> = sqlx::query_scalar(
                "SELECT addon_id FROM partner_addons WHERE account_id = $1 AND addon_id = $2",
            )
            .bind(requester.id)
            .bind(id)
            .fetch_optional(&state.db.pool)
            .await?;
            if on.is_some() {
                return Err(AppError::conflict(
                    "duplicate_request",
                    format!("{} is already switched on for this partner", addon.name),
                ));
            }
            d.title = format!(
                "{} ({}/month)",
                addon.name,
                catalog::money(addon.monthly_price, &addon.currency)
            );
            d.ref_id = Some(id);
            d.price = Some(addon.monthly_price);
            d.currency = Some(addon.currency);
        }
        "broadcast" => {
            let id = required_id("channel_id", input.channel_id, "one of your channels")?;
            let ch = channels::get(state, id)
                .await?
                .filter(|c| c.account_id == requester.id)
                .ok_or_else(|| {
                    AppError::validation("channel_id", "Choose one of this partner's channels")
                })?;
            let engagement = input.engagement.as_deref().unwrap_or("");
            if !ENGAGEMENTS.contains(&engagement) {
                return Err(AppError::validation(
                    "engagement",
                    "Engagement type is message, survey or coupon",
                ));
            }
            d.content = match engagement {
                "message" => serde_json::json!({
                    "text": validate::text("message", input.message.as_deref().unwrap_or(""), 2000, true)?,
                }),
                "survey" => {
                    let question = validate::text(
                        "message",
                        input.message.as_deref().unwrap_or(""),
                        500,
                        true,
                    )
                    .map_err(|_| {
                        AppError::validation(
                            "message",
                            "Write the survey's question (at most 500 characters)",
                        )
                    })?;
                    let mut options = Vec::new();
                    for o in input.options.iter().flatten() {
                        let o = validate::text("options", o, 200, false)?;
                        if !o.is_empty() {
                            options.push(o);
                        }
                    }
                    if !(2..=10).contains(&options.len()) {
                        return Err(AppError::validation(
                            "options",
                            "A survey has 2 to 10 answers, one per line",
                        ));
                    }
                    serde_json::json!({ "question": question, "options": options })
                }
                _ => serde_json::json!({
                    "text": validate::text("message", input.message.as_deref().unwrap_or(""), 1000, true)?,
                    "code": validate::name("coupon_code", input.coupon_code.as_deref().unwrap_or(""), 40)?,
                    "discount": validate::name("discount", input.discount.as_deref().unwrap_or(""), 40)?,
                }),
            };
            let starts = validate::time("starts_at", input.starts_at.as_deref().unwrap_or(""))?;
            if starts < now - 60_000 {
                return Err(AppError::validation(
                    "starts_at",
                    "The start must not be in the past",
                ));
            }
            d.title = format!("{}: {engagement}", ch.name);
            d.channel_id = Some(ch.id);
            d.engagement = Some(engagement.to_string());
            d.starts_at = Some(starts);
        }
        "ad_package" => {
            let id = required_id(
                "ad_package_id",
                input.ad_package_id,
                "an advertising package",
            )?;
            let p = advertising::package(state, id)
                .await?
                .filter(|p| p.status == "active")
                .ok_or_else(|| {
                    AppError::validation("ad_package_id", "This advertising package is not offered")
                })?;
            d.title = format!("{} ({} impressions)", p.name, p.impressions);
            d.ref_id = Some(id);
            d.impressions = Some(p.impressions);
            d.price = Some(p.price);
            d.currency = Some(p.currency);
        }
        _ => {
            d.title = validate::name("title", input.title.as_deref().unwrap_or(""), 120)?;
            let text = validate::text("text", input.text.as_deref().unwrap_or(""), 500, false)?;
            let image =
                validate::url("image_url", input.image_url.as_deref().unwrap_or(""), false)?;
            if text.is_empty() && image.is_empty() {
                return Err(AppError::validation(
                    "text",
                    "Give the ad a text or an image address",
                ));
            }
            let target = validate::url(
                "target_url",
                input.target_url.as_deref().unwrap_or(""),
                true,
            )?;
            let n = match input.impressions {
                Some(n) if n > 0 => n,
                _ => {
                    return Err(AppError::validation(
                        "impressions",
                        "Impressions must be a whole number above 0",
                    ))
                }
            };
            let starts = validate::time("starts_at", input.starts_at.as_deref().unwrap_or(""))?;
            let ends = validate::time("ends_at", input.ends_at.as_deref().unwrap_or(""))?;
            if ends <= starts {
                return Err(AppError::validation(
                    "ends_at",
                    "The end must come after the start",
                ));
            }
            if ends <= now {
                return Err(AppError::validation(
                    "ends_at",
                    "The end must be in the future",
                ));
            }
            d.content =
                serde_json::json!({ "text": text, "image_url": image, "target_url": target });
            d.impressions = Some(n);
            d.starts_at = Some(starts);
            d.ends_at = Some(ends);
        }
    }
    Ok(d)
}

/// A partner (members and up) asks the operator for something. An ad campaign holds its
/// impressions from now: it cannot ask for more than the balance less what pending and live
/// campaigns hold (checked under a lock, so two requests at once cannot overdraw).
pub async fn create(state: &AppState, who: &Identity, input: &NewRequest) -> AppResult<Request> {
    let requester = access::account(state, who, who.view_account_id, Need::Write).await?;
    let d = if input.kind.as_deref() == Some("reseller_link") {
        link_draft(state, who, &requester, input).await?
    } else {
        draft(state, &requester, input).await?
    };
    insert(state, who, &requester, d).await
}

/// A reseller's request for partner, addressed to a partner of the directory.
async fn link_draft(
    state: &AppState,
    who: &Identity,
    requester: &accounts::Account,
    input: &NewRequest,
) -> AppResult<Draft> {
    if requester.kind != "reseller" {
        return Err(AppError::forbidden(
            "only resellers send a request for partner",
        ));
    }
    let pid = required_id(
        "partner_id",
        input.partner_id,
        "a partner from the directory",
    )?;
    let partner = super::networks::listed_partner(state, pid)
        .await?
        .ok_or_else(|| {
            AppError::validation("partner_id", "This partner is not in the partner directory")
        })?;
    super::networks::withdraw_stale_link_requests(state, who, requester.id).await?;

    if let Some((_, current)) = super::networks::partner_of(state, requester.id).await? {
        return Err(AppError::conflict(
            "already_linked",
            format!("You already resell for {current}: a reseller has one partner at a time"),
        ));
    }
    Ok(Draft {
        kind: "reseller_link",
        addressee: pid,
        title: format!("{} asks to resell for {partner}", requester.name),
        ref_id: Some(pid),
        content: serde_json::json!({}),
        ..Default::default()
    })
}

async fn insert(
    state: &AppState,
    who: &Identity,
    requester: &accounts::Account,
    d: Draft,
) -> AppResult<Request> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    if d.kind == "ad" {
        sqlx::query(
            "INSERT INTO ad_wallets (account_id, credited, updated_at) VALUES ($1, 0, $2) \
             ON CONFLICT (account_id) DO NOTHING",
        )
        .bind(requester.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if state.db.backend == Backend::Postgres {
            sqlx::query("SELECT account_id FROM ad_wallets WHERE account_id = $1 FOR UPDATE")
                .bind(requester.id)
                .execute(&mut *tx)
                .await?;
        }
        let w = advertising::wallet_unchecked(&mut tx, requester.id, now).await?;
        let want = d.impressions.unwrap_or(0);
        if want > w.available {
            return Err(AppError::validation(
                "impressions",
                format!(
                    "Only {} impressions are available ({} credited, {} held by pending and {} by live campaigns, {} spent)",
                    w.available.max(0),
                    w.credited,
                    w.pending,
                    w.live,
                    w.spent
                ),
            ));
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO requests (kind, account_id, addressee_id, title, ref_id, channel_id, engagement, content, \
         impressions, price, currency, starts_at, ends_at, created_at, created_by_login_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(d.kind)
    .bind(requester.id)
    .bind(d.addressee)
    .bind(&d.title)
    .bind(d.ref_id)
    .bind(d.channel_id)
    .bind(d.engagement.clone())
    .bind(d.content.to_string())
    .bind(d.impressions)
    .bind(d.price)
    .bind(d.currency.clone())
    .bind(d.starts_at)
    .bind(d.ends_at)
    .bind(now)
    .bind(who.login.id)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => AppError::conflict(
            "duplicate_request",
            "The same request is already waiting for a decision",
        ),
        _ => e.into(),
    })?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(requester.id),
            action: "request.create",
            target_type: Some("request"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{}: {}", kind_label(d.kind), d.title)),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, id).await?.ok_or(AppError::NotFound)
}

/// The account that asked (members and up) withdraws a request still waiting; it frees what it
/// held. Withdrawn requests are not decisions and stay out of the history.
pub async fn withdraw(state: &AppState, who: &Identity, id: i64) -> AppResult<Request> {
    let r = get(state, id).await?.ok_or(AppError::NotFound)?;
    access::account(state, who, r.account_id, Need::Write).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE requests SET status = 'withdrawn', decided_at = $1 WHERE id = $2 AND status = 'pending'",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::conflict(
            "already_decided",
            "This request is no longer waiting",
        ));
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(r.account_id),
            action: "request.withdraw",
            target_type: Some("request"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{}: {}", r.type_label, r.title)),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, id).await?.ok_or(AppError::NotFound)
}

#[derive(Clone, Debug, Deserialize, Default)]
pub struct MineFilter {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn check_kind(kind: Option<&str>) -> AppResult<Option<&str>> {
    match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) if KINDS.iter().any(|(x, _)| *x == k) => Ok(Some(k)),
        Some(_) => Err(AppError::validation(
            "type",
            "Type is addon, broadcast, ad_package, ad or reseller_link",
        )),
    }
}

/// One page of `sql` (a SELECT of requests) in `order`, with the total.
async fn page_of(
    state: &AppState,
    sql: Sql,
    order: &str,
    page: i64,
    per_page: i64,
) -> AppResult<Page<Request>> {
    let count = Sql {
        text: format!("SELECT COUNT(*) FROM ({}) x", sql.text),
        args: sql.args.clone(),
    };
    let total = count.scalar::<i64>().fetch_one(&state.db.pool).await?;
    let mut sql = sql;
    sql.push(order)
        .push(" LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    let rows = sql.query().fetch_all(&state.db.pool).await?;
    let now = state.now_ms();
    Ok(Page {
        items: rows
            .iter()
            .map(|r| from_row(r, now))
            .collect::<Result<_, _>>()?,
        total,
        page,
        per_page,
    })
}

/// The requests the account in view made, newest first, with status and reasons.
pub async fn mine(state: &AppState, who: &Identity, f: &MineFilter) -> AppResult<Page<Request>> {
    access::account(state, who, who.view_account_id, Need::Read).await?;
    let (page, per_page) = paging(f.page, f.per_page);
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE r.account_id = ").int(who.view_account_id);
    if let Some(k) = check_kind(f.kind.as_deref())? {
        sql.push(" AND r.kind = ").str(k);
    }
    match f.status.as_deref().unwrap_or("") {
        "" => {}
        s @ ("pending" | "approved" | "rejected" | "withdrawn") => {
            sql.push(" AND r.status = ").str(s);
        }
        _ => {
            return Err(AppError::validation(
                "status",
                "Status is pending, approved, rejected or withdrawn",
            ))
        }
    }
    page_of(
        state,
        sql,
        " ORDER BY r.created_at DESC, r.id DESC",
        page,
        per_page,
    )
    .await
}

/// Pending counts per type for the account in view's inbox (partnership included for the operator).
#[derive(Clone, Debug, Serialize, Default)]
pub struct Counts {
    pub partnership: i64,
    pub addon: i64,
    pub broadcast: i64,
    pub ad_package: i64,
    pub ad: i64,
    pub reseller_link: i64,
}

impl Counts {
    pub fn of(&self, kind: &str) -> i64 {
        match kind {
            "partnership" => self.partnership,
            "addon" => self.addon,
            "broadcast" => self.broadcast,
            "ad_package" => self.ad_package,
            "ad" => self.ad,
            _ => self.reseller_link,
        }
    }
    pub fn total(&self) -> i64 {
        self.partnership
            + self.addon
            + self.broadcast
            + self.ad_package
            + self.ad
            + self.reseller_link
    }
}

pub async fn counts(state: &AppState, who: &Identity) -> AppResult<Counts> {
    let rows = sqlx::query(
        "SELECT r.kind, COUNT(*) AS n FROM requests r JOIN accounts a ON a.id = r.account_id \
         WHERE r.addressee_id = $1 AND r.status = 'pending' AND a.status <> 'deleted' GROUP BY r.kind",
    )
    .bind(who.view_account_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut c = Counts::default();
    for r in rows {
        let n: i64 = r.try_get("n")?;
        match r.try_get::<String, _>("kind")?.as_str() {
            "addon" => c.addon = n,
            "broadcast" => c.broadcast = n,
            "ad_package" => c.ad_package = n,
            "ad" => c.ad = n,
            _ => c.reseller_link = n,
        }
    }
    if access::operator(state, who, Need::Read).await.is_ok() {
        c.partnership = sqlx::query_scalar(
            "SELECT COUNT(*) FROM partnership_requests WHERE status = 'pending'",
        )
        .fetch_one(&state.db.pool)
        .await?;
    }
    Ok(c)
}

#[derive(Clone, Debug, Deserialize, Default)]
pub struct InboxFilter {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// What waits for the account in view's decision, oldest first.
pub async fn inbox(state: &AppState, who: &Identity, f: &InboxFilter) -> AppResult<Page<Request>> {
    access::account(state, who, who.view_account_id, Need::Read).await?;
    let (page, per_page) = paging(f.page, f.per_page);
    let mut sql = Sql::new(SELECT);
    sql.push(" WHERE r.addressee_id = ")
        .int(who.view_account_id)
        .push(" AND r.status = 'pending' AND a.status <> 'deleted'");
    if let Some(k) = check_kind(f.kind.as_deref())? {
        sql.push(" AND r.kind = ").str(k);
    }
    page_of(state, sql, " ORDER BY r.created_at, r.id", page, per_page).await
}

/// Approves or rejects a pending request addressed to the account in view (owners and admins).
/// Taken once: of two decisions at once, one succeeds and the other gets `already_decided`.
/// Nobody decides a request of their own account.
pub async fn decide(
    state: &AppState,
    who: &Identity,
    id: i64,
    approve: bool,
    reason: &str,
) -> AppResult<Request> {
    let r = get(state, id).await?.ok_or(AppError::NotFound)?;
    if r.addressee_id != who.view_account_id {
        return if access::is_within(state, who.view_account_id, r.account_id).await? {
            Err(AppError::forbidden(
                "this request is addressed to another account: only that account decides it",
            ))
        } else {
            Err(AppError::NotFound)
        };
    }
    access::require(who, Need::Admin)?;
    if r.account_id == who.home_account_id
        || r.account_id == who.view_account_id
        || r.created_by_login_id == Some(who.login.id)
    {
        return Err(AppError::forbidden(
            "nobody decides a request that they or their own account made",
        ));
    }
    if approve && r.account_status != "active" {
        return Err(AppError::conflict(
            "requester_inactive",
            format!(
                "{} is not active: reject the request instead",
                r.partner_name
            ),
        ));
    }
    if approve && r.kind == "broadcast" && r.channel_id.is_none() {
        return Err(AppError::conflict(
            "channel_gone",
            "The channel of this broadcast was deleted: reject it instead",
        ));
    }
    let reason = if approve {
        String::new()
    } else {
        validate::text("reason", reason, 1000, true)?
    };
    let now = state.now_ms();
    if approve && r.kind == "ad" {
        if let Some(end) = r.ends_ms {
            if end <= now {
                return Err(AppError::conflict(
                    "request_expired",
                    "This campaign's end has passed: reject it instead",
                ));
            }
        }
    }
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE requests SET status = $1, reason = $2, decided_at = $3, decided_by_login_id = $4, \
         decided_by_email = $5 WHERE id = $6 AND status = 'pending'",
    )
    .bind(if approve { "approved" } else { "rejected" })
    .bind(if approve { None } else { Some(reason.clone()) })
    .bind(now)
    .bind(who.login.id)
    .bind(&who.login.email)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::conflict(
            "already_decided",
            "This request was already decided",
        ));
    }
    if approve {
        take_effect(state, &mut tx, &r, now).await?;
    }
    for (to, name) in super::billing::owner_contacts(state, r.account_id).await? {
        notifications::enqueue(
            state,
            &mut tx,
            &notifications::Message::RequestDecided {
                to,
                name,
                kind: r.type_label.to_lowercase(),
                title: r.title.clone(),
                approved: approve,
                reason: reason.clone(),
            },
        )
        .await?;
    }
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(r.account_id),
            action: if approve {
                "request.approve"
            } else {
                "request.reject"
            },
            target_type: Some("request"),
            target_id: Some(id.to_string()),
            detail: Some(if approve {
                format!("{}: {}", r.type_label, r.title)
            } else {
                format!("{}: {}: {reason}", r.type_label, r.title)
            }),
        },
    )
    .await?;
    // The addressee's own log shows the decision too.
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(r.addressee_id),
            action: if approve {
                "request.approve"
            } else {
                "request.reject"
            },
            target_type: Some("request"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "{}: {} ({})",
                r.type_label, r.title, r.partner_name
            )),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, id).await?.ok_or(AppError::NotFound)
}

/// The effect of an approval, in the decision's transaction.
async fn take_effect(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    r: &Request,
    now: i64,
) -> AppResult<()> {
    match r.kind.as_str() {
        "addon" => {
            sqlx::query(
                "INSERT INTO partner_addons (account_id, addon_id, price, currency, request_id, enabled_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, addon_id) DO NOTHING",
            )
            .bind(r.account_id)
            .bind(r.addon_id)
            .bind(r.price.unwrap_or(0))
            .bind(r.currency.clone().unwrap_or_default())
            .bind(r.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        "ad_package" => {
            let n = r.impressions.unwrap_or(0);
            sqlx::query(
                "INSERT INTO ad_wallets (account_id, credited, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (account_id) DO UPDATE SET credited = ad_wallets.credited + $2, updated_at = $3",
            )
            .bind(r.account_id)
            .bind(n)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        "broadcast" => {
            let starts = r.starts_ms.unwrap_or(now);
            sqlx::query(
                "INSERT INTO broadcasts (request_id, account_id, channel_id, starts_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(r.id)
            .bind(r.account_id)
            .bind(r.channel_id)
            .bind(starts)
            .execute(&mut *tx)
            .await?;
            jobs::enqueue(
                tx,
                now,
                jobs::SEND_BROADCAST,
                &serde_json::json!({ "request_id": r.id }).to_string(),
                starts.max(now),
                Some(&format!("broadcast:{}", r.id)),
            )
            .await?;
        }
        // A campaign's approval is its going live: it holds its impressions from the request on.
        "ad" => {}
        _ => {
            // A link to a partner deleted since holds nothing any more.
            sqlx::query(
                "DELETE FROM reseller_links WHERE reseller_id = $1 AND partner_id IN (SELECT id FROM accounts WHERE status = 'deleted')",
            )
            .bind(r.account_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO reseller_links (reseller_id, partner_id, request_id, linked_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(r.account_id)
            .bind(r.addressee_id)
            .bind(r.id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => AppError::conflict(
                    "already_linked",
                    "This reseller already resells for a partner",
                ),
                _ => e.into(),
            })?;
            let _ = state;
        }
    }
    Ok(())
}

/// Sends an approved broadcast at its start: to every active customer who does not follow the
/// channel. Once: a second run finds it sent.
pub async fn send_broadcast(state: &AppState, request_id: i64) -> AppResult<bool> {
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE broadcasts SET status = 'sent', sent_at = $1, recipients = CASE WHEN channel_id IS NULL THEN 0 ELSE (\
           SELECT COUNT(*) FROM accounts a WHERE a.kind = 'customer' AND a.status = 'active' \
           AND NOT EXISTS (SELECT 1 FROM channel_followers f WHERE f.channel_id = broadcasts.channel_id AND f.customer_id = a.id)) END \
         WHERE request_id = $2 AND status = 'scheduled' AND starts_at <= $1",
    )
    .bind(now)
    .bind(request_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n > 0 {
        audit::record(
            &mut tx,
            now,
            &audit::Actor::system(),
            audit::Entry {
                subject_account_id: None,
                action: "broadcast.send",
                target_type: Some("request"),
                target_id: Some(request_id.to_string()),
                detail: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n > 0)
}

// ---- history ----

#[derive(Clone, Debug, Deserialize, Default)]
pub struct HistoryFilter {
    /// Part of the partner's name.
    pub q: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// approved or rejected.
    pub decision: Option<String>,
    /// First day (YYYY-MM-DD), inclusive.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD), inclusive.
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub type_label: String,
    pub title: String,
    pub partner: String,
    pub decision: String,
    pub reason: Option<String>,
    pub decided_at: String,
    pub decided_by: String,
}

/// Decisions of the account in view: its requests, and for the operator its partnership requests.
pub fn history_sql(operator: bool, view: i64, f: &HistoryFilter) -> AppResult<Sql> {
    let mut sql = Sql::new(
        "SELECT h.id, h.kind, h.title, h.partner, h.status, h.reason, h.decided_at, h.decided_by FROM (\
         SELECT r.id, r.kind, r.title, a.name AS partner, r.status, r.reason, r.decided_at, \
         COALESCE(r.decided_by_email, '') AS decided_by \
         FROM requests r JOIN accounts a ON a.id = r.account_id \
         WHERE r.addressee_id = ",
    );
    sql.int(view)
        .push(" AND r.status IN ('approved', 'rejected')");
    if operator {
        sql.push(
            " UNION ALL SELECT p.id, 'partnership', p.company_name || CASE WHEN p.kind = 'reseller' THEN ' (reseller, ' ELSE ' (' END || p.package_name || ')', p.company_name, \
             p.status, p.reason, p.decided_at, COALESCE(p.decided_by_email, '') \
             FROM partnership_requests p WHERE p.status <> 'pending'",
        );
    }
    sql.push(") h WHERE 1 = 1");
    sql.name_contains("h.partner", f.q.as_deref())?;
    match f.kind.as_deref().map(str::trim).unwrap_or("") {
        "" => {}
        "partnership" => {
            sql.push(" AND h.kind = 'partnership'");
        }
        k => {
            let k = check_kind(Some(k))?.unwrap_or_default();
            sql.push(" AND h.kind = ").str(k);
        }
    }
    match f.decision.as_deref().unwrap_or("") {
        "" => {}
        d @ ("approved" | "rejected") => {
            sql.push(" AND h.status = ").str(d);
        }
        _ => {
            return Err(AppError::validation(
                "decision",
                "Decision is approved or rejected",
            ))
        }
    }
    let from = match f.from.as_deref().filter(|v| !v.trim().is_empty()) {
        Some(v) => Some(validate::day("from", v)?),
        None => None,
    };
    let to = match f.to.as_deref().filter(|v| !v.trim().is_empty()) {
        Some(v) => Some(validate::day("to", v)? + 86_400_000),
        None => None,
    };
    if let (Some(a), Some(b)) = (from, to) {
        if b <= a {
            return Err(AppError::validation(
                "to",
                "The last day must not come before the first",
            ));
        }
    }
    if let Some(a) = from {
        sql.push(" AND h.decided_at >= ").int(a);
    }
    if let Some(b) = to {
        sql.push(" AND h.decided_at < ").int(b);
    }
    Ok(sql)
}

fn decision_from_row(r: &Row) -> Result<Decision, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    Ok(Decision {
        id: r.try_get("id")?,
        type_label: kind_label(&kind).to_string(),
        kind,
        title: r.try_get("title")?,
        partner: r.try_get("partner")?,
        decision: r.try_get("status")?,
        reason: r.try_get("reason")?,
        decided_at: r
            .try_get::<Option<i64>, _>("decided_at")?
            .map(crate::clock::rfc3339)
            .unwrap_or_default(),
        decided_by: r.try_get("decided_by")?,
    })
}

async fn history_base(state: &AppState, who: &Identity, f: &HistoryFilter) -> AppResult<Sql> {
    access::account(state, who, who.view_account_id, Need::Read).await?;
    let operator = access::operator(state, who, Need::Read).await.is_ok();
    history_sql(operator, who.view_account_id, f)
}

pub const HISTORY_ORDER: &str = " ORDER BY h.decided_at DESC, h.kind, h.id DESC";

pub async fn history(
    state: &AppState,
    who: &Identity,
    f: &HistoryFilter,
) -> AppResult<Page<Decision>> {
    let sql = history_base(state, who, f).await?;
    let (page, per_page) = paging(f.page, f.per_page);
    let count = Sql {
        text: format!("SELECT COUNT(*) FROM ({}) x", sql.text),
        args: sql.args.clone(),
    };
    let total = count.scalar::<i64>().fetch_one(&state.db.pool).await?;
    let mut sql = sql;
    sql.push(HISTORY_ORDER)
        .push(" LIMIT ")
        .int(per_page)
        .push(" OFFSET ")
        .int((page - 1) * per_page);
    let rows = sql.query().fetch_all(&state.db.pool).await?;
    Ok(Page {
        items: rows
            .iter()
            .map(decision_from_row)
            .collect::<Result<_, _>>()?,
        total,
        page,
        per_page,
    })
}

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

/// The filtered history as CSV, streamed: rows go out in chunks as they are read, so memory
/// stays flat however many there are. Filters are checked before the first byte.
pub async fn history_csv(
    state: &AppState,
    who: &Identity,
    f: &HistoryFilter,
) -> AppResult<super::csv_out::Stream> {
    let mut sql = history_base(state, who, f).await?;
    sql.push(HISTORY_ORDER);
    Ok(super::csv_out::stream(
        state.db.pool.clone(),
        sql,
        &HISTORY_HEADER,
        |r: &Row, w: &mut super::csv_out::Writer| {
            let d = decision_from_row(r)?;
            w.row(&[
                &d.decided_at,
                &d.type_label,
                &d.title,
                &d.partner,
                &d.decision,
                d.reason.as_deref().unwrap_or(""),
                &d.decided_by,
                &d.id.to_string(),
            ]);
            Ok(())
        },
    ))
}

// ---- what end-users are shown ----

/// What a customer (an end-user) is shown: the broadcasts sent to it (from channels it does not
/// follow, since it exists) and the ad campaigns live now.
#[derive(Clone, Debug, Serialize)]
pub struct Engagements {
    pub broadcasts: Vec<Request>,
    pub ads: Vec<Request>,
}

pub async fn engagements(state: &AppState, who: &Identity) -> AppResult<Engagements> {
    let me = access::account(state, who, who.view_account_id, Need::Read).await?;
    if me.kind != "customer" {
        return Err(AppError::forbidden("engagements are shown to customers"));
    }
    let now = state.now_ms();
    let mut b = Sql::new(SELECT);
    b.push(" WHERE r.kind = 'broadcast' AND b.status = 'sent' AND b.sent_at >= (SELECT created_at FROM accounts WHERE id = ")
        .int(me.id)
        .push(") AND NOT EXISTS (SELECT 1 FROM channel_followers f WHERE f.channel_id = r.channel_id AND f.customer_id = ")
        .int(me.id)
        .push(") ORDER BY b.sent_at DESC, r.id DESC LIMIT 50");
    let mut a = Sql::new(SELECT);
    a.push(" WHERE r.kind = 'ad' AND r.status = 'approved' AND r.starts_at <= ")
        .int(now)
        .push(" AND r.ends_at > ")
        .int(now)
        .push(" AND a.status = 'active' ORDER BY r.starts_at DESC, r.id DESC LIMIT 20");
    let read = |rows: Vec<Row>| {
        rows.iter()
            .map(|r| from_row(r, now))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(Engagements {
        broadcasts: read(b.query().fetch_all(&state.db.pool).await?)?,
        ads: read(a.query().fetch_all(&state.db.pool).await?)?,
    })
}
