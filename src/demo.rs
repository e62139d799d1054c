//! Demo data: a small channel under the operator, with logins that share one password.

use crate::{
    domain::{accounts, audit, logins},
    error::AppError,
    state::AppState,
};

pub const DEMO_PASSWORD: &str = "demo-password-1";

pub struct DemoSummary {
    pub accounts: usize,
    pub logins: Vec<String>,
}

/// Loads the demo tree once; a second call changes nothing.
pub async fn load(state: &AppState) -> Result<DemoSummary, AppError> {
    let op = accounts::operator(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if logins::find_by_email(state, "owner@northwind.example")
        .await?
        .is_some()
    {
        return Ok(DemoSummary {
            accounts: 0,
            logins: Vec::new(),
        });
    }
    let now = state.now_ms();
    let actor = audit::Actor::system();
    let mut tx = state.db.begin().await?;
    let mut made = 0;
    let mut emails = Vec::new();
    let mut add = |_: ()| made += 1;
    let partner = accounts::insert(
        &mut tx,
        now,
        Some(op.id),
        "partner",
        "Northwind Media",
        Some("owner@northwind.example"),
    )
    .await?;
    add(());
    let partner2 = accounts::insert(
        &mut tx,
        now,
        Some(op.id),
        "partner",
        "Blue Harbor Signage",
        Some("owner@blueharbor.example"),
    )
    .await?;
    add(());
    let reseller = accounts::insert(
        &mut tx,
        now,
        Some(op.id),
        "reseller",
        "Summit Resellers",
        Some("owner@summit.example"),
    )
    .await?;
    add(());
    let dealer = accounts::insert(
        &mut tx,
        now,
        Some(partner),
        "dealer",
        "Northwind Dealer East",
        Some("dealer@northwind.example"),
    )
    .await?;
    add(());
    for (parent, name) in [
        (partner, "Café Aurora"),
        (partner, "Grand Hotel Lobby"),
        (dealer, "Eastside Gym"),
        (partner2, "Harbor Dental"),
        (reseller, "Mountain Bakery"),
    ] {
        accounts::insert(&mut tx, now, Some(parent), "customer", name, None).await?;
        add(());
    }
    for (account, email, name) in [
        (partner, "owner@northwind.example", "Nora Northwind"),
        (partner2, "owner@blueharbor.example", "Ben Harbor"),
        (reseller, "owner@summit.example", "Sam Summit"),
        (dealer, "dealer@northwind.example", "Dana Dealer"),
    ] {
        logins::insert(
            state,
            &mut tx,
            &actor,
            logins::NewLogin {
                account_id: account,
                email,
                name,
                password: DEMO_PASSWORD,
                role: "owner",
            },
        )
        .await?;
        emails.push(email.to_string());
    }
    tx.commit().await?;
    Ok(DemoSummary {
        accounts: made,
        logins: emails,
    })
}
