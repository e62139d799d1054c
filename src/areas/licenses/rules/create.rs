//! Creating a license: its holder's first sign-in, the package limits, the insert and its audit.

use super::*;
use crate::areas::accounts::AccountId;
use crate::areas::licenses::LicenseId;

/// How a login made by the panel signs in for the first time: a set-password link (with
/// PANEL_NEW_LOGIN_MAIL=link) or the generated password, as the welcome email says it.
async fn first_sign_in(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    now: i64,
    login_id: i64,
    email: &str,
    password: &str,
) -> AppResult<String> {
    Ok(match state.config.new_login_mail {
        crate::config::NewLoginMail::Link => {
            let link = crate::areas::auth::reset::issue_set_password_link(tx, state, now, login_id)
                .await?;
            format!(
                "Choose your password with this link (it works once, for 72 hours):\n\n{link}\n\n\
                 Then sign in with the email {email}."
            )
        }
        crate::config::NewLoginMail::Password => format!(
            "Sign in with:\n\nEmail: {email}\nPassword: {password}\n\n\
             Change the password under My profile after signing in."
        ),
    })
}

/// The login a login license entitles, checked before anything is written: (email, name,
/// role, password, hash), or None when no login was asked for.
async fn login_to_make(
    state: &AppState,
    who: &Identity,
    t: LicenseType,
    holder: &accounts::Account,
    input: &NewLicense,
) -> AppResult<Option<(String, String, Role, String, String)>> {
    let Some(email) = blank(&input.login_email) else {
        if blank(&input.login_name).is_some() {
            return Err(AppError::validation(
                "login_email",
                "Give the new login's email address, or leave its name empty",
            ));
        }
        return Ok(None);
    };
    if t != LicenseType::Login {
        return Err(AppError::validation(
            "login_email",
            "Only a login license creates a login",
        ));
    }
    // Making a login takes what adding one on the Logins page takes.
    access::account(state, who, holder.id, Need::Admin).await?;
    let mut c = validate::Collect::new();
    let email = c.take(validate::email("login_email", email))?;
    let name = c.take(validate::name(
        "login_name",
        input.login_name.as_deref().unwrap_or(""),
        validate::MAX_NAME,
    ))?;
    let role = match blank(&input.login_role) {
        None => Some(Role::Member),
        Some(r) => {
            let parsed = Role::parse(r);
            if parsed.is_none() {
                c.add("login_role", "Role must be owner, admin, member or viewer");
            }
            parsed
        }
    };
    c.finish()?;
    let role = role.unwrap_or(Role::Member);
    access::may_assign_role(who, holder.id, role)?;
    let password = crate::kernel::secrets::generate_password();
    let hash = state.hasher.hash(&password).await?;
    Ok(Some((email, name, role, password, hash)))
}

/// Inside a write transaction creating a license of type `t` at or below `account_id`: refuses
/// it when a package above caps that type (or its seats) and the cap is reached. Counts come
/// from the totals. On PostgreSQL the subscriptions concerned are locked first (row locks), so
/// concurrent creations under one partner are counted one after the other; on SQLite the
/// writer lock serialises them.
pub(crate) async fn check_limits(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    account_id: AccountId,
    t: LicenseType,
    seats: Option<i64>,
) -> AppResult<()> {
    if state.db.backend == Backend::Postgres {
        sqlx::query(
            "SELECT account_id FROM subscriptions WHERE account_id IN \
             (SELECT ancestor_id FROM account_closure WHERE descendant_id = $1) \
             ORDER BY account_id FOR UPDATE",
        )
        .bind(account_id)
        .fetch_all(&mut *conn)
        .await?;
    }
    let rows = sqlx::query(
        "SELECT a.name, pl.max_licenses, pl.max_seats, \
           (SELECT CAST(COALESCE(SUM(t.n), 0) AS BIGINT) FROM license_totals t \
            WHERE t.account_id = s.account_id AND t.license_type = $2) AS used \
         FROM account_closure c JOIN subscriptions s ON s.account_id = c.ancestor_id \
         JOIN package_license_limits pl ON pl.package_id = s.package_id AND pl.license_type = $2 \
         JOIN accounts a ON a.id = s.account_id \
         WHERE c.descendant_id = $1 ORDER BY c.depth",
    )
    .bind(account_id)
    .bind(t)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let name: String = r.try_get("name")?;
        let max_seats: Option<i64> = r.try_get("max_seats")?;
        if let (Some(cap), Some(n)) = (max_seats, seats) {
            if n > cap {
                return Err(AppError::validation(
                    "seats",
                    format!("The package of {name} allows at most {cap} seat(s) per {t} license"),
                ));
            }
        }
        let cap: Option<i64> = r.try_get("max_licenses")?;
        let used: i64 = r.try_get("used")?;
        if let Some(cap) = cap {
            if used >= cap {
                return Err(crate::areas::networks::limit_reached(
                    &name,
                    cap,
                    used,
                    &format!("{t} licenses"),
                ));
            }
        }
    }
    Ok(())
}

