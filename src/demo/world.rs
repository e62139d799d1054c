//! The small demo: a world where every feature can be tried. Packages on partners (one paying
//! with an open invoice, one in trial), every kind of account with a login (operator, partner,
//! reseller, dealer, customer), channels, a request of each type waiting in Approvals, a
//! reseller linked to its partner and another waiting for an answer, and messages and offers
//! that reach the customers.

use super::{DemoSummary, DEMO_PASSWORD};
use crate::areas::accounts;
use crate::areas::accounts::logins;
use crate::areas::accounts::AccountId;
use crate::areas::networks;
use crate::kernel::audit;
use crate::kernel::enums::{Kind, Role};
use crate::kernel::error::AppError;
use crate::state::AppState;

const DAY: i64 = 86_400_000;

/// The demo logins: (email, name, account), in the order README lists them.
pub const LOGINS: [(&str, &str, &str); 9] = [
    ("operator@demo.example", "Olivia Operator", "Servicecenter"),
    (
        "owner@northwind.example",
        "Nora Northwind",
        "Northwind Media",
    ),
    (
        "owner@blueharbor.example",
        "Ben Harbor",
        "Blue Harbor Signage",
    ),
    ("owner@summit.example", "Sam Summit", "Summit Resellers"),
    ("owner@valley.example", "Val Valley", "Valley Resell"),
    (
        "dealer@northwind.example",
        "Dana Dealer",
        "Northwind Dealer East",
    ),
    ("cafe@northwind.example", "Carla Café", "Café Aurora"),
    ("gym@northwind.example", "Greg Gym", "Eastside Gym"),
    ("bakery@summit.example", "Bea Baker", "Mountain Bakery"),
];

async fn upsert_id(tx: &mut sqlx::AnyConnection, sql: &str, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sql).bind(now).fetch_one(&mut *tx).await
}

/// A request row; approved ones are decided by the demo operator (or the partner asked).
#[derive(Clone, Copy)]
struct Req<'a> {
    kind: &'a str,
    account: i64,
    addressee: i64,
    title: &'a str,
    ref_id: Option<i64>,
    channel: Option<i64>,
    engagement: Option<&'a str>,
    content: &'a str,
    impressions: Option<i64>,
    price: Option<i64>,
    starts: Option<i64>,
    ends: Option<i64>,
    approved: bool,
}

async fn request(tx: &mut sqlx::AnyConnection, now: i64, r: Req<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO requests (kind, account_id, addressee_id, title, ref_id, channel_id, engagement, content, \
         impressions, price, currency, starts_at, ends_at, status, created_at, decided_at, decided_by_email) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(r.kind)
    .bind(r.account)
    .bind(r.addressee)
    .bind(r.title)
    .bind(r.ref_id)
    .bind(r.channel)
    .bind(r.engagement)
    .bind(r.content)
    .bind(r.impressions)
    .bind(r.price)
    .bind(r.price.map(|_| "EUR"))
    .bind(r.starts)
    .bind(r.ends)
    .bind(if r.approved { "approved" } else { "pending" })
    .bind(now - if r.approved { 2 * DAY } else { 3_600_000 })
    .bind(r.approved.then_some(now - DAY))
    .bind(r.approved.then_some(if r.kind == "reseller_link" {
        "owner@northwind.example"
    } else {
        "operator@demo.example"
    }))
    .fetch_one(&mut *tx)
    .await
}

