//! Partner onboarding: public registration, partnership requests, the operator's decision, the
//! history of decisions, operator settings and "My partners".

use crate::areas::accounts;
use crate::areas::accounts::logins;
use crate::areas::catalog;
use crate::kernel::access;
use crate::kernel::access::Need;
use crate::kernel::audit;
use crate::kernel::db::is_unique_violation;
use crate::kernel::db::Backend;
use crate::kernel::db::Row;
use crate::kernel::enums::{Kind, Role};
use crate::kernel::error::AppError;
use crate::kernel::error::AppResult;
use crate::kernel::error::ErrorCode;
use crate::kernel::notify as notifications;
use crate::kernel::secrets;
use crate::kernel::validate;
use crate::kernel::validate::text;
use crate::kernel::Identity;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

pub const AUTO_APPROVE: &str = "auto_approve_partners";

/// Registrations allowed per address per hour.
pub const REGISTRATIONS_PER_HOUR: i64 = 5;

#[derive(Clone, Debug, Deserialize, Default, utoipa::ToSchema)]
pub struct Registration {
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub company_name: String,
    #[serde(default)]
    #[schema(
        required = true,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*\S[^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub contact_name: String,
    #[serde(default)]
    #[schema(required = true, format = Email)]
    pub email: String,
    /// Digits, spaces and + - ( ) . / only; needed for delivery by SMS.
    #[serde(default)]
    #[schema(max_length = 40, pattern = r"^[0-9 +()./-]*$")]
    pub phone: String,
    /// Starts with https:// or http://, without spaces.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub website: String,
    /// How you want to work with us; line breaks allowed.
    #[serde(default)]
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
    )]
    pub description: String,
    /// One of the active packages.
    #[schema(required = true, nullable = false)]
    pub package_id: Option<i64>,
    /// "I do not want to provide services to resellers".
    #[serde(default)]
    pub no_resellers: bool,
    /// "List my company in the partner directory, with email, phone and website" (default off).
    #[serde(default)]
    pub directory_consent: bool,
    /// How the credentials are sent: email (default) or sms.
    #[schema(schema_with = delivery_values)]
    pub delivery: Option<String>,
    /// What registers: a partner (default) or a reseller.
    #[schema(schema_with = registration_kinds)]
    pub kind: Option<String>,
}

fn delivery_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["email", "sms"])
}

fn registration_kinds() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["partner", "reseller"])
}

fn request_status_values() -> utoipa::openapi::Object {
    crate::kernel::http::openapi::one_of(&["pending", "approved", "rejected"])
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PartnershipRequest {
    pub id: i64,
    pub company_name: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub description: String,
    pub no_resellers: bool,
    /// Agreed to be listed in the partner directory with its contact details.
    pub directory_consent: bool,
    #[schema(schema_with = delivery_values)]
    pub delivery: String,
    pub package_id: i64,
    pub package_name: String,
    pub monthly_price: i64,
    pub currency: String,
    pub price_label: String,
    pub already_partner: bool,
    #[schema(schema_with = request_status_values)]
    pub status: String,
    pub reason: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub partner_account_id: Option<i64>,
    /// partner or reseller.
    #[schema(schema_with = registration_kinds)]
    pub kind: String,
}

pub(crate) const COLUMNS: &str = "id, company_name, contact_name, email, phone, website, description, no_resellers, directory_consent, delivery, \
     package_id, package_name, monthly_price, currency, already_partner, status, reason, created_at, decided_at, \
     decided_by_email, partner_account_id, kind";

pub(crate) fn from_row(r: &Row) -> Result<PartnershipRequest, sqlx::Error> {
    let price: i64 = r.try_get("monthly_price")?;
    let currency: String = r.try_get("currency")?;
    Ok(PartnershipRequest {
        id: r.try_get("id")?,
        company_name: r.try_get("company_name")?,
        contact_name: r.try_get("contact_name")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        website: r.try_get("website")?,
        description: r.try_get("description")?,
        no_resellers: r.try_get::<i64, _>("no_resellers")? != 0,
        directory_consent: r.try_get::<i64, _>("directory_consent")? != 0,
        delivery: r.try_get("delivery")?,
        package_id: r.try_get("package_id")?,
        package_name: r.try_get("package_name")?,
        monthly_price: price,
        price_label: catalog::money(price, &currency),
        currency,
        already_partner: r.try_get::<i64, _>("already_partner")? != 0,
        status: r.try_get("status")?,
        reason: r.try_get("reason")?,
        created_at: crate::clock::rfc3339(r.try_get("created_at")?),
        decided_at: r
            .try_get::<Option<i64>, _>("decided_at")?
            .map(crate::clock::rfc3339),
        decided_by: r.try_get("decided_by_email")?,
        partner_account_id: r.try_get("partner_account_id")?,
        kind: r.try_get("kind")?,
    })
}

pub(crate) async fn get(state: &AppState, id: i64) -> AppResult<Option<PartnershipRequest>> {
    let q = format!("SELECT {COLUMNS} FROM partnership_requests WHERE id = $1");
    let row = sqlx::query(&q)
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub async fn setting(state: &AppState, key: &str) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&state.db.pool)
            .await?,
    )
}