/// Inserts a license row and counts it, in `conn`'s transaction; returns its id.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    t: LicenseType,
    s: LicenseState,
    holder_id: AccountId,
    issuer_id: AccountId,
    bound_account_id: Option<i64>,
    bound_to: &str,
    seats: Option<i64>,
    starts: i64,
    ends: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO licenses (tenant_id, license_type, state, holder_id, holder_path, issuer_id, \
         bound_account_id, bound_to, seats, starts_at, ends_at, created_at, updated_at) \
         SELECT a.tenant_id, $1, $2, a.id, a.path, $4, $5, $6, $7, $8, $9, $10, $10 \
         FROM accounts a WHERE a.id = $3 RETURNING id",
    )
    .bind(t)
    .bind(s)
    .bind(holder_id)
    .bind(issuer_id)
    .bind(bound_account_id)
    .bind(bound_to)
    .bind(seats)
    .bind(starts)
    .bind(ends)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    bump(conn, holder_id, t, s, 1).await?;
    Ok(id)
}

pub(super) fn describe(
    t: LicenseType,
    holder: &str,
    seats: Option<i64>,
    ends: Option<i64>,
) -> String {
    let mut d = format!("{} license for {holder}", t.label());
    if let Some(n) = seats {
        d.push_str(&format!(", {n} seat(s)"));
    }
    match ends {
        Some(e) => d.push_str(&format!(", until {}", crate::clock::format_ms(e))),
        None => d.push_str(", no end"),
    }
    d
}

