//! Requests and the approval inbox: a partner asks (an add-on, a broadcast to non-followers, an
//! advertising package, an ad campaign); the account the request is addressed to (the operator)
//! approves or rejects it once, and approval takes effect in the same transaction.

use super::*;
use crate::areas::accounts;
use crate::areas::accounts::AccountId;
use crate::areas::approvals::RequestId;
use crate::areas::catalog;
use crate::areas::catalog::advertising;
use crate::areas::catalog::AdPackageId;
use crate::areas::catalog::AddonId;
use crate::areas::channels;
use crate::areas::channels::ChannelId;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::Backend;
use crate::kernel::enums::Kind;
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::validate;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::Deserialize;

/// What a partner asks for. Each type reads the fields it needs.
#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct NewRequest {
    /// reseller_link: a reseller's request for partner, sent to partner_id's inbox.
    #[serde(rename = "type")]
    #[schema(required = true, schema_with = request_kinds)]
    pub kind: Option<String>,
    /// addon: one of the add-ons on offer.
    #[schema(value_type = Option<i64>, nullable = false)]
    pub addon_id: Option<AddonId>,
    /// broadcast: one of the partner's channels.
    #[schema(value_type = Option<i64>, nullable = false)]
    pub channel_id: Option<ChannelId>,
    /// broadcast: message, survey or coupon.
    #[schema(schema_with = engagements)]
    pub engagement: Option<String>,
    /// broadcast: the message, the survey's question or the coupon's text (line breaks allowed).
    #[schema(
        nullable = false,
        max_length = 2000,
        pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub message: Option<String>,
    /// survey: 2 to 10 answers of at most 200 characters.
    #[schema(nullable = false, min_items = 2, max_items = 10)]
    pub options: Option<Vec<String>>,
    /// coupon: its code.
    #[schema(
        nullable = false,
        max_length = 40,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub coupon_code: Option<String>,
    /// coupon: e.g. 10%.
    #[schema(
        nullable = false,
        max_length = 40,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub discount: Option<String>,
    /// ad_package: one of the advertising packages on offer.
    #[schema(value_type = Option<i64>, nullable = false)]
    pub ad_package_id: Option<AdPackageId>,
    /// ad: the campaign's title.
    #[schema(
        nullable = false,
        max_length = 120,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub title: Option<String>,
    /// ad: the creative's text (line breaks allowed).
    #[schema(
        nullable = false,
        max_length = 500,
        pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub text: Option<String>,
    /// ad: the creative's image, an http(s) URL.
    #[schema(
        nullable = false,
        max_length = 500,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub image_url: Option<String>,
    /// ad: where a click leads, an http(s) URL.
    #[schema(
        nullable = false,
        max_length = 500,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub target_url: Option<String>,
    /// ad: impressions to spend (at most those available).
    #[schema(nullable = false, minimum = 1)]
    pub impressions: Option<i64>,
    /// broadcast, ad: RFC 3339 or YYYY-MM-DDTHH:MM (UTC).
    #[schema(nullable = false)]
    pub starts_at: Option<String>,
    /// ad: RFC 3339 or YYYY-MM-DDTHH:MM (UTC).
    #[schema(nullable = false)]
    pub ends_at: Option<String>,
    /// reseller_link: a partner of the directory.
    #[schema(value_type = Option<i64>, nullable = false)]
    pub partner_id: Option<AccountId>,
}

fn request_kinds() -> utoipa::openapi::Object {
    let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    crate::kernel::http::openapi::one_of(&kinds)
}

fn engagements() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&crate::areas::approvals::ENGAGEMENTS)
}

/// Validated columns of a new request.
#[derive(Default)]
pub(crate) struct Draft {
    kind: &'static str,
    addressee: i64,
    title: String,
    ref_id: Option<i64>,
    channel_id: Option<ChannelId>,
    engagement: Option<String>,
    content: serde_json::Value,
    impressions: Option<i64>,
    price: Option<i64>,
    currency: Option<String>,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
}

pub(crate) fn required_id(field: &str, v: Option<i64>, what: &str) -> AppResult<i64> {
    v.ok_or_else(|| AppError::validation(field, format!("Choose {what}")))
}