/// Loads the demo world once; a second call changes nothing.
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
    let mut acc =
        |parent: AccountId, kind: Kind, name: &'static str, email: Option<&'static str>| {
            made += 1;
            (parent, kind, name, email)
        };
    let specs = [
        acc(
            op.id,
            Kind::Partner,
            "Northwind Media",
            Some("owner@northwind.example"),
        ),
        acc(
            op.id,
            Kind::Partner,
            "Blue Harbor Signage",
            Some("owner@blueharbor.example"),
        ),
        acc(
            op.id,
            Kind::Reseller,
            "Summit Resellers",
            Some("owner@summit.example"),
        ),
        acc(
            op.id,
            Kind::Reseller,
            "Valley Resell",
            Some("owner@valley.example"),
        ),
    ];
    let mut ids = std::collections::HashMap::new();
    for (parent, kind, name, email) in specs {
        let id = accounts::insert(&mut tx, now, Some(parent.get()), kind, name, email).await?;
        ids.insert(name, id);
    }
    let (partner, partner2, reseller, reseller2) = (
        ids["Northwind Media"],
        ids["Blue Harbor Signage"],
        ids["Summit Resellers"],
        ids["Valley Resell"],
    );
    let dealer = accounts::insert(
        &mut tx,
        now,
        Some(partner),
        Kind::Dealer,
        "Northwind Dealer East",
        Some("dealer@northwind.example"),
    )
    .await?;
    made += 1;
    ids.insert("Northwind Dealer East", dealer);
    for (parent, name) in [
        (partner, "Café Aurora"),
        (partner, "Grand Hotel Lobby"),
        (dealer, "Eastside Gym"),
        (partner2, "Harbor Dental"),
        (reseller, "Mountain Bakery"),
    ] {
        let id = accounts::insert(&mut tx, now, Some(parent), Kind::Customer, name, None).await?;
        ids.insert(name, id);
        made += 1;
    }
    ids.insert("Servicecenter", op.id.get());
    // Contact details, as a reseller's request for partner shows them.
    for (id, contact, phone) in [
        (reseller, "Sam Summit", "+49 30 5550 100"),
        (reseller2, "Val Valley", "+49 89 5550 200"),
        (partner, "Nora Northwind", "+49 40 5550 300"),
        (partner2, "Ben Harbor", "+49 421 5550 400"),
    ] {
        sqlx::query("UPDATE accounts SET contact_name = $1, phone = $2 WHERE id = $3")
            .bind(contact)
            .bind(phone)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let mut emails = Vec::new();
    for (email, name, account) in LOGINS {
        logins::insert(
            state,
            &mut tx,
            &actor,
            logins::NewLogin {
                account_id: AccountId(ids[account]),
                email,
                name,
                password: DEMO_PASSWORD,
                role: Role::Owner,
            },
        )
        .await?;
        emails.push(email.to_string());
    }

    // Packages on the partners: Northwind pays (its period ends in 7 days, the invoice for the
    // next one is open), Blue Harbor and the resellers are in trial.
    let business = upsert_id(
        &mut tx,
        "INSERT INTO packages (name, monthly_price, currency, trial_days, feature_ads, feature_hardware, \
         feature_resellers, max_customers, max_dealers, created_at, updated_at) \
         VALUES ('Demo Business', 7900, 'EUR', 30, 1, 1, 1, 500, 20, $1, $1) \
         ON CONFLICT (name) DO UPDATE SET updated_at = $1 RETURNING id",
        now,
    )
    .await?;
    let starter = upsert_id(
        &mut tx,
        "INSERT INTO packages (name, monthly_price, currency, trial_days, feature_ads, created_at, updated_at) \
         VALUES ('Demo Starter', 2900, 'EUR', 14, 1, $1, $1) \
         ON CONFLICT (name) DO UPDATE SET updated_at = $1 RETURNING id",
        now,
    )
    .await?;
    let storage = upsert_id(
        &mut tx,
        "INSERT INTO addons (name, description, monthly_price, currency, created_at, updated_at) \
         VALUES ('Extra storage', '50 GB more for media', 900, 'EUR', $1, $1) \
         ON CONFLICT (name) DO UPDATE SET updated_at = $1 RETURNING id",
        now,
    )
    .await?;
    for (account, package, status, start, end) in [
        (partner, business, "active", now - 23 * DAY, now + 7 * DAY),
        (partner2, starter, "trial", now, now + 14 * DAY),
        (reseller, starter, "trial", now - 2 * DAY, now + 12 * DAY),
        (reseller2, starter, "trial", now, now + 14 * DAY),
    ] {
        sqlx::query(
            "INSERT INTO subscriptions (account_id, package_id, status, period_start, period_end, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(account)
        .bind(package)
        .bind(status)
        .bind(start)
        .bind(end)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    crate::areas::billing::ensure_invoice(&mut tx, AccountId(partner), now + 7 * DAY, now).await?;

    // Both partners serve resellers and agreed to be listed in the directory.
    for (id, email, phone, website, note) in [
        (
            partner,
            "owner@northwind.example",
            "+49 40 5550 300",
            "https://northwind.example",
            "News and menus for cafés and hotels.",
        ),
        (
            partner2,
            "owner@blueharbor.example",
            "+49 421 5550 400",
            "https://blueharbor.example",
            "",
        ),
    ] {
        let s = networks::ResellerSettings {
            serves_resellers: true,
            listed: true,
            email: email.into(),
            show_email: true,
            phone: phone.into(),
            show_phone: true,
            website: website.into(),
            show_website: true,
            note: note.into(),
            ..Default::default()
        };
        networks::write_settings(&mut tx, AccountId(id), &s, now).await?;
    }

    // Channels, with followers.
    let mut channel_ids = Vec::new();
    for (name, desc, owner) in [
        ("Northwind News", "Weekly news for our cafés", partner),
        (
            "Northwind Menus",
            "Daily specials for hotel lobbies",
            partner,
        ),
        (
            "Harbor Updates",
            "Opening hours and offers of the harbour",
            partner2,
        ),
    ] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO channels (account_id, name, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(owner)
        .bind(name)
        .bind(desc)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        channel_ids.push(id);
    }
    for (ch, customer) in [
        (channel_ids[0], "Café Aurora"),
        (channel_ids[0], "Mountain Bakery"),
        (channel_ids[1], "Grand Hotel Lobby"),
        (channel_ids[2], "Harbor Dental"),
    ] {
        sqlx::query(
            "INSERT INTO channel_followers (channel_id, customer_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(ch)
        .bind(ids[customer])
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let adp = upsert_id(
        &mut tx,
        "INSERT INTO ad_packages (name, impressions, price, currency, created_at, updated_at) \
         VALUES ('Demo reach', 10000, 4900, 'EUR', $1, $1) \
         ON CONFLICT (name) DO UPDATE SET updated_at = $1 RETURNING id",
        now,
    )
    .await?;
    // Northwind bought impressions before (approved), so it can run campaigns.
    let base = Req {
        kind: "ad_package",
        account: partner,
        addressee: op.id.get(),
        title: "Demo reach (10000 impressions)",
        ref_id: Some(adp),
        channel: None,
        engagement: None,
        content: "{}",
        impressions: Some(10_000),
        price: Some(4900),
        starts: None,
        ends: None,
        approved: true,
    };
    request(&mut tx, now, Req { ..base }).await?;
    sqlx::query("INSERT INTO ad_wallets (account_id, credited, updated_at) VALUES ($1, 10000, $2)")
        .bind(partner)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let ad = r#"{"text":"Two coffees for the price of one, every morning before 10.","image_url":"","target_url":"https://northwind.example/coffee"}"#;
    // What reaches customers under Messages and offers: a live campaign and a sent message.
    request(
        &mut tx,
        now,
        Req {
            kind: "ad",
            title: "Morning coffee deal",
            ref_id: None,
            content: ad,
            impressions: Some(2000),
            price: None,
            starts: Some(now - DAY),
            ends: Some(now + 30 * DAY),
            ..base
        },
    )
    .await?;
    let sent = request(
        &mut tx,
        now,
        Req {
            kind: "broadcast",
            account: partner2,
            title: "Harbor Updates: message",
            ref_id: None,
            channel: Some(channel_ids[2]),
            engagement: Some("message"),
            content: r#"{"text":"The harbour market is open on Sundays from now on."}"#,
            impressions: None,
            price: None,
            starts: Some(now - 3_600_000),
            ..base
        },
    )
    .await?;
    sqlx::query(
        "INSERT INTO broadcasts (request_id, account_id, channel_id, starts_at, status, recipients, sent_at) \
         VALUES ($1, $2, $3, $4, 'sent', 4, $5)",
    )
    .bind(sent)
    .bind(partner2)
    .bind(channel_ids[2])
    .bind(now - 3_600_000)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // Waiting in the operator's Approvals: one request of each type.
    let pending = Req {
        approved: false,
        ..base
    };
    for r in [
        Req {
            kind: "addon",
            title: "Extra storage (9.00 EUR/month)",
            ref_id: Some(storage),
            impressions: None,
            price: Some(900),
            ..pending
        },
        Req {
            kind: "broadcast",
            title: "Northwind News: message",
            ref_id: None,
            channel: Some(channel_ids[0]),
            engagement: Some("message"),
            content: r#"{"text":"Our autumn menu is here: come and taste it this week."}"#,
            impressions: None,
            price: None,
            starts: Some(now + DAY),
            ..pending
        },
        Req { ..pending },
        Req {
            kind: "ad",
            title: "Hotel breakfast week",
            ref_id: None,
            content: r#"{"text":"Breakfast for guests and neighbours, all week.","image_url":"","target_url":"https://northwind.example/breakfast"}"#,
            impressions: Some(3000),
            price: None,
            starts: Some(now + 2 * DAY),
            ends: Some(now + 9 * DAY),
            ..pending
        },
    ] {
        request(&mut tx, now, r).await?;
    }
    // Summit resells for Northwind; Valley waits for Blue Harbor's answer.
    let link = request(
        &mut tx,
        now,
        Req {
            kind: "reseller_link",
            account: reseller,
            addressee: partner,
            title: "Summit Resellers asks to resell for Northwind Media",
            ref_id: Some(partner),
            content: "{}",
            impressions: None,
            price: None,
            approved: true,
            ..base
        },
    )
    .await?;
    sqlx::query(
        "INSERT INTO reseller_links (reseller_id, partner_id, request_id, linked_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(reseller)
    .bind(partner)
    .bind(link)
    .bind(now - DAY)
    .execute(&mut *tx)
    .await?;
    request(
        &mut tx,
        now,
        Req {
            kind: "reseller_link",
            account: reseller2,
            addressee: partner2,
            title: "Valley Resell asks to resell for Blue Harbor Signage",
            ref_id: Some(partner2),
            content: "{}",
            impressions: None,
            price: None,
            approved: false,
            ..base
        },
    )
    .await?;
    // A company that registered and waits under Partnerships.
    sqlx::query(
        "INSERT INTO partnership_requests (company_name, contact_name, email, phone, website, description, \
         package_id, package_name, monthly_price, currency, created_at, kind, directory_consent) \
         VALUES ('Lakeside Screens', 'Lara Lake', 'lara@lakeside.example', '+41 44 5550 500', 'https://lakeside.example', \
         'Screens for lakeside hotels and marinas.', $1, 'Demo Starter', 2900, 'EUR', $2, 'partner', 1)",
    )
    .bind(starter)
    .bind(now - 7_200_000)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    super::support::load(state).await?;
    super::screens::load(state).await?;

    Ok(DemoSummary {
        accounts: made,
        logins: emails,
    })
}