/// Creates a license for the account in view or one below it (members and up).
pub async fn create(state: &AppState, who: &Identity, input: &NewLicense) -> AppResult<License> {
    let t = parse_type("type", &input.license_type)?;
    let target_id = input.holder_id.unwrap_or(who.view_account_id);
    let target = access::account(state, who, target_id, Need::Write).await?;
    if !holder_kinds(t).contains(&target.kind) {
        let kinds: Vec<&str> = holder_kinds(t).iter().map(|k| k.as_str()).collect();
        return Err(AppError::validation(
            "holder_id",
            format!(
                "{} licenses {} {}; {} is a {}",
                t.label(),
                if t == LicenseType::Partner {
                    "are created below a"
                } else {
                    "are held by a"
                },
                kinds.join(", "),
                target.name,
                target.kind
            ),
        ));
    }
    let s = match blank(&input.state) {
        None => LicenseState::Active,
        Some(v) => match parse_state("state", v)? {
            s @ (LicenseState::Active | LicenseState::Pending) => s,
            _ => {
                return Err(AppError::validation(
                    "state",
                    "A new license is active or pending",
                ))
            }
        },
    };
    let now = state.now_ms();
    let starts = match blank(&input.starts_at) {
        Some(v) => parse_when("starts_at", v)?,
        None => now,
    };
    let ends = blank(&input.ends_at)
        .map(|v| parse_when("ends_at", v))
        .transpose()?;
    end_after_start(starts, ends)?;
    if ends.is_some_and(|e| e <= now) {
        return Err(AppError::validation(
            "ends_at",
            "The end must be in the future",
        ));
    }
    let seats = if t.has_seats() {
        let n = input.seats.unwrap_or(1);
        if n < 1 {
            return Err(AppError::validation("seats", "Seats must be 1 or more"));
        }
        Some(n)
    } else {
        if input.seats.is_some_and(|n| n != 0) {
            return Err(AppError::validation(
                "seats",
                "Only login and agent licenses have seats",
            ));
        }
        None
    };
    let bound_to = validate::text(
        "bound_to",
        input.bound_to.as_deref().unwrap_or(""),
        200,
        false,
    )?;
    // A partner license: the partner and its owner login, checked before anything is written.
    let partner = if t == LicenseType::Partner {
        let name = validate::name(
            "partner_name",
            input.partner_name.as_deref().unwrap_or(""),
            validate::MAX_NAME,
        )?;
        let owner = validate::name(
            "owner_name",
            input.owner_name.as_deref().unwrap_or(""),
            validate::MAX_NAME,
        )?;
        let email = validate::email("owner_email", input.owner_email.as_deref().unwrap_or(""))?;
        let password = crate::kernel::secrets::generate_password();
        let hash = state.hasher.hash(&password).await?;
        Some((name, owner, email, password, hash))
    } else {
        None
    };
    let login = login_to_make(state, who, t, &target, input).await?;
    let actor = who.actor();
    let mut tx = state.db.begin().await?;
    accounts::lock_active_chain(state, &mut tx, target.id).await?;
    check_limits(state, &mut tx, target.id, t, seats).await?;
    // A login license's login: on the holder, bound to the license by its email.
    let bound_to = match &login {
        None => bound_to,
        Some((email, name, role, password, hash)) => {
            let id =
                logins::insert_hashed(state, &mut tx, &actor, target.id, email, name, hash, *role)
                    .await?;
            let how = first_sign_in(state, &mut tx, now, id, email, password).await?;
            crate::kernel::notify::enqueue(
                state,
                &mut tx,
                &crate::kernel::notify::Message::Welcome {
                    to: email.clone(),
                    name: name.clone(),
                    subject: format!("Your Partner Panel login for {}", target.name),
                    text: format!(
                        "{} created a login for you at {}, with a login license. {how}",
                        who.login.name, target.name
                    ),
                },
            )
            .await?;
            email.clone()
        }
    };
    let (holder_id, holder_name, bound) = match &partner {
        None => (target.id, target.name.clone(), None),
        Some((name, owner, email, password, hash)) => {
            let taken: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM accounts WHERE parent_id = $1 AND kind = 'partner' \
                 AND status <> 'deleted' AND name_folded = $2",
            )
            .bind(target.id)
            .bind(crate::kernel::db::search::fold(name))
            .fetch_optional(&mut *tx)
            .await?;
            if taken.is_some() {
                return Err(AppError::conflict(
                    ErrorCode::NameTaken,
                    format!("{} has a partner named {name} already", target.name),
                ));
            }
            let id = accounts::insert(
                &mut tx,
                now,
                Some(target.id.get()),
                Kind::Partner,
                name,
                Some(email),
            )
            .await?;
            let owner_login = logins::insert_hashed(
                state,
                &mut tx,
                &actor,
                AccountId(id),
                email,
                owner,
                hash,
                Role::Owner,
            )
            .await?;
            // With PANEL_NEW_LOGIN_MAIL=link the owner chooses its password through a link.
            let how = first_sign_in(state, &mut tx, now, owner_login, email, password).await?;
            audit::record(
                &mut tx,
                now,
                &actor,
                audit::Entry {
                    subject_account_id: Some(target.id),
                    action: "account.create",
                    target_type: Some("account"),
                    target_id: Some(id.to_string()),
                    detail: Some(format!(
                        "partner {name} with a partner license (owner {email})"
                    )),
                },
            )
            .await?;
            crate::kernel::notify::enqueue(
                state,
                &mut tx,
                &crate::kernel::notify::Message::Welcome {
                    to: email.clone(),
                    name: owner.clone(),
                    subject: format!("Your Partner Panel account for {name}"),
                    text: format!(
                        "{} created the partner account {name} for you, with a partner license. {how}",
                        target.name
                    ),
                },
            )
            .await?;
            (AccountId(id), name.clone(), Some(AccountId(id)))
        }
    };
    let id = insert(
        &mut tx,
        now,
        t,
        s,
        holder_id,
        who.view_account_id,
        bound.map(i64::from),
        &bound_to,
        seats,
        starts,
        ends,
    )
    .await?;
    audit::record(
        &mut tx,
        now,
        &actor,
        audit::Entry {
            subject_account_id: Some(holder_id),
            action: "license.create",
            target_type: Some("license"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{} ({s})", describe(t, &holder_name, seats, ends))),
        },
    )
    .await?;
    tx.commit().await?;
    get(state, LicenseId(id)).await
}