pub(crate) async fn draft(
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
    if requester.kind != Kind::Partner {
        return Err(AppError::forbidden("only partners make these requests"));
    }
    let operator = accounts::operator(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut d = Draft {
        kind,
        addressee: operator.id.get(),
        content: serde_json::json!({}),
        ..Default::default()
    };
    match kind {
        "addon" => {
            let id = required_id("addon_id", input.addon_id.map(i64::from), "an add-on")?;
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
                    ErrorCode::DuplicateRequest,
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
            let id = required_id(
                "channel_id",
                input.channel_id.map(i64::from),
                "one of your channels",
            )?;
            let ch = channels::get(state, ChannelId(id))
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
            d.channel_id = Some(ChannelId(ch.id.get()));
            d.engagement = Some(engagement.to_string());
            d.starts_at = Some(starts);
        }
        "ad_package" => {
            let id = required_id(
                "ad_package_id",
                input.ad_package_id.map(i64::from),
                "an advertising package",
            )?;
            let p = advertising::package(state, AdPackageId(id))
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
pub(crate) async fn link_draft(
    state: &AppState,
    who: &Identity,
    requester: &accounts::Account,
    input: &NewRequest,
) -> AppResult<Draft> {
    if requester.kind != Kind::Reseller {
        return Err(AppError::forbidden(
            "only resellers send a request for partner",
        ));
    }
    let pid = required_id(
        "partner_id",
        input.partner_id.map(i64::from),
        "a partner from the directory",
    )?;
    let partner = crate::areas::networks::listed_partner(state, pid)
        .await?
        .ok_or_else(|| {
            AppError::validation("partner_id", "This partner is not in the partner directory")
        })?;
    crate::areas::networks::withdraw_stale_link_requests(state, who, requester.id).await?;

    if let Some((_, current)) = crate::areas::networks::partner_of(state, requester.id).await? {
        return Err(AppError::conflict(
            ErrorCode::AlreadyLinked,
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

pub(crate) async fn insert(
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
            ErrorCode::DuplicateRequest,
            "The same request is already waiting for a decision",
        ),
        _ => e.into(),
    })?;
    let own = audit::Entry {
        subject_account_id: Some(requester.id),
        action: "request.create",
        target_type: Some("request"),
        target_id: Some(id.to_string()),
        detail: Some(format!("{}: {}", kind_label(d.kind), d.title)),
    };
    if d.kind == "reseller_link" {
        // The partner asked is another tree: its log names the reseller, not who asked.
        audit::record_across(
            &mut tx,
            now,
            &who.actor(),
            own,
            audit::OtherSide {
                entry: audit::Entry {
                    subject_account_id: Some(AccountId(d.addressee)),
                    action: "request.create",
                    target_type: Some("request"),
                    target_id: Some(id.to_string()),
                    detail: Some(format!("{}: {}", kind_label(d.kind), d.title)),
                },
                actor_known_as: requester.known_as(),
            },
        )
        .await?;
    } else {
        audit::record(&mut tx, now, &who.actor(), own).await?;
    }
    tx.commit().await?;
    get_seen(state, who, RequestId(id)).await
}

/// The account that asked (members and up) withdraws a request still waiting; it frees what it
/// held. Withdrawn requests are not decisions and stay out of the history.
pub async fn withdraw(state: &AppState, who: &Identity, id: RequestId) -> AppResult<Request> {
    let r = get(state, id).await?.ok_or(AppError::NotFound)?;
    let requester = access::account(state, who, r.account_id, Need::Write).await?;
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
            ErrorCode::AlreadyDecided,
            "This request is no longer waiting",
        ));
    }
    let entry = |subject: AccountId| audit::Entry {
        subject_account_id: Some(subject),
        action: "request.withdraw",
        target_type: Some("request"),
        target_id: Some(id.to_string()),
        detail: Some(format!("{}: {}", r.type_label, r.title)),
    };
    if r.kind == RequestType::ResellerLink {
        // It leaves the partner's inbox: the partner's log names the reseller only.
        audit::record_across(
            &mut tx,
            now,
            &who.actor(),
            entry(r.account_id),
            audit::OtherSide {
                entry: entry(r.addressee_id),
                actor_known_as: requester.known_as(),
            },
        )
        .await?;
    } else {
        audit::record(&mut tx, now, &who.actor(), entry(r.account_id)).await?;
    }
    tx.commit().await?;
    get_seen(state, who, id).await
}