/// Turns automatic approval of partnership requests on or off (operator admins).
pub async fn set_auto_approve(state: &AppState, who: &Identity, on: bool) -> AppResult<()> {
    access::operator(state, who, Need::Admin).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(AUTO_APPROVE)
        .bind(if on { "1" } else { "0" })
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "settings.auto_approve",
            target_type: None,
            target_id: None,
            detail: Some(if on { "on" } else { "off" }.into()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A public registration: validated, rate limited per address, one pending request per email.
/// Approved at once when the operator turned automatic approval on.
pub async fn register(
    state: &AppState,
    input: &Registration,
    ip: &str,
    request_id: &str,
) -> AppResult<PartnershipRequest> {
    // Every field is checked, and every error answered at once.
    let mut c = validate::Collect::new();
    let kind = match input.kind.as_deref().map(str::trim).unwrap_or("") {
        "" | "partner" => "partner",
        "reseller" => "reseller",
        _ => {
            c.add("kind", "Register as a partner or a reseller");
            "partner"
        }
    };
    let package_id = input.package_id;
    if package_id.is_none() {
        c.add("package_id", "Choose a package");
    }
    let company = c.take(validate::name(
        "company_name",
        &input.company_name,
        validate::MAX_NAME,
    ))?;
    let contact = c.take(validate::name(
        "contact_name",
        &input.contact_name,
        validate::MAX_NAME,
    ))?;
    let email = c.take(validate::email("email", &input.email))?;
    let phone = c.take(text("phone", &input.phone, 40, false))?;
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
    {
        c.add(
            "phone",
            "Phone may hold digits, spaces and + - ( ) . / only",
        );
    }
    let website = c.take(text("website", &input.website, 200, false))?;
    let web_ok =
        website.is_empty() || website.starts_with("https://") || website.starts_with("http://");
    if !web_ok || website.contains(char::is_whitespace) {
        c.add("website", "Website must start with https:// or http://");
    }
    let description = c.take(text("description", &input.description, 2000, false))?;
    let delivery = match input.delivery.as_deref().unwrap_or("email") {
        "email" | "" => "email",
        "sms" => {
            if phone.is_empty() && !c.has("phone") {
                c.add(
                    "phone",
                    "A phone number is needed to receive the login by SMS",
                );
            }
            "sms"
        }
        _ => {
            c.add("delivery", "Delivery is email or sms");
            "email"
        }
    };
    let package = match package_id {
        Some(id) => catalog::package(state, id)
            .await?
            .filter(|p| p.status == "active"),
        None => None,
    };
    if package.is_none() && package_id.is_some() {
        c.add("package_id", "Choose one of the packages offered");
    }
    c.finish()?;
    let Some(package) = package else {
        return Err(AppError::validation("package_id", "Choose a package"));
    };

    // Rate limit per address, counted in the database.
    let key = format!("register:{ip}");
    let now = state.now_ms();
    let until: Option<i64> =
        sqlx::query_scalar("SELECT locked_until FROM login_throttle WHERE key = $1")
            .bind(&key)
            .fetch_optional(&state.db.pool)
            .await?;
    if let Some(until) = until.filter(|u| *u > now) {
        return Err(AppError::TooManyRequests {
            retry_after_secs: (until - now + 999) / 1000,
        });
    }
    let already_partner: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM logins l JOIN accounts a ON a.id = l.account_id WHERE l.email = $1 AND a.kind = 'partner'",
    )
    .bind(&email)
    .fetch_one(&state.db.pool)
    .await?;
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, 1, $2, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN login_throttle.window_start < $3 THEN 1 ELSE login_throttle.failures + 1 END, \
           window_start = CASE WHEN login_throttle.window_start < $3 THEN $2 ELSE login_throttle.window_start END, \
           locked_until = CASE WHEN (CASE WHEN login_throttle.window_start < $3 THEN 1 ELSE login_throttle.failures + 1 END) >= $4 \
                               THEN $2 + 3600000 ELSE login_throttle.locked_until END",
    )
    .bind(&key)
    .bind(now)
    .bind(now - 3_600_000)
    .bind(REGISTRATIONS_PER_HOUR)
    .execute(&mut *tx)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO partnership_requests (company_name, contact_name, email, phone, website, description, \
         no_resellers, delivery, package_id, package_name, monthly_price, currency, already_partner, ip, created_at, kind, directory_consent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(&company)
    .bind(&contact)
    .bind(&email)
    .bind(&phone)
    .bind(&website)
    .bind(&description)
    .bind(input.no_resellers as i64)
    .bind(delivery)
    .bind(package.id)
    .bind(&package.name)
    .bind(package.monthly_price)
    .bind(&package.currency)
    .bind((already_partner > 0) as i64)
    .bind(ip)
    .bind(now)
    .bind(kind)
    .bind(input.directory_consent as i64)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::conflict(ErrorCode::DuplicateRequest, "A request for this email is already waiting for a decision")
        } else {
            e.into()
        }
    })?;
    let actor = audit::Actor {
        ip: Some(ip.to_string()),
        request_id: Some(request_id.to_string()),
        login_email: Some(email.clone()),
        ..Default::default()
    };
    let operator = accounts::operator(&state.db).await?.map(|a| a.id);
    audit::record(
        &mut tx,
        now,
        &actor,
        audit::Entry {
            subject_account_id: operator,
            action: "partnership.request",
            target_type: Some("partnership_request"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{company} for {}", package.name)),
        },
    )
    .await?;
    tx.commit().await?;
    if setting(state, AUTO_APPROVE).await?.as_deref() == Some("1") {
        let auto = audit::Actor {
            login_email: Some("automatic approval".into()),
            ..actor
        };
        // If it cannot be approved automatically (e.g. the email has a login already), the
        // request simply waits for the operator.
        if let Err(e) = approve_as(state, &auto, id).await {
            tracing::info!(request = id, reason = %e.public_message(), "automatic approval skipped");
        }
    }
    get(state, id).await?.ok_or(AppError::NotFound)
}

