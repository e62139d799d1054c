//! Deciding partnership requests: the pending ones, approving and rejecting.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::catalog::PackageId;
use crate::areas::onboarding::PartnershipRequestId;

/// Pending requests, oldest first (operator).
pub async fn pending(state: &AppState, who: &Identity) -> AppResult<Vec<PartnershipRequest>> {
    access::operator(state, who, Need::Read).await?;
    let q = format!("SELECT {COLUMNS} FROM partnership_requests WHERE status = 'pending' ORDER BY created_at, id");
    let rows = sqlx::query(&q).fetch_all(&state.db.pool).await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// Approves a pending request: creates the partner, its owner login and its trial, and sends
/// the login by email. Decided once: a second decision gets a clear conflict.
pub async fn approve(
    state: &AppState,
    who: &Identity,
    id: PartnershipRequestId,
) -> AppResult<PartnershipRequest> {
    access::operator(state, who, Need::Admin).await?;
    approve_as(state, &who.actor(), id).await?;
    get(state, id).await?.ok_or(AppError::NotFound)
}

pub(crate) async fn approve_as(
    state: &AppState,
    actor: &audit::Actor,
    id: PartnershipRequestId,
) -> AppResult<()> {
    let r = get(state, id).await?.ok_or(AppError::NotFound)?;
    if r.status != "pending" {
        return Err(AppError::conflict(
            ErrorCode::AlreadyDecided,
            format!("This request was already {}", r.status),
        ));
    }
    let package = catalog::package(state, PackageId(r.package_id.get()))
        .await?
        .ok_or(AppError::NotFound)?;
    let operator = accounts::operator(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let password = secrets::generate_password();
    let new = logins::NewLogin {
        account_id: AccountId(0),
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
        Some(operator.id.get()),
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
    let owner_login = logins::insert_hashed(state, &mut tx, actor, AccountId(partner), &email, &name, &hash, Role::Owner).await.map_err(|e| match e {
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
            subject_account_id: Some(AccountId(partner)),
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
    id: PartnershipRequestId,
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
