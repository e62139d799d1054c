//! A public registration: validated, rate limited, and approved at once when automatic approval is on.

use super::*;
use crate::areas::catalog::PackageId;
use crate::areas::onboarding::PartnershipRequestId;

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
        Some(id) => catalog::package(state, PackageId(id.get()))
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
        if let Err(e) = approve_as(state, &auto, PartnershipRequestId(id)).await {
            tracing::info!(request = id, reason = %e.public_message(), "automatic approval skipped");
        }
    }
    get(state, PartnershipRequestId(id))
        .await?
        .ok_or(AppError::NotFound)
}