/// Pending requests, oldest first (operator).
pub async fn pending(state: &AppState, who: &Identity) -> AppResult<Vec<PartnershipRequest>> {
    access::operator(state, who, Need::Read).await?;
    let q = format!("SELECT {COLUMNS} FROM partnership_requests WHERE status = 'pending' ORDER BY created_at, id");
    let rows = sqlx::query(&q).fetch_all(&state.db.pool).await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Approves a pending request: creates the partner, its owner login and its trial, and sends
/// the login by email. Decided once: a second decision gets a clear conflict.
pub async fn approve(state: &AppState, who: &Identity, id: i64) -> AppResult<PartnershipRequest> {
    access::operator(state, who, Need::Admin).await?;
    approve_as(state, &who.actor(), id).await?;
    get(state, id).await?.ok_or(AppError::NotFound)
}

pub(crate) async fn approve_as(state: &AppState, actor: &audit::Actor, id: i64) -> AppResult<()> {
    let r = get(state, id).await?.ok_or(AppError::NotFound)?;
    if r.status != "pending" {
        return Err(AppError::conflict(
            ErrorCode::AlreadyDecided,
            format!("This request was already {}", r.status),
        ));
    }
    let package = catalog::package(state, r.package_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let operator = accounts::operator(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let password = secrets::generate_password();
    let new = logins::NewLogin {
        account_id: 0,
        email: &r.email,
        name: &r.contact_name,
        password: &password,
        role: Role::Owner,
    };
    let (email, name, hash) = logins::prepare(state, &new).await?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let lock = if state.db.backend == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let status: Option<String> = sqlx::query_scalar(&format!(
        "SELECT status FROM partnership_requests WHERE id = $1{lock}"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if status.as_deref() != Some("pending") {
        return Err(AppError::conflict(
            ErrorCode::AlreadyDecided,
            "This request was already decided",
        ));
    }
    let partner = accounts::insert(
        &mut tx,
        now,
        Some(operator.id),
        if r.kind == "reseller" {
            Kind::Reseller
        } else {
            Kind::Partner
        },
        &r.company_name,
        Some(&r.email),
    )
    .await?;
    if !r.phone.is_empty() {
        sqlx::query("UPDATE accounts SET phone = $1 WHERE id = $2")
            .bind(&r.phone)
            .bind(partner)
            .execute(&mut *tx)
            .await?;
    }
    let owner_login = logins::insert_hashed(state, &mut tx, actor, partner, &email, &name, &hash, Role::Owner).await.map_err(|e| match e {
        AppError::Conflict { code: ErrorCode::EmailTaken, .. } => AppError::conflict(
            ErrorCode::EmailTaken,
            "A login with this email exists already: the applicant should sign in with it, or register with another email",
        ),
        other => other,
    })?;
    if r.kind != "reseller" {
        crate::areas::networks::init_reseller_settings(
            &mut tx,
            partner,
            r.no_resellers,
            r.directory_consent,
            &email,
            &r.phone,
            &r.website,
            now,
        )
        .await?;
    }
    let trial_end = now + package.trial_days * 86_400_000;
    sqlx::query(
        "INSERT INTO subscriptions (account_id, package_id, status, period_start, period_end, created_at, updated_at) \
         VALUES ($1, $2, 'trial', $3, $4, $3, $3)",
    )
    .bind(partner)
    .bind(package.id)
    .bind(now)
    .bind(trial_end)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE partnership_requests SET status = 'approved', decided_at = $1, decided_by_login_id = $2, \
         decided_by_email = $3, partner_account_id = $4 WHERE id = $5",
    )
    .bind(now)
    .bind(actor.login_id)
    .bind(actor.login_email.clone())
    .bind(partner)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // With PANEL_NEW_LOGIN_MAIL=link the owner chooses its password through a single-use link.
    let link = match state.config.new_login_mail {
        crate::config::NewLoginMail::Link => Some(
            crate::areas::auth::reset::issue_set_password_link(&mut tx, state, now, owner_login)
                .await?,
        ),
        crate::config::NewLoginMail::Password => None,
    };
    // The login goes by SMS when the applicant asked for it and a gateway is configured.
    if r.delivery == "sms" && state.config.sms_gateway_url.is_some() && !r.phone.is_empty() {
        let text = match &link {
            Some(l) => format!(
                "Partner Panel: {} is approved. Choose your password (link works once, 72 hours): {} then sign in with username {}",
                r.company_name, l, r.email
            ),
            None => format!(
                "Partner Panel: {} is approved. Sign in at {}/login with username {} and password {}",
                r.company_name, state.config.base_url, r.email, password
            ),
        };
        notifications::enqueue_sms(state, &mut tx, &r.phone, &text, "partner_approved_sms").await?;
    } else {
        notifications::enqueue(
            state,
            &mut tx,
            &notifications::Message::PartnerApproved {
                to: r.email.clone(),
                name: r.contact_name.clone(),
                company: r.company_name.clone(),
                package: package.name.clone(),
                trial_days: package.trial_days,
                password: if link.is_some() {
                    String::new()
                } else {
                    password.clone()
                },
                set_password_link: link.clone(),
            },
        )
        .await?;
    }
    audit::record(
        &mut tx,
        now,
        actor,
        audit::Entry {
            subject_account_id: Some(partner),
            action: "partnership.approve",
            target_type: Some("partnership_request"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{} with {}", r.company_name, package.name)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Rejects a pending request with a reason, which is emailed to the applicant.
pub async fn reject(
    state: &AppState,
    who: &Identity,
    id: i64,
    reason: &str,
) -> AppResult<PartnershipRequest> {
    access::operator(state, who, Need::Admin).await?;
    let reason = text("reason", reason, 1000, true)?;
    let r = get(state, id).await?.ok_or(AppError::NotFound)?;
    let now = state.now_ms();
    let mut tx = state.db.begin().await?;
    let n = sqlx::query(
        "UPDATE partnership_requests SET status = 'rejected', reason = $1, decided_at = $2, decided_by_login_id = $3, \
         decided_by_email = $4 WHERE id = $5 AND status = 'pending'",
    )
    .bind(&reason)
    .bind(now)
    .bind(who.login.id)
    .bind(&who.login.email)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::conflict(
            ErrorCode::AlreadyDecided,
            format!("This request was already {}", r.status),
        ));
    }
    notifications::enqueue(
        state,
        &mut tx,
        &notifications::Message::PartnerRejected {
            to: r.email.clone(),
            name: r.contact_name.clone(),
            company: r.company_name.clone(),
            reason: reason.clone(),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &who.actor(),
        audit::Entry {
            subject_account_id: Some(who.view_account_id),
            action: "partnership.reject",
            target_type: Some("partnership_request"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{}: {reason}", r.company_name)),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, id).await?.ok_or(AppError::NotFound)
}
